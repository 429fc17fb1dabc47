#!/usr/bin/env bats
# burrow exec / ps / events: application.Execute, Processes, Event.

load helpers

setup() {
	oci_setup
	create_ctr
	burrow start "$CID"
}
teardown() {
	burrow delete --force "$CID" 2>/dev/null || true
	oci_teardown
}

@test "exec: output and exit status" {
	run burrow exec "$CID" sh -c 'echo out; echo err >&2; exit 5'
	[ "$status" -eq 5 ]
	[ "${lines[0]}" = out ]
	[ "${lines[1]}" = err ]
}

@test "exec: stdin is the caller's" {
	run sh -c "printf 'a\nb\n' | '$BURROW' --root '$STATE_ROOT' exec '$CID' wc -l"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr -d ' ')" = 2 ]
}

@test "exec: --env --cwd --user --additional-gids --cap" {
	run burrow exec --env FOO=bar --env PATH=/bin --cwd /tmp --user 1000:1001 \
		--additional-gids 7 --cap CAP_CHOWN "$CID" \
		sh -c 'echo $FOO $PATH; pwd; id -u; id -g; id -G; grep CapEff /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "bar /bin" ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1001 ]
	[[ "${lines[4]}" == *7* ]]
	# CAP_CHOWN is bit 0
	[ "$(echo "${lines[5]}" | awk '{print $2}')" = 0000000000000001 ]
}

@test "exec: the container's namespaces, cgroup and seccomp profile" {
	spec_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	burrow delete --force "$CID"
	create_ctr
	burrow start "$CID"
	app=$(burrow state "$CID" | jq .pid)
	run burrow exec "$CID" sh -c 'for n in pid mnt uts ipc net; do readlink /proc/self/ns/$n; done; hostname; echo $$; mkdir /tmp/x'
	[ "$status" -ne 0 ]
	i=0
	for n in pid mnt uts ipc net; do
		[ "${lines[$i]}" = "$(readlink /proc/"$app"/ns/$n)" ]
		i=$((i + 1))
	done
	[ "${lines[5]}" = burrow ]
	# a pid of the container's namespace, not the host's
	[ "${lines[6]}" -lt 100 ]
	[[ "$output" == *"Operation not permitted"* ]]
	# from the host: the exec'd process is in the container's cgroups
	burrow exec --detach "$CID" sleep 1000
	for pid in $(burrow ps --format json "$CID" | jq '.[]'); do
		grep -q ":pids:/burrow/$CID\$" /proc/"$pid"/cgroup
		grep -q ":memory:/burrow/$CID\$" /proc/"$pid"/cgroup
	done
}

@test "exec --process FILE" {
	cat >"$BATS_TEST_TMPDIR/process.json" <<-JSON
	{"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "echo \$X; exit 9"],
	 "env": ["X=from-file", "PATH=/bin"], "cwd": "/"}
	JSON
	run burrow exec --process "$BATS_TEST_TMPDIR/process.json" "$CID"
	[ "$status" -eq 9 ]
	[ "$output" = from-file ]
	echo '{"user": {"uid": 0, "gid": 0}, "cwd": "/", "args": []}' >"$BATS_TEST_TMPDIR/bad.json"
	run burrow exec --process "$BATS_TEST_TMPDIR/bad.json" "$CID"
	assert_one_line_error "process.args"
}

@test "exec --detach: the pid file's waiter exits with the process's status" {
	burrow exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" sh -c 'sleep 0.5; exit 4'
	waiter=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	[ "$waiter" -gt 0 ]
	# our child: bash can wait for it only if it is; read its status via /proc instead
	wait_for sh -c "! kill -0 $waiter 2>/dev/null || grep -q '^[0-9]* ([^)]*) Z' /proc/$waiter/stat"
	[ "$(burrow ps --format json "$CID" | jq length)" -eq 1 ]
}

