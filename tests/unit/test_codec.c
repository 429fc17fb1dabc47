/* Unit tests of the 9P2000.L codec (common/p9/codec.c).
 *
 * - byte-exact vectors written by hand from the protocol definition
 *   (size[4] type[1] tag[2] body, little-endian), checked both ways;
 * - a round trip of every sample message (tests/fuzz/p9_samples.c), which
 *   covers every T and R type;
 * - hostile input: every truncation and a trailing byte of every sample,
 *   and one test per class of malformed message, each expecting its exact
 *   negative errno;
 * - encoder bounds, dirents, string helpers.
 *
 * Buffers handed to the decoder are heap copies of exactly the message
 * length, so an over-read shows up under ASan. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "p9/p9.h"
#include "../fuzz/p9_msgcmp.h"
#include "../fuzz/p9_samples.h"

#define MSIZE 8192u
#define S_(x) { sizeof(x) - 1, (x) }

/* ---- helpers ---------------------------------------------------------- */

static uint8_t *dup_bytes(const void *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	if (len)
		memcpy(p, src, len);
	return p;
}

/* Encode into a heap buffer of exactly the encoded length. */
static uint8_t *encode_exact(const struct p9_msg *m, size_t *len)
{
	static uint8_t scratch[1 << 16];
	int n = p9_encode(m, scratch, sizeof(scratch));

	if (n < 0) {
		fail_msg("encode %s: %d", p9_type_name(m->type), n);
		n = 0;          /* fail_msg does not return; the compiler can't tell */
	}
	*len = (size_t)n;
	return dup_bytes(scratch, *len);
}

