/* confine_self() in forked children over a temporary export: the view
 * holds only the export(s), '..' of the root is the root, symlinks are not
 * followed, device nodes do not open, the private /proc/self/fd reopens
 * files, /proc/self/status shows seccomp mode 2, no_new_privs and the
 * documented capabilities, multi-user permission checks apply, a second
 * thread or a stray directory fd is refused, and a canary tree next to the
 * export is byte-identical afterwards.  Needs root (skips otherwise). */
#include "check.h"
#include "confine.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

int check_failures;

struct env {
	char base[64];
	char export[96], export2[96], outside[96];
	pid_t parent;
	bool have_xattr;
};

/* ---- helpers ---- */

static int write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Sorted, comma-joined names of a directory (no . and ..). */
static void list_dir(int dirfd, const char *sub, char *out, size_t cap)
{
	out[0] = '\0';
	int fd = openat(dirfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(out, cap, "<open: %s>", strerror(errno));
		return;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		snprintf(out, cap, "<fdopendir>");
		return;
	}
	char *list[64];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < 64)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			list[n++] = strdup(de->d_name);
	closedir(d);
	for (size_t i = 0; i < n; i++)           /* insertion sort: tiny lists */
		for (size_t j = i; j > 0 && strcmp(list[j - 1], list[j]) > 0; j--) {
			char *t = list[j];
			list[j] = list[j - 1];
			list[j - 1] = t;
		}
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "", list[i]);
		if (len >= cap)
			len = cap - 1;
		free(list[i]);
	}
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;
	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static ssize_t read_at(int dirfd, const char *name, char *buf, size_t cap)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* A field of /proc/self/status (via the private proc fd), or NULL. */
static const char *status_field(const char *status, const char *key, char *val, size_t cap)
{
	const char *p = strstr(status, key);
	if (!p)
		return NULL;
	p += strlen(key);
	while (*p == ':' || *p == '\t' || *p == ' ')
		p++;
	size_t n = strcspn(p, "\n");
	if (n >= cap)
		n = cap - 1;
	memcpy(val, p, n);
	val[n] = '\0';
	return val;
}

static void check_status(bool multi_user)
{
	static char st[8192];
	char v[64];
	CHECK(read_at(confine_proc_self_fd(), "../status", st, sizeof st) > 0,
	      "read /proc/self/status: %s", strerror(errno));
	CHECK(status_field(st, "Seccomp", v, sizeof v) && strcmp(v, "2") == 0,
	      "Seccomp: '%s'", v);
	CHECK(status_field(st, "NoNewPrivs", v, sizeof v) && strcmp(v, "1") == 0,
	      "NoNewPrivs: '%s'", v);
	const char *keys[] = { "CapEff", "CapPrm", "CapBnd" };
	for (size_t i = 0; i < 3; i++) {
		uint64_t got = 0;
		CHECK(status_field(st, keys[i], v, sizeof v) && sscanf(v, "%" SCNx64, &got) == 1 &&
		      got == confine_cap_mask(multi_user),
		      "%s: %s, want %016" PRIx64, keys[i], v, confine_cap_mask(multi_user));
	}
	CHECK(status_field(st, "CapInh", v, sizeof v) && strtoull(v, NULL, 16) == 0, "CapInh %s", v);
	CHECK(status_field(st, "CapAmb", v, sizeof v) && strtoull(v, NULL, 16) == 0, "CapAmb %s", v);
}

/* ---- the children ---- */

