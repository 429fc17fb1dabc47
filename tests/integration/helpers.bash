# Shared by the integration tests: busybox bundles, burrow in one of the
# three file-access modes, and the leftover checks run after every test.
#
#   MODE=direct|proxy|overlay   (set by the test file)
#   BURROW_BUILDDIR, BURROW_SRCDIR  (exported by `make check`)

: "${BURROW_BUILDDIR:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
: "${BURROW_SRCDIR:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
BURROW="$BURROW_BUILDDIR/burrow"

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (namespaces, mounts, cgroups)"
	command -v jq >/dev/null || skip "needs jq (apt-get install jq)"
	[ -x /bin/busybox ] || skip "needs busybox-static"
}

# One busybox root filesystem per test file, read-only for the tests that
# do not write (the ones that do copy it).
setup_rootfs() {
	ROOTFS="$BATS_FILE_TMPDIR/rootfs"
	if [ ! -d "$ROOTFS/bin" ]; then
		bash "$BURROW_SRCDIR/scripts/make-busybox-rootfs.sh" "$ROOTFS" >/dev/null
	fi
}

# A bundle in $BUNDLE from `burrow spec`, terminal off, rootfs linked.
make_bundle() {
	BUNDLE="$BATS_TEST_TMPDIR/bundle"
	mkdir -p "$BUNDLE"
	ln -sfn "$ROOTFS" "$BUNDLE/rootfs"
	(cd "$BUNDLE" && "$BURROW" spec)
	spec_edit '.process.terminal = false'
}

# Apply a jq program to the bundle's config.json.
spec_edit() {
	local tmp="$BUNDLE/config.json.tmp"
	jq "$@" "$BUNDLE/config.json" >"$tmp" && mv "$tmp" "$BUNDLE/config.json"
}

# The app's command line: spec_args sh -c '...'
spec_args() {
	local json
	json=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
	spec_edit ".process.args = $json"
}

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

# A user-namespaced app's root (another host uid) must reach the rootfs
# and the staging dir below the state root: bats makes its dirs 0700.
open_tmpdirs() {
	local d
	for d in "$BATS_RUN_TMPDIR" "$BATS_RUN_TMPDIR/file" "$BATS_RUN_TMPDIR/test" \
		"$BATS_FILE_TMPDIR" "$BATS_TEST_TMPDIR"; do
		[ -d "$d" ] && chmod go+x "$d"
	done
	return 0
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
	for cg in /sys/fs/cgroup/memory /sys/fs/cgroup/pids /sys/fs/cgroup; do
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

# Wait until `cond` (a command) succeeds, 10 s at most.
wait_for() {
	local i
	for i in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# A tree's content, owners, modes and names as one checksum.
tree_sum() {
	(cd "$1" && find . -printf '%p %m %u %g %s %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum
}
