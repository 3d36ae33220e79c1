# SPDX-License-Identifier: LGPL-2.1-or-later
"""torchcodec's encoder API: vidwrite.VideoEncoder and vidwrite.AudioEncoder, decoded back with
FFmpeg and compared with the FFmpeg CLI's encode of the same samples."""

import inspect
import io
import subprocess
from fractions import Fraction

import numpy as np
import pytest

import vidwrite
from conftest import (AUDIO_EXTRA, FAITHFUL_DB, FFMPEG, audio_stream, decode_audio, decode_video,
                      dominant_frequency, pattern, psnr, tones, video_stream)

FAST = {"preset": "ultrafast"}
N, H, W = 12, 48, 64


def nchw(video):
    return np.ascontiguousarray(video.transpose(0, 3, 1, 2))


def encoded_file(tmp_path, target, encoder, ext, **kwargs):
    """Encodes to `target` ("file", "tensor", "file_like"); returns the file's path."""
    path = tmp_path / f"out.{ext}"
    fmt = {"mkv": "matroska"}.get(ext, ext)
    if target == "file":
        encoder.to_file(path, **kwargs)
    elif target == "tensor":
        tensor = encoder.to_tensor(fmt, **kwargs)
        assert tensor.ndim == 1 and str(tensor.dtype).endswith("uint8")
        path.write_bytes(tensor.numpy().tobytes())
    else:
        buffer = io.BytesIO()
        assert encoder.to_file_like(buffer, fmt, **kwargs) is None
        path.write_bytes(buffer.getvalue())
    return path


def test_signatures():
    def names(function):
        return list(inspect.signature(function).parameters)

    assert names(vidwrite.VideoEncoder.__init__) == ["self", "frames", "frame_rate"]
    assert names(vidwrite.AudioEncoder.__init__) == ["self", "samples", "sample_rate"]
    video = ["codec", "pixel_format", "crf", "preset", "extra_options"]
    audio = ["bit_rate", "num_channels", "sample_rate"]
    for cls, options in ((vidwrite.VideoEncoder, video), (vidwrite.AudioEncoder, audio)):
        assert names(cls.to_file) == ["self", "dest"] + options
        assert names(cls.to_tensor) == ["self", "format"] + options
        assert names(cls.to_file_like) == ["self", "file_like", "format"] + options
        for method in (cls.to_file, cls.to_tensor, cls.to_file_like):
            for name in options:
                parameter = inspect.signature(method).parameters[name]
                assert parameter.kind == parameter.KEYWORD_ONLY and parameter.default is None


@pytest.mark.parametrize("target", ["file", "tensor", "file_like"])
@pytest.mark.parametrize("array", ["numpy", "torch"])
def test_video_targets(tmp_path, target, array, request):
    video = pattern(N, H, W)
    frames = nchw(video)
    if array == "torch":
        torch = request.getfixturevalue("torch")
        frames = torch.from_numpy(frames)
    encoder = vidwrite.VideoEncoder(frames, frame_rate=25)
    path = encoded_file(tmp_path, target, encoder, "mp4", crf=10, preset="ultrafast")
    stream = video_stream(path)
    assert stream["codec_name"] == "h264"
    assert stream["r_frame_rate"] == "25/1"
    assert int(stream["nb_read_frames"]) == N
    assert psnr(video, decode_video(path)) > FAITHFUL_DB


def test_video_options(tmp_path):
    video = pattern(N, H, W)
    encoder = vidwrite.VideoEncoder(nchw(video), Fraction(30000, 1001))
    path = tmp_path / "options.mkv"
    encoder.to_file(path, codec="libx264", pixel_format="yuv444p", crf=0, preset=1,
                    extra_options={"tune": "film"})
    stream = video_stream(path)
    assert (stream["codec_name"], stream["pix_fmt"]) == ("h264", "yuv444p")
    assert stream["r_frame_rate"] == "30000/1001"  # exact, where torchcodec takes a float
    # crf 0 in 4:4:4: only the RGB <-> YUV rounding is left.
    assert psnr(video, decode_video(path)) > 40


