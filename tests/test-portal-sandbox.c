/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * TirkeuPortalClient against tirkeu-sandbox, in-process on 127.0.0.1:0 over real TLS: every
 * operation, every error code the portal sends for them, the faults the sandbox injects
 * (5xx, dropped connections, malformed and slow answers, rate limits), session expiry and
 * renewal, and TLS refusals. Signatures are real CMS made with OpenSSL from the sandbox
 * tests' identities (test-sandbox-util.c); the token layer's own signatures are tested in
 * test-token.c.
 */
#include "config.h"

#include <string.h>

#include "tirkeu-portal-client.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-portal-private.h"
#include "test-sandbox-util.h"

#define VIN_NO_EPASSPORT    "XW8ZZZ3C0SG000103"
#define VIN_CUSTOMS_UNPAID  "Z94K241C4SR000104"
#define VIN_CUSTOMS_NO_DATA "KNAPH81A1S5000105"
#define VIN_UTIL_UNPAID     "LVVDB21BXRD000106"
#define VIN_UTIL_NO_DATA    "XTA210740S0000107"
#define CONTRACT_NO_EPASSPORT "DKP-2025-000103"
#define CONTRACT_CUSTOMS    "DKP-2025-000104"
#define CONTRACT_UTIL       "DKP-2025-000106"
#define VIN_DECEASED_BUYER  "LVVDB21B6RD000118"
#define BUYER_DECEASED      "601012300461"
#define CONTRACT_DECEASED   "DKP-2025-000118"

typedef struct
{
  SbFixture sb;
  TirkeuPortalClient *client;
  const char *identity;       /* the AUTH identity the sign function signs with */
  guint n_signatures;
  GMainLoop *loop;
  GAsyncResult *result;
} Fixture;

static void
sign_func (TirkeuPortalClient  *client,
           GBytes              *challenge,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             callback_data,
           gpointer             user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GTask) task = g_task_new (client, cancellable, callback, callback_data);

  fixture->n_signatures++;
  g_task_return_pointer (task, sb_sign (fixture->identity, challenge),
                         (GDestroyNotify) g_bytes_unref);
}

static GBytes *
sign_finish_func (TirkeuPortalClient  *client,
                  GAsyncResult        *result,
                  GError             **error,
                  gpointer             user_data)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
start (Fixture              *fixture,
       TirkeuSandboxOptions *options)
{
  g_autoptr(GError) error = NULL;

  sb_fixture_start (&fixture->sb, options);
  fixture->client = tirkeu_portal_client_new (fixture->sb.url,
                                              tirkeu_sandbox_get_ca_file (fixture->sb.sandbox),
                                              &error);
  g_assert_no_error (error);
  tirkeu_portal_client_set_retry_base_ms (fixture->client, 5);
  tirkeu_portal_client_set_timeout_ms (fixture->client, 10000);
  tirkeu_portal_client_set_sign_func (fixture->client, sign_func, sign_finish_func, fixture,
                                      NULL);
  fixture->identity = "auth";
  fixture->loop = g_main_loop_new (NULL, FALSE);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  TirkeuSandboxOptions options;

  sb_options_for_test (&options, NULL);
  start (fixture, &options);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->result);
  g_assert_finalize_object (g_steal_pointer (&fixture->client));
  sb_fixture_stop (&fixture->sb);
  g_main_loop_unref (fixture->loop);
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->result = g_object_ref (result);
  g_main_loop_quit (fixture->loop);
}

static GAsyncResult *
wait_result (Fixture *fixture)
{
  g_clear_object (&fixture->result);
  g_main_loop_run (fixture->loop);
  return fixture->result;
}

/* The admin side of the sandbox (no TLS trust issue: same CA). */
static void
set_faults (Fixture    *fixture,
            const char *json)
{
  g_autoptr(SbAnswer) answer = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                        "/admin/faults", NULL, NULL, json);

  sb_answer_ok (answer, 200);
}

static guint
count_requests (Fixture *fixture)
{
  g_autoptr(SbAnswer) answer = sb_call (fixture->sb.session, fixture->sb.url, "GET",
                                        "/admin/requests", NULL, NULL, NULL);
  JsonObject *object = sb_answer_ok (answer, 200);

  return json_array_get_length (json_object_get_array_member (object, "requests"));
}

/* Synchronous wrappers: each runs the loop until the operation is done. */

static TirkeuPortalSeller *
sign_in (Fixture  *fixture,
         GError  **error)
{
  tirkeu_portal_client_sign_in_async (fixture->client, NULL, result_cb, fixture);
  return tirkeu_portal_client_sign_in_finish (fixture->client, wait_result (fixture), error);
}

static TirkeuPortalSeller *
get_seller (Fixture  *fixture,
            GError  **error)
{
  tirkeu_portal_client_get_seller_async (fixture->client, NULL, result_cb, fixture);
  return tirkeu_portal_client_get_seller_finish (fixture->client, wait_result (fixture), error);
}

static TirkeuPortalVehicleCheck *
check_vehicle (Fixture     *fixture,
               const char  *vin,
               GError     **error)
{
  tirkeu_portal_client_check_vehicle_async (fixture->client, vin, NULL, result_cb, fixture);
  return tirkeu_portal_client_check_vehicle_finish (fixture->client, wait_result (fixture),
                                                    error);
}

