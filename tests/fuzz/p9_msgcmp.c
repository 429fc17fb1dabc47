/* Compare two decoded messages field by field.  Written independently of
 * the codec's field order so that a field the codec forgets shows up. */
#include <stdbool.h>
#include <string.h>

#include "p9_msgcmp.h"

static bool str_eq(struct p9_str x, struct p9_str y)
{
	if (x.len != y.len)
		return false;
	return x.len == 0 || memcmp(x.s, y.s, x.len) == 0;
}

static bool data_eq(const uint8_t *x, const uint8_t *y, uint32_t count)
{
	return count == 0 || memcmp(x, y, count) == 0;
}

static bool qid_eq(const struct p9_qid *x, const struct p9_qid *y)
{
	return x->type == y->type && x->version == y->version && x->path == y->path;
}

#define F(f) do { if (a->u.f != b->u.f) return #f; } while (0)
#define S(f) do { if (!str_eq(a->u.f, b->u.f)) return #f; } while (0)
#define Q(f) do { if (!qid_eq(&a->u.f, &b->u.f)) return #f; } while (0)

/* Tlock carries flags on the wire; Tgetlock and Rgetlock do not. */
static const char *flock_diff(const struct p9_flock *x, const struct p9_flock *y, bool flags)
{
	if (x->type != y->type)
		return "lock.type";
	if (flags && x->flags != y->flags)
		return "lock.flags";
	if (x->start != y->start)
		return "lock.start";
	if (x->length != y->length)
		return "lock.length";
	if (x->proc_id != y->proc_id)
		return "lock.proc_id";
	if (!str_eq(x->client_id, y->client_id))
		return "lock.client_id";
	return NULL;
}

static const char *attr_diff(const struct p9_msg *a, const struct p9_msg *b)
{
	F(rgetattr.valid); Q(rgetattr.qid);
	F(rgetattr.mode); F(rgetattr.uid); F(rgetattr.gid);
	F(rgetattr.nlink); F(rgetattr.rdev); F(rgetattr.size);
	F(rgetattr.blksize); F(rgetattr.blocks);
	F(rgetattr.atime_sec); F(rgetattr.atime_nsec);
	F(rgetattr.mtime_sec); F(rgetattr.mtime_nsec);
	F(rgetattr.ctime_sec); F(rgetattr.ctime_nsec);
	F(rgetattr.btime_sec); F(rgetattr.btime_nsec);
	F(rgetattr.gen); F(rgetattr.data_version);
	return NULL;
}

static const char *iattr_diff(const struct p9_msg *a, const struct p9_msg *b)
{
	F(tsetattr.fid);
	F(tsetattr.attr.valid); F(tsetattr.attr.mode);
	F(tsetattr.attr.uid); F(tsetattr.attr.gid); F(tsetattr.attr.size);
	F(tsetattr.attr.atime_sec); F(tsetattr.attr.atime_nsec);
	F(tsetattr.attr.mtime_sec); F(tsetattr.attr.mtime_nsec);
	return NULL;
}

static const char *statfs_diff(const struct p9_msg *a, const struct p9_msg *b)
{
	F(rstatfs.type); F(rstatfs.bsize); F(rstatfs.blocks); F(rstatfs.bfree);
	F(rstatfs.bavail); F(rstatfs.files); F(rstatfs.ffree); F(rstatfs.fsid);
	F(rstatfs.namelen);
	return NULL;
}

static const char *walk_diff(const struct p9_msg *a, const struct p9_msg *b)
{
	if (a->type == P9_TWALK) {
		F(twalk.fid); F(twalk.newfid); F(twalk.nwname);
		for (unsigned i = 0; i < a->u.twalk.nwname && i < P9_MAXWELEM; i++)
			S(twalk.wnames[i]);
		return NULL;
	}
	F(rwalk.nwqid);
	for (unsigned i = 0; i < a->u.rwalk.nwqid && i < P9_MAXWELEM; i++)
		Q(rwalk.wqids[i]);
	return NULL;
}

