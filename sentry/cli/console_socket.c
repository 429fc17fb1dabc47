/* --console-socket: hand the pty master to whoever listens there (conmon,
 * containerd's shim), as runc does: connect to the unix stream socket,
 * send one message whose payload is the master's name ("/dev/ptmx")
 * carrying the fd (SCM_RIGHTS). */
#include "lifecycle.h"
#include "fdpass.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int console_socket_send(const char *path, int master)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path)
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	int fd __cleanup_close = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	while (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		if (errno != EINTR)
			return -errno;
	static const char name[] = "/dev/ptmx";
	struct fdpass_buf u;
	struct iovec iov = { .iov_base = (void *)name, .iov_len = sizeof name - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	fdpass_attach(&mh, &u, &master, 1);
	ssize_t n;
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}
