/* Every frame in, every frame out, for the libvpx and libaom encoders at their default options.
 *
 * vp9enc (GStreamer 1.22) drains libvpx at EOS with a single vpx_codec_encode (NULL) call, and
 * libvpx returns from one call only as many frames as fill half its output buffer (2× a raw
 * I420 frame, 8 KiB at least): with libvpx's default lag of 25 frames the rest of the lookahead
 * was lost, most on noisy or small frames (2 of 20 came out).  Noise and the moving test pattern,
 * short and long clips, small and larger frames, in each container the codec goes in; ffprobe
 * decodes and counts frames and packets.  An explicit lag: vp9 refuses it, vp8 and av1 are safe. */
#include "vidwrite-private.h"
#include "vwt.h"

#include <stdio.h>
#include <string.h>

#define FPS 25

typedef enum
{
  CONTENT_NOISE,   /* compresses worst: the largest packets */
  CONTENT_PATTERN, /* vwt_make_frames: gradients and a moving box */
} Content;

typedef struct
{
  const char *codec;
  Content content;
  guint width, height, n;
  const char *container;
  const char *options; /* "k=v k=v" or NULL */
} Case;

static GBytes *
make_noise (guint n, guint height, guint width, guint seed)
{
  gsize size = (gsize)n * height * width * 3;
  guint8 *data = g_malloc (size);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8)g_rand_int_range (rand, 0, 256);
  return g_bytes_new_take (data, size);
}

/* ffprobe decodes the video stream: frames decoded and packets read. */
static void
count_frames (const char *path, int *frames, int *packets)
{
  const char *ffprobe = g_getenv ("FFPROBE") ? g_getenv ("FFPROBE") : "ffprobe";
  const char *argv[] = { ffprobe,
                         "-v",
                         "error",
                         "-count_frames",
                         "-count_packets",
                         "-select_streams",
                         "v:0",
                         "-show_entries",
                         "stream=nb_read_frames,nb_read_packets",
                         "-of",
                         "csv=p=0",
                         path,
                         NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GSubprocess) proc = g_subprocess_newv (
      argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);

  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_test_message ("ffprobe: %s", err);
  g_assert_true (g_subprocess_get_successful (proc));
  *frames = *packets = -1;
  g_assert_cmpint (sscanf (out, "%d,%d", frames, packets), ==, 2);
}

static void
test_every_frame (VwtFixture *f, gconstpointer data)
{
  const Case *c = data;
  g_autofree char *name = g_strdup_printf ("out.%s", c->container);
  g_autofree char *path = vwt_path (f->dir, name);
  g_autoptr (GBytes) frames = c->content == CONTENT_NOISE
                                  ? make_noise (c->n, c->height, c->width, c->n)
                                  : vwt_make_frames (c->n, c->height, c->width, 3, c->n);
  int n_frames, n_packets;

  g_autoptr (GHashTable) options = vwt_options_parse (c->options, " ");

  vwt_write_ok (path, frames, c->n, c->height, c->width, 3, FPS, c->codec, options);
  count_frames (path, &n_frames, &n_packets);
  g_assert_cmpint (n_frames, ==, c->n);
  /* A frame in a packet of its own: vp9parse splits superframes, and none of these encoders
   * emits an invisible frame at one-pass defaults. */
  g_assert_cmpint (n_packets, ==, c->n);

  /* The right frames, in order: a lost frame replaced by its neighbour would drop the PSNR of
   * the moving pattern far below what these bitrates give. */
  if (c->content == CONTENT_PATTERN)
    {
      g_autoptr (GBytes) decoded = vwt_decode_video (path, "rgb24");

      g_assert_nonnull (decoded);
      g_assert_cmpuint (g_bytes_get_size (decoded), ==, g_bytes_get_size (frames));
      g_assert_cmpfloat (vwt_psnr (frames, decoded), >, 25.0);
    }
}

