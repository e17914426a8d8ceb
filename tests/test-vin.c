/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-error.h"
#include "tirkeu-vin.h"

/* Independent reimplementation of DOMAIN.md's check digit, from the table in the text. */
static const char reference_alphabet[] = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";

static int
reference_value (char c)
{
  static const char *letters = "ABCDEFGHJKLMNPRSTUVWXYZ";
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

typedef struct
{
  const char *vin;
  const char *country_code;
  const char *manufacturer;   /* NULL: none expected */
  guint       model_year;     /* with the current year 2026 */
  gboolean    warning;
} VinCase;

static const VinCase valid_cases[] = {
  /* North America: check digit mandatory; year cycle from position 7 */
  { "1M8GDM9AXKP042788", "US", NULL, 1989, FALSE },            /* check digit X */
  { "11111111111111111", "US", NULL, 2001, FALSE },
  { "1HGCM82633A004352", "US", "Honda USA", 2003, FALSE },
  { "5YJ3E1EA2KF317000", "US", "Tesla", 2019, FALSE },         /* letter in 7: 2010-2039 */
  /* Asia */
  { "KNAGM4A77D5316538", "KR", "Kia", 2013, FALSE },
  { "KS1AB12C4R0000001", "KZ", NULL, 2024, FALSE },
  { "K01AB12C1R0000001", "KZ", NULL, 2024, FALSE },
  { "LGXCE4CB4N0000001", "CN", "BYD", 2022, FALSE },
  { "JTDKN3DU0A0000000", "JP", "Toyota", 2010, TRUE },
  /* Europe: a wrong check digit is only a warning */
  { "WBA3A5C57CF256651", "DE", "BMW", 2012, FALSE },
  { "WVWZZZ1JZXW000001", "DE", "Volkswagen", 1999, TRUE },
  { "XTA210930Y2696641", "RU", "Lada (AvtoVAZ)", 2000, TRUE },
  { "Z94CB41A4ER244021", "RU", "Hyundai Russia", 2014, FALSE },
  { "XWBTA69V2FA123456", "UZ", "UzAuto Motors (Chevrolet)", 2015, FALSE },
  { "KMHDN41BP6U366989", "KR", "Hyundai", 2006, TRUE },
};

static void
test_valid (gconstpointer data)
{
  const VinCase *expected = data;
  TirkeuVinInfo info;
  g_autoptr(GError) error = NULL;

  g_assert_true (tirkeu_vin_parse (expected->vin, 2026, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.vin, ==, expected->vin);
  g_assert_cmpstr (info.country_code, ==, expected->country_code);
  g_assert_nonnull (info.country_name);
  g_assert_cmpstr (info.manufacturer, ==, expected->manufacturer);
  g_assert_cmpuint (info.model_year, ==, expected->model_year);
  g_assert_cmpint (info.check_digit_warning, ==, expected->warning);
  g_assert_cmpint (info.computed_check_digit, ==, reference_check_digit (expected->vin));
  g_assert_cmpint (info.check_digit, ==, expected->vin[8]);
  g_assert_cmpint (info.north_american, ==, expected->vin[0] >= '1' && expected->vin[0] <= '5');
}

static void
test_scanner_and_typing_forms (void)
{
  static const char *forms[] = {
    "1M8GDM9AXKP042788",
    "I1M8GDM9AXKP042788",         /* Code 39 scan: the import flag */
    "i1m8gdm9axkp042788",
    "1m8gdm9axkp042788",
    "  1M8GDM9AXKP042788\n",      /* a scanner's Enter */
    "1M8-GDM9AX-KP042788",
    "1M8 GDM 9AX KP0 427 88",
    "1M8GDM9AXKP042788\r\n",
    "\xEF\xBB\xBF" "1M8GDM9AXKP042788\xC2\xA0",
  };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *once = tirkeu_vin_normalize (forms[i]);
      g_autofree char *twice = tirkeu_vin_normalize (once);
      TirkeuVinInfo info;

      g_assert_cmpstr (once, ==, "1M8GDM9AXKP042788");
      g_assert_cmpstr (twice, ==, once);
      g_assert_true (tirkeu_vin_parse (forms[i], 2026, &info, NULL));
    }

  /* 18 characters not starting with I is a wrong length, not a scan */
  {
    TirkeuVinInfo info;
    g_autoptr(GError) error = NULL;

    g_assert_false (tirkeu_vin_parse ("X1M8GDM9AXKP042788", 2026, &info, &error));
    g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_WRONG_LENGTH);
  }
  /* only one I is dropped, and only from 18 characters */
  {
    g_autofree char *twice_flagged = tirkeu_vin_normalize ("II1M8GDM9AXKP042788");
    g_autofree char *short_flagged = tirkeu_vin_normalize ("I1M8GDM9AXKP04278");

    g_assert_cmpstr (twice_flagged, ==, "II1M8GDM9AXKP042788");
    g_assert_cmpstr (short_flagged, ==, "I1M8GDM9AXKP04278");
  }
}

