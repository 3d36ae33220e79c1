/* The one-shot call: torchvision's write_video, as a thin layer over VidwriteWriter.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vidwrite-private.h"

#include <math.h>

static gboolean
invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT, "%s", message);
  return FALSE;
}

/* The checks of the one-shot call, before any writer exists. */
static gboolean
check_arguments (GBytes *video, guint n_frames, guint height, guint width, guint channels,
                 double fps, GBytes *audio, double audio_fps, gint *fps_n, gint *fps_d,
                 GError **error)
{
  guint64 expected;

  if (audio
      && (!isfinite (audio_fps) || audio_fps < 1 || audio_fps != floor (audio_fps)
          || audio_fps > G_MAXUINT))
    return invalid (error, "audio_fps %g is not a whole, positive sample rate", audio_fps);
  /* Audio alone: no frames, and nothing said about them. */
  if (!video && audio && n_frames == 0)
    return TRUE;
  if (!video)
    return invalid (error, "the video data is missing (NULL)%s",
                    audio ? ": give n_frames 0 to write the audio alone" : "");
  if (n_frames == 0)
    return invalid (error, "n_frames is 0: a video needs at least one frame");
  if (width < 1 || width > VW_MAX_DIMENSION || height < 1 || height > VW_MAX_DIMENSION)
    return invalid (error, "frame size %ux%u is out of range (1 to %u on each side)", width, height,
                    VW_MAX_DIMENSION);
  if (!vidwrite_pixel_format_for_array (channels, 1, NULL, NULL))
    return invalid (error, "%u channels a pixel is not supported (1 grey, 3 RGB, 4 RGBA)", channels);
  expected = (guint64) n_frames * height * width * channels;
  if (g_bytes_get_size (video) != expected)
    return invalid (error,
                    "the video data holds %" G_GSIZE_FORMAT " bytes, but %u frames of %ux%u "
                    "with %u channels need %" G_GUINT64_FORMAT,
                    g_bytes_get_size (video), n_frames, width, height, channels, expected);
  return vidwrite_rate_to_fraction (fps, fps_n, fps_d, error);
}

/* Configures `writer`, pushes everything and finishes. */
static gboolean
write_all (VidwriteWriter *writer, GBytes *video, guint height, guint width, guint channels,
           gint fps_n, gint fps_d, const char *video_codec, GHashTable *options, GBytes *audio,
           guint audio_channels, double audio_fps, const char *audio_codec,
           GHashTable *audio_options, GError **error)
{
  VidwritePixelFormat format;

  if (video
      && (!vidwrite_pixel_format_for_array (channels, 1, &format, error)
          || !vidwrite_writer_set_video (writer, width, height, format, fps_n, fps_d, video_codec,
                                         options, error)))
    return FALSE;
  if (audio &&
      !vidwrite_writer_set_audio (writer, audio_channels, (guint) audio_fps,
                                  VIDWRITE_SAMPLE_FORMAT_F32, VIDWRITE_AUDIO_LAYOUT_PLANAR,
                                  audio_codec, audio_options, error))
    return FALSE;
  return (!video || vidwrite_writer_push_frames (writer, video, error))
         && (!audio || vidwrite_writer_push_audio (writer, audio, error))
         && vidwrite_writer_finish (writer, NULL, error);
}

/**
 * vidwrite_write_video:
 * @filename: (type filename): the file to write; the extension picks the container
 * @video: (nullable): the frames: @n_frames × @height × @width × @channels bytes, C order;
 *   %NULL with @audio and @n_frames 0 writes the audio alone (.mp3, .flac, .wav, .m4a...)
 * @n_frames: how many frames @video holds
 * @height: frame height in pixels
 * @width: frame width in pixels
 * @channels: 1 (grey), 3 (RGB) or 4 (RGBA; alpha is dropped)
 * @fps: frames per second; 29.97 is taken as 30000/1001 (see vidwrite_rate_to_fraction())
 * @video_codec: (nullable): FFmpeg codec name or GStreamer encoder; %NULL picks the
 *   container's usual one
 * @options: (nullable) (element-type utf8 utf8): FFmpeg options for the video codec
 * @audio: (nullable): @audio_channels × N float32 samples, planar (torchvision's `[C, N]`)
 * @audio_channels: channels in @audio, 1 to 8
 * @audio_fps: the audio sample rate in Hz, a whole number
 * @audio_codec: (nullable): FFmpeg audio codec name; %NULL picks the container's usual one
 * @audio_options: (nullable) (element-type utf8 utf8): FFmpeg options for the audio codec
 * @error: return location for a #GError in the %VIDWRITE_ERROR domain
 *
 * Writes a whole video in one call, as torchvision.io.write_video() did.  Nothing of @video or
 * @audio is copied but one frame at a time on its way to the encoder.  On failure no file is
 * left at @filename, and a file that was there is left untouched.
 *
 * Returns: %TRUE on success
 */
