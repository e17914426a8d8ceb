/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-error.h"
#include "tirkeu-iin.h"

/* An independent reimplementation of DOMAIN.md's rule, written from the text and not from
 * tirkeu-iin.c: returns 0-9, or 10 for "never issued". Digits only, no normalization. */
static int
reference_check_digit (const char *d)
{
  static const int first[11] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
  static const int second[11] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2 };
  int a = 0, b = 0;

  for (int i = 0; i < 11; i++)
    {
      a += first[i] * (d[i] - '0');
      b += second[i] * (d[i] - '0');
    }
  if (a % 11 < 10)
    return a % 11;
  return b % 11;  /* 10 here means never issued */
}

static gboolean
reference_first_pass_is_ten (const char *d)
{
  int a = 0;

  for (int i = 0; i < 11; i++)
    a += (i + 1) * (d[i] - '0');
  return a % 11 == 10;
}

/* 11 digits + the reference check digit; NULL when never issued. */
static char *
reference_complete (const char *eleven)
{
  int c = reference_check_digit (eleven);

  if (c == 10)
    return NULL;
  return g_strdup_printf ("%.11s%c", eleven, '0' + c);
}

/* DOMAIN.md vectors, then our own: first pass, second pass (first pass gives 10). */
static const char *valid_vectors[] = {
  "940140000385", "990140004654", "230540004989", "081140000436", "840317000029",
  "990106300596",
  "410313311865", "680212383134", "270103668518", "080403609682",
  "931210646622", "590816514073", "670605386527", "660606536508",
};

static const char *second_pass_vectors[] = {
  "931210646622", "590816514073", "670605386527", "660606536508",
};

/* First 11 digits for which both passes give 10: no IIN exists, whatever d12 is. */
static const char *never_issued_prefixes[] = {
  "65092668319", "47121561051", "12122444283", "32110448696",
};

static void
test_valid (gconstpointer data)
{
  const char *iin = data;
  TirkeuIinInfo info;
  g_autoptr(GError) error = NULL;

  g_assert_true (tirkeu_iin_parse (iin, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.iin, ==, iin);
  g_assert_cmpuint (info.error_position, ==, 0);
  g_assert_true (tirkeu_iin_is_valid (iin));
  g_assert_cmpint (tirkeu_iin_compute_check_digit (iin), ==, iin[11] - '0');
  g_assert_cmpint (reference_check_digit (iin), ==, iin[11] - '0');
}

static void
test_second_pass (gconstpointer data)
{
  const char *iin = data;

  /* the vector really needs the second pass, and only it gives d12 */
  g_assert_true (reference_first_pass_is_ten (iin));
  g_assert_true (tirkeu_iin_is_valid (iin));
  g_assert_cmpint (tirkeu_iin_compute_check_digit (iin), ==, iin[11] - '0');
}

static void
test_never_issued (gconstpointer data)
{
  const char *prefix = data;

  g_assert_true (reference_first_pass_is_ten (prefix));
  g_assert_cmpint (reference_check_digit (prefix), ==, 10);
  g_assert_cmpint (tirkeu_iin_compute_check_digit (prefix), ==, -1);

  for (char d = '0'; d <= '9'; d++)
    {
      g_autofree char *iin = g_strdup_printf ("%s%c", prefix, d);
      TirkeuIinInfo info;
      g_autoptr(GError) error = NULL;

      g_assert_false (tirkeu_iin_parse (iin, &info, &error));
      g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_NEVER_ISSUED);
      g_assert_cmpstr (info.iin, ==, "");
    }
}

static void
test_domain_invalid (void)
{
  TirkeuIinInfo info;
  g_autoptr(GError) error = NULL;

  g_assert_false (tirkeu_iin_parse ("123456789021", &info, &error));
  g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_CHECK_DIGIT);
  g_assert_cmpuint (info.error_position, ==, 12);
  g_assert_nonnull (strstr (error->message, "check digit"));
}

/* Every other digit in every position of every valid vector. Position 12 is always a
 * check-digit mismatch. In 1-10 a change of one digit moves the first-pass sum by
 * i * delta, never 0 mod 11, so with both numbers in the first pass it must be invalid.
 * Position 11 has the first-pass weight 11, which is 0 mod 11: a mistyped 11th digit goes
 * unnoticed while the first pass decides (a property of the algorithm, not a bug), so
 * there, as everywhere, the reference decides. */
