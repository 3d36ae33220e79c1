/* libFuzzer target: the command's WAV parser (tools/vidwrite-sound.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: a .wav file, given as a file and as a pipe.  Every sample is read; a crash, a
 * sanitizer report, a leak, a GLib critical, channels or a rate beyond the library's limits,
 * more than 4 bytes out for each byte in (8-bit samples become float32), or an error message
 * that is not one line of valid UTF-8 is a finding.
 */
#include "fuzz-input.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  fuzz_sound (data, size, "fuzz.wav", 0, 0, 4 * (guint64)size);
  return 0;
}
