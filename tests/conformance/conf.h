/* fsconf: a small assertion framework for POSIX filesystem conformance.
 *
 * Every test runs in a forked child, in its own empty directory (the cwd),
 * with umask 022. Assertions are counted in memory shared by all processes
 * of the run, so checks made in grandchildren (a process that dropped to an
 * unprivileged uid, a lock holder, ...) are counted like any other. A check
 * never aborts the test; each CHECK_* macro evaluates to true when it held,
 * so a test bails out with `if (!CHECK_OK(...)) return;` when going on
 * would be meaningless. */
#ifndef FSCONF_CONF_H
#define FSCONF_CONF_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "util.h"

struct conf_test {
	const char *name;
	void (*fn)(void);
};

struct conf_category {
	const char *name;
	const struct conf_test *tests;
	size_t ntests;
};

/* In each t_NAME.c:  CONF_CATEGORY(NAME, T(test_a), T(test_b), ...); */
#define T(fn) { #fn, fn }
#define CONF_CATEGORY(cname, ...)                                            \
	static const struct conf_test cname##_tests[] = { __VA_ARGS__ };     \
	const struct conf_category cat_##cname = {                           \
		#cname, cname##_tests, ARRAY_SIZE(cname##_tests) }

extern const struct conf_category cat_chmod, cat_chown, cat_link, cat_mkdir,
	cat_mkfifo, cat_mknod, cat_open, cat_rename, cat_rmdir, cat_symlink,
	cat_truncate, cat_unlink, cat_utimensat, cat_times, cat_perm,
	cat_unlinked, cat_mmap, cat_sparse, cat_readdir, cat_locks, cat_xattr,
	cat_copyup;

/* `fsconf -p DIR` makes DIR/COPYUP_DIR for the copyup category (t_copyup.c);
 * 0 or -errno. */
#define COPYUP_DIR "fsconf-premade"
int copyup_prepare(int topfd);

/* Options of the run, read-only for tests. */
struct conf_opts {
	uid_t uid, uid2;   /* unprivileged identities for permission tests */
	gid_t gid, gid2;
	bool verbose;
	bool root;         /* euid 0 with the capabilities a root test needs */
	unsigned timeout;  /* seconds per test */
	int premade;       /* DIR/COPYUP_DIR, or -1 when there is none */
};
extern struct conf_opts conf;

/* ---- recording (conf.c) ---- */

void conf_begin(const char *category, const char *test);
void conf_end_counts(unsigned *passed, unsigned *failed, bool *skipped,
		     char *why, size_t whylen);
