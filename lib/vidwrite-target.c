/* Where a writer's muxed bytes go: a file, which appears at its name only when complete, or a
 * GOutputStream.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A file is written first where nothing can see it: an unnamed file in the target's directory
 * (O_TMPFILE), linked in only once the muxer has finished, so that even SIGKILL leaves nothing
 * behind; where the file system has no unnamed files, a hidden temporary name
 * (.NAME-XXXXXX.vidwrite-tmp).  Either way the complete file is renamed over the target, and an
 * existing file there is left untouched by any failure.
 *
 * A stream that cannot seek gets what a pipe needs: fragmented MP4/MOV (FFmpeg's
 * movflags=+frag_keyframe+empty_moov) and streamable Matroska/WebM.
 */
/* O_TMPFILE and linkat()'s AT_SYMLINK_FOLLOW. */
#define _GNU_SOURCE

#include "vidwrite-writer-private.h"
#include "vidwrite-sinks.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#define FRAGMENT_MS 1000 /* fragments of MP4 written to a stream that cannot seek */

typedef enum
{
  TARGET_FILE,
  TARGET_STREAM,
  TARGET_SINK, /* HLS, segments, RTMP, SRT: a sink of vidwrite-sinks.c */
} TargetKind;

struct _VwTarget
{
  TargetKind kind;
  const VwContainer *container;
  char *name;

  /* TARGET_FILE */
  char *filename;
  int fd;         /* the file being written, or -1 */
  char *tmp_path; /* its hidden name when it has one (no O_TMPFILE here) */

  /* TARGET_STREAM */
  GOutputStream *stream;

  /* TARGET_SINK */
  VwTargetKind sink_kind;
  GstElement *sink;   /* made by vw_target_configure(), with the options that are the sink's */
  char *sink_dir;     /* HLS and segments: the directory their files go to */
  GHashTable *before; /* ... and the names that were there before the write */

  GstElement *muxer; /* owned by the pipeline */
  guint64 written;   /* bytes that reached a stream that cannot seek */
};

static VwTarget *
target_new (TargetKind kind)
{
  VwTarget *target = g_new0 (VwTarget, 1);

  target->kind = kind;
  target->fd = -1;
  return target;
}

void
vw_target_free (VwTarget *target)
{
  if (!target)
    return;
  vw_target_abort (target);
  g_clear_object (&target->stream);
  if (target->sink && !GST_OBJECT_PARENT (target->sink))
    gst_object_unref (target->sink);
  g_free (target->sink_dir);
  g_clear_pointer (&target->before, g_hash_table_unref);
  g_free (target->filename);
  g_free (target->name);
  g_free (target);
}

const VwContainer *
vw_target_get_container (VwTarget *target)
{
  return target->container;
}

const char *
vw_target_get_name (VwTarget *target)
{
  return target->name;
}

gboolean
vw_target_is_seekable (VwTarget *target)
{
  return target->kind == TARGET_FILE
         || (G_IS_SEEKABLE (target->stream) && g_seekable_can_seek (G_SEEKABLE (target->stream)));
}

/* ---- files ------------------------------------------------------------------------------- */

static gboolean
check_target_path (const char *filename, const char *dir, GError **error)
{
  GStatBuf st;

  if (g_stat (filename, &st) == 0)
    {
      if (S_ISDIR (st.st_mode))
        {
          vw_set_error (error, VIDWRITE_ERROR_IO, "“%s” is a directory", filename);
          return FALSE;
        }
      if (!(st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)))
        {
          vw_set_error (error, VIDWRITE_ERROR_IO,
                        "“%s” exists and is read-only; it is left as it is", filename);
          return FALSE;
        }
    }
  if (g_stat (dir, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      vw_set_error (error, VIDWRITE_ERROR_IO,
                    "cannot write “%s”: the directory “%s” does not exist", filename, dir);
      return FALSE;
    }
  /* By its mode, as for the target: root could write there, but the owner said not to. */
  if (!(st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)))
    {
      vw_set_error (error, VIDWRITE_ERROR_IO, "cannot write “%s”: the directory “%s” is read-only",
                    filename, dir);
      return FALSE;
    }
  return TRUE;
}

/* The file being written: unnamed where the file system allows, else under a hidden name.
 * 0666 so that the umask applies, as it would to a file opened in place. */
