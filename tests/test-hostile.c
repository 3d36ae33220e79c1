/* Hostile input beyond test-errors.c: every bad value a caller can pass, through the one-shot call
 * and the streaming writer.  Each gets the documented VIDWRITE_ERROR code and a message naming
 * the value; each leaves no file and no temporary file, and an existing target byte-for-byte
 * unchanged. */
#include "vwt.h"

#include <float.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define PRECIOUS "an existing file that must survive"

typedef struct
{
  char *dir;
  char *target; /* exists, holding PRECIOUS */
  GBytes *tones;
  guint tried;
} Fixture;

static const double freqs[2] = { 440, 660 };

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = vwt_scratch_new ();
  f->target = vwt_path (f->dir, "target.mp4");
  vwt_write_file (f->target, PRECIOUS);
  f->tones = vwt_make_tones (2, 4800, 48000, freqs);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_test_message ("%u cases", f->tried);
  vwt_assert_file_is (f->target, PRECIOUS);
  g_assert_cmpuint (vwt_count_tmp_files (f->dir), ==, 0);
  g_bytes_unref (f->tones);
  g_free (f->target);
  vwt_scratch_free (f->dir);
}

/* Checks a failed call: the code, the value named, nothing new at the target.  (A live writer
 * holds its temporary file; the callers check that it goes with the writer.) */
