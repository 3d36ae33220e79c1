/* Asynchronous pushes: a main loop feeds a writer without ever stalling, pushes keep their
 * order, cancel and errors reach the callbacks. */
#include "vwt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef VwtFixture Fixture;

/* Two measures of the main loop's stalls.  `busy`: the longest time the loop spent outside
 * poll(), less the time the kernel kept the thread waiting for a CPU meanwhile (its run delay,
 * from /proc/thread-self/schedstat): the time callbacks ran or blocked, which asynchronous pushes
 * must keep short.  `gap`: the longest wall time between two dispatches of a 1 ms timeout, which
 * also holds every scheduling delay, long on a loaded machine whatever the code does; it is
 * reported, not asserted. */
typedef struct
{
  gint64 last_tick, gap;
  gint64 left_poll, delay_at_left, busy, busy_wall;
  guint ticks;
  GPollFunc poll;
} StallMeter;

static StallMeter *meter_now;

/* Microseconds this thread has waited on a run queue so far; 0 where the kernel does not say. */
static gint64
run_delay (void)
{
  char text[128] = "";
  FILE *f = fopen ("/proc/thread-self/schedstat", "r");
  unsigned long long on_cpu = 0, waited = 0;

  if (!f)
    return 0;
  if (!fgets (text, sizeof text, f) || sscanf (text, "%llu %llu", &on_cpu, &waited) != 2)
    waited = 0;
  fclose (f);
  return (gint64)(waited / 1000);
}

static gint
meter_poll (GPollFD *fds, guint n, gint timeout)
{
  StallMeter *m = meter_now;
  gint ret;

  if (m->left_poll)
    {
      gint64 wall = g_get_monotonic_time () - m->left_poll;

      m->busy_wall = MAX (m->busy_wall, wall);
      m->busy = MAX (m->busy, wall - (run_delay () - m->delay_at_left));
    }
  ret = m->poll (fds, n, timeout);
  m->left_poll = g_get_monotonic_time ();
  m->delay_at_left = run_delay ();
  return ret;
}

static gboolean
on_tick (gpointer user_data)
{
  StallMeter *m = user_data;
  gint64 now = g_get_monotonic_time ();

  if (m->last_tick)
    m->gap = MAX (m->gap, now - m->last_tick);
  m->last_tick = now;
  m->ticks++;
  return G_SOURCE_CONTINUE;
}

static guint
meter_start (StallMeter *m)
{
  memset (m, 0, sizeof *m);
  meter_now = m;
  m->poll = g_main_context_get_poll_func (NULL);
  g_main_context_set_poll_func (NULL, meter_poll);
  return g_timeout_add (1, on_tick, m);
}

static void
meter_stop (StallMeter *m, guint tick)
{
  g_source_remove (tick);
  g_main_context_set_poll_func (NULL, m->poll);
  meter_now = NULL;
}

typedef struct
{
  GMainLoop *loop;
  GThread *main_thread;
  VidwriteWriter *writer;
  GBytes **frames; /* a few precomputed frames, cycled: making them costs the loop nothing */
  guint n_distinct;
  guint total, queued, done;
  guint in_flight, max_in_flight;
  guint64 progress_signals, last_encoded;
  gboolean finished, ok;
  GError *error;
} Feed;

static void feed_more (Feed *feed);

static void
on_finished (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Feed *feed = user_data;

  feed->ok = vidwrite_writer_finish_finish (VIDWRITE_WRITER (source), result, &feed->error);
  feed->finished = TRUE;
  g_main_loop_quit (feed->loop);
}

static void
on_pushed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Feed *feed = user_data;

  g_assert_true (g_thread_self () == feed->main_thread);
  if (!vidwrite_writer_push_frames_finish (VIDWRITE_WRITER (source), result, &feed->error))
    {
      g_main_loop_quit (feed->loop);
      return;
    }
  feed->in_flight--;
  feed->done++;
  feed_more (feed);
}

static void
feed_more (Feed *feed)
{
  while (feed->queued < feed->total && feed->in_flight < feed->max_in_flight)
    {
      vidwrite_writer_push_frames_async (
          feed->writer, feed->frames[feed->queued % feed->n_distinct], NULL, on_pushed, feed);
      feed->queued++;
      feed->in_flight++;
    }
  if (feed->done == feed->total)
    vidwrite_writer_finish_async (feed->writer, NULL, on_finished, feed);
}

