/* Audio without video: the audio-only containers, FFmpeg's -ar and -ac as writer options, and
 * what an audio-only write refuses. */
#include "vwt.h"

#include <math.h>
#include <string.h>

typedef VwtFixture Fixture;

static const double freqs[2] = { 440, 660 };

/* A writer of `channels` planar float tones at `rate`, with only audio: pushed and finished. */
static gboolean
write_audio (const char *path, guint channels, guint rate, gsize n, const char *codec,
             GHashTable *options, GError **error)
{
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, error);
  g_autoptr (GBytes) tones = vwt_make_tones (channels, n, rate, freqs);

  return writer
         && vidwrite_writer_set_audio (writer, channels, rate, VIDWRITE_SAMPLE_FORMAT_F32,
                                       VIDWRITE_AUDIO_LAYOUT_PLANAR, codec, options, error)
         && vidwrite_writer_push_audio (writer, tones, error)
         && vidwrite_writer_finish (writer, NULL, error);
}

static GBytes *
decode (const char *path, guint want_channels, guint want_rate, gsize *samples)
{
  guint channels = 0, rate = 0;
  GBytes *pcm = vwt_decode_audio (path, &channels, &rate);

  g_assert_nonnull (pcm);
  g_assert_cmpuint (channels, ==, want_channels);
  g_assert_cmpuint (rate, ==, want_rate);
  *samples = g_bytes_get_size (pcm) / sizeof (float) / channels;
  return pcm;
}

