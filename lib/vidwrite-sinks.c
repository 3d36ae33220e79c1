/* The sinks of the targets that are not one plain file: HLS (hlssink2), numbered segments
 * (splitmuxsink), RTMP (rtmp2sink, FLV) and SRT (srtsink, MPEG-TS), configured with FFmpeg's
 * option names and defaults, and set up to fail promptly when the server is absent or goes away.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vidwrite-sinks.h"

#include <math.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (vw_sinks_debug);
#define GST_CAT_DEFAULT vw_sinks_debug

/* Where each sink made here writes, for the messages. */
static GQuark
location_quark (void)
{
  return g_quark_from_static_string ("vidwrite-sink-location");
}

/* printf widths beyond this are no file-name pattern anyone means, and %999999999d would make
 * the sinks' g_strdup_printf() allocate a gigabyte. */
#define VW_PATTERN_MAX_WIDTH 20

/* rtmp2sink: seconds to wait for the server's answer when connecting. */
#define VW_RTMP_TIMEOUT 5
/* srtsink: how long the end of the stream may wait for the data still in SRT's send buffer to
 * leave (srtsink closes its socket without lingering, dropping what it has not sent). */
#define VW_SRT_DRAIN_SECONDS 5

static const VwTargetInfo targets[] = {
  { VW_TARGET_FILE, "file", NULL, NULL, NULL },
  { VW_TARGET_HLS, "HLS playlist", NULL, "video", "audio" },
  { VW_TARGET_SEGMENTS, "segment pattern", NULL, "video", "audio_%u" },
  { VW_TARGET_RTMP, "RTMP server", "flvmux", NULL, NULL },
  { VW_TARGET_SRT, "SRT server", "mpegtsmux", NULL, NULL },
};

static const struct
{
  const char *prefix;
  VwTargetKind kind;
} url_schemes[] = {
  { "rtmp://", VW_TARGET_RTMP },
  { "rtmps://", VW_TARGET_RTMP },
  { "srt://", VW_TARGET_SRT },
};

static void
ensure_debug (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      GST_DEBUG_CATEGORY_INIT (vw_sinks_debug, "vidwrite-sinks", 0,
                               "vidwrite's HLS, segment, RTMP and SRT sinks");
      g_once_init_leave (&done, 1);
    }
}

const VwTargetInfo *
vw_target_info (VwTargetKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    if (targets[i].kind == kind)
      return &targets[i];
  g_return_val_if_reached (&targets[0]);
}

/* The part after the last '/'. */
static const char *
file_name_of (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash ? slash + 1 : path;
}

/* Scans a file name for printf conversions the way FFmpeg's av_get_frame_filename2() does:
 * "%%" is a literal %, "%" digits "d" a number; anything else after a % is no pattern.
 * Returns the number of %d conversions; `valid` says whether every % was one of those two
 * forms with a sane width. */
static guint
count_conversions (const char *name, gboolean *valid)
{
  guint count = 0;

  *valid = TRUE;
  for (const char *p = name; *p; p++)
    {
      if (*p != '%')
        continue;
      if (p[1] == '%')
        {
          p++;
          continue;
        }
      const char *digits = p + 1;
      const char *q = digits;
      while (g_ascii_isdigit (*q))
        q++;
      if (*q == 'd' && q - digits <= 2 && atoi (digits) <= VW_PATTERN_MAX_WIDTH)
        {
          count++;
          p = q;
        }
      else
        *valid = FALSE;
    }
  return count;
}

gboolean
vw_pattern_is_numbered (const char *pattern)
{
  gboolean valid;

  return pattern && count_conversions (file_name_of (pattern), &valid) == 1 && valid;
}

static gboolean
has_suffix_nocase (const char *text, const char *suffix)
{
  gsize n = strlen (text), m = strlen (suffix);

  return n > m && g_ascii_strcasecmp (text + n - m, suffix) == 0;
}

