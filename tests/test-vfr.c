/* Frames with their own times (variable frame rate): vidwrite_writer_push_frames_at().
 *
 * Irregular times (a jittered 30 fps, a two second gap, sub-millisecond steps), pushed in chunks
 * of uneven sizes, in MP4, Matroska and WebM: ffprobe's packet times must be the given times to
 * the container's time base, every frame must decode, and the file must last until the end of
 * the last frame (one nominal frame after it).  Constant-rate writes keep n / rate; mixing plain
 * and timed pushes follows the documented rule; bad times are INVALID_ARGUMENT naming their
 * index and value; audio beside timed video keeps its length. */
#include "vwt.h"

#include <gst/gst.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 64
#define H 48
#define FPS 30
#define NOMINAL (GST_SECOND / FPS)
#define RATE 48000

static const double freqs[2] = { 440, 660 };

typedef VwtFixture Fixture;

typedef struct
{
  const char *extension;
  const char *codec;
  const char *options; /* "k=v k=v" or NULL */
} Format;

static const Format formats[] = {
  { "mp4", "libx264", NULL }, /* x264's default B-frames: decode times differ from the times */
  { "mkv", "libx264", NULL },
  { "webm", "libvpx-vp9", "deadline=realtime cpu-used=8" },
};

/* Times in nanoseconds: a frame, a 1.5 s gap (a screen that stays still), 11 jittered frames at
 * about 30 fps, a 2 s gap, four frames 0.25 ms apart, then 8 more at about 30 fps.
 * Deterministic.  (A reordering encoder's decode times start early by the first steps: the gap
 * at the start made MP4 files 1.5 s too long.) */
static guint64 *
irregular_times (guint *n_out)
{
  const guint n = 12 + 4 + 8;
  guint64 *times = g_new (guint64, n);
  g_autoptr (GRand) rand = g_rand_new_with_seed (13);
  guint64 t = 0;
  guint i = 0;

  times[i++] = t;
  t += 1500 * GST_MSECOND;
  for (; i < 12; i++, t += NOMINAL + g_rand_int_range (rand, -8000000, 8000000))
    times[i] = t;
  t += 2 * GST_SECOND;
  for (; i < 16; i++, t += 250000)
    times[i] = t;
  for (; i < n; i++, t += NOMINAL + g_rand_int_range (rand, -5000000, 5000000))
    times[i] = t;
  *n_out = n;
  return times;
}

static const char *
ffprobe (void)
{
  return g_getenv ("FFPROBE") ? g_getenv ("FFPROBE") : "ffprobe";
}

static char *
run_ffprobe (const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  gint status = 0;

  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return g_steal_pointer (&out);
}

static int
compare_guint64 (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;

  return x < y ? -1 : x > y;
}

/* The presentation times of the video packets, in ticks of the stream's time base (returned in
 * *num / *den), in presentation order. */
static GArray *
probe_packet_times (const char *path, gint *num, gint *den)
{
  const char *argv[] = { ffprobe (),
                         "-v",
                         "error",
                         "-select_streams",
                         "v:0",
                         "-show_entries",
                         "stream=time_base:packet=pts",
                         "-of",
                         "csv=p=0",
                         path,
                         NULL };
  g_autofree char *out = run_ffprobe (argv);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  GArray *times = g_array_new (FALSE, FALSE, sizeof (guint64));

  *num = *den = 0;
  for (guint i = 0; lines[i]; i++)
    {
      g_strstrip (lines[i]);
      if (strchr (lines[i], '/'))
        g_assert_cmpint (sscanf (lines[i], "%d/%d", num, den), ==, 2);
      else if (*lines[i])
        {
          guint64 pts = g_ascii_strtoull (lines[i], NULL, 10);
          g_array_append_val (times, pts);
        }
    }
  g_assert_cmpint (*num, >, 0);
  g_assert_cmpint (*den, >, 0);
  g_array_sort (times, compare_guint64);
  return times;
}

