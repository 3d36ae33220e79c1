# SPDX-License-Identifier: LGPL-2.1-or-later
"""torchcodec's encoders: ``VideoEncoder`` and ``AudioEncoder``, with its calls and defaults.

Code written for ``torchcodec.encoders`` runs with ``from vidwrite import VideoEncoder,
AudioEncoder``.  Frames are ``[N, C, H, W]`` (channels first) and samples ``[C, N]``, numpy
arrays or torch tensors.  Errors are raised where torchcodec raises them: ``ValueError`` for
what the constructors check, ``RuntimeError`` for what the encoding refuses; both are
:class:`vidwrite.Error` too.
"""

import io
import numbers
import os
from fractions import Fraction

import numpy as np

from ._arrays import (ArrayView, _is_tensor, _torch, audio_bytes, option_table,
                      samples_per_chunk)
from ._lib import Error, ErrorCode, Vidwrite, call
from ._stream import finished, is_file_like, stream_for
from ._writer import write_video


class InvalidValueError(Error, ValueError):
    """A ``ValueError`` that is also a :class:`vidwrite.Error`: what torchcodec's encoders
    refuse with ``ValueError`` (shapes, dtypes, rates)."""


def _shape(view):
    return "(" + ", ".join(str(n) for n in view.shape) + ")"


def _check_array(obj, name):
    if not (_is_tensor(obj) or isinstance(obj, np.ndarray)):
        raise InvalidValueError(f"Expected {name} to be a Tensor or a numpy array, got "
                                f"type({name}) = {type(obj)}.")
    return obj


def _positive_rate(value, name):
    if _is_tensor(value) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidValueError(f"{name} must be a number; got {value!r}.")
    if not value > 0:
        raise InvalidValueError(f"{name} = {value!r} must be > 0.")
    return value


def _as_tensor(data):
    """The encoded bytes as torchcodec returns them: a 1-D uint8 tensor (numpy without torch)."""
    array = np.frombuffer(bytearray(data), dtype=np.uint8)
    torch = _torch()
    if torch is None:
        try:
            import torch
        except ImportError:
            return array
    return torch.from_numpy(array)


def _check_format(format):
    if not isinstance(format, str):
        raise InvalidValueError(f"format must be a str such as 'mp4' or 'mp3'; got {format!r}.")
    return format


def _check_file_like(file_like):
    if not is_file_like(file_like):
        raise Error("File like object must implement a write method; got "
                    f"{type(file_like).__name__}.", ErrorCode.INVALID_ARGUMENT)
    return file_like


class VideoEncoder:
    """Encodes frames to a file, bytes or a file-like object, as torchcodec's ``VideoEncoder``.

    ``frames`` is uint8 ``[N, C, H, W]`` with C = 3 (RGB; 1, gray, and 4, RGBA, also work), a
    numpy array or a torch tensor on any device.  ``frame_rate`` is an int, a float (29.97 is
    written as 30000/1001) or a ``fractions.Fraction``, kept exactly.
    """

    def __init__(self, frames, frame_rate):
        _check_array(frames, "frames")
        view = ArrayView(frames, "frames")
        if len(view.shape) != 4:
            raise InvalidValueError(f"Expected 4D frames, got frames.shape = {_shape(view)}.")
        if view.dtype != np.uint8:
            raise InvalidValueError(f"Expected uint8 frames, got frames.dtype = "
                                    f"{view.dtype_name}.")
        self._frame_rate = _positive_rate(frame_rate, "frame_rate")
        self._frames = frames

    def _encode(self, target, format, codec, pixel_format, crf, preset, extra_options):
        channels = self._frames.shape[1]
        if channels not in (1, 3, 4):
            raise Error(f"frame must have 3 channels (R, G, B), got {channels}",
                        ErrorCode.INVALID_ARGUMENT)
        if extra_options is not None and not isinstance(extra_options, dict):
            raise InvalidValueError(f"extra_options must be a dict; got {extra_options!r}.")
        options = dict(extra_options or {})
        for key, value in (("pix_fmt", pixel_format), ("crf", crf), ("preset", preset)):
            if value is not None:
                options[key] = str(value) if key == "preset" else value
        if self._frames.shape[0] == 0:
            raise Error("frames is empty: there is no frame to encode",
                        ErrorCode.INVALID_ARGUMENT)
        # Channels last, as a view: the writer reads it a chunk at a time.
        if _is_tensor(self._frames):
            nhwc = self._frames.permute(0, 2, 3, 1)
        else:
            nhwc = np.moveaxis(self._frames, 1, 3)
        rate = self._frame_rate
        write_video(target, nhwc, rate if isinstance(rate, (Fraction, numbers.Integral))
                    else float(rate), codec, options or None, format=format)

    def to_file(self, dest, *, codec=None, pixel_format=None, crf=None, preset=None,
                extra_options=None):
        """Encodes into the file ``dest`` (str or path-like); its extension picks the container,
        and the container its default codec (libx264 for .mp4, .mkv, .mov; libvpx-vp9 for
        .webm...).  ``codec``, ``pixel_format`` (FFmpeg's ``pix_fmt``), ``crf``, ``preset``
        and ``extra_options`` (FFmpeg options, ``{"tune": "film"}``) default to the encoder's
        own defaults."""
        self._encode(os.fspath(dest), None, codec, pixel_format, crf, preset, extra_options)

    def to_tensor(self, format, *, codec=None, pixel_format=None, crf=None, preset=None,
                  extra_options=None):
        """Returns the encoded file as a 1-D uint8 tensor; ``format`` is FFmpeg's name of the
        container (``"mp4"``, ``"mov"``, ``"matroska"`` or ``"mkv"``, ``"webm"``,
        ``"avi"``...)."""
        buffer = io.BytesIO()
        self._encode(buffer, _check_format(format), codec, pixel_format, crf, preset,
                     extra_options)
        return _as_tensor(buffer.getbuffer())

    def to_file_like(self, file_like, format, *, codec=None, pixel_format=None, crf=None,
                     preset=None, extra_options=None):
        """Writes the encoded file to ``file_like`` (anything with ``write``; with ``seek``
        and ``tell`` too, MP4 gets its index in place, otherwise it is fragmented)."""
        self._encode(_check_file_like(file_like), _check_format(format), codec, pixel_format,
                     crf, preset, extra_options)


