#!/bin/bash
# burrow-gofer beside diod: both export the same tmpfs directory, p9load
# drives each in turn with 1, 8 and 32 connections, one table with the
# ratio burrow/diod.  Needs root (tmpfs mount, diod as root).
#
#   gofer-vs-diod.sh [BUILDDIR]
#
# Environment: SECS (measured seconds per run, 5), REPS (runs per cell,
# alternating who goes first; medians are shown, 3), WARMUP (1), CONNS
# ("1 8 32"), WORKERS (worker threads of both servers, 16 = diod's
# default), TRANSPORT (unix or tcp), BIG_MIB (read fixture, 256),
# GOFER_ARGS (extra burrow-gofer options), ROWS (subset of the row names).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

bench_need_root
command -v diod >/dev/null || bench_die "diod is not installed (apt-get install diod)"
B=$(bench_builddir "${1:-.}" burrow-gofer tests/bench/p9load)
SECS=${SECS:-5}
REPS=${REPS:-3}
WARMUP=${WARMUP:-1}
CONNS=${CONNS:-1 8 32}
WORKERS=${WORKERS:-16}
TRANSPORT=${TRANSPORT:-unix}
BIG_MIB=${BIG_MIB:-256}
GOFER_ARGS=${GOFER_ARGS:-}
ROWS=${ROWS:-walk create randread seqread-1m seqwrite-1m seqread-64k seqwrite-64k}

bench_mktemp T
mkdir -p "$T/export"
mount -t tmpfs -o size=8g,mode=0755 burrow-bench "$T/export" || bench_die "tmpfs mount failed"
bench_track_mount "$T/export"

case $TRANSPORT in
unix)
	GADDR=unix:$T/gofer.sock DLISTEN=$T/diod.sock DADDR=unix:$T/diod.sock
	gready() { test -S "$T/gofer.sock"; }
	dready() { test -S "$T/diod.sock"; }
	;;
tcp)
	GADDR=tcp:127.0.0.1:15640 DLISTEN=127.0.0.1:15641 DADDR=tcp:127.0.0.1:15641
	gready() { grep -q ':3D18 .* 0A ' /proc/net/tcp; }   # 15640 listening
	dready() { grep -q ':3D19 .* 0A ' /proc/net/tcp; }   # 15641 listening
	;;
*) bench_die "TRANSPORT is unix or tcp" ;;
esac

# shellcheck disable=SC2086 # GOFER_ARGS is a word list
"$B/burrow-gofer" serve --export "$T/export" --listen "$GADDR" --workers "$WORKERS" \
	--log "$T/gofer.log" $GOFER_ARGS </dev/null &
bench_track_pid $!
GPID=$!
diod -f -n -e "$T/export" -l "$DLISTEN" -t "$WORKERS" -L "$T/diod.log" </dev/null &
bench_track_pid $!
DPID=$!
bench_wait_for 5 gready || { cat "$T/gofer.log" >&2; bench_die "burrow-gofer did not start"; }
bench_wait_for 5 dready || { cat "$T/diod.log" >&2; bench_die "diod did not start"; }

# row NAME -> "workload p9load-args label unit"
row_spec() {
	case $1 in
	walk) echo "walk|-w walk|walk+getattr+clunk|ops/s" ;;
	create) echo "create|-w create -x remove|create+write4k+clunk+remove|ops/s" ;;
	randread) echo "randread|-w randread|4k random read|ops/s" ;;
	seqread-1m) echo "seqread|-w seqread -m 1048600|seq read, msize 1M|MB/s" ;;
	seqwrite-1m) echo "seqwrite|-w seqwrite -m 1048600|seq write, msize 1M|MB/s" ;;
	seqread-64k) echo "seqread|-w seqread -m 65536|seq read, msize 64K|MB/s" ;;
	seqwrite-64k) echo "seqwrite|-w seqwrite -m 65536|seq write, msize 64K|MB/s" ;;
	*) return 1 ;;
	esac
}

