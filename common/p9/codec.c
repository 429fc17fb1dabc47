/* 9P2000.L wire codec.
 *
 * Two small cursors do all the work: a read cursor over a received message
 * and a write cursor over an output buffer.  Both carry a sticky error, so a
 * message body is a straight list of get/put calls and is checked once at the
 * end; the first error wins.  Every length check is done as "bytes remaining
 * >= n" on size_t, never by forming a pointer past the end, and counts from
 * the wire are compared with limits in 64-bit arithmetic.
 *
 * Field layouts follow the 9P2000.L definition (Linux include/net/9p/9p.h and
 * diod's protocol.md); all integers are little-endian. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "p9/p9.h"

/* ---- read cursor ------------------------------------------------------ */

struct rcur {
	const uint8_t *p;
	const uint8_t *end;
	int err;              /* 0 or the first negative errno */
};

static void rfail(struct rcur *c, int err)
{
	if (!c->err)
		c->err = err;
}

static size_t rleft(const struct rcur *c)
{
	return (size_t)(c->end - c->p);
}

/* Returns a pointer to the next n bytes and consumes them, or NULL (and
 * sets -EBADMSG) when fewer remain. */
static const uint8_t *rtake(struct rcur *c, size_t n)
{
	const uint8_t *q = c->p;

	if (c->err)
		return NULL;
	if (rleft(c) < n) {
		rfail(c, -EBADMSG);
		return NULL;
	}
	c->p += n;
	return q;
}

static uint8_t get_u8(struct rcur *c)
{
	const uint8_t *q = rtake(c, 1);

	return q ? q[0] : 0;
}

static uint16_t get_u16(struct rcur *c)
{
	const uint8_t *q = rtake(c, 2);

	return q ? (uint16_t)(q[0] | q[1] << 8) : 0;
}

static uint32_t le32(const uint8_t *q)
{
	return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
	       (uint32_t)q[3] << 24;
}

static uint32_t get_u32(struct rcur *c)
{
	const uint8_t *q = rtake(c, 4);

	return q ? le32(q) : 0;
}

static uint64_t get_u64(struct rcur *c)
{
	const uint8_t *q = rtake(c, 8);

	return q ? (uint64_t)le32(q) | (uint64_t)le32(q + 4) << 32 : 0;
}

/* A string points into the message; the length is checked against what is
 * left of the message, so a lying length is -EBADMSG. */
static struct p9_str get_str(struct rcur *c)
{
	struct p9_str s = { 0, NULL };
	uint16_t len = get_u16(c);
	const uint8_t *q = rtake(c, len);

	if (q && len) {
		s.len = len;
		s.s = (const char *)q;
	}
	return s;
}

static struct p9_qid get_qid(struct rcur *c)
{
	struct p9_qid q;

	q.type = get_u8(c);
	q.version = get_u32(c);
	q.path = get_u64(c);
	return q;
}

/* A payload whose count must describe exactly the rest of the message. */
static const uint8_t *get_payload(struct rcur *c, uint32_t count)
{
	if (!c->err && rleft(c) != count) {
		rfail(c, -EBADMSG);
		return NULL;
	}
	return count ? rtake(c, count) : NULL;
}

static void get_flock(struct rcur *c, struct p9_flock *l, bool with_flags)
{
	l->type = get_u8(c);
	l->flags = with_flags ? get_u32(c) : 0;
	l->start = get_u64(c);
	l->length = get_u64(c);
	l->proc_id = get_u32(c);
	l->client_id = get_str(c);
}

/* Largest Tread/Twrite/Treaddir count a msize allows; 0 for tiny msizes. */
static uint64_t io_limit(uint32_t msize)
{
	return msize > P9_IOHDRSZ ? (uint64_t)msize - P9_IOHDRSZ : 0;
}

static void check_io_count(struct rcur *c, uint32_t count, uint32_t msize)
{
	if ((uint64_t)count > io_limit(msize))
		rfail(c, -EMSGSIZE);
}

/* ---- write cursor ----------------------------------------------------- */

struct wcur {
	uint8_t *p;
	uint8_t *end;
	int err;
};

static uint8_t *wtake(struct wcur *c, size_t n)
{
	uint8_t *q = c->p;

	if (c->err)
		return NULL;
	if ((size_t)(c->end - c->p) < n) {
		c->err = -EMSGSIZE;
		return NULL;
	}
	c->p += n;
	return q;
}

static void put_u8(struct wcur *c, uint8_t v)
{
	uint8_t *q = wtake(c, 1);

	if (q)
		q[0] = v;
}

static void put_u16(struct wcur *c, uint16_t v)
{
	uint8_t *q = wtake(c, 2);

	if (q) {
		q[0] = (uint8_t)v;
		q[1] = (uint8_t)(v >> 8);
	}
}

