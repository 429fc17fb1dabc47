/* burrow-sentry control: the sandbox's control server (control.h).
 *
 *   burrow-sentry control --id ID --bundle DIR --state-dir DIR
 *       --sentry-pid N --link-fd N [--log FILE] [--log-format json] [--debug]
 *
 * Started by the sentry only, first thing in its set-up (so it stays in
 * the caller's mount namespace, not the sandbox's); it dies with the
 * sentry (PDEATHSIG).  It loads the config, then waits for "app <pid>". */
#include "srv.h"
#include "boot/msg.h"
#include "control.h"
#include "log.h"
#include "statefile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct args {
	const char *id, *bundle, *state_dir, *log, *log_format;
	long sentry, link;
	bool debug;
};

static int parse_long(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > INT_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "bundle", required_argument, NULL, 'b' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "sentry-pid", required_argument, NULL, 'p' },
		{ "link-fd", required_argument, NULL, 'l' },
		{ "log", required_argument, NULL, 'L' },
		{ "log-format", required_argument, NULL, 'F' },
		{ "debug", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, r = 0;
	optind = 1;
	a->sentry = a->link = -1;
	while (r == 0 && (opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': a->id = optarg; break;
		case 'b': a->bundle = optarg; break;
		case 's': a->state_dir = optarg; break;
		case 'p': r = parse_long(optarg, &a->sentry); break;
		case 'l': r = parse_long(optarg, &a->link); break;
		case 'L': a->log = optarg; break;
		case 'F': a->log_format = optarg; break;
		case 'd': a->debug = true; break;
		default: r = -EINVAL;
		}
	}
	if (r == 0 && (optind != argc || !a->id || !a->bundle || !a->state_dir || a->sentry <= 0 ||
		       a->link < 3))
		r = -EINVAL;
	return r;
}

/* stdin/stdout are the container's (conmon's pipes): not ours to use. */
static void quiet_stdio(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return;
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	close(null);
}

static int load_config(struct srv *s, char *err, size_t errlen)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/config.json", s->bundle);
	json_error_t je;
	s->config = json_load_file(path, 0, &je);
	if (!json_is_object(s->config)) {
		snprintf(err, errlen, "%.700s: %.200s", path, je.text);
		return -EINVAL;
	}
	return oci_spec_load(path, &s->spec, err, errlen);
}

/* Which processes are the container's (procs.c): those of the app's pid
 * namespace, when it has one of its own. */
static int note_pidns(struct srv *s, char *err, size_t errlen)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)s->app);
	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "the app (pid %d) is gone", (int)s->app);
		return -ESRCH;
	}
	s->pidns_dev = st.st_dev;
	s->pidns_ino = st.st_ino;
	s->own_pidns = nsset_has(&s->ns, NSX_PID);
	return 0;
}

static int listen_control(struct srv *s, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	socklen_t len;
	int r = control_socket_addr(s->id, &sa, &len);
	if (r < 0) {
		snprintf(err, errlen, "control socket name: %s", strerror(-r));
		return r;
	}
	int fd __cleanup_close = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 64) < 0) {
		r = -errno;
		snprintf(err, errlen, "control socket @%s: %s", sa.sun_path + 1,
			 r == -EADDRINUSE ? "a sandbox with this id is running already"
					  : strerror(-r));
		return r;
	}
	s->listen_fd = steal_fd(&fd);
	return 0;
}

/* The sentry's "app <pid>" once the app's init has its namespaces;
 * anything else (its "exit", or the link closing) means the sandbox gave
 * up: -ECANCELED. */
static int await_app(struct srv *s)
{
	char buf[MSG_MAX];
	const char *arg;
	long pid;
	ssize_t n;
	do
		n = msg_recv(s->link_fd, buf, sizeof buf, NULL);
	while (n == -EINTR);
	if (n <= 0 || !msg_is(buf, "app", &arg))
		return -ECANCELED;
	if (parse_long(arg, &pid) < 0 || pid <= 0)
		return -EINVAL;
	s->app = (pid_t)pid;
	return 0;
}

static int setup(struct srv *s, char *err, size_t errlen)
{
	int r;
	if ((r = nsset_open(s->app, &s->ns)) < 0) {
		snprintf(err, errlen, "the app's namespaces: %s", strerror(-r));
		return r;
	}
	if ((r = note_pidns(s, err, errlen)) < 0)
		return r;
	if ((r = srv_cgroup_open(&s->cg, &s->spec, s->id)) < 0) {
		snprintf(err, errlen, "cgroup: %s", strerror(-r));
		return r;
	}
	return listen_control(s, err, errlen);
}

/* Record the app's exit code for `burrow wait` and `state` after the
 * sandbox is gone (statefile.h: a file of its own, no lock to wait for). */
static void note_exit(struct srv *s)
{
	int r = statefile_write_exit(s->state_dir, s->app_code);
	if (r < 0)
		log_warn("control: record the exit status: %s", strerror(-r));
}

