/* FFmpeg codec names -> GStreamer element factories, and which container takes what.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * All the knowledge is in the tables below; the functions only read them.  Adding a codec is
 * adding a row.
 */
#include "vidwrite-private.h"

#include <string.h>

/* clang-format off */
/* The one list of containers: the writer, the registry (vidwrite_list_containers()), the CLI's
 * help and the tests read it.  The default video codec is FFmpeg's for mp4, mov, mkv, webm and
 * ogv/ogg; where FFmpeg's muxer defaults to an older codec (avi: mpeg4, ts: mpeg2video, flv:
 * flv1, mpg: mpeg1video, which vidwrite does not write) the issue 10 choice stands: H.264, and
 * MPEG-2 for .mpg. */
static const VwContainer containers[] = {
  /* extension, muxer, default audio codec, smallest frame side, default video codec */
  { "mp4", "mp4mux", "aac", 16, "libx264" },
  { "mov", "qtmux", "aac", 0, "libx264" },
  { "mkv", "matroskamux", "vorbis", 0, "libx264" },
  { "webm", "webmmux", "opus", 0, "libvpx-vp9" },
  { "avi", "avimux", "mp3", 0, "libx264" },
  { "ogv", "oggmux", "vorbis", 0, "libtheora" },
  { "ogg", "oggmux", "vorbis", 0, "libtheora" },
  { "ts", "mpegtsmux", "aac", 0, "libx264" },
  { "flv", "flvmux", "mp3", 0, "libx264" },
  { "mpg", "mpegpsmux", "mp2", 0, "mpeg2video" },
  /* Audio only (no default video: a write into them has no picture), with FFmpeg's codec for
   * each.  mp3: an ID3v2 tag before the frames, as FFmpeg writes; flac: the native stream, its
   * header rewritten at the end; m4a: MP4 (FFmpeg's "ipod" muxer). */
  { "mp3", "id3v2mux", "libmp3lame", 0, NULL },
  { "flac", "flactag", "flac", 0, NULL },
  { "wav", "wavenc", "pcm_s16le", 0, NULL },
  { "opus", "oggmux", "libopus", 0, NULL },
  { "m4a", "mp4mux", "aac", 0, NULL },
};
/* clang-format on */

#define FACTORIES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Where the Debian packages of the elements come from, for the messages. */
#define UGLY "gst-plugins-ugly (Debian: gstreamer1.0-plugins-ugly)"
#define GOOD "gst-plugins-good (Debian: gstreamer1.0-plugins-good)"
#define BAD "gst-plugins-bad (Debian: gstreamer1.0-plugins-bad)"
#define BASE "gst-plugins-base (Debian: gstreamer1.0-plugins-base)"
#define LIBAV "gst-libav (Debian: gstreamer1.0-libav)"
#define NVENC "the nvcodec plugin of " BAD ", and an NVIDIA GPU with its driver's libnvidia-encode"
#define VAAPI                                                                                      \
  "the va plugin of " BAD " or gstreamer-vaapi (Debian: gstreamer1.0-vaapi), and a VA-API "        \
  "driver with an encoder for it"
#define QSV                                                                                        \
  "the qsv or msdk plugin of " BAD " (Debian 12 builds neither), and an Intel GPU with oneVPL"
#define H264_IN "mp4 mov mkv avi ts flv mpg"
#define HEVC_IN "mp4 mov mkv ts"
#define AV1_IN "mp4 mov mkv webm"
#define VP9_IN "mp4 mov mkv webm"

/* FFmpeg's VP3/Theora decoder refuses a picture narrower than 18 pixels (vp3.c, "Invalid frame
 * dimensions"): such a Theora stream could be read by GStreamer only. */
static const VwSizeLimits theora_refused[] = {
  { 0, 17, 0, VW_MAX_DIMENSION,
    "FFmpeg's Theora decoder (what torchvision and PyAV read with) takes no frame narrower than "
    "18 pixels; use libvpx or libx264 for narrower frames" },
  { 0 },
};