static gboolean
start_feed (gpointer user_data)
{
  feed_more (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_progress (VidwriteWriter *writer, guint64 encoded, guint64 pushed, gpointer user_data)
{
  Feed *feed = user_data;

  g_assert_true (g_thread_self () == feed->main_thread);
  g_assert_cmpuint (encoded, >=, feed->last_encoded);
  feed->last_encoded = encoded;
  feed->progress_signals++;
}

static void
block_50ms (gpointer user_data)
{
  g_usleep (50000);
}

/* The meters themselves: a callback that blocks the loop for 50 ms reads at least that. */
static void
test_meter (Fixture *f, gconstpointer data)
{
  StallMeter meter;
  guint tick = meter_start (&meter);

  for (guint i = 0; i < 5; i++)
    g_main_context_iteration (NULL, TRUE);
  g_idle_add_once (block_50ms, NULL);
  for (guint i = 0; i < 5; i++)
    g_main_context_iteration (NULL, TRUE);
  meter_stop (&meter, tick);
  g_assert_cmpint (meter.busy, >=, 50000);
  g_assert_cmpint (meter.gap, >=, 50000);
}

/* 720p at libx264's medium preset, fed from the main loop: the loop is never busy for 20 ms. */
static void
test_no_stall (Fixture *f, gconstpointer data)
{
  const guint w = 1280, h = 720, n = 120, distinct = 8;
  g_autofree char *path = vwt_path (f->dir, "main-loop.mp4");
  g_autoptr (GBytes) all = vwt_make_frames (distinct, h, w, 3, 11);
  g_autoptr (GHashTable) options = vwt_options ("preset", "medium", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, &error);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GBytes *frames[8];
  StallMeter meter;
  Feed feed = { loop, g_thread_self (), writer, frames, distinct, n, 0, 0, 0, 2 };
  guint tick;
  gint64 start;

  g_assert_no_error (error);
  for (guint i = 0; i < distinct; i++)
    frames[i] = g_bytes_new_from_bytes (all, (gsize)i * w * h * 3, (gsize)w * h * 3);
  g_assert_true (vidwrite_writer_set_video (writer, w, h, VIDWRITE_PIXEL_FORMAT_RGB, 24, 1,
                                            "libx264", options, &error));
  g_assert_no_error (error);
  g_signal_connect (writer, "progress", G_CALLBACK (on_progress), &feed);

  tick = meter_start (&meter);
  g_idle_add (start_feed, &feed);
  start = g_get_monotonic_time ();
  g_main_loop_run (loop);
  meter_stop (&meter, tick);

  g_assert_no_error (feed.error);
  g_assert_true (feed.finished && feed.ok);
  g_test_message ("%u frames of 720p in %.2f s; the main loop ran %u ticks; longest time busy "
                  "%.1f ms (%.1f ms with the waits for a CPU), longest gap between ticks %.1f ms; "
                  "%" G_GUINT64_FORMAT " progress signals",
                  n, (g_get_monotonic_time () - start) / 1e6, meter.ticks, meter.busy / 1e3,
                  meter.busy_wall / 1e3, meter.gap / 1e3, feed.progress_signals);
  /* A sanitizer build runs every callback several times slower: there the feed is checked for
   * memory errors, its timing only reported. */
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpint (meter.busy, <, 20000);
#endif
  g_assert_cmpuint (feed.progress_signals, >, 0);
  for (guint i = 0; i < distinct; i++)
    g_bytes_unref (frames[i]);

  g_autoptr (GHashTable) v = vwt_probe_stream (path, "v:0");
  g_assert_cmpint (vwt_probe_int (v, "nb_read_frames"), ==, n);
  g_assert_cmpint (vwt_probe_int (v, "width"), ==, w);
}

typedef struct
{
  GMainLoop *loop;
  guint expected; /* the index of the next callback */
  guint pending;
  guint cancelled; /* callbacks that failed with CANCELLED */
  gboolean in_order;
  GError *error;
} Order;

typedef struct
{
  Order *order;
  guint index;
  gboolean audio;
} Call;

static void
on_ordered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;
  Order *order = call->order;
  GError *error = NULL;
  gboolean ok = call->audio
                    ? vidwrite_writer_push_audio_finish (VIDWRITE_WRITER (source), result, &error)
                    : vidwrite_writer_push_frames_finish (VIDWRITE_WRITER (source), result, &error);

  if (call->index != order->expected)
    order->in_order = FALSE;
  order->expected++;
  if (!ok && g_error_matches (error, VIDWRITE_ERROR, VIDWRITE_ERROR_CANCELLED))
    order->cancelled++;
  if (!ok && !order->error)
    order->error = error;
  else
    g_clear_error (&error);
  g_free (call);
  if (--order->pending == 0)
    g_main_loop_quit (order->loop);
}

static void
push_ordered (VidwriteWriter *writer, Order *order, GBytes *data, gboolean audio,
              GCancellable *cancellable)
{
  Call *call = g_new0 (Call, 1);

  call->order = order;
  call->index = order->expected + order->pending++;
  call->audio = audio;
  if (audio)
    vidwrite_writer_push_audio_async (writer, data, cancellable, on_ordered, call);
  else
    vidwrite_writer_push_frames_async (writer, data, cancellable, on_ordered, call);
}

#define OW 64
#define OH 48
#define ON 40

/* Frame i is a flat grey of level 20 + 5 i. */
static GBytes *
grey_frame (guint i)
{
  guint8 *p = g_malloc (OW * OH);

  memset (p, 20 + 5 * i, OW * OH);
  return g_bytes_new_take (p, OW * OH);
}

/* Forty pushes queued at once, before any has run: frames and callbacks keep the call order. */
static void
test_order (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "order.mkv");
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, &error);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Order order = { loop, 0, 0, 0, TRUE };

  g_assert_true (vidwrite_writer_set_video (writer, OW, OH, VIDWRITE_PIXEL_FORMAT_GRAY8, 25, 1,
                                            "ffv1", NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < ON; i++)
    {
      g_autoptr (GBytes) frame = grey_frame (i);

      push_ordered (writer, &order, frame, FALSE, NULL);
    }
  g_main_loop_run (loop);
  g_assert_no_error (order.error);
  g_assert_true (order.in_order);
  g_assert_cmpuint (order.expected, ==, ON);
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);

  g_autoptr (GBytes) decoded = vwt_decode_video (path, "gray");
  gsize size;
  const guint8 *pixels = g_bytes_get_data (decoded, &size);

  g_assert_cmpuint (size, ==, (gsize)ON * OW * OH);
  for (guint i = 0; i < ON; i++)
    g_assert_cmpint (abs ((int)pixels[(gsize)i * OW * OH + OW * OH / 2] - (int)(20 + 5 * i)), <=,
                     1);
}

