# burrow-sentry boot: the sandbox.  Also the OCI config.json reader
# (common/oci), which burrow and burrow-sentry both link.
noinst_LIBRARIES += common/liboci.a
common_liboci_a_SOURCES = \
	common/oci/spec.h common/oci/spec_int.h common/oci/spec.c common/oci/getters.c \
	common/oci/process.c common/oci/linux.c common/oci/seccomp.c common/oci/hooks.c
common_liboci_a_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(CAP_CFLAGS)

# Everything of boot but its entry point; burrow links the parts it shares
# (served mounts, cgroups, messages) from here too.
noinst_LIBRARIES += sentry/boot/libboot.a
sentry_boot_libboot_a_SOURCES = \
	sentry/boot/boot.h sentry/boot/error.c sentry/boot/msg.h sentry/boot/msg.c \
	sentry/boot/served.c sentry/boot/size.c sentry/boot/cgroup.h sentry/boot/cgroup.c \
	sentry/boot/cgroup_warm.c \
	sentry/boot/sandbox.c sentry/boot/init.c \
	sentry/boot/namespaces.h sentry/boot/namespaces.c \
	sentry/boot/rootfs.h sentry/boot/rootfs.c sentry/boot/mounts.c \
	sentry/boot/devices.c sentry/boot/paths.c \
	sentry/boot/mountopts.h sentry/boot/mountopts.c \
	sentry/boot/resolve.h sentry/boot/resolve.c \
	sentry/boot/process.h sentry/boot/process.c sentry/boot/creds.c \
	sentry/boot/seccomp_spec.c sentry/boot/exec.c sentry/boot/console.c \
	sentry/boot/sentry_confine.h sentry/boot/sentry_confine.c sentry/boot/sentry_seccomp.c
sentry_boot_libboot_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sentry \
	$(SECCOMP_CFLAGS) $(CAP_CFLAGS) $(JANSSON_CFLAGS)

sentry_burrow_sentry_SOURCES += sentry/boot/boot_main.c
sentry_burrow_sentry_LDADD += sentry/boot/libboot.a sentry/fs/libsentryfs.a common/liboci.a \
	common/libcommon.a $(FUSE_LIBS) $(SECCOMP_LIBS) $(CAP_LIBS) $(JANSSON_LIBS)

# The config.json reader's own test (cmocka).
if HAVE_CMOCKA
check_PROGRAMS += tests/integration/oci_spec_test
TESTS += tests/integration/oci_spec_test
tests_integration_oci_spec_test_SOURCES = tests/integration/oci_spec_test.c
tests_integration_oci_spec_test_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_integration_oci_spec_test_LDADD = common/liboci.a common/libcommon.a \
	$(CMOCKA_LIBS) $(JANSSON_LIBS) $(CAP_LIBS)
endif
