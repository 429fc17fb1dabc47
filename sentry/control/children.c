/* Processes started by Execute and the Waits on them (and on the app). */
#include "srv.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>

/* Exited processes nobody waited for are kept this long (a list). */
#define MAX_CHILDREN 4096

static int exit_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

struct child *child_find(struct srv *s, pid_t pid)
{
	for (struct child *ch = s->children; ch; ch = ch->next)
		if (ch->pid == pid)
			return ch;
	return NULL;
}

void child_drop(struct srv *s, struct child *ch)
{
	for (struct child **p = &s->children; *p; p = &(*p)->next)
		if (*p == ch) {
			*p = ch->next;
			s->n_children--;
			free(ch);
			return;
		}
}

/* Forget the oldest exited record (the list is newest first). */
static void trim(struct srv *s)
{
	struct child *victim = NULL;
	for (struct child *ch = s->children; ch; ch = ch->next)
		if (ch->exited)
			victim = ch;
	if (victim)
		child_drop(s, victim);
}

struct child *child_add(struct srv *s, pid_t pid)
{
	if (s->n_children >= MAX_CHILDREN)
		trim(s);
	struct child *ch = calloc(1, sizeof *ch);
	if (!ch)
		return NULL;
	ch->pid = pid;
	ch->next = s->children;
	s->children = ch;
	s->n_children++;
	return ch;
}

static size_t answer_waiters(struct srv *s, pid_t pid, int code)
{
	size_t n = 0;
	for (struct conn *c = s->conns; c; c = c->next) {
		if (!c->busy || c->wait_pid != pid)
			continue;
		c->wait_pid = 0;
		conn_reply(c, json_pack("{s:i}", "status", code), NULL, 0);
		n++;
	}
	return n;
}

void children_exited(struct srv *s, pid_t pid, int st)
{
	struct child *ch = child_find(s, pid);
	/* libev reports stops and continues too */
	if (!ch || !(WIFEXITED(st) || WIFSIGNALED(st)))
		return;
	if (ch->discard) {
		child_drop(s, ch);
		return;
	}
	ch->exited = true;
	ch->code = exit_code(st);
	log_debug("control: exec'd process %d exited with %d", (int)pid, ch->code);
	if (answer_waiters(s, pid, ch->code))
		child_drop(s, ch);
	server_sweep(s);
}

void children_reap(struct srv *s)
{
	int st;
	pid_t pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		children_exited(s, pid, st);
}

void children_app_exited(struct srv *s, int code)
{
	s->app_exited = true;
	s->app_code = code;
	answer_waiters(s, s->app, code);
	server_sweep(s);
}

void children_fail_waiters(struct srv *s, const char *why)
{
	for (struct conn *c = s->conns; c; c = c->next)
		if (c->busy && c->wait_pid) {
			c->wait_pid = 0;
			conn_error(c, "%s", why);
		}
}

void m_wait(struct conn *c, json_t *params, int *fds, size_t n_fds)
{
	struct srv *s = c->s;
	wire_close_fds(fds, n_fds);
	json_t *jp = json_object_get(params, "pid");
	if (jp && !json_is_integer(jp)) {
		conn_error(c, "Wait: \"pid\" must be an integer");
		return;
	}
	pid_t pid = jp ? (pid_t)json_integer_value(jp) : 0;
	if (pid == 0 || pid == s->app) {
		if (s->app_exited) {
			conn_reply(c, json_pack("{s:i}", "status", s->app_code), NULL, 0);
			return;
		}
		c->busy = true;
		c->wait_pid = s->app;
		return;
	}
	struct child *ch = child_find(s, pid);
	if (!ch || ch->discard) {
		conn_error(c, "Wait: process %d was not started by Execute", (int)pid);
		return;
	}
	if (ch->exited) {
		conn_reply(c, json_pack("{s:i}", "status", ch->code), NULL, 0);
		child_drop(s, ch);
		return;
	}
	c->busy = true;
	c->wait_pid = pid;
}
