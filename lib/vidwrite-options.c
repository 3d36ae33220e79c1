/* FFmpeg option keys -> element properties, per encoder family, with units converted.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each encoder family is a table of rows; vw_options_apply() reads the rows in order and never
 * knows which encoder it is talking to.  An option that is not in the table is an error, as is a
 * value that does not parse or is out of the property's range: nothing is ignored.
 */
#include "vidwrite-private.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_X264
#include <x264.h>
#endif

typedef enum
{
  VW_TARGET_PROPERTY,   /* an element property */
  VW_TARGET_CAPS,       /* a field of the caps the encoder must produce */
  VW_TARGET_PARAMS,     /* "name=value" appended to the family's params property */
  VW_TARGET_RAW_PARAMS, /* the value, "k=v:k=v", appended as is to the params property */
  VW_TARGET_PIX_FMT,    /* the raw format the encoder is fed */
  VW_TARGET_COLOUR,     /* a field of the stream's colorimetry: `choices` name it and its nick */
  VW_TARGET_MUXER,      /* a property of the container's muxer */
  VW_TARGET_REFUSED,    /* known, but does not work with this element: `name` says why */
} VwTarget;

typedef enum
{
  VW_UNIT_SAME,            /* FFmpeg's unit is the property's */
  VW_UNIT_KILO,            /* FFmpeg gives bit/s, the property takes kbit/s */
  VW_UNIT_MS_OF_RATE,      /* FFmpeg gives bits, the property takes ms at the kbit/s in `ref` */
  VW_UNIT_KBIT_MS_OF_RATE, /* the same from kbit (x264's vbv-bufsize) */
  VW_UNIT_TENTH,           /* FFmpeg's scale is ten times the property's (vorbis q 0..10) */
  VW_UNIT_KILO_OR_MAX,     /* kbit/s, where FFmpeg's b=0 means "no limit": the property's maximum */
  VW_UNIT_DECIMAL,         /* FFmpeg's unit is the param's, which takes fractions (x265's crf) */
  VW_UNIT_ZERO_UNSET,      /* the property's unit; FFmpeg's 0 means "not given" (libvpx's b) */
  VW_UNIT_THREADS,         /* a thread count, where FFmpeg's 0 means one a CPU */
} VwUnit;

/* How each unit converts: value / divisor, and whether 0 stands for the property's maximum. */
static const struct
{
  double divisor;
  gboolean zero_is_max;
} unit_rules[] = {
  [VW_UNIT_SAME] = { 1, FALSE },
  [VW_UNIT_KILO] = { 1000, FALSE },
  [VW_UNIT_MS_OF_RATE] = { 1, FALSE },
  [VW_UNIT_TENTH] = { 10, FALSE },
  [VW_UNIT_KBIT_MS_OF_RATE] = { 0.001, FALSE },
  [VW_UNIT_DECIMAL] = { 1, FALSE },
  [VW_UNIT_KILO_OR_MAX] = { 1000, TRUE },
  [VW_UNIT_ZERO_UNSET] = { 1, FALSE },
  [VW_UNIT_THREADS] = { 1, FALSE },
};

/* One accepted spelling of a value: what FFmpeg calls it, which property (or caps field) it
 * sets, NULL for the option's own, and the value the element wants. */
typedef struct
{
  const char *value;
  const char *name;
  const char *target;
} VwChoice;

/* Checks one key=value with the encoder's own parser; NULL when that parser is not at hand.
 * Returns NULL if fine, else why not (a static string), with *bad_name set when the parser
 * knows no such key. */
typedef const char *(*VwParamCheck) (const char *key, const char *value, gboolean *bad_name);

typedef struct
{
  const char *key; /* FFmpeg's option name */
  VwTarget target;
  const char *name; /* property, caps field or params key */
  VwUnit unit;
  const char *also;        /* "property=value ..." set before it */
  const char *excludes;    /* keys it cannot be combined with, space-separated */
  const VwChoice *choices; /* NULL: whatever the property parses */
  const char *ref;         /* VW_UNIT_MS_OF_RATE: the property that holds the rate */
  VwParamCheck check;      /* VW_TARGET_RAW_PARAMS: validates each key=value */
  double lo, hi;           /* FFmpeg's range, where the property does not state one (lo < hi);
                            * with choices, a number is looked up rounded to a whole one */
  const char *exact; /* a value the (integer) property cannot hold goes to the params as this
                      * printf format, the property taking the nearest whole number below */
} VwOption;

typedef struct
{
  const char *factory;
  const char *defaults;        /* "property=value ...": FFmpeg's behaviour where GStreamer's differs */
  const char *params_property; /* where VW_TARGET_PARAMS go, or NULL */
  const VwOption *options;     /* ends with a row whose key is NULL */
  const char *const *by_channels; /* defaults that depend on the channel count, indexed by it */
  gboolean own_options;           /* other keys are the element's own (FFmpeg private) options,
                                   * spelt with '-' for '_' ("quant_mat" -> quant-mat) */
  gboolean restamp;               /* its output has no timestamps and is in input order */
  const char *default_params;     /* first in the params property; the user's later ones win */
  const char *codec;              /* only for this FFmpeg codec name; NULL: any */
  gboolean gbr;                   /* fed the caller's RGB as G, B, R planes in Y444 buffers */
  VwParamCheck own_params;        /* the encoder's own parser: a key it takes goes, as
                                   * key=value, into the params property */
  const char *own_params_key;     /* the option whose "k=v:k=v" are such keys ("x264-params") */
  const char *small_frames;       /* defaults for frames of SMALL_FRAME_MBS macroblocks or fewer */
  const char *cpus_property;      /* set to the CPU count unless the options say otherwise */
  gboolean full_range;            /* YUV is full range unless color_range says otherwise (JPEG) */
  guint whole_frames;             /* samples a frame, where the encoder drops a partial last one */
  guint unflushed;                /* samples of delay the encoder keeps at the end of the stream */
  const char *frame_ms_property;  /* its frame in ms: shorter sound is padded to one frame, */
  double lookahead_ms;            /* and the end by what one frame of drain leaves of this */
  guint narrow_width;             /* frames at most this wide get narrow_params, */
  const char *narrow_params;      /* last in the params: the user's cannot undo them */
} VwFamily;

/* 128×128: x264's frame threads cost more than they give (a 16-frame 112×112 clip took 7.5 ms
 * with x264's 3 threads on 2 cores, 6.2 ms with one; 320×240 gains from them at preset medium). */
#define SMALL_FRAME_MBS 64

/* clang-format off */
#define END { NULL, 0, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
/* clang-format on */

#ifdef HAVE_X264
/* x264enc would only fail at its first frame on a bad key; libx264's parser says so now. */
static const char *
check_x264_param (const char *key, const char *value, gboolean *bad_name)
{
  x264_param_t param;
  int verdict;

  x264_param_default (&param);
  verdict = x264_param_parse (&param, key, value);
  x264_param_cleanup (&param); /* the strings it kept: zones, cqmfile ... */
  *bad_name = verdict == X264_PARAM_BAD_NAME;
  switch (verdict)
    {
    case 0:
      return NULL;
    case X264_PARAM_BAD_NAME:
      return "libx264 has no such parameter";
    default:
      return "libx264 does not accept that value";
    }
}
#define X264_PARAM_CHECK check_x264_param
#else
#define X264_PARAM_CHECK NULL
#endif

/* x265enc reads option-string with libx265's parser when the first frame comes, and fails there.
 * The same parser, in the libx265 x265enc loaded (vidwrite does not link libx265), says now:
 * its C API is x265_param_alloc/default/parse/free, and its verdicts those of x265.h. */
#define X265_PARAM_BAD_NAME (-1)
static const char *
check_x265_param (const char *key, const char *value, gboolean *bad_name)
{
  static gsize resolved;
  static gpointer (*param_alloc) (void);
  static void (*param_default) (gpointer);
  static int (*param_parse) (gpointer, const char *, const char *);
  static void (*param_free) (gpointer);
  gpointer param;
  int verdict;

  if (g_once_init_enter (&resolved))
    {
      param_alloc = vw_loaded_library_symbol ("libx265", "x265_param_alloc");
      param_default = vw_loaded_library_symbol ("libx265", "x265_param_default");
      param_parse = vw_loaded_library_symbol ("libx265", "x265_param_parse");
      param_free = vw_loaded_library_symbol ("libx265", "x265_param_free");
      g_once_init_leave (&resolved, 1);
    }
  *bad_name = TRUE;
  if (!param_alloc || !param_default || !param_parse || !param_free || !(param = param_alloc ()))
    return "libx265's parser is not at hand to check it";
  param_default (param);
  verdict = param_parse (param, key, value);
  param_free (param);
  *bad_name = verdict == X265_PARAM_BAD_NAME;
  if (verdict == 0)
    return NULL;
  return *bad_name ? "libx265 has no such parameter" : "libx265 does not accept that value";
}

static const VwChoice x264_tunes[] = {
  { "film", "psy-tune", "film" },
  { "animation", "psy-tune", "animation" },
  { "grain", "psy-tune", "grain" },
  { "psnr", "psy-tune", "psnr" },
  { "ssim", "psy-tune", "ssim" },
  { "stillimage", "tune", "stillimage" },
  { "fastdecode", "tune", "fastdecode" },
  { "zerolatency", "tune", "zerolatency" },
  { NULL },
};

static const VwChoice h264_profiles[] = {
  { "baseline", NULL, "constrained-baseline" },
  { "main", NULL, "main" },
  { "high", NULL, "high" },
  { "high10", NULL, "high-10" },
  { "high422", NULL, "high-4:2:2" },
  { "high444", NULL, "high-4:4:4" },
  { NULL },
};

static const VwChoice h264_levels[] = {
  { "1", NULL, "1" },     { "10", NULL, "1" },    { "1b", NULL, "1b" },   { "1.1", NULL, "1.1" },
  { "11", NULL, "1.1" },  { "1.2", NULL, "1.2" }, { "12", NULL, "1.2" },  { "1.3", NULL, "1.3" },
  { "13", NULL, "1.3" },  { "2", NULL, "2" },     { "20", NULL, "2" },    { "2.1", NULL, "2.1" },
  { "21", NULL, "2.1" },  { "2.2", NULL, "2.2" }, { "22", NULL, "2.2" },  { "3", NULL, "3" },
  { "30", NULL, "3" },    { "3.1", NULL, "3.1" }, { "31", NULL, "3.1" },  { "3.2", NULL, "3.2" },
  { "32", NULL, "3.2" },  { "4", NULL, "4" },     { "40", NULL, "4" },    { "4.1", NULL, "4.1" },
  { "41", NULL, "4.1" },  { "4.2", NULL, "4.2" }, { "42", NULL, "4.2" },  { "5", NULL, "5" },
  { "50", NULL, "5" },    { "5.1", NULL, "5.1" }, { "51", NULL, "5.1" },  { "5.2", NULL, "5.2" },
  { "52", NULL, "5.2" },  { "6", NULL, "6" },     { "60", NULL, "6" },    { "6.1", NULL, "6.1" },
  { "61", NULL, "6.1" },  { "6.2", NULL, "6.2" }, { "62", NULL, "6.2" },
  /* x264 reads a level as a number: "3.0" is 3, as FFmpeg's libx264 takes it. */
  { "1.0", NULL, "1" },   { "2.0", NULL, "2" },   { "3.0", NULL, "3" },   { "4.0", NULL, "4" },
  { "5.0", NULL, "5" },   { "6.0", NULL, "6" },   { NULL },
};

#define X264_NOT_HERE "x264enc sets it itself from the stream's caps"

