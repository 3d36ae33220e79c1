/* A writer's life: check the configuration, build the pipeline, push, finish, cancel.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Data flows one way: caller's chunks -> pending queues (references, not copies) -> one
 * GstBuffer a frame or audio block -> appsrc -> convert -> encoder -> parser -> muxer ->
 * temporary file -> rename.
 *
 * Flow control is the writer's, not appsrc's: both appsrcs are non-blocking and the writer
 * decides what to hand them.  A muxer takes data only when it has some on every pad, and a
 * video encoder keeps dozens of frames of lookahead, so a thread that fed one stream far ahead
 * of the other into blocking queues would wait forever.  The writer therefore hands over audio
 * only up to AUDIO_LEAD past the video it has handed over, and video only up to AUDIO_MARGIN
 * before the audio; what a caller pushes beyond that waits in the pending queues as references
 * to the caller's GBytes.  Waits (for room in the video queue, for EOS) are woken by pad probes
 * and the bus, and give up when nothing has moved for the stall timeout.
 */
#include "vidwrite-private.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsrc.h>
#include <string.h>
#include <sys/stat.h>

#define VIDEO_QUEUE_FRAMES 3           /* converted frames waiting in appsrc */
#define AUDIO_BLOCK_SAMPLES 4096       /* samples in one audio buffer */
#define AUDIO_MARGIN_MIN (GST_SECOND)  /* audio ahead of any video handed over */
#define AUDIO_MARGIN_SAMPLES 8192      /* ... and at least this many samples (encoder frames) */
#define DEFAULT_STALL_TIMEOUT 120      /* seconds */
#define MAX_AUDIO_CHANNELS 8
#define MAX_AUDIO_RATE 768000

#define P(pos) GST_AUDIO_CHANNEL_POSITION_MASK (pos)
/* FFmpeg's default layout for each channel count (av_channel_layout_default), which is what
 * torchvision's [C, N] means.  GStreamer's own fallbacks differ (3 is 2.1, 4 is quad). */
static const guint64 channel_layouts[MAX_AUDIO_CHANNELS + 1] = {
  [1] = 0, /* mono */
  [2] = P (FRONT_LEFT) | P (FRONT_RIGHT),
  [3] = P (FRONT_LEFT) | P (FRONT_RIGHT) | P (FRONT_CENTER),
  [4] = P (FRONT_LEFT) | P (FRONT_RIGHT) | P (FRONT_CENTER) | P (REAR_CENTER),
  [5] = P (FRONT_LEFT) | P (FRONT_RIGHT) | P (FRONT_CENTER) | P (REAR_LEFT) | P (REAR_RIGHT),
  [6] = P (FRONT_LEFT) | P (FRONT_RIGHT) | P (FRONT_CENTER) | P (LFE1) | P (REAR_LEFT) |
        P (REAR_RIGHT),
  [7] = P (FRONT_LEFT) | P (FRONT_RIGHT) | P (FRONT_CENTER) | P (LFE1) | P (REAR_CENTER) |
        P (SIDE_LEFT) | P (SIDE_RIGHT),
  [8] = P (FRONT_LEFT) | P (FRONT_RIGHT) | P (FRONT_CENTER) | P (LFE1) | P (REAR_LEFT) |
        P (REAR_RIGHT) | P (SIDE_LEFT) | P (SIDE_RIGHT),
};
#undef P

typedef enum
{
  STATE_CONFIGURING,
  STATE_RUNNING,
  STATE_FINISHED,
  STATE_FAILED,
  STATE_CANCELLED,
} WriterState;

typedef struct
{
  GBytes *bytes;
  gsize count; /* frames, or samples of each channel */
  gsize done;  /* how many of them are handed over */
} Chunk;

struct _VidwriteWriter
{
  GObject parent_instance;

  char *filename;
  char *tmp_path;
  const VwContainer *container;
  guint stall_timeout;

  /* video, fixed by set_video() */
  gboolean has_video;
  guint width, height;
  VidwritePixelFormat pixel_format;
  gint fps_n, fps_d;
  gsize frame_size;
  VwResolved vcodec;
  GstElement *venc;
  VwEncoderSettings vsettings;
  GstVideoFormat out_format;
  VwConverter *converter;

  /* audio, fixed by set_audio() */
  gboolean has_audio;
  guint channels, rate;
  VidwriteSampleFormat sample_format;
  VidwriteAudioLayout layout;
  guint sample_bytes;
  VwResolved acodec;
  GstElement *aenc;

  GstElement *pipeline, *vsrc, *asrc;

  /* Serialises push, finish and cancel: the pending queues and counters below are theirs. */
  GMutex api_lock;
  GThread *api_owner; /* the thread holding api_lock, so that cancel() can tell it is inside */
  WriterState state;
  GError *failure; /* why the writer failed, for the calls that come after */
  GQueue video_pending, audio_pending;
  guint64 frames_sent, samples_sent; /* handed to appsrc */
  gboolean video_eos, audio_eos;
  gboolean audio_ended; /* vidwrite_writer_end_audio(): no more audio will come */
  guint64 progress_reported;
  GMainContext *progress_context; /* where finish_async's caller wants `progress` */

  /* Shared with the streaming threads and cancellers, under `lock`. */
  GMutex lock;
  GCond cond;
  GError *pipeline_error;
  gboolean failed; /* an element posted an error */
  gboolean eos;
  gboolean abort;
  guint64 activity; /* buffers seen moving anywhere */

  guint64 frames_pushed, samples_pushed, frames_encoded;
};

