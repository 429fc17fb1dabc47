/* burrow exec after the command line: Execute, then the console socket,
 * the detached waiter or the foreground wait (signals, pty relay). */
#ifndef BURROW_CLI_EXEC_WAIT_H
#define BURROW_CLI_EXEC_WAIT_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct exec_ctx {
	const char *id, *pid_file, *console_socket;
	bool detach, terminal;
	pid_t pid;                   /* the new process (host pid) */
	int master;                  /* its pty master, or -1 */
};

/* application.Execute with burrow's stdio (or for a pty).  0, or 1 with
 * the error printed. */
int exec_start(struct exec_ctx *x, json_t *process);
/* Everything after: returns burrow's exit status (the process's own in
 * the foreground, 0 once detached). */
int exec_finish(struct exec_ctx *x);

#endif
