# SPDX-License-Identifier: LGPL-2.1-or-later
"""16-bit frames and the colour options from Python (issue 13, part 2)."""

import subprocess

import numpy as np
import pytest

import vidwrite
from conftest import FFMPEG, pattern, video_stream


def decode16(path, pix_fmt, channels):
    stream = video_stream(path)
    raw = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt",
                          pix_fmt, "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, "<u2").reshape(-1, stream["height"], stream["width"], channels)


def psnr16(expected, actual):
    mse = np.mean((expected.astype(np.float64) - actual.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(65535.0 ** 2 / mse)


def deep_pattern(frames, height, width, channels=3):
    """The 8-bit pattern widened to 16 bits, with detail below 8 bits."""
    base = pattern(frames, height, width, channels).astype(np.uint16) * 257
    return base - (np.arange(base.size, dtype=np.uint16).reshape(base.shape) % 200) * (base > 0)


def test_uint16_rgb_is_10_bit(tmp_path):
    frames = deep_pattern(4, 32, 48)
    out = tmp_path / "deep.mkv"
    vidwrite.write_video(str(out), frames, 25, video_codec="ffv1",
                         options={"pix_fmt": "yuv444p10le"})
    assert video_stream(out)["pix_fmt"] == "yuv444p10le"
    # 8-bit samples of this source come to at most 49 dB: 10 bits keep more.
    assert psnr16(frames, decode16(out, "rgb48le", 3)) > 52


def test_uint16_default_is_yuv420p10le(tmp_path):
    # 48 wide: x265's cuTree corrupted its heap there (vidwrite turns it off).
    frames = deep_pattern(4, 32, 48)
    out = tmp_path / "deep.mkv"
    vidwrite.write_video(str(out), frames, 25, video_codec="libx265")
    stream = video_stream(out)
    assert (stream["pix_fmt"], int(stream["nb_read_frames"])) == ("yuv420p10le", 4)
    assert psnr16(frames, decode16(out, "rgb48le", 3)) > 30


def test_uint16_gray_writer_is_lossless_in_ffv1(tmp_path):
    rng = np.random.default_rng(7)
    frames = rng.integers(0, 65536, (3, 24, 40, 1), dtype=np.uint16)
    out = tmp_path / "gray.mkv"
    with vidwrite.Writer(str(out), 25, 40, 24, channels=1, video_codec="ffv1",
                         dtype="uint16") as writer:
        writer.write_frames(frames[:2])
        writer.write_frames(frames[2])
    assert video_stream(out)["pix_fmt"] == "gray16le"
    assert np.array_equal(decode16(out, "gray16le", 1), frames)


def test_big_endian_uint16_is_read_as_numbers(tmp_path):
    frames = deep_pattern(2, 16, 32, 1)
    out = tmp_path / "be.mkv"
    vidwrite.write_video(str(out), frames.astype(">u2"), 25, video_codec="ffv1")
    assert np.array_equal(decode16(out, "gray16le", 1), frames)


def test_uint16_errors(tmp_path):
    with pytest.raises(vidwrite.Error, match="16-bit frames are gray or RGB"):
        vidwrite.write_video(str(tmp_path / "a.mkv"), np.zeros((1, 16, 16, 4), np.uint16), 25)
    with vidwrite.Writer(str(tmp_path / "b.mkv"), 25, 16, 16) as writer:
        with pytest.raises(vidwrite.Error, match="dtype uint16 .* uint8"):
            writer.write_frames(np.zeros((1, 16, 16, 3), np.uint16))
        writer.write_frames(np.zeros((1, 16, 16, 3), np.uint8))
    with pytest.raises(vidwrite.Error, match="10-bit"):
        vidwrite.write_video(str(tmp_path / "c.mkv"), np.zeros((1, 16, 16, 3), np.uint16), 25,
                             video_codec="libaom-av1")
    with pytest.raises(vidwrite.Error, match="int32"):
        vidwrite.write_video(str(tmp_path / "d.mkv"), np.zeros((1, 16, 16, 3), np.int32), 25)


def test_colour_options_tag_the_stream(tmp_path):
    out = tmp_path / "709.mp4"
    vidwrite.write_video(str(out), pattern(3, 32, 48), 25,
                         options={"colorspace": "bt709", "color_range": "pc"})
    stream = video_stream(out)
    assert (stream["color_space"], stream["color_range"], stream["color_primaries"],
            stream["color_transfer"]) == ("bt709", "pc", "bt709", "bt709")
    with pytest.raises(vidwrite.Error, match="colorspace.*bt709x"):
        vidwrite.write_video(str(tmp_path / "x.mp4"), pattern(1, 32, 48), 25,
                             options={"colorspace": "bt709x"})
