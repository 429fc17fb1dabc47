/* Namespaces of the app (see namespaces.h). */
#include "namespaces.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* The network namespace follows --network: none forces a new one, host
 * none at all, sandbox (the default) whatever the spec says. */
static const struct oci_namespace *ns_get(const struct boot_config *cfg, int type)
{
	static const struct oci_namespace fresh_net = { .type = CLONE_NEWNET, .name = "network" };
	if (type == CLONE_NEWNET && cfg->network == BOOT_NET_NONE)
		return &fresh_net;
	if (type == CLONE_NEWNET && cfg->network == BOOT_NET_HOST)
		return NULL;
	return oci_spec_namespace(&cfg->spec, type);
}

int ns_is_new(const struct boot_config *cfg, int type)
{
	const struct oci_namespace *ns = ns_get(cfg, type);
	return ns && !ns->path;
}

int ns_clone_flags(const struct boot_config *cfg)
{
	int flags = 0;
	if (ns_is_new(cfg, CLONE_NEWUSER))
		flags |= CLONE_NEWUSER;
	if (ns_is_new(cfg, CLONE_NEWPID))
		flags |= CLONE_NEWPID;
	return flags;
}

static int join(const struct oci_namespace *ns)
{
	int fd __cleanup_close = open(ns->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return boot_errorf(-errno, "open %s namespace %s", ns->name, ns->path);
	if (setns(fd, ns->type) < 0)
		return boot_errorf(-errno, "join %s namespace %s", ns->name, ns->path);
	return 0;
}

int ns_join_pid(const struct boot_config *cfg)
{
	const struct oci_namespace *ns = ns_get(cfg, CLONE_NEWPID);
	return ns && ns->path ? join(ns) : 0;
}

static int write_map(pid_t pid, const char *file, const struct oci_idmap *m, size_t n)
{
	char path[64], buf[340 * 36];
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%u %u %u\n", m[i].container_id,
					m[i].host_id, m[i].size);
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	int fd __cleanup_close = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* The kernel takes the whole map in one write. */
	ssize_t w = write(fd, buf, len);
	if (w < 0)
		return -errno;
	return (size_t)w == len ? 0 : -EIO;
}

int ns_write_idmaps(const struct boot_config *cfg, pid_t pid)
{
	const struct oci_linux *l = &cfg->spec.linux_;
	if (!ns_is_new(cfg, CLONE_NEWUSER))
		return 0;
	int r = write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings);
	if (r < 0)
		return boot_errorf(r, "linux.uidMappings: write uid_map");
	r = write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings);
	if (r < 0)
		return boot_errorf(r, "linux.gidMappings: write gid_map");
	return 0;
}

static int loopback_up(void)
{
	int s __cleanup_close = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return -errno;
	return 0;
}

/* Join those of `types` given by path, unshare the others asked for. */
static int enter(const struct boot_config *cfg, const int *types, size_t n)
{
	int r, flags = 0;
	for (size_t i = 0; i < n; i++) {
		const struct oci_namespace *ns = ns_get(cfg, types[i]);
		if (ns && ns->path && (r = join(ns)) < 0)
			return r;
		if (ns && !ns->path)
			flags |= types[i];
	}
	if (flags && unshare(flags) < 0)
		return boot_errorf(-errno, "unshare namespaces 0x%x", flags);
	if ((flags & CLONE_NEWNET) && (r = loopback_up()) < 0)
		return boot_errorf(r, "bring up lo in the new network namespace");
	return 0;
}

int ns_enter(const struct boot_config *cfg)
{
	static const int types[] = { CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNET };
	const struct oci_namespace *user = ns_get(cfg, CLONE_NEWUSER);
	int r;
	if (user && user->path && (r = join(user)) < 0)
		return r;
	return enter(cfg, types, ARRAY_SIZE(types));
}

int ns_enter_mount(const struct boot_config *cfg)
{
	static const int types[] = { CLONE_NEWNS };
	return enter(cfg, types, ARRAY_SIZE(types));
}

int ns_enter_cgroup(const struct boot_config *cfg)
{
	const struct oci_namespace *ns = ns_get(cfg, CLONE_NEWCGROUP);
	if (!ns)
		return 0;
	if (ns->path)
		return join(ns);
	return unshare(CLONE_NEWCGROUP) < 0 ? boot_errorf(-errno, "unshare cgroup namespace") : 0;
}
