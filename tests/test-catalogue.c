/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-catalogue.h"
#include "tirkeu-i18n.h"

static void
assert_title (const char *what,
              guint       i,
              const char *title)
{
  if (title == NULL || *title == '\0')
    g_error ("%s %u has no title", what, i);
  /* a title is short and not a sentence */
  g_assert_cmpuint (g_utf8_strlen (title, -1), <=, 40);
  g_assert_false (g_str_has_suffix (title, "."));
  g_assert_true (g_utf8_validate (title, -1, NULL));
}

static void
assert_sentence (const char *what,
                 guint       i,
                 const char *sentence)
{
  if (sentence == NULL || *sentence == '\0')
    g_error ("%s %u has no sentence", what, i);
  g_assert_true (g_str_has_suffix (sentence, "."));
  g_assert_true (g_unichar_isupper (g_utf8_get_char (sentence)));
  g_assert_true (g_utf8_validate (sentence, -1, NULL));
}

static void
assert_unique (GHashTable *seen,
               const char *text)
{
  if (!g_hash_table_add (seen, (gpointer) text))
    g_error ("“%s” appears twice", text);
}

static void
test_catalogue_stages (void)
{
  g_autoptr(GHashTable) titles = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) sentences = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < TIRKEU_N_STAGES; i++)
    {
      const char *title = tirkeu_catalogue_stage_title (i);
      const char *next = tirkeu_catalogue_stage_next (i);

      assert_title ("stage", i, title);
      assert_sentence ("stage", i, next);
      /* two stages with one title would make the history ambiguous */
      assert_unique (titles, title);
      assert_unique (sentences, next);
    }

  g_assert_cmpstr (tirkeu_catalogue_stage_title (TIRKEU_STAGE_AWAITING_BUYER), ==,
                   "Awaiting the buyer's approval");
}

static void
test_catalogue_codes (void)
{
  g_autoptr(GHashTable) titles = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) actions = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < TIRKEU_N_PORTAL_CODES; i++)
    {
      const char *title = tirkeu_catalogue_code_title (i);
      const char *action = tirkeu_catalogue_code_action (i);

      assert_title ("code", i, title);
      assert_sentence ("code", i, action);
      assert_unique (titles, title);
      assert_unique (actions, action);
    }

  /* the law's own wording for step 7: "enter a correct IIN" */
  g_assert_nonnull (strstr (tirkeu_catalogue_code_action (TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND),
                            "Enter a correct IIN"));
  /* step 14: "pay and resubmit" */
  g_assert_nonnull (strstr (tirkeu_catalogue_code_action (TIRKEU_PORTAL_CODE_FINES_UNPAID),
                            "submits the request again"));
}

/* Unpaid fines (step 14) are a pause with what the buyer must do, never worded as a
 * refusal; the law's step 14 says "pay and submit again". */
static void
test_catalogue_fines_pause (void)
{
  const char *title = tirkeu_catalogue_stage_title (TIRKEU_STAGE_FINES_UNPAID);
  const char *next = tirkeu_catalogue_stage_next (TIRKEU_STAGE_FINES_UNPAID);
  const char *action = tirkeu_catalogue_code_action (TIRKEU_PORTAL_CODE_FINES_UNPAID);

  g_assert_nonnull (strstr (title, "Paused"));
  g_assert_null (strstr (title, "efus"));
  g_assert_nonnull (strstr (next, "The buyer has unpaid administrative fines: the buyer pays them"));
  g_assert_nonnull (strstr (next, "submits the request again"));
  g_assert_nonnull (strstr (next, "waits"));
  g_assert_nonnull (strstr (action, "paused, not refused"));
  g_assert_nonnull (strstr (action, "the buyer pays the administrative fines"));
}

/* Customs (step 4) and the utilization fee (step 5): "not paid" and "no data" are two facts
 * with one portal code; each gets its own words. */
