#!/usr/bin/env bash
# Installs what the benchmark needs, builds vidwrite in build/, and runs bench/run.py under nice
# with the arguments given (--quick for a development run; see bench/run.py --help).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/scripts/deps.sh"
vw_install_deps bench

build="$repo/${VIDWRITE_BUILD_DIR:-build}"
cd "$repo"
vw_build "$build" >/dev/null
exec nice /usr/bin/python3 "$repo/bench/run.py" --build "$build" "$@"
