/* utimensat, futimens: explicit times with nanoseconds, UTIME_NOW,
 * UTIME_OMIT, symlinks, ctime, dates past 2038, errors. Refusals for a
 * non-owner are in t_perm.c. */
#include "conf.h"

#include <fcntl.h>
#include <unistd.h>

static struct timespec ts(time_t s, long ns)
{
	return (struct timespec){ s, ns };
}

static void explicit_ns(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	struct timespec t[2] = { ts(1000000000, 123456789), ts(1500000000, 987654321) };
	CHECK_OK(utimensat(AT_FDCWD, "f", t, 0));
	CHECK_TS_EQ(lts("f", 'a'), t[0]);
	CHECK_TS_EQ(lts("f", 'm'), t[1]);
	/* Whole seconds, and the other way round. */
	struct timespec u[2] = { ts(1600000000, 0), ts(1200000000, 1) };
	CHECK_OK(utimensat(AT_FDCWD, "f", u, 0));
	CHECK_TS_EQ(lts("f", 'a'), u[0]);
	CHECK_TS_EQ(lts("f", 'm'), u[1]);
}

static void omit(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	struct timespec t[2] = { ts(1000000000, 1), ts(1000000001, 2) };
	CHECK_OK(utimensat(AT_FDCWD, "f", t, 0));
	struct timespec a[2] = { ts(0, UTIME_OMIT), ts(1111111111, 3) };
	CHECK_OK(utimensat(AT_FDCWD, "f", a, 0));
	CHECK_TS_EQ(lts("f", 'a'), t[0]);
	CHECK_TS_EQ(lts("f", 'm'), a[1]);
	struct timespec m[2] = { ts(1222222222, 4), ts(0, UTIME_OMIT) };
	CHECK_OK(utimensat(AT_FDCWD, "f", m, 0));
	CHECK_TS_EQ(lts("f", 'a'), m[0]);
	CHECK_TS_EQ(lts("f", 'm'), a[1]);
	struct timespec both[2] = { ts(0, UTIME_OMIT), ts(0, UTIME_OMIT) };
	CHECK_OK(utimensat(AT_FDCWD, "f", both, 0));
	CHECK_TS_EQ(lts("f", 'a'), m[0]);
	CHECK_TS_EQ(lts("f", 'm'), a[1]);
}

/* True when t lies within a second of [lo, hi]: filesystems stamp with
 * a coarse clock and some round. */
static bool near(struct timespec t, struct timespec lo, struct timespec hi)
{
	return t.tv_sec >= lo.tv_sec - 1 && t.tv_sec <= hi.tv_sec + 1;
}

static void now(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	struct timespec old[2] = { ts(1000000000, 0), ts(1000000000, 0) }, lo, hi;
	CHECK_OK(utimensat(AT_FDCWD, "f", old, 0));
	clock_gettime(CLOCK_REALTIME, &lo);
	CHECK_OK(utimensat(AT_FDCWD, "f", NULL, 0));
	clock_gettime(CLOCK_REALTIME, &hi);
	CHECK(near(lts("f", 'a'), lo, hi));
	CHECK(near(lts("f", 'm'), lo, hi));

	CHECK_OK(utimensat(AT_FDCWD, "f", old, 0));
	struct timespec n[2] = { ts(0, UTIME_NOW), ts(0, UTIME_OMIT) };
	clock_gettime(CLOCK_REALTIME, &lo);
	CHECK_OK(utimensat(AT_FDCWD, "f", n, 0));
	clock_gettime(CLOCK_REALTIME, &hi);
	CHECK(near(lts("f", 'a'), lo, hi));
	CHECK_TS_EQ(lts("f", 'm'), old[1]);

	struct timespec n2[2] = { ts(1300000000, 5), ts(0, UTIME_NOW) };
	CHECK_OK(utimensat(AT_FDCWD, "f", n2, 0));
	clock_gettime(CLOCK_REALTIME, &hi);
	CHECK_TS_EQ(lts("f", 'a'), n2[0]);
	CHECK(near(lts("f", 'm'), lo, hi));
}

static void fd_and_dir(void)
{
	int fd __cleanup_close = -1;
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(mkdir("d", 0755)) ||
	    !CHECK_OK(fd = open("f", O_RDONLY)))
		return;
	struct timespec t[2] = { ts(1400000000, 500), ts(1400000001, 600) };
	CHECK_OK(futimens(fd, t));
	CHECK_TS_EQ(fts(fd, 'a'), t[0]);
	CHECK_TS_EQ(lts("f", 'm'), t[1]);
	CHECK_OK(utimensat(AT_FDCWD, "d", t, 0));
	CHECK_TS_EQ(lts("d", 'm'), t[1]);
}

static void symlink_nofollow(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)) || !CHECK_OK(symlink("f", "l")))
		return;
	struct timespec t[2] = { ts(1100000000, 7), ts(1100000000, 8) };
	struct timespec fm = lts("f", 'm');
	CHECK_OK(utimensat(AT_FDCWD, "l", t, AT_SYMLINK_NOFOLLOW));
	CHECK_TS_EQ(lts("l", 'm'), t[1]);
	CHECK_TS_EQ(lts("f", 'm'), fm);
	/* Without the flag the target changes. */
	CHECK_OK(utimensat(AT_FDCWD, "l", t, 0));
	CHECK_TS_EQ(lts("f", 'm'), t[1]);
}

static void ctime_updated(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	struct timespec c0 = lts("f", 'c');
	tick();
	struct timespec t[2] = { ts(1000000000, 0), ts(1000000000, 0) };
	CHECK_OK(utimensat(AT_FDCWD, "f", t, 0));
	/* ctime cannot be set: it moves to now. */
	CHECK_TS_GT(lts("f", 'c'), c0);
}

static void far_dates(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	/* Past 2038 (signed 32-bit overflow) and in 2100. */
	struct timespec t[2] = { ts(2147483648LL + 5, 11), ts(4102444800LL, 999999999) };
	CHECK_OK(utimensat(AT_FDCWD, "f", t, 0));
	CHECK_TS_EQ(lts("f", 'a'), t[0]);
	CHECK_TS_EQ(lts("f", 'm'), t[1]);
}

static void errors(void)
{
	if (!CHECK_OK(mkfile("f", 0644, NULL)))
		return;
	struct timespec m0 = lts("f", 'm');
	struct timespec big[2] = { ts(0, 1000000000), ts(0, 0) };
	struct timespec neg[2] = { ts(0, 0), ts(0, -1) };
	CHECK_ERR(utimensat(AT_FDCWD, "f", big, 0), EINVAL);
	CHECK_ERR(utimensat(AT_FDCWD, "f", neg, 0), EINVAL);
	CHECK_ERR(utimensat(AT_FDCWD, "f", NULL, 0x4000000), EINVAL);
	CHECK_ERR(utimensat(AT_FDCWD, "missing", NULL, 0), ENOENT);
	CHECK_ERR(utimensat(AT_FDCWD, "f/x", NULL, 0), ENOTDIR);
	CHECK_TS_EQ(lts("f", 'm'), m0);
}

CONF_CATEGORY(utimensat, T(explicit_ns), T(omit), T(now), T(fd_and_dir),
	      T(symlink_nofollow), T(ctime_updated), T(far_dates), T(errors));
