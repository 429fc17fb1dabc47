/* <root>/<id>: the container's state directory and files. */
#include "cli.h"
#include "boot/boot.h"
#include "control/statefile.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

bool state_id_valid(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 1024 || !strcmp(id, ".") || !strcmp(id, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

int state_dir(const struct cli_globals *g, const char *id, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", g->root, id);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* 0711: the app's init (maybe another user's root in a user namespace)
 * must reach the staging dir inside; nothing is listable. */
int state_create(const struct cli_globals *g, const char *id, char *dir, size_t len)
{
	int r = state_dir(g, id, dir, len);
	if (r < 0)
		return r;
	/* runc makes the whole path (containerd's shim: /run/containerd/runc/<ns>) */
	char parent[4096];
	snprintf(parent, sizeof parent, "%s", g->root);
	for (char *p = strchr(parent + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(parent, 0711) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(g->root, 0711) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(dir, 0711) < 0)
		return -errno;
	return 0;
}

static void unlink_in(const char *dir, const char *name, bool is_dir)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((is_dir ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
		fprintf(stderr, "burrow: remove %s: %s\n", path, strerror(errno));
}

/* What a writer killed between open and rename left (util.h's
 * write_file_atomic: NAME.PID.tmp). */
static void unlink_tmp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > 4 && !strcmp(e->d_name + n - 4, ".tmp") &&
		    (e->d_type == DT_REG || e->d_type == DT_UNKNOWN))
			unlink_in(dir, e->d_name, false);
	}
	if (d)
		closedir(d);
}

int state_remove(const char *dir)
{
	unlink_in(dir, "state.json", false);
	unlink_tmp_files(dir);
	unlink_in(dir, "gofer.log", false);
	unlink_in(dir, STATEFILE_EXIT, false);
	unlink_in(dir, BOOT_STAGING, true);
	return rmdir(dir) < 0 && errno != ENOENT ? -errno : 0;
}

static json_t *pids_json(const pid_t *p, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(p[i]));
	return a;
}

int state_write(const char *dir, const struct state_info *s)
{
	char stamp[64], path[4200];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *j = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:i, s:i, s:o, s:s, s:s, s:b}",
			      "ociVersion", "1.0.2", "id", s->id, "status", s->status, "pid",
			      (int)s->pid, "bundle", s->bundle, "rootfs", s->rootfs, "created", stamp,
			      "app_pid", (int)s->app_pid, "control_pid", (int)s->control_pid, "gofer_pids",
			      pids_json(s->gofer_pids, s->n_gofers), "cgroup",
			      s->cgroup ? s->cgroup : "", "file_access",
			      s->proxy ? "proxy" : "direct", "overlay", s->overlay);
	if (!j)
		return -ENOMEM;
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!text)
		return -ENOMEM;
	snprintf(path, sizeof path, "%s/state.json", dir);
	int r = write_file_atomic(path, text);
	free(text);
	return r;
}

int state_write_pid_file(const char *path, pid_t pid)
{
	char text[32];
	snprintf(text, sizeof text, "%d", (int)pid);
	return write_file_atomic(path, text);
}
