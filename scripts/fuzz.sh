#!/usr/bin/env bash
# Runs the libFuzzer target fuzz/fuzz-options for a bounded time (not part of CI).
#
#   scripts/fuzz.sh [SECONDS] [JOBS]      default 300 seconds, 1 job
#
# Builds build-fuzz with clang, AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer's
# coverage.  Starts from the committed seeds in fuzz/corpus/options, keeps what it finds in
# build-fuzz/corpus, writes crashing inputs to build-fuzz/artifacts/ and prints libFuzzer's last
# statistics.  VIDWRITE_FUZZ_MERGE=1 merges the new inputs that add coverage back into the
# committed corpus (keep it small: it is minimised by the merge).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
VW_BUILD_PACKAGES="$VW_BUILD_PACKAGES clang libclang-rt-dev" vw_install_deps build || exit 1

seconds=${1:-300}
jobs=${2:-1}
build=build-fuzz
if [ ! -d "$build" ]; then
  CC=clang meson setup "$build" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dintrospection=disabled -Dtests=false || exit 1
fi
meson compile -C "$build" fuzz/fuzz-options || exit 1
mkdir -p "$build/corpus" "$build/artifacts"

export G_SLICE=always-malloc
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LD_LIBRARY_PATH="$PWD/$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

log="$PWD/$build/fuzz.log"
parallel=()
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
# From the build directory: with -jobs, libFuzzer writes fuzz-N.log files into the current one.
(cd "$build" && nice ./fuzz/fuzz-options corpus ../fuzz/corpus/options \
  -dict=../fuzz/options.dict -max_total_time="$seconds" "${parallel[@]}" \
  -max_len=512 -timeout=60 -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix=artifacts/ >"$log" 2>&1)
status=$?
[ "$jobs" -gt 1 ] && cat "$build"/fuzz-*.log >>"$log" 2>/dev/null
grep -E '^(#[0-9]+.*(DONE|pulse)|stat::|==[0-9]+==ERROR|SUMMARY|Done)' "$log" | tail -n 15
if [ "${VIDWRITE_FUZZ_MERGE:-0}" = 1 ]; then
  "$build/fuzz/fuzz-options" -merge=1 fuzz/corpus/options "$build/corpus" >/dev/null 2>&1
fi
ls "$build/artifacts" | sed 's/^/finding: /'
exit $status
