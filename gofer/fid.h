/* Per-connection fid table.  A fid holds a reference to a node (an
 * O_PATH|O_NOFOLLOW fd of its file) and nothing path-like but the name it
 * was last walked through (for Tremove/Trename, verified before use).
 * Fids are reference counted: a worker holds a reference for the length of
 * an operation, so a concurrent Tclunk never frees a fid in use. */
#ifndef BURROW_GOFER_FID_H
#define BURROW_GOFER_FID_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ident.h"
#include "p9/p9.h"

/* An O_PATH fd shared by clones of a fid (a clone costs no syscall). */
struct node {
	atomic_uint refs;
	int fd;
};

struct node *node_new(int fd);     /* takes fd; NULL (fd closed) on ENOMEM */
struct node *node_ref(struct node *n);
void node_unref(struct node *n);

enum fid_kind { FID_FILE, FID_XATTR_READ, FID_XATTR_WRITE };

struct xattr_buf {
	uint8_t *data;
	size_t size;               /* value size (read: snapshot length) */
	size_t filled;             /* write: highest byte written */
	int flags;                 /* write: XATTR_CREATE/XATTR_REPLACE */
	char name[256];            /* write: attribute name */
};

struct fid {
	uint32_t num;
	atomic_uint refs;
	struct fid *hnext;
	struct node *node;
	struct node *parent;       /* directory `name` was found in, or NULL */
	char *name;                /* may be stale after renames: verify */
	mode_t fmt;                /* S_IFMT bits */
	dev_t dev;
	ino_t ino;
	struct p9_qid qid;
	dev_t root_dev;            /* the attach point: '..' stops here */
	ino_t root_ino;
	struct cred cred;
	pthread_mutex_t lock;      /* open_fd changes, readdir, xattr state */
	atomic_int open_fd;        /* -1 until Tlopen/Tlcreate */
	int open_acc;              /* O_RDONLY/O_WRONLY/O_RDWR of open_fd */
	enum fid_kind kind;
	struct xattr_buf *xa;
};

struct fid_table {
	pthread_mutex_t lock;
	struct fid **buckets;
	uint32_t nbuckets;
	uint32_t count;
	uint32_t max;
};

int fid_table_init(struct fid_table *t, uint32_t max);
/* Drop every fid (Tversion, connection end). */
void fid_table_clear(struct fid_table *t);
void fid_table_destroy(struct fid_table *t);

/* A new, unlinked fid with one reference, fields zeroed, fds -1. */
struct fid *fid_alloc(uint32_t num);
struct fid *fid_ref(struct fid *f);
void fid_put(struct fid *f);
bool fid_is_root(const struct fid *f);

/* Look a fid up: a new reference, or NULL. */
struct fid *fid_get(struct fid_table *t, uint32_t num);
/* Insert f (the table takes its own reference).  An existing fid with the
 * same number is replaced when `replace`, else -EBADF.  -EMFILE at max. */
int fid_insert(struct fid_table *t, struct fid *f, bool replace);
/* Unlink a fid: returns the table's reference, or NULL if unknown. */
struct fid *fid_remove(struct fid_table *t, uint32_t num);

#endif