enum
{
  PROP_0,
  PROP_FILENAME,
  PROP_STALL_TIMEOUT,
  PROP_FRAMES_PUSHED,
  PROP_FRAMES_ENCODED,
  PROP_SAMPLES_PUSHED,
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
 * Create it with vidwrite_writer_new(), describe the video with vidwrite_writer_set_video() and
 * optionally the audio with vidwrite_writer_set_audio(), push data with
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

static GstClockTime
video_time (VidwriteWriter *self, guint64 frame)
{
  return gst_util_uint64_scale (frame, (guint64) GST_SECOND * self->fps_d, self->fps_n);
}

static GstClockTime
audio_time (VidwriteWriter *self, guint64 sample)
{
  return gst_util_uint64_scale (sample, GST_SECOND, self->rate);
}

static GstClockTime
audio_margin (VidwriteWriter *self)
{
  return MAX (AUDIO_MARGIN_MIN, audio_time (self, AUDIO_MARGIN_SAMPLES));
}

static void
chunk_free (Chunk *chunk)
{
  g_bytes_unref (chunk->bytes);
  g_free (chunk);
}

static void
clear_pending (VidwriteWriter *self)
{
  g_queue_clear_full (&self->video_pending, (GDestroyNotify) chunk_free);
  g_queue_clear_full (&self->audio_pending, (GDestroyNotify) chunk_free);
}

static gboolean
set_state_error (VidwriteWriter *self, GError **error)
{
  switch (self->state)
    {
    case STATE_FINISHED:
      vw_set_error (error, VIDWRITE_ERROR_STATE,
                   "the writer of “%s” has already finished", self->filename);
      break;
    case STATE_CANCELLED:
      vw_set_error (error, VIDWRITE_ERROR_STATE,
                   "the writer of “%s” was cancelled", self->filename);
      break;
    case STATE_FAILED:
      vw_set_error (error, VIDWRITE_ERROR_STATE,
                   "the writer of “%s” failed earlier: %s", self->filename,
                   self->failure ? self->failure->message : "unknown error");
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

static guint64
read_counter (VidwriteWriter *self, const guint64 *counter)
{
  guint64 value;

  g_mutex_lock (&self->lock);
  value = *counter;
  g_mutex_unlock (&self->lock);
  return value;
}

/* ---- the temporary file ----------------------------------------------------------------- */

static gboolean
create_tmp (VidwriteWriter *self, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (self->filename);
  g_autofree char *base = g_path_get_basename (self->filename);
  g_autofree char *tmpl = g_strdup_printf ("%s%c.%s-XXXXXX.vidwrite-tmp", dir, G_DIR_SEPARATOR, base);
  GStatBuf st;
  int fd;

  if (g_stat (self->filename, &st) == 0)
    {
      if (S_ISDIR (st.st_mode))
        {
          vw_set_error (error, VIDWRITE_ERROR_IO, "“%s” is a directory",
                       self->filename);
          return FALSE;
        }
      if (!(st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)))
        {
          vw_set_error (error, VIDWRITE_ERROR_IO,
                       "“%s” exists and is read-only; it is left as it is", self->filename);
          return FALSE;
        }
    }
  if (g_stat (dir, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      vw_set_error (error, VIDWRITE_ERROR_IO,
                   "cannot write “%s”: the directory “%s” does not exist", self->filename, dir);
      return FALSE;
    }
  /* By its mode, as for the target: root could write there, but the owner said not to. */
  if (!(st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)))
    {
      vw_set_error (error, VIDWRITE_ERROR_IO,
                   "cannot write “%s”: the directory “%s” is read-only", self->filename, dir);
      return FALSE;
    }
  /* 0666 so that the umask applies, as it would to a file opened in place. */
  fd = g_mkstemp_full (tmpl, O_RDWR, 0666);
  if (fd < 0)
    {
      int saved = errno;
      vw_set_error (error, VIDWRITE_ERROR_IO,
                   "cannot write “%s”: creating a file in “%s” failed: %s", self->filename, dir,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);
  self->tmp_path = g_steal_pointer (&tmpl);
  return TRUE;
}

static void
remove_tmp (VidwriteWriter *self)
{
  if (self->tmp_path)
    g_unlink (self->tmp_path);
  g_clear_pointer (&self->tmp_path, g_free);
}

/* ---- the pipeline ----------------------------------------------------------------------- */

static GstBusSyncReply
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  VidwriteWriter *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      g_mutex_lock (&self->lock);
      self->failed = TRUE;
      if (!self->pipeline_error)
        vw_set_error_from_message (&self->pipeline_error, message);
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      break;
    case GST_MESSAGE_EOS:
      g_mutex_lock (&self->lock);
      self->eos = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      break;
    default:
      break;
    }
  /* A sync handler that drops a message owns it. */
  gst_message_unref (message);
  return GST_BUS_DROP;
}

/* Any buffer moving anywhere is progress: it wakes waiters and resets the stall clock. */
static GstPadProbeReturn
on_activity (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VidwriteWriter *self = user_data;

  g_mutex_lock (&self->lock);
  self->activity++;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_encoded (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VidwriteWriter *self = user_data;

  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  g_mutex_lock (&self->lock);
  if (!GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_HEADER))
    {
      /* Encoders that lose timestamps emit frames in input order: the n-th is frame n, in
       * their output segment (gst-libav starts it at 1000 hours, to keep DTS positive). */
      if (self->vsettings.restamp)
        {
          g_autoptr (GstEvent) event = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
          const GstSegment *segment = NULL;
          GstClockTime start = 0;

          if (event)
            {
              gst_event_parse_segment (event, &segment);
              start = segment->start;
            }
          buffer = gst_buffer_make_writable (buffer);
          GST_BUFFER_PTS (buffer) = GST_BUFFER_DTS (buffer)
              = start + video_time (self, self->frames_encoded);
          GST_BUFFER_DURATION (buffer) = video_time (self, self->frames_encoded + 1)
                                         - video_time (self, self->frames_encoded);
          GST_PAD_PROBE_INFO_DATA (info) = buffer;
        }
      self->frames_encoded++;
    }
  self->activity++;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return GST_PAD_PROBE_OK;
}

/* A source that fails still sends EOS downstream, and qtmux (mp4, mov) finalising a pad that
 * never got caps hits a GStreamer critical.  The write is abandoned anyway: after an error, EOS
 * stops at the muxer's door. */
static GstPadProbeReturn
on_eos_after_error (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VidwriteWriter *self = user_data;
  gboolean failed;

  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) != GST_EVENT_EOS)
    return GST_PAD_PROBE_OK;
  g_mutex_lock (&self->lock);
  failed = self->failed;
  g_mutex_unlock (&self->lock);
  return failed ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

