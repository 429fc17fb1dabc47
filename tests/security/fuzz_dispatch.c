/* libFuzzer target: a sequence of 9P2000.L messages run through the
 * gofer's operations on a live fid table over a temporary export, as a
 * connection's worker would (decode, op_*, encode).
 *
 * Entry point into the server core: the op_* functions and struct op_ctx
 * of gofer/ops.h with a fid table from gofer/fid.h (dispatch.c's run() is
 * tied to a connection; this is the same sequence without one).  Tversion
 * and Tflush, which the connection layer answers, are answered here.
 *
 * Input: concatenated messages, each size[4] type[1] tag[2] body; a size
 * that does not fit what is left takes the rest.  Every input starts on a
 * fresh tree with fid 0 attached to the export root.
 *
 * Oracles (each a crash, so libFuzzer reports it): every reply decodes as
 * an R-message of the right type within msize, Rlerror codes are errnos;
 * the canary tree beside the export is unchanged and nothing appears next
 * to the export; no fd leaks once the fid table is cleared; plus ASan,
 * UBSan and libFuzzer's timeout (a blocking operation).
 *
 * As root the harness first makes the whole host read-only for itself (a
 * private mount namespace; the tree lives on a detached tmpfs), so an
 * escape cannot damage anything.  BURROW_FUZZ_WRITABLE names one directory
 * (corpus, artifacts) that stays writable.  BURROW_FUZZ_TRACE=1 prints
 * each request and its answer (to triage a finding). */
#include "fid.h"
#include "gofer.h"
#include "ops.h"
#include "qid.h"
#include "p9/p9.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define FZ_MSIZE    8192u
#define FZ_MAX_FIDS 32u

static char base[64], export_dir[96], outside[96];
static struct gofer_config cfg;
static struct gofer_export export_;
static struct fid_table fids;
static uint8_t out[FZ_MSIZE];
static int baseline_fds;
static char canary[4096];

static const op_fn ops[256] = {
	[P9_TAUTH] = op_auth, [P9_TATTACH] = op_attach, [P9_TWALK] = op_walk,
	[P9_TCLUNK] = op_clunk, [P9_TREMOVE] = op_remove, [P9_TLOPEN] = op_lopen,
	[P9_TLCREATE] = op_lcreate, [P9_TREAD] = op_read, [P9_TWRITE] = op_write,
	[P9_TFSYNC] = op_fsync, [P9_TGETATTR] = op_getattr, [P9_TSETATTR] = op_setattr,
	[P9_TSTATFS] = op_statfs, [P9_TREADDIR] = op_readdir, [P9_TMKDIR] = op_mkdir,
	[P9_TSYMLINK] = op_symlink, [P9_TMKNOD] = op_mknod, [P9_TLINK] = op_link,
	[P9_TRENAME] = op_rename, [P9_TRENAMEAT] = op_renameat, [P9_TUNLINKAT] = op_unlinkat,
	[P9_TREADLINK] = op_readlink, [P9_TXATTRWALK] = op_xattrwalk,
	[P9_TXATTRCREATE] = op_xattrcreate, [P9_TLOCK] = op_lock, [P9_TGETLOCK] = op_getlock,
};

static void die(const char *what)
{
	fprintf(stderr, "fuzz_dispatch: %s\n", what);
	abort();
}

/* ---- the tree ---- */

static void put(const char *dir, const char *name, const char *text, mode_t mode)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die("setup: write");
	close(fd);
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* A fresh export: a file, a directory, symlinks out, a fifo, a socket. */
static void build_export(void)
{
	nftw(export_dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	char p[160];
	if (mkdir(export_dir, 0755) < 0)
		die("setup: mkdir export");
	snprintf(p, sizeof p, "%s/dir", export_dir);
	if (mkdir(p, 0755) < 0)
		die("setup: mkdir dir");
	put(export_dir, "file", "0123456789abcdef", 0644);
	put(p, "inner", "inner", 0600);
	int d = open(export_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (d < 0 || symlinkat("../outside", d, "out") || symlinkat(outside, d, "abs") ||
	    symlinkat("dir", d, "in") || mknodat(d, "fifo", S_IFIFO | 0644, 0))
		die("setup: special files");
	close(d);
	if (export_.root_fd >= 0)
		close(export_.root_fd);
	export_.root_fd = open(export_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (export_.root_fd < 0 || fstat(export_.root_fd, &st) < 0)
		die("setup: open export");
	export_.root_dev = st.st_dev;
	export_.root_ino = st.st_ino;
}

/* A textual snapshot of the canary tree: name, type, mode, links, size,
 * mtime of each entry (printed when it changes). */
static char snap[4096];
static size_t snap_len;

static int snap_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)type;
	int n = snprintf(snap + snap_len, sizeof snap - snap_len, "%s %o %lu %lld %lld.%09ld\n",
			 path + f->base, st->st_mode, (unsigned long)st->st_nlink,
			 (long long)st->st_size, (long long)st->st_mtim.tv_sec,
			 st->st_mtim.tv_nsec);
	if (n > 0 && (size_t)n < sizeof snap - snap_len)
		snap_len += (size_t)n;
	return 0;
}

static const char *snapshot_outside(void)
{
	snap_len = 0;
	snap[0] = '\0';
	nftw(outside, snap_one, 8, FTW_PHYS);
	return snap;
}

/* base holds exactly "export" and "outside". */
static bool base_clean(void)
{
	DIR *d = opendir(base);
	int n = 0, bad = 0;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		bad += strcmp(de->d_name, "export") && strcmp(de->d_name, "outside");
	}
	if (d)
		closedir(d);
	return d && n == 2 && !bad;
}

