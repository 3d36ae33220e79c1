# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers for the Python tests: test patterns and tones, and decoding with FFmpeg."""

import json
import os
import subprocess

import numpy as np
import pytest

FFMPEG = os.environ.get("FFMPEG", "ffmpeg")
FFPROBE = os.environ.get("FFPROBE", "ffprobe")
FAST = {"preset": "ultrafast"}
# crf 10 on these small test patterns decodes at 34 dB and more; wrong pixels (another frame,
# an unflipped view, swapped channels) fall below 25 dB.
FAITHFUL_DB = 32
# What FFmpeg decodes holds every sample pushed and at most this many more: the encoder's priming
# (no edit list from GStreamer's muxers: 1600 for voaacenc) and the silence of its last frame.
AUDIO_EXTRA = 1600 + 1023


def assert_samples(decoded, pushed):
    assert pushed <= decoded <= pushed + AUDIO_EXTRA, (decoded, pushed)


def pattern(frames, height, width, channels=3):
    """Smooth colour waves drifting over time and a brighter moving square: easy to encode
    well, and every frame and every position different."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    video = np.empty((frames, height, width, channels), np.uint8)
    side = max(2, min(height, width) // 4)
    for t in range(frames):
        planes = [128 + 90 * np.sin(2 * np.pi * x / width + 0.3 * t),
                  128 + 90 * np.sin(2 * np.pi * y / height + 0.2 * t),
                  128 + 90 * np.cos(2 * np.pi * (x + y) / (width + height) - 0.25 * t),
                  np.full_like(x, 200)]
        frame = np.stack(planes[:channels], axis=-1)
        top, left = (2 * t) % (height - side + 1), (3 * t) % (width - side + 1)
        frame[top:top + side, left:left + side, :min(channels, 3)] += 30
        video[t] = np.clip(np.round(frame), 0, 255)
    return video


def tones(frequencies, rate, seconds, amplitude=0.5):
    """[C, N] float64: one sine a channel."""
    t = np.arange(int(rate * seconds)) / rate
    return np.stack([amplitude * np.sin(2 * np.pi * f * t) for f in frequencies])


def probe(path):
    """ffprobe's streams (with counted frames) and format, as dicts."""
    out = subprocess.run([FFPROBE, "-v", "error", "-count_frames", "-show_streams",
                          "-show_format", "-of", "json", str(path)],
                         check=True, capture_output=True, text=True).stdout
    info = json.loads(out)
    return info["streams"], info["format"]


def video_stream(path):
    streams, _ = probe(path)
    return next(s for s in streams if s["codec_type"] == "video")


def audio_stream(path):
    streams, _ = probe(path)
    return next(s for s in streams if s["codec_type"] == "audio")


def decode_video(path, pix_fmt="rgb24"):
    """Every frame as FFmpeg decodes it (what torchvision and PyAV readers see)."""
    stream = video_stream(path)
    width, height = stream["width"], stream["height"]
    raw = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-f", "rawvideo",
                          "-pix_fmt", pix_fmt, "-"], check=True, capture_output=True).stdout
    channels = {"rgb24": 3, "gray": 1}[pix_fmt]
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, channels)


def decode_audio(path):
    """[C, N] float32 at the file's own rate and channel count."""
    stream = audio_stream(path)
    raw = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-vn", "-f", "f32le",
                          "-acodec", "pcm_f32le", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.float32).reshape(-1, int(stream["channels"])).T


def psnr(expected, actual):
    mse = np.mean((expected.astype(np.float64) - actual.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def dominant_frequency(signal, rate):
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal))))
    return np.argmax(spectrum) * rate / len(signal)


@pytest.fixture
def torch():
    """torch, when Debian's python3-torch is installed (scripts/deps.sh installs it)."""
    return pytest.importorskip("torch")
