/* Extended attributes in the user namespace: set, get, list, remove,
 * XATTR_CREATE/XATTR_REPLACE, size queries, ERANGE, limits, symlinks and
 * special files, descriptors. */
#include "conf.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Occurrences of NAME in a listxattr result. */
static int in_list(const char *list, ssize_t len, const char *name)
{
	int n = 0;
	for (ssize_t off = 0; off < len; off += (ssize_t)strlen(list + off) + 1)
		n += strcmp(list + off, name) == 0;
	return n;
}

static void set_get(void)
{
	char buf[64] = "";
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	CHECK_OK(setxattr("f", "user.a", "hello", 5, 0));
	CHECK_EQ(getxattr("f", "user.a", NULL, 0), 5);
	CHECK_EQ(getxattr("f", "user.a", buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	/* Overwrite with a shorter value. */
	CHECK_OK(setxattr("f", "user.a", "hi", 2, 0));
	CHECK_EQ(getxattr("f", "user.a", buf, sizeof(buf)), 2);
	CHECK(memcmp(buf, "hi", 2) == 0);
	/* An empty value is a value. */
	CHECK_OK(setxattr("f", "user.empty", "", 0, 0));
	CHECK_EQ(getxattr("f", "user.empty", buf, sizeof(buf)), 0);
}

static void list(void)
{
	char buf[4096];
	if (!CHECK_OK(mkfile("f", 0644, NULL)) ||
	    !CHECK_OK(setxattr("f", "user.one", "1", 1, 0)) ||
	    !CHECK_OK(setxattr("f", "user.two", "22", 2, 0)))
		return;
	ssize_t size = listxattr("f", NULL, 0);
	ssize_t n = listxattr("f", buf, sizeof(buf));
	CHECK_EQ(n, size);
	CHECK(n >= (ssize_t)sizeof("user.one") + (ssize_t)sizeof("user.two"));
	CHECK_EQ(in_list(buf, n, "user.one"), 1);
	CHECK_EQ(in_list(buf, n, "user.two"), 1);
	/* Too small a buffer: ERANGE, never a cut list. */
	CHECK_ERR(listxattr("f", buf, 3), ERANGE);
}

static void many(void)
{
	char name[32], buf[8192];
	int set = 0;
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	for (int i = 0; i < 25; i++) {
		snprintf(name, sizeof(name), "user.attr%02d", i);
		set += setxattr("f", name, name, strlen(name), 0) == 0;
	}
	CHECK_EQ(set, 25);
	ssize_t n = listxattr("f", buf, sizeof(buf));
	int found = 0;
	for (int i = 0; i < 25; i++) {
		snprintf(name, sizeof(name), "user.attr%02d", i);
		found += in_list(buf, n, name);
	}
	CHECK_EQ(found, 25);
	CHECK_EQ(getxattr("f", "user.attr17", buf, sizeof(buf)), 11);
	CHECK(memcmp(buf, "user.attr17", 11) == 0);
}

static void remove_attr(void)
{
	char buf[64];
	if (!CHECK_OK(mkfile("f", 0644, NULL)) ||
	    !CHECK_OK(setxattr("f", "user.a", "v", 1, 0)) ||
	    !CHECK_OK(setxattr("f", "user.b", "w", 1, 0)))
		return;
	CHECK_OK(removexattr("f", "user.a"));
	CHECK_ERR(getxattr("f", "user.a", buf, sizeof(buf)), ENODATA);
	CHECK_ERR(removexattr("f", "user.a"), ENODATA);
	ssize_t n = listxattr("f", buf, sizeof(buf));
	CHECK_EQ(in_list(buf, n, "user.a"), 0);
	CHECK_EQ(in_list(buf, n, "user.b"), 1);
}

static void create_replace(void)
{
	char buf[16];
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	CHECK_ERR(setxattr("f", "user.a", "x", 1, XATTR_REPLACE), ENODATA);
	CHECK_ERR(getxattr("f", "user.a", buf, sizeof(buf)), ENODATA);
	CHECK_OK(setxattr("f", "user.a", "1", 1, XATTR_CREATE));
	CHECK_ERR(setxattr("f", "user.a", "2", 1, XATTR_CREATE), EEXIST);
	CHECK_EQ(getxattr("f", "user.a", buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], '1');
	CHECK_OK(setxattr("f", "user.a", "33", 2, XATTR_REPLACE));
	CHECK_EQ(getxattr("f", "user.a", buf, sizeof(buf)), 2);
	CHECK(memcmp(buf, "33", 2) == 0);
	CHECK_ERR(setxattr("f", "user.a", "4", 1, 0x100), EINVAL);
}

static void get_errors(void)
{
	char buf[4];
	if (!CHECK_OK(mkfile("f", 0644, NULL)) ||
	    !CHECK_OK(setxattr("f", "user.long", "0123456789", 10, 0)))
		return;
	CHECK_ERR(getxattr("f", "user.missing", buf, sizeof(buf)), ENODATA);
	CHECK_ERR(getxattr("f", "user.missing", NULL, 0), ENODATA);
	CHECK_ERR(getxattr("f", "user.long", buf, sizeof(buf)), ERANGE);
	CHECK_ERR(getxattr("missing", "user.a", buf, sizeof(buf)), ENOENT);
	CHECK_ERR(setxattr("missing", "user.a", "v", 1, 0), ENOENT);
}

static void sizes(void)
{
	static const size_t lens[] = { 1, 255, 256, 1024, 3000 };
	char *v = malloc(65537), *r = malloc(65537);
	if (!CHECK(v && r) || !CHECK_OK(mkfile("f", 0644, NULL)))
		goto out;
	for (size_t i = 0; i < 65537; i++)
		v[i] = (char)(i * 13 + (i >> 8));
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		CHECK_OK(setxattr("f", "user.v", v, lens[i], 0));
		CHECK_EQ(getxattr("f", "user.v", r, 65537), (ssize_t)lens[i]);
		CHECK(memcmp(v, r, lens[i]) == 0);
	}
	/* 64 KiB is the VFS limit; a filesystem may store less (ext4
	 * without ea_inode: one block) and say ENOSPC or E2BIG. */
	int ok = setxattr("f", "user.big", v, 65536, 0);
	int err = errno;
	if (ok == 0) {
		CHECK_EQ(getxattr("f", "user.big", r, 65537), 65536);
		CHECK(memcmp(v, r, 65536) == 0);
	} else {
		CHECK_MSG(err == ENOSPC || err == E2BIG,
			  "setxattr 64 KiB: expected success, ENOSPC or E2BIG, got %s",
			  errname(err));
		CHECK_ERR(getxattr("f", "user.big", r, 65537), ENODATA);
	}
	CHECK_ERR(setxattr("f", "user.huge", v, 65537, 0), E2BIG);
out:
	free(v);
	free(r);
}

static void names(void)
{
	char name[300];
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	memcpy(name, "user.", 5);
	memset(name + 5, 'n', 250);
	name[255] = '\0';
	CHECK_OK(setxattr("f", name, "v", 1, 0));
	CHECK_EQ(getxattr("f", name, NULL, 0), 1);
	memset(name + 5, 'n', 251);
	name[256] = '\0';
	CHECK_ERR(setxattr("f", name, "v", 1, 0), ERANGE);
	CHECK_ERR(setxattr("f", "", "v", 1, 0), ERANGE);
	CHECK_ERR(setxattr("f", "nosuchns.a", "v", 1, 0), EOPNOTSUPP);
	/* Binary values survive byte for byte. */
	static const char bin[] = { 0, 1, (char)0xff, 0, '\n', (char)0x80 };
	char buf[8];
	CHECK_OK(setxattr("f", "user.bin", bin, sizeof(bin), 0));
	CHECK_EQ(getxattr("f", "user.bin", buf, sizeof(buf)), (ssize_t)sizeof(bin));
	CHECK(memcmp(buf, bin, sizeof(bin)) == 0);
}

static void descriptors(void)
{
	char buf[16];
	int fd __cleanup_close = -1, p __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(fd = open("f", O_RDONLY)))
		return;
	CHECK_OK(fsetxattr(fd, "user.fd", "val", 3, 0));
	CHECK_EQ(fgetxattr(fd, "user.fd", buf, sizeof(buf)), 3);
	CHECK_EQ(getxattr("f", "user.fd", buf, sizeof(buf)), 3);
	ssize_t n = flistxattr(fd, buf, sizeof(buf));
	CHECK_EQ(in_list(buf, n, "user.fd"), 1);
	CHECK_OK(fremovexattr(fd, "user.fd"));
	CHECK_ERR(getxattr("f", "user.fd", buf, sizeof(buf)), ENODATA);
	if (CHECK_OK(p = open("f", O_PATH)))
		CHECK_ERR(fsetxattr(p, "user.p", "v", 1, 0), EBADF);
}