/* x264enc: FFmpeg's libx264 defaults are crf 23, preset medium, keyint 250.  In pass=qual the
 * `bitrate` property doubles as the VBV maximum, so it is raised to its top to lift the cap, and
 * in every pass x264enc turns VBV on with a buffer of `vbv-buf-capacity` ms; FFmpeg turns it on
 * only for maxrate with bufsize.  A capacity of 0 makes x264 drop VBV (as it drops a maxrate
 * given without bufsize): x264's VBV bookkeeping doubled the time of a short small clip.
 * Any other key libx264's own parser takes goes into option-string, as FFmpeg's x264-params
 * would pass it; the rows below that carry x264's names are the parameters x264enc overwrites
 * after reading option-string (rate control, keyint, VUI), so they go to its properties.  A
 * fractional crf goes into a zone covering the whole stream: x264 applies a zone's crf as its
 * rate factor from the first frame, and x264enc leaves zones alone. */
static const VwOption x264_options[] = {
  { "preset", VW_TARGET_PROPERTY, "speed-preset" },
  { "tune", VW_TARGET_PROPERTY, NULL, VW_UNIT_SAME, NULL, NULL, x264_tunes },
  { "crf", VW_TARGET_PROPERTY, "quantizer", VW_UNIT_SAME, "pass=qual", "zones", NULL, NULL, NULL,
    0, 51, "zones=0,2147483647,crf=%s" },
  { "qp", VW_TARGET_PROPERTY, "quantizer", VW_UNIT_SAME, "pass=quant", "crf" },
  { "b", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_KILO, "pass=cbr", "crf qp maxrate" },
  { "bitrate", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_SAME, "pass=cbr", "crf qp b maxrate" },
  { "maxrate", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_KILO },
  { "vbv-maxrate", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_SAME, NULL, "maxrate b" },
  { "bufsize", VW_TARGET_PROPERTY, "vbv-buf-capacity", VW_UNIT_MS_OF_RATE, NULL, NULL, NULL,
    "bitrate" },
  { "vbv-bufsize", VW_TARGET_PROPERTY, "vbv-buf-capacity", VW_UNIT_KBIT_MS_OF_RATE, NULL, "bufsize",
    NULL, "bitrate" },
  { "g", VW_TARGET_PROPERTY, "key-int-max" },
  { "keyint", VW_TARGET_PROPERTY, "key-int-max", VW_UNIT_SAME, NULL, "g" },
  { "keyint_min", VW_TARGET_PARAMS, "min-keyint" },
  { "bf", VW_TARGET_PROPERTY, "bframes" },
  { "threads", VW_TARGET_PROPERTY, "threads" },
  { "profile", VW_TARGET_CAPS, "profile", VW_UNIT_SAME, NULL, NULL, h264_profiles },
  { "level", VW_TARGET_CAPS, "level", VW_UNIT_SAME, NULL, NULL, h264_levels },
  { "x264-params", VW_TARGET_RAW_PARAMS, NULL, VW_UNIT_SAME, NULL, NULL, NULL, NULL,
    X264_PARAM_CHECK },
  { "fps", VW_TARGET_REFUSED, X264_NOT_HERE " (the frame rate)" },
  { "force-cfr", VW_TARGET_REFUSED, X264_NOT_HERE " (the frame rate)" },
  { "sar", VW_TARGET_REFUSED, X264_NOT_HERE " (pixel aspect ratio 1:1)" },
  { "videoformat", VW_TARGET_REFUSED, X264_NOT_HERE },
  { "fullrange", VW_TARGET_REFUSED, X264_NOT_HERE " (the colorimetry vidwrite converts with)" },
  { "colorprim", VW_TARGET_REFUSED, X264_NOT_HERE " (the colorimetry vidwrite converts with)" },
  { "transfer", VW_TARGET_REFUSED, X264_NOT_HERE " (the colorimetry vidwrite converts with)" },
  { "colormatrix", VW_TARGET_REFUSED, X264_NOT_HERE " (the colorimetry vidwrite converts with)" },
  { "chromaloc", VW_TARGET_REFUSED, X264_NOT_HERE },
  { "interlaced", VW_TARGET_REFUSED, X264_NOT_HERE " (progressive)" },
  { "tff", VW_TARGET_REFUSED, X264_NOT_HERE " (progressive)" },
  { "bff", VW_TARGET_REFUSED, X264_NOT_HERE " (progressive)" },
  { "frame-packing", VW_TARGET_REFUSED, X264_NOT_HERE },
  { "annexb", VW_TARGET_REFUSED, "the muxer decides the stream format" },
  { "pass", VW_TARGET_REFUSED, "vidwrite writes in one pass" },
  { "stats", VW_TARGET_REFUSED, "vidwrite writes in one pass" },
  END,
};

static const VwChoice x265_tunes[] = {
  { "psnr", NULL, "psnr" },
  { "ssim", NULL, "ssim" },
  { "grain", NULL, "grain" },
  { "zerolatency", NULL, "zerolatency" },
  { "fastdecode", NULL, "fastdecode" },
  { "animation", NULL, "animation" },
  { NULL },
};

/* x265enc: `option-string` is applied after the properties and x265 takes its keys in order,
 * each rate-control key switching the mode (crf -> CRF, qp -> CQP, bitrate -> ABR).  So rate
 * control lives there: FFmpeg's default crf=28 first (x265enc's own default is ABR at
 * 2048 kbit/s), the user's choice after it. */
#define X265_NOT_HERE "x265enc sets it itself from the stream's caps"

static const VwOption x265_options[] = {
  { "preset", VW_TARGET_PROPERTY, "speed-preset" },
  { "tune", VW_TARGET_PROPERTY, "tune", VW_UNIT_SAME, NULL, NULL, x265_tunes },
  { "crf", VW_TARGET_PARAMS, "crf", VW_UNIT_DECIMAL, NULL, "qp b", NULL, NULL, NULL, 0, 51 },
  { "qp", VW_TARGET_PARAMS, "qp", VW_UNIT_SAME, NULL, "b", NULL, NULL, NULL, 0, 51 },
  { "b", VW_TARGET_PARAMS, "bitrate", VW_UNIT_KILO },
  { "maxrate", VW_TARGET_PARAMS, "vbv-maxrate", VW_UNIT_KILO },
  { "bufsize", VW_TARGET_PARAMS, "vbv-bufsize", VW_UNIT_KILO },
  { "g", VW_TARGET_PROPERTY, "key-int-max" },
  { "keyint_min", VW_TARGET_PARAMS, "min-keyint" },
  { "bf", VW_TARGET_PARAMS, "bframes" },
  { "threads", VW_TARGET_PARAMS, "pools" },
  { "keyint", VW_TARGET_PARAMS, "keyint", VW_UNIT_SAME, NULL, "g" },
  { "x265-params", VW_TARGET_RAW_PARAMS },
  /* x265's names for what must match the stream x265enc is fed and the muxer takes. */
  { "fps", VW_TARGET_REFUSED, X265_NOT_HERE " (the frame rate)" },
  { "input-res", VW_TARGET_REFUSED, X265_NOT_HERE " (the frame size)" },
  { "input-csp", VW_TARGET_REFUSED, X265_NOT_HERE " (the pixel format; use pix_fmt)" },
  { "input-depth", VW_TARGET_REFUSED, X265_NOT_HERE " (the pixel format; use pix_fmt)" },
  { "sar", VW_TARGET_REFUSED, X265_NOT_HERE " (pixel aspect ratio 1:1)" },
  { "interlace", VW_TARGET_REFUSED, X265_NOT_HERE " (progressive)" },
  { "range", VW_TARGET_REFUSED, X265_NOT_HERE " (the colorimetry vidwrite converts with)" },
  { "colorprim", VW_TARGET_REFUSED, X265_NOT_HERE " (the colorimetry vidwrite converts with)" },
  { "transfer", VW_TARGET_REFUSED, X265_NOT_HERE " (the colorimetry vidwrite converts with)" },
  { "colormatrix", VW_TARGET_REFUSED, X265_NOT_HERE " (the colorimetry vidwrite converts with)" },
  { "annexb", VW_TARGET_REFUSED, "h265parse takes x265enc's byte-stream only" },
  { "repeat-headers", VW_TARGET_REFUSED, "x265enc needs them" },
  { "pass", VW_TARGET_REFUSED, "vidwrite writes in one pass" },
  { "stats", VW_TARGET_REFUSED, "vidwrite writes in one pass" },
  END,
};

static const VwOption openh264_options[] = {
  { "b", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_SAME, "rate-control=bitrate" },
  { "maxrate", VW_TARGET_PROPERTY, "max-bitrate" },
  { "g", VW_TARGET_PROPERTY, "gop-size" },
  { "threads", VW_TARGET_PROPERTY, "multi-thread" },
  END,
};

/* FFmpeg's -deadline words; vp8enc/vp9enc take microseconds (0 best, 1 realtime). */
static const VwChoice vpx_deadlines[] = {
  { "best", NULL, "0" },
  { "good", NULL, "1000000" },
  { "realtime", NULL, "1" },
  { NULL },
};

/* crf: vp8enc/vp9enc have no constant-quality (VPX_Q) mode, and in their constrained-quality
 * mode the quantizer ignores cq-level once the bitrate cap is lifted (measured: the same size
 * for crf 20 and 50).  The nearest is crf as cq-level with the quantizer pinned to it.
 * crf with b is FFmpeg's constrained quality: libvpx's CQ mode, cq-level crf and b the target,
 * the quantizer free in libvpx's own range (FFmpeg keeps it: 4..63 for VP8, 0..63 for VP9): so b,
 * after crf, lets the quantizer go again (qmin and qmax, after b, still narrow it).  b=0 is
 * FFmpeg's "no bitrate" (crf with b=0: VP9's constant quality): as if b were not given. */
#define VPX_OPTIONS(quantizer_range)                                                               \
  { "crf", VW_TARGET_PROPERTY, "cq-level", VW_UNIT_SAME, "end-usage=cq", "qmin qmax" },            \
      { "crf", VW_TARGET_PROPERTY, "min-quantizer" },                                              \
      { "crf", VW_TARGET_PROPERTY, "max-quantizer" },                                              \
      { "b", VW_TARGET_PROPERTY, "target-bitrate", VW_UNIT_ZERO_UNSET, quantizer_range },          \
      { "qmin", VW_TARGET_PROPERTY, "min-quantizer" },                                             \
      { "qmax", VW_TARGET_PROPERTY, "max-quantizer" },                                             \
      { "g", VW_TARGET_PROPERTY, "keyframe-max-dist" },                                            \
      { "threads", VW_TARGET_PROPERTY, "threads", VW_UNIT_THREADS },                               \
      { "deadline", VW_TARGET_PROPERTY, "deadline", VW_UNIT_SAME, NULL, NULL, vpx_deadlines },     \
      { "cpu-used", VW_TARGET_PROPERTY, "cpu-used" },                                              \
  {                                                                                                \
    "auto-alt-ref", VW_TARGET_PROPERTY, "auto-alt-ref"                                             \
  }

static const VwOption vp8_options[] = {
  VPX_OPTIONS ("min-quantizer=4 max-quantizer=63"),
  /* Harmless: libvpx's one-pass VP8 forces lag 0. */
  { "lag-in-frames", VW_TARGET_PROPERTY, "lag-in-frames" },
  END,
};

/* vp9enc loses what its lag holds at the end (see its family row): only 0 is taken. */
static const VwChoice vp9_lags[] = {
  { "0", NULL, "0" },
  { NULL },
};

static const VwOption vp9_options[] = {
  VPX_OPTIONS ("min-quantizer=0 max-quantizer=63"),
  { "lag-in-frames", VW_TARGET_PROPERTY, "lag-in-frames", VW_UNIT_SAME, NULL, NULL, vp9_lags },
  { "row-mt", VW_TARGET_PROPERTY, "row-mt" },
  { "tile-columns", VW_TARGET_PROPERTY, "tile-columns" },
  { "tile-rows", VW_TARGET_PROPERTY, "tile-rows" },
  END,
};

