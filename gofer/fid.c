#include "fid.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INITIAL_BUCKETS 64u

struct node *node_new(int fd)
{
	struct node *n = malloc(sizeof *n);
	if (!n) {
		close(fd);
		return NULL;
	}
	atomic_init(&n->refs, 1);
	n->fd = fd;
	return n;
}

struct node *node_ref(struct node *n)
{
	if (n)
		atomic_fetch_add_explicit(&n->refs, 1, memory_order_relaxed);
	return n;
}

void node_unref(struct node *n)
{
	if (n && atomic_fetch_sub_explicit(&n->refs, 1, memory_order_acq_rel) == 1) {
		close(n->fd);
		free(n);
	}
}

struct fid *fid_alloc(uint32_t num)
{
	struct fid *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->num = num;
	atomic_init(&f->refs, 1);
	atomic_init(&f->open_fd, -1);
	pthread_mutex_init(&f->lock, NULL);
	f->kind = FID_FILE;
	return f;
}

struct fid *fid_ref(struct fid *f)
{
	atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
	return f;
}

static void xattr_free(struct xattr_buf *xa)
{
	if (xa) {
		free(xa->data);
		free(xa);
	}
}

void fid_put(struct fid *f)
{
	if (!f || atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1)
		return;
	int fd = atomic_load(&f->open_fd);
	if (fd >= 0)
		close(fd);
	node_unref(f->node);
	node_unref(f->parent);
	free(f->name);
	xattr_free(f->xa);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

bool fid_is_root(const struct fid *f)
{
	return f->dev == f->root_dev && f->ino == f->root_ino;
}

int fid_table_init(struct fid_table *t, uint32_t max)
{
	memset(t, 0, sizeof *t);
	t->buckets = calloc(INITIAL_BUCKETS, sizeof *t->buckets);
	if (!t->buckets)
		return -ENOMEM;
	t->nbuckets = INITIAL_BUCKETS;
	t->max = max;
	pthread_mutex_init(&t->lock, NULL);
	return 0;
}

static uint32_t bucket_of(const struct fid_table *t, uint32_t num)
{
	uint32_t h = num * 2654435761u;    /* Knuth's multiplicative hash */
	return (h ^ (h >> 16)) & (t->nbuckets - 1);
}

/* Double the buckets when chains get long; on ENOMEM keep the old ones. */
static void maybe_grow(struct fid_table *t)
{
	if (t->count < t->nbuckets * 2 || t->nbuckets >= (1u << 20))
		return;
	uint32_t old_n = t->nbuckets;
	struct fid **nb = calloc((size_t)old_n * 2, sizeof *nb);
	if (!nb)
		return;
	struct fid **old = t->buckets;
	t->buckets = nb;
	t->nbuckets = old_n * 2;
	for (uint32_t i = 0; i < old_n; i++) {
		for (struct fid *f = old[i], *next; f; f = next) {
			next = f->hnext;
			uint32_t b = bucket_of(t, f->num);
			f->hnext = nb[b];
			nb[b] = f;
		}
	}
	free(old);
}

static struct fid **find_slot(struct fid_table *t, uint32_t num)
{
	struct fid **pp = &t->buckets[bucket_of(t, num)];
	while (*pp && (*pp)->num != num)
		pp = &(*pp)->hnext;
	return pp;
}

struct fid *fid_get(struct fid_table *t, uint32_t num)
{
	pthread_mutex_lock(&t->lock);
	struct fid *f = *find_slot(t, num);
	if (f)
		fid_ref(f);
	pthread_mutex_unlock(&t->lock);
	return f;
}

int fid_insert(struct fid_table *t, struct fid *f, bool replace)
{
	struct fid *old = NULL;
	int rc = 0;
	if (f->num == P9_NOFID)
		return -EBADF;     /* NOFID means "no fid" on the wire */
	pthread_mutex_lock(&t->lock);
	struct fid **pp = find_slot(t, f->num);
	if (*pp) {
		if (!replace) {
			rc = -EBADF;
			goto out;
		}
		old = *pp;
		f->hnext = old->hnext;
		*pp = fid_ref(f);
		goto out;
	}
	if (t->count >= t->max) {
		rc = -EMFILE;
		goto out;
	}
	f->hnext = NULL;
	*pp = fid_ref(f);
	t->count++;
	maybe_grow(t);
out:
	pthread_mutex_unlock(&t->lock);
	fid_put(old);
	return rc;
}

struct fid *fid_remove(struct fid_table *t, uint32_t num)
{
	pthread_mutex_lock(&t->lock);
	struct fid **pp = find_slot(t, num);
	struct fid *f = *pp;
	if (f) {
		*pp = f->hnext;
		f->hnext = NULL;
		t->count--;
	}
	pthread_mutex_unlock(&t->lock);
	return f;
}

void fid_table_clear(struct fid_table *t)
{
	pthread_mutex_lock(&t->lock);
	struct fid **old = t->buckets;
	uint32_t n = t->nbuckets;
	struct fid *all = NULL;
	for (uint32_t i = 0; i < n; i++) {
		for (struct fid *f = old[i], *next; f; f = next) {
			next = f->hnext;
			f->hnext = all;
			all = f;
		}
		old[i] = NULL;
	}
	t->count = 0;
	pthread_mutex_unlock(&t->lock);
	/* Close outside the lock: closing many fds takes a while. */
	for (struct fid *f = all, *next; f; f = next) {
		next = f->hnext;
		fid_put(f);
	}
}

void fid_table_destroy(struct fid_table *t)
{
	if (!t->buckets)
		return;
	fid_table_clear(t);
	free(t->buckets);
	t->buckets = NULL;
	pthread_mutex_destroy(&t->lock);
}
