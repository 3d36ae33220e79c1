/* The one-shot call: what it writes, checked by decoding it back with FFmpeg and GStreamer. */
#include "vwt.h"

#include <math.h>
#include <string.h>

typedef VwtFixture Fixture;


/* The default write against FFmpeg's CLI on the same frames: frames, rate, size, fidelity. */
static void
test_default (Fixture *f, gconstpointer data)
{
  const guint n = 60, h = 240, w = 320;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 1);
  g_autofree char *ours = vwt_path (f->dir, "ours.mp4");
  g_autofree char *ref = vwt_path (f->dir, "ffmpeg.mp4");

  vwt_write_ok (ours, frames, n, h, w, 3, 30, NULL, NULL);
  g_assert_true (vwt_ffmpeg_encode (frames, w, h, "rgb24", "30",
                                    "-c:v libx264 -pix_fmt yuv420p", ref));

  g_autoptr (GHashTable) probe = vwt_probe_stream (ours, "v:0");
  g_assert_cmpstr (vwt_probe_str (probe, "codec_name"), ==, "h264");
  g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, n);
  g_assert_cmpstr (vwt_probe_str (probe, "r_frame_rate"), ==, "30/1");
  g_assert_cmpint (vwt_probe_int (probe, "width"), ==, w);
  g_assert_cmpint (vwt_probe_int (probe, "height"), ==, h);
  g_assert_cmpstr (vwt_probe_str (probe, "pix_fmt"), ==, "yuv420p");
  g_assert_cmpstr (vwt_probe_str (probe, "color_space"), ==, "smpte170m");
  g_assert_cmpfloat_with_epsilon (vwt_probe_double (probe, "duration"), 2.0, 0.001);
  g_assert_cmpint (vwt_gst_count_video_frames (ours), ==, n);

  g_autoptr (GBytes) ours_rgb = vwt_decode_video (ours, "rgb24");
  g_autoptr (GBytes) ref_rgb = vwt_decode_video (ref, "rgb24");
  g_assert_nonnull (ours_rgb);
  g_assert_nonnull (ref_rgb);
  double psnr = vwt_psnr (frames, ours_rgb), psnr_ref = vwt_psnr (frames, ref_rgb);
  g_test_message ("PSNR vidwrite %.2f dB, FFmpeg CLI %.2f dB; size %zu vs %zu", psnr, psnr_ref,
                  vwt_file_size (ours), vwt_file_size (ref));
  g_assert_cmpfloat (psnr, >=, psnr_ref - 1.0);
  /* The colour shift over all channels: FFmpeg's decoder alone shows about a level. */
  double shift = 0, shift_ref = 0;
  for (guint c = 0; c < 3; c++)
    {
      double s = vwt_mean_shift (frames, ours_rgb, 3, c), r = vwt_mean_shift (frames, ref_rgb, 3, c);

      g_test_message ("channel %u: mean shift vidwrite %+.3f, FFmpeg CLI %+.3f", c, s, r);
      shift += fabs (s) / 3;
      shift_ref += fabs (r) / 3;
    }
  g_assert_cmpfloat (shift, <=, shift_ref + 0.05);
}

static double
psnr_of (const char *path, GBytes *frames)
{
  g_autoptr (GBytes) rgb = vwt_decode_video (path, "rgb24");

  g_assert_nonnull (rgb);
  return vwt_psnr (frames, rgb);
}

/* crf is honoured: 17 is larger and better than 30; at 23 the size is near FFmpeg's own. */
static void
test_crf (Fixture *f, gconstpointer data)
{
  const guint n = 30, h = 240, w = 320;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 2);
  g_autofree char *p17 = vwt_path (f->dir, "crf17.mp4");
  g_autofree char *p30 = vwt_path (f->dir, "crf30.mp4");
  g_autofree char *p23 = vwt_path (f->dir, "crf23.mkv");
  g_autofree char *ref = vwt_path (f->dir, "ffmpeg23.mkv");
  g_autoptr (GHashTable) o17 = vwt_options ("crf", "17", NULL);
  g_autoptr (GHashTable) o30 = vwt_options ("crf", "30", NULL);
  g_autoptr (GHashTable) o23 = vwt_options ("crf", "23", "preset", "medium", NULL);

  vwt_write_ok (p17, frames, n, h, w, 3, 25, "libx264", o17);
  vwt_write_ok (p30, frames, n, h, w, 3, 25, "libx264", o30);
  vwt_write_ok (p23, frames, n, h, w, 3, 25, "h264", o23);
  g_assert_true (vwt_ffmpeg_encode (frames, w, h, "rgb24", "25",
                                    "-c:v libx264 -crf 23 -preset medium -pix_fmt yuv420p", ref));

  gsize s17 = vwt_file_size (p17), s30 = vwt_file_size (p30);
  double q17 = psnr_of (p17, frames), q30 = psnr_of (p30, frames);
  g_test_message ("crf 17: %zu bytes %.2f dB; crf 30: %zu bytes %.2f dB", s17, q17, s30, q30);
  g_assert_cmpuint (s17, >, s30 * 3 / 2);
  g_assert_cmpfloat (q17, >, q30 + 1.5);

  gsize s23 = vwt_file_size (p23), sref = vwt_file_size (ref);
  g_test_message ("crf 23: vidwrite %zu bytes, FFmpeg %zu bytes", s23, sref);
  g_assert_cmpfloat (fabs ((double) s23 / sref - 1.0), <, 0.10);
}

