# Shared by the integration tests: busybox bundles, burrow in one of the
# three file-access modes, and the leftover checks run after every test.
#
#   MODE=direct|proxy|overlay   (set by the test file)
#   BURROW_BUILDDIR, BURROW_SRCDIR  (exported by `make check`)

# shellcheck source=../lib/bundle.bash
. "$(dirname "${BASH_SOURCE[0]}")/../lib/bundle.bash"

mode_flags() {
	case "$MODE" in
	direct) echo "--file-access direct" ;;
	proxy) echo "--file-access proxy" ;;
	overlay) echo "--file-access proxy --overlay" ;;
	*) echo "unknown MODE $MODE" >&2; return 1 ;;
	esac
}

# burrow with this test's state root and mode.
burrow() {
	# shellcheck disable=SC2046
	"$BURROW" --root "$STATE_ROOT" $(mode_flags) "$@"
}

# burrow in the background with its output in $BATS_TEST_TMPDIR/out;
# BG is its pid (burrow's own: signals go to it).
burrow_bg() {
	# shellcheck disable=SC2046
	"$BURROW" --root "$STATE_ROOT" $(mode_flags) "$@" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	BG=$!
}

# Run the bundle as container $CID; bats' `run` captures it.
run_bundle() {
	run burrow run --bundle "$BUNDLE" "$@" "$CID"
	# shown by bats only when the test fails
	echo "status=$status output:"
	echo "$output"
}

common_setup() {
	require_root
	open_tmpdirs
	setup_rootfs
	STATE_ROOT="$BATS_TEST_TMPDIR/state"
	CID="bt$$-$BATS_TEST_NUMBER"
	make_bundle
}

# Nothing may survive a test: no process naming the container, no mount
# below the test's dirs, no state dir, no cgroup.
assert_no_leftovers() {
	local left
	left=$(pgrep -f -- "--id $CID( |\$)|state-dir $STATE_ROOT/" || true)
	if [ -n "$left" ]; then
		echo "leftover processes: $left" >&2
		ps -o pid,args -p "$(echo "$left" | tr '\n' ',' | sed 's/,$//')" >&2 || true
		return 1
	fi
	if grep -q -- "$BATS_TEST_TMPDIR" /proc/self/mountinfo; then
		echo "leftover mounts:" >&2
		grep -- "$BATS_TEST_TMPDIR" /proc/self/mountinfo >&2
		return 1
	fi
	if [ -e "$STATE_ROOT/$CID" ]; then
		echo "leftover state dir $STATE_ROOT/$CID" >&2
		return 1
	fi
	local cg
	for cg in /sys/fs/cgroup/memory /sys/fs/cgroup/pids /sys/fs/cgroup/devices /sys/fs/cgroup; do
		if [ -d "$cg/burrow/$CID" ]; then
			echo "leftover cgroup $cg/burrow/$CID" >&2
			return 1
		fi
	done
}

common_teardown() {
	[ "$(id -u)" -eq 0 ] || return 0
	# A failed test may leave its sandbox running: report, then clean.
	# Setup may have stopped before naming the container: with an empty
	# CID or STATE_ROOT the patterns below would match every process.
	[ -n "${CID:-}" ] && [ -n "${STATE_ROOT:-}" ] || return 0
	local rc=0
	assert_no_leftovers || rc=1
	pkill -9 -f -- "--id $CID( |\$)" 2>/dev/null || true
	pkill -9 -f -- "$STATE_ROOT/$CID" 2>/dev/null || true
	rm -rf "${STATE_ROOT:?}/$CID" 2>/dev/null || true
	return $rc
}

# A tree's content, owners, modes and names as one checksum.
tree_sum() {
	(cd "$1" && find . -printf '%p %m %u %g %s %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum
}
