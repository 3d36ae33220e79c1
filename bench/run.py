#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""vidwrite against the FFmpeg command line and torchvision: speed, memory and fidelity.

Every tool gets the same raw rgb24 frames.  Each measurement is a whole process, timed from the
outside (wall clock, user+sys CPU and peak RSS from os.wait4); the tools take turns within each
round and the figures are medians over the rounds, compared as ratios because the machine is
shared.  Quality is the PSNR of what FFmpeg decodes from each output against the input frames.

    /usr/bin/python3 bench/run.py [--quick] [--reps N] [--frames N] [--workloads W,...] [VIDEO ...]

Workloads: x264 (long 720p libx264 writes, CLI and Python, with peak memory), short (16-frame
clips per write, in one process, against PyAV, and the C API) and codecs (every other codec
against the FFmpeg CLI); see bench/workloads.py.  Each writes its JSON, chart and Markdown table
to bench/results/.

Not a test: it reads ../shared/data when no VIDEO is given, and nothing here asserts anything.
"""

import argparse
import json
import math
import os
import platform
import random
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_REAL = os.path.join(os.path.dirname(REPO), "shared", "data", "nasa_13013.mp4")
PRESETS = ("ultrafast", "veryfast", "medium")
CRF = 23
FPS = 30
MIB = 1024 * 1024

# The targets of issue 6.
WALL_TARGETS = {"ultrafast": 0.75, "medium": 0.95}
PSNR_MARGIN_DB = 0.1
SIZE_TOLERANCE = 0.05
RSS_FACTOR, RSS_SLACK_MIB = 1.2, 16
RSS_GROWTH_MIB = 8  # "flat": what a 3x longer input may add to peak RSS
PYTHON_TARGET = 0.70
PYTHON_ADDED_MIB = 250  # issue 4: writing raises peak memory by well under this


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def run_checked(cmd, **kwargs):
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    if result.returncode != 0:
        sys.exit(f"bench: {shlex.join(cmd)} failed:\n{result.stderr.decode(errors='replace')}")
    return result.stdout


# ---------------------------------------------------------------------------------------------
# Inputs


class Clip:
    def __init__(self, name, kind, description, path, width, height, frames):
        self.name, self.kind, self.description = name, kind, description
        self.path, self.width, self.height, self.frames = path, width, height, frames
        self.yuv = None  # the same frames in yuv420p, for the floor

    @property
    def size(self):
        return f"{self.width}x{self.height}"

    @property
    def frame_bytes(self):
        return self.width * self.height * 3

    def as_dict(self):
        return {"name": self.name, "kind": self.kind, "description": self.description,
                "width": self.width, "height": self.height, "frames": self.frames}


def make_testsrc2(work, frames):
    path = os.path.join(work, f"testsrc2-{frames}.rgb")
    if not os.path.exists(path):
        run_checked(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
                     "-i", f"testsrc2=size=1280x720:rate={FPS}", "-frames:v", str(frames),
                     "-f", "rawvideo", "-pix_fmt", "rgb24", path + ".part"])
        os.rename(path + ".part", path)
    return Clip("testsrc2", "synthetic", "FFmpeg testsrc2 pattern, 1280x720", path, 1280, 720,
                frames)


def make_real(work, source, frames, index):
    """Decodes the video stream FFmpeg would pick (the largest) at its own size, cropped to even
    dimensions for 4:2:0; rotation metadata is ignored, since only the pixels matter here."""
    out = run_checked(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                       "stream=index,width,height", "-of", "json", source])
    streams = json.loads(out)["streams"]
    if not streams:
        sys.exit(f"bench: {source} has no video stream")
    stream = max(streams, key=lambda s: s["width"] * s["height"])
    width, height = stream["width"] & ~1, stream["height"] & ~1
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.splitext(os.path.basename(source))[0])
    name = f"{base}" if index == 0 else f"{base}-{index}"
    path = os.path.join(work, f"real-{name}-{frames}.rgb")
    if not os.path.exists(path):
        run_checked(["ffmpeg", "-nostdin", "-v", "error", "-y", "-noautorotate", "-i", source,
                     "-map", f"0:{stream['index']}", "-vf", f"crop={width}:{height}:0:0",
                     "-frames:v", str(frames), "-f", "rawvideo", "-pix_fmt", "rgb24",
                     path + ".part"])
        os.rename(path + ".part", path)
    count = os.path.getsize(path) // (width * height * 3)
    if count < 2:
        sys.exit(f"bench: {source} gave {count} frames")
    return Clip(name, "real", f"{os.path.basename(source)} stream {stream['index']}, "
                f"{width}x{height}", path, width, height, count)


# The synthetic screen recording: an editor window typing out source code, a sidebar, a
# terminal scrolling coloured output, a status bar and a moving pointer.  Anti-aliased text in
# saturated colours on flat backgrounds, mostly static from frame to frame, as on a real screen.
SCREEN_W, SCREEN_H = 1280, 720
KEYWORDS = set("def return import from for in if elif else while with as class not and or "
               "None True False try except raise lambda yield".split())
TOKEN = re.compile(r"(#.*$)|(\"[^\"]*\"|'[^']*')|(\b\d+\b)|(\w+)|(\s+)|(.)")
COLOURS = {"kw": (0, 0, 255), "str": (163, 21, 21), "comment": (0, 128, 0),
           "num": (9, 134, 88), "text": (0, 0, 0), "func": (121, 94, 38)}


def highlight(line):
    parts = []
    for m in TOKEN.finditer(line):
        comment, string, number, word, space, other = m.groups()
        if comment:
            parts.append((comment, COLOURS["comment"]))
        elif string:
            parts.append((string, COLOURS["str"]))
        elif number:
            parts.append((number, COLOURS["num"]))
        elif word:
            parts.append((word, COLOURS["kw"] if word in KEYWORDS else COLOURS["text"]))
        else:
            parts.append((space or other, COLOURS["text"]))
    return parts


def make_screen(work, frames):
    path = os.path.join(work, f"screen-{frames}.rgb")
    clip = Clip("screen", "synthetic screen",
                "synthesised screen recording (Pillow: editor typing code, terminal, "
                "flat UI colours), 1280x720", path, SCREEN_W, SCREEN_H, frames)
    if os.path.exists(path):
        return clip
    from PIL import Image, ImageDraw, ImageFont

    fonts = "/usr/share/fonts/truetype/dejavu/"
    mono = ImageFont.truetype(fonts + "DejaVuSansMono.ttf", 15)
    sans = ImageFont.truetype(fonts + "DejaVuSans.ttf", 14)
    bold = ImageFont.truetype(fonts + "DejaVuSans-Bold.ttf", 14)
    with open(os.path.abspath(__file__), encoding="utf-8") as f:
        code = [line.rstrip("\n")[:100] for line in f]
    code = code[next(i for i, line in enumerate(code) if line.startswith("# The synthetic")):]
    rng = random.Random(6)
    term_lines = []
    for i in range(200):
        kind = rng.choice(["ok", "ok", "ok", "warn", "fail", "cmd"])
        term_lines.append((kind, f"[{i:3d}/200] {rng.choice(['Compiling', 'Linking', 'Testing'])}"
                           f" lib/vidwrite-{rng.choice(['writer', 'convert', 'codecs'])}.c"
                           f" ... {rng.randint(1, 999)} ms"))
    term_colour = {"ok": (78, 201, 176), "warn": (220, 220, 120), "fail": (244, 71, 71),
                   "cmd": (200, 200, 200)}

    chrome = Image.new("RGB", (SCREEN_W, SCREEN_H), (255, 255, 255))
    d = ImageDraw.Draw(chrome)
    d.rectangle([0, 0, SCREEN_W, 31], fill=(60, 60, 60))
    d.text((12, 8), "run.py - vidwrite - Editor", font=sans, fill=(230, 230, 230))
    for i, c in enumerate([(255, 95, 86), (255, 189, 46), (39, 201, 63)]):
        d.ellipse([SCREEN_W - 80 + i * 22, 10, SCREEN_W - 68 + i * 22, 22], fill=c)
    d.rectangle([0, 32, 47, SCREEN_H - 25], fill=(44, 44, 44))
    for i, c in enumerate([(0, 122, 204), (214, 60, 60), (80, 180, 80), (230, 150, 30)]):
        d.rectangle([12, 48 + i * 44, 35, 71 + i * 44], fill=c)
    d.rectangle([48, 32, 299, SCREEN_H - 25], fill=(243, 243, 243))
    d.text((60, 40), "EXPLORER", font=bold, fill=(90, 90, 90))
    files = ["bench/", "  results/", "  run.py", "  run.sh", "include/", "lib/",
             "  vidwrite-codecs.c", "  vidwrite-convert.c", "  vidwrite-writer.c", "python/",
             "scripts/", "tests/", "tools/", "meson.build", "README.md"]
    for i, name in enumerate(files):
        y = 66 + i * 22
        if name.strip() == "run.py":
            d.rectangle([48, y - 2, 299, y + 18], fill=(0, 96, 192))
            d.text((64, y), name, font=sans, fill=(255, 255, 255))
        else:
            d.text((64, y), name, font=sans, fill=(40, 40, 40))
    d.rectangle([300, 32, SCREEN_W, 63], fill=(236, 236, 236))
    d.rectangle([300, 32, 460, 63], fill=(255, 255, 255))
    d.text((314, 40), "run.py", font=sans, fill=(30, 30, 30))
    d.ellipse([440, 43, 448, 51], fill=(214, 60, 60))

    line_h, editor_top, editor_rows = 19, 70, 21
    term_top, term_rows = 480, 10
    chars_per_frame = 8
    with open(path + ".part", "wb") as out:
        for n in range(frames):
            img = chrome.copy()
            d = ImageDraw.Draw(img)
            typed = n * chars_per_frame
            done, partial = 0, ""
            while done < len(code) and typed > len(code[done]):
                typed -= len(code[done]) + 1
                done += 1
            if done < len(code):
                partial = code[done][:max(typed, 0)]
            visible = code[:done] + [partial]
            first = max(0, len(visible) - editor_rows)
            for row, line in enumerate(visible[first:]):
                y = editor_top + row * line_h
                d.text((306, y), f"{first + row + 1:4d}", font=mono, fill=(150, 150, 150))
                x = 356
                for text, colour in highlight(line):
                    d.text((x, y), text, font=mono, fill=colour)
                    x += mono.getlength(text)
                if row == len(visible) - first - 1 and (n // 15) % 2 == 0:
                    d.rectangle([x + 1, y, x + 2, y + 17], fill=(0, 0, 0))
            d.rectangle([300, term_top - 8, SCREEN_W, SCREEN_H - 25], fill=(30, 30, 30))
            d.text((310, term_top - 4), "TERMINAL", font=bold, fill=(200, 200, 200))
            shown = term_lines[max(0, n // 6 - term_rows):n // 6 + 1][-term_rows:]
            for row, (kind, text) in enumerate(shown):
                y = term_top + 16 + row * line_h
                d.text((310, y), "user@host:~/vidwrite$", font=mono, fill=(80, 200, 80))
                d.text((310 + mono.getlength("user@host:~/vidwrite$ "), y), text, font=mono,
                       fill=term_colour[kind])
            d.rectangle([0, SCREEN_H - 24, SCREEN_W, SCREEN_H], fill=(0, 122, 204))
            d.text((10, SCREEN_H - 20), f"main  Ln {done + 1}, Col {len(partial) + 1}   "
                   f"00:0{n // FPS}:{n % FPS:02d}", font=sans, fill=(255, 255, 255))
            px, py = 700 + int(300 * math.sin(n / 40)), 300 + int(120 * math.cos(n / 25))
            d.polygon([(px, py), (px, py + 18), (px + 5, py + 13), (px + 12, py + 13)],
                      fill=(0, 0, 0), outline=(255, 255, 255))
            out.write(img.tobytes())
    os.rename(path + ".part", path)
    return clip


def make_yuv(clip, work):
    """The floor's input: the same frames in yuv420p, converted by FFmpeg itself."""
    path = os.path.join(work, os.path.basename(clip.path)[:-4] + ".yuv")
    if not os.path.exists(path):
        run_checked(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt",
                     "rgb24", "-s", clip.size, "-r", str(FPS), "-i", clip.path, "-f", "rawvideo",
                     "-pix_fmt", "yuv420p", path + ".part"])
        os.rename(path + ".part", path)
    clip.yuv = path