static TirkeuPortalPerson *
check_person (Fixture     *fixture,
              const char  *iin,
              GError     **error)
{
  tirkeu_portal_client_check_person_async (fixture->client, iin, NULL, result_cb, fixture);
  return tirkeu_portal_client_check_person_finish (fixture->client, wait_result (fixture), error);
}

static GPtrArray *
find_contracts (Fixture     *fixture,
                const char  *vin,
                const char  *iin,
                GError     **error)
{
  tirkeu_portal_client_find_contracts_async (fixture->client, vin, iin, NULL, result_cb, fixture);
  return tirkeu_portal_client_find_contracts_finish (fixture->client, wait_result (fixture),
                                                     error);
}

static TirkeuRequest *
create_request (Fixture                  *fixture,
                const char               *key,
                const char               *vin,
                const char               *iin,
                const char               *contract,
                TirkeuPortalRequestInfo **info,
                GError                  **error)
{
  tirkeu_portal_client_create_request_async (fixture->client, key, vin, iin, contract, NULL,
                                             result_cb, fixture);
  return tirkeu_portal_client_create_request_finish (fixture->client, wait_result (fixture),
                                                     info, error);
}

static TirkeuRequest *
submit_signature (Fixture     *fixture,
                  const char  *id,
                  GBytes      *signature,
                  GError     **error)
{
  tirkeu_portal_client_submit_signature_async (fixture->client, id, signature, NULL, result_cb,
                                               fixture);
  return tirkeu_portal_client_submit_signature_finish (fixture->client, wait_result (fixture),
                                                       NULL, error);
}

static TirkeuRequest *
get_request (Fixture     *fixture,
             const char  *id,
             GError     **error)
{
  tirkeu_portal_client_get_request_async (fixture->client, id, NULL, result_cb, fixture);
  return tirkeu_portal_client_get_request_finish (fixture->client, wait_result (fixture), NULL,
                                                  error);
}

static TirkeuRequest *
withdraw (Fixture     *fixture,
          const char  *id,
          GError     **error)
{
  tirkeu_portal_client_withdraw_async (fixture->client, id, NULL, result_cb, fixture);
  return tirkeu_portal_client_withdraw_finish (fixture->client, wait_result (fixture), NULL,
                                               error);
}

static TirkeuPortalChanges *
get_changes (Fixture     *fixture,
             const char  *cursor,
             GError     **error)
{
  tirkeu_portal_client_get_changes_async (fixture->client, cursor, NULL, result_cb, fixture);
  return tirkeu_portal_client_get_changes_finish (fixture->client, wait_result (fixture), error);
}

/* ------------------------------------------------------------------------------------------ */

static void
test_about (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(TirkeuPortalAbout) about = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (tirkeu_portal_client_get_is_sandbox (fixture->client));
  tirkeu_portal_client_get_about_async (fixture->client, NULL, result_cb, fixture);
  about = tirkeu_portal_client_get_about_finish (fixture->client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (about->environment, ==, "sandbox");
  g_assert_cmpstr (about->api_version, ==, "1.4.0");
  g_assert_true (tirkeu_portal_client_get_is_sandbox (fixture->client));
}

static void
test_tls_refused (Fixture       *fixture,
                  gconstpointer  data)
{
  /* Neither the system trust nor another CA (the signer CA) vouches for the sandbox. */
  const char *cas[] = { NULL, sb_signer_ca_file () };

  for (guint i = 0; i < G_N_ELEMENTS (cas); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TirkeuPortalAbout) about = NULL;
      TirkeuPortalClient *client = tirkeu_portal_client_new (fixture->sb.url, cas[i], &error);

      g_assert_no_error (error);
      tirkeu_portal_client_get_about_async (client, NULL, result_cb, fixture);
      about = tirkeu_portal_client_get_about_finish (client, wait_result (fixture), &error);
      g_assert_null (about);
      g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TLS);
      g_assert_false (tirkeu_portal_client_get_is_sandbox (client));
      g_clear_object (&fixture->result);
      sb_iterate (5);
      g_assert_finalize_object (client);
    }
}

