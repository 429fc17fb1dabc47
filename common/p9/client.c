/* 9P2000.L client: callers take turns receiving (leader/follower): the
 * leader reads replies and hands each to its waiter by tag until its own
 * came, then wakes a sleeping waiter to lead.  A lone caller thus reads
 * its own reply with no thread hand-off.  A watcher thread only waits for
 * the peer to hang up, so idle connections still fail promptly.  Senders
 * serialise on a write lock, Tflush on cancellation.  The contract is in
 * client.h. */
#include "p9/client.h"
#include "fdpass.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* Requests use tags [0, TAG_MAX); the Tflush for tag t uses t + TAG_MAX.
 * A flush therefore never waits for a free tag and never collides, and
 * the largest flush tag (0xfffd) stays below P9_NOTAG. */
#define TAG_MAX          0x7fffu
#define TAGS_INIT        64u
#define FIDS_MAX_DEFAULT (1u << 24)
#define RX_CAP           (64u * 1024)   /* reader's buffer; bigger bodies bypass it */
#define FDQ_MAX          16u            /* host fds received, not yet claimed */
#define ENC_STACK        512u           /* most T-messages encode on the stack */
#define TWRITE_HDRSZ     23u            /* size type tag fid offset count */
#define ERRNO_MAX        4095

/* One outstanding request.  Lives on the caller's stack; the leader only
 * touches it while it holds the tag (until `released`). */
struct req {
	struct p9_client *c;
	pthread_cond_t cond;        /* the caller sleeps here */
	uint8_t type;               /* T-message sent */
	uint16_t tag;
	bool done;                  /* err and the result are set */
	bool released;              /* tag freed: the reader forgot us */
	bool cancel;                /* p9_cancel_fire asked for a Tflush */
	bool flushing;              /* Tflush sent: keep the tag until Rflush */
	bool leading;               /* its caller is the receiving thread */
	struct req *snext, *sprev;  /* c->sleepers, while its caller sleeps */
	int err;
	struct p9_reply *rep;       /* generic path: decoded reply goes here */
	uint8_t rtype;              /* direct path: Rread/Rreaddir data ... */
	uint8_t *dbuf;              /* ... is copied here by the reader */
	uint32_t dcap, dlen;
};

struct p9_client {
	int fd;
	uint32_t msize;
	atomic_bool dead;
	pthread_t reader;
	bool reader_started;

	pthread_mutex_t lock;       /* tag table and every struct req */
	pthread_cond_t tag_cond;    /* a tag was freed or the connection died */
	struct req **slots;         /* by tag; NULL when free */
	bool leading;               /* some thread is receiving */
	bool watcher_waits;         /* the watcher wants to lead (peer hung up) */
	pthread_cond_t lead_cond;   /* leading became false (for the watcher) */
	struct req *sleepers;       /* callers waiting for a reply or the lead */
	uint16_t *free_tags;
	uint32_t nfree, ntags, tag_waiters;

	pthread_mutex_t wlock;      /* one message on the wire at a time */

	pthread_mutex_t fid_lock;
	uint64_t *fidmap;
	uint32_t fid_words, fid_hint, fid_max;

	uint8_t *rx;                /* the leader only */
	size_t rx_head, rx_tail;
	/* P9_VERSION_L_FDS: host fds in arrival order, each for the next
	 * Rlopen/Rlcreate of a regular file (the leader only) */
	bool hostfds;
	int fdq[FDQ_MAX];
	unsigned fdq_head, fdq_n;
};

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* A server's ecode becomes -ecode; nonsense (0, beyond any errno) is -EIO. */
static int map_ecode(uint32_t ecode)
{
	if (ecode == 0 || ecode > ERRNO_MAX)
		return -EIO;
	return -(int)ecode;
}

/* ---- connection state ----------------------------------------------- */

void p9_client_kill(struct p9_client *c)
{
	if (!atomic_exchange(&c->dead, true))
		shutdown(c->fd, SHUT_RDWR);   /* wakes the reader and blocked senders */
	pthread_mutex_lock(&c->lock);
	pthread_cond_broadcast(&c->tag_cond);
	pthread_mutex_unlock(&c->lock);
}

bool p9_client_alive(const struct p9_client *c)
{
	return !atomic_load(&c->dead);
}

uint32_t p9_client_msize(const struct p9_client *c)
{
	return c->msize;
}

uint32_t p9_client_iounit(const struct p9_client *c)
{
	return c->msize - P9_IOHDRSZ;
}

/* ---- tags (c->lock held) -------------------------------------------- */

static int tags_grow(struct p9_client *c)
{
	uint32_t n = c->ntags ? c->ntags * 2 : TAGS_INIT;
	if (n > TAG_MAX)
		n = TAG_MAX;
	struct req **slots = realloc(c->slots, n * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	c->slots = slots;
	uint16_t *ft = realloc(c->free_tags, n * sizeof(*ft));
	if (!ft)
		return -ENOMEM;
	c->free_tags = ft;
	memset(slots + c->ntags, 0, (n - c->ntags) * sizeof(*slots));
	/* push highest first so low tags are handed out first */
	for (uint32_t t = n; t > c->ntags; t--)
		c->free_tags[c->nfree++] = (uint16_t)(t - 1);
	c->ntags = n;
	return 0;
}

static int tag_get(struct p9_client *c, struct req *r)
{
	for (;;) {
		if (atomic_load(&c->dead))
			return -EIO;
		if (c->nfree)
			break;
		if (c->ntags < TAG_MAX) {
			int rc = tags_grow(c);
			if (rc < 0)
				return rc;
			continue;
		}
		c->tag_waiters++;
		pthread_cond_wait(&c->tag_cond, &c->lock);
		c->tag_waiters--;
	}
	r->tag = c->free_tags[--c->nfree];
	c->slots[r->tag] = r;
	return 0;
}

static void tag_put(struct p9_client *c, struct req *r)
{
	c->slots[r->tag] = NULL;
	c->free_tags[c->nfree++] = r->tag;
	r->released = true;
	if (c->tag_waiters)
		pthread_cond_signal(&c->tag_cond);
}

/* The request of tag, if it is still waiting for its reply. */
static struct req *tag_lookup(struct p9_client *c, uint16_t tag)
{
	struct req *r = tag < c->ntags ? c->slots[tag] : NULL;
	return r && !r->done ? r : NULL;
}

/* ---- sending -------------------------------------------------------- */

/* Send all of iov; MSG_NOSIGNAL so a dead peer is EPIPE, not SIGPIPE. */
static int send_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)n };
		ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		size_t left = (size_t)w;
		while (n > 0 && left >= iov->iov_len) {
			left -= iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + left;
			iov->iov_len -= left;
		}
	}
	return 0;
}

