/* A GStreamer plugin for the tests only: stand-ins for the hardware encoders vidwrite knows
 * (lib/vidwrite-codecs.c), registered under the real factory names and ranks, each a bin around
 * a software encoder that writes the same stream format (H.264/H.265 byte-stream, VP9, AV1).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each declares the properties vidwrite's option tables (lib/vidwrite-options.c) may set, and
 * the rate-control property their `also` columns name, with the types, enum nicks and values,
 * ranges and defaults of GStreamer 1.22.0 (the version Debian 12 ships), read from its sources:
 *   gst-plugins-bad sys/nvcodec/gstnvbaseenc.c, gstnvh264enc.c, gstnvh265enc.c (nvh26xenc);
 *   sys/nvcodec/gstnvencoder.cpp, gstnvh264encoder.cpp, gstnvh265encoder.cpp (nvcudah26xenc);
 *   sys/va/gstvaencoder.c, gstvah264enc.c, gstvah265enc.c (vah26x[lp]enc, enum of an iHD driver);
 *   sys/qsv/gstqsvencoder.cpp, gstqsvh264enc.cpp, gstqsvh265enc.cpp; sys/msdk/gstmsdkenc.c,
 *   msdk-enums.c; gstreamer-vaapi gst-libs/gst/vaapi/gstvaapiencoder.c, gstvaapiencoder_h264.c,
 *   gstvaapiencoder_h265.c, gstvaapivalue.c; the plugins' plugin_init for the ranks.
 * Where 1.22 reads a limit from the device (nvenc's bframes), the stand-in takes what current
 * NVIDIA GPUs report (4).  Elements vidwrite has no option table for (AV1, VP9, V4L2) are
 * registered with no properties of their own, for the choice between alternatives.
 *
 * Environment: HWSTUB_ELEMENTS, a comma-separated list, registers only those factories (empty:
 * none); HWSTUB_LOG names a file to which each stand-in appends, when it starts, a line
 * `factory, property=(type)value, ...` of the properties set on it, in GstStructure syntax.
 */
#define PACKAGE "vidwrite-tests"
#include <gst/gst.h>
#include <stdio.h>
#include <string.h>

typedef enum
{
  KIND_UINT,
  KIND_INT,
  KIND_DOUBLE,
  KIND_BOOLEAN,
  KIND_ENUM,
} Kind;

typedef struct
{
  const char *name;
  Kind kind;
  double min, max, def;
  GType (*enum_type) (void);
} StubProp;

typedef struct
{
  const char *factory;
  const char *long_name;
  guint rank;
  const char *sink_formats; /* what the real element's sink template lists that vidwrite feeds */
  const char *inner;        /* the software encoder, as gst-launch syntax */
  const char *src_caps;
  const StubProp *props;
} StubElement;

/* ---- enums, as 1.22.0 registers them (type name, values, nicks) ------------------------- */

#define STUB_ENUM(func, type_name, ...)                                                            \
  static GType func (void)                                                                         \
  {                                                                                                \
    static gsize type;                                                                             \
    static const GEnumValue values[] = { __VA_ARGS__, { 0, NULL, NULL } };                         \
    if (g_once_init_enter (&type))                                                                 \
      g_once_init_leave (&type, g_enum_register_static (type_name, values));                       \
    return type;                                                                                   \
  }

/* clang-format off */
STUB_ENUM (nv_preset_type, "GstNvPreset",
  { 0, "Default", "default" }, { 1, "High Performance", "hp" }, { 2, "High Quality", "hq" },
  { 3, "Low Latency", "low-latency" }, { 4, "Low Latency, High Quality", "low-latency-hq" },
  { 5, "Low Latency, High Performance", "low-latency-hp" }, { 6, "Lossless", "lossless" },
  { 7, "Lossless, High Performance", "lossless-hp" })
STUB_ENUM (nv_rc_mode_type, "GstNvRCMode",
  { 0, "Default", "default" }, { 1, "Constant Quantization", "constqp" },
  { 2, "Constant Bit Rate", "cbr" }, { 3, "Variable Bit Rate", "vbr" },
  { 4, "Variable Bit Rate (with minimum quantization parameter, DEPRECATED)", "vbr-minqp" },
  { 5, "Low-Delay CBR, High Quality", "cbr-ld-hq" }, { 6, "CBR, High Quality (slower)", "cbr-hq" },
  { 7, "VBR, High Quality (slower)", "vbr-hq" })
