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
#include <unistd.h>

static const char *const v1_names[CGX_N] = { "memory", "pids", "cpuacct", "devices" };

void srv_cgroup_init(struct srv_cgroup *cg)
{
	memset(cg, 0, sizeof *cg);
	for (int i = 0; i < CGX_N; i++)
		cg->dir[i] = cg->procs[i] = -1;
}

static void open_procs(struct srv_cgroup *cg, int i)
{
	if (cg->dir[i] >= 0)
		cg->procs[i] = openat(cg->dir[i], "cgroup.procs", O_WRONLY | O_CLOEXEC);
}

int srv_cgroup_open(struct srv_cgroup *cg, const struct oci_spec *spec, const char *id)
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
	for (int i = 0; i < CGX_N; i++) {
		snprintf(path, sizeof path, CG_ROOT "/%s%s", v1_names[i], rel);
		cg->dir[i] = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		open_procs(cg, i);
	}
	if (cg->dir[CGX_CPUACCT] < 0)
		log_debug("cgroup: no cpuacct group for %s: no cpu stats", id);
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

void srv_cgroup_close(struct srv_cgroup *cg)
{
	for (int i = 0; i < CGX_N; i++) {
		if (cg->procs[i] >= 0)
			close(cg->procs[i]);
		if (cg->dir[i] >= 0)
			close(cg->dir[i]);
		cg->procs[i] = cg->dir[i] = -1;
	}
}
