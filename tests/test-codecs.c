/* The codec and option tables: every available codec in every container it allows, each option
 * family doing what FFmpeg's option does, and the errors for what cannot be written here. */
#include "vwt.h"
#include "vidwrite-private.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

typedef VwtFixture Fixture;


#define W 128
#define H 96
#define N 12
#define FPS 25
#define RATE 48000

/* What ffprobe calls each codec vidwrite writes, and the PSNR it must at least reach on the
 * test frames at default settings (lossless ones: 4:2:0 alone leaves 33.2 dB of these frames). */
static const struct
{
  const char *codec;
  const char *probe_name;
  double psnr_floor;
} video_expect[] = {
  { "libx264", "h264", 30 }, { "libopenh264", "h264", 25 },      { "libx265", "hevc", 28 },
  { "mpeg4", "mpeg4", 25 },  { "mpeg2video", "mpeg2video", 25 }, { "mjpeg", "mjpeg", 25 },
  { "libvpx", "vp8", 25 },   { "libvpx-vp9", "vp9", 28 },        { "libaom-av1", "av1", 28 },
  { "ffv1", "ffv1", 32 },    { "prores", "prores", 32 },         { "libtheora", "theora", 25 },
  { "png", "png", 32 },      { "rawvideo", "rawvideo", 32 },
  { "libx264rgb", "h264", 30 },
};

static const struct
{
  const char *codec;
  const char *probe_name;
} audio_expect[] = {
  { "aac", "aac" },
  { "mp3", "mp3" },
  { "mp2", "mp2" },
  { "opus", "opus" },
  { "vorbis", "vorbis" },
  { "flac", "flac" },
  { "ac3", "ac3" },
  { "pcm_s16le", "pcm_s16le" },
  { "pcm_s24le", "pcm_s24le" },
  { "pcm_f32le", "pcm_f32le" },
};

/* A quick video codec for each container, to carry the audio under test, and the other audio
 * rate it may keep (FLV's header knows no 48 kHz: flvmux resamples MP3 and PCM to 44.1 kHz).
 * Audio-only containers carry none: the audio goes alone. */
static const struct
{
  const char *extension;
  const char *codec;
  guint rate;
} carrier[] = {
  { "mp4", "libx264", RATE },   { "mov", "libx264", RATE }, { "mkv", "libx264", RATE },
  { "webm", "libvpx", RATE },   { "avi", "libx264", RATE }, { "ogv", "libtheora", RATE },
  { "ogg", "libtheora", RATE }, { "ts", "libx264", RATE },  { "flv", "libx264", 44100 },
  { "mpg", "libx264", RATE },   { "mp3", NULL, RATE },      { "flac", NULL, RATE },
  { "wav", NULL, RATE },        { "opus", NULL, RATE },     { "m4a", NULL, RATE },
};

static const char *
carrier_codec (const char *extension)
{
  for (guint k = 0; k < G_N_ELEMENTS (carrier); k++)
    if (g_str_equal (carrier[k].extension, extension))
      return carrier[k].codec;
  g_assert_not_reached ();
}

static GHashTable *
fast_options (const char *codec)
{
  if (g_str_equal (codec, "libx264"))
    return vwt_options ("preset", "ultrafast", NULL);
  if (g_str_equal (codec, "libvpx"))
    return vwt_options ("deadline", "realtime", NULL);
  return NULL;
}

static VidwriteCodecInfo *
find (const char *name)
{
  g_autoptr (GError) error = NULL;
  VidwriteCodecInfo *info = vidwrite_find_codec (name, &error);

  g_assert_no_error (error);
  return info;
}

/* Every video codec of the list, in every container the registry says it goes into. */
static void
test_video_matrix (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) frames = vwt_make_frames (N, H, W, 3, 11);
  guint written = 0;

  for (guint i = 0; i < G_N_ELEMENTS (video_expect); i++)
    {
      g_autoptr (VidwriteCodecInfo) info = find (video_expect[i].codec);
      const char *const *containers = vidwrite_codec_info_get_containers (info);

      /* scripts/deps.sh installs every plugin these need. */
      g_assert_cmpstr (vidwrite_codec_info_get_unavailable_reason (info), ==, NULL);
      g_assert_nonnull (vidwrite_codec_info_get_element (info));
      g_assert_cmpuint (g_strv_length ((char **)containers), >, 0);
      for (guint c = 0; containers[c]; c++)
        {
          g_autofree char *name = g_strdup_printf ("%s.%s", video_expect[i].codec, containers[c]);
          g_autofree char *path = vwt_path (f->dir, name);

          vwt_write_ok (path, frames, N, H, W, 3, FPS, video_expect[i].codec, NULL);
          g_autoptr (GHashTable) probe = vwt_probe_stream (path, "v:0");
          g_autoptr (GBytes) rgb = vwt_decode_video (path, "rgb24");
          g_assert_nonnull (rgb);
          double psnr = vwt_psnr (frames, rgb);

          g_test_message ("%s (%s): %s %s %dx%d, %d frames, %.2f dB, %zu bytes", name,
                          vidwrite_codec_info_get_element (info),
                          vwt_probe_str (probe, "codec_name"), vwt_probe_str (probe, "pix_fmt"),
                          vwt_probe_int (probe, "width"), vwt_probe_int (probe, "height"),
                          vwt_probe_int (probe, "nb_read_frames"), psnr, vwt_file_size (path));
          g_assert_cmpstr (vwt_probe_str (probe, "codec_name"), ==, video_expect[i].probe_name);
          g_assert_cmpint (vwt_probe_int (probe, "width"), ==, W);
          g_assert_cmpint (vwt_probe_int (probe, "height"), ==, H);
          g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, N);
          g_assert_cmpuint (g_bytes_get_size (rgb), ==, (gsize)N * H * W * 3);
          g_assert_cmpfloat (psnr, >=, video_expect[i].psnr_floor);
          written++;
        }
    }
  g_test_message ("%u (codec, container) pairs", written);
}

