/* Files that existed before the run: `fsconf -p DIR` makes a small tree in
 * DIR/fsconf-premade (one subdirectory per test below), and the tests
 * change it.  On a plain filesystem that is ordinary file handling; on an
 * overlay whose lower layer holds the tree, every first change copies a
 * file up, so contents, modes, owners, times and xattrs must survive the
 * copy and the change must land on the copy.  Without a pre-made tree the
 * tests skip.  The tree is used up by one run (fsconf removes it). */
#include "conf.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Pre-made files carry this mtime, so a copy-up that loses it shows. */
#define OLD_TIME 1000000000
#define BIG 262144

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 31 + i / 4096);
}

/* ---- making the tree (runs in DIR/fsconf-premade/TEST) ---- */

static int set_old_time(const char *path)
{
	struct timespec ts[2] = { { OLD_TIME, 0 }, { OLD_TIME, 0 } };
	return utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

static int old_file(const char *path, mode_t mode, const char *data)
{
	if (mkfile(path, mode, data) < 0)
		return -1;
	return set_old_time(path);
}

static int big_file(const char *path, size_t size)
{
	unsigned char *p = malloc(size);
	if (!p)
		return -1;
	for (size_t i = 0; i < size; i++)
		p[i] = pattern(i);
	int fd __cleanup_close = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	int r = fd < 0 ? -errno : write_full(fd, p, size);
	free(p);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return set_old_time(path);
}

static int prep_chmod(void)
{
	if (old_file("f", 0640, "lower data") < 0 || mkdir_mode("d", 0750) < 0 ||
	    old_file("d/inside", 0644, "inner") < 0)
		return -1;
	return set_old_time("d");
}

static int prep_chown(void)
{
	if (old_file("f", 0644, "owned") < 0 || old_file("s", 04755, "setuid") < 0 ||
	    symlink("f", "l") < 0)
		return -1;
	return 0;
}

static int prep_truncate(void)
{
	if (old_file("small", 0644, "0123456789") < 0)
		return -1;
	return big_file("big", BIG);
}

static int prep_write(void)
{
	if (old_file("log", 0644, "line1\n") < 0)
		return -1;
	return big_file("big", BIG);
}

static int prep_rename(void)
{
	if (old_file("f", 0644, "moved") < 0 || mkdir_mode("sub", 0755) < 0 ||
	    old_file("sub/y", 0600, "across") < 0 || symlink("f", "l") < 0)
		return -1;
	return 0;
}

static int prep_rename_dir(void)
{
	if (mkdir_mode("d", 0755) < 0 || old_file("d/x", 0644, "child") < 0 ||
	    mkdir_mode("d/deeper", 0755) < 0 || old_file("d/deeper/z", 0644, "grandchild") < 0)
		return -1;
	return 0;
}

static int prep_unlink(void)
{
	if (old_file("f", 0644, "doomed") < 0 || old_file("keep", 0644, "kept") < 0 ||
	    mkdir_mode("d", 0755) < 0 || old_file("d/a", 0644, NULL) < 0 ||
	    old_file("d/b", 0644, NULL) < 0)
		return -1;
	return 0;
}

static int prep_xattr(void)
{
	if (old_file("f", 0644, "with xattrs") < 0 ||
	    setxattr("f", "user.keep", "1", 1, 0) < 0 ||
	    setxattr("f", "user.drop", "22", 2, 0) < 0 ||
	    setxattr("f", "user.change", "old", 3, 0) < 0)
		return -1;
	return 0;
}

static int prep_utimens(void)
{
	return old_file("f", 0644, "timed");
}

static int prep_hardlink(void)
{
	if (old_file("a", 0644, "shared") < 0 || link("a", "b") < 0)
		return -1;
	return 0;
}

static int prep_readdir(void)
{
	char name[16];
	if (mkdir_mode("d", 0755) < 0)
		return -1;
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "d/e%02d", i);
		if (old_file(name, 0644, NULL) < 0)
			return -1;
	}
	return 0;
}

static int prep_mmap(void)
{
	return big_file("f", 8192);
}

/* ---- the tests (cwd: their own empty directory) ---- */

/* Enter the test's pre-made directory, or skip without one. */
static bool enter(const char *test)
{
	if (conf.premade < 0) {
		conf_skip("no pre-made tree (run fsconf -p DIR first)");
		return false;
	}
	int fd __cleanup_close = openat(conf.premade, test, O_RDONLY | O_DIRECTORY);
	return CHECK_OK(fd) && CHECK_OK(fchdir(fd));
}

static bool is_pattern(const unsigned char *p, size_t from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern(from + i))
			return false;
	return true;
}

