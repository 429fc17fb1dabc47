# Shared by the client scripts: where burrow is, a busybox rootfs, and
# steps that print PASS or FAIL and count them.
#   BURROW_BUILDDIR  the build tree (default: two levels up from here)

: "${BURROW_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${BURROW_BUILDDIR:=$BURROW_SRCDIR}"
BURROW="$BURROW_BUILDDIR/burrow"
PASSED=0
FAILED=0

die() { echo "SETUP FAILED: $*" >&2; exit 2; }

need_root_and() {
	[ "$(id -u)" -eq 0 ] || die "run as root"
	[ -x "$BURROW" ] || die "no burrow at $BURROW (set BURROW_BUILDDIR)"
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || die "needs $t"
	done
}

# step NAME COMMAND...: run it (output kept in $OUT, status in $RC)
step() {
	local name=$1
	shift
	OUT=$("$@" 2>&1)
	RC=$?
}

# check NAME CONDITION...: PASS when the condition (a command) holds
check() {
	local name=$1
	shift
	if "$@"; then
		echo "PASS  $name"
		PASSED=$((PASSED + 1))
	else
		echo "FAIL  $name (status $RC, output: $(printf '%s' "$OUT" | head -c 300 | tr '\n' '|'))"
		FAILED=$((FAILED + 1))
	fi
}

# A busybox root filesystem (Debian's busybox-static) in $1.
make_rootfs() {
	bash "$BURROW_SRCDIR/scripts/make-busybox-rootfs.sh" "$1" >/dev/null ||
		die "cannot build a busybox rootfs (apt-get install busybox-static)"
}

summary() {
	echo "---- $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

# Our burrow processes still running under this state root?
burrow_leftovers() {
	pgrep -f -- "--state-dir $1/" || true
}