# ---------------------------------------------------------------------------------------------
# Measuring a process


def measure(cmd, env=None, feed=None):
    """Runs cmd to completion; returns wall seconds, CPU seconds (user+sys) and peak RSS in MiB.
    feed: (path, times) to write to its stdin from a thread.

    The peak RSS comes from /usr/bin/time, not from our own os.wait4: Linux keeps the high-water
    mark of the address space a process had before exec, so a child forked from this (large)
    interpreter would report at least the interpreter's size.  GNU time is small."""
    err = tempfile.TemporaryFile()
    with tempfile.NamedTemporaryFile("r") as rss_file:
        start = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file.name, *cmd],
                                stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, env=env)
        feeder = None
        if feed:
            feeder = threading.Thread(target=pump, args=(proc.stdin, *feed))
            feeder.start()
        # time's own usage includes the command's, which it has waited for.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if feeder:
            feeder.join()
        if proc.returncode != 0:
            err.seek(0)
            sys.exit(f"bench: {shlex.join(cmd)} exited {proc.returncode}:\n"
                     f"{err.read().decode(errors='replace')[-2000:]}")
        rss_kib = int(rss_file.read().split()[-1])
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": rss_kib / 1024}


def pump(pipe, path, times):
    try:
        for _ in range(times):
            with open(path, "rb") as f:
                while chunk := f.read(4 * MIB):
                    pipe.write(chunk)
    except BrokenPipeError:
        pass
    finally:
        try:
            pipe.close()
        except BrokenPipeError:
            pass


