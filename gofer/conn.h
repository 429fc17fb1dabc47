/* One 9P connection: a socket, an export, a fid table, the requests in
 * flight and the reply stream.  The event loop (server.c) reads and frames
 * messages; workers (or the loop itself, for short ops: dispatch.h) run
 * them and write replies back under the connection lock, in the order
 * they finish; Rflush follows the flushed reply. */
#ifndef BURROW_GOFER_CONN_H
#define BURROW_GOFER_CONN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "fid.h"
#include "gofer.h"
#include "workers.h"

#define CONN_MAX_INFLIGHT 64u
#define CONN_MAX_OUT_FDS 64u     /* host fds queued for a slow reader */
#define CONN_RBUF_SIZE    (64u << 10)
#define REQ_SMALL_OUT     8192u      /* room for every reply but data */

struct conn;

struct req {
	struct work work;          /* must stay first */
	struct req *next;          /* free list, flusher list */
	struct req *iprev, *inext; /* in-flight list */
	struct conn *conn;
	uint8_t *in;
	uint32_t in_cap, in_len;
	uint8_t *out;
	uint32_t out_cap;
	uint32_t charge;           /* bytes counted against the connection */
	uint16_t tag;
	uint8_t type;
	bool started;              /* a worker began running it */
	bool discard;              /* flushed before it started: no reply */
	bool is_flush;
	int pass_fd;               /* a host fd to send with the reply, or -1 */
	struct req *flushers;      /* Tflush requests answered after this reply */
};

struct conn {
	int fd;
	atomic_uint refs;
	const struct gofer_config *cfg;
	const struct gofer_export *exp;
	struct fid_table fids;
	atomic_uint msize;         /* 0 until Tversion */
	atomic_bool pass_fds;      /* this session asked for host fds (Tversion) */
	void *loop_priv;           /* the event loop's watchers */
	void *shard;               /* server.c: the loop serving it, fixed */
	struct conn *pend_next;    /* server.c's wake-up list, under its lock */
	bool pending;

	/* Event loop thread only. */
	uint8_t *rbuf;
	uint32_t rlen;
	struct req *partial;       /* a large message being read */
	uint32_t partial_have;

	pthread_mutex_t lock;      /* everything below */
	struct req *inflight;
	unsigned n_inflight;
	size_t charged;            /* bytes held by in-flight requests */
	struct req *free_reqs;
	unsigned n_free;
	uint8_t *obuf;             /* reply bytes the socket did not take yet */
	size_t olen, ocap;
	struct conn_outfd {        /* fds that go with the byte at obuf[pos] */
		size_t pos;
		int fd;
	} *ofds;
	size_t n_ofds, cap_ofds;
	bool dead;
	bool write_error;
	bool loop_paused;          /* the loop stopped reading: wake it up */
};

struct conn *conn_new(int fd, const struct gofer_config *cfg, const struct gofer_export *exp);
struct conn *conn_ref(struct conn *c);
void conn_put(struct conn *c);

/* Loop side.  conn_read: read and dispatch what arrived; 0, or -errno to
 * close the connection (-EPIPE on EOF). */
int conn_read(struct conn *c);
/* Frame messages already buffered (after reading was paused).  0/-errno. */
int conn_parse(struct conn *c);
/* May the loop read more (in-flight and memory limits)? */
bool conn_can_read(struct conn *c);
/* Write queued reply bytes: 0 when all are out, 1 when some remain, -errno. */
int conn_flush_out(struct conn *c);
bool conn_has_output(struct conn *c);
/* Mark dead and shut the socket down; in-flight work finishes unanswered. */
void conn_kill(struct conn *c);

/* Worker side: false when r was flushed before it started (reply with
 * conn_reply(r, 0)) or the connection died. */
bool conn_start(struct req *r);
/* Worker side: send the reply r->out[0..len) (len 0: none) and release r. */
void conn_reply(struct req *r, uint32_t len);
/* Build an Rlerror for r in r->out; returns its length. */
uint32_t req_rlerror(struct req *r, int err);

#endif
