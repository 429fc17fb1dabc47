/* Valid sample messages of every 9P2000.L type.  Values are distinct and
 * non-zero where the field allows it, so a field lost or swapped by the
 * codec shows up in a round trip; edge values (empty strings, 0 and 16 walk
 * elements, all-ones integers, empty and large payloads) are included. */
#include <stdlib.h>
#include <string.h>

#include "p9_samples.h"

#define MAX_SAMPLES 96
#define STR(x) ((struct p9_str){ sizeof(x) - 1, (x) })

static struct p9_msg samples[MAX_SAMPLES];
static size_t nsamples;

static uint8_t big[7000];        /* a large Rread/Twrite payload */
static uint8_t dirents[256];     /* a packed Rreaddir payload */
static uint32_t dirents_len;

static const char *const names16[P9_MAXWELEM] = {
	"a", "bb", "ccc", "dddd", "e", "f", "g", "h",
	"i", "j", "k", "l", "m", "n", "o", "last-one",
};

static struct p9_qid qid(uint8_t type, uint32_t version, uint64_t path)
{
	return (struct p9_qid){ .type = type, .version = version, .path = path };
}

static struct p9_msg *add(uint8_t type)
{
	struct p9_msg *m;

	if (nsamples == MAX_SAMPLES)
		abort();        /* grow MAX_SAMPLES */
	m = &samples[nsamples];
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->tag = (uint16_t)(0x0100 + nsamples * 3);
	nsamples++;
	return m;
}

static void fill_payloads(void)
{
	struct p9_qid q1 = qid(P9_QTDIR, 1, 2), q2 = qid(P9_QTFILE, 7, 0x1122334455667788ULL);
	struct p9_qid q3 = qid(P9_QTSYMLINK, 0, UINT64_MAX);
	int n;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31 + 7);
	n = p9_dirent_put(dirents, sizeof(dirents), &q1, 1, 4, ".", 1);
	if (n < 0)
		abort();
	dirents_len = (uint32_t)n;
	n = p9_dirent_put(dirents + dirents_len, sizeof(dirents) - dirents_len, &q2, 2, 8,
			  "file.txt", 8);
	if (n < 0)
		abort();
	dirents_len += (uint32_t)n;
	n = p9_dirent_put(dirents + dirents_len, sizeof(dirents) - dirents_len, &q3,
			  UINT64_MAX, 10, "link", 4);
	if (n < 0)
		abort();
	dirents_len += (uint32_t)n;
}

static void session_msgs(void)
{
	struct p9_msg *m;

	m = add(P9_TVERSION); m->tag = P9_NOTAG;
	m->u.version.msize = 65536; m->u.version.version = STR(P9_VERSION_L);
	m = add(P9_TVERSION); m->tag = P9_NOTAG;
	m->u.version.msize = UINT32_MAX; m->u.version.version = STR("9P2000.u");
	m = add(P9_RVERSION); m->tag = P9_NOTAG;
	m->u.version.msize = 8192; m->u.version.version = STR(P9_VERSION_L);
	m = add(P9_RVERSION); m->u.version.msize = 4096; m->u.version.version = STR("unknown");

	m = add(P9_TAUTH);
	m->u.tauth.afid = 11; m->u.tauth.uname = STR("alice");
	m->u.tauth.aname = STR("/export"); m->u.tauth.n_uname = 1001;
	m = add(P9_RAUTH); m->u.rauth.aqid = qid(P9_QTAUTH, 3, 99);

	m = add(P9_TATTACH);
	m->u.tattach.fid = 1; m->u.tattach.afid = P9_NOFID; m->u.tattach.uname = STR("root");
	m->u.tattach.aname = STR(""); m->u.tattach.n_uname = P9_NONUNAME;
	m = add(P9_TATTACH);
	m->u.tattach.fid = 0x7fffffff; m->u.tattach.afid = 12; m->u.tattach.uname = STR("");
	m->u.tattach.aname = STR("/srv/data"); m->u.tattach.n_uname = 0;
	m = add(P9_RATTACH); m->u.rattach.qid = qid(P9_QTDIR, 0x01020304, 0xa0b0c0d0e0f0ULL);

	m = add(P9_RLERROR); m->u.rlerror.ecode = 2;
	m = add(P9_RLERROR); m->u.rlerror.ecode = 0xdeadbeef;
	m = add(P9_TFLUSH); m->u.tflush.oldtag = 0x1234;
	m = add(P9_RFLUSH);
}

