# burrow: the OCI runtime CLI, one file per subcommand.
bin_PROGRAMS += burrow
burrow_SOURCES = \
	sentry/cli/cli.h sentry/cli/main.c sentry/cli/spec.c sentry/cli/run.c \
	sentry/cli/launch.c sentry/cli/relay.c sentry/cli/state.c sentry/cli/locate.c
burrow_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sentry $(JANSSON_CFLAGS)
burrow_LDADD = sentry/boot/libboot.a common/liboci.a common/libcommon.a \
	$(SECCOMP_LIBS) $(CAP_LIBS) $(JANSSON_LIBS)

dist_man_MANS += man/burrow.8

# Integration tests (bats, as root; they skip otherwise).
BURROW_BATS = \
	tests/integration/run.bats
TESTS += $(BURROW_BATS)
EXTRA_DIST += $(BURROW_BATS) tests/integration/helpers.bash
