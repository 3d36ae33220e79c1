# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/run.py's workloads beyond long libx264 writes (issue 14):

- short: per-write time of 16-frame clips, in one process, vidwrite.write_video against PyAV
  (torchvision's backend, called as torchvision calls it), and the C API alone;
- codecs: every other video codec and the audio encoders against the FFmpeg command line at the
  same settings: wall time, quality (PSNR; audio: a spectral distance) and size.

Same rules as run.py: the tools take turns within each round, figures are medians, and
comparisons are ratios within a round (the machine is shared).  Nothing here asserts.
"""

import json
import math
import os
import statistics
import subprocess
import sys

import numpy as np

FPS = 30

# ---- short clips --------------------------------------------------------------------------

SHORT_SIZES = ((64, 64), (112, 112), (320, 240))
SHORT_PRESETS = ("ultrafast", "medium")
SHORT_FRAMES = 16
SHORT_TARGET = 1.0  # vidwrite's per-write time / PyAV's

# One process per size and preset: warm both tools, then alternate writes into fresh names.
SHORT_CHILD = r"""
import json, os, resource, sys, time
import av, numpy as np, vidwrite

raw, w, h, preset, writes, work = sys.argv[1:7]
w, h, writes = int(w), int(h), int(writes)
frames = np.fromfile(raw, np.uint8).reshape(-1, h, w, 3)
options = {"crf": "23", "preset": preset}


def pyav(path):  # torchvision.io.write_video's calls
    with av.open(path, mode="w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = options
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def vw(path):
    vidwrite.write_video(path, frames, 30, video_codec="libx264", options=options)


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


tools = {"vidwrite": vw, "pyav": pyav}
for name, write in tools.items():
    write(os.path.join(work, f"short-{name}-warm.mp4"))
runs = {name: {"wall_ms": [], "cpu_ms": [], "bytes": 0} for name in tools}
for i in range(writes):
    for name in list(tools) if i % 2 == 0 else list(tools)[::-1]:
        path = os.path.join(work, f"short-{name}-{i}.mp4")
        c0, t0 = cpu(), time.perf_counter()
        tools[name](path)
        t1, c1 = time.perf_counter(), cpu()
        runs[name]["wall_ms"].append((t1 - t0) * 1e3)
        runs[name]["cpu_ms"].append((c1 - c0) * 1e3)
        runs[name]["bytes"] = os.path.getsize(path)
        os.unlink(path)
print(json.dumps(runs))
"""


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def run_checked(cmd, env=None):
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n"
                 f"{result.stderr.decode(errors='replace')[-2000:]}")
    return result.stdout


def raw_clip(work, source, w, h, frames):
    """`frames` rgb24 frames at w x h: testsrc2, or `source` scaled and cropped to fill."""
    tag = "testsrc2" if source is None else os.path.splitext(os.path.basename(source))[0]
    path = os.path.join(work, f"{tag}-{w}x{h}-{frames}.rgb")
    if not os.path.exists(path):
        if source is None:
            inp = ["-f", "lavfi", "-i", f"testsrc2=size={w}x{h}:rate={FPS}"]
            vf = []
        else:
            inp = ["-i", source]
            vf = ["-vf", f"scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h}"]
        run_checked(["ffmpeg", "-nostdin", "-v", "error", "-y", *inp, *vf, "-frames:v",
                     str(frames), "-f", "rawvideo", "-pix_fmt", "rgb24", path + ".part"])
        os.rename(path + ".part", path)
    return path


def run_short(work, build, env, writes):
    """Per-write milliseconds of each size and preset: Python (vidwrite, PyAV) and C."""
    program = os.path.join(build, "bench", "short-clips")
    rows = []
    for w, h in SHORT_SIZES:
        raw = raw_clip(work, None, w, h, SHORT_FRAMES)
        for preset in SHORT_PRESETS:
            log(f"bench: short clips {w}x{h} {preset} ...")
            py = json.loads(run_checked(["nice", "/usr/bin/python3", "-c", SHORT_CHILD, raw,
                                         str(w), str(h), preset, str(writes), work],
                                        env=env).decode().strip().splitlines()[-1])
            c = json.loads(run_checked(["nice", program, work, raw, str(w), str(h), preset,
                                        str(writes)], env=env).decode().strip().splitlines()[-1])
            ratios = [a / b for a, b in zip(py["vidwrite"]["wall_ms"], py["pyav"]["wall_ms"])]
            rows.append({
                "size": f"{w}x{h}", "preset": preset, "frames": SHORT_FRAMES, "writes": writes,
                "python": py,
                "c": c,
                "vidwrite_ms": statistics.median(py["vidwrite"]["wall_ms"]),
                "vidwrite_cpu_ms": statistics.median(py["vidwrite"]["cpu_ms"]),
                "pyav_ms": statistics.median(py["pyav"]["wall_ms"]),
                "pyav_cpu_ms": statistics.median(py["pyav"]["cpu_ms"]),
                "c_ms": statistics.median(c["wall_ms"]),
                "c_cpu_ms": statistics.median(c["cpu_ms"]),
                "ratio": statistics.median(ratios),
            })
    return rows


def short_table(rows):
    lines = ["| clip | preset | vidwrite (Python) | PyAV | vidwrite / PyAV | vidwrite (C API) "
             "| C: start, push, finish | target |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ph = r["c"]["phases_ms"]
        lines.append(
            f"| {r['size']} ×{r['frames']} | {r['preset']} | {r['vidwrite_ms']:.1f} ms "
            f"(CPU {r['vidwrite_cpu_ms']:.1f}) | {r['pyav_ms']:.1f} ms (CPU {r['pyav_cpu_ms']:.1f}) "
            f"| **{r['ratio']:.2f}×** | {r['c_ms']:.1f} ms | "
            f"{ph['new'] + ph['set_video']:.2f} / {ph['push']:.2f} / {ph['finish']:.2f} ms "
            f"| {'met' if r['ratio'] <= SHORT_TARGET else 'missed'} (≤ {SHORT_TARGET:.1f}×) |")
    return "\n".join(lines)


# ---- every codec ----------------------------------------------------------------------------

# (codec, container, vidwrite options, FFmpeg's arguments for the same settings)
VIDEO_CODECS = (
    ("libx265", "mkv", {"crf": "28", "preset": "fast"}, "-crf 28 -preset fast"),
    ("libvpx-vp9", "webm", {"crf": "32", "b": "0", "deadline": "good", "cpu-used": "4",
                            "row-mt": "1"},
     "-crf 32 -b:v 0 -deadline good -cpu-used 4 -row-mt 1"),
    ("libvpx", "webm", {"crf": "10", "b": "1M", "deadline": "good", "cpu-used": "4"},
     "-crf 10 -b:v 1M -deadline good -cpu-used 4"),
    ("libaom-av1", "mkv", {"crf": "30", "cpu-used": "6", "row-mt": "1"},
     "-crf 30 -b:v 0 -cpu-used 6 -row-mt 1"),
    ("mpeg4", "mkv", {"q:v": "4"}, "-q:v 4"),
    ("mpeg2video", "mkv", {"q:v": "4"}, "-q:v 4"),
    ("mjpeg", "mkv", {"q:v": "4"}, "-q:v 4"),
)
AUDIO_CODECS = (
    ("aac", "mp4", {"b": "128k"}, "-b:a 128k"),
    ("libopus", "mkv", {"b": "96k"}, "-b:a 96k"),
    ("libvorbis", "mkv", {"b": "128k"}, "-b:a 128k"),
    ("libmp3lame", "mkv", {"b": "128k"}, "-b:a 128k"),
    ("flac", "mkv", {}, ""),
)
CODEC_W, CODEC_H, CODEC_FRAMES = 640, 360, 60
AUDIO_RATE, AUDIO_SECONDS = 48000, 10
WALL_TARGET, PSNR_MARGIN, SIZE_TOLERANCE = 1.0, 0.3, 0.10


def psnr_rgb(raw, w, h, video):
    """PSNR over all frames and channels of FFmpeg's rgb24 decoding against the input."""
    dec = run_checked(["ffmpeg", "-nostdin", "-v", "error", "-i", video, "-f", "rawvideo",
                       "-pix_fmt", "rgb24", "-"])
    a = np.frombuffer(dec, np.uint8)
    b = np.fromfile(raw, np.uint8)
    n = min(len(a), len(b)) // (w * h * 3) * (w * h * 3)
    if n == 0:
        return float("nan")
    mse = np.mean((a[:n].astype(np.int32) - b[:n]) ** 2)
    return 10 * math.log10(255 ** 2 / mse) if mse else float("inf")


def make_audio(work):
    """10 s of stereo: chords, a chirp and noise bursts, as a float WAV."""
    wav = os.path.join(work, "codecs-audio.wav")
    if not os.path.exists(wav):
        n = AUDIO_RATE * AUDIO_SECONDS
        t = np.arange(n) / AUDIO_RATE
        rng = np.random.default_rng(14)
        left = sum(0.12 * np.sin(2 * np.pi * f * t) for f in (220, 277.2, 329.6, 440))
        right = 0.2 * np.sin(2 * np.pi * (200 + 900 * t) * t)
        bursts = (np.sin(2 * np.pi * 0.5 * t) > 0.9) * rng.normal(0, 0.15, n)
        planar = np.stack([left + bursts, right + 0.5 * bursts]).astype(np.float32)
        interleaved = planar.T.copy()
        proc = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar",
                               str(AUDIO_RATE), "-ac", "2", "-i", "-", "-c:a", "pcm_f32le", wav],
                              input=interleaved.tobytes(), stderr=subprocess.PIPE)
        if proc.returncode:
            sys.exit(f"bench: making {wav} failed:\n{proc.stderr.decode()}")
    return wav


