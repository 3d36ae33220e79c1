/* FFmpeg codec names -> GStreamer element factories, and which container takes what.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * All the knowledge is in the tables below; the functions only read them.  Adding a codec is
 * adding a row.
 */
#include "vidwrite-private.h"

#include <string.h>

static const VwContainer containers[] = {
  /* extension, muxer, FFmpeg's default audio codec for it, smallest frame side */
  { "mp4", "mp4mux", "aac", 16 },
  { "mov", "qtmux", "aac", 0 },
  { "mkv", "matroskamux", "vorbis", 0 },
  { "webm", "webmmux", "opus", 0 },
  { "avi", "avimux", "mp3", 0 },
  { "ogv", "oggmux", "vorbis", 0 },
  { "ogg", "oggmux", "vorbis", 0 },
  { "ts", "mpegtsmux", "aac", 0 },
  { "flv", "flvmux", "mp3", 0 },
};

#define FACTORIES(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const VwCodec codecs[] = {
  /* video */
  { "libx264", VW_MEDIA_VIDEO, FACTORIES ("x264enc"), "h264parse", "mp4 mov mkv avi ts flv",
    "x264enc comes with gst-plugins-ugly (Debian: gstreamer1.0-plugins-ugly)" },
  { "h264", VW_MEDIA_VIDEO, FACTORIES ("x264enc"), "h264parse", "mp4 mov mkv avi ts flv",
    "x264enc comes with gst-plugins-ugly (Debian: gstreamer1.0-plugins-ugly)" },

  /* audio */
  /* avenc_aac in GStreamer 1.22 blends the two channels of stereo (measured: a 440 Hz left and
   * 660 Hz right come back in both); voaacenc takes only mono and stereo. */
  { "aac", VW_MEDIA_AUDIO, FACTORIES ("voaacenc", "avenc_aac"), "aacparse", "mp4 mov mkv avi ts flv",
    "voaacenc comes with gst-plugins-bad (Debian: gstreamer1.0-plugins-bad), avenc_aac with "
    "gst-libav (gstreamer1.0-libav)" },
  { "mp3", VW_MEDIA_AUDIO, FACTORIES ("lamemp3enc"), "mpegaudioparse", "mp4 mov mkv avi ts flv",
    "lamemp3enc comes with gst-plugins-good (Debian: gstreamer1.0-plugins-good)" },
  { "libmp3lame", VW_MEDIA_AUDIO, FACTORIES ("lamemp3enc"), "mpegaudioparse",
    "mp4 mov mkv avi ts flv",
    "lamemp3enc comes with gst-plugins-good (Debian: gstreamer1.0-plugins-good)" },
  /* Not .mp4: what mp4mux makes of opusenc's output decodes 28% short in FFmpeg (measured). */
  { "opus", VW_MEDIA_AUDIO, FACTORIES ("opusenc"), NULL, "mkv webm ogv ogg ts",
    "opusenc comes with gst-plugins-base (Debian: gstreamer1.0-plugins-base)" },
  { "libopus", VW_MEDIA_AUDIO, FACTORIES ("opusenc"), NULL, "mkv webm ogv ogg ts",
    "opusenc comes with gst-plugins-base (Debian: gstreamer1.0-plugins-base)" },
  { "vorbis", VW_MEDIA_AUDIO, FACTORIES ("vorbisenc"), NULL, "mkv webm ogv ogg",
    "vorbisenc comes with gst-plugins-base (Debian: gstreamer1.0-plugins-base)" },
  { "libvorbis", VW_MEDIA_AUDIO, FACTORIES ("vorbisenc"), NULL, "mkv webm ogv ogg",
    "vorbisenc comes with gst-plugins-base (Debian: gstreamer1.0-plugins-base)" },
  { "flac", VW_MEDIA_AUDIO, FACTORIES ("flacenc"), NULL, "mkv ogv ogg",
    "flacenc comes with gst-plugins-good (Debian: gstreamer1.0-plugins-good)" },
};

