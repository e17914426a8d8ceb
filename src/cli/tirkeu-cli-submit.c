/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tirkeu-cli submit, resume, unfinished, withdraw: step 9 through the desk's own objects.
 *
 * `submit` drives the same #TirkeuNewRequest as the app, with the same journal and outbox:
 * the draft with its Idempotency-Key is in the journal before the portal is asked to create
 * the request, and the signed request is in the outbox before it is submitted. A command
 * killed at any moment is finished by running it again: the outbox is sent first, a request
 * the journal already holds for the same sale is reported as done, and an unfinished draft
 * for the same VIN, buyer and contract is resumed with its key (so the portal finds the
 * request it made, and the VIN is never blocked by a copy). `unfinished` lists what waits,
 * `resume` finishes one, `withdraw` gives up a created (or submitted) request.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-certificate-choice.h"
#include "tirkeu-cli.h"
#include "tirkeu-cli-error.h"
#include "tirkeu-i18n.h"
#include "tirkeu-iin.h"
#include "tirkeu-new-request.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-token-error.h"
#include "tirkeu-vin.h"

/* ------------------------------------------------------------------------------------------ */
/* Waiting: the CLI iterates the default main context until the awaited result arrives.      */

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

/* ------------------------------------------------------------------------------------------ */
/* A desk run: the journal, and when the portal is needed, a signed-in session over it       */

typedef struct
{
  const TirkeuCliOptions *options;
  TirkeuJournal          *journal;
  TirkeuPortalClient     *client;
  TirkeuTokenManager     *tokens;
  TirkeuSession          *session;
  TirkeuCliPin           *pin;
  const char             *certificate_id;   /* --cert: the SIGN certificate named */
} DeskRun;

/* The journal's writes run on its own thread and hold the journal until they are done: the
 * command ends only once the journal let go, so that nothing the outbox or the controller
 * wrote last (a confirmation, a withdrawn request) is lost with the process. */
static void
desk_run_clear (DeskRun *run)
{
  gpointer journal = run->journal;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  if (journal != NULL)
    g_object_add_weak_pointer (journal, &journal);
  g_clear_object (&run->session);
  g_clear_object (&run->tokens);
  g_clear_object (&run->client);
  g_clear_object (&run->journal);
  g_clear_pointer (&run->pin, tirkeu_cli_pin_free);
  while (journal != NULL && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  if (journal != NULL)
    {
      g_object_remove_weak_pointer (journal, &journal);
      g_printerr (_("tirkeu-cli: the local journal was still busy when the command ended.\n"));
    }
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DeskRun, desk_run_clear)

static gboolean
desk_run_open_journal (DeskRun                 *run,
                       const TirkeuCliOptions  *options,
                       GError                 **error)
{
  run->options = options;
  run->journal = tirkeu_journal_new_sync (NULL, NULL, error);
  return run->journal != NULL;
}

/* The session the app uses, over the same journal: the portal session of an earlier command
 * or a sign-in with the token. The PIN a sign-in read is kept for signing (it cannot be read
 * twice from --pin-fd); after a resumed session it is read only when the token asks. */
static gboolean
desk_run_sign_in (DeskRun  *run,
                  GError  **error)
{
  run->session = tirkeu_cli_session_open (run->options, run->journal, TRUE, &run->pin, error);
  if (run->session == NULL)
    return FALSE;
  run->client = g_object_ref (tirkeu_session_get_client (run->session));
  run->tokens = g_object_ref (tirkeu_session_get_tokens (run->session));
  return TRUE;
}

/* Every signed request the outbox still holds goes now, whatever its next retry time: a
 * command killed after it signed is finished by the next one. */
static void
desk_run_send_outbox (DeskRun *run)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) entries = NULL;
  g_autoptr(GError) error = NULL;
  GVariantIter iter;
  const char *key, *last_error, *draft_id;
  GVariant *record;
  guint attempts;
  gint64 next_attempt_at;

  tirkeu_journal_list_outbox_due_async (run->journal, G_MAXINT64, NULL, store_result_cb, &result);
  entries = tirkeu_journal_list_outbox_due_finish (run->journal, wait_for_result (&result), &error);
  if (entries == NULL)
    {
      g_autofree char *why = tirkeu_cli_error_describe (error);

      /* Translators: %s is the app's own sentence for the error, then its Details */
      g_printerr (_("tirkeu-cli: the outbox could not be read: %s\n"), why);
      return;
    }
  g_variant_iter_init (&iter, entries);
  while (g_variant_iter_next (&iter, "(&s@a{sv}u&sx&s)", &key, &record, &attempts, &last_error,
                              &next_attempt_at, &draft_id))
    {
      g_autoptr(GVariant) owned = record;
      g_autoptr(TirkeuRequest) request = tirkeu_request_new_from_variant (record, NULL);
      g_autoptr(TirkeuRequest) confirmed = NULL;
      g_autoptr(GAsyncResult) sent = NULL;
      g_autoptr(GError) send_error = NULL;

      if (request == NULL || tirkeu_request_get_portal_id (request) == NULL
          || tirkeu_request_get_seller_signature (request) == NULL)
        continue;
      tirkeu_outbox_send_async (tirkeu_session_get_outbox (run->session), request,
                                *draft_id != '\0' ? draft_id : NULL,
                                tirkeu_cli_get_action (run->options), store_result_cb, &sent);
      confirmed = tirkeu_outbox_send_finish (tirkeu_session_get_outbox (run->session),
                                             wait_for_result (&sent), &send_error);
      if (confirmed == NULL && !run->options->json)
        {
          g_autofree char *why = tirkeu_cli_error_describe (send_error);

          /* Translators: %s is the app's own sentence for why it was not sent, then its
           * Details */
          g_printerr (_("tirkeu-cli: a signed request stays in the outbox: %s\n"), why);
        }
    }
}

