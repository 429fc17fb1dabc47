/* Tests for the 9P2000.L client (common/p9/client.c) against a small
 * in-test server thread on the other end of a socketpair (or TCP).
 *
 * The server decodes every request with p9_decode_request and answers from
 * a toy model whose replies are derived from the request (data from fid and
 * offset, qids from names), so each caller can check it got its own reply.
 * Worker threads never call cmocka asserts (not thread-safe): they record
 * results that the main thread checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "p9/client.h"
#include "util.h"

#define NTHREADS   8
#define ITERS      1500
#define SRV_BATCH  64

/* ---- shared helpers ------------------------------------------------- */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t fnv_c(const char *s)
{
	return fnv(s, strlen(s));
}

/* Byte at absolute position pos of fid's toy file. */
static uint8_t pat(uint32_t fid, uint64_t pos)
{
	return (uint8_t)(fid * 131u + pos * 7u + (pos >> 8));
}

/* The toy server's short reads/writes: visible, deterministic. */
static uint32_t read_len(uint64_t off, uint32_t count)
{
	uint32_t short_by = (uint32_t)(off % 3);
	return count > short_by ? count - short_by : count;
}

static uint32_t write_len(uint64_t off, uint32_t count)
{
	return count > 0 ? count - (uint32_t)(off % 2) : 0;
}

