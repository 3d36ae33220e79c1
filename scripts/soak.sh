#!/usr/bin/env bash
# Soak (not part of CI): one streaming writer fed MINUTES (default 30) of 320x240 video at 25 fps
# with 48 kHz stereo FLAC, one second at a time.  Checks that the resident set size stays flat
# after a 30 s warm-up (growth under VIDWRITE_SOAK_MAX_GROWTH_KIB, default 8192) and that the
# file holds exactly every frame and every sample, counted by FFmpeg.
#
#   scripts/soak.sh [MINUTES]
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
vw_install_deps test || exit 1

minutes=${1:-30}
build=${VIDWRITE_BUILD_DIR:-build}
[ -d "$build" ] || meson setup "$build" || exit 1
meson compile -C "$build" tests/vidwrite-soak >/dev/null || exit 1

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out="$dir/soak.mkv"
log="$build/soak.log"
start=$(date +%s)
LD_LIBRARY_PATH="$PWD/$build/lib" nice "$build/tests/vidwrite-soak" "$out" "$minutes" | tee "$log" |
  grep -v '^rss [0-9]* s' || true
status=${PIPESTATUS[0]}
echo "wall time: $(( $(date +%s) - start )) s; RSS samples in $log"
[ "$status" -eq 0 ] || { echo "soak: the writer failed"; exit 1; }

seconds=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 }')
want_frames=$(( seconds * 25 ))
want_samples=$(( seconds * 48000 ))
frames=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets \
  -of csv=p=0 "$out")
samples=$(( $(ffmpeg -v error -i "$out" -map 0:a:0 -f f32le -ac 2 - | wc -c) / 8 ))
read -r first low high last < <(sed -n 's/^rss after warm-up: first \(-*[0-9]*\), min \([0-9]*\), max \([0-9]*\), last \([0-9]*\) KiB$/\1 \2 \3 \4/p' "$log")
growth=$(( high - first ))
echo "frames in file: $frames of $want_frames; samples in file: $samples of $want_samples"
echo "RSS after warm-up: first ${first} KiB, min ${low} KiB, max ${high} KiB, growth ${growth} KiB"

ok=1
[ "$frames" -eq "$want_frames" ] || { echo "soak: frame count is wrong"; ok=0; }
[ "$samples" -eq "$want_samples" ] || { echo "soak: sample count is wrong"; ok=0; }
[ "$growth" -le "${VIDWRITE_SOAK_MAX_GROWTH_KIB:-8192}" ] || { echo "soak: RSS grew"; ok=0; }
[ "$ok" -eq 1 ] && echo "soak: ok"
[ "$ok" -eq 1 ]
