#!/usr/bin/env bash
# Where the vidwrite CLI spends its time: short runs on testsrc2 frames (1280x720), all threads.
#  - perf, sampling the cpu-clock (a software event, so it works in VMs without hardware
#    counters): time per library and function, kernel included (page faults show there);
#  - callgrind when perf cannot count instructions here: self instructions per function.
# Usage: bench/profile.sh [PRESET] (default ultrafast); FRAMES (default 60 for perf, a third of
# that under callgrind, which is about 50 times slower).  Build first (bench/run.sh does).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build="$repo/${VIDWRITE_BUILD_DIR:-build}"
work="$build/bench"
preset=${1:-ultrafast}
frames=${FRAMES:-60}
mkdir -p "$work"

clip () {
  local path="$work/profile-$1.rgb"
  [ -f "$path" ] || ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=1280x720:rate=30 \
    -frames:v "$1" -f rawvideo -pix_fmt rgb24 "$path"
  echo "$path"
}
vidwrite () {
  echo "$build/tools/vidwrite" -q -i "$(clip "$1")" -s 1280x720 -r 30 -c libx264 \
    -o "preset=$preset" -o crf=23 "$work/profile.mp4"
}

if command -v perf >/dev/null && perf record -q -e cpu-clock -o /dev/null true 2>/dev/null; then
  data="$work/perf-$preset.data"
  # shellcheck disable=SC2046
  nice perf record -q -e cpu-clock -F 1999 -o "$data" -- $(vidwrite "$frames") 2>/dev/null
  echo "perf, cpu-clock samples, $frames frames, preset $preset: by library"
  perf report -i "$data" --no-children --stdio --sort dso 2>/dev/null | grep -v '^#' |
    grep -v '^$' | sed -n 1,8p
  echo "by function"
  perf report -i "$data" --no-children --stdio --sort dso,symbol 2>/dev/null | grep -v '^#' |
    grep -v '^$' | sed -n 1,15p | sed 's/ *- *- *$//'
fi

if ! perf stat -e instructions true 2>&1 | grep -q '[0-9] *instructions'; then
  cframes=$((frames / 3))
  out="$work/callgrind-$preset.out"
  # shellcheck disable=SC2046
  nice valgrind --tool=callgrind --callgrind-out-file="$out" $(vidwrite "$cframes") 2>/dev/null
  ann=$(callgrind_annotate --inclusive=no --threshold=100 "$out")
  echo "callgrind, $cframes frames, preset $preset: self instructions by library"
  sed -n 's/^ *\([0-9,]*\) (.*\[\(.*\)\]$/\1 \2/p' <<<"$ann" | tr -d , |
    awk '{ sum[$2] += $1; total += $1 }
         END { for (l in sum) printf "%6.2f%%  %s\n", 100 * sum[l] / total, l }' |
    sort -rn | sed -n 1,8p
  echo "by function (libx264 has no symbols for callgrind here)"
  grep -E '^ *[0-9,]+ +\( *[0-9.]+%\) ' <<<"$ann" | grep -v 'PROGRAM TOTALS' | sed -n 1,12p
fi