/* Little-endian u32 at b: the size field, or a count inside a body. */
static void le32_put(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

/* Decode in the direction the type belongs to. */
static int decode_as(uint8_t type, const uint8_t *b, size_t len, uint32_t msize,
		     struct p9_msg *out)
{
	if (p9_is_request(type))
		return p9_decode_request(b, len, msize, out);
	return p9_decode_reply(b, len, msize, out);
}

/* Copy len bytes to an exact-size heap buffer, decode, free: only for
 * checking the return code and scalar fields (strings would dangle). */
static int decode_copy(uint8_t type, const uint8_t *b, size_t len, uint32_t msize,
		       struct p9_msg *out)
{
	uint8_t *c = dup_bytes(b, len);
	int rc = decode_as(type, c, len, msize, out);

	free(c);
	return rc;
}

static void expect_rc(const char *what, int got, int want)
{
	if (got != want)
		fail_msg("%s: got %d (%s), want %d (%s)", what, got, strerror(-got), want,
			 strerror(-want));
}

static void dump_diff(const uint8_t *got, const uint8_t *want, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (got[i] != want[i]) {
			print_error("first difference at byte %zu: got 0x%02x want 0x%02x\n", i,
				    got[i], want[i]);
			return;
		}
}

/* ---- hand-written vectors --------------------------------------------- */

/* Tversion tag=NOTAG msize=8192 version="9P2000.L" */
static const uint8_t v_tversion[] = {
	0x15, 0x00, 0x00, 0x00,                  /* size 21 */
	0x64,                                    /* type 100 Tversion */
	0xff, 0xff,                              /* tag NOTAG */
	0x00, 0x20, 0x00, 0x00,                  /* msize 8192 */
	0x08, 0x00, '9', 'P', '2', '0', '0', '0', '.', 'L', /* version[s] */
};
/* Rversion tag=NOTAG msize=65536 version="9P2000.L" */
static const uint8_t v_rversion[] = {
	0x15, 0x00, 0x00, 0x00,                  /* size 21 */
	0x65,                                    /* type 101 Rversion */
	0xff, 0xff,                              /* tag NOTAG */
	0x00, 0x00, 0x01, 0x00,                  /* msize 65536 */
	0x08, 0x00, '9', 'P', '2', '0', '0', '0', '.', 'L',
};
/* Tattach tag=1 fid=1 afid=NOFID uname="root" aname="/srv" n_uname=0 */
static const uint8_t v_tattach[] = {
	0x1f, 0x00, 0x00, 0x00,                  /* size 31 */
	0x68,                                    /* type 104 Tattach */
	0x01, 0x00,                              /* tag 1 */
	0x01, 0x00, 0x00, 0x00,                  /* fid 1 */
	0xff, 0xff, 0xff, 0xff,                  /* afid NOFID */
	0x04, 0x00, 'r', 'o', 'o', 't',          /* uname */
	0x04, 0x00, '/', 's', 'r', 'v',          /* aname */
	0x00, 0x00, 0x00, 0x00,                  /* n_uname 0 */
};
/* Twalk tag=2 fid=1 newfid=2 wname={"usr","lib"} */
static const uint8_t v_twalk[] = {
	0x1b, 0x00, 0x00, 0x00,                  /* size 27 */
	0x6e,                                    /* type 110 Twalk */
	0x02, 0x00,                              /* tag 2 */
	0x01, 0x00, 0x00, 0x00,                  /* fid 1 */
	0x02, 0x00, 0x00, 0x00,                  /* newfid 2 */
	0x02, 0x00,                              /* nwname 2 */
	0x03, 0x00, 'u', 's', 'r',
	0x03, 0x00, 'l', 'i', 'b',
};
/* Rwalk tag=2 qids={ {dir,1,0x1122334455667788}, {file,0x01020304,42} } */
static const uint8_t v_rwalk[] = {
	0x23, 0x00, 0x00, 0x00,                  /* size 35 */
	0x6f,                                    /* type 111 Rwalk */
	0x02, 0x00,                              /* tag 2 */
	0x02, 0x00,                              /* nwqid 2 */
	0x80,                                    /* qid.type QTDIR */
	0x01, 0x00, 0x00, 0x00,                  /* qid.version 1 */
	0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* qid.path */
	0x00,                                    /* qid.type QTFILE */
	0x04, 0x03, 0x02, 0x01,                  /* qid.version 0x01020304 */
	0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* qid.path 42 */
};
/* Tlopen tag=3 fid=2 flags=O_RDWR|O_TRUNC (0x202) */
static const uint8_t v_tlopen[] = {
	0x0f, 0x00, 0x00, 0x00,                  /* size 15 */
	0x0c,                                    /* type 12 Tlopen */
	0x03, 0x00,                              /* tag 3 */
	0x02, 0x00, 0x00, 0x00,                  /* fid 2 */
	0x02, 0x02, 0x00, 0x00,                  /* flags 0x202 */
};
/* Rlopen tag=3 qid={file,7,0x100} iounit=8168 */
static const uint8_t v_rlopen[] = {
	0x18, 0x00, 0x00, 0x00,                  /* size 24 */
	0x0d,                                    /* type 13 Rlopen */
	0x03, 0x00,                              /* tag 3 */
	0x00, 0x07, 0x00, 0x00, 0x00,            /* qid.type, qid.version 7 */
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* qid.path 0x100 */
	0xe8, 0x1f, 0x00, 0x00,                  /* iounit 8168 */
};
/* Tread tag=4 fid=2 offset=4 GiB count=4096 */
static const uint8_t v_tread[] = {
	0x17, 0x00, 0x00, 0x00,                  /* size 23 */
	0x74,                                    /* type 116 Tread */
	0x04, 0x00,                              /* tag 4 */
	0x02, 0x00, 0x00, 0x00,                  /* fid 2 */
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* offset 0x100000000 */
	0x00, 0x10, 0x00, 0x00,                  /* count 4096 */
};
/* Rread tag=4 count=5 data="hello" */
static const uint8_t v_rread[] = {
	0x10, 0x00, 0x00, 0x00,                  /* size 16 */
	0x75,                                    /* type 117 Rread */
	0x04, 0x00,                              /* tag 4 */
	0x05, 0x00, 0x00, 0x00,                  /* count 5 */
	'h', 'e', 'l', 'l', 'o',
};
/* Twrite tag=5 fid=2 offset=10 count=3 data="abc" */
static const uint8_t v_twrite[] = {
	0x1a, 0x00, 0x00, 0x00,                  /* size 26 */
	0x76,                                    /* type 118 Twrite */
	0x05, 0x00,                              /* tag 5 */
	0x02, 0x00, 0x00, 0x00,                  /* fid 2 */
	0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* offset 10 */
	0x03, 0x00, 0x00, 0x00,                  /* count 3 */
	'a', 'b', 'c',
};
/* Tgetattr tag=6 fid=3 request_mask=BASIC (0x7ff) */
static const uint8_t v_tgetattr[] = {
	0x13, 0x00, 0x00, 0x00,                  /* size 19 */
	0x18,                                    /* type 24 Tgetattr */
	0x06, 0x00,                              /* tag 6 */
	0x03, 0x00, 0x00, 0x00,                  /* fid 3 */
	0xff, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* request_mask */
};
/* Rgetattr tag=6: a directory, mode 040755, uid 1000, gid 100, 3 links,
 * 4096 bytes, times 1700000000(.5) / ...01(.6) / ...02(.7) */
static const uint8_t v_rgetattr[] = {
	0xa0, 0x00, 0x00, 0x00,                  /* size 160 */
	0x19,                                    /* type 25 Rgetattr */
	0x06, 0x00,                              /* tag 6 */
	0xff, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* valid 0x7ff */
	0x80, 0x00, 0x00, 0x00, 0x00,            /* qid.type QTDIR, version 0 */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* qid.path 2 */
	0xed, 0x41, 0x00, 0x00,                  /* mode 040755 */
	0xe8, 0x03, 0x00, 0x00,                  /* uid 1000 */
	0x64, 0x00, 0x00, 0x00,                  /* gid 100 */
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* nlink 3 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* rdev 0 */
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* size 4096 */
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* blksize 4096 */
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* blocks 8 */
	0x00, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00, /* atime_sec 1700000000 */
	0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* atime_nsec 5 */
	0x01, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00, /* mtime_sec 1700000001 */
	0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* mtime_nsec 6 */
	0x02, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00, /* ctime_sec 1700000002 */
	0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* ctime_nsec 7 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* btime_sec 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* btime_nsec 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* gen 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* data_version 0 */
};
/* Tsetattr tag=7 fid=3 valid=MODE|SIZE|MTIME|MTIME_SET mode=0100644 size=4096
 * mtime=1700000000.500 */
static const uint8_t v_tsetattr[] = {
	0x43, 0x00, 0x00, 0x00,                  /* size 67 */
	0x1a,                                    /* type 26 Tsetattr */
	0x07, 0x00,                              /* tag 7 */
	0x03, 0x00, 0x00, 0x00,                  /* fid 3 */
	0x29, 0x01, 0x00, 0x00,                  /* valid 0x129 */
	0xa4, 0x81, 0x00, 0x00,                  /* mode 0100644 */
	0x00, 0x00, 0x00, 0x00,                  /* uid 0 */
	0x00, 0x00, 0x00, 0x00,                  /* gid 0 */
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* size 4096 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* atime_sec 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* atime_nsec 0 */
	0x00, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00, /* mtime_sec 1700000000 */
	0xf4, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* mtime_nsec 500 */
};
/* Treaddir tag=8 fid=4 offset=0 count=8168 */
static const uint8_t v_treaddir[] = {
	0x17, 0x00, 0x00, 0x00,                  /* size 23 */
	0x28,                                    /* type 40 Treaddir */
	0x08, 0x00,                              /* tag 8 */
	0x04, 0x00, 0x00, 0x00,                  /* fid 4 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* offset 0 */
	0xe8, 0x1f, 0x00, 0x00,                  /* count 8168 */
};
/* Rreaddir tag=8 with two dirents: "." (dir, cookie 1) and "ab" (reg, 2) */
static const uint8_t v_rreaddir[] = {
	0x3e, 0x00, 0x00, 0x00,                  /* size 62 */
	0x29,                                    /* type 41 Rreaddir */
	0x08, 0x00,                              /* tag 8 */
	0x33, 0x00, 0x00, 0x00,                  /* count 51 */
	/* dirent 1: 25 bytes */
	0x80, 0x00, 0x00, 0x00, 0x00,            /* qid.type QTDIR, version 0 */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* qid.path 2 */
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* offset 1 */
	0x04,                                    /* type DT_DIR */
	0x01, 0x00, '.',                         /* name */
	/* dirent 2: 26 bytes */
	0x00, 0x00, 0x00, 0x00, 0x00,            /* qid.type QTFILE, version 0 */
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* qid.path 3 */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* offset 2 */
	0x08,                                    /* type DT_REG */
	0x02, 0x00, 'a', 'b',                    /* name */
};
/* Rlerror tag=9 ecode=ENOENT */
static const uint8_t v_rlerror[] = {
	0x0b, 0x00, 0x00, 0x00,                  /* size 11 */
	0x07,                                    /* type 7 Rlerror */
	0x09, 0x00,                              /* tag 9 */
	0x02, 0x00, 0x00, 0x00,                  /* ecode 2 */
};
/* Tlock tag=10 fid=5 type=WRLCK flags=BLOCK start=0 length=0 proc_id=1234
 * client_id="host" */
static const uint8_t v_tlock[] = {
	0x2a, 0x00, 0x00, 0x00,                  /* size 42 */
	0x34,                                    /* type 52 Tlock */
	0x0a, 0x00,                              /* tag 10 */
	0x05, 0x00, 0x00, 0x00,                  /* fid 5 */
	0x01,                                    /* type WRLCK */
	0x01, 0x00, 0x00, 0x00,                  /* flags BLOCK */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* start 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* length 0 */
	0xd2, 0x04, 0x00, 0x00,                  /* proc_id 1234 */
	0x04, 0x00, 'h', 'o', 's', 't',          /* client_id */
};
/* Rgetlock tag=11 type=UNLCK start=100 length=50 proc_id=77 client_id="" */
static const uint8_t v_rgetlock[] = {
	0x1e, 0x00, 0x00, 0x00,                  /* size 30 */
	0x37,                                    /* type 55 Rgetlock */
	0x0b, 0x00,                              /* tag 11 */
	0x02,                                    /* type UNLCK */
	0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* start 100 */
	0x32, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* length 50 */
	0x4d, 0x00, 0x00, 0x00,                  /* proc_id 77 */
	0x00, 0x00,                              /* client_id "" */
};
/* Tunlinkat tag=12 dirfid=6 name="d" flags=AT_REMOVEDIR */
static const uint8_t v_tunlinkat[] = {
	0x12, 0x00, 0x00, 0x00,                  /* size 18 */
	0x4c,                                    /* type 76 Tunlinkat */
	0x0c, 0x00,                              /* tag 12 */
	0x06, 0x00, 0x00, 0x00,                  /* dirfid 6 */
	0x01, 0x00, 'd',                         /* name */
	0x00, 0x02, 0x00, 0x00,                  /* flags 0x200 */
};
/* Trenameat tag=13 olddirfid=6 oldname="a" newdirfid=7 newname="bb" */
static const uint8_t v_trenameat[] = {
	0x16, 0x00, 0x00, 0x00,                  /* size 22 */
	0x4a,                                    /* type 74 Trenameat */
	0x0d, 0x00,                              /* tag 13 */
	0x06, 0x00, 0x00, 0x00,                  /* olddirfid 6 */
	0x01, 0x00, 'a',                         /* oldname */
	0x07, 0x00, 0x00, 0x00,                  /* newdirfid 7 */
	0x02, 0x00, 'b', 'b',                    /* newname */
};
/* Tfsync tag=14 fid=5 datasync=1 */
static const uint8_t v_tfsync[] = {
	0x0f, 0x00, 0x00, 0x00,                  /* size 15 */
	0x32,                                    /* type 50 Tfsync */
	0x0e, 0x00,                              /* tag 14 */
	0x05, 0x00, 0x00, 0x00,                  /* fid 5 */
	0x01, 0x00, 0x00, 0x00,                  /* datasync 1 */
};
/* Tgetlock tag=15 fid=5 type=RDLCK start=8 length=16 proc_id=2 client_id="c" */
static const uint8_t v_tgetlock[] = {
	0x23, 0x00, 0x00, 0x00,                  /* size 35 */
	0x36,                                    /* type 54 Tgetlock */
	0x0f, 0x00,                              /* tag 15 */
	0x05, 0x00, 0x00, 0x00,                  /* fid 5 */
	0x00,                                    /* type RDLCK (no flags field) */
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* start 8 */
	0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* length 16 */
	0x02, 0x00, 0x00, 0x00,                  /* proc_id 2 */
	0x01, 0x00, 'c',                         /* client_id */
};
/* Tlcreate tag=16 fid=4 name="f" flags=O_WRONLY|O_CREAT mode=0644 gid=100 */
static const uint8_t v_tlcreate[] = {
	0x1a, 0x00, 0x00, 0x00,                  /* size 26 */
	0x0e,                                    /* type 14 Tlcreate */
	0x10, 0x00,                              /* tag 16 */
	0x04, 0x00, 0x00, 0x00,                  /* fid 4 */
	0x01, 0x00, 'f',                         /* name */
	0x41, 0x00, 0x00, 0x00,                  /* flags 0101 */
	0xa4, 0x01, 0x00, 0x00,                  /* mode 0644 */
	0x64, 0x00, 0x00, 0x00,                  /* gid 100 */
};

struct vec {
	const char *name;
	const uint8_t *bytes;
	size_t len;
	struct p9_msg msg;
};

#define VEC(arr, ...) { #arr + 2, arr, sizeof(arr), __VA_ARGS__ }

static const struct vec vecs[] = {
	VEC(v_tversion, { .type = P9_TVERSION, .tag = P9_NOTAG,
		.u.version = { 8192, S_("9P2000.L") } }),
	VEC(v_rversion, { .type = P9_RVERSION, .tag = P9_NOTAG,
		.u.version = { 65536, S_("9P2000.L") } }),
	VEC(v_tattach, { .type = P9_TATTACH, .tag = 1,
		.u.tattach = { 1, P9_NOFID, S_("root"), S_("/srv"), 0 } }),
	VEC(v_twalk, { .type = P9_TWALK, .tag = 2,
		.u.twalk = { 1, 2, 2, { S_("usr"), S_("lib") } } }),
	VEC(v_rwalk, { .type = P9_RWALK, .tag = 2,
		.u.rwalk = { 2, { { 0x80, 1, 0x1122334455667788ULL }, { 0, 0x01020304, 42 } } } }),
	VEC(v_tlopen, { .type = P9_TLOPEN, .tag = 3, .u.tlopen = { 2, 0x202 } }),
	VEC(v_rlopen, { .type = P9_RLOPEN, .tag = 3, .u.rlopen = { { 0, 7, 0x100 }, 8168 } }),
	VEC(v_tread, { .type = P9_TREAD, .tag = 4, .u.tread = { 2, 0x100000000ULL, 4096 } }),
	VEC(v_rread, { .type = P9_RREAD, .tag = 4,
		.u.rread = { 5, (const uint8_t *)"hello" } }),
	VEC(v_twrite, { .type = P9_TWRITE, .tag = 5,
		.u.twrite = { 2, 10, 3, (const uint8_t *)"abc" } }),
	VEC(v_tgetattr, { .type = P9_TGETATTR, .tag = 6, .u.tgetattr = { 3, 0x7ff } }),
	VEC(v_rgetattr, { .type = P9_RGETATTR, .tag = 6, .u.rgetattr = {
		.valid = 0x7ff, .qid = { 0x80, 0, 2 }, .mode = 040755, .uid = 1000,
		.gid = 100, .nlink = 3, .size = 4096, .blksize = 4096, .blocks = 8,
		.atime_sec = 1700000000, .atime_nsec = 5, .mtime_sec = 1700000001,
		.mtime_nsec = 6, .ctime_sec = 1700000002, .ctime_nsec = 7 } }),
	VEC(v_tsetattr, { .type = P9_TSETATTR, .tag = 7, .u.tsetattr = { 3, {
		.valid = 0x129, .mode = 0100644, .size = 4096,
		.mtime_sec = 1700000000, .mtime_nsec = 500 } } }),
	VEC(v_treaddir, { .type = P9_TREADDIR, .tag = 8, .u.treaddir = { 4, 0, 8168 } }),
	VEC(v_rreaddir, { .type = P9_RREADDIR, .tag = 8,
		.u.rreaddir = { 51, v_rreaddir + 11 } }),
	VEC(v_rlerror, { .type = P9_RLERROR, .tag = 9, .u.rlerror = { 2 } }),
	VEC(v_tlock, { .type = P9_TLOCK, .tag = 10,
		.u.tlock = { 5, { 1, 1, 0, 0, 1234, S_("host") } } }),
	VEC(v_rgetlock, { .type = P9_RGETLOCK, .tag = 11,
		.u.rgetlock = { 2, 0, 100, 50, 77, { 0, NULL } } }),
	VEC(v_tunlinkat, { .type = P9_TUNLINKAT, .tag = 12,
		.u.tunlinkat = { 6, S_("d"), 0x200 } }),
	VEC(v_trenameat, { .type = P9_TRENAMEAT, .tag = 13,
		.u.trenameat = { 6, S_("a"), 7, S_("bb") } }),
	VEC(v_tfsync, { .type = P9_TFSYNC, .tag = 14, .u.tfsync = { 5, 1 } }),
	VEC(v_tgetlock, { .type = P9_TGETLOCK, .tag = 15,
		.u.tgetlock = { 5, { 0, 0, 8, 16, 2, S_("c") } } }),
	VEC(v_tlcreate, { .type = P9_TLCREATE, .tag = 16,
		.u.tlcreate = { 4, S_("f"), 0101, 0644, 100 } }),
};

static void test_vector(void **state)
{
	const struct vec *v = *state;
	uint8_t *out = malloc(v->len);
	struct p9_msg got;
	const char *diff;
	int n;

	assert_non_null(out);
	n = p9_encode(&v->msg, out, v->len);    /* exactly enough room */
	if (n != (int)v->len)
		fail_msg("%s: encode returned %d, want %zu", v->name, n, v->len);
	if (memcmp(out, v->bytes, v->len)) {
		dump_diff(out, v->bytes, v->len);
		fail_msg("%s: encoding differs from the vector", v->name);
	}
	/* decode from a copy of exactly len bytes; got points into it */
	memcpy(out, v->bytes, v->len);
	expect_rc(v->name, decode_as(v->msg.type, out, v->len, MSIZE, &got), 0);
	diff = p9_msg_diff(&v->msg, &got);
	if (diff)
		fail_msg("%s: decoded field %s differs", v->name, diff);
	free(out);
}

/* ---- round trip and per-type hostile input over the samples ----------- */

static const char *sample_name(size_t i, const struct p9_msg *m)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "sample %zu (%s)", i, p9_type_name(m->type));
	return buf;
}

