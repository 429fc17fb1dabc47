/* One JSON object per SOCK_SEQPACKET message, with up to WIRE_MAX_FDS
 * file descriptors (SCM_RIGHTS): the control socket's framing. */
#ifndef BURROW_CONTROL_WIRE_H
#define BURROW_CONTROL_WIRE_H

#include <jansson.h>
#include <stddef.h>

#define WIRE_MAX_FDS 3

/* Send `msg` (not consumed) with fds[0..n_fds).  0 or -errno. */
int wire_send(int sock, const json_t *msg, const int *fds, size_t n_fds);
/* Receive one message: 1 with *msg (a JSON object) and the fds that came
 * (close-on-exec; extra ones closed), 0 at EOF, -EAGAIN, -EMSGSIZE (too
 * large), -EBADMSG (not a JSON object; its fds closed), -errno. */
int wire_recv(int sock, json_t **msg, int *fds, size_t max_fds, size_t *n_fds);
/* Close fds[0..n) and set them to -1. */
void wire_close_fds(int *fds, size_t n);

#endif
