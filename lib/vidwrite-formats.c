/* The pixel formats callers push: the one table the library, the command line and Python read.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each row names a VidwritePixelFormat as FFmpeg does (what --pix-fmt and Python's dtypes map
 * to) and as GStreamer does; plane sizes come from GstVideoInfo, with the rows and planes
 * tightly packed, as FFmpeg's rawvideo and YUV4MPEG2 lay them out.
 */
#include "vidwrite-private.h"

static const VwPixelFormatInfo pixel_formats[] = {
  { VIDWRITE_PIXEL_FORMAT_RGB, "rgb24", GST_VIDEO_FORMAT_RGB, 3, 1, TRUE },
  { VIDWRITE_PIXEL_FORMAT_BGR, "bgr24", GST_VIDEO_FORMAT_BGR, 3, 1, FALSE },
  { VIDWRITE_PIXEL_FORMAT_RGBA, "rgba", GST_VIDEO_FORMAT_RGBA, 4, 1, TRUE },
  { VIDWRITE_PIXEL_FORMAT_BGRA, "bgra", GST_VIDEO_FORMAT_BGRA, 4, 1, FALSE },
  { VIDWRITE_PIXEL_FORMAT_GRAY8, "gray", GST_VIDEO_FORMAT_GRAY8, 1, 1, TRUE },
  { VIDWRITE_PIXEL_FORMAT_I420, "yuv420p", GST_VIDEO_FORMAT_I420, 0, 1, FALSE },
  { VIDWRITE_PIXEL_FORMAT_NV12, "nv12", GST_VIDEO_FORMAT_NV12, 0, 1, FALSE },
  { VIDWRITE_PIXEL_FORMAT_Y444, "yuv444p", GST_VIDEO_FORMAT_Y444, 0, 1, FALSE },
  /* GStreamer has no packed 16-bit RGB without alpha: only the library's converter takes it. */
  { VIDWRITE_PIXEL_FORMAT_RGB48, "rgb48le", GST_VIDEO_FORMAT_UNKNOWN, 3, 2, TRUE },
  { VIDWRITE_PIXEL_FORMAT_GRAY16, "gray16le", GST_VIDEO_FORMAT_GRAY16_LE, 1, 2, TRUE },
};

const VwPixelFormatInfo *
vw_pixel_format_info (VidwritePixelFormat format)
{
  for (guint i = 0; i < G_N_ELEMENTS (pixel_formats); i++)
    if (pixel_formats[i].format == format)
      return &pixel_formats[i];
  return NULL;
}

/* `info` for frames of `format` as callers lay them out: no padding after rows or planes. */
void
vw_pixel_format_video_info (VidwritePixelFormat format, guint width, guint height,
                            GstVideoInfo *info)
{
  const VwPixelFormatInfo *row = vw_pixel_format_info (format);
  gsize offset = 0;

  g_return_if_fail (row && row->gst != GST_VIDEO_FORMAT_UNKNOWN);
  g_return_if_fail (width >= 1 && height >= 1 && width <= VW_MAX_DIMENSION
                    && height <= VW_MAX_DIMENSION);
  if (!gst_video_info_set_format (info, row->gst, width, height))
    g_return_if_reached ();
  for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES (info); p++)
    {
      gint comps[GST_VIDEO_MAX_COMPONENTS];

      gst_video_format_info_component (info->finfo, p, comps);
      info->offset[p] = offset;
      info->stride[p] = GST_VIDEO_INFO_COMP_WIDTH (info, comps[0])
                        * GST_VIDEO_INFO_COMP_PSTRIDE (info, comps[0]);
      offset += (gsize)info->stride[p] * GST_VIDEO_INFO_COMP_HEIGHT (info, comps[0]);
    }
  info->size = offset;
}

/**
 * vidwrite_pixel_format_from_name:
 * @name: FFmpeg's name of a pixel format ("rgb24", "yuv420p", "gray16le")
 * @format: (out): the format
 * @error: return location for a #GError
 *
 * Looks up the pixel format FFmpeg calls @name, among those vidwrite takes.
 *
 * Returns: %TRUE if it is one; otherwise %VIDWRITE_ERROR_INVALID_ARGUMENT naming it and
 *   the known ones
 *
 * Since: 0.3
 */
