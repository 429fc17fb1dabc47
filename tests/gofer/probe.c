/* gofer-probe [-u UID] [-a ANAME] [-m MSIZE] [-F] ADDR COMMAND [ARGS]
 *
 *   cat PATH           print a file
 *   put PATH DATA      create PATH (mode 0644) and write DATA
 *   append PATH DATA   open PATH for writing and append DATA
 *   mkdir PATH         make a directory (0755)
 *   mknod PATH p|s|c|b make a fifo, socket or device node
 *   ls PATH            list a directory, one name a line
 *   stat PATH          print "mode(octal) uid gid size"
 *   rm PATH            unlink (rmdir for directories)
 *   open PATH          open read-only and close (fifo/device checks)
 *   chmod PATH MODE    set the mode (octal)
 *   walk PATH          walk only; prints the number of qids walked
 *   qid PATH           print the qid path (hex) of PATH
 *   fids N             hold N cloned fids; prints how many succeeded
 *   cycles FILE N           N x (attach, walk, lopen, read, clunk, clunk)
 *   hold SECS          stay connected (attached) for SECS seconds
 *   garbage N          N connections that send random bytes (no attach)
 *   hostfd PATH, rawfds PATH   the host-fd extension (hostfd.c; -F asks for it)
 *   suite EXPORT       run the protocol suite (TAP)
 *
 * gofer-probe paired GOFER EXPORT...   serve EXPORTs over --io-fds socketpairs
 * gofer-probe fdlisten GOFER EXPORT    serve one over --listen fd:N
 *   each prints "I: <content of the export's file>", then "exit N".
 *
 * Errors print "ERR <ENAME>" and exit 1. */
#include "probe.h"
#include "addr.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

int probe_open(struct probe *p)
{
	int fd = addr_connect(p->addr);
	if (fd < 0)
		return fd;
	int rc = p9_client_new_opts(fd, p->msize, p->flags, &p->c);
	if (rc < 0)
		return rc;
	rc = p9_fid_alloc(p->c, &p->root);
	if (rc == 0) {
		struct p9_qid q;
		rc = p9_attach(p->c, p->root, "", p->aname, p->uid, &q);
	}
	if (rc < 0) {
		p9_client_free(p->c);
		p->c = NULL;
	}
	return rc;
}

void probe_close(struct probe *p)
{
	if (p->c)
		p9_client_free(p->c);
	p->c = NULL;
}

int probe_walk(struct probe *p, const char *path, uint32_t *fid)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", path);
	const char *names[P9_MAXWELEM];
	uint16_t n = 0;
	for (char *save = NULL, *t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (n == P9_MAXWELEM)
			return -ENAMETOOLONG;
		names[n++] = t;
	}
	int rc = p9_fid_alloc(p->c, fid);
	if (rc < 0)
		return rc;
	struct p9_qid qids[P9_MAXWELEM];
	rc = p9_walk(p->c, p->root, *fid, n, names, qids);
	if (rc >= 0 && rc < n)
		rc = -ENOENT;
	if (rc < 0) {
		p9_fid_release(p->c, *fid);
		return rc;
	}
	return 0;
}

int probe_walk_parent(struct probe *p, const char *path, uint32_t *dfid, const char **name)
{
	static char parent[4096];
	const char *slash = strrchr(path, '/');
	*name = slash ? slash + 1 : path;
	size_t len = slash ? (size_t)(slash - path) : 0;
	if (len >= sizeof parent)
		return -ENAMETOOLONG;
	memcpy(parent, path, len);
	parent[len] = '\0';
	return probe_walk(p, parent, dfid);
}

static int cmd_cat(struct probe *p, char **av)
{
	uint32_t fid;
	int rc = probe_walk(p, av[0], &fid);
	if (rc == 0)
		rc = p9_lopen(p->c, fid, P9_DOTL_RDONLY, NULL, NULL);
	char buf[65536];
	uint64_t off = 0;
	ssize_t n;
	while (rc == 0 && (n = p9_read(p->c, fid, off, buf, sizeof buf)) != 0) {
		if (n < 0)
			return (int)n;
		fwrite(buf, 1, (size_t)n, stdout);
		off += (uint64_t)n;
	}
	return rc;
}