static gboolean
open_file (VwTarget *target, const char *dir, GError **error)
{
  g_autofree char *base = NULL;
  g_autofree char *tmpl = NULL;
  int saved;

#ifdef O_TMPFILE
  target->fd = g_open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
  if (target->fd >= 0)
    return TRUE;
#endif
  base = g_path_get_basename (target->filename);
  tmpl = g_strdup_printf ("%s%c.%s-XXXXXX.vidwrite-tmp", dir, G_DIR_SEPARATOR, base);
  target->fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0666);
  if (target->fd >= 0)
    {
      target->tmp_path = g_steal_pointer (&tmpl);
      return TRUE;
    }
  saved = errno;
  vw_set_error (error, VIDWRITE_ERROR_IO, "cannot write “%s”: creating a file in “%s” failed: %s",
                target->filename, dir, g_strerror (saved));
  return FALSE;
}

/* ---- HLS, segments, RTMP, SRT ------------------------------------------------------------ */

/* The names in `dir` now, so that an abandoned write can remove only what it made. */
static GHashTable *
list_dir (const char *dir)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    g_hash_table_add (names, g_strdup (name));
  return names;
}

static VwTarget *
new_for_sink (const char *location, const char *format, GError **error)
{
  VwTarget *target = target_new (TARGET_SINK);

  target->sink_kind = vw_target_kind_for_location (location);
  target->name = g_strdup (location);
  target->filename = g_strdup (location);
  switch (target->sink_kind)
    {
    case VW_TARGET_HLS:
    case VW_TARGET_SRT:
      target->container = vw_container_for_format ("mpegts", error);
      break;
    case VW_TARGET_RTMP:
      target->container = vw_container_for_format ("flv", error);
      break;
    case VW_TARGET_SEGMENTS:
    case VW_TARGET_FILE:
    default:
      target->container = format ? vw_container_for_format (format, error)
                                 : vw_container_for_filename (location, error);
      break;
    }
  if (target->container
      && (target->sink_kind == VW_TARGET_HLS || target->sink_kind == VW_TARGET_SEGMENTS))
    {
      GStatBuf st;

      target->sink_dir = g_path_get_dirname (location);
      if (g_stat (target->sink_dir, &st) != 0 || !S_ISDIR (st.st_mode)
          || !(st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)))
        {
          vw_set_error (error, VIDWRITE_ERROR_IO,
                        "cannot write “%s”: the directory “%s” does not exist or is read-only",
                        location, target->sink_dir);
          vw_target_free (target);
          return NULL;
        }
      target->before = list_dir (target->sink_dir);
    }
  if (!target->container)
    {
      vw_target_free (target);
      return NULL;
    }
  return target;
}

VwTarget *
vw_target_new_for_file (const char *filename, const char *format, GError **error)
{
  VwTarget *target;
  g_autofree char *dir = NULL;

  if (!filename || !*filename)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT, "the filename is %s",
                    filename ? "empty" : "missing (NULL)");
      return NULL;
    }
  if (vw_target_kind_for_location (filename) != VW_TARGET_FILE)
    return new_for_sink (filename, format, error);
  target = target_new (TARGET_FILE);
  target->filename = g_strdup (filename);
  target->name = g_strdup (filename);
  target->container = format ? vw_container_for_format (format, error)
                             : vw_container_for_filename (filename, error);
  dir = g_path_get_dirname (filename);
  if (!target->container || !check_target_path (filename, dir, error)
      || !open_file (target, dir, error))
    {
      vw_target_free (target);
      return NULL;
    }
  return target;
}

/* Gives the unnamed file a name of its own in the target's directory (linkat through
 * /proc/self/fd, which needs no privilege), so that it can be renamed over the target. */
