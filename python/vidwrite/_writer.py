# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Writer context manager, and write_video() on top of it."""

import io
import numbers
import os
from fractions import Fraction

from ._arrays import (audio_bytes, audio_view, frame_rate, frames_per_chunk, option_table,
                      pixel_format, sample_rate, samples_per_chunk, video_bytes, video_dtype,
                      video_view)
from ._lib import Error, Vidwrite, call
from ._stream import finished, is_file_like, stream_for


NANOSECONDS = 1_000_000_000


def presentation_times(pts, count, name="pts"):
    """`pts` as integer nanoseconds, checked: `count` times, 0 or more, strictly increasing.
    Integers (Python, numpy or torch) are nanoseconds; when any time is a float or a Fraction,
    all are seconds."""
    if hasattr(pts, "tolist"):  # numpy arrays and torch tensors, whatever their device
        pts = pts.tolist()
    if isinstance(pts, (numbers.Real, str, bytes)) or not hasattr(pts, "__len__"):
        if isinstance(pts, numbers.Real) and not isinstance(pts, bool) and count == 1:
            pts = [pts]
        else:
            raise Error(f"{name} must be a sequence of {count} times; got {pts!r}")
    pts = list(pts)
    if len(pts) != count:
        raise Error(f"{name} has {len(pts)} times for {count} frames: give one time a frame")
    for i, value in enumerate(pts):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise Error(f"{name}[{i}] is {value!r}: times are seconds (float or Fraction) or "
                        "integer nanoseconds")
    seconds = not all(isinstance(value, numbers.Integral) for value in pts)
    times = []
    for i, value in enumerate(pts):
        if seconds:
            try:
                ns = round(Fraction(value) * NANOSECONDS)
            except (ValueError, OverflowError):
                raise Error(f"{name}[{i}] is {value!r}, not a time") from None
        else:
            ns = int(value)
        if ns < 0:
            raise Error(f"{name}[{i}] is {value!r}: times must be 0 or more")
        if times and ns <= times[-1]:
            raise Error(f"{name}[{i}] is {value!r}, not after {name}[{i - 1}] = {pts[i - 1]!r}: "
                        "times must strictly increase")
        if ns >= 2 ** 62:
            raise Error(f"{name}[{i}] is {value!r}, too late a time")
        times.append(ns)
    return times


