/* Input files and stdin, read through a buffer.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vidwrite-tool.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUFFER_SIZE (64 * 1024)
#define GROW_FIRST (4 << 20) /* what vwt_input_read_growing() allocates before any data */
#define ESCAPE_MAX 120

VwtInput *
vwt_input_new_for_fd (int fd, const char *name, GError **error)
{
  g_autoptr (VwtInput) input = g_new0 (VwtInput, 1);
  struct stat st = { 0 };

  input->name = g_strdup (name);
  input->fd = fd;
  if (fstat (input->fd, &st) == 0 && S_ISREG (st.st_mode))
    {
      input->regular = TRUE;
      input->size = (guint64)st.st_size;
    }
  else if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_IO, "cannot read %s: it is a directory",
                   input->name);
      return NULL;
    }
  input->buffer = g_malloc (BUFFER_SIZE);
  return g_steal_pointer (&input);
}

VwtInput *
vwt_input_open (const char *path, GError **error)
{
  g_autofree char *name = NULL, *escaped = NULL;
  int fd;

  if (g_str_equal (path, "-"))
    return vwt_input_new_for_fd (STDIN_FILENO, "standard input", error);
  escaped = vwt_escape (path, -1);
  name = g_strdup_printf ("“%s”", escaped);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_IO, "cannot read %s: %s", name,
                   g_strerror (saved));
      return NULL;
    }
  return vwt_input_new_for_fd (fd, name, error);
}

void
vwt_input_close (VwtInput *input)
{
  if (!input)
    return;
  if (input->fd > STDIN_FILENO)
    close (input->fd);
  g_free (input->buffer);
  g_free (input->name);
  g_free (input);
}

/* One read(2), retried on EINTR: the bytes read, 0 at the end, -1 with an error. */
static gssize
read_some (VwtInput *input, void *buffer, gsize len, GError **error)
{
  for (;;)
    {
      gssize n = read (input->fd, buffer, len);

      if (n >= 0)
        return n;
      if (errno != EINTR)
        {
          int saved = errno;
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_IO, "reading %s failed: %s",
                       input->name, g_strerror (saved));
          return -1;
        }
    }
}

/* Tops the buffer up to at least `want` bytes, or fewer at the end of the input. */
static gboolean
fill (VwtInput *input, gsize want, GError **error)
{
  if (input->buffer_len - input->buffer_pos >= want)
    return TRUE;
  memmove (input->buffer, input->buffer + input->buffer_pos, input->buffer_len - input->buffer_pos);
  input->buffer_len -= input->buffer_pos;
  input->buffer_pos = 0;
  while (input->buffer_len < want)
    {
      gssize n = read_some (input, input->buffer + input->buffer_len,
                            BUFFER_SIZE - input->buffer_len, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      input->buffer_len += n;
    }
  return TRUE;
}

gssize
vwt_input_read (VwtInput *input, void *buffer, gsize len, GError **error)
{
  guint8 *out = buffer;
  gsize done = MIN (len, input->buffer_len - input->buffer_pos);

  if (len == 0)
    return 0; /* `buffer` may be NULL then, which memcpy() does not allow */
  memcpy (out, input->buffer + input->buffer_pos, done);
  input->buffer_pos += done;
  while (done < len)
    {
      gssize n;

      /* Large reads go straight to the caller's memory; small ones through the buffer. */
      if (len - done >= BUFFER_SIZE)
        n = read_some (input, out + done, len - done, error);
      else
        {
          if (!fill (input, len - done, error))
            return -1;
          n = MIN (len - done, input->buffer_len - input->buffer_pos);
          memcpy (out + done, input->buffer + input->buffer_pos, n);
          input->buffer_pos += n;
        }
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      done += n;
    }
  return done;
}

gssize
vwt_input_read_growing (VwtInput *input, guint8 **buffer, gsize *allocated, gsize len,
                        GError **error)
{
  gsize done = 0;

  for (;;)
    {
      /* At most twice what has arrived, or the first step, or what is already there. */
      gsize target = MIN (len, MAX (MAX (done * 2, GROW_FIRST), *allocated));
      gssize n;

      if (*allocated < target)
        {
          *buffer = g_realloc (*buffer, target);
          *allocated = target;
        }
      n = vwt_input_read (input, *buffer + done, target - done, error);
      if (n < 0)
        return -1;
      done += n;
      if (done < target || done == len)
        return done;
    }
}

gboolean
vwt_input_has_prefix (VwtInput *input, const char *magic, gsize len, GError **error)
{
  if (!fill (input, len, error))
    return FALSE;
  return input->buffer_len - input->buffer_pos >= len
         && memcmp (input->buffer + input->buffer_pos, magic, len) == 0;
}

char *
vwt_input_read_line (VwtInput *input, gsize max, const char *what, GError **error)
{
  GString *line = g_string_new (NULL);

  for (;;)
    {
      char c;
      gssize n = vwt_input_read (input, &c, 1, error);

      if (n < 0)
        break;
      if (n == 0)
        {
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                       "%s ends inside its %s", input->name, what);
          break;
        }
      if (c == '\n')
        return g_string_free (line, FALSE);
      if (c == '\0')
        {
          /* It would end the line early for whoever reads it as a string. */
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                       "the %s of %s holds a NUL byte", what, input->name);
          break;
        }
      if (line->len >= max)
        {
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                       "the %s of %s is longer than %" G_GSIZE_FORMAT " bytes", what, input->name,
                       max);
          break;
        }
      g_string_append_c (line, c);
    }
  g_string_free (line, TRUE);
  return NULL;
}

gboolean
vwt_input_at_end (VwtInput *input, GError **error)
{
  return fill (input, 1, error) && input->buffer_pos == input->buffer_len;
}

char *
vwt_escape (const char *text, gssize len)
{
  gsize n = len < 0 ? strlen (text) : (gsize)len;
  GString *out = g_string_sized_new (MIN (n, ESCAPE_MAX) + 8);
  const char *p = text, *end = text + MIN (n, ESCAPE_MAX);

  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);
      const char *next;

      if (c == (gunichar)-1 || c == (gunichar)-2)
        {
          /* Not UTF-8, or a character cut by the end. */
          g_string_append_printf (out, "\\x%02x", (guint8)*p++);
          continue;
        }
      next = g_utf8_next_char (p);
      switch (c)
        {
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\x%02x", c);
          else if (g_unichar_iscntrl (c) || g_unichar_type (c) == G_UNICODE_FORMAT
                   || g_unichar_type (c) == G_UNICODE_LINE_SEPARATOR
                   || g_unichar_type (c) == G_UNICODE_PARAGRAPH_SEPARATOR)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_len (out, p, next - p);
        }
      p = next;
    }
  if (n > ESCAPE_MAX)
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}
