/* Frame sources: raw frames, .npy arrays, YUV4MPEG2 streams and the demo pattern.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every source hands out a few frames at a time in a new GBytes, so memory does not grow with
 * the length of the input: raw and .y4m are read frame by frame, a .npy file is mapped and
 * handed out as views of the mapping.  The kind of input is told by its magic number; only
 * input without one is raw.
 */
#include "vidwrite-tool.h"

#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define Y4M_MAGIC "YUV4MPEG2 "
#define NPY_MAGIC "\x93NUMPY"
#define MAX_HEADER 4096

/* The library's table of pixel formats, by FFmpeg's names. */
gboolean
vwt_pixel_format_parse (const char *name, VidwritePixelFormat *format, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (vidwrite_pixel_format_from_name (name, format, &local))
    return TRUE;
  /* The library's message quotes the name as it is; a terminal gets it escaped. */
  g_autofree char *escaped = vwt_escape (name, -1);
  const char *known = strstr (local->message, "(known:");

  g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
               "unknown pixel format “%s” %s", escaped, known ? known : "");
  return FALSE;
}

const char *
vwt_pixel_format_name (VidwritePixelFormat format)
{
  return vidwrite_pixel_format_get_name (format);
}

/* A decimal number at *p that fits 64 bits; *p is moved past its digits. */
static gboolean
parse_decimal (const char **p, guint64 *value)
{
  const char *s = *p;
  guint64 v = 0;

  if (!g_ascii_isdigit (*s))
    return FALSE;
  for (; g_ascii_isdigit (*s); s++)
    if (!g_uint64_checked_mul (&v, v, 10) || !g_uint64_checked_add (&v, v, *s - '0'))
      return FALSE;
  *p = s;
  *value = v;
  return TRUE;
}

/* At most VWT_MAX_DIMENSION² × 4 bytes, once the sizes have been checked where they are read. */
static gsize
frame_size (const VwtFrameSource *source)
{
  return vidwrite_pixel_format_frame_size (source->format, source->width, source->height);
}

void
vwt_frame_source_free (VwtFrameSource *source)
{
  if (source)
    source->free (source);
}

/* ---- mapped files: .npy, and raw frames in a regular file ---------------------------------- */

typedef struct
{
  VwtFrameSource base;
  GMappedFile *mapping;
  const guint8 *data;
  guint64 next;
} MappedSource;

/* A chunk handed to the writer: a view of the mapping that keeps it mapped while the writer
 * holds the frames.  When the writer lets go, the chunk's whole pages are dropped from this
 * process (they stay in the page cache), so that resident memory does not grow with the input
 * as it would once every page of a long file had been touched. */
typedef struct
{
  GMappedFile *mapping;
  const guint8 *data;
  gsize size;
} MappedView;

static void
mapped_view_free (gpointer user_data)
{
  MappedView *view = user_data;
  const guintptr page = (guintptr)sysconf (_SC_PAGESIZE);
  guintptr start = ((guintptr)view->data + page - 1) & ~(page - 1);
  guintptr end = ((guintptr)view->data + view->size) & ~(page - 1);

  if (end > start)
    madvise ((void *)start, end - start, MADV_DONTNEED);
  g_mapped_file_unref (view->mapping);
  g_free (view);
}

static GBytes *
mapped_read (VwtFrameSource *base, guint max_frames, GError **error)
{
  MappedSource *self = (MappedSource *)base;
  guint64 n = MIN (max_frames, base->n_frames - self->next);
  gsize size = frame_size (base);
  MappedView *view;

  if (n == 0)
    return NULL;
  view = g_new (MappedView, 1);
  view->mapping = g_mapped_file_ref (self->mapping);
  view->data = self->data + self->next * size;
  view->size = n * size;
  self->next += n;
  return g_bytes_new_with_free_func (view->data, view->size, mapped_view_free, view);
}

static void
mapped_free (VwtFrameSource *base)
{
  MappedSource *self = (MappedSource *)base;

  g_mapped_file_unref (self->mapping);
  g_free (self);
}

