#!/usr/bin/env bats
# burrow-sentry mount: file operations through the mount against diod and
# burrow-gofer, checked on the server's side of the export.

load helpers

# ---- the command line ----

@test "mount: --help, --version and usage errors" {
	run "$SENTRY" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"burrow-sentry mount"* ]]
	run "$SENTRY" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "burrow-sentry "* ]]
	run "$SENTRY" mount unix:/nonexistent
	[ "$status" -eq 2 ]
	run "$SENTRY" mount -o bogus=1 unix:/x "$T/mnt"
	[ "$status" -eq 2 ]
	[[ "$output" == *"bad option 'bogus'"* ]]
	run "$SENTRY" mount -o cache=sometimes unix:/x "$T/mnt"
	[ "$status" -eq 2 ]
	run "$SENTRY" mount -o msize=100 unix:/x "$T/mnt"
	[ "$status" -eq 2 ]
	run "$SENTRY" frobnicate
	[ "$status" -eq 2 ]
}

@test "mount: no server: exit 1, nothing mounted" {
	run "$SENTRY" mount "unix:$T/none.sock" "$T/mnt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot connect"* ]]
	! mounted
}

@test "mount: daemonizes once mounted; umount ends it with status 0" {
	need_server gofer
	start_server gofer
	run "$SENTRY" mount "unix:$SOCK" "$T/mnt"
	[ "$status" -eq 0 ]
	mounted
	grep -q " $T/mnt fuse.burrow " /proc/mounts
	pid=$(pgrep -f "mount unix:$SOCK $T/mnt")
	[ -n "$pid" ]
	umount "$T/mnt"
	wait_for 5 proc_gone "$pid"
}

@test "mount: SIGTERM unmounts cleanly and exits 0" {
	need_server gofer
	start_server gofer
	mount_fs
	echo data >"$T/mnt/f"
	kill -TERM "$MOUNT_PID"
	wait_for 5 proc_gone "$MOUNT_PID"
	run wait "$MOUNT_PID"
	[ "$status" -eq 0 ]
	MOUNT_PID=
	! mounted
	[ "$(cat "$T/export/f")" = data ]
}

# ---- file operations, on each server ----

basic_ops() {
	local m=$T/mnt e=$T/export
	echo hello >"$m/a"
	[ "$(cat "$e/a")" = hello ]
	echo world >>"$m/a"
	[ "$(cat "$m/a")" = "$(printf 'hello\nworld')" ]
	mkdir "$m/d" "$m/d/sub"
	[ -d "$e/d/sub" ]
	mv "$m/a" "$m/d/b"
	[ ! -e "$e/a" ] && [ -f "$e/d/b" ]
	ln "$m/d/b" "$m/hard"
	[ "$(stat -c %h "$m/hard")" = 2 ]
	[ "$(stat -c %i "$m/hard")" = "$(stat -c %i "$m/d/b")" ]
	ln -s d/b "$m/sym"
	[ "$(readlink "$m/sym")" = d/b ]
	[ "$(readlink "$e/sym")" = d/b ]
	[ "$(cat "$m/sym")" = "$(cat "$e/d/b")" ]
	chmod 0640 "$m/hard"
	[ "$(stat -c %a "$e/d/b")" = 640 ]
	touch -d '2001-02-03 04:05:06.123456789' "$m/hard"
	[ "$(stat -c %y "$e/hard")" = "2001-02-03 04:05:06.123456789 +0000" ]
	truncate -s 3 "$m/hard"
	[ "$(stat -c %s "$e/d/b")" = 3 ]
	mkfifo "$m/fifo"
	[ -p "$e/fifo" ]
	rm "$m/hard" "$m/sym" "$m/fifo"
	[ "$(stat -c %h "$m/d/b")" = 1 ]
	run rmdir "$m/d"
	[ "$status" -ne 0 ]          # not empty
	rm -r "$m/d"
	[ -z "$(ls -A "$e")" ]
	run cat "$m/missing"
	[ "$status" -ne 0 ]
	[[ "$output" == *"No such file"* ]]
	mkdir "$m/x" && run mv "$m/x" "$m/x/y"
	[ "$status" -ne 0 ]          # into itself
	rmdir "$m/x"
	df "$m" >/dev/null
}