static void
test_length_and_empty (void)
{
  const struct { const char *text; TirkeuInputError code; } cases[] = {
    { "", TIRKEU_INPUT_ERROR_EMPTY },
    { NULL, TIRKEU_INPUT_ERROR_EMPTY },
    { " \t\n", TIRKEU_INPUT_ERROR_EMPTY },
    { "1M8GDM9AXKP04278", TIRKEU_INPUT_ERROR_WRONG_LENGTH },
    { "1M8GDM9AXKP0427888", TIRKEU_INPUT_ERROR_WRONG_LENGTH },
    { "1M8GDM9AXKP0427888888", TIRKEU_INPUT_ERROR_WRONG_LENGTH },
    { "I", TIRKEU_INPUT_ERROR_WRONG_LENGTH },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TirkeuVinInfo info;
      g_autoptr(GError) error = NULL;

      g_assert_false (tirkeu_vin_parse (cases[i].text, 2026, &info, &error));
      g_assert_error (error, TIRKEU_INPUT_ERROR, (gint) cases[i].code);
      g_assert_cmpstr (info.vin, ==, "");
    }

  {
    TirkeuVinInfo info;
    g_autoptr(GError) error = NULL;

    g_assert_false (tirkeu_vin_parse ("1M8GDM9AXKP04278", 2026, &info, &error));
    g_assert_nonnull (strstr (error->message, "17"));
    g_assert_nonnull (strstr (error->message, "16"));
  }
}

/* Every position, every forbidden kind of character: the error names both. */
static void
test_every_position_bad_character (void)
{
  static const char *intruders[] = { "I", "O", "Q", "*", "_", "Ё", "А", "\xC3\x9F" /* ß */ };

  for (guint i = 0; i < G_N_ELEMENTS (intruders); i++)
    for (guint position = 1; position <= 17; position++)
      {
        const char *base = "WVWZZZ1JZXW000001";
        g_autofree char *vin = NULL;
        g_autofree char *expected_position = g_strdup_printf ("Character %u ", position);
        TirkeuVinInfo info;
        g_autoptr(GError) error = NULL;

        /* position 1 with I would be 18 characters' import flag only at length 18 */
        vin = g_strdup_printf ("%.*s%s%s", (int) position - 1, base, intruders[i],
                               base + position);
        g_assert_false (tirkeu_vin_parse (vin, 2026, &info, &error));
        g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_BAD_CHARACTER);
        g_assert_cmpuint (info.error_position, ==, position);
        g_assert_cmpuint (info.error_character, ==, g_utf8_get_char (intruders[i]));
        g_assert_nonnull (strstr (error->message, expected_position));
        g_assert_nonnull (strstr (error->message, intruders[i]));
        if (g_utf8_get_char (intruders[i]) >= 0x400 && g_utf8_get_char (intruders[i]) <= 0x4ff)
          g_assert_nonnull (strstr (error->message, "Cyrillic"));
      }
}

/* North America: any single character changed (to one with another value) in a weighted
 * position changes the sum by weight * delta, never 0 mod 11: a check-digit error at
 * position 9. Europe: the same VINs are valid with a warning. */