def test_video_container_default(tmp_path):
    """No codec: the container's, as FFmpeg picks it (VP9 for WebM); a float rate as 30000/1001."""
    data = vidwrite.VideoEncoder(nchw(pattern(4, 32, 32)), 29.97).to_tensor(
        "webm", extra_options={"deadline": "realtime", "cpu-used": 8})
    path = tmp_path / "default.webm"
    path.write_bytes(bytes(data.numpy()))
    stream = video_stream(path)
    assert stream["codec_name"] == "vp9"
    assert int(stream["nb_read_frames"]) == 4


@pytest.mark.parametrize("make", [
    lambda torch: vidwrite.VideoEncoder(torch.zeros(2, 3, 8, 8), 30),
    lambda torch: vidwrite.VideoEncoder(torch.zeros(3, 8, 8, dtype=torch.uint8), 30),
    lambda torch: vidwrite.VideoEncoder(torch.zeros(2, 3, 8, 8, dtype=torch.uint8), 0),
    lambda torch: vidwrite.VideoEncoder(torch.zeros(2, 3, 8, 8, dtype=torch.uint8), -25.0),
    lambda torch: vidwrite.VideoEncoder([[[[0]]]], 30),
    lambda torch: vidwrite.AudioEncoder(torch.zeros(2, 3, 4), 8000),
    lambda torch: vidwrite.AudioEncoder(torch.zeros(2, 4, dtype=torch.int16), 8000),
    lambda torch: vidwrite.AudioEncoder(torch.zeros(2, 4), 0),
    lambda torch: vidwrite.AudioEncoder(torch.zeros(2, 4), -8000),
    lambda torch: vidwrite.AudioEncoder(123, 8000),
])
def test_value_errors(torch, make):
    """Where torchcodec's constructors raise ValueError."""
    with pytest.raises(ValueError) as info:
        make(torch)
    assert isinstance(info.value, vidwrite.Error)


def test_runtime_errors(tmp_path):
    """Where torchcodec's encoding raises RuntimeError; nothing is left behind."""
    frames = nchw(pattern(2, 16, 16))
    video = vidwrite.VideoEncoder(frames, 25)
    audio = vidwrite.AudioEncoder(np.zeros((1, 800), np.float32), 8000)
    cases = [
        (lambda: video.to_tensor("bad_extension"), "bad_extension"),
        (lambda: video.to_file(tmp_path / "x.bad_extension"), ".bad_extension"),
        (lambda: video.to_file(tmp_path / "x.mp4", codec="invalid_codec_name"),
         "invalid_codec_name"),
        (lambda: video.to_file(tmp_path / "x.mp4", crf=-10), "-10"),
        (lambda: video.to_file(tmp_path / "x.mp4", pixel_format="invalid_pix_fmt"),
         "invalid_pix_fmt"),
        (lambda: vidwrite.VideoEncoder(frames[:, :2], 25).to_tensor("mp4"), "3 channels"),
        (lambda: video.to_file(tmp_path / "x.mp3"), "audio only"),
        (lambda: video.to_file_like(object(), "mp4"), "write method"),
        (lambda: audio.to_tensor("mp3", bit_rate=-1), "bit_rate=-1"),
        (lambda: audio.to_tensor("mp3", num_channels=0), "num_channels"),
        (lambda: audio.to_tensor("flac", num_channels=9), "“9”"),
        (lambda: audio.to_tensor("flac", sample_rate=0), "sample_rate"),
        (lambda: audio.to_tensor("bad_extension"), "bad_extension"),
    ]
    for call, words in cases:
        with pytest.raises(RuntimeError) as info:
            call()
        assert isinstance(info.value, vidwrite.Error)
        assert not isinstance(info.value, ValueError)
        assert words in str(info.value)
    assert not list(tmp_path.iterdir())