/* MPEG-2 level as FFmpeg's encoder picks it from the frame size (mpeg12enc.c): Main up to
 * 720x576, High-1440 up to 1440x1152, High beyond (also for sizes past High's 1920x1152, as FFmpeg
 * writes them).  mpeg2enc has no level property: with `constraints` off it encodes any size but
 * still writes Main, so the level nibble of each sequence extension is rewritten here. */
static guint
mpeg2_level_for_size (guint width, guint height)
{
  if (width <= 720 && height <= 576)
    return 8;
  if (width <= 1440 && height <= 1152)
    return 6;
  return 4;
}

static GstPadProbeReturn
fix_mpeg2_level (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstBuffer *buffer = gst_pad_probe_info_get_buffer (info);
  GstMapInfo map;
  guint width = 0, height = 0;

  buffer = gst_buffer_make_writable (buffer);
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  if (!gst_buffer_map (buffer, &map, GST_MAP_READWRITE))
    return GST_PAD_PROBE_OK;
  for (gsize i = 0; i + 7 < map.size; i++)
    {
      guint8 *p = map.data + i;

      if (p[0] != 0 || p[1] != 0 || p[2] != 1)
        continue;
      if (p[3] == 0xB3) /* sequence header: 12 bits of width, 12 of height */
        {
          width = (p[4] << 4) | (p[5] >> 4);
          height = ((p[5] & 0x0F) << 8) | p[6];
        }
      else if (p[3] == 0xB5 && (p[4] >> 4) == 1 && width) /* its sequence extension */
        {
          width |= (((p[5] & 1) << 1) | (p[6] >> 7)) << 12;
          height |= ((p[6] >> 5) & 3) << 12;
          p[5] = (guint8)((mpeg2_level_for_size (width, height) << 4) | (p[5] & 0x0F));
          width = height = 0;
        }
    }
  gst_buffer_unmap (buffer, &map);
  return GST_PAD_PROBE_OK;
}

/* Every combination listed was written with gst-launch-1.0 on Debian 12 and read back with
 * ffprobe; what is not listed failed there.  Parsers: byte-stream encoders need theirs before
 * mp4/mkv/flv, vp9parse gives mp4mux its vpcC box; mpeg4videoparse and jpegparse are left out
 * because behind avenc_mpeg4 and avenc_mjpeg they drop the first timestamps (mp4mux: "Buffer has
 * no PTS"; matroskamux keeps one frame). */
