/* The RGB -> YUV converter against the ideal formula of each matrix and range, pixel by pixel.
 * Built twice: with the per-CPU clones the library uses, and with the baseline code alone. */
#include "vidwrite-private.h"

#include <math.h>

/* The ideal value of a sample: matrix and range of `c`, from `in_bits` to `out_bits`. */
typedef struct
{
  double kr, kb, ys, cs, yoff, mid, max;
} Ideal;

static Ideal
ideal_for (const char *colorimetry, guint in_bits, guint out_bits)
{
  GstVideoColorimetry c;
  Ideal i;
  double steps = 1 << (out_bits - 8), in_max = (1 << in_bits) - 1;
  gboolean full;

  g_assert_true (gst_video_colorimetry_from_string (&c, colorimetry));
  full = c.range == GST_VIDEO_COLOR_RANGE_0_255;
  g_assert_true (gst_video_color_matrix_get_Kr_Kb (c.matrix, &i.kr, &i.kb));
  i.ys = (full ? 255 : 219) * steps / in_max;
  i.cs = (full ? 255 : 224) * steps / in_max;
  i.yoff = (full ? 0 : 16) * steps;
  i.mid = 128 * steps;
  i.max = (1 << out_bits) - 1;
  return i;
}

static double
ideal_y (const Ideal *i, double r, double g, double b)
{
  return CLAMP (i->yoff + i->ys * (i->kr * r + (1 - i->kr - i->kb) * g + i->kb * b), 0, i->max);
}

static double
ideal_u (const Ideal *i, double r, double g, double b)
{
  double y = i->kr * r + (1 - i->kr - i->kb) * g + i->kb * b;
  return CLAMP (i->mid + i->cs * (b - y) / (2 * (1 - i->kb)), 0, i->max);
}

static double
ideal_v (const Ideal *i, double r, double g, double b)
{
  double y = i->kr * r + (1 - i->kr - i->kb) * g + i->kb * b;
  return CLAMP (i->mid + i->cs * (r - y) / (2 * (1 - i->kr)), 0, i->max);
}

static guint
bytes_of (VidwritePixelFormat format)
{
  return vidwrite_pixel_format_frame_size (format, 1, 1);
}

/* Random pixels plus the extremes, in the layout `format`. */
static GBytes *
make_pixels (VidwritePixelFormat format, guint width, guint height, guint seed)
{
  const guint bpp = bytes_of (format);
  guint8 *data = g_malloc ((gsize) width * height * bpp);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < (gsize) width * height * bpp; i++)
    data[i] = (guint8) g_rand_int_range (rand, 0, 256);
  memset (data, 0, bpp);
  memset (data + bpp, 255, bpp);
  g_rand_free (rand);
  return g_bytes_new_take (data, (gsize) width * height * bpp);
}

static double
sample (const guint8 *p, gboolean deep)
{
  return deep ? p[0] | p[1] << 8 : p[0];
}

