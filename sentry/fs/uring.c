/* FUSE over io_uring (Linux 6.14 and later, with the fuse module's
 * enable_uring parameter on).
 *
 * Why: over /dev/fuse a request wakes whichever server thread the kernel
 * picks, usually on another CPU than the caller, and the reply wakes the
 * caller back across CPUs.  On a VM each such wake-up is an IPI through
 * the hypervisor (tens of microseconds, more than most requests cost), and
 * whether a caller and the thread serving it share a CPU is luck: the same
 * `find` took 15 ms or 30 ms.  With io_uring the kernel queues a request
 * on the ring of the CPU its caller runs on; our threads for that ring are
 * pinned to that CPU, so caller, server thread and reply stay together.
 *
 * How, with a libfuse (3.14) that does not know this transport: the
 * session gets our own read/writev (fuse_session_custom_io).  The INIT
 * reply offers the transport when the kernel's INIT did; then every ring
 * entry (a header and a payload buffer) is registered, one thread per
 * entry.  A request an entry brings is laid out as /dev/fuse would have
 * given it and handed to fuse_session_process_buf; a reply whose unique
 * names an entry is copied into that entry's buffers and committed (which
 * also fetches the entry's next request).  Everything else (INIT, forgets,
 * interrupts, notifications: the kernel keeps those on /dev/fuse) goes
 * through /dev/fuse as before, and if the kernel refuses the transport
 * the mount simply stays on /dev/fuse. */
#include "fs_int.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* The kernel's ABI (include/uapi/linux/fuse.h, 7.42), newer than the
 * headers Debian 12 ships. */
#define URING_INIT_FLAG2 (1u << 9)            /* FUSE_OVER_IO_URING, bit 41 */
#define URING_CMD_REGISTER 1u
#define URING_CMD_COMMIT_AND_FETCH 2u
#define URING_OP_IN_SZ 128u
#define URING_MIN_PAGES 32u       /* see init_reply */

struct uring_ent_in_out {
	uint64_t flags;
	uint64_t commit_id;     /* the request's unique: names it in the commit */
	uint32_t payload_sz;    /* bytes in the payload buffer, both ways */
	uint32_t padding;
	uint64_t reserved;
};

struct uring_req_header {
	char in_out[128];       /* fuse_in_header, then our fuse_out_header */
	char op_in[URING_OP_IN_SZ];   /* the op's own header (fuse_write_in, ...) */
	struct uring_ent_in_out ent;
};

struct uring_cmd_req {      /* in the SQE's 80-byte command area */
	uint64_t flags;
	uint64_t commit_id;
	uint16_t qid;
	uint8_t padding[6];
};

#define TAG_ENT 1u
#define TAG_STOP 2u
#define HEAD_ROOM 4096u     /* before the payload: the request's headers */

struct uring_queue;

struct uring_ent {
	struct fs_uring *u;
	struct uring_queue *q;
	struct io_uring ring;
	bool ring_up, thread_up;
	pthread_mutex_t sq_mu;  /* a reply may come from another thread */
	pthread_t thread;
	uint16_t qid;
	struct uring_req_header *hdr;
	uint8_t *region;        /* HEAD_ROOM, then the payload buffer */
	struct iovec iov[2];
	_Atomic uint64_t unique;   /* the request being served, 0: none */
};

/* A CPU's ring: its entries, one thread each.  A thread that waits long
 * (on the 9P server, on a lock another process holds) keeps its entry, so
 * when none is left idle another is added, up to max_threads: the request
 * that would end the wait (the unlock) may come from this very CPU. */
struct uring_queue {
	pthread_mutex_t mu;
	_Atomic unsigned n;     /* entries set up */
	_Atomic unsigned idle;  /* entries waiting for a request */
	_Atomic uint64_t done;  /* replies committed */
	uint64_t seen_done;     /* the kicker's: done at its last look */
	unsigned still;         /* the kicker's: looks with no progress */
};

struct fs_uring {
	struct fuse_session *se;
	int devfd;
	int stop_fd;            /* an eventfd: readable once the threads must end */
	char *mountpoint;
	pthread_t kicker;
	bool kicker_up;
	size_t payload_sz;
	unsigned ncpu, per_cpu; /* ents: per_cpu slots for each CPU, in order */
	_Atomic uint64_t init_unique;
	atomic_bool offered;    /* the kernel's INIT offered the transport */
	atomic_bool started;
	_Atomic uint64_t served;
	struct uring_queue *queues;
	struct uring_ent ents[];
};

