/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-error.h"
#include "tirkeu-iin.h"

/* Independent of tirkeu-iin.c: DOMAIN.md's rule written again, 10 = never issued. */
static int
reference_check_digit (const char *d)
{
  int a = 0, b = 0;

  for (int i = 0; i < 11; i++)
    {
      a += (i + 1) * (d[i] - '0');
      b += ((i + 2) % 11 + 1) * (d[i] - '0');  /* 3, 4, ..., 11, 1, 2 */
    }
  return a % 11 != 10 ? a % 11 : b % 11;
}

typedef struct
{
  const char      *bin;
  guint            year;
  guint            month;
  TirkeuBinEntity  entity;
  TirkeuBinOffice  office;
} BinCase;

/* DOMAIN.md's valid examples, decoded with the current year 2026. */
static const BinCase domain_cases[] = {
  { "940140000385", 1994, 1, TIRKEU_BIN_ENTITY_RESIDENT, TIRKEU_BIN_OFFICE_HEAD },
  { "990140004654", 1999, 1, TIRKEU_BIN_ENTITY_RESIDENT, TIRKEU_BIN_OFFICE_HEAD },
  { "230540004989", 2023, 5, TIRKEU_BIN_ENTITY_RESIDENT, TIRKEU_BIN_OFFICE_HEAD },
  { "081140000436", 2008, 11, TIRKEU_BIN_ENTITY_RESIDENT, TIRKEU_BIN_OFFICE_HEAD },
  { "840317000029", 1984, 3, TIRKEU_BIN_ENTITY_UNKNOWN, TIRKEU_BIN_OFFICE_UNKNOWN },
  { "990106300596", 1999, 1, TIRKEU_BIN_ENTITY_UNKNOWN, TIRKEU_BIN_OFFICE_UNKNOWN },
};