static void
test_sign_in (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(TirkeuPortalSeller) seller = NULL;
  g_autoptr(GError) error = NULL;

  seller = sign_in (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (seller->bin, ==, SELLER_BIN);
  g_assert_true (seller->oked_qualifies);
  g_assert_cmpstr (seller->oked_matched_code, ==, "45.11");
  g_assert_true (g_strv_contains ((const char * const *) seller->oked, "45.11"));
  g_assert_true (tirkeu_portal_client_get_signed_in (fixture->client));
  g_clear_pointer (&seller, tirkeu_portal_seller_free);

  seller = get_seller (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (seller->bin, ==, SELLER_BIN);
  g_assert_cmpuint (fixture->n_signatures, ==, 1);
}

static void
test_sign_in_no_oked (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(TirkeuPortalSeller) seller = NULL;
  g_autoptr(GError) error = NULL;

  /* Step 1: the seller signs in, and the portal says its OKED does not qualify. */
  fixture->identity = "auth-no-oked";
  seller = sign_in (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (seller->bin, ==, SELLER_NO_OKED_BIN);
  g_assert_false (seller->oked_qualifies);
  g_assert_null (seller->oked_matched_code);
}

typedef struct
{
  const char *identity;
  TirkeuPortalCode code;
} SignInCase;

static const SignInCase sign_in_cases[] = {
  { "auth-untrusted", TIRKEU_PORTAL_CODE_SIGNATURE_INVALID },
  { "sign", TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED },
  { "auth-unknown", TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED },
};

static void
test_sign_in_refused (Fixture       *fixture,
                      gconstpointer  data)
{
  const SignInCase *sign_in_case = data;
  g_autoptr(TirkeuPortalSeller) seller = NULL;
  g_autoptr(GError) error = NULL;

  fixture->identity = sign_in_case->identity;
  seller = sign_in (fixture, &error);
  g_assert_null (seller);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, (int) sign_in_case->code);
  g_assert_nonnull (tirkeu_portal_error_get_message (error, "kk"));
  g_assert_false (tirkeu_portal_client_get_signed_in (fixture->client));
  /* POST /auth/session is never repeated: the challenge is single use */
  g_assert_cmpuint (fixture->n_signatures, ==, 1);
}

static void
test_vehicle_checks (Fixture       *fixture,
                     gconstpointer  data)
{
  const struct {
    const char *vin;
    guint stopped_at;
    TirkeuPortalCode code;
    gboolean epassport;
    TirkeuPortalPayment customs;
    TirkeuPortalPayment utilization;
  } cases[] = {
    { VIN_OK, 0, 0, TRUE, TIRKEU_PORTAL_PAYMENT_PAID, TIRKEU_PORTAL_PAYMENT_PAID },
    { VIN_NO_EPASSPORT, 3, TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND, FALSE,
      TIRKEU_PORTAL_PAYMENT_NO_DATA, TIRKEU_PORTAL_PAYMENT_NO_DATA },
    { VIN_CUSTOMS_UNPAID, 4, TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID, TRUE,
      TIRKEU_PORTAL_PAYMENT_UNPAID, TIRKEU_PORTAL_PAYMENT_PAID },
    { VIN_CUSTOMS_NO_DATA, 4, TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID, TRUE,
      TIRKEU_PORTAL_PAYMENT_NO_DATA, TIRKEU_PORTAL_PAYMENT_PAID },
    { VIN_UTIL_UNPAID, 5, TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID, TRUE,
      TIRKEU_PORTAL_PAYMENT_PAID, TIRKEU_PORTAL_PAYMENT_UNPAID },
    { VIN_UTIL_NO_DATA, 5, TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID, TRUE,
      TIRKEU_PORTAL_PAYMENT_PAID, TIRKEU_PORTAL_PAYMENT_NO_DATA },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalVehicleCheck) bad = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TirkeuPortalVehicleCheck) check = check_vehicle (fixture, cases[i].vin, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (check->vin, ==, cases[i].vin);
      g_assert_cmpuint (check->stopped_at_step, ==, cases[i].stopped_at);
      if (cases[i].stopped_at != 0)
        {
          g_assert_cmpint (check->stopped_code, ==, cases[i].code);
          g_assert_nonnull (tirkeu_portal_text_get (&check->stopped_message, "kk"));
        }
      g_assert_cmpint (check->epassport_found, ==, cases[i].epassport);
      g_assert_cmpint (check->vehicle != NULL, ==, cases[i].epassport);
      g_assert_cmpint (check->customs, ==, cases[i].customs);
      g_assert_cmpint (check->utilization, ==, cases[i].utilization);
    }

  {
    g_autoptr(TirkeuPortalVehicleCheck) check = check_vehicle (fixture, VIN_OK, &error);

    g_assert_cmpstr (check->vehicle->make, ==, "Toyota");
    g_assert_cmpuint (check->vehicle->year, ==, 2025);
    g_assert_true (g_date_valid (&check->customs_paid_on));
  }

  bad = check_vehicle (fixture, "NOT-A-VIN", &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_VALIDATION_FAILED);
  /* one sign-in served all the checks */
  g_assert_cmpuint (fixture->n_signatures, ==, 1);
}

static void
test_person_checks (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalPerson) person = check_person (fixture, BUYER_IIN, &error);
  g_autoptr(TirkeuPortalPerson) deceased = NULL;
  g_autoptr(TirkeuPortalPerson) unknown = NULL;
  g_autoptr(TirkeuPortalPerson) malformed = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (person->iin, ==, BUYER_IIN);
  g_assert_cmpint (person->status, ==, TIRKEU_PORTAL_PERSON_ACTIVE);
  g_assert_cmpstr (person->full_name, ==, "АХМЕТОВ ЕРЛАН САПАРОВИЧ");

  deceased = check_person (fixture, BUYER_DECEASED, &error);
  g_assert_no_error (error);
  g_assert_cmpint (deceased->status, ==, TIRKEU_PORTAL_PERSON_DECEASED);

  unknown = check_person (fixture, UNKNOWN_IIN, &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND);
  g_assert_cmpuint (tirkeu_portal_error_get_http_status (error), ==, 404);
  g_clear_error (&error);

  malformed = check_person (fixture, "123456789021", &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_VALIDATION_FAILED);
}