static void
guard_muxer_input (VidwriteWriter *self, GstElement *last)
{
  GstPad *pad = gst_element_get_static_pad (last, "src");

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_eos_after_error, self, NULL);
  gst_object_unref (pad);
}

static void
watch_pad (VidwriteWriter *self, GstElement *element, const char *pad_name, GstPadProbeCallback cb)
{
  GstPad *pad = gst_element_get_static_pad (element, pad_name);

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, cb, self, NULL);
  gst_object_unref (pad);
}

static GstElement *
make (const char *factory, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (!element)
    vw_set_error (error, VIDWRITE_ERROR_CODEC_UNAVAILABLE,
                 "the GStreamer element %s is not installed", factory);
  return element;
}

/* Adds `next` to the pipeline unless it is there already, links `*tail` to it and makes it the
 * new tail. */
static gboolean
add_and_link (VidwriteWriter *self, GstElement **tail, GstElement *next, GError **error)
{
  if (!GST_OBJECT_PARENT (next))
    gst_bin_add (GST_BIN (self->pipeline), next);
  if (*tail && !gst_element_link (*tail, next))
    {
      vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE, "cannot link %s to %s",
                   GST_OBJECT_NAME (*tail), GST_OBJECT_NAME (next));
      return FALSE;
    }
  *tail = next;
  return TRUE;
}

/* add_and_link() for an element the writer holds a reference to (its encoders, sunk when they
 * were made): the bin takes a reference of its own, so the writer's is dropped. */
static gboolean
add_and_link_owned (VidwriteWriter *self, GstElement **tail, GstElement *owned, GError **error)
{
  gboolean ok = add_and_link (self, tail, owned, error);

  gst_object_unref (owned);
  return ok;
}

static gboolean
add_factory (VidwriteWriter *self, GstElement **tail, const char *factory, GError **error)
{
  GstElement *element = make (factory, error);

  return element && add_and_link (self, tail, element, error);
}

static gboolean
build_video_branch (VidwriteWriter *self, GstElement *muxer, GError **error)
{
  g_autoptr (GstCaps) src_caps = vw_converter_get_caps (self->converter, self->fps_n, self->fps_d);
  GstElement *tail = NULL;
  GstElement *filter;
  GstCaps *caps;

  self->vsrc = gst_element_factory_make ("appsrc", "video-src");
  g_object_set (self->vsrc, "caps", src_caps, "format", GST_FORMAT_TIME, "block", FALSE,
                "max-bytes", (guint64) 0, "max-buffers", (guint64) 0, NULL);
  if (!add_and_link (self, &tail, self->vsrc, error) ||
      !add_factory (self, &tail, "videoconvert", error))
    return FALSE;
  /* Its default Bayer dither cost 3.3 dB going from 8-bit RGB to 10-bit YUV (ProRes). */
  gst_util_set_object_arg (G_OBJECT (tail), "dither", "none");
  /* Room in the queue appears when a frame leaves appsrc, not only when one leaves the encoder:
   * while x264 fills its lookahead nothing comes out of it for dozens of frames. */
  watch_pad (self, self->vsrc, "src", on_activity);

  /* What the encoder is fed, and the matrix it is converted with and tagged as. */
  caps = gst_caps_new_empty_simple ("video/x-raw");
  if (self->out_format != GST_VIDEO_FORMAT_UNKNOWN)
    {
      gst_caps_set_simple (caps, "format", G_TYPE_STRING,
                           gst_video_format_to_string (self->out_format), NULL);
      if (GST_VIDEO_FORMAT_INFO_IS_YUV (gst_video_format_get_info (self->out_format)))
        gst_caps_set_simple (caps, "colorimetry", G_TYPE_STRING, GST_VIDEO_COLORIMETRY_BT601, NULL);
    }
  filter = gst_element_factory_make ("capsfilter", NULL);
  g_object_set (filter, "caps", caps, NULL);
  gst_caps_unref (caps);
  if (!add_and_link (self, &tail, filter, error))
    return FALSE;

  if (!add_and_link_owned (self, &tail, g_steal_pointer (&self->venc), error))
    return FALSE;
  watch_pad (self, tail, "src", on_encoded);

  if (gst_structure_n_fields (self->vsettings.encoder_caps) > 0)
    {
      filter = gst_element_factory_make ("capsfilter", NULL);
      caps = gst_caps_new_full (gst_structure_copy (self->vsettings.encoder_caps), NULL);
      g_object_set (filter, "caps", caps, NULL);
      gst_caps_unref (caps);
      if (!add_and_link (self, &tail, filter, error))
        return FALSE;
    }
  if (self->vcodec.codec && self->vcodec.codec->parser &&
      !add_factory (self, &tail, self->vcodec.codec->parser, error))
    return FALSE;
  guard_muxer_input (self, tail);
  return add_and_link (self, &tail, muxer, error);
}

/* What the encoder must be fed: exactly our channels, in our layout.  Without this, audioconvert
 * would quietly remix to whatever layout the encoder prefers (it downmixed 3.0 to mono). */