# p9run NAME PID ADDR ANAME CONNS ARGS... -> prints "RATE MSIZE CPU", where
# CPU is the server's CPU microseconds per op (ops/s rows) or per MiB (MB/s
# rows); "- - -" on failure
p9run() {
	local who=$1 pid=$2 addr=$3 aname=$4 conns=$5 out
	shift 5
	out=$("$B/tests/bench/p9load" -a "$addr" -A "$aname" -c "$conns" -d "$SECS" -W "$WARMUP" \
		-s "$BIG_MIB" -P "$pid" "$@" 2>>"$T/p9load.err") || { echo "- - -"; return; }
	echo "$who $out" >>"$T/p9load.out"
	echo "$out" | tr ' ' '\n' | awk -F= -v k="$UNIT_KEY" '
		{ v[$1] = $2 }
		END {
			cpu = v["server_us_op"]
			if (k == "mb_s" && cpu >= 0 && v["mb_s"] > 0) cpu = cpu * v["ops_s"] / v["mb_s"]
			printf "%s %s %.1f\n", v[k], v["msize"], cpu
		}'
}

server_alive() { ! bench_proc_gone "$1"; }

bench_machine
echo "# burrow-gofer: $GADDR, --workers $WORKERS, default confinement, identity: server (root) ${GOFER_ARGS:+, extra: $GOFER_ARGS}"
echo "# diod:         $DADDR, -t $WORKERS (I/O threads), -n (no auth), as root, per-request setfsuid"
echo "# export: one tmpfs, both servers; p9load: ${SECS}s measured after ${WARMUP}s warm-up, median of $REPS runs per cell; $TRANSPORT sockets"
echo "# create row: Tlcreate, Twrite 4 KiB, Tclunk, Twalk + Tremove (diod has no Tunlinkat)"
echo "# cpu: the server process's CPU time (all threads, from /proc) per op, or per MiB on MB/s"
echo "#      rows; cpu ratio = diod/burrow (above 1: burrow spends less CPU for the same work)"
printf '%-36s %5s %10s %10s %8s %9s %9s %8s\n' "workload" "conns" "burrow" "diod" "b/d" \
	"cpu-b us" "cpu-d us" "cpu d/b"
# med V...: median of the values, "-" if any is "-" (a failed run)
med() {
	case " $* " in *" - "* | "  ") echo "-"; return ;; esac
	printf '%.1f\n' "$(bench_median "$@")"
}

n=0
MSIZE_NOTE=
for r in $ROWS; do
	spec=$(row_spec "$r") || bench_die "unknown row '$r'"
	IFS='|' read -r _ args label unit <<<"$spec"
	[ "$unit" = "MB/s" ] && UNIT_KEY=mb_s || UNIT_KEY=ops_s
	for c in $CONNS; do
		gs=() ds=() gcs=() dcs=()
		for ((rep = 0; rep < REPS; rep++)); do
			# alternate who goes first so warm caches and load favour neither
			# shellcheck disable=SC2086
			if [ $((n % 2)) = 0 ]; then
				read -r g gm gc <<<"$(p9run burrow "$GPID" "$GADDR" "" "$c" $args)"
				read -r d dm dc <<<"$(p9run diod "$DPID" "$DADDR" "$T/export" "$c" $args)"
			else
				read -r d dm dc <<<"$(p9run diod "$DPID" "$DADDR" "$T/export" "$c" $args)"
				read -r g gm gc <<<"$(p9run burrow "$GPID" "$GADDR" "" "$c" $args)"
			fi
			n=$((n + 1))
			gs+=("$g") ds+=("$d") gcs+=("$gc") dcs+=("$dc")
		done
		g=$(med "${gs[@]}") d=$(med "${ds[@]}") gc=$(med "${gcs[@]}") dc=$(med "${dcs[@]}")
		printf '%-36s %5s %10s %10s %7sx %9s %9s %7sx\n' "$label ($unit)" "$c" "$g" "$d" \
			"$(bench_ratio "$g" "$d")" "$gc" "$dc" "$(bench_ratio "$dc" "$gc")"
		[ "$unit" = "MB/s" ] && [ "$gm" != "$dm" ] && MSIZE_NOTE="burrow $gm, diod $dm"
	done
done
server_alive "$GPID" || echo "# burrow-gofer died during the run (see $T/gofer.log)"
server_alive "$DPID" || echo "# diod died during the run"
[ -n "${MSIZE_NOTE:-}" ] && echo "# msize differed on a MB/s row (server's cap): $MSIZE_NOTE"
bench_load
if [ -s "$T/p9load.err" ]; then
	echo "# p9load errors:"
	sed 's/^/#   /' "$T/p9load.err" | sort | uniq -c | head -20
fi
echo "# raw p9load lines:"
sed 's/^/#   /' "$T/p9load.out"