/* Open fds on the test tree's filesystem.  (Not all fds: the sanitizer
 * runtime keeps pipes to its symbolizer open once libFuzzer prints a new
 * function.) */
static dev_t tree_dev;

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		struct stat st;
		int fd = atoi(de->d_name);
		if (de->d_name[0] != '.' && fd != dirfd(d) && fstat(fd, &st) == 0)
			n += st.st_dev == tree_dev;
	}
	if (d)
		closedir(d);
	return n;
}

/* ---- keeping the host safe ---- */

static void remove_base(void)
{
	nftw(base, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* As root: a private mount namespace where the host is read-only and the
 * tree lives on a tmpfs that is never attached anywhere (reached through
 * /proc/self/fd/N), so nothing is left behind either.  Otherwise a
 * temporary directory, removed at exit. */
static void make_base(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "fuzz_dispatch: not root: the host is NOT made read-only\n");
		snprintf(base, sizeof base, "/tmp/burrow-fuzzd-XXXXXX");
		if (!mkdtemp(base))
			die("mkdtemp");
		atexit(remove_base);
		return;
	}
	const char *keep = getenv("BURROW_FUZZ_WRITABLE");
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("private mount namespace");
	int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "size", "64m", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		die("tmpfs");
	int mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		die("fsmount");
	close(fs);
	snprintf(base, sizeof base, "/proc/self/fd/%d", mnt);
	if (keep && *keep && mount(keep, keep, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("bind BURROW_FUZZ_WRITABLE");
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	struct mount_attr rw = { .attr_clr = MOUNT_ATTR_RDONLY };
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof ro) < 0)
		die("read-only host");
	if (keep && *keep && mount_setattr(AT_FDCWD, keep, 0, &rw, sizeof rw) < 0)
		die("writable BURROW_FUZZ_WRITABLE");
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	make_base();
	snprintf(export_dir, sizeof export_dir, "%s/export", base);
	snprintf(outside, sizeof outside, "%s/outside", base);
	if (mkdir(outside, 0755) < 0)
		die("mkdir outside");
	put(outside, "canary", "do not touch", 0644);
	cfg = (struct gofer_config){
		.ident = IDENT_SERVER, .msize = FZ_MSIZE, .max_fids = FZ_MAX_FIDS,
		.max_conns = 1, .workers = 1,
		.proc_fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC),
	};
	export_ = (struct gofer_export){ .root_fd = -1, .host_path = export_dir };
	build_export();
	qid_register_dev(export_.root_dev);
	if (cfg.proc_fd < 0 || fid_table_init(&fids, FZ_MAX_FIDS) < 0)
		die("init");
	snprintf(canary, sizeof canary, "%s", snapshot_outside());
	struct stat st;
	if (stat(base, &st) < 0)
		die("stat base");
	tree_dev = st.st_dev;
	baseline_fds = count_fds();
	return 0;
}

/* ---- one message ---- */

static uint32_t rlerror(uint16_t tag, int err)
{
	struct p9_msg r = { .type = P9_RLERROR, .tag = tag };
	r.u.rlerror.ecode = (uint32_t)err;
	int n = p9_encode(&r, out, sizeof out);
	return n < 0 ? 0 : (uint32_t)n;
}

