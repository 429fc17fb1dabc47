/* The gofer's seccomp allowlist (libseccomp).  The entry point,
 * confine_install_seccomp(), is declared in confine.h; this header only
 * exposes what the tests need to describe the filter. */
#ifndef BURROW_GOFER_SECCOMP_ALLOWLIST_H
#define BURROW_GOFER_SECCOMP_ALLOWLIST_H

#include <stdbool.h>

/* 1 when this build adds the sanitizer runtime's extra syscalls. */
bool seccomp_allowlist_has_sanitizer_extras(void);

#endif
