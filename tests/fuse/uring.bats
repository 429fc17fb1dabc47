#!/usr/bin/env bats
# FUSE over io_uring (-o uring, sentry/fs/uring.c).  Runs only where the
# kernel offers it: /sys/module/fuse/parameters/enable_uring is Y (.ci/run
# turns it on; the tests never change it themselves).

load helpers

URING_PARAM=/sys/module/fuse/parameters/enable_uring

setup() {
	need_fuse
	[ "$(cat "$URING_PARAM" 2>/dev/null)" = Y ] ||
		skip "the kernel does not offer FUSE over io_uring ($URING_PARAM)"
	fuse_setup
}

# served_over_uring: the count the mount logs when it ends
served_over_uring() {
	sed -n 's/.*fs: \([0-9]*\) requests came over io_uring.*/\1/p' "$T/mount.log" | tail -1
}

# end_mount: unmount and wait for the mount process, so its log is complete.
# A process the suite started may still be closing its files (the mount is
# busy until its last requests are answered): try for a while.
end_mount() {
	if ! umount "$T/mnt" 2>/dev/null; then
		fuser -vm "$T/mnt" 2>&1 || true   # who holds it, for the log
		wait_for 10 umount "$T/mnt" 2>/dev/null || umount "$T/mnt"
	fi
	wait_for 10 proc_gone "$MOUNT_PID"
}

# fsconf_failures DIR: the conformance tests that fail there, sorted
fsconf_failures() {
	timeout 300 "$B/tests/conformance/fsconf" "$1" 2>&1 | grep -E '^test .* FAIL' | sed 's/ FAIL.*//' | sort
}

@test "gofer over io_uring: requests come over the rings, the conformance suite gives what /dev/fuse gives" {
	need_server gofer
	start_server gofer
	mount_fs
	fsconf_failures "$T/mnt" >"$T/plain"
	end_mount
	mount_fs "uring"
	fsconf_failures "$T/mnt" >"$T/uring"
	end_mount
	echo "failing on /dev/fuse: $(wc -l <"$T/plain"), over io_uring: $(wc -l <"$T/uring")"
	diff "$T/plain" "$T/uring"
	n=$(served_over_uring)
	echo "served over io_uring: ${n:-none}"
	[ -n "$n" ] && [ "$n" -gt 1000 ]
}

@test "diod (64 KiB msize) over io_uring: 64 KiB xattrs and reads bigger than a 9P message" {
	need_server diod
	command -v setfattr >/dev/null || skip "setfattr is not installed (attr)"
	start_server diod
	mount_fs "uring"
	# the request is bigger than max_write here: the payload buffers must
	# still hold it (uring.c, init_reply)
	head -c 65536 /dev/urandom | base64 -w0 | head -c 65536 >"$T/value"
	touch "$T/mnt/f"
	# the export's file system may hold less (ext4: a block): refused then
	if setfattr -n user.big -v "$(cat "$T/value")" "$T/mnt/f" 2>"$T/err"; then
		getfattr --only-values -n user.big "$T/mnt/f" >"$T/back"
		cmp "$T/value" "$T/back"
	else
		cat "$T/err"
		grep -qE "No space left|Argument list too long" "$T/err"
	fi
	setfattr -n user.small -v 12345 "$T/mnt/f"
	[ "$(getfattr --only-values -n user.small "$T/mnt/f")" = 12345 ]
	head -c 3000000 /dev/urandom >"$T/data"
	cp "$T/data" "$T/mnt/data"
	echo 3 >/proc/sys/vm/drop_caches
	cmp "$T/data" "$T/mnt/data"
	end_mount
	n=$(served_over_uring)
	[ -n "$n" ] && [ "$n" -gt 10 ]
}

@test "gofer over io_uring: fsx, 20000 operations, no mismatch" {
	need_server gofer
	start_server gofer
	mount_fs "uring"
	run "$FSX" -q -N 20000 -S 7 "$T/mnt/fsx.dat"
	echo "$output" | tail -5
	[ "$status" -eq 0 ]
}

# Waiting lock requests hold their ring entries; a request that found no
# idle entry waits for the next commit on its CPU's ring, so the unlock
# must still get through when every busy entry waits (uring.c, kicker).
@test "io_uring: 16 lock waiters on one CPU do not starve the holder's unlock" {
	need_server gofer
	[ "$(nproc)" -ge 1 ] && command -v flock >/dev/null && command -v taskset >/dev/null ||
		skip "needs flock(1) and taskset(1)"
	start_server gofer
	mount_fs "uring"
	touch "$T/mnt/lock"
	timeout 30 taskset -c 0 flock "$T/mnt/lock" -c "sleep 2" &
	holder=$!
	sleep 0.3
	pids=()
	for i in $(seq 16); do
		timeout 30 taskset -c 0 flock "$T/mnt/lock" -c "echo $i >>'$T/mnt/got'" &
		pids+=($!)
	done
	wait "$holder"
	for p in "${pids[@]}"; do wait "$p"; done
	[ "$(wc -l <"$T/mnt/got")" -eq 16 ]
}

@test "io_uring asked of a mount of a server that stops: the workload fails with EIO, umount works" {
	need_server gofer
	start_server gofer
	mount_fs "uring"
	echo data >"$T/mnt/f"
	kill -9 "$SERVER_PID"
	wait_for 5 proc_gone "$SERVER_PID"
	run timeout 10 stat "$T/mnt/none"
	echo "$output"
	[ "$status" -ne 124 ]   # not hung
	[[ "$output" == *"Input/output error"* || "$output" == *"not connected"* ]]
	timeout 10 umount "$T/mnt" || timeout 10 umount -l "$T/mnt"
	wait_for 10 proc_gone "$MOUNT_PID"
}
