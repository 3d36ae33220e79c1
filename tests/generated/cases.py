# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generated writes and their oracle.

A case is a plain dict (JSON) describing one whole write: the face, frame size, rate, codec and
container from the library's registry, audio, push order and chunking, options drawn from each
codec's option keys.  `cases()` is the hypothesis strategy that draws them; `check(case)` writes
the case in a worker process (worker.py) and checks the file with ffprobe/ffmpeg.  Failures are
raised as `CaseFailure`, whose message holds a ready-to-paste reproducer.

Tables shape the domain and the oracle, each entry named and explained:
- KNOWN_BUGS: regions that hit a bug being fixed elsewhere, and OPEN_BUGS: regions of bugs this
  suite found.  The generator leaves them out and says how many draws it left out (never
  silently); empty the lists when the fixes merge.
- EXPECTED_REFUSALS: combinations the installed GStreamer elements cannot encode.  They stay in
  the domain; the write must then be refused with the given error code and a message that names
  the offending value, leaving no file, or succeed and pass the oracle.
- ORACLE_BLIND_SPOTS: files FFmpeg cannot read whoever writes them; only the write is checked.
"""

import atexit
import json
import math
import os
import re
import selectors
import shutil
import subprocess
import tempfile
from collections import Counter
from fractions import Fraction
from pathlib import Path

from hypothesis import assume, strategies as st

import gi

gi.require_version("Gst", "1.0")
gi.require_version("Vidwrite", "1.0")
from gi.repository import GLib, Gst, Vidwrite  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FFMPEG = os.environ.get("FFMPEG", "ffmpeg")
FFPROBE = os.environ.get("FFPROBE", "ffprobe")
PYTHON = "/usr/bin/python3"

FACES = ["c_oneshot", "c_writer", "py_write_video", "py_writer", "cli"]
# Rates the issue names, and the usual ones; (numerator, denominator).
RATES = [(30000, 1001), (1, 1), (120, 1), (25, 2), (24000, 1001), (60000, 1001), (24, 1),
         (25, 1), (30, 1), (50, 1), (60, 1), (15, 1), (5, 1)]
EVEN_SIDES = [16, 32, 48, 64, 96, 128, 130]
TINY_SIDES = [2, 4, 8]  # under most muxers' and some encoders' 16-pixel minimum
ODD_SIDES = [1, 3, 15, 17, 33, 65, 95]
HD_SIZES = [(1280, 720), (1920, 1080)]
# How people write the NTSC rates as decimals (the library maps them to n/1001).
DECIMAL_RATES = {(30000, 1001): "29.97", (24000, 1001): "23.976", (60000, 1001): "59.94"}
SAMPLE_RATES = [8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000]

# Plausible values for each FFmpeg option key; a case only uses keys the registry lists for its
# codec.  Values are valid for every codec that takes the key (ranges intersected).
OPTION_VALUES = {
    "crf": ["18", "23", "30", "40"],
    "qp": ["0", "10", "23", "40"],
    "b": ["100k", "300k", "1M", "2000000"],
    "maxrate": ["500k", "2M"],
    "bufsize": ["1M", "4M"],
    "g": ["1", "10", "250"],
    "keyint_min": ["1", "5", "25"],
    "bf": ["0", "1", "3"],
    "threads": ["0", "1", "2"],
    "preset": ["ultrafast", "veryfast", "medium"],
    "tune": ["psnr", "ssim", "zerolatency", "fastdecode", "grain", "animation"],
    "profile": ["baseline", "main", "high"],
    "level": ["3.0", "4.1", "5.1"],
    "x264-params": ["ref=2:me=dia", "keyint=30", "bframes=0"],
    "x265-params": ["keyint=30", "bframes=0:ref=1", "log-level=error"],
    "qscale": ["2", "5", "10", "31"],
    "q": ["1", "2", "5", "9"],
    "compression_level": ["0", "3", "9"],
    "slices": ["1", "2", "4"],
    "qmin": ["0", "4", "10"],
    "qmax": ["40", "56", "63"],
    "deadline": ["realtime", "good"],
    "cpu-used": ["4", "5", "8"],
    "lag-in-frames": ["0", "16", "25"],
    "auto-alt-ref": ["0", "1"],
    "row-mt": ["0", "1"],
    "tile-columns": ["0", "1", "2"],
    "tile-rows": ["0", "1"],
    "movflags": ["+faststart"],
    "application": ["audio", "voip", "lowdelay"],
    "frame_duration": ["2.5", "5", "10", "20", "40", "60"],
}
AUDIO_OPTION_VALUES = dict(OPTION_VALUES, b=["64k", "128k", "192k"])
PIX_FMTS = ["yuv420p", "yuvj420p", "yuv422p", "yuv444p", "nv12", "yuv420p10le", "yuv422p10le",
            "yuv444p10le", "gray", "gray16le", "rgb24", "bgra", "bgr0", "rgba", "gbrp10le"]
FULL_CHROMA = {"yuv444p", "yuv444p10le", "gray", "gray16le", "rgb24", "bgra", "bgr0", "rgba",
               "gbrp10le"}

# Bugs being fixed on other branches.  The generator does not draw these regions (and counts
# what it left out, see `excluded`); empty the list when the fixes merge, and the suite draws
# them again.  Each entry: (name, predicate on a case).
KNOWN_BUGS = [
    # Empty: the stall of a soundtrack longer than the picture, the NULL codec's libx264 in every
    # container and mpeg2video's refusal of HD are fixed (their regressions below keep working).
]
# Bugs this suite found that nobody is fixing yet (reported with their reproducers): the same
# treatment as KNOWN_BUGS, so that CI stays green while they are open.
OPEN_BUGS = [
    # qtmux, avimux and webmmux refuse frames under 16 pixels a side, but only once encoding has
    # started (ENCODE "not-negotiated"); mp4 is refused at configuration. {"codec": "libx264",
    # "container": "mov", "width": 16, "height": 2, "frames": 1}; {"codec": "av1", "container":
    # "webm", "width": 16, "height": 15, "options": {"pix_fmt": "yuv444p"}}
    ("mov-avi-webm-under-16-pixels-fail-late",
     lambda c: c["container"] in ("mov", "avi", "webm") and min(c["width"], c["height"]) < 16),
    # libopenh264 under 16 pixels a side: ENCODE "Could not encode frame (Openh264 returned 5)"
    # instead of a refusal at configuration. {"codec": "libopenh264", "width": 16, "height": 8}
    ("openh264-under-16-pixels-fails-late",
     lambda c: _vcodec(c) == "libopenh264" and min(c["width"], c["height"]) < 16),
    # x264 with a profile its pix_fmt does not fit (baseline, main and high are 4:2:0 8-bit):
    # ENCODE at finish ("x264enc made what the options exclude (not-negotiated): ...
    # profile=high-4:2:2 ..., where they ask for ... constrained-baseline") instead of a refusal
    # before encoding (FFmpeg's libx264 refuses it when it opens the encoder). {"codec":
    # "libx264", "options": {"pix_fmt": "yuv422p", "profile": "baseline"}}
    ("x264-profile-against-pix-fmt-fails-late",
     lambda c: _vcodec(c) in ("libx264", "h264") and "profile" in (c["options"] or {}) and
     c["options"].get("pix_fmt") not in (None, "yuv420p", "yuvj420p", "nv12")),
    # threads=2 (any count but 0 and 1) is refused for avenc_mjpeg, avenc_ffv1, avenc_png:
    # "“2” is not one of auto, unknown"; the registry lists the key.
    ("avenc-threads-count-refused",
     lambda c: _vcodec(c) in ("mjpeg", "ffv1", "png", "mpeg4", "prores", "prores_ks") and
     (c["options"] or {}).get("threads") not in (None, "0", "1")),
    # ffv1 with slices=2 (any size from 64x48) or slices=1 (from 640x480) fails once encoding
    # starts (ENCODE "not-negotiated"); slices=4 works, and FFmpeg writes slices=1 at 1280x720.
    ("ffv1-slices-1-2-fail-late",
     lambda c: _vcodec(c) == "ffv1" and (c["options"] or {}).get("slices") in ("1", "2")),
    # ffv1 2 pixels wide in 4:2:0 fails once encoding starts (ENCODE "not-negotiated"); 4 wide
    # works, and FFmpeg's ffv1 writes 2x16 yuv420p.
    ("ffv1-2-wide-fails-late", lambda c: _vcodec(c) == "ffv1" and c["width"] <= 2),
    # Ogg (.ogv, .ogg) with sound loses the last video frame as FFmpeg reads it: 3 frames at
    # 1 or 5 fps with vorbis or opus decode as 2 (FFmpeg's own .ogv of the same has 3; .mkv
    # and Ogg without sound have 3). {"codec": "theora", "container": "ogv", "frames": 3,
    # "fps": [1, 1], "audio": {"codec": "vorbis", "samples": 144000}}
    ("ogg-with-sound-loses-the-last-frame",
     lambda c: c["container"] in ("ogv", "ogg") and c["audio"] is not None),
    # AAC with 3 to 6 channels (avenc_aac) in .avi: ENCODE "not-negotiated" at the audio source
    # once encoding starts (.mkv, .mp4 and .flv take them). {"container": "avi", "audio":
    # {"codec": "aac", "channels": 3}}
    ("aac-over-2-channels-in-avi-fails-late",
     lambda c: c["container"] == "avi" and c["audio"] is not None and _acodec(c) == "aac" and
     c["audio"]["channels"] > 2),
    # vorbis with a bitrate libvorbis cannot reach (b=64k for 8 kHz mono; FFmpeg refuses it too,
    # "encoder setup failed") is accepted, then fails once encoding starts: ENCODE "negotiation
    # problem (encoder not initialized)", naming neither b nor the rate.  Which bitrates fit
    # which rate is libvorbis's table, so every b is left out.
    ("vorbis-unreachable-bitrate-fails-late",
     lambda c: c["audio"] is not None and _acodec(c) in ("vorbis", "libvorbis") and
     "b" in c["audio"]["options"]),
    # FLV with 8 kHz MP3 is misread by FFmpeg: mono has no decoder ("AMF_DATA_TYPE_STRING
    # parsing failed", "Decoder (codec none) not found").  11025 Hz and up read right.  (AAC
    # "read back as 2 channels" only while voaacenc wrote no packet from short sound.)
    # {"container": "flv", "audio": {"codec": "mp3", "channels": 1, "rate": 8000}}
    ("flv-8-khz-sound-misread",
     lambda c: c["container"] == "flv" and c["audio"] is not None and
     c["audio"]["rate"] == 8000 and _acodec(c) in ("mp3", "libmp3lame")),
    # PCM above 65535 Hz in .mov is stored with a wrong rate: 88200 Hz reads back as 22664 Hz
    # (88200 - 65536: qtmux's 16.16 sample rate; FFmpeg's mov muxer writes a version 2 sound
    # description). {"container": "mov", "audio": {"codec": "pcm_s16le", "rate": 88200}}
    ("pcm-in-mov-over-65535-hz-wrong-rate",
     lambda c: c["container"] == "mov" and c["audio"] is not None and
     (_acodec(c) or "").startswith("pcm_") and c["audio"]["rate"] > 65535),
    # mp2 with b=192k at 11025 Hz (any b under 32 kHz, where MPEG-2's lower bitrates apply) is
    # accepted, then avenc_mp2 fails once encoding starts: ENCODE "encoder not initialized".
    ("mp2-bitrate-at-low-rates-fails-late",
     lambda c: c["audio"] is not None and _acodec(c) == "mp2" and "b" in c["audio"]["options"]
     and c["audio"]["rate"] < 32000),
    # PCM in .mov or .flv with more than 2 channels is refused with "cannot link capsfilterN to
    # capsfilterM", a message that names neither the codec nor the channel count.
    ("pcm-in-mov-flv-refusal-names-nothing",
     lambda c: c["container"] in ("mov", "flv") and c["audio"] is not None and
     (_acodec(c) or "").startswith("pcm_") and c["audio"]["channels"] > 2),
    # Opus with 4 channels (the default codec of .webm): "cannot link capsfilterN to opusencM",
    # naming neither the channel count nor the layout.  FFmpeg's libopus writes 4 channels.
    ("opus-4-channels-refusal-names-nothing",
     lambda c: c["audio"] is not None and _acodec(c) in ("opus", "libopus") and
     c["audio"]["channels"] == 4),
    # libopenh264 with maxrate under b: ENCODE "not-negotiated" once encoding starts, instead of
    # a refusal naming the two options. {"codec": "libopenh264", "options": {"b": "1M",
    # "maxrate": "500k"}}
    ("openh264-maxrate-under-b-fails-late",
     lambda c: _vcodec(c) == "libopenh264" and {"b", "maxrate"} <= set(c["options"] or {}) and
     _bits(c["options"]["maxrate"]) < _bits(c["options"]["b"])),
]

# libx264rgb (the fourth bug being fixed) is not drawn: the registry calls it unavailable, and
# the generator draws the codecs the registry says are available, so it is drawn once it is.

# What the elements here cannot encode: (name, predicate, error code, words the message must
# name).  A write in such a region must be refused at configuration with that code, a message
# that names the offending value (one of the words, as a whole word) and no file left; or
# succeed and pass the oracle.
def _channels(c):
    return [str(c["audio"]["channels"])]


def _sides(c):
    return [str(c["width"]), str(c["height"])]


EXPECTED_REFUSALS = [
    # voaacenc takes 1-2 channels, avenc_aac up to 6 (README: codecs table).
    ("aac-over-6-channels", lambda c: _acodec(c) == "aac" and c["audio"]["channels"] > 6,
     "incompatible", _channels),
    ("ac3-over-6-channels", lambda c: _acodec(c) == "ac3" and c["audio"]["channels"] > 6,
     "incompatible", _channels),
    # LAME and MPEG-1 layer II are mono and stereo codecs.
    ("mp3-mp2-over-2-channels",
     lambda c: _acodec(c) in ("mp3", "libmp3lame", "mp2") and c["audio"]["channels"] > 2,
     "incompatible", _channels),
    # vorbisenc and flacenc want quad for 4 channels, where FFmpeg's default layout is 4.0;
    # flacenc has no 7-channel layout.
    ("vorbis-4-channels",
     lambda c: _acodec(c) in ("vorbis", "libvorbis") and c["audio"]["channels"] == 4,
     "incompatible", _channels),
    ("flac-4-or-7-channels",
     lambda c: _acodec(c) == "flac" and c["audio"]["channels"] in (4, 7), "incompatible",
     _channels),
    # opusenc takes no 4.0 layout (FFmpeg's default for 4 channels) here.
    ("opus-4-channels",
     lambda c: _acodec(c) in ("opus", "libopus") and c["audio"]["channels"] == 4,
     "incompatible", _channels),
    # qtmux and flvmux take raw PCM in mono and stereo only.
    ("pcm-in-mov-flv-over-2-channels",
     lambda c: c["container"] in ("mov", "flv") and (_acodec(c) or "").startswith("pcm_") and
     c["audio"]["channels"] > 2, "incompatible", _channels),
    # 4:2:0 and 4:2:2 need even sides (the message says to use yuv444p).
    ("odd-size-subsampled",
     lambda c: (c["width"] % 2 or c["height"] % 2) and
     (c["options"] or {}).get("pix_fmt") not in FULL_CHROMA, "incompatible", lambda c: ["even"]),
    # Rate-control options that set the same element property: the library refuses the pair
    # (INVALID_OPTION, "cannot be combined"), see `excludes` in lib/vidwrite-options.c.
    ("options-sharing-one-setting", lambda c: _conflicting(c), "invalid-option",
     lambda c: ["combined"]),
    # mpeg2enc makes at most 2 B-frames a reference frame (its b-per-refframe property).
    ("mpeg2enc-bf-over-2",
     lambda c: _vcodec(c) == "mpeg2video" and int((c["options"] or {}).get("bf", 0)) > 2,
     "invalid-option", lambda c: [c["options"]["bf"]]),
    # x264enc's vbv-buf-capacity is in milliseconds, at most 10 s: bufsize=4M at b=100k is 40 s.
    ("x264-vbv-over-10-seconds",
     lambda c: _vcodec(c) in ("libx264", "h264", "libx264rgb") and "bufsize" in (c["options"] or {}),
     "invalid-option", lambda c: [c["options"]["bufsize"]]),
    # A frame size outside the encoder's sink caps (x265enc and mpeg2enc from 16 pixels,
    # av1enc from 4, mpeg2enc to 4096).
    ("size-outside-encoder-caps", lambda c: _outside_caps(c), "incompatible", _sides),
    # mp4mux, qtmux, webmmux and avimux take frames from 16 pixels a side (their sink caps;
    # matroskamux from 1).
    ("container-under-16-pixels",
     lambda c: c["container"] in SIXTEEN_PIXEL_CONTAINERS and min(c["width"], c["height"]) < 16,
     "incompatible", _sides),
    # openh264 encodes nothing under 16 pixels a side ("Could not encode frame").
    ("openh264-under-16-pixels",
     lambda c: _vcodec(c) == "libopenh264" and min(c["width"], c["height"]) < 16,
     "incompatible", _sides),
    # vp9enc 1.22 loses the end of its lookahead at EOS: lag-in-frames above 0 is refused.
    ("vp9-lag-in-frames",
     lambda c: _vcodec(c) in ("vp9", "libvpx-vp9") and
     int((c["options"] or {}).get("lag-in-frames", 0)) > 0, "invalid-option",
     lambda c: [c["options"]["lag-in-frames"]]),
    # FFmpeg's Theora decoder reads nothing narrower than 18 pixels: refused (README).
    ("theora-under-18-wide",
     lambda c: _vcodec(c) in ("libtheora", "theora") and c["width"] < 18, "incompatible", _sides),
    # Found here, each ended the caller's process; refused since: VP9 10-bit 4:2:0 in .mp4/.mov
    # (mp4mux's SIGSEGV), PCM from 4 channels in .avi (a GStreamer-Audio CRITICAL), mpeg2enc with
    # a minimum GOP above its maximum (SIGSEGV; the maximum is 15 unless g says).
    ("vp9-yuv420p10le-in-mp4-mov",
     lambda c: _vcodec(c) in ("vp9", "libvpx-vp9") and c["container"] in ("mp4", "mov") and
     (c["options"] or {}).get("pix_fmt") == "yuv420p10le", "incompatible", lambda c: ["I420_10LE"]),
    ("pcm-in-avi-over-3-channels",
     lambda c: c["container"] == "avi" and c["audio"] is not None and
     (_acodec(c) or "").startswith("pcm_") and c["audio"]["channels"] > 3, "incompatible",
     _channels),
    ("mpeg2enc-keyint-min-above-gop",
     lambda c: _vcodec(c) == "mpeg2video" and "keyint_min" in (c["options"] or {}) and
     int(c["options"]["keyint_min"]) > int(c["options"].get("g", 15)), "invalid-option",
     lambda c: ["keyint_min"]),
    # flacenc lists compression level 9 but fails to start with it (FFmpeg's own encoder goes to
    # 12): refused naming the value.
    ("flac-compression-level-over-8",
     lambda c: c["audio"] is not None and _acodec(c) == "flac" and
     int(c["audio"]["options"].get("compression_level", 0)) > 8, "invalid-option",
     lambda c: [c["audio"]["options"]["compression_level"]]),
    # MPEG-2 has a fixed list of frame rates (FFmpeg refuses the others too, without -strict).
    ("mpeg2-rate-not-in-the-standard",
     lambda c: _vcodec(c) == "mpeg2video" and tuple(c["fps"]) not in MPEG2_RATES,
     "incompatible", lambda c: ["%d/%d" % tuple(c["fps"]), "%g" % (c["fps"][0] / c["fps"][1])]),
]
SIXTEEN_PIXEL_CONTAINERS = {"mp4", "mov", "avi", "webm"}
# mpeg2enc's sink caps: MPEG-2's rates but 60.
MPEG2_RATES = {(24000, 1001), (24, 1), (25, 1), (30000, 1001), (30, 1), (50, 1), (60000, 1001)}

# Files that FFmpeg cannot read whoever wrote them: the write must succeed and leave its file,
# but ffprobe cannot check it.  Counted in the summary.
ORACLE_BLIND_SPOTS = [
    # FFmpeg's theora decoder refuses frames under 18 pixels wide ("Invalid frame
    # dimensions"), its own libtheora files as much as theoraenc's.
    ("theora-under-18-wide", lambda c: _vcodec(c) in ("libtheora", "theora") and c["width"] < 18),
]

# FFmpeg's default audio codec for each container (as the library documents it).
DEFAULT_AUDIO = {"mp4": "aac", "mov": "aac", "mkv": "vorbis", "webm": "opus", "avi": "mp3",
                 "ogv": "vorbis", "ogg": "vorbis", "ts": "aac", "flv": "mp3", "mpg": "mp2"}

# How many more samples than were pushed the decoded audio may hold, at the file's rate: the
# silence that completes the last encoder frame, plus the encoder delay that GStreamer's muxers
# do not trim (README, known limitations: AAC and MP3 start late), plus what vidwrite pads to
# push out the delay of an encoder that does not drain it (voaacenc, avenc_mp2).  Fewer is
# never right: no encoder may lose the end of the sound.
AUDIO_SLACK = {
    "aac": 1024 + 2048, "mp3": 1152 + 1105, "libmp3lame": 1152 + 1105, "mp2": 1152 + 1152,
    "ac3": 1536 + 256, "opus": 2880 + 960, "libopus": 2880 + 960, "vorbis": 2048,
    "libvorbis": 2048,
    "flac": 4608,
    # PCM has no frames; FLV resamples it to 44.1 kHz (README), whose filter may round.
    "pcm_s16le": 64, "pcm_s24le": 64, "pcm_f32le": 64,
}


# Option keys that map to one element setting, by element (lib/vidwrite-options.c, `excludes`).
CONFLICTS = {
    "x264enc": [{"qp", "crf"}, {"b", "crf"}, {"b", "qp"}, {"b", "maxrate"}],
    "x265enc": [{"crf", "qp"}, {"crf", "b"}, {"qp", "b"}],
    "vp8enc": [{"crf", "qmin"}, {"crf", "qmax"}],
    "vp9enc": [{"crf", "qmin"}, {"crf", "qmax"}],
    "av1enc": [{"b", "crf"}],
    "avenc_mpeg4": [{"qscale", "q"}], "avenc_mjpeg": [{"qscale", "q"}],
    "avenc_ffv1": [{"qscale", "q"}], "avenc_prores_ks": [{"qscale", "q"}],
    "avenc_png": [{"qscale", "q"}], "mpeg2enc": [{"qscale", "q"}],
    "lamemp3enc": [{"b", "q"}], "vorbisenc": [{"b", "q"}],
}


def _outside_caps(case):
    (wmin, wmax), (hmin, hmax) = registry().size_range(_vcodec(case))
    return not (wmin <= case["width"] <= wmax and hmin <= case["height"] <= hmax)


def _conflicting(case):
    reg = registry()
    pairs = [(reg.video[_vcodec(case)][2] if _vcodec(case) in reg.video else None,
              case["options"])]
    if case["audio"]:
        pairs.append((reg.audio.get(_acodec(case), (0, 0, None))[2], case["audio"]["options"]))
    return any(pair <= set(options or {}) for element, options in pairs
               for pair in CONFLICTS.get(element, []))


def _bits(text):
    """FFmpeg's "500k", "2M", "2000000" as a number."""
    scale = {"k": 1e3, "M": 1e6}.get(text[-1], 1)
    return float(text.rstrip("kM")) * scale


