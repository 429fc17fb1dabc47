#!/bin/bash
# A native directory beside burrow-sentry mounts of burrow-gofer and of
# diod (cache=exclusive), plus burrow with cache=shared, side by side in
# one run: times per workload and the ratio to native.  Needs root.
#
#   mount-vs-native.sh [BUILDDIR]
#
# Every target's files live on the same backing file system (BACKING=disk:
# a directory under $TMPDIR, default /tmp; BACKING=tmpfs: a tmpfs), so the
# ratio is the cost of the 9P/FUSE path.  Caches are dropped
# (echo 3 > /proc/sys/vm/drop_caches) before each read row and the writes
# end with fsync, so the data rows move real bytes through every layer.
#
# Environment: REPS (runs per cell, the median is shown; 3), FILES (meta
# row, 10000), TREE_FILES (files in the tar tree, 4000), SEQ_MIB (1024),
# RAND_READS (4 KiB reads, 20000), TARGETS ("native burrow diod
# burrow-shared"), BACKING (disk or tmpfs), ROWS (subset of: meta tar find
# rm seqwrite seqread randread), GOFER_ARGS (burrow-gofer's extra options;
# default --pass-fds, as a sandbox pairs it: the mounts then ask for the
# host fds and read and write through them; "" for 9P reads and writes).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

bench_need_root
command -v diod >/dev/null || bench_die "diod is not installed (apt-get install diod)"
[ -c /dev/fuse ] || bench_die "no /dev/fuse"
B=$(bench_builddir "${1:-.}" burrow-gofer sentry/burrow-sentry tests/bench/fsbench)
REPS=${REPS:-3}
FILES=${FILES:-10000}
TREE_FILES=${TREE_FILES:-4000}
SEQ_MIB=${SEQ_MIB:-1024}
RAND_READS=${RAND_READS:-20000}
TARGETS=${TARGETS:-native burrow diod burrow-shared}
BACKING=${BACKING:-disk}
ROWS=${ROWS:-meta tar find rm seqwrite seqread randread}
GOFER_ARGS=${GOFER_ARGS---pass-fds}
HOSTFDS=
[[ " $GOFER_ARGS " != *" --pass-fds "* ]] || HOSTFDS=,hostfds
FSBENCH=$B/tests/bench/fsbench

bench_mktemp T
mkdir -p "$T/back" "$T/mnt"
case $BACKING in
disk) ;;
tmpfs)
	mount -t tmpfs -o size=$((SEQ_MIB * 5 + 2048))m,mode=0755 burrow-bench "$T/back" ||
		bench_die "tmpfs mount failed"
	bench_track_mount "$T/back"
	;;
*) bench_die "BACKING is disk or tmpfs" ;;
esac

# The tar tree: the first TREE_FILES files of /usr/include in name order.
make_tarball() {
	find /usr/include -type f | LC_ALL=C sort | head -n "$TREE_FILES" >"$T/tree.list"
	tar -cf "$T/tree.tar" -T "$T/tree.list" 2>/dev/null || bench_die "making the tarball failed"
	TREE_DESC="$(wc -l <"$T/tree.list") files from /usr/include, $(($(stat -c %s "$T/tree.tar") / 1048576)) MiB tar"
}

start_gofer() { # NAME
	mkdir -p "$T/back/$1"
	# shellcheck disable=SC2086 # GOFER_ARGS is a word list
	"$B/burrow-gofer" serve --export "$T/back/$1" --listen "unix:$T/$1.sock" \
		--log "$T/$1.server.log" $GOFER_ARGS </dev/null &
	bench_track_pid $!
	bench_wait_for 5 test -S "$T/$1.sock" || bench_die "burrow-gofer for $1 did not start"
}

start_diod() { # NAME
	mkdir -p "$T/back/$1"
	diod -f -n -e "$T/back/$1" -l "$T/$1.sock" -L "$T/$1.server.log" </dev/null &
	bench_track_pid $!
	bench_wait_for 5 test -S "$T/$1.sock" || bench_die "diod for $1 did not start"
}

mount_target() { # NAME OPTIONS
	mkdir -p "$T/mnt/$1"
	"$B/sentry/burrow-sentry" mount -f -o "$2" "unix:$T/$1.sock" "$T/mnt/$1" \
		</dev/null >>"$T/$1.mount.log" 2>&1 &
	bench_track_pid $!
	bench_track_mount "$T/mnt/$1"
	bench_wait_for 5 mountpoint -q "$T/mnt/$1" || { cat "$T/$1.mount.log" >&2; bench_die "mounting $1 failed"; }
}

declare -A DIR
setup_target() {
	case $1 in
	native) mkdir -p "$T/back/native"; DIR[native]=$T/back/native ;;
	burrow) start_gofer burrow; mount_target burrow "cache=exclusive$HOSTFDS"; DIR[burrow]=$T/mnt/burrow ;;
	burrow-shared) start_gofer burrow-shared; mount_target burrow-shared "cache=shared$HOSTFDS"
		DIR[burrow-shared]=$T/mnt/burrow-shared ;;
	diod) start_diod diod; mount_target diod "cache=exclusive,aname=$T/back/diod"
		DIR[diod]=$T/mnt/diod ;;
	*) bench_die "unknown target '$1'" ;;
	esac
}

