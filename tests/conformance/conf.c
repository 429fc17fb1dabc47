/* fsconf: recording assertion results in memory shared by every process of
 * a test, and printing failures as "FAIL cat/test file:line: ...". */
#include "conf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct conf_shared {
	unsigned passed;
	unsigned failed;
	int skipped;
	char why[160];
};

static struct conf_shared *shared;
static const char *cur_cat = "-";
static const char *cur_test = "-";

/* One write per line so that lines of concurrent processes do not mix. */
__attribute__((format(printf, 1, 0)))
static void vput(const char *fmt, va_list ap)
{
	char buf[2048];
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	(void)write_full(STDOUT_FILENO, buf, (size_t)n);
}

void conf_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vput(fmt, ap);
	va_end(ap);
}

const char *errname(int e)
{
	const char *n = e ? strerrorname_np(e) : "0";
	return n ? n : "E?";
}

void conf_begin(const char *category, const char *test)
{
	if (!shared) {
		shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (shared == MAP_FAILED) {
			perror("fsconf: mmap");
			_exit(2);
		}
	}
	memset(shared, 0, sizeof(*shared));
	cur_cat = category;
	cur_test = test;
}

void conf_end_counts(unsigned *passed, unsigned *failed, bool *skipped,
		     char *why, size_t whylen)
{
	*passed = __atomic_load_n(&shared->passed, __ATOMIC_SEQ_CST);
	*failed = __atomic_load_n(&shared->failed, __ATOMIC_SEQ_CST);
	*skipped = shared->skipped != 0;
	snprintf(why, whylen, "%s", shared->why);
}

bool conf_result(bool ok, const char *file, int line, const char *fmt, ...)
{
	if (ok) {
		__atomic_fetch_add(&shared->passed, 1, __ATOMIC_SEQ_CST);
		return true;
	}
	__atomic_fetch_add(&shared->failed, 1, __ATOMIC_SEQ_CST);
	char msg[1536];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	const char *base = strrchr(file, '/');
	conf_printf("FAIL %s/%s %s:%d: %s", cur_cat, cur_test,
		    base ? base + 1 : file, line, msg);
	return false;
}

bool conf_expect_ok(long r, int err, const char *file, int line,
		    const char *expr)
{
	return conf_result(r != -1, file, line,
			   "%s: expected success, got -1 %s", expr,
			   errname(err));
}

bool conf_expect_err(long r, int err, const char *file, int line,
		     const char *expr, int want1, int want2)
{
	bool ok = r == -1 && (err == want1 || err == want2);
	char want[64];
	if (want1 == want2)
		snprintf(want, sizeof(want), "%s", errname(want1));
	else
		snprintf(want, sizeof(want), "%s or %s", errname(want1),
			 errname(want2));
	if (r != -1)
		return conf_result(ok, file, line,
				   "%s: expected -1 %s, got %ld (success)",
				   expr, want, r);
	return conf_result(ok, file, line, "%s: expected -1 %s, got -1 %s",
			   expr, want, errname(err));
}

bool conf_expect_eq(long long got, long long want, const char *file,
		    int line, const char *expr, bool octal)
{
	if (octal)
		return conf_result(got == want, file, line,
				   "%s: expected 0%llo, got 0%llo", expr,
				   want, got);
	return conf_result(got == want, file, line,
			   "%s: expected %lld, got %lld", expr, want, got);
}

bool conf_expect_str(const char *got, const char *want, const char *file,
		     int line, const char *expr)
{
	bool ok = got && want && strcmp(got, want) == 0;
	return conf_result(ok, file, line, "%s: expected \"%.200s\", got \"%.200s\"",
			   expr, want ? want : "(null)", got ? got : "(null)");
}

void conf_skip(const char *why)
{
	shared->skipped = 1;
	snprintf(shared->why, sizeof(shared->why), "%s", why);
}

void conf_note(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_printf("note %s/%s: %s", cur_cat, cur_test, msg);
}