static const char *
media_name (VwMedia media)
{
  return media == VW_MEDIA_VIDEO ? "video" : "audio";
}

static gboolean
word_in_list (const char *word, const char *list)
{
  gsize len = strlen (word);

  for (const char *p = list; (p = strstr (p, word)) != NULL; p += len)
    if ((p == list || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' '))
      return TRUE;
  return FALSE;
}

static gboolean
factory_exists (const char *name)
{
  g_autoptr (GstElementFactory) factory = gst_element_factory_find (name);

  return factory != NULL;
}

const VwContainer *
vw_container_for_filename (const char *filename, GError **error)
{
  g_autofree char *base = g_path_get_basename (filename);
  const char *dot = strrchr (base, '.');

  if (dot && dot != base)
    {
      g_autofree char *ext = g_ascii_strdown (dot + 1, -1);

      for (guint i = 0; i < G_N_ELEMENTS (containers); i++)
        if (g_str_equal (ext, containers[i].extension))
          return &containers[i];
    }

  GString *known = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (containers); i++)
    g_string_append_printf (known, "%s.%s", i ? ", " : "", containers[i].extension);
  if (dot && dot != base)
    g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_UNSUPPORTED_CONTAINER,
                 "“%s”: the extension “%s” names no container vidwrite writes (known: %s)",
                 filename, dot, known->str);
  else
    g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_UNSUPPORTED_CONTAINER,
                 "“%s” has no extension to name its container (known: %s)", filename, known->str);
  g_string_free (known, TRUE);
  return NULL;
}

static const VwCodec *
find_codec (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (codecs); i++)
    if (g_str_equal (codecs[i].name, name))
      return &codecs[i];
  return NULL;
}

static gboolean
factory_is_encoder_for (GstElementFactory *factory, VwMedia media)
{
  const char *klass = gst_element_factory_get_metadata (factory, GST_ELEMENT_METADATA_KLASS);

  return klass && strstr (klass, "Encoder") &&
         strstr (klass, media == VW_MEDIA_VIDEO ? "Video" : "Audio");
}

static char *
known_names (VwMedia media)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (codecs); i++)
    if (codecs[i].media == media)
      g_string_append_printf (out, "%s%s", out->len ? ", " : "", codecs[i].name);
  return g_string_free (out, FALSE);
}

gboolean
vw_codec_resolve (const char *name, VwMedia media, const GstCaps *input, VwResolved *out,
                  GError **error)
{
  const VwCodec *codec = find_codec (name);

  memset (out, 0, sizeof *out);
  if (codec && codec->media != media)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_UNKNOWN_CODEC,
                   "“%s” is %s codec, not %s codec", name,
                   codec->media == VW_MEDIA_VIDEO ? "a video" : "an audio",
                   media == VW_MEDIA_VIDEO ? "a video" : "an audio");
      return FALSE;
    }

  if (codec)
    {
      g_autofree char *wanted = NULL;
      gboolean installed = FALSE;

      /* The first installed element, in preference order, that takes this stream. */
      for (guint i = 0; codec->factories[i] && !out->factory; i++)
        {
          GstElementFactory *factory = gst_element_factory_find (codec->factories[i]);

          installed |= factory != NULL;
          if (factory && (!input || gst_element_factory_can_sink_any_caps (factory, input)))
            out->factory = factory;
          else
            g_clear_object (&factory);
        }
      if (installed && !out->factory)
        {
          g_autofree char *stream = gst_caps_to_string (input);

          wanted = g_strjoinv (", ", (char **) codec->factories);
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INCOMPATIBLE,
                       "none of the elements for %s codec “%s” (%s) takes this stream: %s",
                       media_name (media), name, wanted, stream);
          return FALSE;
        }
      if (out->factory && codec->parser && !factory_exists (codec->parser))
        {
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_CODEC_UNAVAILABLE,
                       "%s codec “%s” needs the parser %s, which is not installed (it comes with "
                       "gst-plugins-bad or -good)",
                       media_name (media), name, codec->parser);
          g_clear_object (&out->factory);
          return FALSE;
        }
      if (!out->factory)
        {
          wanted = g_strjoinv (", ", (char **) codec->factories);
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_CODEC_UNAVAILABLE,
                       "%s codec “%s” needs one of the GStreamer elements %s, and none is "
                       "installed: %s",
                       media_name (media), name, wanted, codec->missing_hint);
          return FALSE;
        }
      out->codec = codec;
      return TRUE;
    }

  out->factory = gst_element_factory_find (name);
  if (out->factory && factory_is_encoder_for (out->factory, media))
    return TRUE;
  g_clear_object (&out->factory);

  g_autofree char *known = known_names (media);
  g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_UNKNOWN_CODEC,
               "unknown %s codec “%s”: neither an FFmpeg name vidwrite maps (%s) nor an installed "
               "GStreamer %s encoder",
               media_name (media), name, known, media_name (media));
  return FALSE;
}