/* Every T and R type of 9P2000.L has at least one sample. */
static void test_samples_cover_every_type(void **state)
{
	size_t n, types = 0;
	const struct p9_msg *s = p9_samples(&n);

	(void)state;
	for (unsigned t = 0; t < 256; t++) {
		bool seen = false;

		if (!p9_is_request((uint8_t)t) && !(t & 1 && p9_type_name((uint8_t)t)))
			continue;
		for (size_t i = 0; i < n && !seen; i++)
			seen = s[i].type == t;
		if (!seen)
			fail_msg("no sample of %s", p9_type_name((uint8_t)t));
		types++;
	}
	assert_int_equal(types, 57);         /* 28 T + 28 R + Rlerror */
}

static void test_roundtrip_all(void **state)
{
	size_t n, len;
	const struct p9_msg *s = p9_samples(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		struct p9_msg got;
		uint8_t *b = encode_exact(&s[i], &len);
		const char *diff;

		expect_rc(sample_name(i, &s[i]), decode_as(s[i].type, b, len, MSIZE, &got), 0);
		diff = p9_msg_diff(&s[i], &got);
		if (diff)
			fail_msg("%s: field %s differs after a round trip", sample_name(i, &s[i]), diff);
		/* Re-encoding what was decoded gives the same bytes. */
		{
			uint8_t *again = encode_exact(&got, &len);

			assert_memory_equal(again, b, len);
			free(again);
		}
		free(b);
	}
}