/* The whole of a pre-made big file; NULL when it cannot be read. */
static unsigned char *slurp(const char *path, size_t size)
{
	unsigned char *p = malloc(size);
	int fd __cleanup_close = open(path, O_RDONLY);
	if (fd < 0 || !p || read_full(fd, p, size) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

static void t_chmod(void)
{
	char buf[32];
	if (!enter("chmod"))
		return;
	CHECK_OK(chmod("f", 0604));
	CHECK_LSTAT("f", F_MODE, 0604);
	CHECK_EQ(readfile("f", buf, sizeof(buf)), 10);
	CHECK_STR(buf, "lower data");
	/* chmod changes ctime only: the copy kept the old mtime. */
	CHECK_TS_EQ(lts("f", 'm'), ((struct timespec){ OLD_TIME, 0 }));
	CHECK_OK(chmod("d", 0755));
	CHECK_LSTAT("d", F_MODE, 0755);
	CHECK_EQ(readfile("d/inside", buf, sizeof(buf)), 5);
	CHECK_STR(buf, "inner");
	CHECK_TS_EQ(lts("d", 'm'), ((struct timespec){ OLD_TIME, 0 }));
}

static void t_chown(void)
{
	char buf[32];
	NEED_ROOT();
	if (!enter("chown"))
		return;
	CHECK_OK(chown("f", 1234, 1235));
	CHECK_LSTAT("f", F_UID, 1234);
	CHECK_LSTAT("f", F_GID, 1235);
	CHECK_LSTAT("f", F_MODE, 0644);
	CHECK_EQ(readfile("f", buf, sizeof(buf)), 5);
	CHECK_STR(buf, "owned");
	/* A copied-up setuid file loses the bit on chown like any other. */
	CHECK_LSTAT("s", F_MODE, 04755);
	CHECK_OK(chown("s", 1234, -1));
	CHECK_LSTAT("s", F_MODE, 0755);
	CHECK_OK(lchown("l", 1236, 1237));
	CHECK_LSTAT("l", F_UID, 1236);
	CHECK_LSTAT("f", F_UID, 1234);
	ssize_t n = readlink("l", buf, sizeof(buf));
	CHECK_EQ(n, 1);
}

static void t_truncate(void)
{
	char buf[32];
	if (!enter("truncate"))
		return;
	CHECK_OK(truncate("small", 4));
	CHECK_EQ(readfile("small", buf, sizeof(buf)), 4);
	CHECK_STR(buf, "0123");
	/* Growing a big lower file: its data copied whole, then zeros. */
	enum { GROWN = BIG + 4096 };
	CHECK_OK(truncate("big", GROWN));
	CHECK_LSTAT("big", F_SIZE, GROWN);
	unsigned char *p = slurp("big", GROWN);
	if (CHECK(p != NULL)) {
		CHECK(is_pattern(p, 0, BIG));
		bool zero = true;
		for (size_t i = BIG; i < GROWN; i++)
			zero &= p[i] == 0;
		CHECK(zero);
	}
	free(p);
}

static void t_write(void)
{
	char buf[32];
	if (!enter("write"))
		return;
	int fd = open("big", O_WRONLY);
	if (CHECK_OK(fd)) {
		CHECK_EQ(pwrite(fd, "XYZ", 3, 100000), 3);
		CHECK_OK(close(fd));
	}
	unsigned char *p = slurp("big", BIG);
	if (CHECK(p != NULL)) {
		CHECK(is_pattern(p, 0, 100000));
		CHECK(memcmp(p + 100000, "XYZ", 3) == 0);
		CHECK(is_pattern(p + 100003, 100003, BIG - 100003));
	}
	free(p);
	CHECK_LSTAT("big", F_SIZE, BIG);
	fd = open("log", O_WRONLY | O_APPEND);
	if (CHECK_OK(fd)) {
		CHECK_EQ(write(fd, "line2\n", 6), 6);
		CHECK_OK(close(fd));
	}
	CHECK_EQ(readfile("log", buf, sizeof(buf)), 12);
	CHECK_STR(buf, "line1\nline2\n");
}

static void t_rename(void)
{
	char buf[32];
	if (!enter("rename"))
		return;
	CHECK_OK(rename("f", "g"));
	CHECK_ABSENT("f");
	CHECK_EQ(readfile("g", buf, sizeof(buf)), 5);
	CHECK_STR(buf, "moved");
	CHECK_TS_EQ(lts("g", 'm'), ((struct timespec){ OLD_TIME, 0 }));
	CHECK_OK(rename("sub/y", "y"));
	CHECK_ABSENT("sub/y");
	CHECK_LSTAT("y", F_MODE, 0600);
	CHECK_EQ(readfile("y", buf, sizeof(buf)), 6);
	CHECK_STR(buf, "across");
	CHECK_OK(rename("l", "m"));
	ssize_t n = readlink("m", buf, sizeof(buf));
	CHECK_EQ(n, 1);
	/* the old name is free for a new file */
	CHECK_OK(mkfile("f", 0644, "fresh"));
	CHECK_EQ(readfile("f", buf, sizeof(buf)), 5);
	CHECK_STR(buf, "fresh");
}

static void t_rename_dir(void)
{
	char buf[32];
	if (!enter("rename_dir"))
		return;
	/* Read the children first: their names are then cached, as for an
	 * app that used the files before it renamed their directory (and
	 * the outcome does not hang on the kernel's dentry reclaim). */
	CHECK_EQ(readfile("d/x", buf, sizeof(buf)), 5);
	CHECK_EQ(readfile("d/deeper/z", buf, sizeof(buf)), 10);
	if (!CHECK_OK(rename("d", "e")))
		return;
	CHECK_ABSENT("d");
	CHECK_EQ(readfile("e/x", buf, sizeof(buf)), 5);
	CHECK_STR(buf, "child");
	CHECK_EQ(readfile("e/deeper/z", buf, sizeof(buf)), 10);
	CHECK_STR(buf, "grandchild");
}

static bool listed(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	struct dirent *e;
	while ((e = readdir(d)))
		found |= strcmp(e->d_name, name) == 0;
	closedir(d);
	return found;
}

static void t_unlink(void)
{
	char buf[32];
	if (!enter("unlink"))
		return;
	CHECK_OK(unlink("f"));
	CHECK_ABSENT("f");
	CHECK(!listed(".", "f"));
	CHECK(listed(".", "keep"));
	/* A new file under the removed name starts empty. */
	int fd __cleanup_close = open("f", O_CREAT | O_EXCL | O_RDWR, 0644);
	if (CHECK_OK(fd))
		CHECK_LSTAT("f", F_SIZE, 0);
	CHECK_OK(unlink("d/a"));
	CHECK_OK(unlink("d/b"));
	CHECK_OK(rmdir("d"));
	CHECK_ABSENT("d");
	/* A directory made again where a lower one was is empty. */
	CHECK_OK(mkdir("d", 0755));
	CHECK(!listed("d", "a") && !listed("d", "b"));
	CHECK_LSTAT("d", F_NLINK, 2);
	CHECK_EQ(readfile("keep", buf, sizeof(buf)), 4);
}

static void t_xattr(void)
{
	char buf[256];
	if (!enter("xattr"))
		return;
	CHECK_EQ(getxattr("f", "user.keep", buf, sizeof(buf)), 1);
	/* The first change copies the file up with all its xattrs. */
	CHECK_OK(setxattr("f", "user.change", "new", 3, XATTR_REPLACE));
	CHECK_EQ(getxattr("f", "user.change", buf, sizeof(buf)), 3);
	CHECK(memcmp(buf, "new", 3) == 0);
	CHECK_EQ(getxattr("f", "user.keep", buf, sizeof(buf)), 1);
	CHECK(buf[0] == '1');
	CHECK_EQ(getxattr("f", "user.drop", buf, sizeof(buf)), 2);
	CHECK_OK(removexattr("f", "user.drop"));
	CHECK_ERR(getxattr("f", "user.drop", buf, sizeof(buf)), ENODATA);
	CHECK_OK(setxattr("f", "user.add", "x", 1, XATTR_CREATE));
	ssize_t n = listxattr("f", buf, sizeof(buf));
	int keep = 0, change = 0, add = 0, drop = 0;
	for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t)strlen(buf + off) + 1) {
		keep += !strcmp(buf + off, "user.keep");
		change += !strcmp(buf + off, "user.change");
		add += !strcmp(buf + off, "user.add");
		drop += !strcmp(buf + off, "user.drop");
	}
	CHECK(keep == 1 && change == 1 && add == 1 && drop == 0);
	CHECK_EQ(readfile("f", buf, sizeof(buf)), 11);
	CHECK_STR(buf, "with xattrs");
}

