#!/usr/bin/env bash
# Installs what building and testing sigmount needs on Debian bookworm. Run it as root, or
# source it and call sigmount_install_dependencies. Skips apt entirely when everything is
# already installed, so re-runs are fast.

SIGMOUNT_PACKAGES=(
  meson ninja-build pkg-config g++ clang libclang-rt-14-dev clang-format
  libfuse3-dev fuse3 liburing-dev nlohmann-json3-dev
  libssl-dev openssl libcurl4-openssl-dev libgtest-dev libgmock-dev
  python3 b3sum mount util-linux
  libp11-kit-dev softhsm2 opensc
)

sigmount_missing_packages() {
  local package
  for package in "${SIGMOUNT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      echo "$package"
    fi
  done
}

sigmount_install_dependencies() {
  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    echo "setup: not a Debian-like system; install by hand: ${SIGMOUNT_PACKAGES[*]}" >&2
    return 1
  fi
  local missing
  missing=$(sigmount_missing_packages)
  if [[ -z "$missing" ]]; then
    return 0
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing packages: $(echo $missing); run as root (sudo)" >&2
    return 1
  fi
  echo "setup: installing $(echo $missing)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086  # one word per package
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# Makes /dev/fuse available (loading the module if needed); fails when FUSE cannot work here.
sigmount_require_fuse() {
  if [[ ! -c /dev/fuse ]]; then
    modprobe fuse 2>/dev/null || true
  fi
  if [[ ! -c /dev/fuse ]]; then
    echo "setup: /dev/fuse is missing: FUSE mounts cannot run on this machine" \
         "(in a container, pass --device /dev/fuse --cap-add SYS_ADMIN)" >&2
    return 1
  fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  sigmount_install_dependencies
fi
