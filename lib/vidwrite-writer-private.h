/* The pieces a writer is made of, each in its own file:
 *   vidwrite-scheduler.c  which stream to feed next (no GStreamer: unit-tested alone)
 *   vidwrite-stream.c     one stream, video or audio: encoder, appsrc, pending chunks, counters
 *   vidwrite-pipeline.c   the pipeline those streams and the target make, and what it reports
 *   vidwrite-target.c     where the muxed bytes go: a file (atomically) or a GOutputStream
 *   vidwrite-writer.c     the public object and its state machine
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vidwrite-private.h"

G_BEGIN_DECLS

/* ---- vidwrite-scheduler.c --------------------------------------------------------------- */

/* What the scheduler knows of a stream: times in nanoseconds of media. */
typedef struct
{
  gboolean present; /* configured */
  gboolean pending; /* data waits to be handed over */
  gboolean ended;   /* its end of stream was handed over */
  guint64 time;     /* the media time handed over so far */
} VwLane;

typedef enum
{
  VW_STEP_NONE,
  VW_STEP_SEND_AUDIO,
  VW_STEP_END_AUDIO,
  VW_STEP_SEND_VIDEO,
  VW_STEP_END_VIDEO,
} VwStep;

guint64 vw_scheduler_margin (guint audio_rate);
guint64 vw_scheduler_audio_ahead (guint audio_rate);
VwStep vw_scheduler_next (const VwLane *video, const VwLane *audio, guint64 margin,
                          gboolean finishing, gboolean audio_ended);

/* ---- the monitor: what the streaming threads report, under its lock ---------------------- */

typedef struct
{
  GMutex lock;
  GCond cond;
  GError *error;   /* the first error an element posted */
  gboolean failed; /* an element posted an error */
  gboolean eos;    /* the whole pipeline reached its end */
  gboolean abort;  /* cancel() or a GCancellable asked to stop */
  guint64 activity;
  guint64 frames_encoded;
  guint64 frames_pushed, samples_pushed; /* by the caller */
  GstElement *sink;                      /* a sink that names its location in errors, or NULL */
} VwMonitor;

void vw_monitor_init (VwMonitor *monitor);
void vw_monitor_clear (VwMonitor *monitor);
/* Counts activity and wakes the waiters.  Called without the lock. */
void vw_monitor_poke (VwMonitor *monitor);
void vw_monitor_touch (VwMonitor *monitor);
guint64 vw_monitor_read (VwMonitor *monitor, const guint64 *counter);

/* ---- vidwrite-stream.c ------------------------------------------------------------------- */

typedef struct
{
  VwMedia media;
  VwMonitor *monitor;
  gboolean present;

  VwResolved codec;
  GstElement *encoder; /* until the pipeline owns it */
  GstElement *in_bin;  /* the encoder once the pipeline owns it */
  VwEncoderSettings settings;
  GstElement *src; /* appsrc, owned by the pipeline */
  gint delivered;  /* atomic: a buffer has left the branch for the muxer */

  GQueue pending;         /* of chunks: references to the caller's GBytes */
  guint64 queued;         /* frames or samples queued so far */
  guint64 sent;           /* frames or samples handed to appsrc */
  GstClockTime sent_time; /* media time handed over: where the last buffer handed over ends */
  gboolean ended;         /* end of stream handed to appsrc */
  gint rate_n, rate_d;    /* frames or samples a second */
  gsize unit_bytes;       /* bytes of a frame, or of a sample of every channel */

  /* video */
  guint width, height;
  VidwritePixelFormat pixel_format;
  GstVideoFormat out_format;
  VwConverter *converter;
  /* Frames pushed with their own times: from the first such push, every chunk carries times,
   * and a frame goes only once the time of the next is known (its duration) or at the end. */
  gboolean timed;
  GstClockTime last_time;  /* the time of the last frame queued, when `queued` > 0 */
  gboolean muxer_sums_dts; /* MP4, MOV: a track lasts the sum of its decode-time steps */
  /* Under the monitor's lock, for on_encoded: the first timed frame handed over, and the last
   * one once it has gone (at the end). */
  gboolean timed_sent;
  GstClockTime first_time;
  gint64 first_dts; /* of the first frame out of the encoder, relative to its segment */
  guint64 final_count;
  GstClockTime end_time;
  guint64 parsed; /* frames out of the parser */

  /* audio */
  guint channels;     /* as pushed */
  guint out_channels; /* as encoded (FFmpeg's -ac), remixed from `channels` */
  guint out_rate;     /* as encoded (FFmpeg's -ar), or 0: what the encoder takes, nearest first */
  /* Under the monitor's lock: samples out of the resampler, and how many the stream has (0 until
   * its end is known: FFmpeg's count, ceil (in × out_rate / rate)). */
  guint64 resampled, resampled_limit;
  guint64 encoder_input; /* samples that reached the encoder (VwEncoderSettings.whole_frames) */
  VidwriteSampleFormat sample_format;
  VidwriteAudioLayout layout;
  guint sample_bytes;
} VwStream;