static void
test_contracts (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) contracts = find_contracts (fixture, VIN_OK, BUYER_IIN, &error);
  g_autoptr(GPtrArray) none = NULL;
  TirkeuPortalContract *contract;

  g_assert_no_error (error);
  g_assert_cmpuint (contracts->len, ==, 1);
  contract = g_ptr_array_index (contracts, 0);
  g_assert_cmpstr (contract->contract->number, ==, CONTRACT_OK);
  g_assert_cmpstr (contract->seller_bin, ==, SELLER_BIN);
  g_assert_cmpstr (contract->buyer_iin, ==, BUYER_IIN);
  g_assert_cmpstr (contract->currency, ==, "KZT");
  g_assert_cmpint (contract->contract->price_tiyn, >, 0);

  /* a contract of another seller is not this seller's: zero, not an error */
  none = find_contracts (fixture, VIN_OK_3, BUYER_IIN, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
}

static GBytes *
sign_payload (const char              *identity,
              TirkeuPortalRequestInfo *info)
{
  return sb_sign (identity, info->signing_payload);
}

static void
test_request_flow (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuRequest) created = NULL;
  g_autoptr(TirkeuRequest) again = NULL;
  g_autoptr(TirkeuRequest) submitted = NULL;
  g_autoptr(TirkeuRequest) fetched = NULL;
  g_autoptr(TirkeuRequest) withdrawn = NULL;
  g_autoptr(TirkeuRequest) withdrawn_again = NULL;
  g_autoptr(TirkeuPortalRequestInfo) info = NULL;
  g_autoptr(TirkeuPortalRequestInfo) info_again = NULL;
  g_autoptr(TirkeuPortalChanges) changes = NULL;
  g_autoptr(TirkeuPortalChanges) later = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *id = NULL;

  created = create_request (fixture, key, VIN_OK, BUYER_IIN, CONTRACT_OK, &info, &error);
  g_assert_no_error (error);
  id = g_strdup (tirkeu_request_get_portal_id (created));
  g_assert_nonnull (id);
  g_assert_cmpint (tirkeu_request_get_stage (created), ==, TIRKEU_STAGE_CONTRACT_FOUND);
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (created), ==, key);
  /* contract 1.1.0: the portal itself names the key, not only the client that sent it */
  g_assert_cmpstr (info->idempotency_key, ==, key);
  g_assert_cmpstr (tirkeu_request_get_seller_bin (created), ==, SELLER_BIN);
  g_assert_cmpstr (tirkeu_request_get_vehicle (created)->make, ==, "Toyota");
  g_assert_cmpstr (tirkeu_request_get_contract (created)->number, ==, CONTRACT_OK);
  g_assert_nonnull (info->signing_payload);
  g_assert_cmpuint (g_bytes_get_size (info->signing_payload), >, 0);

  /* the same key and body: the same request, nothing new on the portal */
  again = create_request (fixture, key, VIN_OK, BUYER_IIN, CONTRACT_OK, &info_again, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tirkeu_request_get_portal_id (again), ==, id);
  g_assert_true (g_bytes_equal (info->signing_payload, info_again->signing_payload));
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (again), ==, key);
  g_assert_cmpuint (count_requests (fixture), ==, 1);

  /* step 9: the SIGN key over the exact payload */
  signature = sign_payload ("sign", info);
  submitted = submit_signature (fixture, id, signature, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_request_get_stage (submitted), ==, TIRKEU_STAGE_AWAITING_BUYER);
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (submitted), ==, key);

  /* resending the accepted signature is safe */
  g_clear_object (&submitted);
  submitted = submit_signature (fixture, id, signature, &error);
  g_assert_no_error (error);

  fetched = get_request (fixture, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_request_get_stage (fetched), ==, TIRKEU_STAGE_AWAITING_BUYER);
  g_assert_cmpuint (tirkeu_request_get_history (fetched)->len, >=, 4);
  /* A request the client only fetched or synced carries the key it was created with, the
   * portal's word for it: nothing made up that the journal could store over the true key. */
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (fetched), ==, key);

  changes = get_changes (fixture, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->requests->len, ==, 1);
  g_assert_cmpuint (changes->infos->len, ==, 1);
  g_assert_nonnull (changes->cursor);
  g_assert_cmpstr (((TirkeuPortalRequestInfo *) g_ptr_array_index (changes->infos, 0))->id, ==,
                   id);
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (g_ptr_array_index (changes->requests, 0)),
                   ==, key);
  g_assert_cmpstr (((TirkeuPortalRequestInfo *)
                    g_ptr_array_index (changes->infos, 0))->idempotency_key, ==, key);

  withdrawn = withdraw (fixture, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_request_get_stage (withdrawn), ==, TIRKEU_STAGE_WITHDRAWN);
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (withdrawn), ==, key);
  withdrawn_again = withdraw (fixture, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_request_get_stage (withdrawn_again), ==, TIRKEU_STAGE_WITHDRAWN);

  /* since the cursor: only the withdrawal */
  later = get_changes (fixture, changes->cursor, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (later->requests->len, ==, 1);
  g_assert_cmpint (tirkeu_request_get_stage (g_ptr_array_index (later->requests, 0)), ==,
                   TIRKEU_STAGE_WITHDRAWN);
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (g_ptr_array_index (later->requests, 0)),
                   ==, key);
}

typedef struct
{
  const char *name;
  const char *identity;       /* the seller who signs in */
  const char *vin;
  const char *iin;
  const char *contract;
  TirkeuPortalCode code;
} CreateCase;