def cli_commands(clip, preset, out, vidwrite, stdin=False):
    src = "-" if stdin else clip.path
    return {
        "vidwrite": [vidwrite, "-q", "-i", src, "-s", clip.size, "-r", str(FPS), "-c", "libx264",
                     "-o", f"preset={preset}", "-o", f"crf={CRF}", out["vidwrite"]],
        "ffmpeg": ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt",
                   "rgb24", "-s", clip.size, "-r", str(FPS), "-i", src, "-c:v", "libx264",
                   "-preset", preset, "-crf", str(CRF), "-pix_fmt", "yuv420p", out["ffmpeg"]],
        "floor": ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt",
                  "yuv420p", "-s", clip.size, "-r", str(FPS), "-i", clip.yuv, "-c:v", "libx264",
                  "-preset", preset, "-crf", str(CRF), "-pix_fmt", "yuv420p", out["floor"]],
    }


def rounds(commands, reps):
    """Runs every command once per round, in an order that rotates from round to round."""
    names = list(commands)
    runs = {name: [] for name in names}
    for rep in range(reps):
        order = names[rep % len(names):] + names[:rep % len(names)]
        for name in order:
            runs[name].append(measure(commands[name]))
    return runs


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def paired_ratio(runs, tool, ref, key):
    """Median over rounds of tool/ref within the same round: robust to load that drifts."""
    return statistics.median(a[key] / b[key] for a, b in zip(runs[tool], runs[ref]))


