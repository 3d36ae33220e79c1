/* Encoder libraries' own logs -> GStreamer's debug log, so that they print nothing.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A library with a log hook gets one when vidwrite first makes its element; the table says which.
 * - mjpegtools (mpeg2enc): one process-wide handler, mjpeg_log_set_handler().  GStreamer's
 *   mpeg2enc installs its own, which logs to the debug log and then chains to mjpegtools' default
 *   handler, which prints ("**ERROR: [prog] ...", "++ WARN: ...").  vidwrite's replaces it and
 *   logs to the category "vidwrite-libs".  The plugin is loaded with its libraries local, so the
 *   setter is found in the copy of libmjpegutils already loaded (RTLD_NOLOAD), never another.
 *   mjpegtools exits the process after most errors it logs (mjpeg_error_exit1()): those stay on
 *   stderr, through the handler that was there, as the process's last words; vidwrite must check
 *   what would trigger them before the encoder starts.
 * - openh264 (openh264enc): its log is per encoder object (ENCODER_OPTION_TRACE_CALLBACK), which
 *   openh264enc creates and keeps to itself; the element sets the level to errors, and its drain
 *   at end of stream calls EncodeFrame(NULL), which logs "cmInitParaError".  No hook: that line
 *   is printed.
 */
#define _GNU_SOURCE /* dl_iterate_phdr, RTLD_NOLOAD */
#include "vidwrite-private.h"

#include <dlfcn.h>
#include <link.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (vw_libs_debug);
#define GST_CAT_DEFAULT vw_libs_debug

typedef void (*MjpegHandler) (int level, const char *message);
typedef MjpegHandler (*MjpegSetHandler) (MjpegHandler handler);
typedef int (*MjpegLevelByName) (const char *name);

static MjpegHandler mjpeg_previous;
static int mjpeg_levels[4]; /* error, warn, info, debug, as this mjpegtools numbers them */

static void
mjpeg_to_gst (int level, const char *message)
{
  static const GstDebugLevel gst_levels[] = { GST_LEVEL_ERROR, GST_LEVEL_WARNING, GST_LEVEL_INFO,
                                              GST_LEVEL_DEBUG };
  GstDebugLevel gst_level = GST_LEVEL_INFO;

  for (guint i = 0; i < G_N_ELEMENTS (mjpeg_levels); i++)
    if (level == mjpeg_levels[i])
      gst_level = gst_levels[i];
  if (gst_level == GST_LEVEL_ERROR)
    {
      mjpeg_previous (level, message);
      return;
    }
  GST_CAT_LEVEL_LOG (vw_libs_debug, gst_level, NULL, "mjpegtools: %s", message);
}

typedef struct
{
  const char *name; /* "/libmjpegutils" */
  const char *path;
} VwFind;

static int
find_library (struct dl_phdr_info *info, G_GNUC_UNUSED size_t size, void *data)
{
  VwFind *find = data;

  if (info->dlpi_name && strstr (info->dlpi_name, find->name))
    {
      find->path = info->dlpi_name;
      return 1;
    }
  return 0;
}

/* A symbol of a library that an encoder's plugin has loaded (`library`: "libx265"), from that
 * very copy; NULL when it is not loaded or has no such symbol.  The handle stays open: what is
 * found is used for the life of the process, and plugins never unload either. */
gpointer
vw_loaded_library_symbol (const char *library, const char *symbol)
{
  g_autofree char *name = g_strconcat ("/", library, NULL);
  VwFind find = { name, NULL };
  void *handle;

  dl_iterate_phdr (find_library, &find);
  handle = find.path ? dlopen (find.path, RTLD_LAZY | RTLD_NOLOAD) : NULL;
  return handle ? dlsym (handle, symbol) : NULL;
}

static void
route_mjpegtools (void)
{
  static const char *const names[] = { "error", "warn", "info", "debug" };
  MjpegSetHandler set_handler = vw_loaded_library_symbol ("libmjpegutils", "mjpeg_log_set_handler");
  MjpegLevelByName level_by_name = vw_loaded_library_symbol ("libmjpegutils", "mjpeg_loglev_t");

  if (!set_handler || !level_by_name)
    {
      GST_WARNING ("mpeg2enc's libmjpegutils has no log handler to set: its messages are printed");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    mjpeg_levels[i] = level_by_name (names[i]);
  mjpeg_previous = set_handler (mjpeg_to_gst);
}

static const struct
{
  const char *factory;
  void (*route) (void);
} routes[] = {
  { "mpeg2enc", route_mjpegtools },
};

/* Called with every encoder vidwrite makes, once its plugin is loaded (its own hook set). */
void
vw_log_route_library (GstElement *encoder)
{
  static gsize category, done[G_N_ELEMENTS (routes)];
  GstElementFactory *factory = gst_element_get_factory (encoder);

  if (g_once_init_enter (&category))
    {
      GST_DEBUG_CATEGORY_INIT (vw_libs_debug, "vidwrite-libs", 0, "encoder libraries' own messages");
      g_once_init_leave (&category, 1);
    }
  for (guint i = 0; factory && i < G_N_ELEMENTS (routes); i++)
    if (g_str_equal (GST_OBJECT_NAME (factory), routes[i].factory) && g_once_init_enter (&done[i]))
      {
        routes[i].route ();
        g_once_init_leave (&done[i], 1);
      }
}
