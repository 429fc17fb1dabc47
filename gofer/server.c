#include "server.h"
#include "conn.h"
#include "dispatch.h"
#include "log.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct listener {
	ev_io w;
	const struct gofer_export *exp;
	struct listener *next;
};

/* One event loop and the connections it serves.  Each runs on its own
 * thread (shard 0: the main thread, which also accepts and takes the
 * signals) and runs short requests itself, so connections on different
 * shards are served in parallel without a hand-off per request. */
struct shard {
	struct ev_loop *loop;
	ev_async wake_w;
	ev_prepare batch_w;
	struct conn_w *conns;      /* this shard's thread only */
	atomic_uint n_conns;       /* connections placed here, still alive */
	pthread_t thread;
	bool started;

	pthread_mutex_t lock;      /* the three below */
	struct conn *pend_head;    /* connections to look at */
	struct conn *adopt_head;   /* new connections to serve */
	bool stop;
};

/* The loop's side of a connection. */
struct conn_w {
	ev_io rw, ww;
	struct conn *c;
	struct shard *s;
	struct conn_w *prev, *next;
};

#define MAX_SHARDS 8u

static const struct gofer_config *cfg;
static struct shard shards[MAX_SHARDS];
static unsigned n_shards;
static ev_signal sigint_w, sigterm_w;
static ev_timer accept_pause_w;
static struct listener *listeners;    /* shard 0 only */
static atomic_uint n_conns;

static void kill_conn(struct conn_w *cw)
{
	struct conn *c = cw->c;
	struct shard *s = cw->s;
	ev_io_stop(s->loop, &cw->rw);
	ev_io_stop(s->loop, &cw->ww);
	if (cw->prev)
		cw->prev->next = cw->next;
	else
		s->conns = cw->next;
	if (cw->next)
		cw->next->prev = cw->prev;
	c->loop_priv = NULL;
	free(cw);
	conn_kill(c);
	conn_put(c);            /* the loop's reference */
}

/* Bring the watchers in line with the connection's state. */
static void refresh(struct conn_w *cw)
{
	struct conn *c = cw->c;
	struct ev_loop *loop = cw->s->loop;
	int rc = 0;
	if (conn_has_output(c))
		rc = conn_flush_out(c);
	if (rc < 0) {
		kill_conn(cw);
		return;
	}
	if (rc > 0)
		ev_io_start(loop, &cw->ww);
	else
		ev_io_stop(loop, &cw->ww);
	if (conn_can_read(c)) {
		if (conn_parse(c) < 0) {
			kill_conn(cw);
			return;
		}
		if (conn_can_read(c))
			ev_io_start(loop, &cw->rw);
	}
}

static void read_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct conn_w *cw = w->data;
	int rc = conn_read(cw->c);
	if (rc < 0) {
		if (rc != -EPIPE && rc != -ECONNRESET)
			log_debug("connection closed: %s", strerror(-rc));
		/* Let queued replies (an Rlerror for a bad size) go out first. */
		conn_flush_out(cw->c);
		kill_conn(cw);
		return;
	}
	if (!conn_can_read(cw->c))
		ev_io_stop(l, w);
	if (conn_has_output(cw->c))
		ev_io_start(l, &cw->ww);
}

static void write_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct conn_w *cw = w->data;
	int rc = conn_flush_out(cw->c);
	if (rc < 0) {
		kill_conn(cw);
		return;
	}
	if (rc == 0)
		ev_io_stop(l, w);
	/* Draining may have freed room to read again. */
	if (!ev_is_active(&cw->rw))
		refresh(cw);
}

/* On c's shard: watch it (takes the reference conn_new gave). */
static void adopt(struct shard *s, struct conn *c)
{
	struct conn_w *cw = calloc(1, sizeof *cw);
	if (!cw) {
		log_error("connection dropped: out of memory");
		conn_kill(c);
		conn_put(c);
		return;
	}
	cw->c = c;
	cw->s = s;
	c->loop_priv = cw;
	ev_io_init(&cw->rw, read_cb, c->fd, EV_READ);
	ev_io_init(&cw->ww, write_cb, c->fd, EV_WRITE);
	cw->rw.data = cw->ww.data = cw;
	cw->next = s->conns;
	if (s->conns)
		s->conns->prev = cw;
	s->conns = cw;
	ev_io_start(s->loop, &cw->rw);
}

