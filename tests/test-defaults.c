/* What users bring without naming much: no codec at all (each container's default), an encoder
 * element named directly (the same parser and containers as its FFmpeg name), and the option
 * lists that errors show. */
#include "vwt.h"

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
  { "mp4", "h264" }, { "mov", "h264" },       { "mkv", "h264" },   { "webm", "vp9" },
  { "avi", "h264" }, { "ogv", "theora" },     { "ogg", "theora" }, { "ts", "h264" },
  { "flv", "h264" }, { "mpg", "mpeg2video" },
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
  g_autoptr (GBytes) frames = vwt_make_frames (1, 16, 16, 3, 1);
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

      g_assert_false (vidwrite_write_video (path, frames, 1, 16, 16, 3, FPS,
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

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
  VWT_ADD ("/defaults/container-default", test_container_default);
  VWT_ADD ("/defaults/named-element", test_named_element);
  VWT_ADD ("/defaults/option-list-unique", test_option_list_unique);
  return g_test_run ();
}