/* Every audio codec of the list in every container it goes into: channels, samples, tones. */
static void
test_audio_matrix (Fixture *f, gconstpointer data)
{
  const double freqs[] = { 440, 1000 };
  const gsize samples = RATE; /* one second, as long as the video */
  g_autoptr (GBytes) frames = vwt_make_frames (FPS, H, W, 3, 12);
  g_autoptr (GBytes) tones = vwt_make_tones (2, samples, RATE, freqs);
  guint written = 0;

  for (guint i = 0; i < G_N_ELEMENTS (audio_expect); i++)
    {
      g_autoptr (VidwriteCodecInfo) info = find (audio_expect[i].codec);
      const char *const *containers = vidwrite_codec_info_get_containers (info);

      g_assert_cmpstr (vidwrite_codec_info_get_unavailable_reason (info), ==, NULL);
      g_assert_cmpuint (g_strv_length ((char **)containers), >, 0);
      for (guint c = 0; containers[c]; c++)
        {
          g_autofree char *name = g_strdup_printf ("%s.%s", audio_expect[i].codec, containers[c]);
          g_autofree char *path = vwt_path (f->dir, name);
          g_autoptr (GError) error = NULL;
          const char *vcodec = NULL;
          guint kept_rate = 0;

          for (guint k = 0; k < G_N_ELEMENTS (carrier); k++)
            if (g_str_equal (carrier[k].extension, containers[c]))
              {
                vcodec = carrier[k].codec;
                kept_rate = carrier[k].rate;
              }
          g_assert_cmpuint (kept_rate, >, 0);
          g_autoptr (GHashTable) vopts = vcodec ? fast_options (vcodec) : NULL;
          g_assert_true (vidwrite_write_video (path, vcodec ? frames : NULL, vcodec ? FPS : 0, H, W,
                                               3, FPS, vcodec, vopts, tones, 2, RATE,
                                               audio_expect[i].codec, NULL, &error));
          g_assert_no_error (error);

          g_autoptr (GHashTable) probe = vwt_probe_stream (path, "a:0");
          guint channels = 0, rate = 0;
          g_autoptr (GBytes) pcm = vwt_decode_audio (path, &channels, &rate);
          g_assert_nonnull (pcm);
          gsize got = g_bytes_get_size (pcm) / sizeof (float) / MAX (channels, 1);
          double a440 = vwt_tone_amplitude (pcm, channels, 0, rate, 440);
          double a1000 = vwt_tone_amplitude (pcm, channels, 1, rate, 1000);
          double leak = vwt_tone_amplitude (pcm, channels, 0, rate, 1000);

          g_test_message ("%s: %s, %u ch, %u Hz, %zu samples (of %zu), 440 Hz %.3f, 1 kHz %.3f, "
                          "leak %.4f",
                          name, vwt_probe_str (probe, "codec_name"), channels, rate, got, samples,
                          a440, a1000, leak);
          g_assert_cmpstr (vwt_probe_str (probe, "codec_name"), ==, audio_expect[i].probe_name);
          g_assert_cmpuint (channels, ==, 2);
          g_assert_true (rate == RATE || rate == kept_rate);
          /* Encoders pad to whole frames and add their priming; none loses the end. */
          gsize expected = samples * rate / RATE;
          g_assert_cmpuint (got, >=, expected);
          g_assert_cmpuint (got, <=, expected + 2 * 2048);
          g_assert_cmpfloat (fabs (a440 - 0.5), <, 0.1);
          g_assert_cmpfloat (fabs (a1000 - 0.5), <, 0.1);
          g_assert_cmpfloat (leak, <, 0.02);
          written++;
        }
    }
  g_test_message ("%u (codec, container) pairs", written);
}

/* ffv1 with an RGB pix_fmt: the frames come back bit-exact. */
static void
test_ffv1_rgb_exact (Fixture *f, gconstpointer data)
{
  /* avenc_ffv1 of gst-libav 1.22 takes no 8-bit gbrp; bgr0 and bgra are its RGB formats. */
  const char *const pix_fmts[] = { "bgr0", "bgra" };
  g_autoptr (GBytes) frames = vwt_make_frames (N, H, W, 3, 13);

  for (guint i = 0; i < G_N_ELEMENTS (pix_fmts); i++)
    {
      g_autofree char *name = g_strdup_printf ("ffv1-%s.mkv", pix_fmts[i]);
      g_autofree char *path = vwt_path (f->dir, name);
      g_autoptr (GHashTable) options = vwt_options ("pix_fmt", pix_fmts[i], NULL);

      vwt_write_ok (path, frames, N, H, W, 3, FPS, "ffv1", options);
      g_autoptr (GHashTable) probe = vwt_probe_stream (path, "v:0");
      g_autoptr (GBytes) rgb = vwt_decode_video (path, "rgb24");
      g_assert_nonnull (rgb);
      g_test_message ("%s: %s", name, vwt_probe_str (probe, "pix_fmt"));
      g_assert_cmpstr (vwt_probe_str (probe, "codec_name"), ==, "ffv1");
      g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, N);
      g_assert_true (g_bytes_equal (frames, rgb));
    }
}

/* ---- options: each family changes the stream as FFmpeg's option does ------------------ */

/* ffprobe's picture types of the first video stream, one letter a frame ("IPPB..."). */
static char *
picture_types (const char *path)
{
  const char *ffprobe = g_getenv ("FFPROBE") ? g_getenv ("FFPROBE") : "ffprobe";
  const char *argv[] = {
    ffprobe,   "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pict_type", "-of",
    "csv=p=0", path, NULL
  };
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;
  gint status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  GString *types = g_string_new (NULL);
  for (const char *p = out; *p; p++)
    if (g_ascii_isupper (*p))
      g_string_append_c (types, *p);
  return g_string_free (types, FALSE);
}

static gsize
write_size (Fixture *f, const char *name, GBytes *frames, guint n, guint h, guint w,
            const char *codec, GHashTable *options)
{
  g_autofree char *path = vwt_path (f->dir, name);

  vwt_write_ok (path, frames, n, h, w, 3, FPS, codec, options);
  g_test_message ("%s: %zu bytes", name, vwt_file_size (path));
  return vwt_file_size (path);
}

/* g=10 bf=0: a key frame every 10 frames and no B-frames, for each family that maps them
 * (vpx and aom have no B-frames to switch off; mpeg4 is kept free of them, see the avenc rows). */
