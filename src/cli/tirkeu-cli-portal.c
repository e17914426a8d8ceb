/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tirkeu-cli vehicle, person, contracts, status, requests, sync: the portal (submit and the
 * other commands of step 9: tirkeu-cli-submit.c).
 *
 * Every command but `requests` talks to the portal given by --portal-url (its CA by
 * --ca-file): it first signs in with the EDS token (--pkcs11-module) — the AUTH certificate
 * signs the portal's challenge — with the PIN read from --pin-fd or the terminal, never from
 * the command line. `status` and `sync` record what they learn in the local journal; `requests` lists the journal without going online.
 *
 * Exit status (tirkeu-cli.h): 0 done, 1 refused (the input, or the portal said no: a check
 * that stops the request counts), 2 usage, 3 network or TLS, 4 token or PIN, 5 internal.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-cli.h"
#include "tirkeu-cli-error.h"
#include "tirkeu-error.h"
#include "tirkeu-format.h"
#include "tirkeu-i18n.h"
#include "tirkeu-iin.h"
#include "tirkeu-journal.h"
#include "tirkeu-portal-client.h"
#include "tirkeu-portal-error.h"
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

/* ------------------------------------------------------------------------------------------ */
/* A signed-in run: the portal client, the token, the PIN                                     */

typedef struct
{
  const TirkeuCliOptions *options;
  TirkeuPortalClient *client;
  TirkeuTokenManager *tokens;
  char *token_serial;
  char *auth_id;
  GPtrArray *certificates;     /* TirkeuCertificate of the chosen token */
  TirkeuCliPin *pin;
  TirkeuPortalSeller *seller;
} PortalRun;

static void
portal_run_clear (PortalRun *run)
{
  g_clear_object (&run->client);
  g_clear_object (&run->tokens);
  g_clear_pointer (&run->token_serial, g_free);
  g_clear_pointer (&run->auth_id, g_free);
  g_clear_pointer (&run->certificates, g_ptr_array_unref);
  g_clear_pointer (&run->pin, tirkeu_cli_pin_free);
  g_clear_pointer (&run->seller, tirkeu_portal_seller_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PortalRun, portal_run_clear)

static void
sign_challenge (TirkeuPortalClient  *client,
                GBytes              *challenge,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             callback_data,
                gpointer             user_data)
{
  PortalRun *run = user_data;

  tirkeu_token_manager_sign_async (run->tokens, run->token_serial, run->auth_id,
                                   TIRKEU_SIGN_PURPOSE_SIGN_IN, NULL, run->pin, challenge,
                                   cancellable, callback, callback_data);
}

static GBytes *
sign_challenge_finish (TirkeuPortalClient  *client,
                       GAsyncResult        *result,
                       GError             **error,
                       gpointer             user_data)
{
  PortalRun *run = user_data;

  return tirkeu_token_manager_sign_finish (run->tokens, result, error);
}

static TirkeuPortalClient *
client_new (const TirkeuCliOptions  *options,
            GError                 **error)
{
  if (options->portal_url == NULL)
    {
      g_set_error_literal (error, TIRKEU_CLI_ERROR, TIRKEU_CLI_ERROR_USAGE,
                           _("This command needs the portal: give --portal-url."));
      return NULL;
    }

  return tirkeu_portal_client_new (options->portal_url, options->ca_file, error);
}

/* Finds the token that holds an AUTH certificate with its key, valid now. */
static gboolean
choose_token (PortalRun  *run,
              GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) last_error = NULL;

  run->tokens = tirkeu_token_manager_new (run->options->pkcs11_module);
  /* a one-shot command: no presence polling */
  tirkeu_token_manager_set_poll_interval (run->tokens, 0);
  tirkeu_token_manager_load_async (run->tokens, NULL, store_result_cb, &result);
  if (!tirkeu_token_manager_load_finish (run->tokens, wait_for_result (&result), error))
    return FALSE;
  g_clear_object (&result);

  tirkeu_token_manager_list_tokens_async (run->tokens, NULL, store_result_cb, &result);
  tokens = tirkeu_token_manager_list_tokens_finish (run->tokens, wait_for_result (&result),
                                                    error);
  if (tokens == NULL)
    return FALSE;
  g_clear_object (&result);

  for (guint i = 0; i < tokens->len; i++)
    {
      TirkeuTokenInfo *token = g_ptr_array_index (tokens, i);
      g_autoptr(GPtrArray) certificates = NULL;

      tirkeu_token_manager_list_certificates_async (run->tokens,
                                                    tirkeu_token_info_get_serial (token),
                                                    NULL, store_result_cb, &result);
      certificates = tirkeu_token_manager_list_certificates_finish (run->tokens,
                                                                    wait_for_result (&result),
                                                                    error);
      g_clear_object (&result);
      if (certificates == NULL)
        return FALSE;

      for (guint j = 0; j < certificates->len; j++)
        {
          TirkeuCertificate *certificate = g_ptr_array_index (certificates, j);

          if (!tirkeu_certificate_has_private_key (certificate) ||
              tirkeu_certificate_get_kind (certificate) != TIRKEU_CERTIFICATE_KIND_AUTH)
            continue;
          g_clear_error (&last_error);
          if (!tirkeu_certificate_check_purpose (certificate, TIRKEU_SIGN_PURPOSE_SIGN_IN, NULL,
                                                 now, &last_error))
            continue;

          run->token_serial = g_strdup (tirkeu_token_info_get_serial (token));
          run->auth_id = g_strdup (tirkeu_certificate_get_id (certificate));
          run->certificates = g_steal_pointer (&certificates);
          return TRUE;
        }
    }

  if (last_error != NULL)
    g_propagate_error (error, g_steal_pointer (&last_error));
  else
    g_set_error_literal (error, TIRKEU_TOKEN_ERROR,
                         tokens->len == 0 ? TIRKEU_TOKEN_ERROR_NO_TOKEN
                                          : TIRKEU_TOKEN_ERROR_CERTIFICATE,
                         /* Translators: AUTH: the authentication certificate of the EDS */
                         _("No EDS token with a valid AUTH certificate and its key was found."));
  return FALSE;
}

