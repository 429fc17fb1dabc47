/* fsx: a randomized data-integrity tester in the style of the classic
 * fsx (file system exerciser).  Random writes, truncates, reads, mmap reads
 * and mmap writes on one file, checked against a reference copy kept in
 * memory.  Seedable, so a failure can be replayed.
 *
 *   fsx [-N ops] [-S seed] [-l maxlen] [-o maxop] [-M] [-R] [-C op] [-q] FILE
 *
 * -M: no mmap operations; -R: no close/reopen; -C N: flip a byte of the
 * reference copy before op N (the self-test: fsx must then fail).  Exit 0 when every read
 * matched, 1 on the first mismatch (with the log of the last operations),
 * 2 on usage or system errors. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum op { OP_READ, OP_WRITE, OP_TRUNC, OP_MAPREAD, OP_MAPWRITE, OP_REOPEN, OP_FSYNC, OP_N };
static const char *const op_names[] = {
	"read", "write", "truncate", "mapread", "mapwrite", "reopen", "fsync",
};

struct logent {
	unsigned long n;
	enum op op;
	uint64_t off, len, size_before;
};

#define LOGN 64u

static struct {
	const char *path;
	int fd;
	uint64_t maxlen, maxop;
	unsigned long nops;
	bool mmap_ok, reopen_ok, quiet;
	unsigned long corrupt_at;  /* 0: never */
	uint8_t *good, *buf;
	uint64_t size;             /* the reference file size */
	uint64_t rng;
	long pagesize;
	struct logent log[LOGN];
	unsigned long done;
} s;

