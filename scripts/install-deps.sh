#!/bin/bash
# Install the Debian 12 packages burrow builds and tests with (idempotent).
set -euo pipefail
PKGS=(
  build-essential autoconf automake pkg-config clang
  libseccomp-dev libcap-dev libev-dev libfuse3-dev libjansson-dev
  libcmocka-dev bats busybox-static diod fuse3 attr jq
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
