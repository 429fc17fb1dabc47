/* The protocol floor of burrow-gofer, checked through common/p9's client
 * and, where the effect is on the host, by looking at the export. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/xattr.h>

static int n_tests, n_failed;

void tap_ok(int ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%sok %d - ", ok ? "" : "not ", ++n_tests);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	if (!ok)
		n_failed++;
}

int tap_failures(void)
{
	return n_failed;
}

void tap_plan(void)
{
	printf("1..%d\n", n_tests);
}

/* "want" an error: rc must be -err. */
static void want_err(int rc, int err, const char *what)
{
	tap_ok(rc == -err, "%s: %s (got %s)", what, strerrorname_np(err),
	       rc < 0 ? strerrorname_np(-rc) : "success");
}

static void want_ok(int rc, const char *what)
{
	tap_ok(rc >= 0, "%s (got %s)", what, rc < 0 ? strerrorname_np(-rc) : "success");
}

static const char *host_path(const char *export, const char *rel)
{
	static char buf[4096];
	snprintf(buf, sizeof buf, "%s/%s", export, rel);
	return buf;
}

static uint32_t newfid(struct probe *p)
{
	uint32_t f = 0;
	if (p9_fid_alloc(p->c, &f) < 0)
		abort();
	return f;
}

/* Walk names from fid into a fresh fid; returns qids walked or -errno. */
static int walk(struct probe *p, uint32_t from, uint32_t *to, uint16_t n, const char *const *names,
		struct p9_qid *q)
{
	*to = newfid(p);
	int rc = p9_walk(p->c, from, *to, n, names, q);
	if (rc < n)
		p9_fid_release(p->c, *to);
	return rc;
}

static void check_dotdot(struct probe *p)
{
	struct p9_qid root, q[P9_MAXWELEM];
	uint32_t f;
	const char *up[] = { "..", "..", ".." };
	int rc = walk(p, p->root, &f, 0, NULL, q);
	p9_getattr(p->c, f, P9_GETATTR_BASIC, &(struct p9_attr){ 0 });
	struct p9_attr a;
	p9_getattr(p->c, p->root, P9_GETATTR_BASIC, &a);
	root = a.qid;
	rc = walk(p, p->root, &f, 3, up, q);
	tap_ok(rc == 3 && q[2].path == root.path, "'..' chain at the attach point stays there");
	const char *down_up[] = { "d", "..", "..", "d" };
	rc = walk(p, p->root, &f, 4, down_up, q);
	tap_ok(rc == 4 && q[2].path == root.path && q[3].path == q[0].path,
	       "'d/../../d' never rises above the attach point");
}

static void check_names(struct probe *p)
{
	uint32_t f, d;
	struct p9_qid q[2];
	const char *slash[] = { "d/x" };
	want_err(walk(p, p->root, &f, 1, slash, q), EINVAL, "walk of a name with '/'");
	const char *empty[] = { "" };
	want_err(walk(p, p->root, &f, 1, empty, q), ENOENT, "walk of an empty name");
	probe_walk(p, "d", &d);
	want_err(p9_mkdir(p->c, d, "..", 0755, (uint32_t)-1, NULL), EINVAL, "mkdir '..'");
	want_err(p9_mkdir(p->c, d, ".", 0755, (uint32_t)-1, NULL), EINVAL, "mkdir '.'");
	want_err(p9_mkdir(p->c, d, "a/b", 0755, (uint32_t)-1, NULL), EINVAL, "mkdir 'a/b'");
	want_err(p9_unlinkat(p->c, d, "../canary", 0), EINVAL, "unlinkat '../canary'");
	want_err(p9_renameat(p->c, d, "x", p->root, "../x"), EINVAL, "renameat to '../x'");
	p9_clunk(p->c, d);
}

static void check_partial_walk(struct probe *p)
{
	uint32_t f = newfid(p);
	struct p9_qid q[3];
	const char *names[] = { "d", "nonexistent", "x" };
	int rc = p9_walk(p->c, p->root, f, 3, names, q);
	tap_ok(rc == 1, "partial walk returns the qids walked (got %d)", rc);
	want_err(p9_getattr(p->c, f, P9_GETATTR_BASIC, &(struct p9_attr){ 0 }), EBADF,
		 "partial walk leaves newfid unset");
	p9_fid_release(p->c, f);
	uint32_t a, b;
	probe_walk(p, "d", &a);
	probe_walk(p, "", &b);
	const char *one[] = { "f" };
	rc = p9_walk(p->c, b, a, 1, one, q);
	tap_ok(rc < 0, "walk to a newfid in use is refused (got %d)", rc);
	rc = p9_walk(p->c, a, a, 0, NULL, q);
	tap_ok(rc == 0, "walk with newfid == fid is fine");
	p9_clunk(p->c, a);
	p9_clunk(p->c, b);
}

