# The sandbox's control server (burrow-sentry control) and burrow's
# lifecycle commands that talk to it.  Included after sentry/cli/local.mk
# and sentry/boot/local.mk: it adds to their programs.

# Shared by burrow and burrow-sentry: socket name, framing, client,
# entering the container's namespaces, state.json, the cgroup view.
noinst_LIBRARIES += sentry/control/libcontrol.a
sentry_control_libcontrol_a_SOURCES = \
	sentry/control/control.h sentry/control/addr.c \
	sentry/control/wire.h sentry/control/wire.c \
	sentry/control/client.h sentry/control/client.c \
	sentry/control/nsenter.h sentry/control/nsenter.c \
	sentry/control/statefile.h sentry/control/statefile.c \
	sentry/control/cgroups.h sentry/control/cgroups.c
sentry_control_libcontrol_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sentry $(JANSSON_CFLAGS)

# The server (libev) and the sentry's link to it.
noinst_LIBRARIES += sentry/control/libcontrolsrv.a
sentry_control_libcontrolsrv_a_SOURCES = \
	sentry/control/srv.h sentry/control/srv_main.c sentry/control/server.c \
	sentry/control/children.c sentry/control/m_basic.c sentry/control/procs.c \
	sentry/control/stats.c sentry/control/execute.c sentry/control/exec_child.c \
	sentry/control/nsfork.c sentry/control/procmount.c sentry/control/link.c
sentry_control_libcontrolsrv_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sentry \
	$(JANSSON_CFLAGS) $(EV_CFLAGS)

sentry_burrow_sentry_LDADD += sentry/control/libcontrolsrv.a sentry/control/libcontrol.a \
	sentry/boot/libboot.a common/liboci.a common/libcommon.a \
	$(EV_LIBS) $(SECCOMP_LIBS) $(CAP_LIBS) $(JANSSON_LIBS)

# burrow's lifecycle commands (sentry/cli/lifecycle.h).
burrow_SOURCES += \
	sentry/cli/lifecycle.h sentry/cli/container.c sentry/cli/signals.c \
	sentry/cli/hooks.c sentry/cli/console_socket.c sentry/cli/create.c \
	sentry/cli/start.c sentry/cli/state_cmd.c sentry/cli/kill.c sentry/cli/delete.c \
	sentry/cli/list.c sentry/cli/exec.c sentry/cli/exec_wait.h sentry/cli/exec_wait.c \
	sentry/cli/ps.c sentry/cli/events.c sentry/cli/wait.c
burrow_LDADD += sentry/control/libcontrol.a sentry/boot/libboot.a common/liboci.a \
	common/libcommon.a $(JANSSON_LIBS)

# tests/oci: the lifecycle commands end to end (bats, as root), with two
# small peers: recvtty (a --console-socket listener, as conmon) and
# ctlcall (raw control-socket requests).
check_PROGRAMS += tests/oci/recvtty tests/oci/ctlcall
tests_oci_recvtty_SOURCES = tests/oci/recvtty.c
tests_oci_recvtty_LDADD = common/libcommon.a
tests_oci_ctlcall_SOURCES = tests/oci/ctlcall.c
tests_oci_ctlcall_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sentry
tests_oci_ctlcall_LDADD = sentry/control/libcontrol.a
OCI_BATS = \
	tests/oci/lifecycle.bats tests/oci/exec.bats tests/oci/hooks.bats \
	tests/oci/control.bats tests/oci/stress.bats
TESTS += $(OCI_BATS)
EXTRA_DIST += $(OCI_BATS) tests/oci/helpers.bash

# Container engines driving burrow (root, podman and containerd installed):
# not part of `make check`; see tests/clients/README.md.
EXTRA_DIST += tests/clients/README.md tests/clients/lib.sh tests/clients/podman.sh \
	tests/clients/podman-env.sh tests/clients/bench-podman.sh \
	tests/clients/containerd.sh tests/clients/oci-image.sh
check-clients: all
	BURROW_BUILDDIR='$(abs_top_builddir)' BURROW_SRCDIR='$(abs_top_srcdir)' \
		$(SHELL) $(top_srcdir)/tests/clients/podman.sh
	BURROW_BUILDDIR='$(abs_top_builddir)' BURROW_SRCDIR='$(abs_top_srcdir)' \
		$(SHELL) $(top_srcdir)/tests/clients/containerd.sh
.PHONY: check-clients
