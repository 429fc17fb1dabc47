/* burrow wait ID: block until the container's app exits; print
 * {"id":ID,"exitStatus":N} (as runsc) and exit 0.  A container already
 * stopped reports the status its control server recorded. */
#include "lifecycle.h"
#include "control/client.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static int print(const char *id, json_int_t status)
{
	printf("{\"id\":\"%s\",\"exitStatus\":%lld}\n", id, (long long)status);
	return fflush(stdout) == EOF ? cli_fail("wait: cannot write the output") : 0;
}

/* The sentry outlives its app until the control server has recorded the
 * exit status (or gave up): a container is "stopped" as soon as the app
 * is gone, maybe before that. */
#define RECORD_WAIT_MS 5000

/* After the fact: the status the control server recorded, if the sandbox
 * lived to record it. */
static int recorded(const struct cli_globals *g, const char *id)
{
	struct container c;
	if (container_open(g, id, false, &c))
		return 1;
	json_t *st = json_object_get(c.state, "exitStatus");
	if (!st) {
		unsigned long long start = (unsigned long long)json_integer_value(
			json_object_get(c.state, "sentry_start"));
		pid_t sentry = c.sentry;
		container_close(&c);
		if (sentry > 0)
			pid_wait_dead(sentry, start, RECORD_WAIT_MS);
		if (container_open(g, id, false, &c))
			return 1;
		st = json_object_get(c.state, "exitStatus");
	}
	int r = json_is_integer(st) ? print(id, json_integer_value(st))
				    : cli_fail("wait %s: stopped, and its exit status is unknown", id);
	container_close(&c);
	return r;
}

int cmd_wait(const struct cli_globals *g, int argc, char **argv)
{
	const char *id;
	optind = 1;
	if (getopt_long(argc, argv, "+", (const struct option[]){ { NULL, 0, NULL, 0 } }, NULL) != -1)
		return 1;
	if (one_id(argc, argv, "wait", &id))
		return 1;
	struct container c;
	if (container_open(g, id, false, &c))
		return 1;
	bool stopped = !strcmp(c.status, "stopped");
	container_close(&c);
	if (stopped)
		return recorded(g, id);
	struct control_reply rep;
	int r = control_call_once(id, CONTROL_M_WAIT, NULL, &rep);
	if (r == -EREMOTEIO)
		return cli_fail("wait %s: %s", id, rep.error);
	if (r < 0)   /* gone meanwhile */
		return recorded(g, id);
	json_int_t status = json_integer_value(json_object_get(rep.result, "status"));
	control_reply_free(&rep);
	return print(id, status);
}
