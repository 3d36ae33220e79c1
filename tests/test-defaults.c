/* What users bring without naming much: no codec at all (each container's default), an encoder
 * element named directly (the same parser and containers as its FFmpeg name), and the option
 * lists that errors show. */
#include "vwt.h"

#include <math.h>
#include <string.h>

typedef VwtFixture Fixture;

#define W 64
#define H 48
#define N 5
#define FPS 25

/* With no codec named, what FFmpeg's CLI writes into each container (issue 10, item 8), as
 * ffprobe names it.  FFmpeg's own muxers differ for avi (mpeg4), ts (mpeg2video), flv (flv1) and
 * mpg (mpeg1video, which vidwrite does not write); vidwrite follows the choice there. */
static const struct
{
  const char *extension;
  const char *probe_name;
} container_default[] = {
  { "mp4", "h264" },
  { "mov", "h264" },
  { "mkv", "h264" },
  { "webm", "vp9" },
  { "avi", "h264" },
  { "ogv", "theora" },
  { "ogg", "theora" },
  { "ts", "h264" },
  { "flv", "h264" },
  { "mpg", "mpeg2video" },
  /* Audio only: frames are refused (test-audio-only.c writes their default codecs). */
  { "mp3", NULL },
  { "flac", NULL },
  { "wav", NULL },
  { "opus", NULL },
  { "m4a", NULL },
};

/* The C API with a NULL codec: every container the library lists writes its default. */
static void
test_container_default (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) frames = vwt_make_frames (N, H, W, 3, 5);
  g_auto (GStrv) containers = vidwrite_list_containers ();

  g_assert_cmpuint (g_strv_length (containers), ==, G_N_ELEMENTS (container_default));
  for (guint i = 0; i < G_N_ELEMENTS (container_default); i++)
    {
      g_autofree char *name = g_strdup_printf ("default.%s", container_default[i].extension);
      g_autofree char *path = vwt_path (f->dir, name);

      g_assert_true (
          g_strv_contains ((const char *const *)containers, container_default[i].extension));
      if (!container_default[i].probe_name)
        {
          g_autoptr (GError) error = NULL;

          g_assert_false (vidwrite_write_video (path, frames, N, H, W, 3, FPS, NULL, NULL, NULL, 0,
                                                0, NULL, NULL, &error));
          g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INCOMPATIBLE);
          continue;
        }
      vwt_write_ok (path, frames, N, H, W, 3, FPS, NULL, NULL);
      g_autoptr (GHashTable) probe = vwt_probe_stream (path, "v:0");
      g_test_message ("%s: %s, %d frames", name, vwt_probe_str (probe, "codec_name"),
                      vwt_probe_int (probe, "nb_read_frames"));
      g_assert_cmpstr (vwt_probe_str (probe, "codec_name"), ==, container_default[i].probe_name);
      g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, N);
    }
}

/* An encoder element named directly goes into the containers its FFmpeg name goes into, through
 * the same parser; only its options are its own property names. */
static void
test_named_element (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) codecs = vidwrite_list_codecs ();
  g_autoptr (GBytes) frames = vwt_make_frames (N, H, W, 3, 6);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint written = 0;

  for (guint i = 0; i < codecs->len; i++)
    {
      VidwriteCodecInfo *info = g_ptr_array_index (codecs, i);
      const char *element = vidwrite_codec_info_get_element (info);
      const char *const *want = vidwrite_codec_info_get_containers (info);

      /* The capsfilter standing in for raw codecs is no encoder; one row per element. */
      if (!element || g_str_equal (element, "capsfilter") || g_hash_table_contains (seen, element))
        continue;
      g_hash_table_add (seen, (char *)element);
      g_autoptr (VidwriteCodecInfo) named = vidwrite_find_codec (element, NULL);
      g_assert_nonnull (named);
      g_autofree char *a = g_strjoinv (" ", (char **)want);
      g_autofree char *b = g_strjoinv (" ", (char **)vidwrite_codec_info_get_containers (named));
      g_test_message ("%s: %s; %s: %s", vidwrite_codec_info_get_name (info), a, element, b);
      g_assert_cmpstr (a, ==, b);
      g_assert_cmpstr (vidwrite_codec_info_get_element (named), ==, element);
      /* Its own property names, not FFmpeg's keys. */
      g_assert_cmpuint (g_strv_length ((char **)vidwrite_codec_info_get_options (named)), ==, 0);
    }

  /* And written: byte-stream H.264 and H.265 into the containers that need them parsed. */
  static const struct
  {
    const char *element, *file, *probe_name;
  } writes[] = {
    { "openh264enc", "openh264.mkv", "h264" }, { "openh264enc", "openh264.mp4", "h264" },
    { "openh264enc", "openh264.flv", "h264" }, { "x265enc", "x265.mkv", "hevc" },
    { "x265enc", "x265.mp4", "hevc" },         { "vp9enc", "vp9.mp4", "vp9" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (writes); i++)
    {
      g_autofree char *path = vwt_path (f->dir, writes[i].file);

      vwt_write_ok (path, frames, N, H, W, 3, FPS, writes[i].element, NULL);
      g_autoptr (GHashTable) probe = vwt_probe_stream (path, "v:0");
      g_assert_cmpstr (vwt_probe_str (probe, "codec_name"), ==, writes[i].probe_name);
      g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, N);
      written++;
    }
  g_test_message ("%u files written with element names", written);
}

