/* Audio and video of different lengths, through every C face and push order: the file holds
 * every frame and every sample, lasts as long as its longer stream, and the write ends promptly
 * (a soundtrack longer than the picture once waited out the whole stall timeout). */
#include "vwt.h"

#include <math.h>
#include <string.h>

#define W 64
#define H 48
#define FPS 30
#define N_FRAMES 60 /* 2 s */
#define RATE 48000
#define STALL 30 /* seconds: a stall fails the test long before the default 120 */

static const double freqs[2] = { 440, 660 };

typedef VwtFixture Fixture;

typedef enum
{
  FACE_ONE_SHOT,
  FACE_VIDEO_FIRST,
  FACE_AUDIO_FIRST,
  FACE_ALTERNATING,
  FACE_TWO_THREADS,
} Face;

typedef struct
{
  Face face;
  double audio_seconds;
  const char *container;
} Case;

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
push_video (VidwriteWriter *writer, GBytes *frames, guint first, guint n)
{
  const gsize frame = (gsize)W * H * 3;
  g_autoptr (GBytes) chunk = g_bytes_new_from_bytes (frames, first * frame, n * frame);
  g_autoptr (GError) error = NULL;

  g_assert_true (vidwrite_writer_push_frames (writer, chunk, &error));
  g_assert_no_error (error);
}

static void
push_audio (VidwriteWriter *writer, GBytes *tones, gsize total, gsize first, gsize n)
{
  g_autoptr (GBytes) chunk = audio_slice (tones, total, first, n);
  g_autoptr (GError) error = NULL;

  g_assert_true (vidwrite_writer_push_audio (writer, chunk, &error));
  g_assert_no_error (error);
}

typedef struct
{
  VidwriteWriter *writer;
  GBytes *frames, *tones;
  gsize samples;
} Feed;

static gpointer
feed_video (gpointer data)
{
  Feed *feed = data;

  for (guint i = 0; i < N_FRAMES; i += 7)
    push_video (feed->writer, feed->frames, i, MIN (7, N_FRAMES - i));
  return NULL;
}

static gpointer
feed_audio (gpointer data)
{
  Feed *feed = data;

  for (gsize s = 0; s < feed->samples; s += 3000)
    push_audio (feed->writer, feed->tones, feed->samples, s, MIN (3000, feed->samples - s));
  return NULL;
}

static void
write_case (const Case *c, const char *path, GBytes *frames, GBytes *tones, gsize samples)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = NULL;
  Feed feed;

  if (c->face == FACE_ONE_SHOT)
    {
      g_assert_true (vidwrite_write_video (path, frames, N_FRAMES, H, W, 3, FPS, NULL, NULL, tones,
                                           2, RATE, NULL, NULL, &error));
      g_assert_no_error (error);
      return;
    }

  writer = vidwrite_writer_new (path, &error);
  g_assert_no_error (error);
  g_object_set (writer, "stall-timeout", (guint)STALL, NULL);
  g_assert_true (vidwrite_writer_set_video (writer, W, H, VIDWRITE_PIXEL_FORMAT_RGB, FPS, 1, NULL,
                                            NULL, &error));
  g_assert_true (vidwrite_writer_set_audio (writer, 2, RATE, VIDWRITE_SAMPLE_FORMAT_F32,
                                            VIDWRITE_AUDIO_LAYOUT_PLANAR, NULL, NULL, &error));
  g_assert_no_error (error);
  feed = (Feed){ writer, frames, tones, samples };

  switch (c->face)
    {
    case FACE_VIDEO_FIRST:
      feed_video (&feed);
      feed_audio (&feed);
      break;
    case FACE_AUDIO_FIRST:
      feed_audio (&feed);
      feed_video (&feed);
      break;
    case FACE_ALTERNATING:
      {
        guint f = 0;
        gsize s = 0;

        while (f < N_FRAMES || s < samples)
          {
            if (f < N_FRAMES)
              push_video (writer, frames, f++, 1);
            if (s < samples)
              {
                gsize k = MIN (RATE / FPS, samples - s);
                push_audio (writer, tones, samples, s, k);
                s += k;
              }
          }
      }
      break;
    case FACE_TWO_THREADS:
      {
        GThread *tv = g_thread_new ("video", feed_video, &feed);
        GThread *ta = g_thread_new ("audio", feed_audio, &feed);

        g_thread_join (tv);
        g_thread_join (ta);
      }
      break;
    case FACE_ONE_SHOT:
    default:
      g_assert_not_reached ();
    }
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
}