# timed CMD...: run it, print the wall seconds; "-" (and the error) on failure
timed() {
	local t0=$EPOCHREALTIME out
	if ! out=$("$@" 2>&1 >/dev/null); then
		echo "$*: ${out:-failed}" >>"$T/errors"
		echo "-"
		return
	fi
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", b - a }'
}

# One workload on one directory; prints seconds.
run_row() { # ROW DIR
	local d=$2
	case $1 in
	meta)
		mkdir -p "$d/meta"
		timed "$FSBENCH" meta "$d/meta" "$FILES"
		rmdir "$d/meta" 2>/dev/null
		;;
	tar) rm -rf "$d/tree"; mkdir -p "$d/tree"; timed tar -xf "$T/tree.tar" -C "$d/tree" ;;
	find) timed find "$d/tree" -type f ;;
	rm) timed rm -rf "$d/tree" ;;
	seqwrite) timed dd if=/dev/zero of="$d/big" bs=1M count="$SEQ_MIB" conv=fsync ;;
	seqread) bench_drop_caches; timed dd if="$d/big" of=/dev/null bs=1M ;;
	randread) bench_drop_caches; timed "$FSBENCH" randread "$d/big" "$RAND_READS" ;;
	*) bench_die "unknown row '$1'" ;;
	esac
}

row_label() {
	case $1 in
	meta) echo "create+stat+unlink $FILES files" ;;
	tar) echo "tar -x tree" ;;
	find) echo "find tree (warm)" ;;
	rm) echo "rm -rf tree" ;;
	seqwrite) echo "write ${SEQ_MIB} MiB (dd, fsync)" ;;
	seqread) echo "read ${SEQ_MIB} MiB (dd, cold)" ;;
	randread) echo "$RAND_READS x 4 KiB random reads (cold)" ;;
	esac
}

# The tree rows depend on each other (tar makes what find walks and rm
# removes), as do the data rows; one rep runs a row group on every target.
group_of() {
	case $1 in
	tar | find | rm) echo tree ;;
	seqwrite | seqread | randread) echo data ;;
	*) echo "$1" ;;
	esac
}

declare -A SAMPLES
run_group() { # ROW...
	local rep t r
	for ((rep = 1; rep <= REPS; rep++)); do
		for t in $TARGETS; do
			for r in "$@"; do
				SAMPLES[$r.$t]+="$(run_row "$r" "${DIR[$t]}") "
			done
			[ "$(group_of "$1")" = data ] && rm -f "${DIR[$t]}/big"
		done
	done
}

print_row() { # ROW
	local r=$1 t med nat line
	nat=$(cell native "$r")
	line=$(printf '%-36s' "$(row_label "$r")")
	for t in $TARGETS; do
		med=$(cell "$t" "$r")
		if [ "$t" = native ]; then
			line+=$(printf ' %9s' "$med")
		else
			line+=$(printf ' %9s %8s' "$med" "($(bench_ratio "$med" "$nat")x)")
		fi
	done
	echo "$line"
}

# The median of a cell's samples, "-" when any run failed.
cell() { # TARGET ROW
	local s=${SAMPLES[$2.$1]:-}
	[ -n "$s" ] || { echo "-"; return; }
	case " $s" in *" - "*) echo "-"; return ;; esac
	# shellcheck disable=SC2086 # samples are words
	printf '%.3f\n' "$(bench_median $s)"
}

make_tarball
for t in $TARGETS; do setup_target "$t"; done

bench_machine
echo "# backing: $BACKING ($(findmnt -no FSTYPE --target "$T/back")); tree: $TREE_DESC; median of $REPS"
echo "# burrow-gofer: defaults (confined, identity server)${GOFER_ARGS:+, $GOFER_ARGS}; diod: -n, as root, default threads"
echo "# burrow-sentry mount: default msize 1 MiB (diod caps it at 64 KiB), cache as named"
hdr=$(printf '%-36s' "seconds (ratio to native)")
for t in $TARGETS; do
	if [ "$t" = native ]; then hdr+=$(printf ' %9s' "$t"); else hdr+=$(printf ' %18s' "$t"); fi
done
echo "$hdr"
done_groups=" "
for r in $ROWS; do
	g=$(group_of "$r")
	if [[ $done_groups != *" $g "* ]]; then
		# shellcheck disable=SC2046 # the group's rows, in order
		run_group $(for x in $ROWS; do [ "$(group_of "$x")" = "$g" ] && echo "$x"; done)
		done_groups+="$g "
	fi
	print_row "$r"
done
bench_load
if [ -s "$T/errors" ]; then
	echo "# failures:"
	sed 's/^/#   /' "$T/errors" | head -20
fi
