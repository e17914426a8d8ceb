/* SPDX-License-Identifier: GPL-3.0-or-later */
/* When the new-request controller keeps a draft in the journal: a value typed that passed its
 * check, or one still being typed or checked, is kept; a draft whose only values the portal
 * refused (an unknown vehicle, a buyer not found) is not, so that the desk and the list's
 * Drafts filter offer nothing but drafts worth resuming. The SoftHSM token of
 * tests/fixtures/make-token.sh and the in-process sandbox, no widget. */
#include "config.h"

#include "test-desk-fixture.h"
#include "test-token-fixture.h"
#include "tirkeu-new-request.h"
#include "tirkeu-sandbox.h"

static TokenFixture *token;

#define VIN "XTA210743S0000120"
#define BUYER_IIN "850312300121"
/* data/sandbox/fixtures.json: no electronic passport; a person GBD FL does not know */
#define REFUSED_VIN "XW8ZZZ3C0SG000103"
#define UNKNOWN_IIN "770211300889"

static Desk *
desk_new (gboolean with_journal)
{
  return desk_new_signed_in (token, with_journal, TIRKEU_SANDBOX_PAYLOAD_RIGHT);
}

static GPtrArray *
list_drafts (Desk *desk)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *drafts;

  tirkeu_new_request_list_drafts_async (desk->journal, NULL, desk_store_result_cb, &result);
  drafts = tirkeu_new_request_list_drafts_finish (desk_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return drafts;
}

static void
wait_checks (TirkeuNewRequest *request)
{
  while (tirkeu_new_request_get_checking (request))
    g_main_context_iteration (NULL, TRUE);
}

static guint
n_drafts (Desk *desk)
{
  g_autoptr(GPtrArray) drafts = NULL;

  /* the journal runs its jobs in order: a listing comes after every save and delete asked */
  drafts = list_drafts (desk);
  return drafts->len;
}

/* A refused VIN alone leaves no draft; corrected, the draft is back. */
static void
test_refused_vin (void)
{
  Desk *desk = desk_new (TRUE);
  g_autoptr(TirkeuNewRequest) request = tirkeu_new_request_new (desk->session, NULL);

  /* Being typed: kept. */
  tirkeu_new_request_set_vin (request, "XW8ZZZ3C0");
  g_assert_true (tirkeu_new_request_get_draft_worth_keeping (request));
  g_assert_cmpuint (n_drafts (desk), ==, 1);

  tirkeu_new_request_set_vin (request, REFUSED_VIN);
  g_assert_true (tirkeu_new_request_get_draft_worth_keeping (request));
  wait_checks (request);
  g_assert_false (tirkeu_new_request_get_vehicle_passed (request));
  g_assert_false (tirkeu_new_request_get_draft_worth_keeping (request));
  g_assert_cmpuint (n_drafts (desk), ==, 0);
  /* what was typed stays on screen */
  g_assert_cmpstr (tirkeu_new_request_get_draft (request)->vin, ==, REFUSED_VIN);

  /* Corrected: checked, passed, kept. */
  tirkeu_new_request_set_vin (request, VIN);
  wait_checks (request);
  g_assert_true (tirkeu_new_request_get_vehicle_passed (request));
  g_assert_true (tirkeu_new_request_get_draft_worth_keeping (request));
  g_assert_cmpuint (n_drafts (desk), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&request));
  desk_free (desk);
}

/* A buyer not found next to a vehicle that passed: the vehicle is worth resuming. A buyer
 * not found alone is not. */
static void
test_refused_buyer (void)
{
  Desk *desk = desk_new (TRUE);
  g_autoptr(TirkeuNewRequest) request = tirkeu_new_request_new (desk->session, NULL);
  g_autoptr(TirkeuNewRequest) alone = NULL;

  tirkeu_new_request_set_vin (request, VIN);
  tirkeu_new_request_set_buyer_iin (request, UNKNOWN_IIN);
  wait_checks (request);
  g_assert_false (tirkeu_new_request_get_buyer_passed (request));
  g_assert_true (tirkeu_new_request_get_draft_worth_keeping (request));
  g_assert_cmpuint (n_drafts (desk), ==, 1);
  g_assert_finalize_object (g_steal_pointer (&request));

  alone = tirkeu_new_request_new (desk->session, NULL);
  tirkeu_new_request_set_buyer_iin (alone, UNKNOWN_IIN);
  wait_checks (alone);
  g_assert_false (tirkeu_new_request_get_draft_worth_keeping (alone));
  /* the first draft only */
  g_assert_cmpuint (n_drafts (desk), ==, 1);
  g_assert_finalize_object (g_steal_pointer (&alone));

  desk_free (desk);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  token = token_fixture_new ();

  g_test_add_func ("/desk-draft/refused-vin", test_refused_vin);
  g_test_add_func ("/desk-draft/refused-buyer", test_refused_buyer);

  status = g_test_run ();
  token_fixture_free (token);
  return status;
}