/* A failed or partial send leaves the stream unusable: kill it. */
static int send_msg(struct p9_client *c, struct iovec *iov, int n)
{
	int rc = -EIO;
	pthread_mutex_lock(&c->wlock);
	if (!atomic_load(&c->dead))
		rc = send_all(c->fd, iov, n);
	pthread_mutex_unlock(&c->wlock);
	if (rc < 0) {
		p9_client_kill(c);
		return -EIO;
	}
	return 0;
}

static int send_flush(struct p9_client *c, uint16_t oldtag)
{
	struct p9_msg m = { .type = P9_TFLUSH, .tag = (uint16_t)(oldtag + TAG_MAX) };
	uint8_t buf[16];
	m.u.tflush.oldtag = oldtag;
	int len = p9_encode(&m, buf, sizeof buf);
	if (len < 0)
		return len;
	struct iovec iov = { buf, (size_t)len };
	return send_msg(c, &iov, 1);
}

/* ---- receiving (the leader) ----------------------------------------- */

/* Sleep until the socket has bytes (or hung up).  A thread blocked in
 * read() on a unix stream socket is also woken each time the peer
 * consumes what we sent (write space): a wasted wake-up per request,
 * paid by both sides.  poll(POLLIN) is woken by data and hang-ups only. */
static int wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	for (;;) {
		int n = poll(&p, 1, -1);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* Queue the fds a recvmsg brought, in order; a reply takes the first.
 * The server sends one fd per reply and a recvmsg never brings the fds
 * of two sends, so a control message cut short with no fd is one fd
 * this process had no room for (EMFILE): its reply gets none (-1) and
 * the file is then served by 9P.  Anything else out of step is -EPROTO:
 * a lost fd must never give the next reply the wrong file. */
static int fdq_push(struct p9_client *c, int fd)
{
	if (c->fdq_n == FDQ_MAX) {
		if (fd >= 0)
			close(fd);
		return -EPROTO;
	}
	c->fdq[(c->fdq_head + c->fdq_n++) % FDQ_MAX] = fd;
	return 0;
}

static int fdq_take(struct p9_client *c, struct msghdr *mh)
{
	int fds[FDPASS_MAX];
	size_t got = fdpass_collect(mh, fds, FDPASS_MAX);
	int rc = 0;
	for (size_t k = 0; k < got && k < FDPASS_MAX; k++) {
		if (rc == 0)
			rc = fdq_push(c, fds[k]);
		else
			close(fds[k]);
	}
	if (got > FDPASS_MAX)
		rc = -EPROTO;
	if (mh->msg_flags & MSG_CTRUNC) {
		if (got == 0 && rc == 0)
			rc = fdq_push(c, -1);
		else
			rc = -EPROTO;
	}
	if (rc < 0)
		log_warn("9p client: host fds out of step with the replies");
	return rc;
}

/* false when none is queued; *fd may be -1 (one this process lost) */
static bool fdq_pop(struct p9_client *c, int *fd)
{
	if (c->fdq_n == 0)
		return false;
	*fd = c->fdq[c->fdq_head];
	c->fdq_head = (c->fdq_head + 1) % FDQ_MAX;
	c->fdq_n--;
	return true;
}

/* read(2) of the stream, collecting host fds when they may come. */
static ssize_t rx_read(struct p9_client *c, void *buf, size_t n)
{
	if (!c->hostfds)
		return read(c->fd, buf, n);
	struct iovec iov = { buf, n };
	struct fdpass_buf cm;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	fdpass_prepare(&mh, &cm);
	ssize_t got = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);
	if (got >= 0 && (mh.msg_controllen > 0 || (mh.msg_flags & MSG_CTRUNC)) &&
	    fdq_take(c, &mh) < 0) {
		errno = EPROTO;
		return -1;
	}
	return got;
}