static __thread struct uring_ent *serving;   /* this thread's entry */

/* The CPUs the kernel may queue on: one ring per possible CPU. */
static unsigned possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	unsigned last = 0;
	if (f) {
		char line[256];
		if (fgets(line, sizeof line, f)) {
			char *p = strrchr(line, '-'), *q = strrchr(line, ',');
			const char *num = p && (!q || p > q) ? p + 1 : q ? q + 1 : line;
			last = (unsigned)strtoul(num, NULL, 10);
		}
		fclose(f);
	}
	return last + 1;
}

/* Entries kept idle on each CPU's ring.  The kernel hands a request that
 * found none to the next entry committing a reply (a newly registered one
 * does not take it), so a request that would end every entry's wait (an
 * unlock) must find one idle: grow while serving, before it is too late. */
#define URING_SPARE 2u

/* ---- the kernel side of an entry ---- */

static int ent_cmd(struct uring_ent *e, uint32_t op)
{
	pthread_mutex_lock(&e->sq_mu);
	struct io_uring_sqe *sqe = io_uring_get_sqe(&e->ring);
	int r = -EBUSY;
	if (sqe) {
		memset(sqe, 0, 2 * sizeof *sqe);   /* SQE128 */
		sqe->opcode = IORING_OP_URING_CMD;
		sqe->fd = e->u->devfd;
		sqe->cmd_op = op;
		sqe->addr = (uint64_t)(uintptr_t)e->iov;
		sqe->len = 2;
		sqe->user_data = TAG_ENT;
		struct uring_cmd_req *c = (struct uring_cmd_req *)sqe->cmd;
		c->commit_id = e->hdr->ent.commit_id;
		c->qid = e->qid;
		r = io_uring_submit(&e->ring);
	}
	pthread_mutex_unlock(&e->sq_mu);
	return r < 0 ? r : 0;
}

static void queue_grow(struct fs_uring *u, struct uring_queue *q);

/* Lay the request out as read(2) of /dev/fuse gives it, right before the
 * payload (the op header and fuse_in_header fit in HEAD_ROOM), and run it. */
static void ent_serve(struct uring_ent *e)
{
	struct fuse_in_header ih;
	memcpy(&ih, e->hdr->in_out, sizeof ih);
	uint32_t psz = e->hdr->ent.payload_sz;
	if (psz > e->u->payload_sz || ih.len < sizeof ih + (uint64_t)psz ||
	    ih.len - sizeof ih - psz > URING_OP_IN_SZ) {
		log_warn("fs: io_uring request %llu with a bad size; answering EIO",
			 (unsigned long long)ih.unique);
		struct fuse_out_header oh = { .len = sizeof oh, .error = -EIO, .unique = ih.unique };
		memcpy(e->hdr->in_out, &oh, sizeof oh);
		e->hdr->ent.payload_sz = 0;
		if (ent_cmd(e, URING_CMD_COMMIT_AND_FETCH) < 0)
			log_warn("fs: io_uring commit failed");
		return;
	}
	size_t oplen = ih.len - sizeof ih - psz;
	uint8_t *payload = e->region + HEAD_ROOM;
	uint8_t *start = payload - oplen - sizeof ih;
	memcpy(start, &ih, sizeof ih);
	memcpy(start + sizeof ih, e->hdr->op_in, oplen);
	atomic_store(&e->unique, ih.unique);
	atomic_fetch_add(&e->u->served, 1);
	if (atomic_fetch_sub(&e->q->idle, 1) <= URING_SPARE)
		queue_grow(e->u, e->q);
	struct fuse_buf b = { .mem = start, .size = ih.len };
	serving = e;
	fuse_session_process_buf(e->u->se, &b);
	serving = NULL;
	atomic_fetch_add(&e->q->idle, 1);
}

/* A reply to the entry's request: into its buffers, then commit (and
 * fetch the next).  Returns what writev(2) would. */
static ssize_t ent_reply(struct uring_ent *e, const struct iovec *iov, int count)
{
	struct fuse_out_header oh;
	memcpy(&oh, iov[0].iov_base, sizeof oh);
	uint8_t *dst = e->region + HEAD_ROOM;
	size_t total = 0;
	for (int k = 1; k < count; k++)
		total += iov[k].iov_len;
	if (total > e->u->payload_sz) {   /* libfuse never builds one: still, no overflow */
		oh.error = -EIO;
		total = 0;
	} else {
		size_t at = 0;
		for (int k = 1; k < count; k++) {
			memcpy(dst + at, iov[k].iov_base, iov[k].iov_len);
			at += iov[k].iov_len;
		}
	}
	memcpy(e->hdr->in_out, &oh, sizeof oh);
	e->hdr->ent.payload_sz = (uint32_t)total;
	atomic_store(&e->unique, 0);
	atomic_fetch_add(&e->q->done, 1);
	int r = ent_cmd(e, URING_CMD_COMMIT_AND_FETCH);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return (ssize_t)(sizeof oh + total);
}

