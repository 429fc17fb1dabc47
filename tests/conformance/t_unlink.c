/* unlink, unlinkat: every kind of inode, link counts, errors. I/O on
 * unlinked-but-open files is in t_unlinked.c. */
#include "conf.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void basic(void)
{
	if (!CHECK_OK(mkfile("f", 0644, "x")))
		return;
	long long parent = lget(".", F_NLINK);
	CHECK_OK(unlink("f"));
	CHECK_ABSENT("f");
	CHECK_LSTAT(".", F_NLINK, parent);
	CHECK_ERR(unlink("f"), ENOENT);
}

static void link_count(void)
{
	if (!CHECK_OK(mkfile("f", 0644, "x")) || !CHECK_OK(link("f", "g")))
		return;
	CHECK_OK(unlink("f"));
	CHECK_LSTAT("g", F_NLINK, 1);
	CHECK_LSTAT("g", F_SIZE, 1);
}

static void kinds(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(symlink("f", "l")) ||
	    !CHECK_OK(symlink("nowhere", "dl")) || !CHECK_OK(mkfifo("p", 0644)) ||
	    !CHECK_OK(mknod("s", S_IFSOCK | 0644, 0)))
		return;
	/* Removing a link leaves its target. */
	CHECK_OK(unlink("l"));
	CHECK_ABSENT("l");
	CHECK_EXISTS("f");
	CHECK_OK(unlink("dl"));
	CHECK_ABSENT("dl");
	CHECK_OK(unlink("p"));
	CHECK_ABSENT("p");
	CHECK_OK(unlink("s"));
	CHECK_ABSENT("s");
}

static void directory(void)
{
	if (!CHECK_OK(mkdir("d", 0755)))
		return;
	CHECK_ERR(unlink("d"), EISDIR);
	CHECK_ERR(unlinkat(AT_FDCWD, "d", 0), EISDIR);
	CHECK_LSTAT("d", F_TYPE, S_IFDIR);
}

static void unlinkat_flags(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkfile("d/f", 0644, NULL)) ||
	    !CHECK_OK(mkdir("d/s", 0755)) ||
	    !CHECK_OK(fd = open("d", O_RDONLY | O_DIRECTORY)))
		return;
	CHECK_ERR(unlinkat(fd, "f", AT_REMOVEDIR), ENOTDIR);
	CHECK_ERR(unlinkat(fd, "f", 0x1), EINVAL);
	CHECK_EXISTS("d/f");
	CHECK_OK(unlinkat(fd, "f", 0));
	CHECK_ABSENT("d/f");
	CHECK_OK(unlinkat(fd, "s", AT_REMOVEDIR));
	CHECK_ABSENT("d/s");
}

static void many(void)
{
	char name[32];
	int made = 0, removed = 0;
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "file-%03d", i);
		made += mkfile(name, 0644, "x") == 0;
	}
	CHECK_EQ(made, 200);
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "file-%03d", i);
		removed += unlink(name) == 0;
	}
	CHECK_EQ(removed, 200);
	DIR *d = opendir(".");
	if (!CHECK(d != NULL))
		return;
	int left = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		left += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	CHECK_EQ(left, 0);
}

static void recreate(void)
{
	char buf[8];
	if (!CHECK_OK(mkfile("f", 0600, "one")) || !CHECK_OK(unlink("f")))
		return;
	CHECK_OK(mkfile("f", 0644, "two!"));
	CHECK_LSTAT("f", F_MODE, 0644);
	CHECK_EQ(readfile("f", buf, sizeof(buf)), 4);
	CHECK_STR(buf, "two!");
}

static void errors(void)
{
	char name[300];
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	CHECK_ERR(unlink("missing"), ENOENT);
	CHECK_ERR(unlink("missing/x"), ENOENT);
	CHECK_ERR(unlink("f/"), ENOTDIR);
	CHECK_ERR(unlink("f/x"), ENOTDIR);
	memset(name, 'u', 256);
	name[256] = '\0';
	CHECK_ERR(unlink(name), ENAMETOOLONG);
	CHECK_EXISTS("f");
}

CONF_CATEGORY(unlink, T(basic), T(link_count), T(kinds), T(directory),
	      T(unlinkat_flags), T(many), T(recreate), T(errors));
