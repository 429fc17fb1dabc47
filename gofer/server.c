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
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct listener {
	ev_io w;
	const struct gofer_export *exp;
	struct listener *next;
};

/* The loop's side of a connection. */
struct conn_w {
	ev_io rw, ww;
	struct conn *c;
	struct conn_w *prev, *next;
};

static const struct gofer_config *cfg;
static struct ev_loop *loop;
static ev_async wake_w;
static ev_signal sigint_w, sigterm_w;
static ev_timer accept_pause_w;
static ev_prepare batch_w;
static struct listener *listeners;
static struct conn_w *conns;
static atomic_uint n_conns;

static pthread_mutex_t pend_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn *pend_head;

static void kill_conn(struct conn_w *cw)
{
	struct conn *c = cw->c;
	ev_io_stop(loop, &cw->rw);
	ev_io_stop(loop, &cw->ww);
	if (cw->prev)
		cw->prev->next = cw->next;
	else
		conns = cw->next;
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

static void wake_cb(struct ev_loop *l, ev_async *w, int revents)
{
	pthread_mutex_lock(&pend_lock);
	struct conn *list = pend_head;
	pend_head = NULL;
	for (struct conn *c = list; c; c = c->pend_next)
		c->pending = false;
	pthread_mutex_unlock(&pend_lock);
	for (struct conn *c = list, *next; c; c = next) {
		next = c->pend_next;
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
	if (!listeners && atomic_load(&n_conns) == 0)
		ev_break(l, EVBREAK_ALL);
}

void server_wake(struct conn *c)
{
	pthread_mutex_lock(&pend_lock);
	if (!c->pending) {
		c->pending = true;
		c->pend_next = pend_head;
		pend_head = conn_ref(c);
	}
	pthread_mutex_unlock(&pend_lock);
	ev_async_send(loop, &wake_w);
}

void server_conn_gone(void)
{
	if (atomic_fetch_sub(&n_conns, 1) == 1 && !listeners)
		ev_async_send(loop, &wake_w);
}

static int start_conn(int fd, const struct gofer_export *exp)
{
	struct conn *c = conn_new(fd, cfg, exp);
	struct conn_w *cw = c ? calloc(1, sizeof *cw) : NULL;
	if (!cw) {
		if (c)
			conn_put(c);        /* closes fd */
		else
			close(fd);
		return -ENOMEM;
	}
	atomic_fetch_add(&n_conns, 1);
	cw->c = c;
	c->loop_priv = cw;
	ev_io_init(&cw->rw, read_cb, fd, EV_READ);
	ev_io_init(&cw->ww, write_cb, fd, EV_WRITE);
	cw->rw.data = cw->ww.data = cw;
	cw->next = conns;
	if (conns)
		conns->prev = cw;
	conns = cw;
	ev_io_start(loop, &cw->rw);
	return 0;
}

static void tune_socket(int fd)
{
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
		ev_io_stop(loop, &l->w);
	ev_timer_set(&accept_pause_w, 0.1, 0.);
	ev_timer_start(loop, &accept_pause_w);
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

/* Before the loop sleeps: run what this iteration framed. */
static void batch_cb(struct ev_loop *l, ev_prepare *w, int revents)
{
	dispatch_run_batch();
}

static void stop_cb(struct ev_loop *l, ev_signal *w, int revents)
{
	log_info("signal %d: shutting down", w->signum);
	ev_break(l, EVBREAK_ALL);
}

int server_init(const struct gofer_config *config)
{
	cfg = config;
	loop = ev_default_loop(EVFLAG_NOENV | EVFLAG_NOSIGMASK);
	if (!loop)
		return -ENOMEM;
	ev_async_init(&wake_w, wake_cb);
	ev_async_start(loop, &wake_w);
	ev_signal_init(&sigint_w, stop_cb, SIGINT);
	ev_signal_init(&sigterm_w, stop_cb, SIGTERM);
	ev_signal_start(loop, &sigint_w);
	ev_signal_start(loop, &sigterm_w);
	ev_timer_init(&accept_pause_w, resume_accepting, 0.1, 0.);
	ev_prepare_init(&batch_w, batch_cb);
	ev_prepare_start(loop, &batch_w);
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
	ev_io_start(loop, &l->w);
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

/* Stop everything: connections end, workers finish, memory goes back. */
static void shutdown_all(void)
{
	while (listeners) {
		struct listener *l = listeners;
		listeners = l->next;
		ev_io_stop(loop, &l->w);
		close(l->w.fd);
		free(l);
	}
	while (conns)
		kill_conn(conns);
	dispatch_run_batch();   /* dead connections: released unanswered */
	workers_stop();
	/* Wake-ups queued by the last replies still hold references. */
	wake_cb(loop, &wake_w, 0);
}

int server_run(void)
{
	if (listeners || atomic_load(&n_conns) > 0)
		ev_run(loop, 0);
	shutdown_all();
	return 0;
}
