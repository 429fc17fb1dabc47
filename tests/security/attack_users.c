/* Identity: with --multi-user, a file created by an attach as uid 1000 is
 * owned by 1000 on the host and that user cannot read a 0600 file of
 * root's; with --squash every operation runs as the one id.  Each runs
 * its own (confined) server over the same export. */
#include "attack.h"

#include <fcntl.h>
#include <sys/stat.h>

static void host_prepare(const struct sec_env *e)
{
	char p[512];
	snprintf(p, sizeof p, "%s/mu", e->export);
	mkdir(p, 0777);
	chmod(p, 0777);
	snprintf(p, sizeof p, "%s/mu/rootfile", e->export);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		(void)!write(fd, "root secret", 11);
		close(fd);
	}
	chown(p, 0, 0);
	chmod(p, 0600);
}

static bool host_owner(const struct sec_env *e, const char *rel, uid_t *uid, gid_t *gid)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", e->export, rel);
	if (lstat(p, &st) < 0)
		return false;
	*uid = st.st_uid;
	*gid = st.st_gid;
	return true;
}

/* Create mu/<name> (a file, a directory, a symlink) through s. */
static void create_three(struct sess *s, const char *name)
{
	const char *mu[] = { "mu" };
	uint32_t d;
	char n[64];
	if (sess_walk(s, s->root, 1, mu, &d, NULL) != 1) {
		CHECK(0, "walk mu");
		return;
	}
	snprintf(n, sizeof n, "%s_dir", name);
	int r = p9_mkdir(s->c, d, n, 0755, (uint32_t)-1, NULL);
	CHECK(r == 0, "mkdir %s: %d", n, r);
	snprintf(n, sizeof n, "%s_link", name);
	r = p9_symlink(s->c, d, n, "target", (uint32_t)-1, NULL);
	CHECK(r == 0, "symlink %s: %d", n, r);
	r = p9_lcreate(s->c, d, name, P9_DOTL_RDWR | P9_DOTL_CREATE | P9_DOTL_EXCL, 0644,
		       (uint32_t)-1, NULL, NULL);
	CHECK(r == 0, "lcreate %s: %d", name, r);
	if (r == 0)
		CHECK(p9_write(s->c, d, 0, "data", 4) == 4, "write %s", name);
	sess_clunk(s, d);
}

static void expect_owner(const struct sec_env *e, const char *name, uid_t uid, gid_t gid)
{
	const char *suffix[] = { "", "_dir", "_link" };
	for (int i = 0; i < 3; i++) {
		char rel[128];
		uid_t u;
		gid_t g;
		snprintf(rel, sizeof rel, "mu/%s%s", name, suffix[i]);
		bool ok = host_owner(e, rel, &u, &g);
		CHECK(ok && u == uid && (gid == (gid_t)-1 || g == gid),
		      "%s: owned by %d:%d on the host, want %d:%d", rel, ok ? (int)u : -1,
		      ok ? (int)g : -1, (int)uid, (int)gid);
	}
}

static int open_as(struct sess *s, const char *path, uint32_t flags)
{
	const char *names[2];
	int n = 0;
	char buf[128];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *t = strtok(buf, "/"); t && n < 2; t = strtok(NULL, "/"))
		names[n++] = t;
	uint32_t f;
	int r = sess_walk(s, s->root, n, names, &f, NULL);
	if (r != n)
		return r < 0 ? r : -ENOENT;
	r = p9_lopen(s->c, f, flags, NULL, NULL);
	sess_clunk(s, f);
	return r;
}

static void multi_user_checks(struct sec_env *e)
{
	if (!e->no_confine)
		attack_proc_status(e);
	struct sess u, root;
	int r = sess_open_as(e, &u, e->export, 1000);
	CHECK(r == 0, "attach as uid 1000: %d", r);
	if (r)
		return;
	create_three(&u, "by1000");
	expect_owner(e, "by1000", 1000, (gid_t)-1);
	r = open_as(&u, "secret", P9_DOTL_RDONLY);
	CHECK(r == -EACCES, "uid 1000 opened root's 0600 secret: %d", r);
	r = open_as(&u, "mu/rootfile", P9_DOTL_RDONLY);
	CHECK(r == -EACCES, "uid 1000 opened mu/rootfile: %d", r);
	r = p9_mkdir(u.c, u.root, "not_mine", 0755, (uint32_t)-1, NULL);
	CHECK(r == -EACCES, "uid 1000 made a directory in root's 0755 export root: %d", r);
	const char *sec[] = { "secret" };
	uint32_t f;
	if (sess_walk(&u, u.root, 1, sec, &f, NULL) == 1) {
		struct p9_iattr ia = { .valid = P9_SETATTR_MODE, .mode = 0644 };
		r = p9_setattr(u.c, f, &ia);
		CHECK(r == -EPERM, "uid 1000 chmod'ed root's file: %d", r);
		ia = (struct p9_iattr){ .valid = P9_SETATTR_UID, .uid = 1000 };
		r = p9_setattr(u.c, f, &ia);
		CHECK(r == -EPERM, "uid 1000 chown'ed root's file: %d", r);
		sess_clunk(&u, f);
	}
	/* The same server still serves root as root. */
	r = sess_open_as(e, &root, e->export, 0);
	CHECK(r == 0, "attach as root: %d", r);
	if (r == 0) {
		r = open_as(&root, "secret", P9_DOTL_RDONLY);
		CHECK(r == 0, "root opens its secret: %d", r);
		create_three(&root, "byroot");
		expect_owner(e, "byroot", 0, (gid_t)-1);
		sess_close(&root);
	}
	/* Interleaved: uid 1000 still cannot after root's requests ran on the
	 * same workers (per-thread identity is switched back). */
	r = open_as(&u, "secret", P9_DOTL_RDONLY);
	CHECK(r == -EACCES, "uid 1000 after root: %d", r);
	sess_close(&u);
}

static void squash_checks(struct sec_env *e)
{
	struct sess s;
	int r = sess_open_as(e, &s, e->export, 0);
	CHECK(r == 0, "attach as root: %d", r);
	if (r)
		return;
	create_three(&s, "squashed");
	expect_owner(e, "squashed", 1234, 1234);
	r = open_as(&s, "secret", P9_DOTL_RDONLY);
	CHECK(r == -EACCES, "squashed root opened a 0600 root file: %d", r);
	sess_close(&s);
	r = sess_open_as(e, &s, e->export, 1000);
	if (r == 0) {
		create_three(&s, "squashed1000");
		expect_owner(e, "squashed1000", 1234, 1234);
		sess_close(&s);
	}
}

void attack_multi_user(struct sec_env *e)
{
	host_prepare(e);
	const char *extra[] = { "--multi-user", NULL };
	int r = attack_with_server(e, extra, true, multi_user_checks);
	NOTE("%s multi-user", r == 0 ? "ok" : "not ok");
}

void attack_squash(struct sec_env *e)
{
	host_prepare(e);
	const char *extra[] = { "--squash", "1234:1234", NULL };
	int r = attack_with_server(e, extra, true, squash_checks);
	NOTE("%s squash", r == 0 ? "ok" : "not ok");
}
