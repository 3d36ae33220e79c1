/* One stream of a writer, video or audio alike: its encoder and settings, its appsrc, the chunks
 * the caller pushed that wait to be handed over, and its counters.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A stream's branch is appsrc -> convert -> encoder -> parser; the pipeline links its tail to
 * the target's muxer.  Chunks are references to the caller's GBytes: video goes one frame a
 * buffer (wrapped or converted, vidwrite-convert.c), audio a block of at most BLOCK_SAMPLES.
 */
#include "vidwrite-writer-private.h"

#include <gst/app/gstappsrc.h>
#include <math.h>
#include <string.h>

#define VIDEO_QUEUE_FRAMES 3 /* converted frames waiting in appsrc */
#define BLOCK_SAMPLES 4096   /* samples in one audio buffer */

#define P(pos) GST_AUDIO_CHANNEL_POSITION_MASK (pos)
/* FFmpeg's default layout for each channel count (av_channel_layout_default), which is what
 * torchvision's [C, N] means.  GStreamer's own fallbacks differ (3 is 2.1, 4 is quad). */
static const guint64 channel_layouts[VW_MAX_AUDIO_CHANNELS + 1] = {
  [1] = 0, /* mono */
  [2] = P (FRONT_LEFT) | P (FRONT_RIGHT),
  [3] = P (FRONT_LEFT) | P (FRONT_RIGHT) | P (FRONT_CENTER),
  [4] = P (FRONT_LEFT) | P (FRONT_RIGHT) | P (FRONT_CENTER) | P (REAR_CENTER),
  [5] = P (FRONT_LEFT) | P (FRONT_RIGHT) | P (FRONT_CENTER) | P (REAR_LEFT) | P (REAR_RIGHT),
  [6]
  = P (FRONT_LEFT) | P (FRONT_RIGHT) | P (FRONT_CENTER) | P (LFE1) | P (REAR_LEFT) | P (REAR_RIGHT),
  [7] = P (FRONT_LEFT) | P (FRONT_RIGHT) | P (FRONT_CENTER) | P (LFE1) | P (REAR_CENTER)
        | P (SIDE_LEFT) | P (SIDE_RIGHT),
  [8] = P (FRONT_LEFT) | P (FRONT_RIGHT) | P (FRONT_CENTER) | P (LFE1) | P (REAR_LEFT)
        | P (REAR_RIGHT) | P (SIDE_LEFT) | P (SIDE_RIGHT),
};
#undef P

typedef struct
{
  GBytes *bytes;
  gsize count;         /* frames, or samples of each channel */
  gsize done;          /* how many of them are handed over */
  guint64 first;       /* the stream's index of the first of them */
  GstClockTime *times; /* the frames' own times, or NULL: frame n is at n / rate */
} Chunk;

static void
chunk_free (Chunk *chunk)
{
  g_bytes_unref (chunk->bytes);
  g_free (chunk->times);
  g_free (chunk);
}

void
vw_stream_init (VwStream *stream, VwMedia media, VwMonitor *monitor)
{
  memset (stream, 0, sizeof *stream);
  stream->media = media;
  stream->monitor = monitor;
  stream->out_format = GST_VIDEO_FORMAT_UNKNOWN;
  g_queue_init (&stream->pending);
}

void
vw_stream_clear_pending (VwStream *stream)
{
  g_queue_clear_full (&stream->pending, (GDestroyNotify)chunk_free);
}

void
vw_stream_clear (VwStream *stream)
{
  vw_stream_clear_pending (stream);
  g_clear_object (&stream->encoder);
  vw_encoder_settings_clear (&stream->settings);
  vw_resolved_clear (&stream->codec);
  g_clear_pointer (&stream->converter, vw_converter_free);
  stream->src = NULL;
}

GstClockTime
vw_stream_time (const VwStream *stream, guint64 units)
{
  return gst_util_uint64_scale (units, (guint64)GST_SECOND * stream->rate_d, stream->rate_n);
}

const char *
vw_stream_codec_name (const VwStream *stream)
{
  return vw_resolved_name (&stream->codec);
}

GstCaps *
vw_stream_audio_caps (guint channels, guint rate)
{
  GstCaps *caps = gst_caps_new_simple ("audio/x-raw", "channels", G_TYPE_INT, (gint)channels, NULL);

  if (channels > 1)
    gst_caps_set_simple (caps, "channel-mask", GST_TYPE_BITMASK, channel_layouts[channels], NULL);
  if (rate)
    gst_caps_set_simple (caps, "rate", G_TYPE_INT, (gint)rate, NULL);
  return caps;
}

