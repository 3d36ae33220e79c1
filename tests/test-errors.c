/* Every bad input: the documented error code, a message naming the value, no file left, and an
 * existing target untouched. */
#include "vwt.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define PRECIOUS "an existing file that must survive"

typedef struct
{
  char *dir;
  char *target; /* exists, holding PRECIOUS */
  GBytes *frames;
  GBytes *tones;
} Fixture;

static const double freqs[2] = { 440, 660 };

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = vwt_scratch_new ();
  f->target = vwt_path (f->dir, "target.mp4");
  vwt_write_file (f->target, PRECIOUS);
  f->frames = vwt_make_frames (4, 32, 32, 3, 1);
  f->tones = vwt_make_tones (2, 4800, 48000, freqs);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  vwt_assert_file_is (f->target, PRECIOUS);
  g_assert_cmpuint (vwt_count_tmp_files (f->dir), ==, 0);
  g_bytes_unref (f->frames);
  g_bytes_unref (f->tones);
  g_free (f->target);
  vwt_scratch_free (f->dir);
}

typedef struct
{
  const char *filename; /* NULL: the fixture's target; "" stays empty */
  guint n_frames, height, width, channels;
  double fps;
  const char *codec;
  const char *options; /* "k=v k=v" or NULL */
  gboolean audio;
  guint audio_channels;
  double audio_fps;
  const char *audio_codec;
  const char *audio_options;
  gsize video_bytes; /* 0: what the sizes need */
  gsize audio_bytes; /* 0: the fixture's tones */
  VidwriteError code;
  const char *named; /* the message must contain it */
} Case;

static void
run_case (Fixture *f, const Case *c)
{
  g_autofree char *path = c->filename ? g_strdup (c->filename) : g_strdup (f->target);
  g_autoptr (GHashTable) options = vwt_options_parse (c->options, " ");
  g_autoptr (GHashTable) audio_options = vwt_options_parse (c->audio_options, " ");
  gsize need = (gsize) c->n_frames * c->height * c->width * c->channels;
  gsize video_bytes = c->video_bytes ? c->video_bytes : need;
  g_autofree guint8 *video_data = g_malloc0 (MAX (video_bytes, 1));
  g_autoptr (GBytes) video = g_bytes_new (video_data, video_bytes);
  g_autoptr (GBytes) audio = NULL;
  g_autoptr (GError) error = NULL;
  gboolean existed = path[0] && g_file_test (path, G_FILE_TEST_EXISTS);

  if (c->audio)
    audio = c->audio_bytes ? g_bytes_new_from_bytes (f->tones, 0, c->audio_bytes)
                           : g_bytes_ref (f->tones);
  g_assert_false (vidwrite_write_video (path, video, c->n_frames, c->height, c->width, c->channels,
                                        c->fps, c->codec, options, audio, c->audio_channels,
                                        c->audio_fps, c->audio_codec, audio_options, &error));
  g_assert_nonnull (error);
  g_test_message ("%s: %s", path, error->message);
  g_assert_error (error, VIDWRITE_ERROR, (gint) c->code);
  if (c->named)
    g_assert_nonnull (strstr (error->message, c->named));
  if (!existed && path[0])
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS) &&
                    !g_file_test (path, G_FILE_TEST_IS_DIR));
}

#define GOOD .n_frames = 4, .height = 32, .width = 32, .channels = 3, .fps = 30