static void walk_msgs(void)
{
	struct p9_msg *m;

	m = add(P9_TWALK);
	m->u.twalk.fid = 1; m->u.twalk.newfid = 2; m->u.twalk.nwname = 0;
	m = add(P9_TWALK);
	m->u.twalk.fid = 3; m->u.twalk.newfid = 4; m->u.twalk.nwname = 2;
	m->u.twalk.wnames[0] = STR("usr"); m->u.twalk.wnames[1] = STR("..");
	m = add(P9_TWALK);
	m->u.twalk.fid = 5; m->u.twalk.newfid = 6; m->u.twalk.nwname = P9_MAXWELEM;
	for (unsigned i = 0; i < P9_MAXWELEM; i++)
		m->u.twalk.wnames[i] = p9_str_of(names16[i]);

	m = add(P9_RWALK); m->u.rwalk.nwqid = 0;
	m = add(P9_RWALK); m->u.rwalk.nwqid = 1;
	m->u.rwalk.wqids[0] = qid(P9_QTDIR, 9, 10);
	m = add(P9_RWALK); m->u.rwalk.nwqid = P9_MAXWELEM;
	for (unsigned i = 0; i < P9_MAXWELEM; i++)
		m->u.rwalk.wqids[i] = qid((uint8_t)(i * 16), i + 100, 0x1000000000ULL + i);
}

static void io_msgs(void)
{
	static const uint8_t hello[] = "hello, world";
	struct p9_msg *m;

	m = add(P9_TREAD);
	m->u.tread.fid = 7; m->u.tread.offset = 0x0000000100000002ULL; m->u.tread.count = 4096;
	m = add(P9_TREAD);
	m->u.tread.fid = 8; m->u.tread.offset = UINT64_MAX; m->u.tread.count = 0;
	m = add(P9_RREAD); m->u.rread.count = 0; m->u.rread.data = NULL;
	m = add(P9_RREAD); m->u.rread.count = sizeof(hello) - 1; m->u.rread.data = hello;
	m = add(P9_RREAD); m->u.rread.count = sizeof(big); m->u.rread.data = big;

	m = add(P9_TWRITE);
	m->u.twrite.fid = 9; m->u.twrite.offset = 12345; m->u.twrite.count = 5;
	m->u.twrite.data = hello;
	m = add(P9_TWRITE);
	m->u.twrite.fid = 10; m->u.twrite.offset = 0; m->u.twrite.count = 0;
	m = add(P9_TWRITE);
	m->u.twrite.fid = 11; m->u.twrite.offset = 1ULL << 40; m->u.twrite.count = sizeof(big);
	m->u.twrite.data = big;
	m = add(P9_RWRITE); m->u.rwrite.count = 5;

	m = add(P9_TCLUNK); m->u.tclunk.fid = 12;
	m = add(P9_RCLUNK);
	m = add(P9_TREMOVE); m->u.tremove.fid = 13;
	m = add(P9_RREMOVE);
}

