/* Pixel formats beyond 8-bit RGB (issue 13, part 2): YUV input that reaches the encoder
 * unconverted, 16-bit input written as 10-bit video, and the colour options, each decoded back
 * with FFmpeg. */
#include "vwt.h"

#include <math.h>
#include <string.h>

typedef VwtFixture Fixture;

#define FPS 25

/* Writes `frames` of `format` with `codec` and "k=v k=v" options; FALSE with `error` set if the
 * writer refuses. */
static gboolean
write_frames (const char *path, GBytes *frames, VidwritePixelFormat format, guint width,
              guint height, const char *codec, const char *options, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, error);
  g_autoptr (GHashTable) table = vwt_options_parse (options, " ");

  return writer
         && vidwrite_writer_set_video (writer, width, height, format, FPS, 1, codec, table, error)
         && vidwrite_writer_push_frames (writer, frames, error)
         && vidwrite_writer_finish (writer, NULL, error);
}

/* Noise bytes: any value is a sample of some YUV frame, and noise is what a lossy path
 * cannot keep. */
static GBytes *
noise (gsize size, guint seed)
{
  guint8 *data = g_malloc (size);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8)g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  return g_bytes_new_take (data, size);
}

/* Frame sizes: packed and planar, odd sides rounded up for chroma, and sides outside the
 * writer's limits (which used to reach GstVideoInfo unchecked, or wrap) give 0. */
static void
test_frame_size (void)
{
  g_assert_cmpuint (vidwrite_pixel_format_frame_size (VIDWRITE_PIXEL_FORMAT_RGB, 33, 17), ==,
                    33 * 17 * 3);
  g_assert_cmpuint (vidwrite_pixel_format_frame_size (VIDWRITE_PIXEL_FORMAT_RGB48, 2, 2), ==, 24);
  g_assert_cmpuint (vidwrite_pixel_format_frame_size (VIDWRITE_PIXEL_FORMAT_I420, 33, 17), ==,
                    33 * 17 + 2 * 17 * 9);
  g_assert_cmpuint (vidwrite_pixel_format_frame_size (VIDWRITE_PIXEL_FORMAT_I420, 16384, 16384),
                    ==, (gsize) 16384 * 16384 * 3 / 2);
  g_assert_cmpuint (vidwrite_pixel_format_frame_size (VIDWRITE_PIXEL_FORMAT_RGB, 0, 16), ==, 0);
  g_assert_cmpuint (vidwrite_pixel_format_frame_size (VIDWRITE_PIXEL_FORMAT_I420, 16385, 2), ==, 0);
  g_assert_cmpuint (vidwrite_pixel_format_frame_size (VIDWRITE_PIXEL_FORMAT_I420, G_MAXUINT,
                                                      G_MAXUINT), ==, 0);
  g_assert_cmpuint (vidwrite_pixel_format_frame_size (VIDWRITE_PIXEL_FORMAT_RGB48, G_MAXUINT, 3),
                    ==, 0);
  g_assert_cmpuint (vidwrite_pixel_format_frame_size ((VidwritePixelFormat) 99, 16, 16), ==, 0);
}

