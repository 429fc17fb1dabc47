/* burrow list [-q] [--format table|json]: the containers under --root. */
#include "lifecycle.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids (sorted) of every directory holding a readable state. */
static json_t *collect(const struct cli_globals *g)
{
	json_t *states = json_array();
	DIR *d = opendir(g->root);
	if (!d)
		return states;   /* no root yet: no containers */
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !state_id_valid(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			char **p = realloc(names, cap * sizeof *p);
			if (!p)
				break;
			names = p;
		}
		if (!(names[n] = strdup(e->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		struct container c;
		char err[1200];
		if (states && container_load(g, names[i], false, &c, err, sizeof err) == 0) {
			json_array_append_new(states, container_oci_state(&c));
			container_close(&c);
		}
		free(names[i]);
	}
	free(names);
	return states;
}

static size_t width(json_t *states, const char *key, const char *title)
{
	size_t w = strlen(title);
	size_t i;
	json_t *s;
	json_array_foreach(states, i, s) {
		const char *v = json_string_value(json_object_get(s, key));
		if (v && strlen(v) > w)
			w = strlen(v);
	}
	return w;
}

/* runc's columns: ID PID STATUS BUNDLE CREATED OWNER. */
static void print_table(json_t *states)
{
	int wid = (int)width(states, "id", "ID"), wst = (int)width(states, "status", "STATUS");
	int wb = (int)width(states, "bundle", "BUNDLE"), wc = (int)width(states, "created", "CREATED");
	printf("%-*s   %-8s   %-*s   %-*s   %-*s   %s\n", wid, "ID", "PID", wst, "STATUS", wb,
	       "BUNDLE", wc, "CREATED", "OWNER");
	size_t i;
	json_t *s;
	json_array_foreach(states, i, s) {
		printf("%-*s   %-8lld   %-*s   %-*s   %-*s   %s\n", wid,
		       json_string_value(json_object_get(s, "id")),
		       (long long)json_integer_value(json_object_get(s, "pid")), wst,
		       json_string_value(json_object_get(s, "status")), wb,
		       json_string_value(json_object_get(s, "bundle")), wc,
		       json_string_value(json_object_get(s, "created")),
		       json_string_value(json_object_get(s, "owner")));
	}
}

int cmd_list(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	bool quiet = false, json = false;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+qf:", opts, NULL)) != -1) {
		if (opt == 'q')
			quiet = true;
		else if (opt == 'f' && (!strcmp(optarg, "table") || !strcmp(optarg, "json")))
			json = !strcmp(optarg, "json");
		else if (opt == 'f')
			return cli_fail("list: --format: table or json, not \"%s\"", optarg);
		else
			return 1;
	}
	if (optind != argc)
		return cli_fail("list: unexpected argument \"%s\"", argv[optind]);
	json_t *states = collect(g);
	if (!states)
		return cli_fail("list: out of memory");
	size_t i;
	json_t *s;
	if (quiet) {
		json_array_foreach(states, i, s)
			puts(json_string_value(json_object_get(s, "id")));
	} else if (json) {
		json_dumpf(states, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		puts("");
	} else {
		print_table(states);
	}
	json_decref(states);
	return fflush(stdout) == EOF ? cli_fail("list: cannot write the output") : 0;
}
