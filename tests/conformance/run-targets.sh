#!/bin/bash
# Bring up the CI targets of the conformance table and compare them:
#   native   a fresh directory under $TMPDIR (the reference)
#   burrow   burrow-sentry mount of burrow-gofer (--multi-user --pass-fds)
#   diod     burrow-sentry mount of diod (-n: no auth)
#   overlay  kernel overlayfs: lower = a directory of the burrow mount
#            holding a pre-made tree (fsconf -p), upper = tmpfs, so the
#            copyup category changes files that must be copied up from FUSE
# once per cache mode: cache=exclusive gives the names above,
# cache=shared the same names with ".shared" (burrow.shared, ...).
#
#   run-targets.sh [-m MODES] [-o MOUNT_OPTS] BUILDDIR [run-table.sh options]
#
# -m exclusive,shared (default both); -o adds options to every
# burrow-sentry mount.  Needs root and /dev/fuse (exit 77 without).
# Runs in a private mount namespace; every process it starts is stopped by
# pid and every mount unmounted by path on exit.  A sanitizer report in
# any server's or mount's log fails the run.  Exit: run-table.sh's, or 1.
set -u

here=$(cd "$(dirname "$0")" && pwd)
modes=exclusive,shared
opts=
while getopts "m:o:" opt; do
	case $opt in
	m) modes=$OPTARG ;;
	o) opts=$OPTARG ;;
	*) echo "usage: run-targets.sh [-m MODES] [-o MOUNT_OPTS] BUILDDIR [run-table options]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: run-targets.sh [-m MODES] [-o MOUNT_OPTS] BUILDDIR [run-table options]" >&2; exit 2; }
build=$(cd "$1" && pwd) || exit 2
shift
[ "$(id -u)" = 0 ] || { echo "run-targets: SKIP: needs root (mounts, chown, mknod)" >&2; exit 77; }
[ -c /dev/fuse ] || { echo "run-targets: SKIP: no /dev/fuse" >&2; exit 77; }
gofer=$build/burrow-gofer
sentry=$build/sentry/burrow-sentry
fsconf=$build/tests/conformance/fsconf
for p in "$gofer" "$sentry" "$fsconf"; do
	[ -x "$p" ] || { echo "run-targets: $p not built" >&2; exit 2; }
done
command -v diod >/dev/null || { echo "run-targets: diod not installed" >&2; exit 2; }
for m in ${modes//,/ }; do
	case $m in exclusive | shared) ;; *) echo "run-targets: unknown mode $m" >&2; exit 2 ;; esac
done

# A private mount namespace: a run killed midway leaves no mount in the
# caller's namespace.
if [ -z "${FSCONF_TARGETS_NS:-}" ] && command -v unshare >/dev/null; then
	FSCONF_TARGETS_NS=1 exec unshare --mount --propagation private \
		bash "$0" -m "$modes" ${opts:+-o "$opts"} "$build" "$@"
fi

w=$(mktemp -d "${TMPDIR:-/tmp}/fsconf-targets.XXXXXX") || exit 1
chmod 755 "$w"
pids=()
mounts=()
torn=

teardown() {
	[ -n "$torn" ] && return
	torn=1
	local i m p
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		m=${mounts[i]}
		mountpoint -q "$m" || continue
		umount "$m" 2>/dev/null || umount -l "$m" || echo "run-targets: cannot unmount $m" >&2
	done
	# An unmounted FUSE session ends its burrow-sentry; servers need TERM.
	for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null; done
	for _ in $(seq 50); do
		alive=
		for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
}

finish() {
	teardown
	# Never rm -rf through a mount that is still there.
	if grep -q " $w/" /proc/self/mountinfo; then
		echo "run-targets: mounts left under $w; not removing it" >&2
	elif [ -z "${FSCONF_KEEP:-}" ]; then
		rm -rf "$w"
	fi
}
trap finish EXIT
trap 'exit 130' INT TERM HUP

