/* mknod, mknodat: fifos, regular files, sockets, device nodes (root
 * only; a confined file server may refuse them), invalid types. */
#include "conf.h"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void fifo(void)
{
	if (!CHECK_OK(mknod("p", S_IFIFO | 0666, 0)))
		return;
	CHECK_LSTAT("p", F_TYPE, S_IFIFO);
	CHECK_LSTAT("p", F_MODE, 0644);
	CHECK_LSTAT("p", F_NLINK, 1);
	int fd __cleanup_close = -1;
	CHECK_OK(fd = open("p", O_RDONLY | O_NONBLOCK));
}

static void regular(void)
{
	CHECK_OK(mknod("r", S_IFREG | 0600, 0));
	CHECK_LSTAT("r", F_TYPE, S_IFREG);
	CHECK_LSTAT("r", F_MODE, 0600);
	CHECK_LSTAT("r", F_SIZE, 0);
	/* Type 0 means a regular file. */
	CHECK_OK(mknod("z", 0640, 0));
	CHECK_LSTAT("z", F_TYPE, S_IFREG);
	CHECK_LSTAT("z", F_MODE, 0640);
}

static void socket_node(void)
{
	CHECK_OK(mknod("s", S_IFSOCK | 0644, 0));
	CHECK_LSTAT("s", F_TYPE, S_IFSOCK);
	CHECK_LSTAT("s", F_MODE, 0644);
}

static void mknodat_dirfd(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkdir("d", 0755)) ||
	    !CHECK_OK(fd = open("d", O_RDONLY | O_DIRECTORY)))
		return;
	CHECK_OK(mknodat(fd, "p", S_IFIFO | 0600, 0));
	CHECK_LSTAT("d/p", F_TYPE, S_IFIFO);
}

static void devices(void)
{
	NEED_ROOT();
	/* Native filesystems allow this as root; a file server that refuses
	 * device nodes (burrow-gofer) lists this test as an expected failure. */
	bool chr = CHECK_OK(mknod("c", S_IFCHR | 0640, makedev(1, 3)));
	if (chr) {
		CHECK_LSTAT("c", F_TYPE, S_IFCHR);
		CHECK_LSTAT("c", F_MODE, 0640);
		CHECK_LSTAT("c", F_RDEV, (long long)makedev(1, 3));
	}
	bool blk = CHECK_OK(mknod("b", S_IFBLK | 0600, makedev(7, 200)));
	if (blk) {
		CHECK_LSTAT("b", F_TYPE, S_IFBLK);
		CHECK_LSTAT("b", F_RDEV, (long long)makedev(7, 200));
	}
	if (chr && blk)
		conf_note("device nodes can be created here as root");
}

static void mknod_dev_as_user(void *arg __attribute__((unused)))
{
	CHECK_ERR(mknod("w/c", S_IFCHR | 0600, makedev(1, 3)), EPERM);
	CHECK_ERR(mknod("w/b", S_IFBLK | 0600, makedev(7, 0)), EPERM);
	CHECK_OK(mknod("w/p", S_IFIFO | 0600, 0));
}

static void devices_unprivileged(void)
{
	NEED_ROOT();
	if (!CHECK_OK(mkdir_mode("w", 0777)))
		return;
	AS_USER(mknod_dev_as_user, NULL);
	CHECK_ABSENT("w/c");
	CHECK_LSTAT("w/p", F_UID, conf.uid);
}

static void errors(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(mkdir("d", 0755)))
		return;
	CHECK_ERR(mknod("f", S_IFIFO | 0644, 0), EEXIST);
	CHECK_ERR(mknod("d", S_IFREG | 0644, 0), EEXIST);
	CHECK_ERR(mknod("missing/p", S_IFIFO | 0644, 0), ENOENT);
	CHECK_ERR(mknod("f/p", S_IFIFO | 0644, 0), ENOTDIR);
	/* Directories are made with mkdir; garbage types are invalid. */
	CHECK_ERR(mknod("x", S_IFDIR | 0755, 0), EPERM);
	CHECK_ERR(mknod("y", S_IFMT | 0644, 0), EINVAL);
	CHECK_ABSENT("x");
	CHECK_ABSENT("y");
}

CONF_CATEGORY(mknod, T(fifo), T(regular), T(socket_node), T(mknodat_dirfd),
	      T(devices), T(devices_unprivileged), T(errors));