static GstCaps *
audio_stream_caps (guint channels)
{
  GstCaps *caps = gst_caps_new_simple ("audio/x-raw", "channels", G_TYPE_INT, (gint) channels, NULL);

  if (channels > 1)
    gst_caps_set_simple (caps, "channel-mask", GST_TYPE_BITMASK, channel_layouts[channels], NULL);
  return caps;
}

static gboolean
build_audio_branch (VidwriteWriter *self, GstElement *muxer, GError **error)
{
  GstAudioInfo info;
  GstAudioChannelPosition positions[MAX_AUDIO_CHANNELS];
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstCaps) pinned = audio_stream_caps (self->channels);
  GstElement *tail = NULL, *pin;

  gst_audio_channel_positions_from_mask (self->channels, channel_layouts[self->channels], positions);
  gst_audio_info_set_format (&info,
                             self->sample_format == VIDWRITE_SAMPLE_FORMAT_F32 ? GST_AUDIO_FORMAT_F32
                                                                               : GST_AUDIO_FORMAT_S16,
                             self->rate, self->channels, positions);
  caps = gst_audio_info_to_caps (&info);

  self->asrc = gst_element_factory_make ("appsrc", "audio-src");
  g_object_set (self->asrc, "caps", caps, "format", GST_FORMAT_TIME, "block", FALSE, "max-bytes",
                (guint64) 0, "max-buffers", (guint64) 0, NULL);
  if (!add_and_link (self, &tail, self->asrc, error) ||
      !add_factory (self, &tail, "audioconvert", error) ||
      !add_factory (self, &tail, "audioresample", error))
    return FALSE;
  pin = gst_element_factory_make ("capsfilter", NULL);
  g_object_set (pin, "caps", pinned, NULL);
  if (!add_and_link (self, &tail, pin, error) ||
      !add_and_link_owned (self, &tail, g_steal_pointer (&self->aenc), error))
    return FALSE;
  watch_pad (self, tail, "src", on_activity);
  if (self->acodec.codec && self->acodec.codec->parser &&
      !add_factory (self, &tail, self->acodec.codec->parser, error))
    return FALSE;
  guard_muxer_input (self, tail);
  return add_and_link (self, &tail, muxer, error);
}

/* The pipeline's error, said with which file and encoders it concerns.  Called with `lock`. */
static void
take_pipeline_error (VidwriteWriter *self, GError **error)
{
  GError *e = g_steal_pointer (&self->pipeline_error);

  g_prefix_error (&e, "writing “%s” (video: %s%s%s) failed: ", self->filename,
                  vw_resolved_name (&self->vcodec),
                  self->has_audio ? ", audio: " : "",
                  self->has_audio ? vw_resolved_name (&self->acodec) : "");
  vw_error_make_valid (e);
  g_propagate_error (error, e);
}

static gboolean
start_pipeline (VidwriteWriter *self, GError **error)
{
  GstElement *muxer, *sink;
  g_autoptr (GstBus) bus = NULL;

  self->pipeline = gst_pipeline_new ("vidwrite");
  sink = make ("filesink", error);
  if (!sink)
    return FALSE;
  /* A muxer that options configured was made with them (vw_options_apply). */
  muxer = self->vsettings.muxer ? self->vsettings.muxer : make (self->container->muxer, error);
  if (!muxer)
    {
      g_clear_object (&sink);
      return FALSE;
    }
  g_object_set (sink, "location", self->tmp_path, NULL);
  gst_bin_add_many (GST_BIN (self->pipeline), muxer, sink, NULL);
  if (!gst_element_link (muxer, sink))
    {
      vw_set_error (error, VIDWRITE_ERROR_ENCODE, "cannot link %s to filesink",
                   self->container->muxer);
      return FALSE;
    }
  watch_pad (self, sink, "sink", on_activity);

  if (!build_video_branch (self, muxer, error))
    return FALSE;
  if (self->has_audio && !build_audio_branch (self, muxer, error))
    return FALSE;

  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  gst_bus_set_sync_handler (bus, on_bus_message, self, NULL);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_mutex_lock (&self->lock);
      if (self->pipeline_error)
        take_pipeline_error (self, error);
      else
        vw_set_error (error, VIDWRITE_ERROR_ENCODE,
                     "the pipeline for “%s” would not start", self->filename);
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  self->state = STATE_RUNNING;
  return TRUE;
}

static void
stop_pipeline (VidwriteWriter *self)
{
  if (!self->pipeline)
    return;
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  {
    g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
    gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  }
  g_clear_object (&self->pipeline);
  self->vsrc = self->asrc = NULL;
}

/* Ends the write for good: no pipeline, no temporary file, the target as it was. */
static void
abandon (VidwriteWriter *self, WriterState state, const GError *why)
{
  stop_pipeline (self);
  clear_pending (self);
  remove_tmp (self);
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

typedef struct
{
  VidwriteWriter *self;
  guint64 encoded, pushed;
} ProgressData;

static gboolean
emit_progress_idle (gpointer data)
{
  ProgressData *p = data;

  g_signal_emit (p->self, signals[SIGNAL_PROGRESS], 0, p->encoded, p->pushed);
  return G_SOURCE_REMOVE;
}

static void
progress_data_free (gpointer data)
{
  ProgressData *p = data;

  g_object_unref (p->self);
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
      ProgressData *p = g_new (ProgressData, 1);

      p->self = g_object_ref (self);
      p->encoded = encoded;
      p->pushed = pushed;
      g_main_context_invoke_full (self->progress_context, G_PRIORITY_DEFAULT, emit_progress_idle,
                                  p, progress_data_free);
    }
  else
    g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, encoded, pushed);
}

/* ---- waiting ---------------------------------------------------------------------------- */

typedef gboolean (*ReadyFunc) (VidwriteWriter *self);

/* Waits until ready(), the pipeline fails, the writer is cancelled, or nothing moves for the
 * stall timeout.  Takes and releases `lock`; reports progress while it waits. */
