# SPDX-License-Identifier: LGPL-2.1-or-later
"""vidwrite.write_video: torchvision's signature, the inputs it takes, what it writes."""

import inspect
import json
import subprocess
import time
from fractions import Fraction

import numpy as np
import pytest

import vidwrite
from conftest import (FAITHFUL_DB, FAST, FFPROBE, assert_samples, audio_stream, decode_audio, decode_video,
                      dominant_frequency, pattern, psnr, tones, video_stream)

# torchvision 0.14's torchvision.io.write_video, as its source declares it.
TORCHVISION_PARAMETERS = [
    ("filename", inspect.Parameter.empty),
    ("video_array", inspect.Parameter.empty),
    ("fps", inspect.Parameter.empty),
    ("video_codec", "libx264"),
    ("options", None),
    ("audio_array", None),
    ("audio_fps", None),
    ("audio_codec", None),
    ("audio_options", None),
]


def parameters(function):
    return [(p.name, p.default, p.kind) for p in inspect.signature(function).parameters.values()]


# torchvision's parameters, in its order, then vidwrite's own, keyword-only: code written for
# torchvision calls it unchanged.
OWN = [("format", None, inspect.Parameter.KEYWORD_ONLY),
       ("pts", None, inspect.Parameter.KEYWORD_ONLY)]


def test_signature_is_torchvisions():
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert parameters(vidwrite.write_video) == \
        [(n, d, kind) for n, d in TORCHVISION_PARAMETERS] + OWN


def test_signature_matches_installed_torchvision():
    io = pytest.importorskip("torchvision.io")
    assert parameters(vidwrite.write_video) == parameters(io.write_video) + OWN


def test_numpy_rgb(tmp_path):
    video = pattern(12, 48, 64)
    path = tmp_path / "numpy.mp4"
    vidwrite.write_video(str(path), video, 25, options={"crf": 10, **FAST})
    stream = video_stream(path)
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("h264", 64, 48)
    assert stream["r_frame_rate"] == "25/1"
    assert int(stream["nb_read_frames"]) == 12
    assert psnr(video, decode_video(path)) > FAITHFUL_DB


def test_torch_tensor(tmp_path, torch):
    video = pattern(10, 32, 48)
    path = tmp_path / "torch.mkv"
    vidwrite.write_video(path, torch.from_numpy(video), 30.0, options={"crf": 10, **FAST})
    assert int(video_stream(path)["nb_read_frames"]) == 10
    assert psnr(video, decode_video(path)) > FAITHFUL_DB


def test_torch_tensor_requiring_grad_and_permuted(tmp_path, torch):
    """A [T, C, H, W] tensor permuted to [T, H, W, C]: strided, as models produce them."""
    video = pattern(6, 32, 48)
    tchw = torch.from_numpy(video).permute(0, 3, 1, 2).contiguous()
    path = tmp_path / "permuted.mp4"
    vidwrite.write_video(path, tchw.permute(0, 2, 3, 1), 24, options={"crf": 10, **FAST})
    assert psnr(video, decode_video(path)) > FAITHFUL_DB


def test_non_contiguous_view(tmp_path):
    """Every other frame, flipped, a cropped window: the view's pixels, not its base's."""
    base = pattern(16, 64, 96)
    view = base[::2, 8:56, ::-1][:, :, 10:74]
    assert not view.flags.c_contiguous
    path = tmp_path / "view.mp4"
    vidwrite.write_video(str(path), view, 25, options={"crf": 10, **FAST})
    decoded = decode_video(path)
    assert decoded.shape == (8, 48, 64, 3)
    assert psnr(view, decoded) > FAITHFUL_DB
    assert psnr(np.ascontiguousarray(base[::2, 8:56, 10:74]), decoded) < 25


@pytest.mark.parametrize("fps", [29.97, Fraction(30000, 1001)], ids=["float", "fraction"])
def test_ntsc_rate(tmp_path, fps):
    path = tmp_path / "ntsc.mp4"
    vidwrite.write_video(str(path), pattern(30, 32, 32), fps, options=FAST)
    stream = video_stream(path)
    assert stream["r_frame_rate"] == "30000/1001"
    assert int(stream["nb_read_frames"]) == 30
    assert float(stream["duration"]) == pytest.approx(30 * 1001 / 30000, abs=1e-3)


def test_fraction_is_exact(tmp_path):
    path = tmp_path / "rate.mkv"
    vidwrite.write_video(str(path), pattern(5, 32, 32), Fraction(25, 2), options=FAST)
    assert video_stream(path)["r_frame_rate"] == "25/2"


