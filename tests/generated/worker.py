# SPDX-License-Identifier: LGPL-2.1-or-later
"""Performs drawn writes, one JSON case a line on stdin, one JSON result a line on stdout.

It runs in its own process so that a write that hangs or crashes is killed and reported by the
test (tests/generated/cases.py) instead of taking the test run with it.  Each case is written
through the face it names: the one-shot C call and the streaming writer over GObject
introspection, the Python package, or the vidwrite command.

Run alone, it performs one case given as an argument and prints the result:
    /usr/bin/python3 tests/generated/worker.py '{"face": "c_writer", ...}'
"""

import json
import os
import subprocess
import sys
import threading
import time
import wave
from fractions import Fraction

import numpy as np

import gi

gi.require_version("Vidwrite", "1.0")
from gi.repository import GLib, Vidwrite  # noqa: E402

import vidwrite  # noqa: E402

VIDWRITE_TOOL = os.environ.get("VIDWRITE", "vidwrite")
PIXEL_FORMATS = {"rgb": (Vidwrite.PixelFormat.RGB, 3), "bgr": (Vidwrite.PixelFormat.BGR, 3),
                 "rgba": (Vidwrite.PixelFormat.RGBA, 4), "bgra": (Vidwrite.PixelFormat.BGRA, 4),
                 "gray": (Vidwrite.PixelFormat.GRAY8, 1)}
CLI_PIX_FMTS = {"rgb": "rgb24", "bgr": "bgr24", "rgba": "rgba", "bgra": "bgra", "gray": "gray"}


def frames(case):
    """[T, H, W, C] uint8: a moving gradient, different in every frame and position."""
    n, h, w = case["frames"], case["height"], case["width"]
    c = PIXEL_FORMATS[case["pixels"]][1]
    y, x = np.mgrid[0:h, 0:w]
    t = np.arange(n)[:, None, None]
    planes = [(x * 7 + t * 11) % 256, (y * 5 + t * 3) % 256, (x + y + t * 17) % 256,
              np.full((n, h, w), 255)]
    if c == 1:
        return ((x * 3 + y * 2 + t * 13) % 256).astype(np.uint8)[..., None]
    return np.stack(np.broadcast_arrays(*planes[:c]), axis=-1).astype(np.uint8)


def samples(case):
    """[C, N] float32: one tone a channel, at half scale."""
    audio = case["audio"]
    n, rate = audio["samples"], audio["rate"]
    j = np.arange(n) / rate
    return np.stack([0.5 * np.sin(2 * np.pi * (220 + 110 * k) * j)
                     for k in range(audio["channels"])]).astype(np.float32)


def fraction(case):
    return Fraction(case["fps"][0], case["fps"][1])


def fps_value(case):
    """The rate as the face takes it: Fraction, int or float as drawn."""
    rate = fraction(case)
    kind = case["fps_as"]
    if kind == "fraction":
        return rate
    if kind == "int" and rate.denominator == 1:
        return int(rate)
    return float(rate)


def chunks(total, sizes):
    """[start, stop) pairs covering `total` with the drawn sizes, the last one repeated."""
    out, start, k = [], 0, 0
    while start < total:
        step = max(1, sizes[min(k, len(sizes) - 1)]) if sizes else total
        out.append((start, min(total, start + step)))
        start += step
        k += 1
    return out


def order_pushes(case, video_parts, audio_parts):
    """The drawn push order as a list of ("v"|"a", part) for one thread."""
    v = [("v", p) for p in video_parts]
    a = [("a", p) for p in audio_parts]
    order = case["order"]
    if order == "audio_first":
        return a + v
    if order == "video_first":
        return v + a
    out = []
    for k in range(max(len(v), len(a))):
        out += v[k:k + 1] + a[k:k + 1]
    return out


def run_pushes(case, push_video, push_audio, end_audio=None):
    video = frames(case)
    audio = samples(case) if case["audio"] else None
    video_parts = chunks(video.shape[0], case["video_chunks"])
    audio_parts = chunks(audio.shape[1], case["audio_chunks"]) if audio is not None else []

    def feed(items):
        for kind, (start, stop) in items:
            if kind == "v":
                push_video(video[start:stop])
            else:
                push_audio(audio[:, start:stop])
                if end_audio and stop == audio.shape[1] and case["end_audio"]:
                    end_audio()

    if case["order"] == "two_threads" and audio is not None:
        errors = []

        def guarded(items):
            try:
                feed(items)
            except BaseException as e:  # reported by the main thread
                errors.append(e)

        threads = [threading.Thread(target=guarded, args=([("a", p) for p in audio_parts],))]
        threads[0].start()
        guarded([("v", p) for p in video_parts])
        threads[0].join()
        if errors:
            raise errors[0]
    else:
        feed(order_pushes(case, video_parts, audio_parts))


def audio_for_c(case, audio):
    """Bytes in the drawn sample format and layout for the C writer."""
    fmt, layout = case["audio"]["format"], case["audio"]["layout"]
    if fmt == "s16":
        audio = np.round(audio * 32767).astype(np.int16)
    if layout == "interleaved":
        audio = np.ascontiguousarray(audio.T)
    return GLib.Bytes.new(audio.tobytes())


def write_c_oneshot(case, path):
    video = frames(case)
    audio = case["audio"]
    Vidwrite.write_video(
        path, GLib.Bytes.new(video.tobytes()), video.shape[0], case["height"], case["width"],
        video.shape[3], float(fraction(case)), case["codec"], case["options"] or None,
        GLib.Bytes.new(samples(case).tobytes()) if audio else None,
        audio["channels"] if audio else 0, float(audio["rate"]) if audio else 0.0,
        audio["codec"] if audio else None, (audio["options"] or None) if audio else None)