static void pin_to(unsigned cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof set, &set) < 0)
		log_debug("fs: io_uring thread for CPU %u stays unpinned: %m", cpu);
}

static void *ent_main(void *arg)
{
	struct uring_ent *e = arg;
	pin_to(e->qid);
	int r = ent_cmd(e, URING_CMD_REGISTER);
	bool registered = false;   /* known once a first request came */
	while (r == 0) {
		struct io_uring_cqe *cqe;
		r = io_uring_wait_cqe(&e->ring, &cqe);
		if (r == -EINTR) {
			r = 0;
			continue;
		}
		if (r < 0)
			break;
		uint64_t tag = cqe->user_data;
		int res = cqe->res;
		io_uring_cqe_seen(&e->ring, cqe);
		if (tag == TAG_STOP)
			break;
		if (res < 0) {   /* refused, or the connection is over */
			if (!registered && res != -ENOTCONN && res != -ECANCELED &&
			    res != -ECONNABORTED)
				log_info("fs: io_uring transport refused by the kernel (%s); "
					 "the mount stays on /dev/fuse", strerror(-res));
			break;
		}
		registered = true;
		ent_serve(e);
	}
	return NULL;
}

/* ---- the session's read and writev ---- */

static ssize_t io_read(int fd, void *buf, size_t len, void *userdata)
{
	struct fs *fs = userdata;
	ssize_t n = read(fd, buf, len);
	struct fs_uring *u = fs->uring;
	if (!u || n < (ssize_t)(sizeof(struct fuse_in_header) + offsetof(struct fuse_init_in, flags2) +
				sizeof(uint32_t)))
		return n;
	const struct fuse_in_header *ih = buf;
	if (ih->opcode != FUSE_INIT)
		return n;
	const struct fuse_init_in *in = (const void *)(ih + 1);
	bool ext = (in->flags & FUSE_INIT_EXT) != 0;
	atomic_store(&u->offered, ext && (in->flags2 & URING_INIT_FLAG2));
	atomic_store(&u->init_unique, ih->unique);
	return n;
}

static int start_entries(struct fs_uring *u);

/* The INIT reply: take the transport the kernel offered, size the
 * payload buffers to what was agreed, start the ring threads once the
 * kernel has the reply (it refuses registrations before). */
static ssize_t init_reply(struct fs_uring *u, int fd, struct iovec *iov, int count)
{
	bool take = false;
	if (atomic_load(&u->offered) && count >= 2 &&
	    iov[1].iov_len >= offsetof(struct fuse_init_out, flags2) + sizeof(uint32_t)) {
		struct fuse_init_out *out = iov[1].iov_base;
		const struct fuse_out_header *oh = iov[0].iov_base;
		if (oh->error == 0) {
			out->flags |= FUSE_INIT_EXT | FUSE_MAX_PAGES;
			out->flags2 |= URING_INIT_FLAG2;
			/* The kernel sizes the payload buffers by max_write and
			 * max_pages only, and copies a request that does not fit
			 * past their end (Linux 6.18 stops on a BUG_ON): a
			 * setxattr carries up to 64 KiB, more than max_write on a
			 * server with a small msize.  32 pages leave room; reads
			 * larger than one 9P message are cut up anyway. */
			if (out->max_pages < URING_MIN_PAGES)
				out->max_pages = URING_MIN_PAGES;
			size_t pages = out->max_pages;
			size_t pg = (size_t)sysconf(_SC_PAGESIZE);
			size_t sz = out->max_write > pages * pg ? out->max_write : pages * pg;
			u->payload_sz = sz > FUSE_MIN_READ_BUFFER ? sz : FUSE_MIN_READ_BUFFER;
			take = true;
		}
	}
	ssize_t n = writev(fd, iov, count);
	if (n >= 0 && take && start_entries(u) < 0)
		log_warn("fs: cannot start the io_uring transport; the mount stays on /dev/fuse");
	return n;
}

static struct uring_ent *ent_of(struct fs_uring *u, uint64_t unique)
{
	if (serving && serving->u == u && atomic_load(&serving->unique) == unique)
		return serving;
	for (unsigned k = 0; k < u->ncpu * u->per_cpu; k++)
		if (atomic_load(&u->ents[k].unique) == unique)
			return &u->ents[k];
	return NULL;
}

