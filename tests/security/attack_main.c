/* Driver of the attack suite: builds the export and the canary tree,
 * starts burrow-gofer (confined, as it runs for real), runs each group of
 * attacks and after each one checks that the server still serves, has
 * not died, and that the canary tree and the directory holding the export
 * are unchanged.  Needs root (confinement does); skips otherwise.
 *
 * Usage: attack [GROUP...]   (no argument: every group)
 * BURROW_NO_CONFINE=1 runs the server with --no-confine: the same attacks
 * then test the server's own checks without the kernel's second line
 * (the view, nodev, nosymfollow, seccomp); the proc group is skipped. */
#include "attack.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

int check_failures;

/* ---- sessions ---- */

int sess_open_as(const struct sec_env *e, struct sess *s, const char *aname, uint32_t n_uname)
{
	s->c = NULL;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s", e->sock);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	int r = p9_client_new(fd, 1u << 20, &s->c);
	if (r < 0)
		return r;
	p9_client_set_max_fids(s->c, 1u << 20);
	r = p9_fid_alloc(s->c, &s->root);
	if (r == 0)
		r = p9_attach(s->c, s->root, "root", aname, n_uname, &s->qid);
	if (r < 0) {
		p9_client_free(s->c);
		s->c = NULL;
	}
	return r;
}

int sess_open(const struct sec_env *e, struct sess *s)
{
	return sess_open_as(e, s, e->export, 0);
}

void sess_close(struct sess *s)
{
	if (s->c)
		p9_client_free(s->c);
	s->c = NULL;
}

int sess_walk(struct sess *s, uint32_t from, int n, const char *const *names,
	      uint32_t *newfid, struct p9_qid *qids)
{
	uint32_t nf;
	int r = p9_fid_alloc(s->c, &nf);
	if (r < 0)
		return r;
	struct p9_qid tmp[P9_MAXWELEM];
	r = p9_walk(s->c, from, nf, (uint16_t)n, names, qids ? qids : tmp);
	if (r == n) {
		*newfid = nf;
	} else {
		p9_fid_release(s->c, nf);
		*newfid = P9_NOFID;
	}
	return r;
}

int sess_clone(struct sess *s, uint32_t *fid)
{
	int r = sess_walk(s, s->root, 0, NULL, fid, NULL);
	return r < 0 ? r : 0;
}

void sess_clunk(struct sess *s, uint32_t fid)
{
	if (fid == P9_NOFID)
		return;
	p9_clunk(s->c, fid);
	p9_fid_release(s->c, fid);
}

int sess_open_file(struct sess *s, const char *name, uint32_t flags, uint32_t *fid)
{
	const char *names[] = { name };
	int r = sess_walk(s, s->root, 1, names, fid, NULL);
	if (r != 1)
		return r < 0 ? r : -ENOENT;
	r = p9_lopen(s->c, *fid, flags, NULL, NULL);
	if (r < 0) {
		sess_clunk(s, *fid);
		*fid = P9_NOFID;
	}
	return r;
}

bool sensible_errno(int rc)
{
	return rc < 0 && rc != -EIO && rc != -ENOSYS && rc != -EPROTO && rc != -ECONNRESET;
}

bool qid_eq(const struct p9_qid *a, const struct p9_qid *b)
{
	return a->type == b->type && a->path == b->path;
}

/* ---- raw connections ---- */

int raw_send(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int raw_send_msg(int fd, const struct p9_msg *m)
{
	static __thread uint8_t buf[SEC_MSIZE * 2];
	int n = p9_encode(m, buf, sizeof buf);
	if (n < 0)
		return n;
	int r = raw_send(fd, buf, (size_t)n);
	return r < 0 ? r : n;
}

static int read_exact(int fd, uint8_t *buf, size_t n, int timeout_ms)
{
	size_t got = 0;
	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int pr = poll(&p, 1, timeout_ms);
		if (pr == 0)
			return -ETIMEDOUT;
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		ssize_t r = recv(fd, buf + got, n - got, 0);
		if (r == 0 || (r < 0 && (errno == ECONNRESET || errno == EPIPE)))
			return 0;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		got += (size_t)r;
	}
	return 1;
}

int raw_recv(int fd, uint8_t *buf, size_t cap, int timeout_ms)
{
	int r = read_exact(fd, buf, 4, timeout_ms);
	if (r <= 0)
		return r;
	uint32_t size = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
			(uint32_t)buf[3] << 24;
	if (size < P9_HDRSZ || size > cap)
		return -EMSGSIZE;
	r = read_exact(fd, buf + 4, size - 4, timeout_ms);
	return r <= 0 ? r : (int)size;
}

