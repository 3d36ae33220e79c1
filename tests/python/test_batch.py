# SPDX-License-Identifier: LGPL-2.1-or-later
"""write_videos(): many files at once on threads, each job's error in its place, the others
written whole."""

import io
import os
import re
import threading

import numpy as np
import pytest

import vidwrite
from conftest import FAST, pattern, video_stream

Code = vidwrite.ErrorCode
CORES = len(os.sched_getaffinity(0))
BARRIER_TIMEOUT = 60  # a no-hang bound, not a speed test


def good(tmp_path, i, frames):
    return {"filename": str(tmp_path / f"good{i}.mp4"), "video_array": pattern(frames, 32, 48),
            "fps": 24, "options": FAST}


def frame_count(path):
    return int(video_stream(path)["nb_read_frames"])


@pytest.mark.parametrize("workers", [1, None, CORES + 3])
def test_mixed_good_and_bad_jobs(tmp_path, workers):
    """Bad jobs among good ones: each result in the job's place, the bad ones' errors naming
    the value and leaving no file, every good file whole."""
    jobs = [
        good(tmp_path, 0, 5),
        dict(good(tmp_path, 1, 6), video_codec="libnothing"),
        good(tmp_path, 2, 7),
        dict(good(tmp_path, 3, 8), options={"preset": "warp"}),
        (str(tmp_path / "good4.mp4"), pattern(9, 32, 48), 24, "libx264", FAST),
        dict(good(tmp_path, 5, 10), video_array=np.zeros((4, 32, 32, 2), np.uint8)),
        "not-a-job.mp4",
        dict(good(tmp_path, 7, 11), fps=-3),
        good(tmp_path, 8, 12),
    ]
    results = vidwrite.write_videos(jobs, workers=workers)

    assert len(results) == len(jobs)
    expected_errors = {1: (Code.UNKNOWN_CODEC, ["libnothing"]),
                       3: (Code.INVALID_OPTION, ["preset", "warp"]),
                       5: (Code.INVALID_ARGUMENT, ["video_array", "2"]),
                       6: (Code.INVALID_ARGUMENT, ["'not-a-job.mp4'", "str"]),
                       7: (Code.INVALID_ARGUMENT, ["-3"])}
    for i, result in enumerate(results):
        if i in expected_errors:
            code, words = expected_errors[i]
            assert isinstance(result, vidwrite.Error), (i, result)
            assert result.code == code, (i, result)
            for word in words:
                assert word in str(result), (i, result)
        else:
            assert result is None, (i, result)
    written = sorted(os.listdir(tmp_path))
    assert written == ["good0.mp4", "good2.mp4", "good4.mp4", "good8.mp4"]
    for i, frames in ((0, 5), (2, 7), (4, 9), (8, 12)):
        assert frame_count(tmp_path / f"good{i}.mp4") == frames


def test_results_in_job_order(tmp_path):
    """Jobs of very different lengths finish out of order; the results keep the jobs' order
    and each file has its own frame count."""
    counts = [40, 2, 30, 3, 20, 4, 10, 5]
    jobs = [dict(good(tmp_path, i, n), video_codec="libnothing" if i % 3 == 2 else "libx264")
            for i, n in enumerate(counts)]
    results = vidwrite.write_videos(jobs, workers=3)
    assert [r is None for r in results] == [i % 3 != 2 for i in range(len(counts))]
    for i, n in enumerate(counts):
        if i % 3 != 2:
            assert frame_count(tmp_path / f"good{i}.mp4") == n


def test_unknown_keyword_is_that_jobs_error(tmp_path):
    jobs = [good(tmp_path, 0, 3), dict(good(tmp_path, 1, 3), crf=17), good(tmp_path, 2, 3)]
    results = vidwrite.write_videos(jobs, workers=2)
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], TypeError) and "crf" in str(results[1])
    assert sorted(os.listdir(tmp_path)) == ["good0.mp4", "good2.mp4"]