# ---------------------------------------------------------------------------------------------
# Quality


def quality(clip, video):
    """PSNR (over all frames and channels) of FFmpeg's rgb24 decoding of video against the
    input frames, the mean signed error per channel (R, G, B), the frame count and the size."""
    dec = subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", "-i", video, "-f", "rawvideo",
                            "-pix_fmt", "rgb24", "-"], stdout=subprocess.PIPE)
    sse = np.zeros(3)
    shift = np.zeros(3)
    count = 0
    with open(clip.path, "rb") as src:
        while True:
            a = dec.stdout.read(clip.frame_bytes)
            b = src.read(clip.frame_bytes)
            if len(a) < clip.frame_bytes or len(b) < clip.frame_bytes:
                break
            diff = (np.frombuffer(a, np.uint8).astype(np.int32)
                    - np.frombuffer(b, np.uint8)).reshape(-1, 3)
            sse += np.einsum("ij,ij->j", diff, diff)
            shift += diff.sum(axis=0)
            count += 1
    dec.stdout.close()
    dec.wait()
    pixels = count * clip.width * clip.height
    mse = sse.sum() / (3 * pixels)
    return {"psnr": 10 * math.log10(255 ** 2 / mse) if mse else float("inf"),
            "shift": [float(s / pixels) for s in shift], "frames_decoded": count,
            "bytes": os.path.getsize(video)}


# ---------------------------------------------------------------------------------------------
# In-process: the Python write_video against torchvision's

CHILD = r"""
import json, resource, sys, time
import numpy as np, torch, torchvision.io, vidwrite
tool, src, n, h, w, out = sys.argv[1:7]
array = torch.from_numpy(np.fromfile(src, np.uint8).reshape(int(n), int(h), int(w), 3))
write = vidwrite.write_video if tool == "vidwrite" else torchvision.io.write_video
before = resource.getrusage(resource.RUSAGE_SELF)
start = time.perf_counter()
write(out, array, 30, video_codec="libx264", options={"crf": "23", "preset": "medium"})
wall = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": wall,
                  "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
                  "rss_before": before.ru_maxrss / 1024, "rss": after.ru_maxrss / 1024}))
"""


