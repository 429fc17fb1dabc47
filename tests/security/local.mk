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
