/* Protocol attacks on raw sockets: messages larger than msize, sizes and
 * counts that lie, huge counts and offsets, unknown and wrong-direction
 * types, messages before Tversion; then fid and connection floods.  Each
 * must get an Rlerror or a closed connection (promptly: a server waiting
 * for 2 GiB that will never come fails), and no reply may exceed msize. */
#include "attack.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>

enum outcome { O_TIMEOUT, O_TOO_BIG, O_CLOSED, O_ERROR, O_REPLY };

static uint8_t rbuf[SEC_MSIZE];
static uint16_t tag_seq = 1;

static enum outcome read_outcome(int fd, uint8_t *type)
{
	int n = raw_recv(fd, rbuf, sizeof rbuf, 3000);
	if (n == -ETIMEDOUT)
		return O_TIMEOUT;
	if (n == -EMSGSIZE)
		return O_TOO_BIG;
	if (n <= 0)
		return O_CLOSED;
	*type = rbuf[4];
	return *type == P9_RLERROR ? O_ERROR : O_REPLY;
}

/* The answer to an attack: an Rlerror or a close (or, when allowed, an
 * ordinary reply).  Returns the outcome. */
static enum outcome expect_refusal(int fd, const char *what, bool reply_ok)
{
	uint8_t type = 0;
	enum outcome o = read_outcome(fd, &type);
	CHECK(o != O_TIMEOUT, "%s: neither an answer nor a close in 3 s", what);
	CHECK(o != O_TOO_BIG, "%s: a reply larger than msize", what);
	CHECK(o != O_REPLY || reply_ok, "%s: answered with type %u, not an error", what, type);
	return o;
}

static int encode(struct p9_msg *m, uint8_t *buf, size_t cap)
{
	m->tag = tag_seq++;
	if (tag_seq == P9_NOTAG)
		tag_seq = 1;
	return p9_encode(m, buf, cap);
}

