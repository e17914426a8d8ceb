/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TirkeuNewRequest, the new-request controller, as the app and the CLI drive it: the SoftHSM
 * token of tests/fixtures/make-token.sh and the in-process sandbox over real TLS, no widget.
 *
 * A created request that is not signed stays sendable (a sync that stored it while the PIN
 * was asked, a wrong PIN, a PIN dialog cancelled) and can be withdrawn; without a journal
 * nothing is created or signed. */
#include "config.h"

#include "test-sandbox-util.h"
#include "test-desk-fixture.h"
#include "test-token-fixture.h"
#include "tirkeu-config.h"
#include "tirkeu-new-request.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-sandbox.h"
#include "tirkeu-signing-payload.h"
#include "tirkeu-store-error.h"
#include "tirkeu-test-time.h"

static TokenFixture *token;

#define VIN "XTA210743S0000120"
#define BUYER_IIN "850312300121"
#define CONTRACT "DKP-2025-000120"

static Desk *
desk_new_with_fault (gboolean                  with_journal,
                     TirkeuSandboxPayloadFault wrong_payload)
{
  return desk_new_signed_in (token, with_journal, wrong_payload);
}

static Desk *
desk_new (gboolean with_journal)
{
  return desk_new_with_fault (with_journal, TIRKEU_SANDBOX_PAYLOAD_RIGHT);
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

  tirkeu_new_request_list_drafts_async (desk->journal, NULL, desk_store_result_cb, &result);
  drafts = tirkeu_new_request_list_drafts_finish (desk_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return drafts;
}

/* How a test answers the PIN: the PINs to give in turn (NULL: cancel), and what it saw. With
 * @sync_before_pin the answer waits until the portal created the request and a sync round
 * stored it; with @hold it never comes. */
typedef struct
{
  Desk        *desk;
  const char **pins;
  guint        asked;
  guint        withdrawn;
  char        *last_message;
  gboolean     sync_before_pin;
  gboolean     expire_before_pin;
  gboolean     hold;
  gboolean     deferred;
  guint        pin_delay_ms;
  TirkeuNewRequest *request;
} PinAnswers;

static void
answer (TirkeuNewRequest *request,
        PinAnswers       *answers)
{
  const char *pin = answers->pins[answers->asked - 1];

  if (pin != NULL)
    tirkeu_new_request_give_pin (request, pin);
  else
    tirkeu_new_request_cancel_pin (request);
}

static void
pin_needed_cb (TirkeuNewRequest  *request,
               TirkeuCertificate *certificate,
               const char        *message,
               PinAnswers        *answers)
{
  TirkeuNewRequestState state = tirkeu_new_request_get_state (request);

  answers->asked++;
  g_assert_true (TIRKEU_IS_CERTIFICATE (certificate));
  /* asked while the portal creates the request, or once it did */
  g_assert_true (state == TIRKEU_NEW_REQUEST_STATE_CREATING
                 || state == TIRKEU_NEW_REQUEST_STATE_AWAITING_PIN);
  g_free (answers->last_message);
  answers->last_message = g_strdup (message);

  if (answers->hold)
    return;
  if (answers->sync_before_pin || answers->expire_before_pin)
    {
      answers->deferred = TRUE;
      return;
    }
  answer (request, answers);
}

static void
pin_withdrawn_cb (TirkeuNewRequest *request,
                  PinAnswers       *answers)
{
  answers->withdrawn++;
}

/* What a sync round does while the PIN dialog is open: it stores the request the portal
 * created (contract_found, with its Idempotency-Key) among the requests. */
static void
sync_created (PinAnswers       *answers,
              TirkeuNewRequest *request)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TirkeuRequest) created = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  tirkeu_portal_client_get_request_async (answers->desk->client,
                                          tirkeu_new_request_get_draft (request)->portal_id,
                                          NULL, desk_store_result_cb, &result);
  created = tirkeu_portal_client_get_request_finish (answers->desk->client,
                                                     desk_wait_for_result (&result), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_request_get_stage (created), ==, TIRKEU_STAGE_CONTRACT_FOUND);
  g_ptr_array_add (batch, g_steal_pointer (&created));
  g_assert_true (tirkeu_journal_upsert_requests_sync (answers->desk->journal, batch, NULL,
                                                      NULL, &error));
  g_assert_no_error (error);
}

