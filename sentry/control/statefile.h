/* <root>/<id>/state.json, shared by burrow's commands and the control
 * server: read, merged and written atomically (temp file + rename) under
 * an flock on the container's directory, which serialises commands. */
#ifndef BURROW_CONTROL_STATEFILE_H
#define BURROW_CONTROL_STATEFILE_H

#include <jansson.h>
#include <stdbool.h>

#define STATEFILE_EXIT "exit-status"

/* Open and lock the directory: the fd (the lock lives with it) or -errno.
 * wait=false gives up after about a second with -EWOULDBLOCK. */
int statefile_lock(const char *dir, bool wait);
/* state.json of a locked dir: 0 with *out, -ENOENT when it is gone. */
int statefile_read_at(int dirfd, json_t **out);
int statefile_write_at(int dirfd, const json_t *state);
/* Lock, read, set every key of `changes`, write, unlock. */
int statefile_update(const char *dir, const json_t *changes, bool wait);

/* The app's exit status, in a file of its own (<dir>/exit-status): the
 * control server writes it once, without the lock, which a command may
 * hold while the app exits, and no rewrite of state.json can lose it. */
int statefile_write_exit(const char *dir, int code);
/* 0 with *code, or -ENOENT while the app has not exited. */
int statefile_read_exit(int dirfd, int *code);

#endif
