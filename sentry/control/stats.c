/* application.Event: runc's stats event from the container's cgroup,
 *   {"type":"stats","id":ID,"data":{"cpu":{...},"memory":{...},"pids":{...}}}
 * v1: memory, pids and cpuacct hierarchies; v2: the one directory.
 * jansson's integers are signed: "unlimited" is reported as INT64_MAX. */
#include "srv.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ssize_t read_at(int dir, const char *file, char *buf, size_t len)
{
	if (dir < 0)
		return -ENOENT;
	int fd __cleanup_close = openat(dir, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t got = 0;
	while (got < len - 1) {
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

static json_int_t clamp(unsigned long long v)
{
	return v > INT64_MAX ? INT64_MAX : (json_int_t)v;
}

/* One number; "max" is unlimited.  Absent files leave *v alone. */
static bool read_num(int dir, const char *file, json_int_t *v)
{
	char buf[64];
	if (read_at(dir, file, buf, sizeof buf) <= 0)
		return false;
	if (strncmp(buf, "max", 3) == 0) {
		*v = INT64_MAX;
		return true;
	}
	*v = clamp(strtoull(buf, NULL, 10));
	return true;
}

/* "key value" lines into an object; *get(key) afterwards. */
static json_t *read_keyed(int dir, const char *file)
{
	static char buf[16384];
	json_t *o = json_object();
	if (!o || read_at(dir, file, buf, sizeof buf) <= 0)
		return o;
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		json_object_set_new(o, line, json_integer(clamp(strtoull(sp + 1, NULL, 10))));
	}
	return o;
}

static json_int_t keyed(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static json_t *entry(int dir, const char *usage, const char *max, const char *limit,
		     const char *failcnt)
{
	json_int_t u = 0, m = 0, l = 0, f = 0;
	read_num(dir, usage, &u);
	if (max)
		read_num(dir, max, &m);
	read_num(dir, limit, &l);
	if (failcnt)
		read_num(dir, failcnt, &f);
	return json_pack("{s:I, s:I, s:I, s:I}", "usage", u, "max", m, "limit", l, "failcnt", f);
}

static json_t *memory_v1(int dir)
{
	json_t *raw = read_keyed(dir, "memory.stat");
	return json_pack("{s:I, s:o, s:o, s:o, s:o}", "cache", keyed(raw, "cache"), "usage",
			 entry(dir, "memory.usage_in_bytes", "memory.max_usage_in_bytes",
			       "memory.limit_in_bytes", "memory.failcnt"),
			 "swap",
			 entry(dir, "memory.memsw.usage_in_bytes", "memory.memsw.max_usage_in_bytes",
			       "memory.memsw.limit_in_bytes", "memory.memsw.failcnt"),
			 "kernel",
			 entry(dir, "memory.kmem.usage_in_bytes", "memory.kmem.max_usage_in_bytes",
			       "memory.kmem.limit_in_bytes", "memory.kmem.failcnt"),
			 "raw", raw);
}

static json_t *memory_v2(int dir)
{
	json_t *raw = read_keyed(dir, "memory.stat");
	json_t *events = read_keyed(dir, "memory.events");
	json_t *usage = entry(dir, "memory.current", "memory.peak", "memory.max", NULL);
	json_object_set_new(usage, "failcnt", json_integer(keyed(events, "max")));
	json_decref(events);
	return json_pack("{s:I, s:o, s:o, s:o}", "cache", keyed(raw, "file"), "usage", usage,
			 "swap", entry(dir, "memory.swap.current", "memory.swap.peak",
				       "memory.swap.max", NULL),
			 "raw", raw);
}

static json_t *percpu(int dir)
{
	char buf[8192];
	json_t *a = json_array();
	if (!a || read_at(dir, "cpuacct.usage_percpu", buf, sizeof buf) <= 0)
		return a;
	char *p = buf, *end;
	for (unsigned long long v = strtoull(p, &end, 10); end != p; v = strtoull(p, &end, 10)) {
		json_array_append_new(a, json_integer(clamp(v)));
		p = end;
	}
	return a;
}

static json_t *cpu_v1(int dir)
{
	json_int_t total = 0;
	read_num(dir, "cpuacct.usage", &total);
	json_t *st = read_keyed(dir, "cpuacct.stat");
	long hz = sysconf(_SC_CLK_TCK);
	json_int_t ns_per_tick = 1000000000 / (hz > 0 ? hz : 100);
	json_t *cpu = json_pack("{s:{s:I, s:o, s:I, s:I}, s:{}}", "usage", "total", total,
				"percpu", percpu(dir), "kernel", keyed(st, "system") * ns_per_tick,
				"user", keyed(st, "user") * ns_per_tick, "throttling");
	json_decref(st);
	return cpu;
}

static json_t *cpu_v2(int dir)
{
	json_t *st = read_keyed(dir, "cpu.stat");
	json_t *cpu = json_pack("{s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}}", "usage", "total",
				keyed(st, "usage_usec") * 1000, "kernel",
				keyed(st, "system_usec") * 1000, "user", keyed(st, "user_usec") * 1000,
				"throttling", "periods", keyed(st, "nr_periods"), "throttledPeriods",
				keyed(st, "nr_throttled"), "throttledTime",
				keyed(st, "throttled_usec") * 1000);
	json_decref(st);
	return cpu;
}

static json_t *pids_stats(int dir)
{
	json_int_t cur = 0, lim = 0;
	read_num(dir, "pids.current", &cur);
	/* runc reports "max" as 0: no limit */
	if (read_num(dir, "pids.max", &lim) && lim == INT64_MAX)
		lim = 0;
	return json_pack("{s:I, s:I}", "current", cur, "limit", lim);
}

json_t *stats_event(struct srv *s)
{
	const struct srv_cgroup *cg = &s->cg;
	int mem = srv_cgroup_dir(cg, CGX_MEMORY), pids = srv_cgroup_dir(cg, CGX_PIDS);
	int cpu = srv_cgroup_dir(cg, CGX_CPUACCT);
	json_t *data = json_pack("{s:o, s:o, s:o, s:{}, s:{}}", "cpu",
				 cg->v2 ? cpu_v2(cpu) : cpu_v1(cpu), "memory",
				 cg->v2 ? memory_v2(mem) : memory_v1(mem), "pids", pids_stats(pids),
				 "blkio", "hugetlb");
	return json_pack("{s:s, s:s, s:o}", "type", "stats", "id", s->id, "data", data);
}

void m_event(struct conn *c, json_t *params, int *fds, size_t n_fds)
{
	(void)params;
	wire_close_fds(fds, n_fds);
	if (c->s->app_exited) {
		conn_error(c, "container not running");
		return;
	}
	json_t *ev = stats_event(c->s);
	if (!ev) {
		conn_error(c, "Event: out of memory");
		return;
	}
	conn_reply(c, ev, NULL, 0);
}
