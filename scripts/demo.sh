#!/usr/bin/env bash
# Installs what is missing, builds vidwrite, writes demo.mp4 (a moving pattern with a stereo
# tone) in the current directory with `vidwrite --demo`, and says what it wrote.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/scripts/deps.sh"
vw_install_deps demo

build="$repo/${VIDWRITE_BUILD_DIR:-build}"
(cd "$repo" && vw_build "$build" >/dev/null)

out=demo.mp4
# --progress: the library's own counts (frames encoded, rate) even without a terminal.
"$build/tools/vidwrite" --demo --progress "$out"
echo "wrote $PWD/$out ($(stat -c %s "$out") bytes)"
if command -v ffprobe >/dev/null; then
  ffprobe -v error -show_entries format=duration -of default=noprint_wrappers=1 "$out" | sed 's/^/  /'
  ffprobe -v error -count_frames -of compact=nokey=0:print_section=0 \
    -show_entries stream=codec_type,codec_name,width,height,r_frame_rate,sample_rate,channels,nb_read_frames \
    "$out" | sed 's/^/  /'
fi
