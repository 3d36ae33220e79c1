# Sourced by the scripts: installs the Debian packages vidwrite needs, when any is missing, and
# builds.  Usage: vw_install_deps build|test|demo|bench|package; vw_build DIR [MESON OPTIONS...]

VW_BUILD_PACKAGES="meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gobject-introspection
  libgirepository1.0-dev gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav libx264-dev scdoc"
# python3-torch (about 490 MiB installed with its dependencies, 120 MiB to download with
# the others here) so that the torch tests run; torchvision and PyAV for the comparison tests;
# gjs for the GJS test; gi-docgen for the API reference (-Ddocs=true) and its check; GTK 4 (C
# headers, typelib, PyGObject's cairo) and Xvfb for the GTK recorders of examples/ (-Dexamples);
# python3-hypothesis draws the generated writes (tests/generated/); nginx's RTMP module and srt-live-transmit as the live servers the target tests start and kill;
# Dask (python3-dask, python3-distributed) for examples/dask_clips.py and its test.
VW_TEST_PACKAGES="ffmpeg python3-gi python3-numpy python3-pytest python3-torch python3-torchvision
  python3-av gjs gi-docgen libgtk-4-dev gir1.2-gtk-4.0 python3-gi-cairo xvfb xauth
  libnginx-mod-rtmp srt-tools python3-hypothesis python3-dask python3-distributed"
# The libFuzzer targets (scripts/fuzz.sh, and briefly in CI: the fuzz suite of build-fuzz-ci):
# clang and its runtime libraries (libFuzzer, ASan, UBSan).
VW_FUZZ_PACKAGES="clang libclang-rt-14-dev"
# bench/run.sh: the tools it compares against (ffmpeg, torchvision with PyAV), Pillow and the
# DejaVu fonts for its synthetic screen recording, matplotlib for its chart, GNU time for peak
# RSS, valgrind for bench/profile.sh.  Never needed by the tests.
VW_BENCH_PACKAGES="ffmpeg time python3-gi python3-numpy python3-torch python3-torchvision python3-av
  python3-pil fonts-dejavu-core python3-matplotlib valgrind"
# scripts/package.sh: debhelper and dh-python for debian/rules, lintian and autopkgtest, and
# what debian/tests needs (a C compiler and FFmpeg to decode, python3-gi and numpy, man).
VW_PACKAGE_PACKAGES="dpkg-dev debhelper dh-python python3 lintian autopkgtest ffmpeg python3-gi
  python3-numpy man-db"

vw_install_deps () {
  local wanted="$VW_BUILD_PACKAGES"
  case "${1:-build}" in
    test) wanted="$wanted $VW_TEST_PACKAGES $VW_FUZZ_PACKAGES" ;;
    fuzz) wanted="$wanted $VW_FUZZ_PACKAGES" ;;
    demo) wanted="$wanted ffmpeg" ;;
    bench) wanted="$wanted $VW_BENCH_PACKAGES" ;;
    package) wanted="$wanted $VW_PACKAGE_PACKAGES" ;;
  esac
  local missing=""
  for p in $wanted; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  echo "vidwrite: installing$missing" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q >&2
  # shellcheck disable=SC2086
  $sudo apt-get install -y -q --no-install-recommends $missing >&2
}

# Configures DIR (reconfigures it if it exists, wipes it if that fails) and compiles it.
vw_build () {
  local dir=$1
  shift
  if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null || meson setup --wipe "$dir" "$@" >/dev/null ||
      return 1
  else
    meson setup "$dir" "$@" >/dev/null || return 1
  fi
  meson compile -C "$dir"
}