STUB_ENUM (nv_encoder_preset_type, "GstNvEncoderPreset",
  { 0, "Default", "default" }, { 1, "High Performance", "hp" }, { 2, "High Quality", "hq" },
  { 3, "Low Latency", "low-latency" }, { 4, "Low Latency, High Quality", "low-latency-hq" },
  { 5, "Low Latency, High Performance", "low-latency-hp" }, { 6, "Lossless", "lossless" },
  { 7, "Lossless, High Performance", "lossless-hp" })
STUB_ENUM (nv_encoder_rc_mode_type, "GstNvEncoderRCMode",
  { 0, "Constant Quantization", "cqp" }, { 1, "Variable Bit Rate", "vbr" },
  { 2, "Constant Bit Rate", "cbr" }, { 3, "Low-Delay CBR, High Quality", "cbr-ld-hq" },
  { 4, "CBR, High Quality (slower)", "cbr-hq" }, { 5, "VBR, High Quality (slower)", "vbr-hq" })
/* VA_RC_CBR, VA_RC_VBR, VA_RC_CQP: what Intel's iHD driver offers (the enum is the driver's). */
#define VA_RC { 0x2, "Constant Bitrate", "cbr" }, { 0x4, "Variable Bitrate", "vbr" }, \
  { 0x10, "Constant Quantizer", "cqp" }
STUB_ENUM (va_h264_rc_type, "GstVaEncoderRateControl_H264_renderD128", VA_RC)
STUB_ENUM (va_h264lp_rc_type, "GstVaEncoderRateControl_H264_LP_renderD128", VA_RC)
STUB_ENUM (va_h265_rc_type, "GstVaEncoderRateControl_H265_renderD128", VA_RC)
STUB_ENUM (va_h265lp_rc_type, "GstVaEncoderRateControl_H265_LP_renderD128", VA_RC)
STUB_ENUM (vaapi_h264_rc_type, "GstVaapiRateControlH264",
  { 1, "Constant QP", "cqp" }, { 2, "Constant bitrate", "cbr" }, { 4, "Variable bitrate", "vbr" },
  { 5, "Variable bitrate - Constrained", "vbr_constrained" },
  { 7, "Constant QP - Intelligent", "icq" }, { 8, "Variable bitrate - Quality defined", "qvbr" })
STUB_ENUM (vaapi_h265_rc_type, "GstVaapiRateControlH265",
  { 1, "Constant QP", "cqp" }, { 2, "Constant bitrate", "cbr" }, { 4, "Variable bitrate", "vbr" },
  { 7, "Constant QP - Intelligent", "icq" }, { 8, "Variable bitrate - Quality defined", "qvbr" })
/* MFX_RATECONTROL_* */
STUB_ENUM (qsv_h264_rc_type, "GstQsvH264EncRateControl",
  { 1, "Constant Bitrate", "cbr" }, { 2, "Variable Bitrate", "vbr" },
  { 3, "Constant Quantizer", "cqp" }, { 4, "Average Variable Bitrate", "avbr" },
  { 8, "VBR with look ahead (Non HRD compliant)", "la-vbr" }, { 9, "Intelligent CQP", "icq" },
  { 10, "Video Conferencing Mode (Non HRD compliant)", "vcm" },
  { 11, "Intelligent CQP with LA (Non HRD compliant)", "la-icq" },
  { 13, "HRD compliant LA", "la-hrd" }, { 14, "VBR with CQP", "qvbr" })
STUB_ENUM (qsv_h265_rc_type, "GstQsvH265EncRateControl",
  { 1, "Constant Bitrate", "cbr" }, { 2, "Variable Bitrate", "vbr" },
  { 3, "Constant Quantizer", "cqp" }, { 9, "Intelligent CQP", "icq" },
  { 10, "Video Conferencing Mode (Non HRD compliant)", "vcm" }, { 14, "VBR with CQP", "qvbr" })
