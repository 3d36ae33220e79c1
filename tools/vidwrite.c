/* vidwrite: frames from files and pipes to a video file, with a progress line.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One thread reads the inputs and pushes to a VidwriteWriter, audio and video in timestamp
 * order so that neither runs ahead and the writer holds only a few chunks.  A second thread
 * does nothing but wait for SIGINT, SIGTERM and SIGHUP (blocked everywhere else): pushes and
 * vidwrite_writer_finish() can each wait on the encoder, and vidwrite_writer_cancel() from
 * another thread is what interrupts any of those waits, whichever is running.
 */
#include "vidwrite-tool.h"

#include <gio/gunixoutputstream.h>

#include <errno.h>
#include <glib/gprintf.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define CHUNK_BYTES (4 << 20)    /* video read and pushed at a time, at most ... */
#define CHUNK_FRAMES 8           /* ... and at most this many frames */
#define AUDIO_CHUNK_SAMPLES 4096 /* audio samples (of each channel) pushed at a time */
#define PROGRESS_TTY_INTERVAL (G_USEC_PER_SEC / 10)
#define PROGRESS_LOG_INTERVAL G_USEC_PER_SEC
#define DEMO_WIDTH 640
#define DEMO_HEIGHT 360
#define DEMO_FRAMES 120 /* four seconds at 30000/1001 */
#define DEMO_AUDIO_RATE 48000

/* What one write needs: the command line's options, or one line of a --jobs file's. */
typedef struct
{
  char *input, *size, *pix_fmt, *fps, *codec, *audio, *audio_codec, *format, *timestamps;
  char *out_rate, *out_channels; /* --ar, --ac */
  char **options, **audio_options;
  int audio_rate, audio_channels;
  gboolean demo;
  char **outputs;
  char *origin; /* "FILE:LINE" for a job of --jobs, else NULL */
} Job;

static Job opt;
static char *opt_jobs;
static int opt_workers;
static gboolean opt_list_codecs, opt_quiet, opt_progress, opt_version;

/* The options of one write: the command line's, and those a --jobs line may give. */
static const GOptionEntry write_entries[] = {
  { "input", 'i', 0, G_OPTION_ARG_FILENAME, &opt.input,
    "Frames: raw (needs --size), .npy (uint8 or uint16 T×H×W×C), .y4m; \"-\" reads stdin",
    "FILE" },
  { "size", 's', 0, G_OPTION_ARG_STRING, &opt.size, "Frame size of raw input", "WxH" },
  { "pix-fmt", 'p', 0, G_OPTION_ARG_STRING, &opt.pix_fmt,
    "Raw input layout: rgb24 (default), bgr24, rgba, bgra, gray, yuv420p, nv12, yuv444p, "
    "rgb48le, gray16le", "FMT" },
  { "fps", 'r', 0, G_OPTION_ARG_STRING, &opt.fps,
    "30, 29.97, 30000/1001 (default 30; .y4m brings its own)", "RATE" },
  { "timestamps", 0, 0, G_OPTION_ARG_FILENAME, &opt.timestamps,
    "Each frame's time, as mkvmerge's timestamp format v2 (milliseconds a line): variable "
    "frame rate, --fps becomes the nominal rate",
    "FILE" },
  { "codec", 'c', 0, G_OPTION_ARG_STRING, &opt.codec,
    "Video codec, FFmpeg name or GStreamer element (default: the container's)", "NAME" },
  { "option", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &opt.options,
    "A video option, repeatable (crf=18, preset=slow, ...)", "KEY=VALUE" },
  { "audio", 'a', 0, G_OPTION_ARG_FILENAME, &opt.audio,
    ".wav (any rate, channels, 16/24/32-bit or float), or raw float32 planar", "FILE" },
  { "audio-rate", 0, 0, G_OPTION_ARG_INT, &opt.audio_rate, "Sample rate of raw audio", "HZ" },
  { "audio-channels", 0, 0, G_OPTION_ARG_INT, &opt.audio_channels, "Channels of raw audio", "N" },
  { "audio-codec", 0, 0, G_OPTION_ARG_STRING, &opt.audio_codec,
    "Audio codec (default: the container's)", "NAME" },
  { "audio-option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt.audio_options,
    "An audio option, repeatable (b=128k, ...)", "KEY=VALUE" },
  { "ar", 0, 0, G_OPTION_ARG_STRING, &opt.out_rate,
    "Resample the audio to this rate, as FFmpeg's -ar (also spelt -ar)", "HZ" },
  { "ac", 0, 0, G_OPTION_ARG_STRING, &opt.out_channels,
    "Remix the audio to this many channels, as FFmpeg's -ac (also spelt -ac)", "N" },
  { "demo", 0, 0, G_OPTION_ARG_NONE, &opt.demo, "Write a built-in clip with sound; no input needed",
    NULL },
  { "format", 'f', 0, G_OPTION_ARG_STRING, &opt.format,
    "Container by FFmpeg's name (mp4, matroska, webm, mpegts...): overrides the extension; "
    "needed for OUTPUT -",
    "NAME" },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt.outputs, NULL, "OUTPUT" },
  { NULL },
};

