# The bash completion (tools/completion/vidwrite.bash): sourced into a plain bash, asked as bash
# would ask it, with the command under test as the word being completed.
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VIDWRITE = os.environ.get("VIDWRITE") or str(REPO / "build" / "tools" / "vidwrite")
COMPLETION = os.environ.get("VIDWRITE_COMPLETION") or str(
    REPO / "tools" / "completion" / "vidwrite.bash")

# Sets COMP_WORDS/COMP_CWORD as bash does for the words given (the last is the one being
# completed), calls the completion function and prints COMPREPLY, one a line.
DRIVER = r'''
. "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
_vidwrite
printf '%s\n' "${COMPREPLY[@]}"
'''


def complete(*words, cwd=None):
    out = subprocess.run(["bash", "--norc", "--noprofile", "-c", DRIVER, "bash", COMPLETION,
                          VIDWRITE, *words], capture_output=True, text=True, check=True,
                         timeout=120, cwd=cwd).stdout
    return [line for line in out.split("\n") if line]


def test_registered_for_the_command():
    out = subprocess.run(["bash", "--norc", "--noprofile", "-c", '. "$1"; complete -p vidwrite',
                          "bash", COMPLETION], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "complete -F _vidwrite vidwrite"


def test_long_options_from_help():
    assert complete("--li") == ["--list-codecs"]
    options = complete("--")
    assert len(options) == len(set(options)), options
    for option in ("--input", "--codec", "--audio-codec", "--ar", "--ac", "--demo", "--version",
                   "--help"):
        assert option in options
    # Only the option table: the examples in --help's description mention options too.
    assert all(o.startswith("--") for o in options)


def test_video_codec_names_from_list_codecs():
    names = complete("-c", "lib")
    assert "libx264" in names and "libvpx-vp9" in names
    assert all(n.startswith("lib") for n in names)
    # Unavailable here (no svtav1enc in Debian 12), and audio codecs are not video codecs.
    assert "libsvtav1" not in names and "libopus" not in names
    assert complete("--codec", "=", "libx2") == ["libx264", "libx264rgb", "libx265"]
    assert "libx264" in complete("--codec", "=")


def test_audio_codec_names():
    names = complete("--audio-codec", "lib")
    assert "libopus" in names and "libvorbis" in names
    assert "libx264" not in names and "libfdk_aac" not in names


def test_option_keys_of_the_chosen_codec():
    assert complete("-o", "pre") == ["preset="]  # libx264, the default
    assert sorted(complete("-c", "libvpx-vp9", "-o", "c")) == [
        "color_primaries=", "color_range=", "color_trc=", "colorspace=", "cpu-used=", "crf="]
    assert "frame_duration=" in complete("--audio-codec", "libopus", "--audio-option", "")
    assert complete("-o", "crf", "=", "") == []


def test_pixel_formats_and_files(tmp_path):
    assert complete("-p", "bg") == ["bgr24", "bgra"]
    (tmp_path / "frames.rgb").write_bytes(b"")
    (tmp_path / "voice.wav").write_bytes(b"")
    assert complete("-i", "fr", cwd=tmp_path) == ["frames.rgb"]
    assert complete("--audio", "=", "vo", cwd=tmp_path) == ["voice.wav"]
    assert complete("-i", "frames.rgb", "ou", cwd=tmp_path) == []
    assert complete("-s", "", cwd=tmp_path) == []