# The container's video codec when none is named (the library's table; FFmpeg's choice).
DEFAULT_VIDEO = {"webm": "libvpx-vp9", "ogv": "libtheora", "ogg": "libtheora",
                 "mpg": "mpeg2video"}


def _vcodec(case):
    return case["codec"] or DEFAULT_VIDEO.get(case["container"], "libx264")


def _acodec(case):
    audio = case["audio"]
    return (audio["codec"] or DEFAULT_AUDIO[case["container"]]) if audio else None


# ---- the registry ------------------------------------------------------------------------------


class Registry:
    """Installed codecs and their containers and option keys, from Vidwrite.list_codecs(); pixel
    formats each video codec takes, from the library's own answer to set_video."""

    def __init__(self):
        self.video, self.audio = {}, {}
        for info in Vidwrite.list_codecs():
            if info.get_element() is None:
                continue
            entry = (list(info.get_containers()), list(info.get_options()), info.get_element())
            (self.video if info.get_kind() == Vidwrite.CodecKind.VIDEO else self.audio)[
                info.get_name()] = entry
        Gst.init(None)
        self.containers = sorted({c for cs, _, _ in self.video.values() for c in cs})
        self._pix_fmts = {}

    def pix_fmts(self, codec, container):
        """What set_video takes for `codec` in `container` (rawvideo: rgb24 in .mov, not .avi)."""
        if (codec, container) not in self._pix_fmts:
            accepted = []
            with tempfile.TemporaryDirectory() as d:
                for fmt in PIX_FMTS:
                    writer = Vidwrite.Writer.new(os.path.join(d, "probe." + container))
                    try:
                        writer.set_video(64, 64, Vidwrite.PixelFormat.RGB, 25, 1, codec,
                                         {"pix_fmt": fmt})
                        accepted.append(fmt)
                    except GLib.Error:
                        pass
                    writer.cancel()
            self._pix_fmts[codec, container] = accepted
        return self._pix_fmts[codec, container]

    def size_range(self, codec):
        """((min, max) width, (min, max) height) the encoder's sink template allows."""
        factory = Gst.ElementFactory.find(self.video[codec][2])
        ranges = [[1, 1 << 30], [1, 1 << 30]]
        for template in factory.get_static_pad_templates():
            if template.direction != Gst.PadDirection.SINK:
                continue
            caps = template.get_caps()
            for i in range(caps.get_size()):
                structure = caps.get_structure(i)
                for k, field in enumerate(("width", "height")):
                    if structure.has_field(field):
                        ok, low, high = _int_range(structure, field)
                        if ok:
                            ranges[k][0] = max(ranges[k][0], low)
                            ranges[k][1] = min(ranges[k][1], high)
        return ranges

    def audio_codecs_for(self, container):
        return sorted(name for name, (cs, _, _) in self.audio.items() if container in cs)