/* Frames of a regular file from `offset` on, mapped rather than read: no copy. */
static VwtFrameSource *
mapped_source_new (VwtInput *input, guint64 offset, const char *kind, guint width, guint height,
                   VidwritePixelFormat format, guint64 n_frames, GError **error)
{
  GMappedFile *mapping = g_mapped_file_new_from_fd (input->fd, FALSE, error);
  MappedSource *self;

  if (!mapping)
    return NULL;
  self = g_new0 (MappedSource, 1);
  self->mapping = mapping;
  self->data = (const guint8 *)g_mapped_file_get_contents (mapping) + offset;
  self->base.read = mapped_read;
  self->base.free = mapped_free;
  self->base.kind = kind;
  self->base.width = width;
  self->base.height = height;
  self->base.format = format;
  self->base.n_frames = n_frames;
  vwt_input_close (input);
  return &self->base;
}

/* ---- raw frames, and .npy data from a pipe ----------------------------------------------- */

typedef struct
{
  VwtFrameSource base;
  VwtInput *input;
  guint64 frames_read;
} StreamSource;

static GBytes *
stream_read (VwtFrameSource *base, guint max_frames, GError **error)
{
  StreamSource *self = (StreamSource *)base;
  gsize size = frame_size (base), allocated = 0;
  guint8 *data = NULL;
  gssize got;

  /* A .npy header says how many frames follow: the rest of the stream is not frames. */
  if (base->n_frames)
    max_frames = MIN (max_frames, base->n_frames - self->frames_read);
  if (max_frames == 0)
    return NULL;
  got = vwt_input_read_growing (self->input, &data, &allocated, size * max_frames, error);
  if (got <= 0 || got % size != 0)
    {
      if (got > 0)
        g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                     "%s ends %" G_GSIZE_FORMAT " bytes into frame %" G_GUINT64_FORMAT
                     ": it is not a whole number of %ux%u %s frames (%" G_GSIZE_FORMAT
                     " bytes each)",
                     self->input->name, got % size, self->frames_read + got / size, base->width,
                     base->height, vwt_pixel_format_name (base->format), size);
      else if (got == 0 && base->n_frames)
        g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                     "%s ends after %" G_GUINT64_FORMAT " of the %" G_GUINT64_FORMAT
                     " frames its header gives",
                     self->input->name, self->frames_read, base->n_frames);
      g_free (data);
      return NULL;
    }
  self->frames_read += got / size;
  return g_bytes_new_take (g_realloc (data, got), got);
}

static void
stream_free (VwtFrameSource *base)
{
  StreamSource *self = (StreamSource *)base;

  vwt_input_close (self->input);
  g_free (self);
}

static StreamSource *
stream_source_new (VwtInput *input, const char *kind)
{
  StreamSource *self = g_new0 (StreamSource, 1);

  self->input = input;
  self->base.kind = kind;
  self->base.read = stream_read;
  self->base.free = stream_free;
  return self;
}

static VwtFrameSource *
raw_open (VwtInput *input, const VwtFrameRequest *request, GError **error)
{
  VidwritePixelFormat format = VIDWRITE_PIXEL_FORMAT_RGB;
  StreamSource *self;
  gsize size;

  if (request->width == 0 || request->height == 0)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s is raw frames (it is neither .npy nor .y4m): give their size with "
                   "--size WxH",
                   input->name);
      return NULL;
    }
  if (request->width > VWT_MAX_DIMENSION || request->height > VWT_MAX_DIMENSION)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "--size %ux%u is larger than %d on a side", request->width, request->height,
                   VWT_MAX_DIMENSION);
      return NULL;
    }
  if (request->pix_fmt && !vwt_pixel_format_parse (request->pix_fmt, &format, error))
    return NULL;
  size = vidwrite_pixel_format_frame_size (format, request->width, request->height);
  if (input->regular && (input->size % size != 0 || input->size == 0))
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s is %" G_GUINT64_FORMAT
                   " bytes, not a whole number of %ux%u %s frames (%" G_GSIZE_FORMAT " bytes each)",
                   input->name, input->size, request->width, request->height,
                   vwt_pixel_format_name (format), size);
      return NULL;
    }
  if (input->regular)
    return mapped_source_new (input, 0, "raw", request->width, request->height, format,
                              input->size / size, error);
  self = stream_source_new (input, "raw");
  self->base.width = request->width;
  self->base.height = request->height;
  self->base.format = format;
  self->base.n_frames = input->regular ? input->size / size : 0;
  return &self->base;
}