static gboolean
wait_until (VidwriteWriter *self, ReadyFunc ready, const char *what, GError **error)
{
  gint64 stall_end = 0;
  guint64 seen = G_MAXUINT64;
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();

      if (self->abort)
        {
          vw_set_error (error, VIDWRITE_ERROR_CANCELLED, "writing “%s” was cancelled",
                       self->filename);
          break;
        }
      if (self->pipeline_error)
        {
          take_pipeline_error (self, error);
          break;
        }
      if (ready (self))
        {
          ok = TRUE;
          break;
        }
      if (self->activity != seen)
        {
          seen = self->activity;
          stall_end = now + (gint64) self->stall_timeout * G_TIME_SPAN_SECOND;
        }
      else if (self->stall_timeout && now >= stall_end)
        {
          vw_set_error (error, VIDWRITE_ERROR_ENCODE,
                       "writing “%s” stalled: nothing moved for %u s while waiting for %s",
                       self->filename, self->stall_timeout, what);
          break;
        }
      g_cond_wait_until (&self->cond, &self->lock, MIN (stall_end, now + G_TIME_SPAN_SECOND / 10));

      g_mutex_unlock (&self->lock);
      report_progress (self);
      g_mutex_lock (&self->lock);
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

static gboolean
video_queue_has_room (VidwriteWriter *self)
{
  return gst_app_src_get_current_level_buffers (GST_APP_SRC (self->vsrc)) < VIDEO_QUEUE_FRAMES;
}

static gboolean
reached_eos (VidwriteWriter *self)
{
  return self->eos;
}

/* ---- handing data to the pipeline ------------------------------------------------------- */

static gboolean
push_buffer (VidwriteWriter *self, GstElement *src, GstBuffer *buffer, GError **error)
{
  GstFlowReturn ret = gst_app_src_push_buffer (GST_APP_SRC (src), buffer);

  if (ret == GST_FLOW_OK)
    return TRUE;
  g_mutex_lock (&self->lock);
  if (self->pipeline_error)
    take_pipeline_error (self, error);
  else
    vw_set_error (error, VIDWRITE_ERROR_ENCODE, "%s refused a buffer: %s",
                 GST_OBJECT_NAME (src), gst_flow_get_name (ret));
  g_mutex_unlock (&self->lock);
  return FALSE;
}

static gboolean
send_video_frame (VidwriteWriter *self, GError **error)
{
  Chunk *chunk = g_queue_peek_head (&self->video_pending);
  GstBuffer *buffer;

  if (!wait_until (self, video_queue_has_room, "room in the video queue", error))
    return FALSE;
  buffer = vw_converter_convert (self->converter, chunk->bytes, chunk->done * self->frame_size);
  if (!buffer)
    {
      vw_set_error (error, VIDWRITE_ERROR_ENCODE,
                   "could not get a buffer for frame %" G_GUINT64_FORMAT, self->frames_sent);
      return FALSE;
    }
  GST_BUFFER_PTS (buffer) = video_time (self, self->frames_sent);
  GST_BUFFER_DURATION (buffer) = video_time (self, self->frames_sent + 1) - GST_BUFFER_PTS (buffer);
  GST_BUFFER_OFFSET (buffer) = self->frames_sent;
  if (!push_buffer (self, self->vsrc, buffer, error))
    return FALSE;
  self->frames_sent++;
  if (++chunk->done == chunk->count)
    chunk_free (g_queue_pop_head (&self->video_pending));
  return TRUE;
}

static void
bytes_unref (gpointer data)
{
  g_bytes_unref (data);
}

/* Planar [C, N] -> interleaved, for n samples from sample `first` of each channel. */
static void
interleave (const guint8 *src, gsize count, gsize first, gsize n, guint channels, guint bps,
            guint8 *dst)
{
  for (guint c = 0; c < channels; c++)
    {
      const guint8 *plane = src + (c * count + first) * bps;

      if (bps == 4)
        for (gsize i = 0; i < n; i++)
          memcpy (dst + (i * channels + c) * 4, plane + i * 4, 4);
      else
        for (gsize i = 0; i < n; i++)
          memcpy (dst + (i * channels + c) * 2, plane + i * 2, 2);
    }
}

/* One block of at most AUDIO_BLOCK_SAMPLES from the head chunk.  Interleaved chunks go as views
 * of the caller's memory.  Planar chunks are interleaved a block at a time: elements disagree on
 * GstAudioMeta plane offsets (audioconvert refuses views whose size is not whole frames,
 * avenc_aac reads planes as contiguous), and audio is a small share of the data. */
static gboolean
send_audio_block (VidwriteWriter *self, GError **error)
{
  Chunk *chunk = g_queue_peek_head (&self->audio_pending);
  gsize n = MIN (AUDIO_BLOCK_SAMPLES, chunk->count - chunk->done);
  gsize size;
  const guint8 *data = g_bytes_get_data (chunk->bytes, &size);
  const gsize frame = (gsize) self->channels * self->sample_bytes;
  GstBuffer *buffer;

  if (self->layout == VIDWRITE_AUDIO_LAYOUT_PLANAR)
    {
      GstMapInfo map;

      buffer = gst_buffer_new_allocate (NULL, n * frame, NULL);
      gst_buffer_map (buffer, &map, GST_MAP_WRITE);
      interleave (data, chunk->count, chunk->done, n, self->channels, self->sample_bytes,
                  map.data);
      gst_buffer_unmap (buffer, &map);
    }
  else
    {
      buffer = gst_buffer_new ();
      gst_buffer_append_memory (buffer, gst_memory_new_wrapped (GST_MEMORY_FLAG_READONLY,
                                                                (gpointer) data, size,
                                                                chunk->done * frame, n * frame,
                                                                g_bytes_ref (chunk->bytes),
                                                                bytes_unref));
    }

  GST_BUFFER_PTS (buffer) = audio_time (self, self->samples_sent);
  GST_BUFFER_DURATION (buffer) = audio_time (self, self->samples_sent + n) - GST_BUFFER_PTS (buffer);
  GST_BUFFER_OFFSET (buffer) = self->samples_sent;
  GST_BUFFER_OFFSET_END (buffer) = self->samples_sent + n;
  if (!push_buffer (self, self->asrc, buffer, error))
    return FALSE;
  self->samples_sent += n;
  chunk->done += n;
  if (chunk->done == chunk->count)
    chunk_free (g_queue_pop_head (&self->audio_pending));
  return TRUE;
}

static gboolean
send_eos (VidwriteWriter *self, GstElement *src, gboolean *sent, GError **error)
{
  GstFlowReturn ret;

  if (*sent || !src)
    return TRUE;
  ret = gst_app_src_end_of_stream (GST_APP_SRC (src));
  if (ret != GST_FLOW_OK)
    {
      vw_set_error (error, VIDWRITE_ERROR_ENCODE, "%s refused end of stream: %s",
                   GST_OBJECT_NAME (src), gst_flow_get_name (ret));
      return FALSE;
    }
  *sent = TRUE;
  return TRUE;
}

/* Hands over whatever the interleaving rule allows (see the top of this file).  When
 * `finishing`, a stream with nothing left pending ends, which frees the other. */
static gboolean
drain (VidwriteWriter *self, gboolean finishing, GError **error)
{
  gboolean moved;

  do
    {
      moved = FALSE;

      while (!g_queue_is_empty (&self->audio_pending))
        {
          GstClockTime lead = audio_margin (self) + GST_SECOND;

          if (!self->video_eos &&
              audio_time (self, self->samples_sent) > video_time (self, self->frames_sent) + lead)
            break;
          if (!send_audio_block (self, error))
            return FALSE;
          moved = TRUE;
        }
      if ((finishing || self->audio_ended) && g_queue_is_empty (&self->audio_pending) &&
          !send_eos (self, self->asrc, &self->audio_eos, error))
        return FALSE;

      while (!g_queue_is_empty (&self->video_pending))
        {
          if (self->has_audio && !self->audio_eos &&
              audio_time (self, self->samples_sent) <
                  video_time (self, self->frames_sent) + audio_margin (self))
            break;
          if (!send_video_frame (self, error))
            return FALSE;
          moved = TRUE;
        }
      if (finishing && g_queue_is_empty (&self->video_pending) &&
          !send_eos (self, self->vsrc, &self->video_eos, error))
        return FALSE;
    }
  while (moved);
  return TRUE;
}

/* ---- public API ------------------------------------------------------------------------- */

static gboolean
vidwrite_writer_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  VidwriteWriter *self = VIDWRITE_WRITER (initable);

  if (!vw_ensure_gst (error))
    return FALSE;
  if (!self->filename || !*self->filename)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "the filename is %s", self->filename ? "empty" : "missing (NULL)");
      return FALSE;
    }
  self->container = vw_container_for_filename (self->filename, error);
  return self->container && create_tmp (self, error);
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
 * succeeds; until then the data goes to a hidden temporary file in the same directory, and an
 * existing file at @filename is left untouched if anything fails.  The directory is checked
 * here: a missing or unwritable one is %VIDWRITE_ERROR_IO.
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
 * vidwrite_writer_get_filename:
 * @self: a #VidwriteWriter
 *
 * Gets the name of the file the writer writes, as given to vidwrite_writer_new().
 *
 * Returns: (type filename): the file this writer writes
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
                   "the %s of “%s” must be configured before the first push", what, self->filename);
      return FALSE;
    }
  return TRUE;
}

