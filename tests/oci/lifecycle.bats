#!/usr/bin/env bats
# burrow create / start / state / kill / delete / list / wait, and their
# failure paths: runc's exit status (1), one line of error, nothing left.

load helpers

setup() { oci_setup; }
teardown() { oci_teardown; }

@test "create holds the app until start; the pid file's pid exits with its status" {
	spec_args sh -c 'echo started; sleep 1000'
	create_ctr
	[ "$(status_of)" = created ]
	pid=$(cat "$BATS_TEST_TMPDIR/$CID.pid")
	[ "$(burrow state "$CID" | jq -r .pid)" -gt 0 ]
	# held before execve: nothing printed yet, the pid file's process lives
	sleep 0.3
	[ ! -s "$BATS_TEST_TMPDIR/$CID.out" ]
	kill -0 "$pid"
	burrow start "$CID"
	[ "$(status_of)" = running ]
	wait_for grep -q started "$BATS_TEST_TMPDIR/$CID.out"
	burrow kill "$CID" KILL
	wait_for status_is stopped
	run burrow wait "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq .exitStatus)" -eq 137 ]
	burrow delete "$CID"
	run burrow state "$CID"
	assert_one_line_error "does not exist"
}

@test "the app's exit status: the sentry (pid file) exits with it, wait reports it" {
	spec_args sh -c 'exit 7'
	create_ctr
	burrow start "$CID"
	run burrow wait "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -c .)" = "{\"id\":\"$CID\",\"exitStatus\":7}" ]
	wait_for status_is stopped
	burrow delete "$CID"
}

@test "state: the OCI fields, annotations included" {
	spec_edit '.annotations = {"org.example.key": "value"}'
	create_ctr
	run burrow state "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .ociVersion)" != null ]
	[ "$(echo "$output" | jq -r .id)" = "$CID" ]
	[ "$(echo "$output" | jq -r .status)" = created ]
	[ "$(echo "$output" | jq -r .bundle)" = "$(realpath "$BUNDLE")" ]
	[ "$(echo "$output" | jq -r '.annotations["org.example.key"]')" = value ]
	pid=$(echo "$output" | jq -r .pid)
	# the app's init, held in the container's pid namespace
	[ "$(readlink /proc/"$pid"/ns/pid)" != "$(readlink /proc/self/ns/pid)" ]
	burrow delete "$CID"
}

@test "create twice with one id fails and leaves the first alone" {
	create_ctr
	run burrow create --bundle "$BUNDLE" "$CID"
	assert_one_line_error "already exists"
	[ "$(status_of)" = created ]
	burrow delete "$CID"
}

@test "unknown id: every command fails with one line" {
	for cmd in start state "kill" delete ps events wait; do
		run burrow $cmd nosuch
		assert_one_line_error 'container "nosuch" does not exist'
	done
	run burrow exec nosuch true
	assert_one_line_error 'container "nosuch" does not exist'
	# runc: a forced delete of nothing is not an error
	run burrow delete --force nosuch
	[ "$status" -eq 0 ]
}

@test "start of a running, then of a stopped container" {
	create_ctr
	burrow start "$CID"
	run burrow start "$CID"
	assert_one_line_error "cannot start an already running container"
	burrow kill "$CID" 9
	wait_for status_is stopped
	run burrow start "$CID"
	assert_one_line_error "cannot start a container that has stopped"
	burrow delete "$CID"
}

@test "delete of a running container needs --force" {
	create_ctr
	burrow start "$CID"
	run burrow delete "$CID"
	assert_one_line_error "is not stopped: running"
	[ "$(status_of)" = running ]
	burrow delete --force "$CID"
	run burrow state "$CID"
	[ "$status" -eq 1 ]
}

@test "delete of a created container kills it without --force (runc)" {
	create_ctr
	pid=$(cat "$BATS_TEST_TMPDIR/$CID.pid")
	burrow delete "$CID"
	! kill -0 "$pid" 2>/dev/null || [ "$(awk '{print $3}' /proc/"$pid"/stat)" = Z ]
}

@test "kill: names and numbers, a bad name, a stopped container" {
	spec_args sh -c 'trap "echo got-usr1" USR1; trap "exit 42" TERM; while :; do sleep 0.1; done'
	create_ctr
	burrow start "$CID"
	run burrow kill "$CID" FOO
	assert_one_line_error 'unknown signal "FOO"'
	run burrow kill "$CID" 99
	assert_one_line_error 'unknown signal "99"'
	sleep 0.3
	burrow kill "$CID" usr1
	wait_for grep -q got-usr1 "$BATS_TEST_TMPDIR/$CID.out"
	burrow kill "$CID"
	run burrow wait "$CID"
	[ "$(echo "$output" | jq .exitStatus)" -eq 42 ]
	wait_for status_is stopped
	run burrow kill "$CID" KILL
	assert_one_line_error "container not running"
	burrow delete "$CID"
}

@test "kill with SIGKILL, KILL and 9 each stop the app with 137" {
	for sig in SIGKILL KILL 9; do
		create_ctr
		burrow start "$CID"
		burrow kill "$CID" "$sig"
		run burrow wait "$CID"
		echo "wait after $sig: status $status: $output"
		[ "$(echo "$output" | jq .exitStatus)" -eq 137 ]
		wait_for status_is stopped
		burrow delete "$CID"
	done
}

