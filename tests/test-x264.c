/* What users bring from FFmpeg and torchvision to libx264: libx264rgb, x264's own parameter
 * names, fractional crf; and encoder libraries that must print nothing. */
#define _GNU_SOURCE /* memmem, dl_iterate_phdr, RTLD_NOLOAD */
#include "vwt.h"

#include <dlfcn.h>
#include <gst/gst.h>
#include <link.h>
#include <string.h>

typedef VwtFixture Fixture;

#define W 96
#define H 64
#define FPS 25
#define RATE 48000

/* ffprobe's key_frame,pict_type of every video frame, one "1,I" line each. */
static char *
probe_frames (const char *path)
{
  const char *ffprobe = g_getenv ("FFPROBE") ? g_getenv ("FFPROBE") : "ffprobe";
  const char *argv[] = { ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries",
                         "frame=key_frame,pict_type", "-of", "csv=p=0", path, NULL };
  g_autoptr (GError) error = NULL;
  char *out = NULL;
  gint status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

/* x264 writes its settings into the stream (an SEI): "... crf=23.5 ... keyint=10 ...". */
static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *data = NULL;
  gsize size = 0;

  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  return memmem (data, size, needle, strlen (needle)) != NULL;
}

/* torchvision's own test: write_video(..., "libx264rgb", options={"crf": "0"}) must come back
 * from FFmpeg's decoder bit-exact, in .mp4 and .mkv, with audio alongside.  Also qp=0, BGR and
 * grey input. */
static void
test_rgb_lossless (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *file, *key;
    guint channels; /* 3 RGB, 1 grey */
  } cases[] = {
    { "crf0.mp4", "crf", 3 }, { "crf0.mkv", "crf", 3 }, { "qp0.mp4", "qp", 3 },
    { "grey.mkv", "crf", 1 },
  };
  const double freqs[] = { 440, 1000 };
  g_autoptr (GBytes) tones = vwt_make_tones (2, RATE, RATE, freqs);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = vwt_path (f->dir, cases[i].file);
      g_autoptr (GBytes) frames = vwt_make_frames (FPS, H, W, cases[i].channels, 3 + i);
      g_autoptr (GHashTable) options = vwt_options (cases[i].key, "0", NULL);
      g_autoptr (GHashTable) probe = NULL;
      g_autoptr (GBytes) decoded = NULL;
      g_autoptr (GError) error = NULL;

      g_assert_true (vidwrite_write_video (path, frames, FPS, H, W, cases[i].channels, FPS,
                                           "libx264rgb", options, tones, 2, RATE, NULL, NULL,
                                           &error));
      g_assert_no_error (error);
      g_assert_cmpuint (vwt_count_streams (path), ==, 2);
      probe = vwt_probe_stream (path, "v:0");
      g_assert_cmpstr (vwt_probe_str (probe, "codec_name"), ==, "h264");
      g_assert_cmpstr (vwt_probe_str (probe, "pix_fmt"), ==, "gbrp");
      g_assert_cmpstr (vwt_probe_str (probe, "color_space"), ==, "gbr");
      decoded = vwt_decode_video (path, "rgb24");
      g_assert_nonnull (decoded);
      if (cases[i].channels == 1)
        {
          gsize grey_size;
          const guint8 *grey = g_bytes_get_data (frames, &grey_size);
          guint8 *rgb = g_malloc (grey_size * 3);

          for (gsize p = 0; p < grey_size; p++)
            rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = grey[p];
          g_bytes_unref (frames);
          frames = g_bytes_new_take (rgb, grey_size * 3);
        }
      g_assert_cmpuint (g_bytes_get_size (decoded), ==, g_bytes_get_size (frames));
      g_assert_true (g_bytes_equal (decoded, frames));
    }
}

/* The muxers' colour boxes say what the stream says: mp4's colr is nclx with the identity
 * matrix (0) and full range, not the bt601 (6) of the Y444 caps x264enc was fed. */
static void
test_rgb_colr (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "colr.mp4");
  g_autoptr (GBytes) frames = vwt_make_frames (4, H, W, 3, 1);
  g_autofree char *contents = NULL;
  gsize size = 0;
  const guint8 nclx[] = { 'c', 'o', 'l', 'r', 'n', 'c', 'l', 'x', 0, 2, 0, 2, 0, 0, 0x80 };

  vwt_write_ok (path, frames, 4, H, W, 3, FPS, "libx264rgb", NULL);
  g_assert_true (g_file_get_contents (path, &contents, &size, NULL));
  g_assert_nonnull (memmem (contents, size, nclx, sizeof nclx));
}

