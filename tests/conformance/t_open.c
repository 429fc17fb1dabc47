/* open, openat: O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY,
 * O_NOFOLLOW, O_PATH, access modes, errors. */
#include "conf.h"

#include <fcntl.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

static void creat_mode(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(fd = open("f", O_CREAT | O_WRONLY, 0666)))
		return;
	CHECK_FSTAT(fd, F_TYPE, S_IFREG);
	CHECK_FSTAT(fd, F_MODE, 0644);
	CHECK_FSTAT(fd, F_SIZE, 0);
	CHECK_FSTAT(fd, F_NLINK, 1);
	CHECK_FSTAT(fd, F_UID, geteuid());
	CHECK_FSTAT(fd, F_GID, getegid());
	umask(0);
	int fd2 __cleanup_close = -1;
	if (CHECK_OK(fd2 = open("g", O_CREAT | O_RDWR, 0606)))
		CHECK_LSTAT("g", F_MODE, 0606);
	umask(077);
	int fd3 __cleanup_close = -1;
	if (CHECK_OK(fd3 = open("h", O_CREAT | O_RDWR, 0777)))
		CHECK_LSTAT("h", F_MODE, 0700);
}

static void creat_readonly_mode(void)
{
	/* The mode applies to later opens, not to the creating one. */
	int fd __cleanup_close = -1;
	if (CHECK_OK(fd = open("f", O_CREAT | O_RDWR, 0444))) {
		CHECK_EQ(write(fd, "abc", 3), 3);
		CHECK_LSTAT("f", F_MODE, 0444);
		CHECK_LSTAT("f", F_SIZE, 3);
	}
}

static void creat_existing(void)
{
	char buf[16];
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0640, "abc")))
		return;
	CHECK_OK(fd = open("f", O_CREAT | O_RDWR, 0777));
	CHECK_LSTAT("f", F_MODE, 0640);
	CHECK_EQ(readfile("f", buf, sizeof(buf)), 3);
	CHECK_STR(buf, "abc");
}

static void excl(void)
{
	if (!CHECK_OK(mkfile("f", 0644, "abc")) || !CHECK_OK(mkdir("d", 0755)) ||
	    !CHECK_OK(symlink("f", "sl")) || !CHECK_OK(symlink("target", "dl")))
		return;
	CHECK_ERR(open("f", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	CHECK_ERR(open("d", O_CREAT | O_EXCL | O_RDONLY, 0644), EEXIST);
	CHECK_ERR(open("sl", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	/* O_EXCL never follows a symlink, even a dangling one. */
	CHECK_ERR(open("dl", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	CHECK_ABSENT("target");
	CHECK_LSTAT("f", F_SIZE, 3);
	int fd __cleanup_close = -1;
	CHECK_OK(fd = open("new", O_CREAT | O_EXCL | O_WRONLY, 0644));
	CHECK_LSTAT("new", F_TYPE, S_IFREG);
}

static void creat_via_dangling_symlink(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(symlink("target", "dl")))
		return;
	CHECK_OK(fd = open("dl", O_CREAT | O_WRONLY, 0600));
	CHECK_LSTAT("target", F_TYPE, S_IFREG);
	CHECK_LSTAT("target", F_MODE, 0600);
	CHECK_LSTAT("dl", F_TYPE, S_IFLNK);
}

static void o_trunc(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "hello world")))
		return;
	struct timespec m0 = lts("f", 'm'), c0 = lts("f", 'c');
	tick();
	if (!CHECK_OK(fd = open("f", O_WRONLY | O_TRUNC)))
		return;
	CHECK_FSTAT(fd, F_SIZE, 0);
	CHECK_LSTAT("f", F_SIZE, 0);
	CHECK_TS_GT(lts("f", 'm'), m0);
	CHECK_TS_GT(lts("f", 'c'), c0);
	CHECK_EQ(write(fd, "x", 1), 1);
	CHECK_LSTAT("f", F_SIZE, 1);
}

static void append(void)
{
	char buf[16];
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "abc")) ||
	    !CHECK_OK(fd = open("f", O_WRONLY | O_APPEND)))
		return;
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, "def", 3), 3);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6);
	/* Linux: pwrite on an O_APPEND descriptor appends too. */
	CHECK_EQ(pwrite(fd, "X", 1, 0), 1);
	CHECK_EQ(readfile("f", buf, sizeof(buf)), 7);
	CHECK_STR(buf, "abcdefX");
	/* A second appender interleaves at the end, never overwrites. */
	int fd2 __cleanup_close = -1;
	if (CHECK_OK(fd2 = open("f", O_WRONLY | O_APPEND))) {
		CHECK_EQ(write(fd2, "1", 1), 1);
		CHECK_EQ(write(fd, "2", 1), 1);
		CHECK_EQ(readfile("f", buf, sizeof(buf)), 9);
		CHECK_STR(buf, "abcdefX12");
	}
}

static void directory(void)
{
	int fd __cleanup_close = -1, fd2 __cleanup_close = -1;
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkfile("f", 0644, NULL)) ||
	    !CHECK_OK(symlink("d", "sd")))
		return;
	if (CHECK_OK(fd = open("d", O_RDONLY | O_DIRECTORY)))
		CHECK_FSTAT(fd, F_TYPE, S_IFDIR);
	CHECK_OK(fd2 = open("sd", O_RDONLY | O_DIRECTORY));
	CHECK_ERR(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_ERR(open("new", O_RDONLY | O_DIRECTORY | O_CREAT, 0755), EINVAL);
	CHECK_ABSENT("new");
	CHECK_ERR(open("d", O_WRONLY), EISDIR);
	CHECK_ERR(open("d", O_RDWR), EISDIR);
	CHECK_ERR(open("d", O_RDONLY | O_CREAT, 0644), EISDIR);
	CHECK_ERR(open("f/", O_RDONLY), ENOTDIR);
}

