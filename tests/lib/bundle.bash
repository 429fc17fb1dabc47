# What the bats suites that run containers share: where burrow is, the
# root check, a busybox root filesystem and a bundle made by `burrow spec`.
#   BURROW_BUILDDIR, BURROW_SRCDIR  (exported by `make check`)

: "${BURROW_BUILDDIR:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
: "${BURROW_SRCDIR:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
BURROW="$BURROW_BUILDDIR/burrow"

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (namespaces, mounts, cgroups)"
	command -v jq >/dev/null || skip "needs jq (apt-get install jq)"
	[ -x /bin/busybox ] || skip "needs busybox-static"
}

# bats makes its dirs 0700; a user-namespaced or non-root app must reach
# the rootfs and the staging dirs below the state root.
open_tmpdirs() {
	local d
	for d in "$BATS_RUN_TMPDIR" "$BATS_RUN_TMPDIR/file" "$BATS_RUN_TMPDIR/test" \
		"$BATS_FILE_TMPDIR" "$BATS_TEST_TMPDIR"; do
		[ -d "$d" ] && chmod go+x "$d"
	done
	return 0
}

# One busybox root filesystem per test file in $ROOTFS (tests that write
# to it copy it first).
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

# Wait until `cond` (a command) succeeds, 30 s at most (the machine may
# be busy).  The command runs anew each try: pass a function, never a
# "$(...)", which the shell expands once before the first.
wait_for() {
	local i
	for i in $(seq 300); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