/* ---- .npy -------------------------------------------------------------------------------- */

/* The value of `key` in a .npy header, a Python dict literal such as
 * {'descr': '|u1', 'fortran_order': False, 'shape': (10, 48, 64, 3), }
 * A tuple or a string runs to its closing bracket or quote, anything else to the next , or }. */
static char *
npy_value (const char *header, const char *key)
{
  g_autofree char *quoted = g_strdup_printf ("'%s':", key);
  const char *p = strstr (header, quoted);
  const char *end;

  if (!p)
    return NULL;
  p += strlen (quoted);
  while (g_ascii_isspace (*p))
    p++;
  if (*p == '(' || *p == '\'')
    {
      end = strchr (p + 1, *p == '(' ? ')' : '\'');
      if (!end)
        return NULL;
      end++;
    }
  else
    end = p + strcspn (p, ",}");
  return g_strndup (p, end - p);
}

/* "(T, H, W, C)", "(T, H, W)" or any tuple of up to 4 numbers below 2^64. */
static gboolean
npy_parse_shape (const char *shape, guint64 dims[4], guint *n_dims)
{
  const char *p = shape;

  *n_dims = 0;
  if (*p++ != '(')
    return FALSE;
  for (;;)
    {
      while (g_ascii_isspace (*p))
        p++;
      if (*p == ')')
        return p[1] == '\0';
      if (*n_dims == 4 || !parse_decimal (&p, &dims[*n_dims]))
        return FALSE;
      (*n_dims)++;
      while (g_ascii_isspace (*p))
        p++;
      if (*p == ',')
        p++;
      else if (*p != ')')
        return FALSE;
    }
}

