/* burrow state ID: the OCI state of a container, as runc prints it. */
#include "lifecycle.h"

#include <getopt.h>
#include <stdio.h>

int cmd_state(const struct cli_globals *g, int argc, char **argv)
{
	const char *id;
	optind = 1;
	if (getopt_long(argc, argv, "+", (const struct option[]){ { NULL, 0, NULL, 0 } }, NULL) != -1)
		return 1;
	if (one_id(argc, argv, "state", &id))
		return 1;
	struct container c;
	if (container_open(g, id, false, &c))
		return 1;
	json_t *st = container_oci_state(&c);
	container_close(&c);
	if (!st)
		return cli_fail("state: out of memory");
	int r = json_dumpf(st, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(st);
	if (r < 0 || puts("") == EOF || fflush(stdout) == EOF)
		return cli_fail("state: cannot write the output");
	return 0;
}
