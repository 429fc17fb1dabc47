# burrow: the OCI runtime CLI, one file per subcommand.
bin_PROGRAMS += burrow
burrow_SOURCES = \
	sentry/cli/cli.h sentry/cli/main.c sentry/cli/spec.c sentry/cli/run.c sentry/cli/launch_opts.c sentry/cli/launch_hooks.c \
	sentry/cli/launch.c sentry/cli/relay.c sentry/cli/state.c sentry/cli/locate.c
burrow_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sentry $(JANSSON_CFLAGS)
burrow_LDADD = sentry/boot/libboot.a common/liboci.a common/libcommon.a \
	$(SECCOMP_LIBS) $(CAP_LIBS) $(JANSSON_LIBS)

dist_man_MANS += man/burrow.8

# Integration tests (bats, as root; they skip otherwise).  The run cases
# are one template, made into a file per file-access mode.
BURROW_RUN_BATS = \
	tests/integration/run-direct.bats \
	tests/integration/run-proxy.bats \
	tests/integration/run-overlay.bats
TESTS += tests/integration/cli.bats $(BURROW_RUN_BATS) tests/integration/conformance.bats
CLEANFILES += $(BURROW_RUN_BATS)
EXTRA_DIST += tests/integration/cli.bats tests/integration/cases.bats.in \
	tests/integration/helpers.bash tests/lib/bundle.bash tests/integration/conformance.bats

tests/integration/run-direct.bats: tests/integration/cases.bats.in
	$(AM_V_GEN)$(MKDIR_P) tests/integration && \
	sed -e 's/@MODE@/direct/g' $(top_srcdir)/tests/integration/cases.bats.in >$@
tests/integration/run-proxy.bats: tests/integration/cases.bats.in
	$(AM_V_GEN)$(MKDIR_P) tests/integration && \
	sed -e 's/@MODE@/proxy/g' $(top_srcdir)/tests/integration/cases.bats.in >$@
tests/integration/run-overlay.bats: tests/integration/cases.bats.in
	$(AM_V_GEN)$(MKDIR_P) tests/integration && \
	sed -e 's/@MODE@/overlay/g' $(top_srcdir)/tests/integration/cases.bats.in >$@
