/* The open files and directories of a mount, on a list: when the session
 * ends by a signal the kernel's pending releases are never answered, and
 * what they would have freed is freed here instead. */
#include "fs_int.h"

#include <stdlib.h>
#include <unistd.h>

static void file_drop(struct fs_file *f)
{
	if (f->host_fd >= 0 && !f->shared_ro)
		close(f->host_fd);
	fs_listing_free(f->listing);
	free(f);
}

struct fs_file *fs_file_new(struct fs *fs)
{
	struct fs_file *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->host_fd = -1;
	pthread_mutex_lock(&fs->files_mu);
	f->next = fs->files;
	if (f->next)
		f->next->prev = f;
	fs->files = f;
	pthread_mutex_unlock(&fs->files_mu);
	return f;
}

void fs_file_free(struct fs *fs, struct fs_file *f)
{
	pthread_mutex_lock(&fs->files_mu);
	if (f->prev)
		f->prev->next = f->next;
	else
		fs->files = f->next;
	if (f->next)
		f->next->prev = f->prev;
	pthread_mutex_unlock(&fs->files_mu);
	file_drop(f);
}

/* The session is over: no request can reach these any more (their fids
 * go with the client). */
void fs_files_free_all(struct fs *fs)
{
	pthread_mutex_lock(&fs->files_mu);
	struct fs_file *f = fs->files;
	fs->files = NULL;
	pthread_mutex_unlock(&fs->files_mu);
	while (f) {
		struct fs_file *next = f->next;
		file_drop(f);
		f = next;
	}
}
