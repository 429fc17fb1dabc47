/* 9P2000.L wire codec: message types, decoded message structures, and
 * strict bounds-checked decode/encode.  Shared by burrow-gofer (server),
 * burrow-sentry (FUSE client) and the tests/benchmarks.
 *
 * Decoding is zero-copy: strings and data payloads in a decoded message
 * point into the caller's buffer, which must outlive the message.  Decoded
 * strings are NOT NUL-terminated; use p9_str_copy() to get a C string.
 *
 * All functions return 0 (or a length) on success and a negative errno on
 * failure; they never read or write outside the buffers they are given. */
#ifndef BURROW_P9_H
#define BURROW_P9_H

#include <stddef.h>
#include <stdint.h>

#define P9_VERSION_L      "9P2000.L"
/* burrow's extension (unix sockets only): Rlopen and Rlcreate of a
 * regular file carry its host fd (SCM_RIGHTS, on the reply's first byte) */
#define P9_VERSION_L_FDS  "9P2000.L.burrow-fds"
#define P9_HDRSZ          7u          /* size[4] type[1] tag[2] */
#define P9_IOHDRSZ        24u         /* room Tread/Twrite need around data */
#define P9_READDIRHDRSZ   24u
#define P9_RREAD_HDRSZ    11u         /* header + count[4]: data starts here */
#define P9_MIN_MSIZE      4096u
#define P9_MAX_MSIZE      (4u << 20)  /* 4 MiB: hard ceiling for both sides */
#define P9_MAXWELEM       16u
#define P9_NOTAG          ((uint16_t)~0)
#define P9_NOFID          ((uint32_t)~0)
#define P9_NONUNAME       ((uint32_t)~0)
#define P9_QIDSZ          13u

enum p9_type {
	P9_TLERROR = 6,      P9_RLERROR,
	P9_TSTATFS = 8,      P9_RSTATFS,
	P9_TLOPEN = 12,      P9_RLOPEN,
	P9_TLCREATE = 14,    P9_RLCREATE,
	P9_TSYMLINK = 16,    P9_RSYMLINK,
	P9_TMKNOD = 18,      P9_RMKNOD,
	P9_TRENAME = 20,     P9_RRENAME,
	P9_TREADLINK = 22,   P9_RREADLINK,
	P9_TGETATTR = 24,    P9_RGETATTR,
	P9_TSETATTR = 26,    P9_RSETATTR,
	P9_TXATTRWALK = 30,  P9_RXATTRWALK,
	P9_TXATTRCREATE = 32, P9_RXATTRCREATE,
	P9_TREADDIR = 40,    P9_RREADDIR,
	P9_TFSYNC = 50,      P9_RFSYNC,
	P9_TLOCK = 52,       P9_RLOCK,
	P9_TGETLOCK = 54,    P9_RGETLOCK,
	P9_TLINK = 70,       P9_RLINK,
	P9_TMKDIR = 72,      P9_RMKDIR,
	P9_TRENAMEAT = 74,   P9_RRENAMEAT,
	P9_TUNLINKAT = 76,   P9_RUNLINKAT,
	P9_TVERSION = 100,   P9_RVERSION,
	P9_TAUTH = 102,      P9_RAUTH,
	P9_TATTACH = 104,    P9_RATTACH,
	P9_TFLUSH = 108,     P9_RFLUSH,
	P9_TWALK = 110,      P9_RWALK,
	P9_TREAD = 116,      P9_RREAD,
	P9_TWRITE = 118,     P9_RWRITE,
	P9_TCLUNK = 120,     P9_RCLUNK,
	P9_TREMOVE = 122,    P9_RREMOVE,
};

/* qid.type bits */
#define P9_QTDIR     0x80
#define P9_QTAPPEND  0x40
#define P9_QTEXCL    0x20
#define P9_QTMOUNT   0x10
#define P9_QTAUTH    0x08
#define P9_QTTMP     0x04
#define P9_QTSYMLINK 0x02
#define P9_QTLINK    0x01
#define P9_QTFILE    0x00

