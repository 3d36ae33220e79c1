/* A writer's life: check the configuration, start the pipeline, push, finish, cancel.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Data flows one way: caller's chunks -> pending queues of the streams (references, not
 * copies) -> one GstBuffer a frame or audio block -> appsrc -> convert -> encoder -> parser ->
 * muxer -> the target (a file that appears only when complete, or a stream).  Which stream is
 * fed next is the scheduler's decision (vidwrite-scheduler.c); this file keeps the public
 * object, its state machine, and the waits, which are woken by the streaming threads through
 * the monitor and give up when nothing has moved for the stall timeout.
 */
#include "vidwrite-writer-private.h"

#include <math.h>
#include <string.h>

#define DEFAULT_STALL_TIMEOUT 120 /* seconds */
#define MAX_AUDIO_RATE 768000

typedef enum
{
  STATE_CONFIGURING,
  STATE_RUNNING,
  STATE_FINISHED,
  STATE_FAILED,
  STATE_CANCELLED,
} WriterState;

struct _VidwriteWriter
{
  GObject parent_instance;

  /* Construct-only: where to write. */
  char *filename;
  char *format;
  GOutputStream *stream;

  VwTarget *target;
  const char *name; /* the target's, for messages */
  guint stall_timeout;

  VwMonitor monitor; /* shared with the streaming threads, under its lock */
  VwStream video, audio;
  GstElement *pipeline;

  /* Serialises push, finish and cancel: the streams and the state are theirs. */
  GMutex api_lock;
  GThread *api_owner; /* the thread holding api_lock, so that cancel() can tell it is inside */
  WriterState state;
  GError *failure; /* why the writer failed, for the calls that come after */
  gboolean audio_ended; /* vidwrite_writer_end_audio(): no more audio will come */
  guint64 progress_reported;
  GMainContext *progress_context; /* where finish_async's caller wants `progress` */

  /* Asynchronous pushes, under push_lock: the tasks waiting, and whether a thread is running
   * them.  The lock is the writer's own: a fork() while one of its pushes ends can leave it
   * held in the child, where that writer was in the middle of a write anyway. */
  GMutex push_lock;
  GQueue pushes;
  gboolean pushing;
};

enum
{
  PROP_0,
  PROP_FILENAME,
  PROP_FORMAT,
  PROP_STREAM,
  PROP_STALL_TIMEOUT,
  PROP_FRAMES_PUSHED,
  PROP_FRAMES_ENCODED,
  PROP_SAMPLES_PUSHED,
  PROP_AUDIO_AHEAD,
  N_PROPS
};

enum
{
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void initable_iface_init (GInitableIface *iface);

/**
 * VidwriteWriter:
 *
 * Writes one video file from frames (and audio samples) pushed in any number of chunks.
 *
 * Create it with vidwrite_writer_new() (or vidwrite_writer_new_for_stream()), describe the video with vidwrite_writer_set_video() and
 * optionally the audio with vidwrite_writer_set_audio() (or only the audio, for a file of sound
 * alone), push data with
 * vidwrite_writer_push_frames() and vidwrite_writer_push_audio(), then call
 * vidwrite_writer_finish() (or vidwrite_writer_finish_async()).  The file appears at its name
 * only when it is complete; vidwrite_writer_cancel(), a failure or dropping the last reference
 * before finishing leaves no file.
 *
 * Its methods may be called from any thread: they are serialised, and vidwrite_writer_cancel()
 * interrupts a push or finish that is waiting.  Different writers run in parallel.
 */
G_DEFINE_FINAL_TYPE_WITH_CODE (VidwriteWriter, vidwrite_writer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, initable_iface_init))

/* ---- the API lock ---------------------------------------------------------------------- */

typedef VidwriteWriter ApiGuard;

static ApiGuard *
api_enter (VidwriteWriter *self)
{
  g_mutex_lock (&self->api_lock);
  g_atomic_pointer_set (&self->api_owner, g_thread_self ());
  return self;
}

static void
api_leave (ApiGuard *self)
{
  g_atomic_pointer_set (&self->api_owner, NULL);
  g_mutex_unlock (&self->api_lock);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApiGuard, api_leave)

/* ---- small helpers ---------------------------------------------------------------------- */

static gboolean
set_state_error (VidwriteWriter *self, GError **error)
{
  switch (self->state)
    {
    case STATE_FINISHED:
      vw_set_error (error, VIDWRITE_ERROR_STATE, "the writer of “%s” has already finished",
                    self->name);
      break;
    case STATE_CANCELLED:
      vw_set_error (error, VIDWRITE_ERROR_STATE, "the writer of “%s” was cancelled", self->name);
      break;
    case STATE_FAILED:
      vw_set_error (error, VIDWRITE_ERROR_STATE, "the writer of “%s” failed earlier: %s",
                    self->name, self->failure ? self->failure->message : "unknown error");
      break;
    case STATE_CONFIGURING:
    case STATE_RUNNING:
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

static gboolean
is_open (VidwriteWriter *self)
{
  return self->state == STATE_CONFIGURING || self->state == STATE_RUNNING;
}

/* The pipeline's error, said with which target and encoders it concerns.  Called with the
 * monitor's lock. */
static void
take_pipeline_error (VidwriteWriter *self, GError **error)
{
  GError *e = g_steal_pointer (&self->monitor.error);
  const char *audio = self->video.present ? ", audio: " : "audio: ";

  g_prefix_error (&e, "writing “%s” (%s%s%s%s) failed: ", self->name,
                  self->video.present ? "video: " : "",
                  self->video.present ? vw_stream_codec_name (&self->video) : "",
                  self->audio.present ? audio : "",
                  self->audio.present ? vw_stream_codec_name (&self->audio) : "");
  vw_error_make_valid (e);
  g_propagate_error (error, e);
}

/* A push into the pipeline failed: what the pipeline said is the better reason. */
static gboolean
prefer_pipeline_error (VidwriteWriter *self, GError **error, GError *local)
{
  g_mutex_lock (&self->monitor.lock);
  if (self->monitor.error)
    {
      g_error_free (local);
      take_pipeline_error (self, error);
    }
  else
    g_propagate_error (error, local);
  g_mutex_unlock (&self->monitor.lock);
  return FALSE;
}

static gboolean
start_pipeline (VidwriteWriter *self, GError **error)
{
  GError *local = NULL;

  self->pipeline = vw_pipeline_new (&self->monitor, self->target, &self->video, &self->audio, &local);
  if (self->pipeline)
    {
      self->state = STATE_RUNNING;
      return TRUE;
    }
  if (local)
    g_propagate_error (error, local);
  else
    {
      g_mutex_lock (&self->monitor.lock);
      take_pipeline_error (self, error);
      g_mutex_unlock (&self->monitor.lock);
    }
  return FALSE;
}

/* Ends the write for good: no pipeline, nothing at the target but what was there. */
static void
abandon (VidwriteWriter *self, WriterState state, const GError *why)
{
  /* Flushing first wakes the threads that elements park inside their pads' probes:
   * splitmuxsink's (HLS, segments) could wait there for ever while the state change waited for
   * that thread (a hang of the cancel, 1 in 40 under load). */
  if (self->pipeline)
    gst_element_send_event (self->pipeline, gst_event_new_flush_start ());
  vw_pipeline_stop (&self->pipeline);
  vw_stream_clear_pending (&self->video);
  vw_stream_clear_pending (&self->audio);
  if (self->target)
    vw_target_abort (self->target);
  self->state = state;
  if (why && !self->failure)
    self->failure = g_error_copy (why);
}

static gboolean
fail (VidwriteWriter *self, GError **error, GError *why)
{
  abandon (self, why->domain == VIDWRITE_ERROR && why->code == VIDWRITE_ERROR_CANCELLED
                     ? STATE_CANCELLED
                     : STATE_FAILED,
           why);
  g_propagate_error (error, why);
  return FALSE;
}

/* ---- progress --------------------------------------------------------------------------- */

/* A report on its way to another main context holds the writer weakly: a program that stops
 * running that loop must not keep the writer (and its file) alive. */
typedef struct
{
  GWeakRef self;
  guint64 encoded, pushed;
} ProgressData;

static gboolean
emit_progress_idle (gpointer data)
{
  ProgressData *p = data;
  g_autoptr (VidwriteWriter) self = g_weak_ref_get (&p->self);

  if (self)
    g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, p->encoded, p->pushed);
  return G_SOURCE_REMOVE;
}

static void
progress_data_free (gpointer data)
{
  ProgressData *p = data;

  g_weak_ref_clear (&p->self);
  g_free (p);
}

/* Called without `lock` held: handlers may call back into the writer. */
static void
report_progress (VidwriteWriter *self)
{
  guint64 encoded = vidwrite_writer_get_frames_encoded (self);
  guint64 pushed = vidwrite_writer_get_frames_pushed (self);

  if (encoded == self->progress_reported)
    return;
  self->progress_reported = encoded;
  if (self->progress_context)
    {
      ProgressData *p = g_new0 (ProgressData, 1);

      g_weak_ref_init (&p->self, self);
      p->encoded = encoded;
      p->pushed = pushed;
      /* Always a source of that context, never a direct call: g_main_context_invoke() would run
       * it here, in the worker thread, whenever the context is idle and unowned. */
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, emit_progress_idle, p, progress_data_free);
      g_source_attach (source, self->progress_context);
      g_source_unref (source);
    }
  else
    g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, encoded, pushed);
}