/* The portal ends every session now (the sandbox's /admin/sessions/expire). */
static void
expire_sessions (Desk *desk)
{
  g_autoptr(SoupSession) session = sb_session_new (tirkeu_sandbox_get_ca_file (desk->sandbox));
  g_autoptr(SbAnswer) answer = sb_call (session, tirkeu_sandbox_get_url (desk->sandbox), "POST",
                                        "/admin/sessions/expire", NULL, NULL, NULL);

  sb_answer_ok (answer, 200);
}

static gboolean
send (Desk              *desk,
      TirkeuNewRequest  *request,
      PinAnswers        *answers,
      GError           **error)
{
  g_autoptr(TirkeuCertificate) certificate = sign_certificate (desk);
  g_autoptr(GAsyncResult) result = NULL;
  gulong needed, withdrawn;
  gboolean done;

  answers->desk = desk;
  needed = g_signal_connect (request, "pin-needed", G_CALLBACK (pin_needed_cb), answers);
  withdrawn = g_signal_connect (request, "pin-withdrawn", G_CALLBACK (pin_withdrawn_cb), answers);
  tirkeu_new_request_send_async (request, certificate, NULL, desk_store_result_cb, &result);
  while (result == NULL)
    {
      g_main_context_iteration (NULL, TRUE);
      if (answers->deferred && tirkeu_new_request_get_request (request) != NULL
          && tirkeu_new_request_get_state (request) == TIRKEU_NEW_REQUEST_STATE_AWAITING_PIN)
        {
          answers->deferred = FALSE;
          if (answers->sync_before_pin)
            sync_created (answers, request);
          if (answers->expire_before_pin)
            expire_sessions (desk);
          answer (request, answers);
        }
    }
  done = tirkeu_new_request_send_finish (request, result, error);
  g_signal_handler_disconnect (request, needed);
  g_signal_handler_disconnect (request, withdrawn);
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

/* The portal ends the session while the PIN is asked, the request created. The signature
 * goes to the portal, which refuses it for the ended session; no PIN the person just gave
 * can sign in again, so the desk is signed out and says so, and the signed request waits in
 * the outbox (the send ends as queued). Signed in again, the outbox sends it at once: one
 * request on the portal. It used to wait an hour, as if the portal had refused the request,
 * and the send ended as not sent, its Sign button live again. */
static void
test_session_ends_while_pin_asked (void)
{
  Desk *desk = desk_new (TRUE);
  g_autoptr(TirkeuNewRequest) request = typed_request (desk);
  const char *pins[] = { token->pin };
  PinAnswers answers = { .pins = pins, .expire_before_pin = TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TirkeuCertificate) auth = NULL;

  g_assert_false (send (desk, request, &answers, &error));
  g_test_message ("send: %s", error->message);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_SESSION_EXPIRED);
  g_assert_cmpint (tirkeu_session_get_state (desk->session), ==, TIRKEU_SESSION_STATE_EXPIRED);
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_QUEUED);
  g_assert_cmpuint (sandbox_count (desk, "contract_found"), ==, 1);
  g_clear_error (&error);

  /* The person signs in again; the outbox sends what it holds. */
  auth = g_object_ref (tirkeu_session_get_certificate (desk->session));
  tirkeu_session_sign_in_async (desk->session, auth, token->pin, NULL, desk_store_result_cb,
                                &result);
  g_assert_true (tirkeu_session_sign_in_finish (desk->session, desk_wait_for_result (&result),
                                                &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  while (tirkeu_new_request_get_state (request) != TIRKEU_NEW_REQUEST_STATE_SENT)
    g_main_context_iteration (NULL, TRUE);
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
  /* Cancelled while the portal created it: the request still comes back to the draft. */
  while (tirkeu_new_request_get_draft (request)->portal_id == NULL)
    g_main_context_iteration (NULL, TRUE);

  tirkeu_new_request_withdraw_async (request, NULL, desk_store_result_cb, &result);
  g_assert_true (tirkeu_new_request_withdraw_finish (request, desk_wait_for_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_WITHDRAWN);
  g_assert_cmpuint (sandbox_count (desk, "withdrawn"), ==, 1);
  drafts = list_drafts (desk);
  g_assert_cmpuint (drafts->len, ==, 0);

  /* The same draft resumed anyway (an older list, another window): nothing to sign. */
  {
    g_autoptr(TirkeuNewRequest) stale = tirkeu_new_request_new (desk->session,
                                                               tirkeu_new_request_get_draft (request));

    answers = (PinAnswers) { .pins = right, .hold = TRUE };
    g_assert_false (send (desk, stale, &answers, &error));
    g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_CONFLICT);
    g_clear_error (&error);
    /* the PIN asked meanwhile is no longer wanted */
    g_assert_cmpuint (answers.withdrawn, ==, answers.asked);
    g_assert_cmpuint (sandbox_count (desk, NULL), ==, 1);
    g_assert_cmpint (tirkeu_new_request_get_state (stale), ==, TIRKEU_NEW_REQUEST_STATE_WITHDRAWN);
    finalize_request (g_steal_pointer (&stale));
  }

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

/* What you see is what you sign: a portal that asks to sign the sale of another vehicle (or
 * to another buyer, or another contract) gets no PIN asked and no signature. */
/* The PIN typed while the portal creates the request is not used for another sale either. */
static void
test_payload_mismatch_pin_given (void)
{
  Desk *desk = desk_new_with_fault (TRUE, TIRKEU_SANDBOX_PAYLOAD_OTHER_VIN);
  g_autoptr(TirkeuNewRequest) request = typed_request (desk);
  const char *pins[] = { token->pin };
  PinAnswers answers = { .pins = pins };
  g_autoptr(GError) error = NULL;

  g_assert_false (send (desk, request, &answers, &error));
  g_assert_error (error, TIRKEU_SIGNING_PAYLOAD_ERROR, TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_VIN);
  g_assert_cmpuint (answers.asked, ==, 1);
  g_assert_cmpuint (sandbox_count (desk, "contract_found"), ==, 1);
  g_assert_cmpuint (sandbox_count (desk, NULL), ==, 1);

  g_free (answers.last_message);
  finalize_request (g_steal_pointer (&request));
  desk_free (desk);
}

static void
test_payload_mismatch (gconstpointer data)
{
  TirkeuSandboxPayloadFault fault = GPOINTER_TO_INT (data);
  Desk *desk = desk_new_with_fault (TRUE, fault);
  g_autoptr(TirkeuNewRequest) request = typed_request (desk);
  const char *pins[] = { token->pin };
  PinAnswers answers = { .pins = pins, .hold = TRUE };
  g_autoptr(GError) error = NULL;
  static const TirkeuSigningPayloadError codes[] = {
    [TIRKEU_SANDBOX_PAYLOAD_OTHER_VIN] = TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_VIN,
    [TIRKEU_SANDBOX_PAYLOAD_OTHER_BUYER] = TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_BUYER,
    [TIRKEU_SANDBOX_PAYLOAD_OTHER_CONTRACT] = TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_CONTRACT,
  };

  g_assert_false (send (desk, request, &answers, &error));
  g_assert_error (error, TIRKEU_SIGNING_PAYLOAD_ERROR, (int) codes[fault]);
  g_test_message ("refused: %s", error->message);
  /* The PIN was asked while the portal created the request; its payload refused, the PIN is
   * no longer wanted and nothing is signed. */
  g_assert_cmpuint (answers.asked, ==, 1);
  g_assert_cmpuint (answers.withdrawn, ==, 1);
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_EDITING);
  /* created, never signed: nothing was sent */
  g_assert_cmpuint (sandbox_count (desk, "contract_found"), ==, 1);
  g_assert_cmpuint (sandbox_count (desk, NULL), ==, 1);

  finalize_request (g_steal_pointer (&request));
  desk_free (desk);
}

/* One honest deadline: the send is one action, every call included. */

/* Turns the sandbox's faults on after the sign-in, as `POST /admin/faults` does. */
static void
set_faults (Desk       *desk,
            const char *json)
{
  g_autoptr(SoupSession) session = sb_session_new (tirkeu_sandbox_get_ca_file (desk->sandbox));
  g_autoptr(SbAnswer) answer = sb_call (session, tirkeu_sandbox_get_url (desk->sandbox), "POST",
                                        "/admin/faults", NULL, NULL, json);

  sb_answer_ok (answer, 200);
}

/* The sandbox's latency fault. These tests' times (latencies, deadlines, bounds) all scale
 * alike with the sanitized check (tirkeu-test-time.h), so each checks the same thing. */
static void
set_latency (Desk  *desk,
             guint  ms)
{
  g_autofree char *json = g_strdup_printf ("{\"latency_ms\": %u}", tirkeu_test_scale_ms (ms));

  set_faults (desk, json);
}

#define S(ms) ((gint64) tirkeu_test_scale_ms (ms))

/* The number in "…within N ms". */
static guint
said_ms (const char *message)
{
  const char *within = strstr (message, "within ");

  g_assert_nonnull (within);
  return (guint) g_ascii_strtoull (within + strlen ("within "), NULL, 10);
}

/* Each call answers inside its own bound (2 s of a 3 s bound), but the send's two portal
 * calls together would hold the clerk 4 s: the send ends when its one deadline (the time of
 * one call) is up, during the submit. The signed request is then in the outbox, which goes on
 * submitting it by itself: queued, never dropped, and it arrives. */
static void
test_deadline_queued (void)
{
  Desk *desk = desk_new (TRUE);
  g_autoptr(TirkeuNewRequest) request = typed_request (desk);
  const char *pins[] = { token->pin };
  PinAnswers answers = { .pins = pins };
  g_autoptr(GError) error = NULL;
  gint64 started, elapsed_ms;

  while (!checks_done (request))
    g_main_context_iteration (NULL, TRUE);
  tirkeu_portal_client_set_timeout_ms (desk->client, S (3000));
  set_latency (desk, 2000);

  started = g_get_monotonic_time ();
  g_assert_true (send (desk, request, &answers, &error));
  g_assert_no_error (error);
  elapsed_ms = (g_get_monotonic_time () - started) / 1000;
  g_test_message ("the send ended after %" G_GINT64_FORMAT " ms", elapsed_ms);
  g_assert_cmpint (elapsed_ms, >=, S (3000));
  g_assert_cmpint (elapsed_ms, <, S (3900));
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_QUEUED);
  g_assert_cmpuint (tirkeu_outbox_get_n_pending (tirkeu_session_get_outbox (desk->session)), ==, 1);

  /* the outbox's own submission, never cancelled by the send's deadline */
  while (tirkeu_new_request_get_state (request) != TIRKEU_NEW_REQUEST_STATE_SENT)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (sandbox_count (desk, "awaiting_buyer"), ==, 1);
  g_assert_cmpuint (sandbox_count (desk, NULL), ==, 1);

  set_latency (desk, 0);
  g_free (answers.last_message);
  finalize_request (g_steal_pointer (&request));
  desk_free (desk);
}

