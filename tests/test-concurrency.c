/* Concurrency: many writers at once, one writer fed from two threads, and cancel racing the
 * feeder, each repeated so that an unlucky interleaving has several chances to show. */
#include "vwt.h"

#include <glib/gstdio.h>
#include <string.h>

#define W 64
#define H 48
#define RATE 48000
#define N_FRAMES 24

static const double freqs[2] = { 440, 660 };

typedef VwtFixture Fixture;


typedef struct
{
  char *path;
  guint seed;
  gboolean audio;
  gboolean ok;
  char *message;
} Job;

static gpointer
write_job (gpointer user_data)
{
  Job *job = user_data;
  g_autoptr (GBytes) frames = vwt_make_frames (N_FRAMES, H, W, 3, job->seed);
  g_autoptr (GBytes) tones = job->audio ? vwt_make_tones (2, RATE, RATE, freqs) : NULL;
  g_autoptr (GError) error = NULL;

  job->ok = vidwrite_write_video (job->path, frames, N_FRAMES, H, W, 3, 24, NULL, NULL, tones, 2,
                                  RATE, NULL, NULL, &error);
  job->message = error ? g_strdup (error->message) : NULL;
  return NULL;
}

/* Eight one-shot writes in eight threads at once, three rounds, half of them with audio, into
 * .mp4 and .mkv: every file has its own frames (by PSNR against its own seed). */
static void
test_eight_threads (Fixture *f, gconstpointer data)
{
  for (guint round = 0; round < 3; round++)
    {
      Job jobs[8];
      GThread *threads[8];

      for (guint i = 0; i < 8; i++)
        {
          jobs[i]
              = (Job){ g_strdup_printf ("%s/r%u-t%u.%s", f->dir, round, i, i % 2 ? "mkv" : "mp4"),
                       round * 8 + i, i % 2 == 0 };
          threads[i] = g_thread_new ("writer", write_job, &jobs[i]);
        }
      for (guint i = 0; i < 8; i++)
        g_thread_join (threads[i]);
      for (guint i = 0; i < 8; i++)
        {
          g_autoptr (GHashTable) v = NULL;
          g_autoptr (GBytes) mine = vwt_make_frames (N_FRAMES, H, W, 3, jobs[i].seed);
          g_autoptr (GBytes) other = vwt_make_frames (N_FRAMES, H, W, 3, jobs[i].seed + 100);
          g_autoptr (GBytes) rgb = NULL;

          g_assert_true (jobs[i].ok);
          g_assert_null (jobs[i].message);
          v = vwt_probe_stream (jobs[i].path, "v:0");
          g_assert_cmpint (vwt_probe_int (v, "nb_read_frames"), ==, N_FRAMES);
          g_assert_cmpuint (vwt_count_streams (jobs[i].path), ==, jobs[i].audio ? 2 : 1);
          rgb = vwt_decode_video (jobs[i].path, "rgb24");
          g_assert_cmpfloat (vwt_psnr (mine, rgb), >, 28);
          g_assert_cmpfloat (vwt_psnr (other, rgb), <, vwt_psnr (mine, rgb));
          g_free (jobs[i].path);
        }
    }
}

typedef struct
{
  VidwriteWriter *writer;
  GBytes *data;
  gsize total;
  gsize chunk;
  gboolean audio;
  gboolean ok;
  GError *error;
} Feeder;

static gpointer
feed (gpointer user_data)
{
  Feeder *fd = user_data;
  const gsize unit = fd->audio ? 2 * sizeof (float) : (gsize)W * H * 3;

  fd->ok = TRUE;
  for (gsize s = 0; s < fd->total && fd->ok; s += fd->chunk)
    {
      gsize n = MIN (fd->chunk, fd->total - s);
      g_autoptr (GBytes) piece = g_bytes_new_from_bytes (fd->data, s * unit, n * unit);

      fd->ok = fd->audio ? vidwrite_writer_push_audio (fd->writer, piece, &fd->error)
                         : vidwrite_writer_push_frames (fd->writer, piece, &fd->error);
    }
  return NULL;
}

static VidwriteWriter *
new_writer (const char *path)
{
  g_autoptr (GError) error = NULL;
  VidwriteWriter *writer = vidwrite_writer_new (path, &error);

  g_assert_no_error (error);
  g_assert_true (vidwrite_writer_set_video (writer, W, H, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1, NULL,
                                            NULL, &error));
  g_assert_true (vidwrite_writer_set_audio (writer, 2, RATE, VIDWRITE_SAMPLE_FORMAT_F32,
                                            VIDWRITE_AUDIO_LAYOUT_INTERLEAVED, NULL, NULL, &error));
  g_assert_no_error (error);
  return writer;
}

/* Interleaved stereo of `n` samples a channel. */
static GBytes *
interleaved_tones (gsize n)
{
  g_autoptr (GBytes) planar = vwt_make_tones (2, n, RATE, freqs);
  const float *src = g_bytes_get_data (planar, NULL);
  float *dst = g_new (float, 2 * n);

  for (gsize i = 0; i < n; i++)
    {
      dst[2 * i] = src[i];
      dst[2 * i + 1] = src[n + i];
    }
  return g_bytes_new_take (dst, 2 * n * sizeof (float));
}

/* One writer, video from one thread and audio from another, with chunk sizes that differ from
 * round to round; the counts come out exact every time. */
