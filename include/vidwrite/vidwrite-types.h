/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__VIDWRITE_H_INSIDE__) && !defined(VIDWRITE_COMPILATION)
#error "Only <vidwrite/vidwrite.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * VidwritePixelFormat:
 * @VIDWRITE_PIXEL_FORMAT_RGB: packed 8-bit R, G, B (3 bytes a pixel)
 * @VIDWRITE_PIXEL_FORMAT_BGR: packed 8-bit B, G, R (3 bytes a pixel)
 * @VIDWRITE_PIXEL_FORMAT_RGBA: packed 8-bit R, G, B, A (4 bytes a pixel; alpha is dropped)
 * @VIDWRITE_PIXEL_FORMAT_BGRA: packed 8-bit B, G, R, A (4 bytes a pixel; alpha is dropped)
 * @VIDWRITE_PIXEL_FORMAT_GRAY8: one 8-bit luma byte a pixel
 *
 * The layout of the frames a caller pushes. Rows are tightly packed: a row is
 * width × bytes-per-pixel bytes, whatever its alignment.
 */
typedef enum
{
  VIDWRITE_PIXEL_FORMAT_RGB,
  VIDWRITE_PIXEL_FORMAT_BGR,
  VIDWRITE_PIXEL_FORMAT_RGBA,
  VIDWRITE_PIXEL_FORMAT_BGRA,
  VIDWRITE_PIXEL_FORMAT_GRAY8,
} VidwritePixelFormat;

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
