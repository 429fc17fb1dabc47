/* Tiny assertion helpers for the C security tests: each failed check
 * prints one line and counts; a test exits 1 if any failed, 77 to skip.
 * Messages go to stderr with plain write(2) so they work under the
 * gofer's seccomp filter too. */
#ifndef BURROW_TESTS_SECURITY_CHECK_H
#define BURROW_TESTS_SECURITY_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern int check_failures;

#define CHECK(cond, ...) do {                                              \
	if (!(cond)) {                                                     \
		check_failures++;                                          \
		char msg_[512];                                            \
		int n_ = snprintf(msg_, sizeof msg_, "FAIL %s:%d: ", __FILE__, __LINE__); \
		n_ += snprintf(msg_ + n_, sizeof msg_ - (size_t)n_, __VA_ARGS__); \
		if (n_ > (int)sizeof msg_ - 2)                             \
			n_ = (int)sizeof msg_ - 2;                         \
		msg_[n_++] = '\n';                                         \
		(void)!write(STDERR_FILENO, msg_, (size_t)n_);             \
	}                                                                  \
} while (0)

/* Expect rc < 0 with errno == e (for libc calls returning -1). */
#define CHECK_ERRNO(expr, e, what) do {                                    \
	errno = 0;                                                         \
	long rc_ = (long)(expr);                                           \
	int err_ = errno;                                                  \
	CHECK(rc_ < 0 && err_ == (e), "%s: expected %s, got rc=%ld errno=%s", \
	      what, strerror(e), rc_, strerror(err_));                   \
} while (0)

#define NOTE(...) do {                                                     \
	char note_[512];                                                   \
	int k_ = snprintf(note_, sizeof note_ - 1, __VA_ARGS__);           \
	if (k_ > (int)sizeof note_ - 2)                                    \
		k_ = (int)sizeof note_ - 2;                                \
	note_[k_++] = '\n';                                                \
	(void)!write(STDERR_FILENO, note_, (size_t)k_);                    \
} while (0)

#endif