static bool str_is(struct p9_str s, const char *c)
{
	return s.len == strlen(c) && memcmp(s.s, c, s.len) == 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A reply header by hand: size[4] type[1] tag[2]. */
static void hdr(uint8_t *p, uint32_t size, uint8_t type, uint16_t tag)
{
	put32(p, size);
	p[4] = type;
	p[5] = (uint8_t)tag;
	p[6] = (uint8_t)(tag >> 8);
}

/* ---- the in-test server --------------------------------------------- */

struct srv;
typedef void (*srv_handler)(struct srv *s, const struct p9_msg *m);

enum flush_mode { FLUSH_DISCARD, FLUSH_REPLY_FIRST };

struct srv {
	int fd;
	pthread_t th;
	uint32_t msize;               /* negotiated */
	uint32_t rv_msize;            /* Rversion msize; 0: echo the client's */
	const char *rv_version;       /* NULL: 9P2000.L */
	const uint8_t *raw_version;   /* sent instead of an Rversion */
	size_t raw_version_len;
	bool close_after_version;
	bool stop_after_version;      /* keep the fd open, never read again */
	bool batch;                   /* answer what is queued in reverse order */
	srv_handler handle;

	/* raw_handle: bytes sent for the first request, its tag patched in */
	uint8_t raw[64];
	size_t rawlen;
	bool raw_patch_tag;
	bool raw_sent;

	/* hold_handle: the held Tread and how a Tflush for it is treated */
	enum flush_mode flush_mode;
	bool held;
	struct p9_msg held_req;
	bool await_next;              /* Rflush goes out after the next request */
	uint16_t flush_tag;
	int iteration;                /* stress test: decides hold or answer */

	bool joined;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned nreq, nflush, nbatches_reordered, violations;
	uint32_t client_msize;
	uint16_t last_oldtag, last_flushtag, held_tag;
};

static void srv_bump(struct srv *s, unsigned *field)
{
	pthread_mutex_lock(&s->lock);
	(*field)++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static uint32_t srv_client_msize(struct srv *s)
{
	pthread_mutex_lock(&s->lock);
	uint32_t v = s->client_msize;
	pthread_mutex_unlock(&s->lock);
	return v;
}

/* Wait (up to 5 s) until *field >= v. */
static bool srv_wait(struct srv *s, unsigned *field, unsigned v)
{
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 5;
	bool ok = true;
	pthread_mutex_lock(&s->lock);
	while (*field < v && ok)
		ok = pthread_cond_timedwait(&s->cond, &s->lock, &dl) == 0;
	ok = *field >= v;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static void srv_send_raw(struct srv *s, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = send(s->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;    /* client gone: the test decides what that means */
		p += n;
		len -= (size_t)n;
	}
}

static void srv_send(struct srv *s, const struct p9_msg *m)
{
	size_t cap = s->msize ? s->msize : P9_MAX_MSIZE;
	uint8_t *buf = malloc(cap);
	int len = p9_encode(m, buf, cap);
	if (len < 0)
		srv_bump(s, &s->violations);
	else
		srv_send_raw(s, buf, (size_t)len);
	free(buf);
}

static void srv_error(struct srv *s, uint16_t tag, uint32_t ecode)
{
	struct p9_msg r = { .type = P9_RLERROR, .tag = tag };
	r.u.rlerror.ecode = ecode;
	srv_send(s, &r);
}

/* One whole message into *out (malloc'd); 0 on EOF or garbage. */
static size_t srv_recv(struct srv *s, uint8_t **out)
{
	uint8_t h[4];
	if (read_full(s->fd, h, 4) < 0)
		return 0;
	uint32_t size = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
			(uint32_t)h[3] << 24;
	if (size < P9_HDRSZ || size > P9_MAX_MSIZE) {
		srv_bump(s, &s->violations);
		return 0;
	}
	uint8_t *buf = malloc(size);
	memcpy(buf, h, 4);
	if (read_full(s->fd, buf + 4, size - 4) < 0) {
		free(buf);
		return 0;
	}
	*out = buf;
	return size;
}

static int srv_version(struct srv *s)
{
	uint8_t *buf = NULL;
	size_t len = srv_recv(s, &buf);
	struct p9_msg m;
	if (!len || p9_decode_request(buf, len, P9_MAX_MSIZE, &m) < 0 ||
	    m.type != P9_TVERSION || m.tag != P9_NOTAG || !str_is(m.u.version.version, P9_VERSION_L)) {
		free(buf);
		srv_bump(s, &s->violations);
		return -1;
	}
	free(buf);
	pthread_mutex_lock(&s->lock);
	s->client_msize = m.u.version.msize;
	pthread_mutex_unlock(&s->lock);
	if (s->close_after_version) {
		shutdown(s->fd, SHUT_RDWR);
		return -1;
	}
	if (s->raw_version) {
		srv_send_raw(s, s->raw_version, s->raw_version_len);
		return 0;
	}
	struct p9_msg r = { .type = P9_RVERSION, .tag = P9_NOTAG };
	r.u.version.msize = s->rv_msize ? s->rv_msize : m.u.version.msize;
	r.u.version.version = p9_str_of(s->rv_version ? s->rv_version : P9_VERSION_L);
	s->msize = r.u.version.msize;
	if (s->msize > P9_MAX_MSIZE || s->msize < P9_MIN_MSIZE)
		s->msize = P9_MAX_MSIZE;     /* lying on purpose; keep decoding sane */
	srv_send(s, &r);
	return 0;
}

/* Read one message, and in batch mode whatever else is already queued. */
static int srv_read_batch(struct srv *s, uint8_t **bufs, size_t *lens)
{
	int n = 0;
	do {
		lens[n] = srv_recv(s, &bufs[n]);
		if (!lens[n])
			break;
		n++;
	} while (s->batch && n < SRV_BATCH &&
		 poll(&(struct pollfd){ .fd = s->fd, .events = POLLIN }, 1, 0) > 0);
	return n;
}

static void srv_check_batch(struct srv *s, const struct p9_msg *ms, int n)
{
	for (int i = 0; i < n; i++) {
		if (ms[i].tag == P9_NOTAG)
			srv_bump(s, &s->violations);
		for (int j = 0; j < i; j++)
			if (ms[i].tag == ms[j].tag)     /* two outstanding with one tag */
				srv_bump(s, &s->violations);
	}
	if (n > 1)
		srv_bump(s, &s->nbatches_reordered);
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;
	if (srv_version(s) < 0 || s->stop_after_version)
		return NULL;
	static __thread uint8_t *bufs[SRV_BATCH];
	static __thread size_t lens[SRV_BATCH];
	static __thread struct p9_msg ms[SRV_BATCH];
	for (;;) {
		int n = srv_read_batch(s, bufs, lens);
		bool bad = false;
		for (int i = 0; i < n && !bad; i++)
			bad = p9_decode_request(bufs[i], lens[i], s->msize, &ms[i]) < 0;
		if (bad)
			srv_bump(s, &s->violations);
		if (!bad) {
			srv_check_batch(s, ms, n);
			for (int i = n - 1; i >= 0; i--) {   /* reverse: prove tag matching */
				s->handle(s, &ms[i]);
				srv_bump(s, ms[i].type == P9_TFLUSH ? &s->nflush : &s->nreq);
			}
		}
		for (int i = 0; i < n; i++)
			free(bufs[i]);
		if (n == 0 || bad)
			return NULL;
	}
}

/* ---- toy file server semantics -------------------------------------- */

static void toy_walk(struct srv *s, const struct p9_msg *m, struct p9_msg *r)
{
	uint16_t i;
	r->type = P9_RWALK;
	for (i = 0; i < m->u.twalk.nwname; i++) {
		struct p9_str w = m->u.twalk.wnames[i];
		if (str_is(w, "missing"))
			break;
		r->u.rwalk.wqids[i] = (struct p9_qid){ 0, i, fnv(w.s, w.len) };
	}
	if (i == 0 && m->u.twalk.nwname > 0) {
		r->type = P9_RLERROR;
		r->u.rlerror.ecode = ENOENT;
		return;
	}
	r->u.rwalk.nwqid = i;
}

static void toy_read(struct srv *s, const struct p9_msg *m)
{
	uint32_t fid = m->u.tread.fid;
	uint64_t off = m->u.tread.offset;
	uint32_t n = read_len(off, m->u.tread.count);
	uint8_t *data = malloc(n ? n : 1);
	for (uint32_t i = 0; i < n; i++)
		data[i] = pat(fid, off + i);
	struct p9_msg r = { .type = P9_RREAD, .tag = m->tag };
	r.u.rread.count = n;
	r.u.rread.data = data;
	srv_send(s, &r);
	free(data);
}

static void toy_write(struct srv *s, const struct p9_msg *m, struct p9_msg *r)
{
	uint64_t off = m->u.twrite.offset;
	for (uint32_t i = 0; i < m->u.twrite.count; i++) {
		if (m->u.twrite.data[i] != pat(m->u.twrite.fid, off + i)) {
			r->type = P9_RLERROR;
			r->u.rlerror.ecode = EILSEQ;
			return;
		}
	}
	r->type = P9_RWRITE;
	r->u.rwrite.count = write_len(off, m->u.twrite.count);
}

static void toy_readdir(const struct p9_msg *m, struct p9_msg *r, uint8_t *buf, size_t cap)
{
	uint32_t used = 0;
	uint32_t count = m->u.treaddir.count < cap ? m->u.treaddir.count : (uint32_t)cap;
	for (uint64_t k = m->u.treaddir.offset; k < 10; k++) {
		char name[16];
		int len = snprintf(name, sizeof name, "e%u", (unsigned)k);
		struct p9_qid q = { 0, 0, k };
		int n = p9_dirent_put(buf + used, count - used, &q, k + 1, 8, name, (uint16_t)len);
		if (n < 0)
			break;
		used += (uint32_t)n;
	}
	r->type = P9_RREADDIR;
	r->u.rreaddir.count = used;
	r->u.rreaddir.data = buf;
}

static bool has_nope(struct p9_str a)
{
	return str_is(a, "nope");
}

static void toy_handle(struct srv *s, const struct p9_msg *m)
{
	struct p9_msg r = { .type = (uint8_t)(m->type + 1), .tag = m->tag };
	static __thread uint8_t dents[4096];
	static __thread char txt[64];
	uint32_t ecode = 0;

	switch (m->type) {
	case P9_TREAD:
		toy_read(s, m);
		return;
	case P9_TATTACH:
		r.u.rattach.qid = (struct p9_qid){ P9_QTDIR, m->u.tattach.n_uname,
			fnv(m->u.tattach.aname.s, m->u.tattach.aname.len) ^ m->u.tattach.fid };
		if (m->u.tattach.afid != P9_NOFID || !str_is(m->u.tattach.uname, "bob"))
			ecode = EACCES;
		break;
	case P9_TWALK:
		toy_walk(s, m, &r);
		break;
	case P9_TWRITE:
		toy_write(s, m, &r);
		break;
	case P9_TGETATTR:
		if (m->u.tgetattr.fid == 666) {          /* Rlerror with ecode = mask */
			ecode = (uint32_t)m->u.tgetattr.request_mask;
			srv_error(s, m->tag, ecode);
			return;
		}
		r.u.rgetattr.valid = m->u.tgetattr.request_mask;
		r.u.rgetattr.qid.path = m->u.tgetattr.fid;
		r.u.rgetattr.mode = 0100644;
		r.u.rgetattr.size = m->u.tgetattr.fid * 1000003ULL + m->u.tgetattr.request_mask;
		break;
	case P9_TLOPEN:
		r.u.rlopen.qid.path = m->u.tlopen.fid + m->u.tlopen.flags;
		r.u.rlopen.iounit = 4096;
		break;
	case P9_TLCREATE:
		r.u.rlcreate.qid.path = fnv(m->u.tlcreate.name.s, m->u.tlcreate.name.len) ^
			m->u.tlcreate.flags ^ m->u.tlcreate.mode ^ m->u.tlcreate.gid;
		r.u.rlcreate.iounit = 8192;
		break;
	case P9_TSYMLINK:
		r.u.rsymlink.qid.path = fnv(m->u.tsymlink.name.s, m->u.tsymlink.name.len) ^
			fnv(m->u.tsymlink.symtgt.s, m->u.tsymlink.symtgt.len) ^ m->u.tsymlink.gid;
		break;
	case P9_TMKNOD:
		r.u.rmknod.qid.path = fnv(m->u.tmknod.name.s, m->u.tmknod.name.len) ^ m->u.tmknod.mode ^
			(m->u.tmknod.major << 8) ^ m->u.tmknod.minor ^ m->u.tmknod.gid;
		break;
	case P9_TMKDIR:
		r.u.rmkdir.qid.path = fnv(m->u.tmkdir.name.s, m->u.tmkdir.name.len) ^
			m->u.tmkdir.mode ^ m->u.tmkdir.gid;
		break;
	case P9_TREADLINK:
		r.u.rreadlink.target.len = (uint16_t)snprintf(txt, sizeof txt, "target-of-%u",
							      m->u.treadlink.fid);
		r.u.rreadlink.target.s = txt;
		break;
	case P9_TGETLOCK:
		r.u.rgetlock = m->u.tgetlock.lock;
		r.u.rgetlock.client_id.len = (uint16_t)snprintf(txt, sizeof txt, "srv-%u",
								 m->u.tgetlock.lock.proc_id);
		r.u.rgetlock.client_id.s = txt;
		break;
	case P9_TLOCK:
		r.u.rlock.status = (uint8_t)(m->u.tlock.lock.proc_id % 4);
		if (!str_is(m->u.tlock.lock.client_id, "me"))
			ecode = EINVAL;
		break;
	case P9_TXATTRWALK:
		r.u.rxattrwalk.size = m->u.txattrwalk.name.len * 1000ULL + m->u.txattrwalk.newfid;
		break;
	case P9_TXATTRCREATE:
		if (m->u.txattrcreate.attr_size > 65536 || m->u.txattrcreate.flags != P9_XATTR_CREATE)
			ecode = E2BIG;
		break;
	case P9_TSTATFS:
		r.u.rstatfs = (struct p9_statfs){ .type = 0x01021997, .bsize = 4096,
			.blocks = m->u.tstatfs.fid * 10ULL, .namelen = 255 };
		break;
	case P9_TREADDIR:
		toy_readdir(m, &r, dents, sizeof dents);
		break;
	case P9_TUNLINKAT:
		ecode = has_nope(m->u.tunlinkat.name) || m->u.tunlinkat.flags != P9_AT_REMOVEDIR ? ENOENT : 0;
		break;
	case P9_TRENAMEAT:
		ecode = has_nope(m->u.trenameat.oldname) || !str_is(m->u.trenameat.newname, "new") ? ENOENT : 0;
		break;
	case P9_TLINK:
		ecode = has_nope(m->u.tlink.name) ? ENOENT : 0;
		break;
	case P9_TRENAME:
		ecode = has_nope(m->u.trename.name) ? ENOENT : 0;
		break;
	case P9_TSETATTR:
		ecode = m->u.tsetattr.attr.size == 4242 && m->u.tsetattr.attr.valid == P9_SETATTR_SIZE ? 0 : EINVAL;
		break;
	case P9_TFSYNC:
		ecode = m->u.tfsync.datasync == 1 ? 0 : EINVAL;
		break;
	case P9_TREMOVE:
		ecode = m->u.tremove.fid == 13 ? EPERM : 0;
		break;
	case P9_TCLUNK:
	case P9_TFLUSH:
		break;
	default:
		ecode = EOPNOTSUPP;
		break;
	}
	if (ecode)
		srv_error(s, m->tag, ecode);
	else
		srv_send(s, &r);
}

/* Answers nothing: callers stay blocked until the connection drops. */
static void silent_handle(struct srv *s, const struct p9_msg *m)
{
	(void)s;
	(void)m;
}

/* Sends s->raw for the first request (tag patched in), toy after that. */
static void raw_handle(struct srv *s, const struct p9_msg *m)
{
	if (s->raw_sent) {
		toy_handle(s, m);
		return;
	}
	s->raw_sent = true;
	if (s->raw_patch_tag) {
		s->raw[5] = (uint8_t)m->tag;
		s->raw[6] = (uint8_t)(m->tag >> 8);
	}
	srv_send_raw(s, s->raw, s->rawlen);
}

static void send_rflush(struct srv *s)
{
	struct p9_msg r = { .type = P9_RFLUSH, .tag = s->flush_tag };
	srv_send(s, &r);
}

/* Holds Tread on fid 77; a Tflush discards it or answers it first.  In
 * FLUSH_REPLY_FIRST the Rflush is delayed until one more request came, to
 * check the client does not reuse the flushed tag before Rflush. */
static void hold_handle(struct srv *s, const struct p9_msg *m)
{
	if (m->type == P9_TREAD && m->u.tread.fid == 77) {
		pthread_mutex_lock(&s->lock);
		s->held = true;
		s->held_req = *m;
		s->held_tag = m->tag;
		pthread_mutex_unlock(&s->lock);
		return;
	}
	if (m->type == P9_TFLUSH) {
		pthread_mutex_lock(&s->lock);
		s->last_oldtag = m->u.tflush.oldtag;
		s->last_flushtag = m->tag;
		bool match = s->held && m->u.tflush.oldtag == s->held_tag && m->tag != s->held_tag;
		pthread_mutex_unlock(&s->lock);
		if (!match)
			srv_bump(s, &s->violations);
		s->flush_tag = m->tag;
		if (s->flush_mode == FLUSH_REPLY_FIRST) {
			toy_read(s, &s->held_req);   /* the reply wins the race */
			s->await_next = true;
		} else {
			send_rflush(s);
		}
		s->held = false;
		return;
	}
	if (s->await_next && m->tag == s->held_tag)
		srv_bump(s, &s->violations);     /* tag reused before Rflush */
	toy_handle(s, m);
	if (s->await_next) {
		s->await_next = false;
		send_rflush(s);
	}
}

/* Stress: Tread fid 88 is answered at once on even iterations, held on odd
 * ones; a held read is discarded by Tflush, or answered first when
 * iteration % 4 == 1. */
static void race_handle(struct srv *s, const struct p9_msg *m)
{
	if (m->type == P9_TREAD && m->u.tread.fid == 88 && (s->iteration++ % 2) == 1) {
		s->held = true;
		s->held_req = *m;
		return;
	}
	if (m->type == P9_TFLUSH) {
		if (s->held && m->u.tflush.oldtag == s->held_req.tag && (s->iteration % 4) == 2)
			toy_read(s, &s->held_req);
		if (s->held && m->u.tflush.oldtag != s->held_req.tag)
			srv_bump(s, &s->violations);
		s->held = false;
		struct p9_msg r = { .type = P9_RFLUSH, .tag = m->tag };
		srv_send(s, &r);
		return;
	}
	toy_handle(s, m);
}

/* ---- fixture -------------------------------------------------------- */

static struct srv *srv_new(srv_handler h)
{
	struct srv *s = calloc(1, sizeof(*s));
	s->handle = h;
	s->fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	return s;
}

/* socketpair; the server runs on sv[1]; returns the client end. */
static int srv_start(struct srv *s)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	s->fd = sv[1];
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
	return sv[0];
}

/* Wait for the server thread to end (the client closed its end). */
static void srv_join(struct srv *s)
{
	if (!s->joined)
		pthread_join(s->th, NULL);
	s->joined = true;
}

static void srv_free(struct srv *s)
{
	srv_join(s);
	if (s->fd >= 0)
		close(s->fd);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}

static struct p9_client *connect_toy(struct srv *s, uint32_t msize)
{
	struct p9_client *c = NULL;
	int fd = srv_start(s);
	assert_int_equal(p9_client_new(fd, msize, &c), 0);
	assert_non_null(c);
	return c;
}

/* ---- version negotiation -------------------------------------------- */

static void test_version_lowered(void **state)
{
	(void)state;
	struct srv *s = srv_new(toy_handle);
	s->rv_msize = 8192;
	struct p9_client *c = connect_toy(s, 65536);
	assert_int_equal(srv_client_msize(s), 65536);
	assert_int_equal(p9_client_msize(c), 8192);
	assert_int_equal(p9_client_iounit(c), 8192 - P9_IOHDRSZ);
	assert_true(p9_client_alive(c));
	/* a read asking for more than the iounit is clamped to it */
	static uint8_t big[65536];
	assert_int_equal(p9_read(c, 5, 0, big, sizeof big), 8192 - P9_IOHDRSZ);
	p9_client_free(c);
	srv_free(s);
}

static void test_version_clamped(void **state)
{
	(void)state;
	uint32_t asks[] = { 100, 64u << 20 };
	uint32_t want[] = { P9_MIN_MSIZE, P9_MAX_MSIZE };
	for (size_t i = 0; i < ARRAY_SIZE(asks); i++) {
		struct srv *s = srv_new(toy_handle);
		struct p9_client *c = connect_toy(s, asks[i]);
		assert_int_equal(srv_client_msize(s), want[i]);
		assert_int_equal(p9_client_msize(c), want[i]);
		p9_client_free(c);
		srv_free(s);
	}
}

static int try_version(struct srv *s, uint32_t msize)
{
	struct p9_client *c = (struct p9_client *)0x1;
	int fd = srv_start(s);
	int rc = p9_client_new(fd, msize, &c);
	assert_null(c);
	/* the client closed fd: the server sees EOF and stops */
	srv_free(s);
	return rc;
}

static void test_version_refused(void **state)
{
	(void)state;
	struct srv *s = srv_new(toy_handle);
	s->rv_version = "9P2000.u";
	assert_int_equal(try_version(s, 65536), -EOPNOTSUPP);

	s = srv_new(toy_handle);
	s->rv_version = "unknown";
	assert_int_equal(try_version(s, 65536), -EOPNOTSUPP);

	s = srv_new(toy_handle);
	s->rv_msize = 2048;                       /* below P9_MIN_MSIZE */
	assert_int_equal(try_version(s, 65536), -EPROTO);

	s = srv_new(toy_handle);
	s->rv_msize = 131072;                     /* above what we offered */
	assert_int_equal(try_version(s, 65536), -EPROTO);

	s = srv_new(toy_handle);
	s->close_after_version = true;
	assert_int_equal(try_version(s, 65536), -EIO);

	/* size field of 3: not even a header */
	static const uint8_t tiny[] = { 3, 0, 0, 0, P9_RVERSION, 0xff, 0xff };
	s = srv_new(toy_handle);
	s->raw_version = tiny;
	s->raw_version_len = sizeof tiny;
	assert_int_equal(try_version(s, 65536), -EPROTO);

	/* Rversion with the wrong tag */
	static const uint8_t badtag[] = { 19, 0, 0, 0, P9_RVERSION, 0, 0, 0, 0x20, 0, 0,
					  8, 0, '9', 'P', '2', '0', '0', '0', '.', 'L' };
	s = srv_new(toy_handle);
	s->raw_version = badtag;
	s->raw_version_len = sizeof badtag;
	assert_int_equal(try_version(s, 65536), -EPROTO);

	/* Rlerror instead of Rversion */
	static const uint8_t lerr[] = { 11, 0, 0, 0, P9_RLERROR, 0xff, 0xff, EPERM, 0, 0, 0 };
	s = srv_new(toy_handle);
	s->raw_version = lerr;
	s->raw_version_len = sizeof lerr;
	assert_int_equal(try_version(s, 65536), -EPROTO);
}

static void test_new_rejects_non_stream(void **state)
{
	(void)state;
	struct p9_client *c = NULL;
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(p9_client_new(p[0], 8192, &c), -ENOTSOCK);
	assert_int_equal(fcntl(p[0], F_GETFD), -1);   /* closed on failure */
	close(p[1]);

	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	assert_int_equal(p9_client_new(sv[0], 8192, &c), -EPROTOTYPE);
	assert_null(c);
	close(sv[1]);
}

/* ---- many threads, one connection ----------------------------------- */

struct worker {
	struct p9_client *c;
	int id;
	unsigned seed;
	unsigned ok, bad;
	int first_err;
	char what[96];
};

static void wfail(struct worker *w, const char *what, long got)
{
	if (w->bad++ == 0)
		snprintf(w->what, sizeof w->what, "%s: got %ld", what, got);
}

static uint32_t rnd(struct worker *w, uint32_t n)
{
	return (uint32_t)rand_r(&w->seed) % n;
}

/* Mostly small transfers, now and then a full iounit (bypasses the
 * reader's buffer). */
static uint32_t io_count(struct worker *w, uint32_t iounit)
{
	return rnd(w, 16) == 0 ? iounit : 1 + rnd(w, 9000);
}

static void work_read(struct worker *w, uint32_t fid, uint8_t *buf, uint32_t iounit)
{
	uint64_t off = rnd(w, 100000);
	uint32_t count = io_count(w, iounit);
	ssize_t n = p9_read(w->c, fid, off, buf, count);
	if (n != (ssize_t)read_len(off, count)) {
		wfail(w, "read length", n);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] != pat(fid, off + (uint64_t)i)) {
			wfail(w, "read byte", i);
			return;
		}
	}
	w->ok++;
}