static void wr32(uint8_t *q, uint32_t v)
{
	q[0] = (uint8_t)v;
	q[1] = (uint8_t)(v >> 8);
	q[2] = (uint8_t)(v >> 16);
	q[3] = (uint8_t)(v >> 24);
}

static void put_u32(struct wcur *c, uint32_t v)
{
	uint8_t *q = wtake(c, 4);

	if (q)
		wr32(q, v);
}

static void put_u64(struct wcur *c, uint64_t v)
{
	uint8_t *q = wtake(c, 8);

	if (q) {
		wr32(q, (uint32_t)v);
		wr32(q + 4, (uint32_t)(v >> 32));
	}
}

static void put_str(struct wcur *c, struct p9_str s)
{
	uint8_t *q;

	if (s.len && !s.s) {
		if (!c->err)
			c->err = -EINVAL;
		return;
	}
	put_u16(c, s.len);
	q = wtake(c, s.len);
	if (q && s.len)
		memcpy(q, s.s, s.len);
}

static void put_qid(struct wcur *c, const struct p9_qid *q)
{
	put_u8(c, q->type);
	put_u32(c, q->version);
	put_u64(c, q->path);
}

static void put_flock(struct wcur *c, const struct p9_flock *l, bool with_flags)
{
	put_u8(c, l->type);
	if (with_flags)
		put_u32(c, l->flags);
	put_u64(c, l->start);
	put_u64(c, l->length);
	put_u32(c, l->proc_id);
	put_str(c, l->client_id);
}

/* ---- type table ------------------------------------------------------- */

const char *p9_type_name(uint8_t type)
{
	switch (type) {
	case P9_TLERROR: return "Tlerror";
	case P9_RLERROR: return "Rlerror";
	case P9_TSTATFS: return "Tstatfs";
	case P9_RSTATFS: return "Rstatfs";
	case P9_TLOPEN: return "Tlopen";
	case P9_RLOPEN: return "Rlopen";
	case P9_TLCREATE: return "Tlcreate";
	case P9_RLCREATE: return "Rlcreate";
	case P9_TSYMLINK: return "Tsymlink";
	case P9_RSYMLINK: return "Rsymlink";
	case P9_TMKNOD: return "Tmknod";
	case P9_RMKNOD: return "Rmknod";
	case P9_TRENAME: return "Trename";
	case P9_RRENAME: return "Rrename";
	case P9_TREADLINK: return "Treadlink";
	case P9_RREADLINK: return "Rreadlink";
	case P9_TGETATTR: return "Tgetattr";
	case P9_RGETATTR: return "Rgetattr";
	case P9_TSETATTR: return "Tsetattr";
	case P9_RSETATTR: return "Rsetattr";
	case P9_TXATTRWALK: return "Txattrwalk";
	case P9_RXATTRWALK: return "Rxattrwalk";
	case P9_TXATTRCREATE: return "Txattrcreate";
	case P9_RXATTRCREATE: return "Rxattrcreate";
	case P9_TREADDIR: return "Treaddir";
	case P9_RREADDIR: return "Rreaddir";
	case P9_TFSYNC: return "Tfsync";
	case P9_RFSYNC: return "Rfsync";
	case P9_TLOCK: return "Tlock";
	case P9_RLOCK: return "Rlock";
	case P9_TGETLOCK: return "Tgetlock";
	case P9_RGETLOCK: return "Rgetlock";
	case P9_TLINK: return "Tlink";
	case P9_RLINK: return "Rlink";
	case P9_TMKDIR: return "Tmkdir";
	case P9_RMKDIR: return "Rmkdir";
	case P9_TRENAMEAT: return "Trenameat";
	case P9_RRENAMEAT: return "Rrenameat";
	case P9_TUNLINKAT: return "Tunlinkat";
	case P9_RUNLINKAT: return "Runlinkat";
	case P9_TVERSION: return "Tversion";
	case P9_RVERSION: return "Rversion";
	case P9_TAUTH: return "Tauth";
	case P9_RAUTH: return "Rauth";
	case P9_TATTACH: return "Tattach";
	case P9_RATTACH: return "Rattach";
	case P9_TFLUSH: return "Tflush";
	case P9_RFLUSH: return "Rflush";
	case P9_TWALK: return "Twalk";
	case P9_RWALK: return "Rwalk";
	case P9_TREAD: return "Tread";
	case P9_RREAD: return "Rread";
	case P9_TWRITE: return "Twrite";
	case P9_RWRITE: return "Rwrite";
	case P9_TCLUNK: return "Tclunk";
	case P9_RCLUNK: return "Rclunk";
	case P9_TREMOVE: return "Tremove";
	case P9_RREMOVE: return "Rremove";
	}
	return NULL;
}

/* Every named type but Tlerror (which no one sends) comes in T/R pairs with
 * the T-message on the even number. */
