#!/usr/bin/env bash
# Generated writes with fresh seeds for MINUTES (default 30), not part of CI: the same cases and
# oracle as the 'generated' suite (tests/generated/), drawn anew each round.  Every kind of
# failure is shrunk to a minimal case and printed as a reproducer, ready to paste into
# REGRESSIONS in tests/generated/test_generated.py.  --include-known-bugs draws the KNOWN_BUGS
# and OPEN_BUGS regions too.  Exit status 1 when anything failed.
#
#   scripts/explore.sh [MINUTES] [--include-known-bugs]
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
vw_install_deps test || exit 1

minutes=${1:-30}
shift || true
build=${VIDWRITE_BUILD_DIR:-build}
[ -d "$build" ] || meson setup "$build" >/dev/null || exit 1
meson compile -C "$build" >/dev/null || exit 1

export LD_LIBRARY_PATH="$PWD/$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export GI_TYPELIB_PATH="$PWD/$build/lib${GI_TYPELIB_PATH:+:$GI_TYPELIB_PATH}"
export PYTHONPATH="$PWD/python:$PWD/tests/generated${PYTHONPATH:+:$PYTHONPATH}"
export VIDWRITE="$PWD/$build/tools/vidwrite" FFMPEG=${FFMPEG:-ffmpeg} FFPROBE=${FFPROBE:-ffprobe}
export PYTHONDONTWRITEBYTECODE=1 VW_GENERATED_SLOWDOWN=${VW_GENERATED_SLOWDOWN:-2}
exec nice /usr/bin/python3 tests/generated/explore.py "$minutes" "$@"
