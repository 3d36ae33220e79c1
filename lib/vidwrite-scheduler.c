/* Which stream to feed next: the writer's flow control, as a pure function of what each stream
 * has handed over.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A muxer takes data only when it has some on every pad, and a video encoder keeps dozens of
 * frames of lookahead, so one stream fed far ahead of the other would wait for ever.  The writer
 * therefore hands over audio only up to a lead past the video it has handed over, and video only
 * while the audio covers it plus a margin (the audio encoder's frames must be complete before the
 * muxer sees the video at that time).  What a caller pushes beyond that waits in the pending
 * queues as references.  Ending a stream releases the other: after the video's end, the audio
 * flows freely, and the other way round.
 */
#include "vidwrite-writer-private.h"

#define MARGIN_MIN G_GUINT64_CONSTANT (1000000000) /* 1 s of media, in nanoseconds */
#define MARGIN_SAMPLES 8192                        /* ... and at least this many samples */
#define LEAD_EXTRA G_GUINT64_CONSTANT (1000000000) /* audio may run this far past the margin */

/* How far the audio must run ahead of a frame before the frame may go. */
guint64
vw_scheduler_margin (guint audio_rate)
{
  guint64 samples = audio_rate ? MARGIN_SAMPLES * G_GUINT64_CONSTANT (1000000000) / audio_rate : 0;

  return MAX (MARGIN_MIN, samples);
}

/* How far ahead of its frames a caller should push audio so that no frame waits in the writer:
 * what the bindings and the command use to interleave their pushes. */
guint64
vw_scheduler_audio_ahead (guint audio_rate)
{
  return 2 * vw_scheduler_margin (audio_rate);
}

VwStep
vw_scheduler_next (const VwLane *video, const VwLane *audio, guint64 margin, gboolean finishing,
                   gboolean audio_ended)
{
  gboolean video_open = video->present && !video->ended;
  gboolean audio_open = audio->present && !audio->ended;

  if (audio_open && audio->pending
      && (!video_open || audio->time <= video->time + margin + LEAD_EXTRA))
    return VW_STEP_SEND_AUDIO;
  if (audio_open && !audio->pending && (finishing || audio_ended))
    return VW_STEP_END_AUDIO;
  if (video_open && video->pending && (!audio_open || audio->time >= video->time + margin))
    return VW_STEP_SEND_VIDEO;
  if (video_open && !video->pending && finishing)
    return VW_STEP_END_VIDEO;
  return VW_STEP_NONE;
}
