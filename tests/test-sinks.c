/* The sinks of HLS, numbered segments, RTMP and SRT targets, in pipelines built by hand
 * (test source -> x264enc -> h264parse [-> muxer] -> sink, with AAC audio): what they write
 * decodes whole, and an absent server fails the write promptly, naming the URL. */
#include "vwt.h"

#include "vidwrite-sinks.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define FPS 25
/* Generous bound for "promptly": the sinks are set up to fail within about 5 s. */
#define PROMPT_SECONDS 15

/* ffprobe's video frames of a file: key frame flags and presentation times. */
typedef struct
{
  guint n;
  gboolean first_is_key;
  double first_pts, last_pts;
} Frames;

static Frames
probe_frames (const char *path)
{
  const char *ffprobe = g_getenv ("FFPROBE");
  const char *argv[] = { ffprobe && *ffprobe ? ffprobe : "ffprobe",
                         "-v",
                         "error",
                         "-select_streams",
                         "v:0",
                         "-show_entries",
                         "frame=key_frame,pts_time",
                         "-of",
                         "csv=p=0",
                         path,
                         NULL };
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;
  Frames frames = { 0 };
  int status;

  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], ",", -1);
      if (g_strv_length (fields) < 2)
        continue;
      double pts = g_ascii_strtod (fields[1], NULL);
      if (frames.n == 0)
        {
          frames.first_is_key = atoi (fields[0]) == 1;
          frames.first_pts = pts;
        }
      frames.last_pts = pts;
      frames.n++;
    }
  return frames;
}

static gboolean live_sources; /* paced in real time, for the tests that kill a server */

/* A source of `n` frames (key frames only every `gop`) and of about as much AAC audio, whose
 * parsers are named "v" and "a". */
static GstElement *
make_source (guint n, guint gop, const char *muxer)
{
  g_autofree char *description = g_strdup_printf (
      "videotestsrc num-buffers=%u is-live=%d "
      "! video/x-raw,format=I420,width=64,height=48,framerate=%u/1 "
      "! x264enc speed-preset=ultrafast tune=zerolatency key-int-max=%u ! h264parse name=v "
      "audiotestsrc num-buffers=%u samplesperbuffer=1024 is-live=%d "
      "! audio/x-raw,rate=44100,channels=1 ! voaacenc ! aacparse name=a %s%s",
      n, live_sources, FPS, gop, (guint)(n * 44100.0 / FPS / 1024), live_sources,
      muxer ? muxer : "", muxer ? " name=mux v. ! mux. a. ! mux." : "");
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch (description, &error);

  g_assert_no_error (error);
  return pipeline;
}

static void
link_request (GstElement *pipeline, const char *from, GstElement *sink, const char *pad_name)
{
  g_autoptr (GstElement) src = gst_bin_get_by_name (GST_BIN (pipeline), from);
  g_autoptr (GstPad) src_pad = gst_element_get_static_pad (src, "src");
  g_autoptr (GstPad) sink_pad = gst_element_request_pad_simple (sink, pad_name);

  g_assert_nonnull (sink_pad);
  g_assert_cmpint (gst_pad_link (src_pad, sink_pad), ==, GST_PAD_LINK_OK);
}

/* A pipeline whose streams go into `sink`'s request pads (the sink muxes). */
static GstElement *
pipeline_into (GstElement *sink, guint n, guint gop, VwTargetKind kind)
{
  GstElement *pipeline = make_source (n, gop, NULL);
  const VwTargetInfo *info = vw_target_info (kind);

  gst_bin_add (GST_BIN (pipeline), sink);
  link_request (pipeline, "v", sink, info->video_pad);
  link_request (pipeline, "a", sink, info->audio_pad);
  return pipeline;
}

