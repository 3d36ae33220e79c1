/* --list-codecs: which codec names work here, and in which containers.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Until the library has a codec registry, the list is found by asking the library itself:
 * each name below is configured on a scratch writer for each container, in a temporary
 * directory, and what the library answers is printed.  probe_codecs() is the one place that
 * the registry will replace.
 */
#include "vidwrite-tool.h"

#include <glib/gstdio.h>

/* FFmpeg names people pass to -c:v and -c:a, whether or not vidwrite maps them yet. */
static const char *const video_names[] = {
  "libx264", "h264",       "libx265", "hevc",  "libvpx",   "vp8",        "libvpx-vp9",
  "vp9",     "libaom-av1", "av1",     "mpeg4", "mjpeg",    "mpeg2video", "libtheora",
  "theora",  "ffv1",       "prores",  "png",   "rawvideo",
};
static const char *const audio_names[] = {
  "aac",       "mp3",  "libmp3lame", "opus", "libopus",   "vorbis",
  "libvorbis", "flac", "ac3",        "alac", "pcm_s16le",
};
static const char *const extensions[]
    = { "mp4", "mov", "mkv", "webm", "avi", "ogv", "ogg", "ts", "flv" };

typedef struct
{
  const char *name;
  gboolean video;
  GString *containers; /* the extensions that take it, space-separated */
  char *why_not;       /* the library's reason when no container takes it */
} CodecEntry;

static void
codec_entry_clear (CodecEntry *entry)
{
  g_string_free (entry->containers, TRUE);
  g_free (entry->why_not);
}

/* Whether the library accepts `name` for a file in `dir` with extension `ext`. */
static gboolean
probe (const char *dir, const char *ext, const char *name, gboolean video, GError **error)
{
  g_autofree char *path = g_strdup_printf ("%s/probe.%s", dir, ext);
  g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, error);
  gboolean ok;

  if (!writer)
    return FALSE;
  if (video)
    ok = vidwrite_writer_set_video (writer, 64, 64, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, name, NULL,
                                    error);
  else
    ok = vidwrite_writer_set_audio (writer, 2, 48000, VIDWRITE_SAMPLE_FORMAT_F32,
                                    VIDWRITE_AUDIO_LAYOUT_INTERLEAVED, name, NULL, error);
  vidwrite_writer_cancel (writer, NULL);
  return ok;
}

static void
probe_codec (const char *dir, GPtrArray *containers, CodecEntry *entry)
{
  g_autoptr (GError) last = NULL;

  entry->containers = g_string_new (NULL);
  for (guint i = 0; i < containers->len; i++)
    {
      const char *ext = g_ptr_array_index (containers, i);
      g_autoptr (GError) error = NULL;

      if (probe (dir, ext, entry->name, entry->video, &error))
        g_string_append_printf (entry->containers, "%s%s", entry->containers->len ? " " : "", ext);
      else if (!g_error_matches (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INCOMPATIBLE))
        {
          /* Unknown or not installed: the same answer for every container. */
          entry->why_not = g_strdup (error->message);
          return;
        }
      else
        {
          g_clear_error (&last);
          last = g_steal_pointer (&error);
        }
    }
  if (entry->containers->len == 0 && last)
    entry->why_not = g_strdup (last->message);
}

/* The containers vidwrite writes here, and every codec name with the containers it goes into
 * or why it does not. */
static GArray *
probe_codecs (GPtrArray *containers, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("vidwrite-codecs-XXXXXX", error);
  GArray *entries;

  if (!dir)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/probe.%s", dir, extensions[i]);
      g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (path, NULL);

      if (writer)
        g_ptr_array_add (containers, (gpointer)extensions[i]);
    }
  entries = g_array_new (FALSE, TRUE, sizeof (CodecEntry));
  g_array_set_clear_func (entries, (GDestroyNotify)codec_entry_clear);
  for (guint i = 0; i < G_N_ELEMENTS (video_names) + G_N_ELEMENTS (audio_names); i++)
    {
      gboolean video = i < G_N_ELEMENTS (video_names);
      CodecEntry entry
          = { video ? video_names[i] : audio_names[i - G_N_ELEMENTS (video_names)], video };

      probe_codec (dir, containers, &entry);
      g_array_append_val (entries, entry);
    }
  g_rmdir (dir);
  return entries;
}

gboolean
vwt_print_codec_list (GError **error)
{
  g_autoptr (GPtrArray) containers = g_ptr_array_new ();
  g_autoptr (GArray) entries = probe_codecs (containers, error);

  if (!entries)
    return FALSE;
  for (int video = 1; video >= 0; video--)
    {
      g_print ("%s codecs (FFmpeg name: the containers that take it here, or why not)\n",
               video ? "Video" : "Audio");
      for (guint i = 0; i < entries->len; i++)
        {
          const CodecEntry *e = &g_array_index (entries, CodecEntry, i);

          if (e->video == video)
            g_print ("  %-12s %s%s\n", e->name, e->why_not ? "unavailable: " : "",
                     e->why_not ? e->why_not : e->containers->str);
        }
      g_print ("\n");
    }
  g_print ("Containers (by file extension):");
  for (guint i = 0; i < containers->len; i++)
    g_print (" .%s", (const char *)g_ptr_array_index (containers, i));
  g_print ("\n");
  return TRUE;
}
