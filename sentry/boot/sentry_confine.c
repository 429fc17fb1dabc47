/* The sentry confines itself after setup (see sentry_confine.h). */
#include "sentry_confine.h"
#include "boot.h"
#include "log.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Leave the host's tree: the staging tmpfs (holding only the FUSE mount
 * points) becomes the root, read-only. */
static int leave_host_tree(const char *staging)
{
	if (mount(NULL, staging, NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return boot_errorf(-errno, "confine: make the staging dir private");
	if (chdir(staging) < 0)
		return boot_errorf(-errno, "confine: chdir to the staging dir");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return boot_errorf(-errno, "confine: pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return boot_errorf(-errno, "confine: detach the host's tree");
	if (chdir("/") < 0)
		return boot_errorf(-errno, "confine: chdir /");
	if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV |
		  MS_NOEXEC, NULL) < 0)
		return boot_errorf(-errno, "confine: remount / read-only");
	return 0;
}

static int capset_kill_only(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	d[0].effective = d[0].permitted = 1u << CAP_KILL;
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

/* Capabilities are per thread, and the FUSE workers exist already.  A uid
 * change is applied to every thread by glibc (its setxid broadcast), and
 * leaving uid 0 clears each thread's capabilities; the main thread keeps
 * its permitted set (PR_SET_KEEPCAPS) and then narrows it to CAP_KILL. */
static int drop_privileges(void)
{
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (c != CAP_KILL && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return boot_errorf(-errno, "confine: drop bounding capability %d", c);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return boot_errorf(-errno, "confine: PR_SET_KEEPCAPS");
	if (setgroups(0, NULL) < 0 ||
	    setresgid(SENTRY_CONFINED_ID, SENTRY_CONFINED_ID, SENTRY_CONFINED_ID) < 0 ||
	    setresuid(SENTRY_CONFINED_ID, SENTRY_CONFINED_ID, SENTRY_CONFINED_ID) < 0)
		return boot_errorf(-errno, "confine: change to uid/gid %d", SENTRY_CONFINED_ID);
	int r = capset_kill_only();
	if (r < 0)
		return boot_errorf(r, "confine: capset");
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return boot_errorf(-errno, "confine: prctl");
	return 0;
}

int sentry_confine(const char *staging, pid_t app, bool debug)
{
	int r;
	if ((r = leave_host_tree(staging)) < 0 || (r = drop_privileges()) < 0)
		return r;
	if ((r = sentry_install_seccomp(app)) < 0)
		return boot_errorf(r, "confine: install the seccomp allowlist");
	if (debug)
		log_debug("sentry confined: uid %d, CAP_KILL only, seccomp allowlist",
			  SENTRY_CONFINED_ID);
	return 0;
}