def test_torch_audio_aac_channels_apart(tmp_path, torch):
    """The call torchvision 0.14 fails on: float [C, N] audio with aac."""
    rate = 48000
    audio = torch.from_numpy(tones([440, 1000], rate, 1.0)).float()
    path = tmp_path / "audio.mp4"
    vidwrite.write_video(str(path), torch.from_numpy(pattern(25, 32, 32)), 25, options=FAST,
                         audio_array=audio, audio_fps=rate, audio_codec="aac")
    stream = audio_stream(path)
    assert (stream["codec_name"], int(stream["channels"]), int(stream["sample_rate"])) == \
        ("aac", 2, rate)
    decoded = decode_audio(path)
    assert decoded.shape[1] == pytest.approx(rate, rel=0.05)
    middle = slice(rate // 4, 3 * rate // 4)
    assert dominant_frequency(decoded[0, middle], rate) == pytest.approx(440, abs=5)
    assert dominant_frequency(decoded[1, middle], rate) == pytest.approx(1000, abs=5)
    assert np.abs(decoded[0, middle]).max() == pytest.approx(0.5, abs=0.05)


def test_int16_audio_is_scaled(tmp_path):
    rate = 44100
    audio = (tones([660], rate, 1.0) * 32767).astype(np.int16)
    path = tmp_path / "int16.mkv"
    vidwrite.write_video(str(path), pattern(25, 32, 32), 25, options=FAST,
                         audio_array=audio, audio_fps=rate, audio_codec="flac")
    decoded = decode_audio(path)
    assert decoded.shape == (1, rate)
    np.testing.assert_allclose(decoded[0], audio[0] / 32768, atol=1e-4)


@pytest.mark.parametrize("channels", [1, 4], ids=["gray", "rgba"])
def test_gray_and_rgba(tmp_path, channels):
    video = pattern(8, 48, 64, channels)
    path = tmp_path / "channels.mp4"
    vidwrite.write_video(str(path), video, 25, options={"crf": 10, **FAST})
    assert int(video_stream(path)["nb_read_frames"]) == 8
    if channels == 1:
        assert psnr(video, decode_video(path, "gray")) > FAITHFUL_DB
    else:
        assert psnr(video[..., :3], decode_video(path)) > FAITHFUL_DB


def key_frames(path):
    out = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v", "-show_entries",
                          "frame=key_frame", "-of", "json", str(path)],
                         check=True, capture_output=True, text=True).stdout
    return sum(frame["key_frame"] for frame in json.loads(out)["frames"])


def test_option_values_of_any_type(tmp_path):
    """int and float values reach the encoder: g=4 puts a key frame every 4 frames."""
    path = tmp_path / "options.mp4"
    vidwrite.write_video(str(path), pattern(12, 32, 32), 25,
                         options={"crf": 20.0, "preset": "ultrafast", "g": 4})
    assert int(video_stream(path)["nb_read_frames"]) == 12
    assert key_frames(path) == 3


@pytest.mark.parametrize("audio_seconds", [0.5, 2.0, 5.0, 12.0])
def test_audio_of_any_length(tmp_path, audio_seconds):
    """2 s of video with shorter, equal and longer soundtracks: every frame and every sample are
    kept, and the write ends promptly (a longer one used to wait out the 120 s stall timeout)."""
    rate = 48000
    path = tmp_path / "lengths.mp4"
    start = time.monotonic()
    vidwrite.write_video(str(path), pattern(60, 32, 48), 30, options=FAST,
                         audio_array=tones([440, 660], rate, audio_seconds), audio_fps=rate,
                         audio_codec="aac")
    assert time.monotonic() - start < 60  # no-hang bound, not a speed test
    assert int(video_stream(path)["nb_read_frames"]) == 60
    audio = audio_stream(path)
    assert float(audio["duration"]) == pytest.approx(audio_seconds, abs=0.1)
    assert_samples(decode_audio(path).shape[1], rate * audio_seconds)


@pytest.mark.parametrize("audio_first", [False, True])
def test_writer_long_soundtrack_any_order(tmp_path, audio_first):
    rate = 16000
    path = tmp_path / "writer-lengths.mkv"
    with vidwrite.Writer(str(path), 30, 48, 32, options=FAST, audio_fps=rate,
                         audio_channels=1, audio_codec="flac") as writer:
        sound = tones([500], rate, 5.0)
        if audio_first:
            writer.write_audio(sound)
        writer.write_frames(pattern(60, 32, 48))
        if not audio_first:
            writer.write_audio(sound)
    assert int(video_stream(path)["nb_read_frames"]) == 60
    assert decode_audio(path).shape[1] == 5 * rate