@test "exec: a missing program, a stopped container" {
	run burrow exec "$CID" nosuchprogram
	assert_one_line_error 'executable file not found in $PATH'
	burrow kill "$CID" KILL
	wait_for status_is stopped
	run burrow exec "$CID" true
	assert_one_line_error "cannot exec in a stopped container"
}

@test "exec --tty: with --detach the master goes to --console-socket" {
	console_listen
	burrow exec --tty --detach --console-socket "$sock" --pid-file "$BATS_TEST_TMPDIR/exec.pid" \
		"$CID" sh -c 'tty; echo via-pty'
	wait "$rpid"
	grep -q "^/dev/pts/[0-9]" "$BATS_TEST_TMPDIR/tty.out"
	grep -q via-pty "$BATS_TEST_TMPDIR/tty.out"
	run burrow exec --tty --detach "$CID" true
	assert_one_line_error "--console-socket"
	run burrow exec --console-socket "$sock" "$CID" true
	assert_one_line_error "--console-socket needs --detach and a tty"
}

@test "exec --tty in the foreground relays the pty" {
	command -v script >/dev/null || skip "needs script(1)"
	run script -qec "'$BURROW' --root '$STATE_ROOT' exec -t '$CID' sh -c 'tty; exit 6'" /dev/null
	[ "$status" -eq 6 ]
	[[ "$output" == *"/dev/pts/"* ]]
}

@test "exec: signals reach the process" {
	"$BURROW" --root "$STATE_ROOT" exec "$CID" \
		sh -c 'trap "echo got-term; exit 3" TERM; echo ready; while :; do sleep 0.1; done' \
		>"$BATS_TEST_TMPDIR/ex.out" 2>&1 &
	epid=$!
	wait_for grep -q ready "$BATS_TEST_TMPDIR/ex.out"
	kill -TERM "$epid"
	st=0
	wait "$epid" || st=$?
	[ "$st" -eq 3 ]
	grep -q got-term "$BATS_TEST_TMPDIR/ex.out"
}

@test "ps: table and json" {
	burrow exec --detach "$CID" sleep 1000
	run burrow ps "$CID"
	[ "$status" -eq 0 ]
	echo "${lines[0]}" | grep -q '^UID  *PID  *PPID  *C  *STIME  *TTY  *TIME  *CMD$'
	[ "${#lines[@]}" -eq 3 ]
	[[ "$output" == *"sleep 1000"* ]]
	run burrow ps --format json "$CID"
	[ "$(echo "$output" | jq length)" -eq 2 ]
	for pid in $(echo "$output" | jq '.[]'); do
		[ "$(readlink /proc/"$pid"/ns/pid)" = "$(readlink /proc/"$(burrow state "$CID" | jq .pid)"/ns/pid)" ]
	done
	run burrow ps --format yaml "$CID"
	assert_one_line_error "table or json"
}

@test "events --stats: runc's stats from the cgroup" {
	burrow exec "$CID" sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done'
	run burrow events --stats "$CID"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	ev="$output"
	[ "$(echo "$ev" | jq -r .type)" = stats ]
	[ "$(echo "$ev" | jq -r .id)" = "$CID" ]
	[ "$(echo "$ev" | jq .data.pids.current)" -ge 1 ]
	[ "$(echo "$ev" | jq .data.memory.usage.usage)" -gt 0 ]
	[ "$(echo "$ev" | jq .data.cpu.usage.total)" -gt 0 ]
	echo "$ev" | jq -e '.data.memory.raw | length > 0'
}

@test "events: a stream every --interval that ends with the container" {
	"$BURROW" --root "$STATE_ROOT" events --interval 200ms "$CID" >"$BATS_TEST_TMPDIR/ev.out" &
	epid=$!
	wait_for sh -c "[ \$(wc -l <'$BATS_TEST_TMPDIR/ev.out') -ge 3 ]"
	burrow kill "$CID" KILL
	wait "$epid"
	jq -e 'select(.type == "stats")' "$BATS_TEST_TMPDIR/ev.out" >/dev/null
	run burrow events --interval bogus "$CID"
	assert_one_line_error "not a duration"
}
