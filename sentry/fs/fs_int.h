/* Internals shared by the files of the FUSE bridge. Not for other users:
 * they see only fs.h. */
#ifndef BURROW_SENTRY_FS_INT_H
#define BURROW_SENTRY_FS_INT_H

#define FUSE_USE_VERSION 34
#include <fuse_lowlevel.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "fs.h"
#include "p9/client.h"

/* A fid of an inode and the calls using it.  The inode may move to a
 * fresher fid (inode_fid.c) while calls still use the old one; the old
 * fid is clunked when the last of them drops it. */
struct fs_fidref {
	struct fs_fidref *next;       /* retired list */
	uint32_t fid;
	unsigned refs;                /* under the inode's fmu */
	_Atomic uint64_t gen;         /* fs->ns_gen when last known to reach the file */
};

/* One FUSE inode per 9P fid: the fid was walked from the parent at lookup
 * and is never opened (opens clone it).  Node ids are the inode's address;
 * FUSE_ROOT_ID maps to fs->root. */
struct fs_inode {
	struct fs_inode *hnext;       /* hash chain, under itab.mu */
	struct fs_inode *anext, *aprev; /* every live inode, under itab.mu */
	uint64_t qpath;
	uint64_t nlookup;             /* under itab.mu */
	uint8_t qtype;
	bool hashed;                  /* findable by qpath (under itab.mu) */
	pthread_mutex_t fmu;          /* guards cur, alt, retired and their refs */
	struct fs_fidref *cur;        /* the fid new calls use */
	struct fs_fidref *alt;        /* after a link: the fid at the other name */
	struct fs_fidref *retired;    /* older fids still in use */
	struct fs_fidref first;       /* storage of the first fid */
	/* last mode/gid the server reported: setgid-directory inheritance */
	_Atomic uint32_t mode;
	_Atomic uint32_t gid;
	/* xattrs the server said this file has not (xattr_cache.c): the
	 * high half is xgen + 1 when they were learnt, the low half one bit
	 * per name; every xattr change bumps xgen. */
	_Atomic uint32_t xgen;
	_Atomic uint64_t xneg;
	_Atomic uint64_t xneg_until;  /* cache=shared: CLOCK_MONOTONIC ns */
	atomic_bool made_here;        /* created through this mount */
	pthread_mutex_t lk_mu;        /* guards lockfids */
	struct fs_lockfid *lockfids;  /* POSIX lock owners (ops_lock.c) */
	/* cache=exclusive: the server's last attrs (attr_cache.c) */
	pthread_mutex_t amu;          /* guards attr .. attr_until */
	struct stat attr;
	bool attr_ok;
	uint64_t attr_lgen;           /* fs->lgen before they were asked */
	uint64_t attr_until;          /* CLOCK_MONOTONIC ns they expire at */
	uint64_t inval_at;            /* fs->aseq of the last change (under amu) */
	/* a directory's times set by fs_attr_dir_done, kept over the
	 * server's slightly earlier ones until the next change (under amu) */
	bool times_ours;
	struct timespec our_mtime, our_ctime;
	/* rofid.c: the opened fid its read-only opens share, P9_NOFID */
	_Atomic uint32_t ro_fid;
	_Atomic int ro_host_fd;       /* its host fd, or -1 */
	atomic_bool ro_seen;          /* opened read-only before */
	struct fs_dirnames *dnames;   /* dirnames.c: every name, or NULL (under amu) */
	/* shrink.c: the name the kernel last got this inode by (parent's
	 * nodeid, name), and the shrinker round that asked it to drop it
	 * (under itab.mu) */
	fuse_ino_t ename_parent;
	char *ename;
	uint64_t shrink_round;
};

struct fs_itable {
	pthread_mutex_t mu;
	struct fs_inode **buckets;
	size_t nbuckets, count;
	struct fs_inode *all;         /* hashed or not, until forgotten: newest first */
	struct fs_inode *all_tail;    /* the oldest */
	size_t nall;                  /* inodes on `all`: fids this mount holds for them */
	pthread_cond_t room;          /* an inode went (for adopts waiting at max_inodes) */
	unsigned room_waiters;
};

struct fs_iopool;

