/* config.json: hooks (run by the lifecycle commands). */
#include "oci/spec_int.h"

#include <errno.h>
#include <stdlib.h>

static const char *const hook_keys[OCI_HOOK_NKINDS] = {
	[OCI_HOOK_PRESTART] = "prestart",
	[OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
	[OCI_HOOK_CREATE_CONTAINER] = "createContainer",
	[OCI_HOOK_START_CONTAINER] = "startContainer",
	[OCI_HOOK_POSTSTART] = "poststart",
	[OCI_HOOK_POSTSTOP] = "poststop",
};

static int parse_hook(struct oci_ctx *c, json_t *o, const char *field, struct oci_hook *h)
{
	char f[OCI_FIELD_MAX];
	if (!json_is_object(o))
		return oci_fail(c, field, "must be an object");
	oci_field(f, field, "path");
	int r = oci_get_string(c, o, "path", f, true, &h->path);
	if (r < 0 || (r = oci_check_abs(c, f, h->path)) < 0)
		return r;
	oci_field(f, field, "args");
	if ((r = oci_get_strv(c, o, "args", f, false, false, &h->args, &h->n_args)) < 0)
		return r;
	oci_field(f, field, "env");
	if ((r = oci_get_strv(c, o, "env", f, false, false, &h->env, &h->n_env)) < 0)
		return r;
	int64_t t;
	oci_field(f, field, "timeout");
	if ((r = oci_get_i64(c, o, "timeout", f, false, &h->has_timeout, &t)) < 0)
		return r;
	if (h->has_timeout && (t <= 0 || t > 86400))
		return oci_fail(c, f, "must be a positive number of seconds");
	h->timeout = (int)t;
	return 0;
}

int oci_parse_hooks(struct oci_ctx *c, json_t *hooks, struct oci_spec *s)
{
	for (int k = 0; k < OCI_HOOK_NKINDS; k++) {
		char field[OCI_FIELD_MAX];
		json_t *arr;
		oci_field(field, "hooks", hook_keys[k]);
		int r = oci_get_array(c, hooks, hook_keys[k], field, false, &arr);
		if (r < 0)
			return r;
		size_t n = arr ? json_array_size(arr) : 0;
		if (n == 0)
			continue;
		s->hooks[k] = calloc(n, sizeof *s->hooks[k]);
		if (!s->hooks[k])
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			char f[OCI_FIELD_MAX];
			oci_field_index(f, field, i);
			s->n_hooks[k] = i + 1;
			if ((r = parse_hook(c, json_array_get(arr, i), f, &s->hooks[k][i])) < 0)
				return r;
		}
	}
	return 0;
}

void oci_free_hooks(struct oci_spec *s)
{
	for (int k = 0; k < OCI_HOOK_NKINDS; k++) {
		for (size_t i = 0; i < s->n_hooks[k]; i++) {
			free(s->hooks[k][i].args);
			free(s->hooks[k][i].env);
		}
		free(s->hooks[k]);
	}
}
