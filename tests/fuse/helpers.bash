# Shared by tests/fuse/*.bats: start a 9P2000.L server (diod or
# burrow-gofer) on a unix socket in a private temp dir, mount it with
# burrow-sentry, and tear everything down by pid.
B=${BURROW_BUILDDIR:-.}
SENTRY=$B/sentry/burrow-sentry
GOFER=$B/burrow-gofer
FSX=$B/tests/fuse/fsx
FSPROBE=$B/tests/fuse/fsprobe

need_fuse() {
	[ "$(id -u)" = 0 ] || skip "needs root (FUSE mount with allow_other)"
	[ -c /dev/fuse ] || skip "no /dev/fuse"
	command -v mountpoint >/dev/null || skip "no mountpoint(1)"
}

# need_server diod|gofer
need_server() {
	case $1 in
	diod) command -v diod >/dev/null || skip "diod is not installed" ;;
	gofer) [ -x "$GOFER" ] || skip "burrow-gofer is not built" ;;
	*) false ;;
	esac
}

fuse_setup() {
	T=$(mktemp -d /tmp/burrow-fuse.XXXXXX)
	mkdir -p "$T/export" "$T/mnt"
	SERVER_PID= MOUNT_PID= SERVER=
}

# wait_for SECONDS COMMAND...: poll every 50 ms
wait_for() {
	local n=$(($1 * 20))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.05
	done
}

# start_server diod|gofer [server args...]: the gofer hands the mount its
# host fds (--pass-fds, and mount_fs asks for them: as when paired with a
# sandbox) unless GOFER_PLAIN=1
start_server() {
	SERVER=$1
	shift
	SOCK=$T/9p.sock
	case $SERVER in
	diod)
		diod -f -n -e "$T/export" -l "$SOCK" -L "$T/server.log" "$@" \
			</dev/null >>"$T/server.log" 2>&1 3>&- &
		ANAME=$T/export
		;;
	gofer)
		[ "${GOFER_PLAIN:-0}" = 1 ] || set -- --pass-fds "$@"
		"$GOFER" serve --export "$T/export" --listen "unix:$SOCK" --log "$T/server.log" "$@" \
			</dev/null >>"$T/server.log" 2>&1 3>&- &
		ANAME=
		;;
	esac
	SERVER_PID=$!
	wait_for 5 test -S "$SOCK" || { cat "$T/server.log" >&2; return 1; }
	# burrow-gofer binds, confines itself, then listens: wait for its word
	[ "$SERVER" != gofer ] || wait_for 5 grep -q "serving" "$T/server.log" ||
		{ cat "$T/server.log" >&2; return 1; }
}

mounted() { mountpoint -q "$T/mnt"; }

# mount_fs [-o options]: burrow-sentry in the foreground, in the background
mount_fs() {
	local opts="aname=$ANAME"
	[ "$SERVER" != gofer ] || [ "${GOFER_PLAIN:-0}" = 1 ] || opts="$opts,hostfds"
	[ -z "${1:-}" ] || opts="$opts,$1"
	local try
	# a refused connect ends the process at once: up to ~5 s of retries
	for try in $(seq 25); do
		"$SENTRY" mount -f -o "$opts" "unix:$SOCK" "$T/mnt" </dev/null >>"$T/mount.log" 2>&1 3>&- &
		MOUNT_PID=$!
		wait_for 5 mounted_or_gone
		# try again only after a mount process that ended (no listener yet)
		if mounted || ! proc_gone "$MOUNT_PID"; then
			break
		fi
	done
	if ! mounted; then
		cat "$T/mount.log" >&2
		return 1
	fi
}

# the mount is up, or its process ended (then mount_fs tries again: a
# server may still be on its way to listen(2))
mounted_or_gone() {
	mounted && return 0
	if proc_gone "$MOUNT_PID"; then
		wait "$MOUNT_PID" 2>/dev/null || true
		sleep 0.2
		return 0
	fi
	return 1
}

# How many fds the server holds (burrow-gofer keeps one O_PATH fd per fid).
server_fds() { ls "/proc/$SERVER_PID/fd" | wc -l; }
# For wait_for: counted anew on each try.
server_fds_at_most() { [ "$(server_fds)" -le "$1" ]; }

# A process is gone once it has exited (a zombie we have not reaped yet
# counts as gone: `wait PID` then collects its status without blocking).
proc_gone() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "$st" = Z ]
}

fuse_teardown() {
	[ -n "${T:-}" ] || return 0
	if mounted; then
		umount "$T/mnt" 2>/dev/null || umount -l "$T/mnt" 2>/dev/null || true
	fi
	if [ -n "$MOUNT_PID" ]; then
		kill "$MOUNT_PID" 2>/dev/null || true
		wait_for 5 proc_gone "$MOUNT_PID" || kill -9 "$MOUNT_PID" 2>/dev/null || true
	fi
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait_for 5 proc_gone "$SERVER_PID" || kill -9 "$SERVER_PID" 2>/dev/null || true
	fi
	# a sanitizer build reports into the mount's log: that fails the test
	local bad=0
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/mount.log" 2>/dev/null; then
		cat "$T/mount.log" >&2
		bad=1
	fi
	rm -rf "$T"
	return $bad
}

# Every FUSE suite's setup and teardown (a suite may define its own after
# `load helpers`).
setup() {
	need_fuse
	fuse_setup
}

teardown() {
	fuse_teardown
}