/* ---- waiting ---------------------------------------------------------------------------- */

typedef gboolean (*ReadyFunc) (VidwriteWriter *self);

/* Waits until ready(), the pipeline fails, the writer is cancelled, or nothing moves for the
 * stall timeout.  Takes and releases the monitor's lock; reports progress while it waits. */
static gboolean
wait_until (VidwriteWriter *self, ReadyFunc ready, const char *what, GError **error)
{
  VwMonitor *monitor = &self->monitor;
  gint64 stall_end = 0;
  guint64 seen = G_MAXUINT64;
  gboolean ok = FALSE;

  g_mutex_lock (&monitor->lock);
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();

      if (monitor->abort)
        {
          vw_set_error (error, VIDWRITE_ERROR_CANCELLED, "writing “%s” was cancelled", self->name);
          break;
        }
      if (monitor->error)
        {
          take_pipeline_error (self, error);
          break;
        }
      if (ready (self))
        {
          ok = TRUE;
          break;
        }
      if (monitor->activity != seen)
        {
          seen = monitor->activity;
          stall_end = now + (gint64) self->stall_timeout * G_TIME_SPAN_SECOND;
        }
      else if (self->stall_timeout && now >= stall_end)
        {
          vw_set_error (error, VIDWRITE_ERROR_ENCODE,
                        "writing “%s” stalled: nothing moved for %u s while waiting for %s",
                        self->name, self->stall_timeout, what);
          break;
        }
      /* Wakes to report progress; a stall timeout of 0 (wait for ever) has no end to wake at. */
      g_cond_wait_until (&monitor->cond, &monitor->lock,
                         self->stall_timeout ? MIN (stall_end, now + G_TIME_SPAN_SECOND / 10)
                                             : now + G_TIME_SPAN_SECOND / 10);

      g_mutex_unlock (&monitor->lock);
      report_progress (self);
      g_mutex_lock (&monitor->lock);
    }
  g_mutex_unlock (&monitor->lock);
  return ok;
}

/* Called with the monitor's lock: appsrc's level has a lock of its own. */
static gboolean
video_has_room (VidwriteWriter *self)
{
  return vw_stream_has_room (&self->video);
}

static gboolean
reached_eos (VidwriteWriter *self)
{
  return self->monitor.eos;
}

/* ---- handing data to the pipeline ------------------------------------------------------- */

/* A timed stream's time is that of its next frame: where the last frame handed over ends. */
static VwLane
lane (VwStream *stream, gboolean finishing)
{
  return (VwLane){ .present = stream->present,
                   .pending = vw_stream_ready (stream, finishing),
                   .ended = stream->ended,
                   .time = stream->present ? stream->sent_time : 0 };
}

/* Hands over whatever the scheduler allows.  When `finishing`, a stream with nothing left
 * pending ends, which frees the other. */
static gboolean
drain (VidwriteWriter *self, gboolean finishing, GError **error)
{
  guint64 margin = vw_scheduler_margin (self->audio.present ? (guint) self->audio.rate_n : 0);
  GError *local = NULL;

  for (;;)
    {
      VwLane video = lane (&self->video, finishing), audio = lane (&self->audio, finishing);
      gboolean ok;

      switch (vw_scheduler_next (&video, &audio, margin, finishing, self->audio_ended))
        {
        case VW_STEP_SEND_AUDIO:
          ok = vw_stream_send (&self->audio, &local);
          break;
        case VW_STEP_END_AUDIO:
          ok = vw_stream_end (&self->audio, &local);
          break;
        case VW_STEP_SEND_VIDEO:
          if (!wait_until (self, video_has_room, "room in the video queue", error))
            return FALSE;
          ok = vw_stream_send (&self->video, &local);
          break;
        case VW_STEP_END_VIDEO:
          ok = vw_stream_end (&self->video, &local);
          break;
        case VW_STEP_NONE:
        default:
          return TRUE;
        }
      if (!ok)
        return prefer_pipeline_error (self, error, local);
    }
}

/* ---- public API ------------------------------------------------------------------------- */

static gboolean
vidwrite_writer_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  VidwriteWriter *self = VIDWRITE_WRITER (initable);

  if (!vw_ensure_gst (error))
    return FALSE;
  if (self->stream)
    self->target = vw_target_new_for_stream (self->stream, self->format, error);
  else
    self->target = vw_target_new_for_file (self->filename, self->format, error);
  if (!self->target)
    return FALSE;
  self->name = vw_target_get_name (self->target);
  return TRUE;
}

static void
initable_iface_init (GInitableIface *iface)
{
  iface->init = vidwrite_writer_initable_init;
}

/**
 * vidwrite_writer_new:
 * @filename: (type filename): the file to write; its extension picks the container
 *   (one of vidwrite_list_containers())
 * @error: return location for a #GError in the %VIDWRITE_ERROR domain
 *
 * Creates a writer for @filename.  The file appears there only when vidwrite_writer_finish()
 * succeeds; until then the data goes to an unnamed file in the same directory (or, where the
 * file system has none, a hidden temporary file), and an existing file at @filename is left
 * untouched if anything fails.  The directory is checked here: a missing or unwritable one is
 * %VIDWRITE_ERROR_IO.
 *
 * Configure the video with vidwrite_writer_set_video(), optionally the audio with
 * vidwrite_writer_set_audio(), then push data and finish.
 *
 * Returns: (transfer full) (nullable): a new writer, or %NULL with @error set
 */
VidwriteWriter *
vidwrite_writer_new (const char *filename, GError **error)
{
  return g_initable_new (VIDWRITE_TYPE_WRITER, NULL, error, "filename", filename, NULL);
}

/**
 * vidwrite_writer_new_with_format:
 * @filename: (type filename): the file to write
 * @format: (nullable): FFmpeg's name of the container ("mp4", "matroska", "mpegts", ...);
 *   %NULL lets the extension decide
 * @error: return location for a #GError in the %VIDWRITE_ERROR domain
 *
 * Like vidwrite_writer_new(), with the container named rather than taken from the extension,
 * as FFmpeg's `-f` does.
 *
 * Returns: (transfer full) (nullable): a new writer, or %NULL with @error set
 *
 * Since: 0.2
 */
VidwriteWriter *
vidwrite_writer_new_with_format (const char *filename, const char *format, GError **error)
{
  return g_initable_new (VIDWRITE_TYPE_WRITER, NULL, error, "filename", filename, "format", format,
                         NULL);
}

/**
 * vidwrite_writer_new_for_stream:
 * @stream: where the muxed bytes go: a file, a pipe, a socket, memory...
 * @format: FFmpeg's name of the container ("mp4", "matroska", "webm", "mpegts", ...)
 * @error: return location for a #GError in the %VIDWRITE_ERROR domain
 *
 * Creates a writer whose output goes to @stream, which is flushed (not closed) when the write
 * finishes.  A stream that cannot seek (a pipe, a socket) gets fragmented MP4 or MOV (as
 * FFmpeg's `movflags=+frag_keyframe+empty_moov`; `frag_duration` sets the fragments' length)
 * and streamable Matroska or WebM.  On failure, what was written to the stream stays there.
 *
 * Returns: (transfer full) (nullable): a new writer, or %NULL with @error set
 *
 * Since: 0.2
 */
VidwriteWriter *
vidwrite_writer_new_for_stream (GOutputStream *stream, const char *format, GError **error)
{
  if (!G_IS_OUTPUT_STREAM (stream))
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT, "the output stream is %s",
                    stream ? "not a GOutputStream" : "missing (NULL)");
      return NULL;
    }
  return g_initable_new (VIDWRITE_TYPE_WRITER, NULL, error, "stream", stream, "format", format,
                         NULL);
}

/**
 * vidwrite_writer_get_filename:
 * @self: a #VidwriteWriter
 *
 * Gets the name of the file the writer writes, as given to vidwrite_writer_new().
 *
 * Returns: (type filename) (nullable): the file this writer writes, or %NULL when it writes
 *   to a stream
 */
const char *
vidwrite_writer_get_filename (VidwriteWriter *self)
{
  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), NULL);
  return self->filename;
}

static gboolean
check_configuring (VidwriteWriter *self, const char *what, GError **error)
{
  if (!is_open (self))
    return set_state_error (self, error);
  if (self->state != STATE_CONFIGURING)
    {
      vw_set_error (error, VIDWRITE_ERROR_STATE,
                    "the %s of “%s” must be configured before the first push", what, self->name);
      return FALSE;
    }
  return TRUE;
}

