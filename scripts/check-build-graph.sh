#!/usr/bin/env bash
# Builds every object file alone from a clean build directory (and with --all, every library and
# program too), so that a missing dependency on a generated header, which ninja's usual order
# would hide, fails here rather than on a fresh machine.
#
#   scripts/check-build-graph.sh [--all] [BUILD_DIR [MESON OPTIONS...]]
set -uo pipefail
cd "$(dirname "$0")/.."
all=0
if [ "${1:-}" = --all ]; then all=1; shift; fi
dir=${1:-build-graph}
shift || true
rm -rf "$dir"
meson setup "$dir" "$@" >/dev/null || exit 1
targets=()
mapfile -t targets < <(ninja -C "$dir" -t targets all | sed -n 's/^\([^:]*\.o\): .*/\1/p')
if [ "$all" = 1 ]; then
  mapfile -t -O "${#targets[@]}" targets < <(meson introspect "$dir" --targets |
    /usr/bin/python3 -c 'import json, os, sys
for t in json.load(sys.stdin):
    for f in t["filename"]:
        print(os.path.relpath(f, sys.argv[1]))' "$(cd "$dir" && pwd -P)")
fi
failed=0
for target in "${targets[@]}"; do
  ninja -C "$dir" -t clean >/dev/null
  if ninja -C "$dir" "$target" >"$dir/last.log" 2>&1; then
    echo "ok   $target"
  else
    echo "FAIL $target"
    grep -m 3 -E "error|No such file" "$dir/last.log" | sed 's/^/     /'
    failed=$((failed + 1))
  fi
done
echo "build graph: ${#targets[@]} targets built alone from a clean directory, $failed failed"
rm -rf "$dir"
[ "$failed" -eq 0 ]