static void check_symlinks(struct probe *p, const char *export)
{
	uint32_t d, f;
	struct p9_qid q[2], sq;
	probe_walk(p, "", &d);
	want_ok(p9_symlink(p->c, d, "out", "/etc", (uint32_t)-1, &sq), "symlink to /etc created");
	tap_ok(sq.type == P9_QTSYMLINK, "its qid says symlink");
	const char *through[] = { "out", "passwd" };
	int rc = walk(p, p->root, &f, 2, through, q);
	tap_ok(rc == 1 && q[0].type == P9_QTSYMLINK, "walking through a symlink stops at it (got %d)", rc);
	const char *at[] = { "out" };
	rc = walk(p, p->root, &f, 1, at, q);
	want_err(p9_lopen(p->c, f, P9_DOTL_RDONLY, NULL, NULL), ELOOP, "lopen of a symlink");
	char buf[256];
	rc = p9_readlink(p->c, f, buf, sizeof buf);
	tap_ok(rc >= 0 && strcmp(buf, "/etc") == 0, "readlink returns the text");
	want_err(p9_lcreate(p->c, f, "x", P9_DOTL_WRONLY, 0644, (uint32_t)-1, NULL, NULL), ENOTDIR,
		 "create inside a symlink");
	p9_clunk(p->c, f);
	p9_clunk(p->c, d);
	struct stat st;
	tap_ok(lstat(host_path(export, "out"), &st) == 0 && S_ISLNK(st.st_mode), "host sees the link");
}

static volatile sig_atomic_t alarmed;
static void on_alarm(int sig)
{
	alarmed = 1;
}

static void check_special(struct probe *p, const char *export)
{
	uint32_t d, f;
	probe_walk(p, "", &d);
	want_err(p9_mknod(p->c, d, "null", S_IFCHR | 0666, 1, 3, (uint32_t)-1, NULL), EPERM,
		 "mknod of a char device");
	want_err(p9_mknod(p->c, d, "disk", S_IFBLK | 0666, 8, 0, (uint32_t)-1, NULL), EPERM,
		 "mknod of a block device");
	want_ok(p9_mknod(p->c, d, "fifo", S_IFIFO | 0666, 0, 0, (uint32_t)-1, NULL), "mknod of a fifo");
	want_ok(p9_mknod(p->c, d, "sock", S_IFSOCK | 0666, 0, 0, (uint32_t)-1, NULL), "mknod of a socket");
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarmed = 0;
	alarm(5);
	const char *fifo[] = { "fifo" };
	struct p9_qid q;
	walk(p, p->root, &f, 1, fifo, &q);
	int rc = p9_lopen(p->c, f, P9_DOTL_RDONLY, NULL, NULL);
	tap_ok(rc < 0 && !alarmed, "lopen of a fifo is refused without blocking (%s)",
	       rc < 0 ? strerrorname_np(-rc) : "opened!");
	const char *sock[] = { "sock" };
	walk(p, p->root, &f, 1, sock, &q);
	rc = p9_lopen(p->c, f, P9_DOTL_RDWR, NULL, NULL);
	tap_ok(rc < 0 && !alarmed, "lopen of a socket is refused");
	alarm(0);
	want_err(p9_lcreate(p->c, d, "fifo", P9_DOTL_WRONLY, 0644, (uint32_t)-1, NULL, NULL), EEXIST,
		 "lcreate over an existing fifo does not open it");
	p9_clunk(p->c, d);
	struct stat st;
	tap_ok(lstat(host_path(export, "null"), &st) < 0, "no device node on the host");
}

