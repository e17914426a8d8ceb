/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tirkeu-cli vehicle, person, contracts, status, requests, sync: the portal (submit and the
 * other commands of step 9: tirkeu-cli-submit.c).
 *
 * Every command but `requests` talks to the portal given by --portal-url (its CA by
 * --ca-file) through the desk's session, as the app does: it signs in with the EDS token
 * (--pkcs11-module) — the AUTH certificate signs the portal's challenge — with the PIN read
 * from --pin-fd or the terminal, never from the command line, and keeps the portal session
 * for the next commands (tirkeu_cli_session_open()); `sign-out` forgets it. `status` and
 * `sync` record what they learn in the local journal; `requests` lists the journal without
 * going online.
 *
 * Exit status (tirkeu-cli.h): 0 done, 1 refused (the input, or the portal said no: a check
 * that stops the request counts), 2 usage, 3 network or TLS, 4 token or PIN, 5 internal.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-certificate-check.h"
#include "tirkeu-cli.h"
#include "tirkeu-cli-error.h"
#include "tirkeu-error.h"
#include "tirkeu-format.h"
#include "tirkeu-i18n.h"
#include "tirkeu-iin.h"
#include "tirkeu-journal.h"
#include "tirkeu-portal-client.h"
#include "tirkeu-certificate-choice.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-session.h"
#include "tirkeu-session-cache.h"
#include "tirkeu-sync.h"
#include "tirkeu-token-error.h"
#include "tirkeu-token-manager.h"
#include "tirkeu-vin.h"

/* ------------------------------------------------------------------------------------------ */
/* Waiting: the CLI is synchronous; it iterates the default main context, where the portal
 * client and the token manager deliver their results, until the one awaited arrives. */

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

/* The certificate's status by OCSP before it signs in (and so before a token's PIN is asked):
 * revoked or unknown stops here with its own message, as an unanswered check does when the
 * settings say so; otherwise the outcome is said on stderr and the command goes on. */
static gboolean
check_certificate (const TirkeuCliOptions  *options,
                   TirkeuPortalClient      *client,
                   TirkeuCertificate       *certificate,
                   GError                 **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GDateTime) revoked_at = NULL;
  g_autoptr(GError) check_error = NULL;
  TirkeuCertificateCheckStatus status;

  tirkeu_certificate_check_async (NULL, client, certificate, NULL, store_result_cb, &result);
  status = tirkeu_certificate_check_finish (wait_for_result (&result), &revoked_at, &check_error);
  switch (status)
    {
    case TIRKEU_CERTIFICATE_CHECK_GOOD:
      if (!options->json)
        /* Translators: %s is the status, e.g. "Valid, not revoked" */
        g_printerr (_("Certificate status (OCSP): %s\n"),
                    tirkeu_certificate_check_status_to_string (status));
      return TRUE;
    case TIRKEU_CERTIFICATE_CHECK_REVOKED:
      if (revoked_at != NULL)
        {
          g_autoptr(GDateTime) local = g_date_time_to_local (revoked_at);
          g_autofree char *date = tirkeu_format_date (local);

          g_set_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE_REVOKED,
                       /* Translators: %s is a date, 23.11.2027 */
                       _("The certificate was revoked by the certification authority on %s: it "
                         "can no longer sign. Get a new key from the national certification "
                         "authority (NCA)"), date);
        }
      else
        g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE_REVOKED,
                             tirkeu_token_error_to_message (
                               TIRKEU_TOKEN_ERROR_CERTIFICATE_REVOKED));
      return FALSE;
    case TIRKEU_CERTIFICATE_CHECK_UNKNOWN:
      g_set_error_literal (error, TIRKEU_TOKEN_ERROR,
                           TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNKNOWN,
                           tirkeu_token_error_to_message (
                             TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNKNOWN));
      return FALSE;
    case TIRKEU_CERTIFICATE_CHECK_UNREACHABLE:
    default:
      if (tirkeu_certificate_check_should_stop (NULL))
        {
          TirkeuTokenError code = TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNCHECKED;

          g_set_error (error, TIRKEU_TOKEN_ERROR, code, "%s (%s)",
                       tirkeu_token_error_to_message (code), check_error->message);
          return FALSE;
        }
      g_printerr (_("tirkeu-cli: the certificate's status could not be checked (%s); going "
                    "on, as the settings allow.\n"), check_error->message);
      return TRUE;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* A signed-in run: the desk's session, as the app has it                                     */

/**
 * tirkeu_cli_session_sign_in:
 * @options: the global options (--pin-fd)
 * @session: a session whose token is listed or loading
 * @pin: (inout): the PIN this command read already, or %NULL to read it now (it is then
 *   returned here, for signing; free it right after its last use)
 * @error: a %TIRKEU_TOKEN_ERROR or %TIRKEU_PORTAL_ERROR
 *
 * Signs @session in with the token's AUTH key (tirkeu_certificate_choose()), checked by OCSP
 * first, and keeps the portal session for the commands that follow
 * (tirkeu_session_remember()).
 *
 * Returns: %TRUE once signed in
 */