/* FFmpeg's libx264rgb takes rgb24, bgr24 and bgr0 and codes them all alike; yuv420p it refuses. */
static void
test_rgb_pix_fmt (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "a.mkv");
  g_autofree char *bad = vwt_path (f->dir, "b.mkv");
  g_autoptr (GBytes) frames = vwt_make_frames (4, H, W, 3, 2);
  g_autoptr (GHashTable) rgb24 = vwt_options ("pix_fmt", "rgb24", "qp", "0", NULL);
  g_autoptr (GHashTable) yuv = vwt_options ("pix_fmt", "yuv420p", NULL);
  g_autoptr (GBytes) decoded = NULL;
  g_autoptr (GError) error = NULL;

  vwt_write_ok (path, frames, 4, H, W, 3, FPS, "libx264rgb", rgb24);
  decoded = vwt_decode_video (path, "rgb24");
  g_assert_true (g_bytes_equal (decoded, frames));
  g_assert_false (vidwrite_write_video (bad, frames, 4, H, W, 3, FPS, "libx264rgb", yuv, NULL, 0,
                                        0, NULL, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INCOMPATIBLE);
  g_assert_nonnull (strstr (error->message, "yuv420p"));
}

/* Code written for torchvision passes x264's names: they must really give B-frames and a 10-frame
 * GOP, alone or in x264-params. */
static void
test_own_names (Fixture *f, gconstpointer data)
{
  static const char *const given[] = {
    "bframes=3;keyint=10;min-keyint=4",
    "x264-params=bframes=3:keyint=10:min_keyint=4",
    "bframes=3;keyint=10;min_keyint=4;no-scenecut=1;b-adapt=0",
  };
  const guint n = 40;
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 7);

  for (guint i = 0; i < G_N_ELEMENTS (given); i++)
    {
      g_autofree char *name = g_strdup_printf ("names%u.mp4", i);
      g_autofree char *path = vwt_path (f->dir, name);
      g_autoptr (GHashTable) options = vwt_options_parse (given[i], ";");
      g_autofree char *frames_csv = NULL;
      g_auto (GStrv) lines = NULL;
      guint keys = 0, bs = 0, last_key = 0, longest = 0;

      vwt_write_ok (path, frames, n, H, W, 3, FPS, "libx264", options);
      frames_csv = probe_frames (path);
      lines = g_strsplit (g_strstrip (frames_csv), "\n", -1);
      for (guint k = 0, frame = 0; lines[k]; k++)
        {
          if (!g_ascii_isdigit (lines[k][0])) /* a frame's side data, on a line of its own */
            continue;
          if (lines[k][0] == '1')
            {
              longest = MAX (longest, frame - last_key);
              last_key = frame;
              keys++;
            }
          bs += strstr (lines[k], ",B") != NULL;
          frame++;
        }
      longest = MAX (longest, n - last_key);
      g_test_message ("%s: %u key frames, at most %u apart, %u B-frames", given[i], keys, longest,
                      bs);
      g_assert_cmpuint (longest, <=, 10);
      g_assert_cmpuint (keys, >=, 4);
      g_assert_cmpuint (bs, >, 0);
      g_assert_true (file_contains (path, "keyint=10 keyint_min=4"));
      g_assert_true (file_contains (path, "bframes=3"));
    }
}

/* x264's VBV (the SEI's "vbv_maxrate=... vbv_bufsize=...") is on exactly when FFmpeg turns it on:
 * with maxrate and bufsize, not for crf or b alone (x264enc ties one to its `bitrate`), and not
 * for maxrate without bufsize, which x264 ignores. */
static char *
vbv_of (const char *path)
{
  g_autofree char *data = NULL;
  gsize size = 0;
  const char *at, *end;

  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  at = memmem (data, size, "vbv_maxrate=", strlen ("vbv_maxrate="));
  if (!at)
    return g_strdup ("no VBV");
  end = memmem (at, size - (at - data), " crf_max", strlen (" crf_max"));
  if (!end)
    end = memmem (at, size - (at - data), " nal_hrd", strlen (" nal_hrd"));
  g_assert_nonnull (end);
  return g_strndup (at, end - at);
}

