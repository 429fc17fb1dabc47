/* Unit tests of the client's side of burrow's host-fd extension
 * (P9_CLIENT_HOSTFDS, common/p9/client.c): negotiation against servers
 * that have it, refuse it or claim it unasked, and the fds given to the
 * right replies, including a lying server that leaves one out. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "fdpass.h"
#include "p9/client.h"
#include "p9/p9.h"
#include "util.h"

/* How the in-test server answers. */
enum mode {
	M_FDS,          /* Rversion with the extension; fds as promised */
	M_REFUSE,       /* Rlerror to the extended Tversion, then plain */
	M_UNASKED,      /* the extension's Rversion to a plain Tversion */
	M_LIAR,         /* like M_FDS, but the third open comes without fd */
};

struct srv {
	int fd;
	enum mode mode;
	int file_fd;            /* what goes with an open of a file */
	pthread_t th;
	int versions;           /* Tversions seen */
};

static int recv_msg(int fd, uint8_t *buf, size_t cap, struct p9_msg *m)
{
	if (read_full(fd, buf, 4) < 0)
		return -1;
	uint32_t size = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
			(uint32_t)buf[3] << 24;
	if (size < P9_HDRSZ || size > cap || read_full(fd, buf + 4, size - 4) < 0)
		return -1;
	return p9_decode_request(buf, size, (uint32_t)cap, m);
}

/* One reply; `fd` >= 0 rides on its first byte. */
static void send_msg(int sock, const struct p9_msg *m, int fd)
{
	uint8_t buf[256];
	int len = p9_encode(m, buf, sizeof buf);
	assert_true(len > 0);
	struct iovec iov = { buf, (size_t)len };
	struct fdpass_buf cm;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	fdpass_attach(&mh, &cm, &fd, fd >= 0);
	sendmsg(sock, &mh, MSG_NOSIGNAL);
}

static void answer_version(struct srv *s, const struct p9_msg *m)
{
	s->versions++;
	bool asked = m->u.version.version.len == strlen(P9_VERSION_L_FDS);
	struct p9_msg r = { .type = P9_RVERSION, .tag = P9_NOTAG };
	r.u.version.msize = m->u.version.msize;
	if (asked && s->mode == M_REFUSE) {
		r = (struct p9_msg){ .type = P9_RLERROR, .tag = P9_NOTAG };
		r.u.rlerror.ecode = EIO;
	} else if (asked || s->mode == M_UNASKED) {
		r.u.version.version = p9_str_of(P9_VERSION_L_FDS);
	} else {
		r.u.version.version = p9_str_of(P9_VERSION_L);
	}
	send_msg(s->fd, &r, -1);
}

/* Tlopen of fid 2 is a directory (no fd); any other fid a file. */
static void *srv_main(void *arg)
{
	struct srv *s = arg;
	uint8_t buf[8192];
	struct p9_msg m;
	int opens = 0;
	while (recv_msg(s->fd, buf, sizeof buf, &m) == 0) {
		if (m.type == P9_TVERSION) {
			answer_version(s, &m);
			continue;
		}
		if (m.type != P9_TLOPEN) {
			struct p9_msg r = { .type = P9_RLERROR, .tag = m.tag };
			r.u.rlerror.ecode = EOPNOTSUPP;   /* as burrow-gofer answers */
			send_msg(s->fd, &r, -1);
			continue;
		}
		bool dir = m.u.tlopen.fid == 2;
		struct p9_msg r = { .type = P9_RLOPEN, .tag = m.tag };
		r.u.rlopen.qid.type = dir ? P9_QTDIR : P9_QTFILE;
		r.u.rlopen.qid.path = m.u.tlopen.fid;
		bool with = s->mode != M_REFUSE && !dir && !(s->mode == M_LIAR && ++opens == 2);
		send_msg(s->fd, &r, with ? s->file_fd : -1);
	}
	return NULL;
}

static struct srv *srv_start(enum mode mode, int *client_end)
{
	struct srv *s = calloc(1, sizeof *s);
	assert_non_null(s);
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	s->fd = sv[1];
	s->mode = mode;
	char path[] = "/tmp/test_client_fds.XXXXXX";
	s->file_fd = mkstemp(path);
	assert_true(s->file_fd >= 0);
	unlink(path);
	assert_int_equal(pwrite(s->file_fd, "host", 4, 0), 4);
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
	*client_end = sv[0];
	return s;
}

static void srv_end(struct srv *s)
{
	pthread_join(s->th, NULL);
	close(s->fd);
	close(s->file_fd);
	free(s);
}

