# tests/gofer: burrow-gofer against real clients (diod's tools, gofer-probe
# on common/p9's client).  Included from gofer/local.mk.
check_PROGRAMS += tests/gofer/gofer-probe
tests_gofer_gofer_probe_SOURCES = tests/gofer/probe.c tests/gofer/probe.h \
	tests/gofer/suite.c tests/gofer/suite_raw.c tests/gofer/paired.c tests/gofer/hostfd.c
tests_gofer_gofer_probe_LDADD = common/libcommon.a
TESTS += tests/gofer/diod.bats tests/gofer/identity.bats tests/gofer/protocol.bats
EXTRA_DIST += tests/gofer/helpers.bash tests/gofer/diod.bats tests/gofer/identity.bats \
	tests/gofer/protocol.bats tests/gofer/v9fs/run.sh tests/gofer/v9fs/guest.sh \
	tests/gofer/v9fs/v9fs-check.c
