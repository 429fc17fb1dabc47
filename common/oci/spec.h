/* The parts of an OCI runtime spec (config.json) burrow uses, read with
 * jansson and validated strictly: every error names the offending field,
 * e.g. "config.json: process.args: must be a non-empty array of strings".
 * Unknown properties are ignored, as the runtime spec asks.
 *
 * Strings point into the parsed JSON document, which the spec keeps alive
 * until oci_spec_free(). */
#ifndef BURROW_OCI_SPEC_H
#define BURROW_OCI_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct oci_mount {
	const char *destination;
	const char *type;            /* may be NULL (bind mounts) */
	const char *source;          /* may be NULL */
	const char **options;
	size_t n_options;
};

struct oci_rlimit {
	const char *name;            /* "RLIMIT_NOFILE" */
	int resource;
	uint64_t soft, hard;
};

struct oci_idmap {
	uint32_t container_id, host_id, size;
};

struct oci_namespace {
	int type;                    /* CLONE_NEWPID, CLONE_NEWNS, ... */
	const char *name;            /* "pid", "mount", ... */
	const char *path;            /* join this one (setns) when not NULL */
};

struct oci_device {
	const char *path;
	char type;                   /* 'c', 'b', 'p' ('u' reads as 'c') */
	int64_t major, minor;
	bool has_mode, has_uid, has_gid;
	uint32_t file_mode;
	uint32_t uid, gid;
};

enum oci_seccomp_op {
	OCI_OP_NE, OCI_OP_LT, OCI_OP_LE, OCI_OP_EQ, OCI_OP_GE, OCI_OP_GT, OCI_OP_MASKED_EQ,
};

struct oci_seccomp_arg {
	unsigned index;
	uint64_t value, value_two;
	enum oci_seccomp_op op;
};

/* An action as libseccomp spells it ("SCMP_ACT_ERRNO"), resolved by the
 * seccomp compiler; errno_ret is meaningful for ERRNO and TRACE. */
struct oci_seccomp_action {
	const char *name;
	bool has_errno_ret;
	uint32_t errno_ret;
};

struct oci_seccomp_rule {
	const char **names;
	size_t n_names;
	struct oci_seccomp_action action;
	struct oci_seccomp_arg *args;
	size_t n_args;
};

struct oci_seccomp {
	struct oci_seccomp_action default_action;
	const char **architectures;  /* "SCMP_ARCH_X86_64" */
	size_t n_architectures;
	const char **flags;          /* "SECCOMP_FILTER_FLAG_LOG", ... */
	size_t n_flags;
	struct oci_seccomp_rule *rules;
	size_t n_rules;
};

/* The five capability sets, as bit masks of CAP_* numbers. */
enum { OCI_CAP_BOUNDING, OCI_CAP_EFFECTIVE, OCI_CAP_INHERITABLE, OCI_CAP_PERMITTED,
       OCI_CAP_AMBIENT, OCI_CAP_NSETS };

struct oci_process {
	bool terminal;
	uint32_t console_height, console_width;
	uint32_t uid, gid;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	bool has_umask;
	uint32_t umask;
	const char **args;           /* NULL-terminated, at least one */
	size_t n_args;
	const char **env;            /* NULL-terminated */
	size_t n_env;
	const char *cwd;
	bool has_caps;
	uint64_t caps[OCI_CAP_NSETS];
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
};

struct oci_sysctl {
	const char *name, *value;
};

/* linux.resources.devices[]: one device cgroup rule. */
struct oci_device_rule {
	bool allow;
	char type;                   /* 'a', 'c' or 'b' */
	int64_t major, minor;        /* -1: any */
	char access[4];              /* a subset of "rwm" */
};

struct oci_resources {
	bool has_memory_limit, has_memory_swap, has_memory_reservation, has_pids_limit;
	int64_t memory_limit, memory_swap, memory_reservation;   /* -1: unlimited */
	int64_t pids_limit;                                       /* <= 0: unlimited */
	struct oci_device_rule *devices;                          /* in spec order */
	size_t n_devices;
};

struct oci_linux {
	struct oci_namespace *namespaces;
	size_t n_namespaces;
	struct oci_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct oci_sysctl *sysctls;
	size_t n_sysctls;
	struct oci_resources resources;
	const char *cgroups_path;
	struct oci_seccomp *seccomp;       /* NULL: none */
	const char **masked_paths, **readonly_paths;
	size_t n_masked_paths, n_readonly_paths;
	const char *rootfs_propagation;    /* NULL or private|rprivate|slave|... */
	struct oci_device *devices;
	size_t n_devices;
};

struct oci_hook {
	const char *path;
	const char **args;           /* NULL-terminated; may be empty */
	size_t n_args;
	const char **env;
	size_t n_env;
	bool has_timeout;
	int timeout;
};

enum { OCI_HOOK_PRESTART, OCI_HOOK_CREATE_RUNTIME, OCI_HOOK_CREATE_CONTAINER,
       OCI_HOOK_START_CONTAINER, OCI_HOOK_POSTSTART, OCI_HOOK_POSTSTOP, OCI_HOOK_NKINDS };

struct oci_spec {
	void *doc;                   /* the json_t the strings live in */
	const char *oci_version;
	const char *root_path;       /* as written (maybe relative to the bundle) */
	bool root_readonly;
	const char *hostname;        /* may be NULL */
	struct oci_mount *mounts;
	size_t n_mounts;
	bool has_process;
	struct oci_process process;
	bool has_linux;
	struct oci_linux linux_;
	struct oci_hook *hooks[OCI_HOOK_NKINDS];
	size_t n_hooks[OCI_HOOK_NKINDS];
};

/* Parse and validate `path`.  On failure returns -errno and writes a
 * one-line message naming the file and the field into err. */
int oci_spec_load(const char *path, struct oci_spec *spec, char *err, size_t errlen);
/* The same from a string (tests, fuzzing); `what` names it in messages. */
int oci_spec_parse(const char *text, const char *what, struct oci_spec *spec, char *err,
		   size_t errlen);
void oci_spec_free(struct oci_spec *spec);

/* The namespace of `type` the spec asks for, or NULL. */
const struct oci_namespace *oci_spec_namespace(const struct oci_spec *spec, int type);

/* Mount helpers: is this a bind mount (type "bind" or option bind/rbind)?
 * Is option `opt` present? */
bool oci_mount_is_bind(const struct oci_mount *m);
bool oci_mount_has_option(const struct oci_mount *m, const char *opt);

#endif