/* Resolves `name`, checks the container, makes and configures the encoder of `stream`. */
static gboolean
prepare_encoder (VidwriteWriter *self, VwStream *stream, const char *name, const GstCaps *input,
                 GHashTable *options, GError **error)
{
  const VwContainer *container = vw_target_get_container (self->target);
  gint width = 0, height = 0; /* none for audio */

  if (input && !gst_caps_is_empty (input))
    {
      const GstStructure *format = gst_caps_get_structure (input, 0);

      gst_structure_get_int (format, "width", &width);
      gst_structure_get_int (format, "height", &height);
    }
  if (!vw_codec_resolve (name, stream->media, input, &stream->codec, error))
    return FALSE;
  if (!vw_codec_check_container (&stream->codec, container, error))
    {
      vw_resolved_clear (&stream->codec);
      return FALSE;
    }
  stream->encoder = vw_codec_make_encoder (&stream->codec, container, error);
  if (!stream->encoder
      || !vw_options_apply (stream->encoder, vw_resolved_name (&stream->codec),
                            stream->codec.ffmpeg_name, stream->media, stream->out_channels, width,
                            height, container->muxer, options, &stream->settings, error)
      /* Video is checked once the format fed to the encoder is known (set_video). */
      || (stream->media == VW_MEDIA_AUDIO
          && !vw_codec_check_stream (&stream->codec, container, GST_VIDEO_FORMAT_UNKNOWN, 0,
                                     stream->out_channels, error)))
    {
      vw_stream_clear (stream);
      vw_stream_init (stream, stream->media, &self->monitor);
      return FALSE;
    }
  return TRUE;
}

static GHashTable *
copy_options (GHashTable *options)
{
  GHashTable *copy;
  GHashTableIter iter;
  gpointer key, value;

  if (!options)
    return NULL;
  copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, options);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  return copy;
}

/* 4:2:0 and 4:2:2 need their subsampled dimensions even. */
static gboolean
check_subsampling (VwStream *video, GError **error)
{
  const GstVideoFormatInfo *finfo = gst_video_format_get_info (video->out_format);
  guint wsub = GST_VIDEO_FORMAT_INFO_W_SUB (finfo, 1), hsub = GST_VIDEO_FORMAT_INFO_H_SUB (finfo, 1);
  gboolean odd_w = video->width % (1u << wsub) != 0, odd_h = video->height % (1u << hsub) != 0;

  if (!odd_w && !odd_h)
    return TRUE;
  vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                "%ux%u frames cannot be encoded as %s: its chroma is subsampled, so the %s must "
                "be even; use the option pix_fmt=yuv444p or an even size",
                video->width, video->height, gst_video_format_to_string (video->out_format),
                odd_w && odd_h ? "width and height" : odd_w ? "width" : "height");
  return FALSE;
}

static gboolean
encoder_takes (GstElement *encoder, GstVideoFormat format)
{
  GstPad *sink = gst_element_get_static_pad (encoder, "sink");
  g_autoptr (GstCaps) caps = gst_pad_query_caps (sink, NULL);
  g_autoptr (GstCaps) wanted = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING,
                                                    gst_video_format_to_string (format), NULL);

  gst_object_unref (sink);
  return gst_caps_can_intersect (caps, wanted);
}

/* What the encoder is fed, unless pix_fmt says: YUV and 16-bit grey as they come when it takes
 * them (no conversion, as FFmpeg keeps an input format the encoder takes); other 16-bit input as
 * 10-bit 4:2:0; the rest as FFmpeg's default yuv420p.  An encoder that takes none of these gets
 * what videoconvert picks. */
static gboolean
choose_encoder_input (VwStream *video, GError **error)
{
  const VwPixelFormatInfo *in = vw_pixel_format_info (video->pixel_format);
  gboolean yuv = in->channels == 0, deep = in->sample_bytes > 1;

  if ((yuv || deep) && video->settings.gbr_planes)
    {
      vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                    "%s codes 8-bit RGB as it is; %s frames cannot be fed to it",
                    vw_stream_codec_name (video), in->name);
      return FALSE;
    }
  video->out_format = video->settings.pix_fmt;
  if (video->out_format != GST_VIDEO_FORMAT_UNKNOWN)
    return TRUE;
  if ((yuv || deep) && in->gst != GST_VIDEO_FORMAT_UNKNOWN
      && encoder_takes (video->encoder, in->gst))
    video->out_format = in->gst;
  else if (deep && encoder_takes (video->encoder, GST_VIDEO_FORMAT_I420_10LE))
    video->out_format = GST_VIDEO_FORMAT_I420_10LE;
  else if (deep)
    {
      vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                    "%s frames are written as 10-bit video, which %s (%s) cannot code", in->name,
                    vw_stream_codec_name (video),
                    GST_OBJECT_NAME (gst_element_get_factory (video->encoder)));
      return FALSE;
    }
  else if (encoder_takes (video->encoder, GST_VIDEO_FORMAT_I420))
    video->out_format = GST_VIDEO_FORMAT_I420;
  return TRUE;
}

/* The rates in `caps`' framerate lists, once each, for a message: "24000/1001, 24, 25". */
static char *
describe_rates (const GstCaps *caps)
{
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < gst_caps_get_size (caps); i++)
    {
      const GValue *rates = gst_structure_get_value (gst_caps_get_structure (caps, i), "framerate");
      guint n = rates && GST_VALUE_HOLDS_LIST (rates) ? gst_value_list_get_size (rates) : 0;

      for (guint j = 0; j < n; j++)
        {
          const GValue *rate = gst_value_list_get_value (rates, j);
          gint num, den;
          char *text;

          if (!GST_VALUE_HOLDS_FRACTION (rate)) /* a range in a list: not named */
            continue;
          num = gst_value_get_fraction_numerator (rate);
          den = gst_value_get_fraction_denominator (rate);
          text = den == 1 ? g_strdup_printf ("%d", num) : g_strdup_printf ("%d/%d", num, den);

          if (g_ptr_array_find_with_equal_func (seen, text, g_str_equal, NULL))
            g_free (text);
          else
            g_ptr_array_add (seen, text);
        }
    }
  g_ptr_array_add (seen, NULL);
  return g_strjoinv (", ", (char **) seen->pdata);
}

/* An encoder whose sink caps list its frame rates (mpeg2enc: MPEG-2's, but not 60) failed once
 * encoding started ("not-negotiated") on any other: refused here, naming the rates it takes. */
static gboolean
check_rate (VwStream *video, GError **error)
{
  GstPad *sink = gst_element_get_static_pad (video->encoder, "sink");
  g_autoptr (GstCaps) caps = gst_pad_query_caps (sink, NULL);
  g_autoptr (GstCaps) rate = gst_caps_new_simple ("video/x-raw", "framerate", GST_TYPE_FRACTION,
                                                  video->rate_n, video->rate_d, NULL);
  gboolean ok = gst_caps_is_any (caps) || gst_caps_can_intersect (caps, rate);

  gst_object_unref (sink);
  if (!ok)
    {
      g_autofree char *rates = describe_rates (caps);

      vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                    "frame rate %d/%d (%g frames a second) cannot be written as “%s” (%s): it "
                    "takes %s",
                    video->rate_n, video->rate_d, (double) video->rate_n / video->rate_d,
                    vw_resolved_name (&video->codec), GST_OBJECT_NAME (video->codec.factory),
                    *rates ? rates : "other rates");
    }
  return ok;
}

/**
 * vidwrite_writer_set_video:
 * @self: a #VidwriteWriter
 * @width: frame width in pixels, 1 to 16384
 * @height: frame height in pixels, 1 to 16384
 * @format: the layout of the frames that will be pushed
 * @fps_n: frame rate numerator (30000 for NTSC's 29.97)
 * @fps_d: frame rate denominator (1001 for NTSC's 29.97)
 * @codec: (nullable): FFmpeg codec name ("libx264", "h264") or a GStreamer encoder factory
 *   name ("x264enc"); %NULL picks the container's usual one (libx264; libvpx-vp9 for .webm,
 *   libtheora for .ogv/.ogg, mpeg2video for .mpg)
 * @options: (nullable) (element-type utf8 utf8): FFmpeg options for the codec, such as
 *   {"crf": "17", "preset": "slow"}; for a factory name, its property names
 *
 * Configures the video stream.  Codec, options, pixel format and container are all checked
 * here: an unknown key or a bad value is %VIDWRITE_ERROR_INVALID_OPTION, a codec the container
 * cannot hold %VIDWRITE_ERROR_INCOMPATIBLE, before any encoding starts.
 *
 * Returns: %TRUE on success
 */
