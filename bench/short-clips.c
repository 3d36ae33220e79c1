/* Per-write time of short clips through the C API, for bench/run.py: many one-shot writes of
 * the same small clip into fresh file names, in one process, after a warm-up write.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: short-clips DIR RAW WIDTH HEIGHT PRESET WRITES [KEY=VALUE ...]
 * RAW holds the clip's frames, packed rgb24; KEY=VALUE are more libx264 options (crf 23 and
 * PRESET are given).  Prints one JSON line: the wall and CPU milliseconds of each write, and
 * the median time spent in each phase of a write (new, set_video, push, finish).
 */
#include <vidwrite/vidwrite.h>

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static double
cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}

static int
compare (const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
median (double *values, guint n)
{
  qsort (values, n, sizeof *values, compare);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

int
main (int argc, char **argv)
{
  g_autoptr (GHashTable) options = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GBytes) frames = NULL;
  g_autoptr (GError) read_error = NULL;
  char *raw = NULL;
  gsize raw_size = 0;
  guint w, h, writes;
  double *wall, *cpu, *phase[4];
  static const char *const phase_names[] = { "new", "set_video", "push", "finish" };

  if (argc < 7)
    {
      fprintf (stderr, "usage: %s DIR RAW WIDTH HEIGHT PRESET WRITES [KEY=VALUE ...]\n", argv[0]);
      return 2;
    }
  w = atoi (argv[3]);
  h = atoi (argv[4]);
  writes = atoi (argv[6]);
  if (!g_file_get_contents (argv[2], &raw, &raw_size, &read_error))
    {
      fprintf (stderr, "short-clips: %s\n", read_error->message);
      return 1;
    }
  if (w == 0 || h == 0 || writes == 0 || raw_size == 0 || raw_size % ((gsize)w * h * 3))
    {
      fprintf (stderr, "short-clips: %s is not whole %ux%u rgb24 frames\n", argv[2], w, h);
      return 2;
    }
  frames = g_bytes_new_take (raw, raw_size);
  g_hash_table_insert (options, "crf", "23");
  g_hash_table_insert (options, "preset", argv[5]);
  for (int a = 7; a < argc; a++)
    {
      char *eq = strchr (argv[a], '=');

      if (!eq)
        {
          fprintf (stderr, "short-clips: %s is not KEY=VALUE\n", argv[a]);
          return 2;
        }
      *eq = '\0';
      g_hash_table_insert (options, argv[a], eq + 1);
    }
  wall = g_new (double, writes);
  cpu = g_new (double, writes);
  for (guint p = 0; p < 4; p++)
    phase[p] = g_new (double, writes);

  for (guint i = 0; i <= writes; i++) /* write 0 warms up */
    {
      g_autofree char *path = g_strdup_printf ("%s/short-c-%u.mp4", argv[1], i);
      g_autoptr (GError) error = NULL;
      g_autoptr (VidwriteWriter) writer = NULL;
      gint64 t[5];
      double c0 = cpu_ms ();

      t[0] = g_get_monotonic_time ();
      writer = vidwrite_writer_new (path, &error);
      t[1] = g_get_monotonic_time ();
      if (writer
          && vidwrite_writer_set_video (writer, w, h, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, "libx264",
                                        options, &error))
        {
          t[2] = g_get_monotonic_time ();
          if (vidwrite_writer_push_frames (writer, frames, &error))
            {
              t[3] = g_get_monotonic_time ();
              vidwrite_writer_finish (writer, NULL, &error);
              t[4] = g_get_monotonic_time ();
            }
        }
      if (error)
        {
          fprintf (stderr, "short-clips: %s\n", error->message);
          return 1;
        }
      g_unlink (path);
      if (i == 0)
        continue;
      wall[i - 1] = (t[4] - t[0]) / 1e3;
      cpu[i - 1] = cpu_ms () - c0;
      for (guint p = 0; p < 4; p++)
        phase[p][i - 1] = (t[p + 1] - t[p]) / 1e3;
    }

  printf ("{\"wall_ms\": [");
  for (guint i = 0; i < writes; i++)
    printf ("%s%.3f", i ? ", " : "", wall[i]);
  printf ("], \"cpu_ms\": [");
  for (guint i = 0; i < writes; i++)
    printf ("%s%.3f", i ? ", " : "", cpu[i]);
  printf ("], \"phases_ms\": {");
  for (guint p = 0; p < 4; p++)
    printf ("%s\"%s\": %.3f", p ? ", " : "", phase_names[p], median (phase[p], writes));
  printf ("}}\n");
  return 0;
}