/* The outbox first, then the sale: a portal session that ended meanwhile (the outbox's
 * calls found it so, and no PIN was at hand to open another) is opened again with the PIN
 * this command reads now, and what the outbox still holds goes with it. */
static gboolean
desk_run_send_outbox_signed_in (DeskRun  *run,
                                GError  **error)
{
  desk_run_send_outbox (run);
  if (tirkeu_session_get_state (run->session) == TIRKEU_SESSION_STATE_SIGNED_IN)
    return TRUE;
  if (!tirkeu_cli_session_sign_in (run->options, run->session, &run->pin, error))
    return FALSE;
  desk_run_send_outbox (run);
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Output                                                                                     */

/* What this run found of the signer's certificate (OCSP) and whether the signature carries
 * a timestamp (CAdES-T). */
static void
add_signing_json (JsonBuilder      *builder,
                  TirkeuNewRequest *controller)
{
  gboolean checked = FALSE;
  TirkeuCertificateCheckStatus status =
    tirkeu_new_request_get_certificate_status (controller, &checked);

  tirkeu_cli_json_add_string (builder, "certificate_status",
                              checked ? tirkeu_certificate_check_status_to_id (status) : NULL);
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_boolean_value (builder, tirkeu_new_request_get_timestamped (controller));
}

static void
print_signing (TirkeuNewRequest *controller)
{
  gboolean checked = FALSE;
  TirkeuCertificateCheckStatus status =
    tirkeu_new_request_get_certificate_status (controller, &checked);

  if (checked)
    /* Translators: the signer's certificate status by OCSP, e.g. "Valid, not revoked" */
    g_print (_("  Certificate status (OCSP): %s\n"),
             tirkeu_certificate_check_status_to_string (status));
  g_print ("  %s\n", tirkeu_new_request_get_timestamped (controller)
                      ? _("Signature timestamped (CAdES-T).")
                      : _("Signature without a timestamp (CAdES-BES)."));
}

static void
print_request (const TirkeuCliOptions *options,
               TirkeuRequest          *request,
               const char             *idempotency_key,
               TirkeuNewRequestState   state,
               TirkeuNewRequest       *signed_by)
{
  TirkeuStage stage = tirkeu_request_get_stage (request);
  g_autofree char *buyer = tirkeu_request_get_buyer_iin (request) != NULL
                           ? tirkeu_iin_mask (tirkeu_request_get_buyer_iin (request)) : NULL;

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      tirkeu_cli_json_add_string (builder, "id", tirkeu_request_get_portal_id (request));
      tirkeu_cli_json_add_string (builder, "stage", tirkeu_stage_to_string (stage));
      tirkeu_cli_json_add_string (builder, "idempotency_key", idempotency_key);
      json_builder_set_member_name (builder, "queued");
      json_builder_add_boolean_value (builder, state == TIRKEU_NEW_REQUEST_STATE_QUEUED);
      tirkeu_cli_json_add_string (builder, "vin", tirkeu_request_get_vin (request));
      tirkeu_cli_json_add_string (builder, "buyer_iin", buyer);
      tirkeu_cli_json_add_string (builder, "buyer_name", tirkeu_request_get_buyer_name (request));
      if (signed_by != NULL)
        add_signing_json (builder, signed_by);
      json_builder_end_object (builder);
      tirkeu_cli_print_json_builder (builder);
      return;
    }

  /* Translators: request id, then its stage */
  g_print (_("Request %s: %s\n"), tirkeu_request_get_portal_id (request),
           tirkeu_catalogue_stage_title (stage));
  if (state == TIRKEU_NEW_REQUEST_STATE_QUEUED)
    g_print ("  %s\n", _("Signed; kept in the outbox until the portal confirms it."));
  /* Translators: the Idempotency-Key that finds this request again on the portal */
  g_print (_("  Key %s\n"), idempotency_key);
  if (!tirkeu_stage_is_final (stage))
    g_print (_("  Next: %s\n"), tirkeu_catalogue_stage_next (stage));
  if (signed_by != NULL)
    print_signing (signed_by);
}

