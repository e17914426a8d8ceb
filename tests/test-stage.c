/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-error.h"
#include "tirkeu-stage.h"

/* The expectation, written independently of src/core/tirkeu-stage.c and in another form:
 * for each stage (by wire name) the stages that may follow it, read off the 19 steps of the
 * pilot algorithm (joint order No. 499 / No. 754, appendix, point 4):
 * - steps 1-9 are the seller's, in the law's order; the seller may withdraw until the buyer
 *   approved;
 * - step 10 the buyer approves or declines; from then until the buyer signs (step 18) the
 *   buyer's unfinished application can lapse (expired);
 * - the re-checks of steps 11-13 can end in a reasoned refusal; step 14 never refuses: unpaid
 *   fines mean "pay and resubmit" (fines_unpaid -> fines_check), or the buyer gives up;
 * - step 19 has exactly two outcomes: completed or refused. */
static const struct {
  const char *from;
  const char *to;  /* space-separated wire names */
} expected_next[] = {
  { "draft", "oked_checked withdrawn" },
  { "oked_checked", "epassport_checked withdrawn" },
  { "epassport_checked", "customs_checked withdrawn" },
  { "customs_checked", "utilization_checked withdrawn" },
  { "utilization_checked", "buyer_checked withdrawn" },
  { "buyer_checked", "contract_found withdrawn" },
  { "contract_found", "signed withdrawn" },
  { "signed", "submitted withdrawn" },
  { "submitted", "awaiting_buyer withdrawn" },
  { "awaiting_buyer", "buyer_approved declined expired withdrawn" },
  { "buyer_approved", "buyer_recheck expired" },
  { "buyer_recheck", "epassport_recheck refused expired" },
  { "epassport_recheck", "contract_recheck refused expired" },
  { "contract_recheck", "fines_check refused expired" },
  { "fines_check", "fines_unpaid tson_chosen expired" },
  { "fines_unpaid", "fines_check declined expired" },
  { "tson_chosen", "phone_confirmed expired" },
  { "phone_confirmed", "paid expired" },
  { "paid", "buyer_signed expired" },
  { "buyer_signed", "processing" },
  { "processing", "completed refused" },
  { "completed", "" },
  { "refused", "" },
  { "declined", "" },
  { "expired", "" },
  { "withdrawn", "" },
};

static gboolean expected[TIRKEU_N_STAGES][TIRKEU_N_STAGES];

static TirkeuStage
stage_named (const char *name)
{
  TirkeuStage stage;

  if (!tirkeu_stage_from_string (name, &stage))
    g_error ("no stage named “%s”", name);

  return stage;
}

static void
build_expectation (void)
{
  g_assert_cmpuint (G_N_ELEMENTS (expected_next), ==, TIRKEU_N_STAGES);

  for (guint i = 0; i < G_N_ELEMENTS (expected_next); i++)
    {
      TirkeuStage from = stage_named (expected_next[i].from);
      g_auto(GStrv) names = g_strsplit (expected_next[i].to, " ", -1);

      for (guint j = 0; names[j] != NULL; j++)
        if (*names[j] != '\0')
          expected[from][stage_named (names[j])] = TRUE;
    }
}

static void
test_stage_wire_names (void)
{
  for (guint i = 0; i < TIRKEU_N_STAGES; i++)
    {
      TirkeuStage back;

      g_assert_true (tirkeu_stage_from_string (tirkeu_stage_to_string (i), &back));
      g_assert_cmpint (back, ==, i);
    }
  g_assert_false (tirkeu_stage_from_string ("approved", &(TirkeuStage) { 0 }));
  g_assert_false (tirkeu_stage_from_string (NULL, &(TirkeuStage) { 0 }));
}

/* Every one of the 26 x 26 pairs, legal or illegal, checked against the expectation. */
static void
test_stage_transition_table (void)
{
  guint n_legal = 0;

  for (guint from = 0; from < TIRKEU_N_STAGES; from++)
    for (guint to = 0; to < TIRKEU_N_STAGES; to++)
      {
        g_autoptr(GError) error = NULL;
        gboolean legal = tirkeu_stage_can_transition (from, to);

        if (legal != expected[from][to])
          g_error ("%s -> %s: the table says %s, the law %s",
                   tirkeu_stage_to_string (from), tirkeu_stage_to_string (to),
                   legal ? "legal" : "illegal", expected[from][to] ? "legal" : "illegal");

        g_assert_cmpint (tirkeu_stage_check_transition (from, to, &error), ==, legal);
        if (legal)
          {
            g_assert_no_error (error);
            n_legal++;
          }
        else
          g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION);
      }

  /* 18 from the 9 seller stages (next step or withdrawn), 4 from awaiting_buyer, 26 after */
  g_assert_cmpuint (n_legal, ==, 48);
}

