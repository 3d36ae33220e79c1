#include "vwt.h"

#include <gst/gst.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static const char *
tool (const char *env, const char *fallback)
{
  const char *path = g_getenv (env);

  return path && *path ? path : fallback;
}

void
vwt_init (int *argc, char ***argv)
{
  g_test_init (argc, argv, NULL);
  gst_init (argc, argv);
}

char *
vwt_scratch_new (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("vidwrite-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
vwt_scratch_free (char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        {
          g_chmod (path, 0755);
          vwt_scratch_free (g_strdup (path));
        }
      else
        g_unlink (path);
    }
  g_chmod (dir, 0755);
  g_rmdir (dir);
  g_free (dir);
}

void
vwt_fixture_set_up (VwtFixture *f, gconstpointer data)
{
  f->dir = vwt_scratch_new ();
}

void
vwt_fixture_tear_down (VwtFixture *f, gconstpointer data)
{
  g_assert_cmpuint (vwt_count_tmp_files (f->dir), ==, 0);
  vwt_scratch_free (f->dir);
}

char *
vwt_path (const char *dir, const char *name)
{
  return g_build_filename (dir, name, NULL);
}

GBytes *
vwt_make_frames (guint n, guint height, guint width, guint channels, guint seed)
{
  gsize frame = (gsize) height * width * channels;
  guint8 *data = g_malloc (frame * n);

  for (guint t = 0; t < n; t++)
    for (guint y = 0; y < height; y++)
      for (guint x = 0; x < width; x++)
        {
          guint8 *p = data + t * frame + ((gsize) y * width + x) * channels;
          guint bx = (t * 3 + seed) % MAX (width, 1), by = (t * 2 + seed) % MAX (height, 1);
          gboolean box = x >= bx && x < bx + width / 4 + 1 && y >= by && y < by + height / 4 + 1;
          guint8 r = (guint8) (128 + 100 * sin (x * 0.05 + t * 0.2 + seed));
          guint8 g = (guint8) ((y * 255) / MAX (height - 1, 1));
          guint8 b = (guint8) (128 + 100 * sin ((x + y) * 0.15 + t * 0.3 + seed));

          if (box)
            r = 230, g = 40, b = 60;
          if (channels == 1)
            p[0] = (guint8) ((r * 77 + g * 150 + b * 29) >> 8);
          else
            {
              p[0] = r;
              p[1] = g;
              p[2] = b;
              if (channels == 4)
                p[3] = 255;
            }
        }
  return g_bytes_new_take (data, frame * n);
}

GBytes *
vwt_make_tones (guint channels, gsize n, guint rate, const double *freqs)
{
  float *data = g_new (float, channels * n);

  for (guint c = 0; c < channels; c++)
    for (gsize i = 0; i < n; i++)
      data[c * n + i] = (float) (0.5 * sin (2 * G_PI * freqs[c] * (double) i / rate));
  return g_bytes_new_take (data, sizeof (float) * channels * n);
}

GHashTable *
vwt_options (const char *first_key, ...)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list args;

  va_start (args, first_key);
  for (const char *key = first_key; key; key = va_arg (args, const char *))
    g_hash_table_insert (table, g_strdup (key), g_strdup (va_arg (args, const char *)));
  va_end (args);
  return table;
}

GHashTable *
vwt_options_parse (const char *text, const char *separator)
{
  GHashTable *table;
  g_auto (GStrv) words = NULL;

  if (!text)
    return NULL;
  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  words = g_strsplit (text, separator, -1);
  for (guint i = 0; words[i]; i++)
    {
      char *eq = strchr (words[i], '=');

      g_assert_nonnull (eq);
      g_hash_table_insert (table, g_strndup (words[i], eq - words[i]), g_strdup (eq + 1));
    }
  return table;
}

