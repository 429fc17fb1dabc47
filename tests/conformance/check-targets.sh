#!/bin/sh
# make check: the conformance table on its CI targets (native, burrow,
# diod, overlay; cache=exclusive and cache=shared), see run-targets.sh.
# Skips (77) without root or /dev/fuse.
srcdir=${srcdir:-$(dirname "$0")/../..}
exec bash "$srcdir/tests/conformance/run-targets.sh" "${BURROW_BUILDDIR:-.}"
