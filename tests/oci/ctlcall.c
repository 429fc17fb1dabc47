/* ctlcall ID MESSAGE...: send each MESSAGE (raw text, not checked) to the
 * control socket of container ID on one connection and print each reply
 * on its own line: lets the tests speak the protocol directly, malformed
 * requests and other users included. */
#include "control/control.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: ctlcall ID MESSAGE...\n");
		return 2;
	}
	struct sockaddr_un sa;
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || control_socket_addr(argv[1], &sa, &len) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, len) < 0) {
		fprintf(stderr, "ctlcall: connect: %s\n", strerror(errno));
		return 1;
	}
	static char buf[256 * 1024];
	for (int i = 2; i < argc; i++) {
		/* A refused client may find the door closed: its answer waits. */
		if (send(fd, argv[i], strlen(argv[i]), MSG_NOSIGNAL) < 0 && errno != EPIPE) {
			fprintf(stderr, "ctlcall: send: %s\n", strerror(errno));
			return 1;
		}
		ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
		if (n <= 0) {
			fprintf(stderr, "ctlcall: %s\n", n == 0 ? "connection closed" : strerror(errno));
			return 1;
		}
		buf[n] = '\0';
		puts(buf);
	}
	return 0;
}