static const CreateCase create_cases[] = {
  { "oked-mismatch", "auth-no-oked", "JTNB23HK2R3000101", "850312300121", "DKP-2025-900101",
    TIRKEU_PORTAL_CODE_OKED_MISMATCH },
  { "epassport", "auth", VIN_NO_EPASSPORT, BUYER_IIN, CONTRACT_NO_EPASSPORT,
    TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND },
  { "customs", "auth", VIN_CUSTOMS_UNPAID, BUYER_IIN, CONTRACT_CUSTOMS,
    TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID },
  { "utilization", "auth", VIN_UTIL_UNPAID, BUYER_IIN, CONTRACT_UTIL,
    TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID },
  { "person", "auth", VIN_DECEASED_BUYER, BUYER_DECEASED, CONTRACT_DECEASED,
    TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND },
  { "contract", "auth", VIN_OK, BUYER_IIN, "DKP-NO-SUCH", TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND },
  { "validation", "auth", "SHORT", BUYER_IIN, CONTRACT_OK, TIRKEU_PORTAL_CODE_VALIDATION_FAILED },
};

static void
test_create_refused (Fixture       *fixture,
                     gconstpointer  data)
{
  const CreateCase *create_case = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuRequest) request = NULL;
  g_autofree char *key = g_uuid_string_random ();

  fixture->identity = create_case->identity;
  request = create_request (fixture, key, create_case->vin, create_case->iin,
                            create_case->contract, NULL, &error);
  g_assert_null (request);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, (int) create_case->code);
  g_assert_nonnull (tirkeu_portal_error_get_message (error, "kk"));
  g_assert_nonnull (tirkeu_portal_error_get_message (error, "ru"));
  g_assert_nonnull (tirkeu_portal_error_get_message (error, "en"));
  g_assert_nonnull (tirkeu_portal_error_get_details (error));
  /* a refusal is final: sent once */
  g_assert_cmpuint (_tirkeu_portal_client_get_n_attempts (fixture->client), ==, 3);
  g_assert_cmpuint (count_requests (fixture), ==, 0);
}

static void
test_conflicts (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuRequest) first = NULL;
  g_autoptr(TirkeuRequest) other_body = NULL;
  g_autoptr(TirkeuRequest) same_vin = NULL;
  g_autoptr(TirkeuRequest) missing = NULL;
  g_autoptr(TirkeuPortalChanges) changes = NULL;
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *key2 = g_uuid_string_random ();

  first = create_request (fixture, key, VIN_OK, BUYER_IIN, CONTRACT_OK, NULL, &error);
  g_assert_no_error (error);

  /* the key again with another body */
  other_body = create_request (fixture, key, VIN_OK_2, BUYER_IIN, CONTRACT_OK_2, NULL, &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_CONFLICT);
  g_clear_error (&error);

  /* another request for a VIN that has an active one */
  same_vin = create_request (fixture, key2, VIN_OK, BUYER_IIN, CONTRACT_OK, NULL, &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_CONFLICT);
  g_assert_cmpuint (tirkeu_portal_error_get_http_status (error), ==, 409);
  g_clear_error (&error);

  missing = get_request (fixture, "no-such-request", &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_NOT_FOUND);
  g_clear_error (&error);

  changes = get_changes (fixture, "not-a-cursor", &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_VALIDATION_FAILED);
  g_assert_cmpuint (count_requests (fixture), ==, 1);
}

typedef struct
{
  const char *name;
  const char *identity;       /* who signs the payload */
  gboolean other_bytes;       /* sign something else than the payload */
  TirkeuPortalCode code;
} SignatureCase;

static const SignatureCase signature_cases[] = {
  { "other-bytes", "sign", TRUE, TIRKEU_PORTAL_CODE_SIGNATURE_INVALID },
  { "untrusted", "sign-untrusted", FALSE, TIRKEU_PORTAL_CODE_SIGNATURE_INVALID },
  { "auth-key", "auth", FALSE, TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED },
  { "no-right-to-sign", "sign-employee", FALSE, TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED },
  { "other-bin", "sign-other-bin", FALSE, TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED },
};

static void
test_signature_refused (Fixture       *fixture,
                        gconstpointer  data)
{
  const SignatureCase *signature_case = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuRequest) created = NULL;
  g_autoptr(TirkeuRequest) submitted = NULL;
  g_autoptr(TirkeuRequest) fetched = NULL;
  g_autoptr(TirkeuPortalRequestInfo) info = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autofree char *key = g_uuid_string_random ();

  created = create_request (fixture, key, VIN_OK, BUYER_IIN, CONTRACT_OK, &info, &error);
  g_assert_no_error (error);

  if (signature_case->other_bytes)
    {
      g_autoptr(GBytes) other = g_bytes_new_static ("other bytes", 11);

      signature = sb_sign (signature_case->identity, other);
    }
  else
    signature = sign_payload (signature_case->identity, info);

  submitted = submit_signature (fixture, tirkeu_request_get_portal_id (created), signature,
                                &error);
  g_assert_null (submitted);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, (int) signature_case->code);
  g_clear_error (&error);

  /* a refused signature leaves the request waiting for a good one */
  fetched = get_request (fixture, tirkeu_request_get_portal_id (created), &error);
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_request_get_stage (fetched), ==, TIRKEU_STAGE_CONTRACT_FOUND);
}

static void
expire_sessions (Fixture *fixture)
{
  g_autoptr(SbAnswer) answer = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                        "/admin/sessions/expire", NULL, NULL, NULL);

  sb_answer_ok (answer, 200);
}