static const char *body_diff(const struct p9_msg *a, const struct p9_msg *b)
{
	switch (a->type) {
	case P9_TVERSION: case P9_RVERSION:
		F(version.msize); S(version.version); break;
	case P9_TAUTH:
		F(tauth.afid); S(tauth.uname); S(tauth.aname); F(tauth.n_uname); break;
	case P9_RAUTH: Q(rauth.aqid); break;
	case P9_TATTACH:
		F(tattach.fid); F(tattach.afid); S(tattach.uname); S(tattach.aname);
		F(tattach.n_uname); break;
	case P9_RATTACH: Q(rattach.qid); break;
	case P9_RLERROR: F(rlerror.ecode); break;
	case P9_TFLUSH: F(tflush.oldtag); break;
	case P9_TWALK: case P9_RWALK: return walk_diff(a, b);
	case P9_TREAD: F(tread.fid); F(tread.offset); F(tread.count); break;
	case P9_RREAD:
		F(rread.count);
		if (!data_eq(a->u.rread.data, b->u.rread.data, a->u.rread.count))
			return "rread.data";
		break;
	case P9_TWRITE:
		F(twrite.fid); F(twrite.offset); F(twrite.count);
		if (!data_eq(a->u.twrite.data, b->u.twrite.data, a->u.twrite.count))
			return "twrite.data";
		break;
	case P9_RWRITE: F(rwrite.count); break;
	case P9_TCLUNK: F(tclunk.fid); break;
	case P9_TREMOVE: F(tremove.fid); break;
	case P9_TSTATFS: F(tstatfs.fid); break;
	case P9_RSTATFS: return statfs_diff(a, b);
	case P9_TLOPEN: F(tlopen.fid); F(tlopen.flags); break;
	case P9_RLOPEN: Q(rlopen.qid); F(rlopen.iounit); break;
	case P9_TLCREATE:
		F(tlcreate.fid); S(tlcreate.name); F(tlcreate.flags); F(tlcreate.mode);
		F(tlcreate.gid); break;
	case P9_RLCREATE: Q(rlcreate.qid); F(rlcreate.iounit); break;
	case P9_TSYMLINK:
		F(tsymlink.fid); S(tsymlink.name); S(tsymlink.symtgt); F(tsymlink.gid); break;
	case P9_RSYMLINK: Q(rsymlink.qid); break;
	case P9_TMKNOD:
		F(tmknod.dfid); S(tmknod.name); F(tmknod.mode); F(tmknod.major);
		F(tmknod.minor); F(tmknod.gid); break;
	case P9_RMKNOD: Q(rmknod.qid); break;
	case P9_TRENAME: F(trename.fid); F(trename.dfid); S(trename.name); break;
	case P9_TREADLINK: F(treadlink.fid); break;
	case P9_RREADLINK: S(rreadlink.target); break;
	case P9_TGETATTR: F(tgetattr.fid); F(tgetattr.request_mask); break;
	case P9_RGETATTR: return attr_diff(a, b);
	case P9_TSETATTR: return iattr_diff(a, b);
	case P9_TXATTRWALK:
		F(txattrwalk.fid); F(txattrwalk.newfid); S(txattrwalk.name); break;
	case P9_RXATTRWALK: F(rxattrwalk.size); break;
	case P9_TXATTRCREATE:
		F(txattrcreate.fid); S(txattrcreate.name); F(txattrcreate.attr_size);
		F(txattrcreate.flags); break;
	case P9_TREADDIR: F(treaddir.fid); F(treaddir.offset); F(treaddir.count); break;
	case P9_RREADDIR:
		F(rreaddir.count);
		if (!data_eq(a->u.rreaddir.data, b->u.rreaddir.data, a->u.rreaddir.count))
			return "rreaddir.data";
		break;
	case P9_TFSYNC: F(tfsync.fid); F(tfsync.datasync); break;
	case P9_TLOCK:
		F(tlock.fid);
		return flock_diff(&a->u.tlock.lock, &b->u.tlock.lock, true);
	case P9_RLOCK: F(rlock.status); break;
	case P9_TGETLOCK:
		F(tgetlock.fid);
		return flock_diff(&a->u.tgetlock.lock, &b->u.tgetlock.lock, false);
	case P9_RGETLOCK: return flock_diff(&a->u.rgetlock, &b->u.rgetlock, false);
	case P9_TLINK: F(tlink.dfid); F(tlink.fid); S(tlink.name); break;
	case P9_TMKDIR: F(tmkdir.dfid); S(tmkdir.name); F(tmkdir.mode); F(tmkdir.gid); break;
	case P9_RMKDIR: Q(rmkdir.qid); break;
	case P9_TRENAMEAT:
		F(trenameat.olddirfid); S(trenameat.oldname);
		F(trenameat.newdirfid); S(trenameat.newname); break;
	case P9_TUNLINKAT: F(tunlinkat.dirfid); S(tunlinkat.name); F(tunlinkat.flags); break;
	case P9_RFLUSH: case P9_RCLUNK: case P9_RREMOVE: case P9_RRENAME:
	case P9_RSETATTR: case P9_RXATTRCREATE: case P9_RFSYNC: case P9_RLINK:
	case P9_RRENAMEAT: case P9_RUNLINKAT:
		break;
	default:
		return "type (unknown)";
	}
	return NULL;
}

const char *p9_msg_diff(const struct p9_msg *a, const struct p9_msg *b)
{
	if (a->type != b->type)
		return "type";
	if (a->tag != b->tag)
		return "tag";
	return body_diff(a, b);
}