/* YUV frames in, the same bytes out of FFmpeg's decoder: nothing converted them on the way. */
static void
test_yuv_lossless (Fixture *f, gconstpointer data)
{
  static const struct
  {
    VidwritePixelFormat format;
    const char *codec, *options, *file;
    guint width, height;
  } cases[] = {
    { VIDWRITE_PIXEL_FORMAT_I420, "ffv1", NULL, "i420.mkv", 64, 48 },
    { VIDWRITE_PIXEL_FORMAT_Y444, "ffv1", NULL, "y444-odd.mkv", 33, 17 },
    { VIDWRITE_PIXEL_FORMAT_I420, "libx264", "qp=0", "i420.mp4", 64, 48 },
    { VIDWRITE_PIXEL_FORMAT_NV12, "libx264", "qp=0", "nv12.mkv", 64, 48 },
    { VIDWRITE_PIXEL_FORMAT_Y444, "libx264", "qp=0", "y444.mkv", 48, 32 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const guint n = 4;
      gsize frame
          = vidwrite_pixel_format_frame_size (cases[i].format, cases[i].width, cases[i].height);
      g_autofree char *path = vwt_path (f->dir, cases[i].file);
      g_autoptr (GBytes) frames = noise (frame * n, i + 1);
      g_autoptr (GBytes) decoded = NULL;
      g_autoptr (GError) error = NULL;
      const char *name = vidwrite_pixel_format_get_name (cases[i].format);

      g_test_message ("%s %s -> %s", name, cases[i].codec, cases[i].file);
      g_assert_true (write_frames (path, frames, cases[i].format, cases[i].width, cases[i].height,
                                   cases[i].codec, cases[i].options, &error));
      g_assert_no_error (error);
      decoded = vwt_decode_video (path, name);
      g_assert_nonnull (decoded);
      g_assert_cmpuint (g_bytes_get_size (decoded), ==, frame * n);
      g_assert_true (g_bytes_equal (decoded, frames));
    }
}

/* 16-bit RGB frames: smooth 8-bit pictures widened, with detail in the low bits. */
static GBytes *
make_frames16 (guint n, guint height, guint width, guint channels, guint seed)
{
  g_autoptr (GBytes) base = vwt_make_frames (n, height, width, channels, seed);
  gsize count = g_bytes_get_size (base);
  const guint8 *b = g_bytes_get_data (base, NULL);
  guint16 *data = g_new (guint16, count);

  for (gsize i = 0; i < count; i++)
    data[i] = GUINT16_TO_LE ((guint16)(b[i] * 257 - (b[i] ? (i * 37) % 200 : 0)));
  return g_bytes_new_take (data, count * 2);
}

/* PSNR of 16-bit samples, little-endian, at a peak of 65535. */
static double
psnr16 (GBytes *a, GBytes *b)
{
  gsize n = g_bytes_get_size (a) / 2;
  const guint8 *pa = g_bytes_get_data (a, NULL), *pb = g_bytes_get_data (b, NULL);
  double se = 0;

  g_assert_cmpuint (g_bytes_get_size (a), ==, g_bytes_get_size (b));
  for (gsize i = 0; i < n; i++)
    {
      double d = (double)(pa[2 * i] | pa[2 * i + 1] << 8) - (pb[2 * i] | pb[2 * i + 1] << 8);
      se += d * d;
    }
  return se == 0 ? INFINITY : 10 * log10 (65535.0 * 65535.0 / (se / n));
}

/* 16-bit RGB to 10-bit YUV with x265, VP9 and FFV1: 10-bit streams, close to the source after
 * FFmpeg's decode.  4:2:0 loses the test pattern's sharp chroma edges (about 30 dB at best);
 * lossless 4:4:4 keeps more than 8 bits could (8-bit samples of this source: at most 49 dB). */
static void
test_deep_rgb (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *codec, *options, *file, *pix_fmt;
    double min_psnr;
  } cases[] = {
    { "libx265", NULL, "x265.mkv", "yuv420p10le", 25 },
    { "libvpx-vp9", NULL, "vp9.webm", "yuv420p10le", 27.5 },
    { "libvpx-vp9", "pix_fmt=yuv444p10le", "vp9-444.mkv", "yuv444p10le", 39.5 },
    { "ffv1", NULL, "ffv1.mkv", "yuv420p10le", 28.5 },
    { "ffv1", "pix_fmt=yuv444p10le", "ffv1-444.mkv", "yuv444p10le", 52 },
    { "libx265", "pix_fmt=yuv444p10le x265-params=lossless=1", "x265-444.mp4", "yuv444p10le", 52 },
  };
  const guint w = 64, h = 48, n = 5;
  g_autoptr (GBytes) frames = make_frames16 (n, h, w, 3, 3);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = vwt_path (f->dir, cases[i].file);
      g_autoptr (GError) error = NULL;
      g_autoptr (GHashTable) probe = NULL;
      g_autoptr (GBytes) decoded = NULL;
      double psnr;

      g_assert_true (write_frames (path, frames, VIDWRITE_PIXEL_FORMAT_RGB48, w, h, cases[i].codec,
                                   cases[i].options, &error));
      g_assert_no_error (error);
      probe = vwt_probe_stream (path, "v:0");
      g_assert_cmpstr (vwt_probe_str (probe, "pix_fmt"), ==, cases[i].pix_fmt);
      g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, n);
      decoded = vwt_decode_video (path, "rgb48le");
      g_assert_nonnull (decoded);
      psnr = psnr16 (frames, decoded);
      g_test_message ("%s %s: %.2f dB", cases[i].codec, cases[i].pix_fmt, psnr);
      g_assert_cmpfloat (psnr, >=, cases[i].min_psnr);
    }
}