/* FFmpeg's remix (libswresample's default matrix, as its CLI's -ac and torchcodec apply it)
 * where it differs from audioconvert's: mono goes to both sides at -3 dB, not at full level, and
 * stereo to mono is 0.7071 (L + R) for an encoder fed float, (L + R) / 2 for one fed integers
 * (vw_codec_takes_float()).  Other channel counts keep audioconvert's matrix. */
typedef struct
{
  guint in, out;
  gboolean float_fed;
  float matrix[2][2]; /* [out][in] */
} VwRemix;

static const VwRemix remixes[] = {
  { 1, 2, FALSE, { { G_SQRT2 / 2 }, { G_SQRT2 / 2 } } },
  { 1, 2, TRUE, { { G_SQRT2 / 2 }, { G_SQRT2 / 2 } } },
  { 2, 1, FALSE, { { 0.5f, 0.5f } } },
  { 2, 1, TRUE, { { G_SQRT2 / 2, G_SQRT2 / 2 } } },
};

static void
set_remix (GstElement *convert, const VwStream *stream)
{
  gboolean float_fed = vw_codec_takes_float (&stream->codec);
  GValue rows = G_VALUE_INIT;

  for (guint r = 0; r < G_N_ELEMENTS (remixes); r++)
    {
      const VwRemix *remix = &remixes[r];

      if (remix->in != stream->channels || remix->out != stream->out_channels
          || remix->float_fed != float_fed)
        continue;
      g_value_init (&rows, GST_TYPE_ARRAY);
      for (guint o = 0; o < remix->out; o++)
        {
          GValue row = G_VALUE_INIT, v = G_VALUE_INIT;

          g_value_init (&row, GST_TYPE_ARRAY);
          g_value_init (&v, G_TYPE_FLOAT);
          for (guint i = 0; i < remix->in; i++)
            {
              g_value_set_float (&v, remix->matrix[o][i]);
              gst_value_array_append_value (&row, &v);
            }
          gst_value_array_append_and_take_value (&rows, &row);
          g_value_unset (&v);
        }
      g_object_set_property (G_OBJECT (convert), "mix-matrix", &rows);
      g_value_unset (&rows);
      return;
    }
}

/* ---- probes: what moves, for the waits and the progress --------------------------------- */

/* Any buffer moving anywhere is progress: it wakes waiters and resets the stall clock. */
static GstPadProbeReturn
on_activity (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwStream *stream = user_data;

  vw_monitor_poke (stream->monitor);
  return GST_PAD_PROBE_OK;
}

#define DTS_SLOTS 32 /* more than an encoder's reorder delay (x264: 16 B-frames and a pyramid) */

static GstClockTime
segment_start (GstPad *pad)
{
  g_autoptr (GstEvent) event = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  const GstSegment *segment = NULL;

  if (!event)
    return 0;
  gst_event_parse_segment (event, &segment);
  return segment->start;
}

/* MP4 and MOV make a track last the sum of its decode-time steps, the last one being the last
 * buffer's duration.  An encoder that reorders starts its decode times before the first frame
 * by the first frames' steps (x264: pts[0] - (pts[2] - pts[0]), two seconds early after a two
 * second gap), and ends them before the last frame by the last steps: with irregular times the
 * two differ and the track would last that much too long or too short.  So in a timed stream
 * the decode times before the first frame become a few small steps, and the last buffer lasts
 * until the end of the last frame.  Called with the monitor's lock, for the n-th buffer out of
 * the parser. */
static GstBuffer *
fix_decode_times (VwStream *stream, GstPad *pad, GstBuffer *buffer, guint64 n)
{
  gboolean last = n + 1 == stream->final_count;
  gint64 first = stream->first_time, step = vw_stream_frame_duration (stream) / (DTS_SLOTS + 1);
  GstClockTime start;
  gint64 dts;

  if (!GST_BUFFER_DTS_IS_VALID (buffer) || (n > 0 && !stream->timed_sent))
    return buffer;
  start = segment_start (pad);
  dts = (gint64)(GST_BUFFER_DTS (buffer) - start);
  if (n == 0)
    stream->first_dts = dts;
  if (stream->timed_sent && n < DTS_SLOTS && dts < first
      && (gint64)start + first >= step * DTS_SLOTS)
    {
      dts = first - step * (gint64)(DTS_SLOTS - n);
      buffer = gst_buffer_make_writable (buffer);
      GST_BUFFER_DTS (buffer) = start + dts;
      if (n == 0)
        stream->first_dts = dts;
    }
  if (last)
    {
      gint64 duration = ((gint64)stream->end_time - first) - (dts - stream->first_dts);

      buffer = gst_buffer_make_writable (buffer);
      if (duration > 0)
        GST_BUFFER_DURATION (buffer) = duration;
    }
  return buffer;
}