#define VW_MAX_AUDIO_CHANNELS 8

void vw_stream_init (VwStream *stream, VwMedia media, VwMonitor *monitor);
void vw_stream_clear (VwStream *stream);
void vw_stream_clear_pending (VwStream *stream);
GstClockTime vw_stream_time (const VwStream *stream, guint64 units);
/* What the audio encoder must be fed: exactly these channels, in FFmpeg's layout, at `rate`
 * (0: any). */
GstCaps *vw_stream_audio_caps (guint channels, guint rate);
/* Builds appsrc -> convert -> encoder -> parser and returns its last element in *tail. */
gboolean vw_stream_build (VwStream *stream, GstBin *bin, GstElement **tail, GError **error);
/* After the end of the stream: an error unless what was handed over reached the muxer (an
 * encoder whose output downstream refused may drop it all without a word: x264enc). */
gboolean vw_stream_check_delivered (VwStream *stream, GError **error);
/* Queues `count` frames or samples; `times` (nullable, taken) are the frames' own times. */
void vw_stream_queue (VwStream *stream, GBytes *data, gsize count, GstClockTime *times);
/* The nominal duration of a frame, from the rate the stream was configured with. */
GstClockTime vw_stream_frame_duration (const VwStream *stream);
/* Something pending can be handed over now (a timed frame waits for the next one's time until
 * `finishing`). */
gboolean vw_stream_ready (VwStream *stream, gboolean finishing);
gboolean vw_stream_has_room (VwStream *stream);
gboolean vw_stream_send (VwStream *stream, GError **error);
gboolean vw_stream_end (VwStream *stream, GError **error);
const char *vw_stream_codec_name (const VwStream *stream);

/* ---- vidwrite-target.c ------------------------------------------------------------------- */

typedef struct _VwTarget VwTarget;

VwTarget *vw_target_new_for_file (const char *filename, const char *format, GError **error);
VwTarget *vw_target_new_for_stream (GOutputStream *stream, const char *format, GError **error);
void vw_target_free (VwTarget *target);
const VwContainer *vw_target_get_container (VwTarget *target);
/* For messages: the file's name, or what the stream is. */
const char *vw_target_get_name (VwTarget *target);
gboolean vw_target_is_seekable (VwTarget *target);
/* HLS, segments, RTMP, SRT: makes the sink, taking the options that are its own. */
gboolean vw_target_configure (VwTarget *target, GHashTable *options, GError **error);
/* The sink of such a target (NULL for others), to name its location in errors. */
GstElement *vw_target_get_sink (VwTarget *target);
/* The muxer (made by the options, or made here) and the sink after it, in `bin`.  Takes
 * `muxer`'s full reference (nullable). */
gboolean vw_target_build (VwTarget *target, GstBin *bin, GstElement *muxer, GError **error);
/* Links a stream's last element to the muxer. */
gboolean vw_target_link (VwTarget *target, GstElement *tail, VwMedia media, GError **error);
/* The muxer finished: the file goes to its name. */
gboolean vw_target_commit (VwTarget *target, GError **error);
/* Nothing of the write is left behind; an existing file at the name stays as it was. */
void vw_target_abort (VwTarget *target);

/* ---- vidwrite-pipeline.c ----------------------------------------------------------------- */

GstElement *vw_pipeline_new (VwMonitor *monitor, VwTarget *target, VwStream *video, VwStream *audio,
                             GError **error);
void vw_pipeline_stop (GstElement **pipeline);

G_END_DECLS