class AudioEncoder:
    """Encodes audio samples, as torchcodec's ``AudioEncoder``.

    ``samples`` is float ``[C, N]`` (or ``[N]``, one channel) with full scale ±1, a numpy array
    or a torch tensor; float64 is taken as well as torchcodec's float32.  ``sample_rate`` is
    the input's rate in Hz.
    """

    def __init__(self, samples, sample_rate):
        _check_array(samples, "samples")
        if len(samples.shape) == 1:
            samples = samples[None]
        view = ArrayView(samples, "samples")
        if len(view.shape) != 2:
            raise InvalidValueError(f"Expected 1D or 2D samples, got samples.shape = "
                                    f"{_shape(view)}.")
        if view.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise InvalidValueError(f"Expected float32 samples, got samples.dtype = "
                                    f"{view.dtype_name}.")
        rate = _positive_rate(sample_rate, "sample_rate")
        if rate != int(rate) or rate > 2**32 - 1:
            raise InvalidValueError(f"sample_rate = {sample_rate!r} must be a whole number of "
                                    "samples per second.")
        self._view = view
        self._sample_rate = int(rate)

    def _encode(self, target, format, bit_rate, num_channels, sample_rate):
        view = self._view
        options = {}
        if bit_rate is not None:
            if isinstance(bit_rate, bool) or not isinstance(bit_rate, numbers.Integral):
                raise InvalidValueError(f"bit_rate must be an int; got {bit_rate!r}.")
            if bit_rate < 0:
                raise Error(f"bit_rate={bit_rate} must be >= 0.", ErrorCode.INVALID_OPTION)
            if bit_rate > 0:  # 0: the encoder's default, as in FFmpeg
                options["b"] = int(bit_rate)
        for key, value, name in (("ac", num_channels, "num_channels"),
                                 ("ar", sample_rate, "sample_rate")):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise InvalidValueError(f"{name} must be an int; got {value!r}.")
            if value <= 0:
                raise Error(f"{name} must be > 0, got {value}", ErrorCode.INVALID_OPTION)
            options[key] = int(value)
        if view.shape[0] == 0 or view.shape[1] == 0:
            raise Error(f"samples is empty: shape {_shape(view)}", ErrorCode.INVALID_ARGUMENT)
        _write_audio(target, format, view, self._sample_rate, option_table(options, "options"))

    def to_file(self, dest, *, bit_rate=None, num_channels=None, sample_rate=None):
        """Encodes into the file ``dest``; its extension picks the container and codec (.mp3:
        libmp3lame, .flac, .wav: pcm_s16le, .ogg: libvorbis, .opus: libopus, .m4a: aac...).
        ``bit_rate`` is in bit/s; ``num_channels`` remixes and ``sample_rate`` resamples the
        output, as FFmpeg's ``-ac`` and ``-ar``."""
        self._encode(os.fspath(dest), None, bit_rate, num_channels, sample_rate)

    def to_tensor(self, format, *, bit_rate=None, num_channels=None, sample_rate=None):
        """Returns the encoded file as a 1-D uint8 tensor; ``format`` is ``"mp3"``,
        ``"flac"``, ``"wav"``, ``"ogg"``, ``"opus"``, ``"m4a"`` (or FFmpeg's ``"ipod"``),
        ``"matroska"``..."""
        buffer = io.BytesIO()
        self._encode(buffer, _check_format(format), bit_rate, num_channels, sample_rate)
        return _as_tensor(buffer.getbuffer())

    def to_file_like(self, file_like, format, *, bit_rate=None, num_channels=None,
                     sample_rate=None):
        """Writes the encoded file to ``file_like``, as :meth:`to_tensor` encodes it."""
        self._encode(_check_file_like(file_like), _check_format(format), bit_rate,
                     num_channels, sample_rate)


def _write_audio(target, format, view, rate, options):
    """An audio-only write of all of `view` to a path or a file-like object."""
    stream = stream_for(target) if is_file_like(target) else None
    if stream is not None:
        writer = call(Vidwrite.Writer.new_for_stream, stream, format)
    else:
        writer = call(Vidwrite.Writer.new_with_format, target, format)

    def checked(function, *args):
        try:
            return call(function, *args)
        except Error:
            if stream is not None and stream.error is not None:
                raise stream.error
            raise

    try:
        checked(writer.set_audio, view.shape[0], rate, Vidwrite.SampleFormat.F32,
                Vidwrite.AudioLayout.PLANAR, None, options)
        step = samples_per_chunk(view.shape[0])
        for first in range(0, view.shape[1], step):
            checked(writer.push_audio, audio_bytes(view, first, min(view.shape[1], first + step)))
        checked(writer.finish, None)
    except BaseException:
        writer.cancel()
        if stream is not None:
            finished(stream, False)
        raise
    if stream is not None:
        finished(stream, True)
