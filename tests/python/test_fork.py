# SPDX-License-Identifier: LGPL-2.1-or-later
"""A process that wrote a video, then forks or spawns workers that write videos (Python's
multiprocessing and PyTorch's DataLoader fork by default on Linux): every write completes.
A forked child's write used to hang for ever: GStreamer's shared thread pools do not survive
fork()."""

import multiprocessing
import os
import time

import pytest

import vidwrite
from conftest import FAST, pattern, tones, video_stream
from live_servers import srt_listener

TIMEOUT = 60  # a no-hang bound for each child, not a speed test


def write_clip(path, seed=0, audio=False):
    kwargs = {}
    if audio:
        kwargs = dict(audio_array=tones([440, 660], 16000, 0.5), audio_fps=16000,
                      audio_codec="aac")
    vidwrite.write_video(str(path), pattern(12, 32, 48)[::-1] if seed else pattern(12, 32, 48),
                         24, options=FAST, **kwargs)
    return str(path)


def wait_child(pid):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail(f"the forked child's write did not end within {TIMEOUT} s")


@pytest.mark.parametrize("pause", [0, 0.3, 1.0])
@pytest.mark.parametrize("audio", [False, True])
def test_fork_after_a_write(tmp_path, pause, audio):
    """Forked right after a write (while GStreamer's threads would still be parked) and later."""
    write_clip(tmp_path / "parent.mp4", audio=audio)
    time.sleep(pause)
    pid = os.fork()
    if pid == 0:
        try:
            write_clip(tmp_path / "child.mp4", seed=1, audio=audio)
            os._exit(0)
        except BaseException:
            os._exit(1)
    assert wait_child(pid) == 0
    write_clip(tmp_path / "parent-again.mp4", audio=audio)
    for name in ("parent.mp4", "child.mp4", "parent-again.mp4"):
        assert int(video_stream(tmp_path / name)["nb_read_frames"]) == 12


def async_write(path, forking=None, in_callback=True, push_async=True):
    """A write finished with finish_async in a main loop (its frames pushed with push_frames or
    push_frames_async); `forking` runs inside its callback, or right after the loop returns."""
    from gi.repository import GLib, Vidwrite
    writer = Vidwrite.Writer.new(str(path))
    writer.set_video(32, 32, Vidwrite.PixelFormat.RGB, 24, 1, None, None)
    loop = GLib.MainLoop()
    results = []

    def finished(w, res):
        results.append(w.finish_finish(res))
        if forking and in_callback:
            results.append(forking())
        loop.quit()

    def pushed(w, res):
        w.push_frames_finish(res)
        w.finish_async(None, finished)

    frames = GLib.Bytes.new(pattern(6, 32, 32).tobytes())
    if push_async:
        writer.push_frames_async(frames, None, pushed)
    else:
        writer.push_frames(frames)
        writer.finish_async(None, finished)
    loop.run()
    if forking and not in_callback:
        results.append(forking())
    return results


@pytest.mark.parametrize("push_async", [True, False])
@pytest.mark.parametrize("in_callback", [True, False])
def test_fork_from_the_callback_of_an_async_write(tmp_path, in_callback, push_async):
    """The threads of push_frames_async and finish_async are the writer's own, and each has
    exited when its callback runs: a child forked just after the callback used to inherit the
    main context's lock held by the exiting finish thread (in its last g_source_unref), and hung
    (1 run in 20).  Repeated, since it is a race."""
    for i in range(30):
        def fork_a_writer():
            pid = os.fork()
            if pid == 0:
                try:
                    os._exit(0 if async_write(tmp_path / f"child-{i}.mkv") == [True] else 1)
                except BaseException:
                    os._exit(1)
            return wait_child(pid)

        assert async_write(tmp_path / f"parent-{i}.mkv", fork_a_writer, in_callback,
                           push_async) == [True, 0]
        for name in (f"parent-{i}.mkv", f"child-{i}.mkv"):
            assert int(video_stream(tmp_path / name)["nb_read_frames"]) == 6


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_worker_pool_after_a_write(tmp_path, method):
    """The DataLoader pattern: the parent writes, then a pool of workers writes clips."""
    write_clip(tmp_path / "before.mp4")
    context = multiprocessing.get_context(method)
    paths = [tmp_path / f"worker-{i}.mp4" for i in range(4)]
    with context.Pool(2) as pool:
        result = pool.starmap_async(write_clip, [(p, i % 2) for i, p in enumerate(paths)])
        written = result.get(timeout=TIMEOUT * 2)
    assert written == [str(p) for p in paths]
    for p in paths:
        assert int(video_stream(p)["nb_read_frames"]) == 12



def test_fork_after_an_srt_write(tmp_path):
    """The SRT sink does not preroll either: its prerolling finished the pipeline's start on
    GStreamer's shared thread pool, and a forked child's next SRT write hung for ever."""
    (tmp_path / "parent").mkdir()
    (tmp_path / "child").mkdir()
    with srt_listener(tmp_path / "parent") as parent, srt_listener(tmp_path / "child") as child:
        write_clip(parent.url)
        pid = os.fork()
        if pid == 0:
            try:
                write_clip(child.url, seed=1)
                os._exit(0)
            except BaseException:
                os._exit(1)
        assert wait_child(pid) == 0
        for listener in (parent, child):
            assert int(video_stream(listener.wait_received())["nb_read_frames"]) == 12