static void
test_lengths (Fixture *f, gconstpointer data)
{
  const Case *c = data;
  const gsize samples = (gsize)(c->audio_seconds * RATE);
  g_autoptr (GBytes) frames = vwt_make_frames (N_FRAMES, H, W, 3, 7);
  g_autoptr (GBytes) tones = vwt_make_tones (2, samples, RATE, freqs);
  g_autofree char *name = g_strdup_printf ("out.%s", c->container);
  g_autofree char *path = vwt_path (f->dir, name);
  gint64 start = g_get_monotonic_time ();
  double elapsed;
  guint channels = 0, rate = 0;

  write_case (c, path, frames, tones, samples);
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  /* A no-hang bound, not a speed test: a stall waits STALL seconds at least. */
  g_assert_cmpfloat (elapsed, <, STALL - 5);

  g_autoptr (GHashTable) v = vwt_probe_stream (path, "v:0");
  g_assert_cmpint (vwt_probe_int (v, "nb_read_frames"), ==, N_FRAMES);

  /* Every sample, give or take the encoder's priming and last frame. */
  g_autoptr (GBytes) pcm = vwt_decode_audio (path, &channels, &rate);
  g_assert_nonnull (pcm);
  g_assert_cmpuint (channels, ==, 2);
  g_assert_cmpuint (rate, ==, RATE);
  gsize decoded = g_bytes_get_size (pcm) / sizeof (float) / channels;
  vwt_assert_samples (decoded, samples);
  g_assert_cmpfloat (vwt_tone_amplitude (pcm, 2, 0, rate, freqs[0]), >, 0.4);
  g_assert_cmpfloat (vwt_tone_amplitude (pcm, 2, 1, rate, freqs[1]), >, 0.4);

  /* The audio stream lasts as long as its samples, wherever the picture ends. */
  g_autoptr (GHashTable) a = vwt_probe_stream (path, "a:0");
  double a_end = vwt_probe_double (a, "duration");
  double v_end = vwt_probe_double (v, "duration");
  if (!isnan (a_end))
    g_assert_cmpfloat (fabs (a_end - c->audio_seconds), <, 0.1);
  if (!isnan (v_end))
    g_assert_cmpfloat (fabs (v_end - (double)N_FRAMES / FPS), <, 0.1);
}

int
main (int argc, char **argv)
{
  static const char *const face_names[]
      = { "one-shot", "video-first", "audio-first", "alternating", "two-threads" };
  static const double lengths[] = { 0.5, 2.0, 5.0, 12.0 };
  static const char *const containers[] = { "mp4", "mkv" };
  GPtrArray *cases = g_ptr_array_new_with_free_func (g_free);

  vwt_init (&argc, &argv);
  for (guint face = 0; face < G_N_ELEMENTS (face_names); face++)
    for (guint l = 0; l < G_N_ELEMENTS (lengths); l++)
      for (guint k = 0; k < G_N_ELEMENTS (containers); k++)
        {
          Case *c = g_new (Case, 1);
          g_autofree char *path = NULL;

          /* Each face in each container would be 40 writes: every face and length in .mp4, the
           * lengths once more in .mkv through the one-shot call. */
          if (k > 0 && face != FACE_ONE_SHOT)
            {
              g_free (c);
              continue;
            }
          *c = (Case){ face, lengths[l], containers[k] };
          g_ptr_array_add (cases, c);
          path = g_strdup_printf ("/lengths/%s/audio-%gs/%s", face_names[face], lengths[l],
                                  containers[k]);
          g_test_add (path, Fixture, c, vwt_fixture_set_up, test_lengths, vwt_fixture_tear_down);
        }
  int status = g_test_run ();
  g_ptr_array_unref (cases);
  return status;
}
