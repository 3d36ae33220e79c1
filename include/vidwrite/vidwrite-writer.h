/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__VIDWRITE_H_INSIDE__) && !defined(VIDWRITE_COMPILATION)
#error "Only <vidwrite/vidwrite.h> can be included directly."
#endif

#include <gio/gio.h>
#include <vidwrite/vidwrite-version.h>
#include <vidwrite/vidwrite-types.h>

G_BEGIN_DECLS

#define VIDWRITE_TYPE_WRITER (vidwrite_writer_get_type ())

VIDWRITE_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VidwriteWriter, vidwrite_writer, VIDWRITE, WRITER, GObject)

VIDWRITE_AVAILABLE_IN_ALL
VidwriteWriter *vidwrite_writer_new (const char *filename, GError **error);

VIDWRITE_AVAILABLE_IN_ALL
VidwriteWriter *vidwrite_writer_new_with_format (const char *filename,
                                                 const char *format,
                                                 GError    **error);

VIDWRITE_AVAILABLE_IN_ALL
VidwriteWriter *vidwrite_writer_new_for_stream (GOutputStream *stream,
                                                const char    *format,
                                                GError       **error);

VIDWRITE_AVAILABLE_IN_ALL
const char *vidwrite_writer_get_filename (VidwriteWriter *self);

VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_writer_set_video (VidwriteWriter     *self,
                                    guint               width,
                                    guint               height,
                                    VidwritePixelFormat format,
                                    gint                fps_n,
                                    gint                fps_d,
                                    const char         *codec,
                                    GHashTable         *options,
                                    GError            **error);

VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_writer_set_audio (VidwriteWriter      *self,
                                    guint                channels,
                                    guint                rate,
                                    VidwriteSampleFormat format,
                                    VidwriteAudioLayout  layout,
                                    const char          *codec,
                                    GHashTable          *options,
                                    GError             **error);

VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_writer_push_frames (VidwriteWriter *self, GBytes *frames, GError **error);

VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_writer_push_frames_at (VidwriteWriter *self,
                                         GBytes         *frames,
                                         const guint64  *timestamps,
                                         gsize           n_timestamps,
                                         GError        **error);

VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_writer_push_audio (VidwriteWriter *self, GBytes *samples, GError **error);

VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_writer_end_audio (VidwriteWriter *self, GError **error);

VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_writer_finish (VidwriteWriter *self, GCancellable *cancellable, GError **error);

VIDWRITE_AVAILABLE_IN_ALL
void vidwrite_writer_finish_async (VidwriteWriter     *self,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);

VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_writer_finish_finish (VidwriteWriter *self, GAsyncResult *result, GError **error);

VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_writer_cancel (VidwriteWriter *self, GError **error);

VIDWRITE_AVAILABLE_IN_ALL
guint64 vidwrite_writer_get_frames_pushed (VidwriteWriter *self);

VIDWRITE_AVAILABLE_IN_ALL
guint64 vidwrite_writer_get_frames_encoded (VidwriteWriter *self);

VIDWRITE_AVAILABLE_IN_ALL
guint64 vidwrite_writer_get_samples_pushed (VidwriteWriter *self);

VIDWRITE_AVAILABLE_IN_ALL
guint64 vidwrite_writer_get_audio_ahead (VidwriteWriter *self);

VIDWRITE_AVAILABLE_IN_ALL
void vidwrite_writer_push_frames_async (VidwriteWriter     *self,
                                        GBytes             *frames,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);

VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_writer_push_frames_finish (VidwriteWriter *self,
                                             GAsyncResult   *result,
                                             GError        **error);

VIDWRITE_AVAILABLE_IN_ALL
void vidwrite_writer_push_audio_async (VidwriteWriter     *self,
                                       GBytes             *samples,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);

VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_writer_push_audio_finish (VidwriteWriter *self,
                                            GAsyncResult   *result,
                                            GError        **error);

G_END_DECLS