static gboolean
name_file (VwTarget *target, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *proc = NULL;

  if (target->tmp_path)
    return TRUE;
  dir = g_path_get_dirname (target->filename);
  base = g_path_get_basename (target->filename);
  proc = g_strdup_printf ("/proc/self/fd/%d", target->fd);
  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autofree char *path = g_strdup_printf ("%s%c.%s-%08x.vidwrite-tmp", dir, G_DIR_SEPARATOR,
                                               base, g_random_int ());
      int saved;

      if (linkat (AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
        {
          target->tmp_path = g_steal_pointer (&path);
          return TRUE;
        }
      saved = errno;
      if (saved != EEXIST)
        {
          vw_set_error (error, VIDWRITE_ERROR_IO, "cannot write “%s”: linking the file failed: %s",
                        target->filename, g_strerror (saved));
          return FALSE;
        }
    }
  vw_set_error (error, VIDWRITE_ERROR_IO, "cannot write “%s”: no free temporary name in “%s”",
                target->filename, dir);
  return FALSE;
}

/* ---- streams ----------------------------------------------------------------------------- */

/* The caller's stream, seen through a stream of the writer's own: giostreamsink writes with
 * g_output_stream_write_all(), which asserts that a failing write returns -1, while streams
 * implemented in Python (a file-like object whose write raised) return 0 with the error set.
 * Here any failure is -1 with its error; seeking passes through where the stream seeks. */
typedef struct
{
  GOutputStream parent_instance;
  GOutputStream *inner;
} VwForwardStream;

typedef struct
{
  GOutputStreamClass parent_class;
} VwForwardStreamClass;

static void vw_forward_stream_seekable_init (GSeekableIface *iface);
GType vw_forward_stream_get_type (void);
G_DEFINE_TYPE_WITH_CODE (VwForwardStream, vw_forward_stream, G_TYPE_OUTPUT_STREAM,
                         G_IMPLEMENT_INTERFACE (G_TYPE_SEEKABLE, vw_forward_stream_seekable_init))

static gssize
forward_write (GOutputStream *stream, const void *buffer, gsize count, GCancellable *cancellable,
               GError **error)
{
  GOutputStream *inner = ((VwForwardStream *)stream)->inner;
  GError *local = NULL;
  gssize written = g_output_stream_write (inner, buffer, count, cancellable, &local);

  if (written > 0 && !local)
    return written;
  if (!local)
    local = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "the stream wrote nothing");
  g_propagate_error (error, local);
  return -1;
}

static gboolean
forward_flush (GOutputStream *stream, GCancellable *cancellable, GError **error)
{
  return g_output_stream_flush (((VwForwardStream *)stream)->inner, cancellable, error);
}

/* Closing the writer's view leaves the caller's stream open: it is the caller's to close. */
static gboolean
forward_close (GOutputStream *stream, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static goffset
forward_tell (GSeekable *seekable)
{
  GOutputStream *inner = ((VwForwardStream *)seekable)->inner;

  return G_IS_SEEKABLE (inner) ? g_seekable_tell (G_SEEKABLE (inner)) : 0;
}

static gboolean
forward_can_seek (GSeekable *seekable)
{
  GOutputStream *inner = ((VwForwardStream *)seekable)->inner;

  return G_IS_SEEKABLE (inner) && g_seekable_can_seek (G_SEEKABLE (inner));
}

static gboolean
forward_seek (GSeekable *seekable, goffset offset, GSeekType type, GCancellable *cancellable,
              GError **error)
{
  GOutputStream *inner = ((VwForwardStream *)seekable)->inner;

  if (!forward_can_seek (seekable))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "the stream cannot seek");
      return FALSE;
    }
  return g_seekable_seek (G_SEEKABLE (inner), offset, type, cancellable, error);
}

static gboolean
forward_can_truncate (GSeekable *seekable)
{
  return FALSE;
}

static gboolean
forward_truncate (GSeekable *seekable, goffset offset, GCancellable *cancellable, GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "truncating is not supported");
  return FALSE;
}

static void
vw_forward_stream_seekable_init (GSeekableIface *iface)
{
  iface->tell = forward_tell;
  iface->can_seek = forward_can_seek;
  iface->seek = forward_seek;
  iface->can_truncate = forward_can_truncate;
  iface->truncate_fn = forward_truncate;
}

static void
vw_forward_stream_finalize (GObject *object)
{
  g_clear_object (&((VwForwardStream *)object)->inner);
  G_OBJECT_CLASS (vw_forward_stream_parent_class)->finalize (object);
}

static void
vw_forward_stream_class_init (VwForwardStreamClass *klass)
{
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = vw_forward_stream_finalize;
  stream_class->write_fn = forward_write;
  stream_class->flush = forward_flush;
  stream_class->close_fn = forward_close;
}