gboolean
vidwrite_writer_set_video (VidwriteWriter *self, guint width, guint height,
                           VidwritePixelFormat format, gint fps_n, gint fps_d, const char *codec,
                           GHashTable *options, GError **error)
{
  g_autoptr (ApiGuard) guard = NULL;
  VwStream *video = &self->video;
  const VwContainer *container;

  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  guard = api_enter (self);

  if (!check_configuring (self, "video", error))
    return FALSE;
  container = vw_target_get_container (self->target);
  if (video->present)
    {
      vw_set_error (error, VIDWRITE_ERROR_STATE, "the video of “%s” is already configured",
                    self->name);
      return FALSE;
    }
  if (width < 1 || width > VW_MAX_DIMENSION || height < 1 || height > VW_MAX_DIMENSION)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "frame size %ux%u is out of range (1 to %u on each side)", width, height,
                   VW_MAX_DIMENSION);
      return FALSE;
    }
  if (!vw_pixel_format_info (format))
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "pixel format %d is not a VidwritePixelFormat", (int) format);
      return FALSE;
    }
  /* Frames longer than an hour overflow GStreamer's clock arithmetic within a few frames. */
  if (fps_n <= 0 || fps_d <= 0 || (double) fps_n / fps_d > VIDWRITE_MAX_FRAME_RATE ||
      (gint64) fps_d > (gint64) fps_n * VIDWRITE_MAX_FRAME_DURATION)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "frame rate %d/%d is out of range (1/%d to %d frames a second)", fps_n, fps_d,
                   VIDWRITE_MAX_FRAME_DURATION, VIDWRITE_MAX_FRAME_RATE);
      return FALSE;
    }
  if (!container->default_video)
    {
      vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                    "a .%s file holds audio only: it cannot take video (write audio alone with "
                    "vidwrite_writer_set_audio(), or use .mp4, .mkv or .webm)",
                    container->extension);
      return FALSE;
    }
  if (width < container->min_dimension || height < container->min_dimension)
    {
      vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                    "%ux%u frames are too small for a .%s file (%u pixels a side at least); use "
                    ".mkv or .mov",
                    width, height, container->extension, container->min_dimension);
      return FALSE;
    }

  {
    g_autoptr (GstCaps) input = gst_caps_new_simple ("video/x-raw", "width", G_TYPE_INT, (gint) width,
                                                     "height", G_TYPE_INT, (gint) height, NULL);

    g_autoptr (GHashTable) own = copy_options (options);

    /* The sink of an HLS or segment target takes its options (hls_time...) first. */
    if (!vw_target_configure (self->target, own, error) ||
        !prepare_encoder (self, video, codec ? codec : container->default_video, input, own, error))
      return FALSE;
  }

  video->width = width;
  video->height = height;
  video->pixel_format = format;
  {
    gint g = (gint) gst_util_greatest_common_divisor (fps_n, fps_d);
    video->rate_n = fps_n / g;
    video->rate_d = fps_d / g;
  }
  video->unit_bytes = vidwrite_pixel_format_frame_size (format, width, height);
  if (!check_rate (video, error))
    {
      vw_stream_clear (video);
      vw_stream_init (video, VW_MEDIA_VIDEO, &self->monitor);
      return FALSE;
    }

  /* The streams GStreamer crashes on, now that the format fed to the encoder is known (pix_fmt,
   * or what 16-bit or YUV input goes in as). */
  if (!choose_encoder_input (video, error)
      || !vw_codec_check_stream (&video->codec, container, video->out_format, width, 0, error)
      || (video->out_format != GST_VIDEO_FORMAT_UNKNOWN && !check_subsampling (video, error))
      || !(video->converter = vw_converter_new (
               format, video->settings.gbr_planes ? GST_VIDEO_FORMAT_GBR : video->out_format, width,
               height, &video->settings.colorimetry, error)))
    {
      vw_stream_clear (video);
      vw_stream_init (video, VW_MEDIA_VIDEO, &self->monitor);
      return FALSE;
    }
  video->present = TRUE;
  return TRUE;
}

/* FFmpeg's -ar and -ac: what the audio stream is encoded as, whatever the encoder; taken out of
 * the options before the encoder sees them.  A key may carry FFmpeg's ":a" specifier. */
static const struct
{
  const char *key;
  guint max;
  const char *what;
} audio_output_options[] = {
  { "ar", MAX_AUDIO_RATE, "an output sample rate in Hz" },
  { "ac", VW_MAX_AUDIO_CHANNELS, "an output channel count" },
};

/* values[i] is audio_output_options[i]'s value, or stays as it was when not given. */
static gboolean
take_audio_output_options (GHashTable *options, guint *values, GError **error)
{
  for (guint i = 0; options && i < G_N_ELEMENTS (audio_output_options); i++)
    {
      const char *key = audio_output_options[i].key;
      g_autofree char *specified = g_strconcat (key, ":a", NULL);
      const char *value = g_hash_table_lookup (options, key);
      double v;

      if (!value && (value = g_hash_table_lookup (options, specified)))
        key = specified;
      if (!value)
        continue;
      if (!vw_parse_number (value, &v) || v != floor (v) || v < 1
          || v > audio_output_options[i].max)
        {
          vw_set_error (error, VIDWRITE_ERROR_INVALID_OPTION,
                        "invalid value “%s” for the option “%s”: it takes %s, 1 to %u", value, key,
                        audio_output_options[i].what, audio_output_options[i].max);
          return FALSE;
        }
      values[i] = (guint)v;
      g_hash_table_remove (options, key);
    }
  return TRUE;
}

/**
 * vidwrite_writer_set_audio:
 * @self: a #VidwriteWriter
 * @channels: 1 to 8, in the standard order (FL FR FC LFE BL BR SL SR for 8; 5.1 for 6)
 * @rate: samples per second of each channel
 * @format: the sample type that will be pushed
 * @layout: planar ([C, N]) or interleaved ([N, C])
 * @codec: (nullable): FFmpeg audio codec name ("aac", "mp3", "libopus", "libvorbis", "flac")
 *   or a GStreamer encoder factory; %NULL picks the container's usual one
 * @options: (nullable) (element-type utf8 utf8): FFmpeg options for the codec ({"b": "128k"}),
 *   and FFmpeg's `ar` (output sample rate) and `ac` (output channel count)
 *
 * Adds an audio stream.  Call it before the first push.  Float samples are scaled to the
 * encoder's format, never cast.
 *
 * A writer with audio and no video writes an audio-only file: .mp3, .flac, .wav, .ogg, .opus,
 * .m4a, or any container that takes the codec (.mkv, .mp4...).
 *
 * The option `ar` resamples to that rate (audioresample at its highest quality) and `ac` remixes
 * to that many channels as FFmpeg does: mono to stereo puts the signal on both sides at -3 dB
 * (0.7071), stereo to mono is 0.7071 (L + R) for codecs FFmpeg feeds float samples (aac, mp3,
 * opus, vorbis, ac3) and (L + R) / 2 for the others (flac, pcm_s16le, mp2).  Without `ar`, the
 * rate stays unless the encoder cannot take it (it is then resampled to one it takes).
 *
 * Returns: %TRUE on success
 */
gboolean
vidwrite_writer_set_audio (VidwriteWriter *self, guint channels, guint rate,
                           VidwriteSampleFormat format, VidwriteAudioLayout layout,
                           const char *codec, GHashTable *options, GError **error)
{
  g_autoptr (ApiGuard) guard = NULL;
  VwStream *audio = &self->audio;

  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  guard = api_enter (self);

  if (!check_configuring (self, "audio", error))
    return FALSE;
  if (audio->present)
    {
      vw_set_error (error, VIDWRITE_ERROR_STATE, "the audio of “%s” is already configured",
                    self->name);
      return FALSE;
    }
  if (channels < 1 || channels > VW_MAX_AUDIO_CHANNELS)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%u audio channels is out of range (1 to %u)", channels, VW_MAX_AUDIO_CHANNELS);
      return FALSE;
    }
  if (rate < 1 || rate > MAX_AUDIO_RATE)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "audio rate %u Hz is out of range (1 to %u)", rate, MAX_AUDIO_RATE);
      return FALSE;
    }
  if ((guint) format > VIDWRITE_SAMPLE_FORMAT_S16 || (guint) layout > VIDWRITE_AUDIO_LAYOUT_INTERLEAVED)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "sample format %d or layout %d is not valid", (int) format, (int) layout);
      return FALSE;
    }

  {
    g_autoptr (GHashTable) own = copy_options (options);
    guint output[] = { 0, channels };
    g_autoptr (GstCaps) input = NULL;

    if (!take_audio_output_options (own, output, error))
      return FALSE;
    audio->channels = channels;
    audio->out_rate = output[0];
    audio->out_channels = output[1];
    input = vw_stream_audio_caps (audio->out_channels, audio->out_rate);
    if (!prepare_encoder (self, audio,
                          codec ? codec : vw_target_get_container (self->target)->default_audio,
                          input, own, error))
      return FALSE;
  }
  /* Only the video's settings configure anything beyond the encoder (the muxer). */
  vw_encoder_settings_clear (&audio->settings);
  audio->rate_n = (gint) rate;
  audio->rate_d = 1;
  audio->sample_format = format;
  audio->layout = layout;
  audio->sample_bytes = format == VIDWRITE_SAMPLE_FORMAT_F32 ? 4 : 2;
  audio->unit_bytes = (gsize) channels * audio->sample_bytes;
  audio->present = TRUE;
  return TRUE;
}

static gboolean
check_pushable (VidwriteWriter *self, GBytes *data, gboolean has, const char *what, GError **error)
{
  if (!is_open (self))
    return set_state_error (self, error);
  /* Audio alone is a whole write; frames need their stream. */
  if (!self->video.present && !self->audio.present)
    {
      vw_set_error (error, VIDWRITE_ERROR_STATE,
                    "the video of “%s” is not configured: call vidwrite_writer_set_video() first",
                    self->name);
      return FALSE;
    }
  if (!has)
    {
      vw_set_error (error, VIDWRITE_ERROR_STATE,
                    "the writer of “%s” has no %s stream: call vidwrite_writer_set_%s() before "
                    "the first push",
                    self->name, what, what);
      return FALSE;
    }
  if (!data)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "the %s data is missing (NULL)", what);
      return FALSE;
    }
  return TRUE;
}