static void
test_gop (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *codec;
    gboolean takes_bf;
  } cases[] = {
    { "libx264", TRUE }, { "libx265", TRUE },     { "mpeg2video", TRUE },
    { "mpeg4", FALSE },  { "libvpx-vp9", FALSE }, { "libaom-av1", FALSE },
  };
  const guint n = 30;
  g_autoptr (GBytes) frames = vwt_make_frames (n, H, W, 3, 14);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("gop-%s.mkv", cases[i].codec);
      g_autofree char *path = vwt_path (f->dir, name);
      g_autoptr (GHashTable) options = cases[i].takes_bf ? vwt_options ("g", "10", "bf", "0", NULL)
                                                         : vwt_options ("g", "10", NULL);

      vwt_write_ok (path, frames, n, H, W, 3, FPS, cases[i].codec, options);
      g_autofree char *types = picture_types (path);
      g_test_message ("%s: %s", name, types);
      g_assert_cmpuint (strlen (types), ==, n);
      for (guint k = 0; k < n; k++)
        g_assert_cmpint (types[k] == 'I', ==, k % 10 == 0);
      g_assert_null (strchr (types, 'B'));
    }
}

static void
test_x264_family (Fixture *f, gconstpointer data)
{
  const guint n = 30, h = 120, w = 160;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 15);
  g_autofree char *base = vwt_path (f->dir, "baseline.mp4");
  g_autoptr (GHashTable) baseline = vwt_options ("profile", "baseline", NULL);
  g_autoptr (GHashTable) fast = vwt_options ("preset", "ultrafast", NULL);
  g_autoptr (GHashTable) slow = vwt_options ("preset", "veryslow", NULL);

  vwt_write_ok (base, frames, n, h, w, 3, FPS, "libx264", baseline);
  g_autoptr (GHashTable) probe = vwt_probe_stream (base, "v:0");
  g_assert_cmpstr (vwt_probe_str (probe, "profile"), ==, "Constrained Baseline");

  /* A level as x264 and FFmpeg read it: "3.0" is level 3 (it was refused). */
  {
    g_autofree char *leveled = vwt_path (f->dir, "level.mp4");
    g_autoptr (GHashTable) level = vwt_options ("level", "3.0", NULL);

    vwt_write_ok (leveled, frames, n, h, w, 3, FPS, "libx264", level);
    g_autoptr (GHashTable) level_probe = vwt_probe_stream (leveled, "v:0");
    g_assert_cmpstr (vwt_probe_str (level_probe, "level"), ==, "30");
  }

  gsize s_fast = write_size (f, "ultrafast.mkv", frames, n, h, w, "libx264", fast);
  gsize s_slow = write_size (f, "veryslow.mkv", frames, n, h, w, "libx264", slow);
  g_assert_cmpuint (s_fast, >, s_slow);
}

/* b=300k: x264 and x265 land near 300 kbit/s, 4 seconds at 320x240 so that rate control has
 * room; openh264 near what FFmpeg's libopenh264 makes of the same frames. */
static void
test_bitrate (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *codec, *ffmpeg_args;
  } cases[] = {
    { "libx264", NULL },
    { "libx265", NULL },
    { "libvpx", NULL },
  };
  const guint n = 100, h = 240, w = 320;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 16);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("b300k-%s.mkv", cases[i].codec);
      g_autofree char *ref_name = g_strdup_printf ("ffmpeg-b300k-%s.mkv", cases[i].codec);
      g_autofree char *path = vwt_path (f->dir, name);
      g_autofree char *ref = vwt_path (f->dir, ref_name);
      g_autoptr (GHashTable) options = vwt_options ("b", "300k", NULL);
      double expected = 300;

      vwt_write_ok (path, frames, n, h, w, 3, 25, cases[i].codec, options);
      if (cases[i].ffmpeg_args)
        {
          g_assert_true (
              vwt_ffmpeg_encode (frames, w, h, "rgb24", "25", cases[i].ffmpeg_args, ref));
          expected = vwt_file_size (ref) * 8.0 / (n / 25.0) / 1000.0;
        }
      double kbps = vwt_file_size (path) * 8.0 / (n / 25.0) / 1000.0;
      g_test_message ("%s: %.1f kbit/s, expected %.1f", name, kbps, expected);
      g_assert_cmpfloat (kbps, >, expected * 0.75);
      g_assert_cmpfloat (kbps, <, expected * 1.25);
    }
}

/* FFmpeg's constrained quality: libvpx with crf and b is libvpx's CQ mode, crf the quality
 * floor and b the bitrate ceiling, so the size stays near FFmpeg's (crf alone pinning the
 * quantizer wrote 6.8 times FFmpeg's size with crf=10 b=1M).  VP9 in CQ mode lands below
 * FFmpeg's size here (0.4x on these frames, 0.64x on testsrc2; README's performance section):
 * only the ceiling is checked for it, and a loose floor. */
static void
test_vpx_constrained_quality (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *codec;
    double lowest; /* ours / FFmpeg's size */
  } cases[] = { { "libvpx", 0.75 }, { "libvpx-vp9", 0.2 } };
  const guint n = 50, h = 240, w = 320;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 18);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *codec = cases[i].codec;
      g_autofree char *name = g_strdup_printf ("cq-%s.webm", codec);
      g_autofree char *ref_name = g_strdup_printf ("ffmpeg-cq-%s.webm", codec);
      g_autofree char *ref = vwt_path (f->dir, ref_name);
      g_autofree char *args
          = g_strdup_printf ("-c:v %s -crf 10 -b:v 60k -deadline good -cpu-used 1", codec);
      g_autoptr (GHashTable) options = vwt_options ("crf", "10", "b", "60k", NULL);

      gsize ours = write_size (f, name, frames, n, h, w, codec, options);
      g_assert_true (vwt_ffmpeg_encode (frames, w, h, "rgb24", "25", args, ref));
      gsize theirs = vwt_file_size (ref);
      g_test_message ("%s crf=10 b=60k: %zu bytes, FFmpeg %zu (%.2fx)", codec, ours, theirs,
                      (double)ours / theirs);
      g_assert_cmpfloat ((double)ours / theirs, >, cases[i].lowest);
      g_assert_cmpfloat ((double)ours / theirs, <, 1.25);
    }

  /* b=0 is FFmpeg's "no bitrate" (crf with b=0: VP9's constant quality): as if b were not given,
   * not a quantizer freed for a bitrate of libvpx's choosing.  One thread: libvpx's row-mt with
   * several (one a CPU since libvpx got FFmpeg's default) is not bit-exact from run to run
   * (its adaptive thresholds are shared by the rows; 61170 against 61171 bytes once, under ASan
   * and load), and the two files are compared to the byte. */
  g_autoptr (GHashTable) alone = vwt_options ("crf", "10", "threads", "1", NULL);
  g_autoptr (GHashTable) zero = vwt_options ("crf", "10", "b", "0", "threads", "1", NULL);
  gsize s_alone = write_size (f, "crf-vp9.webm", frames, n, h, w, "libvpx-vp9", alone);
  gsize s_zero = write_size (f, "crf-b0-vp9.webm", frames, n, h, w, "libvpx-vp9", zero);
  g_assert_cmpuint (s_zero, ==, s_alone);
}

