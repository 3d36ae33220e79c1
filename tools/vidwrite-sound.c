/* Sound sources: WAV files and pipes, raw float32 planar files, and the demo tone.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A WAV stream is read a block at a time; 16-bit samples go to the writer as they are, every
 * other sample type becomes float32 first (the writer takes those two).  A raw planar file
 * holds all of channel 0, then all of channel 1, ...: a block of it is gathered from each
 * channel's part of the file.
 */
#include "vidwrite-tool.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#define WAV_PCM 0x0001
#define WAV_FLOAT 0x0003
#define WAV_EXTENSIBLE 0xFFFE
#define WAV_UNKNOWN_SIZE 0xFFFFFFFFu /* written by tools that stream a WAV into a pipe */
#define FMT_CHUNK_MIN 16             /* WAVEFORMAT and the bits per sample of PCMWAVEFORMAT */
#define MAX_FMT_CHUNK 1024

void
vwt_sound_source_free (VwtSoundSource *source)
{
  if (source)
    source->free (source);
}

static guint32
le32 (const guint8 *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (guint32)p[3] << 24;
}

static guint16
le16 (const guint8 *p)
{
  return p[0] | p[1] << 8;
}

/* ---- WAV sample types -------------------------------------------------------------------- */

typedef void (*ConvertFunc) (const guint8 *in, void *out, gsize n_values);

static void
s16_from_le (const guint8 *in, void *out, gsize n)
{
  gint16 *o = out;

  for (gsize i = 0; i < n; i++)
    o[i] = (gint16)le16 (in + 2 * i);
}

static void
u8_to_f32 (const guint8 *in, void *out, gsize n)
{
  float *o = out;

  for (gsize i = 0; i < n; i++)
    o[i] = (in[i] - 128) / 128.0f;
}

static void
s24_to_f32 (const guint8 *in, void *out, gsize n)
{
  float *o = out;

  for (gsize i = 0; i < n; i++)
    o[i] = (gint32)(le32 ((const guint8[]){ 0, in[3 * i], in[3 * i + 1], in[3 * i + 2] }))
           / 2147483648.0f;
}

static void
s32_to_f32 (const guint8 *in, void *out, gsize n)
{
  float *o = out;

  for (gsize i = 0; i < n; i++)
    o[i] = (gint32)le32 (in + 4 * i) / 2147483648.0f;
}

static void
f32_from_le (const guint8 *in, void *out, gsize n)
{
  float *o = out;

  for (gsize i = 0; i < n; i++)
    {
      guint32 bits = le32 (in + 4 * i);
      memcpy (&o[i], &bits, 4);
    }
}

static void
f64_to_f32 (const guint8 *in, void *out, gsize n)
{
  float *o = out;

  for (gsize i = 0; i < n; i++)
    {
      guint64 bits = le32 (in + 8 * i) | (guint64)le32 (in + 8 * i + 4) << 32;
      double d;

      memcpy (&d, &bits, 8);
      o[i] = (float)d;
    }
}

static const struct
{
  guint16 tag;
  guint bits;
  VidwriteSampleFormat format; /* what the writer is given */
  ConvertFunc convert;         /* little-endian file values -> that format */
  const char *name;
} wav_types[] = {
  { WAV_PCM, 8, VIDWRITE_SAMPLE_FORMAT_F32, u8_to_f32, "8-bit unsigned" },
  { WAV_PCM, 16, VIDWRITE_SAMPLE_FORMAT_S16, s16_from_le, "16-bit" },
  { WAV_PCM, 24, VIDWRITE_SAMPLE_FORMAT_F32, s24_to_f32, "24-bit" },
  { WAV_PCM, 32, VIDWRITE_SAMPLE_FORMAT_F32, s32_to_f32, "32-bit" },
  { WAV_FLOAT, 32, VIDWRITE_SAMPLE_FORMAT_F32, f32_from_le, "32-bit float" },
  { WAV_FLOAT, 64, VIDWRITE_SAMPLE_FORMAT_F32, f64_to_f32, "64-bit float" },
};

/* ---- WAV --------------------------------------------------------------------------------- */

typedef struct
{
  VwtSoundSource base;
  VwtInput *input;
  guint type;
  gsize block_align; /* bytes of one sample of every channel in the file */
  guint64 data_left; /* bytes of the data chunk not read yet; G_MAXUINT64: to the end */
  guint8 *scratch;   /* one block as read */
  gsize scratch_samples;
} WavSource;