/* Tgetattr request_mask / Rgetattr valid */
#define P9_GETATTR_MODE         0x00000001ULL
#define P9_GETATTR_NLINK        0x00000002ULL
#define P9_GETATTR_UID          0x00000004ULL
#define P9_GETATTR_GID          0x00000008ULL
#define P9_GETATTR_RDEV         0x00000010ULL
#define P9_GETATTR_ATIME        0x00000020ULL
#define P9_GETATTR_MTIME        0x00000040ULL
#define P9_GETATTR_CTIME        0x00000080ULL
#define P9_GETATTR_INO          0x00000100ULL
#define P9_GETATTR_SIZE         0x00000200ULL
#define P9_GETATTR_BLOCKS       0x00000400ULL
#define P9_GETATTR_BTIME        0x00000800ULL
#define P9_GETATTR_GEN          0x00001000ULL
#define P9_GETATTR_DATA_VERSION 0x00002000ULL
#define P9_GETATTR_BASIC        0x000007ffULL
#define P9_GETATTR_ALL          0x00003fffULL

/* Tsetattr valid */
#define P9_SETATTR_MODE      0x00000001u
#define P9_SETATTR_UID       0x00000002u
#define P9_SETATTR_GID       0x00000004u
#define P9_SETATTR_SIZE      0x00000008u
#define P9_SETATTR_ATIME     0x00000010u
#define P9_SETATTR_MTIME     0x00000020u
#define P9_SETATTR_CTIME     0x00000040u
#define P9_SETATTR_ATIME_SET 0x00000080u
#define P9_SETATTR_MTIME_SET 0x00000100u

/* Tlopen/Tlcreate flags (Linux values on the wire, as v9fs sends) */
#define P9_DOTL_RDONLY    00000000
#define P9_DOTL_WRONLY    00000001
#define P9_DOTL_RDWR      00000002
#define P9_DOTL_NOACCESS  00000003
#define P9_DOTL_CREATE    00000100
#define P9_DOTL_EXCL      00000200
#define P9_DOTL_NOCTTY    00000400
#define P9_DOTL_TRUNC     00001000
#define P9_DOTL_APPEND    00002000
#define P9_DOTL_NONBLOCK  00004000
#define P9_DOTL_DSYNC     00010000
#define P9_DOTL_FASYNC    00020000
#define P9_DOTL_DIRECT    00040000
#define P9_DOTL_LARGEFILE 00100000
#define P9_DOTL_DIRECTORY 00200000
#define P9_DOTL_NOFOLLOW  00400000
#define P9_DOTL_NOATIME   01000000
#define P9_DOTL_CLOEXEC   02000000
#define P9_DOTL_SYNC      04000000

/* Tlock */
#define P9_LOCK_TYPE_RDLCK 0
#define P9_LOCK_TYPE_WRLCK 1
#define P9_LOCK_TYPE_UNLCK 2
#define P9_LOCK_FLAGS_BLOCK   1
#define P9_LOCK_FLAGS_RECLAIM 2
#define P9_LOCK_SUCCESS 0
#define P9_LOCK_BLOCKED 1
#define P9_LOCK_ERROR   2
#define P9_LOCK_GRACE   3

/* Tunlinkat flags */
#define P9_AT_REMOVEDIR 0x200

/* Txattrcreate flags */
#define P9_XATTR_CREATE  1
#define P9_XATTR_REPLACE 2

struct p9_str {
	uint16_t len;
	const char *s;    /* not NUL-terminated; NULL only when len == 0 */
};

struct p9_qid {
	uint8_t type;
	uint32_t version;
	uint64_t path;
};