/* Quality scales: the better setting gives the larger file, as in FFmpeg. */
static void
test_quality_scales (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *codec, *key, *better, *worse;
  } cases[] = {
    { "libvpx-vp9", "crf", "20", "50" }, { "libvpx", "crf", "10", "50" },
    { "libaom-av1", "crf", "20", "50" }, { "libx265", "crf", "20", "40" },
    { "mpeg4", "qscale", "2", "20" },    { "mpeg4", "q:v", "2", "20" },
    { "mjpeg", "q:v", "2", "20" },       { "mpeg2video", "qscale", "2", "20" },
  };
  const guint n = 30, h = 120, w = 160;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 17);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *a
          = g_strdup_printf ("%s-%s%s.mkv", cases[i].codec, cases[i].key, cases[i].better);
      g_autofree char *b
          = g_strdup_printf ("%s-%s%s.mkv", cases[i].codec, cases[i].key, cases[i].worse);
      g_autoptr (GHashTable) better = vwt_options (cases[i].key, cases[i].better, NULL);
      g_autoptr (GHashTable) worse = vwt_options (cases[i].key, cases[i].worse, NULL);

      for (char *p = a; *p; p++)
        *p = *p == ':' ? '_' : *p;
      for (char *p = b; *p; p++)
        *p = *p == ':' ? '_' : *p;
      gsize sa = write_size (f, a, frames, n, h, w, cases[i].codec, better);
      gsize sb = write_size (f, b, frames, n, h, w, cases[i].codec, worse);
      g_assert_cmpuint (sa, >, sb);
    }
}

/* The same quantiser as FFmpeg's, the same quality: PSNR against the input, of FFmpeg's
 * decoding of each file, within 0.5 dB of FFmpeg's own file.  mpeg2video: mpeg2enc's scale is
 * non-linear, so the same number was 2.3 dB better than FFmpeg at q 4 and far worse at 31.
 * mjpeg: JPEG is full range, FFmpeg's yuvj420p; in limited range q:v 4 was 1 dB below it. */
static void
test_same_quantiser (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *codec, *key, *value, *pix_fmt;
  } cases[] = {
    { "mpeg2video", "q:v", "2", "yuv420p" },
    { "mpeg2video", "q:v", "8", "yuv420p" },
    { "mpeg2video", "q:v", "31", "yuv420p" },
    /* FFmpeg's qscale is a float: "4.0" is 4 (it was refused once a table mapped the values). */
    { "mpeg2video", "q:v", "4.0", "yuv420p" },
    { "mjpeg", "q:v", "4", "yuvj420p" },
  };
  const guint n = 20, h = 120, w = 160;
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 23);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-q%s.mkv", cases[i].codec, cases[i].value);
      g_autofree char *ref_name
          = g_strdup_printf ("ffmpeg-%s-q%s.mkv", cases[i].codec, cases[i].value);
      g_autofree char *path = vwt_path (f->dir, name);
      g_autofree char *ref = vwt_path (f->dir, ref_name);
      g_autofree char *args = g_strdup_printf ("-c:v %s -%s %s -pix_fmt %s", cases[i].codec,
                                               cases[i].key, cases[i].value, cases[i].pix_fmt);
      g_autoptr (GHashTable) options = vwt_options (cases[i].key, cases[i].value, NULL);
      g_autoptr (GHashTable) probe = NULL;
      g_autoptr (GBytes) ours = NULL, theirs = NULL;
      double p_ours, p_theirs;

      vwt_write_ok (path, frames, n, h, w, 3, FPS, cases[i].codec, options);
      g_assert_true (vwt_ffmpeg_encode (frames, w, h, "rgb24", "25", args, ref));
      ours = vwt_decode_video (path, "rgb24");
      theirs = vwt_decode_video (ref, "rgb24");
      g_assert_nonnull (ours);
      g_assert_nonnull (theirs);
      p_ours = vwt_psnr (frames, ours);
      p_theirs = vwt_psnr (frames, theirs);
      g_test_message ("%s %s %s: vidwrite %.2f dB, FFmpeg %.2f dB", cases[i].codec,
                      cases[i].key, cases[i].value, p_ours, p_theirs);
      g_assert_cmpfloat (fabs (p_ours - p_theirs), <, 0.5);
      /* The range FFmpeg's file says is the one vidwrite's says. */
      probe = vwt_probe_stream (path, "v:0");
      g_assert_cmpstr (vwt_probe_str (probe, "color_range"), ==,
                       g_str_has_prefix (cases[i].pix_fmt, "yuvj") ? "pc" : "tv");
    }
}

/* x265's preset moves the size the way FFmpeg's libx265 moves it on the same frames (with this
 * fine detail veryslow spends more bits than ultrafast, at the same crf). */