/* A client asking for host fds of a fake server in `mode`. */
static struct p9_client *hostfd_client(enum mode mode, struct srv **s)
{
	int cfd;
	struct p9_client *c;
	*s = srv_start(mode, &cfd);
	assert_int_equal(p9_client_new_opts(cfd, 8192, P9_CLIENT_HOSTFDS, &c), 0);
	return c;
}

static void hostfd_done(struct p9_client *c, struct srv *s)
{
	p9_client_free(c);
	srv_end(s);
}

static void test_fds_given_to_their_replies(void **state)
{
	(void)state;
	struct srv *s;
	struct p9_client *c = hostfd_client(M_FDS, &s);
	assert_true(p9_client_hostfds(c));
	int hfd;
	assert_int_equal(p9_lopen_fd(c, 1, P9_DOTL_RDONLY, NULL, NULL, &hfd), 0);
	assert_true(hfd >= 0);
	char got[8] = "";
	assert_int_equal(pread(hfd, got, 4, 0), 4);
	assert_memory_equal(got, "host", 4);
	assert_true(fcntl(hfd, F_GETFD) & FD_CLOEXEC);
	close(hfd);
	assert_int_equal(p9_lopen_fd(c, 2, P9_DOTL_RDONLY, NULL, NULL, &hfd), 0);
	assert_int_equal(hfd, -1);                      /* a directory: none */
	assert_int_equal(p9_lopen(c, 3, P9_DOTL_RDONLY, NULL, NULL), 0);   /* fd closed for us */
	assert_int_equal(p9_lopen_fd(c, 4, P9_DOTL_RDONLY, NULL, NULL, &hfd), 0);
	assert_true(hfd >= 0);
	close(hfd);
	hostfd_done(c, s);
}

static void test_refused_then_plain(void **state)
{
	(void)state;
	struct srv *s;
	struct p9_client *c = hostfd_client(M_REFUSE, &s);
	assert_false(p9_client_hostfds(c));
	int hfd;
	assert_int_equal(p9_lopen_fd(c, 1, P9_DOTL_RDONLY, NULL, NULL, &hfd), 0);
	assert_int_equal(hfd, -1);
	hostfd_done(c, s);
}

static void test_unasked_is_refused(void **state)
{
	(void)state;
	int cfd;
	struct srv *s = srv_start(M_UNASKED, &cfd);
	struct p9_client *c = NULL;
	assert_int_equal(p9_client_new(cfd, 8192, &c), -EPROTO);
	assert_null(c);
	srv_end(s);
}

static void test_missing_fd_kills(void **state)
{
	(void)state;
	struct srv *s;
	struct p9_client *c = hostfd_client(M_LIAR, &s);
	int hfd;
	assert_int_equal(p9_lopen_fd(c, 1, P9_DOTL_RDONLY, NULL, NULL, &hfd), 0);
	close(hfd);
	/* the second file's reply has no fd: never some other reply's */
	assert_int_equal(p9_lopen_fd(c, 3, P9_DOTL_RDONLY, NULL, NULL, &hfd), -EIO);
	assert_int_equal(hfd, -1);
	assert_false(p9_client_alive(c));
	hostfd_done(c, s);
}

/* A process out of fds loses the one that came (MSG_CTRUNC): that reply
 * gets none, the next ones theirs. */
static void test_no_room_for_an_fd(void **state)
{
	(void)state;
	struct srv *s;
	struct p9_client *c = hostfd_client(M_FDS, &s);
	struct rlimit old, low;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	int fill[64], n = 0;
	while (n < 64 && (fill[n] = dup(0)) >= 0)
		n++;
	int hfd;
	assert_int_equal(p9_lopen_fd(c, 1, P9_DOTL_RDONLY, NULL, NULL, &hfd), 0);
	assert_int_equal(hfd, -1);
	while (n > 0)
		close(fill[--n]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(p9_lopen_fd(c, 3, P9_DOTL_RDONLY, NULL, NULL, &hfd), 0);
	assert_true(hfd >= 0);
	char got[4];
	assert_int_equal(pread(hfd, got, 4, 0), 4);
	close(hfd);
	assert_true(p9_client_alive(c));
	hostfd_done(c, s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fds_given_to_their_replies),
		cmocka_unit_test(test_refused_then_plain),
		cmocka_unit_test(test_unasked_is_refused),
		cmocka_unit_test(test_missing_fd_kills),
		cmocka_unit_test(test_no_room_for_an_fd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