static VwtFrameSource *
npy_open (VwtInput *input, const VwtFrameRequest *request, GError **error)
{
  guint8 preamble[12];
  gsize len_bytes, header_len;
  g_autofree char *header = NULL, *descr = NULL, *order = NULL, *shape = NULL;
  g_autofree char *quoted = NULL;
  guint64 dims[4] = { 0 }, channels, data_size, end;
  guint n_dims, sample_bytes = 1;
  VidwritePixelFormat format;
  guint64 offset;

  if (vwt_input_read (input, preamble, 10, error) != 10)
    goto truncated;
  len_bytes = preamble[6] == 1 ? 2 : 4;
  if (len_bytes == 4 && vwt_input_read (input, preamble + 10, 2, error) != 2)
    goto truncated;
  header_len = preamble[8] | (gsize)preamble[9] << 8;
  if (len_bytes == 4)
    header_len |= (gsize)preamble[10] << 16 | (gsize)preamble[11] << 24;
  if (header_len > MAX_HEADER)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s: its .npy header is %" G_GSIZE_FORMAT " bytes long, more than %d",
                   input->name, header_len, MAX_HEADER);
      return NULL;
    }
  header = g_malloc0 (header_len + 1);
  if (vwt_input_read (input, header, header_len, error) != (gssize)header_len)
    goto truncated;
  offset = 8 + len_bytes + header_len;

  descr = npy_value (header, "descr");
  order = npy_value (header, "fortran_order");
  shape = npy_value (header, "shape");
  if (!descr || !order || !shape)
    {
      quoted = vwt_escape (g_strstrip (header), -1);
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s: cannot read its .npy header “%s”", input->name, quoted);
      return NULL;
    }
  quoted = vwt_escape (shape, -1);
  if (!npy_parse_shape (shape, dims, &n_dims))
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s: the 'shape' of its .npy header, “%s”, is not a tuple of up to 4 whole "
                   "numbers below 2^64",
                   input->name, quoted);
      return NULL;
    }
  if (g_str_equal (descr, "'<u2'"))
    sample_bytes = 2;
  else if (!g_str_equal (descr, "'|u1'") && !g_str_equal (descr, "'<u1'")
           && !g_str_equal (descr, "'>u1'") && !g_str_equal (descr, "'u1'"))
    {
      g_autofree char *what = vwt_escape (descr, -1);

      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s holds “%s” values; vidwrite takes uint8 frames (|u1) and little-endian "
                   "uint16 ones (<u2) of 1 or 3 channels",
                   input->name, what);
      return NULL;
    }
  if (!g_str_equal (order, "False"))
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s is in Fortran order; save a C-contiguous array (numpy.ascontiguousarray)",
                   input->name);
      return NULL;
    }
  /* Every check on the 64-bit values as written: none is narrowed before it passes. */
  channels = n_dims == 4 ? dims[3] : 1;
  if ((n_dims != 3 && n_dims != 4) || (channels != 1 && channels != 3 && channels != 4)
      || dims[0] == 0 || dims[1] == 0 || dims[2] == 0)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s has the shape %s; vidwrite takes T×H×W×C with C 1, 3 or 4, or T×H×W",
                   input->name, quoted);
      return NULL;
    }
  if (dims[1] > VWT_MAX_DIMENSION || dims[2] > VWT_MAX_DIMENSION)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s has the shape %s: frames of %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
                   " are larger than %d on a side",
                   input->name, quoted, dims[2], dims[1], VWT_MAX_DIMENSION);
      return NULL;
    }
  /* H·W·C is at most 2^30; T times that, and the header before it, may not fit 64 bits. */
  if (!g_uint64_checked_mul (&data_size, dims[0], dims[1] * dims[2] * channels * sample_bytes)
      || !g_uint64_checked_add (&end, offset, data_size))
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s has the shape %s: %" G_GUINT64_FORMAT " frames are too large to count "
                   "in bytes (more than 2^64)",
                   input->name, quoted, dims[0]);
      return NULL;
    }

  /* The array says how many channels of what size; --pix-fmt may only say in what order. */
  if (!vidwrite_pixel_format_for_array (channels, sample_bytes, &format, error))
    {
      g_prefix_error (error, "%s: ", input->name);
      return NULL;
    }
  if (request->pix_fmt)
    {
      VidwritePixelFormat wanted;
      guint wanted_channels;

      if (!vwt_pixel_format_parse (request->pix_fmt, &wanted, error))
        return NULL;
      wanted_channels = vidwrite_pixel_format_get_channels (wanted);
      if (wanted_channels != channels
          || vidwrite_pixel_format_frame_size (wanted, 1, 1) != channels * sample_bytes)
        {
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                       "--pix-fmt %s has %u channels of %u bytes a pixel, but %s has %u of %u",
                       request->pix_fmt, wanted_channels,
                       wanted_channels ? (guint)vidwrite_pixel_format_frame_size (wanted, 1, 1)
                                             / wanted_channels
                                       : 0,
                       input->name, (guint)channels, sample_bytes);
          return NULL;
        }
      format = wanted;
    }
  if (request->width && (request->width != dims[2] || request->height != dims[1]))
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "--size %ux%u does not match %s, whose frames are %" G_GUINT64_FORMAT
                   "x%" G_GUINT64_FORMAT,
                   request->width, request->height, input->name, dims[2], dims[1]);
      return NULL;
    }

  if (input->regular)
    {
      if (input->size < end)
        {
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                       "%s is truncated: its shape %s needs %" G_GUINT64_FORMAT
                       " bytes of data, it has %" G_GUINT64_FORMAT,
                       input->name, quoted, data_size,
                       input->size > offset ? input->size - offset : 0);
          return NULL;
        }
      return mapped_source_new (input, offset, "npy", dims[2], dims[1], format, dims[0], error);
    }
  else
    {
      StreamSource *self = stream_source_new (input, "npy");

      self->base.width = dims[2];
      self->base.height = dims[1];
      self->base.format = format;
      self->base.n_frames = dims[0];
      return &self->base;
    }

