#!/usr/bin/env bats
# cache=exclusive: the mount caches attrs, directory listings and absent
# xattrs, and corrects them on its own changes.  What a program sees must
# stay what the server has (checked on the export itself), and the caches
# must actually spare round trips (counted in burrow-gofer's --debug log).

load helpers

# 9P requests of type $1 logged since the log was last cut (after the
# mount's asynchronous forgets and writebacks have landed)
sent() { grep -c " <- $1 " "$T/server.log" || true; }
# Releases and forgets reach the server asynchronously (slowly under
# load): let them land before counting.
settle() { sleep 1; }
cut_log() { settle; : >"$T/server.log"; }

# |a - b| < 0.05 for two times in seconds with a fraction
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(d < 0.05 && d > -0.05) }'; }
# a > b, same form
later() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

# What this mount changes shows at once, as the server has it.  A
# directory's times after its own creates and unlinks are the mount's
# clock read just after the server's reply (no round trip to ask them):
# later than before, within a clock tick or so of the server's.
coherence() {
	local m=$T/mnt e=$T/export
	mkdir "$m/d"
	touch "$m/d/a" "$m/d/b"
	[ "$(ls "$m/d" | tr '\n' ' ')" = "a b " ]
	[ "$(ls "$m/d" | tr '\n' ' ')" = "a b " ]   # the kernel's cached listing
	touch "$m/d/c"
	rm "$m/d/a"
	mv "$m/d/b" "$m/d/z"
	[ "$(ls "$m/d" | tr '\n' ' ')" = "c z " ]

	# link counts: the cached ones follow link, unlink and rename over
	ln "$m/d/c" "$m/d/c2"
	[ "$(stat -c %h "$m/d/c")" = 2 ]
	rm "$m/d/c2"
	[ "$(stat -c %h "$m/d/c")" = 1 ]
	ln "$m/d/c" "$m/d/c3"
	touch "$m/d/w"
	mv "$m/d/w" "$m/d/c3"     # c3 was a name of c
	[ "$(stat -c %h "$m/d/c")" = "$(stat -c %h "$e/d/c")" ]
	[ "$(stat -c %h "$m/d/c")" = 1 ]
	exec 5<"$m/d/z"
	rm "$m/d/z"
	[ "$(stat -L -c %h /proc/self/fd/5)" = 0 ]
	exec 5<&-

	# a directory's times move with its entries; attrs set show as set
	local before
	before=$(stat -c %.9Y "$m/d")
	sleep 0.05
	touch "$m/d/new"
	later "$(stat -c %.9Y "$m/d")" "$before"
	near "$(stat -c %.9Y "$m/d")" "$(stat -c %.9Y "$e/d")"
	near "$(stat -c %.9Z "$m/d")" "$(stat -c %.9Z "$e/d")"
	before=$(stat -c %.9Y "$m/d")
	rm "$m/d/new"
	later "$(stat -c %.9Y "$m/d")" "$before"
	touch "$m/d/new"
	# link counts of directories follow mkdir and rmdir
	mkdir "$m/d/sub1" "$m/d/sub2"
	[ "$(stat -c %h "$m/d")" = "$(stat -c %h "$e/d")" ]
	rmdir "$m/d/sub1"
	[ "$(stat -c %h "$m/d")" = "$(stat -c %h "$e/d")" ]
	# everything but times and a directory's size is the server's
	for f in "$m/d" "$m/d/c" "$m/d/new" "$m/d/sub2"; do
		[ "$(stat -c '%f %u %g %h %b' "$f")" = "$(stat -c '%f %u %g %h %b' "$e/${f#"$m/"}")" ]
	done
	chmod 640 "$m/d/new"
	touch -m -d '2001-02-03 04:05:06' "$m/d/new"
	[ "$(stat -c %a.%Y "$m/d/new")" = "$(stat -c %a.%Y "$e/d/new")" ]
	[ "$(stat -c %a "$m/d/new")" = 640 ]

	# an absent xattr, once remembered, is still found after it is set
	run getfattr -n user.k "$m/d/new"
	[ "$status" -ne 0 ]
	run getfattr -n security.capability "$m/d/new"
	[ "$status" -ne 0 ]
	setfattr -n user.k -v v1 "$m/d/new"
	[ "$(getfattr --only-values -n user.k "$m/d/new")" = v1 ]
	[ "$(getfattr --only-values -n user.k "$e/d/new")" = v1 ]
	setfattr -x user.k "$m/d/new"
	run getfattr -n user.k "$m/d/new"
	[ "$status" -ne 0 ]
}

@test "gofer, cache=exclusive: the caches follow this mount's changes" {
	need_server gofer
	start_server gofer
	mount_fs cache=exclusive
	coherence
}

@test "diod, cache=exclusive: the caches follow this mount's changes" {
	need_server diod
	start_server diod
	mount_fs cache=exclusive
	coherence
}

@test "gofer, cache=exclusive: warm listings, stats and xattr checks cost no messages" {
	need_server gofer
	start_server gofer --debug
	mount_fs cache=exclusive
	local m=$T/mnt
	mkdir -p "$m/t/a" "$m/t/b"
	for i in 1 2 3 4 5 6 7 8; do
		echo "$i" >"$m/t/a/f$i"
		ln -s "f$i" "$m/t/b/l$i"
	done
	# the first listing reads the directories (their atime moves)
	ls -lR "$m/t" >/dev/null
	ls -lR "$m/t" >/dev/null
	cut_log
	ls -lR "$m/t" >/dev/null
	find "$m/t" >/dev/null
	settle
	[ "$(sent Twalk)" = 0 ]
	[ "$(sent Treaddir)" = 0 ]
	[ "$(sent Tlopen)" = 0 ]
	[ "$(sent Txattrwalk)" = 0 ]
	[ "$(sent Tgetattr)" = 0 ]
}

@test "gofer, cache=exclusive: unlink of a known file, create, write: no extra messages" {
	need_server gofer
	start_server gofer --debug
	mount_fs cache=exclusive
	local m=$T/mnt
	mkdir "$m/d"
	touch "$m/d/x"
	stat "$m/d/x" >/dev/null
	cut_log
	rm "$m/d/x"
	settle
	# the kernel's flush of the victim's times is answered from the cache
	[ "$(sent Tsetattr)" = 0 ]
	[ "$(sent Tunlinkat)" = 1 ]
	[ "$(sent Tgetattr)" -le 1 ]    # the directory's, for the permission check
	# a new file has no capabilities: writes do not ask
	cut_log
	echo data >"$m/d/y"
	echo more >>"$m/d/y"
	settle
	[ "$(sent Txattrwalk)" = 0 ]
	[ "$(cat "$T/export/d/y")" = "$(printf 'data\nmore')" ]
}

@test "gofer, cache=exclusive: creates in a directory made here: no lookups, no getattrs" {
	need_server gofer
	start_server gofer --debug
	mount_fs cache=exclusive
	local m=$T/mnt i
	mkdir "$m/n"
	# the first creates teach what the server makes of a new file
	for i in 1 2 3 4; do : >"$m/n/warm$i"; ln -s "warm$i" "$m/n/wl$i"; done
	cut_log
	for i in 1 2 3 4 5 6 7 8; do
		: >"$m/n/f$i"
		ln -s "f$i" "$m/n/l$i"
		stat "$m/n/f$i" "$m/n/l$i" >/dev/null
	done
	rm "$m/n/f1" "$m/n/l1"
	settle
	# per file: a clone and a walk (its open and inode fids), Tlcreate,
	# the clunk at close; per symlink: Tsymlink and a walk; no negative
	# lookup, no getattr of the new files or of the directory
	[ "$(sent Tgetattr)" = 0 ]
	[ "$(sent Twalk)" = 24 ]
	[ "$(sent Tlcreate)" = 8 ]
	[ "$(sent Tsymlink)" = 8 ]
	# the mount shows what the server has (times within a tick)
	for i in 2 3 4 5 6 7 8; do
		[ "$(stat -c '%f %u %g %s %h %b' "$m/n/f$i")" = "$(stat -c '%f %u %g %s %h %b' "$T/export/n/f$i")" ]
		[ "$(stat -c '%f %u %g %s %h %b' "$m/n/l$i")" = "$(stat -c '%f %u %g %s %h %b' "$T/export/n/l$i")" ]
		near "$(stat -c %.9Y "$m/n/f$i")" "$(stat -c %.9Y "$T/export/n/f$i")"
		near "$(stat -c %.9Y "$m/n/l$i")" "$(stat -c %.9Y "$T/export/n/l$i")"
	done
	# a name made, removed and made again; absent names stay absent
	[ ! -e "$m/n/f1" ]
	[ ! -e "$m/n/nothing" ]
	: >"$m/n/f1"
	[ -f "$m/n/f1" ] && [ -f "$T/export/n/f1" ]
	mv "$m/n/f1" "$m/n/moved"
	[ ! -e "$m/n/f1" ] && [ -f "$m/n/moved" ]
	ls "$m/n" | grep -qx moved
}

@test "gofer, cache=exclusive: read-only opens of a file opened before share one fid" {
	need_server gofer
	start_server gofer --debug
	mount_fs cache=exclusive
	local m=$T/mnt i
	printf 'one\n' >"$m/f"
	cat "$m/f" "$m/f" >/dev/null     # the second read-only open keeps its fid
	cut_log
	for i in 1 2 3 4 5 6; do
		[ "$(cat "$m/f")" = one ]
	done
	settle
	[ "$(sent Tlopen)" = 0 ]
	[ "$(sent Tclunk)" = 0 ]
	# sharers see what other opens write, and writers are not sharers
	exec 6<"$m/f"
	printf 'two\n' >"$m/f"
	[ "$(cat "$m/f")" = two ]
	[ "$(cat <&6)" = two ]
	exec 6<&-
	[ "$(cat "$T/export/f")" = two ]
	# flock between two read-only opens of the file still conflicts
	exec 7<"$m/f" 8<"$m/f"
	flock -n 7
	run flock -n 8
	[ "$status" -ne 0 ]
	exec 7<&- 8<&-
	# unmounting clunks it (the server's fid count is checked in failure.bats)
}

@test "gofer, cache=exclusive: one Tread/Twrite per MiB at the default msize" {
	need_server gofer
	GOFER_PLAIN=1 start_server gofer --debug
	mount_fs cache=exclusive
	cut_log
	# 16 MiB in whole-page pieces of at most 1 MiB - 24: 17 messages
	dd if=/dev/zero of="$T/mnt/big" bs=1M count=16 conv=fsync 2>/dev/null
	settle
	[ "$(sent Twrite)" -le 18 ]
	echo 3 >/proc/sys/vm/drop_caches
	cut_log
	dd if="$T/mnt/big" of=/dev/null bs=1M 2>/dev/null
	settle
	[ "$(sent Tread)" -le 18 ]
	cmp "$T/mnt/big" "$T/export/big"
}

# Names under $1, one per line, sorted ("." first), as find prints them.
names_under() { (cd "$1" && find . | LC_ALL=C sort); }

# the mount lists $1 (under mnt) as the export has it, every entry's
# d_ino and d_type right (fsprobe listing); then the server log settles
listed_as_export() {
	[ "$(names_under "$T/mnt/$1")" = "$(names_under "$T/export/$1")" ]
	run "$FSPROBE" listing "$T/mnt/$1"
	echo "$output"
	[ "$status" -eq 0 ]
	settle
}

@test "gofer, cache=exclusive: directories made here are listed without the server, as it has them" {
	need_server gofer
	start_server gofer --debug
	mount_fs cache=exclusive
	local m=$T/mnt e=$T/export i
	mkdir -p "$m/t/a/deep" "$m/t/b"
	for i in 1 2 3 4 5 6; do
		echo "$i" >"$m/t/a/f$i"
		ln -s "f$i" "$m/t/a/l$i"
	done
	mkfifo "$m/t/b/fifo"
	ln "$m/t/a/f1" "$m/t/b/hard"
	mv "$m/t/a/f2" "$m/t/a/f2.moved"          # within a directory
	mv "$m/t/a/f3" "$m/t/b/f3"                # across
	mv "$m/t/a/f4" "$m/t/a/f5"                # over another file
	rm "$m/t/a/l6"
	mv "$m/t/a/deep" "$m/t/b/deep"            # a directory changes parent
	touch "$m/t/b/deep/inside"
	cut_log
	listed_as_export t
	[ "$(sent Tlopen)" = 0 ]
	[ "$(sent Treaddir)" = 0 ]

	# a directory the mount did not make is asked, and one it moved a
	# file of unknown kind into is asked again
	mkdir "$e/outside"
	touch "$e/outside/x"
	mv "$m/outside/x" "$m/t/a/x"
	cut_log
	listed_as_export t
	[ "$(sent Treaddir)" -ge 1 ]
}

@test "gofer, cache=exclusive: directories are read without opens: one Tlopen a directory, none again" {
	need_server gofer
	local e=$T/export m=$T/mnt i
	# a tree the mount did not make: listed from the server
	for i in 1 2 3 4 5 6 7 8; do
		mkdir -p "$e/s/d$i/sub"
		touch "$e/s/d$i/f" "$e/s/d$i/sub/g"
	done
	start_server gofer --debug
	mount_fs cache=exclusive
	cut_log
	[ "$(names_under "$m/s")" = "$(names_under "$e/s")" ]
	settle
	# 17 directories, each opened once and kept for later listings
	[ "$(sent Tlopen)" = 17 ]
	[ "$(sent Tclunk)" = 0 ]
	# changes through the mount show, read again through the same fids
	touch "$m/s/d1/new"
	rm "$m/s/d2/f"
	rm "$m/s/d3/sub/g"
	rmdir "$m/s/d3/sub"
	cut_log
	listed_as_export s
	[ "$(sent Tlopen)" = 0 ]
	[ "$(sent Treaddir)" -ge 1 ]
	# a plain 9P2000.L server (no host-fd extension): directories are
	# opened as before, each listing its own open and clunk
	umount "$m"
	wait_for 5 proc_gone "$MOUNT_PID"
	GOFER_PLAIN=1 mount_fs cache=exclusive
	cut_log
	[ "$(names_under "$m/s")" = "$(names_under "$e/s")" ]
	settle
	[ "$(sent Tlopen)" = 16 ]       # one directory fewer now
	[ "$(sent Tclunk)" = 16 ]
}

# names, kinds, sizes, modes and link counts under $1 as the export has
# them, and every entry's d_ino and d_type right (listed_as_export)
attrs_as_export() {
	local list='%p %y %s %m %n\n'
	[ "$(cd "$T/mnt/$1" && find . -printf "$list" | LC_ALL=C sort)" = \
		"$(cd "$T/export/$1" && find . -printf "$list" | LC_ALL=C sort)" ]
	listed_as_export "$1"
}

@test "gofer, cache=exclusive: listings of files the kernel holds, or has forgotten, are right" {
	# (files the kernel holds are listed without an inode: it links
	# nothing, and looks a name up when it has no dentry for it)
	need_server gofer
	start_server gofer
	mount_fs cache=exclusive
	local m=$T/mnt i
	mkdir -p "$m/h/sub"
	for i in 1 2 3 4 5; do echo "$i" >"$m/h/f$i"; done
	ln -s f1 "$m/h/link"
	mkfifo "$m/h/fifo"
	ln "$m/h/f2" "$m/h/sub/hard"
	attrs_as_export h
	# the kernel forgets what it can (dentries and inodes dropped)
	sync
	echo 2 >/proc/sys/vm/drop_caches
	attrs_as_export h
	rm "$m/h/f2"                  # one name of a linked file
	mv "$m/h/f3" "$m/h/f4"        # over another file
	echo 2 >/proc/sys/vm/drop_caches
	attrs_as_export h
	[ "$(cat "$m/h/sub/hard")" = 2 ]
	[ "$(cat "$m/h/f4")" = 3 ]
	[ "$(readlink "$m/h/link")" = f1 ]
}
