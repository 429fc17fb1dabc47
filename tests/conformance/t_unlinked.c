/* I/O on files that are open but no longer have a name: unlinked, or
 * replaced by a rename. The inode must live until the last close. */
#include "conf.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void io_after_unlink(void)
{
	char buf[32] = "";
	int fd __cleanup_close = -1;
	if (!CHECK_OK(fd = open("f", O_CREAT | O_RDWR, 0644)))
		return;
	CHECK_EQ(write(fd, "hello", 5), 5);
	CHECK_OK(unlink("f"));
	CHECK_ABSENT("f");
	CHECK_FSTAT(fd, F_NLINK, 0);
	CHECK_EQ(write(fd, " world", 6), 6);
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 11);
	CHECK_STR(buf, "hello world");
	CHECK_FSTAT(fd, F_SIZE, 11);
	CHECK_OK(ftruncate(fd, 5));
	CHECK_FSTAT(fd, F_SIZE, 5);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 5);
	CHECK_STR(buf, "hello");
	CHECK_OK(fchmod(fd, 0600));
	CHECK_FSTAT(fd, F_MODE, 0600);
	CHECK_OK(fsync(fd));
}

static void two_descriptors(void)
{
	char buf[8] = "";
	int a __cleanup_close = -1, b __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(a = open("f", O_WRONLY)) ||
	    !CHECK_OK(b = open("f", O_RDONLY)))
		return;
	CHECK_OK(unlink("f"));
	CHECK_EQ(write(a, "abc", 3), 3);
	CHECK_EQ(read(b, buf, sizeof(buf)), 3);
	CHECK_STR(buf, "abc");
	/* Closing one descriptor keeps the inode for the other. */
	close(a);
	a = -1;
	CHECK_EQ(pread(b, buf, 3, 0), 3);
	CHECK_FSTAT(b, F_SIZE, 3);
}

static void reopen_via_proc(void)
{
	char path[64], buf[8] = "";
	int fd __cleanup_close = -1, fd2 __cleanup_close = -1;
	if (!CHECK_OK(fd = open("f", O_CREAT | O_RDWR, 0644)))
		return;
	CHECK_EQ(write(fd, "abc", 3), 3);
	CHECK_OK(unlink("f"));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (CHECK_OK(fd2 = open(path, O_RDONLY)))
		CHECK_EQ(read(fd2, buf, sizeof(buf)), 3);
	CHECK_STR(buf, "abc");
}

static void new_file_same_name(void)
{
	char buf[8] = "";
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "one")) || !CHECK_OK(fd = open("f", O_RDWR)))
		return;
	CHECK_OK(unlink("f"));
	CHECK_OK(mkfile("f", 0644, "two!"));
	CHECK(fget(fd, F_INO) != lget("f", F_INO));
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 3);
	CHECK_STR(buf, "one");
	CHECK_EQ(readfile("f", buf, sizeof(buf)), 4);
	CHECK_STR(buf, "two!");
	/* Writes to the old inode do not reach the new file. */
	CHECK_EQ(pwrite(fd, "XXXXXXX", 7, 0), 7);
	CHECK_LSTAT("f", F_SIZE, 4);
}

static void replaced_by_rename(void)
{
	char buf[8] = "";
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("v", 0644, "old")) || !CHECK_OK(mkfile("n", 0644, "new")) ||
	    !CHECK_OK(fd = open("v", O_RDWR)))
		return;
	CHECK_OK(rename("n", "v"));
	CHECK_FSTAT(fd, F_NLINK, 0);
	CHECK_EQ(pread(fd, buf, 3, 0), 3);
	CHECK_STR(buf, "old");
	CHECK_EQ(pwrite(fd, "OLD", 3, 0), 3);
	CHECK_EQ(readfile("v", buf, sizeof(buf)), 3);
	CHECK_STR(buf, "new");
}

static void large_io(void)
{
	enum { SZ = 1 << 20 };
	unsigned char *w = malloc(SZ), *r = malloc(SZ);
	int fd = -1;
	if (!CHECK(w && r) || !CHECK_OK(fd = open("f", O_CREAT | O_RDWR, 0600)) ||
	    !CHECK_OK(unlink("f")))
		goto out;
	for (size_t i = 0; i < SZ; i++)
		w[i] = (unsigned char)(i * 7 + i / 4096);
	CHECK_EQ(write_full(fd, w, SZ), 0);
	CHECK_FSTAT(fd, F_SIZE, SZ);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(read_full(fd, r, SZ), 0);
	CHECK(memcmp(w, r, SZ) == 0);
out:
	if (fd >= 0)
		close(fd);
	free(w);
	free(r);
}

static void mmap_after_unlink(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(fd = open("f", O_RDWR)) ||
	    !CHECK_OK(ftruncate(fd, 4096)) || !CHECK_OK(unlink("f")))
		return;
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK_OK(p))
		return;
	memcpy(p, "mapped", 6);
	CHECK_OK(msync(p, 4096, MS_SYNC));
	char buf[8] = "";
	CHECK_EQ(pread(fd, buf, 6, 0), 6);
	CHECK_STR(buf, "mapped");
	munmap(p, 4096);
}

CONF_CATEGORY(unlinked, T(io_after_unlink), T(two_descriptors),
	      T(reopen_via_proc), T(new_file_same_name), T(replaced_by_rename),
	      T(large_io), T(mmap_after_unlink));