/* The OCSP check (at a slow address that does not answer OCSP: the desk goes on, as set) and
 * the create each answer inside their own 2 s bound, 1.5 s each: the send's one deadline ends
 * it before anything is signed, and the message says the time really waited. The draft keeps
 * its key. */
static void
test_deadline_before_signing (void)
{
  Desk *desk = desk_new (TRUE);
  g_autoptr(TirkeuNewRequest) request = typed_request (desk);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tirkeu.Tirkeu");
  g_autoptr(TirkeuConfig) config = NULL;
  g_autofree char *slow_ocsp = g_strconcat (tirkeu_sandbox_get_url (desk->sandbox),
                                            "/api/v1/no-ocsp-here", NULL);
  const char *pins[] = { token->pin };
  PinAnswers answers = { .pins = pins };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  gint64 started, elapsed_ms;

  /* the token's CA: the issuer is known, so the responder is asked */
  g_settings_set_string (settings, "ca-certificates", token->ca_file);
  g_settings_set_string (settings, "ocsp-url", slow_ocsp);
  g_settings_set_string (settings, "ocsp-unreachable", "continue");
  config = tirkeu_config_new (settings);
  tirkeu_new_request_set_config (request, config);
  while (!checks_done (request))
    g_main_context_iteration (NULL, TRUE);
  tirkeu_portal_client_set_timeout_ms (desk->client, S (2000));
  set_latency (desk, 1500);

  started = g_get_monotonic_time ();
  g_assert_false (send (desk, request, &answers, &error));
  elapsed_ms = (g_get_monotonic_time () - started) / 1000;
  g_test_message ("the send ended after %" G_GINT64_FORMAT " ms: %s", elapsed_ms,
                  error != NULL ? error->message : "(no error)");
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT);
  g_assert_cmpint (elapsed_ms, >=, S (2000));
  g_assert_cmpint (elapsed_ms, <, S (2900));
  /* the time the clerk waited, not one call's bound */
  g_assert_cmpuint (said_ms (error->message), >=, S (2000));
  g_assert_cmpuint (said_ms (error->message), <=, elapsed_ms);
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_EDITING);
  g_assert_cmpuint (sandbox_count (desk, "awaiting_buyer"), ==, 0);
  drafts = list_drafts (desk);
  g_assert_cmpuint (drafts->len, ==, 1);
  g_assert_cmpstr (((TirkeuDraft *) g_ptr_array_index (drafts, 0))->idempotency_key, ==,
                   tirkeu_new_request_get_draft (request)->idempotency_key);

  set_latency (desk, 0);
  g_settings_reset (settings, "ca-certificates");
  g_settings_reset (settings, "ocsp-url");
  g_settings_reset (settings, "ocsp-unreachable");
  g_free (answers.last_message);
  finalize_request (g_steal_pointer (&request));
  desk_free (desk);
}