/* vp9enc would lose the frames an explicit lag holds at the end: refused, naming the value. */
static void
test_vp9_lag_refused (VwtFixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "out.webm");
  g_autoptr (GBytes) frames = make_noise (20, 48, 64, 1);
  g_autoptr (GHashTable) options = vwt_options ("lag-in-frames", "25", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_false (vidwrite_write_video (path, frames, 20, 48, 64, 3, FPS, "libvpx-vp9", options,
                                        NULL, 0, 0, NULL, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_OPTION);
  g_assert_nonnull (strstr (error->message, "lag-in-frames"));
  g_assert_nonnull (strstr (error->message, "25"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* FFmpeg's libvpx wrapper runs a thread a CPU, and so does its threads=0; vp9enc's own default
 * is 8, vp8enc's 1.  Nothing in the stream shows the count: the encoder's property is read. */
static void
test_threads (VwtFixture *f, gconstpointer data)
{
  static const char *const codecs[][2] = { { "libvpx-vp9", "vp9enc" }, { "libvpx", "vp8enc" } };
  static const struct
  {
    const char *value; /* the threads option, or NULL */
    gint expected;     /* 0: the CPU count */
  } cases[] = { { NULL, 0 }, { "0", 0 }, { "3", 3 } };

  g_assert_true (vw_ensure_gst (NULL));
  for (guint c = 0; c < G_N_ELEMENTS (codecs); c++)
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr (GstElement) encoder = gst_element_factory_make (codecs[c][1], NULL);
        g_autoptr (GHashTable) options
            = cases[i].value ? vwt_options ("threads", cases[i].value, NULL) : NULL;
        VwEncoderSettings settings = { 0 };
        g_autoptr (GError) error = NULL;
        gint threads = -1;

        gst_object_ref_sink (encoder);
        g_assert_true (vw_options_apply (encoder, codecs[c][0], TRUE, VW_MEDIA_VIDEO, 0, 64, 48,
                                         "webmmux", options, &settings, &error));
        g_assert_no_error (error);
        g_object_get (encoder, "threads", &threads, NULL);
        g_assert_cmpint (threads, ==,
                         cases[i].expected ? cases[i].expected : (gint)g_get_num_processors ());
        vw_encoder_settings_clear (&settings);
      }
}

int
main (int argc, char **argv)
{
  /* An explicit lag: 0 for vp9 (the only value taken), 25 for vp8 (libvpx's one pass ignores
   * it) and av1 (av1enc drains until empty). */
  static const Case lagged[] = {
    { "libvpx-vp9", CONTENT_NOISE, 64, 48, 20, "webm", "lag-in-frames=0" },
    { "libvpx", CONTENT_NOISE, 64, 48, 20, "webm", "lag-in-frames=25" },
    { "libaom-av1", CONTENT_NOISE, 64, 48, 20, "mkv", "lag-in-frames=25" },
  };
  static const char *const vp9_in[] = { "webm", "mkv", "mp4", NULL };
  static const char *const vp8_in[] = { "webm", "mkv", NULL };
  static const struct
  {
    const char *codec;
    const char *const *containers;
    guint max_len[2]; /* lengths up to these, at 64x48 and at 320x240 */
  } codecs[] = {
    { "libvpx-vp9", vp9_in, { 60, 60 } },
    { "libvpx", vp8_in, { 60, 60 } },
    /* av1enc is slow even at cpu-used 6: short, and shorter when larger. */
    { "libaom-av1", vp9_in, { 20, 2 } },
  };
  static const guint sizes[][2] = { { 64, 48 }, { 320, 240 } };
  static const guint lengths[] = { 1, 2, 20, 60 };
  static const char *const content_names[] = { "noise", "pattern" };
  GPtrArray *cases = g_ptr_array_new_with_free_func (g_free);

  vwt_init (&argc, &argv);
  for (guint k = 0; k < G_N_ELEMENTS (codecs); k++)
    {
      guint n_containers = g_strv_length ((char **)codecs[k].containers);

      for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
        for (guint l = 0; l < G_N_ELEMENTS (lengths) && lengths[l] <= codecs[k].max_len[s]; l++)
          for (guint content = CONTENT_NOISE; content <= CONTENT_PATTERN; content++)
            {
              Case *c = g_new (Case, 1);
              g_autofree char *path = NULL;

              /* The containers take turns: each codec, content and length meets several. */
              *c = (Case){ .codec = codecs[k].codec,
                           .content = content,
                           .width = sizes[s][0],
                           .height = sizes[s][1],
                           .n = lengths[l],
                           .container = codecs[k].containers[(s + l + content) % n_containers] };
              g_ptr_array_add (cases, c);
              path = g_strdup_printf ("/vpx/%s/%s/%ux%u/%u/%s", c->codec, content_names[content],
                                      c->width, c->height, c->n, c->container);
              g_test_add (path, VwtFixture, c, vwt_fixture_set_up, test_every_frame,
                          vwt_fixture_tear_down);
            }
    }
  for (guint i = 0; i < G_N_ELEMENTS (lagged); i++)
    {
      g_autofree char *path = g_strdup_printf ("/vpx/%s/noise/64x48/20/%s/%s", lagged[i].codec,
                                               lagged[i].container, lagged[i].options);

      g_test_add (path, VwtFixture, &lagged[i], vwt_fixture_set_up, test_every_frame,
                  vwt_fixture_tear_down);
    }
  VWT_ADD ("/vpx/libvpx-vp9/lag-refused", test_vp9_lag_refused);
  VWT_ADD ("/vpx/threads", test_threads);
  int status = g_test_run ();
  g_ptr_array_unref (cases);
  return status;
}