void
vwt_write_ok (const char *path, GBytes *frames, guint n, guint h, guint w, guint c, double fps,
              const char *codec, GHashTable *options)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (vidwrite_write_video (path, frames, n, h, w, c, fps, codec, options, NULL, 0, 0,
                                       NULL, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
run (const char *const *argv, GBytes **out, char **err)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) proc = g_subprocess_newv (argv,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_autoptr (GBytes) stdout_bytes = NULL, stderr_bytes = NULL;

  g_assert_no_error (error);
  g_subprocess_communicate (proc, NULL, NULL, &stdout_bytes, &stderr_bytes, &error);
  g_assert_no_error (error);
  if (err)
    *err = g_strndup (g_bytes_get_data (stderr_bytes, NULL), g_bytes_get_size (stderr_bytes));
  if (out)
    *out = g_bytes_ref (stdout_bytes);
  if (!g_subprocess_get_successful (proc))
    {
      g_test_message ("%s failed: %.*s", argv[0], (int) g_bytes_get_size (stderr_bytes),
                      (const char *) g_bytes_get_data (stderr_bytes, NULL));
      return FALSE;
    }
  return TRUE;
}

GHashTable *
vwt_probe_stream (const char *path, const char *stream)
{
  const char *argv[] = { tool ("FFPROBE", "ffprobe"), "-v", "error", "-count_frames",
                         "-select_streams", stream, "-show_entries",
                         "stream=codec_name,profile,width,height,pix_fmt,r_frame_rate,avg_frame_rate,"
                         "nb_read_frames,nb_frames,duration,start_time,channels,sample_rate,"
                         "bit_rate,color_space,color_range,color_primaries,color_transfer,"
                         "has_b_frames,channel_layout,sample_fmt,bits_per_raw_sample,level",
                         "-of", "default=noprint_wrappers=1", path, NULL };
  g_autoptr (GBytes) out = NULL;
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!run (argv, &out, NULL))
    return table;
  g_autofree char *text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *eq = strchr (lines[i], '=');
      if (eq && !g_hash_table_contains (table, lines[i]))
        {
          *eq = '\0';
          g_hash_table_insert (table, g_strdup (lines[i]), g_strdup (eq + 1));
        }
    }
  return table;
}

const char *
vwt_probe_str (GHashTable *probe, const char *key)
{
  const char *v = g_hash_table_lookup (probe, key);
  return v ? v : "";
}

int
vwt_probe_int (GHashTable *probe, const char *key)
{
  const char *v = g_hash_table_lookup (probe, key);
  return v && g_ascii_isdigit (*v) ? atoi (v) : -1;
}

double
vwt_probe_double (GHashTable *probe, const char *key)
{
  const char *v = g_hash_table_lookup (probe, key);
  return v && (g_ascii_isdigit (*v) || *v == '-') ? g_ascii_strtod (v, NULL) : NAN;
}

guint
vwt_count_streams (const char *path)
{
  const char *argv[] = { tool ("FFPROBE", "ffprobe"), "-v", "error", "-show_entries",
                         "stream=index", "-of", "csv=p=0", path, NULL };
  g_autoptr (GBytes) out = NULL;
  guint n = 0;

  if (!run (argv, &out, NULL))
    return 0;
  const char *p = g_bytes_get_data (out, NULL);
  for (gsize i = 0; i < g_bytes_get_size (out); i++)
    n += p[i] == '\n';
  return n;
}

GBytes *
vwt_decode_video (const char *path, const char *pix_fmt)
{
  /* passthrough: every frame as stored, none duplicated or dropped to fit a rate. */
  const char *argv[] = { tool ("FFMPEG", "ffmpeg"), "-v", "error", "-i", path, "-map", "0:v:0",
                         "-vsync", "passthrough", "-f", "rawvideo", "-pix_fmt",
                         pix_fmt ? pix_fmt : "rgb24", "-", NULL };
  GBytes *out = NULL;

  if (!run (argv, &out, NULL))
    g_clear_pointer (&out, g_bytes_unref);
  return out;
}

GBytes *
vwt_decode_audio (const char *path, guint *channels, guint *rate)
{
  g_autoptr (GHashTable) probe = vwt_probe_stream (path, "a:0");
  const char *argv[] = { tool ("FFMPEG", "ffmpeg"), "-v", "error", "-i", path, "-map", "0:a:0",
                         "-f", "f32le", "-acodec", "pcm_f32le", "-", NULL };
  GBytes *out = NULL;

  *channels = (guint) MAX (vwt_probe_int (probe, "channels"), 0);
  *rate = (guint) MAX (vwt_probe_int (probe, "sample_rate"), 0);
  if (!run (argv, &out, NULL))
    g_clear_pointer (&out, g_bytes_unref);
  return out;
}

gboolean
vwt_ffmpeg_encode (GBytes *frames, guint width, guint height, const char *pix_fmt,
                   const char *rate, const char *extra_args, const char *out)
{
  g_autofree char *dir = g_path_get_dirname (out);
  g_autofree char *raw = g_build_filename (dir, "reference-input.raw", NULL);
  g_autofree char *size = g_strdup_printf ("%ux%u", width, height);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) extra = g_strsplit (extra_args, " ", -1);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  gboolean ok;

  g_file_set_contents (raw, g_bytes_get_data (frames, NULL), g_bytes_get_size (frames), &error);
  g_assert_no_error (error);
  const char *head[] = { tool ("FFMPEG", "ffmpeg"), "-v", "error", "-y", "-f", "rawvideo",
                         "-pix_fmt", pix_fmt, "-s", size, "-r", rate, "-i", raw };
  for (guint i = 0; i < G_N_ELEMENTS (head); i++)
    g_ptr_array_add (argv, (gpointer) head[i]);
  for (guint i = 0; extra[i]; i++)
    if (*extra[i])
      g_ptr_array_add (argv, extra[i]);
  g_ptr_array_add (argv, (gpointer) out);
  g_ptr_array_add (argv, NULL);
  ok = run ((const char *const *) argv->pdata, NULL, NULL);
  g_unlink (raw);
  return ok;
}

