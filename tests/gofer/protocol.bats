#!/usr/bin/env bats
# burrow-gofer's protocol floor (gofer-probe's suite), limits and trace.
load helpers
bats_require_minimum_version 1.5.0

setup() {
	need_root
	setup_export
	mkdir -p "$BATS_TEST_TMPDIR/canary"
	echo canary >"$BATS_TEST_TMPDIR/canary/file"
}

teardown() {
	stop_gofer
	if mountpoint -q "$EXPORT/inner" 2>/dev/null; then umount "$EXPORT/inner"; fi
}

@test "protocol suite over a unix socket" {
	start_gofer unix
	run "$PROBE" "$ADDR" suite "$EXPORT"
	echo "$output"
	[ "$status" -eq 0 ]
	gofer_alive
}

@test "protocol suite over loopback TCP, msize 4096" {
	start_gofer tcp --msize 4096
	run "$PROBE" -m 4096 "$ADDR" suite "$EXPORT"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "--max-fids: a fid past the limit answers EMFILE" {
	start_gofer unix --max-fids 10
	run "$PROBE" "$ADDR" fids 50
	[ "${lines[0]}" = 9 ]
	[ "${lines[1]}" = "ERR EMFILE" ]
	# The connection's fids went away with it.
	run "$PROBE" "$ADDR" fids 5
	[ "$status" -eq 0 ]
}

@test "--max-conns: connections past the limit are closed, the rest served" {
	start_gofer unix --max-conns 2
	"$PROBE" "$ADDR" hold 3 >"$BATS_TEST_TMPDIR/h1" 3>&- &
	h1=$!
	"$PROBE" "$ADDR" hold 3 >"$BATS_TEST_TMPDIR/h2" 3>&- &
	h2=$!
	for i in $(seq 30); do
		[ -s "$BATS_TEST_TMPDIR/h1" ] && [ -s "$BATS_TEST_TMPDIR/h2" ] && break
		sleep 0.1
	done
	run "$PROBE" "$ADDR" ls /
	[ "$status" -ne 0 ]
	grep -q "max-conns" "$LOG"
	wait "$h1" "$h2"
	run "$PROBE" "$ADDR" ls /
	[ "$status" -eq 0 ]
}

@test "--debug: one trace line per message" {
	start_gofer unix --debug
	"$PROBE" "$ADDR" walk d/nothing || true
	grep -E 'debug: <- Twalk tag [0-9]+ fid [0-9]+ newfid [0-9]+ nwname 2 .d. .nothing.$' "$LOG"
	grep -E 'debug: -> Rlerror tag [0-9]+ ecode 2 ' "$LOG"
	grep -E 'debug: -> Rattach tag ' "$LOG"
}

@test "the server survives garbage connections and keeps serving" {
	start_gofer unix
	run "$PROBE" "$ADDR" garbage 50
	[ "$status" -eq 0 ]
	echo ok >"$EXPORT/still"
	run "$PROBE" "$ADDR" cat still
	[ "$output" = ok ]
	gofer_alive
}

@test "the canary outside the export is untouched by the suite" {
	before=$(cd "$BATS_TEST_TMPDIR/canary" && sha256sum file)
	start_gofer unix
	"$PROBE" "$ADDR" suite "$EXPORT" >/dev/null || true
	[ "$(cd "$BATS_TEST_TMPDIR/canary" && sha256sum file)" = "$before" ]
	[ "$(ls "$BATS_TEST_TMPDIR/canary")" = file ]
}

@test "RSS stays flat over 10,000 attach/walk/open/read/clunk cycles" {
	echo data >"$EXPORT/cycle"
	start_gofer unix
	"$PROBE" "$ADDR" cycles cycle 2000
	rss() { awk '/^VmRSS/ { print $2 }' "/proc/$GOFER_PID/status"; }
	before=$(rss)
	run "$PROBE" "$ADDR" cycles cycle 10000
	[ "$status" -eq 0 ]
	after=$(rss)
	echo "VmRSS before $before kB, after $after kB"
	# ASan's quarantine grows by design; its leak check runs at exit instead.
	if ! ldd "$GOFER" | grep -q libasan; then
		[ $((after - before)) -lt 1024 ]
	fi
	# Every fid went back: the fd table is as small as before.
	[ "$(ls "/proc/$GOFER_PID/fd" | wc -l)" -lt 20 ]
}

@test "paired mode: --io-fds serves one export per socket, exits when all close" {
	mkdir -p "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	echo one >"$BATS_TEST_TMPDIR/a/file"
	echo two >"$BATS_TEST_TMPDIR/b/file"
	run --separate-stderr "$PROBE" paired "$GOFER" "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0: one" ]
	[ "${lines[1]}" = "1: two" ]
	[ "${lines[2]}" = "exit 0" ]
}

