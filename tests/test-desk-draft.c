/* SPDX-License-Identifier: GPL-3.0-or-later */
/* When the new-request controller keeps a draft in the journal: a value typed that passed its
 * check, or one still being typed or checked, is kept; a draft whose only values the portal
 * refused (an unknown vehicle, a buyer not found) is not, so that the desk and the list's
 * Drafts filter offer nothing but drafts worth resuming. The SoftHSM token of
 * tests/fixtures/make-token.sh and the in-process sandbox, no widget. */
#include "config.h"

#include "test-token-fixture.h"
#include "tirkeu-new-request.h"
#include "tirkeu-sandbox.h"

static TokenFixture *token;

#define VIN "XTA210743S0000120"
#define BUYER_IIN "850312300121"
/* data/sandbox/fixtures.json: no electronic passport; a person GBD FL does not know */
#define REFUSED_VIN "XW8ZZZ3C0SG000103"
#define UNKNOWN_IIN "770211300889"

typedef struct
{
  TirkeuSandbox      *sandbox;
  char               *state_dir;
  TirkeuPortalClient *client;
  TirkeuTokenManager *tokens;
  TirkeuSession      *session;
  TirkeuJournal      *journal;
} Desk;

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static Desk *
desk_new_with_fault (gboolean                  with_journal,
                     TirkeuSandboxPayloadFault wrong_payload)
{
  Desk *desk = g_new0 (Desk, 1);
  TirkeuSandboxOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_sandbox_options_init (&options);
  g_free (options.listen);
  options.listen = g_strdup ("127.0.0.1:0");
  desk->state_dir = g_dir_make_tmp ("tirkeu-desk-draft-XXXXXX", &error);
  g_assert_no_error (error);
  options.state_dir = g_strdup (desk->state_dir);
  options.signer_ca_file = g_strdup (token->ca_file);
  options.buyer_mode = TIRKEU_SANDBOX_BUYER_MANUAL;
  options.wrong_payload = wrong_payload;
  desk->sandbox = tirkeu_sandbox_new (&options, &error);
  g_assert_no_error (error);
  tirkeu_sandbox_start (desk->sandbox, &error);
  g_assert_no_error (error);
  tirkeu_sandbox_options_clear (&options);

  desk->client = tirkeu_portal_client_new (tirkeu_sandbox_get_url (desk->sandbox),
                                           tirkeu_sandbox_get_ca_file (desk->sandbox), &error);
  g_assert_no_error (error);
  desk->tokens = tirkeu_token_manager_new (token->module);
  tirkeu_token_manager_set_poll_interval (desk->tokens, 0);
  desk->session = tirkeu_session_new (desk->tokens, desk->client);
  if (with_journal)
    {
      g_autofree char *path = g_build_filename (desk->state_dir, "journal.sqlite", NULL);

      desk->journal = tirkeu_journal_new_sync (path, NULL, &error);
      g_assert_no_error (error);
      tirkeu_session_set_journal (desk->session, desk->journal);
    }
  tirkeu_session_start (desk->session);
  while (tirkeu_session_get_state (desk->session) < TIRKEU_SESSION_STATE_TOKEN_PRESENT)
    g_main_context_iteration (NULL, TRUE);

  certificates = tirkeu_session_dup_certificates (desk->session, TIRKEU_CERTIFICATE_KIND_AUTH);
  g_assert_cmpuint (certificates->len, >, 0);
  tirkeu_session_sign_in_async (desk->session, g_ptr_array_index (certificates, 0), token->pin,
                                NULL, store_result_cb, &result);
  g_assert_true (tirkeu_session_sign_in_finish (desk->session, wait_for_result (&result), &error));
  g_assert_no_error (error);
  return desk;
}

static Desk *
desk_new (gboolean with_journal)
{
  return desk_new_with_fault (with_journal, TIRKEU_SANDBOX_PAYLOAD_RIGHT);
}

static void
desk_free (Desk *desk)
{
  g_assert_finalize_object (desk->session);
  g_clear_object (&desk->tokens);
  g_clear_object (&desk->client);
  g_clear_object (&desk->journal);
  tirkeu_sandbox_stop (desk->sandbox);
  g_clear_object (&desk->sandbox);
  token_fixture_run ((const char *[]) { "rm", "-rf", desk->state_dir, NULL });
  g_free (desk->state_dir);
  g_free (desk);
}

static GPtrArray *
list_drafts (Desk *desk)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *drafts;

  tirkeu_new_request_list_drafts_async (desk->journal, NULL, store_result_cb, &result);
  drafts = tirkeu_new_request_list_drafts_finish (wait_for_result (&result), &error);
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