/* newattr.c: kinds of new files whose attrs are learnt separately */
enum { FS_NEW_REG, FS_NEW_LNK, FS_NEW_KINDS };

struct fs {
	struct p9_client *c;
	pthread_mutex_t files_mu;
	struct fs_file *files;        /* files.c */
	struct fs_inode *root;
	struct fs_itable itab;
	struct fs_iopool *pool;       /* fan-out of I/O larger than one message */
	uint32_t iounit;              /* payload of one Tread/Twrite */
	bool exclusive;               /* cache=exclusive */
	/* Directories are read without FUSE opens (ops_dir.c): cache=
	 * exclusive on a server whose fids hold their files (burrow-gofer,
	 * known by the host-fd extension). */
	bool no_opendir;
	bool writeback;               /* kernel writeback cache is on */
	bool ro;
	bool chown_new;               /* give new files the caller's uid (we are root) */
	uint32_t attach_uid;
	double attr_timeout, entry_timeout, neg_timeout;
	atomic_bool no_renameat, no_unlinkat;  /* server lacks them: use Trename/Tremove */
	atomic_bool exiting;          /* session ending: stop lock polling */
	/* Bumped by every unlink, rmdir and rename this mount makes: on a
	 * server whose fids are paths, a fid walked before may now name
	 * another file (see fs_fid_verify). */
	_Atomic uint64_t ns_gen;
	/* Bumped by every change of a file's attrs this mount makes: a
	 * getattr asked before a change must not be cached after it. */
	_Atomic uint64_t aseq;
	/* Bumped when a name this mount removed reached a file it cannot
	 * tell (names.c): any cached link count may be off by one. */
	_Atomic uint64_t lgen;
	/* Bumped by a rename of a directory whose inode this mount could
	 * not tell (dirnames.c): a directory's ".." may have changed. */
	_Atomic uint64_t dn_moves;
	struct fs_names *names;
	/* shrink.c: past max_inodes the kernel is asked to drop old entries
	 * (0: no bound) */
	size_t max_inodes;
	struct fs_shrink *shrink;
	/* files this mount creates get no security label from the server
	 * (learnt from the first one asked; xattr_cache.c) */
	atomic_bool new_unlabeled, labels_seen;
	atomic_bool no_acls;          /* the server has no ACL xattrs at all */
	/* newattr.c: what new files get, learnt per kind */
	_Atomic unsigned ro_fids;     /* rofid.c: inodes holding one */
	pthread_mutex_t new_mu;
	struct fs_newlearn {
		int samples;              /* that matched; -1: never predict */
		uint32_t req_uid, req_gid; /* the request they were made by */
		uint32_t uid, blksize;    /* what they got */
		uint32_t modes;           /* permission bits seen kept as asked */
	} new_learn[FS_NEW_KINDS];
};

/* An open file or directory: its own fid, walked from the inode's and
 * opened with Tlopen/Tlcreate. fi->fh holds its address. */
struct fs_file {
	struct fs_inode *ino;
	uint32_t fid;                 /* P9_NOFID in a lazy directory */
	uint32_t flags;               /* Tlopen flags used */
	_Atomic uint64_t gen;         /* as fs_fidref.gen */
	/* cache=exclusive directory: opened at the first call that needs
	 * the server (the kernel mostly lists from its cache) */
	bool lazy;
	_Atomic uint32_t lazy_fid;
	bool shared_ro;               /* fid is the inode's ro_fid: never clunked here */
	/* the server's host fd of the opened file (the host-fd extension),
	 * or -1: reads, writes and fsyncs use it instead of 9P messages.
	 * Closed with f unless shared_ro (then the inode's ro_host_fd). */
	int host_fd;
	/* a directory listed from its known entries (dirnames.c), taken
	 * at opendir and again at each later read at offset 0 (rewinddir);
	 * the kernel reads one open directory one call at a time */
	struct fs_listing *listing;
	bool listing_fresh;           /* not read yet */
	struct fs_file *prev, *next;  /* files.c: the mount's open files */
};

/* files.c: an open file or directory of this mount (zeroed), or NULL;
 * freed by fs_file_free, or at the session's end if the kernel never
 * released it (an unmount by signal drops pending releases). */
struct fs_file *fs_file_new(struct fs *fs);
void fs_file_free(struct fs *fs, struct fs_file *f);
void fs_files_free_all(struct fs *fs);

