/* Where a write can go besides a named file: a GOutputStream that can seek (memory), one that
 * cannot (a pipe), bytes from the one-shot call, a format named instead of an extension; and a
 * file that has no name until it is complete. */
#define _GNU_SOURCE /* memmem */

#include "vwt.h"

#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define W 64
#define H 48
#define N 20
#define RATE 48000

typedef VwtFixture Fixture;

static const double freqs[2] = { 440, 660 };

/* Writes N frames and 0.5 s of stereo audio through `writer`. */
static void
write_through (VidwriteWriter *writer, const char *codec, const char *audio_codec)
{
  g_autoptr (GBytes) frames = vwt_make_frames (N, H, W, 3, 5);
  g_autoptr (GBytes) tones = vwt_make_tones (2, RATE / 2, RATE, freqs);
  g_autoptr (GError) error = NULL;

  g_assert_true (vidwrite_writer_set_video (writer, W, H, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1, codec,
                                            NULL, &error));
  g_assert_true (vidwrite_writer_set_audio (writer, 2, RATE, VIDWRITE_SAMPLE_FORMAT_F32,
                                            VIDWRITE_AUDIO_LAYOUT_PLANAR, audio_codec, NULL,
                                            &error));
  g_assert_no_error (error);
  g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
  g_assert_true (vidwrite_writer_push_audio (writer, tones, &error));
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
}

/* The bytes, saved under `name` in the fixture's directory, decode to every frame and the tone. */
static char *
check_bytes (Fixture *f, GBytes *bytes, const char *name)
{
  char *path = vwt_path (f->dir, name);
  g_autoptr (GError) error = NULL;
  guint channels = 0, rate = 0;

  g_assert_true (
      g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error));
  g_assert_no_error (error);
  {
    g_autoptr (GHashTable) v = vwt_probe_stream (path, "v:0");
    g_autoptr (GBytes) pcm = vwt_decode_audio (path, &channels, &rate);

    g_assert_cmpint (vwt_probe_int (v, "nb_read_frames"), ==, N);
    g_assert_cmpstr (vwt_probe_str (v, "r_frame_rate"), ==, "25/1");
    g_assert_nonnull (pcm);
    g_assert_cmpuint (channels, ==, 2);
    g_assert_cmpfloat (vwt_tone_amplitude (pcm, 2, 0, rate, freqs[0]), >, 0.4);
  }
  return path;
}

static GBytes *
memory_write (const char *format, const char *codec, const char *audio_codec)
{
  g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new_for_stream (memory, format, &error);

  g_assert_no_error (error);
  g_assert_null (vidwrite_writer_get_filename (writer));
  write_through (writer, codec, audio_codec);
  g_assert_true (g_output_stream_close (memory, NULL, NULL));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

/* Memory can seek: an ordinary MP4 (its index up front or at the end, not fragments). */
static void
test_memory_stream (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *format, *name, *codec, *audio_codec;
  } cases[] = {
    { "mp4", "m.mp4", NULL, NULL },           { "matroska", "m.mkv", NULL, NULL },
    { "webm", "m.webm", "libvpx-vp9", NULL }, { "mpegts", "m.ts", NULL, NULL },
    { "mov", "m.mov", NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].format);
      g_autoptr (GBytes) bytes
          = memory_write (cases[i].format, cases[i].codec, cases[i].audio_codec);
      g_autofree char *path = check_bytes (f, bytes, cases[i].name);
    }
}

typedef struct
{
  int fd;
  GByteArray *data;
} Reader;

static gpointer
read_all (gpointer user_data)
{
  Reader *reader = user_data;
  guint8 buffer[65536];
  gssize got;

  while ((got = read (reader->fd, buffer, sizeof buffer)) > 0)
    g_byte_array_append (reader->data, buffer, got);
  close (reader->fd);
  return NULL;
}

/* Through a pipe, which cannot seek: fragmented MP4 (as FFmpeg's frag_keyframe+empty_moov),
 * streamable Matroska, and every frame read back. */
static GBytes *
pipe_write (const char *format)
{
  int fds[2];
  Reader reader;
  GThread *thread;
  g_autoptr (GOutputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = NULL;

  g_assert_cmpint (pipe (fds), ==, 0);
  reader = (Reader){ fds[0], g_byte_array_new () };
  thread = g_thread_new ("reader", read_all, &reader);
  out = g_unix_output_stream_new (fds[1], TRUE);
  writer = vidwrite_writer_new_for_stream (out, format, &error);
  g_assert_no_error (error);
  write_through (writer, NULL, NULL);
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  g_thread_join (thread);
  return g_byte_array_free_to_bytes (reader.data);
}

static gboolean
has_box (GBytes *bytes, const char *type)
{
  gsize size;
  const guint8 *p = g_bytes_get_data (bytes, &size);

  return memmem (p, size, type, 4) != NULL;
}

static void
test_pipe (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) mp4 = pipe_write ("mp4");
  g_autoptr (GBytes) mkv = pipe_write ("matroska");
  g_autoptr (GBytes) ts = pipe_write ("mpegts");
  g_autofree char *p1 = check_bytes (f, mp4, "pipe.mp4");
  g_autofree char *p2 = check_bytes (f, mkv, "pipe.mkv");
  g_autofree char *p3 = check_bytes (f, ts, "pipe.ts");

  /* Movie fragments, as a pipe needs. */
  g_assert_true (has_box (mp4, "moof"));
  g_assert_true (has_box (mp4, "mvex"));
}

