/* The error domain, and GStreamer's bus errors turned into it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vidwrite-private.h"

#include <string.h>

/**
 * vidwrite_error_quark:
 *
 * The quark of the %VIDWRITE_ERROR domain; GObject introspection sees it as the error domain
 * of #VidwriteError, so bindings raise the codes of that enumeration.
 *
 * Returns: the error domain's quark
 */
G_DEFINE_QUARK (vidwrite-error-quark, vidwrite_error)

/* GLib wants error messages in UTF-8, and ours quote what the caller gave: codec names, option
 * keys and values, file names, none of which has to be valid UTF-8.  Invalid bytes become
 * U+FFFD, so that every language binding can show the message. */
void
vw_error_make_valid (GError *error)
{
  if (error && !g_utf8_validate (error->message, -1, NULL))
    {
      char *valid = g_utf8_make_valid (error->message, -1);

      g_free (error->message);
      error->message = valid;
    }
}

void
vw_set_error (GError **error, VidwriteError code, const char *format, ...)
{
  va_list args;
  GError *e;

  if (!error)
    return;
  va_start (args, format);
  e = g_error_new_valist (VIDWRITE_ERROR, code, format, args);
  va_end (args);
  vw_error_make_valid (e);
  g_propagate_error (error, e);
}

/* A resource error (the file system) is IO; anything else is the pipeline failing to encode. */
void
vw_set_error_from_message (GError **error, GstMessage *message)
{
  g_autoptr (GError) gst_error = NULL;
  g_autofree char *debug = NULL;
  g_autofree char *path = NULL;
  int code;

  gst_message_parse_error (message, &gst_error, &debug);
  path = gst_object_get_path_string (GST_MESSAGE_SRC (message));
  code = gst_error->domain == GST_RESOURCE_ERROR ? VIDWRITE_ERROR_IO : VIDWRITE_ERROR_ENCODE;
  /* The debug text starts with a source location; its last line says why ("streaming stopped,
   * reason not-negotiated (-4)"). */
  if (debug)
    {
      g_strstrip (debug);
      char *last = strrchr (debug, '\n');
      if (last)
        memmove (debug, last + 1, strlen (last + 1) + 1);
      else if (g_str_has_prefix (debug, "../") || g_str_has_prefix (debug, "/"))
        g_clear_pointer (&debug, g_free);
    }
  vw_set_error (error, code, "%s: %s%s%s%s", path, gst_error->message,
               debug ? " (" : "", debug ? debug : "", debug ? ")" : "");
}

gboolean
vw_ensure_gst (GError **error)
{
  static gsize initialised = 0;
  static GError *init_error = NULL;

  if (g_once_init_enter (&initialised))
    {
      if (!gst_init_check (NULL, NULL, &init_error))
        g_prefix_error (&init_error, "GStreamer could not be initialised: ");
      g_once_init_leave (&initialised, 1);
    }
  if (init_error)
    {
      vw_set_error (error, VIDWRITE_ERROR_ENCODE, "%s", init_error->message);
      return FALSE;
    }
  return TRUE;
}