/* Every proper prefix of every sample, with the size field patched to the
 * prefix length (so framing passes), is a truncated body: -EBADMSG.  With
 * the size field left alone, it is a size mismatch: also -EBADMSG. */
static void test_truncated_all(void **state)
{
	size_t n, len;
	const struct p9_msg *s = p9_samples(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		uint8_t *b = encode_exact(&s[i], &len);
		struct p9_msg got;

		for (size_t cut = 0; cut < len; cut++) {
			uint8_t *c = dup_bytes(b, cut);
			char what[96];

			snprintf(what, sizeof(what), "%s cut at %zu", sample_name(i, &s[i]), cut);
			expect_rc(what, decode_as(s[i].type, c, cut, P9_MAX_MSIZE, &got), -EBADMSG);
			if (cut >= 4)
				le32_put(c, (uint32_t)cut);
			expect_rc(what, decode_as(s[i].type, c, cut, P9_MAX_MSIZE, &got), -EBADMSG);
			free(c);
		}
		free(b);
	}
}

/* One byte more than the body needs, size field updated: -EBADMSG. */
static void test_trailing_byte_all(void **state)
{
	size_t n, len;
	const struct p9_msg *s = p9_samples(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		uint8_t *b = encode_exact(&s[i], &len);
		uint8_t *c = malloc(len + 1);
		struct p9_msg got;

		assert_non_null(c);
		memcpy(c, b, len);
		c[len] = 0;
		le32_put(c, (uint32_t)(len + 1));
		expect_rc(sample_name(i, &s[i]), decode_as(s[i].type, c, len + 1, P9_MAX_MSIZE, &got),
			  -EBADMSG);
		free(c);
		free(b);
	}
}

/* msize one below the message: -EMSGSIZE for every type. */
static void test_size_above_msize_all(void **state)
{
	size_t n, len;
	const struct p9_msg *s = p9_samples(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		uint8_t *b = encode_exact(&s[i], &len);
		struct p9_msg got;

		expect_rc(sample_name(i, &s[i]),
			  decode_as(s[i].type, b, len, (uint32_t)len - 1, &got), -EMSGSIZE);
		free(b);
	}
}

/* R-messages handed to p9_decode_request and T-messages handed to
 * p9_decode_reply: -EPROTO, for every type. */
static void test_wrong_direction_all(void **state)
{
	size_t n, len;
	const struct p9_msg *s = p9_samples(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		uint8_t *b = encode_exact(&s[i], &len);
		struct p9_msg got;
		int rc;

		if (p9_is_request(s[i].type))
			rc = p9_decode_reply(b, len, P9_MAX_MSIZE, &got);
		else
			rc = p9_decode_request(b, len, P9_MAX_MSIZE, &got);
		expect_rc(sample_name(i, &s[i]), rc, -EPROTO);
		free(b);
	}
}

/* Encoding into every too-small buffer fails with -EMSGSIZE and writes
 * nothing past cap (the buffer is exactly cap bytes: ASan watches). */
static void test_encode_bounds_all(void **state)
{
	size_t n, len;
	const struct p9_msg *s = p9_samples(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		uint8_t *b = encode_exact(&s[i], &len);

		for (size_t cap = 0; cap < len; cap++) {
			uint8_t *c = malloc(cap + 8);

			assert_non_null(c);
			memset(c, 0xa5, cap + 8);
			expect_rc(sample_name(i, &s[i]), p9_encode(&s[i], c, cap), -EMSGSIZE);
			for (size_t k = cap; k < cap + 8; k++)
				if (c[k] != 0xa5)
					fail_msg("%s: cap %zu: wrote byte %zu", sample_name(i, &s[i]), cap, k);
			free(c);
		}
		free(b);
	}
}

/* ---- hostile input, one test per class -------------------------------- */