/* FALSE with CANCELLED if cancel() was called from a handler during this call. */
static gboolean
check_abort (VidwriteWriter *self, GError **error)
{
  gboolean abort;

  g_mutex_lock (&self->monitor.lock);
  abort = self->monitor.abort;
  g_mutex_unlock (&self->monitor.lock);
  if (abort)
    vw_set_error (error, VIDWRITE_ERROR_CANCELLED, "writing “%s” was cancelled", self->name);
  return !abort;
}

/* MPEG's clock: whole ticks for 24, 25, 30, 50, 60 and 30000/1001 frames a second. */
#define TIMED_TIMESCALE 90000

/* Before the pipeline starts: whether the muxer is MP4's kind (vidwrite-stream.c fixes decode
 * times for it) and, when the write starts with timed frames, a finer track timescale than the
 * automatic one, which follows the nominal rate (3000 a second at 30 fps) and would round the
 * frames' times. */
static void
prepare_muxer (VidwriteWriter *self, gboolean timed)
{
  VwEncoderSettings *settings = &self->video.settings;
  GstElement *muxer = settings->muxer, *made = NULL;
  guint timescale = 0;

  if (!muxer)
    muxer = made = gst_element_factory_make (vw_target_get_container (self->target)->muxer, NULL);
  if (muxer && g_object_class_find_property (G_OBJECT_GET_CLASS (muxer), "trak-timescale"))
    {
      self->video.muxer_sums_dts = TRUE;
      if (timed)
        {
          g_object_get (muxer, "trak-timescale", &timescale, NULL);
          if (timescale == 0)
            g_object_set (muxer, "trak-timescale", (guint)TIMED_TIMESCALE, NULL);
          /* The settings hold a full reference, which the target's bin takes over. */
          settings->muxer = made ? gst_object_ref_sink (made) : muxer;
          return;
        }
    }
  if (made)
    gst_object_unref (gst_object_ref_sink (made));
}

/* Takes `times` (nullable). */
static gboolean
push_chunk (VidwriteWriter *self, VwStream *stream, GBytes *data, gsize count, GstClockTime *times,
            GError **error)
{
  GError *local = NULL;

  if (self->state == STATE_CONFIGURING)
    prepare_muxer (self, times != NULL);
  if (self->state == STATE_CONFIGURING && !start_pipeline (self, &local))
    {
      g_free (times);
      return fail (self, error, local);
    }
  vw_stream_queue (stream, data, count, times);
  if (!drain (self, FALSE, &local))
    return fail (self, error, local);
  report_progress (self);
  return check_abort (self, &local) || fail (self, error, local);
}

/* The number of whole frames in `frames`. */
static gboolean
count_frames (VidwriteWriter *self, GBytes *frames, gsize *count, GError **error)
{
  VwStream *video = &self->video;
  gsize size;

  if (!check_pushable (self, frames, video->present, "video", error))
    return FALSE;
  size = g_bytes_get_size (frames);
  if (size % video->unit_bytes != 0)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                    "%" G_GSIZE_FORMAT
                    " bytes is not a whole number of %ux%u %s frames (%" G_GSIZE_FORMAT
                    " bytes each)",
                    size, video->width, video->height,
                    vidwrite_pixel_format_get_name (video->pixel_format), video->unit_bytes);
      return FALSE;
    }
  *count = size / video->unit_bytes;
  return TRUE;
}

static gboolean
push_frames_full (VidwriteWriter *self, GBytes *frames, gsize count, GstClockTime *times,
                  GError **error)
{
  g_mutex_lock (&self->monitor.lock);
  self->monitor.frames_pushed += count;
  g_mutex_unlock (&self->monitor.lock);
  return push_chunk (self, &self->video, frames, count, times, error);
}

/**
 * vidwrite_writer_push_frames:
 * @self: a #VidwriteWriter
 * @frames: any whole number of frames, height × width × bytes-per-pixel each, tightly packed
 *
 * Queues frames for encoding.  @frames is referenced, not copied, until its frames have been
 * converted; a call may wait until the encoder has room, but never for longer than the stall
 * timeout without progress.
 *
 * Frame n is at n / rate (the rate given to vidwrite_writer_set_video()).  After frames pushed
 * with vidwrite_writer_push_frames_at(), frames pushed here continue from the last of them, a
 * nominal frame duration apart.
 *
 * Returns: %TRUE on success
 */
gboolean
vidwrite_writer_push_frames (VidwriteWriter *self, GBytes *frames, GError **error)
{
  g_autoptr (ApiGuard) guard = NULL;
  gsize count;

  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  guard = api_enter (self);

  if (!count_frames (self, frames, &count, error))
    return FALSE;
  return push_frames_full (self, frames, count, NULL, error);
}

/* Times must be valid clock times and strictly increase, from the last frame queued on. */
static gboolean
check_timestamps (VidwriteWriter *self, const guint64 *timestamps, gsize n, GError **error)
{
  VwStream *video = &self->video;

  for (gsize i = 0; i < n; i++)
    {
      guint64 t = timestamps[i];
      gboolean has_previous = i > 0 || video->queued > 0;
      guint64 previous = i > 0 ? timestamps[i - 1] : video->last_time;

      /* Far enough below GStreamer's range that adding a frame duration cannot overflow. */
      if ((gint64) t < 0 || t > G_MAXINT64 / 2)
        {
          vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                        "timestamp %" G_GSIZE_FORMAT " is %" G_GINT64_FORMAT
                        " ns: timestamps must be 0 or more (and below %" G_GINT64_FORMAT " ns)",
                        i, (gint64) t, G_MAXINT64 / 2);
          return FALSE;
        }
      if (has_previous && t <= previous)
        {
          vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                        "timestamp %" G_GSIZE_FORMAT " is %" G_GUINT64_FORMAT
                        " ns, not after the %s frame's %" G_GUINT64_FORMAT
                        " ns: timestamps must strictly increase",
                        i, t, i > 0 ? "previous" : "last pushed", previous);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * vidwrite_writer_push_frames_at:
 * @self: a #VidwriteWriter
 * @frames: any whole number of frames, as for vidwrite_writer_push_frames()
 * @timestamps: (array length=n_timestamps): the presentation time of each frame, in
 *   nanoseconds (#GstClockTime) from the start of the file, strictly increasing
 * @n_timestamps: the number of frames in @frames
 * @error: return location for a #GError in the %VIDWRITE_ERROR domain
 *
 * Queues frames that each have their own time: variable frame rate, for frames that arrive at
 * irregular times (screen recorders, cameras, robots).  The rate given to
 * vidwrite_writer_set_video() becomes the nominal rate, the one the container advertises; each
 * frame lasts until the next one.  A frame therefore waits in the writer until the time of the
 * next one is pushed, or until vidwrite_writer_finish(), which gives the last frame the nominal
 * duration.  Audio stays clocked by its samples, from 0: frames and audio line up by their
 * times.
 *
 * Times must strictly increase, across pushes too; a frame pushed after frames without their
 * own times must come after the last of them (frame n of those is at n / rate).  Frames pushed
 * later with vidwrite_writer_push_frames() continue from the last time, a nominal frame
 * duration apart.  The container keeps times to its own resolution: 1 ms for Matroska and
 * WebM, 1/90000 s for MP4 and MOV.
 *
 * A time that is negative (as a signed 64-bit number) or not after the one before it is
 * %VIDWRITE_ERROR_INVALID_ARGUMENT, naming its index and value; nothing of the push is queued.
 * Encoders that lose timestamps and are restamped at the nominal rate (the avenc_* family:
 * mpeg4, mjpeg, ffv1, prores_ks, png) refuse timed frames with %VIDWRITE_ERROR_INCOMPATIBLE.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.2
 */
gboolean
vidwrite_writer_push_frames_at (VidwriteWriter *self, GBytes *frames, const guint64 *timestamps,
                                gsize n_timestamps, GError **error)
{
  g_autoptr (ApiGuard) guard = NULL;
  gsize count;

  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  guard = api_enter (self);

  if (!count_frames (self, frames, &count, error))
    return FALSE;
  if (count != n_timestamps || (n_timestamps > 0 && !timestamps))
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                    "%" G_GSIZE_FORMAT " timestamps for %" G_GSIZE_FORMAT
                    " frames: give one timestamp a frame",
                    timestamps ? n_timestamps : 0, count);
      return FALSE;
    }
  if (self->video.settings.restamp)
    {
      vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                    "%s loses the frames' timestamps (vidwrite restamps its output at the frame "
                    "rate), so it cannot write frames with their own times; use libx264, "
                    "libvpx-vp9 or another encoder",
                    vw_stream_codec_name (&self->video));
      return FALSE;
    }
  if (!check_timestamps (self, timestamps, n_timestamps, error))
    return FALSE;
  return push_frames_full (self, frames, count,
                           count ? g_memdup2 (timestamps, count * sizeof *timestamps) : NULL,
                           error);
}

