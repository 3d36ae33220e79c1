/* What the library's files share and nobody else sees.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/audio/audio.h>

#include <vidwrite/vidwrite.h>

G_BEGIN_DECLS

#define VW_MAX_DIMENSION 16384 /* pixels on either side of a frame */

/* vidwrite-error.c */
gboolean vw_ensure_gst (GError **error);

/* vidwrite-codecs.c: FFmpeg names -> element factories, containers, compatibility. */

typedef enum
{
  VW_MEDIA_VIDEO,
  VW_MEDIA_AUDIO,
} VwMedia;

typedef struct
{
  const char *extension; /* without the dot */
  const char *muxer;
  const char *default_audio; /* FFmpeg name of the audio codec FFmpeg picks for it */
  guint min_dimension;       /* smallest width and height the muxer takes, 0 for any */
  const char *default_video; /* FFmpeg name of the video codec written when none is named;
                              * NULL for an audio-only container (.mp3, .flac, .wav...) */
} VwContainer;

/* Frame sizes a codec refuses: widths and heights both within these ranges (inclusive). */
typedef struct
{
  guint min_width, max_width, min_height, max_height;
  const char *why; /* the limit, for the message; NULL ends a list */
} VwSizeLimits;

typedef struct
{
  const char *name; /* the FFmpeg codec name */
  VwMedia media;
  const char *const *factories; /* in order of preference; NULL-terminated */
  const char *parser;           /* placed after the encoder, or NULL */
  const char *containers;       /* extensions it goes into, space-separated */
  const char *missing_hint;     /* why it may be unavailable, or what to use instead */
  const char *raw_caps;         /* uncompressed: what the capsfilter standing in for an
                                 * encoder lets through, narrowed to what the muxer takes */
  const VwSizeLimits *refused_sizes; /* NULL: any size up to VW_MAX_DIMENSION */
  GstPadProbeCallback fix_output;    /* corrects the encoder's output, on its src pad, or NULL */
} VwCodec;

/* A codec resolved on this machine: its row and the factory that will serve it. */
typedef struct
{
  const VwCodec *codec; /* the row; for an encoder factory named directly, the first row it
                         * serves (its parser and containers), or NULL when it serves none */
  GstElementFactory *factory;
  gboolean ffmpeg_name; /* named as FFmpeg names it: FFmpeg's option keys and defaults apply */
} VwResolved;

const VwContainer *vw_container_for_filename (const char *filename, GError **error);
/* FFmpeg's format names: "mp4", "matroska", "mpegts"... */
const VwContainer *vw_container_for_format (const char *format, GError **error);
/* `input` (nullable) describes the stream, so that an element that cannot take it is passed over. */
gboolean vw_codec_resolve (const char *name,
                           VwMedia media,
                           const GstCaps *input,
                           VwResolved *out,
                           GError **error);
void vw_resolved_clear (VwResolved *resolved);
gboolean vw_codec_check_container (const VwResolved *resolved,
                                   const VwContainer *container,
                                   GError **error);
const char *vw_resolved_name (const VwResolved *resolved);
/* Streams the elements take and then crash on: `format` and `width` for video (the encoder's
 * input), or `channels` for audio. */
gboolean vw_codec_check_stream (const VwResolved *resolved, const VwContainer *container,
                                GstVideoFormat format, guint width, guint channels,
                                GError **error);
GstElement *vw_codec_make_encoder (const VwResolved *resolved, const VwContainer *container,
                                   GError **error);
/* The rows, for the public registry: NULL past the end. */
const VwCodec *vw_codec_nth (guint i);
const VwContainer *vw_container_nth (guint i);
char *vw_codec_containers (const VwResolved *resolved);
/* FFmpeg feeds this audio codec float samples (which decides how it remixes channels). */
gboolean vw_codec_takes_float (const VwResolved *resolved);

/* vidwrite-options.c: FFmpeg option keys -> element properties, per encoder family. */