gboolean
tirkeu_cli_session_sign_in (const TirkeuCliOptions  *options,
                            TirkeuSession           *session,
                            TirkeuCliPin           **pin,
                            GError                 **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(TirkeuCertificate) auth = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) cache_error = NULL;

  /* Listed once the token is: wait for its certificates. */
  while (tirkeu_session_get_state (session) < TIRKEU_SESSION_STATE_TOKEN_PRESENT)
    g_main_context_iteration (NULL, TRUE);
  auth = tirkeu_certificate_choose (tirkeu_session_get_certificates (session),
                                    TIRKEU_SIGN_PURPOSE_SIGN_IN, NULL, NULL, now, error);
  if (auth == NULL)
    return FALSE;
  if (!check_certificate (options, tirkeu_session_get_client (session), auth, error))
    return FALSE;
  if (*pin == NULL)
    *pin = tirkeu_cli_read_pin (options, _("PIN of the EDS token: "), error);
  if (*pin == NULL)
    return FALSE;
  tirkeu_session_sign_in_async (session, auth, *pin, tirkeu_cli_get_action (options),
                                store_result_cb, &result);
  if (!tirkeu_session_sign_in_finish (session, wait_for_result (&result), error))
    return FALSE;
  /* Not kept is not an error: the next command signs in again. */
  if (!tirkeu_session_remember (session, &cache_error))
    g_printerr (_("tirkeu-cli: the portal session is not kept for the next command: %s\n"),
                cache_error->message);
  return TRUE;
}

/**
 * tirkeu_cli_session_open:
 * @options: the global options (--portal-url, --ca-file, --pkcs11-module, --pin-fd)
 * @journal: (nullable): the journal whose outbox the session sends through
 * @with_token: %TRUE when the command will sign with the token (submit): the token is
 *   loaded even when no sign-in is needed; the PIN is not read for that (read it when the
 *   token asks for it)
 * @pin: (out) (optional) (nullable): the PIN, when a sign-in read one: free it right after
 *   its last use
 * @error: a %TIRKEU_CLI_ERROR, %TIRKEU_TOKEN_ERROR or %TIRKEU_PORTAL_ERROR
 *
 * The desk's #TirkeuSession for one command: the portal session of an earlier command if it
 * is still open (tirkeu_session_resume_async(): no PIN, no token), else a sign-in with the
 * token's AUTH key (tirkeu_certificate_choose()) and the PIN, kept for the commands that
 * follow (tirkeu_session_remember()). A series of commands thus signs in once.
 *
 * Returns: (transfer full) (nullable): a signed-in session
 */
TirkeuSession *
tirkeu_cli_session_open (const TirkeuCliOptions  *options,
                         TirkeuJournal           *journal,
                         gboolean                 with_token,
                         TirkeuCliPin           **pin,
                         GError                 **error)
{
  g_autoptr(TirkeuPortalClient) client = NULL;
  g_autoptr(TirkeuTokenManager) tokens = NULL;
  g_autoptr(TirkeuSession) session = NULL;
  g_autoptr(TirkeuCliPin) read_pin = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) resume_error = NULL;
  gboolean resumed;

  if (options->portal_url == NULL)
    {
      g_set_error_literal (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                           _("This command needs the portal: give --portal-url."));
      return NULL;
    }
  client = tirkeu_portal_client_new (options->portal_url, options->ca_file, error);
  if (client == NULL)
    return NULL;
  if (options->key_file != NULL)
    {
      /* --key-file: that file alone, no module. Its password comes first (the file's
       * certificate is encrypted too); the manager then lists the file as a token, and the
       * session sees it as one. The password is also what signs in and signs. */
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (options->key_file);
      g_autofree char *name = g_path_get_basename (options->key_file);
      g_autofree char *prompt = g_strdup_printf (_("Password of the key file “%s”: "), name);
      g_autoptr(TirkeuTokenInfo) key_file = NULL;

      read_pin = tirkeu_cli_read_pin (options, prompt, error);
      if (read_pin == NULL)
        return NULL;
      tokens = tirkeu_token_manager_new_for_key_files ();
      tirkeu_token_manager_add_key_file_async (tokens, file, read_pin, NULL, store_result_cb,
                                               &result);
      key_file = tirkeu_token_manager_add_key_file_finish (tokens, wait_for_result (&result),
                                                           error);
      g_clear_object (&result);
      if (key_file == NULL)
        return NULL;
    }
  else
    tokens = tirkeu_token_manager_new (options->pkcs11_module);
  /* a one-shot command: no presence polling */
  tirkeu_token_manager_set_poll_interval (tokens, 0);
  session = tirkeu_session_new (tokens, client);
  if (journal != NULL)
    tirkeu_session_set_journal (session, journal);

  /* The token first when the command signs with it: a resumed session must not outrun
   * the token's listing, which would then take it for "no token yet". */
  if (with_token)
    {
      tirkeu_session_start (session);
      while (tirkeu_session_get_state (session) == TIRKEU_SESSION_STATE_LOADING)
        g_main_context_iteration (NULL, TRUE);
    }

  tirkeu_session_resume_async (session, tirkeu_cli_get_action (options), store_result_cb,
                               &result);
  resumed = tirkeu_session_resume_finish (session, wait_for_result (&result), &resume_error);
  g_clear_object (&result);
  if (!resumed && !g_error_matches (resume_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_debug ("The stored portal session is not used: %s", resume_error->message);

  if (!resumed || with_token)
    {
      if (!with_token)
        {
          tirkeu_session_start (session);
          while (tirkeu_session_get_state (session) == TIRKEU_SESSION_STATE_LOADING)
            g_main_context_iteration (NULL, TRUE);
        }
      if (tirkeu_session_get_token (session) == NULL)
        {
          if (tirkeu_session_get_error (session) != NULL)
            *error = g_error_copy (tirkeu_session_get_error (session));
          else
            g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NO_TOKEN,
                                 _("No EDS token is inserted."));
          return NULL;
        }
    }

  if (!resumed)
    {
      if (!tirkeu_cli_session_sign_in (options, session, &read_pin, error))
        return NULL;
    }
  else if (with_token)
    {
      while (tirkeu_session_get_state (session) < TIRKEU_SESSION_STATE_SIGNED_IN)
        g_main_context_iteration (NULL, TRUE);
    }

  if (!options->json && tirkeu_portal_client_get_is_sandbox (client))
    /* Translators: the sandbox portal used for tests, demos and staff training */
    g_printerr ("%s\n", _("Training portal: nothing done here is real."));

  if (pin != NULL)
    *pin = g_steal_pointer (&read_pin);
  return g_steal_pointer (&session);
}

