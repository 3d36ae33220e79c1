/* What the parser fuzz targets share.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE /* memfd_create, pipe2, F_SETPIPE_SZ */
#include "fuzz-input.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHUNK_BYTES (4 << 20) /* as tools/vidwrite.c reads frames */
#define CHUNK_FRAMES 8
#define AUDIO_CHUNK_SAMPLES 4096

VwtInput *
fuzz_input_new (const uint8_t *data, size_t size, FuzzKind kind)
{
  VwtInput *input;
  GError *error = NULL;
  int fd;

  if (kind == FUZZ_AS_FILE)
    {
      fd = memfd_create ("vidwrite-fuzz", MFD_CLOEXEC);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (write (fd, data, size), ==, (gssize)size);
      g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
    }
  else
    {
      int fds[2];

      g_assert_cmpint (pipe2 (fds, O_CLOEXEC), ==, 0);
      if (size > 65536 && fcntl (fds[1], F_SETPIPE_SZ, (int)size) < (int)size)
        {
          close (fds[0]);
          close (fds[1]);
          return NULL;
        }
      g_assert_cmpint (write (fds[1], data, size), ==, (gssize)size);
      close (fds[1]);
      fd = fds[0];
    }
  input = vwt_input_new_for_fd (fd, "“fuzz”", &error);
  g_assert_no_error (error);
  return input;
}

static void
check_error (GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == VIDWRITE_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  for (const char *p = error->message; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      g_error ("a control character in the message “%s”", error->message);
  g_error_free (error);
}

void
fuzz_drain_frames (VwtFrameSource *source, GError *error, guint64 max_out)
{
  guint64 frames = 0, out = 0;
  gsize frame;
  guint8 sum = 0;

  if (!source)
    {
      check_error (error);
      return;
    }
  g_assert_null (error);
  g_assert_cmpuint (source->width, >=, 1);
  g_assert_cmpuint (source->width, <=, VWT_MAX_DIMENSION);
  g_assert_cmpuint (source->height, >=, 1);
  g_assert_cmpuint (source->height, <=, VWT_MAX_DIMENSION);
  frame = vidwrite_pixel_format_frame_size (source->format, source->width, source->height);
  for (;;)
    {
      g_autoptr (GBytes) chunk
          = source->read (source, CLAMP (CHUNK_BYTES / frame, 1, CHUNK_FRAMES), &error);
      const guint8 *bytes;
      gsize size;

      if (!chunk)
        break;
      bytes = g_bytes_get_data (chunk, &size);
      g_assert_cmpuint (size, >, 0);
      g_assert_cmpuint (size % frame, ==, 0);
      out += size;
      g_assert_cmpuint (out, <=, max_out);
      /* Every byte handed out is read, so that ASan sees one from beyond the input. */
      for (gsize i = 0; i < size; i++)
        sum ^= bytes[i];
      frames += size / frame;
    }
  if (error)
    check_error (error);
  else if (source->n_frames && !g_str_equal (source->kind, "y4m"))
    g_assert_cmpuint (frames, ==, source->n_frames);
  vwt_frame_source_free (source);
  (void)sum;
}

void
fuzz_drain_sound (VwtSoundSource *source, GError *error, guint64 max_out)
{
  guint64 out = 0;
  gsize sample;

  if (!source)
    {
      check_error (error);
      return;
    }
  g_assert_null (error);
  g_assert_cmpuint (source->channels, >=, 1);
  g_assert_cmpuint (source->channels, <=, VWT_MAX_AUDIO_CHANNELS);
  g_assert_cmpuint (source->rate, >=, 1);
  g_assert_cmpuint (source->rate, <=, VWT_MAX_AUDIO_RATE);
  sample = source->channels * (source->format == VIDWRITE_SAMPLE_FORMAT_F32 ? 4 : 2);
  for (;;)
    {
      g_autoptr (GBytes) chunk = source->read (source, AUDIO_CHUNK_SAMPLES, &error);
      gsize size;

      if (!chunk)
        break;
      size = g_bytes_get_size (chunk);
      g_assert_cmpuint (size, >, 0);
      g_assert_cmpuint (size % sample, ==, 0);
      g_assert_cmpuint (size / sample, <=, AUDIO_CHUNK_SAMPLES);
      out += size;
      g_assert_cmpuint (out, <=, max_out);
    }
  if (error)
    check_error (error);
  vwt_sound_source_free (source);
}

/* Criticals and warnings are findings in every target. */
int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

void
fuzz_frames (const uint8_t *data, size_t size, const char *name, const VwtFrameRequest *request,
             guint64 max_out)
{
  for (FuzzKind kind = FUZZ_AS_FILE; kind <= FUZZ_AS_PIPE; kind++)
    {
      VwtInput *input = fuzz_input_new (data, size, kind);
      GError *error = NULL;
      VwtFrameSource *source;

      if (!input)
        continue;
      source = vwt_frame_source_new_for_input (input, name, request, &error);
      fuzz_drain_frames (source, error, max_out);
    }
}

void
fuzz_sound (const uint8_t *data, size_t size, const char *name, guint rate, guint channels,
            guint64 max_out)
{
  for (FuzzKind kind = FUZZ_AS_FILE; kind <= FUZZ_AS_PIPE; kind++)
    {
      VwtInput *input = fuzz_input_new (data, size, kind);
      GError *error = NULL;
      VwtSoundSource *source;

      if (!input)
        continue;
      source = vwt_sound_source_new_for_input (input, name, rate, channels, &error);
      fuzz_drain_sound (source, error, max_out);
    }
}
