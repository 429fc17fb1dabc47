/* Sparse files past 4 GiB: 64-bit offsets end to end, holes read as
 * zeros, holes take no space, SEEK_DATA/SEEK_HOLE answers stay sane. */
#include "conf.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define GiB (1024LL * 1024 * 1024)

static bool all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void write_at_5g(void)
{
	char buf[4096];
	int fd __cleanup_close = -1;
	if (!CHECK_OK(fd = open("f", O_CREAT | O_RDWR, 0644)))
		return;
	CHECK_EQ(pwrite(fd, "hello", 5, 5 * GiB), 5);
	CHECK_FSTAT(fd, F_SIZE, 5 * GiB + 5);
	CHECK_LSTAT("f", F_SIZE, 5 * GiB + 5);
	/* Holes take (almost) no space. */
	CHECK(fget(fd, F_BLOCKS) * 512 < 16 * 1024 * 1024);
	memset(buf, 0x55, sizeof(buf));
	CHECK_EQ(pread(fd, buf, 5, 5 * GiB), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	memset(buf, 0x55, sizeof(buf));
	CHECK_EQ(pread(fd, buf, sizeof(buf), 4 * GiB), (ssize_t)sizeof(buf));
	CHECK(all_zero(buf, sizeof(buf)));
	memset(buf, 0x55, sizeof(buf));
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	CHECK(all_zero(buf, sizeof(buf)));
	/* A read across the end stops there; one at the end gets nothing. */
	CHECK_EQ(pread(fd, buf, sizeof(buf), 5 * GiB + 2), 3);
	CHECK_EQ(pread(fd, buf, sizeof(buf), 5 * GiB + 5), 0);
}

static void boundary_4g(void)
{
	char buf[8] = "";
	int fd __cleanup_close = -1;
	if (!CHECK_OK(fd = open("f", O_CREAT | O_RDWR, 0644)))
		return;
	/* A write straddling 2^32: a 32-bit offset anywhere would land it
	 * at 0 or split it. */
	CHECK_EQ(pwrite(fd, "ABCD", 4, 4 * GiB - 2), 4);
	CHECK_EQ(pread(fd, buf, 4, 4 * GiB - 2), 4);
	CHECK(memcmp(buf, "ABCD", 4) == 0);
	CHECK_EQ(pread(fd, buf, 2, 4 * GiB), 2);
	CHECK(memcmp(buf, "CD", 2) == 0);
	CHECK_EQ(pread(fd, buf, 4, 0), 4);
	CHECK(all_zero(buf, 4));
	CHECK_FSTAT(fd, F_SIZE, 4 * GiB + 2);
}

static void seek_and_write(void)
{
	char buf[8] = "";
	int fd __cleanup_close = -1;
	if (!CHECK_OK(fd = open("f", O_CREAT | O_RDWR, 0644)))
		return;
	CHECK_EQ(lseek(fd, 4 * GiB + 1, SEEK_SET), 4 * GiB + 1);
	CHECK_EQ(write(fd, "xy", 2), 2);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4 * GiB + 3);
	CHECK_EQ(lseek(fd, 0, SEEK_END), 4 * GiB + 3);
	CHECK_EQ(pread(fd, buf, 2, 4 * GiB + 1), 2);
	CHECK(memcmp(buf, "xy", 2) == 0);
}

static void ftruncate_big(void)
{
	char c = 1;
	int fd __cleanup_close = -1;
	if (!CHECK_OK(fd = open("f", O_CREAT | O_RDWR, 0644)))
		return;
	CHECK_OK(ftruncate(fd, 6 * GiB));
	CHECK_LSTAT("f", F_SIZE, 6 * GiB);
	CHECK_EQ(pread(fd, &c, 1, 6 * GiB - 1), 1);
	CHECK_EQ(c, 0);
	CHECK(fget(fd, F_BLOCKS) * 512 < 16 * 1024 * 1024);
	CHECK_OK(truncate("f", 0));
	CHECK_FSTAT(fd, F_SIZE, 0);
	CHECK_FSTAT(fd, F_BLOCKS, 0);
}

static void seek_data_hole(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(fd = open("f", O_CREAT | O_RDWR, 0644)) ||
	    !CHECK_EQ(pwrite(fd, "data", 4, 5 * GiB), 4))
		return;
	off_t size = 5 * GiB + 4;
	/* Filesystems without hole tracking report all data, one hole at
	 * the end: both answers are valid, others are not. */
	off_t data = lseek(fd, 0, SEEK_DATA);
	CHECK_MSG(data == 0 || (data > 4 * GiB && data <= 5 * GiB),
		  "lseek(0, SEEK_DATA) = %lld", (long long)data);
	off_t hole = lseek(fd, 0, SEEK_HOLE);
	CHECK_MSG(hole == 0 || hole == size, "lseek(0, SEEK_HOLE) = %lld",
		  (long long)hole);
	CHECK_EQ(lseek(fd, 5 * GiB, SEEK_DATA), 5 * GiB);
	CHECK_EQ(lseek(fd, 5 * GiB, SEEK_HOLE), size);
	CHECK_ERR(lseek(fd, size, SEEK_DATA), ENXIO);
	CHECK_ERR(lseek(fd, size + 1, SEEK_HOLE), ENXIO);
}

CONF_CATEGORY(sparse, T(write_at_5g), T(boundary_4g), T(seek_and_write),
	      T(ftruncate_big), T(seek_data_hole));