/* After the parser, which sets durations of its own. */
static GstPadProbeReturn
on_parsed (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwStream *stream = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  g_mutex_lock (&stream->monitor->lock);
  GST_PAD_PROBE_INFO_DATA (info) = fix_decode_times (stream, pad, buffer, stream->parsed);
  stream->parsed++;
  g_mutex_unlock (&stream->monitor->lock);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_encoded (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwStream *stream = user_data;
  VwMonitor *monitor = stream->monitor;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  g_mutex_lock (&monitor->lock);
  if (!GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_HEADER))
    {
      /* Encoders that lose timestamps emit frames in input order: the n-th is frame n, in
       * their output segment (gst-libav starts it at 1000 hours, to keep DTS positive). */
      if (stream->settings.restamp)
        {
          g_autoptr (GstEvent) event = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
          const GstSegment *segment = NULL;
          GstClockTime start = 0;
          guint64 n = monitor->frames_encoded;

          if (event)
            {
              gst_event_parse_segment (event, &segment);
              start = segment->start;
            }
          buffer = gst_buffer_make_writable (buffer);
          GST_BUFFER_PTS (buffer) = GST_BUFFER_DTS (buffer) = start + vw_stream_time (stream, n);
          GST_BUFFER_DURATION (buffer)
              = vw_stream_time (stream, n + 1) - vw_stream_time (stream, n);
          GST_PAD_PROBE_INFO_DATA (info) = buffer;
        }
      monitor->frames_encoded++;
    }
  monitor->activity++;
  g_cond_broadcast (&monitor->cond);
  g_mutex_unlock (&monitor->lock);
  return GST_PAD_PROBE_OK;
}

/* A source that fails still sends EOS downstream, and qtmux (mp4, mov) finalising a pad that
 * never got caps hits a GStreamer critical.  The write is abandoned anyway: after an error, EOS
 * stops at the muxer's door. */
static GstPadProbeReturn
on_eos_after_error (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwStream *stream = user_data;
  gboolean failed;

  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) != GST_EVENT_EOS)
    return GST_PAD_PROBE_OK;
  g_mutex_lock (&stream->monitor->lock);
  failed = stream->monitor->failed;
  g_mutex_unlock (&stream->monitor->lock);
  return failed ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

/* On the encoder's sink pad: counts samples, and before the end of the stream adds the silence
 * an encoder needs to give back all of them: to complete its last frame and push out its delay,
 * to cover the lookahead its own drain leaves, or to reach the shortest sound it keeps. */
static GstPadProbeReturn
on_encoder_input (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwStream *stream = user_data;
  guint frame = stream->settings.whole_frames;
  g_autoptr (GstCaps) caps = NULL;
  GstAudioInfo audio;
  GstBuffer *silence;
  guint64 shortest;
  guint missing;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    {
      GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

      if ((caps = gst_pad_get_current_caps (pad)) && gst_audio_info_from_caps (&audio, caps))
        stream->encoder_input += gst_buffer_get_size (buffer) / GST_AUDIO_INFO_BPF (&audio);
      return GST_PAD_PROBE_OK;
    }
  /* No sound, no segment: nothing to complete (the writer refuses an empty track). */
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) != GST_EVENT_EOS
      || stream->encoder_input == 0 || !(caps = gst_pad_get_current_caps (pad))
      || !gst_audio_info_from_caps (&audio, caps))
    return GST_PAD_PROBE_OK;
  /* Whole frames, as many as put out the delay's worth after the last sample. */
  missing = frame ? (stream->encoder_input + stream->settings.unflushed + frame - 1) / frame * frame
                        - stream->encoder_input
                  : 0;
  shortest = (guint64)ceil (stream->settings.frame_ms * GST_AUDIO_INFO_RATE (&audio) / 1000);
  if (stream->encoder_input < shortest)
    missing = MAX (missing, shortest - stream->encoder_input);
  if (stream->settings.lookahead_ms > stream->settings.frame_ms)
    missing = MAX (missing, (guint)ceil ((stream->settings.lookahead_ms - stream->settings.frame_ms)
                                         * GST_AUDIO_INFO_RATE (&audio) / 1000));
  if (missing == 0)
    return GST_PAD_PROBE_OK;
  silence = gst_buffer_new_allocate (NULL, (gsize)missing * GST_AUDIO_INFO_BPF (&audio), NULL);
  gst_buffer_memset (silence, 0, 0, gst_buffer_get_size (silence));
  GST_BUFFER_PTS (silence)
      = gst_util_uint64_scale (stream->encoder_input, GST_SECOND, GST_AUDIO_INFO_RATE (&audio));
  GST_BUFFER_DURATION (silence) = gst_util_uint64_scale (stream->encoder_input + missing,
                                                         GST_SECOND, GST_AUDIO_INFO_RATE (&audio))
                                  - GST_BUFFER_PTS (silence);
  /* Ahead of the EOS arriving at this pad (not yet marked EOS): the encoder takes them in that
   * order.  Its streaming lock, which the EOS holds, is recursive. */
  gst_pad_chain (pad, silence);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_delivered (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwStream *stream = user_data;

  g_atomic_int_set (&stream->delivered, 1);
  return GST_PAD_PROBE_OK;
}