static void
test_every_position_wrong (void)
{
  static const char *bases[] = { "1M8GDM9AXKP042788", "WBA3A5C57CF256651" };

  for (guint b = 0; b < G_N_ELEMENTS (bases); b++)
    for (int position = 0; position < 17; position++)
      for (const char *c = reference_alphabet; *c != '\0'; c++)
        {
          char vin[18];
          TirkeuVinInfo info;
          g_autoptr(GError) error = NULL;
          gboolean valid;

          memcpy (vin, bases[b], 18);
          if (position == 8 || reference_value (*c) == reference_value (vin[position]))
            continue;
          vin[position] = *c;

          valid = tirkeu_vin_parse (vin, 2026, &info, &error);
          if (vin[0] >= '1' && vin[0] <= '5')
            {
              g_assert_false (valid);
              g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_CHECK_DIGIT);
              g_assert_cmpuint (info.error_position, ==, 9);
            }
          else
            {
              g_assert_true (valid);
              g_assert_true (info.check_digit_warning);
            }
        }

  /* position 9 itself */
  for (const char *c = "0123456789X"; *c != '\0'; c++)
    {
      char vin[18];
      TirkeuVinInfo info;
      g_autoptr(GError) error = NULL;

      memcpy (vin, "1M8GDM9AXKP042788", 18);
      vin[8] = *c;
      g_assert_cmpint (tirkeu_vin_parse (vin, 2026, &info, &error), ==, *c == 'X');
      if (*c != 'X')
        {
          g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_CHECK_DIGIT);
          g_assert_nonnull (strstr (error->message, "“X”"));
        }
    }
}

static void
test_transliteration (void)
{
  for (int c = 0; c < 256; c++)
    g_assert_cmpint (tirkeu_vin_transliterate ((char) c), ==, reference_value ((char) c));
  g_assert_cmpint (tirkeu_vin_transliterate ('I'), ==, -1);
  g_assert_cmpint (tirkeu_vin_transliterate ('O'), ==, -1);
  g_assert_cmpint (tirkeu_vin_transliterate ('Q'), ==, -1);
  g_assert_cmpint (tirkeu_vin_transliterate ('a'), ==, -1);
}

