#!/bin/sh
# The attack suite against burrow-gofer --no-confine: the server's own
# checks must hold without the view, nodev, nosymfollow and seccomp.
BURROW_NO_CONFINE=1 exec "${BURROW_BUILDDIR:-.}/tests/security/attack" "$@"
