#!/bin/bash
# How many 9P messages each file operation costs through burrow-sentry's
# mount of burrow-gofer: a count that, unlike a time, does not depend on
# what else the machine runs.  The gofer runs with --debug (one log line
# per message); per workload the requests are counted by type and divided
# by the number of files it touched.  Needs root.
#
#   rpc-count.sh [BUILDDIR]
#
# Environment: CACHE (exclusive or shared, exclusive), FILES (1000),
# TREE_FILES (2000), SEQ_MIB (64).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

bench_need_root
[ -c /dev/fuse ] || bench_die "no /dev/fuse"
B=$(bench_builddir "${1:-.}" burrow-gofer sentry/burrow-sentry tests/bench/fsbench)
CACHE=${CACHE:-exclusive}
FILES=${FILES:-1000}
TREE_FILES=${TREE_FILES:-2000}
SEQ_MIB=${SEQ_MIB:-64}

bench_mktemp T
mkdir -p "$T/export" "$T/mnt"
mount -t tmpfs -o size=4g,mode=0755 burrow-bench "$T/export" || bench_die "tmpfs mount failed"
bench_track_mount "$T/export"
"$B/burrow-gofer" serve --export "$T/export" --listen "unix:$T/g.sock" --debug \
	--log "$T/gofer.log" </dev/null &
bench_track_pid $!
bench_wait_for 5 test -S "$T/g.sock" || bench_die "burrow-gofer did not start"
"$B/sentry/burrow-sentry" mount -f -o "cache=$CACHE" "unix:$T/g.sock" "$T/mnt" \
	</dev/null >"$T/mount.log" 2>&1 &
bench_track_pid $!
bench_track_mount "$T/mnt"
bench_wait_for 5 mountpoint -q "$T/mnt" || { cat "$T/mount.log" >&2; bench_die "mount failed"; }

find /usr/include -type f | LC_ALL=C sort | head -n "$TREE_FILES" >"$T/tree.list"
tar -cf "$T/tree.tar" -T "$T/tree.list" 2>/dev/null || bench_die "making the tarball failed"
NTREE=$(tar -tf "$T/tree.tar" | wc -l)

# count LABEL PER: the requests logged since the last call, per PER items
count() {
	local label=$1 per=$2
	sleep 0.2   # let the mount's asynchronous forgets and writebacks land
	awk -v per="$per" -v label="$label" '
		/ <- T[a-z]+ / { for (k = 1; k <= NF; k++) if ($k == "<-") { n[$(k + 1)]++; tot++; break } }
		END {
			line = sprintf("%-34s %7.2f msgs/item:", label, tot / per)
			for (t in n) if (n[t] / per >= 0.01) line = line sprintf(" %s %.2f", t, n[t] / per)
			print line
		}' "$T/gofer.log"
	: >"$T/gofer.log"
}

M=$T/mnt
: >"$T/gofer.log"
echo "# burrow-sentry mount (cache=$CACHE) of burrow-gofer on tmpfs; 9P requests per item"
echo "# (the gofer's --debug trace); items: files, tree entries ($NTREE) or MiB"
mkdir "$M/meta" && count "mkdir" 1
"$B/tests/bench/fsbench" meta "$M/meta" "$FILES" >/dev/null || bench_die "fsbench failed"
count "create+stat+unlink (per file)" "$FILES"
mkdir "$M/tree" || bench_die "mkdir failed"
tar -xf "$T/tree.tar" -C "$M/tree" || bench_die "tar -x failed"
count "tar -x (per entry)" "$NTREE"
find "$M/tree" >/dev/null
count "find, warm (per entry)" "$NTREE"
ls -lR "$M/tree" >/dev/null
count "ls -lR, warm (per entry)" "$NTREE"
ls -lR "$M/tree" >/dev/null
count "ls -lR again (per entry)" "$NTREE"
rm -rf "$M/tree"
count "rm -rf (per entry)" "$NTREE"
dd if=/dev/zero of="$M/big" bs=1M count="$SEQ_MIB" conv=fsync 2>/dev/null
count "dd write, fsync (per MiB)" "$SEQ_MIB"
bench_drop_caches
: >"$T/gofer.log"   # the forgets the drop caused
dd if="$M/big" of=/dev/null bs=1M 2>/dev/null
count "dd read, cold (per MiB)" "$SEQ_MIB"
