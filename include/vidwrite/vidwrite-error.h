/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__VIDWRITE_H_INSIDE__) && !defined(VIDWRITE_COMPILATION)
#error "Only <vidwrite/vidwrite.h> can be included directly."
#endif

#include <glib.h>
#include <vidwrite/vidwrite-version.h>

G_BEGIN_DECLS

/**
 * VIDWRITE_ERROR:
 *
 * The error domain of every #GError that vidwrite reports.
 */
#define VIDWRITE_ERROR (vidwrite_error_quark ())

/**
 * VidwriteError:
 * @VIDWRITE_ERROR_INVALID_ARGUMENT: an argument is out of range or malformed
 *   (sizes, byte lengths, rates, channel counts, file names)
 * @VIDWRITE_ERROR_UNKNOWN_CODEC: the codec name is neither a known FFmpeg name nor an
 *   installed GStreamer encoder
 * @VIDWRITE_ERROR_CODEC_UNAVAILABLE: the codec name is known, but no element that would
 *   serve it is installed on this machine
 * @VIDWRITE_ERROR_UNSUPPORTED_CONTAINER: the file extension names no container vidwrite writes
 * @VIDWRITE_ERROR_INCOMPATIBLE: codec, pixel format, frame size and container do not go together
 * @VIDWRITE_ERROR_INVALID_OPTION: an option key is unknown, or its value does not parse or is
 *   out of range
 * @VIDWRITE_ERROR_IO: the target cannot be written (missing or read-only directory, ...)
 * @VIDWRITE_ERROR_ENCODE: the GStreamer pipeline failed while running
 * @VIDWRITE_ERROR_STATE: the call does not fit the writer's state (pushing after finish, ...)
 * @VIDWRITE_ERROR_CANCELLED: the write was cancelled
 *
 * Error codes in the %VIDWRITE_ERROR domain.
 */
typedef enum
{
  VIDWRITE_ERROR_INVALID_ARGUMENT,
  VIDWRITE_ERROR_UNKNOWN_CODEC,
  VIDWRITE_ERROR_CODEC_UNAVAILABLE,
  VIDWRITE_ERROR_UNSUPPORTED_CONTAINER,
  VIDWRITE_ERROR_INCOMPATIBLE,
  VIDWRITE_ERROR_INVALID_OPTION,
  VIDWRITE_ERROR_IO,
  VIDWRITE_ERROR_ENCODE,
  VIDWRITE_ERROR_STATE,
  VIDWRITE_ERROR_CANCELLED,
} VidwriteError;

VIDWRITE_AVAILABLE_IN_ALL
GQuark vidwrite_error_quark (void);

G_END_DECLS