/* Makes and configures the encoder for `name` (NULL: `fallback`) and checks the container. */
static GstElement *
prepare_encoder (VidwriteWriter *self, const char *name, VwMedia media, const GstCaps *input,
                 guint channels, GHashTable *options, VwResolved *resolved, VwEncoderSettings *settings,
                 GError **error)
{
  GstElement *encoder;

  if (!vw_codec_resolve (name, media, input, resolved, error))
    return NULL;
  if (!vw_codec_check_container (resolved, self->container, error))
    {
      vw_resolved_clear (resolved);
      return NULL;
    }
  encoder = vw_codec_make_encoder (resolved, self->container, error);
  if (!encoder)
    return NULL;
  if (!vw_options_apply (encoder, vw_resolved_name (resolved), resolved->ffmpeg_name, media,
                         channels, self->container->muxer, options, settings, error))
    {
      gst_object_unref (encoder);
      vw_encoder_settings_clear (settings);
      vw_resolved_clear (resolved);
      return NULL;
    }
  return encoder;
}

/* 4:2:0 and 4:2:2 need their subsampled dimensions even. */
static gboolean
check_subsampling (VidwriteWriter *self, GError **error)
{
  const GstVideoFormatInfo *finfo = gst_video_format_get_info (self->out_format);
  guint wsub = GST_VIDEO_FORMAT_INFO_W_SUB (finfo, 1), hsub = GST_VIDEO_FORMAT_INFO_H_SUB (finfo, 1);
  gboolean odd_w = self->width % (1u << wsub) != 0, odd_h = self->height % (1u << hsub) != 0;

  if (!odd_w && !odd_h)
    return TRUE;
  vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
               "%ux%u frames cannot be encoded as %s: its chroma is subsampled, so the %s must "
               "be even; use the option pix_fmt=yuv444p or an even size",
               self->width, self->height, gst_video_format_to_string (self->out_format),
               odd_w && odd_h ? "width and height" : odd_w ? "width" : "height");
  return FALSE;
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
  GstVideoFormat accepted;

  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  guard = api_enter (self);

  if (!check_configuring (self, "video", error))
    return FALSE;
  if (self->has_video)
    {
      vw_set_error (error, VIDWRITE_ERROR_STATE,
                   "the video of “%s” is already configured", self->filename);
      return FALSE;
    }
  if (width < 1 || width > VW_MAX_DIMENSION || height < 1 || height > VW_MAX_DIMENSION)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "frame size %ux%u is out of range (1 to %u on each side)", width, height,
                   VW_MAX_DIMENSION);
      return FALSE;
    }
  if ((guint) format > VIDWRITE_PIXEL_FORMAT_GRAY8)
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
  if (width < self->container->min_dimension || height < self->container->min_dimension)
    {
      vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                   "%ux%u frames are too small for a .%s file (%u pixels a side at least); use "
                   ".mkv or .mov",
                   width, height, self->container->extension, self->container->min_dimension);
      return FALSE;
    }

  {
    g_autoptr (GstCaps) input = gst_caps_new_simple ("video/x-raw", "width", G_TYPE_INT, (gint) width,
                                                     "height", G_TYPE_INT, (gint) height, NULL);
    self->venc
        = prepare_encoder (self, codec ? codec : self->container->default_video, VW_MEDIA_VIDEO,
                           input, 0, options, &self->vcodec, &self->vsettings, error);
  }
  if (!self->venc)
    return FALSE;

  self->width = width;
  self->height = height;
  self->pixel_format = format;
  {
    gint g = (gint) gst_util_greatest_common_divisor (fps_n, fps_d);
    self->fps_n = fps_n / g;
    self->fps_d = fps_d / g;
  }
  self->frame_size = (gsize) width * height * vw_pixel_format_bytes (format);

  /* FFmpeg's default is yuv420p; an encoder that cannot take it gets what videoconvert picks. */
  accepted = self->vsettings.pix_fmt;
  if (accepted == GST_VIDEO_FORMAT_UNKNOWN)
    {
      GstPad *sink = gst_element_get_static_pad (self->venc, "sink");
      g_autoptr (GstCaps) caps = gst_pad_query_caps (sink, NULL);
      g_autoptr (GstCaps) i420 = gst_caps_from_string ("video/x-raw,format=I420");

      if (gst_caps_can_intersect (caps, i420))
        accepted = GST_VIDEO_FORMAT_I420;
      gst_object_unref (sink);
    }
  self->out_format = accepted;
  if (accepted != GST_VIDEO_FORMAT_UNKNOWN && !check_subsampling (self, error))
    {
      g_clear_object (&self->venc);
      vw_encoder_settings_clear (&self->vsettings);
      vw_resolved_clear (&self->vcodec);
      return FALSE;
    }
  self->converter = vw_converter_new (format, accepted, width, height);
  self->has_video = TRUE;
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
 * @options: (nullable) (element-type utf8 utf8): FFmpeg options for the codec ({"b": "128k"})
 *
 * Adds an audio stream.  Call it before the first push.  Float samples are scaled to the
 * encoder's format, never cast.
 *
 * Returns: %TRUE on success
 */