static GBytes *
wav_read (VwtSoundSource *base, guint max_samples, GError **error)
{
  WavSource *self = (WavSource *)base;
  gsize want = MIN ((guint64)max_samples * self->block_align, self->data_left);
  gsize out_bytes = base->format == VIDWRITE_SAMPLE_FORMAT_F32 ? 4 : 2;
  gssize got;
  gsize n;
  void *out;

  if (want == 0)
    return NULL;
  if (max_samples > self->scratch_samples)
    {
      self->scratch = g_realloc (self->scratch, (gsize)max_samples * self->block_align);
      self->scratch_samples = max_samples;
    }
  got = vwt_input_read (self->input, self->scratch, want, error);
  if (got < 0)
    return NULL;
  if (got % self->block_align != 0)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s ends in the middle of a sample", self->input->name);
      return NULL;
    }
  if (self->data_left != G_MAXUINT64)
    self->data_left -= got;
  if (got == 0)
    {
      self->data_left = 0;
      return NULL;
    }
  n = got / self->block_align;
  out = g_malloc (n * base->channels * out_bytes);
  wav_types[self->type].convert (self->scratch, out, n * base->channels);
  return g_bytes_new_take (out, n * base->channels * out_bytes);
}

static void
wav_free (VwtSoundSource *base)
{
  WavSource *self = (WavSource *)base;

  vwt_input_close (self->input);
  g_free (self->scratch);
  g_free (self);
}

static gboolean
wav_parse_fmt (WavSource *self, const guint8 *fmt, gsize size, GError **error)
{
  const char *name = self->input->name;
  guint16 tag, bits;

  if (size < FMT_CHUNK_MIN)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s: its fmt chunk is %" G_GSIZE_FORMAT " bytes, too short", name, size);
      return FALSE;
    }
  tag = le16 (fmt);
  self->base.channels = le16 (fmt + 2);
  self->base.rate = le32 (fmt + 4);
  self->block_align = le16 (fmt + 12);
  bits = le16 (fmt + 14);
  /* WAVE_FORMAT_EXTENSIBLE: the real tag is the start of the SubFormat GUID. */
  if (tag == WAV_EXTENSIBLE && size >= 40)
    tag = le16 (fmt + 24);

  self->type = G_N_ELEMENTS (wav_types);
  for (guint i = 0; i < G_N_ELEMENTS (wav_types); i++)
    if (wav_types[i].tag == tag && wav_types[i].bits == bits)
      self->type = i;
  if (self->type == G_N_ELEMENTS (wav_types))
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s holds %u-bit samples of WAV format 0x%04x; vidwrite reads PCM (8, 16, 24, "
                   "32-bit) and IEEE float (32, 64-bit)",
                   name, bits, tag);
      return FALSE;
    }
  if (self->base.channels == 0 || self->base.channels > VWT_MAX_AUDIO_CHANNELS)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s has %u channels; vidwrite takes 1 to %d", name, self->base.channels,
                   VWT_MAX_AUDIO_CHANNELS);
      return FALSE;
    }
  if (self->base.rate == 0 || self->base.rate > VWT_MAX_AUDIO_RATE)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s has a rate of %u Hz; vidwrite takes 1 to %d", name, self->base.rate,
                   VWT_MAX_AUDIO_RATE);
      return FALSE;
    }
  if (self->block_align != self->base.channels * bits / 8)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s: %u channels of %u-bit samples do not make blocks of %" G_GSIZE_FORMAT
                   " bytes",
                   name, self->base.channels, bits, self->block_align);
      return FALSE;
    }
  self->base.format = wav_types[self->type].format;
  self->base.layout = VIDWRITE_AUDIO_LAYOUT_INTERLEAVED;
  return TRUE;
}

static gboolean
wav_read_exact (WavSource *self, void *buffer, gsize len, const char *what, GError **error)
{
  gssize got = vwt_input_read (self->input, buffer, len, error);

  if (got == (gssize)len)
    return TRUE;
  if (got >= 0)
    g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT, "%s ends inside %s",
                 self->input->name, what);
  return FALSE;
}