static void
test_session_renewal (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalSeller) seller = NULL;
  g_autoptr(TirkeuPortalPerson) person = NULL;

  seller = sign_in (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_signatures, ==, 1);

  /* the portal ends the session: the next call signs in again, once, and goes through */
  expire_sessions (fixture);
  person = check_person (fixture, BUYER_IIN, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_signatures, ==, 2);
  g_clear_pointer (&person, tirkeu_portal_person_free);

  /* without a sign function the caller hears SESSION_EXPIRED */
  tirkeu_portal_client_set_sign_func (fixture->client, NULL, NULL, NULL, NULL);
  expire_sessions (fixture);
  person = check_person (fixture, BUYER_IIN, &error);
  g_assert_null (person);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_SESSION_EXPIRED);
  g_assert_cmpuint (tirkeu_portal_error_get_http_status (error), ==, 401);
  g_clear_error (&error);

  /* and without a session at all, nothing is sent */
  tirkeu_portal_client_sign_out (fixture->client);
  person = check_person (fixture, BUYER_IIN, &error);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_UNAUTHORIZED);
}

/* ------------------------------------------------------------------------------------------ */
/* Faults injected by the sandbox                                                             */

static void
test_fault_5xx (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalSeller) seller = sign_in (fixture, &error);
  g_autoptr(TirkeuPortalPerson) person = NULL;
  guint before;

  g_assert_no_error (error);
  set_faults (fixture, "{\"fail_rate\":1}");
  tirkeu_portal_client_set_max_attempts (fixture->client, 2);
  before = _tirkeu_portal_client_get_n_attempts (fixture->client);
  person = check_person (fixture, BUYER_IIN, &error);
  g_assert_null (person);
  g_assert_true (error->code == TIRKEU_PORTAL_CODE_INTERNAL ||
                 error->code == TIRKEU_PORTAL_CODE_UNAVAILABLE);
  g_assert_true (error->domain == TIRKEU_PORTAL_ERROR);
  /* retried up to the bound, no more */
  g_assert_cmpuint (_tirkeu_portal_client_get_n_attempts (fixture->client) - before, ==, 2);

  /* healthy again: the same call goes through */
  g_clear_error (&error);
  set_faults (fixture, "{\"fail_rate\":0}");
  person = check_person (fixture, BUYER_IIN, &error);
  g_assert_no_error (error);
}

static void
test_fault_malformed (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalSeller) seller = sign_in (fixture, &error);
  g_autoptr(TirkeuPortalVehicleCheck) check = NULL;

  g_assert_no_error (error);
  set_faults (fixture, "{\"malformed_rate\":1}");
  check = check_vehicle (fixture, VIN_OK, &error);
  g_assert_null (check);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED);
}

static void
test_fault_slow (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalSeller) seller = sign_in (fixture, &error);
  g_autoptr(TirkeuPortalVehicleCheck) check = NULL;

  g_assert_no_error (error);
  /* the vehicle check is several hundred bytes: in 64-byte chunks 200 ms apart it takes
   * seconds, far beyond a 400 ms deadline */
  set_faults (fixture, "{\"slow_body_ms\":200}");
  tirkeu_portal_client_set_timeout_ms (fixture->client, 400);
  tirkeu_portal_client_set_max_attempts (fixture->client, 1);
  check = check_vehicle (fixture, VIN_OK, &error);
  g_assert_null (check);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT);
  set_faults (fixture, "{\"slow_body_ms\":0}");
}

static void
test_oversized (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalSeller) seller = sign_in (fixture, &error);
  g_autoptr(TirkeuPortalVehicleCheck) check = NULL;

  g_assert_no_error (error);
  tirkeu_portal_client_set_max_answer_size (fixture->client, 128);
  check = check_vehicle (fixture, VIN_OK, &error);
  g_assert_null (check);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TOO_LARGE);
}

static void
test_fault_drop_get (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalSeller) seller = sign_in (fixture, &error);
  g_autoptr(TirkeuPortalPerson) person = NULL;
  guint before;

  g_assert_no_error (error);
  set_faults (fixture, "{\"drop_rate\":1}");
  tirkeu_portal_client_set_max_attempts (fixture->client, 3);
  before = _tirkeu_portal_client_get_n_attempts (fixture->client);
  person = check_person (fixture, BUYER_IIN, &error);
  g_assert_null (person);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_NETWORK);
  g_assert_cmpuint (_tirkeu_portal_client_get_n_attempts (fixture->client) - before, ==, 3);
}

static void
test_fault_drop_post (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalSeller) seller = sign_in (fixture, &error);
  g_autoptr(TirkeuRequest) lost = NULL;
  g_autoptr(TirkeuRequest) found = NULL;
  g_autofree char *key = g_uuid_string_random ();
  guint before;

  g_assert_no_error (error);

  /* Every answer is lost after the portal acted: the client sends the POST three times with
   * one Idempotency-Key, and the portal holds exactly one request. */
  set_faults (fixture, "{\"drop_rate\":1}");
  tirkeu_portal_client_set_max_attempts (fixture->client, 3);
  before = _tirkeu_portal_client_get_n_attempts (fixture->client);
  lost = create_request (fixture, key, VIN_OK, BUYER_IIN, CONTRACT_OK, NULL, &error);
  g_assert_null (lost);
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_NETWORK);
  g_assert_cmpuint (_tirkeu_portal_client_get_n_attempts (fixture->client) - before, ==, 3);
  g_assert_cmpuint (count_requests (fixture), ==, 1);
  g_clear_error (&error);

  /* The network heals; the same key finds the request made the first time. */
  set_faults (fixture, "{\"drop_rate\":0}");
  found = create_request (fixture, key, VIN_OK, BUYER_IIN, CONTRACT_OK, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_request_get_stage (found), ==, TIRKEU_STAGE_CONTRACT_FOUND);
  g_assert_cmpuint (count_requests (fixture), ==, 1);
}