@test "kill --all reaches exec'd processes too" {
	create_ctr
	burrow start "$CID"
	burrow exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" sleep 1000
	waiter=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	[ "$(burrow ps --format json "$CID" | jq length)" -eq 2 ]
	burrow kill --all "$CID" KILL
	wait_for status_is stopped
	wait_for sh -c "! kill -0 $waiter 2>/dev/null || grep -q '^[0-9]* ([^)]*) Z' /proc/$waiter/stat"
	burrow delete "$CID"
}

@test "list: table, -q and json" {
	create_ctr
	create_ctr "$CID-b"
	burrow start "$CID-b"
	run burrow list -q
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s' "$CID" "$CID-b")" ]
	run burrow list
	[ "${lines[0]}" = "$(echo "${lines[0]}" | grep '^ID  *PID  *STATUS  *BUNDLE  *CREATED  *OWNER$')" ]
	echo "${lines[1]}" | grep -q "^$CID  .* created  "
	echo "${lines[2]}" | grep -q "^$CID-b  .* running  "
	run burrow list --format json
	[ "$(echo "$output" | jq -r '.[1].status')" = running ]
	[ "$(echo "$output" | jq -r '.[0].id')" = "$CID" ]
	run burrow list --format yaml
	assert_one_line_error "table or json"
	burrow delete --force "$CID"
	burrow delete --force "$CID-b"
	run burrow list -q
	[ -z "$output" ]
}

@test "global flags: --log-format json writes runc's lines, --systemd-cgroup is accepted" {
	log="$BATS_TEST_TMPDIR/log.json"
	run "$BURROW" --root "$STATE_ROOT" --log "$log" --log-format json --systemd-cgroup state nosuch
	assert_one_line_error "does not exist"
	[ "$(jq -r .level "$log")" = error ]
	jq -r .msg "$log" | grep -q 'container "nosuch" does not exist'
	jq -r .time "$log" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'
}

@test "a terminal needs --console-socket, a console socket needs a terminal" {
	spec_edit '.process.terminal = true'
	run burrow create --bundle "$BUNDLE" "$CID"
	assert_one_line_error "--console-socket"
	spec_edit '.process.terminal = false'
	run burrow create --bundle "$BUNDLE" --console-socket "$BATS_TEST_TMPDIR/none.sock" "$CID"
	assert_one_line_error "needs process.terminal"
}

@test "terminal: the pty master goes to --console-socket (conmon's protocol)" {
	spec_edit '.process.terminal = true'
	spec_args sh -c 'tty; echo on-the-pty; exit 3'
	console_listen
	burrow create --bundle "$BUNDLE" --console-socket "$sock" "$CID"
	burrow start "$CID"
	run burrow wait "$CID"
	[ "$(echo "$output" | jq .exitStatus)" -eq 3 ]
	wait "$rpid"
	grep -q "got /dev/ptmx" "$BATS_TEST_TMPDIR/tty.err"
	grep -q "^/dev/pts/[0-9]" "$BATS_TEST_TMPDIR/tty.out"
	grep -q on-the-pty "$BATS_TEST_TMPDIR/tty.out"
	wait_for status_is stopped
	burrow delete "$CID"
}

@test "run --detach --console-socket: the pty master goes to the socket" {
	spec_edit '.process.terminal = true'
	spec_args sh -c 'tty; echo on-the-pty; exit 3'
	console_listen
	burrow run --detach --bundle "$BUNDLE" --console-socket "$sock" "$CID" </dev/null
	run burrow wait "$CID"
	[ "$(echo "$output" | jq .exitStatus)" -eq 3 ]
	wait "$rpid"
	grep -q "^/dev/pts/[0-9]" "$BATS_TEST_TMPDIR/tty.out"
	grep -q on-the-pty "$BATS_TEST_TMPDIR/tty.out"
	wait_for status_is stopped
	burrow delete "$CID"
	spec_edit '.process.terminal = false'
	run burrow run --detach --bundle "$BUNDLE" --console-socket "$sock" "$CID"
	assert_one_line_error "needs process.terminal"
}

@test "terminal: create keeps none of the caller's stdio (containerd waits for EOF)" {
	spec_edit '.process.terminal = true'
	sock="$BATS_TEST_TMPDIR/console.sock"
	"$RECVTTY" "$sock" >/dev/null 2>&1 &
	rpid=$!
	wait_for test -S "$sock"
	# cat ends only when every holder of the pipe (sentry, gofer, control
	# server, held app) has let go of it; with --log, as containerd runs us
	run timeout 20 sh -c "'$BURROW' --root '$STATE_ROOT' --log '$BATS_TEST_TMPDIR/log' --log-format json create --bundle '$BUNDLE' --console-socket '$sock' '$CID' 2>&1 | cat"
	[ "$status" -eq 0 ]
	[ "$(status_of)" = created ]
	burrow delete "$CID"
	wait "$rpid" || true
}