struct p9_attr {              /* Rgetattr body */
	uint64_t valid;
	struct p9_qid qid;
	uint32_t mode, uid, gid;
	uint64_t nlink, rdev, size, blksize, blocks;
	uint64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec;
	uint64_t ctime_sec, ctime_nsec, btime_sec, btime_nsec;
	uint64_t gen, data_version;
};

struct p9_iattr {             /* Tsetattr body after fid */
	uint32_t valid, mode, uid, gid;
	uint64_t size, atime_sec, atime_nsec, mtime_sec, mtime_nsec;
};

struct p9_statfs {
	uint32_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree, fsid;
	uint32_t namelen;
};

struct p9_flock {             /* shared by Tlock, Tgetlock, Rgetlock */
	uint8_t type;
	uint32_t flags;           /* Tlock only */
	uint64_t start, length;
	uint32_t proc_id;
	struct p9_str client_id;
};

struct p9_msg {
	uint8_t type;
	uint16_t tag;
	union {
		struct { uint32_t msize; struct p9_str version; } version;   /* T and R */
		struct { uint32_t afid; struct p9_str uname, aname; uint32_t n_uname; } tauth;
		struct { struct p9_qid aqid; } rauth;
		struct { uint32_t fid, afid; struct p9_str uname, aname; uint32_t n_uname; } tattach;
		struct { struct p9_qid qid; } rattach;
		struct { uint32_t ecode; } rlerror;
		struct { uint16_t oldtag; } tflush;
		struct { uint32_t fid, newfid; uint16_t nwname; struct p9_str wnames[P9_MAXWELEM]; } twalk;
		struct { uint16_t nwqid; struct p9_qid wqids[P9_MAXWELEM]; } rwalk;
		struct { uint32_t fid; uint64_t offset; uint32_t count; } tread;
		struct { uint32_t count; const uint8_t *data; } rread;
		struct { uint32_t fid; uint64_t offset; uint32_t count; const uint8_t *data; } twrite;
		struct { uint32_t count; } rwrite;
		struct { uint32_t fid; } tclunk;
		struct { uint32_t fid; } tremove;
		struct { uint32_t fid; } tstatfs;
		struct p9_statfs rstatfs;
		struct { uint32_t fid, flags; } tlopen;
		struct { struct p9_qid qid; uint32_t iounit; } rlopen;
		struct { uint32_t fid; struct p9_str name; uint32_t flags, mode, gid; } tlcreate;
		struct { struct p9_qid qid; uint32_t iounit; } rlcreate;
		struct { uint32_t fid; struct p9_str name, symtgt; uint32_t gid; } tsymlink;
		struct { struct p9_qid qid; } rsymlink;
		struct { uint32_t dfid; struct p9_str name; uint32_t mode, major, minor, gid; } tmknod;
		struct { struct p9_qid qid; } rmknod;
		struct { uint32_t fid, dfid; struct p9_str name; } trename;
		struct { uint32_t fid; } treadlink;
		struct { struct p9_str target; } rreadlink;
		struct { uint32_t fid; uint64_t request_mask; } tgetattr;
		struct p9_attr rgetattr;
		struct { uint32_t fid; struct p9_iattr attr; } tsetattr;
		struct { uint32_t fid, newfid; struct p9_str name; } txattrwalk;
		struct { uint64_t size; } rxattrwalk;
		struct { uint32_t fid; struct p9_str name; uint64_t attr_size; uint32_t flags; } txattrcreate;
		struct { uint32_t fid; uint64_t offset; uint32_t count; } treaddir;
		struct { uint32_t count; const uint8_t *data; } rreaddir;  /* packed dirents */
		struct { uint32_t fid, datasync; } tfsync;
		struct { uint32_t fid; struct p9_flock lock; } tlock;
		struct { uint8_t status; } rlock;
		struct { uint32_t fid; struct p9_flock lock; } tgetlock;
		struct p9_flock rgetlock;
		struct { uint32_t dfid, fid; struct p9_str name; } tlink;
		struct { uint32_t dfid; struct p9_str name; uint32_t mode, gid; } tmkdir;
		struct { struct p9_qid qid; } rmkdir;
		struct { uint32_t olddirfid; struct p9_str oldname; uint32_t newdirfid; struct p9_str newname; } trenameat;
		struct { uint32_t dirfid; struct p9_str name; uint32_t flags; } tunlinkat;
		/* Rflush Rclunk Rremove Rrename Rsetattr Rxattrcreate Rfsync
		 * Rlink Rrenameat Runlinkat have no body. */
	} u;
};