/* Exactly n bytes from the stream into buf. */
static int rx_read_full(struct p9_client *c, uint8_t *buf, size_t n)
{
	while (n > 0) {
		ssize_t got = rx_read(c, buf, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return -EIO;
		buf += got;
		n -= (size_t)got;
	}
	return 0;
}

/* Make at least need (<= RX_CAP) bytes available in the buffer. */
static int rx_fill(struct p9_client *c, size_t need)
{
	while (c->rx_tail - c->rx_head < need) {
		if (c->rx_head + need > RX_CAP) {
			memmove(c->rx, c->rx + c->rx_head, c->rx_tail - c->rx_head);
			c->rx_tail -= c->rx_head;
			c->rx_head = 0;
		}
		int rc = wait_readable(c->fd);
		if (rc < 0)
			return rc;
		ssize_t n = rx_read(c, c->rx + c->rx_tail, RX_CAP - c->rx_tail);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		c->rx_tail += (size_t)n;
	}
	return 0;
}

static void rx_consume(struct p9_client *c, size_t n)
{
	c->rx_head += n;
	if (c->rx_head == c->rx_tail)
		c->rx_head = c->rx_tail = 0;
}

/* Move n bytes of the stream to dst: what is buffered, then large rests
 * straight from the socket (no second copy), small rests via the buffer. */
static int rx_copy(struct p9_client *c, uint8_t *dst, size_t n)
{
	size_t take = c->rx_tail - c->rx_head;
	if (take > n)
		take = n;
	memcpy(dst, c->rx + c->rx_head, take);
	rx_consume(c, take);
	dst += take;
	n -= take;
	if (n == 0)
		return 0;
	if (n >= RX_CAP / 2)
		return rx_read_full(c, dst, n);
	int rc = rx_fill(c, n);
	if (rc < 0)
		return rc;
	memcpy(dst, c->rx + c->rx_head, n);
	rx_consume(c, n);
	return 0;
}

/* Rflush for the request that owns tag - TAG_MAX: free its tag; if its
 * reply never came, the call was cancelled. */
static int recv_rflush(struct p9_client *c, uint32_t size, uint8_t type, uint16_t tag)
{
	if (size != P9_HDRSZ || type != P9_RFLUSH) {
		log_warn("9p client: bad reply to Tflush (type %u size %u)", type, size);
		return -EPROTO;
	}
	rx_consume(c, P9_HDRSZ);
	pthread_mutex_lock(&c->lock);
	uint16_t old = (uint16_t)(tag - TAG_MAX);
	struct req *r = old < c->ntags ? c->slots[old] : NULL;
	if (!r || !r->flushing) {
		pthread_mutex_unlock(&c->lock);
		log_warn("9p client: Rflush for tag %u that was not flushed", old);
		return -EPROTO;
	}
	if (!r->done) {
		r->err = -EINTR;
		r->done = true;
	}
	tag_put(c, r);
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

/* Rread/Rreaddir for a direct request: data goes straight to the caller. */
static int recv_direct(struct p9_client *c, struct req *r, uint32_t size)
{
	if (size < P9_RREAD_HDRSZ)
		return -EBADMSG;
	int rc = rx_fill(c, P9_RREAD_HDRSZ);
	if (rc < 0)
		return rc;
	uint32_t count = get_le32(c->rx + c->rx_head + P9_HDRSZ);
	if (count != size - P9_RREAD_HDRSZ || count > r->dcap) {
		log_warn("9p client: %s count %u does not fit (asked %u, size %u)",
			 p9_type_name(r->rtype), count, r->dcap, size);
		return -EBADMSG;
	}
	rx_consume(c, P9_RREAD_HDRSZ);
	rc = rx_copy(c, r->dbuf, count);
	if (rc < 0)
		return rc;
	r->dlen = count;
	r->err = 0;
	return 0;
}

/* Any other reply: whole message to the heap, decoded, type checked. */
static int recv_full(struct p9_client *c, struct req *r, uint32_t size)
{
	uint8_t *buf __cleanup_free = malloc(size);
	if (!buf)
		return -ENOMEM;
	int rc = rx_copy(c, buf, size);
	if (rc < 0)
		return rc;
	struct p9_msg m;
	rc = p9_decode_reply(buf, size, c->msize, &m);
	if (rc < 0) {
		log_warn("9p client: malformed reply (type %u, error %d)", buf[4], rc);
		return rc;
	}
	if (m.type == P9_RLERROR) {
		r->err = map_ecode(m.u.rlerror.ecode);
		return 0;
	}
	if (m.type != r->type + 1 || !r->rep) {
		log_warn("9p client: %s answered with %s", p9_type_name(r->type),
			 p9_type_name(m.type));
		return -EPROTO;
	}
	if (c->hostfds && (m.type == P9_RLOPEN || m.type == P9_RLCREATE)) {
		/* the reply's qid: the same place in both messages */
		const struct p9_qid *q = m.type == P9_RLOPEN ? &m.u.rlopen.qid : &m.u.rlcreate.qid;
		if (!(q->type & (P9_QTDIR | P9_QTSYMLINK))) {
			if (!fdq_pop(c, &r->rep->hostfd)) {
				log_warn("9p client: %s without its host fd", p9_type_name(m.type));
				return -EPROTO;
			}
		}
	}
	r->rep->msg = m;
	r->rep->buf = steal_ptr(&buf);
	r->err = 0;
	return 0;
}

/* One whole message.  Any error means the connection is unusable. */
static int recv_one(struct p9_client *c)
{
	uint32_t size;
	uint8_t type;
	uint16_t tag;
	int rc = rx_fill(c, P9_HDRSZ);
	if (rc < 0)
		return rc;
	p9_peek_header(c->rx + c->rx_head, P9_HDRSZ, &size, &type, &tag);
	if (size < P9_HDRSZ || size > c->msize) {
		log_warn("9p client: reply size %u outside [7, msize %u]", size, c->msize);
		return -EMSGSIZE;
	}
	if (tag >= TAG_MAX && tag != P9_NOTAG)
		return recv_rflush(c, size, type, tag);

	pthread_mutex_lock(&c->lock);
	struct req *r = tag_lookup(c, tag);
	pthread_mutex_unlock(&c->lock);
	if (!r) {
		log_warn("9p client: reply with unexpected tag %u", tag);
		return -EPROTO;
	}
	/* r stays valid: only the leader frees its tag. */
	rc = r->rtype && type == r->rtype ? recv_direct(c, r, size) : recv_full(c, r, size);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&c->lock);
	r->done = true;
	if (!r->flushing)    /* a flushed tag waits for its Rflush */
		tag_put(c, r);
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

/* Connection gone: fail every request still holding a tag. */
static void fail_all(struct p9_client *c)
{
	pthread_mutex_lock(&c->lock);
	for (uint32_t t = 0; t < c->ntags; t++) {
		struct req *r = c->slots[t];
		if (!r)
			continue;
		if (!r->done) {
			r->err = -EIO;
			r->done = true;
		}
		c->slots[t] = NULL;
		r->released = true;
		pthread_cond_signal(&r->cond);
	}
	pthread_cond_broadcast(&c->tag_cond);
	pthread_mutex_unlock(&c->lock);
}

/* The leader: receive until r's tag is released (r NULL: until the
 * connection ends).  A receive error ends the connection for everyone. */
static void lead(struct p9_client *c, struct req *r)
{
	for (;;) {
		pthread_mutex_lock(&c->lock);
		bool mine_done = r && r->released;
		pthread_mutex_unlock(&c->lock);
		if (mine_done)
			return;
		if (atomic_load(&c->dead)) {
			fail_all(c);    /* the stream may be mid-message: read no more */
			return;
		}
		int rc = recv_one(c);
		if (rc < 0) {
			if (!atomic_load(&c->dead))
				log_debug("9p client: connection closed (%d)", rc);
			p9_client_kill(c);
			fail_all(c);
			return;
		}
	}
}

/* Under c->lock: give up the lead; a sleeping caller takes it over. */
static void lead_done(struct p9_client *c)
{
	c->leading = false;
	if (c->watcher_waits)
		pthread_cond_signal(&c->lead_cond);
	if (c->sleepers)
		pthread_cond_signal(&c->sleepers->cond);
}

/* Wait for the peer to hang up (or for p9_client_kill); never reads. */
static void wait_hangup(struct p9_client *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLRDHUP };
	while (!atomic_load(&c->dead)) {
		int n = poll(&p, 1, -1);
		if (n > 0 || (n < 0 && errno != EINTR))
			return;
	}
}

/* The watcher: when the peer hangs up, take the lead once free and read
 * what is left (replies sent before the end still reach their callers),
 * then fail everyone.  It keeps the lead: the connection is over. */
static void *watcher_main(void *arg)
{
	struct p9_client *c = arg;
	wait_hangup(c);
	pthread_mutex_lock(&c->lock);
	c->watcher_waits = true;
	while (c->leading)
		pthread_cond_wait(&c->lead_cond, &c->lock);
	c->watcher_waits = false;
	c->leading = true;
	pthread_mutex_unlock(&c->lock);
	lead(c, NULL);
	return NULL;
}

/* ---- cancellation --------------------------------------------------- */

/* k->priv points at the running request; a small striped lock keeps it
 * alive while p9_cancel_fire signals it.  Order: stripe, then c->lock. */
#define CANCEL_STRIPES 16
static pthread_mutex_t cancel_locks[CANCEL_STRIPES] = {
	[0 ... CANCEL_STRIPES - 1] = PTHREAD_MUTEX_INITIALIZER
};

static pthread_mutex_t *cancel_lock(const struct p9_cancel *k)
{
	return &cancel_locks[((uintptr_t)k >> 4) % CANCEL_STRIPES];
}

void p9_cancel_init(struct p9_cancel *k)
{
	k->fired = 0;
	k->priv = NULL;
}

void p9_cancel_fire(struct p9_cancel *k)
{
	pthread_mutex_t *m = cancel_lock(k);
	pthread_mutex_lock(m);
	k->fired = 1;
	struct req *r = k->priv;
	if (r) {
		struct p9_client *c = r->c;
		pthread_mutex_lock(&c->lock);
		r->cancel = true;
		/* A leader sits in read(), not on its condition: flush for it.
		 * The stripe lock keeps the call (and c) alive meanwhile. */
		bool flush = r->leading && !r->flushing && !r->done && !r->released;
		if (flush)
			r->flushing = true;
		uint16_t tag = r->tag;
		pthread_cond_signal(&r->cond);
		pthread_mutex_unlock(&c->lock);
		if (flush)
			send_flush(c, tag);   /* failure kills: fail_all releases it */
	}
	pthread_mutex_unlock(m);
}

static int cancel_link(struct p9_cancel *k, struct req *r)
{
	int rc = 0;
	pthread_mutex_t *m = cancel_lock(k);
	pthread_mutex_lock(m);
	if (k->fired)
		rc = -EINTR;
	else
		k->priv = r;
	pthread_mutex_unlock(m);
	return rc;
}

static void cancel_unlink(struct p9_cancel *k)
{
	pthread_mutex_t *m = cancel_lock(k);
	pthread_mutex_lock(m);
	k->priv = NULL;
	pthread_mutex_unlock(m);
}

/* ---- the round trip ------------------------------------------------- */

/* Under c->lock. */
static void sleepers_add(struct p9_client *c, struct req *r)
{
	r->sprev = NULL;
	r->snext = c->sleepers;
	if (c->sleepers)
		c->sleepers->sprev = r;
	c->sleepers = r;
}

static void sleepers_del(struct p9_client *c, struct req *r)
{
	if (r->sprev)
		r->sprev->snext = r->snext;
	else
		c->sleepers = r->snext;
	if (r->snext)
		r->snext->sprev = r->sprev;
}

/* Until our tag is released: lead when nobody does, else sleep (the
 * leader wakes us with our reply or to take over); Tflush if cancelled. */
static void wait_released(struct p9_client *c, struct req *r)
{
	pthread_mutex_lock(&c->lock);
	while (!r->released) {
		if (r->cancel && !r->flushing && !r->done) {
			r->flushing = true;
			pthread_mutex_unlock(&c->lock);
			send_flush(c, r->tag);   /* failure kills: fail_all releases us */
			pthread_mutex_lock(&c->lock);
			continue;
		}
		if (!c->leading) {
			c->leading = r->leading = true;
			pthread_mutex_unlock(&c->lock);
			lead(c, r);
			pthread_mutex_lock(&c->lock);
			r->leading = false;
			lead_done(c);
			continue;
		}
		sleepers_add(c, r);
		pthread_cond_wait(&r->cond, &c->lock);
		sleepers_del(c, r);
	}
	/* We may have been woken to lead just as our reply came: pass it on. */
	if (!c->leading && c->sleepers)
		pthread_cond_signal(&c->sleepers->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Register r, send iov (iov[0] starts with the header: the tag is patched
 * in), wait for the outcome.  Returns r->err. */
static int run(struct p9_client *c, struct req *r, struct iovec *iov, int niov,
	       struct p9_cancel *k)
{
	pthread_cond_init(&r->cond, NULL);   /* before p9_cancel_fire can see r */
	int rc = k ? cancel_link(k, r) : 0;
	if (rc < 0) {
		pthread_cond_destroy(&r->cond);
		return rc;
	}
	pthread_mutex_lock(&c->lock);
	rc = tag_get(c, r);
	pthread_mutex_unlock(&c->lock);
	if (rc == 0) {
		put_le16((uint8_t *)iov[0].iov_base + 5, r->tag);
		send_msg(c, iov, niov);   /* failure kills: fail_all releases us */
		wait_released(c, r);
		rc = r->err;
	}
	if (k)
		cancel_unlink(k);
	pthread_cond_destroy(&r->cond);
	return rc;
}

/* Encode m on the stack or, when it is bigger, in a heap buffer of msize. */
static int encode(struct p9_client *c, const struct p9_msg *m, uint8_t *stack, uint8_t **heap)
{
	int len = p9_encode(m, stack, ENC_STACK);
	if (len != -EMSGSIZE)
		return len;
	*heap = malloc(c->msize);
	if (!*heap)
		return -ENOMEM;
	return p9_encode(m, *heap, c->msize);
}

static int rpc_common(struct p9_client *c, struct p9_msg *m, struct req *r, struct p9_cancel *k)
{
	uint8_t stack[ENC_STACK];
	uint8_t *heap __cleanup_free = NULL;
	struct iovec iov[2];
	int niov = 1;

	r->c = c;
	r->type = m->type;
	if (m->type == P9_TWRITE) {
		/* header only; the payload goes out from the caller's buffer */
		uint32_t count = m->u.twrite.count;
		if ((uint64_t)TWRITE_HDRSZ + count > c->msize)
			return -EMSGSIZE;
		if (count && !m->u.twrite.data)
			return -EINVAL;
		struct p9_msg h = *m;
		h.u.twrite.count = 0;
		h.u.twrite.data = NULL;
		int len = p9_encode(&h, stack, ENC_STACK);
		if (len < 0)
			return len;
		if (len != TWRITE_HDRSZ)
			return -EPROTO;
		put_le32(stack, TWRITE_HDRSZ + count);
		put_le32(stack + TWRITE_HDRSZ - 4, count);
		iov[0] = (struct iovec){ stack, TWRITE_HDRSZ };
		iov[1] = (struct iovec){ (void *)m->u.twrite.data, count };
		niov = count ? 2 : 1;
	} else {
		int len = encode(c, m, stack, &heap);
		if (len < 0)
			return len;
		iov[0] = (struct iovec){ heap ? heap : stack, (size_t)len };
	}
	int rc = run(c, r, iov, niov, k);
	m->tag = r->tag;
	return rc;
}

void p9_reply_free(struct p9_reply *r)
{
	free(r->buf);
	r->buf = NULL;
	if (r->hostfd >= 0)
		close(r->hostfd);
	r->hostfd = -1;
}

int p9_rpc(struct p9_client *c, struct p9_msg *req, struct p9_reply *rep, struct p9_cancel *k)
{
	memset(rep, 0, sizeof(*rep));
	rep->hostfd = -1;
	if (!p9_is_request(req->type) || req->type == P9_TVERSION || req->type == P9_TFLUSH)
		return -EINVAL;
	if (atomic_load(&c->dead))
		return -EIO;
	struct req r = { .rep = rep };
	int rc = rpc_common(c, req, &r, k);
	if (rc < 0)
		p9_reply_free(rep);
	return rc;
}

/* Tread/Treaddir whose data the leader copies into buf. */
static ssize_t rpc_direct(struct p9_client *c, struct p9_msg *m, void *buf, uint32_t count)
{
	if (count && !buf)
		return -EINVAL;
	if (atomic_load(&c->dead))
		return -EIO;
	struct req r = { .rtype = (uint8_t)(m->type + 1), .dbuf = buf, .dcap = count };
	int rc = rpc_common(c, m, &r, NULL);
	return rc < 0 ? rc : (ssize_t)r.dlen;
}

/* A round trip whose reply carries nothing the caller needs. */
static int rpc_void(struct p9_client *c, struct p9_msg *m)
{
	struct p9_reply rep;
	int rc = p9_rpc(c, m, &rep, NULL);
	p9_reply_free(&rep);
	return rc;
}

/* The server broke the protocol in a way the codec cannot see. */
static int bad_reply(struct p9_client *c, struct p9_reply *rep, const char *why)
{
	log_warn("9p client: %s: %s", p9_type_name(rep->msg.type), why);
	p9_reply_free(rep);
	p9_client_kill(c);
	return -EIO;
}

/* ---- fids ----------------------------------------------------------- */

void p9_client_set_max_fids(struct p9_client *c, uint32_t max)
{
	if (max == 0)
		max = 1;
	pthread_mutex_lock(&c->fid_lock);
	c->fid_max = max;    /* fids < max, so P9_NOFID is never reached */
	pthread_mutex_unlock(&c->fid_lock);
}

/* Lowest free fid of word w below fid_max, or -1. */
static int64_t fid_in_word(const struct p9_client *c, uint32_t w)
{
	uint64_t base = (uint64_t)w * 64;
	if (base >= c->fid_max)
		return -1;
	uint64_t freebits = ~c->fidmap[w];
	uint64_t room = c->fid_max - base;
	if (room < 64)
		freebits &= (UINT64_C(1) << room) - 1;
	if (!freebits)
		return -1;
	return (int64_t)(base + (uint64_t)__builtin_ctzll(freebits));
}

static int fid_grow(struct p9_client *c)
{
	uint64_t limit = ((uint64_t)c->fid_max + 63) / 64;
	if (c->fid_words >= limit)
		return -EMFILE;
	uint64_t n = c->fid_words ? (uint64_t)c->fid_words * 2 : 4;
	if (n > limit)
		n = limit;
	uint64_t *map = realloc(c->fidmap, n * sizeof(*map));
	if (!map)
		return -ENOMEM;
	memset(map + c->fid_words, 0, (n - c->fid_words) * sizeof(*map));
	c->fid_hint = c->fid_words;
	c->fidmap = map;
	c->fid_words = (uint32_t)n;
	return 0;
}

int p9_fid_alloc(struct p9_client *c, uint32_t *fid)
{
	int rc = 0;
	pthread_mutex_lock(&c->fid_lock);
	for (;;) {
		int64_t f = -1;
		for (uint32_t i = 0; i < c->fid_words && f < 0; i++)
			f = fid_in_word(c, (c->fid_hint + i) % c->fid_words);
		if (f >= 0) {
			c->fidmap[f / 64] |= UINT64_C(1) << (f % 64);
			c->fid_hint = (uint32_t)(f / 64);
			*fid = (uint32_t)f;
			break;
		}
		rc = fid_grow(c);
		if (rc < 0)
			break;
	}
	pthread_mutex_unlock(&c->fid_lock);
	return rc;
}

void p9_fid_release(struct p9_client *c, uint32_t fid)
{
	pthread_mutex_lock(&c->fid_lock);
	if (fid / 64 < c->fid_words) {
		c->fidmap[fid / 64] &= ~(UINT64_C(1) << (fid % 64));
		if (fid / 64 < c->fid_hint)
			c->fid_hint = fid / 64;
	}
	pthread_mutex_unlock(&c->fid_lock);
}

/* ---- setup and teardown --------------------------------------------- */

static void client_destroy(struct p9_client *c)
{
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->wlock);
	pthread_mutex_destroy(&c->fid_lock);
	pthread_cond_destroy(&c->tag_cond);
	pthread_cond_destroy(&c->lead_cond);
	free(c->slots);
	free(c->free_tags);
	free(c->fidmap);
	free(c->rx);
	for (int fd; fdq_pop(c, &fd);)
		if (fd >= 0)
			close(fd);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

void p9_client_free(struct p9_client *c)
{
	if (!c)
		return;
	p9_client_kill(c);
	if (c->reader_started)
		pthread_join(c->reader, NULL);
	client_destroy(c);
}

/* Only blocking stream sockets: shutdown(2) is how a dead connection wakes
 * the reader and blocked senders.  Close-on-exec so the sandboxed app never
 * inherits the gofer connection. */
static int prepare_fd(int fd)
{
	int type;
	socklen_t len = sizeof type;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -errno;
	if (type != SOCK_STREAM)
		return -EPROTOTYPE;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || ((fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0))
		return -errno;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

/* Check an Rversion in buf[0..size): ours, a known version, a sane msize. */
static int check_rversion(struct p9_client *c, const uint8_t *buf, uint32_t size, uint32_t msize)
{
	struct p9_msg m;
	/* diod refuses a version it does not know with Rlerror */
	if (c->hostfds && size >= P9_HDRSZ && buf[4] == P9_RLERROR)
		return -EOPNOTSUPP;
	if (p9_decode_reply(buf, size, msize, &m) < 0)
		return -EPROTO;
	if (m.type != P9_RVERSION || m.tag != P9_NOTAG)
		return -EPROTO;
	struct p9_str v = m.u.version.version;
	bool fds = v.len == strlen(P9_VERSION_L_FDS) && memcmp(v.s, P9_VERSION_L_FDS, v.len) == 0;
	if (fds && !c->hostfds)
		return -EPROTO;          /* never asked for */
	if (!fds && (v.len != strlen(P9_VERSION_L) || memcmp(v.s, P9_VERSION_L, v.len) != 0))
		return -EOPNOTSUPP;
	if (m.u.version.msize < P9_MIN_MSIZE || m.u.version.msize > msize)
		return -EPROTO;
	c->msize = m.u.version.msize;
	c->hostfds = fds;
	return 0;
}

/* One Tversion; c->hostfds says which version to ask for. */
static int negotiate_once(struct p9_client *c, uint32_t msize)
{
	struct p9_msg m = { .type = P9_TVERSION, .tag = P9_NOTAG };
	m.u.version.msize = msize;
	m.u.version.version = p9_str_of(c->hostfds ? P9_VERSION_L_FDS : P9_VERSION_L);
	uint8_t out[32];
	int len = p9_encode(&m, out, sizeof out);
	if (len < 0)
		return len;
	struct iovec iov = { out, (size_t)len };
	if (send_all(c->fd, &iov, 1) < 0)
		return -EIO;

	int rc = rx_fill(c, P9_HDRSZ);
	if (rc < 0)
		return -EIO;
	uint32_t size;
	p9_peek_header(c->rx + c->rx_head, P9_HDRSZ, &size, NULL, NULL);
	if (size < P9_HDRSZ || size > msize)
		return -EPROTO;
	uint8_t *buf __cleanup_free = malloc(size);
	if (!buf)
		return -ENOMEM;
	if (rx_copy(c, buf, size) < 0)
		return -EIO;
	return check_rversion(c, buf, size, msize);
}

/* Ask for the host-fd extension if wanted; a server that does not know
 * it answers "9P2000.L" (then it is off) or "unknown" (then ask again
 * for plain 9P2000.L: a Tversion starts the session afresh). */
static int negotiate(struct p9_client *c, uint32_t msize, bool hostfds)
{
	c->hostfds = hostfds;
	int rc = negotiate_once(c, msize);
	if (rc == -EOPNOTSUPP && hostfds) {
		c->hostfds = false;
		rc = negotiate_once(c, msize);
	}
	return rc;
}

static int client_alloc(int fd, struct p9_client **out)
{
	struct p9_client *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = fd;
	c->fid_max = FIDS_MAX_DEFAULT;
	atomic_init(&c->dead, false);
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->wlock, NULL);
	pthread_mutex_init(&c->fid_lock, NULL);
	pthread_cond_init(&c->tag_cond, NULL);
	pthread_cond_init(&c->lead_cond, NULL);
	c->rx = malloc(RX_CAP);
	if (!c->rx) {
		c->fd = -1;
		client_destroy(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

/* The watcher takes no signals: they belong to the application's threads. */
static int start_reader(struct p9_client *c)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&c->reader, NULL, watcher_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -rc;
	c->reader_started = true;
	return 0;
}

int p9_client_new(int fd, uint32_t msize, struct p9_client **out)
{
	return p9_client_new_opts(fd, msize, 0, out);
}

bool p9_client_hostfds(const struct p9_client *c)
{
	return c->hostfds;
}

int p9_client_new_opts(int fd, uint32_t msize, unsigned flags, struct p9_client **out)
{
	int owned __cleanup_close = fd;
	struct p9_client *c;
	*out = NULL;
	int rc = prepare_fd(fd);
	if (rc < 0)
		return rc;
	if (msize < P9_MIN_MSIZE)
		msize = P9_MIN_MSIZE;
	if (msize > P9_MAX_MSIZE)
		msize = P9_MAX_MSIZE;
	rc = client_alloc(owned, &c);
	if (rc < 0)
		return rc;
	steal_fd(&owned);
	rc = negotiate(c, msize, flags & P9_CLIENT_HOSTFDS);
	if (rc == 0)
		rc = start_reader(c);
	if (rc < 0) {
		client_destroy(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* ---- typed helpers -------------------------------------------------- */

static int mkstr(const char *s, struct p9_str *out)
{
	if (!s)
		return -EINVAL;
	size_t n = strlen(s);
	if (n > UINT16_MAX)
		return -ENAMETOOLONG;
	*out = (struct p9_str){ (uint16_t)n, n ? s : NULL };
	return 0;
}

int p9_attach(struct p9_client *c, uint32_t fid, const char *uname, const char *aname,
	      uint32_t n_uname, struct p9_qid *qid)
{
	struct p9_msg m = { .type = P9_TATTACH };
	m.u.tattach.fid = fid;
	m.u.tattach.afid = P9_NOFID;
	m.u.tattach.n_uname = n_uname;
	int rc = mkstr(uname ? uname : "", &m.u.tattach.uname);
	if (rc == 0)
		rc = mkstr(aname ? aname : "", &m.u.tattach.aname);
	if (rc < 0)
		return rc;
	struct p9_reply rep;
	rc = p9_rpc(c, &m, &rep, NULL);
	if (rc < 0)
		return rc;
	if (qid)
		*qid = rep.msg.u.rattach.qid;
	p9_reply_free(&rep);
	return 0;
}

int p9_walk(struct p9_client *c, uint32_t fid, uint32_t newfid, uint16_t nwname,
	    const char *const *names, struct p9_qid *qids)
{
	if (nwname > P9_MAXWELEM)
		return -E2BIG;
	if (nwname && !names)
		return -EINVAL;
	struct p9_msg m = { .type = P9_TWALK };
	m.u.twalk.fid = fid;
	m.u.twalk.newfid = newfid;
	m.u.twalk.nwname = nwname;
	for (uint16_t i = 0; i < nwname; i++) {
		int rc = mkstr(names[i], &m.u.twalk.wnames[i]);
		if (rc < 0)
			return rc;
	}
	struct p9_reply rep;
	int rc = p9_rpc(c, &m, &rep, NULL);
	if (rc < 0)
		return rc;
	uint16_t n = rep.msg.u.rwalk.nwqid;
	if (n > nwname)
		return bad_reply(c, &rep, "more qids than names");
	if (qids)
		memcpy(qids, rep.msg.u.rwalk.wqids, n * sizeof(*qids));
	p9_reply_free(&rep);
	return n;
}

int p9_clunk(struct p9_client *c, uint32_t fid)
{
	struct p9_msg m = { .type = P9_TCLUNK };
	m.u.tclunk.fid = fid;
	return rpc_void(c, &m);
}

int p9_remove(struct p9_client *c, uint32_t fid)
{
	struct p9_msg m = { .type = P9_TREMOVE };
	m.u.tremove.fid = fid;
	return rpc_void(c, &m);
}

int p9_lopen(struct p9_client *c, uint32_t fid, uint32_t flags, struct p9_qid *qid, uint32_t *iounit)
{
	return p9_lopen_fd(c, fid, flags, qid, iounit, NULL);
}

int p9_lopen_fd(struct p9_client *c, uint32_t fid, uint32_t flags, struct p9_qid *qid,
		uint32_t *iounit, int *hostfd)
{
	if (hostfd)
		*hostfd = -1;
	struct p9_msg m = { .type = P9_TLOPEN };
	m.u.tlopen.fid = fid;
	m.u.tlopen.flags = flags;
	struct p9_reply rep;
	int rc = p9_rpc(c, &m, &rep, NULL);
	if (rc < 0)
		return rc;
	if (qid)
		*qid = rep.msg.u.rlopen.qid;
	if (iounit)
		*iounit = rep.msg.u.rlopen.iounit;
	if (hostfd)
		*hostfd = steal_fd(&rep.hostfd);
	p9_reply_free(&rep);
	return 0;
}

int p9_lcreate(struct p9_client *c, uint32_t fid, const char *name, uint32_t flags,
	       uint32_t mode, uint32_t gid, struct p9_qid *qid, uint32_t *iounit)
{
	return p9_lcreate_fd(c, fid, name, flags, mode, gid, qid, iounit, NULL);
}

int p9_lcreate_fd(struct p9_client *c, uint32_t fid, const char *name, uint32_t flags,
		  uint32_t mode, uint32_t gid, struct p9_qid *qid, uint32_t *iounit, int *hostfd)
{
	if (hostfd)
		*hostfd = -1;
	struct p9_msg m = { .type = P9_TLCREATE };
	m.u.tlcreate.fid = fid;
	m.u.tlcreate.flags = flags;
	m.u.tlcreate.mode = mode;
	m.u.tlcreate.gid = gid;
	int rc = mkstr(name, &m.u.tlcreate.name);
	if (rc < 0)
		return rc;
	struct p9_reply rep;
	rc = p9_rpc(c, &m, &rep, NULL);
	if (rc < 0)
		return rc;
	if (qid)
		*qid = rep.msg.u.rlcreate.qid;
	if (iounit)
		*iounit = rep.msg.u.rlcreate.iounit;
	if (hostfd)
		*hostfd = steal_fd(&rep.hostfd);
	p9_reply_free(&rep);
	return 0;
}

static uint32_t clamp_io(const struct p9_client *c, uint32_t count)
{
	uint32_t max = p9_client_iounit(c);
	return count > max ? max : count;
}

ssize_t p9_read(struct p9_client *c, uint32_t fid, uint64_t offset, void *buf, uint32_t count)
{
	struct p9_msg m = { .type = P9_TREAD };
	m.u.tread.fid = fid;
	m.u.tread.offset = offset;
	m.u.tread.count = clamp_io(c, count);
	return rpc_direct(c, &m, buf, m.u.tread.count);
}

ssize_t p9_readdir(struct p9_client *c, uint32_t fid, uint64_t offset, void *buf, uint32_t count)
{
	struct p9_msg m = { .type = P9_TREADDIR };
	m.u.treaddir.fid = fid;
	m.u.treaddir.offset = offset;
	m.u.treaddir.count = clamp_io(c, count);
	return rpc_direct(c, &m, buf, m.u.treaddir.count);
}

ssize_t p9_write(struct p9_client *c, uint32_t fid, uint64_t offset, const void *buf, uint32_t count)
{
	struct p9_msg m = { .type = P9_TWRITE };
	m.u.twrite.fid = fid;
	m.u.twrite.offset = offset;
	m.u.twrite.count = clamp_io(c, count);
	m.u.twrite.data = buf;
	struct p9_reply rep;
	int rc = p9_rpc(c, &m, &rep, NULL);
	if (rc < 0)
		return rc;
	uint32_t n = rep.msg.u.rwrite.count;
	if (n > m.u.twrite.count)
		return bad_reply(c, &rep, "wrote more than was sent");
	p9_reply_free(&rep);
	return n;
}

int p9_getattr(struct p9_client *c, uint32_t fid, uint64_t mask, struct p9_attr *attr)
{
	struct p9_msg m = { .type = P9_TGETATTR };
	m.u.tgetattr.fid = fid;
	m.u.tgetattr.request_mask = mask;
	struct p9_reply rep;
	int rc = p9_rpc(c, &m, &rep, NULL);
	if (rc < 0)
		return rc;
	*attr = rep.msg.u.rgetattr;
	p9_reply_free(&rep);
	return 0;
}

int p9_setattr(struct p9_client *c, uint32_t fid, const struct p9_iattr *attr)
{
	struct p9_msg m = { .type = P9_TSETATTR };
	m.u.tsetattr.fid = fid;
	m.u.tsetattr.attr = *attr;
	return rpc_void(c, &m);
}

int p9_statfs(struct p9_client *c, uint32_t fid, struct p9_statfs *st)
{
	struct p9_msg m = { .type = P9_TSTATFS };
	m.u.tstatfs.fid = fid;
	struct p9_reply rep;
	int rc = p9_rpc(c, &m, &rep, NULL);
	if (rc < 0)
		return rc;
	*st = rep.msg.u.rstatfs;
	p9_reply_free(&rep);
	return 0;
}

/* Tsymlink, Tmknod, Tmkdir: all answer with one qid at the same place. */
static int rpc_qid(struct p9_client *c, struct p9_msg *m, struct p9_qid *qid)
{
	struct p9_reply rep;
	int rc = p9_rpc(c, m, &rep, NULL);
	if (rc < 0)
		return rc;
	if (qid) {
		switch (rep.msg.type) {
		case P9_RSYMLINK: *qid = rep.msg.u.rsymlink.qid; break;
		case P9_RMKNOD:   *qid = rep.msg.u.rmknod.qid; break;
		default:          *qid = rep.msg.u.rmkdir.qid; break;
		}
	}
	p9_reply_free(&rep);
	return 0;
}

int p9_symlink(struct p9_client *c, uint32_t dfid, const char *name, const char *target,
	       uint32_t gid, struct p9_qid *qid)
{
	struct p9_msg m = { .type = P9_TSYMLINK };
	m.u.tsymlink.fid = dfid;
	m.u.tsymlink.gid = gid;
	int rc = mkstr(name, &m.u.tsymlink.name);
	if (rc == 0)
		rc = mkstr(target, &m.u.tsymlink.symtgt);
	return rc < 0 ? rc : rpc_qid(c, &m, qid);
}

int p9_mknod(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode,
	     uint32_t major, uint32_t minor, uint32_t gid, struct p9_qid *qid)
{
	struct p9_msg m = { .type = P9_TMKNOD };
	m.u.tmknod.dfid = dfid;
	m.u.tmknod.mode = mode;
	m.u.tmknod.major = major;
	m.u.tmknod.minor = minor;
	m.u.tmknod.gid = gid;
	int rc = mkstr(name, &m.u.tmknod.name);
	return rc < 0 ? rc : rpc_qid(c, &m, qid);
}

int p9_mkdir(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode,
	     uint32_t gid, struct p9_qid *qid)
{
	struct p9_msg m = { .type = P9_TMKDIR };
	m.u.tmkdir.dfid = dfid;
	m.u.tmkdir.mode = mode;
	m.u.tmkdir.gid = gid;
	int rc = mkstr(name, &m.u.tmkdir.name);
	return rc < 0 ? rc : rpc_qid(c, &m, qid);
}

int p9_readlink(struct p9_client *c, uint32_t fid, char *buf, size_t cap)
{
	struct p9_msg m = { .type = P9_TREADLINK };
	m.u.treadlink.fid = fid;
	struct p9_reply rep;
	int rc = p9_rpc(c, &m, &rep, NULL);
	if (rc < 0)
		return rc;
	struct p9_str t = rep.msg.u.rreadlink.target;
	rc = p9_str_copy(buf, cap, t);
	p9_reply_free(&rep);
	return rc < 0 ? rc : t.len;
}

int p9_link(struct p9_client *c, uint32_t dfid, uint32_t fid, const char *name)
{
	struct p9_msg m = { .type = P9_TLINK };
	m.u.tlink.dfid = dfid;
	m.u.tlink.fid = fid;
	int rc = mkstr(name, &m.u.tlink.name);
	return rc < 0 ? rc : rpc_void(c, &m);
}

int p9_rename(struct p9_client *c, uint32_t fid, uint32_t dfid, const char *name)
{
	struct p9_msg m = { .type = P9_TRENAME };
	m.u.trename.fid = fid;
	m.u.trename.dfid = dfid;
	int rc = mkstr(name, &m.u.trename.name);
	return rc < 0 ? rc : rpc_void(c, &m);
}

int p9_renameat(struct p9_client *c, uint32_t olddfid, const char *oldname,
		uint32_t newdfid, const char *newname)
{
	struct p9_msg m = { .type = P9_TRENAMEAT };
	m.u.trenameat.olddirfid = olddfid;
	m.u.trenameat.newdirfid = newdfid;
	int rc = mkstr(oldname, &m.u.trenameat.oldname);
	if (rc == 0)
		rc = mkstr(newname, &m.u.trenameat.newname);
	return rc < 0 ? rc : rpc_void(c, &m);
}

int p9_unlinkat(struct p9_client *c, uint32_t dfid, const char *name, uint32_t flags)
{
	struct p9_msg m = { .type = P9_TUNLINKAT };
	m.u.tunlinkat.dirfid = dfid;
	m.u.tunlinkat.flags = flags;
	int rc = mkstr(name, &m.u.tunlinkat.name);
	return rc < 0 ? rc : rpc_void(c, &m);
}

int p9_fsync(struct p9_client *c, uint32_t fid, uint32_t datasync)
{
	struct p9_msg m = { .type = P9_TFSYNC };
	m.u.tfsync.fid = fid;
	m.u.tfsync.datasync = datasync;
	return rpc_void(c, &m);
}

int p9_xattrwalk(struct p9_client *c, uint32_t fid, uint32_t newfid, const char *name, uint64_t *size)
{
	struct p9_msg m = { .type = P9_TXATTRWALK };
	m.u.txattrwalk.fid = fid;
	m.u.txattrwalk.newfid = newfid;
	int rc = mkstr(name ? name : "", &m.u.txattrwalk.name);
	if (rc < 0)
		return rc;
	struct p9_reply rep;
	rc = p9_rpc(c, &m, &rep, NULL);
	if (rc < 0)
		return rc;
	if (size)
		*size = rep.msg.u.rxattrwalk.size;
	p9_reply_free(&rep);
	return 0;
}

int p9_xattrcreate(struct p9_client *c, uint32_t fid, const char *name, uint64_t size, uint32_t flags)
{
	struct p9_msg m = { .type = P9_TXATTRCREATE };
	m.u.txattrcreate.fid = fid;
	m.u.txattrcreate.attr_size = size;
	m.u.txattrcreate.flags = flags;
	int rc = mkstr(name, &m.u.txattrcreate.name);
	return rc < 0 ? rc : rpc_void(c, &m);
}

int p9_lock(struct p9_client *c, uint32_t fid, const struct p9_flock *lk)
{
	struct p9_msg m = { .type = P9_TLOCK };
	m.u.tlock.fid = fid;
	m.u.tlock.lock = *lk;
	struct p9_reply rep;
	int rc = p9_rpc(c, &m, &rep, NULL);
	if (rc < 0)
		return rc;
	rc = rep.msg.u.rlock.status;
	p9_reply_free(&rep);
	return rc;
}

int p9_getlock(struct p9_client *c, uint32_t fid, const struct p9_flock *lk, struct p9_flock *out,
	       char *client_id, size_t cap)
{
	struct p9_msg m = { .type = P9_TGETLOCK };
	m.u.tgetlock.fid = fid;
	m.u.tgetlock.lock = *lk;
	struct p9_reply rep;
	int rc = p9_rpc(c, &m, &rep, NULL);
	if (rc < 0)
		return rc;
	struct p9_flock got = rep.msg.u.rgetlock;
	got.flags = 0;
	got.client_id = (struct p9_str){ 0, NULL };
	if (client_id && cap) {
		rc = p9_str_copy(client_id, cap, rep.msg.u.rgetlock.client_id);
		if (rc == 0)
			got.client_id = (struct p9_str){ rep.msg.u.rgetlock.client_id.len, client_id };
	}
	p9_reply_free(&rep);
	if (rc < 0)
		return rc;
	*out = got;
	return 0;
}