/* The command's own options. */
static const GOptionEntry command_entries[] = {
  { "jobs", 0, 0, G_OPTION_ARG_FILENAME, &opt_jobs,
    "Many writes, one a line: each line holds the options and OUTPUT of one write, quoted as in "
    "a shell; options given on the command line apply to every line (-o and --audio-option add "
    "to the line's); blank lines and lines starting with # are skipped; \"-\" reads stdin",
    "FILE" },
  { "workers", 'j', 0, G_OPTION_ARG_INT, &opt_workers,
    "With --jobs: writes at the same time (default: one a core)", "N" },
  { "list-codecs", 0, 0, G_OPTION_ARG_NONE, &opt_list_codecs,
    "Every codec name, the containers that take it here or why not, and the containers", NULL },
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "No progress output", NULL },
  { "progress", 0, 0, G_OPTION_ARG_NONE, &opt_progress,
    "Progress lines even when stderr is not a terminal (one a second)", NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL },
  { NULL },
};

/* The containers, "%s", come from the library's table (vidwrite_list_containers()). */
static const char description_format[]
    = "Writes the frames (and the sound of --audio) to OUTPUT, whose extension picks the\n"
      "container:%s (or --format). Without --input, the sound alone (.mp3, .flac, .wav,\n"
      ".ogg, .opus, .m4a...). OUTPUT may also be - (standard output, with --format),\n"
      "NAME.m3u8 (HLS), a numbered pattern such as clip_%%03d.mp4 (segments), rtmp://HOST/APP/KEY\n"
      "or srt://HOST:PORT. Without --codec each container gets its usual codec, as with FFmpeg\n"
      "(libvpx-vp9 in .webm). The kind of input is told by its first bytes: YUV4MPEG2 and NumPy\n"
      "files say their size; anything else is raw frames.\n"
      "\n"
      "Examples:\n"
      "  vidwrite -i frames.rgb -s 640x480 -r 29.97 out.mp4          raw rgb24 file\n"
      "  ffmpeg -i in.mkv -f rawvideo -pix_fmt gray - | \\\n"
      "    vidwrite -i - -s 1280x720 -p gray -r 30000/1001 out.mkv  raw frames on stdin\n"
      "  vidwrite -i clip.npy -p bgr24 -c libx264 -o crf=18 -o preset=slow out.mp4\n"
      "                                                               uint8 T×H×W×3 array, BGR\n"
      "  vidwrite -i clip.y4m -a voice.wav out.mp4                    YUV4MPEG2 (its own rate)\n"
      "  ffmpeg -i in.mkv -f yuv4mpegpipe - | vidwrite -i - out.mp4   YUV4MPEG2 on stdin\n"
      "  vidwrite -i clip.npy -a tone.f32 --audio-rate 44100 --audio-channels 2 \\\n"
      "    --audio-codec libopus --audio-option b=96000 out.mkv       raw float32 planar audio\n"
      "  vidwrite -a voice.wav out.mp3                                sound alone\n"
      "  vidwrite -a voice.wav -ar 16000 -ac 1 out.flac               resampled, downmixed\n"
      "  vidwrite --demo demo.mp4                                     a built-in clip with sound\n"
      "  vidwrite -i screen.npy --timestamps times.txt out.mkv        each frame at its own time\n"
      "  vidwrite -i clip.npy -f matroska - | ffplay -                to a pipe\n"
      "  vidwrite -i clip.npy -o hls_time=4 live/index.m3u8           HLS playlist and segments\n"
      "  vidwrite --list-codecs\n"
      "\n"
      "On a terminal, stderr shows frames done / total, percent, fps, elapsed time and ETA.\n"
      "Ctrl-C cancels: nothing is written (a file already at OUTPUT is left as it was), exit 130.\n"
      "Exit status: 0 written, 1 failed (one line on stderr says why), 2 bad command line,\n"
      "128+N killed by signal N (SIGINT, SIGTERM, SIGHUP).";

/* ---- signals ----------------------------------------------------------------------------- */

static struct
{
  GMutex lock;
  GPtrArray *writers; /* the writes to cancel: the one running, or each job's */
  gboolean caught;    /* a signal came: the signal thread ends the process */
  gboolean progress_line_open;
  sigset_t set;
} interrupt;

/* The first signal cancels the writes (which removes their temporary files) and exits; a
 * single write that has already finished is let be.  Before there is a writer there is
 * nothing to undo.  A job that starts meanwhile is cancelled by watch_writer(). */
