/* The hardware encoders, without hardware: tests/hwstub/ registers stand-ins under the real
 * factory names, ranks and property types of GStreamer 1.22.  Every FFmpeg option vidwrite maps
 * for a hardware family is set through vidwrite and read back typed from the stand-in's log; the
 * files decode; the choice between installed elements follows vidwrite's preference order, not
 * GStreamer's ranks.
 *
 * Each case runs in a subprocess whose HWSTUB_ELEMENTS says which stand-ins are installed: the
 * plugin registers only those. */
#include "vwt.h"

#include <gst/gst.h>

#include <glib/gstdio.h>
#include <string.h>

#define W 160
#define H 120
#define N 10

typedef VwtFixture Fixture;

/* FFmpeg options -> what the stand-in must have received: `property=(type)value` in GstStructure
 * syntax; an enum is given by its nick, as a string. */
typedef struct
{
  const char *options;
  const char *expect;
} Case;

/* clang-format off */
#define NV_PRESETS(type)                                                                           \
  { "preset=default", "preset=default" }, { "preset=slow", "preset=hq" },                          \
  { "preset=medium", "preset=default" }, { "preset=fast", "preset=hp" },                           \
  { "preset=hp", "preset=hp" }, { "preset=hq", "preset=hq" },                                      \
  { "preset=ll", "preset=low-latency" }, { "preset=llhq", "preset=low-latency-hq" },               \
  { "preset=llhp", "preset=low-latency-hp" }, { "preset=lossless", "preset=lossless" }

static const Case nvbase_cases[] = {
  { "b=4000000", "bitrate=(uint)4000" },
  { "maxrate=6000000", "max-bitrate=(uint)6000" },
  { "g=48", "gop-size=(int)48" },
  { "bf=2", "bframes=(uint)2" },
  NV_PRESETS (),
  { "qp=20", "rc-mode=constqp, qp-const=(int)20" },
  { "cq=25.5", "rc-mode=vbr, const-quality=(double)25.5" },
  { NULL },
};

static const Case nvencoder_cases[] = {
  { "b=4000000", "bitrate=(uint)4000" },
  { "maxrate=6000000", "max-bitrate=(uint)6000" },
  { "g=48", "gop-size=(int)48" },
  { "bf=2", "b-frames=(uint)2" },
  NV_PRESETS (),
  { "qp=20", "rate-control=cqp, qp-i=(int)20, qp-p=(int)20, qp-b=(int)20" },
  { "cq=25.5", "rate-control=vbr, const-quality=(double)25.5" },
  { NULL },
};

static const Case va_cases[] = {
  { "b=4000000", "rate-control=vbr, bitrate=(uint)4000" },
  { "maxrate=6000000", "rate-control=vbr, bitrate=(uint)6000" },
  { "g=48", "key-int-max=(uint)48" },
  { "bf=2", "b-frames=(uint)2" },
  { "preset=1", "target-usage=(uint)1" },
  { "preset=7", "target-usage=(uint)7" },
  { "qp=20", "rate-control=cqp, qpi=(uint)20, qpp=(uint)20, qpb=(uint)20" },
  { NULL },
};

static const Case vaapi_cases[] = {
  { "b=4000000", "rate-control=vbr, bitrate=(uint)4000" },
  { "g=48", "keyframe-period=(uint)48" },
  { "bf=2", "max-bframes=(uint)2" },
  { "preset=1", "quality-level=(uint)1" },
  { "preset=7", "quality-level=(uint)7" },
  { "qp=20", "rate-control=cqp, init-qp=(uint)20" },
  { "cq=25", "rate-control=icq, quality-factor=(uint)25" },
  { NULL },
};

static const Case qsv_cases[] = {
  { "b=4000000", "bitrate=(uint)4000" },
  { "maxrate=6000000", "max-bitrate=(uint)6000" },
  { "g=48", "gop-size=(uint)48" },
  { "bf=2", "b-frames=(uint)2" },
  { "preset=1", "target-usage=(uint)1" },
  { "preset=7", "target-usage=(uint)7" },
  { "qp=20", "rate-control=cqp, qp-i=(uint)20, qp-p=(uint)20, qp-b=(uint)20" },
  { "cq=25", "rate-control=icq, icq-quality=(uint)25" },
  { NULL },
};

static const Case msdk_cases[] = {
  { "b=4000000", "bitrate=(uint)4000" },
  { "maxrate=6000000", "max-vbv-bitrate=(uint)6000" },
  { "g=48", "gop-size=(uint)48" },
  { "bf=2", "b-frames=(uint)2" },
  { "preset=1", "target-usage=(uint)1" },
  { "preset=7", "target-usage=(uint)7" },
  { "qp=20", "rate-control=cqp, qpi=(uint)20, qpp=(uint)20, qpb=(uint)20" },
  { NULL },
};
/* clang-format on */

