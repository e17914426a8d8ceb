/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-format.h"

/* Formats as people in Kazakhstan write them: day.month.year, 24-hour time, tenge grouped by
 * thin spaces with the tenge sign after. The local time zone is pinned (TZ) so the table
 * holds on any machine. */

typedef struct
{
  guint year, month, day;
  const char *expected;  /* NULL: refused */
} DateCase;

static const DateCase date_cases[] = {
  { 2027, 11, 23, "23.11.2027" },
  { 2026, 1, 5, "05.01.2026" },
  { 1999, 12, 31, "31.12.1999" },
  { 2024, 2, 29, "29.02.2024" },   /* leap year */
  { 2025, 2, 29, NULL },           /* not one */
  { 2027, 13, 1, NULL },
  { 2027, 0, 1, NULL },
  { 0, 1, 1, NULL },
  { 2027, 4, 31, NULL },
};

static void
test_date_dmy (gconstpointer data)
{
  const DateCase *c = data;
  g_autofree char *text = tirkeu_format_date_dmy (c->year, c->month, c->day);

  g_assert_cmpstr (text, ==, c->expected);
}

static void
test_gdate (void)
{
  GDate date;
  g_autofree char *text = NULL;
  g_autofree char *none = NULL;

  g_date_clear (&date, 1);
  none = tirkeu_format_gdate (&date);
  g_assert_null (none);

  g_date_set_dmy (&date, 23, G_DATE_NOVEMBER, 2027);
  text = tirkeu_format_gdate (&date);
  g_assert_cmpstr (text, ==, "23.11.2027");
  g_assert_null (tirkeu_format_gdate (NULL));
}

static void
test_date_time_local (void)
{
  /* 20:30 UTC is 01:30 the next day in Astana (UTC+5 since March 2024) */
  g_autoptr(GDateTime) utc = g_date_time_new_utc (2027, 11, 22, 20, 30, 15);
  g_autofree char *date = tirkeu_format_date (utc);
  g_autofree char *date_time = tirkeu_format_date_time (utc);

  g_assert_cmpstr (date, ==, "23.11.2027");
  g_assert_cmpstr (date_time, ==, "23.11.2027 01:30");
  g_assert_null (tirkeu_format_date (NULL));
  g_assert_null (tirkeu_format_date_time (NULL));
}

static void
test_date_time_afternoon (void)
{
  g_autoptr(GTimeZone) astana = g_time_zone_new_identifier ("+05:00");
  g_autoptr(GDateTime) then = g_date_time_new (astana, 2026, 3, 8, 14, 5, 0);
  g_autofree char *text = tirkeu_format_date_time (then);

  /* 24-hour clock, no AM/PM, no seconds */
  g_assert_cmpstr (text, ==, "08.03.2026 14:05");
}

typedef struct
{
  guint year, month;
  const char *expected;
} MonthCase;

static const MonthCase month_cases[] = {
  { 2023, 5, "05.2023" },
  { 1994, 1, "01.1994" },
  { 2023, 0, NULL },
  { 2023, 13, NULL },
};

static void
test_year_month (gconstpointer data)
{
  const MonthCase *c = data;
  g_autofree char *text = tirkeu_format_year_month (c->year, c->month);

  g_assert_cmpstr (text, ==, c->expected);
}

typedef struct
{
  guint first_year;
  const char *expected;
} CenturyCase;

static const CenturyCase century_cases[] = {
  { 1800, "XIX" },
  { 1900, "XX" },
  { 2000, "XXI" },
  { 2100, "XXII" },
  { 1400, "XV" },
  { 1950, NULL },
};

static void
test_century (gconstpointer data)
{
  const CenturyCase *c = data;
  g_autofree char *text = tirkeu_format_century (c->first_year);

  g_assert_cmpstr (text, ==, c->expected);
}

typedef struct
{
  gint64 tiyn;
  const char *currency;
  const char *expected;
} MoneyCase;

/* U+202F narrow no-break space between groups, U+00A0 before the sign */
static const MoneyCase money_cases[] = {
  { 730000000, "KZT", "7\u202f300\u202f000\u00a0\u20b8" },
  { 730000000, NULL, "7\u202f300\u202f000\u00a0\u20b8" },
  { 1250000050, "KZT", "12\u202f500\u202f000,50\u00a0\u20b8" },
  { 5, "KZT", "0,05\u00a0\u20b8" },
  { 99900, "", "999\u00a0\u20b8" },
  { 125050, "USD", "1\u202f250,50\u00a0USD" },
};

static void
test_money (gconstpointer data)
{
  const MoneyCase *c = data;
  g_autofree char *text = tirkeu_format_money (c->tiyn, c->currency);

  g_assert_cmpstr (text, ==, c->expected);
  /* never the code of tenge in a sentence, never a dot for tiyn */
  g_assert_null (strstr (text, "KZT"));
  g_assert_null (strchr (text, '.'));
}

int
main (int   argc,
      char *argv[])
{
  /* Astana time (UTC+5) as a POSIX rule, independent of the machine's tzdata */
  g_setenv ("TZ", "<+05>-5", TRUE);
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (date_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/format/date/%u-%u-%u", date_cases[i].year,
                                               date_cases[i].month, date_cases[i].day);
      g_test_add_data_func (path, &date_cases[i], test_date_dmy);
    }
  g_test_add_func ("/format/date/gdate", test_gdate);
  g_test_add_func ("/format/date-time/local", test_date_time_local);
  g_test_add_func ("/format/date-time/afternoon", test_date_time_afternoon);
  for (guint i = 0; i < G_N_ELEMENTS (month_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/format/year-month/%u-%u", month_cases[i].year,
                                               month_cases[i].month);
      g_test_add_data_func (path, &month_cases[i], test_year_month);
    }
  for (guint i = 0; i < G_N_ELEMENTS (century_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/format/century/%u", century_cases[i].first_year);
      g_test_add_data_func (path, &century_cases[i], test_century);
    }
  for (guint i = 0; i < G_N_ELEMENTS (money_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/format/money/%u", i);
      g_test_add_data_func (path, &money_cases[i], test_money);
    }

  return g_test_run ();
}
