/* p9load: drive a 9P2000.L server with N connections x T threads for a
 * fixed time and print the rate.
 *
 *   p9load -a ADDR -w WORKLOAD [-c CONNS] [-t THREADS] [-d SECS] [-W SECS]
 *          [-A ANAME] [-u UNAME] [-U N_UNAME] [-m MSIZE] [-b BLOCK]
 *          [-D DIR] [-s BIG_MIB] [-r WRAP_MIB] [-x auto|unlinkat|remove]
 *          [-P SERVER_PID]
 *
 * Workloads (see p9load_work.c): walk (walk+getattr+clunk), create
 * (lcreate+write 4 KiB+clunk, then unlinkat or walk+remove: -x; auto
 * falls back to walk+remove when the server lacks Tunlinkat), randread (4 KiB at random offsets
 * of a fixture), seqread and seqwrite (BLOCK-sized I/O, default 1 MiB).
 * Every connection has its own client (and reader thread); each of its T
 * threads issues one request at a time.  After a warm-up the counters are
 * sampled over the measured interval.  With -P (a server on this machine)
 * the server's CPU time over the same interval is sampled from /proc: CPU
 * per operation does not depend on what else the machine runs, unlike the
 * rates.  Output, one line:
 *   p9load workload=W conns=C threads=T msize=M secs=S ops=N ops_s=R mb_s=B
 *          errors=E unlink=unlinkat|remove client_us_op=U server_us_op=U
 * (-1 when unknown)
 * Exit 0, or 1 when anything failed (the first error is printed). */
#include "p9load.h"
#include "addr.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024u * 1024u)

static atomic_bool stop_flag;

/* The start line: workers report ready after their set-up and wait for go,
 * so set-up time never counts. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t ready;
	bool go;
} gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false };

static void gate_arrive(void)
{
	pthread_mutex_lock(&gate.lock);
	gate.ready++;
	pthread_cond_broadcast(&gate.cond);
	while (!gate.go)
		pthread_cond_wait(&gate.cond, &gate.lock);
	pthread_mutex_unlock(&gate.lock);
}

static void gate_open_when(uint32_t ready)
{
	pthread_mutex_lock(&gate.lock);
	while (gate.ready < ready)
		pthread_cond_wait(&gate.cond, &gate.lock);
	gate.go = true;
	pthread_cond_broadcast(&gate.cond);
	pthread_mutex_unlock(&gate.lock);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: p9load -a ADDR -w WORKLOAD [-c CONNS] [-t THREADS] [-d SECS] [-W SECS]\n"
		   "              [-A ANAME] [-u UNAME] [-U N_UNAME] [-m MSIZE] [-b BLOCK]\n"
		   "              [-D DIR] [-s BIG_MIB] [-r WRAP_MIB] [-x auto|unlinkat|remove]\n"
		   "              [-P SERVER_PID]\n"
		   "workloads: %s\n", p9load_names());
}

static int parse_num(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *s == '\0' || *s == '-' || *end != '\0' || v == 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_secs(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *s == '\0' || *end != '\0' || !(v >= 0.0 && v <= 3600.0))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_u32_opt(const char *s, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	int rc = parse_num(s, max, &v);
	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

static int parse_mib(const char *s, uint64_t *out)
{
	unsigned long long v;
	int rc = parse_num(s, 1u << 20, &v);
	if (rc == 0)
		*out = v * MIB;
	return rc;
}

static int parse_unlink(const char *s, enum p9load_unlink *out)
{
	static const char *const names[] = { "auto", "unlinkat", "remove" };
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		if (strcmp(s, names[k]) == 0) {
			*out = (enum p9load_unlink)k;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_pid(const char *s, pid_t *out)
{
	unsigned long long v;
	int rc = parse_num(s, INT32_MAX, &v);
	if (rc == 0)
		*out = (pid_t)v;
	return rc;
}

static int parse_opt(int opt, const char *arg, struct p9load_opts *o)
{
	switch (opt) {
	case 'x': return parse_unlink(arg, &o->unlink_mode);
	case 'P': return parse_pid(arg, &o->server_pid);
	case 'a': o->addr = arg; return 0;
	case 'w': o->workload = arg; return 0;
	case 'A': o->aname = arg; return 0;
	case 'u': o->uname = arg; return 0;
	case 'D': o->dir = arg; return 0;
	case 'c': return parse_u32_opt(arg, 1024, &o->conns);
	case 't': return parse_u32_opt(arg, 256, &o->threads);
	case 'U': return parse_u32_opt(arg, UINT32_MAX - 1, &o->n_uname);
	case 'm': return parse_u32_opt(arg, P9_MAX_MSIZE, &o->msize);
	case 'b': return parse_u32_opt(arg, P9_MAX_MSIZE, &o->block);
	case 'd': return parse_secs(arg, &o->secs);
	case 'W': return parse_secs(arg, &o->warmup);
	case 's': return parse_mib(arg, &o->big_size);
	case 'r': return parse_mib(arg, &o->wrap);
	default: return -EINVAL;
	}
}

static int parse_args(int argc, char **argv, struct p9load_opts *o)
{
	*o = (struct p9load_opts){
		.aname = "", .uname = "root", .dir = "p9load", .n_uname = (uint32_t)geteuid(),
		.conns = 1, .threads = 1, .msize = MIB + P9_IOHDRSZ, .block = MIB,
		.secs = 5.0, .warmup = 1.0, .big_size = 256ull * MIB, .wrap = 64ull * MIB,
	};
	int opt;
	while ((opt = getopt(argc, argv, "a:w:A:u:D:c:t:U:m:b:d:W:s:r:x:P:h")) != -1) {
		if (opt == 'h') {
			usage(stdout);
			exit(0);
		}
		if (parse_opt(opt, optarg, o) < 0) {
			fprintf(stderr, "p9load: bad value for -%c: '%s'\n", opt, optarg ? optarg : "");
			return -EINVAL;
		}
	}
	if (optind != argc || !o->addr || !o->workload || o->secs <= 0.0) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* ---- connections ---- */

