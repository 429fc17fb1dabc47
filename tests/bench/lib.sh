# shellcheck shell=bash
# Shared by tests/bench/*.sh (sourced, bash).  Everything a benchmark
# starts or mounts is registered here and torn down on exit, mounts first
# (newest first), then processes by pid, then temp dirs.

BENCH_PIDS=()
BENCH_MOUNTS=()
BENCH_DIRS=()
BENCH_HOOKS=()

bench_die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

bench_need_root() {
	[ "$(id -u)" = 0 ] || { echo "${0##*/}: needs root (mounts, diod as root)" >&2; exit 77; }
}

# bench_builddir DIR: absolute build dir, checks the programs named after it
bench_builddir() {
	local b=$1
	shift
	[ -d "$b" ] || bench_die "no build dir '$b' (usage: ${0##*/} BUILDDIR)"
	b=$(cd "$b" && pwd)
	for p in "$@"; do
		[ -x "$b/$p" ] || bench_die "$b/$p is not built (run make)"
	done
	echo "$b"
}

# bench_mktemp VAR: a fresh temp dir in $VAR, removed at exit (not in a
# subshell: the list of dirs to remove lives in this shell)
bench_mktemp() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/burrow-bench.XXXXXX") || bench_die "mktemp failed"
	chmod 755 "$d"
	BENCH_DIRS+=("$d")
	printf -v "$1" '%s' "$d"
}

bench_track_pid() { BENCH_PIDS+=("$1"); }
bench_track_mount() { BENCH_MOUNTS+=("$1"); }
# bench_on_exit 'COMMAND': run at exit before the mounts are undone
bench_on_exit() { BENCH_HOOKS+=("$1"); }

bench_proc_gone() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "$st" = Z ]
}

# bench_stop_pid PID: TERM, up to 5 s, then KILL; reaps our children
bench_stop_pid() {
	local p=$1 n=50
	kill "$p" 2>/dev/null || return 0
	while [ $n -gt 0 ] && ! bench_proc_gone "$p"; do
		sleep 0.1
		n=$((n - 1))
	done
	bench_proc_gone "$p" || kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}

bench_umount() {
	local m=$1 n=20
	mountpoint -q "$m" 2>/dev/null || return 0
	while [ $n -gt 0 ]; do
		umount "$m" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	umount -l "$m" 2>/dev/null || echo "${0##*/}: could not unmount $m" >&2
}

bench_cleanup() {
	local i
	trap - EXIT
	for ((i = ${#BENCH_HOOKS[@]} - 1; i >= 0; i--)); do eval "${BENCH_HOOKS[i]}" || true; done
	for ((i = ${#BENCH_MOUNTS[@]} - 1; i >= 0; i--)); do bench_umount "${BENCH_MOUNTS[i]}"; done
	for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do bench_stop_pid "${BENCH_PIDS[i]}"; done
	# a FUSE mount whose server we just stopped may only now be gone
	for ((i = ${#BENCH_MOUNTS[@]} - 1; i >= 0; i--)); do bench_umount "${BENCH_MOUNTS[i]}"; done
	for d in "${BENCH_DIRS[@]}"; do
		if grep -q " ${d}[/ ]" /proc/self/mounts; then
			echo "${0##*/}: leaving $d: still mounted below it" >&2
		else
			rm -rf "$d"
		fi
	done
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM HUP

# bench_wait_for SECONDS COMMAND...: poll every 50 ms
bench_wait_for() {
	local n=$(($1 * 20))
	shift
	until "$@"; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.05
	done
}

# bench_ratio A B: A/B with two decimals, "-" when either is missing or B is 0
bench_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-";
		else printf "%.2f\n", a / b }'
}

# bench_median V...: the median of numbers (mean of the middle two if even)
bench_median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) printf "%.4f\n", v[(NR + 1) / 2];
		else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_now: seconds since the epoch with nanoseconds
bench_now() { date +%s.%N; }

bench_elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }

bench_drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || echo "${0##*/}: cannot drop caches" >&2
}

bench_machine() {
	echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo) RAM, kernel $(uname -r)"
	bench_load
}

# The machine is shared: a load average above the CPU count means the
# figures are noisy.  Printed at the start and the end of every table.
bench_load() {
	echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}
