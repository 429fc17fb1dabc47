#!/usr/bin/env bats
# diod's own client tools (Debian's diod package) against burrow-gofer.
load helpers

setup() {
	need_root
	command -v diodls >/dev/null || skip "diod's tools are not installed"
	setup_export
	printf 'hello, diod\n' >"$EXPORT/greeting"
	mkdir "$EXPORT/sub"
	head -c 200000 /dev/urandom >"$EXPORT/sub/random.bin"
}

teardown() {
	stop_gofer
}

check_diod_tools() {
	run diodls -s "$DIOD_ADDR" -a "$EXPORT" -l /
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^-rw-r--r--.* 12 .*greeting$'
	echo "$output" | grep -E '^d.* sub$'
	run diodls -s "$DIOD_ADDR" -a "$EXPORT" /sub
	[ "$status" -eq 0 ]
	[ "$output" = "random.bin" ]
	run diodcat -s "$DIOD_ADDR" -a "$EXPORT" greeting
	[ "$status" -eq 0 ]
	[ "$output" = "hello, diod" ]
	diodcat -s "$DIOD_ADDR" -a "$EXPORT" sub/random.bin | cmp - "$EXPORT/sub/random.bin"
	run diodcat -s "$DIOD_ADDR" -a "$EXPORT" missing
	[ "$status" -ne 0 ]
}

@test "diodls and diodcat over a unix socket" {
	start_gofer unix
	check_diod_tools
}

@test "diodls and diodcat over loopback TCP" {
	start_gofer tcp
	check_diod_tools
}

@test "diod's tools with the aname '/' and a subdirectory aname" {
	start_gofer unix
	run diodcat -s "$DIOD_ADDR" -a / greeting
	[ "$output" = "hello, diod" ]
	run diodls -s "$DIOD_ADDR" -a "$EXPORT/sub" /
	[ "$output" = "random.bin" ]
	# An aname outside the export resolves inside it, never outside.
	run diodls -s "$DIOD_ADDR" -a /etc /
	[ "$status" -ne 0 ]
}

@test "a non-loopback TCP address needs --allow-remote" {
	run "$GOFER" serve --export "$EXPORT" --listen tcp:192.0.2.1:5640
	[ "$status" -eq 2 ]
	[[ "$output" == *"--allow-remote"* ]]
}
