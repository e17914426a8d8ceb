/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "tirkeu-contract.h"
#include "tirkeu-error.h"

G_DEFINE_BOXED_TYPE (TirkeuContract, tirkeu_contract, tirkeu_contract_copy, tirkeu_contract_free)

/**
 * tirkeu_contract_new:
 * @number: (nullable): the contract number
 *
 * Returns: (transfer full): a contract with an unknown date and price
 */
TirkeuContract *
tirkeu_contract_new (const char *number)
{
  TirkeuContract *contract = g_new0 (TirkeuContract, 1);

  contract->number = g_strdup (number);
  g_date_clear (&contract->date, 1);
  contract->price_tiyn = TIRKEU_CONTRACT_PRICE_UNKNOWN;

  return contract;
}

/**
 * tirkeu_contract_copy:
 * @contract: a #TirkeuContract
 *
 * Returns: (transfer full): a deep copy of @contract
 */
TirkeuContract *
tirkeu_contract_copy (const TirkeuContract *contract)
{
  TirkeuContract *copy;

  g_return_val_if_fail (contract != NULL, NULL);

  copy = g_memdup2 (contract, sizeof *contract);
  copy->number = g_strdup (contract->number);

  return copy;
}

/**
 * tirkeu_contract_free:
 * @contract: (nullable): a #TirkeuContract
 */
void
tirkeu_contract_free (TirkeuContract *contract)
{
  if (contract == NULL)
    return;

  g_free (contract->number);
  g_free (contract);
}

static gboolean
dates_equal (const GDate *a,
             const GDate *b)
{
  gboolean a_valid = g_date_valid (a);
  gboolean b_valid = g_date_valid (b);

  if (!a_valid || !b_valid)
    return a_valid == b_valid;

  return g_date_compare (a, b) == 0;
}

/**
 * tirkeu_contract_equal:
 * @a: (nullable): a #TirkeuContract
 * @b: (nullable): a #TirkeuContract
 *
 * Returns: %TRUE if number, date and price are equal (two %NULL are equal)
 */
gboolean
tirkeu_contract_equal (const TirkeuContract *a,
                       const TirkeuContract *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  return g_strcmp0 (a->number, b->number) == 0
         && dates_equal (&a->date, &b->date)
         && a->price_tiyn == b->price_tiyn;
}

/**
 * tirkeu_contract_to_variant:
 * @contract: a #TirkeuContract
 *
 * Serializes @contract as an `a{sv}` dictionary of its known fields: "number" (s), "date"
 * (s, ISO 8601 "YYYY-MM-DD"), "price-tiyn" (x).
 *
 * Returns: (transfer none): a floating #GVariant
 */
GVariant *
tirkeu_contract_to_variant (const TirkeuContract *contract)
{
  GVariantBuilder builder;

  g_return_val_if_fail (contract != NULL, NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  if (contract->number != NULL)
    g_variant_builder_add (&builder, "{sv}", "number", g_variant_new_string (contract->number));
  if (g_date_valid (&contract->date))
    {
      char iso[16];

      g_snprintf (iso, sizeof iso, "%04u-%02u-%02u",
                  (guint) g_date_get_year (&contract->date),
                  (guint) g_date_get_month (&contract->date),
                  (guint) g_date_get_day (&contract->date));
      g_variant_builder_add (&builder, "{sv}", "date", g_variant_new_string (iso));
    }
  if (contract->price_tiyn >= 0)
    g_variant_builder_add (&builder, "{sv}", "price-tiyn",
                           g_variant_new_int64 (contract->price_tiyn));

  return g_variant_builder_end (&builder);
}

static gboolean
parse_iso_date (const char *text,
                GDate      *date)
{
  guint year, month, day;
  char tail;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;
  if (sscanf (text, "%4u-%2u-%2u%c", &year, &month, &day, &tail) != 3)
    return FALSE;
  if (!g_date_valid_dmy (day, month, year))
    return FALSE;

  g_date_set_dmy (date, day, month, year);
  return TRUE;
}

static gboolean
has_type_or_absent (GVariant           *dict,
                    const char         *key,
                    const GVariantType *type)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, key, NULL);

  return value == NULL || g_variant_is_of_type (value, type);
}

/**
 * tirkeu_contract_new_from_variant:
 * @variant: an `a{sv}` dictionary from tirkeu_contract_to_variant()
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the contract, or %NULL with @error set
 *   (%TIRKEU_INPUT_ERROR_INVALID)
 */
TirkeuContract *
tirkeu_contract_new_from_variant (GVariant  *variant,
                                  GError   **error)
{
  g_autoptr(TirkeuContract) contract = NULL;
  const char *number = NULL;
  const char *date = NULL;
  gint64 price_tiyn = TIRKEU_CONTRACT_PRICE_UNKNOWN;

  g_return_val_if_fail (variant != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT))
    goto damaged;

  contract = tirkeu_contract_new (NULL);

  /* g_variant_lookup() with a format cannot tell a missing key from one of the wrong type:
   * check the types first, so that damaged data is an error and not a silent blank */
  if (!has_type_or_absent (variant, "number", G_VARIANT_TYPE_STRING)
      || !has_type_or_absent (variant, "date", G_VARIANT_TYPE_STRING)
      || !has_type_or_absent (variant, "price-tiyn", G_VARIANT_TYPE_INT64))
    goto damaged;

  if (g_variant_lookup (variant, "number", "&s", &number))
    contract->number = g_strdup (number);

  if (g_variant_lookup (variant, "date", "&s", &date) && !parse_iso_date (date, &contract->date))
    goto damaged;

  if (g_variant_lookup (variant, "price-tiyn", "x", &price_tiyn))
    {
      if (price_tiyn < 0)
        goto damaged;
      contract->price_tiyn = price_tiyn;
    }

  return g_steal_pointer (&contract);