/* av1enc has no cq-level: constant quality is end-usage=q with the quantizer pinned to crf. */
static const VwOption aom_options[] = {
  { "crf", VW_TARGET_PROPERTY, "min-quantizer", VW_UNIT_SAME, "end-usage=q", NULL, NULL, NULL, NULL,
    0, 63 },
  { "crf", VW_TARGET_PROPERTY, "max-quantizer" },
  /* A bitrate frees the quantizer the defaults pin. */
  { "b", VW_TARGET_PROPERTY, "target-bitrate", VW_UNIT_KILO_OR_MAX,
    "end-usage=vbr min-quantizer=0 max-quantizer=63", "crf" },
  { "g", VW_TARGET_PROPERTY, "keyframe-max-dist" },
  { "threads", VW_TARGET_PROPERTY, "threads" },
  { "cpu-used", VW_TARGET_PROPERTY, "cpu-used" },
  { "lag-in-frames", VW_TARGET_PROPERTY, "lag-in-frames" },
  { "row-mt", VW_TARGET_PROPERTY, "row-mt" },
  { "tile-columns", VW_TARGET_PROPERTY, "tile-columns" },
  { "tile-rows", VW_TARGET_PROPERTY, "tile-rows" },
  END,
};

/* gst-libav: AVCodecContext fields are properties.  FFmpeg's qscale (-q:v) is a fixed quantizer;
 * gst-libav's pass=quant + quantizer barely moves the output (measured: 4767 vs 4663 bytes for
 * 2 and 20), so qscale pins qmin and qmax, which gives FFmpeg's fixed quantizer.  Rate control
 * is refused: gst-libav 1.22 gives FFmpeg a 1/65535 time base and no frame rate, so FFmpeg
 * budgets bits for 65535 frames a second (measured: b=300k and b=1M give the same file). */
#define AVENC_NO_RATE                                                                              \
  "gst-libav 1.22's rate control ignores the frame rate, so bitrates are not met; use qscale "     \
  "(1 best .. 31 worst) for the quality instead"
#define AVENC_NO_REORDER                                                                           \
  "gst-libav 1.22 loses its output timestamps, which vidwrite rebuilds in input order, so "     \
  "B-frames cannot be used"
static const VwOption avenc_options[] = {
  { "qscale", VW_TARGET_PROPERTY, "qmin", VW_UNIT_SAME, NULL, "q", NULL, NULL, NULL, 1, 31 },
  { "qscale", VW_TARGET_PROPERTY, "qmax" },
  { "q", VW_TARGET_PROPERTY, "qmin", VW_UNIT_SAME, NULL, NULL, NULL, NULL, NULL, 1, 31 },
  { "q", VW_TARGET_PROPERTY, "qmax" },
  { "b", VW_TARGET_REFUSED, AVENC_NO_RATE },
  { "maxrate", VW_TARGET_REFUSED, AVENC_NO_RATE },
  { "bufsize", VW_TARGET_REFUSED, AVENC_NO_RATE },
  /* The output's timestamps are rebuilt in input order (gst-libav 1.22 drops them): frames may
   * not be reordered. */
  { "bf", VW_TARGET_REFUSED, AVENC_NO_REORDER },
  { "max_bframes", VW_TARGET_REFUSED, AVENC_NO_REORDER },
  { "g", VW_TARGET_PROPERTY, "gop-size" },
  { "keyint_min", VW_TARGET_PROPERTY, "keyint-min" },
  { "threads", VW_TARGET_PROPERTY, "threads" },
  { "compression_level", VW_TARGET_PROPERTY, "compression-level" },
  { "slices", VW_TARGET_PROPERTY, "slices" },
  END,
};

/* FFmpeg's qscale for MPEG-2 is a linear quantiser_scale_code (the scale is twice it); mpeg2enc's
 * quantisation is a code of MPEG-2's non-linear table (Table 7-6: 1..8, then 10, 12 ... 112).
 * Each qscale goes to the code whose scale is nearest twice it, the finer on a tie: on a 640x360
 * clip FFmpeg's q 2, 4, 8, 15, 31 and these codes came within 0.4 dB of each other's PSNR (the
 * same quantiser 4 was 2.3 dB better at 1.9x the size). */
static const VwChoice mpeg2_qscales[] = {
  { "1", NULL, "2" }, { "2", NULL, "4" }, { "3", NULL, "6" }, { "4", NULL, "8" },
  { "5", NULL, "9" }, { "6", NULL, "10" }, { "7", NULL, "11" }, { "8", NULL, "12" },
  { "9", NULL, "13" }, { "10", NULL, "14" }, { "11", NULL, "15" }, { "12", NULL, "16" },
  { "13", NULL, "16" }, { "14", NULL, "17" }, { "15", NULL, "17" }, { "16", NULL, "18" },
  { "17", NULL, "18" }, { "18", NULL, "19" }, { "19", NULL, "19" }, { "20", NULL, "20" },
  { "21", NULL, "20" }, { "22", NULL, "21" }, { "23", NULL, "21" }, { "24", NULL, "22" },
  { "25", NULL, "22" }, { "26", NULL, "23" }, { "27", NULL, "23" }, { "28", NULL, "24" },
  { "29", NULL, "24" }, { "30", NULL, "24" }, { "31", NULL, "25" },
  { NULL },
};

/* mpeg2enc (mjpegtools): kbit/s, and its own names. */
static const VwOption mpeg2enc_options[] = {
  /* A fixed quantiser is capped by `bitrate`: back to mpeg2enc's own 1125 kbit/s, unless b is
   * given too (its row is later).  Higher, mpeg2enc refuses low frame rates ("video buffer
   * smaller 4 frame intervals"). */
  { "qscale", VW_TARGET_PROPERTY, "quantisation", VW_UNIT_SAME, "bitrate=1125", "q", mpeg2_qscales,
    NULL, NULL, 1, 31 },
  { "q", VW_TARGET_PROPERTY, "quantisation", VW_UNIT_SAME, "bitrate=1125", NULL, mpeg2_qscales,
    NULL, NULL, 1, 31 },
  { "b", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_KILO },
  { "g", VW_TARGET_PROPERTY, "max-gop-size" },
  { "keyint_min", VW_TARGET_PROPERTY, "min-gop-size" },
  { "bf", VW_TARGET_PROPERTY, "b-per-refframe" },
  END,
};

static const VwOption theora_options[] = {
  { "b", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_KILO },
  { "g", VW_TARGET_PROPERTY, "keyframe-force" },
  END,
};

static const VwOption jpegenc_options[] = {
  { "quality", VW_TARGET_PROPERTY, "quality" },
  END,
};

static const VwOption pngenc_options[] = {
  { "compression_level", VW_TARGET_PROPERTY, "compression-level" },
  END,
};

/* A capsfilter standing in for an uncompressed codec: nothing to set but pix_fmt. */
static const VwOption raw_options[] = {
  END,
};

/* Hardware encoders: property names from the GStreamer plugin documentation,
 * https://gstreamer.freedesktop.org/documentation/ nvcodec/GstNvBaseEnc.html (nvh264enc,
 * nvh265enc), nvcodec/nvcudah264enc.html and nvcudah265enc.html (GstNvEncoder), va/vah264enc.html
 * and vah265lpenc.html (GstVaBaseEnc), vaapi/vaapih264enc.html, qsv/qsvh264enc.html and
 * qsvh265enc.html (GstQsvEncoder), msdk/GstMsdkEnc.html.  Rates are kbit/s in all of them.
 * tests/hardware-properties.txt holds the same names for the test that checks these rows. */
static const VwChoice nvenc_presets[] = {
  { "default", NULL, "default" },
  { "slow", NULL, "hq" },
  { "medium", NULL, "default" },
  { "fast", NULL, "hp" },
  { "hp", NULL, "hp" },
  { "hq", NULL, "hq" },
  { "ll", NULL, "low-latency" },
  { "llhq", NULL, "low-latency-hq" },
  { "llhp", NULL, "low-latency-hp" },
  { "lossless", NULL, "lossless" },
  { NULL },
};

static const VwOption nvbase_options[] = {
  { "b", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_KILO },
  { "maxrate", VW_TARGET_PROPERTY, "max-bitrate", VW_UNIT_KILO },
  { "g", VW_TARGET_PROPERTY, "gop-size" },
  { "bf", VW_TARGET_PROPERTY, "bframes" },
  { "preset", VW_TARGET_PROPERTY, "preset", VW_UNIT_SAME, NULL, NULL, nvenc_presets },
  { "qp", VW_TARGET_PROPERTY, "qp-const", VW_UNIT_SAME, "rc-mode=constqp", "b cq" },
  { "cq", VW_TARGET_PROPERTY, "const-quality", VW_UNIT_SAME, "rc-mode=vbr" },
  END,
};

static const VwOption nvencoder_options[] = {
  { "b", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_KILO },
  { "maxrate", VW_TARGET_PROPERTY, "max-bitrate", VW_UNIT_KILO },
  { "g", VW_TARGET_PROPERTY, "gop-size" },
  { "bf", VW_TARGET_PROPERTY, "b-frames" },
  { "preset", VW_TARGET_PROPERTY, "preset", VW_UNIT_SAME, NULL, NULL, nvenc_presets },
  /* GstNvEncoder's rate control is `rate-control` in 1.22 and 1.24 (`rc-mode` from 1.26). */
  { "qp", VW_TARGET_PROPERTY, "qp-i", VW_UNIT_SAME, "rate-control=cqp", "b cq" },
  { "qp", VW_TARGET_PROPERTY, "qp-p" },
  { "qp", VW_TARGET_PROPERTY, "qp-b" },
  { "cq", VW_TARGET_PROPERTY, "const-quality", VW_UNIT_SAME, "rate-control=vbr" },
  END,
};

/* FFmpeg's vaapi/qsv presets are 1 (best) .. 7 (fastest): the drivers' target usage. */
static const VwOption va_options[] = {
  { "b", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_KILO, "rate-control=vbr" },
  { "maxrate", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_KILO, "rate-control=vbr" },
  { "g", VW_TARGET_PROPERTY, "key-int-max" },
  { "bf", VW_TARGET_PROPERTY, "b-frames" },
  { "preset", VW_TARGET_PROPERTY, "target-usage" },
  { "qp", VW_TARGET_PROPERTY, "qpi", VW_UNIT_SAME, "rate-control=cqp", "b cq maxrate" },
  { "qp", VW_TARGET_PROPERTY, "qpp" },
  { "qp", VW_TARGET_PROPERTY, "qpb" },
  END,
};

static const VwOption vaapi_options[] = {
  { "b", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_KILO, "rate-control=vbr" },
  { "g", VW_TARGET_PROPERTY, "keyframe-period" },
  { "bf", VW_TARGET_PROPERTY, "max-bframes" },
  { "preset", VW_TARGET_PROPERTY, "quality-level" },
  { "qp", VW_TARGET_PROPERTY, "init-qp", VW_UNIT_SAME, "rate-control=cqp", "b cq" },
  { "cq", VW_TARGET_PROPERTY, "quality-factor", VW_UNIT_SAME, "rate-control=icq" },
  END,
};

static const VwOption qsv_options[] = {
  { "b", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_KILO },
  { "maxrate", VW_TARGET_PROPERTY, "max-bitrate", VW_UNIT_KILO },
  { "g", VW_TARGET_PROPERTY, "gop-size" },
  { "bf", VW_TARGET_PROPERTY, "b-frames" },
  { "preset", VW_TARGET_PROPERTY, "target-usage" },
  { "qp", VW_TARGET_PROPERTY, "qp-i", VW_UNIT_SAME, "rate-control=cqp", "b cq" },
  { "qp", VW_TARGET_PROPERTY, "qp-p" },
  { "qp", VW_TARGET_PROPERTY, "qp-b" },
  { "cq", VW_TARGET_PROPERTY, "icq-quality", VW_UNIT_SAME, "rate-control=icq" },
  END,
};

static const VwOption msdk_options[] = {
  { "b", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_KILO },
  { "maxrate", VW_TARGET_PROPERTY, "max-vbv-bitrate", VW_UNIT_KILO },
  { "g", VW_TARGET_PROPERTY, "gop-size" },
  { "bf", VW_TARGET_PROPERTY, "b-frames" },
  { "preset", VW_TARGET_PROPERTY, "target-usage" },
  { "qp", VW_TARGET_PROPERTY, "qpi", VW_UNIT_SAME, "rate-control=cqp", "b" },
  { "qp", VW_TARGET_PROPERTY, "qpp" },
  { "qp", VW_TARGET_PROPERTY, "qpb" },
  END,
};

