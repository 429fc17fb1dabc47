/* A mount's life: attach over 9P, create the FUSE session, mount, serve
 * on worker threads, end on umount or fs_mount_stop().
 *
 * The workers are our own loop over fuse_session_receive_buf/process_buf
 * (not fuse_session_loop_mt) so several mounts can live in one process and
 * stopping needs no signals: workers are cancelled while they wait in
 * read(2), as libfuse's own loop does. */
#include "fs_int.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define FS_MAX_IO (1u << 20)           /* FUSE's largest request (256 pages) */
#define FS_POOL_THREADS 8u
#define FS_MIN_WORKERS 2u

struct fs_mount {
	struct fs fs;
	struct fuse_session *se;
	char *mountpoint;
	int efd;                        /* readable once every worker ended */
	pthread_mutex_t mu;             /* the worker bookkeeping below */
	pthread_t *workers;
	unsigned nworkers, max_workers, idle, live;
	bool stopping;
	int error;                      /* first receive error */
};

void fs_ops_session(struct fuse_lowlevel_ops *ops);

/* ---- workers ---- */

static int spawn_worker_locked(struct fs_mount *m);

static void worker_end(void *arg)
{
	struct fs_mount *m = arg;
	pthread_mutex_lock(&m->mu);
	if (--m->live == 0) {
		uint64_t one = 1;
		if (write(m->efd, &one, sizeof one) < 0)
			log_warn("fs: cannot signal the end of the session: %m");
	}
	pthread_mutex_unlock(&m->mu);
}

static void buf_free(void *arg)
{
	struct fuse_buf *b = arg;
	free(b->mem);
	b->mem = NULL;
}

static void *worker(void *arg)
{
	struct fs_mount *m = arg;
	struct fuse_buf buf = { .mem = NULL };

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_cleanup_push(worker_end, m);
	pthread_cleanup_push(buf_free, &buf);
	while (!fuse_session_exited(m->se)) {
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
		int r = fuse_session_receive_buf(m->se, &buf);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		if (r == -EINTR)
			continue;
		if (r <= 0) {   /* 0: unmounted or aborted */
			pthread_mutex_lock(&m->mu);
			if (r < 0 && !m->error)
				m->error = r;
			pthread_mutex_unlock(&m->mu);
			fuse_session_exit(m->se);
			break;
		}
		/* keep one thread reading while this one waits on the server */
		pthread_mutex_lock(&m->mu);
		if (--m->idle == 0)
			spawn_worker_locked(m);
		pthread_mutex_unlock(&m->mu);

		fuse_session_process_buf(m->se, &buf);

		pthread_mutex_lock(&m->mu);
		m->idle++;
		pthread_mutex_unlock(&m->mu);
	}
	pthread_cleanup_pop(1);
	pthread_cleanup_pop(1);
	return NULL;
}

/* Under m->mu. Workers start with every signal blocked (inherited). */
static int spawn_worker_locked(struct fs_mount *m)
{
	if (m->stopping || m->nworkers >= m->max_workers)
		return 0;
	int r = pthread_create(&m->workers[m->nworkers], NULL, worker, m);
	if (r != 0) {
		log_warn("fs: cannot start a FUSE worker: %s", strerror(r));
		return -r;
	}
	m->nworkers++;
	m->idle++;
	m->live++;
	return 0;
}

/* ---- options to libfuse ---- */

static char *mount_optstr(const struct fs_opts *o)
{
	char *s = NULL;
	const char *fsname = o->fsname && *o->fsname ? o->fsname : "burrow";
	/* fsname is ours or the user's: refuse what would split the list */
	if (strpbrk(fsname, ",\\"))
		fsname = "burrow";
	int n = asprintf(&s, "fsname=%s,subtype=burrow,default_permissions%s%s%s%s", fsname,
			 o->allow_other ? ",allow_other" : "", o->ro ? ",ro" : "",
			 o->mntopts[0] ? "," : "", o->mntopts);
	return n < 0 ? NULL : s;
}

