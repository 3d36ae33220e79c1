/* libFuzzer target: the command's YUV4MPEG2 parser (tools/vidwrite-frames.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: a .y4m stream, given as a file and as a pipe.  Every frame handed out is read; a
 * crash, a sanitizer report, a leak, a GLib critical, more than 2 bytes of RGB out for each
 * byte in (4:2:0 becomes RGB), or an error message that is not one line of valid UTF-8 is a
 * finding.
 */
#include "fuzz-input.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const VwtFrameRequest request = { 0 };

  fuzz_frames (data, size, "fuzz.y4m", &request, 2 * (guint64)size);
  return 0;
}