typedef struct
{
  const char *factory;
  const char *codec;      /* the FFmpeg name that reaches it */
  const char *probe_name; /* what ffprobe calls the stream */
  const Case *cases;
  const char *refused; /* an option out of the property's range: vidwrite must refuse it */
} Family;

static const Family families[] = {
  { "nvh264enc", "h264_nvenc", "h264", nvbase_cases, "bf=5" },
  { "nvh265enc", "hevc_nvenc", "hevc", nvbase_cases, "qp=52" },
  { "nvcudah264enc", "h264_nvenc", "h264", nvencoder_cases, "bf=5" },
  { "nvcudah265enc", "hevc_nvenc", "hevc", nvencoder_cases, "qp=52" },
  { "vah264enc", "h264_vaapi", "h264", va_cases, "preset=8" },
  { "vah264lpenc", "h264_vaapi", "h264", va_cases, "bf=32" },
  { "vah265enc", "hevc_vaapi", "hevc", va_cases, "preset=0" },
  { "vah265lpenc", "hevc_vaapi", "hevc", va_cases, "qp=52" },
  { "vaapih264enc", "h264_vaapi", "h264", vaapi_cases, "cq=52" },
  { "vaapih265enc", "hevc_vaapi", "hevc", vaapi_cases, "bf=11" },
  { "qsvh264enc", "h264_qsv", "h264", qsv_cases, "preset=8" },
  { "qsvh265enc", "hevc_qsv", "hevc", qsv_cases, "cq=52" },
  { "msdkh264enc", "h264_qsv", "h264", msdk_cases, "preset=0" },
  { "msdkh265enc", "hevc_qsv", "hevc", msdk_cases, "qp=52" },
};

/* vidwrite's documented preference (README, "Hardware encoders"): newest plugin first. */
typedef struct
{
  const char *codec;
  const char *probe_name;
  const char *const factories[4];
  const char *package; /* named in the error when none is installed */
} Preference;

static const Preference preferences[] = {
  { "h264_nvenc", "h264", { "nvcudah264enc", "nvh264enc" }, "gstreamer1.0-plugins-bad" },
  { "hevc_nvenc", "hevc", { "nvcudah265enc", "nvh265enc" }, "gstreamer1.0-plugins-bad" },
  { "av1_nvenc", "av1", { "nvcudaav1enc", "nvav1enc" }, "gst-plugins-bad 1.24" },
  { "h264_vaapi", "h264", { "vah264enc", "vah264lpenc", "vaapih264enc" }, "gstreamer1.0-vaapi" },
  { "hevc_vaapi", "hevc", { "vah265enc", "vah265lpenc", "vaapih265enc" }, "gstreamer1.0-vaapi" },
  { "vp9_vaapi", "vp9", { "vavp9enc", "vaapivp9enc" }, "gstreamer1.0-vaapi" },
  { "av1_vaapi", "av1", { "vaav1enc" }, "gst-plugins-bad 1.24" },
  { "h264_qsv", "h264", { "qsvh264enc", "msdkh264enc" }, "gst-plugins-bad" },
  { "hevc_qsv", "hevc", { "qsvh265enc", "msdkh265enc" }, "gst-plugins-bad" },
  { "h264_v4l2m2m", "h264", { "v4l2h264enc" }, "gstreamer1.0-plugins-good" },
};

/* ---- helpers ---------------------------------------------------------------------------- */

static GBytes *
frames (void)
{
  static GBytes *all;

  if (!all)
    all = vwt_make_frames (N, H, W, 3, 9);
  return all;
}

/* The stand-ins' log lines since it was last cleared, as structures. */
static GPtrArray *
read_log (const char *log)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)gst_structure_free);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (log, &text, NULL, NULL))
    return out;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      {
        GstStructure *s = gst_structure_from_string (lines[i], NULL);

        g_assert_nonnull (s);
        g_ptr_array_add (out, s);
      }
  g_unlink (log);
  return out;
}

