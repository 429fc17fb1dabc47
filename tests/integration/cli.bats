#!/usr/bin/env bats
# burrow's command line: spec, bad config.json, ids, detach.  The file
# access mode does not matter here (proxy, the default).

MODE=proxy
load "${BURROW_SRCDIR:-$BATS_TEST_DIRNAME/../..}/tests/integration/helpers"

setup() { common_setup; }
teardown() { common_teardown; }

@test "spec writes runc's default config.json, and refuses to overwrite it" {
	local d="$BATS_TEST_TMPDIR/specdir"
	mkdir -p "$d"
	run "$BURROW" spec --bundle "$d"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.process.args[0]' "$d/config.json")" = sh ]
	[ "$(jq -r .process.terminal "$d/config.json")" = true ]
	[ "$(jq -r .root.path "$d/config.json")" = rootfs ]
	[ "$(jq -c '[.mounts[].destination]' "$d/config.json")" = '["/proc","/dev","/dev/pts","/dev/shm","/dev/mqueue","/sys"]' ]
	[ "$(jq -c .process.capabilities.bounding "$d/config.json")" = '["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]' ]
	jq -e '.linux.maskedPaths | index("/proc/kcore")' "$d/config.json"
	jq -e '.linux.readonlyPaths | index("/proc/sys")' "$d/config.json"
	run "$BURROW" spec --bundle "$d"
	[ "$status" -eq 1 ]
	[[ "$output" == *exists* ]]
}

# bad_config JQ FIELD-TEXT: the error names the field, exit 1, nothing started.
bad_config() {
	spec_edit "$1"
	run burrow run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$2"* ]]
	[ "$(echo "$output" | wc -l)" -eq 1 ]
	[ ! -e "$STATE_ROOT/$CID" ]
	! pgrep -f -- "$STATE_ROOT/$CID"
}

@test "bad config: process.args empty" {
	bad_config '.process.args = []' "config.json: process.args: must be a non-empty array of strings"
}

@test "bad config: process.args not strings" {
	bad_config '.process.args = ["sh", 3]' "config.json: process.args[1]: must be a string"
}

@test "bad config: a relative mount destination" {
	bad_config '.mounts[2].destination = "dev/pts"' "config.json: mounts[2].destination: must be an absolute path"
}

@test "bad config: unknown namespace type" {
	bad_config '.linux.namespaces[1].type = "netz"' 'config.json: linux.namespaces[1].type: unknown namespace type "netz"'
}

@test "bad config: unknown capability" {
	bad_config '.process.capabilities.effective += ["CAP_FLY"]' 'config.json: process.capabilities.effective[3]: unknown capability "CAP_FLY"'
}

@test "bad config: rlimit soft above hard" {
	bad_config '.process.rlimits = [{"type":"RLIMIT_NOFILE","soft":10,"hard":5}]' "config.json: process.rlimits[0]: soft limit above the hard limit"
}

@test "bad config: seccomp action" {
	bad_config '.linux.seccomp = {"defaultAction":"SCMP_ACT_MAYBE"}' 'config.json: linux.seccomp.defaultAction: unknown action "SCMP_ACT_MAYBE"'
}

@test "bad config: missing ociVersion, not JSON, uid not a number" {
	bad_config 'del(.ociVersion)' "config.json: ociVersion: missing"
	echo '{"ociVersion": ' >"$BUNDLE/config.json"
	run burrow run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ "$output" == *"config.json: invalid JSON at line"* ]]
	rm "$BUNDLE/config.json"
	make_bundle
	bad_config '.process.user.uid = "root"' "config.json: process.user.uid: must be a non-negative integer"
}

@test "bad config: a missing rootfs" {
	rm "$BUNDLE/rootfs"
	run burrow run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ "$output" == *"root.path"* ]]
	[ ! -e "$STATE_ROOT/$CID" ]
}

@test "bad config: the program is not in the rootfs" {
	spec_args no-such-program
	run burrow run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ "$output" == *'exec: "no-such-program": executable file not found in $PATH'* ]]
}

@test "a detached terminal without a console socket is refused before anything starts" {
	spec_edit '.process.terminal = true'
	run burrow run --detach --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ "$output" == *"process.terminal"*"--console-socket"* ]]
	[ ! -e "$STATE_ROOT/$CID" ]
}

@test "a capability this host's root lacks is named before the app starts" {
	local eff
	eff=$(sed -n 's/^CapEff:\t//p' /proc/self/status)
	(( (16#$eff >> 24) & 1 )) && skip "this host's root has CAP_SYS_RESOURCE"
	spec_edit '.process.capabilities.permitted += ["CAP_SYS_RESOURCE"] | .process.capabilities.bounding += ["CAP_SYS_RESOURCE"]'
	spec_args true
	run burrow run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ "$output" == *"process.capabilities: CAP_SYS_RESOURCE is not available to burrow on this host"* ]]
}

@test "invalid container ids are refused" {
	for id in "" "a/b" ".." "a b"; do
		run burrow run --bundle "$BUNDLE" "$id"
		[ "$status" -eq 1 ]
	done
}

@test "run --detach returns at once; the pid file holds the sentry" {
	spec_args sleep 3
	# not under `run`: the app keeps the output pipe open
	burrow run --detach --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$CID" \
		>"$BATS_TEST_TMPDIR/out" 2>&1
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	grep -q "burrow-sentry" "/proc/$pid/cmdline"
	[ "$(jq -r .status "$STATE_ROOT/$CID/state.json")" = running ]
	wait_for sh -c "! kill -0 $pid 2>/dev/null"
	# burrow delete (the lifecycle commands) removes what a detached
	# container leaves; until then, by hand
	rm -rf "${STATE_ROOT:?}/$CID"
	rmdir /sys/fs/cgroup/*/burrow/"$CID" /sys/fs/cgroup/burrow/"$CID" 2>/dev/null || true
}

@test "--log-format json writes runc's log lines" {
	spec_args sh -c 'exit 0'
	run "$BURROW" --root "$STATE_ROOT" --log "$BATS_TEST_TMPDIR/log" --log-format json --debug \
		run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ -s "$BATS_TEST_TMPDIR/log" ]
	while read -r line; do
		jq -e '.level and .msg and .time' <<<"$line" >/dev/null
	done <"$BATS_TEST_TMPDIR/log"
}
