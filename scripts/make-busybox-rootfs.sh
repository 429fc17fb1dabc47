#!/bin/bash
# make-busybox-rootfs.sh DIR: a minimal root filesystem from Debian's
# busybox-static (one static binary plus its applet links).
set -euo pipefail
dir=${1:?usage: make-busybox-rootfs.sh DIR}
bb=/bin/busybox
[ -x "$bb" ] || { echo "busybox not found: apt-get install busybox-static" >&2; exit 1; }
if ldd "$bb" >/dev/null 2>&1; then
	echo "$bb is not static: apt-get install busybox-static" >&2; exit 1
fi
mkdir -p "$dir"/{bin,sbin,etc,proc,sys,dev,tmp,root,home,var/tmp,usr/bin,usr/sbin,run}
chmod 1777 "$dir/tmp" "$dir/var/tmp"
cp "$bb" "$dir/bin/busybox"
for applet in $("$bb" --list); do
	[ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/sh\n' >"$dir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
echo burrow >"$dir/etc/hostname"
