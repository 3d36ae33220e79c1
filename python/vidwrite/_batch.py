# SPDX-License-Identifier: LGPL-2.1-or-later
"""write_videos(): many clips at once, on threads of this process.

Threads, not processes: every call into the C library (pushing frames, waiting for the encoder,
finishing) goes through PyGObject, which releases the GIL for the length of the C call, so the
writes run side by side; only the few microseconds of argument checking per chunk hold it.
"""

import inspect
import numbers
import os
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from ._lib import Error, GLib, Vidwrite
from ._writer import write_video

# Jobs taken from the iterable ahead of the ones writing, per worker: enough to keep every
# worker busy, few enough that a generator of clips is not read into memory whole.
AHEAD_PER_WORKER = 2
WRITE_VIDEO = inspect.signature(write_video)


def default_workers():
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


def job_arguments(job):
    """write_video's arguments by name, from a dict or a tuple of them."""
    if isinstance(job, dict):
        return WRITE_VIDEO.bind(**job).arguments
    if isinstance(job, (tuple, list)):
        return WRITE_VIDEO.bind(*job).arguments
    raise Error(f"a job is a dict of write_video's keyword arguments or a tuple of its "
                f"positional ones; got {type(job).__name__} {job!r:.80}")


def takes_threads(codec, known={}):  # noqa: B006 - a cache, per codec name
    """Whether `codec` (an FFmpeg name) has FFmpeg's `threads` option here."""
    if codec not in known:
        try:
            known[codec] = "threads" in (Vidwrite.find_codec(codec).get_options() or [])
        except GLib.Error:
            known[codec] = False  # write_video reports the unknown codec
    return known[codec]


def run_job(job, encoder_threads):
    arguments = job_arguments(job)
    if encoder_threads:
        codec = arguments.get("video_codec", WRITE_VIDEO.parameters["video_codec"].default)
        options = arguments.get("options")
        if (isinstance(codec, str) and (options is None or isinstance(options, Mapping))
                and "threads" not in (options or {}) and takes_threads(codec)):
            arguments["options"] = dict(options or {}, threads=encoder_threads)
    write_video(**arguments)


def write_videos(jobs, workers=None, *, encoder_threads=None):
    """Writes many video files at once; returns, in the order of ``jobs``, ``None`` for each
    file written and the exception for each that failed.

    Each job is what :func:`write_video` takes: a dict of its arguments
    (``{"filename": "a.mp4", "video_array": frames, "fps": 25, "options": {...}}``) or a tuple
    of its positional arguments (``("a.mp4", frames, 25)``).  ``jobs`` may be any iterable,
    a generator included: it is read only a few jobs ahead of the writing (twice ``workers``),
    so that clips made on the fly are not all in memory at once.

    ``workers`` writes run at the same time, on threads of this process (the C library
    releases the GIL while it works); the default is the number of cores this process may
    use (``os.sched_getaffinity``).  More workers than cores is allowed.

    ``encoder_threads`` is the ``threads`` option given to each job's encoder when its
    ``options`` leave it out (and its codec has it; see ``vidwrite --list-codecs``).  The
    default, None, is 1 when ``workers`` > 1 and the encoder's own choice otherwise: the
    workers already fill the cores, and an encoder's threads then only add waits (x264's
    frame threads wait on each other's rows); measured on 2 cores, 16-frame 112×112 clips
    came out 1.4 times faster with x264's own threads and 2.0 times with one.  0 leaves
    every encoder its own choice.

    A job that fails does not stop the others: its entry in the returned list is the
    exception it raised (a :class:`vidwrite.Error` naming the bad value, or a ``TypeError``
    for arguments ``write_video`` does not take), and, as with :func:`write_video`, it leaves
    no file.  It is ``asyncio.gather(..., return_exceptions=True)``'s convention::

        errors = vidwrite.write_videos(jobs)
        for job, error in zip(jobs, errors):
            if error is not None:
                print(job["filename"], "failed:", error)

    Interrupting the call (``KeyboardInterrupt``) starts no further job, waits for the ones
    writing to end and raises.
    """
    if workers is None:
        workers = default_workers()
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1:
        raise Error(f"workers must be a positive int (or None for one a core); got {workers!r}")
    if encoder_threads is None:
        encoder_threads = 1 if workers > 1 else 0
    if (isinstance(encoder_threads, bool) or not isinstance(encoder_threads, numbers.Integral)
            or encoder_threads < 0):
        raise Error("encoder_threads must be an int, 0 for each encoder's own choice (or None); "
                    f"got {encoder_threads!r}")
    futures = []
    limit = workers * AHEAD_PER_WORKER
    with ThreadPoolExecutor(max_workers=int(workers), thread_name_prefix="vidwrite") as pool:
        try:
            unfinished = set()
            for job in jobs:
                if len(unfinished) >= limit:
                    _, unfinished = wait(unfinished, return_when=FIRST_COMPLETED)
                future = pool.submit(run_job, job, int(encoder_threads))
                futures.append(future)
                unfinished.add(future)
            wait(unfinished)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return [future.exception() for future in futures]