/* The 10-bit samples themselves are the exactly rounded BT.601 values: FFV1 keeps them, and
 * FFmpeg hands them back undecoded to RGB. */
static void
test_deep_exact (Fixture *f, gconstpointer data)
{
  const guint w = 32, h = 16, n = 2;
  g_autoptr (GBytes) frames = make_frames16 (n, h, w, 3, 5);
  g_autofree char *path = vwt_path (f->dir, "exact.mkv");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) decoded = NULL;
  const guint8 *src = g_bytes_get_data (frames, NULL);
  const guint16 *yuv;
  double worst = 0;

  g_assert_true (write_frames (path, frames, VIDWRITE_PIXEL_FORMAT_RGB48, w, h, "ffv1",
                               "pix_fmt=yuv444p10le", &error));
  g_assert_no_error (error);
  decoded = vwt_decode_video (path, "yuv444p10le");
  g_assert_cmpuint (g_bytes_get_size (decoded), ==, (gsize)n * w * h * 3 * 2);
  yuv = g_bytes_get_data (decoded, NULL);
  for (gsize p = 0; p < (gsize)n * w * h; p++)
    {
      gsize frame = p / (w * h), at = p % (w * h);
      const guint8 *s = src + 6 * p;
      double r = s[0] | s[1] << 8, g = s[2] | s[3] << 8, b = s[4] | s[5] << 8;
      double y = 0.299 * r + 0.587 * g + 0.114 * b;
      double want[3] = { 64 + 876.0 / 65535 * y, 512 + 896.0 / 65535 * (b - y) / 1.772,
                         512 + 896.0 / 65535 * (r - y) / 1.402 };

      for (guint c = 0; c < 3; c++)
        worst = MAX (worst, fabs (GUINT16_FROM_LE (yuv[(frame * 3 + c) * w * h + at]) - want[c]));
    }
  g_test_message ("largest distance from the ideal 10-bit value: %.4f", worst);
  g_assert_cmpfloat (worst, <=, 0.5 + 0.001);
}

/* 16-bit grey through FFV1's gray16le: bit-exact. */
static void
test_gray16_lossless (Fixture *f, gconstpointer data)
{
  const guint w = 40, h = 30, n = 3;
  g_autoptr (GBytes) frames = noise ((gsize)w * h * 2 * n, 9);
  g_autofree char *path = vwt_path (f->dir, "gray16.mkv");
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) probe = NULL;
  g_autoptr (GBytes) decoded = NULL;

  g_assert_true (
      write_frames (path, frames, VIDWRITE_PIXEL_FORMAT_GRAY16, w, h, "ffv1", NULL, &error));
  g_assert_no_error (error);
  probe = vwt_probe_stream (path, "v:0");
  g_assert_cmpstr (vwt_probe_str (probe, "pix_fmt"), ==, "gray16le");
  decoded = vwt_decode_video (path, "gray16le");
  g_assert_true (g_bytes_equal (decoded, frames));
}

