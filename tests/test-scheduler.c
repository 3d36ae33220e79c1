/* The scheduler alone, without GStreamer: which stream a writer feeds next, for every state of
 * two streams that matters, and whole simulated writes in every push order. */
#include "vidwrite-writer-private.h"

#define S G_GUINT64_CONSTANT (1000000000)

static VwLane
lane (gboolean present, gboolean pending, gboolean ended, double seconds)
{
  return (VwLane){ present, pending, ended, (guint64)(seconds * S) };
}

static void
test_margin (void)
{
  /* 1 s, or 8192 samples where those last longer. */
  g_assert_cmpuint (vw_scheduler_margin (48000), ==, S);
  g_assert_cmpuint (vw_scheduler_margin (8000), ==, 8192 * S / 8000);
  g_assert_cmpuint (vw_scheduler_audio_ahead (48000), ==, 2 * S);
}

static void
test_steps (void)
{
  const guint64 m = S;
  VwLane none = lane (FALSE, FALSE, FALSE, 0);
  VwLane v, a;

  /* Video alone flows, and ends only when finishing. */
  v = lane (TRUE, TRUE, FALSE, 0);
  g_assert_cmpint (vw_scheduler_next (&v, &none, m, FALSE, FALSE), ==, VW_STEP_SEND_VIDEO);
  v = lane (TRUE, FALSE, FALSE, 3);
  g_assert_cmpint (vw_scheduler_next (&v, &none, m, FALSE, FALSE), ==, VW_STEP_NONE);
  g_assert_cmpint (vw_scheduler_next (&v, &none, m, TRUE, FALSE), ==, VW_STEP_END_VIDEO);
  v.ended = TRUE;
  g_assert_cmpint (vw_scheduler_next (&v, &none, m, TRUE, FALSE), ==, VW_STEP_NONE);

  /* Video waits until the audio covers it plus the margin. */
  v = lane (TRUE, TRUE, FALSE, 2);
  a = lane (TRUE, FALSE, FALSE, 2.5);
  g_assert_cmpint (vw_scheduler_next (&v, &a, m, FALSE, FALSE), ==, VW_STEP_NONE);
  a.time = 3 * S;
  g_assert_cmpint (vw_scheduler_next (&v, &a, m, FALSE, FALSE), ==, VW_STEP_SEND_VIDEO);

  /* Audio runs at most margin + 1 s ahead of the video... */
  a = lane (TRUE, TRUE, FALSE, 4.0);
  g_assert_cmpint (vw_scheduler_next (&v, &a, m, FALSE, FALSE), ==, VW_STEP_SEND_AUDIO);
  a.time = 4 * S + 1;
  g_assert_cmpint (vw_scheduler_next (&v, &a, m, FALSE, FALSE), ==, VW_STEP_SEND_VIDEO);
  /* ... unless the video has ended: then it all flows (the hang of issue 10). */
  v = lane (TRUE, FALSE, TRUE, 2);
  a = lane (TRUE, TRUE, FALSE, 9);
  g_assert_cmpint (vw_scheduler_next (&v, &a, m, TRUE, FALSE), ==, VW_STEP_SEND_AUDIO);

  /* The audio ends when finishing or when the caller said so, once nothing is pending. */
  v = lane (TRUE, TRUE, FALSE, 0);
  a = lane (TRUE, FALSE, FALSE, 0.5);
  g_assert_cmpint (vw_scheduler_next (&v, &a, m, FALSE, FALSE), ==, VW_STEP_NONE);
  g_assert_cmpint (vw_scheduler_next (&v, &a, m, FALSE, TRUE), ==, VW_STEP_END_AUDIO);
  a.ended = TRUE;
  g_assert_cmpint (vw_scheduler_next (&v, &a, m, FALSE, TRUE), ==, VW_STEP_SEND_VIDEO);

  /* Audio alone flows. */
  a = lane (TRUE, TRUE, FALSE, 100);
  g_assert_cmpint (vw_scheduler_next (&none, &a, m, FALSE, FALSE), ==, VW_STEP_SEND_AUDIO);
}

/* A whole write simulated: `video_s` seconds of 30 fps frames and `audio_s` seconds of 48 kHz
 * audio in 4096-sample blocks, pushed in the given order, then finished.  Every unit goes, both
 * streams end, and the audio never runs more than margin + 1 s + a block ahead of the video
 * while the video is open. */
static void
simulate (double video_s, double audio_s, int order)
{
  const guint64 frame = S / 30, block = 4096 * S / 48000, m = vw_scheduler_margin (48000);
  guint64 video_total = (guint64)(video_s * 30), audio_total = (guint64)(audio_s * 48000 / 4096);
  guint64 video_pushed = 0, audio_pushed = 0, video_sent = 0, audio_sent = 0;
  gboolean video_ended = FALSE, audio_ended = FALSE;
  guint steps = 0;

  for (int finishing = 0; finishing < 2; finishing++)
    for (;;)
      {
        /* The caller pushes one more unit of whichever stream the order says. */
        if (!finishing)
          {
            gboolean video_next = order == 0   ? video_pushed < video_total
                                  : order == 1 ? audio_pushed == audio_total
                                               : video_pushed * frame <= audio_pushed * block;
            if (video_next && video_pushed < video_total)
              video_pushed++;
            else if (audio_pushed < audio_total)
              audio_pushed++;
            else if (video_pushed < video_total)
              video_pushed++;
          }
        VwLane v = lane (TRUE, video_sent < video_pushed, video_ended, 0);
        VwLane a = lane (TRUE, audio_sent < audio_pushed, audio_ended, 0);
        v.time = video_sent * frame;
        a.time = audio_sent * block;
        VwStep step = vw_scheduler_next (&v, &a, m, finishing, FALSE);

        g_assert_cmpuint (++steps, <, 1000000);
        if (step == VW_STEP_NONE)
          {
            if (finishing || (video_pushed == video_total && audio_pushed == audio_total))
              break;
            continue;
          }
        switch (step)
          {
          case VW_STEP_SEND_VIDEO:
            video_sent++;
            break;
          case VW_STEP_SEND_AUDIO:
            if (!video_ended)
              g_assert_cmpuint (a.time, <=, v.time + m + S);
            audio_sent++;
            break;
          case VW_STEP_END_VIDEO:
            video_ended = TRUE;
            break;
          case VW_STEP_END_AUDIO:
            audio_ended = TRUE;
            break;
          case VW_STEP_NONE:
          default:
            g_assert_not_reached ();
          }
      }
  g_assert_cmpuint (video_sent, ==, video_total);
  g_assert_cmpuint (audio_sent, ==, audio_total);
  g_assert_true (video_ended);
  g_assert_true (audio_ended);
}

static void
test_whole_writes (void)
{
  static const double lengths[] = { 0.1, 0.5, 2, 5, 12 };

  for (guint v = 0; v < G_N_ELEMENTS (lengths); v++)
    for (guint a = 0; a < G_N_ELEMENTS (lengths); a++)
      for (int order = 0; order < 3; order++)
        simulate (lengths[v], lengths[a], order);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/scheduler/margin", test_margin);
  g_test_add_func ("/scheduler/steps", test_steps);
  g_test_add_func ("/scheduler/whole-writes", test_whole_writes);
  return g_test_run ();
}
