#include "dispatch.h"
#include "conn.h"
#include "ops.h"
#include "trace.h"
#include "workers.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

static const op_fn ops[256] = {
	[P9_TAUTH] = op_auth,
	[P9_TATTACH] = op_attach,
	[P9_TWALK] = op_walk,
	[P9_TCLUNK] = op_clunk,
	[P9_TREMOVE] = op_remove,
	[P9_TLOPEN] = op_lopen,
	[P9_TLCREATE] = op_lcreate,
	[P9_TREAD] = op_read,
	[P9_TWRITE] = op_write,
	[P9_TFSYNC] = op_fsync,
	[P9_TGETATTR] = op_getattr,
	[P9_TSETATTR] = op_setattr,
	[P9_TSTATFS] = op_statfs,
	[P9_TREADDIR] = op_readdir,
	[P9_TMKDIR] = op_mkdir,
	[P9_TSYMLINK] = op_symlink,
	[P9_TMKNOD] = op_mknod,
	[P9_TLINK] = op_link,
	[P9_TRENAME] = op_rename,
	[P9_TRENAMEAT] = op_renameat,
	[P9_TUNLINKAT] = op_unlinkat,
	[P9_TREADLINK] = op_readlink,
	[P9_TXATTRWALK] = op_xattrwalk,
	[P9_TXATTRCREATE] = op_xattrcreate,
	[P9_TLOCK] = op_lock,
	[P9_TGETLOCK] = op_getlock,
};

static uint32_t run(struct req *r)
{
	struct conn *c = r->conn;
	uint32_t msize = atomic_load(&c->msize);
	struct p9_msg m, rep;
	int rc = p9_decode_request(r->in, r->in_len, msize, &m);
	if (rc < 0)
		return req_rlerror(r, -rc);
	if (c->cfg->debug)
		trace_request(&m);
	op_fn fn = ops[m.type];
	if (!fn)
		return req_rlerror(r, EOPNOTSUPP);
	struct op_ctx x = {
		.cfg = c->cfg, .exp = c->exp, .fids = &c->fids,
		.out = r->out, .out_cap = r->out_cap, .msize = msize,
		.pass_fds = atomic_load(&c->pass_fds), .pass_fd = &r->pass_fd,
	};
	memset(&rep.u, 0, sizeof rep.u);
	rep.type = (uint8_t)(m.type + 1);
	rep.tag = m.tag;
	rc = fn(&x, &m, &rep);
	int n = rc < 0 ? rc : p9_encode(&rep, r->out, r->out_cap);
	if (n < 0) {
		if (r->pass_fd >= 0) {   /* only a success carries one */
			close(r->pass_fd);
			r->pass_fd = -1;
		}
		return req_rlerror(r, -n);
	}
	if (c->cfg->debug)
		trace_reply(&rep);
	return (uint32_t)n;
}

static void work_fn(struct work *w)
{
	struct req *r = (struct req *)w;
	if (!conn_start(r)) {
		conn_reply(r, 0);
		return;
	}
	conn_reply(r, run(r));
}

void dispatch_submit(struct req *r)
{
	r->work.fn = work_fn;
	workers_submit(&r->work);
}

static uint32_t le32_at(const struct req *r, uint32_t off)
{
	const uint8_t *p = r->in + off;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Ops that touch only metadata or a little data, never wait on a device
 * or a peer for long: running them on the loop thread saves the hand-off
 * to a worker, which costs more than the op itself.  fsync, big I/O and
 * truncation (it may free many blocks) always go to the pool. */
static bool is_short(const struct req *r)
{
	switch (r->type) {
	case P9_TREAD:
	case P9_TREADDIR:
		return r->in_len >= 23 && le32_at(r, 19) <= DISPATCH_INLINE_IO;
	case P9_TWRITE:
		return r->in_len <= 23 + DISPATCH_INLINE_IO;
	case P9_TSETATTR:
		return r->in_len >= 15 && !(le32_at(r, 11) & P9_SETATTR_SIZE);
	case P9_TFSYNC:
		return false;
	default:
		return true;    /* every other op is metadata */
	}
}

/* Short requests framed in this loop iteration, oldest first (one list
 * per event loop thread). */
static __thread struct work *batch_head, *batch_tail;

void dispatch_request(struct req *r)
{
	if (!is_short(r)) {
		dispatch_submit(r);
		return;
	}
	r->work.fn = work_fn;
	r->work.next = NULL;
	if (batch_tail)
		batch_tail->next = &r->work;
	else
		batch_head = &r->work;
	batch_tail = &r->work;
}

size_t dispatch_run_batch(void)
{
	struct work *w = batch_head;
	size_t n = 0;
	batch_head = batch_tail = NULL;
	for (; w; n++) {
		struct work *next = w->next;
		work_fn(w);
		w = next;
	}
	return n;
}