int p9_is_request(uint8_t type)
{
	return type != P9_TLERROR && (type & 1) == 0 && p9_type_name(type) != NULL;
}

static bool is_reply(uint8_t type)
{
	return (type & 1) == 1 && p9_type_name(type) != NULL;
}

/* ---- header ----------------------------------------------------------- */

int p9_peek_header(const uint8_t *buf, size_t len, uint32_t *size, uint8_t *type, uint16_t *tag)
{
	if (!buf || len < P9_HDRSZ)
		return -EBADMSG;
	if (size)
		*size = le32(buf);
	if (type)
		*type = buf[4];
	if (tag)
		*tag = (uint16_t)(buf[5] | buf[6] << 8);
	return 0;
}

/* Framing checks shared by both decoders: the size field must be the whole
 * buffer and within msize. */
static int check_frame(const uint8_t *buf, size_t len, uint32_t msize, struct p9_msg *out)
{
	uint32_t size;
	int rc;

	rc = p9_peek_header(buf, len, &size, &out->type, &out->tag);
	if (rc < 0)
		return rc;
	if (size > msize)
		return -EMSGSIZE;
	if ((uint64_t)size != (uint64_t)len)
		return -EBADMSG;
	return 0;
}

/* ---- request bodies --------------------------------------------------- */

static void get_twalk(struct rcur *c, struct p9_msg *m)
{
	m->u.twalk.fid = get_u32(c);
	m->u.twalk.newfid = get_u32(c);
	m->u.twalk.nwname = get_u16(c);
	if (m->u.twalk.nwname > P9_MAXWELEM) {
		rfail(c, -E2BIG);
		return;
	}
	for (unsigned i = 0; i < m->u.twalk.nwname; i++)
		m->u.twalk.wnames[i] = get_str(c);
}

static void get_twrite(struct rcur *c, struct p9_msg *m, uint32_t msize)
{
	m->u.twrite.fid = get_u32(c);
	m->u.twrite.offset = get_u64(c);
	m->u.twrite.count = get_u32(c);
	check_io_count(c, m->u.twrite.count, msize);
	m->u.twrite.data = get_payload(c, m->u.twrite.count);
}

static void get_tsetattr(struct rcur *c, struct p9_msg *m)
{
	struct p9_iattr *a = &m->u.tsetattr.attr;

	m->u.tsetattr.fid = get_u32(c);
	a->valid = get_u32(c);
	a->mode = get_u32(c);
	a->uid = get_u32(c);
	a->gid = get_u32(c);
	a->size = get_u64(c);
	a->atime_sec = get_u64(c);
	a->atime_nsec = get_u64(c);
	a->mtime_sec = get_u64(c);
	a->mtime_nsec = get_u64(c);
}