big_file() {
	head -c 33554432 /dev/urandom >"$T/src"
	cp "$T/src" "$T/mnt/big"
	cmp "$T/src" "$T/export/big"
	cmp "$T/src" "$T/mnt/big"
	# and the other way round: written on the server, read through FUSE
	head -c 5000001 /dev/urandom >"$T/export/big2"
	cmp "$T/export/big2" "$T/mnt/big2"
}

many_entries() {
	mkdir "$T/export/many"
	(cd "$T/export/many" && seq 1 2000 | xargs touch)
	[ "$(ls "$T/mnt/many" | wc -l)" = 2000 ]
	[ "$(ls "$T/mnt/many" | sort -u | wc -l)" = 2000 ]
	[ "$(ls -l "$T/mnt/many" | grep -c '^-')" = 2000 ]   # readdirplus
	[ "$(find "$T/mnt/many" -type f | wc -l)" = 2000 ]
	rm -r "$T/mnt/many"
	[ ! -e "$T/export/many" ]
}

@test "diod: basic file operations" {
	need_server diod
	start_server diod
	mount_fs
	basic_ops
}

@test "gofer: basic file operations" {
	need_server gofer
	start_server gofer
	mount_fs
	basic_ops
}

@test "gofer: basic file operations, cache=shared" {
	need_server gofer
	start_server gofer
	mount_fs cache=shared
	basic_ops
}

@test "diod: 32 MiB file both ways" {
	need_server diod
	start_server diod
	mount_fs
	big_file
}

@test "gofer: 32 MiB file both ways, small msize (split I/O)" {
	need_server gofer
	start_server gofer
	mount_fs msize=8192
	big_file
}

@test "gofer: 32 MiB file both ways" {
	need_server gofer
	start_server gofer
	mount_fs
	big_file
}

@test "diod: 2000 directory entries" {
	need_server diod
	start_server diod
	mount_fs
	many_entries
}

@test "gofer: 2000 directory entries, small msize" {
	need_server gofer
	start_server gofer
	mount_fs msize=4096
	many_entries
}

# Each inode the mount holds is a fid, and burrow-gofer holds an fd per
# fid: a walk of more files than the server may have fds needs the mount
# to let go of old ones (max_inodes).  $1: mount options.
walk_more_than_fds() {
	local e=$T/export m=$T/mnt i j
	for i in $(seq 12); do
		mkdir "$e/d$i"
		for j in $(seq 100); do echo "$i.$j" >"$e/d$i/f$j"; done
	done
	start_server gofer
	prlimit --pid "$SERVER_PID" --nofile=600:600
	mount_fs "$1"
	# stat every file (find -size), then read every one, twice over
	[ "$(find "$m" -type f -size -2k | wc -l)" = 1200 ]
	[ "$(cat "$m"/d*/f* | sort | md5sum)" = "$(cat "$e"/d*/f* | sort | md5sum)" ]
	[ "$(find "$m" -type f -size -2k | wc -l)" = 1200 ]
	for i in $(seq 12); do echo "new $i" >"$m/d$i/made-here"; done
	[ "$(cat "$m"/d*/made-here | wc -l)" = 12 ]
	# one directory of 3,000 files made here, listed at once (busybox's
	# ls, as a sandbox's shell has it: its listing reads on while each
	# entry is stat'ed): the listing must not take an inode per name
	mkdir "$m/many"
	for j in $(seq 3000); do echo "$j" >"$m/many/f$j"; done
	[ "$(busybox ls "$m/many" | wc -l)" = 3000 ]
	[ "$(ls "$m/many" | wc -l)" = 3000 ]
	[ "$(ls -l "$m/many" | grep -c "^-")" = 3000 ]
	[ "$(cat "$m"/many/* | wc -l)" = 3000 ]
	wait_for 5 server_fds_at_most 400 || { echo "server fds: $(server_fds)"; false; }
}

