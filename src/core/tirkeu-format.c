/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-contract.h"
#include "tirkeu-format.h"

/* Dates, times and money as people in Kazakhstan write them, in all three languages alike:
 * 23.11.2027, 23.11.2027 14:05, 7 300 000 ₸. ISO 8601 and "KZT" are for machines (the
 * contract, --json, the journal) and never reach a sentence. The value carries no word: a
 * Kazakh sentence adds «ж.» and its postposition around it in the catalogue («%s ж. дейін»),
 * a Russian one «г.», since which case a date takes depends on the sentence, not the date.
 * The formats are fixed here rather than taken from the locale, because the desk's machines
 * often run an en_US or C locale whatever language the interface speaks. */

/**
 * tirkeu_format_date_dmy:
 * @year: the year, e.g. 2027
 * @month: 1-12
 * @day: 1-31
 *
 * Returns: (transfer full) (nullable): "23.11.2027", or %NULL for an impossible date
 */
char *
tirkeu_format_date_dmy (guint year,
                        guint month,
                        guint day)
{
  if (year == 0 || year > 9999 || !g_date_valid_dmy (day, month, year))
    return NULL;

  return g_strdup_printf ("%02u.%02u.%04u", day, month, year);
}

/**
 * tirkeu_format_gdate:
 * @date: a calendar date (a contract's, an e-passport's issue date)
 *
 * Returns: (transfer full) (nullable): "23.11.2027", or %NULL when @date is not valid (the
 *   portal gave none)
 */
char *
tirkeu_format_gdate (const GDate *date)
{
  if (date == NULL || !g_date_valid (date))
    return NULL;

  return tirkeu_format_date_dmy (g_date_get_year (date), g_date_get_month (date),
                                 g_date_get_day (date));
}

/**
 * tirkeu_format_date:
 * @date: (nullable): a moment; shown in the local time zone
 *
 * Returns: (transfer full) (nullable): its local date, "23.11.2027", or %NULL for %NULL
 */
char *
tirkeu_format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = NULL;

  if (date == NULL)
    return NULL;

  local = g_date_time_to_local (date);
  return tirkeu_format_date_dmy (g_date_time_get_year (local), g_date_time_get_month (local),
                                 g_date_time_get_day_of_month (local));
}

/**
 * tirkeu_format_date_time:
 * @date_time: (nullable): a moment; shown in the local time zone
 *
 * Returns: (transfer full) (nullable): "23.11.2027 14:05" (24-hour clock), or %NULL for %NULL
 */
char *
tirkeu_format_date_time (GDateTime *date_time)
{
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *date = NULL;

  if (date_time == NULL)
    return NULL;

  local = g_date_time_to_local (date_time);
  date = tirkeu_format_date_dmy (g_date_time_get_year (local), g_date_time_get_month (local),
                                 g_date_time_get_day_of_month (local));
  return g_strdup_printf ("%s %02d:%02d", date, g_date_time_get_hour (local),
                          g_date_time_get_minute (local));
}

/**
 * tirkeu_format_year_month:
 * @year: e.g. 2023
 * @month: 1-12
 *
 * A month of a year, as a BIN's registration month is shown: "05.2023".
 *
 * Returns: (transfer full) (nullable): the text, or %NULL for an impossible month
 */
char *
tirkeu_format_year_month (guint year,
                          guint month)
{
  if (year == 0 || year > 9999 || month < 1 || month > 12)
    return NULL;

  return g_strdup_printf ("%02u.%04u", month, year);
}

/**
 * tirkeu_format_century:
 * @first_year: the first year of a century as an IIN's seventh digit gives it: 1800, 1900,
 *   2000
 *
 * The century in Roman numerals, as both Kazakh and Russian write it («XX ғасыр», «XX век»):
 * "1900s" would read as a decade.
 *
 * Returns: (transfer full) (nullable): "XIX", "XX", "XXI", or %NULL for a year that does not
 *   start a century
 */
char *
tirkeu_format_century (guint first_year)
{
  static const struct { guint value; const char *numeral; } numerals[] = {
    { 10, "X" }, { 9, "IX" }, { 5, "V" }, { 4, "IV" }, { 1, "I" },
  };
  GString *text;
  guint century;

  if (first_year % 100 != 0 || first_year > 3900)
    return NULL;

  century = first_year / 100 + 1;
  text = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (numerals); i++)
    while (century >= numerals[i].value)
      {
        g_string_append (text, numerals[i].numeral);
        century -= numerals[i].value;
      }

  return g_string_free (text, FALSE);
}

/**
 * tirkeu_format_money:
 * @amount_tiyn: an amount in tiyn (hundredths), not negative
 * @currency: (nullable): the ISO 4217 code the portal gave; %NULL or "KZT" for tenge
 *
 * Tenge as tirkeu_contract_format_price_for_display() writes them ("7 300 000 ₸"); another
 * currency, which the portal does not send today, grouped the same way with its code after
 * it ("1 250,50 USD"), so that the amount is never shown in a form that hides its currency.
 *
 * Returns: (transfer full): the amount for display
 */
char *
tirkeu_format_money (gint64      amount_tiyn,
                     const char *currency)
{
  /* U+00A0 NO-BREAK SPACE, U+20B8 TENGE SIGN: how the price helper ends */
  static const char tenge_suffix[] = "\u00a0\u20b8";
  g_autofree char *tenge = NULL;
  gsize length;

  g_return_val_if_fail (amount_tiyn >= 0, NULL);

  tenge = tirkeu_contract_format_price_for_display (amount_tiyn);
  if (currency == NULL || *currency == '\0' || g_str_equal (currency, "KZT"))
    return g_steal_pointer (&tenge);

  length = strlen (tenge);
  g_assert (g_str_has_suffix (tenge, tenge_suffix));
  tenge[length - strlen (tenge_suffix)] = '\0';
  return g_strdup_printf ("%s\u00a0%s", tenge, currency);
}
