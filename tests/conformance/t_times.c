/* Timestamps that operations must update (mtime and ctime of the file
 * and of its parent directories), and those they must leave alone. Each
 * test takes a snapshot, sleeps past the clock granularity (tick), acts,
 * and compares. */
#include "conf.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/xattr.h>
#include <unistd.h>

struct snap {
	struct timespec m, c;
};

static struct snap snap(const char *path)
{
	return (struct snap){ lts(path, 'm'), lts(path, 'c') };
}

#define CHECK_BOTH_NEWER(path, s)                                            \
	do {                                                                 \
		CHECK_TS_GT(lts(path, 'm'), (s).m);                          \
		CHECK_TS_GT(lts(path, 'c'), (s).c);                          \
	} while (0)
#define CHECK_UNCHANGED(path, s)                                             \
	do {                                                                 \
		CHECK_TS_EQ(lts(path, 'm'), (s).m);                          \
		CHECK_TS_EQ(lts(path, 'c'), (s).c);                          \
	} while (0)

static void create(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkdir("d", 0755)))
		return;
	tick();
	struct snap d = snap("d");
	tick();
	if (!CHECK_OK(fd = open("d/f", O_CREAT | O_WRONLY, 0644)))
		return;
	CHECK_BOTH_NEWER("d", d);
	/* A new file's times are its creation time. */
	CHECK_TS_GT(lts("d/f", 'm'), d.m);
	CHECK_TS_EQ(lts("d/f", 'c'), lts("d/f", 'm'));
	CHECK_TS_EQ(lts("d/f", 'a'), lts("d/f", 'm'));
}

static void write_file(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "abc")) || !CHECK_OK(fd = open("f", O_RDWR)))
		return;
	tick();
	struct snap f = snap("f"), dir = snap(".");
	struct timespec a = lts("f", 'a');
	tick();
	CHECK_EQ(pwrite(fd, "x", 1, 1), 1);
	CHECK_TS_GT(fts(fd, 'm'), f.m);
	CHECK_TS_GT(fts(fd, 'c'), f.c);
	CHECK_TS_EQ(fts(fd, 'a'), a);
	CHECK_BOTH_NEWER("f", f);
	/* The directory does not change. */
	CHECK_UNCHANGED(".", dir);
}

static void read_file(void)
{
	int fd __cleanup_close = -1;
	char buf[8];
	if (!CHECK_OK(mkfile("f", 0644, "abc")) || !CHECK_OK(fd = open("f", O_RDONLY)))
		return;
	tick();
	struct snap f = snap("f");
	tick();
	CHECK_EQ(read(fd, buf, sizeof(buf)), 3);
	CHECK_UNCHANGED("f", f);
}

static void truncate_file(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, "abcdef")) || !CHECK_OK(fd = open("f", O_RDWR)))
		return;
	tick();
	struct snap f = snap("f");
	tick();
	CHECK_OK(truncate("f", 2));
	CHECK_BOTH_NEWER("f", f);
	f = snap("f");
	tick();
	CHECK_OK(ftruncate(fd, 100));
	CHECK_BOTH_NEWER("f", f);
}

static void unlink_file(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(link("f", "g")))
		return;
	tick();
	struct snap dir = snap("."), g = snap("g");
	tick();
	CHECK_OK(unlink("f"));
	CHECK_BOTH_NEWER(".", dir);
	/* The surviving link lost a link count: its ctime moves. */
	CHECK_TS_GT(lts("g", 'c'), g.c);
	CHECK_TS_EQ(lts("g", 'm'), g.m);
}

static void link_file(void)
{
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	tick();
	struct snap d = snap("d"), f = snap("f");
	tick();
	CHECK_OK(link("f", "d/g"));
	CHECK_BOTH_NEWER("d", d);
	CHECK_TS_GT(lts("f", 'c'), f.c);
	CHECK_TS_EQ(lts("f", 'm'), f.m);
}

static void rename_across(void)
{
	if (!CHECK_OK(mkdir("a", 0755)) || !CHECK_OK(mkdir("b", 0755)) ||
	    !CHECK_OK(mkfile("a/f", 0644, NULL)))
		return;
	tick();
	struct snap a = snap("a"), b = snap("b"), f = snap("a/f");
	tick();
	CHECK_OK(rename("a/f", "b/f"));
	CHECK_BOTH_NEWER("a", a);
	CHECK_BOTH_NEWER("b", b);
	/* Linux also stamps the moved inode's ctime, never its mtime. */
	CHECK_TS_GT(lts("b/f", 'c'), f.c);
	CHECK_TS_EQ(lts("b/f", 'm'), f.m);
}

static void rename_within(void)
{
	if (!CHECK_OK(mkdir("d", 0755)) || !CHECK_OK(mkfile("d/f", 0644, NULL)))
		return;
	tick();
	struct snap d = snap("d");
	tick();
	CHECK_OK(rename("d/f", "d/g"));
	CHECK_BOTH_NEWER("d", d);
}

static void mkdir_rmdir(void)
{
	if (!CHECK_OK(mkdir("d", 0755)))
		return;
	tick();
	struct snap d = snap("d");
	tick();
	CHECK_OK(mkdir("d/s", 0755));
	CHECK_BOTH_NEWER("d", d);
	d = snap("d");
	tick();
	CHECK_OK(rmdir("d/s"));
	CHECK_BOTH_NEWER("d", d);
}

static void other_creates(void)
{
	if (!CHECK_OK(mkdir("d", 0755)))
		return;
	tick();
	struct snap d = snap("d");
	tick();
	CHECK_OK(symlink("x", "d/l"));
	CHECK_BOTH_NEWER("d", d);
	d = snap("d");
	tick();
	CHECK_OK(mkfifo("d/p", 0644));
	CHECK_BOTH_NEWER("d", d);
}

static void attr_changes(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	tick();
	struct snap f = snap("f");
	tick();
	/* Metadata changes move ctime only. */
	CHECK_OK(chmod("f", 0600));
	CHECK_TS_GT(lts("f", 'c'), f.c);
	CHECK_TS_EQ(lts("f", 'm'), f.m);
	f = snap("f");
	tick();
	CHECK_OK(chown("f", geteuid(), getegid()));
	CHECK_TS_GT(lts("f", 'c'), f.c);
	CHECK_TS_EQ(lts("f", 'm'), f.m);
	f = snap("f");
	tick();
	CHECK_OK(setxattr("f", "user.t", "v", 1, 0));
	CHECK_TS_GT(lts("f", 'c'), f.c);
	CHECK_TS_EQ(lts("f", 'm'), f.m);
}

CONF_CATEGORY(times, T(create), T(write_file), T(read_file),
	      T(truncate_file), T(unlink_file), T(link_file), T(rename_across),
	      T(rename_within), T(mkdir_rmdir), T(other_creates),
	      T(attr_changes));
