/* The container's processes: those in the app's pid namespace (when it
 * has its own), else those in its cgroup; application.Processes. */
#include "srv.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool in_pidns(const struct srv *s, pid_t pid)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)pid);
	return stat(path, &st) == 0 && st.st_dev == s->pidns_dev && st.st_ino == s->pidns_ino;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static int scan_pidns(struct srv *s, pid_t **out, size_t *n)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	size_t cap = 0;
	struct dirent *e;
	int r = 0;
	while ((e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid_t pid = (pid_t)atoi(e->d_name);
		if (!in_pidns(s, pid))
			continue;
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
	closedir(d);
	return r;
}

int procs_list(struct srv *s, pid_t **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int r = s->own_pidns ? scan_pidns(s, out, n) : srv_cgroup_pids(&s->cg, out, n);
	if (r == -ENOENT && !s->own_pidns) {
		/* No cgroup and the host's pid namespace: the app alone. */
		*out = malloc(sizeof **out);
		if (!*out)
			return -ENOMEM;
		(*out)[0] = s->app;
		*n = 1;
		return 0;
	}
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return r;
	}
	if (*n)
		qsort(*out, *n, sizeof **out, cmp_pid);
	return 0;
}

bool procs_in_container(struct srv *s, pid_t pid)
{
	if (pid <= 0)
		return false;
	if (s->own_pidns)
		return in_pidns(s, pid);
	pid_t *pids;
	size_t n;
	bool found = false;
	if (procs_list(s, &pids, &n) < 0)
		return false;
	for (size_t i = 0; i < n && !found; i++)
		found = pids[i] == pid;
	free(pids);
	return found;
}

static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd __cleanup_close = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

/* The command line with spaces, or "[comm]" for kernel-ish processes. */
static void cmdline_of(pid_t pid, const char *comm, char *out, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	ssize_t n = read_small(path, out, len);
	if (n <= 0) {
		snprintf(out, len, "[%s]", comm);
		return;
	}
	for (ssize_t i = 0; i < n - 1; i++)
		if (out[i] == '\0')
			out[i] = ' ';
}

/* The uid and the pid inside the container, from /proc/N/status. */
static void status_of(pid_t pid, long *uid, long *nspid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	*uid = -1;
	*nspid = pid;
	if (read_small(path, buf, sizeof buf) <= 0)
		return;
	char *p = strstr(buf, "\nUid:");
	if (p)
		*uid = strtol(p + 5, NULL, 10);
	p = strstr(buf, "\nNSpid:");
	if (p) {
		char *end = strchr(p + 1, '\n');
		if (end)
			*end = '\0';
		char *last = strrchr(p, '\t');
		if (last)
			*nspid = strtol(last + 1, NULL, 10);
	}
}

static long long boot_time(void)
{
	char buf[8192];
	if (read_small("/proc/stat", buf, sizeof buf) <= 0)
		return 0;
	char *p = strstr(buf, "\nbtime ");
	return p ? strtoll(p + 7, NULL, 10) : 0;
}

static json_t *process_json(pid_t pid, long long btime, long hz)
{
	char path[64], stat_line[1024], comm[64] = "?", cmd[4096];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (read_small(path, stat_line, sizeof stat_line) <= 0)
		return NULL;
	char *lp = strchr(stat_line, '('), *rp = strrchr(stat_line, ')');
	if (!lp || !rp || rp < lp)
		return NULL;
	snprintf(comm, sizeof comm, "%.*s", (int)(rp - lp - 1), lp + 1);
	char state = '?';
	long ppid = 0, tty = 0;
	unsigned long long ut = 0, st = 0, start = 0;
	if (sscanf(rp + 2, "%c %ld %*d %*d %ld %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d "
		   "%*d %*d %*d %llu", &state, &ppid, &tty, &ut, &st, &start) != 6)
		return NULL;
	long uid, nspid;
	status_of(pid, &uid, &nspid);
	cmdline_of(pid, comm, cmd, sizeof cmd);
	return json_pack("{s:i, s:i, s:i, s:I, s:s%, s:i, s:I, s:I, s:s}", "pid", (int)pid,
			 "ppid", (int)ppid, "nspid", (int)nspid, "uid", (json_int_t)uid, "state",
			 &state, (size_t)1, "tty", (int)tty, "started",
			 (json_int_t)(btime + (long long)(start / (unsigned long long)hz)),
			 "cpu_seconds", (json_int_t)((ut + st) / (unsigned long long)hz), "cmd", cmd);
}

void m_processes(struct conn *c, json_t *params, int *fds, size_t n_fds)
{
	struct srv *s = c->s;
	(void)params;
	wire_close_fds(fds, n_fds);
	pid_t *pids;
	size_t n;
	int r = procs_list(s, &pids, &n);
	if (r < 0) {
		conn_error(c, "Processes: %s", strerror(-r));
		return;
	}
	long long btime = boot_time();
	long hz = sysconf(_SC_CLK_TCK);
	if (hz <= 0)
		hz = 100;
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++) {
		json_t *p = process_json(pids[i], btime, hz);
		if (p)   /* gone meanwhile: skip it */
			json_array_append_new(list, p);
	}
	free(pids);
	if (!list) {
		conn_error(c, "Processes: out of memory");
		return;
	}
	conn_reply(c, json_pack("{s:o}", "processes", list), NULL, 0);
}