static void
test_vbv_as_ffmpeg (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *options, *ffmpeg_args;
  } cases[] = {
    { "crf=23", "-crf 23" },
    { "b=300000", "-b:v 300k" },
    { "crf=23;maxrate=400000;bufsize=800000", "-crf 23 -maxrate 400k -bufsize 800k" },
    { "crf=23;maxrate=400000", "-crf 23 -maxrate 400k" },
  };
  const guint n = 10;
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 5);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = vwt_path (f->dir, "vbv.mp4");
      g_autofree char *ref = vwt_path (f->dir, "vbv-ffmpeg.mp4");
      g_autofree char *args
          = g_strdup_printf ("-c:v libx264 -pix_fmt yuv420p %s", cases[i].ffmpeg_args);
      g_autoptr (GHashTable) options = vwt_options_parse (cases[i].options, ";");
      g_autofree char *ours = NULL, *theirs = NULL;

      vwt_write_ok (path, frames, n, H, W, 3, FPS, "libx264", options);
      g_assert_true (vwt_ffmpeg_encode (frames, W, H, "rgb24", G_STRINGIFY (FPS), args, ref));
      ours = vbv_of (path);
      theirs = vbv_of (ref);
      g_test_message ("%s: vidwrite %s, FFmpeg %s", cases[i].options, ours, theirs);
      g_assert_cmpstr (ours, ==, theirs);
    }
}

/* x264's value of `name` ("threads") in the settings it writes into the stream. */
static char *
x264_setting (const char *path, const char *name)
{
  g_autofree char *data = NULL;
  g_autofree char *needle = g_strdup_printf (" %s=", name);
  gsize size = 0;
  const char *at;

  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  at = memmem (data, size, needle, strlen (needle));
  g_assert_nonnull (at);
  at += strlen (needle);
  return g_strndup (at, strcspn (at, " "));
}

/* x264's frame threads cost more than they give on tiny frames: one thread up to 128×128 (as
 * PyAV's sliced threads come out there), x264's own count (FFmpeg's) above; the user's
 * `threads` wins either way. */
static void
test_threads_of_small_frames (Fixture *f, gconstpointer data)
{
  static const struct
  {
    guint w, h;
    const char *options;
    const char *expected; /* NULL: what FFmpeg's libx264 gets on this machine */
  } cases[] = {
    { 112, 112, NULL, "1" },
    { 128, 128, NULL, "1" },
    { 112, 112, "threads=2", "2" },
    { 320, 240, NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = vwt_path (f->dir, "threads.mp4");
      g_autofree char *ref = vwt_path (f->dir, "threads-ffmpeg.mp4");
      g_autoptr (GBytes) frames = vwt_make_frames (4, cases[i].h, cases[i].w, 3, 9);
      g_autoptr (GHashTable) options = vwt_options_parse (cases[i].options, ";");
      g_autofree char *ours = NULL, *expected = NULL;

      vwt_write_ok (path, frames, 4, cases[i].h, cases[i].w, 3, FPS, "libx264", options);
      ours = x264_setting (path, "threads");
      if (cases[i].expected)
        expected = g_strdup (cases[i].expected);
      else
        {
          g_assert_true (vwt_ffmpeg_encode (frames, cases[i].w, cases[i].h, "rgb24",
                                            G_STRINGIFY (FPS), "-c:v libx264 -pix_fmt yuv420p",
                                            ref));
          expected = x264_setting (ref, "threads");
        }
      g_test_message ("%ux%u %s: threads=%s", cases[i].w, cases[i].h,
                      cases[i].options ? cases[i].options : "", ours);
      g_assert_cmpstr (ours, ==, expected);
    }
}

/* A name neither FFmpeg nor x264 knows is still INVALID_OPTION; a bad value names key and
 * value; what x264enc sets itself is refused with the reason. */
static void
test_own_names_refused (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *options;
    const char *mentions[3];
  } cases[] = {
    { "bframez=3", { "bframez", "3", NULL } },
    { "bframes=many", { "bframes", "many", "does not accept" } },
    { "x264-params=bframes=2:nonsense=1", { "nonsense=1", "no such parameter", NULL } },
    { "fps=30", { "fps", "x264enc sets it", NULL } },
    { "x264-params=colormatrix=bt709", { "colormatrix", "x264enc sets it", NULL } },
    { "bframes=2;x264-params=bframes=3", { "twice", NULL, NULL } },
    { "g=10;keyint=12", { "keyint", "g", NULL } },
  };
  g_autoptr (GBytes) frames = vwt_make_frames (2, H, W, 3, 1);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = vwt_path (f->dir, "refused.mkv");
      g_autoptr (GHashTable) options = vwt_options_parse (cases[i].options, ";");
      g_autoptr (GError) error = NULL;

      g_assert_false (vidwrite_write_video (path, frames, 2, H, W, 3, FPS, "libx264", options,
                                            NULL, 0, 0, NULL, NULL, &error));
      g_test_message ("%s: %s", cases[i].options, error ? error->message : "(no error)");
      g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_OPTION);
      for (guint k = 0; k < G_N_ELEMENTS (cases[i].mentions) && cases[i].mentions[k]; k++)
        g_assert_nonnull (strstr (error->message, cases[i].mentions[k]));
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
}