static void
vw_forward_stream_init (VwForwardStream *self)
{
}

static GOutputStream *
forward_stream_new (GOutputStream *inner)
{
  VwForwardStream *self = g_object_new (vw_forward_stream_get_type (), NULL);

  self->inner = g_object_ref (inner);
  return G_OUTPUT_STREAM (self);
}

VwTarget *
vw_target_new_for_stream (GOutputStream *stream, const char *format, GError **error)
{
  VwTarget *target;

  if (!G_IS_OUTPUT_STREAM (stream))
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT, "the output stream is %s",
                    stream ? "not a GOutputStream" : "missing (NULL)");
      return NULL;
    }
  if (!format || !*format)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                    "a stream has no file name to tell its format: give one (“mp4”, “matroska”…)");
      return NULL;
    }
  if (g_output_stream_is_closed (stream))
    {
      vw_set_error (error, VIDWRITE_ERROR_IO, "the output stream is closed");
      return NULL;
    }
  target = target_new (TARGET_STREAM);
  target->container = vw_container_for_format (format, error);
  if (!target->container)
    {
      vw_target_free (target);
      return NULL;
    }
  target->stream = forward_stream_new (stream);
  target->name = g_strdup_printf ("%s stream (%s)", format, G_OBJECT_TYPE_NAME (stream));
  return target;
}

/* ---- the muxer and the sink -------------------------------------------------------------- */

static gboolean
has_property (GstElement *element, const char *name)
{
  return g_object_class_find_property (G_OBJECT_GET_CLASS (element), name) != NULL;
}

/* A muxer writing where it cannot seek back: fragmented MP4 unless the options chose fragments
 * already, streamable Matroska. */
static void
configure_for_stream (GstElement *muxer)
{
  if (has_property (muxer, "fragment-duration"))
    {
      guint duration = 0;

      g_object_get (muxer, "fragment-duration", &duration, NULL);
      if (duration == 0)
        g_object_set (muxer, "fragment-duration", FRAGMENT_MS, NULL);
      if (has_property (muxer, "streamable"))
        g_object_set (muxer, "streamable", TRUE, NULL);
    }
  else if (has_property (muxer, "streamable"))
    g_object_set (muxer, "streamable", TRUE, NULL);
}

/* giostreamsink answers any byte SEGMENT event on a stream that cannot seek with an error, even
 * one that asks for no move, and mp4mux sends one before its first byte.  A segment starting
 * where the stream already is becomes a time segment, which the sink ignores; one that would
 * really seek back still fails. */
static GstPadProbeReturn
on_stream_data (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwTarget *target = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    {
      target->written += gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
      return GST_PAD_PROBE_OK;
    }
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_SEGMENT)
    {
      const GstSegment *segment;

      gst_event_parse_segment (GST_PAD_PROBE_INFO_EVENT (info), &segment);
      if (segment->format == GST_FORMAT_BYTES && segment->start == target->written)
        {
          GstSegment time;

          /* Replaced, not dropped: a sink needs a segment before data.  It ignores this one. */
          gst_segment_init (&time, GST_FORMAT_TIME);
          gst_event_unref (GST_PAD_PROBE_INFO_EVENT (info));
          GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_segment (&time);
        }
    }
  return GST_PAD_PROBE_OK;
}

/* Makes the sink of an HLS, segment or live target, taking its options (hls_time, segment_time
 * ...) out of `options` before the encoder's are checked.  Nothing to do for other targets. */
gboolean
vw_target_configure (VwTarget *target, GHashTable *options, GError **error)
{
  GstElement *sink = NULL;

  if (target->kind != TARGET_SINK)
    return TRUE;
  /* Again after a refused set_video(): made anew, from this call's options.  No pipeline holds
   * it yet (the first push makes that). */
  g_clear_pointer (&target->sink, gst_object_unref);
  switch (target->sink_kind)
    {
    case VW_TARGET_HLS:
      sink = vw_sink_make_hls (target->filename, options, error);
      break;
    case VW_TARGET_SEGMENTS:
      sink = vw_sink_make_segments (target->filename, target->container->muxer, options, error);
      break;
    case VW_TARGET_RTMP:
      sink = vw_sink_make_rtmp (target->filename, error);
      break;
    case VW_TARGET_SRT:
      sink = vw_sink_make_srt (target->filename, error);
      break;
    case VW_TARGET_FILE:
    default:
      g_assert_not_reached ();
    }
  if (!sink)
    return FALSE;
  target->sink = gst_object_ref_sink (sink);
  return TRUE;
}

