/* The caller's pixels -> what the encoder is fed.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two ways, chosen once per writer:
 * - native: 8-bit RGB/BGR/RGBA/BGRA/GRAY8 to I420 or Y444, 16-bit RGB and grey to I420_10LE or
 *   Y444_10LE, converted here on the pushing thread with exact rounding (the matrix and range
 *   of the colour options, BT.601 limited range by default; 2×2 chroma average).  It is faster
 *   than videoconvert and closer to the source than FFmpeg's swscale; videoconvert then passes
 *   the buffers through untouched.
 * - wrapped: anything else, YUV input above all.  Each frame is the caller's memory, not a
 *   copy, with a GstVideoMeta that gives its real, tightly packed strides and plane offsets;
 *   videoconvert passes it through when the encoder takes its format, else converts it.
 * Either way the stream is tagged with the matrix and range used.
 *
 * GBR output (libx264rgb) is no conversion at all: the caller's bytes are shuffled into G, B, R
 * planes.  They go out labelled Y444, the same memory layout: x264enc takes no GBR caps, and
 * GStreamer refuses an RGB matrix on YUV caps, so the encoder itself tags the stream.
 *
 * Converted frames are freed as soon as the encoder's library has its own copy: x264enc keeps
 * every input buffer (mapped) until its frame comes out, 40 and more frames of lookahead at
 * preset medium (55 MiB at 720p) although libx264 copied each one when it was handed over.
 * vw_converter_release_after_encode() frees a frame's pixels when the next frame (or the end)
 * reaches such an encoder: its chain function for the frame has returned by then.
 */
#include "vidwrite-private.h"

#include <string.h>

/* One row split into planes, scratch space for the converters. */
typedef struct
{
  guint8 *r, *g, *b;
} VwRow;

typedef struct
{
  guint16 *r, *g, *b;
} VwRow16;

/* The matrix and range, as fixed-point weights: 16.16 for 8-bit samples, 32.32 for 16-bit ones
 * (whose products need 64 bits; 16 fraction bits would be off by half a 10-bit step).  The blue
 * (Cb) and red (Cr) weights are derived so that each chroma row sums to zero: grey stays
 * exactly mid-scale.  `y_round`, `c_round`: offset and rounding of one pixel, pre-shifted. */
typedef struct
{
  gint64 yr, yg, yb, ur, ug, ub, vr, vg, vb;
  gint64 y_round, c_round, c_mid;
  gint64 max;
} VwMatrix;

typedef void (*VwConvertFunc) (const guint8 *src, guint width, guint height, GstVideoFrame *dst,
                               VwRow rows[2], const VwMatrix *m);

struct _VwConverter
{
  VidwritePixelFormat in_format;
  guint width, height;
  gsize frame_size;     /* bytes of one input frame */
  GstVideoInfo in_info; /* the caller's layout, stride included */
  GstVideoInfo out_info;
  VwConvertFunc convert; /* NULL: wrapped */
  VwRow rows[2];
  guint8 *scratch;
  VwMatrix matrix;
};

/* Weights for `in_bits` samples (8 or 16) to `out_bits` ones (8 or 10).  GStreamer's scales:
 * limited range 219 and 224 steps of 8 bits from 16, full range 255 for both. */
static void
matrix_init (VwMatrix *m, const GstVideoColorimetry *c, guint in_bits, guint out_bits)
{
  const int shift = in_bits == 8 ? 16 : 32;
  const double one = (double)((gint64)1 << shift), in_max = (1 << in_bits) - 1;
  const double steps = 1 << (out_bits - 8);
  gboolean full = c->range == GST_VIDEO_COLOR_RANGE_0_255;
  double kr = 0.299, kb = 0.114, kg, ys, cs;

  gst_video_color_matrix_get_Kr_Kb (c->matrix, &kr, &kb);
  kg = 1.0 - kr - kb;
  ys = (full ? 255.0 : 219.0) * steps / in_max;
  cs = (full ? 255.0 : 224.0) * steps / in_max;
#define FIX(x) ((gint64)((x)*one + ((x) < 0 ? -0.5 : 0.5)))
  m->yr = FIX (kr * ys);
  m->yg = FIX (kg * ys);
  m->yb = FIX (kb * ys);
  m->ur = FIX (-kr / (2.0 * (1.0 - kb)) * cs);
  m->ug = FIX (-kg / (2.0 * (1.0 - kb)) * cs);
  m->ub = -(m->ur + m->ug);
  m->vg = FIX (-kg / (2.0 * (1.0 - kr)) * cs);
  m->vb = FIX (-kb / (2.0 * (1.0 - kr)) * cs);
  m->vr = -(m->vg + m->vb);
#undef FIX
  m->c_mid = (gint64)128 << (out_bits - 8);
  m->y_round = (((gint64)(full ? 0 : 16) << (out_bits - 8)) << shift) + ((gint64)1 << (shift - 1));
  m->c_round = (m->c_mid << shift) + ((gint64)1 << (shift - 1));
  m->max = ((gint64)1 << out_bits) - 1;
}

