# The vidwrite command, end to end: every input kind, sound, the codec list, the demo, every
# error path, the progress line on a terminal and Ctrl-C.  Files are checked by decoding them
# with FFmpeg.
# SPDX-License-Identifier: LGPL-2.1-or-later
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
VIDWRITE = os.environ.get("VIDWRITE") or str(REPO / "build" / "tools" / "vidwrite")
FFMPEG = os.environ.get("FFMPEG") or "ffmpeg"
FFPROBE = os.environ.get("FFPROBE") or "ffprobe"
TIMEOUT = 300


def run(args, stdin=None, cwd=None):
    return subprocess.run([VIDWRITE, *map(str, args)], input=stdin, capture_output=True,
                          timeout=TIMEOUT, cwd=cwd)


def make_frames(t, h, w, c, seed=0):
    """Smooth moving colour patterns with a box, so that a lossy codec keeps them well."""
    y, x = np.mgrid[0:h, 0:w]
    out = np.empty((t, h, w, 3), np.uint8)
    for i in range(t):
        out[i, ..., 0] = 128 + 100 * np.sin(x * 0.1 + i * 0.3 + seed)
        out[i, ..., 1] = y * 255 // max(h - 1, 1)
        out[i, ..., 2] = 128 + 100 * np.cos((x + y) * 0.08 - i * 0.2 + seed)
        bx, by = (i * 3) % (w // 2), (i * 2) % (h // 2)
        out[i, by:by + h // 4, bx:bx + w // 4] = (230, 40, 60)
    if c == 1:
        return out.mean(axis=3).astype(np.uint8)[..., None]
    if c == 4:
        return np.concatenate([out, np.full((t, h, w, 1), 255, np.uint8)], axis=3)
    return out


def probe(path):
    out = subprocess.run([FFPROBE, "-v", "error", "-count_frames", "-show_streams", "-of", "json",
                          str(path)], capture_output=True, check=True, timeout=TIMEOUT).stdout
    streams = json.loads(out)["streams"]
    return {s["codec_type"]: s for s in streams}


def decode_video(path, w, h, pix_fmt="rgb24", channels=3):
    raw = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt",
                          pix_fmt, "-"], capture_output=True, check=True, timeout=TIMEOUT).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, channels)


# What FFmpeg decodes holds every sample pushed and at most this many more: AAC's priming (no
# edit list from GStreamer's muxers: 1600 for voaacenc) and the silence of its last frame.
AUDIO_EXTRA = 1600 + 1023


def assert_samples(decoded, pushed):
    assert pushed <= decoded <= pushed + AUDIO_EXTRA, (decoded, pushed)


def decode_audio(path, channels):
    raw = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-vn", "-f", "f32le", "-ac",
                          str(channels), "-"], capture_output=True, check=True,
                         timeout=TIMEOUT).stdout
    return np.frombuffer(raw, "<f4").reshape(-1, channels)


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255 ** 2 / mse) if mse else 100.0


def tone(n, rate, freqs, amplitude=0.5):
    j = np.arange(n)
    return np.stack([amplitude * np.sin(2 * np.pi * f * j / rate) for f in freqs], axis=1)


def peak_frequency(signal_1d, rate):
    spectrum = np.abs(np.fft.rfft(signal_1d * np.hanning(len(signal_1d))))
    return np.argmax(spectrum) * rate / len(signal_1d)


def write_wav(path, samples, rate, kind):
    """samples: N×C floats in [-1, 1]; kind: s16, s24, s32, f32, f32ext (WAVE_FORMAT_EXTENSIBLE)."""
    n, c = samples.shape
    if kind == "s16":
        data, tag, bits = (samples * 32767).round().astype("<i2").tobytes(), 1, 16
    elif kind == "s24":
        v = (samples * 8388607).round().astype("<i4").reshape(-1)
        data = np.frombuffer(v.tobytes(), np.uint8).reshape(-1, 4)[:, :3].tobytes()
        tag, bits = 1, 24
    elif kind == "s32":
        data, tag, bits = (samples * 2147483647).round().astype("<i4").tobytes(), 1, 32
    else:
        data, tag, bits = samples.astype("<f4").tobytes(), 3, 32
    block = c * bits // 8
    if kind == "f32ext":
        guid = struct.pack("<H", tag) + bytes.fromhex("000000001000800000aa00389b71")
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, c, rate, rate * block, block, bits, 22, bits,
                          (1 << c) - 1) + guid
    else:
        fmt = struct.pack("<HHIIHH", tag, c, rate, rate * block, block, bits)
    # A LIST chunk before the data, as many tools write one.
    extra = b"LIST" + struct.pack("<I", 5) + b"INFOx" + b"\0"
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra + b"data"
            + struct.pack("<I", len(data)) + data)
    Path(path).write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


def no_leftovers(directory):
    return [p for p in os.listdir(directory) if "vidwrite-tmp" in p]


# ---- frames ------------------------------------------------------------------------------


def test_raw_stdin_exact_frame_count(tmp_path):
    frames = make_frames(7, 48, 64, 3)
    out = tmp_path / "stdin.mp4"
    r = run(["-i", "-", "-s", "64x48", out], stdin=frames.tobytes())
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""  # no terminal, no progress
    v = probe(out)["video"]
    assert int(v["nb_read_frames"]) == 7
    assert (v["width"], v["height"], v["r_frame_rate"]) == (64, 48, "30/1")
    assert psnr(decode_video(out, 64, 48), frames) > 28


def test_raw_file_with_decimal_ntsc_rate(tmp_path):
    frames = make_frames(9, 48, 64, 3)
    src = tmp_path / "in.rgb"
    src.write_bytes(frames.tobytes())
    out = tmp_path / "file.mkv"
    r = run(["-i", src, "-s", "64x48", "-r", "29.97", "-o", "crf=10", out])
    assert r.returncode == 0, r.stderr
    v = probe(out)["video"]
    assert int(v["nb_read_frames"]) == 9
    assert v["r_frame_rate"] == "30000/1001"
    assert psnr(decode_video(out, 64, 48), frames) > 28


def test_npy_file_and_stdin(tmp_path):
    frames = make_frames(11, 32, 48, 3)
    src = tmp_path / "clip.npy"
    np.save(src, frames)
    for name, args, stdin in (("file.mp4", ["-i", src], None),
                              ("pipe.mp4", ["-i", "-"], src.read_bytes())):
        out = tmp_path / name
        r = run([*args, "-r", "25", out], stdin=stdin)
        assert r.returncode == 0, r.stderr
        v = probe(out)["video"]
        assert int(v["nb_read_frames"]) == 11
        assert (v["width"], v["height"], v["r_frame_rate"]) == (48, 32, "25/1")
        assert psnr(decode_video(out, 48, 32), frames) > 28


