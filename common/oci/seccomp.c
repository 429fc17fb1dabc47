/* config.json: linux.seccomp, validated here and compiled elsewhere
 * (sentry/boot/seccomp_spec.c) with libseccomp. */
#include "oci/spec_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const actions[] = {
	"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
	"SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",
};

static const char *const ops[] = {
	[OCI_OP_NE] = "SCMP_CMP_NE", [OCI_OP_LT] = "SCMP_CMP_LT", [OCI_OP_LE] = "SCMP_CMP_LE",
	[OCI_OP_EQ] = "SCMP_CMP_EQ", [OCI_OP_GE] = "SCMP_CMP_GE", [OCI_OP_GT] = "SCMP_CMP_GT",
	[OCI_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static const char *const arches[] = {
	"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
	"SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
	"SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
};

static const char *const filter_flags[] = {
	"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] && strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* `key` holds the action, `errno_key` its errnoRet. */
static int parse_action(struct oci_ctx *c, json_t *o, const char *parent, const char *key,
			const char *errno_key, struct oci_seccomp_action *a)
{
	char f[OCI_FIELD_MAX];
	oci_field(f, parent, key);
	int r = oci_get_string(c, o, key, f, true, &a->name);
	if (r < 0)
		return r;
	if (strcmp(a->name, "SCMP_ACT_NOTIFY") == 0)
		return oci_fail(c, f, "SCMP_ACT_NOTIFY is not supported");
	if (!in_list(actions, sizeof actions / sizeof actions[0], a->name))
		return oci_fail(c, f, "unknown action \"%s\"", a->name);
	oci_field(f, parent, errno_key);
	if ((r = oci_get_u32(c, o, errno_key, f, false, &a->has_errno_ret, &a->errno_ret)) < 0)
		return r;
	if (a->has_errno_ret && a->errno_ret > 4095)
		return oci_fail(c, f, "must be an errno (at most 4095)");
	return 0;
}

static int parse_arg(struct oci_ctx *c, json_t *o, const char *field, struct oci_seccomp_arg *a)
{
	char f[OCI_FIELD_MAX];
	const char *op;
	uint32_t idx;
	if (!json_is_object(o))
		return oci_fail(c, field, "must be an object");
	oci_field(f, field, "index");
	int r = oci_get_u32(c, o, "index", f, true, NULL, &idx);
	if (r < 0)
		return r;
	if (idx > 5)
		return oci_fail(c, f, "must be 0 to 5");
	a->index = idx;
	oci_field(f, field, "value");
	if ((r = oci_get_u64(c, o, "value", f, true, NULL, &a->value)) < 0)
		return r;
	oci_field(f, field, "valueTwo");
	if ((r = oci_get_u64(c, o, "valueTwo", f, false, NULL, &a->value_two)) < 0)
		return r;
	oci_field(f, field, "op");
	if ((r = oci_get_string(c, o, "op", f, true, &op)) < 0)
		return r;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(ops[i], op) == 0) {
			a->op = (enum oci_seccomp_op)i;
			return 0;
		}
	return oci_fail(c, f, "unknown operator \"%s\"", op);
}

static int parse_rule(struct oci_ctx *c, json_t *o, const char *field, struct oci_seccomp_rule *s)
{
	char f[OCI_FIELD_MAX];
	if (!json_is_object(o))
		return oci_fail(c, field, "must be an object");
	oci_field(f, field, "names");
	int r = oci_get_strv(c, o, "names", f, true, true, &s->names, &s->n_names);
	if (r < 0 || (r = parse_action(c, o, field, "action", "errnoRet", &s->action)) < 0)
		return r;
	json_t *args;
	oci_field(f, field, "args");
	if ((r = oci_get_array(c, o, "args", f, false, &args)) < 0 || !args ||
	    json_array_size(args) == 0)
		return r;
	size_t n = json_array_size(args);
	if (n > 6)
		return oci_fail(c, f, "more than 6 conditions");
	s->args = calloc(n, sizeof *s->args);
	if (!s->args)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char g[OCI_FIELD_MAX];
		oci_field_index(g, f, i);
		if ((r = parse_arg(c, json_array_get(args, i), g, &s->args[i])) < 0)
			return r;
		s->n_args = i + 1;
	}
	return 0;
}

static int check_names(struct oci_ctx *c, const char *field, const char *const *names, size_t n,
		       const char *const *known, size_t n_known, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (!in_list(known, n_known, names[i])) {
			char f[OCI_FIELD_MAX];
			oci_field_index(f, field, i);
			return oci_fail(c, f, "unknown %s \"%s\"", what, names[i]);
		}
	return 0;
}

static int parse_rules(struct oci_ctx *c, json_t *obj, const char *field, struct oci_seccomp *sc)
{
	char f[OCI_FIELD_MAX];
	json_t *arr;
	oci_field(f, field, "syscalls");
	int r = oci_get_array(c, obj, "syscalls", f, false, &arr);
	if (r < 0 || !arr || json_array_size(arr) == 0)
		return r;
	size_t n = json_array_size(arr);
	sc->rules = calloc(n, sizeof *sc->rules);
	if (!sc->rules)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char g[OCI_FIELD_MAX];
		oci_field_index(g, f, i);
		sc->n_rules = i + 1;
		if ((r = parse_rule(c, json_array_get(arr, i), g, &sc->rules[i])) < 0)
			return r;
	}
	return 0;
}

static int parse_body(struct oci_ctx *c, json_t *obj, const char *field, struct oci_seccomp *sc)
{
	char f[OCI_FIELD_MAX];
	int r = parse_action(c, obj, field, "defaultAction", "defaultErrnoRet", &sc->default_action);
	if (r < 0)
		return r;
	oci_field(f, field, "architectures");
	if ((r = oci_get_strv(c, obj, "architectures", f, false, false, &sc->architectures,
			      &sc->n_architectures)) < 0 ||
	    (r = check_names(c, f, sc->architectures, sc->n_architectures, arches,
			     sizeof arches / sizeof arches[0], "architecture")) < 0)
		return r;
	oci_field(f, field, "flags");
	if ((r = oci_get_strv(c, obj, "flags", f, false, false, &sc->flags, &sc->n_flags)) < 0 ||
	    (r = check_names(c, f, sc->flags, sc->n_flags, filter_flags,
			     sizeof filter_flags / sizeof filter_flags[0], "flag")) < 0)
		return r;
	oci_field(f, field, "listenerPath");
	if (json_object_get(obj, "listenerPath"))
		return oci_fail(c, f, "seccomp notify listeners are not supported");
	return parse_rules(c, obj, field, sc);
}

int oci_parse_seccomp(struct oci_ctx *c, json_t *obj, const char *field, struct oci_seccomp **out)
{
	struct oci_seccomp *sc = calloc(1, sizeof *sc);
	if (!sc)
		return -ENOMEM;
	int r = parse_body(c, obj, field, sc);
	if (r < 0) {
		oci_free_seccomp(sc);
		return r;
	}
	*out = sc;
	return 0;
}

void oci_free_seccomp(struct oci_seccomp *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->n_rules; i++) {
		free(sc->rules[i].names);
		free(sc->rules[i].args);
	}
	free(sc->rules);
	free(sc->architectures);
	free(sc->flags);
	free(sc);
}
