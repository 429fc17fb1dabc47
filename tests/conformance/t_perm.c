/* Permission checks for an unprivileged caller: root prepares files, a
 * child that dropped to conf.uid:conf.gid (no supplementary groups) acts.
 * conf.uid2:conf.gid2 owns "someone else's" files. */
#include "conf.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Root creates PATH with MODE owned by uid:gid. */
static bool own(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	return CHECK_OK(mkfile(path, 0600, "data")) &&
	       CHECK_OK(chown(path, uid, gid)) && CHECK_OK(chmod(path, mode));
}

static bool owndir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	return CHECK_OK(mkdir(path, 0700)) && CHECK_OK(chown(path, uid, gid)) &&
	       CHECK_OK(chmod(path, mode));
}

static void open_as_user(void *arg __attribute__((unused)))
{
	int fd __cleanup_close = -1, fd2 __cleanup_close = -1,
	    fd3 __cleanup_close = -1, fd4 __cleanup_close = -1;
	CHECK_ERR(open("r0600", O_RDONLY), EACCES);
	CHECK_ERR(open("r0600", O_WRONLY), EACCES);
	CHECK_OK(fd = open("r0644", O_RDONLY));
	CHECK_ERR(open("r0644", O_WRONLY), EACCES);
	CHECK_ERR(open("r0644", O_RDWR), EACCES);
	CHECK_ERR(open("r0644", O_RDONLY | O_TRUNC), EACCES);
	CHECK_OK(fd2 = open("r0666", O_RDWR));
	/* Only the owner class applies to the owner ... */
	CHECK_ERR(open("own0077", O_RDONLY), EACCES);
	CHECK_OK(fd3 = open("own0400", O_RDONLY));
	CHECK_ERR(open("own0400", O_WRONLY), EACCES);
	/* ... only the group class to a group member ... */
	CHECK_ERR(open("grp0707", O_RDONLY), EACCES);
	int g __cleanup_close = open("grp0070", O_RDWR);
	CHECK_OK(g);
	/* ... and other to everyone else. */
	int o __cleanup_close = open("oth0007", O_RDWR);
	CHECK_OK(o);
	/* O_PATH needs no permission on the file itself. */
	CHECK_OK(fd4 = open("r0000", O_PATH));
	CHECK_EQ(access("r0644", R_OK), 0);
	CHECK_ERR(access("r0644", W_OK), EACCES);
	CHECK_ERR(access("r0600", R_OK), EACCES);
}

static void open_modes(void)
{
	NEED_ROOT();
	if (!own("r0600", 0600, 0, 0) || !own("r0644", 0644, 0, 0) ||
	    !own("r0666", 0666, 0, 0) || !own("r0000", 0, 0, 0) ||
	    !own("own0077", 0077, conf.uid, conf.gid) ||
	    !own("own0400", 0400, conf.uid, conf.gid2) ||
	    !own("grp0707", 0707, 0, conf.gid) ||
	    !own("grp0070", 0070, 0, conf.gid) ||
	    !own("oth0007", 0007, 0, 0))
		return;
	AS_USER(open_as_user, NULL);
}

static void dir_write_as_user(void *arg __attribute__((unused)))
{
	CHECK_ERR(open("ro/new", O_WRONLY | O_CREAT, 0644), EACCES);
	CHECK_ERR(mkdir("ro/new", 0755), EACCES);
	CHECK_ERR(mkfifo("ro/new", 0644), EACCES);
	CHECK_ERR(symlink("x", "ro/new"), EACCES);
	CHECK_ERR(link("w/mine", "ro/new"), EACCES);
	CHECK_ERR(unlink("ro/f"), EACCES);
	CHECK_ERR(rmdir("ro/sub"), EACCES);
	CHECK_ERR(rename("ro/f", "ro/g"), EACCES);
	CHECK_ERR(rename("w/mine", "ro/mine"), EACCES);
	CHECK_ERR(rename("ro/f", "w/f"), EACCES);
	/* The file itself is writable: only the directory refuses. */
	int fd __cleanup_close = -1;
	CHECK_OK(fd = open("ro/f", O_WRONLY));
}

static void dir_write(void)
{
	NEED_ROOT();
	if (!owndir("ro", 0755, 0, 0) || !own("ro/f", 0666, 0, 0) ||
	    !owndir("ro/sub", 0777, conf.uid, conf.gid) ||
	    !owndir("w", 0777, 0, 0) || !own("w/mine", 0644, conf.uid, conf.gid))
		return;
	AS_USER(dir_write_as_user, NULL);
	CHECK_ABSENT("ro/new");
	CHECK_EXISTS("ro/f");
	CHECK_EXISTS("ro/sub");
	CHECK_EXISTS("w/mine");
}

