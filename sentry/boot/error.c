/* The one error message of a failing setup, formatted where the context
 * is known and reported once at the process boundary. */
#include "boot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char error_text[1024];

int boot_errorf(int err, const char *fmt, ...)
{
	char what[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	/* Keep the innermost message: it has the most precise context. */
	if (!error_text[0]) {
		if (err < 0)
			snprintf(error_text, sizeof error_text, "%s: %s", what, strerror(-err));
		else
			snprintf(error_text, sizeof error_text, "%s", what);
	}
	return err < 0 ? err : -EINVAL;
}

const char *boot_error_text(void)
{
	return error_text[0] ? error_text : "sandbox setup failed";
}
