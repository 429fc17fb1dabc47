/* SCM_RIGHTS control messages (see fdpass.h). */
#include "fdpass.h"

#include <string.h>
#include <unistd.h>

void fdpass_attach(struct msghdr *mh, struct fdpass_buf *buf, const int *fds, size_t n)
{
	if (n == 0 || n > FDPASS_MAX) {
		mh->msg_control = NULL;
		mh->msg_controllen = 0;
		return;
	}
	memset(buf, 0, sizeof *buf);
	mh->msg_control = buf->u.space;
	mh->msg_controllen = CMSG_SPACE(n * sizeof(int));
	struct cmsghdr *c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
}

void fdpass_prepare(struct msghdr *mh, struct fdpass_buf *buf)
{
	mh->msg_control = buf->u.space;
	mh->msg_controllen = sizeof buf->u.space;
}

size_t fdpass_collect(struct msghdr *mh, int *fds, size_t max)
{
	size_t got = 0;
	if (mh->msg_controllen == 0)
		return 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++, got++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
			if (got < max)
				fds[got] = fd;
			else
				close(fd);
		}
	}
	return got;
}
