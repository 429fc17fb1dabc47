#!/usr/bin/env bats
# The POSIX conformance suite (tests/conformance) inside a sandbox, in each
# file access mode: the sandbox's results must equal its reference's (the
# burrow mount for proxy, overlayfs over it for proxy+overlay, a native
# directory for direct); tests/conformance/in-sandbox.sh does the work.

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	command -v jq >/dev/null || skip "needs jq"
	[ -x /bin/busybox ] || skip "needs busybox-static"
	: "${BURROW_BUILDDIR:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
	: "${BURROW_SRCDIR:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
	[ -x "$BURROW_BUILDDIR/tests/conformance/fsconf-static" ] || skip "fsconf not built"
	SCRIPT="$BURROW_SRCDIR/tests/conformance/in-sandbox.sh"
}

check_mode() {
	run bash "$SCRIPT" "$BURROW_BUILDDIR" --mode "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"run-table: OK"* ]]
	[[ "$output" == *"in-sandbox: $1 sandbox = "*" in every category and test"* ]]
}

@test "conformance suite in a proxy sandbox = the burrow mount" { check_mode proxy; }
@test "conformance suite in a proxy+overlay sandbox = overlayfs over the burrow mount" { check_mode overlay; }
@test "conformance suite in a direct sandbox = native" { check_mode direct; }
