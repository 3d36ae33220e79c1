/* GLib's convention: a NULL `GError **` is legal.  Every failure path of every public function is
 * taken twice, once with an error to fill and once with NULL: both return FALSE (or NULL), neither
 * crashes, and neither leaves a file or a temporary file behind. */
#include "vwt.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define PRECIOUS "an existing file that must survive"

typedef struct
{
  char *dir;
  char *target; /* exists, holding PRECIOUS */
  char *fresh;  /* does not exist */
  GBytes *frame, *tones;
} Fixture;

/* One failure: returns what the public call returned (FALSE, or whether it returned non-NULL). */
typedef gboolean (*Scenario) (Fixture *f, GError **error);

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  static const double freqs[2] = { 440, 660 };

  f->dir = vwt_scratch_new ();
  f->target = vwt_path (f->dir, "target.mp4");
  f->fresh = vwt_path (f->dir, "fresh.mkv");
  vwt_write_file (f->target, PRECIOUS);
  f->frame = vwt_make_frames (1, 32, 32, 3, 1);
  f->tones = vwt_make_tones (2, 4800, 48000, freqs);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  vwt_assert_file_is (f->target, PRECIOUS);
  g_assert_false (g_file_test (f->fresh, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (vwt_count_tmp_files (f->dir), ==, 0);
  g_bytes_unref (f->frame);
  g_bytes_unref (f->tones);
  g_free (f->target);
  g_free (f->fresh);
  vwt_scratch_free (f->dir);
}

/* A writer for `path` with 32x32 RGB video at 30 fps, and stereo audio if asked. */
static VidwriteWriter *
configured (const char *path, gboolean audio)
{
  g_autoptr (GError) error = NULL;
  VidwriteWriter *writer = vidwrite_writer_new (path, &error);

  g_assert_no_error (error);
  g_assert_true (vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, NULL,
                                            NULL, &error));
  if (audio)
    g_assert_true (vidwrite_writer_set_audio (writer, 2, 48000, VIDWRITE_SAMPLE_FORMAT_F32,
                                              VIDWRITE_AUDIO_LAYOUT_PLANAR, NULL, NULL, &error));
  g_assert_no_error (error);
  return writer;
}

static VidwriteWriter *
finished (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = vwt_path (f->dir, "done.mkv");
  VidwriteWriter *writer = configured (path, FALSE);

  g_assert_true (vidwrite_writer_push_frames (writer, f->frame, &error));
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
  g_unlink (path);
  return writer;
}

static VidwriteWriter *
cancelled (Fixture *f)
{
  VidwriteWriter *writer = configured (f->target, FALSE);

  g_assert_true (vidwrite_writer_cancel (writer, NULL));
  return writer;
}

/* A writer that failed: finishing with no frame pushed abandons the write. */
static VidwriteWriter *
failed (Fixture *f)
{
  VidwriteWriter *writer = configured (f->target, FALSE);

  g_assert_false (vidwrite_writer_finish (writer, NULL, NULL));
  return writer;
}

/* ---- the one-shot call and the free functions ------------------------------------------ */

static gboolean
write_video_no_frames (Fixture *f, GError **error)
{
  return vidwrite_write_video (f->target, f->frame, 0, 32, 32, 3, 30, NULL, NULL, NULL, 0, 0, NULL,
                               NULL, error);
}

static gboolean
write_video_bad_codec (Fixture *f, GError **error)
{
  return vidwrite_write_video (f->target, f->frame, 1, 32, 32, 3, 30, "nosuch", NULL, NULL, 0, 0,
                               NULL, NULL, error);
}

static gboolean
write_video_bad_option (Fixture *f, GError **error)
{
  g_autoptr (GHashTable) options = vwt_options ("crf", "abc", NULL);

  return vidwrite_write_video (f->target, f->frame, 1, 32, 32, 3, 30, NULL, options, NULL, 0, 0,
                               NULL, NULL, error);
}

static gboolean
write_video_bad_audio (Fixture *f, GError **error)
{
  return vidwrite_write_video (f->target, f->frame, 1, 32, 32, 3, 30, NULL, NULL, f->tones, 9,
                               48000, NULL, NULL, error);
}