static void
watch_pad (VwStream *stream, GstElement *element, GstPadProbeType type, GstPadProbeCallback cb)
{
  GstPad *pad = gst_element_get_static_pad (element, "src");

  gst_pad_add_probe (pad, type, cb, stream, NULL);
  gst_object_unref (pad);
}

/* Encoders without delay whose drain at EOS only makes their library complain: openh264enc
 * hands libopenh264 a NULL frame, which prints "EncodeFrame(), cmInitParaError" on stderr at the
 * end of every write (its log level is per encoder object, out of reach).  Every frame has left
 * such an encoder when EOS comes, so the EOS goes round it. */
static const char *const eos_bypass[] = { "openh264enc", NULL };

static GstPadProbeReturn
on_eos_around (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstElement *encoder = user_data;
  GstPad *src;

  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) != GST_EVENT_EOS)
    return GST_PAD_PROBE_OK;
  src = gst_element_get_static_pad (encoder, "src");
  gst_pad_push_event (src, gst_event_ref (GST_PAD_PROBE_INFO_EVENT (info)));
  gst_object_unref (src);
  return GST_PAD_PROBE_DROP;
}

static void
bypass_drain (GstElement *encoder)
{
  GstElementFactory *factory = gst_element_get_factory (encoder);
  GstPad *sink;

  if (!factory || !g_strv_contains (eos_bypass, GST_OBJECT_NAME (factory)))
    return;
  sink = gst_element_get_static_pad (encoder, "sink");
  gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_eos_around, encoder, NULL);
  gst_object_unref (sink);
}

/* audioresample ends its output at the last input sample's time, (out / in) - 1 samples short of
 * FFmpeg's count (31997 for 32000 from 8000 Hz to 32 kHz).  So a resampled stream gets a few
 * samples of silence at its end (vw_stream_end()), as FFmpeg's resampler flushes with, and what
 * comes out past FFmpeg's count is cut here, after the resampler. */
static GstPadProbeReturn
on_resampled (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwStream *stream = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  GstAudioInfo audio;
  guint64 n, keep;

  if (!caps || !gst_audio_info_from_caps (&audio, caps) || GST_AUDIO_INFO_BPF (&audio) == 0)
    return GST_PAD_PROBE_OK;
  n = gst_buffer_get_size (buffer) / GST_AUDIO_INFO_BPF (&audio);
  g_mutex_lock (&stream->monitor->lock);
  keep = n;
  if (stream->resampled_limit)
    keep = stream->resampled >= stream->resampled_limit
               ? 0
               : MIN (n, stream->resampled_limit - stream->resampled);
  stream->resampled += n;
  g_mutex_unlock (&stream->monitor->lock);
  if (keep == n)
    return GST_PAD_PROBE_OK;
  if (keep == 0)
    return GST_PAD_PROBE_DROP;
  buffer = gst_buffer_make_writable (buffer);
  gst_buffer_resize (buffer, 0, (gssize)(keep * GST_AUDIO_INFO_BPF (&audio)));
  GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (keep, GST_SECOND, audio.rate);
  GST_BUFFER_OFFSET_END (buffer) = GST_BUFFER_OFFSET (buffer) + keep;
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  return GST_PAD_PROBE_OK;
}

/* ---- building the branch ---------------------------------------------------------------- */

/* Links src to sink by their static pads with the usual checks, as gst_element_link() would,
 * without its search for a compatible pad, which queried and intersected the caps once more
 * per link (about 5% of the CPU time of a short clip's write). */
static gboolean
link_static (GstElement *src, GstElement *sink)
{
  g_autoptr (GstPad) srcpad = gst_element_get_static_pad (src, "src");
  g_autoptr (GstPad) sinkpad = gst_element_get_static_pad (sink, "sink");

  if (!srcpad || !sinkpad)
    return gst_element_link (src, sink);
  return gst_pad_link (srcpad, sinkpad) == GST_PAD_LINK_OK;
}

/* Adds `next` to the bin, links `*tail` to it and makes it the new tail.  Takes `next`'s
 * floating or full reference. */