static const VwCodec codecs[] = {
  /* video */
  { "libx264", VW_MEDIA_VIDEO, FACTORIES ("x264enc"), "h264parse", H264_IN,
    "x264enc comes with " UGLY },
  { "h264", VW_MEDIA_VIDEO, FACTORIES ("x264enc"), "h264parse", H264_IN,
    "x264enc comes with " UGLY },
  /* RGB as H.264 4:4:4 in G, B, R planes (see the libx264rgb family in vidwrite-options.c). */
  { "libx264rgb", VW_MEDIA_VIDEO, FACTORIES ("x264enc"), "h264parse", H264_IN,
    "x264enc comes with " UGLY },
  { "libopenh264", VW_MEDIA_VIDEO, FACTORIES ("openh264enc"), "h264parse", H264_IN,
    "openh264enc comes with " BAD },
  { "libx265", VW_MEDIA_VIDEO, FACTORIES ("x265enc"), "h265parse", HEVC_IN,
    "x265enc comes with " BAD },
  { "hevc", VW_MEDIA_VIDEO, FACTORIES ("x265enc"), "h265parse", HEVC_IN, "x265enc comes with " BAD },
  { "mpeg4", VW_MEDIA_VIDEO, FACTORIES ("avenc_mpeg4"), NULL, "mp4 mov mkv avi ts mpg",
    "avenc_mpeg4 comes with " LIBAV },
  /* avenc_mpeg2video of gst-libav 1.22.0 refuses every frame rate ("MPEG-1/2 does not support
   * 1000000000/1 fps"), so mjpegtools' encoder serves it. */
  { "mpeg2video", VW_MEDIA_VIDEO, FACTORIES ("mpeg2enc"), "mpegvideoparse", "mkv avi ts mpg",
    "mpeg2enc comes with " BAD, NULL, NULL, fix_mpeg2_level },
  { "mjpeg", VW_MEDIA_VIDEO, FACTORIES ("avenc_mjpeg", "jpegenc"), NULL, "mov mkv avi",
    "avenc_mjpeg comes with " LIBAV ", jpegenc with " GOOD },
  { "libvpx", VW_MEDIA_VIDEO, FACTORIES ("vp8enc"), NULL, "mov mkv webm avi ogv ogg",
    "vp8enc comes with " GOOD },
  { "vp8", VW_MEDIA_VIDEO, FACTORIES ("vp8enc"), NULL, "mov mkv webm avi ogv ogg",
    "vp8enc comes with " GOOD },
  { "libvpx-vp9", VW_MEDIA_VIDEO, FACTORIES ("vp9enc"), "vp9parse", VP9_IN,
    "vp9enc comes with " GOOD },
  { "vp9", VW_MEDIA_VIDEO, FACTORIES ("vp9enc"), "vp9parse", VP9_IN, "vp9enc comes with " GOOD },
  { "libaom-av1", VW_MEDIA_VIDEO, FACTORIES ("av1enc"), "av1parse", AV1_IN,
    "av1enc comes with " BAD },
  { "av1", VW_MEDIA_VIDEO, FACTORIES ("av1enc"), "av1parse", AV1_IN, "av1enc comes with " BAD },
  { "ffv1", VW_MEDIA_VIDEO, FACTORIES ("avenc_ffv1"), NULL, "mkv", "avenc_ffv1 comes with " LIBAV },
  { "prores", VW_MEDIA_VIDEO, FACTORIES ("avenc_prores_ks"), NULL, "mov mkv",
    "avenc_prores_ks comes with " LIBAV },
  { "prores_ks", VW_MEDIA_VIDEO, FACTORIES ("avenc_prores_ks"), NULL, "mov mkv",
    "avenc_prores_ks comes with " LIBAV },
  { "libtheora", VW_MEDIA_VIDEO, FACTORIES ("theoraenc"), NULL, "mkv ogv ogg",
    "theoraenc comes with " BASE, NULL, theora_refused },
  { "theora", VW_MEDIA_VIDEO, FACTORIES ("theoraenc"), NULL, "mkv ogv ogg",
    "theoraenc comes with " BASE, NULL, theora_refused },
  { "png", VW_MEDIA_VIDEO, FACTORIES ("avenc_png", "pngenc"), NULL, "mov avi",
    "avenc_png comes with " LIBAV ", pngenc with " GOOD },
  /* Uncompressed: a capsfilter stands in for the encoder (see vw_codec_make_encoder()). */
  { "rawvideo", VW_MEDIA_VIDEO, FACTORIES ("capsfilter"), NULL, "mov mkv avi",
    "capsfilter comes with GStreamer itself", "video/x-raw" },

  /* Hardware: the plugins' newer elements first, then the older ones they replace. */
  { "h264_nvenc", VW_MEDIA_VIDEO, FACTORIES ("nvcudah264enc", "nvh264enc"), "h264parse", H264_IN,
    "they come with " NVENC },
  { "hevc_nvenc", VW_MEDIA_VIDEO, FACTORIES ("nvcudah265enc", "nvh265enc"), "h265parse", HEVC_IN,
    "they come with " NVENC },
  { "av1_nvenc", VW_MEDIA_VIDEO, FACTORIES ("nvcudaav1enc", "nvav1enc"), "av1parse", AV1_IN,
    "they come with the nvcodec plugin of gst-plugins-bad 1.24 or later (Debian 12 has 1.22), "
    "and an NVIDIA GPU of the Ada generation or later" },
  { "h264_vaapi", VW_MEDIA_VIDEO, FACTORIES ("vah264enc", "vah264lpenc", "vaapih264enc"),
    "h264parse", H264_IN, "they come with " VAAPI },
  { "hevc_vaapi", VW_MEDIA_VIDEO, FACTORIES ("vah265enc", "vah265lpenc", "vaapih265enc"),
    "h265parse", HEVC_IN, "they come with " VAAPI },
  { "vp9_vaapi", VW_MEDIA_VIDEO, FACTORIES ("vavp9enc", "vaapivp9enc"), "vp9parse", VP9_IN,
    "they come with " VAAPI " (vavp9enc: gst-plugins-bad 1.24 or later)" },
  { "av1_vaapi", VW_MEDIA_VIDEO, FACTORIES ("vaav1enc"), "av1parse", AV1_IN,
    "vaav1enc comes with the va plugin of gst-plugins-bad 1.24 or later (Debian 12 has 1.22), "
    "and a VA-API driver with an AV1 encoder" },
  { "h264_qsv", VW_MEDIA_VIDEO, FACTORIES ("qsvh264enc", "msdkh264enc"), "h264parse", H264_IN,
    "they come with " QSV },
  { "hevc_qsv", VW_MEDIA_VIDEO, FACTORIES ("qsvh265enc", "msdkh265enc"), "h265parse", HEVC_IN,
    "they come with " QSV },
  { "h264_v4l2m2m", VW_MEDIA_VIDEO, FACTORIES ("v4l2h264enc"), "h264parse", H264_IN,
    "v4l2h264enc comes with the video4linux2 plugin of " GOOD
    " and appears only where a V4L2 memory-to-memory H.264 encoder device exists" },

  /* FFmpeg names nothing here can serve: what to use instead. */
  { "gif", VW_MEDIA_VIDEO, NULL, NULL, "",
    "GStreamer 1.22 has no GIF encoder (gst-libav does not wrap FFmpeg's); use png in .mov or "
    "libvpx in .webm" },
  { "libsvtav1", VW_MEDIA_VIDEO, NULL, NULL, "",
    "svtav1enc is not packaged for Debian 12; use libaom-av1 (av1enc)" },
  { "librav1e", VW_MEDIA_VIDEO, NULL, NULL, "",
    "rav1enc (gst-plugins-rs) is not packaged for Debian 12; use libaom-av1 (av1enc)" },
  { "libxvid", VW_MEDIA_VIDEO, NULL, NULL, "",
    "Debian 12 has no Xvid element; use mpeg4 (avenc_mpeg4), which writes the same MPEG-4 "
    "part 2" },
  { "libfdk_aac", VW_MEDIA_AUDIO, NULL, NULL, "",
    "fdkaacenc is not in Debian 12's gst-plugins-bad; use aac (voaacenc)" },
  { "aac_at", VW_MEDIA_AUDIO, NULL, NULL, "",
    "AudioToolbox exists only on Apple systems; use aac (voaacenc)" },

  /* audio */
  /* avenc_aac in GStreamer 1.22 blends the two channels of stereo (measured: a 440 Hz left and
   * 660 Hz right come back in both); voaacenc takes only mono and stereo. */
  /* Not .mpg: FFmpeg writes no AAC into MPEG-PS (mp1, mp2, mp3, ac3, dts and PCM only), and
   * read mpegpsmux's 8 and 16 kHz AAC at 48 and 96 kHz, decoding one frame of it. */
  { "aac", VW_MEDIA_AUDIO, FACTORIES ("voaacenc", "avenc_aac"), "aacparse",
    "mp4 mov mkv avi ts flv m4a",
    "voaacenc comes with " BAD ", avenc_aac with " LIBAV },
  { "mp3", VW_MEDIA_AUDIO, FACTORIES ("lamemp3enc"), "mpegaudioparse", H264_IN " mp3",
    "lamemp3enc comes with " GOOD },
  { "libmp3lame", VW_MEDIA_AUDIO, FACTORIES ("lamemp3enc"), "mpegaudioparse", H264_IN " mp3",
    "lamemp3enc comes with " GOOD },
  { "mp2", VW_MEDIA_AUDIO, FACTORIES ("avenc_mp2", "twolamemp2enc"), "mpegaudioparse",
    "mkv avi ts mpg", "avenc_mp2 comes with " LIBAV ", twolamemp2enc with " GOOD },
  /* Not .mp4/.mov: qtmux 1.22 writes Opus that FFmpeg decodes to 34623 of 48000 samples. */
  { "opus", VW_MEDIA_AUDIO, FACTORIES ("opusenc"), NULL, "mkv webm ogv ogg ts opus",
    "opusenc comes with " BASE },
  { "libopus", VW_MEDIA_AUDIO, FACTORIES ("opusenc"), NULL, "mkv webm ogv ogg ts opus",
    "opusenc comes with " BASE },
  { "vorbis", VW_MEDIA_AUDIO, FACTORIES ("vorbisenc"), NULL, "mkv webm ogv ogg",
    "vorbisenc comes with " BASE },
  { "libvorbis", VW_MEDIA_AUDIO, FACTORIES ("vorbisenc"), NULL, "mkv webm ogv ogg",
    "vorbisenc comes with " BASE },
  { "flac", VW_MEDIA_AUDIO, FACTORIES ("flacenc"), NULL, "mkv ogv ogg flac",
    "flacenc comes with " GOOD },
  { "ac3", VW_MEDIA_AUDIO, FACTORIES ("avenc_ac3"), "ac3parse", "mp4 mov mkv avi ts",
    "avenc_ac3 comes with " LIBAV },
  { "pcm_s16le", VW_MEDIA_AUDIO, FACTORIES ("capsfilter"), NULL, "mov mkv avi flv wav",
    "capsfilter comes with GStreamer itself", "audio/x-raw,format=S16LE" },
  { "pcm_s24le", VW_MEDIA_AUDIO, FACTORIES ("capsfilter"), NULL, "mov mkv avi wav",
    "capsfilter comes with GStreamer itself", "audio/x-raw,format=S24LE" },
  { "pcm_f32le", VW_MEDIA_AUDIO, FACTORIES ("capsfilter"), NULL, "mkv wav",
    "capsfilter comes with GStreamer itself", "audio/x-raw,format=F32LE" },
};

