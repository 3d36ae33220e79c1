/* libFuzzer target: the command's .npy parser (tools/vidwrite-frames.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: a .npy file, given as a file (mapped) and as a pipe (read).  Every frame handed out is
 * read; a crash, a sanitizer report, a leak, a GLib critical, more bytes out than in, a frame
 * count other than the header's, or an error message that is not one line of valid UTF-8 is a
 * finding.
 */
#include "fuzz-input.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const VwtFrameRequest request = { 0 };

  fuzz_frames (data, size, "fuzz.npy", &request, size);
  return 0;
}
