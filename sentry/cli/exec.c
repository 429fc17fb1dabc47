/* burrow exec [options] ID [COMMAND [ARG...]]: a new process in a
 * created or running container (application.Execute).
 *
 * The process is --process FILE, or the container's own process section
 * with COMMAND, --cwd, --env, --user, --additional-gids, --cap, --tty,
 * --no-new-privs applied (runc's rules).  Without --tty it gets burrow's
 * stdio; with it a pty, relayed here or sent to --console-socket.
 * Foreground: forwards signals and exits with the process's status.
 * --detach: a waiter child (the --pid-file's pid) does that instead, so a
 * subreaper (conmon, a shim) can wait for it after burrow has left. */
#include "lifecycle.h"
#include "exec_wait.h"
#include "control/client.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct exec_opts {
	const char *process, *pid_file, *console_socket, *cwd, *user, *id;
	bool detach, tty, tty_set, no_new_privs;
	const char *env[256], *caps[64];
	size_t n_env, n_caps;
	long gids[64];
	size_t n_gids;
	char **args;
	int n_args;
};

static int add_str(const char **v, size_t *n, size_t max, const char *s, const char *what)
{
	if (*n == max)
		return cli_fail("exec: too many %s", what);
	v[(*n)++] = s;
	return 0;
}

static int parse_opt(int opt, const char *arg, struct exec_opts *o)
{
	char *end;
	switch (opt) {
	case 'p': o->process = arg; return 0;
	case 'd': o->detach = true; return 0;
	case 'P': o->pid_file = arg; return 0;
	case 't': o->tty = o->tty_set = true; return 0;
	case 'C': o->console_socket = arg; return 0;
	case 'w': o->cwd = arg; return 0;
	case 'e': return add_str(o->env, &o->n_env, ARRAY_SIZE(o->env), arg, "--env");
	case 'u': o->user = arg; return 0;
	case 'c': return add_str(o->caps, &o->n_caps, ARRAY_SIZE(o->caps), arg, "--cap");
	case 'g':
		errno = 0;
		long v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < 0 || v > UINT32_MAX)
			return cli_fail("exec: --additional-gids: not a gid: \"%s\"", arg);
		if (o->n_gids == ARRAY_SIZE(o->gids))
			return cli_fail("exec: too many --additional-gids");
		o->gids[o->n_gids++] = v;
		return 0;
	case 'N': o->no_new_privs = true; return 0;
	case 'F':
		return strcmp(arg, "0") ? cli_fail("exec: --preserve-fds is not supported") : 0;
	case 'I': return 0;   /* --ignore-paused: burrow does not pause */
	case 'L':
		log_debug("exec: --process-label/--apparmor ignored (no LSM support)");
		return 0;
	default: return 1;
	}
}

static int parse(int argc, char **argv, struct exec_opts *o)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "tty", no_argument, NULL, 't' },
		{ "console-socket", required_argument, NULL, 'C' },
		{ "cwd", required_argument, NULL, 'w' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "cap", required_argument, NULL, 'c' },
		{ "additional-gids", required_argument, NULL, 'g' },
		{ "no-new-privs", no_argument, NULL, 'N' },
		{ "preserve-fds", required_argument, NULL, 'F' },
		{ "ignore-paused", no_argument, NULL, 'I' },
		{ "process-label", required_argument, NULL, 'L' },
		{ "apparmor", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+p:dte:u:c:g:", opts, NULL)) != -1)
		if (parse_opt(opt, optarg, o))
			return 1;
	if (optind >= argc)
		return cli_fail("exec: expected a container id");
	o->id = argv[optind];
	o->args = argv + optind + 1;
	o->n_args = argc - optind - 1;
	if (!o->process && o->n_args == 0)
		return cli_fail("exec: expected a command (or --process FILE)");
	return 0;
}

/* runc's rule: a console socket exactly for a detached terminal. */
static int check_terminal(const struct exec_opts *o, bool terminal)
{
	if (o->detach && terminal && !o->console_socket)
		return cli_fail("exec: cannot allocate a tty when detaching without --console-socket");
	if ((!o->detach || !terminal) && o->console_socket)
		return cli_fail("exec: --console-socket needs --detach and a tty");
	return 0;
}

static json_t *load_json(const char *path, const char *what)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (!json_is_object(j)) {
		json_decref(j);
		cli_fail("exec: %s %s: %s", what, path, j ? "not a JSON object" : je.text);
		return NULL;
	}
	return j;
}

/* The container's process section, the base of a command-line exec. */
static json_t *base_process(const struct container *c)
{
	const char *bundle = json_string_value(json_object_get(c->state, "bundle"));
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/config.json", bundle ? bundle : "");
	json_t *cfg = load_json(path, "the container's config");
	if (!cfg)
		return NULL;
	json_t *p = json_object_get(cfg, "process");
	p = json_is_object(p) ? json_deep_copy(p) : json_object();
	json_decref(cfg);
	return p;
}

