/* fsprobe: checks of the FUSE mount that need system calls the shell has
 * no tool for (xattrs, locks between processes, interrupted waits,
 * open-unlinked I/O, O_APPEND, shared mmap).
 *
 *   fsprobe CHECK DIR      CHECK: xattr xattr_empty posixlock getlk flock
 *                                 lockintr append unlinked mmap replaced
 *                                 listing, or all
 * Prints "ok - what" / "not ok - what: why" per assertion; exits 1 if any
 * failed, 2 on usage errors. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static int failures;
static char path[4096];

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf(cond ? "ok - " : "not ok - ");
	vprintf(fmt, ap);
	if (!cond && errno)
		printf(" (errno %d: %s)", errno, strerror(errno));
	printf("\n");
	va_end(ap);
	fflush(stdout);
	if (!cond)
		failures++;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int mkfile(const char *dir, const char *name, const char *content)
{
	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		ok(false, "create %s", name);
		return -1;
	}
	if (content && write(fd, content, strlen(content)) != (ssize_t)strlen(content))
		ok(false, "write %s", name);
	return fd;
}

static void check_xattr(const char *dir)
{
	int fd = mkfile(dir, "xattr", "x");
	if (fd < 0)
		return;
	close(fd);
	char buf[256];
	errno = 0;
	ok(setxattr(path, "user.one", "value1", 6, 0) == 0, "setxattr user.one");
	ok(getxattr(path, "user.one", NULL, 0) == 6, "getxattr size query");
	ssize_t n = getxattr(path, "user.one", buf, sizeof buf);
	ok(n == 6 && memcmp(buf, "value1", 6) == 0, "getxattr value");
	errno = 0;
	ok(getxattr(path, "user.one", buf, 2) < 0 && errno == ERANGE, "getxattr small buffer: ERANGE");
	errno = 0;
	ok(setxattr(path, "user.one", "v", 1, XATTR_CREATE) < 0 && errno == EEXIST,
	   "XATTR_CREATE on an existing name: EEXIST");
	errno = 0;
	ok(setxattr(path, "user.two", "v", 1, XATTR_REPLACE) < 0 && errno == ENODATA,
	   "XATTR_REPLACE on a missing name: ENODATA");
	errno = 0;
	ok(setxattr(path, "user.two", "2", 1, 0) == 0, "setxattr user.two");
	n = listxattr(path, buf, sizeof buf);
	bool has1 = false, has2 = false;
	for (ssize_t k = 0; n > 0 && k < n; k += (ssize_t)strlen(buf + k) + 1) {
		has1 |= !strcmp(buf + k, "user.one");
		has2 |= !strcmp(buf + k, "user.two");
	}
	ok(has1 && has2, "listxattr names both");
	errno = 0;
	ok(removexattr(path, "user.one") == 0, "removexattr");
	errno = 0;
	ok(getxattr(path, "user.one", buf, sizeof buf) < 0 && errno == ENODATA,
	   "removed name: ENODATA");
	errno = 0;
	ok(removexattr(path, "user.one") < 0 && errno == ENODATA, "remove missing: ENODATA");
	char big[2000];
	memset(big, 'b', sizeof big);
	errno = 0;
	ok(setxattr(path, "user.big", big, sizeof big, 0) == 0, "2000-byte value set");
	char back[2000];
	n = getxattr(path, "user.big", back, sizeof back);
	ok(n == (ssize_t)sizeof big && memcmp(back, big, sizeof big) == 0, "2000-byte value reads back");
	unlink(path);
}

/* An empty value is a value, not a removal. */
static void check_xattr_empty(const char *dir)
{
	int fd = mkfile(dir, "xattr0", "x");
	if (fd < 0)
		return;
	close(fd);
	char buf[16];
	errno = 0;
	ok(setxattr(path, "user.empty", "", 0, 0) == 0, "setxattr empty value");
	errno = 0;
	ok(getxattr(path, "user.empty", buf, sizeof buf) == 0, "empty value reads back empty");
	unlink(path);
}

/* Child: try a write lock on [0,10) of path; report how it went. */
static int child_trylock(bool wait)
{
	int fd = open(path, O_RDWR);
	if (fd < 0)
		return 10;
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	int r = fcntl(fd, wait ? F_SETLKW : F_SETLK, &l);
	if (r == 0)
		return 0;
	return errno == EAGAIN || errno == EACCES ? 1 : errno == EINTR ? 3 : 2;
}