static void
count_buffer (GstElement *sink, GstBuffer *buffer, GstPad *pad, gpointer user_data)
{
  (*(gint *) user_data)++;
}

static void
on_pad_added (GstElement *decodebin, GstPad *pad, gpointer user_data)
{
  GstElement *sink = user_data;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  GstElement *target;
  GstPad *sinkpad;

  if (!caps || !g_str_has_prefix (gst_structure_get_name (gst_caps_get_structure (caps, 0)), "video/"))
    {
      GstElement *fake = gst_element_factory_make ("fakesink", NULL);
      gst_bin_add (GST_BIN (GST_ELEMENT_PARENT (decodebin)), fake);
      gst_element_sync_state_with_parent (fake);
      target = fake;
    }
  else
    target = sink;
  sinkpad = gst_element_get_static_pad (target, "sink");
  if (!gst_pad_is_linked (sinkpad))
    gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
}

gint
vwt_gst_count_video_frames (const char *path)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("filesrc", NULL);
  GstElement *dec = gst_element_factory_make ("decodebin", NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  g_autoptr (GstMessage) msg = NULL;
  gint frames = 0;

  g_object_set (src, "location", path, NULL);
  g_object_set (sink, "signal-handoffs", TRUE, "sync", FALSE, NULL);
  g_signal_connect (sink, "handoff", G_CALLBACK (count_buffer), &frames);
  g_signal_connect (dec, "pad-added", G_CALLBACK (on_pad_added), sink);
  gst_bin_add_many (GST_BIN (pipeline), src, dec, sink, NULL);
  gst_element_link (src, dec);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (!msg || GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    frames = -1;
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return frames;
}

double
vwt_psnr (GBytes *a, GBytes *b)
{
  gsize n = g_bytes_get_size (a);
  const guint8 *pa = g_bytes_get_data (a, NULL), *pb = g_bytes_get_data (b, NULL);
  double se = 0;

  g_assert_cmpuint (n, ==, g_bytes_get_size (b));
  for (gsize i = 0; i < n; i++)
    {
      double d = (double) pa[i] - pb[i];
      se += d * d;
    }
  if (se == 0)
    return INFINITY;
  return 10 * log10 (255.0 * 255.0 / (se / n));
}

double
vwt_mean_shift (GBytes *a, GBytes *b, guint channels, guint c)
{
  gsize n = g_bytes_get_size (a);
  const guint8 *pa = g_bytes_get_data (a, NULL), *pb = g_bytes_get_data (b, NULL);
  double sum = 0;

  g_assert_cmpuint (n, ==, g_bytes_get_size (b));
  for (gsize i = c; i < n; i += channels)
    sum += (double) pb[i] - pa[i];
  return sum / (n / channels);
}

double
vwt_tone_amplitude (GBytes *audio, guint channels, guint c, guint rate, double freq)
{
  const float *s = g_bytes_get_data (audio, NULL);
  gsize n = g_bytes_get_size (audio) / sizeof (float) / channels;
  double re = 0, im = 0;

  for (gsize i = 0; i < n; i++)
    {
      double phase = 2 * G_PI * freq * (double) i / rate;
      re += s[i * channels + c] * cos (phase);
      im += s[i * channels + c] * sin (phase);
    }
  return n ? 2 * sqrt (re * re + im * im) / n : 0;
}

gsize
vwt_file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gsize) st.st_size : 0;
}

guint
vwt_count_tmp_files (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d && (name = g_dir_read_name (d)))
    n += strstr (name, "vidwrite-tmp") != NULL;
  return n;
}

void
vwt_write_file (const char *path, const char *contents)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

void
vwt_assert_file_is (const char *path, const char *contents)
{
  g_autofree char *now = NULL;
  g_autoptr (GError) error = NULL;

  g_file_get_contents (path, &now, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (now, ==, contents);
}

void
vwt_assert_samples (gsize decoded, gsize pushed)
{
  g_test_message ("%zu samples decoded of %zu pushed", decoded, pushed);
  g_assert_cmpuint (decoded, >=, pushed);
  g_assert_cmpuint (decoded - pushed, <=, VWT_AUDIO_EXTRA);
}
