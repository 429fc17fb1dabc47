#!/bin/bash
# containerd (Debian's) running burrow through its runc shim: `ctr run
# --runc-binary PATH-TO-burrow` on a busybox image imported from an OCI
# layout made by hand (oci-image.sh).  Prints PASS/FAIL per step; exit
# status 0 when all pass.
#
# Runs a containerd of its own (config, root, state and socket in a temp
# dir, given with --config) and stops it afterwards.
#   apt-get install containerd busybox-static util-linux(script)
set -u
source "$(dirname "$0")/lib.sh"
need_root_and containerd ctr containerd-shim-runc-v2 script

IMAGE=docker.io/library/burrow-busybox:test
WORK=$(mktemp -d /tmp/burrow-containerd.XXXXXX)
chmod 711 "$WORK"
CTD_PID=""
# the shim's --root for burrow (runc's layout: /run/containerd/runc/<namespace>)
NS=burrow-test
STATE_ROOT=/run/containerd/runc/$NS

stop_all() {
	local id
	for id in $(ctr_ task ls -q 2>/dev/null); do
		ctr_ task kill -s KILL "$id" >/dev/null 2>&1
		ctr_ task delete -f "$id" >/dev/null 2>&1
	done
	for id in $(ctr_ container ls -q 2>/dev/null); do
		ctr_ container delete "$id" >/dev/null 2>&1
	done
	if [ -n "$CTD_PID" ]; then
		kill "$CTD_PID" 2>/dev/null
		wait "$CTD_PID" 2>/dev/null
	fi
	rmdir "$STATE_ROOT" 2>/dev/null
	rm -rf "$WORK"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

ctr_() { ctr --address "$WORK/containerd.sock" --namespace "$NS" "$@"; }

cat >"$WORK/config.toml" <<TOML
version = 2
root = "$WORK/root"
state = "$WORK/state"
[grpc]
  address = "$WORK/containerd.sock"
TOML
containerd --config "$WORK/config.toml" >"$WORK/containerd.log" 2>&1 &
CTD_PID=$!
for _ in $(seq 100); do
	ctr_ version >/dev/null 2>&1 && break
	sleep 0.1
done
ctr_ version >/dev/null 2>&1 || die "containerd did not come up: $(tail -3 "$WORK/containerd.log")"

make_rootfs "$WORK/rootfs"
bash "$(dirname "$0")/oci-image.sh" "$WORK/rootfs" "$WORK/image.tar" "$IMAGE" || die "oci-image.sh"
ctr_ image import "$WORK/image.tar" >/dev/null || die "ctr image import"

R=(--runc-binary "$BURROW")
echo "containerd $(containerd --version | awk '{print $3}') with $BURROW"

step run ctr_ run --rm "${R[@]}" "$IMAGE" b1 sh -c 'echo hi from burrow; exit 3'
check "run --rm: output and exit status (3)" test "$RC" -eq 3 -a "$OUT" = "hi from burrow"

step run0 ctr_ run --rm "${R[@]}" "$IMAGE" b2 true
check "run --rm: exit status 0" test "$RC" -eq 0

# ctr 1.6 never closes a piped stdin: head stops after the line it needs
step stdin sh -c "echo piped | ctr --address '$WORK/containerd.sock' --namespace $NS run --rm --runc-binary '$BURROW' $IMAGE b3 head -n 1"
check "run: stdin piped" test "$RC" -eq 0 -a "$OUT" = piped

step run-d ctr_ run -d "${R[@]}" "$IMAGE" b4 sleep 1000
check "run -d" test "$RC" -eq 0

step exec ctr_ task exec --exec-id e1 b4 sh -c 'echo in-exec; exit 4'
check "task exec: output and exit status (4)" test "$RC" -eq 4 -a "$OUT" = in-exec

step ps ctr_ task ps b4
check "task ps lists the app" test "$RC" -eq 0 -a "$(printf '%s\n' "$OUT" | wc -l)" -ge 2

step kill ctr_ task kill -s KILL b4
sleep 1
step ls ctr_ task ls
check "task kill: the task stops" grep -q "b4 .*STOPPED" <<<"$OUT"
ctr_ task delete b4 >/dev/null 2>&1
ctr_ container delete b4 >/dev/null 2>&1

step tty script -qec "ctr --address '$WORK/containerd.sock' --namespace $NS run --rm -t --runc-binary '$BURROW' $IMAGE b5 sh -c 'tty; exit 5'" /dev/null
check "run -t: a pty (exit 5)" sh -c "[ $RC -eq 5 ] && printf '%s' \"\$0\" | grep -q /dev/pts/" "$OUT"

step leftovers burrow_leftovers "$STATE_ROOT"
check "no burrow process left" test -z "$OUT"
step states sh -c "ls '$STATE_ROOT' 2>/dev/null"
check "no state dir left in $STATE_ROOT" test -z "$OUT"

summary