static void file_msgs(void)
{
	struct p9_msg *m;

	m = add(P9_TSTATFS); m->u.tstatfs.fid = 14;
	m = add(P9_RSTATFS);
	m->u.rstatfs = (struct p9_statfs){ .type = 0x01021994, .bsize = 4096, .blocks = 1000000,
		.bfree = 500000, .bavail = 400000, .files = 65536, .ffree = 60000,
		.fsid = 0xfeedfacecafe0001ULL, .namelen = 255 };

	m = add(P9_TLOPEN); m->u.tlopen.fid = 15;
	m->u.tlopen.flags = P9_DOTL_RDWR | P9_DOTL_TRUNC | P9_DOTL_NOFOLLOW;
	m = add(P9_RLOPEN); m->u.rlopen.qid = qid(P9_QTFILE, 5, 6); m->u.rlopen.iounit = 8168;

	m = add(P9_TLCREATE);
	m->u.tlcreate.fid = 16; m->u.tlcreate.name = STR("new.txt");
	m->u.tlcreate.flags = P9_DOTL_WRONLY | P9_DOTL_CREATE | P9_DOTL_EXCL;
	m->u.tlcreate.mode = 0100644; m->u.tlcreate.gid = 100;
	m = add(P9_RLCREATE); m->u.rlcreate.qid = qid(P9_QTFILE, 1, 77);
	m->u.rlcreate.iounit = 0;

	m = add(P9_TSYMLINK);
	m->u.tsymlink.fid = 17; m->u.tsymlink.name = STR("sl");
	m->u.tsymlink.symtgt = STR("../target/path"); m->u.tsymlink.gid = 50;
	m = add(P9_RSYMLINK); m->u.rsymlink.qid = qid(P9_QTSYMLINK, 0, 78);

	m = add(P9_TMKNOD);
	m->u.tmknod.dfid = 18; m->u.tmknod.name = STR("fifo"); m->u.tmknod.mode = 010600;
	m->u.tmknod.major = 4; m->u.tmknod.minor = 64; m->u.tmknod.gid = 51;
	m = add(P9_RMKNOD); m->u.rmknod.qid = qid(P9_QTFILE, 2, 79);

	m = add(P9_TRENAME);
	m->u.trename.fid = 19; m->u.trename.dfid = 20; m->u.trename.name = STR("renamed");
	m = add(P9_RRENAME);

	m = add(P9_TREADLINK); m->u.treadlink.fid = 21;
	m = add(P9_RREADLINK); m->u.rreadlink.target = STR("/abs/target");
	m = add(P9_RREADLINK); m->u.rreadlink.target = STR("");
}

static void attr_msgs(void)
{
	struct p9_msg *m;

	m = add(P9_TGETATTR); m->u.tgetattr.fid = 22; m->u.tgetattr.request_mask = P9_GETATTR_ALL;
	m = add(P9_RGETATTR);
	m->u.rgetattr = (struct p9_attr){ .valid = P9_GETATTR_BASIC,
		.qid = qid(P9_QTFILE, 11, 12), .mode = 0100755, .uid = 1000, .gid = 1001,
		.nlink = 2, .rdev = 0x0801, .size = 0x123456789ULL, .blksize = 4096,
		.blocks = 0x91a2b4, .atime_sec = 1700000000, .atime_nsec = 1,
		.mtime_sec = 1700000001, .mtime_nsec = 2, .ctime_sec = 1700000002,
		.ctime_nsec = 3, .btime_sec = 1600000000, .btime_nsec = 4, .gen = 5,
		.data_version = 6 };

	m = add(P9_TSETATTR); m->u.tsetattr.fid = 23;
	m->u.tsetattr.attr = (struct p9_iattr){
		.valid = P9_SETATTR_MODE | P9_SETATTR_SIZE | P9_SETATTR_ATIME_SET |
			 P9_SETATTR_MTIME_SET | P9_SETATTR_ATIME | P9_SETATTR_MTIME,
		.mode = 0600, .uid = 7, .gid = 8, .size = 9, .atime_sec = 10,
		.atime_nsec = 11, .mtime_sec = 12, .mtime_nsec = 13 };
	m = add(P9_RSETATTR);

	m = add(P9_TXATTRWALK);
	m->u.txattrwalk.fid = 24; m->u.txattrwalk.newfid = 25;
	m->u.txattrwalk.name = STR("user.comment");
	m = add(P9_TXATTRWALK);
	m->u.txattrwalk.fid = 26; m->u.txattrwalk.newfid = 27; m->u.txattrwalk.name = STR("");
	m = add(P9_RXATTRWALK); m->u.rxattrwalk.size = 65536;

	m = add(P9_TXATTRCREATE);
	m->u.txattrcreate.fid = 28; m->u.txattrcreate.name = STR("user.x");
	m->u.txattrcreate.attr_size = 0xffffffffffULL; m->u.txattrcreate.flags = P9_XATTR_REPLACE;
	m = add(P9_RXATTRCREATE);
}

