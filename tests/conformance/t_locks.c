/* Advisory locks between processes: POSIX record locks (F_SETLK,
 * F_SETLKW, F_GETLK), open file description locks (F_OFD_*), and flock.
 * The parent holds a lock, a child (its own process, its own open)
 * probes it. */
#include "conf.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

static struct flock fl(short type, off_t start, off_t len)
{
	return (struct flock){ .l_type = type, .l_whence = SEEK_SET,
			       .l_start = start, .l_len = len };
}

static int setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock l = fl(type, start, len);
	return fcntl(fd, cmd, &l);
}

#define BUSY(e) CONF_ERR_(e, #e, EAGAIN, EACCES)

/* Run fn in a child process with its own descriptor of "f". */
static void in_child(void (*fn)(int fd))
{
	pid_t pid = conf_fork();
	if (pid == 0) {
		int fd = open("f", O_RDWR);
		if (CHECK_OK(fd))
			fn(fd);
		_exit(0);
	}
	if (CHECK_OK(pid))
		CHECK_WAIT(pid);
}

static pid_t holder;

static void probe_write_locked(int fd)
{
	BUSY(setlk(fd, F_SETLK, F_WRLCK, 50, 10));
	BUSY(setlk(fd, F_SETLK, F_RDLCK, 0, 1));
	BUSY(setlk(fd, F_SETLK, F_WRLCK, 99, 0)); /* to end of file */
	/* Adjacent ranges do not conflict. */
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 100, 100));
	struct flock l = fl(F_WRLCK, 50, 10);
	if (CHECK_OK(fcntl(fd, F_GETLK, &l))) {
		CHECK_EQ(l.l_type, F_WRLCK);
		CHECK_EQ(l.l_start, 0);
		CHECK_EQ(l.l_len, 100);
	}
	struct flock free_range = fl(F_WRLCK, 300, 10);
	if (CHECK_OK(fcntl(fd, F_GETLK, &free_range)))
		CHECK_EQ(free_range.l_type, F_UNLCK);
}

static void probe_unlocked(int fd)
{
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0));
}

static void posix_conflict(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "0123456789")) ||
	    !CHECK_OK(fd = open("f", O_RDWR)) ||
	    !CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 100)))
		return;
	holder = getpid();
	in_child(probe_write_locked);
	/* A process never conflicts with itself. */
	struct flock l = fl(F_WRLCK, 0, 10);
	if (CHECK_OK(fcntl(fd, F_GETLK, &l)))
		CHECK_EQ(l.l_type, F_UNLCK);
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, 0, 100));
	in_child(probe_unlocked);
}

static void probe_holder_pid(int fd)
{
	struct flock l = fl(F_RDLCK, 0, 1);
	if (CHECK_OK(fcntl(fd, F_GETLK, &l)))
		CHECK_EQ(l.l_pid, holder);
}

/* F_GETLK names the process holding the conflicting lock. */
static void posix_getlk_pid(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "x")) || !CHECK_OK(fd = open("f", O_RDWR)) ||
	    !CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0)))
		return;
	holder = getpid();
	in_child(probe_holder_pid);
}

static void probe_read_locked(int fd)
{
	CHECK_OK(setlk(fd, F_SETLK, F_RDLCK, 0, 0));
	BUSY(setlk(fd, F_SETLK, F_WRLCK, 0, 1));
}

static void posix_shared(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "x")) || !CHECK_OK(fd = open("f", O_RDWR)) ||
	    !CHECK_OK(setlk(fd, F_SETLK, F_RDLCK, 0, 0)))
		return;
	in_child(probe_read_locked);
}

static void posix_close_releases(void)
{
	int fd __cleanup_close = -1, other = -1;
	if (!CHECK_OK(mkfile("f", 0644, "x")) || !CHECK_OK(fd = open("f", O_RDWR)) ||
	    !CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0)) ||
	    !CHECK_OK(other = open("f", O_RDONLY)))
		return;
	/* Closing any descriptor of the file drops the process's locks. */
	close(other);
	in_child(probe_unlocked);
}

static void lock_and_exit(int fd)
{
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0));
}

static void posix_exit_releases(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "x")) || !CHECK_OK(fd = open("f", O_RDWR)))
		return;
	in_child(lock_and_exit);
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0));
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1000 + (double)t.tv_nsec / 1e6;
}

