/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-oked.h"

typedef struct
{
  const char *input;
  const char *class_code;   /* NULL: not an OKED class */
  gboolean vehicle_trade;
} NormalizeCase;

static const NormalizeCase normalize_cases[] = {
  { "45.11", "45.11", TRUE },
  { "4511", "45.11", TRUE },
  { "45111", "45.11", TRUE },
  { "45.11.1", "45.11", TRUE },
  { "45.11.0", "45.11", TRUE },
  { " 45.19 ", "45.19", TRUE },
  { "45 19 2", "45.19", TRUE },
  { "45.40", "45.40", TRUE },
  { "45403", "45.40", TRUE },
  /* neighbours in the same division that are not vehicle trade */
  { "45.20", "45.20", FALSE },   /* maintenance and repair of motor vehicles */
  { "45.31", "45.31", FALSE },   /* wholesale of parts */
  { "45.32", "45.32", FALSE },   /* retail of parts */
  { "46.90", "46.90", FALSE },
  { "47.30", "47.30", FALSE },
  { "41.12", "41.12", FALSE },
  /* not a class at all */
  { "45", NULL, FALSE },
  { "45.1", NULL, FALSE },
  { "451111", NULL, FALSE },
  { "45-11", NULL, FALSE },
  { "45.1a", NULL, FALSE },
  { "", NULL, FALSE },
  { "G45.11", NULL, FALSE },
};

static void
test_normalize (gconstpointer data)
{
  const NormalizeCase *c = data;
  g_autofree char *class_code = tirkeu_oked_normalize (c->input);

  g_assert_cmpstr (class_code, ==, c->class_code);
  g_assert_cmpint (tirkeu_oked_is_vehicle_class (c->input), ==, c->vehicle_trade);
}

static void
test_classes (void)
{
  const char * const *classes = tirkeu_oked_get_vehicle_classes ();

  g_assert_cmpuint (g_strv_length ((char **) classes), ==, 3);
  g_assert_true (g_strv_contains (classes, "45.11"));
  g_assert_true (g_strv_contains (classes, "45.19"));
  g_assert_true (g_strv_contains (classes, "45.40"));
  g_assert_false (tirkeu_oked_is_vehicle_class (NULL));
}

static void
test_names (void)
{
  const char * const *classes = tirkeu_oked_get_vehicle_classes ();
  const char *languages[] = { "en", "kk", "ru" };

  for (guint i = 0; classes[i] != NULL; i++)
    {
      g_autofree char *english = tirkeu_oked_get_name (classes[i], NULL);

      g_assert_nonnull (english);
      g_assert_true (g_str_has_prefix (english, "Sale"));

      for (guint j = 0; j < G_N_ELEMENTS (languages); j++)
        {
          g_autofree char *name = tirkeu_oked_get_name (classes[i], languages[j]);

          g_assert_nonnull (name);
          g_assert_true (g_utf8_validate (name, -1, NULL));
          /* each translation is its own, not the English fallback */
          if (!g_str_equal (languages[j], "en"))
            g_assert_cmpstr (name, !=, english);
        }
    }

  {
    g_autofree char *kk = tirkeu_oked_get_name ("45111", "kk");
    g_autofree char *ru = tirkeu_oked_get_name ("45.11", "ru");

    g_assert_cmpstr (kk, ==, "Жеңіл автомобильдермен және жеңіл автокөлік құралдарымен сауда");
    g_assert_cmpstr (ru, ==, "Торговля легковыми автомобилями и легкими автотранспортными средствами");
  }

  g_assert_null (tirkeu_oked_get_name ("45.20", "ru"));
  g_assert_null (tirkeu_oked_get_name ("nonsense", NULL));
}

static void
test_qualifies (void)
{
  const char *dealer[] = { "46.90", "45.11.1", "45.40", NULL };
  const char *repair_shop[] = { "45.20", "45.32", NULL };
  const char *motorcycles[] = { "45403", NULL };
  const char *empty[] = { NULL };
  const char *matched = "sentinel";

  g_assert_true (tirkeu_oked_qualifies (dealer, &matched));
  /* the first qualifying code, as the seller has it, not its class */
  g_assert_cmpstr (matched, ==, "45.11.1");

  g_assert_false (tirkeu_oked_qualifies (repair_shop, &matched));
  g_assert_null (matched);

  g_assert_true (tirkeu_oked_qualifies (motorcycles, NULL));
  g_assert_false (tirkeu_oked_qualifies (empty, &matched));
  g_assert_null (matched);
  g_assert_false (tirkeu_oked_qualifies (NULL, &matched));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (normalize_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/oked/normalize/%u", i);
      g_test_add_data_func (path, &normalize_cases[i], test_normalize);
    }
  g_test_add_func ("/oked/classes", test_classes);
  g_test_add_func ("/oked/names", test_names);
  g_test_add_func ("/oked/qualifies", test_qualifies);

  return g_test_run ();
}