static void
test_stage_illegal_error_names_both (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) final_error = NULL;

  g_assert_false (tirkeu_stage_check_transition (TIRKEU_STAGE_DRAFT, TIRKEU_STAGE_SIGNED, &error));
  g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION);
  g_assert_nonnull (strstr (error->message, tirkeu_catalogue_stage_title (TIRKEU_STAGE_DRAFT)));
  g_assert_nonnull (strstr (error->message, tirkeu_catalogue_stage_title (TIRKEU_STAGE_SIGNED)));

  g_assert_false (tirkeu_stage_check_transition (TIRKEU_STAGE_COMPLETED, TIRKEU_STAGE_PROCESSING,
                                                 &final_error));
  g_assert_error (final_error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION);
  g_assert_nonnull (strstr (final_error->message,
                            tirkeu_catalogue_stage_title (TIRKEU_STAGE_COMPLETED)));
  g_assert_nonnull (strstr (final_error->message,
                            tirkeu_catalogue_stage_title (TIRKEU_STAGE_PROCESSING)));
}

static void
test_stage_final (void)
{
  const char *finals[] = { "completed", "refused", "declined", "expired", "withdrawn" };

  for (guint i = 0; i < TIRKEU_N_STAGES; i++)
    {
      gboolean final = FALSE;
      gboolean has_exit = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (finals); j++)
        final |= g_str_equal (finals[j], tirkeu_stage_to_string (i));
      for (guint to = 0; to < TIRKEU_N_STAGES; to++)
        has_exit |= tirkeu_stage_can_transition (i, to);

      g_assert_cmpint (tirkeu_stage_is_final (i), ==, final);
      /* final stages have no way out, and every other stage has one */
      g_assert_cmpint (has_exit, ==, !final);
    }
}

/* Who acts next in each stage, and whether the seller has something to do, by the law: the
 * seller starts (1), enters the VIN (2), the buyer's IIN (6), signs (9) and sends; the portal
 * runs the checks (3-5, 7-8, 11-14, 16, 19); the buyer approves (10), pays fines, chooses,
 * pays and signs (14-18). */
static void
test_stage_actor (void)
{
  const struct {
    TirkeuStage stage;
    TirkeuActor actor;
    guint step;
  } vectors[] = {
    { TIRKEU_STAGE_DRAFT, TIRKEU_ACTOR_SELLER, 0 },
    { TIRKEU_STAGE_OKED_CHECKED, TIRKEU_ACTOR_SELLER, 1 },
    { TIRKEU_STAGE_EPASSPORT_CHECKED, TIRKEU_ACTOR_PORTAL, 3 },
    { TIRKEU_STAGE_CUSTOMS_CHECKED, TIRKEU_ACTOR_PORTAL, 4 },
    { TIRKEU_STAGE_UTILIZATION_CHECKED, TIRKEU_ACTOR_SELLER, 5 },
    { TIRKEU_STAGE_BUYER_CHECKED, TIRKEU_ACTOR_PORTAL, 7 },
    { TIRKEU_STAGE_CONTRACT_FOUND, TIRKEU_ACTOR_SELLER, 8 },
    { TIRKEU_STAGE_SIGNED, TIRKEU_ACTOR_SELLER, 9 },
    { TIRKEU_STAGE_SUBMITTED, TIRKEU_ACTOR_PORTAL, 9 },
    { TIRKEU_STAGE_AWAITING_BUYER, TIRKEU_ACTOR_BUYER, 10 },
    { TIRKEU_STAGE_BUYER_APPROVED, TIRKEU_ACTOR_PORTAL, 10 },
    { TIRKEU_STAGE_BUYER_RECHECK, TIRKEU_ACTOR_PORTAL, 11 },
    { TIRKEU_STAGE_EPASSPORT_RECHECK, TIRKEU_ACTOR_PORTAL, 12 },
    { TIRKEU_STAGE_CONTRACT_RECHECK, TIRKEU_ACTOR_PORTAL, 13 },
    { TIRKEU_STAGE_FINES_CHECK, TIRKEU_ACTOR_PORTAL, 14 },
    { TIRKEU_STAGE_FINES_UNPAID, TIRKEU_ACTOR_BUYER, 14 },
    { TIRKEU_STAGE_TSON_CHOSEN, TIRKEU_ACTOR_BUYER, 15 },
    { TIRKEU_STAGE_PHONE_CONFIRMED, TIRKEU_ACTOR_BUYER, 16 },
    { TIRKEU_STAGE_PAID, TIRKEU_ACTOR_BUYER, 17 },
    { TIRKEU_STAGE_BUYER_SIGNED, TIRKEU_ACTOR_PORTAL, 18 },
    { TIRKEU_STAGE_PROCESSING, TIRKEU_ACTOR_PORTAL, 19 },
    { TIRKEU_STAGE_COMPLETED, TIRKEU_ACTOR_NONE, 19 },
    { TIRKEU_STAGE_REFUSED, TIRKEU_ACTOR_NONE, 19 },
    { TIRKEU_STAGE_DECLINED, TIRKEU_ACTOR_NONE, 10 },
    { TIRKEU_STAGE_EXPIRED, TIRKEU_ACTOR_NONE, 0 },
    { TIRKEU_STAGE_WITHDRAWN, TIRKEU_ACTOR_NONE, 0 },
  };

  g_assert_cmpuint (G_N_ELEMENTS (vectors), ==, TIRKEU_N_STAGES);

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_assert_cmpint (tirkeu_stage_get_actor (vectors[i].stage), ==, vectors[i].actor);
      g_assert_cmpuint (tirkeu_stage_get_step (vectors[i].stage), ==, vectors[i].step);
      g_assert_cmpuint (tirkeu_stage_get_step (vectors[i].stage), <=, TIRKEU_STAGE_N_STEPS);
      g_assert_cmpint (tirkeu_stage_seller_must_act (vectors[i].stage), ==,
                       vectors[i].actor == TIRKEU_ACTOR_SELLER);
    }
}

