#!/usr/bin/env bash
# The full sigmount test suite, as run by CI (.ci/run) and by `sudo bash scripts/test.sh` on a
# fresh Debian bookworm machine:
#   1. installs the build dependencies (skipped when present),
#   2. checks the C++ sources are clang-formatted (one check),
#   3. gcc build (build/ci): suites unit, cli and fuse (FUSE must be available: we run as root),
#   4. clang build with ASan+UBSan and libFuzzer (build/asan): suites unit, cli and fuse (real
#      mounts served by a sanitized daemon), then suite fuzz,
# and ends with exactly one line "N passed, N failed" summed over meson's results.
# Exits non-zero if any test or build failed.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 2
# shellcheck source=setup.sh
source scripts/setup.sh

if [[ $(id -u) -ne 0 ]]; then
  echo "test.sh: the FUSE suite mounts file systems: run as root (sudo bash scripts/test.sh)" >&2
  exit 2
fi
sigmount_install_dependencies || exit 2
sigmount_require_fuse || exit 2

jobs=${SIGMOUNT_JOBS:-$(nproc)}
passed=0
failed=0

# Adds the results of the meson test run in build dir $1 to the totals.
count_results() {
  local log="$1/meson-logs/testlog.json" counts
  if [[ ! -s "$log" ]]; then
    echo "test.sh: no test results in $log" >&2
    failed=$((failed + 1))
    return
  fi
  counts=$(python3 - "$log" <<'PY'
import json, sys
ok = bad = skipped = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    result = json.loads(line).get("result")
    if result in ("OK", "EXPECTEDFAIL"):
        ok += 1
    elif result == "SKIP":
        skipped += 1
    else:
        bad += 1
print(ok, bad, skipped)
PY
)
  read -r ok bad skipped <<<"$counts"
  [[ "$skipped" -gt 0 ]] && echo "test.sh: $skipped test(s) skipped in $1 (not counted as passed)"
  passed=$((passed + ok))
  failed=$((failed + bad))
}

# run_suites BUILD_DIR [meson test args...]
run_suites() {
  local build_dir=$1
  shift
  rm -f "$build_dir/meson-logs/testlog.json"
  echo "== meson test -C $build_dir $*"
  meson test -C "$build_dir" --print-errorlogs --num-processes "$jobs" "$@"
  count_results "$build_dir"
}

# setup_build BUILD_DIR [meson setup args...]: configures (or reconfigures) and compiles.
setup_build() {
  local build_dir=$1
  shift
  echo "== build $build_dir ($*)"
  if [[ -f "$build_dir/build.ninja" ]]; then
    meson setup --reconfigure "$build_dir" "$@" >/dev/null || return 1
  else
    meson setup "$build_dir" "$@" >/dev/null || return 1
  fi
  ninja -C "$build_dir" -j "$jobs" >"$build_dir/build-output.log" 2>&1 || {
    tail -n 60 "$build_dir/build-output.log"
    return 1
  }
}

start=$SECONDS

# Formatting: every C++ source as the checked-in .clang-format writes it (one check).
echo "== clang-format --dry-run"
mapfile -t cxx_sources < <(find fs hashing verifier tools tests -name '*.cc' -o -name '*.h' | sort)
if clang-format --dry-run -Werror "${cxx_sources[@]}"; then
  passed=$((passed + 1))
else
  echo "test.sh: run clang-format -i on the files above" >&2
  failed=$((failed + 1))
fi

# gcc: everything that needs no sanitizer, including real mounts.
if CC=gcc CXX=g++ setup_build build/ci; then
  run_suites build/ci --suite unit --suite cli --suite fuse
else
  echo "test.sh: gcc build failed" >&2
  failed=$((failed + 1))
fi

# clang + ASan + UBSan: unit tests, the binary and real mounts must be clean (the fuse tests
# fail on any report from the daemon: tests/meson.build); then short libFuzzer runs of every
# parser.
if CC=clang CXX=clang++ setup_build build/asan \
    -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true; then
  # For the fuzzers; the other tests get the same options from tests/meson.build.
  export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1
  export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
  run_suites build/asan --suite unit --suite cli --suite fuse --timeout-multiplier 4
  run_suites build/asan --suite fuzz --timeout-multiplier 2
else
  echo "test.sh: clang ASan/UBSan build failed" >&2
  failed=$((failed + 1))
fi

echo "test.sh: finished in $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
