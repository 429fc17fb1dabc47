/* config.json: the linux section (namespaces, id maps, sysctls, resources,
 * devices, masked and read-only paths). */
#include "oci/spec_int.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int type;
} ns_names[] = {
	{ "pid", CLONE_NEWPID },   { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC },   { "uts", CLONE_NEWUTS },     { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP },
};

static int parse_namespace(struct oci_ctx *c, json_t *o, const char *field,
			   struct oci_namespace *ns)
{
	char f[OCI_FIELD_MAX];
	if (!json_is_object(o))
		return oci_fail(c, field, "must be an object");
	oci_field(f, field, "type");
	int r = oci_get_string(c, o, "type", f, true, &ns->name);
	if (r < 0)
		return r;
	ns->type = 0;
	for (size_t i = 0; i < sizeof ns_names / sizeof ns_names[0]; i++)
		if (strcmp(ns_names[i].name, ns->name) == 0)
			ns->type = ns_names[i].type;
	if (strcmp(ns->name, "time") == 0)
		return oci_fail(c, f, "time namespaces are not supported");
	if (!ns->type)
		return oci_fail(c, f, "unknown namespace type \"%s\"", ns->name);
	oci_field(f, field, "path");
	if ((r = oci_get_string(c, o, "path", f, false, &ns->path)) < 0)
		return r;
	return ns->path ? oci_check_abs(c, f, ns->path) : 0;
}

static int parse_namespaces(struct oci_ctx *c, json_t *lin, struct oci_linux *l)
{
	json_t *arr;
	int r = oci_get_array(c, lin, "namespaces", "linux.namespaces", false, &arr);
	if (r < 0 || !arr || json_array_size(arr) == 0)
		return r;
	size_t n = json_array_size(arr);
	l->namespaces = calloc(n, sizeof *l->namespaces);
	if (!l->namespaces)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char f[OCI_FIELD_MAX];
		oci_field_index(f, "linux.namespaces", i);
		if ((r = parse_namespace(c, json_array_get(arr, i), f, &l->namespaces[i])) < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (l->namespaces[j].type == l->namespaces[i].type)
				return oci_fail(c, f, "namespace \"%s\" given twice",
						l->namespaces[i].name);
		l->n_namespaces = i + 1;
	}
	return 0;
}

static int parse_idmaps(struct oci_ctx *c, json_t *lin, const char *key,
			struct oci_idmap **out, size_t *n_out)
{
	char field[OCI_FIELD_MAX];
	json_t *arr;
	oci_field(field, "linux", key);
	int r = oci_get_array(c, lin, key, field, false, &arr);
	if (r < 0 || !arr || json_array_size(arr) == 0)
		return r;
	size_t n = json_array_size(arr);
	if (n > 340) /* the kernel's limit of lines in uid_map */
		return oci_fail(c, field, "more than 340 entries");
	*out = calloc(n, sizeof **out);
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char f[OCI_FIELD_MAX], g[OCI_FIELD_MAX];
		json_t *o = json_array_get(arr, i);
		struct oci_idmap *m = &(*out)[i];
		oci_field_index(f, field, i);
		if (!json_is_object(o))
			return oci_fail(c, f, "must be an object");
		oci_field(g, f, "containerID");
		if ((r = oci_get_u32(c, o, "containerID", g, true, NULL, &m->container_id)) < 0)
			return r;
		oci_field(g, f, "hostID");
		if ((r = oci_get_u32(c, o, "hostID", g, true, NULL, &m->host_id)) < 0)
			return r;
		oci_field(g, f, "size");
		if ((r = oci_get_u32(c, o, "size", g, true, NULL, &m->size)) < 0)
			return r;
		if (m->size == 0)
			return oci_fail(c, g, "must not be 0");
		*n_out = i + 1;
	}
	return 0;
}

