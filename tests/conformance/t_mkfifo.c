/* mkfifo, mkfifoat: the inode it creates and that it works as a pipe. */
#include "conf.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static void basic(void)
{
	if (!CHECK_OK(mkfifo("p", 0666)))
		return;
	CHECK_LSTAT("p", F_TYPE, S_IFIFO);
	CHECK_LSTAT("p", F_MODE, 0644); /* umask 022 */
	CHECK_LSTAT("p", F_NLINK, 1);
	CHECK_LSTAT("p", F_SIZE, 0);
	CHECK_LSTAT("p", F_UID, geteuid());
	CHECK_LSTAT("p", F_GID, getegid());
	umask(0);
	CHECK_OK(mkfifo("q", 0606));
	CHECK_LSTAT("q", F_MODE, 0606);
}

static void mkfifoat_dirfd(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkdir("d", 0755)) ||
	    !CHECK_OK(fd = open("d", O_RDONLY | O_DIRECTORY)))
		return;
	CHECK_OK(mkfifoat(fd, "p", 0600));
	CHECK_LSTAT("d/p", F_TYPE, S_IFIFO);
	CHECK_LSTAT("d/p", F_MODE, 0600);
}

static void nonblocking_open(void)
{
	int r __cleanup_close = -1, w __cleanup_close = -1;
	if (!CHECK_OK(mkfifo("p", 0600)))
		return;
	/* A writer without a reader is refused; with one it opens. */
	CHECK_ERR(open("p", O_WRONLY | O_NONBLOCK), ENXIO);
	if (!CHECK_OK(r = open("p", O_RDONLY | O_NONBLOCK)))
		return;
	CHECK_OK(w = open("p", O_WRONLY | O_NONBLOCK));
	char c;
	CHECK_ERR(read(r, &c, 1), EAGAIN);
}

static void data_flows(void)
{
	if (!CHECK_OK(mkfifo("p", 0600)))
		return;
	pid_t pid = conf_fork();
	if (pid == 0) {
		int w = open("p", O_WRONLY); /* blocks until the reader opens */
		if (CHECK_OK(w))
			CHECK_EQ(write(w, "hello", 5), 5);
		_exit(0);
	}
	if (!CHECK_OK(pid))
		return;
	int r __cleanup_close = -1;
	char buf[16] = "";
	if (CHECK_OK(r = open("p", O_RDONLY))) {
		CHECK_EQ(read_full(r, buf, 5), 0);
		CHECK(memcmp(buf, "hello", 5) == 0);
		/* The writer exits: end of file. */
		CHECK_EQ(read(r, buf, sizeof(buf)), 0);
	}
	CHECK_WAIT(pid);
	/* Nothing is stored in the filesystem. */
	CHECK_LSTAT("p", F_SIZE, 0);
}

static void rdwr_and_epipe(void)
{
	int rw __cleanup_close = -1, r = -1, w __cleanup_close = -1;
	if (!CHECK_OK(mkfifo("p", 0600)))
		return;
	/* O_RDWR does not block on Linux: it is both ends. */
	if (CHECK_OK(rw = open("p", O_RDWR))) {
		CHECK_EQ(write(rw, "ab", 2), 2);
		char buf[4];
		CHECK_EQ(read(rw, buf, sizeof(buf)), 2);
	}
	if (!CHECK_OK(r = open("p", O_RDONLY | O_NONBLOCK)))
		return;
	CHECK_OK(w = open("p", O_WRONLY | O_NONBLOCK));
	close(r);
	close(rw);
	rw = -1;
	/* The last reader is gone (SIGPIPE is ignored by the runner). */
	CHECK_ERR(write(w, "x", 1), EPIPE);
}

static void errors(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(mkdir("d", 0755)) ||
	    !CHECK_OK(mkfifo("p", 0644)) || !CHECK_OK(symlink("nowhere", "dl")))
		return;
	CHECK_ERR(mkfifo("f", 0644), EEXIST);
	CHECK_ERR(mkfifo("d", 0644), EEXIST);
	CHECK_ERR(mkfifo("p", 0644), EEXIST);
	CHECK_ERR(mkfifo("dl", 0644), EEXIST);
	CHECK_ERR(mkfifo("missing/p", 0644), ENOENT);
	CHECK_ERR(mkfifo("f/p", 0644), ENOTDIR);
	CHECK_OK(unlink("p"));
	CHECK_ABSENT("p");
}

CONF_CATEGORY(mkfifo, T(basic), T(mkfifoat_dirfd), T(nonblocking_open),
	      T(data_flows), T(rdwr_and_epipe), T(errors));