/* Audio and video pushed asynchronously, interleaved, all queued at once: every sample and
 * frame arrives. */
static void
test_audio (Fixture *f, gconstpointer data)
{
  const guint n = 50, rate = 48000;
  const double freqs[2] = { 440, 660 };
  const gsize samples = (gsize)rate * n / 25;
  g_autofree char *path = vwt_path (f->dir, "audio.mkv");
  g_autoptr (GBytes) frames = vwt_make_frames (n, 64, 96, 3, 2);
  g_autoptr (GBytes) tones = vwt_make_tones (2, samples, rate, freqs);
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, &error);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Order order = { loop, 0, 0, 0, TRUE };
  const gsize frame_size = 96 * 64 * 3;

  g_assert_true (vidwrite_writer_set_video (writer, 96, 64, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1, NULL,
                                            NULL, &error));
  g_assert_true (vidwrite_writer_set_audio (writer, 2, rate, VIDWRITE_SAMPLE_FORMAT_F32,
                                            VIDWRITE_AUDIO_LAYOUT_INTERLEAVED, "aac", NULL,
                                            &error));
  g_assert_no_error (error);
  /* vwt_make_tones() is planar: interleave it once, then push it in ten blocks. */
  {
    const float *planar = g_bytes_get_data (tones, NULL);
    float *inter = g_new (float, 2 * samples);
    g_autoptr (GBytes) all = NULL;

    for (gsize s = 0; s < samples; s++)
      for (guint c = 0; c < 2; c++)
        inter[2 * s + c] = planar[c * samples + s];
    all = g_bytes_new_take (inter, 2 * samples * sizeof (float));
    for (guint k = 0; k < 10; k++)
      {
        g_autoptr (GBytes) v
            = g_bytes_new_from_bytes (frames, k * (n / 10) * frame_size, (n / 10) * frame_size);
        g_autoptr (GBytes) a
            = g_bytes_new_from_bytes (all, k * (samples / 10) * 8, (samples / 10) * 8);

        push_ordered (writer, &order, v, FALSE, NULL);
        push_ordered (writer, &order, a, TRUE, NULL);
      }
  }
  g_main_loop_run (loop);
  g_assert_no_error (order.error);
  g_assert_true (order.in_order);
  g_assert_cmpuint (vidwrite_writer_get_samples_pushed (writer), ==, samples);
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);

  g_autoptr (GHashTable) v = vwt_probe_stream (path, "v:0");
  g_assert_cmpint (vwt_probe_int (v, "nb_read_frames"), ==, n);
  guint channels = 0, got_rate = 0;
  g_autoptr (GBytes) audio = vwt_decode_audio (path, &channels, &got_rate);
  g_assert_nonnull (audio);
  g_assert_cmpuint (channels, ==, 2);
  vwt_assert_samples (g_bytes_get_size (audio) / (2 * sizeof (float)), samples);
  g_assert_cmpfloat (vwt_tone_amplitude (audio, 2, 0, got_rate, freqs[0]), >, 0.4);
  g_assert_cmpfloat (vwt_tone_amplitude (audio, 2, 1, got_rate, freqs[1]), >, 0.4);
}

