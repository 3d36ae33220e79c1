/* Soak: one streaming writer fed MINUTES of 320x240 video at 25 fps with 48 kHz stereo, one
 * second at a time.  Prints the resident set size (VmRSS) as it goes and the counts at the end;
 * scripts/soak.sh runs it and checks the file.  Not a test of the suite: it runs for minutes.
 *
 *   soak OUTPUT.mkv MINUTES
 */
#include "vwt.h"

#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 320
#define H 240
#define FPS 25
#define RATE 48000
#define CYCLE 50 /* distinct frames, pushed over and over */

static const double freqs[2] = { 440, 660 };

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line ? strtol (line + 6, NULL, 10) : -1;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = NULL;
  g_autoptr (GBytes) frames = NULL;
  g_autoptr (GBytes) second = NULL;
  g_autoptr (GHashTable) options = vwt_options ("preset", "ultrafast", NULL);
  guint seconds;
  long first = -1, low = G_MAXLONG, high = 0;

  if (argc != 3)
    {
      g_printerr ("usage: %s OUTPUT.mkv MINUTES\n", argv[0]);
      return 2;
    }
  gst_init (&argc, &argv);
  seconds = (guint)(atof (argv[2]) * 60);
  frames = vwt_make_frames (CYCLE, H, W, 3, 1);
  second = vwt_make_tones (2, RATE, RATE, freqs);

  writer = vidwrite_writer_new (argv[1], &error);
  if (!writer
      || !vidwrite_writer_set_video (writer, W, H, VIDWRITE_PIXEL_FORMAT_RGB, FPS, 1, NULL, options,
                                     &error)
      || !vidwrite_writer_set_audio (writer, 2, RATE, VIDWRITE_SAMPLE_FORMAT_F32,
                                     VIDWRITE_AUDIO_LAYOUT_PLANAR, "flac", NULL, &error))
    {
      g_printerr ("soak: %s\n", error->message);
      return 1;
    }

  for (guint s = 0; s < seconds; s++)
    {
      const gsize frame = (gsize)W * H * 3;
      g_autoptr (GBytes) video
          = g_bytes_new_from_bytes (frames, (s % 2) * FPS * frame, FPS * frame);

      if (!vidwrite_writer_push_frames (writer, video, &error)
          || !vidwrite_writer_push_audio (writer, second, &error))
        {
          g_printerr ("soak: at %u s: %s\n", s, error->message);
          return 1;
        }
      /* The first 30 s warm up the encoder's lookahead and the allocators' pools. */
      if ((s + 1) % 30 == 0)
        {
          long rss = rss_kib ();

          if (s + 1 > 30)
            {
              if (first < 0)
                first = rss;
              low = MIN (low, rss);
              high = MAX (high, rss);
            }
          printf ("rss %u s %ld KiB\n", s + 1, rss);
          fflush (stdout);
        }
    }
  if (!vidwrite_writer_finish (writer, NULL, &error))
    {
      g_printerr ("soak: finish: %s\n", error->message);
      return 1;
    }
  printf ("frames pushed %" G_GUINT64_FORMAT " encoded %" G_GUINT64_FORMAT "\n",
          vidwrite_writer_get_frames_pushed (writer), vidwrite_writer_get_frames_encoded (writer));
  printf ("samples pushed %" G_GUINT64_FORMAT "\n", vidwrite_writer_get_samples_pushed (writer));
  printf ("rss after warm-up: first %ld, min %ld, max %ld, last %ld KiB\n", first, low, high,
          rss_kib ());
  return 0;
}
