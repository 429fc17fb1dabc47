/* OCI mount options to mount(2) arguments. */
#include "mountopts.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

static const struct {
	const char *name;
	unsigned long set, clear;
} flag_opts[] = {
	{ "ro", MS_RDONLY, 0 },          { "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },      { "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },        { "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },      { "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 },   { "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 },    { "remount", MS_REMOUNT, 0 },
	{ "mand", MS_MANDLOCK, 0 },      { "nomand", 0, MS_MANDLOCK },
	{ "noatime", MS_NOATIME, 0 },    { "atime", 0, MS_NOATIME },
	{ "nodiratime", MS_NODIRATIME, 0 }, { "diratime", 0, MS_NODIRATIME },
	{ "relatime", MS_RELATIME, 0 },  { "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 }, { "nostrictatime", 0, MS_STRICTATIME },
	{ "bind", MS_BIND, 0 },          { "rbind", MS_BIND | MS_REC, 0 },
	{ "silent", MS_SILENT, 0 },      { "loud", 0, MS_SILENT },
};

static const struct {
	const char *name;
	unsigned long flags;
} prop_opts[] = {
	{ "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

/* Options that change meaning in ways burrow does not implement. */
static const char *const refused[] = { "idmap", "ridmap", "recursive_ro", "rro" };

static int append_data(char *data, size_t cap, const char *opt)
{
	size_t len = strlen(data), add = strlen(opt) + (len ? 1 : 0);
	if (len + add + 1 > cap)
		return -ENAMETOOLONG;
	if (len)
		data[len++] = ',';
	strcpy(data + len, opt);
	return 0;
}

static int parse_one(const char *o, struct mount_opts *out)
{
	for (size_t i = 0; i < sizeof flag_opts / sizeof flag_opts[0]; i++)
		if (strcmp(o, flag_opts[i].name) == 0) {
			out->flags = (out->flags | flag_opts[i].set) & ~flag_opts[i].clear;
			out->clear = (out->clear | flag_opts[i].clear) & ~flag_opts[i].set;
			return 0;
		}
	for (size_t i = 0; i < sizeof prop_opts / sizeof prop_opts[0]; i++)
		if (strcmp(o, prop_opts[i].name) == 0) {
			out->propagation = prop_opts[i].flags;
			return 0;
		}
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		if (strcmp(o, refused[i]) == 0)
			return -EINVAL;
	/* runc's own options that are not for the kernel. */
	if (strcmp(o, "tmpcopyup") == 0 || strcmp(o, "defaults") == 0)
		return 0;
	return append_data(out->data, sizeof out->data, o);
}

int mount_opts_parse(const char *const *opts, size_t n, struct mount_opts *out,
		     const char **bad)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		int r = parse_one(opts[i], out);
		if (r < 0) {
			if (bad)
				*bad = opts[i];
			return r;
		}
	}
	return 0;
}

unsigned long mount_flags_from_statvfs(unsigned long f)
{
	unsigned long fl = 0;
	if (f & ST_RDONLY)
		fl |= MS_RDONLY;
	if (f & ST_NOSUID)
		fl |= MS_NOSUID;
	if (f & ST_NODEV)
		fl |= MS_NODEV;
	if (f & ST_NOEXEC)
		fl |= MS_NOEXEC;
	if (f & ST_NOATIME)
		fl |= MS_NOATIME;
	if (f & ST_NODIRATIME)
		fl |= MS_NODIRATIME;
	if (f & ST_RELATIME)
		fl |= MS_RELATIME;
	return fl;
}
