/* Driver for the dispatch fuzz target without libFuzzer (make check): runs
 * a set of hand-made message sequences that reach every operation, then
 * deterministic mutations of them (bytes flipped, cut, spliced).
 *   fuzz_dispatch_seeds [-n MUTANTS] [--write-corpus DIR]
 * --write-corpus writes the seeds as files for libFuzzer and exits. */
#include "p9/p9.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern unsigned long fuzz_dispatch_replies[2];

struct seq {
	uint8_t buf[8192];
	size_t len;
};

static void add(struct seq *s, struct p9_msg *m)
{
	static uint16_t tag = 1;
	m->tag = tag++;
	int n = p9_encode(m, s->buf + s->len, sizeof s->buf - s->len);
	if (n < 0) {
		fprintf(stderr, "seed does not encode: type %u\n", m->type);
		exit(99);
	}
	s->len += (size_t)n;
}

static void walk(struct seq *s, uint32_t fid, uint32_t newfid, int n, const char *const *names)
{
	struct p9_msg m = { .type = P9_TWALK };
	m.u.twalk.fid = fid;
	m.u.twalk.newfid = newfid;
	m.u.twalk.nwname = (uint16_t)n;
	for (int i = 0; i < n; i++)
		m.u.twalk.wnames[i] = p9_str_of(names[i]);
	add(s, &m);
}

static void walk1(struct seq *s, uint32_t fid, uint32_t newfid, const char *name)
{
	walk(s, fid, newfid, 1, &name);
}

static void fidop(struct seq *s, uint8_t type, uint32_t fid)
{
	struct p9_msg m = { .type = type };
	m.u.tclunk.fid = fid;          /* same layout for every fid-only message */
	add(s, &m);
}

static void lopen(struct seq *s, uint32_t fid, uint32_t flags)
{
	struct p9_msg m = { .type = P9_TLOPEN };
	m.u.tlopen.fid = fid;
	m.u.tlopen.flags = flags;
	add(s, &m);
}

static void rw(struct seq *s, uint8_t type, uint32_t fid, uint64_t off, uint32_t count)
{
	struct p9_msg m = { .type = type };
	if (type == P9_TWRITE) {
		m.u.twrite.fid = fid;
		m.u.twrite.offset = off;
		m.u.twrite.count = count;
		m.u.twrite.data = (const uint8_t *)"written by the fuzz seeds....";
	} else {
		m.u.tread.fid = fid;
		m.u.tread.offset = off;
		m.u.tread.count = count;
	}
	add(s, &m);
}

static void seed_file_io(struct seq *s)
{
	walk1(s, 0, 1, "file");
	lopen(s, 1, P9_DOTL_RDWR);
	rw(s, P9_TREAD, 1, 0, 100);
	rw(s, P9_TWRITE, 1, 4, 8);
	struct p9_msg m = { .type = P9_TFSYNC };
	m.u.tfsync.fid = 1;
	m.u.tfsync.datasync = 1;
	add(s, &m);
	m = (struct p9_msg){ .type = P9_TGETATTR };
	m.u.tgetattr.fid = 1;
	m.u.tgetattr.request_mask = P9_GETATTR_ALL;
	add(s, &m);
	m = (struct p9_msg){ .type = P9_TSETATTR };
	m.u.tsetattr.fid = 1;
	m.u.tsetattr.attr.valid = P9_SETATTR_SIZE | P9_SETATTR_MODE | P9_SETATTR_MTIME;
	m.u.tsetattr.attr.size = 3;
	m.u.tsetattr.attr.mode = 0600;
	add(s, &m);
	m = (struct p9_msg){ .type = P9_TLOCK };
	m.u.tlock.fid = 1;
	m.u.tlock.lock.type = P9_LOCK_TYPE_WRLCK;
	m.u.tlock.lock.length = 10;
	m.u.tlock.lock.client_id = p9_str_of("seed");
	add(s, &m);
	m.type = P9_TGETLOCK;
	add(s, &m);
	fidop(s, P9_TCLUNK, 1);
}

static void seed_dir(struct seq *s)
{
	walk1(s, 0, 2, "dir");
	lopen(s, 2, P9_DOTL_RDONLY);
	struct p9_msg m = { .type = P9_TREADDIR };
	m.u.treaddir.fid = 2;
	m.u.treaddir.count = 4000;
	add(s, &m);
	m.u.treaddir.offset = 1;
	add(s, &m);
	fidop(s, P9_TSTATFS, 2);
	fidop(s, P9_TCLUNK, 2);
}

