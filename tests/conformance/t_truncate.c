/* truncate, ftruncate: growing, shrinking, zero fill (also of data that
 * was cut off and grown back), holes from writes past the end, errors. */
#include "conf.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static bool all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void extend(void)
{
	char buf[32];
	if (!CHECK_OK(mkfile("f", 0644, "abc")))
		return;
	CHECK_OK(truncate("f", 10));
	CHECK_LSTAT("f", F_SIZE, 10);
	CHECK_EQ(readfile("f", buf, sizeof(buf)), 10);
	CHECK(memcmp(buf, "abc", 3) == 0 && all_zero(buf + 3, 7));
}

static void shrink(void)
{
	char buf[32];
	if (!CHECK_OK(mkfile("f", 0644, "hello world")))
		return;
	CHECK_OK(truncate("f", 5));
	CHECK_LSTAT("f", F_SIZE, 5);
	CHECK_EQ(readfile("f", buf, sizeof(buf)), 5);
	CHECK_STR(buf, "hello");
	CHECK_OK(truncate("f", 0));
	CHECK_LSTAT("f", F_SIZE, 0);
	CHECK_LSTAT("f", F_BLOCKS, 0);
}

static void shrink_then_extend(void)
{
	char buf[32];
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "hello world")) ||
	    !CHECK_OK(fd = open("f", O_RDWR)))
		return;
	/* Cut data must not come back when the file grows again. */
	CHECK_OK(ftruncate(fd, 3));
	CHECK_OK(ftruncate(fd, 11));
	CHECK_FSTAT(fd, F_SIZE, 11);
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 11);
	CHECK(memcmp(buf, "hel", 3) == 0 && all_zero(buf + 3, 8));
	/* Reading at the end gives end of file. */
	CHECK_EQ(pread(fd, buf, sizeof(buf), 11), 0);
}

static void ftruncate_modes(void)
{
	int rw __cleanup_close = -1, w __cleanup_close = -1, r __cleanup_close = -1,
	    d __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "abcdef")) || !CHECK_OK(mkdir("d", 0755)))
		return;
	if (CHECK_OK(rw = open("f", O_RDWR))) {
		CHECK_OK(ftruncate(rw, 4));
		CHECK_FSTAT(rw, F_SIZE, 4);
	}
	if (CHECK_OK(w = open("f", O_WRONLY))) {
		CHECK_OK(ftruncate(w, 2));
		CHECK_LSTAT("f", F_SIZE, 2);
	}
	if (CHECK_OK(r = open("f", O_RDONLY)))
		CHECK_ERR2(ftruncate(r, 0), EINVAL, EBADF);
	if (CHECK_OK(d = open("d", O_RDONLY | O_DIRECTORY)))
		CHECK_ERR2(ftruncate(d, 0), EINVAL, EISDIR);
	CHECK_LSTAT("f", F_SIZE, 2);
}

static void write_past_end(void)
{
	char buf[32];
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "ab")) || !CHECK_OK(fd = open("f", O_RDWR)))
		return;
	CHECK_EQ(lseek(fd, 10, SEEK_SET), 10);
	CHECK_EQ(write(fd, "c", 1), 1);
	CHECK_FSTAT(fd, F_SIZE, 11);
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 11);
	CHECK(memcmp(buf, "ab", 2) == 0 && all_zero(buf + 2, 8) && buf[10] == 'c');
	/* A seek alone does not change the size. */
	CHECK_EQ(lseek(fd, 100, SEEK_SET), 100);
	CHECK_FSTAT(fd, F_SIZE, 11);
}

static void follows_symlink(void)
{
	if (!CHECK_OK(mkfile("f", 0644, "abcdef")) || !CHECK_OK(symlink("f", "l")))
		return;
	CHECK_OK(truncate("l", 2));
	CHECK_LSTAT("f", F_SIZE, 2);
	CHECK_LSTAT("l", F_TYPE, S_IFLNK);
}

static void errors(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "abc")) || !CHECK_OK(mkdir("d", 0755)) ||
	    !CHECK_OK(mkfifo("p", 0644)))
		return;
	CHECK_ERR(truncate("d", 0), EISDIR);
	CHECK_ERR(truncate("f", -1), EINVAL);
	CHECK_ERR(truncate("p", 0), EINVAL);
	CHECK_ERR(truncate("missing", 0), ENOENT);
	CHECK_ERR(truncate("f/x", 0), ENOTDIR);
	if (CHECK_OK(fd = open("f", O_RDWR)))
		CHECK_ERR(ftruncate(fd, -1), EINVAL);
	CHECK_LSTAT("f", F_SIZE, 3);
}

CONF_CATEGORY(truncate, T(extend), T(shrink), T(shrink_then_extend),
	      T(ftruncate_modes), T(write_past_end), T(follows_symlink),
	      T(errors));