def python_env(build):
    env = dict(os.environ)
    for var, value in (("GI_TYPELIB_PATH", os.path.join(build, "lib")),
                       ("LD_LIBRARY_PATH", os.path.join(build, "lib")),
                       ("PYTHONPATH", os.path.join(REPO, "python"))):
        env[var] = value + (os.pathsep + env[var] if env.get(var) else "")
    return env


def run_python(clip, work, build, reps):
    env = python_env(build)
    results = {"vidwrite": [], "torchvision": []}
    outs = {t: os.path.join(work, f"py-{t}.mp4") for t in results}
    for rep in range(reps):
        order = list(results) if rep % 2 == 0 else list(results)[::-1]
        for tool in order:
            # Through GNU time for the reason measure() gives: a clean high-water mark.
            cmd = ["/usr/bin/time", "-o", os.devnull, "/usr/bin/python3", "-c", CHILD, tool, clip.path, str(clip.frames),
                   str(clip.height), str(clip.width), outs[tool]]
            proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if proc.returncode != 0:
                sys.exit(f"bench: python {tool} failed:\n{proc.stderr.decode()[-2000:]}")
            results[tool].append(json.loads(proc.stdout.decode().strip().splitlines()[-1]))
    summary = {}
    for tool, runs in results.items():
        summary[tool] = {"runs": runs, "wall": median_of(runs, "wall"),
                         "cpu": median_of(runs, "cpu"), "rss": median_of(runs, "rss"),
                         "rss_added": statistics.median(r["rss"] - r["rss_before"] for r in runs),
                         **quality(clip, outs[tool])}
    summary["ratio_wall"] = paired_ratio(results, "vidwrite", "torchvision", "wall")
    return summary


# ---------------------------------------------------------------------------------------------
# Reporting


def fmt_ratio(x):
    return f"{x:5.2f}x"


def print_table(res):
    head = (f"{'clip':<14} {'preset':<9} {'tool':<9} {'wall s':>7} {'cpu s':>7} {'RSS MiB':>8}"
            f" {'wall/ff':>7} {'wall/floor':>10} {'cpu/ff':>7} {'KiB':>8} {'PSNR dB':>8}"
            f"  {'shift R/G/B':>18}")
    print(head)
    print("-" * len(head))
    for row in res["cli"]:
        for tool in ("vidwrite", "ffmpeg", "floor"):
            t = row["tools"][tool]
            r = row["ratios"][tool]
            shift = "/".join(f"{s:+.2f}" for s in t["shift"])
            print(f"{row['clip']:<14} {row['preset']:<9} {tool:<9} {t['wall']:7.2f} {t['cpu']:7.2f}"
                  f" {t['rss']:8.1f} {fmt_ratio(r['wall']):>7} {fmt_ratio(r['wall_floor']):>10}"
                  f" {fmt_ratio(r['cpu']):>7} {t['bytes'] / 1024:8.0f} {t['psnr']:8.2f}"
                  f"  {shift:>18}")
    if res.get("rss_length"):
        lr = res["rss_length"]
        print(f"\nPeak RSS against input length ({lr['clip']}, {lr['preset']}, frames on stdin):")
        for tool in ("vidwrite", "ffmpeg"):
            print(f"  {tool:<9} {lr['frames'][0]:4d} frames {lr[tool][0]:7.1f} MiB   "
                  f"{lr['frames'][1]:4d} frames {lr[tool][1]:7.1f} MiB")
    if res.get("python"):
        py = res["python"]
        print(f"\nIn-process write_video ({py['clip']}, {py['frames']} frames, libx264 medium crf 23):")
        for tool in ("vidwrite", "torchvision"):
            t = py[tool]
            print(f"  {tool:<12} wall {t['wall']:6.2f} s  cpu {t['cpu']:6.2f} s  peak RSS "
                  f"{t['rss']:7.1f} MiB (+{t['rss_added']:.1f} by the write)  "
                  f"{t['bytes'] / 1024:.0f} KiB  PSNR {t['psnr']:.2f} dB")
        print(f"  vidwrite/torchvision wall: {py['ratio_wall']:.2f}x")


