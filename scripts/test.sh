#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test twice: in the normal build, then in a
# second build with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan; the sanitizer
# options are set below, the leak suppressions are tests/sanitizers/lsan.supp); then the libFuzzer
# targets briefly (build-fuzz-ci, clang).  The last line is the summary, "N passed, N failed",
# summing meson test's own counts of every run; the exit status is non-zero on any failure.
# VIDWRITE_SANITIZE=0 skips the sanitizer run, VIDWRITE_FUZZ=0 the fuzz targets.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
vw_install_deps test || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0

# run_tests DIR [MESON TEST OPTIONS...]: adds meson's counts to passed and failed.
run_tests () {
  local dir=$1 log status ok fail timeout xpass
  shift
  log=$(mktemp)
  meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  count () { sed -n "s/^$1:[[:space:]]*\([0-9][0-9]*\).*/\1/p" "$log" | tail -n 1; }
  ok=$(count "Ok"); fail=$(count "Fail"); timeout=$(count "Timeout"); xpass=$(count "Unexpected Pass")
  rm -f "$log"
  fail=$(( ${fail:-0} + ${timeout:-0} + ${xpass:-0} ))
  if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
  passed=$(( passed + ${ok:-0} ))
  failed=$(( failed + fail ))
}

# Every object compiles alone from a clean directory: no test of the suite, but a fresh
# machine's build must not depend on ninja's usual order (a missing generated-header dependency).
if [ $# -eq 0 ]; then
  graph_log=$(mktemp)
  if ! scripts/check-build-graph.sh build-graph -Dintrospection=disabled >"$graph_log" 2>&1; then
    grep -v '^ok' "$graph_log"
    failed=$(( failed + 1 ))
  fi
  tail -n 1 "$graph_log"
  rm -f "$graph_log"
fi

build=${VIDWRITE_BUILD_DIR:-build}
# -Dexamples=true: the GTK recorders, run under Xvfb (vw_install_deps test installed GTK 4).
if vw_build "$build" -Dexamples=true; then
  run_tests "$build" "$@"
else
  failed=$(( failed + 1 ))
fi

# The sanitizer build: no introspection (g-ir-scanner's dump program would run under LSan), and
# no Python suite (an interpreter that was not started with the ASan runtime cannot load it).
if [ "${VIDWRITE_SANITIZE:-1}" != 0 ]; then
  asan=${VIDWRITE_ASAN_BUILD_DIR:-build-asan}
  if vw_build "$asan" -Db_sanitize=address,undefined -Db_lundef=false \
      -Dintrospection=disabled; then
    # Stop at the first error; give every GLib slice (GObjects, GstMessages) its own malloc so
    # that LSan sees it; full stacks (Debian's GLib has no frame pointers, so the fast unwinder
    # stops at g_malloc); suppress only the leaks of the libraries below vidwrite, each explained
    # in tests/sanitizers/lsan.supp.  Exported, so that tests with an environment of their own
    # (the cli one runs the instrumented tool from pytest) get them too.
    export G_SLICE=always-malloc UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
    asan_options=halt_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0
    ASAN_OPTIONS=$asan_options run_tests "$asan" --no-suite python --no-suite cli --no-suite codecs "$@"
    if [ $# -eq 0 ]; then
      # The cli suite measures the tool's peak RSS; ASan's quarantine (256 MB of freed blocks
      # kept poisoned) would count as growth, so it runs with a smaller one.
      ASAN_OPTIONS=$asan_options:quarantine_size_mb=8 run_tests "$asan" --suite cli
      # The codec matrix drives encoders that leak inside themselves (mpeg2enc's codec state
      # and libmpeg2encpp's pictures, x265's SAO buffers, gst-libav's av_opt_get strings):
      # memory errors and undefined behaviour are checked there, leaks in the suites above.
      ASAN_OPTIONS=$asan_options:detect_leaks=0 run_tests "$asan" --suite codecs
    fi
  else
    failed=$(( failed + 1 ))
  fi
fi

# The libFuzzer targets of fuzz/ (the library's options, the command's parsers), briefly: each
# replays its seeds and fuzzes for 20 seconds, built with clang as scripts/fuzz.sh builds them.
# VIDWRITE_FUZZ=0 skips them.
if [ "${VIDWRITE_FUZZ:-1}" != 0 ] && [ $# -eq 0 ]; then
  fuzz=${VIDWRITE_FUZZ_BUILD_DIR:-build-fuzz-ci}
  if CC=clang vw_build "$fuzz" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
      -Dintrospection=disabled -Dtests=false -Dc_args=-DVW_NO_CLONES; then
    run_tests "$fuzz" --suite fuzz
  else
    failed=$(( failed + 1 ))
  fi
fi

echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
