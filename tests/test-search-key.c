/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-search-key.h"
#include "tirkeu-vehicle.h"

/* What is stored, what is typed, and whether the typed text finds the stored one. */
static const struct
{
  const char *stored;
  const char *typed;
  gboolean    found;
} cases[] = {
  /* the brief's own example: Kazakh spelling in capitals, typed on a Russian layout */
  { "ӘБІЛҚАСЫМОВА", "Абилкасымова", TRUE },
  { "ӘБІЛҚАСЫМОВА", "абилк", TRUE },
  /* and the other way round */
  { "АБИЛКАСЫМОВА", "Әбілқ", TRUE },
  /* each pair, both cases */
  { "Әсел", "асел", TRUE },
  { "ҒАЛЫМ", "галым", TRUE },
  { "Қайрат", "кайрат", TRUE },
  { "ҢҢ", "нн", TRUE },
  { "Өмір", "омир", TRUE },
  { "Ұлан", "улан", TRUE },
  { "Үміт", "умит", TRUE },
  { "Ұлан", "үлан", TRUE },
  { "Һ", "х", TRUE },
  { "Іргебай", "иргебай", TRUE },
  { "СЕМЁНОВ", "семенов", TRUE },
  { "семенов", "Семёнов", TRUE },
  /* ё typed as е and a combining diaeresis */
  { "СЕМЁНОВ", "Семе\u0308нов", TRUE },
  /* Latin and digits: case only */
  { "XW8ZZZ3C0SG000123", "xw8zzz", TRUE },
  { "KZ-0001234", "kz-000", TRUE },
  /* no more than that: other letters stay apart */
  { "АХМЕТОВ", "ахмед", FALSE },
  { "Қайрат", "хайрат", FALSE },
  { "ИВАНОВ", "йванов", FALSE },
  { "Toyota", "тойота", FALSE },
};

static void
test_fold_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *stored = tirkeu_search_key_fold (cases[i].stored);
      g_autofree char *typed = tirkeu_search_key_fold (cases[i].typed);

      g_test_message ("%s / %s", cases[i].stored, cases[i].typed);
      g_assert_cmpint (strstr (stored, typed) != NULL, ==, cases[i].found);
    }
}

static void
test_fold_edges (void)
{
  g_autofree char *null_text = tirkeu_search_key_fold (NULL);
  g_autofree char *empty = tirkeu_search_key_fold ("");
  g_autofree char *invalid = tirkeu_search_key_fold ("\xff\xfe");
  g_autofree char *folded = tirkeu_search_key_fold ("ӘҒҚҢӨҰҮҺІЁ");

  g_assert_cmpstr (null_text, ==, "");
  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpstr (invalid, ==, "");
  g_assert_cmpstr (folded, ==, "агкноуухие");
}

static void
test_request_keys (void)
{
  g_autoptr(TirkeuRequest) request = tirkeu_request_new ();
  g_autoptr(TirkeuVehicle) vehicle = tirkeu_vehicle_new ("XTA210990Y2766389");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) at = g_date_time_new_utc (2026, 11, 23, 10, 0, 0);
  g_autofree char *typed = tirkeu_search_key_fold ("Абилкасымова");
  const char *key;

  vehicle->make = g_strdup ("Lada");
  tirkeu_request_set_vehicle (request, vehicle);
  tirkeu_request_set_portal_id (request, "KZ-0000042");
  tirkeu_request_set_buyer_iin (request, "900101300123");
  tirkeu_request_set_buyer_name (request, "ӘБІЛҚАСЫМОВА ДИНАРА");
  g_assert_true (tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_SUBMITTED, at, NULL,
                                                    &error));
  g_assert_no_error (error);

  key = tirkeu_search_key_get (request);
  g_assert_nonnull (strstr (key, typed));
  g_assert_nonnull (strstr (key, "kz-0000042"));
  g_assert_nonnull (strstr (key, "xta210990y2766389"));
  g_assert_nonnull (strstr (key, "900101300123"));
  g_assert_nonnull (strstr (key, "lada"));
  g_assert_cmpint (tirkeu_search_key_get_last_change (request), ==,
                   g_date_time_to_unix (at) * G_USEC_PER_SEC);

  /* prepared again after a change */
  tirkeu_request_set_buyer_name (request, "ИВАНОВ");
  g_assert_nonnull (strstr (tirkeu_search_key_get (request), typed));
  tirkeu_search_key_prepare (request);
  g_assert_null (strstr (tirkeu_search_key_get (request), typed));
  g_assert_nonnull (strstr (tirkeu_search_key_get (request), "иванов"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/search-key/fold-table", test_fold_table);
  g_test_add_func ("/search-key/fold-edges", test_fold_edges);
  g_test_add_func ("/search-key/request-keys", test_request_keys);

  return g_test_run ();
}