static void
test_x265_preset (Fixture *f, gconstpointer data)
{
  const guint n = 30, h = 120, w = 160;
  const char *const presets[] = { "ultrafast", "veryslow" };
  g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, 17);
  gsize ours[2], theirs[2];

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *name = g_strdup_printf ("x265-%s.mkv", presets[i]);
      g_autofree char *ref_name = g_strdup_printf ("ffmpeg-x265-%s.mkv", presets[i]);
      g_autofree char *ref = vwt_path (f->dir, ref_name);
      g_autofree char *args
          = g_strdup_printf ("-c:v libx265 -preset %s -pix_fmt yuv420p", presets[i]);
      g_autoptr (GHashTable) options = vwt_options ("preset", presets[i], NULL);

      ours[i] = write_size (f, name, frames, n, h, w, "libx265", options);
      g_assert_true (vwt_ffmpeg_encode (frames, w, h, "rgb24", "25", args, ref));
      theirs[i] = vwt_file_size (ref);
      g_test_message ("FFmpeg libx265 %s: %zu bytes", presets[i], theirs[i]);
    }
  g_assert_cmpuint (ours[0], !=, ours[1]);
  g_assert_cmpint (ours[0] > ours[1], ==, theirs[0] > theirs[1]);
}

/* kbit/s of the first audio stream over `seconds`, from its packets (ffprobe states no rate
 * for some, nor every packet's duration). */
static double
audio_kbps (const char *path, double seconds)
{
  const char *ffprobe = g_getenv ("FFPROBE") ? g_getenv ("FFPROBE") : "ffprobe";
  const char *argv[]
      = { ffprobe,   "-v", "error", "-select_streams", "a:0", "-show_entries", "packet=size", "-of",
          "csv=p=0", path, NULL };
  g_autofree char *out = NULL;
  gint status = 0;
  double bytes = 0;

  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    bytes += g_ascii_strtod (lines[i], NULL);
  return bytes * 8 / seconds / 1000;
}

/* FFmpeg's own encoder on the same planar tones: the audio rate it reaches, in kbit/s. */
static double
ffmpeg_audio_kbps (const char *dir, GBytes *tones, guint channels, gsize n, const char *args,
                   const char *out)
{
  const char *ffmpeg = g_getenv ("FFMPEG") ? g_getenv ("FFMPEG") : "ffmpeg";
  const float *planar = g_bytes_get_data (tones, NULL);
  g_autofree float *interleaved = g_new (float, channels *n);
  g_autofree char *raw = g_build_filename (dir, "tones.f32", NULL);
  g_autofree char *cmd = NULL;
  gint status = 0;

  for (gsize i = 0; i < n; i++)
    for (guint c = 0; c < channels; c++)
      interleaved[i * channels + c] = planar[c * n + i];
  g_assert_true (
      g_file_set_contents (raw, (char *)interleaved, sizeof (float) * channels * n, NULL));
  cmd = g_strdup_printf ("%s -v error -y -f f32le -ar %u -ac %u -i %s %s %s", ffmpeg, RATE,
                         channels, raw, args, out);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_unlink (raw);
  return audio_kbps (out, (double)n / RATE);
}

/* Audio options: b lands where FFmpeg's own encoder lands with the same b on the same tones
 * (libvorbis, for one, stays far under 96k on pure tones); quality scales order the sizes. */
static void
test_audio_options (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *codec, *ext, *key, *value, *ffmpeg_args;
  } cases[] = {
    { "aac", "mp4", "b", "64k", "-c:a aac -b:a 64k" },
    { "mp3", "mkv", "b", "96k", "-c:a libmp3lame -b:a 96k" },
    { "opus", "webm", "b", "48k", "-c:a libopus -b:a 48k" },
    { "vorbis", "ogg", "b", "96k", "-c:a libvorbis -b:a 96k" },
    { "ac3", "mkv", "b", "128k", "-c:a ac3 -b:a 128k" },
    { "mp2", "mkv", "b", "128k", "-c:a mp2 -b:a 128k" },
  };
  static const struct
  {
    const char *codec, *ext, *key, *better, *worse;
  } scales[] = {
    { "vorbis", "ogg", "q:a", "9", "1" },
    { "mp3", "mkv", "q:a", "0", "9" },
    { "flac", "mkv", "compression_level", "0", "8" }, /* faster level, larger file */
  };
  const double freqs[] = { 440, 1000 };
  const gsize samples = 4 * RATE;
  g_autoptr (GBytes) frames = vwt_make_frames (4 * FPS, H, W, 3, 18);
  g_autoptr (GBytes) tones = vwt_make_tones (2, samples, RATE, freqs);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name
          = g_strdup_printf ("%s-%s.%s", cases[i].codec, cases[i].value, cases[i].ext);
      g_autofree char *ref_name = g_strdup_printf ("ffmpeg-%s.%s", name, cases[i].ext);
      g_autofree char *path = vwt_path (f->dir, name);
      g_autofree char *ref = vwt_path (f->dir, ref_name);
      g_autoptr (GHashTable) options = vwt_options (cases[i].key, cases[i].value, NULL);
      g_autoptr (GError) error = NULL;
      const char *vcodec = carrier_codec (cases[i].ext);

      g_assert_true (vidwrite_write_video (path, frames, 4 * FPS, H, W, 3, FPS, vcodec, NULL, tones,
                                           2, RATE, cases[i].codec, options, &error));
      g_assert_no_error (error);
      double kbps = audio_kbps (path, (double)samples / RATE);
      double theirs = ffmpeg_audio_kbps (f->dir, tones, 2, samples, cases[i].ffmpeg_args, ref);
      g_test_message ("%s: %.1f kbit/s; FFmpeg %s: %.1f kbit/s", name, kbps, cases[i].ffmpeg_args,
                      theirs);
      g_assert_cmpfloat (fabs (kbps - theirs), <, theirs * 0.25);
    }

  for (guint i = 0; i < G_N_ELEMENTS (scales); i++)
    {
      gsize sizes[2];

      for (guint k = 0; k < 2; k++)
        {
          const char *value = k ? scales[i].worse : scales[i].better;
          g_autofree char *name
              = g_strdup_printf ("%s-%s.%s", scales[i].codec, value, scales[i].ext);
          g_autofree char *path = vwt_path (f->dir, name);
          g_autoptr (GHashTable) options = vwt_options (scales[i].key, value, NULL);
          g_autoptr (GError) error = NULL;
          const char *vcodec = carrier_codec (scales[i].ext);

          g_assert_true (vidwrite_write_video (path, frames, 4 * FPS, H, W, 3, FPS, vcodec, NULL,
                                               tones, 2, RATE, scales[i].codec, options, &error));
          g_assert_no_error (error);
          g_autoptr (GHashTable) probe = vwt_probe_stream (path, "a:0");
          /* The audio's share of the file: the video is the same in both. */
          sizes[k] = vwt_file_size (path);
          g_test_message ("%s %s=%s: %zu bytes", scales[i].codec, scales[i].key, value, sizes[k]);
        }
      g_assert_cmpuint (sizes[0], >, sizes[1]);
    }

  /* opus frame_duration=60: 60 ms packets, a third as many as the default 20 ms. */
  {
    g_autofree char *path = vwt_path (f->dir, "opus-60ms.mkv");
    g_autoptr (GHashTable) options
        = vwt_options ("frame_duration", "60", "application", "voip", NULL);
    g_autoptr (GError) error = NULL;
    const char *ffprobe = g_getenv ("FFPROBE") ? g_getenv ("FFPROBE") : "ffprobe";
    g_autofree char *cmd = NULL, *out = NULL;
    gint status = 0;

    g_assert_true (vidwrite_write_video (path, frames, 4 * FPS, H, W, 3, FPS, "libx264", NULL,
                                         tones, 2, RATE, "opus", options, &error));
    g_assert_no_error (error);
    cmd = g_strdup_printf ("%s -v error -select_streams a:0 -show_entries packet=duration_time -of "
                           "csv=p=0 %s",
                           ffprobe, path);
    g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, &status, NULL));
    g_auto (GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
    g_test_message ("opus frame_duration=60: %u packets, the first %s s", g_strv_length (lines),
                    lines[0]);
    g_assert_cmpfloat (g_ascii_strtod (lines[0], NULL), ==, 0.06);
    g_assert_cmpuint (g_strv_length (lines), <=, samples / (RATE * 60 / 1000) + 2);
  }
}

