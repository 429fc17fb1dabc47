/* burrow-sentry boot: the sandbox.
 *
 * Two processes take part.  The sentry (the parent) prepares what needs
 * the host: its own mount namespace with the FUSE mounts of the gofer's
 * connections, the cgroup, the id maps.  The app's init (the child, made
 * with clone) builds the namespaces and the root from that, applies the
 * process section and waits, just before execve, until the sentry
 * relays the start request.  The sentry then serves FUSE, forwards
 * signals and exits with the app's status.
 *
 * The two talk over a SOCK_SEQPACKET pair (sync.h); the sentry talks to
 * `burrow` over the controller socket (same framing). */
#ifndef BURROW_SENTRY_BOOT_H
#define BURROW_SENTRY_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci/spec.h"

enum boot_network { BOOT_NET_SANDBOX, BOOT_NET_NONE, BOOT_NET_HOST };

/* One gofer connection: the root (index 0) or a bind mount. */
struct boot_conn {
	int fd;                      /* our end of the socketpair */
	ssize_t mount_index;         /* -1: the root; else index in spec.mounts */
	bool ro;                     /* read-only per the spec: no overlay; the gofer
					serves it (and every mount with the overlay)
					read-only */
};

struct boot_config {
	const char *id;
	const char *bundle;          /* absolute */
	const char *state_dir;       /* absolute; holds the staging dir */
	char rootfs[4096];           /* absolute host path of root.path */
	struct oci_spec spec;
	int controller_fd;           /* -1: none (start at once) */
	bool proxy;
	struct boot_conn *conns;
	size_t n_conns;
	bool overlay;
	uint64_t overlay_size;
	enum boot_network network;
	bool disable_seccomp;
	bool debug;
	bool log_to_file;            /* --log: else stderr, which burrow shares */
};

/* served.c: the mounts the gofer serves, one connection each: the root,
 * then the bind mounts of directories in spec order (fds set to -1).
 * burrow and the sentry compute the same list from the same spec. */
int boot_served_mounts(const struct oci_spec *spec, const char *bundle,
		       struct boot_conn **out, size_t *n);
/* Is this mount read-only (its last ro/rw option)? */
bool boot_mount_is_ro(const struct oci_mount *m);

/* boot_main.c */
int sentry_boot_main(int argc, char **argv);
/* "256m", "1g", "65536" (k, m, g suffixes): bytes.  -EINVAL. */
int boot_parse_size(const char *s, uint64_t *out);

/* sandbox.c: the sentry's side; returns the exit status for the process. */
int boot_sandbox(struct boot_config *cfg);

/* Where the staging mounts live: <state_dir>/mnt/{<i>,merged<i>,ovl}. */
#define BOOT_STAGING "mnt"

/* init.c: the app's init after clone; never returns. */
struct boot_init_args {
	struct boot_config *cfg;
	int sync_fd;
	const char *staging;         /* NULL in direct mode */
};
__attribute__((noreturn)) void boot_init(struct boot_init_args *a);

/* error.c: one error message per failing process, with context added
 * once where it is known.  Returns err (negative errno) for chaining. */
int boot_errorf(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *boot_error_text(void);

#endif
