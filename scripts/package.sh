#!/usr/bin/env bash
# Builds the Debian packages (debian/) and tests them: dpkg-buildpackage -b, lintian, then the
# autopkgtests of debian/tests against the built packages.  Artifacts go to build-deb/ (or
# $VIDWRITE_PACKAGE_DIR), outside the source tree that is built: a copy of the checkout's files
# (tracked ones and new ones git does not ignore) in build-deb/src.
#
#   scripts/package.sh             autopkgtest's null runner: installs the packages on THIS
#                                  machine (as root, with apt), runs the tests, then purges the
#                                  packages it installed.  For CI and disposable machines.
#   scripts/package.sh --unpacked  installs nothing of vidwrite: runs the same debian/tests
#                                  scripts against the packages unpacked (dpkg -x) into
#                                  build-deb/root, through PATH, LD_LIBRARY_PATH, GI_TYPELIB_PATH,
#                                  PYTHONPATH and PKG_CONFIG_PATH.
#   scripts/package.sh --build-only
#
# Exits non-zero if the build fails, lintian reports an error, or a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh

mode=autopkgtest
case "${1:-}" in
  "") ;;
  --unpacked) mode=unpacked ;;
  --build-only) mode=none ;;
  *) echo "usage: $0 [--unpacked|--build-only]" >&2; exit 2 ;;
esac

vw_install_deps package
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

out=$(realpath -m "${VIDWRITE_PACKAGE_DIR:-build-deb}")
rm -rf "$out"
mkdir -p "$out/src"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$out/src"

echo "package.sh: building in $out/src (log: $out/build.log)" >&2
if ! (cd "$out/src" && nice dpkg-buildpackage -us -uc -b) > "$out/build.log" 2>&1; then
  tail -n 40 "$out/build.log" >&2
  echo "package.sh: dpkg-buildpackage failed" >&2
  exit 1
fi
changes=$(ls "$out"/*.changes)
# dpkg-gensymbols reports symbols the library gained or lost against debian/*.symbols.
sed -n '/dpkg-gensymbols: warning/,/^$/p' "$out/build.log" >&2
ls "$out"/*.deb

echo "package.sh: lintian" >&2
lintian_status=0
lintian --fail-on error --display-info --pedantic "$changes" > "$out/lintian.log" 2>&1 ||
  lintian_status=$?
grep -v '^running with root' "$out/lintian.log" || true
[ "$lintian_status" -eq 0 ] || { echo "package.sh: lintian reports errors" >&2; exit 1; }

debs=()
for deb in "$out"/*.deb; do
  case $deb in *-dbgsym_*) ;; *) debs+=("$deb") ;; esac
done

case $mode in
  none) exit 0 ;;
  autopkgtest)
    ours=$(for deb in "${debs[@]}"; do dpkg-deb -f "$deb" Package; done)
    installed_before=""
    for p in $ours; do
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" &&
        installed_before="$installed_before $p"
    done
    # Leave the machine as it was, whatever happens: remove the packages that were not installed
    # before (waiting for the dpkg lock if another apt is at work).
    purge_ours () {
      local remove="" p
      for p in $ours; do
        case " $installed_before " in *" $p "*) ;; *) remove="$remove $p" ;; esac
      done
      # shellcheck disable=SC2086
      [ -z "$remove" ] || $sudo apt-get -o DPkg::Lock::Timeout=600 purge -y -q $remove >/dev/null ||
        echo "package.sh: could not remove$remove; remove them by hand" >&2
    }
    trap purge_ours EXIT
    status=0
    # The null runner runs apt and dpkg on this machine: it fails ("/var/lib/dpkg/updates
    # contains some files") if another apt is installing at the same time.
    $sudo autopkgtest --no-built-binaries --output-dir "$out/autopkgtest" \
      --summary-file "$out/autopkgtest.summary" "${debs[@]}" "$out/src" -- null || status=$?
    cat "$out/autopkgtest.summary"
    # 0: all passed; 2: at least one skipped; anything else failed.
    [ "$status" -eq 0 ] || { echo "package.sh: autopkgtest exit status $status" >&2; exit 1; }
    ;;
  unpacked)
    root=$out/root
    for deb in "${debs[@]}"; do dpkg-deb -x "$deb" "$root"; done
    multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
    pc=$root/usr/lib/$multiarch/pkgconfig/vidwrite-1.0.pc
    sed -i "s|^prefix=/usr\$|prefix=$root/usr|" "$pc"
    export VIDWRITE_PREFIX=$root/usr
    export PATH=$root/usr/bin:$PATH
    export LD_LIBRARY_PATH=$root/usr/lib/$multiarch${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    export GI_TYPELIB_PATH=$root/usr/lib/$multiarch/girepository-1.0
    export PYTHONPATH=$root/usr/lib/python3/dist-packages
    export PKG_CONFIG_PATH=$root/usr/lib/$multiarch/pkgconfig
    failed=0
    for t in $(sed -n 's/^Tests: *//p' debian/tests/control); do
      AUTOPKGTEST_TMP=$(mktemp -d)
      export AUTOPKGTEST_TMP
      if (cd "$out/src" && "debian/tests/$t") > "$out/test-$t.log" 2>&1; then
        echo "$t PASS"
      else
        echo "$t FAIL"
        sed 's/^/  /' "$out/test-$t.log"
        failed=1
      fi
      rm -rf "$AUTOPKGTEST_TMP"
    done
    [ "$failed" -eq 0 ]
    ;;
esac
