/* Path attacks: '..' chains, names with '/', NUL or nothing, symlinks to
 * outside the export (walked through, opened, created in, chmod'ed,
 * linked), attach names naming places outside the export. */
#include "attack.h"

#include <sys/stat.h>
#include <unistd.h>

/* ---- '..' ---- */

static void dotdot_from(struct sess *s, uint32_t from, int n, const char *const *names,
			const char *what)
{
	struct p9_qid q[P9_MAXWELEM];
	uint32_t f;
	int r = sess_walk(s, from, n, names, &f, q);
	CHECK(r == n, "%s: walked %d of %d", what, r, n);
	if (r != n)
		return;
	CHECK(qid_eq(&q[n - 1], &s->qid), "%s: ended at qid %llx, root is %llx", what,
	      (unsigned long long)q[n - 1].path, (unsigned long long)s->qid.path);
	struct p9_attr a;
	CHECK(p9_getattr(s->c, f, P9_GETATTR_BASIC, &a) == 0 && qid_eq(&a.qid, &s->qid),
	      "%s: getattr of the result is not the root", what);
	sess_clunk(s, f);
}

void attack_dotdot(struct sec_env *e)
{
	struct sess s;
	int r = sess_open(e, &s);
	CHECK(r == 0, "attach: %d", r);
	if (r)
		return;
	const char *up3[] = { "..", "..", ".." };
	dotdot_from(&s, s.root, 3, up3, "../../..");
	const char *up16[16];
	for (int i = 0; i < 16; i++)
		up16[i] = "..";
	dotdot_from(&s, s.root, 16, up16, "16 x ..");
	const char *sub_up[] = { "sub", "..", "..", ".." };
	dotdot_from(&s, s.root, 4, sub_up, "sub/../../..");

	/* '..' chains from a fid that was itself walked to the root by '..' */
	uint32_t f;
	if (sess_walk(&s, s.root, 3, up3, &f, NULL) == 3) {
		dotdot_from(&s, f, 16, up16, "(../../..)/16 x ..");
		sess_clunk(&s, f);
	}
	/* Past the root, the next name is looked up in the export. */
	const char *out[] = { "..", "..", "outside", "canary.txt" };
	struct p9_qid q[5];
	r = sess_walk(&s, s.root, 4, out, &f, q);
	CHECK(r == 2 || (r < 0 && sensible_errno(r)), "../../outside/canary.txt: walked %d", r);
	if (r == 4)
		sess_clunk(&s, f);
	const char *in[] = { "..", "sub", "..", "..", "file.txt" };
	r = sess_walk(&s, s.root, 5, in, &f, q);
	CHECK(r == 5 && q[4].type == P9_QTFILE, "../sub/../../file.txt: walked %d", r);
	if (r == 5) {
		char buf[16] = { 0 };
		CHECK(p9_lopen(s.c, f, P9_DOTL_RDONLY, NULL, NULL) == 0 &&
		      p9_read(s.c, f, 0, buf, sizeof buf) == 5 && !memcmp(buf, "hello", 5),
		      "../sub/../../file.txt is not the export's file.txt");
		sess_clunk(&s, f);
	}
	/* Listing the root reached by '..' shows the export, not its parent. */
	if (sess_walk(&s, s.root, 3, up3, &f, NULL) == 3) {
		uint8_t buf[8192];
		r = p9_lopen(s.c, f, P9_DOTL_RDONLY, NULL, NULL);
		ssize_t n = r == 0 ? p9_readdir(s.c, f, 0, buf, sizeof buf) : r;
		bool saw_file = false, saw_outside = false;
		size_t pos = 0;
		struct p9_dirent d;
		while (n > 0 && p9_dirent_next(buf, (size_t)n, &pos, &d) == 1) {
			saw_file |= d.name.len == 8 && !memcmp(d.name.s, "file.txt", 8);
			saw_outside |= d.name.len == 7 && !memcmp(d.name.s, "outside", 7);
		}
		CHECK(n > 0 && saw_file && !saw_outside, "readdir of ../../..: %zd entries bytes",
		      n);
		sess_clunk(&s, f);
	}
	sess_close(&s);
}

/* ---- bad names ---- */

struct badname {
	const char *s;
	uint16_t len;
	const char *label;
};

static const struct badname bad_names[] = {
	{ "a/b", 3, "a/b" },
	{ "../escaped", 10, "../escaped" },
	{ "..", 2, ".." },
	{ ".", 1, "." },
	{ "", 0, "empty" },
	{ "x\0y", 3, "x NUL y" },
	{ "escaped\0", 8, "trailing NUL" },
	{ "/escaped", 8, "/escaped" },
	{ "sub/../../escaped", 17, "sub/../../escaped" },
};