static void work_write(struct worker *w, uint32_t fid, uint8_t *buf, uint32_t iounit)
{
	uint64_t off = rnd(w, 100000);
	uint32_t count = io_count(w, iounit);
	for (uint32_t i = 0; i < count; i++)
		buf[i] = pat(fid, off + i);
	ssize_t n = p9_write(w->c, fid, off, buf, count);
	if (n != (ssize_t)write_len(off, count))
		wfail(w, "write", n);
	else
		w->ok++;
}

static void work_getattr(struct worker *w, uint32_t fid)
{
	uint64_t mask = rnd(w, 1u << 30) & P9_GETATTR_ALL;
	struct p9_attr a;
	int rc = p9_getattr(w->c, fid, mask, &a);
	if (rc != 0 || a.qid.path != fid || a.size != fid * 1000003ULL + mask || a.valid != mask)
		wfail(w, "getattr", rc);
	else
		w->ok++;
}

/* Generic p9_rpc Tread: the reply decoded from the heap, not the direct path. */
static void work_rpc_read(struct worker *w, uint32_t fid)
{
	struct p9_msg m = { .type = P9_TREAD };
	m.u.tread.fid = fid;
	m.u.tread.offset = rnd(w, 5000);
	m.u.tread.count = 1 + rnd(w, 300);
	struct p9_reply rep;
	int rc = p9_rpc(w->c, &m, &rep, NULL);
	if (rc != 0 || rep.msg.type != P9_RREAD ||
	    rep.msg.u.rread.count != read_len(m.u.tread.offset, m.u.tread.count))
		wfail(w, "rpc read", rc);
	else if (rep.msg.u.rread.count && rep.msg.u.rread.data[0] != pat(fid, m.u.tread.offset))
		wfail(w, "rpc read byte", rep.msg.u.rread.data[0]);
	else
		w->ok++;
	p9_reply_free(&rep);
}

