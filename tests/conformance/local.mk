# POSIX filesystem conformance suite (issue 4): fsconf runs against any
# directory; run-table.sh compares targets; make check runs it natively.
check_PROGRAMS += tests/conformance/fsconf
tests_conformance_fsconf_SOURCES = \
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
	tests/conformance/t_xattr.c
# util.h's read_full/write_full live in libcommon.
tests_conformance_fsconf_LDADD = common/libcommon.a

TESTS += tests/conformance/check-table.sh tests/conformance/check-native.sh
EXTRA_DIST += \
	tests/conformance/check-table.sh \
	tests/conformance/check-native.sh \
	tests/conformance/run-table.sh \
	tests/conformance/run-targets.sh \
	tests/conformance/README.md \
	tests/conformance/expected-failures.txt
