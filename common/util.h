/* Small helpers every file uses: cleanup attributes (as crun and
 * bubblewrap do), EINTR-safe full reads and writes. */
#ifndef BURROW_UTIL_H
#define BURROW_UTIL_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/types.h>

static inline void burrow_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void burrow_freep(void *p)
{
	free(*(void **)p);
}

/* int fd __cleanup_close = -1;  char *s __cleanup_free = NULL; */
#define __cleanup_close __attribute__((cleanup(burrow_closep)))
#define __cleanup_free  __attribute__((cleanup(burrow_freep)))

/* Hand ownership out of a cleanup variable. */
static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}
#define steal_ptr(pp) ({ __typeof__(*(pp)) _p = *(pp); *(pp) = NULL; _p; })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Read/write exactly n bytes; return 0, -EIO on EOF, or -errno. */
int read_full(int fd, void *buf, size_t n);
int write_full(int fd, const void *buf, size_t n);
/* Replace path with text atomically (mode 0600): through a temporary of
 * this process's own (path.PID.tmp), so that writers never share one. */
int write_file_atomic(const char *path, const char *text);

#endif
