/* config.json: the process section (args, env, user, caps, rlimits). */
#include "oci/spec_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU },           { "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_DATA", RLIMIT_DATA },         { "RLIMIT_STACK", RLIMIT_STACK },
	{ "RLIMIT_CORE", RLIMIT_CORE },         { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },   { "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },       { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },     { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

static const char *const cap_set_keys[OCI_CAP_NSETS] = {
	[OCI_CAP_BOUNDING] = "bounding",       [OCI_CAP_EFFECTIVE] = "effective",
	[OCI_CAP_INHERITABLE] = "inheritable", [OCI_CAP_PERMITTED] = "permitted",
	[OCI_CAP_AMBIENT] = "ambient",
};

static int parse_user(struct oci_ctx *c, json_t *proc, struct oci_process *p)
{
	json_t *user;
	int r = oci_get_object(c, proc, "user", "process.user", true, &user);
	if (r < 0)
		return r;
	if ((r = oci_get_u32(c, user, "uid", "process.user.uid", true, NULL, &p->uid)) < 0 ||
	    (r = oci_get_u32(c, user, "gid", "process.user.gid", true, NULL, &p->gid)) < 0 ||
	    (r = oci_get_u32(c, user, "umask", "process.user.umask", false, &p->has_umask,
			     &p->umask)) < 0)
		return r;
	if (p->has_umask && p->umask > 0777)
		return oci_fail(c, "process.user.umask", "must be at most 0777 (511)");
	if (json_object_get(user, "username"))
		return oci_fail(c, "process.user.username", "is for Windows; use uid and gid");

	json_t *gids;
	if ((r = oci_get_array(c, user, "additionalGids", "process.user.additionalGids", false,
			       &gids)) < 0 || !gids)
		return r;
	size_t n = json_array_size(gids);
	if (n > 65536)
		return oci_fail(c, "process.user.additionalGids", "more than 65536 groups");
	p->additional_gids = calloc(n ? n : 1, sizeof *p->additional_gids);
	if (!p->additional_gids)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char f[OCI_FIELD_MAX];
		uint64_t v;
		oci_field_index(f, "process.user.additionalGids", i);
		if ((r = oci_value_u64(c, json_array_get(gids, i), f, &v)) < 0)
			return r;
		if (v > UINT32_MAX)
			return oci_fail(c, f, "must be a gid");
		p->additional_gids[i] = (uint32_t)v;
	}
	p->n_additional_gids = n;
	return 0;
}

static int parse_env(struct oci_ctx *c, json_t *proc, struct oci_process *p)
{
	int r = oci_get_strv(c, proc, "env", "process.env", false, false, &p->env, &p->n_env);
	if (r < 0)
		return r;
	for (size_t i = 0; i < p->n_env; i++) {
		const char *eq = strchr(p->env[i], '=');
		if (!eq || eq == p->env[i]) {
			char f[OCI_FIELD_MAX];
			oci_field_index(f, "process.env", i);
			return oci_fail(c, f, "must be NAME=VALUE");
		}
	}
	if (!p->env) {
		p->env = calloc(1, sizeof *p->env);
		if (!p->env)
			return -ENOMEM;
	}
	return 0;
}

static int parse_cap_set(struct oci_ctx *c, json_t *caps, int set, uint64_t *mask)
{
	char field[OCI_FIELD_MAX];
	const char **names;
	size_t n;
	oci_field(field, "process.capabilities", cap_set_keys[set]);
	int r = oci_get_strv(c, caps, cap_set_keys[set], field, false, false, &names, &n);
	if (r < 0)
		return r;
	*mask = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		cap_value_t v;
		if (strncmp(names[i], "CAP_", 4) != 0 || cap_from_name(names[i], &v) < 0 ||
		    v < 0 || v > 63) {
			char f[OCI_FIELD_MAX];
			oci_field_index(f, field, i);
			r = oci_fail(c, f, "unknown capability \"%s\"", names[i]);
		} else {
			*mask |= UINT64_C(1) << v;
		}
	}
	free(names);
	return r;
}

static int parse_caps(struct oci_ctx *c, json_t *proc, struct oci_process *p)
{
	json_t *caps;
	int r = oci_get_object(c, proc, "capabilities", "process.capabilities", false, &caps);
	if (r < 0 || !caps)
		return r;
	p->has_caps = true;
	for (int set = 0; set < OCI_CAP_NSETS; set++)
		if ((r = parse_cap_set(c, caps, set, &p->caps[set])) < 0)
			return r;
	return 0;
}