static gpointer
watch_signals (gpointer data)
{
  for (;;)
    {
      g_autoptr (GPtrArray) writers = NULL;
      gboolean cancelled = FALSE;
      int sig;

      if (sigwait (&interrupt.set, &sig) != 0)
        continue;
      g_mutex_lock (&interrupt.lock);
      writers
          = g_ptr_array_copy (interrupt.writers, (GCopyFunc)(void (*) (void))g_object_ref, NULL);
      g_ptr_array_set_free_func (writers, g_object_unref);
      interrupt.caught = TRUE;
      g_mutex_unlock (&interrupt.lock);
      for (guint i = 0; i < writers->len; i++)
        cancelled |= vidwrite_writer_cancel (writers->pdata[i], NULL);
      if (writers->len > 0 && !cancelled && !opt_jobs)
        {
          /* The file is complete: the main thread exits with 0. */
          g_mutex_lock (&interrupt.lock);
          interrupt.caught = FALSE;
          g_mutex_unlock (&interrupt.lock);
          continue;
        }
      /* Under the lock, so that no progress line is half-written when the message comes. */
      g_mutex_lock (&interrupt.lock);
      if (interrupt.progress_line_open)
        fputc ('\n', stderr);
      fprintf (stderr, "vidwrite: interrupted (%s); %s\n", g_strsignal (sig),
               opt_jobs           ? "the unfinished jobs were not written"
               : writers->len > 0 ? "nothing was written"
                                  : "stopped");
      _exit (128 + sig);
    }
  return NULL;
}

static void
start_signal_thread (void)
{
  interrupt.writers = g_ptr_array_new_with_free_func (g_object_unref);
  sigemptyset (&interrupt.set);
  sigaddset (&interrupt.set, SIGINT);
  sigaddset (&interrupt.set, SIGTERM);
  sigaddset (&interrupt.set, SIGHUP);
  /* Before any other thread exists, so that every thread inherits the mask. */
  pthread_sigmask (SIG_BLOCK, &interrupt.set, NULL);
  g_thread_unref (g_thread_new ("signals", watch_signals, NULL));
}

/* A failure caused by the signal thread's cancel: leave the exit to that thread, which exits
 * only once the temporary files are gone. */
static void
wait_if_interrupted (void)
{
  gboolean caught;

  g_mutex_lock (&interrupt.lock);
  caught = interrupt.caught;
  g_mutex_unlock (&interrupt.lock);
  while (caught)
    pause ();
}

static void
watch_writer (VidwriteWriter *writer)
{
  gboolean caught;

  g_mutex_lock (&interrupt.lock);
  g_ptr_array_add (interrupt.writers, g_object_ref (writer));
  caught = interrupt.caught;
  g_mutex_unlock (&interrupt.lock);
  if (caught)
    vidwrite_writer_cancel (writer, NULL);
}

static void
unwatch_writer (VidwriteWriter *writer)
{
  g_mutex_lock (&interrupt.lock);
  g_ptr_array_remove_fast (interrupt.writers, writer);
  g_mutex_unlock (&interrupt.lock);
}

/* ---- progress ---------------------------------------------------------------------------- */

typedef struct
{
  gboolean tty;
  guint64 total; /* 0 when unknown */
  gint64 start, last;
} Progress;

static void
format_duration (char *out, gsize size, double seconds)
{
  guint64 s = (guint64)(seconds + 0.5);

  if (s >= 3600)
    g_snprintf (out, size, "%" G_GUINT64_FORMAT ":%02u:%02u", s / 3600, (guint)(s / 60 % 60),
                (guint)(s % 60));
  else
    g_snprintf (out, size, "%u:%02u", (guint)(s / 60), (guint)(s % 60));
}

/* Called from whichever thread pushes (video and audio are fed from two), and raced by the
 * signal thread: the state and the line are written under interrupt.lock. */
static void
progress_show (Progress *p, guint64 done, gboolean last)
{
  G_GNUC_UNUSED g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&interrupt.lock);
  gint64 now = g_get_monotonic_time ();
  double elapsed = (now - p->start) / (double)G_USEC_PER_SEC;
  double fps = elapsed > 0 ? done / elapsed : 0;
  char elapsed_text[32], eta_text[32];
  GString *line;

  if (!last && now - p->last < (p->tty ? PROGRESS_TTY_INTERVAL : PROGRESS_LOG_INTERVAL))
    return;
  p->last = now;
  format_duration (elapsed_text, sizeof elapsed_text, elapsed);
  line = g_string_new (p->tty ? "\r" : "");
  g_string_append_printf (line, "frame %" G_GUINT64_FORMAT, done);
  if (p->total)
    g_string_append_printf (line, "/%" G_GUINT64_FORMAT " %3.0f%%", p->total,
                            100.0 * MIN (done, p->total) / p->total);
  g_string_append_printf (line, "  %.1f fps  elapsed %s", fps, elapsed_text);
  if (p->total && fps > 0 && !last)
    {
      format_duration (eta_text, sizeof eta_text, (p->total - MIN (done, p->total)) / fps);
      g_string_append_printf (line, "  ETA %s", eta_text);
    }
  g_string_append (line, p->tty ? (last ? "\033[K\n" : "\033[K") : "\n");
  fputs (line->str, stderr);
  fflush (stderr);
  interrupt.progress_line_open = p->tty && !last;
  g_string_free (line, TRUE);
}

