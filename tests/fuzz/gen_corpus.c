/* Write the fuzzer's seed corpus: every sample message of
 * tests/fuzz/p9_samples.c, encoded, one file each, named NNN-Type.
 * Deterministic: tests/fuzz/corpus_check.sh regenerates the corpus and
 * compares it with the committed one.
 *   gen_corpus DIR */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "p9/p9.h"
#include "p9_samples.h"

static uint8_t buf[1 << 16];

static int write_sample(int dirfd, size_t i, const struct p9_msg *m)
{
	char name[64];
	int fd __cleanup_close = -1;
	int n = p9_encode(m, buf, sizeof(buf));

	if (n < 0)
		return n;
	snprintf(name, sizeof(name), "%03zu-%s", i, p9_type_name(m->type));
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	return write_full(fd, buf, (size_t)n);
}

int main(int argc, char **argv)
{
	int dirfd __cleanup_close = -1;
	size_t n;
	const struct p9_msg *s = p9_samples(&n);

	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus DIR\n");
		return 2;
	}
	dirfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		fprintf(stderr, "gen_corpus: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		int rc = write_sample(dirfd, i, &s[i]);

		if (rc < 0) {
			fprintf(stderr, "gen_corpus: sample %zu: %s\n", i, strerror(-rc));
			return 1;
		}
	}
	printf("wrote %zu seeds to %s\n", n, argv[1]);
	return 0;
}