VwTargetKind
vw_target_kind_for_location (const char *location)
{
  gboolean valid;

  g_return_val_if_fail (location != NULL, VW_TARGET_FILE);
  for (guint i = 0; i < G_N_ELEMENTS (url_schemes); i++)
    if (g_ascii_strncasecmp (location, url_schemes[i].prefix, strlen (url_schemes[i].prefix)) == 0)
      return url_schemes[i].kind;
  if (has_suffix_nocase (location, ".m3u8"))
    return VW_TARGET_HLS;
  /* Any %d in the file name means a pattern, even a malformed one: the sink then says what is
   * wrong with it instead of writing one file with a strange name. */
  if (count_conversions (file_name_of (location), &valid) > 0)
    return VW_TARGET_SEGMENTS;
  return VW_TARGET_FILE;
}

/* `literal` as a printf format that prints it unchanged. */
static void
append_escaped (GString *out, const char *literal, gssize length)
{
  for (gssize i = 0; length < 0 ? literal[i] != '\0' : i < length; i++)
    {
      if (literal[i] == '%')
        g_string_append_c (out, '%');
      g_string_append_c (out, literal[i]);
    }
}

/* The printf format splitmuxsink and hlssink2 get for a pattern: the directory is taken
 * literally (its % escaped), the file name must hold exactly one %d. */
static char *
segment_format (const char *pattern, GError **error)
{
  const char *name = file_name_of (pattern);
  gboolean valid;
  GString *format;

  if (!*name || count_conversions (name, &valid) != 1 || !valid)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                    "“%s” is no segment file name pattern: its file name must hold one number "
                    "conversion such as %%d or %%03d (width up to %d), and %%%% for a literal %%",
                    pattern, VW_PATTERN_MAX_WIDTH);
      return NULL;
    }
  format = g_string_new (NULL);
  append_escaped (format, pattern, name - pattern);
  g_string_append (format, name);
  return g_string_free (format, FALSE);
}

/* Where Debian ships the elements made here, for the message when one is missing. */
static const struct
{
  const char *factory;
  const char *package;
} element_packages[] = {
  { "hlssink2", "gstreamer1.0-plugins-bad" },
  { "rtmp2sink", "gstreamer1.0-plugins-bad" },
  { "srtsink", "gstreamer1.0-plugins-bad" },
  { "splitmuxsink", "gstreamer1.0-plugins-good" },
};

static GstElement *
make_element (const char *factory, const char *what, GError **error)
{
  const char *package = NULL;
  GstElement *element;

  ensure_debug ();
  if (!vw_ensure_gst (error))
    return NULL;
  element = gst_element_factory_make (factory, NULL);
  if (element)
    return element;
  for (guint i = 0; i < G_N_ELEMENTS (element_packages); i++)
    if (g_str_equal (element_packages[i].factory, factory))
      package = element_packages[i].package;
  vw_set_error (error, VIDWRITE_ERROR_CODEC_UNAVAILABLE,
                "%s needs the GStreamer element “%s”, which is not installed%s%s%s", what, factory,
                package ? " (Debian package " : "", package ? package : "", package ? ")" : "");
  return NULL;
}

/* Drops an element made here that will not be returned. */
static void
discard (GstElement *element)
{
  gst_object_ref_sink (element);
  gst_object_unref (element);
}

static GstElement *
finish_sink (GstElement *sink, const char *location)
{
  g_object_set_qdata_full (G_OBJECT (sink), location_quark (), g_strdup (location), g_free);
  return sink;
}

const char *
vw_sink_get_location (GstElement *sink)
{
  return sink ? g_object_get_qdata (G_OBJECT (sink), location_quark ()) : NULL;
}