static int parse_rlimit(struct oci_ctx *c, json_t *o, const char *field, struct oci_rlimit *rl)
{
	char f[OCI_FIELD_MAX];
	if (!json_is_object(o))
		return oci_fail(c, field, "must be an object");
	oci_field(f, field, "type");
	int r = oci_get_string(c, o, "type", f, true, &rl->name);
	if (r < 0)
		return r;
	rl->resource = -1;
	for (size_t i = 0; i < sizeof rlimit_names / sizeof rlimit_names[0]; i++)
		if (strcmp(rlimit_names[i].name, rl->name) == 0)
			rl->resource = rlimit_names[i].resource;
	if (rl->resource < 0)
		return oci_fail(c, f, "unknown rlimit \"%s\"", rl->name);
	oci_field(f, field, "soft");
	if ((r = oci_get_u64(c, o, "soft", f, true, NULL, &rl->soft)) < 0)
		return r;
	oci_field(f, field, "hard");
	if ((r = oci_get_u64(c, o, "hard", f, true, NULL, &rl->hard)) < 0)
		return r;
	if (rl->soft > rl->hard)
		return oci_fail(c, field, "soft limit above the hard limit");
	return 0;
}

static int parse_rlimits(struct oci_ctx *c, json_t *proc, struct oci_process *p)
{
	json_t *arr;
	int r = oci_get_array(c, proc, "rlimits", "process.rlimits", false, &arr);
	if (r < 0 || !arr || json_array_size(arr) == 0)
		return r;
	size_t n = json_array_size(arr);
	p->rlimits = calloc(n, sizeof *p->rlimits);
	if (!p->rlimits)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char f[OCI_FIELD_MAX];
		oci_field_index(f, "process.rlimits", i);
		if ((r = parse_rlimit(c, json_array_get(arr, i), f, &p->rlimits[i])) < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (p->rlimits[j].resource == p->rlimits[i].resource)
				return oci_fail(c, f, "%s given twice", p->rlimits[i].name);
		p->n_rlimits = i + 1;
	}
	return 0;
}

static int parse_console(struct oci_ctx *c, json_t *proc, struct oci_process *p)
{
	json_t *cs;
	int r = oci_get_object(c, proc, "consoleSize", "process.consoleSize", false, &cs);
	if (r < 0 || !cs)
		return r;
	if ((r = oci_get_u32(c, cs, "height", "process.consoleSize.height", true, NULL,
			     &p->console_height)) < 0)
		return r;
	return oci_get_u32(c, cs, "width", "process.consoleSize.width", true, NULL,
			   &p->console_width);
}

int oci_parse_process(struct oci_ctx *c, json_t *proc, struct oci_process *p)
{
	int r;
	if ((r = oci_get_bool(c, proc, "terminal", "process.terminal", &p->terminal)) < 0 ||
	    (r = parse_console(c, proc, p)) < 0 || (r = parse_user(c, proc, p)) < 0)
		return r;
	if ((r = oci_get_strv(c, proc, "args", "process.args", true, true, &p->args,
			      &p->n_args)) < 0)
		return r;
	if (!*p->args[0])
		return oci_fail(c, "process.args[0]", "must not be empty");
	if ((r = parse_env(c, proc, p)) < 0)
		return r;
	if ((r = oci_get_string(c, proc, "cwd", "process.cwd", true, &p->cwd)) < 0 ||
	    (r = oci_check_abs(c, "process.cwd", p->cwd)) < 0)
		return r;
	if ((r = parse_caps(c, proc, p)) < 0 || (r = parse_rlimits(c, proc, p)) < 0)
		return r;
	if ((r = oci_get_bool(c, proc, "noNewPrivileges", "process.noNewPrivileges",
			      &p->no_new_privileges)) < 0)
		return r;
	int64_t adj;
	if ((r = oci_get_i64(c, proc, "oomScoreAdj", "process.oomScoreAdj", false,
			     &p->has_oom_score_adj, &adj)) < 0)
		return r;
	if (adj < -1000 || adj > 1000)
		return oci_fail(c, "process.oomScoreAdj", "must be between -1000 and 1000");
	p->oom_score_adj = (int)adj;
	return 0;
}

void oci_free_process(struct oci_process *p)
{
	free(p->additional_gids);
	free(p->args);
	free(p->env);
	free(p->rlimits);
}