static void
test_domain_vector (gconstpointer data)
{
  const BinCase *expected = data;
  TirkeuBinInfo info;
  g_autoptr(GError) error = NULL;

  g_assert_true (tirkeu_bin_parse (expected->bin, 2026, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.bin, ==, expected->bin);
  g_assert_cmpuint (info.registration_year, ==, expected->year);
  g_assert_cmpuint (info.registration_month, ==, expected->month);
  g_assert_cmpint (info.entity, ==, expected->entity);
  g_assert_cmpint (info.office, ==, expected->office);
}

/* d5 and d6 of every kind, and the month and century rules, on numbers made valid here. */
static void
test_types (void)
{
  const struct {
    const char *first_six;
    guint current_year;
    guint year, month;
    TirkeuBinEntity entity;
    TirkeuBinOffice office;
  } cases[] = {
    { "100440", 2026, 2010, 4, TIRKEU_BIN_ENTITY_RESIDENT, TIRKEU_BIN_OFFICE_HEAD },
    { "100441", 2026, 2010, 4, TIRKEU_BIN_ENTITY_RESIDENT, TIRKEU_BIN_OFFICE_BRANCH },
    { "100452", 2026, 2010, 4, TIRKEU_BIN_ENTITY_NON_RESIDENT,
      TIRKEU_BIN_OFFICE_REPRESENTATIVE },
    { "100463", 2026, 2010, 4, TIRKEU_BIN_ENTITY_INDIVIDUAL_ENTREPRENEUR,
      TIRKEU_BIN_OFFICE_PEASANT_FARM },
    { "100474", 2026, 2010, 4, TIRKEU_BIN_ENTITY_UNKNOWN, TIRKEU_BIN_OFFICE_UNKNOWN },
    { "100439", 2026, 2010, 4, TIRKEU_BIN_ENTITY_UNKNOWN, TIRKEU_BIN_OFFICE_UNKNOWN },
    /* the century: 20YY unless that is after the current year */
    { "261240", 2026, 2026, 12, TIRKEU_BIN_ENTITY_RESIDENT, TIRKEU_BIN_OFFICE_HEAD },
    { "271240", 2026, 1927, 12, TIRKEU_BIN_ENTITY_RESIDENT, TIRKEU_BIN_OFFICE_HEAD },
    { "271240", 2027, 2027, 12, TIRKEU_BIN_ENTITY_RESIDENT, TIRKEU_BIN_OFFICE_HEAD },
    { "000140", 2026, 2000, 1, TIRKEU_BIN_ENTITY_RESIDENT, TIRKEU_BIN_OFFICE_HEAD },
    /* no month: no registration hint, still valid */
    { "991340", 2026, 0, 0, TIRKEU_BIN_ENTITY_RESIDENT, TIRKEU_BIN_OFFICE_HEAD },
    { "990040", 2026, 0, 0, TIRKEU_BIN_ENTITY_RESIDENT, TIRKEU_BIN_OFFICE_HEAD },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *bin = NULL;
      TirkeuBinInfo info;
      g_autoptr(GError) error = NULL;

      for (guint serial = 0; bin == NULL; serial++)
        {
          char eleven[12];
          int c;

          g_snprintf (eleven, sizeof eleven, "%s%05u", cases[i].first_six, serial);
          c = reference_check_digit (eleven);
          if (c != 10)
            bin = g_strdup_printf ("%s%c", eleven, '0' + c);
        }

      g_assert_true (tirkeu_bin_parse (bin, cases[i].current_year, &info, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (info.registration_year, ==, cases[i].year);
      g_assert_cmpuint (info.registration_month, ==, cases[i].month);
      g_assert_cmpint (info.entity, ==, cases[i].entity);
      g_assert_cmpint (info.office, ==, cases[i].office);
    }
}

static void
test_errors_name_bin (void)
{
  const struct { const char *text; TirkeuInputError code; guint position; } cases[] = {
    { "", TIRKEU_INPUT_ERROR_EMPTY, 0 },
    { "94014000038", TIRKEU_INPUT_ERROR_WRONG_LENGTH, 0 },
    { "9401400003855", TIRKEU_INPUT_ERROR_WRONG_LENGTH, 0 },
    { "94014000O385", TIRKEU_INPUT_ERROR_NOT_A_DIGIT, 9 },
    { "940140000386", TIRKEU_INPUT_ERROR_CHECK_DIGIT, 12 },
    { "650926683190", TIRKEU_INPUT_ERROR_NEVER_ISSUED, 12 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TirkeuBinInfo info;
      g_autoptr(GError) error = NULL;

      g_assert_false (tirkeu_bin_parse (cases[i].text, 2026, &info, &error));
      g_assert_error (error, TIRKEU_INPUT_ERROR, (gint) cases[i].code);
      g_assert_nonnull (strstr (error->message, "BIN"));
      g_assert_null (strstr (error->message, "IIN"));
      g_assert_cmpuint (info.error_position, ==, cases[i].position);
      g_assert_cmpstr (info.bin, ==, "");
    }
}

static void
test_normalize (void)
{
  TirkeuBinInfo info;

  g_assert_true (tirkeu_bin_parse ("9401 4000 0385", 2026, &info, NULL));
  g_assert_cmpstr (info.bin, ==, "940140000385");
  g_assert_true (tirkeu_bin_parse ("940140\xC2\xA0" "000385\n", 2026, &info, NULL));
  g_assert_cmpstr (info.bin, ==, "940140000385");
  g_assert_true (tirkeu_bin_parse ("940-140-000-385", 0, &info, NULL));
  g_assert_cmpstr (info.bin, ==, "940140000385");
}

static void
test_labels (void)
{
  g_assert_cmpstr (tirkeu_bin_entity_to_string (TIRKEU_BIN_ENTITY_RESIDENT), ==, "resident");
  g_assert_cmpstr (tirkeu_bin_entity_to_string (TIRKEU_BIN_ENTITY_NON_RESIDENT), ==,
                   "non-resident");
  g_assert_cmpstr (tirkeu_bin_entity_to_string (TIRKEU_BIN_ENTITY_INDIVIDUAL_ENTREPRENEUR), ==,
                   "individual-entrepreneur");
  g_assert_cmpstr (tirkeu_bin_office_to_string (TIRKEU_BIN_OFFICE_PEASANT_FARM), ==,
                   "peasant-farm");
  g_assert_cmpstr (tirkeu_bin_entity_get_label (TIRKEU_BIN_ENTITY_RESIDENT), ==,
                   "resident legal entity");
  g_assert_cmpstr (tirkeu_bin_office_get_label (TIRKEU_BIN_OFFICE_BRANCH), ==, "branch");
}

/* BIN and IIN share the rule: 100000 random numbers against the reference. */
static void
test_cross_check_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (77);
  guint n_valid = 0;

  for (guint n = 0; n < 100000; n++)
    {
      char digits[13] = { 0 };
      TirkeuBinInfo info;
      int expected;
      gboolean valid;

      for (guint i = 0; i < 12; i++)
        digits[i] = (char) ('0' + g_rand_int_range (rand, 0, 10));
      expected = reference_check_digit (digits);
      if (n % 3 == 0 && expected != 10)
        digits[11] = (char) ('0' + expected);

      valid = tirkeu_bin_parse (digits, 2026, &info, NULL);
      g_assert_cmpint (valid, ==, expected == digits[11] - '0');
      if (valid)
        n_valid++;
    }

  g_assert_cmpuint (n_valid, >, 30000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (domain_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/bin/domain/%s", domain_cases[i].bin);

      g_test_add_data_func (path, &domain_cases[i], test_domain_vector);
    }
  g_test_add_func ("/bin/types", test_types);
  g_test_add_func ("/bin/errors-name-bin", test_errors_name_bin);
  g_test_add_func ("/bin/normalize", test_normalize);
  g_test_add_func ("/bin/labels", test_labels);
  g_test_add_func ("/bin/cross-check-random", test_cross_check_random);

  return g_test_run ();
}