/* Writes a short clip with `codec` and `options`; returns what the stand-in logged. */
static GstStructure *
write_with (const char *dir, const char *codec, const char *options, const char *probe_name,
            guint index, const char *extension)
{
  g_autofree char *name = g_strdup_printf ("%s-%u.%s", codec, index, extension);
  g_autofree char *path = vwt_path (dir, name);
  g_autofree char *log = vwt_path (dir, "hwstub.log");
  g_autoptr (GHashTable) table = vwt_options_parse (options, " ");
  g_autoptr (GPtrArray) logged = NULL;

  g_autoptr (GError) error = NULL;

  g_setenv ("HWSTUB_LOG", log, TRUE);
  vidwrite_write_video (path, frames (), N, H, W, 3, 24, codec, table, NULL, 0, 0, NULL, NULL,
                        &error);
  g_assert_no_error (error);
  logged = read_log (log);
  g_assert_cmpuint (logged->len, ==, 1);

  g_autoptr (GHashTable) probe = vwt_probe_stream (path, "v:0");
  g_assert_cmpstr (vwt_probe_str (probe, "codec_name"), ==, probe_name);
  g_assert_cmpint (vwt_probe_int (probe, "nb_read_frames"), ==, N);
  g_assert_cmpint (vwt_probe_int (probe, "width"), ==, W);
  g_unlink (path);
  return gst_structure_copy (g_ptr_array_index (logged, 0));
}

/* Every field of `expect` is in `got` with that type and value; enums by nick. */
static void
assert_received (const GstStructure *got, const char *expect, const char *what)
{
  g_autofree char *text = g_strconcat ("expect, ", expect, NULL);
  g_autoptr (GstStructure) want = gst_structure_from_string (text, NULL);

  g_assert_nonnull (want);
  for (guint i = 0; i < (guint)gst_structure_n_fields (want); i++)
    {
      const char *field = gst_structure_nth_field_name (want, i);
      const GValue *w = gst_structure_get_value (want, field);
      const GValue *g = gst_structure_get_value (got, field);
      g_autofree char *got_text = gst_structure_to_string (got);

      if (!g)
        g_error ("%s: %s was not set (the stand-in got: %s)", what, field, got_text);
      if (G_VALUE_HOLDS_ENUM (g) && G_VALUE_HOLDS_STRING (w))
        {
          g_autoptr (GEnumClass) klass = g_type_class_ref (G_VALUE_TYPE (g));
          GEnumValue *value = g_enum_get_value (klass, g_value_get_enum (g));

          if (!value || !g_str_equal (value->value_nick, g_value_get_string (w)))
            g_error ("%s: %s is %s, not %s", what, field, value ? value->value_nick : "?",
                     g_value_get_string (w));
        }
      else if (G_VALUE_TYPE (g) != G_VALUE_TYPE (w) || gst_value_compare (g, w) != GST_VALUE_EQUAL)
        g_error ("%s: %s is %s, expected %s", what, field, got_text, expect);
    }
}

/* The plugin declares HWSTUB_ELEMENTS as a dependency: with another value, GStreamer rescans it
 * (and only it) into the test's registry. */
static void
run_with_elements (const char *test_path, const char *elements)
{
  g_setenv ("HWSTUB_ELEMENTS", elements, TRUE);
  g_test_trap_subprocess (test_path, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("HWSTUB_ELEMENTS");
  g_test_trap_assert_passed ();
}

/* ---- the options ------------------------------------------------------------------------ */

static void
test_family (Fixture *f, gconstpointer data)
{
  const Family *family = data;

  if (!g_test_subprocess ())
    {
      g_autofree char *path = g_strdup_printf ("/hardware/options/%s", family->factory);

      run_with_elements (path, family->factory);
      return;
    }

  g_autoptr (VidwriteCodecInfo) info = vidwrite_find_codec (family->codec, NULL);
  g_assert_cmpstr (vidwrite_codec_info_get_element (info), ==, family->factory);

  for (guint i = 0; family->cases[i].options; i++)
    {
      const Case *c = &family->cases[i];
      g_autofree char *what = g_strdup_printf ("%s with %s", family->factory, c->options);
      g_autoptr (GstStructure) got
          = write_with (f->dir, family->codec, c->options, family->probe_name, i, "mp4");

      g_assert_cmpstr (gst_structure_get_name (got), ==, family->factory);
      assert_received (got, c->expect, what);
      g_test_message ("%s: %s", what, c->expect);
    }

  /* The range is the element's: vidwrite refuses what the property would not take. */
  {
    g_autofree char *path = vwt_path (f->dir, "refused.mp4");
    g_autoptr (GHashTable) table = vwt_options_parse (family->refused, " ");
    g_autoptr (GError) error = NULL;

    g_assert_false (vidwrite_write_video (path, frames (), N, H, W, 3, 24, family->codec, table,
                                          NULL, 0, 0, NULL, NULL, &error));
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_OPTION);
    g_test_message ("%s refused: %s", family->refused, error->message);
  }
}

