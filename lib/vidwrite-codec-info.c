/* The codec registry users can ask: every name vidwrite maps, and what it means on this machine.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A thin reader of the tables in vidwrite-codecs.c and vidwrite-options.c: it resolves each name
 * as a writer would and reports the outcome, so the registry cannot disagree with the writer.
 */
#include "vidwrite-private.h"

/**
 * VidwriteCodecInfo:
 *
 * One codec name and what serves it here: the GStreamer element it resolves to (or why none
 * can), the containers it goes into and the FFmpeg option keys it takes.  Immutable.
 */
struct _VidwriteCodecInfo
{
  GObject parent_instance;

  char *name;
  VidwriteCodecKind kind;
  char *element;
  char *unavailable_reason;
  GStrv candidates;
  GStrv containers;
  GStrv options;
};

G_DEFINE_FINAL_TYPE (VidwriteCodecInfo, vidwrite_codec_info, G_TYPE_OBJECT)

static void
vidwrite_codec_info_finalize (GObject *object)
{
  VidwriteCodecInfo *self = VIDWRITE_CODEC_INFO (object);

  g_free (self->name);
  g_free (self->element);
  g_free (self->unavailable_reason);
  g_strfreev (self->candidates);
  g_strfreev (self->containers);
  g_strfreev (self->options);
  G_OBJECT_CLASS (vidwrite_codec_info_parent_class)->finalize (object);
}

static void
vidwrite_codec_info_class_init (VidwriteCodecInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vidwrite_codec_info_finalize;
}

static void
vidwrite_codec_info_init (VidwriteCodecInfo *self)
{
  (void)self;
}

/* Resolves `name` as the writer would; NULL with `error` set when the name is unknown. */
static VidwriteCodecInfo *
codec_info_new (const char *name, VwMedia media, const char *const *candidates, GError **error)
{
  VidwriteCodecInfo *self;
  VwResolved resolved;
  g_autoptr (GError) why = NULL;

  if (!vw_codec_resolve (name, media, NULL, &resolved, &why)
      && !g_error_matches (why, VIDWRITE_ERROR, VIDWRITE_ERROR_CODEC_UNAVAILABLE))
    {
      g_propagate_error (error, g_steal_pointer (&why));
      return NULL;
    }

  self = g_object_new (VIDWRITE_TYPE_CODEC_INFO, NULL);
  self->name = g_strdup (name);
  self->kind = media == VW_MEDIA_VIDEO ? VIDWRITE_CODEC_KIND_VIDEO : VIDWRITE_CODEC_KIND_AUDIO;
  self->candidates
      = g_strdupv ((char **)(candidates ? candidates : (const char *const[]){ name, NULL }));
  if (why)
    {
      const VwCodec *codec = NULL;

      self->unavailable_reason = g_strdup (why->message);
      for (guint i = 0; (codec = vw_codec_nth (i)) && !g_str_equal (codec->name, name); i++)
        ;
      resolved.codec = codec;
      /* What the preferred element would take, were it installed (hardware encoders). */
      self->options = codec && codec->factories ? vw_options_list_keys (codec->factories[0], media)
                                                : g_new0 (char *, 1);
    }
  else
    {
      self->element = g_strdup (GST_OBJECT_NAME (resolved.factory));
      /* A factory name takes its property names, not FFmpeg's keys. */
      self->options
          = resolved.ffmpeg_name ? vw_options_list_keys (self->element, media) : g_new0 (char *, 1);
    }
  {
    g_autofree char *list = vw_codec_containers (&resolved);
    g_auto (GStrv) words = g_strsplit (list, ", ", -1);
    g_autoptr (GStrvBuilder) out = g_strv_builder_new ();

    for (guint i = 0; words[i]; i++)
      if (*words[i])
        g_strv_builder_add (out, words[i] + 1); /* without the dot */
    self->containers = g_strv_builder_end (out);
  }
  vw_resolved_clear (&resolved);
  return self;
}

/**
 * vidwrite_codec_info_get_name:
 * @self: a #VidwriteCodecInfo
 *
 * Gets the name this entry is for, as the writer takes it.
 *
 * Returns: the codec name, as FFmpeg spells it ("libx264"), or an encoder factory name
 */
const char *
vidwrite_codec_info_get_name (VidwriteCodecInfo *self)
{
  g_return_val_if_fail (VIDWRITE_IS_CODEC_INFO (self), NULL);
  return self->name;
}

/**
 * vidwrite_codec_info_get_kind:
 * @self: a #VidwriteCodecInfo
 *
 * Gets whether the codec is for the video or the audio stream.
 *
 * Returns: whether it is a video or an audio codec
 */
VidwriteCodecKind
vidwrite_codec_info_get_kind (VidwriteCodecInfo *self)
{
  g_return_val_if_fail (VIDWRITE_IS_CODEC_INFO (self), VIDWRITE_CODEC_KIND_VIDEO);
  return self->kind;
}

/**
 * vidwrite_codec_info_get_element:
 * @self: a #VidwriteCodecInfo
 *
 * The GStreamer element factory that writes this codec on this machine: the first installed
 * one of vidwrite_codec_info_get_candidates().  "capsfilter" for uncompressed codecs.
 *
 * Returns: (nullable): the factory name, or %NULL when the codec is unavailable here
 */
const char *
vidwrite_codec_info_get_element (VidwriteCodecInfo *self)
{
  g_return_val_if_fail (VIDWRITE_IS_CODEC_INFO (self), NULL);
  return self->element;
}

