# SPDX-License-Identifier: LGPL-2.1-or-later
"""examples/dask_clips.py: a process that has written a video starts a local Dask cluster of
worker processes, which write 50 clips through a dask.bag; every file is whole."""

import os
import sys

import dask
import distributed
import pytest

import vidwrite
from conftest import FAST, decode_video, pattern, psnr, video_stream

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
import dask_clips  # noqa: E402

CLIPS = 50


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_local_cluster_writes_every_clip(tmp_path, method):
    # The parent writes first: its workers are started (forked, or spawned from a forkserver-
    # free parent) after GStreamer has run here.
    vidwrite.write_video(str(tmp_path / "parent.mp4"), pattern(6, 32, 32), 24, options=FAST)
    outdir = tmp_path / "clips"
    outdir.mkdir()
    with dask.config.set({"distributed.worker.multiprocessing-method": method}), \
            dask_clips.local_cluster(2) as cluster, distributed.Client(cluster) as client:
        pids = set(client.run(os.getpid).values())
        paths = dask_clips.write_clips(client, str(outdir), CLIPS)
        trim = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert len(pids) == 2 and os.getpid() not in pids
    assert set(trim.values()) == {None}
    assert paths == [str(outdir / f"clip{i:05d}.mp4") for i in range(CLIPS)]
    assert sorted(os.listdir(outdir)) == sorted(os.path.basename(p) for p in paths)
    for path in paths:
        stream = video_stream(path)
        assert int(stream["nb_read_frames"]) == dask_clips.FRAMES, path
        assert (stream["width"], stream["height"]) == (dask_clips.WIDTH, dask_clips.HEIGHT)
    # The pixels are each clip's own.
    for index in (0, CLIPS - 1):
        decoded = decode_video(paths[index])
        assert psnr(dask_clips.make_frames(index), decoded) > 30
        assert psnr(dask_clips.make_frames(index + 1), decoded) < 20
    # And the parent writes on.
    vidwrite.write_video(str(tmp_path / "after.mp4"), pattern(7, 32, 32), 24, options=FAST)
    assert int(video_stream(tmp_path / "after.mp4")["nb_read_frames"]) == 7
    assert int(video_stream(tmp_path / "parent.mp4")["nb_read_frames"]) == 6
