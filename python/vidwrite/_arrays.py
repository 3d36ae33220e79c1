# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks the caller's arrays, rates and options, and cuts arrays into the chunks pushed.

Arrays are never copied whole: a chunk of a few megabytes is read at a time (moved from the
GPU, made contiguous, converted to float32 for audio) and handed to the library as GLib.Bytes.
"""

import numbers
import sys
from collections.abc import Mapping
from fractions import Fraction

import numpy as np

from ._lib import Error, GLib, Vidwrite, call

CHUNK_BYTES = 4 << 20
G_MAXINT = 2**31 - 1
G_MAXUINT = 2**32 - 1

AUDIO_DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int16))


def _torch():
    """torch, if the caller has imported it: an array from torch implies it is loaded."""
    return sys.modules.get("torch")


def _is_tensor(obj):
    torch = _torch()
    return torch is not None and isinstance(obj, torch.Tensor)


def _shape_text(shape):
    return "[" + ", ".join(str(n) for n in shape) + "]"


class ArrayView:
    """A numpy array or torch tensor (on any device) read in parts as numpy arrays."""

    def __init__(self, obj, name):
        self.name = name
        if _is_tensor(obj):
            torch = _torch()
            self._tensor = obj.detach()
            self._array = None
            self.shape = tuple(self._tensor.shape)
            numpy_types = {torch.uint8: np.uint8, torch.int16: np.int16,
                           torch.float32: np.float32, torch.float64: np.float64}
            if hasattr(torch, "uint16"):  # torch 2.3 and later
                numpy_types[torch.uint16] = np.uint16
            self.dtype = np.dtype(numpy_types.get(self._tensor.dtype, np.void))
            self.dtype_name = str(self._tensor.dtype).replace("torch.", "")
        elif obj is None:
            raise Error(f"{name} is missing (None)")
        else:
            self._tensor = None
            self._array = obj if isinstance(obj, np.ndarray) else np.asarray(obj)
            self.shape = self._array.shape
            self.dtype = self._array.dtype
            self.dtype_name = str(self.dtype)

    def part(self, index):
        """The numpy array at `index`; only that part leaves the GPU."""
        if self._array is not None:
            return self._array[index]
        part = self._tensor[index]
        if part.device.type != "cpu":
            part = part.cpu()
        return part.numpy()


def video_dtype(dtype):
    """uint8 or (native) uint16 for arrays of either, in any byte order; None otherwise."""
    dtype = np.dtype(dtype)
    if dtype.kind == "u" and dtype.itemsize in (1, 2):
        return np.dtype(np.uint8) if dtype.itemsize == 1 else np.dtype(np.uint16)
    return None


def pixel_format(channels, dtype):
    """The library's format for [.., C] arrays of `dtype` (its table, not one of ours)."""
    if video_dtype(dtype) is None:
        raise Error(f"frames must have dtype uint8 or uint16; got {np.dtype(dtype)}")
    dtype = video_dtype(dtype)
    if not isinstance(channels, numbers.Integral) or isinstance(channels, bool):
        raise Error(f"channels must be 1 (gray), 3 (RGB) or 4 (RGBA); got {channels!r}")
    _, format = call(Vidwrite.PixelFormat.for_array, int(channels), dtype.itemsize)
    return format


def video_view(obj, name="video_array"):
    view = ArrayView(obj, name)
    if len(view.shape) != 4 or view.shape[3] not in (1, 3, 4):
        raise Error(f"{name} must have shape [T, H, W, C] with C = 1 (gray), 3 (RGB) or "
                    f"4 (RGBA); got shape {_shape_text(view.shape)}")
    if video_dtype(view.dtype) is None:
        raise Error(f"{name} must have dtype uint8 (or uint16: 16-bit frames, written as "
                    f"10-bit video); got {view.dtype_name}")
    if view.dtype.itemsize == 2 and view.shape[3] == 4:
        raise Error(f"{name}: 16-bit frames are gray or RGB (C = 1 or 3); got shape "
                    f"{_shape_text(view.shape)}")
    if 0 in view.shape:
        raise Error(f"{name} is empty: shape {_shape_text(view.shape)}")
    return view