static void child_single(const struct env *e)
{
	const char *ex[] = { e->export };
	struct confine_opts o = { .exports = ex, .n_exports = 1 };
	int root;
	int r = confine_self(&o, &root);
	CHECK(r == 0, "confine_self: %s", strerror(-r));
	if (r)
		return;
	char l[512];
	const char *want = "fifo,file.txt,link_abs,link_in,link_out,null,secret,sub";
	list_dir(root, ".", l, sizeof l);
	CHECK(strcmp(l, want) == 0, "root fd lists '%s'", l);
	list_dir(AT_FDCWD, "/", l, sizeof l);
	CHECK(strcmp(l, want) == 0, "/ lists '%s'", l);
	list_dir(AT_FDCWD, "/../../..", l, sizeof l);
	CHECK(strcmp(l, want) == 0, "/../../.. lists '%s'", l);

	int up = openat(root, "..", O_PATH | O_CLOEXEC);
	CHECK(up >= 0 && same_file(up, root), "'..' of the root is not the root");
	close(up);

	char buf[64];
	CHECK(read_at(AT_FDCWD, "/file.txt", buf, sizeof buf) == 5 && !strcmp(buf, "hello"),
	      "/file.txt: %s", strerror(errno));
	/* nosymfollow: no symlink on the export is followed, inside or out. */
	CHECK_ERRNO(openat(root, "link_in/inner.txt", O_RDONLY), ELOOP, "follow link_in");
	CHECK_ERRNO(openat(root, "link_out/canary.txt", O_RDONLY), ELOOP, "follow link_out");
	CHECK_ERRNO(openat(root, "link_abs/passwd", O_RDONLY), ELOOP, "follow link_abs");
	CHECK_ERRNO(open("/etc/passwd", O_RDONLY), ENOENT, "/etc/passwd");

	/* Reopen an O_PATH fd through the private /proc/self/fd. */
	int pf = openat(root, "file.txt", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	char name[16];
	CHECK(pf >= 0 && snprintf(name, sizeof name, "%d", pf) > 0, "O_PATH file.txt");
	CHECK(read_at(confine_proc_self_fd(), name, buf, sizeof buf) == 5 && !strcmp(buf, "hello"),
	      "reopen via /proc/self/fd: %s", strerror(errno));
	int w = openat(confine_proc_self_fd(), name, O_WRONLY | O_APPEND | O_CLOEXEC);
	CHECK(w >= 0, "reopen for writing: %s", strerror(errno));
	close(w);
	if (e->have_xattr) {
		int rd = openat(confine_proc_self_fd(), name, O_RDONLY | O_CLOEXEC);
		ssize_t n = fgetxattr(rd, "user.test", buf, sizeof buf);
		CHECK(n == 3 && !memcmp(buf, "val", 3), "fgetxattr: %s", strerror(errno));
		close(rd);
	}
	/* chmod through the magic link, as Tsetattr does. */
	CHECK(fchmodat(confine_proc_self_fd(), name, 0640, 0) == 0, "fchmodat(\"N\"): %s",
	      strerror(errno));
	int pl = openat(root, "link_in", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	CHECK(pl >= 0 && snprintf(name, sizeof name, "%d", pl) > 0, "O_PATH link_in");
	CHECK_ERRNO(openat(confine_proc_self_fd(), name, O_RDONLY), ELOOP, "reopen symlink");

	/* nodev: a host device node inside the export does not open. */
	CHECK_ERRNO(openat(root, "null", O_RDONLY), EACCES, "open device node");
	int pd = openat(root, "null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	CHECK(pd >= 0 && snprintf(name, sizeof name, "%d", pd) > 0, "O_PATH null");
	CHECK_ERRNO(openat(confine_proc_self_fd(), name, O_RDWR), EACCES, "reopen device node");

	/* No CAP_MKNOD: the kernel refuses device nodes whatever the gofer does. */
	CHECK_ERRNO(mknodat(root, "dev13", S_IFCHR | 0600, makedev(1, 3)), EPERM, "mknod char");
	CHECK_ERRNO(mknodat(root, "dev80", S_IFBLK | 0600, makedev(8, 0)), EPERM, "mknod block");

	/* The private procfs: read-only, only pid dirs, only ptrace-able ones. */
	CHECK_ERRNO(openat(confine_proc_self_fd(), "../comm", O_WRONLY), EROFS, "write proc comm");
	CHECK_ERRNO(openat(confine_proc_self_fd(), "../../sys", O_PATH), ENOENT, "proc/sys");
	CHECK_ERRNO(openat(confine_proc_self_fd(), "../../sysrq-trigger", O_PATH), ENOENT,
		    "proc/sysrq-trigger");
	snprintf(buf, sizeof buf, "../../%d", (int)e->parent);
	CHECK_ERRNO(openat(confine_proc_self_fd(), buf, O_PATH), ENOENT, "proc/<parent>");

	/* Writable export: creating works; the parent checks where it landed. */
	int c = openat(root, "created.txt", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	CHECK(c >= 0 && write(c, "new", 3) == 3, "create in export: %s", strerror(errno));
	close(c);
	check_status(false);
}

static void child_paired(const struct env *e)
{
	const char *ex[] = { e->export, e->export2 };
	const bool ro[] = { false, true };
	struct confine_opts o = { .exports = ex, .n_exports = 2, .read_only = ro,
				  .allow_accept = true };
	int roots[2];
	int r = confine_self(&o, roots);
	CHECK(r == 0, "confine_self: %s", strerror(-r));
	if (r)
		return;
	char l[512];
	list_dir(AT_FDCWD, "/", l, sizeof l);
	CHECK(strcmp(l, "0,1") == 0, "/ lists '%s'", l);
	list_dir(roots[1], ".", l, sizeof l);
	CHECK(strcmp(l, "two.txt") == 0, "export 1 lists '%s'", l);
	list_dir(roots[0], ".", l, sizeof l);
	CHECK(strstr(l, "file.txt") != NULL, "export 0 lists '%s'", l);
	struct stat st;
	CHECK(stat("/", &st) == 0 && (st.st_mode & 07777) == 0, "view root mode %o", st.st_mode);
	CHECK_ERRNO(mkdirat(AT_FDCWD, "/x", 0755), EROFS, "mkdir in the view root");
	CHECK_ERRNO(openat(roots[1], "n", O_WRONLY | O_CREAT | O_CLOEXEC, 0644), EROFS,
		    "create in read-only export");
	int c = openat(roots[0], "paired.txt", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	CHECK(c >= 0, "create in rw export: %s", strerror(errno));
	close(c);
	CHECK(unlinkat(roots[0], "paired.txt", 0) == 0, "unlink: %s", strerror(errno));
	check_status(false);
}

static void child_multi_user(const struct env *e)
{
	const char *ex[] = { e->export };
	struct confine_opts o = { .exports = ex, .n_exports = 1, .multi_user = true };
	int root;
	int r = confine_self(&o, &root);
	CHECK(r == 0, "confine_self: %s", strerror(-r));
	if (r)
		return;
	check_status(true);
	char buf[64];
	CHECK(read_at(root, "secret", buf, sizeof buf) > 0, "root reads secret: %s", strerror(errno));
	setfsgid(1000);
	setfsuid(1000);
	CHECK_ERRNO(openat(root, "secret", O_RDONLY), EACCES, "uid 1000 opens a 0600 root file");
	CHECK_ERRNO(openat(root, "sub/by1000", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644),
		    EACCES, "uid 1000 creates in a 0755 root dir");
	setfsuid(0);
	setfsgid(0);
	CHECK(read_at(root, "secret", buf, sizeof buf) > 0, "back to 0: %s", strerror(errno));
}

static void *blocker(void *arg)
{
	char c;
	(void)!read(*(int *)arg, &c, 1);
	return NULL;
}

static void child_threaded(const struct env *e)
{
	int p[2];
	pthread_t t;
	if (pipe(p) || pthread_create(&t, NULL, blocker, &p[0])) {
		CHECK(0, "pthread_create");
		return;
	}
	const char *ex[] = { e->export };
	struct confine_opts o = { .exports = ex, .n_exports = 1 };
	int root;
	int r = confine_self(&o, &root);
	CHECK(r == -EBUSY, "confine_self with 2 threads: %d, want -EBUSY", r);
}

static void child_stray_dir(const struct env *e)
{
	int stray = open(e->outside, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(stray >= 0, "open outside");
	const char *ex[] = { e->export };
	struct confine_opts o = { .exports = ex, .n_exports = 1 };
	int root;
	int r = confine_self(&o, &root);
	CHECK(r == -EBADF, "confine_self with a stray dir fd: %d, want -EBADF", r);
}

static void child_bad_opts(const struct env *e)
{
	int root;
	struct confine_opts o = { .exports = NULL, .n_exports = 1 };
	CHECK(confine_self(&o, &root) == -EINVAL, "NULL exports");
	const char *ex[] = { e->outside };
	o = (struct confine_opts){ .exports = ex, .n_exports = 0 };
	CHECK(confine_self(&o, &root) == -EINVAL, "0 exports");
	char missing[128];
	snprintf(missing, sizeof missing, "%s/nope", e->base);
	const char *ex2[] = { missing };
	o = (struct confine_opts){ .exports = ex2, .n_exports = 1 };
	CHECK(confine_self(&o, &root) == -ENOENT, "missing export");
}

static void child_no_confine(const struct env *e)
{
	const char *ex[] = { e->export };
	struct confine_opts o = { .exports = ex, .n_exports = 1 };
	int root;
	int r = confine_open_exports(&o, &root);
	CHECK(r == 0 && confine_proc_self_fd() >= 0, "confine_open_exports: %d", r);
	if (r)
		return;
	int pf = openat(root, "file.txt", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	char name[16], buf[16];
	CHECK(pf >= 0 && snprintf(name, sizeof name, "%d", pf) > 0, "O_PATH");
	CHECK(read_at(confine_proc_self_fd(), name, buf, sizeof buf) == 5, "reopen: %s",
	      strerror(errno));
}

static void child_exec_killed(const struct env *e)
{
	const char *ex[] = { e->export };
	struct confine_opts o = { .exports = ex, .n_exports = 1 };
	int root;
	if (confine_self(&o, &root) == 0) {
		char *argv[] = { "sh", NULL };
		execve("/bin/sh", argv, NULL);
	}
	_exit(3);
}

/* Run fn in a child; the child's failures become its exit status. */
static void run_child(const char *what, void (*fn)(const struct env *), const struct env *e,
		      int want_sig)
{
	int before = check_failures;
	pid_t pid = fork();
	if (pid == 0) {
		check_failures = 0;
		fn(e);
		_exit(check_failures > 100 ? 100 : check_failures);
	}
	int st = 0;
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid, "%s: fork/wait", what);
	if (want_sig)
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == want_sig, "%s: want signal %d, status %#x",
		      what, want_sig, st);
	else
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: status %#x", what, st);
	NOTE("%s %s", check_failures == before ? "ok" : "not ok", what);
}

/* ---- canary: a checksum of everything under a tree ---- */

static uint64_t tree_sum;

static void mix(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		tree_sum = (tree_sum ^ b[i]) * 0x100000001b3ULL;
}

static int sum_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)type;
	(void)f;
	mix(path, strlen(path));
	mix(&st->st_mode, sizeof st->st_mode);
	mix(&st->st_uid, sizeof st->st_uid);
	mix(&st->st_size, sizeof st->st_size);
	mix(&st->st_mtim, sizeof st->st_mtim);
	if (S_ISREG(st->st_mode)) {
		char buf[4096];
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n;
		while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
			mix(buf, (size_t)n);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

static uint64_t checksum(const char *dir)
{
	tree_sum = 0xcbf29ce484222325ULL;
	nftw(dir, sum_one, 16, FTW_PHYS);
	return tree_sum;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int setup(struct env *e)
{
	snprintf(e->base, sizeof e->base, "/tmp/burrow-confine-XXXXXX");
	if (!mkdtemp(e->base))
		return -1;
	snprintf(e->export, sizeof e->export, "%s/export", e->base);
	snprintf(e->export2, sizeof e->export2, "%s/export2", e->base);
	snprintf(e->outside, sizeof e->outside, "%s/outside", e->base);
	char p[256];
	snprintf(p, sizeof p, "%s/sub", e->export);
	if (mkdir(e->export, 0755) || mkdir(e->export2, 0755) || mkdir(e->outside, 0755) ||
	    mkdir(p, 0755))
		return -1;
	if (write_file(e->export, "file.txt", "hello", 0644) ||
	    write_file(p, "inner.txt", "inner", 0644) ||
	    write_file(e->export, "secret", "root only", 0600) ||
	    write_file(e->export2, "two.txt", "two", 0644) ||
	    write_file(e->outside, "canary.txt", "do not touch", 0644))
		return -1;
	snprintf(p, sizeof p, "%s/file.txt", e->export);
	e->have_xattr = setxattr(p, "user.test", "val", 3, 0) == 0;
	int dfd = open(e->export, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r = dfd < 0 || symlinkat("../outside", dfd, "link_out") ||
		symlinkat("/etc", dfd, "link_abs") || symlinkat("sub", dfd, "link_in") ||
		mknodat(dfd, "null", S_IFCHR | 0666, makedev(1, 3)) ||
		mknodat(dfd, "fifo", S_IFIFO | 0644, 0);
	if (dfd >= 0)
		close(dfd);
	return r ? -1 : 0;
}

static bool mount_leaked(const char *base)
{
	char buf[1 << 16];
	ssize_t n = read_at(AT_FDCWD, "/proc/self/mountinfo", buf, sizeof buf);
	return n > 0 && strstr(buf, base) != NULL;
}

int main(void)
{
	if (geteuid() != 0) {
		NOTE("SKIP: needs root");
		return 77;
	}
	struct env e = { .parent = getpid() };
	if (setup(&e) < 0) {
		NOTE("setup failed: %s", strerror(errno));
		return 99;
	}
	uint64_t canary = checksum(e.outside);

	run_child("single export view", child_single, &e, 0);
	run_child("paired view (rw + ro)", child_paired, &e, 0);
	run_child("multi-user caps and permissions", child_multi_user, &e, 0);
	run_child("refuses a second thread", child_threaded, &e, 0);
	run_child("refuses a stray directory fd", child_stray_dir, &e, 0);
	run_child("bad options", child_bad_opts, &e, 0);
	run_child("--no-confine opens and reopens", child_no_confine, &e, 0);
	run_child("execve after confinement: SIGSYS", child_exec_killed, &e, SIGSYS);

	char p[256];
	snprintf(p, sizeof p, "%s/created.txt", e.export);
	char buf[16];
	CHECK(read_at(AT_FDCWD, p, buf, sizeof buf) == 3 && !strcmp(buf, "new"),
	      "file created in the view is not in the export");
	CHECK(checksum(e.outside) == canary, "canary tree changed");
	CHECK(!mount_leaked(e.base), "a mount of the test tree leaked into the host namespace");
	nftw(e.base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	NOTE("%d failed checks", check_failures);
	return check_failures ? 1 : 0;
}
