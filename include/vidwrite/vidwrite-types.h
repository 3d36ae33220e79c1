/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__VIDWRITE_H_INSIDE__) && !defined(VIDWRITE_COMPILATION)
#error "Only <vidwrite/vidwrite.h> can be included directly."
#endif

#include <glib.h>
#include <vidwrite/vidwrite-version.h>

G_BEGIN_DECLS

/**
 * VidwritePixelFormat:
 * @VIDWRITE_PIXEL_FORMAT_RGB: packed 8-bit R, G, B (3 bytes a pixel)
 * @VIDWRITE_PIXEL_FORMAT_BGR: packed 8-bit B, G, R (3 bytes a pixel)
 * @VIDWRITE_PIXEL_FORMAT_RGBA: packed 8-bit R, G, B, A (4 bytes a pixel; alpha is dropped)
 * @VIDWRITE_PIXEL_FORMAT_BGRA: packed 8-bit B, G, R, A (4 bytes a pixel; alpha is dropped)
 * @VIDWRITE_PIXEL_FORMAT_GRAY8: one 8-bit luma byte a pixel
 * @VIDWRITE_PIXEL_FORMAT_I420: planar 8-bit YUV 4:2:0: the Y plane, then U and V planes of
 *   ⌈width/2⌉ × ⌈height/2⌉ (FFmpeg's yuv420p). Since: 0.3
 * @VIDWRITE_PIXEL_FORMAT_NV12: 8-bit YUV 4:2:0: the Y plane, then one plane of interleaved
 *   U, V pairs (FFmpeg's nv12). Since: 0.3
 * @VIDWRITE_PIXEL_FORMAT_Y444: planar 8-bit YUV 4:4:4: Y, U and V planes of full size
 *   (FFmpeg's yuv444p). Since: 0.3
 * @VIDWRITE_PIXEL_FORMAT_RGB48: packed 16-bit little-endian R, G, B (6 bytes a pixel; FFmpeg's
 *   rgb48le), written as 10-bit video. Since: 0.3
 * @VIDWRITE_PIXEL_FORMAT_GRAY16: one 16-bit little-endian luma sample a pixel (FFmpeg's
 *   gray16le), written as 10-bit video, or as it is by codecs that take it (ffv1). Since: 0.3
 *
 * The layout of the frames a caller pushes. Rows and planes are tightly packed: a row is
 * width × bytes-per-pixel bytes (a chroma row its own width's), whatever its alignment; see
 * vidwrite_pixel_format_frame_size().
 *
 * YUV frames go to the encoder as they are when it takes their format (no conversion), tagged
 * with the colour options' matrix and range (BT.601 limited range unless told).
 */
typedef enum
{
  VIDWRITE_PIXEL_FORMAT_RGB,
  VIDWRITE_PIXEL_FORMAT_BGR,
  VIDWRITE_PIXEL_FORMAT_RGBA,
  VIDWRITE_PIXEL_FORMAT_BGRA,
  VIDWRITE_PIXEL_FORMAT_GRAY8,
  VIDWRITE_PIXEL_FORMAT_I420,
  VIDWRITE_PIXEL_FORMAT_NV12,
  VIDWRITE_PIXEL_FORMAT_Y444,
  VIDWRITE_PIXEL_FORMAT_RGB48,
  VIDWRITE_PIXEL_FORMAT_GRAY16,
} VidwritePixelFormat;

VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_pixel_format_from_name (const char          *name,
                                          VidwritePixelFormat *format,
                                          GError             **error);
VIDWRITE_AVAILABLE_IN_ALL
const char *vidwrite_pixel_format_get_name (VidwritePixelFormat format);
VIDWRITE_AVAILABLE_IN_ALL
guint vidwrite_pixel_format_get_channels (VidwritePixelFormat format);
VIDWRITE_AVAILABLE_IN_ALL
gsize vidwrite_pixel_format_frame_size (VidwritePixelFormat format,
                                        guint               width,
                                        guint               height);
VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_pixel_format_for_array (guint                channels,
                                          guint                sample_bytes,
                                          VidwritePixelFormat *format,
                                          GError             **error);

/**
 * VidwriteSampleFormat:
 * @VIDWRITE_SAMPLE_FORMAT_F32: 32-bit float in native byte order, full scale ±1.0
 * @VIDWRITE_SAMPLE_FORMAT_S16: signed 16-bit integer in native byte order
 *
 * The type of the audio samples a caller pushes.
 */
typedef enum
{
  VIDWRITE_SAMPLE_FORMAT_F32,
  VIDWRITE_SAMPLE_FORMAT_S16,
} VidwriteSampleFormat;

/**
 * VidwriteAudioLayout:
 * @VIDWRITE_AUDIO_LAYOUT_PLANAR: each chunk is channels × n samples: all of channel 0, then
 *   all of channel 1, ... (torchvision's `[C, N]`)
 * @VIDWRITE_AUDIO_LAYOUT_INTERLEAVED: each chunk is n × channels samples: one sample of every
 *   channel, then the next (`[N, C]`, WAV order)
 *
 * How the samples of several channels are laid out in a chunk.
 */
typedef enum
{
  VIDWRITE_AUDIO_LAYOUT_PLANAR,
  VIDWRITE_AUDIO_LAYOUT_INTERLEAVED,
} VidwriteAudioLayout;

G_END_DECLS