/* Every Latin letter's key in the Russian layout, both cases, and whole VINs. */
static void
test_russian_layout (void)
{
  static const struct
  {
    const char *typed;
    const char *latin;   /* NULL: not read as typed in the Russian layout */
  } cases[] = {
    { "фисвуапршолдьтщзйкыегмцчня", "ABCDEFGHIJKLMNOPQRSTUVWXYZ" },
    { "ФИСВУАПРШОЛДЬТЩЗЙКЫЕГМЦЧНЯ", "ABCDEFGHIJKLMNOPQRSTUVWXYZ" },
    { "ЧЕФ210743Ы0000120", "XTA210743S0000120" },
    { "чеф210743ы0000120", "XTA210743S0000120" },
    { "ЧЕФ 210743 Ы0000120", "XTA 210743 S0000120" },
    /* A scanner's Code 39 "I" is the Ш key. */
    { "ШЧЕФ210743Ы0000120", "IXTA210743S0000120" },
    /* Mixed: the layout switched in the middle. */
    { "XTA210743Ы0000120", "XTA210743S0000120" },
    /* Nothing Cyrillic: nothing to read. */
    { "XTA210743S0000120", NULL },
    { "", NULL },
    /* Letters not on a Latin letter's key (х ъ ж э б ю ё), or other scripts: not so typed. */
    { "ЧЕФ21074Х", NULL },
    { "ЧЕФЁ", NULL },
    { "ЧЕФ\xc3\xa9", NULL },
    /* Kazakh letters sit on the digit keys in the Kazakh layout: not a Russian-layout VIN. */
    { "ЧЕФ\xd2\x9b", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *latin = tirkeu_vin_from_russian_layout (cases[i].typed);

      g_assert_cmpstr (latin, ==, cases[i].latin);
    }
  g_assert_null (tirkeu_vin_from_russian_layout (NULL));
  g_assert_null (tirkeu_vin_from_russian_layout ("\xff\xfe"));
  {
    g_autofree char *latin = tirkeu_vin_from_russian_layout ("ЧЕФ210743Ы0000120");

    g_assert_true (tirkeu_vin_is_valid (latin));
  }
}

static void
test_model_year (void)
{
  const struct { const char *vin; guint current_year; guint year; } cases[] = {
    /* outside North America: the latest year not after next year */
    { "WVWZZZ1JZAW000001", 2026, 2010 },
    { "WVWZZZ1JZTW000001", 2026, 2026 },
    { "WVWZZZ1JZVW000001", 2026, 2027 },   /* next year's model, sold this year */
    { "WVWZZZ1JZWW000001", 2026, 1998 },
    { "WVWZZZ1JZWW000001", 2027, 2028 },
    { "WVWZZZ1JZYW000001", 2026, 2000 },
    { "WVWZZZ1JZ1W000001", 2026, 2001 },
    { "WVWZZZ1JZ9W000001", 2026, 2009 },
    { "WVWZZZ1JZAW000001", 2039, 2040 },
    { "WVWZZZ1JZAW000001", 1995, 1980 },
    { "WVWZZZ1JZYW000001", 1995, 2000 },
    /* no year code */
    { "WVWZZZ1JZUW000001", 2026, 0 },
    { "WVWZZZ1JZZW000001", 2026, 0 },
    { "WVWZZZ1JZ0W000001", 2026, 0 },
    /* North America: position 7 digit 1980-2009, letter 2010-2039, whatever the date */
    { "1M8GDM9AXKP042788", 2026, 1989 },
    { "1M8GDMAAXKP042788", 2026, 2019 },
    { "1M8GDM9AXAP042788", 2026, 1980 },
    { "1M8GDMAAXAP042788", 2026, 2010 },
    { "1M8GDMAAX9P042788", 2026, 2039 },
    { "1M8GDM9AX9P042788", 2026, 2009 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpuint (tirkeu_vin_decode_model_year (cases[i].vin, cases[i].current_year), ==,
                      cases[i].year);
}

static void
test_region_and_country (void)
{
  const struct { const char *wmi; TirkeuVinRegion region; const char *country; } cases[] = {
    { "AAV", TIRKEU_VIN_REGION_AFRICA, "ZA" },
    { "AP1", TIRKEU_VIN_REGION_AFRICA, NULL },         /* not assigned */
    { "JHM", TIRKEU_VIN_REGION_ASIA, "JP" },
    { "KR1", TIRKEU_VIN_REGION_ASIA, "KR" },
    { "KS1", TIRKEU_VIN_REGION_ASIA, "KZ" },
    { "KZ1", TIRKEU_VIN_REGION_ASIA, "KZ" },
    { "K91", TIRKEU_VIN_REGION_ASIA, "KZ" },
    { "K01", TIRKEU_VIN_REGION_ASIA, "KZ" },
    { "KE1", TIRKEU_VIN_REGION_ASIA, "LK" },
    { "L01", TIRKEU_VIN_REGION_ASIA, "CN" },
    { "SAL", TIRKEU_VIN_REGION_EUROPE, "GB" },
    { "SN1", TIRKEU_VIN_REGION_EUROPE, "DE" },
    { "W0L", TIRKEU_VIN_REGION_EUROPE, "DE" },
    { "XTA", TIRKEU_VIN_REGION_EUROPE, "RU" },
    { "X7L", TIRKEU_VIN_REGION_EUROPE, "RU" },
    { "XL1", TIRKEU_VIN_REGION_EUROPE, "NL" },
    { "Y61", TIRKEU_VIN_REGION_EUROPE, "UA" },
    { "Y31", TIRKEU_VIN_REGION_EUROPE, "BY" },
    { "Z94", TIRKEU_VIN_REGION_EUROPE, "RU" },
    { "ZFA", TIRKEU_VIN_REGION_EUROPE, "IT" },
    { "1G1", TIRKEU_VIN_REGION_NORTH_AMERICA, "US" },
    { "2T1", TIRKEU_VIN_REGION_NORTH_AMERICA, "CA" },
    { "3VW", TIRKEU_VIN_REGION_NORTH_AMERICA, "MX" },
    { "6AB", TIRKEU_VIN_REGION_OCEANIA, "AU" },
    { "9BW", TIRKEU_VIN_REGION_SOUTH_AMERICA, "BR" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char vin[18];
      TirkeuVinInfo info;
      g_autoptr(GError) error = NULL;

      /* a letter in position 7 and a correct check digit, so that any region is valid */
      g_snprintf (vin, sizeof vin, "%sAB1C20R0000001", cases[i].wmi);
      vin[8] = reference_check_digit (vin);
      g_assert_true (tirkeu_vin_parse (vin, 2026, &info, &error));
      g_assert_no_error (error);
      g_assert_cmpint (info.region, ==, cases[i].region);
      g_assert_cmpstr (info.country_code, ==, cases[i].country);
      g_assert_false (info.check_digit_warning);
    }

  g_assert_cmpstr (tirkeu_vin_region_to_string (TIRKEU_VIN_REGION_NORTH_AMERICA), ==,
                   "north-america");
  g_assert_cmpstr (tirkeu_vin_region_get_label (TIRKEU_VIN_REGION_ASIA), ==, "Asia");
}

/* 200000 random inputs against the reference: strings over the VIN alphabet, often made
 * right on purpose, with some forbidden letters and lowercase. */
static void
test_cross_check_random (void)
{
  static const char pool[] = "0123456789ABCDEFGHJKLMNPRSTUVWXYZIOQabc-";
  g_autoptr(GRand) rand = g_rand_new_with_seed (3779);
  guint n_valid = 0, n_warning = 0, n_bad = 0, n_check = 0;

  for (guint n = 0; n < 200000; n++)
    {
      char vin[18] = { 0 };
      gboolean clean = (n % 2 == 0);
      gboolean expected_ok = TRUE;
      int bad_position = 0;
      TirkeuVinInfo info;
      g_autoptr(GError) error = NULL;
      gboolean valid;
      char upper[18];

      for (int i = 0; i < 17; i++)
        vin[i] = clean ? reference_alphabet[g_rand_int_range (rand, 0, 33)]
                       : pool[g_rand_int_range (rand, 0, (gint) sizeof pool - 1)];
      if (clean && n % 4 == 0)
        vin[8] = reference_check_digit (vin);

      valid = tirkeu_vin_parse (vin, 2026, &info, &error);

      if (strchr (vin, '-') != NULL)
        {
          /* a dash is a separator: the rest is too short */
          g_assert_false (valid);
          g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_WRONG_LENGTH);
          continue;
        }

      for (int i = 0; i < 17; i++)
        {
          upper[i] = g_ascii_toupper (vin[i]);
          if (bad_position == 0 && reference_value (upper[i]) < 0)
            bad_position = i + 1;
        }
      upper[17] = '\0';

      if (bad_position != 0)
        {
          g_assert_false (valid);
          g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_BAD_CHARACTER);
          g_assert_cmpint (info.error_position, ==, bad_position);
          n_bad++;
          continue;
        }

      if (reference_check_digit (upper) != upper[8] && upper[0] >= '1' && upper[0] <= '5')
        expected_ok = FALSE;

      g_assert_cmpint (valid, ==, expected_ok);
      if (!valid)
        {
          g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_CHECK_DIGIT);
          n_check++;
          continue;
        }

      g_assert_cmpstr (info.vin, ==, upper);
      g_assert_cmpint (info.computed_check_digit, ==, reference_check_digit (upper));
      g_assert_cmpint (info.check_digit_warning, ==, reference_check_digit (upper) != upper[8]);
      n_valid++;
      if (info.check_digit_warning)
        n_warning++;
    }

  g_assert_cmpuint (n_valid, >, 10000);
  g_assert_cmpuint (n_warning, >, 1000);
  g_assert_cmpuint (n_bad, >, 1000);
  g_assert_cmpuint (n_check, >, 1000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (valid_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/vin/valid/%s", valid_cases[i].vin);

      g_test_add_data_func (path, &valid_cases[i], test_valid);
    }
  g_test_add_func ("/vin/scanner-and-typing-forms", test_scanner_and_typing_forms);
  g_test_add_func ("/vin/length-and-empty", test_length_and_empty);
  g_test_add_func ("/vin/every-position-bad-character", test_every_position_bad_character);
  g_test_add_func ("/vin/every-position-wrong", test_every_position_wrong);
  g_test_add_func ("/vin/transliteration", test_transliteration);
  g_test_add_func ("/vin/model-year", test_model_year);
  g_test_add_func ("/vin/russian-layout", test_russian_layout);
  g_test_add_func ("/vin/region-and-country", test_region_and_country);
  g_test_add_func ("/vin/cross-check-random", test_cross_check_random);

  return g_test_run ();
}