/* 16-bit grey to 10-bit video, where the codec takes no grey. */
static void
test_gray16_deep (Fixture *f, gconstpointer data)
{
  const guint w = 64, h = 48, n = 3;
  g_autoptr (GBytes) frames = make_frames16 (n, h, w, 1, 2);
  g_autofree char *path = vwt_path (f->dir, "gray16.mkv");
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) probe = NULL;
  g_autoptr (GBytes) decoded = NULL;
  double psnr;

  g_assert_true (
      write_frames (path, frames, VIDWRITE_PIXEL_FORMAT_GRAY16, w, h, "libx265", NULL, &error));
  g_assert_no_error (error);
  probe = vwt_probe_stream (path, "v:0");
  g_assert_cmpstr (vwt_probe_str (probe, "pix_fmt"), ==, "yuv420p10le");
  decoded = vwt_decode_video (path, "gray16le");
  psnr = psnr16 (frames, decoded);
  g_test_message ("gray16 through x265: %.2f dB", psnr);
  g_assert_cmpfloat (psnr, >=, 37);
}

/* What cannot be done says what and why: av1enc 1.22 codes 8 bits only; rgb48le has no
 * GStreamer format to convert from but the library's own 10-bit ones. */
static void
test_deep_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "refused.mkv");
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, NULL);
  g_autoptr (VidwriteWriter) writer2 = vidwrite_writer_new (path, NULL);
  g_autoptr (VidwriteWriter) writer3 = vidwrite_writer_new (path, NULL);
  g_autoptr (GHashTable) yuv420p = vwt_options ("pix_fmt", "yuv420p", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_false (vidwrite_writer_set_video (writer, 64, 48, VIDWRITE_PIXEL_FORMAT_RGB48, FPS, 1,
                                             "libaom-av1", NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INCOMPATIBLE);
  g_assert_nonnull (strstr (error->message, "rgb48le"));
  g_assert_nonnull (strstr (error->message, "10-bit"));
  g_clear_error (&error);
  g_assert_false (vidwrite_writer_set_video (writer2, 64, 48, VIDWRITE_PIXEL_FORMAT_RGB48, FPS, 1,
                                             "libx265", yuv420p, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INCOMPATIBLE);
  g_assert_nonnull (strstr (error->message, "I420_10LE"));
  g_clear_error (&error);
  g_assert_false (vidwrite_writer_set_video (writer3, 64, 48, VIDWRITE_PIXEL_FORMAT_I420, FPS, 1,
                                             "libx264rgb", NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INCOMPATIBLE);
  g_assert_nonnull (strstr (error->message, "yuv420p"));
}

/* The colour options tag the stream: in the codec's own header and the container's, as
 * ffprobe reports them. */
static void
test_colour_tags (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *codec, *file, *options;
    const char *space, *range, *primaries, *transfer;
  } cases[] = {
    { "libx264", "709-pc.mp4", "colorspace=bt709 color_range=pc", "bt709", "pc", "bt709", "bt709" },
    { "libx264", "709-pc.mkv", "colorspace=bt709 color_range=pc", "bt709", "pc", "bt709", "bt709" },
    { "libx264", "709-tv.mkv", "colorspace=bt709 color_range=tv", "bt709", "tv", "bt709", "bt709" },
    { "libx264", "601.mp4", NULL, "smpte170m", "tv", "smpte170m", "smpte170m" },
    { "libx264", "2020.mkv", "colorspace=bt2020nc color_primaries=bt2020 color_trc=smpte2084",
      "bt2020nc", "tv", "bt2020", "smpte2084" },
    /* GStreamer has one BT.601 matrix, which its encoders and muxers write as SMPTE 170M. */
    { "libx264", "mixed.mp4", "colorspace=bt470bg color_primaries=bt709 color_trc=iec61966-2-1",
      "smpte170m", "tv", "bt709", "iec61966-2-1" },
  };
  const guint w = 64, h = 48, n = 3;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 1);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = vwt_path (f->dir, cases[i].file);
      g_autoptr (GError) error = NULL;
      g_autoptr (GHashTable) probe = NULL;

      g_test_message ("%s %s", cases[i].file, cases[i].options ? cases[i].options : "");
      g_assert_true (write_frames (path, frames, VIDWRITE_PIXEL_FORMAT_RGB, w, h, cases[i].codec,
                                   cases[i].options, &error));
      g_assert_no_error (error);
      probe = vwt_probe_stream (path, "v:0");
      g_assert_cmpstr (vwt_probe_str (probe, "color_space"), ==, cases[i].space);
      g_assert_cmpstr (vwt_probe_str (probe, "color_range"), ==, cases[i].range);
      g_assert_cmpstr (vwt_probe_str (probe, "color_primaries"), ==, cases[i].primaries);
      g_assert_cmpstr (vwt_probe_str (probe, "color_transfer"), ==, cases[i].transfer);
    }
}