/* The one-shot call's sibling returns the file as bytes. */
static void
test_encode_video (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) frames = vwt_make_frames (N, H, W, 3, 6);
  g_autoptr (GBytes) tones = vwt_make_tones (2, RATE / 2, RATE, freqs);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = vidwrite_encode_video ("mp4", frames, N, H, W, 3, 25, NULL, NULL,
                                                    tones, 2, RATE, NULL, NULL, &error);
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  path = check_bytes (f, bytes, "encoded.mp4");
  g_assert_false (has_box (bytes, "moof"));
  /* Bad arguments are refused as by the file-writing call. */
  g_assert_null (vidwrite_encode_video ("nosuch", frames, N, H, W, 3, 25, NULL, NULL, NULL, 0, 0,
                                        NULL, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_UNSUPPORTED_CONTAINER);
  g_assert_nonnull (strstr (error->message, "nosuch"));
  g_clear_error (&error);
  g_assert_null (vidwrite_encode_video ("mp4", frames, N + 1, H, W, 3, 25, NULL, NULL, NULL, 0, 0,
                                        NULL, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
}

/* -f: the format named overrides the extension. */
static void
test_format_overrides_extension (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "clip.bin");
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new_with_format (path, "matroska", &error);

  g_assert_no_error (error);
  write_through (writer, NULL, NULL);
  {
    const char *argv[] = { g_getenv ("FFPROBE") ? g_getenv ("FFPROBE") : "ffprobe",
                           "-v",
                           "error",
                           "-show_entries",
                           "format=format_name",
                           "-of",
                           "csv=p=0",
                           path,
                           NULL };
    g_autofree char *out = NULL;

    g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                                 NULL, NULL, &error));
    g_assert_nonnull (strstr (out, "matroska"));
  }
}

/* While a file is written nothing appears in its directory; a cancelled write leaves nothing. */
static void
test_unnamed_until_complete (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "clip.mp4");
  g_autoptr (GBytes) frames = vwt_make_frames (N, H, W, 3, 7);
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, &error);
  g_autoptr (GDir) dir = NULL;

  g_assert_true (vidwrite_writer_set_video (writer, W, H, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1, NULL,
                                            NULL, &error));
  g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
  g_assert_no_error (error);
  dir = g_dir_open (f->dir, 0, NULL);
  g_assert_null (g_dir_read_name (dir));
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
  g_dir_rewind (dir);
  g_assert_cmpstr (g_dir_read_name (dir), ==, "clip.mp4");
  g_assert_null (g_dir_read_name (dir));
}