gboolean
vidwrite_pixel_format_from_name (const char *name, VidwritePixelFormat *format, GError **error)
{
  g_autoptr (GString) known = g_string_new (NULL);

  g_return_val_if_fail (name != NULL, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (pixel_formats); i++)
    {
      if (g_str_equal (name, pixel_formats[i].name))
        {
          if (format)
            *format = pixel_formats[i].format;
          return TRUE;
        }
      g_string_append_printf (known, "%s%s", i ? ", " : "", pixel_formats[i].name);
    }
  vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT, "unknown pixel format “%s” (known: %s)",
                name, known->str);
  return FALSE;
}

/**
 * vidwrite_pixel_format_get_name:
 * @format: a pixel format
 *
 * The name FFmpeg gives @format, which vidwrite_pixel_format_from_name() takes back.
 *
 * Returns: (nullable): FFmpeg's name of @format ("rgb24"), or %NULL if @format is not one
 *
 * Since: 0.3
 */
const char *
vidwrite_pixel_format_get_name (VidwritePixelFormat format)
{
  const VwPixelFormatInfo *row = vw_pixel_format_info (format);

  return row ? row->name : NULL;
}

/**
 * vidwrite_pixel_format_get_channels:
 * @format: a pixel format
 *
 * How many samples make one pixel of @format as an array holds it.
 *
 * Returns: the samples of one pixel of a packed format (the C of a `[T, H, W, C]` array: 3
 *   for rgb24 and rgb48le), 0 for planar YUV and for what is not a format
 *
 * Since: 0.3
 */
guint
vidwrite_pixel_format_get_channels (VidwritePixelFormat format)
{
  const VwPixelFormatInfo *row = vw_pixel_format_info (format);

  return row ? row->channels : 0;
}

/**
 * vidwrite_pixel_format_frame_size:
 * @format: a pixel format
 * @width: frame width in pixels
 * @height: frame height in pixels
 *
 * The bytes of one tightly packed frame: for 4:2:0 formats the chroma planes are
 * ⌈@width/2⌉ × ⌈@height/2⌉.
 *
 * Returns: the size, or 0 if @format is not a #VidwritePixelFormat or a side is outside 1 to
 *   16384 pixels (the writer's limit)
 *
 * Since: 0.3
 */
gsize
vidwrite_pixel_format_frame_size (VidwritePixelFormat format, guint width, guint height)
{
  const VwPixelFormatInfo *row = vw_pixel_format_info (format);
  GstVideoInfo info;

  /* Bounded before any arithmetic: GstVideoInfo's sizes are ints. */
  if (!row || width < 1 || height < 1 || width > VW_MAX_DIMENSION || height > VW_MAX_DIMENSION)
    return 0;
  if (row->gst == GST_VIDEO_FORMAT_UNKNOWN)
    return (gsize)width * height * row->channels * row->sample_bytes;
  vw_pixel_format_video_info (format, width, height, &info);
  return info.size;
}

/**
 * vidwrite_pixel_format_for_array:
 * @channels: the last dimension of a `[T, H, W, C]` array: 1, 3 or 4
 * @sample_bytes: the size of its elements: 1 (uint8) or 2 (uint16)
 * @format: (out): the format such an array is taken as
 * @error: return location for a #GError
 *
 * The format of an array of frames as torchvision reads it: gray, RGB or RGBA, of 8 or
 * 16 bits (16-bit RGBA is not taken).
 *
 * Returns: %TRUE if there is one; otherwise %VIDWRITE_ERROR_INVALID_ARGUMENT
 *
 * Since: 0.3
 */
gboolean
vidwrite_pixel_format_for_array (guint channels, guint sample_bytes, VidwritePixelFormat *format,
                                 GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (pixel_formats); i++)
    if (pixel_formats[i].array_default && pixel_formats[i].channels == channels
        && pixel_formats[i].sample_bytes == sample_bytes)
      {
        if (format)
          *format = pixel_formats[i].format;
        return TRUE;
      }
  vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                "%u channels of %u bytes a pixel is not a layout vidwrite takes (1 grey, 3 RGB or "
                "4 RGBA of 8 bits; 1 grey or 3 RGB of 16 bits)",
                channels, sample_bytes);
  return FALSE;
}
