#!/usr/bin/env bash
# A two-minute tour of sigmount on a fresh Debian bookworm machine (run as root, or with sudo
# for the package install and the FUSE mount):
#   installs what is missing, builds, signs a small demo model with a new EC key, verifies it,
#   mounts it, reads through the mount, then tampers with the backing file and shows the read
#   failing with EIO.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=setup.sh
source scripts/setup.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "Dependencies"
sigmount_install_dependencies
echo "all build dependencies present"

build_dir=${SIGMOUNT_BUILD_DIR:-build/demo}
step "Build ($build_dir)"
if [[ ! -f $build_dir/build.ninja ]]; then
  meson setup "$build_dir" --buildtype=release >/dev/null
fi
ninja -C "$build_dir" tools/sigmount >/dev/null
sigmount="$repo/$build_dir/tools/sigmount"
"$sigmount" --version

demo=$(mktemp -d "${TMPDIR:-/tmp}/sigmount-demo.XXXXXX")
mnt="$demo/mnt"
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then
    fusermount3 -u "$mnt" 2>/dev/null || umount "$mnt" 2>/dev/null || true
  fi
  rm -rf "$demo"
}
trap cleanup EXIT
cd "$demo"

step "A demo model (random bytes with model-like names)"
mkdir -p model/tokenizer mnt
head -c 24M /dev/urandom >model/model-00001-of-00002.safetensors
head -c 8M /dev/urandom >model/model-00002-of-00002.safetensors
head -c 4K /dev/urandom >model/tokenizer/tokenizer.json
echo '{"architectures": ["DemoModel"]}' >model/config.json
find model -type f -printf '%8s  %p\n' | sort -k2

step "An EC P-256 key pair"
echo '$ openssl ecparam -name prime256v1 -genkey -noout -out key.pem'
openssl ecparam -name prime256v1 -genkey -noout -out key.pem
echo '$ openssl ec -in key.pem -pubout -out pub.pem'
openssl ec -in key.pem -pubout -out pub.pem 2>/dev/null

step "Sign: writes ./model.sig, an OpenSSF Model Signing bundle (as model_signing does)"
show "$sigmount" sign key --private-key key.pem model
show "$sigmount" inspect model.sig

step "Verify"
show "$sigmount" verify key --public-key pub.pem model

if ! sigmount_require_fuse || [[ $(id -u) -ne 0 ]]; then
  echo "(mounting needs root and /dev/fuse; stopping here)"
  exit 0
fi

step "Mount read-only: every byte served is verified against the signed manifest"
show "$sigmount" mount key --public-key pub.pem --signature model.sig model mnt
show ls -l mnt mnt/tokenizer

step "Tamper after mounting: flip one byte of the BACKING file model-00002-of-00002.safetensors"
byte=$(od -An -tu1 -j 1000 -N1 model/model-00002-of-00002.safetensors | tr -d ' ')
printf "$(printf '\\%03o' $((byte ^ 1)))" |
  dd of=model/model-00002-of-00002.safetensors bs=1 seek=1000 count=1 conv=notrunc status=none
echo "byte 1000: $byte -> $((byte ^ 1))"

step "Read through the mount: the untouched file is served, the tampered one is refused"
if show cmp mnt/model-00001-of-00002.safetensors model/model-00001-of-00002.safetensors; then
  echo "identical: the mount served the signed bytes"
fi
printf '$ cat mnt/model-00002-of-00002.safetensors >/dev/null\n'
if cat mnt/model-00002-of-00002.safetensors >/dev/null; then
  echo "UNEXPECTED: the tampered file was served" >&2
  exit 1
else
  echo "-> the read failed (EIO): the tampered bytes never reached the reader"
fi

step "The mount's counters"
echo "$ $sigmount status mnt"
"$sigmount" status mnt | python3 -m json.tool

step "Verification outside the mount reports the same file"
show "$sigmount" verify key --public-key pub.pem model || true

step "Unmount"
show fusermount3 -u mnt
echo
echo "Done. Try 'sigmount --help' ($sigmount)."