static void seed_create(struct seq *s)
{
	walk(s, 0, 3, 0, NULL);
	struct p9_msg m = { .type = P9_TLCREATE };
	m.u.tlcreate.fid = 3;
	m.u.tlcreate.name = p9_str_of("new");
	m.u.tlcreate.flags = P9_DOTL_RDWR | P9_DOTL_CREATE | P9_DOTL_EXCL;
	m.u.tlcreate.mode = 0644;
	add(s, &m);
	rw(s, P9_TWRITE, 3, 0, 16);
	fidop(s, P9_TCLUNK, 3);
	m = (struct p9_msg){ .type = P9_TRENAMEAT };
	m.u.trenameat.olddirfid = 0;
	m.u.trenameat.oldname = p9_str_of("new");
	m.u.trenameat.newdirfid = 0;
	m.u.trenameat.newname = p9_str_of("new2");
	add(s, &m);
	walk1(s, 0, 4, "new2");
	walk1(s, 0, 5, "dir");
	m = (struct p9_msg){ .type = P9_TRENAME };
	m.u.trename.fid = 4;
	m.u.trename.dfid = 5;
	m.u.trename.name = p9_str_of("moved");
	add(s, &m);
	fidop(s, P9_TREMOVE, 4);
	m = (struct p9_msg){ .type = P9_TUNLINKAT };
	m.u.tunlinkat.dirfid = 0;
	m.u.tunlinkat.name = p9_str_of("dir");
	m.u.tunlinkat.flags = P9_AT_REMOVEDIR;
	add(s, &m);
}

static void seed_ns(struct seq *s)
{
	struct p9_msg m = { .type = P9_TMKDIR };
	m.u.tmkdir.dfid = 0;
	m.u.tmkdir.name = p9_str_of("d");
	m.u.tmkdir.mode = 0755;
	add(s, &m);
	m = (struct p9_msg){ .type = P9_TSYMLINK };
	m.u.tsymlink.fid = 0;
	m.u.tsymlink.name = p9_str_of("s");
	m.u.tsymlink.symtgt = p9_str_of("../outside/canary");
	add(s, &m);
	m = (struct p9_msg){ .type = P9_TMKNOD };
	m.u.tmknod.dfid = 0;
	m.u.tmknod.name = p9_str_of("p");
	m.u.tmknod.mode = S_IFIFO | 0644;
	add(s, &m);
	m.u.tmknod.name = p9_str_of("c");
	m.u.tmknod.mode = S_IFCHR | 0644;
	m.u.tmknod.major = 1;
	m.u.tmknod.minor = 3;
	add(s, &m);
	walk1(s, 0, 6, "file");
	m = (struct p9_msg){ .type = P9_TLINK };
	m.u.tlink.dfid = 0;
	m.u.tlink.fid = 6;
	m.u.tlink.name = p9_str_of("hard");
	add(s, &m);
	walk1(s, 0, 7, "s");
	fidop(s, P9_TREADLINK, 7);
	lopen(s, 7, P9_DOTL_RDONLY);
}

static void seed_xattr(struct seq *s)
{
	struct p9_msg m = { .type = P9_TXATTRWALK };
	m.u.txattrwalk.fid = 0;
	m.u.txattrwalk.newfid = 8;
	m.u.txattrwalk.name = p9_str_of("");
	add(s, &m);
	rw(s, P9_TREAD, 8, 0, 256);
	fidop(s, P9_TCLUNK, 8);
	walk1(s, 0, 9, "file");
	m = (struct p9_msg){ .type = P9_TXATTRCREATE };
	m.u.txattrcreate.fid = 9;
	m.u.txattrcreate.name = p9_str_of("user.seed");
	m.u.txattrcreate.attr_size = 3;
	add(s, &m);
	rw(s, P9_TWRITE, 9, 0, 3);
	fidop(s, P9_TCLUNK, 9);
	walk1(s, 0, 10, "file");
	m = (struct p9_msg){ .type = P9_TXATTRWALK };
	m.u.txattrwalk.fid = 10;
	m.u.txattrwalk.newfid = 11;
	m.u.txattrwalk.name = p9_str_of("user.seed");
	add(s, &m);
	rw(s, P9_TREAD, 11, 1, 10);
}