/* audio */

static const VwOption bits_options[] = {
  { "b", VW_TARGET_PROPERTY, "bitrate" },
  END,
};

/* lamemp3enc: b in kbit/s; q:a is LAME's VBR quality (-V), 0 best .. 9. */
static const VwOption lame_options[] = {
  { "b", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_KILO, "target=bitrate cbr=true", "q" },
  { "q", VW_TARGET_PROPERTY, "quality", VW_UNIT_SAME, "target=quality" },
  END,
};

static const VwChoice opus_applications[] = {
  { "audio", "audio-type", "generic" },
  { "voip", "audio-type", "voice" },
  { "lowdelay", "audio-type", "restricted-lowdelay" },
  { NULL },
};

static const VwChoice opus_frame_durations[] = {
  { "2.5", "frame-size", "2.5" }, { "5", "frame-size", "5" },   { "10", "frame-size", "10" },
  { "20", "frame-size", "20" },   { "40", "frame-size", "40" }, { "60", "frame-size", "60" },
  { NULL },
};

static const VwOption opus_options[] = {
  { "b", VW_TARGET_PROPERTY, "bitrate" },
  { "application", VW_TARGET_PROPERTY, NULL, VW_UNIT_SAME, NULL, NULL, opus_applications },
  { "frame_duration", VW_TARGET_PROPERTY, NULL, VW_UNIT_SAME, NULL, NULL, opus_frame_durations },
  END,
};

/* vorbisenc: FFmpeg's q:a 0..10 is libvorbis' quality × 10. */
static const VwOption vorbis_options[] = {
  { "b", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_SAME, NULL, "q" },
  { "q", VW_TARGET_PROPERTY, "quality", VW_UNIT_TENTH },
  END,
};

/* flacenc lists 9 ("insane") but fails to start with it; FFmpeg's 9 to 12 are its own encoder's
 * levels.  Refused at configuration rather than once encoding has started. */
static const VwChoice flac_levels[] = {
  { "0", NULL, "0" }, { "1", NULL, "1" }, { "2", NULL, "2" }, { "3", NULL, "3" }, { "4", NULL, "4" },
  { "5", NULL, "5" }, { "6", NULL, "6" }, { "7", NULL, "7" }, { "8", NULL, "8" }, { NULL },
};

static const VwOption flac_options[] = {
  { "compression_level", VW_TARGET_PROPERTY, "quality", VW_UNIT_SAME, NULL, NULL, flac_levels },
  END,
};

static const VwOption mp2_twolame_options[] = {
  { "b", VW_TARGET_PROPERTY, "bitrate", VW_UNIT_KILO },
  END,
};

/* libopus in FFmpeg defaults to 64 kbit/s a stream plus 32 a coupled pair (320k for 5.1);
 * opusenc to 64 kbit/s whatever the channels, which smears 5.1 channels into each other. */
static const char *const opus_bitrates[] = {
  NULL, "bitrate=64000", "bitrate=96000", "bitrate=160000", "bitrate=192000",
  "bitrate=256000", "bitrate=320000", "bitrate=384000", "bitrate=416000",
};

/* Where GStreamer's defaults differ from FFmpeg's, `defaults` restores FFmpeg's behaviour, or
 * (av1enc's cpu-used 0, vpx's realtime deadline) picks a speed that is not glacial. */
static const VwFamily families[] = {
#define X264_DEFAULTS "pass=qual quantizer=23 bitrate=2048000 vbv-buf-capacity=0 key-int-max=250"
  { "x264enc", X264_DEFAULTS, "option-string", x264_options, NULL, FALSE, FALSE, NULL, NULL, FALSE,
    X264_PARAM_CHECK, "x264-params", "threads=1" },
  /* FFmpeg's libx264rgb: H.264 4:4:4 whose planes are G, B, R, tagged with the identity matrix.
   * x264enc would write the VUI from its caps, and GStreamer's Y444 caps cannot say "RGB
   * matrix": so no VUI from the caps, x264's own colormatrix and fullrange instead. */
  { "x264enc", X264_DEFAULTS " insert-vui=false", "option-string", x264_options, NULL, FALSE, FALSE,
    "colormatrix=GBR:fullrange=on", "libx264rgb", TRUE, X264_PARAM_CHECK, "x264-params",
    "threads=1" },
  /* x265 3.5's cuTree writes past a buffer of one int a lowres CU column (valgrind: 4 to 8
   * bytes, in FFmpeg's libx265 too) when a frame is 48 pixels wide or less: the process aborted
   * later, in free() ("corrupted size vs. prev_size"), at 16, 34 to 48 wide and so on.  Without
   * cuTree, valgrind finds no invalid write at 16 to 48 wide, 8 and 10 bits. */
  { "x265enc", "tune=0 key-int-max=250", "option-string", x265_options, NULL, FALSE, FALSE,
    "crf=28", NULL, FALSE, check_x265_param, "x265-params", .narrow_width = 48,
    .narrow_params = "cutree=0" },
  { "openh264enc", NULL, NULL, openh264_options },
  /* cpu-used: libvpx's VP8 default is 0, vp8enc's 4 lost 2.6 dB against FFmpeg at the same size;
   * 1 is within 0.2 dB of 0 and faster. */
  { "vp8enc", "deadline=1000000 cpu-used=1 keyframe-max-dist=128", NULL, vp8_options,
    .cpus_property = "threads" },
  /* cpu-used 1: 4 was 1.4 dB below FFmpeg's crf 32 at a smaller size; 1 is within 0.3 dB at 0.9x
   * its size, and still faster than FFmpeg's default.
   * lag-in-frames=0: vp9enc 1.22 flushes libvpx with one vpx_codec_encode (NULL) at EOS, which
   * returns only the frames that fill half of libvpx's output buffer (2× a raw frame): the rest
   * of libvpx's default 25-frame lookahead was lost (2 of 20 noisy frames came out).  One-pass
   * VP9 in good mode makes no alt-ref frames, so the lag bought nothing: the stream is
   * bit-identical.  (vp8enc's one pass forces lag 0 in libvpx; av1enc drains in a loop.) */
  { "vp9enc", "deadline=1000000 cpu-used=1 row-mt=true keyframe-max-dist=128 lag-in-frames=0", NULL,
    vp9_options, .cpus_property = "threads" },
  /* FFmpeg's libaom default is constant quality crf 32 (AOM_Q, cq-level 32).  av1enc 1.22 has no
   * cq-level, and its max-quantizer 0 made every frame near-lossless (1.5 MB where FFmpeg
   * writes 27 kB): the quantizer is pinned at 32, as the crf option does. */
  { "av1enc",
    "cpu-used=6 row-mt=true keyframe-max-dist=9999 end-usage=q min-quantizer=32 "
    "max-quantizer=32",
    NULL, aom_options },
  /* gst-libav 1.22.0 with FFmpeg 5.1 emits video packets without timestamps (PTS NONE from
   * every avenc_* video element, even behind videotestsrc): vidwrite rebuilds them, which is
   * exact as long as packets come out in input order, hence no B-frames (no `bf`). */
  /* FFmpeg's default for both is rate control at b=200k, which gst-libav 1.22 defeats (see
   * AVENC_NO_RATE): left alone they ran at the worst quantizer, 2 to 4 dB below FFmpeg.  A fixed
   * quantizer stands in, chosen on 320x240 clips (testsrc2 and moving gradients, 2 s and 10 s)
   * to be at least FFmpeg's PSNR at no more of its size on 2-second clips; FFmpeg's rate control
   * spends more at the start of a clip, so on long hard clips these files are larger (mpeg4:
   * 1.7x at +3.1 dB over 10 s), and on long easy ones smaller. */
  { "avenc_mpeg4", "qmin=12 qmax=12", NULL, avenc_options, NULL, TRUE, TRUE },
  /* JPEG's YUV is full range (JFIF), and FFmpeg's mjpeg takes only yuvj420p and the like: in
   * limited range the same q:v 4 was 0.97 dB below FFmpeg, in full range 0.02 dB. */
  { "avenc_mjpeg", "qmin=16 qmax=16", NULL, avenc_options, NULL, TRUE, TRUE, .full_range = TRUE },
  { "avenc_ffv1", NULL, NULL, avenc_options, NULL, TRUE, TRUE },
  { "avenc_prores_ks", NULL, NULL, avenc_options, NULL, TRUE, TRUE },
  { "avenc_png", NULL, NULL, avenc_options, NULL, TRUE, TRUE },
  /* MPEG-2 (not MPEG-1); without the Main-level checks, whose level the codec row corrects. */
  /* FFmpeg's mpeg2video aims at b=200k but no worse than quantizer 31, and on the test clips it
   * wrote 300 to 580 kbit/s; mpeg2enc meets its bitrate (1125 kbit/s by default) whatever the
   * quality, 2.2 dB below FFmpeg at 200k.  At 400k it is at least FFmpeg's PSNR on 2 s and 10 s
   * clips, 1.35x its size on the long hard one.
   * disable-encode-retries: mpeg2enc encodes a picture again when it misses its bit budget, which
   * took half of its time for 0.1 to 0.4 dB (2.04 s -> 1.08 s on 60 640x360 frames). */
  { "mpeg2enc", "format=3 constraints=false bitrate=400 disable-encode-retries=true", NULL,
    mpeg2enc_options },
  /* FFmpeg's b=200k; theoraenc's default quality 48 wrote 7x FFmpeg's size.  FFmpeg never drops
   * frames to meet the rate; theoraenc did at 1080p. */
  { "theoraenc", "bitrate=200 drop-frames=false", NULL, theora_options },
  { "jpegenc", NULL, NULL, jpegenc_options, .full_range = TRUE },
  { "pngenc", NULL, NULL, pngenc_options },
  { "capsfilter", NULL, NULL, raw_options },
  { "nvh264enc", NULL, NULL, nvbase_options },
  { "nvh265enc", NULL, NULL, nvbase_options },
  { "nvcudah264enc", NULL, NULL, nvencoder_options },
  { "nvcudah265enc", NULL, NULL, nvencoder_options },
  { "vah264enc", NULL, NULL, va_options },
  { "vah264lpenc", NULL, NULL, va_options },
  { "vah265enc", NULL, NULL, va_options },
  { "vah265lpenc", NULL, NULL, va_options },
  { "vaapih264enc", NULL, NULL, vaapi_options },
  { "vaapih265enc", NULL, NULL, vaapi_options },
  { "qsvh264enc", NULL, NULL, qsv_options },
  { "qsvh265enc", NULL, NULL, qsv_options },
  { "msdkh264enc", NULL, NULL, msdk_options },
  { "msdkh265enc", NULL, NULL, msdk_options },
  { "avenc_aac", NULL, NULL, bits_options },
  /* voaacenc does not drain at the end of the stream: it drops a last, partial frame and keeps
   * its delay (1600 samples, the audio's start in the file): a 48100-sample tone came back with
   * 45504 of them, a 300-sample one with none.  The end is padded with silence to a whole frame
   * and as many more as hold the delay; FFmpeg's encoders (and the others here) pad too. */
  { "voaacenc", NULL, NULL, bits_options, .whole_frames = 1024, .unflushed = 1600 },
  { "avenc_ac3", NULL, NULL, bits_options },
  /* FFmpeg's mp2 encoder delays its output by 481 samples and has nothing to drain them with:
   * FFmpeg's own files lose the last 481 samples less the final frame's padding (199 of 48100).
   * Silence pushes them out. */
  { "avenc_mp2", NULL, NULL, bits_options, .whole_frames = 1152, .unflushed = 481 },
  { "twolamemp2enc", NULL, NULL, mp2_twolame_options },
  { "lamemp3enc", NULL, NULL, lame_options },
  /* Under one frame, opusenc's stream came out with its pre-skip unapplied: 312 samples of
   * silence first and as many of the end lost (all of 300 samples).  At the end it drains one
   * frame, less than Opus's 6.5 ms lookahead with 2.5 and 5 ms frames: 192 and 72 samples of
   * 48000 were lost. */
  { "opusenc", "bitrate-type=vbr", NULL, opus_options, opus_bitrates,
    .frame_ms_property = "frame-size", .lookahead_ms = 6.5 },
  { "vorbisenc", NULL, NULL, vorbis_options },
  { "flacenc", NULL, NULL, flac_options },
};