# start_bg LOG CMD...: start CMD in the background, remember its pid.
start_bg() {
	local log=$1
	shift
	"$@" >>"$log" 2>&1 &
	pids+=($!)
}

wait_socket() { # PATH PID: the server listens once its socket exists
	for _ in $(seq 100); do
		[ -S "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.05
	done
	echo "run-targets: no listener at $1" >&2
	return 1
}

# fuse_mount LOG OPTS ADDR DIR: burrow-sentry mount in the foreground of a
# background job (so its pid is ours), ready once DIR is a mountpoint.  A
# mount that found no listener yet (diod binds before it listens) retries.
fuse_mount() {
	local log=$1 o=$2 addr=$3 dir=$4 pid
	for _ in 1 2 3 4 5; do
		start_bg "$log" "$sentry" mount -f ${o:+-o "$o"} "$addr" "$dir"
		pid=${pids[-1]}
		for _ in $(seq 200); do
			if mountpoint -q "$dir"; then
				mounts+=("$dir")
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "run-targets: $dir not mounted after 10 s" >&2
			return 1
		fi
		wait "$pid" 2>/dev/null
		sleep 0.2
	done
	echo "run-targets: mounting $addr on $dir failed; $log says:" >&2
	tail -n 5 "$log" >&2
	return 1
}

# up MODE SUFFIX: the burrow, diod and overlay targets of one cache mode.
up() {
	local m=$1 s=$2 d=$w/$1 o
	o="cache=$m${opts:+,$opts}"
	mkdir -p "$d"/{gexp,dexp,burrow,diod,upperfs,overlay}
	start_bg "$d/gofer.log" "$gofer" serve --export "$d/gexp" --listen "unix:$d/gofer.sock" --multi-user --pass-fds
	wait_socket "$d/gofer.sock" "${pids[-1]}" || return 1
	start_bg "$d/diod.log" diod -f -n -L stderr -e "$d/dexp" -l "$d/diod.sock"
	wait_socket "$d/diod.sock" "${pids[-1]}" || return 1
	fuse_mount "$d/mount-burrow.log" "hostfds${o:+,$o}" "unix:$d/gofer.sock" "$d/burrow" || return 1
	fuse_mount "$d/mount-diod.log" "aname=$d/dexp,$o" "unix:$d/diod.sock" "$d/diod" || return 1
	mkdir -p "$d/burrow/lower"
	"$fsconf" -p "$d/burrow/lower" || return 1
	"$fsconf" -p "$d/burrow" || return 1
	"$fsconf" -p "$d/diod" || return 1
	mount -t tmpfs fsconf-upper "$d/upperfs" || return 1
	mounts+=("$d/upperfs")
	mkdir -p "$d/upperfs"/{upper,work}
	mount -t overlay fsconf-overlay \
		-o "lowerdir=$d/burrow/lower,upperdir=$d/upperfs/upper,workdir=$d/upperfs/work" \
		"$d/overlay" || return 1
	mounts+=("$d/overlay")
	targets+=("burrow$s=$d/burrow" "diod$s=$d/diod" "overlay$s=$d/overlay")
}

mkdir -p "$w/native"
"$fsconf" -p "$w/native" || exit 1
targets=("native=$w/native")
for m in ${modes//,/ }; do
	s=
	[ "$m" = shared ] && s=.shared
	up "$m" "$s" || { echo "run-targets: bringing up the $m targets failed" >&2; exit 1; }
done

start=$SECONDS
FSCONF=$fsconf "$here/run-table.sh" "$@" "${targets[@]}"
rc=$?
echo "run-targets: fsconf on ${#targets[@]} targets took $((SECONDS - start)) s"

# Stop everything, then look for what sanitizers had to say.
teardown
for log in "$w"/*/*.log; do
	if grep -qE "ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:" "$log"; then
		echo "run-targets: sanitizer report in ${log#"$w"/}:"
		grep -E -m 5 -A 10 "ERROR: [A-Za-z]*Sanitizer|runtime error:" "$log" | sed 's/^/    /'
		rc=1
	fi
done
exit $rc
