#!/usr/bin/env bats
# fsx: random operations (writes, truncates, reads, mmap reads and writes,
# reopens) through the mount, checked against an in-memory copy, in both
# cache modes: 100,000 through burrow-gofer, 25,000 through diod (a
# third-party peer, much slower).  FSX_OPS and FSX_DIOD_OPS override.

load helpers

OPS=${FSX_OPS:-100000}
DIOD_OPS=${FSX_DIOD_OPS:-25000}

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

@test "fsx through diod, cache=exclusive" {
	run_fsx diod cache=exclusive 103
}

@test "fsx through diod, cache=shared" {
	run_fsx diod cache=shared 104
}