STUB_ENUM (msdk_rc_type, "GstMsdkEncRateControl",
  { 1, "Constant Bitrate", "cbr" }, { 2, "Variable Bitrate", "vbr" },
  { 3, "Constant Quantizer", "cqp" }, { 4, "Average Bitrate", "avbr" },
  { 8, "VBR with look ahead (Non HRD compliant)", "la_vbr" }, { 9, "Intelligent CQP", "icq" },
  { 10, "Video Conferencing Mode (Non HRD compliant)", "vcm" },
  { 11, "Intelligent CQP with LA (Non HRD compliant)", "la_icq" },
  { 12, "Extended LA", "la_ext" }, { 13, "HRD compliant LA", "la_hrd" },
  { 14, "VBR with CQP", "qvbr" })

/* ---- properties ---------------------------------------------------------------------------- */

#define KBPS_MAX (2000.0 * 1024)
#define END { NULL }

/* GstNvBaseEnc + GstNvH264Enc / GstNvH265Enc */
static const StubProp nvbase_props[] = {
  { "preset", KIND_ENUM, 0, 0, 0, nv_preset_type },
  { "rc-mode", KIND_ENUM, 0, 0, 0, nv_rc_mode_type },
  { "qp-const", KIND_INT, -1, 51, -1 },
  { "gop-size", KIND_INT, -1, G_MAXINT, 75 },
  { "bitrate", KIND_UINT, 0, KBPS_MAX, 0 },
  { "max-bitrate", KIND_UINT, 0, KBPS_MAX, 0 },
  { "const-quality", KIND_DOUBLE, 0, 51, 0 },
  { "bframes", KIND_UINT, 0, 4, 0 },
  END,
};

/* GstNvEncoder + GstNvH264Encoder / GstNvH265Encoder: "rate-control" until 1.24 */
static const StubProp nvencoder_props[] = {
  { "preset", KIND_ENUM, 0, 0, 0, nv_encoder_preset_type },
  { "gop-size", KIND_INT, -1, G_MAXINT, 30 },
  { "b-frames", KIND_UINT, 0, 4, 0 },
  { "rate-control", KIND_ENUM, 0, 0, 1, nv_encoder_rc_mode_type },
  { "qp-i", KIND_INT, -1, 51, -1 },
  { "qp-p", KIND_INT, -1, 51, -1 },
  { "qp-b", KIND_INT, -1, 51, -1 },
  { "bitrate", KIND_UINT, 0, KBPS_MAX, 0 },
  { "max-bitrate", KIND_UINT, 0, KBPS_MAX, 0 },
  { "const-quality", KIND_DOUBLE, 0, 51, 0 },
  END,
};

#define VA_PROPS(rc)                                                                               \
  {                                                                                                \
    { "key-int-max", KIND_UINT, 0, 1024, 0 }, { "b-frames", KIND_UINT, 0, 31, 0 },                 \
        { "qpi", KIND_UINT, 0, 51, 26 }, { "qpp", KIND_UINT, 0, 51, 26 },                          \
        { "qpb", KIND_UINT, 0, 51, 26 }, { "bitrate", KIND_UINT, 0, KBPS_MAX, 0 },                 \
        { "target-usage", KIND_UINT, 1, 7, 4 }, { "rate-control", KIND_ENUM, 0, 0, 0x2, rc },      \
        END,                                                                                       \
  }
static const StubProp va_h264_props[] = VA_PROPS (va_h264_rc_type);
static const StubProp va_h264lp_props[] = VA_PROPS (va_h264lp_rc_type);
static const StubProp va_h265_props[] = VA_PROPS (va_h265_rc_type);
static const StubProp va_h265lp_props[] = VA_PROPS (va_h265lp_rc_type);

#define VAAPI_PROPS(rc)                                                                            \
  {                                                                                                \
    { "bitrate", KIND_UINT, 0, KBPS_MAX, 0 }, { "keyframe-period", KIND_UINT, 0, G_MAXUINT32, 30 }, \
        { "quality-level", KIND_UINT, 1, 7, 4 }, { "rate-control", KIND_ENUM, 0, 0, 1, rc },       \
        { "max-bframes", KIND_UINT, 0, 10, 0 }, { "init-qp", KIND_UINT, 0, 51, 26 },               \
        { "quality-factor", KIND_UINT, 1, 51, 26 }, END,                                           \
  }
static const StubProp vaapi_h264_props[] = VAAPI_PROPS (vaapi_h264_rc_type);
static const StubProp vaapi_h265_props[] = VAAPI_PROPS (vaapi_h265_rc_type);

