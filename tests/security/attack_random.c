/* Random traffic on many connections in parallel: plain random bytes,
 * random well-formed requests on small fid numbers (so they reach the
 * operations, not just the decoder), and those requests with random bytes
 * flipped.  The server must survive, stay inside the export and answer a
 * sane request afterwards.  Seed: BURROW_SEED (printed). */
#include "attack.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

enum { THREADS = 8, CONNS_PER_THREAD = 12, MSGS_PER_CONN = 60 };

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static const char *const names[] = {
	"file.txt", "sub", "..", ".", "", "rel", "abs", "abs_file", "hostfifo", "devnull",
	"victim.txt", "new", "new2", "a/b", "race_dir", "user.x", "trusted.x", "security.x",
};

static struct p9_str rname(uint64_t *s)
{
	return p9_str_of(names[rnd(s) % (sizeof names / sizeof names[0])]);
}

static uint32_t rfid(uint64_t *s)
{
	uint64_t v = rnd(s) % 16;
	return v == 15 ? P9_NOFID : (uint32_t)v;
}

static uint64_t rnum(uint64_t *s)
{
	switch (rnd(s) % 5) {
	case 0: return 0;
	case 1: return rnd(s) % 4096;
	case 2: return UINT64_MAX - rnd(s) % 16;
	case 3: return 0xffffffffu;
	default: return rnd(s);
	}
}

static const uint8_t req_types[] = {
	P9_TSTATFS, P9_TLOPEN, P9_TLCREATE, P9_TSYMLINK, P9_TMKNOD, P9_TRENAME, P9_TREADLINK,
	P9_TGETATTR, P9_TSETATTR, P9_TXATTRWALK, P9_TXATTRCREATE, P9_TREADDIR, P9_TFSYNC,
	P9_TLOCK, P9_TGETLOCK, P9_TLINK, P9_TMKDIR, P9_TRENAMEAT, P9_TUNLINKAT, P9_TATTACH,
	P9_TFLUSH, P9_TWALK, P9_TREAD, P9_TWRITE, P9_TCLUNK, P9_TREMOVE, P9_TAUTH,
};

/* A random request; modes keep away from setuid bits on the host. */
static void random_msg(uint64_t *s, struct p9_msg *m, const char *export)
{
	static const uint8_t data[64] = "random data random data";
	memset(m, 0, sizeof *m);
	m->type = req_types[rnd(s) % sizeof req_types];
	m->tag = (uint16_t)(rnd(s) % 8);
	uint32_t mode = (uint32_t)(rnd(s) & 0777);
	switch (m->type) {
	case P9_TSTATFS: case P9_TREADLINK: case P9_TCLUNK: case P9_TREMOVE:
		m->u.tclunk.fid = rfid(s);
		break;
	case P9_TLOPEN:
		m->u.tlopen.fid = rfid(s);
		m->u.tlopen.flags = (uint32_t)rnd(s) & 03777;
		break;
	case P9_TLCREATE:
		m->u.tlcreate.fid = rfid(s);
		m->u.tlcreate.name = rname(s);
		m->u.tlcreate.flags = (uint32_t)rnd(s) & 03777;
		m->u.tlcreate.mode = mode;
		m->u.tlcreate.gid = (uint32_t)rnum(s);
		break;
	case P9_TSYMLINK:
		m->u.tsymlink.fid = rfid(s);
		m->u.tsymlink.name = rname(s);
		m->u.tsymlink.symtgt = rname(s);
		break;
	case P9_TMKNOD:
		m->u.tmknod.dfid = rfid(s);
		m->u.tmknod.name = rname(s);
		m->u.tmknod.mode = mode | ((uint32_t)(rnd(s) % 16) << 12);
		m->u.tmknod.major = (uint32_t)rnd(s) % 4;
		m->u.tmknod.minor = (uint32_t)rnd(s) % 4;
		break;
	case P9_TRENAME:
		m->u.trename.fid = rfid(s);
		m->u.trename.dfid = rfid(s);
		m->u.trename.name = rname(s);
		break;
	case P9_TGETATTR:
		m->u.tgetattr.fid = rfid(s);
		m->u.tgetattr.request_mask = rnd(s);
		break;
	case P9_TSETATTR:
		m->u.tsetattr.fid = rfid(s);
		m->u.tsetattr.attr.valid = (uint32_t)rnd(s) & 0x1ff;
		m->u.tsetattr.attr.mode = mode;
		m->u.tsetattr.attr.uid = (uint32_t)rnum(s);
		m->u.tsetattr.attr.gid = (uint32_t)rnum(s);
		m->u.tsetattr.attr.size = rnd(s) % 100000;
		m->u.tsetattr.attr.atime_sec = rnum(s);
		m->u.tsetattr.attr.mtime_nsec = rnum(s);
		break;
	case P9_TXATTRWALK:
		m->u.txattrwalk.fid = rfid(s);
		m->u.txattrwalk.newfid = rfid(s);
		m->u.txattrwalk.name = rname(s);
		break;
	case P9_TXATTRCREATE:
		m->u.txattrcreate.fid = rfid(s);
		m->u.txattrcreate.name = rname(s);
		m->u.txattrcreate.attr_size = rnum(s);
		m->u.txattrcreate.flags = (uint32_t)rnd(s) % 4;
		break;
	case P9_TREADDIR: case P9_TREAD:
		m->u.tread.fid = rfid(s);
		m->u.tread.offset = rnum(s);
		m->u.tread.count = (uint32_t)rnum(s);
		break;
	case P9_TFSYNC:
		m->u.tfsync.fid = rfid(s);
		m->u.tfsync.datasync = (uint32_t)rnd(s) % 2;
		break;
	case P9_TLOCK: case P9_TGETLOCK:
		m->u.tlock.fid = rfid(s);
		m->u.tlock.lock.type = (uint8_t)(rnd(s) % 4);
		m->u.tlock.lock.flags = (uint32_t)rnd(s) % 4 & ~(uint32_t)P9_LOCK_FLAGS_BLOCK;
		m->u.tlock.lock.start = rnum(s);
		m->u.tlock.lock.length = rnum(s);
		m->u.tlock.lock.client_id = rname(s);
		break;
	case P9_TLINK:
		m->u.tlink.dfid = rfid(s);
		m->u.tlink.fid = rfid(s);
		m->u.tlink.name = rname(s);
		break;
	case P9_TMKDIR:
		m->u.tmkdir.dfid = rfid(s);
		m->u.tmkdir.name = rname(s);
		m->u.tmkdir.mode = mode;
		break;
	case P9_TRENAMEAT:
		m->u.trenameat.olddirfid = rfid(s);
		m->u.trenameat.oldname = rname(s);
		m->u.trenameat.newdirfid = rfid(s);
		m->u.trenameat.newname = rname(s);
		break;
	case P9_TUNLINKAT:
		m->u.tunlinkat.dirfid = rfid(s);
		m->u.tunlinkat.name = rname(s);
		m->u.tunlinkat.flags = rnd(s) % 2 ? P9_AT_REMOVEDIR : 0;
		break;
	case P9_TATTACH: case P9_TAUTH:
		m->u.tattach.fid = rfid(s);
		m->u.tattach.afid = rnd(s) % 2 ? P9_NOFID : rfid(s);
		m->u.tattach.uname = p9_str_of("root");
		m->u.tattach.aname = rnd(s) % 2 ? p9_str_of(export) : rname(s);
		m->u.tattach.n_uname = rnd(s) % 3 ? 0 : (uint32_t)rnum(s);
		break;
	case P9_TFLUSH:
		m->u.tflush.oldtag = (uint16_t)(rnd(s) % 8);
		break;
	case P9_TWALK:
		m->u.twalk.fid = rfid(s);
		m->u.twalk.newfid = rfid(s);
		m->u.twalk.nwname = (uint16_t)(rnd(s) % 5);
		for (int i = 0; i < m->u.twalk.nwname; i++)
			m->u.twalk.wnames[i] = rname(s);
		break;
	case P9_TWRITE:
		m->u.twrite.fid = rfid(s);
		m->u.twrite.offset = rnd(s) % 3 ? rnd(s) % 8192 : rnum(s);
		m->u.twrite.count = (uint32_t)(rnd(s) % sizeof data);
		m->u.twrite.data = data;
		break;
	}
}