/* The keys an unknown-option error lists: each once. */
static void
test_option_list_unique (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) codecs = vidwrite_list_codecs ();
  g_autoptr (GBytes) frames = vwt_make_frames (1, 32, 32, 3, 1);
  guint checked = 0;

  for (guint i = 0; i < codecs->len; i++)
    {
      VidwriteCodecInfo *info = g_ptr_array_index (codecs, i);
      const char *const *containers = vidwrite_codec_info_get_containers (info);
      g_autoptr (GError) error = NULL;

      if (!vidwrite_codec_info_get_element (info)
          || vidwrite_codec_info_get_kind (info) != VIDWRITE_CODEC_KIND_VIDEO)
        continue;
      g_autofree char *name = g_strdup_printf ("u.%s", containers[0]);
      g_autofree char *path = vwt_path (f->dir, name);
      g_autoptr (GHashTable) options = vwt_options ("no_such_key", "1", NULL);

      g_assert_false (vidwrite_write_video (path, frames, 1, 32, 32, 3, FPS,
                                            vidwrite_codec_info_get_name (info), options, NULL, 0,
                                            0, NULL, NULL, &error));
      g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_OPTION);
      const char *list = strstr (error->message, "it takes: ");
      g_assert_nonnull (list);
      g_autofree char *keys = g_strdup (list + strlen ("it takes: "));
      char *end = strstr (keys, ", and the encoder's own options");
      if (end)
        *end = '\0';
      g_auto (GStrv) words = g_strsplit (keys, ", ", -1);
      for (guint a = 0; words[a]; a++)
        for (guint b = a + 1; words[b]; b++)
          if (g_str_equal (words[a], words[b]))
            g_error ("%s: “%s” listed twice: %s", vidwrite_codec_info_get_name (info), words[a],
                     error->message);
      checked++;
    }
  g_assert_cmpuint (checked, >, 10);
}

/* ---- quality at the defaults, against FFmpeg's CLI ------------------------------------ */

#define QW 320
#define QH 240
#define QN 50
/* Within half a decibel of FFmpeg's PSNR, at no more than a quarter more bytes (a quarter of the
 * rate is about what half a decibel costs these codecs, so more would buy the PSNR with size). */
#define PSNR_SLACK 0.5
#define SIZE_SLACK 1.25

/* Smooth moving colours, a moving box and a band of grey texture: with vwt_make_frames' fine chroma
 * detail, 4:2:0 alone would cap every codec near 33 dB and hide the encoders' differences. */
static GBytes *
smooth_frames (guint n, guint h, guint w)
{
  guint8 *data = g_malloc ((gsize)n * h * w * 3);

  for (guint t = 0; t < n; t++)
    for (guint y = 0; y < h; y++)
      for (guint x = 0; x < w; x++)
        {
          guint8 *p = data + (((gsize)t * h + y) * w + x) * 3;
          gboolean box = x >= (t * 3) % (w / 2) && x < (t * 3) % (w / 2) + w / 4
                         && y >= (t * 2) % (h / 2) && y < (t * 2) % (h / 2) + h / 4;

          p[0] = (guint8)(128 + 100 * sin (x * 0.1 + t * 0.3));
          p[1] = (guint8)(y * 255 / (h - 1));
          p[2] = (guint8)(128 + 100 * cos ((x + y) * 0.08 - t * 0.2));
          /* Grey texture: detail in luma only, which 4:2:0 keeps. */
          if (y > h * 3 / 4)
            for (guint c = 0; c < 3; c++)
              p[c] = (guint8)(p[c] / 2 + ((x * 7 + y * 13 + t * 5) % 32) * 2);
          if (box)
            p[0] = 230, p[1] = 40, p[2] = 60;
        }
  return g_bytes_new_take (data, (gsize)n * h * w * 3);
}

/* Codecs FFmpeg's CLI on Debian 12 cannot write, so that there is no reference: the test checks
 * that it still cannot. */
static const char *const no_ffmpeg_reference[] = { "libopenh264", NULL };

/* Where vidwrite's defaults cannot reach FFmpeg's here, the measured gap, held to these looser
 * bounds so that it cannot grow unseen (issue 10, item 7, left open for these two). */
static const struct
{
  const char *codec;
  double psnr_slack, size_slack;
} known_gaps[] = {
  /* FFmpeg's default is crf 32 (AOM_Q with cq-level 32) at cpu-used 1, 40 s for this clip;
   * av1enc 1.22 has no cq-level, so the quantizer is pinned at 32, at cpu-used 6 (1.5 s):
   * measured -2.3 dB at 1.7x the size. */
  { "libaom-av1", 2.8, 2.0 },
  /* FFmpeg's "prores" is prores_aw fed by swscale's exact 10-bit conversion; vidwrite's 10-bit
   * input comes from videoconvert (54.2 dB for a lossless codec): measured -1.4 dB. */
  { "prores", 2.0, SIZE_SLACK },
};