struct p9_dirent {
	struct p9_qid qid;
	uint64_t offset;          /* cookie to resume after this entry */
	uint8_t type;             /* DT_* */
	struct p9_str name;
};

/* Header: needs len >= 7. Returns 0 and fills size/type/tag, -EBADMSG if short. */
int p9_peek_header(const uint8_t *buf, size_t len, uint32_t *size, uint8_t *type, uint16_t *tag);

/* Decode exactly one message of `len` bytes (len must equal the size field).
 * msize bounds every count.  p9_decode_request accepts only T-messages a
 * server may receive; p9_decode_reply only R-messages (incl. Rlerror).
 * Errors: -EBADMSG (len < 7, size field != len, truncated, trailing bytes,
 * lying counts or string lengths), -EMSGSIZE (size above msize, or a
 * Tread/Twrite/Treaddir count above msize - P9_IOHDRSZ), -EPROTO (unknown
 * or wrong-direction type), -E2BIG (walk with more than 16 names/qids),
 * -EINVAL (out == NULL).  Framing is checked before the type.  Tversion's
 * msize field is not bounded (it is being negotiated).  On error *out is
 * zeroed apart from type/tag (when the header could be read), so a server
 * can still answer the tag. */
int p9_decode_request(const uint8_t *buf, size_t len, uint32_t msize, struct p9_msg *out);
int p9_decode_reply(const uint8_t *buf, size_t len, uint32_t msize, struct p9_msg *out);

/* Encode `m` into buf[0..cap).  Returns the message length, or -EMSGSIZE
 * if it does not fit (bytes before cap may have been written), -EINVAL for
 * an unknown type (Tlerror included), nwname/nwqid > 16, or a string/payload
 * with a length but a NULL pointer.  Counts are not checked against any
 * msize: that is the caller's job.  Data
 * payloads (Rread, Twrite, Rreaddir) are memmove'd, so a payload may
 * already sit at its final place (buf + P9_RREAD_HDRSZ, say). */
int p9_encode(const struct p9_msg *m, uint8_t *buf, size_t cap);

/* Append one dirent at buf[0..cap).  Returns bytes used or -ENOSPC. */
int p9_dirent_put(uint8_t *buf, size_t cap, const struct p9_qid *qid, uint64_t offset,
		  uint8_t type, const char *name, uint16_t namelen);
/* Parse the dirent at data[*pos..len); advances *pos.  Returns 1 when an
 * entry was read, 0 at the end, -EBADMSG when truncated (*pos unchanged),
 * -EINVAL when *pos > len. */
int p9_dirent_next(const uint8_t *data, size_t len, size_t *pos, struct p9_dirent *out);

/* Copy a decoded string into dst[cap] with a NUL.  -ENAMETOOLONG if it does
 * not fit, -EINVAL if it contains a NUL byte. */
int p9_str_copy(char *dst, size_t cap, struct p9_str s);
/* Build a p9_str from a C string.  Callers check strlen <= 65535 first
 * (names are <= 255 anyway); longer strings are clamped to 65535. */
struct p9_str p9_str_of(const char *s);

/* Name of a message type for traces ("Twalk"), or NULL if unknown. */
const char *p9_type_name(uint8_t type);
/* 1 when type is a T-message a server may receive, 0 otherwise. */
int p9_is_request(uint8_t type);

#endif
