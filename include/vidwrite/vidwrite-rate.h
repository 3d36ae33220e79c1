/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__VIDWRITE_H_INSIDE__) && !defined(VIDWRITE_COMPILATION)
#error "Only <vidwrite/vidwrite.h> can be included directly."
#endif

#include <glib.h>
#include <vidwrite/vidwrite-version.h>

G_BEGIN_DECLS

/**
 * VIDWRITE_MAX_FRAME_RATE:
 *
 * The highest frame rate vidwrite accepts, in frames per second.
 */
#define VIDWRITE_MAX_FRAME_RATE 100000

/**
 * VIDWRITE_MAX_FRAME_DURATION:
 *
 * The longest a frame may last, in seconds: the lowest frame rate is its inverse, 1/3600.
 */
#define VIDWRITE_MAX_FRAME_DURATION 3600

VIDWRITE_AVAILABLE_IN_ALL
gboolean vidwrite_rate_to_fraction (double   rate,
                                    gint    *numerator,
                                    gint    *denominator,
                                    GError **error);

G_END_DECLS
