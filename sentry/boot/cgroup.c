/* cgroup v1 / v2 for memory and pids, v1 for devices (see cgroup.h). */
#include "cgroup.h"
#include "boot.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

/* cpuacct: no limits, but the cpu figures of `burrow events` (sentry/control). */
static const char *const v1_controllers[] = { "memory", "pids", "cpuacct", "devices" };

/* What every container may use whatever its spec says (runc's list): mknod
 * of any node, and the devices the sandbox's /dev holds. */
static const char *const default_devices[] = {
	"c *:* m", "b *:* m",
	"c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", /* null zero full random urandom */
	"c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm",            /* tty console ptmx pts */
};

bool cgroup_is_v2(void)
{
	struct statfs sf;
	return statfs(CG_ROOT, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

int cgroup_rel_path(const struct oci_spec *spec, const char *id, char *out, size_t len)
{
	const char *p = spec->linux_.cgroups_path;
	int n;
	if (p && *p)
		n = snprintf(out, len, "%s%s", p[0] == '/' ? "" : "/", p);
	else
		n = snprintf(out, len, "/burrow/%s", id);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	/* systemd's "slice:prefix:name" form is not a path. */
	if (strchr(out, ':'))
		return -EINVAL;
	return 0;
}

static bool wants_limits(const struct oci_spec *spec)
{
	const struct oci_resources *r = &spec->linux_.resources;
	return r->has_memory_limit || r->has_memory_swap || r->has_memory_reservation ||
	       r->has_pids_limit;
}

/* The directories of the container's cgroup: one per v1 controller that
 * is mounted here, or the one v2 directory. */
static size_t cgroup_dirs(const struct oci_spec *spec, const char *id, char dirs[][4096])
{
	char rel[2048];
	if (cgroup_rel_path(spec, id, rel, sizeof rel) < 0)
		return 0;
	if (cgroup_is_v2()) {
		snprintf(dirs[0], 4096, CG_ROOT "%s", rel);
		return 1;
	}
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(v1_controllers); i++) {
		char top[256];
		snprintf(top, sizeof top, CG_ROOT "/%s", v1_controllers[i]);
		if (access(top, W_OK) == 0)
			snprintf(dirs[n++], 4096, "%s%s", top, rel);
	}
	return n;
}

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int r = mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
		*p = '/';
		if (r < 0)
			return r;
	}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static int write_at(const char *dir, const char *file, const char *value)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	int fd __cleanup_close = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return write_full(fd, value, strlen(value));
}

static void fmt_limit(char *buf, size_t len, int64_t v, const char *unlimited)
{
	if (v < 0)
		snprintf(buf, len, "%s", unlimited);
	else
		snprintf(buf, len, "%" PRId64, v);
}

static int set_one(const char *dir, const char *file, int64_t v, const char *unlimited,
		   const char *field)
{
	char val[32];
	fmt_limit(val, sizeof val, v, unlimited);
	int r = write_at(dir, file, val);
	if (r == -ENOENT)
		return boot_errorf(r, "%s: %s is not available on this host", field, file);
	return r < 0 ? boot_errorf(r, "%s: write %s to %s", field, val, file) : 0;
}

static void fmt_dev_num(char *buf, size_t len, int64_t v)
{
	if (v < 0)
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%" PRId64, v);
}

/* The spec's rules in order, then the defaults.  v1 only: v2 has no
 * device files (it takes an eBPF program, not built). */
