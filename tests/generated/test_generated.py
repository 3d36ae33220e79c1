# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generated whole writes, checked with ffprobe/ffmpeg (see cases.py for the domain and the
oracle).  The 'ci' profile draws a fixed sequence of at least 200 writes; scripts/explore.sh
draws fresh ones for as long as it is given.  Cases that once failed stay here as REGRESSIONS."""

import os
import sys

import pytest
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, os.path.dirname(__file__))
import cases  # noqa: E402

settings.register_profile(
    "ci", max_examples=int(os.environ.get("VW_GENERATED_EXAMPLES", "200")), derandomize=True,
    deadline=None, database=None, print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large])
settings.load_profile(os.environ.get("VW_GENERATED_PROFILE", "ci"))


def case(audio=None, **fields):
    """A whole case from the fields that matter; the rest as the simplest draw."""
    out = {"face": "c_oneshot", "container": "mkv", "codec": "libx264", "options": {},
           "width": 64, "height": 48, "frames": 3, "fps": [25, 1], "fps_as": "float",
           "fps_text": "25/1", "pixels": "rgb", "audio": None, "order": "alternating",
           "video_chunks": [], "audio_chunks": [], "end_audio": False, "cli_input": None}
    out.update(fields)
    if audio is not None:
        out["audio"] = dict({"codec": None, "channels": 2, "rate": 48000, "samples": 5760,
                             "length": "equal", "format": "f32", "layout": "planar",
                             "options": {}}, **audio)
    return out


# Cases found by the generator, each written and checked as drawn; the comment says what it
# found.  A case in a KNOWN_BUGS or OPEN_BUGS region is expected to fail until its fix merges.
REGRESSIONS = [
    # Fixed (were KNOWN_BUGS): 1 frame at 25 fps with 2.5 s of sound stalled (1.5 s did not).
    ("audio-longer-than-video-stalls",
     case(width=16, height=16, frames=1, audio={"samples": 120000, "length": "longer"})),
    ("null-codec-picks-libx264", case(codec=None, container="webm")),
    ("mpeg2video-refuses-hd", case(codec="mpeg2video", width=1280, height=720, frames=1)),
    # OPEN_BUGS, found by the generator.
    ("mov-16x2-fails-late", case(container="mov", width=16, height=2, frames=1)),
    ("avi-16x2-fails-late", case(container="avi", width=16, height=2, frames=1)),
    ("webm-16x15-fails-late", case(codec="av1", container="webm", width=16, height=15, frames=1,
                                   options={"pix_fmt": "yuv444p"})),
    ("openh264-16x8-fails-late", case(codec="libopenh264", width=16, height=8, frames=1)),
    ("mpeg2video-15-fps-fails-late", case(codec="mpeg2video", fps=[15, 1], fps_text="15/1")),
    ("x264-level-3.0-refused", case(options={"level": "3.0"})),
    ("x264-baseline-yuv422p-fails-late", case(options={"pix_fmt": "yuv422p",
                                                       "profile": "baseline"})),
    ("mjpeg-threads-2-refused", case(codec="mjpeg", options={"threads": "2"})),
    ("pcm-in-avi-4-channels-critical", case(container="avi", audio={"codec": "pcm_s16le",
                                                                    "channels": 4})),
    ("pcm-in-mov-3-channels-message", case(container="mov", audio={"codec": "pcm_s16le",
                                                                   "channels": 3})),
    ("ffv1-slices-1-at-640x480-fails-late", case(codec="ffv1", width=640, height=480, frames=1,
                                                 options={"slices": "1"})),
    ("ffv1-slices-2-at-64x48-fails-late", case(codec="ffv1", frames=1, options={"slices": "2"})),
    ("ffv1-2x16-fails-late", case(codec="ffv1", width=2, height=16, frames=1)),
    ("vp9-yuv420p10le-in-mp4-crashes", case(codec="vp9", container="mp4", frames=1,
                                            options={"pix_fmt": "yuv420p10le"})),
    ("opus-4-channels-message", case(codec="vp9", container="webm", audio={"channels": 4})),
    ("openh264-maxrate-under-b-fails-late", case(codec="libopenh264",
                                                 options={"b": "1M", "maxrate": "500k"})),
    ("mpeg2video-50-fps-exits", case(codec="mpeg2video", fps=[50, 1], fps_text="50/1")),
    ("mpeg2video-keyint-min-25-crashes", case(codec="mpeg2video", options={"keyint_min": "25"})),
    ("flac-compression-level-9-fails-late", case(audio={"codec": "flac", "options": {
        "compression_level": "9"}})),
    ("ogv-with-sound-loses-the-last-frame", case(codec="theora", container="ogv", fps=[1, 1],
                                                 fps_text="1/1",
                                                 audio={"codec": "vorbis", "samples": 144000})),
    ("aac-3-channels-in-avi-fails-late", case(container="avi", audio={"codec": "aac",
                                                                      "channels": 3})),
    ("theora-b-100k-drops-frames", case(codec="libtheora", width=1280, height=720,
                                        fps=[15, 1], fps_text="15/1", options={"b": "100k"})),
    ("vorbis-64k-at-8khz-mono-fails-late", case(audio={"codec": "vorbis", "channels": 1,
                                                       "rate": 8000, "samples": 960,
                                                       "options": {"b": "64k"}})),
    ("flv-mp3-8-khz-mono-unreadable", case(container="flv", audio={
        "codec": "mp3", "channels": 1, "rate": 8000, "samples": 1000})),
    ("pcm-in-flv-3-channels-message", case(container="flv", audio={"codec": "pcm_s16le",
                                                                   "channels": 3})),
    ("pcm-in-mov-88200-hz-reads-22664", case(container="mov", audio={
        "codec": "pcm_s16le", "channels": 1, "rate": 88200, "samples": 2942})),
    ("mp2-192k-at-11025-hz-fails-late", case(audio={"codec": "mp2", "channels": 1,
                                                    "rate": 11025, "samples": 1839,
                                                    "options": {"b": "192k"}})),
    # Must keep working (a clean refusal where the library refuses).
    # x265's cuTree wrote past a buffer at 48 pixels wide and less: cuTree is off there now.
    ("x265-48x16", case(codec="libx265", width=48, height=16, frames=2)),
    ("x265-33x128-yuv444p10le", case(
        codec="libx265", container="mov", width=33, height=128, frames=11, fps=[15, 1],
        fps_text="15/1", options={"pix_fmt": "yuv444p10le"})),
    ("theora-16-wide-unread-by-ffmpeg", case(codec="libtheora", container="ogv", width=16,
                                             height=16)),
    ("flv-24000/1001", case(container="flv", frames=10, fps=[24000, 1001])),
    ("mpeg2video-720x576", case(codec="mpeg2video", width=720, height=576, frames=1)),
    # Under one AAC frame voaacenc wrote nothing, and FFmpeg read the empty FLV track as stereo.
    ("flv-aac-8-khz-mono-1000-samples", case(container="flv", audio={
        "codec": "aac", "channels": 1, "rate": 8000, "samples": 1000})),
    ("aac-266-samples-of-8-khz", case(codec="av1", container="mp4", width=1280, height=720,
                                      frames=1, fps=[30000, 1001],
                                      fps_text="30000/1001", audio={
                                          "codec": None, "channels": 1, "rate": 8000,
                                          "samples": 266})),
]


REGRESSION_TALLY = cases.Counter()


@given(cases.cases())
def test_generated_write(case):
    cases.check(case)


@pytest.mark.parametrize("case", [c for _, c in REGRESSIONS],
                         ids=[name for name, _ in REGRESSIONS])
def test_regression(case):
    """A case in a KNOWN_BUGS or OPEN_BUGS region must still fail: when it passes, its fix has
    landed and its entry goes."""
    if cases.known_bug(case):
        # A fresh worker: what a bug does to the process (x265's heap corruption) can depend on
        # what it did before.
        cases.runner().stop()
        with pytest.raises(cases.CaseFailure):
            cases.check(case, tally=REGRESSION_TALLY)
    else:
        cases.check(case, tally=REGRESSION_TALLY)


def test_drawn_writes_mostly_written():
    """The drawn writes were mostly real writes, not refusals or excluded regions: a generator
    that only drew refusals would pass without testing anything."""
    print(cases.summary())
    cases.runner().stop()
    written = cases.drawn["written"]
    total = written + sum(v for k, v in cases.drawn.items() if k.startswith("refused"))
    assert total == 0 or written >= 0.6 * total, cases.summary()