/* Send m with bytes [off, off+len) replaced. */
static int send_patched(int fd, struct p9_msg *m, size_t off, const void *patch, size_t len)
{
	uint8_t buf[SEC_MSIZE * 2];
	int n = encode(m, buf, sizeof buf);
	if (n < 0 || off + len > (size_t)n)
		return -EINVAL;
	memcpy(buf + off, patch, len);
	return raw_send(fd, buf, (size_t)n);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Send a well-formed request and expect a non-error reply. */
static bool rpc_ok(int fd, struct p9_msg *m)
{
	uint8_t buf[SEC_MSIZE];
	int n = encode(m, buf, sizeof buf);
	uint8_t type;
	return n > 0 && raw_send(fd, buf, (size_t)n) == 0 && read_outcome(fd, &type) == O_REPLY &&
	       type == m->type + 1;
}

/* A versioned connection with fid 1 = root, 2 = victim.txt open RDWR,
 * 3 = the root open as a directory. */
static int raw_session(struct sec_env *e)
{
	int fd = raw_connect(e, true);
	if (fd < 0)
		return fd;
	struct p9_msg m = { .type = P9_TATTACH };
	m.u.tattach.fid = 1;
	m.u.tattach.afid = P9_NOFID;
	m.u.tattach.uname = p9_str_of("root");
	m.u.tattach.aname = p9_str_of(e->export);
	m.u.tattach.n_uname = 0;
	bool ok = rpc_ok(fd, &m);
	m = (struct p9_msg){ .type = P9_TWALK };
	m.u.twalk.fid = 1;
	m.u.twalk.newfid = 2;
	m.u.twalk.nwname = 1;
	m.u.twalk.wnames[0] = p9_str_of("victim.txt");
	ok = ok && rpc_ok(fd, &m);
	m = (struct p9_msg){ .type = P9_TLOPEN };
	m.u.tlopen.fid = 2;
	m.u.tlopen.flags = P9_DOTL_RDWR;
	ok = ok && rpc_ok(fd, &m);
	m = (struct p9_msg){ .type = P9_TWALK };
	m.u.twalk.fid = 1;
	m.u.twalk.newfid = 3;
	ok = ok && rpc_ok(fd, &m);
	m = (struct p9_msg){ .type = P9_TLOPEN };
	m.u.tlopen.fid = 3;
	m.u.tlopen.flags = P9_DOTL_RDONLY;
	ok = ok && rpc_ok(fd, &m);
	if (!ok) {
		close(fd);
		return -EPROTO;
	}
	return fd;
}

/* ---- the cases: each gets a fresh session ---- */

static void c_size_over_msize(int fd)
{
	uint8_t buf[SEC_MSIZE + 64] = { 0 };
	put32(buf, SEC_MSIZE + 64);
	buf[4] = P9_TWRITE;
	raw_send(fd, buf, sizeof buf);
	expect_refusal(fd, "size > msize", false);
}

static void c_size_huge(int fd)
{
	uint8_t buf[7] = { 0xff, 0xff, 0xff, 0x7f, P9_TREAD, 1, 0 };
	raw_send(fd, buf, sizeof buf);
	expect_refusal(fd, "size 0x7fffffff", false);
}

static void c_size_tiny(int fd)
{
	uint8_t buf[7] = { 3, 0, 0, 0, P9_TCLUNK, 1, 0 };
	raw_send(fd, buf, sizeof buf);
	expect_refusal(fd, "size 3", false);
}

static void c_size_zero(int fd)
{
	uint8_t buf[8] = { 0 };
	raw_send(fd, buf, sizeof buf);
	expect_refusal(fd, "size 0", false);
}

static void c_walk_nwname_lies(int fd)
{
	struct p9_msg m = { .type = P9_TWALK };
	m.u.twalk.fid = 1;
	m.u.twalk.newfid = 10;
	m.u.twalk.nwname = 1;
	m.u.twalk.wnames[0] = p9_str_of("sub");
	uint8_t n[2] = { 16, 0 };
	send_patched(fd, &m, 15, n, 2);
	expect_refusal(fd, "Twalk nwname 16 with one name", false);
}

static void c_walk_17(int fd)
{
	uint8_t buf[7 + 4 + 4 + 2 + 17 * 3];
	size_t n = 0;
	put32(buf, sizeof buf);
	buf[4] = P9_TWALK;
	buf[5] = 7;
	buf[6] = 0;
	n = 7;
	put32(buf + n, 1);
	put32(buf + n + 4, 11);
	n += 8;
	buf[n++] = 17;
	buf[n++] = 0;
	for (int i = 0; i < 17; i++) {
		buf[n++] = 1;
		buf[n++] = 0;
		buf[n++] = '.';
	}
	raw_send(fd, buf, n);
	expect_refusal(fd, "Twalk with 17 names", false);
}

static void c_attach_strlen_lies(int fd)
{
	struct p9_msg m = { .type = P9_TATTACH };
	m.u.tattach.fid = 12;
	m.u.tattach.afid = P9_NOFID;
	m.u.tattach.uname = p9_str_of("root");
	m.u.tattach.aname = p9_str_of("");
	uint8_t len[2] = { 0x60, 0xea };          /* 60000 */
	send_patched(fd, &m, 15, len, 2);
	expect_refusal(fd, "Tattach uname length 60000 in a short message", false);
}

static void c_read_huge_count(int fd)
{
	struct p9_msg m = { .type = P9_TREAD };
	m.u.tread.fid = 2;
	m.u.tread.offset = 0;
	m.u.tread.count = 0xffffffffu;
	raw_send_msg(fd, &m);
	expect_refusal(fd, "Tread count 0xffffffff", true);
}

static void c_read_huge_offset(int fd)
{
	struct p9_msg m = { .type = P9_TREAD };
	m.u.tread.fid = 2;
	m.u.tread.offset = UINT64_MAX;
	m.u.tread.count = 100;
	raw_send_msg(fd, &m);
	expect_refusal(fd, "Tread offset 2^64-1", true);
}

static void c_readdir_huge_count(int fd)
{
	struct p9_msg m = { .type = P9_TREADDIR };
	m.u.treaddir.fid = 3;
	m.u.treaddir.count = 0xffffffffu;
	raw_send_msg(fd, &m);
	expect_refusal(fd, "Treaddir count 0xffffffff", true);
}

static void c_write_count_lies(int fd, uint32_t count, const char *what)
{
	struct p9_msg m = { .type = P9_TWRITE };
	m.u.twrite.fid = 2;
	m.u.twrite.offset = 0;
	m.u.twrite.count = 10;
	m.u.twrite.data = (const uint8_t *)"0123456789";
	uint8_t c[4];
	put32(c, count);
	send_patched(fd, &m, 19, c, 4);
	expect_refusal(fd, what, count < 10);
}

static void c_write_more(int fd) { c_write_count_lies(fd, 1000, "Twrite count 1000, 10 bytes"); }
static void c_write_max(int fd) { c_write_count_lies(fd, 0xffffffffu, "Twrite count 2^32-1"); }
static void c_write_less(int fd) { c_write_count_lies(fd, 5, "Twrite count 5, 10 bytes"); }

static void c_write_huge_offset(int fd)
{
	struct p9_msg m = { .type = P9_TWRITE };
	m.u.twrite.fid = 2;
	m.u.twrite.offset = UINT64_MAX - 2;
	m.u.twrite.count = 10;
	m.u.twrite.data = (const uint8_t *)"0123456789";
	raw_send_msg(fd, &m);
	expect_refusal(fd, "Twrite at offset 2^64-3", false);
}

static void c_setattr_huge_size(int fd)
{
	struct p9_msg m = { .type = P9_TSETATTR };
	m.u.tsetattr.fid = 2;
	m.u.tsetattr.attr.valid = P9_SETATTR_SIZE;
	m.u.tsetattr.attr.size = 1ULL << 62;
	raw_send_msg(fd, &m);
	expect_refusal(fd, "Tsetattr size 2^62", false);
}

static void c_xattrcreate_huge(int fd)
{
	struct p9_msg m = { .type = P9_TWALK };
	m.u.twalk.fid = 1;
	m.u.twalk.newfid = 20;
	m.u.twalk.nwname = 1;
	m.u.twalk.wnames[0] = p9_str_of("victim.txt");
	if (!rpc_ok(fd, &m)) {
		CHECK(0, "walk victim.txt");
		return;
	}
	m = (struct p9_msg){ .type = P9_TXATTRCREATE };
	m.u.txattrcreate.fid = 20;
	m.u.txattrcreate.name = p9_str_of("user.big");
	m.u.txattrcreate.attr_size = 1ULL << 62;
	raw_send_msg(fd, &m);
	expect_refusal(fd, "Txattrcreate size 2^62", false);
	/* A sane size, then writes beyond it and at a huge offset. */
	m = (struct p9_msg){ .type = P9_TWALK };
	m.u.twalk.fid = 1;
	m.u.twalk.newfid = 21;
	m.u.twalk.nwname = 1;
	m.u.twalk.wnames[0] = p9_str_of("victim.txt");
	if (!rpc_ok(fd, &m))
		return;
	m = (struct p9_msg){ .type = P9_TXATTRCREATE };
	m.u.txattrcreate.fid = 21;
	m.u.txattrcreate.name = p9_str_of("user.small");
	m.u.txattrcreate.attr_size = 4;
	if (!rpc_ok(fd, &m))
		return;              /* xattrs unsupported here: nothing to attack */
	m = (struct p9_msg){ .type = P9_TWRITE };
	m.u.twrite.fid = 21;
	m.u.twrite.offset = UINT64_MAX - 1;
	m.u.twrite.count = 4;
	m.u.twrite.data = (const uint8_t *)"abcd";
	raw_send_msg(fd, &m);
	expect_refusal(fd, "xattr Twrite at offset 2^64-2", false);
	m.u.twrite.offset = 2;
	raw_send_msg(fd, &m);
	expect_refusal(fd, "xattr Twrite past its size", false);
	m = (struct p9_msg){ .type = P9_TCLUNK };
	m.u.tclunk.fid = 21;
	raw_send_msg(fd, &m);
	expect_refusal(fd, "Tclunk of a short xattr", true);
}

static void c_xattrwalk_read_huge(int fd)
{
	struct p9_msg m = { .type = P9_TXATTRWALK };
	m.u.txattrwalk.fid = 1;
	m.u.txattrwalk.newfid = 22;
	m.u.txattrwalk.name = p9_str_of("");
	if (!rpc_ok(fd, &m))
		return;
	m = (struct p9_msg){ .type = P9_TREAD };
	m.u.tread.fid = 22;
	m.u.tread.offset = UINT64_MAX;
	m.u.tread.count = 0xffffffffu;
	raw_send_msg(fd, &m);
	expect_refusal(fd, "xattr list Tread offset 2^64-1 count 2^32-1", true);
}

static void c_version_msizes(int fd)
{
	uint32_t sizes[] = { 0, 1, 0xffffffffu };
	for (size_t i = 0; i < 3; i++) {
		struct p9_msg m = { .type = P9_TVERSION, .tag = P9_NOTAG };
		m.u.version.msize = sizes[i];
		m.u.version.version = p9_str_of(P9_VERSION_L);
		uint8_t buf[64];
		int n = p9_encode(&m, buf, sizeof buf);
		raw_send(fd, buf, (size_t)n);
		uint8_t type = 0;
		enum outcome o = read_outcome(fd, &type);
		if (o == O_CLOSED || o == O_ERROR)
			return;
		CHECK(o == O_REPLY && type == P9_RVERSION, "Tversion msize %u: outcome %d", sizes[i],
		      o);
		if (o != O_REPLY)
			return;
		uint32_t got = (uint32_t)rbuf[7] | (uint32_t)rbuf[8] << 8 | (uint32_t)rbuf[9] << 16 |
			       (uint32_t)rbuf[10] << 24;
		CHECK(got >= P9_MIN_MSIZE && got <= P9_MAX_MSIZE, "Tversion msize %u answered %u",
		      sizes[i], got);
	}
}

static void c_bad_types(int fd)
{
	static const uint8_t types[] = { 0, 6, 7, 99, 101, P9_RREAD, 200, 255 };
	for (size_t i = 0; i < sizeof types; i++) {
		uint8_t buf[11] = { 11, 0, 0, 0, types[i], (uint8_t)(i + 1), 0, 1, 0, 0, 0 };
		if (raw_send(fd, buf, sizeof buf) < 0)
			return;
		char what[32];
		snprintf(what, sizeof what, "message type %u", types[i]);
		if (expect_refusal(fd, what, false) == O_CLOSED)
			return;
	}
}

static void c_bad_fids(int fd)
{
	struct p9_msg m = { .type = P9_TGETATTR };
	m.u.tgetattr.fid = P9_NOFID;
	m.u.tgetattr.request_mask = P9_GETATTR_ALL;
	raw_send_msg(fd, &m);
	expect_refusal(fd, "Tgetattr of NOFID", false);
	m = (struct p9_msg){ .type = P9_TWALK };
	m.u.twalk.fid = 1;
	m.u.twalk.newfid = P9_NOFID;
	raw_send_msg(fd, &m);
	expect_refusal(fd, "Twalk to newfid NOFID", false);
	m.u.twalk.newfid = 2;                      /* in use */
	raw_send_msg(fd, &m);
	expect_refusal(fd, "Twalk to a newfid in use", false);
	m = (struct p9_msg){ .type = P9_TLCREATE };
	char longname[300];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	m.u.tlcreate.fid = 3;
	m.u.tlcreate.name = p9_str_of(longname);
	m.u.tlcreate.flags = P9_DOTL_CREATE | P9_DOTL_RDWR;
	m.u.tlcreate.mode = 0644;
	raw_send_msg(fd, &m);
	expect_refusal(fd, "Tlcreate with a 299-byte name", false);
	m = (struct p9_msg){ .type = P9_TLOCK };
	m.u.tlock.fid = 2;
	m.u.tlock.lock.type = P9_LOCK_TYPE_WRLCK;
	m.u.tlock.lock.start = UINT64_MAX;
	m.u.tlock.lock.length = UINT64_MAX;
	m.u.tlock.lock.client_id = p9_str_of("x");
	raw_send_msg(fd, &m);
	expect_refusal(fd, "Tlock at 2^64-1", true);
	m = (struct p9_msg){ .type = P9_TFLUSH };
	m.u.tflush.oldtag = 4242;
	raw_send_msg(fd, &m);
	expect_refusal(fd, "Tflush of an unknown tag", true);
}

struct pcase {
	const char *name;
	void (*fn)(int fd);
};

static const struct pcase cases[] = {
	{ "size > msize", c_size_over_msize },
	{ "size huge", c_size_huge },
	{ "size 3", c_size_tiny },
	{ "size 0", c_size_zero },
	{ "walk nwname lies", c_walk_nwname_lies },
	{ "walk 17 names", c_walk_17 },
	{ "attach strlen lies", c_attach_strlen_lies },
	{ "read huge count", c_read_huge_count },
	{ "read huge offset", c_read_huge_offset },
	{ "readdir huge count", c_readdir_huge_count },
	{ "write count > bytes", c_write_more },
	{ "write count max", c_write_max },
	{ "write count < bytes", c_write_less },
	{ "write huge offset", c_write_huge_offset },
	{ "setattr huge size", c_setattr_huge_size },
	{ "xattrcreate huge", c_xattrcreate_huge },
	{ "xattr list read huge", c_xattrwalk_read_huge },
	{ "version msizes", c_version_msizes },
	{ "bad types", c_bad_types },
	{ "bad fids", c_bad_fids },
};

void attack_malformed(struct sec_env *e)
{
	char victim[512];
	struct stat before, after;
	snprintf(victim, sizeof victim, "%s/victim.txt", e->export);
	stat(victim, &before);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int fd = raw_session(e);
		CHECK(fd >= 0, "%s: session setup: %d", cases[i].name, fd);
		if (fd < 0)
			continue;
		cases[i].fn(fd);
		close(fd);
	}
	/* Before Tversion nothing but Tversion is served. */
	int fd = raw_connect(e, false);
	if (fd >= 0) {
		struct p9_msg m = { .type = P9_TATTACH };
		m.u.tattach.fid = 1;
		m.u.tattach.afid = P9_NOFID;
		m.u.tattach.uname = p9_str_of("root");
		m.u.tattach.aname = p9_str_of(e->export);
		raw_send_msg(fd, &m);
		expect_refusal(fd, "Tattach before Tversion", false);
		close(fd);
	}
	CHECK(stat(victim, &after) == 0 && after.st_size <= 10 && before.st_size == 10,
	      "victim.txt is %lld bytes", (long long)after.st_size);
}

