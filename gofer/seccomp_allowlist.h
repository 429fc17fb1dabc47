/* The gofer's seccomp allowlist (libseccomp).  The entry point,
 * confine_install_seccomp(), is declared in confine.h; this header only
 * says whether the build carries the sanitizer runtime. */
#ifndef BURROW_GOFER_SECCOMP_ALLOWLIST_H
#define BURROW_GOFER_SECCOMP_ALLOWLIST_H

/* Built with AddressSanitizer (gcc or clang)? */
#if defined(__SANITIZE_ADDRESS__)
#define BURROW_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BURROW_SANITIZED 1
#endif
#endif

#endif
