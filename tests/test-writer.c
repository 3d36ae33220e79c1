/* The streaming writer: chunks of any size, any push order, threads, async finish, cancel. */
#include "vwt.h"

#include <glib/gstdio.h>
#include <string.h>
#include <time.h>

#define W 96
#define H 64
#define RATE 48000

static const double freqs[2] = { 440, 660 };

typedef VwtFixture Fixture;


static VidwriteWriter *
new_writer (const char *path, gboolean audio)
{
  g_autoptr (GError) error = NULL;
  VidwriteWriter *writer = vidwrite_writer_new (path, &error);

  g_assert_no_error (error);
  g_assert_true (vidwrite_writer_set_video (writer, W, H, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1, NULL,
                                            NULL, &error));
  g_assert_no_error (error);
  if (audio)
    {
      g_assert_true (vidwrite_writer_set_audio (writer, 2, RATE, VIDWRITE_SAMPLE_FORMAT_F32,
                                                VIDWRITE_AUDIO_LAYOUT_PLANAR, "aac", NULL, &error));
      g_assert_no_error (error);
    }
  return writer;
}

/* Frames [first, first + n) of `all` as their own GBytes. */
static GBytes *
frames_slice (GBytes *all, guint first, guint n)
{
  const gsize frame = (gsize) W * H * 3;

  return g_bytes_new_from_bytes (all, first * frame, n * frame);
}

/* Samples [first, first + n) of planar stereo `all` (of `total` samples a channel), planar. */
static GBytes *
audio_slice (GBytes *all, gsize total, gsize first, gsize n)
{
  const float *src = g_bytes_get_data (all, NULL);
  float *dst = g_new (float, 2 * n);

  for (guint c = 0; c < 2; c++)
    memcpy (dst + c * n, src + c * total + first, n * sizeof (float));
  return g_bytes_new_take (dst, 2 * n * sizeof (float));
}

static void
check_counts (const char *path, gint frames, gsize samples)
{
  g_autoptr (GHashTable) v = vwt_probe_stream (path, "v:0");
  g_assert_cmpint (vwt_probe_int (v, "nb_read_frames"), ==, frames);
  if (samples)
    {
      guint channels = 0, rate = 0;
      g_autoptr (GBytes) pcm = vwt_decode_audio (path, &channels, &rate);
      gsize decoded = g_bytes_get_size (pcm) / sizeof (float) / channels;

      g_assert_cmpuint (channels, ==, 2);
      vwt_assert_samples (decoded, samples);
      g_assert_cmpfloat (vwt_tone_amplitude (pcm, 2, 0, rate, freqs[0]), >, 0.4);
      g_assert_cmpfloat (vwt_tone_amplitude (pcm, 2, 1, rate, freqs[1]), >, 0.4);
    }
}

/* 7 frames and 1000 samples at a time give what the one-shot call gives. */
static void
test_uneven_chunks (Fixture *f, gconstpointer data)
{
  const guint n = 50;
  const gsize samples = RATE * 2;
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 1);
  g_autoptr (GBytes) tones = vwt_make_tones (2, samples, RATE, freqs);
  g_autofree char *streamed = vwt_path (f->dir, "streamed.mp4");
  g_autofree char *oneshot = vwt_path (f->dir, "oneshot.mp4");
  g_autoptr (VidwriteWriter) writer = new_writer (streamed, TRUE);
  g_autoptr (GError) error = NULL;
  guint next_frame = 0;
  gsize next_sample = 0;

  while (next_frame < n || next_sample < samples)
    {
      if (next_frame < n)
        {
          guint k = MIN (7, n - next_frame);
          g_autoptr (GBytes) chunk = frames_slice (frames, next_frame, k);
          g_assert_true (vidwrite_writer_push_frames (writer, chunk, &error));
          g_assert_no_error (error);
          next_frame += k;
        }
      gsize k = MIN (1000, samples - next_sample);
      if (k)
        {
          g_autoptr (GBytes) chunk = audio_slice (tones, samples, next_sample, k);
          g_assert_true (vidwrite_writer_push_audio (writer, chunk, &error));
          g_assert_no_error (error);
          next_sample += k;
        }
    }
  g_assert_cmpuint (vidwrite_writer_get_frames_pushed (writer), ==, n);
  g_assert_cmpuint (vidwrite_writer_get_samples_pushed (writer), ==, samples);
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vidwrite_writer_get_frames_encoded (writer), ==, n);

  g_assert_true (vidwrite_write_video (oneshot, frames, n, H, W, 3, 25, NULL, NULL, tones, 2, RATE,
                                       "aac", NULL, &error));
  g_assert_no_error (error);
  check_counts (streamed, n, samples);
  check_counts (oneshot, n, samples);

  guint c1 = 0, r1 = 0, c2 = 0, r2 = 0;
  g_autoptr (GBytes) a1 = vwt_decode_audio (streamed, &c1, &r1);
  g_autoptr (GBytes) a2 = vwt_decode_audio (oneshot, &c2, &r2);
  g_assert_cmpuint (g_bytes_get_size (a1), ==, g_bytes_get_size (a2));
}