static gboolean
ffmpeg_has_encoder (const char *name)
{
  const char *ffmpeg = g_getenv ("FFMPEG") ? g_getenv ("FFMPEG") : "ffmpeg";
  g_autofree char *arg = g_strdup_printf ("encoder=%s", name);
  const char *argv[] = { ffmpeg, "-hide_banner", "-h", arg, NULL };
  g_autofree char *out = NULL;

  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                               NULL, NULL, NULL));
  return out && !strstr (out, "is not recognized");
}

/* Each video codec at its defaults against `ffmpeg -c:v NAME` on the same RGB frames, at the
 * same pixel format (vidwrite's default is yuv420p, FFmpeg's CLI would pick 4:4:4 or RGB for RGB
 * input, which compares chroma subsampling rather than the encoders' settings). */
static void
test_quality_vs_ffmpeg (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) codecs = vidwrite_list_codecs ();
  g_autoptr (GBytes) frames = smooth_frames (QN, QH, QW);
  g_autoptr (GString) failures = g_string_new (NULL);
  guint compared = 0;

  for (guint i = 0; i < codecs->len; i++)
    {
      VidwriteCodecInfo *info = g_ptr_array_index (codecs, i);
      const char *codec = vidwrite_codec_info_get_name (info);
      const char *element = vidwrite_codec_info_get_element (info);
      const char *const *containers = vidwrite_codec_info_get_containers (info);

      if (vidwrite_codec_info_get_kind (info) != VIDWRITE_CODEC_KIND_VIDEO || !element
          || (i > 0
              && g_strcmp0 (element,
                            vidwrite_codec_info_get_element (g_ptr_array_index (codecs, i - 1)))
                     == 0))
        continue;
      if (g_strv_contains (no_ffmpeg_reference, codec))
        {
          g_assert_false (ffmpeg_has_encoder (codec));
          g_test_message ("%s: FFmpeg's CLI here has no such encoder to compare with", codec);
          continue;
        }
      const char *ext = g_strv_contains (containers, "mkv") ? "mkv" : containers[0];
      g_autofree char *vname = g_strdup_printf ("vw-%s.%s", codec, ext);
      g_autofree char *fname = g_strdup_printf ("ff-%s.%s", codec, ext);
      g_autofree char *vpath = vwt_path (f->dir, vname);
      g_autofree char *fpath = vwt_path (f->dir, fname);

      vwt_write_ok (vpath, frames, QN, QH, QW, 3, FPS, codec, NULL);
      g_autoptr (GHashTable) vprobe = vwt_probe_stream (vpath, "v:0");
      const char *pix_fmt = vwt_probe_str (vprobe, "pix_fmt");
      /* An encoder that does not say (png's rgb24 is what it stores) is fed what it stores. */
      g_autofree char *args = g_strdup_printf ("-c:v %s -pix_fmt %s", codec, pix_fmt);
      g_assert_true (vwt_ffmpeg_encode (frames, QW, QH, "rgb24", "25", args, fpath));

      g_autoptr (GBytes) vrgb = vwt_decode_video (vpath, "rgb24");
      g_autoptr (GBytes) frgb = vwt_decode_video (fpath, "rgb24");
      g_assert_nonnull (vrgb);
      g_assert_nonnull (frgb);
      g_assert_cmpuint (g_bytes_get_size (vrgb), ==, g_bytes_get_size (frames));
      g_assert_cmpuint (g_bytes_get_size (frgb), ==, g_bytes_get_size (frames));
      double vpsnr = vwt_psnr (frames, vrgb), fpsnr = vwt_psnr (frames, frgb);
      gsize vsize = vwt_file_size (vpath), fsize = vwt_file_size (fpath);

      g_test_message ("%-11s %-4s %-12s vidwrite %6.2f dB %8zu bytes; ffmpeg %6.2f dB %8zu bytes",
                      codec, ext, pix_fmt, vpsnr, vsize, fpsnr, fsize);
      double psnr_slack = PSNR_SLACK, size_slack = SIZE_SLACK;
      for (guint k = 0; k < G_N_ELEMENTS (known_gaps); k++)
        if (g_str_equal (known_gaps[k].codec, codec))
          {
            psnr_slack = known_gaps[k].psnr_slack;
            size_slack = known_gaps[k].size_slack;
          }
      if (vpsnr < fpsnr - psnr_slack || vsize > fsize * size_slack)
        g_string_append_printf (failures, " %s (%.2f dB, %zu bytes against %.2f dB, %zu bytes)",
                                codec, vpsnr, vsize, fpsnr, fsize);
      compared++;
    }
  if (failures->len)
    g_error ("below FFmpeg's defaults:%s", failures->str);
  g_assert_cmpuint (compared, >=, 12);
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
  VWT_ADD ("/defaults/container-default", test_container_default);
  VWT_ADD ("/defaults/named-element", test_named_element);
  VWT_ADD ("/defaults/option-list-unique", test_option_list_unique);
  VWT_ADD ("/defaults/quality-vs-ffmpeg", test_quality_vs_ffmpeg);
  return g_test_run ();
}
