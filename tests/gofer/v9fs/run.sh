#!/bin/bash
# Run the v9fs guest test (guest.sh) with Linux's own 9P client against
# burrow-gofer, through ../shared/v9fs-vm: unix socket and loopback TCP,
# with the default mount options, access=user and cache=loose.
#   tests/gofer/v9fs/run.sh BUILDDIR [VM_DIR]
# Needs root, qemu and a cache of the VM (built on first use into
# /var/tmp/v9fs-vm-gofer, reusing the shared kernel package download).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run.sh BUILDDIR [VM_DIR]}" && pwd)
vm=${2:-/work/shared/v9fs-vm}
export V9FS_VM_CACHE=${V9FS_VM_CACHE:-/var/tmp/v9fs-vm-gofer}
work=$(mktemp -d)
gofer_pid=
cleanup() {
	[ -n "$gofer_pid" ] && kill "$gofer_pid" 2>/dev/null && wait "$gofer_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# A private VM cache whose /extra holds the static helper.
mkdir -p "$work/extra" "$V9FS_VM_CACHE"
gcc -O2 -Wall -static -o "$work/extra/v9fs-check" "$here/v9fs-check.c" || exit 1
cp "$here/guest.sh" "$work/extra/guest.sh"
shared_cache=/var/tmp/v9fs-vm
[ -e "$V9FS_VM_CACHE/kpkg" ] || [ ! -d "$shared_cache/kpkg" ] || ln -s "$shared_cache/kpkg" "$V9FS_VM_CACHE/kpkg"
"$vm/build" "$work/extra" >/dev/null || exit 1

failed=0
run_one() {   # run_one unix|tcp OPTS [gofer options...]
	local kind=$1 opts=$2
	shift 2
	local export="$work/export-$kind-${opts:-default}" addr
	export=${export//[,=]/_}
	mkdir -p "$export"
	if [ "$kind" = tcp ]; then addr="tcp:127.0.0.1:$((20000 + RANDOM % 30000))"
	else addr="unix:$work/gofer.sock"; fi
	"$build/burrow-gofer" serve --export "$export" --listen "$addr" --log "$work/gofer.log" "$@" &
	gofer_pid=$!
	sleep 0.5
	echo "=== $kind ${opts:-default options} (gofer $*) ==="
	V9FS_OPTS="$opts" "$vm/run" "$addr" "sh /extra/guest.sh ${opts:-default}" \
		2>&1 | grep -E '^(PASS|FAIL|SKIP|RESULT|  got|\[host\]|\[guest\])'
	[ "${PIPESTATUS[0]}" = 0 ] || failed=$((failed + 1))
	kill "$gofer_pid"
	wait "$gofer_pid" 2>/dev/null
	gofer_pid=
	rm -rf "$export"
}

run_one unix ""
run_one tcp ""
run_one unix "access=user" --multi-user
run_one tcp "cache=loose"
run_one unix "cache=loose,access=user" --multi-user
echo "v9fs runs failed: $failed"
exit $((failed > 0))
