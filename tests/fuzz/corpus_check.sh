#!/bin/sh
# The committed seed corpus is exactly what gen_corpus writes today: a change
# to the samples without regenerating (tests/fuzz/gen_corpus tests/fuzz/corpus)
# fails here.
set -eu
gen="${BURROW_BUILDDIR:?}/tests/fuzz/gen_corpus"
corpus="${BURROW_SRCDIR:?}/tests/fuzz/corpus"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gen" "$tmp" >/dev/null
[ "$(ls "$tmp" | wc -l)" -gt 0 ] || { echo "gen_corpus wrote nothing"; exit 1; }
if ! diff -r "$tmp" "$corpus"; then
	echo "tests/fuzz/corpus is stale: regenerate it with gen_corpus"
	exit 1
fi
echo "corpus: $(ls "$corpus" | wc -l) seeds, up to date"