GstElement *
vw_target_get_sink (VwTarget *target)
{
  return target->sink;
}

static gboolean
build_sink (VwTarget *target, GstBin *bin, GstElement *muxer, GError **error)
{
  const VwTargetInfo *info = vw_target_info (target->sink_kind);

  /* A muxer the options made (movflags) has no place here: the sink's own is used.  It is a
   * full reference (vw_options_apply sinks it): ref_sink() would add one, not take it. */
  if (muxer)
    gst_object_unref (muxer);
  /* No preroll, as for files (see vw_target_build): rtmp2sink and srtsink are base sinks; HLS's
   * and segments' splitmuxsink turns it off in its own sink.  (rtmp2sink still runs its
   * connection on a GstTask of GStreamer's default pool, out of reach here: RTMP in a forked
   * child still hangs.) */
  if (has_property (target->sink, "async"))
    g_object_set (target->sink, "async", FALSE, NULL);
  gst_bin_add (bin, target->sink);
  if (!info->muxer)
    {
      target->muxer = target->sink;
      return TRUE;
    }
  target->muxer = gst_element_factory_make (info->muxer, NULL);
  if (!target->muxer)
    {
      vw_set_error (error, VIDWRITE_ERROR_CODEC_UNAVAILABLE,
                    "the GStreamer element %s is not installed", info->muxer);
      return FALSE;
    }
  configure_for_stream (target->muxer);
  gst_bin_add (bin, target->muxer);
  if (!gst_element_link (target->muxer, target->sink))
    {
      vw_set_error (error, VIDWRITE_ERROR_ENCODE, "cannot link %s to %s",
                    GST_OBJECT_NAME (target->muxer), GST_OBJECT_NAME (target->sink));
      return FALSE;
    }
  return TRUE;
}

gboolean
vw_target_build (VwTarget *target, GstBin *bin, GstElement *muxer, GError **error)
{
  GstElement *sink;

  if (target->kind == TARGET_SINK)
    return build_sink (target, bin, muxer, error);
  /* Ours is a full reference either way: the options' muxer is one, a new one is sunk. */
  if (!muxer && (muxer = gst_element_factory_make (target->container->muxer, NULL)))
    gst_object_ref_sink (muxer);
  if (!muxer)
    {
      vw_set_error (error, VIDWRITE_ERROR_CODEC_UNAVAILABLE,
                    "the GStreamer element %s is not installed", target->container->muxer);
      return FALSE;
    }
  if (target->kind == TARGET_FILE)
    {
      sink = gst_element_factory_make ("fdsink", NULL);
      g_object_set (sink, "fd", target->fd, NULL);
    }
  else
    {
      sink = gst_element_factory_make ("giostreamsink", NULL);
      g_object_set (sink, "stream", target->stream, NULL);
      if (!vw_target_is_seekable (target))
        {
          GstPad *pad = gst_element_get_static_pad (sink, "sink");

          configure_for_stream (muxer);
          gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                             on_stream_data, target, NULL);
          gst_object_unref (pad);
        }
    }
  /* No preroll: with an asynchronous sink the bin would finish going to PLAYING on a thread of
   * GStreamer's shared pool, which a forked child has lost (see vidwrite-task-pool.c). */
  g_object_set (sink, "async", FALSE, NULL);
  gst_bin_add_many (bin, muxer, sink, NULL);
  gst_object_unref (muxer); /* the bin holds it now */
  if (!gst_element_link (muxer, sink))
    {
      vw_set_error (error, VIDWRITE_ERROR_ENCODE, "cannot link %s to %s", GST_OBJECT_NAME (muxer),
                    GST_OBJECT_NAME (sink));
      return FALSE;
    }
  target->muxer = muxer;
  return TRUE;
}