/* Returns -EPROTO for a type a server never receives. */
static int get_request(struct rcur *c, struct p9_msg *m, uint32_t msize)
{
	switch (m->type) {
	case P9_TVERSION:
		/* msize is being negotiated here: any value, the server clamps. */
		m->u.version.msize = get_u32(c);
		m->u.version.version = get_str(c);
		break;
	case P9_TAUTH:
		m->u.tauth.afid = get_u32(c);
		m->u.tauth.uname = get_str(c);
		m->u.tauth.aname = get_str(c);
		m->u.tauth.n_uname = get_u32(c);
		break;
	case P9_TATTACH:
		m->u.tattach.fid = get_u32(c);
		m->u.tattach.afid = get_u32(c);
		m->u.tattach.uname = get_str(c);
		m->u.tattach.aname = get_str(c);
		m->u.tattach.n_uname = get_u32(c);
		break;
	case P9_TFLUSH:
		m->u.tflush.oldtag = get_u16(c);
		break;
	case P9_TWALK:
		get_twalk(c, m);
		break;
	case P9_TREAD:
		m->u.tread.fid = get_u32(c);
		m->u.tread.offset = get_u64(c);
		m->u.tread.count = get_u32(c);
		check_io_count(c, m->u.tread.count, msize);
		break;
	case P9_TWRITE:
		get_twrite(c, m, msize);
		break;
	case P9_TCLUNK:
		m->u.tclunk.fid = get_u32(c);
		break;
	case P9_TREMOVE:
		m->u.tremove.fid = get_u32(c);
		break;
	case P9_TSTATFS:
		m->u.tstatfs.fid = get_u32(c);
		break;
	case P9_TLOPEN:
		m->u.tlopen.fid = get_u32(c);
		m->u.tlopen.flags = get_u32(c);
		break;
	case P9_TLCREATE:
		m->u.tlcreate.fid = get_u32(c);
		m->u.tlcreate.name = get_str(c);
		m->u.tlcreate.flags = get_u32(c);
		m->u.tlcreate.mode = get_u32(c);
		m->u.tlcreate.gid = get_u32(c);
		break;
	case P9_TSYMLINK:
		m->u.tsymlink.fid = get_u32(c);
		m->u.tsymlink.name = get_str(c);
		m->u.tsymlink.symtgt = get_str(c);
		m->u.tsymlink.gid = get_u32(c);
		break;
	case P9_TMKNOD:
		m->u.tmknod.dfid = get_u32(c);
		m->u.tmknod.name = get_str(c);
		m->u.tmknod.mode = get_u32(c);
		m->u.tmknod.major = get_u32(c);
		m->u.tmknod.minor = get_u32(c);
		m->u.tmknod.gid = get_u32(c);
		break;
	case P9_TRENAME:
		m->u.trename.fid = get_u32(c);
		m->u.trename.dfid = get_u32(c);
		m->u.trename.name = get_str(c);
		break;
	case P9_TREADLINK:
		m->u.treadlink.fid = get_u32(c);
		break;
	case P9_TGETATTR:
		m->u.tgetattr.fid = get_u32(c);
		m->u.tgetattr.request_mask = get_u64(c);
		break;
	case P9_TSETATTR:
		get_tsetattr(c, m);
		break;
	case P9_TXATTRWALK:
		m->u.txattrwalk.fid = get_u32(c);
		m->u.txattrwalk.newfid = get_u32(c);
		m->u.txattrwalk.name = get_str(c);
		break;
	case P9_TXATTRCREATE:
		m->u.txattrcreate.fid = get_u32(c);
		m->u.txattrcreate.name = get_str(c);
		m->u.txattrcreate.attr_size = get_u64(c);
		m->u.txattrcreate.flags = get_u32(c);
		break;
	case P9_TREADDIR:
		m->u.treaddir.fid = get_u32(c);
		m->u.treaddir.offset = get_u64(c);
		m->u.treaddir.count = get_u32(c);
		check_io_count(c, m->u.treaddir.count, msize);
		break;
	case P9_TFSYNC:
		m->u.tfsync.fid = get_u32(c);
		m->u.tfsync.datasync = get_u32(c);
		break;
	case P9_TLOCK:
		m->u.tlock.fid = get_u32(c);
		get_flock(c, &m->u.tlock.lock, true);
		break;
	case P9_TGETLOCK:
		m->u.tgetlock.fid = get_u32(c);
		get_flock(c, &m->u.tgetlock.lock, false);
		break;
	case P9_TLINK:
		m->u.tlink.dfid = get_u32(c);
		m->u.tlink.fid = get_u32(c);
		m->u.tlink.name = get_str(c);
		break;
	case P9_TMKDIR:
		m->u.tmkdir.dfid = get_u32(c);
		m->u.tmkdir.name = get_str(c);
		m->u.tmkdir.mode = get_u32(c);
		m->u.tmkdir.gid = get_u32(c);
		break;
	case P9_TRENAMEAT:
		m->u.trenameat.olddirfid = get_u32(c);
		m->u.trenameat.oldname = get_str(c);
		m->u.trenameat.newdirfid = get_u32(c);
		m->u.trenameat.newname = get_str(c);
		break;
	case P9_TUNLINKAT:
		m->u.tunlinkat.dirfid = get_u32(c);
		m->u.tunlinkat.name = get_str(c);
		m->u.tunlinkat.flags = get_u32(c);
		break;
	default:
		return -EPROTO;
	}
	return 0;
}

/* ---- reply bodies ----------------------------------------------------- */

static void get_rwalk(struct rcur *c, struct p9_msg *m)
{
	m->u.rwalk.nwqid = get_u16(c);
	if (m->u.rwalk.nwqid > P9_MAXWELEM) {
		rfail(c, -E2BIG);
		return;
	}
	for (unsigned i = 0; i < m->u.rwalk.nwqid; i++)
		m->u.rwalk.wqids[i] = get_qid(c);
}

static void get_rstatfs(struct rcur *c, struct p9_statfs *s)
{
	s->type = get_u32(c);
	s->bsize = get_u32(c);
	s->blocks = get_u64(c);
	s->bfree = get_u64(c);
	s->bavail = get_u64(c);
	s->files = get_u64(c);
	s->ffree = get_u64(c);
	s->fsid = get_u64(c);
	s->namelen = get_u32(c);
}

static void get_rgetattr(struct rcur *c, struct p9_attr *a)
{
	a->valid = get_u64(c);
	a->qid = get_qid(c);
	a->mode = get_u32(c);
	a->uid = get_u32(c);
	a->gid = get_u32(c);
	a->nlink = get_u64(c);
	a->rdev = get_u64(c);
	a->size = get_u64(c);
	a->blksize = get_u64(c);
	a->blocks = get_u64(c);
	a->atime_sec = get_u64(c);
	a->atime_nsec = get_u64(c);
	a->mtime_sec = get_u64(c);
	a->mtime_nsec = get_u64(c);
	a->ctime_sec = get_u64(c);
	a->ctime_nsec = get_u64(c);
	a->btime_sec = get_u64(c);
	a->btime_nsec = get_u64(c);
	a->gen = get_u64(c);
	a->data_version = get_u64(c);
}