def evaluate(res):
    targets = []

    def add(name, value, limit, ok):
        targets.append({"target": name, "value": value, "limit": limit, "pass": bool(ok)})

    by_clip = {}
    for row in res["cli"]:
        by_clip.setdefault(row["clip"], []).append(row)
        limit = WALL_TARGETS.get(row["preset"])
        if limit is not None:
            w = row["ratios"]["vidwrite"]["wall"]
            add(f"{row['clip']}: {row['preset']} wall vs FFmpeg", f"{w:.2f}x", f"<= {limit}x",
                w <= limit)
    for clip, rows in by_clip.items():
        dpsnr = min(r["tools"]["vidwrite"]["psnr"] - r["tools"]["ffmpeg"]["psnr"] for r in rows)
        add(f"{clip}: PSNR vs FFmpeg (worst preset)", f"{dpsnr:+.2f} dB",
            f">= -{PSNR_MARGIN_DB} dB", dpsnr >= -PSNR_MARGIN_DB)
        dsize = max((r["tools"]["vidwrite"]["bytes"] / r["tools"]["ffmpeg"]["bytes"] - 1
                     for r in rows), key=abs)
        add(f"{clip}: size vs FFmpeg (worst preset)", f"{dsize * 100:+.1f}%",
            f"within +-{SIZE_TOLERANCE * 100:.0f}%", abs(dsize) <= SIZE_TOLERANCE)
        worst = max(rows, key=lambda r: r["tools"]["vidwrite"]["rss"]
                    - (RSS_FACTOR * r["tools"]["ffmpeg"]["rss"] + RSS_SLACK_MIB))
        v, f = worst["tools"]["vidwrite"]["rss"], worst["tools"]["ffmpeg"]["rss"]
        bound = RSS_FACTOR * f + RSS_SLACK_MIB
        add(f"{clip}: peak RSS (worst: {worst['preset']})", f"{v:.1f} MiB",
            f"<= {bound:.1f} MiB (1.2 x {f:.1f} + 16)", v <= bound)
    if res.get("rss_length"):
        lr = res["rss_length"]
        growth = lr["vidwrite"][1] - lr["vidwrite"][0]
        add(f"peak RSS flat in length ({lr['frames'][0]} -> {lr['frames'][1]} frames)",
            f"{growth:+.1f} MiB", f"<= +{RSS_GROWTH_MIB} MiB", growth <= RSS_GROWTH_MIB)
    if res.get("python"):
        py = res["python"]
        add("Python write_video vs torchvision (medium)", f"{py['ratio_wall']:.2f}x",
            f"<= {PYTHON_TARGET}x", py["ratio_wall"] <= PYTHON_TARGET)
        added = py["vidwrite"]["rss_added"]
        add("Python write_video: peak memory added by the write (x264 medium included)",
            f"{added:.1f} MiB", f"< {PYTHON_ADDED_MIB} MiB; torchvision's adds "
            f"{py['torchvision']['rss_added']:.1f}", added < PYTHON_ADDED_MIB)
    return targets