gboolean
vidwrite_write_video (const char *filename, GBytes *video, guint n_frames, guint height,
                      guint width, guint channels, double fps, const char *video_codec,
                      GHashTable *options, GBytes *audio, guint audio_channels, double audio_fps,
                      const char *audio_codec, GHashTable *audio_options, GError **error)
{
  g_autoptr (VidwriteWriter) writer = NULL;
  gint fps_n = 0, fps_d = 0;

  if (!check_arguments (video, n_frames, height, width, channels, fps, audio, audio_fps, &fps_n,
                        &fps_d, error))
    return FALSE;
  writer = vidwrite_writer_new (filename, error);
  return writer && write_all (writer, video, height, width, channels, fps_n, fps_d, video_codec,
                              options, audio, audio_channels, audio_fps, audio_codec,
                              audio_options, error);
}

/**
 * vidwrite_encode_video:
 * @format: FFmpeg's name of the container ("mp4", "matroska", "webm", "mpegts", ...)
 * @video: (nullable): the frames: @n_frames × @height × @width × @channels bytes, C order;
 *   %NULL with @audio and @n_frames 0 encodes the audio alone ("mp3", "flac", "wav", "ipod"...)
 * @n_frames: how many frames @video holds
 * @height: frame height in pixels
 * @width: frame width in pixels
 * @channels: 1 (grey), 3 (RGB) or 4 (RGBA; alpha is dropped)
 * @fps: frames per second; 29.97 is taken as 30000/1001 (see vidwrite_rate_to_fraction())
 * @video_codec: (nullable): FFmpeg codec name or GStreamer encoder; %NULL picks the
 *   container's usual one
 * @options: (nullable) (element-type utf8 utf8): FFmpeg options for the video codec
 * @audio: (nullable): @audio_channels × N float32 samples, planar (torchvision's `[C, N]`)
 * @audio_channels: channels in @audio, 1 to 8
 * @audio_fps: the audio sample rate in Hz, a whole number
 * @audio_codec: (nullable): FFmpeg audio codec name; %NULL picks the container's usual one
 * @audio_options: (nullable) (element-type utf8 utf8): FFmpeg options for the audio codec
 * @error: return location for a #GError in the %VIDWRITE_ERROR domain
 *
 * Like vidwrite_write_video(), but returns the encoded file instead of writing it: the
 * container is built in memory (a seekable stream, so an MP4 is an ordinary one, not
 * fragmented).
 *
 * Returns: (transfer full) (nullable): the encoded file, or %NULL with @error set
 *
 * Since: 0.2
 */
GBytes *
vidwrite_encode_video (const char *format, GBytes *video, guint n_frames, guint height,
                       guint width, guint channels, double fps, const char *video_codec,
                       GHashTable *options, GBytes *audio, guint audio_channels, double audio_fps,
                       const char *audio_codec, GHashTable *audio_options, GError **error)
{
  g_autoptr (GOutputStream) memory = NULL;
  g_autoptr (VidwriteWriter) writer = NULL;
  gint fps_n = 0, fps_d = 0;

  if (!check_arguments (video, n_frames, height, width, channels, fps, audio, audio_fps, &fps_n,
                        &fps_d, error))
    return NULL;
  memory = g_memory_output_stream_new_resizable ();
  writer = vidwrite_writer_new_for_stream (memory, format, error);
  if (!writer || !write_all (writer, video, height, width, channels, fps_n, fps_d, video_codec,
                             options, audio, audio_channels, audio_fps, audio_codec, audio_options,
                             error))
    return NULL;
  if (!g_output_stream_close (memory, NULL, NULL))
    {
      vw_set_error (error, VIDWRITE_ERROR_IO, "closing the memory stream failed");
      return NULL;
    }
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}