/* ops_dir.c: the open fid of f, opening a lazy directory now. */
int fs_file_fid(struct fs *fs, struct fs_file *f, uint32_t *fid);

static inline struct fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}
static inline struct fs_inode *fs_inode_of(struct fs *fs, fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? fs->root : (struct fs_inode *)(uintptr_t)ino;
}
static inline fuse_ino_t fs_nodeid(struct fs *fs, struct fs_inode *i)
{
	return i == fs->root ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)i;
}
static inline struct fs_file *fs_file_of(struct fuse_file_info *fi)
{
	return (struct fs_file *)(uintptr_t)fi->fh;
}

/* A reply's qid against the inode it was asked about.  On a server whose
 * fids are paths (diod) an inode's fid can come to name another file (a
 * rename over its name): refuse that file's data and attrs.  ESTALE makes
 * the VFS repeat a path-based call with a fresh lookup (LOOKUP_REVAL),
 * which gives the inode a fid at a name that is still its own. */
static inline int fs_qid_check(const struct fs_inode *i, const struct p9_qid *qid)
{
	return qid->path == i->qpath ? 0 : -ESTALE;
}

/* An inode's own fid answering ENOENT lost its name (a path-based
 * server): the kernel still holds the file, so that too is ESTALE. */
static inline int fs_stale_errno(int r)
{
	return r == -ENOENT ? -ESTALE : r;
}

/* The DT_* type of a file of mode m. */
static inline uint8_t fs_dtype(mode_t m)
{
	return (uint8_t)((m & S_IFMT) >> 12);
}

/* A change of the namespace by this mount (unlink, rmdir, rename). */
static inline void fs_ns_changed(struct fs *fs)
{
	atomic_fetch_add(&fs->ns_gen, 1);
}

/* attr_cache.c: with cache=exclusive an inode remembers the attrs the
 * server last reported until this mount changes the file (or the attr
 * timeout passes), so the kernel's repeated getattrs and readdirplus of
 * known files cost no round trip.  Nothing is cached with cache=shared. */
static inline uint64_t fs_attr_stamp(struct fs *fs)
{
	return atomic_load(&fs->aseq);
}
static inline uint64_t fs_lgen(struct fs *fs)
{
	return atomic_load(&fs->lgen);
}
/* Remember st, asked at `stamp` (fs_attr_stamp) and link generation
 * `lgen` (fs_lgen), unless the file changed since.  A directory whose
 * times this mount set itself keeps them: st then shows them too, so the
 * kernel sees no change of mtime (which would drop its cached listing). */
void fs_attr_store(struct fs *fs, struct fs_inode *i, struct stat *st, uint64_t stamp,
		   uint64_t lgen);
/* A name of i went away through this mount: one link less. */
void fs_attr_unlinked(struct fs *fs, struct fs_inode *i);
/* The file changed (or may have): forget its attrs. */
void fs_attr_inval(struct fs *fs, struct fs_inode *i);
/* Only its atime moved (a directory read): forget its attrs but not
 * the times this mount set. */
void fs_attr_inval_atime(struct fs *fs, struct fs_inode *i);
/* A change of dir's entries by this mount (create, mkdir, unlink, ...):
 * fs_attr_dir_begin before the request goes out invalidates dir's attrs
 * as fs_attr_inval does but keeps a copy; fs_attr_dir_done after it
 * succeeded puts them back with mtime and ctime now and the link count
 * moved by `dnlink` (subdirectories made or removed), so the kernel's
 * getattr of the parent after every create or unlink costs no round trip.
 * The size of a directory is the filesystem's business and stays as it
 * was: it is refreshed when the attr timeout passes. */
struct fs_dirchg {
	struct stat st;
	bool ok;
	uint64_t stamp, lgen, until;
};
void fs_attr_dir_begin(struct fs *fs, struct fs_inode *dir, struct fs_dirchg *c);
void fs_attr_dir_done(struct fs *fs, struct fs_inode *dir, struct fs_dirchg *c, int dnlink);
/* Cached attrs still good for `use`?  An unlink or rename of a file this
 * mount could not name since they were asked may have moved a link count
 * and ctime, never a mode, size or mtime. */
