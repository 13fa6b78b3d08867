#!/usr/bin/env bash
# What an mmap loader (safetensors, llama.cpp, vLLM) pays for a verified mount, in one run
# (root, /dev/fuse):
#   bench/mmap_bench.sh BUILD_DIR
# The model: bench/mmap_loader.py's 155 MB safetensors-style model (two files, 8 float32
# tensors); the loader maps every tensor with numpy.memmap and sums it. Backing files are in
# the page cache throughout (a fast disk: hashing and the mount's own costs are the limit).
# Per round, for the files serialization and for 16 MiB shards:
#   hash+load : `openssl dgst -sha256` over the model's files, then the loader on the backing
#               directory: the least any verify-then-load can cost;
#   cold      : the loader through a fresh mount (nothing verified yet);
#   warm      : the loader again through the same mount (the kernel's page cache answers);
#   native    : the loader on the backing directory.
# Prints medians over ROUNDS (default 5) and the ratios cold / (hash+load) (target <= 1.3) and
# warm / native (target <= 1.2), with every round's ratio: this VM's speed swings between runs.
set -euo pipefail

build_dir=${1:?usage: $0 BUILD_DIR}
rounds=${ROUNDS:-5}
sigmount=$(realpath "$build_dir/tools/sigmount")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -x $sigmount ]] || { echo "missing $sigmount" >&2; exit 2; }
[[ $(id -u) == 0 && -e /dev/fuse ]] || { echo "needs root and /dev/fuse" >&2; exit 2; }
# Debian's numpy, for Debian's python3 (a python3 earlier in PATH may lack it).
python=/usr/bin/python3
if ! "$python" -c 'import numpy' 2>/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-numpy >/dev/null
fi
loader() { "$python" "$here/mmap_loader.py" "$@"; }

work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/sigmount-mmap-bench.XXXXXX")
mnt=$work/mnt
mkdir -p "$mnt"
cleanup() {
  mountpoint -q "$mnt" && fusermount3 -u -z "$mnt" || true
  rm -rf "$work"
}
trap cleanup EXIT
openssl ecparam -name prime256v1 -genkey -noout -out "$work/key.pem" 2>/dev/null
openssl ec -in "$work/key.pem" -pubout -out "$work/key.pub" 2>/dev/null

now() { date +%s.%N; }
seconds_of() { local t0 t1; t0=$(now); "$@" >/dev/null; t1=$(now); echo "$t1 - $t0" | bc -l; }
load_seconds() { loader load "$1" | cut -d' ' -f1; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

model=$work/model
loader make "$model"
files=("$model"/*.safetensors)
size=$(du -cb "${files[@]}" | tail -n 1 | cut -f1)
echo "== sigmount mmap bench: $((size / 1000000)) MB safetensors-style model, $(nproc) CPUs, $rounds rounds"
cat "${files[@]}" >/dev/null
loader load "$model" >/dev/null  # the backing pages, once, onto the active list

run() {  # LABEL SIGN_OPTIONS...
  local label=$1; shift
  "$sigmount" sign key --private-key "$work/key.pem" "$@" --signature "$work/model.sig" \
    "$model" >/dev/null
  local bases=() colds=() warms=() natives=() cold_ratios=() warm_ratios=() r hash native
  for ((r = 0; r < rounds; r++)); do
    hash=$(seconds_of openssl dgst -sha256 "${files[@]}")
    native=$(load_seconds "$model")
    bases+=("$(echo "$hash + $native" | bc -l)")
    "$sigmount" mount key --public-key "$work/key.pub" --signature "$work/model.sig" \
      --log-file "$work/mount.log" "$model" "$mnt"
    colds+=("$(load_seconds "$mnt")")
    warms+=("$(load_seconds "$mnt")")
    fusermount3 -u "$mnt"
    while mountpoint -q "$mnt"; do sleep 0.05; done
    natives+=("$(load_seconds "$model")")
    cold_ratios+=("$(printf '%.2f' "$(echo "${colds[r]} / ${bases[r]}" | bc -l)")")
    warm_ratios+=("$(printf '%.2f' "$(echo "${warms[r]} / ${natives[r]}" | bc -l)")")
  done
  printf '%-8s cold  : mount %.3f s  hash+load %.3f s  ratio %.2f [%s] (target <= 1.3)\n' "$label" \
    "$(median "${colds[@]}")" "$(median "${bases[@]}")" "$(median "${cold_ratios[@]}")" "${cold_ratios[*]}"
  printf '%-8s warm  : mount %.3f s  native    %.3f s  ratio %.2f [%s] (target <= 1.2)\n' "$label" \
    "$(median "${warms[@]}")" "$(median "${natives[@]}")" "$(median "${warm_ratios[@]}")" "${warm_ratios[*]}"
}
run files
run shards --serialization shards --shard-size $((16 << 20))