static void
test_fault_drop_then_heal (Fixture       *fixture,
                           gconstpointer  data)
{
  TirkeuSandboxOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalSeller) seller = NULL;
  g_autoptr(TirkeuRequest) created = NULL;
  g_autofree char *key = g_uuid_string_random ();

  /* Half the calls dropped (a repeatable seed): with enough attempts the POST succeeds and
   * there is still exactly one request. */
  sb_options_for_test (&options, NULL);
  options.drop_rate = 0.5;
  options.seed = 7;
  start (fixture, &options);
  tirkeu_portal_client_set_max_attempts (fixture->client, 10);

  /* POST /auth/session is never retried by the client (the challenge is single use): a
   * dropped one is the caller's to repeat, with a new challenge. */
  for (guint i = 0; i < 10 && seller == NULL; i++)
    {
      seller = sign_in (fixture, &error);
      if (seller == NULL)
        {
          g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_NETWORK);
          g_clear_error (&error);
        }
    }
  g_assert_nonnull (seller);
  created = create_request (fixture, key, VIN_OK, BUYER_IIN, CONTRACT_OK, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_requests (fixture), ==, 1);
}

static void
test_rate_limited (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalSeller) seller = sign_in (fixture, &error);
  gint64 start_time;
  guint before;

  g_assert_no_error (error);
  set_faults (fixture, "{\"rate_limit\":1}");
  sb_iterate (1100);

  /* Three calls in a row at one call a second: the portal says 429 with Retry-After, the
   * client waits as told and every call goes through. */
  start_time = g_get_monotonic_time ();
  before = _tirkeu_portal_client_get_n_attempts (fixture->client);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(TirkeuPortalPerson) person = check_person (fixture, BUYER_IIN, &error);

      g_assert_no_error (error);
    }
  g_assert_cmpuint (_tirkeu_portal_client_get_n_attempts (fixture->client) - before, >, 3);
  g_assert_cmpint (g_get_monotonic_time () - start_time, >=, 1 * G_TIME_SPAN_SECOND);

  /* With no retries, the caller sees RATE_LIMITED and how long to wait. */
  tirkeu_portal_client_set_max_attempts (fixture->client, 1);
  {
    g_autoptr(TirkeuPortalPerson) first = check_person (fixture, BUYER_IIN, &error);
    g_autoptr(TirkeuPortalPerson) second = NULL;

    g_clear_error (&error);
    second = check_person (fixture, BUYER_IIN, &error);
    g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_RATE_LIMITED);
    g_assert_cmpuint (tirkeu_portal_error_get_retry_after (error), >=, 1);
  }
  set_faults (fixture, "{\"rate_limit\":0}");
}

/* ------------------------------------------------------------------------------------------ */
/* The buyer's side, played by the sandbox in auto mode, read back through the client         */

static char *
create_and_sign (Fixture    *fixture,
                 const char *vin,
                 const char *iin,
                 const char *contract)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuRequest) created = NULL;
  g_autoptr(TirkeuRequest) submitted = NULL;
  g_autoptr(TirkeuPortalRequestInfo) info = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autofree char *key = g_uuid_string_random ();

  created = create_request (fixture, key, vin, iin, contract, &info, &error);
  g_assert_no_error (error);
  signature = sign_payload ("sign", info);
  submitted = submit_signature (fixture, tirkeu_request_get_portal_id (created), signature,
                                &error);
  g_assert_no_error (error);
  return g_strdup (tirkeu_request_get_portal_id (created));
}

/* Polls the portal through the client until the request reaches @stage. */
static TirkeuRequest *
wait_for_stage (Fixture     *fixture,
                const char  *id,
                TirkeuStage  stage)
{
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GError) error = NULL;
      TirkeuRequest *request = get_request (fixture, id, &error);

      g_assert_no_error (error);
      if (tirkeu_request_get_stage (request) == stage)
        return request;
      g_object_unref (request);
      /* One buyer step on the sandbox's manual clock: no real time passes. */
      tirkeu_sandbox_advance_clock (fixture->sb.sandbox,
                                    (GTimeSpan) fixture->sb.buyer_step_ms
                                    * G_TIME_SPAN_MILLISECOND);
    }

  g_error ("request %s never reached %s", id, tirkeu_stage_to_string (stage));
}

