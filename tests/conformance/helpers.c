/* fsconf: helpers the tests share: stat fields, timestamps, small files,
 * processes. They report failure as -1 with errno, like the calls they
 * wrap, so tests can check them with CHECK_OK / CHECK_ERR. */
#include "conf.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static long long field(const struct stat *st, enum conf_field f)
{
	switch (f) {
	case F_MODE:
		return st->st_mode & 07777;
	case F_TYPE:
		return st->st_mode & S_IFMT;
	case F_NLINK:
		return (long long)st->st_nlink;
	case F_UID:
		return st->st_uid;
	case F_GID:
		return st->st_gid;
	case F_SIZE:
		return st->st_size;
	case F_INO:
		return (long long)st->st_ino;
	case F_BLOCKS:
		return st->st_blocks;
	case F_RDEV:
		return (long long)st->st_rdev;
	}
	return -1;
}

static const char *const field_names[] = {
	[F_MODE] = "mode", [F_TYPE] = "type", [F_NLINK] = "nlink",
	[F_UID] = "uid", [F_GID] = "gid", [F_SIZE] = "size",
	[F_INO] = "ino", [F_BLOCKS] = "blocks", [F_RDEV] = "rdev",
};

static int do_stat(const char *path, int fd, bool follow, struct stat *st)
{
	if (!path)
		return fstat(fd, st);
	return follow ? stat(path, st) : lstat(path, st);
}

bool conf_expect_stat(const char *file, int line, const char *path, int fd,
		      bool follow, enum conf_field f, long long want)
{
	struct stat st;
	char what[320];
	if (path)
		snprintf(what, sizeof(what), "%s(\"%.256s\").%s",
			 follow ? "stat" : "lstat", path, field_names[f]);
	else
		snprintf(what, sizeof(what), "fstat(%d).%s", fd, field_names[f]);
	if (do_stat(path, fd, follow, &st) < 0)
		return conf_result(false, file, line, "%s: stat failed: %s",
				   what, errname(errno));
	bool octal = f == F_MODE || f == F_TYPE;
	return conf_expect_eq(field(&st, f), want, file, line, what, octal);
}

long long lget(const char *path, enum conf_field f)
{
	struct stat st;
	return lstat(path, &st) < 0 ? -1 : field(&st, f);
}

long long sget(const char *path, enum conf_field f)
{
	struct stat st;
	return stat(path, &st) < 0 ? -1 : field(&st, f);
}

long long fget(int fd, enum conf_field f)
{
	struct stat st;
	return fstat(fd, &st) < 0 ? -1 : field(&st, f);
}

int lexists(const char *path)
{
	struct stat st;
	return lstat(path, &st);
}

static struct timespec pick(const struct stat *st, char which)
{
	switch (which) {
	case 'a':
		return st->st_atim;
	case 'm':
		return st->st_mtim;
	default:
		return st->st_ctim;
	}
}

struct timespec lts(const char *path, char which)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return (struct timespec){ -1, -1 };
	return pick(&st, which);
}

struct timespec fts(int fd, char which)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return (struct timespec){ -1, -1 };
	return pick(&st, which);
}

int ts_cmp(struct timespec a, struct timespec b)
{
	if (a.tv_sec != b.tv_sec)
		return a.tv_sec < b.tv_sec ? -1 : 1;
	if (a.tv_nsec != b.tv_nsec)
		return a.tv_nsec < b.tv_nsec ? -1 : 1;
	return 0;
}

bool conf_expect_ts(const char *file, int line, const char *expr,
		    struct timespec got, const char *op, struct timespec ref)
{
	int c = ts_cmp(got, ref);
	bool ok = strcmp(op, ">") == 0 ? c > 0 : strcmp(op, ">=") == 0 ? c >= 0
								  : c == 0;
	return conf_result(ok, file, line, "%s: expected %s %lld.%09ld, got %lld.%09ld",
			   expr, op, (long long)ref.tv_sec, ref.tv_nsec,
			   (long long)got.tv_sec, got.tv_nsec);
}

void tick(void)
{
	/* Coarse kernel clocks tick every 1-10 ms. */
	struct timespec d = { 0, 20 * 1000 * 1000 };
	while (nanosleep(&d, &d) < 0 && errno == EINTR)
		;
}

int mkfile(const char *path, mode_t mode, const char *data)
{
	int fd __cleanup_close = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -1;
	if (data) {
		int r = write_full(fd, data, strlen(data));
		if (r < 0) {
			errno = -r;
			return -1;
		}
	}
	/* fchmod, not the open mode: the umask must not interfere. */
	return fchmod(fd, mode);
}

int mkdir_mode(const char *path, mode_t mode)
{
	if (mkdir(path, 0700) < 0)
		return -1;
	return chmod(path, mode);
}

ssize_t readfile(const char *path, char *buf, size_t size)
{
	int fd __cleanup_close = open(path, O_RDONLY);
	if (fd < 0 || size == 0)
		return -1;
	size_t n = 0;
	while (n < size - 1) {
		ssize_t r = read(fd, buf + n, size - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

static int rm_entries(int dfd)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -1;
	}
	int ret = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dfd, e->d_name, 0) == 0)
			continue;
		if (errno != EISDIR && errno != EPERM) {
			ret = -1;
			continue;
		}
		if (rm_tree(dfd, e->d_name) < 0)
			ret = -1;
	}
	int saved = errno;
	closedir(d);
	errno = saved;
	return ret;
}

int rm_tree(int dirfd, const char *name)
{
	/* A test may leave a directory without permissions for its owner. */
	(void)fchmodat(dirfd, name, 0700, 0);
	int dfd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (dfd < 0)
		return -1;
	int ret = rm_entries(dfd);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		ret = -1;
	return ret;
}

pid_t conf_fork(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
	}
	return pid;
}

bool conf_wait(const char *file, int line, pid_t pid)
{
	int st;
	pid_t r;
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return conf_result(false, file, line, "waitpid(%d): %s",
				   (int)pid, errname(errno));
	if (WIFSIGNALED(st))
		return conf_result(false, file, line, "child %d killed by signal %d",
				   (int)pid, WTERMSIG(st));
	if (WEXITSTATUS(st) != 0)
		return conf_result(false, file, line, "child %d exited %d",
				   (int)pid, WEXITSTATUS(st));
	return true;
}

bool conf_as(const char *file, int line, uid_t uid, gid_t gid,
	     void (*fn)(void *), void *arg)
{
	pid_t pid = conf_fork();
	if (pid < 0)
		return conf_result(false, file, line, "fork: %s", errname(errno));
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
			conf_result(false, file, line, "dropping to %u:%u: %s",
				    (unsigned)uid, (unsigned)gid, errname(errno));
			_exit(0); /* already counted as a failure */
		}
		fn(arg);
		_exit(0);
	}
	return conf_wait(file, line, pid);
}
