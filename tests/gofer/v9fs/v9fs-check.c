#define _GNU_SOURCE
/* v9fs-check: the parts of the v9fs guest test busybox cannot do.
 * Built static and run inside the guest on the 9P mount:
 *   v9fs-check lock FILE      fcntl and flock locks between two processes
 *   v9fs-check xattr FILE     user.* set/get/list/remove
 *   v9fs-check mmap FILE      write through a shared mapping, read back
 *   v9fs-check unlinked FILE  I/O on an open file after unlink
 * Prints one line per check; exits with the number of failures. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>

static int failures;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", what);
	if (!ok) {
		printf("  (errno %d: %s)\n", errno, strerror(errno));
		failures++;
	}
	fflush(stdout);
}

static int setlk(int fd, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	return fcntl(fd, F_SETLK, &fl);
}

/* The child's view: 0 when the lock was refused as it should be. */
static int child_try(const char *path, int want_refused)
{
	int fd = open(path, O_RDWR);
	if (fd < 0)
		return 2;
	int rc = setlk(fd, F_WRLCK);
	int refused = rc < 0 && (errno == EAGAIN || errno == EACCES);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (want_refused && fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_WRLCK)
		return 3;
	/* v9fs turns flock into a POSIX lock owned by the open file, which
	 * would conflict with this process's own fcntl lock: drop that first. */
	setlk(fd, F_UNLCK);
	int frc = want_refused ? 0 : flock(fd, LOCK_EX | LOCK_NB);
	close(fd);
	if (want_refused)
		return refused ? 0 : 1;
	return rc == 0 && frc == 0 ? 0 : 1;
}

static int run_child(const char *path, int want_refused)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_try(path, want_refused));
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 9;
}

static void do_lock(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	check(fd >= 0, "open lock file");
	check(setlk(fd, F_WRLCK) == 0, "fcntl write lock");
	check(run_child(path, 1) == 0, "second process is refused the lock (F_GETLK sees it)");
	check(setlk(fd, F_UNLCK) == 0, "fcntl unlock");
	check(run_child(path, 0) == 0, "second process gets the lock after unlock");
	check(flock(fd, LOCK_EX | LOCK_NB) == 0, "flock exclusive");
	int fd2 = open(path, O_RDWR);
	check(flock(fd2, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK, "second flock refused");
	check(flock(fd, LOCK_UN) == 0 && flock(fd2, LOCK_EX | LOCK_NB) == 0, "flock after unlock");
	close(fd2);
	close(fd);
}

static void do_xattr(const char *path)
{
	close(open(path, O_WRONLY | O_CREAT, 0644));
	check(setxattr(path, "user.burrow", "value", 5, 0) == 0, "setxattr user.burrow");
	char buf[64] = { 0 };
	ssize_t n = getxattr(path, "user.burrow", buf, sizeof buf);
	check(n == 5 && memcmp(buf, "value", 5) == 0, "getxattr returns it");
	n = listxattr(path, buf, sizeof buf);
	check(n > 0 && memmem(buf, (size_t)n, "user.burrow", 12) != NULL, "listxattr names it");
	check(setxattr(path, "user.burrow", "x", 1, XATTR_CREATE) < 0 && errno == EEXIST,
	      "XATTR_CREATE on an existing name fails EEXIST");
	check(removexattr(path, "user.burrow") == 0, "removexattr");
	check(getxattr(path, "user.burrow", buf, sizeof buf) < 0 && errno == ENODATA,
	      "gone after removexattr");
	check(setxattr(path, "trusted.burrow", "v", 1, 0) < 0, "trusted.* is refused");
}

/* Read-only mappings always; shared writable ones only where the mount
 * supports them (v9fs without a cache mode refuses them with EINVAL). */
static void do_mmap(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	check(fd >= 0 && ftruncate(fd, 8192) == 0 && pwrite(fd, "on disk", 7, 100) == 7,
	      "create an 8 KiB file");
	char *r = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
	check(r != MAP_FAILED && memcmp(r + 100, "on disk", 7) == 0, "read through a private mapping");
	if (r != MAP_FAILED)
		munmap(r, 8192);
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED && errno == EINVAL) {
		printf("SKIP shared writable mmap: not supported by this mount\n");
		close(fd);
		return;
	}
	check(p != MAP_FAILED, "mmap shared writable");
	if (p == MAP_FAILED)
		return;
	memcpy(p + 4096, "mapped", 6);
	check(msync(p, 8192, MS_SYNC) == 0, "msync");
	munmap(p, 8192);
	close(fd);
	char buf[8] = { 0 };
	fd = open(path, O_RDONLY);
	check(pread(fd, buf, 6, 4096) == 6 && memcmp(buf, "mapped", 6) == 0, "read back what was mapped");
	close(fd);
}

static void do_unlinked(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	check(fd >= 0 && write(fd, "ghost", 5) == 5, "write a file");
	check(unlink(path) == 0, "unlink it while open");
	struct stat st;
	check(fstat(fd, &st) == 0 && st.st_size == 5, "fstat after unlink");
	check(pwrite(fd, "GH", 2, 0) == 2, "write after unlink");
	char buf[8] = { 0 };
	check(pread(fd, buf, 5, 0) == 5 && memcmp(buf, "GHost", 5) == 0, "read after unlink");
	check(ftruncate(fd, 2) == 0 && fstat(fd, &st) == 0 && st.st_size == 2, "truncate after unlink");
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: v9fs-check lock|xattr|mmap|unlinked FILE\n");
		return 100;
	}
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(argv[1], "lock") == 0)
		do_lock(argv[2]);
	else if (strcmp(argv[1], "xattr") == 0)
		do_xattr(argv[2]);
	else if (strcmp(argv[1], "mmap") == 0)
		do_mmap(argv[2]);
	else if (strcmp(argv[1], "unlinked") == 0)
		do_unlinked(argv[2]);
	else
		return 100;
	return failures;
}