static void
check_failure (Fixture *f, const char *path, gboolean existed, gboolean ok, GError *error,
               VidwriteError code, const char *named)
{
  g_assert_false (ok);
  g_assert_nonnull (error);
  g_test_message ("%s: %s", path, error->message);
  g_assert_error (error, VIDWRITE_ERROR, (gint)code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  if (named)
    g_assert_nonnull (strstr (error->message, named));
  if (!existed && path && path[0])
    g_assert_false (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  vwt_assert_file_is (f->target, PRECIOUS);
  f->tried++;
}

typedef struct
{
  const char *filename; /* NULL: the fixture's target */
  guint n_frames, height, width, channels;
  double fps;
  const char *codec;
  const char *options; /* "k=v;k=v" or NULL; ';' so that values may hold spaces */
  gboolean audio;
  guint audio_channels;
  double audio_fps;
  const char *audio_codec;
  const char *audio_options;
  gssize video_delta; /* bytes added to (or taken from) what the sizes need */
  gsize audio_bytes;  /* 0: the fixture's tones */
  VidwriteError code;
  const char *named;
} Case;

static void
run_case (Fixture *f, const Case *c)
{
  g_autofree char *path = c->filename ? g_strdup (c->filename) : g_strdup (f->target);
  g_autoptr (GHashTable) options = vwt_options_parse (c->options, ";");
  g_autoptr (GHashTable) audio_options = vwt_options_parse (c->audio_options, ";");
  guint64 need = (guint64)c->n_frames * c->height * c->width * c->channels;
  gsize video_bytes = need <= 64 * 1024 * 1024 ? (gsize)need + c->video_delta : 16;
  g_autofree guint8 *video_data = g_malloc0 (MAX (video_bytes, 1));
  g_autoptr (GBytes) video = g_bytes_new (video_data, video_bytes);
  g_autoptr (GBytes) audio = NULL;
  g_autoptr (GError) error = NULL;
  gboolean existed = path[0] && g_file_test (path, G_FILE_TEST_EXISTS);
  gboolean ok;

  if (c->audio)
    audio = c->audio_bytes ? g_bytes_new_from_bytes (f->tones, 0, c->audio_bytes)
                           : g_bytes_ref (f->tones);
  ok = vidwrite_write_video (path, video, c->n_frames, c->height, c->width, c->channels, c->fps,
                             c->codec, options, audio, c->audio_channels, c->audio_fps,
                             c->audio_codec, audio_options, &error);
  check_failure (f, path, existed, ok, error, c->code, c->named);
  g_assert_cmpuint (vwt_count_tmp_files (f->dir), ==, 0);
  /* A NULL error is legal: the same refusal, nothing written. */
  g_assert_false (vidwrite_write_video (path, video, c->n_frames, c->height, c->width, c->channels,
                                        c->fps, c->codec, options, audio, c->audio_channels,
                                        c->audio_fps, c->audio_codec, audio_options, NULL));
  if (!existed && path[0])
    g_assert_false (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (vwt_count_tmp_files (f->dir), ==, 0);
}

static void
run_cases (Fixture *f, const Case *cases, guint n)
{
  for (guint i = 0; i < n; i++)
    run_case (f, &cases[i]);
}

#define GOOD_AT(rate) .n_frames = 2, .height = 32, .width = 32, .channels = 3, .fps = rate
#define GOOD GOOD_AT (30)
#define SIZE(n, h, w, c) .n_frames = n, .height = h, .width = w, .channels = c, .fps = 30
#define INVALID .code = VIDWRITE_ERROR_INVALID_ARGUMENT
#define AUDIO .audio = TRUE, .audio_channels = 2, .audio_fps = 48000
#define NO_FPS .n_frames = 2, .height = 32, .width = 32, .channels = 3

/* Byte lengths and sizes: zero, huge, off by one, and every unsupported channel count. */
static void
test_sizes (Fixture *f, gconstpointer data)
{
  const Case cases[] = {
    { GOOD, .video_delta = -1, INVALID, .named = "6143" },
    { GOOD, .video_delta = 1, INVALID, .named = "6145" },
    { GOOD, .video_delta = 6144, INVALID, .named = "12288" },
    { GOOD, .video_delta = -6144, INVALID, .named = "holds 0 bytes" },
    { SIZE (1, 0, 0, 3), INVALID, .named = "0x0" },
    { SIZE (1, 32, 0, 3), INVALID, .named = "0x32" },
    { SIZE (1, 16385, 16, 1), INVALID, .named = "16x16385" },
    { SIZE (1, 16, 16385, 1), INVALID, .named = "16385x16" },
    { SIZE (G_MAXUINT, G_MAXUINT, G_MAXUINT, 4), INVALID, .named = "4294967295" },
    { SIZE (G_MAXUINT, 16, 16, 3), INVALID, .named = "4294967295 frames" },
    { SIZE (2, 32, 32, 0), INVALID, .named = "0 channels" },
    { SIZE (2, 32, 32, 2), INVALID, .named = "2 channels" },
    { SIZE (2, 32, 32, 5), INVALID, .named = "5 channels" },
    { SIZE (2, 32, 32, 6), INVALID, .named = "6 channels" },
    { SIZE (2, 32, 32, 100), INVALID, .named = "100 channels" },
    { SIZE (2, 32, 32, G_MAXUINT), INVALID, .named = "4294967295 channels" },
    /* Odd sizes that yuv420p cannot hold, and sizes under mp4's 16 pixels. */
    { SIZE (2, 31, 32, 3), .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = "32x31" },
    { SIZE (2, 32, 33, 1), .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = "33x32" },
    { SIZE (2, 1, 1, 3), .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = "1x1" },
    { SIZE (2, 16, 8, 3), .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = "8x16" },
  };

  run_cases (f, cases, G_N_ELEMENTS (cases));
}

/* Frame rates as doubles: zero, negative, not numbers, infinite, absurd, too small to be a
 * fraction. */
static void
test_rates (Fixture *f, gconstpointer data)
{
  const Case cases[] = {
    { NO_FPS, .fps = 0, INVALID, .named = "frame rate 0" },
    { NO_FPS, .fps = -0.0, INVALID, .named = "frame rate -0" },
    { NO_FPS, .fps = -1, INVALID, .named = "-1" },
    { NO_FPS, .fps = -NAN, INVALID, .named = "nan" },
    { NO_FPS, .fps = -INFINITY, INVALID, .named = "-inf" },
    { NO_FPS, .fps = 100000.5, INVALID, .named = "100000" },
    { NO_FPS, .fps = 1e6, INVALID, .named = "1e+06" },
    { NO_FPS, .fps = 1e-9, INVALID, .named = "1e-09" },
    { NO_FPS, .fps = DBL_MAX, INVALID, .named = "1.79769e+308" },
    { NO_FPS, .fps = DBL_MIN, INVALID, .named = "2.22507e-308" },
    { NO_FPS, .fps = 1e-300, INVALID, .named = "1e-300" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = NAN, INVALID, .named = "nan" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = INFINITY, INVALID, .named = "inf" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = -48000, INVALID, .named = "-48000" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = 0.5, INVALID, .named = "0.5" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = 1e10, INVALID, .named = "1e+10" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = 768001, INVALID, .named = "768001" },
  };

  run_cases (f, cases, G_N_ELEMENTS (cases));
}

/* Audio: channel counts, whole samples. */
static void
test_audio (Fixture *f, gconstpointer data)
{
  const Case cases[] = {
    { GOOD, .audio = TRUE, .audio_fps = 48000, .audio_channels = 0, INVALID,
      .named = "0 audio channels" },
    { GOOD, .audio = TRUE, .audio_fps = 48000, .audio_channels = 9, INVALID,
      .named = "9 audio channels" },
    { GOOD, .audio = TRUE, .audio_fps = 48000, .audio_channels = 200, INVALID,
      .named = "200 audio channels" },
    { GOOD, .audio = TRUE, .audio_fps = 48000, .audio_channels = G_MAXUINT, INVALID,
      .named = "4294967295 audio channels" },
    { GOOD, AUDIO, .audio_bytes = 7, INVALID, .named = "7 bytes" },
    { GOOD, AUDIO, .audio_bytes = 4 * 4800 * 2 - 4, INVALID, .named = "38396 bytes" },
    { GOOD, .audio = TRUE, .audio_fps = 48000, .audio_channels = 6, .audio_bytes = 38396, INVALID,
      .named = "6-channel" },
  };

  run_cases (f, cases, G_N_ELEMENTS (cases));
}

/* Codec names nobody has, and container names nobody writes. */
static void
test_names (Fixture *f, gconstpointer data)
{
  g_autofree char *long_name = g_strnfill (10000, 'x');
  g_autofree char *upper = vwt_path (f->dir, "clip.gif");
  g_autofree char *trailing = vwt_path (f->dir, "clip.mp4.");
  g_autofree char *wav = vwt_path (f->dir, "clip.wav");
  g_autofree char *mp3 = vwt_path (f->dir, "clip.mp3");
  const Case cases[] = {
    { GOOD, .codec = "", .code = VIDWRITE_ERROR_UNKNOWN_CODEC, .named = "“”" },
    { GOOD, .codec = " libx264", .code = VIDWRITE_ERROR_UNKNOWN_CODEC, .named = " libx264" },
    { GOOD, .codec = "h264;rm -rf /", .code = VIDWRITE_ERROR_UNKNOWN_CODEC, .named = "rm -rf" },
    /* Named as well as bytes that are not UTF-8 can be: replaced by U+FFFD. */
    { GOOD, .codec = "\xff\xfe", .code = VIDWRITE_ERROR_UNKNOWN_CODEC, .named = "“\uFFFD\uFFFD”" },
    { GOOD, .codec = long_name, .code = VIDWRITE_ERROR_UNKNOWN_CODEC, .named = "xxxxxxxx" },
    { GOOD, .codec = "filesink", .code = VIDWRITE_ERROR_UNKNOWN_CODEC, .named = "filesink" },
    { GOOD, .codec = "x264dec", .code = VIDWRITE_ERROR_UNKNOWN_CODEC, .named = "x264dec" },
    { GOOD, AUDIO, .audio_codec = "", .code = VIDWRITE_ERROR_UNKNOWN_CODEC, .named = "“”" },
    { GOOD, AUDIO, .audio_codec = "vp9", .code = VIDWRITE_ERROR_UNKNOWN_CODEC, .named = "vp9" },
    { GOOD, .filename = upper, .code = VIDWRITE_ERROR_UNSUPPORTED_CONTAINER, .named = ".gif" },
    { GOOD, .filename = trailing, .code = VIDWRITE_ERROR_UNSUPPORTED_CONTAINER,
      .named = "clip.mp4." },
    /* Audio-only containers: frames are refused, naming the container. */
    { GOOD, .filename = wav, .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = ".wav" },
    { GOOD, .filename = mp3, .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = ".mp3" },
  };

  run_cases (f, cases, G_N_ELEMENTS (cases));
}

/* Codecs the container cannot hold. */
static void
test_pairs (Fixture *f, gconstpointer data)
{
  g_autofree char *webm = vwt_path (f->dir, "clip.webm");
  g_autofree char *avi = vwt_path (f->dir, "clip.avi");
  g_autofree char *mpg = vwt_path (f->dir, "clip.mpg");
  g_autofree char *mkv = vwt_path (f->dir, "clip.mkv");
  const Case cases[] = {
    { GOOD, .codec = "vp8enc", .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = "vp8enc" },
    { GOOD, .codec = "avenc_ffv1", .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = "avenc_ffv1" },
    { GOOD, .codec = "theoraenc", .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = "theoraenc" },
    { GOOD, .filename = webm, .codec = "x265enc", .code = VIDWRITE_ERROR_INCOMPATIBLE,
      .named = "x265enc" },
    { GOOD, .filename = avi, .codec = "libx264", AUDIO, .audio_codec = "opusenc",
      .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = "opus" },
    { GOOD, AUDIO, .audio_codec = "flacenc", .code = VIDWRITE_ERROR_INCOMPATIBLE,
      .named = "flacenc" },
    /* Found by the generated writes: each ended the caller's process (mp4mux's SIGSEGV, a
     * GStreamer-Audio CRITICAL in avimux). */
    { GOOD, .codec = "libvpx-vp9", .options = "pix_fmt=yuv420p10le",
      .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = "I420_10LE" },
    { GOOD, .filename = avi, .audio = TRUE, .audio_channels = 4, .audio_fps = 48000,
      .audio_codec = "pcm_s16le", .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = "4-channel" },
    /* mpeg2enc takes MPEG-2's rates but 60: others failed once encoding started. */
    { GOOD_AT (60), .filename = mpg, .codec = "mpeg2video", .code = VIDWRITE_ERROR_INCOMPATIBLE,
      .named = "60/1" },
    { GOOD_AT (15), .filename = mpg, .codec = "mpeg2video", .code = VIDWRITE_ERROR_INCOMPATIBLE,
      .named = "15/1" },
  };

  run_cases (f, cases, G_N_ELEMENTS (cases));
}

/* Bad keys, and bad values for properties of every type: FFmpeg names through the tables, and
 * raw properties of a factory name (x264enc: bool cabac, enum pass, flags tune, uint threads,
 * uint quantizer 0..50, uint bitrate, float ip-factor). */
static void
test_options (Fixture *f, gconstpointer data)
{
  g_autofree char *mpg = vwt_path (f->dir, "clip.mpg");
  g_autofree char *mkv = vwt_path (f->dir, "clip.mkv");
#define OPT(o, v)                                                                                  \
  {                                                                                                \
    GOOD, .options = o, .code = VIDWRITE_ERROR_INVALID_OPTION, .named = v                          \
  }
#define RAW(o, v)                                                                                  \
  {                                                                                                \
    GOOD, .codec = "x264enc", .options = o, .code = VIDWRITE_ERROR_INVALID_OPTION, .named = v      \
  }
  const Case cases[] = {
    OPT ("=17", "“”"),
    OPT ("CRF=17", "CRF"),
    OPT ("crf =17", "crf "),
    OPT ("crf=nan", "nan"),
    OPT ("crf=inf", "inf"),
    OPT ("crf=1e400", "1e400"),
    OPT ("crf= 17", " 17"),
    OPT ("b=-1", "-1"),
    OPT ("b=99999999999999999999k", "99999999999999999999k"),
    OPT ("g=-5", "-5"),
    OPT ("bf=abc", "abc"),
    OPT ("preset=", "preset"),
    OPT ("x264-params=::::", "::::"),
    RAW ("cabac=maybe", "maybe"),
    RAW ("cabac=2", "“2”"),
    RAW ("cabac=", "cabac"),
    RAW ("pass=nosuch", "nosuch"),
    RAW ("pass=99", "99"),
    RAW ("pass=-1", "-1"),
    RAW ("name=video-src", "name"),
    RAW ("parent=x", "parent"),
    RAW ("tune=zerolatency+nosuch", "nosuch"),
    RAW ("tune=+", "tune"),
    RAW ("threads=-1", "-1"),
    RAW ("threads=abc", "abc"),
    RAW ("quantizer=51", "51"),
    RAW ("quantizer=0.5", "0.5"),
    RAW ("bitrate=1e30", "1e30"),
    RAW ("ip-factor=abc", "abc"),
    RAW ("ip-factor=nan", "nan"),
    RAW ("ip-factor=1e300", "1e300"),
    RAW ("parent=x", "parent"),
    /* mpeg2enc crashed on a minimum GOP above its maximum (15 unless g says). */
    { GOOD, .filename = mpg, .codec = "mpeg2video", .options = "keyint_min=16",
      .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "keyint_min" },
    { GOOD, .filename = mpg, .codec = "mpeg2video", .options = "keyint_min=12;g=10",
      .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "(10)" },
    { GOOD, AUDIO, .audio_options = "b=", .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "b" },
    /* flacenc lists 9 and fails to start with it. */
    { GOOD, AUDIO, .filename = mkv, .audio_codec = "flac", .audio_options = "compression_level=9",
      .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "“9”" },
    { GOOD, AUDIO, .audio_codec = "voaacenc", .audio_options = "bitrate=-5",
      .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "-5" },
  };
#undef OPT
#undef RAW

  run_cases (f, cases, G_N_ELEMENTS (cases));
}

/* File names that cannot be written. */
static void
test_paths (Fixture *f, gconstpointer data)
{
  g_autofree char *subdir = vwt_path (f->dir, "dir.mkv");
  g_autofree char *missing = vwt_path (f->dir, "a/b/c/clip.mp4");
  g_autofree char *file_as_dir = g_build_filename (f->target, "clip.mp4", NULL);
  g_autofree char *readonly_dir = vwt_path (f->dir, "ro");
  g_autofree char *in_readonly = vwt_path (readonly_dir, "clip.mkv");
  g_autofree char *readonly_file = vwt_path (f->dir, "ro.mkv");
  g_autofree char *long_base = g_strnfill (300, 'n');
  g_autofree char *long_name = g_strdup_printf ("%s/%s.mp4", f->dir, long_base);
  const Case cases[] = {
    { GOOD, .filename = "", INVALID, .named = "filename is empty" },
    { GOOD, .filename = subdir, .code = VIDWRITE_ERROR_IO, .named = "is a directory" },
    { GOOD, .filename = missing, .code = VIDWRITE_ERROR_IO, .named = "a/b/c" },
    { GOOD, .filename = file_as_dir, .code = VIDWRITE_ERROR_IO, .named = "target.mp4" },
    { GOOD, .filename = in_readonly, .code = VIDWRITE_ERROR_IO, .named = "read-only" },
    { GOOD, .filename = readonly_file, .code = VIDWRITE_ERROR_IO, .named = "read-only" },
    { GOOD, .filename = "/proc/self/vidwrite.mp4", .code = VIDWRITE_ERROR_IO, .named = "/proc" },
    { GOOD, .filename = "/proc/vidwrite.mkv", .code = VIDWRITE_ERROR_IO, .named = "/proc" },
    { GOOD, .filename = long_name, .code = VIDWRITE_ERROR_IO, .named = "nnnnnnnn" },
  };

  g_assert_cmpint (g_mkdir (subdir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (readonly_dir, 0555), ==, 0);
  vwt_write_file (readonly_file, PRECIOUS);
  g_assert_cmpint (g_chmod (readonly_file, 0444), ==, 0);
  run_cases (f, cases, G_N_ELEMENTS (cases));
  vwt_assert_file_is (readonly_file, PRECIOUS);
  g_assert_true (g_file_test (subdir, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (vwt_count_tmp_files (readonly_dir), ==, 0);
}

/* The writer's own arguments: exact fractions, including ones that overflow. */
static void
test_writer_video (Fixture *f, gconstpointer data)
{
  static const struct
  {
    guint width, height;
    gint fps_n, fps_d;
    VidwritePixelFormat format;
    VidwriteError code;
    const char *named;
  } cases[] = {
    { 32, 32, G_MAXINT, 1, VIDWRITE_PIXEL_FORMAT_RGB, VIDWRITE_ERROR_INVALID_ARGUMENT,
      "2147483647/1" },
    { 32, 32, 0, 1, VIDWRITE_PIXEL_FORMAT_RGB, VIDWRITE_ERROR_INVALID_ARGUMENT, "0/1" },
    { 32, 32, -30, 1, VIDWRITE_PIXEL_FORMAT_RGB, VIDWRITE_ERROR_INVALID_ARGUMENT, "-30/1" },
    { 32, 32, 30, -1, VIDWRITE_PIXEL_FORMAT_RGB, VIDWRITE_ERROR_INVALID_ARGUMENT, "30/-1" },
    { 32, 32, G_MININT, -1, VIDWRITE_PIXEL_FORMAT_RGB, VIDWRITE_ERROR_INVALID_ARGUMENT,
      "-2147483648/-1" },
    { 32, 32, 30, 0, VIDWRITE_PIXEL_FORMAT_RGB, VIDWRITE_ERROR_INVALID_ARGUMENT, "30/0" },
    { 32, 32, 1, G_MAXINT, VIDWRITE_PIXEL_FORMAT_RGB, VIDWRITE_ERROR_INVALID_ARGUMENT,
      "1/2147483647" },
    { 32, 32, 1, 3601, VIDWRITE_PIXEL_FORMAT_RGB, VIDWRITE_ERROR_INVALID_ARGUMENT, "1/3601" },
    { 0, 32, 30, 1, VIDWRITE_PIXEL_FORMAT_RGB, VIDWRITE_ERROR_INVALID_ARGUMENT, "0x32" },
    { G_MAXUINT, G_MAXUINT, 30, 1, VIDWRITE_PIXEL_FORMAT_RGB, VIDWRITE_ERROR_INVALID_ARGUMENT,
      "4294967295x4294967295" },
    { 32, 32, 30, 1, (VidwritePixelFormat)-1, VIDWRITE_ERROR_INVALID_ARGUMENT, "-1" },
    { 32, 32, 30, 1, (VidwritePixelFormat)10, VIDWRITE_ERROR_INVALID_ARGUMENT, "10" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, &error);
      gboolean ok;

      g_assert_no_error (error);
      ok = vidwrite_writer_set_video (writer, cases[i].width, cases[i].height, cases[i].format,
                                      cases[i].fps_n, cases[i].fps_d, NULL, NULL, &error);
      check_failure (f, f->target, TRUE, ok, error, cases[i].code, cases[i].named);
      g_clear_object (&writer);
      g_assert_cmpuint (vwt_count_tmp_files (f->dir), ==, 0);
    }
}

static void
test_writer_audio (Fixture *f, gconstpointer data)
{
  static const struct
  {
    guint channels, rate;
    gint format, layout;
    const char *named;
  } cases[] = {
    { 0, 48000, VIDWRITE_SAMPLE_FORMAT_F32, VIDWRITE_AUDIO_LAYOUT_PLANAR, "0 audio channels" },
    { 200, 48000, VIDWRITE_SAMPLE_FORMAT_F32, VIDWRITE_AUDIO_LAYOUT_PLANAR, "200 audio channels" },
    { 2, 0, VIDWRITE_SAMPLE_FORMAT_F32, VIDWRITE_AUDIO_LAYOUT_PLANAR, "0 Hz" },
    { 2, G_MAXUINT, VIDWRITE_SAMPLE_FORMAT_F32, VIDWRITE_AUDIO_LAYOUT_PLANAR, "4294967295 Hz" },
    { 2, 48000, 7, VIDWRITE_AUDIO_LAYOUT_PLANAR, "sample format 7" },
    { 2, 48000, VIDWRITE_SAMPLE_FORMAT_S16, -3, "layout -3" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, &error);
      gboolean ok;

      g_assert_true (vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1,
                                                NULL, NULL, &error));
      ok = vidwrite_writer_set_audio (writer, cases[i].channels, cases[i].rate,
                                      (VidwriteSampleFormat)cases[i].format,
                                      (VidwriteAudioLayout)cases[i].layout, NULL, NULL, &error);
      check_failure (f, f->target, TRUE, ok, error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                     cases[i].named);
      g_clear_object (&writer);
      g_assert_cmpuint (vwt_count_tmp_files (f->dir), ==, 0);
    }
}

/* Makes the call, then checks its failure (the call must come first: it sets `error`). */
#define FAILS(path, call, code, named)                                                             \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gboolean ok_ = (call);                                                                         \
    check_failure (f, path, TRUE, ok_, error, code, named);                                        \
  }                                                                                                \
  G_STMT_END

/* Chunks that are not whole frames or whole samples, for every pixel and sample format. */
static void
test_writer_chunks (Fixture *f, gconstpointer data)
{
  static const struct
  {
    VidwritePixelFormat format;
    const char *name;
  } formats[] = {
    { VIDWRITE_PIXEL_FORMAT_RGB, "rgb24" },     { VIDWRITE_PIXEL_FORMAT_BGR, "bgr24" },
    { VIDWRITE_PIXEL_FORMAT_RGBA, "rgba" },     { VIDWRITE_PIXEL_FORMAT_BGRA, "bgra" },
    { VIDWRITE_PIXEL_FORMAT_GRAY8, "gray" },    { VIDWRITE_PIXEL_FORMAT_I420, "yuv420p" },
    { VIDWRITE_PIXEL_FORMAT_NV12, "nv12" },     { VIDWRITE_PIXEL_FORMAT_Y444, "yuv444p" },
    { VIDWRITE_PIXEL_FORMAT_RGB48, "rgb48le" }, { VIDWRITE_PIXEL_FORMAT_GRAY16, "gray16le" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    for (guint s = 0; s < 2; s++)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, &error);
        gsize frame = vidwrite_pixel_format_frame_size (formats[i].format, 32, 32);
        g_autofree guint8 *zeros = g_malloc0 (2 * frame);
        g_autoptr (GBytes) short_frames = g_bytes_new (zeros, 2 * frame - 1);
        g_autoptr (GBytes) one = g_bytes_new (zeros, frame);
        g_autofree char *named = g_strdup_printf ("%" G_GSIZE_FORMAT " bytes", 2 * frame - 1);
        gsize unit = s == 0 ? 4 : 2;
        g_autoptr (GBytes) part = g_bytes_new (zeros, 2 * unit + 1);
        g_autofree char *part_named = g_strdup_printf ("%" G_GSIZE_FORMAT " bytes", 2 * unit + 1);

        g_assert_true (vidwrite_writer_set_video (writer, 32, 32, formats[i].format, 30, 1, NULL,
                                                  NULL, &error));
        g_assert_true (vidwrite_writer_set_audio (
            writer, 2, 48000, s == 0 ? VIDWRITE_SAMPLE_FORMAT_F32 : VIDWRITE_SAMPLE_FORMAT_S16,
            VIDWRITE_AUDIO_LAYOUT_INTERLEAVED, NULL, NULL, &error));
        FAILS (f->target, vidwrite_writer_push_frames (writer, short_frames, &error),
               VIDWRITE_ERROR_INVALID_ARGUMENT, named);
        g_assert_nonnull (strstr (error->message, formats[i].name));
        g_clear_error (&error);
        /* A refused chunk leaves the writer usable. */
        g_assert_true (vidwrite_writer_push_frames (writer, one, &error));
        g_assert_no_error (error);
        FAILS (f->target, vidwrite_writer_push_audio (writer, part, &error),
               VIDWRITE_ERROR_INVALID_ARGUMENT, part_named);
        g_assert_nonnull (strstr (error->message, s == 0 ? "float32" : "int16"));
        g_clear_object (&writer);
        g_assert_cmpuint (vwt_count_tmp_files (f->dir), ==, 0);
      }
}

/* Calls out of order: each is VIDWRITE_ERROR_STATE and names the file. */
static void
test_writer_state (Fixture *f, gconstpointer data)
{
  g_autofree char *done = vwt_path (f->dir, "done.mkv");
  g_autoptr (GBytes) frames = vwt_make_frames (2, 32, 32, 3, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (done, &error);
  g_autoptr (VidwriteWriter) cancelled = vidwrite_writer_new (f->target, &error);
  gsize size_after;

  g_assert_true (vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, NULL,
                                            NULL, &error));
  g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
  size_after = vwt_file_size (done);

  FAILS (done, vidwrite_writer_push_frames (writer, frames, &error), VIDWRITE_ERROR_STATE,
         "done.mkv");
  g_clear_error (&error);
  FAILS (done, vidwrite_writer_push_audio (writer, f->tones, &error), VIDWRITE_ERROR_STATE,
         "already finished");
  g_clear_error (&error);
  FAILS (done, vidwrite_writer_finish (writer, NULL, &error), VIDWRITE_ERROR_STATE,
         "already finished");
  g_clear_error (&error);
  FAILS (done, vidwrite_writer_cancel (writer, &error), VIDWRITE_ERROR_STATE, "already finished");
  g_clear_error (&error);
  FAILS (done,
         vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, NULL, NULL,
                                    &error),
         VIDWRITE_ERROR_STATE, "done.mkv");
  g_clear_error (&error);
  g_assert_cmpuint (vwt_file_size (done), ==, size_after);
  {
    g_autoptr (GHashTable) v = vwt_probe_stream (done, "v:0");
    g_assert_cmpint (vwt_probe_int (v, "nb_read_frames"), ==, 2);
  }

  /* Cancelled: nothing goes, and the old file stays. */
  g_assert_true (vidwrite_writer_set_video (cancelled, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1,
                                            NULL, NULL, &error));
  g_assert_true (vidwrite_writer_push_frames (cancelled, frames, &error));
  g_assert_true (vidwrite_writer_cancel (cancelled, &error));
  FAILS (f->target, vidwrite_writer_push_frames (cancelled, frames, &error), VIDWRITE_ERROR_STATE,
         "cancelled");
  g_clear_error (&error);
  FAILS (f->target, vidwrite_writer_finish (cancelled, NULL, &error), VIDWRITE_ERROR_STATE,
         "cancelled");
  g_clear_error (&error);
  g_assert_true (vidwrite_writer_cancel (cancelled, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/hostile/sizes", test_sizes);
  ADD ("/hostile/rates", test_rates);
  ADD ("/hostile/audio", test_audio);
  ADD ("/hostile/names", test_names);
  ADD ("/hostile/pairs", test_pairs);
  ADD ("/hostile/options", test_options);
  ADD ("/hostile/paths", test_paths);
  ADD ("/hostile/writer-video", test_writer_video);
  ADD ("/hostile/writer-audio", test_writer_audio);
  ADD ("/hostile/writer-chunks", test_writer_chunks);
  ADD ("/hostile/writer-state", test_writer_state);
  return g_test_run ();
}