truncated:
  if (error && !*error)
    g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                 "%s ends inside its .npy header", input->name);
  return NULL;
}

/* ---- YUV4MPEG2 --------------------------------------------------------------------------- */

/* 4:2:0, 4:4:4 and mono go to the library as they are, planes and all: nothing converts
 * them.  4:2:2 and 4:1:1, which the library does not take, become RGB here, with the matrix
 * the library converts back with (BT.601) and nearest-neighbour chroma, so that the library's
 * chroma averaging gives back the original samples. */
static const struct
{
  const char *tag;    /* after "C" in the header */
  guint x_sub, y_sub; /* log2 of the chroma subsampling */
  gboolean mono;
  VidwritePixelFormat format; /* what the frames are handed on as; RGB: converted here */
} y4m_spaces[] = {
  { "420jpeg", 1, 1, FALSE, VIDWRITE_PIXEL_FORMAT_I420 },
  { "420paldv", 1, 1, FALSE, VIDWRITE_PIXEL_FORMAT_I420 },
  { "420mpeg2", 1, 1, FALSE, VIDWRITE_PIXEL_FORMAT_I420 },
  { "420", 1, 1, FALSE, VIDWRITE_PIXEL_FORMAT_I420 },
  { "422", 1, 0, FALSE, VIDWRITE_PIXEL_FORMAT_RGB },
  { "444", 0, 0, FALSE, VIDWRITE_PIXEL_FORMAT_Y444 },
  { "411", 2, 0, FALSE, VIDWRITE_PIXEL_FORMAT_RGB },
  { "mono", 0, 0, TRUE, VIDWRITE_PIXEL_FORMAT_GRAY8 },
};

/* YUV -> RGB in 16.16 fixed point: R = ys·(Y − y0) + rv·V', G = … − gu·U' − gv·V', B = … + bu·U'.
 */
typedef struct
{
  const char *range; /* the value of the XCOLORRANGE extension */
  int y0, ys, rv, gu, gv, bu;
} Y4mMatrix;

static const Y4mMatrix y4m_matrices[] = {
  { "LIMITED", 16, 76309, 104597, 25675, 53279, 132201 }, /* BT.601, 219 luma levels */
  { "FULL", 0, 65536, 91881, 22554, 46802, 116130 },      /* BT.601 (JFIF), 256 levels */
};

typedef struct
{
  VwtFrameSource base;
  VwtInput *input;
  guint space, matrix;
  gsize luma_size, chroma_size, chroma_width;
  guint8 *planes; /* one frame as read, allocated as it arrives */
  gsize planes_allocated;
  guint64 frames_read;
} Y4mSource;