/* A pipeline whose streams go into the kind's muxer, and that into `sink`. */
static GstElement *
pipeline_through_muxer (GstElement *sink, guint n, VwTargetKind kind)
{
  GstElement *pipeline = make_source (n, FPS, vw_target_info (kind)->muxer);
  g_autoptr (GstElement) mux = gst_bin_get_by_name (GST_BIN (pipeline), "mux");

  if (kind == VW_TARGET_RTMP)
    g_object_set (mux, "streamable", TRUE, NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  g_assert_true (gst_element_link (mux, sink));
  return pipeline;
}

/* Runs to EOS (TRUE) or the first error, which the sink's function describes; `kill`, if
 * given, is called one second in, and `seconds` counted from then. */
static gboolean
run_pipeline_killing (GstElement *pipeline, GstElement *sink, void (*kill) (gpointer),
                      gpointer kill_data, double *seconds, GError **error)
{
  const GstMessageType ends = GST_MESSAGE_EOS | GST_MESSAGE_ERROR;
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  gint64 start = g_get_monotonic_time ();
  g_autoptr (GstMessage) message = NULL;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  if (kill)
    {
      message = gst_bus_timed_pop_filtered (bus, GST_SECOND, ends);
      g_assert_null (message); /* still streaming */
      kill (kill_data);
      start = g_get_monotonic_time ();
    }
  message = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND, ends);
  if (seconds)
    *seconds = (g_get_monotonic_time () - start) / 1e6;
  /* What a writer does after such a failure (the next push, or close()) is checked through
   * the library in tests/python/test_targets_live.py::test_server_killed.  An EOS sent to this
   * bare pipeline after the error is no sound check: in CI under ASan (2 runs in 4) neither it
   * nor another message came within 15 s, most likely because the sources had already stopped
   * on the failed flow. */
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_assert_nonnull (message);
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS)
    return TRUE;
  vw_sink_set_error_from_message (sink, message, error);
  return FALSE;
}

static gboolean
run_pipeline (GstElement *pipeline, GstElement *sink, double *seconds, GError **error)
{
  return run_pipeline_killing (pipeline, sink, NULL, NULL, seconds, error);
}

static void
test_kind (void)
{
  static const struct
  {
    const char *location;
    VwTargetKind kind;
  } cases[] = {
    { "out.mp4", VW_TARGET_FILE },
    { "/a/b/out.mkv", VW_TARGET_FILE },
    { "100%.mp4", VW_TARGET_FILE },
    { "50%off/out.mp4", VW_TARGET_FILE },
    { "dir%d/out.mp4", VW_TARGET_FILE }, /* only the file name is a pattern */
    { "out.m3u8", VW_TARGET_HLS },
    { "/srv/live/Stream.M3U8", VW_TARGET_HLS },
    { "clip_%03d.mp4", VW_TARGET_SEGMENTS },
    { "/tmp/50%off/clip_%d.mkv", VW_TARGET_SEGMENTS },
    { "clip_%d_%d.mp4", VW_TARGET_SEGMENTS }, /* malformed, reported by the sink */
    { "rtmp://127.0.0.1/live/key", VW_TARGET_RTMP },
    { "RTMPS://example.com:443/app/key", VW_TARGET_RTMP },
    { "srt://127.0.0.1:9000", VW_TARGET_SRT },
    { "srtx://x", VW_TARGET_FILE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].location);
      g_assert_cmpint (vw_target_kind_for_location (cases[i].location), ==, cases[i].kind);
    }
}

static void
test_patterns (void)
{
  static const char *const good[] = { "c%d.mp4", "c_%03d.mp4", "%%c%d.mp4", "/x%y/c%05d.ts", NULL };
  static const char *const bad[]
      = { "c.mp4",     "c%s.mp4", "c%d%d.mp4", "c%999999999d.mp4", "c%-3d.mp4", "c%ld.mp4",
          "c%n%d.mp4", "dir/",    NULL };

  for (guint i = 0; good[i]; i++)
    g_assert_true (vw_pattern_is_numbered (good[i]));
  for (guint i = 0; bad[i]; i++)
    {
      g_autoptr (GError) error = NULL;

      g_test_message ("%s", bad[i]);
      g_assert_false (vw_pattern_is_numbered (bad[i]));
      g_assert_null (vw_sink_make_segments (bad[i], "mp4mux", NULL, &error));
      g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, bad[i]));
      /* A NULL error is legal too. */
      g_assert_null (vw_sink_make_segments (bad[i], "mp4mux", NULL, NULL));
    }
}

