/* hostname, namespaced sysctls, oomScoreAdj and rlimits of the app. */
#include "namespaces.h"
#include "process.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int process_hostname(const struct boot_config *cfg)
{
	const char *h = cfg->spec.hostname;
	if (!h || !*h)
		return 0;
	if (!ns_is_new(cfg, CLONE_NEWUTS))
		return boot_errorf(-EINVAL, "hostname: needs a new uts namespace");
	if (sethostname(h, strlen(h)) < 0)
		return boot_errorf(-errno, "hostname: set \"%s\"", h);
	return 0;
}

/* Only sysctls that live in a namespace the app owns; anything else
 * would change the host. */
static bool sysctl_allowed(const struct boot_config *cfg, const char *name)
{
	static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
					   "kernel.sem", "kernel.shmall", "kernel.shmmax",
					   "kernel.shmmni", "kernel.shm_rmid_forced" };
	if (ns_is_new(cfg, CLONE_NEWIPC)) {
		for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
			if (strcmp(name, ipc[i]) == 0)
				return true;
		if (strncmp(name, "fs.mqueue.", 10) == 0)
			return true;
	}
	if (ns_is_new(cfg, CLONE_NEWNET) && strncmp(name, "net.", 4) == 0)
		return true;
	if (ns_is_new(cfg, CLONE_NEWUTS) &&
	    (strcmp(name, "kernel.hostname") == 0 || strcmp(name, "kernel.domainname") == 0))
		return true;
	return false;
}

static int write_file(const char *path, const char *value)
{
	int fd __cleanup_close = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	return write_full(fd, value, strlen(value));
}

int process_sysctls(const struct boot_config *cfg)
{
	const struct oci_linux *l = &cfg->spec.linux_;
	for (size_t i = 0; i < l->n_sysctls; i++) {
		const char *name = l->sysctls[i].name;
		char path[512];
		if (!sysctl_allowed(cfg, name))
			return boot_errorf(-EPERM, "linux.sysctl.%s: not in a namespace of the "
					   "container's own", name);
		int n = snprintf(path, sizeof path, "/proc/sys/%s", name);
		if (n < 0 || (size_t)n >= sizeof path)
			return boot_errorf(-ENAMETOOLONG, "linux.sysctl.%s", name);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		int r = write_file(path, l->sysctls[i].value);
		if (r < 0)
			return boot_errorf(r, "linux.sysctl.%s: write \"%s\"", name,
					   l->sysctls[i].value);
	}
	return 0;
}

int process_oom_score(const struct oci_process *p)
{
	if (!p->has_oom_score_adj)
		return 0;
	char v[16];
	snprintf(v, sizeof v, "%d", p->oom_score_adj);
	int r = write_file("/proc/self/oom_score_adj", v);
	if (r == -EACCES || r == -EPERM)
		return boot_errorf(r, "process.oomScoreAdj: lowering it to %d needs "
				   "CAP_SYS_RESOURCE", p->oom_score_adj);
	return r < 0 ? boot_errorf(r, "process.oomScoreAdj: write %d", p->oom_score_adj) : 0;
}

static void fmt_limit(char *buf, size_t len, rlim_t v)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

int process_rlimits(const struct oci_process *p)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct oci_rlimit *rl = &p->rlimits[i];
		struct rlimit cur, want = { .rlim_cur = rl->soft, .rlim_max = rl->hard };
		if (setrlimit(rl->resource, &want) == 0)
			continue;
		int err = errno;
		if (err == EPERM && getrlimit(rl->resource, &cur) == 0 && want.rlim_max > cur.rlim_max) {
			char a[32], b[32];
			fmt_limit(a, sizeof a, cur.rlim_max);
			fmt_limit(b, sizeof b, want.rlim_max);
			return boot_errorf(-EPERM, "process.rlimits[%zu] %s: raising the hard limit "
					   "from %s to %s needs CAP_SYS_RESOURCE, which this "
					   "process lacks", i, rl->name, a, b);
		}
		return boot_errorf(-err, "process.rlimits[%zu] %s: setrlimit", i, rl->name);
	}
	return 0;
}
