# SPDX-License-Identifier: LGPL-2.1-or-later
"""A binary file-like object (io.BytesIO, an open file, a pipe, a socket file) as the
GOutputStream the library writes to."""

import io

from gi.repository import Gio, GLib

_WHENCE = {GLib.SeekType.SET: io.SEEK_SET, GLib.SeekType.CUR: io.SEEK_CUR,
           GLib.SeekType.END: io.SEEK_END}


def _io_error(exception):
    return GLib.Error(f"{type(exception).__name__}: {exception}",
                      GLib.quark_to_string(Gio.io_error_quark()), int(Gio.IOErrorEnum.FAILED))


class _Stream(Gio.OutputStream):
    """Writes go to ``target.write`` from the library's streaming thread (which takes the GIL
    for it); an exception raised there ends the write, and is kept in ``error`` so that the
    caller sees it rather than the library's report of it."""

    def __init__(self, target):
        super().__init__()
        self.target = target
        self.error = None

    def do_write_fn(self, buffer, count, cancellable):
        try:
            written = self.target.write(buffer)
        except BaseException as exception:  # noqa: B902 - it is re-raised in the caller
            self.error = self.error or exception
            raise _io_error(exception) from None
        # Raw streams may write less (and say None when they would block): write the rest.
        written = len(buffer) if written is None else written
        while written < len(buffer):
            try:
                more = self.target.write(buffer[written:])
            except BaseException as exception:  # noqa: B902
                self.error = self.error or exception
                raise _io_error(exception) from None
            written += more or 0
        return written

    def do_flush(self, cancellable):
        # Also called when the stream is disposed, possibly after this wrapper's attributes.
        flush = getattr(getattr(self, "target", None), "flush", None)
        if flush is not None:
            try:
                flush()
            except BaseException as exception:  # noqa: B902
                self.error = self.error or exception
                raise _io_error(exception) from None
        return True

    def do_close_fn(self, cancellable):
        # The caller's object stays open: it is theirs to close.
        return True


class _SeekableStream(_Stream, Gio.Seekable):
    """A target that can seek gets an ordinary MP4 (its index written in place at the end).
    Offsets are the video's own, from where the target was when the write began."""

    def __init__(self, target):
        super().__init__(target)
        self.base = target.tell()
        self.end = 0

    def do_write_fn(self, buffer, count, cancellable):
        written = super().do_write_fn(buffer, count, cancellable)
        self.end = max(self.end, self.target.tell() - self.base)
        return written

    def do_tell(self):
        return self.target.tell() - self.base

    def do_can_seek(self):
        return True

    def do_seek(self, offset, type_, cancellable):
        try:
            whence = _WHENCE[type_]
            self.target.seek(offset + self.base if whence == io.SEEK_SET else offset, whence)
        except BaseException as exception:  # noqa: B902
            self.error = self.error or exception
            raise _io_error(exception) from None
        return True

    def do_can_truncate(self):
        return False

    def do_truncate_fn(self, offset, cancellable):
        raise GLib.Error("truncating is not supported", GLib.quark_to_string(Gio.io_error_quark()),
                         int(Gio.IOErrorEnum.NOT_SUPPORTED))


def finished(stream, complete):
    """After the write: the GOutputStream is closed (the target is not), and a complete video
    leaves a target the muxer sought back in at the video's end, where a caller writes on."""
    try:
        stream.close(None)
    except Exception:  # noqa: BLE001 - the write's own outcome is what the caller hears of
        pass
    if complete and isinstance(stream, _SeekableStream):
        stream.target.seek(stream.base + stream.end)


def is_file_like(target):
    return callable(getattr(target, "write", None))


def stream_for(target):
    """The GOutputStream over a binary file-like object."""
    seekable = False
    try:
        seekable = bool(target.seekable()) and callable(getattr(target, "tell", None))
    except (AttributeError, OSError, ValueError):
        pass
    return _SeekableStream(target) if seekable else _Stream(target)