static void posix_wait(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "x")) || !CHECK_OK(fd = open("f", O_RDWR)) ||
	    !CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0)))
		return;
	double start = now_ms();
	pid_t pid = conf_fork();
	if (pid == 0) {
		int cfd = open("f", O_RDWR);
		/* Blocks until the parent lets go, then gets it. */
		if (CHECK_OK(cfd) && CHECK_OK(setlk(cfd, F_SETLKW, F_WRLCK, 0, 0)))
			CHECK_MSG(now_ms() - start >= 150, "F_SETLKW returned after %.0f ms",
				  now_ms() - start);
		_exit(0);
	}
	if (!CHECK_OK(pid))
		return;
	struct timespec d = { 0, 200 * 1000 * 1000 };
	nanosleep(&d, NULL);
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, 0, 0));
	CHECK_WAIT(pid);
	CHECK(now_ms() - start < 10000);
}

static void probe_ofd(int fd)
{
	/* An OFD lock conflicts with other processes' POSIX locks too. */
	BUSY(setlk(fd, F_SETLK, F_RDLCK, 0, 1));
}

static void ofd(void)
{
	int a __cleanup_close = -1, b __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "x")) || !CHECK_OK(a = open("f", O_RDWR)) ||
	    !CHECK_OK(b = open("f", O_RDWR)))
		return;
	CHECK_OK(setlk(a, F_OFD_SETLK, F_WRLCK, 0, 0));
	/* Two open file descriptions of one process conflict. */
	BUSY(setlk(b, F_OFD_SETLK, F_WRLCK, 0, 10));
	struct flock l = fl(F_RDLCK, 0, 1);
	if (CHECK_OK(fcntl(b, F_OFD_GETLK, &l))) {
		CHECK_EQ(l.l_type, F_WRLCK);
		CHECK_EQ(l.l_pid, -1);
	}
	in_child(probe_ofd);
	/* l_pid must be 0 on input. */
	struct flock bad = fl(F_RDLCK, 0, 1);
	bad.l_pid = 1;
	CHECK_ERR(fcntl(b, F_OFD_SETLK, &bad), EINVAL);
	CHECK_OK(setlk(a, F_OFD_SETLK, F_UNLCK, 0, 0));
	CHECK_OK(setlk(b, F_OFD_SETLK, F_WRLCK, 0, 10));
}

static void probe_flock_ex(int fd)
{
	CHECK_ERR(flock(fd, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_ERR(flock(fd, LOCK_SH | LOCK_NB), EWOULDBLOCK);
}

static void probe_flock_free(int fd)
{
	CHECK_OK(flock(fd, LOCK_EX | LOCK_NB));
}

static void flock_conflict(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "x")) || !CHECK_OK(fd = open("f", O_RDONLY)) ||
	    !CHECK_OK(flock(fd, LOCK_EX)))
		return;
	in_child(probe_flock_ex);
	CHECK_OK(flock(fd, LOCK_UN));
	in_child(probe_flock_free);
}

static void probe_flock_sh(int fd)
{
	CHECK_OK(flock(fd, LOCK_SH | LOCK_NB));
	CHECK_ERR(flock(fd, LOCK_EX | LOCK_NB), EWOULDBLOCK);
}

static void flock_shared(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "x")) || !CHECK_OK(fd = open("f", O_RDONLY)) ||
	    !CHECK_OK(flock(fd, LOCK_SH)))
		return;
	in_child(probe_flock_sh);
}

/* flock(fd, LOCK_EX | LOCK_NB) once another description's last close has
 * released its flock.  On FUSE that release rides on FUSE_RELEASE, which
 * the kernel sends asynchronously (only fuseblk mounts wait for it), so
 * close() can return before the server dropped the lock: allow 2 s. */
static int flock_after_close(int fd)
{
	for (int i = 0;; i++) {
		int r = flock(fd, LOCK_EX | LOCK_NB);
		if (r == 0 || errno != EWOULDBLOCK || i == 200)
			return r;
		usleep(10000);
	}
}

static void flock_descriptions(void)
{
	int a __cleanup_close = -1, b __cleanup_close = -1, c __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "x")) || !CHECK_OK(a = open("f", O_RDONLY)) ||
	    !CHECK_OK(b = open("f", O_RDONLY)) || !CHECK_OK(flock(a, LOCK_EX)))
		return;
	/* flock belongs to the open file description: another open of the
	 * same process conflicts, a dup shares it. */
	CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	if (CHECK_OK(c = dup(a)))
		CHECK_OK(flock(c, LOCK_EX | LOCK_NB));
	/* Closing the last descriptor of the description releases it. */
	close(a);
	a = -1;
	CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	close(c);
	c = -1;
	CHECK_OK(flock_after_close(b));
}

CONF_CATEGORY(locks, T(posix_conflict), T(posix_getlk_pid),T(posix_shared),
	      T(posix_close_releases), T(posix_exit_releases), T(posix_wait),
	      T(ofd), T(flock_conflict), T(flock_shared),
	      T(flock_descriptions));