def _int_range(structure, field):
    """An int-range field of a caps structure as (True, low, high), from its text form (the
    range type has no Python binding in PyGObject)."""
    text = structure.to_string()
    m = re.search(field + r"=\(int\)\[ *(\d+), *(\d+) *\]", text)
    if m:
        return True, int(m.group(1)), int(m.group(2))
    return False, 0, 0


_registry = None


def registry():
    global _registry
    if _registry is None:
        _registry = Registry()
    return _registry


# ---- the generator -----------------------------------------------------------------------------

excluded = Counter()  # draws left out, by KNOWN_BUGS or OPEN_BUGS entry
drawn = Counter()     # what was drawn and how it ended, for the summary


def known_bug(case):
    for name, predicate in KNOWN_BUGS + OPEN_BUGS:
        if predicate(case):
            return name
    return None


def expected_refusals(case):
    """Every refusal the case may meet: (name, code, words), any of which the library may
    report (a frame both odd and under 16 pixels, say)."""
    return [(name, code, words(case)) for name, predicate, code, words in EXPECTED_REFUSALS
            if predicate(case)]


def blind_spot(case):
    for name, predicate in ORACLE_BLIND_SPOTS:
        if predicate(case):
            return name
    return None


def names_one_of(message, words):
    """A word of `words` in `message`, not glued to a name before it ("capsfilter3") nor to more
    digits after it ("32" in "320"); "32x1" names 32."""
    return any(re.search(r"(?<![\w.])" + re.escape(w) + r"(?!\d|\.\d)", message) for w in words)


