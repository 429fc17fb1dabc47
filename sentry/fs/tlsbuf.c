/* Per-thread scratch buffers for read replies and directory listings: a
 * read of up to 1 MiB must not cost a malloc each time. */
#include "fs_int.h"

#include <pthread.h>
#include <stdlib.h>

struct tls_bufs {
	void *p[FS_BUF_NSLOTS];
	size_t cap[FS_BUF_NSLOTS];
};

static pthread_key_t key;
static bool key_ok;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void bufs_free(void *arg)
{
	struct tls_bufs *b = arg;
	for (int k = 0; k < FS_BUF_NSLOTS; k++)
		free(b->p[k]);
	free(b);
}

static void key_init(void)
{
	/* out of keys: every caller then answers ENOMEM */
	key_ok = pthread_key_create(&key, bufs_free) == 0;
}

void *fs_tls_buf(enum fs_buf_slot slot, size_t size)
{
	pthread_once(&once, key_init);
	if (!key_ok)
		return NULL;
	struct tls_bufs *b = pthread_getspecific(key);
	if (!b) {
		b = calloc(1, sizeof *b);
		if (!b || pthread_setspecific(key, b) != 0) {
			free(b);
			return NULL;
		}
	}
	if (b->cap[slot] >= size)
		return b->p[slot];
	void *n = malloc(size);
	if (!n)
		return NULL;
	free(b->p[slot]);
	b->p[slot] = n;
	b->cap[slot] = size;
	return n;
}