static void
on_progress (VidwriteWriter *writer, guint64 encoded, guint64 pushed, Progress *p)
{
  progress_show (p, encoded, FALSE);
}

/* ---- the command line -------------------------------------------------------------------- */

static gboolean
parse_options (char **pairs, const char *flag, GHashTable **out, GError **error)
{
  *out = NULL;
  if (!pairs)
    return TRUE;
  *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; pairs[i]; i++)
    {
      const char *eq = strchr (pairs[i], '=');

      if (!eq || eq == pairs[i])
        {
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_OPTION,
                       "%s “%s” is not KEY=VALUE (such as crf=18)", flag, pairs[i]);
          g_clear_pointer (out, g_hash_table_unref);
          return FALSE;
        }
      g_hash_table_insert (*out, g_strndup (pairs[i], eq - pairs[i]), g_strdup (eq + 1));
    }
  return TRUE;
}

/* --ar and --ac: FFmpeg's output rate and channel count, audio options of the library, which
 * checks them. */
static void
add_output_options (const Job *job, GHashTable **audio_options)
{
  const struct
  {
    const char *key, *value;
  } given[] = { { "ar", job->out_rate }, { "ac", job->out_channels } };

  for (guint i = 0; i < G_N_ELEMENTS (given); i++)
    {
      if (!given[i].value)
        continue;
      if (!*audio_options)
        *audio_options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (*audio_options, g_strdup (given[i].key), g_strdup (given[i].value));
    }
}

/* FFmpeg's spellings -ar and -ac, which GOption would read as -a r and -a c (an audio file
 * named "r"): they become --ar and --ac before parsing. */
static void
long_ffmpeg_options (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_equal (argv[i], "-ar"))
        argv[i] = (char *)"--ar";
      else if (g_str_equal (argv[i], "-ac"))
        argv[i] = (char *)"--ac";
    }
}

/* "30", "29.97" (the exact fraction it stands for) or "30000/1001". */
static gboolean
parse_rate (const char *text, gint *n, gint *d, GError **error)
{
  const char *slash = strchr (text, '/');
  char *end;

  if (slash)
    {
      guint64 num, den;

      if (!g_ascii_isdigit (text[0]) || !g_ascii_isdigit (slash[1]))
        goto bad;
      num = g_ascii_strtoull (text, &end, 10);
      if (end != slash)
        goto bad;
      den = g_ascii_strtoull (slash + 1, &end, 10);
      if (*end || num == 0 || den == 0 || num > G_MAXINT || den > G_MAXINT)
        goto bad;
      *n = num;
      *d = den;
      return TRUE;
    }
  else
    {
      double rate = g_ascii_strtod (text, &end);

      if (end == text || *end)
        goto bad;
      return vidwrite_rate_to_fraction (rate, n, d, error);
    }

bad:
  g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
               "--fps “%s” is not a frame rate (such as 30, 29.97 or 30000/1001)", text);
  return FALSE;
}

static gboolean
parse_size (const char *text, guint *width, guint *height, GError **error)
{
  char *end;
  guint64 w, h;

  if (!g_ascii_isdigit (text[0]))
    goto bad;
  w = g_ascii_strtoull (text, &end, 10);
  if (*end != 'x' || !g_ascii_isdigit (end[1]))
    goto bad;
  h = g_ascii_strtoull (end + 1, &end, 10);
  if (*end || w == 0 || h == 0 || w > G_MAXINT || h > G_MAXINT)
    goto bad;
  *width = w;
  *height = h;
  return TRUE;

bad:
  g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
               "--size “%s” is not WIDTHxHEIGHT (such as 640x480)", text);
  return FALSE;
}

/* mkvmerge's timestamp format v2: a first line "# timestamp format v2" (or "timecode"), then
 * one time in milliseconds a line, maybe with decimals; other lines starting with # and blank
 * lines are comments.  Times must strictly increase: the file's line names a bad one. */
static GArray *
read_timestamps (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (guint64));
  gboolean header = FALSE;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]), *end;
      double ms;
      guint64 ns;

      if (!header)
        {
          if (!*line)
            continue;
          if (g_ascii_strcasecmp (line, "# timestamp format v2") != 0
              && g_ascii_strcasecmp (line, "# timecode format v2") != 0)
            {
              g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                           "%s:%u: “%s” is not “# timestamp format v2”: --timestamps takes "
                           "mkvmerge's timestamp format v2",
                           path, i + 1, line);
              return NULL;
            }
          header = TRUE;
          continue;
        }
      if (!*line || *line == '#')
        continue;
      ms = g_ascii_strtod (line, &end);
      if (end == line || *end || !isfinite (ms) || ms < 0 || ms > 1e12)
        {
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                       "%s:%u: “%s” is not a time in milliseconds (0 or more)", path, i + 1, line);
          return NULL;
        }
      ns = (guint64)llround (ms * 1e6);
      if (times->len > 0 && ns <= g_array_index (times, guint64, times->len - 1))
        {
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                       "%s:%u: %s ms is not after the time before it: times must strictly "
                       "increase",
                       path, i + 1, line);
          return NULL;
        }
      g_array_append_val (times, ns);
    }
  if (times->len == 0)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT, "%s has no %s", path,
                   header ? "times" : "“# timestamp format v2” line");
      return NULL;
    }
  return g_steal_pointer (&times);
}

