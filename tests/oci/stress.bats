#!/usr/bin/env bats
# 50 containers created, started, exec'd into, killed and deleted, 4 at a
# time; then nothing may be left: processes, mounts, fds on the state
# root (in any process), state, cgroups (assert_no_leftovers).

load helpers

setup() { oci_setup; }
teardown() { oci_teardown; }

one_container() {
	local id="$CID-$1" out
	burrow create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 || { echo "create $id"; return 1; }
	burrow start "$id" || { echo "start $id"; return 1; }
	out=$(burrow exec "$id" sh -c 'echo $((6 * 7))') || { echo "exec $id"; return 1; }
	[ "$out" = 42 ] || { echo "exec $id said '$out'"; return 1; }
	burrow kill "$id" KILL || { echo "kill $id"; return 1; }
	for _ in $(seq 100); do
		[ "$(burrow state "$id" | jq -r .status)" = stopped ] && break
		sleep 0.05
	done
	burrow delete "$id" || { echo "delete $id"; return 1; }
}

@test "50 containers, 4 at a time: create, start, exec, kill, delete; nothing left" {
	local i j pids failed=0
	for ((i = 0; i < 50; i += 4)); do
		pids=()
		for ((j = i; j < i + 4 && j < 50; j++)); do
			one_container "$j" >"$BATS_TEST_TMPDIR/c$j.log" 2>&1 &
			pids+=($!)
		done
		for p in "${pids[@]}"; do
			wait "$p" || failed=$((failed + 1))
		done
	done
	cat "$BATS_TEST_TMPDIR"/c*.log
	[ "$failed" -eq 0 ]
	# no abstract control socket left
	! grep -q "@burrow-sandbox.$CID-" /proc/net/unix
	assert_no_leftovers
}