def chart(res, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = res["cli"]
    labels = [f"{r['clip']}\n{r['preset']}" for r in rows]
    x = np.arange(len(rows))
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 5.4), sharex=True,
                                   gridspec_kw={"height_ratios": [3, 2]})
    width = 0.38
    vw = [r["ratios"]["vidwrite"]["wall"] for r in rows]
    fl = [r["ratios"]["floor"]["wall"] for r in rows]
    ax1.bar(x - width / 2, vw, width, label="vidwrite CLI", color="#1f77b4")
    ax1.bar(x + width / 2, fl, width, label="floor: FFmpeg fed yuv420p", color="#bbbbbb")
    ax1.axhline(1.0, color="black", lw=0.8)
    for i, r in enumerate(rows):
        limit = WALL_TARGETS.get(r["preset"])
        if limit:
            ax1.plot([i - 0.45, i + 0.45], [limit, limit], color="#d62728", lw=1.5)
    ax1.set_ylabel("wall time / FFmpeg CLI")
    ax1.set_title(f"vidwrite vs FFmpeg CLI, libx264 crf {CRF} (median of {res['meta']['reps']};"
                  " red: target)", fontsize=10)
    ax1.legend(fontsize=8, loc="upper left")
    d = [r["tools"]["vidwrite"]["psnr"] - r["tools"]["ffmpeg"]["psnr"] for r in rows]
    ax2.bar(x, d, 0.5, color=["#2ca02c" if v >= -PSNR_MARGIN_DB else "#d62728" for v in d])
    ax2.axhline(0, color="black", lw=0.8)
    ax2.axhline(-PSNR_MARGIN_DB, color="#d62728", lw=1, ls="--")
    ax2.set_ylabel("PSNR - FFmpeg's (dB)")
    ax2.set_xticks(x, labels, fontsize=7)
    if res.get("python"):
        ax2.set_xlabel(f"Python write_video: {res['python']['ratio_wall']:.2f}x torchvision's "
                       "wall time (medium)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=72)
    plt.close(fig)


def versions(build):
    def first_line(cmd):
        try:
            return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True).stdout.splitlines()[0]
        except (OSError, IndexError):
            return None

    def dpkg(pkg):
        return first_line(["dpkg-query", "-W", "-f=${Version}", pkg])

    return {"ffmpeg": first_line(["ffmpeg", "-version"]),
            "gstreamer": first_line(["gst-inspect-1.0", "--version"]),
            "libx264": dpkg("libx264-164"), "torchvision": dpkg("python3-torchvision"),
            "vidwrite_commit": first_line(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]),
            "vidwrite_lib_dirty": bool(first_line(["git", "-C", REPO, "status", "--porcelain",
                                                   "lib"]))}


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("videos", nargs="*", help="real footage to decode and use (default: "
                    "../shared/data/nasa_13013.mp4 if present)")
    ap.add_argument("--reps", type=int, help="rounds per measurement (default 5; quick: 1)")
    ap.add_argument("--frames", type=int, help="frames per clip (default 150; quick: 30)")
    ap.add_argument("--quick", action="store_true", help="a development run: 1 round, 30 frames")
    ap.add_argument("--presets", default=",".join(PRESETS))
    ap.add_argument("--no-screen", action="store_true", help="skip the synthetic screen clip")
    ap.add_argument("--no-python", action="store_true", help="skip write_video vs torchvision")
    ap.add_argument("--workloads", default="x264,short,codecs",
                    help="which to run, comma-separated: x264, short, codecs (default: all)")
    ap.add_argument("--short-writes", type=int, help="writes per tool in each short-clip case "
                    "(default 40; quick: 10)")
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--work", help="where the raw frames and outputs go (default BUILD/bench)")
    ap.add_argument("--results", default=os.path.join(REPO, "bench", "results"))
    ap.add_argument("--name", help="results file stem (default: latest, or quick)")
    ap.add_argument("--from-json", metavar="FILE", help="measure nothing: report the results "
                    "in FILE again (table, targets, chart)")
    args = ap.parse_args()
    if args.from_json:
        with open(args.from_json) as f:
            res = json.load(f)
        stem = args.name or os.path.splitext(os.path.basename(args.from_json))[0]
        report(res, args.results, stem)
        return
    chosen = set(args.workloads.split(","))
    if chosen - {"x264", "short", "codecs"}:
        sys.exit(f"bench: unknown workload in {args.workloads}")
    reps = args.reps or (1 if args.quick else 5)
    frames = args.frames or (30 if args.quick else 150)
    presets = args.presets.split(",")
    vidwrite = os.path.join(args.build, "tools", "vidwrite")
    if not os.access(vidwrite, os.X_OK):
        sys.exit(f"bench: no {vidwrite}; build first (bench/run.sh does)")
    work = args.work or os.path.join(args.build, "bench")
    os.makedirs(work, exist_ok=True)
    os.makedirs(args.results, exist_ok=True)
    stem = args.name or ("quick" if args.quick else "latest")

    meta = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "host": platform.node(),
            "cpus": os.cpu_count(), "cpu_model": cpu_model(), "reps": reps, "frames": frames,
            "quick": args.quick, "crf": CRF, "presets": presets,
            "loadavg_start": os.getloadavg(), "versions": versions(args.build)}
    log(f"bench: {reps} round(s), {frames} frames, load average {meta['loadavg_start']}")

    videos = args.videos or ([DEFAULT_REAL] if os.path.exists(DEFAULT_REAL) else [])
    vidwrite_env = python_env(args.build)
    if "short" in chosen:
        writes = args.short_writes or (10 if args.quick else 40)
        rows = workloads.run_short(work, args.build, vidwrite_env, writes)
        report_extra("short-clips", {"meta": meta, "rows": rows}, workloads.short_table(rows),
                     workloads.chart_short, args.results)
    if "codecs" in chosen:
        real = videos[0] if videos else None
        rows = workloads.run_codecs(work, vidwrite, min(reps, 3), real, measure, rounds)
        report_extra("codecs", {"meta": meta, "clip": real or "testsrc2", "rows": rows},
                     workloads.codecs_table(rows), workloads.chart_codecs, args.results)
    if "x264" not in chosen:
        return

    clips = [make_testsrc2(work, frames)]
    for i, v in enumerate(videos):
        clips.append(make_real(work, v, frames, i))
    if not args.no_screen:
        clips.append(make_screen(work, frames))
    for clip in clips:
        make_yuv(clip, work)
        log(f"bench: clip {clip.name}: {clip.description}, {clip.frames} frames")

    res = {"meta": meta, "clips": [c.as_dict() for c in clips], "cli": []}
    for clip in clips:
        out = {t: os.path.join(work, f"out-{t}.mp4") for t in ("vidwrite", "ffmpeg", "floor")}
        for preset in presets:
            cmds = cli_commands(clip, preset, out, vidwrite)
            for cmd in cmds.values():  # warm the page cache and GStreamer's registry
                measure(cmd)
            log(f"bench: {clip.name} {preset} ...")
            runs = rounds(cmds, reps)
            row = {"clip": clip.name, "preset": preset, "tools": {}, "ratios": {}}
            for tool, tr in runs.items():
                row["tools"][tool] = {"runs": tr, "wall": median_of(tr, "wall"),
                                      "cpu": median_of(tr, "cpu"), "rss": median_of(tr, "rss"),
                                      **quality(clip, out[tool])}
                row["ratios"][tool] = {k: paired_ratio(runs, tool, "ffmpeg", k)
                                       for k in ("wall", "cpu", "rss")}
                row["ratios"][tool]["wall_floor"] = paired_ratio(runs, tool, "floor", "wall")
            res["cli"].append(row)

    # Peak RSS at two lengths: the frames on stdin once and three times over.
    clip, preset = clips[0], presets[0]
    lr = {"clip": clip.name, "preset": preset, "frames": [clip.frames, 3 * clip.frames],
          "vidwrite": [], "ffmpeg": []}
    out = {t: os.path.join(work, f"len-{t}.mp4") for t in ("vidwrite", "ffmpeg", "floor")}
    cmds = cli_commands(clip, preset, out, vidwrite, stdin=True)
    for times in (1, 3):
        for tool in ("vidwrite", "ffmpeg"):
            lr[tool].append(measure(cmds[tool], feed=(clip.path, times))["rss"])
    res["rss_length"] = lr

    if not args.no_python:
        log("bench: Python write_video vs torchvision ...")
        py = run_python(clips[0], work, args.build, reps)
        py["clip"], py["frames"] = clips[0].name, clips[0].frames
        res["python"] = py

    meta["loadavg_end"] = os.getloadavg()
    report(res, args.results, stem)


