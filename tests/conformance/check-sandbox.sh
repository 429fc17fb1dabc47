#!/bin/sh
# make check: the conformance suite inside a proxied sandbox must give the
# burrow mount's results (in-sandbox.sh).  Skips (77) without root,
# /dev/fuse, jq or busybox-static.
srcdir=${srcdir:-$(dirname "$0")/../..}
exec bash "$srcdir/tests/conformance/in-sandbox.sh" "${BURROW_BUILDDIR:-.}"
