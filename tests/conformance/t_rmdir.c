/* rmdir: empty and non-empty directories, ".", "..", non-directories,
 * and what is left of a removed directory that is still open. */
#include "conf.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static void basic(void)
{
	if (!CHECK_OK(mkdir("d", 0755)))
		return;
	long long parent = lget(".", F_NLINK);
	CHECK_OK(rmdir("d"));
	CHECK_ABSENT("d");
	CHECK_LSTAT(".", F_NLINK, parent - 1);
	CHECK_OK(mkdir("e", 0755));
	CHECK_OK(rmdir("e/"));
	CHECK_ABSENT("e");
}

static void nonempty(void)
{
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkfile("d/f", 0644, NULL)) ||
	    !CHECK_OK(mkdir("e", 0755)) || !CHECK_OK(mkdir("e/sub", 0755)) ||
	    !CHECK_OK(mkdir("h", 0755)) || !CHECK_OK(symlink("x", "h/l")))
		return;
	CHECK_ERR2(rmdir("d"), ENOTEMPTY, EEXIST);
	CHECK_ERR2(rmdir("e"), ENOTEMPTY, EEXIST);
	CHECK_ERR2(rmdir("h"), ENOTEMPTY, EEXIST);
	CHECK_EXISTS("d/f");
	CHECK_EXISTS("e/sub");
	/* Emptied, it goes. */
	CHECK_OK(unlink("d/f"));
	CHECK_OK(rmdir("d"));
	CHECK_ABSENT("d");
}

static void not_a_dir(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(mkdir("d", 0755)) ||
	    !CHECK_OK(symlink("d", "sl")) || !CHECK_OK(mkfifo("p", 0644)))
		return;
	CHECK_ERR(rmdir("f"), ENOTDIR);
	CHECK_ERR(rmdir("sl"), ENOTDIR);
	CHECK_ERR(rmdir("p"), ENOTDIR);
	CHECK_ERR(rmdir("missing"), ENOENT);
	CHECK_ERR(rmdir("f/x"), ENOTDIR);
	CHECK_EXISTS("d");
	CHECK_EXISTS("sl");
}

static void dots(void)
{
	if (!CHECK_OK(mkdir("d", 0755)))
		return;
	CHECK_ERR(rmdir("d/."), EINVAL);
	CHECK_ERR(rmdir("."), EINVAL);
	CHECK_ERR2(rmdir("d/.."), ENOTEMPTY, EEXIST);
	CHECK_LSTAT("d", F_TYPE, S_IFDIR);
}

static void removed_but_open(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkdir("d", 0755)) ||
	    !CHECK_OK(fd = open("d", O_RDONLY | O_DIRECTORY)))
		return;
	CHECK_OK(rmdir("d"));
	CHECK_FSTAT(fd, F_NLINK, 0);
	CHECK_FSTAT(fd, F_TYPE, S_IFDIR);
	/* Nothing can be created in a dead directory and it lists nothing. */
	CHECK_ERR(openat(fd, "f", O_RDWR | O_CREAT, 0644), ENOENT);
	CHECK_ERR(mkdirat(fd, "s", 0755), ENOENT);
	char buf[1024];
	CHECK_ERR(syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOENT);
}

static void unlinkat_removedir(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkdir("d/s", 0755)) ||
	    !CHECK_OK(fd = open("d", O_RDONLY | O_DIRECTORY)))
		return;
	CHECK_OK(unlinkat(fd, "s", AT_REMOVEDIR));
	CHECK_ABSENT("d/s");
	CHECK_LSTAT("d", F_NLINK, 2);
}

CONF_CATEGORY(rmdir, T(basic), T(nonempty), T(not_a_dir), T(dots),
	      T(removed_but_open), T(unlinkat_removedir));