#define QSV_PROPS(rc)                                                                              \
  {                                                                                                \
    { "target-usage", KIND_UINT, 1, 7, 4 }, { "qp-i", KIND_UINT, 0, 51, 0 },                       \
        { "qp-p", KIND_UINT, 0, 51, 0 }, { "qp-b", KIND_UINT, 0, 51, 0 },                          \
        { "gop-size", KIND_UINT, 0, G_MAXUINT16, 30 }, { "b-frames", KIND_UINT, 0, G_MAXUINT16, 0 }, \
        { "bitrate", KIND_UINT, 0, G_MAXINT, 2000 }, { "max-bitrate", KIND_UINT, 0, G_MAXINT, 0 },  \
        { "rate-control", KIND_ENUM, 0, 0, 2, rc }, { "icq-quality", KIND_UINT, 0, 51, 0 }, END,   \
  }
static const StubProp qsv_h264_props[] = QSV_PROPS (qsv_h264_rc_type);
static const StubProp qsv_h265_props[] = QSV_PROPS (qsv_h265_rc_type);

/* GstMsdkEnc, the same for msdkh264enc and msdkh265enc */
static const StubProp msdk_props[] = {
  { "target-usage", KIND_UINT, 1, 7, 4 },
  { "rate-control", KIND_ENUM, 0, 0, 1, msdk_rc_type },
  { "bitrate", KIND_UINT, 1, KBPS_MAX, 2048 },
  { "max-vbv-bitrate", KIND_UINT, 0, KBPS_MAX, 0 },
  { "qpi", KIND_UINT, 0, 51, 0 },
  { "qpp", KIND_UINT, 0, 51, 0 },
  { "qpb", KIND_UINT, 0, 51, 0 },
  { "gop-size", KIND_UINT, 0, G_MAXINT, 256 },
  { "b-frames", KIND_UINT, 0, G_MAXINT, 0 },
  END,
};

static const StubProp no_props[] = { END };

/* ---- the elements ----------------------------------------------------------------------- */

#define H264 "x264enc speed-preset=ultrafast key-int-max=30"
#define H265 "x265enc speed-preset=ultrafast key-int-max=30"
#define VP9 "vp9enc deadline=1 cpu-used=8"
#define AV1 "av1enc cpu-used=8 usage-profile=realtime"
#define H264_OUT "video/x-h264, stream-format=(string)byte-stream, alignment=(string)au"
#define H265_OUT "video/x-h265, stream-format=(string)byte-stream, alignment=(string)au"
#define NV_IN "{ NV12, YV12, I420, BGRA, RGBA, Y444, VUYA }"
#define PRIMARY GST_RANK_PRIMARY

static const StubElement elements[] = {
  { "nvh264enc", "NVENC H.264 Video Encoder", PRIMARY * 2, NV_IN, H264, H264_OUT, nvbase_props },
  { "nvh265enc", "NVENC HEVC Video Encoder", PRIMARY * 2, NV_IN, H265, H265_OUT, nvbase_props },
  { "nvcudah264enc", "NVENC H.264 Video Encoder CUDA Mode", GST_RANK_NONE, NV_IN, H264, H264_OUT,
    nvencoder_props },
  { "nvcudah265enc", "NVENC H.265 Video Encoder CUDA Mode", GST_RANK_NONE, NV_IN, H265, H265_OUT,
    nvencoder_props },
  { "nvcudaav1enc", "NVENC AV1 Video Encoder CUDA Mode", GST_RANK_NONE, "{ NV12 }", AV1,
    "video/x-av1", no_props },
  { "nvav1enc", "NVENC AV1 Video Encoder", GST_RANK_NONE, "{ NV12 }", AV1, "video/x-av1", no_props },
  { "vah264enc", "VA-API H.264 Encoder in Intel(R) Gen Graphics", GST_RANK_NONE, "{ NV12 }", H264,
    H264_OUT, va_h264_props },
  { "vah264lpenc", "VA-API H.264 Low Power Encoder in Intel(R) Gen Graphics", GST_RANK_NONE,
    "{ NV12 }", H264, H264_OUT, va_h264lp_props },
  { "vah265enc", "VA-API H.265 Encoder in Intel(R) Gen Graphics", GST_RANK_NONE, "{ NV12 }", H265,
    H265_OUT, va_h265_props },
  { "vah265lpenc", "VA-API H.265 Low Power Encoder in Intel(R) Gen Graphics", GST_RANK_NONE,
    "{ NV12 }", H265, H265_OUT, va_h265lp_props },
  { "vaapih264enc", "VA-API H264 encoder", PRIMARY, "{ NV12, I420, YV12 }", H264, H264_OUT,
    vaapi_h264_props },
  { "vaapih265enc", "VA-API H265 encoder", PRIMARY, "{ NV12, I420, YV12 }", H265, H265_OUT,
    vaapi_h265_props },
  { "vavp9enc", "VA-API VP9 Encoder", GST_RANK_NONE, "{ NV12 }", VP9, "video/x-vp9", no_props },
  { "vaapivp9enc", "VA-API VP9 encoder", PRIMARY, "{ NV12, I420, YV12 }", VP9, "video/x-vp9",
    no_props },
  { "vaav1enc", "VA-API AV1 Encoder", GST_RANK_NONE, "{ NV12 }", AV1, "video/x-av1", no_props },
  { "qsvh264enc", "Intel Quick Sync Video H.264 Encoder", GST_RANK_NONE, "{ NV12 }", H264,
    H264_OUT, qsv_h264_props },
  { "qsvh265enc", "Intel Quick Sync Video H.265 Encoder", GST_RANK_NONE, "{ NV12 }", H265,
    H265_OUT, qsv_h265_props },
  { "msdkh264enc", "Intel MSDK H264 encoder", GST_RANK_NONE, "{ NV12, I420 }", H264, H264_OUT,
    msdk_props },
  { "msdkh265enc", "Intel MSDK H265 encoder", GST_RANK_NONE, "{ NV12, I420 }", H265, H265_OUT,
    msdk_props },
  { "v4l2h264enc", "V4L2 H.264 Encoder", PRIMARY + 1, "{ NV12, I420 }", H264, H264_OUT, no_props },
};
/* clang-format on */