damaged:
  g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
               _("The stored contract data are damaged."));
  return NULL;
}

/**
 * tirkeu_contract_format_price:
 * @price_tiyn: a price in tiyn, not negative
 *
 * Formats a price as the exact decimal string the portal contract and the files use: tenge,
 * a dot, two digits of tiyn, no grouping ("12500000.50", "0.05").
 *
 * Returns: (transfer full): the decimal string
 */
char *
tirkeu_contract_format_price (gint64 price_tiyn)
{
  g_return_val_if_fail (price_tiyn >= 0, NULL);

  return g_strdup_printf ("%" G_GINT64_FORMAT ".%02d",
                          price_tiyn / 100, (int) (price_tiyn % 100));
}

/**
 * tirkeu_contract_format_price_for_display:
 * @price_tiyn: a price in tiyn, not negative
 *
 * The price as people in Kazakhstan write it on a screen or a paper: tenge grouped in threes
 * by narrow no-break spaces, tiyn after a comma only when there are any, and the tenge sign
 * ("7 300 000 ₸", "12 500 000,50 ₸"). Use tirkeu_contract_format_price() for machines.
 *
 * Returns: (transfer full): the price for display
 */
char *
tirkeu_contract_format_price_for_display (gint64 price_tiyn)
{
  g_autofree char *digits = NULL;
  GString *text;
  gsize n_digits;

  g_return_val_if_fail (price_tiyn >= 0, NULL);

  digits = g_strdup_printf ("%" G_GINT64_FORMAT, price_tiyn / 100);
  n_digits = strlen (digits);
  text = g_string_sized_new (n_digits * 2 + 16);

  for (gsize i = 0; i < n_digits; i++)
    {
      /* U+202F NARROW NO-BREAK SPACE: the group separator that never breaks a line */
      if (i > 0 && (n_digits - i) % 3 == 0)
        g_string_append (text, "\u202f");
      g_string_append_c (text, digits[i]);
    }

  if (price_tiyn % 100 != 0)
    g_string_append_printf (text, ",%02d", (int) (price_tiyn % 100));

  /* U+00A0 NO-BREAK SPACE, then U+20B8 TENGE SIGN */
  g_string_append (text, "\u00a0\u20b8");

  return g_string_free (text, FALSE);
}

/**
 * tirkeu_contract_parse_price:
 * @text: a price in tenge as a person or the portal writes it: digits, optionally grouped by
 *   spaces (also no-break and narrow no-break spaces), optionally a "." or "," and one or
 *   two digits of tiyn ("12 500 000", "12500000,5", "12500000.50")
 * @price_tiyn: (out) (optional): the price in tiyn
 * @error: return location for a #GError
 *
 * Parses exactly, with integer arithmetic: no rounding ever happens, and a third decimal
 * digit is an error rather than a silent loss.
 *
 * Returns: %TRUE on success
 */
gboolean
tirkeu_contract_parse_price (const char  *text,
                             gint64      *price_tiyn,
                             GError     **error)
{
  gint64 tenge = 0;
  gint64 tiyn = 0;
  guint n_tenge_digits = 0;
  guint n_tiyn_digits = 0;
  gboolean in_fraction = FALSE;
  const char *p;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (text == NULL)
    text = "";

  for (p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_BAD_CHARACTER,
                       _("The price contains a character that is not a digit."));
          return FALSE;
        }

      if (c == ' ' || c == 0x00A0 || c == 0x202F || c == 0x2009)
        {
          if (in_fraction && n_tiyn_digits > 0)
            {
              g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                           _("Write the price in tenge, with at most two digits of tiyn."));
              return FALSE;
            }
          continue;
        }

      if (c == '.' || c == ',')
        {
          if (in_fraction || n_tenge_digits == 0)
            {
              g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                           _("Write the price in tenge, with at most two digits of tiyn."));
              return FALSE;
            }
          in_fraction = TRUE;
          continue;
        }

      if (c < '0' || c > '9')
        {
          g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_NOT_A_DIGIT,
                       _("The price contains a character that is not a digit."));
          return FALSE;
        }

      if (in_fraction)
        {
          if (++n_tiyn_digits > 2)
            {
              g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                           _("Write the price in tenge, with at most two digits of tiyn."));
              return FALSE;
            }
          tiyn = tiyn * 10 + (c - '0');
        }
      else
        {
          /* far above any car, but an overflow must not wrap: the largest whole tenge
           * amount that still holds any two digits of tiyn */
          const gint64 max_tenge = (G_MAXINT64 - 99) / 100;

          if (tenge > (max_tenge - (c - '0')) / 10)
            {
              g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                           _("The price is too large."));
              return FALSE;
            }
          tenge = tenge * 10 + (c - '0');
          n_tenge_digits++;
        }
    }

  if (n_tenge_digits == 0)
    {
      g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_EMPTY,
                   _("Enter the price."));
      return FALSE;
    }
  if (in_fraction && n_tiyn_digits == 0)
    {
      g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                   _("Write the price in tenge, with at most two digits of tiyn."));
      return FALSE;
    }
  if (n_tiyn_digits == 1)
    tiyn *= 10;

  if (price_tiyn != NULL)
    *price_tiyn = tenge * 100 + tiyn;

  return TRUE;
}
