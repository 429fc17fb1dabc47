/* burrow events [--stats] [--interval D] ID: runc's stats events, one
 * JSON object per line (application.Event): once with --stats, else
 * every interval (default 5s) until the container stops. */
#include "lifecycle.h"
#include "control/client.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Go-style durations as runc takes them: "5s", "500ms", "1m", "2". */
static int parse_interval(const char *s, long long *ms)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return -EINVAL;
	double mult;
	if (!*end || !strcmp(end, "s"))
		mult = 1000;
	else if (!strcmp(end, "ms"))
		mult = 1;
	else if (!strcmp(end, "m"))
		mult = 60000;
	else if (!strcmp(end, "h"))
		mult = 3600000;
	else
		return -EINVAL;
	*ms = (long long)(v * mult);
	return *ms > 0 ? 0 : -EINVAL;
}

/* One event on stdout: 0, 1 on error (printed), 2 when the sandbox is gone. */
static int one(int fd, const char *id)
{
	struct control_reply rep;
	int r = control_call(fd, CONTROL_M_EVENT, NULL, NULL, 0, &rep);
	if (r == -EREMOTEIO)
		return cli_fail("%s", rep.error);
	if (r == -ECONNRESET || r == -EPIPE)
		return 2;
	if (r < 0)
		return cli_fail("events %s: %s", id, strerror(-r));
	json_dumpf(rep.result, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	puts("");
	control_reply_free(&rep);
	return fflush(stdout) == EOF ? cli_fail("events: cannot write the output") : 0;
}

int cmd_events(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	bool stats = false;
	long long interval = 5000;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (opt == 's')
			stats = true;
		else if (opt == 'i' && parse_interval(optarg, &interval) < 0)
			return cli_fail("events: --interval: not a duration: \"%s\"", optarg);
		else if (opt != 'i')
			return 1;
	}
	const char *id;
	if (one_id(argc, argv, "events", &id))
		return 1;
	struct container c;
	if (container_open(g, id, false, &c))
		return 1;
	bool stopped = !strcmp(c.status, "stopped");
	container_close(&c);
	if (stopped)
		return cli_fail("container with id %s is not running", id);
	int fd = control_connect(id);
	if (fd < 0)
		return cli_fail("events %s: the sandbox does not answer: %s", id, strerror(-fd));
	int r;
	for (;;) {
		r = one(fd, id);
		if (r || stats)
			break;
		struct timespec ts = { .tv_sec = interval / 1000,
				       .tv_nsec = (interval % 1000) * 1000000 };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	close(fd);
	/* The container stopped while we watched: the stream ends. */
	return r == 2 ? (stats ? cli_fail("container with id %s is not running", id) : 0) : r;
}
