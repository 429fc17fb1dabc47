#include "addr.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

union any_sockaddr {
	struct sockaddr sa;
	struct sockaddr_un un;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

static int parse_fd(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < 0 || v > INT_MAX)
		return -EINVAL;
	if (fcntl((int)v, F_GETFD) < 0)
		return -EBADF;
	return (int)v;
}

/* Fill *sa from "unix:..." or "tcp:...": returns the length or -EINVAL. */
static int parse_sockaddr(const char *addr, union any_sockaddr *sa)
{
	memset(sa, 0, sizeof *sa);
	if (strncmp(addr, "unix:", 5) == 0) {
		const char *path = addr + 5;
		size_t n = strlen(path);
		if (n == 0 || n >= sizeof sa->un.sun_path)
			return -EINVAL;
		sa->un.sun_family = AF_UNIX;
		memcpy(sa->un.sun_path, path, n);
		return (int)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	if (strncmp(addr, "tcp:", 4) != 0)
		return -EINVAL;

	char host[128];
	const char *rest = addr + 4, *colon;
	size_t hlen;
	if (*rest == '[') {
		const char *close = strchr(rest, ']');
		if (!close || close[1] != ':')
			return -EINVAL;
		hlen = (size_t)(close - rest - 1);
		if (hlen >= sizeof host)
			return -EINVAL;
		memcpy(host, rest + 1, hlen);
		colon = close + 1;
	} else {
		colon = strrchr(rest, ':');
		if (!colon)
			return -EINVAL;
		hlen = (size_t)(colon - rest);
		if (hlen >= sizeof host)
			return -EINVAL;
		memcpy(host, rest, hlen);
	}
	host[hlen] = '\0';

	char *end;
	errno = 0;
	long port = strtol(colon + 1, &end, 10);
	if (errno || colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535)
		return -EINVAL;

	if (inet_pton(AF_INET, host, &sa->in.sin_addr) == 1) {
		sa->in.sin_family = AF_INET;
		sa->in.sin_port = htons((uint16_t)port);
		return sizeof sa->in;
	}
	if (inet_pton(AF_INET6, host, &sa->in6.sin6_addr) == 1) {
		sa->in6.sin6_family = AF_INET6;
		sa->in6.sin6_port = htons((uint16_t)port);
		return sizeof sa->in6;
	}
	return -EINVAL;
}

bool addr_is_tcp_loopback(const char *addr)
{
	union any_sockaddr sa;
	if (strncmp(addr, "tcp:", 4) != 0 || parse_sockaddr(addr, &sa) < 0)
		return false;
	if (sa.sa.sa_family == AF_INET)
		return (ntohl(sa.in.sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&sa.in6.sin6_addr);
}

static void tune_tcp(int fd, int family)
{
	if (family == AF_INET || family == AF_INET6) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
}

/* Bind under a temporary name and rename it into place only once listening,
 * so a client that sees the path never meets a socket that refuses it.
 * Returns 0 or -1 with errno set. */
static int listen_unix(int fd, const struct sockaddr_un *final)
{
	struct sockaddr_un tmp = { .sun_family = AF_UNIX };
	int n = snprintf(tmp.sun_path, sizeof tmp.sun_path, "%s.%d.tmp", final->sun_path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof tmp.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	unlink(tmp.sun_path);
	if (bind(fd, (const struct sockaddr *)&tmp, sizeof tmp) < 0)
		return -1;
	if (listen(fd, 128) < 0 || rename(tmp.sun_path, final->sun_path) < 0) {
		int e = errno;
		unlink(tmp.sun_path);
		errno = e;
		return -1;
	}
	return 0;
}

int addr_listen(const char *addr, bool *is_connected)
{
	*is_connected = false;
	if (strncmp(addr, "fd:", 3) == 0) {
		int fd = parse_fd(addr + 3);
		if (fd < 0)
			return fd;
		int listening = 0;
		socklen_t len = sizeof listening;
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0)
			return -errno;
		*is_connected = !listening;
		return fd;
	}
	union any_sockaddr sa;
	int salen = parse_sockaddr(addr, &sa);
	if (salen < 0)
		return salen;
	int fd __cleanup_close = socket(sa.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (sa.sa.sa_family == AF_UNIX)
		return listen_unix(fd, &sa.un) < 0 ? -errno : steal_fd(&fd);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, &sa.sa, (socklen_t)salen) < 0 || listen(fd, 128) < 0)
		return -errno;
	return steal_fd(&fd);
}

int addr_connect(const char *addr)
{
	if (strncmp(addr, "fd:", 3) == 0)
		return parse_fd(addr + 3);
	union any_sockaddr sa;
	int salen = parse_sockaddr(addr, &sa);
	if (salen < 0)
		return salen;
	int fd __cleanup_close = socket(sa.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	while (connect(fd, &sa.sa, (socklen_t)salen) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	tune_tcp(fd, sa.sa.sa_family);
	return steal_fd(&fd);
}