void
vw_sink_set_error_from_message (GstElement *sink, GstMessage *message, GError **error)
{
  const char *location = vw_sink_get_location (sink);
  GstObject *src = GST_MESSAGE_SRC (message);
  g_autoptr (GError) inner = NULL;

  if (!location
      || (src != GST_OBJECT (sink) && !gst_object_has_as_ancestor (src, GST_OBJECT (sink))))
    {
      vw_set_error_from_message (error, message);
      return;
    }
  vw_set_error_from_message (&inner, message);
  vw_set_error (error, inner->code, "%s: %s", location, inner->message);
}

/* Options: FFmpeg's names and defaults, parsed into a sink's settings before any is applied. */

typedef enum
{
  VW_VALUE_SECONDS, /* a positive number of seconds */
  VW_VALUE_COUNT,   /* an integer >= 0 */
  VW_VALUE_FLAGS,   /* FFmpeg flags: "a+b", "+a", "-a" */
  VW_VALUE_PATTERN, /* a segment file name pattern */
} VwValueKind;

typedef struct
{
  double seconds;      /* segment length */
  guint64 list_size;   /* playlist entries (0: all) */
  guint64 start;       /* number of the first segment */
  gboolean delete_old; /* hls_flags delete_segments */
  char *segment_pattern;
} VwSinkSettings;

typedef struct
{
  const char *key;
  VwValueKind kind;
  gsize offset;             /* into VwSinkSettings */
  const char *const *flags; /* VW_VALUE_FLAGS: the names accepted */
} VwSinkOption;

static const char *const hls_flag_names[] = { "delete_segments", NULL };

static const VwSinkOption hls_options[] = {
  { "hls_time", VW_VALUE_SECONDS, G_STRUCT_OFFSET (VwSinkSettings, seconds), NULL },
  { "hls_list_size", VW_VALUE_COUNT, G_STRUCT_OFFSET (VwSinkSettings, list_size), NULL },
  { "hls_flags", VW_VALUE_FLAGS, G_STRUCT_OFFSET (VwSinkSettings, delete_old), hls_flag_names },
  { "hls_segment_filename", VW_VALUE_PATTERN, G_STRUCT_OFFSET (VwSinkSettings, segment_pattern),
    NULL },
  { NULL },
};

static const VwSinkOption segment_options[] = {
  { "segment_time", VW_VALUE_SECONDS, G_STRUCT_OFFSET (VwSinkSettings, seconds), NULL },
  { "segment_start_number", VW_VALUE_COUNT, G_STRUCT_OFFSET (VwSinkSettings, start), NULL },
  { NULL },
};

static gboolean
bad_option (GError **error, const char *key, const char *value, const char *why)
{
  vw_set_error (error, VIDWRITE_ERROR_INVALID_OPTION, "option “%s” = “%s”: %s", key, value, why);
  return FALSE;
}

static gboolean
parse_option (const VwSinkOption *option, const char *value, VwSinkSettings *settings,
              GError **error)
{
  gpointer field = G_STRUCT_MEMBER_P (settings, option->offset);
  double number;

  switch (option->kind)
    {
    case VW_VALUE_SECONDS:
      /* More than a day a segment is certainly a mistake, and keeps the nanoseconds in range. */
      if (!vw_parse_number (value, &number) || !(number > 0) || number > 86400)
        return bad_option (error, option->key, value,
                           "expected a number of seconds greater than 0 and at most 86400");
      *(double *)field = number;
      return TRUE;
    case VW_VALUE_COUNT:
      if (!vw_parse_number (value, &number) || number < 0 || number > G_MAXINT
          || number != floor (number))
        return bad_option (error, option->key, value, "expected a whole number, 0 or more");
      *(guint64 *)field = (guint64)number;
      return TRUE;
    case VW_VALUE_FLAGS:
      {
        g_auto (GStrv) names = g_strsplit_set (value, "+-", -1);
        gboolean set = FALSE;

        /* FFmpeg's syntax: "+a+b" or "a+b" sets, "-a" clears; only the listed flags are
         * understood here, and their presence is all that counts. */
        for (guint i = 0; names[i]; i++)
          {
            if (!*names[i])
              continue;
            if (!g_strv_contains (option->flags, names[i]))
              {
                g_autofree char *known = g_strjoinv (", ", (GStrv)option->flags);
                g_autofree char *why
                    = g_strdup_printf ("unsupported flag “%s” (supported: %s)", names[i], known);
                return bad_option (error, option->key, value, why);
              }
            const char *at = strstr (value, names[i]);
            set = !(at > value && at[-1] == '-');
          }
        *(gboolean *)field = set;
        return TRUE;
      }
    case VW_VALUE_PATTERN:
      {
        g_autoptr (GError) inner = NULL;
        g_autofree char *format = segment_format (value, &inner);

        if (!format)
          return bad_option (error, option->key, value, inner->message);
        g_free (*(char **)field);
        *(char **)field = g_steal_pointer (&format);
        return TRUE;
      }
    }
  g_return_val_if_reached (FALSE);
}