static const VwChoice faststart_flags[] = {
  { "+faststart", "faststart", "true" },
  { "faststart", "faststart", "true" },
  { NULL },
};

/* FFmpeg's colour names -> a field of GstVideoColorimetry and GStreamer's nick of the value. */
static const VwChoice colorspaces[] = {
  { "bt709", "matrix", "bt709" },
  { "bt470bg", "matrix", "bt601" },
  { "smpte170m", "matrix", "bt601" },
  { "bt2020nc", "matrix", "bt2020" },
  { "smpte240m", "matrix", "smpte240m" },
  { "fcc", "matrix", "fcc" },
  { NULL },
};

static const VwChoice color_ranges[] = {
  { "tv", "range", "16-235" },
  { "mpeg", "range", "16-235" },
  { "limited", "range", "16-235" },
  { "pc", "range", "0-255" },
  { "jpeg", "range", "0-255" },
  { "full", "range", "0-255" },
  { NULL },
};

static const VwChoice color_primaries[] = {
  { "bt709", "primaries", "bt709" },         { "bt470m", "primaries", "bt470m" },
  { "bt470bg", "primaries", "bt470bg" },     { "smpte170m", "primaries", "smpte170m" },
  { "smpte240m", "primaries", "smpte240m" }, { "film", "primaries", "film" },
  { "bt2020", "primaries", "bt2020" },       { "smpte428", "primaries", "smptest428" },
  { "smpte431", "primaries", "smpterp431" }, { "smpte432", "primaries", "smpteeg432" },
  { "jedec-p22", "primaries", "ebu3213" },   { NULL },
};

static const VwChoice color_trcs[] = {
  { "bt709", "transfer", "bt709" },
  { "gamma22", "transfer", "gamma22" },
  { "gamma28", "transfer", "gamma28" },
  { "smpte170m", "transfer", "bt601" },
  { "smpte240m", "transfer", "smpte240m" },
  { "linear", "transfer", "gamma10" },
  { "log100", "transfer", "log100" },
  { "log316", "transfer", "log316" },
  { "iec61966-2-1", "transfer", "srgb" },
  { "bt2020-10", "transfer", "bt2020-10" },
  { "bt2020-12", "transfer", "bt2020-12" },
  { "smpte2084", "transfer", "smpte2084" },
  { "arib-std-b67", "transfer", "arib-std-b67" },
  { NULL },
};

/* Options every video encoder takes: they act on the pipeline, not on the element. */
static const VwOption common_video_options[] = {
  { "pix_fmt", VW_TARGET_PIX_FMT },
  { "colorspace", VW_TARGET_COLOUR, NULL, VW_UNIT_SAME, NULL, NULL, colorspaces },
  { "color_range", VW_TARGET_COLOUR, NULL, VW_UNIT_SAME, NULL, NULL, color_ranges },
  { "color_primaries", VW_TARGET_COLOUR, NULL, VW_UNIT_SAME, NULL, NULL, color_primaries },
  { "color_trc", VW_TARGET_COLOUR, NULL, VW_UNIT_SAME, NULL, NULL, color_trcs },
  { "movflags", VW_TARGET_MUXER, NULL, VW_UNIT_SAME, NULL, NULL, faststart_flags },
  /* FFmpeg's microseconds; mp4mux's and qtmux's milliseconds (fragmented MP4 at any target). */
  { "frag_duration", VW_TARGET_MUXER, "fragment-duration", VW_UNIT_KILO },
  END,
};

typedef struct
{
  const char *ffmpeg;
  GstVideoFormat format;
} VwPixFmt;

static const VwPixFmt pix_fmts[] = {
  { "yuv420p", GST_VIDEO_FORMAT_I420 },
  { "yuvj420p", GST_VIDEO_FORMAT_I420 },
  { "yuv422p", GST_VIDEO_FORMAT_Y42B },
  { "yuv444p", GST_VIDEO_FORMAT_Y444 },
  { "nv12", GST_VIDEO_FORMAT_NV12 },
  { "nv21", GST_VIDEO_FORMAT_NV21 },
  { "yuv420p10le", GST_VIDEO_FORMAT_I420_10LE },
  { "yuv422p10le", GST_VIDEO_FORMAT_I422_10LE },
  { "yuv444p10le", GST_VIDEO_FORMAT_Y444_10LE },
  { "gray", GST_VIDEO_FORMAT_GRAY8 },
  { "gray16le", GST_VIDEO_FORMAT_GRAY16_LE },
  { "rgb24", GST_VIDEO_FORMAT_RGB },
  { "bgr24", GST_VIDEO_FORMAT_BGR },
  { "rgba", GST_VIDEO_FORMAT_RGBA },
  { "bgra", GST_VIDEO_FORMAT_BGRA },
  { "rgb0", GST_VIDEO_FORMAT_RGBx },
  { "bgr0", GST_VIDEO_FORMAT_BGRx },
  { "gbrp", GST_VIDEO_FORMAT_GBR },
  { "gbrp10le", GST_VIDEO_FORMAT_GBR_10LE },
  { "yuva420p", GST_VIDEO_FORMAT_A420 },
};

/* The family for a factory: the one for `codec` (nullable) if there is one, else the general. */
static const VwFamily *
find_codec_family (const char *factory, const char *codec)
{
  const VwFamily *general = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (families); i++)
    if (g_str_equal (families[i].factory, factory))
      {
        if (families[i].codec && codec && g_str_equal (families[i].codec, codec))
          return &families[i];
        if (!families[i].codec && !general)
          general = &families[i];
      }
  return general;
}

static const VwFamily *
find_family (const char *factory)
{
  return find_codec_family (factory, NULL);
}

static const VwOption *
find_option (const VwOption *rows, const char *key)
{
  for (; rows && rows->key; rows++)
    if (g_str_equal (rows->key, key))
      return rows;
  return NULL;
}

/* A number as FFmpeg writes it: "300k", "1.5M", "2G", "23", "-1", "0x10". */
gboolean
vw_parse_number (const char *text, double *value)
{
  static const struct
  {
    char suffix;
    double scale;
  } suffixes[] = { { 'k', 1e3 }, { 'K', 1e3 }, { 'M', 1e6 }, { 'G', 1e9 } };
  char *end = NULL;
  double v;

  if (!text || !*text || g_ascii_isspace (*text))
    return FALSE;
  v = g_ascii_strtod (text, &end);
  if (end == text || !isfinite (v))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (*end == suffixes[i].suffix)
      {
        v *= suffixes[i].scale;
        end++;
        break;
      }
  if (*end != '\0')
    return FALSE;
  *value = v;
  return TRUE;
}

typedef struct
{
  const char *codec; /* for messages */
  const char *key;
  const char *value; /* as the caller gave it */
  GstElement *element;
  const char *muxer_factory; /* the container's, for VW_TARGET_MUXER */
  gboolean gbr;              /* the family codes RGB as G, B, R planes */
} VwContext;

static gboolean
option_error (const VwContext *ctx, GError **error, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
option_error (const VwContext *ctx, GError **error, const char *fmt, ...)
{
  va_list args;
  g_autofree char *why = NULL;

  va_start (args, fmt);
  why = g_strdup_vprintf (fmt, args);
  va_end (args);
  vw_set_error (error, VIDWRITE_ERROR_INVALID_OPTION,
               "option “%s” = “%s” for %s (%s): %s", ctx->key, ctx->value, ctx->codec,
               GST_OBJECT_NAME (gst_element_get_factory (ctx->element)), why);
  return FALSE;
}

static gboolean
is_numeric_type (GType type)
{
  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_INT:
    case G_TYPE_UINT:
    case G_TYPE_LONG:
    case G_TYPE_ULONG:
    case G_TYPE_INT64:
    case G_TYPE_UINT64:
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
pspec_range (GParamSpec *pspec, double *lo, double *hi)
{
#define RANGE(TYPE, CAST)                                                                          \
  if (G_IS_PARAM_SPEC_##TYPE (pspec))                                                              \
    {                                                                                              \
      *lo = (double) CAST (pspec)->minimum;                                                        \
      *hi = (double) CAST (pspec)->maximum;                                                        \
      return;                                                                                      \
    }
  RANGE (INT, G_PARAM_SPEC_INT)
  RANGE (UINT, G_PARAM_SPEC_UINT)
  RANGE (LONG, G_PARAM_SPEC_LONG)
  RANGE (ULONG, G_PARAM_SPEC_ULONG)
  RANGE (INT64, G_PARAM_SPEC_INT64)
  RANGE (UINT64, G_PARAM_SPEC_UINT64)
  RANGE (FLOAT, G_PARAM_SPEC_FLOAT)
  RANGE (DOUBLE, G_PARAM_SPEC_DOUBLE)
#undef RANGE
  *lo = -INFINITY;
  *hi = INFINITY;
}

static gboolean
set_number (const VwContext *ctx, GParamSpec *pspec, double v, GError **error)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);
  g_auto (GValue) value = G_VALUE_INIT;
  double lo, hi;

  pspec_range (pspec, &lo, &hi);
  if (v < lo || v > hi)
    return option_error (ctx, error, "%s is out of range for its property “%s” (%.15g to %.15g)",
                         ctx->value, pspec->name, lo, hi);
  if (G_TYPE_FUNDAMENTAL (type) != G_TYPE_FLOAT && G_TYPE_FUNDAMENTAL (type) != G_TYPE_DOUBLE &&
      v != floor (v))
    return option_error (ctx, error, "its property “%s” takes a whole number", pspec->name);

  g_value_init (&value, type);
  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_INT: g_value_set_int (&value, (gint) v); break;
    case G_TYPE_UINT: g_value_set_uint (&value, (guint) v); break;
    case G_TYPE_LONG: g_value_set_long (&value, (glong) v); break;
    case G_TYPE_ULONG: g_value_set_ulong (&value, (gulong) v); break;
    case G_TYPE_INT64: g_value_set_int64 (&value, (gint64) v); break;
    case G_TYPE_UINT64: g_value_set_uint64 (&value, (guint64) v); break;
    case G_TYPE_FLOAT: g_value_set_float (&value, (float) v); break;
    case G_TYPE_DOUBLE: g_value_set_double (&value, v); break;
    default: g_assert_not_reached ();
    }
  g_object_set_property (G_OBJECT (ctx->element), pspec->name, &value);
  return TRUE;
}

static char *
enum_nicks (GType type)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (type);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < klass->n_values; i++)
    g_string_append_printf (out, "%s%s", i ? ", " : "", klass->values[i].value_nick);
  return g_string_free (out, FALSE);
}

static char *
flags_nicks (GType type)
{
  g_autoptr (GFlagsClass) klass = g_type_class_ref (type);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < klass->n_values; i++)
    g_string_append_printf (out, "%s%s", i ? ", " : "", klass->values[i].value_nick);
  return g_string_free (out, FALSE);
}

/* Sets a property from text in the element's own units, checking what
 * gst_util_set_object_arg() would let slip: unknown names, bad parses, out-of-range numbers. */
