/* Faults while writing: the disk fills up mid-file, the encoder fails mid-stream, the process is
 * killed mid-write.  After each, the target is the old file (or absent), never a partial new one,
 * and the test says what was left behind. */
#include "vwt.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <gst/video/video.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define OLD "the old file, which must survive"
#define W 160
#define H 120
#define FAIL_AFTER 10

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = vwt_scratch_new ();
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  vwt_scratch_free (f->dir);
}

/* Frames of noise: they compress badly, so a few of them fill a small disk. */
static GBytes *
noise_frames (guint n)
{
  gsize size = (gsize)n * W * H * 3;
  guint8 *data = g_malloc (size);
  GRand *rand = g_rand_new_with_seed (7);

  for (gsize i = 0; i < size; i++)
    data[i] = g_rand_int (rand) & 0xff;
  g_rand_free (rand);
  return g_bytes_new_take (data, size);
}

/* A lossless, big file: about 55 KB a frame of noise. */
static GHashTable *
lossless (void)
{
  return vwt_options ("crf", "0", "preset", "ultrafast", NULL);
}

/* ---- the disk fills up ---------------------------------------------------------------------- */

static void
check_disk_full (const char *dir, VidwriteError code, const char *named)
{
  g_autofree char *target = vwt_path (dir, "full.mkv");
  g_autofree char *fresh = vwt_path (dir, "fresh.mkv");
  g_autoptr (GBytes) frames = noise_frames (60);
  g_autoptr (GHashTable) options = lossless ();
  g_autoptr (GError) error = NULL;

  vwt_write_file (target, OLD);
  g_assert_false (vidwrite_write_video (target, frames, 60, H, W, 3, 30, NULL, options, NULL, 0, 0,
                                        NULL, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, VIDWRITE_ERROR, (gint)code);
  g_assert_nonnull (strstr (error->message, named));
  g_assert_nonnull (strstr (error->message, "full.mkv"));
  vwt_assert_file_is (target, OLD);
  g_assert_cmpuint (vwt_count_tmp_files (dir), ==, 0);
  g_clear_error (&error);

  /* The streaming writer: the failure surfaces in a push or in finish, and sticks. */
  {
    g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (fresh, &error);
    gboolean ok = TRUE;

    g_assert_true (vidwrite_writer_set_video (writer, W, H, VIDWRITE_PIXEL_FORMAT_RGB, 30, 1, NULL,
                                              options, &error));
    for (guint i = 0; i < 10 && ok; i++)
      ok = vidwrite_writer_push_frames (writer, frames, &error);
    if (ok)
      ok = vidwrite_writer_finish (writer, NULL, &error);
    g_assert_false (ok);
    g_test_message ("writer: %s", error->message);
    g_assert_error (error, VIDWRITE_ERROR, (gint)code);
    g_clear_error (&error);
    g_assert_false (vidwrite_writer_push_frames (writer, frames, &error));
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
    g_assert_nonnull (strstr (error->message, "failed earlier"));
    g_assert_nonnull (strstr (error->message, named));
  }
  g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (vwt_count_tmp_files (dir), ==, 0);
}

/* A real file system that runs out of space: a 512 KiB tmpfs mounted for the test.  Mounting
 * needs CAP_SYS_ADMIN; without it the RLIMIT_FSIZE test below still fails writes mid-file. */
static void
test_disk_full_tmpfs (Fixture *f, gconstpointer data)
{
  g_autofree char *mnt = vwt_path (f->dir, "small-disk");

  g_assert_cmpint (g_mkdir (mnt, 0755), ==, 0);
  if (mount ("vidwrite-test", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=512k") != 0)
    {
      int saved = errno;
      g_autofree char *why = g_strdup_printf ("cannot mount a tmpfs here (%s): needs root with "
                                              "CAP_SYS_ADMIN; /faults/disk-full-fsize covers it",
                                              g_strerror (saved));
      g_test_skip (why);
      return;
    }
  check_disk_full (mnt, VIDWRITE_ERROR_IO, "No space left");
  g_assert_cmpint (umount2 (mnt, MNT_DETACH), ==, 0);
}

/* A file-size limit makes write() fail with EFBIG past 256 KiB, for any user. */
static void
test_disk_full_fsize (Fixture *f, gconstpointer data)
{
  struct rlimit saved, limited;
  void (*old_handler) (int);

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  limited = saved;
  limited.rlim_cur = 256 * 1024;
  old_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limited), ==, 0);
  check_disk_full (f->dir, VIDWRITE_ERROR_IO, "File too large");
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, old_handler);
}

