#include "ident.h"
#include "users.h"
#include "p9/p9.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define NOGROUP ((gid_t)65534)

/* What this worker thread currently acts as. */
static __thread struct {
	bool set;
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t ngroups;
} cur;

static int cred_of_user(const struct user_ent *u, struct cred *out)
{
	out->uid = u->uid;
	out->gid = u->gid;
	out->groups = u->groups;
	out->ngroups = u->ngroups;
	return 0;
}

int ident_for_attach(const struct gofer_config *cfg, uint32_t n_uname, const char *uname,
		     struct cred *out)
{
	memset(out, 0, sizeof *out);
	if (cfg->ident == IDENT_SQUASH) {
		out->uid = cfg->squash_uid;
		out->gid = cfg->squash_gid;
		return 0;
	}
	const struct user_ent *u = n_uname != P9_NONUNAME ? users_by_uid(n_uname)
							  : users_by_name(uname);
	if (u)
		return cred_of_user(u, out);
	if (n_uname == P9_NONUNAME) {
		if (cfg->ident == IDENT_MULTI)
			return -EPERM;    /* a name we cannot map to an id */
		out->uid = geteuid();
		out->gid = getegid();
		return 0;
	}
	/* A numeric id unknown here (a sandbox's own users): no groups. */
	out->uid = n_uname;
	out->gid = cfg->ident == IDENT_MULTI ? NOGROUP : getegid();
	return 0;
}

static bool is_current(const struct cred *c)
{
	return cur.set && cur.uid == c->uid && cur.gid == c->gid && cur.groups == c->groups &&
	       cur.ngroups == c->ngroups;
}

int ident_apply(const struct gofer_config *cfg, const struct cred *c)
{
	if (cfg->ident == IDENT_SERVER || is_current(c))
		return 0;
	cur.set = false;
	/* glibc's setgroups() changes every thread; the raw syscall only this one. */
	if (syscall(SYS_setgroups, c->ngroups, c->ngroups ? c->groups : NULL) < 0)
		return -errno;
	setfsgid(c->gid);
	if ((gid_t)setfsgid((gid_t)-1) != c->gid)
		return -EPERM;
	setfsuid(c->uid);
	if ((uid_t)setfsuid((uid_t)-1) != c->uid)
		return -EPERM;
	cur.set = true;
	cur.uid = c->uid;
	cur.gid = c->gid;
	cur.groups = c->groups;
	cur.ngroups = c->ngroups;
	return 0;
}

gid_t ident_create_gid(const struct cred *c, uint32_t requested)
{
	if (requested == (uint32_t)-1 || requested == c->gid)
		return c->gid;
	if (c->uid == 0)
		return requested;
	for (size_t i = 0; i < c->ngroups; i++)
		if (c->groups[i] == requested)
			return requested;
	return c->gid;
}

int ident_apply_create(const struct gofer_config *cfg, const struct cred *c, gid_t gid)
{
	struct cred t = *c;
	t.gid = gid;
	return ident_apply(cfg, &t);
}

int ident_chown_new(const struct gofer_config *cfg, const struct cred *c, uint32_t gid,
		    int dirfd, const char *name)
{
	if (cfg->ident != IDENT_SERVER)
		return 0;
	gid_t g = gid == (uint32_t)-1 ? (gid_t)-1 : (gid_t)gid;
	/* Root's own creations need nothing: decided before a syscall. */
	if (c->uid == 0 && (g == (gid_t)-1 || g == 0))
		return 0;
	if (geteuid() != 0)
		return 0;
	int rc = name ? fchownat(dirfd, name, c->uid, g, AT_SYMLINK_NOFOLLOW)
		      : fchown(dirfd, c->uid, g);
	return rc < 0 ? -errno : 0;
}