/* Cancelling the cancellable of a push abandons the write: it and the pushes queued behind it
 * fail with CANCELLED, and no file is left. */
static void
test_cancel (Fixture *f, gconstpointer data)
{
  const guint w = 640, h = 360;
  g_autofree char *path = vwt_path (f->dir, "cancelled.mp4");
  g_autoptr (GBytes) frames = vwt_make_frames (2, h, w, 3, 5);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, &error);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Order order = { loop, 0, 0, 0, TRUE };

  g_assert_true (vidwrite_writer_set_video (writer, w, h, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1,
                                            "libx264", NULL, &error));
  g_assert_no_error (error);
  /* More frames than the encoder takes before it blocks the push. */
  for (guint i = 0; i < 100; i++)
    push_ordered (writer, &order, frames, FALSE, cancellable);
  g_cancellable_cancel (cancellable);
  g_main_loop_run (loop);

  g_assert_true (order.in_order);
  g_assert_cmpuint (order.cancelled, >, 0);
  g_assert_error (order.error, VIDWRITE_ERROR, VIDWRITE_ERROR_CANCELLED);
  g_clear_error (&order.error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
}

/* A push the synchronous call would refuse gives the same error in its callback, and the
 * pushes around it go on. */
static void
test_error (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "error.mkv");
  g_autoptr (GBytes) good = grey_frame (1);
  g_autoptr (GBytes) bad = g_bytes_new_static ("abc", 3);
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, &error);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Order order = { loop, 0, 0, 0, TRUE };

  g_assert_true (vidwrite_writer_set_video (writer, OW, OH, VIDWRITE_PIXEL_FORMAT_GRAY8, 25, 1,
                                            "ffv1", NULL, &error));
  push_ordered (writer, &order, good, FALSE, NULL);
  push_ordered (writer, &order, bad, FALSE, NULL);
  push_ordered (writer, &order, good, FALSE, NULL);
  g_main_loop_run (loop);
  g_assert_true (order.in_order);
  g_assert_error (order.error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (order.error->message, "3 bytes"));
  g_clear_error (&order.error);
  g_assert_cmpuint (vidwrite_writer_get_frames_pushed (writer), ==, 2);
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
}

static void
quit_on_pushed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_assert_true (vidwrite_writer_push_frames_finish (VIDWRITE_WRITER (source), result, NULL));
  g_main_loop_quit (user_data);
}

/* A program that leaves its loop in the last push's callback and drops the writer releases it
 * (and its temporary file) without running the loop again. */
static void
test_released (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "released.mkv");
  g_autoptr (GBytes) frame = grey_frame (3);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  VidwriteWriter *writer = vidwrite_writer_new (path, NULL);
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  g_assert_true (vidwrite_writer_set_video (writer, OW, OH, VIDWRITE_PIXEL_FORMAT_GRAY8, 25, 1,
                                            "ffv1", NULL, NULL));
  g_object_add_weak_pointer (G_OBJECT (writer), (gpointer *)&writer);
  vidwrite_writer_push_frames_async (writer, frame, NULL, quit_on_pushed, loop);
  g_main_loop_run (loop);
  g_object_unref (writer);
  /* The worker drops its references as it leaves: wait for that, never for the loop. */
  while (writer && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_null (writer);
  g_assert_cmpuint (vwt_count_tmp_files (f->dir), ==, 0);
}

static void
on_finished_flag (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (vidwrite_writer_finish_finish (VIDWRITE_WRITER (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *)user_data = TRUE;
}

/* Threads of this process now. */
static guint
count_threads (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir))
    n++;
  return n;
}

/* Waits (a no-hang bound) for the process to be back to `threads` threads. */
static guint
settle_threads (guint threads)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  while (count_threads () != threads && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  return count_threads ();
}