/* Returns -EPROTO for a type a client never receives. */
static int get_reply(struct rcur *c, struct p9_msg *m)
{
	switch (m->type) {
	case P9_RVERSION:
		m->u.version.msize = get_u32(c);
		m->u.version.version = get_str(c);
		break;
	case P9_RAUTH:
		m->u.rauth.aqid = get_qid(c);
		break;
	case P9_RATTACH:
		m->u.rattach.qid = get_qid(c);
		break;
	case P9_RLERROR:
		m->u.rlerror.ecode = get_u32(c);
		break;
	case P9_RWALK:
		get_rwalk(c, m);
		break;
	case P9_RREAD:
		m->u.rread.count = get_u32(c);
		m->u.rread.data = get_payload(c, m->u.rread.count);
		break;
	case P9_RWRITE:
		m->u.rwrite.count = get_u32(c);
		break;
	case P9_RSTATFS:
		get_rstatfs(c, &m->u.rstatfs);
		break;
	case P9_RLOPEN:
		m->u.rlopen.qid = get_qid(c);
		m->u.rlopen.iounit = get_u32(c);
		break;
	case P9_RLCREATE:
		m->u.rlcreate.qid = get_qid(c);
		m->u.rlcreate.iounit = get_u32(c);
		break;
	case P9_RSYMLINK:
		m->u.rsymlink.qid = get_qid(c);
		break;
	case P9_RMKNOD:
		m->u.rmknod.qid = get_qid(c);
		break;
	case P9_RREADLINK:
		m->u.rreadlink.target = get_str(c);
		break;
	case P9_RGETATTR:
		get_rgetattr(c, &m->u.rgetattr);
		break;
	case P9_RXATTRWALK:
		m->u.rxattrwalk.size = get_u64(c);
		break;
	case P9_RREADDIR:
		m->u.rreaddir.count = get_u32(c);
		m->u.rreaddir.data = get_payload(c, m->u.rreaddir.count);
		break;
	case P9_RLOCK:
		m->u.rlock.status = get_u8(c);
		break;
	case P9_RGETLOCK:
		get_flock(c, &m->u.rgetlock, false);
		break;
	case P9_RMKDIR:
		m->u.rmkdir.qid = get_qid(c);
		break;
	case P9_RFLUSH: case P9_RCLUNK: case P9_RREMOVE: case P9_RRENAME:
	case P9_RSETATTR: case P9_RXATTRCREATE: case P9_RFSYNC: case P9_RLINK:
	case P9_RRENAMEAT: case P9_RUNLINKAT:
		break;        /* no body */
	default:
		return -EPROTO;
	}
	return 0;
}

/* ---- decoders --------------------------------------------------------- */

/* A failed decode leaves only the header, so no half-read field is used. */
static void clear_body(struct p9_msg *m)
{
	uint8_t type = m->type;
	uint16_t tag = m->tag;

	memset(m, 0, sizeof(*m));
	m->type = type;
	m->tag = tag;
}

static int decode(const uint8_t *buf, size_t len, uint32_t msize, struct p9_msg *out,
		  bool request)
{
	struct rcur c;
	int rc;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	rc = check_frame(buf, len, msize, out);
	if (rc < 0)
		return rc;
	c.p = buf + P9_HDRSZ;
	c.end = buf + len;
	c.err = 0;
	rc = request ? get_request(&c, out, msize) : get_reply(&c, out);
	if (rc == 0)
		rc = c.err ? c.err : rleft(&c) ? -EBADMSG : 0;
	if (rc < 0)
		clear_body(out);
	return rc;
}

int p9_decode_request(const uint8_t *buf, size_t len, uint32_t msize, struct p9_msg *out)
{
	return decode(buf, len, msize, out, true);
}

int p9_decode_reply(const uint8_t *buf, size_t len, uint32_t msize, struct p9_msg *out)
{
	return decode(buf, len, msize, out, false);
}

/* ---- encoder ---------------------------------------------------------- */

/* Where the payload of a data-carrying message starts, or 0 if the type has
 * none. */
static size_t payload_offset(uint8_t type)
{
	switch (type) {
	case P9_RREAD:
	case P9_RREADDIR:
		return P9_RREAD_HDRSZ;                  /* hdr count[4] */
	case P9_TWRITE:
		return P9_HDRSZ + 4 + 8 + 4;            /* hdr fid offset count */
	}
	return 0;
}

/* Move the payload into place before anything else is written, so a payload
 * that overlaps the header area of buf is not clobbered by the header. */