/* Each audio-only container with its default codec (FFmpeg's), and nothing but the audio. */
static void
test_containers (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *file, *codec_name;
    guint decoded_rate;
    gsize samples, slack; /* decoded samples, give or take */
  } cases[] = {
    /* No LAME tag: FFmpeg also decodes lame's 1105 samples of priming and its padding. */
    { "a.mp3", "mp3", 16000, 16000, 1105 + 1152 },
    { "a.flac", "flac", 16000, 16000, 0 },
    { "a.wav", "pcm_s16le", 16000, 16000, 0 },
    { "a.ogg", "vorbis", 16000, 16000, 0 },
    { "a.opus", "opus", 48000, 48000, 0 }, /* FFmpeg decodes Opus at 48 kHz */
    /* voaacenc's priming (no edit list) and the silence that pushes its delay out. */
    { "a.m4a", "aac", 16000, 16000, VWT_AUDIO_EXTRA },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = vwt_path (f->dir, cases[i].file);
      g_autoptr (GError) error = NULL;
      gsize n;

      g_assert_true (write_audio (path, 2, 16000, 16000, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (vwt_count_streams (path), ==, 1);
      g_autoptr (GHashTable) probe = vwt_probe_stream (path, "a:0");
      g_assert_cmpstr (vwt_probe_str (probe, "codec_name"), ==, cases[i].codec_name);
      g_autoptr (GBytes) pcm = decode (path, 2, cases[i].decoded_rate, &n);
      g_test_message ("%s: %s, %zu samples", cases[i].file, cases[i].codec_name, n);
      g_assert_cmpuint (n, >=, cases[i].samples);
      g_assert_cmpuint (n - cases[i].samples, <=, cases[i].slack);
      /* Each channel its own tone (the MP3's priming silence lowers its mean level). */
      for (guint c = 0; c < 2; c++)
        {
          g_assert_cmpfloat (
              fabs (vwt_tone_amplitude (pcm, 2, c, cases[i].decoded_rate, freqs[c]) - 0.5), <,
              0.08);
          g_assert_cmpfloat (vwt_tone_amplitude (pcm, 2, c, cases[i].decoded_rate, freqs[1 - c]), <,
                             0.02);
        }
    }
}

/* An audio-only write into a container that also takes video. */
static void
test_video_container (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "audio.mkv");
  g_autoptr (GError) error = NULL;
  gsize n;

  g_assert_true (write_audio (path, 1, 8000, 8000, "flac", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vwt_count_streams (path), ==, 1);
  g_autoptr (GBytes) pcm = decode (path, 1, 8000, &n);
  g_assert_cmpuint (n, ==, 8000);
}

/* `ar` resamples, `ac` remixes with FFmpeg's levels: mono to both sides at 0.7071, stereo to
 * mono at 0.5 for an integer codec (FLAC), 0.7071 for a float one (Vorbis). */
static void
test_rate_and_channels (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *file, *codec;
    guint channels, rate;
    const char *ar, *ac;
    guint out_channels, out_rate;
    gsize samples;
    double level;     /* of each input tone in each output channel; 0: not measured */
    gsize in_samples; /* 0: a second */
  } cases[] = {
    { "up.flac", NULL, 1, 8000, "32000", NULL, 1, 32000, 32000, 0.5 },
    { "down.flac", NULL, 1, 16000, "8000", NULL, 1, 8000, 8000, 0.5 },
    { "stereo.flac", NULL, 1, 16000, NULL, "2", 2, 16000, 16000, 0.5 * G_SQRT2 / 2 },
    { "mono.flac", NULL, 2, 16000, NULL, "1", 1, 16000, 16000, 0.25 },
    { "mono.ogg", NULL, 2, 16000, "8000", "1", 1, 8000, 8000, 0.5 * G_SQRT2 / 2 },
    /* 1000 samples from 44.1 to 48 kHz: FFmpeg makes 1089 of the 1088.4. */
    { "odd.wav", NULL, 1, 44100, "48000", NULL, 1, 48000, 1089, 0, 1000 },
    { "spec.wav", "pcm_f32le", 2, 16000, NULL, "1", 1, 16000, 16000, 0.5 * G_SQRT2 / 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = vwt_path (f->dir, cases[i].file);
      g_autoptr (GHashTable) options = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr (GError) error = NULL;
      gsize n;

      if (cases[i].ar)
        g_hash_table_insert (options, "ar", (char *)cases[i].ar);
      if (cases[i].ac) /* with FFmpeg's stream specifier, which is taken too */
        g_hash_table_insert (options, i % 2 ? "ac:a" : "ac", (char *)cases[i].ac);
      g_assert_true (write_audio (path, cases[i].channels, cases[i].rate,
                                  cases[i].in_samples ? cases[i].in_samples : cases[i].rate,
                                  cases[i].codec, options, &error));
      g_assert_no_error (error);
      g_autoptr (GHashTable) probe = vwt_probe_stream (path, "a:0");
      g_assert_cmpint (vwt_probe_int (probe, "sample_rate"), ==, cases[i].out_rate);
      g_autoptr (GBytes) pcm = decode (path, cases[i].out_channels, cases[i].out_rate, &n);
      g_test_message ("%s: %zu samples", cases[i].file, n);
      g_assert_cmpuint (n, ==, cases[i].samples); /* FFmpeg's: ceil (n × out / in) */
      for (guint o = 0; cases[i].level > 0 && o < cases[i].out_channels; o++)
        for (guint c = 0; c < cases[i].channels; c++)
          {
            double level
                = vwt_tone_amplitude (pcm, cases[i].out_channels, o, cases[i].out_rate, freqs[c]);

            g_test_message ("  %.0f Hz in channel %u: %.4f", freqs[c], o, level);
            g_assert_cmpfloat (fabs (level - cases[i].level), <, 0.02);
          }
    }
}

/* The one-shot call with no frames: the audio alone. */
static void
test_one_shot (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "one-shot.wav");
  /* More than one FLAC block (4608 samples): flacenc 1.22 given less warns of sticky events
   * out of order when it rewrites its header at the end (the file is right). */
  g_autoptr (GBytes) tones = vwt_make_tones (2, 8000, 8000, freqs);
  g_autoptr (GError) error = NULL;
  gsize n;

  g_assert_true (vidwrite_write_video (path, NULL, 0, 0, 0, 0, 0, NULL, NULL, tones, 2, 8000, NULL,
                                       NULL, &error));
  g_assert_no_error (error);
  g_autoptr (GBytes) pcm = decode (path, 2, 8000, &n);
  g_assert_cmpuint (n, ==, 8000);
  g_assert_cmpfloat (fabs (vwt_tone_amplitude (pcm, 2, 1, 8000, freqs[1]) - 0.5), <, 0.01);

  /* In memory too. */
  g_autoptr (GBytes) encoded = vidwrite_encode_video ("flac", NULL, 0, 0, 0, 0, 0, NULL, NULL,
                                                      tones, 2, 8000, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (encoded, NULL), 4, "fLaC", 4);

  /* Frames missing without audio, or with a frame count, are still refused. */
  g_assert_false (
      vidwrite_write_video (path, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, 0, NULL, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (vidwrite_write_video (path, NULL, 3, 8, 8, 3, 25, NULL, NULL, tones, 2, 8000,
                                        NULL, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "n_frames 0"));
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *mp3 = vwt_path (f->dir, "x.mp3");
  g_autofree char *flac = vwt_path (f->dir, "x.flac");
  g_autoptr (GError) error = NULL;

  /* A video stream in an audio-only container. */
  {
    g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (mp3, NULL);

    g_assert_false (vidwrite_writer_set_video (writer, 32, 32, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1,
                                               NULL, NULL, &error));
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INCOMPATIBLE);
    g_assert_nonnull (strstr (error->message, ".mp3"));
    g_clear_error (&error);
  }
  /* Bad output rates and channel counts, named. */
  {
    static const char *const bad[][2] = {
      { "ar", "0" }, { "ar", "44100.5" }, { "ac", "9" }, { "ac:a", "two" }, { "ar", "768001" }
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr (GHashTable) options = vwt_options (bad[i][0], bad[i][1], NULL);

        g_assert_false (write_audio (flac, 1, 8000, 800, NULL, options, &error));
        g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_OPTION);
        g_assert_nonnull (strstr (error->message, bad[i][0]));
        g_assert_nonnull (strstr (error->message, bad[i][1]));
        g_clear_error (&error);
      }
  }
  /* A rate the encoder cannot take, asked for: refused before anything runs. */
  {
    g_autoptr (GHashTable) options = vwt_options ("ar", "44100", NULL);
    g_autofree char *opus = vwt_path (f->dir, "x.opus");

    g_assert_false (write_audio (opus, 1, 8000, 800, NULL, options, &error));
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INCOMPATIBLE);
    g_clear_error (&error);
  }
  /* Frames into an audio-only writer; a finish with no sample; a finish with nothing. */
  {
    g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (flac, NULL);
    g_autoptr (GBytes) frame = g_bytes_new_take (g_malloc0 (32 * 32 * 3), 32 * 32 * 3);

    g_assert_true (vidwrite_writer_set_audio (writer, 1, 8000, VIDWRITE_SAMPLE_FORMAT_F32,
                                              VIDWRITE_AUDIO_LAYOUT_PLANAR, NULL, NULL, NULL));
    g_assert_false (vidwrite_writer_push_frames (writer, frame, &error));
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
    g_assert_nonnull (strstr (error->message, "vidwrite_writer_set_video"));
    g_clear_error (&error);
    g_assert_false (vidwrite_writer_finish (writer, NULL, &error));
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "no audio sample"));
    g_clear_error (&error);
  }
  {
    g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (flac, NULL);

    g_assert_false (vidwrite_writer_finish (writer, NULL, &error));
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
    g_clear_error (&error);
  }
  g_assert_false (g_file_test (mp3, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (flac, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
  VWT_ADD ("/audio-only/containers", test_containers);
  VWT_ADD ("/audio-only/video-container", test_video_container);
  VWT_ADD ("/audio-only/rate-and-channels", test_rate_and_channels);
  VWT_ADD ("/audio-only/one-shot", test_one_shot);
  VWT_ADD ("/audio-only/errors", test_errors);
  return g_test_run ();
}
