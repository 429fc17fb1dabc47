#!/bin/bash
# Container start-up and a file-heavy workload: `burrow run` in proxy,
# proxy+overlay and direct mode beside `runc run` and `crun run`, on one
# busybox bundle (scripts/make-busybox-rootfs.sh), side by side in one run.
# Needs root.
#
#   startup.sh [BUILDDIR]
#
# 1. /bin/true, RUNS times per runtime (round robin, after 2 warm-up runs
#    each): median, 10th and 90th percentile wall time, ratios to runc, crun.
# 2. tests/bench/container-work.sh inside the container (create FILES
#    files, cp -a /bin COPIES times, find, tar pipe, DD_MIB MiB dd write
#    (fsync) + read, FORKS fork+exec, ls -lR, rm -rf), WL_RUNS times per
#    runtime: median total and per phase, ratio to runc.
#
# crun refuses a cgroup v1/v2 hybrid whose v2 side still holds a controller
# (here: hugetlb, which has no v1 mount): this script mounts the v1 hugetlb
# hierarchy at /sys/fs/cgroup/hugetlb when it is missing (and unmounts it
# at exit), which moves that controller off the v2 side.
#
# Environment: RUNS (25), WL_RUNS (3), FILES (5000), COPIES (10), DD_MIB
# (256), FORKS (1000), RUNTIMES ("proxy overlay direct runc crun"),
# WORKLOAD (1; 0 skips part 2), OVERLAY_SIZE (for the workload, 1g).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

bench_need_root
B=$(bench_builddir "${1:-.}" burrow burrow-gofer sentry/burrow-sentry)
command -v jq >/dev/null || bench_die "needs jq (apt-get install jq)"
RUNS=${RUNS:-25}
WL_RUNS=${WL_RUNS:-3}
FILES=${FILES:-5000}
COPIES=${COPIES:-10}
DD_MIB=${DD_MIB:-256}
FORKS=${FORKS:-1000}
RUNTIMES=${RUNTIMES:-proxy overlay direct runc crun}
WORKLOAD=${WORKLOAD:-1}
OVERLAY_SIZE=${OVERLAY_SIZE:-1g}

for r in $RUNTIMES; do
	case $r in
	runc | crun) command -v "$r" >/dev/null || bench_die "$r is not installed (apt-get install $r)" ;;
	proxy | overlay | direct) ;;
	*) bench_die "unknown runtime '$r'" ;;
	esac
done

bench_mktemp T
BUNDLE=$T/bundle
mkdir -p "$BUNDLE"
bash "$here/../../scripts/make-busybox-rootfs.sh" "$BUNDLE/rootfs" >/dev/null ||
	bench_die "building the busybox rootfs failed"
cp "$here/container-work.sh" "$BUNDLE/rootfs/container-work.sh"
(cd "$BUNDLE" && runc spec 2>/dev/null || "$B/burrow" spec) || bench_die "no spec"
base=$(jq '.process.terminal = false | .root.readonly = false' "$BUNDLE/config.json") ||
	bench_die "config.json is not JSON"

use_spec() { # ARGS...
	local args
	args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
	jq ".process.args = $args" <<<"$base" >"$BUNDLE/config.json"
}

hugetlb_fix() {
	[[ " $RUNTIMES " == *" crun "* ]] || return 0
	mountpoint -q /sys/fs/cgroup/hugetlb && return 0
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null || return 0
	local made=
	[ -d /sys/fs/cgroup/hugetlb ] || { mkdir /sys/fs/cgroup/hugetlb && made=1; }
	mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb || bench_die "mounting the hugetlb cgroup failed"
	bench_on_exit "umount /sys/fs/cgroup/hugetlb; ${made:+rmdir /sys/fs/cgroup/hugetlb}"
	HUGETLB_NOTE="mounted the v1 hugetlb cgroup for crun (undone at exit)"
}
HUGETLB_NOTE=
hugetlb_fix

# Anything a failed run left behind goes at exit.
# shellcheck disable=SC2317 # called from the exit hook
leftovers() {
	local r id
	for r in runc crun; do
		[ -d "$T/$r-state" ] || continue
		for id in $("$r" --root "$T/$r-state" list -q 2>/dev/null); do
			"$r" --root "$T/$r-state" delete -f "$id" >/dev/null 2>&1
		done
	done
}
bench_on_exit leftovers

SEQ=0
# launch RUNTIME [burrow global options...]: run the bundle once, output to stdout
launch() {
	local r=$1 id
	shift
	SEQ=$((SEQ + 1))
	id=bench-$$-$SEQ
	case $r in
	proxy) "$B/burrow" --root "$T/burrow-state" --file-access proxy "$@" run --bundle "$BUNDLE" "$id" ;;
	overlay) "$B/burrow" --root "$T/burrow-state" --file-access proxy --overlay "$@" run --bundle "$BUNDLE" "$id" ;;
	direct) "$B/burrow" --root "$T/burrow-state" --file-access direct "$@" run --bundle "$BUNDLE" "$id" ;;
	runc | crun) "$r" --root "$T/$r-state" run -b "$BUNDLE" "$id" ;;
	esac
}

label() {
	case $1 in
	proxy) echo "burrow proxy" ;;
	overlay) echo "burrow proxy+overlay" ;;
	direct) echo "burrow direct" ;;
	*) echo "$1" ;;
	esac
}