def _options(draw, keys, values):
    usable = sorted(k for k in keys if k in values and k != "pix_fmt")
    chosen = draw(st.lists(st.sampled_from(usable), max_size=3, unique=True)) if usable else []
    return {k: draw(st.sampled_from(values[k])) for k in chosen}


def _chunk_sizes(draw, total):
    return draw(st.lists(st.integers(1, max(1, total)), min_size=1, max_size=4))


@st.composite
def cases(draw, include_known_bugs=False):
    reg = registry()
    face = draw(st.sampled_from(FACES))
    # The video codec: one the registry says is installed, or none (the library's default).
    codec = draw(st.sampled_from(sorted(reg.video))) if draw(st.integers(0, 7)) else None
    if codec is None:
        container = draw(st.sampled_from(reg.containers))
        keys = ["pix_fmt", "movflags"]
    else:
        containers, keys, _ = reg.video[codec]
        container = draw(st.sampled_from(containers))
    hd = draw(st.integers(0, 9)) == 0
    odd = False
    if hd:
        width, height = draw(st.sampled_from(HD_SIZES))
        n_frames = draw(st.integers(1, 3))
    else:
        # One case in five has an odd side: the subsampled formats refuse it, so most of those
        # ask for a format with full chroma.
        odd = draw(st.integers(0, 4)) == 0
        sides = EVEN_SIDES + (TINY_SIDES if draw(st.integers(0, 5)) == 0 else [])
        width = draw(st.sampled_from(sides))
        height = draw(st.sampled_from(sides))
        if odd:
            if draw(st.booleans()):
                width = draw(st.sampled_from(ODD_SIDES))
            else:
                height = draw(st.sampled_from(ODD_SIDES))
        n_frames = draw(st.integers(1, 12))
    rate = draw(st.sampled_from(RATES))
    if rate[0] / rate[1] < 5:
        n_frames = min(n_frames, 3)  # at 1 fps a few frames are seconds of media
    options = _options(draw, keys, OPTION_VALUES)
    if "movflags" in options and container not in ("mp4", "mov"):
        del options["movflags"]
    if "pix_fmt" in keys and (odd or draw(st.booleans())):
        fmts = reg.pix_fmts(codec or DEFAULT_VIDEO.get(container, "libx264"), container)
        full = [f for f in fmts if f in FULL_CHROMA]
        if odd and full and draw(st.integers(0, 3)) > 0:
            fmts = full
        if fmts:
            options["pix_fmt"] = draw(st.sampled_from(fmts))

    if face in ("c_writer", "cli"):
        pixels = draw(st.sampled_from(["rgb", "bgr", "rgba", "bgra", "gray"]))
    else:
        pixels = draw(st.sampled_from(["rgb", "rgba", "gray"]))
    if face in ("py_write_video", "py_writer"):
        fps_as = draw(st.sampled_from(["fraction", "float"] + (["int"] if rate[1] == 1 else [])))
    else:
        fps_as = "float" if face == "c_oneshot" else "fraction"
    fps = Fraction(*rate)
    if face == "cli" and draw(st.booleans()):
        fps_text = DECIMAL_RATES.get(rate, "%g" % float(fps))
    else:
        fps_text = "%d/%d" % rate

    audio = None
    if draw(st.integers(0, 2)) > 0:
        acodecs = reg.audio_codecs_for(container)
        acodec = draw(st.sampled_from(acodecs)) if draw(st.integers(0, 3)) else None
        akeys = reg.audio[acodec][1] if acodec else []  # the default codec: no options
        channels = draw(st.integers(1, 8))
        srate = draw(st.sampled_from(SAMPLE_RATES))
        length = draw(st.sampled_from(["shorter", "equal", "longer"]))
        video_seconds = Fraction(n_frames) / fps
        if length == "equal":
            seconds = video_seconds
        elif length == "shorter":
            seconds = video_seconds * Fraction(draw(st.integers(1, 9)), 10)
        else:
            seconds = video_seconds + Fraction(draw(st.integers(1, 30)), 10)
        n_samples = max(1, int(seconds * srate))
        formats = {"c_oneshot": ["f32"], "c_writer": ["f32", "s16"],
                   "py_write_video": ["f32", "f64", "s16"], "py_writer": ["f32", "f64", "s16"],
                   "cli": ["f32", "s16"]}[face]
        audio = {
            "codec": acodec, "channels": channels, "rate": srate, "samples": n_samples,
            "length": length, "format": draw(st.sampled_from(formats)),
            "layout": draw(st.sampled_from(["planar", "interleaved"])) if face == "c_writer"
            else "planar",
            "options": _options(draw, akeys, AUDIO_OPTION_VALUES),
        }
    streaming = face in ("c_writer", "py_writer")
    order = draw(st.sampled_from(["audio_first", "video_first", "alternating", "two_threads"])) \
        if streaming and audio else "alternating"
    case = {
        "face": face, "container": container, "codec": codec, "options": options,
        "width": width, "height": height, "frames": n_frames, "fps": list(rate),
        "fps_as": fps_as, "fps_text": fps_text, "pixels": pixels, "audio": audio,
        "order": order,
        "video_chunks": _chunk_sizes(draw, n_frames) if streaming else [],
        "audio_chunks": _chunk_sizes(draw, audio["samples"]) if streaming and audio else [],
        "end_audio": bool(streaming and audio and audio["length"] == "shorter" and
                          draw(st.booleans())),
        "cli_input": draw(st.sampled_from(["npy", "stdin"])) if face == "cli" else None,
    }
    bug = known_bug(case)
    if bug and not include_known_bugs:
        excluded[bug] += 1
        assume(False)
    return case


