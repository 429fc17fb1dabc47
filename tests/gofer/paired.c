/* gofer-probe paired: burrow-gofer serving connected sockets it inherited
 * (--io-fds, as burrow runs it, or --listen fd:N), one export each. */
#include "probe.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define MAX_PAIRED 8

/* Read the whole of `name` at the root of an attached client. */
static int read_file(struct p9_client *c, uint32_t root, const char *name, char *buf, size_t cap)
{
	uint32_t f;
	int rc = p9_fid_alloc(c, &f);
	if (rc == 0)
		rc = p9_walk(c, root, f, 1, &name, NULL) == 1 ? 0 : -ENOENT;
	if (rc == 0)
		rc = p9_lopen(c, f, P9_DOTL_RDONLY, NULL, NULL);
	ssize_t n = rc == 0 ? p9_read(c, f, 0, buf, (uint32_t)cap - 1) : rc;
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	return p9_clunk(c, f);
}

static pid_t spawn(char **argv, const int *keep, size_t nkeep)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	for (size_t i = 0; i < nkeep; i++)
		fcntl(keep[i], F_SETFD, 0);
	execv(argv[0], argv);
	_exit(127);
}

/* Argument vector: GOFER serve --export E... (--io-fds a,b | --listen fd:a) */
static char **gofer_argv(const char *gofer, char **exports, size_t n, const int *fds, bool io_fds)
{
	static char *argv[4 + 2 * MAX_PAIRED + 4];
	static char fdlist[16 * MAX_PAIRED];
	size_t a = 0, len = 0;
	argv[a++] = (char *)gofer;
	argv[a++] = "serve";
	for (size_t i = 0; i < n; i++) {
		argv[a++] = "--export";
		argv[a++] = exports[i];
		len += (size_t)snprintf(fdlist + len, sizeof fdlist - len, "%s%s%d", i ? "," : "",
					io_fds ? "" : "fd:", fds[i]);
	}
	argv[a++] = io_fds ? "--io-fds" : "--listen";
	argv[a++] = fdlist;
	argv[a] = NULL;
	return argv;
}

/* Serve n exports over inherited sockets; print each export's "file",
 * then close the connections and report how the server exited. */
int paired_run(const char *gofer, char **exports, size_t n, bool io_fds)
{
	if (n == 0 || n > MAX_PAIRED || (!io_fds && n != 1))
		return -EINVAL;
	int ours[MAX_PAIRED], theirs[MAX_PAIRED];
	for (size_t i = 0; i < n; i++) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return -errno;
		ours[i] = sv[0];
		theirs[i] = sv[1];
	}
	pid_t pid = spawn(gofer_argv(gofer, exports, n, theirs, io_fds), theirs, n);
	for (size_t i = 0; i < n; i++)
		close(theirs[i]);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct p9_client *c;
		uint32_t root;
		char buf[256];
		rc = p9_client_new(ours[i], 65536, &c);
		if (rc < 0)
			break;
		rc = p9_fid_alloc(c, &root);
		if (rc == 0)
			rc = p9_attach(c, root, "", "", 0, NULL);
		if (rc == 0)
			rc = read_file(c, root, "file", buf, sizeof buf);
		if (rc == 0)
			printf("%zu: %s", i, buf);
		p9_client_free(c);     /* closes the connection */
	}
	/* With every connection gone the server must exit by itself. */
	int st = 0;
	for (int waited = 0; waited < 100; waited++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			printf("exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
			return rc;
		}
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	printf("did not exit\n");
	return rc < 0 ? rc : -ETIMEDOUT;
}