static gboolean
set_property_text (const VwContext *ctx, const char *property, const char *text, GError **error)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (ctx->element), property);
  GType type;
  double number;

  /* GstObject's and GstElement's own properties (name, parent) are the writer's, not options. */
  if (!pspec || !(pspec->flags & G_PARAM_WRITABLE) || (pspec->flags & G_PARAM_CONSTRUCT_ONLY) ||
      g_type_is_a (GST_TYPE_ELEMENT, pspec->owner_type))
    return option_error (ctx, error, "the element has no writable property “%s”", property);
  type = G_PARAM_SPEC_VALUE_TYPE (pspec);

  if (is_numeric_type (type))
    {
      if (!vw_parse_number (text, &number))
        return option_error (ctx, error, "“%s” is not a number", text);
      return set_number (ctx, pspec, number, error);
    }

  if (G_TYPE_FUNDAMENTAL (type) == G_TYPE_BOOLEAN)
    {
      static const char *const yes[] = { "1", "true", "yes", "on", NULL };
      static const char *const no[] = { "0", "false", "no", "off", NULL };
      g_autofree char *lower = g_ascii_strdown (text, -1);

      if (g_strv_contains (yes, lower))
        g_object_set (ctx->element, property, TRUE, NULL);
      else if (g_strv_contains (no, lower))
        g_object_set (ctx->element, property, FALSE, NULL);
      else
        return option_error (ctx, error, "“%s” is not a boolean (1/0, true/false)", text);
      return TRUE;
    }

  if (G_TYPE_IS_ENUM (type))
    {
      g_autoptr (GEnumClass) klass = g_type_class_ref (type);
      GEnumValue *ev = g_enum_get_value_by_nick (klass, text);
      char *end = NULL;
      gint64 n;

      if (!ev)
        ev = g_enum_get_value_by_name (klass, text);
      if (!ev && *text && (n = g_ascii_strtoll (text, &end, 10), *end == '\0'))
        ev = g_enum_get_value (klass, (gint) n);
      if (!ev)
        {
          g_autofree char *nicks = enum_nicks (type);
          return option_error (ctx, error, "“%s” is not one of %s", text, nicks);
        }
      g_object_set (ctx->element, property, ev->value, NULL);
      return TRUE;
    }

  if (G_TYPE_IS_FLAGS (type))
    {
      g_autoptr (GFlagsClass) klass = g_type_class_ref (type);
      g_auto (GStrv) parts = g_strsplit_set (text, "+|", -1);
      guint flags = 0;

      for (guint i = 0; parts[i]; i++)
        {
          GFlagsValue *fv = g_flags_get_value_by_nick (klass, parts[i]);

          if (!fv)
            fv = g_flags_get_value_by_name (klass, parts[i]);
          if (!fv)
            {
              g_autofree char *nicks = flags_nicks (type);
              return option_error (ctx, error, "“%s” is not one of %s", parts[i], nicks);
            }
          flags |= fv->value;
        }
      g_object_set (ctx->element, property, flags, NULL);
      return TRUE;
    }

  if (G_TYPE_FUNDAMENTAL (type) == G_TYPE_STRING)
    {
      g_object_set (ctx->element, property, text, NULL);
      return TRUE;
    }

  {
    g_auto (GValue) value = G_VALUE_INIT;

    g_value_init (&value, type);
    if (!gst_value_deserialize (&value, text))
      return option_error (ctx, error, "“%s” does not parse as a %s", text, g_type_name (type));
    g_object_set_property (G_OBJECT (ctx->element), property, &value);
  }
  return TRUE;
}

/* "a=1 b=2": the family's defaults and a row's `also`; the tables' own words, not the user's. */
static gboolean
set_assignments (const VwContext *ctx, const char *assignments, GError **error)
{
  g_auto (GStrv) words = g_strsplit (assignments, " ", -1);

  for (guint i = 0; words[i]; i++)
    {
      g_auto (GStrv) kv = g_strsplit (words[i], "=", 2);

      g_assert (kv[0] && kv[1]);
      if (!set_property_text (ctx, kv[0], kv[1], error))
        return FALSE;
    }
  return TRUE;
}

/* One thread a CPU, as far as `property` of `element` goes (libvpx's threads: 64). */
static double
cpu_count (GstElement *element, const char *property)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element), property);
  double lo = 0, hi = G_MAXINT;

  if (pspec)
    pspec_range (pspec, &lo, &hi);
  return MIN ((double)g_get_num_processors (), hi);
}

static gboolean
convert_unit (const VwContext *ctx, const VwOption *row, char **converted, GError **error)
{
  double v;

  if (row->unit == VW_UNIT_SAME || row->unit == VW_UNIT_DECIMAL)
    {
      *converted = g_strdup (ctx->value);
      return TRUE;
    }
  if (!vw_parse_number (ctx->value, &v))
    return option_error (ctx, error, "“%s” is not a number", ctx->value);
  if (row->unit == VW_UNIT_MS_OF_RATE || row->unit == VW_UNIT_KBIT_MS_OF_RATE)
    {
      guint kbps = 0;

      g_object_get (ctx->element, row->ref, &kbps, NULL);
      v = kbps ? round (v / unit_rules[row->unit].divisor / kbps) : 0;
    }
  else if (v == 0 && row->unit == VW_UNIT_THREADS)
    v = cpu_count (ctx->element, row->name);
  else if (v == 0 && unit_rules[row->unit].zero_is_max)
    {
      GParamSpec *pspec
          = g_object_class_find_property (G_OBJECT_GET_CLASS (ctx->element), row->name);
      double lo = 0, hi = 0;

      if (pspec)
        pspec_range (pspec, &lo, &hi);
      v = hi;
    }
  else
    v /= unit_rules[row->unit].divisor;
  *converted = g_strdup_printf (
      "%.15g", unit_rules[row->unit].divisor > 1 && row->unit != VW_UNIT_TENTH ? round (v) : v);
  return TRUE;
}

static char *
choice_list (const VwChoice *choices)
{
  GString *out = g_string_new (NULL);

  for (const VwChoice *c = choices; c->value; c++)
    g_string_append_printf (out, "%s%s", out->len ? ", " : "", c->value);
  return g_string_free (out, FALSE);
}

/* The items of a comma-separated value, each looked up among the row's choices, grouped by the
 * property they set: "zerolatency,film" -> tune=zerolatency, psy-tune=film. */
static gboolean
resolve_choices (const VwContext *ctx, const VwOption *row, GHashTable *assignments,
                 GError **error)
{
  g_auto (GStrv) items = g_strsplit (ctx->value, ",", -1);

  for (guint i = 0; items[i]; i++)
    {
      const VwChoice *c = row->choices;

      double v;

      while (c->value && !g_str_equal (c->value, items[i]))
        c++;
      /* FFmpeg's qscale is a float ("4.0", "2.5"): its codec rounds it to a whole quantiser. */
      if (!c->value && row->lo < row->hi && vw_parse_number (items[i], &v))
        {
          g_autofree char *whole = g_strdup_printf ("%.0f", round (v));

          for (c = row->choices; c->value && !g_str_equal (c->value, whole); c++)
            ;
        }
      if (!c->value)
        {
          g_autofree char *list = choice_list (row->choices);
          return option_error (ctx, error, "“%s” is not one of %s", items[i], list);
        }
      const char *name = c->name ? c->name : row->name;
      const char *prev = g_hash_table_lookup (assignments, name);
      g_hash_table_insert (assignments, (char *) name,
                           prev ? g_strconcat (prev, "+", c->target, NULL) : g_strdup (c->target));
    }
  return TRUE;
}

static char *
format_list (GstElement *encoder)
{
  GstPad *sink = gst_element_get_static_pad (encoder, "sink");
  g_autoptr (GstCaps) caps = sink ? gst_pad_query_caps (sink, NULL) : NULL;
  GString *out = g_string_new (NULL);

  for (guint i = 0; caps && i < gst_caps_get_size (caps); i++)
    {
      const GValue *formats = gst_structure_get_value (gst_caps_get_structure (caps, i), "format");

      for (guint j = 0; formats && GST_VALUE_HOLDS_LIST (formats) && j < gst_value_list_get_size (formats); j++)
        {
          const char *f = g_value_get_string (gst_value_list_get_value (formats, j));
          for (guint k = 0; k < G_N_ELEMENTS (pix_fmts); k++)
            if (g_str_equal (gst_video_format_to_string (pix_fmts[k].format), f) &&
                !strstr (out->str, pix_fmts[k].ffmpeg))
              {
                g_string_append_printf (out, "%s%s", out->len ? ", " : "", pix_fmts[k].ffmpeg);
                break;
              }
        }
      if (formats && G_VALUE_HOLDS_STRING (formats))
        g_string_append_printf (out, "%s%s", out->len ? ", " : "", g_value_get_string (formats));
    }
  g_clear_object (&sink);
  return g_string_free (out, FALSE);
}

/* What FFmpeg's libx264rgb takes: all of them become the same G, B, R planes. */
static const char *const gbr_pix_fmts[] = { "rgb24", "bgr24", "bgr0", "gbrp", NULL };

static gboolean
apply_pix_fmt (const VwContext *ctx, VwEncoderSettings *settings, GError **error)
{
  const VwPixFmt *found = NULL;

  if (ctx->gbr)
    {
      g_autofree char *list = g_strjoinv (", ", (char **) gbr_pix_fmts);

      if (g_strv_contains (gbr_pix_fmts, ctx->value))
        return TRUE;
      vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                    "pix_fmt “%s” cannot be coded by %s, which codes RGB only (%s)", ctx->value,
                    ctx->codec, list);
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (pix_fmts); i++)
    if (g_str_equal (pix_fmts[i].ffmpeg, ctx->value))
      found = &pix_fmts[i];
  if (!found)
    {
      GString *known = g_string_new (NULL);
      for (guint i = 0; i < G_N_ELEMENTS (pix_fmts); i++)
        g_string_append_printf (known, "%s%s", i ? ", " : "", pix_fmts[i].ffmpeg);
      option_error (ctx, error, "unknown pixel format (known: %s)", known->str);
      g_string_free (known, TRUE);
      return FALSE;
    }

  GstPad *sink = gst_element_get_static_pad (ctx->element, "sink");
  g_autoptr (GstCaps) accepted = gst_pad_query_caps (sink, NULL);
  g_autoptr (GstCaps) wanted = gst_caps_new_simple (
      "video/x-raw", "format", G_TYPE_STRING, gst_video_format_to_string (found->format), NULL);
  gboolean ok = gst_caps_can_intersect (accepted, wanted);

  gst_object_unref (sink);
  if (!ok)
    {
      g_autofree char *list = format_list (ctx->element);
      vw_set_error (error, VIDWRITE_ERROR_INCOMPATIBLE,
                   "pix_fmt “%s” cannot be fed to %s (%s); it takes %s", ctx->value, ctx->codec,
                   GST_OBJECT_NAME (gst_element_get_factory (ctx->element)), list);
      return FALSE;
    }
  settings->pix_fmt = found->format;
  return TRUE;
}

/* The colorimetry fields, by the names the choices give them. */
static const struct
{
  const char *name;
  guint given; /* its bit in VwEncoderSettings.colour_given */
} colour_fields[] = { { "matrix", 1 }, { "range", 2 }, { "primaries", 4 }, { "transfer", 8 } };

static GType
colour_field_type (guint i)
{
  switch (i)
    {
    case 0:
      return GST_TYPE_VIDEO_COLOR_MATRIX;
    case 1:
      return GST_TYPE_VIDEO_COLOR_RANGE;
    case 2:
      return GST_TYPE_VIDEO_COLOR_PRIMARIES;
    default:
      return GST_TYPE_VIDEO_TRANSFER_FUNCTION;
    }
}

static gboolean
apply_colour (const VwContext *ctx, const VwOption *row, VwEncoderSettings *settings,
              GError **error)
{
  const VwChoice *c = row->choices;
  GstVideoColorimetry *colorimetry = &settings->colorimetry;
  gint *fields[] = { (gint *)&colorimetry->matrix, (gint *)&colorimetry->range,
                     (gint *)&colorimetry->primaries, (gint *)&colorimetry->transfer };

  while (c->value && !g_str_equal (c->value, ctx->value))
    c++;
  if (!c->value)
    {
      g_autofree char *list = choice_list (row->choices);
      return option_error (ctx, error, "“%s” is not one of %s", ctx->value, list);
    }
  if (ctx->gbr)
    return option_error (ctx, error,
                         "this codec writes RGB as it is, with no matrix or range "
                         "to choose");
  for (guint i = 0; i < G_N_ELEMENTS (colour_fields); i++)
    if (g_str_equal (colour_fields[i].name, c->name))
      {
        g_autoptr (GEnumClass) klass = g_type_class_ref (colour_field_type (i));
        GEnumValue *value = g_enum_get_value_by_nick (klass, c->target);

        g_assert (value);
        *fields[i] = value->value;
        settings->colour_given |= colour_fields[i].given;
      }
  return TRUE;
}

