/* Endpoint addresses shared by every program and test:
 *   unix:PATH          a unix stream socket
 *   tcp:HOST:PORT      TCP (IPv4 dotted quad, or [IPv6] in brackets)
 *   fd:N               an already connected (or listening) inherited socket */
#ifndef BURROW_ADDR_H
#define BURROW_ADDR_H

#include <stdbool.h>

/* Listen on addr (backlog 128, CLOEXEC, nonblocking).  For fd:N returns N
 * untouched and sets *is_connected (the fd is one client).  -errno. */
int addr_listen(const char *addr, bool *is_connected);
/* Connect to addr (blocking, CLOEXEC).  fd:N returns N.  -errno; -EINVAL
 * for a malformed address. */
int addr_connect(const char *addr);
/* 1 if the address is TCP on a loopback address, 0 if not TCP or not loopback. */
bool addr_is_tcp_loopback(const char *addr);

#endif