static void work_walk(struct worker *w)
{
	char a[16], b[16];
	snprintf(a, sizeof a, "d%d", w->id);
	snprintf(b, sizeof b, "f%u", rnd(w, 1000));
	const char *names[] = { a, b };
	struct p9_qid q[2];
	int rc = p9_walk(w->c, 1, 2, 2, names, q);
	if (rc != 2 || q[0].path != fnv_c(a) || q[1].path != fnv_c(b) || q[1].version != 1)
		wfail(w, "walk", rc);
	else
		w->ok++;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint32_t iounit = p9_client_iounit(w->c);
	uint8_t *buf = malloc(iounit);
	for (int i = 0; i < ITERS; i++) {
		uint32_t fid = (uint32_t)(w->id * 100 + i % 50);
		switch (i % 5) {
		case 0: work_read(w, fid, buf, iounit); break;
		case 1: work_write(w, fid, buf, iounit); break;
		case 2: work_getattr(w, fid); break;
		case 3: work_rpc_read(w, fid); break;
		default: work_walk(w); break;
		}
	}
	free(buf);
	return NULL;
}

static void run_workers(struct p9_client *c)
{
	pthread_t th[NTHREADS];
	struct worker w[NTHREADS];
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .c = c, .id = i, .seed = 1234u + (unsigned)i };
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < NTHREADS; i++) {
		if (w[i].bad)
			print_error("worker %d: %u bad, first %s\n", i, w[i].bad, w[i].what);
		assert_int_equal(w[i].bad, 0);
		assert_int_equal(w[i].ok, ITERS);
	}
}

