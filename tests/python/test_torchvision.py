# SPDX-License-Identifier: LGPL-2.1-or-later
"""The same inputs through torchvision.io.write_video (Debian's python3-torchvision) and
vidwrite.write_video: same frame count and duration, and ours at least as faithful."""

import numpy as np
import pytest

import vidwrite
from conftest import decode_video, pattern, psnr, tones, video_stream

torch = pytest.importorskip("torch")
io = pytest.importorskip("torchvision.io")
pytest.importorskip("av")  # torchvision writes through PyAV


def both(tmp_path, name, *args, **kwargs):
    ours, theirs = tmp_path / f"ours-{name}", tmp_path / f"theirs-{name}"
    vidwrite.write_video(str(ours), *args, **kwargs)
    io.write_video(str(theirs), *args, **kwargs)
    return ours, theirs


@pytest.mark.parametrize("fps", [25, 30.0, 24])
def test_same_frames_and_duration(tmp_path, fps):
    video = torch.from_numpy(pattern(20, 48, 64))
    ours, theirs = both(tmp_path, "a.mp4", video, fps, options={"crf": "18"})
    a, b = video_stream(ours), video_stream(theirs)
    assert a["nb_read_frames"] == b["nb_read_frames"] == "20"
    assert a["r_frame_rate"] == b["r_frame_rate"]
    assert float(a["duration"]) == pytest.approx(float(b["duration"]), abs=1e-3)


def test_rounded_rate_is_ours_exact(tmp_path):
    """torchvision rounds 29.97 to 30; vidwrite keeps 30000/1001."""
    ours, theirs = both(tmp_path, "ntsc.mp4", torch.from_numpy(pattern(10, 32, 32)), 29.97)
    assert video_stream(theirs)["r_frame_rate"] == "30/1"
    assert video_stream(ours)["r_frame_rate"] == "30000/1001"
    assert video_stream(ours)["nb_read_frames"] == video_stream(theirs)["nb_read_frames"]


def colour_blocks(frames, height, width):
    """8×8 blocks of random colours: sharp colour edges, as in screen content, where the
    RGB to YUV step shows."""
    rng = np.random.default_rng(1)
    cells = rng.integers(0, 256, (frames, height // 8, width // 8, 3), dtype=np.uint8)
    return np.ascontiguousarray(cells.repeat(8, axis=1).repeat(8, axis=2))


# With the same rate control.  Their defaults differ: PyAV asks libx264 for 1 Mbit/s, vidwrite
# keeps x264's crf 23.  On smooth gradients the two tie (within 0.02 dB), hence the 0.1 dB.
@pytest.mark.parametrize("content", ["blocks", "smooth"])
@pytest.mark.parametrize("crf", ["18", "23"])
def test_at_least_as_faithful(tmp_path, crf, content):
    video = colour_blocks(20, 96, 128) if content == "blocks" else pattern(20, 96, 128)
    ours, theirs = both(tmp_path, "q.mp4", torch.from_numpy(video), 25, options={"crf": crf})
    ours_db, theirs_db = psnr(video, decode_video(ours)), psnr(video, decode_video(theirs))
    print(f"{content} crf {crf}: PSNR vidwrite {ours_db:.2f} dB, torchvision {theirs_db:.2f} dB")
    assert ours_db >= theirs_db - (0.1 if content == "smooth" else 0)


def test_audio_torchvision_fails_on(tmp_path):
    """torchvision 0.14 raises on float [C, N] audio with aac; vidwrite writes it."""
    video = torch.from_numpy(pattern(25, 32, 32))
    audio = torch.from_numpy(tones([440, 880], 48000, 1.0)).float()
    path = tmp_path / "aac.mp4"
    vidwrite.write_video(str(path), video, 25, audio_array=audio, audio_fps=48000,
                         audio_codec="aac")
    assert int(video_stream(path)["nb_read_frames"]) == 25
    assert np.isfinite(psnr(pattern(25, 32, 32), decode_video(path)))


@pytest.mark.parametrize("ext", ["mp4", "mkv"])
@pytest.mark.parametrize("key", ["crf", "qp"])
def test_libx264rgb_lossless_read_video(tmp_path, ext, key):
    """torchvision's own round trip: libx264rgb at crf 0 (or qp 0), with audio, comes back from
    read_video bit-exact."""
    rng = np.random.default_rng(2)
    video = np.concatenate([colour_blocks(10, 48, 64),
                            rng.integers(0, 256, (5, 48, 64, 3), dtype=np.uint8),
                            pattern(10, 48, 64)])
    audio = torch.from_numpy(tones([440, 880], 48000, 1.0)).float()
    path = tmp_path / f"rgb.{ext}"
    vidwrite.write_video(str(path), torch.from_numpy(video), 25, video_codec="libx264rgb",
                         options={key: "0"}, audio_array=audio, audio_fps=48000)
    stream = video_stream(path)
    assert (stream["pix_fmt"], stream["color_space"]) == ("gbrp", "gbr")
    frames, sound, info = io.read_video(str(path), pts_unit="sec")
    assert frames.shape == video.shape
    assert np.array_equal(frames.numpy(), video)
    assert sound.shape[0] == 2 and info["video_fps"] == 25
