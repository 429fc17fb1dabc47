#!/usr/bin/env bats
# cache=exclusive: the mount caches attrs, directory listings and absent
# xattrs, and corrects them on its own changes.  What a program sees must
# stay what the server has (checked on the export itself), and the caches
# must actually spare round trips (counted in burrow-gofer's --debug log).

load helpers

# 9P requests of type $1 logged since the log was last cut (after the
# mount's asynchronous forgets and writebacks have landed)
sent() { grep -c " <- $1 " "$T/server.log" || true; }
settle() { sleep 0.3; }
cut_log() { settle; : >"$T/server.log"; }

# What this mount changes shows at once, as the server has it.
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
	before=$(stat -c %y "$m/d")
	sleep 0.05
	touch "$m/d/new"
	[ "$(stat -c %y "$m/d")" != "$before" ]
	[ "$(stat -c %y "$m/d")" = "$(stat -c %y "$e/d")" ]
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

@test "gofer, cache=exclusive: one Tread/Twrite per MiB at the default msize" {
	need_server gofer
	start_server gofer --debug
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