static void
test_options (void)
{
  static const struct
  {
    gboolean hls;
    const char *key, *value;
  } bad[] = {
    { TRUE, "hls_time", "0" },
    { TRUE, "hls_time", "-1" },
    { TRUE, "hls_time", "2s" },
    { TRUE, "hls_time", "nan" },
    { TRUE, "hls_list_size", "-1" },
    { TRUE, "hls_list_size", "2.5" },
    { TRUE, "hls_flags", "+append_list" },
    { TRUE, "hls_segment_filename", "seg.ts" },
    { FALSE, "segment_time", "0" },
    { FALSE, "segment_time", "1e9" },
    { FALSE, "segment_start_number", "x" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GHashTable) options = vwt_options (bad[i].key, bad[i].value, NULL);
      g_autoptr (GError) error = NULL;
      GstElement *sink = bad[i].hls
                             ? vw_sink_make_hls ("/tmp/x.m3u8", options, &error)
                             : vw_sink_make_segments ("/tmp/x%d.mp4", "mp4mux", options, &error);

      g_test_message ("%s=%s", bad[i].key, bad[i].value);
      g_assert_null (sink);
      g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_OPTION);
      g_assert_nonnull (strstr (error->message, bad[i].key));
      g_assert_nonnull (strstr (error->message, bad[i].value));
    }

  /* The keys a sink takes leave the table; the others stay for the caller to report. */
  g_autoptr (GHashTable) options
      = vwt_options ("hls_time", "1.5", "hls_list_size", "0", "crf", "20", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) hls = vw_sink_make_hls ("/tmp/x.m3u8", options, &error);
  g_assert_no_error (error);
  gst_object_ref_sink (hls);
  g_assert_cmpuint (g_hash_table_size (options), ==, 1);
  g_assert_true (g_hash_table_contains (options, "crf"));
  guint target, length, max_files;
  g_autofree char *location = NULL;
  g_object_get (hls, "target-duration", &target, "playlist-length", &length, "max-files",
                &max_files, "location", &location, NULL);
  g_assert_cmpuint (target, ==, 2);
  g_assert_cmpuint (length, ==, 0);
  g_assert_cmpuint (max_files, ==, 0); /* FFmpeg keeps every segment file by default */
  g_assert_cmpstr (location, ==, "/tmp/x%d.ts");
  g_assert_cmpstr (vw_sink_get_location (hls), ==, "/tmp/x.m3u8");

  g_autoptr (GHashTable) deleting = vwt_options ("hls_flags", "+delete_segments", NULL);
  g_autoptr (GstElement) hls2 = vw_sink_make_hls ("/tmp/50%off/x.m3u8", deleting, &error);
  g_assert_no_error (error);
  gst_object_ref_sink (hls2);
  g_clear_pointer (&location, g_free);
  g_object_get (hls2, "max-files", &max_files, "location", &location, "target-duration", &target,
                NULL);
  g_assert_cmpuint (max_files, ==, 6); /* FFmpeg: the 5 listed and 1 more */
  g_assert_cmpuint (target, ==, 2);    /* FFmpeg's default hls_time */
  g_assert_cmpstr (location, ==, "/tmp/50%%off/x%d.ts");

  g_autoptr (GError) not_m3u8 = NULL;
  g_assert_null (vw_sink_make_hls ("/tmp/.m3u8", NULL, &not_m3u8));
  g_assert_error (not_m3u8, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);

  g_autoptr (GError) no_muxer = NULL;
  g_assert_null (vw_sink_make_segments ("/tmp/x%d.mp4", "nosuchmux", NULL, &no_muxer));
  g_assert_error (no_muxer, VIDWRITE_ERROR, VIDWRITE_ERROR_CODEC_UNAVAILABLE);
  g_assert_nonnull (strstr (no_muxer->message, "nosuchmux"));
}

/* The playlist's segment names and durations, and whether it is closed with ENDLIST. */
static GPtrArray *
read_playlist (const char *path, GArray *durations, gboolean *ended)
{
  g_autofree char *text = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  *ended = FALSE;
  for (guint i = 0; lines[i]; i++)
    {
      g_strstrip (lines[i]);
      if (g_str_has_prefix (lines[i], "#EXTINF:"))
        {
          double d = g_ascii_strtod (lines[i] + strlen ("#EXTINF:"), NULL);
          g_array_append_val (durations, d);
        }
      else if (g_str_equal (lines[i], "#EXT-X-ENDLIST"))
        *ended = TRUE;
      else if (*lines[i] && lines[i][0] != '#')
        g_ptr_array_add (names, g_strdup (lines[i]));
    }
  return names;
}

