#!/usr/bin/env bats
# The POSIX conformance suite (tests/conformance) inside a sandbox, in
# each file access mode, against a native directory: same results but for
# the differences the suite lists for burrow's FUSE client and gofer.

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	command -v jq >/dev/null || skip "needs jq"
	: "${BURROW_BUILDDIR:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
	: "${BURROW_SRCDIR:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
	[ -x "$BURROW_BUILDDIR/tests/conformance/fsconf" ] || skip "fsconf not built"
	SCRIPT="$BURROW_SRCDIR/tests/integration/conformance-in-sandbox.sh"
}

check_mode() {
	run bash "$SCRIPT" "$BURROW_BUILDDIR" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"run-table: OK"* ]]
	! pgrep -f -- "--root /tmp/conf-sandbox"
}

@test "conformance suite in a proxy sandbox" { check_mode proxy; }
@test "conformance suite in a proxy+overlay sandbox" { check_mode overlay; }
@test "conformance suite in a direct sandbox" { check_mode direct; }
