/* The control socket's framing (wire.h). */
#include "wire.h"
#include "fdpass.h"
#include "control.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void wire_close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

int wire_send(int sock, const json_t *msg, const int *fds, size_t n_fds)
{
	if (n_fds > WIRE_MAX_FDS)
		return -EINVAL;
	char *text __cleanup_free = json_dumps(msg, JSON_COMPACT);
	if (!text)
		return -ENOMEM;
	size_t len = strlen(text);
	if (len > CONTROL_MSG_MAX)
		return -EMSGSIZE;
	struct fdpass_buf u;
	struct iovec iov = { .iov_base = text, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	fdpass_attach(&mh, &u, fds, n_fds);
	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

int wire_recv(int sock, json_t **msg, int *fds, size_t max_fds, size_t *n_fds)
{
	struct fdpass_buf u;
	*msg = NULL;
	*n_fds = 0;
	char *buf __cleanup_free = malloc(CONTROL_MSG_MAX + 1);
	if (!buf)
		return -ENOMEM;
	struct iovec iov = { .iov_base = buf, .iov_len = CONTROL_MSG_MAX };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	fdpass_prepare(&mh, &u);
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	size_t got = fdpass_collect(&mh, fds, max_fds);
	*n_fds = got < max_fds ? got : max_fds;
	if (n == 0 && *n_fds == 0)
		return 0;
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		wire_close_fds(fds, *n_fds);
		*n_fds = 0;
		return -EMSGSIZE;
	}
	json_error_t err;
	json_t *j = json_loadb(buf, (size_t)n, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(j)) {
		json_decref(j);
		wire_close_fds(fds, *n_fds);
		*n_fds = 0;
		return -EBADMSG;
	}
	*msg = j;
	return 1;
}