static gboolean
add_and_link (GstBin *bin, GstElement **tail, GstElement *next, GError **error)
{
  if (!next)
    return FALSE;
  gst_bin_add (bin, next);
  if (*tail && !link_static (*tail, next))
    {
      vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE, "cannot link %s to %s",
                    GST_OBJECT_NAME (*tail), GST_OBJECT_NAME (next));
      return FALSE;
    }
  *tail = next;
  return TRUE;
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

static GstElement *
make_capsfilter (GstCaps *caps)
{
  GstElement *filter = gst_element_factory_make ("capsfilter", NULL);

  g_object_set (filter, "caps", caps, NULL);
  gst_caps_unref (caps);
  return filter;
}

static GstElement *
make_appsrc (const char *name, GstCaps *caps)
{
  GstElement *src = gst_element_factory_make ("appsrc", name);

  /* Flow control is the writer's (vidwrite-scheduler.c): appsrc never blocks. */
  g_object_set (src, "caps", caps, "format", GST_FORMAT_TIME, "block", FALSE, "max-bytes",
                (guint64)0, "max-buffers", (guint64)0, NULL);
  gst_caps_unref (caps);
  return src;
}

/* What the video encoder is fed, and the matrix it is converted with and tagged as. */
static GstCaps *
video_encoder_input_caps (VwStream *stream)
{
  GstCaps *caps = gst_caps_new_empty_simple ("video/x-raw");

  if (stream->out_format != GST_VIDEO_FORMAT_UNKNOWN)
    {
      gst_caps_set_simple (caps, "format", G_TYPE_STRING,
                           gst_video_format_to_string (stream->out_format), NULL);
      if (GST_VIDEO_FORMAT_INFO_IS_YUV (gst_video_format_get_info (stream->out_format)))
        {
          g_autofree char *colorimetry
              = gst_video_colorimetry_to_string (&stream->settings.colorimetry);

          gst_caps_set_simple (caps, "colorimetry", G_TYPE_STRING, colorimetry, NULL);
        }
    }
  return caps;
}

static GstCaps *
audio_source_caps (VwStream *stream)
{
  GstAudioInfo info;
  GstAudioChannelPosition positions[VW_MAX_AUDIO_CHANNELS];

  gst_audio_channel_positions_from_mask (stream->channels, channel_layouts[stream->channels],
                                         positions);
  gst_audio_info_set_format (&info,
                             stream->sample_format == VIDWRITE_SAMPLE_FORMAT_F32
                                 ? GST_AUDIO_FORMAT_F32
                                 : GST_AUDIO_FORMAT_S16,
                             stream->rate_n, stream->channels, positions);
  return gst_audio_info_to_caps (&info);
}