/* The client, the token and the PIN, then the sign-in: the AUTH key signs the challenge. */
static gboolean
portal_run_open (PortalRun               *run,
                 const TirkeuCliOptions  *options,
                 GError                 **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  run->options = options;
  run->client = client_new (options, error);
  if (run->client == NULL)
    return FALSE;

  if (!choose_token (run, error))
    return FALSE;

  run->pin = tirkeu_cli_read_pin (options, _("PIN of the EDS token: "), error);
  if (run->pin == NULL)
    return FALSE;

  tirkeu_portal_client_set_sign_func (run->client, sign_challenge, sign_challenge_finish, run,
                                      NULL);
  tirkeu_portal_client_sign_in_async (run->client, NULL, store_result_cb, &result);
  run->seller = tirkeu_portal_client_sign_in_finish (run->client, wait_for_result (&result),
                                                     error);
  if (run->seller == NULL)
    return FALSE;

  if (!options->json && tirkeu_portal_client_get_is_sandbox (run->client))
    /* Translators: the sandbox portal used for tests, demos and staff training */
    g_printerr ("%s\n", _("Training portal: nothing done here is real."));

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

  tirkeu_portal_client_check_vehicle_async (run.client, vin_info.vin, NULL, store_result_cb,
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
          tirkeu_cli_json_add_string (builder, "colour", check->vehicle->colour);
          tirkeu_cli_json_add_string (builder, "body", check->vehicle->body_type);
          tirkeu_cli_json_add_string (builder, "engine", check->vehicle->engine_model);
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
        /* Translators: step 3; then make, model, year, colour, category */
        g_print (_("Step 3, electronic vehicle passport: found, %s %s %u, %s, %s\n"),
                 check->vehicle->make != NULL ? check->vehicle->make : "",
                 check->vehicle->model != NULL ? check->vehicle->model : "",
                 check->vehicle->year,
                 check->vehicle->colour != NULL ? check->vehicle->colour : "",
                 check->vehicle->category != NULL ? check->vehicle->category : "");
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

  tirkeu_portal_client_check_person_async (run.client, argv[1], NULL, store_result_cb, &result);
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

  tirkeu_portal_client_find_contracts_async (run.client, vin_info.vin, argv[2], NULL,
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

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      tirkeu_cli_json_add_string (builder, "id", tirkeu_request_get_portal_id (request));
      tirkeu_cli_json_add_string (builder, "stage", tirkeu_stage_to_string (stage));
      tirkeu_cli_json_add_string (builder, "vin", tirkeu_request_get_vin (request));
      tirkeu_cli_json_add_string (builder, "buyer_iin", buyer);
      tirkeu_cli_json_add_string (builder, "buyer_name", tirkeu_request_get_buyer_name (request));
      tirkeu_cli_json_add_string (builder, "refusal_code", tirkeu_request_get_refusal_code (request));
      tirkeu_cli_json_add_string (builder, "refusal_text", tirkeu_request_get_refusal_text (request));
      tirkeu_cli_json_add_string (builder, "tson", tirkeu_request_get_tson (request));
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
              tirkeu_cli_json_add_string (builder, "message", change->message);
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
           tirkeu_catalogue_stage_title (stage));
  g_print (_("  VIN %s, buyer %s (%s), last change %s\n"),
           tirkeu_request_get_vin (request) != NULL ? tirkeu_request_get_vin (request) : "",
           tirkeu_request_get_buyer_name (request) != NULL
             ? tirkeu_request_get_buyer_name (request) : "",
           buyer != NULL ? buyer : "", updated != NULL ? updated : "");
  if (tirkeu_request_get_refusal_text (request) != NULL)
    g_print (_("  Reason: %s\n"), tirkeu_request_get_refusal_text (request));
  if (!with_history)
    return;
  for (guint i = 0; i < history->len; i++)
    {
      TirkeuStageChange *change = g_ptr_array_index (history, i);
      g_autofree char *at = tirkeu_format_date_time (change->at);

      g_print ("  %s  %s%s%s\n", at, tirkeu_catalogue_stage_title (change->stage),
               change->message != NULL ? " — " : "",
               change->message != NULL ? change->message : "");
    }
  if (!tirkeu_stage_is_final (stage))
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

  tirkeu_portal_client_get_request_async (run.client, argv[1], NULL, store_result_cb, &result);
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

static gboolean
is_bad_cursor (const GError *error)
{
  JsonNode *details;
  JsonObject *object;

  if (!g_error_matches (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_VALIDATION_FAILED))
    return FALSE;
  details = tirkeu_portal_error_get_details (error);
  if (details == NULL || !JSON_NODE_HOLDS_OBJECT (details))
    return FALSE;
  object = json_node_get_object (details);
  return json_object_has_member (object, "field") &&
         JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "field")) &&
         g_strcmp0 (json_object_get_string_member (object, "field"), "cursor") == 0;
}