static int rpc_void(struct sess *s, struct p9_msg *m)
{
	struct p9_reply rep;
	int r = p9_rpc(s->c, m, &rep, NULL);
	if (r == 0)
		p9_reply_free(&rep);
	return r;
}

static struct p9_str str_of(const struct badname *b)
{
	return (struct p9_str){ b->len, b->len ? b->s : NULL };
}

/* Every name-taking message with one bad name; each must fail. */
static void try_bad_name(struct sess *s, const struct badname *b)
{
	struct p9_str name = str_of(b);
	uint32_t dir, file;
	const char *fn[] = { "file.txt" };
	if (sess_clone(s, &dir) < 0 || sess_walk(s, s->root, 1, fn, &file, NULL) != 1) {
		CHECK(0, "%s: setup walks failed", b->label);
		return;
	}
	struct p9_msg m;
	int r;
#define EXPECT_FAIL(what) CHECK(sensible_errno(r), "%s with name '%s': %d", what, b->label, r)

	if (b->len != 2 || memcmp(b->s, "..", 2)) {     /* '..' and '.' are walkable */
		if (b->len != 1 || b->s[0] != '.') {
			m = (struct p9_msg){ .type = P9_TWALK };
			m.u.twalk.fid = s->root;
			m.u.twalk.newfid = 4000;
			m.u.twalk.nwname = 1;
			m.u.twalk.wnames[0] = name;
			r = rpc_void(s, &m);
			EXPECT_FAIL("Twalk");
			if (r == 0)
				p9_clunk(s->c, 4000);
		}
	}
	m = (struct p9_msg){ .type = P9_TMKDIR };
	m.u.tmkdir.dfid = dir;
	m.u.tmkdir.name = name;
	m.u.tmkdir.mode = 0755;
	m.u.tmkdir.gid = 0;
	r = rpc_void(s, &m);
	EXPECT_FAIL("Tmkdir");

	m = (struct p9_msg){ .type = P9_TSYMLINK };
	m.u.tsymlink.fid = dir;
	m.u.tsymlink.name = name;
	m.u.tsymlink.symtgt = p9_str_of("/etc/passwd");
	r = rpc_void(s, &m);
	EXPECT_FAIL("Tsymlink");

	m = (struct p9_msg){ .type = P9_TMKNOD };
	m.u.tmknod.dfid = dir;
	m.u.tmknod.name = name;
	m.u.tmknod.mode = S_IFIFO | 0644;
	r = rpc_void(s, &m);
	EXPECT_FAIL("Tmknod");

	m = (struct p9_msg){ .type = P9_TLINK };
	m.u.tlink.dfid = dir;
	m.u.tlink.fid = file;
	m.u.tlink.name = name;
	r = rpc_void(s, &m);
	EXPECT_FAIL("Tlink");

	m = (struct p9_msg){ .type = P9_TRENAMEAT };
	m.u.trenameat.olddirfid = dir;
	m.u.trenameat.oldname = p9_str_of("file.txt");
	m.u.trenameat.newdirfid = dir;
	m.u.trenameat.newname = name;
	r = rpc_void(s, &m);
	EXPECT_FAIL("Trenameat (new name)");

	m.u.trenameat.oldname = name;
	m.u.trenameat.newname = p9_str_of("renamed");
	r = rpc_void(s, &m);
	EXPECT_FAIL("Trenameat (old name)");

	m = (struct p9_msg){ .type = P9_TRENAME };
	m.u.trename.fid = file;
	m.u.trename.dfid = dir;
	m.u.trename.name = name;
	r = rpc_void(s, &m);
	EXPECT_FAIL("Trename");

	m = (struct p9_msg){ .type = P9_TUNLINKAT };
	m.u.tunlinkat.dirfid = dir;
	m.u.tunlinkat.name = name;
	r = rpc_void(s, &m);
	EXPECT_FAIL("Tunlinkat");
	m.u.tunlinkat.flags = P9_AT_REMOVEDIR;
	r = rpc_void(s, &m);
	EXPECT_FAIL("Tunlinkat(REMOVEDIR)");

	/* Last: Tlcreate turns dir into an open file when it succeeds. */
	m = (struct p9_msg){ .type = P9_TLCREATE };
	m.u.tlcreate.fid = dir;
	m.u.tlcreate.name = name;
	m.u.tlcreate.flags = P9_DOTL_RDWR | P9_DOTL_CREATE;
	m.u.tlcreate.mode = 0644;
	r = rpc_void(s, &m);
	EXPECT_FAIL("Tlcreate");
#undef EXPECT_FAIL
	sess_clunk(s, dir);
	sess_clunk(s, file);
}