/* The wake-ups queued for s: refresh live connections, drop references.
 * A connection leaves the list (its next pointer read, pending cleared)
 * under the lock, one at a time: once pending is false a worker's
 * server_wake may queue it again, reusing pend_next. */
static void drain_pending(struct shard *s)
{
	pthread_mutex_lock(&s->lock);
	struct conn *list = s->pend_head;
	s->pend_head = NULL;
	pthread_mutex_unlock(&s->lock);
	for (struct conn *c = list, *next; c; c = next) {
		pthread_mutex_lock(&s->lock);
		next = c->pend_next;
		c->pending = false;
		pthread_mutex_unlock(&s->lock);
		struct conn_w *cw = c->loop_priv;
		if (cw) {
			bool failed;
			pthread_mutex_lock(&c->lock);
			failed = c->write_error;
			pthread_mutex_unlock(&c->lock);
			if (failed)
				kill_conn(cw);
			else
				refresh(cw);
		}
		conn_put(c);
	}
}

static struct conn *take_adopted(struct shard *s)
{
	pthread_mutex_lock(&s->lock);
	struct conn *list = s->adopt_head;
	s->adopt_head = NULL;
	pthread_mutex_unlock(&s->lock);
	return list;
}

static void wake_cb(struct ev_loop *l, ev_async *w, int revents)
{
	struct shard *s = w->data;
	for (struct conn *c = take_adopted(s), *next; c; c = next) {
		next = c->pend_next;
		adopt(s, c);
	}
	drain_pending(s);
	pthread_mutex_lock(&s->lock);
	bool stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	if (stop || (s == &shards[0] && !listeners && atomic_load(&n_conns) == 0))
		ev_break(l, EVBREAK_ALL);
}

void server_wake(struct conn *c)
{
	struct shard *s = c->shard;
	pthread_mutex_lock(&s->lock);
	if (!c->pending) {
		c->pending = true;
		c->pend_next = s->pend_head;
		s->pend_head = conn_ref(c);
	}
	pthread_mutex_unlock(&s->lock);
	ev_async_send(s->loop, &s->wake_w);
}

void server_conn_gone(struct conn *c)
{
	struct shard *s = c->shard;
	if (!s)
		return;         /* never placed, never counted */
	atomic_fetch_sub(&s->n_conns, 1);
	/* shard 0 decides whether the server is done */
	if (atomic_fetch_sub(&n_conns, 1) == 1)
		ev_async_send(shards[0].loop, &shards[0].wake_w);
}

/* Before the loop sleeps: run what this iteration framed. */
static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Alone on its loop, a client that waits for each reply (a FUSE mount, a
 * synchronous 9P client) sends its next request within microseconds, but
 * once this thread sleeps in epoll the next one first waits for an idle
 * CPU to wake (30-60 us on a VM, more than the request costs).  So after
 * answering such a connection, look at its socket a little longer before
 * sleeping; a request that comes restarts the window. */
static void spin_alone(struct shard *s)
{
	struct conn_w *cw = s->conns;
	if (cfg->spin_us == 0)
		return;
	uint64_t window = (uint64_t)cfg->spin_us * 1000u, end = mono_ns() + window;
	while (cw && !cw->next && ev_is_active(&cw->rw) && !conn_has_output(cw->c) &&
	       mono_ns() < end) {
		struct pollfd p = { .fd = cw->c->fd, .events = POLLIN };
		if (poll(&p, 1, 0) != 1)
			continue;
		read_cb(s->loop, &cw->rw, EV_READ);   /* may end the connection */
		if (dispatch_run_batch() > 0)
			end = mono_ns() + window;
		cw = s->conns;
	}
}

