/* gtk-recorder: records an animated GTK widget to a video file, from the GTK main loop.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each frame, the widget is drawn at the frame's time, rendered by the window's GskRenderer,
 * and handed to vidwrite with vidwrite_writer_push_frames_async(): the main loop never waits
 * for the encoder, the progress bar follows VidwriteWriter::progress, and Cancel abandons the
 * file.  One push is in flight at a time, so memory stays bounded whatever the encoder's speed.
 *
 *   gtk-recorder [--output FILE] [--seconds N] [--fps N] [--codec NAME] [--auto-quit]
 *                [--cancel-after N]
 *
 * --auto-quit leaves when the file is written (exit status 0) or has failed (1), as the tests
 * run it under Xvfb; --cancel-after presses Cancel after N frames.
 */
#include <gtk/gtk.h>
#include <math.h>
#include <vidwrite/vidwrite.h>

#define WIDTH 320
#define HEIGHT 240

typedef struct
{
  GMainLoop *loop;
  GtkWidget *window, *area, *progress, *status, *cancel_button;
  VidwriteWriter *writer;
  GCancellable *cancellable;
  guint frame, total, fps;
  gboolean pushing, done, auto_quit;
  guint cancel_after;
  int exit_status;
  char *output;
} Recorder;

/* The animation: a ball bouncing across a gradient, and the frame number.  A function of the
 * frame index alone, so the file is the same however fast the machine is. */
static void
draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  Recorder *r = user_data;
  double t = (double)r->frame / r->fps;
  double x = width / 2.0 + (width / 2.0 - 30) * sin (t * 2.1);
  double y = height - 30 - fabs (sin (t * 3.0)) * (height - 60);
  cairo_pattern_t *sky = cairo_pattern_create_linear (0, 0, 0, height);
  char label[32];

  cairo_pattern_add_color_stop_rgb (sky, 0, 0.15, 0.25, 0.6);
  cairo_pattern_add_color_stop_rgb (sky, 1, 0.9, 0.6, 0.3);
  cairo_set_source (cr, sky);
  cairo_paint (cr);
  cairo_pattern_destroy (sky);
  cairo_set_source_rgb (cr, 0.95, 0.9, 0.2);
  cairo_arc (cr, x, y, 24, 0, 2 * G_PI);
  cairo_fill (cr);
  g_snprintf (label, sizeof label, "frame %u", r->frame);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_move_to (cr, 10, 24);
  cairo_set_font_size (cr, 18);
  cairo_show_text (cr, label);
}

/* The frame as GTK renders it: the widget's draw function into a GtkSnapshot, rendered by the
 * window's own GskRenderer (what GTK shows on screen), downloaded in Cairo's ARGB32 layout: B,
 * G, R, A bytes on the little-endian machines this example is for.  (GtkWidgetPaintable would
 * give the widget's last painted frame, one frame clock behind.) */
static GBytes *
capture (Recorder *r)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  const graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, WIDTH, HEIGHT);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (r->area));
  guint8 *pixels;

  draw (GTK_DRAWING_AREA (r->area), cr, WIDTH, HEIGHT, r);
  cairo_destroy (cr);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (renderer, node, &bounds);
  pixels = g_malloc ((gsize)WIDTH * HEIGHT * 4);
  gdk_texture_download (texture, pixels, WIDTH * 4);
  return g_bytes_new_take (pixels, (gsize)WIDTH * HEIGHT * 4);
}

static void
stop (Recorder *r, const char *message, int status)
{
  r->done = TRUE;
  r->exit_status = status;
  gtk_label_set_text (GTK_LABEL (r->status), message);
  gtk_widget_set_sensitive (r->cancel_button, FALSE);
  g_print ("%s\n", message);
  if (r->auto_quit)
    g_main_loop_quit (r->loop);
}

static void
on_finished (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Recorder *r = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;

  if (vidwrite_writer_finish_finish (VIDWRITE_WRITER (source), result, &error))
    {
      message = g_strdup_printf ("wrote %s: %u frames", r->output, r->total);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (r->progress), 1.0);
      stop (r, message, 0);
    }
  else if (g_error_matches (error, VIDWRITE_ERROR, VIDWRITE_ERROR_CANCELLED))
    stop (r, "cancelled: no file written", 0);
  else
    stop (r, error->message, 1);
}

static gboolean push_next (gpointer user_data);

static void
on_pushed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Recorder *r = user_data;
  g_autoptr (GError) error = NULL;

  r->pushing = FALSE;
  if (!vidwrite_writer_push_frames_finish (VIDWRITE_WRITER (source), result, &error))
    {
      if (g_error_matches (error, VIDWRITE_ERROR, VIDWRITE_ERROR_CANCELLED))
        stop (r, "cancelled: no file written", 0);
      else
        stop (r, error->message, 1);
      return;
    }
  r->frame++;
  if (r->frame == r->total)
    {
      gtk_label_set_text (GTK_LABEL (r->status), "finishing…");
      vidwrite_writer_finish_async (r->writer, r->cancellable, on_finished, r);
    }
  else
    g_idle_add (push_next, r); /* below redraws' priority: the window stays live */
}

