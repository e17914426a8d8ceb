/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

/**
 * tirkeu_test_scale_ms:
 * @ms: a time a test waits or allows, in milliseconds
 *
 * The tests' times assume uninstrumented programs. `build-aux/check --sanitize`, whose
 * programs run several times slower, sets TIRKEU_TEST_TIMEOUT_MULTIPLIER to the factor it
 * also gives meson's timeouts, and the tests stretch their times by it. A test about a
 * deadline stretches the deadline and the bounds it checks alike, so it checks the same
 * thing; unset, nothing changes.
 *
 * Returns: @ms times the multiplier
 */
static inline guint
tirkeu_test_scale_ms (guint ms)
{
  const char *multiplier = g_getenv ("TIRKEU_TEST_TIMEOUT_MULTIPLIER");
  guint64 factor = 1;

  if (multiplier != NULL)
    g_assert_true (g_ascii_string_to_unsigned (multiplier, 10, 1, 100, &factor, NULL));
  return ms * (guint) factor;
}