/* 8-bit: every weight and sum fits 32 bits, which vectorises twice as wide.  The weights are
 * passed as values: a byte store could alias a VwMatrix, and reloading it defeats the
 * vectoriser. */
static inline guint8
luma (int yr, int yg, int yb, int round, int r, int g, int b)
{
  int v = (yr * r + yg * g + yb * b + round) >> 16;
  return (guint8)MIN (v, 255);
}

/* Chroma of a sum of 2^shift pixels (shift 0: one pixel, 2: a 2×2 block). */
static inline guint8
chroma (int cr, int cg, int cb, int round, int r, int g, int b, int shift)
{
  int v = (cr * r + cg * g + cb * b + (round << shift)) >> (16 + shift);
  return (guint8)CLAMP (v, 0, 255);
}

/* The packed layouts are first split into planar rows (a cheap scalar pass), so that the
 * arithmetic below runs over contiguous arrays, which the compiler vectorises; the packed
 * stride-3 and stride-4 loads themselves defeat it. */
static G_ALWAYS_INLINE inline void
split_row (const guint8 *restrict src, guint width, const int bpp, const int ri, const int gi,
           const int bi, VwRow *row)
{
  guint8 *restrict r = row->r, *restrict g = row->g, *restrict b = row->b;

  for (gsize x = 0; x < width; x++)
    {
      r[x] = src[x * bpp + ri];
      g[x] = src[x * bpp + gi];
      b[x] = src[x * bpp + bi];
    }
}

static G_ALWAYS_INLINE inline void
luma_row (const VwRow *row, guint width, guint8 *restrict y, const VwMatrix *m)
{
  const guint8 *restrict r = row->r, *restrict g = row->g, *restrict b = row->b;
  const int yr = m->yr, yg = m->yg, yb = m->yb, round = m->y_round;

  for (gsize x = 0; x < width; x++)
    y[x] = luma (yr, yg, yb, round, r[x], g[x], b[x]);
}

static G_ALWAYS_INLINE inline void
chroma_row (const VwRow *row, guint width, guint8 *restrict u, guint8 *restrict v,
            const VwMatrix *m)
{
  const guint8 *restrict r = row->r, *restrict g = row->g, *restrict b = row->b;
  const int ur = m->ur, ug = m->ug, ub = m->ub, vr = m->vr, vg = m->vg, vb = m->vb;
  const int round = m->c_round;

  for (gsize x = 0; x < width; x++)
    {
      u[x] = chroma (ur, ug, ub, round, r[x], g[x], b[x], 0);
      v[x] = chroma (vr, vg, vb, round, r[x], g[x], b[x], 0);
    }
}

/* Chroma of 2×2 blocks from two rows. */
static G_ALWAYS_INLINE inline void
chroma_rows_420 (const VwRow *top, const VwRow *bottom, guint width, guint8 *restrict u,
                 guint8 *restrict v, const VwMatrix *m)
{
  const guint8 *restrict r0 = top->r, *restrict g0 = top->g, *restrict b0 = top->b;
  const guint8 *restrict r1 = bottom->r, *restrict g1 = bottom->g, *restrict b1 = bottom->b;
  const int ur = m->ur, ug = m->ug, ub = m->ub, vr = m->vr, vg = m->vg, vb = m->vb;
  const int round = m->c_round;

  for (gsize x = 0; x < width / 2; x++)
    {
      int r = r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1];
      int g = g0[2 * x] + g0[2 * x + 1] + g1[2 * x] + g1[2 * x + 1];
      int b = b0[2 * x] + b0[2 * x + 1] + b1[2 * x] + b1[2 * x + 1];

      u[x] = chroma (ur, ug, ub, round, r, g, b, 2);
      v[x] = chroma (vr, vg, vb, round, r, g, b, 2);
    }
}

