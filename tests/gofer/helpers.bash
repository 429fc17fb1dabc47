# Shared by tests/gofer/*.bats: start burrow-gofer on a fresh export and
# stop it again.  The binaries come from the build tree.
GOFER="${BURROW_BUILDDIR:?run through make check}/burrow-gofer"
PROBE="$BURROW_BUILDDIR/tests/gofer/gofer-probe"

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root (confinement, ownership)"
}

setup_export() {
	EXPORT="$BATS_TEST_TMPDIR/export"
	mkdir -p "$EXPORT"
	LOG="$BATS_TEST_TMPDIR/gofer.log"
}

# start_gofer unix|tcp [options...]: sets ADDR and GOFER_PID.
start_gofer() {
	local kind=$1
	shift
	if [ "$kind" = tcp ]; then
		ADDR="tcp:127.0.0.1:$((20000 + RANDOM % 30000))"
		DIOD_ADDR="${ADDR#tcp:}"
	else
		ADDR="unix:$BATS_TEST_TMPDIR/gofer.sock"
		DIOD_ADDR="${ADDR#unix:}"
	fi
	"$GOFER" serve --export "$EXPORT" --listen "$ADDR" --log "$LOG" "$@" \
		2>>"$BATS_TEST_TMPDIR/gofer.err" 3>&- &
	GOFER_PID=$!
	local i
	for i in $(seq 50); do
		if grep -q "serving" "$LOG" 2>/dev/null; then
			return 0
		fi
		kill -0 "$GOFER_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$LOG" >&2
	return 1
}

# Stop the server; a sanitizer report on its stderr fails the test.
stop_gofer() {
	if [ -n "${GOFER_PID:-}" ]; then
		kill "$GOFER_PID" 2>/dev/null || true
		wait "$GOFER_PID" 2>/dev/null || true
		GOFER_PID=
	fi
	local err="$BATS_TEST_TMPDIR/gofer.err"
	if [ -f "$err" ] && grep -qE 'Sanitizer|runtime error:' "$err"; then
		cat "$err" >&2
		return 1
	fi
}

gofer_alive() {
	kill -0 "$GOFER_PID"
}