/* Parses the table's keys present in `options` into `settings`, removing them. */
static gboolean
take_options (const VwSinkOption *table, GHashTable *options, VwSinkSettings *settings,
              GError **error)
{
  if (!options)
    return TRUE;
  for (const VwSinkOption *option = table; option->key; option++)
    {
      const char *value = g_hash_table_lookup (options, option->key);

      if (!value)
        continue;
      if (!parse_option (option, value, settings, error))
        return FALSE;
      g_hash_table_remove (options, option->key);
    }
  return TRUE;
}

/* The first element inside a bin (hlssink2 holds one splitmuxsink). */
static GstElement *
first_child (GstElement *bin)
{
  GstElement *child = NULL;
  GList *children;

  GST_OBJECT_LOCK (bin);
  children = GST_BIN_CHILDREN (GST_BIN (bin));
  if (children)
    child = gst_object_ref (children->data);
  GST_OBJECT_UNLOCK (bin);
  return child;
}

GstElement *
vw_sink_make_hls (const char *playlist_path, GHashTable *options, GError **error)
{
  /* FFmpeg's hls muxer: 2 s segments, 5 playlist entries, every segment file kept. */
  VwSinkSettings settings = { .seconds = 2, .list_size = 5 };
  g_autofree char *segment_pattern = NULL;
  g_autoptr (GstElement) splitmux = NULL;
  GstElement *sink;
  const char *name;

  g_return_val_if_fail (playlist_path != NULL, NULL);
  name = file_name_of (playlist_path);
  if (!has_suffix_nocase (name, ".m3u8") || strlen (name) == strlen (".m3u8"))
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                    "“%s” is no HLS playlist name: it must be a file name ending in .m3u8",
                    playlist_path);
      return NULL;
    }
  if (!take_options (hls_options, options, &settings, error))
    {
      g_free (settings.segment_pattern);
      return NULL;
    }
  segment_pattern = g_steal_pointer (&settings.segment_pattern);
  if (!segment_pattern)
    {
      /* FFmpeg's default: out.m3u8 -> out0.ts, out1.ts ... beside the playlist. */
      GString *format = g_string_new (NULL);

      append_escaped (format, playlist_path, strlen (playlist_path) - strlen (".m3u8"));
      g_string_append (format, "%d.ts");
      segment_pattern = g_string_free (format, FALSE);
    }

  sink = make_element ("hlssink2", "An HLS playlist", error);
  if (!sink)
    return NULL;
  /* target-duration is whole seconds; the exact length goes to its splitmuxsink below. */
  g_object_set (sink, "playlist-location", playlist_path, "location", segment_pattern,
                "target-duration", (guint)ceil (settings.seconds), "playlist-length",
                (guint)settings.list_size, "max-files",
                (guint)(settings.delete_old && settings.list_size ? settings.list_size + 1 : 0),
                "send-keyframe-requests", TRUE, NULL);
  splitmux = first_child (sink);
  if (splitmux)
    g_object_set (splitmux, "max-size-time", (guint64)(settings.seconds * GST_SECOND), NULL);
  GST_DEBUG ("HLS %s: segments %s of %g s, %" G_GUINT64_FORMAT " in the playlist", playlist_path,
             segment_pattern, settings.seconds, settings.list_size);
  return finish_sink (sink, playlist_path);
}

