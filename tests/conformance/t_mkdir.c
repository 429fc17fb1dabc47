/* mkdir, mkdirat: type, mode and umask, ownership, set-group-ID
 * inheritance, parent link count, errors. */
#include "conf.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static void basic(void)
{
	long long parent = lget(".", F_NLINK);
	if (!CHECK_OK(mkdir("d", 0755)))
		return;
	CHECK_LSTAT("d", F_TYPE, S_IFDIR);
	CHECK_LSTAT("d", F_MODE, 0755);
	CHECK_LSTAT("d", F_NLINK, 2);
	CHECK_LSTAT("d", F_UID, geteuid());
	CHECK_LSTAT("d", F_GID, getegid());
	CHECK_LSTAT(".", F_NLINK, parent + 1);
	/* A new directory holds only "." and "..". */
	DIR *dir = opendir("d");
	if (!CHECK(dir != NULL))
		return;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dir);
	CHECK_EQ(n, 0);
}

static void umask_applied(void)
{
	umask(0);
	CHECK_OK(mkdir("a", 0777));
	CHECK_LSTAT("a", F_MODE, 0777);
	umask(077);
	CHECK_OK(mkdir("b", 0777));
	CHECK_LSTAT("b", F_MODE, 0700);
	umask(022);
	CHECK_OK(mkdir("c", 0777));
	CHECK_LSTAT("c", F_MODE, 0755);
	CHECK_OK(mkdir("e", 0));
	CHECK_LSTAT("e", F_MODE, 0);
}

static void special_bits(void)
{
	umask(0);
	/* The sticky bit is honoured, set-id bits are not taken from the
	 * mode argument (set-group-ID only comes from the parent). */
	CHECK_OK(mkdir("s", 01777));
	CHECK_LSTAT("s", F_MODE, 01777);
	CHECK_OK(mkdir("all", 07777));
	CHECK_LSTAT("all", F_MODE, 01777);
	CHECK_OK(mkdir("u", 04755));
	CHECK_LSTAT("u", F_MODE, 0755);
}

static void setgid_inherit(void)
{
	NEED_ROOT();
	if (!CHECK_OK(mkdir("p", 0755)) || !CHECK_OK(chown("p", 0, conf.gid2)) ||
	    !CHECK_OK(chmod("p", 02775)))
		return;
	/* Children get the directory's group; subdirectories keep the bit. */
	CHECK_OK(mkdir("p/c", 0755));
	CHECK_LSTAT("p/c", F_GID, conf.gid2);
	CHECK_LSTAT("p/c", F_MODE, 02755);
	CHECK_OK(mkfile("p/f", 0644, NULL));
	CHECK_LSTAT("p/f", F_GID, conf.gid2);
	CHECK_LSTAT("p/f", F_MODE, 0644);
	CHECK_OK(mkdir("p/c/g", 0700));
	CHECK_LSTAT("p/c/g", F_GID, conf.gid2);
	CHECK_LSTAT("p/c/g", F_MODE, 02700);
	/* Without the bit the creator's group is used. */
	CHECK_OK(mkdir("q", 0755));
	CHECK_OK(chown("q", 0, conf.gid2));
	CHECK_OK(mkdir("q/c", 0755));
	CHECK_LSTAT("q/c", F_GID, getegid());
}

static void trailing_slash(void)
{
	CHECK_OK(mkdir("t/", 0755));
	CHECK_LSTAT("t", F_TYPE, S_IFDIR);
	CHECK_OK(mkdir("t//u//", 0755));
	CHECK_LSTAT("t/u", F_TYPE, S_IFDIR);
}

static void mkdirat_dirfd(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkdir("d", 0755)) ||
	    !CHECK_OK(fd = open("d", O_RDONLY | O_DIRECTORY)))
		return;
	CHECK_OK(mkdirat(fd, "sub", 0700));
	CHECK_LSTAT("d/sub", F_MODE, 0700);
	CHECK_LSTAT("d", F_NLINK, 3);
}

static void in_removed_dir(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkdir("d", 0755)) ||
	    !CHECK_OK(fd = open("d", O_RDONLY | O_DIRECTORY)) ||
	    !CHECK_OK(rmdir("d")))
		return;
	CHECK_ERR(mkdirat(fd, "sub", 0755), ENOENT);
}

static void errors(void)
{
	char name[300];
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkfile("f", 0644, NULL)) ||
	    !CHECK_OK(symlink("d", "sl")) || !CHECK_OK(symlink("nowhere", "dl")) ||
	    !CHECK_OK(mkfifo("p", 0644)))
		return;
	CHECK_ERR(mkdir("d", 0755), EEXIST);
	CHECK_ERR(mkdir("f", 0755), EEXIST);
	CHECK_ERR(mkdir("sl", 0755), EEXIST);
	CHECK_ERR(mkdir("dl", 0755), EEXIST);
	CHECK_ABSENT("nowhere");
	CHECK_ERR(mkdir("p", 0755), EEXIST);
	CHECK_ERR(mkdir(".", 0755), EEXIST);
	CHECK_ERR(mkdir("missing/d", 0755), ENOENT);
	CHECK_ERR(mkdir("f/d", 0755), ENOTDIR);
	memset(name, 'n', 256);
	name[256] = '\0';
	CHECK_ERR(mkdir(name, 0755), ENAMETOOLONG);
	name[255] = '\0';
	CHECK_OK(mkdir(name, 0755));
	CHECK_LSTAT(name, F_TYPE, S_IFDIR);
}

CONF_CATEGORY(mkdir, T(basic), T(umask_applied), T(special_bits),
	      T(setgid_inherit), T(trailing_slash), T(mkdirat_dirfd),
	      T(in_removed_dir), T(errors));