static void test_short_header(void **state)
{
	static const uint8_t hdr[7] = { 7, 0, 0, 0, P9_RCLUNK, 1, 0 };
	struct p9_msg m;
	uint32_t size;

	(void)state;
	for (size_t len = 0; len < P9_HDRSZ; len++) {
		expect_rc("short request", decode_copy(P9_TCLUNK, hdr, len, MSIZE, &m), -EBADMSG);
		expect_rc("short reply", decode_copy(P9_RCLUNK, hdr, len, MSIZE, &m), -EBADMSG);
		assert_int_equal(p9_peek_header(hdr, len, &size, NULL, NULL), -EBADMSG);
	}
	expect_rc("NULL buffer", p9_decode_request(NULL, 0, MSIZE, &m), -EBADMSG);
	expect_rc("NULL out", p9_decode_reply(hdr, sizeof(hdr), MSIZE, NULL), -EINVAL);
	/* the 7-byte header alone is a whole Rclunk */
	expect_rc("Rclunk", decode_copy(P9_RCLUNK, hdr, sizeof(hdr), MSIZE, &m), 0);
	assert_int_equal(m.tag, 1);
}

static void test_size_field_mismatch(void **state)
{
	uint8_t b[15];
	struct p9_msg m;

	(void)state;
	memcpy(b, v_tfsync, sizeof(b));
	le32_put(b, 16);                           /* claims one byte more */
	expect_rc("size len+1", decode_copy(P9_TFSYNC, b, sizeof(b), MSIZE, &m), -EBADMSG);
	le32_put(b, 14);                           /* claims one byte less */
	expect_rc("size len-1", decode_copy(P9_TFSYNC, b, sizeof(b), MSIZE, &m), -EBADMSG);
	le32_put(b, 0);
	expect_rc("size 0", decode_copy(P9_TFSYNC, b, sizeof(b), MSIZE, &m), -EBADMSG);
	le32_put(b, 6);
	expect_rc("size 6", decode_copy(P9_TFSYNC, b, sizeof(b), MSIZE, &m), -EBADMSG);
	le32_put(b, UINT32_MAX);                   /* above any msize */
	expect_rc("size ~0", decode_copy(P9_TFSYNC, b, sizeof(b), MSIZE, &m), -EMSGSIZE);
	le32_put(b, MSIZE + 1);
	expect_rc("size msize+1", decode_copy(P9_TFSYNC, b, sizeof(b), MSIZE, &m), -EMSGSIZE);
	le32_put(b, 15);
	expect_rc("fixed", decode_copy(P9_TFSYNC, b, sizeof(b), MSIZE, &m), 0);
}

static void test_size_above_msize(void **state)
{
	struct p9_msg m;

	(void)state;
	/* a 23-byte Tread with msize 22, a 160-byte Rgetattr with msize 159 */
	expect_rc("Tread", decode_copy(P9_TREAD, v_tread, sizeof(v_tread), 22, &m), -EMSGSIZE);
	expect_rc("Rgetattr", decode_copy(P9_RGETATTR, v_rgetattr, sizeof(v_rgetattr), 159, &m),
		  -EMSGSIZE);
	expect_rc("msize 0", decode_copy(P9_RLERROR, v_rlerror, sizeof(v_rlerror), 0, &m),
		  -EMSGSIZE);
	/* equal to msize is fine */
	expect_rc("Rgetattr", decode_copy(P9_RGETATTR, v_rgetattr, sizeof(v_rgetattr), 160, &m), 0);
}

static void test_string_longer_than_message(void **state)
{
	uint8_t b[sizeof(v_tattach)];
	struct p9_msg m;

	(void)state;
	memcpy(b, v_tattach, sizeof(b));
	b[15] = 0xff;                              /* uname length 0xffff */
	b[16] = 0xff;
	expect_rc("uname 0xffff", decode_copy(P9_TATTACH, b, sizeof(b), MSIZE, &m), -EBADMSG);
	b[15] = 0x0f;                              /* uname length 15: eats aname too */
	b[16] = 0x00;
	expect_rc("uname 15", decode_copy(P9_TATTACH, b, sizeof(b), MSIZE, &m), -EBADMSG);
	b[15] = 0x04;
	b[21] = 0x09;                              /* aname length 9: 8 bytes remain */
	expect_rc("aname 5", decode_copy(P9_TATTACH, b, sizeof(b), MSIZE, &m), -EBADMSG);

	/* Rreadlink whose target length runs one byte past the end */
	{
		const uint8_t r[] = { 0x0c, 0, 0, 0, P9_RREADLINK, 1, 0, 0x04, 0x00, 'a', 'b', 'c' };

		expect_rc("Rreadlink", decode_copy(P9_RREADLINK, r, sizeof(r), MSIZE, &m), -EBADMSG);
	}
}

static void test_counts_that_lie(void **state)
{
	uint8_t b[64];
	struct p9_msg m;

	(void)state;
	/* Rread: count 6 but 5 bytes follow; count 4 leaves a byte over;
	 * count ~0 */
	memcpy(b, v_rread, sizeof(v_rread));
	b[7] = 6;
	expect_rc("Rread count+1", decode_copy(P9_RREAD, b, sizeof(v_rread), MSIZE, &m), -EBADMSG);
	b[7] = 4;
	expect_rc("Rread count-1", decode_copy(P9_RREAD, b, sizeof(v_rread), MSIZE, &m), -EBADMSG);
	memset(b + 7, 0xff, 4);
	expect_rc("Rread count ~0", decode_copy(P9_RREAD, b, sizeof(v_rread), MSIZE, &m), -EBADMSG);

	/* Twrite: count 4 but 3 bytes follow; count 2 */
	memcpy(b, v_twrite, sizeof(v_twrite));
	b[19] = 4;
	expect_rc("Twrite count+1", decode_copy(P9_TWRITE, b, sizeof(v_twrite), MSIZE, &m), -EBADMSG);
	b[19] = 2;
	expect_rc("Twrite count-1", decode_copy(P9_TWRITE, b, sizeof(v_twrite), MSIZE, &m), -EBADMSG);

	/* Rreaddir: count 52 but 51 bytes follow */
	memcpy(b, v_rreaddir, sizeof(v_rreaddir));
	b[7] = 52;
	expect_rc("Rreaddir count+1", decode_copy(P9_RREADDIR, b, sizeof(v_rreaddir), MSIZE, &m),
		  -EBADMSG);
	memset(b + 7, 0xff, 4);
	expect_rc("Rreaddir count ~0", decode_copy(P9_RREADDIR, b, sizeof(v_rreaddir), MSIZE, &m),
		  -EBADMSG);
}