static ssize_t io_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	struct fs *fs = userdata;
	struct fs_uring *u = fs->uring;
	if (u && count >= 1 && iov[0].iov_len >= sizeof(struct fuse_out_header)) {
		const struct fuse_out_header *oh = iov[0].iov_base;
		if (oh->unique != 0 && oh->unique == atomic_load(&u->init_unique))
			return init_reply(u, fd, iov, count);
		if (oh->unique != 0 && atomic_load(&u->started)) {
			struct uring_ent *e = ent_of(u, oh->unique);
			if (e)
				return ent_reply(e, iov, count);
		}
	}
	return writev(fd, iov, count);
}

/* ---- setup and teardown ---- */

static void uring_stop_threads(struct fs_uring *u)
{
	uint64_t one = 1;
	if (write(u->stop_fd, &one, sizeof one) < 0)
		log_warn("fs: cannot stop the io_uring threads: %m");
}

/* Stop, join, free.  The threads end at the stop signal (or when the
 * connection ends); the rings' exit cancels what the kernel still holds. */
static void uring_free(struct fs_uring *u)
{
	if (u->stop_fd >= 0 && u->queues)
		uring_stop_threads(u);
	if (u->kicker_up)
		pthread_join(u->kicker, NULL);
	for (unsigned k = 0; u->queues && k < u->ncpu * u->per_cpu; k++) {
		struct uring_ent *e = &u->ents[k];
		if (e->thread_up)
			pthread_join(e->thread, NULL);
		if (e->ring_up)
			io_uring_queue_exit(&e->ring);
		pthread_mutex_destroy(&e->sq_mu);
		free(e->hdr);
		free(e->region);
	}
	for (unsigned c = 0; u->queues && c < u->ncpu; c++)
		pthread_mutex_destroy(&u->queues[c].mu);
	if (u->stop_fd >= 0)
		close(u->stop_fd);
	free(u->queues);
	free(u->mountpoint);
	free(u);
}

static int ent_setup(struct fs_uring *u, struct uring_ent *e)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	if (posix_memalign((void **)&e->hdr, pg, sizeof *e->hdr) != 0)
		return -ENOMEM;
	memset(e->hdr, 0, sizeof *e->hdr);
	if (posix_memalign((void **)&e->region, pg, HEAD_ROOM + u->payload_sz) != 0)
		return -ENOMEM;
	e->iov[0] = (struct iovec){ e->hdr, sizeof *e->hdr };
	e->iov[1] = (struct iovec){ e->region + HEAD_ROOM, u->payload_sz };
	int r = io_uring_queue_init(4, &e->ring, IORING_SETUP_SQE128);
	if (r < 0)
		return r;
	e->ring_up = true;
	/* the stop signal: a poll on the eventfd every ring watches */
	struct io_uring_sqe *sqe = io_uring_get_sqe(&e->ring);
	io_uring_prep_poll_add(sqe, u->stop_fd, POLLIN);
	sqe->user_data = TAG_STOP;
	r = io_uring_submit(&e->ring);
	return r < 0 ? r : 0;
}

/* Under q->mu: set up the queue's next entry and start its thread. */
static int queue_add_locked(struct fs_uring *u, struct uring_queue *q)
{
	unsigned qid = (unsigned)(q - u->queues);
	if (q->n >= u->per_cpu)
		return -ENOSPC;
	struct uring_ent *e = &u->ents[qid * u->per_cpu + q->n];
	int r = ent_setup(u, e);
	if (r == 0)
		r = -pthread_create(&e->thread, NULL, ent_main, e);
	if (r < 0)
		return r;
	e->thread_up = true;
	q->n++;
	atomic_fetch_add(&q->idle, 1);
	return 0;
}

static void queue_grow(struct fs_uring *u, struct uring_queue *q)
{
	int r = 0;
	pthread_mutex_lock(&q->mu);
	while (r == 0 && atomic_load(&q->idle) < URING_SPARE)
		r = queue_add_locked(u, q);
	pthread_mutex_unlock(&q->mu);
	if (r < 0 && r != -ENOSPC)
		log_warn("fs: cannot add an io_uring entry: %s", strerror(-r));
}