static uint64_t rnd(void)
{
	/* xorshift64*: small, fast, reproducible from the seed */
	s.rng ^= s.rng >> 12;
	s.rng ^= s.rng << 25;
	s.rng ^= s.rng >> 27;
	return s.rng * 2685821657736338717ull;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "fsx: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static void logop(enum op op, uint64_t off, uint64_t len)
{
	struct logent *e = &s.log[s.done % LOGN];
	*e = (struct logent){ s.done, op, off, len, s.size };
}

static void dump_log(void)
{
	unsigned long first = s.done >= LOGN ? s.done - LOGN + 1 : 0;
	fprintf(stderr, "last operations (op number, op, offset, length, size before):\n");
	for (unsigned long k = first; k <= s.done; k++) {
		const struct logent *e = &s.log[k % LOGN];
		fprintf(stderr, "  %lu %s 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 "\n", e->n,
			op_names[e->op], e->off, e->len, e->size_before);
	}
}

/* Compare what the file gave with the reference; report and exit on the
 * first difference. */
static void check(const uint8_t *got, uint64_t off, uint64_t len, const char *how)
{
	if (memcmp(got, s.good + off, len) == 0)
		return;
	uint64_t k = 0;
	while (got[k] == s.good[off + k])
		k++;
	uint64_t bad = 0;
	for (uint64_t j = k; j < len; j++)
		bad += got[j] != s.good[off + j];
	fprintf(stderr,
		"fsx: MISMATCH in %s at op %lu: file offset 0x%" PRIx64 " (of range 0x%" PRIx64
		"+0x%" PRIx64 "): got 0x%02x, expected 0x%02x; %" PRIu64 " bytes differ; size 0x%" PRIx64
		"\n",
		how, s.done, off + k, off, len, got[k], s.good[off + k], bad, s.size);
	dump_log();
	exit(1);
}

static void do_read(uint64_t off, uint64_t len)
{
	if (off >= s.size)
		off = s.size ? rnd_below(s.size) : 0;
	if (off + len > s.size)
		len = s.size - off;
	logop(OP_READ, off, len);
	uint64_t done = 0;
	while (done < len) {
		ssize_t n = pread(s.fd, s.buf + done, len - done, (off_t)(off + done));
		if (n < 0)
			die("op %lu: pread 0x%" PRIx64 "+0x%" PRIx64 ": %s", s.done, off, len,
			    strerror(errno));
		if (n == 0) {
			fprintf(stderr, "fsx: MISMATCH at op %lu: short read at 0x%" PRIx64
				" (size 0x%" PRIx64 ")\n", s.done, off + done, s.size);
			dump_log();
			exit(1);
		}
		done += (uint64_t)n;
	}
	check(s.buf, off, len, "read");
}

static void fill_random(uint8_t *p, uint64_t len)
{
	for (uint64_t k = 0; k < len; k++)
		p[k] = (uint8_t)(rnd() >> 56);
}

static void do_write(uint64_t off, uint64_t len)
{
	logop(OP_WRITE, off, len);
	fill_random(s.good + off, len);
	uint64_t done = 0;
	while (done < len) {
		ssize_t n = pwrite(s.fd, s.good + off + done, len - done, (off_t)(off + done));
		if (n <= 0)
			die("op %lu: pwrite 0x%" PRIx64 "+0x%" PRIx64 ": %s", s.done, off, len,
			    n < 0 ? strerror(errno) : "wrote nothing");
		done += (uint64_t)n;
	}
	if (off + len > s.size)
		s.size = off + len;   /* the gap, if any, is zeros in s.good */
}

static void set_size(uint64_t size)
{
	if (ftruncate(s.fd, (off_t)size) < 0)
		die("op %lu: ftruncate 0x%" PRIx64 ": %s", s.done, size, strerror(errno));
	if (size < s.size)
		memset(s.good + size, 0, s.size - size);
	s.size = size;
}

static void do_trunc(uint64_t size)
{
	logop(OP_TRUNC, size, 0);
	set_size(size);
}

/* mmap [off, off+len) rounded out to pages. */
static uint8_t *map_range(uint64_t off, uint64_t len, int prot, uint64_t *pg_off, size_t *maplen)
{
	*pg_off = off - off % (uint64_t)s.pagesize;
	*maplen = (size_t)(len + (off - *pg_off));
	void *p = mmap(NULL, *maplen, prot, MAP_SHARED, s.fd, (off_t)*pg_off);
	if (p == MAP_FAILED)
		die("op %lu: mmap 0x%" PRIx64 "+0x%zx: %s", s.done, *pg_off, *maplen, strerror(errno));
	return p;
}

static void do_mapread(uint64_t off, uint64_t len)
{
	if (s.size == 0)
		return;
	if (off >= s.size)
		off = rnd_below(s.size);
	if (off + len > s.size)
		len = s.size - off;
	if (len == 0)
		return;
	logop(OP_MAPREAD, off, len);
	uint64_t pg;
	size_t ml;
	uint8_t *p = map_range(off, len, PROT_READ, &pg, &ml);
	memcpy(s.buf, p + (off - pg), len);
	munmap(p, ml);
	check(s.buf, off, len, "mapread");
}

static void do_mapwrite(uint64_t off, uint64_t len)
{
	if (len == 0)
		return;
	logop(OP_MAPWRITE, off, len);
	if (off + len > s.size)
		set_size(off + len);   /* a mapping cannot extend a file */
	uint64_t pg;
	size_t ml;
	uint8_t *p = map_range(off, len, PROT_READ | PROT_WRITE, &pg, &ml);
	fill_random(s.good + off, len);
	memcpy(p + (off - pg), s.good + off, len);
	if (msync(p, ml, MS_SYNC) < 0)
		die("op %lu: msync: %s", s.done, strerror(errno));
	munmap(p, ml);
}

static void do_reopen(void)
{
	logop(OP_REOPEN, 0, 0);
	if (close(s.fd) < 0)
		die("op %lu: close: %s", s.done, strerror(errno));
	s.fd = open(s.path, O_RDWR);
	if (s.fd < 0)
		die("op %lu: reopen: %s", s.done, strerror(errno));
	struct stat st;
	if (fstat(s.fd, &st) < 0)
		die("fstat: %s", strerror(errno));
	if ((uint64_t)st.st_size != s.size) {
		fprintf(stderr, "fsx: MISMATCH at op %lu: size 0x%" PRIx64 " after reopen, expected 0x%"
			PRIx64 "\n", s.done, (uint64_t)st.st_size, s.size);
		dump_log();
		exit(1);
	}
}

static void do_fsync(void)
{
	logop(OP_FSYNC, 0, 0);
	if (fsync(s.fd) < 0)
		die("op %lu: fsync: %s", s.done, strerror(errno));
}

static void one_op(void)
{
	/* weights: reads and writes dominate, as in fsx */
	uint64_t r = rnd_below(100);
	enum op op;
	if (r < 30) op = OP_READ;
	else if (r < 60) op = OP_WRITE;
	else if (r < 70) op = OP_TRUNC;
	else if (r < 82) op = OP_MAPREAD;
	else if (r < 94) op = OP_MAPWRITE;
	else if (r < 98) op = OP_REOPEN;
	else op = OP_FSYNC;
	if (!s.mmap_ok && (op == OP_MAPREAD || op == OP_MAPWRITE))
		op = op == OP_MAPREAD ? OP_READ : OP_WRITE;
	if (!s.reopen_ok && op == OP_REOPEN)
		op = OP_FSYNC;

	uint64_t off = rnd_below(s.maxlen);
	uint64_t len = 1 + rnd_below(s.maxop);
	if (off + len > s.maxlen)
		len = s.maxlen - off;
	switch (op) {
	case OP_READ: do_read(off, len); break;
	case OP_WRITE: do_write(off, len); break;
	case OP_TRUNC: do_trunc(rnd_below(s.maxlen + 1)); break;
	case OP_MAPREAD: do_mapread(off, len); break;
	case OP_MAPWRITE: do_mapwrite(off, len); break;
	case OP_REOPEN: do_reopen(); break;
	case OP_FSYNC: do_fsync(); break;
	default: break;
	}
}

static uint64_t parse_num(const char *arg, const char *what)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 0);
	if (errno || *arg == '\0' || *arg == '-' || *end != '\0')
		die("bad %s '%s'", what, arg);
	return v;
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL);
	s.nops = 10000;
	s.maxlen = 1 << 20;
	s.maxop = 64 << 10;
	s.mmap_ok = s.reopen_ok = true;
	int c;
	while ((c = getopt(argc, argv, "N:S:l:o:MRC:q")) != -1) {
		switch (c) {
		case 'N': s.nops = (unsigned long)parse_num(optarg, "op count"); break;
		case 'S': seed = parse_num(optarg, "seed"); break;
		case 'l': s.maxlen = parse_num(optarg, "max length"); break;
		case 'o': s.maxop = parse_num(optarg, "max op size"); break;
		case 'M': s.mmap_ok = false; break;
		case 'R': s.reopen_ok = false; break;
		case 'C': s.corrupt_at = (unsigned long)parse_num(optarg, "op number"); break;
		case 'q': s.quiet = true; break;
		default:
			fprintf(stderr, "usage: fsx [-N ops] [-S seed] [-l maxlen] [-o maxop] [-M] [-R] [-C op] [-q] FILE\n");
			return 2;
		}
	}
	if (optind != argc - 1)
		die("one FILE expected");
	if (s.maxlen == 0 || s.maxlen > (1ull << 32) || s.maxop == 0)
		die("lengths out of range");
	if (s.maxop > s.maxlen)
		s.maxop = s.maxlen;
	s.path = argv[optind];
	s.rng = seed ? seed : 1;
	s.pagesize = sysconf(_SC_PAGESIZE);
	s.good = calloc(1, s.maxlen);
	s.buf = malloc(s.maxlen);
	if (!s.good || !s.buf)
		die("out of memory");
	s.fd = open(s.path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (s.fd < 0)
		die("%s: %s", s.path, strerror(errno));
	if (!s.quiet)
		printf("fsx: seed %" PRIu64 ", %lu ops, max length %" PRIu64 ", max op %" PRIu64 "%s\n",
		       seed, s.nops, s.maxlen, s.maxop, s.mmap_ok ? "" : ", no mmap");

	for (s.done = 0; s.done < s.nops; s.done++) {
		if (s.corrupt_at && s.done == s.corrupt_at && s.size) {
			s.good[rnd_below(s.size)] ^= 0x5a;
			do_read(0, s.size);   /* must report the mismatch */
		}
		one_op();
	}
	/* the whole file, once more, through a fresh open */
	do_reopen();
	do_read(0, s.size);
	close(s.fd);
	unlink(s.path);
	printf("fsx: %lu ops, 0 mismatches (seed %" PRIu64 ")\n", s.nops, seed);
	return 0;
}