int raw_connect(const struct sec_env *e, bool version)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s", e->sock);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	if (!version)
		return fd;
	struct p9_msg m = { .type = P9_TVERSION, .tag = P9_NOTAG };
	m.u.version.msize = SEC_MSIZE;
	m.u.version.version = p9_str_of(P9_VERSION_L);
	uint8_t buf[256];
	int r = raw_send_msg(fd, &m);
	if (r >= 0)
		r = raw_recv(fd, buf, sizeof buf, 5000);
	if (r <= 0 || buf[4] != P9_RVERSION) {
		close(fd);
		return r < 0 ? r : -EPROTO;
	}
	return fd;
}

/* ---- host side ---- */

bool host_exists(const char *dir, const char *name)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

static uint64_t sum;

static void mix(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		sum = (sum ^ b[i]) * 0x100000001b3ULL;
}

static int sum_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)type;
	(void)f;
	mix(path, strlen(path));
	mix(&st->st_mode, sizeof st->st_mode);
	mix(&st->st_uid, sizeof st->st_uid);
	mix(&st->st_gid, sizeof st->st_gid);
	mix(&st->st_nlink, sizeof st->st_nlink);
	mix(&st->st_size, sizeof st->st_size);
	mix(&st->st_mtim, sizeof st->st_mtim);
	mix(&st->st_ctim, sizeof st->st_ctim);
	if (S_ISREG(st->st_mode)) {
		char buf[4096];
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n;
		while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
			mix(buf, (size_t)n);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

uint64_t host_tree_sum(const char *dir)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&lock);
	sum = 0xcbf29ce484222325ULL;
	nftw(dir, sum_one, 16, FTW_PHYS);
	uint64_t r = sum;
	pthread_mutex_unlock(&lock);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void host_list(const char *dir, char *out, size_t cap)
{
	out[0] = '\0';
	DIR *d = opendir(dir);
	if (!d)
		return;
	char *names[256];
	size_t n = 0, len = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < 256)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof names[0], cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (len < cap)
			len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "", names[i]);
		free(names[i]);
	}
}

/* ---- watchdog ---- */

struct watchdog {
	pthread_t t;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct p9_client *c;
	int ms;
	bool done, fired;
};

static void *watchdog_main(void *arg)
{
	struct watchdog *w = arg;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += w->ms / 1000;
	until.tv_nsec += (long)(w->ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	while (!w->done)
		if (pthread_cond_timedwait(&w->cond, &w->lock, &until) == ETIMEDOUT)
			break;
	if (!w->done) {
		w->fired = true;
		p9_client_kill(w->c);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct watchdog *watchdog_start(struct p9_client *c, int ms)
{
	struct watchdog *w = calloc(1, sizeof *w);
	if (!w)
		abort();
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->c = c;
	w->ms = ms;
	if (pthread_create(&w->t, NULL, watchdog_main, w))
		abort();
	return w;
}

bool watchdog_stop(struct watchdog *w)
{
	pthread_mutex_lock(&w->lock);
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->t, NULL);
	bool fired = w->fired;
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
	return fired;
}

/* ---- the tree ---- */

static int put_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) && chmod(p, mode) == 0 ? 0 : -1;
}

/* A unix socket inode: bind, then close (the inode stays). */
static int put_socket(const char *dir, const char *name)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(dir) + strlen(name) + 2 > sizeof a.sun_path) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memcpy(a.sun_path, dir, strlen(dir));
	a.sun_path[strlen(dir)] = '/';
	memcpy(a.sun_path + strlen(dir) + 1, name, strlen(name) + 1);
	int r = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 ? 0 : -1;
	if (fd >= 0)
		close(fd);
	return r;
}

