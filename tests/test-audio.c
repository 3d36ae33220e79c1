/* Audio: channel counts, sample counts, each channel's own tone, lossless round trips. */
#include "vwt.h"

#include <math.h>
#include <string.h>

static const double freqs[8] = { 440, 660, 880, 100, 1320, 1540, 1760, 1980 };
#define RATE_LAST 48000

typedef VwtFixture Fixture;


typedef struct
{
  const char *file;
  const char *codec; /* NULL: the container's default */
  const char *expect; /* ffprobe's codec_name */
  guint channels;
  guint rate;
} AudioCase;

/* Writes 2 s of tones with 1 s... of video at 30 fps and checks what FFmpeg decodes. */
static void
check_audio_case (const char *dir, const AudioCase *c)
{
  const guint n_frames = 30, h = 64, w = 64;
  const gsize n = c->rate * 1;
  g_autoptr (GBytes) frames = vwt_make_frames (n_frames, h, w, 3, 1);
  g_autoptr (GBytes) tones = vwt_make_tones (c->channels, n, c->rate, freqs);
  g_autofree char *path = vwt_path (dir, c->file);
  g_autoptr (GError) error = NULL;
  guint channels = 0, rate = 0;

  g_assert_true (vidwrite_write_video (path, frames, n_frames, h, w, 3, 30, NULL, NULL, tones,
                                       c->channels, c->rate, c->codec, NULL, &error));
  g_assert_no_error (error);

  g_autoptr (GHashTable) probe = vwt_probe_stream (path, "a:0");
  g_assert_cmpstr (vwt_probe_str (probe, "codec_name"), ==, c->expect);
  g_assert_cmpint (vwt_probe_int (probe, "channels"), ==, c->channels);
  g_assert_cmpint (vwt_probe_int (probe, "sample_rate"), ==, c->rate);

  g_autoptr (GBytes) pcm = vwt_decode_audio (path, &channels, &rate);
  g_assert_nonnull (pcm);
  g_assert_cmpuint (channels, ==, c->channels);
  gsize decoded = g_bytes_get_size (pcm) / sizeof (float) / channels;
  g_test_message ("%s %s: %u ch, %zu samples decoded of %zu", c->file, c->expect, channels,
                  decoded, n);
  /* Within one encoder frame and its priming, whatever the codec. */
  g_assert_cmpint (labs ((long) decoded - (long) n), <=, 2048 + 1152);

  for (guint ch = 0; ch < c->channels; ch++)
    {
      double own = vwt_tone_amplitude (pcm, channels, ch, rate, freqs[ch]);

      g_test_message ("  channel %u: %.0f Hz at %.3f", ch, freqs[ch], own);
      g_assert_cmpfloat (own, >, 0.35);
      for (guint other = 0; other < c->channels; other++)
        if (other != ch)
          g_assert_cmpfloat (vwt_tone_amplitude (pcm, channels, ch, rate, freqs[other]), <, 0.05);
    }

  /* Both streams start together, and at 0 but in MPEG-TS, whose clock starts where it likes. */
  g_autoptr (GHashTable) vprobe = vwt_probe_stream (path, "v:0");
  double vstart = vwt_probe_double (vprobe, "start_time");
  double astart = vwt_probe_double (probe, "start_time");
  g_test_message ("  start: video %.4f s, audio %.4f s", vstart, astart);
  g_assert_cmpfloat (fabs (vstart - astart), <, 0.05);
  if (!g_str_has_suffix (c->file, ".ts"))
    g_assert_cmpfloat (fabs (vstart), <, 0.05);
}

