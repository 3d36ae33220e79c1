# SPDX-License-Identifier: LGPL-2.1-or-later
"""The GTK recorders of examples/, run headless under Xvfb: each writes a few seconds of its
animation; the file must hold every frame, at its rate, and show the ball where the animation
put it in each frame."""
import math
import os
import subprocess

import numpy as np
import pytest

W, H, FPS = 320, 240, 30
FFMPEG = os.environ.get("FFMPEG", "ffmpeg")
FFPROBE = os.environ.get("FFPROBE", "ffprobe")
EXAMPLES = os.environ.get("EXAMPLES_DIR", "")


def ball(frame):
    """Where the examples draw the ball's centre in `frame`."""
    t = frame / FPS
    return (round(W / 2 + (W / 2 - 30) * math.sin(t * 2.1)),
            round(H - 30 - abs(math.sin(t * 3.0)) * (H - 60)))


def headless(argv, timeout=120):
    env = dict(os.environ, GDK_BACKEND="x11", GTK_A11Y="none", NO_AT_BRIDGE="1")
    return subprocess.run(["xvfb-run", "-a", *argv], env=env, capture_output=True, text=True,
                          timeout=timeout)


def probe(path):
    out = subprocess.run([FFPROBE, "-v", "error", "-count_frames", "-select_streams", "v:0",
                          "-show_entries", "stream=nb_read_frames,width,height,r_frame_rate",
                          "-show_entries", "format=duration", "-of", "default=nw=1", path],
                         capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.split())


def decode(path):
    raw = subprocess.run([FFMPEG, "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt",
                          "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, H, W, 3)


def is_ball(pixel):
    r, g, b = (int(c) for c in pixel)
    return r > 200 and g > 180 and b < 120


def check_recording(path, seconds, result):
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"wrote {path}: {seconds * FPS} frames" in result.stdout
    info = probe(path)
    assert int(info["nb_read_frames"]) == seconds * FPS
    assert (int(info["width"]), int(info["height"])) == (W, H)
    assert info["r_frame_rate"] == f"{FPS}/1"
    assert abs(float(info["duration"]) - seconds) < 0.05
    assert os.path.getsize(path) > 10_000
    frames = decode(path)
    for n in (0, 17, 40, len(frames) - 1):
        x, y = ball(n)
        assert is_ball(frames[n][y, x]), f"frame {n}: no ball at {x},{y}"
    # ... and it moves: frame 17's ball is far from frame 40's position.
    x, y = ball(40)
    assert math.dist(ball(17), (x, y)) > 60
    assert not is_ball(frames[17][y, x])


def test_c_recorder(tmp_path):
    path = str(tmp_path / "c.mp4")
    result = headless([os.environ["GTK_RECORDER"], "--output", path, "--seconds", "3",
                       "--auto-quit"])
    check_recording(path, 3, result)


def test_c_recorder_cancel(tmp_path):
    """Cancel, pressed during the recording: no file, no temporary file, a clean exit."""
    path = str(tmp_path / "cancelled.mp4")
    result = headless([os.environ["GTK_RECORDER"], "--output", path, "--seconds", "3",
                       "--auto-quit", "--cancel-after", "20"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cancelled: no file written" in result.stdout
    assert os.listdir(tmp_path) == []


def test_python_recorder(tmp_path):
    path = str(tmp_path / "python.mp4")
    result = headless(["/usr/bin/python3", os.path.join(EXAMPLES, "gtk-recorder.py"), path, "2",
                       "--auto-quit"])
    check_recording(path, 2, result)


def test_gjs_recorder(tmp_path):
    path = str(tmp_path / "gjs.mp4")
    result = headless([os.environ.get("GJS", "gjs"), os.path.join(EXAMPLES, "gtk-recorder.js"),
                       path, "2", "--auto-quit"])
    check_recording(path, 2, result)