static void batch_cb(struct ev_loop *l, ev_prepare *w, int revents)
{
	if (dispatch_run_batch() > 0)
		spin_alone(w->data);
}

/* The shard serving the fewest connections (the first on a tie). */
static struct shard *pick_shard(void)
{
	struct shard *best = &shards[0];
	unsigned least = atomic_load(&best->n_conns);
	for (unsigned i = 1; i < n_shards && least > 0; i++) {
		unsigned n = atomic_load(&shards[i].n_conns);
		if (n < least) {
			best = &shards[i];
			least = n;
		}
	}
	return best;
}

static int start_conn(int fd, const struct gofer_export *exp)
{
	struct conn *c = conn_new(fd, cfg, exp);
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	struct shard *s = pick_shard();
	c->shard = s;
	atomic_fetch_add(&s->n_conns, 1);
	atomic_fetch_add(&n_conns, 1);
	if (s == &shards[0]) {
		adopt(s, c);
		return 0;
	}
	pthread_mutex_lock(&s->lock);
	c->pend_next = s->adopt_head;
	s->adopt_head = c;
	pthread_mutex_unlock(&s->lock);
	ev_async_send(s->loop, &s->wake_w);
	return 0;
}

/* Room in the socket for a whole msize reply: a worker's big Rread then
 * goes out in one send instead of leaving most of it to be copied into
 * the connection's buffer and flushed by the loop piece by piece.  The
 * kernel caps it at net.core.wmem_max: best effort. */
static void size_send_buffer(int fd)
{
	int want = (int)(cfg->msize + 4096u), cur = 0;
	socklen_t len = sizeof cur;
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &cur, &len) == 0 && cur >= want)
		return;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want);
}

static void tune_socket(int fd)
{
	size_send_buffer(fd);
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
}

static void pause_accepting(void)
{
	for (struct listener *l = listeners; l; l = l->next)
		ev_io_stop(shards[0].loop, &l->w);
	ev_timer_set(&accept_pause_w, 0.1, 0.);
	ev_timer_start(shards[0].loop, &accept_pause_w);
}

static void resume_accepting(struct ev_loop *l, ev_timer *w, int revents)
{
	for (struct listener *li = listeners; li; li = li->next)
		ev_io_start(l, &li->w);
}

static void accept_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct listener *li = w->data;
	int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			log_warn("accept: %s; pausing", strerror(errno));
			pause_accepting();
		}
		return;
	}
	if (atomic_load(&n_conns) >= cfg->max_conns) {
		/* One line per second at most: a flood must not fill the log. */
		static ev_tstamp last_warned = -10.;
		if (ev_now(l) - last_warned >= 1.) {
			last_warned = ev_now(l);
			log_warn("connection refused: --max-conns %u reached", cfg->max_conns);
		}
		close(fd);
		return;
	}
	tune_socket(fd);
	if (start_conn(fd, li->exp) < 0)
		log_error("connection dropped: out of memory");
}

static void stop_cb(struct ev_loop *l, ev_signal *w, int revents)
{
	log_info("signal %d: shutting down", w->signum);
	ev_break(l, EVBREAK_ALL);
}

static unsigned shard_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return (unsigned)n < MAX_SHARDS ? (unsigned)n : MAX_SHARDS;
}

/* Loops are made now (epoll and eventfd before confinement); their
 * threads start in server_run. */
static int shard_init(struct shard *s, bool main_loop)
{
	s->loop = main_loop ? ev_default_loop(EVFLAG_NOENV | EVFLAG_NOSIGMASK)
			    : ev_loop_new(EVFLAG_NOENV | EVFLAG_NOSIGMASK);
	if (!s->loop)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	atomic_init(&s->n_conns, 0);
	ev_async_init(&s->wake_w, wake_cb);
	s->wake_w.data = s;
	ev_async_start(s->loop, &s->wake_w);
	ev_prepare_init(&s->batch_w, batch_cb);
	s->batch_w.data = s;
	ev_prepare_start(s->loop, &s->batch_w);
	return 0;
}