static guint8
clamp_u8 (int v)
{
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

static void
y4m_to_rgb (Y4mSource *self, guint8 *out)
{
  const guint8 *luma = self->planes;
  const guint8 *u = luma + self->luma_size, *v = u + self->chroma_size;
  guint xs = y4m_spaces[self->space].x_sub, ys = y4m_spaces[self->space].y_sub;
  const Y4mMatrix *m = &y4m_matrices[self->matrix];

  for (guint y = 0; y < self->base.height; y++)
    for (guint x = 0; x < self->base.width; x++)
      {
        gsize c = (gsize)(y >> ys) * self->chroma_width + (x >> xs);
        int l = m->ys * (luma[(gsize)y * self->base.width + x] - m->y0) + 32768;
        int cb = u[c] - 128, cr = v[c] - 128;

        out[0] = clamp_u8 ((l + m->rv * cr) >> 16);
        out[1] = clamp_u8 ((l - m->gu * cb - m->gv * cr) >> 16);
        out[2] = clamp_u8 ((l + m->bu * cb) >> 16);
        out += 3;
      }
}

static GBytes *
y4m_read (VwtFrameSource *base, guint max_frames, GError **error)
{
  Y4mSource *self = (Y4mSource *)base;
  gsize size = frame_size (base), plane_bytes = self->luma_size + 2 * self->chroma_size;
  gboolean as_is = y4m_spaces[self->space].format != VIDWRITE_PIXEL_FORMAT_RGB;
  guint8 *data = NULL;
  guint n = 0;

  for (; n < max_frames; n++)
    {
      g_autofree char *line = NULL;
      GError *local = NULL;
      gssize got;

      if (vwt_input_at_end (self->input, &local))
        break;
      if (local)
        {
          g_propagate_error (error, local);
          goto failed;
        }
      line = vwt_input_read_line (self->input, MAX_HEADER, "frame header", error);
      if (!line)
        goto failed;
      if (!g_str_has_prefix (line, "FRAME"))
        {
          g_autofree char *quoted = vwt_escape (line, MIN (strlen (line), 16));

          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                       "%s: frame %" G_GUINT64_FORMAT " starts with “%s”, not “FRAME”",
                       self->input->name, self->frames_read + n, quoted);
          goto failed;
        }
      /* The planes are allocated as they arrive, the frame once they are all there: a header
       * that claims large frames costs memory only as far as the input really holds them. */
      got = vwt_input_read_growing (self->input, &self->planes, &self->planes_allocated,
                                    plane_bytes, error);
      if (got < 0)
        goto failed;
      if ((gsize)got != plane_bytes)
        {
          g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                       "%s ends inside frame %" G_GUINT64_FORMAT " (%" G_GSSIZE_FORMAT
                       " of its %" G_GSIZE_FORMAT " bytes)",
                       self->input->name, self->frames_read + n, got, plane_bytes);
          goto failed;
        }
      data = g_realloc (data, (n + 1) * size);
      if (as_is)
        memcpy (data + n * size, self->planes, size);
      else
        y4m_to_rgb (self, data + n * size);
    }
  self->frames_read += n;
  if (n == 0)
    return NULL;
  return g_bytes_new_take (data, n * size);

failed:
  g_free (data);
  return NULL;
}

static void
y4m_free (VwtFrameSource *base)
{
  Y4mSource *self = (Y4mSource *)base;

  vwt_input_close (self->input);
  g_free (self->planes);
  g_free (self);
}

/* A frame side, "W640" or "H480", checked against the library's limit here, before anything is
 * allocated for it. */
static gboolean
y4m_parse_side (Y4mSource *self, const char *token, guint *side, GError **error)
{
  const char *p = token + 1;
  guint64 v;

  if (!parse_decimal (&p, &v) || *p || v == 0 || v > VWT_MAX_DIMENSION)
    {
      g_autofree char *quoted = vwt_escape (token, -1);

      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s: the frame %s “%s” is not from 1 to %d", self->input->name,
                   token[0] == 'W' ? "width" : "height", quoted, VWT_MAX_DIMENSION);
      return FALSE;
    }
  *side = v;
  return TRUE;
}