typedef struct
{
  GstStructure *encoder_caps; /* fields the encoder's output must have (profile, level) */
  GstVideoFormat pix_fmt;     /* what the encoder is fed; GST_VIDEO_FORMAT_UNKNOWN: default */
  GstElement *muxer;          /* the muxer, made early when an option configures it */
  gboolean restamp;           /* the encoder's output timestamps must be rebuilt */
  guint whole_frames;         /* samples a frame, where the encoder drops a last, partial one */
  guint unflushed;            /* samples of delay it keeps at the end: silence pushes them out */
  double frame_ms;            /* its frame, where shorter sound is lost: padded to one */
  double lookahead_ms;        /* what its drain of one frame leaves unflushed is padded */
  gboolean gbr_planes;        /* pix_fmt (Y444) carries the caller's RGB as G, B, R planes, and
                               * the stream says so itself (identity matrix, full range) */
  GstVideoColorimetry colorimetry; /* the matrix and range RGB is converted with, and the
                                    * stream's tags (colorspace, color_range ... options) */
  guint colour_given;              /* which of its fields the options gave */
} VwEncoderSettings;

/* `ffmpeg_names`: the codec was named as FFmpeg names it, so are the options, and FFmpeg's
 * defaults apply; otherwise the codec was a factory and the options are its property names.
 * `channels`: of the audio stream, for defaults that depend on it; 0 for video. */
gboolean vw_options_apply (GstElement *encoder, const char *codec_name, gboolean ffmpeg_names,
                           VwMedia media, guint channels, guint width, guint height,
                           const char *muxer_factory, GHashTable *options,
                           VwEncoderSettings *settings, GError **error);
void vw_encoder_settings_clear (VwEncoderSettings *settings);
gboolean vw_parse_number (const char *text, double *value);
GStrv vw_options_list_keys (const char *factory, VwMedia media);
/* For the test that checks the tables: the families' factories, and every property a family's
 * rows name. */
const char *vw_options_nth_family (guint i);
GStrv vw_options_family_properties (const char *factory);

/* vidwrite-convert.c: caller's pixels -> what the encoder is fed. */

typedef struct _VwConverter VwConverter;

/* `colorimetry`: the matrix and range of the output; NULL for BT.601 limited range.  NULL and an
 * error when the caller's format cannot become `out_format`. */
VwConverter *vw_converter_new (VidwritePixelFormat in_format, GstVideoFormat out_format,
                               guint width, guint height, const GstVideoColorimetry *colorimetry,
                               GError **error);
void vw_converter_free (VwConverter *converter);
GstCaps *vw_converter_get_caps (VwConverter *converter, gint fps_n, gint fps_d);
GstBuffer *vw_converter_convert (VwConverter *converter, GBytes *frames, gsize offset);
gboolean vw_converter_is_native (VwConverter *converter);
void vw_converter_release_after_encode (GstElement *encoder);

/* vidwrite-formats.c: the pixel formats callers push. */
typedef struct
{
  VidwritePixelFormat format;
  const char *name;       /* FFmpeg's pix_fmt */
  GstVideoFormat gst;     /* the same layout in GStreamer; UNKNOWN when it has none */
  guint channels;         /* samples a pixel of a packed layout (an array's C); 0 for planar YUV */
  guint sample_bytes;     /* bytes a sample */
  gboolean array_default; /* what an array of `channels` samples of this size is taken as */
} VwPixelFormatInfo;

const VwPixelFormatInfo *vw_pixel_format_info (VidwritePixelFormat format);
void vw_pixel_format_video_info (VidwritePixelFormat format, guint width, guint height,
                                 GstVideoInfo *info);

/* vidwrite-task-pool.c: one thread a streaming task, joined when it stops (fork safety). */
GstTaskPool *vw_task_pool_get (void);
/* Called by a thread of ours (finish_async's, the pushes') before it hands over its result, its
 * last act: it is joined by the next vw_thread_reap(), and before any fork(). */
void vw_thread_exiting (void);
/* Joins the threads that said they were exiting. */
void vw_thread_reap (void);
/* vidwrite-log.c: encoder libraries' own logs -> GStreamer's debug log, where a hook exists. */
void vw_log_route_library (GstElement *encoder);
gpointer vw_loaded_library_symbol (const char *library, const char *symbol);

/* vidwrite-error.c */
void vw_set_error_from_message (GError **error, GstMessage *message);
/* g_set_error() in the VIDWRITE_ERROR domain, with the message made valid UTF-8. */
void vw_set_error (GError **error, VidwriteError code, const char *format, ...) G_GNUC_PRINTF (3, 4);
void vw_error_make_valid (GError *error);

G_END_DECLS