/* A matrix given alone brings its usual primaries and transfer (colorspace=bt709 tags BT.709
 * throughout, as GStreamer's "bt709" colorimetry does); what is given explicitly stays. */
static void
complete_colorimetry (VwEncoderSettings *settings)
{
  static const struct
  {
    GstVideoColorMatrix matrix;
    const char *named;
  } usual[] = {
    { GST_VIDEO_COLOR_MATRIX_BT709, GST_VIDEO_COLORIMETRY_BT709 },
    { GST_VIDEO_COLOR_MATRIX_BT2020, GST_VIDEO_COLORIMETRY_BT2020 },
    { GST_VIDEO_COLOR_MATRIX_SMPTE240M, GST_VIDEO_COLORIMETRY_SMPTE240M },
  };
  GstVideoColorimetry *c = &settings->colorimetry, base;

  if (!(settings->colour_given & 1))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (usual); i++)
    if (usual[i].matrix == c->matrix && gst_video_colorimetry_from_string (&base, usual[i].named))
      {
        if (!(settings->colour_given & 4))
          c->primaries = base.primaries;
        if (!(settings->colour_given & 8))
          c->transfer = base.transfer;
      }
}

/* A value the row's property cannot hold (a fraction, or past its maximum) goes to the params
 * through the row's `exact` format; the property gets the nearest whole number below. */
static gboolean
exact_in_params (const VwContext *ctx, const VwOption *row, GString *params, char **converted,
                 GError **error)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (ctx->element), row->name);
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  double v, lo, hi;

  if (!pspec || !vw_parse_number (*converted, &v))
    return option_error (ctx, error, "“%s” is not a number", ctx->value);
  pspec_range (pspec, &lo, &hi);
  if (v == floor (v) && v >= lo && v <= hi)
    return TRUE;
  if (params->len)
    g_string_append_c (params, ':');
  g_string_append_printf (params, row->exact, g_ascii_formatd (number, sizeof number, "%.6g", v));
  g_free (*converted);
  *converted = g_strdup_printf ("%.0f", CLAMP (floor (v), lo, hi));
  return TRUE;
}

static gboolean
apply_row (const VwContext *ctx, const VwOption *row, GString *params, VwEncoderSettings *settings,
           GError **error)
{
  VwContext muxer_ctx;
  double v;

  if (row->lo < row->hi && (!vw_parse_number (ctx->value, &v) || v < row->lo || v > row->hi))
    return option_error (ctx, error, "it takes a number from %g to %g", row->lo, row->hi);
  if (row->unit == VW_UNIT_ZERO_UNSET && vw_parse_number (ctx->value, &v) && v == 0)
    return TRUE;
  if (row->also && !set_assignments (ctx, row->also, error))
    return FALSE;

  switch (row->target)
    {
    case VW_TARGET_PIX_FMT:
      return apply_pix_fmt (ctx, settings, error);

    case VW_TARGET_COLOUR:
      return apply_colour (ctx, row, settings, error);

    case VW_TARGET_REFUSED:
      return option_error (ctx, error, "%s", row->name);

    case VW_TARGET_PARAMS:
      {
        g_autofree char *converted = NULL;
        char number[G_ASCII_DTOSTR_BUF_SIZE];

        if (!convert_unit (ctx, row, &converted, error))
          return FALSE;
        if (!vw_parse_number (converted, &v) || (v != floor (v) && row->unit != VW_UNIT_DECIMAL))
          return option_error (ctx, error, "“%s” is not a whole number", ctx->value);
        g_string_append_printf (params, "%s%s=%s", params->len ? ":" : "", row->name,
                                g_ascii_formatd (number, sizeof number, "%.15g", v));
        return TRUE;
      }

    case VW_TARGET_RAW_PARAMS:
      {
        g_auto (GStrv) pairs = g_strsplit (ctx->value, ":", -1);

        for (guint i = 0; pairs[i]; i++)
          {
            const char *eq = strchr (pairs[i], '=');
            const char *why;

            if (!eq || eq == pairs[i] || eq[1] == '\0')
              return option_error (ctx, error, "“%s” is not of the form key=value", pairs[i]);
            if (row->check)
              {
                g_autofree char *key = g_strndup (pairs[i], eq - pairs[i]);
                gboolean bad_name;

                if ((why = row->check (key, eq + 1, &bad_name)))
                  return option_error (ctx, error, "“%s”: %s", pairs[i], why);
              }
          }
        g_string_append_printf (params, "%s%s", params->len ? ":" : "", ctx->value);
        return TRUE;
      }

    case VW_TARGET_MUXER:
      if (!settings->muxer)
        {
          settings->muxer = gst_element_factory_make (ctx->muxer_factory, NULL);
          if (!settings->muxer)
            return option_error (ctx, error, "the muxer %s is not installed", ctx->muxer_factory);
          gst_object_ref_sink (settings->muxer);
        }
      muxer_ctx
          = (VwContext){ ctx->codec, ctx->key, ctx->value, settings->muxer, ctx->muxer_factory };
      ctx = &muxer_ctx;
      break;

    case VW_TARGET_CAPS:
    case VW_TARGET_PROPERTY:
      break;
    }

  g_autoptr (GHashTable) assignments = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  if (row->choices)
    {
      if (!resolve_choices (ctx, row, assignments, error))
        return FALSE;
    }
  else
    {
      char *converted = NULL;

      if (!convert_unit (ctx, row, &converted, error))
        return FALSE;
      if (row->exact && !exact_in_params (ctx, row, params, &converted, error))
        {
          g_free (converted);
          return FALSE;
        }
      g_hash_table_insert (assignments, (char *) row->name, converted);
    }

  GHashTableIter iter;
  gpointer name, text;
  g_hash_table_iter_init (&iter, assignments);
  while (g_hash_table_iter_next (&iter, &name, &text))
    {
      if (row->target == VW_TARGET_CAPS)
        gst_structure_set (settings->encoder_caps, name, G_TYPE_STRING, text, NULL);
      else if (!set_property_text (ctx, name, text, error))
        return FALSE;
    }
  return TRUE;
}

/* Each key once (a key may have several rows), without the refused ones. */
static GStrv
list_keys (const VwFamily *family, VwMedia media)
{
  g_autoptr (GStrvBuilder) keys = g_strv_builder_new ();
  const VwOption *const tables[]
      = { media == VW_MEDIA_VIDEO ? common_video_options : NULL, family ? family->options : NULL };

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    for (const VwOption *row = tables[t]; row && row->key; row++)
      if (find_option (tables[t], row->key) == row && row->target != VW_TARGET_REFUSED)
        g_strv_builder_add (keys, row->key);
  return g_strv_builder_end (keys);
}

static char *
known_keys (const VwFamily *family, VwMedia media)
{
  g_auto (GStrv) keys = list_keys (family, media);

  return g_strjoinv (", ", keys);
}

/* FFmpeg lets a stream specifier trail a key ("b:v", "q:a"); the dictionary is per stream. */
static char *
plain_key (const char *key, VwMedia media)
{
  gsize len = strlen (key);
  const char *suffix = media == VW_MEDIA_VIDEO ? ":v" : ":a";

  if (len > 2 && g_str_has_suffix (key, suffix))
    return g_strndup (key, len - 2);
  return g_strdup (key);
}

static GstStructure *
encoder_caps_template (GstElement *encoder)
{
  GstPad *src = gst_element_get_static_pad (encoder, "src");
  g_autoptr (GstCaps) caps = src ? gst_pad_get_pad_template_caps (src) : NULL;
  const char *name = caps && !gst_caps_is_empty (caps) && !gst_caps_is_any (caps)
                         ? gst_structure_get_name (gst_caps_get_structure (caps, 0))
                         : "video/x-unknown";

  g_clear_object (&src);
  return gst_structure_new_empty (name);
}

/* A key the family does not list but the element has as its own option: "quant_mat" ->
 * quant-mat.  NULL when there is no such property. */
static char *
own_option_property (const VwFamily *family, GstElement *encoder, const char *key)
{
  g_autofree char *name = g_strdelimit (g_strdup (key), "_", '-');

  if (family->own_options && g_object_class_find_property (G_OBJECT_GET_CLASS (encoder), name))
    return g_steal_pointer (&name);
  return NULL;
}

static gboolean
is_mapped (const VwFamily *family, VwMedia media, const char *key)
{
  return (family && find_option (family->options, key))
         || (media == VW_MEDIA_VIDEO && find_option (common_video_options, key));
}

/* The encoder's own parameters given as options, in the order given. */
typedef struct
{
  GHashTable *plain;   /* every key -> its value, as vw_options_apply() has them */
  GPtrArray *order;    /* the own parameters' keys (owned by `plain`) */
  GPtrArray *strings;  /* values split out of the own-params option */
} VwOwnParams;

static gboolean
insert_plain (const VwContext *ctx, GHashTable *plain, char *key, const char *value, GError **error)
{
  if (g_hash_table_contains (plain, key))
    {
      g_free (key);
      return option_error (ctx, error, "the option is given twice");
    }
  g_hash_table_insert (plain, key, (gpointer) value);
  return TRUE;
}

/* A key that is none of the family's: the encoder's own parameter ("bframes", "min-keyint"),
 * spelt as its parser spells it ('_' or '-').  One of x264enc's overwritten ones is taken by
 * its row.  Returns 1 when taken, 0 on error, -1 when the parser knows no such name. */
static int
take_own_param (const VwContext *ctx, const VwFamily *family, VwMedia media, const char *key,
                const char *value, VwOwnParams *own, GError **error)
{
  g_autofree char *name = g_strdelimit (g_strdup (key), "_", '-');
  const char *base = g_str_has_prefix (name, "no-") ? name + 3
                     : g_str_has_prefix (name, "no") ? name + 2
                                                      : NULL;
  const char *why;
  gboolean bad_name;

  if (is_mapped (family, media, name))
    return insert_plain (ctx, own->plain, g_steal_pointer (&name), value, error);
  if (strchr (value, ':'))
    return option_error (ctx, error, "the encoder's option-string separates parameters with “:”; "
                                     "give the value with “,”");
  if (base && is_mapped (family, media, base))
    return option_error (ctx, error, "give it as “%s”", base);
  if ((why = family->own_params (name, value, &bad_name)))
    return bad_name ? -1 : option_error (ctx, error, "%s", why);
  g_ptr_array_add (own->order, name);
  return insert_plain (ctx, own->plain, g_steal_pointer (&name), value, error);
}

/* "k=v:k=v", each an own parameter as if given on its own. */
static gboolean
expand_own_params (const VwContext *ctx, const VwFamily *family, VwMedia media, const char *text,
                   VwOwnParams *own, GError **error)
{
  g_auto (GStrv) pairs = g_strsplit (text, ":", -1);

  for (guint i = 0; pairs[i]; i++)
    {
      const char *eq = strchr (pairs[i], '=');
      char *key, *value;

      if (!eq || eq == pairs[i] || eq[1] == '\0')
        return option_error (ctx, error, "“%s” is not of the form key=value", pairs[i]);
      key = g_strndup (pairs[i], eq - pairs[i]);
      value = g_strdup (eq + 1);
      g_ptr_array_add (own->strings, key);
      g_ptr_array_add (own->strings, value);
      switch (take_own_param (ctx, family, media, key, value, own, error))
        {
        case -1:
          {
            gboolean bad_name;
            return option_error (ctx, error, "“%s”: %s", pairs[i],
                                 family->own_params (key, value, &bad_name));
          }
        case 0:
          g_prefix_error (error, "“%s” in ", pairs[i]);
          return FALSE;
        default:
          break;
        }
    }
  return TRUE;
}