static gboolean
write_video_bad_rate (Fixture *f, GError **error)
{
  return vidwrite_write_video (f->target, f->frame, 1, 32, 32, 3, NAN, NULL, NULL, NULL, 0, 0, NULL,
                               NULL, error);
}

static gboolean
write_video_bad_container (Fixture *f, GError **error)
{
  g_autofree char *path = vwt_path (f->dir, "clip.gif");

  return vidwrite_write_video (path, f->frame, 1, 32, 32, 3, 30, NULL, NULL, NULL, 0, 0, NULL, NULL,
                               error);
}

static gboolean
write_video_missing_dir (Fixture *f, GError **error)
{
  g_autofree char *path = vwt_path (f->dir, "no/such/clip.mp4");

  return vidwrite_write_video (path, f->frame, 1, 32, 32, 3, 30, NULL, NULL, NULL, 0, 0, NULL, NULL,
                               error);
}

static gboolean
write_video_null_data (Fixture *f, GError **error)
{
  return vidwrite_write_video (f->target, NULL, 1, 32, 32, 3, 30, NULL, NULL, NULL, 0, 0, NULL,
                               NULL, error);
}

static gboolean
rate_nan (Fixture *f, GError **error)
{
  gint n = 0, d = 0;

  return vidwrite_rate_to_fraction (NAN, &n, &d, error);
}

static gboolean
rate_negative (Fixture *f, GError **error)
{
  gint n = 0, d = 0;

  return vidwrite_rate_to_fraction (-1, &n, &d, error);
}

static gboolean
find_codec_unknown (Fixture *f, GError **error)
{
  g_autoptr (VidwriteCodecInfo) info = vidwrite_find_codec ("nosuch", error);

  return info != NULL;
}

static gboolean
find_codec_empty (Fixture *f, GError **error)
{
  g_autoptr (VidwriteCodecInfo) info = vidwrite_find_codec ("", error);

  return info != NULL;
}

/* ---- vidwrite_writer_new ---------------------------------------------------------------- */

static gboolean
new_null_filename (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (NULL, error);

  return writer != NULL;
}

static gboolean
new_empty_filename (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new ("", error);

  return writer != NULL;
}

static gboolean
new_bad_extension (Fixture *f, GError **error)
{
  g_autofree char *path = vwt_path (f->dir, "clip");
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, error);

  return writer != NULL;
}

static gboolean
new_directory (Fixture *f, GError **error)
{
  g_autofree char *path = vwt_path (f->dir, "dir.mkv");
  g_autoptr (VidwriteWriter) writer = NULL;

  g_mkdir (path, 0755);
  writer = vidwrite_writer_new (path, error);
  g_rmdir (path);
  return writer != NULL;
}

/* ---- set_video / set_audio -------------------------------------------------------------- */

static gboolean
set_video_zero_width (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, NULL);

  return vidwrite_writer_set_video (writer, 0, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, NULL, NULL,
                                    error);
}

static gboolean
set_video_bad_format (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, NULL);

  return vidwrite_writer_set_video (writer, 32, 32, (VidwritePixelFormat)99, 30, 1, NULL, NULL,
                                    error);
}

static gboolean
set_video_bad_rate (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, NULL);

  return vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 0, NULL, NULL,
                                    error);
}

static gboolean
set_video_too_small (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, NULL);

  return vidwrite_writer_set_video (writer, 8, 8, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, NULL, NULL,
                                    error);
}

static gboolean
set_video_odd_size (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, NULL);

  return vidwrite_writer_set_video (writer, 33, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, NULL, NULL,
                                    error);
}

static gboolean
set_video_unknown_codec (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, NULL);

  return vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, "nosuch",
                                    NULL, error);
}

static gboolean
set_video_incompatible (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, NULL);

  return vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, "theoraenc",
                                    NULL, error);
}

static gboolean
set_video_bad_option (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, NULL);
  g_autoptr (GHashTable) options = vwt_options ("nosuch", "1", NULL);

  return vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, NULL, options,
                                    error);
}

