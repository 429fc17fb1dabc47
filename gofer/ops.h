/* 9P2000.L operations.  Each takes the decoded request and fills the reply
 * body; it returns 0 or -errno (the dispatcher answers Rlerror).  Every
 * host access is an *at() call relative to a fid's fd. */
#ifndef BURROW_GOFER_OPS_H
#define BURROW_GOFER_OPS_H

#include <stdint.h>
#include <sys/stat.h>

#include "fid.h"
#include "gofer.h"
#include "p9/p9.h"

struct op_ctx {
	const struct gofer_config *cfg;
	const struct gofer_export *exp;
	struct fid_table *fids;
	uint8_t *out;              /* the reply buffer: data goes in place */
	uint32_t out_cap;
	uint32_t msize;
	bool pass_fds;             /* the session takes host fds of opened files */
	int *pass_fd;              /* where an op leaves the fd to send, or NULL */
	char scratch[4096];        /* reply strings that outlive the op (readlink) */
};

typedef int (*op_fn)(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);

/* ops_walk.c */
int op_auth(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_attach(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_walk(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_clunk(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_remove(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
/* ops_io.c */
int op_lopen(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_lcreate(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_read(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_write(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_fsync(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
/* ops_attr.c */
int op_getattr(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_setattr(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_statfs(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
/* ops_dir.c */
int op_readdir(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
/* ops_ns.c */
int op_mkdir(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_symlink(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_mknod(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_link(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_rename(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_renameat(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_unlinkat(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_readlink(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
/* ops_xattr.c */
int op_xattrwalk(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_xattrcreate(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
/* Commit a Txattrcreate buffer (from Tclunk): the clunk's result. */
int xattr_commit(struct op_ctx *x, struct fid *f);
/* Tread on a Txattrwalk fid. */
int xattr_read(struct fid *f, uint64_t offset, uint8_t *dst, uint32_t count);
/* Twrite on a Txattrcreate fid. */
int xattr_write(struct fid *f, uint64_t offset, const uint8_t *src, uint32_t count);
/* ops_lock.c */
int op_lock(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);
int op_getlock(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r);

/* ops_util.c: helpers every group uses. */

/* A fid of this connection, with the calling thread switched to its
 * credentials.  -EBADF if unknown.  Release with fid_put(). */
int fid_use(struct op_ctx *x, uint32_t num, struct fid **out);
/* A name for a new or existing directory entry: one component, not "."
 * or "..", no '/' or NUL, at most 255 bytes.  Copied NUL-terminated. */
int name_check(struct p9_str s, char out[256]);
/* Fill a fid's identity (fd type, dev/ino, qid) from fstat of its node. */
int fid_stat(struct fid *f, struct stat *st);
/* Open f's file for I/O: regular files and directories only, never
 * following anything; special files refused without opening them. */
int fid_reopen(struct op_ctx *x, const struct fid *f, int flags);
/* The node's fd as a path the kernel resolves through /proc/self/fd. */
void proc_name(int fd, char buf[16]);
/* Clear setuid/setgid after a write or truncate by a non-root caller when
 * the gofer itself is privileged (the kernel would, for the caller). */
void clear_suid_after_write(struct op_ctx *x, const struct fid *f, int fd);
/* EROFS for read-only exports. */
int check_writable(const struct op_ctx *x);

#endif
