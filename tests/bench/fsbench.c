/* fsbench: the file-system micro workloads of mount-vs-native.sh that a
 * shell loop would drown in fork+exec time.
 *
 *   fsbench meta DIR N        create N empty files, stat each, unlink each
 *   fsbench randread FILE N   N preads of 4 KiB at random 4 KiB-aligned offsets
 *
 * Prints one line of key=value pairs (seconds, rates); exit 1 on any error
 * (the failing call is printed). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "util.h"

#define BLOCK 4096u

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_count(const char *s, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *s == '\0' || *s == '-' || *end != '\0' || v == 0 || v > 100000000ul)
		return -EINVAL;
	*out = v;
	return 0;
}

static int failed(const char *what, const char *name)
{
	fprintf(stderr, "fsbench: %s %s: %s\n", what, name, strerror(errno));
	return -errno;
}

static int create_all(int dfd, unsigned long n)
{
	char name[32];
	for (unsigned long k = 0; k < n; k++) {
		snprintf(name, sizeof name, "f%07lu", k);
		int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			return failed("create", name);
		close(fd);
	}
	return 0;
}

static int stat_all(int dfd, unsigned long n)
{
	char name[32];
	struct stat st;
	for (unsigned long k = 0; k < n; k++) {
		snprintf(name, sizeof name, "f%07lu", k);
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return failed("stat", name);
		if (!S_ISREG(st.st_mode) || st.st_size != 0) {
			fprintf(stderr, "fsbench: %s: not the empty file we made\n", name);
			return -EIO;
		}
	}
	return 0;
}

static int unlink_all(int dfd, unsigned long n)
{
	char name[32];
	for (unsigned long k = 0; k < n; k++) {
		snprintf(name, sizeof name, "f%07lu", k);
		if (unlinkat(dfd, name, 0) < 0)
			return failed("unlink", name);
	}
	return 0;
}

static int cmd_meta(const char *dir, unsigned long n)
{
	int dfd __cleanup_close = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return failed("open", dir);
	double t0 = now();
	int rc = create_all(dfd, n);
	double t1 = now();
	if (rc == 0)
		rc = stat_all(dfd, n);
	double t2 = now();
	if (rc == 0)
		rc = unlink_all(dfd, n);
	double t3 = now();
	if (rc < 0)
		return rc;
	printf("fsbench meta files=%lu create_s=%.3f stat_s=%.3f unlink_s=%.3f total_s=%.3f\n", n,
	       t1 - t0, t2 - t1, t3 - t2, t3 - t0);
	return 0;
}

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int cmd_randread(const char *path, unsigned long n)
{
	int fd __cleanup_close = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return failed("open", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return failed("stat", path);
	uint64_t blocks = (uint64_t)st.st_size / BLOCK;
	if (blocks == 0) {
		fprintf(stderr, "fsbench: %s is smaller than %u bytes\n", path, BLOCK);
		return -EINVAL;
	}
	static char buf[BLOCK];
	uint64_t seed = 0x5eed5eed12345678ull;   /* fixed: every target reads the same blocks */
	double t0 = now();
	for (unsigned long k = 0; k < n; k++) {
		off_t off = (off_t)((next_rand(&seed) % blocks) * BLOCK);
		ssize_t r = pread(fd, buf, BLOCK, off);
		if (r != (ssize_t)BLOCK) {
			if (r >= 0)
				errno = EIO;
			return failed("pread", path);
		}
	}
	double secs = now() - t0;
	printf("fsbench randread reads=%lu secs=%.3f ops_s=%.1f\n", n, secs, (double)n / secs);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long n;
	if (argc != 4 || parse_count(argv[3], &n) < 0) {
		fputs("usage: fsbench meta DIR N | fsbench randread FILE N\n", stderr);
		return 2;
	}
	int rc;
	if (strcmp(argv[1], "meta") == 0)
		rc = cmd_meta(argv[2], n);
	else if (strcmp(argv[1], "randread") == 0)
		rc = cmd_randread(argv[2], n);
	else {
		fprintf(stderr, "fsbench: unknown command '%s'\n", argv[1]);
		return 2;
	}
	return rc < 0 ? 1 : 0;
}