/* The portal's refusals in the catalogue's words, with the portal's own text. */
static int
report_error (const TirkeuCliOptions *options,
              const GError           *error,
              const char             *idempotency_key)
{
  int status;

  if (error->domain == TIRKEU_PORTAL_ERROR && tirkeu_portal_code_is_wire (error->code))
    {
      g_autoptr(GError) worded = NULL;
      const char *portal_text = tirkeu_portal_error_get_message (error,
                                                                 tirkeu_i18n_get_language ());

      worded = g_error_new (TIRKEU_PORTAL_ERROR, error->code, "%s%s%s",
                            tirkeu_catalogue_code_title (error->code),
                            portal_text != NULL ? ": " : "", portal_text != NULL ? portal_text : "");
      status = tirkeu_cli_report_error (options, worded);
    }
  else
    status = tirkeu_cli_report_error (options, error);

  if (idempotency_key != NULL && !options->json)
    g_printerr (_("The request is kept with the key %s: run the same command again, or "
                  "“tirkeu-cli resume %s”, to finish it.\n"), idempotency_key, idempotency_key);
  return status;
}

/* ------------------------------------------------------------------------------------------ */
/* Finding what a command continues                                                          */

static GPtrArray *
list_drafts (DeskRun  *run,
             GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_new_request_list_drafts_async (run->journal, NULL, store_result_cb, &result);
  return tirkeu_new_request_list_drafts_finish (wait_for_result (&result), error);
}

static char *
normalized_vin (const char *text)
{
  g_autofree char *normalized = tirkeu_vin_normalize (text != NULL ? text : "");
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  TirkeuVinInfo info;

  if (!tirkeu_vin_parse (normalized, (guint) g_date_time_get_year (now), &info, NULL))
    return NULL;
  return g_strdup (info.vin);
}

static char *
normalized_iin (const char *text)
{
  g_autofree char *normalized = tirkeu_iin_normalize (text != NULL ? text : "");
  TirkeuIinInfo info;

  if (!tirkeu_iin_parse (normalized, &info, NULL))
    return NULL;
  return g_strdup (info.iin);
}