/* FFmpeg's encoders that take float samples, so that float input reaches them as float: FFmpeg's
 * remix leaves their downmix unscaled (stereo to mono is 0.7071 (L + R)), where for encoders of
 * integer samples (flac, pcm_s16le, mp2) it scales the matrix to unity gain ((L + R) / 2).
 * Measured with FFmpeg 5.1's CLI, `-ac 1`, from 32-bit float input. */
static const char *const float_fed_codecs[]
    = { "aac",    "mp3",       "libmp3lame", "opus",      "libopus",
        "vorbis", "libvorbis", "ac3",        "pcm_f32le", NULL };

gboolean
vw_codec_takes_float (const VwResolved *resolved)
{
  return resolved->codec && g_strv_contains (float_fed_codecs, resolved->codec->name);
}

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
    vw_set_error (error, VIDWRITE_ERROR_UNSUPPORTED_CONTAINER,
                 "“%s”: the extension “%s” names no container vidwrite writes (known: %s)",
                 filename, dot, known->str);
  else
    vw_set_error (error, VIDWRITE_ERROR_UNSUPPORTED_CONTAINER,
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

/* The first row an element serves, for an element named directly.  The capsfilter standing in
 * for uncompressed codecs is no encoder. */
static const VwCodec *
find_codec_for_factory (const char *factory, VwMedia media)
{
  for (guint i = 0; i < G_N_ELEMENTS (codecs); i++)
    if (codecs[i].media == media && codecs[i].factories && !codecs[i].raw_caps
        && g_strv_contains (codecs[i].factories, factory))
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

/* The frame size against the sizes the row refuses; clears `resolved` when it is one. */
static gboolean
check_size (VwResolved *resolved, const GstCaps *input, GError **error)
{
  const VwSizeLimits *r = resolved->codec ? resolved->codec->refused_sizes : NULL;
  gint width = 0, height = 0;

  if (!r || !input || gst_caps_is_empty (input))
    return TRUE;
  gst_structure_get_int (gst_caps_get_structure (input, 0), "width", &width);
  gst_structure_get_int (gst_caps_get_structure (input, 0), "height", &height);
  for (; r->why; r++)
    if ((guint)width >= r->min_width && (guint)width <= r->max_width
        && (guint)height >= r->min_height && (guint)height <= r->max_height)
      {
        vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                      "%dx%d frames cannot be written as “%s” (%s): %s", width, height,
                      vw_resolved_name (resolved), GST_OBJECT_NAME (resolved->factory), r->why);
        vw_resolved_clear (resolved);
        return FALSE;
      }
  return TRUE;
}

gboolean
vw_codec_resolve (const char *name, VwMedia media, const GstCaps *input, VwResolved *out,
                  GError **error)
{
  const VwCodec *codec = find_codec (name);

  memset (out, 0, sizeof *out);
  if (codec && codec->media != media)
    {
      vw_set_error (error, VIDWRITE_ERROR_UNKNOWN_CODEC,
                   "“%s” is %s codec, not %s codec", name,
                   codec->media == VW_MEDIA_VIDEO ? "a video" : "an audio",
                   media == VW_MEDIA_VIDEO ? "a video" : "an audio");
      return FALSE;
    }

  if (codec && !codec->factories)
    {
      vw_set_error (error, VIDWRITE_ERROR_CODEC_UNAVAILABLE,
                   "%s codec “%s” cannot be written with GStreamer here: %s", media_name (media),
                   name, codec->missing_hint);
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
          vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                       "none of the elements for %s codec “%s” (%s) takes this stream: %s",
                       media_name (media), name, wanted, stream);
          return FALSE;
        }
      if (out->factory && codec->parser && !factory_exists (codec->parser))
        {
          vw_set_error (error, VIDWRITE_ERROR_CODEC_UNAVAILABLE,
                       "%s codec “%s” needs the parser %s, which is not installed (it comes with "
                       "gst-plugins-bad or -good)",
                       media_name (media), name, codec->parser);
          g_clear_object (&out->factory);
          return FALSE;
        }
      if (!out->factory)
        {
          wanted = g_strjoinv (", ", (char **) codec->factories);
          vw_set_error (error, VIDWRITE_ERROR_CODEC_UNAVAILABLE,
                       "%s codec “%s” needs one of the GStreamer elements %s, and none is "
                       "installed: %s",
                       media_name (media), name, wanted, codec->missing_hint);
          return FALSE;
        }
      out->codec = codec;
      out->ffmpeg_name = TRUE;
      return check_size (out, input, error);
    }

  /* An element named directly: the row it serves gives its parser and containers, as for its
   * FFmpeg name; its options stay its own property names. */
  out->factory = gst_element_factory_find (name);
  out->codec = find_codec_for_factory (name, media);
  if (out->factory && (out->codec || factory_is_encoder_for (out->factory, media)))
    return check_size (out, input, error);
  out->codec = NULL;
  g_clear_object (&out->factory);

  g_autofree char *known = known_names (media);
  vw_set_error (error, VIDWRITE_ERROR_UNKNOWN_CODEC,
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
  resolved->ffmpeg_name = FALSE;
}