# ---- running a case ----------------------------------------------------------------------------


class CaseFailure(AssertionError):
    pass


def media_seconds(case):
    video = case["frames"] * case["fps"][1] / case["fps"][0]
    audio = case["audio"]["samples"] / case["audio"]["rate"] if case["audio"] else 0
    return max(video, audio)


# Slow encoders at HD: seconds a frame of 1920x1080 may take on a loaded 2-core machine.
SLOW_PER_HD_FRAME = {"libaom-av1": 20, "av1": 20, "libx265": 6, "hevc": 6, "libvpx-vp9": 6,
                     "vp9": 6}


# scripts/explore.sh runs at nice 19 beside everything else: it stretches the bound (a stall is
# still caught, by the library's own 120 s stall timeout at the latest).
SLOWDOWN = float(os.environ.get("VW_GENERATED_SLOWDOWN", "1"))


def time_bound(case):
    """Seconds a write may take before it counts as stalled: generous, proportional to its media
    (the library's own stall timeout is 120 s; a stall shows up well before)."""
    megapixels = case["frames"] * case["width"] * case["height"] / 1e6
    per_mp = SLOW_PER_HD_FRAME.get(case["codec"], 3) / 2.07
    bound = 20 + 4 * media_seconds(case) + per_mp * megapixels + \
        (3 if case["face"] == "cli" else 0)
    return bound * SLOWDOWN