def write_c_writer(case, path):
    writer = Vidwrite.Writer.new(path)
    audio = case["audio"]
    fmt, bpp = PIXEL_FORMATS[case["pixels"]]
    try:
        writer.set_video(case["width"], case["height"], fmt, case["fps"][0], case["fps"][1],
                         case["codec"], case["options"] or None)
        if audio:
            writer.set_audio(audio["channels"], audio["rate"],
                             {"f32": Vidwrite.SampleFormat.F32,
                              "s16": Vidwrite.SampleFormat.S16}[audio["format"]],
                             {"planar": Vidwrite.AudioLayout.PLANAR,
                              "interleaved": Vidwrite.AudioLayout.INTERLEAVED}[audio["layout"]],
                             audio["codec"], audio["options"] or None)
        run_pushes(case,
                   lambda v: writer.push_frames(GLib.Bytes.new(v.tobytes())),
                   lambda a: writer.push_audio(audio_for_c(case, a)),
                   lambda: writer.end_audio())
        writer.finish(None)
    except BaseException:
        writer.cancel()
        raise


def python_audio(case, audio):
    kind = case["audio"]["format"]
    if kind == "s16":
        return np.round(audio * 32767).astype(np.int16)
    return audio.astype(np.float64) if kind == "f64" else audio


def python_options(options):
    """Numbers as numbers, as Python callers write them ({"crf": 23})."""
    out = {}
    for key, value in (options or {}).items():
        try:
            out[key] = int(value)
        except ValueError:
            out[key] = value
    return out or None


def write_py_write_video(case, path):
    audio = case["audio"]
    vidwrite.write_video(
        path, frames(case), fps_value(case), video_codec=case["codec"],
        options=python_options(case["options"]),
        audio_array=python_audio(case, samples(case)) if audio else None,
        audio_fps=audio["rate"] if audio else None, audio_codec=audio["codec"] if audio else None,
        audio_options=python_options(audio["options"]) if audio else None)


def write_py_writer(case, path):
    audio = case["audio"]
    channels = PIXEL_FORMATS[case["pixels"]][1]
    with vidwrite.Writer(path, fps_value(case), case["width"], case["height"], channels,
                         case["codec"], python_options(case["options"]),
                         audio_fps=audio["rate"] if audio else None,
                         audio_channels=audio["channels"] if audio else None,
                         audio_codec=audio["codec"] if audio else None,
                         audio_options=python_options(audio["options"]) if audio else None
                         ) as writer:
        run_pushes(case, writer.write_frames,
                   lambda a: writer.write_audio(python_audio(case, a)), writer.end_audio)


def write_cli(case, path):
    workdir = os.path.dirname(path)
    video = frames(case)
    fmt = case["pixels"]
    args = [VIDWRITE_TOOL, "-q", "-r", case["fps_text"]]
    stdin = None
    if case["cli_input"] == "npy":
        src = os.path.join(workdir, "in.npy")
        np.save(src, video)
        args += ["-i", src, "-p", CLI_PIX_FMTS[fmt]]
    else:
        stdin = video.tobytes()
        args += ["-i", "-", "-s", f"{case['width']}x{case['height']}", "-p", CLI_PIX_FMTS[fmt]]
    if case["codec"] is not None:
        args += ["-c", case["codec"]]
    for key, value in (case["options"] or {}).items():
        args += ["-o", f"{key}={value}"]
    audio = case["audio"]
    if audio:
        a = samples(case)
        if audio["format"] == "s16":
            src = os.path.join(workdir, "in.wav")
            with wave.open(src, "wb") as w:
                w.setnchannels(a.shape[0])
                w.setsampwidth(2)
                w.setframerate(audio["rate"])
                w.writeframes(np.round(a.T * 32767).astype("<i2").tobytes())
            args += ["-a", src]
        else:
            src = os.path.join(workdir, "in.f32")
            a.astype("<f4").tofile(src)
            args += ["-a", src, "--audio-rate", str(audio["rate"]),
                     "--audio-channels", str(audio["channels"])]
        if audio["codec"] is not None:
            args += ["--audio-codec", audio["codec"]]
        for key, value in (audio["options"] or {}).items():
            args += ["--audio-option", f"{key}={value}"]
    args.append(path)
    r = subprocess.run(args, input=stdin, capture_output=True)
    for name in ("in.npy", "in.wav", "in.f32"):
        if os.path.exists(os.path.join(workdir, name)):
            os.unlink(os.path.join(workdir, name))
    if r.returncode != 0:
        raise CliError(r.returncode, r.stderr.decode(errors="replace").strip())


class CliError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


FACES = {"c_oneshot": write_c_oneshot, "c_writer": write_c_writer,
         "py_write_video": write_py_write_video, "py_writer": write_py_writer, "cli": write_cli}


def perform(case):
    """Writes the case into case["dir"]; returns what happened."""
    path = os.path.join(case["dir"], "out." + case["container"])
    start = time.monotonic()
    result = {"ok": True}
    try:
        FACES[case["face"]](case, path)
    except GLib.Error as e:
        code = e.code
        if e.domain == GLib.quark_to_string(Vidwrite.error_quark()):
            code = Vidwrite.Error(e.code).value_nick
        result = {"ok": False, "error": e.message, "code": code, "domain": e.domain}
    except CliError as e:
        result = {"ok": False, "error": e.message, "code": "exit %d" % e.status, "domain": "cli"}
    result["seconds"] = time.monotonic() - start
    return result


def main():
    if len(sys.argv) > 1:
        print(json.dumps(perform(json.loads(sys.argv[1]))))
        return
    for line in sys.stdin:
        print(json.dumps(perform(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
