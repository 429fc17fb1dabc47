/* readdir/getdents: every entry exactly once with the right type and
 * inode, small buffers over many calls, telldir/seekdir/rewinddir, and
 * listings while another process creates and unlinks entries. */
#include "conf.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Names seen in one listing; small sets, linear search is fine. */
struct seen {
	char (*names)[256];
	int *count;
	size_t n, cap;
};

static void seen_add(struct seen *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name)) {
			s->count[i]++;
			return;
		}
	if (s->n == s->cap)
		return;
	snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
	s->count[s->n++] = 1;
}

static int seen_count(const struct seen *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return s->count[i];
	return 0;
}

static bool seen_init(struct seen *s, size_t cap)
{
	s->names = calloc(cap, sizeof(s->names[0]));
	s->count = calloc(cap, sizeof(s->count[0]));
	s->n = 0;
	s->cap = cap;
	return s->names && s->count;
}

static void seen_free(struct seen *s)
{
	free(s->names);
	free(s->count);
}

/* The largest number of times any name was seen. */
static int seen_max(const struct seen *s, const char **which)
{
	int max = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->count[i] > max) {
			max = s->count[i];
			*which = s->names[i];
		}
	return max;
}

static int list(const char *dir, struct seen *s)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	s->n = 0;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d)))
		seen_add(s, e->d_name);
	int err = errno;
	closedir(d);
	errno = err;
	return err ? -1 : 0;
}

static unsigned char dtype_of(mode_t m)
{
	return S_ISREG(m) ? DT_REG : S_ISDIR(m) ? DT_DIR : S_ISLNK(m) ? DT_LNK
	     : S_ISFIFO(m) ? DT_FIFO : S_ISSOCK(m) ? DT_SOCK : DT_UNKNOWN;
}

static void types_and_inodes(void)
{
	char name[64];
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "d/file%02d", i);
		if (i == 0 && !CHECK_OK(mkdir("d", 0755)))
			return;
		if (mkfile(name, 0644, NULL) < 0)
			break;
	}
	if (!CHECK_OK(mkdir("d/sub", 0755)) || !CHECK_OK(symlink("x", "d/link")) ||
	    !CHECK_OK(mkfifo("d/fifo", 0644)))
		return;
	DIR *d = opendir("d");
	if (!CHECK(d != NULL))
		return;
	int entries = 0, bad_type = 0, bad_ino = 0, dots = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		entries++;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
			dots++;
			continue;
		}
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			conf_note("%s: fstatat: %s", e->d_name, errname(errno));
			bad_ino++;
			continue;
		}
		if (e->d_type != DT_UNKNOWN && e->d_type != dtype_of(st.st_mode)) {
			conf_note("%s: d_type %d", e->d_name, e->d_type);
			bad_type++;
		}
		if (e->d_ino != st.st_ino) {
			conf_note("%s: d_ino %llu, st_ino %llu", e->d_name,
				  (unsigned long long)e->d_ino,
				  (unsigned long long)st.st_ino);
			bad_ino++;
		}
	}
	closedir(d);
	CHECK_EQ(entries, 50 + 3 + 2);
	CHECK_EQ(dots, 2);
	CHECK_EQ(bad_type, 0);
	CHECK_EQ(bad_ino, 0);
}

static void small_buffer(void)
{
	enum { N = 600 };
	char name[200];
	struct seen s;
	if (!CHECK(seen_init(&s, N + 10)))
		return;
	int made = 0;
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "%0150d", i);
		made += mkfile(name, 0644, NULL) == 0;
	}
	CHECK_EQ(made, N);
	/* Room for only a few entries per call: many calls, many resumes. */
	int fd __cleanup_close = open(".", O_RDONLY | O_DIRECTORY);
	char buf[1024] __attribute__((aligned(8)));
	long n, calls = 0;
	while (fd >= 0 && (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		calls++;
		for (long off = 0; off < n;) {
			struct dirent64 *e = (struct dirent64 *)(buf + off);
			seen_add(&s, e->d_name);
			off += e->d_reclen;
		}
	}
	CHECK(fd >= 0);
	CHECK(calls > N / 8);
	const char *dup = "";
	CHECK_EQ(s.n, N + 2);
	CHECK_MSG(seen_max(&s, &dup) == 1, "entry %.20s... listed more than once", dup);
	seen_free(&s);
}