/* The converters are built once per instruction set and picked at load time (ifunc): the
 * vectorised loops are 2.3x faster with AVX2 and 5x with AVX-512 than with baseline SSE2. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(VW_NO_CLONES)
#define VW_CLONES __attribute__ ((target_clones ("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VW_CLONES
#endif

#define PLANE(frame, p, line)                                                                      \
  ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (frame, p) + (gsize) (line) * GST_VIDEO_FRAME_PLANE_STRIDE (frame, p))

/* Instantiated per layout with constant offsets. */
static G_ALWAYS_INLINE inline void
packed_to_i420 (const guint8 *src, guint width, guint height, GstVideoFrame *dst, VwRow rows[2],
                const VwMatrix *m, const int bpp, const int ri, const int gi, const int bi)
{
  const gsize sstride = (gsize) width * bpp;

  for (guint line = 0; line < height; line += 2)
    {
      split_row (src + line * sstride, width, bpp, ri, gi, bi, &rows[0]);
      split_row (src + (line + 1) * sstride, width, bpp, ri, gi, bi, &rows[1]);
      luma_row (&rows[0], width, PLANE (dst, 0, line), m);
      luma_row (&rows[1], width, PLANE (dst, 0, line + 1), m);
      chroma_rows_420 (&rows[0], &rows[1], width, PLANE (dst, 1, line / 2),
                       PLANE (dst, 2, line / 2), m);
    }
}

static G_ALWAYS_INLINE inline void
packed_to_y444 (const guint8 *src, guint width, guint height, GstVideoFrame *dst, VwRow rows[2],
                const VwMatrix *m, const int bpp, const int ri, const int gi, const int bi)
{
  for (guint line = 0; line < height; line++)
    {
      split_row (src + (gsize) line * width * bpp, width, bpp, ri, gi, bi, &rows[0]);
      luma_row (&rows[0], width, PLANE (dst, 0, line), m);
      chroma_row (&rows[0], width, PLANE (dst, 1, line), PLANE (dst, 2, line), m);
    }
}

/* Grey has no chroma: luma from the one byte, both chroma planes flat mid-scale. */
VW_CLONES static void
gray_to_yuv (const guint8 *src, guint width, guint height, GstVideoFrame *dst,
             G_GNUC_UNUSED VwRow rows[2], const VwMatrix *m)
{
  const int yr = m->yr, yg = m->yg, yb = m->yb, round = m->y_round;

  for (guint line = 0; line < height; line++)
    {
      const guint8 *restrict s = src + (gsize) line * width;
      guint8 *restrict y = PLANE (dst, 0, line);

      for (gsize x = 0; x < width; x++)
        y[x] = luma (yr, yg, yb, round, s[x], s[x], s[x]);
    }
  for (guint p = 1; p < 3; p++)
    for (guint line = 0; line < (guint) GST_VIDEO_FRAME_COMP_HEIGHT (dst, p); line++)
      memset (PLANE (dst, p, line), 128, GST_VIDEO_FRAME_COMP_WIDTH (dst, p));
}

/* Planar G, B, R: the bytes as they are, only moved. */
static G_ALWAYS_INLINE inline void
packed_to_gbr (const guint8 *src, guint width, guint height, GstVideoFrame *dst, const int bpp,
               const int ri, const int gi, const int bi)
{
  for (guint line = 0; line < height; line++)
    {
      const guint8 *restrict s = src + (gsize) line * width * bpp;
      guint8 *restrict g = PLANE (dst, 0, line);
      guint8 *restrict b = PLANE (dst, 1, line);
      guint8 *restrict r = PLANE (dst, 2, line);

      for (gsize x = 0; x < width; x++, s += bpp)
        {
          g[x] = s[gi];
          b[x] = s[bi];
          r[x] = s[ri];
        }
    }
}

VW_CLONES static void
gray_to_gbr (const guint8 *src, guint width, guint height, GstVideoFrame *dst,
             G_GNUC_UNUSED VwRow rows[2], G_GNUC_UNUSED const VwMatrix *m)
{
  for (guint p = 0; p < 3; p++)
    for (guint line = 0; line < height; line++)
      memcpy (PLANE (dst, p, line), src + (gsize) line * width, width);
}