const char *
vw_resolved_name (const VwResolved *resolved)
{
  return resolved->ffmpeg_name ? resolved->codec->name : GST_OBJECT_NAME (resolved->factory);
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

char *
vw_codec_containers (const VwResolved *resolved)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (containers); i++)
    {
      gboolean takes;

      if (resolved->codec)
        takes = word_in_list (containers[i].extension, resolved->codec->containers);
      else if (!resolved->factory)
        takes = FALSE;
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
      vw_set_error (error, VIDWRITE_ERROR_CODEC_UNAVAILABLE,
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

  g_autofree char *others = vw_codec_containers (resolved);
  vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
               "a .%s file cannot hold “%s” (%s); containers that take it: %s",
               container->extension, vw_resolved_name (resolved),
               GST_OBJECT_NAME (resolved->factory), *others ? others : "none");
  return FALSE;
}

static GstCaps *
muxer_sink_caps (GstElementFactory *muxer, const char *media_type)
{
  GstCaps *out = gst_caps_new_empty ();

  for (const GList *m = gst_element_factory_get_static_pad_templates (muxer); m; m = m->next)
    {
      GstStaticPadTemplate *sink = m->data;

      if (sink->direction == GST_PAD_SINK)
        {
          GstCaps *caps = gst_static_pad_template_get_caps (sink);

          for (guint i = 0; i < gst_caps_get_size (caps); i++)
            if (gst_structure_has_name (gst_caps_get_structure (caps, i), media_type))
              out = gst_caps_merge_structure (
                  out, gst_structure_copy (gst_caps_get_structure (caps, i)));
          gst_caps_unref (caps);
        }
    }
  return out;
}

