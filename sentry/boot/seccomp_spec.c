/* linux.seccomp compiled with libseccomp: defaultAction, architectures,
 * flags, and per-syscall rules with argument conditions and errnoRet.
 * Names this libseccomp does not know are skipped with a debug line, as
 * runc does. */
#include "process.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

static uint32_t action_of(const struct oci_seccomp_action *a)
{
	uint32_t err = a->has_errno_ret ? a->errno_ret : EPERM;
	const char *n = a->name + strlen("SCMP_ACT_");
	if (strcmp(n, "KILL") == 0 || strcmp(n, "KILL_THREAD") == 0)
		return SCMP_ACT_KILL_THREAD;
	if (strcmp(n, "KILL_PROCESS") == 0)
		return SCMP_ACT_KILL_PROCESS;
	if (strcmp(n, "TRAP") == 0)
		return SCMP_ACT_TRAP;
	if (strcmp(n, "ERRNO") == 0)
		return SCMP_ACT_ERRNO(err);
	if (strcmp(n, "TRACE") == 0)
		return SCMP_ACT_TRACE(err);
	if (strcmp(n, "LOG") == 0)
		return SCMP_ACT_LOG;
	return SCMP_ACT_ALLOW;
}

static const enum scmp_compare ops[] = {
	[OCI_OP_NE] = SCMP_CMP_NE, [OCI_OP_LT] = SCMP_CMP_LT, [OCI_OP_LE] = SCMP_CMP_LE,
	[OCI_OP_EQ] = SCMP_CMP_EQ, [OCI_OP_GE] = SCMP_CMP_GE, [OCI_OP_GT] = SCMP_CMP_GT,
	[OCI_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

static int add_arches(scmp_filter_ctx ctx, const struct oci_seccomp *sc)
{
	for (size_t i = 0; i < sc->n_architectures; i++) {
		char name[32];
		const char *n = sc->architectures[i] + strlen("SCMP_ARCH_");
		size_t j = 0;
		for (; n[j] && j + 1 < sizeof name; j++)
			name[j] = (char)tolower((unsigned char)n[j]);
		name[j] = '\0';
		uint32_t arch = seccomp_arch_resolve_name(name);
		if (arch == 0)
			return boot_errorf(-EINVAL, "linux.seccomp.architectures[%zu]: %s unknown to "
					   "libseccomp", i, sc->architectures[i]);
		int r = seccomp_arch_add(ctx, arch);
		if (r < 0 && r != -EEXIST)
			return boot_errorf(r, "linux.seccomp.architectures[%zu]: add %s", i,
					   sc->architectures[i]);
	}
	return 0;
}

static int set_flags(scmp_filter_ctx ctx, const struct oci_seccomp *sc)
{
	for (size_t i = 0; i < sc->n_flags; i++) {
		const char *f = sc->flags[i];
		int r = 0;
		if (strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0)
			r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
		else if (strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
			r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
		else if (strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
			r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
		/* WAIT_KILLABLE_RECV only matters to notify listeners. */
		if (r < 0)
			return boot_errorf(r, "linux.seccomp.flags[%zu]: %s", i, f);
	}
	return 0;
}

/* Conditions on distinct arguments are ANDed in one rule; several on the
 * same argument each make a rule of their own (ORed), as runc does. */
static int add_rule_args(scmp_filter_ctx ctx, uint32_t act, int nr,
			 const struct oci_seccomp_rule *rule)
{
	struct scmp_arg_cmp cmp[6];
	bool distinct = true;
	for (size_t i = 0; i < rule->n_args; i++) {
		const struct oci_seccomp_arg *a = &rule->args[i];
		cmp[i] = (struct scmp_arg_cmp){ .arg = a->index, .op = ops[a->op],
						 .datum_a = a->value, .datum_b = a->value_two };
		for (size_t j = 0; j < i; j++)
			distinct &= rule->args[j].index != a->index;
	}
	if (distinct)
		return seccomp_rule_add_array(ctx, act, nr, (unsigned)rule->n_args, cmp);
	for (size_t i = 0; i < rule->n_args; i++) {
		int r = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, const struct oci_seccomp *sc, uint32_t def)
{
	for (size_t i = 0; i < sc->n_rules; i++) {
		const struct oci_seccomp_rule *rule = &sc->rules[i];
		uint32_t act = action_of(&rule->action);
		if (act == def)
			continue; /* libseccomp refuses rules that repeat the default */
		for (size_t j = 0; j < rule->n_names; j++) {
			int nr = seccomp_syscall_resolve_name(rule->names[j]);
			if (nr == __NR_SCMP_ERROR) {
				log_debug("seccomp: skipping unknown syscall %s", rule->names[j]);
				continue;
			}
			int r = add_rule_args(ctx, act, nr, rule);
			if (r < 0)
				return boot_errorf(r, "linux.seccomp.syscalls[%zu]: rule for %s", i,
						   rule->names[j]);
		}
	}
	return 0;
}

int seccomp_spec_compile(const struct oci_seccomp *sc, void **out)
{
	*out = NULL;
	if (!sc)
		return 0;
	uint32_t def = action_of(&sc->default_action);
	scmp_filter_ctx ctx = seccomp_init(def);
	if (!ctx)
		return boot_errorf(-EINVAL, "linux.seccomp: seccomp_init");
	/* noNewPrivileges is the spec's call, not libseccomp's. */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0 || (r = add_arches(ctx, sc)) < 0 || (r = set_flags(ctx, sc)) < 0 ||
	    (r = add_rules(ctx, sc, def)) < 0) {
		seccomp_release(ctx);
		return boot_errorf(r, "linux.seccomp");
	}
	*out = ctx;
	return 0;
}

int seccomp_spec_load(void *ctx)
{
	if (!ctx)
		return 0;
	int r = seccomp_load(ctx);
	return r < 0 ? boot_errorf(r, "linux.seccomp: load the filter") : 0;
}