static int conn_open(const struct p9load_opts *o, struct p9load_conn *cn)
{
	int fd = addr_connect(o->addr);
	if (fd < 0)
		return fd;
	int rc = p9_client_new(fd, o->msize, &cn->c);   /* owns fd */
	if (rc < 0)
		return rc;
	rc = p9_fid_alloc(cn->c, &cn->root);
	if (rc == 0)
		rc = p9_attach(cn->c, cn->root, o->uname, o->aname, o->n_uname, NULL);
	if (rc < 0) {
		p9_client_free(cn->c);
		cn->c = NULL;
	}
	return rc;
}

static void conn_close(struct p9load_conn *cn)
{
	if (!cn->c)
		return;
	p9_clunk(cn->c, cn->root);
	p9_client_free(cn->c);
	cn->c = NULL;
}

static int conns_open(const struct p9load_opts *o, struct p9load_conn *cns)
{
	for (uint32_t k = 0; k < o->conns; k++) {
		int rc = conn_open(o, &cns[k]);
		if (rc < 0) {
			fprintf(stderr, "p9load: connection %u to %s: %s\n", k, o->addr, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* ---- workers ---- */

struct run {
	const struct p9load_workload *wl;
	struct p9load_worker *ws;
	uint32_t n;
};

static const struct p9load_workload *current;

static void *worker_main(void *arg)
{
	struct p9load_worker *w = arg;
	int ok = current->setup(w) == 0;
	/* everyone reaches the line, ready or not, so the driver never hangs */
	gate_arrive();
	while (ok && !atomic_load_explicit(&stop_flag, memory_order_relaxed)) {
		if (current->step(w) < 0) {
			atomic_store(&stop_flag, true);   /* one failure ends the run */
			break;
		}
		atomic_fetch_add_explicit(&w->ops, 1, memory_order_relaxed);
	}
	current->teardown(w);
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep s seconds, or less once a worker has failed (the run is over). */
static void sleep_secs(double s)
{
	double end = now() + s;
	for (double left = s; left > 0 && !atomic_load(&stop_flag); left = end - now()) {
		double step = left < 0.05 ? left : 0.05;
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)(step * 1e9) };
		nanosleep(&ts, NULL);
	}
}

/* Counters, clock and CPU time at one instant. */
struct snap {
	uint64_t ops, bytes;
	double t, own_cpu, srv_cpu;   /* seconds; srv_cpu < 0: unknown */
};

/* utime + stime of a process (all its threads), in seconds; -1 if unknown. */
static double proc_cpu(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1.0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');   /* comm may hold spaces */
	unsigned long long ut, st;
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1.0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double own_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sample(const struct run *r, pid_t server, struct snap *s)
{
	s->ops = s->bytes = 0;
	for (uint32_t k = 0; k < r->n; k++) {
		s->ops += atomic_load_explicit(&r->ws[k].ops, memory_order_relaxed);
		s->bytes += atomic_load_explicit(&r->ws[k].bytes, memory_order_relaxed);
	}
	s->t = now();
	s->own_cpu = own_cpu();
	s->srv_cpu = server > 0 ? proc_cpu(server) : -1.0;
}

/* Start every worker, let them warm up, measure, stop, join.  *d is the
 * difference between the samples around the measured interval. */
static int measure(const struct p9load_opts *o, struct run *r, struct snap *d)
{
	uint32_t started = 0;
	int rc = 0;
	for (; started < r->n && rc == 0; started++)
		rc = -pthread_create(&r->ws[started].thread, NULL, worker_main, &r->ws[started]);
	if (rc < 0) {
		started--;
		atomic_store(&stop_flag, true);
	}
	gate_open_when(started);
	struct snap a, b;
	sample(r, o->server_pid, &a);
	if (rc == 0) {
		sleep_secs(o->warmup);
		sample(r, o->server_pid, &a);
		sleep_secs(o->secs);
	}
	sample(r, o->server_pid, &b);
	atomic_store(&stop_flag, true);
	for (uint32_t k = 0; k < started; k++)
		pthread_join(r->ws[k].thread, NULL);
	*d = (struct snap){
		.ops = b.ops - a.ops, .bytes = b.bytes - a.bytes, .t = b.t - a.t,
		.own_cpu = b.own_cpu - a.own_cpu,
		.srv_cpu = a.srv_cpu < 0 || b.srv_cpu < 0 ? -1.0 : b.srv_cpu - a.srv_cpu,
	};
	if (rc < 0)
		fprintf(stderr, "p9load: starting thread %u: %s\n", started, strerror(-rc));
	return rc;
}

static int report_errors(const struct run *r)
{
	int errors = 0;
	for (uint32_t k = 0; k < r->n; k++) {
		const struct p9load_worker *w = &r->ws[k];
		if (!w->err)
			continue;
		if (!errors++)
			fprintf(stderr, "p9load: worker %u: %s: %s\n", w->id, w->err_op,
				strerror(-w->err));
	}
	return errors;
}

static void init_workers(const struct p9load_opts *o, struct p9load_conn *cns, struct run *r)
{
	for (uint32_t k = 0; k < r->n; k++) {
		struct p9load_worker *w = &r->ws[k];
		w->o = o;
		w->cn = &cns[k % o->conns];
		w->id = k;
		w->dirfid = w->fid = P9_NOFID;
	}
}

/* CPU microseconds per operation, or -1 when unknown. */
static double us_per_op(double cpu, uint64_t ops)
{
	return cpu < 0 || ops == 0 ? -1.0 : cpu * 1e6 / (double)ops;
}

static int run_load(const struct p9load_opts *o, struct p9load_conn *cns, struct run *r)
{
	init_workers(o, cns, r);
	struct snap d;
	int rc = measure(o, r, &d);
	int errors = report_errors(r) + (rc < 0);
	bool removed = o->unlink_mode == P9LOAD_REMOVE;
	for (uint32_t k = 0; k < r->n; k++)
		removed |= r->ws[k].use_remove;
	printf("p9load workload=%s conns=%u threads=%u msize=%u secs=%.3f ops=%" PRIu64
	       " ops_s=%.1f mb_s=%.1f errors=%d unlink=%s client_us_op=%.1f server_us_op=%.1f\n",
	       r->wl->name, o->conns, o->threads, p9_client_msize(cns[0].c), d.t, d.ops,
	       (double)d.ops / d.t, (double)d.bytes / d.t / MIB, errors,
	       removed ? "remove" : "unlinkat", us_per_op(d.own_cpu, d.ops),
	       us_per_op(d.srv_cpu, d.ops));
	return errors ? -EIO : 0;
}

int main(int argc, char **argv)
{
	struct p9load_opts o;
	if (parse_args(argc, argv, &o) < 0)
		return 2;
	current = p9load_find(o.workload);
	if (!current) {
		fprintf(stderr, "p9load: unknown workload '%s'\n", o.workload);
		usage(stderr);
		return 2;
	}
	struct run r = { .wl = current, .n = o.conns * o.threads };
	struct p9load_conn *cns = calloc(o.conns, sizeof *cns);
	r.ws = calloc(r.n, sizeof *r.ws);
	int rc = cns && r.ws ? 0 : -ENOMEM;
	if (rc == 0)
		rc = conns_open(&o, cns);
	if (rc == 0 && (rc = current->prepare(&o, &cns[0])) < 0)
		fprintf(stderr, "p9load: preparing the %s fixture in '%s': %s\n", current->name, o.dir,
			strerror(-rc));
	if (rc == 0)
		rc = run_load(&o, cns, &r);
	for (uint32_t k = 0; cns && k < o.conns; k++)
		conn_close(&cns[k]);
	free(cns);
	free(r.ws);
	return rc < 0 ? 1 : 0;
}