typedef struct
{
  TirkeuSession      *session;
  TirkeuPortalClient *client;   /* the session's */
} PortalRun;

static void
portal_run_clear (PortalRun *run)
{
  run->client = NULL;
  g_clear_object (&run->session);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PortalRun, portal_run_clear)

static gboolean
portal_run_open (PortalRun               *run,
                 const TirkeuCliOptions  *options,
                 GError                 **error)
{
  run->session = tirkeu_cli_session_open (options, NULL, FALSE, NULL, error);
  if (run->session == NULL)
    return FALSE;
  run->client = tirkeu_session_get_client (run->session);
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Output helpers                                                                             */

static void
add_text (JsonBuilder            *builder,
          const char             *member,
          const TirkeuPortalText *text)
{
  json_builder_set_member_name (builder, member);
  if (text->en == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  tirkeu_cli_json_add_string (builder, "kk", text->kk);
  tirkeu_cli_json_add_string (builder, "ru", text->ru);
  tirkeu_cli_json_add_string (builder, "en", text->en);
  json_builder_end_object (builder);
}

/* The e-passport's colour, body type and engine for --json: under "colour", "body" and
 * "engine" as the e-passport system spells them (what scripts read before the portal gave
 * languages), under "colour_text", "body_text" and "engine_text" in the output's language,
 * picked now as "refusal_text" is. */
static void
add_vehicle_texts (JsonBuilder         *builder,
                   const TirkeuVehicle *vehicle,
                   const char          *language)
{
  tirkeu_cli_json_add_string (builder, "colour", vehicle->colour);
  tirkeu_cli_json_add_string (builder, "colour_text",
                              tirkeu_vehicle_pick_colour (vehicle, language));
  tirkeu_cli_json_add_string (builder, "body", vehicle->body_type);
  tirkeu_cli_json_add_string (builder, "body_text",
                              tirkeu_vehicle_pick_body_type (vehicle, language));
  tirkeu_cli_json_add_string (builder, "engine", vehicle->engine_model);
  tirkeu_cli_json_add_string (builder, "engine_text",
                              tirkeu_vehicle_pick_engine (vehicle, language));
}

/* The e-passport's details in the output's language, one line each, for the lines they
 * have; @with_colour for output that did not name the colour already. */
static void
print_vehicle_details (const TirkeuVehicle *vehicle,
                       const char          *language,
                       gboolean             with_colour)
{
  const char *colour = tirkeu_vehicle_pick_colour (vehicle, language);
  const char *body = tirkeu_vehicle_pick_body_type (vehicle, language);
  const char *engine = tirkeu_vehicle_pick_engine (vehicle, language);

  if (with_colour && colour != NULL)
    /* Translators: the vehicle's colour as the e-passport gives it */
    g_print (_("  Colour: %s\n"), colour);
  if (body != NULL)
    /* Translators: the body type as the e-passport gives it, e.g. «седан» */
    g_print (_("  Body type: %s\n"), body);
  if (engine != NULL)
    /* Translators: the e-passport's engine summary, e.g. «2,5 л, бензин, 149 кВт» */
    g_print (_("  Engine: %s\n"), engine);
}

/* ISO 8601, for --json only: people read tirkeu_format_gdate()'s 23.11.2027. */
static char *
format_date_iso (const GDate *date)
{
  char text[16];

  if (!g_date_valid (date))
    return NULL;
  g_date_strftime (text, sizeof text, "%Y-%m-%d", date);
  return g_strdup (text);
}

/* @customs: customs payments (ru платежи, plural), else the utilization fee (ru платёж,
 * masculine): the word agrees with either in Russian. */
static const char *
payment_text (TirkeuPortalPayment payment,
              gboolean            customs)
{
  switch (payment)
    {
    case TIRKEU_PORTAL_PAYMENT_PAID:
      return customs ? C_("customs payments", "paid") : C_("utilization fee", "paid");
    case TIRKEU_PORTAL_PAYMENT_UNPAID:
      return customs ? C_("customs payments", "unpaid") : C_("utilization fee", "unpaid");
    case TIRKEU_PORTAL_PAYMENT_NO_DATA:
    default:
      return _("no payment data");
    }
}

/* A refusal the portal gave inside an answer (a check that stopped at a step), reported as the
 * portal error it is: tirkeu_cli_error_describe() words it from the code, and adds the
 * portal's own text, which the answer gave in the interface language. */
static int
report_refusal (const TirkeuCliOptions *options,
                TirkeuPortalCode        code,
                const char             *portal_text)
{
  const char *language = tirkeu_i18n_get_language ();
  g_autoptr(GError) error = NULL;

  error = tirkeu_portal_error_new_from_portal (code, 0,
                                               g_str_equal (language, "kk") ? portal_text : NULL,
                                               g_str_equal (language, "ru") ? portal_text : NULL,
                                               g_str_equal (language, "en") ? portal_text : NULL,
                                               NULL);
  return tirkeu_cli_report_error (options, error);
}

/* A portal error: tirkeu_cli_report_error() words it from its code (its message is the
 * portal's English), with the portal's own text in the interface language. */
static int
report_error (const TirkeuCliOptions *options,
              const GError           *error)
{
  return tirkeu_cli_report_error (options, error);
}

static char *
masked_iin (const char *iin)
{
  return iin != NULL ? tirkeu_iin_mask (iin) : NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* vehicle VIN                                                                                */

int
tirkeu_cli_run_vehicle (TirkeuCliOptions  *options,
                        int                argc,
                        char             **argv)
{
  g_auto(PortalRun) run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TirkeuPortalVehicleCheck) check = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  TirkeuVinInfo vin_info;
  const char *language = tirkeu_i18n_get_language ();

  if (!tirkeu_cli_parse_command (options, NULL, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (argc != 2)
    return tirkeu_cli_usage_error (options, argv[0]);

  /* A VIN that cannot exist is refused here, before the PIN is asked for. */
  if (!tirkeu_vin_parse (argv[1], g_date_time_get_year (now), &vin_info, &error))
    return tirkeu_cli_report_error (options, error);

  if (!portal_run_open (&run, options, &error))
    return report_error (options, error);

  tirkeu_portal_client_check_vehicle_async (run.client, vin_info.vin,
                                            tirkeu_cli_get_action (options), store_result_cb,
                                            &result);
  check = tirkeu_portal_client_check_vehicle_finish (run.client, wait_for_result (&result),
                                                     &error);
  if (check == NULL)
    return report_error (options, error);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autofree char *issued = format_date_iso (&check->epassport_issued_on);

      json_builder_begin_object (builder);
      tirkeu_cli_json_add_string (builder, "vin", check->vin);
      json_builder_set_member_name (builder, "epassport");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "found");
      json_builder_add_boolean_value (builder, check->epassport_found);
      if (check->vehicle != NULL)
        {
          tirkeu_cli_json_add_string (builder, "number", check->vehicle->epassport_number);
          tirkeu_cli_json_add_string (builder, "make", check->vehicle->make);
          tirkeu_cli_json_add_string (builder, "model", check->vehicle->model);
          json_builder_set_member_name (builder, "year");
          json_builder_add_int_value (builder, check->vehicle->year);
          add_vehicle_texts (builder, check->vehicle, language);
          tirkeu_cli_json_add_string (builder, "category", check->vehicle->category);
          tirkeu_cli_json_add_string (builder, "issued_at", issued);
        }
      json_builder_end_object (builder);
      tirkeu_cli_json_add_string (builder, "customs", tirkeu_portal_payment_to_string (check->customs));
      tirkeu_cli_json_add_string (builder, "utilization", tirkeu_portal_payment_to_string (check->utilization));
      json_builder_set_member_name (builder, "stopped_at");
      if (check->stopped_at_step == 0)
        json_builder_add_null_value (builder);
      else
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "step");
          json_builder_add_int_value (builder, check->stopped_at_step);
          tirkeu_cli_json_add_string (builder, "code", tirkeu_portal_code_to_string (check->stopped_code));
          add_text (builder, "message", &check->stopped_message);
          json_builder_end_object (builder);
        }
      json_builder_end_object (builder);
      tirkeu_cli_print_json_builder (builder);
    }
  else
    {
      g_print (_("VIN: %s\n"), check->vin);
      if (check->vehicle != NULL)
        {
          const char *colour = tirkeu_vehicle_pick_colour (check->vehicle, language);

          /* Translators: step 3; then make, model, year, colour, category */
          g_print (_("Step 3, electronic vehicle passport: found, %s %s %u, %s, %s\n"),
                   check->vehicle->make != NULL ? check->vehicle->make : "",
                   check->vehicle->model != NULL ? check->vehicle->model : "",
                   check->vehicle->year, colour != NULL ? colour : "",
                   check->vehicle->category != NULL ? check->vehicle->category : "");
          print_vehicle_details (check->vehicle, language, FALSE);
        }
      else
        g_print ("%s\n", _("Step 3, electronic vehicle passport: not found"));
      g_print (_("Step 4, customs payment: %s\n"), payment_text (check->customs, TRUE));
      g_print (_("Step 5, utilization fee: %s\n"), payment_text (check->utilization, FALSE));
      if (check->stopped_at_step == 0)
        g_print ("%s\n", _("The vehicle passes steps 3 to 5."));
    }

  if (check->stopped_at_step != 0)
    {
      if (options->json)
        return TIRKEU_CLI_EXIT_REFUSED;
      return report_refusal (options, check->stopped_code,
                             tirkeu_portal_text_get (&check->stopped_message, language));
    }

  return TIRKEU_CLI_EXIT_DONE;
}

