#!/bin/bash
# Build the 9P2000.L decoder fuzzer with libFuzzer, ASan and UBSan and run it
# for SECONDS (default 60) on a copy of the seed corpus.
#   tests/fuzz/run.sh [SECONDS]
# Prints the number of executions; exits non-zero on a finding (the crashing
# input is kept under $FUZZ_ARTIFACTS, default /tmp/burrow-fuzz-artifacts).
set -euo pipefail
secs=${1:-60}
case $secs in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cc=${CC_FUZZ:-clang}
artifacts=${FUZZ_ARTIFACTS:-${TMPDIR:-/tmp}/burrow-fuzz-artifacts}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$cc" -std=gnu17 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Wno-unused-parameter \
	-I"$top/common" -I"$here" \
	"$here/fuzz_decode.c" "$here/p9_msgcmp.c" "$top/common/p9/codec.c" \
	-o "$work/fuzz_decode"

mkdir -p "$work/corpus" "$artifacts"
cp "$here"/corpus/* "$work/corpus/"
echo "fuzzing the 9P decoder for ${secs}s ($(ls "$work/corpus" | wc -l) seeds)"
status=0
"$work/fuzz_decode" -max_total_time="$secs" -max_len=16384 -timeout=10 \
	-print_final_stats=1 -error_exitcode=77 -artifact_prefix="$artifacts/" \
	"$work/corpus" >"$work/log" 2>&1 || status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
if [ "$status" -ne 0 ]; then
	tail -60 "$work/log"
	echo "fuzz_decode: FINDING after ${execs:-?} executions (exit $status); inputs in $artifacts"
	exit 1
fi
grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -1 || true
echo "fuzz_decode: ${execs:-?} executions in ${secs}s, no finding"
