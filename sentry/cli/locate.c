/* Finding burrow-sentry and burrow-gofer. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool try_path(char *out, size_t len, const char *dir, const char *sub, const char *name)
{
	int n = snprintf(out, len, "%s%s/%s", dir, sub, name);
	return n > 0 && (size_t)n < len && access(out, X_OK) == 0;
}

int locate_program(const char *name, const char *env, char *out, size_t len)
{
	const char *over = getenv(env);
	if (over && *over) {
		if (access(over, X_OK) < 0)
			return -errno;
		snprintf(out, len, "%s", over);
		return 0;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if (try_path(out, len, self, "", name) || try_path(out, len, self, "/sentry", name))
				return 0;
		}
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t dl = colon ? (size_t)(colon - path) : strlen(path);
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%.*s", (int)dl, path);
		if (dl && try_path(out, len, dir, "", name))
			return 0;
		path += dl + (colon ? 1 : 0);
	}
	return -ENOENT;
}