/* Converted with the matrix and range asked for: FFmpeg, decoding by the tags, sees the
 * picture as closely as through the BT.601 path (lossless x264, so only the conversions
 * count). */
static void
test_colour_fidelity (Fixture *f, gconstpointer data)
{
  static const char *const options[]
      = { NULL, "colorspace=bt709", "colorspace=bt709 color_range=pc",
          "colorspace=bt470bg color_range=pc" };
  const guint w = 96, h = 64, n = 3;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 4);
  double base_psnr = 0, base_shift = 0;

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      g_autofree char *name = g_strdup_printf ("fidelity-%u.mkv", i);
      g_autofree char *path = vwt_path (f->dir, name);
      g_autofree char *all = g_strjoin (" ", "qp=0", options[i], NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) decoded = NULL;
      double psnr, shift = 0;

      g_assert_true (
          write_frames (path, frames, VIDWRITE_PIXEL_FORMAT_RGB, w, h, "libx264", all, &error));
      g_assert_no_error (error);
      decoded = vwt_decode_video (path, "rgb24");
      psnr = vwt_psnr (frames, decoded);
      for (guint c = 0; c < 3; c++)
        shift = MAX (shift, fabs (vwt_mean_shift (frames, decoded, 3, c)));
      g_test_message ("%s: %.2f dB, largest mean shift %.3f", all, psnr, shift);
      if (i == 0)
        {
          base_psnr = psnr;
          base_shift = shift;
          continue;
        }
      g_assert_cmpfloat (psnr, >=, base_psnr - 0.3);
      g_assert_cmpfloat (shift, <=, base_shift + 0.1);
    }
}

/* Unknown colour names are errors naming the option and the value. */
static void
test_colour_unknown (Fixture *f, gconstpointer data)
{
  static const char *const keys[] = { "colorspace", "color_range", "color_primaries", "color_trc" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *path = vwt_path (f->dir, "unknown.mp4");
      g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, NULL);
      g_autoptr (GHashTable) options = vwt_options (keys[i], "bt601x", NULL);
      g_autoptr (GError) error = NULL;

      g_assert_false (vidwrite_writer_set_video (writer, 64, 48, VIDWRITE_PIXEL_FORMAT_RGB, FPS, 1,
                                                 "libx264", options, &error));
      g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_OPTION);
      g_assert_nonnull (strstr (error->message, keys[i]));
      g_assert_nonnull (strstr (error->message, "bt601x"));
    }
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
  g_test_add_func ("/pixfmt/frame-size", test_frame_size);
  VWT_ADD ("/pixfmt/yuv-lossless", test_yuv_lossless);
  VWT_ADD ("/pixfmt/deep-rgb", test_deep_rgb);
  VWT_ADD ("/pixfmt/deep-exact", test_deep_exact);
  VWT_ADD ("/pixfmt/gray16-lossless", test_gray16_lossless);
  VWT_ADD ("/pixfmt/gray16-deep", test_gray16_deep);
  VWT_ADD ("/pixfmt/deep-refused", test_deep_refused);
  VWT_ADD ("/pixfmt/colour-tags", test_colour_tags);
  VWT_ADD ("/pixfmt/colour-fidelity", test_colour_fidelity);
  VWT_ADD ("/pixfmt/colour-unknown", test_colour_unknown);
  return g_test_run ();
}