class Writer:
    """Writes a video file from frames (and audio) given in any number of parts.

    Use it as a context manager: the file appears when the ``with`` block ends normally, and
    an exception inside the block cancels the write, leaving no file (and any file that was
    at ``filename`` before as it was)::

        with vidwrite.Writer("out.mp4", fps=30, width=640, height=480) as writer:
            for frames in batches:          # uint8 [T, H, W, 3], numpy or torch
                writer.write_frames(frames)

    ``fps`` is an int, a float (29.97 is 30000/1001) or a ``fractions.Fraction``; ``channels``
    is 1 (gray), 3 (RGB) or 4 (RGBA; alpha is dropped).  ``dtype`` ``"uint16"`` takes 16-bit
    gray or RGB frames, written as 10-bit video (``yuv420p10le`` unless ``pix_fmt`` says
    otherwise; x265, VP9, FFV1).  For audio, give ``audio_fps`` (the
    sample rate) and ``audio_channels``, and call :meth:`write_audio` with ``[C, N]`` arrays;
    alternate audio and frames covering about the same time, since frames wait in memory for
    the audio of their time.  ``progress``, if given, is called as
    ``progress(frames_encoded, frames_pushed)`` from the writing calls as the encoder advances;
    it must not call back into the writer.

    ``filename`` may also be a binary file-like object (``io.BytesIO``, an open file, a pipe):
    then give ``format``, FFmpeg's name of the container (``"mp4"``, ``"matroska"``,
    ``"webm"``, ``"mpegts"``...).  One that cannot seek gets fragmented MP4 or streamable
    Matroska; an exception its ``write`` raises ends the write and is raised again here.
    For a path, ``format`` overrides the extension.
    """

    def __init__(self, filename, fps, width, height, channels=3, video_codec="libx264",
                 options=None, audio_fps=None, audio_channels=None, audio_codec=None,
                 audio_options=None, *, progress=None, format=None, dtype="uint8"):
        for name, value in (("width", width), ("height", height)):
            if not isinstance(value, numbers.Integral) or value < 1:
                raise Error(f"{name} must be a positive int; got {value!r}")
        try:
            self.dtype = video_dtype(dtype)
        except TypeError:
            self.dtype = None
        if self.dtype is None:
            raise Error(f"dtype must be uint8 or uint16; got {dtype!r}")
        self._pixel_format = pixel_format(channels, self.dtype)
        fps_n, fps_d = frame_rate(fps)
        video_table = option_table(options, "options")
        has_audio = audio_fps is not None or audio_channels is not None
        if has_audio:
            rate = sample_rate(audio_fps)
            if not isinstance(audio_channels, numbers.Integral) or audio_channels < 1:
                raise Error("audio_channels must be a positive int with audio_fps; got "
                            f"{audio_channels!r}")
            audio_table = option_table(audio_options, "audio_options")
        if format is not None and not isinstance(format, str):
            raise Error(f"format must be a str such as 'mp4'; got {format!r}")
        self._stream = None
        if is_file_like(filename):
            if format is None:
                raise Error("writing to a file-like object needs format= (FFmpeg's name of the "
                            "container: 'mp4', 'matroska', 'webm', 'mpegts'...)")
            self.filename = None
            self._stream = stream_for(filename)
        else:
            self.filename = os.fspath(filename)
        self.width, self.height, self.channels = int(width), int(height), int(channels)
        self.fps = (fps_n, fps_d)
        self.audio_fps = rate if has_audio else None
        self.audio_channels = int(audio_channels) if has_audio else None

        if self._stream is not None:
            self._writer = call(Vidwrite.Writer.new_for_stream, self._stream, format)
        else:
            self._writer = call(Vidwrite.Writer.new_with_format, self.filename, format)
        try:
            call(self._writer.set_video, self.width, self.height, self._pixel_format,
                 fps_n, fps_d, video_codec, video_table)
            if has_audio:
                call(self._writer.set_audio, self.audio_channels, rate, Vidwrite.SampleFormat.F32,
                     Vidwrite.AudioLayout.PLANAR, audio_codec, audio_table)
        except BaseException:
            self.cancel()
            raise
        if progress is not None:
            self._writer.connect("progress", lambda _writer, encoded, pushed:
                                 progress(encoded, pushed))

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            self.close()
        else:
            self.cancel()
        return False

    @property
    def frames_pushed(self):
        """Frames given to :meth:`write_frames` so far."""
        return self._writer.get_frames_pushed()

    @property
    def frames_encoded(self):
        """Frames that have left the encoder so far."""
        return self._writer.get_frames_encoded()

    def _check_frames(self, frames):
        view = video_view(frames, "frames")
        expected = (self.height, self.width, self.channels)
        if view.shape[1:] != expected:
            raise Error(f"frames of shape [{', '.join(map(str, view.shape[1:]))}] do not fit this "
                        f"writer's [H, W, C] = [{', '.join(map(str, expected))}]")
        if video_dtype(view.dtype) != self.dtype:
            raise Error(f"frames of dtype {view.dtype_name} do not fit this writer's "
                        f"{self.dtype} (give dtype= when creating it)")
        return view

    def _check_audio(self, samples):
        if self.audio_channels is None:
            raise Error("this writer has no audio: give audio_fps and audio_channels when "
                        "creating it")
        view = audio_view(samples, "audio")
        if view.shape[0] != self.audio_channels:
            raise Error(f"audio has {view.shape[0]} channels; this writer was created with "
                        f"audio_channels={self.audio_channels}")
        return view

    def _call(self, function, *args):
        """call(), but an exception the file-like target raised is raised as itself."""
        try:
            return call(function, *args)
        except Error:
            if self._stream is not None and self._stream.error is not None:
                raise self._stream.error
            raise

    def _push_frames(self, view, start, stop, times=None):
        step = frames_per_chunk(view.shape[1:], view.dtype.itemsize)
        for first in range(start, stop, step):
            end = min(stop, first + step)
            if times is None:
                self._call(self._writer.push_frames, video_bytes(view, first, end))
            else:
                self._call(self._writer.push_frames_at, video_bytes(view, first, end),
                           times[first:end])

    def _push_audio(self, view, start, stop):
        step = samples_per_chunk(view.shape[0])
        for first in range(start, stop, step):
            self._call(self._writer.push_audio, audio_bytes(view, first, min(stop, first + step)))

    def write_frames(self, frames, pts=None):
        """Appends frames: uint8 ``[T, H, W, C]`` (or one frame ``[H, W, C]``), numpy or torch,
        any strides.

        Frame n is at n / fps unless ``pts`` gives each frame its own presentation time
        (variable frame rate): T times, strictly increasing across calls too, in seconds
        (floats or ``Fraction``) or, when all are integers, in nanoseconds; a list, a numpy
        array or a tensor.  ``fps`` is then the nominal rate the container advertises; each
        frame lasts until the next, the last one 1 / fps.  Frames written later without
        ``pts`` continue from the last time, 1 / fps apart.  Times are kept to the
        container's resolution (1 ms in Matroska and WebM, 1/90000 s in MP4)."""
        if getattr(frames, "ndim", None) == 3:
            frames = frames[None]
        view = self._check_frames(frames)
        times = presentation_times(pts, view.shape[0]) if pts is not None else None
        self._push_frames(view, 0, view.shape[0], times)

    def write_audio(self, samples):
        """Appends audio: ``[C, N]`` float32/float64 (full scale ±1) or int16, numpy or torch."""
        view = self._check_audio(samples)
        self._push_audio(view, 0, view.shape[1])

    def end_audio(self):
        """Says that no more audio will come while frames still may (a soundtrack shorter than
        the picture); until then frames wait in memory for the audio that covers them."""
        call(self._writer.end_audio)

    def _write_interleaved(self, video, audio, times=None):
        """All of `video` and `audio`, each chunk of frames preceded by the audio its time
        needs, so that nothing waits in memory for the other stream.  `times`: the frames'
        own, in nanoseconds."""
        ahead = self._writer.get_audio_ahead()
        if audio is not None:
            n_samples = audio.shape[1]
        fps_n, fps_d = self.fps
        sent = 0
        step = frames_per_chunk(video.shape[1:], video.dtype.itemsize)
        for first in range(0, video.shape[0], step):
            stop = min(video.shape[0], first + step)
            if audio is not None and sent < n_samples:
                if times is None:
                    need = -(-stop * fps_d * self.audio_fps // fps_n)
                else:  # where the chunk's last frame ends: the next frame, or a frame after it
                    end = (times[stop] if stop < len(times)
                           else times[-1] + NANOSECONDS * fps_d // fps_n)
                    need = -(-end * self.audio_fps // NANOSECONDS)
                until = min(n_samples, need + ahead)
                self._push_audio(audio, sent, until)
                sent = max(sent, until)
                if sent == n_samples:
                    # A soundtrack shorter than the picture: the frames after it need not wait.
                    call(self._writer.end_audio)
            self._push_frames(video, first, stop, times)
        if audio is not None and sent < n_samples:
            self._push_audio(audio, sent, n_samples)

    def close(self):
        """Finishes the file: waits for the encoder and moves the file to its name (a
        file-like target is flushed, not closed)."""
        try:
            self._call(self._writer.finish, None)
        except BaseException:
            if self._stream is not None:
                finished(self._stream, False)
            raise
        if self._stream is not None:
            finished(self._stream, True)
        self._closed = True

    def cancel(self):
        """Abandons the write: no file is left (nothing happens after close())."""
        if getattr(self, "_closed", False):
            return
        self._writer.cancel()
        if self._stream is not None:
            finished(self._stream, False)


def write_video(filename, video_array, fps, video_codec="libx264", options=None,
                audio_array=None, audio_fps=None, audio_codec=None, audio_options=None, *,
                format=None, pts=None):
    """Writes a video file, like ``torchvision.io.write_video`` (same parameters).

    ``video_array`` is uint8 ``[T, H, W, C]`` with C = 1, 3 or 4 (or uint16 with C = 1 or 3:
    16-bit frames, written as 10-bit video), a numpy array or a torch
    tensor (on any device), with any strides; it is read a few megabytes at a time, never
    copied whole.  ``fps`` is an int, a float (29.97 is written as 30000/1001, not rounded) or
    a ``fractions.Fraction``.  ``audio_array`` is ``[C, N]`` float32/float64 (full scale ±1)
    or int16, at ``audio_fps`` samples per second.  ``options`` and ``audio_options`` are
    FFmpeg options (``{"crf": 17, "preset": "slow"}``); values may be str, int or float.

    ``filename`` may be a binary file-like object, with ``format`` naming the container
    (see :class:`Writer`); for a path, ``format`` overrides the extension.

    ``pts`` gives each frame its own presentation time (variable frame rate), as
    :meth:`Writer.write_frames` takes them: seconds (floats or ``Fraction``) or integer
    nanoseconds; ``fps`` is then the nominal rate.

    Raises :class:`vidwrite.Error` with the library's message; on any error no file is left.
    """
    video = video_view(video_array)
    audio = audio_view(audio_array) if audio_array is not None else None
    times = presentation_times(pts, video.shape[0]) if pts is not None else None
    _, height, width, channels = video.shape
    with Writer(filename, fps, width, height, channels, video_codec, options,
                audio_fps=audio_fps if audio is not None else None,
                audio_channels=audio.shape[0] if audio is not None else None,
                audio_codec=audio_codec, audio_options=audio_options, format=format,
                dtype=video.dtype) as writer:
        writer._write_interleaved(video, audio, times)


def encode_video(video_array, fps, format="mp4", video_codec="libx264", options=None,
                 audio_array=None, audio_fps=None, audio_codec=None, audio_options=None):
    """Like :func:`write_video`, but returns the encoded file as ``bytes``, in the container
    ``format`` names (FFmpeg's names: ``"mp4"``, ``"matroska"``, ``"webm"``, ``"mpegts"``...)."""
    if not isinstance(format, str):
        raise Error(f"format must be a str such as 'mp4'; got {format!r}")
    buffer = io.BytesIO()
    write_video(buffer, video_array, fps, video_codec, options, audio_array, audio_fps,
                audio_codec, audio_options, format=format)
    return buffer.getvalue()
