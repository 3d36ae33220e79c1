# SPDX-License-Identifier: LGPL-2.1-or-later
"""Targets that are not one file: an RTMP server (nginx, recording), an SRT listener
(srt-live-transmit), an HLS playlist and numbered segments.  The servers are real, started
on free loopback ports by the fixtures of live_servers.py; what they received is decoded."""

import os
import re
import subprocess
import time

import numpy as np
import pytest

import vidwrite
from conftest import (FAITHFUL_DB, FAST, FFPROBE, decode_audio, decode_video,
                      dominant_frequency, pattern, probe, psnr, tones, video_stream)
from live_servers import rtmp, srt  # noqa: F401 (fixtures)

FPS = 25
RATE = 44100
HEIGHT, WIDTH = 48, 64
# Generous "promptly": the sinks give up within about 5 s (SRT's peer idle timeout).
PROMPT_SECONDS = 20
FAITHFUL = {"crf": 10, **FAST}


def clip(seconds, tone=440):
    """Frames and a mono tone of the same length."""
    return pattern(int(FPS * seconds), HEIGHT, WIDTH), tones([tone], RATE, seconds)


def frames_of(path):
    """ffprobe's video frames: (key_frame, pts_time) each."""
    out = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "frame=key_frame,pts_time", "-of", "csv=p=0", str(path)],
                         check=True, capture_output=True, text=True).stdout
    return [(int(k), float(t)) for k, t in (line.split(",")[:2] for line in out.split())]


def check_audio(path, seconds, tone=440):
    streams, _ = probe(path)
    audio = [s for s in streams if s["codec_type"] == "audio"]
    assert len(audio) == 1 and audio[0]["codec_name"] == "aac"
    decoded = decode_audio(path)
    # AAC adds its priming and pads the last block: within a few blocks of 1024 samples.
    assert decoded.shape[1] / RATE == pytest.approx(seconds, abs=0.1)
    assert dominant_frequency(decoded[0], RATE) == pytest.approx(tone, abs=3)


def test_rtmp_recorded(rtmp):
    video, audio = clip(2)
    url = f"{rtmp.url_base}/take1"
    vidwrite.write_video(url, video, FPS, options=FAITHFUL, audio_array=audio, audio_fps=RATE,
                         audio_codec="aac")
    recording = rtmp.wait_recorded("take1")
    stream = video_stream(recording)
    assert int(stream["nb_read_frames"]) == len(video)
    assert stream["r_frame_rate"] == f"{FPS}/1"
    decoded = decode_video(recording)
    assert decoded.shape == video.shape
    assert psnr(video, decoded) > FAITHFUL_DB
    times = [t for _, t in frames_of(recording)]
    assert times[-1] - times[0] == pytest.approx((len(video) - 1) / FPS, abs=0.002)
    check_audio(recording, 2)


def test_srt_received(srt):
    video, audio = clip(2, tone=660)
    vidwrite.write_video(srt.url, video, FPS, options=FAITHFUL, audio_array=audio,
                         audio_fps=RATE, audio_codec="aac")
    received = srt.wait_received()
    frames = frames_of(received)
    assert len(frames) == len(video)
    assert frames[0][0] == 1  # a receiver can start decoding at once
    decoded = decode_video(received)
    assert decoded.shape == video.shape
    assert psnr(video, decoded) > FAITHFUL_DB
    assert video_stream(received)["r_frame_rate"] == f"{FPS}/1"
    check_audio(received, 2, tone=660)


def read_playlist(path):
    """The playlist's (segment name, listed duration) pairs, its media sequence, and whether
    it is closed with #EXT-X-ENDLIST."""
    text = path.read_text()
    durations = [float(d) for d in re.findall(r"^#EXTINF:([0-9.]+)", text, re.M)]
    names = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert len(names) == len(durations)
    sequence = re.search(r"^#EXT-X-MEDIA-SEQUENCE:(\d+)", text, re.M)
    return (list(zip(names, durations)), int(sequence.group(1)) if sequence else 0,
            "#EXT-X-ENDLIST" in text)


def check_segment(path, longest):
    """A segment plays alone, from a key frame, with its audio, and lasts at most `longest`
    seconds.  Returns its number of frames."""
    frames = frames_of(path)
    assert frames and frames[0][0] == 1
    assert len(frames) <= round(longest * FPS)
    streams, _ = probe(path)
    assert [s["codec_type"] for s in streams].count("audio") == 1
    return len(frames)


def test_hls(tmp_path):
    # The sink asks the encoder for a key frame every hls_time, so no segment waits for the
    # encoder's own key frames (vidwrite's GOP is x264's 250 frames): at most hls_time and the
    # frame that crosses it.
    hls_time, seconds = 1, 3.2
    video, audio = clip(seconds)
    playlist = tmp_path / "live.m3u8"
    vidwrite.write_video(playlist, video, FPS, options={"hls_time": hls_time, "hls_list_size": 0,
                                                        **FAST},
                         audio_array=audio, audio_fps=RATE, audio_codec="aac")
    entries, sequence, ended = read_playlist(playlist)
    assert ended and sequence == 0
    assert [name for name, _ in entries] == [f"live{i}.ts" for i in range(len(entries))]
    assert len(entries) >= 3
    total = 0
    for name, duration in entries:
        assert duration <= hls_time + 1.5 / FPS
        total += check_segment(tmp_path / name, hls_time + 1 / FPS)
    assert total == len(video)


