/* The command's input parsers on hostile files: .npy, .y4m, .wav, raw frames and raw audio.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each input is given to the parser twice, as a regular file (a memfd, which the .npy and raw
 * parsers map) and as a pipe, and every frame or sample it hands out is read.  A hostile header
 * must end in a GError that names the offending value, on one line of valid UTF-8, before any
 * memory is allocated or mapped for the sizes it claims.  The inputs are the findings of
 * issue 11 (ASan, UBSan and fuzz/fuzz-npy, fuzz-y4m, fuzz-wav, fuzz-raw).
 */
#define _GNU_SOURCE /* memfd_create, pipe2 */
#include "vidwrite-tool.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

typedef enum
{
  AS_FILE,
  AS_PIPE,
} Kind;

/* An input over `len` bytes: a memfd, or the read end of a pipe that already holds them. */
static VwtInput *
input_new (const void *data, gsize len, Kind kind, const char *name)
{
  g_autoptr (GError) error = NULL;
  VwtInput *input;
  int fd;

  if (kind == AS_FILE)
    {
      fd = memfd_create ("vidwrite-test", MFD_CLOEXEC);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (write (fd, data, len), ==, (gssize)len);
      g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
    }
  else
    {
      int fds[2];

      g_assert_cmpint (pipe2 (fds, O_CLOEXEC), ==, 0);
      g_assert_cmpuint (len, <=, 65536); /* what a pipe holds */
      g_assert_cmpint (write (fds[1], data, len), ==, (gssize)len);
      close (fds[1]);
      fd = fds[0];
    }
  input = vwt_input_new_for_fd (fd, name, &error);
  g_assert_no_error (error);
  return input;
}

/* A one-line message of valid UTF-8 without control characters. */
static void
assert_clean_message (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  for (const char *p = error->message; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_error ("control character U+%04X in “%s”", c, error->message);
    }
}

/* Opens `data` as frames and reads every frame; the error of either step, or NULL. */
static GError *
frames_error (const void *data, gsize len, Kind kind, const VwtFrameRequest *request)
{
  static const VwtFrameRequest none = { 0 };
  g_autoptr (VwtFrameSource) source = NULL;
  GError *error = NULL;
  guint64 frames = 0;

  source = vwt_frame_source_new_for_input (input_new (data, len, kind, "“hostile”"), NULL,
                                           request ? request : &none, &error);
  if (!source)
    {
      assert_clean_message (error);
      return error;
    }
  for (;;)
    {
      g_autoptr (GBytes) chunk = source->read (source, 8, &error);
      gsize frame
          = vidwrite_pixel_format_frame_size (source->format, source->width, source->height);
      const guint8 *bytes;
      gsize size;
      guint sum = 0;

      if (!chunk)
        break;
      bytes = g_bytes_get_data (chunk, &size);
      g_assert_cmpuint (size % frame, ==, 0);
      g_assert_cmpuint (size, <=, len); /* nothing comes from beyond the input */
      for (gsize i = 0; i < size; i++)
        sum += bytes[i];
      (void)sum;
      frames += size / frame;
    }
  if (error)
    assert_clean_message (error);
  else if (source->n_frames)
    g_assert_cmpuint (frames, ==, source->n_frames);
  return error;
}

static GError *
sound_error (const void *data, gsize len, Kind kind, guint rate, guint channels)
{
  g_autoptr (VwtSoundSource) source = NULL;
  GError *error = NULL;

  source = vwt_sound_source_new_for_input (input_new (data, len, kind, "“hostile”"), NULL, rate,
                                           channels, &error);
  if (!source)
    {
      assert_clean_message (error);
      return error;
    }
  for (;;)
    {
      g_autoptr (GBytes) chunk = source->read (source, 4096, &error);

      if (!chunk)
        break;
    }
  if (error)
    assert_clean_message (error);
  return error;
}

