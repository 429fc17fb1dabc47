#!/bin/bash
# podman (Debian's) with burrow as its OCI runtime (--runtime), on a
# busybox image made offline with `podman import`.  Prints PASS/FAIL per
# step; exit status 0 when all pass.
#
# Writes /etc/containers/containers.conf (what podman reads) for the run
# and puts back whatever was there before.
#   apt-get install podman busybox-static jq util-linux(script)
set -u
source "$(dirname "$0")/lib.sh"
need_root_and podman conmon script jq

source "$(dirname "$0")/podman-env.sh"

P=(podman --runtime "$BURROW")
echo "podman $(podman --version | awk '{print $3}') with $BURROW"

step run "${P[@]}" run --rm "$IMAGE" echo hi
check "run --rm IMAGE echo hi" test "$RC" -eq 0 -a "$OUT" = hi

step exit "${P[@]}" run --rm "$IMAGE" sh -c 'exit 42'
check "run: the exit code comes back (42)" test "$RC" -eq 42

step run-d "${P[@]}" run -d --name burrow-t1 "$IMAGE" sleep 1000
check "run -d" test "$RC" -eq 0

step exec "${P[@]}" exec burrow-t1 sh -c 'echo in-exec; exit 3'
check "exec: output and exit code (3)" test "$RC" -eq 3 -a "$OUT" = in-exec

step top "${P[@]}" top burrow-t1
check "top shows the container's process" grep -q "sleep 1000" <<<"$OUT"

step stop "${P[@]}" stop -t 2 burrow-t1
check "stop" test "$RC" -eq 0

step inspect podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' burrow-t1
check "stopped, killed after the timeout (137)" test "$OUT" = "exited 137"

step rm "${P[@]}" rm burrow-t1
check "rm" test "$RC" -eq 0

step run-t script -qec "podman --runtime '$BURROW' run --rm -t $IMAGE sh -c 'tty; exit 4'" /dev/null
check "run -t: a pty (exit 4)" sh -c "[ $RC -eq 4 ] && printf '%s' \"\$0\" | grep -q /dev/pts/" "$OUT"

step run-i sh -c "echo piped-in | podman --runtime '$BURROW' run --rm -i $IMAGE sh -c 'cat; exit 5'"
check "run -i: stdin piped (exit 5)" test "$RC" -eq 5 -a "$OUT" = piped-in

step run-it script -qec "printf 'echo typed-\$((6*7))\\nexit 6\\n' | podman --runtime '$BURROW' run --rm -it $IMAGE sh" /dev/null
check "run -it: an interactive shell on a pty (exit 6)" sh -c "[ $RC -eq 6 ] && printf '%s' \"\$0\" | grep -q typed-42" "$OUT"

"${P[@]}" run -d --name burrow-t2 "$IMAGE" sleep 1000 >/dev/null
step exec-t script -qec "podman --runtime '$BURROW' exec -t burrow-t2 sh -c 'tty; exit 7'" /dev/null
check "exec -t: a pty (exit 7)" sh -c "[ $RC -eq 7 ] && printf '%s' \"\$0\" | grep -q /dev/pts/" "$OUT"

step exec-i sh -c "echo to-exec | podman --runtime '$BURROW' exec -i burrow-t2 sh -c 'cat; exit 8'"
check "exec -i: stdin piped (exit 8)" test "$RC" -eq 8 -a "$OUT" = to-exec

step kill "${P[@]}" kill burrow-t2
step wait podman wait burrow-t2
check "kill, then wait reports 137" test "$OUT" = 137
"${P[@]}" rm burrow-t2 >/dev/null

step leftovers burrow_leftovers /run/burrow
check "no burrow process left" test -z "$OUT"
step states sh -c "ls /run/burrow 2>/dev/null"
check "no state dir left in /run/burrow" test -z "$OUT"

summary