static void
test_hls (VwtFixture *f, gconstpointer data)
{
  /* A % in the directory must stay a literal %, and the encoder's own key frames are 10 s
   * apart: segments of 1 s exist only because the sink asks for key frames. */
  const guint n = 3 * FPS + 5;
  const double hls_time = 1;
  g_autofree char *dir = vwt_path (f->dir, "50%off");
  g_autofree char *playlist = g_build_filename (dir, "live.m3u8", NULL);
  g_autoptr (GHashTable) options = vwt_options ("hls_time", "1", "hls_list_size", "0", NULL);
  g_autoptr (GError) error = NULL;
  GstElement *sink;
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GArray) durations = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GPtrArray) names = NULL;
  gboolean ended;
  guint total = 0;

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  sink = vw_sink_make_hls (playlist, options, &error);
  g_assert_no_error (error);
  pipeline = pipeline_into (sink, n, 10 * FPS, VW_TARGET_HLS);
  g_assert_true (run_pipeline (pipeline, sink, NULL, &error));
  g_assert_no_error (error);

  names = read_playlist (playlist, durations, &ended);
  g_assert_true (ended);
  g_assert_cmpuint (names->len, >=, 3);
  g_assert_cmpuint (names->len, ==, durations->len);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *expected = g_strdup_printf ("live%u.ts", i); /* FFmpeg's names */
      g_autofree char *segment = g_build_filename (dir, names->pdata[i], NULL);
      Frames frames = probe_frames (segment);
      g_autoptr (GHashTable) audio = vwt_probe_stream (segment, "a:0");

      g_test_message ("%s: %u frames, %g s listed", segment, frames.n,
                      g_array_index (durations, double, i));
      g_assert_cmpstr (names->pdata[i], ==, expected);
      g_assert_true (frames.first_is_key);
      /* Not longer than asked, give or take a frame. */
      g_assert_cmpfloat (frames.n, <=, (hls_time + 1.0 / FPS) * FPS + 0.5);
      g_assert_cmpfloat (g_array_index (durations, double, i), <=, hls_time + 1.5 / FPS);
      g_assert_cmpstr (vwt_probe_str (audio, "codec_name"), ==, "aac");
      total += frames.n;
    }
  g_assert_cmpuint (total, ==, n);
}

static void
test_segments (VwtFixture *f, gconstpointer data)
{
  const guint n = 3 * FPS + 5;
  g_autofree char *dir = vwt_path (f->dir, "50%off");
  g_autofree char *pattern = g_build_filename (dir, "clip_%03d.mp4", NULL);
  g_autoptr (GHashTable) options = vwt_options ("segment_time", "1", NULL);
  g_autoptr (GError) error = NULL;
  GstElement *sink;
  g_autoptr (GstElement) pipeline = NULL;
  guint total = 0, count = 0;

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  sink = vw_sink_make_segments (pattern, "mp4mux", options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (options), ==, 0);
  pipeline = pipeline_into (sink, n, 10 * FPS, VW_TARGET_SEGMENTS);
  g_assert_true (run_pipeline (pipeline, sink, NULL, &error));
  g_assert_no_error (error);

  for (;; count++)
    {
      g_autofree char *name = g_strdup_printf ("clip_%03u.mp4", count);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        break;
      /* Each file plays alone: ffprobe reads it with no other, from a key frame. */
      Frames frames = probe_frames (path);
      g_autoptr (GHashTable) audio = vwt_probe_stream (path, "a:0");
      g_test_message ("%s: %u frames", path, frames.n);
      g_assert_true (frames.first_is_key);
      g_assert_cmpuint (frames.n, >, 0);
      g_assert_cmpuint (frames.n, <=, FPS + 1);
      g_assert_cmpstr (vwt_probe_str (audio, "codec_name"), ==, "aac");
      total += frames.n;
    }
  g_assert_cmpuint (count, >=, 3);
  g_assert_cmpuint (total, ==, n);
}