/**
 * vidwrite_writer_push_audio:
 * @self: a #VidwriteWriter
 * @samples: any whole number of samples of every channel, in the configured layout
 *
 * Queues audio samples.  @samples is referenced, not copied.
 *
 * Returns: %TRUE on success
 */
gboolean
vidwrite_writer_push_audio (VidwriteWriter *self, GBytes *samples, GError **error)
{
  g_autoptr (ApiGuard) guard = NULL;
  VwStream *audio = &self->audio;
  gsize size, unit;

  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  guard = api_enter (self);

  if (!check_pushable (self, samples, audio->present, "audio", error))
    return FALSE;
  if (self->audio_ended)
    {
      vw_set_error (error, VIDWRITE_ERROR_STATE,
                    "the audio of “%s” was ended with vidwrite_writer_end_audio()", self->name);
      return FALSE;
    }
  size = g_bytes_get_size (samples);
  unit = audio->unit_bytes;
  if (size % unit != 0)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%" G_GSIZE_FORMAT " bytes of audio is not a whole number of %u-channel %s "
                   "samples (%" G_GSIZE_FORMAT " bytes each)",
                    size, audio->channels,
                    audio->sample_format == VIDWRITE_SAMPLE_FORMAT_F32 ? "float32" : "int16", unit);
      return FALSE;
    }
  g_mutex_lock (&self->monitor.lock);
  self->monitor.samples_pushed += size / unit;
  g_mutex_unlock (&self->monitor.lock);
  return push_chunk (self, audio, samples, size / unit, NULL, error);
}

/**
 * vidwrite_writer_end_audio:
 * @self: a #VidwriteWriter
 * @error: return location for a #GError in the %VIDWRITE_ERROR domain
 *
 * Says that no more audio will come, while video still may.  Until the audio ends or covers
 * them, frames wait in the writer (as references to the pushed #GBytes) so that the muxer is
 * never starved; a soundtrack shorter than the picture should be ended so that the frames after
 * it can flow and memory stays bounded.  vidwrite_writer_finish() ends the audio anyway.
 *
 * Returns: %TRUE, or %FALSE with %VIDWRITE_ERROR_STATE when the writer has no audio or is no
 *   longer open
 */
gboolean
vidwrite_writer_end_audio (VidwriteWriter *self, GError **error)
{
  g_autoptr (ApiGuard) guard = NULL;
  GError *local = NULL;

  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  guard = api_enter (self);

  if (!is_open (self))
    return set_state_error (self, error);
  if (!self->audio.present)
    {
      vw_set_error (error, VIDWRITE_ERROR_STATE, "the writer of “%s” has no audio stream to end",
                    self->name);
      return FALSE;
    }
  self->audio_ended = TRUE;
  if (self->state == STATE_RUNNING && !drain (self, FALSE, &local))
    return fail (self, error, local);
  return TRUE;
}

static gboolean
finish_locked (VidwriteWriter *self, GError **error)
{
  GError *local = NULL;

  if (!is_open (self))
    return set_state_error (self, error);
  if (!self->video.present && !self->audio.present)
    {
      vw_set_error (&local, VIDWRITE_ERROR_STATE,
                    "neither the video nor the audio of “%s” is configured: there is nothing to "
                    "write",
                    self->name);
      return fail (self, error, local);
    }
  if (self->video.present && vidwrite_writer_get_frames_pushed (self) == 0)
    {
      vw_set_error (&local, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "no frame was pushed: “%s” would have no picture", self->name);
      return fail (self, error, local);
    }
  /* A configured sound track with nothing in it is no track at all to FFmpeg (an MP4 with an
   * empty sample description); the muxer is not told to leave it out half way. */
  if (self->audio.present && vidwrite_writer_get_samples_pushed (self) == 0)
    {
      vw_set_error (&local, VIDWRITE_ERROR_INVALID_ARGUMENT,
                    "no audio sample was pushed: “%s” would have %s", self->name,
                    self->video.present ? "an empty sound track (configure no audio instead)"
                                        : "no sound");
      return fail (self, error, local);
    }

  if (!drain (self, TRUE, &local)
      || !wait_until (self, reached_eos, "the end of the stream", &local)
      || !vw_stream_check_delivered (&self->video, &local)
      || !vw_stream_check_delivered (&self->audio, &local))
    return fail (self, error, local);
  vw_pipeline_stop (&self->pipeline);
  if (!vw_target_commit (self->target, &local))
    return fail (self, error, local);
  self->state = STATE_FINISHED;
  report_progress (self);
  return TRUE;
}

static void
on_cancellable_cancelled (GCancellable *cancellable, gpointer user_data)
{
  VidwriteWriter *self = user_data;

  g_mutex_lock (&self->monitor.lock);
  self->monitor.abort = TRUE;
  g_cond_broadcast (&self->monitor.cond);
  g_mutex_unlock (&self->monitor.lock);
}

/* finish(), with `progress` emitted in `context` (nullable) meanwhile.  The context is the
 * writer's only while api_lock is held, as every caller of report_progress() holds it. */
static gboolean
finish_full (VidwriteWriter *self, GCancellable *cancellable, GMainContext *context, GError **error)
{
  G_GNUC_UNUSED g_autoptr (ApiGuard) guard = api_enter (self);
  gulong handler = 0;
  gboolean ok;

  vw_thread_reap (); /* the thread of the last pushes, done by now */
  if (cancellable)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancellable_cancelled), self, NULL);
  g_clear_pointer (&self->progress_context, g_main_context_unref);
  self->progress_context = context ? g_main_context_ref (context) : NULL;
  ok = finish_locked (self, error);
  g_clear_pointer (&self->progress_context, g_main_context_unref);
  if (handler)
    g_cancellable_disconnect (cancellable, handler);
  return ok;
}

/**
 * vidwrite_writer_finish:
 * @self: a #VidwriteWriter
 * @cancellable: (nullable): cancels the wait for the encoder; the write is then abandoned
 *
 * Hands over everything still pending, ends the streams, waits for the encoders and the muxer
 * and moves the complete file to its name.  On failure nothing is left at the target but what
 * was there before.
 *
 * Returns: %TRUE when the file is complete at its name
 */
gboolean
vidwrite_writer_finish (VidwriteWriter *self, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  return finish_full (self, cancellable, NULL, error);
}

/* The outcome of an operation that ran in a thread of ours, on its way to the caller's main
 * context. */
typedef struct
{
  GTask *task; /* owned */
  gboolean ok;
  GError *error; /* owned */
  GSource *source; /* the thread's reference, dropped here */
} Outcome;

static gboolean
deliver_outcome (gpointer data)
{
  Outcome *outcome = data;

  if (outcome->ok)
    g_task_return_boolean (outcome->task, TRUE);
  else
    g_task_return_error (outcome->task, outcome->error);
  g_object_unref (outcome->task);
  g_source_unref (outcome->source);
  g_free (outcome);
  return G_SOURCE_REMOVE;
}

/* Returns the outcome as the thread's last act, taking its reference to `task`; the thread has
 * said it exits (vw_thread_exiting()).  A fork() from the callback (a GTK application that
 * spawns, Python's multiprocessing) must not find the thread holding a lock, so the thread then
 * only attaches the source that returns the task: everything else, the task's last unref
 * included (it may finalize the writer, and its bindings: Python's GIL), happens in the
 * caller's main context (vidwrite-task-pool.c). */
static void
return_from_thread (GTask *task, gboolean ok, GError *error)
{
  Outcome *outcome = g_new0 (Outcome, 1);
  GSource *source = g_idle_source_new ();

  outcome->task = task;
  outcome->ok = ok;
  outcome->error = error;
  outcome->source = source;
  g_source_set_priority (source, g_task_get_priority (task));
  g_source_set_callback (source, deliver_outcome, outcome, NULL);
  g_source_set_static_name (source, "[vidwrite] outcome");
  g_source_attach (source, g_task_get_context (task));
}

/* A thread of its own rather than GTask's pool: GLib's pools do not survive fork(). */
static gpointer
finish_thread (gpointer data)
{
  GTask *task = data;
  GError *error = NULL;
  gboolean ok = finish_full (g_task_get_source_object (task), g_task_get_cancellable (task),
                             g_task_get_task_data (task), &error);

  vw_thread_exiting ();
  return_from_thread (task, ok, error);
  return NULL;
}

/**
 * vidwrite_writer_finish_async:
 * @self: a #VidwriteWriter
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called in the thread-default main context of the caller when done
 * @user_data: data for @callback
 *
 * Like vidwrite_writer_finish(), without blocking: the wait happens in a worker thread, and
 * #VidwriteWriter::progress is emitted in the caller's main context meanwhile.
 */
