/* What the files of the vidwrite command share.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <vidwrite/vidwrite.h>

G_BEGIN_DECLS

/* The library's limits (lib/vidwrite-private.h and lib/vidwrite-writer.c).  A header that claims
 * more is refused where it is parsed, before anything is allocated or mapped for it. */
#define VWT_MAX_DIMENSION 16384
#define VWT_MAX_AUDIO_CHANNELS 8
#define VWT_MAX_AUDIO_RATE 768000

/* ---- input helpers (vidwrite-input.c) --------------------------------------------------- */

/* An input file or stdin ("-"), read through a buffer so that its first bytes can be inspected
 * for a magic number, and header lines read a byte at a time, without a system call each. */
typedef struct
{
  char *name; /* for messages: the path, or "standard input" */
  int fd;
  gboolean regular; /* a regular file: its size is known and it can be mapped */
  guint64 size;
  guint8 *buffer;
  gsize buffer_pos, buffer_len;
} VwtInput;

VwtInput *vwt_input_open (const char *path, GError **error);
/* An input over a descriptor it takes (and closes); `name` is used in messages as it is. */
VwtInput *vwt_input_new_for_fd (int fd, const char *name, GError **error);
void vwt_input_close (VwtInput *input);
/* Reads up to `len` bytes, fewer only at the end of the input; -1 on a read error. */
gssize vwt_input_read (VwtInput *input, void *buffer, gsize len, GError **error);
/* Whether the input starts with `magic`; reads nothing away. */
gboolean vwt_input_has_prefix (VwtInput *input, const char *magic, gsize len, GError **error);
/* Whether the input is at its end (FALSE also on a read error, which is then set). */
gboolean vwt_input_at_end (VwtInput *input, GError **error);
/* Reads up to `len` bytes into *buffer (of *allocated bytes, reallocated as needed), which grows
 * with what arrives rather than to `len` at once: a header that promises more than the input
 * holds costs no more memory than the input.  Returns the bytes read, -1 on a read error. */
gssize vwt_input_read_growing (VwtInput *input, guint8 **buffer, gsize *allocated, gsize len,
                               GError **error);
/* Reads a line of at most `max` bytes (the newline dropped) and without NUL bytes; NULL and an
 * error otherwise. */
char *vwt_input_read_line (VwtInput *input, gsize max, const char *what, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwtInput, vwt_input_close)

/* Text from a file or the command line, fit to be quoted in a one-line message: valid UTF-8
 * without control characters (\n, \xNN for control and invalid bytes, \uNNNN for C1 controls,
 * format characters and line separators), cut with "…" after 120 bytes.  `len` -1: up to NUL. */
char *vwt_escape (const char *text, gssize len);

/* ---- frames (vidwrite-frames.c) ---------------------------------------------------------- */

/* What the command line says about the frames; zero or NULL where it says nothing. */
typedef struct
{
  guint width, height;
  const char *pix_fmt; /* --pix-fmt, NULL when not given */
} VwtFrameRequest;

typedef struct _VwtFrameSource VwtFrameSource;

/* A stream of frames: a raw file or pipe, a .npy file (mapped) or pipe, a .y4m file or pipe, or
 * the demo pattern.  read() returns the next 1 to max_frames frames as a new GBytes, NULL with
 * no error at the end of the input, or NULL with an error. */
struct _VwtFrameSource
{
  guint width, height;
  VidwritePixelFormat format;
  gint fps_n, fps_d; /* the rate the input brings (.y4m), or 0 */
  guint64 n_frames;  /* 0 when not known in advance (pipes); for a .y4m file, its length over
                      * the size of a frame without parameters: the progress line's estimate */
  const char *kind;  /* "raw", "npy", "y4m", "demo": for messages */
  const char *color_range; /* FFmpeg's color_range of YUV frames the input says are full
                            * range ("pc"), or NULL */

  GBytes *(*read) (VwtFrameSource *source, guint max_frames, GError **error);
  void (*free) (VwtFrameSource *source);
};

VwtFrameSource *vwt_frame_source_open (const char *path, const VwtFrameRequest *request,
                                       GError **error);
/* The same over an input already open; takes `input` (closed on failure).  `path` (nullable)
 * is only looked at for its extension. */
VwtFrameSource *vwt_frame_source_new_for_input (VwtInput *input, const char *path,
                                                const VwtFrameRequest *request, GError **error);
VwtFrameSource *vwt_frame_source_new_demo (guint width, guint height, guint n_frames);
void vwt_frame_source_free (VwtFrameSource *source);
gboolean vwt_pixel_format_parse (const char *name, VidwritePixelFormat *format, GError **error);
const char *vwt_pixel_format_name (VidwritePixelFormat format);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwtFrameSource, vwt_frame_source_free)

/* ---- sound (vidwrite-sound.c) ------------------------------------------------------------ */

typedef struct _VwtSoundSource VwtSoundSource;

/* A stream of audio samples in the format and layout the writer is told; read() works as
 * for frames, counting samples of every channel. */
struct _VwtSoundSource
{
  guint channels, rate;
  VidwriteSampleFormat format;
  VidwriteAudioLayout layout;

  GBytes *(*read) (VwtSoundSource *source, guint max_samples, GError **error);
  void (*free) (VwtSoundSource *source);
};

/* rate and channels: --audio-rate and --audio-channels, 0 when not given. */
VwtSoundSource *vwt_sound_source_open (const char *path, guint rate, guint channels,
                                       GError **error);
/* The same over an input already open; takes `input` (closed on failure). */
VwtSoundSource *vwt_sound_source_new_for_input (VwtInput *input, const char *path, guint rate,
                                                guint channels, GError **error);
VwtSoundSource *vwt_sound_source_new_demo (guint rate, guint64 n_samples);
void vwt_sound_source_free (VwtSoundSource *source);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwtSoundSource, vwt_sound_source_free)

/* ---- codec list (vidwrite-codec-list.c) -------------------------------------------------- */

gboolean vwt_print_codec_list (GError **error);

G_END_DECLS
