/* A snapshot of the host's users and groups, taken before confinement
 * (afterwards /etc is no longer reachable: the root is the export). */
#ifndef BURROW_GOFER_USERS_H
#define BURROW_GOFER_USERS_H

#include <stddef.h>
#include <sys/types.h>

struct user_ent {
	uid_t uid;
	gid_t gid;
	char *name;
	gid_t *groups;            /* supplementary groups, primary included */
	size_t ngroups;
};

/* Read passwd and group through NSS.  0 or -errno. */
int users_load(void);
const struct user_ent *users_by_uid(uid_t uid);
const struct user_ent *users_by_name(const char *name);

#endif