/* Fork safety: once a writer has finished, the thread of its asynchronous pushes is gone, even
 * while the writer itself lives on; a push after the end fails and leaves no thread either.  It
 * used to stay until the writer was finalized, and then be parked in GLib's shared pool.  First
 * of the program: the other tests' ffprobe runs leave GIO's threads behind for a while. */
static void
test_no_thread_after_finish (Fixture *f, gconstpointer data)
{
  g_autofree char *warm = vwt_path (f->dir, "warm.mkv");
  g_autoptr (GBytes) frames = vwt_make_frames (3, OH, OW, 3, 2);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GError) error = NULL;
  guint threads;

  /* What GStreamer and GLib start once per process (GTask's class starts GLib's worker thread)
   * is started before the count. */
  vwt_write_ok (warm, frames, 3, OH, OW, 3, 25, "ffv1", NULL);
  g_type_ensure (G_TYPE_TASK);
  threads = settle_threads (count_threads ());
  for (guint async_finish = 0; async_finish < 2; async_finish++)
    {
      g_autofree char *path = vwt_path (f->dir, async_finish ? "async.mkv" : "sync.mkv");
      g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, &error);
      Order order = { loop, 0, 0, 0, TRUE };

      g_assert_true (vidwrite_writer_set_video (writer, OW, OH, VIDWRITE_PIXEL_FORMAT_GRAY8, 25, 1,
                                                "ffv1", NULL, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < 5; i++)
        {
          g_autoptr (GBytes) frame = grey_frame (i);

          push_ordered (writer, &order, frame, FALSE, NULL);
        }
      g_main_loop_run (loop);
      g_assert_no_error (order.error);
      if (async_finish)
        {
          gboolean done = FALSE;

          vidwrite_writer_finish_async (writer, NULL, on_finished_flag, &done);
          while (!done)
            g_main_context_iteration (NULL, TRUE);
        }
      else
        g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (settle_threads (threads), ==, threads);

      /* A push after the end: refused, and its thread goes too. */
      {
        g_autoptr (GBytes) frame = grey_frame (9);
        Order late = { loop, 0, 0, 0, TRUE };

        push_ordered (writer, &late, frame, FALSE, NULL);
        g_main_loop_run (loop);
        g_assert_error (late.error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
        g_clear_error (&late.error);
      }
      g_assert_cmpuint (settle_threads (threads), ==, threads);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = vwt_path (f->dir, i ? "async.mkv" : "sync.mkv");

      g_assert_cmpint (vwt_gst_count_video_frames (path), ==, 5);
    }
}

static void
count_progress (VidwriteWriter *writer, guint64 encoded, guint64 pushed, gpointer user_data)
{
  (*(guint *)user_data)++;
}

/* A synchronous push after asynchronous ones emits `progress` in its own call, as documented,
 * not later in the main context of the asynchronous pushes (which it used to). */
static void
test_sync_after_async_progress (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "mixed.mkv");
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, &error);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Order order = { loop, 0, 0, 0, TRUE };
  g_autoptr (GBytes) first = grey_frame (0);
  guint emitted = 0;

  g_assert_true (vidwrite_writer_set_video (writer, OW, OH, VIDWRITE_PIXEL_FORMAT_GRAY8, 25, 1,
                                            "ffv1", NULL, &error));
  g_assert_no_error (error);
  push_ordered (writer, &order, first, FALSE, NULL);
  g_main_loop_run (loop);
  g_assert_no_error (order.error);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_signal_connect (writer, "progress", G_CALLBACK (count_progress), &emitted);
  for (guint i = 1; i < ON && emitted == 0; i++)
    {
      g_autoptr (GBytes) frame = grey_frame (i);

      g_assert_true (vidwrite_writer_push_frames (writer, frame, &error));
      g_assert_no_error (error);
    }
  /* Emitted within the pushes, without the main loop running. */
  g_assert_cmpuint (emitted, >, 0);
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
  VWT_ADD ("/async/no-thread-after-finish", test_no_thread_after_finish);
  VWT_ADD ("/async/meter", test_meter);
  VWT_ADD ("/async/no-stall-720p-medium", test_no_stall);
  VWT_ADD ("/async/order", test_order);
  VWT_ADD ("/async/audio", test_audio);
  VWT_ADD ("/async/cancel", test_cancel);
  VWT_ADD ("/async/error", test_error);
  VWT_ADD ("/async/released", test_released);
  VWT_ADD ("/async/sync-after-async-progress", test_sync_after_async_progress);
  return g_test_run ();
}
