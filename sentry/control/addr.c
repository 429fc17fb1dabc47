/* ControlSocketAddr(id): the control server's abstract socket name. */
#include "control.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PREFIX "burrow-sandbox."

/* FNV-1a: stable, so every side derives the same name for a long id. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

int control_socket_addr(const char *id, struct sockaddr_un *sa, socklen_t *len)
{
	if (!id || !*id)
		return -EINVAL;
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	/* sun_path[0] stays NUL: the abstract namespace. */
	char *name = sa->sun_path + 1;
	size_t room = sizeof sa->sun_path - 1;
	int n = snprintf(name, room, PREFIX "%s", id);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= room)
		n = snprintf(name, room, PREFIX "%.60s.%016" PRIx64, id, fnv1a(id));
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	return 0;
}