static void seek_tell_rewind(void)
{
	char name[32];
	int made = 0;
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "e%02d", i);
		made += mkfile(name, 0644, NULL) == 0;
	}
	if (!CHECK_EQ(made, 40))
		return;
	DIR *d = opendir(".");
	if (!CHECK(d != NULL))
		return;
	for (int i = 0; i < 10; i++)
		readdir(d);
	long pos = telldir(d);
	struct dirent *e = readdir(d);
	char next[256] = "";
	if (CHECK(e != NULL))
		snprintf(next, sizeof(next), "%s", e->d_name);
	for (int i = 0; i < 5; i++)
		readdir(d);
	/* Back to the saved position: the same entry comes next. */
	seekdir(d, pos);
	e = readdir(d);
	CHECK(e != NULL);
	CHECK_STR(e ? e->d_name : NULL, next);
	/* Rewinding lists everything again, and new names too. */
	CHECK_OK(mkfile("late", 0644, NULL));
	rewinddir(d);
	int total = 0, late = 0;
	while ((e = readdir(d))) {
		total++;
		late += !strcmp(e->d_name, "late");
	}
	closedir(d);
	CHECK_EQ(total, 40 + 1 + 2);
	CHECK_EQ(late, 1);
}

static void empty_dir(void)
{
	struct seen s;
	if (!CHECK(seen_init(&s, 8)) || !CHECK_OK(mkdir("d", 0755)))
		return;
	CHECK_OK(list("d", &s));
	CHECK_EQ(s.n, 2);
	CHECK_EQ(seen_count(&s, "."), 1);
	CHECK_EQ(seen_count(&s, ".."), 1);
	seen_free(&s);
}

/* Child: create and unlink transient names until killed. */
static void churn(int ready)
{
	char name[32];
	for (unsigned long i = 0;; i++) {
		snprintf(name, sizeof(name), "d/tmp%lu", i);
		int fd = open(name, O_CREAT | O_WRONLY, 0644);
		if (fd >= 0)
			close(fd);
		if (i >= 16) {
			snprintf(name, sizeof(name), "d/tmp%lu", i - 16);
			unlink(name);
		}
		if (i == 32 && ready >= 0) {
			(void)write(ready, "x", 1);
			close(ready);
			ready = -1;
		}
	}
}

static void concurrent_churn(void)
{
	enum { STABLE = 150, LISTINGS = 60 };
	char name[32];
	struct seen s;
	if (!CHECK(seen_init(&s, STABLE + 4096)) || !CHECK_OK(mkdir("d", 0755)))
		return;
	int made = 0;
	for (int i = 0; i < STABLE; i++) {
		snprintf(name, sizeof(name), "d/stable%03d", i);
		made += mkfile(name, 0644, NULL) == 0;
	}
	int pfd[2];
	if (!CHECK_EQ(made, STABLE) || !CHECK_OK(pipe(pfd)))
		return;
	pid_t pid = conf_fork();
	if (pid == 0) {
		close(pfd[0]);
		churn(pfd[1]);
	}
	close(pfd[1]);
	char c;
	if (!CHECK_OK(pid) || !CHECK_EQ(read(pfd[0], &c, 1), 1)) {
		close(pfd[0]);
		return;
	}
	close(pfd[0]);
	int list_errors = 0, missing = 0, repeated = 0;
	char dup[256] = "";
	for (int l = 0; l < LISTINGS; l++) {
		if (list("d", &s) < 0) {
			list_errors++;
			continue;
		}
		for (int i = 0; i < STABLE; i++) {
			snprintf(name, sizeof(name), "stable%03d", i);
			missing += seen_count(&s, name) != 1;
		}
		const char *which = "";
		if (seen_max(&s, &which) > 1) {
			repeated++;
			snprintf(dup, sizeof(dup), "%s", which);
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK_EQ(list_errors, 0);
	/* Stable names: exactly once in every listing. Transient names:
	 * at most once. */
	CHECK_EQ(missing, 0);
	CHECK_MSG(repeated == 0, "%d listings had a name twice (e.g. %s)",
		  repeated, dup);
	seen_free(&s);
}

CONF_CATEGORY(readdir, T(types_and_inodes), T(small_buffer),
	      T(seek_tell_rewind), T(empty_dir), T(concurrent_churn));
