/* Where a write goes besides a plain file: HLS, numbered segments, RTMP and SRT servers.
 * Private to the library; meant to be folded into vidwrite-private.h.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vidwrite-private.h"

G_BEGIN_DECLS

typedef enum
{
  VW_TARGET_FILE,     /* anything else: one file at that path */
  VW_TARGET_HLS,      /* DIR/NAME.m3u8: playlist + DIR/NAME%d.ts */
  VW_TARGET_SEGMENTS, /* a file name with one printf %d (%03d ...): numbered files */
  VW_TARGET_RTMP,     /* rtmp://HOST[:PORT]/APP/KEY, rtmps://... */
  VW_TARGET_SRT,      /* srt://HOST:PORT, as caller */
} VwTargetKind;

typedef struct
{
  VwTargetKind kind;
  const char *name;      /* for messages */
  const char *muxer;     /* the muxer the caller puts before the sink; NULL: the sink muxes,
                          * link the streams to its request pads instead */
  const char *video_pad; /* the sink's request pads when it muxes */
  const char *audio_pad;
} VwTargetInfo;

VwTargetKind vw_target_kind_for_location (const char *location);
const VwTargetInfo *vw_target_info (VwTargetKind kind);

/* Each returns a floating element ready to add to a pipeline, or NULL with `error` set.
 * `options` (nullable, utf8 -> utf8): the keys the sink understands are parsed and removed from
 * it, so that the caller can report the keys nobody took. */
GstElement *vw_sink_make_hls (const char *playlist_path, GHashTable *options, GError **error);
GstElement *vw_sink_make_segments (const char *pattern, const char *muxer_factory,
                                   GHashTable *options, GError **error);
GstElement *vw_sink_make_rtmp (const char *url, GError **error);
GstElement *vw_sink_make_srt (const char *url, GError **error);

/* The location a sink above was made for (NULL for any other element). */
const char *vw_sink_get_location (GstElement *sink);
/* vw_set_error_from_message(), naming the sink's location (the URL, playlist or pattern)
 * when the error comes from the sink or an element inside it. */
void vw_sink_set_error_from_message (GstElement *sink, GstMessage *message, GError **error);

/* For the tests: whether `pattern`'s file name holds exactly one %d conversion (flags 0 and a
 * width allowed, %% a literal %), as FFmpeg's segment and image muxers take it. */
gboolean vw_pattern_is_numbered (const char *pattern);

G_END_DECLS