# ---- audio ---------------------------------------------------------------------------------

def chirp(rate, seconds, channels=1, top=None):
    """[C, N] float32: sweeps (one a channel, at different speeds) that line up only at lag 0."""
    t = np.arange(int(rate * seconds)) / rate
    top = top or rate * 0.4
    return np.stack([0.4 * np.sin(2 * np.pi * (100 * t + (top - 100) * t * t / (2 * seconds)
                                               / (c + 1)))
                     for c in range(channels)]).astype(np.float32)


def ffmpeg_encode(tmp_path, samples, rate, ext, *args):
    """The FFmpeg CLI's encode of the same samples."""
    raw = tmp_path / "in.f32"
    np.ascontiguousarray(samples.T, "<f4").tofile(raw)
    out = tmp_path / f"ffmpeg.{ext}"
    subprocess.run([FFMPEG, "-v", "error", "-y", "-f", "f32le", "-ar", str(rate), "-ac",
                    str(samples.shape[0]), "-i", str(raw), *args, str(out)], check=True)
    return out


def best_correlation(a, b, max_lag=3000):
    """The highest normalised correlation of two signals over lags up to max_lag."""
    n = min(len(a), len(b))
    a, b = a[:n] - a[:n].mean(), b[:n] - b[:n].mean()
    size = 1 << int(np.ceil(np.log2(2 * n)))
    full = np.fft.irfft(np.fft.rfft(a, size) * np.conj(np.fft.rfft(b, size)), size)
    lags = np.concatenate([full[:max_lag + 1], full[-max_lag:]])
    return float(lags.max() / np.sqrt(np.dot(a, a) * np.dot(b, b)))


# Extension, FFmpeg's codec for it, and how many more samples than FFmpeg's file vidwrite's may
# decode to: GStreamer writes MP3 without the LAME tag that tells FFmpeg the encoder's delay and
# padding (1105 samples and up to a frame more), and AAC in MP4 to a frame less.
# How many more samples ours decodes to than FFmpeg's file.  m4a: voaacenc's priming (no edit list
# from mp4mux) and the silence that pushes its delay out; before that, its end was lost.
AUDIO_CONTAINERS = [("mp3", "mp3", (0, 2 * 1152)), ("flac", "flac", (0, 0)),
                    ("wav", "pcm_s16le", (0, 0)), ("ogg", "vorbis", (0, 0)),
                    ("opus", "opus", (0, 0)), ("m4a", "aac", (0, AUDIO_EXTRA))]


@pytest.mark.parametrize("ext, codec, slack", AUDIO_CONTAINERS)
def test_audio_containers(tmp_path, ext, codec, slack):
    rate = 16000
    samples = chirp(rate, 1.0, channels=2)
    ours = tmp_path / f"out.{ext}"
    vidwrite.AudioEncoder(samples, rate).to_file(ours)
    theirs = ffmpeg_encode(tmp_path, samples, rate, ext)
    a, b = audio_stream(ours), audio_stream(theirs)
    assert (a["codec_name"], a["sample_rate"], a["channels"]) == (
        codec, b["sample_rate"], 2)
    x, y = decode_audio(ours), decode_audio(theirs)
    assert slack[0] <= x.shape[1] - y.shape[1] <= slack[1]
    for c in range(2):
        # Measured: 0.9999 and more for Vorbis and Opus, 0.96 for MP3, 0.95 for AAC (other
        # encoders than FFmpeg's); another channel's sweep scores near 0.
        assert best_correlation(x[c], y[c]) > 0.9
    if ext in ("flac", "wav"):  # lossless: the same samples, to a unit of 16 bits
        assert np.abs(x - y).max() <= 2 / 32768


