#!/bin/bash
# Build the gofer dispatch fuzz target with libFuzzer, ASan and UBSan and
# run it for SECONDS (default 60) from the seed sequences.
#   tests/security/fuzz_dispatch.sh [SECONDS]
# Exits non-zero on a finding; the input is kept under $FUZZ_ARTIFACTS
# (default /tmp/burrow-fuzz-dispatch-artifacts).  As root the target makes
# the host read-only for itself; only its work directory stays writable.
set -euo pipefail
secs=${1:-60}
case $secs in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cc=${CC_FUZZ:-clang}
artifacts=${FUZZ_ARTIFACTS:-${TMPDIR:-/tmp}/burrow-fuzz-dispatch-artifacts}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts" "$work/corpus" "$work/artifacts"

flags=(-std=gnu17 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror
	-Wno-unused-parameter -I"$top/common" -I"$top/gofer")
ops=(fid qid ident users ops_util ops_walk ops_io ops_attr ops_dir ops_ns ops_xattr ops_lock)
srcs=("$here/fuzz_dispatch.c" "$top/common/p9/codec.c" "$top/common/util.c" "$top/common/log.c")
for o in "${ops[@]}"; do srcs+=("$top/gofer/$o.c"); done

# The seeds, written by the plain driver.
"$cc" "${flags[@]}" "$here/fuzz_dispatch_seeds.c" "${srcs[@]}" -lpthread -o "$work/seeds"
"$work/seeds" --write-corpus "$work/corpus"

"$cc" "${flags[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	"${srcs[@]}" -lpthread -o "$work/fuzz_dispatch"

echo "fuzzing the gofer's dispatch for ${secs}s ($(ls "$work/corpus" | wc -l) seeds)"
status=0
BURROW_FUZZ_WRITABLE="$work" "$work/fuzz_dispatch" -max_total_time="$secs" -max_len=8192 \
	-timeout=10 -print_final_stats=1 -error_exitcode=77 -artifact_prefix="$work/artifacts/" \
	"$work/corpus" >"$work/log" 2>&1 || status=$?
# The target could only write inside $work: keep what it found.
cp -p "$work"/artifacts/* "$artifacts"/ 2>/dev/null || true
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
if [ "$status" -ne 0 ]; then
	tail -60 "$work/log"
	echo "fuzz_dispatch: FINDING after ${execs:-?} executions (exit $status); inputs in $artifacts"
	exit 1
fi
grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -1 || true
echo "fuzz_dispatch: ${execs:-?} executions in ${secs}s, no finding"