gboolean
vidwrite_writer_set_audio (VidwriteWriter *self, guint channels, guint rate,
                           VidwriteSampleFormat format, VidwriteAudioLayout layout,
                           const char *codec, GHashTable *options, GError **error)
{
  g_autoptr (ApiGuard) guard = NULL;
  VwEncoderSettings settings = { 0 };

  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  guard = api_enter (self);

  if (!check_configuring (self, "audio", error))
    return FALSE;
  if (self->has_audio)
    {
      vw_set_error (error, VIDWRITE_ERROR_STATE,
                   "the audio of “%s” is already configured", self->filename);
      return FALSE;
    }
  if (channels < 1 || channels > MAX_AUDIO_CHANNELS)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%u audio channels is out of range (1 to %u)", channels, MAX_AUDIO_CHANNELS);
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
    g_autoptr (GstCaps) input = audio_stream_caps (channels);
    self->aenc = prepare_encoder (self, codec ? codec : self->container->default_audio,
                                  VW_MEDIA_AUDIO, input, channels, options, &self->acodec,
                                  &settings, error);
  }
  vw_encoder_settings_clear (&settings);
  if (!self->aenc)
    return FALSE;
  self->channels = channels;
  self->rate = rate;
  self->sample_format = format;
  self->layout = layout;
  self->sample_bytes = format == VIDWRITE_SAMPLE_FORMAT_F32 ? 4 : 2;
  self->has_audio = TRUE;
  return TRUE;
}

