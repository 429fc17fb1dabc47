#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *log_prog = "burrow";
static int log_fd = STDERR_FILENO;
static bool log_json;
static enum log_level log_max = LOG_LVL_INFO;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

int log_init(const char *prog, const char *path, bool json, enum log_level level)
{
	if (prog)
		log_prog = prog;
	log_json = json;
	log_max = level;
	if (path && *path) {
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		if (log_fd != STDERR_FILENO)
			close(log_fd);
		log_fd = fd;
	}
	return 0;
}

bool log_enabled(enum log_level level)
{
	return level <= log_max;
}

int log_output_fd(void)
{
	return log_fd;
}

bool log_output_json(void)
{
	return log_json;
}

/* Escape a message for a JSON string value. */
static size_t json_escape(char *dst, size_t cap, const char *src)
{
	size_t n = 0;
	for (; *src && n + 7 < cap; src++) {
		unsigned char ch = (unsigned char)*src;
		if (ch == '"' || ch == '\\') {
			dst[n++] = '\\';
			dst[n++] = (char)ch;
		} else if (ch < 0x20) {
			n += (size_t)snprintf(dst + n, cap - n, "\\u%04x", ch);
		} else {
			dst[n++] = (char)ch;
		}
	}
	dst[n] = '\0';
	return n;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	int saved = errno;
	char msg[2048], line[4608], stamp[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);

	int n;
	if (log_json) {
		char esc[4096];
		json_escape(esc, sizeof esc, msg);
		n = snprintf(line, sizeof line, "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s.%09ldZ\"}\n",
			     level_names[level], esc, stamp, ts.tv_nsec);
	} else {
		n = snprintf(line, sizeof line, "%s.%06ldZ %s[%d]: %s: %s\n", stamp, ts.tv_nsec / 1000,
			     log_prog, (int)getpid(), level_names[level], msg);
	}
	if (n > (int)sizeof line - 1)
		n = (int)sizeof line - 1;
	if (n > 0)
		write_full(log_fd, line, (size_t)n);
	errno = saved;
}
