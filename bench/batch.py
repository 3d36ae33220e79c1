#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Many short clips at once: vidwrite.write_videos() on threads against one writer, and (with
--dask) a local Dask cluster of worker processes against the single-process batch.

The workload is issue 14's: 16 frames of 112×112 RGB, libx264 ultrafast, to .mp4.  Each
configuration writes --clips clips; the configurations take turns within each round and the
figures are medians over --rounds rounds, because the machine is shared.  Besides clips/s it
prints the CPU seconds each clip cost (user+sys of this process and its children): if that
stays flat as workers are added, the writes do not get in each other's way and any shortfall
in clips/s is cores the machine did not have free (the load average is printed too).

    meson devenv -C build nice /usr/bin/python3 bench/batch.py [--clips N] [--rounds N] [--dask]

Not a test: nothing here asserts anything.
"""

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time

import numpy as np

import vidwrite

FRAMES, HEIGHT, WIDTH, FPS = 16, 112, 112, 25
OPTIONS = {"preset": "ultrafast"}
ONE_THREAD = dict(OPTIONS, threads=1)  # what write_videos gives each encoder when workers > 1
CORES = len(os.sched_getaffinity(0))


def clip_frames(seed=0):
    """Smooth moving colour waves with a bright square: x264 codes them like real footage, not
    like noise."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    video = np.empty((FRAMES, HEIGHT, WIDTH, 3), np.uint8)
    for t in range(FRAMES):
        phase = 0.3 * t + seed
        frame = np.stack([128 + 90 * np.sin(2 * np.pi * x / WIDTH + phase),
                          128 + 90 * np.sin(2 * np.pi * y / HEIGHT + 0.7 * phase),
                          128 + 90 * np.cos(2 * np.pi * (x + y) / (WIDTH + HEIGHT) - phase)], -1)
        frame[(2 * t) % 80:(2 * t) % 80 + 28, (3 * t) % 80:(3 * t) % 80 + 28] += 30
        video[t] = np.clip(frame, 0, 255)
    return video


def job(directory, i, frames, options=OPTIONS):
    return {"filename": os.path.join(directory, f"clip{i}.mp4"), "video_array": frames,
            "fps": FPS, "options": options}


def cpu_seconds():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def serial(directory, clips, frames):
    for i in range(clips):
        vidwrite.write_video(**job(directory, i, frames))


def threads(workers, encoder_threads=None):
    def run(directory, clips, frames):
        results = vidwrite.write_videos((job(directory, i, frames) for i in range(clips)),
                                        workers=workers, encoder_threads=encoder_threads)
        assert results == [None] * clips, results
    return run


def process_write(args):
    directory, i = args
    vidwrite.write_video(**job(directory, i, process_write.frames, ONE_THREAD))


def processes(workers):
    """multiprocessing.Pool (fork), one encoder thread a process as write_videos does."""
    def run(directory, clips, frames):
        process_write.frames = frames
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pool.map(process_write, [(directory, i) for i in range(clips)], chunksize=4)
    return run


def dask_client(workers):
    """examples/dask_clips.py's cluster: worker processes, one task each, glibc's malloc as is."""
    import dask
    from dask.distributed import Client, LocalCluster
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                    "examples"))
    from dask_clips import worker_environ
    with dask.config.set({"distributed.nanny.pre-spawn-environ": worker_environ()}):
        cluster = LocalCluster(processes=True, n_workers=workers, threads_per_worker=1,
                               dashboard_address=None, silence_logs=50)
    return Client(cluster)


def dask_write(directory, i, seed):
    """On a worker: the frames are made there once (a worker reads its own data), then written."""
    frames = dask_write.cache.get(seed)
    if frames is None:
        frames = dask_write.cache.setdefault(seed, clip_frames(seed))
    vidwrite.write_video(**job(directory, i, frames, ONE_THREAD))
    return i


dask_write.cache = {}


def dask_cluster(client):
    def run(directory, clips, frames):
        futures = client.map(dask_write, [directory] * clips, range(clips), [0] * clips,
                             pure=False)
        assert client.gather(futures) == list(range(clips))
    return run


def measure(run, clips, frames):
    with tempfile.TemporaryDirectory(prefix="vidwrite-batch-") as directory:
        run(directory, min(clips, 8), frames)  # warm: plugins loaded, pools started
        cpu, start = cpu_seconds(), time.perf_counter()
        run(directory, clips, frames)
        wall = time.perf_counter() - start
        cpu = cpu_seconds() - cpu
        assert len(os.listdir(directory)) == clips
    return clips / wall, cpu / clips * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=200, help="clips a configuration writes")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dask", action="store_true",
                        help="also a LocalCluster of worker processes (python3-distributed)")
    parser.add_argument("--json", help="write the figures to this file too")
    args = parser.parse_args()

    frames = clip_frames()
    configs = {"one writer": serial}
    for workers in sorted({w for w in (1, 2, 4, 8) if w <= CORES} | {CORES}):
        configs[f"write_videos workers={workers}"] = threads(workers)
    configs[f"write_videos workers={2 * CORES}"] = threads(2 * CORES)
    configs[f"write_videos workers={CORES}, x264's own threads"] = threads(CORES, 0)
    configs[f"multiprocessing.Pool({CORES})"] = processes(CORES)
    client = None
    if args.dask:
        client = dask_client(CORES)
        configs[f"Dask LocalCluster {CORES} processes"] = dask_cluster(client)

    load_before = os.getloadavg()[0]
    figures = {name: [] for name in configs}
    for _ in range(args.rounds):
        for name, run in configs.items():
            figures[name].append(measure(run, args.clips, frames))
    load_after = os.getloadavg()[0]
    if client is not None:
        client.close()
        client.cluster.close()

    rate = {name: statistics.median(r for r, _ in runs) for name, runs in figures.items()}
    cpu = {name: statistics.median(c for _, c in runs) for name, runs in figures.items()}
    base = rate["one writer"]
    print(f"{FRAMES} frames {WIDTH}x{HEIGHT} libx264 ultrafast, {args.clips} clips, median of "
          f"{args.rounds} rounds, {CORES} cores, load average {load_before:.1f} before, "
          f"{load_after:.1f} after")
    print(f"{'configuration':44} {'clips/s':>8} {'ms CPU/clip':>12} {'vs one writer':>14}"
          f" {'/ (0.9 × workers)':>18}")
    results = []
    for name in configs:
        workers = int(name.split("workers=")[1].split(",")[0]) if "workers=" in name else None
        if workers is None and name != "one writer":
            workers = CORES
        speedup = rate[name] / base
        target = (f"{speedup / (0.9 * min(workers, CORES)):18.2f}" if workers else " " * 18)
        print(f"{name:44} {rate[name]:8.1f} {cpu[name]:12.1f} {speedup:13.2f}× {target}")
        results.append({"configuration": name, "clips_per_s": round(rate[name], 1),
                        "cpu_ms_per_clip": round(cpu[name], 2), "vs_one_writer": round(speedup, 3)})
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"cores": CORES, "clips": args.clips, "rounds": args.rounds,
                       "load_before": load_before, "load_after": load_after,
                       "results": results}, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