enum fs_attr_use {
	FS_ATTR_CONTENT,   /* mode, owner, size, times but ctime */
	FS_ATTR_ENTRY,     /* all, for a file reached by name: only files
			      with other names (nlink > 1) may have lost one */
	FS_ATTR_ALL,       /* all, for a file that may have lost its name */
};
bool fs_attr_cached(struct fs *fs, struct fs_inode *i, enum fs_attr_use use, struct stat *st);
/* The attrs a setattr (FUSE's `to_set` of `attr`) will leave, if they can
 * be known without asking: *lgen is the link generation they hold at. */
bool fs_attr_predict(struct fs *fs, struct fs_inode *i, const struct stat *attr, int to_set,
		     struct stat *st, uint64_t *lgen);

/* names.c: which file a name in a directory reached when this mount last
 * looked it up or made it, so that an unlink knows whose link count it
 * moved without asking.  A bounded table of hints (cache=exclusive). */
int fs_names_new(struct fs_names **out);
void fs_names_free(struct fs_names *n);
void fs_name_set(struct fs *fs, struct fs_inode *dir, const char *name, const struct p9_qid *qid);
void fs_name_absent(struct fs *fs, struct fs_inode *dir, const char *name);
void fs_name_drop(struct fs *fs, struct fs_inode *dir, const char *name);
/* This mount last saw no file at name (a negative lookup, its unlink). */
bool fs_name_is_absent(struct fs *fs, struct fs_inode *dir, const char *name);
/* Before this mount removes `name` from dir (unlink, rmdir, rename over
 * it): 1 and its qid if a file is there, 0 if none, -errno if unknown.
 * The hint goes; a lost hint costs a walk. */
int fs_name_victim(struct fs *fs, struct fs_inode *dir, const char *name, struct p9_qid *qid);
/* After the removal succeeded: that file lost a link (`counted`: its
 * cached link count is corrected, else its attrs are dropped). */
void fs_name_gone(struct fs *fs, int victim, const struct p9_qid *qid, bool counted);

/* xattr_cache.c: a negative cache of the xattrs the kernel asks about
 * on every ls -l or write (security.capability, security.selinux, POSIX
 * ACLs).  cache=exclusive: until this mount changes the file's xattrs;
 * cache=shared: only security.capability, for the attr timeout. */
int fs_xneg_bit(struct fs *fs, const char *name);   /* -1: not cached */
/* Read xgen before asking the server; then: */
uint32_t fs_xneg_gen(struct fs_inode *i);
bool fs_xneg_absent(struct fs *fs, struct fs_inode *i, int bit);
/* The server's answer `r` to getxattr of the cached name `bit`. */
void fs_xneg_learn(struct fs *fs, struct fs_inode *i, uint32_t gen, int bit, int r);
/* Before and after a change of i's xattrs through this mount. */
void fs_xneg_forget(struct fs_inode *i);
/* cache=exclusive: dir surely has no default ACL (asked once). */
bool fs_xneg_no_default_acl(struct fs *fs, struct fs_inode *dir);
/* A file this mount just made in `parent`: what it cannot have yet. */
void fs_xneg_new_file(struct fs *fs, struct fs_inode *parent, struct fs_inode *i);

/* dirnames.c: the complete entries of a directory this mount made
 * (cache=exclusive), so lookups of absent names need no Twalk and
 * listings no Treaddir. */
struct fs_dirnames;
/* dir was just made, empty, in the directory whose qid path is parent */
void fs_dirnames_made_empty(struct fs *fs, struct fs_inode *dir, uint64_t parent);
void fs_dirnames_free(struct fs_inode *dir);      /* inode teardown */
void fs_dirnames_drop(struct fs_inode *dir);      /* no longer known */
/* true only when dir's names are known and name is not one of them */
bool fs_dirnames_absent(struct fs_inode *dir, const char *name);
/* name in dir is now the file qid (of type dtype, DT_*), new or not */
void fs_dirnames_put(struct fs_inode *dir, const char *name, const struct p9_qid *qid,
		     uint8_t dtype);
/* name left dir: true with its entry if the set had it */
bool fs_dirnames_take(struct fs_inode *dir, const char *name, struct p9_qid *qid,
		      uint8_t *dtype);
