/* The RGB -> YUV converter against the ideal BT.601 limited-range formula, pixel by pixel.  Built
 * twice: with the per-CPU clones the library uses, and with the baseline code alone. */
#include "vidwrite-private.h"

#include <math.h>

static double
ideal_y (double r, double g, double b)
{
  return 16 + 219.0 / 255.0 * (0.299 * r + 0.587 * g + 0.114 * b);
}

static double
ideal_u (double r, double g, double b)
{
  return 128 + 224.0 / 255.0 * (-0.299 * r - 0.587 * g + 0.886 * b) / 1.772;
}

static double
ideal_v (double r, double g, double b)
{
  return 128 + 224.0 / 255.0 * (0.701 * r - 0.587 * g - 0.114 * b) / 1.402;
}

/* Random pixels plus the extremes, in the layout `format`. */
static GBytes *
make_pixels (VidwritePixelFormat format, guint width, guint height, guint seed)
{
  const guint bpp = vw_pixel_format_bytes (format);
  guint8 *data = g_malloc ((gsize) width * height * bpp);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < (gsize) width * height * bpp; i++)
    data[i] = (guint8) g_rand_int_range (rand, 0, 256);
  memset (data, 0, bpp);
  memset (data + bpp, 255, bpp);
  g_rand_free (rand);
  return g_bytes_new_take (data, (gsize) width * height * bpp);
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
    }
}

/* Off by no more than the rounding of the ideal value (and the 16.16 coefficients' error). */
#define CLOSE(got, want) g_assert_cmpfloat (fabs ((got) - (want)), <=, 0.5 + 0.01)

static void
check (VidwritePixelFormat format, GstVideoFormat out, guint width, guint height)
{
  const guint bpp = vw_pixel_format_bytes (format);
  g_autoptr (GBytes) pixels = make_pixels (format, width, height, width * 31 + height);
  const guint8 *src = g_bytes_get_data (pixels, NULL);
  VwConverter *converter = vw_converter_new (format, out, width, height);
  GstBuffer *buffer;
  GstVideoInfo info;
  GstVideoFrame frame;

  g_assert_true (vw_converter_is_native (converter));
  buffer = vw_converter_convert (converter, pixels, 0);
  gst_video_info_set_format (&info, out, width, height);
  g_assert_true (gst_video_frame_map (&frame, &info, buffer, GST_MAP_READ));

  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      {
        double r, g, b;
        const guint8 *luma = GST_VIDEO_FRAME_COMP_DATA (&frame, 0);

        rgb_of (format, src + ((gsize) y * width + x) * bpp, &r, &g, &b);
        CLOSE (luma[y * GST_VIDEO_FRAME_COMP_STRIDE (&frame, 0) + x], ideal_y (r, g, b));
      }

  const guint sub = out == GST_VIDEO_FORMAT_I420 ? 2 : 1;
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
        const guint8 *u = GST_VIDEO_FRAME_COMP_DATA (&frame, 1);
        const guint8 *v = GST_VIDEO_FRAME_COMP_DATA (&frame, 2);
        CLOSE (u[cy * GST_VIDEO_FRAME_COMP_STRIDE (&frame, 1) + cx], ideal_u (r, g, b));
        CLOSE (v[cy * GST_VIDEO_FRAME_COMP_STRIDE (&frame, 2) + cx], ideal_v (r, g, b));
      }

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
        check (formats[f], GST_VIDEO_FORMAT_I420, widths[w], 6);
        check (formats[f], GST_VIDEO_FORMAT_Y444, widths[w] + 1, 5);
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
  VwConverter *converter = vw_converter_new (VIDWRITE_PIXEL_FORMAT_RGB, GST_VIDEO_FORMAT_Y444, 256, 2);
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
  return g_test_run ();
}