static int check_sysctl_name(struct oci_ctx *c, const char *field, const char *name)
{
	/* Written as /proc/sys/<name with . as />: no path tricks. */
	if (!*name || name[0] == '.' || strstr(name, "..") || strchr(name, '/') ||
	    name[strlen(name) - 1] == '.')
		return oci_fail(c, field, "invalid sysctl name \"%s\"", name);
	return 0;
}

static int parse_sysctls(struct oci_ctx *c, json_t *lin, struct oci_linux *l)
{
	json_t *obj;
	int r = oci_get_object(c, lin, "sysctl", "linux.sysctl", false, &obj);
	if (r < 0 || !obj || json_object_size(obj) == 0)
		return r;
	l->sysctls = calloc(json_object_size(obj), sizeof *l->sysctls);
	if (!l->sysctls)
		return -ENOMEM;
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		char f[OCI_FIELD_MAX];
		oci_field(f, "linux.sysctl", key);
		if ((r = check_sysctl_name(c, f, key)) < 0)
			return r;
		if (!json_is_string(v))
			return oci_fail(c, f, "must be a string");
		l->sysctls[l->n_sysctls].name = key;
		l->sysctls[l->n_sysctls++].value = json_string_value(v);
	}
	return 0;
}

static int parse_device_rule(struct oci_ctx *c, json_t *o, const char *field,
			     struct oci_device_rule *d)
{
	char f[OCI_FIELD_MAX];
	const char *type = "a", *access = "rwm";
	bool has;
	if (!json_is_object(o))
		return oci_fail(c, field, "must be an object");
	oci_field(f, field, "allow");
	if (!json_is_boolean(json_object_get(o, "allow")))
		return oci_fail(c, f, "must be true or false");
	d->allow = json_is_true(json_object_get(o, "allow"));
	oci_field(f, field, "type");
	int r = oci_get_string(c, o, "type", f, false, &type);
	if (r < 0)
		return r;
	if (!type)
		type = "a";
	if (strlen(type) != 1 || !strchr("acb", type[0]))
		return oci_fail(c, f, "must be one of a, c, b");
	d->type = type[0];
	d->major = d->minor = -1;
	oci_field(f, field, "major");
	if ((r = oci_get_i64(c, o, "major", f, false, &has, &d->major)) < 0)
		return r;
	if (has && (d->major < -1 || d->major > 0xfff))
		return oci_fail(c, f, "out of range");
	oci_field(f, field, "minor");
	if ((r = oci_get_i64(c, o, "minor", f, false, &has, &d->minor)) < 0)
		return r;
	if (has && (d->minor < -1 || d->minor > 0xfffff))
		return oci_fail(c, f, "out of range");
	oci_field(f, field, "access");
	if ((r = oci_get_string(c, o, "access", f, false, &access)) < 0)
		return r;
	if (!access)
		access = "rwm";
	if (!*access || strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
		return oci_fail(c, f, "must be letters of \"rwm\"");
	snprintf(d->access, sizeof d->access, "%s", access);
	return 0;
}

static int parse_device_rules(struct oci_ctx *c, json_t *obj, struct oci_resources *res)
{
	json_t *arr, *v;
	size_t i;
	int r = oci_get_array(c, obj, "devices", "linux.resources.devices", false, &arr);
	if (r < 0 || !arr || json_array_size(arr) == 0)
		return r;
	res->devices = calloc(json_array_size(arr), sizeof *res->devices);
	if (!res->devices)
		return -ENOMEM;
	json_array_foreach(arr, i, v) {
		char f[OCI_FIELD_MAX];
		snprintf(f, sizeof f, "linux.resources.devices[%zu]", i);
		if ((r = parse_device_rule(c, v, f, &res->devices[i])) < 0)
			return r;
		res->n_devices = i + 1;
	}
	return 0;
}

static int parse_resources(struct oci_ctx *c, json_t *lin, struct oci_resources *res)
{
	json_t *obj, *mem, *pids;
	int r = oci_get_object(c, lin, "resources", "linux.resources", false, &obj);
	if (r < 0 || !obj)
		return r;
	if ((r = oci_get_object(c, obj, "memory", "linux.resources.memory", false, &mem)) < 0)
		return r;
	if (mem) {
		if ((r = oci_get_i64(c, mem, "limit", "linux.resources.memory.limit", false,
				     &res->has_memory_limit, &res->memory_limit)) < 0 ||
		    (r = oci_get_i64(c, mem, "swap", "linux.resources.memory.swap", false,
				     &res->has_memory_swap, &res->memory_swap)) < 0 ||
		    (r = oci_get_i64(c, mem, "reservation", "linux.resources.memory.reservation",
				     false, &res->has_memory_reservation,
				     &res->memory_reservation)) < 0)
			return r;
		if (res->has_memory_limit && res->memory_limit < -1)
			return oci_fail(c, "linux.resources.memory.limit", "must be -1 or positive");
		if (res->has_memory_swap && res->memory_swap < -1)
			return oci_fail(c, "linux.resources.memory.swap", "must be -1 or positive");
		if (res->has_memory_swap && res->memory_swap > 0 && res->has_memory_limit &&
		    res->memory_limit > 0 && res->memory_swap < res->memory_limit)
			return oci_fail(c, "linux.resources.memory.swap",
					"must not be below memory.limit (it is memory + swap)");
	}
	if ((r = parse_device_rules(c, obj, res)) < 0 ||
	    (r = oci_get_object(c, obj, "pids", "linux.resources.pids", false, &pids)) < 0)
		return r;
	if (pids)
		return oci_get_i64(c, pids, "limit", "linux.resources.pids.limit", true,
				   &res->has_pids_limit, &res->pids_limit);
	return 0;
}

static int parse_device(struct oci_ctx *c, json_t *o, const char *field, struct oci_device *d)
{
	char f[OCI_FIELD_MAX];
	const char *type;
	if (!json_is_object(o))
		return oci_fail(c, field, "must be an object");
	oci_field(f, field, "path");
	int r = oci_get_string(c, o, "path", f, true, &d->path);
	if (r < 0 || (r = oci_check_abs(c, f, d->path)) < 0)
		return r;
	if (strncmp(d->path, "/dev/", 5) != 0 || strstr(d->path, "/../"))
		return oci_fail(c, f, "must be below /dev");
	oci_field(f, field, "type");
	if ((r = oci_get_string(c, o, "type", f, true, &type)) < 0)
		return r;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return oci_fail(c, f, "must be one of c, b, u, p");
	d->type = type[0] == 'u' ? 'c' : type[0];
	bool need_nums = d->type != 'p', has;
	oci_field(f, field, "major");
	if ((r = oci_get_i64(c, o, "major", f, need_nums, &has, &d->major)) < 0)
		return r;
	oci_field(f, field, "minor");
	if ((r = oci_get_i64(c, o, "minor", f, need_nums, &has, &d->minor)) < 0)
		return r;
	if (d->major < 0 || d->minor < 0 || d->major > 0xfff || d->minor > 0xfffff)
		return oci_fail(c, field, "major/minor out of range");
	oci_field(f, field, "fileMode");
	if ((r = oci_get_u32(c, o, "fileMode", f, false, &d->has_mode, &d->file_mode)) < 0)
		return r;
	if (d->has_mode && d->file_mode > 07777)
		return oci_fail(c, f, "must be permission bits (at most 07777)");
	oci_field(f, field, "uid");
	if ((r = oci_get_u32(c, o, "uid", f, false, &d->has_uid, &d->uid)) < 0)
		return r;
	oci_field(f, field, "gid");
	return oci_get_u32(c, o, "gid", f, false, &d->has_gid, &d->gid);
}

static int parse_devices(struct oci_ctx *c, json_t *lin, struct oci_linux *l)
{
	json_t *arr;
	int r = oci_get_array(c, lin, "devices", "linux.devices", false, &arr);
	if (r < 0 || !arr || json_array_size(arr) == 0)
		return r;
	size_t n = json_array_size(arr);
	l->devices = calloc(n, sizeof *l->devices);
	if (!l->devices)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char f[OCI_FIELD_MAX];
		oci_field_index(f, "linux.devices", i);
		if ((r = parse_device(c, json_array_get(arr, i), f, &l->devices[i])) < 0)
			return r;
		l->n_devices = i + 1;
	}
	return 0;
}

