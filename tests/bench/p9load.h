/* p9load: a 9P2000.L load generator on common/p9's client.
 * Shared between the driver (p9load.c: options, connections, timing) and
 * the workloads (p9load_work.c: fixtures and the timed operations). */
#ifndef BURROW_BENCH_P9LOAD_H
#define BURROW_BENCH_P9LOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/types.h>

#include "p9/client.h"

enum p9load_unlink { P9LOAD_AUTO, P9LOAD_UNLINKAT, P9LOAD_REMOVE };

struct p9load_opts {
	const char *addr, *aname, *uname, *workload, *dir;
	uint32_t n_uname, conns, threads, msize, block;
	double secs, warmup;
	uint64_t big_size;     /* bytes of the shared read fixture */
	uint64_t wrap;         /* sequential writers rewrite from 0 past this */
	enum p9load_unlink unlink_mode;
	pid_t server_pid;      /* sample its CPU time (0: no) */
};

/* One 9P connection: its client (a reader thread of its own) and the fid
 * of its attach point. */
struct p9load_conn {
	struct p9_client *c;
	uint32_t root;
};

/* One load thread, bound to one connection. Only the thread writes its
 * counters; the driver samples them. */
struct p9load_worker {
	const struct p9load_opts *o;
	struct p9load_conn *cn;
	unsigned id;
	pthread_t thread;
	_Atomic uint64_t ops, bytes;
	int err;               /* first failure, negative errno */
	const char *err_op;    /* what failed */
	/* workload state */
	uint32_t dirfid, fid;  /* P9_NOFID when not held */
	uint64_t off, seq, rng;
	bool use_remove;       /* the server said EOPNOTSUPP to Tunlinkat */
	uint32_t chunk;
	uint8_t *buf;
	char name[64];
};

struct p9load_workload {
	const char *name;
	bool bytes;            /* report MB/s rather than ops/s */
	/* once, on the first connection, before any worker starts */
	int (*prepare)(const struct p9load_opts *o, struct p9load_conn *cn);
	/* per worker: untimed set-up, one timed operation, tear-down */
	int (*setup)(struct p9load_worker *w);
	int (*step)(struct p9load_worker *w);
	void (*teardown)(struct p9load_worker *w);
};

const struct p9load_workload *p9load_find(const char *name);
/* "walk create randread seqread seqwrite" for the usage text. */
const char *p9load_names(void);

#endif