#define DEFINE_PACKED(name, bpp, ri, gi, bi)                                                       \
  VW_CLONES static void name##_to_i420 (const guint8 *s, guint w, guint h, GstVideoFrame *d,       \
                                        VwRow r[2], const VwMatrix *m)                             \
  {                                                                                                \
    packed_to_i420 (s, w, h, d, r, m, bpp, ri, gi, bi);                                            \
  }                                                                                                \
  VW_CLONES static void name##_to_y444 (const guint8 *s, guint w, guint h, GstVideoFrame *d,       \
                                        VwRow r[2], const VwMatrix *m)                             \
  {                                                                                                \
    packed_to_y444 (s, w, h, d, r, m, bpp, ri, gi, bi);                                            \
  }                                                                                                \
  VW_CLONES static void name##_to_gbr (const guint8 *s, guint w, guint h, GstVideoFrame *d,        \
                                       G_GNUC_UNUSED VwRow r[2], G_GNUC_UNUSED const VwMatrix *m)  \
  {                                                                                                \
    packed_to_gbr (s, w, h, d, bpp, ri, gi, bi);                                                   \
  }

DEFINE_PACKED (rgb, 3, 0, 1, 2)
DEFINE_PACKED (bgr, 3, 2, 1, 0)
DEFINE_PACKED (rgba, 4, 0, 1, 2)
DEFINE_PACKED (bgra, 4, 2, 1, 0)

/* ---- 16-bit samples to 10-bit YUV, with 64-bit sums ------------------------------------ */

static inline guint16
load16 (const guint8 *p)
{
  guint16 v;

  memcpy (&v, p, 2);
  return GUINT16_FROM_LE (v);
}

static inline guint16
sample10 (gint64 cr, gint64 cg, gint64 cb, gint64 round, gint64 r, gint64 g, gint64 b, int shift)
{
  gint64 v = (cr * r + cg * g + cb * b + (round << shift)) >> (32 + shift);

  return GUINT16_TO_LE ((guint16)CLAMP (v, 0, 1023));
}

#define PLANE16(frame, p, line) ((guint16 *)PLANE (frame, p, line))

static void
split_row16 (const guint8 *src, guint width, VwRow16 *row)
{
  for (gsize x = 0; x < width; x++)
    {
      row->r[x] = load16 (src + 6 * x);
      row->g[x] = load16 (src + 6 * x + 2);
      row->b[x] = load16 (src + 6 * x + 4);
    }
}

static void
luma_row16 (const VwRow16 *row, guint width, guint16 *restrict y, const VwMatrix *m)
{
  const gint64 yr = m->yr, yg = m->yg, yb = m->yb, round = m->y_round;

  for (gsize x = 0; x < width; x++)
    y[x] = sample10 (yr, yg, yb, round, row->r[x], row->g[x], row->b[x], 0);
}

/* Chroma of single pixels (bottom NULL) or of 2×2 blocks. */
static void
chroma_row16 (const VwRow16 *top, const VwRow16 *bottom, guint width, guint16 *restrict u,
              guint16 *restrict v, const VwMatrix *m)
{
  const gint64 ur = m->ur, ug = m->ug, ub = m->ub, vr = m->vr, vg = m->vg, vb = m->vb;
  const gint64 round = m->c_round;

  if (!bottom)
    for (gsize x = 0; x < width; x++)
      {
        u[x] = sample10 (ur, ug, ub, round, top->r[x], top->g[x], top->b[x], 0);
        v[x] = sample10 (vr, vg, vb, round, top->r[x], top->g[x], top->b[x], 0);
      }
  else
    for (gsize x = 0; x < width / 2; x++)
      {
        gint64 r = top->r[2 * x] + top->r[2 * x + 1] + bottom->r[2 * x] + bottom->r[2 * x + 1];
        gint64 g = top->g[2 * x] + top->g[2 * x + 1] + bottom->g[2 * x] + bottom->g[2 * x + 1];
        gint64 b = top->b[2 * x] + top->b[2 * x + 1] + bottom->b[2 * x] + bottom->b[2 * x + 1];

        u[x] = sample10 (ur, ug, ub, round, r, g, b, 2);
        v[x] = sample10 (vr, vg, vb, round, r, g, b, 2);
      }
}