static int session_new(struct fs_mount *m, const struct fs_opts *o)
{
	struct fuse_lowlevel_ops ops;
	memset(&ops, 0, sizeof ops);
	fs_ops_session(&ops);
	fs_ops_entry(&ops);
	fs_ops_ns(&ops);
	fs_ops_file(&ops);
	fs_ops_dir(&ops);
	fs_ops_xattr(&ops);
	fs_ops_lock(&ops);

	char *optstr __cleanup_free = mount_optstr(o);
	if (!optstr)
		return -ENOMEM;
	char *argv[] = { "burrow-sentry", "-o", optstr, o->debug ? "-d" : NULL, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(o->debug ? 4 : 3, argv);
	m->se = fuse_session_new(&args, &ops, sizeof ops, &m->fs);
	fuse_opt_free_args(&args);
	return m->se ? 0 : -EINVAL;
}

/* ---- 9P side ---- */

static int attach(struct fs *fs, const struct fs_opts *o)
{
	uint32_t fid;
	struct p9_qid qid;
	int r = p9_fid_alloc(fs->c, &fid);
	if (r < 0)
		return r;
	char pwbuf[1024];
	struct passwd pw, *pwp = NULL;
	const char *uname = o->uname;
	if (!uname) {
		/* the attach uid's name, or "" when it has none */
		getpwuid_r(o->n_uname, &pw, pwbuf, sizeof pwbuf, &pwp);
		uname = pwp ? pwp->pw_name : "";
	}
	r = p9_attach(fs->c, fid, uname, o->aname ? o->aname : "", o->n_uname, &qid);
	if (r < 0) {
		p9_fid_release(fs->c, fid);
		log_error("fs: attach refused: %s", strerror(-r));
		return r;
	}
	if (!(qid.type & P9_QTDIR)) {
		fs_fid_put(fs, fid);
		log_error("fs: the attach point is not a directory");
		return -ENOTDIR;
	}
	/* the root's identity is what getattr reports, as for every later
	 * check of it (diod's Rattach follows a symlinked export, its
	 * Rgetattr does not) */
	struct stat st;
	r = fs_getattr_fid(fs, fid, NULL, &st);
	if (r == 0) {
		qid.path = st.st_ino;
		r = fs_root_init(fs, fid, &qid);
	}
	if (r < 0) {
		fs_fid_put(fs, fid);
		return r;
	}
	atomic_store(&fs->root->mode, (uint32_t)st.st_mode);
	atomic_store(&fs->root->gid, (uint32_t)st.st_gid);
	return 0;
}

/* Half the fds this process may have: the server (paired with us, its
 * limits are ours) holds one per fid and needs some for itself. */
static size_t auto_max_inodes(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_max == RLIM_INFINITY ||
	    rl.rlim_max / 2 > (1u << 20))
		return 1u << 20;
	return rl.rlim_max / 2 < 1024 ? 1024 : (size_t)(rl.rlim_max / 2);
}

static int fs_init(struct fs *fs, int conn_fd, const struct fs_opts *o)
{
	pthread_mutex_init(&fs->files_mu, NULL);
	int r = fs_itable_init(&fs->itab);
	if (r < 0) {
		close(conn_fd);
		return r;
	}
	r = p9_client_new_opts(conn_fd, o->msize, o->hostfds ? P9_CLIENT_HOSTFDS : 0,
			       &fs->c);   /* owns conn_fd now */
	if (r < 0) {
		log_error("fs: 9P version negotiation failed: %s", strerror(-r));
		return r;
	}
	fs->iounit = p9_client_iounit(fs->c);
	fs->ro = o->ro;
	fs->exclusive = o->cache == FS_CACHE_EXCLUSIVE;
	fs->max_inodes = o->max_inodes == FS_MAX_INODES_AUTO ? auto_max_inodes() : o->max_inodes;
	fs->no_opendir = fs->exclusive && p9_client_hostfds(fs->c);
	fs->attach_uid = o->n_uname;
	pthread_mutex_init(&fs->new_mu, NULL);
	/* only a root mount speaking to a root attach can hand new files to
	 * the creating user */
	fs->chown_new = geteuid() == 0 && o->n_uname == 0;
	if (fs->exclusive) {
		fs->attr_timeout = fs->entry_timeout = fs->neg_timeout = 60.0;
	} else {
		fs->attr_timeout = fs->entry_timeout = 1.0;
		fs->neg_timeout = 0;
	}
	if (fs->exclusive) {
		r = fs_names_new(&fs->names);
		if (r < 0)
			return r;
	}
	if (fs->iounit < FS_MAX_IO) {
		r = fs_iopool_new(FS_POOL_THREADS, &fs->pool);
		if (r < 0)
			return r;
	}
	return attach(fs, o);
}