static gboolean
y4m_parse_header (Y4mSource *self, const char *header, GError **error)
{
  g_auto (GStrv) tokens = g_strsplit (header, " ", -1);
  const char *space = "420jpeg", *range = "LIMITED";
  g_autofree char *quoted = NULL;

  for (guint i = 1; tokens[i]; i++)
    {
      const char *t = tokens[i];

      switch (t[0])
        {
        case 'W':
          if (!y4m_parse_side (self, t, &self->base.width, error))
            return FALSE;
          break;
        case 'H':
          if (!y4m_parse_side (self, t, &self->base.height, error))
            return FALSE;
          break;
        case 'F':
          {
            const char *p = t + 1;
            guint64 n, d;

            if (!parse_decimal (&p, &n) || *p++ != ':' || !parse_decimal (&p, &d) || *p || n == 0
                || d == 0 || n > G_MAXINT || d > G_MAXINT)
              {
                quoted = vwt_escape (t, -1);
                g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                             "%s: the frame rate “%s” is not N:D", self->input->name, quoted);
                return FALSE;
              }
            self->base.fps_n = n;
            self->base.fps_d = d;
          }
          break;
        case 'C':
          space = t + 1;
          break;
        case 'X':
          if (g_str_has_prefix (t + 1, "COLORRANGE="))
            range = t + 1 + strlen ("COLORRANGE=");
          break;
        default:
          break; /* interlacing, aspect ratio: the library writes progressive square pixels */
        }
    }
  if (self->base.width == 0 || self->base.height == 0)
    {
      quoted = vwt_escape (header, -1);
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s: the header “%s” gives no frame size (W and H)", self->input->name, quoted);
      return FALSE;
    }

  self->space = G_N_ELEMENTS (y4m_spaces);
  for (guint i = 0; i < G_N_ELEMENTS (y4m_spaces); i++)
    if (g_str_equal (space, y4m_spaces[i].tag))
      self->space = i;
  if (self->space == G_N_ELEMENTS (y4m_spaces))
    {
      quoted = vwt_escape (space, -1);
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s: the colour space “C%s” is not supported (8-bit 420, 422, 444, 411 and "
                   "mono are)",
                   self->input->name, quoted);
      return FALSE;
    }
  self->matrix = G_N_ELEMENTS (y4m_matrices);
  for (guint i = 0; i < G_N_ELEMENTS (y4m_matrices); i++)
    if (g_str_equal (range, y4m_matrices[i].range))
      self->matrix = i;
  if (self->matrix == G_N_ELEMENTS (y4m_matrices))
    {
      quoted = vwt_escape (range, -1);
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s: the colour range “%s” is neither LIMITED nor FULL", self->input->name,
                   quoted);
      return FALSE;
    }
  return TRUE;
}

static VwtFrameSource *
y4m_open (VwtInput *input, const VwtFrameRequest *request, GError **error)
{
  Y4mSource *self = g_new0 (Y4mSource, 1);
  g_autofree char *header = NULL;
  guint xs, ys;

  self->input = input;
  self->base.kind = "y4m";
  self->base.read = y4m_read;
  self->base.free = y4m_free;
  header = vwt_input_read_line (input, MAX_HEADER, "YUV4MPEG2 header", error);
  if (!header || !y4m_parse_header (self, header, error))
    goto failed;
  if (request->pix_fmt)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "--pix-fmt is for raw and .npy input; %s says its own (C%s)", input->name,
                   y4m_spaces[self->space].tag);
      goto failed;
    }
  if (request->width
      && (request->width != self->base.width || request->height != self->base.height))
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "--size %ux%u does not match %s, whose frames are %ux%u", request->width,
                   request->height, input->name, self->base.width, self->base.height);
      goto failed;
    }

  xs = y4m_spaces[self->space].x_sub;
  ys = y4m_spaces[self->space].y_sub;
  self->luma_size = (gsize)self->base.width * self->base.height;
  if (!y4m_spaces[self->space].mono)
    {
      self->chroma_width = (self->base.width + (1u << xs) - 1) >> xs;
      self->chroma_size = self->chroma_width * ((self->base.height + (1u << ys) - 1) >> ys);
    }
  self->base.format = y4m_spaces[self->space].format;
  /* Planes handed on as they are keep their range; converted ones are RGB. */
  if (self->base.format != VIDWRITE_PIXEL_FORMAT_RGB
      && g_str_equal (y4m_matrices[self->matrix].range, "FULL"))
    self->base.color_range = "pc";
  /* Frames without parameters are "FRAME\n" and the planes: a file's length tells how many. */
  if (input->regular)
    {
      guint64 frame_bytes = 6 + self->luma_size + 2 * self->chroma_size;
      guint64 data = input->size - strlen (header) - 1;

      if (input->size > strlen (header) && data % frame_bytes == 0)
        self->base.n_frames = data / frame_bytes;
    }
  return &self->base;

failed:
  self->input = NULL; /* the caller still owns it */
  y4m_free (&self->base);
  return NULL;
}