static int run_child(bool wait)
{
	pid_t p = fork();
	if (p == 0)
		_exit(child_trylock(wait));
	int st;
	if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void check_posixlock(const char *dir)
{
	int fd = mkfile(dir, "plock", "0123456789abcdef");
	if (fd < 0)
		return;
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	errno = 0;
	ok(fcntl(fd, F_SETLK, &l) == 0, "F_SETLK write lock");
	ok(run_child(false) == 1, "another process: F_SETLK fails with EAGAIN");

	int st = 0;
	pid_t p;
	/* a second fd of the same process shares the lock owner */
	int fd3 = open(path, O_RDWR);
	errno = 0;
	ok(fd3 >= 0 && fcntl(fd3, F_SETLK, &l) == 0, "same process, second fd: no conflict");

	/* F_SETLKW waits, then gets it when the holder closes any fd */
	p = fork();
	if (p == 0)
		_exit(child_trylock(true));
	usleep(300000);
	ok(waitpid(p, &st, WNOHANG) == 0, "F_SETLKW waits while the lock is held");
	double t0 = now();
	close(fd3);   /* POSIX: closing any fd drops the process's locks */
	waitpid(p, &st, 0);
	double dt = now() - t0;
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && dt < 2.0,
	   "F_SETLKW granted after close (%.2f s)", dt);

	/* read locks share; unlock releases */
	l.l_type = F_UNLCK;
	fcntl(fd, F_SETLK, &l);
	ok(run_child(false) == 0, "after unlock another process gets it");
	close(fd);
	unlink(path);
}

static void check_getlk(const char *dir)
{
	int fd = mkfile(dir, "getlk", "0123456789abcdef");
	if (fd < 0)
		return;
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	errno = 0;
	ok(fcntl(fd, F_SETLK, &l) == 0, "F_SETLK write lock");
	pid_t p = fork();
	if (p == 0) {
		int fd2 = open(path, O_RDWR);
		struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1 };
		if (fd2 < 0 || fcntl(fd2, F_GETLK, &q) < 0)
			_exit(2);
		_exit(q.l_type == F_WRLCK && q.l_start == 0 && q.l_len == 10 ? 0 : 1);
	}
	int st = 0;
	waitpid(p, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "another process: F_GETLK reports the lock");
	/* the owner's own lock is no conflict for itself */
	struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	ok(fcntl(fd, F_GETLK, &q) == 0 && q.l_type == F_UNLCK, "F_GETLK by the holder: F_UNLCK");
	close(fd);
	unlink(path);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void check_lockintr(const char *dir)
{
	int fd = mkfile(dir, "ilock", "x");
	if (fd < 0)
		return;
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	errno = 0;
	ok(fcntl(fd, F_SETLK, &l) == 0, "lock held");
	pid_t p = fork();
	if (p == 0) {
		struct sigaction sa = { .sa_handler = on_alarm };
		sigaction(SIGALRM, &sa, NULL);   /* no SA_RESTART */
		alarm(1);
		int fd2 = open(path, O_RDWR);
		struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		double t0 = now();
		int r = fcntl(fd2, F_SETLKW, &q);
		double dt = now() - t0;
		_exit(r < 0 && errno == EINTR && dt < 3.0 ? 0 : 1);
	}
	int st = 0;
	waitpid(p, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a signal interrupts F_SETLKW with EINTR");

	p = fork();
	if (p == 0) {
		struct sigaction sa = { .sa_handler = on_alarm };
		sigaction(SIGALRM, &sa, NULL);
		alarm(1);
		int fd2 = open(path, O_RDONLY);
		int r = flock(fd2, LOCK_SH);   /* flock conflicts with the held lock? */
		_exit(r == 0 ? 2 : errno == EINTR ? 0 : 1);
	}
	waitpid(p, &st, 0);
	/* flock and POSIX locks meet on the server: either it waited and was
	 * interrupted (0) or it was granted (2, a native-like result) */
	ok(WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 2),
	   "flock wait ends on a signal or is granted");
	close(fd);
	unlink(path);
}