int server_init(const struct gofer_config *config)
{
	cfg = config;
	unsigned want = shard_count();
	for (n_shards = 0; n_shards < want; n_shards++) {
		int rc = shard_init(&shards[n_shards], n_shards == 0);
		if (rc < 0) {
			if (n_shards == 0)
				return rc;
			break;          /* fewer loops still serve */
		}
	}
	struct ev_loop *loop = shards[0].loop;
	ev_signal_init(&sigint_w, stop_cb, SIGINT);
	ev_signal_init(&sigterm_w, stop_cb, SIGTERM);
	ev_signal_start(loop, &sigint_w);
	ev_signal_start(loop, &sigterm_w);
	ev_timer_init(&accept_pause_w, resume_accepting, 0.1, 0.);
	return 0;
}

int server_add_listener(int fd, const struct gofer_export *exp)
{
	struct listener *l = calloc(1, sizeof *l);
	if (!l)
		return -ENOMEM;
	l->exp = exp;
	ev_io_init(&l->w, accept_cb, fd, EV_READ);
	l->w.data = l;
	l->next = listeners;
	listeners = l;
	ev_io_start(shards[0].loop, &l->w);
	return 0;
}

int server_add_conn(int fd, const struct gofer_export *exp)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	tune_socket(fd);
	return start_conn(fd, exp);
}

static void kill_all(struct shard *s)
{
	while (s->conns)
		kill_conn(s->conns);
	dispatch_run_batch();   /* dead connections: released unanswered */
}

static void *shard_main(void *arg)
{
	struct shard *s = arg;
	ev_run(s->loop, 0);
	kill_all(s);
	return NULL;
}

/* Connections placed on a shard whose thread could not start go to
 * shard 0 (its loop is not running yet: safe from here). */
static void move_to_first(struct shard *s)
{
	for (struct conn *c = take_adopted(s), *next; c; c = next) {
		next = c->pend_next;
		atomic_fetch_sub(&s->n_conns, 1);
		atomic_fetch_add(&shards[0].n_conns, 1);
		c->shard = &shards[0];
		adopt(&shards[0], c);
	}
}

static void shards_start(void)
{
	/* Loop threads never handle signals: shard 0 does. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	unsigned i;
	for (i = 1; i < n_shards; i++) {
		int rc = pthread_create(&shards[i].thread, NULL, shard_main, &shards[i]);
		if (rc != 0) {
			log_warn("starting event loop %u: %s; serving with %u", i, strerror(rc), i);
			break;
		}
		shards[i].started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (unsigned k = i; k < n_shards; k++)
		move_to_first(&shards[k]);
	n_shards = i;
}

static void shards_stop(void)
{
	for (unsigned i = 1; i < n_shards; i++) {
		struct shard *s = &shards[i];
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_mutex_unlock(&s->lock);
		ev_async_send(s->loop, &s->wake_w);
		if (s->started)
			pthread_join(s->thread, NULL);
		s->started = false;
	}
}

/* Stop everything: connections end, workers finish, memory goes back. */
static void shutdown_all(void)
{
	while (listeners) {
		struct listener *l = listeners;
		listeners = l->next;
		ev_io_stop(shards[0].loop, &l->w);
		close(l->w.fd);
		free(l);
	}
	shards_stop();
	kill_all(&shards[0]);
	workers_stop();
	/* Wake-ups queued by the last replies still hold references, and a
	 * shard that never ran may still hold connections to adopt. */
	for (unsigned i = 0; i < n_shards; i++) {
		for (struct conn *c = take_adopted(&shards[i]), *next; c; c = next) {
			next = c->pend_next;
			conn_kill(c);
			conn_put(c);
		}
		drain_pending(&shards[i]);
	}
}

int server_run(void)
{
	shards_start();
	if (listeners || atomic_load(&n_conns) > 0)
		ev_run(shards[0].loop, 0);
	shutdown_all();
	return 0;
}
