#include "workers.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cond = PTHREAD_COND_INITIALIZER;
static struct work *q_head, *q_tail;
static bool q_stop;
static pthread_t *threads;
static unsigned n_threads;

static struct work *next_work(void)
{
	pthread_mutex_lock(&q_lock);
	while (!q_head && !q_stop)
		pthread_cond_wait(&q_cond, &q_lock);
	struct work *w = q_head;
	if (w) {
		q_head = w->next;
		if (!q_head)
			q_tail = NULL;
	}
	pthread_mutex_unlock(&q_lock);
	return w;
}

static void *worker_main(void *arg)
{
	(void)arg;
	struct work *w;
	while ((w = next_work()) != NULL)
		w->fn(w);
	return NULL;
}

void workers_submit(struct work *w)
{
	w->next = NULL;
	pthread_mutex_lock(&q_lock);
	if (q_tail)
		q_tail->next = w;
	else
		q_head = w;
	q_tail = w;
	pthread_cond_signal(&q_cond);
	pthread_mutex_unlock(&q_lock);
}

int workers_start(unsigned n)
{
	threads = calloc(n, sizeof *threads);
	if (!threads)
		return -ENOMEM;
	/* Workers never handle signals: the event loop does. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = 0;
	for (n_threads = 0; n_threads < n; n_threads++) {
		rc = pthread_create(&threads[n_threads], NULL, worker_main, NULL);
		if (rc != 0)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		workers_stop();
		return -rc;
	}
	return 0;
}

void workers_stop(void)
{
	pthread_mutex_lock(&q_lock);
	q_stop = true;
	pthread_cond_broadcast(&q_cond);
	pthread_mutex_unlock(&q_lock);
	for (unsigned i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	threads = NULL;
	n_threads = 0;
}
