/* The control server's view of the container's cgroup (cgroups.h). */
#include "cgroups.h"
#include "boot/cgroup.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CG_ROOT "/sys/fs/cgroup"

static const char *const v1_names[CGX_N] = { "memory", "pids", "cpuacct" };

void srv_cgroup_init(struct srv_cgroup *cg)
{
	memset(cg, 0, sizeof *cg);
	for (int i = 0; i < CGX_N; i++)
		cg->dir[i] = cg->procs[i] = -1;
}

static int mkdir_parents(char *path)
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

static int write_pid(int dirfd, pid_t pid)
{
	int fd __cleanup_close = openat(dirfd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char v[24];
	int n = snprintf(v, sizeof v, "%d", (int)pid);
	return write(fd, v, (size_t)n) == n ? 0 : -errno;
}

/* v1 cpuacct: a group of our own beside the sentry's memory and pids. */
static int make_cpuacct(struct srv_cgroup *cg, const char *rel, pid_t app)
{
	if (access(CG_ROOT "/cpuacct", W_OK) < 0)
		return 0;
	char path[4096];
	int n = snprintf(path, sizeof path, CG_ROOT "/cpuacct%s", rel);
	if (n < 0 || (size_t)n >= sizeof path)
		return -ENAMETOOLONG;
	int r = mkdir_parents(path);
	if (r < 0)
		return r;
	snprintf(cg->made, sizeof cg->made, "%s", path);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	cg->dir[CGX_CPUACCT] = fd;
	return write_pid(fd, app);
}

static void open_procs(struct srv_cgroup *cg, int i)
{
	if (cg->dir[i] >= 0)
		cg->procs[i] = openat(cg->dir[i], "cgroup.procs", O_WRONLY | O_CLOEXEC);
}

int srv_cgroup_open(struct srv_cgroup *cg, const struct oci_spec *spec, const char *id,
		    pid_t app)
{
	char rel[2048], path[4096];
	if (cgroup_rel_path(spec, id, rel, sizeof rel) < 0)
		return 0;   /* the sentry refused it already, or there is none */
	cg->v2 = cgroup_is_v2();
	if (cg->v2) {
		snprintf(path, sizeof path, CG_ROOT "%s", rel);
		cg->dir[CGX_MEMORY] = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		open_procs(cg, CGX_MEMORY);
		return 0;
	}
	for (int i = CGX_MEMORY; i <= CGX_PIDS; i++) {
		snprintf(path, sizeof path, CG_ROOT "/%s%s", v1_names[i], rel);
		cg->dir[i] = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	int r = make_cpuacct(cg, rel, app);
	if (r < 0)
		log_warn("cgroup: cpuacct for %s: %s (no cpu stats)", id, strerror(-r));
	for (int i = 0; i < CGX_N; i++)
		open_procs(cg, i);
	return 0;
}

int srv_cgroup_dir(const struct srv_cgroup *cg, int which)
{
	return cg->v2 ? cg->dir[CGX_MEMORY] : cg->dir[which];
}

int srv_cgroup_join(const struct srv_cgroup *cg)
{
	for (int i = 0; i < CGX_N; i++)
		if (cg->procs[i] >= 0 && write(cg->procs[i], "0", 1) != 1)
			return -errno;
	return 0;
}

int srv_cgroup_pids(const struct srv_cgroup *cg, pid_t **out, size_t *n)
{
	int dir = cg->dir[CGX_PIDS] >= 0 ? cg->dir[CGX_PIDS] : cg->dir[CGX_MEMORY];
	*out = NULL;
	*n = 0;
	if (dir < 0)
		return -ENOENT;
	int fd = openat(dir, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	FILE *f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	size_t cap = 0;
	int pid, r = 0;
	while (fscanf(f, "%d", &pid) == 1) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			pid_t *p = realloc(*out, cap * sizeof *p);
			if (!p) {
				r = -ENOMEM;
				break;
			}
			*out = p;
		}
		(*out)[(*n)++] = pid;
	}
	fclose(f);
	return r;
}

static void rmdir_wait(const char *path)
{
	/* The last tasks of a killed pid namespace may still be exiting. */
	for (int i = 0; i < 100; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return;
		if (errno != EBUSY)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	log_debug("cgroup: cannot remove %s: %m", path);
}

void srv_cgroup_close(struct srv_cgroup *cg)
{
	for (int i = 0; i < CGX_N; i++) {
		if (cg->procs[i] >= 0)
			close(cg->procs[i]);
		if (cg->dir[i] >= 0)
			close(cg->dir[i]);
		cg->procs[i] = cg->dir[i] = -1;
	}
	if (cg->made[0])
		rmdir_wait(cg->made);
	cg->made[0] = '\0';
}

void srv_cgroup_remove_cpuacct(const char *rel)
{
	char path[4096];
	if (!rel || rel[0] != '/' || strstr(rel, "/../") || strstr(rel, "/.."))
		return;
	snprintf(path, sizeof path, CG_ROOT "/cpuacct%s", rel);
	rmdir_wait(path);
}