static void
test_every_position_wrong (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (valid_vectors); v++)
    for (int position = 0; position < 12; position++)
      for (char d = '0'; d <= '9'; d++)
        {
          char iin[13];
          TirkeuIinInfo info;
          g_autoptr(GError) error = NULL;
          int expected;
          gboolean valid;

          if (valid_vectors[v][position] == d)
            continue;
          memcpy (iin, valid_vectors[v], 13);
          iin[position] = d;

          valid = tirkeu_iin_parse (iin, &info, &error);
          expected = reference_check_digit (iin);
          g_assert_cmpint (valid, ==, expected == iin[11] - '0');

          if (position == 11)
            g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_CHECK_DIGIT);
          else if (position < 10
                   && !reference_first_pass_is_ten (valid_vectors[v])
                   && !reference_first_pass_is_ten (iin))
            g_assert_false (valid);

          if (expected == 10)
            g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_NEVER_ISSUED);
          else if (!valid)
            g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_CHECK_DIGIT);
        }
}

static void
test_not_a_digit (void)
{
  static const char *intruders[] = { "A", "x", "/", ".", "Ә", "٣", "\xEF\xBC\x95" /* ５ */ };

  for (guint i = 0; i < G_N_ELEMENTS (intruders); i++)
    for (guint position = 1; position <= 12; position++)
      {
        g_autofree char *iin = NULL;
        g_autofree char *expected_position = g_strdup_printf ("Character %u ", position);
        TirkeuIinInfo info;
        g_autoptr(GError) error = NULL;

        iin = g_strdup_printf ("%.*s%s%s", (int) position - 1, "940140000385", intruders[i],
                               "940140000385" + position);
        g_assert_false (tirkeu_iin_parse (iin, &info, &error));
        g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_NOT_A_DIGIT);
        g_assert_cmpuint (info.error_position, ==, position);
        g_assert_cmpuint (info.error_character, ==, g_utf8_get_char (intruders[i]));
        g_assert_nonnull (strstr (error->message, expected_position));
        g_assert_nonnull (strstr (error->message, intruders[i]));
        g_assert_nonnull (strstr (error->message, "IIN"));
      }
}

static void
test_length_and_empty (void)
{
  const struct { const char *text; TirkeuInputError code; } cases[] = {
    { "", TIRKEU_INPUT_ERROR_EMPTY },
    { NULL, TIRKEU_INPUT_ERROR_EMPTY },
    { "   ", TIRKEU_INPUT_ERROR_EMPTY },
    { " - \xC2\xA0 ", TIRKEU_INPUT_ERROR_EMPTY },
    { "9", TIRKEU_INPUT_ERROR_WRONG_LENGTH },
    { "94014000038", TIRKEU_INPUT_ERROR_WRONG_LENGTH },
    { "9401400003850", TIRKEU_INPUT_ERROR_WRONG_LENGTH },
    { "94014000038A5", TIRKEU_INPUT_ERROR_WRONG_LENGTH },
    { "ИИН 940140000385", TIRKEU_INPUT_ERROR_WRONG_LENGTH },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TirkeuIinInfo info;
      g_autoptr(GError) error = NULL;

      g_assert_false (tirkeu_iin_parse (cases[i].text, &info, &error));
      g_assert_error (error, TIRKEU_INPUT_ERROR, (gint) cases[i].code);
      g_assert_cmpstr (error->message, !=, "");
    }

  {
    g_autoptr(GError) error = NULL;
    TirkeuIinInfo info;

    g_assert_false (tirkeu_iin_parse ("94014000038", &info, &error));
    g_assert_nonnull (strstr (error->message, "11"));
    g_assert_nonnull (strstr (error->message, "12"));
  }
}

/* As people type and paste them: groups, dashes of every kind, no-break spaces (a copy
 * from a PDF or a web page), tabs, a zero-width space, a final newline. */
static void
test_normalize (void)
{
  static const char *forms[] = {
    "940140000385",
    "940140 000385",
    " 940140000385 ",
    "9401-4000-0385",
    "940 140 000 385",
    "940140\xC2\xA0" "000385",        /* U+00A0 no-break space */
    "940140\xE2\x80\xAF" "000385",    /* U+202F narrow no-break space */
    "940140\xE2\x80\x87" "000385",    /* U+2007 figure space */
    "940140\xE2\x80\x93" "000385",    /* U+2013 en dash */
    "940140\xE2\x80\x94" "000385",    /* U+2014 em dash */
    "940140\xE2\x88\x92" "000385",    /* U+2212 minus sign */
    "940140\xE2\x80\x8B" "000385",    /* U+200B zero-width space */
    "\xEF\xBB\xBF" "940140000385",    /* U+FEFF byte-order mark */
    "940140\t000385\n",
    "940140\r\n000385",
  };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *once = tirkeu_iin_normalize (forms[i]);
      g_autofree char *twice = tirkeu_iin_normalize (once);
      TirkeuIinInfo info;

      g_assert_cmpstr (once, ==, "940140000385");
      g_assert_cmpstr (twice, ==, once);
      g_assert_true (tirkeu_iin_parse (forms[i], &info, NULL));
      g_assert_cmpstr (info.iin, ==, "940140000385");
    }

  {
    /* not UTF-8: made valid, then reported as a bad character, never a crash */
    g_autofree char *normalized = tirkeu_iin_normalize ("94014\xff" "000385");
    TirkeuIinInfo info;
    g_autoptr(GError) error = NULL;

    g_assert_true (g_utf8_validate (normalized, -1, NULL));
    g_assert_false (tirkeu_iin_parse ("94014\xff" "0000385", &info, &error));
    g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_WRONG_LENGTH);
    g_clear_error (&error);
    g_assert_false (tirkeu_iin_parse ("94014\xff" "000385", &info, &error));
    g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_NOT_A_DIGIT);
    g_assert_cmpuint (info.error_position, ==, 6);
    g_assert_cmpuint (info.error_character, ==, 0xFFFD);
  }
}

