#!/usr/bin/env bash
# Runs libFuzzer targets from fuzz/ for a bounded time each (CI runs them briefly: the fuzz
# suite of tests, see fuzz/meson.build).
#
#   scripts/fuzz.sh [SECONDS] [JOBS] [TARGET...]    default 300 seconds, 1 job, every target
#
# Targets: options (the library's argument checks and option dictionaries), npy, y4m, wav (the
# command's parsers) and raw (the command's raw-frame and raw-audio size logic); they run one
# after another.  Builds build-fuzz with clang, AddressSanitizer, UndefinedBehaviorSanitizer and
# libFuzzer's coverage.  Each target starts from its committed seeds in fuzz/corpus/TARGET, keeps
# what it finds in build-fuzz/corpus/TARGET, writes crashing inputs to
# build-fuzz/artifacts/TARGET/, logs to build-fuzz/fuzz-TARGET.log and prints libFuzzer's last
# statistics, with the number of executions.  VIDWRITE_FUZZ_MERGE=1 merges the new inputs that
# add coverage back into the committed corpus (keep it small: it is minimised by the merge).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
vw_install_deps fuzz || exit 1

seconds=${1:-300}
jobs=${2:-1}
shift $(( $# < 2 ? $# : 2 ))
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(options npy y4m wav raw)
build=${VIDWRITE_FUZZ_BUILD_DIR:-build-fuzz}

# The converter's per-CPU clones (ifunc) are resolved before the sanitizer runtime starts, which
# crashes an instrumented resolver: the fuzz build uses the baseline code (VW_NO_CLONES).
if [ ! -d "$build" ]; then
  CC=clang meson setup "$build" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dintrospection=disabled -Dtests=false -Dc_args=-DVW_NO_CLONES || exit 1
fi
meson compile -C "$build" $(printf 'fuzz/fuzz-%s ' "${targets[@]}") || exit 1

export G_SLICE=always-malloc
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LD_LIBRARY_PATH="$PWD/$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

root=$PWD
status=0
for target in "${targets[@]}"; do
  # The options target encodes now and then (seconds each); the parsers take at most a few
  # hundred KiB per input, so any allocation beyond 128 MiB from them is a finding.
  case $target in
    options) flags=(-max_len=512 -timeout=60 -rss_limit_mb=4096) ;;
    *) flags=(-max_len=16384 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=128) ;;
  esac
  run="$build/run-$target"
  mkdir -p "$build/corpus/$target" "$build/artifacts/$target" "$run"
  log="$PWD/$build/fuzz-$target.log"
  parallel=()
  [ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
  # From a directory of its own: with -jobs, libFuzzer writes fuzz-N.log files into it.
  (cd "$run" && rm -f fuzz-*.log && nice "../fuzz/fuzz-$target" "../corpus/$target" \
    "$root/fuzz/corpus/$target" -dict="$root/fuzz/$target.dict" "${flags[@]}" \
    -max_total_time="$seconds" "${parallel[@]}" -print_final_stats=1 \
    -artifact_prefix="../artifacts/$target/" >"$log" 2>&1)
  result=$?
  [ "$jobs" -gt 1 ] && cat "$run"/fuzz-*.log >>"$log" 2>/dev/null
  echo "== $target (${seconds}s, $jobs job(s)): exit $result"
  grep -E '^(#[0-9]+.*(DONE|pulse)|stat::|==[0-9]+==ERROR|SUMMARY|Done)' "$log" | tail -n 8
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | awk '{ n += $1 } END { print n + 0 }')
  echo "$target: $executions executions"
  if [ "${VIDWRITE_FUZZ_MERGE:-0}" = 1 ]; then
    "$build/fuzz/fuzz-$target" -merge=1 "fuzz/corpus/$target" "$build/corpus/$target" \
      >/dev/null 2>&1
  fi
  ls "$build/artifacts/$target" | sed "s|^|finding: $build/artifacts/$target/|"
  [ "$result" -ne 0 ] && status=$result
done
exit $status
