/* The FUSE bridge: mount a 9P2000.L connection at a path through libfuse's
 * low-level API.  Used by `burrow-sentry mount` and, for the sandbox's root
 * and bind mounts, by `burrow-sentry boot`.
 *
 * The session runs on its own threads: fs_mount_start() returns once the
 * mount exists; fs_mount_wait() returns after it is gone (umount, or
 * fs_mount_stop()).  Several mounts may run in one process. */
#ifndef BURROW_SENTRY_FS_H
#define BURROW_SENTRY_FS_H

#include <stdbool.h>
#include <stdint.h>

enum fs_cache {
	FS_CACHE_EXCLUSIVE,     /* the export is ours alone: long timeouts, writeback */
	FS_CACHE_SHARED,        /* changed from outside: short timeouts, no writeback */
};

struct fs_opts {
	const char *aname;      /* attach name ("" by default) */
	const char *uname;      /* attach user name (NULL: n_uname's name) */
	uint32_t n_uname;       /* attach uid (default: geteuid()) */
	uint32_t msize;         /* requested msize (the server may lower it) */
	bool ro;                /* read-only mount */
	enum fs_cache cache;
	bool allow_other;       /* default: true when running as root */
	const char *fsname;     /* source shown in /proc/mounts ("burrow") */
	char mntopts[160];      /* extra kernel mount flags, comma separated
				   (nosuid,nodev,noexec,...), "" for none */
	unsigned max_threads;   /* FUSE worker threads at most (default 32) */
	/* inodes (so fids) the mount holds before it asks the kernel to
	 * drop old ones (shrink.c); FS_MAX_INODES_AUTO: half this process's
	 * hard RLIMIT_NOFILE, in [1024, 1 Mi]; 0: no bound */
	uint32_t max_inodes;
	bool hostfds;           /* ask for the server's host fds of opened
				   files (burrow-gofer --pass-fds over unix
				   sockets; a sandbox's mounts ask) */
	bool debug;             /* libfuse request trace on stderr */
};

#define FS_MAX_INODES_AUTO UINT32_MAX

/* Defaults: cache=exclusive, msize 1 MiB + 24, uid = geteuid(). */
void fs_opts_init(struct fs_opts *o);

/* Parse one -o list ("ro,msize=65560,cache=shared,...") into *o.  The
 * strings in *o point into `list`, which must stay alive.  Unknown options
 * fail with -EINVAL and *bad names the offending option. */
int fs_opts_parse(struct fs_opts *o, char *list, const char **bad);

struct fs_mount;

/* Take ownership of the connected 9P stream `conn_fd` (closed on failure),
 * negotiate, attach, mount at `mountpoint` and start serving.  -errno. */
int fs_mount_start(int conn_fd, const char *mountpoint, const struct fs_opts *o,
		   struct fs_mount **out);

/* An fd that becomes readable once the session has ended (poll it next to
 * other events); owned by the mount. */
int fs_mount_event_fd(const struct fs_mount *m);

/* Ask the session to end and unmount (lazily if busy).  Any thread,
 * idempotent; does not free. */
void fs_mount_stop(struct fs_mount *m);

/* Wait for the session to end, make sure the mount is gone, free
 * everything.  Returns 0 after a clean end with the server still there,
 * -EIO if the 9P connection died, or another -errno from the session. */
int fs_mount_wait(struct fs_mount *m);

#endif