def test_writes_overlap(tmp_path):
    """Two jobs are inside the library at the same time: each one's first write to its target
    waits until the other's has begun, which can only happen if both run at once (on two
    threads, neither holding the GIL while the C library works)."""
    barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT)

    class Meeting(io.BytesIO):
        met = False

        def write(self, data):
            if not self.met:
                self.met = True
                barrier.wait()
            return super().write(data)

    targets = [Meeting(), Meeting()]
    jobs = [dict(filename=target, video_array=pattern(8, 32, 48), fps=24, options=FAST,
                 format="mp4") for target in targets]
    assert vidwrite.write_videos(jobs, workers=2) == [None, None]
    for i, target in enumerate(targets):
        (tmp_path / f"{i}.mp4").write_bytes(target.getvalue())
        assert frame_count(tmp_path / f"{i}.mp4") == 8


def test_generator_is_read_a_few_jobs_ahead(tmp_path):
    """A generator of jobs is not drained up front: when job k is drawn, all but the
    2 × workers jobs before it have finished (their files exist)."""
    workers, total = 2, 12

    def jobs():
        for k in range(total):
            done = sum(os.path.exists(tmp_path / f"good{i}.mp4") for i in range(k))
            assert done >= k - 2 * workers, (k, done)
            yield good(tmp_path, k, 3)

    assert vidwrite.write_videos(jobs(), workers=workers) == [None] * total
    for k in range(total):
        assert frame_count(tmp_path / f"good{k}.mp4") == 3


def test_no_jobs():
    assert vidwrite.write_videos([]) == []


@pytest.mark.parametrize("workers", [0, -2, 1.5, "4", True])
def test_bad_workers(tmp_path, workers):
    with pytest.raises(vidwrite.Error) as caught:
        vidwrite.write_videos([good(tmp_path, 0, 3)], workers=workers)
    assert repr(workers) in str(caught.value)
    assert os.listdir(tmp_path) == []


def x264_threads(path):
    """The thread count x264 wrote into its settings SEI."""
    found = re.findall(rb" threads=(\d+)", open(path, "rb").read())
    assert len(found) == 1, found
    return int(found[0])


@pytest.mark.parametrize("workers, encoder_threads, options, expected", [
    (2, None, FAST, 1),                          # workers fill the cores: one thread each
    (2, 3, FAST, 3),                             # asked for
    (2, None, dict(FAST, threads=2), 2),         # the job's own option wins
    (1, 2, FAST, 2),
    (2, 1, ("libx264", FAST), 1),                # a tuple job
])
def test_encoder_threads(tmp_path, workers, encoder_threads, options, expected):
    """Each job's encoder gets `threads` unless its options set it (x264 says how many
    threads it ran in the file)."""
    if isinstance(options, tuple):
        job = (str(tmp_path / "a.mp4"), pattern(3, 64, 64), 24) + options
    else:
        job = {"filename": str(tmp_path / "a.mp4"), "video_array": pattern(3, 64, 64),
               "fps": 24, "options": options}
    assert vidwrite.write_videos([job], workers, encoder_threads=encoder_threads) == [None]
    assert x264_threads(tmp_path / "a.mp4") == expected
    assert frame_count(tmp_path / "a.mp4") == 3


def test_encoder_threads_only_where_the_codec_has_them(tmp_path):
    """mpeg2enc has no threads option: its jobs are written as they are."""
    jobs = [{"filename": str(tmp_path / "a.mpg"), "video_array": pattern(3, 64, 64), "fps": 25,
             "video_codec": "mpeg2video"}]
    assert vidwrite.write_videos(jobs, workers=2, encoder_threads=1) == [None]
    assert frame_count(tmp_path / "a.mpg") == 3


@pytest.mark.parametrize("encoder_threads", [-1, 1.5, "1", True])
def test_bad_encoder_threads(tmp_path, encoder_threads):
    with pytest.raises(vidwrite.Error) as caught:
        vidwrite.write_videos([good(tmp_path, 0, 3)], encoder_threads=encoder_threads)
    assert repr(encoder_threads) in str(caught.value)
