/* The sentry's own confinement once the app is set up: it keeps serving
 * FUSE, relaying signals and reaping, and needs nothing else.
 *   - its root becomes the staging tmpfs (read-only): no host path left,
 *   - every thread drops to an unprivileged uid; the main thread keeps
 *     CAP_KILL alone (to signal the app), the bounding set likewise,
 *   - not dumpable, no_new_privs,
 *   - a seccomp allowlist on every thread whose default kills the process. */
#ifndef BURROW_SENTRY_CONFINE_H
#define BURROW_SENTRY_CONFINE_H

#include <stdbool.h>
#include <sys/types.h>

/* The uid/gid the confined sentry runs as. */
#define SENTRY_CONFINED_ID 65534

int sentry_confine(const char *staging, pid_t app, bool debug);
/* Only the seccomp allowlist (for tests of the filter itself). */
int sentry_install_seccomp(pid_t app);

#endif