void fs_dirnames_del(struct fs_inode *dir, const char *name);
/* The directory qid moved into the directory `parent`; or a directory
 * may have moved where this mount cannot tell: no set knows its ".." */
void fs_dirnames_reparent(struct fs *fs, const struct p9_qid *qid, uint64_t parent);
void fs_dirnames_lost_move(struct fs *fs);
/* A request on name in dir failed with r: keep the set only if the
 * error says nothing changed. */
void fs_dirnames_failed(struct fs_inode *dir, const char *name, int r);
/* A snapshot of dir's entries, "." and ".." first, in cookie order, or
 * NULL when they are not known (or no memory). */
struct fs_listing;
struct fs_listing *fs_dirnames_list(struct fs *fs, struct fs_inode *dir);
size_t fs_listing_len(const struct fs_listing *l);
/* The index of the first entry after `cookie` (0 for cookie 0). */
size_t fs_listing_after(const struct fs_listing *l, uint64_t cookie);
const char *fs_listing_get(const struct fs_listing *l, size_t k, struct p9_qid *qid,
			   uint64_t *cookie, uint8_t *dtype);
void fs_listing_free(struct fs_listing *l);

/* rofid.c: an open with 9P flags `flags` takes the inode's shared
 * read-only fid into f (true), or after opening its own offers it
 * (f->shared_ro tells whether it was kept); freed with the inode. */
bool fs_rofid_take(struct fs *fs, struct fs_inode *i, uint32_t flags, struct fs_file *f);
void fs_rofid_offer(struct fs *fs, struct fs_inode *i, uint32_t flags, struct fs_file *f);
void fs_rofid_free(struct fs *fs, struct fs_inode *i, bool clunk);
/* A directory's listing fid (no_opendir), shared the same way: the one
 * kept (true), or offer `fid`, just opened (true when kept). */
bool fs_rofid_dir(struct fs_inode *i, uint32_t *fid);
bool fs_rofid_dir_offer(struct fs *fs, struct fs_inode *i, uint32_t fid);

/* newattr.c: a regular file or symlink this mount creates, as asked:
 * mode with the type bits, the owner it was chowned to
 * (FS_NEW_UID_SERVER: none, the server's choice), gid, and size (a
 * symlink's target length). */
#define FS_NEW_UID_SERVER UINT32_MAX
struct fs_newfile {
	mode_t mode;
	uint32_t uid, gid;
	uint64_t size;
};
/* A create that asked the server: learn from its attrs. */
void fs_new_learn(struct fs *fs, const struct fs_newfile *q, const struct stat *st);
/* The attrs of a new file in parent if they can be known without asking. */
bool fs_new_predict(struct fs *fs, struct fs_inode *parent, const struct fs_newfile *q,
		    uint64_t qpath, struct stat *st);
/* The entry of parent/name, just made at qid: its attrs predicted from
 * the request q when that is known to work, else asked and learnt from
 * (q NULL: asked, nothing learnt).  `born`: surely a new file (not an
 * existing one a create opened), so never an inode known before. */
int fs_new_entry(struct fs *fs, struct fs_inode *parent, const char *name,
		 const struct fs_newfile *q, const struct p9_qid *qid, bool born,
		 struct fuse_entry_param *e);

/* ops_xattr.c: read an xattr (name "": the list) into a fresh buffer,
 * or with want 0 only its size into *len. */
int fs_xattr_fetch(struct fs *fs, struct fs_inode *i, const char *name, size_t want, char **out,
		   size_t *len);

/* inode.c */
int fs_itable_init(struct fs_itable *t);
void fs_itable_destroy(struct fs *fs);
/* Adopt `fid` (walked, with qid; `gen` is fs->ns_gen read before the
 * walk) as an inode and count one lookup.  If the file already has an
 * inode, that inode takes fid as its fresher fid (a server whose fids are
 * paths, like diod, keeps the old one at a name that may be gone) unless
 * fs_inode_keep_fid says otherwise, and is returned.  Not when `born`
 * (the server has just made the file): an inode of that qid is then a
 * gone file's whose number was reused, and the new file gets its own. */
int fs_inode_adopt(struct fs *fs, uint32_t fid, const struct p9_qid *qid, uint64_t gen,
		   bool born, struct fs_inode **out);
