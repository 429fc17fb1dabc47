/* rename, renameat2: files and directories, over existing targets, into
 * itself, across directories, open descriptors, flags, errors. */
#include "conf.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void file_new_name(void)
{
	char buf[16];
	if (!CHECK_OK(mkfile("a", 0640, "data")))
		return;
	long long ino = lget("a", F_INO);
	CHECK_OK(rename("a", "b"));
	CHECK_ABSENT("a");
	CHECK_LSTAT("b", F_INO, ino);
	CHECK_LSTAT("b", F_MODE, 0640);
	CHECK_LSTAT("b", F_NLINK, 1);
	CHECK_EQ(readfile("b", buf, sizeof(buf)), 4);
	CHECK_STR(buf, "data");
}

static void file_over_file(void)
{
	char buf[16];
	if (!CHECK_OK(mkfile("a", 0644, "new")) || !CHECK_OK(mkfile("b", 0644, "old")) ||
	    !CHECK_OK(link("b", "c")))
		return;
	long long ino = lget("a", F_INO);
	CHECK_OK(rename("a", "b"));
	CHECK_ABSENT("a");
	CHECK_LSTAT("b", F_INO, ino);
	CHECK_EQ(readfile("b", buf, sizeof(buf)), 3);
	CHECK_STR(buf, "new");
	/* The replaced inode lost one link. */
	CHECK_LSTAT("c", F_NLINK, 1);
	CHECK_EQ(readfile("c", buf, sizeof(buf)), 3);
	CHECK_STR(buf, "old");
}

static void same_inode(void)
{
	if (!CHECK_OK(mkfile("a", 0644, "x")) || !CHECK_OK(link("a", "b")))
		return;
	/* Two links to the same file: rename does nothing. */
	CHECK_OK(rename("a", "b"));
	CHECK_EXISTS("a");
	CHECK_EXISTS("b");
	CHECK_LSTAT("a", F_NLINK, 2);
	CHECK_OK(rename("a", "a"));
	CHECK_EXISTS("a");
}

static void dir_rename(void)
{
	if (!CHECK_OK(mkdir("d", 0750)) || !CHECK_OK(mkfile("d/f", 0644, NULL)))
		return;
	long long ino = lget("d", F_INO);
	CHECK_OK(rename("d", "e"));
	CHECK_ABSENT("d");
	CHECK_LSTAT("e", F_INO, ino);
	CHECK_LSTAT("e", F_MODE, 0750);
	CHECK_EXISTS("e/f");
	CHECK_OK(rename("e/", "g/"));
	CHECK_LSTAT("g", F_TYPE, S_IFDIR);
}

static void dir_over_empty_dir(void)
{
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkfile("d/f", 0644, NULL)) ||
	    !CHECK_OK(mkdir("e", 0755)))
		return;
	long long parent = lget(".", F_NLINK);
	CHECK_OK(rename("d", "e"));
	CHECK_ABSENT("d");
	CHECK_EXISTS("e/f");
	CHECK_LSTAT(".", F_NLINK, parent - 1);
}

static void dir_over_nonempty_dir(void)
{
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkdir("e", 0755)) ||
	    !CHECK_OK(mkfile("e/keep", 0644, NULL)))
		return;
	CHECK_ERR2(rename("d", "e"), ENOTEMPTY, EEXIST);
	CHECK_EXISTS("d");
	CHECK_EXISTS("e/keep");
	/* A subdirectory makes it non-empty as well. */
	CHECK_OK(unlink("e/keep"));
	CHECK_OK(mkdir("e/sub", 0755));
	CHECK_ERR2(rename("d", "e"), ENOTEMPTY, EEXIST);
	CHECK_EXISTS("e/sub");
}

static void type_mismatch(void)
{
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	CHECK_ERR(rename("d", "f"), ENOTDIR);
	CHECK_ERR(rename("f", "d"), EISDIR);
	CHECK_LSTAT("d", F_TYPE, S_IFDIR);
	CHECK_LSTAT("f", F_TYPE, S_IFREG);
	CHECK_ERR(rename("f/", "g"), ENOTDIR);
	CHECK_ERR(rename("f", "g/"), ENOTDIR);
	CHECK_ABSENT("g");
}

static void into_itself(void)
{
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkdir("d/sub", 0755)))
		return;
	CHECK_ERR(rename("d", "d/x"), EINVAL);
	CHECK_ERR(rename("d", "d/sub/x"), EINVAL);
	/* A directory cannot replace its own child either. */
	CHECK_ERR2(rename("d", "d/sub"), EINVAL, ENOTEMPTY);
	CHECK_ERR2(rename("d/.", "e"), EINVAL, EBUSY);
	CHECK_ERR2(rename("e", "d/."), ENOENT, EBUSY);
	CHECK_LSTAT("d/sub", F_TYPE, S_IFDIR);
}