static void
test_stage_entering_actor (void)
{
  g_assert_cmpint (tirkeu_stage_get_entering_actor (TIRKEU_STAGE_SIGNED), ==, TIRKEU_ACTOR_SELLER);
  g_assert_cmpint (tirkeu_stage_get_entering_actor (TIRKEU_STAGE_WITHDRAWN), ==, TIRKEU_ACTOR_SELLER);
  g_assert_cmpint (tirkeu_stage_get_entering_actor (TIRKEU_STAGE_BUYER_APPROVED), ==, TIRKEU_ACTOR_BUYER);
  g_assert_cmpint (tirkeu_stage_get_entering_actor (TIRKEU_STAGE_DECLINED), ==, TIRKEU_ACTOR_BUYER);
  g_assert_cmpint (tirkeu_stage_get_entering_actor (TIRKEU_STAGE_PAID), ==, TIRKEU_ACTOR_BUYER);
  g_assert_cmpint (tirkeu_stage_get_entering_actor (TIRKEU_STAGE_EXPIRED), ==, TIRKEU_ACTOR_PORTAL);
  g_assert_cmpint (tirkeu_stage_get_entering_actor (TIRKEU_STAGE_REFUSED), ==, TIRKEU_ACTOR_PORTAL);
  g_assert_cmpint (tirkeu_stage_get_entering_actor (TIRKEU_STAGE_EPASSPORT_CHECKED), ==,
                   TIRKEU_ACTOR_PORTAL);

  /* nobody "makes" a change into a stage */
  for (guint i = 0; i < TIRKEU_N_STAGES; i++)
    g_assert_cmpint (tirkeu_stage_get_entering_actor (i), !=, TIRKEU_ACTOR_NONE);
}

/* Reachability against a closure computed here, by breadth-first search over the expectation. */
static void
test_stage_reachable (void)
{
  for (guint from = 0; from < TIRKEU_N_STAGES; from++)
    {
      gboolean seen[TIRKEU_N_STAGES] = { FALSE, };
      guint queue[TIRKEU_N_STAGES * TIRKEU_N_STAGES];
      guint head = 0, tail = 0;

      queue[tail++] = from;
      while (head < tail)
        {
          guint at = queue[head++];

          for (guint to = 0; to < TIRKEU_N_STAGES; to++)
            if (expected[at][to] && !seen[to])
              {
                seen[to] = TRUE;
                queue[tail++] = to;
              }
        }

      for (guint to = 0; to < TIRKEU_N_STAGES; to++)
        g_assert_cmpint (tirkeu_stage_is_reachable (from, to), ==, seen[to]);
    }

  /* a few that matter for syncs, by name */
  g_assert_true (tirkeu_stage_is_reachable (TIRKEU_STAGE_CONTRACT_FOUND, TIRKEU_STAGE_AWAITING_BUYER));
  g_assert_true (tirkeu_stage_is_reachable (TIRKEU_STAGE_AWAITING_BUYER, TIRKEU_STAGE_COMPLETED));
  g_assert_true (tirkeu_stage_is_reachable (TIRKEU_STAGE_FINES_CHECK, TIRKEU_STAGE_FINES_CHECK));
  g_assert_false (tirkeu_stage_is_reachable (TIRKEU_STAGE_AWAITING_BUYER, TIRKEU_STAGE_AWAITING_BUYER));
  g_assert_false (tirkeu_stage_is_reachable (TIRKEU_STAGE_BUYER_APPROVED, TIRKEU_STAGE_WITHDRAWN));
  g_assert_false (tirkeu_stage_is_reachable (TIRKEU_STAGE_PROCESSING, TIRKEU_STAGE_EXPIRED));
  g_assert_false (tirkeu_stage_is_reachable (TIRKEU_STAGE_COMPLETED, TIRKEU_STAGE_REFUSED));
  g_assert_false (tirkeu_stage_is_reachable (TIRKEU_STAGE_SUBMITTED, TIRKEU_STAGE_SIGNED));
}