static void test_walk_too_many(void **state)
{
	uint8_t b[7 + 10 + 17 * 3];
	uint8_t r[7 + 2 + 17 * P9_QIDSZ];
	size_t len = 0;
	struct p9_msg m;

	(void)state;
	/* Twalk with 17 one-letter names, all present */
	memset(b, 0, sizeof(b));
	b[4] = P9_TWALK;
	len = 7 + 4 + 4;
	b[len++] = 17;
	b[len++] = 0;
	for (int i = 0; i < 17; i++) {
		b[len++] = 1;
		b[len++] = 0;
		b[len++] = (uint8_t)('a' + i);
	}
	assert_int_equal(len, sizeof(b));
	le32_put(b, (uint32_t)len);
	expect_rc("Twalk 17", decode_copy(P9_TWALK, b, len, MSIZE, &m), -E2BIG);
	b[15] = 0xff;                              /* nwname 0xffff */
	b[16] = 0xff;
	expect_rc("Twalk 65535", decode_copy(P9_TWALK, b, len, MSIZE, &m), -E2BIG);
	/* the same with 16 names and one byte-trio trailing is just garbage */
	b[15] = 16;
	b[16] = 0;
	expect_rc("Twalk 16+junk", decode_copy(P9_TWALK, b, len, MSIZE, &m), -EBADMSG);

	/* Rwalk with 17 qids */
	memset(r, 0, sizeof(r));
	le32_put(r, sizeof(r));
	r[4] = P9_RWALK;
	r[7] = 17;
	expect_rc("Rwalk 17", decode_copy(P9_RWALK, r, sizeof(r), MSIZE, &m), -E2BIG);
	r[7] = 16;
	expect_rc("Rwalk 16+junk", decode_copy(P9_RWALK, r, sizeof(r), MSIZE, &m), -EBADMSG);
	le32_put(r, sizeof(r) - P9_QIDSZ);
	expect_rc("Rwalk 16", decode_copy(P9_RWALK, r, sizeof(r) - P9_QIDSZ, MSIZE, &m), 0);
	assert_int_equal(m.u.rwalk.nwqid, 16);
}

static void test_unknown_types(void **state)
{
	uint8_t b[16] = { 16, 0, 0, 0, 0, 1, 0 };
	struct p9_msg m;

	(void)state;
	for (unsigned t = 0; t < 256; t++) {
		bool req = p9_is_request((uint8_t)t);
		bool rep = (t & 1) && p9_type_name((uint8_t)t);
		char what[32];

		if (req || rep)
			continue;
		b[4] = (uint8_t)t;
		snprintf(what, sizeof(what), "type %u", t);
		expect_rc(what, p9_decode_request(b, sizeof(b), MSIZE, &m), -EPROTO);
		expect_rc(what, p9_decode_reply(b, sizeof(b), MSIZE, &m), -EPROTO);
	}
	/* 9P2000's Rerror (107) and Tlerror (6) are not 9P2000.L messages */
	assert_false(p9_is_request(P9_TLERROR));
	b[4] = 107;
	expect_rc("Rerror", p9_decode_reply(b, sizeof(b), MSIZE, &m), -EPROTO);
}

static void test_wrong_direction(void **state)
{
	struct p9_msg m;

	(void)state;
	expect_rc("Rlerror as request",
		  p9_decode_request(v_rlerror, sizeof(v_rlerror), MSIZE, &m), -EPROTO);
	expect_rc("Rread as request", p9_decode_request(v_rread, sizeof(v_rread), MSIZE, &m),
		  -EPROTO);
	expect_rc("Tversion as reply",
		  p9_decode_reply(v_tversion, sizeof(v_tversion), MSIZE, &m), -EPROTO);
	expect_rc("Twalk as reply", p9_decode_reply(v_twalk, sizeof(v_twalk), MSIZE, &m), -EPROTO);
}

/* Tread/Treaddir count and Twrite count against msize - 24, with values
 * near 2^32 that would wrap in 32-bit arithmetic. */
static void test_io_counts_vs_msize(void **state)
{
	static const uint32_t msizes[] = { 23, 24, 25, 4096, MSIZE, P9_MAX_MSIZE, UINT32_MAX };
	static const uint8_t types[] = { P9_TREAD, P9_TREADDIR };
	uint8_t b[23];
	struct p9_msg m;

	(void)state;
	for (size_t t = 0; t < sizeof(types); t++) {
		memcpy(b, v_tread, sizeof(b));
		b[4] = types[t];
		for (size_t i = 0; i < sizeof(msizes) / sizeof(msizes[0]); i++) {
			uint32_t ms = msizes[i];
			uint32_t limit = ms > 24 ? ms - 24 : 0;
			char what[64];

			snprintf(what, sizeof(what), "%s msize %u", p9_type_name(types[t]), ms);
			le32_put(b + 19, limit);
			expect_rc(what, decode_copy(types[t], b, sizeof(b), ms, &m), 0);
			assert_int_equal(m.u.tread.count, limit);
			if (limit < UINT32_MAX) {
				le32_put(b + 19, limit + 1);
				expect_rc(what, decode_copy(types[t], b, sizeof(b), ms, &m), -EMSGSIZE);
			}
			le32_put(b + 19, UINT32_MAX);
			expect_rc(what, decode_copy(types[t], b, sizeof(b), ms, &m), -EMSGSIZE);
			le32_put(b + 19, UINT32_MAX - 23);  /* would pass a wrapped check */
			expect_rc(what, decode_copy(types[t], b, sizeof(b), ms, &m),
				  (uint64_t)UINT32_MAX - 23 <= limit ? 0 : -EMSGSIZE);
		}
	}
}

static void test_twrite_count_vs_msize(void **state)
{
	const uint32_t ms = 4096;
	uint8_t *b = calloc(1, ms);
	struct p9_msg m;
	uint32_t count;

	(void)state;
	assert_non_null(b);
	/* count msize-24: message is msize-1 bytes, fine */
	count = ms - 24;
	memcpy(b, v_twrite, 23);
	le32_put(b, 23 + count);
	le32_put(b + 19, count);
	expect_rc("Twrite msize-24", decode_copy(P9_TWRITE, b, 23 + count, ms, &m), 0);
	assert_int_equal(m.u.twrite.count, count);
	/* count msize-23: the message is exactly msize, but count exceeds the
	 * iounit */
	count = ms - 23;
	le32_put(b, 23 + count);
	le32_put(b + 19, count);
	expect_rc("Twrite msize-23", decode_copy(P9_TWRITE, b, 23 + count, ms, &m), -EMSGSIZE);
	/* count ~0 with 3 bytes of data */
	memcpy(b, v_twrite, sizeof(v_twrite));
	le32_put(b + 19, UINT32_MAX);
	expect_rc("Twrite ~0", decode_copy(P9_TWRITE, b, sizeof(v_twrite), ms, &m), -EMSGSIZE);
	free(b);
}

static void test_trailing_garbage(void **state)
{
	uint8_t b[sizeof(v_rlopen) + 3];
	struct p9_msg m;

	(void)state;
	memcpy(b, v_rlopen, sizeof(v_rlopen));
	memcpy(b + sizeof(v_rlopen), "xyz", 3);
	le32_put(b, sizeof(b));
	expect_rc("Rlopen+3", decode_copy(P9_RLOPEN, b, sizeof(b), MSIZE, &m), -EBADMSG);
	/* unframed: buffer longer than the size field */
	le32_put(b, sizeof(v_rlopen));
	expect_rc("Rlopen len>size", decode_copy(P9_RLOPEN, b, sizeof(b), MSIZE, &m), -EBADMSG);
}