static void across_dirs(void)
{
	if (!CHECK_OK(mkdir("a", 0755)) || !CHECK_OK(mkdir("b", 0755)) ||
	    !CHECK_OK(mkfile("a/f", 0644, "x")) || !CHECK_OK(mkdir("a/sub", 0755)))
		return;
	long long ino = lget("a/f", F_INO);
	CHECK_OK(rename("a/f", "b/f"));
	CHECK_ABSENT("a/f");
	CHECK_LSTAT("b/f", F_INO, ino);
	CHECK_LSTAT("a", F_NLINK, 3);
	CHECK_OK(rename("a/sub", "b/sub"));
	CHECK_LSTAT("a", F_NLINK, 2);
	CHECK_LSTAT("b", F_NLINK, 3);
	/* ".." of the moved directory is its new parent. */
	CHECK_EQ(lget("b/sub/..", F_INO), lget("b", F_INO));
}

static void symlink_itself(void)
{
	char buf[16];
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(symlink("f", "l")))
		return;
	CHECK_OK(rename("l", "m"));
	CHECK_LSTAT("m", F_TYPE, S_IFLNK);
	ssize_t n = readlink("m", buf, sizeof(buf));
	CHECK_EQ(n, 1);
	CHECK_EXISTS("f");
}

static void open_fds(void)
{
	char buf[16] = "";
	int fd __cleanup_close = -1, victim __cleanup_close = -1;
	if (!CHECK_OK(mkfile("a", 0644, "aaa")) || !CHECK_OK(mkfile("b", 0644, "bbb")) ||
	    !CHECK_OK(fd = open("a", O_RDWR)) || !CHECK_OK(victim = open("b", O_RDONLY)))
		return;
	CHECK_OK(rename("a", "b"));
	/* The moved file's descriptor still works and writes land in "b". */
	CHECK_EQ(pwrite(fd, "A", 1, 0), 1);
	CHECK_EQ(readfile("b", buf, sizeof(buf)), 3);
	CHECK_STR(buf, "Aaa");
	/* The replaced file lives on through its descriptor. */
	CHECK_EQ(pread(victim, buf, 3, 0), 3);
	CHECK(memcmp(buf, "bbb", 3) == 0);
	CHECK_FSTAT(victim, F_NLINK, 0);
}

static void noreplace(void)
{
	char buf[8];
	if (!CHECK_OK(mkfile("a", 0644, "a")) || !CHECK_OK(mkfile("b", 0644, "b")))
		return;
	CHECK_ERR(renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_NOREPLACE), EEXIST);
	CHECK_EQ(readfile("b", buf, sizeof(buf)), 1);
	CHECK_STR(buf, "b");
	CHECK_OK(renameat2(AT_FDCWD, "a", AT_FDCWD, "c", RENAME_NOREPLACE));
	CHECK_ABSENT("a");
	CHECK_EXISTS("c");
}

static void exchange(void)
{
	char buf[8];
	if (!CHECK_OK(mkfile("a", 0644, "a")) || !CHECK_OK(mkdir("b", 0755)))
		return;
	CHECK_OK(renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_EXCHANGE));
	CHECK_LSTAT("a", F_TYPE, S_IFDIR);
	CHECK_EQ(readfile("b", buf, sizeof(buf)), 1);
	CHECK_STR(buf, "a");
	CHECK_ERR(renameat2(AT_FDCWD, "a", AT_FDCWD, "missing", RENAME_EXCHANGE),
		  ENOENT);
}

static void errors(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	CHECK_ERR(rename("missing", "x"), ENOENT);
	CHECK_ERR(rename("f", "missing/x"), ENOENT);
	CHECK_ERR(rename("f", "f/x"), ENOTDIR);
	CHECK_ERR(rename("f/x", "g"), ENOTDIR);
	char name[300];
	memset(name, 'r', 256);
	name[256] = '\0';
	CHECK_ERR(rename("f", name), ENAMETOOLONG);
	CHECK_EXISTS("f");
}

CONF_CATEGORY(rename, T(file_new_name), T(file_over_file), T(same_inode),
	      T(dir_rename), T(dir_over_empty_dir), T(dir_over_nonempty_dir),
	      T(type_mismatch), T(into_itself), T(across_dirs),
	      T(symlink_itself), T(open_fds), T(noreplace), T(exchange),
	      T(errors));