/* Walks the RIFF chunks up to "data", reading past the ones it does not need (a pipe cannot
 * seek). */
static gboolean
wav_parse_header (WavSource *self, GError **error)
{
  guint8 riff[12], chunk[8];
  gboolean have_fmt = FALSE;

  if (!wav_read_exact (self, riff, sizeof riff, "its RIFF header", error))
    return FALSE;
  if (memcmp (riff + 8, "WAVE", 4) != 0)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s is a RIFF file but not a WAVE file", self->input->name);
      return FALSE;
    }
  for (;;)
    {
      guint32 size;

      if (!wav_read_exact (self, chunk, sizeof chunk, "its chunks, before any data chunk", error))
        return FALSE;
      size = le32 (chunk + 4);
      if (memcmp (chunk, "data", 4) == 0)
        {
          if (!have_fmt)
            {
              g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                           "%s has its data chunk before its fmt chunk", self->input->name);
              return FALSE;
            }
          self->data_left = size == WAV_UNKNOWN_SIZE || size == 0 ? G_MAXUINT64 : size;
          return TRUE;
        }
      if (memcmp (chunk, "fmt ", 4) == 0)
        {
          g_autofree guint8 *fmt = NULL;

          /* Its size is checked before anything is allocated or read for it. */
          if (size < FMT_CHUNK_MIN || size > MAX_FMT_CHUNK)
            {
              g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                           "%s: its fmt chunk is %u bytes, not %d to %d", self->input->name, size,
                           FMT_CHUNK_MIN, MAX_FMT_CHUNK);
              return FALSE;
            }
          fmt = g_malloc (size + (size & 1));
          if (!wav_read_exact (self, fmt, size + (size & 1), "its fmt chunk", error)
              || !wav_parse_fmt (self, fmt, size, error))
            return FALSE;
          have_fmt = TRUE;
          continue;
        }
      /* Chunks are padded to an even length. */
      for (guint64 left = (guint64)size + (size & 1); left > 0;)
        {
          guint8 skip[4096];
          gsize n = MIN (left, sizeof skip);

          if (!wav_read_exact (self, skip, n, "a chunk before its data", error))
            return FALSE;
          left -= n;
        }
    }
}

static VwtSoundSource *
wav_open (VwtInput *input, guint rate, guint channels, GError **error)
{
  WavSource *self = g_new0 (WavSource, 1);

  self->input = input;
  self->base.read = wav_read;
  self->base.free = wav_free;
  if (!wav_parse_header (self, error))
    goto failed;
  if ((rate && rate != self->base.rate) || (channels && channels != self->base.channels))
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "--audio-rate and --audio-channels are for raw audio; %s is %u Hz, %u "
                   "channels",
                   input->name, self->base.rate, self->base.channels);
      goto failed;
    }
  return &self->base;

failed:
  self->input = NULL; /* the caller still owns it */
  wav_free (&self->base);
  return NULL;
}

/* ---- raw float32 planar ------------------------------------------------------------------ */

typedef struct
{
  VwtSoundSource base;
  VwtInput *input;
  guint64 n_samples, next;
} PlanarSource;

static GBytes *
planar_read (VwtSoundSource *base, guint max_samples, GError **error)
{
  PlanarSource *self = (PlanarSource *)base;
  gsize n = MIN (max_samples, self->n_samples - self->next);
  float *out;

  if (n == 0)
    return NULL;
  out = g_malloc (n * base->channels * sizeof (float));
  for (guint c = 0; c < base->channels; c++)
    {
      gsize len = n * sizeof (float);
      off_t offset = (off_t)((c * self->n_samples + self->next) * sizeof (float));
      gssize got = pread (self->input->fd, out + c * n, len, offset);

      if (got != (gssize)len)
        {
          int saved = errno;
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_IO, "reading %s failed: %s",
                       self->input->name, got < 0 ? g_strerror (saved) : "it got shorter");
          g_free (out);
          return NULL;
        }
    }
  self->next += n;
  return g_bytes_new_take (out, n * base->channels * sizeof (float));
}

static void
planar_free (VwtSoundSource *base)
{
  PlanarSource *self = (PlanarSource *)base;

  vwt_input_close (self->input);
  g_free (self);
}

