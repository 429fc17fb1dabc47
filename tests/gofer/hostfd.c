/* gofer-probe's checks of the host-fd extension (P9_VERSION_L_FDS):
 *
 *   -F ADDR hostfd FILE   ask for it; print "ext 0|1", then for FILE opened
 *                         read-only "fd none" or "fd ro" and its content read
 *                         through the fd, and "write EBADF" when a write on
 *                         the fd is refused, "openat .. ENOTDIR" when
 *                         nothing opens relative to it; for the root directory "dir
 *                         fd none" (directories never carry one)
 *   ADDR rawfds FILE      a plain 9P2000.L session on a raw socket that
 *                         opens FILE: prints "fds N", the fds that came
 *                         with the replies (a plain client must get none) */
#include "probe.h"
#include "addr.h"
#include "fdpass.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

int cmd_hostfd(struct probe *p, char **av)
{
	printf("ext %d\n", p9_client_hostfds(p->c) ? 1 : 0);
	uint32_t fid;
	int rc = probe_walk(p, av[0], &fid);
	if (rc < 0)
		return rc;
	int hfd;
	rc = p9_lopen_fd(p->c, fid, P9_DOTL_RDONLY, NULL, NULL, &hfd);
	if (rc == 0 && hfd < 0) {
		printf("fd none\n");
	} else if (rc == 0) {
		int acc = fcntl(hfd, F_GETFL) & O_ACCMODE;
		printf("fd %s\n", acc == O_RDONLY ? "ro" : "not-ro");
		char buf[4096];
		ssize_t n = pread(hfd, buf, sizeof buf - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		printf("content %s\n", buf);
		if (pwrite(hfd, "x", 1, 0) < 0 && errno == EBADF)
			printf("write EBADF\n");
		/* nothing else is reachable from it */
		int up = openat(hfd, "..", O_RDONLY | O_CLOEXEC);
		if (up < 0 && errno == ENOTDIR)
			printf("openat .. ENOTDIR\n");
		else if (up >= 0)
			close(up);
		close(hfd);
	}
	p9_clunk(p->c, fid);
	p9_fid_release(p->c, fid);
	if (rc < 0)
		return rc;
	/* the root, opened: a directory never carries an fd */
	rc = probe_walk(p, "", &fid);
	if (rc < 0)
		return rc;
	rc = p9_lopen_fd(p->c, fid, P9_DOTL_RDONLY, NULL, NULL, &hfd);
	if (rc == 0)
		printf("dir fd %s\n", hfd < 0 ? "none" : "some");
	if (hfd >= 0)
		close(hfd);
	p9_clunk(p->c, fid);
	p9_fid_release(p->c, fid);
	return rc;
}

/* One message out. */
static int raw_send(int fd, struct p9_msg *m)
{
	uint8_t buf[512];
	int n = p9_encode(m, buf, sizeof buf);
	if (n < 0)
		return n;
	return write(fd, buf, (size_t)n) == n ? 0 : -EIO;
}

/* n bytes in, counting the fds that come along. */
static int raw_recv(int fd, uint8_t *buf, size_t n, int *nfds)
{
	while (n > 0) {
		struct iovec iov = { buf, n };
		struct fdpass_buf cm;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		fdpass_prepare(&mh, &cm);
		ssize_t got = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
		if (got <= 0)
			return -EIO;
		*nfds += (int)fdpass_collect(&mh, NULL, 0);   /* counted, closed */
		buf += got;
		n -= (size_t)got;
	}
	return 0;
}

/* One reply in; its type. */
static int raw_reply(int fd, int *nfds)
{
	uint8_t buf[8192];
	if (raw_recv(fd, buf, P9_HDRSZ, nfds) < 0)
		return -EIO;
	uint32_t size;
	uint8_t type;
	p9_peek_header(buf, P9_HDRSZ, &size, &type, NULL);
	if (size < P9_HDRSZ || size > sizeof buf)
		return -EPROTO;
	if (raw_recv(fd, buf + P9_HDRSZ, size - P9_HDRSZ, nfds) < 0)
		return -EIO;
	return type;
}

int cmd_rawfds(struct probe *p, char **av)
{
	int fd = addr_connect(p->addr);
	if (fd < 0)
		return fd;
	int nfds = 0, rc;
	struct p9_msg m = { .type = P9_TVERSION, .tag = P9_NOTAG };
	m.u.version.msize = 8192;
	m.u.version.version = p9_str_of(P9_VERSION_L);
	rc = raw_send(fd, &m);
	if (rc == 0)
		rc = raw_reply(fd, &nfds) == P9_RVERSION ? 0 : -EPROTO;
	m = (struct p9_msg){ .type = P9_TATTACH, .tag = 1 };
	m.u.tattach.fid = 0;
	m.u.tattach.afid = P9_NOFID;
	m.u.tattach.uname = p9_str_of("");
	m.u.tattach.aname = p9_str_of(p->aname);
	if (rc == 0)
		rc = raw_send(fd, &m);
	if (rc == 0)
		rc = raw_reply(fd, &nfds) == P9_RATTACH ? 0 : -EPROTO;
	m = (struct p9_msg){ .type = P9_TWALK, .tag = 1 };
	m.u.twalk.fid = 0;
	m.u.twalk.newfid = 1;
	m.u.twalk.nwname = 1;
	m.u.twalk.wnames[0] = p9_str_of(av[0]);
	if (rc == 0)
		rc = raw_send(fd, &m);
	if (rc == 0)
		rc = raw_reply(fd, &nfds) == P9_RWALK ? 0 : -ENOENT;
	m = (struct p9_msg){ .type = P9_TLOPEN, .tag = 1 };
	m.u.tlopen.fid = 1;
	m.u.tlopen.flags = P9_DOTL_RDONLY;
	if (rc == 0)
		rc = raw_send(fd, &m);
	if (rc == 0)
		rc = raw_reply(fd, &nfds) == P9_RLOPEN ? 0 : -EACCES;
	close(fd);
	if (rc == 0)
		printf("fds %d\n", nfds);
	return rc;
}
