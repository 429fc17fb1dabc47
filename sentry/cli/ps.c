/* burrow ps [--format table|json] ID: the container's processes
 * (application.Processes).  table: ps -ef's columns with host pids;
 * json: runc's array of pids. */
#include "lifecycle.h"
#include "control/client.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

static void fmt_user(json_int_t uid, char *out, size_t len)
{
	struct passwd *pw = uid >= 0 ? getpwuid((uid_t)uid) : NULL;
	if (pw)
		snprintf(out, len, "%s", pw->pw_name);
	else
		snprintf(out, len, "%lld", (long long)uid);
}

static void fmt_stime(time_t t, char *out, size_t len)
{
	struct tm tm, now_tm;
	time_t now = time(NULL);
	localtime_r(&t, &tm);
	localtime_r(&now, &now_tm);
	strftime(out, len, tm.tm_yday == now_tm.tm_yday && tm.tm_year == now_tm.tm_year
			   ? "%H:%M" : "%b%d", &tm);
}

static void fmt_tty(json_int_t nr, char *out, size_t len)
{
	unsigned maj = major((dev_t)nr), min = minor((dev_t)nr);
	if (nr == 0)
		snprintf(out, len, "?");
	else if (maj >= 136 && maj <= 143)
		snprintf(out, len, "pts/%u", (maj - 136) * 256 + min);
	else
		snprintf(out, len, "%u:%u", maj, min);
}

static void print_table(json_t *procs)
{
	printf("%-8s %7s %7s %2s %5s %-8s %8s %s\n", "UID", "PID", "PPID", "C", "STIME", "TTY",
	       "TIME", "CMD");
	size_t i;
	json_t *p;
	json_array_foreach(procs, i, p) {
		char user[64], stime[16], tty[16];
		json_int_t cpu = json_integer_value(json_object_get(p, "cpu_seconds"));
		fmt_user(json_integer_value(json_object_get(p, "uid")), user, sizeof user);
		fmt_stime((time_t)json_integer_value(json_object_get(p, "started")), stime, sizeof stime);
		fmt_tty(json_integer_value(json_object_get(p, "tty")), tty, sizeof tty);
		printf("%-8s %7lld %7lld %2d %5s %-8s %02lld:%02lld:%02lld %s\n", user,
		       (long long)json_integer_value(json_object_get(p, "pid")),
		       (long long)json_integer_value(json_object_get(p, "ppid")), 0, stime, tty,
		       (long long)(cpu / 3600), (long long)(cpu / 60 % 60), (long long)(cpu % 60),
		       json_string_value(json_object_get(p, "cmd")));
	}
}

static void print_json(json_t *procs)
{
	json_t *pids = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(procs, i, p)
		json_array_append(pids, json_object_get(p, "pid"));
	json_dumpf(pids, stdout, JSON_COMPACT);
	puts("");
	json_decref(pids);
}

int cmd_ps(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f:", opts, NULL)) != -1) {
		if (opt != 'f')
			return 1;
		if (strcmp(optarg, "table") && strcmp(optarg, "json"))
			return cli_fail("ps: --format: table or json, not \"%s\"", optarg);
		json = !strcmp(optarg, "json");
	}
	if (argc - optind < 1)
		return cli_fail("ps: expected a container id");
	if (argc - optind > 1)
		return cli_fail("ps: ps(1) options are not supported");
	const char *id = argv[optind];
	struct container c;
	if (container_open(g, id, false, &c))
		return 1;
	bool stopped = !strcmp(c.status, "stopped");
	container_close(&c);
	if (stopped)
		return cli_fail("container not running");
	struct control_reply rep;
	int r = control_call_once(id, CONTROL_M_PROCESSES, NULL, &rep);
	if (r == -EREMOTEIO)
		return cli_fail("%s", rep.error);
	if (r < 0)
		return cli_fail("ps %s: the sandbox does not answer: %s", id, strerror(-r));
	json_t *procs = json_object_get(rep.result, "processes");
	if (json)
		print_json(procs);
	else
		print_table(procs);
	control_reply_free(&rep);
	return fflush(stdout) == EOF ? cli_fail("ps: cannot write the output") : 0;
}