static gboolean
give_pin_later_cb (gpointer user_data)
{
  PinAnswers *answers = user_data;

  tirkeu_new_request_give_pin (answers->request, answers->pins[0]);
  return G_SOURCE_REMOVE;
}

static void
pin_needed_later_cb (TirkeuNewRequest  *request,
                     TirkeuCertificate *certificate,
                     const char        *message,
                     PinAnswers        *answers)
{
  answers->request = request;
  g_timeout_add (answers->pin_delay_ms, give_pin_later_cb, answers);
}

/* The person's time at the PIN prompt is not the portal's: a PIN typed after longer than the
 * whole deadline still signs and sends. */
static void
test_deadline_pin_time (void)
{
  Desk *desk = desk_new (TRUE);
  g_autoptr(TirkeuNewRequest) request = typed_request (desk);
  const char *pins[] = { token->pin };
  PinAnswers answers = { .pins = pins, .hold = TRUE,
                        .pin_delay_ms = S (2500) };
  g_autoptr(GError) error = NULL;
  gulong later;

  while (!checks_done (request))
    g_main_context_iteration (NULL, TRUE);
  tirkeu_portal_client_set_timeout_ms (desk->client, S (1500));
  later = g_signal_connect (request, "pin-needed", G_CALLBACK (pin_needed_later_cb), &answers);
  g_assert_true (send (desk, request, &answers, &error));
  g_assert_no_error (error);
  g_signal_handler_disconnect (request, later);
  g_assert_cmpuint (answers.asked, ==, 1);
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_SENT);
  g_assert_cmpuint (sandbox_count (desk, "awaiting_buyer"), ==, 1);

  g_free (answers.last_message);
  finalize_request (g_steal_pointer (&request));
  desk_free (desk);
}

