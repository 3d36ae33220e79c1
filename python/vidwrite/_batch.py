# SPDX-License-Identifier: LGPL-2.1-or-later
"""write_videos(): many clips at once, on threads of this process.

Threads, not processes: every call into the C library (pushing frames, waiting for the encoder,
finishing) goes through PyGObject, which releases the GIL for the length of the C call, so the
writes run side by side; only the few microseconds of argument checking per chunk hold it.
"""

import numbers
import os
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from ._lib import Error
from ._writer import write_video

# Jobs taken from the iterable ahead of the ones writing, per worker: enough to keep every
# worker busy, few enough that a generator of clips is not read into memory whole.
AHEAD_PER_WORKER = 2


def default_workers():
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


def run_job(job):
    if isinstance(job, dict):
        return write_video(**job)
    if isinstance(job, (tuple, list)):
        return write_video(*job)
    raise Error(f"a job is a dict of write_video's keyword arguments or a tuple of its "
                f"positional ones; got {type(job).__name__} {job!r:.80}")


def write_videos(jobs, workers=None):
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
    futures = []
    limit = workers * AHEAD_PER_WORKER
    with ThreadPoolExecutor(max_workers=int(workers), thread_name_prefix="vidwrite") as pool:
        try:
            unfinished = set()
            for job in jobs:
                if len(unfinished) >= limit:
                    _, unfinished = wait(unfinished, return_when=FIRST_COMPLETED)
                future = pool.submit(run_job, job)
                futures.append(future)
                unfinished.add(future)
            wait(unfinished)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return [future.exception() for future in futures]

