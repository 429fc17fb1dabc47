/* application.Start and application.Signal. */
#include "srv.h"
#include "boot/msg.h"
#include "log.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

void m_start(struct conn *c, json_t *params, int *fds, size_t n_fds)
{
	struct srv *s = c->s;
	(void)params;
	wire_close_fds(fds, n_fds);
	if (s->app_exited) {
		conn_error(c, "cannot start a container that has stopped");
		return;
	}
	if (s->started) {
		conn_error(c, "cannot start an already running container");
		return;
	}
	int r = msg_send(s->link_fd, "start", -1);
	if (r < 0) {
		conn_error(c, "cannot reach the sentry: %s", strerror(-r));
		return;
	}
	s->started = true;
	conn_reply(c, NULL, NULL, 0);
}

/* Every process of the container, the app last (its death takes the
 * rest with it when it is a pid namespace's init). */
static int signal_all(struct srv *s, int sig)
{
	pid_t *pids;
	size_t n;
	int r = procs_list(s, &pids, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (pids[i] != s->app && kill(pids[i], sig) < 0 && errno != ESRCH)
			log_debug("control: kill %d: %m", (int)pids[i]);
	free(pids);
	return kill(s->app, sig) < 0 && errno != ESRCH ? -errno : 0;
}

void m_signal(struct conn *c, json_t *params, int *fds, size_t n_fds)
{
	struct srv *s = c->s;
	wire_close_fds(fds, n_fds);
	json_t *js = json_object_get(params, "signal"), *jp = json_object_get(params, "pid");
	json_t *ja = json_object_get(params, "all");
	if (!json_is_integer(js) || (jp && !json_is_integer(jp)) || (ja && !json_is_boolean(ja))) {
		conn_error(c, "Signal: want {\"signal\": int, \"pid\": int, \"all\": bool}");
		return;
	}
	json_int_t sig = json_integer_value(js);
	if (sig < 1 || sig >= NSIG) {
		conn_error(c, "Signal: invalid signal number %lld", (long long)sig);
		return;
	}
	if (s->app_exited) {
		conn_error(c, "container not running");
		return;
	}
	pid_t pid = jp ? (pid_t)json_integer_value(jp) : 0;
	int r;
	if (ja && json_is_true(ja))
		r = signal_all(s, (int)sig);
	else if (pid == 0 || pid == s->app)
		r = kill(s->app, (int)sig) < 0 ? -errno : 0;
	else if (!procs_in_container(s, pid))
		r = -ESRCH;
	else
		r = kill(pid, (int)sig) < 0 ? -errno : 0;
	if (r < 0)
		conn_error(c, "Signal %lld to %d: %s", (long long)sig, (int)(pid ? pid : s->app),
			   strerror(-r));
	else
		conn_reply(c, NULL, NULL, 0);
}