/* The unfinished draft of this sale, if a run before this one left it. */
static TirkeuDraft *
find_draft (GPtrArray  *drafts,
            const char *key,
            const char *vin,
            const char *buyer_iin,
            const char *contract)
{
  for (guint i = 0; i < drafts->len; i++)
    {
      TirkeuDraft *draft = g_ptr_array_index (drafts, i);
      g_autofree char *draft_vin = NULL;
      g_autofree char *draft_iin = NULL;

      if (key != NULL)
        {
          if (g_strcmp0 (draft->idempotency_key, key) == 0 || g_strcmp0 (draft->id, key) == 0
              || (draft->portal_id != NULL && g_strcmp0 (draft->portal_id, key) == 0))
            return tirkeu_draft_copy (draft);
          continue;
        }
      draft_vin = normalized_vin (draft->vin);
      draft_iin = normalized_iin (draft->buyer_iin);
      if (g_strcmp0 (draft_vin, vin) == 0 && g_strcmp0 (draft_iin, buyer_iin) == 0
          && g_strcmp0 (draft->contract_number, contract) == 0)
        return tirkeu_draft_copy (draft);
    }
  return NULL;
}

/* A request of this sale the journal holds past the seller's signature and not ended: it was
 * submitted already (by a run that was killed before it could say so). */