static void symlinks_and_special(void)
{
	char buf[16];
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(symlink("f", "l")) ||
	    !CHECK_OK(mkfifo("p", 0644)))
		return;
	/* user.* attributes exist on regular files and directories only. */
	CHECK_ERR(lsetxattr("l", "user.a", "v", 1, 0), EPERM);
	CHECK_ERR(setxattr("p", "user.a", "v", 1, 0), EPERM);
	CHECK_ERR(lgetxattr("l", "user.a", buf, sizeof(buf)), ENODATA);
	/* Without the l- prefix the link is followed. */
	CHECK_OK(setxattr("l", "user.t", "target", 6, 0));
	CHECK_EQ(getxattr("f", "user.t", buf, sizeof(buf)), 6);
	CHECK_EQ(getxattr("l", "user.t", buf, sizeof(buf)), 6);
}

static void dirs_links_rename(void)
{
	char buf[16];
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	CHECK_OK(setxattr("d", "user.dir", "dv", 2, 0));
	CHECK_EQ(getxattr("d", "user.dir", buf, sizeof(buf)), 2);
	/* Attributes belong to the inode: shared by links, kept by rename. */
	CHECK_OK(setxattr("f", "user.i", "iv", 2, 0));
	CHECK_OK(link("f", "g"));
	CHECK_EQ(getxattr("g", "user.i", buf, sizeof(buf)), 2);
	CHECK_OK(rename("f", "h"));
	CHECK_EQ(getxattr("h", "user.i", buf, sizeof(buf)), 2);
	CHECK_OK(rename("d", "e"));
	CHECK_EQ(getxattr("e", "user.dir", buf, sizeof(buf)), 2);
}

CONF_CATEGORY(xattr, T(set_get), T(list), T(many), T(remove_attr),
	      T(create_replace), T(get_errors), T(sizes), T(names),
	      T(descriptors), T(symlinks_and_special), T(dirs_links_rename));