static void fs_fini(struct fs *fs)
{
	if (fs->c)
		p9_client_kill(fs->c);
	fs_iopool_free(fs->pool);
	fs->pool = NULL;
	fs_names_free(fs->names);
	fs->names = NULL;
	fs_files_free_all(fs);
	if (fs->itab.buckets)
		fs_itable_destroy(fs);
	if (fs->c)
		p9_client_free(fs->c);
	fs->c = NULL;
}

/* ---- FUSE init/destroy ---- */

/* The largest FUSE read or write: whole pages within one Tread/Twrite.
 * msize 1 MiB leaves 1 MiB - 24 of payload, so 1 MiB requests would go
 * out as a full message and a 24-byte one. */
static uint32_t fuse_io_size(const struct fs *fs)
{
	uint32_t pg = (uint32_t)sysconf(_SC_PAGESIZE);
	uint32_t io = fs->iounit < FS_MAX_IO ? fs->iounit : FS_MAX_IO;
	io -= io % pg;
	return io < pg ? pg : io;
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct fs *fs = userdata;
	unsigned want = FUSE_CAP_ASYNC_READ | FUSE_CAP_ATOMIC_O_TRUNC | FUSE_CAP_POSIX_LOCKS |
			FUSE_CAP_FLOCK_LOCKS | FUSE_CAP_PARALLEL_DIROPS | FUSE_CAP_READDIRPLUS |
			FUSE_CAP_READDIRPLUS_AUTO | FUSE_CAP_ASYNC_DIO;
	if (fs->exclusive) {
		if (!fs->ro)
			want |= FUSE_CAP_WRITEBACK_CACHE;
		want |= FUSE_CAP_CACHE_SYMLINKS;
		conn->want &= ~(unsigned)FUSE_CAP_AUTO_INVAL_DATA;
	} else {
		/* another client may change data: drop pages when mtime moves */
		want |= FUSE_CAP_AUTO_INVAL_DATA;
		conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
	}
	/* splice gains nothing here: data comes from a socket we read anyway */
	conn->want &= ~(unsigned)(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE);
	if (fs->no_opendir)
		want |= FUSE_CAP_NO_OPENDIR_SUPPORT;
	conn->want |= want & conn->capable;
	fs->writeback = (conn->want & FUSE_CAP_WRITEBACK_CACHE) != 0;
	/* a kernel that cannot read directories without opens gets them */
	if (!(conn->want & FUSE_CAP_NO_OPENDIR_SUPPORT))
		fs->no_opendir = false;

	conn->max_write = fuse_io_size(fs);   /* libfuse derives max_pages */
	conn->max_background = 64;
	conn->congestion_threshold = 48;
	conn->time_gran = 1;
	log_debug("fs: init: writeback %d, iounit %u", fs->writeback, fs->iounit);
}

static void op_destroy(void *userdata)
{
	struct fs *fs = userdata;
	atomic_store(&fs->exiting, true);
}

void fs_ops_session(struct fuse_lowlevel_ops *ops)
{
	ops->init = op_init;
	ops->destroy = op_destroy;
}

/* The kernel caps a FUSE mount's readahead at its default (128 KiB): one
 * 9P round trip per 128 KiB halves sequential reads.  Raise it through the
 * mount's bdi in sysfs to four full requests, so that several are in
 * flight while the server reads its disk (a window that is not a multiple
 * of the request size sends a runt each time); without the right (not
 * root) it stays as it is. */
static void raise_readahead(const char *mountpoint, uint32_t io)
{
	struct stat st;
	char path[96];
	if (stat(mountpoint, &st) < 0)
		return;
	snprintf(path, sizeof path, "/sys/class/bdi/%u:%u/read_ahead_kb", major(st.st_dev),
		 minor(st.st_dev));
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char val[16];
	int n = snprintf(val, sizeof val, "%u", 4 * io / 1024);
	if (write(fd, val, (size_t)n) != n)
		log_debug("fs: cannot raise readahead: %m");
	close(fd);
}

