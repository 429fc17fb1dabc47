/* The control server's loop: accept (root or the owner only), read one
 * JSON request per message, dispatch, reply.  A malformed request gets an
 * error reply; the client stays connected. */
#include "srv.h"
#include "control.h"
#include "log.h"
#include "util.h"
#include "wire.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct {
	const char *name;
	void (*fn)(struct conn *, json_t *, int *, size_t);
} methods[] = {
	{ CONTROL_M_START, m_start },
	{ CONTROL_M_PROCESSES, m_processes },
	{ CONTROL_M_EXECUTE, m_execute },
	{ CONTROL_M_EVENT, m_event },
	{ CONTROL_M_SIGNAL, m_signal },
	{ CONTROL_M_WAIT, m_wait },
};

static void conn_free(struct conn *c)
{
	struct srv *s = c->s;
	ev_io_stop(s->loop, &c->w);
	pending_exec_forget(s, c);
	close(c->fd);
	for (struct conn **p = &s->conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	free(c);
}

void conn_reply(struct conn *c, json_t *result, const int *fds, size_t n_fds)
{
	json_t *msg = json_pack("{s:o}", "result", result ? result : json_object());
	int r = msg ? wire_send(c->fd, msg, fds, n_fds) : -ENOMEM;
	json_decref(msg);
	c->busy = false;
	if (r < 0) {
		log_debug("control: reply lost: %s", strerror(-r));
		c->dead = true;
	}
}

void conn_error(struct conn *c, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	json_t *msg = json_pack("{s:s}", "error", text);
	int r = msg ? wire_send(c->fd, msg, NULL, 0) : -ENOMEM;
	json_decref(msg);
	c->busy = false;
	if (r < 0)
		c->dead = true;
}

static void dispatch(struct conn *c, json_t *req, int *fds, size_t n_fds)
{
	const char *method = json_string_value(json_object_get(req, "method"));
	json_t *params = json_object_get(req, "params");
	if (!method || (params && !json_is_object(params))) {
		wire_close_fds(fds, n_fds);
		conn_error(c, "malformed request: want {\"method\": string, \"params\": object}");
		return;
	}
	json_t *empty = NULL;
	if (!params)
		params = empty = json_object();
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
		if (strcmp(method, methods[i].name) == 0) {
			log_debug("control: %s from uid %u", method, (unsigned)c->uid);
			methods[i].fn(c, params, fds, n_fds);
			json_decref(empty);
			return;
		}
	json_decref(empty);
	wire_close_fds(fds, n_fds);
	conn_error(c, "unknown method \"%.64s\"", method);
}

static void on_conn(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct conn *c = w->data;
	json_t *req;
	int fds[WIRE_MAX_FDS];
	size_t n_fds;
	int r = wire_recv(c->fd, &req, fds, ARRAY_SIZE(fds), &n_fds);
	if (r == -EAGAIN)
		return;
	if (r == 0 || (r < 0 && r != -EBADMSG && r != -EMSGSIZE)) {
		conn_free(c);
		return;
	}
	if (c->refused) {
		/* Answered after reading its request: closing with it unread
		 * would reset the connection before the answer is seen. */
		wire_close_fds(fds, r > 0 ? n_fds : 0);
		log_warn("control: refused a client with uid %u", (unsigned)c->uid);
		conn_error(c, "permission denied");
		c->dead = true;
	} else if (r < 0)
		conn_error(c, r == -EMSGSIZE ? "request too large" : "malformed request: not a JSON object");
	else if (c->busy) {
		wire_close_fds(fds, n_fds);
		conn_error(c, "one request at a time per connection");
	} else
		dispatch(c, req, fds, n_fds);
	json_decref(req);
	if (c->dead)
		conn_free(c);
}

/* Root or the uid that created the container; nobody else. */
static bool peer_allowed(struct srv *s, int fd, uid_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	*uid = cred.uid;
	return cred.uid == 0 || cred.uid == s->owner;
}

static void on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct srv *s = w->data;
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("control: accept: %m");
		return;
	}
	uid_t uid = (uid_t)-1;
	bool allowed = peer_allowed(s, fd, &uid);
	struct conn *c = calloc(1, sizeof *c);
	if (!c) {
		close(fd);
		return;
	}
	*c = (struct conn){ .s = s, .fd = fd, .uid = uid, .refused = !allowed, .next = s->conns };
	s->conns = c;
	ev_io_init(&c->w, on_conn, fd, EV_READ);
	c->w.data = c;
	ev_io_start(loop, &c->w);
}

void server_start_accepting(struct srv *s)
{
	ev_io_init(&s->listen_w, on_accept, s->listen_fd, EV_READ);
	s->listen_w.data = s;
	ev_io_start(s->loop, &s->listen_w);
}

void server_close_all(struct srv *s)
{
	ev_io_stop(s->loop, &s->listen_w);
	while (s->conns)
		conn_free(s->conns);
}

void server_sweep(struct srv *s)
{
	for (struct conn *c = s->conns, *next; c; c = next) {
		next = c->next;
		if (c->dead)
			conn_free(c);
	}
}