static void
assert_error_with (GError *error, const char *const *words)
{
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
  for (guint i = 0; words[i]; i++)
    if (!strstr (error->message, words[i]))
      g_error ("“%s” is not in the message “%s”", words[i], error->message);
  g_error_free (error);
}

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* A version 1.0 .npy file: the header dict padded to 64 bytes, then `data_len` zero bytes. */
static GBytes *
npy_new (const char *dict, gsize data_len)
{
  GString *s = g_string_new_len ("\x93NUMPY\x01\x00\0\0", 10);
  gsize header;

  g_string_append (s, dict);
  while ((s->len + 1) % 64)
    g_string_append_c (s, ' ');
  g_string_append_c (s, '\n');
  header = s->len - 10;
  s->str[8] = header & 0xff;
  s->str[9] = header >> 8;
  for (gsize i = 0; i < data_len; i++)
    g_string_append_c (s, 0);
  return g_string_free_to_bytes (s);
}

static GError *
npy_error (const char *dict, gsize data_len, Kind kind)
{
  g_autoptr (GBytes) file = npy_new (dict, data_len);

  return frames_error (g_bytes_get_data (file, NULL), g_bytes_get_size (file), kind, NULL);
}

/* ---- the findings of issue 11 ------------------------------------------------------------ */

/* 1. An empty 'shape' value: npy_parse_shape() skipped a '(' that was not there and read past
 * the end of its string. */
static void
test_npy_empty_shape (void)
{
  for (Kind kind = AS_FILE; kind <= AS_PIPE; kind++)
    {
      assert_error_with (
          npy_error ("{'descr': '|u1', 'fortran_order': False, 'shape':, }", 64, kind),
          WORDS ("“hostile”", "'shape'", "not a tuple"));
      assert_error_with (
          npy_error ("{'descr': '|u1', 'fortran_order': False, 'shape': 7, }", 64, kind),
          WORDS ("“hostile”", "'shape'", "“7”", "not a tuple"));
    }
}

/* 2. T·H·W·C wrapped to 0 in 64 bits: the truncation check passed and the frames were read
 * from beyond the mapping. */
static void
test_npy_size_overflow (void)
{
  for (Kind kind = AS_FILE; kind <= AS_PIPE; kind++)
    {
      assert_error_with (npy_error ("{'descr': '|u1', 'fortran_order': False, "
                                    "'shape': (9223372036854775808, 24, 32, 3), }",
                                    2048, kind),
                         WORDS ("“hostile”", "9223372036854775808", "too large"));
      assert_error_with (npy_error ("{'descr': '|u1', 'fortran_order': False, "
                                    "'shape': (72057594037927936, 16, 16), }",
                                    2048, kind),
                         WORDS ("“hostile”", "72057594037927936", "too large"));
      /* A number that does not fit 64 bits at all. */
      assert_error_with (npy_error ("{'descr': '|u1', 'fortran_order': False, "
                                    "'shape': (99999999999999999999999, 16, 16), }",
                                    2048, kind),
                         WORDS ("“hostile”", "99999999999999999999999"));
    }
  /* In range, but more than the file holds. */
  assert_error_with (npy_error ("{'descr': '|u1', 'fortran_order': False, "
                                "'shape': (1000000, 16, 16), }",
                                2048, AS_FILE),
                     WORDS ("“hostile”", "truncated", "256000000 bytes"));
}

/* 3. The frame size of a .y4m header was allocated before the library's 16384 limit applied. */
static void
test_y4m_size_limit (void)
{
  static const char *const headers[] = {
    "YUV4MPEG2 W99999999 H99999999\n",
    "YUV4MPEG2 W3 H2147483647\nFRAME\n",
    "YUV4MPEG2 W16385 H2\n",
    "YUV4MPEG2 W99999999999999999999999 H2\n",
  };
  static const char *const values[]
      = { "W99999999", "H2147483647", "W16385", "W99999999999999999999999" };

  for (Kind kind = AS_FILE; kind <= AS_PIPE; kind++)
    for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
      assert_error_with (frames_error (headers[i], strlen (headers[i]), kind, NULL),
                         WORDS ("“hostile”", values[i], "16384"));
}

/* Found by fuzz/fuzz-y4m: a NUL byte ended the header for the parser, but not for the count of
 * frames in the file, which was then wrong (3 for 1). */
static void
test_y4m_nul_in_header (void)
{
  static const char y4m[] = "YUV4MPEG2 W5 H1 \0`tY C411YUV4MPEG2 W3 H3 F1:1 C422\nFRAME\n"
                            "\0\1\2\3\4\5\0\0`\x20\x80";

  for (Kind kind = AS_FILE; kind <= AS_PIPE; kind++)
    assert_error_with (frames_error (y4m, sizeof y4m - 1, kind, NULL),
                       WORDS ("“hostile”", "header", "NUL byte"));
}

