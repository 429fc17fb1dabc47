/* chmod, fchmod, fchmodat: resulting modes, symlink handling, ctime, errors.
 * Changes by a non-owner are in t_perm.c. */
#include "conf.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static void file_modes(void)
{
	/* The owner may set every bit on a file of its own group. */
	static const mode_t modes[] = { 0, 0111, 0222, 0444, 0600, 0755,
					04755, 02755, 01644, 07777 };
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		CHECK_OK(chmod("f", modes[i]));
		CHECK_LSTAT("f", F_MODE, modes[i]);
	}
	CHECK_LSTAT("f", F_TYPE, S_IFREG);
}

static void dir_modes(void)
{
	static const mode_t modes[] = { 0, 0700, 0755, 01777, 02755, 0711 };
	if (!CHECK_OK(mkdir("d", 0755)))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		CHECK_OK(chmod("d", modes[i]));
		CHECK_LSTAT("d", F_MODE, modes[i]);
	}
	CHECK_LSTAT("d", F_TYPE, S_IFDIR);
}

static void fifo_mode(void)
{
	if (!CHECK_OK(mkfifo("p", 0600)))
		return;
	CHECK_OK(chmod("p", 0640));
	CHECK_LSTAT("p", F_MODE, 0640);
	CHECK_LSTAT("p", F_TYPE, S_IFIFO);
}

static void fchmod_fd(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, NULL)) ||
	    !CHECK_OK(fd = open("f", O_RDONLY)))
		return;
	/* No write access is needed to change the mode. */
	CHECK_OK(fchmod(fd, 0600));
	CHECK_FSTAT(fd, F_MODE, 0600);
	CHECK_LSTAT("f", F_MODE, 0600);
	CHECK_OK(fchmod(fd, 04711));
	CHECK_LSTAT("f", F_MODE, 04711);
}

static void fchmodat_dirfd(void)
{
	int dfd __cleanup_close = -1;
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkfile("d/f", 0644, NULL)) ||
	    !CHECK_OK(dfd = open("d", O_RDONLY | O_DIRECTORY)))
		return;
	CHECK_OK(fchmodat(dfd, "f", 0421, 0));
	CHECK_LSTAT("d/f", F_MODE, 0421);
}

static void symlink_follow(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(symlink("f", "l")))
		return;
	/* chmod follows the link; the link's own mode stays 0777. */
	CHECK_OK(chmod("l", 0600));
	CHECK_LSTAT("f", F_MODE, 0600);
	CHECK_LSTAT("l", F_MODE, 0777);
	/* Linux cannot change a symlink's mode. */
	CHECK_ERR(fchmodat(AT_FDCWD, "l", 0644, AT_SYMLINK_NOFOLLOW),
		  EOPNOTSUPP);
	CHECK_LSTAT("f", F_MODE, 0600);
}

static void ctime_updated(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	struct timespec c0 = lts("f", 'c'), m0 = lts("f", 'm');
	tick();
	CHECK_OK(chmod("f", 0640));
	CHECK_TS_GT(lts("f", 'c'), c0);
	CHECK_TS_EQ(lts("f", 'm'), m0);
}

static void errors(void)
{
	char longname[300];
	memset(longname, 'x', 256);
	longname[256] = '\0';
	int fd __cleanup_close = -1;
	CHECK_ERR(chmod("missing", 0644), ENOENT);
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	CHECK_ERR(chmod("f/x", 0644), ENOTDIR);
	CHECK_ERR(chmod(longname, 0644), ENAMETOOLONG);
	CHECK_OK(symlink("loop", "loop"));
	CHECK_ERR(chmod("loop", 0644), ELOOP);
	if (CHECK_OK(fd = open("f", O_PATH)))
		CHECK_ERR(fchmod(fd, 0600), EBADF);
	CHECK_ERR(fchmod(-1, 0600), EBADF);
	CHECK_LSTAT("f", F_MODE, 0644);
}

CONF_CATEGORY(chmod, T(file_modes), T(dir_modes), T(fifo_mode), T(fchmod_fd),
	      T(fchmodat_dirfd), T(symlink_follow), T(ctime_updated),
	      T(errors));
