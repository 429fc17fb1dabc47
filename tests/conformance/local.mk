# POSIX filesystem conformance suite (issues 4 and 5): fsconf runs against
# any directory; run-table.sh compares targets.  make check tests the
# table logic, runs the suite natively, on the CI targets (run-targets.sh)
# and inside a sandbox in each mode (in-sandbox.sh, run by
# tests/integration/conformance.bats).
FSCONF_SOURCES = \
	tests/conformance/conf.h tests/conformance/conf.c \
	tests/conformance/helpers.c tests/conformance/main.c \
	tests/conformance/t_chmod.c tests/conformance/t_chown.c \
	tests/conformance/t_link.c tests/conformance/t_mkdir.c \
	tests/conformance/t_mkfifo.c tests/conformance/t_mknod.c \
	tests/conformance/t_open.c tests/conformance/t_rename.c \
	tests/conformance/t_rmdir.c tests/conformance/t_symlink.c \
	tests/conformance/t_truncate.c tests/conformance/t_unlink.c \
	tests/conformance/t_utimensat.c tests/conformance/t_times.c \
	tests/conformance/t_perm.c tests/conformance/t_unlinked.c \
	tests/conformance/t_mmap.c tests/conformance/t_sparse.c \
	tests/conformance/t_readdir.c tests/conformance/t_locks.c \
	tests/conformance/t_xattr.c tests/conformance/t_copyup.c

check_PROGRAMS += tests/conformance/fsconf tests/conformance/fsconf-static
tests_conformance_fsconf_SOURCES = $(FSCONF_SOURCES)
# util.h's read_full/write_full live in libcommon.
tests_conformance_fsconf_LDADD = common/libcommon.a
# The same suite for a busybox container (in-sandbox.sh): static, and
# without sanitizers (they cannot link statically), so libcommon's
# instrumented objects are out too: util.c is compiled in.
tests_conformance_fsconf_static_SOURCES = $(FSCONF_SOURCES) common/util.c
tests_conformance_fsconf_static_CFLAGS = -std=gnu17 $(WARN_CFLAGS)
tests_conformance_fsconf_static_LDFLAGS = -static

TESTS += \
	tests/conformance/check-table.sh \
	tests/conformance/check-native.sh \
	tests/conformance/check-targets.sh
EXTRA_DIST += \
	tests/conformance/check-table.sh \
	tests/conformance/check-native.sh \
	tests/conformance/check-targets.sh \
	tests/conformance/run-table.sh \
	tests/conformance/run-targets.sh \
	tests/conformance/in-sandbox.sh \
	tests/conformance/README.md \
	tests/conformance/expected-failures.txt