/* The desk's Cancel (a plain cancellable) stops the send's action and the call under way. */
static void
test_deadline_cancel (void)
{
  Desk *desk = desk_new (TRUE);
  g_autoptr(TirkeuNewRequest) request = typed_request (desk);
  g_autoptr(TirkeuCertificate) certificate = sign_certificate (desk);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;

  while (!checks_done (request))
    g_main_context_iteration (NULL, TRUE);
  set_latency (desk, 5000);
  started = g_get_monotonic_time ();
  tirkeu_new_request_send_async (request, certificate, cancellable, desk_store_result_cb, &result);
  g_timeout_add_once (S (300), (GSourceOnceFunc) g_cancellable_cancel, cancellable);
  g_assert_false (tirkeu_new_request_send_finish (request, desk_wait_for_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint ((g_get_monotonic_time () - started) / 1000, <, S (2000));
  g_assert_cmpint (tirkeu_new_request_get_state (request), ==, TIRKEU_NEW_REQUEST_STATE_EDITING);
  g_clear_object (&result);

  set_latency (desk, 0);
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
  g_test_add_func ("/desk-request/session-ends-while-pin-asked",
                   test_session_ends_while_pin_asked);
  g_test_add_func ("/desk-request/withdraw-created", test_withdraw_created);
  g_test_add_func ("/desk-request/no-journal", test_no_journal);
  g_test_add_func ("/desk-request/payload-for-another-vin-pin-given", test_payload_mismatch_pin_given);
  g_test_add_data_func ("/desk-request/payload-for-another-vin",
                        GINT_TO_POINTER (TIRKEU_SANDBOX_PAYLOAD_OTHER_VIN), test_payload_mismatch);
  g_test_add_data_func ("/desk-request/payload-for-another-buyer",
                        GINT_TO_POINTER (TIRKEU_SANDBOX_PAYLOAD_OTHER_BUYER), test_payload_mismatch);
  g_test_add_data_func ("/desk-request/payload-for-another-contract",
                        GINT_TO_POINTER (TIRKEU_SANDBOX_PAYLOAD_OTHER_CONTRACT),
                        test_payload_mismatch);
  g_test_add_func ("/desk-request/deadline/queued", test_deadline_queued);
  g_test_add_func ("/desk-request/deadline/before-signing", test_deadline_before_signing);
  g_test_add_func ("/desk-request/deadline/pin-time", test_deadline_pin_time);
  g_test_add_func ("/desk-request/deadline/cancel", test_deadline_cancel);

  status = g_test_run ();
  token_fixture_free (token);
  return status;
}