gboolean
vw_stream_build (VwStream *stream, GstBin *bin, GstElement **tail, GError **error)
{
  gboolean video = stream->media == VW_MEDIA_VIDEO;
  GstElement *encoder;

  *tail = NULL;
  if (video)
    {
      GstCaps *src_caps = vw_converter_get_caps (stream->converter, stream->rate_n, stream->rate_d);
      g_autoptr (GstCaps) wanted = video_encoder_input_caps (stream);
      /* What vidwrite converted (or the caller's YUV) in the format the encoder is to be fed
       * goes to it as it is; videoconvert is there for the rest (no such format: the encoder
       * picks, from what videoconvert offers).  Passing through, it cost each short write a tenth
       * of its time in element creation and caps queries. */
      gboolean as_is
          = stream->out_format != GST_VIDEO_FORMAT_UNKNOWN && gst_caps_is_subset (src_caps, wanted);

      stream->src = make_appsrc ("video-src", src_caps);
      if (!add_and_link (bin, tail, stream->src, error))
        return FALSE;
      if (!as_is)
        {
          if (!add_and_link (bin, tail, make ("videoconvert", error), error))
            return FALSE;
          /* Its default Bayer dither cost 3.3 dB going from 8-bit RGB to 10-bit YUV (ProRes). */
          gst_util_set_object_arg (G_OBJECT (*tail), "dither", "none");
        }
      /* The encoder's refusal of these caps is a negotiation error here, not a fallback
       * inside the encoder (x264enc took 4:4:4 for a baseline profile). */
      if (!add_and_link (bin, tail, make_capsfilter (g_steal_pointer (&wanted)), error))
        return FALSE;
      /* Room in the queue appears when a frame leaves appsrc, not only when one leaves the
       * encoder: while x264 fills its lookahead nothing comes out of it for dozens of frames. */
      watch_pad (stream, stream->src, GST_PAD_PROBE_TYPE_BUFFER, on_activity);
    }
  else
    {
      stream->src = make_appsrc ("audio-src", audio_source_caps (stream));
      /* The pinned caps keep audioconvert from remixing to what the encoder prefers (it
       * downmixed 3.0 to mono); they remix only to the channels asked for. */
      if (!add_and_link (bin, tail, stream->src, error)
          || !add_and_link (bin, tail, make ("audioconvert", error), error))
        return FALSE;
      set_remix (*tail, stream);
      if (!add_and_link (bin, tail, make ("audioresample", error), error))
        return FALSE;
      /* FFmpeg's resampler by default is a long windowed sinc; audioresample's default (4) lets
       * through more aliasing. */
      g_object_set (*tail, "quality", GST_AUDIO_RESAMPLER_QUALITY_MAX, NULL);
      if (!add_and_link (
              bin, tail,
              make_capsfilter (vw_stream_audio_caps (stream->out_channels, stream->out_rate)),
              error))
        return FALSE;
      if (stream->out_rate && stream->out_rate != (guint)stream->rate_n)
        watch_pad (stream, *tail, GST_PAD_PROBE_TYPE_BUFFER, on_resampled);
    }

  /* The bin takes a reference of its own; the stream's goes. */
  encoder = g_steal_pointer (&stream->encoder);
  stream->in_bin = encoder;
  if (!add_and_link (bin, tail, encoder, error))
    {
      gst_object_unref (encoder);
      return FALSE;
    }
  if (!video && (stream->settings.whole_frames || stream->settings.frame_ms > 0))
    {
      g_autoptr (GstPad) sink = gst_element_get_static_pad (encoder, "sink");

      gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                         on_encoder_input, stream, NULL);
    }
  gst_object_unref (encoder);
  watch_pad (stream, encoder, GST_PAD_PROBE_TYPE_BUFFER, video ? on_encoded : on_activity);
  bypass_drain (encoder);
  if (video)
    vw_converter_release_after_encode (encoder);
  /* G, B, R planes: the encoder's caps still say Y444's bt601; the muxers' colour boxes must say
   * what the stream says (RGB matrix, full range). */
  if (video && stream->settings.gbr_planes)
    {
      GstElement *setter = make ("capssetter", error);

      if (setter)
        {
          g_autoptr (GstCaps) caps
              = gst_caps_from_string ("video/x-h264,colorimetry=(string)1:1:0:0");

          g_object_set (setter, "caps", caps, NULL);
        }
      if (!add_and_link (bin, tail, setter, error))
        return FALSE;
    }

  if (video && gst_structure_n_fields (stream->settings.encoder_caps) > 0
      && !add_and_link (bin, tail,
                        make_capsfilter (gst_caps_new_full (
                            gst_structure_copy (stream->settings.encoder_caps), NULL)),
                        error))
    return FALSE;
  if (stream->codec.codec && stream->codec.codec->parser
      && !add_and_link (bin, tail, make (stream->codec.codec->parser, error), error))
    return FALSE;
  if (video && stream->muxer_sums_dts && !stream->settings.restamp)
    watch_pad (stream, *tail, GST_PAD_PROBE_TYPE_BUFFER, on_parsed);
  watch_pad (stream, *tail, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_eos_after_error);
  watch_pad (stream, *tail, GST_PAD_PROBE_TYPE_BUFFER, on_delivered);
  return TRUE;
}

gboolean
vw_stream_check_delivered (VwStream *stream, GError **error)
{
  g_autoptr (GstPad) src = NULL;
  g_autoptr (GstPad) peer = NULL;
  g_autoptr (GstCaps) caps = NULL;
  g_autofree char *text = NULL;
  GstElement *encoder;

  if (!stream->present || stream->sent == 0 || g_atomic_int_get (&stream->delivered))
    return TRUE;
  encoder = stream->in_bin;
  src = gst_element_get_static_pad (encoder, "src");
  peer = gst_pad_get_peer (src);
  caps = gst_pad_get_current_caps (src);
  if (caps && peer && !gst_pad_has_current_caps (peer))
    {
      GstObject *next = GST_OBJECT_PARENT (peer);
      g_autoptr (GstCaps) wanted = NULL;
      g_autofree char *wanted_text = NULL;

      /* Their blobs say nothing to a reader. */
      caps = gst_caps_make_writable (caps);
      gst_structure_remove_fields (gst_caps_get_structure (caps, 0), "codec_data", "streamheader",
                                   NULL);
      text = gst_caps_to_string (caps);
      if (GST_IS_ELEMENT (next) && g_str_equal (G_OBJECT_TYPE_NAME (next), "GstCapsFilter"))
        {
          g_object_get (next, "caps", &wanted, NULL);
          wanted_text = gst_caps_to_string (wanted);
          vw_set_error (error, VIDWRITE_ERROR_ENCODE,
                        "%s made what the options exclude (not-negotiated): %s, where they ask "
                        "for %s",
                        GST_OBJECT_NAME (gst_element_get_factory (encoder)), text, wanted_text);
        }
      else
        vw_set_error (error, VIDWRITE_ERROR_ENCODE,
                      "%s refused the output of %s (not-negotiated): %s",
                      next ? GST_OBJECT_NAME (next) : "?",
                      GST_OBJECT_NAME (gst_element_get_factory (encoder)), text);
    }
  else
    vw_set_error (error, VIDWRITE_ERROR_ENCODE,
                  "nothing came out of %s for the %" G_GUINT64_FORMAT " %s handed to it",
                  GST_OBJECT_NAME (gst_element_get_factory (encoder)), stream->sent,
                  stream->media == VW_MEDIA_VIDEO ? "frames" : "samples");
  return FALSE;
}