void
vidwrite_writer_finish_async (VidwriteWriter *self, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (VIDWRITE_IS_WRITER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vidwrite_writer_finish_async);
  /* The outcome is the write's: the writer's own CANCELLED, and a file completed before a late
   * cancel is not reported as a failure. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_main_context_ref_thread_default (),
                        (GDestroyNotify) g_main_context_unref);
  {
    GError *error = NULL;
    GThread *thread = g_thread_try_new ("vidwrite-finish", finish_thread, g_object_ref (task), &error);

    if (thread)
      g_thread_unref (thread);
    else
      {
        g_autofree char *why = g_strdup (error->message);

        g_object_unref (task);
        g_clear_error (&error);
        vw_set_error (&error, VIDWRITE_ERROR_ENCODE, "cannot start a thread to finish “%s”: %s",
                      self->name, why);
        g_task_return_error (task, error);
      }
  }
}

/**
 * vidwrite_writer_finish_finish:
 * @self: a #VidwriteWriter
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError in the %VIDWRITE_ERROR domain
 *
 * Completes vidwrite_writer_finish_async().
 *
 * Returns: %TRUE when the file is complete at its name
 */
gboolean
vidwrite_writer_finish_finish (VidwriteWriter *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vidwrite_writer_finish_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * vidwrite_writer_cancel:
 * @self: a #VidwriteWriter
 *
 * Abandons the write: the pipeline stops, the temporary file goes, and a file that was at the
 * target before is left as it was.  A push or finish waiting in another thread returns
 * %VIDWRITE_ERROR_CANCELLED.  Cancelling twice, or after a failure, does nothing.
 *
 * Returns: %TRUE, or %FALSE with %VIDWRITE_ERROR_STATE when the file is already finished
 */
gboolean
vidwrite_writer_cancel (VidwriteWriter *self, GError **error)
{
  g_autoptr (ApiGuard) guard = NULL;

  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);

  /* From a `progress` handler, inside a push or finish of this thread: that call sees the
   * request and abandons the write itself. */
  if (g_atomic_pointer_get (&self->api_owner) == g_thread_self ())
    {
      if (self->state == STATE_FINISHED)
        return set_state_error (self, error);
      on_cancellable_cancelled (NULL, self);
      return TRUE;
    }

  on_cancellable_cancelled (NULL, self);
  guard = api_enter (self);
  if (self->state == STATE_FINISHED)
    return set_state_error (self, error);
  if (is_open (self))
    abandon (self, STATE_CANCELLED, NULL);
  return TRUE;
}

/**
 * vidwrite_writer_get_frames_pushed:
 * @self: a #VidwriteWriter
 *
 * Gets the number of frames pushed so far; see #VidwriteWriter:frames-pushed.
 *
 * Returns: how many frames the caller has pushed
 */
guint64
vidwrite_writer_get_frames_pushed (VidwriteWriter *self)
{
  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), 0);
  return vw_monitor_read (&self->monitor, &self->monitor.frames_pushed);
}

/**
 * vidwrite_writer_get_frames_encoded:
 * @self: a #VidwriteWriter
 *
 * Gets the number of frames encoded so far; see #VidwriteWriter:frames-encoded.
 *
 * Returns: how many frames have left the encoder
 */
guint64
vidwrite_writer_get_frames_encoded (VidwriteWriter *self)
{
  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), 0);
  return vw_monitor_read (&self->monitor, &self->monitor.frames_encoded);
}

/**
 * vidwrite_writer_get_samples_pushed:
 * @self: a #VidwriteWriter
 *
 * Gets the number of audio samples pushed so far; see #VidwriteWriter:samples-pushed.
 *
 * Returns: how many audio samples (of each channel) the caller has pushed
 */
guint64
vidwrite_writer_get_samples_pushed (VidwriteWriter *self)
{
  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), 0);
  return vw_monitor_read (&self->monitor, &self->monitor.samples_pushed);
}

/**
 * vidwrite_writer_get_audio_ahead:
 * @self: a #VidwriteWriter
 *
 * Gets #VidwriteWriter:audio-ahead: how many audio samples to push ahead of the frames of the
 * same time so that no frame waits in the writer for its audio.
 *
 * Returns: samples of each channel, or 0 when the writer has no audio
 *
 * Since: 0.2
 */
guint64
vidwrite_writer_get_audio_ahead (VidwriteWriter *self)
{
  guint rate;

  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), 0);
  rate = self->audio.present ? (guint) self->audio.rate_n : 0;
  return rate ? gst_util_uint64_scale_ceil (vw_scheduler_audio_ahead (rate), rate, GST_SECOND) : 0;
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
vidwrite_writer_dispose (GObject *object)
{
  VidwriteWriter *self = VIDWRITE_WRITER (object);

  if (is_open (self))
    abandon (self, STATE_CANCELLED, NULL);
  G_OBJECT_CLASS (vidwrite_writer_parent_class)->dispose (object);
}

static void
vidwrite_writer_finalize (GObject *object)
{
  VidwriteWriter *self = VIDWRITE_WRITER (object);

  vw_pipeline_stop (&self->pipeline);
  vw_stream_clear (&self->video);
  vw_stream_clear (&self->audio);
  g_clear_pointer (&self->target, vw_target_free);
  g_clear_pointer (&self->progress_context, g_main_context_unref);
  g_clear_error (&self->failure);
  g_clear_object (&self->stream);
  g_free (self->filename);
  g_free (self->format);
  vw_monitor_clear (&self->monitor);
  g_mutex_clear (&self->api_lock);
  g_mutex_clear (&self->push_lock);
  G_OBJECT_CLASS (vidwrite_writer_parent_class)->finalize (object);
}

