/* link, linkat: shared inode, link counts of files and directories, errors. */
#include "conf.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void basic(void)
{
	char buf[32];
	if (!CHECK_OK(mkfile("a", 0644, "data")) || !CHECK_OK(link("a", "b")))
		return;
	CHECK_LSTAT("a", F_NLINK, 2);
	CHECK_LSTAT("b", F_NLINK, 2);
	CHECK_EQ(lget("b", F_INO), lget("a", F_INO));
	CHECK_LSTAT("b", F_MODE, 0644);
	CHECK_EQ(readfile("b", buf, sizeof(buf)), 4);
	CHECK_STR(buf, "data");
	/* Writes through one name are seen through the other. */
	int fd __cleanup_close = -1;
	if (CHECK_OK(fd = open("b", O_WRONLY | O_APPEND)))
		CHECK_EQ(write(fd, "+", 1), 1);
	CHECK_EQ(readfile("a", buf, sizeof(buf)), 5);
	CHECK_STR(buf, "data+");
}

static void unlink_counts(void)
{
	char name[16];
	if (!CHECK_OK(mkfile("f", 0644, "x")))
		return;
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		if (!CHECK_OK(link("f", name)))
			return;
	}
	CHECK_LSTAT("f", F_NLINK, 11);
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		CHECK_OK(unlink(name));
	}
	CHECK_LSTAT("f", F_NLINK, 6);
	CHECK_LSTAT("l9", F_NLINK, 6);
	CHECK_OK(unlink("f"));
	CHECK_LSTAT("l5", F_NLINK, 5);
}

static void across_dirs(void)
{
	if (!CHECK_OK(mkdir("d1", 0755)) || !CHECK_OK(mkdir("d2", 0755)) ||
	    !CHECK_OK(mkfile("d1/f", 0600, "x")))
		return;
	CHECK_OK(link("d1/f", "d2/g"));
	CHECK_EQ(lget("d2/g", F_INO), lget("d1/f", F_INO));
	CHECK_LSTAT("d2/g", F_NLINK, 2);
	CHECK_OK(unlink("d1/f"));
	CHECK_LSTAT("d2/g", F_NLINK, 1);
}

static void special_files(void)
{
	if (!CHECK_OK(mkfifo("p", 0644)) || !CHECK_OK(mkfile("f", 0644, NULL)) ||
	    !CHECK_OK(symlink("f", "s")))
		return;
	CHECK_OK(link("p", "p2"));
	CHECK_LSTAT("p2", F_TYPE, S_IFIFO);
	CHECK_LSTAT("p", F_NLINK, 2);
	/* link() does not follow a symlink on Linux ... */
	CHECK_OK(link("s", "s2"));
	CHECK_LSTAT("s2", F_TYPE, S_IFLNK);
	CHECK_EQ(lget("s2", F_INO), lget("s", F_INO));
	/* ... AT_SYMLINK_FOLLOW does. */
	CHECK_OK(linkat(AT_FDCWD, "s", AT_FDCWD, "f2", AT_SYMLINK_FOLLOW));
	CHECK_LSTAT("f2", F_TYPE, S_IFREG);
	CHECK_EQ(lget("f2", F_INO), lget("f", F_INO));
}

static void dir_nlink(void)
{
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkdir("e", 0755)))
		return;
	CHECK_LSTAT("d", F_NLINK, 2);
	CHECK_OK(mkdir("d/s1", 0755));
	CHECK_OK(mkdir("d/s2", 0755));
	CHECK_LSTAT("d", F_NLINK, 4);
	/* Files do not count. */
	CHECK_OK(mkfile("d/f", 0644, NULL));
	CHECK_LSTAT("d", F_NLINK, 4);
	CHECK_OK(rmdir("d/s1"));
	CHECK_LSTAT("d", F_NLINK, 3);
	CHECK_OK(rename("d/s2", "e/s2"));
	CHECK_LSTAT("d", F_NLINK, 2);
	CHECK_LSTAT("e", F_NLINK, 3);
}

static void ctime_updated(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	struct timespec c0 = lts("f", 'c');
	tick();
	CHECK_OK(link("f", "g"));
	CHECK_TS_GT(lts("f", 'c'), c0);
}

static void errors(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(mkfile("g", 0644, NULL)) ||
	    !CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(symlink("nowhere", "dl")))
		return;
	CHECK_ERR(link("f", "g"), EEXIST);
	CHECK_ERR(link("f", "d"), EEXIST);
	CHECK_ERR(link("f", "dl"), EEXIST);
	CHECK_ERR(link("f", "f"), EEXIST);
	CHECK_ERR(link("d", "d2"), EPERM);
	CHECK_ERR(link("missing", "x"), ENOENT);
	CHECK_ERR(link("f", "missing/x"), ENOENT);
	CHECK_ERR(link("f", "g/x"), ENOTDIR);
	CHECK_ERR(link("f/", "x"), ENOTDIR);
	CHECK_LSTAT("f", F_NLINK, 1);
	CHECK_ABSENT("d2");
}

CONF_CATEGORY(link, T(basic), T(unlink_counts), T(across_dirs),
	      T(special_files), T(dir_nlink), T(ctime_updated), T(errors));