void attack_bad_names(struct sec_env *e)
{
	struct sess s;
	int r = sess_open(e, &s);
	CHECK(r == 0, "attach: %d", r);
	if (r)
		return;
	char before[1024], after[1024];
	host_list(e->export, before, sizeof before);
	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
		try_bad_name(&s, &bad_names[i]);
	/* unlink of the root itself and of names reaching out */
	const char *outs[] = { "../outside/canary.txt", "../outside", "sub/inner.txt" };
	for (size_t i = 0; i < 3; i++) {
		r = p9_unlinkat(s.c, s.root, outs[i], 0);
		CHECK(sensible_errno(r), "unlinkat %s: %d", outs[i], r);
	}
	r = p9_renameat(s.c, s.root, "file.txt", s.root, "../../escaped");
	CHECK(sensible_errno(r), "renameat to ../../escaped: %d", r);
	host_list(e->export, after, sizeof after);
	CHECK(!strcmp(before, after), "the export changed: %s -> %s", before, after);
	char sub[256];
	snprintf(sub, sizeof sub, "%s/sub", e->export);
	CHECK(host_exists(sub, "inner.txt"), "sub/inner.txt was removed");
	CHECK(!host_exists(e->base, "escaped") && !host_exists("/", "escaped") &&
	      !host_exists("/tmp", "escaped"), "an 'escaped' entry appeared outside");
	sess_close(&s);
}

/* ---- symlinks ---- */

static void walk_stops_at_link(struct sess *s, const char *link, const char *what)
{
	const char *names[] = { link, "canary.txt" };
	struct p9_qid q[2];
	uint32_t f;
	int r = sess_walk(s, s->root, 2, names, &f, q);
	CHECK((r == 1 && (q[0].type & P9_QTSYMLINK)) || (r < 0 && sensible_errno(r)),
	      "%s: walk through the symlink went %d deep", what, r);
	if (r == 2)
		sess_clunk(s, f);
}

/* Every operation on (or under) a symlink fid: none may reach the target. */
static void abuse_link_fid(struct sess *s, const char *link)
{
	const char *names[] = { link };
	struct p9_qid q;
	uint32_t f;
	int r = sess_walk(s, s->root, 1, names, &f, &q);
	CHECK(r == 1 && (q.type & P9_QTSYMLINK), "%s: walk %d qid type %#x", link, r, q.type);
	if (r != 1)
		return;
	r = p9_lopen(s->c, f, P9_DOTL_RDONLY, NULL, NULL);
	CHECK(r == -ELOOP, "%s: Tlopen RDONLY gave %d, want ELOOP", link, r);
	r = p9_lopen(s->c, f, P9_DOTL_RDWR | P9_DOTL_TRUNC, NULL, NULL);
	CHECK(r == -ELOOP, "%s: Tlopen RDWR|TRUNC gave %d, want ELOOP", link, r);
	r = p9_lcreate(s->c, f, "pwned", P9_DOTL_RDWR | P9_DOTL_CREATE, 0644, 0, NULL, NULL);
	CHECK(sensible_errno(r), "%s: Tlcreate under it: %d", link, r);
	r = p9_mkdir(s->c, f, "pwned_dir", 0755, 0, NULL);
	CHECK(sensible_errno(r), "%s: Tmkdir under it: %d", link, r);
	r = p9_symlink(s->c, f, "pwned_link", "/", 0, NULL);
	CHECK(sensible_errno(r), "%s: Tsymlink under it: %d", link, r);
	r = p9_mknod(s->c, f, "pwned_fifo", S_IFIFO | 0644, 0, 0, 0, NULL);
	CHECK(sensible_errno(r), "%s: Tmknod under it: %d", link, r);
	r = p9_unlinkat(s->c, f, "canary.txt", 0);
	CHECK(sensible_errno(r), "%s: Tunlinkat under it: %d", link, r);
	r = p9_renameat(s->c, f, "canary.txt", s->root, "stolen");
	CHECK(sensible_errno(r), "%s: Trenameat from under it: %d", link, r);
	uint32_t xf;
	if (p9_fid_alloc(s->c, &xf) == 0) {
		uint64_t size;
		r = p9_xattrwalk(s->c, f, xf, "user.x", &size);
		if (r == 0)
			sess_clunk(s, xf);
		else
			p9_fid_release(s->c, xf);
	}
	/* setattr on the link fid: whatever it answers, the target must not
	 * change (the canary checksum covers mode, owner, size, times). */
	struct p9_iattr ia = { .valid = P9_SETATTR_MODE, .mode = 0777 };
	p9_setattr(s->c, f, &ia);
	ia = (struct p9_iattr){ .valid = P9_SETATTR_UID | P9_SETATTR_GID, .uid = 1000, .gid = 1000 };
	p9_setattr(s->c, f, &ia);
	ia = (struct p9_iattr){ .valid = P9_SETATTR_SIZE, .size = 0 };
	r = p9_setattr(s->c, f, &ia);
	CHECK(r < 0, "%s: truncate through the symlink fid succeeded", link);
	ia = (struct p9_iattr){ .valid = P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET, .mtime_sec = 1 };
	p9_setattr(s->c, f, &ia);
	sess_clunk(s, f);
}