gboolean
vw_target_link (VwTarget *target, GstElement *tail, VwMedia media, GError **error)
{
  const VwTargetInfo *info
      = target->kind == TARGET_SINK ? vw_target_info (target->sink_kind) : NULL;

  /* A sink that muxes itself: each stream to its request pad by name. */
  if (info && !info->muxer)
    {
      const char *name = media == VW_MEDIA_VIDEO ? info->video_pad : info->audio_pad;
      g_autoptr (GstPad) src = gst_element_get_static_pad (tail, "src");
      g_autoptr (GstPad) sink = gst_element_request_pad_simple (target->sink, name);

      if (sink && gst_pad_link (src, sink) == GST_PAD_LINK_OK)
        return TRUE;
      vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE, "cannot link %s to %s's %s pad",
                    GST_OBJECT_NAME (tail), GST_OBJECT_NAME (target->sink), name);
      return FALSE;
    }
  if (gst_element_link (tail, target->muxer))
    return TRUE;
  vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE, "cannot link %s to %s", GST_OBJECT_NAME (tail),
                GST_OBJECT_NAME (target->muxer));
  return FALSE;
}

/* ---- the end ----------------------------------------------------------------------------- */

gboolean
vw_target_commit (VwTarget *target, GError **error)
{
  int saved;

  if (target->kind == TARGET_SINK)
    {
      g_clear_pointer (&target->before, g_hash_table_unref);
      return TRUE;
    }
  if (target->kind == TARGET_STREAM)
    {
      GError *local = NULL;

      if (g_output_stream_flush (target->stream, NULL, &local))
        return TRUE;
      vw_set_error (error, VIDWRITE_ERROR_IO, "flushing %s failed: %s", target->name,
                    local->message);
      g_error_free (local);
      return FALSE;
    }
  if (!name_file (target, error))
    return FALSE;
  if (g_rename (target->tmp_path, target->filename) != 0)
    {
      saved = errno;
      vw_set_error (error, VIDWRITE_ERROR_IO, "cannot rename %s to “%s”: %s", target->tmp_path,
                    target->filename, g_strerror (saved));
      return FALSE;
    }
  g_clear_pointer (&target->tmp_path, g_free);
  close (target->fd);
  target->fd = -1;
  return TRUE;
}

/* Whether `name` is one `format`'s file name part prints: "%%" is a '%', "%d" (with a width)
 * one or more digits, anything else itself. */
static gboolean
matches_format (const char *format, const char *name)
{
  const char *slash = format ? strrchr (format, '/') : NULL;
  const char *f = slash ? slash + 1 : format;

  if (!f)
    return FALSE;
  while (*f)
    {
      if (f[0] == '%' && f[1] == '%')
        {
          if (*name++ != '%')
            return FALSE;
          f += 2;
          continue;
        }
      if (f[0] == '%')
        {
          const char *start = name;

          for (f++; g_ascii_isdigit (*f); f++)
            ;
          if (*f++ != 'd')
            return FALSE;
          while (g_ascii_isdigit (*name))
            name++;
          if (name == start)
            return FALSE;
          continue;
        }
      if (*f++ != *name++)
        return FALSE;
    }
  return *name == '\0';
}

/* An abandoned HLS or segment write: the playlist and segments it made go (they were written
 * in place, under their final names).  Only names it could have made: other programs may write
 * in that directory meanwhile. */
static void
remove_made_files (VwTarget *target)
{
  g_autoptr (GHashTable) now = NULL;
  g_autofree char *segments = NULL;
  g_autofree char *playlist = NULL;
  GHashTableIter iter;
  gpointer name;

  if (!target->before)
    return;
  if (target->sink)
    g_object_get (target->sink, "location", &segments, NULL);
  if (target->sink_kind == VW_TARGET_HLS)
    playlist = g_path_get_basename (target->filename);
  now = list_dir (target->sink_dir);
  g_hash_table_iter_init (&iter, now);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (!g_hash_table_contains (target->before, name)
        && (g_strcmp0 (name, playlist) == 0 || matches_format (segments, name)))
      {
        g_autofree char *path = g_build_filename (target->sink_dir, name, NULL);

        g_unlink (path);
      }
  g_clear_pointer (&target->before, g_hash_table_unref);
}

void
vw_target_abort (VwTarget *target)
{
  remove_made_files (target);
  if (target->tmp_path)
    g_unlink (target->tmp_path);
  g_clear_pointer (&target->tmp_path, g_free);
  if (target->fd >= 0)
    close (target->fd);
  target->fd = -1;
}
