# Sourced by podman.sh and bench-podman.sh (after lib.sh): podman's
# settings for burrow in /etc/containers/containers.conf (cgroupfs, file
# events, no network, the ulimits; whatever was there comes back at exit)
# and $IMAGE, imported from a busybox rootfs.

IMAGE=localhost/burrow-busybox:test
CONF=/etc/containers/containers.conf
WORK=$(mktemp -d /tmp/burrow-podman.XXXXXX)
BACKUP=""

restore() {
	podman rm -a -f -t 0 >/dev/null 2>&1
	podman rmi -f "$IMAGE" >/dev/null 2>&1
	if [ -n "$BACKUP" ]; then
		mv -f "$BACKUP" "$CONF"
	else
		rm -f "$CONF"
	fi
	rm -rf "$WORK"
}
trap restore EXIT
trap 'exit 130' INT TERM

# podman's settings for burrow: cgroupfs, file events, no network
mkdir -p /etc/containers
if [ -e "$CONF" ]; then
	BACKUP="$WORK/containers.conf.orig"
	cp -a "$CONF" "$BACKUP"
fi
cat >"$CONF" <<CONF
# written by burrow's tests/clients (podman-env.sh); the original comes back after
[containers]
netns = "none"
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF

make_rootfs "$WORK/rootfs"
tar -C "$WORK/rootfs" -cf "$WORK/busybox.tar" . || die "tar"
podman import "$WORK/busybox.tar" "$IMAGE" >/dev/null 2>"$WORK/import.log" || die "podman import: $(cat "$WORK/import.log")"

