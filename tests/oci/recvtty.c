/* recvtty SOCKET: the other end of --console-socket for the tests (what
 * conmon does): listen on SOCKET, take one connection, receive the pty
 * master (SCM_RIGHTS), print the payload name on stderr, then copy the
 * pty's output to stdout until it closes.  With -i, stdin goes to it. */
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int listen_at(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path)
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1) < 0)
		return -errno;
	return fd;
}

static int recv_master(int conn, char *name, size_t len)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { .iov_base = name, .iov_len = len - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof u.buf };
	ssize_t n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	name[n] = '\0';
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EBADMSG;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

static bool copy(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof buf);
	return n > 0 && write_full(to, buf, (size_t)n) == 0;
}

int main(int argc, char **argv)
{
	bool with_stdin = argc == 3 && !strcmp(argv[1], "-i");
	if (argc != 2 && !with_stdin) {
		fprintf(stderr, "usage: recvtty [-i] SOCKET\n");
		return 2;
	}
	int lfd = listen_at(argv[argc - 1]);
	if (lfd < 0) {
		fprintf(stderr, "recvtty: %s: %s\n", argv[argc - 1], strerror(-lfd));
		return 1;
	}
	int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	char name[256];
	int master = conn < 0 ? -errno : recv_master(conn, name, sizeof name);
	if (master < 0) {
		fprintf(stderr, "recvtty: %s\n", strerror(-master));
		return 1;
	}
	fprintf(stderr, "recvtty: got %s\n", name);
	bool in_open = with_stdin;
	for (;;) {
		struct pollfd pfd[2] = { { .fd = master, .events = POLLIN },
					 { .fd = in_open ? 0 : -1, .events = POLLIN } };
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (pfd[0].revents && !copy(master, 1))
			return 0;
		if (pfd[1].revents && !copy(0, master))
			in_open = false;
	}
}