static TirkeuRequest *
find_submitted (DeskRun    *run,
                const char *vin,
                const char *buyer_iin,
                const char *contract)
{
  g_autoptr(GPtrArray) requests = tirkeu_journal_list_requests_sync (run->journal, NULL, NULL);

  for (guint i = 0; requests != NULL && i < requests->len; i++)
    {
      TirkeuRequest *request = g_ptr_array_index (requests, i);
      TirkeuStage stage = tirkeu_request_get_stage (request);
      const TirkeuContract *request_contract = tirkeu_request_get_contract (request);

      if (!tirkeu_stage_awaits_signature (stage) && !tirkeu_stage_is_final (stage)
          && g_strcmp0 (tirkeu_request_get_vin (request), vin) == 0
          && g_strcmp0 (tirkeu_request_get_buyer_iin (request), buyer_iin) == 0
          && request_contract != NULL && g_strcmp0 (request_contract->number, contract) == 0)
        return g_object_ref (request);
    }
  return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Sending a draft                                                                            */

typedef struct
{
  DeskRun    *run;
  guint       asked;
  char       *refused;
  GError     *read_error;
} PinAnswer;

static void
pin_needed_cb (TirkeuNewRequest  *request,
               TirkeuCertificate *certificate,
               const char        *error_message,
               PinAnswer         *answer)
{
  DeskRun *run = answer->run;

  /* The PIN typed for this command, once: a refused PIN is not tried again. It is read now,
   * when the token asks for it, unless the sign-in read it; the controller copies it into
   * the token's job, so ours is wiped at once instead of living until the command ends. */
  if (answer->asked++ == 0)
    {
      if (run->pin == NULL)
        run->pin = tirkeu_cli_read_pin (run->options, _("PIN of the EDS token: "),
                                        &answer->read_error);
      if (run->pin == NULL)
        {
          tirkeu_new_request_cancel_pin (request);
          return;
        }
      tirkeu_new_request_give_pin (request, run->pin);
      g_clear_pointer (&run->pin, tirkeu_cli_pin_free);
      return;
    }
  g_free (answer->refused);
  answer->refused = g_strdup (error_message);
  tirkeu_new_request_cancel_pin (request);
}

/* What went otherwise but did not stop the request: the certificate's status unchecked, the
 * timestamp missing. On stderr, so that --json output stays one object. */
static void
notice_cb (TirkeuNewRequest       *controller,
           const char             *notice,
           const TirkeuCliOptions *options)
{
  g_printerr ("tirkeu-cli: %s\n", notice);
}

static int
send_draft (DeskRun           *run,
            const TirkeuDraft *draft)
{
  g_autoptr(TirkeuNewRequest) controller = NULL;
  g_autoptr(TirkeuCertificate) certificate = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PinAnswer answer = { run, 0, NULL, NULL };
  gboolean done;
  int status;

  TirkeuCertificate *auth = tirkeu_session_get_certificate (run->session);
  const TirkeuPortalSeller *seller = tirkeu_session_get_seller (run->session);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  /* Signed out since (the portal ended the session): the session's own words say so. */
  if (seller == NULL)
    {
      error = tirkeu_session_get_error (run->session) != NULL
              ? g_error_copy (tirkeu_session_get_error (run->session))
              : g_error_new_literal (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_SESSION_EXPIRED,
                                     _("Signed out: the portal session ended. Enter the PIN "
                                       "to sign in again."));
      return report_error (run->options, error, draft->idempotency_key);
    }

  /* Chosen before the portal is asked: a token that cannot sign for this seller leaves no
   * request waiting on the portal. The one named with --cert, under the same rules, or the
   * signed-in person's own key, as in the app. */
  if (run->certificate_id != NULL)
    certificate = tirkeu_certificate_choose_by_id (tirkeu_session_get_certificates (run->session),
                                                   run->certificate_id,
                                                   TIRKEU_SIGN_PURPOSE_REQUEST,
                                                   seller->bin, now, &error);
  else
    certificate = tirkeu_certificate_choose (tirkeu_session_get_certificates (run->session),
                                             TIRKEU_SIGN_PURPOSE_REQUEST,
                                             seller->bin,
                                             auth != NULL ? tirkeu_certificate_get_iin (auth) : NULL,
                                             now, &error);
  if (certificate == NULL)
    return report_error (run->options, error, NULL);
  {
    g_autofree char *warning = tirkeu_certificate_dup_warning (certificate, now);

    /* The 30-day warning of `sign` and of the app's review page. */
    if (warning != NULL && !run->options->json)
      g_printerr ("%s\n", warning);
  }

  controller = tirkeu_new_request_new (run->session, draft);
  g_signal_connect (controller, "pin-needed", G_CALLBACK (pin_needed_cb), &answer);
  g_signal_connect (controller, "notice", G_CALLBACK (notice_cb), (gpointer) run->options);
  if (!run->options->json && draft->portal_id != NULL)
    g_printerr (_("Resuming request %s, created earlier and not yet signed.\n"), draft->portal_id);
  tirkeu_new_request_send_async (controller, certificate, tirkeu_cli_get_action (run->options),
                                 store_result_cb, &result);
  done = tirkeu_new_request_send_finish (controller, wait_for_result (&result), &error);
  g_clear_object (&result);
  if (!done)
    {
      if (answer.read_error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&error);
          error = g_steal_pointer (&answer.read_error);
        }
      else if (answer.refused != NULL
               && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&error);
          error = g_error_new_literal (TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_INCORRECT,
                                       answer.refused);
        }
      /* Refused before anything was created or signed: nothing is kept to resume. */
      if (g_error_matches (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE_REVOKED)
          || g_error_matches (error, TIRKEU_TOKEN_ERROR,
                              TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNKNOWN)
          || g_error_matches (error, TIRKEU_TOKEN_ERROR,
                              TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNCHECKED))
        status = report_error (run->options, error,
                               draft->portal_id != NULL ? draft->idempotency_key : NULL);
      else
        status = report_error (run->options, error, draft->idempotency_key);
    }
  else
    {
      print_request (run->options, tirkeu_new_request_get_request (controller),
                     draft->idempotency_key, tirkeu_new_request_get_state (controller),
                     controller);
      status = TIRKEU_CLI_EXIT_DONE;
    }
  g_free (answer.refused);
  g_clear_error (&answer.read_error);
  /* The checks the controller started from the draft end before it is let go. */
  while (tirkeu_new_request_get_checking (controller))
    g_main_context_iteration (NULL, TRUE);
  return status;
}

/* ------------------------------------------------------------------------------------------ */
/* submit --vin V --buyer-iin I --contract N [--idempotency-key K]                            */