static int devices_v1(const char *dir, const struct oci_resources *res)
{
	char rule[64], maj[24], min[24], field[64];
	int r;
	for (size_t i = 0; i < res->n_devices; i++) {
		const struct oci_device_rule *d = &res->devices[i];
		const char *file = d->allow ? "devices.allow" : "devices.deny";
		if (d->type == 'a') {
			snprintf(rule, sizeof rule, "a");
		} else {
			fmt_dev_num(maj, sizeof maj, d->major);
			fmt_dev_num(min, sizeof min, d->minor);
			snprintf(rule, sizeof rule, "%c %s:%s %s", d->type, maj, min, d->access);
		}
		if ((r = write_at(dir, file, rule)) < 0) {
			snprintf(field, sizeof field, "linux.resources.devices[%zu]", i);
			return boot_errorf(r, "%s: write \"%s\" to %s", field, rule, file);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++)
		if ((r = write_at(dir, "devices.allow", default_devices[i])) < 0)
			return boot_errorf(r, "cgroup: allow the default device \"%s\"",
					   default_devices[i]);
	return 0;
}

static int limits_v1(const char *dir, const struct oci_resources *res)
{
	int r = 0;
	if (strstr(dir, CG_ROOT "/memory/")) {
		if (res->has_memory_limit)
			r = set_one(dir, "memory.limit_in_bytes", res->memory_limit, "-1",
				    "linux.resources.memory.limit");
		if (r == 0 && res->has_memory_swap)
			r = set_one(dir, "memory.memsw.limit_in_bytes", res->memory_swap, "-1",
				    "linux.resources.memory.swap");
		if (r == 0 && res->has_memory_reservation)
			r = set_one(dir, "memory.soft_limit_in_bytes", res->memory_reservation, "-1",
				    "linux.resources.memory.reservation");
	}
	if (r == 0 && strstr(dir, CG_ROOT "/pids/") && res->has_pids_limit)
		r = set_one(dir, "pids.max", res->pids_limit > 0 ? res->pids_limit : -1, "max",
			    "linux.resources.pids.limit");
	if (r == 0 && strstr(dir, CG_ROOT "/devices/") && res->n_devices)
		r = devices_v1(dir, res);
	return r;
}

/* v2 needs the controllers enabled in every ancestor's subtree_control. */
static void enable_v2_controllers(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s", dir);
	for (char *p = path + strlen(CG_ROOT); p && *p; p = strchr(p + 1, '/')) {
		char saved = *p;
		*p = '\0';
		if (write_at(path, "cgroup.subtree_control", "+memory +pids") < 0)
			log_debug("cgroup: enabling memory and pids below %s failed", path);
		*p = saved;
	}
}

static int limits_v2(const char *dir, const struct oci_resources *res)
{
	int r = 0;
	if (res->n_devices)
		log_debug("cgroup v2: linux.resources.devices not enforced (no eBPF program)");
	if (res->has_memory_limit)
		r = set_one(dir, "memory.max", res->memory_limit, "max",
			    "linux.resources.memory.limit");
	/* OCI's swap is memory + swap; v2 counts swap alone. */
	if (r == 0 && res->has_memory_swap) {
		int64_t swap = res->memory_swap;
		if (swap > 0 && res->has_memory_limit && res->memory_limit > 0)
			swap -= res->memory_limit;
		r = set_one(dir, "memory.swap.max", swap, "max", "linux.resources.memory.swap");
	}
	if (r == 0 && res->has_memory_reservation)
		r = set_one(dir, "memory.low", res->memory_reservation, "max",
			    "linux.resources.memory.reservation");
	if (r == 0 && res->has_pids_limit)
		r = set_one(dir, "pids.max", res->pids_limit > 0 ? res->pids_limit : -1, "max",
			    "linux.resources.pids.limit");
	return r;
}

int cgroup_create(const struct oci_spec *spec, const char *id)
{
	char dirs[ARRAY_SIZE(v1_controllers)][4096], rel[2048];
	int r = cgroup_rel_path(spec, id, rel, sizeof rel);
	if (r < 0)
		return boot_errorf(r, "linux.cgroupsPath: not a cgroup path (systemd cgroups "
				   "are not supported)");
	size_t n = cgroup_dirs(spec, id, dirs);
	if (n == 0) {
		if (wants_limits(spec))
			return boot_errorf(-ENOTSUP, "linux.resources: no writable memory/pids "
					   "cgroup hierarchy on this host");
		return 0;
	}
	bool v2 = cgroup_is_v2();
	for (size_t i = 0; i < n; i++) {
		if (v2)
			enable_v2_controllers(dirs[i]);
		if ((r = mkdir_p(dirs[i])) < 0)
			r = boot_errorf(r, "cgroup: create %s", dirs[i]);
		else
			r = v2 ? limits_v2(dirs[i], &spec->linux_.resources)
			       : limits_v1(dirs[i], &spec->linux_.resources);
		if (r < 0) {
			cgroup_destroy(spec, id);
			return r;
		}
	}
	return 0;
}

int cgroup_enter(const struct oci_spec *spec, const char *id, pid_t pid)
{
	char dirs[ARRAY_SIZE(v1_controllers)][4096], val[32];
	size_t n = cgroup_dirs(spec, id, dirs);
	snprintf(val, sizeof val, "%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		int r = write_at(dirs[i], "cgroup.procs", val);
		if (r < 0)
			return boot_errorf(r, "cgroup: move the app into %s", dirs[i]);
	}
	return 0;
}

int cgroup_destroy(const struct oci_spec *spec, const char *id)
{
	char dirs[ARRAY_SIZE(v1_controllers)][4096];
	size_t n = cgroup_dirs(spec, id, dirs);
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		/* The last tasks of a killed pid namespace may still be exiting. */
		for (int tries = 0; tries < 100; tries++) {
			if (rmdir(dirs[i]) == 0 || errno == ENOENT)
				break;
			if (errno != EBUSY) {
				ret = -errno;
				break;
			}
			nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
		}
	}
	return ret;
}
