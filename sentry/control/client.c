/* burrow's side of the control socket (client.h). */
#include "client.h"
#include "util.h"
#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int control_connect(const char *id)
{
	struct sockaddr_un sa;
	socklen_t len;
	int r = control_socket_addr(id, &sa, &len);
	if (r < 0)
		return r;
	int fd __cleanup_close = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	while (connect(fd, (struct sockaddr *)&sa, len) < 0)
		if (errno != EINTR)
			return -errno;
	return steal_fd(&fd);
}

void control_reply_free(struct control_reply *rep)
{
	json_decref(rep->result);
	rep->result = NULL;
	wire_close_fds(rep->fds, rep->n_fds);
	rep->n_fds = 0;
}

static int parse_reply(json_t *msg, struct control_reply *rep)
{
	json_t *err = json_object_get(msg, "error");
	if (err) {
		snprintf(rep->error, sizeof rep->error, "%s",
			 json_is_string(err) ? json_string_value(err) : "malformed error reply");
		return -EREMOTEIO;
	}
	json_t *res = json_object_get(msg, "result");
	rep->result = res ? json_incref(res) : json_null();
	return 0;
}

int control_send(int fd, const char *method, json_t *params, const int *fds, size_t n_fds)
{
	json_t *req = json_pack("{s:s, s:o}", "method", method, "params",
				params ? params : json_object());
	if (!req)
		return -ENOMEM;
	int r = wire_send(fd, req, fds, n_fds);
	json_decref(req);
	return r;
}

int control_recv(int fd, struct control_reply *rep)
{
	memset(rep, 0, sizeof *rep);
	rep->fds[0] = rep->fds[1] = rep->fds[2] = -1;
	json_t *msg;
	int r = wire_recv(fd, &msg, rep->fds, ARRAY_SIZE(rep->fds), &rep->n_fds);
	if (r == 0)
		return -ECONNRESET;
	if (r < 0)
		return r;
	r = parse_reply(msg, rep);
	json_decref(msg);
	if (r < 0)
		wire_close_fds(rep->fds, rep->n_fds);
	return r;
}

int control_call(int fd, const char *method, json_t *params, const int *fds, size_t n_fds,
		 struct control_reply *rep)
{
	memset(rep, 0, sizeof *rep);
	int r = control_send(fd, method, params, fds, n_fds);
	/* A refused client finds the socket closed; the refusal is there. */
	if (r == -EPIPE || r == -ECONNRESET) {
		int e = control_recv(fd, rep);
		return e == -EREMOTEIO ? e : r;
	}
	return r < 0 ? r : control_recv(fd, rep);
}

int control_call_once(const char *id, const char *method, json_t *params,
		      struct control_reply *rep)
{
	int fd __cleanup_close = control_connect(id);
	if (fd < 0) {
		json_decref(params);
		memset(rep, 0, sizeof *rep);
		return fd;
	}
	return control_call(fd, method, params, NULL, 0, rep);
}
