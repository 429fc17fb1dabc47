#!/bin/bash
# Bring up the CI targets of the conformance table and compare them:
#   native   a fresh directory under $TMPDIR (the reference)
#   burrow   burrow-sentry mount of burrow-gofer (--multi-user)
#   diod     burrow-sentry mount of diod (-n: no auth)
#   overlay  kernel overlayfs: lower = the burrow mount, upper = tmpfs
#
#   run-targets.sh [-o MOUNT_OPTS] BUILDDIR [run-table.sh options]
#
# -o is passed to both burrow-sentry mounts (e.g. cache=shared). Needs
# root (chown, mknod and permission tests, mounts). Everything it starts
# is stopped and unmounted on exit, by pid and by path.
set -u

here=$(cd "$(dirname "$0")" && pwd)
opts=
if [ "${1:-}" = -o ]; then
	opts=$2
	shift 2
fi
[ $# -ge 1 ] || { echo "usage: run-targets.sh [-o MOUNT_OPTS] BUILDDIR [run-table options]" >&2; exit 2; }
build=$(cd "$1" && pwd) || exit 2
shift
[ "$(id -u)" = 0 ] || { echo "run-targets: needs root" >&2; exit 77; }
gofer=$build/burrow-gofer
sentry=$build/sentry/burrow-sentry
for p in "$gofer" "$sentry" "$build/tests/conformance/fsconf"; do
	[ -x "$p" ] || { echo "run-targets: $p not built" >&2; exit 2; }
done
command -v diod >/dev/null || { echo "run-targets: diod not installed" >&2; exit 2; }

w=$(mktemp -d "${TMPDIR:-/tmp}/fsconf-targets.XXXXXX")
chmod 755 "$w"
pids=()
mounts=()
cleanup() {
	local m
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		m=${mounts[i]}
		mountpoint -q "$m" && { umount "$m" || umount -l "$m"; }
	done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$w"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # wait_for TEST ARG: up to 5 s
	for _ in $(seq 50); do
		test "$1" "$2" && return 0
		sleep 0.1
	done
	echo "run-targets: timed out waiting for $2" >&2
	return 1
}

mkdir -p "$w"/{native,gexp,dexp,burrow,diod,upperfs,overlay}

"$gofer" serve --export "$w/gexp" --listen "unix:$w/gofer.sock" --multi-user \
	--log "$w/gofer.log" &
pids+=($!)
diod -f -n -e "$w/dexp" -l "$w/diod.sock" -L "$w/diod.log" &
pids+=($!)
wait_for -S "$w/gofer.sock" && wait_for -S "$w/diod.sock" || exit 1

mount_opts=${opts:+-o $opts}
# shellcheck disable=SC2086 # mount_opts is two words or none
"$sentry" mount $mount_opts "unix:$w/gofer.sock" "$w/burrow" || exit 1
mounts+=("$w/burrow")
# shellcheck disable=SC2086
"$sentry" mount -o "aname=$w/dexp${opts:+,$opts}" "unix:$w/diod.sock" "$w/diod" || exit 1
mounts+=("$w/diod")
mkdir -p "$w/burrow/lower"
mount -t tmpfs fsconf-upper "$w/upperfs" || exit 1
mounts+=("$w/upperfs")
mkdir -p "$w/upperfs"/{upper,work}
mount -t overlay fsconf-overlay \
	-o "lowerdir=$w/burrow/lower,upperdir=$w/upperfs/upper,workdir=$w/upperfs/work" \
	"$w/overlay" || exit 1
mounts+=("$w/overlay")

FSCONF=$build/tests/conformance/fsconf "$here/run-table.sh" "$@" \
	native="$w/native" burrow="$w/burrow" diod="$w/diod" overlay="$w/overlay"