/* ---- the preference order --------------------------------------------------------------- */

/* With the first `skip` elements of every list uninstalled, each codec takes the next. */
static void
check_choices (const char *dir, guint skip)
{
  for (guint i = 0; i < G_N_ELEMENTS (preferences); i++)
    {
      const Preference *p = &preferences[i];
      g_autoptr (VidwriteCodecInfo) info = vidwrite_find_codec (p->codec, NULL);
      const char *const *candidates = vidwrite_codec_info_get_candidates (info);
      guint n = 0;

      while (p->factories[n])
        n++;
      g_assert_cmpuint (g_strv_length ((char **)candidates), ==, n);
      for (guint k = 0; k < n; k++)
        g_assert_cmpstr (candidates[k], ==, p->factories[k]);

      if (skip < n)
        {
          /* .mkv: mp4mux 1.22.0 crashes on VP9 caps without chroma-site, which vp9enc behind
           * videoconvert gives (a stand-in's artefact, not vidwrite's choice). */
          g_autoptr (GstStructure) got
              = write_with (dir, p->codec, NULL, p->probe_name, skip, "mkv");

          g_assert_cmpstr (vidwrite_codec_info_get_element (info), ==, p->factories[skip]);
          g_assert_cmpstr (gst_structure_get_name (got), ==, p->factories[skip]);
          g_test_message ("%s -> %s", p->codec, p->factories[skip]);
        }
      else
        {
          g_autofree char *path = vwt_path (dir, "none.mp4");
          g_autoptr (GError) error = NULL;

          g_assert_false (vidwrite_write_video (path, frames (), N, H, W, 3, 24, p->codec, NULL,
                                                NULL, 0, 0, NULL, NULL, &error));
          g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_CODEC_UNAVAILABLE);
          for (guint k = 0; k < n; k++)
            g_assert_nonnull (strstr (error->message, p->factories[k]));
          g_assert_nonnull (strstr (error->message, p->package));
          g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
        }
    }
}

static char *
elements_from (guint skip)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  g_auto (GStrv) list = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (preferences); i++)
    for (guint k = skip; k < 4 && preferences[i].factories[k]; k++)
      g_strv_builder_add (b, preferences[i].factories[k]);
  list = g_strv_builder_end (b);
  return g_strjoinv (",", list);
}

static void
test_preference (Fixture *f, gconstpointer data)
{
  guint skip = GPOINTER_TO_UINT (data);

  if (!g_test_subprocess ())
    {
      g_autofree char *path = g_strdup_printf ("/hardware/preference/skip-%u", skip);
      g_autofree char *elements = elements_from (skip);

      run_with_elements (path, elements);
      return;
    }
  check_choices (f->dir, skip);
}

/* GStreamer's ranks would choose otherwise: vidwrite's order is its own. */
static void
test_ranks (Fixture *f, gconstpointer data)
{
  const char *const pairs[][2] = {
    { "nvcudah264enc", "nvh264enc" },
    { "vah264enc", "vaapih264enc" },
    { "vah265enc", "vaapih265enc" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autoptr (GstElementFactory) preferred = gst_element_factory_find (pairs[i][0]);
      g_autoptr (GstElementFactory) ranked = gst_element_factory_find (pairs[i][1]);

      g_assert_nonnull (preferred);
      g_assert_nonnull (ranked);
      g_assert_cmpuint (gst_plugin_feature_get_rank (GST_PLUGIN_FEATURE (ranked)), >,
                        gst_plugin_feature_get_rank (GST_PLUGIN_FEATURE (preferred)));
    }
  {
    g_autoptr (GstElementFactory) nv = gst_element_factory_find ("nvh264enc");

    g_assert_cmpuint (gst_plugin_feature_get_rank (GST_PLUGIN_FEATURE (nv)), ==,
                      GST_RANK_PRIMARY * 2);
  }
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
  VWT_ADD ("/hardware/ranks", test_ranks);
  for (guint i = 0; i < G_N_ELEMENTS (families); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hardware/options/%s", families[i].factory);

      g_test_add (path, Fixture, &families[i], vwt_fixture_set_up, test_family,
                  vwt_fixture_tear_down);
    }
  for (guint skip = 0; skip <= 3; skip++)
    {
      g_autofree char *path = g_strdup_printf ("/hardware/preference/skip-%u", skip);

      g_test_add (path, Fixture, GUINT_TO_POINTER (skip), vwt_fixture_set_up, test_preference,
                  vwt_fixture_tear_down);
    }
  return g_test_run ();
}