static gboolean
set_video_twice (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, FALSE);

  return vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, NULL, NULL,
                                    error);
}

static gboolean
set_audio_after_push (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, NULL);

  g_assert_false (vidwrite_writer_push_frames (writer, f->frame, NULL));
  vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, NULL, NULL, NULL);
  g_assert_true (vidwrite_writer_push_frames (writer, f->frame, NULL));
  return vidwrite_writer_set_audio (writer, 2, 48000, VIDWRITE_SAMPLE_FORMAT_F32,
                                    VIDWRITE_AUDIO_LAYOUT_PLANAR, NULL, NULL, error);
}

static gboolean
set_video_finished (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = finished (f);

  return vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, NULL, NULL,
                                    error);
}

static gboolean
set_audio_bad_channels (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, FALSE);

  return vidwrite_writer_set_audio (writer, 0, 48000, VIDWRITE_SAMPLE_FORMAT_F32,
                                    VIDWRITE_AUDIO_LAYOUT_PLANAR, NULL, NULL, error);
}

static gboolean
set_audio_bad_rate (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, FALSE);

  return vidwrite_writer_set_audio (writer, 2, 0, VIDWRITE_SAMPLE_FORMAT_F32,
                                    VIDWRITE_AUDIO_LAYOUT_PLANAR, NULL, NULL, error);
}

static gboolean
set_audio_bad_format (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, FALSE);

  return vidwrite_writer_set_audio (writer, 2, 48000, (VidwriteSampleFormat)9,
                                    VIDWRITE_AUDIO_LAYOUT_PLANAR, NULL, NULL, error);
}

static gboolean
set_audio_bad_codec (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, FALSE);

  return vidwrite_writer_set_audio (writer, 2, 48000, VIDWRITE_SAMPLE_FORMAT_F32,
                                    VIDWRITE_AUDIO_LAYOUT_PLANAR, "flacenc", NULL, error);
}

static gboolean
set_audio_bad_option (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, FALSE);
  g_autoptr (GHashTable) options = vwt_options ("b", "-5", NULL);

  return vidwrite_writer_set_audio (writer, 2, 48000, VIDWRITE_SAMPLE_FORMAT_F32,
                                    VIDWRITE_AUDIO_LAYOUT_PLANAR, NULL, options, error);
}

static gboolean
set_audio_twice (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, TRUE);

  return vidwrite_writer_set_audio (writer, 2, 48000, VIDWRITE_SAMPLE_FORMAT_F32,
                                    VIDWRITE_AUDIO_LAYOUT_PLANAR, NULL, NULL, error);
}

static gboolean
set_audio_cancelled (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = cancelled (f);

  return vidwrite_writer_set_audio (writer, 2, 48000, VIDWRITE_SAMPLE_FORMAT_F32,
                                    VIDWRITE_AUDIO_LAYOUT_PLANAR, NULL, NULL, error);
}

/* ---- pushing ---------------------------------------------------------------------------- */

static gboolean
push_frames_unconfigured (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, NULL);

  return vidwrite_writer_push_frames (writer, f->frame, error);
}

static gboolean
push_frames_null (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, FALSE);

  return vidwrite_writer_push_frames (writer, NULL, error);
}

static gboolean
push_frames_partial (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, FALSE);
  g_autoptr (GBytes) part = g_bytes_new_from_bytes (f->frame, 0, 100);

  return vidwrite_writer_push_frames (writer, part, error);
}

static gboolean
push_frames_finished (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = finished (f);

  return vidwrite_writer_push_frames (writer, f->frame, error);
}

static gboolean
push_frames_failed (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = failed (f);

  return vidwrite_writer_push_frames (writer, f->frame, error);
}

static gboolean
push_audio_no_stream (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, FALSE);

  return vidwrite_writer_push_audio (writer, f->tones, error);
}

static gboolean
push_audio_null (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, TRUE);

  return vidwrite_writer_push_audio (writer, NULL, error);
}

static gboolean
push_audio_partial (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, TRUE);
  g_autoptr (GBytes) part = g_bytes_new_from_bytes (f->tones, 0, 7);

  return vidwrite_writer_push_audio (writer, part, error);
}