static double
probe_duration (const char *path, const char *entry)
{
  const char *argv[]
      = { ffprobe (), "-v", "error", "-show_entries", entry, "-of", "csv=p=0", path, NULL };
  g_autofree char *out = run_ffprobe (argv);

  return g_ascii_strtod (out, NULL);
}

/* Every frame is where it was given, to a tick of the container's time base (MP4 rounds decode
 * times and their offsets to presentation times each to the tick). */
static void
assert_times (const char *path, const guint64 *times, guint n)
{
  gint num, den;
  g_autoptr (GArray) got = probe_packet_times (path, &num, &den);
  guint64 tick = gst_util_uint64_scale_ceil (GST_SECOND, num, den);

  g_test_message ("%s: time base %d/%d", path, num, den);
  g_assert_cmpuint (got->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      guint64 t
          = gst_util_uint64_scale (g_array_index (got, guint64, i), (guint64)GST_SECOND * num, den);
      guint64 diff = t > times[i] ? t - times[i] : times[i] - t;

      if (diff > tick)
        g_error ("%s: frame %u is at %" G_GUINT64_FORMAT " ns, given %" G_GUINT64_FORMAT " ns",
                 path, i, t, times[i]);
    }
}

/* The file lasts until one nominal frame after the last, to a millisecond (Matroska's tick). */
static void
assert_duration (const char *path, guint64 last)
{
  double expected = (double)(last + NOMINAL) / GST_SECOND;

  g_assert_cmpfloat_with_epsilon (probe_duration (path, "format=duration"), expected, 0.0011);
}

static VidwriteWriter *
new_writer (const char *path, const char *codec, const char *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) table = vwt_options_parse (options, " ");
  VidwriteWriter *writer = vidwrite_writer_new (path, &error);

  g_assert_no_error (error);
  g_assert_true (vidwrite_writer_set_video (writer, W, H, VIDWRITE_PIXEL_FORMAT_RGB, FPS, 1, codec,
                                            table, &error));
  g_assert_no_error (error);
  return writer;
}

static GBytes *
frames_slice (GBytes *all, guint first, guint n)
{
  const gsize frame = (gsize)W * H * 3;

  return g_bytes_new_from_bytes (all, first * frame, n * frame);
}

/* Pushes frames [first, first + n) of `all` with their times. */
static void
push_at (VidwriteWriter *writer, GBytes *all, const guint64 *times, guint first, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) slice = frames_slice (all, first, n);

  g_assert_true (vidwrite_writer_push_frames_at (writer, slice, times + first, n, &error));
  g_assert_no_error (error);
}

static void
finish (VidwriteWriter *writer)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
}

static void
test_times (Fixture *f, gconstpointer data)
{
  const Format *format = data;
  static const guint chunks[] = { 1, 3, 1, 7, 2, 1, 5, 4 }; /* 24 frames in uneven pushes */
  guint n, first = 0;
  g_autofree guint64 *times = irregular_times (&n);
  g_autofree char *name = g_strdup_printf ("vfr.%s", format->extension);
  g_autofree char *path = vwt_path (f->dir, name);
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 1);
  g_autoptr (VidwriteWriter) writer = new_writer (path, format->codec, format->options);
  g_autoptr (GHashTable) probe = NULL;

  for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
    {
      push_at (writer, frames, times, first, chunks[c]);
      first += chunks[c];
    }
  g_assert_cmpuint (first, ==, n);
  finish (writer);

  assert_times (path, times, n);
  assert_duration (path, times[n - 1]);
  probe = vwt_probe_stream (path, "v:0");
  g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, n);
  /* The container advertises the nominal rate. */
  g_assert_cmpstr (vwt_probe_str (probe, "r_frame_rate"), !=, "");
}