/* ------------------------------------------------------------------------------------------ */
/* person IIN                                                                                 */

static const char *
person_status_text (TirkeuPortalPersonStatus status)
{
  switch (status)
    {
    case TIRKEU_PORTAL_PERSON_ACTIVE:
      return _("active");
    case TIRKEU_PORTAL_PERSON_DECEASED:
      return _("deceased");
    case TIRKEU_PORTAL_PERSON_INVALIDATED:
    default:
      /* Translators: the IIN was invalidated in the state database of individuals */
      return _("invalidated");
    }
}

int
tirkeu_cli_run_person (TirkeuCliOptions  *options,
                       int                argc,
                       char             **argv)
{
  g_auto(PortalRun) run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TirkeuPortalPerson) person = NULL;
  g_autofree char *masked = NULL;
  TirkeuIinInfo iin_info;

  if (!tirkeu_cli_parse_command (options, NULL, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (argc != 2)
    return tirkeu_cli_usage_error (options, argv[0]);

  if (!tirkeu_iin_parse (argv[1], &iin_info, &error))
    return tirkeu_cli_report_error (options, error);

  if (!portal_run_open (&run, options, &error))
    return report_error (options, error);

  tirkeu_portal_client_check_person_async (run.client, argv[1], tirkeu_cli_get_action (options),
                                           store_result_cb, &result);
  person = tirkeu_portal_client_check_person_finish (run.client, wait_for_result (&result),
                                                     &error);
  if (person == NULL)
    return report_error (options, error);

  masked = masked_iin (person->iin);
  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      tirkeu_cli_json_add_string (builder, "iin", masked);
      tirkeu_cli_json_add_string (builder, "status", tirkeu_portal_person_status_to_string (person->status));
      tirkeu_cli_json_add_string (builder, "full_name", person->full_name);
      json_builder_end_object (builder);
      tirkeu_cli_print_json_builder (builder);
    }
  else
    {
      g_print (_("IIN: %s\n"), masked);
      g_print (_("Full name: %s\n"), person->full_name);
      g_print (_("Status in the state database of individuals: %s\n"),
               person_status_text (person->status));
    }

  /* Only an active person may buy: POST /requests refuses the others. */
  if (person->status != TIRKEU_PORTAL_PERSON_ACTIVE)
    {
      if (options->json)
        return TIRKEU_CLI_EXIT_REFUSED;
      return report_refusal (options, TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND, NULL);
    }

  return TIRKEU_CLI_EXIT_DONE;
}

