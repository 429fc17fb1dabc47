/* Worker side of a request: decode, run the operation, encode the reply. */
#ifndef BURROW_GOFER_DISPATCH_H
#define BURROW_GOFER_DISPATCH_H

struct req;

/* Queue r for a worker; the reply goes out through conn_reply(). */
void dispatch_submit(struct req *r);

#endif