@test "--listen fd:N with a connected socket serves it and exits at its end" {
	echo solo >"$EXPORT/file"
	run --separate-stderr "$PROBE" fdlisten "$GOFER" "$EXPORT"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0: solo" ]
	[ "${lines[1]}" = "exit 0" ]
}

@test "qid.path differs across devices inside the export" {
	mkdir "$EXPORT/inner"
	mount -t tmpfs -o size=1m burrow-test "$EXPORT/inner" || skip "cannot mount tmpfs"
	touch "$EXPORT/inner/x" "$EXPORT/outer"
	start_gofer unix
	outer=$("$PROBE" "$ADDR" qid outer)
	inner=$("$PROBE" "$ADDR" qid inner/x)
	umount "$EXPORT/inner"
	# The export's own device keeps inode numbers; the tmpfs gets its own
	# top byte, so equal inode numbers there could never collide.
	[ "$outer" = "$(printf '%x' "$(stat -c %i "$EXPORT/outer")")" ]
	[ $(( 0x$inner >> 56 )) -ne 0 ]
}

# Replies of 1 MiB do not fit the socket: workers then queue a wake-up for
# the event loop while it drains earlier ones (a race on the wake-up list
# once corrupted the heap).  p9load stops at the first failed request.
@test "32 connections of 1 MiB reads and writes: served, no crash" {
	P9LOAD="$BURROW_BUILDDIR/tests/bench/p9load"
	[ -x "$P9LOAD" ] || skip "p9load not built"
	start_gofer unix --workers 4
	local w
	for w in seqread seqwrite seqread; do
		run "$P9LOAD" -a "$ADDR" -c 32 -d 2 -W 0 -s 32 -r 2 -m 1048600 -w "$w"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" == *" errors=0 "* ]]
		gofer_alive
	done
}

# The host-fd extension hands a client the gofer's own open fd of a file,
# so it must reach only clients that ask for it, on unix sockets, with
# --pass-fds; and the fd must allow no more than the open did.
@test "--pass-fds: host fds only to clients that ask, read-only for a read-only open" {
	echo "hello host fd" >"$EXPORT/hf"
	start_gofer unix --pass-fds
	run "$PROBE" -F "$ADDR" hostfd hf
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ext 1" ]
	[ "${lines[1]}" = "fd ro" ]
	[ "${lines[2]}" = "content hello host fd" ]
	[ "${lines[3]}" = "write EBADF" ]
	[ "${lines[4]}" = "openat .. ENOTDIR" ]
	[ "${lines[5]}" = "dir fd none" ]
	[ "$(cat "$EXPORT/hf")" = "hello host fd" ]
	# a plain 9P2000.L client is served plain 9P2000.L: no fd on the wire
	run "$PROBE" "$ADDR" rawfds hf
	[ "$output" = "fds 0" ]
	run "$PROBE" "$ADDR" hostfd hf
	[ "${lines[0]}" = "ext 0" ] && [ "${lines[1]}" = "fd none" ]
	stop_gofer
	# not offered without --pass-fds, nor over TCP
	start_gofer unix
	run "$PROBE" -F "$ADDR" hostfd hf
	[ "${lines[0]}" = "ext 0" ] && [ "${lines[1]}" = "fd none" ]
	stop_gofer
	start_gofer tcp --pass-fds
	run "$PROBE" -F "$ADDR" hostfd hf
	[ "${lines[0]}" = "ext 0" ] && [ "${lines[1]}" = "fd none" ]
}
