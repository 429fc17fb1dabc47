# tests/security: burrow-gofer's confinement and attacks on the server.
# The confinement tests compile the gofer's confine sources themselves, so
# they do not depend on the server core.
SEC_CONFINE_SRC = gofer/confine.c gofer/confine.h \
	gofer/seccomp_allowlist.c gofer/seccomp_allowlist.h
SEC_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/gofer $(SECCOMP_CFLAGS) $(CAP_CFLAGS)
SEC_LIBS = common/libcommon.a $(SECCOMP_LIBS) $(CAP_LIBS)

check_PROGRAMS += tests/security/seccomp_kill tests/security/confine_view
tests_security_seccomp_kill_SOURCES = tests/security/seccomp_kill.c tests/security/check.h \
	gofer/seccomp_allowlist.c gofer/seccomp_allowlist.h gofer/confine.h
tests_security_seccomp_kill_CPPFLAGS = $(SEC_CPPFLAGS)
tests_security_seccomp_kill_LDADD = $(SEC_LIBS)

tests_security_confine_view_SOURCES = tests/security/confine_view.c tests/security/check.h \
	$(SEC_CONFINE_SRC)
tests_security_confine_view_CPPFLAGS = $(SEC_CPPFLAGS)
tests_security_confine_view_LDADD = $(SEC_LIBS)

TESTS += tests/security/seccomp_kill tests/security/confine_view

# The attack suite against a running (confined) burrow-gofer.
check_PROGRAMS += tests/security/attack
tests_security_attack_SOURCES = tests/security/attack.h tests/security/check.h \
	tests/security/attack_main.c tests/security/attack_paths.c \
	tests/security/attack_special.c tests/security/attack_race.c \
	tests/security/attack_proto.c tests/security/attack_random.c \
	tests/security/attack_proc.c tests/security/attack_users.c \
	$(SEC_CONFINE_SRC)
tests_security_attack_CPPFLAGS = $(SEC_CPPFLAGS)
tests_security_attack_LDADD = $(SEC_LIBS)
TESTS += tests/security/attack
TESTS += tests/security/attack-no-confine.sh
EXTRA_DIST += tests/security/attack-no-confine.sh

# The dispatch fuzz target (fuzz_dispatch.c) over the server's operations;
# make check runs it on seeds and their mutations, fuzz_dispatch.sh under
# libFuzzer.
SEC_GOFER_OPS_SRC = gofer/fid.c gofer/fid.h gofer/qid.c gofer/qid.h gofer/ident.c \
	gofer/ident.h gofer/users.c gofer/users.h gofer/gofer.h gofer/ops.h \
	gofer/ops_util.c gofer/ops_walk.c gofer/ops_io.c gofer/ops_attr.c gofer/ops_dir.c \
	gofer/ops_ns.c gofer/ops_xattr.c gofer/ops_lock.c
check_PROGRAMS += tests/security/fuzz_dispatch_seeds
tests_security_fuzz_dispatch_seeds_SOURCES = tests/security/fuzz_dispatch.c \
	tests/security/fuzz_dispatch_seeds.c $(SEC_GOFER_OPS_SRC)
tests_security_fuzz_dispatch_seeds_CPPFLAGS = $(SEC_CPPFLAGS)
tests_security_fuzz_dispatch_seeds_LDADD = common/libcommon.a
TESTS += tests/security/fuzz_dispatch_seeds
EXTRA_DIST += tests/security/fuzz_dispatch.sh
