/* application.Execute: a new process in the running container.
 *
 *   params {"process": <an OCI process object>}
 *   fds    stdin, stdout, stderr (not with process.terminal)
 *   reply  {"pid": host pid} (+ the pty master when process.terminal)
 *
 * The process is validated as config.json's process (by common/oci, on a
 * copy of the container's config with this process), gets the
 * container's seccomp profile, and becomes our child in the app's pid
 * namespace (ns_fork) so Wait can report its status.  The
 * reply waits for the child's execve: a CLOEXEC pipe reports failures. */
#include "srv.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static void pending_free(struct srv *s, struct pending_exec *p)
{
	ev_io_stop(s->loop, &p->w);
	close(p->err_fd);
	if (p->master >= 0)
		close(p->master);
	for (struct pending_exec **pp = &s->pending; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	free(p);
}

void pending_exec_forget(struct srv *s, struct conn *c)
{
	for (struct pending_exec *p = s->pending; p; p = p->next)
		if (p->c == c)
			p->c = NULL;
}

/* The child's verdict: EOF = it exec'd; a line = why it could not. */
static void on_exec_result(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct pending_exec *p = w->data;
	struct srv *s = p->s;
	char err[1024];
	ssize_t n = read(p->err_fd, err, sizeof err - 1);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	struct child *ch = child_find(s, p->pid);
	if (n > 0) {
		err[n] = '\0';
		if (ch && ch->exited)
			child_drop(s, ch);
		else if (ch)
			ch->discard = true;
		log_debug("control: exec failed: %s", err);
		if (p->c)
			conn_error(p->c, "%s", err);
	} else if (p->c) {
		int fds[1] = { p->master };
		conn_reply(p->c, json_pack("{s:i}", "pid", (int)p->pid), fds, p->master >= 0 ? 1 : 0);
	}
	pending_free(s, p);
	server_sweep(s);
}

/* The container's config with this process, validated by common/oci. */
static int build_spec(struct srv *s, json_t *process, struct oci_spec *spec, char *err,
		      size_t errlen)
{
	json_t *doc = json_deep_copy(s->config);
	if (!doc || json_object_set(doc, "process", process) < 0) {
		json_decref(doc);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int r = oci_spec_parse(text, "Execute", spec, err, errlen);
	free(text);
	return r;
}

/* A pty from the container's own devpts (through the app's root). */
static int open_pty(struct srv *s, const struct oci_process *p, int *master, int *slave)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/root/dev/ptmx", (int)s->app);
	int m __cleanup_close = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return -errno;
	int unlock = 0;
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		return -errno;
	int sl = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sl < 0)
		return -errno;
	if (p->console_height && p->console_width) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_height,
				      .ws_col = (unsigned short)p->console_width };
		ioctl(sl, TIOCSWINSZ, &ws);
	}
	*master = steal_fd(&m);
	*slave = sl;
	return 0;
}

static int start_pending(struct conn *c, pid_t pid, int err_fd, int master)
{
	struct srv *s = c->s;
	struct pending_exec *p = calloc(1, sizeof *p);
	if (!p)
		return -ENOMEM;
	*p = (struct pending_exec){ .s = s, .c = c, .pid = pid, .err_fd = err_fd,
				    .master = master, .next = s->pending };
	s->pending = p;
	ev_io_init(&p->w, on_exec_result, err_fd, EV_READ);
	p->w.data = p;
	ev_io_start(s->loop, &p->w);
	c->busy = true;
	return 0;
}

static void spawn(struct conn *c, struct oci_spec *spec, int *fds, size_t n_fds)
{
	struct srv *s = c->s;
	int master = -1, slave = -1, pipefd[2];
	int r;
	if (spec->process.terminal && (r = open_pty(s, &spec->process, &master, &slave)) < 0) {
		conn_error(c, "Execute: a pty in the container: %s", strerror(-r));
		return;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	struct child *ch = child_add(s, 0);
	if (!ch) {
		close(pipefd[0]);
		close(pipefd[1]);
		r = -ENOMEM;
		goto fail;
	}
	pid_t pid = ns_fork(&s->ns);
	if (pid == 0) {
		close(pipefd[0]);
		if (master >= 0)
			close(master);
		exec_child(s, spec, fds, slave, pipefd[1]);
	}
	close(pipefd[1]);
	if (pid < 0) {
		r = pid;
		child_drop(s, ch);
		close(pipefd[0]);
		goto fail;
	}
	ch->pid = pid;
	if (slave >= 0)
		close(slave);
	wire_close_fds(fds, n_fds);
	if ((r = start_pending(c, pid, pipefd[0], master)) < 0) {
		/* It runs; we cannot tell the client, so it must not. */
		kill(pid, SIGKILL);
		ch->discard = true;
		close(pipefd[0]);
		if (master >= 0)
			close(master);
		conn_error(c, "Execute: %s", strerror(-r));
	}
	return;
fail:
	if (master >= 0)
		close(master);
	if (slave >= 0)
		close(slave);
	wire_close_fds(fds, n_fds);
	conn_error(c, "Execute: %s", strerror(-r));
}

void m_execute(struct conn *c, json_t *params, int *fds, size_t n_fds)
{
	struct srv *s = c->s;
	char err[1024];
	json_t *process = json_object_get(params, "process");
	if (s->app_exited) {
		wire_close_fds(fds, n_fds);
		conn_error(c, "cannot exec in a stopped container");
		return;
	}
	if (!json_is_object(process)) {
		wire_close_fds(fds, n_fds);
		conn_error(c, "Execute: \"process\" must be an object");
		return;
	}
	struct oci_spec spec;
	if (build_spec(s, process, &spec, err, sizeof err) < 0) {
		wire_close_fds(fds, n_fds);
		conn_error(c, "%s", err);
		return;
	}
	if (!spec.process.terminal && n_fds != 3) {
		wire_close_fds(fds, n_fds);
		conn_error(c, "Execute: stdin, stdout and stderr must come with the request");
	} else if (spec.process.terminal && n_fds != 0) {
		wire_close_fds(fds, n_fds);
		conn_error(c, "Execute: no stdio fds with process.terminal (the pty is the reply's)");
	} else {
		spawn(c, &spec, fds, n_fds);
	}
	oci_spec_free(&spec);
}