/* ---- the stand-in type ------------------------------------------------------------------ */

typedef struct
{
  GstBin parent;
  GstStructure *set; /* the properties set, with their values */
} Stub;

typedef struct
{
  GstBinClass parent_class;
  const StubElement *info;
  char *description; /* what stub_init builds inside */
} StubClass;

static GstElementClass *stub_parent_class;
G_LOCK_DEFINE_STATIC (log);

static void
stub_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  Stub *self = (Stub *)object;

  GST_OBJECT_LOCK (self);
  gst_structure_set_value (self->set, pspec->name, value);
  GST_OBJECT_UNLOCK (self);
}

static void
stub_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  Stub *self = (Stub *)object;
  const GValue *v;

  GST_OBJECT_LOCK (self);
  v = gst_structure_get_value (self->set, pspec->name);
  if (v)
    g_value_copy (v, value);
  else
    g_param_value_set_default (pspec, value);
  GST_OBJECT_UNLOCK (self);
}

static void
stub_log (Stub *self)
{
  const char *path = g_getenv ("HWSTUB_LOG");
  g_autofree char *line = NULL;
  FILE *f;

  if (!path || !*path)
    return;
  GST_OBJECT_LOCK (self);
  line = gst_structure_to_string (self->set);
  GST_OBJECT_UNLOCK (self);
  G_LOCK (log);
  f = fopen (path, "a");
  if (f)
    {
      fprintf (f, "%s\n", line);
      fclose (f);
    }
  G_UNLOCK (log);
}

static GstStateChangeReturn
stub_change_state (GstElement *element, GstStateChange transition)
{
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED)
    stub_log ((Stub *)element);
  return stub_parent_class->change_state (element, transition);
}

static void
stub_finalize (GObject *object)
{
  gst_structure_free (((Stub *)object)->set);
  G_OBJECT_CLASS (stub_parent_class)->finalize (object);
}

static GParamSpec *
make_pspec (const StubProp *p)
{
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  switch (p->kind)
    {
    case KIND_UINT:
      return g_param_spec_uint (p->name, p->name, p->name, (guint)p->min, (guint)p->max,
                                (guint)p->def, flags);
    case KIND_INT:
      return g_param_spec_int (p->name, p->name, p->name, (gint)p->min, (gint)p->max, (gint)p->def,
                               flags);
    case KIND_DOUBLE:
      return g_param_spec_double (p->name, p->name, p->name, p->min, p->max, p->def, flags);
    case KIND_BOOLEAN:
      return g_param_spec_boolean (p->name, p->name, p->name, p->def != 0, flags);
    case KIND_ENUM:
      return g_param_spec_enum (p->name, p->name, p->name, p->enum_type (), (gint)p->def, flags);
    }
  g_assert_not_reached ();
}