typedef struct
{
  const char *first_seven;   /* YYMMDD + d7 */
  guint       year, month, day;
  guint       century;
  TirkeuSex   sex;
} HintCase;

static const HintCase hint_cases[] = {
  { "9001013", 1990, 1, 1, 1900, TIRKEU_SEX_MALE },
  { "9001014", 1990, 1, 1, 1900, TIRKEU_SEX_FEMALE },
  { "0512315", 2005, 12, 31, 2000, TIRKEU_SEX_MALE },
  { "1007046", 2010, 7, 4, 2000, TIRKEU_SEX_FEMALE },
  { "9912311", 1899, 12, 31, 1800, TIRKEU_SEX_MALE },
  { "7503152", 1875, 3, 15, 1800, TIRKEU_SEX_FEMALE },
  { "0002295", 2000, 2, 29, 2000, TIRKEU_SEX_MALE },       /* 2000 is a leap year */
  { "0002293", 0, 0, 0, 1900, TIRKEU_SEX_MALE },           /* 1900 is not */
  { "9602294", 1996, 2, 29, 1900, TIRKEU_SEX_FEMALE },
  { "9702294", 0, 0, 0, 1900, TIRKEU_SEX_FEMALE },
  { "9002313", 0, 0, 0, 1900, TIRKEU_SEX_MALE },           /* 31 February */
  { "9013013", 0, 0, 0, 1900, TIRKEU_SEX_MALE },           /* month 13 */
  { "9000013", 0, 0, 0, 1900, TIRKEU_SEX_MALE },           /* month 0 */
  { "9001003", 0, 0, 0, 1900, TIRKEU_SEX_MALE },           /* day 0 */
  { "9004313", 0, 0, 0, 1900, TIRKEU_SEX_MALE },           /* 31 April */
  { "9001010", 0, 0, 0, 0, TIRKEU_SEX_UNKNOWN },           /* d7 0: no hint at all */
  { "9001017", 0, 0, 0, 0, TIRKEU_SEX_UNKNOWN },
  { "9001018", 0, 0, 0, 0, TIRKEU_SEX_UNKNOWN },
  { "9001019", 0, 0, 0, 0, TIRKEU_SEX_UNKNOWN },
};