static void test_concurrent_threads(void **state)
{
	(void)state;
	struct srv *s = srv_new(toy_handle);
	s->batch = true;
	struct p9_client *c = connect_toy(s, 128 * 1024);
	double t0 = now_ms();
	run_workers(c);
	double dt = now_ms() - t0;
	assert_true(p9_client_alive(c));
	p9_client_free(c);
	srv_join(s);
	print_message("  %d threads x %d requests in %.0f ms, %u batches answered out of order\n",
		      NTHREADS, ITERS, dt, s->nbatches_reordered);
	assert_int_equal(s->violations, 0);
	assert_true(s->nbatches_reordered > 0);
	srv_free(s);
}

/* The same over loopback TCP. */
static void test_tcp(void **state)
{
	(void)state;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(l >= 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &alen), 0);
	int cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&a, sizeof a), 0);
	struct srv *s = srv_new(toy_handle);
	s->batch = true;
	s->fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	assert_true(s->fd >= 0);
	close(l);
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
	struct p9_client *c = NULL;
	assert_int_equal(p9_client_new(cfd, 256 * 1024, &c), 0);
	run_workers(c);
	p9_client_free(c);
	srv_join(s);
	assert_int_equal(s->violations, 0);
	srv_free(s);
}

/* ---- connection loss ------------------------------------------------- */

struct blocked {
	struct p9_client *c;
	int rc;
	double end_ms;
	atomic_int *done;
	size_t wlen;
};

static void *blocked_getattr(void *arg)
{
	struct blocked *b = arg;
	struct p9_attr a;
	b->rc = p9_getattr(b->c, 1, P9_GETATTR_BASIC, &a);
	b->end_ms = now_ms();
	atomic_fetch_add(b->done, 1);
	return NULL;
}

static void *blocked_write(void *arg)
{
	struct blocked *b = arg;
	uint8_t *buf = calloc(1, b->wlen);
	b->rc = (int)p9_write(b->c, 1, 0, buf, (uint32_t)b->wlen);
	b->end_ms = now_ms();
	atomic_fetch_add(b->done, 1);
	free(buf);
	return NULL;
}

/* Start n threads, let them block, run `drop`, check every one failed
 * with -EIO within 1 s of it and that later calls fail at once. */
static void check_drop(struct p9_client *c, void *(*fn)(void *), size_t wlen,
		       struct srv *s, unsigned wait_seen, void (*drop)(struct p9_client *, struct srv *))
{
	enum { N = 6 };
	pthread_t th[N];
	struct blocked b[N];
	atomic_int done = 0;
	for (int i = 0; i < N; i++) {
		b[i] = (struct blocked){ .c = c, .rc = 1, .done = &done, .wlen = wlen };
		assert_int_equal(pthread_create(&th[i], NULL, fn, &b[i]), 0);
	}
	if (wait_seen)
		assert_true(srv_wait(s, &s->nreq, wait_seen));
	sleep_ms(200);
	assert_int_equal(atomic_load(&done), 0);      /* really blocked */
	double t0 = now_ms();
	drop(c, s);
	double worst = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(b[i].rc, -EIO);
		if (b[i].end_ms - t0 > worst)
			worst = b[i].end_ms - t0;
	}
	print_message("  %d blocked callers failed with -EIO within %.1f ms\n", N, worst);
	assert_true(worst < 1000.0);
	assert_false(p9_client_alive(c));
	double t1 = now_ms();
	struct p9_attr a;
	assert_int_equal(p9_getattr(c, 1, 0, &a), -EIO);
	uint8_t x[8];
	assert_int_equal(p9_read(c, 1, 0, x, sizeof x), -EIO);
	assert_int_equal(p9_write(c, 1, 0, x, sizeof x), -EIO);
	assert_true(now_ms() - t1 < 100.0);
}

static void drop_peer(struct p9_client *c, struct srv *s)
{
	(void)c;
	shutdown(s->fd, SHUT_RDWR);      /* the server goes away */
}

static void drop_kill(struct p9_client *c, struct srv *s)
{
	(void)s;
	p9_client_kill(c);
}

static void test_peer_closes_waiters(void **state)
{
	(void)state;
	struct srv *s = srv_new(silent_handle);
	struct p9_client *c = connect_toy(s, 8192);
	check_drop(c, blocked_getattr, 0, s, 6, drop_peer);
	p9_client_free(c);
	srv_free(s);
}

static void test_kill_waiters(void **state)
{
	(void)state;
	struct srv *s = srv_new(silent_handle);
	struct p9_client *c = connect_toy(s, 8192);
	check_drop(c, blocked_getattr, 0, s, 6, drop_kill);
	p9_client_free(c);
	srv_free(s);
}

/* Server never reads: 1 MiB writes fill the socket; one sender sits in
 * sendmsg, the others on the write lock. */
static void test_peer_closes_senders(void **state)
{
	(void)state;
	struct srv *s = srv_new(silent_handle);
	s->stop_after_version = true;
	struct p9_client *c = connect_toy(s, 1u << 20);
	check_drop(c, blocked_write, p9_client_iounit(c), s, 0, drop_peer);
	p9_client_free(c);
	srv_free(s);
}

static void test_kill_senders(void **state)
{
	(void)state;
	struct srv *s = srv_new(silent_handle);
	s->stop_after_version = true;
	struct p9_client *c = connect_toy(s, 1u << 20);
	check_drop(c, blocked_write, p9_client_iounit(c), s, 0, drop_kill);
	p9_client_free(c);
	srv_free(s);
}

/* ---- Tflush ---------------------------------------------------------- */

struct cancel_call {
	struct p9_client *c;
	struct p9_cancel k;
	uint32_t fid;
	uint64_t off;
	uint32_t count;
	int rc;
	uint32_t got;
	uint8_t first;
};

static void *cancel_call_main(void *arg)
{
	struct cancel_call *cc = arg;
	struct p9_msg m = { .type = P9_TREAD };
	m.u.tread.fid = cc->fid;
	m.u.tread.offset = cc->off;
	m.u.tread.count = cc->count;
	struct p9_reply rep;
	cc->rc = p9_rpc(cc->c, &m, &rep, &cc->k);
	if (cc->rc == 0) {
		cc->got = rep.msg.u.rread.count;
		cc->first = cc->got ? rep.msg.u.rread.data[0] : 0;
	}
	p9_reply_free(&rep);
	return NULL;
}