@pytest.mark.parametrize("target", ["file", "tensor", "file_like"])
def test_audio_targets(tmp_path, target, torch):
    rate = 8000
    samples = torch.from_numpy(tones([300, 1000], rate, 0.75).astype(np.float32))
    encoder = vidwrite.AudioEncoder(samples, sample_rate=rate)
    path = encoded_file(tmp_path, target, encoder, "flac")
    stream = audio_stream(path)
    assert (stream["codec_name"], int(stream["sample_rate"]), stream["channels"]) == (
        "flac", rate, 2)
    decoded = decode_audio(path)
    assert decoded.shape == (2, 6000)
    assert np.abs(decoded - samples.numpy()).max() <= 2 / 32768


def test_audio_mono_1d_and_bit_rate(tmp_path):
    rate = 16000
    samples = tones([700], rate, 1.0)[0].astype(np.float32)  # [N]: one channel
    low = bytes(vidwrite.AudioEncoder(samples, rate).to_tensor("mp3", bit_rate=32000).numpy())
    high = bytes(vidwrite.AudioEncoder(samples, rate).to_tensor("mp3", bit_rate=128000).numpy())
    path = tmp_path / "low.mp3"
    path.write_bytes(low)
    stream = audio_stream(path)
    assert stream["channels"] == 1 and int(stream["bit_rate"]) == 32000
    assert len(high) > 3 * len(low)
    assert abs(dominant_frequency(decode_audio(path)[0], rate) - 700) < 5


@pytest.mark.parametrize("rate, out_rate", [(8000, 32000), (16000, 8000)])
def test_audio_resampling(tmp_path, rate, out_rate):
    """Resampled as FFmpeg's -ar: the same length, the same signal."""
    samples = chirp(rate, 1.0, top=0.35 * min(rate, out_rate))
    ours = tmp_path / "out.flac"
    vidwrite.AudioEncoder(samples, rate).to_file(ours, sample_rate=out_rate)
    theirs = ffmpeg_encode(tmp_path, samples, rate, "flac", "-ar", str(out_rate))
    assert int(audio_stream(ours)["sample_rate"]) == out_rate
    x, y = decode_audio(ours)[0], decode_audio(theirs)[0]
    assert len(x) == len(y) == out_rate  # FFmpeg's count: ceil(in × out / in_rate)
    n = min(len(x), len(y))
    assert np.corrcoef(x[:n], y[:n])[0, 1] > 0.999  # aligned at lag 0, as FFmpeg's
    # The same signal to within the two resamplers' filters: the difference is 38-45 dB under
    # the signal at the sweep's low end, 24-30 dB at its top (0.35 of the lower rate).
    edge = 64  # both end the signal with their own filter's tail
    error = x[edge:n - edge] - y[edge:n - edge]
    assert 10 * np.log10(np.mean(y[edge:n - edge] ** 2) / np.mean(error ** 2)) > 24


@pytest.mark.parametrize("ext, channels, out_channels", [
    ("flac", 1, 2), ("flac", 2, 1), ("ogg", 1, 2), ("ogg", 2, 1)])
def test_audio_remix(tmp_path, ext, channels, out_channels):
    """Mono to stereo and back as FFmpeg remixes: the same levels (FFmpeg scales a downmix to
    unity gain for integer codecs such as FLAC, not for float ones such as Vorbis)."""
    rate = 16000
    samples = chirp(rate, 1.0, channels)
    ours = tmp_path / f"out.{ext}"
    vidwrite.AudioEncoder(samples, rate).to_file(ours, num_channels=out_channels)
    theirs = ffmpeg_encode(tmp_path, samples, rate, ext, "-ac", str(out_channels))
    assert audio_stream(ours)["channels"] == out_channels
    x, y = decode_audio(ours), decode_audio(theirs)
    assert x.shape == y.shape
    for c in range(out_channels):
        assert best_correlation(x[c], y[c]) > 0.99
        gain = np.sqrt(np.mean(x[c] ** 2) / np.mean(y[c] ** 2))
        assert abs(gain - 1) < 0.03, gain