static void
stub_class_init (gpointer klass, gpointer class_data)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const StubElement *info = class_data;
  g_autofree char *sink = g_strdup_printf (
      "video/x-raw, format=(string)%s, width=(int)[ 16, 4096 ], height=(int)[ 16, 4096 ]",
      info->sink_formats);
  guint id = 1;

  stub_parent_class = g_type_class_peek_parent (klass);
  ((StubClass *)klass)->info = info;
  ((StubClass *)klass)->description
      = g_strdup_printf ("capsfilter caps=\"%s\" ! videoconvert ! %s ! capsfilter caps=\"%s\"",
                         sink, info->inner, info->src_caps);
  object_class->set_property = stub_set_property;
  object_class->get_property = stub_get_property;
  object_class->finalize = stub_finalize;
  element_class->change_state = stub_change_state;
  for (const StubProp *p = info->props; p->name; p++)
    g_object_class_install_property (object_class, id++, make_pspec (p));

  gst_element_class_set_metadata (element_class, info->long_name, "Codec/Encoder/Video/Hardware",
                                  "vidwrite's test stand-in: a software encoder under the name "
                                  "and with the properties of a hardware one",
                                  "vidwrite tests");
  gst_element_class_add_pad_template (
      element_class,
      gst_pad_template_new ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, gst_caps_from_string (sink)));
  gst_element_class_add_pad_template (element_class,
                                      gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
                                                            gst_caps_from_string (info->src_caps)));
}

/* capsfilter (the real sink formats) ! videoconvert ! software encoder ! capsfilter (the real
 * output: H.264 and H.265 byte-stream, access units) */
static void
stub_init (GTypeInstance *instance, gpointer klass)
{
  Stub *self = (Stub *)instance;
  const StubElement *info = ((StubClass *)klass)->info;
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const char *description = ((StubClass *)klass)->description;
  g_autoptr (GError) error = NULL;
  GstElement *inner = gst_parse_bin_from_description (description, TRUE, &error);

  self->set = gst_structure_new_empty (info->factory);
  if (!inner)
    g_error ("hwstub: %s: %s", description, error->message);
  gst_bin_add (GST_BIN (self), inner);
  for (guint i = 0; i < 2; i++)
    {
      const char *name = i ? "src" : "sink";
      g_autoptr (GstPad) target = gst_element_get_static_pad (inner, name);
      GstPad *ghost = gst_ghost_pad_new_from_template (
          name, target, gst_element_class_get_pad_template (element_class, name));

      gst_element_add_pad (GST_ELEMENT (self), ghost);
    }
}

static gboolean
wanted (const char *factory)
{
  const char *list = g_getenv ("HWSTUB_ELEMENTS");
  g_auto (GStrv) names = NULL;

  if (!list)
    return TRUE;
  names = g_strsplit (list, ",", -1);
  return g_strv_contains ((const char *const *)names, factory);
}

static gboolean
plugin_init (GstPlugin *plugin)
{
  /* The registry caches what a plugin registered: a new HWSTUB_ELEMENTS must rescan it. */
  gst_plugin_add_dependency_simple (plugin, "HWSTUB_ELEMENTS", NULL, NULL,
                                    GST_PLUGIN_DEPENDENCY_FLAG_NONE);
  for (guint i = 0; i < G_N_ELEMENTS (elements); i++)
    {
      const StubElement *info = &elements[i];
      g_autofree char *type_name = NULL;
      GTypeInfo type_info = { sizeof (StubClass), NULL, NULL,     stub_class_init, NULL, info,
                              sizeof (Stub),      0,    stub_init };
      GType type;

      if (!wanted (info->factory))
        continue;
      type_name = g_strconcat ("HwStub_", info->factory, NULL);
      type = g_type_from_name (type_name);
      if (!type)
        type = g_type_register_static (GST_TYPE_BIN, type_name, &type_info, 0);
      if (!gst_element_register (plugin, info->factory, info->rank, type))
        return FALSE;
    }
  return TRUE;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, vidwritehwstub,
                   "Test stand-ins for hardware encoders", plugin_init, "0.1", "LGPL",
                   "vidwrite tests", "https://example.invalid/vidwrite")