static int set_env(json_t *p, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return cli_fail("exec: --env: want NAME=VALUE, not \"%s\"", kv);
	json_t *env = json_object_get(p, "env");
	if (!json_is_array(env)) {
		env = json_array();
		json_object_set_new(p, "env", env);
	}
	size_t i, klen = (size_t)(eq - kv) + 1;
	json_t *e;
	json_array_foreach(env, i, e) {
		const char *cur = json_string_value(e);
		if (cur && !strncmp(cur, kv, klen))
			return json_array_set_new(env, i, json_string(kv));
	}
	return json_array_append_new(env, json_string(kv));
}

static int set_user(json_t *p, const char *spec, const long *gids, size_t n_gids)
{
	json_t *user = json_object_get(p, "user");
	if (!json_is_object(user)) {
		user = json_object();
		json_object_set_new(p, "user", user);
	}
	if (spec) {
		unsigned long uid, gid;
		char *end;
		errno = 0;
		uid = strtoul(spec, &end, 10);
		if (errno || end == spec || (*end && *end != ':') || uid > UINT32_MAX)
			return cli_fail("exec: --user: want UID[:GID] (numbers), not \"%s\"", spec);
		json_object_set_new(user, "uid", json_integer((json_int_t)uid));
		if (*end == ':') {
			const char *g = end + 1;
			gid = strtoul(g, &end, 10);
			if (errno || end == g || *end || gid > UINT32_MAX)
				return cli_fail("exec: --user: want UID[:GID] (numbers), not \"%s\"", spec);
			json_object_set_new(user, "gid", json_integer((json_int_t)gid));
		}
	}
	if (n_gids) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < n_gids; i++)
			json_array_append_new(a, json_integer(gids[i]));
		json_object_set_new(user, "additionalGids", a);
	}
	return 0;
}

/* --cap joins every set (ambient needs permitted and inheritable). */
static void add_caps(json_t *p, const char *const *caps, size_t n)
{
	static const char *const sets[] = { "bounding", "effective", "permitted", "inheritable",
					    "ambient" };
	if (!n)
		return;
	json_t *c = json_object_get(p, "capabilities");
	if (!json_is_object(c)) {
		c = json_object();
		json_object_set_new(p, "capabilities", c);
	}
	for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
		json_t *a = json_object_get(c, sets[s]);
		if (!json_is_array(a)) {
			a = json_array();
			json_object_set_new(c, sets[s], a);
		}
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_string(caps[i]));
	}
}

static json_t *cli_process(const struct container *c, const struct exec_opts *o)
{
	json_t *p = base_process(c);
	if (!p)
		return NULL;
	json_t *args = json_array();
	for (int i = 0; args && i < o->n_args; i++)
		json_array_append_new(args, json_string(o->args[i]));
	json_object_set_new(p, "args", args);
	json_object_set_new(p, "terminal", json_boolean(o->tty));
	if (o->cwd)
		json_object_set_new(p, "cwd", json_string(o->cwd));
	if (o->no_new_privs)
		json_object_set_new(p, "noNewPrivileges", json_true());
	/* the container's console size is not this terminal's */
	json_object_del(p, "consoleSize");
	for (size_t i = 0; i < o->n_env; i++)
		if (set_env(p, o->env[i]) == 1) {
			json_decref(p);
			return NULL;
		}
	if (set_user(p, o->user, o->gids, o->n_gids)) {
		json_decref(p);
		return NULL;
	}
	add_caps(p, o->caps, o->n_caps);
	return p;
}

static int run_exec(struct container *c, const struct exec_opts *o, json_t *process)
{
	bool terminal = json_is_true(json_object_get(process, "terminal"));
	if (check_terminal(o, terminal))
		return 1;
	struct exec_ctx x = { .id = c->id, .master = -1, .pid_file = o->pid_file,
			      .console_socket = o->console_socket, .detach = o->detach,
			      .terminal = terminal };
	if (exec_start(&x, process))
		return 1;
	return exec_finish(&x);
}

int cmd_exec(const struct cli_globals *g, int argc, char **argv)
{
	static struct exec_opts o;
	memset(&o, 0, sizeof o);
	if (parse(argc, argv, &o))
		return 1;
	struct container c;
	if (container_open(g, o.id, false, &c))
		return 1;
	int r = 0;
	if (!strcmp(c.status, "stopped"))
		r = cli_fail("cannot exec in a stopped container");
	else if (strcmp(c.status, "running") && strcmp(c.status, "created"))
		r = cli_fail("cannot exec in a %s container", c.status);
	json_t *process = NULL;
	if (r == 0 && o.process)
		process = load_json(o.process, "--process");
	else if (r == 0)
		process = cli_process(&c, &o);
	if (r == 0 && !process)
		r = 1;
	if (r == 0 && o.process && o.tty_set)
		json_object_set_new(process, "terminal", json_true());
	if (r == 0)
		r = run_exec(&c, &o, process);
	json_decref(process);
	container_close(&c);
	return r;
}
