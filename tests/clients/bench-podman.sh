#!/bin/bash
# `podman run --rm IMAGE true` with burrow beside runc and crun (whichever
# are installed): RUNS runs each (default 21), interleaved so load drifts
# hit all alike; prints each runtime's median and its ratio to runc's.
#   apt-get install podman runc crun busybox-static
set -u
source "$(dirname "$0")/lib.sh"
need_root_and podman conmon
RUNS=${RUNS:-21}
source "$(dirname "$0")/podman-env.sh"

declare -A path
path[burrow]=$BURROW
for rt in runc crun; do
	p=$(command -v "$rt") && path[$rt]=$p
done
names=(burrow)
for rt in runc crun; do
	[ -n "${path[$rt]:-}" ] && names+=("$rt")
done

now_ms() { date +%s%3N; }
for rt in "${names[@]}"; do
	# warm up: image layers, podman's own caches
	podman --runtime "${path[$rt]}" run --rm "$IMAGE" true || die "$rt cannot run the image"
	: >"$WORK/$rt.times"
done
for ((i = 0; i < RUNS; i++)); do
	for rt in "${names[@]}"; do
		t0=$(now_ms)
		podman --runtime "${path[$rt]}" run --rm "$IMAGE" true || die "$rt: run $i failed"
		echo $(($(now_ms) - t0)) >>"$WORK/$rt.times"
	done
done

median() { sort -n "$1" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
base=""
[ -n "${path[runc]:-}" ] && base=$(median "$WORK/runc.times")
printf '%-8s %10s %12s\n' runtime "median ms" "vs runc"
for rt in "${names[@]}"; do
	m=$(median "$WORK/$rt.times")
	if [ -n "$base" ]; then
		printf '%-8s %10s %12s\n' "$rt" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN {printf "%.2fx", a / b}')"
	else
		printf '%-8s %10s %12s\n' "$rt" "$m" -
	fi
done
echo "($RUNS runs each, podman $(podman --version | awk '{print $3}'))"
