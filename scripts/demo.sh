#!/bin/bash
# demo.sh: install the Debian packages, build burrow, and run a busybox
# sandbox whose root is served by a confined burrow-gofer over 9P2000.L and
# mounted through burrow's FUSE client, with an in-memory overlay (proxy
# mode, the default): prints `uname -a`, `id` and `ls /` from inside.
# Needs root (namespaces, mounts).  Build goes to ./build.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" -eq 0 ] || { echo "demo.sh: run as root (sudo bash scripts/demo.sh)" >&2; exit 1; }

echo "== installing packages"
scripts/install-deps.sh
echo "== building"
[ -x configure ] || autoreconf -fi >/dev/null
mkdir -p build
(cd build && { [ -f Makefile ] || ../configure >/dev/null; } && make -j"$(nproc)" >/dev/null)

work=$(mktemp -d /tmp/burrow-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
bundle=$work/bundle
mkdir -p "$bundle"
scripts/make-busybox-rootfs.sh "$bundle/rootfs"
(cd "$bundle" && "$top/build/burrow" spec)
# A non-interactive demo: no terminal, a fixed script.
script='echo "uname -a: $(uname -a)"; echo "id: $(id)"; echo "ls /:"; ls /
echo hello >/tmp/written-in-the-overlay && echo "wrote /tmp/written-in-the-overlay inside"'
jq --arg s "$script" '.process.terminal = false | .root.readonly = false | .process.args = ["sh", "-c", $s]' \
	"$bundle/config.json" >"$bundle/config.json.new" && mv "$bundle/config.json.new" "$bundle/config.json"

echo "== burrow run --overlay (proxy mode: root served by burrow-gofer over 9P2000.L)"
"$top/build/burrow" --root "$work/state" --overlay run --bundle "$bundle" demo
echo "== host rootfs untouched by the overlay write:"
if [ -z "$(ls -A "$bundle/rootfs/tmp")" ]; then echo "yes: the host's rootfs/tmp is still empty"; else ls -la "$bundle/rootfs/tmp"; exit 1; fi
