/* Signal names as runc takes them: a number, or a name with or without
 * "SIG" in any case; RTMIN+n and RTMAX-n too. */
#include "lifecycle.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static int parse_num(const char *s, int lo, int hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	return (int)v;
}

static int realtime(const char *name)
{
	if (!strcmp(name, "RTMIN"))
		return SIGRTMIN;
	if (!strcmp(name, "RTMAX"))
		return SIGRTMAX;
	int span = SIGRTMAX - SIGRTMIN;
	if (!strncmp(name, "RTMIN+", 6)) {
		int n = parse_num(name + 6, 0, span);
		return n < 0 ? -1 : SIGRTMIN + n;
	}
	if (!strncmp(name, "RTMAX-", 6)) {
		int n = parse_num(name + 6, 0, span);
		return n < 0 ? -1 : SIGRTMAX - n;
	}
	return -1;
}

int signal_parse(const char *s)
{
	char name[32];
	if (!s || !*s)
		return -1;
	if (isdigit((unsigned char)s[0]))
		return parse_num(s, 1, NSIG - 1);
	size_t n = strlen(s);
	if (n >= sizeof name)
		return -1;
	for (size_t i = 0; i <= n; i++)
		name[i] = (char)toupper((unsigned char)s[i]);
	const char *bare = strncmp(name, "SIG", 3) ? name : name + 3;
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev && !strcmp(abbrev, bare))
			return sig;
	}
	return realtime(bare);
}