/* Whatever the order of pushes, nothing hangs: all audio first, or all video first. */
static void
push_in_order (const char *path, gboolean audio_first)
{
  const guint n = 100;
  const gsize samples = RATE * 4;
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 2);
  g_autoptr (GBytes) tones = vwt_make_tones (2, samples, RATE, freqs);
  g_autoptr (VidwriteWriter) writer = new_writer (path, TRUE);
  g_autoptr (GError) error = NULL;

  g_object_set (writer, "stall-timeout", 20u, NULL);
  for (guint pass = 0; pass < 2; pass++)
    {
      if ((pass == 0) == audio_first)
        for (gsize s = 0; s < samples; s += 4800)
          {
            g_autoptr (GBytes) chunk = audio_slice (tones, samples, s, 4800);
            g_assert_true (vidwrite_writer_push_audio (writer, chunk, &error));
            g_assert_no_error (error);
          }
      else
        for (guint i = 0; i < n; i++)
          {
            g_autoptr (GBytes) chunk = frames_slice (frames, i, 1);
            g_assert_true (vidwrite_writer_push_frames (writer, chunk, &error));
            g_assert_no_error (error);
          }
    }
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
  check_counts (path, n, samples);
}

static void
test_audio_first (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "audio-first.mp4");
  push_in_order (path, TRUE);
}

static void
test_video_first (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "video-first.mkv");
  push_in_order (path, FALSE);
}

typedef struct
{
  VidwriteWriter *writer;
  GBytes *data;
  gsize total;
  gboolean audio;
} Feeder;

static gpointer
feed (gpointer user_data)
{
  Feeder *feeder = user_data;
  g_autoptr (GError) error = NULL;

  if (feeder->audio)
    for (gsize s = 0; s < feeder->total; s += 1000)
      {
        g_autoptr (GBytes) chunk = audio_slice (feeder->data, feeder->total, s,
                                                MIN (1000, feeder->total - s));
        g_assert_true (vidwrite_writer_push_audio (feeder->writer, chunk, &error));
      }
  else
    for (guint i = 0; i < feeder->total; i++)
      {
        g_autoptr (GBytes) chunk = frames_slice (feeder->data, i, 1);
        g_assert_true (vidwrite_writer_push_frames (feeder->writer, chunk, &error));
      }
  g_assert_no_error (error);
  return NULL;
}

/* One writer fed video from one thread and audio from another. */
static void
test_two_feeders (Fixture *f, gconstpointer data)
{
  const guint n = 75;
  const gsize samples = RATE * 3;
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 3);
  g_autoptr (GBytes) tones = vwt_make_tones (2, samples, RATE, freqs);
  g_autofree char *path = vwt_path (f->dir, "two-feeders.mp4");
  g_autoptr (VidwriteWriter) writer = new_writer (path, TRUE);
  g_autoptr (GError) error = NULL;
  Feeder video = { writer, frames, n, FALSE }, audio = { writer, tones, samples, TRUE };
  GThread *tv = g_thread_new ("video", feed, &video);
  GThread *ta = g_thread_new ("audio", feed, &audio);

  g_thread_join (tv);
  g_thread_join (ta);
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
  check_counts (path, n, samples);
}

typedef struct
{
  char *path;
  guint seed;
} Job;

static gpointer
write_job (gpointer user_data)
{
  Job *job = user_data;
  g_autoptr (GBytes) frames = vwt_make_frames (30, H, W, 3, job->seed);
  g_autoptr (GBytes) tones = vwt_make_tones (2, RATE, RATE, freqs);
  g_autoptr (GError) error = NULL;

  g_assert_true (vidwrite_write_video (job->path, frames, 30, H, W, 3, 30, NULL, NULL, tones, 2,
                                       RATE, NULL, NULL, &error));
  g_assert_no_error (error);
  return NULL;
}