/* Offset of the first top-level box of `type` in an MP4/MOV file, or -1. */
static gssize
box_offset (const char *path, const char *type)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  for (gsize at = 0; at + 8 <= len;)
    {
      guint32 size;

      /* Boxes start anywhere: read the size bytewise, not through a misaligned guint32. */
      memcpy (&size, data + at, sizeof size);
      size = GUINT32_FROM_BE (size);

      if (memcmp (data + at + 4, type, 4) == 0)
        return (gssize)at;
      if (size < 8)
        break;
      at += size;
    }
  return -1;
}

/* movflags=+faststart puts the index (moov) before the media (mdat), in .mp4 and .mov. */
static void
test_faststart (Fixture *f, gconstpointer data)
{
  const char *const exts[] = { "mp4", "mov" };
  g_autoptr (GBytes) frames = vwt_make_frames (N, H, W, 3, 19);

  for (guint i = 0; i < G_N_ELEMENTS (exts); i++)
    {
      g_autofree char *plain_name = g_strdup_printf ("plain.%s", exts[i]);
      g_autofree char *fast_name = g_strdup_printf ("faststart.%s", exts[i]);
      g_autofree char *plain = vwt_path (f->dir, plain_name);
      g_autofree char *fast = vwt_path (f->dir, fast_name);
      g_autoptr (GHashTable) options = vwt_options ("movflags", "+faststart", NULL);

      vwt_write_ok (plain, frames, N, H, W, 3, FPS, NULL, NULL);
      vwt_write_ok (fast, frames, N, H, W, 3, FPS, NULL, options);
      g_test_message ("%s: moov %zd mdat %zd; %s: moov %zd mdat %zd", plain_name,
                      box_offset (plain, "moov"), box_offset (plain, "mdat"), fast_name,
                      box_offset (fast, "moov"), box_offset (fast, "mdat"));
      g_assert_cmpint (box_offset (plain, "moov"), >, box_offset (plain, "mdat"));
      g_assert_cmpint (box_offset (fast, "moov"), >=, 0);
      g_assert_cmpint (box_offset (fast, "moov"), <, box_offset (fast, "mdat"));
      g_autoptr (GHashTable) probe = vwt_probe_stream (fast, "v:0");
      g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, N);
    }
}

/* ---- what cannot be written: error code, a message naming the value, no file ---------- */