static void
test_aac_layouts (Fixture *f, gconstpointer data)
{
  const AudioCase cases[] = {
    { "mono.mp4", "aac", "aac", 1, 48000 },
    { "stereo.mp4", NULL, "aac", 2, 44100 },
    { "surround.mp4", "aac", "aac", 6, 48000 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_audio_case (f->dir, &cases[i]);
}

static void
test_codecs (Fixture *f, gconstpointer data)
{
  const AudioCase cases[] = {
    { "mp3.mp4", "mp3", "mp3", 2, 44100 },
    { "lame.avi", "libmp3lame", "mp3", 2, 48000 },
    { "default.avi", NULL, "mp3", 1, 32000 },
    { "opus.mkv", "libopus", "opus", 2, 48000 },
    { "opus.ts", "opus", "opus", 1, 48000 },
    { "vorbis.mkv", "libvorbis", "vorbis", 2, 44100 },
    { "default.mkv", NULL, "vorbis", 2, 48000 },
    { "flac.mkv", "flac", "flac", 2, 48000 },
    { "aac.ts", NULL, "aac", 2, 48000 },
    { "aac.mov", "aac", "aac", 2, 48000 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_audio_case (f->dir, &cases[i]);
}

/* 5.1 keeps every channel apart through every codec that carries it; 7.1 through Vorbis.
 * (GStreamer 1.22's flacenc and opusenc permute 7.1 pairs as FFmpeg reads them back.) */
static void
test_many_channels (Fixture *f, gconstpointer data)
{
  const AudioCase cases[] = {
    { "surround.mkv", "flac", "flac", 6, 48000 },
    { "surround-vorbis.mkv", "vorbis", "vorbis", 6, 48000 },
    { "surround-opus.mkv", "opus", "opus", 6, 48000 },
    { "three-opus.mkv", "libopus", "opus", 3, 48000 },
    { "three-vorbis.mkv", "vorbis", "vorbis", 3, 44100 },
    { "five-flac.mkv", "flac", "flac", 5, 48000 },
    { "eight.mkv", "vorbis", "vorbis", 8, 48000 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_audio_case (f->dir, &cases[i]);
}

/* FLAC in Matroska gives back every sample to 16-bit precision. */
static void
test_flac_round_trip (Fixture *f, gconstpointer data)
{
  const guint rate = 48000, channels = 2;
  const gsize n = rate / 2;
  g_autoptr (GBytes) frames = vwt_make_frames (15, 64, 64, 3, 2);
  g_autoptr (GBytes) tones = vwt_make_tones (channels, n, rate, freqs);
  g_autofree char *path = vwt_path (f->dir, "lossless.mkv");
  g_autoptr (GError) error = NULL;
  guint dch = 0, drate = 0;

  g_assert_true (vidwrite_write_video (path, frames, 15, 64, 64, 3, 30, NULL, NULL, tones,
                                       channels, rate, "flac", NULL, &error));
  g_assert_no_error (error);
  g_autoptr (GBytes) pcm = vwt_decode_audio (path, &dch, &drate);
  g_assert_nonnull (pcm);
  g_assert_cmpuint (g_bytes_get_size (pcm), ==, n * channels * sizeof (float));

  const float *in = g_bytes_get_data (tones, NULL), *out = g_bytes_get_data (pcm, NULL);
  double worst = 0;
  for (guint c = 0; c < channels; c++)
    for (gsize i = 0; i < n; i++)
      worst = MAX (worst, fabs (in[c * n + i] - out[i * channels + c]));
  g_test_message ("flac: worst sample error %.3g (16-bit step %.3g)", worst, 1.0 / 32768);
  g_assert_cmpfloat (worst, <=, 1.0 / 32768 + 1e-7);
}

/* Planar and interleaved input, float and 16-bit: the same tones come out. */
static void
test_layouts_and_formats (Fixture *f, gconstpointer data)
{
  const guint rate = 44100, channels = 2;
  const gsize n = rate;
  g_autoptr (GBytes) planar = vwt_make_tones (channels, n, rate, freqs);
  const float *p = g_bytes_get_data (planar, NULL);
  gint16 *s16 = g_new (gint16, n * channels);

  for (gsize i = 0; i < n; i++)
    for (guint c = 0; c < channels; c++)
      s16[i * channels + c] = (gint16) lrintf (p[c * n + i] * 32767.0f);
  g_autoptr (GBytes) interleaved = g_bytes_new_take (s16, n * channels * sizeof (gint16));

  g_autofree char *path = vwt_path (f->dir, "s16.mkv");
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, &error);
  g_autoptr (GBytes) frames = vwt_make_frames (30, 64, 64, 3, 3);
  guint dch = 0, drate = 0;

  g_assert_no_error (error);
  g_assert_true (vidwrite_writer_set_video (writer, 64, 64, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, NULL,
                                            NULL, &error));
  g_assert_true (vidwrite_writer_set_audio (writer, channels, rate, VIDWRITE_SAMPLE_FORMAT_S16,
                                            VIDWRITE_AUDIO_LAYOUT_INTERLEAVED, "flac", NULL, &error));
  g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
  g_assert_true (vidwrite_writer_push_audio (writer, interleaved, &error));
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);

  g_autoptr (GBytes) pcm = vwt_decode_audio (path, &dch, &drate);
  g_assert_cmpuint (dch, ==, channels);
  g_assert_cmpuint (g_bytes_get_size (pcm), ==, n * channels * sizeof (float));
  const float *out = g_bytes_get_data (pcm, NULL);
  for (gsize i = 0; i < n * channels; i++)
    g_assert_cmpfloat (fabs (out[i] * 32768.0f - s16[i]), <, 0.5);
  for (guint c = 0; c < channels; c++)
    g_assert_cmpfloat (vwt_tone_amplitude (pcm, dch, c, drate, freqs[c]), >, 0.45);
}

/* A click 0.25 s in must come out 0.25 s in: to the sample where the encoder signals its delay
 * (FLAC, Opus, Vorbis), within the encoder delay where GStreamer's muxers cannot say it (AAC from
 * voaacenc: 1600 samples, MP3 from LAME: 1105 samples at 48 kHz). */
static void
test_alignment (Fixture *f, gconstpointer data)
{
  const struct
  {
    const char *file, *codec;
    guint max_lag;
  } cases[] = {
    { "click.mkv", "flac", 0 },   { "click-opus.mkv", "opus", 0 }, { "click-vorbis.mkv", "vorbis", 0 },
    { "click.mp4", "aac", 1700 }, { "click-mp3.mp4", "mp3", 1200 },
  };
  const guint rate = 48000;
  float *click = g_new0 (float, 2 * rate);
  g_autoptr (GBytes) frames = vwt_make_frames (30, 64, 64, 3, 4);

  for (guint c = 0; c < 2; c++)
    for (guint i = 12000; i < 12048; i++)
      click[c * rate + i] = 0.8f;
  g_autoptr (GBytes) audio = g_bytes_new_take (click, 2 * rate * sizeof (float));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = vwt_path (f->dir, cases[i].file);
      g_autoptr (GError) error = NULL;
      guint channels = 0, r = 0;
      gsize onset = 0;

      g_assert_true (vidwrite_write_video (path, frames, 30, 64, 64, 3, 30, NULL, NULL, audio, 2,
                                           rate, cases[i].codec, NULL, &error));
      g_assert_no_error (error);
      g_autoptr (GBytes) pcm = vwt_decode_audio (path, &channels, &r);
      const float *s = g_bytes_get_data (pcm, NULL);
      gsize n = g_bytes_get_size (pcm) / sizeof (float) / channels;
      while (onset < n && fabsf (s[onset * channels]) < 0.2f)
        onset++;
      g_test_message ("%s: click at sample %zu (sent at 12000)", cases[i].codec, onset);
      g_assert_cmpuint (onset, >=, 12000);
      g_assert_cmpuint (onset - 12000, <=, cases[i].max_lag);
    }
}

/* Every sample pushed comes back, the last partial encoder frame too: voaacenc dropped it (a
 * 1.02 s tone lost its last 2596 samples with what its delay held, a 300-sample one all of
 * them, and the file had an AAC track with nothing in it).  Each codec, 300 samples and one
 * second and 100 more: what FFmpeg decodes holds the whole tone. */
static void
test_last_frame (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *codec, *file;
    gsize shortest;       /* 0: 300 samples too */
    const char *frame_ms; /* opus's frame_duration, or NULL */
  } cases[] = {
    { NULL, "default.mp4" },
    { "avenc_aac", "avenc.mp4" },
    { "mp3", "mp3.mkv" },
    { "mp2", "mp2.mkv" },
    { "opus", "opus.mkv" },
    { "vorbis", "vorbis.mkv" },
    /* Short, flacenc's file is right but GStreamer 1.22 warns on stderr (README, Known
     * limitations), which is fatal here. */
    { "flac", "flac.mkv", RATE_LAST },
    { "ac3", "ac3.mkv" },
    /* opusenc drains one frame: under 6.5 ms it lost the rest of its lookahead; and sound
     * under one frame lost its pre-skip. */
    { "opus", "opus-2.5ms.mkv", 0, "2.5" },
    { "opus", "opus-60ms.mkv", 0, "60" },
  };
  static const gsize lengths[] = { 300, RATE_LAST + 100 };
  const guint h = 64, w = 64;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint l = 0; l < G_N_ELEMENTS (lengths); l++)
      {
        const gsize n = MAX (lengths[l], cases[i].shortest);
        const guint n_frames = MAX (1, (guint)(n * 30 / RATE_LAST));
        g_autoptr (GBytes) frames = vwt_make_frames (n_frames, h, w, 3, 1);
        g_autoptr (GBytes) tones = vwt_make_tones (1, n, RATE_LAST, freqs);
        g_autofree char *name = g_strdup_printf ("%zu-%s", n, cases[i].file);
        g_autofree char *path = vwt_path (f->dir, name);
        g_autoptr (GError) error = NULL;
        g_autoptr (GBytes) pcm = NULL;
        guint channels = 0, rate = 0;
        gsize decoded, first = 0, last;
        const float *samples;
        g_autoptr (GHashTable) options
            = cases[i].frame_ms ? vwt_options ("frame_duration", cases[i].frame_ms, NULL) : NULL;

        g_assert_true (vidwrite_write_video (path, frames, n_frames, h, w, 3, 30, NULL, NULL, tones,
                                             1, RATE_LAST, cases[i].codec, options, &error));
        g_assert_no_error (error);
        pcm = vwt_decode_audio (path, &channels, &rate);
        g_assert_nonnull (pcm);
        g_assert_cmpuint (rate, ==, RATE_LAST);
        decoded = g_bytes_get_size (pcm) / sizeof (float) / channels;
        g_test_message ("%s: %zu samples decoded of %zu", name, decoded, n);
        g_assert_cmpuint (decoded, >=, n);
        /* The tone spans as many samples as were pushed, wherever the encoder's delay put its
         * start (the sine starts at 0: its first loud sample is the input's second or third). */
        samples = g_bytes_get_data (pcm, NULL);
        while (first < decoded && fabsf (samples[first * channels]) < 0.05f)
          first++;
        last = decoded;
        while (last > first && fabsf (samples[(last - 1) * channels]) < 0.05f)
          last--;
        g_test_message ("  the tone from %zu to %zu", first, last);
        g_assert_cmpuint (last - first, >=, n - 8);
      }
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
#define ADD(path, func) VWT_ADD (path, func)
  ADD ("/audio/aac-layouts", test_aac_layouts);
  ADD ("/audio/codecs", test_codecs);
  ADD ("/audio/many-channels", test_many_channels);
  ADD ("/audio/flac-round-trip", test_flac_round_trip);
  ADD ("/audio/layouts-and-formats", test_layouts_and_formats);
  ADD ("/audio/alignment", test_alignment);
  ADD ("/audio/last-frame", test_last_frame);
  return g_test_run ();
}