static gboolean
push_next (gpointer user_data)
{
  Recorder *r = user_data;
  g_autoptr (GBytes) frame = NULL;

  if (r->done || r->pushing)
    return G_SOURCE_REMOVE;
  if (r->cancel_after && r->frame == r->cancel_after)
    {
      g_signal_emit_by_name (r->cancel_button, "clicked");
      return G_SOURCE_REMOVE;
    }
  gtk_widget_queue_draw (r->area);
  frame = capture (r);
  r->pushing = TRUE;
  vidwrite_writer_push_frames_async (r->writer, frame, r->cancellable, on_pushed, r);
  return G_SOURCE_REMOVE;
}

static void
on_progress (VidwriteWriter *writer, guint64 encoded, guint64 pushed, gpointer user_data)
{
  Recorder *r = user_data;
  g_autofree char *text
      = g_strdup_printf ("%" G_GUINT64_FORMAT " / %u frames encoded", encoded, r->total);

  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (r->progress), (double)encoded / r->total);
  gtk_progress_bar_set_text (GTK_PROGRESS_BAR (r->progress), text);
}

static void
on_cancel (GtkButton *button, gpointer user_data)
{
  Recorder *r = user_data;

  /* A push or finish in flight fails with CANCELLED and abandons the file; between two, the
   * writer is told directly (it waits for nothing then). */
  g_cancellable_cancel (r->cancellable);
  if (!r->pushing && !r->done)
    {
      vidwrite_writer_cancel (r->writer, NULL);
      stop (r, "cancelled: no file written", 0);
    }
}

static gboolean
on_close (GtkWindow *window, gpointer user_data)
{
  Recorder *r = user_data;

  g_cancellable_cancel (r->cancellable);
  g_main_loop_quit (r->loop);
  return FALSE;
}

static gboolean
start (gpointer user_data)
{
  Recorder *r = user_data;

  gtk_label_set_text (GTK_LABEL (r->status), "recording…");
  push_next (r);
  return G_SOURCE_REMOVE;
}

static void
on_map (GtkWidget *widget, gpointer user_data)
{
  Recorder *r = user_data;

  if (!r->frame && !r->pushing && !r->done)
    g_idle_add (start, r);
}

static void
build_window (Recorder *r)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  r->window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (r->window), "vidwrite GTK recorder");
  r->area = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (r->area), WIDTH);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (r->area), HEIGHT);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (r->area), draw, r, NULL);
  r->progress = gtk_progress_bar_new ();
  gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (r->progress), TRUE);
  r->status = gtk_label_new ("starting…");
  r->cancel_button = gtk_button_new_with_label ("Cancel");
  g_signal_connect (r->cancel_button, "clicked", G_CALLBACK (on_cancel), r);
  g_signal_connect (r->window, "close-request", G_CALLBACK (on_close), r);
  gtk_box_append (GTK_BOX (box), r->area);
  gtk_box_append (GTK_BOX (box), r->progress);
  gtk_box_append (GTK_BOX (box), r->status);
  gtk_box_append (GTK_BOX (box), r->cancel_button);
  gtk_window_set_child (GTK_WINDOW (r->window), box);
}

int
main (int argc, char **argv)
{
  Recorder r = { 0 };
  g_autofree char *output = NULL, *codec = NULL;
  int seconds = 3, fps = 30, cancel_after = 0;
  gboolean auto_quit = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "File to write (recording.mp4)", "FILE" },
    { "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "Length of the recording (3)", "N" },
    { "fps", 'r', 0, G_OPTION_ARG_INT, &fps, "Frames a second (30)", "N" },
    { "codec", 'c', 0, G_OPTION_ARG_STRING, &codec, "FFmpeg codec name (libx264)", "NAME" },
    { "auto-quit", 0, 0, G_OPTION_ARG_NONE, &auto_quit, "Quit when done", NULL },
    { "cancel-after", 0, 0, G_OPTION_ARG_INT, &cancel_after, "Press Cancel after N frames", "N" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- record an animated widget");
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) options = g_hash_table_new (g_str_hash, g_str_equal);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || seconds < 1 || fps < 1)
    {
      g_printerr ("%s\n", error ? error->message : "--seconds and --fps must be positive");
      return 2;
    }
  gtk_init ();

  r.output = output ? g_strdup (output) : g_strdup ("recording.mp4");
  r.fps = fps;
  r.total = (guint)(seconds * fps);
  r.auto_quit = auto_quit;
  r.cancel_after = cancel_after;
  r.loop = g_main_loop_new (NULL, FALSE);
  r.cancellable = g_cancellable_new ();

  r.writer = vidwrite_writer_new (r.output, &error);
  g_hash_table_insert (options, "preset", "veryfast");
  if (!r.writer
      || !vidwrite_writer_set_video (r.writer, WIDTH, HEIGHT, VIDWRITE_PIXEL_FORMAT_BGRA, fps, 1,
                                     codec ? codec : "libx264", codec ? NULL : options, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_signal_connect (r.writer, "progress", G_CALLBACK (on_progress), &r);

  build_window (&r);
  /* Start once the widget is on screen: its window's renderer exists from then on. */
  g_signal_connect (r.area, "map", G_CALLBACK (on_map), &r);
  gtk_window_present (GTK_WINDOW (r.window));
  g_main_loop_run (r.loop);

  gtk_window_destroy (GTK_WINDOW (r.window));
  g_object_unref (r.writer);
  g_object_unref (r.cancellable);
  g_main_loop_unref (r.loop);
  g_free (r.output);
  return r.exit_status;
}