static void dir_search_as_user(void *arg __attribute__((unused)))
{
	struct stat st;
	/* Read without search: names are listed, nothing can be reached. */
	CHECK_ERR(stat("nox/f", &st), EACCES);
	CHECK_ERR(open("nox/f", O_RDONLY), EACCES);
	DIR *d = opendir("nox");
	if (CHECK(d != NULL)) {
		bool seen = false;
		struct dirent *e;
		while ((e = readdir(d)))
			seen |= strcmp(e->d_name, "f") == 0;
		closedir(d);
		CHECK(seen);
	}
	/* Search without read: reachable by name, not listable. */
	CHECK_OK(stat("xonly/f", &st));
	DIR *x = opendir("xonly");
	int e = errno;
	CHECK_MSG(!x && e == EACCES, "opendir(\"xonly\"): expected EACCES, got %s",
		  x ? "success" : errname(e));
	if (x)
		closedir(x);
	CHECK_ERR(chdir("nox"), EACCES);
}

static void dir_search(void)
{
	NEED_ROOT();
	if (!owndir("nox", 0666, 0, 0) || !own("nox/f", 0644, 0, 0) ||
	    !owndir("xonly", 0711, 0, 0) || !own("xonly/f", 0644, 0, 0))
		return;
	AS_USER(dir_search_as_user, NULL);
}

static void sticky_as_user(void *arg __attribute__((unused)))
{
	CHECK_ERR(unlink("st/rootf"), EPERM);
	CHECK_ERR(unlink("st/other"), EPERM);
	CHECK_ERR(rename("st/rootf", "st/x"), EPERM);
	CHECK_ERR(rename("st/mine", "st/rootf"), EPERM);
	CHECK_ERR(rmdir("st/rootd"), EPERM);
	CHECK_OK(unlink("st/mine"));
	/* Without the sticky bit anyone who may write the directory wins. */
	CHECK_OK(unlink("ww/rootf"));
	/* The directory's owner may remove any entry. */
	CHECK_OK(unlink("myst/other"));
}

static void sticky(void)
{
	NEED_ROOT();
	if (!owndir("st", 01777, 0, 0) || !own("st/rootf", 0666, 0, 0) ||
	    !own("st/other", 0666, conf.uid2, conf.gid2) ||
	    !own("st/mine", 0644, conf.uid, conf.gid) ||
	    !owndir("st/rootd", 0777, 0, 0) ||
	    !owndir("ww", 0777, 0, 0) || !own("ww/rootf", 0644, 0, 0) ||
	    !owndir("myst", 01777, conf.uid, conf.gid) ||
	    !own("myst/other", 0644, conf.uid2, conf.gid2))
		return;
	AS_USER(sticky_as_user, NULL);
	CHECK_EXISTS("st/rootf");
	CHECK_EXISTS("st/other");
	CHECK_ABSENT("st/mine");
	CHECK_ABSENT("ww/rootf");
	CHECK_ABSENT("myst/other");
}

static void chmod_as_user(void *arg __attribute__((unused)))
{
	CHECK_ERR(chmod("rootf", 0777), EPERM);
	CHECK_OK(chmod("mine", 0600));
	CHECK_LSTAT("mine", F_MODE, 0600);
	int fd __cleanup_close = open("rootf", O_RDONLY);
	if (CHECK_OK(fd))
		CHECK_ERR(fchmod(fd, 0777), EPERM);
	/* Set-group-ID for a group the caller is not in is dropped silently. */
	CHECK_OK(chmod("mine_g2", 02755));
	CHECK_LSTAT("mine_g2", F_MODE, 0755);
	CHECK_OK(chmod("mine", 02755));
	CHECK_LSTAT("mine", F_MODE, 02755);
}

static void chmod_other(void)
{
	NEED_ROOT();
	if (!own("rootf", 0644, 0, 0) || !own("mine", 0644, conf.uid, conf.gid) ||
	    !own("mine_g2", 0644, conf.uid, conf.gid2))
		return;
	AS_USER(chmod_as_user, NULL);
	CHECK_LSTAT("rootf", F_MODE, 0644);
}

static void chown_as_user(void *arg __attribute__((unused)))
{
	CHECK_ERR(chown("mine", conf.uid2, (gid_t)-1), EPERM);
	CHECK_ERR(chown("mine", (uid_t)-1, conf.gid2), EPERM);
	CHECK_ERR(chown("mine", 0, 0), EPERM);
	CHECK_ERR(chown("rootf", conf.uid, conf.gid), EPERM);
	CHECK_ERR(lchown("rootl", conf.uid, conf.gid), EPERM);
	/* Giving a file to yourself is allowed and changes nothing. */
	CHECK_OK(chown("mine", conf.uid, conf.gid));
	CHECK_OK(chown("mine", (uid_t)-1, (gid_t)-1));
	int fd __cleanup_close = open("mine", O_RDONLY);
	if (CHECK_OK(fd))
		CHECK_ERR(fchown(fd, conf.uid2, conf.gid2), EPERM);
}