/* Plain pushes keep frame n at n / rate, to the tick. */
static void
test_constant_rate (Fixture *f, gconstpointer data)
{
  const guint n = 20;
  g_autofree char *path = vwt_path (f->dir, "constant.mp4");
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 2);
  g_autofree guint64 *times = g_new (guint64, n);
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = new_writer (path, NULL, NULL);
  g_autoptr (GHashTable) probe = NULL;

  for (guint i = 0; i < n; i++)
    times[i] = gst_util_uint64_scale (i, GST_SECOND, FPS);
  g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
  g_assert_no_error (error);
  finish (writer);
  assert_times (path, times, n);
  assert_duration (path, times[n - 1]);
  probe = vwt_probe_stream (path, "v:0");
  g_assert_cmpstr (vwt_probe_str (probe, "r_frame_rate"), ==, "30/1");
  g_assert_cmpstr (vwt_probe_str (probe, "avg_frame_rate"), ==, "30/1");
}

/* Plain, then timed, then plain again: frame n at n / rate, the given times, then the last
 * given time plus whole nominal frames. */
static void
test_mixed (Fixture *f, gconstpointer data)
{
  const Format *format = data;
  const guint n = 12;
  g_autofree char *name = g_strdup_printf ("mixed.%s", format->extension);
  g_autofree char *path = vwt_path (f->dir, name);
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 3);
  guint64 times[12];
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = new_writer (path, format->codec, format->options);

  for (guint i = 0; i < 4; i++)
    times[i] = gst_util_uint64_scale (i, GST_SECOND, FPS);
  times[4] = 500 * GST_MSECOND;
  times[5] = 520 * GST_MSECOND;
  times[6] = 1700 * GST_MSECOND;
  times[7] = 1701 * GST_MSECOND;
  for (guint i = 8; i < n; i++)
    times[i] = times[7] + gst_util_uint64_scale (i - 7, GST_SECOND, FPS);

  {
    g_autoptr (GBytes) plain = frames_slice (frames, 0, 4);
    g_assert_true (vidwrite_writer_push_frames (writer, plain, &error));
    g_assert_no_error (error);
  }
  push_at (writer, frames, times, 4, 4);
  {
    g_autoptr (GBytes) plain = frames_slice (frames, 8, 4);
    g_assert_true (vidwrite_writer_push_frames (writer, plain, &error));
    g_assert_no_error (error);
  }
  finish (writer);
  assert_times (path, times, n);
  assert_duration (path, times[n - 1]);
}

static void
assert_refused (VidwriteWriter *writer, GBytes *frames, const guint64 *times, guint n,
                const char *const *words)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (vidwrite_writer_push_frames_at (writer, frames, times, n, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  for (guint i = 0; words[i]; i++)
    if (!strstr (error->message, words[i]))
      g_error ("“%s” does not say “%s”", error->message, words[i]);
  /* A NULL error is legal. */
  g_assert_false (vidwrite_writer_push_frames_at (writer, frames, times, n, NULL));
}

/* Bad times are refused with their index and value; nothing of such a push is queued, and the
 * writer goes on. */
static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "errors.mkv");
  g_autoptr (GBytes) frames = vwt_make_frames (3, H, W, 3, 4);
  g_autoptr (GBytes) one = frames_slice (frames, 0, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = new_writer (path, NULL, NULL);
  const guint64 decreasing[] = { 0, 40000000, 39999999 };
  const guint64 equal[] = { 0, 40000000, 40000000 };
  const guint64 negative[] = { 0, (guint64)-5, 80000000 };
  const guint64 good[] = { 10000000, 50000000, 90000000 };
  const guint64 not_after_last[] = { 90000000 };

  assert_refused (writer, frames, decreasing, 3,
                  (const char *[]){ "timestamp 2", "39999999", "40000000", NULL });
  assert_refused (writer, frames, equal, 3, (const char *[]){ "timestamp 2", "40000000", NULL });
  assert_refused (writer, frames, negative, 3, (const char *[]){ "timestamp 1", "-5", NULL });
  assert_refused (writer, frames, good, 2, (const char *[]){ "2 timestamps for 3 frames", NULL });
  assert_refused (writer, frames, NULL, 0, (const char *[]){ "0 timestamps for 3 frames", NULL });

  g_assert_true (vidwrite_writer_push_frames_at (writer, frames, good, 3, &error));
  g_assert_no_error (error);
  /* Across pushes: after the last one pushed. */
  assert_refused (writer, one, not_after_last, 1,
                  (const char *[]){ "timestamp 0", "90000000", "last pushed", NULL });
  g_assert_cmpuint (vidwrite_writer_get_frames_pushed (writer), ==, 3);
  finish (writer);
  assert_times (path, good, 3);
}