static void
vidwrite_writer_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VidwriteWriter *self = VIDWRITE_WRITER (object);

  switch (prop_id)
    {
    case PROP_FILENAME:
      g_value_set_string (value, self->filename);
      break;
    case PROP_FORMAT:
      g_value_set_string (value, self->format);
      break;
    case PROP_STREAM:
      g_value_set_object (value, self->stream);
      break;
    case PROP_AUDIO_AHEAD:
      g_value_set_uint64 (value, vidwrite_writer_get_audio_ahead (self));
      break;
    case PROP_STALL_TIMEOUT:
      g_value_set_uint (value, self->stall_timeout);
      break;
    case PROP_FRAMES_PUSHED:
      g_value_set_uint64 (value, vidwrite_writer_get_frames_pushed (self));
      break;
    case PROP_FRAMES_ENCODED:
      g_value_set_uint64 (value, vidwrite_writer_get_frames_encoded (self));
      break;
    case PROP_SAMPLES_PUSHED:
      g_value_set_uint64 (value, vidwrite_writer_get_samples_pushed (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vidwrite_writer_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  VidwriteWriter *self = VIDWRITE_WRITER (object);

  switch (prop_id)
    {
    case PROP_FILENAME:
      self->filename = g_value_dup_string (value);
      break;
    case PROP_FORMAT:
      self->format = g_value_dup_string (value);
      break;
    case PROP_STREAM:
      self->stream = g_value_dup_object (value);
      break;
    case PROP_STALL_TIMEOUT:
      g_mutex_lock (&self->monitor.lock);
      self->stall_timeout = g_value_get_uint (value);
      g_mutex_unlock (&self->monitor.lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vidwrite_writer_class_init (VidwriteWriterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vidwrite_writer_dispose;
  object_class->finalize = vidwrite_writer_finalize;
  object_class->get_property = vidwrite_writer_get_property;
  object_class->set_property = vidwrite_writer_set_property;

  /**
   * VidwriteWriter:filename: (type filename)
   *
   * The file this writer writes.
   */
  properties[PROP_FILENAME] =
      g_param_spec_string ("filename", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * VidwriteWriter:format:
   *
   * FFmpeg's name of the container ("mp4", "matroska", ...), or %NULL when the file's
   * extension decides.
   *
   * Since: 0.2
   */
  properties[PROP_FORMAT] =
      g_param_spec_string ("format", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * VidwriteWriter:stream:
   *
   * The stream this writer writes to, or %NULL when it writes a file.
   *
   * Since: 0.2
   */
  properties[PROP_STREAM] =
      g_param_spec_object ("stream", NULL, NULL, G_TYPE_OUTPUT_STREAM,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * VidwriteWriter:audio-ahead:
   *
   * How many audio samples a caller should push ahead of the frames of the same time so that
   * no frame waits in the writer for its audio (0 without audio).  The Python package and the
   * command interleave their pushes by it.
   *
   * Since: 0.2
   */
  properties[PROP_AUDIO_AHEAD] = g_param_spec_uint64 (
      "audio-ahead", NULL, NULL, 0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * VidwriteWriter:stall-timeout:
   *
   * Seconds a push or finish may wait without any data moving in the pipeline before it fails
   * with %VIDWRITE_ERROR_ENCODE; 0 waits for ever.
   */
  properties[PROP_STALL_TIMEOUT] =
      g_param_spec_uint ("stall-timeout", NULL, NULL, 0, G_MAXUINT, DEFAULT_STALL_TIMEOUT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * VidwriteWriter:frames-pushed:
   *
   * Frames the caller has pushed so far.
   */
  properties[PROP_FRAMES_PUSHED] = g_param_spec_uint64 (
      "frames-pushed", NULL, NULL, 0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * VidwriteWriter:frames-encoded:
   *
   * Frames that have left the encoder so far.
   */
  properties[PROP_FRAMES_ENCODED] = g_param_spec_uint64 (
      "frames-encoded", NULL, NULL, 0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * VidwriteWriter:samples-pushed:
   *
   * Audio samples (of each channel) the caller has pushed so far.
   */
  properties[PROP_SAMPLES_PUSHED] = g_param_spec_uint64 (
      "samples-pushed", NULL, NULL, 0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VidwriteWriter::progress:
   * @writer: the writer
   * @frames_encoded: frames that have left the encoder
   * @frames_pushed: frames the caller has pushed
   *
   * Emitted as frames leave the encoder: from push and finish calls, in the calling thread, or
   * with vidwrite_writer_finish_async(), in the caller's main context.
   */
  signals[SIGNAL_PROGRESS] =
      g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_UINT64);
}

static void
vidwrite_writer_init (VidwriteWriter *self)
{
  g_mutex_init (&self->api_lock);
  g_mutex_init (&self->push_lock);
  g_queue_init (&self->pushes);
  vw_monitor_init (&self->monitor);
  vw_stream_init (&self->video, VW_MEDIA_VIDEO, &self->monitor);
  vw_stream_init (&self->audio, VW_MEDIA_AUDIO, &self->monitor);
  self->stall_timeout = DEFAULT_STALL_TIMEOUT;
}

/* ---- asynchronous pushes ---------------------------------------------------------------- */

/* A writer's asynchronous pushes run on a thread of its own, one at a time, in call order: the
 * thread is started by a push when none runs, and ends as soon as no push is left.  Not a
 * GThreadPool: a freed pool's thread is parked in GLib's shared pool of unused threads, which a
 * forked child inherits without the thread (its next shared-pool task would wait for ever), and
 * a shared pool may wait for a helper thread to spawn a new one, blocking the caller's main
 * loop.  The queued tasks hold the writer, the thread holds it while it runs.
 */

typedef struct
{
  GBytes *data;
  gboolean audio;
} PushData;

static void
push_data_free (gpointer data)
{
  PushData *d = data;

  g_bytes_unref (d->data);
  g_free (d);
}

/* `progress` from an asynchronous push goes to its caller's context; NULL after it, so that a
 * synchronous call emits in its own thread again. */
static void
set_progress_context (VidwriteWriter *self, GMainContext *context)
{
  G_GNUC_UNUSED g_autoptr (ApiGuard) guard = api_enter (self);

  if (self->progress_context != context)
    {
      g_clear_pointer (&self->progress_context, g_main_context_unref);
      self->progress_context = context ? g_main_context_ref (context) : NULL;
    }
}

static gboolean
run_push (GTask *task, GError **error)
{
  VidwriteWriter *self = g_task_get_source_object (task);
  PushData *d = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  gulong handler = 0;
  gboolean ok;

  set_progress_context (self, g_task_get_context (task));
  if (cancellable)
    handler
        = g_cancellable_connect (cancellable, G_CALLBACK (on_cancellable_cancelled), self, NULL);
  ok = d->audio ? vidwrite_writer_push_audio (self, d->data, error)
                : vidwrite_writer_push_frames (self, d->data, error);
  if (handler)
    g_cancellable_disconnect (cancellable, handler);
  set_progress_context (self, NULL);
  return ok;
}

/* Takes the first task from the queue; when there is none, this thread stops, and says it
 * exits before another can start: the next thread's vw_thread_reap() then waits for this one's
 * last outcome to be on its way, so that the callbacks keep the order of the pushes. */
static GTask *
next_push (VidwriteWriter *self)
{
  GTask *task;

  g_mutex_lock (&self->push_lock);
  task = g_queue_pop_head (&self->pushes);
  if (!task)
    {
      vw_thread_exiting ();
      self->pushing = FALSE;
    }
  g_mutex_unlock (&self->push_lock);
  return task;
}

/* The thread of the pushes: runs them until none is left.  The tasks hold the writer. */
static gpointer
run_pushes (gpointer data)
{
  GTask *task = next_push (data);

  vw_thread_reap (); /* the thread of earlier pushes: its last outcome is attached */
  while (task)
    {
      GError *error = NULL;
      gboolean ok = run_push (task, &error);
      GTask *next = next_push (g_task_get_source_object (task));

      if (!next)
        {
          return_from_thread (task, ok, error);
          break;
        }
      if (ok)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      g_object_unref (task); /* the queue's reference */
      task = next;
    }
  return NULL;
}

/* Queues `task` (taking its reference), and starts the thread if none runs. */
static void
queue_push (VidwriteWriter *self, GTask *task)
{
  gboolean start;

  g_mutex_lock (&self->push_lock);
  g_queue_push_tail (&self->pushes, task);
  start = !self->pushing;
  self->pushing = TRUE;
  g_mutex_unlock (&self->push_lock);
  if (start)
    {
      g_autoptr (GError) error = NULL;
      GThread *thread = g_thread_try_new ("vidwrite-push", run_pushes, self, &error);

      /* As g_thread_new() itself does: a process that cannot start a thread cannot go on. */
      if (!thread)
        g_error ("vidwrite: cannot start the thread of asynchronous pushes: %s", error->message);
      g_thread_unref (thread);
    }
}

static void
push_async (VidwriteWriter *self, GBytes *data, gboolean audio, gpointer source_tag,
            GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  PushData *d = g_new0 (PushData, 1);

  g_task_set_source_tag (task, source_tag);
  /* A cancelled push reports the writer's own CANCELLED error, not GIO's. */
  g_task_set_check_cancellable (task, FALSE);
  d->data = data ? g_bytes_ref (data) : NULL;
  d->audio = audio;
  g_task_set_task_data (task, d, push_data_free);
  queue_push (self, task);
}

/**
 * vidwrite_writer_push_frames_async:
 * @self: a #VidwriteWriter
 * @frames: any whole number of frames, as for vidwrite_writer_push_frames()
 * @cancellable: (nullable): cancels the write: like vidwrite_writer_cancel(), it abandons the
 *   file, and this push and those after it fail with %VIDWRITE_ERROR_CANCELLED
 * @callback: (scope async): called in the thread-default main context of the caller when the
 *   frames are queued in the pipeline
 * @user_data: data for @callback
 *
 * Like vidwrite_writer_push_frames(), without ever blocking the caller: the push, and its wait
 * for room in the encoder, happen in a worker thread.  This is how a GTK application (or any
 * main loop) feeds a writer:
 *
 * |[<!-- language="C" -->
 * static void
 * pushed (GObject *source, GAsyncResult *result, gpointer user_data)
 * {
 *   g_autoptr (GError) error = NULL;
 *
 *   if (!vidwrite_writer_push_frames_finish (VIDWRITE_WRITER (source), result, &error))
 *     return show_error (error);
 *   push_next_frame (user_data);  // one push in flight keeps memory bounded
 * }
 * ]|
 *
 * Asynchronous pushes of frames and audio are applied in the order they were called, one after
 * the other, whatever their number; each callback runs in that order too.  @frames is
 * referenced, not copied, until it has been converted.  While a push runs,
 * #VidwriteWriter::progress is emitted in the main context of that push's caller.  Call
 * vidwrite_writer_finish_async() (or vidwrite_writer_finish()) after the callback of the last push:
 * a finish does not wait for pushes still pending, which then fail with %VIDWRITE_ERROR_STATE.  The
 * writer stays alive until every pending push has called back.
 *
 * Since: 0.2
 */
void
vidwrite_writer_push_frames_async (VidwriteWriter *self, GBytes *frames, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (VIDWRITE_IS_WRITER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  push_async (self, frames, FALSE, vidwrite_writer_push_frames_async, cancellable, callback,
              user_data);
}

/**
 * vidwrite_writer_push_frames_finish:
 * @self: a #VidwriteWriter
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError in the %VIDWRITE_ERROR domain
 *
 * Completes vidwrite_writer_push_frames_async(), with the error vidwrite_writer_push_frames()
 * would have given.
 *
 * Returns: %TRUE when the frames were accepted
 *
 * Since: 0.2
 */
gboolean
vidwrite_writer_push_frames_finish (VidwriteWriter *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vidwrite_writer_push_frames_async),
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * vidwrite_writer_push_audio_async:
 * @self: a #VidwriteWriter
 * @samples: any whole number of samples of every channel, as for vidwrite_writer_push_audio()
 * @cancellable: (nullable): cancels the write, as for vidwrite_writer_push_frames_async()
 * @callback: (scope async): called in the thread-default main context of the caller when the
 *   samples are queued
 * @user_data: data for @callback
 *
 * Like vidwrite_writer_push_audio(), without blocking; ordered with the other asynchronous
 * pushes as vidwrite_writer_push_frames_async() describes.
 *
 * Since: 0.2
 */
void
vidwrite_writer_push_audio_async (VidwriteWriter *self, GBytes *samples, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (VIDWRITE_IS_WRITER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  push_async (self, samples, TRUE, vidwrite_writer_push_audio_async, cancellable, callback,
              user_data);
}

/**
 * vidwrite_writer_push_audio_finish:
 * @self: a #VidwriteWriter
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError in the %VIDWRITE_ERROR domain
 *
 * Completes vidwrite_writer_push_audio_async().
 *
 * Returns: %TRUE when the samples were accepted
 *
 * Since: 0.2
 */
gboolean
vidwrite_writer_push_audio_finish (VidwriteWriter *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vidwrite_writer_push_audio_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