static void
rgb_of (VidwritePixelFormat format, const guint8 *p, double *r, double *g, double *b)
{
  switch (format)
    {
    case VIDWRITE_PIXEL_FORMAT_RGB:
    case VIDWRITE_PIXEL_FORMAT_RGBA:
      *r = p[0], *g = p[1], *b = p[2];
      break;
    case VIDWRITE_PIXEL_FORMAT_BGR:
    case VIDWRITE_PIXEL_FORMAT_BGRA:
      *r = p[2], *g = p[1], *b = p[0];
      break;
    case VIDWRITE_PIXEL_FORMAT_GRAY8:
      *r = *g = *b = p[0];
      break;
    case VIDWRITE_PIXEL_FORMAT_RGB48:
      *r = sample (p, TRUE), *g = sample (p + 2, TRUE), *b = sample (p + 4, TRUE);
      break;
    case VIDWRITE_PIXEL_FORMAT_GRAY16:
      *r = *g = *b = sample (p, TRUE);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Off by no more than the rounding of the ideal value (and the fixed-point weights' error). */
#define CLOSE(got, want) g_assert_cmpfloat (fabs ((got) - (want)), <=, 0.5 + 0.01)

static void
check (VidwritePixelFormat format, GstVideoFormat out, guint width, guint height,
       const char *colorimetry)
{
  const guint bpp = bytes_of (format);
  const gboolean deep_in = bpp == 2 || bpp == 6;
  const gboolean deep_out = GST_VIDEO_FORMAT_INFO_DEPTH (gst_video_format_get_info (out), 0) > 8;
  const Ideal ideal = ideal_for (colorimetry, deep_in ? 16 : 8, deep_out ? 10 : 8);
  g_autoptr (GBytes) pixels = make_pixels (format, width, height, width * 31 + height);
  const guint8 *src = g_bytes_get_data (pixels, NULL);
  GstVideoColorimetry c;
  VwConverter *converter;
  GstBuffer *buffer;
  GstVideoInfo info;
  GstVideoFrame frame;

  gst_video_colorimetry_from_string (&c, colorimetry);
  converter = vw_converter_new (format, out, width, height, &c, NULL);
  g_assert_nonnull (converter);
  g_assert_true (vw_converter_is_native (converter));
  buffer = vw_converter_convert (converter, pixels, 0);
  gst_video_info_set_format (&info, out, width, height);
  g_assert_true (gst_video_frame_map (&frame, &info, buffer, GST_MAP_READ));

#define AT(p, x, y)                                                                                \
  sample ((const guint8 *)GST_VIDEO_FRAME_COMP_DATA (&frame, p)                                    \
              + (y)*GST_VIDEO_FRAME_COMP_STRIDE (&frame, p) + (x) * (deep_out ? 2 : 1),            \
          deep_out)
  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      {
        double r, g, b;

        rgb_of (format, src + ((gsize) y * width + x) * bpp, &r, &g, &b);
        CLOSE (AT (0, x, y), ideal_y (&ideal, r, g, b));
      }

  const guint sub = GST_VIDEO_FORMAT_INFO_H_SUB (info.finfo, 1) ? 2 : 1;
  for (guint cy = 0; cy < height / sub; cy++)
    for (guint cx = 0; cx < width / sub; cx++)
      {
        double r = 0, g = 0, b = 0;

        for (guint dy = 0; dy < sub; dy++)
          for (guint dx = 0; dx < sub; dx++)
            {
              double pr, pg, pb;

              rgb_of (format, src + ((gsize) (cy * sub + dy) * width + cx * sub + dx) * bpp, &pr,
                      &pg, &pb);
              r += pr / (sub * sub), g += pg / (sub * sub), b += pb / (sub * sub);
            }
        CLOSE (AT (1, cx, cy), ideal_u (&ideal, r, g, b));
        CLOSE (AT (2, cx, cy), ideal_v (&ideal, r, g, b));
      }
#undef AT

  gst_video_frame_unmap (&frame);
  gst_buffer_unref (buffer);
  vw_converter_free (converter);
}

static void
test_layouts (void)
{
  const VidwritePixelFormat formats[] = { VIDWRITE_PIXEL_FORMAT_RGB, VIDWRITE_PIXEL_FORMAT_BGR,
                                          VIDWRITE_PIXEL_FORMAT_RGBA, VIDWRITE_PIXEL_FORMAT_BGRA,
                                          VIDWRITE_PIXEL_FORMAT_GRAY8 };
  /* Widths around the vector lengths, so that every loop's tail runs too. */
  const guint widths[] = { 2, 16, 30, 64, 66, 318, 1282 };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
      {
        check (formats[f], GST_VIDEO_FORMAT_I420, widths[w], 6, GST_VIDEO_COLORIMETRY_BT601);
        check (formats[f], GST_VIDEO_FORMAT_Y444, widths[w] + 1, 5, GST_VIDEO_COLORIMETRY_BT601);
      }
}

/* The colour options' matrices and ranges: BT.709 limited and full (whose chroma reaches past
 * 255 and is clamped), BT.2020, BT.601 full. */
static void
test_matrices (void)
{
  const char *const colorimetries[] = { "bt709", "1:3:5:1", "bt2020", "1:4:0:0" };
  const VidwritePixelFormat formats[]
      = { VIDWRITE_PIXEL_FORMAT_RGB, VIDWRITE_PIXEL_FORMAT_BGRA, VIDWRITE_PIXEL_FORMAT_GRAY8 };

  for (guint c = 0; c < G_N_ELEMENTS (colorimetries); c++)
    for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
      {
        check (formats[f], GST_VIDEO_FORMAT_I420, 66, 4, colorimetries[c]);
        check (formats[f], GST_VIDEO_FORMAT_Y444, 31, 3, colorimetries[c]);
      }
}

/* 16-bit RGB and grey to 10-bit YUV, exactly rounded. */
static void
test_deep (void)
{
  const char *const colorimetries[] = { GST_VIDEO_COLORIMETRY_BT601, "bt709", "1:3:5:1" };

  for (guint c = 0; c < G_N_ELEMENTS (colorimetries); c++)
    for (guint w = 2; w < 40; w += 8)
      {
        check (VIDWRITE_PIXEL_FORMAT_RGB48, GST_VIDEO_FORMAT_I420_10LE, w, 4, colorimetries[c]);
        check (VIDWRITE_PIXEL_FORMAT_RGB48, GST_VIDEO_FORMAT_Y444_10LE, w + 1, 3, colorimetries[c]);
        check (VIDWRITE_PIXEL_FORMAT_GRAY16, GST_VIDEO_FORMAT_I420_10LE, w, 2, colorimetries[c]);
        check (VIDWRITE_PIXEL_FORMAT_GRAY16, GST_VIDEO_FORMAT_Y444_10LE, w + 1, 3,
               colorimetries[c]);
      }
}

/* 16-bit RGB has no GStreamer format to hand on: a format the converter cannot make is an
 * error naming both. */
static void
test_deep_refused (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (
      vw_converter_new (VIDWRITE_PIXEL_FORMAT_RGB48, GST_VIDEO_FORMAT_I420, 16, 16, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INCOMPATIBLE);
  g_assert_nonnull (strstr (error->message, "rgb48le"));
  g_assert_nonnull (strstr (error->message, "I420_10LE"));
}

/* The table's plane sizes: tightly packed, chroma rounded up for odd sides. */
static void
test_frame_sizes (void)
{
  VidwritePixelFormat f;

  g_assert_cmpuint (vidwrite_pixel_format_frame_size (VIDWRITE_PIXEL_FORMAT_I420, 5, 3), ==,
                    15 + 2 * 3 * 2);
  g_assert_cmpuint (vidwrite_pixel_format_frame_size (VIDWRITE_PIXEL_FORMAT_NV12, 5, 3), ==,
                    15 + 6 * 2);
  g_assert_cmpuint (vidwrite_pixel_format_frame_size (VIDWRITE_PIXEL_FORMAT_Y444, 5, 3), ==, 45);
  g_assert_cmpuint (vidwrite_pixel_format_frame_size (VIDWRITE_PIXEL_FORMAT_RGB48, 5, 3), ==, 90);
  g_assert_cmpuint (vidwrite_pixel_format_frame_size (VIDWRITE_PIXEL_FORMAT_GRAY16, 5, 3), ==, 30);
  g_assert_cmpuint (vidwrite_pixel_format_frame_size (VIDWRITE_PIXEL_FORMAT_RGB, 5, 3), ==, 45);
  g_assert_cmpuint (vidwrite_pixel_format_frame_size ((VidwritePixelFormat)99, 5, 3), ==, 0);
  g_assert_true (vidwrite_pixel_format_from_name ("nv12", &f, NULL));
  g_assert_cmpint (f, ==, VIDWRITE_PIXEL_FORMAT_NV12);
  g_assert_cmpstr (vidwrite_pixel_format_get_name (VIDWRITE_PIXEL_FORMAT_RGB48), ==, "rgb48le");
  g_assert_true (vidwrite_pixel_format_for_array (3, 2, &f, NULL));
  g_assert_cmpint (f, ==, VIDWRITE_PIXEL_FORMAT_RGB48);
  g_assert_false (vidwrite_pixel_format_for_array (4, 2, &f, NULL));
  {
    g_autoptr (GError) error = NULL;
    g_assert_false (vidwrite_pixel_format_from_name ("yuv411p", &f, &error));
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "yuv411p"));
  }
}

/* Grey stays grey: chroma exactly 128 for every level of r = g = b. */
static void
test_neutral (void)
{
  guint8 *data = g_malloc (256 * 2 * 3);
  for (guint i = 0; i < 256 * 2; i++)
    data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = (guint8) (i % 256);
  g_autoptr (GBytes) pixels = g_bytes_new_take (data, 256 * 2 * 3);
  VwConverter *converter
      = vw_converter_new (VIDWRITE_PIXEL_FORMAT_RGB, GST_VIDEO_FORMAT_Y444, 256, 2, NULL, NULL);
  GstBuffer *buffer = vw_converter_convert (converter, pixels, 0);
  GstMapInfo map;
  GstVideoInfo info;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_Y444, 256, 2);
  gst_buffer_map (buffer, &map, GST_MAP_READ);
  for (guint p = 1; p < 3; p++)
    for (guint i = 0; i < 256; i++)
      g_assert_cmpuint (map.data[GST_VIDEO_INFO_PLANE_OFFSET (&info, p) + i], ==, 128);
  g_assert_cmpuint (map.data[0], ==, 16);
  g_assert_cmpuint (map.data[255], ==, 235);
  gst_buffer_unmap (buffer, &map);
  gst_buffer_unref (buffer);
  vw_converter_free (converter);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  g_test_add_func ("/convert/layouts", test_layouts);
  g_test_add_func ("/convert/neutral", test_neutral);
  g_test_add_func ("/convert/matrices", test_matrices);
  g_test_add_func ("/convert/deep", test_deep);
  g_test_add_func ("/convert/deep-refused", test_deep_refused);
  g_test_add_func ("/convert/frame-sizes", test_frame_sizes);
  return g_test_run ();
}