static int place_payload(const struct p9_msg *m, uint8_t *buf, size_t cap)
{
	size_t off = payload_offset(m->type);
	const uint8_t *data;
	uint32_t count;

	if (!off)
		return 0;
	if (m->type == P9_TWRITE) {
		data = m->u.twrite.data;
		count = m->u.twrite.count;
	} else if (m->type == P9_RREAD) {
		data = m->u.rread.data;
		count = m->u.rread.count;
	} else {
		data = m->u.rreaddir.data;
		count = m->u.rreaddir.count;
	}
	if (count && !data)
		return -EINVAL;
	if (cap < off || cap - off < count)
		return -EMSGSIZE;
	if (count)
		memmove(buf + off, data, count);
	return 0;
}

static void put_twalk(struct wcur *c, const struct p9_msg *m)
{
	put_u32(c, m->u.twalk.fid);
	put_u32(c, m->u.twalk.newfid);
	put_u16(c, m->u.twalk.nwname);
	for (unsigned i = 0; i < m->u.twalk.nwname; i++)
		put_str(c, m->u.twalk.wnames[i]);
}

static void put_tsetattr(struct wcur *c, const struct p9_msg *m)
{
	const struct p9_iattr *a = &m->u.tsetattr.attr;

	put_u32(c, m->u.tsetattr.fid);
	put_u32(c, a->valid);
	put_u32(c, a->mode);
	put_u32(c, a->uid);
	put_u32(c, a->gid);
	put_u64(c, a->size);
	put_u64(c, a->atime_sec);
	put_u64(c, a->atime_nsec);
	put_u64(c, a->mtime_sec);
	put_u64(c, a->mtime_nsec);
}

