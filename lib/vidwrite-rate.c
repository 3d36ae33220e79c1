/* Frame rates as exact fractions.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vidwrite-private.h"

#include <math.h>

/**
 * vidwrite_rate_to_fraction:
 * @rate: a frame rate in frames per second, as people write it (29.97, 25, 12.5)
 * @numerator: (out): the exact rate's numerator
 * @denominator: (out): the exact rate's denominator
 * @error: return location for a #GError
 *
 * Turns a frame rate written as a decimal into the exact fraction it stands for.  Whole numbers
 * stay whole (30 → 30/1); the NTSC family, written to any usual precision, becomes its
 * 1000/1001 fraction (29.97 → 30000/1001, 23.976 → 24000/1001, 59.94 → 60000/1001); other rates
 * get the simplest fraction that equals them (12.5 → 25/2).
 *
 * Returns: %TRUE, or %FALSE with %VIDWRITE_ERROR_INVALID_ARGUMENT for a rate that is not a
 *   finite number from 1/%VIDWRITE_MAX_FRAME_DURATION to %VIDWRITE_MAX_FRAME_RATE
 */
gboolean
vidwrite_rate_to_fraction (double rate, gint *numerator, gint *denominator, GError **error)
{
  double k;

  if (!isfinite (rate) || rate * VIDWRITE_MAX_FRAME_DURATION < 1 || rate > VIDWRITE_MAX_FRAME_RATE)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "frame rate %g is out of range (1/%d to %d frames a second)", rate,
                   VIDWRITE_MAX_FRAME_DURATION, VIDWRITE_MAX_FRAME_RATE);
      return FALSE;
    }

  if (fabs (rate - round (rate)) < 1e-9 * rate && round (rate) >= 1)
    {
      *numerator = (gint) round (rate);
      *denominator = 1;
      return TRUE;
    }

  /* NTSC rates are k·1000/1001; written as 29.97 they are within a millionth of it. */
  k = round (rate * 1001.0 / 1000.0);
  if (k >= 1 && fabs (rate - k * 1000.0 / 1001.0) <= 1e-5 * rate)
    {
      *numerator = (gint) k * 1000;
      *denominator = 1001;
      return TRUE;
    }

  for (gint d = 2; d <= 1000; d++)
    {
      double n = round (rate * d);

      if (n >= 1 && fabs (rate * d - n) < 1e-9 * rate * d)
        {
          *numerator = (gint) n;
          *denominator = d;
          return TRUE;
        }
    }

  gst_util_double_to_fraction (rate, numerator, denominator);
  if (*numerator <= 0 || *denominator <= 0)
    {
      vw_set_error (error, VIDWRITE_ERROR_INVALID_ARGUMENT,
                   "frame rate %.17g has no usable fraction", rate);
      return FALSE;
    }
  return TRUE;
}