static void test_flush_discarded(void **state)
{
	(void)state;
	struct srv *s = srv_new(hold_handle);
	s->flush_mode = FLUSH_DISCARD;
	struct p9_client *c = connect_toy(s, 8192);
	struct cancel_call cc = { .c = c, .fid = 77, .off = 9, .count = 100 };
	p9_cancel_init(&cc.k);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, cancel_call_main, &cc), 0);
	assert_true(srv_wait(s, &s->nreq, 1));      /* held by the server */
	p9_cancel_fire(&cc.k);
	pthread_join(th, NULL);
	assert_int_equal(cc.rc, -EINTR);
	assert_true(srv_wait(s, &s->nflush, 1));
	assert_int_equal(s->last_oldtag, s->held_tag);
	assert_int_not_equal(s->last_flushtag, s->held_tag);
	assert_int_not_equal(s->last_flushtag, P9_NOTAG);
	/* the connection is fine and the tag is usable again */
	uint8_t buf[32];
	for (int i = 0; i < 4; i++)
		assert_int_equal(p9_read(c, 3, 6, buf, sizeof buf), 32);
	assert_int_equal(buf[0], pat(3, 6));
	p9_client_free(c);
	srv_join(s);
	assert_int_equal(s->violations, 0);
	srv_free(s);
}

static void test_flush_reply_wins(void **state)
{
	(void)state;
	struct srv *s = srv_new(hold_handle);
	s->flush_mode = FLUSH_REPLY_FIRST;
	struct p9_client *c = connect_toy(s, 8192);
	struct cancel_call cc = { .c = c, .fid = 77, .off = 30, .count = 100 };
	p9_cancel_init(&cc.k);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, cancel_call_main, &cc), 0);
	assert_true(srv_wait(s, &s->nreq, 1));
	p9_cancel_fire(&cc.k);
	assert_true(srv_wait(s, &s->nflush, 1));
	/* Rread went out, Rflush not yet: the flushed tag must stay reserved */
	struct p9_attr a;
	assert_int_equal(p9_getattr(c, 5, 3, &a), 0);
	assert_int_equal(a.size, 5 * 1000003ULL + 3);
	pthread_join(th, NULL);
	assert_int_equal(cc.rc, 0);
	assert_int_equal(cc.got, read_len(30, 100));
	assert_int_equal(cc.first, pat(77, 30));
	p9_client_free(c);
	srv_join(s);
	assert_int_equal(s->violations, 0);
	srv_free(s);
}

static void test_cancel_before_call(void **state)
{
	(void)state;
	struct srv *s = srv_new(toy_handle);
	struct p9_client *c = connect_toy(s, 8192);
	struct cancel_call cc = { .c = c, .fid = 1, .count = 10 };
	p9_cancel_init(&cc.k);
	p9_cancel_fire(&cc.k);
	cancel_call_main(&cc);
	assert_int_equal(cc.rc, -EINTR);
	/* re-armed, the same p9_cancel works for a normal call */
	p9_cancel_init(&cc.k);
	cancel_call_main(&cc);
	assert_int_equal(cc.rc, 0);
	assert_int_equal(cc.got, 10);
	p9_client_free(c);
	srv_join(s);
	assert_int_equal(s->nreq, 1);     /* the cancelled call sent nothing */
	assert_int_equal(s->nflush, 0);
	srv_free(s);
}

/* Fire at random moments around calls that are answered at once or held. */
struct race {
	struct cancel_call cc;
	pthread_barrier_t bar;
	int iters;
	unsigned intr, won, bad;
};

static void *race_caller(void *arg)
{
	struct race *r = arg;
	for (int i = 0; i < r->iters; i++) {
		p9_cancel_init(&r->cc.k);
		r->cc.off = (uint64_t)i;
		pthread_barrier_wait(&r->bar);
		cancel_call_main(&r->cc);
		if (r->cc.rc == -EINTR)
			r->intr++;
		else if (r->cc.rc == 0 && r->cc.got == read_len(r->cc.off, r->cc.count) &&
			 r->cc.first == pat(88, r->cc.off))
			r->won++;
		else
			r->bad++;
		pthread_barrier_wait(&r->bar);
	}
	return NULL;
}

static void test_cancel_race(void **state)
{
	(void)state;
	struct srv *s = srv_new(race_handle);
	struct p9_client *c = connect_toy(s, 8192);
	struct race r = { .cc = { .c = c, .fid = 88, .count = 64 }, .iters = 1000 };
	pthread_barrier_init(&r.bar, NULL, 2);
	pthread_t th;
	unsigned seed = 7;
	assert_int_equal(pthread_create(&th, NULL, race_caller, &r), 0);
	for (int i = 0; i < r.iters; i++) {
		pthread_barrier_wait(&r.bar);
		struct timespec d = { 0, (long)(rand_r(&seed) % 300) * 1000L };
		nanosleep(&d, NULL);
		p9_cancel_fire(&r.cc.k);
		pthread_barrier_wait(&r.bar);
	}
	pthread_join(th, NULL);
	pthread_barrier_destroy(&r.bar);
	print_message("  %d cancels: %u -EINTR, %u reply won\n", r.iters, r.intr, r.won);
	assert_int_equal(r.bad, 0);
	assert_true(r.intr > 0);
	assert_true(r.won > 0);
	assert_true(p9_client_alive(c));
	p9_client_free(c);
	srv_join(s);
	assert_int_equal(s->violations, 0);
	srv_free(s);
}

/* ---- fids ------------------------------------------------------------ */

static void test_fids(void **state)
{
	(void)state;
	struct srv *s = srv_new(toy_handle);
	struct p9_client *c = connect_toy(s, 8192);
	enum { N = 1000 };
	static uint8_t seen[N];
	memset(seen, 0, sizeof seen);
	uint32_t f;
	for (int i = 0; i < N; i++) {
		assert_int_equal(p9_fid_alloc(c, &f), 0);
		assert_true(f < N);                  /* dense, grows past the first words */
		assert_int_equal(seen[f], 0);
		seen[f] = 1;
	}
	p9_fid_release(c, 500);
	p9_fid_release(c, 7);
	assert_int_equal(p9_fid_alloc(c, &f), 0);
	assert_int_equal(f, 7);                      /* lowest free first */
	assert_int_equal(p9_fid_alloc(c, &f), 0);
	assert_int_equal(f, 500);
	assert_int_equal(p9_fid_alloc(c, &f), 0);
	assert_int_equal(f, N);
	p9_fid_release(c, P9_NOFID);                 /* ignored */
	p9_fid_release(c, 123456789);
	p9_client_free(c);
	srv_free(s);
}

static void test_fid_exhaustion(void **state)
{
	(void)state;
	struct srv *s = srv_new(toy_handle);
	struct p9_client *c = connect_toy(s, 8192);
	p9_client_set_max_fids(c, 70);
	uint32_t f;
	for (uint32_t i = 0; i < 70; i++) {
		assert_int_equal(p9_fid_alloc(c, &f), 0);
		assert_int_equal(f, i);
	}
	assert_int_equal(p9_fid_alloc(c, &f), -EMFILE);
	assert_int_equal(p9_fid_alloc(c, &f), -EMFILE);
	p9_fid_release(c, 69);
	assert_int_equal(p9_fid_alloc(c, &f), 0);
	assert_int_equal(f, 69);
	assert_int_equal(p9_fid_alloc(c, &f), -EMFILE);
	p9_client_free(c);
	srv_free(s);
}