static gboolean
push_audio_after_end (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, TRUE);

  g_assert_true (vidwrite_writer_end_audio (writer, NULL));
  return vidwrite_writer_push_audio (writer, f->tones, error);
}

static gboolean
push_audio_cancelled (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = cancelled (f);

  return vidwrite_writer_push_audio (writer, f->tones, error);
}

static gboolean
end_audio_no_stream (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, FALSE);

  return vidwrite_writer_end_audio (writer, error);
}

static gboolean
end_audio_finished (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = finished (f);

  return vidwrite_writer_end_audio (writer, error);
}

/* ---- finishing and cancelling ----------------------------------------------------------- */

static gboolean
finish_unconfigured (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (f->target, NULL);

  return vidwrite_writer_finish (writer, NULL, error);
}

static gboolean
finish_no_frame (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, TRUE);

  return vidwrite_writer_finish (writer, NULL, error);
}

static gboolean
finish_twice (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = finished (f);

  return vidwrite_writer_finish (writer, NULL, error);
}

static gboolean
finish_cancelled_cancellable (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, FALSE);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();

  g_assert_true (vidwrite_writer_push_frames (writer, f->frame, NULL));
  g_cancellable_cancel (cancellable);
  return vidwrite_writer_finish (writer, cancellable, error);
}

static gboolean
finish_cancelled (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = cancelled (f);

  return vidwrite_writer_finish (writer, NULL, error);
}

static void
on_finished (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static gboolean
finish_async_no_frame (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, FALSE);
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  vidwrite_writer_finish_async (writer, NULL, on_finished, &result);
  while (!result)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  return vidwrite_writer_finish_finish (writer, result, error);
}

static gboolean
cancel_finished (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = finished (f);

  return vidwrite_writer_cancel (writer, error);
}

/* ---- streams, bytes, formats, asynchronous pushes ---------------------------------------- */

static gboolean
new_for_stream_null (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new_for_stream (NULL, "mp4", error);

  return writer != NULL;
}

static gboolean
new_for_stream_no_format (Fixture *f, GError **error)
{
  g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new_for_stream (memory, NULL, error);

  return writer != NULL;
}

static gboolean
new_with_bad_format (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new_with_format (f->target, "nosuch", error);

  return writer != NULL;
}

static gboolean
encode_video_bad_format (Fixture *f, GError **error)
{
  g_autoptr (GBytes) bytes = vidwrite_encode_video ("nosuch", f->frame, 1, 32, 32, 3, 30, NULL,
                                                    NULL, NULL, 0, 0, NULL, NULL, error);

  return bytes != NULL;
}

static gboolean
encode_video_bad_size (Fixture *f, GError **error)
{
  g_autoptr (GBytes) bytes = vidwrite_encode_video ("mp4", f->frame, 2, 32, 32, 3, 30, NULL, NULL,
                                                    NULL, 0, 0, NULL, NULL, error);

  return bytes != NULL;
}

static void
on_pushed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static gboolean
push_frames_async_partial (Fixture *f, GError **error)
{
  g_autoptr (VidwriteWriter) writer = configured (f->target, FALSE);
  g_autoptr (GBytes) part = g_bytes_new_from_bytes (f->frame, 0, 100);
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  vidwrite_writer_push_frames_async (writer, part, NULL, on_pushed, &result);
  while (!result)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  return vidwrite_writer_push_frames_finish (writer, result, error);
}

/* ---- the runner ------------------------------------------------------------------------- */

typedef struct
{
  const char *path;
  Scenario scenario;
} Entry;

