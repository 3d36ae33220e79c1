/* Every installed video codec at every size users bring: the smallest (16x16), an odd one, 720p,
 * 1080p and 2160p.  Each either writes a file FFmpeg reads at that size with every frame, or fails
 * with VIDWRITE_ERROR_INCOMPATIBLE naming the limit; nothing is passed over.  Two frames each
 * (one B- or lag-frame path), the slow encoders at fast settings, so the matrix stays short. */
#include "vwt.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>

typedef VwtFixture Fixture;

#define N 2
#define FPS 25

static const struct
{
  guint width, height;
} sizes[] = {
  { 16, 16 }, { 33, 17 }, { 1280, 720 }, { 1920, 1080 }, { 3840, 2160 },
};

/* Sizes a codec refuses, and a word its error must contain. */
static const struct
{
  const char *codec;
  guint width, height;
  const char *pix_fmt; /* NULL: the default */
  const char *says;
} refused[] = {
  /* FFmpeg's Theora decoder reads nothing narrower than 18 pixels. */
  { "libtheora", 16, 16, NULL, "18 pixels" },
};

/* Settings that keep 2160p quick; the defaults are tested elsewhere. */
static GHashTable *
fast_options (const char *codec, const char *pix_fmt)
{
  GHashTable *options = vwt_options (NULL, NULL);

  if (g_str_equal (codec, "libx264") || g_str_equal (codec, "libx265"))
    g_hash_table_insert (options, g_strdup ("preset"), g_strdup ("ultrafast"));
  else if (g_str_equal (codec, "libvpx") || g_str_equal (codec, "libvpx-vp9"))
    {
      g_hash_table_insert (options, g_strdup ("deadline"), g_strdup ("realtime"));
      g_hash_table_insert (options, g_strdup ("cpu-used"), g_strdup ("8"));
    }
  else if (g_str_equal (codec, "libaom-av1"))
    g_hash_table_insert (options, g_strdup ("cpu-used"), g_strdup ("8"));
  if (pix_fmt)
    g_hash_table_insert (options, g_strdup ("pix_fmt"), g_strdup (pix_fmt));
  return options;
}

static const char *
refusal (const char *codec, guint width, guint height, const char *pix_fmt)
{
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    if (g_str_equal (refused[i].codec, codec) && refused[i].width == width
        && refused[i].height == height && g_strcmp0 (refused[i].pix_fmt, pix_fmt) == 0)
      return refused[i].says;
  return NULL;
}

/* The codec's element takes `format` as input. */
static gboolean
element_takes (const char *element, const char *format)
{
  g_autoptr (GstElement) encoder = gst_element_factory_make (element, NULL);
  GstPad *sink = gst_element_get_static_pad (encoder, "sink");
  g_autoptr (GstCaps) caps = gst_pad_query_caps (sink, NULL);
  g_autoptr (GstCaps) wanted
      = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, format, NULL);

  gst_object_unref (sink);
  return gst_caps_can_intersect (caps, wanted);
}

static void
try_size (Fixture *f, VidwriteCodecInfo *info, const char *ext, guint w, guint h,
          const char *pix_fmt, const char *expect_error)
{
  const char *codec = vidwrite_codec_info_get_name (info);
  g_autofree char *name
      = g_strdup_printf ("%s-%ux%u-%s.%s", codec, w, h, pix_fmt ? pix_fmt : "", ext);
  g_autofree char *path = vwt_path (f->dir, name);
  g_autoptr (GBytes) frames = vwt_make_frames (N, h, w, 3, w + h);
  g_autoptr (GHashTable) options = fast_options (codec, pix_fmt);
  g_autoptr (GError) error = NULL;
  gboolean ok = vidwrite_write_video (path, frames, N, h, w, 3, FPS, codec, options, NULL, 0, 0,
                                      NULL, NULL, &error);

  if (expect_error)
    {
      g_test_message ("%s: refused: %s", name, error ? error->message : "(written)");
      g_assert_false (ok);
      g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INCOMPATIBLE);
      g_assert_nonnull (strstr (error->message, expect_error));
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      return;
    }
  g_assert_no_error (error);
  g_assert_true (ok);
  g_autoptr (GHashTable) probe = vwt_probe_stream (path, "v:0");
  g_test_message ("%s: %dx%d, %d frames, %s %s", name, vwt_probe_int (probe, "width"),
                  vwt_probe_int (probe, "height"), vwt_probe_int (probe, "nb_read_frames"),
                  vwt_probe_str (probe, "profile"), vwt_probe_str (probe, "level"));
  g_assert_cmpint (vwt_probe_int (probe, "width"), ==, w);
  g_assert_cmpint (vwt_probe_int (probe, "height"), ==, h);
  g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, N);
  g_unlink (path);
}