static int parse_paths(struct oci_ctx *c, json_t *lin, const char *key, const char ***out,
		       size_t *n)
{
	char field[OCI_FIELD_MAX];
	oci_field(field, "linux", key);
	int r = oci_get_strv(c, lin, key, field, false, false, out, n);
	for (size_t i = 0; r == 0 && i < *n; i++) {
		char f[OCI_FIELD_MAX];
		oci_field_index(f, field, i);
		r = oci_check_abs(c, f, (*out)[i]);
	}
	return r;
}

static int parse_propagation(struct oci_ctx *c, json_t *lin, struct oci_linux *l)
{
	static const char *const ok[] = { "private", "rprivate", "slave", "rslave",
					  "shared", "rshared", "unbindable", "runbindable" };
	int r = oci_get_string(c, lin, "rootfsPropagation", "linux.rootfsPropagation", false,
			       &l->rootfs_propagation);
	if (r < 0 || !l->rootfs_propagation)
		return r;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strcmp(ok[i], l->rootfs_propagation) == 0)
			return 0;
	return oci_fail(c, "linux.rootfsPropagation", "unknown propagation \"%s\"",
			l->rootfs_propagation);
}

int oci_parse_linux(struct oci_ctx *c, json_t *lin, struct oci_linux *l)
{
	int r;
	if ((r = parse_namespaces(c, lin, l)) < 0 ||
	    (r = parse_idmaps(c, lin, "uidMappings", &l->uid_mappings, &l->n_uid_mappings)) < 0 ||
	    (r = parse_idmaps(c, lin, "gidMappings", &l->gid_mappings, &l->n_gid_mappings)) < 0 ||
	    (r = parse_sysctls(c, lin, l)) < 0 || (r = parse_resources(c, lin, &l->resources)) < 0 ||
	    (r = parse_devices(c, lin, l)) < 0 ||
	    (r = parse_paths(c, lin, "maskedPaths", &l->masked_paths, &l->n_masked_paths)) < 0 ||
	    (r = parse_paths(c, lin, "readonlyPaths", &l->readonly_paths,
			     &l->n_readonly_paths)) < 0 ||
	    (r = parse_propagation(c, lin, l)) < 0)
		return r;
	if ((r = oci_get_string(c, lin, "cgroupsPath", "linux.cgroupsPath", false,
				&l->cgroups_path)) < 0)
		return r;
	if (l->cgroups_path && strstr(l->cgroups_path, ".."))
		return oci_fail(c, "linux.cgroupsPath", "must not contain \"..\"");

	json_t *sc;
	if ((r = oci_get_object(c, lin, "seccomp", "linux.seccomp", false, &sc)) < 0)
		return r;
	if (sc && (r = oci_parse_seccomp(c, sc, "linux.seccomp", &l->seccomp)) < 0)
		return r;

	bool has_user = false;
	for (size_t i = 0; i < l->n_namespaces; i++)
		has_user |= l->namespaces[i].type == CLONE_NEWUSER && !l->namespaces[i].path;
	if ((l->n_uid_mappings || l->n_gid_mappings) && !has_user)
		return oci_fail(c, "linux.uidMappings", "id mappings need a new user namespace");
	if (has_user && (!l->n_uid_mappings || !l->n_gid_mappings))
		return oci_fail(c, "linux.uidMappings",
				"a new user namespace needs uidMappings and gidMappings");
	return 0;
}

void oci_free_linux(struct oci_linux *l)
{
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	free(l->sysctls);
	free(l->resources.devices);
	free(l->devices);
	free(l->masked_paths);
	free(l->readonly_paths);
	oci_free_seccomp(l->seccomp);
}