def test_npy_gray_and_rgba(tmp_path):
    for channels, shape_cut in ((1, lambda f: f[..., 0]), (4, lambda f: f)):
        frames = make_frames(5, 32, 32, channels)
        src = tmp_path / f"c{channels}.npy"
        np.save(src, shape_cut(frames))
        out = tmp_path / f"c{channels}.mkv"
        r = run(["-i", src, out])
        assert r.returncode == 0, r.stderr
        assert int(probe(out)["video"]["nb_read_frames"]) == 5
        if channels == 1:
            assert psnr(decode_video(out, 32, 32, "gray", 1), frames) > 35
        else:
            assert psnr(decode_video(out, 32, 32), frames[..., :3]) > 28


def make_y4m(path, rate, n=12, pix_fmt="yuv420p"):
    subprocess.run([FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size=64x48:rate={rate}", "-frames:v", str(n), "-pix_fmt", pix_fmt,
                    str(path)], check=True, timeout=TIMEOUT)


@pytest.mark.parametrize("pix_fmt", ["yuv420p", "yuv444p", "yuv422p"])
def test_y4m_keeps_its_exact_rate(tmp_path, pix_fmt):
    src = tmp_path / "in.y4m"
    make_y4m(src, "30000/1001", pix_fmt=pix_fmt)
    out = tmp_path / "y4m.mp4"
    r = run(["-i", src, "-o", "crf=5", "-o", f"pix_fmt={pix_fmt}", out])
    assert r.returncode == 0, r.stderr
    v = probe(out)["video"]
    assert v["r_frame_rate"] == "30000/1001"
    assert int(v["nb_read_frames"]) == 12
    # The YUV -> RGB step in the tool must match what FFmpeg shows of the source.
    assert psnr(decode_video(out, 64, 48), decode_video(src, 64, 48)) > 35


@pytest.mark.parametrize("pix_fmt,codec,ext", [("yuv420p", "ffv1", "mkv"),
                                               ("yuv420p", "libx264", "mp4"),
                                               ("yuv444p", "libx264", "mkv")])
def test_y4m_goes_through_unconverted(tmp_path, pix_fmt, codec, ext):
    """4:2:0 and 4:4:4 planes reach a lossless encoder as they are: FFmpeg decodes the very
    bytes of the source, which a YUV -> RGB -> YUV round trip could not give back."""
    src = tmp_path / "in.y4m"
    make_y4m(src, "25", n=4, pix_fmt=pix_fmt)
    out = tmp_path / f"out.{ext}"
    r = run(["-i", src, "-c", codec, "-o", "qp=0", out] if codec == "libx264"
            else ["-i", src, "-c", codec, out])
    assert r.returncode == 0, r.stderr
    assert probe(out)["video"]["pix_fmt"] == pix_fmt
    decoded = subprocess.run([FFMPEG, "-v", "error", "-i", str(out), "-f", "rawvideo", "-"],
                             capture_output=True, check=True, timeout=TIMEOUT).stdout
    source = subprocess.run([FFMPEG, "-v", "error", "-i", str(src), "-f", "rawvideo", "-"],
                            capture_output=True, check=True, timeout=TIMEOUT).stdout
    assert len(decoded) == len(source) and decoded == source


