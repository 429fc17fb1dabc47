/* Find the app's program in the container and execve it. */
#include "process.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char default_path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static bool is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) &&
	       access(path, X_OK) == 0;
}

static const char *env_path(const struct oci_process *p)
{
	for (size_t i = 0; i < p->n_env; i++)
		if (strncmp(p->env[i], "PATH=", 5) == 0)
			return p->env[i] + 5;
	return default_path;
}

int exec_lookup(const struct oci_process *p, char *out, size_t len)
{
	const char *name = p->args[0];
	if (strchr(name, '/')) {
		errno = EACCES;
		if (!is_executable(name))
			return boot_errorf(-errno, "exec: \"%s\"", name);
		snprintf(out, len, "%s", name);
		return 0;
	}
	const char *dirs = env_path(p);
	while (*dirs) {
		const char *colon = strchr(dirs, ':');
		size_t dl = colon ? (size_t)(colon - dirs) : strlen(dirs);
		int n = snprintf(out, len, "%.*s/%s", (int)dl, dl ? dirs : ".", name);
		if (n > 0 && (size_t)n < len && is_executable(out))
			return 0;
		dirs += dl + (colon ? 1 : 0);
	}
	return boot_errorf(-ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}

void exec_app(const struct oci_process *p, const char *path)
{
	execve(path, (char *const *)p->args, (char *const *)p->env);
	int err = errno;
	dprintf(STDERR_FILENO, "burrow: exec %s: %s\n", path, strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}
