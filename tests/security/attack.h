/* The attack suite against a running burrow-gofer: a harness (start the
 * server over a temporary export with a canary tree beside it, connect,
 * check it is alive) and one function per group of attacks.  Every group
 * records failures with CHECK(); the driver then checks that the server
 * still serves and that the canary tree is byte-identical. */
#ifndef BURROW_TESTS_SECURITY_ATTACK_H
#define BURROW_TESTS_SECURITY_ATTACK_H

#include "check.h"
#include "p9/client.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define SEC_MSIZE     8192u     /* what the raw connections negotiate */
#define SEC_MAX_FIDS  128u      /* --max-fids of the server under attack */
#define SEC_MAX_CONNS 64u       /* --max-conns */

struct sec_env {
	char base[64];             /* /tmp/burrow-sec-XXXXXX, holds all below */
	char export[128];          /* the export */
	char outside[128];         /* the canary tree beside it */
	char sock[96];             /* unix socket (fits sun_path) */
	char log[128];             /* the server's stderr */
	char gofer[512];           /* the binary */
	pid_t pid;                 /* the server, 0 when none */
	bool multi_user;           /* the running server's mode */
	bool no_confine;           /* run it with --no-confine */
	int failures_at_start;     /* check_failures when it started */
	struct p9_qid root_qid;
};

/* One connection with an attached root fid. */
struct sess {
	struct p9_client *c;
	uint32_t root;
	struct p9_qid qid;
};

/* ---- harness (attack_main.c) ---- */
int sess_open(const struct sec_env *e, struct sess *s);
int sess_open_as(const struct sec_env *e, struct sess *s, const char *aname, uint32_t n_uname);
void sess_close(struct sess *s);
/* Walk n names from `from`.  Returns the count walked or -errno; on a
 * full walk *newfid is the new fid (clunk it), else it is released. */
int sess_walk(struct sess *s, uint32_t from, int n, const char *const *names,
	      uint32_t *newfid, struct p9_qid *qids);
/* A clone of the root (walk of no names); -errno. */
int sess_clone(struct sess *s, uint32_t *fid);
void sess_clunk(struct sess *s, uint32_t fid);
/* Walk one name from the root and Tlopen it. */
int sess_open_file(struct sess *s, const char *name, uint32_t flags, uint32_t *fid);

/* An errno a server may sensibly answer an attack with: not success, not
 * a dead connection (EIO), not "unimplemented". */
bool sensible_errno(int rc);
bool qid_eq(const struct p9_qid *a, const struct p9_qid *b);

/* Raw connections for malformed traffic.  raw_connect: connected and, when
 * version is true, Tversion(SEC_MSIZE) done.  -errno. */
int raw_connect(const struct sec_env *e, bool version);
int raw_send(int fd, const void *buf, size_t n);
/* Encode and send m; returns the encoded length or -errno. */
int raw_send_msg(int fd, const struct p9_msg *m);
/* Read one message into buf: its length, 0 on EOF/reset, -ETIMEDOUT. */
int raw_recv(int fd, uint8_t *buf, size_t cap, int timeout_ms);

/* Host side. */
bool host_exists(const char *dir, const char *name);
uint64_t host_tree_sum(const char *dir);
/* Names in dir, sorted and comma-joined. */
void host_list(const char *dir, char *out, size_t cap);

/* Cancel a client call that blocks longer than ms (the connection is
 * killed and the call fails with -EIO).  watchdog_stop says whether it
 * fired. */
struct watchdog;
struct watchdog *watchdog_start(struct p9_client *c, int ms);
bool watchdog_stop(struct watchdog *w);

/* Run a second server with extra options over the same export (multi_user:
 * its mode, for the capability checks), call fn, stop it.  0 if fn and
 * the server's end were clean. */
int attack_with_server(struct sec_env *e, const char *const *extra, bool multi_user,
		       void (*fn)(struct sec_env *e));

/* ---- groups ---- */
void attack_dotdot(struct sec_env *e);          /* attack_paths.c */
void attack_bad_names(struct sec_env *e);
void attack_symlinks(struct sec_env *e);
void attack_attach_names(struct sec_env *e);
void attack_mknod(struct sec_env *e);           /* attack_special.c */
void attack_special_open(struct sec_env *e);
void attack_symlink_race(struct sec_env *e);    /* attack_race.c */
void attack_malformed(struct sec_env *e);       /* attack_proto.c */
void attack_fid_flood(struct sec_env *e);
void attack_conn_flood(struct sec_env *e);
void attack_random(struct sec_env *e);          /* attack_random.c */
void attack_proc_status(struct sec_env *e);     /* attack_proc.c */
void attack_multi_user(struct sec_env *e);      /* attack_users.c */
void attack_squash(struct sec_env *e);

#endif
