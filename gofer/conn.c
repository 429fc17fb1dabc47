#include "conn.h"
#include "dispatch.h"
#include "fdpass.h"
#include "server.h"
#include "trace.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define FREE_REQS_MAX 16u
#define BIG_BUF       (64u << 10)

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

struct conn *conn_new(int fd, const struct gofer_config *cfg, const struct gofer_export *exp)
{
	struct conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->rbuf = malloc(CONN_RBUF_SIZE);
	if (!c->rbuf || fid_table_init(&c->fids, cfg->max_fids) < 0) {
		free(c->rbuf);
		free(c);
		return NULL;
	}
	c->fd = fd;
	c->cfg = cfg;
	c->exp = exp;
	atomic_init(&c->refs, 1);
	atomic_init(&c->msize, 0);
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

struct conn *conn_ref(struct conn *c)
{
	atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	return c;
}

static void req_free(struct req *r)
{
	if (r) {
		free(r->in);
		free(r->out);
		free(r);
	}
}

void conn_put(struct conn *c)
{
	if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
		return;
	fid_table_destroy(&c->fids);
	for (struct req *r = c->free_reqs, *next; r; r = next) {
		next = r->next;
		req_free(r);
	}
	req_free(c->partial);
	close(c->fd);
	free(c->rbuf);
	free(c->obuf);
	for (size_t k = 0; k < c->n_ofds; k++)
		close(c->ofds[k].fd);
	free(c->ofds);
	pthread_mutex_destroy(&c->lock);
	server_conn_gone(c);
	free(c);
}

static uint32_t msize_of(const struct conn *c)
{
	uint32_t m = atomic_load_explicit(&c->msize, memory_order_relaxed);
	return m ? m : c->cfg->msize;
}

/* Memory a connection may hold in requests and queued replies. */
static size_t mem_limit(const struct conn *c)
{
	return 4 * (size_t)msize_of(c) + (1u << 20);
}

static int grow(uint8_t **buf, uint32_t *cap, uint32_t need)
{
	if (*cap >= need)
		return 0;
	uint8_t *n = realloc(*buf, need);
	if (!n)
		return -ENOMEM;
	*buf = n;
	*cap = need;
	return 0;
}

/* A request with room for `in_len` bytes and a reply of `out_len`. */
static struct req *req_get(struct conn *c, uint32_t in_len, uint32_t out_len)
{
	pthread_mutex_lock(&c->lock);
	struct req *r = c->free_reqs;
	if (r) {
		c->free_reqs = r->next;
		c->n_free--;
	}
	pthread_mutex_unlock(&c->lock);
	if (!r) {
		r = calloc(1, sizeof *r);
		if (!r)
			return NULL;
	}
	if (grow(&r->in, &r->in_cap, in_len) < 0 || grow(&r->out, &r->out_cap, out_len) < 0) {
		req_free(r);
		return NULL;
	}
	uint8_t *in = r->in, *out = r->out;
	uint32_t in_cap = r->in_cap, out_cap = r->out_cap;
	memset(r, 0, sizeof *r);
	r->in = in;
	r->out = out;
	r->in_cap = in_cap;
	r->out_cap = out_cap;
	r->in_len = in_len;
	r->conn = c;
	r->pass_fd = -1;
	return r;
}

/* Under c->lock. */
static void inflight_add(struct conn *c, struct req *r)
{
	r->charge = r->in_cap + r->out_cap;
	r->iprev = NULL;
	r->inext = c->inflight;
	if (c->inflight)
		c->inflight->iprev = r;
	c->inflight = r;
	c->n_inflight++;
	c->charged += r->charge;
}

/* Under c->lock: unlink r and keep it for reuse (small buffers only). */
static void req_release(struct conn *c, struct req *r)
{
	if (r->iprev)
		r->iprev->inext = r->inext;
	else
		c->inflight = r->inext;
	if (r->inext)
		r->inext->iprev = r->iprev;
	c->n_inflight--;
	c->charged -= r->charge;
	bool big = r->in_cap > BIG_BUF || r->out_cap > BIG_BUF;
	if (c->n_free >= FREE_REQS_MAX || (big && c->n_free >= 2)) {
		req_free(r);
		return;
	}
	r->next = c->free_reqs;
	c->free_reqs = r;
	c->n_free++;
}

/* send(2) of buf, with `fd` (if >= 0) riding on its first byte. */
static ssize_t send_with_fd(int sock, const uint8_t *buf, size_t len, int fd)
{
	struct iovec iov = { (void *)buf, len };
	struct fdpass_buf cm;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	fdpass_attach(&mh, &cm, &fd, fd >= 0);
	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Under c->lock: fd goes out with the queued byte at pos.  false: no
 * memory (the connection is then broken: the client waits for it). */
static bool ofd_queue(struct conn *c, size_t pos, int fd)
{
	if (c->n_ofds == c->cap_ofds) {
		size_t ncap = c->cap_ofds ? c->cap_ofds * 2 : 4;
		struct conn_outfd *n = realloc(c->ofds, ncap * sizeof *n);
		if (!n)
			return false;
		c->ofds = n;
		c->cap_ofds = ncap;
	}
	c->ofds[c->n_ofds++] = (struct conn_outfd){ .pos = pos, .fd = fd };
	return true;
}

/* Under c->lock: send now if nothing is queued, else queue behind.  `fd`
 * (-1: none) travels with the first byte and is closed here. */
static void out_write(struct conn *c, const uint8_t *buf, size_t len, int fd)
{
	if (c->dead || c->write_error) {
		if (fd >= 0)
			close(fd);
		return;
	}
	if (c->olen == 0) {
		ssize_t n = send_with_fd(c->fd, buf, len, fd);
		if (n > 0 && fd >= 0) {
			close(fd);
			fd = -1;
		}
		if (n < 0 && errno != EAGAIN) {
			c->write_error = true;
			if (fd >= 0)
				close(fd);
			return;
		}
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		}
		if (len == 0)
			return;
	}
	if (c->olen + len > c->ocap) {
		size_t ncap = c->ocap ? c->ocap : 4096;
		while (ncap < c->olen + len)
			ncap *= 2;
		uint8_t *n = realloc(c->obuf, ncap);
		if (!n) {
			c->write_error = true;
			if (fd >= 0)
				close(fd);
			return;
		}
		c->obuf = n;
		c->ocap = ncap;
	}
	if (fd >= 0 && !ofd_queue(c, c->olen, fd)) {
		close(fd);
		c->write_error = true;
		return;
	}
	memcpy(c->obuf + c->olen, buf, len);
	c->olen += len;
}

/* Under c->lock: does the loop need to act after this change? */
static bool needs_wake(struct conn *c, size_t olen_before)
{
	if (c->dead)
		return false;
	if (c->write_error || (olen_before == 0 && c->olen > 0))
		return true;
	if (c->loop_paused && c->n_inflight < CONN_MAX_INFLIGHT && c->n_ofds < CONN_MAX_OUT_FDS &&
	    c->charged + c->olen < mem_limit(c)) {
		c->loop_paused = false;
		return true;
	}
	return false;
}

static uint32_t encode_small(struct req *r, const struct p9_msg *m)
{
	int n = p9_encode(m, r->out, r->out_cap);
	return n < 0 ? 0 : (uint32_t)n;
}

uint32_t req_rlerror(struct req *r, int err)
{
	struct p9_msg m = { .type = P9_RLERROR, .tag = r->tag };
	m.u.rlerror.ecode = (uint32_t)(err > 0 ? err : EIO);
	if (r->conn->cfg->debug)
		trace_reply(&m);
	return encode_small(r, &m);
}

void conn_reply(struct req *r, uint32_t len)
{
	struct conn *c = r->conn;
	unsigned puts = 1;
	pthread_mutex_lock(&c->lock);
	size_t olen_before = c->olen;
	int fd = r->pass_fd;
	r->pass_fd = -1;
	if (len && !r->discard)
		out_write(c, r->out, len, fd);
	else if (fd >= 0)
		close(fd);
	struct req *fl = r->flushers;
	req_release(c, r);
	for (struct req *next; fl; fl = next) {
		next = fl->next;
		struct p9_msg m = { .type = P9_RFLUSH, .tag = fl->tag };
		if (c->cfg->debug)
			trace_reply(&m);
		uint32_t n = encode_small(fl, &m);
		if (n)
			out_write(c, fl->out, n, -1);
		req_release(c, fl);
		puts++;
	}
	bool wake = needs_wake(c, olen_before);
	pthread_mutex_unlock(&c->lock);
	if (wake)
		server_wake(c);
	while (puts--)
		conn_put(c);
}

bool conn_start(struct req *r)
{
	struct conn *c = r->conn;
	pthread_mutex_lock(&c->lock);
	bool go = !r->discard && !c->dead;
	r->started = true;
	pthread_mutex_unlock(&c->lock);
	return go;
}

bool conn_can_read(struct conn *c)
{
	pthread_mutex_lock(&c->lock);
	bool ok = !c->dead && c->n_inflight < CONN_MAX_INFLIGHT && c->n_ofds < CONN_MAX_OUT_FDS &&
		  c->charged + c->olen < mem_limit(c);
	c->loop_paused = !ok;
	pthread_mutex_unlock(&c->lock);
	return ok;
}

bool conn_has_output(struct conn *c)
{
	pthread_mutex_lock(&c->lock);
	bool r = c->olen > 0;
	pthread_mutex_unlock(&c->lock);
	return r;
}

int conn_flush_out(struct conn *c)
{
	int rc = 0;
	pthread_mutex_lock(&c->lock);
	if (c->write_error) {
		rc = -EPIPE;
		goto out;
	}
	size_t off = 0, k = 0;
	while (off < c->olen) {
		/* up to the next fd's byte, or from it with the fd */
		bool with_fd = k < c->n_ofds && c->ofds[k].pos == off;
		size_t end = k + with_fd < c->n_ofds ? c->ofds[k + with_fd].pos : c->olen;
		ssize_t n = send_with_fd(c->fd, c->obuf + off, end - off, with_fd ? c->ofds[k].fd : -1);
		if (n < 0) {
			if (errno != EAGAIN)
				rc = -errno;
			break;
		}
		if (with_fd)
			close(c->ofds[k++].fd);
		off += (size_t)n;
	}
	if (k > 0) {
		memmove(c->ofds, c->ofds + k, (c->n_ofds - k) * sizeof *c->ofds);
		c->n_ofds -= k;
	}
	for (size_t j = 0; j < c->n_ofds; j++)
		c->ofds[j].pos -= off;
	if (off > 0) {
		memmove(c->obuf, c->obuf + off, c->olen - off);
		c->olen -= off;
	}
	if (rc == 0 && c->olen > 0)
		rc = 1;
out:
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void conn_kill(struct conn *c)
{
	pthread_mutex_lock(&c->lock);
	c->dead = true;
	pthread_mutex_unlock(&c->lock);
	shutdown(c->fd, SHUT_RDWR);
}

/* Loop side: reply now, from the event loop thread. */
static void reply_inline(struct req *r, const struct p9_msg *m)
{
	if (r->conn->cfg->debug)
		trace_reply(m);
	conn_reply(r, encode_small(r, m));
}

static bool is_unix_socket(int fd)
{
	int domain = 0;
	socklen_t len = sizeof domain;
	return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == AF_UNIX;
}

static void handle_version(struct conn *c, struct req *r)
{
	struct p9_msg m, rep = { .type = P9_RVERSION, .tag = r->tag };
	int rc = p9_decode_request(r->in, r->in_len, msize_of(c), &m);
	if (rc < 0) {
		conn_reply(r, req_rlerror(r, -rc));
		return;
	}
	if (c->cfg->debug)
		trace_request(&m);
	/* A new session: every fid of the old one is clunked. */
	fid_table_clear(&c->fids);
	uint32_t msize = m.u.version.msize < c->cfg->msize ? m.u.version.msize : c->cfg->msize;
	if (msize < P9_MIN_MSIZE)
		msize = P9_MIN_MSIZE;
	const struct p9_str v = m.u.version.version;
	bool dotl = v.len >= 8 && memcmp(v.s, P9_VERSION_L, 8) == 0 && (v.len == 8 || v.s[8] == '.');
	bool fds = dotl && c->cfg->pass_fds && is_unix_socket(c->fd) &&
		   v.len == strlen(P9_VERSION_L_FDS) && memcmp(v.s, P9_VERSION_L_FDS, v.len) == 0;
	atomic_store(&c->msize, dotl ? msize : 0);
	atomic_store(&c->pass_fds, fds);
	rep.u.version.msize = msize;
	rep.u.version.version = p9_str_of(fds ? P9_VERSION_L_FDS : dotl ? P9_VERSION_L : "unknown");
	reply_inline(r, &rep);
}

static void handle_flush(struct conn *c, struct req *r)
{
	struct p9_msg m, rep = { .type = P9_RFLUSH, .tag = r->tag };
	int rc = p9_decode_request(r->in, r->in_len, msize_of(c), &m);
	if (rc < 0) {
		conn_reply(r, req_rlerror(r, -rc));
		return;
	}
	if (c->cfg->debug)
		trace_request(&m);
	r->is_flush = true;
	pthread_mutex_lock(&c->lock);
	struct req *t = c->inflight;
	for (; t; t = t->inext)
		if (t != r && !t->is_flush && t->tag == m.u.tflush.oldtag)
			break;
	if (t) {
		/* Answer after t's reply; drop t if no worker took it yet. */
		struct req **pp = &t->flushers;
		while (*pp)
			pp = &(*pp)->next;
		r->next = NULL;
		*pp = r;
		if (!t->started)
			t->discard = true;
	}
	pthread_mutex_unlock(&c->lock);
	if (!t)
		reply_inline(r, &rep);
}

static void handle(struct conn *c, struct req *r)
{
	r->type = r->in[4];
	r->tag = le16(r->in + 5);
	conn_ref(c);
	pthread_mutex_lock(&c->lock);
	inflight_add(c, r);
	pthread_mutex_unlock(&c->lock);
	if (r->type == P9_TVERSION)
		handle_version(c, r);
	else if (atomic_load(&c->msize) == 0)
		conn_reply(r, req_rlerror(r, EPROTO));   /* Tversion comes first */
	else if (r->type == P9_TFLUSH)
		handle_flush(c, r);
	else
		dispatch_request(r);
}

/* Reply room a request needs: data replies carry up to count bytes. */
static uint32_t out_size_for(const struct conn *c, const uint8_t *msg, uint32_t size)
{
	uint8_t type = msg[4];
	if ((type == P9_TREAD || type == P9_TREADDIR) && size >= 23) {
		uint32_t count = le32(msg + 19), max = msize_of(c) - P9_IOHDRSZ;
		if (count > max)
			count = max;
		uint32_t need = P9_RREAD_HDRSZ + count;
		return need > REQ_SMALL_OUT ? need : REQ_SMALL_OUT;
	}
	return REQ_SMALL_OUT;
}

/* A size field no message can have: answer if a tag is there, then close. */
static int bad_size(struct conn *c, const uint8_t *msg, uint32_t avail, uint32_t size)
{
	if (avail >= P9_HDRSZ) {
		uint8_t buf[16];
		struct p9_msg m = { .type = P9_RLERROR, .tag = le16(msg + 5) };
		m.u.rlerror.ecode = size < P9_HDRSZ ? EBADMSG : EMSGSIZE;
		int n = p9_encode(&m, buf, sizeof buf);
		pthread_mutex_lock(&c->lock);
		if (n > 0)
			out_write(c, buf, (size_t)n, -1);
		pthread_mutex_unlock(&c->lock);
	}
	return size < P9_HDRSZ ? -EBADMSG : -EMSGSIZE;
}

static int start_message(struct conn *c, const uint8_t *msg, uint32_t avail, uint32_t size)
{
	struct req *r = req_get(c, size, out_size_for(c, msg, size));
	if (!r)
		return -ENOMEM;
	uint32_t n = avail < size ? avail : size;
	memcpy(r->in, msg, n);
	if (n < size) {
		c->partial = r;
		c->partial_have = n;
		return 0;
	}
	handle(c, r);
	return 0;
}

/* Frame every complete message in rbuf; keep the tail. */
static int parse_rbuf(struct conn *c)
{
	uint32_t pos = 0;
	int rc = 0;
	while (c->rlen - pos >= 4 && !c->partial && conn_can_read(c)) {
		const uint8_t *msg = c->rbuf + pos;
		uint32_t avail = c->rlen - pos, size = le32(msg);
		if (size < P9_HDRSZ || size > msize_of(c)) {
			rc = bad_size(c, msg, avail, size);
			break;
		}
		if (size > avail && size <= CONN_RBUF_SIZE)
			break;          /* the rest fits in rbuf: wait for it */
		if (avail < P9_HDRSZ)
			break;
		rc = start_message(c, msg, avail, size);
		if (rc < 0)
			break;
		pos += size < avail ? size : avail;
	}
	memmove(c->rbuf, c->rbuf + pos, c->rlen - pos);
	c->rlen -= pos;
	return rc;
}

int conn_parse(struct conn *c)
{
	return c->partial ? 0 : parse_rbuf(c);
}

static int read_partial(struct conn *c)
{
	struct req *r = c->partial;
	ssize_t n = read(c->fd, r->in + c->partial_have, r->in_len - c->partial_have);
	if (n == 0)
		return -EPIPE;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	c->partial_have += (uint32_t)n;
	if (c->partial_have == r->in_len) {
		c->partial = NULL;
		handle(c, r);
	}
	return 0;
}

int conn_read(struct conn *c)
{
	if (c->partial)
		return read_partial(c);
	int rc = parse_rbuf(c);
	if (rc < 0 || !conn_can_read(c))
		return rc;
	if (c->rlen == CONN_RBUF_SIZE)
		return -EPROTO;      /* cannot happen: a full rbuf always frames */
	ssize_t n = read(c->fd, c->rbuf + c->rlen, CONN_RBUF_SIZE - c->rlen);
	if (n == 0)
		return -EPIPE;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	c->rlen += (uint32_t)n;
	return parse_rbuf(c);
}