static void dir_msgs(void)
{
	struct p9_msg *m;

	m = add(P9_TREADDIR);
	m->u.treaddir.fid = 29; m->u.treaddir.offset = 0; m->u.treaddir.count = 8168;
	m = add(P9_TREADDIR);
	m->u.treaddir.fid = 30; m->u.treaddir.offset = 0x7fffffffffffffffULL;
	m->u.treaddir.count = 100;
	m = add(P9_RREADDIR); m->u.rreaddir.count = dirents_len; m->u.rreaddir.data = dirents;
	m = add(P9_RREADDIR); m->u.rreaddir.count = 0;

	m = add(P9_TFSYNC); m->u.tfsync.fid = 31; m->u.tfsync.datasync = 0;
	m = add(P9_TFSYNC); m->u.tfsync.fid = 32; m->u.tfsync.datasync = 1;
	m = add(P9_RFSYNC);

	m = add(P9_TLINK);
	m->u.tlink.dfid = 33; m->u.tlink.fid = 34; m->u.tlink.name = STR("hardlink");
	m = add(P9_RLINK);
	m = add(P9_TMKDIR);
	m->u.tmkdir.dfid = 35; m->u.tmkdir.name = STR("subdir");
	m->u.tmkdir.mode = 02755; m->u.tmkdir.gid = 52;
	m = add(P9_RMKDIR); m->u.rmkdir.qid = qid(P9_QTDIR, 0, 80);

	m = add(P9_TRENAMEAT);
	m->u.trenameat.olddirfid = 36; m->u.trenameat.oldname = STR("from");
	m->u.trenameat.newdirfid = 37; m->u.trenameat.newname = STR("to-here");
	m = add(P9_RRENAMEAT);
	m = add(P9_TUNLINKAT);
	m->u.tunlinkat.dirfid = 38; m->u.tunlinkat.name = STR("gone");
	m->u.tunlinkat.flags = P9_AT_REMOVEDIR;
	m = add(P9_RUNLINKAT);
}

static void lock_msgs(void)
{
	struct p9_msg *m;

	m = add(P9_TLOCK); m->u.tlock.fid = 39;
	m->u.tlock.lock = (struct p9_flock){ .type = P9_LOCK_TYPE_WRLCK,
		.flags = P9_LOCK_FLAGS_BLOCK, .start = 100, .length = 0, .proc_id = 4242,
		.client_id = STR("client-host") };
	m = add(P9_TLOCK); m->u.tlock.fid = 40;
	m->u.tlock.lock = (struct p9_flock){ .type = P9_LOCK_TYPE_UNLCK,
		.flags = P9_LOCK_FLAGS_RECLAIM, .start = UINT64_MAX, .length = UINT64_MAX,
		.proc_id = UINT32_MAX, .client_id = STR("") };
	m = add(P9_RLOCK); m->u.rlock.status = P9_LOCK_BLOCKED;

	m = add(P9_TGETLOCK); m->u.tgetlock.fid = 41;
	m->u.tgetlock.lock = (struct p9_flock){ .type = P9_LOCK_TYPE_RDLCK, .start = 1,
		.length = 2, .proc_id = 3, .client_id = STR("h") };
	m = add(P9_RGETLOCK);
	m->u.rgetlock = (struct p9_flock){ .type = P9_LOCK_TYPE_WRLCK, .start = 10,
		.length = 20, .proc_id = 30, .client_id = STR("other-host") };
}

const struct p9_msg *p9_samples(size_t *n)
{
	if (!nsamples) {
		fill_payloads();
		session_msgs();
		walk_msgs();
		io_msgs();
		file_msgs();
		attr_msgs();
		dir_msgs();
		lock_msgs();
	}
	*n = nsamples;
	return samples;
}
