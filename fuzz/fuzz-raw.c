/* libFuzzer target: the size logic of raw frames and raw float32 planar audio
 * (tools/vidwrite-frames.c, tools/vidwrite-sound.c), as the command's options drive it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: a 10-byte header, then the data.
 *   [0..1] --size width (LE)    [2..3] --size height (LE): 0 means no --size
 *   [4]    --pix-fmt: an index into the names below, past their end none
 *   [5..6] --audio-channels (LE)  [7..9] --audio-rate (LE)
 * The data is given as frames, as a file and as a pipe, then as audio, as a file and as a pipe
 * (which raw planar audio refuses).  Data that starts with a magic number goes to the .npy or
 * .y4m parser, as in the command.  A crash, a sanitizer report, a leak, a GLib critical, more
 * bytes out than in (2 for 1 from .y4m) or an error message that is not one line of valid UTF-8
 * is a finding.
 */
#include "fuzz-input.h"

#define HEADER 10

static const char *const pix_fmts[] = { "rgb24", "bgr24", "rgba", "bgra", "gray", "yuv420p" };

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  VwtFrameRequest request = { 0 };
  guint channels, rate;

  if (size < HEADER)
    return -1;
  request.width = data[0] | data[1] << 8;
  request.height = data[2] | data[3] << 8;
  request.pix_fmt = data[4] < G_N_ELEMENTS (pix_fmts) ? pix_fmts[data[4]] : NULL;
  channels = data[5] | data[6] << 8;
  rate = data[7] | data[8] << 8 | data[9] << 16;
  data += HEADER;
  size -= HEADER;

  fuzz_frames (data, size, "fuzz.rgb", &request, 2 * (guint64)size);
  fuzz_sound (data, size, "fuzz.f32", rate, channels, 4 * (guint64)size);
  return 0;
}