/* Encoders that are restamped at the nominal rate cannot keep the times: they refuse them. */
static void
test_restamped_encoder (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "mjpeg.mkv");
  g_autoptr (GBytes) frames = vwt_make_frames (1, H, W, 3, 5);
  const guint64 times[] = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = new_writer (path, "mjpeg", NULL);

  g_assert_false (vidwrite_writer_push_frames_at (writer, frames, times, 1, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INCOMPATIBLE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "mjpeg"));
  g_assert_nonnull (strstr (error->message, "timestamps"));
  g_assert_false (vidwrite_writer_push_frames_at (writer, frames, times, 1, NULL));
  g_assert_true (vidwrite_writer_cancel (writer, NULL));
}

/* Timed video with gaps (4.2 s) beside 2.5 s of sample-clocked audio: the audio keeps its
 * length, the frames their times. */
static void
test_audio (Fixture *f, gconstpointer data)
{
  const Format *format = data;
  const gsize samples = RATE * 5 / 2;
  guint n;
  g_autofree guint64 *times = irregular_times (&n);
  g_autofree char *name = g_strdup_printf ("av.%s", format->extension);
  g_autofree char *path = vwt_path (f->dir, name);
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 6);
  g_autoptr (GBytes) tones = vwt_make_tones (2, samples, RATE, freqs);
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = new_writer (path, format->codec, format->options);
  guint channels = 0, rate = 0;
  g_autoptr (GBytes) pcm = NULL;
  gsize decoded;

  g_assert_true (vidwrite_writer_set_audio (writer, 2, RATE, VIDWRITE_SAMPLE_FORMAT_F32,
                                            VIDWRITE_AUDIO_LAYOUT_PLANAR, NULL, NULL, &error));
  g_assert_no_error (error);
  /* Half the frames, all the audio, the other half: the frames before the gap wait for it. */
  push_at (writer, frames, times, 0, n / 2);
  g_assert_true (vidwrite_writer_push_audio (writer, tones, &error));
  g_assert_no_error (error);
  push_at (writer, frames, times, n / 2, n - n / 2);
  finish (writer);

  assert_times (path, times, n);
  assert_duration (path, times[n - 1]);
  pcm = vwt_decode_audio (path, &channels, &rate);
  g_assert_nonnull (pcm);
  decoded = g_bytes_get_size (pcm) / sizeof (float) / channels;
  vwt_assert_samples (decoded, samples);
  g_assert_cmpfloat (vwt_tone_amplitude (pcm, 2, 0, rate, freqs[0]), >, 0.4);
  /* The audio starts with the video, at 0. */
  {
    g_autoptr (GHashTable) a = vwt_probe_stream (path, "a:0");
    g_assert_cmpfloat (fabs (vwt_probe_double (a, "start_time")), <, 0.03);
  }
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *times = g_strdup_printf ("/vfr/times/%s", formats[i].extension);
      g_autofree char *mixed = g_strdup_printf ("/vfr/mixed/%s", formats[i].extension);
      g_autofree char *audio = g_strdup_printf ("/vfr/audio/%s", formats[i].extension);

      g_test_add (times, Fixture, &formats[i], vwt_fixture_set_up, test_times,
                  vwt_fixture_tear_down);
      g_test_add (mixed, Fixture, &formats[i], vwt_fixture_set_up, test_mixed,
                  vwt_fixture_tear_down);
      if (i != 1)
        g_test_add (audio, Fixture, &formats[i], vwt_fixture_set_up, test_audio,
                    vwt_fixture_tear_down);
    }
  VWT_ADD ("/vfr/constant-rate", test_constant_rate);
  VWT_ADD ("/vfr/errors", test_errors);
  VWT_ADD ("/vfr/restamped-encoder", test_restamped_encoder);
  return g_test_run ();
}