GstElement *
vw_sink_make_segments (const char *pattern, const char *muxer_factory, GHashTable *options,
                       GError **error)
{
  /* FFmpeg's segment muxer: 2 s segments numbered from 0. */
  VwSinkSettings settings = { .seconds = 2 };
  g_autofree char *format = NULL;
  GstElement *sink, *muxer;

  g_return_val_if_fail (pattern != NULL, NULL);
  g_return_val_if_fail (muxer_factory != NULL, NULL);
  format = segment_format (pattern, error);
  if (!format || !take_options (segment_options, options, &settings, error))
    return NULL;
  sink = make_element ("splitmuxsink", "Writing numbered segments", error);
  if (!sink)
    return NULL;
  muxer = make_element (muxer_factory, "The segments' container", error);
  if (!muxer)
    {
      discard (sink);
      return NULL;
    }
  /* Each segment starts on a key frame the encoder is asked for at max-size-time, and is a
   * whole file of its own (reset-muxer). */
  g_object_set (sink, "location", format, "muxer", muxer, "max-size-time",
                (guint64)(settings.seconds * GST_SECOND), "max-size-bytes", (guint64)0,
                "send-keyframe-requests", TRUE, "reset-muxer", TRUE, "start-index",
                (gint)settings.start, NULL);
  GST_DEBUG ("segments %s (%s) of %g s", format, muxer_factory, settings.seconds);
  return finish_sink (sink, pattern);
}

/* The URL split as GLib parses it, with the scheme's rules checked. */
static GUri *
parse_url (const char *url, const char *form, GError **error)
{
  g_autoptr (GError) inner = NULL;
  GUri *uri = g_uri_parse (url, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS, &inner);

  if (!uri || !g_uri_get_host (uri) || !*g_uri_get_host (uri))
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT, "“%s” is no %s URL (%s)%s%s", url, form,
                    form, inner ? ": " : "", inner ? inner->message : "");
      g_clear_pointer (&uri, g_uri_unref);
    }
  return uri;
}

GstElement *
vw_sink_make_rtmp (const char *url, GError **error)
{
  static const char form[] = "rtmp://HOST[:PORT]/APP/KEY";
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) inner = NULL;
  g_autofree char *application = NULL;
  g_autofree char *stream = NULL;
  GstElement *sink;

  g_return_val_if_fail (url != NULL, NULL);
  uri = parse_url (url, form, error);
  if (!uri)
    return NULL;
  sink = make_element ("rtmp2sink", "Streaming to an RTMP server", error);
  if (!sink)
    return NULL;
  if (!gst_uri_handler_set_uri (GST_URI_HANDLER (sink), url, &inner))
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT, "“%s” is no RTMP URL (%s): %s", url,
                    form, inner->message);
      discard (sink);
      return NULL;
    }
  g_object_get (sink, "application", &application, "stream", &stream, NULL);
  if (!application || !*application || !stream || !*stream)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                    "“%s” is no RTMP URL (%s): it names no %s", url, form,
                    application && *application ? "stream key" : "application");
      discard (sink);
      return NULL;
    }
  /* sync=FALSE: data leaves as fast as it is encoded, as with FFmpeg (without -re).
   * async-connect: the connection is made when the pipeline starts, so that a refused one
   * fails the write at once rather than at the first encoded frame.  A server that goes away
   * closes the TCP connection, which rtmp2sink reports as an error on the bus. */
  g_object_set (sink, "sync", FALSE, "async-connect", TRUE, "timeout", VW_RTMP_TIMEOUT, NULL);
  GST_DEBUG ("RTMP %s: application %s, stream %s", url, application, stream);
  return finish_sink (sink, url);
}

