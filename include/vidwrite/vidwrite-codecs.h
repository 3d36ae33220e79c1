/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__VIDWRITE_H_INSIDE__) && !defined(VIDWRITE_COMPILATION)
#error "Only <vidwrite/vidwrite.h> can be included directly."
#endif

#include <glib-object.h>
#include <vidwrite/vidwrite-version.h>

G_BEGIN_DECLS

/**
 * VidwriteCodecKind:
 * @VIDWRITE_CODEC_KIND_VIDEO: a video codec
 * @VIDWRITE_CODEC_KIND_AUDIO: an audio codec
 *
 * What a codec encodes.
 */
typedef enum
{
  VIDWRITE_CODEC_KIND_VIDEO,
  VIDWRITE_CODEC_KIND_AUDIO,
} VidwriteCodecKind;

#define VIDWRITE_TYPE_CODEC_INFO (vidwrite_codec_info_get_type ())

VIDWRITE_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VidwriteCodecInfo, vidwrite_codec_info, VIDWRITE, CODEC_INFO, GObject)

VIDWRITE_AVAILABLE_IN_ALL
const char *vidwrite_codec_info_get_name (VidwriteCodecInfo *self);
VIDWRITE_AVAILABLE_IN_ALL
VidwriteCodecKind vidwrite_codec_info_get_kind (VidwriteCodecInfo *self);
VIDWRITE_AVAILABLE_IN_ALL
const char *vidwrite_codec_info_get_element (VidwriteCodecInfo *self);
VIDWRITE_AVAILABLE_IN_ALL
const char *vidwrite_codec_info_get_unavailable_reason (VidwriteCodecInfo *self);
VIDWRITE_AVAILABLE_IN_ALL
const char *const *vidwrite_codec_info_get_candidates (VidwriteCodecInfo *self);
VIDWRITE_AVAILABLE_IN_ALL
const char *const *vidwrite_codec_info_get_containers (VidwriteCodecInfo *self);
VIDWRITE_AVAILABLE_IN_ALL
const char *const *vidwrite_codec_info_get_options (VidwriteCodecInfo *self);

VIDWRITE_AVAILABLE_IN_ALL
GPtrArray *vidwrite_list_codecs (void);
VIDWRITE_AVAILABLE_IN_ALL
VidwriteCodecInfo *vidwrite_find_codec (const char *name, GError **error);
VIDWRITE_AVAILABLE_IN_ALL
char **vidwrite_list_containers (void);

G_END_DECLS
