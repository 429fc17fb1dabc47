/* Special files: the client may not make device nodes; fifos, sockets and
 * device nodes (the client's or the host's) are never opened, and asking
 * must not block the server. */
#include "attack.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

void attack_mknod(struct sec_env *e)
{
	struct sess s;
	int r = sess_open(e, &s);
	CHECK(r == 0, "attach: %d", r);
	if (r)
		return;
	r = p9_mknod(s.c, s.root, "cdev", S_IFCHR | 0666, 1, 3, 0, NULL);
	CHECK(r == -EPERM, "Tmknod char 1,3: %d, want EPERM", r);
	r = p9_mknod(s.c, s.root, "bdev", S_IFBLK | 0666, 8, 0, 0, NULL);
	CHECK(r == -EPERM, "Tmknod block 8,0: %d, want EPERM", r);
	r = p9_mknod(s.c, s.root, "cdev_mem", S_IFCHR | 0600, 1, 1, 0, NULL);
	CHECK(r == -EPERM, "Tmknod /dev/mem's numbers: %d, want EPERM", r);
	r = p9_mknod(s.c, s.root, "cdev0", S_IFCHR | 0666, 0, 0, 0, NULL);
	CHECK(r == -EPERM, "Tmknod char 0,0 (whiteout): %d, want EPERM", r);
	CHECK(!host_exists(e->export, "cdev") && !host_exists(e->export, "bdev") &&
	      !host_exists(e->export, "cdev_mem") && !host_exists(e->export, "cdev0"),
	      "a device node exists on the host");
	/* Fifos and sockets may be created as inodes. */
	r = p9_mknod(s.c, s.root, "fifo9", S_IFIFO | 0644, 0, 0, 0, NULL);
	CHECK(r == 0 || sensible_errno(r), "Tmknod fifo: %d", r);
	r = p9_mknod(s.c, s.root, "sock9", S_IFSOCK | 0644, 0, 0, 0, NULL);
	CHECK(r == 0 || sensible_errno(r), "Tmknod socket: %d", r);
	/* A setuid regular file made by mknod is just a file; no type bits
	 * beyond the known ones. */
	r = p9_mknod(s.c, s.root, "notype", 0644 | 0170000, 0, 0, 0, NULL);
	CHECK(sensible_errno(r), "Tmknod with a bogus type: %d", r);
	sess_close(&s);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Tlopen of a special file: fails at once, whatever the mode. */
static void open_special(struct sec_env *e, const char *name)
{
	static const uint32_t modes[] = {
		P9_DOTL_RDONLY, P9_DOTL_WRONLY, P9_DOTL_RDWR, P9_DOTL_RDONLY | P9_DOTL_NONBLOCK,
	};
	if (!host_exists(e->export, name))
		return;                 /* the server refused to make it: fine */
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		struct sess s;
		if (sess_open(e, &s) < 0) {
			CHECK(0, "%s: attach", name);
			return;
		}
		const char *names[] = { name };
		uint32_t f;
		if (sess_walk(&s, s.root, 1, names, &f, NULL) != 1) {
			CHECK(0, "%s: walk", name);
			sess_close(&s);
			return;
		}
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		struct watchdog *w = watchdog_start(s.c, 3000);
		int r = p9_lopen(s.c, f, modes[i], NULL, NULL);
		bool fired = watchdog_stop(w);
		CHECK(!fired, "%s: Tlopen(%#x) blocked the server for 3 s", name, modes[i]);
		CHECK(sensible_errno(r), "%s: Tlopen(%#x) gave %d", name, modes[i], r);
		CHECK(ms_since(&t0) < 2000, "%s: Tlopen took %ld ms", name, ms_since(&t0));
		if (!fired) {
			struct p9_attr a;
			CHECK(p9_getattr(s.c, f, P9_GETATTR_BASIC, &a) == 0, "%s: getattr", name);
			/* Reads and writes on the unopened fid fail too. */
			char b[8];
			CHECK(p9_read(s.c, f, 0, b, sizeof b) < 0, "%s: Tread unopened", name);
			CHECK(p9_write(s.c, f, 0, "x", 1) < 0, "%s: Twrite unopened", name);
			sess_clunk(&s, f);
		}
		sess_close(&s);
	}
}

void attack_special_open(struct sec_env *e)
{
	const char *names[] = { "hostfifo", "hostsock", "devnull", "fifo9", "sock9" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		open_special(e, names[i]);
	/* Tlcreate onto an existing fifo: O_CREAT without O_EXCL would open it. */
	struct sess s;
	if (sess_open(e, &s) == 0) {
		uint32_t d;
		if (sess_clone(&s, &d) == 0) {
			struct watchdog *w = watchdog_start(s.c, 3000);
			int r = p9_lcreate(s.c, d, "hostfifo", P9_DOTL_RDONLY | P9_DOTL_CREATE, 0644, 0,
					   NULL, NULL);
			bool fired = watchdog_stop(w);
			CHECK(!fired, "Tlcreate on an existing fifo blocked");
			CHECK(sensible_errno(r), "Tlcreate on an existing fifo: %d", r);
			if (!fired)
				sess_clunk(&s, d);
		}
		sess_close(&s);
	}
	char p[512];
	struct stat st;
	snprintf(p, sizeof p, "%s/hostfifo", e->export);
	CHECK(lstat(p, &st) == 0 && S_ISFIFO(st.st_mode), "hostfifo was replaced");
}