static int build_tree(struct sec_env *e)
{
	snprintf(e->base, sizeof e->base, "/tmp/burrow-sec-XXXXXX");
	if (!mkdtemp(e->base))
		return -1;
	chmod(e->base, 0755);
	snprintf(e->export, sizeof e->export, "%s/export", e->base);
	snprintf(e->outside, sizeof e->outside, "%s/outside", e->base);
	snprintf(e->sock, sizeof e->sock, "%s/gofer.sock", e->base);
	snprintf(e->log, sizeof e->log, "%s/gofer.log", e->base);
	char p[512], q[512];
	if (mkdir(e->export, 0755) || mkdir(e->outside, 0755))
		return -1;
	snprintf(p, sizeof p, "%s/sub", e->export);
	snprintf(q, sizeof q, "%s/race_dir", e->export);
	if (mkdir(p, 0755) || mkdir(q, 0777) || put_file(p, "inner.txt", "inner", 0644))
		return -1;
	snprintf(p, sizeof p, "%s/canary_dir", e->outside);
	if (mkdir(p, 0755) || put_file(p, "x", "x", 0644) ||
	    put_file(e->outside, "canary.txt", "do not touch", 0644) ||
	    put_file(e->export, "file.txt", "hello", 0644) ||
	    put_file(e->export, "secret", "root only", 0600) ||
	    put_file(e->export, "victim.txt", "0123456789", 0644) ||
	    put_socket(e->export, "hostsock"))
		return -1;
	int d = open(e->export, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return -1;
	snprintf(p, sizeof p, "%s/canary.txt", e->outside);
	int r = symlinkat("../outside", d, "rel") || symlinkat(e->outside, d, "abs") ||
		symlinkat("../outside/canary.txt", d, "rel_file") || symlinkat(p, d, "abs_file") ||
		symlinkat("..", d, "dotdot") || symlinkat("loop", d, "loop") ||
		symlinkat(e->outside, d, "race_link") ||
		mknodat(d, "devnull", S_IFCHR | 0666, makedev(1, 3)) ||
		mknodat(d, "hostfifo", S_IFIFO | 0666, 0);
	close(d);
	return r ? -1 : 0;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* ---- the server ---- */

static int wait_ready(const struct sec_env *e)
{
	for (int i = 0; i < 200; i++) {
		int fd = raw_connect(e, true);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		int st;
		if (waitpid(e->pid, &st, WNOHANG) == e->pid)
			return -ECHILD;
		usleep(25000);
	}
	return -ETIMEDOUT;
}

static int start_gofer(struct sec_env *e, const char *const *extra)
{
	char fids[16], conns[16], listen[160];
	snprintf(fids, sizeof fids, "%u", SEC_MAX_FIDS);
	snprintf(conns, sizeof conns, "%u", SEC_MAX_CONNS);
	snprintf(listen, sizeof listen, "unix:%s", e->sock);
	const char *argv[32] = { e->gofer, "serve", "--export", e->export, "--listen", listen,
				 "--max-fids", fids, "--max-conns", conns };
	size_t n = 10;
	if (e->no_confine)
		argv[n++] = "--no-confine";
	for (size_t i = 0; extra && extra[i] && n < 31; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	unlink(e->sock);
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open(e->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (nul >= 0) {
			dup2(nul, STDIN_FILENO);
			dup2(nul, STDOUT_FILENO);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	e->pid = pid;
	e->failures_at_start = check_failures;
	int r = wait_ready(e);
	if (r < 0) {
		NOTE("burrow-gofer did not come up: %s", strerror(-r));
		return r;
	}
	struct sess s;
	r = sess_open(e, &s);
	if (r == 0) {
		e->root_qid = s.qid;
		sess_close(&s);
	}
	return r;
}

static void show_log(const struct sec_env *e)
{
	char buf[4096];
	int fd = open(e->log, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	off_t end = lseek(fd, 0, SEEK_END);
	lseek(fd, end > (off_t)sizeof buf - 1 ? end - (off_t)sizeof buf + 1 : 0, SEEK_SET);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		NOTE("--- tail of the server's log ---\n%s", buf);
	}
}

/* Stop the server: it must be alive and end by our SIGTERM, not by SIGSYS
 * (a syscall outside its allowlist) or a crash. */
static void stop_gofer(struct sec_env *e)
{
	if (!e->pid)
		return;
	int before = e->failures_at_start;
	int st;
	pid_t w = waitpid(e->pid, &st, WNOHANG);
	CHECK(w == 0, "the server died during the run (status %#x)", w == e->pid ? st : -1);
	if (w == 0) {
		kill(e->pid, SIGTERM);
		for (int i = 0; i < 100 && (w = waitpid(e->pid, &st, WNOHANG)) == 0; i++)
			usleep(50000);
		if (w == 0) {
			kill(e->pid, SIGKILL);
			waitpid(e->pid, &st, 0);
			CHECK(0, "the server ignored SIGTERM for 5 s");
		} else {
			CHECK((WIFEXITED(st) && WEXITSTATUS(st) == 0) ||
			      (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM),
			      "the server ended with status %#x on SIGTERM (SIGSYS is %d)", st,
			      SIGSYS);
		}
	}
	if (check_failures > before)
		show_log(e);
	e->pid = 0;
}

/* The server answers a fresh attach, a walk and a getattr.  (Not of a
 * particular file: the random group may rename anything.) */
static bool server_serves(const struct sec_env *e)
{
	struct sess s;
	if (sess_open(e, &s) < 0)
		return false;
	const char *names[] = { "..", "." };
	uint32_t f;
	struct p9_attr a;
	bool ok = sess_walk(&s, s.root, 2, names, &f, NULL) == 2 &&
		  p9_getattr(s.c, f, P9_GETATTR_BASIC, &a) == 0 && qid_eq(&a.qid, &e->root_qid);
	sess_clunk(&s, f);
	sess_close(&s);
	return ok;
}

struct group {
	const char *name;
	void (*fn)(struct sec_env *e);
};

static const struct group groups[] = {
	{ "proc", attack_proc_status },
	{ "dotdot", attack_dotdot },
	{ "names", attack_bad_names },
	{ "symlinks", attack_symlinks },
	{ "attach", attack_attach_names },
	{ "mknod", attack_mknod },
	{ "special", attack_special_open },
	{ "race", attack_symlink_race },
	{ "malformed", attack_malformed },
	{ "fids", attack_fid_flood },
	{ "conns", attack_conn_flood },
	{ "random", attack_random },
};

static bool wanted(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

static void run_group(struct sec_env *e, const struct group *g, uint64_t canary,
		      const char *base_list)
{
	int before = check_failures;
	g->fn(e);
	int st;
	CHECK(waitpid(e->pid, &st, WNOHANG) == 0, "%s: the server died (status %#x)", g->name, st);
	CHECK(server_serves(e), "%s: the server no longer serves", g->name);
	CHECK(host_tree_sum(e->outside) == canary, "%s: the canary tree changed", g->name);
	char now[1024];
	host_list(e->base, now, sizeof now);
	CHECK(!strcmp(now, base_list), "%s: the export's parent changed: %s", g->name, now);
	NOTE("%s %s", check_failures == before ? "ok" : "not ok", g->name);
}

static int find_gofer(struct sec_env *e)
{
	const char *b = getenv("BURROW_BUILDDIR");
	snprintf(e->gofer, sizeof e->gofer, "%s/burrow-gofer", b ? b : ".");
	return access(e->gofer, X_OK);
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	struct sec_env e = { 0 };
	const char *nc = getenv("BURROW_NO_CONFINE");
	e.no_confine = nc && *nc && strcmp(nc, "0");
	if (geteuid() != 0) {
		NOTE("SKIP: the gofer confines itself only as root");
		return 77;
	}
	if (find_gofer(&e) < 0) {
		NOTE("SKIP: %s not built", e.gofer);
		return 77;
	}
	if (build_tree(&e) < 0) {
		NOTE("cannot build the test tree: %s", strerror(errno));
		return 99;
	}
	uint64_t canary = host_tree_sum(e.outside);
	if (start_gofer(&e, NULL) == 0) {
		char base_list[1024];
		host_list(e.base, base_list, sizeof base_list);
		for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
			if (!wanted(groups[i].name, argc, argv))
				continue;
			if (e.no_confine && groups[i].fn == attack_proc_status)
				NOTE("skip %s (--no-confine)", groups[i].name);
			else
				run_group(&e, &groups[i], canary, base_list);
		}
	} else {
		CHECK(0, "the server did not start");
	}
	stop_gofer(&e);

	if (wanted("users", argc, argv))
		attack_multi_user(&e);
	if (wanted("squash", argc, argv))
		attack_squash(&e);

	CHECK(host_tree_sum(e.outside) == canary, "the canary tree changed");
	if (check_failures == 0 || getenv("BURROW_KEEP") == NULL)
		nftw(e.base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		NOTE("kept %s", e.base);
	NOTE("%d failed checks", check_failures);
	return check_failures ? 1 : 0;
}

int attack_with_server(struct sec_env *e, const char *const *extra, bool multi_user,
		       void (*fn)(struct sec_env *e))
{
	int before = check_failures;
	e->multi_user = multi_user;
	chmod(e->export, 0755);        /* the random group may have changed it */
	int r = start_gofer(e, extra);
	CHECK(r == 0, "the server did not start with %s", extra && extra[0] ? extra[0] : "defaults");
	if (r == 0)
		fn(e);
	stop_gofer(e);
	e->multi_user = false;
	return check_failures == before ? 0 : -1;
}