/* 4a. A fmt chunk of size 0 was read into g_malloc (0), which is NULL: memcpy (NULL, ..., 0). */
static void
test_wav_empty_fmt (void)
{
  static const guint8 wav[] = "RIFF\x24\0\0\0WAVEfmt \0\0\0\0data\x04\0\0\0\0\0\0\0";

  for (Kind kind = AS_FILE; kind <= AS_PIPE; kind++)
    assert_error_with (sound_error (wav, sizeof wav - 1, kind, 0, 0),
                       WORDS ("“hostile”", "fmt chunk is 0 bytes, not 16 to 1024"));
}

/* 4b. A channel count of 2^32 + 3 was truncated to 3 and taken as RGB. */
static void
test_npy_channels_truncated (void)
{
  for (Kind kind = AS_FILE; kind <= AS_PIPE; kind++)
    assert_error_with (npy_error ("{'descr': '|u1', 'fortran_order': False, "
                                  "'shape': (3, 24, 32, 4294967299), }",
                                  6912, kind),
                       WORDS ("“hostile”", "(3, 24, 32, 4294967299)", "C 1, 3 or 4"));
}

/* 5. Header text was quoted verbatim: terminal escapes, newlines, invalid UTF-8. */
static void
test_messages_escape_header_text (void)
{
  g_autoptr (GError) error = NULL;
  static const char y4m_space[] = "YUV4MPEG2 W4 H4 C\x1b]0;owned\x07\xff\n";
  static const char y4m_frame[] = "YUV4MPEG2 W4 H4 C444\nFR\x1b[2J\r\n";
  static const char y4m_rate[] = "YUV4MPEG2 W4 H4 F\x9b"
                                 "31m\n";

  for (Kind kind = AS_FILE; kind <= AS_PIPE; kind++)
    {
      assert_error_with (npy_error ("{'descr': '\x1b[2J\xff\xfe', 'fortran_order': False, "
                                    "'shape': (1, 2, 2), }",
                                    4, kind),
                         WORDS ("\\x1b[2J\\xff\\xfe"));
      assert_error_with (npy_error ("{'descr': '|u1', 'fortran_order': False, 'shape':\n(1, "
                                    "2,\x1b\x07 2)}",
                                    4, kind),
                         WORDS ("(1, 2,\\x1b\\x07 2)"));
      assert_error_with (npy_error ("{'descr': '|u1',\r\n 'fortran_order': False}", 4, kind),
                         WORDS ("\\r\\n"));
      assert_error_with (frames_error (y4m_space, strlen (y4m_space), kind, NULL),
                         WORDS ("C\\x1b]0;owned\\x07\\xff"));
      assert_error_with (frames_error (y4m_frame, strlen (y4m_frame), kind, NULL),
                         WORDS ("FR\\x1b[2J\\r"));
      assert_error_with (frames_error (y4m_rate, strlen (y4m_rate), kind, NULL),
                         WORDS ("F\\x9b31m"));
    }
}

/* The one helper every message quotes untrusted text through. */
static void
test_escape (void)
{
  static const struct
  {
    const char *in;
    gssize len;
    const char *out;
  } cases[] = {
    { "plain, é and 漢字", -1, "plain, é and 漢字" },
    { "a\nb\rc\td\\e", -1, "a\\nb\\rc\\td\\\\e" },
    { "\x1b[31m\x07\x7f", -1, "\\x1b[31m\\x07\\x7f" },
    { "\xff\xfe\xc3", -1, "\\xff\\xfe\\xc3" }, /* invalid, and cut UTF-8 */
    { "\xc2\x9b"
      "1m \xe2\x80\xa8 \xe2\x80\xae",
      -1, "\\u009b1m \\u2028 \\u202e" }, /* C1 CSI, line separator, bidi */
    { "a\0b", 3, "a\\x00b" },
  };
  g_autofree char *long_text = g_strnfill (300, 'x');
  g_autofree char *cut = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = vwt_escape (cases[i].in, cases[i].len);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
  cut = vwt_escape (long_text, -1);
  g_assert_true (g_str_has_suffix (cut, "x…"));
  g_assert_cmpuint (strlen (cut), ==, 120 + strlen ("…"));
}