/* SRT: srtsink of GStreamer 1.22 needs two corrections, both made on its sink pad. */

/* libsrt's payload size in live mode: srtsink sends each buffer in packets of at most this. */
#define VW_SRT_PAYLOAD 1316

typedef struct
{
  guint64 packets; /* that srtsink sends for the buffers given to it so far */
} VwSrtDrain;

static gboolean
count_packets (GstBuffer **buffer, guint index, gpointer user_data)
{
  VwSrtDrain *drain = user_data;

  drain->packets += (gst_buffer_get_size (*buffer) + VW_SRT_PAYLOAD - 1) / VW_SRT_PAYLOAD;
  return TRUE;
}

/* FALSE when libsrt has no statistics: the connection is gone. */
static gboolean
stats_get (GstElement *sink, guint64 *packets, double *rtt_ms)
{
  GstStructure *stats = NULL;
  gint64 sent = 0;
  gint resent = 0;
  gboolean connected;

  g_object_get (sink, "stats", &stats, NULL);
  connected = stats && gst_structure_get_int64 (stats, "packets-sent", &sent);
  if (connected)
    {
      gst_structure_get_int (stats, "packets-retransmitted", &resent);
      gst_structure_get_double (stats, "rtt-ms", rtt_ms);
    }
  g_clear_pointer (&stats, gst_structure_free);
  *packets = (guint64)MAX (sent - resent, 0);
  return connected;
}

/* srtsink closes its socket at EOS without lingering: libsrt drops what it has not sent yet,
 * and the receiver drops what it holds back for its latency (packets are delivered `latency`
 * after they were sent), so the end of the stream never arrives.  Waits until every packet
 * has left, then for the latency to pass at the receiver, within a bound.  Not when the
 * connection has failed: nothing will leave, and libsrt 1.5.1 has crashed here when asked
 * for the statistics of a socket it was tearing down. */
static void
srt_drain (GstPad *pad, VwSrtDrain *drain)
{
  GstElement *sink = GST_PAD_PARENT (pad);
  gint64 deadline = g_get_monotonic_time () + VW_SRT_DRAIN_SECONDS * G_USEC_PER_SEC;
  gint64 until = 0; /* once everything has left: the end of the receiver's latency */

  if (drain->packets == 0 || gst_pad_get_last_flow_return (pad) != GST_FLOW_OK)
    return;
  /* Polled, so that a cancel (the pad set flushing) ends the wait at once. */
  for (gint64 now = g_get_monotonic_time ();
       !GST_PAD_IS_FLUSHING (pad) && now < deadline && (!until || now < until);
       now = g_get_monotonic_time ())
    {
      if (!until)
        {
          guint64 sent = 0;
          double rtt_ms = 0;
          int latency_ms = 0;

          if (!stats_get (sink, &sent, &rtt_ms))
            return;
          if (sent >= drain->packets)
            {
              g_object_get (sink, "latency", &latency_ms, NULL);
              until = now + (gint64)((2.0 * latency_ms + 4 * rtt_ms + 100) * 1000);
              GST_DEBUG_OBJECT (
                  sink, "%" G_GUINT64_FORMAT " packets sent, holding %" G_GINT64_FORMAT " ms more",
                  sent, (until - now) / 1000);
            }
        }
      g_usleep (20 * 1000);
    }
}

/* mpegtsmux puts its PAT/PMT in the caps' streamheader and flags as HEADER every buffer that
 * carries a video frame which h264parse flagged HEADER (the key frame with SPS/PPS); srtsink
 * 1.22 drops every HEADER buffer when the caps have a streamheader, so the receiver gets no
 * key frame and cannot decode.  Without the streamheader field srtsink sends every buffer
 * (fixed upstream after 1.22: srtsink only drops copies of the streamheader). */
