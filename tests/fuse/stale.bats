#!/usr/bin/env bats
# Stale fids: on a server whose fids are paths (Debian's diod), an inode's
# fid can come to name another file once a name is renamed over or
# unlinked and reused.  The mount must then give the right file or an
# error (ESTALE), never the other file's data, and must never change the
# other file.  burrow-gofer (fids hold the file) must still give the right
# file every time.  Changes are checked on the server's side, where no
# cache can hide them.

load helpers

# mode and content of a file of the export
server_file() { echo "$(stat -c %a "$T/export/$1") $(cat "$T/export/$1")"; }

# b is renamed over while c, its other link, stays: c keeps its data, and
# a chmod through c changes c's file only
renamed_over_target() {
	local m=$T/mnt
	echo new >"$m/a" && echo old >"$m/b" && chmod 644 "$m/a" "$m/b"
	ln "$m/b" "$m/c"
	mv "$m/a" "$m/b"
	run cat "$m/c"
	[ "$status" -eq 0 ]
	[ "$output" = old ]
	[ "$(cat "$m/b")" = new ]
	chmod 600 "$m/c"
	[ "$(server_file b)" = "644 new" ]
	[ "$(server_file c)" = "600 old" ]
}

# the same, the new link renamed over: b keeps its data
renamed_over_link() {
	local m=$T/mnt
	echo new >"$m/a" && echo old >"$m/b" && chmod 644 "$m/a" "$m/b"
	ln "$m/b" "$m/c"
	mv "$m/a" "$m/c"
	run cat "$m/b"
	[ "$status" -eq 0 ]
	[ "$output" = old ]
	[ "$(cat "$m/c")" = new ]
	chmod 600 "$m/b"
	[ "$(server_file c)" = "644 new" ]
	[ "$(server_file b)" = "600 old" ]
}

# link then unlink, each name in turn: the file stays whole through the
# name left (no error either, not even at close)
linked_then_unlinked() {
	local m=$T/mnt
	echo old >"$m/b" && ln "$m/b" "$m/c" && rm "$m/c"
	run cat "$m/b"
	[ "$status" -eq 0 ]
	[ "$output" = old ]
	chmod 600 "$m/b"
	[ "$(server_file b)" = "600 old" ]
	echo two >"$m/d" && ln "$m/d" "$m/e" && rm "$m/d"
	run cat "$m/e"
	[ "$status" -eq 0 ]
	[ "$output" = two ]
	chmod 600 "$m/e"
	[ "$(server_file e)" = "600 two" ]
}

# an open file unlinked, its name given to a new file: fstat, fchmod,
# ftruncate and futimens of the old descriptor leave the new file alone
name_reused() {
	run "$FSPROBE" replaced "$T/mnt"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(server_file replaced)" = "644 new" ]
	# futimens(0) must not have reached it either
	[ "$(stat -c %Y "$T/export/replaced")" -gt 0 ]
}

# a file the kernel still knows ("old", looked up) is removed behind the
# mount, and the export's file system gives its inode number to a file
# made through the mount: the name "old" must not reach the new file (the
# mount gave it the old file's inode, the kernel's cached one, before)
number_reused() {
	local m=$T/mnt e=$T/export i n=
	echo old >"$m/old"
	stat "$m/old" >/dev/null
	local ino
	ino=$(stat -c %i "$e/old")
	rm "$e/old"
	for i in $(seq 64); do
		echo "new$i" >"$m/new$i"
		if [ "$(stat -c %i "$e/new$i")" = "$ino" ]; then
			n=$i
			break
		fi
	done
	[ -n "$n" ] || skip "the export's file system gave the number to no new file"
	chmod 644 "$m/new$n"
	run cat "$m/old"
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$output" != "new$n" ]
	run chmod 600 "$m/old"
	[ "$status" -ne 0 ]
	[ "$(server_file "new$n")" = "644 new$n" ]
	[ "$(cat "$m/new$n")" = "new$n" ]
}

@test "diod: a file renamed over keeps its other link's data and mode" {
	need_server diod
	start_server diod
	mount_fs
	renamed_over_target
}

@test "diod, cache=shared: a file renamed over keeps its other link's data and mode" {
	need_server diod
	start_server diod
	mount_fs cache=shared
	renamed_over_target
}

@test "diod: a new link renamed over leaves the first name's data and mode" {
	need_server diod
	start_server diod
	mount_fs
	renamed_over_link
}

@test "diod, cache=shared: a new link renamed over leaves the first name's data and mode" {
	need_server diod
	start_server diod
	mount_fs cache=shared
	renamed_over_link
}

@test "diod: link then unlink either name: the other reaches the file" {
	need_server diod
	start_server diod
	mount_fs
	linked_then_unlinked
}

@test "diod, cache=shared: link then unlink either name: the other reaches the file" {
	need_server diod
	start_server diod
	mount_fs cache=shared
	linked_then_unlinked
}

@test "diod: calls on an open file whose name was reused never reach the new file" {
	need_server diod
	start_server diod
	mount_fs
	name_reused
}

@test "diod, cache=shared: calls on an open file whose name was reused never reach the new file" {
	need_server diod
	start_server diod
	mount_fs cache=shared
	name_reused
}

@test "diod: a file removed behind the mount, its inode number reused: the old name never reaches the new file" {
	need_server diod
	start_server diod
	mount_fs
	number_reused
}

@test "gofer: renames over and unlinks of linked files, both cache modes" {
	need_server gofer
	start_server gofer
	mount_fs
	renamed_over_target
	rm -f "$T"/mnt/*
	renamed_over_link
	rm -f "$T"/mnt/*
	linked_then_unlinked
	umount "$T/mnt"
	wait_for 5 proc_gone "$MOUNT_PID"
	mount_fs cache=shared
	rm -f "$T"/mnt/*
	renamed_over_target
	rm -f "$T"/mnt/*
	renamed_over_link
	rm -f "$T"/mnt/*
	linked_then_unlinked
}

@test "gofer: an open file whose name was reused, both cache modes" {
	need_server gofer
	start_server gofer
	mount_fs
	name_reused
	umount "$T/mnt"
	wait_for 5 proc_gone "$MOUNT_PID"
	rm -f "$T/export/replaced"
	mount_fs cache=shared
	name_reused
}

@test "gofer, cache=shared: fstat, fchmod, ftruncate of an open unlinked file (fsprobe)" {
	need_server gofer
	start_server gofer
	mount_fs cache=shared
	run "$FSPROBE" unlinked "$T/mnt"
	echo "$output"
	[ "$status" -eq 0 ]
}
