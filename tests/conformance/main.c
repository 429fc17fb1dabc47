/* fsconf: POSIX filesystem conformance suite.
 *
 *   fsconf [-c CATEGORY,...] [-u UID[:GID]] [-t SECONDS] [-k] [-l] [-v] DIR
 *   fsconf -p DIR      (make the tree the copyup category changes, see t_copyup.c)
 *
 * Runs every test in DIR/fsconf.XXXXXX/CATEGORY/TEST (removed afterwards
 * unless -k), one forked process per test, and prints machine-readable
 * lines that tests/conformance/run-table.sh parses:
 *   FAIL cat/test file:line: message      an assertion that did not hold
 *   test CAT TEST FAIL|SKIP [reason]      per test that failed or skipped
 *   test CAT TEST ok N                    per passing test (-v)
 *   category CAT passed P failed F        per category
 *   total passed P failed F skipped S     at the end
 * Exit status: 0 all passed, 1 some assertion failed, 2 usage/setup error. */
#include "conf.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct conf_opts conf = {
	.uid = 65534, .gid = 65534, .uid2 = 65533, .gid2 = 65533,
	.timeout = 120, .premade = -1,
};

static const struct conf_category *const categories[] = {
	&cat_chmod, &cat_chown, &cat_link, &cat_mkdir, &cat_mkfifo,
	&cat_mknod, &cat_open, &cat_rename, &cat_rmdir, &cat_symlink,
	&cat_truncate, &cat_unlink, &cat_utimensat, &cat_times, &cat_perm,
	&cat_unlinked, &cat_mmap, &cat_sparse, &cat_readdir, &cat_locks,
	&cat_xattr, &cat_copyup,
};

struct totals {
	unsigned passed, failed, skipped;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: fsconf [-c CATEGORY,...] [-u UID[:GID]] [-t SECONDS] [-k] [-l] [-v] DIR\n"
		"       fsconf -p DIR\n"
		"  -c  run only these categories (default: all)\n"
		"  -u  unprivileged identity for permission tests (default 65534:65534;\n"
		"      a second one, UID-1:GID-1, owns \"someone else's\" files)\n"
		"  -t  per-test timeout (default 120)\n"
		"  -k  keep the test directory\n"
		"  -l  list categories and tests\n"
		"  -v  print passing tests too\n"
		"  -p  only make DIR/" COPYUP_DIR ", the files the copyup category\n"
		"      changes (made before an overlay is mounted over DIR)\n");
}

