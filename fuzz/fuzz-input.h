/* What the parser fuzz targets share: the bytes given as a file or a pipe, and the checks on
 * what a source hands out.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vidwrite-tool.h"

#include <stdint.h>

G_BEGIN_DECLS

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef enum
{
  FUZZ_AS_FILE, /* a memfd: a regular file, which the .npy and raw parsers map */
  FUZZ_AS_PIPE, /* the read end of a pipe that holds the bytes */
} FuzzKind;

/* An input over `size` bytes, or NULL when a pipe cannot hold that many. */
VwtInput *fuzz_input_new (const uint8_t *data, size_t size, FuzzKind kind);

/* Reads every frame of the source (or frees the error of a failed open), in chunks sized as
 * the command sizes them, and checks what comes: whole frames within the library's limits,
 * the count the header gave (a .y4m file's count is an estimate for the progress line), never more
 * bytes than `max_out`, and errors in the VIDWRITE_ERROR domain on one line of valid UTF-8.  Takes
 * the source. */
void fuzz_drain_frames (VwtFrameSource *source, GError *error, guint64 max_out);
/* The same for sound, in chunks of 4096 samples. */
void fuzz_drain_sound (VwtSoundSource *source, GError *error, guint64 max_out);

/* The bytes as a file and as a pipe, each opened as `name` says and drained as above. */
void fuzz_frames (const uint8_t *data, size_t size, const char *name,
                  const VwtFrameRequest *request, guint64 max_out);
void fuzz_sound (const uint8_t *data, size_t size, const char *name, guint rate, guint channels,
                 guint64 max_out);

G_END_DECLS