def test_hls_list_size(tmp_path):
    """FFmpeg's defaults: the playlist lists the last 5 segments, every segment file stays;
    hls_time may be fractional."""
    hls_time = 0.4
    video, audio = clip(3.2)
    playlist = tmp_path / "out.m3u8"
    vidwrite.write_video(playlist, video, FPS, options={"hls_time": hls_time, **FAST},
                         audio_array=audio, audio_fps=RATE, audio_codec="aac")
    entries, sequence, ended = read_playlist(playlist)
    files = sorted(tmp_path.glob("out*.ts"), key=lambda p: int(p.stem[3:]))
    assert ended
    assert len(entries) == 5
    assert [p.name for p in files] == [f"out{i}.ts" for i in range(len(files))]
    assert sequence == len(files) - 5
    assert [name for name, _ in entries] == [p.name for p in files[-5:]]
    assert sum(check_segment(p, hls_time + 1 / FPS) for p in files) == len(video)


def test_hls_bad_option(tmp_path):
    with pytest.raises(vidwrite.Error, match="hls_time.*abc"):
        vidwrite.write_video(tmp_path / "x.m3u8", pattern(5, HEIGHT, WIDTH), FPS,
                             options={"hls_time": "abc"})


def test_segments(tmp_path):
    segment_time = 1
    video, audio = clip(3.2)
    vidwrite.write_video(tmp_path / "clip_%03d.mp4", video, FPS,
                         options={"segment_time": segment_time, **FAST},
                         audio_array=audio, audio_fps=RATE, audio_codec="aac")
    files = sorted(tmp_path.glob("clip_*.mp4"))
    assert [p.name for p in files] == [f"clip_{i:03d}.mp4" for i in range(len(files))]
    assert len(files) >= 3
    assert sum(check_segment(p, segment_time + 1 / FPS) for p in files) == len(video)


@pytest.mark.parametrize("url", ["rtmp://127.0.0.1:1/live/x", "srt://127.0.0.1:1"])
def test_nothing_listening(url):
    start = time.monotonic()
    with pytest.raises(vidwrite.Error) as info:
        vidwrite.write_video(url, pattern(25, HEIGHT, WIDTH), FPS, options=FAST)
    assert time.monotonic() - start < PROMPT_SECONDS
    assert url in str(info.value)


def wait_for(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.mark.parametrize("kind", ["rtmp", "srt"])
def test_server_killed(kind, request):
    """A server that vanishes mid-stream (SIGKILL: no goodbye) ends the write with an error
    naming the URL, promptly: no hang, whether the next call is a push or close()."""
    server = request.getfixturevalue(kind)
    if kind == "rtmp":
        url = f"{server.url_base}/killed"
        arrived = server.recording("killed")
    else:
        url, arrived = server.url, server.output
    frames = pattern(FPS, HEIGHT, WIDTH)
    killed = None
    writer = vidwrite.Writer(url, FPS, WIDTH, HEIGHT, options=FAST)
    try:
        with pytest.raises(vidwrite.Error) as info:
            writer.write_frames(frames)
            wait_for(lambda: arrived.exists() and arrived.stat().st_size > 0)
            server.kill()
            killed = time.monotonic()
            while time.monotonic() - killed < PROMPT_SECONDS:
                writer.write_frames(frames)
                time.sleep(0.1)
            writer.close()
        assert killed is not None, f"failed before the server was killed: {info.value}"
        assert time.monotonic() - killed < PROMPT_SECONDS
        assert url in str(info.value)
    finally:
        writer.cancel()


@pytest.mark.parametrize("name", ["cancel.m3u8", "cancel_%03d.mp4"])
def test_cancelled_hls_or_segments_leave_nothing(tmp_path, name):
    """Playlists and segments are written under their final names; an abandoned write removes
    what it made, and only that."""
    (tmp_path / "mine.txt").write_text("the caller's")
    frames = np.zeros((48, 48, 64, 3), np.uint8)
    with pytest.raises(RuntimeError):
        with vidwrite.Writer(str(tmp_path / name), 24, 64, 48,
                             options={"preset": "ultrafast", "hls_time": "0.5"}
                             if name.endswith(".m3u8") else
                             {"preset": "ultrafast", "segment_time": "0.5"}) as writer:
            writer.write_frames(frames)
            deadline = time.monotonic() + 20
            while len(os.listdir(tmp_path)) < 2 and time.monotonic() < deadline:
                writer.write_frames(frames[:12])
            assert len(os.listdir(tmp_path)) >= 2  # something was written under its name
            raise RuntimeError("the caller gives up")
    assert sorted(os.listdir(tmp_path)) == ["mine.txt"]