static void t_utimens(void)
{
	char buf[32];
	if (!enter("utimens"))
		return;
	struct timespec ts[2] = { { 1200000000, 5000 }, { 1300000000, 7000 } };
	CHECK_OK(utimensat(AT_FDCWD, "f", ts, 0));
	CHECK_TS_EQ(lts("f", 'a'), ts[0]);
	CHECK_TS_EQ(lts("f", 'm'), ts[1]);
	CHECK_EQ(readfile("f", buf, sizeof(buf)), 5);
	CHECK_STR(buf, "timed");
}

static void t_hardlink(void)
{
	char buf[32];
	if (!enter("hardlink"))
		return;
	CHECK_LSTAT("a", F_NLINK, 2);
	int fd = open("a", O_WRONLY | O_APPEND);
	if (CHECK_OK(fd)) {
		CHECK_EQ(write(fd, "+", 1), 1);
		CHECK_OK(close(fd));
	}
	/* Both names are still one file. */
	CHECK_EQ(readfile("b", buf, sizeof(buf)), 7);
	CHECK_STR(buf, "shared+");
	CHECK_EQ(lget("a", F_INO), lget("b", F_INO));
	CHECK_LSTAT("b", F_NLINK, 2);
}

static void t_readdir(void)
{
	char name[16];
	if (!enter("readdir"))
		return;
	for (int i = 0; i < 20; i += 4) {
		snprintf(name, sizeof(name), "d/e%02d", i);
		CHECK_OK(unlink(name));
		snprintf(name, sizeof(name), "d/n%02d", i);
		CHECK_OK(mkfile(name, 0644, NULL));
	}
	/* Each name once: 15 lower entries left, 5 new ones. */
	DIR *d = opendir("d");
	if (!CHECK(d != NULL))
		return;
	int seen[2][20] = { { 0 } }, other = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		int k;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (sscanf(e->d_name, "e%2d", &k) == 1 && k >= 0 && k < 20)
			seen[0][k]++;
		else if (sscanf(e->d_name, "n%2d", &k) == 1 && k >= 0 && k < 20)
			seen[1][k]++;
		else
			other++;
	}
	closedir(d);
	bool right = other == 0;
	for (int i = 0; i < 20; i++)
		right &= seen[0][i] == (i % 4 ? 1 : 0) && seen[1][i] == (i % 4 ? 0 : 1);
	CHECK_MSG(right, "readdir of a half-changed lower directory lists each live name once");
}

