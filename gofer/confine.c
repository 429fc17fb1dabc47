/* Self-confinement of burrow-gofer: the private mount view, the private
 * /proc/self/fd, capabilities, no_new_privs; the seccomp allowlist itself
 * lives in seccomp_allowlist.c.  See confine.h for the resulting view.
 *
 * Everything is done with file descriptors (open_tree, move_mount,
 * fsmount): after the exports are opened, no host path is resolved again,
 * and nothing is ever mounted on a directory of the export itself. */
#include "confine.h"
#include "log.h"
#include "seccomp_allowlist.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef BURROW_SANITIZED
#include <sanitizer/lsan_interface.h>
#endif

/* /proc/<gofer>/fd of the private procfs; process-wide, set once. */
static int proc_fd_dir = -1;

int confine_proc_self_fd(void)
{
	return proc_fd_dir >= 0 ? proc_fd_dir : -EBADF;
}

/* ---- capabilities ------------------------------------------------- */

static const cap_value_t file_caps[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID,
};
/* setfsuid/setfsgid/setgroups per request in multi-user mode. */
static const cap_value_t user_caps[] = { CAP_SETUID, CAP_SETGID };

uint64_t confine_cap_mask(bool multi_user)
{
	uint64_t m = 0;
	for (size_t i = 0; i < ARRAY_SIZE(file_caps); i++)
		m |= 1ULL << file_caps[i];
	if (multi_user)
		for (size_t i = 0; i < ARRAY_SIZE(user_caps); i++)
			m |= 1ULL << user_caps[i];
	return m;
}

/* Bounding set first (dropping needs CAP_SETPCAP, which goes last), then
 * ambient, then permitted = effective = the mask, inheritable empty.
 * setfsuid() to a non-zero id still clears the file capabilities from the
 * effective set (no SECBIT_NO_SETUID_FIXUP), so a multi-user request runs
 * with the caller's permissions only. */
static int drop_caps(bool multi_user)
{
	uint64_t keep = confine_cap_mask(multi_user);
	unsigned max = cap_max_bits();
	for (unsigned c = 0; c < max && c < 64; c++) {
		if ((keep & (1ULL << c)) || cap_get_bound((cap_value_t)c) <= 0)
			continue;
		if (cap_drop_bound((cap_value_t)c) < 0)
			return -errno;
	}
	if (cap_reset_ambient() < 0)
		return -errno;

	cap_t caps = cap_init();
	if (!caps)
		return -errno;
	int r = 0;
	for (unsigned c = 0; c < 64 && r == 0; c++) {
		if (!(keep & (1ULL << c)))
			continue;
		cap_value_t v = (cap_value_t)c;
		if (cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0 ||
		    cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET) < 0)
			r = -errno;
	}
	if (r == 0 && cap_set_proc(caps) < 0)
		r = -errno;
	cap_free(caps);
	return r;
}

/* ---- the private /proc/self/fd ---------------------------------------
 * The gofer reopens its O_PATH fds through /proc/self/fd/N.  The view has
 * no /proc, and an fd of the host's /proc would be a way out for a
 * compromised gofer: "../../sys/kernel/..." and /proc/sysrq-trigger are
 * writable by root without any capability.  So the fd comes from a fresh
 * procfs that is never attached anywhere (fsmount without move_mount):
 * subset=pid hides everything but the pid directories, hidepid=ptraceable
 * hides processes the gofer may not ptrace (every process with more
 * capabilities than it keeps; "invisible" would not: it exempts group 0),
 * and the mount is read-only.  Reopening
 * through it is unaffected: the open checks the target file's mount. */
