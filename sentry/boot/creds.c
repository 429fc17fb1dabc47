/* The app's identity: supplementary groups, gid, uid, and the five
 * capability sets (bounding via PR_CAPBSET_DROP, the rest via libcap). */
#include "process.h"
#include "log.h"

#include <errno.h>
#include <ctype.h>
#include <grp.h>
#include <stdio.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

/* cap_to_name allocates; copy into the caller's buffer, spelt as the
 * spec spells it (CAP_KILL). */
static const char *cap_name(int v, char *buf, size_t len)
{
	char *n = cap_to_name(v);
	snprintf(buf, len, "%s", n ? n : "?");
	cap_free(n);
	for (char *c = buf; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	return buf;
}

static bool has_cap(uint64_t mask, int cap)
{
	return cap < 64 && (mask & (UINT64_C(1) << cap));
}

int creds_drop_bounding(const struct oci_process *p)
{
	int last = (int)cap_max_bits();
	for (int c = 0; c < last; c++) {
		if (p->has_caps && has_cap(p->caps[OCI_CAP_BOUNDING], c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) {
			char n[32];
			return boot_errorf(-errno, "process.capabilities.bounding: drop %s",
					   cap_name(c, n, sizeof n));
		}
	}
	return 0;
}

int creds_set_user(const struct oci_process *p)
{
	if (setgroups(p->n_additional_gids, p->additional_gids) < 0) {
		/* With "deny" in setgroups (a joined user namespace) only an
		 * empty list can be right. */
		if (!(errno == EPERM && p->n_additional_gids == 0))
			return boot_errorf(-errno, "process.user.additionalGids: setgroups");
	}
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		return boot_errorf(-errno, "process.user.gid: setresgid %u", p->gid);
	/* Keep the permitted set across the uid change; creds_set_caps then
	 * sets exactly what the spec asks. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return boot_errorf(-errno, "prctl PR_SET_KEEPCAPS");
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		return boot_errorf(-errno, "process.user.uid: setresuid %u", p->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return boot_errorf(-errno, "prctl PR_SET_KEEPCAPS");
	return 0;
}

static int fill_set(cap_t c, cap_flag_t flag, uint64_t mask, int last)
{
	for (int v = 0; v < last; v++) {
		cap_value_t cv = v;
		if (has_cap(mask, v) && cap_set_flag(c, flag, 1, &cv, CAP_SET) < 0)
			return -errno;
	}
	return 0;
}

/* A capability the spec permits but we do not hold cannot be granted:
 * name it (this host's root may lack some, e.g. CAP_SYS_RESOURCE). */
int creds_check_caps(const struct oci_process *p)
{
	int last = (int)cap_max_bits();
	if (!p->has_caps)
		return 0;
	cap_t cur = cap_get_proc();
	if (!cur)
		return boot_errorf(-errno, "cap_get_proc");
	int r = 0;
	for (int v = 0; v < last && r == 0; v++) {
		cap_flag_value_t have = CAP_CLEAR;
		uint64_t want = p->caps[OCI_CAP_PERMITTED] | p->caps[OCI_CAP_EFFECTIVE];
		if (!has_cap(want, v) || (cap_get_flag(cur, v, CAP_PERMITTED, &have) == 0 && have))
			continue;
		char n[32];
		r = boot_errorf(-EPERM, "process.capabilities: %s is not available to burrow "
				"on this host", cap_name(v, n, sizeof n));
	}
	cap_free(cur);
	return r;
}

int creds_set_caps(const struct oci_process *p)
{
	int last = (int)cap_max_bits();
	int r = creds_check_caps(p);
	if (r < 0)
		return r;
	cap_t c = cap_init();
	if (!c)
		return boot_errorf(-errno, "cap_init");
	if (p->has_caps &&
	    ((r = fill_set(c, CAP_EFFECTIVE, p->caps[OCI_CAP_EFFECTIVE], last)) < 0 ||
	     (r = fill_set(c, CAP_PERMITTED, p->caps[OCI_CAP_PERMITTED], last)) < 0 ||
	     (r = fill_set(c, CAP_INHERITABLE, p->caps[OCI_CAP_INHERITABLE], last)) < 0)) {
		cap_free(c);
		return boot_errorf(r, "process.capabilities");
	}
	if (cap_set_proc(c) < 0)
		r = boot_errorf(-errno, "process.capabilities: capset (effective must be within "
				"permitted)");
	cap_free(c);
	if (r < 0)
		return r;
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return boot_errorf(-errno, "process.capabilities.ambient: reset");
	for (int v = 0; p->has_caps && v < last; v++) {
		if (!has_cap(p->caps[OCI_CAP_AMBIENT], v))
			continue;
		char n[32];
		/* The kernel takes an ambient cap only when it is permitted and
		 * inheritable; runc's default spec lists ambient caps without
		 * inheritable ones, and runc skips them too. */
		if (!has_cap(p->caps[OCI_CAP_PERMITTED], v) ||
		    !has_cap(p->caps[OCI_CAP_INHERITABLE], v)) {
			log_debug("process.capabilities.ambient: %s skipped (not permitted and "
				  "inheritable)", cap_name(v, n, sizeof n));
			continue;
		}
		if (cap_set_ambient(v, CAP_SET) < 0)
			return boot_errorf(-errno, "process.capabilities.ambient: raise %s",
					   cap_name(v, n, sizeof n));
	}
	return 0;
}