/* Checks what only makes sense together; opens the inputs. */
static gboolean
open_inputs (const Job *job, VwtFrameSource **frames, VwtSoundSource **sound, GError **error)
{
  VwtFrameRequest request = { 0 };

  if (job->demo)
    {
      if (job->input || job->audio || job->size || job->pix_fmt)
        {
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                       "--demo makes its own frames and sound: leave out --input, --audio, "
                       "--size and --pix-fmt");
          return FALSE;
        }
      *frames = vwt_frame_source_new_demo (DEMO_WIDTH, DEMO_HEIGHT, DEMO_FRAMES);
      *sound
          = vwt_sound_source_new_demo (DEMO_AUDIO_RATE, (guint64)DEMO_FRAMES * DEMO_AUDIO_RATE
                                                            * (*frames)->fps_d / (*frames)->fps_n);
      return TRUE;
    }
  if (!job->input && job->audio)
    {
      /* Sound alone: nothing may describe frames. */
      if (job->size || job->pix_fmt || job->fps || job->timestamps || job->codec || job->options)
        {
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                       "video options were given, but no --input: without frames, leave out "
                       "--size, --pix-fmt, --fps, --timestamps, --codec and --option");
          return FALSE;
        }
      *frames = NULL;
      *sound = vwt_sound_source_open (job->audio, job->audio_rate, job->audio_channels, error);
      return *sound != NULL;
    }
  if (!job->input)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "no input: give the frames with --input FILE (or - for stdin), the sound "
                   "alone with --audio FILE, or use --demo");
      return FALSE;
    }
  if (job->audio && g_str_equal (job->input, "-") && g_str_equal (job->audio, "-"))
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "--input and --audio cannot both read stdin");
      return FALSE;
    }
  if (job->audio_rate < 0 || job->audio_channels < 0)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "--audio-rate %d and --audio-channels %d cannot be negative", job->audio_rate,
                   job->audio_channels);
      return FALSE;
    }
  if (job->size && !parse_size (job->size, &request.width, &request.height, error))
    return FALSE;
  request.pix_fmt = job->pix_fmt;
  *frames = vwt_frame_source_open (job->input, &request, error);
  if (!*frames)
    return FALSE;
  if (job->audio)
    {
      *sound = vwt_sound_source_open (job->audio, job->audio_rate, job->audio_channels, error);
      if (!*sound)
        return FALSE;
    }
  else if (job->audio_rate || job->audio_channels || job->audio_codec || job->audio_options
           || job->out_rate || job->out_channels)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "audio options were given, but no --audio file");
      return FALSE;
    }
  return TRUE;
}

/* ---- writing ----------------------------------------------------------------------------- */

/* Where frame `i` starts, in seconds: at i / rate, or at its time from --timestamps (the frame
 * after the last, one nominal frame after it). */
static double
frame_time (GArray *times, guint64 i, gint fps_n, gint fps_d)
{
  if (!times)
    return (double)i * fps_d / fps_n;
  if (i < times->len)
    return g_array_index (times, guint64, i) / 1e9;
  return g_array_index (times, guint64, times->len - 1) / 1e9 + (double)fps_d / fps_n;
}

static gboolean
push_frames (const Job *job, VidwriteWriter *writer, GBytes *chunk, guint n, GArray *times,
             guint64 first, GError **error)
{
  if (!times)
    return vidwrite_writer_push_frames (writer, chunk, error);
  if (first + n > times->len)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s has %u times, but the input has more frames", job->timestamps, times->len);
      return FALSE;
    }
  return vidwrite_writer_push_frames_at (writer, chunk, &g_array_index (times, guint64, first), n,
                                         error);
}

