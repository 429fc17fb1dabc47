#!/bin/bash
# The conformance suite inside a sandbox (issue 5): a statically linked
# fsconf in a busybox bundle runs under `burrow run` on /work, a directory
# of the container's root, in one of the three file-access modes:
#   proxy    burrow-gofer serves the root, burrow-sentry mounts it
#            (cache exclusive): results must equal the "burrow" column, a
#            burrow-sentry mount of burrow-gofer as run-targets.sh makes it;
#   overlay  the same under the sandbox's overlay (writes in its tmpfs):
#            results must equal the "overlay" column, kernel overlayfs over
#            a directory of that burrow mount;
#   direct   the root bind-mounted: results must equal the native column.
# The table shows native, burrow, overlay (in overlay mode) and sandbox;
# the sandbox's per-category cells and failed tests must equal the
# reference column's.
#
#   in-sandbox.sh BUILDDIR [--mode proxy|overlay|direct] [run-table.sh options]
#
# Needs root, /dev/fuse, jq and busybox-static (exit 77 without them).
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: in-sandbox.sh BUILDDIR [run-table options]" >&2; exit 2; }
build=$(cd "$1" && pwd) || exit 2
shift
mode=proxy
if [ "${1:-}" = --mode ]; then
	mode=${2:-}
	shift 2 || { echo "in-sandbox: --mode needs a value" >&2; exit 2; }