void
vw_resolved_clear (VwResolved *resolved)
{
  g_clear_object (&resolved->factory);
  resolved->codec = NULL;
}

const char *
vw_resolved_name (const VwResolved *resolved)
{
  return resolved->codec ? resolved->codec->name : GST_OBJECT_NAME (resolved->factory);
}

/* For an encoder given by factory name: does any sink pad of the muxer take what it makes? */
static gboolean
muxer_takes_factory_output (GstElementFactory *muxer, GstElementFactory *encoder)
{
  for (const GList *s = gst_element_factory_get_static_pad_templates (encoder); s; s = s->next)
    {
      GstStaticPadTemplate *src = s->data;

      if (src->direction != GST_PAD_SRC)
        continue;
      g_autoptr (GstCaps) src_caps = gst_static_pad_template_get_caps (src);
      for (const GList *m = gst_element_factory_get_static_pad_templates (muxer); m; m = m->next)
        {
          GstStaticPadTemplate *sink = m->data;

          if (sink->direction != GST_PAD_SINK)
            continue;
          g_autoptr (GstCaps) sink_caps = gst_static_pad_template_get_caps (sink);
          if (gst_caps_can_intersect (src_caps, sink_caps))
            return TRUE;
        }
    }
  return FALSE;
}

static char *
containers_taking (const VwResolved *resolved)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (containers); i++)
    {
      gboolean takes;

      if (resolved->codec)
        takes = word_in_list (containers[i].extension, resolved->codec->containers);
      else
        {
          g_autoptr (GstElementFactory) muxer = gst_element_factory_find (containers[i].muxer);
          takes = muxer && muxer_takes_factory_output (muxer, resolved->factory);
        }
      if (takes)
        g_string_append_printf (out, "%s.%s", out->len ? ", " : "", containers[i].extension);
    }
  return g_string_free (out, FALSE);
}

gboolean
vw_codec_check_container (const VwResolved *resolved, const VwContainer *container, GError **error)
{
  g_autoptr (GstElementFactory) muxer = gst_element_factory_find (container->muxer);
  gboolean takes;

  if (!muxer)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_CODEC_UNAVAILABLE,
                   "the .%s container needs the GStreamer element %s, which is not installed",
                   container->extension, container->muxer);
      return FALSE;
    }

  if (resolved->codec)
    takes = word_in_list (container->extension, resolved->codec->containers);
  else
    takes = muxer_takes_factory_output (muxer, resolved->factory);
  if (takes)
    return TRUE;

  g_autofree char *others = containers_taking (resolved);
  g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INCOMPATIBLE,
               "a .%s file cannot hold “%s” (%s); containers that take it: %s",
               container->extension, vw_resolved_name (resolved),
               GST_OBJECT_NAME (resolved->factory), *others ? others : "none");
  return FALSE;
}