/* ---- handing data over ------------------------------------------------------------------ */

GstClockTime
vw_stream_frame_duration (const VwStream *stream)
{
  return vw_stream_time (stream, 1);
}

void
vw_stream_queue (VwStream *stream, GBytes *data, gsize count, GstClockTime *times)
{
  Chunk *chunk;

  if (count == 0)
    {
      g_free (times);
      return;
    }
  /* Frames without times after timed ones continue at the nominal rate from the last. */
  if (!times && stream->timed)
    {
      times = g_new (GstClockTime, count);
      for (gsize i = 0; i < count; i++)
        times[i] = stream->last_time + vw_stream_time (stream, i + 1);
    }
  chunk = g_new0 (Chunk, 1);
  chunk->bytes = g_bytes_ref (data);
  chunk->count = count;
  chunk->first = stream->queued;
  chunk->times = times;
  stream->queued += count;
  if (times)
    {
      stream->timed = TRUE;
      stream->last_time = times[count - 1];
    }
  else
    stream->last_time = vw_stream_time (stream, stream->queued - 1);
  g_queue_push_tail (&stream->pending, chunk);
}

static GstClockTime
chunk_time (const VwStream *stream, const Chunk *chunk, gsize i)
{
  return chunk->times ? chunk->times[i] : vw_stream_time (stream, chunk->first + i);
}

/* The time of the frame after the next one to go, when it is known: a timed frame's duration
 * is the step to the next frame, which the caller may not have pushed yet. */
static gboolean
time_after_next (const VwStream *stream, GstClockTime *time)
{
  GList *head = stream->pending.head;
  const Chunk *chunk = head->data;

  if (chunk->done + 1 < chunk->count)
    *time = chunk_time (stream, chunk, chunk->done + 1);
  else if (head->next)
    *time = chunk_time (stream, head->next->data, 0);
  else if (!chunk->times)
    *time = vw_stream_time (stream, chunk->first + chunk->count);
  else
    return FALSE;
  return TRUE;
}

gboolean
vw_stream_ready (VwStream *stream, gboolean finishing)
{
  GstClockTime unused;

  return stream->pending.length > 0
         && (stream->media == VW_MEDIA_AUDIO || finishing || time_after_next (stream, &unused));
}

gboolean
vw_stream_has_room (VwStream *stream)
{
  return stream->media == VW_MEDIA_AUDIO
         || gst_app_src_get_current_level_buffers (GST_APP_SRC (stream->src)) < VIDEO_QUEUE_FRAMES;
}

