/* 9P2000.L client over one connected stream fd (unix socket, socketpair,
 * TCP), safe for many threads at once.
 *
 * Callers take turns on the receive side (the one receiving matches
 * replies to waiting callers by tag, a lone caller reads its own); a
 * watcher thread notices a peer hang-up while idle; senders serialise on
 * a write lock.  Tags and fids are
 * allocated per request/file.  When the connection drops (EOF, error,
 * malformed reply) every waiting and later call fails with -EIO promptly.
 *
 * Every function returns 0 (or a count) on success, or a negative errno:
 * the server's Rlerror code, -EIO for a dead connection, -EINTR for a
 * call cancelled with p9_cancel_fire(). */
#ifndef BURROW_P9_CLIENT_H
#define BURROW_P9_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "p9.h"

struct p9_client;

/* Take ownership of `fd`, negotiate Tversion "9P2000.L" with msize at most
 * `msize` (clamped to [P9_MIN_MSIZE, P9_MAX_MSIZE]) and start the reader.
 * fd must be a connected SOCK_STREAM socket (-ENOTSOCK / -EPROTOTYPE
 * otherwise: shutdown(2) is how a dead connection wakes everyone); it is
 * made blocking and close-on-exec.  A server version other than "9P2000.L"
 * is -EOPNOTSUPP; a server msize above ours or below P9_MIN_MSIZE, or any
 * malformed Rversion, is -EPROTO; a peer that closes is -EIO.
 * On failure fd is closed. */
int p9_client_new(int fd, uint32_t msize, struct p9_client **out);
/* The same with flags: P9_CLIENT_HOSTFDS asks for burrow's host-fd
 * extension (P9_VERSION_L_FDS, unix sockets): then the opened fid of a
 * regular file comes with the server's host fd of it (p9_lopen_fd,
 * p9_lcreate_fd).  A server without it is served plain 9P2000.L. */
#define P9_CLIENT_HOSTFDS 1u
int p9_client_new_opts(int fd, uint32_t msize, unsigned flags, struct p9_client **out);
bool p9_client_hostfds(const struct p9_client *c);
/* Shut the connection down, wake every waiter with -EIO, join the reader,
 * free everything.  Callers must not be inside other calls. */
void p9_client_free(struct p9_client *c);
/* Mark the connection dead (shutdown(2) the fd) without freeing: every
 * pending and later call fails with -EIO. Safe from any thread. */
void p9_client_kill(struct p9_client *c);
bool p9_client_alive(const struct p9_client *c);
uint32_t p9_client_msize(const struct p9_client *c);
/* Largest payload of one Tread/Twrite: msize - P9_IOHDRSZ. */
uint32_t p9_client_iounit(const struct p9_client *c);

/* Fids: allocated from a bitmap, never P9_NOFID.  -EMFILE when exhausted. */
int p9_fid_alloc(struct p9_client *c, uint32_t *fid);
void p9_fid_release(struct p9_client *c, uint32_t fid);   /* no Tclunk */
/* Hand out only fids below `max` (default 1 << 24).  Lowering it does not
 * revoke fids already handed out. */
void p9_client_set_max_fids(struct p9_client *c, uint32_t max);

/* A reply: the decoded message plus the buffer it points into. */
struct p9_reply {
	struct p9_msg msg;
	uint8_t *buf;
	int hostfd;              /* the host fd that came with it, or -1 */
};
void p9_reply_free(struct p9_reply *r);

/* Cancellation: a caller may hand a p9_cancel to p9_rpc; another thread
 * calls p9_cancel_fire() on it, the client sends Tflush for the pending tag,
 * waits for Rflush (or the original reply) and the call returns -EINTR
 * (or its real result if the reply won the race).
 * - The call always waits for the Rflush: the tag is reused only after it,
 *   as the protocol requires.  A server that never answers Tflush keeps the
 *   caller waiting (until the connection dies: then -EIO).
 * - Fired before p9_rpc starts: p9_rpc returns -EINTR and sends nothing.
 *   Fired after it returned: no effect.  `fired` stays set; p9_cancel_init
 *   again before reusing k.  One p9_rpc per p9_cancel at a time. */
struct p9_cancel {
	int fired;                     /* set by p9_cancel_fire */
	void *priv;                    /* owned by the client */
};
void p9_cancel_init(struct p9_cancel *k);
void p9_cancel_fire(struct p9_cancel *k);

/* Generic round trip: sets req->tag, sends, waits.  On success *rep holds
 * the R-message (never Rlerror: that becomes the negative errno).  The
 * reply's type is checked to be req->type + 1. `k` may be NULL.
 * Tversion and Tflush are the client's own business: -EINVAL.  On error
 * rep->buf is NULL (p9_reply_free is still safe).  An Rlerror ecode of 0 or
 * above 4095 is -EIO.  A reply of the wrong type, with an unknown tag,
 * above msize or malformed kills the connection. */
