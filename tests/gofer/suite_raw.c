/* Checks that need hand-made bytes on a raw connection: version rules,
 * sizes that lie, flush ordering. */
#include "probe.h"
#include "addr.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

static uint8_t rbuf[1 << 17];

static int send_msg(int fd, const struct p9_msg *m)
{
	uint8_t buf[8192];
	int n = p9_encode(m, buf, sizeof buf);
	return n < 0 ? n : write_full(fd, buf, (size_t)n);
}

/* One reply within 3 s: 0, -ETIMEDOUT, -EPIPE on EOF, -EBADMSG. */
static int recv_msg(int fd, struct p9_msg *out)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	if (poll(&pfd, 1, 3000) <= 0)
		return -ETIMEDOUT;
	ssize_t n = recv(fd, rbuf, 4, MSG_WAITALL);
	if (n == 0)
		return -EPIPE;
	if (n != 4)
		return -EBADMSG;
	uint32_t size = rbuf[0] | rbuf[1] << 8 | rbuf[2] << 16 | (uint32_t)rbuf[3] << 24;
	if (size < 7 || size > sizeof rbuf || read_full(fd, rbuf + 4, size - 4) < 0)
		return -EBADMSG;
	return p9_decode_reply(rbuf, size, sizeof rbuf, out);
}

static int version(int fd, uint32_t msize, const char *v, struct p9_msg *rep)
{
	struct p9_msg m = { .type = P9_TVERSION, .tag = P9_NOTAG };
	m.u.version.msize = msize;
	m.u.version.version = p9_str_of(v);
	int rc = send_msg(fd, &m);
	return rc < 0 ? rc : recv_msg(fd, rep);
}

static int attach(int fd, uint32_t fid, const char *aname, struct p9_msg *rep)
{
	struct p9_msg m = { .type = P9_TATTACH, .tag = 1 };
	m.u.tattach.fid = fid;
	m.u.tattach.afid = P9_NOFID;
	m.u.tattach.uname = p9_str_of("");
	m.u.tattach.aname = p9_str_of(aname);
	m.u.tattach.n_uname = 0;
	int rc = send_msg(fd, &m);
	return rc < 0 ? rc : recv_msg(fd, rep);
}

static void check_versions(const char *addr, const char *aname)
{
	struct p9_msg rep;
	int fd __cleanup_close = addr_connect(addr);
	struct p9_msg m = { .type = P9_TCLUNK, .tag = 3 };
	m.u.tclunk.fid = 0;
	send_msg(fd, &m);
	int rc = recv_msg(fd, &rep);
	tap_ok(rc == 0 && rep.type == P9_RLERROR, "a message before Tversion is refused");
	rc = version(fd, 65536, "9P2000.u", &rep);
	tap_ok(rc == 0 && rep.type == P9_RVERSION && rep.u.version.version.len == 7 &&
	       memcmp(rep.u.version.version.s, "unknown", 7) == 0, "unknown version gets 'unknown'");
	rc = version(fd, 512, "9P2000.L", &rep);
	tap_ok(rc == 0 && rep.u.version.msize >= P9_MIN_MSIZE, "Rversion never offers msize < 4096");
	rc = version(fd, 1u << 30, "9P2000.L", &rep);
	tap_ok(rc == 0 && rep.u.version.msize <= P9_MAX_MSIZE, "Rversion caps msize (got %u)",
	       rep.u.version.msize);
	rc = attach(fd, 7, aname, &rep);
	tap_ok(rc == 0 && rep.type == P9_RATTACH, "attach fid 7");
	version(fd, 65536, "9P2000.L", &rep);
	m = (struct p9_msg){ .type = P9_TGETATTR, .tag = 4 };
	m.u.tgetattr.fid = 7;
	m.u.tgetattr.request_mask = P9_GETATTR_BASIC;
	send_msg(fd, &m);
	rc = recv_msg(fd, &rep);
	tap_ok(rc == 0 && rep.type == P9_RLERROR && rep.u.rlerror.ecode == EBADF,
	       "Tversion clunked every fid");
	m = (struct p9_msg){ .type = P9_TFLUSH, .tag = 5 };
	m.u.tflush.oldtag = 999;
	send_msg(fd, &m);
	rc = recv_msg(fd, &rep);
	tap_ok(rc == 0 && rep.type == P9_RFLUSH && rep.tag == 5, "Tflush of an unknown tag: Rflush");
}

