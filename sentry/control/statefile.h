/* <root>/<id>/state.json, shared by burrow's commands and the control
 * server: read, merged and written atomically (temp file + rename) under
 * an flock on the container's directory, which serialises commands. */
#ifndef BURROW_CONTROL_STATEFILE_H
#define BURROW_CONTROL_STATEFILE_H

#include <jansson.h>
#include <stdbool.h>

/* Open and lock the directory: the fd (the lock lives with it) or -errno.
 * wait=false gives up after about a second with -EWOULDBLOCK. */
int statefile_lock(const char *dir, bool wait);
/* state.json of a locked dir: 0 with *out, -ENOENT when it is gone. */
int statefile_read_at(int dirfd, json_t **out);
int statefile_write_at(int dirfd, const json_t *state);
/* Lock, read, set every key of `changes`, write, unlock. */
int statefile_update(const char *dir, const json_t *changes, bool wait);

#endif
