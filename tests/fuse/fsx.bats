#!/usr/bin/env bats
# fsx: random operations (writes, truncates, reads, mmap reads and writes,
# reopens) through the mount, checked against an in-memory copy, in both
# cache modes: 100,000 through burrow-gofer, 50,000 more through it
# without host fds, 25,000 through diod (a third-party peer, much
# slower).  FSX_OPS, FSX_PLAIN_OPS and FSX_DIOD_OPS override.

load helpers

OPS=${FSX_OPS:-100000}
DIOD_OPS=${FSX_DIOD_OPS:-25000}
PLAIN_OPS=${FSX_PLAIN_OPS:-50000}

setup() {
	fuse_setup
}

teardown() {
	fuse_teardown
}

@test "fsx detects a corrupted byte (self-test)" {
	run "$FSX" -q -N 2000 -S 1 -C 500 "$T/export/f"
	[ "$status" -eq 1 ]
	[[ "$output" == *MISMATCH* ]]
	run "$FSX" -q -N 2000 -S 1 "$T/export/f"
	[ "$status" -eq 0 ]
}

run_fsx() {
	need_fuse
	need_server "$1"
	start_server "$1"
	mount_fs "$2"
	local n=$OPS
	[ "$1" = gofer ] || n=$DIOD_OPS
	[ "${GOFER_PLAIN:-0}" = 0 ] || n=$PLAIN_OPS
	run "$FSX" -N "$n" -S "$3" "$T/mnt/fsx.dat"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *", 0 mismatches"* ]]
}

@test "fsx through burrow-gofer, cache=exclusive" {
	run_fsx gofer cache=exclusive 101
}

@test "fsx through burrow-gofer, cache=shared" {
	run_fsx gofer cache=shared 102
}

# The same through 9P reads and writes (no host fds): the data path every
# server but a burrow-gofer --pass-fds gets.
@test "fsx through burrow-gofer without host fds, cache=exclusive" {
	GOFER_PLAIN=1 run_fsx gofer cache=exclusive 104
}

@test "fsx through burrow-gofer without host fds, cache=shared" {
	GOFER_PLAIN=1 run_fsx gofer cache=shared 105
}

@test "fsx through diod, cache=exclusive" {
	run_fsx diod cache=exclusive 103
}

@test "fsx through diod, cache=shared" {
	run_fsx diod cache=shared 104
}
