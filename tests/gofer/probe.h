/* gofer-probe: a 9P2000.L client for burrow-gofer's tests, built on
 * common/p9/client.h.  Shared between the one-shot commands (probe.c)
 * and the protocol suite (suite.c, suite_raw.c). */
#ifndef BURROW_TESTS_GOFER_PROBE_H
#define BURROW_TESTS_GOFER_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p9/client.h"

struct probe {
	const char *addr;
	const char *aname;
	uint32_t uid;
	uint32_t msize;
	unsigned flags;            /* p9_client_new_opts flags (-F: host fds) */
	struct p9_client *c;
	uint32_t root;             /* the attach fid */
};

/* Connect, negotiate, attach.  0 or -errno. */
int probe_open(struct probe *p);
void probe_close(struct probe *p);
/* Walk a slash-separated path from the root into a new fid.  0/-errno. */
int probe_walk(struct probe *p, const char *path, uint32_t *fid);
/* Walk to the parent of path; *name points at the last component. */
int probe_walk_parent(struct probe *p, const char *path, uint32_t *dfid, const char **name);

/* suite.c: the protocol checks; export is the exported host directory
 * (the suite looks at the host side too).  Returns failures. */
int suite_run(struct probe *p, const char *export);
/* suite_raw.c: checks that need hand-made messages on a raw socket. */
int suite_raw_run(const char *addr, const char *aname);

/* hostfd.c: the host-fd extension, asked for and not. */
int cmd_hostfd(struct probe *p, char **av);
int cmd_rawfds(struct probe *p, char **av);

/* paired.c: serve exports over inherited sockets (--io-fds or fd:N). */
int paired_run(const char *gofer, char **exports, size_t n, bool io_fds);

/* TAP output shared by both. */
void tap_ok(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tap_failures(void);
void tap_plan(void);

#endif