class Runner:
    """One worker process, restarted after a hang or a crash."""

    def __init__(self):
        self.proc = None
        env = dict(os.environ)
        env.setdefault("VIDWRITE", str(REPO / "build" / "tools" / "vidwrite"))
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        # A GLib critical is a bug (the library prints nothing): it kills the worker (SIGTRAP).
        env["G_DEBUG"] = "fatal-criticals"
        self.env = env

    def _start(self):
        # The worker's stderr, for the last words of a worker that died.
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([PYTHON, str(HERE / "worker.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr,
                                     env=self.env, text=True, bufsize=1)

    def last_words(self):
        self.stderr.seek(0)
        lines = self.stderr.read().decode(errors="replace").strip().splitlines()
        return " | ".join(line.strip() for line in lines[-3:])

    def stop(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self.proc = None

    def run(self, case, timeout):
        """The worker's result, or {"ok": False, "hang": True} / {"crash": signal}."""
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        self.stderr.seek(0)  # the worker shares this offset: its stderr starts anew
        self.stderr.truncate()
        self.proc.stdin.write(json.dumps(case) + "\n")
        self.proc.stdin.flush()
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        ready = sel.select(timeout)
        sel.close()
        if not ready:
            self.stop()
            return {"ok": False, "hang": True, "seconds": timeout}
        line = self.proc.stdout.readline()
        if not line:
            status = self.proc.wait()
            self.proc = None
            return {"ok": False, "crash": status, "stderr": self.last_words()}
        return json.loads(line)


_runner = None


def runner():
    global _runner
    if _runner is None:
        _runner = Runner()
        atexit.register(_runner.stop)
    return _runner


# ---- the oracle --------------------------------------------------------------------------------


# FFmpeg's format probe misdetects MPEG-TS files of a few packets as MPEG-PS ("detected only
# with low score"), FFmpeg's own 3-frame 16x16 .ts as much as vidwrite's: name the demuxer.
DEMUXERS = {"ts": ["-f", "mpegts"]}


def probe(path):
    out = subprocess.run([FFPROBE, "-v", "error", "-count_frames", "-show_streams", "-show_format",
                          "-of", "json", *DEMUXERS.get(path.suffix[1:], []), str(path)],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise CaseFailure(f"ffprobe cannot read the file: {out.stderr.strip()}")
    return json.loads(out.stdout)


def decoded_samples(path, channels):
    out = subprocess.run([FFMPEG, "-v", "error", *DEMUXERS.get(path.suffix[1:], []), "-i",
                          str(path), "-map", "0:a:0", "-f", "s16le",
                          "-acodec", "pcm_s16le", "-"], capture_output=True, timeout=120)
    if out.returncode != 0:
        raise CaseFailure(f"ffmpeg cannot decode the audio: {out.stderr.decode().strip()}")
    return len(out.stdout) // (2 * channels)


def fraction_of(text):
    n, d = text.split("/")
    return Fraction(int(n), int(d)) if int(d) else None


# What a container can say about the rate, as FFmpeg reads it back (each rule checked against
# FFmpeg's own files at the rates drawn here):
# - FLV keeps millisecond timestamps and no rate: ffprobe guesses the rate from them, for FFmpeg's
#   own FLV files as much as for vidwrite's (24/1 written by FFmpeg reads back as 24000/1001,
#   15/1 as 15000/1001).  The rate read back must have a frame duration within 1 ms of the
#   exact one.
# - Matroska (.mkv, .webm) keeps a frame duration in nanoseconds: 60000/1001 reads back as
#   19001/317 (FFmpeg's own ffv1 .mkv too), so the frame duration must be within 1 us.
# - MPEG-TS and MPEG-PS carry no frame duration: ffprobe guesses from timestamps.  FFmpeg's own
#   mpeg4 .ts and .mpg at 30000/1001 read back r_frame_rate 30000/1 with one or two frames, and
#   avg_frame_rate 0/0 under four: r_frame_rate is checked from three frames, the average from
#   four.
# - Ogg has no average rate (0/0, FFmpeg's files too).
# - Everywhere else, r_frame_rate is exact, and avg_frame_rate too from two frames on.
RATE_PRECISION = {"flv": Fraction(1, 1000), "mkv": Fraction(1, 10**6), "webm": Fraction(1, 10**6)}
NO_AVERAGE_RATE = {"flv", "ogv", "ogg"}
NO_FRAME_DURATION = {"ts", "mpg"}
MATROSKA = {"mkv", "webm"}
# When ffprobe has no better guess its r_frame_rate is the container's time base; with a codec
# that carries no timing of its own (libopenh264, ffv1) that happens with one frame in FLV, a few
# in Matroska (FFmpeg's own ffv1 .mkv at 1 fps).  avg_frame_rate must then be right.
TIME_BASE_GUESS = {"flv": Fraction(1000), "mkv": Fraction(1000), "webm": Fraction(1000),
                   "ts": Fraction(90000), "mpg": Fraction(90000)}


def _close(got, want, precision):
    return got is not None and (got == want or (got > 0 and abs(1 / got - 1 / want) <= precision))


def check_rate(case, stream, failures):
    container, frames = case["container"], case["frames"]
    if frames < 3 and container in NO_FRAME_DURATION:
        return
    want = Fraction(*case["fps"])
    precision = RATE_PRECISION.get(container, 0)
    got = fraction_of(stream["r_frame_rate"])
    average = fraction_of(stream["avg_frame_rate"])
    r_ok = _close(got, want, precision) or got == TIME_BASE_GUESS.get(container)
    avg_ok = _close(average, want, precision) or container in NO_AVERAGE_RATE or \
        (frames < 2 and container not in MATROSKA) or \
        (frames < 4 and container in NO_FRAME_DURATION)
    if r_ok and avg_ok:
        return
    failures.append(f"frame rate {stream['r_frame_rate']} (avg {stream['avg_frame_rate']}), "
                    f"wanted {want.numerator}/{want.denominator}")


def check_file(case, directory, result, failures, blind=None):
    path = Path(directory) / ("out." + case["container"])
    left = sorted(p.name for p in Path(directory).iterdir() if p.name != path.name)
    if left:
        failures.append(f"files left beside the output: {left}")
    if not result["ok"]:
        return
    if not path.exists():
        failures.append("the write succeeded but there is no file")
        return
    if blind:
        return
    info = probe(path)
    videos = [s for s in info["streams"] if s["codec_type"] == "video"]
    audios = [s for s in info["streams"] if s["codec_type"] == "audio"]
    if len(videos) != 1:
        failures.append(f"{len(videos)} video streams")
        return
    v = videos[0]
    if (v["width"], v["height"]) != (case["width"], case["height"]):
        failures.append(f"size {v['width']}x{v['height']}, wanted {case['width']}x{case['height']}")
    frames = int(v.get("nb_read_frames", -1))
    if frames != case["frames"]:
        failures.append(f"{frames} frames decoded, wanted {case['frames']}")
    check_rate(case, v, failures)
    audio = case["audio"]
    if audio is None:
        if audios:
            failures.append("an audio stream in a write without audio")
        return
    if len(audios) != 1:
        failures.append(f"{len(audios)} audio streams, wanted 1")
        return
    a = audios[0]
    file_rate = int(a["sample_rate"])
    want = audio["samples"] * file_rate / audio["rate"]
    slack = AUDIO_SLACK.get(_acodec(case), 4096) + 2
    if int(a["channels"]) != audio["channels"]:
        failures.append(f"{a['channels']} audio channels, wanted {audio['channels']}")
        return
    got = decoded_samples(path, audio["channels"])
    # Resampled, the count can miss by what two input samples make at the file's rate.
    lost = 2 + (math.ceil(2 * file_rate / audio["rate"]) if file_rate != audio["rate"] else 0)
    if got < want - lost or got - want > slack:
        failures.append(f"{got} audio samples decoded at {file_rate} Hz, wanted {want:.0f} "
                        f"to {want + slack:.0f} ({got / file_rate:.4f} s against "
                        f"{audio['samples'] / audio['rate']:.4f} s)")


def check(case, tally=None):
    """Writes `case` and checks it; raises CaseFailure with a reproducer.  The outcome is counted
    in `tally` (the drawn writes' `drawn` by default)."""
    tally = drawn if tally is None else tally
    directory = tempfile.mkdtemp(prefix="vw-gen-")
    try:
        bound = time_bound(case)
        result = runner().run(dict(case, dir=directory), bound)
        failures = []
        refusals = expected_refusals(case)
        if result.get("hang"):
            failures.append(f"no result after {bound:.0f} s (the bound for "
                            f"{media_seconds(case):.2f} s of media): a stall")
        elif "crash" in result:
            failures.append(f"the worker died (status {result['crash']}; -5 is SIGTRAP, a GLib "
                            f"critical): {result['stderr']}")
        elif not result["ok"]:
            matching = [r for r in refusals if result["code"] in (r[1], "exit 1") and
                        names_one_of(result["error"], r[2])]
            if matching:
                tally["refused: " + matching[0][0]] += 1
            elif refusals:
                failures.append(f"refused with [{result['code']}] {result['error']}; wanted a "
                                "refusal as " + "; or ".join(
                                    f"{name}: [{code}] naming one of {words}"
                                    for name, code, words in refusals))
            else:
                failures.append(f"the write failed: [{result['code']}] {result['error']}")
        elif result["seconds"] > bound:
            failures.append(f"took {result['seconds']:.1f} s, over the bound of {bound:.0f} s")
        blind = blind_spot(case)
        if not result.get("hang") and "crash" not in result:
            try:
                check_file(case, directory, result, failures, blind)
            except CaseFailure as failure:  # ffprobe or ffmpeg cannot read the file
                failures.append(str(failure))
        if failures:
            tally["failed"] += 1
            raise CaseFailure("\n  ".join(["generated write failed:"] + failures) + "\n" +
                              reproducer(case))
        if result["ok"]:
            tally["written" + (f" (unread by FFmpeg: {blind})" if blind else "")] += 1
            return "written"
        return "refused"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# ---- reproducers -------------------------------------------------------------------------------


def case_literal(case):
    return json.dumps({k: v for k, v in case.items() if k != "dir"}, sort_keys=True)


def reproducer(case):
    """The case as a line for REGRESSIONS in test_generated.py, and as a call through its face."""
    lines = ["reproducer (add to REGRESSIONS in tests/generated/test_generated.py):",
             "    " + case_literal(case), "as a call:"]
    lines += ["    " + line for line in face_call(case).splitlines()]
    lines.append("or: /usr/bin/python3 tests/generated/worker.py '" +
                 json.dumps(dict(case, dir="/tmp")) + "'  (under `meson devenv -C build`)")
    return "\n".join(lines)


def face_call(case):
    a = case["audio"]
    n, h, w = case["frames"], case["height"], case["width"]
    c = {"rgb": 3, "bgr": 3, "rgba": 4, "bgra": 4, "gray": 1}[case["pixels"]]
    out = "out." + case["container"]
    fps = Fraction(*case["fps"])
    face = case["face"]
    if face == "cli":
        args = ["vidwrite", "-i", "-", "-s", f"{w}x{h}", "-p", case["pixels"], "-r",
                case["fps_text"]]
        if case["codec"]:
            args += ["-c", case["codec"]]
        for k, v in (case["options"] or {}).items():
            args += ["-o", f"{k}={v}"]
        if a:
            args += ["-a", "tone.wav"]
            if a["codec"]:
                args += ["--audio-codec", a["codec"]]
            for k, v in (a["options"] or {}).items():
                args += ["--audio-option", f"{k}={v}"]
        head = f"head -c {n * h * w * c} /dev/urandom | "
        tone = (f"# tone.wav: {a['channels']} channels, {a['rate']} Hz, {a['samples']} samples "
                "(16-bit)\n") if a else ""
        return tone + head + " ".join(args + [out])
    video = f"np.zeros(({n}, {h}, {w}, {c}), np.uint8)"
    audio = f"np.zeros(({a['channels']}, {a['samples']}), np.float32)" if a else "None"
    opts = repr(case["options"] or None)
    aopts = repr(a["options"] or None) if a else "None"
    if face == "c_oneshot":
        return (f"Vidwrite.write_video({out!r}, GLib.Bytes.new({video}.tobytes()), {n}, {h}, {w}, "
                f"{c}, {float(fps)!r}, {case['codec']!r}, {opts},\n"
                f"    {'GLib.Bytes.new(' + audio + '.tobytes())' if a else 'None'}, "
                f"{a['channels'] if a else 0}, {float(a['rate']) if a else 0.0}, "
                f"{a['codec'] if a else None!r}, {aopts})")
    if face == "py_write_video":
        return (f"vidwrite.write_video({out!r}, {video}, {fps!r}, video_codec={case['codec']!r}, "
                f"options={opts},\n    audio_array={audio}, "
                f"audio_fps={a['rate'] if a else None}, "
                f"audio_codec={a['codec'] if a else None!r}, audio_options={aopts})")
    lines = []
    if face == "c_writer":
        lines.append(f"w = Vidwrite.Writer.new({out!r})")
        lines.append(f"w.set_video({w}, {h}, Vidwrite.PixelFormat.{case['pixels'].upper()}, "
                     f"{case['fps'][0]}, {case['fps'][1]}, {case['codec']!r}, {opts})")
        if a:
            lines.append(f"w.set_audio({a['channels']}, {a['rate']}, "
                         f"Vidwrite.SampleFormat.{a['format'].upper()}, "
                         f"Vidwrite.AudioLayout.{a['layout'].upper()}, {a['codec']!r}, {aopts})")
    else:
        lines.append(f"with vidwrite.Writer({out!r}, {fps!r}, {w}, {h}, {c}, {case['codec']!r}, "
                     f"{opts}" + (f", audio_fps={a['rate']}, audio_channels={a['channels']}, "
                                  f"audio_codec={a['codec']!r}, audio_options={aopts}"
                                  if a else "") + ") as w:")
    lines.append(f"# push order {case['order']}: frames in chunks of {case['video_chunks']}"
                 + (f", samples in chunks of {case['audio_chunks']}"
                    + (", then end_audio()" if case["end_audio"] else "") if a else "")
                 + (" (then w.finish(None))" if face == "c_writer" else ""))
    return "\n".join(lines)


def summary():
    parts = [f"{sum(drawn.values())} writes checked"]
    parts += [f"{v} {k}" for k, v in sorted(drawn.items())]
    parts += [f"{v} left out as bug {k}" for k, v in sorted(excluded.items())]
    return "generated writes: " + (", ".join(parts) if parts else "none")