/* ------------------------------------------------------------------------------------------ */
/* contracts VIN IIN                                                                          */

int
tirkeu_cli_run_contracts (TirkeuCliOptions  *options,
                          int                argc,
                          char             **argv)
{
  g_auto(PortalRun) run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) contracts = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  TirkeuVinInfo vin_info;
  TirkeuIinInfo iin_info;

  if (!tirkeu_cli_parse_command (options, NULL, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (argc != 3)
    return tirkeu_cli_usage_error (options, argv[0]);

  if (!tirkeu_vin_parse (argv[1], g_date_time_get_year (now), &vin_info, &error) ||
      !tirkeu_iin_parse (argv[2], &iin_info, &error))
    return tirkeu_cli_report_error (options, error);

  if (!portal_run_open (&run, options, &error))
    return report_error (options, error);

  tirkeu_portal_client_find_contracts_async (run.client, vin_info.vin, argv[2],
                                             tirkeu_cli_get_action (options),
                                             store_result_cb, &result);
  contracts = tirkeu_portal_client_find_contracts_finish (run.client, wait_for_result (&result),
                                                          &error);
  if (contracts == NULL)
    return report_error (options, error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "contracts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < contracts->len; i++)
    {
      TirkeuPortalContract *contract = g_ptr_array_index (contracts, i);
      g_autofree char *date = format_date_iso (&contract->contract->date);
      g_autofree char *price = tirkeu_contract_format_price (contract->contract->price_tiyn);
      g_autofree char *buyer = masked_iin (contract->buyer_iin);

      if (options->json)
        {
          json_builder_begin_object (builder);
          tirkeu_cli_json_add_string (builder, "number", contract->contract->number);
          tirkeu_cli_json_add_string (builder, "date", date);
          tirkeu_cli_json_add_string (builder, "price", price);
          tirkeu_cli_json_add_string (builder, "currency", contract->currency);
          tirkeu_cli_json_add_string (builder, "seller_bin", contract->seller_bin);
          tirkeu_cli_json_add_string (builder, "seller_name", contract->seller_name);
          tirkeu_cli_json_add_string (builder, "buyer_iin", buyer);
          tirkeu_cli_json_add_string (builder, "buyer_name", contract->buyer_name);
          json_builder_end_object (builder);
        }
      else
        {
          g_autofree char *shown_date = tirkeu_format_gdate (&contract->contract->date);
          /* a price the portal did not give (negative) is shown as unknown */
          g_autofree char *money = contract->contract->price_tiyn >= 0
                                   ? tirkeu_format_money (contract->contract->price_tiyn,
                                                          contract->currency)
                                   : g_strdup ("?");

          /* Translators: contract number, its date (23.11.2027: kk «%s ж.», ru «от %s г.»),
           * the price with its currency (7 300 000 ₸), seller, buyer */
          g_print (_("Contract %s of %s: %s, seller %s, buyer %s\n"),
                   contract->contract->number, shown_date != NULL ? shown_date : "?", money,
                   contract->seller_name, contract->buyer_name);
        }
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  if (options->json)
    tirkeu_cli_print_json_builder (builder);

  /* Step 8: without a contract the request cannot go on. */
  if (contracts->len == 0)
    {
      if (options->json)
        return TIRKEU_CLI_EXIT_REFUSED;
      return report_refusal (options, TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND, NULL);
    }

  return TIRKEU_CLI_EXIT_DONE;
}

/* ------------------------------------------------------------------------------------------ */
/* Requests: printing and the journal                                                         */

static void
print_request (const TirkeuCliOptions *options,
               TirkeuRequest          *request,
               gboolean                with_history)
{
  GPtrArray *history = tirkeu_request_get_history (request);
  TirkeuStage stage = tirkeu_request_get_stage (request);
  g_autofree char *buyer = masked_iin (tirkeu_request_get_buyer_iin (request));
  g_autofree char *updated = tirkeu_format_date_time (tirkeu_request_get_updated_at (request));
  /* A stage a newer portal added: said as such, never as the last stage this build knows */
  g_autofree char *unknown_stage = tirkeu_request_dup_unknown_stage_label (request);
  /* The portal's texts in the language the output speaks (--language, LANGUAGE), picked
   * now: the journal keeps them in every language the portal sent. */
  const char *language = tirkeu_i18n_get_language ();
  const char *refusal = tirkeu_localized_text_pick (tirkeu_request_get_refusal_reason (request),
                                                    language);
  g_autofree char *tson = tirkeu_request_dup_tson_label (request, language);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      tirkeu_cli_json_add_string (builder, "id", tirkeu_request_get_portal_id (request));
      tirkeu_cli_json_add_string (builder, "stage", tirkeu_stage_to_string (stage));
      tirkeu_cli_json_add_string (builder, "unknown_stage",
                                  tirkeu_request_get_unknown_stage (request));
      tirkeu_cli_json_add_string (builder, "vin", tirkeu_request_get_vin (request));
      if (tirkeu_request_get_vehicle (request) != NULL)
        add_vehicle_texts (builder, tirkeu_request_get_vehicle (request), language);
      tirkeu_cli_json_add_string (builder, "buyer_iin", buyer);
      tirkeu_cli_json_add_string (builder, "buyer_name", tirkeu_request_get_buyer_name (request));
      tirkeu_cli_json_add_string (builder, "refusal_code", tirkeu_request_get_refusal_code (request));
      tirkeu_cli_json_add_string (builder, "refusal_text", refusal);
      tirkeu_cli_json_add_string (builder, "tson", tson);
      tirkeu_cli_json_add_string (builder, "plate_type", tirkeu_request_get_plate_type (request));
      if (with_history)
        {
          json_builder_set_member_name (builder, "history");
          json_builder_begin_array (builder);
          for (guint i = 0; i < history->len; i++)
            {
              TirkeuStageChange *change = g_ptr_array_index (history, i);
              g_autofree char *at = g_date_time_format_iso8601 (change->at);

              json_builder_begin_object (builder);
              tirkeu_cli_json_add_string (builder, "stage", tirkeu_stage_to_string (change->stage));
              tirkeu_cli_json_add_string (builder, "at", at);
              tirkeu_cli_json_add_string (builder, "message",
                                          tirkeu_localized_text_pick (change->message, language));
              json_builder_end_object (builder);
            }
          json_builder_end_array (builder);
        }
      json_builder_end_object (builder);
      tirkeu_cli_print_json_builder (builder);
      return;
    }

  /* Translators: request id, then its stage */
  g_print (_("Request %s: %s\n"), tirkeu_request_get_portal_id (request),
           unknown_stage != NULL ? unknown_stage : tirkeu_catalogue_stage_title (stage));
  g_print (_("  VIN %s, buyer %s (%s), last change %s\n"),
           tirkeu_request_get_vin (request) != NULL ? tirkeu_request_get_vin (request) : "",
           tirkeu_request_get_buyer_name (request) != NULL
             ? tirkeu_request_get_buyer_name (request) : "",
           buyer != NULL ? buyer : "", updated != NULL ? updated : "");
  if (tirkeu_request_get_vehicle (request) != NULL)
    print_vehicle_details (tirkeu_request_get_vehicle (request), language, TRUE);
  if (refusal != NULL)
    g_print (_("  Reason: %s\n"), refusal);
  if (tson != NULL)
    /* Translators: where the buyer collects the documents: the TsON's name, then address */
    g_print (_("  TsON: %s\n"), tson);
  if (!with_history)
    return;
  for (guint i = 0; i < history->len; i++)
    {
      TirkeuStageChange *change = g_ptr_array_index (history, i);
      g_autofree char *at = tirkeu_format_date_time (change->at);
      const char *message = tirkeu_localized_text_pick (change->message, language);

      g_print ("  %s  %s%s%s\n", at, tirkeu_catalogue_stage_title (change->stage),
               message != NULL ? " — " : "", message != NULL ? message : "");
    }
  if (unknown_stage == NULL && !tirkeu_stage_is_final (stage))
    g_print (_("  Next: %s\n"), tirkeu_catalogue_stage_next (stage));
}

/* The journal is a record, not a condition: a command that got its answer from the portal
 * still succeeds when the journal cannot be written, and says so. */
static void
journal_record (const TirkeuCliOptions *options,
                GPtrArray              *requests)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuJournal) journal = tirkeu_journal_new_sync (NULL, NULL, &error);

  if (journal == NULL ||
      !tirkeu_journal_upsert_requests_sync (journal, requests, NULL, NULL, &error))
    {
      g_autofree char *text = tirkeu_cli_error_describe (error);

      /* Translators: %s is the reason, already worded; it may run over several lines */
      g_printerr (_("tirkeu-cli: the local journal was not updated: %s\n"), text);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* status ID                                                                                  */

int
tirkeu_cli_run_status (TirkeuCliOptions  *options,
                       int                argc,
                       char             **argv)
{
  g_auto(PortalRun) run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TirkeuRequest) request = NULL;
  g_autoptr(GPtrArray) to_record = g_ptr_array_new_with_free_func (g_object_unref);

  if (!tirkeu_cli_parse_command (options, NULL, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (argc != 2)
    return tirkeu_cli_usage_error (options, argv[0]);

  if (!portal_run_open (&run, options, &error))
    return report_error (options, error);

  tirkeu_portal_client_get_request_async (run.client, argv[1], tirkeu_cli_get_action (options),
                                          store_result_cb, &result);
  request = tirkeu_portal_client_get_request_finish (run.client, wait_for_result (&result), NULL,
                                                     &error);
  if (request == NULL)
    return report_error (options, error);

  g_ptr_array_add (to_record, g_object_ref (request));
  journal_record (options, to_record);
  print_request (options, request, TRUE);

  return TIRKEU_CLI_EXIT_DONE;
}

/* ------------------------------------------------------------------------------------------ */
/* requests: the journal, offline                                                             */

int
tirkeu_cli_run_requests (TirkeuCliOptions  *options,
                         int                argc,
                         char             **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuJournal) journal = NULL;
  g_autoptr(GPtrArray) requests = NULL;

  if (!tirkeu_cli_parse_command (options, NULL, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (argc != 1)
    return tirkeu_cli_usage_error (options, argv[0]);

  journal = tirkeu_journal_new_sync (NULL, NULL, &error);
  if (journal == NULL)
    return tirkeu_cli_report_error (options, error);
  requests = tirkeu_journal_list_requests_sync (journal, NULL, &error);
  if (requests == NULL)
    return tirkeu_cli_report_error (options, error);

  if (options->json)
    {
      /* one JSON object: {"requests": [...]} built from the same fields as status */
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "requests");
      json_builder_begin_array (builder);
      for (guint i = 0; i < requests->len; i++)
        {
          TirkeuRequest *request = g_ptr_array_index (requests, i);
          g_autofree char *buyer = masked_iin (tirkeu_request_get_buyer_iin (request));
          g_autofree char *updated =
            g_date_time_format_iso8601 (tirkeu_request_get_updated_at (request));

          json_builder_begin_object (builder);
          tirkeu_cli_json_add_string (builder, "id", tirkeu_request_get_portal_id (request));
          tirkeu_cli_json_add_string (builder, "stage",
                      tirkeu_stage_to_string (tirkeu_request_get_stage (request)));
          tirkeu_cli_json_add_string (builder, "unknown_stage",
                                      tirkeu_request_get_unknown_stage (request));
          tirkeu_cli_json_add_string (builder, "vin", tirkeu_request_get_vin (request));
          tirkeu_cli_json_add_string (builder, "buyer_iin", buyer);
          tirkeu_cli_json_add_string (builder, "buyer_name", tirkeu_request_get_buyer_name (request));
          tirkeu_cli_json_add_string (builder, "updated_at", updated);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      tirkeu_cli_print_json_builder (builder);
    }
  else if (requests->len == 0)
    g_print ("%s\n", _("No requests are known yet: run “tirkeu-cli sync”."));
  else
    for (guint i = 0; i < requests->len; i++)
      print_request (options, g_ptr_array_index (requests, i), FALSE);

  return TIRKEU_CLI_EXIT_DONE;
}

/* ------------------------------------------------------------------------------------------ */
/* sync                                                                                       */

static void
count_page_cb (TirkeuSync *sync,
               GPtrArray  *requests,
               guint      *n_requests)
{
  *n_requests += requests->len;
}

int
tirkeu_cli_run_sync (TirkeuCliOptions  *options,
                     int                argc,
                     char             **argv)
{
  g_auto(PortalRun) run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuJournal) journal = NULL;
  g_autoptr(TirkeuSync) sync = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  guint n_pages;
  guint n_requests = 0;

  if (!tirkeu_cli_parse_command (options, NULL, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (argc != 1)
    return tirkeu_cli_usage_error (options, argv[0]);

  /* The journal first: a sync that cannot store its result is not started. */
  journal = tirkeu_journal_new_sync (NULL, NULL, &error);
  if (journal == NULL)
    return tirkeu_cli_report_error (options, error);

  if (!portal_run_open (&run, options, &error))
    return report_error (options, error);

  /* The app's sync, one round: each page and its cursor stored together (an interrupted
   * sync resumes there), a cursor the portal forgot started again from none. */
  sync = tirkeu_sync_new (journal, NULL);
  g_signal_connect (sync, "requests-changed", G_CALLBACK (count_page_cb), &n_requests);
  tirkeu_sync_set_client (sync, run.client);
  tirkeu_sync_run_async (sync, tirkeu_cli_get_action (options), store_result_cb, &result);
  if (!tirkeu_sync_run_finish (sync, wait_for_result (&result), NULL, &error))
    return report_error (options, error);
  n_pages = tirkeu_sync_get_n_calls (sync);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "changed");
      json_builder_add_int_value (builder, n_requests);
      json_builder_set_member_name (builder, "pages");
      json_builder_add_int_value (builder, n_pages);
      json_builder_end_object (builder);
      tirkeu_cli_print_json_builder (builder);
    }
  else
    g_print (g_dngettext (GETTEXT_PACKAGE, "%u request changed on the portal.\n",
                          "%u requests changed on the portal.\n", n_requests),
             n_requests);

  return TIRKEU_CLI_EXIT_DONE;
}

/* ------------------------------------------------------------------------------------------ */
/* sign-out                                                                                   */

int
tirkeu_cli_run_sign_out (TirkeuCliOptions  *options,
                         int                argc,
                         char             **argv)
{
  g_autoptr(GError) error = NULL;

  if (!tirkeu_cli_parse_command (options, NULL, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (argc != 1)
    return tirkeu_cli_usage_error (options, argv[0]);

  /* Nothing to tell the portal: the session ends there by itself; here it is forgotten. */
  if (!tirkeu_session_cache_wipe (options->portal_url, &error))
    return tirkeu_cli_report_error (options, error);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "signed_out");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_end_object (builder);
      tirkeu_cli_print_json_builder (builder);
    }
  else
    g_print ("%s\n", _("Signed out: the next command signs in with the EDS token."));
  return TIRKEU_CLI_EXIT_DONE;
}
