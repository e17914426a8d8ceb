/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the IIN/BIN parser: no crash, no sanitizer report, and invariants:
 * normalization is idempotent; valid <=> the normalized text is 12 ASCII digits whose
 * check digit (computed here independently) equals d12; the mask never shows digits 7-12. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tirkeu-error.h"
#include "tirkeu-iin.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
reference_check_digit (const char *d)
{
  int a = 0, b = 0;

  for (int i = 0; i < 11; i++)
    {
      a += (i + 1) * (d[i] - '0');
      b += ((i + 2) % 11 + 1) * (d[i] - '0');
    }
  return a % 11 != 10 ? a % 11 : b % 11;
}

#define REQUIRE(x) do { if (!(x)) abort (); } while (0)

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *once = tirkeu_iin_normalize (text);
  g_autofree char *twice = tirkeu_iin_normalize (once);
  g_autofree char *masked = tirkeu_iin_mask (text);
  g_autoptr(GError) error = NULL;
  TirkeuIinInfo iin;
  TirkeuBinInfo bin;
  gboolean valid, expected = FALSE;

  REQUIRE (g_utf8_validate (once, -1, NULL));
  REQUIRE (strcmp (once, twice) == 0);

  if (strlen (once) == 12)
    {
      expected = TRUE;
      for (int i = 0; i < 12; i++)
        expected = expected && g_ascii_isdigit (once[i]);
      expected = expected && reference_check_digit (once) == once[11] - '0';
    }

  valid = tirkeu_iin_parse (text, &iin, &error);
  REQUIRE (valid == expected);
  REQUIRE (valid == (error == NULL));
  REQUIRE (valid || error->domain == TIRKEU_INPUT_ERROR);
  REQUIRE (!valid || strcmp (iin.iin, once) == 0);
  REQUIRE (valid || iin.iin[0] == '\0');
  REQUIRE (iin.birth_month <= 12 && iin.birth_day <= 31);
  REQUIRE (tirkeu_bin_parse (text, 2026, &bin, NULL) == valid);
  REQUIRE (bin.registration_month <= 12);

  /* the mask: at most 6 characters of the normalized text, then exactly six '*' */
  REQUIRE (g_str_has_suffix (masked, "******"));
  REQUIRE (strncmp (masked, once, strlen (masked) - 6) == 0);
  REQUIRE (g_utf8_strlen (masked, -1) <= 12);
  if (valid)
    REQUIRE (strlen (masked) == 12 && strcmp (masked + 6, "******") == 0);

  return 0;
}
