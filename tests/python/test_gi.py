# SPDX-License-Identifier: LGPL-2.1-or-later
"""The typelib used directly from Python, without the vidwrite package."""

import os

import gi
import pytest

gi.require_version("Vidwrite", "1.0")
from gi.repository import GLib, Vidwrite  # noqa: E402

from conftest import decode_video, pattern, psnr, video_stream  # noqa: E402


def test_rate_to_fraction():
    assert Vidwrite.rate_to_fraction(29.97)[1:] == (30000, 1001)
    assert Vidwrite.rate_to_fraction(12.5)[1:] == (25, 2)


def test_error_domain_and_code():
    with pytest.raises(GLib.Error) as caught:
        Vidwrite.rate_to_fraction(-1.0)
    error = caught.value
    assert error.domain == "vidwrite-error-quark"
    assert error.code == Vidwrite.Error.INVALID_ARGUMENT
    assert error.matches(Vidwrite.error_quark(), Vidwrite.Error.INVALID_ARGUMENT)
    assert "-1" in error.message


def test_writer_through_gi(tmp_path):
    video = pattern(10, 32, 48)
    path = str(tmp_path / "gi.mkv")
    progress = []
    writer = Vidwrite.Writer.new(path)
    assert writer.props.filename == path
    writer.set_video(48, 32, Vidwrite.PixelFormat.RGB, 30000, 1001, "libx264",
                     {"crf": "10", "preset": "ultrafast"})
    writer.connect("progress", lambda _w, encoded, pushed: progress.append((encoded, pushed)))
    writer.push_frames(GLib.Bytes.new(video[:4].tobytes()))
    writer.push_frames(GLib.Bytes.new(video[4:].tobytes()))
    assert writer.finish(None)
    assert writer.props.frames_pushed == 10 and writer.get_frames_encoded() == 10
    assert progress[-1] == (10, 10)
    assert video_stream(path)["r_frame_rate"] == "30000/1001"
    assert psnr(video, decode_video(path)) > 32


def test_write_video_through_gi(tmp_path):
    video = pattern(5, 32, 32, 4)
    path = str(tmp_path / "gi.mp4")
    assert Vidwrite.write_video(path, GLib.Bytes.new(video.tobytes()), 5, 32, 32, 4, 25.0,
                                None, {"preset": "ultrafast"}, None, 0, 0, None, None)
    assert int(video_stream(path)["nb_read_frames"]) == 5


def test_gi_error_from_the_writer(tmp_path):
    writer = Vidwrite.Writer.new(str(tmp_path / "x.mp4"))
    with pytest.raises(GLib.Error) as caught:
        writer.set_video(32, 32, Vidwrite.PixelFormat.RGB, 25, 1, "libx264", {"crfx": "1"})
    assert caught.value.code == Vidwrite.Error.INVALID_OPTION
    assert "crfx" in caught.value.message
    writer.cancel()
    assert os.listdir(tmp_path) == []