/* ---- floods ---- */

void attack_fid_flood(struct sec_env *e)
{
	struct sess s;
	int r = sess_open(e, &s);
	CHECK(r == 0, "attach: %d", r);
	if (r)
		return;
	uint32_t *fids = calloc(SEC_MAX_FIDS * 4, sizeof *fids);
	unsigned n = 0;
	int err = 0;
	while (n < SEC_MAX_FIDS * 4) {
		r = sess_clone(&s, &fids[n]);
		if (r < 0) {
			err = r;
			break;
		}
		n++;
	}
	CHECK(n < SEC_MAX_FIDS * 4 && n + 1 <= SEC_MAX_FIDS, "%u fids held, --max-fids is %u", n + 1,
	      SEC_MAX_FIDS);
	CHECK(sensible_errno(err), "the fid limit answered %d", err);
	/* Still serving this connection: free some, use them again. */
	for (unsigned i = 0; i < 8 && i < n; i++)
		sess_clunk(&s, fids[n - 1 - i]);
	unsigned again = 0;
	for (unsigned i = 0; i < 8 && i < n; i++)
		again += sess_clone(&s, &fids[n - 1 - i]) == 0;
	CHECK(again == (n < 8 ? n : 8), "after clunking 8, only %u new fids", again);
	for (unsigned i = 0; i < n; i++)
		sess_clunk(&s, fids[i]);
	free(fids);
	sess_close(&s);
}

void attack_conn_flood(struct sec_env *e)
{
	int fds[SEC_MAX_CONNS * 2];
	unsigned open_ok = 0, served = 0;
	for (unsigned i = 0; i < SEC_MAX_CONNS * 2; i++) {
		fds[i] = raw_connect(e, true);
		if (fds[i] >= 0)
			open_ok++;
	}
	/* Connections past the limit are closed or refused: count the ones
	 * that answered Tversion. */
	served = open_ok;
	CHECK(served <= SEC_MAX_CONNS + 1, "%u connections served, --max-conns is %u", served,
	      SEC_MAX_CONNS);
	for (unsigned i = 0; i < SEC_MAX_CONNS * 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	usleep(200000);     /* let the server notice the closes */
}
