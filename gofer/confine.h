/* Self-confinement of burrow-gofer, done once, before the first client
 * byte is read and before any worker thread exists:
 *   - a new mount namespace, with a private root that holds only the
 *     export(s) (pivot_root; standalone: the export itself is the root),
 *   - capabilities reduced to what file operations need,
 *   - no_new_privs,
 *   - a libseccomp allowlist whose default action kills the process.
 * Privilege handling for the gofer lives in this one place.
 *
 * Needs Linux >= 5.12 (open_tree, move_mount, fsopen, mount_setattr).
 *
 * The view the gofer sees afterwards:
 *   one export:   "/" is the export (a recursive clone of its mount tree);
 *   n exports:    "/" is a read-only, mode 0000 tmpfs holding only the
 *                 mount points "0" .. "n-1", each a clone of one export.
 * Every export mount is nodev (a device node can never be opened through
 * it), nosuid and nosymfollow (the kernel refuses to follow any symlink
 * on it: a second line behind the gofer's own O_NOFOLLOW discipline), and
 * read-only when opts->read_only[i] says so.
 *
 * /proc: none is visible in the view.  A fresh, detached procfs
 * (subset=pid, hidepid=ptraceable, read-only) is kept only as an fd of its
 * /proc/<gofer>/fd directory, see confine_proc_self_fd().  The working
 * directory is the view's root. */
#ifndef BURROW_GOFER_CONFINE_H
#define BURROW_GOFER_CONFINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFINE_MAX_EXPORTS 1024

struct confine_opts {
	const char *const *exports;   /* host paths of the export roots */
	size_t n_exports;
	bool multi_user;              /* per-request identity (multi-user or squash): keep
	                                 CAP_SETUID/SETGID for setfsuid/setfsgid/setgroups */
	bool allow_accept;            /* the gofer accepts new connections (not fd:/paired only) */
	const bool *read_only;        /* optional, per export: mount it read-only in the view */
};

/* Confine the calling (still single-threaded) process.  On success
 * root_fds[i] is an O_PATH|O_DIRECTORY fd of exports[i] inside the new root.
 * Refuses (-EBUSY) when more than one thread exists and (-EBADF) when the
 * process holds a directory fd from outside the view (it would be a way
 * out).  Logs the failing step; returns 0 or -errno; on failure the
 * process must exit. */
int confine_self(const struct confine_opts *opts, int *root_fds);

/* For --no-confine: open each export as above, without confining (also
 * sets up confine_proc_self_fd() and the working directory). */
int confine_open_exports(const struct confine_opts *opts, int *root_fds);

/* Install only the gofer's seccomp allowlist (used by confine_self and by
 * the test that shows a syscall outside it kills the process). */
int confine_install_seccomp(bool multi_user, bool allow_accept);

/* After confine_self() or confine_open_exports(): an O_PATH fd of the
 * directory /proc/<gofer pid>/fd.  Reach the file behind an O_PATH fd N
 * with an *at() call on it: openat(confine_proc_self_fd(), "N", flags)
 * reopens exactly that inode (a symlink gives ELOOP), fchmodat and
 * linkat(..., AT_SYMLINK_FOLLOW) work the same way.  Path-only syscalls
 * (chmod, truncate, l*xattr) are not in the seccomp allowlist.
 * -EBADF before either call. */
int confine_proc_self_fd(void);

/* The effective/permitted capability set confine_self() keeps, as a
 * bit mask (bit n = capability n): CAP_CHOWN, CAP_DAC_OVERRIDE,
 * CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, plus CAP_SETUID and
 * CAP_SETGID in multi-user mode.  The bounding and ambient sets are
 * reduced to the same (ambient: empty). */
uint64_t confine_cap_mask(bool multi_user);

#endif
