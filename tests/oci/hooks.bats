#!/usr/bin/env bats
# OCI hooks run by create, start, delete and run: the state on stdin, args,
# env, timeouts; a failing hook fails the operation with one line and
# cleans up (poststart and poststop only warn).

load helpers

setup() {
	oci_setup
	HOOKLOG="$BATS_TEST_TMPDIR/hooks.log"
	# host hooks: record "<name> <status> <args...> <env HOOKENV>" and the state
	cat >"$BATS_TEST_TMPDIR/hook.sh" <<-'SH'
	#!/bin/sh
	log=$1; name=$2; shift 2
	state=$(cat)
	echo "$name $(echo "$state" | jq -r .status) $* env=$HOOKENV" >>"$log"
	echo "$state" >"$log.$name.json"
	SH
	chmod +x "$BATS_TEST_TMPDIR/hook.sh"
	# createContainer: a host program run in the container's namespaces
	cat >"$BATS_TEST_TMPDIR/in-ctr.sh" <<-'SH'
	#!/bin/sh
	cat >/dev/shm/createContainer.json
	hostname >/dev/shm/createContainer.host
	SH
	chmod +x "$BATS_TEST_TMPDIR/in-ctr.sh"
	# startContainer: a program of the container's own root
	mkdir -p "$ROOTFS/hooks"
	printf '#!/bin/sh\ncat >/dev/shm/startContainer.json\n' >"$ROOTFS/hooks/start.sh"
	chmod +x "$ROOTFS/hooks/start.sh"
}
teardown() { oci_teardown; }

# hook NAME [extra jq for the hook object]
host_hook() {
	local kind=$1 extra=${2:-}
	spec_edit --arg p "$BATS_TEST_TMPDIR/hook.sh" --arg l "$HOOKLOG" --arg k "$kind" \
		".hooks[\$k] += [{\"path\": \$p, \"args\": [\"hook.sh\", \$l, \$k, \"a1\"], \"env\": [\"HOOKENV=\" + \$k]} $extra]"
}

@test "all hooks run in order with the state, args and env; in-container ones inside" {
	spec_args sh -c 'sleep 1000'
	host_hook prestart
	host_hook createRuntime
	spec_edit --arg p "$BATS_TEST_TMPDIR/in-ctr.sh" '.hooks.createContainer = [{"path": $p}]'
	spec_edit '.hooks.startContainer = [{"path": "/hooks/start.sh"}]'
	host_hook poststart
	host_hook poststop
	create_ctr
	app=$(burrow state "$CID" | jq .pid)
	[ "$(cat "$HOOKLOG")" = "$(printf '%s\n' 'prestart creating a1 env=prestart' 'createRuntime creating a1 env=createRuntime')" ]
	[ "$(jq -r .id "$HOOKLOG.createRuntime.json")" = "$CID" ]
	[ "$(jq -r .pid "$HOOKLOG.createRuntime.json")" = "$app" ]
	[ "$(jq -r .bundle "$HOOKLOG.createRuntime.json")" = "$(realpath "$BUNDLE")" ]
	# createContainer ran in the container's namespaces (its hostname, its /dev/shm)
	[ "$(cat /proc/"$app"/root/dev/shm/createContainer.host)" = burrow ]
	[ "$(jq -r .id /proc/"$app"/root/dev/shm/createContainer.json)" = "$CID" ]
	[ ! -e /proc/"$app"/root/dev/shm/startContainer.json ]
	burrow start "$CID"
	[ "$(jq -r .status /proc/"$app"/root/dev/shm/startContainer.json)" = created ]
	[ "$(tail -1 "$HOOKLOG")" = "poststart running a1 env=poststart" ]
	burrow delete --force "$CID"
	[ "$(tail -1 "$HOOKLOG")" = "poststop stopped a1 env=poststop" ]
}

@test "a failing createRuntime hook fails create: one line, nothing left" {
	spec_edit '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "echo nope >&2; exit 3"]}]'
	run burrow create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$CID"
	assert_one_line_error "createRuntime hook #0 (/bin/sh) exited with status 3: nope"
	[ ! -e "$STATE_ROOT/$CID" ]
	[ ! -e "$BATS_TEST_TMPDIR/pid" ]
}

@test "a failing createContainer hook fails create" {
	# a static program: the container has no host libraries
	spec_edit '.hooks.createContainer = [{"path": "/bin/busybox", "args": ["false"]}]'
	run burrow create --bundle "$BUNDLE" "$CID"
	assert_one_line_error "createContainer hook #0 (/bin/busybox) exited with status 1"
	[ ! -e "$STATE_ROOT/$CID" ]
}

@test "a hook past its timeout is killed and fails create" {
	spec_edit '.hooks.prestart = [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]'
	SECONDS=0
	run burrow create --bundle "$BUNDLE" "$CID"
	assert_one_line_error "prestart hook #0 (/bin/sleep) timed out after 1 s"
	[ "$SECONDS" -lt 10 ]
	[ ! -e "$STATE_ROOT/$CID" ]
	! pgrep -f "^sleep 30$" -P $$ >/dev/null
}

@test "a failing startContainer hook fails start and stops the container" {
	spec_edit '.hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 2"]}]'
	spec_args sh -c 'echo app-ran; sleep 1000'
	create_ctr
	run burrow start "$CID"
	assert_one_line_error "startContainer hook #0 (/bin/sh) exited with status 2"
	wait_for status_is stopped
	! grep -q app-ran "$BATS_TEST_TMPDIR/$CID.out"
	burrow delete "$CID"
}

@test "poststart and poststop failures only warn" {
	spec_edit '.hooks.poststart = [{"path": "/bin/false"}] | .hooks.poststop = [{"path": "/bin/false"}]'
	create_ctr
	run burrow start "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"poststart hook #0 (/bin/false) exited with status 1"* ]]
	[ "$(status_of)" = running ]
	run burrow delete --force "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"poststop hook #0"* ]]
	[ ! -e "$STATE_ROOT/$CID" ]
}

@test "run runs every hook in order: create's, start's, then poststop once the app exits" {
	spec_args sh -c 'cat /dev/shm/startContainer.json >/dev/null && echo app-ran'
	host_hook prestart
	host_hook createRuntime
	spec_edit --arg p "$BATS_TEST_TMPDIR/in-ctr.sh" '.hooks.createContainer = [{"path": $p}]'
	spec_edit '.hooks.startContainer = [{"path": "/hooks/start.sh"}]'
	host_hook poststart
	host_hook poststop
	run burrow run --bundle "$BUNDLE" "$CID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	# the app saw what startContainer wrote inside before it was released
	[[ "$output" == *app-ran* ]]
	[ "$(cat "$HOOKLOG")" = "$(printf '%s\n' 'prestart creating a1 env=prestart' \
		'createRuntime creating a1 env=createRuntime' 'poststart running a1 env=poststart' \
		'poststop stopped a1 env=poststop')" ]
	[ "$(jq -r .id "$HOOKLOG.poststop.json")" = "$CID" ]
	[ ! -e "$STATE_ROOT/$CID" ]
}

@test "run: a failing createRuntime hook fails it with one line, the app never runs" {
	spec_args sh -c 'echo app-ran'
	spec_edit '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "echo nope >&2; exit 3"]}]'
	run burrow run --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$CID" </dev/null
	assert_one_line_error "createRuntime hook #0 (/bin/sh) exited with status 3: nope"
	[ ! -e "$STATE_ROOT/$CID" ]
	[ ! -e "$BATS_TEST_TMPDIR/pid" ]
}