struct rthread {
	struct sec_env *e;
	uint64_t seed;
	long sent;
};

static void drain(int fd)
{
	uint8_t buf[SEC_MSIZE];
	while (raw_recv(fd, buf, sizeof buf, 20) > 0)
		;
}

static void one_conn(struct rthread *t, uint64_t *s, int kind)
{
	int fd = raw_connect(t->e, kind != 0);
	if (fd < 0)
		return;
	uint8_t buf[SEC_MSIZE];
	for (int i = 0; i < MSGS_PER_CONN; i++) {
		int n;
		if (kind == 0) {                       /* plain random bytes */
			n = (int)(rnd(s) % 512) + 1;
			for (int k = 0; k < n; k++)
				buf[k] = (uint8_t)rnd(s);
		} else {
			struct p9_msg m;
			random_msg(s, &m, t->e->export);
			n = p9_encode(&m, buf, sizeof buf);
			if (n < 0)
				continue;
			if (kind == 2)                 /* flip a few bytes */
				for (int k = 0; k < 3; k++)
					buf[rnd(s) % (uint64_t)n] ^= (uint8_t)(1u << (rnd(s) % 8));
		}
		if (raw_send(fd, buf, (size_t)n) < 0)
			break;
		t->sent++;
		if (i % 8 == 7)
			drain(fd);
	}
	drain(fd);
	close(fd);
}

static void *rthread_main(void *arg)
{
	struct rthread *t = arg;
	uint64_t s = t->seed;
	for (int c = 0; c < CONNS_PER_THREAD; c++)
		one_conn(t, &s, (int)(rnd(&s) % 3));
	return NULL;
}

void attack_random(struct sec_env *e)
{
	const char *env = getenv("BURROW_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	if (!seed)
		seed = 1;
	NOTE("random: seed %llu (BURROW_SEED to repeat)", (unsigned long long)seed);
	pthread_t th[THREADS];
	struct rthread t[THREADS];
	for (int i = 0; i < THREADS; i++) {
		t[i] = (struct rthread){ .e = e, .seed = seed * 2654435761u + (uint64_t)i + 1 };
		pthread_create(&th[i], NULL, rthread_main, &t[i]);
	}
	long sent = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		sent += t[i].sent;
	}
	NOTE("random: %ld messages on %d connections", sent, THREADS * CONNS_PER_THREAD);
	CHECK(sent > THREADS * CONNS_PER_THREAD, "the random traffic did not go out (%ld)", sent);
	/* Nothing may have become setuid or a device inside the export. */
	char p[512];
	struct stat st;
	snprintf(p, sizeof p, "%s/new", e->export);
	if (lstat(p, &st) == 0)
		CHECK(!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode), "a device node 'new' exists");
	snprintf(p, sizeof p, "%s/new2", e->export);
	if (lstat(p, &st) == 0)
		CHECK(!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode), "a device node 'new2' exists");
}
