#!/usr/bin/env bash
# Wall time of `sigmount sign` and `sigmount verify` against an all-cores OpenSSL SHA-256 pass
# over the same bytes, measured in the same run:
#   bench/sign_verify_bench.sh BUILD_DIR
# Models: 8 x 256 MiB files, and one 2 GiB file, in /dev/shm (or $TMPDIR), page cache warm.
# Each figure is the best of 3 runs. Also times signing an 8-byte model (target < 20 ms).
# Builds nothing: BUILD_DIR/tools/sigmount must exist (a release build is fairest:
# meson setup build/release --buildtype=release && ninja -C build/release tools/sigmount).
set -euo pipefail

build_dir=${1:?usage: $0 BUILD_DIR}
sigmount=$(realpath "$build_dir/tools/sigmount")
[[ -x $sigmount ]] || { echo "missing $sigmount" >&2; exit 2; }
cores=$(nproc)

base=/dev/shm
[[ -d $base && -w $base ]] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/sigmount-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
openssl ecparam -name prime256v1 -genkey -noout -out key.pem
openssl ec -in key.pem -pubout -out pub.pem 2>/dev/null

# Seconds (3 decimals) of the fastest of N runs of a command; fails if the command fails.
best_of() {
  local runs=$1 best="" t0 t1 elapsed
  shift
  for ((i = 0; i < runs; i++)); do
    t0=${EPOCHREALTIME/./}  # microseconds from bash's own clock: no fork in the measurement
    "$@" >/dev/null
    t1=${EPOCHREALTIME/./}
    elapsed=$((t1 - t0))
    if [[ -z $best || $elapsed -lt $best ]]; then best=$elapsed; fi
  done
  awk -v us="$best" 'BEGIN { printf "%.3f", us / 1e6 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
gib_per_s() { awk -v bytes="$1" -v s="$2" 'BEGIN { printf "%.2f", bytes / 1073741824 / s }'; }

openssl_all_cores() {  # every file of directory $1 through `openssl dgst -sha256`, all cores
  (cd "$1" && ls | xargs -P "$cores" -n1 openssl dgst -sha256)
}

# bench_model NAME DIR BYTES
bench_model() {
  local name=$1 dir=$2 bytes=$3
  cat "$dir"/* >/dev/null  # warm the page cache
  local base_s
  base_s=$(best_of 3 openssl_all_cores "$dir")
  printf '\n%s (%s GiB, %s cores)\n' "$name" "$(awk -v b="$bytes" 'BEGIN{printf "%.0f", b/1073741824}')" "$cores"
  printf '  %-40s %8s s  %6s GiB/s  %s\n' "openssl dgst -sha256, all cores" "$base_s" \
    "$(gib_per_s "$bytes" "$base_s")" "1.00 (baseline)"
  local label opts s
  for label in "files/sha256" "shards/sha256 (1 GB shards)" "shards/sha256 (256 MiB shards)" \
    "files/blake3"; do
    case $label in
      files/sha256) opts=() ;;
      "shards/sha256 (1 GB shards)") opts=(--serialization shards) ;;
      "shards/sha256 (256 MiB shards)") opts=(--serialization shards --shard-size 268435456) ;;
      files/blake3) opts=(--hash blake3) ;;
    esac
    s=$(best_of 3 "$sigmount" sign key --private-key key.pem --signature "$work/bench.sig" \
      "${opts[@]}" "$dir")
    printf '  %-40s %8s s  %6s GiB/s  %s x openssl\n' "sign $label" "$s" \
      "$(gib_per_s "$bytes" "$s")" "$(ratio "$s" "$base_s")"
    s=$(best_of 3 "$sigmount" verify key --public-key pub.pem --signature "$work/bench.sig" "$dir")
    printf '  %-40s %8s s  %6s GiB/s  %s x openssl\n' "verify $label" "$s" \
      "$(gib_per_s "$bytes" "$s")" "$(ratio "$s" "$base_s")"
  done
}

echo "sigmount sign/verify benchmark: $("$sigmount" --version | head -1), $(openssl version)"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $cores cores; data in $base"

mkdir many
for i in 1 2 3 4 5 6 7 8; do head -c 256M /dev/urandom >"many/model-0000$i-of-00008.safetensors"; done
bench_model "8 x 256 MiB files" many $((8 << 28))
rm -rf many

mkdir one
head -c 2G /dev/urandom >one/model.safetensors
bench_model "1 x 2 GiB file" one $((2 << 30))
rm -rf one

mkdir tiny
printf '12345678' >tiny/weights.bin
s=$(best_of 10 "$sigmount" sign key --private-key key.pem --signature "$work/tiny.sig" tiny)
printf '\n8-byte model: sign %s s (best of 10, process start included; target < 0.020 s)\n' "$s"
s=$(best_of 10 "$sigmount" verify key --public-key pub.pem --signature "$work/tiny.sig" tiny)
printf '8-byte model: verify %s s\n' "$s"
