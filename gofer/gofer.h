/* burrow-gofer internals shared by the server core and the operations:
 * the serving configuration and an export. */
#ifndef BURROW_GOFER_GOFER_H
#define BURROW_GOFER_GOFER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum ident_mode {
	IDENT_SERVER,   /* every op as the gofer itself; creations chowned to the caller */
	IDENT_SQUASH,   /* every op as one uid/gid */
	IDENT_MULTI,    /* every op as the attaching user (setfsuid per request) */
};

#define GOFER_DEFAULT_MSIZE    (1u << 20)
#define GOFER_DEFAULT_MAX_FIDS 65536u
#define GOFER_DEFAULT_MAX_CONNS 256u
#define GOFER_DEFAULT_SPIN_US 50u
#define GOFER_XATTR_MAX        (64u << 10)

struct gofer_config {
	bool ro;
	bool debug;
	bool xattr_trusted;        /* --allow-xattr-ns trusted */
	bool xattr_security;       /* --allow-xattr-ns security */
	enum ident_mode ident;
	uid_t squash_uid;
	gid_t squash_gid;
	uint32_t msize;            /* the most this server offers */
	uint32_t max_fids;         /* per connection */
	uint32_t max_conns;
	unsigned workers;
	uint32_t spin_us;          /* --spin-us: look for a lone client's next request */
	bool pass_fds;             /* --pass-fds: offer the host-fd extension (see conn.c) */
	int proc_fd;               /* /proc/self/fd, opened before confinement */
};

/* One exported directory.  host_path is kept only to recognise an aname
 * naming the export the way diod's clients do; it is never resolved. */
struct gofer_export {
	int root_fd;               /* O_PATH|O_DIRECTORY */
	const char *host_path;
	dev_t root_dev;
	ino_t root_ino;
};

#endif