int
tirkeu_cli_run_submit (TirkeuCliOptions  *options,
                       int                argc,
                       char             **argv)
{
  g_auto(DeskRun) run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(TirkeuDraft) draft = NULL;
  g_autoptr(TirkeuRequest) submitted = NULL;
  g_autofree char *vin = NULL;
  g_autofree char *buyer_iin = NULL;
  g_autofree char *contract = NULL;
  g_autofree char *key = NULL;
  g_autofree char *checked_vin = NULL;
  g_autofree char *checked_iin = NULL;
  g_autofree char *certificate_id = NULL;
  const GOptionEntry entries[] = {
    { "vin", 0, 0, G_OPTION_ARG_STRING, &vin, N_("The vehicle's VIN"), N_("VIN") },
    { "buyer-iin", 0, 0, G_OPTION_ARG_STRING, &buyer_iin, N_("The buyer's IIN"), N_("IIN") },
    { "contract", 0, 0, G_OPTION_ARG_STRING, &contract,
      N_("The number of the sale-purchase contract"), N_("NUMBER") },
    { "idempotency-key", 0, 0, G_OPTION_ARG_STRING, &key,
      N_("A UUID that makes a repeated submit find the request made the first time"),
      N_("UUID") },
    { "cert", 0, 0, G_OPTION_ARG_STRING, &certificate_id,
      N_("Id of the SIGN certificate to sign with, as “tirkeu-cli tokens” shows it "
         "(default: the signed-in person’s, valid longest)"), N_("ID") },
    G_OPTION_ENTRY_NULL
  };

  if (!tirkeu_cli_parse_command (options, entries, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (argc != 1 || vin == NULL || buyer_iin == NULL || contract == NULL || *contract == '\0')
    return tirkeu_cli_usage_error (options, argv[0]);
  run.certificate_id = certificate_id;
  if (key != NULL && !g_uuid_string_is_valid (key))
    {
      g_set_error (&error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                   _("--idempotency-key must be a UUID."));
      return tirkeu_cli_report_error (options, error);
    }
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autofree char *normalized = tirkeu_vin_normalize (vin);
    TirkeuVinInfo vin_info;
    TirkeuIinInfo iin_info;

    if (!tirkeu_vin_parse (normalized, g_date_time_get_year (now), &vin_info, &error) ||
        !tirkeu_iin_parse (buyer_iin, &iin_info, &error))
      return tirkeu_cli_report_error (options, error);
    checked_vin = g_strdup (vin_info.vin);
    checked_iin = g_strdup (iin_info.iin);
  }

  if (!desk_run_open_journal (&run, options, &error))
    return tirkeu_cli_report_error (options, error);
  if (!desk_run_sign_in (&run, &error) || !desk_run_send_outbox_signed_in (&run, &error))
    return report_error (options, error, NULL);

  drafts = list_drafts (&run, &error);
  if (drafts == NULL)
    return tirkeu_cli_report_error (options, error);
  draft = find_draft (drafts, key, checked_vin, checked_iin, contract);
  if (key == NULL && (draft == NULL || draft->portal_id == NULL))
    {
      submitted = find_submitted (&run, checked_vin, checked_iin, contract);
      if (submitted != NULL)
        {
          /* A draft of this sale that the portal never created, beside the request already
           * submitted: made by a run that did not find the request yet (it still waited in
           * the outbox). Sent, it would ask the portal for the sale a second time; it goes,
           * and the submitted request is the answer. */
          if (draft != NULL)
            {
              g_autoptr(GAsyncResult) deleted = NULL;
              g_autoptr(GError) delete_error = NULL;

              tirkeu_journal_delete_draft_async (run.journal, draft->id, NULL, store_result_cb,
                                                 &deleted);
              if (!tirkeu_journal_delete_draft_finish (run.journal, wait_for_result (&deleted),
                                                       &delete_error))
                g_printerr (_("tirkeu-cli: the local journal was not updated: %s\n"),
                            delete_error->message);
            }
          print_request (options, submitted, tirkeu_request_get_idempotency_key (submitted),
                         TIRKEU_NEW_REQUEST_STATE_SENT, NULL);
          return TIRKEU_CLI_EXIT_DONE;
        }
    }
  if (draft == NULL)
    {
      draft = tirkeu_draft_new (NULL);
      if (key != NULL)
        {
          g_free (draft->idempotency_key);
          draft->idempotency_key = g_strdup (key);
        }
      g_free (draft->vin);
      draft->vin = g_strdup (checked_vin);
      g_free (draft->buyer_iin);
      draft->buyer_iin = g_strdup (checked_iin);
      draft->contract_number = g_strdup (contract);
    }
  else
    {
      g_autofree char *draft_vin = normalized_vin (draft->vin);
      g_autofree char *draft_iin = normalized_iin (draft->buyer_iin);

      /* A key names one sale: the same key with other values would be refused by the portal
       * as a conflict, or sign the old sale under the new command. */
      if (g_strcmp0 (draft_vin, checked_vin) != 0 || g_strcmp0 (draft_iin, checked_iin) != 0
          || g_strcmp0 (draft->contract_number, contract) != 0)
        {
          g_set_error (&error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                       _("The key %s belongs to an unfinished request for another sale (see "
                         "“tirkeu-cli unfinished”)."), draft->idempotency_key);
          return tirkeu_cli_report_error (options, error);
        }
      if (!options->json)
        g_printerr (_("Continuing the unfinished request with the key %s.\n"),
                    draft->idempotency_key);
    }

  return send_draft (&run, draft);
}

/* ------------------------------------------------------------------------------------------ */
/* resume KEY                                                                                 */

int
tirkeu_cli_run_resume (TirkeuCliOptions  *options,
                       int                argc,
                       char             **argv)
{
  g_auto(DeskRun) run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(TirkeuDraft) draft = NULL;

  if (!tirkeu_cli_parse_command (options, NULL, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (argc != 2)
    return tirkeu_cli_usage_error (options, argv[0]);

  if (!desk_run_open_journal (&run, options, &error))
    return tirkeu_cli_report_error (options, error);
  drafts = list_drafts (&run, &error);
  if (drafts == NULL)
    return tirkeu_cli_report_error (options, error);
  draft = find_draft (drafts, argv[1], NULL, NULL, NULL);
  if (draft == NULL)
    {
      g_set_error (&error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                   _("No unfinished request has the key, draft or id %s (see “tirkeu-cli "
                     "unfinished”)."), argv[1]);
      return tirkeu_cli_report_error (options, error);
    }
  if (!desk_run_sign_in (&run, &error) || !desk_run_send_outbox_signed_in (&run, &error))
    return report_error (options, error, NULL);
  return send_draft (&run, draft);
}

/* ------------------------------------------------------------------------------------------ */
/* unfinished: the journal, offline                                                           */

int
tirkeu_cli_run_unfinished (TirkeuCliOptions  *options,
                           int                argc,
                           char             **argv)
{
  g_auto(DeskRun) run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) outbox = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GVariantIter iter;
  const char *key, *last_error, *draft_id;
  GVariant *record;
  guint attempts;
  gint64 next_attempt_at;

  if (!tirkeu_cli_parse_command (options, NULL, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (argc != 1)
    return tirkeu_cli_usage_error (options, argv[0]);

  if (!desk_run_open_journal (&run, options, &error))
    return tirkeu_cli_report_error (options, error);
  drafts = list_drafts (&run, &error);
  if (drafts == NULL)
    return tirkeu_cli_report_error (options, error);
  tirkeu_journal_list_outbox_due_async (run.journal, G_MAXINT64, NULL, store_result_cb, &result);
  outbox = tirkeu_journal_list_outbox_due_finish (run.journal, wait_for_result (&result), &error);
  if (outbox == NULL)
    return tirkeu_cli_report_error (options, error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "drafts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < drafts->len; i++)
    {
      TirkeuDraft *draft = g_ptr_array_index (drafts, i);
      g_autofree char *masked = tirkeu_iin_mask (draft->buyer_iin);

      if (options->json)
        {
          json_builder_begin_object (builder);
          tirkeu_cli_json_add_string (builder, "draft", draft->id);
          tirkeu_cli_json_add_string (builder, "idempotency_key", draft->idempotency_key);
          tirkeu_cli_json_add_string (builder, "id", draft->portal_id);
          tirkeu_cli_json_add_string (builder, "vin", draft->vin);
          tirkeu_cli_json_add_string (builder, "buyer_iin", masked);
          tirkeu_cli_json_add_string (builder, "contract", draft->contract_number);
          json_builder_end_object (builder);
        }
      else if (draft->portal_id != NULL)
        /* Translators: a request the portal created that waits for the seller's signature */
        g_print (_("Created, not signed: request %s, VIN %s, contract %s, key %s\n"),
                 draft->portal_id, draft->vin, draft->contract_number != NULL
                 ? draft->contract_number : "—", draft->idempotency_key);
      else
        g_print (_("Draft: VIN %s, contract %s, key %s\n"),
                 *draft->vin != '\0' ? draft->vin : "—",
                 draft->contract_number != NULL ? draft->contract_number : "—",
                 draft->idempotency_key);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "outbox");
  json_builder_begin_array (builder);
  g_variant_iter_init (&iter, outbox);
  while (g_variant_iter_next (&iter, "(&s@a{sv}u&sx&s)", &key, &record, &attempts, &last_error,
                              &next_attempt_at, &draft_id))
    {
      g_autoptr(GVariant) owned = record;
      g_autoptr(TirkeuRequest) request = tirkeu_request_new_from_variant (record, NULL);
      const char *portal_id = request != NULL ? tirkeu_request_get_portal_id (request) : NULL;

      if (options->json)
        {
          json_builder_begin_object (builder);
          tirkeu_cli_json_add_string (builder, "idempotency_key", key);
          tirkeu_cli_json_add_string (builder, "id", portal_id);
          json_builder_set_member_name (builder, "attempts");
          json_builder_add_int_value (builder, attempts);
          json_builder_end_object (builder);
        }
      else
        g_print (_("Signed, waiting in the outbox: request %s, key %s, %u attempts\n"),
                 portal_id != NULL ? portal_id : "—", key, attempts);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (options->json)
    tirkeu_cli_print_json_builder (builder);
  else if (drafts->len == 0 && g_variant_n_children (outbox) == 0)
    g_print ("%s\n", _("Nothing is unfinished."));
  return TIRKEU_CLI_EXIT_DONE;
}

/* ------------------------------------------------------------------------------------------ */
/* withdraw ID|KEY                                                                            */

int
tirkeu_cli_run_withdraw (TirkeuCliOptions  *options,
                         int                argc,
                         char             **argv)
{
  g_auto(DeskRun) run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(TirkeuDraft) draft = NULL;
  g_autoptr(TirkeuNewRequest) controller = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  if (!tirkeu_cli_parse_command (options, NULL, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (argc != 2)
    return tirkeu_cli_usage_error (options, argv[0]);

  if (!desk_run_open_journal (&run, options, &error))
    return tirkeu_cli_report_error (options, error);
  drafts = list_drafts (&run, &error);
  if (drafts == NULL)
    return tirkeu_cli_report_error (options, error);
  draft = find_draft (drafts, argv[1], NULL, NULL, NULL);
  if (draft != NULL && draft->portal_id == NULL)
    {
      g_set_error (&error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                   _("The portal has not created this request: nothing to withdraw."));
      return tirkeu_cli_report_error (options, error);
    }
  if (draft == NULL)
    {
      /* A submitted request, by its portal id. */
      draft = tirkeu_draft_new (NULL);
      draft->portal_id = g_strdup (argv[1]);
    }
  if (!desk_run_sign_in (&run, &error))
    return report_error (options, error, NULL);
  /* withdrawing signs nothing: a PIN the sign-in read is not kept */
  g_clear_pointer (&run.pin, tirkeu_cli_pin_free);

  controller = tirkeu_new_request_new (run.session, draft);
  tirkeu_new_request_withdraw_async (controller, tirkeu_cli_get_action (options),
                                     store_result_cb, &result);
  if (!tirkeu_new_request_withdraw_finish (controller, wait_for_result (&result), &error))
    return report_error (options, error, NULL);
  g_clear_object (&result);
  print_request (options, tirkeu_new_request_get_request (controller),
                 tirkeu_request_get_idempotency_key (tirkeu_new_request_get_request (controller)),
                 TIRKEU_NEW_REQUEST_STATE_WITHDRAWN, NULL);
  while (tirkeu_new_request_get_checking (controller))
    g_main_context_iteration (NULL, TRUE);
  return TIRKEU_CLI_EXIT_DONE;
}