/* Streams and formats that cannot be written. */
static void
test_bad_targets (Fixture *f, gconstpointer data)
{
  g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr (GOutputStream) closed = g_memory_output_stream_new_resizable ();
  g_autofree char *path = vwt_path (f->dir, "clip.mp4");
  g_autoptr (GError) error = NULL;

  g_assert_null (vidwrite_writer_new_for_stream (NULL, "mp4", &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (vidwrite_writer_new_for_stream (memory, NULL, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (vidwrite_writer_new_for_stream (memory, "gif", &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_UNSUPPORTED_CONTAINER);
  g_assert_nonnull (strstr (error->message, "“gif”"));
  g_clear_error (&error);
  g_assert_true (g_output_stream_close (closed, NULL, NULL));
  g_assert_null (vidwrite_writer_new_for_stream (closed, "mp4", &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_IO);
  g_clear_error (&error);
  g_assert_null (vidwrite_writer_new_with_format (path, "nosuch", &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_UNSUPPORTED_CONTAINER);
  g_clear_error (&error);
  /* NULL errors are legal here too. */
  g_assert_null (vidwrite_writer_new_for_stream (NULL, "mp4", NULL));
  g_assert_null (vidwrite_writer_new_for_stream (memory, "gif", NULL));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* Muxers made by options (movflags, frag_duration) for a file, a stream and a segment target
 * (whose sink brings its own muxer).  Each used to keep a reference of its own, which the
 * sanitizer build's leak check reports. */
static void
test_options_muxer (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) frames = vwt_make_frames (N, H, W, 3, 8);
  g_autofree char *path = vwt_path (f->dir, "fast.mp4");
  g_autofree char *pattern = vwt_path (f->dir, "seg%03d.mp4");
  g_autofree char *first = vwt_path (f->dir, "seg000.mp4");
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
      g_autoptr (VidwriteWriter) writer
          = i == 0   ? vidwrite_writer_new (path, &error)
            : i == 1 ? vidwrite_writer_new_for_stream (memory, "mp4", &error)
                     : vidwrite_writer_new (pattern, &error);
      g_autoptr (GHashTable) options = i == 1 ? vwt_options ("frag_duration", "200000", NULL)
                                              : vwt_options ("movflags", "+faststart", NULL);

      g_assert_no_error (error);
      g_assert_true (vidwrite_writer_set_video (writer, W, H, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1,
                                                NULL, options, &error));
      g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
      g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
      g_assert_no_error (error);
      if (i == 1)
        {
          g_autoptr (GBytes) bytes = NULL;

          g_assert_true (g_output_stream_close (memory, NULL, NULL));
          bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
          g_assert_true (has_box (bytes, "moof"));
        }
    }
  g_assert_cmpint (vwt_gst_count_video_frames (path), ==, N);
  g_assert_cmpint (vwt_gst_count_video_frames (first), ==, N);
}

/* An abandoned HLS or segment write removes its playlist and segments, and nothing that another
 * program wrote in the directory meanwhile (which it used to remove too). */
static void
test_abandoned_sink_leaves_others (Fixture *f, gconstpointer data)
{
  static const char *const names[] = { "live.m3u8", "part%02d.ts" };
  g_autoptr (GBytes) frames = vwt_make_frames (50, H, W, 3, 9);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *dir = g_build_filename (f->dir, i ? "segments" : "hls", NULL);
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *theirs = g_build_filename (dir, "theirs.ts", NULL);
      g_autofree char *number = g_build_filename (dir, "7.txt", NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (VidwriteWriter) writer = NULL;
      g_autoptr (GHashTable) options
          = i ? vwt_options ("segment_time", "0.5", NULL) : vwt_options ("hls_time", "0.5", NULL);
      g_autoptr (GDir) listing = NULL;

      g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
      writer = vidwrite_writer_new (path, &error);
      g_assert_no_error (error);
      g_assert_true (vidwrite_writer_set_video (writer, W, H, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1,
                                                NULL, options, &error));
      vwt_write_file (theirs, "another program's");
      vwt_write_file (number, "another program's");
      g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
      g_assert_no_error (error);
      g_assert_true (vidwrite_writer_cancel (writer, &error));
      g_assert_no_error (error);
      vwt_assert_file_is (theirs, "another program's");
      vwt_assert_file_is (number, "another program's");
      listing = g_dir_open (dir, 0, NULL);
      for (const char *name; (name = g_dir_read_name (listing));)
        g_assert_true (g_str_equal (name, "theirs.ts") || g_str_equal (name, "7.txt"));
    }
}

/* A set_video() refused for an encoder option may be retried: the HLS sink's own options are
 * taken again (hls_time was left over as an unknown option, the sink kept from the first call). */
static void
test_sink_options_retried (Fixture *f, gconstpointer data)
{
  g_autofree char *path = vwt_path (f->dir, "retry.m3u8");
  g_autofree char *segment = vwt_path (f->dir, "retry0.ts");
  g_autoptr (GBytes) frames = vwt_make_frames (N, H, W, 3, 4);
  g_autoptr (GHashTable) bad = vwt_options ("hls_time", "0.5", "crf", "abc", NULL);
  g_autoptr (GHashTable) good = vwt_options ("hls_time", "0.5", "crf", "20", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, &error);

  g_assert_no_error (error);
  g_assert_false (vidwrite_writer_set_video (writer, W, H, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1, NULL,
                                             bad, &error));
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_OPTION);
  g_assert_nonnull (strstr (error->message, "abc"));
  g_clear_error (&error);
  g_assert_true (vidwrite_writer_set_video (writer, W, H, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1, NULL,
                                            good, &error));
  g_assert_no_error (error);
  g_assert_true (vidwrite_writer_push_frames (writer, frames, &error));
  g_assert_true (vidwrite_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (segment, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
  VWT_ADD ("/targets/memory-stream", test_memory_stream);
  VWT_ADD ("/targets/pipe", test_pipe);
  VWT_ADD ("/targets/encode-video", test_encode_video);
  VWT_ADD ("/targets/format-overrides-extension", test_format_overrides_extension);
  VWT_ADD ("/targets/unnamed-until-complete", test_unnamed_until_complete);
  VWT_ADD ("/targets/bad-targets", test_bad_targets);
  VWT_ADD ("/targets/options-muxer", test_options_muxer);
  VWT_ADD ("/targets/abandoned-sink-leaves-others", test_abandoned_sink_leaves_others);
  VWT_ADD ("/targets/sink-options-retried", test_sink_options_retried);
  return g_test_run ();
}
