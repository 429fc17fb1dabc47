/* The OCI hooks of a container being launched, shared by create and run:
 * the state they read on stdin, and the three that run before the app is
 * released (prestart, createRuntime, createContainer). */
#include "cli.h"
#include "lifecycle.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

json_t *launch_read_config(const char *bundle)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/config.json", bundle);
	json_error_t je;
	/* common/oci reports its errors properly in launch_create */
	json_t *j = json_load_file(path, 0, &je);
	return json_is_object(j) ? j : (json_decref(j), json_object());
}

char *launch_hook_state(const struct launch *l, json_t *config, const char *status)
{
	json_t *ann = json_object_get(config, "annotations");
	json_t *st = json_pack("{s:s, s:s, s:s, s:i, s:s, s:o}", "ociVersion",
			       l->spec.oci_version ? l->spec.oci_version : "1.0.2", "id", l->id,
			       "status", status, "pid", (int)l->app, "bundle", l->bundle,
			       "annotations", json_is_object(ann) ? json_incref(ann) : json_object());
	char *text = st ? json_dumps(st, JSON_COMPACT) : NULL;
	json_decref(st);
	return text;
}

int launch_create_hooks(const struct launch *l, json_t *config)
{
	char *text = launch_hook_state(l, config, "creating");
	if (!text)
		return cli_fail("%s: out of memory", l->id);
	int r = hooks_run(&l->spec, OCI_HOOK_PRESTART, text, 0, false) ||
		hooks_run(&l->spec, OCI_HOOK_CREATE_RUNTIME, text, 0, false) ||
		hooks_run(&l->spec, OCI_HOOK_CREATE_CONTAINER, text, l->app, false);
	free(text);
	return r;
}

int launch_hooks_of(const struct launch *l, json_t *config, int kind, const char *status,
		    pid_t in_container, bool warn_only)
{
	if (!l->spec.n_hooks[kind])
		return 0;
	char *text = launch_hook_state(l, config, status);
	if (!text)
		return cli_fail("%s: out of memory", l->id);
	int r = hooks_run(&l->spec, kind, text, in_container, warn_only);
	free(text);
	return r;
}