static void check_flock(const char *dir)
{
	int fd = mkfile(dir, "flock", "x");
	if (fd < 0)
		return;
	close(fd);
	int a = open(path, O_RDONLY), b = open(path, O_RDONLY);
	errno = 0;
	ok(a >= 0 && b >= 0 && flock(a, LOCK_EX) == 0, "LOCK_EX on a read-only fd");
	errno = 0;
	ok(flock(b, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK,
	   "second open file: LOCK_EX|LOCK_NB is EWOULDBLOCK");
	errno = 0;
	ok(flock(b, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK, "LOCK_SH conflicts too");
	errno = 0;
	ok(flock(a, LOCK_UN) == 0 && flock(b, LOCK_SH | LOCK_NB) == 0, "after LOCK_UN: granted");
	errno = 0;
	ok(flock(a, LOCK_SH | LOCK_NB) == 0, "shared locks share");
	close(a);
	close(b);
	int c = open(path, O_RDONLY);
	errno = 0;
	ok(flock(c, LOCK_EX | LOCK_NB) == 0, "close released the flock locks");
	close(c);
	unlink(path);
}

static void check_append(const char *dir)
{
	int fd = mkfile(dir, "append", "base");
	if (fd < 0)
		return;
	close(fd);
	int a = open(path, O_WRONLY | O_APPEND), b = open(path, O_WRONLY | O_APPEND);
	bool w = a >= 0 && b >= 0;
	for (int k = 0; w && k < 50; k++)
		w = write(k % 2 ? a : b, k % 2 ? "A" : "B", 1) == 1;
	ok(w, "O_APPEND writes from two fds");
	close(a);
	close(b);
	char buf[128] = "";
	int r = open(path, O_RDONLY);
	ssize_t n = r >= 0 ? read(r, buf, sizeof buf - 1) : -1;
	close(r);
	bool pattern = n == 54 && !memcmp(buf, "base", 4);
	for (int k = 0; pattern && k < 50; k++)
		pattern = buf[4 + k] == (k % 2 ? 'A' : 'B');
	ok(pattern, "every append landed at the end (%zd bytes)", n);
	unlink(path);
}

static void check_unlinked(const char *dir)
{
	int fd = mkfile(dir, "unlinked", "0123456789");
	if (fd < 0)
		return;
	errno = 0;
	ok(unlink(path) == 0, "unlink while open");
	errno = 0;
	ok(pwrite(fd, "XY", 2, 20) == 2, "write to the unlinked file");
	struct stat st;
	ok(fstat(fd, &st) == 0 && st.st_size == 22 && st.st_nlink == 0,
	   "fstat: size 22, nlink 0");
	errno = 0;
	ok(ftruncate(fd, 5) == 0, "ftruncate the unlinked file");
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof buf, 0);
	ok(n == 5 && !memcmp(buf, "01234", 5), "read back after ftruncate");
	errno = 0;
	ok(fchmod(fd, 0600) == 0, "fchmod the unlinked file");
	errno = 0;
	ok(fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_size == 5,
	   "fstat: mode 0600, size 5");
	ok(close(fd) == 0, "close");
}

/* An open file's name given to a new file: calls through the old
 * descriptor reach the old file or fail, never the new one.  The new
 * file ("replaced": "new", 0644) stays for the caller to check on the
 * server's side, where no cache can hide a change. */
static void check_replaced(const char *dir)
{
	int fd = mkfile(dir, "replaced", "old file");
	if (fd < 0)
		return;
	errno = 0;
	ok(unlink(path) == 0, "unlink while open");
	int nfd = mkfile(dir, "replaced", "new");
	if (nfd < 0) {
		close(fd);
		return;
	}
	ok(fchmod(nfd, 0644) == 0 && close(nfd) == 0, "the new file is 0644");
	struct stat nst, st;
	ok(stat(path, &nst) == 0 && nst.st_size == 3, "the new file has 3 bytes");
	int r = fstat(fd, &st);
	ok(r < 0 || (st.st_ino != nst.st_ino && st.st_size == 8),
	   "fstat of the old descriptor: the old file or an error (%s)", r ? strerror(errno) : "ok");
	r = fchmod(fd, 0600);
	printf("# fchmod of the old descriptor: %s\n", r ? strerror(errno) : "ok");
	r = ftruncate(fd, 1);
	printf("# ftruncate of the old descriptor: %s\n", r ? strerror(errno) : "ok");
	const struct timespec epoch[2] = { { 0, 0 }, { 0, 0 } };
	r = futimens(fd, epoch);
	printf("# futimens of the old descriptor: %s\n", r ? strerror(errno) : "ok");
	char buf[16] = "";
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	ok(n < 0 || (n <= 8 && !memcmp(buf, "old file", (size_t)n)),
	   "read of the old descriptor: the old data or an error");
	r = close(fd);
	printf("# close of the old descriptor: %s\n", r ? strerror(errno) : "ok");
}

static void check_mmap(const char *dir)
{
	int fd = mkfile(dir, "mmap", NULL);
	if (fd < 0)
		return;
	size_t len = 3 * 4096 + 100;
	errno = 0;
	ok(ftruncate(fd, (off_t)len) == 0, "size the file");
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ok(p != MAP_FAILED, "mmap shared");
	if (p == MAP_FAILED) {
		close(fd);
		return;
	}
	for (size_t k = 0; k < len; k++)
		p[k] = (char)('a' + k % 26);
	ok(msync(p, len, MS_SYNC) == 0, "msync");
	munmap(p, len);
	close(fd);
	char *buf = malloc(len);
	int r = open(path, O_RDONLY);
	ssize_t n = r >= 0 && buf ? pread(r, buf, len, 0) : -1;
	bool same = n == (ssize_t)len;
	for (size_t k = 0; same && k < len; k++)
		same = buf[k] == (char)('a' + k % 26);
	ok(same, "read(2) sees the mmap writes");
	close(r);
	free(buf);
	unlink(path);
}

/* Every entry that readdir(3) gives under dir, recursively, against
 * lstat(2) of its name: the same inode number and type ("." and ".."
 * those of the directory and its parent), each name once. */
static void list_tree(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	errno = 0;
	ok(d != NULL, "opendir %s", dir);
	if (!d)
		return;
	char seen[256][256];
	int n = 0;
	bool unique = true;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char p[4096];
		struct stat st;
		bool dot = !strcmp(e->d_name, "."), dotdot = !strcmp(e->d_name, "..");
		snprintf(p, sizeof p, dotdot ? "%s/.." : "%s/%s", dir, dot ? "." : e->d_name);
		errno = 0;
		if (lstat(p, &st) != 0) {
			ok(false, "lstat %s", p);
			continue;
		}
		/* the top may be a mount's root, whose ".." is another file
		 * system's directory */
		if (!(dotdot && depth == 0))
			ok(e->d_ino == st.st_ino, "d_ino of %s is its st_ino (%llu, %llu)", p,
			   (unsigned long long)e->d_ino, (unsigned long long)st.st_ino);
		ok(e->d_type == DT_UNKNOWN || (mode_t)DTTOIF(e->d_type) == (st.st_mode & S_IFMT),
		   "d_type of %s is its type", p);
		for (int k = 0; k < n; k++)
			unique = unique && strcmp(seen[k], e->d_name) != 0;
		if (n < 256)
			snprintf(seen[n++], sizeof seen[0], "%s", e->d_name);
		if (S_ISDIR(st.st_mode) && !dot && !dotdot && depth < 8)
			list_tree(p, depth + 1);
	}
	ok(unique, "no name of %s listed twice", dir);
	closedir(d);
}

static void check_listing(const char *dir)
{
	list_tree(dir, 0);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(const char *);
	} checks[] = {
		{ "xattr", check_xattr }, { "xattr_empty", check_xattr_empty },
		{ "posixlock", check_posixlock }, { "getlk", check_getlk },
		{ "flock", check_flock }, { "lockintr", check_lockintr },
		{ "append", check_append }, { "unlinked", check_unlinked },
		{ "mmap", check_mmap }, { "replaced", check_replaced },
		{ "listing", check_listing },
	};
	if (argc != 3) {
		fprintf(stderr, "usage: fsprobe CHECK DIR\n");
		return 2;
	}
	bool found = false;
	for (size_t k = 0; k < sizeof checks / sizeof checks[0]; k++) {
		if (!strcmp(argv[1], "all") || !strcmp(argv[1], checks[k].name)) {
			checks[k].fn(argv[2]);
			found = true;
		}
	}
	if (!found) {
		fprintf(stderr, "fsprobe: unknown check '%s'\n", argv[1]);
		return 2;
	}
	return failures ? 1 : 0;
}
