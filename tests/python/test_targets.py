# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writing where a video can go besides a named file: file-like objects that can seek or not,
bytes, pipes to another program, and a format named instead of an extension."""

import io
import os
import subprocess
import threading

import pytest

import vidwrite
from conftest import (FAITHFUL_DB, FAST, FFPROBE, assert_samples, decode_audio, decode_video, pattern, probe,
                      psnr, tones, video_stream)

RATE = 48000


def clip(frames=24):
    return pattern(frames, 48, 64)


def check_file(path, frames=24, audio=True):
    streams, _ = probe(path)
    video = next(s for s in streams if s["codec_type"] == "video")
    assert int(video["nb_read_frames"]) == frames
    assert video["r_frame_rate"] == "24/1"
    if audio:
        assert any(s["codec_type"] == "audio" for s in streams)
        assert_samples(decode_audio(path).shape[1], RATE // 2)


def write_to(target, fmt, **kwargs):
    vidwrite.write_video(target, clip(), 24, options={"crf": 10, **FAST},
                         audio_array=tones([440, 660], RATE, 0.5), audio_fps=RATE, format=fmt,
                         **kwargs)


@pytest.mark.parametrize("fmt,ext,codec", [("mp4", "mp4", "libx264"), ("matroska", "mkv", "libx264"),
                                          ("mpegts", "ts", "libx264"), ("mov", "mov", "libx264")])
def test_bytesio(tmp_path, fmt, ext, codec):
    buffer = io.BytesIO()
    write_to(buffer, fmt, video_codec=codec)
    path = tmp_path / f"out.{ext}"
    path.write_bytes(buffer.getvalue())
    check_file(path)
    assert psnr(clip(), decode_video(path)) > FAITHFUL_DB


def test_open_file_keeps_what_came_before(tmp_path):
    """An open file positioned after a header of the caller's: the video starts there, and
    its offsets are its own (mp4mux seeks back to write its index)."""
    path = tmp_path / "after-header.bin"
    with open(path, "wb") as f:
        f.write(b"HEADER--")
        write_to(f, "mp4")
        f.write(b"--TRAILER")
    data = path.read_bytes()
    assert data.startswith(b"HEADER--") and data.endswith(b"--TRAILER")
    video = tmp_path / "inner.mp4"
    video.write_bytes(data[8:-9])
    check_file(video)


class Unseekable(io.RawIOBase):
    """A sink that can only append, as a pipe or a socket."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data.extend(b)
        return len(b)


@pytest.mark.parametrize("fmt,ext", [("mp4", "mp4"), ("matroska", "mkv"), ("webm", "webm")])
def test_unseekable_file_like(tmp_path, fmt, ext):
    sink = Unseekable()
    codec = "libvpx-vp9" if fmt == "webm" else "libx264"
    vidwrite.write_video(sink, clip(), 24, video_codec=codec,
                         options=FAST if codec == "libx264" else None,
                         audio_array=tones([440, 660], RATE, 0.5), audio_fps=RATE, format=fmt)
    path = tmp_path / f"pipe.{ext}"
    path.write_bytes(bytes(sink.data))
    if fmt == "mp4":
        assert b"moof" in sink.data  # fragmented: no going back
    check_file(path)


def test_pipe_to_ffprobe(tmp_path):
    """vidwrite into one end of a pipe, ffprobe reading the other end as it comes."""
    reader = subprocess.Popen([FFPROBE, "-v", "error", "-count_frames", "-select_streams", "v:0",
                               "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", "-"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    write_to(reader.stdin, "matroska")
    out, _ = reader.communicate(timeout=60)
    assert out.decode().strip() == "24"


def test_encode_video_returns_bytes(tmp_path):
    data = vidwrite.encode_video(clip(), 24, format="mp4", options=FAST,
                                 audio_array=tones([440, 660], RATE, 0.5), audio_fps=RATE)
    assert isinstance(data, bytes) and data[4:8] == b"ftyp"
    path = tmp_path / "encoded.mp4"
    path.write_bytes(data)
    check_file(path)
    assert b"moof" not in data  # in memory it can seek: an ordinary MP4


def test_write_raises_propagates():
    class Full(io.BytesIO):
        def write(self, b):
            if self.tell() > 2000:
                raise OSError(28, "No space left on device")
            return super().write(b)

    with pytest.raises(OSError, match="No space left"):
        write_to(Full(), "matroska")


def test_writer_to_file_like():
    buffer = io.BytesIO()
    with vidwrite.Writer(buffer, 24, 64, 48, options=FAST, format="matroska") as writer:
        writer.write_frames(clip(10))
    assert buffer.getvalue()[:4] == b"\x1a\x45\xdf\xa3"  # EBML


def test_format_overrides_extension(tmp_path):
    path = tmp_path / "clip.bin"
    vidwrite.write_video(str(path), clip(), 24, options=FAST, format="matroska")
    _, fmt = probe(path)
    assert "matroska" in fmt["format_name"]


def test_format_errors(tmp_path):
    with pytest.raises(vidwrite.Error, match="format="):
        vidwrite.write_video(io.BytesIO(), clip(), 24)
    with pytest.raises(vidwrite.Error, match="nosuch"):
        vidwrite.write_video(io.BytesIO(), clip(), 24, format="nosuch")
    with pytest.raises(vidwrite.Error, match="format must be a str"):
        vidwrite.encode_video(clip(), 24, format=4)
    assert not os.listdir(tmp_path)


def test_frag_duration_makes_fragments(tmp_path):
    """FFmpeg's frag_duration (microseconds): fragmented MP4 even in a seekable file."""
    path = tmp_path / "frag.mp4"
    vidwrite.write_video(str(path), pattern(48, 48, 64), 24, options={**FAST, "g": 12,
                                                                       "frag_duration": 500000})
    data = path.read_bytes()
    assert data.count(b"moof") >= 2
    assert int(video_stream(path)["nb_read_frames"]) == 48