/* The encoder element.  An uncompressed codec has none: a capsfilter takes its place, letting
 * through the row's caps as far as the muxer takes them (qtmux wants packed RGB, avimux I420 or
 * BGR), so that the converter in front produces something the muxer accepts. */
GstElement *
vw_codec_make_encoder (const VwResolved *resolved, const VwContainer *container, GError **error)
{
  GstElement *encoder = gst_element_factory_create (resolved->factory, NULL);

  if (!encoder)
    {
      vw_set_error (error, VIDWRITE_ERROR_CODEC_UNAVAILABLE,
                   "the element %s for codec “%s” could not be created",
                   GST_OBJECT_NAME (resolved->factory), vw_resolved_name (resolved));
      return NULL;
    }
  gst_object_ref_sink (encoder);
  if (resolved->codec && resolved->codec->fix_output)
    {
      GstPad *src = gst_element_get_static_pad (encoder, "src");

      gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, resolved->codec->fix_output, NULL, NULL);
      gst_object_unref (src);
    }
  if (resolved->codec && resolved->codec->raw_caps)
    {
      g_autoptr (GstCaps) wanted = gst_caps_from_string (resolved->codec->raw_caps);
      g_autoptr (GstElementFactory) muxer = gst_element_factory_find (container->muxer);
      g_autoptr (GstCaps) taken
          = muxer_sink_caps (muxer, gst_structure_get_name (gst_caps_get_structure (wanted, 0)));
      g_autoptr (GstCaps) caps = gst_caps_intersect (wanted, taken);

      g_object_set (encoder, "caps", caps, NULL);
    }
  return encoder;
}

