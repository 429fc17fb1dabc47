/* Which mounts the gofer serves: the root, then every bind mount of a
 * directory, in spec order.  burrow and the sentry both call this on the
 * same spec, so the socketpairs line up. */
#include "boot.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool boot_mount_is_ro(const struct oci_mount *m)
{
	bool ro = false;
	for (size_t i = 0; i < m->n_options; i++) {
		if (strcmp(m->options[i], "ro") == 0)
			ro = true;
		else if (strcmp(m->options[i], "rw") == 0)
			ro = false;
	}
	return ro;
}

/* File binds (resolv.conf and the like) stay plain binds: the gofer
 * exports directories. */
static bool source_is_dir(const struct oci_mount *m, const char *bundle)
{
	char path[PATH_MAX];
	struct stat st;
	if (m->source[0] == '/')
		snprintf(path, sizeof path, "%s", m->source);
	else
		snprintf(path, sizeof path, "%s/%s", bundle, m->source);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int boot_served_mounts(const struct oci_spec *spec, const char *bundle,
		       struct boot_conn **out, size_t *n)
{
	struct boot_conn *c = calloc(spec->n_mounts + 1, sizeof *c);
	if (!c)
		return -ENOMEM;
	size_t k = 0;
	c[k++] = (struct boot_conn){ .fd = -1, .mount_index = -1, .ro = spec->root_readonly };
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct oci_mount *m = &spec->mounts[i];
		if (!oci_mount_is_bind(m) || !source_is_dir(m, bundle))
			continue;
		c[k++] = (struct boot_conn){ .fd = -1, .mount_index = (ssize_t)i,
					     .ro = boot_mount_is_ro(m) };
	}
	*out = c;
	*n = k;
	return 0;
}