/* Properties whose values must not cross, and the options that set them: mpeg2enc with a minimum
 * GOP above its maximum crashes the process ("Min GOP size must be <= Max GOP size", then
 * SIGSEGV), found by the generated writes. */
static const struct
{
  const char *low, *high;         /* properties (-1: the encoder's default) */
  const char *low_key, *high_key; /* FFmpeg options */
  gint high_default;              /* what -1 means for `high` (measured: keyint_min 15 works, 16
                                   * crashes with no g) */
} ordered[] = {
  { "min-gop-size", "max-gop-size", "keyint_min", "g", 15 },
};

static gboolean
check_ordered (GstElement *encoder, GHashTable *options, GError **error)
{
  GObjectClass *klass = G_OBJECT_GET_CLASS (encoder);

  for (guint i = 0; i < G_N_ELEMENTS (ordered); i++)
    {
      gint low = 0, high = 0;

      if (!g_object_class_find_property (klass, ordered[i].low) ||
          !g_object_class_find_property (klass, ordered[i].high))
        continue;
      g_object_get (encoder, ordered[i].low, &low, ordered[i].high, &high, NULL);
      if (high < 0)
        high = ordered[i].high_default;
      if (low > high)
        {
          vw_set_error (error, VIDWRITE_ERROR_INVALID_OPTION,
                        "option “%s” = “%s” for %s: it is above the GOP size “%s” (%d%s); give a "
                        "larger “%s” too",
                        ordered[i].low_key,
                        options && g_hash_table_lookup (options, ordered[i].low_key)
                            ? (const char *) g_hash_table_lookup (options, ordered[i].low_key)
                            : "?",
                        GST_OBJECT_NAME (gst_element_get_factory (encoder)), ordered[i].high_key,
                        high,
                        options && g_hash_table_contains (options, ordered[i].high_key)
                            ? ""
                            : ", the encoder's default",
                        ordered[i].high_key);
          return FALSE;
        }
    }
  return TRUE;
}

/* The audio frame the options left the encoder with, in ms (an enum's nick: opusenc's "2.5"). */
static void
read_frame_ms (GstElement *encoder, const VwFamily *family, VwEncoderSettings *settings)
{
  GValue value = G_VALUE_INIT;
  GParamSpec *pspec;
  g_autofree char *text = NULL;

  if (!family || !family->frame_ms_property
      || !(pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (encoder),
                                                 family->frame_ms_property)))
    return;
  g_value_init (&value, pspec->value_type);
  g_object_get_property (G_OBJECT (encoder), family->frame_ms_property, &value);
  if (G_VALUE_HOLDS_ENUM (&value))
    {
      GEnumValue *e = g_enum_get_value (G_ENUM_CLASS (g_type_class_peek (pspec->value_type)),
                                        g_value_get_enum (&value));

      text = g_strdup (e ? e->value_nick : "0");
    }
  else
    text = g_strdup_value_contents (&value);
  g_value_unset (&value);
  settings->frame_ms = g_ascii_strtod (text, NULL);
}

/* After everything else, however the encoder was named (its factory too): what keeps the
 * encoder's library from corrupting memory on narrow frames. */
static void
append_narrow_params (GstElement *encoder, const VwFamily *family, VwMedia media, guint width)
{
  g_autofree char *current = NULL;
  g_autofree char *joined = NULL;

  if (!family || !family->narrow_params || media != VW_MEDIA_VIDEO
      || width > family->narrow_width)
    return;
  g_object_get (encoder, family->params_property, &current, NULL);
  joined = current && *current ? g_strconcat (current, ":", family->narrow_params, NULL)
                               : g_strdup (family->narrow_params);
  g_object_set (encoder, family->params_property, joined, NULL);
}

/* FFmpeg's libvpx wrapper runs a thread a CPU (vp9enc's default is 8, vp8enc's 1): at 8 on two
 * CPUs, vp9enc took 1.2x the time it takes at 2 (0.60 s against 0.50). */
static gboolean
set_cpus (const VwContext *ctx, const char *property, GError **error)
{
  g_autofree char *count = g_strdup_printf ("%.0f", cpu_count (ctx->element, property));

  return set_property_text (ctx, property, count, error);
}

gboolean
vw_options_apply (GstElement *encoder, const char *codec_name, gboolean ffmpeg_names, VwMedia media,
                  guint channels, guint width, guint height, const char *muxer_factory,
                  GHashTable *options, VwEncoderSettings *settings, GError **error)
{
  const char *factory = GST_OBJECT_NAME (gst_element_get_factory (encoder));
  const VwFamily *family = ffmpeg_names ? find_codec_family (factory, codec_name) : NULL;
  /* The element's own family, however it was named: what its library needs whatever the options. */
  const VwFamily *element_family = find_family (factory);
  g_autoptr (GHashTable) plain = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) own_order = g_ptr_array_new ();
  g_autoptr (GPtrArray) own_strings = g_ptr_array_new_with_free_func (g_free);
  VwOwnParams ownp = { plain, own_order, own_strings };
  g_autoptr (GString) params = g_string_new (family ? family->default_params : NULL);
  VwContext ctx = { codec_name, NULL, NULL, encoder, muxer_factory, family && family->gbr };

  settings->encoder_caps = encoder_caps_template (encoder);
  settings->pix_fmt = ctx.gbr ? GST_VIDEO_FORMAT_Y444 : GST_VIDEO_FORMAT_UNKNOWN;
  settings->gbr_planes = ctx.gbr;
  gst_video_colorimetry_from_string (&settings->colorimetry, GST_VIDEO_COLORIMETRY_BT601);
  settings->colour_given = 0;
  if (family && family->full_range)
    settings->colorimetry.range = GST_VIDEO_COLOR_RANGE_0_255;
  settings->muxer = NULL;
  /* A property of the element, however it was named. */
  settings->restamp = element_family && element_family->restamp;
  settings->whole_frames = element_family ? element_family->whole_frames : 0;
  settings->unflushed = element_family ? element_family->unflushed : 0;
  settings->frame_ms = 0;
  settings->lookahead_ms = element_family ? element_family->lookahead_ms : 0;
  vw_log_route_library (encoder);

  if (family && family->defaults && !set_assignments (&ctx, family->defaults, error))
    return FALSE;
  if (family && family->by_channels && channels < 9 && family->by_channels[channels] &&
      !set_assignments (&ctx, family->by_channels[channels], error))
    return FALSE;
  if (family && family->cpus_property && !set_cpus (&ctx, family->cpus_property, error))
    return FALSE;
  if (family && family->small_frames && media == VW_MEDIA_VIDEO
      && (guint64)((width + 15) / 16) * ((height + 15) / 16) <= SMALL_FRAME_MBS
      && !set_assignments (&ctx, family->small_frames, error))
    return FALSE;

  if (options)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, options);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_autofree char *k = plain_key (key, media);
          g_autofree char *own = NULL;

          ctx.key = key;
          ctx.value = value ? value : "";
          if (!value)
            return option_error (&ctx, error, "the option has no value");
          if (family && family->own_params && g_str_equal (k, family->own_params_key))
            {
              if (!expand_own_params (&ctx, family, media, value, &ownp, error))
                return FALSE;
              continue;
            }
          if (family && !is_mapped (family, media, k)
              && !(own = own_option_property (family, encoder, k)))
            {
              int taken = family->own_params
                              ? take_own_param (&ctx, family, media, k, value, &ownp, error)
                              : -1;
              g_autofree char *known = NULL;

              if (taken >= 0)
                {
                  if (!taken)
                    return FALSE;
                  continue;
                }
              known = known_keys (family, media);
              vw_set_error (error, VIDWRITE_ERROR_INVALID_OPTION,
                           "unknown option “%s” (value “%s”) for %s (%s); it takes: %s%s%s",
                           (char *)key, ctx.value, codec_name, factory, known,
                           family->own_options ? ", and the encoder's own options" : "",
                           family->own_params ? ", and the parameters of "
                                                "the encoder's own library" : "");
              return FALSE;
            }
          if (!insert_plain (&ctx, plain, g_steal_pointer (&k), value, error))
            return FALSE;
        }
    }

  /* Rows in table order, so that what depends on another setting comes after it; a key may
   * have several rows (one value setting several properties). */
  const VwOption *const tables[] = { media == VW_MEDIA_VIDEO ? common_video_options : NULL,
                                     family ? family->options : NULL };

  /* Options that set the same thing in the element cannot both be given. */
  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    for (const VwOption *row = tables[t]; row && row->key; row++)
      if (row->excludes && g_hash_table_contains (plain, row->key))
        {
          g_auto (GStrv) others = g_strsplit (row->excludes, " ", -1);

          ctx.key = row->key;
          ctx.value = g_hash_table_lookup (plain, row->key);
          for (guint i = 0; others[i]; i++)
            if (g_hash_table_contains (plain, others[i]))
              return option_error (&ctx, error,
                                   "it cannot be combined with “%s” (the element has one setting "
                                   "for both)",
                                   others[i]);
        }

  /* Rows in table order, so that what depends on another setting comes after it. */
  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    for (const VwOption *row = tables[t]; row && row->key; row++)
      {
        const char *value = g_hash_table_lookup (plain, row->key);

        if (!value)
          continue;
        ctx.key = row->key;
        ctx.value = value;
        if (!apply_row (&ctx, row, params, settings, error))
          return FALSE;
      }

  /* What is left: an encoder named by its factory takes its property names; a family with
   * own options takes the element's. */
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init (&iter, plain);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *own = NULL;

      if (is_mapped (family, media, key) || g_ptr_array_find_with_equal_func (own_order, key,
                                                                              g_str_equal, NULL))
        continue;
      own = family ? own_option_property (family, encoder, key) : g_strdup (key);
      ctx.key = key;
      ctx.value = value;
      if (!set_property_text (&ctx, own, value, error))
        return FALSE;
    }

  /* The encoder's own parameters last, so that they win over the family's defaults. */
  for (guint i = 0; i < own_order->len; i++)
    g_string_append_printf (params, "%s%s=%s", params->len ? ":" : "",
                            (char *) own_order->pdata[i],
                            (char *) g_hash_table_lookup (plain, own_order->pdata[i]));
  if (params->len && family && family->params_property)
    g_object_set (encoder, family->params_property, params->str, NULL);
  append_narrow_params (encoder, element_family, media, width);
  read_frame_ms (encoder, element_family, settings);
  complete_colorimetry (settings);
  return check_ordered (encoder, plain, error);
}

void
vw_encoder_settings_clear (VwEncoderSettings *settings)
{
  g_clear_pointer (&settings->encoder_caps, gst_structure_free);
  g_clear_object (&settings->muxer);
}

GStrv
vw_options_list_keys (const char *factory, VwMedia media)
{
  return list_keys (find_family (factory), media);
}

static void
add_assigned_names (GStrvBuilder *out, const char *assignments)
{
  g_auto (GStrv) words = assignments ? g_strsplit (assignments, " ", -1) : NULL;

  for (guint i = 0; words && words[i]; i++)
    {
      g_auto (GStrv) kv = g_strsplit (words[i], "=", 2);
      g_strv_builder_add (out, kv[0]);
    }
}

GStrv
vw_options_family_properties (const char *factory)
{
  const VwFamily *family = find_family (factory);
  g_autoptr (GStrvBuilder) out = g_strv_builder_new ();

  if (!family)
    return NULL;
  add_assigned_names (out, family->defaults);
  if (family->params_property)
    g_strv_builder_add (out, family->params_property);
  for (const VwOption *row = family->options; row->key; row++)
    {
      add_assigned_names (out, row->also);
      if (row->ref)
        g_strv_builder_add (out, row->ref);
      if (row->target == VW_TARGET_PROPERTY && row->name)
        g_strv_builder_add (out, row->name);
      for (const VwChoice *c = row->choices; row->target == VW_TARGET_PROPERTY && c && c->value;
           c++)
        g_strv_builder_add (out, c->name ? c->name : row->name);
    }
  return g_strv_builder_end (out);
}

const char *
vw_options_nth_family (guint i)
{
  return i < G_N_ELEMENTS (families) ? families[i].factory : NULL;
}