static int put_request(struct wcur *c, const struct p9_msg *m)
{
	switch (m->type) {
	case P9_TVERSION:
		put_u32(c, m->u.version.msize);
		put_str(c, m->u.version.version);
		break;
	case P9_TAUTH:
		put_u32(c, m->u.tauth.afid);
		put_str(c, m->u.tauth.uname);
		put_str(c, m->u.tauth.aname);
		put_u32(c, m->u.tauth.n_uname);
		break;
	case P9_TATTACH:
		put_u32(c, m->u.tattach.fid);
		put_u32(c, m->u.tattach.afid);
		put_str(c, m->u.tattach.uname);
		put_str(c, m->u.tattach.aname);
		put_u32(c, m->u.tattach.n_uname);
		break;
	case P9_TFLUSH:
		put_u16(c, m->u.tflush.oldtag);
		break;
	case P9_TWALK:
		if (m->u.twalk.nwname > P9_MAXWELEM)
			return -EINVAL;
		put_twalk(c, m);
		break;
	case P9_TREAD:
		put_u32(c, m->u.tread.fid);
		put_u64(c, m->u.tread.offset);
		put_u32(c, m->u.tread.count);
		break;
	case P9_TWRITE:
		put_u32(c, m->u.twrite.fid);
		put_u64(c, m->u.twrite.offset);
		put_u32(c, m->u.twrite.count);
		wtake(c, m->u.twrite.count);       /* already placed */
		break;
	case P9_TCLUNK:
		put_u32(c, m->u.tclunk.fid);
		break;
	case P9_TREMOVE:
		put_u32(c, m->u.tremove.fid);
		break;
	case P9_TSTATFS:
		put_u32(c, m->u.tstatfs.fid);
		break;
	case P9_TLOPEN:
		put_u32(c, m->u.tlopen.fid);
		put_u32(c, m->u.tlopen.flags);
		break;
	case P9_TLCREATE:
		put_u32(c, m->u.tlcreate.fid);
		put_str(c, m->u.tlcreate.name);
		put_u32(c, m->u.tlcreate.flags);
		put_u32(c, m->u.tlcreate.mode);
		put_u32(c, m->u.tlcreate.gid);
		break;
	case P9_TSYMLINK:
		put_u32(c, m->u.tsymlink.fid);
		put_str(c, m->u.tsymlink.name);
		put_str(c, m->u.tsymlink.symtgt);
		put_u32(c, m->u.tsymlink.gid);
		break;
	case P9_TMKNOD:
		put_u32(c, m->u.tmknod.dfid);
		put_str(c, m->u.tmknod.name);
		put_u32(c, m->u.tmknod.mode);
		put_u32(c, m->u.tmknod.major);
		put_u32(c, m->u.tmknod.minor);
		put_u32(c, m->u.tmknod.gid);
		break;
	case P9_TRENAME:
		put_u32(c, m->u.trename.fid);
		put_u32(c, m->u.trename.dfid);
		put_str(c, m->u.trename.name);
		break;
	case P9_TREADLINK:
		put_u32(c, m->u.treadlink.fid);
		break;
	case P9_TGETATTR:
		put_u32(c, m->u.tgetattr.fid);
		put_u64(c, m->u.tgetattr.request_mask);
		break;
	case P9_TSETATTR:
		put_tsetattr(c, m);
		break;
	case P9_TXATTRWALK:
		put_u32(c, m->u.txattrwalk.fid);
		put_u32(c, m->u.txattrwalk.newfid);
		put_str(c, m->u.txattrwalk.name);
		break;
	case P9_TXATTRCREATE:
		put_u32(c, m->u.txattrcreate.fid);
		put_str(c, m->u.txattrcreate.name);
		put_u64(c, m->u.txattrcreate.attr_size);
		put_u32(c, m->u.txattrcreate.flags);
		break;
	case P9_TREADDIR:
		put_u32(c, m->u.treaddir.fid);
		put_u64(c, m->u.treaddir.offset);
		put_u32(c, m->u.treaddir.count);
		break;
	case P9_TFSYNC:
		put_u32(c, m->u.tfsync.fid);
		put_u32(c, m->u.tfsync.datasync);
		break;
	case P9_TLOCK:
		put_u32(c, m->u.tlock.fid);
		put_flock(c, &m->u.tlock.lock, true);
		break;
	case P9_TGETLOCK:
		put_u32(c, m->u.tgetlock.fid);
		put_flock(c, &m->u.tgetlock.lock, false);
		break;
	case P9_TLINK:
		put_u32(c, m->u.tlink.dfid);
		put_u32(c, m->u.tlink.fid);
		put_str(c, m->u.tlink.name);
		break;
	case P9_TMKDIR:
		put_u32(c, m->u.tmkdir.dfid);
		put_str(c, m->u.tmkdir.name);
		put_u32(c, m->u.tmkdir.mode);
		put_u32(c, m->u.tmkdir.gid);
		break;
	case P9_TRENAMEAT:
		put_u32(c, m->u.trenameat.olddirfid);
		put_str(c, m->u.trenameat.oldname);
		put_u32(c, m->u.trenameat.newdirfid);
		put_str(c, m->u.trenameat.newname);
		break;
	case P9_TUNLINKAT:
		put_u32(c, m->u.tunlinkat.dirfid);
		put_str(c, m->u.tunlinkat.name);
		put_u32(c, m->u.tunlinkat.flags);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static void put_rstatfs(struct wcur *c, const struct p9_statfs *s)
{
	put_u32(c, s->type);
	put_u32(c, s->bsize);
	put_u64(c, s->blocks);
	put_u64(c, s->bfree);
	put_u64(c, s->bavail);
	put_u64(c, s->files);
	put_u64(c, s->ffree);
	put_u64(c, s->fsid);
	put_u32(c, s->namelen);
}

static void put_rgetattr(struct wcur *c, const struct p9_attr *a)
{
	put_u64(c, a->valid);
	put_qid(c, &a->qid);
	put_u32(c, a->mode);
	put_u32(c, a->uid);
	put_u32(c, a->gid);
	put_u64(c, a->nlink);
	put_u64(c, a->rdev);
	put_u64(c, a->size);
	put_u64(c, a->blksize);
	put_u64(c, a->blocks);
	put_u64(c, a->atime_sec);
	put_u64(c, a->atime_nsec);
	put_u64(c, a->mtime_sec);
	put_u64(c, a->mtime_nsec);
	put_u64(c, a->ctime_sec);
	put_u64(c, a->ctime_nsec);
	put_u64(c, a->btime_sec);
	put_u64(c, a->btime_nsec);
	put_u64(c, a->gen);
	put_u64(c, a->data_version);
}

static int put_reply(struct wcur *c, const struct p9_msg *m)
{
	switch (m->type) {
	case P9_RVERSION:
		put_u32(c, m->u.version.msize);
		put_str(c, m->u.version.version);
		break;
	case P9_RAUTH:
		put_qid(c, &m->u.rauth.aqid);
		break;
	case P9_RATTACH:
		put_qid(c, &m->u.rattach.qid);
		break;
	case P9_RLERROR:
		put_u32(c, m->u.rlerror.ecode);
		break;
	case P9_RWALK:
		if (m->u.rwalk.nwqid > P9_MAXWELEM)
			return -EINVAL;
		put_u16(c, m->u.rwalk.nwqid);
		for (unsigned i = 0; i < m->u.rwalk.nwqid; i++)
			put_qid(c, &m->u.rwalk.wqids[i]);
		break;
	case P9_RREAD:
		put_u32(c, m->u.rread.count);
		wtake(c, m->u.rread.count);        /* already placed */
		break;
	case P9_RWRITE:
		put_u32(c, m->u.rwrite.count);
		break;
	case P9_RSTATFS:
		put_rstatfs(c, &m->u.rstatfs);
		break;
	case P9_RLOPEN:
		put_qid(c, &m->u.rlopen.qid);
		put_u32(c, m->u.rlopen.iounit);
		break;
	case P9_RLCREATE:
		put_qid(c, &m->u.rlcreate.qid);
		put_u32(c, m->u.rlcreate.iounit);
		break;
	case P9_RSYMLINK:
		put_qid(c, &m->u.rsymlink.qid);
		break;
	case P9_RMKNOD:
		put_qid(c, &m->u.rmknod.qid);
		break;
	case P9_RREADLINK:
		put_str(c, m->u.rreadlink.target);
		break;
	case P9_RGETATTR:
		put_rgetattr(c, &m->u.rgetattr);
		break;
	case P9_RXATTRWALK:
		put_u64(c, m->u.rxattrwalk.size);
		break;
	case P9_RREADDIR:
		put_u32(c, m->u.rreaddir.count);
		wtake(c, m->u.rreaddir.count);     /* already placed */
		break;
	case P9_RLOCK:
		put_u8(c, m->u.rlock.status);
		break;
	case P9_RGETLOCK:
		put_flock(c, &m->u.rgetlock, false);
		break;
	case P9_RMKDIR:
		put_qid(c, &m->u.rmkdir.qid);
		break;
	case P9_RFLUSH: case P9_RCLUNK: case P9_RREMOVE: case P9_RRENAME:
	case P9_RSETATTR: case P9_RXATTRCREATE: case P9_RFSYNC: case P9_RLINK:
	case P9_RRENAMEAT: case P9_RUNLINKAT:
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

int p9_encode(const struct p9_msg *m, uint8_t *buf, size_t cap)
{
	struct wcur c;
	size_t len;
	int rc;

	if (!m)
		return -EINVAL;
	if (!p9_is_request(m->type) && !is_reply(m->type))
		return -EINVAL;
	if (!buf)
		return -EMSGSIZE;       /* nothing fits in no buffer */
	rc = place_payload(m, buf, cap);
	if (rc < 0)
		return rc;
	c.p = buf;
	c.end = buf + cap;
	c.err = 0;
	put_u32(&c, 0);                 /* size, filled in below */
	put_u8(&c, m->type);
	put_u16(&c, m->tag);
	rc = p9_is_request(m->type) ? put_request(&c, m) : put_reply(&c, m);
	if (rc < 0)
		return rc;
	if (c.err)
		return c.err;
	len = (size_t)(c.p - buf);
	if (len > (size_t)INT32_MAX)    /* the return value must carry it */
		return -EMSGSIZE;
	wr32(buf, (uint32_t)len);
	return (int)len;
}

/* ---- dirents and strings ---------------------------------------------- */

#define P9_DIRENT_FIXED (P9_QIDSZ + 8 + 1 + 2)

int p9_dirent_put(uint8_t *buf, size_t cap, const struct p9_qid *qid, uint64_t offset,
		  uint8_t type, const char *name, uint16_t namelen)
{
	struct wcur c;

	if (!qid || (namelen && !name))
		return -EINVAL;
	if (!buf || cap < P9_DIRENT_FIXED + (size_t)namelen)
		return -ENOSPC;
	c.p = buf;
	c.end = buf + cap;
	c.err = 0;
	put_qid(&c, qid);
	put_u64(&c, offset);
	put_u8(&c, type);
	put_str(&c, (struct p9_str){ namelen, name });
	if (c.err)      /* cannot happen after the size check; keep it honest */
		return -ENOSPC;
	return (int)(c.p - buf);
}

int p9_dirent_next(const uint8_t *data, size_t len, size_t *pos, struct p9_dirent *out)
{
	struct rcur c;

	if (!pos || !out || (!data && len))
		return -EINVAL;
	if (*pos > len)
		return -EINVAL;
	if (*pos == len)
		return 0;
	c.p = data + *pos;
	c.end = data + len;
	c.err = 0;
	out->qid = get_qid(&c);
	out->offset = get_u64(&c);
	out->type = get_u8(&c);
	out->name = get_str(&c);
	if (c.err)
		return c.err;
	*pos = (size_t)(c.p - data);
	return 1;
}

int p9_str_copy(char *dst, size_t cap, struct p9_str s)
{
	if (!dst || (s.len && !s.s))
		return -EINVAL;
	if (cap <= s.len)
		return -ENAMETOOLONG;
	if (s.len && memchr(s.s, '\0', s.len))
		return -EINVAL;
	if (s.len)
		memcpy(dst, s.s, s.len);
	dst[s.len] = '\0';
	return 0;
}

struct p9_str p9_str_of(const char *s)
{
	struct p9_str r = { 0, NULL };
	size_t n;

	if (!s)
		return r;
	n = strlen(s);
	r.len = n > UINT16_MAX ? UINT16_MAX : (uint16_t)n;
	r.s = r.len ? s : NULL;
	return r;
}
