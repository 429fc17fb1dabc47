#include "trace.h"
#include "log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct line {
	char buf[1024];
	size_t len;
};

__attribute__((format(printf, 2, 3)))
static void put(struct line *l, const char *fmt, ...)
{
	if (l->len >= sizeof l->buf - 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(l->buf + l->len, sizeof l->buf - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n;
	if (l->len > sizeof l->buf - 1)
		l->len = sizeof l->buf - 1;
}

/* A quoted name, bytes outside printable ASCII escaped, cut at 64. */
static void put_str(struct line *l, struct p9_str s)
{
	put(l, " '");
	for (uint16_t i = 0; i < s.len && i < 64; i++) {
		unsigned char ch = (unsigned char)s.s[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\'' && ch != '\\')
			put(l, "%c", ch);
		else
			put(l, "\\x%02x", ch);
	}
	put(l, s.len > 64 ? "'..." : "'");
}

static void put_qid(struct line *l, const char *what, const struct p9_qid *q)
{
	put(l, " %s %02x.%" PRIx64 ".%" PRIx32, what, q->type, q->path, q->version);
}

static void request_body(struct line *l, const struct p9_msg *m)
{
	switch (m->type) {
	case P9_TVERSION:
		put(l, " msize %" PRIu32, m->u.version.msize);
		put_str(l, m->u.version.version);
		break;
	case P9_TAUTH:
		put(l, " afid %" PRIu32 " n_uname %" PRIu32, m->u.tauth.afid, m->u.tauth.n_uname);
		put_str(l, m->u.tauth.uname);
		put_str(l, m->u.tauth.aname);
		break;
	case P9_TATTACH:
		put(l, " fid %" PRIu32 " afid %" PRId32 " n_uname %" PRIu32, m->u.tattach.fid,
		    (int32_t)m->u.tattach.afid, m->u.tattach.n_uname);
		put_str(l, m->u.tattach.uname);
		put_str(l, m->u.tattach.aname);
		break;
	case P9_TFLUSH:
		put(l, " oldtag %u", m->u.tflush.oldtag);
		break;
	case P9_TWALK:
		put(l, " fid %" PRIu32 " newfid %" PRIu32 " nwname %u", m->u.twalk.fid,
		    m->u.twalk.newfid, m->u.twalk.nwname);
		for (uint16_t i = 0; i < m->u.twalk.nwname; i++)
			put_str(l, m->u.twalk.wnames[i]);
		break;
	case P9_TREAD:
	case P9_TREADDIR:
		put(l, " fid %" PRIu32 " offset %" PRIu64 " count %" PRIu32, m->u.tread.fid,
		    m->u.tread.offset, m->u.tread.count);
		break;
	case P9_TWRITE:
		put(l, " fid %" PRIu32 " offset %" PRIu64 " count %" PRIu32, m->u.twrite.fid,
		    m->u.twrite.offset, m->u.twrite.count);
		break;
	case P9_TLOPEN:
		put(l, " fid %" PRIu32 " flags 0%" PRIo32, m->u.tlopen.fid, m->u.tlopen.flags);
		break;
	case P9_TLCREATE:
		put(l, " fid %" PRIu32, m->u.tlcreate.fid);
		put_str(l, m->u.tlcreate.name);
		put(l, " flags 0%" PRIo32 " mode 0%" PRIo32 " gid %" PRIu32, m->u.tlcreate.flags,
		    m->u.tlcreate.mode, m->u.tlcreate.gid);
		break;
	case P9_TMKDIR:
		put(l, " dfid %" PRIu32, m->u.tmkdir.dfid);
		put_str(l, m->u.tmkdir.name);
		put(l, " mode 0%" PRIo32 " gid %" PRIu32, m->u.tmkdir.mode, m->u.tmkdir.gid);
		break;
	case P9_TSYMLINK:
		put(l, " fid %" PRIu32, m->u.tsymlink.fid);
		put_str(l, m->u.tsymlink.name);
		put_str(l, m->u.tsymlink.symtgt);
		break;
	case P9_TMKNOD:
		put(l, " dfid %" PRIu32, m->u.tmknod.dfid);
		put_str(l, m->u.tmknod.name);
		put(l, " mode 0%" PRIo32 " %" PRIu32 ":%" PRIu32, m->u.tmknod.mode,
		    m->u.tmknod.major, m->u.tmknod.minor);
		break;
	case P9_TGETATTR:
		put(l, " fid %" PRIu32 " mask 0x%" PRIx64, m->u.tgetattr.fid,
		    m->u.tgetattr.request_mask);
		break;
	case P9_TSETATTR:
		put(l, " fid %" PRIu32 " valid 0x%" PRIx32, m->u.tsetattr.fid,
		    m->u.tsetattr.attr.valid);
		break;
	case P9_TRENAMEAT:
		put(l, " olddirfid %" PRIu32, m->u.trenameat.olddirfid);
		put_str(l, m->u.trenameat.oldname);
		put(l, " newdirfid %" PRIu32, m->u.trenameat.newdirfid);
		put_str(l, m->u.trenameat.newname);
		break;
	case P9_TUNLINKAT:
		put(l, " dirfid %" PRIu32, m->u.tunlinkat.dirfid);
		put_str(l, m->u.tunlinkat.name);
		put(l, " flags 0x%" PRIx32, m->u.tunlinkat.flags);
		break;
	case P9_TRENAME:
		put(l, " fid %" PRIu32 " dfid %" PRIu32, m->u.trename.fid, m->u.trename.dfid);
		put_str(l, m->u.trename.name);
		break;
	case P9_TLINK:
		put(l, " dfid %" PRIu32 " fid %" PRIu32, m->u.tlink.dfid, m->u.tlink.fid);
		put_str(l, m->u.tlink.name);
		break;
	case P9_TXATTRWALK:
		put(l, " fid %" PRIu32 " newfid %" PRIu32, m->u.txattrwalk.fid, m->u.txattrwalk.newfid);
		put_str(l, m->u.txattrwalk.name);
		break;
	case P9_TXATTRCREATE:
		put(l, " fid %" PRIu32, m->u.txattrcreate.fid);
		put_str(l, m->u.txattrcreate.name);
		put(l, " size %" PRIu64 " flags %" PRIu32, m->u.txattrcreate.attr_size,
		    m->u.txattrcreate.flags);
		break;
	case P9_TLOCK:
	case P9_TGETLOCK:
		put(l, " fid %" PRIu32 " type %u start %" PRIu64 " length %" PRIu64, m->u.tlock.fid,
		    m->u.tlock.lock.type, m->u.tlock.lock.start, m->u.tlock.lock.length);
		break;
	case P9_TFSYNC:
		put(l, " fid %" PRIu32 " datasync %" PRIu32, m->u.tfsync.fid, m->u.tfsync.datasync);
		break;
	default:      /* the rest carry one fid first */
		put(l, " fid %" PRIu32, m->u.tclunk.fid);
		break;
	}
}

static void reply_body(struct line *l, const struct p9_msg *m)
{
	switch (m->type) {
	case P9_RLERROR:
		put(l, " ecode %" PRIu32 " (%s)", m->u.rlerror.ecode, strerror((int)m->u.rlerror.ecode));
		break;
	case P9_RVERSION:
		put(l, " msize %" PRIu32, m->u.version.msize);
		put_str(l, m->u.version.version);
		break;
	case P9_RATTACH:
		put_qid(l, "qid", &m->u.rattach.qid);
		break;
	case P9_RWALK:
		put(l, " nwqid %u", m->u.rwalk.nwqid);
		break;
	case P9_RREAD:
	case P9_RREADDIR:
		put(l, " count %" PRIu32, m->u.rread.count);
		break;
	case P9_RWRITE:
		put(l, " count %" PRIu32, m->u.rwrite.count);
		break;
	case P9_RLOPEN:
	case P9_RLCREATE:
		put_qid(l, "qid", &m->u.rlopen.qid);
		put(l, " iounit %" PRIu32, m->u.rlopen.iounit);
		break;
	case P9_RMKDIR:
	case P9_RSYMLINK:
	case P9_RMKNOD:
		put_qid(l, "qid", &m->u.rmkdir.qid);
		break;
	case P9_RGETATTR:
		put(l, " mode 0%" PRIo32 " size %" PRIu64, m->u.rgetattr.mode, m->u.rgetattr.size);
		break;
	case P9_RXATTRWALK:
		put(l, " size %" PRIu64, m->u.rxattrwalk.size);
		break;
	case P9_RLOCK:
		put(l, " status %u", m->u.rlock.status);
		break;
	case P9_RREADLINK:
		put_str(l, m->u.rreadlink.target);
		break;
	default:
		break;
	}
}

static void emit(const char *dir, const struct p9_msg *m, void (*body)(struct line *, const struct p9_msg *))
{
	struct line l = { .len = 0 };
	const char *name = p9_type_name(m->type);
	if (name)
		put(&l, "%s %s tag %u", dir, name, m->tag);
	else
		put(&l, "%s type %u tag %u", dir, m->type, m->tag);
	body(&l, m);
	l.buf[l.len] = '\0';
	log_msg(LOG_LVL_DEBUG, "%s", l.buf);
}

void trace_request(const struct p9_msg *m)
{
	emit("<-", m, request_body);
}

void trace_reply(const struct p9_msg *m)
{
	emit("->", m, reply_body);
}
