/* Framing of the controller and sync sockets (see msg.h). */
#include "msg.h"
#include "fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int msg_send(int sock, const char *text, int fd)
{
	size_t len = strnlen(text, MSG_MAX);
	struct iovec iov = { .iov_base = (void *)text, .iov_len = len ? len : 1 };
	struct fdpass_buf u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	fdpass_attach(&mh, &u, &fd, fd >= 0);
	for (;;) {
		ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (n >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

ssize_t msg_recv(int sock, char *buf, size_t len, int *fd)
{
	struct fdpass_buf u;
	if (len == 0)
		return -EINVAL;
	if (fd)
		*fd = -1;
	struct iovec iov = { .iov_base = buf, .iov_len = len - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	fdpass_prepare(&mh, &u);
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* the first fd is the caller's if it wants one; the rest are closed */
	fdpass_collect(&mh, fd, fd ? 1 : 0);
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		if (fd && *fd >= 0) {
			close(*fd);
			*fd = -1;
		}
		return -EMSGSIZE;
	}
	buf[n] = '\0';
	/* An empty datagram is EOF on SOCK_SEQPACKET. */
	return n;
}

int msg_is(const char *text, const char *cmd, const char **arg)
{
	size_t n = strlen(cmd);
	if (strncmp(text, cmd, n) != 0 || (text[n] != '\0' && text[n] != ' '))
		return 0;
	if (arg)
		*arg = text[n] ? text + n + 1 : "";
	return 1;
}