def audio_view(obj, name="audio_array"):
    view = ArrayView(obj, name)
    if len(view.shape) != 2:
        raise Error(f"{name} must have shape [C, N] (channels, samples); got shape "
                    f"{_shape_text(view.shape)}")
    if view.dtype not in AUDIO_DTYPES:
        raise Error(f"{name} must have dtype float32, float64 or int16; got {view.dtype_name}")
    if view.shape[0] == 0:
        raise Error(f"{name} has no channels: shape {_shape_text(view.shape)}")
    return view


def frames_per_chunk(frame_shape, itemsize=1):
    return max(1, CHUNK_BYTES // (int(np.prod(frame_shape)) * itemsize))


def samples_per_chunk(channels):
    return max(1, CHUNK_BYTES // (4 * channels))


def video_bytes(view, start, stop):
    """Frames [start, stop) as tightly packed bytes, whatever the strides; 16-bit samples
    little-endian, as the library takes them."""
    part = view.part(slice(start, stop))
    if part.dtype.itemsize > 1:
        part = part.astype(part.dtype.newbyteorder("<"), copy=False)
    return GLib.Bytes.new(part.tobytes())


def audio_bytes(view, start, stop):
    """Samples [start, stop) of every channel as planar float32; int16 is scaled to ±1."""
    part = view.part((slice(None), slice(start, stop)))
    if part.dtype == np.int16:
        part = part.astype(np.float32) / np.float32(32768)
    return GLib.Bytes.new(part.astype(np.float32, copy=False).tobytes())


def _scalar(value):
    if _is_tensor(value) and value.numel() == 1:
        return value.item()
    return value


def frame_rate(fps, name="fps"):
    """(numerator, denominator): a Fraction exactly, a float through the library's rule
    (29.97 -> 30000/1001)."""
    fps = _scalar(fps)
    if isinstance(fps, Fraction):
        n, d = fps.numerator, fps.denominator
    elif isinstance(fps, numbers.Integral):
        n, d = int(fps), 1
    elif isinstance(fps, numbers.Real):
        _, n, d = call(Vidwrite.rate_to_fraction, float(fps))
    else:
        raise Error(f"{name} must be an int, a float or a fractions.Fraction; got "
                    f"{type(fps).__name__} {fps!r}")
    if not (0 < n <= G_MAXINT and 0 < d <= G_MAXINT):
        raise Error(f"{name} {fps} is not a positive rate with a numerator and denominator "
                    f"up to {G_MAXINT}")
    return n, d


def sample_rate(audio_fps, name="audio_fps"):
    audio_fps = _scalar(audio_fps)
    if audio_fps is None:
        raise Error(f"{name} is required with audio")
    if isinstance(audio_fps, numbers.Real) and not isinstance(audio_fps, bool):
        rate = Fraction(audio_fps)
        if rate.denominator == 1 and 0 < rate <= G_MAXUINT:
            return int(rate)
    raise Error(f"{name} must be a whole, positive number of samples per second; got "
                f"{audio_fps!r}")


def option_table(options, name):
    """{str: str} for the library: ints as decimals, floats as Python writes them."""
    if options is None:
        return None
    if not isinstance(options, Mapping):
        raise Error(f"{name} must be a dict; got {type(options).__name__}")
    table = {}
    for key, value in options.items():
        if not isinstance(key, str):
            raise Error(f"{name}: the key {key!r} is not a str")
        if isinstance(value, str):
            table[key] = value
        elif isinstance(value, numbers.Integral):
            table[key] = str(int(value))
        elif isinstance(value, numbers.Real):
            table[key] = repr(float(value))
        else:
            raise Error(f"{name}: the value of “{key}” must be a str, int or float; got "
                        f"{type(value).__name__} {value!r}")
    return table