bool conf_result(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool conf_expect_ok(long r, int err, const char *file, int line,
		    const char *expr);
bool conf_expect_err(long r, int err, const char *file, int line,
		     const char *expr, int want1, int want2);
bool conf_expect_eq(long long got, long long want, const char *file,
		    int line, const char *expr, bool octal);
bool conf_expect_str(const char *got, const char *want, const char *file,
		     int line, const char *expr);
void conf_skip(const char *why);
void conf_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void conf_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *errname(int e);

#define CHECK(c) conf_result(!!(c), __FILE__, __LINE__, "%s", #c)
#define CHECK_MSG(c, ...) conf_result(!!(c), __FILE__, __LINE__, __VA_ARGS__)

/* The expression text is taken at the outermost macro, before its
 * arguments (O_RDONLY, ...) are expanded. */
#define CONF_OK_(e, text)                                                    \
	({                                                                   \
		errno = 0;                                                   \
		long _r = (long)(intptr_t)(e);                               \
		conf_expect_ok(_r, errno, __FILE__, __LINE__, text);         \
	})
#define CONF_ERR_(e, text, E1, E2)                                           \
	({                                                                   \
		errno = 0;                                                   \
		long _r = (long)(intptr_t)(e);                               \
		conf_expect_err(_r, errno, __FILE__, __LINE__, text, E1, E2); \
	})
/* A call succeeds: its result is not -1 (or MAP_FAILED). */
#define CHECK_OK(e) CONF_OK_(e, #e)
/* A call fails with -1 and errno E (or E2). */
#define CHECK_ERR(e, E) CONF_ERR_(e, #e, E, E)
#define CHECK_ERR2(e, E1, E2) CONF_ERR_(e, #e, E1, E2)

#define CHECK_EQ(got, want)                                                  \
	conf_expect_eq((long long)(got), (long long)(want), __FILE__,        \
		       __LINE__, #got, false)
#define CHECK_MODE(got, want)                                                \
	conf_expect_eq((long long)(got), (long long)(want), __FILE__,        \
		       __LINE__, #got, true)
#define CHECK_STR(got, want)                                                 \
	conf_expect_str(got, want, __FILE__, __LINE__, #got)

/* ---- stat fields (helpers.c) ---- */

enum conf_field { F_MODE, F_TYPE, F_NLINK, F_UID, F_GID, F_SIZE, F_INO,
		  F_BLOCKS, F_RDEV };

bool conf_expect_stat(const char *file, int line, const char *path, int fd,
		      bool follow, enum conf_field f, long long want);
#define CHECK_LSTAT(path, f, want)                                           \
	conf_expect_stat(__FILE__, __LINE__, path, -1, false, f, want)
#define CHECK_STAT(path, f, want)                                            \
	conf_expect_stat(__FILE__, __LINE__, path, -1, true, f, want)
#define CHECK_FSTAT(fd, f, want)                                             \
	conf_expect_stat(__FILE__, __LINE__, NULL, fd, false, f, want)
#define CHECK_ABSENT(path) CHECK_ERR(lexists(path), ENOENT)
#define CHECK_EXISTS(path) CHECK_OK(lexists(path))

/* Field values; -1 with errno on failure. F_MODE is the 07777 bits,
 * F_TYPE the S_IFMT bits. */
long long lget(const char *path, enum conf_field f);
long long sget(const char *path, enum conf_field f);
long long fget(int fd, enum conf_field f);
int lexists(const char *path);

/* ---- timestamps (helpers.c) ---- */

/* which: 'a', 'm' or 'c'; {-1, -1} when stat fails. */
struct timespec lts(const char *path, char which);
struct timespec fts(int fd, char which);
int ts_cmp(struct timespec a, struct timespec b);
bool conf_expect_ts(const char *file, int line, const char *expr,
		    struct timespec got, const char *op, struct timespec ref);
#define CHECK_TS_GT(got, ref)                                                \
	conf_expect_ts(__FILE__, __LINE__, #got, got, ">", ref)
#define CHECK_TS_EQ(got, ref)                                                \
	conf_expect_ts(__FILE__, __LINE__, #got, got, "==", ref)
#define CHECK_TS_GE(got, ref)                                                \
	conf_expect_ts(__FILE__, __LINE__, #got, got, ">=", ref)

/* Let the clock move past the filesystem's timestamp granularity. */
void tick(void);

/* ---- files (helpers.c) ---- */

/* Create a regular file with exactly MODE (umask bypassed) holding DATA
 * (may be NULL); 0 or -1 with errno. */
int mkfile(const char *path, mode_t mode, const char *data);
/* mkdir with exactly MODE; 0 or -1 with errno. */
int mkdir_mode(const char *path, mode_t mode);
/* Read the whole (small) file into buf, NUL-terminated; length or -1. */
ssize_t readfile(const char *path, char *buf, size_t size);
/* Remove DIR's contents and DIR itself below dirfd; 0 or -1 with errno. */
int rm_tree(int dirfd, const char *name);

/* ---- processes (helpers.c) ---- */

/* fork() for tests: the child dies with its parent. */
pid_t conf_fork(void);
/* Wait for a child of conf_fork(); a crash or nonzero exit is a failure. */
bool conf_wait(const char *file, int line, pid_t pid);
#define CHECK_WAIT(pid) conf_wait(__FILE__, __LINE__, pid)
/* Run fn(arg) in a child with uid/gid (no supplementary groups). */
bool conf_as(const char *file, int line, uid_t uid, gid_t gid,
	     void (*fn)(void *), void *arg);
#define AS_USER(fn, arg) conf_as(__FILE__, __LINE__, conf.uid, conf.gid, fn, arg)
#define AS_USER2(fn, arg) conf_as(__FILE__, __LINE__, conf.uid2, conf.gid2, fn, arg)

#define NEED_ROOT()                                                          \
	do {                                                                 \
		if (!conf.root) {                                            \
			conf_skip("needs root");                             \
			return;                                              \
		}                                                            \
	} while (0)

#endif
