# SPDX-License-Identifier: LGPL-2.1-or-later
"""Frames with their own presentation times (variable frame rate): Writer.write_frames(pts=)
and write_video(pts=), checked with ffprobe's packet times."""

import subprocess
from fractions import Fraction

import numpy as np
import pytest

import vidwrite
from conftest import FAST, FFPROBE, assert_samples, decode_audio, pattern, tones, video_stream

# A frame, a 1.5 s gap, jittered 30 fps, 0.25 ms steps, a 2 s gap, 30 fps again: seconds.
TIMES = ([0.0, 1.5, 1.53, 1.57, 1.6, 1.63] + [1.63 + 0.00025 * k for k in range(1, 4)]
         + [3.7 + k / 30 for k in range(6)])
NOMINAL = 1 / 30


def packet_times(path):
    """Presentation times of the video packets in seconds, sorted, and one tick of the time
    base."""
    out = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "stream=time_base:packet=pts", "-of", "csv=p=0", str(path)],
                         check=True, capture_output=True, text=True).stdout.split()
    base = Fraction(next(line for line in out if "/" in line))
    return sorted(int(line) * base for line in out if "/" not in line), base


def duration(path):
    return float(subprocess.run([FFPROBE, "-v", "error", "-show_entries", "format=duration",
                                 "-of", "csv=p=0", str(path)],
                                check=True, capture_output=True, text=True).stdout)


def assert_times(path, seconds):
    got, tick = packet_times(path)
    assert len(got) == len(seconds)
    for i, (t, expected) in enumerate(zip(got, seconds)):
        assert abs(t - Fraction(expected)) <= tick, f"frame {i}: {float(t)} s, given {expected}"


@pytest.mark.parametrize("extension,codec,options", [
    ("mp4", "libx264", FAST),
    ("mkv", "libx264", FAST),
    ("webm", "libvpx-vp9", {"deadline": "realtime", "cpu-used": 8}),
])
def test_writer_pts_seconds(tmp_path, extension, codec, options):
    video = pattern(len(TIMES), 48, 64)
    path = tmp_path / f"vfr.{extension}"
    with vidwrite.Writer(path, 30, 64, 48, video_codec=codec, options=options) as writer:
        # Uneven parts: times strictly increase across calls too.
        for start, stop in ((0, 1), (1, 4), (4, 11), (11, len(TIMES))):
            writer.write_frames(video[start:stop], pts=TIMES[start:stop])
    assert_times(path, TIMES)
    assert duration(path) == pytest.approx(TIMES[-1] + NOMINAL, abs=0.0011)
    assert int(video_stream(path)["nb_read_frames"]) == len(TIMES)


@pytest.mark.parametrize("kind", ["fraction", "nanoseconds", "numpy-ns", "numpy-seconds",
                                  "torch-seconds"])
def test_pts_kinds(tmp_path, kind):
    given = [Fraction(0), Fraction(1, 10), Fraction(1, 4), Fraction(7, 3)]
    pts = {
        "fraction": given,
        "nanoseconds": [int(t * 1_000_000_000) for t in given],
        "numpy-ns": np.array([int(t * 1_000_000_000) for t in given], np.int64),
        "numpy-seconds": np.array([float(t) for t in given]),
        "torch-seconds": None,
    }[kind]
    if kind == "torch-seconds":
        torch = pytest.importorskip("torch")
        pts = torch.tensor([float(t) for t in given], dtype=torch.float64)
    path = tmp_path / "kinds.mkv"
    vidwrite.write_video(str(path), pattern(4, 48, 64), 25, options=FAST, pts=pts)
    assert_times(path, given)


def test_write_video_pts_with_audio(tmp_path):
    """The one-shot call interleaves audio by the frames' times; the audio keeps its length."""
    video = pattern(len(TIMES), 48, 64)
    audio = tones([440, 660], 48000, 3.0)
    path = tmp_path / "av.mp4"
    vidwrite.write_video(str(path), video, 30, options=FAST, audio_array=audio, audio_fps=48000,
                         audio_codec="aac", pts=TIMES)
    assert_times(path, TIMES)
    assert_samples(decode_audio(path).shape[1], audio.shape[1])


def test_plain_after_timed_continues_at_the_nominal_rate(tmp_path):
    video = pattern(5, 48, 64)
    path = tmp_path / "mixed.mkv"
    with vidwrite.Writer(path, 25, 64, 48, options=FAST) as writer:
        writer.write_frames(video[:2], pts=[0.5, 1.0])
        writer.write_frames(video[2:])
    assert_times(path, [0.5, 1.0, 1.04, 1.08, 1.12])


@pytest.mark.parametrize("pts,words", [
    ([0.0, 0.2, 0.1], ["pts[2]", "0.1", "pts[1]", "0.2"]),
    ([0.0, 0.1, 0.1], ["pts[2]", "0.1", "strictly increase"]),
    ([0.0, -0.5, 1.0], ["pts[1]", "-0.5", "0 or more"]),
    ([0, 10, -3], ["pts[2]", "-3"]),
    ([0.0, 0.1], ["2 times for 3 frames"]),
    ([0.0, float("nan"), 1.0], ["pts[1]", "nan"]),
    (["0", "1", "2"], ["pts[0]", "'0'"]),
])
def test_bad_pts(tmp_path, pts, words):
    path = tmp_path / "bad.mp4"
    with pytest.raises(vidwrite.Error) as caught:
        vidwrite.write_video(str(path), pattern(3, 48, 64), 30, pts=pts)
    assert caught.value.code == vidwrite.ErrorCode.INVALID_ARGUMENT
    for word in words:
        assert word in str(caught.value)
    assert not path.exists()


def test_pts_not_after_the_last_call(tmp_path):
    path = tmp_path / "across.mkv"
    writer = vidwrite.Writer(path, 30, 64, 48, options=FAST)
    writer.write_frames(pattern(2, 48, 64), pts=[0.0, 0.5])
    with pytest.raises(vidwrite.Error) as caught:
        writer.write_frames(pattern(1, 48, 64), pts=[0.5])
    assert caught.value.code == vidwrite.ErrorCode.INVALID_ARGUMENT
    assert "500000000" in str(caught.value) and "timestamp 0" in str(caught.value)
    writer.cancel()


def test_restamped_encoder_refuses_pts(tmp_path):
    path = tmp_path / "mjpeg.mkv"
    with pytest.raises(vidwrite.Error) as caught:
        vidwrite.write_video(str(path), pattern(2, 48, 64), 30, video_codec="mjpeg",
                             pts=[0.0, 0.3])
    assert caught.value.code == vidwrite.ErrorCode.INCOMPATIBLE
    assert "timestamps" in str(caught.value)
    assert not path.exists()