static int open_private_proc_fd(void)
{
	int fs __cleanup_close = fsopen("proc", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	if (fsconfig(fs, FSCONFIG_SET_STRING, "subset", "pid", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "hidepid", "ptraceable", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	int mnt __cleanup_close = fsmount(fs, FSMOUNT_CLOEXEC,
					  MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					  MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return -errno;
	int fd = openat(mnt, "self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Count the entries of dirfd/sub that are not "." or "..". */
static int count_entries(int dirfd, const char *sub)
{
	int fd = openat(dirfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		return -e;
	}
	int n = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	int e = errno;
	closedir(d);
	return e ? -e : n;
}

/* Capabilities and seccomp apply to the calling thread only (TSYNC aside):
 * another thread would stay unconfined. */
static int check_single_threaded(void)
{
	int n = count_entries(proc_fd_dir, "../task");
	if (n < 0)
		return n;
	return n == 1 ? 0 : -EBUSY;
}

/* ---- the view ------------------------------------------------------ */

struct export_id {
	dev_t dev;
	ino_t ino;
};

static int open_dir(int dirfd, const char *path, struct export_id *id)
{
	int fd __cleanup_close = openat(dirfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (id) {
		id->dev = st.st_dev;
		id->ino = st.st_ino;
	}
	return steal_fd(&fd);
}

/* A detached recursive clone of the export's mount tree with the view's
 * mount attributes. */
static int clone_export(int exportfd, bool ro)
{
	int tree __cleanup_close = open_tree(exportfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					     AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0)
		return -errno;
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSYMFOLLOW |
			    (ro ? MOUNT_ATTR_RDONLY : 0),
	};
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
		return -errno;
	return steal_fd(&tree);
}

/* Stack a detached mount on top of the current root: pivot_root(".", ".")
 * then swaps the two without a put_old directory in the export. */
static int stack_on_root(int mntfd)
{
	if (move_mount(mntfd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

static int make_ns_private(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	/* Slave, not private: the host's unmounts still reach the view, so
	 * the gofer never pins a filesystem the admin took away; nothing
	 * propagates back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return -errno;
	return 0;
}

/* The paired view: a tiny read-only tmpfs with one mount point per export. */
static int build_multi_view(const struct confine_opts *o, const int *fds)
{
	int fs __cleanup_close = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	char inodes[32];
	snprintf(inodes, sizeof inodes, "%zu", o->n_exports + 8);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0000", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "size", "64k", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "nr_inodes", inodes, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	int mnt __cleanup_close = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID |
					  MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return -errno;
	/* Attach first: move_mount needs its target inside our namespace. */
	int r = stack_on_root(mnt);
	if (r < 0)
		return r;
	for (size_t i = 0; i < o->n_exports; i++) {
		char name[24];
		snprintf(name, sizeof name, "%zu", i);
		if (mkdirat(mnt, name, 0) < 0)
			return -errno;
		int tree __cleanup_close = clone_export(fds[i], o->read_only && o->read_only[i]);
		if (tree < 0)
			return tree;
		if (move_mount(tree, "", mnt, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return -errno;
	}
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	if (mount_setattr(mnt, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
		return -errno;
	return steal_fd(&mnt);
}

static int build_single_view(const struct confine_opts *o, const int *fds)
{
	int tree __cleanup_close = clone_export(fds[0], o->read_only && o->read_only[0]);
	if (tree < 0)
		return tree;
	int r = stack_on_root(tree);
	return r < 0 ? r : steal_fd(&tree);
}

/* Make the mount behind newroot the root; the old root is detached. */
static int pivot_into(int newroot)
{
	if (fchdir(newroot) < 0)
		return -errno;
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return -errno;
	/* The old root now sits on top of the new one: "." names it. */
	if (umount2(".", MNT_DETACH) < 0)
		return -errno;
	if (chdir("/") < 0)
		return -errno;
	return 0;
}

static void close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/* Open each root inside the new view and check it is the export that was
 * opened before: same device and inode. */
static int open_view_roots(const struct confine_opts *o, const struct export_id *ids,
			   int *root_fds)
{
	for (size_t i = 0; i < o->n_exports; i++) {
		char name[24];
		snprintf(name, sizeof name, "%zu", i);
		struct export_id got;
		int fd = open_dir(AT_FDCWD, o->n_exports == 1 ? "/" : name, &got);
		if (fd < 0)
			return fd;
		root_fds[i] = fd;
		if (got.dev != ids[i].dev || got.ino != ids[i].ino)
			return -ESTALE;
	}
	return 0;
}

static bool is_allowed_fd(int fd, const int *root_fds, size_t n, int listfd)
{
	if (fd == proc_fd_dir || fd == listfd)
		return true;
	for (size_t i = 0; i < n; i++)
		if (fd == root_fds[i])
			return true;
	return false;
}

/* A directory fd opened before the pivot (an inherited one, or an export
 * opened by the caller) would let openat(fd, "..") walk out of the view. */
static int check_no_outside_dirs(const int *root_fds, size_t n)
{
	int fd = openat(proc_fd_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		return -e;
	}
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(d))) {
		char *end;
		long v = strtol(de->d_name, &end, 10);
		if (*end || end == de->d_name || v < 0 || v > INT32_MAX)
			continue;
		struct stat st;
		if (is_allowed_fd((int)v, root_fds, n, fd) || fstat((int)v, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			log_error("confine: fd %ld is a directory from outside the view; close it first", v);
			r = -EBADF;
		}
	}
	closedir(d);
	return r;
}

static int check_opts(const struct confine_opts *o, const int *root_fds)
{
	if (!o || !root_fds || !o->exports || o->n_exports == 0 ||
	    o->n_exports > CONFINE_MAX_EXPORTS)
		return -EINVAL;
	for (size_t i = 0; i < o->n_exports; i++)
		if (!o->exports[i] || !o->exports[i][0])
			return -EINVAL;
	return 0;
}

static int open_exports(const struct confine_opts *o, int *fds, struct export_id *ids)
{
	for (size_t i = 0; i < o->n_exports; i++) {
		int fd = open_dir(AT_FDCWD, o->exports[i], ids ? &ids[i] : NULL);
		if (fd < 0) {
			log_error("confine: export %zu: %s", i, strerror(-fd));
			close_fds(fds, i);
			return fd;
		}
		fds[i] = fd;
	}
	return 0;
}

static int step_failed(const char *step, int r)
{
	log_error("confine: %s: %s", step, strerror(-r));
	return r;
}

/* Mount namespace, private proc fd, the view, pivot.  On success root_fds
 * hold the roots inside the view. */
static int enter_view(const struct confine_opts *o, int *root_fds)
{
	int r = make_ns_private();
	if (r < 0)
		return step_failed("mount namespace", r);
	r = open_private_proc_fd();
	if (r < 0)
		return step_failed("private procfs", r);
	proc_fd_dir = r;
	r = check_single_threaded();
	if (r < 0)
		return step_failed("more than one thread", r);

	/* Opened after unshare: move_mount needs mounts of this namespace. */
	int *fds = calloc(o->n_exports, sizeof *fds);
	struct export_id *ids = calloc(o->n_exports, sizeof *ids);
	if (!fds || !ids) {
		free(fds);
		free(ids);
		return step_failed("exports", -ENOMEM);
	}
	r = open_exports(o, fds, ids);
	if (r == 0) {
		int newroot = o->n_exports == 1 ? build_single_view(o, fds)
						: build_multi_view(o, fds);
		close_fds(fds, o->n_exports);
		if (newroot < 0) {
			r = step_failed("building the view", newroot);
		} else {
			r = pivot_into(newroot);
			close(newroot);
			if (r < 0)
				step_failed("pivot_root", r);
		}
	}
	if (r == 0) {
		r = open_view_roots(o, ids, root_fds);
		if (r < 0)
			step_failed("opening the roots in the view", r);
	}
	free(fds);
	free(ids);
	return r;
}

/* Privileges: stray fds, dumpable, caps, nnp, seccomp. */
static int drop_privileges(const struct confine_opts *o, const int *root_fds)
{
	int r = check_no_outside_dirs(root_fds, o->n_exports);
	if (r < 0)
		return r;
	/* No core dumps of file data, no ptrace by same-uid processes. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return step_failed("PR_SET_DUMPABLE", -errno);
	r = drop_caps(o->multi_user);
	if (r < 0)
		return step_failed("capabilities", r);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return step_failed("no_new_privs", -errno);
	r = confine_install_seccomp(o->multi_user, o->allow_accept);
	if (r < 0)
		return step_failed("seccomp", r);
	return 0;
}

int confine_self(const struct confine_opts *opts, int *root_fds)
{
	int r = check_opts(opts, root_fds);
	if (r < 0)
		return step_failed("options", r);
	if (proc_fd_dir >= 0)
		return step_failed("already confined", -EALREADY);
	for (size_t i = 0; i < opts->n_exports; i++)
		root_fds[i] = -1;
#ifdef BURROW_SANITIZED
	/* LeakSanitizer's exit-time check needs ptrace and /proc/self/task,
	 * neither of which exists once confined (it would fail the exit
	 * status).  Run it now, which also turns the exit-time one off; leak
	 * hunting over a whole run is for --no-confine. */
	__lsan_do_leak_check();
#endif
	r = enter_view(opts, root_fds);
	if (r == 0)
		r = drop_privileges(opts, root_fds);
	if (r < 0)
		close_fds(root_fds, opts->n_exports);
	return r;
}

int confine_open_exports(const struct confine_opts *opts, int *root_fds)
{
	int r = check_opts(opts, root_fds);
	if (r < 0)
		return step_failed("options", r);
	if (proc_fd_dir < 0) {
		int fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return step_failed("/proc/self/fd", -errno);
		proc_fd_dir = fd;
	}
	return open_exports(opts, root_fds, NULL);
}
