/* Standalone driver for the fuzz target: feeds it every file named on the
 * command line (directories are read one level deep), or, without
 * arguments, the seed corpus at $BURROW_SRCDIR/tests/fuzz/corpus.  Each
 * file is also fed cut at every shorter length, as is and with its size
 * field set to the cut, so `make check` exercises the decoder's error paths
 * on every message type deterministically.
 * Exits non-zero if no input was found. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT (16u << 20)

/* Feed the whole file, then each prefix, each from an exact-size buffer so
 * an over-read is visible to ASan. */
static int replay_file(int dirfd, const char *name)
{
	int fd __cleanup_close = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	uint8_t *buf __cleanup_free = NULL;
	struct stat st;
	int rc;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return 0;
	if ((uint64_t)st.st_size > REPLAY_MAX_INPUT)
		return -EFBIG;
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf)
		return -ENOMEM;
	rc = read_full(fd, buf, (size_t)st.st_size);
	if (rc < 0)
		return rc;
	for (size_t len = 0; len <= (size_t)st.st_size; len++) {
		uint8_t *cut = malloc(len ? len : 1);

		if (!cut)
			return -ENOMEM;
		memcpy(cut, buf, len);
		LLVMFuzzerTestOneInput(cut, len);
		if (len >= 4 && len < (size_t)st.st_size) {
			/* the same cut with its size field fixed: a truncated body */
			cut[0] = (uint8_t)len;
			cut[1] = (uint8_t)(len >> 8);
			cut[2] = (uint8_t)(len >> 16);
			cut[3] = (uint8_t)(len >> 24);
			LLVMFuzzerTestOneInput(cut, len);
		}
		free(cut);
	}
	return 1;
}

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* Returns the number of files replayed or a negative errno. */
static int replay_dir(const char *path)
{
	DIR *d __attribute__((cleanup(closedirp))) = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		int rc;

		if (e->d_name[0] == '.')
			continue;
		rc = replay_file(dirfd(d), e->d_name);
		if (rc < 0) {
			fprintf(stderr, "replay: %s/%s: %s\n", path, e->d_name, strerror(-rc));
			return rc;
		}
		n += rc;
	}
	return n;
}

static int replay_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return replay_dir(path);
	return replay_file(AT_FDCWD, path);
}

int main(int argc, char **argv)
{
	char def[4096];
	const char *defpaths[1] = { def };
	const char *const *paths = (const char *const *)argv + 1;
	int npaths = argc - 1, total = 0;

	if (npaths < 1) {
		const char *src = getenv("BURROW_SRCDIR");

		snprintf(def, sizeof(def), "%s/tests/fuzz/corpus", src ? src : ".");
		paths = defpaths;
		npaths = 1;
	}
	for (int i = 0; i < npaths; i++) {
		int rc = replay_path(paths[i]);

		if (rc < 0) {
			fprintf(stderr, "replay: %s: %s\n", paths[i], strerror(-rc));
			return 1;
		}
		total += rc;
	}
	if (total == 0) {
		fprintf(stderr, "replay: no input files\n");
		return 1;
	}
	printf("replayed %d inputs and all their prefixes\n", total);
	return 0;
}