static void test_tversion_msize_unbounded(void **state)
{
	uint8_t b[sizeof(v_tversion)];
	struct p9_msg m;

	(void)state;
	memcpy(b, v_tversion, sizeof(b));
	memset(b + 7, 0xff, 4);                    /* msize 0xffffffff */
	expect_rc("Tversion", decode_copy(P9_TVERSION, b, sizeof(b), 64, &m), 0);
	assert_int_equal(m.u.version.msize, UINT32_MAX);
	memset(b + 7, 0, 4);                       /* msize 0 */
	expect_rc("Tversion 0", decode_copy(P9_TVERSION, b, sizeof(b), 64, &m), 0);
	assert_int_equal(m.u.version.msize, 0);
}

/* After a failed decode, only type and tag remain (a server still answers
 * the tag); no half-decoded field leaks out. */
static void test_error_clears_body(void **state)
{
	uint8_t b[sizeof(v_tattach)];
	struct p9_msg m;

	(void)state;
	memcpy(b, v_tattach, sizeof(b));
	b[21] = 0x09;                              /* aname runs past the end */
	expect_rc("Tattach", decode_copy(P9_TATTACH, b, sizeof(b), MSIZE, &m), -EBADMSG);
	assert_int_equal(m.type, P9_TATTACH);
	assert_int_equal(m.tag, 1);
	assert_int_equal(m.u.tattach.fid, 0);
	assert_int_equal(m.u.tattach.uname.len, 0);
	assert_null(m.u.tattach.uname.s);
}

/* ---- encoder specifics ------------------------------------------------ */

static void test_encode_invalid(void **state)
{
	uint8_t b[256];
	struct p9_msg m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = 99;
	assert_int_equal(p9_encode(&m, b, sizeof(b)), -EINVAL);
	m.type = P9_TLERROR;
	assert_int_equal(p9_encode(&m, b, sizeof(b)), -EINVAL);
	m.type = 107;                              /* 9P2000 Rerror */
	assert_int_equal(p9_encode(&m, b, sizeof(b)), -EINVAL);
	assert_int_equal(p9_encode(NULL, b, sizeof(b)), -EINVAL);

	m.type = P9_TWALK;
	m.u.twalk.nwname = 17;
	assert_int_equal(p9_encode(&m, b, sizeof(b)), -EINVAL);
	memset(&m, 0, sizeof(m));
	m.type = P9_RWALK;
	m.u.rwalk.nwqid = 17;
	assert_int_equal(p9_encode(&m, b, sizeof(b)), -EINVAL);

	memset(&m, 0, sizeof(m));
	m.type = P9_TMKDIR;
	m.u.tmkdir.name.len = 3;                   /* length without bytes */
	assert_int_equal(p9_encode(&m, b, sizeof(b)), -EINVAL);

	memset(&m, 0, sizeof(m));
	m.type = P9_RREAD;
	m.u.rread.count = 3;                       /* count without data */
	assert_int_equal(p9_encode(&m, b, sizeof(b)), -EINVAL);

	memset(&m, 0, sizeof(m));
	m.type = P9_RCLUNK;
	assert_int_equal(p9_encode(&m, NULL, 0), -EMSGSIZE);
	assert_int_equal(p9_encode(&m, b, 7), 7);
}

/* A payload already at its final place (buf + header) is left intact, and
 * one overlapping the header is moved before the header is written. */
static void test_encode_payload_in_place(void **state)
{
	uint8_t b[64];
	struct p9_msg m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = P9_RREAD;
	m.tag = 4;
	memcpy(b + P9_RREAD_HDRSZ, "hello", 5);
	m.u.rread.count = 5;
	m.u.rread.data = b + P9_RREAD_HDRSZ;
	assert_int_equal(p9_encode(&m, b, sizeof(b)), sizeof(v_rread));
	assert_memory_equal(b, v_rread, sizeof(v_rread));

	memset(b, 0, sizeof(b));
	memcpy(b, "hello", 5);                     /* overlaps size/type/tag */
	m.u.rread.data = b;
	assert_int_equal(p9_encode(&m, b, sizeof(b)), sizeof(v_rread));
	assert_memory_equal(b, v_rread, sizeof(v_rread));

	memset(&m, 0, sizeof(m));
	m.type = P9_TWRITE;
	m.tag = 5;
	m.u.twrite.fid = 2;
	m.u.twrite.offset = 10;
	m.u.twrite.count = 3;
	memset(b, 0, sizeof(b));
	memcpy(b + 23, "abc", 3);
	m.u.twrite.data = b + 23;
	assert_int_equal(p9_encode(&m, b, sizeof(b)), sizeof(v_twrite));
	assert_memory_equal(b, v_twrite, sizeof(v_twrite));
}

/* ---- dirents ----------------------------------------------------------- */

static void test_dirent_put_matches_vector(void **state)
{
	const struct p9_qid q1 = { P9_QTDIR, 0, 2 }, q2 = { P9_QTFILE, 0, 3 };
	uint8_t b[51];
	int n1, n2;

	(void)state;
	n1 = p9_dirent_put(b, sizeof(b), &q1, 1, 4, ".", 1);
	assert_int_equal(n1, 25);
	n2 = p9_dirent_put(b + n1, sizeof(b) - (size_t)n1, &q2, 2, 8, "ab", 2);
	assert_int_equal(n2, 26);
	assert_memory_equal(b, v_rreaddir + 11, sizeof(b));
}

static void test_dirent_next_parses_vector(void **state)
{
	const uint8_t *d = v_rreaddir + 11;
	struct p9_dirent e;
	size_t pos = 0;

	(void)state;
	assert_int_equal(p9_dirent_next(d, 51, &pos, &e), 1);
	assert_int_equal(pos, 25);
	assert_int_equal(e.qid.type, P9_QTDIR);
	assert_int_equal(e.qid.path, 2);
	assert_int_equal(e.offset, 1);
	assert_int_equal(e.type, 4);
	assert_int_equal(e.name.len, 1);
	assert_memory_equal(e.name.s, ".", 1);
	assert_int_equal(p9_dirent_next(d, 51, &pos, &e), 1);
	assert_int_equal(pos, 51);
	assert_int_equal(e.qid.path, 3);
	assert_int_equal(e.offset, 2);
	assert_int_equal(e.type, 8);
	assert_int_equal(e.name.len, 2);
	assert_memory_equal(e.name.s, "ab", 2);
	assert_int_equal(p9_dirent_next(d, 51, &pos, &e), 0);
	assert_int_equal(pos, 51);
}

static void test_dirent_truncated(void **state)
{
	struct p9_dirent e;

	(void)state;
	/* every cut inside the second entry: first parses, second -EBADMSG,
	 * pos stays at the start of the broken entry */
	for (size_t len = 26; len < 51; len++) {
		uint8_t *c = dup_bytes(v_rreaddir + 11, len);
		size_t pos = 0;

		assert_int_equal(p9_dirent_next(c, len, &pos, &e), 1);
		assert_int_equal(p9_dirent_next(c, len, &pos, &e), -EBADMSG);
		assert_int_equal(pos, 25);
		free(c);
	}
	/* a name length that runs past the data */
	{
		uint8_t c[25];
		size_t pos = 0;

		memcpy(c, v_rreaddir + 11, sizeof(c));
		c[22] = 2;
		assert_int_equal(p9_dirent_next(c, sizeof(c), &pos, &e), -EBADMSG);
	}
	{
		size_t pos = 52;

		assert_int_equal(p9_dirent_next(v_rreaddir + 11, 51, &pos, &e), -EINVAL);
	}
}

