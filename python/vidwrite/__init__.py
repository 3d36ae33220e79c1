# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write video files from numpy arrays and torch tensors, through the vidwrite C library.

``vidwrite.write_video`` takes the parameters of ``torchvision.io.write_video``, and
``vidwrite.VideoEncoder`` and ``vidwrite.AudioEncoder`` those of ``torchcodec.encoders``; replace
the import and keep the call.  ``vidwrite.Writer`` writes in parts; ``vidwrite.write_videos``
writes many files at once.  Errors are ``vidwrite.Error``.
"""

from ._batch import write_videos
from ._encoders import AudioEncoder, InvalidValueError, VideoEncoder
from ._lib import Error, ErrorCode, Vidwrite
from ._writer import Writer, encode_video, write_video

__version__ = f"{Vidwrite.MAJOR_VERSION}.{Vidwrite.MINOR_VERSION}.{Vidwrite.MICRO_VERSION}"
__all__ = ["AudioEncoder", "Error", "ErrorCode", "InvalidValueError", "VideoEncoder", "Writer",
           "encode_video", "write_video", "write_videos"]