/* A message claiming more than msize: an Rlerror, then the end. */
static void check_oversize(const char *addr)
{
	struct p9_msg rep;
	int fd __cleanup_close = addr_connect(addr);
	version(fd, 8192, "9P2000.L", &rep);
	uint8_t hdr[7] = { 0xff, 0xff, 0xff, 0x7f, P9_TWRITE, 9, 0 };
	write_full(fd, hdr, sizeof hdr);
	int rc = recv_msg(fd, &rep);
	tap_ok(rc == 0 && rep.type == P9_RLERROR && rep.tag == 9, "size above msize: Rlerror");
	tap_ok(recv_msg(fd, &rep) == -EPIPE, "... and the connection is closed");
	int fd2 __cleanup_close = addr_connect(addr);
	uint8_t tiny[7] = { 3, 0, 0, 0, 0, 0, 0 };
	write_full(fd2, tiny, sizeof tiny);
	rc = recv_msg(fd2, &rep);
	tap_ok(rc == -EPIPE || (rc == 0 && rep.type == P9_RLERROR), "size below 7 ends the connection");
}

/* Lying inner lengths: Rlerror, the connection lives on. */
static void check_lying(const char *addr, const char *aname)
{
	struct p9_msg rep;
	int fd __cleanup_close = addr_connect(addr);
	version(fd, 8192, "9P2000.L", &rep);
	uint32_t msize = rep.u.version.msize;
	/* Tattach whose uname length runs past the end of the message. */
	uint8_t bad[] = { 19, 0, 0, 0, P9_TATTACH, 2, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
			  0xff, 0x00, 'a', 'b' };
	write_full(fd, bad, sizeof bad);
	int rc = recv_msg(fd, &rep);
	tap_ok(rc == 0 && rep.type == P9_RLERROR && rep.u.rlerror.ecode == EBADMSG,
	       "a lying string length: Rlerror EBADMSG");
	rc = attach(fd, 1, aname, &rep);
	tap_ok(rc == 0 && rep.type == P9_RATTACH, "the connection still serves");
	/* Tread with a huge count: the reply stays within msize. */
	struct p9_msg m = { .type = P9_TWALK, .tag = 3 };
	m.u.twalk.fid = 1;
	m.u.twalk.newfid = 2;
	m.u.twalk.nwname = 1;
	m.u.twalk.wnames[0] = p9_str_of("big");
	send_msg(fd, &m);
	recv_msg(fd, &rep);
	m = (struct p9_msg){ .type = P9_TLOPEN, .tag = 3 };
	m.u.tlopen.fid = 2;
	send_msg(fd, &m);
	recv_msg(fd, &rep);
	m = (struct p9_msg){ .type = P9_TREAD, .tag = 4 };
	m.u.tread.fid = 2;
	m.u.tread.count = 0xffffffffu;
	send_msg(fd, &m);
	rc = recv_msg(fd, &rep);
	tap_ok(rc == 0 && ((rep.type == P9_RREAD && rep.u.rread.count <= msize - P9_IOHDRSZ) ||
			   rep.type == P9_RLERROR),
	       "Tread with count 2^32-1: refused or clamped to msize");
	m.u.tread.count = msize - P9_IOHDRSZ;
	send_msg(fd, &m);
	rc = recv_msg(fd, &rep);
	tap_ok(rc == 0 && rep.type == P9_RREAD && rep.u.rread.count == msize - P9_IOHDRSZ,
	       "Tread of msize - 24 bytes fills the reply");
	/* Pipelined Tread + Tflush: the Rflush never comes first. */
	m.tag = 10;
	m.u.tread.count = 100;
	struct p9_msg fl = { .type = P9_TFLUSH, .tag = 11 };
	fl.u.tflush.oldtag = 10;
	send_msg(fd, &m);
	send_msg(fd, &fl);
	int first = recv_msg(fd, &rep) == 0 ? rep.type : -1;
	tap_ok(first == P9_RREAD || first == P9_RFLUSH, "flushed request answered or dropped");
	if (first == P9_RREAD) {
		rc = recv_msg(fd, &rep);
		tap_ok(rc == 0 && rep.type == P9_RFLUSH, "Rflush follows the flushed reply");
	}
}

int suite_raw_run(const char *addr, const char *aname)
{
	check_versions(addr, aname);
	check_oversize(addr);
	check_lying(addr, aname);
	return tap_failures();
}