static void t_mmap(void)
{
	if (!enter("mmap"))
		return;
	int fd __cleanup_close = open("f", O_RDWR);
	if (!CHECK_OK(fd))
		return;
	unsigned char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK_OK(p))
		return;
	CHECK(is_pattern(p, 0, 8192));
	memcpy(p + 5000, "mapped", 6);
	CHECK_OK(msync(p, 8192, MS_SYNC));
	munmap(p, 8192);
	unsigned char *q = slurp("f", 8192);
	if (CHECK(q != NULL)) {
		CHECK(is_pattern(q, 0, 5000));
		CHECK(memcmp(q + 5000, "mapped", 6) == 0);
		CHECK(is_pattern(q + 5006, 5006, 8192 - 5006));
	}
	free(q);
}

static const struct {
	const char *test;
	int (*prep)(void);
} fixtures[] = {
	{ "chmod", prep_chmod },       { "chown", prep_chown },
	{ "truncate", prep_truncate }, { "write", prep_write },
	{ "rename", prep_rename },     { "rename_dir", prep_rename_dir },
	{ "unlink", prep_unlink },     { "xattr", prep_xattr },
	{ "utimens", prep_utimens },   { "hardlink", prep_hardlink },
	{ "readdir", prep_readdir },   { "mmap", prep_mmap },
};

int copyup_prepare(int topfd)
{
	if (mkdirat(topfd, COPYUP_DIR, 0755) < 0)
		return -errno;
	int base __cleanup_close = openat(topfd, COPYUP_DIR, O_RDONLY | O_DIRECTORY);
	if (base < 0)
		return -errno;
	mode_t old = umask(022);
	int r = 0;
	for (size_t i = 0; i < ARRAY_SIZE(fixtures) && r == 0; i++) {
		int fd __cleanup_close = -1;
		if (mkdirat(base, fixtures[i].test, 0755) < 0 ||
		    (fd = openat(base, fixtures[i].test, O_RDONLY | O_DIRECTORY)) < 0 ||
		    fchdir(fd) < 0 || fixtures[i].prep() < 0) {
			r = -errno;
			fprintf(stderr, "fsconf: preparing %s/%s: %s\n", COPYUP_DIR,
				fixtures[i].test, strerror(errno));
		}
	}
	umask(old);
	return r;
}

CONF_CATEGORY(copyup, { "chmod", t_chmod }, { "chown", t_chown },
	      { "truncate", t_truncate }, { "write", t_write },
	      { "rename", t_rename }, { "rename_dir", t_rename_dir },
	      { "unlink", t_unlink }, { "xattr", t_xattr },
	      { "utimens", t_utimens }, { "hardlink", t_hardlink },
	      { "readdir", t_readdir }, { "mmap", t_mmap });