static void
test_catalogue_payment_stop (void)
{
  const TirkeuPortalCode codes[] = { TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID,
                                     TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID };
  const char *title = NULL;
  const char *action = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      const char *unpaid_title;
      const char *unpaid_action;

      g_assert_true (tirkeu_catalogue_payment_stop (codes[i], FALSE, &title, &action));
      unpaid_title = title;
      unpaid_action = action;
      assert_title ("payment", i, unpaid_title);
      assert_sentence ("payment", i, unpaid_action);
      g_assert_nonnull (strstr (unpaid_title, "not paid"));
      g_assert_nonnull (strstr (unpaid_action, "on record as not paid"));

      g_assert_true (tirkeu_catalogue_payment_stop (codes[i], TRUE, &title, &action));
      g_assert_cmpstr (title, !=, unpaid_title);
      g_assert_cmpstr (action, !=, unpaid_action);
      g_assert_nonnull (strstr (title, "No "));
      g_assert_nonnull (strstr (title, "data"));
    }
  title = action = NULL;
  g_assert_false (tirkeu_catalogue_payment_stop (TIRKEU_PORTAL_CODE_FINES_UNPAID, FALSE,
                                                 &title, &action));
  g_assert_null (title);
}

/* A VIN with a request in progress: said as such, with the request's number when known. */
static void
test_catalogue_active_request (void)
{
  g_autofree char *mine = tirkeu_catalogue_active_request_action ("20251017-000123");
  g_autofree char *other = tirkeu_catalogue_active_request_action (NULL);

  assert_title ("active", 0, tirkeu_catalogue_active_request_title ());
  assert_sentence ("active", 0, mine);
  assert_sentence ("active", 1, other);
  g_assert_nonnull (strstr (mine, "Request 20251017-000123 for this VIN is not finished"));
  g_assert_nonnull (strstr (other, "another seller"));
}

static void
test_catalogue_step_text (void)
{
  const struct {
    TirkeuStage stage;
    const char *text;
  } vectors[] = {
    { TIRKEU_STAGE_DRAFT, NULL },
    { TIRKEU_STAGE_OKED_CHECKED, "Step 1 of 19" },
    { TIRKEU_STAGE_CUSTOMS_CHECKED, "Step 4 of 19" },
    { TIRKEU_STAGE_AWAITING_BUYER, "Step 10 of 19" },
    { TIRKEU_STAGE_COMPLETED, "Step 19 of 19" },
    { TIRKEU_STAGE_EXPIRED, NULL },
    { TIRKEU_STAGE_WITHDRAWN, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autofree char *text = tirkeu_catalogue_step_text (vectors[i].stage);

      g_assert_cmpstr (text, ==, vectors[i].text);
    }
}

static void
test_catalogue_actors_and_todo (void)
{
  const TirkeuActor actors[] = {
    TIRKEU_ACTOR_SELLER, TIRKEU_ACTOR_BUYER, TIRKEU_ACTOR_PORTAL, TIRKEU_ACTOR_NONE,
  };
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) items_seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) items = tirkeu_catalogue_buyer_todo ();

  for (guint i = 0; i < G_N_ELEMENTS (actors); i++)
    {
      assert_title ("actor", i, tirkeu_catalogue_actor_name (actors[i]));
      assert_unique (names, tirkeu_catalogue_actor_name (actors[i]));
    }

  /* a heading, longer than a title */
  g_assert_cmpstr (tirkeu_catalogue_buyer_todo_title (), !=, "");
  g_assert_false (g_str_has_suffix (tirkeu_catalogue_buyer_todo_title (), "."));
  /* approve (10), fines (14), TsON and plate (15), phone (16), pay (17), sign (18), collect */
  g_assert_cmpuint (g_strv_length (items), ==, 7);
  for (guint i = 0; items[i] != NULL; i++)
    {
      assert_sentence ("buyer to-do", i, items[i]);
      assert_unique (items_seen, items[i]);
    }
  g_assert_nonnull (strstr (items[0], "approve"));
  g_assert_nonnull (strstr (items[5], "Sign"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* the source language, whatever the machine's */
  tirkeu_i18n_init ("en");

  g_test_add_func ("/catalogue/stages", test_catalogue_stages);
  g_test_add_func ("/catalogue/codes", test_catalogue_codes);
  g_test_add_func ("/catalogue/fines-pause", test_catalogue_fines_pause);
  g_test_add_func ("/catalogue/payment-stop", test_catalogue_payment_stop);
  g_test_add_func ("/catalogue/active-request", test_catalogue_active_request);
  g_test_add_func ("/catalogue/step-text", test_catalogue_step_text);
  g_test_add_func ("/catalogue/actors-and-todo", test_catalogue_actors_and_todo);

  return g_test_run ();
}