static void
test_errors (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *file, *vcodec, *key, *value, *acodec;
    gint code;
    const char *mentions[3];
  } cases[] = {
    { "a.mp4",
      "h264_nvenc",
      NULL,
      NULL,
      NULL,
      VIDWRITE_ERROR_CODEC_UNAVAILABLE,
      { "h264_nvenc", "nvh264enc", "gstreamer1.0-plugins-bad" } },
    { "a.mp4",
      "hevc_vaapi",
      NULL,
      NULL,
      NULL,
      VIDWRITE_ERROR_CODEC_UNAVAILABLE,
      { "vah265enc", "vaapih265enc", "gstreamer1.0-vaapi" } },
    { "a.mp4",
      "h264_qsv",
      NULL,
      NULL,
      NULL,
      VIDWRITE_ERROR_CODEC_UNAVAILABLE,
      { "qsvh264enc", "msdkh264enc", NULL } },
    { "a.mkv",
      "av1_vaapi",
      NULL,
      NULL,
      NULL,
      VIDWRITE_ERROR_CODEC_UNAVAILABLE,
      { "vaav1enc", "1.24", NULL } },
    { "a.mp4",
      "h264_v4l2m2m",
      NULL,
      NULL,
      NULL,
      VIDWRITE_ERROR_CODEC_UNAVAILABLE,
      { "v4l2h264enc", NULL, NULL } },
    { "a.gif", "gif", NULL, NULL, NULL, VIDWRITE_ERROR_UNSUPPORTED_CONTAINER, { ".gif", NULL } },
    { "a.mkv", "gif", NULL, NULL, NULL, VIDWRITE_ERROR_CODEC_UNAVAILABLE, { "gif", "png", NULL } },
    { "a.mkv",
      "libsvtav1",
      NULL,
      NULL,
      NULL,
      VIDWRITE_ERROR_CODEC_UNAVAILABLE,
      { "libsvtav1", "libaom-av1", NULL } },
    { "a.mkv",
      "librav1e",
      NULL,
      NULL,
      NULL,
      VIDWRITE_ERROR_CODEC_UNAVAILABLE,
      { "librav1e", "libaom-av1", NULL } },
    { "a.mp4",
      NULL,
      NULL,
      NULL,
      "libfdk_aac",
      VIDWRITE_ERROR_CODEC_UNAVAILABLE,
      { "libfdk_aac", "voaacenc", NULL } },
    { "a.mp4", "ffv1", NULL, NULL, NULL, VIDWRITE_ERROR_INCOMPATIBLE, { ".mp4", "ffv1", ".mkv" } },
    /* FFmpeg writes no AAC into MPEG-PS, and misread it under 22.05 kHz. */
    { "a.mpg", "mpeg2video", NULL, NULL, "aac", VIDWRITE_ERROR_INCOMPATIBLE, { ".mpg", "aac", ".ts" } },
    { "a.webm",
      "libx264",
      NULL,
      NULL,
      NULL,
      VIDWRITE_ERROR_INCOMPATIBLE,
      { ".webm", ".mkv", NULL } },
    { "a.mp4", "png", NULL, NULL, NULL, VIDWRITE_ERROR_INCOMPATIBLE, { "png", ".mov", NULL } },
    { "a.mp4",
      "rawvideo",
      NULL,
      NULL,
      NULL,
      VIDWRITE_ERROR_INCOMPATIBLE,
      { "rawvideo", ".mkv", NULL } },
    { "a.ogv",
      "libx265",
      NULL,
      NULL,
      NULL,
      VIDWRITE_ERROR_INCOMPATIBLE,
      { "libx265", ".mp4", NULL } },
    { "a.mp4",
      NULL,
      NULL,
      NULL,
      "vorbis",
      VIDWRITE_ERROR_INCOMPATIBLE,
      { "vorbis", ".ogg", NULL } },
    { "a.mov",
      NULL,
      NULL,
      NULL,
      "pcm_f32le",
      VIDWRITE_ERROR_INCOMPATIBLE,
      { "pcm_f32le", ".mkv", NULL } },
    { "a.flv", NULL, NULL, NULL, "flac", VIDWRITE_ERROR_INCOMPATIBLE, { "flac", ".mkv", NULL } },
    { "a.mkv",
      "libx264",
      NULL,
      NULL,
      "h264",
      VIDWRITE_ERROR_UNKNOWN_CODEC,
      { "h264", "video", NULL } },
    { "a.webm",
      "libvpx-vp9",
      "deadline",
      "fast",
      NULL,
      VIDWRITE_ERROR_INVALID_OPTION,
      { "deadline", "fast", "realtime" } },
    { "a.mkv",
      "libx265",
      "tune",
      "film",
      NULL,
      VIDWRITE_ERROR_INVALID_OPTION,
      { "film", "grain", NULL } },
    { "a.mkv", "libx265", "crf", "20", NULL, VIDWRITE_ERROR_INVALID_OPTION, { "crf", "qp", NULL } },
    { "a.mkv",
      "mpeg4",
      "qscale",
      "40",
      NULL,
      VIDWRITE_ERROR_INVALID_OPTION,
      { "qscale", "40", "31" } },
    { "a.mkv",
      "mpeg4",
      "b",
      "300k",
      NULL,
      VIDWRITE_ERROR_INVALID_OPTION,
      { "300k", "qscale", NULL } },
    { "a.mkv",
      "libaom-av1",
      "crf",
      "70",
      NULL,
      VIDWRITE_ERROR_INVALID_OPTION,
      { "crf", "70", NULL } },
    { "a.mkv",
      "libx264",
      "movflags",
      "+faststart",
      NULL,
      VIDWRITE_ERROR_INVALID_OPTION,
      { "movflags", "+faststart", "matroskamux" } },
    { "a.mp4",
      "libx264",
      "movflags",
      "+frag_keyframe",
      NULL,
      VIDWRITE_ERROR_INVALID_OPTION,
      { "+frag_keyframe", "+faststart", NULL } },
    { "a.mkv",
      "ffv1",
      "no_such_option",
      "1",
      NULL,
      VIDWRITE_ERROR_INVALID_OPTION,
      { "no_such_option", "slices", NULL } },
    { "a.mkv",
      "rawvideo",
      "crf",
      "20",
      NULL,
      VIDWRITE_ERROR_INVALID_OPTION,
      { "crf", "pix_fmt", NULL } },
  };
  g_autoptr (GBytes) frames = vwt_make_frames (2, H, W, 3, 20);
  const double freqs[] = { 440, 1000 };
  g_autoptr (GBytes) tones = vwt_make_tones (2, RATE / 6, RATE, freqs);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = vwt_path (f->dir, cases[i].file);
      g_autoptr (GHashTable) options
          = cases[i].key ? vwt_options (cases[i].key, cases[i].value, NULL) : NULL;
      g_autoptr (GError) error = NULL;
      gboolean has_audio = cases[i].acodec != NULL;

      /* "qp" with "crf" for x265 must be refused: both set the same quantizer. */
      if (g_str_equal (cases[i].vcodec ? cases[i].vcodec : "", "libx265")
          && g_str_equal (cases[i].key ? cases[i].key : "", "crf"))
        g_hash_table_insert (options, g_strdup ("qp"), g_strdup ("20"));
      g_assert_false (vidwrite_write_video (path, frames, 2, H, W, 3, FPS, cases[i].vcodec, options,
                                            has_audio ? tones : NULL, has_audio ? 2 : 0,
                                            has_audio ? RATE : 0, cases[i].acodec, NULL, &error));
      g_test_message ("%s %s %s=%s %s: %s", cases[i].file, cases[i].vcodec, cases[i].key,
                      cases[i].value, cases[i].acodec, error ? error->message : "(no error)");
      g_assert_error (error, VIDWRITE_ERROR, cases[i].code);
      for (guint k = 0; k < G_N_ELEMENTS (cases[i].mentions) && cases[i].mentions[k]; k++)
        g_assert_nonnull (strstr (error->message, cases[i].mentions[k]));
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
}

