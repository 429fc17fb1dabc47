/* A bound on the inodes a mount holds.
 *
 * Every inode the kernel keeps holds a fid, and burrow-gofer holds a host
 * fd for every fid; the kernel keeps dentries (and so inodes) for as long
 * as memory allows.  Unbounded, a walk of a tree larger than the server's
 * RLIMIT_NOFILE fails with EMFILE half-way.  Past fs->max_inodes a thread
 * asks the kernel to drop the oldest names it was given (FUSE's inval_entry
 * notification), down to three quarters of the bound: an unused dentry is
 * dropped and its inode forgotten (its fid clunked); one in use (open,
 * someone's cwd) stays.  A dropped name is looked up again when used, so
 * this costs round trips, never correctness.  Files go first, oldest
 * first; directories only when files are not enough (dropping one drops
 * its unused subtree). */
#include "fs_int.h"
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHRINK_BATCH 256u
#define SETTLE_NS    (2 * 1000 * 1000)     /* forgets land between batches */
#define BACKOFF_NS   (100 * 1000 * 1000)   /* after a round that freed nothing */

struct fs_shrink {
	struct fs *fs;
	struct fuse_session *se;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	atomic_bool kicked;
	bool stop;
	uint64_t round;               /* a pass over every name, starting at 1 */
};

struct victim {
	fuse_ino_t parent;
	char *name;
};

static size_t fids_held(struct fs *fs)
{
	pthread_mutex_lock(&fs->itab.mu);
	size_t n = fs_fids_held_locked(fs);
	pthread_mutex_unlock(&fs->itab.mu);
	return n;
}

/* Up to `max` names of this round not asked yet, of directories or of
 * the rest, oldest first; each is marked asked. */
static size_t collect(struct fs *fs, uint64_t round, bool dirs, struct victim *v, size_t max)
{
	struct fs_itable *t = &fs->itab;
	size_t n = 0;
	pthread_mutex_lock(&t->mu);
	for (struct fs_inode *i = t->all_tail; i && n < max; i = i->aprev) {
		if (i == fs->root || !i->ename || i->shrink_round == round ||
		    ((i->qtype & P9_QTDIR) != 0) != dirs)
			continue;
		char *name = strdup(i->ename);
		if (!name)
			break;
		i->shrink_round = round;
		v[n].parent = i->ename_parent;
		v[n].name = name;
		n++;
	}
	pthread_mutex_unlock(&t->mu);
	return n;
}

static void drop_names(struct fs_shrink *s, struct victim *v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		/* ENOENT: the kernel has no such entry (any more); a stale
		 * name may name another file now, which just costs it a
		 * lookup */
		fuse_lowlevel_notify_inval_entry(s->se, v[k].parent, v[k].name, strlen(v[k].name));
		free(v[k].name);
	}
}

void fs_cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(c, &ca);
	pthread_condattr_destroy(&ca);
}

void fs_deadline_in(struct timespec *t, long ns)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_nsec += ns;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* Sleep ns (under a second); false if stopped meanwhile. */
static bool sleep_unless_stopped(struct fs_shrink *s, long ns)
{
	struct timespec until;
	fs_deadline_in(&until, ns);
	pthread_mutex_lock(&s->mu);
	while (!s->stop && pthread_cond_timedwait(&s->cond, &s->mu, &until) != ETIMEDOUT)
		;
	bool stop = s->stop;
	pthread_mutex_unlock(&s->mu);
	return !stop;
}

/* Ask until the mount is under its low mark.  A round asks each name
 * once; forgets land a little later, so when a round ends with the mount
 * still over, the next starts at once if the last one freed anything.
 * False when a whole round freed nothing (all in use): wait, then retry. */
static bool shrink_pass(struct fs_shrink *s)
{
	struct fs *fs = s->fs;
	size_t low = fs->max_inodes - fs->max_inodes / 4;
	size_t live = fids_held(fs), round_start = live;
	struct victim v[SHRINK_BATCH];
	bool dirs = false;
	while (live > low) {
		size_t n = collect(fs, s->round, dirs, v, SHRINK_BATCH);
		if (n == 0 && !dirs) {
			dirs = true;
			continue;
		}
		if (n == 0) {
			s->round++;
			dirs = false;
			if (live >= round_start)
				return false;
			round_start = live;
			continue;
		}
		drop_names(s, v, n);
		if (!sleep_unless_stopped(s, SETTLE_NS))
			return true;
		live = fids_held(fs);
	}
	return true;
}

static void *shrinker(void *arg)
{
	struct fs_shrink *s = arg;
	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (!s->stop && !atomic_load(&s->kicked))
			pthread_cond_wait(&s->cond, &s->mu);
		bool stop = s->stop;
		pthread_mutex_unlock(&s->mu);
		if (stop)
			break;
		bool done = shrink_pass(s);
		atomic_store(&s->kicked, false);
		if (!done && !sleep_unless_stopped(s, BACKOFF_NS))
			break;
	}
	return NULL;
}

void fs_shrink_kick(struct fs *fs)
{
	struct fs_shrink *s = fs->shrink;
	if (!s || atomic_exchange(&s->kicked, true))
		return;
	pthread_mutex_lock(&s->mu);
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mu);
}

int fs_shrink_start(struct fs *fs, struct fuse_session *se)
{
	if (!fs->max_inodes)
		return 0;
	struct fs_shrink *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->fs = fs;
	s->se = se;
	s->round = 1;
	pthread_mutex_init(&s->mu, NULL);
	fs_cond_init_monotonic(&s->cond);
	int r = pthread_create(&s->thread, NULL, shrinker, s);
	if (r != 0) {
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->mu);
		free(s);
		log_warn("fs: cannot start the inode shrinker: %s", strerror(r));
		return -r;
	}
	fs->shrink = s;
	return 0;
}

void fs_shrink_stop(struct fs *fs)
{
	struct fs_shrink *s = fs->shrink;
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	fs->shrink = NULL;
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