def test_raw_yuv_and_16_bit_npy(tmp_path):
    """--pix-fmt takes the library's formats: raw NV12 reaches FFV1 unchanged; a uint16 .npy
    is 16-bit RGB, written as 10-bit video."""
    rng = np.random.default_rng(3)
    nv12 = rng.integers(0, 256, 4 * (32 * 16 * 3 // 2), dtype=np.uint8).tobytes()
    out = tmp_path / "nv12.mkv"
    r = run(["-i", "-", "-s", "32x16", "-p", "nv12", "-c", "ffv1", out], stdin=nv12)
    assert r.returncode == 0, r.stderr
    decoded = subprocess.run([FFMPEG, "-v", "error", "-i", str(out), "-f", "rawvideo",
                              "-pix_fmt", "nv12", "-"], capture_output=True, check=True,
                             timeout=TIMEOUT).stdout
    assert decoded == nv12

    frames = make_frames(3, 32, 48, 3).astype(np.uint16) * 257
    np.save(tmp_path / "deep.npy", frames)
    out = tmp_path / "deep.mkv"
    r = run(["-i", tmp_path / "deep.npy", "-c", "ffv1", "-o", "pix_fmt=yuv444p10le", out])
    assert r.returncode == 0, r.stderr
    assert probe(out)["video"]["pix_fmt"] == "yuv444p10le"
    raw = subprocess.run([FFMPEG, "-v", "error", "-i", str(out), "-f", "rawvideo", "-pix_fmt",
                          "rgb48le", "-"], capture_output=True, check=True, timeout=TIMEOUT).stdout
    back = np.frombuffer(raw, "<u2").reshape(frames.shape).astype(np.float64)
    mse = np.mean((back - frames) ** 2)
    assert 10 * np.log10(65535.0 ** 2 / mse) > 50


def test_y4m_full_range_is_tagged(tmp_path):
    """Full-range planes go through as they are, so the stream says full range."""
    src = tmp_path / "full.y4m"
    subprocess.run([FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x48",
                    "-frames:v", "3", "-pix_fmt", "yuv420p", "-color_range", "pc", "-strict", "-1",
                    str(src)], check=True, timeout=TIMEOUT)
    assert b"XCOLORRANGE=FULL" in src.read_bytes()[:100]
    out = tmp_path / "full.mkv"
    r = run(["-i", src, "-o", "qp=0", out])
    assert r.returncode == 0, r.stderr
    assert probe(out)["video"]["color_range"] == "pc"


def test_y4m_on_stdin_and_mono(tmp_path):
    src = tmp_path / "in.y4m"
    make_y4m(src, "24000/1001")
    out = tmp_path / "pipe.mkv"
    r = run(["-i", "-", out], stdin=src.read_bytes())
    assert r.returncode == 0, r.stderr
    v = probe(out)["video"]
    assert (v["r_frame_rate"], int(v["nb_read_frames"])) == ("24000/1001", 12)

    mono = tmp_path / "mono.y4m"
    make_y4m(mono, "25", n=6, pix_fmt="gray")
    out = tmp_path / "mono.mkv"
    r = run(["-i", mono, out])
    assert r.returncode == 0, r.stderr
    assert int(probe(out)["video"]["nb_read_frames"]) == 6
    assert psnr(decode_video(out, 64, 48, "gray", 1), decode_video(mono, 64, 48, "gray", 1)) > 35


def test_y4m_rate_overridden_by_fps(tmp_path):
    src = tmp_path / "in.y4m"
    make_y4m(src, "25", n=5)
    out = tmp_path / "r.mp4"
    assert run(["-i", src, "-r", "50", out]).returncode == 0
    assert probe(out)["video"]["r_frame_rate"] == "50/1"


def test_gray_input(tmp_path):
    frames = make_frames(6, 48, 64, 1)
    out = tmp_path / "gray.mp4"
    r = run(["-i", "-", "-s", "64x48", "-p", "gray", out], stdin=frames.tobytes())
    assert r.returncode == 0, r.stderr
    assert int(probe(out)["video"]["nb_read_frames"]) == 6
    assert psnr(decode_video(out, 64, 48, "gray", 1), frames) > 35


def test_bgr24_input(tmp_path):
    frames = make_frames(6, 48, 64, 3)
    out = tmp_path / "bgr.mp4"
    r = run(["-i", "-", "-s", "64x48", "-p", "bgr24", out],
            stdin=np.ascontiguousarray(frames[..., ::-1]).tobytes())
    assert r.returncode == 0, r.stderr
    decoded = decode_video(out, 64, 48)
    assert psnr(decoded, frames) > 28
    assert psnr(decoded, frames[..., ::-1]) < 20  # the channels really were swapped back


# ---- sound -------------------------------------------------------------------------------


def test_wav_of_another_rate_is_muxed_at_its_rate(tmp_path):
    rate, n = 22050, 22050
    wav = tmp_path / "tone.wav"
    write_wav(wav, tone(n, rate, [440, 880]), rate, "s16")
    frames = make_frames(30, 48, 64, 3)
    out = tmp_path / "av.mp4"
    r = run(["-i", "-", "-s", "64x48", "-a", wav, out], stdin=frames.tobytes())
    assert r.returncode == 0, r.stderr
    streams = probe(out)
    a = streams["audio"]
    assert (a["codec_name"], int(a["sample_rate"]), a["channels"]) == ("aac", 22050, 2)
    assert int(streams["video"]["nb_read_frames"]) == 30
    pcm = decode_audio(out, 2)
    assert_samples(len(pcm), n)
    assert abs(peak_frequency(pcm[:, 0], rate) - 440) < 5
    assert abs(peak_frequency(pcm[:, 1], rate) - 880) < 5


@pytest.mark.parametrize("kind", ["s16", "s24", "s32", "f32", "f32ext"])
def test_wav_sample_types_lossless(tmp_path, kind):
    rate, n = 16000, 8000
    samples = tone(n, rate, [300, 500])
    wav = tmp_path / f"{kind}.wav"
    write_wav(wav, samples, rate, kind)
    out = tmp_path / f"{kind}.mkv"
    r = run(["-i", "-", "-s", "32x32", "-r", "10", "-a", wav, "--audio-codec", "flac", out],
            stdin=make_frames(5, 32, 32, 3).tobytes())
    assert r.returncode == 0, r.stderr
    a = probe(out)["audio"]
    assert (a["codec_name"], int(a["sample_rate"]), a["channels"]) == ("flac", rate, 2)
    pcm = decode_audio(out, 2)
    assert len(pcm) == n
    assert np.max(np.abs(pcm - samples)) < 1e-3


def test_raw_planar_float_audio(tmp_path):
    rate, n = 8000, 4000
    samples = tone(n, rate, [200, 600])
    raw = tmp_path / "tone.f32"
    raw.write_bytes(np.ascontiguousarray(samples.T).astype(np.float32).tobytes())
    out = tmp_path / "planar.mkv"
    r = run(["-i", "-", "-s", "32x32", "-r", "10", "-a", raw, "--audio-rate", rate,
             "--audio-channels", 2, "--audio-codec", "flac", out],
            stdin=make_frames(5, 32, 32, 3).tobytes())
    assert r.returncode == 0, r.stderr
    pcm = decode_audio(out, 2)
    assert len(pcm) == n
    assert np.max(np.abs(pcm - samples)) < 1e-3


# ---- codec list and demo -----------------------------------------------------------------


def test_list_codecs():
    r = run(["--list-codecs"])
    assert r.returncode == 0, r.stderr
    text = r.stdout.decode()
    lines = {m.group(1): m.group(2) for m in re.finditer(r"^  (\S+) +(.*)$", text, re.M)}
    assert "Video codecs" in text and "Audio codecs" in text
    # Each available name: the element it resolves to here, then its containers.
    assert lines["libx264"].split()[0] == "x264enc"
    assert set(lines["libx264"].split()[1:]) >= {"mp4", "mkv", "mov"}
    assert "webm" not in lines["libx264"].split()
    assert lines["aac"].split()[0] == "voaacenc"
    assert set(lines["aac"].split()) >= {"mp4", "mov"}
    assert set(lines["libopus"].split()) >= {"webm", "mkv"}
    assert "mp4" not in lines["flac"].split()
    assert set(lines["rawvideo"].split()) >= {"mkv", "avi", "mov"}
    assert re.search(r"^ +options: .*preset tune crf", text, re.M)
    # Names the library knows but cannot serve here say why, in its words.
    assert lines["h264_nvenc"].startswith("unavailable: ")
    assert "nvh264enc" in lines["h264_nvenc"]
    assert lines["libfdk_aac"].startswith("unavailable: ")
    containers = re.search(r"^Containers.*:(.*)$", text, re.M).group(1).split()
    assert {".mp4", ".mkv", ".webm", ".mov", ".mpg"} <= set(containers)


def test_demo(tmp_path):
    r = run(["--demo", "demo.mp4"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    streams = probe(tmp_path / "demo.mp4")
    v, a = streams["video"], streams["audio"]
    assert (v["codec_name"], v["width"], v["height"]) == ("h264", 640, 360)
    assert (v["r_frame_rate"], int(v["nb_read_frames"])) == ("30000/1001", 120)
    assert (a["codec_name"], int(a["sample_rate"]), a["channels"]) == ("aac", 48000, 2)
    pcm = decode_audio(tmp_path / "demo.mp4", 2)
    assert_samples(len(pcm), 192192)
    assert abs(peak_frequency(pcm[:, 0], 48000) - 440) < 3
    assert abs(peak_frequency(pcm[:, 1], 48000) - 660) < 3
    # The pattern moves.
    video = decode_video(tmp_path / "demo.mp4", 640, 360)
    assert psnr(video[0], video[60]) < 25


# .mpg (mpeg2video) is checked through the C API in tests/test-defaults.c: mpeg2enc leaks its
# codec state, which the sanitizer run of this suite would report.
@pytest.mark.parametrize("ext,vcodec,acodec", [("webm", "vp9", "opus"), ("ogv", "theora", "vorbis")])
def test_demo_takes_the_container_default(tmp_path, ext, vcodec, acodec):
    """Without -c, each container gets its usual codec (libx264 fits neither)."""
    r = run(["--demo", "-q", f"demo.{ext}"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    streams = probe(tmp_path / f"demo.{ext}")
    assert streams["video"]["codec_name"] == vcodec
    assert int(streams["video"]["nb_read_frames"]) == 120
    assert streams["audio"]["codec_name"] == acodec


def test_help_lists_every_container():
    """--help and --list-codecs read the library's one container table."""
    listed = re.search(r"^Containers.*:(.*)$", run(["--list-codecs"]).stdout.decode(),
                       re.M).group(1).split()
    help_text = " ".join(run(["--help"]).stdout.decode().split())
    named = re.search(r"picks the container:((?: \.\w+)+)", help_text).group(1).split()
    assert named == listed
    assert ".mpg" in named


# ---- errors ------------------------------------------------------------------------------


def y4m_10bit(path):
    Path(path).write_bytes(b"YUV4MPEG2 W16 H16 F25:1 C420p10\nFRAME\n" + bytes(16 * 16 * 3))


def npy_float(path):
    np.save(path, np.zeros((2, 16, 16, 3), np.float32))


RAW = make_frames(3, 16, 16, 3).tobytes()

# (name, arguments, stdin, setup, exit status, words the message must contain)
ERRORS = [
    ("missing input", ["-i", "{d}/nope.rgb", "-s", "16x16"], None, None, 1,
     ["nope.rgb", "No such file"]),
    ("size does not divide", ["-i", "-", "-s", "16x18"], RAW, None, 1,
     ["576 bytes into frame 2", "not a whole number of 16x18 rgb24 frames"]),
    ("size does not divide a file", ["-i", "{d}/in.rgb", "-s", "18x16"], None, "raw", 1,
     ["in.rgb", "2304 bytes", "not a whole number"]),
    ("raw without size", ["-i", "-"], RAW, None, 1, ["--size"]),
    ("bad size", ["-i", "-", "-s", "16*16"], RAW, None, 1, ["16*16", "WIDTHxHEIGHT"]),
    ("bad pixel format", ["-i", "-", "-s", "16x16", "-p", "yuv411p"], RAW, None, 1,
     ["yuv411p", "rgb24", "yuv420p"]),
    ("bad fps", ["-i", "-", "-s", "16x16", "-r", "fast"], RAW, None, 1, ["fast"]),
    ("zero fps", ["-i", "-", "-s", "16x16", "-r", "0/1"], RAW, None, 1, ["0/1"]),
    ("unknown option key", ["-i", "-", "-s", "16x16", "-o", "bogus=1"], RAW, None, 1,
     ["unknown option", "bogus"]),
    ("option without value", ["-i", "-", "-s", "16x16", "-o", "crf"], RAW, None, 1,
     ["crf", "KEY=VALUE"]),
    ("bad option value", ["-i", "-", "-s", "16x16", "-o", "crf=lots"], RAW, None, 1,
     ["crf", "lots"]),
    ("unknown codec", ["-i", "-", "-s", "16x16", "-c", "nosuchcodec"], RAW, None, 1,
     ["nosuchcodec"]),
    ("unknown audio codec", ["-i", "-", "-s", "16x16", "-a", "{d}/t.wav", "--audio-codec",
                             "nosuchaudio"], RAW, "wav", 1, ["nosuchaudio"]),
    ("codec the container refuses", ["-i", "-", "-s", "16x16", "-a", "{d}/t.wav",
                                     "--audio-codec", "flac"], RAW, "wav", 1, ["flac", ".mp4"]),
    ("frames too small for mp4", ["-i", "-", "-s", "8x8"], make_frames(2, 8, 8, 3).tobytes(),
     None, 1, ["8x8"]),
    ("partial frame on stdin", ["-i", "-", "-s", "16x16"], RAW + b"12345", None, 1,
     ["5 bytes into frame 3"]),
    ("npy of floats", ["-i", "{d}/f.npy"], None, "npyf", 1, ["f.npy", "<f4", "uint8"]),
    ("y4m of 10 bits", ["-i", "{d}/t.y4m"], None, "y4m10", 1, ["C420p10"]),
    ("not a y4m", ["-i", "{d}/in.y4m"], None, "fake_y4m", 1, ["in.y4m", "YUV4MPEG2"]),
    ("not a wav", ["-i", "-", "-s", "16x16", "-a", "{d}/in.wav"], RAW, "fake_wav", 1,
     ["in.wav", "RIFF"]),
    ("raw audio without rate", ["-i", "-", "-s", "16x16", "-a", "{d}/in.rgb"], RAW, "raw", 1,
     ["--audio-rate"]),
    ("audio options without audio", ["-i", "-", "-s", "16x16", "--audio-rate", "8000"], RAW,
     None, 1, ["--audio"]),
    ("no input", [], None, None, 1, ["--input"]),
    ("video options without frames", ["-a", "{d}/t.wav", "-s", "16x16"], None, "wav", 1,
     ["--input", "--size"]),
    ("-ac out of range", ["-a", "{d}/t.wav", "-ac", "9"], None, "wav", 1, ["“9”", "“ac”"]),
    ("-ar of nothing", ["-a", "{d}/t.wav", "--ar", "0"], None, "wav", 1, ["“0”", "“ar”"]),
    ("-ar without audio", ["-i", "-", "-s", "16x16", "-ar", "8000"], RAW, None, 1,
     ["--audio"]),
    ("demo with input", ["--demo", "-i", "-"], RAW, None, 1, ["--demo"]),
    ("empty input", ["-i", "-", "-s", "16x16"], b"", None, 1, ["no frame"]),
    ("unsupported container", ["-i", "-", "-s", "16x16", "{d}/out.xyz"], RAW, None, 1,
     [".xyz"]),
    ("missing directory", ["-i", "-", "-s", "16x16", "{d}/no/such/dir/out.mp4"], RAW, None, 1,
     ["does not exist"]),
    ("unknown flag", ["--bogus"], None, None, 2, ["--bogus"]),
    ("two outputs", ["-i", "-", "-s", "16x16", "{d}/a.mp4", "{d}/b.mp4"], RAW, None, 2,
     ["one OUTPUT"]),
]

SETUPS = {
    "raw": lambda d: (d / "in.rgb").write_bytes(RAW),
    "wav": lambda d: write_wav(d / "t.wav", tone(800, 8000, [440]), 8000, "s16"),
    "npyf": lambda d: npy_float(d / "f.npy"),
    "y4m10": lambda d: y4m_10bit(d / "t.y4m"),
    "fake_y4m": lambda d: (d / "in.y4m").write_bytes(RAW),
    "fake_wav": lambda d: (d / "in.wav").write_bytes(RAW),
}


@pytest.mark.parametrize("existing", [False, True], ids=["no-target", "existing-target"])
@pytest.mark.parametrize("case", ERRORS, ids=[e[0] for e in ERRORS])
def test_error(tmp_path, case, existing):
    name, args, stdin, setup, status, words = case
    if setup:
        SETUPS[setup](tmp_path)
    outputs = [a for a in args if a.endswith((".mp4", ".xyz"))]
    args = [a.replace("{d}", str(tmp_path)) for a in args]
    target = Path(outputs[-1].replace("{d}", str(tmp_path))) if outputs else tmp_path / "out.mp4"
    if not outputs:
        args.append(str(target))
    if existing and target.parent.is_dir():
        target.write_bytes(b"precious")
    before = sorted(os.listdir(tmp_path))
    r = run(args, stdin=stdin)
    err = r.stderr.decode()
    assert r.returncode == status, err
    assert err.count("\n") == 1 and err.startswith("vidwrite: "), err
    for w in words:
        assert w in err, err
    if existing and target.parent.is_dir():
        assert target.read_bytes() == b"precious"
    else:
        assert not target.exists()
    assert sorted(os.listdir(tmp_path)) == before
    assert not no_leftovers(tmp_path)


# ---- sound alone ---------------------------------------------------------------------------

def test_audio_alone_mp3(tmp_path):
    """vidwrite -a voice.wav out.mp3: no frames, FFmpeg's codec for .mp3, each channel's tone."""
    rate = 22050
    wav, out, ref = tmp_path / "voice.wav", tmp_path / "out.mp3", tmp_path / "ffmpeg.mp3"
    write_wav(wav, tone(rate, rate, [440, 1000]), rate, "s16")
    r = run(["-a", wav, out])
    assert r.returncode == 0 and not r.stderr, r.stderr
    streams = probe(out)
    assert list(streams) == ["audio"]
    assert (streams["audio"]["codec_name"], int(streams["audio"]["sample_rate"]),
            streams["audio"]["channels"]) == ("mp3", rate, 2)
    subprocess.run([FFMPEG, "-v", "error", "-i", str(wav), str(ref)], check=True, timeout=TIMEOUT)
    ours, theirs = decode_audio(out, 2), decode_audio(ref, 2)
    # GStreamer's MP3 has no LAME tag: FFmpeg decodes lame's priming and padding too.
    assert 0 <= len(ours) - len(theirs) <= 1105 + 1152
    for c, f in enumerate([440, 1000]):
        assert abs(peak_frequency(ours[:, c], rate) - f) < 5
        assert abs(np.sqrt(2 * np.mean(ours[:, c] ** 2)) - 0.5) < 0.05
    assert not no_leftovers(tmp_path)


def test_audio_alone_resampled_and_downmixed(tmp_path):
    """-ar and -ac as FFmpeg's: the same rate, channels, length and samples (FLAC, lossless)."""
    rate = 22050
    wav, out, ref = tmp_path / "voice.wav", tmp_path / "out.flac", tmp_path / "ffmpeg.flac"
    write_wav(wav, tone(rate, rate, [300, 500]), rate, "s16")
    r = run(["-a", wav, "-ar", "16000", "-ac", "1", out])
    assert r.returncode == 0 and not r.stderr, r.stderr
    subprocess.run([FFMPEG, "-v", "error", "-i", str(wav), "-ar", "16000", "-ac", "1", str(ref)],
                   check=True, timeout=TIMEOUT)
    streams = probe(out)
    assert (int(streams["audio"]["sample_rate"]), streams["audio"]["channels"]) == (16000, 1)
    ours, theirs = decode_audio(out, 1)[:, 0], decode_audio(ref, 1)[:, 0]
    assert len(ours) == len(theirs) == 16000
    # (L + R) / 2 for FLAC, as FFmpeg; the resamplers' difference is far below the signal.
    error = ours[64:-64] - theirs[64:-64]
    assert 10 * np.log10(np.mean(theirs ** 2) / np.mean(error ** 2)) > 30


# ---- hostile files -----------------------------------------------------------------------
# What a downloaded file can say in its header (issue 11; tests/test-parsers.c has the parsers'
# side of each): the command must stop with one line that names the offending value, quoted
# escaped, before it allocates or maps anything for the sizes the header claims.


def npy_with_header(header, data_len):
    """A version 1.0 .npy file with the header dict `header` (bytes) and data_len zero bytes."""
    header = header + b" " * (-(len(header) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + bytes(data_len)


def npy_dict(shape, descr=b"'|u1'"):
    return b"{'descr': " + descr + b", 'fortran_order': False, 'shape': " + shape + b", }"


WAV_EMPTY_FMT = b"RIFF\x24\0\0\0WAVEfmt \0\0\0\0data\x04\0\0\0\0\0\0\0"

# (name, frames or audio, file contents, words the message must contain)
HOSTILE = [
    ("npy empty shape", "frames", npy_with_header(
        b"{'descr': '|u1', 'fortran_order': False, 'shape':, }", 64), ["'shape'", "not a tuple"]),
    ("npy 2^63 frames", "frames", npy_with_header(npy_dict(b"(9223372036854775808, 24, 32, 3)"),
                                                  2048),
     ["9223372036854775808", "too large"]),
    ("npy 2^56 frames", "frames", npy_with_header(npy_dict(b"(72057594037927936, 16, 16)"), 2048),
     ["72057594037927936", "too large"]),
    ("y4m 99999999 square", "frames", b"YUV4MPEG2 W99999999 H99999999\n", ["W99999999", "16384"]),
    ("y4m 2^31 tall", "frames", b"YUV4MPEG2 W3 H2147483647\nFRAME\n", ["H2147483647", "16384"]),
    ("wav empty fmt", "audio", WAV_EMPTY_FMT, ["fmt chunk is 0 bytes, not 16 to 1024"]),
    ("npy 2^32+3 channels", "frames", npy_with_header(npy_dict(b"(3, 24, 32, 4294967299)"), 6912),
     ["4294967299", "C 1, 3 or 4"]),
    ("npy escapes", "frames", npy_with_header(npy_dict(b"(1, 2, 2)", b"'\x1b[2J\n\xff'"), 4),
     ["\\x1b[2J\\n\\xff"]),
    ("y4m escapes", "frames", b"YUV4MPEG2 W4 H4 C\x1b]0;owned\x07\xc2\x9b\n",
     ["C\\x1b]0;owned\\x07\\u009b"]),
]


@pytest.mark.parametrize("via", ["file", "pipe"])
@pytest.mark.parametrize("case", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file(tmp_path, case, via):
    name, kind, contents, words = case
    src = tmp_path / ("hostile.wav" if kind == "audio" else "hostile.npy")
    src.write_bytes(contents)
    out = tmp_path / "out.mp4"
    path = str(src) if via == "file" else "-"
    stdin = None if via == "file" else contents
    if kind == "audio":
        raw = tmp_path / "in.rgb"
        raw.write_bytes(RAW)
        args = ["-i", raw, "-s", "16x16", "-a", path, out]
    else:
        args = ["-i", path, out]
    r = run(args, stdin=stdin)
    err = r.stderr.decode("utf-8")  # valid UTF-8, or this raises
    assert r.returncode == 1, err
    assert err.startswith("vidwrite: ") and err.endswith("\n"), err
    assert not any(c < " " or "\x7f" <= c <= "\x9f" for c in err[:-1]), err
    for w in words:
        assert w in err, err
    if via == "file":
        assert "hostile" in err
    assert not out.exists()
    assert not no_leftovers(tmp_path)


# ---- progress and Ctrl-C -----------------------------------------------------------------


def run_on_pty(args, stdin_bytes):
    """Runs vidwrite with stderr on a pseudo-terminal; returns (status, what the terminal got)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([VIDWRITE, *map(str, args)], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    feeder = threading.Thread(target=lambda: (proc.stdin.write(stdin_bytes), proc.stdin.close()))
    feeder.start()
    got = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the terminal's other side is closed
            break
        if not chunk:
            break
        got += chunk
    os.close(master)
    feeder.join()
    return proc.wait(timeout=TIMEOUT), got.decode()


def test_progress_line_on_a_terminal(tmp_path):
    frames = make_frames(60, 96, 128, 3).tobytes()
    src = tmp_path / "in.rgb"
    src.write_bytes(frames)
    status, text = run_on_pty(["-i", src, "-s", "128x96", tmp_path / "p.mp4"], b"")
    assert status == 0, text
    updates = text.split("\r")
    assert len(updates) >= 2, text
    assert re.search(r"frame \d+/60 +\d+%  [\d.]+ fps  elapsed \d+:\d\d  ETA \d+:\d\d", text)
    # The terminal turns the final newline into CR LF.
    assert re.search(r"\rframe 60/60 100%  [\d.]+ fps  elapsed \d+:\d\d\x1b\[K\r\n$", text)

    # Stdin of unknown length: no total, no percent.
    status, text = run_on_pty(["-i", "-", "-s", "128x96", tmp_path / "q.mp4"], frames)
    assert status == 0, text
    assert re.search(r"frame 60  [\d.]+ fps", text) and "%" not in text

    # -q silences it.
    status, text = run_on_pty(["-q", "-i", src, "-s", "128x96", tmp_path / "r.mp4"], b"")
    assert (status, text) == (0, "")


def test_progress_when_asked_without_terminal(tmp_path):
    frames = make_frames(10, 32, 32, 3).tobytes()
    r = run(["--progress", "-i", "-", "-s", "32x32", tmp_path / "p.mp4"], stdin=frames)
    assert r.returncode == 0
    assert r.stderr.decode().splitlines()[-1].startswith("frame 10 ")
    assert "\r" not in r.stderr.decode()


@pytest.mark.parametrize("existing", [False, True], ids=["no-target", "existing-target"])
def test_ctrl_c_cancels_cleanly(tmp_path, existing):
    out = tmp_path / "cancel.mp4"
    if existing:
        out.write_bytes(b"precious")
    frame = make_frames(1, 240, 320, 3).tobytes()
    proc = subprocess.Popen([VIDWRITE, "-i", "-", "-s", "320x240", out], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sent = 0
    try:
        # Far more frames than the pipe holds: by the time they are written, vidwrite is
        # encoding.  Then interrupt it and keep feeding until it has gone.
        while sent < 100000:
            if sent == 40:
                # Writing, yet nothing new in the directory: the file has no name until it is
                # complete (O_TMPFILE).
                assert sorted(os.listdir(tmp_path)) == (["cancel.mp4"] if existing else [])
                proc.send_signal(signal.SIGINT)
            proc.stdin.write(frame)
            proc.stdin.flush()
            sent += 1
    except BrokenPipeError:
        pass
    try:
        proc.stdin.close()
    except BrokenPipeError:
        pass
    status = proc.wait(timeout=TIMEOUT)
    err = proc.stderr.read().decode()
    assert sent >= 40
    assert status == 130, err
    assert "interrupted" in err
    if existing:
        assert out.read_bytes() == b"precious"
    else:
        assert not out.exists()
    assert not no_leftovers(tmp_path)


def test_ctrl_c_after_the_input_ended(tmp_path):
    """The interrupt lands in the last pushes or in finish, while x264 still works through a
    lookahead longer than the clip: either wait must give way."""
    out = tmp_path / "late.mp4"
    frames = make_frames(48, 240, 320, 3).tobytes()
    proc = subprocess.Popen([VIDWRITE, "-i", "-", "-s", "320x240", "-o", "preset=slow", "-o",
                             "x264-params=rc-lookahead=250", out], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    proc.stdin.write(frames)
    proc.stdin.close()
    proc.send_signal(signal.SIGINT)
    status = proc.wait(timeout=TIMEOUT)
    assert status == 130, proc.stderr.read()
    assert not out.exists()
    assert not no_leftovers(tmp_path)


# ---- streaming ---------------------------------------------------------------------------


def peak_rss_kib(args, frame, count):
    proc = subprocess.Popen([VIDWRITE, *map(str, args)], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(count):
        proc.stdin.write(frame)
    proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0
    return usage.ru_maxrss


def test_memory_does_not_grow_with_input_length(tmp_path):
    frame = make_frames(1, 240, 320, 3).tobytes()
    args = ["-i", "-", "-s", "320x240", "-o", "preset=ultrafast"]
    short = peak_rss_kib([*args, tmp_path / "short.mp4"], frame, 40)
    long = peak_rss_kib([*args, tmp_path / "long.mp4"], frame, 400)
    assert int(probe(tmp_path / "long.mp4")["video"]["nb_read_frames"]) == 400
    # 360 more frames are 83 MB of input; allow a fraction of a frame's worth per frame.
    assert long - short < 20 * 1024, (short, long)



# Peak RSS of a command fed a file on stdin, from a small parent: Linux keeps a process's peak
# across exec, so a child forked from this (large) interpreter would report the interpreter's.
PEAK_RSS = r"""
import os, sys
with open(sys.argv[1], "rb") as f:
    pid = os.fork()
    if pid == 0:
        os.dup2(f.fileno(), 0)
        os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak_rss_of_command(command, stdin_path):
    out = subprocess.run([sys.executable, "-c", PEAK_RSS, str(stdin_path), *map(str, command)],
                         capture_output=True, check=True, timeout=TIMEOUT, text=True).stdout
    code, kib = map(int, out.split())
    assert code == 0, command
    return kib


def test_lookahead_holds_no_copies_of_frames(tmp_path):
    """x264 at preset medium keeps 40 frames of lookahead, in copies of its own: the frames
    handed to it must not stay alive too (x264enc holds them; they were 55 MiB at 720p).  Peak
    RSS at most FFmpeg's with the same x264 settings (one thread: the same on every machine)."""
    raw = tmp_path / "frames.rgb"
    raw.write_bytes(make_frames(60, 720, 1280, 3).tobytes())
    ours = peak_rss_of_command([VIDWRITE, "-i", "-", "-s", "1280x720", "-o", "threads=1",
                                tmp_path / "v.mp4"], raw)
    theirs = peak_rss_of_command([FFMPEG, "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt",
                                  "rgb24", "-s", "1280x720", "-r", "30", "-i", "-", "-c:v",
                                  "libx264", "-threads", "1", "-pix_fmt", "yuv420p",
                                  tmp_path / "f.mp4"], raw)
    assert int(probe(tmp_path / "v.mp4")["video"]["nb_read_frames"]) == 60
    assert ours <= theirs, (ours, theirs)

@pytest.mark.parametrize("seconds", [0.5, 5.0, 12.0])
def test_wav_longer_or_shorter_than_the_video(tmp_path, seconds):
    """2 s of video: the whole soundtrack is kept, whatever its length, without a stall."""
    rate = 16000
    n = int(rate * seconds)
    wav = tmp_path / "tone.wav"
    write_wav(wav, tone(n, rate, [440, 880]), rate, "s16")
    out = tmp_path / "lengths.mkv"
    start = time.monotonic()
    r = run(["-i", "-", "-s", "64x48", "-r", "30", "-a", wav, "--audio-codec", "flac", out],
            stdin=make_frames(60, 48, 64, 3).tobytes())
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - start < 60  # no-hang bound, not a speed test
    assert int(probe(out)["video"]["nb_read_frames"]) == 60
    assert len(decode_audio(out, 2)) == n


# ---- outputs other than a named file -------------------------------------------------------


def test_stdout_with_format(tmp_path):
    """OUTPUT - writes to standard output: ffprobe reads every frame from the pipe."""
    frames = make_frames(12, 48, 64, 3)
    r = run(["-i", "-", "-s", "64x48", "-f", "mp4", "-"], stdin=frames.tobytes())
    assert r.returncode == 0, r.stderr
    assert b"moof" in r.stdout  # fragmented: a pipe cannot seek back
    out = tmp_path / "from-stdout.mp4"
    out.write_bytes(r.stdout)
    assert int(probe(out)["video"]["nb_read_frames"]) == 12


def test_stdout_into_a_reader_that_leaves():
    """vidwrite ... - | head -c 1000: the reader goes away; an error, promptly, not a hang or a
    signal."""
    proc = subprocess.Popen(f"'{VIDWRITE}' --demo -f matroska - | head -c 1000 > /dev/null; "
                            "exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash",
                            stderr=subprocess.PIPE)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert b"vidwrite:" in err


def test_format_overrides_extension(tmp_path):
    out = tmp_path / "clip.bin"
    r = run(["--demo", "-q", "-f", "matroska", out])
    assert r.returncode == 0, r.stderr
    fmt = subprocess.run([FFPROBE, "-v", "error", "-show_entries", "format=format_name",
                          "-of", "csv=p=0", out], capture_output=True, text=True).stdout
    assert "matroska" in fmt


@pytest.mark.parametrize("args,message", [
    (["-f", "nosuch", "OUT.mp4"], "nosuch"),
    (["-"], "--format"),
])
def test_output_errors(tmp_path, args, message):
    args = [str(tmp_path / "o.mp4") if a == "OUT.mp4" else a for a in args]
    r = run(["--demo", "-q", *args])
    assert r.returncode == 1
    assert message in r.stderr.decode()
    assert not os.listdir(tmp_path)


def test_hls_playlist(tmp_path):
    frames = make_frames(48, 48, 64, 3)
    playlist = tmp_path / "index.m3u8"
    r = run(["-i", "-", "-s", "64x48", "-r", "24", "-o", "hls_time=0.5", playlist],
            stdin=frames.tobytes())
    assert r.returncode == 0, r.stderr
    segments = [line for line in playlist.read_text().splitlines()
                if line and not line.startswith("#")]
    assert len(segments) >= 2
    total = sum(int(probe(tmp_path / s)["video"]["nb_read_frames"]) for s in segments)
    assert total == 48


# ---- per-frame times (--timestamps) -------------------------------------------------------


def packet_times(path):
    """Presentation times of the video packets in seconds, sorted, and a tick of the time base."""
    from fractions import Fraction
    out = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "stream=time_base:packet=pts", "-of", "csv=p=0", str(path)],
                         capture_output=True, check=True, text=True, timeout=TIMEOUT).stdout.split()
    base = Fraction(next(line for line in out if "/" in line))
    return sorted(int(line) * base for line in out if "/" not in line), base


# Milliseconds: a 1.5 s gap, jitter, sub-millisecond steps, decimals.
TIMES_MS = ["0", "1500", "1533.5", "1566", "1600.25", "1600.5", "1600.75", "2700", "2733.125"]


@pytest.mark.parametrize("extension,header", [("mkv", "# timestamp format v2"),
                                              ("mp4", "# timecode format v2"),
                                              ("webm", "# timestamp format v2")])
def test_timestamps_file(tmp_path, extension, header):
    from fractions import Fraction
    times = tmp_path / "times.txt"
    times.write_text(header + "\n" + "\n".join(TIMES_MS[:3]) + "\n# a comment\n\n"
                     + "\n".join(TIMES_MS[3:]) + "\n")
    np.save(tmp_path / "f.npy", make_frames(len(TIMES_MS), 48, 64, 3))
    rate, seconds = 48000, 3
    wav = tmp_path / "tone.wav"
    write_wav(wav, tone(rate * seconds, rate, [440, 660]), rate, "s16")
    out = tmp_path / f"vfr.{extension}"
    codec = ["-c", "libvpx-vp9", "-o", "deadline=realtime"] if extension == "webm" else []
    r = run(["-i", tmp_path / "f.npy", "--timestamps", times, "-a", wav, *codec, out])
    assert r.returncode == 0, r.stderr
    got, tick = packet_times(out)
    assert len(got) == len(TIMES_MS)
    for t, ms in zip(got, TIMES_MS):
        assert abs(t - Fraction(ms) / 1000) <= tick, (float(t), ms)
    assert int(probe(out)["video"]["nb_read_frames"]) == len(TIMES_MS)
    assert_samples(len(decode_audio(out, 2)), rate * seconds)


@pytest.mark.parametrize("text,message", [
    ("0\n10\n20\n", "is not “# timestamp format v2”"),
    ("# timestamp format v2\n0\n10\n10\n", "times.txt:4: 10 ms is not after"),
    ("# timestamp format v2\n0\n-10\n20\n", "times.txt:3: “-10” is not a time"),
    ("# timestamp format v2\n0\nten\n20\n", "times.txt:3: “ten” is not a time"),
    ("# timestamp format v2\n0\n10\n", "has 2 times, but the input has more frames"),
    ("# timestamp format v2\n0\n10\n20\n30\n", "has 4 times for 3 frames"),
    ("# timestamp format v2\n", "has no times"),
])
def test_timestamps_file_errors(tmp_path, text, message):
    times = tmp_path / "times.txt"
    times.write_text(text)
    out = tmp_path / "out.mkv"
    r = run(["-i", "-", "-s", "64x48", "--timestamps", times, out],
            stdin=make_frames(3, 48, 64, 3).tobytes())
    assert r.returncode == 1
    assert message in r.stderr.decode(), r.stderr
    assert not out.exists() and not no_leftovers(tmp_path)


@pytest.mark.parametrize("workers", ["1", "3"])
def test_jobs_file(tmp_path, workers):
    """--jobs: one write a line, run -j at a time; the command line's options apply to every
    line (its -o before the line's); a failed job is named by its line and output, leaves no
    file and does not stop the others; exit 1."""
    np.save(tmp_path / "a.npy", make_frames(5, 32, 48, 3))
    np.save(tmp_path / "b.npy", make_frames(7, 32, 48, 3, seed=1))
    (tmp_path / "jobs.txt").write_text(
        "# clips\n"
        "-i a.npy a.mp4\n"
        "-i b.npy -c libnothing bad.mp4\n"
        "\n"
        "-i b.npy -r 12 -o crf=30 'b c.mkv'\n"
        "-i missing.npy m.mp4\n"
        "-i a.npy -o preset=warp warp.mp4\n"
        "-i b.npy -r 24000/1001 b.mp4\n")
    result = run(["--jobs", "jobs.txt", "-j", workers, "-o", "preset=ultrafast", "-o",
                  "crf=20"], cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    errors = result.stderr.decode().splitlines()
    assert len(errors) == 4, errors
    for origin, words in (("jobs.txt:3 (bad.mp4)", ["libnothing"]),
                          ("jobs.txt:6 (m.mp4)", ["missing.npy"]),
                          ("jobs.txt:7 (warp.mp4)", ["preset", "warp"])):
        line = next(e for e in errors if e.startswith(f"vidwrite: {origin}: "))
        assert all(word in line for word in words), line
    assert errors[-1] == "vidwrite: 3 of 6 jobs failed"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.mp4", "a.npy", "b c.mkv", "b.mp4", "b.npy", "jobs.txt"]
    for name, frames, rate in (("a.mp4", 5, "30/1"), ("b c.mkv", 7, "12/1"),
                               ("b.mp4", 7, "24000/1001")):
        video = probe(tmp_path / name)["video"]
        assert int(video["nb_read_frames"]) == frames and video["r_frame_rate"] == rate, name
    assert psnr(decode_video(tmp_path / "a.mp4", 48, 32), make_frames(5, 32, 48, 3)) > 30


@pytest.mark.parametrize("line, words", [
    ("-i a.npy", ["jobs.txt:2", "OUTPUT"]),
    ("-i a.npy x.mp4 y.mp4", ["jobs.txt:2", "OUTPUT"]),
    ("-i a.npy --jobs other.txt x.mp4", ["jobs.txt:2", "--jobs"]),
    ("-i - x.mp4", ["jobs.txt:2", "standard input"]),
    ("-i a.npy -", ["jobs.txt:2", "standard output"]),
    ("-i 'a.npy x.mp4", ["jobs.txt:2", "quote"]),
])
def test_jobs_file_that_does_not_parse(tmp_path, line, words):
    """A bad line stops everything before anything is written: exit 2, the line named."""
    np.save(tmp_path / "a.npy", make_frames(3, 32, 32, 3))
    (tmp_path / "jobs.txt").write_text(f"-i a.npy first.mp4\n{line}\n")
    result = run(["--jobs", "jobs.txt"], cwd=tmp_path)
    assert result.returncode == 2
    message = result.stderr.decode()
    assert all(word in message for word in words), message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.npy", "jobs.txt"]


def test_jobs_from_stdin_and_usage_errors(tmp_path):
    np.save(tmp_path / "a.npy", make_frames(4, 32, 32, 3))
    jobs = "".join(f"-i a.npy -o preset=ultrafast c{i}.mp4\n" for i in range(5)).encode()
    result = run(["--jobs", "-", "-j", "2"], stdin=jobs, cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    for i in range(5):
        assert int(probe(tmp_path / f"c{i}.mp4")["video"]["nb_read_frames"]) == 4
    assert run(["--jobs", "-", "out.mp4"], stdin=jobs, cwd=tmp_path).returncode == 2
    bad = run(["--jobs", "-", "-j", "-1"], stdin=jobs, cwd=tmp_path)
    assert bad.returncode == 2 and b"-1" in bad.stderr
    missing = run(["--jobs", "nothing.txt"], cwd=tmp_path)
    assert missing.returncode == 1 and b"nothing.txt" in missing.stderr