/* The contract (data/portal-api.yaml, withdrawRequest) lists the stages a withdrawal is
 * allowed in; the core's predicate, which the desk, the CLI and the sandbox ask, says the
 * same, stage for stage. */
static void
test_stage_withdraw_matches_contract (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("TIRKEU_SOURCE_ROOT"), "data",
                                            "portal-api.yaml", NULL);
  g_autofree char *yaml = NULL;
  g_autoptr(GError) error = NULL;
  gboolean listed[TIRKEU_N_STAGES] = { FALSE };
  const char *operation, *allowed, *end;

  g_file_get_contents (path, &yaml, NULL, &error);
  g_assert_no_error (error);
  operation = strstr (yaml, "operationId: withdrawRequest");
  g_assert_nonnull (operation);
  allowed = strstr (operation, "Allowed in ");
  g_assert_nonnull (allowed);
  end = strstr (allowed, ";");
  g_assert_nonnull (end);
  for (const char *p = strchr (allowed, '`'); p != NULL && p < end; p = strchr (p, '`'))
    {
      const char *close = strchr (p + 1, '`');
      g_autofree char *name = g_strndup (p + 1, close - p - 1);
      TirkeuStage stage;

      g_assert_true (tirkeu_stage_from_string (name, &stage));
      listed[stage] = TRUE;
      p = close + 1;
    }

  for (guint stage = 0; stage < TIRKEU_N_STAGES; stage++)
    {
      g_test_message ("%s", tirkeu_stage_to_string (stage));
      g_assert_cmpint (tirkeu_stage_seller_may_withdraw (stage), ==, listed[stage]);
    }
  /* created on the portal but not yet signed: the seller may still walk away */
  g_assert_true (tirkeu_stage_seller_may_withdraw (TIRKEU_STAGE_CONTRACT_FOUND));
  g_assert_false (tirkeu_stage_seller_may_withdraw (TIRKEU_STAGE_BUYER_APPROVED));
}

static void
test_stage_category (void)
{
  g_assert_cmpint (tirkeu_stage_get_category (TIRKEU_STAGE_CONTRACT_FOUND), ==,
                   TIRKEU_STAGE_CATEGORY_NEEDS_ACTION);
  g_assert_true (tirkeu_stage_needs_attention (TIRKEU_STAGE_CONTRACT_FOUND));
  g_assert_cmpint (tirkeu_stage_get_category (TIRKEU_STAGE_AWAITING_BUYER), ==,
                   TIRKEU_STAGE_CATEGORY_AWAITING_BUYER);
  g_assert_cmpint (tirkeu_stage_get_category (TIRKEU_STAGE_PROCESSING), ==,
                   TIRKEU_STAGE_CATEGORY_IN_PROGRESS);
  g_assert_cmpint (tirkeu_stage_get_category (TIRKEU_STAGE_COMPLETED), ==,
                   TIRKEU_STAGE_CATEGORY_COMPLETED);
  g_assert_cmpint (tirkeu_stage_get_category (TIRKEU_STAGE_WITHDRAWN), ==,
                   TIRKEU_STAGE_CATEGORY_CLOSED);
  g_assert_false (tirkeu_stage_needs_attention (TIRKEU_STAGE_WITHDRAWN));
  for (guint stage = 0; stage < TIRKEU_N_STAGES; stage++)
    g_assert_cmpint (tirkeu_stage_awaits_signature (stage), ==,
                     stage <= TIRKEU_STAGE_CONTRACT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  build_expectation ();

  g_test_add_func ("/stage/wire-names", test_stage_wire_names);
  g_test_add_func ("/stage/transition-table", test_stage_transition_table);
  g_test_add_func ("/stage/illegal-error-names-both", test_stage_illegal_error_names_both);
  g_test_add_func ("/stage/final", test_stage_final);
  g_test_add_func ("/stage/actor", test_stage_actor);
  g_test_add_func ("/stage/entering-actor", test_stage_entering_actor);
  g_test_add_func ("/stage/reachable", test_stage_reachable);
  g_test_add_func ("/stage/withdraw-matches-contract", test_stage_withdraw_matches_contract);
  g_test_add_func ("/stage/category", test_stage_category);

  return g_test_run ();
}