static uint32_t run_one(const uint8_t *in, uint32_t len)
{
	/* Lives until the reply is encoded: replies may point into x.scratch. */
	static struct op_ctx x;
	struct p9_msg m, rep;
	int rc = p9_decode_request(in, len, FZ_MSIZE, &m);
	if (rc < 0)
		return rlerror(0, -rc);
	if (m.type == P9_TVERSION) {
		fid_table_clear(&fids);
		rep = (struct p9_msg){ .type = P9_RVERSION, .tag = m.tag };
		rep.u.version.msize = FZ_MSIZE;
		rep.u.version.version = p9_str_of(P9_VERSION_L);
	} else if (m.type == P9_TFLUSH) {
		rep = (struct p9_msg){ .type = P9_RFLUSH, .tag = m.tag };
	} else {
		op_fn fn = ops[m.type];
		if (!fn)
			return rlerror(m.tag, EOPNOTSUPP);
		x = (struct op_ctx){ .cfg = &cfg, .exp = &export_, .fids = &fids, .out = out,
				     .out_cap = sizeof out, .msize = FZ_MSIZE };
		memset(&rep, 0, sizeof rep);
		rep.type = (uint8_t)(m.type + 1);
		rep.tag = m.tag;
		rc = fn(&x, &m, &rep);
		if (rc < 0)
			return rlerror(m.tag, -rc);
	}
	int n = p9_encode(&rep, out, sizeof out);
	if (n < 0)
		die("a reply does not encode within msize");
	return (uint32_t)n;
}

/* Replies seen (the seeds driver checks the operations really ran). */
unsigned long fuzz_dispatch_replies[2];      /* [0] ok, [1] Rlerror */

/* The reply must be a well-formed R-message answering `type`. */
static void check_reply(uint8_t type, uint32_t n)
{
	if (n == 0)
		die("no reply");
	struct p9_msg r;
	if (p9_decode_reply(out, n, FZ_MSIZE, &r) < 0)
		die("a reply does not decode");
	if (r.type == P9_RLERROR) {
		if (r.u.rlerror.ecode == 0 || r.u.rlerror.ecode > 4095)
			die("Rlerror with a code that is no errno");
	} else if (r.type != type + 1) {
		die("a reply of the wrong type");
	}
	fuzz_dispatch_replies[r.type == P9_RLERROR]++;
}

static void attach_root(void)
{
	struct p9_msg m = { .type = P9_TATTACH, .tag = 1 };
	m.u.tattach.fid = 0;
	m.u.tattach.afid = P9_NOFID;
	m.u.tattach.uname = p9_str_of("root");
	m.u.tattach.aname = p9_str_of("");
	m.u.tattach.n_uname = 0;
	uint8_t buf[128];
	int n = p9_encode(&m, buf, sizeof buf);
	if (n < 0 || run_one(buf, (uint32_t)n) == 0 || out[4] != P9_RATTACH)
		die("attach");
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cfg.msize)
		LLVMFuzzerInitialize(NULL, NULL);
	attach_root();
	static int trace = -1;
	if (trace < 0)
		trace = getenv("BURROW_FUZZ_TRACE") != NULL;
	size_t pos = 0;
	for (int k = 0; pos + P9_HDRSZ <= size && k < 64; k++) {
		uint32_t sz = (uint32_t)data[pos] | (uint32_t)data[pos + 1] << 8 |
			      (uint32_t)data[pos + 2] << 16 | (uint32_t)data[pos + 3] << 24;
		size_t len = sz >= P9_HDRSZ && sz <= size - pos ? sz : size - pos;
		if (len > FZ_MSIZE)
			len = FZ_MSIZE;
		/* An exact-size copy: an over-read is visible to ASan. */
		uint8_t *msg = malloc(len);
		if (!msg)
			die("malloc");
		memcpy(msg, data + pos, len);
		uint8_t type = msg[4];
		uint32_t n = run_one(msg, (uint32_t)len);
		if (trace)
			fprintf(stderr, "fuzz_dispatch: %s (%zu bytes) -> %s %d\n",
				p9_type_name(type) ? p9_type_name(type) : "?", len,
				p9_type_name(out[4]) ? p9_type_name(out[4]) : "?",
				out[4] == P9_RLERROR ? (int)out[7] : 0);
		check_reply(type, n);
		free(msg);
		pos += len;
	}
	fid_table_clear(&fids);
	if (strcmp(snapshot_outside(), canary)) {
		fprintf(stderr, "fuzz_dispatch: canary before:\n%sand now:\n%s", canary, snap);
		die("the canary tree beside the export changed");
	}
	if (!base_clean())
		die("something appeared beside the export");
	if (count_fds() != baseline_fds)
		die("file descriptors leak");
	build_export();
	return 0;
}