static gboolean
push_buffer (VwStream *stream, GstBuffer *buffer, GError **error)
{
  GstFlowReturn ret = gst_app_src_push_buffer (GST_APP_SRC (stream->src), buffer);

  if (ret == GST_FLOW_OK)
    return TRUE;
  vw_set_error (error, VIDWRITE_ERROR_ENCODE, "%s refused a buffer: %s",
                GST_OBJECT_NAME (stream->src), gst_flow_get_name (ret));
  return FALSE;
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

/* One block of at most BLOCK_SAMPLES from the head chunk.  Interleaved chunks go as views of the
 * caller's memory.  Planar chunks are interleaved a block at a time: elements disagree on
 * GstAudioMeta plane offsets (audioconvert refuses views whose size is not whole frames,
 * avenc_aac reads planes as contiguous), and audio is a small share of the data. */
static GstBuffer *
audio_block (VwStream *stream, Chunk *chunk, gsize *n_out)
{
  gsize n = MIN (BLOCK_SAMPLES, chunk->count - chunk->done);
  gsize size;
  const guint8 *data = g_bytes_get_data (chunk->bytes, &size);
  GstBuffer *buffer;

  *n_out = n;
  if (stream->layout == VIDWRITE_AUDIO_LAYOUT_PLANAR)
    {
      GstMapInfo map;

      buffer = gst_buffer_new_allocate (NULL, n * stream->unit_bytes, NULL);
      gst_buffer_map (buffer, &map, GST_MAP_WRITE);
      interleave (data, chunk->count, chunk->done, n, stream->channels, stream->sample_bytes,
                  map.data);
      gst_buffer_unmap (buffer, &map);
      return buffer;
    }
  buffer = gst_buffer_new ();
  gst_buffer_append_memory (
      buffer, gst_memory_new_wrapped (GST_MEMORY_FLAG_READONLY, (gpointer)data, size,
                                      chunk->done * stream->unit_bytes, n * stream->unit_bytes,
                                      g_bytes_ref (chunk->bytes), bytes_unref));
  return buffer;
}

/* Hands over the next frame or audio block of the head chunk. */
gboolean
vw_stream_send (VwStream *stream, GError **error)
{
  Chunk *chunk = g_queue_peek_head (&stream->pending);
  GstBuffer *buffer;
  GstClockTime end;
  gsize n = 1;

  if (stream->media == VW_MEDIA_VIDEO)
    {
      buffer = vw_converter_convert (stream->converter, chunk->bytes,
                                     chunk->done * stream->unit_bytes);
      if (!buffer)
        {
          vw_set_error (error, VIDWRITE_ERROR_ENCODE,
                        "could not get a buffer for frame %" G_GUINT64_FORMAT, stream->sent);
          return FALSE;
        }
      GST_BUFFER_PTS (buffer) = chunk_time (stream, chunk, chunk->done);
      g_mutex_lock (&stream->monitor->lock);
      if (stream->sent == 0)
        stream->first_time = GST_BUFFER_PTS (buffer);
      if (chunk->times)
        stream->timed_sent = TRUE;
      /* The last frame of a timed stream, at the end: it lasts a frame at the nominal rate. */
      if (!time_after_next (stream, &end))
        {
          end = GST_BUFFER_PTS (buffer) + vw_stream_frame_duration (stream);
          stream->final_count = stream->sent + 1;
          stream->end_time = end;
        }
      g_mutex_unlock (&stream->monitor->lock);
    }
  else
    {
      buffer = audio_block (stream, chunk, &n);
      GST_BUFFER_PTS (buffer) = vw_stream_time (stream, stream->sent);
      end = vw_stream_time (stream, stream->sent + n);
    }

  GST_BUFFER_DURATION (buffer) = end - GST_BUFFER_PTS (buffer);
  GST_BUFFER_OFFSET (buffer) = stream->sent;
  GST_BUFFER_OFFSET_END (buffer) = stream->sent + n;
  if (!push_buffer (stream, buffer, error))
    return FALSE;
  stream->sent += n;
  stream->sent_time = end;
  chunk->done += n;
  if (chunk->done == chunk->count)
    chunk_free (g_queue_pop_head (&stream->pending));
  return TRUE;
}

/* The silence after a resampled stream: enough input samples for the resampler's output to reach
 * FFmpeg's count, which on_resampled() then keeps to. */
static gboolean
pad_resampled_end (VwStream *stream, GError **error)
{
  guint64 in = (guint)stream->rate_n, out = stream->out_rate;
  GstBuffer *buffer;
  gsize n;

  if (!out || out == in || stream->sent == 0)
    return TRUE;
  n = (gsize)((in + out - 1) / out) + 1;
  g_mutex_lock (&stream->monitor->lock);
  stream->resampled_limit = (stream->sent * out + in - 1) / in;
  g_mutex_unlock (&stream->monitor->lock);
  buffer = gst_buffer_new_allocate (NULL, n * stream->unit_bytes, NULL);
  gst_buffer_memset (buffer, 0, 0, n * stream->unit_bytes);
  GST_BUFFER_PTS (buffer) = vw_stream_time (stream, stream->sent);
  GST_BUFFER_DURATION (buffer)
      = vw_stream_time (stream, stream->sent + n) - GST_BUFFER_PTS (buffer);
  GST_BUFFER_OFFSET (buffer) = stream->sent;
  GST_BUFFER_OFFSET_END (buffer) = stream->sent + n;
  return push_buffer (stream, buffer, error);
}

gboolean
vw_stream_end (VwStream *stream, GError **error)
{
  GstFlowReturn ret;

  if (stream->media == VW_MEDIA_AUDIO && !pad_resampled_end (stream, error))
    return FALSE;
  ret = gst_app_src_end_of_stream (GST_APP_SRC (stream->src));

  if (ret != GST_FLOW_OK)
    {
      vw_set_error (error, VIDWRITE_ERROR_ENCODE, "%s refused end of stream: %s",
                    GST_OBJECT_NAME (stream->src), gst_flow_get_name (ret));
      return FALSE;
    }
  stream->ended = TRUE;
  return TRUE;
}