/* The registry agrees with what writing does, and knows why a codec cannot be written. */
static void
test_registry (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) codecs = vidwrite_list_codecs ();
  g_autoptr (GError) error = NULL;
  guint available = 0;

  g_assert_nonnull (codecs);
  for (guint i = 0; i < codecs->len; i++)
    {
      VidwriteCodecInfo *info = codecs->pdata[i];
      const char *element = vidwrite_codec_info_get_element (info);

      /* One of the two, never both. */
      g_assert_true ((element == NULL)
                     != (vidwrite_codec_info_get_unavailable_reason (info) == NULL));
      if (element)
        {
          available++;
          g_assert_true (g_strv_contains (vidwrite_codec_info_get_candidates (info), element));
        }
      else
        g_assert_nonnull (strstr (vidwrite_codec_info_get_unavailable_reason (info),
                                  vidwrite_codec_info_get_name (info)));
    }
  g_test_message ("%u codec names, %u available here", codecs->len, available);

  g_autoptr (VidwriteCodecInfo) x264 = find ("libx264");
  g_assert_cmpstr (vidwrite_codec_info_get_element (x264), ==, "x264enc");
  g_assert_cmpint (vidwrite_codec_info_get_kind (x264), ==, VIDWRITE_CODEC_KIND_VIDEO);
  g_assert_true (g_strv_contains (vidwrite_codec_info_get_containers (x264), "mp4"));
  g_assert_false (g_strv_contains (vidwrite_codec_info_get_containers (x264), "webm"));
  g_assert_true (g_strv_contains (vidwrite_codec_info_get_options (x264), "crf"));

  g_autoptr (VidwriteCodecInfo) nvenc = find ("hevc_nvenc");
  g_assert_null (vidwrite_codec_info_get_element (nvenc));
  g_assert_true (g_strv_contains (vidwrite_codec_info_get_candidates (nvenc), "nvh265enc"));
  g_assert_true (g_strv_contains (vidwrite_codec_info_get_options (nvenc), "cq"));

  /* Refused keys are not offered. */
  g_autoptr (VidwriteCodecInfo) mpeg4 = find ("mpeg4");
  g_assert_true (g_strv_contains (vidwrite_codec_info_get_options (mpeg4), "qscale"));
  g_assert_false (g_strv_contains (vidwrite_codec_info_get_options (mpeg4), "b"));

  g_autoptr (VidwriteCodecInfo) factory = find ("vp8enc");
  g_assert_cmpstr (vidwrite_codec_info_get_element (factory), ==, "vp8enc");
  g_assert_true (g_strv_contains (vidwrite_codec_info_get_containers (factory), "webm"));
  g_assert_cmpuint (g_strv_length ((char **)vidwrite_codec_info_get_options (factory)), ==, 0);

  g_autoptr (VidwriteCodecInfo) pcm = find ("pcm_s16le");
  g_assert_cmpint (vidwrite_codec_info_get_kind (pcm), ==, VIDWRITE_CODEC_KIND_AUDIO);

  g_assert_null (vidwrite_find_codec ("no-such-codec", &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_UNKNOWN_CODEC);
  g_assert_nonnull (strstr (error->message, "no-such-codec"));
}

/* Every property an option family names exists: on the element where it is installed, else in
 * the committed list taken from the GStreamer documentation (hardware encoders). */
static void
test_family_properties (Fixture *f, gconstpointer data)
{
  g_autofree char *text = NULL;
  g_autoptr (GHashTable) documented
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_strfreev);
  const char *factory;
  guint checked_installed = 0, checked_documented = 0;

  g_assert_true (g_file_get_contents (VWT_HARDWARE_PROPERTIES, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *colon = strchr (lines[i], ':');

      if (lines[i][0] == '#' || !colon)
        continue;
      *colon = '\0';
      g_hash_table_insert (documented, g_strdup (lines[i]),
                           g_strsplit (g_strstrip (colon + 1), " ", -1));
    }

  for (guint i = 0; (factory = vw_options_nth_family (i)); i++)
    {
      g_auto (GStrv) names = vw_options_family_properties (factory);
      g_autoptr (GstElement) element = gst_element_factory_make (factory, NULL);
      const char *const *known = g_hash_table_lookup (documented, factory);

      if (element)
        gst_object_ref_sink (element);
      /* An element the tests cannot create must be a documented hardware one. */
      g_assert_true (element != NULL || known != NULL);
      for (guint k = 0; names[k]; k++)
        {
          gboolean found
              = element
                    ? g_object_class_find_property (G_OBJECT_GET_CLASS (element), names[k]) != NULL
                    : g_strv_contains (known, names[k]);
          if (!found)
            g_test_message ("%s has no property “%s”", factory, names[k]);
          g_assert_true (found);
        }
      element ? checked_installed++ : checked_documented++;
    }
  g_test_message ("%u installed families checked on their elements, %u hardware ones against "
                  "the documentation",
                  checked_installed, checked_documented);
  g_assert_cmpuint (checked_documented, ==, g_hash_table_size (documented));
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
#define ADD(path, func) VWT_ADD (path, func)
  ADD ("/codecs/registry", test_registry);
  ADD ("/codecs/family-properties", test_family_properties);
  ADD ("/codecs/errors", test_errors);
  ADD ("/codecs/video-matrix", test_video_matrix);
  ADD ("/codecs/audio-matrix", test_audio_matrix);
  ADD ("/codecs/ffv1-rgb-exact", test_ffv1_rgb_exact);
  ADD ("/codecs/options/gop", test_gop);
  ADD ("/codecs/options/x264", test_x264_family);
  ADD ("/codecs/options/bitrate", test_bitrate);
  ADD ("/codecs/options/quality-scales", test_quality_scales);
  ADD ("/codecs/options/same-quantiser", test_same_quantiser);
  ADD ("/codecs/options/vpx-constrained-quality", test_vpx_constrained_quality);
  ADD ("/codecs/options/x265-preset", test_x265_preset);
  ADD ("/codecs/options/audio", test_audio_options);
  ADD ("/codecs/options/faststart", test_faststart);
  return g_test_run ();
}
