#include "qid.h"

#include <pthread.h>
#include <stdatomic.h>

/* Devices seen, in order of first sight.  Device i's inodes get i in the
 * top byte of qid.path (the first one: unchanged), so two files on
 * different devices inside the export never share a qid.path (Linux 6.9+
 * v9fs keys its inodes on it).  Past 255 devices the index wraps; inode
 * numbers using the top byte could collide too: both are documented. */
#define MAX_DEVS 256
static _Atomic(dev_t) devs[MAX_DEVS];
static atomic_uint n_devs;
static pthread_mutex_t devs_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned dev_index(dev_t dev)
{
	unsigned n = atomic_load_explicit(&n_devs, memory_order_acquire);
	for (unsigned i = 0; i < n; i++)
		if (atomic_load_explicit(&devs[i], memory_order_relaxed) == dev)
			return i;
	pthread_mutex_lock(&devs_lock);
	n = atomic_load(&n_devs);
	unsigned i;
	for (i = 0; i < n; i++)
		if (devs[i] == dev)
			break;
	if (i == n && n < MAX_DEVS) {
		atomic_store(&devs[n], dev);
		atomic_store_explicit(&n_devs, n + 1, memory_order_release);
	}
	pthread_mutex_unlock(&devs_lock);
	return i < MAX_DEVS ? i : (unsigned)(dev % (MAX_DEVS - 1)) + 1;
}

void qid_register_dev(dev_t dev)
{
	(void)dev_index(dev);
}

uint8_t qid_type_of_mode(mode_t mode)
{
	if (S_ISDIR(mode))
		return P9_QTDIR;
	if (S_ISLNK(mode))
		return P9_QTSYMLINK;
	return P9_QTFILE;
}

uint64_t qid_path(dev_t dev, ino_t ino)
{
	return (uint64_t)ino ^ ((uint64_t)dev_index(dev) << 56);
}

struct p9_qid qid_from_stat(const struct stat *st)
{
	/* qid.version stays 0, as diod's does.  Linux's v9fs (cache=loose,
	 * fscache) matches inodes on qid.version: a version that follows
	 * mtime/size made a lookup during the client's own writeback find "a
	 * different file" with a short size, and reads saw a truncated file
	 * (tests/gofer/v9fs caught it). */
	struct p9_qid q = {
		.type = qid_type_of_mode(st->st_mode),
		.version = 0,
		.path = qid_path(st->st_dev, st->st_ino),
	};
	return q;
}