/* The same for libx265 with x265's names: x265 writes its settings into the stream too. */
static void
test_x265_own_names (Fixture *f, gconstpointer data)
{
  const guint n = 30;
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 9);
  g_autofree char *path = vwt_path (f->dir, "x265.mkv");
  g_autofree char *bad = vwt_path (f->dir, "bad.mkv");
  g_autoptr (GHashTable) options
      = vwt_options_parse ("bframes=4;keyint=10;x265-params=min-keyint=4:no-open-gop=1", ";");
  g_autoptr (GHashTable) unknown = vwt_options ("bframez", "4", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *frames_csv = NULL;
  guint keys = 0;

  vwt_write_ok (path, frames, n, H, W, 3, FPS, "libx265", options);
  g_assert_true (file_contains (path, " keyint=10 "));
  g_assert_true (file_contains (path, " min-keyint=4 "));
  g_assert_true (file_contains (path, " bframes=4 "));
  frames_csv = probe_frames (path);
  for (const char *p = frames_csv; (p = strstr (p, "1,I")); p++)
    keys++;
  g_assert_cmpuint (keys, ==, 3);
  g_assert_nonnull (strstr (frames_csv, ",B"));

  g_assert_false (vidwrite_write_video (bad, frames, n, H, W, 3, FPS, "libx265", unknown, NULL, 0,
                                        0, NULL, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_OPTION);
  g_assert_nonnull (strstr (error->message, "bframez"));
}

/* crf=23.5 is x264's (and x265's) crf 23.5: the encoder says so in the stream, and the size falls
 * between 23's and 24's. */
static void
test_fractional_crf (Fixture *f, gconstpointer data)
{
  const char *codec = data;
  const char *const crfs[] = { "23", "23.5", "24" };
  gsize sizes[G_N_ELEMENTS (crfs)];
  const guint n = 30;
  g_autoptr (GBytes) frames = vwt_make_frames (n, 240, 320, 3, 5);

  for (guint i = 0; i < G_N_ELEMENTS (crfs); i++)
    {
      g_autofree char *name = g_strdup_printf ("crf%s.mkv", crfs[i]);
      g_autofree char *path = vwt_path (f->dir, name);
      /* x264 writes "crf=23.0", x265 "crf=23.0" too */
      g_autofree char *said = g_strdup_printf (" crf=%s%s", crfs[i], strchr (crfs[i], '.') ? "" : ".0");
      g_autoptr (GHashTable) options = vwt_options ("crf", crfs[i], NULL);

      vwt_write_ok (path, frames, n, 240, 320, 3, FPS, codec, options);
      sizes[i] = vwt_file_size (path);
      g_test_message ("crf %s: %zu bytes", crfs[i], sizes[i]);
      g_assert_true (file_contains (path, said));
    }
  g_assert_cmpuint (sizes[0], >, sizes[1]);
  g_assert_cmpuint (sizes[1], >, sizes[2]);
}

static const char *self_path;

static int
find_mjpegutils (struct dl_phdr_info *info, size_t size, void *data)
{
  if (info->dlpi_name && strstr (info->dlpi_name, "/libmjpegutils"))
    {
      *(const char **) data = info->dlpi_name;
      return 1;
    }
  return 0;
}

/* In a child process: a writer set up for mpeg2video (mpeg2enc loaded, vidwrite's hook set),
 * then mjpegtools logs a warning and an info line as mpeg2enc does, e.g. "Interlaced encoding
 * selected with progressive input!".  Exits 0 if it got that far. */
static int
mjpeg_child (const char *dir)
{
  g_autofree char *path = vwt_path (dir, "child.mkv");
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = NULL;
  const char *lib = NULL;
  void *handle;
  void (*mjpeg_log) (int, const char *, ...);
  int (*level_by_name) (const char *);

  gst_init (NULL, NULL);
  writer = vidwrite_writer_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (vidwrite_writer_set_video (writer, W, H, VIDWRITE_PIXEL_FORMAT_RGB, FPS, 1,
                                            "mpeg2video", NULL, &error));
  dl_iterate_phdr (find_mjpegutils, &lib);
  g_assert_nonnull (lib);
  handle = dlopen (lib, RTLD_LAZY | RTLD_NOLOAD);
  g_assert_nonnull (handle);
  mjpeg_log = (void (*) (int, const char *, ...)) dlsym (handle, "mjpeg_log");
  level_by_name = (int (*) (const char *)) dlsym (handle, "mjpeg_loglev_t");
  g_assert_true (mjpeg_log && level_by_name);
  mjpeg_log (level_by_name ("warn"), "%s", "a warning from mjpegtools");
  mjpeg_log (level_by_name ("info"), "%s", "some information from mjpegtools");
  g_assert_true (vidwrite_writer_cancel (writer, NULL));
  return 0;
}

/* Runs this program again with `flag` (a child that writes through a library that used to print)
 * and checks that it succeeded with nothing on stderr. */
static void
assert_child_quiet (Fixture *f, const char *flag)
{
  const char *argv[] = { self_path, flag, f->dir, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  gint status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error));
  g_assert_no_error (error);
  g_test_message ("child's stderr: “%s”", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (err, ==, "");
}

/* mjpegtools prints its warnings on the terminal of whoever loaded mpeg2enc; with vidwrite they
 * go to GStreamer's debug log (GST_DEBUG=vidwrite-libs:5) and stderr stays empty. */
static void
test_mjpegtools_quiet (Fixture *f, gconstpointer data)
{
  assert_child_quiet (f, "--mjpeg-child");
}

/* In a child process: a whole libopenh264 write (100 frames of 320x240 with fine detail, in
 * slices and threads).  Exits 0 if every frame is in the file. */
static int
openh264_child (const char *dir)
{
  g_autofree char *path = vwt_path (dir, "openh264.mp4");
  g_autoptr (GBytes) frames = vwt_make_frames (100, 240, 320, 3, 3);
  g_autoptr (GError) error = NULL;

  gst_init (NULL, NULL);
  g_assert_true (vidwrite_write_video (path, frames, 100, 240, 320, 3, 25, "libopenh264", NULL,
                                       NULL, 0, 0, NULL, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr (GHashTable) v = vwt_probe_stream (path, "v:0");
    g_assert_cmpint (vwt_probe_int (v, "nb_read_frames"), ==, 100);
  }
  return 0;
}

/* openh264enc's drain at EOS made libopenh264 print "EncodeFrame(), cmInitParaError" at the end
 * of every write; the EOS now goes round that encoder, which holds no frame back. */
static void
test_openh264_quiet (Fixture *f, gconstpointer data)
{
  assert_child_quiet (f, "--openh264-child");
}

int
main (int argc, char **argv)
{
  if (argc == 3 && g_str_equal (argv[1], "--mjpeg-child"))
    return mjpeg_child (argv[2]);
  if (argc == 3 && g_str_equal (argv[1], "--openh264-child"))
    return openh264_child (argv[2]);
  self_path = argv[0];
  vwt_init (&argc, &argv);
  VWT_ADD ("/encoder-logs/mjpegtools", test_mjpegtools_quiet);
  VWT_ADD ("/encoder-logs/openh264", test_openh264_quiet);
  VWT_ADD ("/x264/rgb/lossless", test_rgb_lossless);
  VWT_ADD ("/x264/rgb/colr", test_rgb_colr);
  VWT_ADD ("/x264/rgb/pix-fmt", test_rgb_pix_fmt);
  VWT_ADD ("/x264/own-names/applied", test_own_names);
  VWT_ADD ("/x264/own-names/refused", test_own_names_refused);
  VWT_ADD ("/x264/vbv-as-ffmpeg", test_vbv_as_ffmpeg);
  VWT_ADD ("/x264/threads-of-small-frames", test_threads_of_small_frames);
  g_test_add ("/x264/fractional-crf", Fixture, "libx264", vwt_fixture_set_up, test_fractional_crf,
              vwt_fixture_tear_down);
  g_test_add ("/x265/fractional-crf", Fixture, "libx265", vwt_fixture_set_up, test_fractional_crf,
              vwt_fixture_tear_down);
  VWT_ADD ("/x265/own-names", test_x265_own_names);
  return g_test_run ();
}