/**
 * vidwrite_codec_info_get_unavailable_reason:
 * @self: a #VidwriteCodecInfo
 *
 * Gets why the codec cannot be written on this machine.
 *
 * Returns: (nullable): why the codec cannot be written here (the message of the
 *   %VIDWRITE_ERROR_CODEC_UNAVAILABLE a writer would report), or %NULL when it can
 */
const char *
vidwrite_codec_info_get_unavailable_reason (VidwriteCodecInfo *self)
{
  g_return_val_if_fail (VIDWRITE_IS_CODEC_INFO (self), NULL);
  return self->unavailable_reason;
}

/**
 * vidwrite_codec_info_get_candidates:
 * @self: a #VidwriteCodecInfo
 *
 * Gets the elements that could serve the codec, installed here or not.
 *
 * Returns: (array zero-terminated=1) (transfer none): the element factories that can serve the
 *   codec, in the order vidwrite tries them; empty for names nothing here can serve
 */
const char *const *
vidwrite_codec_info_get_candidates (VidwriteCodecInfo *self)
{
  g_return_val_if_fail (VIDWRITE_IS_CODEC_INFO (self), NULL);
  return (const char *const *)self->candidates;
}

/**
 * vidwrite_codec_info_get_containers:
 * @self: a #VidwriteCodecInfo
 *
 * Gets the containers the codec goes into, as vidwrite writes them.
 *
 * Returns: (array zero-terminated=1) (transfer none): the file extensions, without the dot,
 *   of the containers the codec can be written into
 */
const char *const *
vidwrite_codec_info_get_containers (VidwriteCodecInfo *self)
{
  g_return_val_if_fail (VIDWRITE_IS_CODEC_INFO (self), NULL);
  return (const char *const *)self->containers;
}

/**
 * vidwrite_codec_info_get_options:
 * @self: a #VidwriteCodecInfo
 *
 * The FFmpeg option keys vidwrite maps for the element this codec resolves to ("crf",
 * "preset", "b" ...), or, when it is unavailable, for the element it would prefer.  avenc_*
 * elements take their own FFmpeg options besides; an encoder given by factory name takes its
 * property names instead, and lists none here.
 *
 * Returns: (array zero-terminated=1) (transfer none): the option keys
 */
const char *const *
vidwrite_codec_info_get_options (VidwriteCodecInfo *self)
{
  g_return_val_if_fail (VIDWRITE_IS_CODEC_INFO (self), NULL);
  return (const char *const *)self->options;
}

/**
 * vidwrite_list_codecs:
 *
 * Lists every codec name vidwrite maps, video first, each resolved on this machine.
 *
 * The array owns its elements (it unrefs them when freed): free it with g_ptr_array_unref().
 * It is annotated (transfer container) because a binding that took the elements' references
 * as well (transfer full) would then free them twice.
 *
 * Returns: (transfer container) (element-type VidwriteCodecInfo): the codecs, or %NULL when
 *   GStreamer cannot be initialised
 */
GPtrArray *
vidwrite_list_codecs (void)
{
  GPtrArray *out;
  const VwCodec *codec;

  if (!vw_ensure_gst (NULL))
    return NULL;
  out = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint media = VW_MEDIA_VIDEO; media <= VW_MEDIA_AUDIO; media++)
    for (guint i = 0; (codec = vw_codec_nth (i)); i++)
      if (codec->media == media)
        {
          VidwriteCodecInfo *info = codec_info_new (
              codec->name, codec->media,
              codec->factories ? codec->factories : (const char *const[]){ NULL }, NULL);
          g_ptr_array_add (out, info);
        }
  return out;
}

/**
 * vidwrite_find_codec:
 * @name: an FFmpeg codec name ("libx264", "aac") or an installed GStreamer encoder factory name
 * @error: return location for a #GError
 *
 * Looks a codec name up as vidwrite_writer_set_video() or vidwrite_writer_set_audio() would.
 * A name that is known but cannot be served here is found, with its reason.
 *
 * Returns: (transfer full): the codec, or %NULL with %VIDWRITE_ERROR_UNKNOWN_CODEC
 */
VidwriteCodecInfo *
vidwrite_find_codec (const char *name, GError **error)
{
  const VwCodec *codec;
  VidwriteCodecInfo *info;

  g_return_val_if_fail (name != NULL, NULL);
  if (!vw_ensure_gst (error))
    return NULL;
  for (guint i = 0; (codec = vw_codec_nth (i)); i++)
    if (g_str_equal (codec->name, name))
      return codec_info_new (name, codec->media,
                             codec->factories ? codec->factories : (const char *const[]){ NULL },
                             error);
  info = codec_info_new (name, VW_MEDIA_VIDEO, NULL, NULL);
  if (!info)
    info = codec_info_new (name, VW_MEDIA_AUDIO, NULL, NULL);
  if (!info)
    vw_set_error (error, VIDWRITE_ERROR_UNKNOWN_CODEC,
                 "unknown codec “%s”: neither an FFmpeg name vidwrite maps nor an installed "
                 "GStreamer encoder",
                 name);
  return info;
}

/**
 * vidwrite_list_containers:
 *
 * Lists the containers vidwrite writes, by the file extension that picks each.
 *
 * Returns: (transfer full) (array zero-terminated=1): the extensions, without the dot, in a
 *   %NULL-terminated array to free with g_strfreev()
 *
 * Since: 0.2
 */
char **
vidwrite_list_containers (void)
{
  g_autoptr (GStrvBuilder) out = g_strv_builder_new ();
  const VwContainer *container;

  for (guint i = 0; (container = vw_container_nth (i)); i++)
    g_strv_builder_add (out, container->extension);
  return g_strv_builder_end (out);
}