static void
test_sizes (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) codecs = vidwrite_list_codecs ();
  guint tried = 0;

  for (guint i = 0; i < codecs->len; i++)
    {
      VidwriteCodecInfo *info = g_ptr_array_index (codecs, i);
      const char *codec = vidwrite_codec_info_get_name (info);
      const char *element = vidwrite_codec_info_get_element (info);
      const char *const *containers = vidwrite_codec_info_get_containers (info);
      const char *ext;

      /* One name per element (h264 is libx264 again); hardware codecs are not here. */
      if (vidwrite_codec_info_get_kind (info) != VIDWRITE_CODEC_KIND_VIDEO || !element
          || (i > 0
              && g_strcmp0 (element,
                            vidwrite_codec_info_get_element (g_ptr_array_index (codecs, i - 1)))
                     == 0))
        continue;
      ext = g_strv_contains (containers, "mkv") ? "mkv" : containers[0];
      for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
        {
          guint w = sizes[s].width, h = sizes[s].height;
          gboolean odd = w % 2 || h % 2;
          /* What the codec is fed by default: yuv420p where it takes it, else its own choice. */
          gboolean takes_420 = element_takes (element, "I420");
          const char *says = refusal (codec, w, h, NULL);

          /* Odd sizes: 4:2:0 cannot hold them, and says so; 4:4:4 can, where the encoder
           * takes it (uncompressed: RGB, which every container of rawvideo takes). */
          if (odd && takes_420)
            {
              try_size (f, info, ext, w, h, NULL, says ? says : "even");
              if (g_str_equal (element, "capsfilter"))
                try_size (f, info, ext, w, h, "rgb24", NULL);
              else if (element_takes (element, "Y444"))
                try_size (f, info, ext, w, h, "yuv444p", refusal (codec, w, h, "yuv444p"));
              else
                try_size (f, info, ext, w, h, "yuv444p", "cannot be fed");
              tried += 2;
              continue;
            }
          try_size (f, info, ext, w, h, NULL, says);
          tried++;
        }
    }
  g_test_message ("%u (codec, size) cases", tried);
  g_assert_cmpuint (tried, >, 50);
}

/* Narrow HEVC: x265 3.5's cuTree wrote past a buffer at 48 pixels wide and less (FFmpeg's libx265
 * too, under valgrind), and the process aborted a few writes later in free(): 48x32 and 40x40
 * within 60 writes, so sizes were refused.  vidwrite turns cuTree off there: every narrow size,
 * 8 and 10 bits, 4:2:0 and 4:4:4, in one process, each file read back whole. */
static void
test_x265_narrow (Fixture *f, gconstpointer data)
{
  static const char *const pix_fmts[] = { NULL, "yuv444p", "yuv420p10le", "yuv444p10le" };
  static const guint heights[] = { 16, 32, 48 };
  guint written = 0;

  for (guint rep = 0; rep < 2; rep++)
    for (guint w = 16; w <= 48; w += 8)
      for (guint hi = 0; hi < G_N_ELEMENTS (heights); hi++)
        for (guint p = 0; p < G_N_ELEMENTS (pix_fmts); p++)
          {
            const guint h = heights[hi], n = 3;
            g_autofree char *path = vwt_path (f->dir, "narrow.mkv");
            g_autoptr (GBytes) frames = vwt_make_frames (n, h, w, 3, w * h + p);
            g_autoptr (GHashTable) options
                = pix_fmts[p] ? vwt_options ("pix_fmt", pix_fmts[p], NULL) : NULL;
            g_autoptr (GError) error = NULL;

            g_assert_true (vidwrite_write_video (path, frames, n, h, w, 3, FPS, "libx265", options,
                                                 NULL, 0, 0, NULL, NULL, &error));
            g_assert_no_error (error);
            if (rep == 0)
              {
                g_autoptr (GHashTable) probe = vwt_probe_stream (path, "v:0");

                g_assert_cmpint (vwt_probe_int (probe, "width"), ==, w);
                g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, n);
              }
            written++;
          }
  g_test_message ("%u narrow HEVC writes", written);
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
  VWT_ADD ("/sizes/every-codec", test_sizes);
  VWT_ADD ("/sizes/x265-narrow", test_x265_narrow);
  return g_test_run ();
}