@test "gofer: a walk of more files than the server has fds for works (max_inodes)" {
	need_server gofer
	walk_more_than_fds max_inodes=300
	# a mount with no bound: the server runs out
	umount "$T/mnt"
	wait_for 5 proc_gone "$MOUNT_PID"
	kill "$SERVER_PID"
	wait_for 5 proc_gone "$SERVER_PID"
	rm -rf "${T:?}"/export/*
	run walk_more_than_fds max_inodes=0
	echo "$output"
	# run's subshell started that server and mount: teardown cannot see them
	umount "$T/mnt" 2>/dev/null || true
	pkill -f "unix:$T/9p.sock" || true
	[ "$status" -ne 0 ]
	[[ "$output" == *"Too many open files"* ]]
}

@test "gofer: xattrs, locks, O_APPEND, open-unlinked, mmap (fsprobe)" {
	need_server gofer
	start_server gofer
	mount_fs
	run "$FSPROBE" all "$T/mnt"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "diod: xattrs, locks, O_APPEND, mmap (fsprobe)" {
	need_server diod
	start_server diod
	mount_fs
	# diod: an empty xattr value removes it, F_GETLK never reports a
	# conflict and fids are paths (open-unlinked I/O fails): not checked
	for c in xattr posixlock flock lockintr append mmap; do
		run "$FSPROBE" "$c" "$T/mnt"
		echo "$output"
		[ "$status" -eq 0 ]
	done
}

@test "gofer: ro mount refuses changes, reads work" {
	need_server gofer
	start_server gofer
	echo x >"$T/export/f"
	mount_fs ro
	[ "$(cat "$T/mnt/f")" = x ]
	run sh -c "echo y > '$T/mnt/f'"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	run mkdir "$T/mnt/d"
	[[ "$output" == *"Read-only file system"* ]]
	[ "$(cat "$T/export/f")" = x ]
}

@test "gofer: cache=shared sees changes made on the server" {
	need_server gofer
	start_server gofer
	echo one >"$T/export/f"
	mount_fs cache=shared
	[ "$(cat "$T/mnt/f")" = one ]
	echo two-two >"$T/export/f"
	touch "$T/export/new"
	sleep 1.5
	[ "$(cat "$T/mnt/f")" = two-two ]
	[ -e "$T/mnt/new" ]
}

@test "gofer: files created by another user belong to them" {
	need_server gofer
	start_server gofer
	mount_fs
	chmod 755 "$T"
	chmod 1777 "$T/mnt"
	run setpriv --reuid=4242 --regid=4343 --clear-groups sh -c \
		"echo x > '$T/mnt/u' && mkdir '$T/mnt/ud' && ln -s t '$T/mnt/us' && chmod 600 '$T/mnt/u'"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(stat -c %u:%g "$T/export/u")" = 4242:4343 ]
	[ "$(stat -c %u:%g "$T/export/ud")" = 4242:4343 ]
	[ "$(stat -c %a "$T/export/u")" = 600 ]
	# and the kernel checks permissions against them
	run setpriv --reuid=4444 --regid=4444 --clear-groups cat "$T/mnt/u"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Permission denied"* ]]
}

@test "gofer: setgid directory passes its group on" {
	need_server gofer
	start_server gofer
	mount_fs
	mkdir "$T/mnt/g"
	chown 0:4545 "$T/mnt/g"
	chmod 2775 "$T/mnt/g"
	touch "$T/mnt/g/f"
	mkdir "$T/mnt/g/sub"
	[ "$(stat -c %g "$T/export/g/f")" = 4545 ]
	[ "$(stat -c %g "$T/export/g/sub")" = 4545 ]
	[ "$(stat -c %A "$T/export/g/sub" | cut -c7)" = s ]
}
