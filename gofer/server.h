/* The event loop: listening sockets, connection sockets, wake-ups from
 * workers.  Only this thread touches libev. */
#ifndef BURROW_GOFER_SERVER_H
#define BURROW_GOFER_SERVER_H

#include <stdbool.h>

#include "gofer.h"

struct conn;

/* Prepare the loop (before confinement: libev may open an eventfd). */
int server_init(const struct gofer_config *cfg);
/* Accept clients of exp on a listening socket. */
int server_add_listener(int fd, const struct gofer_export *exp);
/* Serve one already connected socket. */
int server_add_conn(int fd, const struct gofer_export *exp);
/* Run until a signal, or (without listeners) until every connection ended. */
int server_run(void);

/* From any thread: the loop should look at c (output queued, reading may
 * resume, or the connection failed). */
void server_wake(struct conn *c);
/* From conn_put: c is gone (only its shard is looked at). */
void server_conn_gone(struct conn *c);

#endif
