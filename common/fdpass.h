/* Passing file descriptors over unix sockets (SCM_RIGHTS): the control
 * message on the sending side, the fds on the receiving side. */
#ifndef BURROW_FDPASS_H
#define BURROW_FDPASS_H

#include <stddef.h>
#include <sys/socket.h>

#define FDPASS_MAX 8    /* most fds one message carries (or is read for) */

/* Room for the control message of FDPASS_MAX fds. */
struct fdpass_buf {
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(FDPASS_MAX * sizeof(int))];
	} u;
};

/* Make mh carry fds[0..n) (n <= FDPASS_MAX; 0: nothing), in buf. */
void fdpass_attach(struct msghdr *mh, struct fdpass_buf *buf, const int *fds, size_t n);
/* Make mh ready for recvmsg(2) to bring up to FDPASS_MAX fds into buf. */
void fdpass_prepare(struct msghdr *mh, struct fdpass_buf *buf);
/* After recvmsg(2): the fds mh brought, in order, up to `max` into fds[]
 * (fds may be NULL with max 0); the rest are closed.  Returns how many
 * it brought. */
size_t fdpass_collect(struct msghdr *mh, int *fds, size_t max);

#endif