/* Four independent writers in four threads at once. */
static void
test_threads (Fixture *f, gconstpointer data)
{
  Job jobs[4];
  GThread *threads[4];

  for (guint i = 0; i < 4; i++)
    {
      jobs[i].path = g_strdup_printf ("%s/thread%u.mp4", f->dir, i);
      jobs[i].seed = i;
      threads[i] = g_thread_new ("writer", write_job, &jobs[i]);
    }
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr (GBytes) frames = vwt_make_frames (30, H, W, 3, i);
      g_thread_join (threads[i]);
      check_counts (jobs[i].path, 30, RATE);
      g_autoptr (GBytes) rgb = vwt_decode_video (jobs[i].path, "rgb24");
      g_assert_cmpfloat (vwt_psnr (frames, rgb), >, 28);
      g_free (jobs[i].path);
    }
}

typedef struct
{
  GMainLoop *loop;
  GThread *main_thread;
  guint signals;
  guint64 last_encoded;
  gboolean ok;
  GError *error;
} AsyncState;

static void
on_progress (VidwriteWriter *writer, guint64 encoded, guint64 pushed, gpointer user_data)
{
  AsyncState *state = user_data;

  g_assert_true (g_thread_self () == state->main_thread);
  g_assert_cmpuint (encoded, >=, state->last_encoded);
  g_assert_cmpuint (encoded, <=, pushed);
  state->last_encoded = encoded;
  state->signals++;
}

static void
on_finished (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncState *state = user_data;

  state->ok = vidwrite_writer_finish_finish (VIDWRITE_WRITER (source), result, &state->error);
  g_main_loop_quit (state->loop);
}

/* finish_async returns at once; progress arrives in the caller's main context. */
static void
test_finish_async (Fixture *f, gconstpointer data)
{
  const guint n = 120;
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 4);
  g_autofree char *path = vwt_path (f->dir, "async.mp4");
  g_autoptr (VidwriteWriter) writer = new_writer (path, FALSE);
  g_autoptr (GError) error = NULL;
  AsyncState state = { g_main_loop_new (NULL, FALSE), g_thread_self () };

  g_signal_connect (writer, "progress", G_CALLBACK (on_progress), &state);
  g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
  g_assert_no_error (error);
  state.signals = 0;
  vidwrite_writer_finish_async (writer, NULL, on_finished, &state);
  g_main_loop_run (state.loop);

  g_assert_no_error (state.error);
  g_assert_true (state.ok);
  /* Let progress emissions already queued for this context run. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (state.signals, >, 0);
  g_assert_cmpuint (state.last_encoded, ==, n);
  g_main_loop_unref (state.loop);
  check_counts (path, n, 0);
}

/* Progress in the synchronous calls: monotonic, and it reaches every frame. */
static void
test_progress (Fixture *f, gconstpointer data)
{
  const guint n = 60;
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 5);
  g_autofree char *path = vwt_path (f->dir, "progress.mkv");
  g_autoptr (VidwriteWriter) writer = new_writer (path, FALSE);
  g_autoptr (GError) error = NULL;
  AsyncState state = { NULL, g_thread_self () };

  g_signal_connect (writer, "progress", G_CALLBACK (on_progress), &state);
  for (guint i = 0; i < n; i += 10)
    {
      g_autoptr (GBytes) chunk = frames_slice (frames, i, 10);
      g_assert_true (vidwrite_writer_push_frames (writer, chunk, &error));
    }
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (state.signals, >, 1);
  g_assert_cmpuint (state.last_encoded, ==, n);
  guint64 encoded = 0;
  g_object_get (writer, "frames-encoded", &encoded, NULL);
  g_assert_cmpuint (encoded, ==, n);
}

/* Cancel mid-write: no file, no temporary file, and the old file is still there. */
static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) frames = vwt_make_frames (40, H, W, 3, 6);
  g_autofree char *path = vwt_path (f->dir, "cancelled.mp4");
  g_autofree char *fresh = vwt_path (f->dir, "never.mp4");
  g_autoptr (GError) error = NULL;

  vwt_write_file (path, "the old file");
  {
    g_autoptr (VidwriteWriter) writer = new_writer (path, TRUE);
    g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
    g_assert_true (vidwrite_writer_cancel (writer, &error));
    g_assert_no_error (error);
    g_assert_true (vidwrite_writer_cancel (writer, &error));
    g_assert_false (vidwrite_writer_push_frames (writer, frames, &error));
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
    g_clear_error (&error);
    g_assert_false (vidwrite_writer_finish (writer, NULL, &error));
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
    g_clear_error (&error);
  }
  vwt_assert_file_is (path, "the old file");

  /* A writer dropped without finishing is a cancelled one. */
  {
    g_autoptr (VidwriteWriter) writer = new_writer (fresh, FALSE);
    g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
  }
  g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
}