/* 29.97 is 30000/1001 in the file, not 30 and not 2997/100. */
static void
test_ntsc (Fixture *f, gconstpointer data)
{
  const guint n = 30;
  g_autoptr (GBytes) frames = vwt_make_frames (n, 120, 160, 3, 3);
  g_autofree char *path = vwt_path (f->dir, "ntsc.mp4");

  vwt_write_ok (path, frames, n, 120, 160, 3, 29.97, NULL, NULL);
  g_autoptr (GHashTable) probe = vwt_probe_stream (path, "v:0");
  g_assert_cmpstr (vwt_probe_str (probe, "r_frame_rate"), ==, "30000/1001");
  g_assert_cmpstr (vwt_probe_str (probe, "avg_frame_rate"), ==, "30000/1001");
  g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, n);
  g_assert_cmpfloat_with_epsilon (vwt_probe_double (probe, "duration"), n * 1001.0 / 30000.0, 0.0005);
}

/* 318 RGB pixels are 954 bytes a row, not a multiple of 4: the frame must not shear. */
static void
test_stride (Fixture *f, gconstpointer data)
{
  const guint n = 5, h = 100, w = 318;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 4);
  g_autofree char *path = vwt_path (f->dir, "stride.mkv");
  g_autoptr (GHashTable) lossless = vwt_options ("qp", "0", "pix_fmt", "yuv444p", NULL);

  /* Lossless 4:4:4 leaves only the rounding of RGB->YUV->RGB: a sheared frame would be far off. */
  vwt_write_ok (path, frames, n, h, w, 3, 10, NULL, lossless);
  g_autoptr (GBytes) rgb = vwt_decode_video (path, "rgb24");
  g_assert_nonnull (rgb);
  double psnr = vwt_psnr (frames, rgb);
  g_test_message ("318-wide PSNR %.2f dB", psnr);
  g_assert_cmpfloat (psnr, >, 40);
}

/* The same frames, fed through the path that wraps the caller's memory for videoconvert. */
static void
test_stride_wrapped (Fixture *f, gconstpointer data)
{
  const guint n = 5, h = 100, w = 318;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 4);
  g_autofree char *path = vwt_path (f->dir, "stride422.mkv");
  g_autoptr (GHashTable) options = vwt_options ("pix_fmt", "yuv422p", "qp", "0", NULL);

  vwt_write_ok (path, frames, n, h, w, 3, 10, NULL, options);
  g_autoptr (GHashTable) probe = vwt_probe_stream (path, "v:0");
  g_assert_cmpstr (vwt_probe_str (probe, "pix_fmt"), ==, "yuv422p");
  g_autoptr (GBytes) rgb = vwt_decode_video (path, "rgb24");
  g_assert_nonnull (rgb);
  double psnr = vwt_psnr (frames, rgb);
  g_test_message ("318-wide via videoconvert PSNR %.2f dB", psnr);
  g_assert_cmpfloat (psnr, >, 30);
}

static void
test_gray (Fixture *f, gconstpointer data)
{
  const guint n = 10, h = 120, w = 160;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 1, 5);
  g_autofree char *path = vwt_path (f->dir, "gray.mp4");

  vwt_write_ok (path, frames, n, h, w, 1, 30, NULL, NULL);
  g_autoptr (GBytes) gray = vwt_decode_video (path, "gray");
  g_assert_nonnull (gray);
  double psnr = vwt_psnr (frames, gray);
  g_test_message ("gray PSNR %.2f dB", psnr);
  g_assert_cmpfloat (psnr, >, 35);
  g_assert_cmpfloat (fabs (vwt_mean_shift (frames, gray, 1, 0)), <, 1.0);
}