static void check_unlinked(struct probe *p)
{
	uint32_t d, f;
	probe_walk(p, "", &d);
	probe_walk(p, "", &f);
	int rc = p9_lcreate(p->c, f, "ghost", P9_DOTL_RDWR, 0600, (uint32_t)-1, NULL, NULL);
	want_ok(rc, "create ghost");
	p9_write(p->c, f, 0, "boo", 3);
	want_ok(p9_unlinkat(p->c, d, "ghost", 0), "unlink ghost while open");
	struct p9_attr a;
	rc = p9_getattr(p->c, f, P9_GETATTR_BASIC, &a);
	tap_ok(rc == 0 && a.size == 3 && a.nlink == 0, "getattr of an open-unlinked file");
	char buf[8] = { 0 };
	tap_ok(p9_read(p->c, f, 0, buf, sizeof buf) == 3 && memcmp(buf, "boo", 3) == 0,
	       "read of an open-unlinked file");
	struct p9_iattr ia = { .valid = P9_SETATTR_SIZE, .size = 1 };
	want_ok(p9_setattr(p->c, f, &ia), "truncate of an open-unlinked file");
	p9_clunk(p->c, f);
	p9_clunk(p->c, d);
}

static void check_readdir(struct probe *p, const char *export)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/many", export);
	mkdir(path, 0755);
	for (int i = 0; i < 300; i++) {
		snprintf(path, sizeof path, "%s/many/entry-with-a-long-name-%03d", export, i);
		close(open(path, O_CREAT | O_WRONLY, 0644));
	}
	uint32_t f;
	probe_walk(p, "many", &f);
	p9_lopen(p->c, f, P9_DOTL_RDONLY, NULL, NULL);
	int seen[300] = { 0 }, dups = 0, calls = 0, split = 0;
	uint64_t off = 0;
	uint8_t buf[200];      /* a few entries per reply */
	for (;;) {
		ssize_t n = p9_readdir(p->c, f, off, buf, sizeof buf);
		if (n <= 0)
			break;
		calls++;
		size_t pos = 0;
		struct p9_dirent d;
		int r;
		while ((r = p9_dirent_next(buf, (size_t)n, &pos, &d)) == 1) {
			int i;
			if (sscanf(d.name.s, "entry-with-a-long-name-%3d", &i) == 1 && i >= 0 && i < 300)
				dups += seen[i]++ > 0;
			off = d.offset;
		}
		split += r < 0;
	}
	int missing = 0;
	for (int i = 0; i < 300; i++)
		missing += !seen[i];
	tap_ok(missing == 0 && dups == 0 && split == 0 && calls > 20,
	       "readdir cookies resume exactly (%d calls, %d missing, %d dups, %d split)", calls,
	       missing, dups, split);
	uint8_t tiny[10];
	tap_ok(p9_readdir(p->c, f, 0, tiny, sizeof tiny) < 0, "readdir count below one entry fails");
	ssize_t n = p9_readdir(p->c, f, 0, buf, sizeof buf);
	tap_ok(n > 0, "offset 0 rewinds");
	p9_clunk(p->c, f);
}

static void check_remove(struct probe *p, const char *export)
{
	uint32_t f;
	mkdir(host_path(export, "full"), 0755);
	close(open(host_path(export, "full/x"), O_CREAT | O_WRONLY, 0644));
	probe_walk(p, "full", &f);
	want_err(p9_remove(p->c, f), ENOTEMPTY, "Tremove of a non-empty directory");
	want_err(p9_clunk(p->c, f), EBADF, "the failed Tremove clunked the fid");
	p9_fid_release(p->c, f);
	probe_walk(p, "full/x", &f);
	want_ok(p9_remove(p->c, f), "Tremove of a file");
	tap_ok(access(host_path(export, "full/x"), F_OK) < 0, "file gone on the host");
	probe_walk(p, "", &f);
	want_err(p9_remove(p->c, f), EBUSY, "Tremove of the attach point");
}