/* Pushes video and audio chunks in the order of their start times, then finishes. */
static gboolean
encode (const Job *job, VidwriteWriter *writer, VwtFrameSource *frames, VwtSoundSource *sound,
        gint fps_n, gint fps_d, GArray *times, GError **error)
{
  gsize frame_bytes
      = frames ? vidwrite_pixel_format_frame_size (frames->format, frames->width, frames->height)
               : 1;
  guint chunk_frames = CLAMP (CHUNK_BYTES / frame_bytes, 1, CHUNK_FRAMES);
  guint64 frames_done = 0, samples_done = 0;
  gboolean video_left = frames != NULL, audio_left = sound != NULL;

  while (video_left || audio_left)
    {
      double video_time = frame_time (times, frames_done, fps_n, fps_d);
      double audio_time = audio_left ? (double)samples_done / sound->rate : 0;
      GError *local = NULL;
      g_autoptr (GBytes) chunk = NULL;
      gboolean ok;

      if (audio_left && (!video_left || audio_time <= video_time))
        {
          chunk = sound->read (sound, AUDIO_CHUNK_SAMPLES, &local);
          if (!chunk)
            {
              audio_left = FALSE;
              if (!local)
                continue;
              g_propagate_error (error, local);
              return FALSE;
            }
          ok = vidwrite_writer_push_audio (writer, chunk, error);
          samples_done += g_bytes_get_size (chunk) / sound->channels
                          / (sound->format == VIDWRITE_SAMPLE_FORMAT_F32 ? 4 : 2);
        }
      else
        {
          chunk = frames->read (frames, chunk_frames, &local);
          if (!chunk)
            {
              video_left = FALSE;
              if (!local)
                continue;
              g_propagate_error (error, local);
              return FALSE;
            }
          ok = push_frames (job, writer, chunk, g_bytes_get_size (chunk) / frame_bytes, times,
                            frames_done, error);
          frames_done += g_bytes_get_size (chunk) / frame_bytes;
        }
      if (!ok)
        return FALSE;
    }
  if (times && frames_done < times->len)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s has %u times for %" G_GUINT64_FORMAT " frames", job->timestamps, times->len,
                   frames_done);
      return FALSE;
    }
  return vidwrite_writer_finish (writer, NULL, error);
}

static gboolean
write_video (const Job *job, GError **error)
{
  const char *output = job->outputs[0];
  g_autoptr (VwtFrameSource) frames = NULL;
  g_autoptr (VwtSoundSource) sound = NULL;
  g_autoptr (GHashTable) options = NULL, audio_options = NULL;
  g_autoptr (VidwriteWriter) writer = NULL;
  g_autoptr (GArray) times = NULL;
  Progress progress = { 0 };
  gint fps_n = 30, fps_d = 1;
  gboolean ok;

  if (!parse_options (job->options, "--option", &options, error)
      || !parse_options (job->audio_options, "--audio-option", &audio_options, error)
      || (job->fps && !parse_rate (job->fps, &fps_n, &fps_d, error))
      || (job->timestamps && !(times = read_timestamps (job->timestamps, error)))
      || !open_inputs (job, &frames, &sound, error))
    return FALSE;
  /* Full-range YUV goes through as it is, so the stream must say so (unless told otherwise). */
  if (frames && frames->color_range)
    {
      if (!options)
        options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      if (!g_hash_table_contains (options, "color_range"))
        g_hash_table_insert (options, g_strdup ("color_range"), g_strdup (frames->color_range));
    }
  add_output_options (job, &audio_options);
  if (!job->fps && frames && frames->fps_n)
    {
      fps_n = frames->fps_n;
      fps_d = frames->fps_d;
    }

  if (g_str_equal (output, "-"))
    {
      /* Standard output: a pipe cannot seek, so MP4 goes out in fragments. */
      g_autoptr (GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

      if (!job->format)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       "writing to standard output (-) needs --format (-f mp4, matroska, ...)");
          return FALSE;
        }
      writer = vidwrite_writer_new_for_stream (out, job->format, error);
    }
  else
    writer = vidwrite_writer_new_with_format (output, job->format, error);
  if (!writer)
    return FALSE;
  watch_writer (writer);
  if ((frames
       && !vidwrite_writer_set_video (writer, frames->width, frames->height, frames->format, fps_n,
                                      fps_d, job->codec, options, error))
      || (sound
          && !vidwrite_writer_set_audio (writer, sound->channels, sound->rate, sound->format,
                                         sound->layout, job->audio_codec, audio_options, error)))
    {
      vidwrite_writer_cancel (writer, NULL);
      if (job->origin)
        unwatch_writer (writer);
      return FALSE;
    }

  progress.tty = isatty (STDERR_FILENO);
  if (!opt_quiet && frames && (progress.tty || opt_progress) && !job->origin)
    {
      progress.total = frames->n_frames;
      progress.start = g_get_monotonic_time ();
      g_signal_connect (writer, "progress", G_CALLBACK (on_progress), &progress);
    }
  ok = encode (job, writer, frames, sound, fps_n, fps_d, times, error);
  if (job->origin)
    unwatch_writer (writer);
  if (!ok)
    {
      vidwrite_writer_cancel (writer, NULL);
      g_mutex_lock (&interrupt.lock);
      if (interrupt.progress_line_open)
        fputc ('\n', stderr);
      interrupt.progress_line_open = FALSE;
      g_mutex_unlock (&interrupt.lock);
      return FALSE;
    }
  if (progress.start)
    progress_show (&progress, vidwrite_writer_get_frames_encoded (writer), TRUE);
  return TRUE;
}

/* ---- many writes: --jobs ----------------------------------------------------------------- */

#define JOB_FIELD(job, offset, type) (*(type *)((char *)(job) + (offset)))

