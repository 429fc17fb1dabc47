#!/bin/bash
# oci-image.sh ROOTFS OUT.tar NAME: an OCI image layout made by hand (one
# uncompressed layer, a config, a manifest, index.json naming it NAME for
# `ctr image import`): no registry, no network.
set -euo pipefail
rootfs=$1 out=$2 name=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/blobs/sha256"
blob() { # file -> prints digest, moves into blobs
	local d; d=$(sha256sum "$1" | cut -d' ' -f1)
	mv "$1" "$work/blobs/sha256/$d"; echo "$d"
}
tar -C "$rootfs" --numeric-owner -cf "$work/layer.tar" .
lsize=$(stat -c %s "$work/layer.tar"); ldig=$(blob "$work/layer.tar")
printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$ldig" >"$work/config.json"
csize=$(stat -c %s "$work/config.json"); cdig=$(blob "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' "$cdig" "$csize" "$ldig" "$lsize" >"$work/manifest.json"
msize=$(stat -c %s "$work/manifest.json"); mdig=$(blob "$work/manifest.json")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"latest"}}]}' "$mdig" "$msize" "$name" >"$work/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
tar -C "$work" -cf "$out" oci-layout index.json blobs
