/* The pipeline a writer's streams and target make, and the monitor through which its streaming
 * threads report errors, the end of the stream and progress.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vidwrite-writer-private.h"
#include "vidwrite-sinks.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (vw_pipeline_debug);
#define GST_CAT_DEFAULT vw_pipeline_debug

void
vw_monitor_init (VwMonitor *monitor)
{
  memset (monitor, 0, sizeof *monitor);
  g_mutex_init (&monitor->lock);
  g_cond_init (&monitor->cond);
}

void
vw_monitor_clear (VwMonitor *monitor)
{
  g_clear_error (&monitor->error);
  g_mutex_clear (&monitor->lock);
  g_cond_clear (&monitor->cond);
}

void
vw_monitor_poke (VwMonitor *monitor)
{
  g_mutex_lock (&monitor->lock);
  monitor->activity++;
  g_cond_broadcast (&monitor->cond);
  g_mutex_unlock (&monitor->lock);
}

guint64
vw_monitor_read (VwMonitor *monitor, const guint64 *counter)
{
  guint64 value;

  g_mutex_lock (&monitor->lock);
  value = *counter;
  g_mutex_unlock (&monitor->lock);
  return value;
}

/* Activity that nobody waits for: the waits see it when they next wake (at least ten times a
 * second), for their stall timeout.  A broadcast for each buffer the sink wrote woke the
 * finishing caller once a buffer only to sleep again. */
void
vw_monitor_touch (VwMonitor *monitor)
{
  g_mutex_lock (&monitor->lock);
  monitor->activity++;
  g_mutex_unlock (&monitor->lock);
}

static GstBusSyncReply
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  VwMonitor *monitor = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      g_mutex_lock (&monitor->lock);
      monitor->failed = TRUE;
      if (!monitor->error && monitor->sink)
        vw_sink_set_error_from_message (monitor->sink, message, &monitor->error);
      else if (!monitor->error)
        vw_set_error_from_message (&monitor->error, message);
      g_cond_broadcast (&monitor->cond);
      g_mutex_unlock (&monitor->lock);
      break;
    case GST_MESSAGE_EOS:
      g_mutex_lock (&monitor->lock);
      monitor->eos = TRUE;
      g_cond_broadcast (&monitor->cond);
      g_mutex_unlock (&monitor->lock);
      break;
    case GST_MESSAGE_STREAM_STATUS:
      {
        GstStreamStatusType type;
        const GValue *object = gst_message_get_stream_status_object (message);

        /* Posted before the task starts: its threads are the writer's (fork safety). */
        gst_message_parse_stream_status (message, &type, NULL);
        if (type == GST_STREAM_STATUS_TYPE_CREATE && object
            && G_VALUE_HOLDS (object, GST_TYPE_TASK))
          gst_task_set_pool (g_value_get_object (object), vw_task_pool_get ());
      }
      break;
    default:
      break;
    }
  /* A sync handler that drops a message owns it. */
  gst_message_unref (message);
  return GST_BUS_DROP;
}

static GstPadProbeReturn
on_sink_activity (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  vw_monitor_touch (user_data);
  return GST_PAD_PROBE_OK;
}

static void
watch_sink (VwMonitor *monitor, GstBin *bin)
{
  GstIterator *it = gst_bin_iterate_sinks (bin);
  GValue item = G_VALUE_INIT;

  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK)
    {
      GstPad *pad = gst_element_get_static_pad (g_value_get_object (&item), "sink");

      if (pad)
        {
          gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_sink_activity, monitor, NULL);
          gst_object_unref (pad);
        }
      g_value_reset (&item);
    }
  g_value_unset (&item);
  gst_iterator_free (it);
}

/* Builds the target's muxer and sink, each configured stream's branch, links them and starts
 * the pipeline.  On failure the pipeline is stopped and NULL returned, with `error` set or,
 * when an element failed, the element's error in the monitor. */
GstElement *
vw_pipeline_new (VwMonitor *monitor, VwTarget *target, VwStream *video, VwStream *audio,
                 GError **error)
{
  static gsize debug_initialised;
  GstElement *pipeline = gst_pipeline_new ("vidwrite");
  VwStream *streams[] = { video, audio };
  g_autoptr (GstBus) bus = NULL;

  if (g_once_init_enter (&debug_initialised))
    {
      GST_DEBUG_CATEGORY_INIT (vw_pipeline_debug, "vidwrite-pipeline", 0, "vidwrite's pipelines");
      g_once_init_leave (&debug_initialised, 1);
    }
  bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  gst_bus_set_sync_handler (bus, on_bus_message, monitor, NULL);

  /* A muxer that options configured was made with them (vw_options_apply). */
  if (!vw_target_build (target, GST_BIN (pipeline), g_steal_pointer (&video->settings.muxer),
                        error))
    goto failed;
  watch_sink (monitor, GST_BIN (pipeline));
  g_mutex_lock (&monitor->lock);
  monitor->sink = vw_target_get_sink (target);
  g_mutex_unlock (&monitor->lock);
  for (guint i = 0; i < G_N_ELEMENTS (streams); i++)
    {
      GstElement *tail;

      if (!streams[i]->present)
        continue;
      if (!vw_stream_build (streams[i], GST_BIN (pipeline), &tail, error)
          || !vw_target_link (target, tail, streams[i]->media, error))
        goto failed;
    }
  GST_DEBUG ("starting the pipeline for %s", vw_target_get_name (target));
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      /* An element's own error stays in the monitor, for the writer to say it with context. */
      g_mutex_lock (&monitor->lock);
      if (!monitor->error)
        vw_set_error (error, VIDWRITE_ERROR_ENCODE, "the pipeline for “%s” would not start",
                      vw_target_get_name (target));
      g_mutex_unlock (&monitor->lock);
      goto failed;
    }
  return pipeline;

failed:
  vw_pipeline_stop (&pipeline);
  return NULL;
}

void
vw_pipeline_stop (GstElement **pipeline)
{
  g_autoptr (GstBus) bus = NULL;

  if (!*pipeline)
    return;
  gst_element_set_state (*pipeline, GST_STATE_NULL);
  bus = gst_pipeline_get_bus (GST_PIPELINE (*pipeline));
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_clear_object (pipeline);
}