static void test_dirent_put_nospace(void **state)
{
	const struct p9_qid q = { 0, 1, 2 };
	uint8_t b[40];

	(void)state;
	for (size_t cap = 0; cap < 13 + 8 + 1 + 2 + 5; cap++) {
		memset(b, 0xa5, sizeof(b));
		assert_int_equal(p9_dirent_put(b, cap, &q, 7, 8, "hello", 5), -ENOSPC);
		for (size_t k = 0; k < sizeof(b); k++)
			assert_int_equal(b[k], 0xa5);   /* nothing written on failure */
	}
	assert_int_equal(p9_dirent_put(b, 29, &q, 7, 8, "hello", 5), 29);
	assert_int_equal(p9_dirent_put(b, sizeof(b), &q, 7, 8, NULL, 1), -EINVAL);
}

/* ---- strings, header, names ------------------------------------------- */

static void test_str_copy(void **state)
{
	char dst[8];
	struct p9_str s = { 5, "hello" };

	(void)state;
	assert_int_equal(p9_str_copy(dst, sizeof(dst), s), 0);
	assert_string_equal(dst, "hello");
	assert_int_equal(p9_str_copy(dst, 6, s), 0);          /* exact fit */
	assert_string_equal(dst, "hello");
	assert_int_equal(p9_str_copy(dst, 5, s), -ENAMETOOLONG);
	assert_int_equal(p9_str_copy(dst, 0, s), -ENAMETOOLONG);
	s = (struct p9_str){ 5, "he\0lo" };
	assert_int_equal(p9_str_copy(dst, sizeof(dst), s), -EINVAL);
	s = (struct p9_str){ 1, "\0" };
	assert_int_equal(p9_str_copy(dst, sizeof(dst), s), -EINVAL);
	s = (struct p9_str){ 0, NULL };
	assert_int_equal(p9_str_copy(dst, 1, s), 0);
	assert_string_equal(dst, "");
	s = (struct p9_str){ 3, NULL };
	assert_int_equal(p9_str_copy(dst, sizeof(dst), s), -EINVAL);
}

static void test_str_of(void **state)
{
	struct p9_str s;
	char *big = malloc(70001);

	(void)state;
	s = p9_str_of("abc");
	assert_int_equal(s.len, 3);
	assert_memory_equal(s.s, "abc", 3);
	s = p9_str_of("");
	assert_int_equal(s.len, 0);
	s = p9_str_of(NULL);
	assert_int_equal(s.len, 0);
	assert_null(s.s);
	assert_non_null(big);
	memset(big, 'x', 70000);
	big[70000] = '\0';
	s = p9_str_of(big);
	assert_int_equal(s.len, 65535);
	assert_ptr_equal(s.s, big);
	free(big);
}

static void test_peek_header(void **state)
{
	uint32_t size;
	uint8_t type;
	uint16_t tag;

	(void)state;
	assert_int_equal(p9_peek_header(v_twalk, 7, &size, &type, &tag), 0);
	assert_int_equal(size, 27);
	assert_int_equal(type, P9_TWALK);
	assert_int_equal(tag, 2);
	assert_int_equal(p9_peek_header(v_tversion, sizeof(v_tversion), NULL, NULL, &tag), 0);
	assert_int_equal(tag, P9_NOTAG);
	assert_int_equal(p9_peek_header(NULL, 7, &size, &type, &tag), -EBADMSG);
}

static void test_type_names(void **state)
{
	unsigned nreq = 0, nrep = 0;

	(void)state;
	assert_string_equal(p9_type_name(P9_TWALK), "Twalk");
	assert_string_equal(p9_type_name(P9_RLERROR), "Rlerror");
	assert_string_equal(p9_type_name(P9_RUNLINKAT), "Runlinkat");
	assert_null(p9_type_name(0));
	assert_null(p9_type_name(107));
	assert_null(p9_type_name(255));
	for (unsigned t = 0; t < 256; t++) {
		const char *nm = p9_type_name((uint8_t)t);

		if (p9_is_request((uint8_t)t)) {
			nreq++;
			assert_non_null(nm);
			assert_int_equal(nm[0], 'T');
			/* its reply exists and is named R... */
			assert_non_null(p9_type_name((uint8_t)(t + 1)));
			assert_int_equal(p9_type_name((uint8_t)(t + 1))[0], 'R');
		} else if (nm && nm[0] == 'R') {
			nrep++;
		}
	}
	assert_int_equal(nreq, 28);
	assert_int_equal(nrep, 29);
}

/* ---- main ------------------------------------------------------------- */

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_samples_cover_every_type),
	cmocka_unit_test(test_roundtrip_all),
	cmocka_unit_test(test_truncated_all),
	cmocka_unit_test(test_trailing_byte_all),
	cmocka_unit_test(test_size_above_msize_all),
	cmocka_unit_test(test_wrong_direction_all),
	cmocka_unit_test(test_encode_bounds_all),
	cmocka_unit_test(test_short_header),
	cmocka_unit_test(test_size_field_mismatch),
	cmocka_unit_test(test_size_above_msize),
	cmocka_unit_test(test_string_longer_than_message),
	cmocka_unit_test(test_counts_that_lie),
	cmocka_unit_test(test_walk_too_many),
	cmocka_unit_test(test_unknown_types),
	cmocka_unit_test(test_wrong_direction),
	cmocka_unit_test(test_io_counts_vs_msize),
	cmocka_unit_test(test_twrite_count_vs_msize),
	cmocka_unit_test(test_trailing_garbage),
	cmocka_unit_test(test_tversion_msize_unbounded),
	cmocka_unit_test(test_error_clears_body),
	cmocka_unit_test(test_encode_invalid),
	cmocka_unit_test(test_encode_payload_in_place),
	cmocka_unit_test(test_dirent_put_matches_vector),
	cmocka_unit_test(test_dirent_next_parses_vector),
	cmocka_unit_test(test_dirent_truncated),
	cmocka_unit_test(test_dirent_put_nospace),
	cmocka_unit_test(test_str_copy),
	cmocka_unit_test(test_str_of),
	cmocka_unit_test(test_peek_header),
	cmocka_unit_test(test_type_names),
};

#define NFIXED (sizeof(fixed_tests) / sizeof(fixed_tests[0]))
#define NVECS  (sizeof(vecs) / sizeof(vecs[0]))

int main(void)
{
	static struct CMUnitTest tests[NFIXED + NVECS];
	static char names[NVECS][40];
	size_t n = 0;

	/* one named test per hand-written vector, then the fixed tests */
	for (size_t i = 0; i < NVECS; i++) {
		snprintf(names[i], sizeof(names[i]), "vector_%s", vecs[i].name);
		tests[n++] = (struct CMUnitTest){ .name = names[i], .test_func = test_vector,
						  .initial_state = (void *)&vecs[i] };
	}
	for (size_t i = 0; i < NFIXED; i++)
		tests[n++] = fixed_tests[i];
	return _cmocka_run_group_tests("codec", tests, n, NULL, NULL);
}
