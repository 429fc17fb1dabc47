/* burrow delete [--force] ID: remove a stopped (or created) container:
 * its processes (a running one only with --force), gofers, cgroups and
 * state directory; then the poststop hooks. */
#include "lifecycle.h"
#include "boot/cgroup.h"
#include "log.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define KILL_WAIT_MS 5000
#define GOFER_WAIT_MS 2000

/* The control server dies with the sentry (PDEATHSIG), a moment later:
 * wait for it, so nothing of the container outlives delete. */
static void wait_control(json_t *st)
{
	pid_t pid = (pid_t)json_integer_value(json_object_get(st, "control_pid"));
	unsigned long long start = (unsigned long long)json_integer_value(
		json_object_get(st, "control_start"));
	/* without a start time the pid may be anyone's by now */
	if (pid <= 0 || start == 0 || pid_wait_dead(pid, start, KILL_WAIT_MS))
		return;
	log_warn("delete: the control server %d did not exit: killing it", (int)pid);
	kill(pid, SIGKILL);
	pid_wait_dead(pid, start, KILL_WAIT_MS);
}

/* The sentry takes the app with it (PDEATHSIG), and the app's pid
 * namespace the rest; its control server dies with it too. */
static int kill_sandbox(struct container *c, json_t *st)
{
	unsigned long long s_start = (unsigned long long)json_integer_value(
		json_object_get(st, "sentry_start"));
	unsigned long long a_start = (unsigned long long)json_integer_value(
		json_object_get(st, "app_start"));
	if (pid_alive(c->sentry, s_start))
		kill(c->sentry, SIGKILL);
	if (pid_alive(c->app, a_start))
		kill(c->app, SIGKILL);
	if (!pid_wait_dead(c->sentry, s_start, KILL_WAIT_MS) ||
	    !pid_wait_dead(c->app, a_start, KILL_WAIT_MS))
		return cli_fail("delete %s: the sandbox (pid %d) does not die", c->id, (int)c->sentry);
	wait_control(st);
	return 0;
}

/* They exit when the sentry's connections close; stragglers are killed. */
static void stop_gofers(json_t *st)
{
	json_t *pids = json_object_get(st, "gofer_pids"), *starts = json_object_get(st, "gofer_starts");
	for (size_t i = 0; i < json_array_size(pids); i++) {
		pid_t pid = (pid_t)json_integer_value(json_array_get(pids, i));
		json_t *s = json_array_get(starts, i);
		/* without a start time the pid may be anyone's by now */
		if (!json_is_integer(s) || json_integer_value(s) <= 0)
			continue;
		unsigned long long start = (unsigned long long)json_integer_value(s);
		if (!pid_wait_dead(pid, start, GOFER_WAIT_MS) && pid_alive(pid, start)) {
			log_warn("delete: burrow-gofer %d did not exit: killing it", (int)pid);
			kill(pid, SIGKILL);
			pid_wait_dead(pid, start, GOFER_WAIT_MS);
		}
	}
}

static void remove_cgroups(const struct container *c)
{
	const char *rel = json_string_value(json_object_get(c->state, "cgroup"));
	if (!rel || rel[0] != '/')
		return;
	struct oci_spec spec;
	memset(&spec, 0, sizeof spec);
	spec.linux_.cgroups_path = rel;
	if (cgroup_destroy(&spec, c->id) < 0)
		log_warn("delete: cgroup %s: could not remove it", rel);
}

static void poststop(const struct container *c, const char *bundle)
{
	char path[PATH_MAX + 16], err[1024];
	struct oci_spec spec;
	if (!bundle)
		return;
	snprintf(path, sizeof path, "%s/config.json", bundle);
	if (oci_spec_load(path, &spec, err, sizeof err) < 0) {
		log_debug("delete: no poststop hooks: %s", err);
		return;
	}
	json_t *st = container_oci_state(c);
	char *text = st ? json_dumps(st, JSON_COMPACT) : NULL;
	if (text)
		hooks_run(&spec, OCI_HOOK_POSTSTOP, text, 0, true);
	free(text);
	json_decref(st);
	oci_spec_free(&spec);
}

/* With --force a directory without state (an interrupted create) goes. */
static int delete_missing(const struct cli_globals *g, const char *id, bool force,
			  const char *err)
{
	char dir[4096];
	if (!force)
		return cli_fail("%s", err);
	if (state_id_valid(id) && state_dir(g, id, dir, sizeof dir) == 0 &&
	    access(dir, F_OK) == 0 && state_remove(dir) < 0)
		return cli_fail("delete %s: remove %s: %s", id, dir, strerror(errno));
	return 0;
}

int cmd_delete(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	bool force = false;
	int opt;
	const char *id;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		if (opt != 'f')
			return 1;
		force = true;
	}
	if (one_id(argc, argv, "delete", &id))
		return 1;
	struct container c;
	char err[1200];
	int r = container_load(g, id, true, &c, err, sizeof err);
	if (r == -ENOENT)
		return delete_missing(g, id, force, err);
	if (r < 0)
		return cli_fail("%s", err);
	bool live = !strcmp(c.status, "running") || !strcmp(c.status, "creating");
	if (live && !force) {
		r = cli_fail("cannot delete container %s that is not stopped: %s", id, c.status);
		container_close(&c);
		return r;
	}
	r = kill_sandbox(&c, c.state);
	if (r == 0) {
		stop_gofers(c.state);
		remove_cgroups(&c);
		c.status = "stopped";
		char bundle[PATH_MAX];
		snprintf(bundle, sizeof bundle, "%s",
			 json_string_value(json_object_get(c.state, "bundle")) ?: "");
		if (state_remove(c.dir) < 0)
			r = cli_fail("delete %s: remove %s: %s", id, c.dir, strerror(errno));
		else
			poststop(&c, bundle[0] ? bundle : NULL);
	}
	container_close(&c);
	return r;
}