/* ---- errors from the server ----------------------------------------- */

static void test_rlerror_mapping(void **state)
{
	(void)state;
	struct srv *s = srv_new(toy_handle);
	struct p9_client *c = connect_toy(s, 8192);
	struct p9_attr a;
	/* fid 666: the toy answers Rlerror with ecode = request mask */
	assert_int_equal(p9_getattr(c, 666, ENOENT, &a), -ENOENT);
	assert_int_equal(p9_getattr(c, 666, EACCES, &a), -EACCES);
	assert_int_equal(p9_getattr(c, 666, 0, &a), -EIO);
	assert_int_equal(p9_getattr(c, 666, 4095, &a), -4095);
	assert_int_equal(p9_getattr(c, 666, 4096, &a), -EIO);
	assert_int_equal(p9_getattr(c, 666, 0xffffffffu, &a), -EIO);
	assert_true(p9_client_alive(c));            /* errors are not fatal */
	assert_int_equal(p9_getattr(c, 4, 1, &a), 0);
	p9_client_free(c);
	srv_free(s);
}

enum bad_call { CALL_GETATTR, CALL_READ10, CALL_WALK1, CALL_WRITE4 };

static int do_bad_call(struct p9_client *c, enum bad_call call)
{
	struct p9_attr a;
	uint8_t buf[10] = { 0 };
	const char *names[] = { "x" };
	switch (call) {
	case CALL_READ10: return (int)p9_read(c, 1, 0, buf, 10);
	case CALL_WALK1:  return p9_walk(c, 1, 2, 1, names, NULL);
	case CALL_WRITE4: return (int)p9_write(c, 1, 0, buf, 4);
	default:          return p9_getattr(c, 1, 1, &a);
	}
}

/* The server answers the first request with raw bytes: the call fails with
 * -EIO, the connection is dead, later calls fail at once. */
static void check_malformed(const char *what, const uint8_t *raw, size_t len, bool patch_tag,
			    enum bad_call call)
{
	struct srv *s = srv_new(raw_handle);
	memcpy(s->raw, raw, len);
	s->rawlen = len;
	s->raw_patch_tag = patch_tag;
	struct p9_client *c = connect_toy(s, 8192);
	int rc = do_bad_call(c, call);
	if (rc != -EIO)
		print_error("malformed reply case '%s': got %d\n", what, rc);
	assert_int_equal(rc, -EIO);
	assert_false(p9_client_alive(c));
	assert_int_equal(do_bad_call(c, CALL_GETATTR), -EIO);
	p9_client_free(c);
	srv_free(s);
}

static void test_malformed_replies(void **state)
{
	(void)state;
	uint8_t b[64];

	hdr(b, 0x00100000, P9_RGETATTR, 0);          /* size above msize */
	check_malformed("size > msize", b, 7, true, CALL_GETATTR);

	hdr(b, 3, P9_RGETATTR, 0);                   /* size below a header */
	check_malformed("size < 7", b, 7, true, CALL_GETATTR);

	hdr(b, 7, P9_RCLUNK, 0);                     /* wrong type */
	check_malformed("Rclunk for Tgetattr", b, 7, true, CALL_GETATTR);

	hdr(b, 7, P9_RGETATTR, 500);                 /* tag nobody waits for */
	check_malformed("unknown tag", b, 7, false, CALL_GETATTR);

	hdr(b, 7, P9_RFLUSH, 0x7fff);                /* Rflush never asked for */
	check_malformed("unsolicited Rflush", b, 7, false, CALL_GETATTR);

	hdr(b, 20, P9_RGETATTR, 0);                  /* body far too short */
	memset(b + 7, 0, 13);
	check_malformed("truncated Rgetattr", b, 20, true, CALL_GETATTR);

	hdr(b, 11 + 20, P9_RREAD, 0);                /* more data than asked for */
	put32(b + 7, 20);
	memset(b + 11, 'x', 20);
	check_malformed("Rread count > requested", b, 31, true, CALL_READ10);

	hdr(b, 11 + 5, P9_RREAD, 0);                 /* count lies about the size */
	put32(b + 7, 10);
	memset(b + 11, 'x', 5);
	check_malformed("Rread count != size", b, 16, true, CALL_READ10);

	hdr(b, 7 + 2 + 26, P9_RWALK, 0);             /* two qids for one name */
	b[7] = 2;
	b[8] = 0;
	memset(b + 9, 0, 26);
	check_malformed("Rwalk nwqid > nwname", b, 35, true, CALL_WALK1);

	hdr(b, 11, P9_RWRITE, 0);                    /* wrote more than sent */
	put32(b + 7, 5);
	check_malformed("Rwrite count > sent", b, 11, true, CALL_WRITE4);

	hdr(b, 11, P9_TREAD, 0);                     /* a T-message as reply */
	put32(b + 7, 0);
	check_malformed("T-message", b, 11, true, CALL_GETATTR);
}

/* ---- typed helpers --------------------------------------------------- */