static void seed_escape(struct seq *s)
{
	const char *up[] = { "..", "..", "outside", "canary" };
	walk(s, 0, 12, 4, up);
	walk1(s, 0, 13, "out");
	lopen(s, 13, P9_DOTL_RDWR);
	struct p9_msg m = { .type = P9_TLCREATE };
	m.u.tlcreate.fid = 13;
	m.u.tlcreate.name = p9_str_of("pwned");
	m.u.tlcreate.flags = P9_DOTL_RDWR | P9_DOTL_CREATE;
	m.u.tlcreate.mode = 0644;
	add(s, &m);
	walk1(s, 0, 14, "fifo");
	lopen(s, 14, P9_DOTL_RDONLY);
	const char *in[] = { "in", "inner" };
	walk(s, 0, 15, 2, in);
}

static void seed_session(struct seq *s)
{
	struct p9_msg m = { .type = P9_TVERSION };
	m.u.version.msize = 8192;
	m.u.version.version = p9_str_of(P9_VERSION_L);
	add(s, &m);
	m = (struct p9_msg){ .type = P9_TATTACH };
	m.u.tattach.fid = 20;
	m.u.tattach.afid = P9_NOFID;
	m.u.tattach.uname = p9_str_of("root");
	m.u.tattach.aname = p9_str_of("dir");
	add(s, &m);
	m = (struct p9_msg){ .type = P9_TAUTH };
	m.u.tauth.afid = 21;
	m.u.tauth.uname = p9_str_of("root");
	add(s, &m);
	m = (struct p9_msg){ .type = P9_TFLUSH };
	m.u.tflush.oldtag = 3;
	add(s, &m);
	fidop(s, P9_TREMOVE, 20);
}

static void (*const seeds[])(struct seq *) = {
	seed_file_io, seed_dir, seed_create, seed_ns, seed_xattr, seed_escape, seed_session,
};
#define NSEEDS (sizeof seeds / sizeof seeds[0])

static uint64_t rnd(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

static int write_corpus(const char *dir)
{
	mkdir(dir, 0755);
	for (size_t i = 0; i < NSEEDS; i++) {
		struct seq s = { .len = 0 };
		seeds[i](&s);
		char p[512];
		snprintf(p, sizeof p, "%s/seed-%zu", dir, i);
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, s.buf, s.len) != (ssize_t)s.len) {
			perror(p);
			return 1;
		}
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long mutants = 3000;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--write-corpus") && i + 1 < argc)
			return write_corpus(argv[i + 1]);
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			mutants = atol(argv[++i]);
	}
	LLVMFuzzerInitialize(&argc, &argv);
	static struct seq all[NSEEDS];
	for (size_t i = 0; i < NSEEDS; i++) {
		seeds[i](&all[i]);
		LLVMFuzzerTestOneInput(all[i].buf, all[i].len);
	}
	/* The seeds must mostly succeed, or the harness tests nothing. */
	unsigned long ok = fuzz_dispatch_replies[0], err = fuzz_dispatch_replies[1];
	printf("fuzz_dispatch: seeds: %lu replies, %lu Rlerror\n", ok, err);
	if (ok < 40) {
		fprintf(stderr, "fuzz_dispatch: the seeds barely ran (%lu ok replies)\n", ok);
		return 1;
	}
	uint64_t st = 0x9e3779b97f4a7c15ULL;
	static uint8_t buf[16384];
	for (long k = 0; k < mutants; k++) {
		const struct seq *a = &all[rnd(&st) % NSEEDS], *b = &all[rnd(&st) % NSEEDS];
		size_t n = a->len;
		memcpy(buf, a->buf, n);
		switch (rnd(&st) % 4) {
		case 0:                 /* flip bytes */
			for (int j = 0; j < 4; j++)
				buf[rnd(&st) % n] ^= (uint8_t)rnd(&st);
			break;
		case 1:                 /* cut */
			n = (size_t)(rnd(&st) % n);
			break;
		case 2:                 /* splice b's tail after a cut of a */
			n = (size_t)(rnd(&st) % n);
			memcpy(buf + n, b->buf, b->len);
			n += b->len;
			break;
		default:                /* set a 4-byte field to an extreme */
			if (n > 12) {
				uint32_t v = rnd(&st) % 2 ? 0xffffffffu : 0;
				memcpy(buf + 7 + rnd(&st) % (n - 11 > 32 ? 32 : n - 11), &v, 4);
			}
			break;
		}
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("fuzz_dispatch: %zu seeds and %ld mutants (%lu replies, %lu Rlerror), no finding\n",
	       NSEEDS, mutants, fuzz_dispatch_replies[0], fuzz_dispatch_replies[1]);
	return 0;
}