const VwCodec *
vw_codec_nth (guint i)
{
  return i < G_N_ELEMENTS (codecs) ? &codecs[i] : NULL;
}

/* FFmpeg's format names (-f) and the extension of the container each one is. */
static const struct
{
  const char *format;
  const char *extension;
} format_names[] = {
  { "mp4", "mp4" },   { "mov", "mov" },   { "matroska", "mkv" }, { "mkv", "mkv" },
  { "webm", "webm" }, { "avi", "avi" },   { "mpegts", "ts" },    { "ts", "ts" },
  { "flv", "flv" },   { "ogg", "ogg" },   { "ogv", "ogv" },      { "mpeg", "mpg" },
  { "mpg", "mpg" },   { "vob", "mpg" },   { "mp3", "mp3" },      { "flac", "flac" },
  { "wav", "wav" },   { "opus", "opus" }, { "ipod", "m4a" },     { "m4a", "m4a" },
};

const VwContainer *
vw_container_for_format (const char *format, GError **error)
{
  g_autoptr (GString) known = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (g_ascii_strcasecmp (format, format_names[i].format) == 0)
      for (guint k = 0; k < G_N_ELEMENTS (containers); k++)
        if (g_str_equal (format_names[i].extension, containers[k].extension))
          return &containers[k];
  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    g_string_append_printf (known, "%s%s", i ? ", " : "", format_names[i].format);
  vw_set_error (error, VIDWRITE_ERROR_UNSUPPORTED_CONTAINER,
                "the format “%s” is none vidwrite writes (known: %s)", format, known->str);
  return NULL;
}