/* What a job takes from the command line when its line leaves it out. */
static const gsize job_strings[]
    = { G_STRUCT_OFFSET (Job, input),       G_STRUCT_OFFSET (Job, size),
        G_STRUCT_OFFSET (Job, pix_fmt),     G_STRUCT_OFFSET (Job, fps),
        G_STRUCT_OFFSET (Job, codec),       G_STRUCT_OFFSET (Job, audio),
        G_STRUCT_OFFSET (Job, audio_codec), G_STRUCT_OFFSET (Job, format),
        G_STRUCT_OFFSET (Job, timestamps),  G_STRUCT_OFFSET (Job, out_rate),
        G_STRUCT_OFFSET (Job, out_channels) };
static const gsize job_ints[]
    = { G_STRUCT_OFFSET (Job, audio_rate), G_STRUCT_OFFSET (Job, audio_channels),
        G_STRUCT_OFFSET (Job, demo) };
/* ... and what it adds to the command line's, which come first (a line's KEY wins). */
static const gsize job_arrays[]
    = { G_STRUCT_OFFSET (Job, options), G_STRUCT_OFFSET (Job, audio_options) };

static void
job_free (Job *job)
{
  for (guint i = 0; i < G_N_ELEMENTS (job_strings); i++)
    g_free (JOB_FIELD (job, job_strings[i], char *));
  for (guint i = 0; i < G_N_ELEMENTS (job_arrays); i++)
    g_strfreev (JOB_FIELD (job, job_arrays[i], char **));
  g_strfreev (job->outputs);
  g_free (job->origin);
  g_free (job);
}

static char **
strv_concat (char **first, char **second)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **joined;

  if (first)
    g_strv_builder_addv (builder, (const char **)first);
  if (second)
    g_strv_builder_addv (builder, (const char **)second);
  joined = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  if (!joined[0])
    g_clear_pointer (&joined, g_strfreev);
  return joined;
}

/* One line of a --jobs file: the write options (write_entries, aimed at a Job of its own)
 * and one OUTPUT, quoted as in a shell; the command line's options fill in the rest. */
static Job *
parse_job (const char *line, const char *origin, GError **error)
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  GOptionEntry entries[G_N_ELEMENTS (write_entries)];
  g_auto (GStrv) words = NULL;
  g_autofree char **argv = NULL;
  char **args;
  Job *job = g_new0 (Job, 1);
  int argc;

  job->origin = g_strdup (origin);
  if (!g_shell_parse_argv (line, &argc, &words, error))
    goto fail;
  argv = g_new0 (char *, argc + 2);
  argv[0] = (char *)"vidwrite";
  memcpy (argv + 1, words, argc * sizeof (char *));
  argc++;
  long_ffmpeg_options (argc, argv);
  args = argv;
  for (guint i = 0; i < G_N_ELEMENTS (write_entries); i++)
    {
      entries[i] = write_entries[i];
      if (entries[i].arg_data)
        entries[i].arg_data = (char *)job + ((char *)write_entries[i].arg_data - (char *)&opt);
    }
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &args, error))
    goto fail;
  if (!job->outputs || !job->outputs[0] || job->outputs[1])
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "a job names exactly one OUTPUT; got %u",
                   job->outputs ? g_strv_length (job->outputs) : 0);
      goto fail;
    }
  for (guint i = 0; i < G_N_ELEMENTS (job_strings); i++)
    if (!JOB_FIELD (job, job_strings[i], char *))
      JOB_FIELD (job, job_strings[i], char *) = g_strdup (JOB_FIELD (&opt, job_strings[i], char *));
  for (guint i = 0; i < G_N_ELEMENTS (job_ints); i++)
    if (!JOB_FIELD (job, job_ints[i], int))
      JOB_FIELD (job, job_ints[i], int) = JOB_FIELD (&opt, job_ints[i], int);
  for (guint i = 0; i < G_N_ELEMENTS (job_arrays); i++)
    {
      char **own = JOB_FIELD (job, job_arrays[i], char **);

      JOB_FIELD (job, job_arrays[i], char **)
          = strv_concat (JOB_FIELD (&opt, job_arrays[i], char **), own);
      g_strfreev (own);
    }
  /* The jobs share standard input and output: none may take them. */
  if (g_str_equal (job->outputs[0], "-") || g_strcmp0 (job->input, "-") == 0
      || g_strcmp0 (job->audio, "-") == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "a job cannot read standard input or write standard output (“-”)");
      goto fail;
    }
  return job;

fail:
  job_free (job);
  return NULL;
}

/* Every job of the file (or of standard input, "-"); NULL and an error naming the line when
 * one does not parse: then nothing is written. */