/* After a rename or link: `fid` was walked to the file's new name; the
 * file's inode, if any, takes it as above (after a link keeping the old
 * one as its spare).  Consumes fid. */
void fs_inode_refresh(struct fs *fs, uint32_t fid, const struct p9_qid *qid, uint64_t gen,
		      bool keep_spare);
/* The live inode of qid, with one more lookup counted, or NULL. */
struct fs_inode *fs_inode_find_ref(struct fs *fs, const struct p9_qid *qid);
/* Under itab.mu: the fids the mount's inodes hold (one each, and the
 * shared read-only ones of rofid.c): what max_inodes bounds, as each is
 * an fd in burrow-gofer. */
size_t fs_fids_held_locked(struct fs *fs);
/* At or past the shrinker's low mark (shrink.c): take no inodes the
 * kernel did not ask for. */
bool fs_inodes_crowded(struct fs *fs);
/* The kernel holds an inode for qid (looked up, not yet forgotten). */
bool fs_inode_held(struct fs *fs, const struct p9_qid *qid);
/* The kernel is about to get i as parent/name (an entry reply). */
void fs_inode_named(struct fs *fs, struct fs_inode *i, struct fs_inode *parent, const char *name);
/* The file of qid, if the mount has it, is parent/name now (rename). */
void fs_inode_moved(struct fs *fs, const struct p9_qid *qid, struct fs_inode *parent,
		    const char *name);
/* One more lookup of a known inode (link). */
void fs_inode_ref(struct fs *fs, struct fs_inode *i);
/* Drop n lookups; clunk and free at zero. */
void fs_inode_forget(struct fs *fs, struct fs_inode *i, uint64_t n);
int fs_root_init(struct fs *fs, uint32_t fid, const struct p9_qid *qid);

/* inode_fid.c: an inode's fids */
void fs_inode_fids_init(struct fs_inode *i, uint32_t fid, uint64_t gen);
void fs_inode_fids_free(struct fs *fs, struct fs_inode *i, bool clunk);
/* The inode takes `fid` (consumed, walked at `gen`); the old one becomes
 * its spare or is let go (clunked once no call uses it). */
void fs_inode_take_fid(struct fs *fs, struct fs_inode *i, uint32_t fid, uint64_t gen,
		       bool keep_spare);
/* A second lookup of a known inode: keep its fid rather than the fresh
 * one?  Yes with the export ours alone and nothing unlinked or renamed
 * since the fid was last known good: it still reaches the file, while the
 * kernel looks a name up again just before replacing it (rename's target,
 * O_EXCL), so a fid moved there would name the other file next. */
bool fs_inode_keep_fid(struct fs *fs, struct fs_inode *i);
/* `stale` (held) was found not to reach the file: make the spare, if it
 * still does, the fid calls use.  0 when calls may try again. */
int fs_inode_repair(struct fs *fs, struct fs_inode *i, struct fs_fidref *stale);
/* Use the inode's fid: hold ... ->fid ... drop. */
struct fs_fidref *fs_fid_hold(struct fs_inode *i);
void fs_fid_drop(struct fs *fs, struct fs_inode *i, struct fs_fidref *h);
/* Before a call whose reply carries no qid (setattr, readlink, xattrs):
 * if the namespace changed since `fid` (of i) was last known good, check
 * with a getattr that it still reaches i; -ESTALE if not. */
int fs_fid_verify(struct fs *fs, struct fs_inode *i, uint32_t fid, _Atomic uint64_t *gen);
/* fs_fid_hold, then fs_fid_verify (repairing once); nothing held on
 * error. */
int fs_fid_hold_verified(struct fs *fs, struct fs_inode *i, struct fs_fidref **out);
/* Clone the inode's fid, or walk one name from it (held meanwhile). */
int fs_inode_clone(struct fs *fs, struct fs_inode *i, uint32_t *newfid);
int fs_inode_walk1(struct fs *fs, struct fs_inode *dir, const char *name, uint32_t *newfid,
		   struct p9_qid *qid);

/* fid.c: fid helpers */
int fs_fid_clone(struct fs *fs, uint32_t fid, uint32_t *newfid);
int fs_fid_walk1(struct fs *fs, uint32_t dfid, const char *name, uint32_t *newfid,
		 struct p9_qid *qid);