/* To I420_10LE or Y444_10LE, told apart by the frame's chroma height. */
static void
rgb48_to_10 (const guint8 *src, guint width, guint height, GstVideoFrame *dst, VwRow rows[2],
             const VwMatrix *m)
{
  VwRow16 *rows16 = (VwRow16 *)rows;
  gboolean sub = GST_VIDEO_FRAME_COMP_HEIGHT (dst, 1) < (gint)height;
  guint step = sub ? 2 : 1;

  for (guint line = 0; line < height; line += step)
    {
      for (guint i = 0; i < step; i++)
        {
          split_row16 (src + (gsize)(line + i) * width * 6, width, &rows16[i]);
          luma_row16 (&rows16[i], width, PLANE16 (dst, 0, line + i), m);
        }
      chroma_row16 (&rows16[0], sub ? &rows16[1] : NULL, width, PLANE16 (dst, 1, line / step),
                    PLANE16 (dst, 2, line / step), m);
    }
}

static void
gray16_to_10 (const guint8 *src, guint width, guint height, GstVideoFrame *dst,
              G_GNUC_UNUSED VwRow rows[2], const VwMatrix *m)
{
  const gint64 yr = m->yr, yg = m->yg, yb = m->yb, round = m->y_round;
  const guint16 mid = GUINT16_TO_LE ((guint16)m->c_mid);

  for (guint line = 0; line < height; line++)
    {
      const guint8 *s = src + (gsize)line * width * 2;
      guint16 *y = PLANE16 (dst, 0, line);

      for (gsize x = 0; x < width; x++)
        {
          guint16 v = load16 (s + 2 * x);
          y[x] = sample10 (yr, yg, yb, round, v, v, v, 0);
        }
    }
  for (guint p = 1; p < 3; p++)
    for (guint line = 0; line < (guint)GST_VIDEO_FRAME_COMP_HEIGHT (dst, p); line++)
      for (gint x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH (dst, p); x++)
        PLANE16 (dst, p, line)[x] = mid;
}

static const struct
{
  VidwritePixelFormat in;
  GstVideoFormat out;
  VwConvertFunc func;
} native[] = {
  { VIDWRITE_PIXEL_FORMAT_RGB, GST_VIDEO_FORMAT_I420, rgb_to_i420 },
  { VIDWRITE_PIXEL_FORMAT_BGR, GST_VIDEO_FORMAT_I420, bgr_to_i420 },
  { VIDWRITE_PIXEL_FORMAT_RGBA, GST_VIDEO_FORMAT_I420, rgba_to_i420 },
  { VIDWRITE_PIXEL_FORMAT_BGRA, GST_VIDEO_FORMAT_I420, bgra_to_i420 },
  { VIDWRITE_PIXEL_FORMAT_GRAY8, GST_VIDEO_FORMAT_I420, gray_to_yuv },
  { VIDWRITE_PIXEL_FORMAT_RGB, GST_VIDEO_FORMAT_Y444, rgb_to_y444 },
  { VIDWRITE_PIXEL_FORMAT_BGR, GST_VIDEO_FORMAT_Y444, bgr_to_y444 },
  { VIDWRITE_PIXEL_FORMAT_RGBA, GST_VIDEO_FORMAT_Y444, rgba_to_y444 },
  { VIDWRITE_PIXEL_FORMAT_BGRA, GST_VIDEO_FORMAT_Y444, bgra_to_y444 },
  { VIDWRITE_PIXEL_FORMAT_GRAY8, GST_VIDEO_FORMAT_Y444, gray_to_yuv },
  { VIDWRITE_PIXEL_FORMAT_RGB, GST_VIDEO_FORMAT_GBR, rgb_to_gbr },
  { VIDWRITE_PIXEL_FORMAT_BGR, GST_VIDEO_FORMAT_GBR, bgr_to_gbr },
  { VIDWRITE_PIXEL_FORMAT_RGBA, GST_VIDEO_FORMAT_GBR, rgba_to_gbr },
  { VIDWRITE_PIXEL_FORMAT_BGRA, GST_VIDEO_FORMAT_GBR, bgra_to_gbr },
  { VIDWRITE_PIXEL_FORMAT_GRAY8, GST_VIDEO_FORMAT_GBR, gray_to_gbr },
  { VIDWRITE_PIXEL_FORMAT_RGB48, GST_VIDEO_FORMAT_I420_10LE, rgb48_to_10 },
  { VIDWRITE_PIXEL_FORMAT_RGB48, GST_VIDEO_FORMAT_Y444_10LE, rgb48_to_10 },
  { VIDWRITE_PIXEL_FORMAT_GRAY16, GST_VIDEO_FORMAT_I420_10LE, gray16_to_10 },
  { VIDWRITE_PIXEL_FORMAT_GRAY16, GST_VIDEO_FORMAT_Y444_10LE, gray16_to_10 },
};

