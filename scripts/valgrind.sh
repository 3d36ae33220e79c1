#!/usr/bin/env bash
# Runs the C test programs under valgrind memcheck and reports the memory definitely lost, in
# all and in stacks that pass through vidwrite (lib/vidwrite-*.c).  Not part of CI: under
# valgrind the encoders run 20-50 times slower.
#
#   scripts/valgrind.sh                 every test program in build/tests
#   scripts/valgrind.sh errors writer   only test-errors and test-writer
#
# Logs go to build/valgrind/NAME.log.  GLib's and our own suppressions
# (tests/sanitizers/valgrind.supp, each entry explained) hide one-time allocations of the
# libraries below vidwrite.  Exit status: non-zero when a program fails, valgrind reports a
# memory error, or any definite leak passes through vidwrite.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
VW_TEST_PACKAGES="$VW_TEST_PACKAGES valgrind" vw_install_deps test || exit 1

build=${VIDWRITE_BUILD_DIR:-build}
[ -d "$build" ] || meson setup "$build" || exit 1
meson compile -C "$build" >/dev/null || exit 1
out="$build/valgrind"
mkdir -p "$out"

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for exe in "$build"/tests/test-*; do
    [ -x "$exe" ] && [ -f "$exe" ] && names+=("${exe##*/test-}")
  done
fi

# Scan the plugin registry once, outside valgrind, so that the runs below only read it.
gst-inspect-1.0 >/dev/null 2>&1

export G_SLICE=always-malloc G_DEBUG=fatal-criticals GST_REGISTRY_UPDATE=no GST_REGISTRY_FORK=no
export FFMPEG=${FFMPEG:-$(command -v ffmpeg)} FFPROBE=${FFPROBE:-$(command -v ffprobe)}
export LD_LIBRARY_PATH="$PWD/$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

status=0
total_lost=0
total_ours=0
printf '%-10s %8s %6s %14s %14s %8s\n' program result errors "definitely" "via vidwrite" seconds
for name in "${names[@]}"; do
  log="$out/$name.log"
  start=$(date +%s)
  nice valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --error-exitcode=99 --num-callers=40 --track-origins=no \
    --suppressions=/usr/share/glib-2.0/valgrind/glib.supp \
    --suppressions=tests/sanitizers/valgrind.supp --gen-suppressions=all \
    --log-file="$log" "$build/tests/test-$name" >"$out/$name.out" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" | tr -d , | tail -n 1)
  lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tr -d , | tail -n 1)
  # Bytes of the loss records whose stack has a frame in vidwrite's own sources.
  ours=$(awk '/are definitely lost in loss record/ { n = $2; gsub(/,/, "", n); rec = 1; hit = 0; next }
              rec && /vidwrite-[a-z-]*\.c:/ { hit = 1 }
              rec && /^==[0-9]+== *$/ { if (hit) sum += n; rec = 0 }
              END { print sum + 0 }' "$log")
  result=ok
  [ "$rc" -eq 0 ] || { result="exit $rc"; status=1; }
  [ "${ours:-0}" -eq 0 ] || status=1
  printf '%-10s %8s %6s %14s %14s %8s\n' "$name" "$result" "${errors:-?}" "${lost:-0}" "${ours:-0}" "$secs"
  total_lost=$(( total_lost + ${lost:-0} ))
  total_ours=$(( total_ours + ${ours:-0} ))
done
echo "definitely lost: ${total_lost} bytes in all, ${total_ours} bytes via vidwrite (logs in $out)"
exit $status
