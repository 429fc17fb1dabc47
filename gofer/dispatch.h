/* Worker side of a request: decode, run the operation, encode the reply. */
#ifndef BURROW_GOFER_DISPATCH_H
#define BURROW_GOFER_DISPATCH_H

#include <stddef.h>

struct req;

/* Reads and writes up to this size may run on the loop thread. */
#define DISPATCH_INLINE_IO (64u << 10)

/* Queue r for a worker; the reply goes out through conn_reply(). */
void dispatch_submit(struct req *r);
/* Loop thread: a framed request.  Long ops (fsync, big I/O, truncation)
 * go to the pool now; short ones wait for dispatch_run_batch(). */
void dispatch_request(struct req *r);
/* Loop thread, once per loop iteration after every read: run the short
 * requests gathered, in order.  A hand-off to a worker costs more than
 * any of them; the loops (one per CPU, server.c) give the parallelism.
 * Returns how many ran. */
size_t dispatch_run_batch(void);

#endif
