# SPDX-License-Identifier: LGPL-2.1-or-later
"""The typelib, and the exception that carries the library's errors."""

import gi

try:
    from . import _installed
except ImportError:  # a build tree: `meson devenv` sets the search paths
    pass
else:
    gi.require_version("GIRepository", "2.0")
    from gi.repository import GIRepository

    GIRepository.Repository.prepend_search_path(_installed.TYPELIB_DIR)
    GIRepository.Repository.prepend_library_path(_installed.LIB_DIR)

gi.require_version("Vidwrite", "1.0")
from gi.repository import GLib, Vidwrite  # noqa: E402

ErrorCode = Vidwrite.Error
DOMAIN = GLib.quark_to_string(Vidwrite.error_quark())


class Error(GLib.Error):
    """An error from vidwrite: the library's message, and ``code``, an :class:`ErrorCode`.

    It is a ``GLib.Error`` in the ``vidwrite-error-quark`` domain, so code that catches the
    errors of the typelib directly catches these too.
    """

    def __init__(self, message, code=ErrorCode.INVALID_ARGUMENT):
        super().__init__(message, DOMAIN, int(code))
        self.code = ErrorCode(int(code))

    def __str__(self):
        return self.message

    def __repr__(self):
        return f"vidwrite.Error({self.message!r}, {self.code.value_name})"

    def __reduce__(self):
        return (type(self), (self.message, int(self.code)))


def call(function, *args):
    """Calls into the library, raising its GLib.Error as an Error."""
    try:
        return function(*args)
    except GLib.Error as error:
        if error.domain != DOMAIN:
            raise
        raise Error(error.message, error.code) from None
