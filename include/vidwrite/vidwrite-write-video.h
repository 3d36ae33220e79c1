/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__VIDWRITE_H_INSIDE__) && !defined(VIDWRITE_COMPILATION)
#error "Only <vidwrite/vidwrite.h> can be included directly."
#endif

#include <glib.h>
#include <vidwrite/vidwrite-version.h>

G_BEGIN_DECLS

VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_write_video (const char *filename,
                               GBytes     *video,
                               guint       n_frames,
                               guint       height,
                               guint       width,
                               guint       channels,
                               double      fps,
                               const char *video_codec,
                               GHashTable *options,
                               GBytes     *audio,
                               guint       audio_channels,
                               double      audio_fps,
                               const char *audio_codec,
                               GHashTable *audio_options,
                               GError    **error);

VIDWRITE_AVAILABLE_IN_ALL
GBytes *vidwrite_encode_video (const char *format,
                               GBytes     *video,
                               guint       n_frames,
                               guint       height,
                               guint       width,
                               guint       channels,
                               double      fps,
                               const char *video_codec,
                               GHashTable *options,
                               GBytes     *audio,
                               guint       audio_channels,
                               double      audio_fps,
                               const char *audio_codec,
                               GHashTable *audio_options,
                               GError    **error);

G_END_DECLS