static int write_all(struct probe *p, uint32_t fid, uint64_t off, const char *data)
{
	size_t len = strlen(data);
	while (len > 0) {
		ssize_t n = p9_write(p->c, fid, off, data, (uint32_t)len);
		if (n <= 0)
			return n < 0 ? (int)n : -EIO;
		data += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int cmd_put(struct probe *p, char **av)
{
	uint32_t dfid;
	const char *name;
	int rc = probe_walk_parent(p, av[0], &dfid, &name);
	if (rc == 0)
		rc = p9_lcreate(p->c, dfid, name, P9_DOTL_WRONLY, 0644, (uint32_t)-1, NULL, NULL);
	return rc == 0 ? write_all(p, dfid, 0, av[1]) : rc;
}

static int cmd_append(struct probe *p, char **av)
{
	uint32_t fid;
	int rc = probe_walk(p, av[0], &fid);
	if (rc == 0)
		rc = p9_lopen(p->c, fid, P9_DOTL_WRONLY | P9_DOTL_APPEND, NULL, NULL);
	return rc == 0 ? write_all(p, fid, 0, av[1]) : rc;
}

static int cmd_mkdir(struct probe *p, char **av)
{
	uint32_t dfid;
	const char *name;
	int rc = probe_walk_parent(p, av[0], &dfid, &name);
	return rc == 0 ? p9_mkdir(p->c, dfid, name, 0755, (uint32_t)-1, NULL) : rc;
}

static int cmd_mknod(struct probe *p, char **av)
{
	uint32_t dfid, mode;
	const char *name;
	switch (av[1][0]) {
	case 'p': mode = S_IFIFO | 0644; break;
	case 's': mode = S_IFSOCK | 0644; break;
	case 'c': mode = S_IFCHR | 0644; break;
	case 'b': mode = S_IFBLK | 0644; break;
	default: return -EINVAL;
	}
	int rc = probe_walk_parent(p, av[0], &dfid, &name);
	/* 1:3 is /dev/null's number, 8:0 a disk: neither may ever appear. */
	return rc == 0 ? p9_mknod(p->c, dfid, name, mode, av[1][0] == 'b' ? 8 : 1,
				  av[1][0] == 'b' ? 0 : 3, (uint32_t)-1, NULL) : rc;
}

static int cmd_ls(struct probe *p, char **av)
{
	uint32_t fid;
	int rc = probe_walk(p, av[0], &fid);
	if (rc == 0)
		rc = p9_lopen(p->c, fid, P9_DOTL_RDONLY, NULL, NULL);
	uint8_t buf[8192];
	uint64_t off = 0;
	while (rc == 0) {
		ssize_t n = p9_readdir(p->c, fid, off, buf, sizeof buf);
		if (n <= 0)
			return (int)n;
		size_t pos = 0;
		struct p9_dirent d;
		while (p9_dirent_next(buf, (size_t)n, &pos, &d) == 1) {
			printf("%.*s\n", d.name.len, d.name.s);
			off = d.offset;
		}
	}
	return rc;
}

static int cmd_stat(struct probe *p, char **av)
{
	uint32_t fid;
	struct p9_attr a;
	int rc = probe_walk(p, av[0], &fid);
	if (rc == 0)
		rc = p9_getattr(p->c, fid, P9_GETATTR_BASIC, &a);
	if (rc == 0)
		printf("%o %u %u %llu\n", a.mode, a.uid, a.gid, (unsigned long long)a.size);
	return rc;
}

static int cmd_rm(struct probe *p, char **av)
{
	uint32_t dfid, fid;
	const char *name;
	struct p9_attr a;
	int rc = probe_walk(p, av[0], &fid);
	if (rc == 0)
		rc = p9_getattr(p->c, fid, P9_GETATTR_MODE, &a);
	if (rc == 0)
		rc = probe_walk_parent(p, av[0], &dfid, &name);
	return rc == 0 ? p9_unlinkat(p->c, dfid, name, S_ISDIR(a.mode) ? P9_AT_REMOVEDIR : 0) : rc;
}

static int cmd_open(struct probe *p, char **av)
{
	uint32_t fid;
	int rc = probe_walk(p, av[0], &fid);
	return rc == 0 ? p9_lopen(p->c, fid, P9_DOTL_RDONLY, NULL, NULL) : rc;
}

static int cmd_chmod(struct probe *p, char **av)
{
	uint32_t fid;
	struct p9_iattr ia = { .valid = P9_SETATTR_MODE, .mode = (uint32_t)strtoul(av[1], NULL, 8) };
	int rc = probe_walk(p, av[0], &fid);
	return rc == 0 ? p9_setattr(p->c, fid, &ia) : rc;
}

static int cmd_walk(struct probe *p, char **av)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", av[0]);
	const char *names[P9_MAXWELEM];
	uint16_t n = 0;
	for (char *save = NULL, *t = strtok_r(buf, "/", &save); t && n < P9_MAXWELEM;
	     t = strtok_r(NULL, "/", &save))
		names[n++] = t;
	uint32_t fid;
	struct p9_qid q[P9_MAXWELEM];
	int rc = p9_fid_alloc(p->c, &fid);
	if (rc == 0)
		rc = p9_walk(p->c, p->root, fid, n, names, q);
	if (rc >= 0)
		printf("%d\n", rc);
	return rc < 0 ? rc : 0;
}

static int cmd_qid(struct probe *p, char **av)
{
	uint32_t fid;
	struct p9_attr a;
	int rc = probe_walk(p, av[0], &fid);
	if (rc == 0)
		rc = p9_getattr(p->c, fid, P9_GETATTR_BASIC, &a);
	if (rc == 0)
		printf("%llx\n", (unsigned long long)a.qid.path);
	return rc;
}

static int cmd_fids(struct probe *p, char **av)
{
	long want = strtol(av[0], NULL, 10), got = 0;
	int rc = 0;
	for (; got < want; got++) {
		uint32_t fid;
		rc = p9_fid_alloc(p->c, &fid);
		if (rc == 0)
			rc = p9_walk(p->c, p->root, fid, 0, NULL, NULL);
		if (rc < 0)
			break;
	}
	printf("%ld\n", got);
	return rc;
}

static int one_cycle(struct probe *p, const char *path)
{
	uint32_t root, f;
	char buf[64];
	int rc = p9_fid_alloc(p->c, &root);
	if (rc < 0)
		return rc;
	rc = p9_attach(p->c, root, "", p->aname, p->uid, NULL);
	if (rc == 0 && (rc = p9_fid_alloc(p->c, &f)) == 0) {
		rc = p9_walk(p->c, root, f, 1, &path, NULL);
		rc = rc == 1 ? p9_lopen(p->c, f, P9_DOTL_RDONLY, NULL, NULL) : rc < 0 ? rc : -ENOENT;
		if (rc == 0 && p9_read(p->c, f, 0, buf, sizeof buf) < 0)
			rc = -EIO;
		int crc = p9_clunk(p->c, f);
		rc = rc < 0 ? rc : crc;
	}
	int crc = p9_clunk(p->c, root);
	return rc < 0 ? rc : crc;
}

static int cmd_cycles(struct probe *p, char **av)
{
	long n = strtol(av[1], NULL, 10);
	for (long i = 0; i < n; i++) {
		int rc = one_cycle(p, av[0]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int cmd_hold(struct probe *p, char **av)
{
	printf("attached\n");
	fflush(stdout);
	sleep((unsigned)strtoul(av[0], NULL, 10));
	return 0;
}

static int cmd_garbage(struct probe *p, char **av)
{
	long n = strtol(av[0], NULL, 10);
	int urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (urandom < 0)
		return -errno;
	for (long i = 0; i < n; i++) {
		uint8_t buf[4096];
		int fd = addr_connect(p->addr);
		if (fd < 0) {
			close(urandom);
			return fd;
		}
		if (read(urandom, buf, sizeof buf) == (ssize_t)sizeof buf)
			(void)!write(fd, buf, sizeof buf);
		close(fd);
	}
	close(urandom);
	return 0;
}

static int cmd_suite(struct probe *p, char **av)
{
	suite_run(p, av[0]);
	suite_raw_run(p->addr, p->aname);
	tap_plan();
	return tap_failures() ? -EPROTO : 0;
}

static const struct {
	const char *name;
	int nargs;
	int (*fn)(struct probe *, char **);
	bool raw;               /* no attach first */
} cmds[] = {
	{ "cat", 1, cmd_cat, false }, { "put", 2, cmd_put, false }, { "append", 2, cmd_append, false },
	{ "mkdir", 1, cmd_mkdir, false }, { "mknod", 2, cmd_mknod, false }, { "ls", 1, cmd_ls, false },
	{ "stat", 1, cmd_stat, false }, { "rm", 1, cmd_rm, false }, { "open", 1, cmd_open, false },
	{ "chmod", 2, cmd_chmod, false }, { "walk", 1, cmd_walk, false }, { "fids", 1, cmd_fids, false },
	{ "suite", 1, cmd_suite, false }, { "hold", 1, cmd_hold, false },
	{ "cycles", 2, cmd_cycles, false }, { "qid", 1, cmd_qid, false }, { "garbage", 1, cmd_garbage, true },
	{ "hostfd", 1, cmd_hostfd, false }, { "rawfds", 1, cmd_rawfds, true },
};

int main(int argc, char **argv)
{
	struct probe p = { .aname = "", .uid = 0, .msize = 65536 };
	if (argc >= 4 && (strcmp(argv[1], "paired") == 0 || strcmp(argv[1], "fdlisten") == 0)) {
		int rc = paired_run(argv[2], argv + 3, (size_t)argc - 3, argv[1][0] == 'p');
		if (rc < 0)
			printf("ERR %s\n", strerrorname_np(-rc) ? strerrorname_np(-rc) : "?");
		return rc < 0;
	}
	int opt;
	while ((opt = getopt(argc, argv, "u:a:m:F")) != -1) {
		switch (opt) {
		case 'u': p.uid = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'a': p.aname = optarg; break;
		case 'm': p.msize = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'F': p.flags |= P9_CLIENT_HOSTFDS; break;
		default: return 2;
		}
	}
	if (argc - optind < 2) {
		fputs("usage: gofer-probe [-u UID] [-a ANAME] [-m MSIZE] [-F] ADDR COMMAND [ARGS]\n", stderr);
		return 2;
	}
	p.addr = argv[optind];
	const char *cmd = argv[optind + 1];
	char **args = argv + optind + 2;
	int nargs = argc - optind - 2;
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (strcmp(cmds[i].name, cmd) != 0)
			continue;
		if (nargs != cmds[i].nargs) {
			fprintf(stderr, "gofer-probe: %s takes %d argument(s)\n", cmd, cmds[i].nargs);
			return 2;
		}
		int rc = cmds[i].raw ? 0 : probe_open(&p);
		if (rc == 0)
			rc = cmds[i].fn(&p, args);
		probe_close(&p);
		if (rc < 0) {
			fflush(stdout);
			printf("ERR %s\n", strerrorname_np(-rc) ? strerrorname_np(-rc) : "?");
			return 1;
		}
		return 0;
	}
	fprintf(stderr, "gofer-probe: unknown command %s\n", cmd);
	return 2;
}