static gboolean
check_pushable (VidwriteWriter *self, GBytes *data, gboolean has, const char *what, GError **error)
{
  if (!is_open (self))
    return set_state_error (self, error);
  if (!self->has_video)
    {
      vw_set_error (error, VIDWRITE_ERROR_STATE,
                   "the video of “%s” is not configured: call vidwrite_writer_set_video() first",
                   self->filename);
      return FALSE;
    }
  if (!has)
    {
      vw_set_error (error, VIDWRITE_ERROR_STATE,
                   "the writer of “%s” has no %s stream: call vidwrite_writer_set_audio() before "
                   "the first push",
                   self->filename, what);
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

  g_mutex_lock (&self->lock);
  abort = self->abort;
  g_mutex_unlock (&self->lock);
  if (abort)
    vw_set_error (error, VIDWRITE_ERROR_CANCELLED, "writing “%s” was cancelled",
                 self->filename);
  return !abort;
}

static gboolean
push_chunk (VidwriteWriter *self, GQueue *queue, GBytes *data, gsize count, GError **error)
{
  GError *local = NULL;

  if (self->state == STATE_CONFIGURING && !start_pipeline (self, &local))
    return fail (self, error, local);
  if (count > 0)
    {
      Chunk *chunk = g_new0 (Chunk, 1);

      chunk->bytes = g_bytes_ref (data);
      chunk->count = count;
      g_queue_push_tail (queue, chunk);
    }
  if (!drain (self, FALSE, &local))
    return fail (self, error, local);
  report_progress (self);
  return check_abort (self, &local) || fail (self, error, local);
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
 * Returns: %TRUE on success
 */
gboolean
vidwrite_writer_push_frames (VidwriteWriter *self, GBytes *frames, GError **error)
{
  g_autoptr (ApiGuard) guard = NULL;
  gsize size;

  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  guard = api_enter (self);

  if (!check_pushable (self, frames, TRUE, "video", error))
    return FALSE;
  size = g_bytes_get_size (frames);
  if (size % self->frame_size != 0)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%" G_GSIZE_FORMAT " bytes is not a whole number of %ux%u %s frames (%" G_GSIZE_FORMAT
                   " bytes each)",
                   size, self->width, self->height, vw_pixel_format_name (self->pixel_format),
                   self->frame_size);
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  self->frames_pushed += size / self->frame_size;
  g_mutex_unlock (&self->lock);
  return push_chunk (self, &self->video_pending, frames, size / self->frame_size, error);
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
  gsize size, unit;

  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  guard = api_enter (self);

  if (!check_pushable (self, samples, self->has_audio, "audio", error))
    return FALSE;
  if (self->audio_ended)
    {
      vw_set_error (error, VIDWRITE_ERROR_STATE,
                   "the audio of “%s” was ended with vidwrite_writer_end_audio()", self->filename);
      return FALSE;
    }
  size = g_bytes_get_size (samples);
  unit = (gsize) self->channels * self->sample_bytes;
  if (size % unit != 0)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%" G_GSIZE_FORMAT " bytes of audio is not a whole number of %u-channel %s "
                   "samples (%" G_GSIZE_FORMAT " bytes each)",
                   size, self->channels,
                   self->sample_format == VIDWRITE_SAMPLE_FORMAT_F32 ? "float32" : "int16", unit);
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  self->samples_pushed += size / unit;
  g_mutex_unlock (&self->lock);
  return push_chunk (self, &self->audio_pending, samples, size / unit, error);
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
  if (!self->has_audio)
    {
      vw_set_error (error, VIDWRITE_ERROR_STATE,
                   "the writer of “%s” has no audio stream to end", self->filename);
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
  if (!self->has_video)
    {
      vw_set_error (error, VIDWRITE_ERROR_STATE,
                   "the video of “%s” is not configured: there is nothing to write", self->filename);
      abandon (self, STATE_FAILED, *error);
      return FALSE;
    }
  if (vidwrite_writer_get_frames_pushed (self) == 0)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "no frame was pushed: “%s” would have no picture", self->filename);
      abandon (self, STATE_FAILED, *error);
      return FALSE;
    }

  if (!drain (self, TRUE, &local) || !wait_until (self, reached_eos, "the end of the stream", &local))
    return fail (self, error, local);
  stop_pipeline (self);

  if (g_rename (self->tmp_path, self->filename) != 0)
    {
      int saved = errno;

      vw_set_error (&local, VIDWRITE_ERROR_IO, "cannot rename %s to “%s”: %s", self->tmp_path,
                    self->filename, g_strerror (saved));
      return fail (self, error, local);
    }
  g_clear_pointer (&self->tmp_path, g_free);
  self->state = STATE_FINISHED;
  report_progress (self);
  return TRUE;
}

static void
on_cancellable_cancelled (GCancellable *cancellable, gpointer user_data)
{
  VidwriteWriter *self = user_data;

  g_mutex_lock (&self->lock);
  self->abort = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
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
  g_autoptr (ApiGuard) guard = NULL;
  gulong handler = 0;
  gboolean ok;

  g_return_val_if_fail (VIDWRITE_IS_WRITER (self), FALSE);
  guard = api_enter (self);

  if (cancellable)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancellable_cancelled), self, NULL);
  ok = finish_locked (self, error);
  if (handler)
    g_cancellable_disconnect (cancellable, handler);
  return ok;
}

static void
finish_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (vidwrite_writer_finish (source, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
finish_task_done (gpointer data)
{
  VidwriteWriter *self = data;

  g_clear_pointer (&self->progress_context, g_main_context_unref);
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
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vidwrite_writer_finish_async);
  g_clear_pointer (&self->progress_context, g_main_context_unref);
  self->progress_context = g_main_context_ref_thread_default ();
  g_task_set_task_data (task, self, finish_task_done);
  g_task_run_in_thread (task, finish_thread);
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
  return read_counter (self, &self->frames_pushed);
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
  return read_counter (self, &self->frames_encoded);
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
  return read_counter (self, &self->samples_pushed);
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

  stop_pipeline (self);
  clear_pending (self);
  remove_tmp (self);
  g_clear_object (&self->venc);
  g_clear_object (&self->aenc);
  vw_encoder_settings_clear (&self->vsettings);
  vw_resolved_clear (&self->vcodec);
  vw_resolved_clear (&self->acodec);
  g_clear_pointer (&self->converter, vw_converter_free);
  g_clear_pointer (&self->progress_context, g_main_context_unref);
  g_clear_error (&self->failure);
  g_clear_error (&self->pipeline_error);
  g_free (self->filename);
  g_mutex_clear (&self->api_lock);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
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
    case PROP_STALL_TIMEOUT:
      g_mutex_lock (&self->lock);
      self->stall_timeout = g_value_get_uint (value);
      g_mutex_unlock (&self->lock);
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
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->video_pending);
  g_queue_init (&self->audio_pending);
  self->stall_timeout = DEFAULT_STALL_TIMEOUT;
  self->out_format = GST_VIDEO_FORMAT_UNKNOWN;
}
