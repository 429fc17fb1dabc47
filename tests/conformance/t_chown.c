/* chown, fchown, lchown, fchownat as root; clearing of set-user-ID and
 * set-group-ID bits on chown and on write/truncate by an unprivileged
 * non-owner. Refusals for non-root callers are in t_perm.c. */
#include "conf.h"

#include <fcntl.h>
#include <unistd.h>

static void basic(void)
{
	NEED_ROOT();
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	CHECK_OK(chown("f", conf.uid, conf.gid));
	CHECK_LSTAT("f", F_UID, conf.uid);
	CHECK_LSTAT("f", F_GID, conf.gid);
	/* -1 leaves that id alone. */
	CHECK_OK(chown("f", (uid_t)-1, conf.gid2));
	CHECK_LSTAT("f", F_UID, conf.uid);
	CHECK_LSTAT("f", F_GID, conf.gid2);
	CHECK_OK(chown("f", conf.uid2, (gid_t)-1));
	CHECK_LSTAT("f", F_UID, conf.uid2);
	CHECK_LSTAT("f", F_GID, conf.gid2);
	CHECK_OK(chown("f", 0, 0));
	CHECK_LSTAT("f", F_UID, 0);
	CHECK_LSTAT("f", F_GID, 0);
}

static void fchown_fd(void)
{
	NEED_ROOT();
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, NULL)) ||
	    !CHECK_OK(fd = open("f", O_RDONLY)))
		return;
	CHECK_OK(fchown(fd, conf.uid, conf.gid));
	CHECK_FSTAT(fd, F_UID, conf.uid);
	CHECK_LSTAT("f", F_GID, conf.gid);
}

static void dir_and_fifo(void)
{
	NEED_ROOT();
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkfifo("p", 0644)))
		return;
	CHECK_OK(chown("d", conf.uid, conf.gid));
	CHECK_LSTAT("d", F_UID, conf.uid);
	CHECK_LSTAT("d", F_GID, conf.gid);
	CHECK_OK(chown("p", conf.uid2, conf.gid2));
	CHECK_LSTAT("p", F_UID, conf.uid2);
	CHECK_LSTAT("p", F_GID, conf.gid2);
}

static void symlinks(void)
{
	NEED_ROOT();
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(symlink("f", "l")))
		return;
	/* chown follows the link ... */
	CHECK_OK(chown("l", conf.uid, conf.gid));
	CHECK_LSTAT("f", F_UID, conf.uid);
	CHECK_LSTAT("l", F_UID, 0);
	/* ... lchown and AT_SYMLINK_NOFOLLOW change the link itself. */
	CHECK_OK(lchown("l", conf.uid2, conf.gid2));
	CHECK_LSTAT("l", F_UID, conf.uid2);
	CHECK_LSTAT("l", F_GID, conf.gid2);
	CHECK_LSTAT("f", F_UID, conf.uid);
	CHECK_OK(fchownat(AT_FDCWD, "l", 0, 0, AT_SYMLINK_NOFOLLOW));
	CHECK_LSTAT("l", F_UID, 0);
	CHECK_LSTAT("f", F_UID, conf.uid);
}

static void ctime_updated(void)
{
	NEED_ROOT();
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	struct timespec c0 = lts("f", 'c'), m0 = lts("f", 'm');
	tick();
	CHECK_OK(chown("f", conf.uid, conf.gid));
	CHECK_TS_GT(lts("f", 'c'), c0);
	CHECK_TS_EQ(lts("f", 'm'), m0);
}

static void chown_clears_setid(void)
{
	NEED_ROOT();
	/* Linux drops set-user-ID on every chown of a non-directory, even
	 * by root, and set-group-ID when group execute is set. */
	if (!CHECK_OK(mkfile("u", 04755, NULL)) ||
	    !CHECK_OK(mkfile("g", 02755, NULL)) ||
	    !CHECK_OK(mkfile("ug", 06755, NULL)) ||
	    !CHECK_OK(mkfile("lock", 02745, NULL)))
		return;
	CHECK_OK(chown("u", conf.uid, conf.gid));
	CHECK_LSTAT("u", F_MODE, 0755);
	CHECK_OK(chown("g", conf.uid, conf.gid));
	CHECK_LSTAT("g", F_MODE, 0755);
	CHECK_OK(chown("ug", conf.uid, (gid_t)-1));
	CHECK_LSTAT("ug", F_MODE, 0755);
	/* Without group execute the bit marks mandatory locking: kept. */
	CHECK_OK(chown("lock", conf.uid, conf.gid));
	CHECK_LSTAT("lock", F_MODE, 02745);
}

static void chown_keeps_dir_setid(void)
{
	NEED_ROOT();
	if (!CHECK_OK(mkdir_mode("d", 06755)))
		return;
	CHECK_OK(chown("d", conf.uid, conf.gid));
	CHECK_LSTAT("d", F_MODE, 06755);
}

static void write_one(void *arg)
{
	int fd __cleanup_close = -1;
	if (CHECK_OK(fd = open(arg, O_WRONLY)))
		CHECK_EQ(write(fd, "x", 1), 1);
}

static void write_clears_setid(void)
{
	NEED_ROOT();
	/* Root-owned, writable by all: the unprivileged writer is neither
	 * the owner nor in the group. */
	if (!CHECK_OK(mkfile("u", 04777, NULL)) ||
	    !CHECK_OK(mkfile("g", 02777, NULL)) ||
	    !CHECK_OK(mkfile("ug", 06777, NULL)))
		return;
	AS_USER(write_one, "u");
	AS_USER(write_one, "g");
	AS_USER(write_one, "ug");
	CHECK_LSTAT("u", F_MODE, 0777);
	CHECK_LSTAT("g", F_MODE, 0777);
	CHECK_LSTAT("ug", F_MODE, 0777);
	CHECK_LSTAT("u", F_SIZE, 1);
}

static void write_by_root_keeps_setid(void)
{
	NEED_ROOT();
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 06777, NULL)) ||
	    !CHECK_OK(chown("f", conf.uid, conf.gid)) ||
	    !CHECK_OK(chmod("f", 06777)))
		return;
	/* CAP_FSETID keeps the bits. */
	if (CHECK_OK(fd = open("f", O_WRONLY)))
		CHECK_EQ(write(fd, "x", 1), 1);
	CHECK_LSTAT("f", F_MODE, 06777);
}

static void truncate_one(void *arg)
{
	CHECK_OK(truncate(arg, 0));
}

static void truncate_clears_setid(void)
{
	NEED_ROOT();
	if (!CHECK_OK(mkfile("u", 04777, "data")))
		return;
	AS_USER(truncate_one, "u");
	CHECK_LSTAT("u", F_SIZE, 0);
	CHECK_LSTAT("u", F_MODE, 0777);
}

static void errors(void)
{
	CHECK_ERR(chown("missing", 0, 0), ENOENT);
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	CHECK_ERR(chown("f/x", 0, 0), ENOTDIR);
	CHECK_ERR(lchown("missing", 0, 0), ENOENT);
	int fd __cleanup_close = -1;
	if (CHECK_OK(fd = open("f", O_PATH)))
		CHECK_ERR(fchown(fd, getuid(), getgid()), EBADF);
}

CONF_CATEGORY(chown, T(basic), T(fchown_fd), T(dir_and_fifo), T(symlinks),
	      T(ctime_updated), T(chown_clears_setid), T(chown_keeps_dir_setid),
	      T(write_clears_setid), T(write_by_root_keeps_setid),
	      T(truncate_clears_setid), T(errors));