static void
test_buyer_journeys (Fixture       *fixture,
                     gconstpointer  data)
{
  TirkeuSandboxOptions options;
  g_autofree char *refused_id = NULL;
  g_autofree char *fines_id = NULL;
  g_autofree char *completed_id = NULL;
  g_autoptr(TirkeuRequest) refused = NULL;
  g_autoptr(TirkeuRequest) fines = NULL;
  g_autoptr(TirkeuRequest) completed = NULL;
  g_autoptr(TirkeuPortalChanges) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) paid = NULL;

  sb_options_for_test (&options, NULL);
  options.buyer_mode = TIRKEU_SANDBOX_BUYER_AUTO;
  options.buyer_step_ms = 1000;
  start (fixture, &options);
  sb_use_manual_clock (&fixture->sb);

  /* step 12: the e-passport was cancelled: a reasoned refusal */
  refused_id = create_and_sign (fixture, "WDD2130441A000109", "990330500231", "DKP-2025-000109");
  /* step 14: the buyer has unpaid fines */
  fines_id = create_and_sign (fixture, "KMHE341C9RA000112", "920715400560", "DKP-2025-000112");
  /* all the way: TsON and plate chosen, registered */
  completed_id = create_and_sign (fixture, VIN_OK_2, BUYER_IIN, CONTRACT_OK_2);

  refused = wait_for_stage (fixture, refused_id, TIRKEU_STAGE_REFUSED);
  g_assert_cmpstr (tirkeu_request_get_refusal_code (refused), ==, "EPASSPORT_NOT_FOUND");
  /* the sandbox sends the reason in the three languages, and all three are kept */
  g_assert_nonnull (strstr (tirkeu_localized_text_get (tirkeu_request_get_refusal_reason (refused),
                                                       "en"), "passport"));
  g_assert_nonnull (tirkeu_localized_text_get (tirkeu_request_get_refusal_reason (refused), "kk"));
  g_assert_nonnull (tirkeu_localized_text_get (tirkeu_request_get_refusal_reason (refused), "ru"));

  fines = wait_for_stage (fixture, fines_id, TIRKEU_STAGE_FINES_UNPAID);
  g_assert_cmpstr (tirkeu_request_get_refusal_code (fines), ==, "FINES_UNPAID");

  /* the buyer pays: the request goes on to the end */
  paid = tirkeu_sandbox_buyer_action (fixture->sb.sandbox, fines_id, "pay-fines", NULL, NULL,
                                      &error);
  g_assert_no_error (error);
  g_clear_object (&fines);
  fines = wait_for_stage (fixture, fines_id, TIRKEU_STAGE_COMPLETED);

  completed = wait_for_stage (fixture, completed_id, TIRKEU_STAGE_COMPLETED);
  for (guint i = 0; i < 3; i++)
    {
      static const char * const languages[] = { "kk", "ru", "en" };

      g_assert_nonnull (tirkeu_localized_text_get (tirkeu_request_get_tson_name (completed),
                                                   languages[i]));
      g_assert_nonnull (tirkeu_localized_text_get (tirkeu_request_get_tson_address (completed),
                                                   languages[i]));
    }
  g_assert_cmpstr (tirkeu_localized_text_get (tirkeu_request_get_tson_name (completed), "kk"), !=,
                   tirkeu_localized_text_get (tirkeu_request_get_tson_name (completed), "ru"));
  g_assert_nonnull (tirkeu_request_get_plate_type (completed));
  g_assert_cmpuint (tirkeu_request_get_history (completed)->len, >, 10);

  /* a sync from scratch sees the three in their final stages */
  changes = get_changes (fixture, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->requests->len, ==, 3);
  for (guint i = 0; i < changes->requests->len; i++)
    {
      TirkeuRequest *request = g_ptr_array_index (changes->requests, i);

      g_assert_true (tirkeu_stage_is_final (tirkeu_request_get_stage (request)));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/portal/sandbox/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("about", test_about);
  ADD ("tls-refused", test_tls_refused);
  ADD ("sign-in", test_sign_in);
  ADD ("sign-in-no-oked", test_sign_in_no_oked);
  ADD ("vehicle-checks", test_vehicle_checks);
  ADD ("person-checks", test_person_checks);
  ADD ("contracts", test_contracts);
  ADD ("request-flow", test_request_flow);
  ADD ("conflicts", test_conflicts);
  ADD ("session-renewal", test_session_renewal);
  ADD ("fault-5xx", test_fault_5xx);
  ADD ("fault-malformed", test_fault_malformed);
  ADD ("fault-slow", test_fault_slow);
  ADD ("oversized", test_oversized);
  ADD ("fault-drop-get", test_fault_drop_get);
  ADD ("fault-drop-post", test_fault_drop_post);
  ADD ("rate-limited", test_rate_limited);
#undef ADD
  g_test_add ("/portal/sandbox/fault-drop-then-heal", Fixture, NULL, NULL,
              test_fault_drop_then_heal, fixture_tear_down);
  g_test_add ("/portal/sandbox/buyer-journeys", Fixture, NULL, NULL, test_buyer_journeys,
              fixture_tear_down);

  for (guint i = 0; i < G_N_ELEMENTS (sign_in_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/portal/sandbox/sign-in-refused/%s",
                                               sign_in_cases[i].identity);

      g_test_add (path, Fixture, &sign_in_cases[i], fixture_set_up, test_sign_in_refused,
                  fixture_tear_down);
    }
  for (guint i = 0; i < G_N_ELEMENTS (create_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/portal/sandbox/create-refused/%s",
                                               create_cases[i].name);

      g_test_add (path, Fixture, &create_cases[i], fixture_set_up, test_create_refused,
                  fixture_tear_down);
    }
  for (guint i = 0; i < G_N_ELEMENTS (signature_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/portal/sandbox/signature-refused/%s",
                                               signature_cases[i].name);

      g_test_add (path, Fixture, &signature_cases[i], fixture_set_up, test_signature_refused,
                  fixture_tear_down);
    }

  return g_test_run ();
}