static bool selected(const char *list, const char *name)
{
	if (!list)
		return true;
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		const char *end = strchrnul(p, ',');
		if ((size_t)(end - p) == n && strncmp(p, name, n) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

static int check_categories(const char *list)
{
	for (const char *p = list; *p;) {
		const char *end = strchrnul(p, ',');
		bool found = false;
		for (size_t i = 0; i < ARRAY_SIZE(categories); i++)
			if (strlen(categories[i]->name) == (size_t)(end - p) &&
			    !strncmp(categories[i]->name, p, (size_t)(end - p)))
				found = true;
		if (!found) {
			fprintf(stderr, "fsconf: unknown category '%.*s'\n",
				(int)(end - p), p);
			return -1;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

static int parse_ids(const char *s)
{
	char *end;
	errno = 0;
	unsigned long u = strtoul(s, &end, 10);
	unsigned long g = u;
	if (*end == ':') {
		g = strtoul(end + 1, &end, 10);
	}
	if (errno || *end || u == 0 || g == 0 || u >= 0xfffffffful ||
	    g >= 0xfffffffful) {
		fprintf(stderr, "fsconf: -u wants UID[:GID], both nonzero\n");
		return -1;
	}
	conf.uid = (uid_t)u;
	conf.gid = (gid_t)g;
	conf.uid2 = (uid_t)(u > 1 ? u - 1 : u + 1);
	conf.gid2 = (gid_t)(g > 1 ? g - 1 : g + 1);
	return 0;
}

static void child_run(const struct conf_test *t, int dirfd)
{
	setpgid(0, 0);
	signal(SIGPIPE, SIG_IGN);
	if (fchdir(dirfd) < 0) {
		conf_result(false, __FILE__, __LINE__, "fchdir: %s",
			    errname(errno));
		_exit(0);
	}
	close(dirfd);
	umask(022);
	alarm(conf.timeout);
	t->fn();
	_exit(0);
}

/* The test process is gone: account for how it ended. */
static void reap(pid_t pid)
{
	int st;
	pid_t r;
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	/* Leftover helpers of the test share its process group. */
	kill(-pid, SIGKILL);
	if (r < 0)
		conf_result(false, __FILE__, __LINE__, "waitpid: %s",
			    errname(errno));
	else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
		conf_result(false, __FILE__, __LINE__,
			    "test timed out after %u s", conf.timeout);
	else if (WIFSIGNALED(st))
		conf_result(false, __FILE__, __LINE__,
			    "test killed by signal %d (%s)", WTERMSIG(st),
			    strsignal(WTERMSIG(st)));
	else if (WEXITSTATUS(st) != 0)
		conf_result(false, __FILE__, __LINE__, "test exited %d",
			    WEXITSTATUS(st));
}

static void run_test(const struct conf_category *c, const struct conf_test *t,
		     int catfd, struct totals *cat)
{
	conf_begin(c->name, t->name);
	if (mkdirat(catfd, t->name, 0755) < 0 ||
	    fchmodat(catfd, t->name, 0755, 0) < 0) {
		conf_result(false, __FILE__, __LINE__, "mkdir %s: %s", t->name,
			    errname(errno));
	} else {
		int dirfd __cleanup_close =
			openat(catfd, t->name, O_RDONLY | O_DIRECTORY);
		pid_t pid = dirfd < 0 ? -1 : fork();
		if (pid == 0)
			child_run(t, dirfd);
		if (pid < 0)
			conf_result(false, __FILE__, __LINE__,
				    "open/fork: %s", errname(errno));
		else
			reap(pid);
	}
	unsigned p, f;
	bool skipped;
	char why[160];
	conf_end_counts(&p, &f, &skipped, why, sizeof(why));
	cat->passed += p;
	cat->failed += f;
	if (f)
		conf_printf("test %s %s FAIL", c->name, t->name);
	else if (skipped)
		conf_printf("test %s %s SKIP %s", c->name, t->name, why);
	else if (conf.verbose)
		conf_printf("test %s %s ok %u", c->name, t->name, p);
	cat->skipped += skipped;
}

static void run_category(const struct conf_category *c, int basefd,
			 struct totals *tot)
{
	struct totals cat = { 0, 0, 0 };
	int catfd __cleanup_close = -1;
	if (mkdirat(basefd, c->name, 0755) < 0 ||
	    (catfd = openat(basefd, c->name, O_RDONLY | O_DIRECTORY)) < 0) {
		fprintf(stderr, "fsconf: mkdir %s: %s\n", c->name, strerror(errno));
		cat.failed = 1;
	} else {
		for (size_t i = 0; i < c->ntests; i++)
			run_test(c, &c->tests[i], catfd, &cat);
	}
	conf_printf("category %s passed %u failed %u", c->name, cat.passed,
		    cat.failed);
	tot->passed += cat.passed;
	tot->failed += cat.failed;
	tot->skipped += cat.skipped;
}

static void list(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(categories); i++)
		for (size_t j = 0; j < categories[i]->ntests; j++)
			printf("%s %s\n", categories[i]->name,
			       categories[i]->tests[j].name);
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	bool keep = false;
	int opt;
	bool prepare = false;
	while ((opt = getopt(argc, argv, "c:u:t:klvph")) != -1) {
		switch (opt) {
		case 'c':
			only = optarg;
			if (check_categories(only) < 0)
				return 2;
			break;
		case 'u':
			if (parse_ids(optarg) < 0)
				return 2;
			break;
		case 't':
			conf.timeout = (unsigned)strtoul(optarg, NULL, 10);
			if (conf.timeout == 0)
				conf.timeout = 120;
			break;
		case 'k':
			keep = true;
			break;
		case 'l':
			list();
			return 0;
		case 'v':
			conf.verbose = true;
			break;
		case 'p':
			prepare = true;
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1) {
		usage();
		return 2;
	}
	conf.root = geteuid() == 0;

	int topfd __cleanup_close =
		open(argv[optind], O_RDONLY | O_DIRECTORY);
	if (topfd < 0) {
		fprintf(stderr, "fsconf: %s: %s\n", argv[optind], strerror(errno));
		return 2;
	}
	if (prepare)
		return copyup_prepare(topfd) < 0 ? 2 : 0;
	conf.premade = openat(topfd, COPYUP_DIR, O_RDONLY | O_DIRECTORY);
	char base[64];
	snprintf(base, sizeof(base), "fsconf.%d", (int)getpid());
	if (mkdirat(topfd, base, 0755) < 0 || fchmodat(topfd, base, 0755, 0) < 0) {
		fprintf(stderr, "fsconf: %s/%s: %s\n", argv[optind], base,
			strerror(errno));
		return 2;
	}
	int basefd __cleanup_close = openat(topfd, base, O_RDONLY | O_DIRECTORY);
	if (basefd < 0) {
		fprintf(stderr, "fsconf: open %s: %s\n", base, strerror(errno));
		return 2;
	}

	struct totals tot = { 0, 0, 0 };
	for (size_t i = 0; i < ARRAY_SIZE(categories); i++)
		if (selected(only, categories[i]->name))
			run_category(categories[i], basefd, &tot);
	conf_printf("total passed %u failed %u skipped %u", tot.passed,
		    tot.failed, tot.skipped);

	if (keep)
		fprintf(stderr, "fsconf: kept %s/%s\n", argv[optind], base);
	else if (rm_tree(topfd, base) < 0)
		fprintf(stderr, "fsconf: removing %s/%s: %s\n", argv[optind],
			base, strerror(errno));
	/* The pre-made tree is used up once its tests changed it. */
	if (conf.premade >= 0 && !keep && selected(only, cat_copyup.name) &&
	    rm_tree(topfd, COPYUP_DIR) < 0)
		fprintf(stderr, "fsconf: removing %s/%s: %s\n", argv[optind],
			COPYUP_DIR, strerror(errno));
	return tot.failed ? 1 : 0;
}
