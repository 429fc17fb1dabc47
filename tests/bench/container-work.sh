#!/bin/sh
# Runs INSIDE the container (busybox sh), copied to the rootfs by
# startup.sh: a file-heavy workload in /work, one line per phase:
#   phase NAME SECONDS
# Times come from /proc/uptime (10 ms steps; busybox date has no %N).
#   container-work.sh FILES COPIES DD_MIB FORKS
set -e
FILES=$1 COPIES=$2 DD_MIB=$3 FORKS=$4
W=/work

phase() {
	read -r now _ </proc/uptime
	echo "phase $1 $(awk -v a="$t" -v b="$now" 'BEGIN { printf "%.2f", b - a }')"
	read -r t _ </proc/uptime   # awk's fork+exec is not the next phase's
}

rm -rf "$W"
mkdir -p "$W/files" "$W/tarcopy"
cd "$W/files"
read -r t _ </proc/uptime

i=0
while [ "$i" -lt "$FILES" ]; do
	: >"f$i"
	i=$((i + 1))
done
phase create

i=0
while [ "$i" -lt "$COPIES" ]; do
	cp -a /bin "$W/cp$i"
	i=$((i + 1))
done
phase cp-a

find "$W" >/dev/null
phase find

cd "$W"
tar -cf - cp* | tar -xf - -C "$W/tarcopy"
phase tar-pipe

dd if=/dev/zero of="$W/big" bs=1M count="$DD_MIB" conv=fsync 2>/dev/null
phase dd-write
dd if="$W/big" of=/dev/null bs=1M 2>/dev/null
phase dd-read

i=0
while [ "$i" -lt "$FORKS" ]; do
	/bin/true
	i=$((i + 1))
done
phase fork-exec

ls -lR "$W" >/dev/null
phase ls-lR

cd /
rm -rf "$W"
phase rm-rf
