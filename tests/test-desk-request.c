/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TirkeuNewRequest, the new-request controller, as the app and the CLI drive it: the SoftHSM
 * token of tests/fixtures/make-token.sh and the in-process sandbox over real TLS, no widget.
 *
 * A created request that is not signed stays sendable (a sync that stored it while the PIN
 * was asked, a wrong PIN, a PIN dialog cancelled) and can be withdrawn; without a journal
 * nothing is created or signed. */
#include "config.h"

#include "test-token-fixture.h"
#include "tirkeu-new-request.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-sandbox.h"
#include "tirkeu-store-error.h"

static TokenFixture *token;

#define VIN "XTA210743S0000120"
#define BUYER_IIN "850312300121"
#define CONTRACT "DKP-2025-000120"

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
desk_new (gboolean with_journal)
{
  Desk *desk = g_new0 (Desk, 1);
  TirkeuSandboxOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_sandbox_options_init (&options);
  g_free (options.listen);
  options.listen = g_strdup ("127.0.0.1:0");
  desk->state_dir = g_dir_make_tmp ("tirkeu-desk-request-XXXXXX", &error);
  g_assert_no_error (error);
  options.state_dir = g_strdup (desk->state_dir);
  options.signer_ca_file = g_strdup (token->ca_file);
  options.buyer_mode = TIRKEU_SANDBOX_BUYER_MANUAL;
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

/* The sandbox's requests (state.json, written on every change), by stage. */
static guint
sandbox_count (Desk       *desk,
               const char *stage)
{
  g_autofree char *path = g_build_filename (desk->state_dir, "state.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *requests;
  guint n = 0;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return 0;
  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  requests = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "requests");
  for (guint i = 0; requests != NULL && i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (stage == NULL || g_strcmp0 (json_object_get_string_member (request, "stage"), stage) == 0)
        n++;
    }
  return n;
}

static TirkeuCertificate *
sign_certificate (Desk *desk)
{
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  const TirkeuPortalSeller *seller = tirkeu_session_get_seller (desk->session);

  certificates = tirkeu_session_dup_certificates (desk->session, TIRKEU_CERTIFICATE_KIND_SIGN);
  for (guint i = 0; i < certificates->len; i++)
    if (tirkeu_certificate_check_purpose (g_ptr_array_index (certificates, i),
                                          TIRKEU_SIGN_PURPOSE_REQUEST, seller->bin, now, NULL))
      return g_object_ref (g_ptr_array_index (certificates, i));
  g_assert_not_reached ();
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

/* How a test answers the PIN: the PINs to give in turn (NULL: cancel), and what it saw. */
typedef struct
{
  Desk        *desk;
  const char **pins;
  guint        asked;
  char        *last_message;
  gboolean     sync_before_pin;
} PinAnswers;

static void
pin_needed_cb (TirkeuNewRequest  *request,
               TirkeuCertificate *certificate,
               const char        *message,
               PinAnswers        *answers)
{
  const char *pin = answers->pins[answers->asked++];

  g_assert_true (TIRKEU_IS_CERTIFICATE (certificate));
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_AWAITING_PIN);
  g_free (answers->last_message);
  answers->last_message = g_strdup (message);

  if (answers->sync_before_pin)
    {
      /* What a sync round does while the PIN dialog is open: it stores the request the portal
       * created (contract_found, with its Idempotency-Key) among the requests. */
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(TirkeuRequest) created = NULL;
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GError) error = NULL;

      tirkeu_portal_client_get_request_async (answers->desk->client,
                                              tirkeu_new_request_get_draft (request)->portal_id,
                                              NULL, store_result_cb, &result);
      created = tirkeu_portal_client_get_request_finish (answers->desk->client,
                                                         wait_for_result (&result), NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (tirkeu_request_get_stage (created), ==, TIRKEU_STAGE_CONTRACT_FOUND);
      g_ptr_array_add (batch, g_steal_pointer (&created));
      g_assert_true (tirkeu_journal_upsert_requests_sync (answers->desk->journal, batch, NULL,
                                                          NULL, &error));
      g_assert_no_error (error);
    }

  if (pin != NULL)
    tirkeu_new_request_give_pin (request, pin);
  else
    tirkeu_new_request_cancel_pin (request);
}

static gboolean
send (Desk              *desk,
      TirkeuNewRequest  *request,
      PinAnswers        *answers,
      GError           **error)
{
  g_autoptr(TirkeuCertificate) certificate = sign_certificate (desk);
  g_autoptr(GAsyncResult) result = NULL;
  gulong id;
  gboolean done;

  answers->desk = desk;
  id = g_signal_connect (request, "pin-needed", G_CALLBACK (pin_needed_cb), answers);
  tirkeu_new_request_send_async (request, certificate, NULL, store_result_cb, &result);
  done = tirkeu_new_request_send_finish (request, wait_for_result (&result), error);
  g_signal_handler_disconnect (request, id);
  return done;
}

static TirkeuNewRequest *
typed_request (Desk *desk)
{
  TirkeuNewRequest *request = tirkeu_new_request_new (desk->session, NULL);

  /* as a barcode scanner gives it, lower case and with the Code 39 "I" */
  tirkeu_new_request_set_vin (request, "I" VIN);
  tirkeu_new_request_set_buyer_iin (request, BUYER_IIN);
  tirkeu_new_request_set_contract_number (request, CONTRACT);
  return request;
}

static gboolean
checks_done (TirkeuNewRequest *request)
{
  return !tirkeu_new_request_get_checking (request);
}

/* Checks still running hold the controller: they end before it is let go. */
static void
finalize_request (TirkeuNewRequest *request)
{
  while (!checks_done (request))
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (request);
}

static void
test_send (void)
{
  Desk *desk = desk_new (TRUE);
  g_autoptr(TirkeuNewRequest) request = typed_request (desk);
  const char *pins[] = { token->pin };
  PinAnswers answers = { .pins = pins };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;

  /* The three checks, contracts included, ran at once from the typed values. */
  g_assert_cmpstr (tirkeu_new_request_get_checked_vin (request), ==, VIN);
  while (!checks_done (request))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (tirkeu_new_request_get_vehicle_passed (request));
  g_assert_true (tirkeu_new_request_get_buyer_passed (request));
  g_assert_nonnull (tirkeu_new_request_get_contract (request));

  g_assert_true (send (desk, request, &answers, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (answers.asked, ==, 1);
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_SENT);
  g_assert_cmpint (tirkeu_request_get_stage (tirkeu_new_request_get_request (request)), ==,
                   TIRKEU_STAGE_AWAITING_BUYER);
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (tirkeu_new_request_get_request (request)),
                   ==, tirkeu_new_request_get_draft (request)->idempotency_key);
  g_assert_cmpuint (sandbox_count (desk, NULL), ==, 1);
  drafts = list_drafts (desk);
  g_assert_cmpuint (drafts->len, ==, 0);

  g_free (answers.last_message);
  finalize_request (g_steal_pointer (&request));
  desk_free (desk);
}

/* A sync round stores the created request while the PIN is asked: the signed request still
 * goes to the outbox and the portal (it was refused as "already confirmed", forever). */
static void
test_sync_while_pin_asked (void)
{
  Desk *desk = desk_new (TRUE);
  g_autoptr(TirkeuNewRequest) request = typed_request (desk);
  const char *pins[] = { token->pin };
  PinAnswers answers = { .pins = pins, .sync_before_pin = TRUE };
  g_autoptr(GError) error = NULL;

  g_assert_true (send (desk, request, &answers, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_SENT);
  g_assert_cmpuint (sandbox_count (desk, "awaiting_buyer"), ==, 1);
  g_assert_cmpuint (sandbox_count (desk, NULL), ==, 1);

  g_free (answers.last_message);
  finalize_request (g_steal_pointer (&request));
  desk_free (desk);
}

/* A wrong PIN is asked again (never retried by itself); a cancelled PIN leaves the created
 * request in the draft, listed as created, and a later run signs that same request. */
static void
test_resume_created (void)
{
  Desk *desk = desk_new (TRUE);
  g_autoptr(TirkeuNewRequest) request = typed_request (desk);
  g_autoptr(TirkeuNewRequest) resumed = NULL;
  const char *wrong_then_cancel[] = { "000000", NULL };
  const char *right[] = { token->pin };
  PinAnswers answers = { .pins = wrong_then_cancel };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  TirkeuDraft *draft;
  g_autofree char *portal_id = NULL;

  g_assert_false (send (desk, request, &answers, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (answers.asked, ==, 2);
  g_assert_nonnull (answers.last_message);
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_EDITING);
  g_assert_cmpuint (sandbox_count (desk, "contract_found"), ==, 1);

  drafts = list_drafts (desk);
  g_assert_cmpuint (drafts->len, ==, 1);
  draft = g_ptr_array_index (drafts, 0);
  g_assert_true (tirkeu_draft_get_is_created (draft));
  g_assert_cmpstr (draft->idempotency_key, ==, tirkeu_new_request_get_draft (request)->idempotency_key);
  portal_id = g_strdup (draft->portal_id);
  g_free (answers.last_message);
  finalize_request (g_steal_pointer (&request));

  /* Later, from the unfinished list: the same key finds the same request. */
  resumed = tirkeu_new_request_new (desk->session, draft);
  answers = (PinAnswers) { .pins = right };
  g_assert_true (send (desk, resumed, &answers, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (tirkeu_request_get_portal_id (tirkeu_new_request_get_request (resumed)), ==,
                   portal_id);
  g_assert_cmpuint (sandbox_count (desk, NULL), ==, 1);
  g_assert_cmpuint (sandbox_count (desk, "awaiting_buyer"), ==, 1);

  g_free (answers.last_message);
  finalize_request (g_steal_pointer (&resumed));
  desk_free (desk);
}

/* A created request the seller does not sign can be withdrawn, which frees the VIN. */
static void
test_withdraw_created (void)
{
  Desk *desk = desk_new (TRUE);
  g_autoptr(TirkeuNewRequest) request = typed_request (desk);
  g_autoptr(TirkeuNewRequest) again = NULL;
  const char *cancel[] = { NULL };
  const char *right[] = { token->pin };
  PinAnswers answers = { .pins = cancel };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;

  g_assert_false (send (desk, request, &answers, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  tirkeu_new_request_withdraw_async (request, NULL, store_result_cb, &result);
  g_assert_true (tirkeu_new_request_withdraw_finish (request, wait_for_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_WITHDRAWN);
  g_assert_cmpuint (sandbox_count (desk, "withdrawn"), ==, 1);
  drafts = list_drafts (desk);
  g_assert_cmpuint (drafts->len, ==, 0);

  again = typed_request (desk);
  answers = (PinAnswers) { .pins = right };
  g_assert_true (send (desk, again, &answers, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sandbox_count (desk, "awaiting_buyer"), ==, 1);

  finalize_request (g_steal_pointer (&request));
  finalize_request (g_steal_pointer (&again));
  desk_free (desk);
}

/* Without a journal, nothing is created or signed, and the reason is given at once. */
static void
test_no_journal (void)
{
  Desk *desk = desk_new (FALSE);
  g_autoptr(TirkeuNewRequest) request = typed_request (desk);
  const char *pins[] = { token->pin };
  PinAnswers answers = { .pins = pins };
  g_autoptr(GError) error = NULL;

  g_assert_false (tirkeu_new_request_get_can_sign (request));
  g_assert_nonnull (tirkeu_new_request_get_journal_error (request));
  g_assert_false (send (desk, request, &answers, &error));
  g_assert_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_OPEN);
  g_assert_cmpuint (answers.asked, ==, 0);
  g_assert_cmpuint (sandbox_count (desk, NULL), ==, 0);
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_EDITING);

  finalize_request (g_steal_pointer (&request));
  desk_free (desk);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  token = token_fixture_new ();

  g_test_add_func ("/desk-request/send", test_send);
  g_test_add_func ("/desk-request/sync-while-pin-asked", test_sync_while_pin_asked);
  g_test_add_func ("/desk-request/resume-created", test_resume_created);
  g_test_add_func ("/desk-request/withdraw-created", test_withdraw_created);
  g_test_add_func ("/desk-request/no-journal", test_no_journal);

  status = g_test_run ();
  token_fixture_free (token);
  return status;
}