VwtFrameSource *
vwt_frame_source_new_for_input (VwtInput *input_, const char *path, const VwtFrameRequest *request,
                                GError **error)
{
  g_autoptr (VwtInput) input = input_;
  GError *local = NULL;
  VwtFrameSource *source;
  gboolean y4m, npy;
  const char *suffix = path && g_str_has_suffix (path, ".y4m")   ? "YUV4MPEG2"
                       : path && g_str_has_suffix (path, ".npy") ? "NumPy"
                                                                 : NULL;

  y4m = vwt_input_has_prefix (input, Y4M_MAGIC, strlen (Y4M_MAGIC), &local);
  npy = !local && vwt_input_has_prefix (input, NPY_MAGIC, strlen (NPY_MAGIC), &local);
  if (local)
    {
      g_propagate_error (error, local);
      return NULL;
    }

  if (!y4m && !npy && suffix)
    {
      g_set_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "%s is not a %s file: it does not start with the magic “%s”", input->name,
                   suffix, g_str_equal (suffix, "YUV4MPEG2") ? "YUV4MPEG2 " : "\\x93NUMPY");
      return NULL;
    }
  source = y4m   ? y4m_open (input, request, error)
           : npy ? npy_open (input, request, error)
                 : raw_open (input, request, error);
  if (source)
    g_steal_pointer (&input); /* the source owns or has closed it */
  return source;
}

VwtFrameSource *
vwt_frame_source_open (const char *path, const VwtFrameRequest *request, GError **error)
{
  VwtInput *input = vwt_input_open (path, error);

  return input ? vwt_frame_source_new_for_input (input, path, request, error) : NULL;
}

/* ---- the demo pattern -------------------------------------------------------------------- */

typedef struct
{
  VwtFrameSource base;
  guint64 next;
  guint8 *row_r, *diag_b;
} DemoSource;

/* Colour waves drifting across, a vertical ramp, and a white square bouncing around. */
static void
demo_draw (DemoSource *self, guint64 t, guint8 *out)
{
  guint w = self->base.width, h = self->base.height, side = h / 5;
  guint span_x = w - side, span_y = h - side;
  guint bx = (guint)((t * 7) % (2 * span_x)), by = (guint)((t * 5) % (2 * span_y));

  bx = bx < span_x ? bx : 2 * span_x - bx;
  by = by < span_y ? by : 2 * span_y - by;
  for (guint x = 0; x < w; x++)
    self->row_r[x] = (guint8)(128 + 110 * sin ((x + 4.0 * t) * 2 * G_PI / 160));
  for (guint d = 0; d < w + h; d++)
    self->diag_b[d] = (guint8)(128 + 110 * sin ((d - 3.0 * t) * 2 * G_PI / 120));
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        gboolean box = x >= bx && x < bx + side && y >= by && y < by + side;

        out[0] = box ? 250 : self->row_r[x];
        out[1] = box ? 250 : (guint8)(40 + y * 180 / h);
        out[2] = box ? 250 : self->diag_b[x + y];
        out += 3;
      }
}

static GBytes *
demo_read (VwtFrameSource *base, guint max_frames, GError **error)
{
  DemoSource *self = (DemoSource *)base;
  guint64 n = MIN (max_frames, base->n_frames - self->next);
  gsize size = frame_size (base);
  guint8 *data;

  if (n == 0)
    return NULL;
  data = g_malloc (n * size);
  for (guint64 i = 0; i < n; i++)
    demo_draw (self, self->next + i, data + i * size);
  self->next += n;
  return g_bytes_new_take (data, n * size);
}

static void
demo_free (VwtFrameSource *base)
{
  DemoSource *self = (DemoSource *)base;

  g_free (self->row_r);
  g_free (self->diag_b);
  g_free (self);
}

VwtFrameSource *
vwt_frame_source_new_demo (guint width, guint height, guint n_frames)
{
  DemoSource *self = g_new0 (DemoSource, 1);

  self->base.kind = "demo";
  self->base.width = width;
  self->base.height = height;
  self->base.format = VIDWRITE_PIXEL_FORMAT_RGB;
  self->base.fps_n = 30000;
  self->base.fps_d = 1001;
  self->base.n_frames = n_frames;
  self->base.read = demo_read;
  self->base.free = demo_free;
  self->row_r = g_malloc (width);
  self->diag_b = g_malloc (width + height);
  return &self->base;
}
