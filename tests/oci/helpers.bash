# Shared by the OCI lifecycle tests: a busybox bundle, burrow with this
# test's state root, and the leftover checks every test ends with.
#   BURROW_BUILDDIR, BURROW_SRCDIR  (exported by `make check`)

# shellcheck source=../lib/bundle.bash
. "$(dirname "${BASH_SOURCE[0]}")/../lib/bundle.bash"
RECVTTY="$BURROW_BUILDDIR/tests/oci/recvtty"
CTLCALL="$BURROW_BUILDDIR/tests/oci/ctlcall"

oci_setup() {
	require_root
	open_tmpdirs
	setup_rootfs
	STATE_ROOT="$BATS_TEST_TMPDIR/state"
	CID="oci$$-$BATS_TEST_NUMBER"
	make_bundle
	spec_args sleep 1000
}

burrow() {
	"$BURROW" --root "$STATE_ROOT" "$@"
}

# A console socket at $sock served by recvtty ($rpid): what arrives on
# the pty goes to tty.out, its own messages to tty.err.
console_listen() {
	sock="$BATS_TEST_TMPDIR/console.sock"
	"$RECVTTY" "$sock" >"$BATS_TEST_TMPDIR/tty.out" 2>"$BATS_TEST_TMPDIR/tty.err" &
	rpid=$!
	wait_for test -S "$sock"
}

# create (stdio to files in the test dir) + start.
create_ctr() {
	local id=${1:-$CID}
	burrow create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/$id.pid" "$id" \
		</dev/null >"$BATS_TEST_TMPDIR/$id.out" 2>"$BATS_TEST_TMPDIR/$id.err"
}

status_of() {
	burrow state "${1:-$CID}" | jq -r .status
}

# A condition for wait_for, evaluated anew on each try (a "$(status_of)"
# in wait_for's arguments would be expanded once, before the first).
status_is() {
	[ "$(status_of)" = "$1" ]
}

# One line on stderr (bats' run merges it into $output) and runc's status.
assert_one_line_error() {
	local want=$1
	[ "$status" -eq 1 ] || { echo "status $status, want 1: $output"; return 1; }
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ] || { echo "not one line: $output"; return 1; }
	[[ "$output" == *"$want"* ]] || { echo "want '$want' in: $output"; return 1; }
}

# Nothing of this test's containers may survive it: processes (zombies
# excepted: this machine's pid 1 may not reap), mounts, open fds on the
# state root, state dirs, cgroups.
assert_no_leftovers() {
	local left pid
	left=$(pgrep -f -- "--state-dir $STATE_ROOT/" || true)
	if [ -n "$left" ]; then
		echo "leftover processes:" >&2
		ps -o pid,stat,args -p "$(echo "$left" | tr '\n' ',' | sed 's/,$//')" >&2 || true
		return 1
	fi
	if grep -q -- "$STATE_ROOT" /proc/self/mountinfo; then
		echo "leftover mounts:" >&2
		grep -- "$STATE_ROOT" /proc/self/mountinfo >&2
		return 1
	fi
	for pid in /proc/[0-9]*; do
		if ls -l "$pid/fd" 2>/dev/null | grep -q -- "$STATE_ROOT/"; then
			echo "leftover fd in $pid: $(ls -l "$pid/fd" | grep -- "$STATE_ROOT/")" >&2
			return 1
		fi
	done
	if [ -d "$STATE_ROOT" ] && [ -n "$(ls -A "$STATE_ROOT")" ]; then
		echo "leftover state dirs: $(ls -A "$STATE_ROOT")" >&2
		return 1
	fi
	local cg
	for cg in /sys/fs/cgroup/memory /sys/fs/cgroup/pids /sys/fs/cgroup/cpuacct /sys/fs/cgroup/devices /sys/fs/cgroup; do
		if [ -d "$cg/burrow" ] && ls "$cg/burrow" | grep -q "^oci$$-$BATS_TEST_NUMBER"; then
			echo "leftover cgroup in $cg/burrow: $(ls "$cg/burrow")" >&2
			return 1
		fi
	done
}

oci_teardown() {
	[ "$(id -u)" -eq 0 ] || return 0
	# Setup may have stopped before naming the state root: an empty one
	# would make the patterns below match other processes.
	[ -n "${STATE_ROOT:-}" ] || return 0
	local rc=0 d
	assert_no_leftovers || rc=1
	# A failed test may leave containers: clean them for the next one.
	if [ -d "$STATE_ROOT" ]; then
		for d in "$STATE_ROOT"/*; do
			[ -e "$d" ] && "$BURROW" --root "$STATE_ROOT" delete --force "$(basename "$d")" 2>/dev/null
		done
	fi
	local p
	for p in $(pgrep -f -- "--state-dir $STATE_ROOT/"); do
		kill -9 "$p" 2>/dev/null || true
	done
	return $rc
}