static GPtrArray *
read_jobs (const char *path, GError **error)
{
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func ((GDestroyNotify)job_free);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  if (g_str_equal (path, "-"))
    {
      g_autoptr (GIOChannel) in = g_io_channel_unix_new (STDIN_FILENO);

      if (g_io_channel_set_encoding (in, NULL, error) != G_IO_STATUS_NORMAL
          || g_io_channel_read_to_end (in, &text, NULL, error) != G_IO_STATUS_NORMAL)
        return NULL;
    }
  else if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autofree char *origin = g_strdup_printf ("%s:%u", path, i + 1);
      GError *local = NULL;
      char *line = g_strstrip (lines[i]);
      Job *job;

      if (!*line || *line == '#')
        continue;
      job = parse_job (line, origin, &local);
      if (!job)
        {
          g_set_error (error, local->domain, local->code, "%s: %s", origin, local->message);
          g_error_free (local);
          return NULL;
        }
      g_ptr_array_add (jobs, job);
    }
  return g_steal_pointer (&jobs);
}

typedef struct
{
  GPtrArray *jobs;
  gint next;
  gint failed;
} Batch;

/* A worker: takes the next job until none is left; a failure is reported and counted. */
static gpointer
run_jobs (gpointer data)
{
  Batch *batch = data;

  for (;;)
    {
      guint i = g_atomic_int_add (&batch->next, 1);
      g_autoptr (GError) error = NULL;
      Job *job;

      if (i >= batch->jobs->len)
        return NULL;
      job = batch->jobs->pdata[i];
      if (write_video (job, &error))
        continue;
      wait_if_interrupted ();
      g_atomic_int_inc (&batch->failed);
      g_mutex_lock (&interrupt.lock);
      fprintf (stderr, "vidwrite: %s (%s): %s\n", job->origin, job->outputs[0], error->message);
      g_mutex_unlock (&interrupt.lock);
    }
}

static int
write_jobs (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) threads = g_ptr_array_new ();
  Batch batch = { 0 };
  guint workers;

  if (opt.outputs)
    {
      g_printerr ("vidwrite: --jobs takes no OUTPUT: each line names its own\n");
      return EXIT_USAGE;
    }
  if (opt_workers < 0)
    {
      g_printerr ("vidwrite: --workers %d: give 1 or more\n", opt_workers);
      return EXIT_USAGE;
    }
  batch.jobs = read_jobs (opt_jobs, &error);
  if (!batch.jobs)
    {
      g_printerr ("vidwrite: %s\n", error->message);
      return error->domain == G_OPTION_ERROR || error->domain == G_SHELL_ERROR ? EXIT_USAGE
                                                                               : EXIT_FAILURE;
    }
  workers = opt_workers ? (guint)opt_workers : g_get_num_processors ();
  for (guint i = 0; i < MIN (workers, batch.jobs->len); i++)
    g_ptr_array_add (threads, g_thread_new ("vidwrite-job", run_jobs, &batch));
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (threads->pdata[i]);
  if (batch.failed)
    g_printerr ("vidwrite: %d of %u jobs failed\n", batch.failed, batch.jobs->len);
  g_ptr_array_unref (batch.jobs);
  return batch.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *description = NULL;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, write_entries, NULL);
  g_option_context_add_main_entries (context, command_entries, NULL);
  g_option_context_set_summary (context,
                                "Write a video file from raw, .npy or .y4m frames, with sound from "
                                "a .wav or raw file.");
  {
    g_auto (GStrv) containers = vidwrite_list_containers ();
    GString *list = g_string_new (NULL);

    for (guint i = 0; containers[i]; i++)
      g_string_append_printf (list, " .%s", containers[i]);
    description = g_strdup_printf (description_format, list->str);
    g_string_free (list, TRUE);
  }
  g_option_context_set_description (context, description);
  long_ffmpeg_options (argc, argv);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("vidwrite: %s (see vidwrite --help)\n", error->message);
      return EXIT_USAGE;
    }
  if (opt_version)
    {
      /* help2man reads this line for the manual's header. */
      g_print ("vidwrite %d.%d.%d\n", VIDWRITE_MAJOR_VERSION, VIDWRITE_MINOR_VERSION,
               VIDWRITE_MICRO_VERSION);
      return EXIT_SUCCESS;
    }
  if (opt_list_codecs)
    {
      if (opt.outputs)
        {
          g_printerr ("vidwrite: --list-codecs takes no OUTPUT\n");
          return EXIT_USAGE;
        }
      start_signal_thread ();
      if (!vwt_print_codec_list (&error))
        {
          g_printerr ("vidwrite: %s\n", error->message);
          return EXIT_FAILURE;
        }
      return EXIT_SUCCESS;
    }
  /* A reader that goes away (vidwrite ... - | head -c 1000) is a write error, not a signal. */
  signal (SIGPIPE, SIG_IGN);
  if (opt_jobs)
    {
      start_signal_thread ();
      return write_jobs ();
    }
  if (!opt.outputs || !opt.outputs[0] || opt.outputs[1])
    {
      g_printerr ("vidwrite: give exactly one OUTPUT file (see vidwrite --help)\n");
      return EXIT_USAGE;
    }

  start_signal_thread ();
  if (!write_video (&opt, &error))
    {
      wait_if_interrupted ();
      g_printerr ("vidwrite: %s\n", error->message);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}
