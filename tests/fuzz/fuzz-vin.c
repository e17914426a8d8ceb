/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the VIN parser: no crash, no sanitizer report, and invariants:
 * normalization is idempotent; a valid VIN is 17 characters of the VIN alphabet whose
 * computed check digit (computed here independently) equals position 9 when the WMI is
 * North American, and the warning says exactly whether it differs elsewhere. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tirkeu-error.h"
#include "tirkeu-vin.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
reference_value (char c)
{
  static const char letters[] = "ABCDEFGHJKLMNPRSTUVWXYZ";
  static const int values[] = { 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7,
                                8, 9 };
  const char *p;

  if (c >= '0' && c <= '9')
    return c - '0';
  p = (c != '\0') ? strchr (letters, c) : NULL;
  return p != NULL ? values[p - letters] : -1;
}

static char
reference_check_digit (const char *vin)
{
  static const int weights[] = { 8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2 };
  int sum = 0;

  for (int i = 0; i < 17; i++)
    sum += reference_value (vin[i]) * weights[i];
  return sum % 11 == 10 ? 'X' : (char) ('0' + sum % 11);
}

#define REQUIRE(x) do { if (!(x)) abort (); } while (0)

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *once = tirkeu_vin_normalize (text);
  g_autofree char *twice = tirkeu_vin_normalize (once);
  g_autoptr(GError) error = NULL;
  TirkeuVinInfo info;
  gboolean valid, alphabet_ok = FALSE;

  REQUIRE (g_utf8_validate (once, -1, NULL));
  REQUIRE (strcmp (once, twice) == 0);

  if (strlen (once) == 17)
    {
      alphabet_ok = TRUE;
      for (int i = 0; i < 17; i++)
        alphabet_ok = alphabet_ok && reference_value (once[i]) >= 0;
    }

  valid = tirkeu_vin_parse (text, 2026, &info, &error);
  REQUIRE (valid == (error == NULL));
  REQUIRE (valid || error->domain == TIRKEU_INPUT_ERROR);
  REQUIRE (info.error_position <= 17);

  if (!alphabet_ok)
    {
      REQUIRE (!valid);
      return 0;
    }

  {
    gboolean north_american = once[0] >= '1' && once[0] <= '5';
    gboolean matches = reference_check_digit (once) == once[8];

    REQUIRE (valid == (matches || !north_american));
    if (valid)
      {
        REQUIRE (strcmp (info.vin, once) == 0);
        REQUIRE (info.computed_check_digit == reference_check_digit (once));
        REQUIRE (info.check_digit_warning == !matches);
        REQUIRE (info.model_year == 0
                 || (info.model_year >= 1980 && info.model_year <= 2057));
        REQUIRE (info.region != TIRKEU_VIN_REGION_UNKNOWN);
      }
    else
      REQUIRE (g_error_matches (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_CHECK_DIGIT));
  }

  return 0;
}
