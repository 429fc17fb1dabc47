/* Shared and private file mappings: writes through a shared mapping reach
 * read() and other mappings, writes through read/write reach mappings,
 * private copies stay private, protections follow the open mode. */
#include "conf.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { PG = 4096, LEN = 2 * PG };

static int sized(const char *path, off_t size)
{
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	if (fd >= 0 && ftruncate(fd, size) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void shared_write_read(void)
{
	char buf[16] = "";
	int fd __cleanup_close = -1, r __cleanup_close = -1;
	if (!CHECK_OK(fd = sized("f", LEN)))
		return;
	char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK_OK(p))
		return;
	memcpy(p, "hello", 5);
	memcpy(p + PG + 100, "world", 5);
	CHECK_OK(msync(p, LEN, MS_SYNC));
	if (CHECK_OK(r = open("f", O_RDONLY))) {
		CHECK_EQ(pread(r, buf, 5, 0), 5);
		CHECK_STR(buf, "hello");
		CHECK_EQ(pread(r, buf, 5, PG + 100), 5);
		CHECK_STR(buf, "world");
	}
	CHECK_OK(munmap(p, LEN));
	CHECK_LSTAT("f", F_SIZE, LEN);
}

static void coherent_without_msync(void)
{
	char buf[8] = "";
	int fd __cleanup_close = -1;
	if (!CHECK_OK(fd = sized("f", PG)))
		return;
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK_OK(p))
		return;
	/* Linux has one page cache: read() sees the store at once ... */
	memcpy(p + 10, "abc", 3);
	CHECK_EQ(pread(fd, buf, 3, 10), 3);
	CHECK_STR(buf, "abc");
	/* ... and the mapping sees write() at once. */
	CHECK_EQ(pwrite(fd, "XYZ", 3, 20), 3);
	CHECK(memcmp(p + 20, "XYZ", 3) == 0);
	munmap(p, PG);
}

static void second_mapping(void)
{
	int a __cleanup_close = -1, b __cleanup_close = -1;
	if (!CHECK_OK(a = sized("f", LEN)) || !CHECK_OK(b = open("f", O_RDWR)))
		return;
	char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
	char *q = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, b, 0);
	if (CHECK_OK(p) && CHECK_OK(q)) {
		memcpy(p + PG + 1, "through p", 9);
		CHECK(memcmp(q + PG + 1, "through p", 9) == 0);
		memcpy(q, "through q", 9);
		CHECK(memcmp(p, "through q", 9) == 0);
	}
	/* A mapping at an offset sees the same page. */
	char *o = mmap(NULL, PG, PROT_READ, MAP_SHARED, b, PG);
	if (CHECK_OK(o))
		CHECK(memcmp(o + 1, "through p", 9) == 0);
	if (p != MAP_FAILED)
		munmap(p, LEN);
	if (q != MAP_FAILED)
		munmap(q, LEN);
	if (o != MAP_FAILED)
		munmap(o, PG);
}

static void persists(void)
{
	char buf[16] = "";
	int fd = -1;
	if (!CHECK_OK(fd = sized("f", PG)))
		return;
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (!CHECK_OK(p))
		return;
	/* The mapping outlives the descriptor. */
	memcpy(p + 4000, "kept", 4);
	CHECK_OK(munmap(p, PG));
	int r __cleanup_close = -1;
	if (CHECK_OK(r = open("f", O_RDONLY))) {
		CHECK_EQ(pread(r, buf, 4, 4000), 4);
		CHECK_STR(buf, "kept");
	}
}

static void private_copy(void)
{
	char buf[8] = "";
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "original")) ||
	    !CHECK_OK(fd = open("f", O_RDONLY)))
		return;
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (!CHECK_OK(p))
		return;
	CHECK(memcmp(p, "original", 8) == 0);
	memcpy(p, "changed!", 8);
	CHECK(memcmp(p, "changed!", 8) == 0);
	CHECK_EQ(pread(fd, buf, 8, 0), 8);
	CHECK(memcmp(buf, "original", 8) == 0);
	munmap(p, PG);
}

static void grow_while_mapped(void)
{
	char buf[8] = "";
	int fd __cleanup_close = -1;
	if (!CHECK_OK(fd = sized("f", PG)))
		return;
	char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK_OK(p))
		return;
	CHECK_OK(ftruncate(fd, 4 * PG));
	memcpy(p + 3 * PG, "grown", 5);
	CHECK_OK(msync(p, 4 * PG, MS_SYNC));
	CHECK_EQ(pread(fd, buf, 5, 3 * PG), 5);
	CHECK_STR(buf, "grown");
	munmap(p, 4 * PG);
}

static void mtime_on_store(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(fd = sized("f", PG)))
		return;
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK_OK(p))
		return;
	tick();
	struct timespec m0 = fts(fd, 'm');
	tick();
	/* POSIX: a store then msync marks mtime and ctime for update. */
	p[0] = 'x';
	CHECK_OK(msync(p, PG, MS_SYNC));
	CHECK_TS_GT(lts("f", 'm'), m0);
	munmap(p, PG);
}

static void protections(void)
{
	int w __cleanup_close = -1, r __cleanup_close = -1;
	if (!CHECK_OK(w = sized("f", PG)) || !CHECK_OK(r = open("f", O_RDONLY)))
		return;
	int wo __cleanup_close = open("f", O_WRONLY);
	if (CHECK_OK(wo))
		CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_SHARED, wo, 0), EACCES);
	CHECK_ERR(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, r, 0), EACCES);
	/* A private writable copy of a read-only file is fine. */
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, r, 0);
	if (CHECK_OK(p))
		munmap(p, PG);
}

CONF_CATEGORY(mmap, T(shared_write_read), T(coherent_without_msync),
	      T(second_mapping), T(persists), T(private_copy),
	      T(grow_while_mapped), T(mtime_on_store), T(protections));