static void test_helpers(void **state)
{
	(void)state;
	struct srv *s = srv_new(toy_handle);
	struct p9_client *c = connect_toy(s, 8192);
	struct p9_qid q, qs[P9_MAXWELEM];
	uint32_t iounit;

	assert_int_equal(p9_attach(c, 1, "bob", "/export", 1000, &q), 0);
	assert_int_equal(q.type, P9_QTDIR);
	assert_int_equal(q.version, 1000);
	assert_true(q.path == (fnv_c("/export") ^ 1));
	assert_int_equal(p9_attach(c, 1, "eve", "", 0, &q), -EACCES);

	const char *names[P9_MAXWELEM + 1];
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		names[i] = "n";
	assert_int_equal(p9_walk(c, 1, 2, P9_MAXWELEM, names, qs), P9_MAXWELEM);
	assert_int_equal(p9_walk(c, 1, 2, P9_MAXWELEM + 1, names, qs), -E2BIG);
	assert_int_equal(p9_walk(c, 1, 2, 0, NULL, NULL), 0);          /* clone */
	const char *partial[] = { "a", "missing", "c" };
	assert_int_equal(p9_walk(c, 1, 2, 3, partial, qs), 1);
	assert_true(qs[0].path == fnv_c("a"));
	assert_int_equal(p9_walk(c, 1, 2, 1, partial + 1, qs), -ENOENT);
	const char *with_null[] = { "a", NULL };
	assert_int_equal(p9_walk(c, 1, 2, 2, with_null, qs), -EINVAL);

	assert_int_equal(p9_lopen(c, 40, P9_DOTL_RDWR, &q, &iounit), 0);
	assert_true(q.path == 40 + P9_DOTL_RDWR);
	assert_int_equal(iounit, 4096);
	assert_int_equal(p9_lcreate(c, 2, "new", 0101, 0644, 7, &q, &iounit), 0);
	assert_true(q.path == (fnv_c("new") ^ 0101 ^ 0644 ^ 7));
	assert_int_equal(iounit, 8192);

	assert_int_equal(p9_symlink(c, 2, "ln", "tgt", 9, &q), 0);
	assert_true(q.path == (fnv_c("ln") ^ fnv_c("tgt") ^ 9));
	assert_int_equal(p9_mknod(c, 2, "fifo", 010644, 3, 4, 5, &q), 0);
	assert_true(q.path == (fnv_c("fifo") ^ 010644 ^ (3 << 8) ^ 4 ^ 5));
	assert_int_equal(p9_mkdir(c, 2, "dir", 0755, 6, &q), 0);
	assert_true(q.path == (fnv_c("dir") ^ 0755 ^ 6));

	char target[64];
	assert_int_equal(p9_readlink(c, 42, target, sizeof target), 12);
	assert_string_equal(target, "target-of-42");
	assert_int_equal(p9_readlink(c, 42, target, 12), -ENAMETOOLONG);

	struct p9_flock lk = { .type = P9_LOCK_TYPE_WRLCK, .flags = P9_LOCK_FLAGS_BLOCK,
			       .start = 10, .length = 20, .proc_id = 4243,
			       .client_id = p9_str_of("me") };
	assert_int_equal(p9_lock(c, 3, &lk), 4243 % 4);
	struct p9_flock got;
	char cid[32];
	assert_int_equal(p9_getlock(c, 3, &lk, &got, cid, sizeof cid), 0);
	assert_int_equal(got.type, P9_LOCK_TYPE_WRLCK);
	assert_int_equal(got.start, 10);
	assert_int_equal(got.length, 20);
	assert_int_equal(got.proc_id, 4243);
	assert_int_equal(got.client_id.len, 8);
	assert_string_equal(cid, "srv-4243");
	assert_ptr_equal(got.client_id.s, cid);
	assert_int_equal(p9_getlock(c, 3, &lk, &got, cid, 4), -ENAMETOOLONG);
	assert_int_equal(p9_getlock(c, 3, &lk, &got, NULL, 0), 0);
	assert_int_equal(got.client_id.len, 0);

	uint64_t xsize;
	assert_int_equal(p9_xattrwalk(c, 3, 9, "user.x", &xsize), 0);
	assert_int_equal(xsize, 6 * 1000 + 9);
	assert_int_equal(p9_xattrwalk(c, 3, 9, "", &xsize), 0);
	assert_int_equal(xsize, 9);
	assert_int_equal(p9_xattrcreate(c, 3, "user.x", 10, P9_XATTR_CREATE), 0);
	assert_int_equal(p9_xattrcreate(c, 3, "user.x", 1 << 20, P9_XATTR_CREATE), -E2BIG);

	struct p9_statfs st;
	assert_int_equal(p9_statfs(c, 12, &st), 0);
	assert_int_equal(st.blocks, 120);
	assert_int_equal(st.namelen, 255);

	assert_int_equal(p9_link(c, 2, 3, "hard"), 0);
	assert_int_equal(p9_link(c, 2, 3, "nope"), -ENOENT);
	assert_int_equal(p9_rename(c, 3, 2, "r"), 0);
	assert_int_equal(p9_renameat(c, 2, "old", 2, "new"), 0);
	assert_int_equal(p9_renameat(c, 2, "old", 2, "other"), -ENOENT);
	assert_int_equal(p9_unlinkat(c, 2, "d", P9_AT_REMOVEDIR), 0);
	assert_int_equal(p9_unlinkat(c, 2, "nope", P9_AT_REMOVEDIR), -ENOENT);
	assert_int_equal(p9_fsync(c, 3, 1), 0);
	assert_int_equal(p9_fsync(c, 3, 0), -EINVAL);
	struct p9_iattr ia = { .valid = P9_SETATTR_SIZE, .size = 4242 };
	assert_int_equal(p9_setattr(c, 3, &ia), 0);
	ia.size = 1;
	assert_int_equal(p9_setattr(c, 3, &ia), -EINVAL);
	assert_int_equal(p9_remove(c, 13), -EPERM);
	assert_int_equal(p9_remove(c, 14), 0);
	assert_int_equal(p9_clunk(c, 3), 0);

	/* readdir: raw payload parsed with p9_dirent_next, resumed by cookie */
	uint8_t dbuf[4096];
	uint64_t off = 0;
	int total = 0;
	for (;;) {
		ssize_t n = p9_readdir(c, 2, off, dbuf, 60);
		assert_true(n >= 0);
		if (n == 0)
			break;
		size_t pos = 0;
		struct p9_dirent d;
		while (p9_dirent_next(dbuf, (size_t)n, &pos, &d) == 1) {
			char name[16];
			snprintf(name, sizeof name, "e%d", total);
			assert_true(str_is(d.name, name));
			off = d.offset;
			total++;
		}
	}
	assert_int_equal(total, 10);

	/* the generic path refuses what is the client's own business */
	struct p9_msg m = { .type = P9_TVERSION };
	struct p9_reply rep;
	assert_int_equal(p9_rpc(c, &m, &rep, NULL), -EINVAL);
	m.type = P9_TFLUSH;
	assert_int_equal(p9_rpc(c, &m, &rep, NULL), -EINVAL);
	m.type = P9_RCLUNK;
	assert_int_equal(p9_rpc(c, &m, &rep, NULL), -EINVAL);
	assert_null(rep.buf);
	m.type = P9_TAUTH;                           /* the toy refuses auth */
	m.u.tauth.afid = 5;
	assert_int_equal(p9_rpc(c, &m, &rep, NULL), -EOPNOTSUPP);
	assert_null(rep.buf);

	/* a write bigger than the iounit is clamped, its payload intact */
	uint32_t max = p9_client_iounit(c);
	uint8_t *big = malloc(max + 100);
	for (uint32_t i = 0; i < max + 100; i++)
		big[i] = pat(8, 2 + i);
	assert_int_equal(p9_write(c, 8, 2, big, max + 100), (ssize_t)write_len(2, max));
	free(big);
	assert_int_equal(p9_write(c, 8, 2, NULL, 0), 0);

	assert_true(p9_client_alive(c));
	p9_client_free(c);
	srv_join(s);
	assert_int_equal(s->violations, 0);
	srv_free(s);
}

int main(void)
{
	/* a hang is a failure, not a stuck CI job (valgrind runs need longer) */
	const char *t = getenv("BURROW_TEST_TIMEOUT");
	alarm(t ? (unsigned)atoi(t) : 120);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_lowered),
		cmocka_unit_test(test_version_clamped),
		cmocka_unit_test(test_version_refused),
		cmocka_unit_test(test_new_rejects_non_stream),
		cmocka_unit_test(test_concurrent_threads),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_peer_closes_waiters),
		cmocka_unit_test(test_kill_waiters),
		cmocka_unit_test(test_peer_closes_senders),
		cmocka_unit_test(test_kill_senders),
		cmocka_unit_test(test_flush_discarded),
		cmocka_unit_test(test_flush_reply_wins),
		cmocka_unit_test(test_cancel_before_call),
		cmocka_unit_test(test_cancel_race),
		cmocka_unit_test(test_fids),
		cmocka_unit_test(test_fid_exhaustion),
		cmocka_unit_test(test_rlerror_mapping),
		cmocka_unit_test(test_malformed_replies),
		cmocka_unit_test(test_helpers),
	};
	return cmocka_run_group_tests_name("p9 client", tests, NULL, NULL);
}
