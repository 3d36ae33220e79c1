# SPDX-License-Identifier: LGPL-2.1-or-later
"""Errors: a vidwrite.Error with the offending value in its message, and no file."""

import os

import numpy as np
import pytest
from gi.repository import GLib

import vidwrite
from conftest import FAST, pattern, tones

Code = vidwrite.ErrorCode


def fails(tmp_path, code, words, **kwargs):
    """write_video with `kwargs` over a valid call: the error, and an empty directory."""
    call = {"filename": str(tmp_path / "out.mp4"), "video_array": pattern(4, 32, 32),
            "fps": 25, "options": FAST}
    call.update(kwargs)
    with pytest.raises(vidwrite.Error) as caught:
        vidwrite.write_video(**call)
    error = caught.value
    assert error.code == code, error
    for word in words:
        assert word in str(error)
    assert isinstance(error, GLib.Error) and isinstance(error, Exception)
    assert error.matches(vidwrite.Vidwrite.error_quark(), code)
    assert os.listdir(tmp_path) == []
    return error


def test_unknown_option(tmp_path):
    fails(tmp_path, Code.INVALID_OPTION, ["crfx"], options={"crfx": 20})


def test_bad_option_value(tmp_path):
    fails(tmp_path, Code.INVALID_OPTION, ["preset", "warp"], options={"preset": "warp"})


def test_option_value_of_wrong_type(tmp_path):
    fails(tmp_path, Code.INVALID_ARGUMENT, ["crf", "list"], options={"crf": [20]})


def test_unknown_codec(tmp_path):
    fails(tmp_path, Code.UNKNOWN_CODEC, ["libnothing"], video_codec="libnothing")


@pytest.mark.parametrize("shape", [(32, 32, 3), (4, 32, 32, 2), (4, 32, 32, 3, 1)])
def test_bad_shape(tmp_path, shape):
    error = fails(tmp_path, Code.INVALID_ARGUMENT, ["[T, H, W, C]", str(list(shape))[1:-1]],
                  video_array=np.zeros(shape, np.uint8))
    assert "video_array" in str(error)


@pytest.mark.parametrize("dtype", [np.float32, np.int16, np.int8])
def test_bad_dtype(tmp_path, dtype):
    fails(tmp_path, Code.INVALID_ARGUMENT, ["uint8", np.dtype(dtype).name],
          video_array=np.zeros((4, 32, 32, 3), dtype))


def test_bad_torch_dtype(tmp_path, torch):
    fails(tmp_path, Code.INVALID_ARGUMENT, ["uint8", "float16"],
          video_array=torch.zeros((4, 32, 32, 3), dtype=torch.float16))


def test_bad_audio_shape(tmp_path):
    fails(tmp_path, Code.INVALID_ARGUMENT, ["[C, N]", "[16000]"],
          audio_array=tones([440], 16000, 1)[0], audio_fps=16000)


def test_bad_audio_dtype(tmp_path):
    fails(tmp_path, Code.INVALID_ARGUMENT, ["int32"],
          audio_array=np.zeros((1, 100), np.int32), audio_fps=16000)


def test_audio_without_rate(tmp_path):
    fails(tmp_path, Code.INVALID_ARGUMENT, ["audio_fps"], audio_array=np.zeros((1, 100)))


def test_fractional_audio_rate(tmp_path):
    fails(tmp_path, Code.INVALID_ARGUMENT, ["audio_fps", "44100.5"],
          audio_array=np.zeros((1, 100)), audio_fps=44100.5)


@pytest.mark.parametrize("fps", [0, -25, float("nan"), "25"])
def test_bad_rate(tmp_path, fps):
    fails(tmp_path, Code.INVALID_ARGUMENT, [str(fps) if fps != "25" else "str"], fps=fps)


def test_missing_directory(tmp_path):
    error = fails(tmp_path, Code.IO, ["no-such-dir"],
                  filename=str(tmp_path / "no-such-dir" / "out.mp4"))
    assert "does not exist" in str(error)


def test_unknown_container(tmp_path):
    fails(tmp_path, Code.UNSUPPORTED_CONTAINER, [".xyz"], filename=str(tmp_path / "out.xyz"))


def test_existing_file_survives_an_error(tmp_path):
    path = tmp_path / "out.mp4"
    path.write_bytes(b"before")
    with pytest.raises(vidwrite.Error):
        vidwrite.write_video(str(path), pattern(4, 32, 32), 25, options={"crf": "high"})
    assert os.listdir(tmp_path) == ["out.mp4"]
    assert path.read_bytes() == b"before"


def test_writer_frames_of_the_wrong_size(tmp_path):
    path = tmp_path / "w.mp4"
    with pytest.raises(vidwrite.Error, match=r"\[48, 32, 3\].*\[32, 32, 3\]"):
        with vidwrite.Writer(path, 25, 32, 32, options=FAST) as writer:
            writer.write_frames(pattern(2, 32, 32))
            writer.write_frames(pattern(2, 48, 32))
    assert os.listdir(tmp_path) == []


def test_writer_audio_without_audio_stream(tmp_path):
    with pytest.raises(vidwrite.Error, match="no audio"):
        with vidwrite.Writer(tmp_path / "w.mp4", 25, 32, 32, options=FAST) as writer:
            writer.write_audio(np.zeros((1, 10), np.float32))
    assert os.listdir(tmp_path) == []


def test_writer_use_after_close(tmp_path):
    writer = vidwrite.Writer(tmp_path / "w.mp4", 25, 32, 32, options=FAST)
    writer.write_frames(pattern(2, 32, 32))
    writer.close()
    with pytest.raises(vidwrite.Error) as caught:
        writer.write_frames(pattern(2, 32, 32))
    assert caught.value.code == Code.STATE
    assert "already finished" in str(caught.value)


def test_error_pickles():
    import pickle
    error = vidwrite.Error("bad thing", Code.IO)
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.code) == (vidwrite.Error, "bad thing", Code.IO)