fi
case $mode in
proxy) flags="--file-access proxy"; ref=burrow ;;
overlay) flags="--file-access proxy --overlay"; ref=overlay ;;
direct) flags="--file-access direct"; ref=native ;;
*) echo "in-sandbox: --mode proxy, overlay or direct, not '$mode'" >&2; exit 2 ;;
esac
skip() { echo "in-sandbox: SKIP: $*" >&2; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (burrow run, mounts)"
[ -c /dev/fuse ] || skip "no /dev/fuse"
command -v jq >/dev/null || skip "needs jq"
[ -x /bin/busybox ] || skip "needs busybox-static"
burrow=$build/burrow
gofer=$build/burrow-gofer
sentry=$build/sentry/burrow-sentry
fsconf=$build/tests/conformance/fsconf
static=$build/tests/conformance/fsconf-static
for p in "$burrow" "$gofer" "$sentry" "$fsconf" "$static"; do
	[ -x "$p" ] || { echo "in-sandbox: $p not built (make check builds it)" >&2; exit 2; }
done

if [ -z "${FSCONF_SANDBOX_NS:-}" ] && command -v unshare >/dev/null; then
	FSCONF_SANDBOX_NS=1 exec unshare --mount --propagation private bash "$0" "$build" --mode "$mode" "$@"
fi

w=$(mktemp -d "${TMPDIR:-/tmp}/fsconf-sandbox.XXXXXX") || exit 1
chmod 755 "$w"
pids=()
# The burrow mount and its gofer, by path and pid.
cleanup_mount() {
	local p m
	for m in "$w/overlay" "$w/upperfs" "$w/burrow"; do
		mountpoint -q "$m" && { umount "$m" || umount -l "$m"; }
	done
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	pids=()
}
cleanup() {
	cleanup_mount
	if grep -q " $w/" /proc/self/mountinfo; then
		echo "in-sandbox: mounts left under $w; not removing it" >&2
	else
		rm -rf "$w"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The bundle: busybox, fsconf as /bin/fsconf, an empty /work.
rootfs=$w/bundle/rootfs
bash "$src/scripts/make-busybox-rootfs.sh" "$rootfs" >/dev/null || exit 1
install -m 755 "$static" "$rootfs/bin/fsconf"
mkdir -m 755 "$rootfs/work"
(cd "$w/bundle" && "$burrow" spec) || exit 1
# Root with the capabilities this host's root has (chown, mknod, setuid
# for the permission tests, ...), a writable root, no rlimits (sparse
# files past 4 GiB).
names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
	LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
	SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
	SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP)
bnd=$((16#$(sed -n 's/^CapBnd:\t//p' /proc/self/status)))
caps=$(for i in "${!names[@]}"; do
	(((bnd >> i) & 1)) && echo "CAP_${names[i]}"
done | jq -R . | jq -s -c .)
jq --argjson caps "$caps" '
	.process.terminal = false | .root.readonly = false |
	.process.noNewPrivileges = false | .process.rlimits = [] |
	.process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}' \
	"$w/bundle/config.json" >"$w/config.template" || exit 1

# The copy-up fixtures: made inside the sandbox, except under the overlay,
# where the host makes them below it (in its lower layer).
prep="fsconf -p /work &&"
[ "$mode" = overlay ] && prep=

# run-table.sh calls FSCONF [options] DIR for each target; for the
# sandbox's DIR this runs fsconf in a container instead.
cat >"$w/fsconf" <<EOF
#!/bin/bash
dir=\${!#}
[ "\$dir" = "$rootfs/work" ] || exec "$fsconf" "\$@"
args=\$(printf '%s\n' "\${@:1:\$#-1}" | jq -R . | jq -s -c .)
jq --argjson a "\$args" \\
	'.process.args = ["/bin/sh", "-c", "$prep exec fsconf \\"\$@\\" /work", "sh"] + \$a' \\
	"$w/config.template" >"$w/bundle/config.json" || exit 2
exec "$burrow" --root "$w/state" $flags run --bundle "$w/bundle" "fsconf-\$\$"
EOF
chmod 755 "$w/fsconf"

# The burrow mount column, as run-targets.sh makes it (cache=exclusive).
mkdir -p "$w"/{native,gexp,burrow,state}
"$gofer" serve --export "$w/gexp" --listen "unix:$w/gofer.sock" --multi-user >"$w/gofer.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$w/gofer.sock" ] && break; sleep 0.05; done
"$sentry" mount -f "unix:$w/gofer.sock" "$w/burrow" >"$w/mount.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do mountpoint -q "$w/burrow" && break; sleep 0.05; done
mountpoint -q "$w/burrow" || { echo "in-sandbox: the burrow mount did not come up:" >&2; cat "$w/mount.log" >&2; exit 1; }
"$fsconf" -p "$w/native" && "$fsconf" -p "$w/burrow" || exit 1
targets=(native="$w/native" burrow="$w/burrow")
# The overlay column, as run-targets.sh makes it.
if [ "$mode" = overlay ]; then
	mkdir -p "$w/burrow/lower" "$w/upperfs" "$w/overlay"
	"$fsconf" -p "$w/burrow/lower" || exit 1
	mount -t tmpfs fsconf-upper "$w/upperfs" && mkdir -p "$w/upperfs"/{upper,work} &&
		mount -t overlay fsconf-overlay \
			-o "lowerdir=$w/burrow/lower,upperdir=$w/upperfs/upper,workdir=$w/upperfs/work" \
			"$w/overlay" || exit 1
	targets+=(overlay="$w/overlay")
	# The sandbox's lower layer gets the same content (the copy-up tests
	# need files below the overlay), prepared from the host.
	"$fsconf" -p "$rootfs/work" || exit 1
fi

# What the reference column may fail, the sandbox may too (the same FUSE
# client, gofer and overlayfs); the diff below holds them to it exactly.
expected=$w/expected-failures.txt
cat "$here/expected-failures.txt" >"$expected"
[ "$ref" = native ] ||
	awk -v t="$ref" '$1 == t { $1 = "sandbox"; print }' "$here/expected-failures.txt" >>"$expected"

echo "conformance suite in a $mode sandbox; its reference: the $ref column"
EXPECTED_FAILURES=$expected FSCONF=$w/fsconf "$here/run-table.sh" -k "$w/logs" "$@" "${targets[@]}" sandbox="$rootfs/work"
rc=$?

# Stop the mount and gofer before reading their logs.
cleanup_mount

# Same results as on the burrow mount: each category's counts, each test
# that failed or skipped.
results() { grep -E '^(category |test [^ ]+ [^ ]+ (FAIL|SKIP))' "$1"; }
if ! diff <(results "$w/logs/$ref.log") <(results "$w/logs/sandbox.log") >"$w/diff"; then
	echo "in-sandbox: the $mode sandbox's results differ from the $ref column's:"
	sed 's/^/    /' "$w/diff"
	grep '^FAIL ' "$w/logs/sandbox.log" | sed 's/^/    sandbox: /'
	rc=1
else
	echo "in-sandbox: $mode sandbox = $ref in every category and test"
fi
for log in "$w"/*.log "$w"/logs/*.log; do
	if grep -qE "ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:" "$log"; then
		echo "in-sandbox: sanitizer report in ${log#"$w"/}:"
		grep -E -m 5 -A 10 "ERROR: [A-Za-z]*Sanitizer|runtime error:" "$log" | sed 's/^/    /'
		rc=1
	fi
done
left=$(ls -A "$w/state")
if [ -n "$left" ]; then
	echo "in-sandbox: burrow left state behind: $left"
	rc=1
fi
exit $rc