/* Tlink of a symlink fid links the symlink itself, never its target. */
static void link_of_link(struct sec_env *e, struct sess *s)
{
	const char *names[] = { "abs_file" };
	uint32_t f;
	if (sess_walk(s, s->root, 1, names, &f, NULL) != 1) {
		CHECK(0, "walk abs_file");
		return;
	}
	int r = p9_link(s->c, s->root, f, "hardlink");
	if (r == 0) {
		char p[512];
		struct stat st;
		snprintf(p, sizeof p, "%s/hardlink", e->export);
		CHECK(lstat(p, &st) == 0 && S_ISLNK(st.st_mode), "Tlink of a symlink made a %o",
		      st.st_mode);
		unlink(p);
	} else {
		CHECK(sensible_errno(r), "Tlink of a symlink: %d", r);
	}
	char p[512];
	struct stat st;
	snprintf(p, sizeof p, "%s/canary.txt", e->outside);
	CHECK(stat(p, &st) == 0 && st.st_nlink == 1, "the canary gained a link");
	sess_clunk(s, f);
}

void attack_symlinks(struct sec_env *e)
{
	struct sess s;
	int r = sess_open(e, &s);
	CHECK(r == 0, "attach: %d", r);
	if (r)
		return;
	walk_stops_at_link(&s, "rel", "relative dir link");
	walk_stops_at_link(&s, "abs", "absolute dir link");
	walk_stops_at_link(&s, "dotdot", "link to ..");
	const char *links[] = { "rel", "abs", "rel_file", "abs_file", "dotdot", "loop" };
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		abuse_link_fid(&s, links[i]);
	link_of_link(e, &s);

	/* Treadlink returns the text; the server never resolves it. */
	const char *names[] = { "abs_file" };
	uint32_t f;
	if (sess_walk(&s, s.root, 1, names, &f, NULL) == 1) {
		char buf[512], want[512];
		snprintf(want, sizeof want, "%s/canary.txt", e->outside);
		r = p9_readlink(s.c, f, buf, sizeof buf);
		CHECK(r >= 0 && !strcmp(buf, want), "Treadlink: %d '%s'", r, r >= 0 ? buf : "");
		sess_clunk(&s, f);
	}
	/* Creating a symlink that points outside is allowed (it is text);
	 * walking it afterwards stops at it like any other. */
	r = p9_symlink(s.c, s.root, "made_link", "../../../../etc", 0, NULL);
	CHECK(r == 0, "Tsymlink with an outside target: %d", r);
	walk_stops_at_link(&s, "made_link", "made link");
	if (r == 0)
		p9_unlinkat(s.c, s.root, "made_link", 0);
	CHECK(!host_exists(e->outside, "pwned") && !host_exists(e->outside, "pwned_dir") &&
	      !host_exists(e->outside, "pwned_link") && !host_exists(e->outside, "pwned_fifo") &&
	      !host_exists(e->export, "stolen"), "something was created outside");
	sess_close(&s);
}

/* ---- attach names ---- */

void attack_attach_names(struct sec_env *e)
{
	char parent_path[256], via_dotdot[256], via_outside[256];
	snprintf(parent_path, sizeof parent_path, "%s", e->base);
	snprintf(via_dotdot, sizeof via_dotdot, "%s/..", e->export);
	snprintf(via_outside, sizeof via_outside, "%s/../outside", e->export);
	const char *anames[] = {
		"../..", "..", "/etc", "/", e->outside, parent_path, via_dotdot, via_outside,
		"/proc/self/root", "rel", "abs", "file.txt", "sub/../../outside",
	};
	for (size_t i = 0; i < sizeof anames / sizeof anames[0]; i++) {
		struct sess s;
		int r = sess_open_as(e, &s, anames[i], 0);
		if (r < 0) {
			CHECK(sensible_errno(r), "attach '%s': %d", anames[i], r);
			continue;
		}
		/* Accepted: it must be the export's root (or inside it). */
		const char *fn[] = { "canary.txt" };
		uint32_t f;
		int w = sess_walk(&s, s.root, 1, fn, &f, NULL);
		CHECK(w < 0, "attach '%s' reached a directory holding canary.txt", anames[i]);
		if (w == 1)
			sess_clunk(&s, f);
		const char *up[] = { "..", "..", "..", "file.txt" };
		w = sess_walk(&s, s.root, 4, up, &f, NULL);
		if (w == 4)
			sess_clunk(&s, f);
		CHECK(qid_eq(&s.qid, &e->root_qid) || w == 4,
		      "attach '%s' gave a root that is not the export's", anames[i]);
		sess_close(&s);
	}
}