VwConverter *
vw_converter_new (VidwritePixelFormat in_format, GstVideoFormat out_format, guint width,
                  guint height, const GstVideoColorimetry *colorimetry, GError **error)
{
  const VwPixelFormatInfo *in = vw_pixel_format_info (in_format);
  const GstVideoFormatInfo *out = gst_video_format_get_info (out_format);
  g_autofree VwConverter *self = NULL;
  GstVideoColorimetry bt601;

  g_return_val_if_fail (in != NULL, NULL);
  self = g_new0 (VwConverter, 1);
  gst_video_colorimetry_from_string (&bt601, GST_VIDEO_COLORIMETRY_BT601);
  if (!colorimetry)
    colorimetry = &bt601;
  self->in_format = in_format;
  self->width = width;
  self->height = height;
  self->frame_size = vidwrite_pixel_format_frame_size (in_format, width, height);
  if (in->gst != GST_VIDEO_FORMAT_UNKNOWN)
    {
      vw_pixel_format_video_info (in_format, width, height, &self->in_info);
      /* YUV as it comes: tagged as the stream will be, so that videoconvert leaves it alone. */
      if (GST_VIDEO_INFO_IS_YUV (&self->in_info))
        self->in_info.colorimetry = *colorimetry;
    }

  for (guint i = 0; out && i < G_N_ELEMENTS (native); i++)
    if (native[i].in == in_format && native[i].out == out_format
        && (GST_VIDEO_FORMAT_INFO_H_SUB (out, 1) == 0 || (width % 2 == 0 && height % 2 == 0)))
      self->convert = native[i].func;

  if (!self->convert && in->gst == GST_VIDEO_FORMAT_UNKNOWN)
    {
      g_autoptr (GString) list = g_string_new (NULL);

      for (guint i = 0; i < G_N_ELEMENTS (native); i++)
        if (native[i].in == in_format)
          g_string_append_printf (list, "%s%s", list->len ? ", " : "",
                                  gst_video_format_to_string (native[i].out));
      vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                    "%ux%u %s frames cannot be converted to %s (only to %s, even-sized for 4:2:0)",
                    width, height, in->name, gst_video_format_to_string (out_format), list->str);
      return NULL;
    }

  if (self->convert)
    {
      const gsize row = (gsize)width * in->sample_bytes;

      self->scratch = g_malloc (6 * row);
      for (guint i = 0; i < 2; i++)
        {
          self->rows[i].r = self->scratch + (3 * i + 0) * row;
          self->rows[i].g = self->scratch + (3 * i + 1) * row;
          self->rows[i].b = self->scratch + (3 * i + 2) * row;
        }
      matrix_init (&self->matrix, colorimetry, 8 * in->sample_bytes,
                   GST_VIDEO_FORMAT_INFO_DEPTH (out, 0));
      gst_video_info_set_format (&self->out_info,
                                 out_format == GST_VIDEO_FORMAT_GBR ? GST_VIDEO_FORMAT_Y444
                                                                    : out_format,
                                 width, height);
      self->out_info.colorimetry = *colorimetry;
    }
  else
    self->out_info = self->in_info;
  return g_steal_pointer (&self);
}

void
vw_converter_free (VwConverter *self)
{
  g_free (self->scratch);
  g_free (self);
}

gboolean
vw_converter_is_native (VwConverter *self)
{
  return self->convert != NULL;
}

/* What the converter hands to appsrc. */
GstCaps *
vw_converter_get_caps (VwConverter *self, gint fps_n, gint fps_d)
{
  GstVideoInfo info = self->out_info;

  info.fps_n = fps_n;
  info.fps_d = fps_d;
  return gst_video_info_to_caps (&info);
}

/* ---- converted pixels, freed once the encoder's library has copied them ---------------- */

/* The pixels of one converted frame: whoever takes `data` first (the release after encoding,
 * or the memory's end) frees it. */
typedef struct
{
  gpointer data;
} Pixels;

static GQuark
pixels_quark (void)
{
  return g_quark_from_static_string ("vidwrite-pixels");
}

