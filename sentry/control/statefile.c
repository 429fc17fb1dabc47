/* state.json under the container directory's lock (statefile.h). */
#include "statefile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

int statefile_lock(const char *dir, bool wait)
{
	int fd __cleanup_close = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (int tries = 0;; tries++) {
		if (flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) == 0)
			return steal_fd(&fd);
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK || tries == 100)
			return -errno;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
}

int statefile_read_at(int dirfd, json_t **out)
{
	*out = NULL;
	int fd = openat(dirfd, "state.json", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Through stdio: json_loadfd reads one byte per read(2). */
	FILE *f = fdopen(fd, "re");
	if (!f) {
		int e = errno;
		close(fd);
		return -e;
	}
	json_error_t je;
	json_t *j = json_loadf(f, 0, &je);
	fclose(f);
	if (!json_is_object(j)) {
		json_decref(j);
		return -EBADMSG;
	}
	*out = j;
	return 0;
}

int statefile_write_at(int dirfd, const json_t *state)
{
	char *text __cleanup_free = json_dumps(state, JSON_COMPACT);
	if (!text)
		return -ENOMEM;
	int fd = openat(dirfd, "state.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	int r = write_full(fd, text, strlen(text));
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dirfd, "state.json.tmp", dirfd, "state.json") < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dirfd, "state.json.tmp", 0);
	return r;
}

int statefile_update(const char *dir, const json_t *changes, bool wait)
{
	int fd __cleanup_close = statefile_lock(dir, wait);
	if (fd < 0)
		return fd;
	json_t *st;
	int r = statefile_read_at(fd, &st);
	if (r < 0)
		return r;
	if (json_object_update(st, (json_t *)changes) < 0)
		r = -ENOMEM;
	else
		r = statefile_write_at(fd, st);
	json_decref(st);
	return r;
}

int statefile_write_exit(const char *dir, int code)
{
	char path[4200], text[16];
	snprintf(path, sizeof path, "%s/" STATEFILE_EXIT, dir);
	snprintf(text, sizeof text, "%d", code);
	return write_file_atomic(path, text);
}

int statefile_read_exit(int dirfd, int *code)
{
	char text[16];
	int fd __cleanup_close = openat(dirfd, STATEFILE_EXIT, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, text, sizeof text - 1);
	if (n <= 0)
		return n < 0 ? -errno : -EBADMSG;
	text[n] = '\0';
	char *end;
	long v = strtol(text, &end, 10);
	if (end == text || *end || v < 0 || v > 255 + 128)
		return -EBADMSG;
	*code = (int)v;
	return 0;
}
