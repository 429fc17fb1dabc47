/* fs_opts defaults and the -o list of `burrow-sentry mount`. */
#include "fs.h"
#include "p9/p9.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FS_DEFAULT_MSIZE ((1u << 20) + P9_IOHDRSZ)

void fs_opts_init(struct fs_opts *o)
{
	memset(o, 0, sizeof *o);
	o->aname = "";
	o->n_uname = (uint32_t)geteuid();
	o->uname = NULL;   /* looked up at attach */
	o->msize = FS_DEFAULT_MSIZE;
	o->cache = FS_CACHE_EXCLUSIVE;
	o->allow_other = geteuid() == 0;
	o->fsname = "burrow";
	o->max_threads = 32;
	o->max_inodes = FS_MAX_INODES_AUTO;
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *s == '\0' || *s == '-' || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Mount flags the kernel takes as they are. */
static bool is_kernel_flag(const char *opt)
{
	static const char *const flags[] = {
		"nosuid", "suid", "nodev", "dev", "noexec", "exec", "noatime", "atime",
		"nodiratime", "diratime", "relatime", "norelatime", "strictatime",
		"sync", "async", "dirsync",
	};
	for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
		if (strcmp(opt, flags[k]) == 0)
			return true;
	return false;
}

static int keep_flag(struct fs_opts *o, const char *opt)
{
	size_t have = strlen(o->mntopts), n = strlen(opt);
	if (have + n + 2 > sizeof o->mntopts)
		return -E2BIG;
	if (have)
		o->mntopts[have++] = ',';
	memcpy(o->mntopts + have, opt, n + 1);
	return 0;
}

static int parse_one(struct fs_opts *o, char *opt)
{
	char *val = strchr(opt, '=');
	if (val)
		*val++ = '\0';
	uint32_t u;
	if (!val) {
		if (!strcmp(opt, "ro"))
			o->ro = true;
		else if (!strcmp(opt, "rw"))
			o->ro = false;
		else if (!strcmp(opt, "allow_other"))
			o->allow_other = true;
		else if (!strcmp(opt, "noallow_other"))
			o->allow_other = false;
		else if (!strcmp(opt, "default_permissions"))
			;   /* always on: the kernel checks against the server's attrs */
		else if (!strcmp(opt, "debug"))
			o->debug = true;
		else if (!strcmp(opt, "hostfds"))
			o->hostfds = true;
		else if (!strcmp(opt, "nohostfds"))
			o->hostfds = false;
		else
			return -EINVAL;
		return 0;
	}
	if (!strcmp(opt, "msize")) {
		if (parse_u32(val, P9_MIN_MSIZE, P9_MAX_MSIZE, &u) < 0)
			return -EINVAL;
		o->msize = u;
	} else if (!strcmp(opt, "aname")) {
		o->aname = val;
	} else if (!strcmp(opt, "uname")) {
		o->uname = val;
	} else if (!strcmp(opt, "uid") || !strcmp(opt, "n_uname")) {
		if (parse_u32(val, 0, UINT32_MAX - 1, &u) < 0)
			return -EINVAL;
		o->n_uname = u;
	} else if (!strcmp(opt, "cache")) {
		if (!strcmp(val, "exclusive"))
			o->cache = FS_CACHE_EXCLUSIVE;
		else if (!strcmp(val, "shared"))
			o->cache = FS_CACHE_SHARED;
		else
			return -EINVAL;
	} else if (!strcmp(opt, "fsname")) {
		if (!*val || strpbrk(val, ",\\"))
			return -EINVAL;
		o->fsname = val;
	} else if (!strcmp(opt, "max_inodes")) {
		if (parse_u32(val, 0, 1u << 24, &u) < 0 || (u > 0 && u < 64))
			return -EINVAL;
		o->max_inodes = u;
	} else if (!strcmp(opt, "max_threads")) {
		if (parse_u32(val, 2, 1024, &u) < 0)
			return -EINVAL;
		o->max_threads = u;
	} else {
		return -EINVAL;
	}
	return 0;
}

int fs_opts_parse(struct fs_opts *o, char *list, const char **bad)
{
	char *save = NULL;
	*bad = NULL;
	for (char *opt = strtok_r(list, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		*bad = opt;
		int r = is_kernel_flag(opt) ? keep_flag(o, opt) : parse_one(o, opt);
		if (r < 0)
			return r;
		*bad = NULL;
	}
	return 0;
}
