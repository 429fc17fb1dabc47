/* symlink, readlink: creation, resolution, stored text, limits, loops. */
#include "conf.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void basic(void)
{
	char buf[64];
	if (!CHECK_OK(symlink("target", "l")))
		return;
	CHECK_LSTAT("l", F_TYPE, S_IFLNK);
	CHECK_LSTAT("l", F_SIZE, 6);
	CHECK_LSTAT("l", F_UID, geteuid());
	CHECK_LSTAT("l", F_NLINK, 1);
	ssize_t n = readlink("l", buf, sizeof(buf));
	CHECK_EQ(n, 6);
	CHECK(n == 6 && memcmp(buf, "target", 6) == 0);
	/* Dangling: stat follows and fails, lstat does not. */
	struct stat st;
	CHECK_ERR(stat("l", &st), ENOENT);
}

static void follows(void)
{
	char buf[16];
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkfile("d/f", 0600, "data")) ||
	    !CHECK_OK(symlink("d/f", "lf")) || !CHECK_OK(symlink("d", "ld")) ||
	    !CHECK_OK(symlink("../d/f", "d/up")))
		return;
	CHECK_EQ(sget("lf", F_INO), lget("d/f", F_INO));
	CHECK_STAT("lf", F_MODE, 0600);
	CHECK_EQ(readfile("lf", buf, sizeof(buf)), 4);
	CHECK_STR(buf, "data");
	/* Through a directory link, and relative to the link's directory. */
	CHECK_EQ(readfile("ld/f", buf, sizeof(buf)), 4);
	CHECK_EQ(readfile("d/up", buf, sizeof(buf)), 4);
	CHECK_EQ(sget("ld/up", F_INO), lget("d/f", F_INO));
}

static void absolute(void)
{
	char cwd[4096], target[4200], buf[4200];
	if (!CHECK(getcwd(cwd, sizeof(cwd)) != NULL) ||
	    !CHECK_OK(mkfile("f", 0644, "abs")))
		return;
	snprintf(target, sizeof(target), "%s/f", cwd);
	if (!CHECK_OK(symlink(target, "l")))
		return;
	ssize_t n = readlink("l", buf, sizeof(buf));
	CHECK_EQ(n, (ssize_t)strlen(target));
	CHECK_EQ(readfile("l", buf, sizeof(buf)), 3);
	CHECK_STR(buf, "abs");
}

static void readlink_truncates(void)
{
	char buf[8] = "XXXXXXX";
	if (!CHECK_OK(symlink("abcdef", "l")))
		return;
	/* No NUL is added and the result is cut at the buffer size. */
	CHECK_EQ(readlink("l", buf, 3), 3);
	CHECK(memcmp(buf, "abcXXXX", 7) == 0);
}

static void odd_text(void)
{
	static const char text[] = "a b\n\t\x01\xff*?../..";
	char buf[64];
	if (!CHECK_OK(symlink(text, "l")))
		return;
	ssize_t n = readlink("l", buf, sizeof(buf));
	CHECK_EQ(n, (ssize_t)strlen(text));
	CHECK(n == (ssize_t)strlen(text) && memcmp(buf, text, (size_t)n) == 0);
}

static void long_targets(void)
{
	char *t = malloc(4200), *buf = malloc(4200);
	if (!CHECK(t && buf)) {
		free(t);
		free(buf);
		return;
	}
	memset(t, 'a', 4200);
	for (size_t i = 100; i < 4200; i += 100)
		t[i] = '/';
	t[1023] = '\0';
	CHECK_OK(symlink(t, "l1023"));
	CHECK_EQ(readlink("l1023", buf, 4200), 1023);
	CHECK(memcmp(buf, t, 1023) == 0);
	t[1023] = 'a';
	t[4095] = '\0';
	CHECK_OK(symlink(t, "l4095"));
	CHECK_EQ(readlink("l4095", buf, 4200), 4095);
	CHECK(memcmp(buf, t, 4095) == 0);
	t[4095] = 'a';
	t[4096] = '\0';
	CHECK_ERR(symlink(t, "l4096"), ENAMETOOLONG);
	free(t);
	free(buf);
}

static void loops(void)
{
	struct stat st;
	if (!CHECK_OK(symlink("b", "a")) || !CHECK_OK(symlink("a", "b")) ||
	    !CHECK_OK(symlink("self", "self")))
		return;
	CHECK_ERR(stat("a", &st), ELOOP);
	CHECK_ERR(open("b", O_RDONLY), ELOOP);
	CHECK_ERR(stat("self", &st), ELOOP);
	CHECK_ERR(stat("a/x", &st), ELOOP);
	CHECK_LSTAT("a", F_TYPE, S_IFLNK);
}

static void readlink_errors(void)
{
	char buf[16];
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(mkdir("d", 0755)))
		return;
	CHECK_ERR(readlink("f", buf, sizeof(buf)), EINVAL);
	CHECK_ERR(readlink("d", buf, sizeof(buf)), EINVAL);
	CHECK_ERR(readlink("missing", buf, sizeof(buf)), ENOENT);
	CHECK_ERR(readlink("f/x", buf, sizeof(buf)), ENOTDIR);
}

static void symlink_errors(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(mkdir("d", 0755)) ||
	    !CHECK_OK(symlink("x", "l")))
		return;
	CHECK_ERR(symlink("x", "f"), EEXIST);
	CHECK_ERR(symlink("x", "d"), EEXIST);
	CHECK_ERR(symlink("y", "l"), EEXIST);
	CHECK_ERR(symlink("x", "missing/l"), ENOENT);
	CHECK_ERR(symlink("x", "f/l"), ENOTDIR);
	CHECK_ERR(symlink("", "empty"), ENOENT);
	CHECK_ABSENT("empty");
	CHECK_LSTAT("f", F_TYPE, S_IFREG);
}

static void symlinkat_dirfd(void)
{
	char buf[8];
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkdir("d", 0755)) ||
	    !CHECK_OK(fd = open("d", O_RDONLY | O_DIRECTORY)))
		return;
	CHECK_OK(symlinkat("t", fd, "l"));
	CHECK_LSTAT("d/l", F_TYPE, S_IFLNK);
	CHECK_EQ(readlinkat(fd, "l", buf, sizeof(buf)), 1);
}

CONF_CATEGORY(symlink, T(basic), T(follows), T(absolute),
	      T(readlink_truncates), T(odd_text), T(long_targets), T(loops),
	      T(readlink_errors), T(symlink_errors), T(symlinkat_dirfd));