/* --size, --audio-channels and --audio-rate beyond the library's limits, before any size is
 * computed from them. */
static void
test_raw_limits (void)
{
  static const VwtFrameRequest wide = { 16385, 2, NULL }, tall = { 2, 65535, "rgba" };
  static const guint8 data[48];

  for (Kind kind = AS_FILE; kind <= AS_PIPE; kind++)
    {
      assert_error_with (frames_error (data, sizeof data, kind, &wide),
                         WORDS ("--size 16385x2", "16384"));
      assert_error_with (frames_error (data, sizeof data, kind, &tall),
                         WORDS ("--size 2x65535", "16384"));
    }
  assert_error_with (sound_error (data, sizeof data, AS_FILE, 8000, 65535),
                     WORDS ("--audio-channels 65535", "1 to 8"));
  assert_error_with (sound_error (data, sizeof data, AS_FILE, 16777215, 2),
                     WORDS ("--audio-rate 16777215", "768000"));
}

/* A header may claim frames of up to 16384×16384 (a GiB each): on a pipe that ends early, what
 * is allocated follows what arrives, not what the header claims.  Checked in a subprocess
 * whose address space may grow by 384 MiB only (not under ASan, which reserves terabytes). */
static void
test_pipe_memory_follows_input (void)
{
  static const VwtFrameRequest raw = { 16384, 16384, "rgba" };
  g_autofree char *y4m = NULL;
  g_autoptr (GBytes) npy = NULL;
  g_autofree guint8 *data = NULL;
  guint8 wav[] = "RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x03\0\xff\xff\x80\xbb\0\0"
                 "\0\0\0\0\xf8\xff\x40\0data\0\0\0\0";
  struct rlimit limit;
  unsigned long pages = 0;
  FILE *statm;

#ifdef UNDER_ASAN
  g_test_skip ("AddressSanitizer reserves more address space than any limit would allow");
  return;
#endif
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  statm = fopen ("/proc/self/statm", "r");
  g_assert_nonnull (statm);
  g_assert_cmpint (fscanf (statm, "%lu", &pages), ==, 1);
  fclose (statm);
  limit.rlim_cur = limit.rlim_max = pages * sysconf (_SC_PAGESIZE) + (384 << 20);
  g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);

  data = g_malloc0 (8192);
  y4m = g_strdup ("YUV4MPEG2 W16384 H16384 C444\nFRAME\n");
  memcpy (data, y4m, strlen (y4m));
  assert_error_with (frames_error (data, 8192, AS_PIPE, NULL),
                     WORDS ("“hostile”", "ends inside frame 0"));
  npy = npy_new ("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 16384, 16384, 4), }", 8192);
  assert_error_with (
      frames_error (g_bytes_get_data (npy, NULL), g_bytes_get_size (npy), AS_PIPE, NULL),
      WORDS ("“hostile”", "into frame 0"));
  memset (data, 0, 8192);
  assert_error_with (frames_error (data, 8192, AS_PIPE, &raw),
                     WORDS ("“hostile”", "8192 bytes into frame 0"));
  /* 65535 channels of 64-bit float: blocks of 512 KiB. */
  assert_error_with (sound_error (wav, sizeof wav - 1, AS_PIPE, 0, 0),
                     WORDS ("“hostile”", "65535 channels"));
}

/* ---- registration ------------------------------------------------------------------------ */

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/parsers/npy/empty-shape", test_npy_empty_shape);
  g_test_add_func ("/parsers/npy/size-overflow", test_npy_size_overflow);
  g_test_add_func ("/parsers/npy/channels-truncated", test_npy_channels_truncated);
  g_test_add_func ("/parsers/y4m/size-limit", test_y4m_size_limit);
  g_test_add_func ("/parsers/y4m/nul-in-header", test_y4m_nul_in_header);
  g_test_add_func ("/parsers/wav/empty-fmt", test_wav_empty_fmt);
  g_test_add_func ("/parsers/messages/escape-header-text", test_messages_escape_header_text);
  g_test_add_func ("/parsers/escape", test_escape);
  g_test_add_func ("/parsers/raw/limits", test_raw_limits);
  g_test_add_func ("/parsers/pipe-memory-follows-input", test_pipe_memory_follows_input);
  return g_test_run ();
}
