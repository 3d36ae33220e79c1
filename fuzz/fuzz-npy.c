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
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const VwtFrameRequest request = { 0 };

  for (FuzzKind kind = FUZZ_AS_FILE; kind <= FUZZ_AS_PIPE; kind++)
    {
      VwtInput *input = fuzz_input_new (data, size, kind);
      GError *error = NULL;
      VwtFrameSource *source;

      if (!input)
        continue;
      source = vwt_frame_source_new_for_input (input, "fuzz.npy", &request, &error);
      fuzz_drain_frames (source, error, size);
    }
  return 0;
}
