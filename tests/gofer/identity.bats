#!/usr/bin/env bats
# Who files belong to: server, squash and multi-user modes; read-only.
load helpers

setup() {
	need_root
	setup_export
	chmod 1777 "$EXPORT"
	printf 'root only\n' >"$EXPORT/secret"
	chmod 0600 "$EXPORT/secret"
	printf 'for all\n' >"$EXPORT/public"
	chmod 0644 "$EXPORT/public"
}

teardown() {
	stop_gofer
}

@test "multi-user: a file created as uid 1000 is owned by 1000 on the host" {
	start_gofer unix --multi-user
	run "$PROBE" -u 1000 "$ADDR" put mine "data"
	[ "$status" -eq 0 ]
	[ "$(stat -c %u "$EXPORT/mine")" = 1000 ]
	run "$PROBE" -u 1000 "$ADDR" mkdir mydir
	[ "$(stat -c %u "$EXPORT/mydir")" = 1000 ]
}

@test "multi-user: uid 1000 cannot read a 0600 root file, root can" {
	start_gofer unix --multi-user
	run "$PROBE" -u 1000 "$ADDR" cat secret
	[ "$status" -eq 1 ]
	[ "$output" = "ERR EACCES" ]
	run "$PROBE" -u 1000 "$ADDR" cat public
	[ "$output" = "for all" ]
	run "$PROBE" -u 0 "$ADDR" cat secret
	[ "$output" = "root only" ]
}

@test "multi-user: uid 1000 cannot chmod a root file" {
	start_gofer unix --multi-user
	run "$PROBE" -u 1000 "$ADDR" chmod public 0666
	[ "$output" = "ERR EPERM" ]
	[ "$(stat -c %a "$EXPORT/public")" = 644 ]
}

@test "squash: every attach acts as one uid:gid" {
	start_gofer unix --squash 1234:4321
	run "$PROBE" -u 0 "$ADDR" put squashed "x"
	[ "$status" -eq 0 ]
	[ "$(stat -c %u:%g "$EXPORT/squashed")" = 1234:4321 ]
	run "$PROBE" -u 0 "$ADDR" cat secret
	[ "$output" = "ERR EACCES" ]
}

@test "server mode: creations belong to the attaching uid" {
	start_gofer unix
	run "$PROBE" -u 1000 "$ADDR" put given "x"
	[ "$status" -eq 0 ]
	[ "$(stat -c %u "$EXPORT/given")" = 1000 ]
}

@test "server mode: a write by a non-root caller clears setuid/setgid" {
	printf 'x' >"$EXPORT/suid"
	chown 1000 "$EXPORT/suid"
	chmod 6755 "$EXPORT/suid"
	start_gofer unix
	run "$PROBE" -u 1000 "$ADDR" append suid "more"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$EXPORT/suid")" = 755 ]
}

@test "multi-user: a write by the owner clears setuid (the kernel does)" {
	printf 'x' >"$EXPORT/suid"
	chown 1000 "$EXPORT/suid"
	chmod 4755 "$EXPORT/suid"
	start_gofer unix --multi-user
	run "$PROBE" -u 1000 "$ADDR" append suid "more"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$EXPORT/suid")" = 755 ]
}

@test "--ro: every mutation answers EROFS, reads work" {
	start_gofer unix --ro
	run "$PROBE" "$ADDR" cat public
	[ "$output" = "for all" ]
	for cmd in "put new x" "mkdir newdir" "rm public" "chmod public 0600" "append public x" \
		   "mknod fifo p"; do
		run "$PROBE" "$ADDR" $cmd
		[ "$output" = "ERR EROFS" ] || { echo "$cmd: $output"; false; }
	done
	[ ! -e "$EXPORT/new" ]
	[ "$(stat -c %a "$EXPORT/public")" = 644 ]
}
