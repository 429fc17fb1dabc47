/* burrow start ID: release a created container's app (application.Start),
 * with the startContainer hooks before (inside the container) and the
 * poststart hooks after. */
#include "lifecycle.h"
#include "control/client.h"
#include "log.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>

/* The spec, for its hooks; false when the bundle is unreadable now. */
static bool load_spec(const struct container *c, struct oci_spec *spec)
{
	const char *bundle = json_string_value(json_object_get(c->state, "bundle"));
	char path[PATH_MAX + 16], err[1024];
	if (!bundle)
		return false;
	snprintf(path, sizeof path, "%s/config.json", bundle);
	if (oci_spec_load(path, spec, err, sizeof err) < 0) {
		log_warn("start: no hooks run: %s", err);
		return false;
	}
	return true;
}

static char *state_text(const struct container *c)
{
	json_t *st = container_oci_state(c);
	char *text = st ? json_dumps(st, JSON_COMPACT) : NULL;
	json_decref(st);
	return text;
}

/* A failed startContainer hook stops the container (runtime spec). */
static void kill_container(const struct container *c)
{
	struct control_reply rep;
	if (control_call_once(c->id, CONTROL_M_SIGNAL,
			      json_pack("{s:i, s:b}", "signal", SIGKILL, "all", 1), &rep) == 0)
		control_reply_free(&rep);
}

static int start_app(struct container *c)
{
	struct control_reply rep;
	int r = control_call_once(c->id, CONTROL_M_START, NULL, &rep);
	if (r == -EREMOTEIO)
		return cli_fail("%s", rep.error);
	if (r < 0)
		return cli_fail("start %s: the sandbox does not answer: %s", c->id, strerror(-r));
	control_reply_free(&rep);
	r = container_update(c, json_pack("{s:s}", "status", "running"));
	if (r < 0)
		return cli_fail("start %s: record the state: %s", c->id, strerror(-r));
	return 0;
}

static int check_created(const struct container *c)
{
	if (!strcmp(c->status, "created"))
		return 0;
	if (!strcmp(c->status, "running"))
		return cli_fail("cannot start an already running container");
	if (!strcmp(c->status, "stopped"))
		return cli_fail("cannot start a container that has stopped");
	return cli_fail("cannot start a container in the %s state", c->status);
}

int cmd_start(const struct cli_globals *g, int argc, char **argv)
{
	const char *id;
	optind = 1;
	if (getopt_long(argc, argv, "+", (const struct option[]){ { NULL, 0, NULL, 0 } }, NULL) != -1)
		return 1;
	if (one_id(argc, argv, "start", &id))
		return 1;
	struct container c;
	if (container_open(g, id, true, &c))
		return 1;
	struct oci_spec spec;
	bool have_spec = false;
	char *text = NULL;
	int r = check_created(&c);
	if (r == 0 && (have_spec = load_spec(&c, &spec)) && !(text = state_text(&c)))
		r = cli_fail("start: out of memory");
	if (r == 0 && have_spec &&
	    hooks_run(&spec, OCI_HOOK_START_CONTAINER, text, c.app, false)) {
		kill_container(&c);
		r = 1;
	}
	if (r == 0)
		r = start_app(&c);
	if (r == 0 && have_spec) {
		free(text);
		text = state_text(&c);
		if (text)
			hooks_run(&spec, OCI_HOOK_POSTSTART, text, 0, true);
	}
	free(text);
	if (have_spec)
		oci_spec_free(&spec);
	container_close(&c);
	return r;
}
