#!/usr/bin/env bash
# Throughput of sigmount's digests against the usual command-line tools on the same file.
#   bench/hash_bench.sh BUILD_DIR [SIZE_MIB]
# Builds nothing: BUILD_DIR must already contain tests/hashing/bench_hash (ninja -C BUILD_DIR
# tests/hashing/bench_hash). Uses a random file in /dev/shm (or $TMPDIR), read once first so
# every run hashes from the page cache; best of 3 runs. First single-threaded against
# single-threaded tools, then on all cores.
set -euo pipefail

build_dir=${1:?usage: $0 BUILD_DIR [SIZE_MIB]}
size_mib=${2:-1024}
bench="$build_dir/tests/hashing/bench_hash"
[[ -x $bench ]] || { echo "missing $bench: run ninja -C $build_dir tests/hashing/bench_hash" >&2; exit 2; }

dir=/dev/shm
[[ -d $dir && -w $dir ]] || dir=${TMPDIR:-/tmp}
file=$(mktemp "$dir/sigmount-hash-bench.XXXXXX")
trap 'rm -f "$file"' EXIT
head -c "$((size_mib << 20))" /dev/urandom >"$file"
cat "$file" >/dev/null

# Seconds of the fastest of 3 runs of a command.
best_of_3() {
  local best="" t0 t1 t
  for _ in 1 2 3; do
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    t=$(echo "$t1 - $t0" | bc -l)
    if [[ -z $best ]] || (($(echo "$t < $best" | bc -l))); then best=$t; fi
  done
  echo "$best"
}

ours_seconds() {  # the time bench_hash measured itself, excluding process start
  local best="" t
  for _ in 1 2 3; do
    t=$("$bench" "$file" "$@" | awk '{print $2}')
    if [[ -z $best ]] || (($(echo "$t < $best" | bc -l))); then best=$t; fi
  done
  echo "$best"
}

mib_per_s() { echo "scale=0; $size_mib / $1" | bc -l; }

printf '%-9s %10s   %-28s %10s %7s\n' algorithm "ours MiB/s" reference "ref MiB/s" ratio
row() {  # row NAME BENCH_ARGS... -- REFERENCE COMMAND...
  local name=$1 ours ref args=() label
  shift
  while [[ $1 != -- ]]; do args+=("$1"); shift; done
  shift
  ours=$(ours_seconds "$name" "${args[@]}")
  ref=$(best_of_3 "$@")
  label="${*:1:$#-1}"
  printf '%-9s %10s   %-28s %10s %7.2f\n' "$name" "$(mib_per_s "$ours")" "$label" \
    "$(mib_per_s "$ref")" "$(echo "$ref / $ours" | bc -l)"
}
echo "single thread, whole file:"
row sha256 -- openssl dgst -sha256 "$file"
row blake2b -- openssl dgst -blake2b512 "$file"
row blake3 -- b3sum --num-threads 1 "$file"
workers=$(nproc)
echo "all $workers usable cores (hash_ranges: 64 MiB shards for sha256, vs single-threaded openssl; one blake3 range split into 8 MiB subtrees, vs multi-threaded b3sum):"
row sha256 $((64 << 20)) "$workers" -- openssl dgst -sha256 "$file"
row blake3 $((size_mib << 20)) "$workers" -- b3sum "$file"
echo "ratio = reference time / our time (above 1: we are faster). File: $size_mib MiB in $dir;" \
  "BLAKE3 code: $("$bench" "$file" blake3 | awk '{print $3}')"
