# SPDX-License-Identifier: LGPL-2.1-or-later
"""vidwrite.Writer: chunks, audio, cancelling, progress, threads."""

import inspect
import os
import threading

import numpy as np
import pytest

import vidwrite
from conftest import (FAITHFUL_DB, FAST, decode_audio, decode_video, dominant_frequency,
                      pattern, psnr, tones, video_stream)


def test_signature():
    names = ["self", "filename", "fps", "width", "height", "channels", "video_codec", "options",
             "audio_fps", "audio_channels", "audio_codec", "audio_options", "progress", "format",
             "dtype"]
    assert list(inspect.signature(vidwrite.Writer.__init__).parameters) == names


def test_frames_in_chunks(tmp_path):
    video = pattern(20, 48, 64)
    path = tmp_path / "chunks.mp4"
    with vidwrite.Writer(path, 25, 64, 48, options={"crf": 10, **FAST}) as writer:
        writer.write_frames(video[:7])
        writer.write_frames(video[7])  # one [H, W, C] frame
        writer.write_frames(video[8:20:2])
        writer.write_frames(video[9:20:2])
        assert writer.frames_pushed == 20
    order = np.concatenate([video[:8], video[8:20:2], video[9:20:2]])
    decoded = decode_video(path)
    assert decoded.shape == (20, 48, 64, 3)
    assert psnr(order, decoded) > FAITHFUL_DB


def test_audio_and_frames_alternating(tmp_path):
    rate, fps, seconds = 16000, 25, 2
    video = pattern(fps * seconds, 32, 32)
    audio = tones([500], rate, seconds).astype(np.float32)
    path = tmp_path / "av.mkv"
    with vidwrite.Writer(path, fps, 32, 32, options=FAST, audio_fps=rate, audio_channels=1,
                         audio_codec="flac") as writer:
        for second in range(seconds):
            writer.write_audio(audio[:, second * rate:(second + 1) * rate])
            writer.write_frames(video[second * fps:(second + 1) * fps])
    assert int(video_stream(path)["nb_read_frames"]) == fps * seconds
    decoded = decode_audio(path)
    assert decoded.shape == audio.shape
    assert dominant_frequency(decoded[0], rate) == pytest.approx(500, abs=2)


def test_exception_cancels(tmp_path):
    path = tmp_path / "cancelled.mp4"
    with pytest.raises(KeyError):
        with vidwrite.Writer(path, 25, 32, 32, options=FAST) as writer:
            writer.write_frames(pattern(10, 32, 32))
            raise KeyError("stop")
    assert os.listdir(tmp_path) == []


def test_exception_keeps_an_existing_file(tmp_path):
    path = tmp_path / "kept.mp4"
    path.write_bytes(b"before")
    with pytest.raises(RuntimeError):
        with vidwrite.Writer(path, 25, 32, 32, options=FAST) as writer:
            writer.write_frames(pattern(5, 32, 32))
            raise RuntimeError("stop")
    assert os.listdir(tmp_path) == ["kept.mp4"]
    assert path.read_bytes() == b"before"


def test_exception_after_close(tmp_path):
    """cancel() after close() does nothing, as documented: the exception that left the block is
    the one raised, and the finished file stays.  cancel() used to raise the library's own
    "already finished" error (a bare GLib.Error) over it."""
    path = tmp_path / "closed.mp4"
    with pytest.raises(KeyError):
        with vidwrite.Writer(path, 25, 32, 32, options=FAST) as writer:
            writer.write_frames(pattern(5, 32, 32))
            writer.close()
            raise KeyError("after close")
    writer.cancel()
    assert int(video_stream(path)["nb_read_frames"]) == 5


def test_progress_callback(tmp_path):
    reports = []
    path = tmp_path / "progress.mp4"
    with vidwrite.Writer(path, 25, 32, 32, options=FAST,
                         progress=lambda encoded, pushed: reports.append((encoded, pushed))) as w:
        for frames in np.split(pattern(40, 32, 32), 8):
            w.write_frames(frames)
    assert reports, "no progress was reported"
    encoded = [e for e, _ in reports]
    assert encoded == sorted(encoded)
    assert reports[-1] == (40, 40)
    assert all(0 < e <= p <= 40 for e, p in reports)
    assert w.frames_encoded == 40


def test_four_threads(tmp_path):
    videos = [pattern(30, 32 + 16 * i, 48) for i in range(4)]
    errors = []

    def write(i):
        try:
            vidwrite.write_video(str(tmp_path / f"t{i}.mp4"), videos[i], 25,
                                 options={"crf": 10, **FAST})
        except Exception as error:  # reported below, in the main thread
            errors.append(error)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for i, video in enumerate(videos):
        decoded = decode_video(tmp_path / f"t{i}.mp4")
        assert decoded.shape == video.shape
        assert psnr(video, decoded) > FAITHFUL_DB


def test_short_soundtrack_ended(tmp_path):
    rate, fps = 16000, 25
    video = pattern(75, 32, 32)
    audio = tones([500], rate, 1).astype(np.float32)
    path = tmp_path / "short.mkv"
    with vidwrite.Writer(path, fps, 32, 32, options=FAST, audio_fps=rate,
                         audio_channels=1) as writer:
        writer.write_audio(audio)
        writer.end_audio()
        for i in range(len(video)):
            writer.write_frames(video[i])
        # Ended audio lets frames through: they leave the encoder before close().
        assert writer.frames_encoded > len(video) // 2
        with pytest.raises(vidwrite.Error) as info:
            writer.write_audio(audio)
        assert info.value.code == vidwrite.ErrorCode.STATE
    assert video_stream(path)["nb_read_frames"] == "75"