const VwContainer *
vw_container_nth (guint i)
{
  return i < G_N_ELEMENTS (containers) ? &containers[i] : NULL;
}

/* Streams GStreamer 1.22 takes and then crashes or fails an assertion on, found by the generated
 * writes: refused before anything starts. */
static const struct
{
  const char *factory;        /* the encoder's factory, or NULL for any */
  const char *codec_prefix;   /* or the FFmpeg name's beginning */
  const char *extensions;     /* the containers concerned, or NULL for all */
  const char *formats;        /* video: the formats fed to the encoder concerned */
  guint min_width, max_width; /* video: the widths concerned (0, 0: all) */
  guint min_channels;         /* audio: refused from this many channels */
  const char *why;
} crashing[] = {
  { "vp9enc", NULL, "mp4 mov", "I420_10LE", 0, 0, 0,
    "mp4mux and qtmux of GStreamer 1.22 crash on 10-bit 4:2:0 VP9 (caps without a chroma site); "
    "use .mkv or .webm, or pix_fmt=yuv444p10le" },
  { NULL, "pcm_", "avi", NULL, 0, 0, 4,
    "avimux of GStreamer 1.22 fails an assertion on PCM with 4 channels or more; use .mkv" },
};

gboolean
vw_codec_check_stream (const VwResolved *resolved, const VwContainer *container,
                       GstVideoFormat format, guint width, guint channels, GError **error)
{
  const char *factory = GST_OBJECT_NAME (resolved->factory);
  const char *name = vw_resolved_name (resolved);
  const char *format_name
      = format != GST_VIDEO_FORMAT_UNKNOWN ? gst_video_format_to_string (format) : "";

  for (guint i = 0; i < G_N_ELEMENTS (crashing); i++)
    {
      gboolean codec = crashing[i].factory ? g_str_equal (crashing[i].factory, factory)
                                           : g_str_has_prefix (name, crashing[i].codec_prefix);
      gboolean media
          = crashing[i].min_channels
                ? channels >= crashing[i].min_channels
                : *format_name && word_in_list (format_name, crashing[i].formats)
                      && (!crashing[i].max_width
                          || (width >= crashing[i].min_width && width <= crashing[i].max_width));
      gboolean where
          = !crashing[i].extensions || word_in_list (container->extension, crashing[i].extensions);

      if (!codec || !media || !where)
        continue;
      if (crashing[i].min_channels)
        vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                      "%u-channel “%s” cannot go into a .%s file: %s", channels, name,
                      container->extension, crashing[i].why);
      else if (crashing[i].max_width)
        vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                      "frames %u pixels wide cannot be written as “%s” in %s: %s", width, name,
                      format_name, crashing[i].why);
      else
        vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                      "“%s” in %s cannot go into a .%s file: %s", name, format_name,
                      container->extension, crashing[i].why);
      return FALSE;
    }
  return TRUE;
}