static void check_locks(struct probe *p, const char *export)
{
	close(open(host_path(export, "lockme"), O_CREAT | O_WRONLY, 0644));
	uint32_t a, b;
	probe_walk(p, "lockme", &a);
	probe_walk(p, "lockme", &b);
	p9_lopen(p->c, a, P9_DOTL_RDWR, NULL, NULL);
	p9_lopen(p->c, b, P9_DOTL_RDWR, NULL, NULL);
	struct p9_flock wr = { .type = P9_LOCK_TYPE_WRLCK, .flags = P9_LOCK_FLAGS_BLOCK,
			       .client_id = { 4, "test" } };
	struct p9_flock un = wr, out;
	un.type = P9_LOCK_TYPE_UNLCK;
	tap_ok(p9_lock(p->c, a, &wr) == P9_LOCK_SUCCESS, "write lock on fid a");
	time_t t0 = time(NULL);
	tap_ok(p9_lock(p->c, b, &wr) == P9_LOCK_BLOCKED && time(NULL) - t0 < 2,
	       "conflicting lock on fid b answers BLOCKED at once");
	char cid[64];
	int rc = p9_getlock(p->c, b, &wr, &out, cid, sizeof cid);
	tap_ok(rc == 0 && out.type == P9_LOCK_TYPE_WRLCK, "getlock on b reports the write lock");
	tap_ok(p9_lock(p->c, a, &un) == P9_LOCK_SUCCESS, "unlock on a");
	tap_ok(p9_lock(p->c, b, &wr) == P9_LOCK_SUCCESS, "b gets the lock now");
	p9_clunk(p->c, a);
	p9_clunk(p->c, b);
}

static int set_xattr(struct probe *p, const char *path, const char *name, const char *val,
		     uint64_t size, uint32_t flags)
{
	uint32_t f;
	int rc = probe_walk(p, path, &f);
	if (rc == 0)
		rc = p9_xattrcreate(p->c, f, name, size, flags);
	if (rc == 0 && val && *val && p9_write(p->c, f, 0, val, (uint32_t)strlen(val)) < 0)
		rc = -EIO;
	int crc = p9_clunk(p->c, f);
	return rc < 0 ? rc : crc;
}

static void check_xattrs(struct probe *p, const char *export)
{
	close(open(host_path(export, "xa"), O_CREAT | O_WRONLY, 0644));
	want_ok(set_xattr(p, "xa", "user.color", "blue", 4, 0), "set user.color");
	char val[16] = { 0 };
	ssize_t n = getxattr(host_path(export, "xa"), "user.color", val, sizeof val);
	tap_ok(n == 4 && memcmp(val, "blue", 4) == 0, "host sees user.color=blue");
	uint32_t f, x = newfid(p);
	probe_walk(p, "xa", &f);
	uint64_t size = 0;
	int rc = p9_xattrwalk(p->c, f, x, "user.color", &size);
	char buf[16] = { 0 };
	tap_ok(rc == 0 && size == 4 && p9_read(p->c, x, 0, buf, sizeof buf) == 4 &&
	       memcmp(buf, "blue", 4) == 0, "xattrwalk reads the value back");
	p9_clunk(p->c, x);
	x = newfid(p);
	rc = p9_xattrwalk(p->c, f, x, "", &size);
	char list[256] = { 0 };
	n = p9_read(p->c, x, 0, list, sizeof list);
	tap_ok(rc == 0 && n > 0 && memmem(list, (size_t)n, "user.color", 11), "xattr list");
	p9_clunk(p->c, x);
	x = newfid(p);
	want_err(p9_xattrwalk(p->c, f, x, "trusted.secret", &size), ENODATA,
		 "trusted.* reads as absent by default");
	p9_fid_release(p->c, x);
	p9_clunk(p->c, f);
	want_err(set_xattr(p, "xa", "trusted.x", "v", 1, 0), EOPNOTSUPP, "trusted.* writes refused");
	want_err(set_xattr(p, "xa", "security.x", "v", 1, 0), EOPNOTSUPP, "security.* writes refused");
	want_err(set_xattr(p, "xa", "user.short", "ab", 5, 0), EINVAL, "short xattr write fails at clunk");
	want_err(set_xattr(p, "xa", "user.big", "", (64u << 10) + 1, 0), E2BIG, "xattr above 64 KiB");
	want_ok(set_xattr(p, "xa", "user.color", "", 0, 2 /* XATTR_REPLACE */), "size 0 + REPLACE");
	tap_ok(getxattr(host_path(export, "xa"), "user.color", val, sizeof val) < 0 && errno == ENODATA,
	       "size 0 + REPLACE removed the attribute");
	/* A write past the announced size never lands (CVE-2016-9104 class). */
	probe_walk(p, "xa", &f);
	p9_xattrcreate(p->c, f, "user.off", 4, 0);
	tap_ok(p9_write(p->c, f, (uint64_t)-8, "abcd", 4) < 0, "xattr write at a wrapping offset fails");
	tap_ok(p9_write(p->c, f, 2, "abcd", 4) < 0, "xattr write past the size fails");
	p9_clunk(p->c, f);
}