static void
test_two_feeders_repeated (Fixture *f, gconstpointer data)
{
  const guint n = 50;
  const gsize samples = RATE * 2;
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 9);
  g_autoptr (GBytes) tones = interleaved_tones (samples);
  static const gsize frame_chunks[] = { 1, 7, 50, 3, 2 };
  static const gsize sample_chunks[] = { 480, 1000, 96000, 4097, 1 << 14 };

  for (guint round = 0; round < G_N_ELEMENTS (frame_chunks); round++)
    {
      g_autofree char *path = g_strdup_printf ("%s/feeders%u.mp4", f->dir, round);
      g_autoptr (VidwriteWriter) writer = new_writer (path);
      g_autoptr (GError) error = NULL;
      Feeder video = { writer, frames, n, frame_chunks[round], FALSE };
      Feeder audio = { writer, tones, samples, sample_chunks[round], TRUE };
      GThread *tv = g_thread_new ("video", feed, &video);
      GThread *ta = g_thread_new ("audio", feed, &audio);
      g_autoptr (GHashTable) v = NULL;
      guint channels = 0, rate = 0;
      g_autoptr (GBytes) pcm = NULL;

      g_thread_join (tv);
      g_thread_join (ta);
      g_assert_no_error (video.error);
      g_assert_no_error (audio.error);
      g_assert_cmpuint (vidwrite_writer_get_frames_pushed (writer), ==, n);
      g_assert_cmpuint (vidwrite_writer_get_samples_pushed (writer), ==, samples);
      g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (vidwrite_writer_get_frames_encoded (writer), ==, n);
      v = vwt_probe_stream (path, "v:0");
      g_assert_cmpint (vwt_probe_int (v, "nb_read_frames"), ==, n);
      pcm = vwt_decode_audio (path, &channels, &rate);
      g_assert_cmpuint (channels, ==, 2);
      vwt_assert_samples (g_bytes_get_size (pcm) / sizeof (float) / 2, samples);
      g_assert_cmpfloat (vwt_tone_amplitude (pcm, 2, 0, rate, freqs[0]), >, 0.4);
      g_assert_cmpfloat (vwt_tone_amplitude (pcm, 2, 1, rate, freqs[1]), >, 0.4);
    }
}

typedef struct
{
  VidwriteWriter *writer;
  gint after; /* frames encoded before cancelling; atomic */
} Canceller;

static gpointer
cancel_soon (gpointer user_data)
{
  Canceller *c = user_data;
  g_autoptr (GError) error = NULL;

  while (vidwrite_writer_get_frames_encoded (c->writer) < (guint64)g_atomic_int_get (&c->after))
    g_thread_yield ();
  /* The writer may have finished already; either answer is fine, a crash is not. */
  if (!vidwrite_writer_cancel (c->writer, &error))
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
  return NULL;
}

/* Cancel from another thread while pushes and the finish are under way: the result is either a
 * complete file or none at all (and the old one kept), never a partial one, never a hang. */
static void
test_cancel_races (Fixture *f, gconstpointer data)
{
  const guint n = 60;
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 11);
  g_autoptr (GBytes) tones = interleaved_tones (RATE * 3);
  guint completed = 0, cancelled = 0;

  for (guint round = 0; round < 8; round++)
    {
      g_autofree char *path = g_strdup_printf ("%s/race%u.mp4", f->dir, round);
      g_autoptr (VidwriteWriter) writer = NULL;
      g_autoptr (GError) error = NULL;
      Canceller c;
      GThread *thread;
      Feeder video, audio;
      GThread *tv, *ta;
      gboolean ok;

      vwt_write_file (path, "old");
      writer = new_writer (path);
      c = (Canceller){ writer, (gint)(1 + round * 7) };
      video = (Feeder){ writer, frames, n, 1 + round % 3, FALSE };
      audio = (Feeder){ writer, tones, RATE * 3, 1500, TRUE };
      thread = g_thread_new ("canceller", cancel_soon, &c);
      tv = g_thread_new ("video", feed, &video);
      ta = g_thread_new ("audio", feed, &audio);
      g_thread_join (tv);
      g_thread_join (ta);
      ok = video.ok && audio.ok && vidwrite_writer_finish (writer, NULL, &error);
      if (!video.ok || !audio.ok)
        {
          GError *push_error = video.ok ? audio.error : video.error;

          /* Cancelled during the push, or before it began (the writer then says it was). */
          if (!g_error_matches (push_error, VIDWRITE_ERROR, VIDWRITE_ERROR_CANCELLED))
            {
              g_assert_error (push_error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
              g_assert_nonnull (strstr (push_error->message, "cancelled"));
            }
        }
      /* A canceller still waiting for frames that will never be encoded: let it go. */
      if (!ok)
        g_atomic_int_set (&c.after, 0);
      g_thread_join (thread);
      g_clear_error (&video.error);
      g_clear_error (&audio.error);
      if (ok)
        {
          g_autoptr (GHashTable) v = vwt_probe_stream (path, "v:0");
          g_assert_cmpint (vwt_probe_int (v, "nb_read_frames"), ==, n);
          completed++;
        }
      else
        {
          if (error)
            g_assert_true (g_error_matches (error, VIDWRITE_ERROR, VIDWRITE_ERROR_CANCELLED)
                           || g_error_matches (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE));
          vwt_assert_file_is (path, "old");
          cancelled++;
        }
      g_clear_object (&writer);
      g_assert_cmpuint (vwt_count_tmp_files (f->dir), ==, 0);
    }
  g_test_message ("%u rounds completed, %u cancelled", completed, cancelled);
  g_assert_cmpuint (cancelled, >, 0);
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
#define ADD(path, func) VWT_ADD (path, func)
  ADD ("/concurrency/eight-threads", test_eight_threads);
  ADD ("/concurrency/two-feeders-repeated", test_two_feeders_repeated);
  ADD ("/concurrency/cancel-races", test_cancel_races);
  return g_test_run ();
}