static VwtSoundSource *
planar_open (VwtInput *input, guint rate, guint channels, GError **error)
{
  PlanarSource *self;
  gsize unit = (gsize)channels * sizeof (float);

  if (rate == 0 || channels == 0)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s is not a WAV file: as raw float32 planar audio it needs --audio-rate and "
                   "--audio-channels",
                   input->name);
      return NULL;
    }
  if (channels > VWT_MAX_AUDIO_CHANNELS || rate > VWT_MAX_AUDIO_RATE)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "--audio-channels %u and --audio-rate %u: vidwrite takes 1 to %d channels at "
                   "1 to %d Hz",
                   channels, rate, VWT_MAX_AUDIO_CHANNELS, VWT_MAX_AUDIO_RATE);
      return NULL;
    }
  if (!input->regular)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "raw planar audio must be a file, not %s: each channel's samples come after "
                   "the whole of the channel before (a WAV can come through a pipe)",
                   input->name);
      return NULL;
    }
  if (input->size % unit != 0 || input->size == 0)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s is %" G_GUINT64_FORMAT " bytes, not a whole number of %u-channel float32 "
                   "samples (%" G_GSIZE_FORMAT " bytes each)",
                   input->name, input->size, channels, unit);
      return NULL;
    }
  self = g_new0 (PlanarSource, 1);
  self->input = input;
  self->n_samples = input->size / unit;
  self->base.channels = channels;
  self->base.rate = rate;
  self->base.format = VIDWRITE_SAMPLE_FORMAT_F32;
  self->base.layout = VIDWRITE_AUDIO_LAYOUT_PLANAR;
  self->base.read = planar_read;
  self->base.free = planar_free;
  return &self->base;
}

VwtSoundSource *
vwt_sound_source_new_for_input (VwtInput *input_, const char *path, guint rate, guint channels,
                                GError **error)
{
  g_autoptr (VwtInput) input = input_;
  GError *local = NULL;
  VwtSoundSource *source;
  gboolean wav;

  wav = vwt_input_has_prefix (input, "RIFF", 4, &local);
  if (local)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  if (!wav && path && g_str_has_suffix (path, ".wav"))
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s is not a WAV file: it does not start with “RIFF”", input->name);
      return NULL;
    }
  source
      = wav ? wav_open (input, rate, channels, error) : planar_open (input, rate, channels, error);
  if (source)
    g_steal_pointer (&input);
  return source;
}

VwtSoundSource *
vwt_sound_source_open (const char *path, guint rate, guint channels, GError **error)
{
  VwtInput *input = vwt_input_open (path, error);

  return input ? vwt_sound_source_new_for_input (input, path, rate, channels, error) : NULL;
}

/* ---- the demo tone ----------------------------------------------------------------------- */

typedef struct
{
  VwtSoundSource base;
  guint64 n_samples, next;
} ToneSource;

/* A and the E above it, left and right, fading in and out over a tenth of a second. */
static GBytes *
tone_read (VwtSoundSource *base, guint max_samples, GError **error)
{
  static const double pitch[] = { 440.0, 660.0 };
  ToneSource *self = (ToneSource *)base;
  gsize n = MIN (max_samples, self->n_samples - self->next);
  guint64 fade = base->rate / 10;
  float *out;

  if (n == 0)
    return NULL;
  out = g_malloc (n * 2 * sizeof (float));
  for (guint c = 0; c < 2; c++)
    for (gsize i = 0; i < n; i++)
      {
        guint64 j = self->next + i;
        double gain = MIN (1.0, MIN (j, self->n_samples - j) / (double)fade);

        out[c * n + i] = (float)(0.3 * gain * sin (2 * G_PI * pitch[c] * j / base->rate));
      }
  self->next += n;
  return g_bytes_new_take (out, n * 2 * sizeof (float));
}

static void
tone_free (VwtSoundSource *base)
{
  g_free (base);
}

VwtSoundSource *
vwt_sound_source_new_demo (guint rate, guint64 n_samples)
{
  ToneSource *self = g_new0 (ToneSource, 1);

  self->n_samples = n_samples;
  self->base.channels = 2;
  self->base.rate = rate;
  self->base.format = VIDWRITE_SAMPLE_FORMAT_F32;
  self->base.layout = VIDWRITE_AUDIO_LAYOUT_PLANAR;
  self->base.read = tone_read;
  self->base.free = tone_free;
  return &self->base;
}