def log_spectrogram(x):
    frame, hop = 2048, 1024
    window = np.hanning(frame)
    count = 1 + (len(x) - frame) // hop
    frames = np.stack([x[i * hop:i * hop + frame] * window for i in range(count)])
    return 20 * np.log10(np.abs(np.fft.rfft(frames, axis=1)) + 1e-5)


def spectral_distance(wav, out):
    """Mean absolute difference of the log spectrograms (dB) of FFmpeg's decoding against the
    input, per channel, over the time-frequency cells where the input is within 60 dB of its
    loudest (elsewhere the encoders' noise floors, far below hearing, would decide); robust to
    the encoders' different delays of a few ms."""
    def decode(path):
        raw = run_checked(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:a",
                           "-f", "f32le", "-ac", "2", "-ar", str(AUDIO_RATE), "-"])
        return np.frombuffer(raw, np.float32).reshape(-1, 2)

    a, b = decode(wav), decode(out)
    n = min(len(a), len(b))
    distances = []
    for c in range(2):
        ref, got = log_spectrogram(a[:n, c]), log_spectrogram(b[:n, c])
        audible = ref > ref.max() - 60
        distances.append(np.mean(np.abs(ref[audible] - got[audible])))
    return float(np.mean(distances))


def run_codecs(work, vidwrite, reps, source, measure, rounds):
    raw = raw_clip(work, source, CODEC_W, CODEC_H, CODEC_FRAMES)
    size = f"{CODEC_W}x{CODEC_H}"
    rows = []
    for codec, ext, options, args in VIDEO_CODECS:
        out = {t: os.path.join(work, f"codec-{t}.{ext}") for t in ("vidwrite", "ffmpeg")}
        opts = [x for k, v in options.items() for x in ("-o", f"{k}={v}")]
        cmds = {
            "vidwrite": [vidwrite, "-q", "-i", raw, "-s", size, "-r", str(FPS), "-c", codec,
                         *opts, out["vidwrite"]],
            "ffmpeg": ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt",
                       "rgb24", "-s", size, "-r", str(FPS), "-i", raw, "-c:v", codec,
                       *args.split(), "-pix_fmt", "yuvj420p" if codec == "mjpeg" else "yuv420p",
                       out["ffmpeg"]],
        }
        log(f"bench: codec {codec} ...")
        runs = rounds(cmds, reps)
        row = {"codec": codec, "kind": "video", "options": options, "ffmpeg_args": args}
        for tool in cmds:
            row[tool] = {"wall": statistics.median(r["wall"] for r in runs[tool]),
                         "rss": statistics.median(r["rss"] for r in runs[tool]),
                         "bytes": os.path.getsize(out[tool]),
                         "quality": psnr_rgb(raw, CODEC_W, CODEC_H, out[tool])}
        row["wall_ratio"] = statistics.median(a["wall"] / b["wall"] for a, b in
                                              zip(runs["vidwrite"], runs["ffmpeg"]))
        rows.append(row)

    # Audio beside a tiny picture (the same on both sides) in a container that takes both.
    wav = make_audio(work)
    tiny = raw_clip(work, None, 64, 64, AUDIO_SECONDS * 10)
    for codec, ext, options, args in AUDIO_CODECS:
        out = {t: os.path.join(work, f"acodec-{t}.{ext}") for t in ("vidwrite", "ffmpeg")}
        opts = [x for k, v in options.items() for x in ("--audio-option", f"{k}={v}")]
        cmds = {
            "vidwrite": [vidwrite, "-q", "-i", tiny, "-s", "64x64", "-r", "10", "-c", "libx264",
                         "-a", wav, "--audio-codec", codec, *opts, out["vidwrite"]],
            "ffmpeg": ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt",
                       "rgb24", "-s", "64x64", "-r", "10", "-i", tiny, "-i", wav, "-c:v",
                       "libx264", "-pix_fmt", "yuv420p", "-c:a", codec, *args.split(),
                       out["ffmpeg"]],
        }
        log(f"bench: audio codec {codec} ...")
        runs = rounds(cmds, reps)
        row = {"codec": codec, "kind": "audio", "options": options, "ffmpeg_args": args}
        for tool in cmds:
            packets = json.loads(run_checked(
                ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                 "packet=size", "-of", "json", out[tool]]))["packets"]
            audio_bytes = sum(int(p["size"]) for p in packets)
            row[tool] = {"wall": statistics.median(r["wall"] for r in runs[tool]),
                         "rss": statistics.median(r["rss"] for r in runs[tool]),
                         "bytes": audio_bytes,
                         "quality": spectral_distance(wav, out[tool])}
        row["wall_ratio"] = statistics.median(a["wall"] / b["wall"] for a, b in
                                              zip(runs["vidwrite"], runs["ffmpeg"]))
        rows.append(row)
    return rows