static void
test_bad_urls (void)
{
  static const char *const rtmp[] = { "rtmp://127.0.0.1",
                                      "rtmp://127.0.0.1/live",
                                      "rtmp://127.0.0.1/live/",
                                      "rtmp:///live/key",
                                      "rtmp://127.0.0.1//key",
                                      "http://127.0.0.1/live/key",
                                      NULL };
  static const char *const srt[] = { "srt://127.0.0.1",
                                     "srt://:9000",
                                     "srt://127.0.0.1:9000/path",
                                     "srt://127.0.0.1:9000?latency=200",
                                     "SRT://127.0.0.1:9000",
                                     "udp://127.0.0.1:9000",
                                     NULL };

  for (guint i = 0; rtmp[i]; i++)
    {
      g_autoptr (GError) error = NULL;

      g_test_message ("%s", rtmp[i]);
      g_assert_null (vw_sink_make_rtmp (rtmp[i], &error));
      g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, rtmp[i]));
      g_assert_null (vw_sink_make_rtmp (rtmp[i], NULL));
    }
  for (guint i = 0; srt[i]; i++)
    {
      g_autoptr (GError) error = NULL;

      g_test_message ("%s", srt[i]);
      g_assert_null (vw_sink_make_srt (srt[i], &error));
      g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, srt[i]));
      g_assert_null (vw_sink_make_srt (srt[i], NULL));
    }
  g_autoptr (GstElement) fine = vw_sink_make_srt ("srt://127.0.0.1:9000?streamid=abc", NULL);
  g_assert_nonnull (fine);
  gst_object_ref_sink (fine);
}

/* Nothing listens on port 1: the write fails within seconds, and says where it went. */
static void
test_refused (gconstpointer data)
{
  VwTargetKind kind = GPOINTER_TO_INT (data);
  const char *url = kind == VW_TARGET_RTMP ? "rtmp://127.0.0.1:1/live/x" : "srt://127.0.0.1:1";
  g_autoptr (GError) error = NULL;
  GstElement *sink
      = kind == VW_TARGET_RTMP ? vw_sink_make_rtmp (url, &error) : vw_sink_make_srt (url, &error);
  g_autoptr (GstElement) pipeline = NULL;
  double seconds;

  g_assert_no_error (error);
  pipeline = pipeline_through_muxer (sink, 10 * FPS, kind);
  g_assert_false (run_pipeline (pipeline, sink, &seconds, &error));
  g_test_message ("%s: %.2f s: %s", url, seconds, error->message);
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, url));
  g_assert_cmpfloat (seconds, <, PROMPT_SECONDS);
}