/* ---- the encoder fails mid-stream ----------------------------------------------------------- */

/* x264enc, but it posts an error and stops after FAIL_AFTER frames: registered in this process
 * as "vwtfailingenc", which vidwrite takes as it takes any installed encoder factory name. */
static GstFlowReturn (*parent_handle_frame) (GstVideoEncoder *, GstVideoCodecFrame *);

static GstFlowReturn
failing_handle_frame (GstVideoEncoder *encoder, GstVideoCodecFrame *frame)
{
  guint seen = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (encoder), "vwt-seen"));

  g_object_set_data (G_OBJECT (encoder), "vwt-seen", GUINT_TO_POINTER (seen + 1));
  if (seen < FAIL_AFTER)
    return parent_handle_frame (encoder, frame);
  gst_video_codec_frame_unref (frame);
  GST_ELEMENT_ERROR (encoder, STREAM, ENCODE, ("injected failure after %d frames", FAIL_AFTER),
                     (NULL));
  return GST_FLOW_ERROR;
}

static void
failing_class_init (gpointer klass, gpointer data)
{
  GstVideoEncoderClass *venc = klass;

  parent_handle_frame = venc->handle_frame;
  venc->handle_frame = failing_handle_frame;
}

static void
register_failing_encoder (void)
{
  GstElementFactory *x264 = gst_element_factory_find ("x264enc");
  GstPluginFeature *loaded;
  GType parent, type;
  GTypeQuery query;
  GTypeInfo info = { 0 };

  g_assert_nonnull (x264);
  loaded = gst_plugin_feature_load (GST_PLUGIN_FEATURE (x264));
  parent = gst_element_factory_get_element_type (GST_ELEMENT_FACTORY (loaded));
  g_type_query (parent, &query);
  info.class_size = query.class_size;
  info.class_init = failing_class_init;
  info.instance_size = query.instance_size;
  type = g_type_register_static (parent, "VwtFailingEnc", &info, 0);
  g_assert_true (gst_element_register (NULL, "vwtfailingenc", GST_RANK_NONE, type));
  gst_object_unref (loaded);
  gst_object_unref (x264);
}

static void
test_encoder_fails (Fixture *f, gconstpointer data)
{
  g_autofree char *target = vwt_path (f->dir, "clip.mp4");
  g_autofree char *fresh = vwt_path (f->dir, "fresh.mkv");
  g_autoptr (GBytes) frames = vwt_make_frames (40, 64, 64, 3, 1);
  g_autoptr (GError) error = NULL;

  vwt_write_file (target, OLD);
  g_assert_false (vidwrite_write_video (target, frames, 40, 64, 64, 3, 25, "vwtfailingenc", NULL,
                                        NULL, 0, 0, NULL, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_ENCODE);
  g_assert_nonnull (strstr (error->message, "injected failure after 10 frames"));
  g_assert_nonnull (strstr (error->message, "clip.mp4"));
  vwt_assert_file_is (target, OLD);
  g_assert_cmpuint (vwt_count_tmp_files (f->dir), ==, 0);
  g_clear_error (&error);

  /* Streaming, one frame at a time: some push or the finish reports it, and nothing after. */
  {
    g_autoptr (VidwriteWriter) writer = vidwrite_writer_new (fresh, &error);
    const gsize frame = 64 * 64 * 3;
    gboolean ok = TRUE;
    guint pushed = 0;

    g_assert_true (vidwrite_writer_set_video (writer, 64, 64, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1,
                                              "vwtfailingenc", NULL, &error));
    while (ok && pushed < 40)
      {
        g_autoptr (GBytes) one = g_bytes_new_from_bytes (frames, pushed * frame, frame);
        ok = vidwrite_writer_push_frames (writer, one, &error);
        pushed += ok;
      }
    if (ok)
      ok = vidwrite_writer_finish (writer, NULL, &error);
    g_assert_false (ok);
    g_test_message ("writer, after %u frames pushed: %s", pushed, error->message);
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_ENCODE);
    g_assert_nonnull (strstr (error->message, "injected failure"));
    g_clear_error (&error);
    g_assert_false (vidwrite_writer_finish (writer, NULL, &error));
    g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_STATE);
    g_assert_nonnull (strstr (error->message, "injected failure"));
    g_clear_error (&error);
    g_assert_true (vidwrite_writer_cancel (writer, &error));
  }
  g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (vwt_count_tmp_files (f->dir), ==, 0);
}