/* The kicker.  A request that finds no idle entry waits in the kernel for
 * the next commit on its CPU's ring; entries added since do not take it.
 * If every busy entry then waits long (lock waits, whose unlock may be the
 * request stuck), nothing commits: a ring with busy entries and no commit
 * for two looks gets a request of ours from its CPU (a forced getattr of
 * the root), served by an idle entry whose commit takes the oldest stuck
 * request; each one served takes the next. */
#define KICK_LOOK_MS 20

static void kick(struct fs_uring *u, unsigned cpu)
{
	pin_to(cpu);
	struct statx stx;
	if (statx(AT_FDCWD, u->mountpoint, AT_STATX_FORCE_SYNC | AT_SYMLINK_NOFOLLOW,
		  STATX_TYPE, &stx) < 0)
		log_debug("fs: io_uring kick on CPU %u: %m", cpu);
}

static void *kicker_main(void *arg)
{
	struct fs_uring *u = arg;
	struct pollfd p = { .fd = u->stop_fd, .events = POLLIN };
	for (;;) {
		int n = poll(&p, 1, KICK_LOOK_MS);
		if (n > 0 || (n < 0 && errno != EINTR))
			break;
		for (unsigned c = 0; c < u->ncpu; c++) {
			struct uring_queue *q = &u->queues[c];
			uint64_t done = atomic_load(&q->done);
			bool busy = atomic_load(&q->idle) < atomic_load(&q->n);
			if (!busy || done != q->seen_done) {
				q->still = 0;
				q->seen_done = done;
			} else if (++q->still >= 2) {
				q->still = 0;
				queue_grow(u, q);
				kick(u, c);
			}
		}
	}
	return NULL;
}

static int start_entries(struct fs_uring *u)
{
	int r = 0;
	for (unsigned c = 0; c < u->ncpu && r == 0; c++) {
		struct uring_queue *q = &u->queues[c];
		pthread_mutex_lock(&q->mu);
		for (unsigned k = 0; k < URING_SPARE && r == 0; k++)
			r = queue_add_locked(u, q);
		pthread_mutex_unlock(&q->mu);
	}
	if (r == 0) {
		r = -pthread_create(&u->kicker, NULL, kicker_main, u);
		u->kicker_up = r == 0;
	}
	atomic_store(&u->started, true);
	if (r < 0)   /* the kernel goes over only once every CPU has an entry */
		uring_stop_threads(u);
	return r;
}

int fs_uring_attach(struct fs *fs, struct fuse_session *se, const char *mountpoint,
		    unsigned max_per_cpu)
{
	unsigned ncpu = possible_cpus();
	if (ncpu > UINT16_MAX)
		return -EINVAL;
	unsigned per = max_per_cpu < 2 * URING_SPARE ? 2 * URING_SPARE : max_per_cpu;
	struct fs_uring *u = calloc(1, sizeof *u + (size_t)ncpu * per * sizeof u->ents[0]);
	if (!u)
		return -ENOMEM;
	u->queues = calloc(ncpu, sizeof *u->queues);
	u->mountpoint = strdup(mountpoint);
	u->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!u->queues || !u->mountpoint || u->stop_fd < 0) {
		int r = u->stop_fd < 0 ? -errno : -ENOMEM;
		uring_free(u);
		return r;
	}
	u->se = se;
	u->devfd = fuse_session_fd(se);
	u->ncpu = ncpu;
	u->per_cpu = per;
	for (unsigned c = 0; c < ncpu; c++)
		pthread_mutex_init(&u->queues[c].mu, NULL);
	for (unsigned k = 0; k < ncpu * per; k++) {
		struct uring_ent *e = &u->ents[k];
		e->u = u;
		e->q = &u->queues[k / per];
		e->qid = (uint16_t)(k / per);
		pthread_mutex_init(&e->sq_mu, NULL);
	}
	const struct fuse_custom_io io = { .read = io_read, .writev = io_writev };
	int r = fuse_session_custom_io(se, &io, u->devfd);
	if (r < 0) {
		uring_free(u);
		return r;
	}
	fs->uring = u;
	return 0;
}

uint64_t fs_uring_served(const struct fs *fs)
{
	const struct fs_uring *u = fs->uring;
	return u ? atomic_load(&u->served) : 0;
}

void fs_uring_stop(struct fs *fs)
{
	if (fs->uring)
		uring_stop_threads(fs->uring);
}

void fs_uring_free(struct fs *fs)
{
	struct fs_uring *u = fs->uring;
	if (!u)
		return;
	fs->uring = NULL;
	if (atomic_load(&u->served))
		log_info("fs: %llu requests came over io_uring",
			 (unsigned long long)atomic_load(&u->served));
	uring_free(u);
}