static guint
free_udp_port (void)
{
  g_autoptr (GSocket) socket
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* An SRT listener in this process receives every frame and the audio: srtsink's 1.22 faults
 * (key frames dropped as "headers", the end lost at close) are worked around. */
static void
test_srt_received (VwtFixture *f, gconstpointer data)
{
  const guint n = 2 * FPS;
  guint port = free_udp_port ();
  g_autofree char *received = vwt_path (f->dir, "received.ts");
  g_autofree char *url = g_strdup_printf ("srt://127.0.0.1:%u", port);
  g_autofree char *listen = g_strdup_printf (
      "srtsrc uri=srt://127.0.0.1:%u?mode=listener ! filesink location=\"%s\"", port, received);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) listener = gst_parse_launch (listen, &error);
  g_autoptr (GstBus) listener_bus = gst_pipeline_get_bus (GST_PIPELINE (listener));
  g_autoptr (GstMessage) end = NULL;
  GstElement *sink;
  g_autoptr (GstElement) pipeline = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (gst_element_set_state (listener, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  sink = vw_sink_make_srt (url, &error);
  g_assert_no_error (error);
  pipeline = pipeline_through_muxer (sink, n, VW_TARGET_SRT);
  g_assert_true (run_pipeline (pipeline, sink, NULL, &error));
  g_assert_no_error (error);
  /* srtsrc ends its stream when the caller has gone. */
  end = gst_bus_timed_pop_filtered (listener_bus, 20 * GST_SECOND,
                                    GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (listener, GST_STATE_NULL);

  Frames frames = probe_frames (received);
  g_autoptr (GHashTable) audio = vwt_probe_stream (received, "a:0");
  g_test_message ("%u frames received, audio %s", frames.n, vwt_probe_str (audio, "codec_name"));
  g_assert_cmpuint (frames.n, ==, n);
  g_assert_true (frames.first_is_key);
  g_assert_cmpstr (vwt_probe_str (audio, "codec_name"), ==, "aac");
}

/* Real servers, started here on free loopback ports and killed without warning: nginx with
 * its RTMP module (Debian's libnginx-mod-rtmp) and srt-live-transmit (srt-tools). */

typedef struct
{
  GPid pid;
  guint port;
  char *dir; /* the server's files */
} Server;

static guint
free_tcp_port (void)
{
  g_autoptr (GSocket) socket
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
tcp_listening (guint port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection
      = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

  return connection != NULL;
}

/* An SRT listener cannot be probed with a connection: look for its UDP socket. */
static gboolean
udp_bound (guint port)
{
  g_autofree char *table = NULL;
  g_autofree char *needle = g_strdup_printf (":%04X ", port);

  return g_file_get_contents ("/proc/net/udp", &table, NULL, NULL) && strstr (table, needle);
}

static void
server_start (Server *server, const char *const *argv, const char *output,
              gboolean (*ready) (guint))
{
  g_autoptr (GError) error = NULL;
  int out_fd = -1;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  if (!g_file_test (argv[0], G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is missing: scripts/deps.sh installs it with the test packages", argv[0]);
  if (output)
    out_fd = g_open (output, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_spawn_async_with_fds (server->dir, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                          &server->pid, -1, out_fd, -1, &error);
  g_assert_no_error (error);
  if (out_fd >= 0)
    close (out_fd);
  while (!ready (server->port))
    {
      int status;
      g_assert_cmpint (waitpid (server->pid, &status, WNOHANG), ==, 0); /* still running */
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
}

static void
server_stop (Server *server, int signal_number)
{
  if (server->pid)
    {
      kill (server->pid, signal_number);
      waitpid (server->pid, NULL, 0);
      g_spawn_close_pid (server->pid);
      server->pid = 0;
    }
}

static void
server_kill (gpointer server)
{
  server_stop (server, SIGKILL);
}

static void
rtmp_server_start (Server *server, const char *scratch)
{
  g_autofree char *conf_path = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *log = NULL;
  g_autofree char *recordings = NULL;

  server->dir = vwt_path (scratch, "nginx");
  recordings = g_build_filename (server->dir, "recordings", NULL);
  g_assert_cmpint (g_mkdir_with_parents (recordings, 0755), ==, 0);
  server->port = free_tcp_port ();
  log = g_build_filename (server->dir, "error.log", NULL);
  conf_path = g_build_filename (server->dir, "nginx.conf", NULL);
  /* One process as the current user, no master: nothing changes user or outlives a kill. */
  conf
      = g_strdup_printf ("load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;\n"
                         "daemon off;\nmaster_process off;\nerror_log %s info;\npid %s/nginx.pid;\n"
                         "events { worker_connections 64; }\n"
                         "rtmp { server { listen 127.0.0.1:%u; application live {\n"
                         "  live on; record all; record_path %s; record_unique off; } } }\n",
                         log, server->dir, server->port, recordings);
  g_assert_true (g_file_set_contents (conf_path, conf, -1, NULL));
  const char *argv[] = { "/usr/sbin/nginx", "-p", server->dir, "-c", conf_path, "-e", log, NULL };
  server_start (server, argv, NULL, tcp_listening);
}

static void
srt_server_start (Server *server, const char *scratch, const char *output)
{
  g_autofree char *listen = NULL;

  server->dir = g_strdup (scratch);
  server->port = free_udp_port ();
  listen = g_strdup_printf ("srt://127.0.0.1:%u?mode=listener", server->port);
  const char *argv[]
      = { "/usr/bin/srt-live-transmit", "-q", "-a", "no", listen, "file://con", NULL };
  server_start (server, argv, output, udp_bound);
}

/* Waits until a file the server writes has stopped growing. */
static void
wait_stable (const char *path)
{
  gsize last = G_MAXSIZE;

  for (guint i = 0; i < 50; i++)
    {
      gsize size = vwt_file_size (path);
      if (size > 0 && size == last)
        return;
      last = size;
      g_usleep (200 * 1000);
    }
}

/* nginx records what was published: every frame, the audio. */
static void
test_rtmp_recorded (VwtFixture *f, gconstpointer data)
{
  const guint n = 2 * FPS;
  Server server = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *recording = NULL;
  GstElement *sink;
  g_autoptr (GstElement) pipeline = NULL;

  rtmp_server_start (&server, f->dir);
  url = g_strdup_printf ("rtmp://127.0.0.1:%u/live/take1", server.port);
  recording = g_build_filename (server.dir, "recordings", "take1.flv", NULL);
  sink = vw_sink_make_rtmp (url, &error);
  g_assert_no_error (error);
  pipeline = pipeline_through_muxer (sink, n, VW_TARGET_RTMP);
  g_assert_true (run_pipeline (pipeline, sink, NULL, &error));
  g_assert_no_error (error);
  wait_stable (recording);
  server_stop (&server, SIGTERM);

  Frames frames = probe_frames (recording);
  g_autoptr (GHashTable) video = vwt_probe_stream (recording, "v:0");
  g_autoptr (GHashTable) audio = vwt_probe_stream (recording, "a:0");
  g_assert_cmpuint (frames.n, ==, n);
  g_assert_true (frames.first_is_key);
  g_assert_cmpstr (vwt_probe_str (video, "r_frame_rate"), ==, "25/1");
  g_assert_cmpstr (vwt_probe_str (audio, "codec_name"), ==, "aac");
  g_free (server.dir);
}

/* A server that vanishes mid-stream (SIGKILL: no goodbye) ends the write with an error that
 * names the URL, promptly. */
static void
test_server_killed (VwtFixture *f, gconstpointer data)
{
  VwTargetKind kind = GPOINTER_TO_INT (data);
  Server server = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *received = vwt_path (f->dir, "received.ts");
  GstElement *sink;
  g_autoptr (GstElement) pipeline = NULL;
  double seconds;

  if (kind == VW_TARGET_RTMP)
    {
      rtmp_server_start (&server, f->dir);
      url = g_strdup_printf ("rtmp://127.0.0.1:%u/live/killed", server.port);
      sink = vw_sink_make_rtmp (url, &error);
    }
  else
    {
      srt_server_start (&server, f->dir, received);
      url = g_strdup_printf ("srt://127.0.0.1:%u", server.port);
      sink = vw_sink_make_srt (url, &error);
    }
  g_assert_no_error (error);
  live_sources = TRUE; /* 60 s of stream at its own pace: the kill lands mid-stream */
  pipeline = pipeline_through_muxer (sink, 60 * FPS, kind);
  live_sources = FALSE;
  g_assert_false (run_pipeline_killing (pipeline, sink, server_kill, &server, &seconds, &error));
  g_test_message ("%s killed: error %.2f s later: %s", url, seconds, error->message);
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, url));
  g_assert_cmpfloat (seconds, <, PROMPT_SECONDS);
  g_free (server.dir);
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
  g_test_add_func ("/sinks/kind", test_kind);
  g_test_add_func ("/sinks/patterns", test_patterns);
  g_test_add_func ("/sinks/options", test_options);
  g_test_add_func ("/sinks/bad-urls", test_bad_urls);
  VWT_ADD ("/sinks/hls", test_hls);
  VWT_ADD ("/sinks/segments", test_segments);
  g_test_add_data_func ("/sinks/rtmp/refused", GINT_TO_POINTER (VW_TARGET_RTMP), test_refused);
  g_test_add_data_func ("/sinks/srt/refused", GINT_TO_POINTER (VW_TARGET_SRT), test_refused);
  VWT_ADD ("/sinks/srt/received", test_srt_received);
  VWT_ADD ("/sinks/rtmp/recorded", test_rtmp_recorded);
  g_test_add ("/sinks/rtmp/server-killed", VwtFixture, GINT_TO_POINTER (VW_TARGET_RTMP),
              vwt_fixture_set_up, test_server_killed, vwt_fixture_tear_down);
  g_test_add ("/sinks/srt/server-killed", VwtFixture, GINT_TO_POINTER (VW_TARGET_SRT),
              vwt_fixture_set_up, test_server_killed, vwt_fixture_tear_down);
  return g_test_run ();
}