def report(res, results, stem):
    """Evaluates the targets, prints the table and the verdicts, writes the JSON and the chart."""
    meta = res["meta"]
    res["targets"] = evaluate(res)
    print()
    print_table(res)
    print("\nTargets (issue 6):")
    for t in res["targets"]:
        print(f"  {'PASS' if t['pass'] else 'FAIL'}  {t['target']}: {t['value']} ({t['limit']})")
    print(f"\nload average: start {fmt_load(meta['loadavg_start'])}, "
          f"end {fmt_load(meta['loadavg_end'])} ({meta['cpus']} CPUs)")
    json_path = os.path.join(results, stem + ".json")
    with open(json_path, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    png_path = os.path.join(results, stem + ".png")
    chart(res, png_path)
    print(f"wrote {os.path.relpath(json_path)} and {os.path.relpath(png_path)}")


def report_extra(stem, res, table, chart_fn, results):
    """A workload of bench/workloads.py: prints its table, writes JSON, Markdown and chart."""
    res["meta"] = dict(res["meta"], loadavg_end=os.getloadavg())
    print(f"\n{stem}:\n{table}")
    base = os.path.join(results, stem)
    with open(base + ".json", "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    with open(base + ".md", "w") as f:
        m = res["meta"]
        f.write(f"{table}\n\n{m['date']}, {m['cpus']} CPUs ({m['cpu_model']}), load average "
                f"{fmt_load(m['loadavg_start'])} at the start, {fmt_load(m['loadavg_end'])} at "
                f"the end; vidwrite {m['versions']['vidwrite_commit']}.\n")
    rows = res["rows"]
    chart_fn(rows, base + ".png")
    print(f"wrote {os.path.relpath(base)}.json, .md and .png")


def fmt_load(load):
    return " ".join(f"{x:.2f}" for x in load)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
