#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test.  The last line is the summary,
# "N passed, N failed", from meson test's own counts; the exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
vw_install_deps test || { echo "0 passed, 1 failed"; exit 1; }

build=${VIDWRITE_BUILD_DIR:-build}
if [ -d "$build" ]; then
  meson setup --reconfigure "$build" >/dev/null || meson setup --wipe "$build" || { echo "0 passed, 1 failed"; exit 1; }
else
  meson setup "$build" || { echo "0 passed, 1 failed"; exit 1; }
fi
meson compile -C "$build" || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
meson test -C "$build" --print-errorlogs --num-processes 2 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

count () { sed -n "s/^$1:[[:space:]]*\([0-9][0-9]*\).*/\1/p" "$log" | tail -n 1; }
ok=$(count "Ok"); fail=$(count "Fail"); timeout=$(count "Timeout"); xpass=$(count "Unexpected Pass")
rm -f "$log"
passed=${ok:-0}
failed=$(( ${fail:-0} + ${timeout:-0} + ${xpass:-0} ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
