/* Logging: one line per message to stderr or a --log file. Text or JSON
 * (runc's line format: {"level","msg","time"}). */
#ifndef BURROW_LOG_H
#define BURROW_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Open `path` for appending (NULL: stderr).  json selects runc's format.
 * Returns 0 or -errno. */
int log_init(const char *prog, const char *path, bool json, enum log_level level);
bool log_enabled(enum log_level level);
/* Where lines go (stderr without a --log file) and in which format, for
 * a helper process that logs to the same place. */
int log_output_fd(void);
bool log_output_json(void);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) do { if (log_enabled(LOG_LVL_DEBUG)) log_msg(LOG_LVL_DEBUG, __VA_ARGS__); } while (0)

#endif
