/* libFuzzer target: vidwrite's argument checks and option parsing, fed arbitrary bytes.
 *
 * Input: a 19-byte header, then text lines.
 *   [0]      n_frames            [1..2] width (LE)     [3..4] height (LE)
 *   [5]      channels, or the VidwritePixelFormat for the writer
 *   [6..9]   fps numerator (LE)  [10..13] fps denominator (LE); the one-shot call gets n / d
 *            as a double, so 0 denominators give infinities and NaN
 *   [14]     audio channels      [15..17] audio rate (LE)
 *   [18]     flags: 1 audio, 2 the one-shot call (else the writer), 4 int16 audio,
 *            8 interleaved audio, 16 let a tiny valid video really encode
 *   then "extension\nvideo codec\naudio codec\n", video options one "key=value" a line, a line
 *   "--", audio options.  An empty codec line means NULL.
 *
 * The writer path configures and cancels without pushing; the one-shot call is given one byte
 * too many of video unless flag 16 asks for a real encode of a video of at most 2 frames of
 * 32×32, so that most runs stop at the checks.  Any crash, sanitizer report, leak, GLib
 * critical or warning is a finding; a GError in the VIDWRITE_ERROR domain is the right answer.
 */
#include <vidwrite/vidwrite.h>

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *scratch;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  gst_init (NULL, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  scratch = g_dir_make_tmp ("vidwrite-fuzz-XXXXXX", NULL);
  g_assert_nonnull (scratch);
  return 0;
}

static guint32
le (const uint8_t *p, guint n)
{
  guint32 v = 0;

  for (guint i = 0; i < n; i++)
    v |= (guint32) p[i] << (8 * i);
  return v;
}

static GHashTable *
parse_options (char **lines, guint *i)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (; lines[*i] && strcmp (lines[*i], "--") != 0; (*i)++)
    {
      char *eq = strchr (lines[*i], '=');

      if (eq)
        g_hash_table_insert (table, g_strndup (lines[*i], eq - lines[*i]), g_strdup (eq + 1));
      else
        g_hash_table_insert (table, g_strdup (lines[*i]), g_strdup (""));
    }
  if (lines[*i])
    (*i)++;
  return table;
}

static void
check_error (gboolean ok, GError *error)
{
  if (ok)
    g_assert_null (error);
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == VIDWRITE_ERROR);
      g_assert_true (error->message && *error->message);
    }
}

static void
remove_outputs (void)
{
  g_autoptr (GDir) dir = g_dir_open (scratch, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (scratch, name, NULL);
      g_unlink (path);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  guint n_frames, width, height, pixel, audio_channels, rate, flags, i = 3;
  gint fps_n, fps_d;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree char *filename = NULL;
  g_autoptr (GHashTable) options = NULL;
  g_autoptr (GHashTable) audio_options = NULL;
  g_autoptr (GError) error = NULL;
  const char *codec, *audio_codec;
  gboolean ok;

  if (size < 19)
    return -1;
  n_frames = data[0];
  width = le (data + 1, 2);
  height = le (data + 3, 2);
  pixel = data[5];
  fps_n = (gint) le (data + 6, 4);
  fps_d = (gint) le (data + 10, 4);
  audio_channels = data[14];
  rate = le (data + 15, 3);
  flags = data[18];
  text = g_strndup ((const char *) data + 19, size - 19);
  lines = g_strsplit (text, "\n", -1);
  if (g_strv_length (lines) < 3)
    return -1;
  filename = g_strdup_printf ("%s/out.%s", scratch, lines[0]);
  codec = *lines[1] ? lines[1] : NULL;
  audio_codec = *lines[2] ? lines[2] : NULL;
  options = parse_options (lines, &i);
  audio_options = parse_options (lines, &i);

  if (flags & 2)
    {
      guint64 need = (guint64) n_frames * width * height * pixel;
      gboolean encode = (flags & 16) && n_frames <= 2 && width <= 32 && height <= 32;
      gsize bytes = need <= 32 * 32 * 4 * 2 ? (gsize) need + !encode : 1;
      g_autofree guint8 *pixels = g_malloc0 (bytes);
      g_autoptr (GBytes) video = g_bytes_new (pixels, bytes);
      g_autofree float *samples = g_new0 (float, 2 * 4800);
      g_autoptr (GBytes) audio = (flags & 1) ? g_bytes_new (samples, sizeof (float) * 2 * 4800)
                                             : NULL;

      ok = vidwrite_write_video (filename, video, n_frames, height, width, pixel,
                                 (double) fps_n / (double) fps_d, codec, options, audio,
                                 audio_channels, rate, audio_codec, audio_options, &error);
      check_error (ok, error);
    }
  else
    {
      g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (filename, &error);
      gint num, den;

      check_error (writer != NULL, error);
      g_clear_error (&error);
      check_error (vidwrite_rate_to_fraction ((double) fps_n / (double) fps_d, &num, &den, &error),
                   error);
      g_clear_error (&error);
      if (writer)
        {
          ok = vidwrite_writer_set_video (writer, width, height, (VidwritePixelFormat) pixel, fps_n,
                                          fps_d, codec, options, &error);
          check_error (ok, error);
          g_clear_error (&error);
          if (flags & 1)
            {
              ok = vidwrite_writer_set_audio (
                  writer, audio_channels, rate,
                  flags & 4 ? VIDWRITE_SAMPLE_FORMAT_S16 : VIDWRITE_SAMPLE_FORMAT_F32,
                  flags & 8 ? VIDWRITE_AUDIO_LAYOUT_INTERLEAVED : VIDWRITE_AUDIO_LAYOUT_PLANAR,
                  audio_codec, audio_options, &error);
              check_error (ok, error);
              g_clear_error (&error);
            }
          g_assert_true (vidwrite_writer_cancel (writer, NULL));
        }
    }
  remove_outputs ();
  return 0;
}