static void nofollow(void)
{
	int fd __cleanup_close = -1, fd2 __cleanup_close = -1;
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkfile("d/f", 0644, "x")) ||
	    !CHECK_OK(symlink("d/f", "sf")) || !CHECK_OK(symlink("d", "sd")))
		return;
	CHECK_ERR(open("sf", O_RDONLY | O_NOFOLLOW), ELOOP);
	/* Linux checks O_DIRECTORY first. */
	CHECK_ERR2(open("sd", O_RDONLY | O_NOFOLLOW | O_DIRECTORY), ELOOP, ENOTDIR);
	CHECK_ERR(open("sf", O_WRONLY | O_CREAT | O_NOFOLLOW, 0644), ELOOP);
	/* Only the last component is concerned. */
	CHECK_OK(fd = open("sd/f", O_RDONLY | O_NOFOLLOW));
	CHECK_OK(fd2 = open("d/f", O_RDONLY | O_NOFOLLOW));
}

static void path(void)
{
	char buf[16];
	int fd __cleanup_close = -1, dfd __cleanup_close = -1,
	    lfd __cleanup_close = -1, sub __cleanup_close = -1;
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkfile("d/f", 0600, "abc")) ||
	    !CHECK_OK(symlink("d/f", "l")))
		return;
	if (CHECK_OK(fd = open("d/f", O_PATH))) {
		CHECK_FSTAT(fd, F_TYPE, S_IFREG);
		CHECK_FSTAT(fd, F_SIZE, 3);
		/* An O_PATH descriptor does no I/O and changes nothing. */
		CHECK_ERR(read(fd, buf, 1), EBADF);
		CHECK_ERR(write(fd, "x", 1), EBADF);
		CHECK_ERR(fchmod(fd, 0644), EBADF);
		CHECK_ERR(ftruncate(fd, 0), EBADF);
		CHECK_ERR(fgetxattr(fd, "user.x", buf, sizeof(buf)), EBADF);
	}
	if (CHECK_OK(dfd = open("d", O_PATH | O_DIRECTORY))) {
		/* ... but anchors *at() calls. */
		if (CHECK_OK(sub = openat(dfd, "f", O_RDONLY)))
			CHECK_EQ(read(sub, buf, sizeof(buf)), 3);
		struct stat st;
		CHECK_OK(fstatat(dfd, "", &st, AT_EMPTY_PATH));
		CHECK(S_ISDIR(st.st_mode));
	}
	if (CHECK_OK(lfd = open("l", O_PATH | O_NOFOLLOW))) {
		CHECK_FSTAT(lfd, F_TYPE, S_IFLNK);
		ssize_t n = readlinkat(lfd, "", buf, sizeof(buf));
		CHECK_EQ(n, 3);
		CHECK(n == 3 && memcmp(buf, "d/f", 3) == 0);
	}
	CHECK_LSTAT("d/f", F_SIZE, 3);
}

static void access_modes(void)
{
	char c;
	int r __cleanup_close = -1, w __cleanup_close = -1, rw __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "abc")))
		return;
	if (CHECK_OK(r = open("f", O_RDONLY))) {
		CHECK_ERR(write(r, "x", 1), EBADF);
		CHECK_EQ(read(r, &c, 1), 1);
	}
	if (CHECK_OK(w = open("f", O_WRONLY))) {
		CHECK_ERR(read(w, &c, 1), EBADF);
		CHECK_EQ(write(w, "x", 1), 1);
	}
	if (CHECK_OK(rw = open("f", O_RDWR))) {
		CHECK_EQ(pread(rw, &c, 1, 0), 1);
		CHECK_EQ(c, 'x');
		CHECK_EQ(pwrite(rw, "y", 1, 2), 1);
	}
	char buf[8];
	CHECK_EQ(readfile("f", buf, sizeof(buf)), 3);
	CHECK_STR(buf, "xby");
}

static void errors(void)
{
	char name[300];
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(symlink("l2", "l1")) ||
	    !CHECK_OK(symlink("l1", "l2")))
		return;
	CHECK_ERR(open("missing", O_RDONLY), ENOENT);
	CHECK_ERR(open("missing/f", O_RDWR | O_CREAT, 0644), ENOENT);
	CHECK_ERR(open("", O_RDONLY), ENOENT);
	CHECK_ERR(open("f/x", O_RDONLY), ENOTDIR);
	CHECK_ERR(open("f/x", O_RDWR | O_CREAT, 0644), ENOTDIR);
	CHECK_ERR(open("l1", O_RDONLY), ELOOP);
	memset(name, 'o', 256);
	name[256] = '\0';
	CHECK_ERR(open(name, O_RDWR | O_CREAT, 0644), ENAMETOOLONG);
	name[255] = '\0';
	int fd __cleanup_close = -1;
	CHECK_OK(fd = open(name, O_RDWR | O_CREAT, 0644));
	CHECK_LSTAT(name, F_TYPE, S_IFREG);
}

CONF_CATEGORY(open, T(creat_mode), T(creat_readonly_mode), T(creat_existing),
	      T(excl), T(creat_via_dangling_symlink), T(o_trunc), T(append),
	      T(directory), T(nofollow), T(path), T(access_modes), T(errors));