void fs_fid_put(struct fs *fs, uint32_t fid);

/* attr.c */
void fs_attr_to_stat(const struct p9_attr *a, struct stat *st);
/* getattr on fid, remember mode/gid in the inode (may be NULL; if not,
 * a fid that does not reach it is -ESTALE) */
int fs_getattr_fid(struct fs *fs, uint32_t fid, struct fs_inode *i, struct stat *st);
/* getattr through the inode's own fid, repaired once if it went stale */
int fs_getattr_inode(struct fs *fs, struct fs_inode *i, struct stat *st);
/* Walk `name` under parent, adopt it and fill the entry. */
int fs_lookup_entry(struct fs *fs, struct fs_inode *parent, const char *name,
		    struct fuse_entry_param *e);
/* The same for a file the server has just made (fs_inode_adopt's born) */
int fs_lookup_born(struct fs *fs, struct fs_inode *parent, const char *name,
		   struct fuse_entry_param *e);
/* The same for a file whose attrs are known (newattr.c): only the walk,
 * which must reach qid (-ESTALE if not). */
int fs_lookup_known(struct fs *fs, struct fs_inode *parent, const char *name,
		    const struct p9_qid *qid, const struct stat *st, bool born,
		    struct fuse_entry_param *e);
void fs_entry_fill(struct fs *fs, struct fs_inode *i, const struct stat *st,
		   struct fuse_entry_param *e);
uint32_t fs_open_flags(const struct fs *fs, int flags);
/* gid new files get: the parent's if it is setgid, else the caller's */
uint32_t fs_new_gid(struct fs_inode *parent, const struct fuse_ctx *ctx);
/* After a create: give the file the caller's uid when we may. */
int fs_chown_new(struct fs *fs, uint32_t fid, const struct fuse_ctx *ctx, uint32_t gid);

/* iopool.c */
int fs_iopool_new(unsigned nthreads, struct fs_iopool **out);
void fs_iopool_free(struct fs_iopool *p);
/* Read/write [off, off+len) through fid in iounit-sized pieces, all in
 * flight at once. Returns the bytes done (a short count stops at the first
 * short piece) or -errno if nothing was done. */
ssize_t fs_pread(struct fs *fs, uint32_t fid, void *buf, size_t len, uint64_t off);
ssize_t fs_pwrite(struct fs *fs, uint32_t fid, const void *buf, size_t len, uint64_t off);

/* tlsbuf.c: per-thread scratch buffers, grown on demand, freed at thread
 * exit. NULL when out of memory. */
enum fs_buf_slot { FS_BUF_IO, FS_BUF_DIR, FS_BUF_NSLOTS };
void *fs_tls_buf(enum fs_buf_slot slot, size_t size);

/* shrink.c: the bound on inodes held (fs->max_inodes).  Start after the
 * mount (threads take no signals: start with them blocked); stop after
 * the workers ended, before the session is destroyed. */
struct fs_shrink;
int fs_shrink_start(struct fs *fs, struct fuse_session *se);
void fs_shrink_stop(struct fs *fs);
void fs_shrink_kick(struct fs *fs);   /* over the bound: drop some */
/* A condition variable timed on CLOCK_MONOTONIC, and a deadline ns
 * (under a second) from now on that clock. */
void fs_cond_init_monotonic(pthread_cond_t *c);
void fs_deadline_in(struct timespec *t, long ns);

/* Operation tables, one file each. */
void fs_ops_entry(struct fuse_lowlevel_ops *ops);
void fs_ops_ns(struct fuse_lowlevel_ops *ops);
void fs_ops_file(struct fuse_lowlevel_ops *ops);
void fs_ops_dir(struct fuse_lowlevel_ops *ops);
void fs_ops_xattr(struct fuse_lowlevel_ops *ops);
void fs_ops_lock(struct fuse_lowlevel_ops *ops);

/* ops_lock.c: drop this owner's POSIX locks (flush); release every lock
 * fid of an inode (clunking them unless the connection is going away) */
void fs_lock_flush(struct fs *fs, struct fs_inode *i, uint64_t owner);
void fs_lock_drop_all(struct fs *fs, struct fs_inode *i, bool clunk);

#endif