# percentile P V...: nearest-rank percentile
percentile() {
	local p=$1
	shift
	printf '%s\n' "$@" | sort -g | awk -v p="$p" '{ v[NR] = $1 } END {
		k = int((p / 100) * NR + 0.999999); if (k < 1) k = 1; if (k > NR) k = NR; printf "%.4f\n", v[k] }'
}

# ---- part 1: start-up of /bin/true ----
declare -A TIMES FAILS MED
startup() {
	local i r t0 t1
	use_spec /bin/true
	for r in $RUNTIMES; do
		launch "$r" >/dev/null 2>&1
		launch "$r" >/dev/null 2>&1
	done
	for ((i = 0; i < RUNS; i++)); do
		for r in $RUNTIMES; do
			t0=$EPOCHREALTIME
			if launch "$r" >/dev/null 2>>"$T/$r.err"; then
				t1=$EPOCHREALTIME
				TIMES[$r]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }') "
			else
				FAILS[$r]=$((${FAILS[$r]:-0} + 1))
			fi
		done
	done
}

ms() { awk -v s="$1" 'BEGIN { if (s == "-") print "-"; else printf "%.1f\n", s * 1000 }'; }

print_startup() {
	local r med
	printf '%-24s %9s %9s %9s %8s %8s %6s\n' "/bin/true start-up (ms)" median p10 p90 "vs runc" "vs crun" fails
	for r in $RUNTIMES; do
		# shellcheck disable=SC2086 # samples are words
		if [ -n "${TIMES[$r]:-}" ]; then MED[$r]=$(bench_median ${TIMES[$r]}); else MED[$r]=-; fi
	done
	for r in $RUNTIMES; do
		med=${MED[$r]}
		# shellcheck disable=SC2086
		printf '%-24s %9s %9s %9s %7sx %7sx %6s\n' "$(label "$r")" "$(ms "$med")" \
			"$(ms "$(percentile 10 ${TIMES[$r]:-})")" "$(ms "$(percentile 90 ${TIMES[$r]:-})")" \
			"$(bench_ratio "$med" "${MED[runc]:-}")" "$(bench_ratio "$med" "${MED[crun]:-}")" \
			"${FAILS[$r]:-0}"
	done
}

# ---- part 2: the file-heavy workload ----
PHASES="create cp-a find tar-pipe dd-write dd-read fork-exec ls-lR rm-rf"
declare -A WL
workload() {
	local i r t0 out
	use_spec /bin/sh /container-work.sh "$FILES" "$COPIES" "$DD_MIB" "$FORKS"
	for ((i = 0; i < WL_RUNS; i++)); do
		for r in $RUNTIMES; do
			t0=$EPOCHREALTIME
			if [ "$r" = overlay ]; then
				out=$(launch "$r" --overlay-size "$OVERLAY_SIZE" 2>>"$T/$r.err")
			else
				out=$(launch "$r" 2>>"$T/$r.err")
			fi || { WL[$r.fail]=$((${WL[$r.fail]:-0} + 1)); continue; }
			WL[$r.total]+="$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }') "
			while read -r tag name secs; do
				[ "$tag" = phase ] && WL[$r.$name]+="$secs "
			done <<<"$out"
		done
	done
}

med_of() { # KEY
	# shellcheck disable=SC2086
	if [ -n "${WL[$1]:-}" ]; then printf '%.2f\n' "$(bench_median ${WL[$1]})"; else echo -; fi
}

print_workload() {
	local r p line
	line=$(printf '%-22s %8s %8s' "workload (s, median)" total "vs runc")
	for p in $PHASES; do line+=$(printf ' %9s' "$p"); done
	echo "$line fails"
	for r in $RUNTIMES; do
		line=$(printf '%-22s %8s %7sx' "$(label "$r")" "$(med_of "$r.total")" \
			"$(bench_ratio "$(med_of "$r.total")" "$(med_of runc.total)")")
		for p in $PHASES; do line+=$(printf ' %9s' "$(med_of "$r.$p")"); done
		echo "$line ${WL[$r.fail]:-0}"
	done
}

bench_machine
echo "# bundle: busybox-static rootfs on $(findmnt -no FSTYPE --target "$BUNDLE"), $(
	jq -r '[.linux.namespaces[].type] | join(",")' <<<"$base") namespaces, runc's default spec"
echo "# runc $(runc --version 2>/dev/null | awk 'NR == 1 { print $3 }'), crun $(crun --version 2>/dev/null | awk 'NR == 1 { print $3 }')${HUGETLB_NOTE:+; $HUGETLB_NOTE}"
startup
print_startup
if [ "$WORKLOAD" = 1 ]; then
	echo "# workload: $FILES files, cp -a /bin x$COPIES, find, tar pipe, dd ${DD_MIB} MiB (fsync) + read (warm), $FORKS fork+exec, ls -lR, rm -rf; median of $WL_RUNS; overlay size $OVERLAY_SIZE"
	workload
	print_workload
fi
bench_load
for r in $RUNTIMES; do
	[ -s "$T/$r.err" ] && { echo "# $(label "$r") stderr (first lines):"; head -5 "$T/$r.err" | sed 's/^/#   /'; }
done
[ -d "$T/burrow-state" ] && [ -n "$(ls -A "$T/burrow-state")" ] &&
	echo "# burrow left state behind: $(ls "$T/burrow-state")"
exit 0