static void chown_nonroot(void)
{
	NEED_ROOT();
	if (!own("mine", 0644, conf.uid, conf.gid) || !own("rootf", 0666, 0, 0) ||
	    !CHECK_OK(symlink("rootf", "rootl")))
		return;
	AS_USER(chown_as_user, NULL);
	CHECK_LSTAT("mine", F_UID, conf.uid);
	CHECK_LSTAT("mine", F_GID, conf.gid);
	CHECK_LSTAT("rootf", F_UID, 0);
}

static void utimens_as_user(void *arg __attribute__((unused)))
{
	struct timespec t[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	struct timespec now2[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	CHECK_ERR(utimensat(AT_FDCWD, "r0644", t, 0), EPERM);
	CHECK_ERR(utimensat(AT_FDCWD, "r0644", NULL, 0), EACCES);
	CHECK_ERR(utimensat(AT_FDCWD, "r0644", now2, 0), EACCES);
	/* Write permission allows "now" but not chosen times. */
	CHECK_OK(utimensat(AT_FDCWD, "r0666", NULL, 0));
	CHECK_OK(utimensat(AT_FDCWD, "r0666", now2, 0));
	CHECK_ERR(utimensat(AT_FDCWD, "r0666", t, 0), EPERM);
	/* The owner may set any time, even without write permission. */
	CHECK_OK(utimensat(AT_FDCWD, "mine", t, 0));
	CHECK_TS_EQ(lts("mine", 'm'), t[1]);
}

static void utimens_nonowner(void)
{
	NEED_ROOT();
	if (!own("r0644", 0644, 0, 0) || !own("r0666", 0666, 0, 0) ||
	    !own("mine", 0444, conf.uid, conf.gid))
		return;
	struct timespec m0 = lts("r0644", 'm');
	AS_USER(utimens_as_user, NULL);
	CHECK_TS_EQ(lts("r0644", 'm'), m0);
}

static void truncate_as_user(void *arg __attribute__((unused)))
{
	CHECK_ERR(truncate("r0644", 0), EACCES);
	CHECK_OK(truncate("r0666", 1));
	CHECK_LSTAT("r0666", F_SIZE, 1);
}

static void truncate_perm(void)
{
	NEED_ROOT();
	if (!own("r0644", 0644, 0, 0) || !own("r0666", 0666, 0, 0))
		return;
	AS_USER(truncate_as_user, NULL);
	CHECK_LSTAT("r0644", F_SIZE, 4);
}

static void xattr_as_user(void *arg __attribute__((unused)))
{
	char buf[16];
	CHECK_ERR(setxattr("r0644", "user.a", "v", 1, 0), EACCES);
	CHECK_ERR(getxattr("r0600", "user.a", buf, sizeof(buf)), EACCES);
	CHECK_EQ(getxattr("r0644", "user.a", buf, sizeof(buf)), 1);
	CHECK_OK(setxattr("r0666", "user.a", "w", 1, 0));
}

static void xattr_perm(void)
{
	NEED_ROOT();
	if (!own("r0644", 0644, 0, 0) || !own("r0600", 0600, 0, 0) ||
	    !own("r0666", 0666, 0, 0) ||
	    !CHECK_OK(setxattr("r0644", "user.a", "r", 1, 0)) ||
	    !CHECK_OK(setxattr("r0600", "user.a", "r", 1, 0)))
		return;
	AS_USER(xattr_as_user, NULL);
}

static void creator_as_user(void *arg __attribute__((unused)))
{
	int fd __cleanup_close = -1;
	if (CHECK_OK(fd = open("w/f", O_CREAT | O_WRONLY, 0644))) {
		CHECK_FSTAT(fd, F_UID, conf.uid);
		CHECK_FSTAT(fd, F_GID, conf.gid);
	}
	CHECK_OK(mkdir("w/d", 0755));
	CHECK_OK(symlink("f", "w/l"));
}

static void creator_owns(void)
{
	NEED_ROOT();
	if (!owndir("w", 0777, 0, 0))
		return;
	AS_USER(creator_as_user, NULL);
	CHECK_LSTAT("w/f", F_UID, conf.uid);
	CHECK_LSTAT("w/d", F_UID, conf.uid);
	CHECK_LSTAT("w/d", F_GID, conf.gid);
	CHECK_LSTAT("w/l", F_UID, conf.uid);
}

CONF_CATEGORY(perm, T(open_modes), T(dir_write), T(dir_search), T(sticky),
	      T(chmod_other), T(chown_nonroot), T(utimens_nonowner),
	      T(truncate_perm), T(xattr_perm), T(creator_owns));