static GstPadProbeReturn
srt_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwSrtDrain *drain = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    {
      GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

      count_packets (&buffer, 0, drain);
      return GST_PAD_PROBE_OK;
    }
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    {
      gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), count_packets, drain);
      return GST_PAD_PROBE_OK;
    }

  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS)
    {
      GstCaps *caps;

      gst_event_parse_caps (event, &caps);
      if (gst_caps_get_size (caps) > 0
          && gst_structure_has_field (gst_caps_get_structure (caps, 0), "streamheader"))
        {
          GstCaps *stripped = gst_caps_copy (caps);

          gst_structure_remove_field (gst_caps_get_structure (stripped, 0), "streamheader");
          info->data = gst_event_new_caps (stripped);
          gst_caps_unref (stripped);
          gst_event_unref (event);
        }
    }
  else if (GST_EVENT_TYPE (event) == GST_EVENT_EOS)
    srt_drain (pad, drain);
  return GST_PAD_PROBE_OK;
}

GstElement *
vw_sink_make_srt (const char *url, GError **error)
{
  static const char form[] = "srt://HOST:PORT";
  /* Query parameters srtsink would pass to libsrt as they are; FFmpeg's srt:// options with
   * the same name and meaning.  (FFmpeg's latency is in microseconds, srtsink's in
   * milliseconds: not taken, to avoid a silent factor of 1000.) */
  static const char *const passed[] = { "streamid", "passphrase", NULL };
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) inner = NULL;
  GstElement *sink;
  GstPad *pad;
  VwSrtDrain *drain;

  g_return_val_if_fail (url != NULL, NULL);
  /* srtsink takes the scheme in lower case only (and warns on stderr otherwise). */
  uri = g_str_has_prefix (url, "srt://") ? parse_url (url, form, error) : NULL;
  if (!uri)
    {
      if (error && !*error)
        vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT, "“%s” is no SRT URL (%s)", url, form);
      return NULL;
    }
  if (g_uri_get_port (uri) < 1
      || (*g_uri_get_path (uri) && !g_str_equal (g_uri_get_path (uri), "/")))
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT, "“%s” is no SRT URL (%s): %s", url,
                    form, g_uri_get_port (uri) < 1 ? "no port" : "it has a path");
      return NULL;
    }
  if (g_uri_get_query (uri))
    {
      g_autoptr (GHashTable) query
          = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, &inner);
      GHashTableIter iter;
      const char *key;

      if (!query)
        {
          vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT, "“%s” is no SRT URL (%s): %s", url,
                        form, inner->message);
          return NULL;
        }
      g_hash_table_iter_init (&iter, query);
      while (g_hash_table_iter_next (&iter, (gpointer *)&key, NULL))
        if (!g_strv_contains (passed, key))
          {
            g_autofree char *known = g_strjoinv (", ", (GStrv)passed);
            vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                          "“%s”: the SRT URL parameter “%s” is not supported (supported: %s)", url,
                          key, known);
            return NULL;
          }
    }
  sink = make_element ("srtsink", "Streaming to an SRT server", error);
  if (!sink)
    return NULL;
  if (!gst_uri_handler_set_uri (GST_URI_HANDLER (sink), url, &inner))
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT, "“%s” is no SRT URL (%s): %s", url,
                    form, inner->message);
      discard (sink);
      return NULL;
    }
  /* Caller mode (the URL has a host).  auto-reconnect=FALSE: a listener that is absent (after
   * libsrt's 3 s connection timeout) or goes away (after its 5 s peer idle timeout) is an
   * error, not an endless retry.  sync=FALSE as for RTMP. */
  g_object_set (sink, "mode", 1 /* caller */, "auto-reconnect", FALSE, "wait-for-connection", TRUE,
                "sync", FALSE, NULL);
  drain = g_new0 (VwSrtDrain, 1);
  pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad,
                     GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM | GST_PAD_PROBE_TYPE_BUFFER
                         | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     srt_probe, drain, g_free);
  gst_object_unref (pad);
  GST_DEBUG ("SRT %s", url);
  return finish_sink (sink, url);
}
