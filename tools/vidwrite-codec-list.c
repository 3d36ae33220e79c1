/* --list-codecs: every codec name the library maps, the element it resolves to here or why not,
 * the containers that take it and the options it knows.  All of it is the library's registry.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vidwrite-tool.h"

static void
print_codec (VidwriteCodecInfo *info)
{
  const char *element = vidwrite_codec_info_get_element (info);
  const char *const *options = vidwrite_codec_info_get_options (info);
  g_autofree char *containers = g_strjoinv (" ", (char **)vidwrite_codec_info_get_containers (info));

  if (element)
    g_print ("  %-14s %-16s %s\n", vidwrite_codec_info_get_name (info), element, containers);
  else
    g_print ("  %-14s unavailable: %s\n", vidwrite_codec_info_get_name (info),
             vidwrite_codec_info_get_unavailable_reason (info));
  if (element && options && options[0])
    {
      g_autofree char *keys = g_strjoinv (" ", (char **)options);
      g_print ("  %-14s %-16s options: %s\n", "", "", keys);
    }
}

gboolean
vwt_print_codec_list (GError **error)
{
  g_autoptr (GPtrArray) codecs = vidwrite_list_codecs ();
  g_auto (GStrv) all = vidwrite_list_containers ();

  for (int kind = VIDWRITE_CODEC_KIND_VIDEO; kind <= VIDWRITE_CODEC_KIND_AUDIO; kind++)
    {
      g_print ("%s codecs (FFmpeg name, element here, containers; or why not)\n",
               kind == VIDWRITE_CODEC_KIND_VIDEO ? "Video" : "Audio");
      for (guint i = 0; i < codecs->len; i++)
        {
          VidwriteCodecInfo *info = g_ptr_array_index (codecs, i);

          if ((int)vidwrite_codec_info_get_kind (info) != kind)
            continue;
          print_codec (info);
        }
      g_print ("\n");
    }
  g_print ("Containers (by file extension):");
  for (guint i = 0; all[i]; i++)
    g_print (" .%s", all[i]);
  g_print ("\n");
  return TRUE;
}