static const Entry entries[] = {
  { "/null-error/write-video/no-frames", write_video_no_frames },
  { "/null-error/write-video/null-data", write_video_null_data },
  { "/null-error/write-video/bad-codec", write_video_bad_codec },
  { "/null-error/write-video/bad-option", write_video_bad_option },
  { "/null-error/write-video/bad-audio", write_video_bad_audio },
  { "/null-error/write-video/bad-rate", write_video_bad_rate },
  { "/null-error/write-video/bad-container", write_video_bad_container },
  { "/null-error/write-video/missing-dir", write_video_missing_dir },
  { "/null-error/rate-to-fraction/nan", rate_nan },
  { "/null-error/rate-to-fraction/negative", rate_negative },
  { "/null-error/find-codec/unknown", find_codec_unknown },
  { "/null-error/find-codec/empty", find_codec_empty },
  { "/null-error/writer-new/null", new_null_filename },
  { "/null-error/writer-new/empty", new_empty_filename },
  { "/null-error/writer-new/no-extension", new_bad_extension },
  { "/null-error/writer-new/directory", new_directory },
  { "/null-error/set-video/zero-width", set_video_zero_width },
  { "/null-error/set-video/bad-format", set_video_bad_format },
  { "/null-error/set-video/bad-rate", set_video_bad_rate },
  { "/null-error/set-video/too-small", set_video_too_small },
  { "/null-error/set-video/odd-size", set_video_odd_size },
  { "/null-error/set-video/unknown-codec", set_video_unknown_codec },
  { "/null-error/set-video/incompatible", set_video_incompatible },
  { "/null-error/set-video/bad-option", set_video_bad_option },
  { "/null-error/set-video/twice", set_video_twice },
  { "/null-error/set-video/finished", set_video_finished },
  { "/null-error/set-audio/after-push", set_audio_after_push },
  { "/null-error/set-audio/bad-channels", set_audio_bad_channels },
  { "/null-error/set-audio/bad-rate", set_audio_bad_rate },
  { "/null-error/set-audio/bad-format", set_audio_bad_format },
  { "/null-error/set-audio/incompatible", set_audio_bad_codec },
  { "/null-error/set-audio/bad-option", set_audio_bad_option },
  { "/null-error/set-audio/twice", set_audio_twice },
  { "/null-error/set-audio/cancelled", set_audio_cancelled },
  { "/null-error/push-frames/unconfigured", push_frames_unconfigured },
  { "/null-error/push-frames/null", push_frames_null },
  { "/null-error/push-frames/partial", push_frames_partial },
  { "/null-error/push-frames/finished", push_frames_finished },
  { "/null-error/push-frames/failed", push_frames_failed },
  { "/null-error/push-audio/no-stream", push_audio_no_stream },
  { "/null-error/push-audio/null", push_audio_null },
  { "/null-error/push-audio/partial", push_audio_partial },
  { "/null-error/push-audio/after-end", push_audio_after_end },
  { "/null-error/push-audio/cancelled", push_audio_cancelled },
  { "/null-error/end-audio/no-stream", end_audio_no_stream },
  { "/null-error/end-audio/finished", end_audio_finished },
  { "/null-error/finish/unconfigured", finish_unconfigured },
  { "/null-error/finish/no-frame", finish_no_frame },
  { "/null-error/finish/twice", finish_twice },
  { "/null-error/finish/cancellable", finish_cancelled_cancellable },
  { "/null-error/finish/cancelled", finish_cancelled },
  { "/null-error/finish-async/no-frame", finish_async_no_frame },
  { "/null-error/cancel/finished", cancel_finished },
  { "/null-error/writer-new-for-stream/null", new_for_stream_null },
  { "/null-error/writer-new-for-stream/no-format", new_for_stream_no_format },
  { "/null-error/writer-new-with-format/unknown", new_with_bad_format },
  { "/null-error/encode-video/bad-format", encode_video_bad_format },
  { "/null-error/encode-video/bad-size", encode_video_bad_size },
  { "/null-error/push-frames-async/partial", push_frames_async_partial },
};

static void
test_scenario (Fixture *f, gconstpointer data)
{
  const Entry *entry = data;
  g_autoptr (GError) error = NULL;

  /* With an error to fill: it is filled, in the library's domain. */
  g_assert_false (entry->scenario (f, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == VIDWRITE_ERROR);
  g_test_message ("%s", error->message);
  /* With NULL: the same answer, no crash. */
  g_assert_false (entry->scenario (f, NULL));
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    g_test_add (entries[i].path, Fixture, &entries[i], fixture_set_up, test_scenario,
                fixture_tear_down);
  return g_test_run ();
}