static void
test_invalid_argument (Fixture *f, gconstpointer data)
{
  const Case cases[] = {
    { GOOD, .video_bytes = 1000, .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "1000" },
    { GOOD, .video_bytes = 4 * 32 * 32 * 3 + 1, .code = VIDWRITE_ERROR_INVALID_ARGUMENT,
      .named = "12289" },
    { .n_frames = 0, .height = 32, .width = 32, .channels = 3, .fps = 30, .video_bytes = 1,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "n_frames" },
    { .n_frames = 4, .height = 32, .width = 32, .channels = 2, .fps = 30,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "2 channels" },
    { .n_frames = 4, .height = 32, .width = 32, .channels = 5, .fps = 30,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "5 channels" },
    { .n_frames = 4, .height = 0, .width = 32, .channels = 3, .fps = 30, .video_bytes = 1,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "32x0" },
    { .n_frames = 1, .height = 100000, .width = 1, .channels = 1, .fps = 30,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "1x100000" },
    { .n_frames = 4, .height = 32, .width = 32, .channels = 3, .fps = 0,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "frame rate 0" },
    { .n_frames = 4, .height = 32, .width = 32, .channels = 3, .fps = -25,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "-25" },
    { .n_frames = 4, .height = 32, .width = 32, .channels = 3, .fps = NAN,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "nan" },
    { .n_frames = 4, .height = 32, .width = 32, .channels = 3, .fps = INFINITY,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "inf" },
    { .n_frames = 4, .height = 32, .width = 32, .channels = 3, .fps = 1e12,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "1e+12" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = 0,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "audio_fps 0" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = 44100.5,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "44100.5" },
    { GOOD, .audio = TRUE, .audio_channels = 0, .audio_fps = 48000,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "0 audio channels" },
    { GOOD, .audio = TRUE, .audio_channels = 200, .audio_fps = 48000,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "200 audio channels" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = 48000, .audio_bytes = 1001,
      .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "1001 bytes" },
    { GOOD, .filename = "", .code = VIDWRITE_ERROR_INVALID_ARGUMENT, .named = "filename is empty" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    run_case (f, &cases[i]);
}

static void
test_missing_data (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (vidwrite_write_video (f->target, NULL, 4, 32, 32, 3, 30, NULL, NULL, NULL, 0, 0,
                                        NULL, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "NULL"));
  g_clear_error (&error);
  g_assert_false (vidwrite_write_video (NULL, f->frames, 4, 32, 32, 3, 30, NULL, NULL, NULL, 0, 0,
                                        NULL, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "NULL"));
}

static void
test_unknown_codec (Fixture *f, gconstpointer data)
{
  const Case cases[] = {
    { GOOD, .codec = "libnosuch264", .code = VIDWRITE_ERROR_UNKNOWN_CODEC, .named = "libnosuch264" },
    { GOOD, .codec = "aac", .code = VIDWRITE_ERROR_UNKNOWN_CODEC, .named = "audio codec" },
    { GOOD, .codec = "videoconvert", .code = VIDWRITE_ERROR_UNKNOWN_CODEC, .named = "videoconvert" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = 48000, .audio_codec = "nosuchaudio",
      .code = VIDWRITE_ERROR_UNKNOWN_CODEC, .named = "nosuchaudio" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = 48000, .audio_codec = "libx264",
      .code = VIDWRITE_ERROR_UNKNOWN_CODEC, .named = "video codec" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    run_case (f, &cases[i]);
}

static void
test_unsupported_container (Fixture *f, gconstpointer data)
{
  g_autofree char *xyz = vwt_path (f->dir, "clip.xyz");
  g_autofree char *none = vwt_path (f->dir, "clip");
  g_autofree char *dotfile = vwt_path (f->dir, ".mp4");
  const Case cases[] = {
    { GOOD, .filename = xyz, .code = VIDWRITE_ERROR_UNSUPPORTED_CONTAINER, .named = ".xyz" },
    { GOOD, .filename = none, .code = VIDWRITE_ERROR_UNSUPPORTED_CONTAINER,
      .named = "no extension" },
    { GOOD, .filename = dotfile, .code = VIDWRITE_ERROR_UNSUPPORTED_CONTAINER,
      .named = "no extension" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    run_case (f, &cases[i]);
}

static void
test_incompatible (Fixture *f, gconstpointer data)
{
  g_autofree char *webm = vwt_path (f->dir, "clip.webm");
  g_autofree char *ogg = vwt_path (f->dir, "clip.ogg");
  const Case cases[] = {
    /* Named: with no codec, each container gets one it takes. */
    { GOOD, .filename = webm, .codec = "libx264", .code = VIDWRITE_ERROR_INCOMPATIBLE,
      .named = ".mkv" },
    { GOOD, .filename = ogg, .codec = "libx264", .code = VIDWRITE_ERROR_INCOMPATIBLE,
      .named = "libx264" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = 48000, .audio_codec = "flac",
      .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = ".mkv" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = 48000, .audio_codec = "vorbis",
      .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = "vorbis" },
    { .n_frames = 4,
      .height = 33,
      .width = 32,
      .channels = 3,
      .fps = 30,
      .code = VIDWRITE_ERROR_INCOMPATIBLE,
      .named = "pix_fmt=yuv444p" },
    { .n_frames = 4,
      .height = 8,
      .width = 8,
      .channels = 3,
      .fps = 30,
      .code = VIDWRITE_ERROR_INCOMPATIBLE,
      .named = "8x8" },
    { GOOD, .options = "pix_fmt=rgb24", .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = "rgb24" },
    { GOOD, .audio = TRUE, .audio_channels = 8, .audio_fps = 48000, .audio_codec = "aac",
      .code = VIDWRITE_ERROR_INCOMPATIBLE, .named = "aac" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    run_case (f, &cases[i]);
}

static void
test_invalid_option (Fixture *f, gconstpointer data)
{
  const Case cases[] = {
    { GOOD, .options = "crfx=17", .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "crfx" },
    { GOOD, .options = "crf=abc", .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "abc" },
    { GOOD, .options = "crf=99", .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "99" },
    { GOOD, .options = "crf=-1", .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "-1" },
    { GOOD, .options = "crf=51.5", .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "51.5" },
    { GOOD, .options = "crf=", .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "crf" },
    { GOOD, .options = "preset=superslow", .code = VIDWRITE_ERROR_INVALID_OPTION,
      .named = "superslow" },
    { GOOD, .options = "tune=film,nosuch", .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "nosuch" },
    { GOOD, .options = "profile=extreme", .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "extreme" },
    { GOOD, .options = "b=300k crf=20", .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "crf" },
    { GOOD, .options = "b=1Q", .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "1Q" },
    { GOOD, .options = "g=1e20", .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "1e20" },
    { GOOD, .options = "x264-params=nonsense", .code = VIDWRITE_ERROR_INVALID_OPTION,
      .named = "nonsense" },
    { GOOD, .options = "pix_fmt=yuv999p", .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "yuv999p" },
    { GOOD, .options = "x264-params=no-such-x264-key=1", .code = VIDWRITE_ERROR_INVALID_OPTION,
      .named = "no-such-x264-key" },
    { GOOD, .options = "x264-params=ref=3:me=warp", .code = VIDWRITE_ERROR_INVALID_OPTION,
      .named = "me=warp" },
    { GOOD, .codec = "x264enc", .options = "no-such-property=1", .code = VIDWRITE_ERROR_INVALID_OPTION,
      .named = "no-such-property" },
    { GOOD, .codec = "x264enc", .options = "speed-preset=warp", .code = VIDWRITE_ERROR_INVALID_OPTION,
      .named = "warp" },
    { GOOD, .codec = "mpeg4", .options = "max_bframes=2", .code = VIDWRITE_ERROR_INVALID_OPTION,
      .named = "max_bframes" },
    { GOOD, .codec = "mpeg4", .options = "b=300k", .code = VIDWRITE_ERROR_INVALID_OPTION,
      .named = "qscale" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = 48000, .audio_options = "b=fast",
      .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "fast" },
    { GOOD, .audio = TRUE, .audio_channels = 2, .audio_fps = 48000, .audio_options = "crf=20",
      .code = VIDWRITE_ERROR_INVALID_OPTION, .named = "crf" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    run_case (f, &cases[i]);
}

static void
test_io (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = vwt_path (f->dir, "no-such-dir/clip.mp4");
  g_autofree char *subdir = vwt_path (f->dir, "a-dir.mp4");
  g_autofree char *readonly_dir = vwt_path (f->dir, "readonly");
  g_autofree char *in_readonly = vwt_path (readonly_dir, "clip.mp4");
  g_autofree char *readonly_file = vwt_path (f->dir, "readonly.mp4");
  const Case cases[] = {
    { GOOD, .filename = missing, .code = VIDWRITE_ERROR_IO, .named = "no-such-dir" },
    { GOOD, .filename = subdir, .code = VIDWRITE_ERROR_IO, .named = "is a directory" },
    { GOOD, .filename = in_readonly, .code = VIDWRITE_ERROR_IO, .named = "read-only" },
    { GOOD, .filename = readonly_file, .code = VIDWRITE_ERROR_IO, .named = "read-only" },
    { GOOD, .filename = "/proc/vidwrite-test.mp4", .code = VIDWRITE_ERROR_IO, .named = "/proc" },
  };

  g_assert_cmpint (g_mkdir (subdir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (readonly_dir, 0555), ==, 0);
  vwt_write_file (readonly_file, PRECIOUS);
  g_assert_cmpint (g_chmod (readonly_file, 0444), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    run_case (f, &cases[i]);
  vwt_assert_file_is (readonly_file, PRECIOUS);
  g_assert_true (g_file_test (subdir, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (vwt_count_tmp_files (readonly_dir), ==, 0);
}

/* The pipeline fails once running: a profile the pixel format cannot have. */
static void
test_encode (Fixture *f, gconstpointer data)
{
  const Case cases[] = {
    { GOOD, .options = "profile=baseline pix_fmt=yuv444p", .code = VIDWRITE_ERROR_ENCODE,
      .named = "not-negotiated" },

  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    run_case (f, &cases[i]);
}

static void
test_state_and_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, &error);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();

  g_assert_true (vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, NULL,
                                            NULL, &error));
  g_assert_false (vidwrite_writer_push_audio (writer, f->tones, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "no frame"));
  g_clear_error (&error);

  g_autoptr (VidwriteWriter) second = vidwrite_writer_new (f->target, &error);
  g_assert_true (vidwrite_writer_set_video (second, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, NULL,
                                            NULL, &error));
  g_assert_true (vidwrite_writer_push_frames (second, f->frames, &error));
  g_cancellable_cancel (cancellable);
  g_assert_false (vidwrite_writer_finish (second, cancellable, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_CANCELLED);
}

/* Sound configured and never pushed: refused at finish, nothing left.  It wrote an MP4 that FFmpeg
 * cannot open ("invalid STSD entries 0") and reported success; after the audio padding, it also
 * made GStreamer print criticals (data before the segment). */
static void
test_empty_sound_track (Fixture *f, gconstpointer data)
{
  static const char *const names[] = { "empty-sound.mp4", "empty-sound.mkv" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = vwt_path (f->dir, names[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, &error);

      g_assert_true (vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1,
                                                NULL, NULL, &error));
      g_assert_true (vidwrite_writer_set_audio (writer, 2, 48000, VIDWRITE_SAMPLE_FORMAT_F32,
                                                VIDWRITE_AUDIO_LAYOUT_PLANAR, NULL, NULL, &error));
      g_assert_true (vidwrite_writer_push_frames (writer, f->frames, &error));
      g_assert_no_error (error);
      g_assert_false (vidwrite_writer_finish (writer, NULL, &error));
      g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "no audio sample"));
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_assert_cmpuint (vwt_count_tmp_files (f->dir), ==, 0);
    }
}

/* The writer's own argument checks. */
static void
test_writer_arguments (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, &error);

  g_assert_false (vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 0, NULL,
                                             NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "30/0"));
  g_clear_error (&error);
  g_assert_false (vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, G_MAXINT, 1,
                                             NULL, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (vidwrite_writer_set_video (writer, 32, 32, (VidwritePixelFormat) 42, 30, 1, NULL,
                                             NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "42"));
  g_clear_error (&error);
  g_assert_true (vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_BGRA, 30, 1, NULL,
                                            NULL, &error));
  g_assert_false (vidwrite_writer_set_audio (writer, 2, 0, VIDWRITE_SAMPLE_FORMAT_F32,
                                             VIDWRITE_AUDIO_LAYOUT_PLANAR, NULL, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "0 Hz"));
  g_clear_error (&error);
  g_assert_false (vidwrite_writer_push_frames (writer, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_autoptr (GBytes) rgb = vwt_make_frames (1, 32, 32, 3, 1);
  g_assert_false (vidwrite_writer_push_frames (writer, rgb, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "3072 bytes"));
  g_assert_nonnull (strstr (error->message, "bgra"));
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/errors/invalid-argument", test_invalid_argument);
  ADD ("/errors/missing-data", test_missing_data);
  ADD ("/errors/unknown-codec", test_unknown_codec);
  ADD ("/errors/unsupported-container", test_unsupported_container);
  ADD ("/errors/incompatible", test_incompatible);
  ADD ("/errors/invalid-option", test_invalid_option);
  ADD ("/errors/io", test_io);
  ADD ("/errors/encode", test_encode);
  ADD ("/errors/state-and-cancel", test_state_and_cancel);
  ADD ("/errors/empty-sound-track", test_empty_sound_track);
  ADD ("/errors/writer-arguments", test_writer_arguments);
  return g_test_run ();
}