/* ---- public API ---- */

static void mount_free(struct fs_mount *m)
{
	fs_shrink_stop(&m->fs);   /* it may be telling the kernel something */
	if (m->se) {
		fuse_session_unmount(m->se);
		fuse_session_destroy(m->se);
	}
	fs_fini(&m->fs);
	if (m->efd >= 0)
		close(m->efd);
	pthread_mutex_destroy(&m->mu);
	free(m->workers);
	free(m->mountpoint);
	free(m);
}

static int start_workers(struct fs_mount *m)
{
	pthread_mutex_lock(&m->mu);
	int r = 0;
	for (unsigned k = 0; k < FS_MIN_WORKERS && r == 0; k++)
		r = spawn_worker_locked(m);
	pthread_mutex_unlock(&m->mu);
	return m->nworkers ? 0 : r;
}

int fs_mount_start(int conn_fd, const char *mountpoint, const struct fs_opts *o,
		   struct fs_mount **out)
{
	struct fs_mount *m = calloc(1, sizeof *m);
	if (!m) {
		close(conn_fd);
		return -ENOMEM;
	}
	pthread_mutex_init(&m->mu, NULL);
	m->max_workers = o->max_threads ? o->max_threads : 32;
	m->workers = calloc(m->max_workers, sizeof *m->workers);
	m->mountpoint = strdup(mountpoint);
	m->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!m->workers || !m->mountpoint || m->efd < 0) {
		int r = m->efd < 0 ? -errno : -ENOMEM;
		close(conn_fd);
		mount_free(m);
		return r;
	}

	/* every thread we start (9P reader, pool, workers) takes no signals:
	 * they belong to the program's main thread */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int r = fs_init(&m->fs, conn_fd, o);
	if (r == 0)
		r = session_new(m, o);
	if (r == 0 && fuse_session_mount(m->se, m->mountpoint) != 0) {
		log_error("fs: cannot mount FUSE at the mountpoint");
		r = -EPERM;
	}
	if (r == 0)   /* failing, the mount just has no bound (logged) */
		fs_shrink_start(&m->fs, m->se);
	if (r == 0)
		r = start_workers(m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		mount_free(m);
		return r;
	}
	raise_readahead(m->mountpoint, fuse_io_size(&m->fs));   /* a FUSE request: workers are up */
	*out = m;
	return 0;
}

int fs_mount_event_fd(const struct fs_mount *m)
{
	return m->efd;
}

void fs_mount_stop(struct fs_mount *m)
{
	atomic_store(&m->fs.exiting, true);
	fuse_session_exit(m->se);
	pthread_mutex_lock(&m->mu);
	m->stopping = true;
	/* a worker busy with a request acts on this at its next read */
	for (unsigned k = 0; k < m->nworkers; k++)
		pthread_cancel(m->workers[k]);
	pthread_mutex_unlock(&m->mu);
}

/* Join a worker.  Once a stop was asked, a worker still inside a call
 * to a server that does not answer gets 5 s, then the connection is cut
 * so the call fails and the worker can end. */
static void join_worker(struct fs_mount *m, pthread_t t)
{
	pthread_mutex_lock(&m->mu);
	bool stopping = m->stopping;
	pthread_mutex_unlock(&m->mu);
	if (stopping) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 5;
		if (pthread_timedjoin_np(t, NULL, &ts) == 0)
			return;
		log_warn("fs: the server does not answer; cutting the connection");
		p9_client_kill(m->fs.c);
	}
	pthread_join(t, NULL);
}

int fs_mount_wait(struct fs_mount *m)
{
	pthread_mutex_lock(&m->mu);
	unsigned k = 0;
	while (k < m->nworkers) {    /* a worker may start another meanwhile */
		pthread_t t = m->workers[k++];
		pthread_mutex_unlock(&m->mu);
		join_worker(m, t);
		pthread_mutex_lock(&m->mu);
	}
	m->stopping = true;
	pthread_mutex_unlock(&m->mu);

	int r = m->error;
	if (r == 0 && m->fs.c && !p9_client_alive(m->fs.c))
		r = -EIO;
	mount_free(m);
	return r;
}