/* A GCancellable cancels a finish that is under way. */
static void
test_cancellable (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) frames = vwt_make_frames (40, H, W, 3, 7);
  g_autofree char *path = vwt_path (f->dir, "cancellable.mp4");
  g_autoptr (VidwriteWriter) writer = new_writer (path, FALSE);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
  g_cancellable_cancel (cancellable);
  g_assert_false (vidwrite_writer_finish (writer, cancellable, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "cancellable.mp4"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

typedef struct
{
  GMainLoop *loop;
  GCancellable *cancel_first; /* cancelled in the callback, before finish_finish() */
  gboolean ok;
  GError *error;
} CancelState;

static void
on_finished_cancel_first (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CancelState *state = user_data;

  if (state->cancel_first)
    g_cancellable_cancel (state->cancel_first);
  state->ok = vidwrite_writer_finish_finish (VIDWRITE_WRITER (source), result, &state->error);
  g_main_loop_quit (state->loop);
}

/* finish_async's outcome is the write's: a cancellable cancelled once the file is complete does
 * not turn it into a failure, and one cancelled before gives the writer's own CANCELLED, as the
 * synchronous call does.  GIO's CANCELLED used to be reported in both cases. */
static void
test_finish_async_cancellable (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) frames = vwt_make_frames (10, H, W, 3, 7);

  for (guint before = 0; before < 2; before++)
    {
      g_autofree char *path = vwt_path (f->dir, before ? "before.mp4" : "after.mp4");
      g_autoptr (VidwriteWriter) writer = new_writer (path, FALSE);
      g_autoptr (GCancellable) cancellable = g_cancellable_new ();
      g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
      g_autoptr (GError) error = NULL;
      CancelState state = { loop, before ? NULL : cancellable, FALSE, NULL };

      g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
      if (before)
        g_cancellable_cancel (cancellable);
      vidwrite_writer_finish_async (writer, cancellable, on_finished_cancel_first, &state);
      g_main_loop_run (loop);
      if (before)
        {
          g_assert_false (state.ok);
          g_assert_error (state.error, VIDWRITE_ERROR, VIDWRITE_ERROR_CANCELLED);
          g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
        }
      else
        {
          g_assert_no_error (state.error);
          g_assert_true (state.ok);
          check_counts (path, 10, 0);
        }
      g_clear_error (&state.error);
    }
}

/* Calls that do not fit the writer's state. */
static void
test_state (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) frames = vwt_make_frames (5, H, W, 3, 8);
  g_autoptr (GBytes) tones = vwt_make_tones (2, 1000, RATE, freqs);
  g_autofree char *path = vwt_path (f->dir, "state.mp4");
  g_autofree char *bare = vwt_path (f->dir, "bare.mp4");
  g_autoptr (GError) error = NULL;

  {
    g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (bare, &error);
    g_assert_false (vidwrite_writer_push_frames (writer, frames, &error));
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
    g_clear_error (&error);
    g_assert_false (vidwrite_writer_finish (writer, NULL, &error));
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
    g_clear_error (&error);
  }

  g_autoptr (VidwriteWriter) writer = new_writer (path, FALSE);
  g_assert_false (vidwrite_writer_set_video (writer, W, H, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1, NULL,
                                             NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (vidwrite_writer_push_audio (writer, tones, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
  g_clear_error (&error);

  g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
  g_assert_false (vidwrite_writer_set_audio (writer, 2, RATE, VIDWRITE_SAMPLE_FORMAT_F32,
                                             VIDWRITE_AUDIO_LAYOUT_PLANAR, NULL, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "before the first push"));
  g_clear_error (&error);

  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (vidwrite_writer_push_frames (writer, frames, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "already finished"));
  g_clear_error (&error);
  g_assert_false (vidwrite_writer_cancel (writer, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
  g_clear_error (&error);
  /* The finished file is not harmed by the calls that came after. */
  check_counts (path, 5, 0);
}

/* A soundtrack shorter than the picture: once the audio is ended, frames flow at once instead of
 * waiting in the writer for audio that will never come. */
static void
test_end_audio (Fixture *f, gconstpointer data)
{
  const guint n = 100;
  const gsize samples = RATE / 2;
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 9);
  g_autoptr (GBytes) tones = vwt_make_tones (2, samples, RATE, freqs);
  g_autofree char *path = vwt_path (f->dir, "short-audio.mp4");
  g_autoptr (VidwriteWriter) writer = new_writer (path, TRUE);
  g_autoptr (GError) error = NULL;

  g_assert_true (vidwrite_writer_push_audio (writer, tones, &error));
  g_assert_true (vidwrite_writer_end_audio (writer, &error));
  g_assert_no_error (error);
  g_assert_false (vidwrite_writer_push_audio (writer, tones, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
  g_clear_error (&error);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GBytes) chunk = frames_slice (frames, i, 1);
      g_assert_true (vidwrite_writer_push_frames (writer, chunk, &error));
    }
  /* Every frame but the encoder's lookahead has left: none is held back for audio. */
  g_assert_cmpuint (vidwrite_writer_get_frames_encoded (writer), >, n / 2);
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
  check_counts (path, n, samples);

  g_autofree char *silent = vwt_path (f->dir, "silent.mkv");
  g_autoptr (VidwriteWriter) plain = new_writer (silent, FALSE);
  g_assert_false (vidwrite_writer_end_audio (plain, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
}

static void
cancel_on_progress (VidwriteWriter *writer, guint64 encoded, guint64 pushed, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (encoded >= 5)
    {
      g_assert_true (vidwrite_writer_cancel (writer, &error));
      g_assert_no_error (error);
    }
}

/* A progress handler may cancel: the call it interrupts fails with CANCELLED, no file is left. */
static void
test_cancel_from_handler (Fixture *f, gconstpointer data)
{
  const guint n = 80;
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 10);
  g_autofree char *path = vwt_path (f->dir, "handler.mp4");
  g_autoptr (VidwriteWriter) writer = new_writer (path, FALSE);
  g_autoptr (GError) error = NULL;
  gboolean ok = TRUE;

  g_signal_connect (writer, "progress", G_CALLBACK (cancel_on_progress), NULL);
  for (guint i = 0; i < n && ok; i++)
    {
      g_autoptr (GBytes) chunk = frames_slice (frames, i, 1);
      ok = vidwrite_writer_push_frames (writer, chunk, &error);
    }
  if (ok)
    ok = vidwrite_writer_finish (writer, NULL, &error);
  g_assert_false (ok);
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_CANCELLED);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* stall-timeout 0 ("wait for ever") sleeps while it waits: it once woke at once, every time,
 * and spun a core for the whole of finish().  The calling thread's CPU time is compared with the
 * time it waited (x264 on one thread leaves the other core free for a spinning caller). */
static void
test_wait_for_ever_sleeps (Fixture *f, gconstpointer data)
{
  const guint n = 20, w = 320, h = 240;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 11);
  g_autofree char *path = vwt_path (f->dir, "for-ever.mkv");
  g_autoptr (GHashTable) options = vwt_options ("preset", "veryslow", "threads", "1", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, &error);
  struct timespec cpu0, cpu1;
  gint64 wall0, wall1;
  double cpu, wall;

  g_object_set (writer, "stall-timeout", 0u, NULL);
  g_assert_true (vidwrite_writer_set_video (writer, w, h, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1,
                                            "libx264", options, &error));
  g_assert_no_error (error);
  g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &cpu0);
  wall0 = g_get_monotonic_time ();
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
  wall1 = g_get_monotonic_time ();
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &cpu1);
  cpu = (cpu1.tv_sec - cpu0.tv_sec) + (cpu1.tv_nsec - cpu0.tv_nsec) / 1e9;
  wall = (wall1 - wall0) / 1e6;
  g_test_message ("finish waited %.2f s and used %.3f s of its thread's CPU", wall, cpu);
  g_assert_cmpfloat (cpu, <, 0.05 * wall + 0.02);
  {
    g_autoptr (GHashTable) v = vwt_probe_stream (path, "v:0");
    g_assert_cmpint (vwt_probe_int (v, "nb_read_frames"), ==, n);
  }
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
#define ADD(path, func) VWT_ADD (path, func)
  ADD ("/writer/uneven-chunks", test_uneven_chunks);
  ADD ("/writer/audio-first", test_audio_first);
  ADD ("/writer/video-first", test_video_first);
  ADD ("/writer/two-feeders", test_two_feeders);
  ADD ("/writer/threads", test_threads);
  ADD ("/writer/finish-async", test_finish_async);
  ADD ("/writer/progress", test_progress);
  ADD ("/writer/cancel", test_cancel);
  ADD ("/writer/cancellable", test_cancellable);
  ADD ("/writer/finish-async-cancellable", test_finish_async_cancellable);
  ADD ("/writer/state", test_state);
  ADD ("/writer/end-audio", test_end_audio);
  ADD ("/writer/cancel-from-handler", test_cancel_from_handler);
  ADD ("/writer/wait-for-ever-sleeps", test_wait_for_ever_sleeps);
  return g_test_run ();
}
