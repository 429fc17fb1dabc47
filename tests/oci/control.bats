#!/usr/bin/env bats
# The control socket itself (ctlcall speaks it raw): peer credentials,
# malformed requests answered without dropping the client, Start once.

load helpers

setup() {
	oci_setup
	create_ctr
}
teardown() {
	burrow delete --force "$CID" 2>/dev/null || true
	oci_teardown
}

@test "the socket is the abstract @burrow-sandbox.<id>" {
	grep -q " @burrow-sandbox.$CID\$" /proc/net/unix
}

@test "a malformed request gets an error and the client is still served" {
	run "$CTLCALL" "$CID" 'not json' '[1,2]' '{"method": 3}' '{"method": "no.Such"}' \
		'{"method": "application.Signal", "params": {"signal": "KILL"}}' \
		'{"method": "application.Processes", "params": {}}'
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[0]}" | jq -r .error)" = "malformed request: not a JSON object" ]
	[ "$(echo "${lines[1]}" | jq -r .error)" = "malformed request: not a JSON object" ]
	[[ "$(echo "${lines[2]}" | jq -r .error)" == "malformed request"* ]]
	[ "$(echo "${lines[3]}" | jq -r .error)" = 'unknown method "no.Such"' ]
	[[ "$(echo "${lines[4]}" | jq -r .error)" == "Signal: want"* ]]
	[ "$(echo "${lines[5]}" | jq '.result.processes | length')" -eq 1 ]
	[ "$(status_of)" = created ]
}

@test "only root or the creating uid may connect" {
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$CTLCALL" "$CID" \
		'{"method": "application.Start"}'
	[ "$(echo "$output" | jq -r .error)" = "permission denied" ]
	[ "$(status_of)" = created ]
}

@test "Start releases the app once; Wait answers when it exits" {
	burrow delete "$CID"
	spec_args true
	create_ctr
	run "$CTLCALL" "$CID" '{"method": "application.Start"}' '{"method": "application.Start"}'
	[ "$(echo "${lines[0]}" | jq -c .result)" = "{}" ]
	[ "$(echo "${lines[1]}" | jq -r .error)" = "cannot start an already running container" ]
	run burrow wait "$CID"
	[ "$(echo "$output" | jq .exitStatus)" -eq 0 ]
}

@test "Execute without stdio fds is refused" {
	run "$CTLCALL" "$CID" '{"method": "application.Execute", "params": {"process": {"args": ["true"], "cwd": "/", "user": {"uid": 0, "gid": 0}}}}'
	[[ "$(echo "$output" | jq -r .error)" == *"stdin, stdout and stderr must come with the request"* ]]
}

@test "Signal to a process outside the container is refused" {
	burrow start "$CID"
	sleep 1000 &
	outside=$!
	run "$CTLCALL" "$CID" "{\"method\": \"application.Signal\", \"params\": {\"signal\": 9, \"pid\": $outside}}"
	[[ "$(echo "$output" | jq -r .error)" == *"No such process"* ]]
	kill -0 "$outside"
	kill "$outside"
}
