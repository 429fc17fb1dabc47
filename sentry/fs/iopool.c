/* Fan-out for I/O larger than one 9P message: the request is cut into
 * iounit-sized pieces, all sent at once (the 9P client multiplexes them on
 * the connection), the calling thread doing the first piece itself. */
#include "fs_int.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

struct io_batch;

struct io_job {
	struct io_job *next;
	struct io_batch *batch;
	uint32_t fid;
	bool write;
	char *buf;
	size_t len;
	uint64_t off;
	ssize_t result;
};

struct io_batch {
	struct fs *fs;
	unsigned pending;      /* under pool->mu */
	pthread_cond_t done;
};

struct fs_iopool {
	pthread_mutex_t mu;
	pthread_cond_t work;
	struct io_job *head, **tail;
	bool stopping;
	unsigned nthreads;
	pthread_t threads[];
};

/* One piece, retried until complete, EOF or an error: a server may
 * answer short and the kernel takes a short read for end of file. */
static ssize_t io_piece(struct fs *fs, uint32_t fid, bool write, char *buf, size_t len,
			uint64_t off)
{
	size_t done = 0;
	while (done < len) {
		size_t n = len - done;
		if (n > fs->iounit)
			n = fs->iounit;
		ssize_t r = write ? p9_write(fs->c, fid, off + done, buf + done, (uint32_t)n)
				  : p9_read(fs->c, fid, off + done, buf + done, (uint32_t)n);
		if (r < 0)
			return done ? (ssize_t)done : r;
		if (r == 0 || (size_t)r > n)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

static struct fs_iopool *pool_of(struct fs *fs)
{
	return fs->pool;
}

static void *pool_thread(void *arg)
{
	struct fs_iopool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->work, &p->mu);
		if (!p->head)
			break;
		struct io_job *j = p->head;
		p->head = j->next;
		if (!p->head)
			p->tail = &p->head;
		pthread_mutex_unlock(&p->mu);

		struct fs *fs = j->batch->fs;
		j->result = io_piece(fs, j->fid, j->write, j->buf, j->len, j->off);

		pthread_mutex_lock(&p->mu);
		if (--j->batch->pending == 0)
			pthread_cond_signal(&j->batch->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int fs_iopool_new(unsigned nthreads, struct fs_iopool **out)
{
	struct fs_iopool *p = calloc(1, sizeof *p + nthreads * sizeof(pthread_t));
	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	p->tail = &p->head;

	/* workers take no signals: those belong to the program */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int r = 0;
	for (; p->nthreads < nthreads; p->nthreads++) {
		r = -pthread_create(&p->threads[p->nthreads], NULL, pool_thread, p);
		if (r < 0)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		fs_iopool_free(p);
		return r;
	}
	*out = p;
	return 0;
}

void fs_iopool_free(struct fs_iopool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned k = 0; k < p->nthreads; k++)
		pthread_join(p->threads[k], NULL);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

#define STACK_JOBS 16

static ssize_t io_fanout(struct fs *fs, uint32_t fid, bool write, char *buf, size_t len,
			 uint64_t off)
{
	size_t unit = fs->iounit;
	size_t n = (len + unit - 1) / unit;
	if (n <= 1 || !fs->pool)
		return io_piece(fs, fid, write, buf, len, off);

	struct io_job stack_jobs[STACK_JOBS];
	struct io_job *jobs __cleanup_free = NULL;
	struct io_job *js = stack_jobs;
	if (n > STACK_JOBS) {
		jobs = calloc(n, sizeof *jobs);
		if (!jobs)   /* no memory for the batch: do it in order */
			return io_piece(fs, fid, write, buf, len, off);
		js = jobs;
	}
	struct io_batch b = { .fs = fs, .pending = (unsigned)(n - 1) };
	pthread_cond_init(&b.done, NULL);
	for (size_t k = 0; k < n; k++) {
		size_t o = k * unit;
		js[k] = (struct io_job){
			.batch = &b, .fid = fid, .write = write, .buf = buf + o,
			.len = len - o < unit ? len - o : unit, .off = off + o,
		};
	}

	struct fs_iopool *p = pool_of(fs);
	pthread_mutex_lock(&p->mu);
	for (size_t k = 1; k < n; k++) {
		*p->tail = &js[k];
		p->tail = &js[k].next;
	}
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);

	js[0].result = io_piece(fs, fid, write, js[0].buf, js[0].len, js[0].off);

	pthread_mutex_lock(&p->mu);
	while (b.pending)
		pthread_cond_wait(&b.done, &p->mu);
	pthread_mutex_unlock(&p->mu);
	pthread_cond_destroy(&b.done);

	/* only the contiguous prefix counts; the first error or short piece
	 * ends it */
	size_t total = 0;
	for (size_t k = 0; k < n; k++) {
		if (js[k].result < 0)
			return total ? (ssize_t)total : js[k].result;
		total += (size_t)js[k].result;
		if ((size_t)js[k].result < js[k].len)
			break;
	}
	return (ssize_t)total;
}

ssize_t fs_pread(struct fs *fs, uint32_t fid, void *buf, size_t len, uint64_t off)
{
	return io_fanout(fs, fid, false, buf, len, off);
}

ssize_t fs_pwrite(struct fs *fs, uint32_t fid, const void *buf, size_t len, uint64_t off)
{
	/* io_piece never writes into buf on the write path */
	return io_fanout(fs, fid, true, (char *)(uintptr_t)buf, len, off);
}