/* ---- the process is killed mid-write -------------------------------------------------------- */

/* The child: writes `path` forever, one frame at a time; says "writing" once frames have left
 * the encoder, so the parent kills it with data in the temporary file. */
static int
child_writer (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VidwriteWriter) writer = NULL;
  g_autoptr (GBytes) frames = NULL;
  gboolean told = FALSE;

  gst_init (NULL, NULL);
  frames = vwt_make_frames (25, 64, 64, 3, 3);
  writer = vidwrite_writer_new (path, &error);
  if (!writer
      || !vidwrite_writer_set_video (writer, 64, 64, VIDWRITE_PIXEL_FORMAT_RGB, 25, 1, NULL, NULL,
                                     &error))
    {
      g_printerr ("child: %s\n", error->message);
      return 1;
    }
  for (;;)
    {
      if (!vidwrite_writer_push_frames (writer, frames, &error))
        {
          g_printerr ("child: %s\n", error->message);
          return 1;
        }
      if (!told && vidwrite_writer_get_frames_encoded (writer) > 0)
        {
          fputs ("writing\n", stdout);
          fflush (stdout);
          told = TRUE;
        }
    }
}

static const char *self_exe;

/* Starts a child writing `path`, waits until it is writing, SIGKILLs it.  Returns how many
 * temporary files it left. */
static guint
kill_mid_write (const char *dir, const char *path)
{
  const char *argv[] = { self_exe, "--child-writer", path, NULL };
  g_autoptr (GError) error = NULL;
  GPid pid;
  int out_fd, status;
  char line[16] = { 0 };
  gssize got;

  g_assert_true (g_spawn_async_with_pipes (NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &pid, NULL, &out_fd, NULL, &error));
  g_assert_no_error (error);
  got = read (out_fd, line, sizeof line - 1);
  g_assert_cmpint (got, >, 0);
  g_assert_cmpstr (line, ==, "writing\n");
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  close (out_fd);
  g_spawn_close_pid (pid);
  return vwt_count_tmp_files (dir);
}

static void
test_killed (Fixture *f, gconstpointer data)
{
  g_autofree char *old = vwt_path (f->dir, "old.mp4");
  g_autofree char *fresh = vwt_path (f->dir, "fresh.mp4");
  guint strays;

  vwt_write_file (old, OLD);
  strays = kill_mid_write (f->dir, old);
  vwt_assert_file_is (old, OLD);
  g_test_message ("killed over an old file: target unchanged, %u stray temporary file(s)", strays);

  strays = kill_mid_write (f->dir, fresh);
  g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
  g_test_message ("killed writing a new file: no target, %u stray temporary file(s) in all",
                  strays);
  /* SIGKILL runs no cleanup, but the file being written had no name (O_TMPFILE): nothing is
   * left but the old file. */
  g_assert_cmpuint (strays, ==, 0);
  {
    g_autoptr (GDir) d = g_dir_open (f->dir, 0, NULL);
    const char *name;
    guint entries = 0;

    while ((name = g_dir_read_name (d)))
      {
        g_test_message ("left in the directory: %s", name);
        entries++;
      }
    g_assert_cmpuint (entries, ==, 1);
  }
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--child-writer") == 0)
    return child_writer (argv[2]);
  self_exe = argv[0];
  vwt_init (&argc, &argv);
  register_failing_encoder ();
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/faults/disk-full-tmpfs", test_disk_full_tmpfs);
  ADD ("/faults/disk-full-fsize", test_disk_full_fsize);
  ADD ("/faults/encoder-fails", test_encoder_fails);
  ADD ("/faults/killed", test_killed);
  return g_test_run ();
}
