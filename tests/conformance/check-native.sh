#!/bin/sh
# make check: run the conformance suite on a fresh native directory, so the
# suite itself is tested. A test failing here is a wrong test.
set -eu
fsconf=${FSCONF:-./tests/conformance/fsconf}
[ -x "$fsconf" ] || { echo "check-native: $fsconf not built" >&2; exit 99; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/fsconf-check.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
# The copyup category's pre-made tree, so its tests run too.
"$fsconf" -p "$dir"
# The run-table script checks its own bookkeeping on the same output.
srcdir=${srcdir:-$(dirname "$0")/../..}
FSCONF=$fsconf "$srcdir/tests/conformance/run-table.sh" native="$dir"