int p9_rpc(struct p9_client *c, struct p9_msg *req, struct p9_reply *rep, struct p9_cancel *k);

/* Typed helpers (all go through p9_rpc). Names are C strings. */
int p9_attach(struct p9_client *c, uint32_t fid, const char *uname, const char *aname,
	      uint32_t n_uname, struct p9_qid *qid);
/* Walk `nwname` (<= 16) names; nwname 0 clones.  Returns the number of
 * qids walked (a partial walk returns fewer than nwname, newfid unset),
 * or a negative errno. */
int p9_walk(struct p9_client *c, uint32_t fid, uint32_t newfid, uint16_t nwname,
	    const char *const *names, struct p9_qid *qids);
int p9_clunk(struct p9_client *c, uint32_t fid);
int p9_remove(struct p9_client *c, uint32_t fid);
int p9_lopen(struct p9_client *c, uint32_t fid, uint32_t flags, struct p9_qid *qid, uint32_t *iounit);
int p9_lcreate(struct p9_client *c, uint32_t fid, const char *name, uint32_t flags,
	       uint32_t mode, uint32_t gid, struct p9_qid *qid, uint32_t *iounit);
/* The same, with *hostfd the file's host fd (close-on-exec; the caller's
 * to close) when the extension is on and it is a regular file, else -1. */
int p9_lopen_fd(struct p9_client *c, uint32_t fid, uint32_t flags, struct p9_qid *qid,
		uint32_t *iounit, int *hostfd);
int p9_lcreate_fd(struct p9_client *c, uint32_t fid, const char *name, uint32_t flags,
		  uint32_t mode, uint32_t gid, struct p9_qid *qid, uint32_t *iounit, int *hostfd);
/* Read at most `count` bytes into buf (count clamped to the iounit). */
ssize_t p9_read(struct p9_client *c, uint32_t fid, uint64_t offset, void *buf, uint32_t count);
ssize_t p9_write(struct p9_client *c, uint32_t fid, uint64_t offset, const void *buf, uint32_t count);
int p9_getattr(struct p9_client *c, uint32_t fid, uint64_t mask, struct p9_attr *attr);
int p9_setattr(struct p9_client *c, uint32_t fid, const struct p9_iattr *attr);
int p9_statfs(struct p9_client *c, uint32_t fid, struct p9_statfs *st);
int p9_symlink(struct p9_client *c, uint32_t dfid, const char *name, const char *target,
	       uint32_t gid, struct p9_qid *qid);
int p9_mknod(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode,
	     uint32_t major, uint32_t minor, uint32_t gid, struct p9_qid *qid);
int p9_mkdir(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode,
	     uint32_t gid, struct p9_qid *qid);
/* Target as a C string in buf; returns its length, -ENAMETOOLONG if it
 * does not fit in cap (with the NUL), -EINVAL if it holds a NUL byte. */
int p9_readlink(struct p9_client *c, uint32_t fid, char *buf, size_t cap);
int p9_link(struct p9_client *c, uint32_t dfid, uint32_t fid, const char *name);
int p9_rename(struct p9_client *c, uint32_t fid, uint32_t dfid, const char *name);
int p9_renameat(struct p9_client *c, uint32_t olddfid, const char *oldname,
		uint32_t newdfid, const char *newname);
int p9_unlinkat(struct p9_client *c, uint32_t dfid, const char *name, uint32_t flags);
int p9_fsync(struct p9_client *c, uint32_t fid, uint32_t datasync);
/* Raw Rreaddir payload into buf; parse with p9_dirent_next(). Returns bytes. */
ssize_t p9_readdir(struct p9_client *c, uint32_t fid, uint64_t offset, void *buf, uint32_t count);
/* Txattrwalk: newfid becomes a read handle of *size bytes (name "" lists). */
int p9_xattrwalk(struct p9_client *c, uint32_t fid, uint32_t newfid, const char *name, uint64_t *size);
int p9_xattrcreate(struct p9_client *c, uint32_t fid, const char *name, uint64_t size, uint32_t flags);
/* Tlock: returns the status byte (P9_LOCK_*) or a negative errno. */
int p9_lock(struct p9_client *c, uint32_t fid, const struct p9_flock *lk);
/* Tgetlock: *out gets the answer; its client_id is copied (with a NUL) into
 * client_id[cap] and out->client_id points there (len 0 when client_id is
 * NULL).  -ENAMETOOLONG if it does not fit. */
int p9_getlock(struct p9_client *c, uint32_t fid, const struct p9_flock *lk, struct p9_flock *out,
	       char *client_id, size_t cap);

#endif
