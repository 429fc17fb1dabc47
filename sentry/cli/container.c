/* A container as burrow's commands see it: <root>/<id>/state.json under
 * the directory's lock, and its status from whether the sentry and the
 * app still live (a pid is trusted only with its recorded start time). */
#include "lifecycle.h"
#include "control/statefile.h"
#include "pidwait.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Field 3 (state) and 22 (starttime) of /proc/<pid>/stat. */
static int proc_stat(pid_t pid, char *state, unsigned long long *start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd __cleanup_close = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	const char *rp = strrchr(buf, ')');
	if (!rp || sscanf(rp + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			  "%*d %*d %*d %*d %llu", state, start) != 2)
		return -EINVAL;
	return 0;
}

unsigned long long pid_start_time(pid_t pid)
{
	char st;
	unsigned long long start = 0;
	return pid > 0 && proc_stat(pid, &st, &start) == 0 ? start : 0;
}

bool pid_alive(pid_t pid, unsigned long long start)
{
	char st;
	unsigned long long t;
	if (pid <= 0 || proc_stat(pid, &st, &t) < 0)
		return false;
	return st != 'Z' && st != 'X' && (start == 0 || t == start);
}

bool pid_wait_dead(pid_t pid, unsigned long long start, int ms)
{
	if (!pid_alive(pid, start))
		return true;
	int r = pid_wait_exit(pid, ms);
	if (r >= 0)
		return r == 1 || !pid_alive(pid, start);
	for (int waited = 0; pid_alive(pid, start); waited += 10) {
		if (waited >= ms)
			return false;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	return true;
}

static unsigned long long get_u64(json_t *st, const char *key)
{
	json_t *v = json_object_get(st, key);
	return json_is_integer(v) && json_integer_value(v) > 0
		       ? (unsigned long long)json_integer_value(v) : 0;
}

static void compute_status(struct container *c)
{
	const char *st = json_string_value(json_object_get(c->state, "status"));
	bool sentry = pid_alive(c->sentry, get_u64(c->state, "sentry_start"));
	bool app = c->app > 0 ? pid_alive(c->app, get_u64(c->state, "app_start")) : sentry;
	if (!st)
		st = "stopped";
	if (!strcmp(st, "creating"))
		c->status = sentry ? "creating" : "stopped";
	else if (!sentry || !app)
		c->status = "stopped";
	else
		c->status = st;
}

int container_load(const struct cli_globals *g, const char *id, bool lock, struct container *c,
		   char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->id = id;
	c->lock_fd = -1;
	if (!state_id_valid(id))
		return snprintf(err, errlen, "invalid container id \"%s\"", id), -EINVAL;
	if (state_dir(g, id, c->dir, sizeof c->dir) < 0)
		return snprintf(err, errlen, "container id too long"), -ENAMETOOLONG;
	int fd = lock ? statefile_lock(c->dir, true)
		      : open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 && !lock)
		fd = -errno;
	int r = fd < 0 ? fd : statefile_read_at(fd, &c->state);
	if (r == -ENOENT || r == -ENOTDIR) {
		snprintf(err, errlen, "container \"%s\" does not exist", id);
	} else if (r < 0) {
		snprintf(err, errlen, "container \"%s\": %s%s", id, fd < 0 ? "" : "state.json: ",
			 strerror(-r));
	}
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r == -ENOTDIR ? -ENOENT : r;
	}
	int code;
	if (!json_object_get(c->state, "exitStatus") && statefile_read_exit(fd, &code) == 0)
		json_object_set_new(c->state, "exitStatus", json_integer(code));
	if (lock)
		c->lock_fd = fd;
	else
		close(fd);
	c->sentry = (pid_t)get_u64(c->state, "pid");
	c->app = (pid_t)get_u64(c->state, "app_pid");
	compute_status(c);
	return 0;
}

int container_open(const struct cli_globals *g, const char *id, bool lock, struct container *c)
{
	char err[1200];
	return container_load(g, id, lock, c, err, sizeof err) < 0 ? cli_fail("%s", err) : 0;
}

void container_close(struct container *c)
{
	json_decref(c->state);
	c->state = NULL;
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	c->lock_fd = -1;
}

int container_update(struct container *c, json_t *changes)
{
	if (!changes)
		return -ENOMEM;
	int r = json_object_update(c->state, changes) < 0 ? -ENOMEM : 0;
	json_decref(changes);
	if (r == 0)
		r = c->lock_fd >= 0 ? statefile_write_at(c->lock_fd, c->state) : -ENOLCK;
	if (r == 0)
		compute_status(c);
	return r;
}

static json_t *copy_or(json_t *st, const char *key, json_t *dflt)
{
	json_t *v = json_object_get(st, key);
	if (v) {
		json_decref(dflt);
		return json_incref(v);
	}
	return dflt;
}

static json_t *owner_name(json_t *st)
{
	json_t *v = json_object_get(st, "owner_uid");
	if (!json_is_integer(v))
		return json_string("");
	struct passwd *pw = getpwuid((uid_t)json_integer_value(v));
	if (pw)
		return json_string(pw->pw_name);
	char num[24];
	snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
	return json_string(num);
}

json_t *container_oci_state(const struct container *c)
{
	bool live = strcmp(c->status, "stopped") != 0;
	json_t *o = json_pack("{s:o, s:s, s:i, s:s, s:o, s:o, s:o, s:o}", "ociVersion",
			      copy_or(c->state, "ociVersion", json_string("1.0.2")), "id", c->id,
			      "pid", live ? (int)(c->app > 0 ? c->app : c->sentry) : 0, "status",
			      c->status, "bundle", copy_or(c->state, "bundle", json_string("")),
			      "rootfs", copy_or(c->state, "rootfs", json_string("")), "created",
			      copy_or(c->state, "created", json_string("")), "owner",
			      owner_name(c->state));
	json_t *ann = json_object_get(c->state, "annotations");
	if (o && json_is_object(ann) && json_object_size(ann))
		json_object_set(o, "annotations", ann);
	return o;
}

int one_id(int argc, char **argv, const char *cmd, const char **id)
{
	if (argc - optind != 1)
		return cli_fail("%s: expected exactly one container id", cmd);
	*id = argv[optind];
	return 0;
}
