/* Shared by the test programs: make frames and tones, decode what vidwrite wrote with FFmpeg and
 * GStreamer, and measure it. */
#pragma once

#include <vidwrite/vidwrite.h>

G_BEGIN_DECLS

/* The fixture of most tests: a scratch directory, which must hold no temporary file of the
 * writer's at the end, removed with everything in it. */
typedef struct
{
  char *dir;
} VwtFixture;

void vwt_fixture_set_up (VwtFixture *f, gconstpointer data);
void vwt_fixture_tear_down (VwtFixture *f, gconstpointer data);
#define VWT_ADD(path, func)                                                                        \
  g_test_add (path, VwtFixture, NULL, vwt_fixture_set_up, func, vwt_fixture_tear_down)

/* A per-test scratch directory, removed with everything in it by vwt_scratch_free(). */
char *vwt_scratch_new (void);
void vwt_scratch_free (char *dir);
char *vwt_path (const char *dir, const char *name);

/* Frames: moving gradients, a moving box and fine detail; deterministic for a seed. */
GBytes *vwt_make_frames (guint n, guint height, guint width, guint channels, guint seed);
/* Planar float32 [channels, n]: channel c is a sine of freqs[c] Hz at amplitude 0.5. */
GBytes *vwt_make_tones (guint channels, gsize n, guint rate, const double *freqs);
GHashTable *vwt_options (const char *first_key, ...) G_GNUC_NULL_TERMINATED;
/* "k=v<separator>k=v" as an options table; NULL for NULL. */
GHashTable *vwt_options_parse (const char *text, const char *separator);

/* vidwrite_write_video() of frames alone, which must succeed. */
void vwt_write_ok (const char *path, GBytes *frames, guint n, guint h, guint w, guint c, double fps,
                   const char *codec, GHashTable *options);

/* ffprobe: the entries of one stream ("v:0", "a:0") as key -> value (frames counted). */
GHashTable *vwt_probe_stream (const char *path, const char *stream);
int vwt_probe_int (GHashTable *probe, const char *key);
double vwt_probe_double (GHashTable *probe, const char *key);
/* A value, or "" when ffprobe did not report the key. */
const char *vwt_probe_str (GHashTable *probe, const char *key);
guint vwt_count_streams (const char *path);

/* ffmpeg: decode every video frame as packed rgb24 (or gray), or all audio as interleaved
 * float32.  NULL on failure. */
GBytes *vwt_decode_video (const char *path, const char *pix_fmt);
GBytes *vwt_decode_audio (const char *path, guint *channels, guint *rate);
/* FFmpeg's own CLI on the same frames, for reference: ffmpeg -f rawvideo ... extra_args out. */
gboolean vwt_ffmpeg_encode (GBytes *frames, guint width, guint height, const char *pix_fmt,
                            const char *rate, const char *extra_args, const char *out);

/* GStreamer decodes the file: the number of video frames (-1 on failure). */
gint vwt_gst_count_video_frames (const char *path);

double vwt_psnr (GBytes *a, GBytes *b);
/* Mean of (b - a) over the bytes of channel `c` of `channels`-channel packed pixels. */
double vwt_mean_shift (GBytes *a, GBytes *b, guint channels, guint c);
/* Amplitude of the `freq` component of channel `c` in interleaved float audio. */
double vwt_tone_amplitude (GBytes *audio, guint channels, guint c, guint rate, double freq);
/* What FFmpeg decodes holds every sample pushed, and at most VWT_AUDIO_EXTRA more: the encoder's
 * priming (GStreamer's muxers write no edit list: 1600 for voaacenc, 1105 for LAME) and the
 * silence of its last frame (vidwrite pads voaacenc's to push out its delay). */
#define VWT_AUDIO_EXTRA (1600 + 1023)
void vwt_assert_samples (gsize decoded, gsize pushed);

gsize vwt_file_size (const char *path);
/* Files in `dir` whose names contain "vidwrite-tmp". */
guint vwt_count_tmp_files (const char *dir);
/* Writes `contents` to `path`; later vwt_assert_file_is() checks it is unchanged. */
void vwt_write_file (const char *path, const char *contents);
void vwt_assert_file_is (const char *path, const char *contents);

void vwt_init (int *argc, char ***argv);

G_END_DECLS
