/* The process section, applied by the app's init: process.c (hostname,
 * sysctls, oomScoreAdj, rlimits), creds.c (user, groups, capabilities),
 * seccomp_spec.c (the spec's filter), exec.c (lookup and execve),
 * console.c (the pty). */
#ifndef BURROW_SENTRY_PROCESS_H
#define BURROW_SENTRY_PROCESS_H

#include <stdbool.h>

#include "boot.h"

int process_hostname(const struct boot_config *cfg);
int process_sysctls(const struct boot_config *cfg);
int process_oom_score(const struct oci_process *p);
int process_rlimits(const struct oci_process *p);

/* Groups, gid, uid (keeping capabilities across the uid change). */
int creds_set_user(const struct oci_process *p);
/* Bounding set first (needs CAP_SETPCAP), before creds_set_user. */
int creds_drop_bounding(const struct oci_process *p);
/* Are the permitted and effective sets within what we hold?  Checked
 * during setup, so a creation error names the missing capability. */
int creds_check_caps(const struct oci_process *p);
/* Effective, permitted, inheritable, then ambient; after creds_set_user. */
int creds_set_caps(const struct oci_process *p);

/* Compile (before start, while allocating is cheap) and load; the
 * filter lives until execve. */
int seccomp_spec_compile(const struct oci_seccomp *sc, void **out);
int seccomp_spec_load(void *ctx);

/* Find args[0] in the container (PATH from process.env). */
int exec_lookup(const struct oci_process *p, char *out, size_t len);
__attribute__((noreturn)) void exec_app(const struct oci_process *p, const char *path);

/* Open a pty in the container's devpts: *master for the sentry, *slave
 * to become the app's controlling terminal (also bound on /dev/console). */
int console_open(const struct oci_process *p, int *master, int *slave);
int console_attach(int slave);

#endif
