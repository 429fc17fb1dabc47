#include "users.h"
#include "util.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

static struct user_ent *users;
static size_t n_users;

static int add_user(const struct passwd *pw, size_t *cap)
{
	if (n_users == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct user_ent *u = realloc(users, ncap * sizeof *u);
		if (!u)
			return -ENOMEM;
		users = u;
		*cap = ncap;
	}
	struct user_ent *e = &users[n_users];
	memset(e, 0, sizeof *e);
	e->uid = pw->pw_uid;
	e->gid = pw->pw_gid;
	e->name = strdup(pw->pw_name);
	e->groups = malloc(sizeof(gid_t));
	if (!e->name || !e->groups) {
		free(e->name);
		free(e->groups);
		return -ENOMEM;
	}
	e->groups[0] = pw->pw_gid;
	e->ngroups = 1;
	n_users++;
	return 0;
}

static int add_group_to(struct user_ent *e, gid_t gid)
{
	for (size_t i = 0; i < e->ngroups; i++)
		if (e->groups[i] == gid)
			return 0;
	gid_t *g = realloc(e->groups, (e->ngroups + 1) * sizeof *g);
	if (!g)
		return -ENOMEM;
	g[e->ngroups++] = gid;
	e->groups = g;
	return 0;
}

static int load_groups(void)
{
	struct group *gr;
	int rc = 0;
	setgrent();
	while (rc == 0 && (gr = getgrent()) != NULL) {
		for (char **m = gr->gr_mem; m && *m && rc == 0; m++) {
			for (size_t i = 0; i < n_users && rc == 0; i++)
				if (strcmp(users[i].name, *m) == 0)
					rc = add_group_to(&users[i], gr->gr_gid);
		}
	}
	endgrent();
	return rc;
}

int users_load(void)
{
	size_t cap = 0;
	struct passwd *pw;
	int rc = 0;
	setpwent();
	while (rc == 0 && (pw = getpwent()) != NULL)
		rc = add_user(pw, &cap);
	endpwent();
	if (rc < 0)
		return rc;
	return load_groups();
}

const struct user_ent *users_by_uid(uid_t uid)
{
	for (size_t i = 0; i < n_users; i++)
		if (users[i].uid == uid)
			return &users[i];
	return NULL;
}

const struct user_ent *users_by_name(const char *name)
{
	for (size_t i = 0; i < n_users; i++)
		if (strcmp(users[i].name, name) == 0)
			return &users[i];
	return NULL;
}
