/* vidwrite_rate_to_fraction(): decimal rates as the exact fractions they stand for. */
#include "vwt.h"

#include <math.h>
#include <string.h>

static void
check_rate (double rate, gint n, gint d)
{
  g_autoptr (GError) error = NULL;
  gint num = 0, den = 0;

  g_assert_true (vidwrite_rate_to_fraction (rate, &num, &den, &error));
  g_assert_no_error (error);
  g_test_message ("%g -> %d/%d", rate, num, den);
  g_assert_cmpint (num, ==, n);
  g_assert_cmpint (den, ==, d);
}

static void
test_exact (void)
{
  check_rate (30, 30, 1);
  check_rate (25, 25, 1);
  check_rate (1, 1, 1);
  check_rate (12.5, 25, 2);
  check_rate (7.5, 15, 2);
  check_rate (0.5, 1, 2);
  check_rate (240, 240, 1);
}

static void
test_ntsc (void)
{
  check_rate (29.97, 30000, 1001);
  check_rate (23.976, 24000, 1001);
  check_rate (59.94, 60000, 1001);
  check_rate (119.88, 120000, 1001);
  check_rate (14.985, 15000, 1001);
  check_rate (30000.0 / 1001.0, 30000, 1001);
  check_rate (29.97002997, 30000, 1001);
}

static void
test_other (void)
{
  g_autoptr (GError) error = NULL;
  gint n = 0, d = 0;

  /* Not NTSC, not simple: the nearest fraction still equals it closely. */
  g_assert_true (vidwrite_rate_to_fraction (29.5, &n, &d, &error));
  g_assert_cmpfloat (fabs ((double) n / d - 29.5), <, 1e-9);
  g_assert_true (vidwrite_rate_to_fraction (1.0 / 3.0, &n, &d, &error));
  g_assert_cmpint (n, ==, 1);
  g_assert_cmpint (d, ==, 3);
  g_assert_true (vidwrite_rate_to_fraction (0.001, &n, &d, &error));
  g_assert_cmpfloat (fabs ((double) n / d - 0.001), <, 1e-12);
}

static void
test_invalid (void)
{
  const double bad[] = { 0,    -1, -29.97, NAN, INFINITY, -INFINITY, 1e9, VIDWRITE_MAX_FRAME_RATE + 1,
                         1e-9, 1.0 / 3601 };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *shown = g_strdup_printf ("%g ", bad[i]);
      gint n = 0, d = 0;

      g_assert_false (vidwrite_rate_to_fraction (bad[i], &n, &d, &error));
      g_assert_error (error, VIDWRITE_ERROR, VIDWRITE_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, shown));
    }
}

int
main (int argc, char **argv)
{
  vwt_init (&argc, &argv);
  g_test_add_func ("/rate/exact", test_exact);
  g_test_add_func ("/rate/ntsc", test_ntsc);
  g_test_add_func ("/rate/other", test_other);
  g_test_add_func ("/rate/invalid", test_invalid);
  return g_test_run ();
}