static void
test_hints (gconstpointer data)
{
  const HintCase *hint = data;
  g_autofree char *iin = NULL;
  TirkeuIinInfo info;
  g_autoptr(GError) error = NULL;

  /* find serial digits 8-11 whose number is issued */
  for (guint serial = 0; iin == NULL; serial++)
    {
      g_autofree char *eleven = g_strdup_printf ("%s%04u", hint->first_seven, serial);

      iin = reference_complete (eleven);
    }

  g_assert_true (tirkeu_iin_parse (iin, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.birth_year, ==, hint->year);
  g_assert_cmpuint (info.birth_month, ==, hint->month);
  g_assert_cmpuint (info.birth_day, ==, hint->day);
  g_assert_cmpuint (info.century, ==, hint->century);
  g_assert_cmpint (info.sex, ==, hint->sex);
}

static void
test_labels (void)
{
  g_assert_cmpstr (tirkeu_sex_to_string (TIRKEU_SEX_MALE), ==, "male");
  g_assert_cmpstr (tirkeu_sex_to_string (TIRKEU_SEX_FEMALE), ==, "female");
  g_assert_cmpstr (tirkeu_sex_to_string (TIRKEU_SEX_UNKNOWN), ==, "unknown");
  g_assert_cmpstr (tirkeu_sex_get_label (TIRKEU_SEX_MALE), ==, "male");
  g_assert_cmpstr (tirkeu_sex_get_label (TIRKEU_SEX_UNKNOWN), ==, "not encoded");
}

static void
test_mask (void)
{
  const struct { const char *text; const char *masked; } cases[] = {
    { "900101300123", "900101******" },
    { "900101 300 123", "900101******" },
    { "9001-0130-0123", "900101******" },
    { "9001013001234567", "900101******" },  /* the length does not leak either */
    { "90010", "90010******" },
    { "", "******" },
    { NULL, "******" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *masked = tirkeu_iin_mask (cases[i].text);

      g_assert_cmpstr (masked, ==, cases[i].masked);
    }
}

/* 200000 random inputs against the reference: a quarter made valid on purpose (so that
 * valid numbers, including second-pass ones, are well represented), the rest random
 * digits, with occasional separators and wrong lengths. */
static void
test_cross_check_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260523);
  guint n_valid = 0, n_never = 0, n_second = 0;

  for (guint n = 0; n < 200000; n++)
    {
      char digits[14] = { 0 };
      guint length = 12;
      g_autofree char *text = NULL;
      TirkeuIinInfo info;
      g_autoptr(GError) error = NULL;
      gboolean valid;

      if (g_rand_int_range (rand, 0, 50) == 0)
        length = (guint) g_rand_int_range (rand, 0, 14);

      for (guint i = 0; i < length; i++)
        digits[i] = (char) ('0' + g_rand_int_range (rand, 0, 10));

      if (length == 12 && n % 4 == 0 && reference_check_digit (digits) < 10)
        digits[11] = (char) ('0' + reference_check_digit (digits));

      if (g_rand_int_range (rand, 0, 10) == 0 && length == 12)
        text = g_strdup_printf ("%.6s %.6s", digits, digits + 6);
      else
        text = g_strdup (digits);

      valid = tirkeu_iin_parse (text, &info, &error);

      if (length != 12)
        {
          g_assert_false (valid);
          g_assert_true (g_error_matches (error, TIRKEU_INPUT_ERROR,
                                          length == 0 ? TIRKEU_INPUT_ERROR_EMPTY
                                                      : TIRKEU_INPUT_ERROR_WRONG_LENGTH));
          continue;
        }

      g_assert_cmpint (valid, ==, reference_check_digit (digits) == digits[11] - '0');
      g_assert_cmpint (tirkeu_bin_is_valid (text), ==, valid);
      if (reference_check_digit (digits) == 10)
        {
          g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_NEVER_ISSUED);
          n_never++;
        }
      else if (!valid)
        g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_CHECK_DIGIT);

      if (valid)
        {
          g_autofree char *masked = tirkeu_iin_mask (text);

          g_assert_cmpstr (info.iin, ==, digits);
          g_assert_cmpstr (masked + 6, ==, "******");
          g_assert_cmpint (strncmp (masked, digits, 6), ==, 0);
          n_valid++;
          if (reference_first_pass_is_ten (digits))
            n_second++;
        }
    }

  /* the sample did reach every branch */
  g_assert_cmpuint (n_valid, >, 40000);
  g_assert_cmpuint (n_second, >, 1000);
  g_assert_cmpuint (n_never, >, 100);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (valid_vectors); i++)
    {
      g_autofree char *path = g_strdup_printf ("/iin/valid/%s", valid_vectors[i]);

      g_test_add_data_func (path, valid_vectors[i], test_valid);
    }
  for (guint i = 0; i < G_N_ELEMENTS (second_pass_vectors); i++)
    {
      g_autofree char *path = g_strdup_printf ("/iin/second-pass/%s", second_pass_vectors[i]);

      g_test_add_data_func (path, second_pass_vectors[i], test_second_pass);
    }
  for (guint i = 0; i < G_N_ELEMENTS (never_issued_prefixes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/iin/never-issued/%s",
                                               never_issued_prefixes[i]);

      g_test_add_data_func (path, never_issued_prefixes[i], test_never_issued);
    }
  for (guint i = 0; i < G_N_ELEMENTS (hint_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/iin/hints/%s", hint_cases[i].first_seven);

      g_test_add_data_func (path, &hint_cases[i], test_hints);
    }
  g_test_add_func ("/iin/domain-invalid", test_domain_invalid);
  g_test_add_func ("/iin/every-position-wrong", test_every_position_wrong);
  g_test_add_func ("/iin/not-a-digit", test_not_a_digit);
  g_test_add_func ("/iin/length-and-empty", test_length_and_empty);
  g_test_add_func ("/iin/normalize", test_normalize);
  g_test_add_func ("/iin/labels", test_labels);
  g_test_add_func ("/iin/mask", test_mask);
  g_test_add_func ("/iin/cross-check-random", test_cross_check_random);

  return g_test_run ();
}