static void on_link(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct srv *s = w->data;
	char buf[MSG_MAX];
	const char *arg;
	ssize_t n = msg_recv(s->link_fd, buf, sizeof buf, NULL);
	if (n < 0 && n == -EAGAIN)
		return;
	if (n > 0 && msg_is(buf, "exit", &arg)) {
		children_reap(s);
		children_app_exited(s, atoi(arg));
		note_exit(s);
	} else if (n > 0) {
		log_warn("control: unexpected message from the sentry: \"%.40s\"", buf);
		return;
	}
	/* The app is gone or the sentry is: answer what is left and go. */
	children_reap(s);
	children_fail_waiters(s, "the container stopped");
	ev_break(loop, EVBREAK_ALL);
}

static void on_child(struct ev_loop *loop, ev_child *w, int revents)
{
	(void)loop;
	(void)revents;
	children_exited(w->data, w->rpid, w->rstatus);
}

static int serve(struct srv *s)
{
	s->loop = ev_default_loop(EVFLAG_AUTO);
	if (!s->loop)
		return -ENOMEM;
	ev_io_init(&s->link_w, on_link, s->link_fd, EV_READ);
	s->link_w.data = s;
	ev_io_start(s->loop, &s->link_w);
	ev_child_init(&s->chld_w, on_child, 0, 0);
	s->chld_w.data = s;
	ev_child_start(s->loop, &s->chld_w);
	server_start_accepting(s);
	ev_run(s->loop, 0);
	server_close_all(s);
	return 0;
}

/* The process itself: tied to the sentry, signals as libev wants them,
 * none of the caller's stdio, the log. */
static int process_setup(const struct args *a)
{
	/* Dies with the sentry; Execute's processes become ours (ns_fork). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != (pid_t)a->sentry ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return -EPERM;
	/* The sentry blocks what its signalfd takes; libev wants them. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_IGN);
	quiet_stdio();
	if (log_init("burrow-sentry", a->log, a->log_format && !strcmp(a->log_format, "json"),
		     a->debug ? LOG_LVL_DEBUG : LOG_LVL_INFO) < 0)
		log_warn("control: cannot open the log %s", a->log);
	else if (a->log && !strncmp(a->log, "/proc/self/fd/", 14))
		close(atoi(a->log + 14));   /* reopened: the inherited one is not needed */
	/* Logging to a file, the caller's stderr is not ours to hold. */
	if (a->log && *a->log) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, STDERR_FILENO);
			close(null);
		}
	}
	return 0;
}

/* "error <text>" to the sentry. */
static void report_error(struct srv *s, const char *err)
{
	char text[MSG_MAX];
	snprintf(text, sizeof text, "error %s", err);
	msg_send(s->link_fd, text, -1);
}

/* "ready" to the sentry, with the proc mount for its root when we could
 * make it (without, engines see no processes there; not fatal). */
static int report_ready(struct srv *s)
{
	int proc_fd = -1, r = procmount_make(&s->ns, &proc_fd);
	if (r < 0)
		log_warn("control: a proc mount for the sentry: %s", strerror(-r));
	r = msg_send(s->link_fd, "ready", proc_fd);
	if (proc_fd >= 0)
		close(proc_fd);
	return r;
}

static void release(struct srv *s)
{
	srv_cgroup_close(&s->cg);
	nsset_close(&s->ns);
	while (s->children)
		child_drop(s, s->children);
	if (s->spec.doc)
		oci_spec_free(&s->spec);
	json_decref(s->config);
}

int sentry_control_main(int argc, char **argv)
{
	struct args a = { 0 };
	if (parse_args(argc, argv, &a) < 0) {
		fprintf(stderr, "burrow-sentry control: started by the sentry only (see "
				"burrow-sentry(8))\n");
		return 2;
	}
	if (process_setup(&a) < 0)
		return 1;
	static struct srv s;
	s = (struct srv){ .id = a.id, .bundle = a.bundle, .state_dir = a.state_dir,
			  .sentry = (pid_t)a.sentry, .owner = getuid(), .listen_fd = -1,
			  .link_fd = (int)a.link };
	srv_cgroup_init(&s.cg);
	for (int i = 0; i < NSX_N; i++)
		s.ns.fd[i] = -1;
	char err[1024];
	int r = load_config(&s, err, sizeof err);   /* while the sentry builds the sandbox */
	int ar = await_app(&s);
	if (ar == -ECANCELED) {
		release(&s);
		return 0;
	}
	if (r == 0 && ar < 0) {
		r = ar;
		snprintf(err, sizeof err, "a malformed \"app\" message from the sentry");
	}
	if (r == 0)
		r = setup(&s, err, sizeof err);
	if (r < 0) {
		report_error(&s, err);
		release(&s);
		return 1;
	}
	r = report_ready(&s);
	if (r == 0)
		r = serve(&s);
	release(&s);
	return r < 0 ? 1 : 0;
}