int
tirkeu_cli_run_sync (TirkeuCliOptions  *options,
                     int                argc,
                     char             **argv)
{
  g_auto(PortalRun) run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuJournal) journal = NULL;
  g_autofree char *cursor = NULL;
  gboolean restarted = FALSE;
  guint n_pages = 0;
  guint n_requests = 0;

  if (!tirkeu_cli_parse_command (options, NULL, &argc, &argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (argc != 1)
    return tirkeu_cli_usage_error (options, argv[0]);

  /* The journal first: a sync that cannot store its result is not started. */
  journal = tirkeu_journal_new_sync (NULL, NULL, &error);
  if (journal == NULL)
    return tirkeu_cli_report_error (options, error);
  cursor = tirkeu_journal_get_cursor_sync (journal, NULL, &error);
  if (error != NULL)
    return tirkeu_cli_report_error (options, error);

  if (!portal_run_open (&run, options, &error))
    return report_error (options, error);

  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(TirkeuPortalChanges) changes = NULL;

      tirkeu_portal_client_get_changes_async (run.client, cursor, NULL, store_result_cb,
                                              &result);
      changes = tirkeu_portal_client_get_changes_finish (run.client, wait_for_result (&result),
                                                         &error);
      if (changes == NULL)
        {
          /* The portal forgot the cursor: sync everything again, once. */
          if (!restarted && cursor != NULL && is_bad_cursor (error))
            {
              restarted = TRUE;
              g_clear_pointer (&cursor, g_free);
              g_clear_error (&error);
              continue;
            }
          return report_error (options, error);
        }

      /* Each page and its cursor are stored together: an interrupted sync resumes there. */
      if (!tirkeu_journal_upsert_requests_sync (journal, changes->requests, changes->cursor,
                                                NULL, &error))
        return tirkeu_cli_report_error (options, error);

      n_pages++;
      n_requests += changes->requests->len;
      g_free (cursor);
      cursor = g_strdup (changes->cursor);
      if (!changes->has_more)
        break;
    }

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