static void
pixels_free (gpointer user_data)
{
  Pixels *pixels = user_data;

  g_free (g_atomic_pointer_exchange (&pixels->data, NULL));
  g_free (pixels);
}

static GstBuffer *
new_pixels_buffer (gsize size)
{
  Pixels *pixels = g_new (Pixels, 1);
  GstMemory *memory;
  GstBuffer *buffer = gst_buffer_new ();

  pixels->data = g_malloc (size);
  memory = gst_memory_new_wrapped (0, pixels->data, size, 0, size, pixels, pixels_free);
  gst_mini_object_set_qdata (GST_MINI_OBJECT (memory), pixels_quark (), pixels, NULL);
  gst_buffer_append_memory (buffer, memory);
  return buffer;
}

/* Frees the pixels of the frame the encoder was handed last, if they are a converter's. */
static void
release_pixels (GstMemory **last)
{
  Pixels *pixels;

  if (!*last)
    return;
  pixels = gst_mini_object_get_qdata (GST_MINI_OBJECT (*last), pixels_quark ());
  g_free (g_atomic_pointer_exchange (&pixels->data, NULL));
  gst_memory_unref (g_steal_pointer (last));
}

static void
release_last (gpointer user_data)
{
  GstMemory **last = user_data;

  if (*last)
    gst_memory_unref (*last);
  g_free (last);
}

/* On the encoder's sink pad, in the streaming thread: a buffer or a serialized event comes only
 * after the encoder's chain function returned from the previous frame. */
static GstPadProbeReturn
on_encoder_input (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstMemory **last = user_data;

  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER)
    {
      GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
      GstMemory *memory
          = gst_buffer_n_memory (buffer) == 1 ? gst_buffer_peek_memory (buffer, 0) : NULL;

      release_pixels (last);
      if (memory && gst_mini_object_get_qdata (GST_MINI_OBJECT (memory), pixels_quark ()))
        *last = gst_memory_ref (memory);
    }
  else if (GST_EVENT_IS_SERIALIZED (GST_PAD_PROBE_INFO_EVENT (info)))
    release_pixels (last);
  return GST_PAD_PROBE_OK;
}

/* Encoders whose library copies each frame when it is handed over (x264_encoder_encode,
 * x265_encoder_encode) and which read the buffer no more after that. */
static const char *const copying_encoders[] = { "x264enc", "x265enc", NULL };

void
vw_converter_release_after_encode (GstElement *encoder)
{
  const char *factory = GST_OBJECT_NAME (gst_element_get_factory (encoder));
  GstPad *pad;

  if (!g_strv_contains (copying_encoders, factory))
    return;
  pad = gst_element_get_static_pad (encoder, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                     on_encoder_input, g_new0 (GstMemory *, 1), release_last);
  gst_object_unref (pad);
}

static void
bytes_unref (gpointer data)
{
  g_bytes_unref (data);
}

/* The frame that starts `offset` bytes into `frames`, as a buffer without timestamps. */
GstBuffer *
vw_converter_convert (VwConverter *self, GBytes *frames, gsize offset)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (frames, &size);
  GstBuffer *buffer = NULL;

  g_assert (offset + self->frame_size <= size);

  if (!self->convert)
    {
      buffer = gst_buffer_new ();
      gst_buffer_append_memory (buffer, gst_memory_new_wrapped (GST_MEMORY_FLAG_READONLY,
                                                                (gpointer) data, size, offset,
                                                                self->frame_size,
                                                                g_bytes_ref (frames), bytes_unref));
      gst_buffer_add_video_meta_full (buffer, GST_VIDEO_FRAME_FLAG_NONE,
                                      GST_VIDEO_INFO_FORMAT (&self->in_info), self->width,
                                      self->height, GST_VIDEO_INFO_N_PLANES (&self->in_info),
                                      self->in_info.offset, self->in_info.stride);
      return buffer;
    }

  GstVideoFrame frame;
  buffer = new_pixels_buffer (self->out_info.size);
  if (!gst_video_frame_map (&frame, &self->out_info, buffer, GST_MAP_WRITE))
    {
      gst_buffer_unref (buffer);
      return NULL;
    }
  self->convert (data + offset, self->width, self->height, &frame, self->rows, &self->matrix);
  gst_video_frame_unmap (&frame);
  return buffer;
}