static void check_setattr(struct probe *p, const char *export)
{
	uint32_t f;
	close(open(host_path(export, "attrs"), O_CREAT | O_WRONLY, 0644));
	probe_walk(p, "attrs", &f);
	struct p9_iattr ia = { .valid = P9_SETATTR_MODE, .mode = 0640 };
	want_ok(p9_setattr(p->c, f, &ia), "chmod 0640");
	ia = (struct p9_iattr){ .valid = P9_SETATTR_SIZE, .size = 12345 };
	want_ok(p9_setattr(p->c, f, &ia), "truncate to 12345");
	ia = (struct p9_iattr){ .valid = P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET,
				.mtime_sec = 1000000000 };
	want_ok(p9_setattr(p->c, f, &ia), "set mtime");
	struct stat st;
	stat(host_path(export, "attrs"), &st);
	tap_ok((st.st_mode & 07777) == 0640 && st.st_size == 12345 && st.st_mtime == 1000000000,
	       "host sees mode, size and mtime");
	p9_clunk(p->c, f);
	struct p9_statfs sf;
	probe_walk(p, "", &f);
	tap_ok(p9_statfs(p->c, f, &sf) == 0 && sf.bsize > 0, "statfs");
	p9_clunk(p->c, f);
}

static void check_namespace(struct probe *p, const char *export)
{
	uint32_t d, f;
	probe_walk(p, "d", &d);
	want_ok(p9_mkdir(p->c, d, "sub", 0750, (uint32_t)-1, NULL), "mkdir d/sub");
	close(open(host_path(export, "d/one"), O_CREAT | O_WRONLY, 0644));
	want_ok(p9_renameat(p->c, d, "one", d, "two"), "renameat one -> two");
	probe_walk(p, "d/two", &f);
	want_ok(p9_link(p->c, d, f, "hard"), "link two -> hard");
	struct stat st;
	tap_ok(stat(host_path(export, "d/hard"), &st) == 0 && st.st_nlink == 2, "host sees 2 links");
	want_ok(p9_rename(p->c, f, d, "three"), "Trename two -> three");
	want_ok(p9_remove(p->c, f), "Tremove through the renamed fid");
	tap_ok(access(host_path(export, "d/three"), F_OK) < 0, "three is gone");
	want_err(p9_unlinkat(p->c, d, "sub", 0), EISDIR, "unlinkat of a directory without REMOVEDIR");
	want_ok(p9_unlinkat(p->c, d, "sub", P9_AT_REMOVEDIR), "unlinkat REMOVEDIR");
	want_err(p9_unlinkat(p->c, d, "hard", 0x1), EINVAL, "unlinkat with unknown flags");
	p9_clunk(p->c, d);
}

/* Fids under a directory renamed on the host stay valid. */
static void check_rename_under(struct probe *p, const char *export)
{
	uint32_t f;
	mkdir(host_path(export, "old"), 0755);
	int fd = open(host_path(export, "old/file"), O_CREAT | O_WRONLY, 0644);
	if (fd >= 0) {
		(void)!write(fd, "data", 4);
		close(fd);
	}
	probe_walk(p, "old/file", &f);
	char newp[4096];
	snprintf(newp, sizeof newp, "%s", host_path(export, "new"));
	rename(host_path(export, "old"), newp);
	char buf[8] = { 0 };
	int rc = p9_lopen(p->c, f, P9_DOTL_RDONLY, NULL, NULL);
	tap_ok(rc == 0 && p9_read(p->c, f, 0, buf, sizeof buf) == 4,
	       "a fid stays valid when its directory is renamed");
	p9_clunk(p->c, f);
}

int suite_run(struct probe *p, const char *export)
{
	mkdir(host_path(export, "d"), 0755);
	close(open(host_path(export, "d/f"), O_CREAT | O_WRONLY, 0644));
	if (truncate(host_path(export, "big"), 0) < 0)
		close(open(host_path(export, "big"), O_CREAT | O_WRONLY, 0644));
	(void)!truncate(host_path(export, "big"), 1 << 20);
	check_dotdot(p);
	check_names(p);
	check_partial_walk(p);
	check_symlinks(p, export);
	check_special(p, export);
	check_unlinked(p);
	check_readdir(p, export);
	check_remove(p, export);
	check_locks(p, export);
	check_xattrs(p, export);
	check_setattr(p, export);
	check_namespace(p, export);
	check_rename_under(p, export);
	return n_failed;
}
