/* burrow's side of the control socket: connect, call a method. */
#ifndef BURROW_CONTROL_CLIENT_H
#define BURROW_CONTROL_CLIENT_H

#include <jansson.h>
#include <stddef.h>

#include "control.h"

/* Connect to the control server of container `id`: the fd, or -errno
 * (-ECONNREFUSED when nothing listens: the sandbox is gone). */
int control_connect(const char *id);

struct control_reply {
	json_t *result;              /* owned; json null when the method has none */
	int fds[3];                  /* fds that came with the reply, -1 else */
	size_t n_fds;
	char error[1024];            /* the server's error text */
};

/* Send {"method","params"} (params consumed; NULL for {}) with fds and
 * wait for the reply.  0, -EREMOTEIO with rep->error set when the server
 * answered an error, or -errno.  control_reply_free releases it. */
int control_call(int fd, const char *method, json_t *params, const int *fds, size_t n_fds,
		 struct control_reply *rep);
void control_reply_free(struct control_reply *rep);
/* The two halves of control_call, for a reply that takes long (Wait). */
int control_send(int fd, const char *method, json_t *params, const int *fds, size_t n_fds);
int control_recv(int fd, struct control_reply *rep);

/* connect + call + close, for one-shot methods. */
int control_call_once(const char *id, const char *method, json_t *params,
		      struct control_reply *rep);

#endif
