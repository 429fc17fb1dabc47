#!/bin/bash
# The POSIX conformance suite (tests/conformance) inside a burrow sandbox,
# compared with a native directory by tests/conformance/run-table.sh:
#
#   conformance-in-sandbox.sh BUILDDIR [proxy|overlay|direct]
#
# The sandbox's /work is a read-write bind mount (served by the gofer in
# proxy mode, under the overlay with --overlay); fsconf and the host's
# libc come in read-only.  run-table.sh calls this script as its FSCONF:
# for the sandbox target it runs fsconf inside `burrow run`.  Expected
# differences are the suite's own for its "burrow" target (and "overlay"
# with --overlay): the sandbox reaches files through the same FUSE client
# and gofer.  Needs root.  Exit status: run-table.sh's.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

# --- as run-table.sh's FSCONF: fsconf [options] DIR ---
if [ -n "${BURROW_CONF_SANDBOX:-}" ]; then
	dir=${!#}
	if [ "$dir" != "$BURROW_CONF_SANDBOX" ]; then
		exec "$BURROW_CONF_FSCONF" "$@"
	fi
	args=("${@:1:$#-1}")
	b=$BURROW_CONF_BUNDLE
	jq --argjson a "$(printf '%s\n' /conf/fsconf "${args[@]}" /work | jq -R . | jq -s -c .)" \
		'.process.args = $a' "$b/config.json.in" >"$b/config.json"
	id=conf$$
	# shellcheck disable=SC2086
	exec "$BURROW_CONF_BURROW" --root "$BURROW_CONF_STATE" $BURROW_CONF_FLAGS run --bundle "$b" "$id"
fi

# --- the driver ---
[ $# -ge 1 ] || { echo "usage: conformance-in-sandbox.sh BUILDDIR [proxy|overlay|direct]" >&2; exit 2; }
build=$(cd "$1" && pwd) || exit 2
mode=${2:-proxy}
[ "$(id -u)" = 0 ] || { echo "conformance-in-sandbox: needs root" >&2; exit 77; }
command -v jq >/dev/null || { echo "conformance-in-sandbox: needs jq" >&2; exit 77; }
fsconf=$build/tests/conformance/fsconf
[ -x "$fsconf" ] || { echo "conformance-in-sandbox: $fsconf not built (make check builds it)" >&2; exit 2; }

case $mode in
proxy) flags="--file-access proxy"; targets="burrow" ;;
overlay) flags="--file-access proxy --overlay"; targets="burrow overlay" ;;
direct) flags="--file-access direct"; targets="" ;;
*) echo "conformance-in-sandbox: mode proxy, overlay or direct" >&2; exit 2 ;;
esac

w=$(mktemp -d "${TMPDIR:-/tmp}/conf-sandbox.XXXXXX")
chmod 755 "$w"
trap 'rm -rf "$w"' EXIT
mkdir -p "$w"/{native,work,bundle,state}
chmod 755 "$w/native" "$w/work"
bash "$src/scripts/make-busybox-rootfs.sh" "$w/bundle/rootfs" >/dev/null
mkdir -p "$w/bundle/rootfs"/{conf,lib,lib64,work}
(cd "$w/bundle" && "$build/burrow" spec)
# Root, every capability, no user namespace: the suite chowns, mknods and
# drops to other users itself.
# Capabilities 0..31 in bit order; keep those this host's root has
# (CapBnd: some hosts withhold CAP_SYS_RESOURCE).
names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
	LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
	SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
	SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP)
bnd=$((16#$(sed -n 's/^CapBnd:\t//p' /proc/self/status)))
all_caps=$(for i in "${!names[@]}"; do
	(( (bnd >> i) & 1 )) && echo "CAP_${names[i]}"
done | jq -R . | jq -s -c .)
jq --arg work "$w/work" --arg conf "$(dirname "$fsconf")" --argjson caps "$all_caps" '
	.process.terminal = false | .root.readonly = true |
	.process.noNewPrivileges = false |
	.process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps} |
	.process.rlimits = [] |
	.mounts += [
		{destination: "/work", type: "bind", source: $work, options: ["rbind", "rw"]},
		{destination: "/conf", type: "bind", source: $conf, options: ["rbind", "ro"]},
		{destination: "/lib", type: "bind", source: "/lib", options: ["rbind", "ro"]},
		{destination: "/lib64", type: "bind", source: "/lib64", options: ["rbind", "ro"]}]' \
	"$w/bundle/config.json" >"$w/bundle/config.json.in"

# The expected differences of the same FUSE client and gofer, renamed.
expected="$w/expected-failures.txt"
: >"$expected"
for t in $targets; do
	awk -v t="$t" '$1 == t { $1 = "sandbox"; print }' "$src/tests/conformance/expected-failures.txt" >>"$expected"
done

export BURROW_CONF_SANDBOX="$w/work" BURROW_CONF_FSCONF="$fsconf" BURROW_CONF_BUNDLE="$w/bundle"
export BURROW_CONF_BURROW="$build/burrow" BURROW_CONF_STATE="$w/state" BURROW_CONF_FLAGS="$flags"
export FSCONF="$here/conformance-in-sandbox.sh" EXPECTED_FAILURES="$expected"
echo "conformance suite: native vs a $mode sandbox (fsconf in burrow run)"
bash "$src/tests/conformance/run-table.sh" native="$w/native" sandbox="$w/work"
