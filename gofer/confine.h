/* Self-confinement of burrow-gofer, done once, before the first client
 * byte is read and before any worker thread exists:
 *   - a new mount namespace, with a private root that holds only the
 *     export(s) (pivot_root; standalone: the export itself is the root),
 *   - capabilities reduced to what file operations need,
 *   - no_new_privs,
 *   - a libseccomp allowlist whose default action kills the process.
 * Privilege handling for the gofer lives in this one place. */
#ifndef BURROW_GOFER_CONFINE_H
#define BURROW_GOFER_CONFINE_H

#include <stdbool.h>
#include <stddef.h>

struct confine_opts {
	const char *const *exports;   /* host paths of the export roots */
	size_t n_exports;
	bool multi_user;              /* keep CAP_SETUID/SETGID for setfsuid/setfsgid */
	bool allow_accept;            /* the gofer accepts new connections (not fd:/paired only) */
};

/* Confine the calling (still single-threaded) process.  On success
 * root_fds[i] is an O_PATH|O_DIRECTORY fd of exports[i] inside the new root.
 * Returns 0 or -errno; on failure the process must exit. */
int confine_self(const struct confine_opts *opts, int *root_fds);

/* For --no-confine: open each export as above, without confining. */
int confine_open_exports(const struct confine_opts *opts, int *root_fds);

/* Install only the gofer's seccomp allowlist (used by confine_self and by
 * the test that shows a syscall outside it kills the process). */
int confine_install_seccomp(bool multi_user, bool allow_accept);

#endif