static void
test_rgba (Fixture *f, gconstpointer data)
{
  const guint n = 10, h = 120, w = 160;
  g_autoptr (GBytes) rgba = vwt_make_frames (n, h, w, 4, 6);
  g_autoptr (GBytes) rgb = vwt_make_frames (n, h, w, 3, 6);
  g_autofree char *path = vwt_path (f->dir, "rgba.mp4");

  vwt_write_ok (path, rgba, n, h, w, 4, 30, NULL, NULL);
  g_autoptr (GBytes) decoded = vwt_decode_video (path, "rgb24");
  g_assert_nonnull (decoded);
  double psnr = vwt_psnr (rgb, decoded);
  g_test_message ("RGBA PSNR %.2f dB", psnr);
  g_assert_cmpfloat (psnr, >, 28);
}

static void
test_single_frame (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) frames = vwt_make_frames (1, 64, 64, 3, 7);
  g_autofree char *path = vwt_path (f->dir, "one.mp4");

  vwt_write_ok (path, frames, 1, 64, 64, 3, 30, NULL, NULL);
  g_autoptr (GHashTable) probe = vwt_probe_stream (path, "v:0");
  g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, 1);
  g_assert_cmpint (vwt_gst_count_video_frames (path), ==, 1);
}

/* Odd sizes: 4:2:0 refuses them and says what to do; yuv444p takes them. */
static void
test_odd_size (Fixture *f, gconstpointer data)
{
  const guint n = 4, h = 121, w = 161;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 8);
  g_autofree char *bad = vwt_path (f->dir, "odd420.mp4");
  g_autofree char *good = vwt_path (f->dir, "odd444.mp4");
  g_autoptr (GHashTable) yuv444 = vwt_options ("pix_fmt", "yuv444p", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_false (vidwrite_write_video (bad, frames, n, h, w, 3, 30, NULL, NULL, NULL, 0, 0, NULL,
                                        NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INCOMPATIBLE);
  g_assert_nonnull (strstr (error->message, "161x121"));
  g_assert_nonnull (strstr (error->message, "pix_fmt=yuv444p"));
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));

  vwt_write_ok (good, frames, n, h, w, 3, 30, NULL, yuv444);
  g_autoptr (GHashTable) probe = vwt_probe_stream (good, "v:0");
  g_assert_cmpstr (vwt_probe_str (probe, "pix_fmt"), ==, "yuv444p");
  g_assert_cmpint (vwt_probe_int (probe, "width"), ==, w);
  g_assert_cmpint (vwt_probe_int (probe, "height"), ==, h);
  g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, n);
  g_assert_cmpfloat (psnr_of (good, frames), >, 33);
}

/* H.264 goes into every container that takes it, with the frames intact. */
static void
test_containers (Fixture *f, gconstpointer data)
{
  const char *const names[] = { "c.mp4", "c.mov", "c.mkv", "c.avi", "c.ts", "c.flv" };
  const guint n = 15, h = 96, w = 128;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 9);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = vwt_path (f->dir, names[i]);

      vwt_write_ok (path, frames, n, h, w, 3, 15, NULL, NULL);
      g_autoptr (GHashTable) probe = vwt_probe_stream (path, "v:0");
      g_test_message ("%s: %s, %d frames", names[i], vwt_probe_str (probe, "codec_name"),
                      vwt_probe_int (probe, "nb_read_frames"));
      g_assert_cmpstr (vwt_probe_str (probe, "codec_name"), ==, "h264");
      g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, n);
      g_assert_cmpfloat (psnr_of (path, frames), >, 30);
    }
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
#define ADD(path, func) VWT_ADD (path, func)
  ADD ("/write/default", test_default);
  ADD ("/write/crf", test_crf);
  ADD ("/write/ntsc", test_ntsc);
  ADD ("/write/stride", test_stride);
  ADD ("/write/stride-wrapped", test_stride_wrapped);
  ADD ("/write/gray", test_gray);
  ADD ("/write/rgba", test_rgba);
  ADD ("/write/single-frame", test_single_frame);
  ADD ("/write/odd-size", test_odd_size);
  ADD ("/write/containers", test_containers);
  return g_test_run ();
}