def codec_verdicts(row):
    v, f = row["vidwrite"], row["ffmpeg"]
    size = v["bytes"] / f["bytes"]
    out = {"wall": row["wall_ratio"] <= WALL_TARGET, "size": abs(size - 1) <= SIZE_TOLERANCE}
    if row["kind"] == "video":
        out["quality"] = v["quality"] >= f["quality"] - PSNR_MARGIN
    else:  # lower is better; FFmpeg's plus 10 % of it
        out["quality"] = v["quality"] <= f["quality"] * 1.1 + 0.05
    return out


def codecs_table(rows):
    lines = ["| codec | settings | wall vidwrite / FFmpeg | quality vidwrite / FFmpeg "
             "| size vidwrite / FFmpeg | behind on |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        v, f = r["vidwrite"], r["ffmpeg"]
        if r["kind"] == "video":
            q = f"{v['quality']:.2f} / {f['quality']:.2f} dB ({v['quality'] - f['quality']:+.2f})"
        else:
            q = f"{v['quality']:.2f} / {f['quality']:.2f} dB spectral distance"
        verdict = codec_verdicts(r)
        behind = ", ".join(k for k, ok in verdict.items() if not ok) or "—"
        lines.append(f"| {r['codec']} | `{r['ffmpeg_args'] or 'defaults'}` | "
                     f"**{r['wall_ratio']:.2f}×** ({v['wall']:.2f} / {f['wall']:.2f} s) | {q} | "
                     f"{v['bytes'] / f['bytes']:.2f}× ({v['bytes'] // 1024} / "
                     f"{f['bytes'] // 1024} KiB) | {behind} |")
    return "\n".join(lines)


def chart_short(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{r['size']}\n{r['preset']}" for r in rows]
    x = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.bar(x - 0.2, [r["vidwrite_ms"] for r in rows], 0.4, label="vidwrite.write_video")
    ax.bar(x + 0.2, [r["pyav_ms"] for r in rows], 0.4, label="PyAV (torchvision's calls)",
           color="#bbbbbb")
    for i, r in enumerate(rows):
        ax.text(i - 0.2, r["vidwrite_ms"], f"{r['ratio']:.2f}×", ha="center", va="bottom",
                fontsize=7)
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_ylabel("ms per 16-frame clip")
    ax.set_yscale("log")
    ax.set_title("Short clips, libx264 crf 23, one process (median)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=72)
    plt.close(fig)


def chart_codecs(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = np.arange(len(rows))
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 4.8), sharex=True)
    ax1.bar(x, [r["wall_ratio"] for r in rows], 0.5,
            color=["#2ca02c" if r["wall_ratio"] <= WALL_TARGET else "#d62728" for r in rows])
    ax1.axhline(1.0, color="black", lw=0.8)
    ax1.set_ylabel("wall / FFmpeg CLI")
    ax1.set_title("Every codec against the FFmpeg CLI, same settings (median)", fontsize=10)
    size = [r["vidwrite"]["bytes"] / r["ffmpeg"]["bytes"] for r in rows]
    ax2.bar(x, size, 0.5, color=["#2ca02c" if abs(s - 1) <= SIZE_TOLERANCE else "#d62728"
                                 for s in size])
    ax2.axhline(1.0, color="black", lw=0.8)
    ax2.set_ylabel("size / FFmpeg's")
    ax2.set_xticks(x, [r["codec"] for r in rows], fontsize=7, rotation=30)
    fig.tight_layout()
    fig.savefig(path, dpi=72)
    plt.close(fig)
