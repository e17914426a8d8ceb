/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tirkeu-sandbox's API against data/portal-api.yaml: every endpoint and every error code,
 * idempotency, the signature checks (over other bytes, another BIN, an AUTH key for a request,
 * an untrusted CA, no right to sign), withdrawal, sync, the admin endpoints and the fault
 * injection. The sandbox runs in-process on 127.0.0.1:0 with real TLS; the client trusts
 * only the sandbox's own CA.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "tirkeu-sandbox-pki.h"
#include "tirkeu-sandbox-private.h"
#include "tirkeu-iin.h"
#include "tirkeu-signing-payload.h"
#include "test-sandbox-util.h"

typedef struct
{
  SbFixture sb;
  char *token;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  TirkeuSandboxOptions options;

  sb_options_for_test (&options, NULL);
  sb_fixture_start (&fixture->sb, &options);
  fixture->token = sb_sign_in (&fixture->sb, "auth");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_pointer (&fixture->token, g_free);
  sb_fixture_stop (&fixture->sb);
}

static SbAnswer *
call (Fixture    *fixture,
      const char *method,
      const char *path,
      const char *body)
{
  return sb_call (fixture->sb.session, fixture->sb.url, method, path, fixture->token, NULL, body);
}

/* ---- about, errors of the transport --------------------------------------------------- */

static void
test_about (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_autoptr(SbAnswer) about = sb_call (fixture->sb.session, fixture->sb.url, "GET",
                                       "/api/v1/about", NULL, NULL, NULL);
  g_autoptr(SbAnswer) missing = call (fixture, "GET", "/api/v1/no-such-thing", NULL);
  g_autoptr(SbAnswer) outside = call (fixture, "GET", "/index.html", NULL);
  g_autoptr(SbAnswer) method = call (fixture, "DELETE", "/api/v1/seller", NULL);
  JsonObject *object = sb_answer_ok (about, 200);

  g_assert_cmpstr (json_object_get_string_member (object, "environment"), ==, "sandbox");
  g_assert_cmpstr (json_object_get_string_member (object, "api_version"), ==, "1.4.0");
  g_assert_nonnull (json_object_get_object_member (object, "portal_name"));

  /* Errors carry the environment header too (sb_answer_error checks it). */
  g_assert_cmpstr (json_object_get_string_member (sb_answer_error (missing, 404, "NOT_FOUND"),
                                                  "field"), ==, "path");
  sb_answer_error (outside, 404, "NOT_FOUND");
  sb_answer_error (method, 404, "NOT_FOUND");
}

static void
test_untrusted_client (Fixture       *fixture,
                       gconstpointer  user_data)
{
  /* A client that trusts another CA (here the signer CA) refuses the sandbox's certificate. */
  g_autoptr(SoupSession) session = sb_session_new (sb_signer_ca_file ());
  g_autoptr(SbAnswer) answer = sb_call (session, fixture->sb.url, "GET", "/api/v1/about",
                                        NULL, NULL, NULL);

  g_assert_error (answer->error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

/* ---- sign-in -------------------------------------------------------------------------- */

static void
test_sign_in (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(SbAnswer) challenge = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                           "/api/v1/auth/challenge", NULL, NULL, NULL);
  JsonObject *object = sb_answer_ok (challenge, 201);
  g_autofree char *signature = sb_sign_base64 ("auth", json_object_get_string_member (object,
                                                                                     "challenge"));
  g_autofree char *body = g_strdup_printf ("{\"challenge_id\":\"%s\",\"signature\":\"%s\"}",
                                           json_object_get_string_member (object,
                                                                          "challenge_id"),
                                           signature);
  g_autoptr(SbAnswer) session = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                         "/api/v1/auth/session", NULL, NULL, body);
  g_autoptr(SbAnswer) replay = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                        "/api/v1/auth/session", NULL, NULL, body);
  g_autoptr(SbAnswer) profile = NULL;
  JsonObject *seller, *check;
  const char *token;

  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "expires_at"), "Z"));
  object = sb_answer_ok (session, 201);
  token = json_object_get_string_member (object, "token");
  g_assert_cmpuint (strlen (token), >=, 32);
  seller = json_object_get_object_member (object, "seller");
  g_assert_cmpstr (json_object_get_string_member (seller, "bin"), ==, SELLER_BIN);
  check = json_object_get_object_member (seller, "oked_check");
  g_assert_true (json_object_get_boolean_member (check, "qualifies"));
  g_assert_cmpstr (json_object_get_string_member (check, "matched_code"), ==, "45.11");

  /* The challenge is single use. */
  g_assert_cmpstr (json_object_get_string_member (sb_answer_error (replay, 400,
                                                                   "VALIDATION_FAILED"),
                                                  "field"), ==, "challenge_id");

  profile = sb_call (fixture->sb.session, fixture->sb.url, "GET", "/api/v1/seller", token,
                     NULL, NULL);
  object = sb_answer_ok (profile, 200);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==,
                   "ТОО «Тіркеу Авто Сауда»");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "oked")), ==, 2);
}

typedef struct
{
  const char *name;
  const char *identity;    /* NULL: a signature over other bytes by "auth" */
  const char *signature;   /* a literal signature instead */
  guint status;
  const char *code;
} SignInCase;

static const SignInCase sign_in_cases[] = {
  { "sign-key", "sign", NULL, 403, "SIGNER_NOT_AUTHORIZED" },
  { "untrusted-ca", "auth-untrusted", NULL, 422, "SIGNATURE_INVALID" },
  { "other-bytes", NULL, NULL, 422, "SIGNATURE_INVALID" },
  { "unknown-bin", "auth-unknown", NULL, 403, "SIGNER_NOT_AUTHORIZED" },
  { "not-base64", NULL, "@@not base64@@", 422, "SIGNATURE_INVALID" },
  { "not-cms", NULL, "aGVsbG8gd29ybGQ=", 422, "SIGNATURE_INVALID" },
};

static void
test_sign_in_refused (gconstpointer user_data)
{
  const SignInCase *test = user_data;
  TirkeuSandboxOptions options;
  SbFixture sb = { 0 };
  g_autoptr(SbAnswer) challenge = NULL;
  g_autoptr(SbAnswer) session = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *body = NULL;
  JsonObject *object;

  sb_options_for_test (&options, NULL);
  sb_fixture_start (&sb, &options);
  challenge = sb_call (sb.session, sb.url, "POST", "/api/v1/auth/challenge", NULL, NULL, NULL);
  object = sb_answer_ok (challenge, 201);

  if (test->signature != NULL)
    signature = g_strdup (test->signature);
  else if (test->identity != NULL)
    signature = sb_sign_base64 (test->identity, json_object_get_string_member (object,
                                                                              "challenge"));
  else
    signature = sb_sign_base64 ("auth", "b3RoZXIgYnl0ZXM=");

  body = g_strdup_printf ("{\"challenge_id\":\"%s\",\"signature\":\"%s\"}",
                          json_object_get_string_member (object, "challenge_id"), signature);
  session = sb_call (sb.session, sb.url, "POST", "/api/v1/auth/session", NULL, NULL, body);
  sb_answer_error (session, test->status, test->code);

  sb_fixture_stop (&sb);
}

static void
test_unauthorized (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(SbAnswer) none = sb_call (fixture->sb.session, fixture->sb.url, "GET",
                                      "/api/v1/seller", NULL, NULL, NULL);
  g_autoptr(SbAnswer) bogus = sb_call (fixture->sb.session, fixture->sb.url, "GET",
                                       "/api/v1/seller", "not-a-token", NULL, NULL);
  g_autoptr(SbAnswer) expire = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                        "/admin/sessions/expire", NULL, NULL, NULL);
  g_autoptr(SbAnswer) expired = call (fixture, "GET", "/api/v1/seller", NULL);

  sb_answer_error (none, 401, "UNAUTHORIZED");
  g_assert_cmpstr (soup_message_headers_get_one (none->headers, "WWW-Authenticate"), ==,
                   "Bearer realm=\"tirkeu\"");
  sb_answer_error (bogus, 401, "UNAUTHORIZED");
  g_assert_cmpint (json_object_get_int_member (sb_answer_ok (expire, 200), "expired"), ==, 1);
  sb_answer_error (expired, 401, "SESSION_EXPIRED");
}

static void
test_session_ttl (void)
{
  TirkeuSandboxOptions options;
  SbFixture sb = { 0 };
  g_autofree char *token = NULL;
  g_autoptr(SbAnswer) fresh = NULL;
  g_autoptr(SbAnswer) stale = NULL;

  sb_options_for_test (&options, NULL);
  options.session_ttl_s = 1800;
  sb_fixture_start (&sb, &options);
  sb_use_manual_clock (&sb);
  token = sb_sign_in (&sb, "auth");

  /* The session lives exactly session_ttl_s on the sandbox's clock: valid to its last
   * microsecond, expired at its end. No real time passes. */
  tirkeu_sandbox_advance_clock (sb.sandbox, 1800 * G_TIME_SPAN_SECOND - 1);
  fresh = sb_call (sb.session, sb.url, "GET", "/api/v1/seller", token, NULL, NULL);
  sb_answer_ok (fresh, 200);
  tirkeu_sandbox_advance_clock (sb.sandbox, 1);
  stale = sb_call (sb.session, sb.url, "GET", "/api/v1/seller", token, NULL, NULL);
  sb_answer_error (stale, 401, "SESSION_EXPIRED");

  sb_fixture_stop (&sb);
}

static void
test_oked_mismatch (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *token = sb_sign_in (&fixture->sb, "auth-no-oked");
  g_autoptr(SbAnswer) profile = sb_call (fixture->sb.session, fixture->sb.url, "GET",
                                         "/api/v1/seller", token, NULL, NULL);
  g_autoptr(SbAnswer) create = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                        "/api/v1/requests", token, "k-oked",
                                        "{\"vin\":\"" VIN_OK "\",\"buyer_iin\":\"" BUYER_IIN
                                        "\",\"contract_number\":\"DKP-2025-900101\"}");
  JsonObject *check = json_object_get_object_member (sb_answer_ok (profile, 200), "oked_check");

  g_assert_false (json_object_get_boolean_member (check, "qualifies"));
  g_assert_true (json_object_get_null_member (check, "matched_code"));
  g_assert_cmpint (json_object_get_int_member (sb_answer_error (create, 403, "OKED_MISMATCH"),
                                               "step"), ==, 1);
}

/* ---- steps 2-8 ------------------------------------------------------------------------ */

typedef struct
{
  const char *vin;
  const char *epassport;
  const char *customs;
  const char *utilization;
  int stopped_step;     /* 0: passes */
  const char *code;
} VehicleCase;

static const VehicleCase vehicle_cases[] = {
  { VIN_OK, "found", "paid", "paid", 0, NULL },
  { "jtnb23hk2r3000101", "found", "paid", "paid", 0, NULL },
  { "XW8ZZZ3C0SG000103", "not_found", "no_data", "no_data", 3, "EPASSPORT_NOT_FOUND" },
  { "1HGCM82633A004352", "not_found", "no_data", "no_data", 3, "EPASSPORT_NOT_FOUND" },
  { "Z94K241C4SR000104", "found", "unpaid", "paid", 4, "CUSTOMS_UNPAID" },
  { "KNAPH81A1S5000105", "found", "no_data", "paid", 4, "CUSTOMS_UNPAID" },
  { "LVVDB21BXRD000106", "found", "paid", "unpaid", 5, "UTILIZATION_UNPAID" },
  { "XTA210740S0000107", "found", "paid", "no_data", 5, "UTILIZATION_UNPAID" },
};

static void
test_vehicles (Fixture       *fixture,
               gconstpointer  user_data)
{
  for (guint i = 0; i < G_N_ELEMENTS (vehicle_cases); i++)
    {
      const VehicleCase *test = &vehicle_cases[i];
      g_autofree char *path = g_strconcat ("/api/v1/vehicles/", test->vin, NULL);
      g_autoptr(SbAnswer) answer = call (fixture, "GET", path, NULL);
      JsonObject *object = sb_answer_ok (answer, 200);
      JsonObject *epassport = json_object_get_object_member (object, "epassport");
      g_autofree char *upper = g_ascii_strup (test->vin, -1);

      g_test_message ("VIN %s", test->vin);
      g_assert_cmpstr (json_object_get_string_member (object, "vin"), ==, upper);
      g_assert_cmpstr (json_object_get_string_member (epassport, "status"), ==,
                       test->epassport);
      g_assert_cmpstr (json_object_get_string_member (
                         json_object_get_object_member (object, "customs"), "status"), ==,
                       test->customs);
      g_assert_cmpstr (json_object_get_string_member (
                         json_object_get_object_member (object, "utilization"), "status"), ==,
                       test->utilization);
      if (test->stopped_step == 0)
        {
          g_assert_true (json_object_get_null_member (object, "stopped_at"));
          g_assert_cmpstr (json_object_get_string_member (epassport, "make"), ==, "Toyota");
          g_assert_cmpint (json_object_get_int_member (epassport, "year"), ==, 2025);
          g_assert_cmpstr (json_object_get_string_member (epassport, "category"), ==, "M1");
        }
      else
        {
          JsonObject *stopped = json_object_get_object_member (object, "stopped_at");

          g_assert_cmpint (json_object_get_int_member (stopped, "step"), ==,
                           test->stopped_step);
          g_assert_cmpstr (json_object_get_string_member (stopped, "code"), ==, test->code);
          g_assert_nonnull (json_object_get_object_member (stopped, "message"));
        }
    }

  {
    g_autoptr(SbAnswer) bad = call (fixture, "GET", "/api/v1/vehicles/IOQ123", NULL);
    g_assert_cmpstr (json_object_get_string_member (sb_answer_error (bad, 400,
                                                                     "VALIDATION_FAILED"),
                                                    "field"), ==, "vin");
  }
}

static void
test_persons (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(SbAnswer) found = call (fixture, "GET", "/api/v1/persons/" BUYER_IIN, NULL);
  g_autoptr(SbAnswer) deceased = call (fixture, "GET", "/api/v1/persons/601012300461", NULL);
  g_autoptr(SbAnswer) unknown = call (fixture, "GET", "/api/v1/persons/" UNKNOWN_IIN, NULL);
  g_autoptr(SbAnswer) invalid = call (fixture, "GET", "/api/v1/persons/123456789021", NULL);
  g_autoptr(SbAnswer) short_iin = call (fixture, "GET", "/api/v1/persons/12345", NULL);
  JsonObject *object = sb_answer_ok (found, 200);

  g_assert_true (tirkeu_iin_is_valid (UNKNOWN_IIN));
  g_assert_cmpstr (json_object_get_string_member (object, "iin"), ==, BUYER_IIN);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (object, "full_name"), ==,
                   "АХМЕТОВ ЕРЛАН САПАРОВИЧ");
  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (deceased, 200), "status"), ==,
                   "deceased");
  g_assert_cmpint (json_object_get_int_member (sb_answer_error (unknown, 404,
                                                                "PERSON_NOT_FOUND"),
                                               "step"), ==, 7);
  sb_answer_error (invalid, 400, "VALIDATION_FAILED");
  sb_answer_error (short_iin, 400, "VALIDATION_FAILED");
}

static void
test_contracts (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(SbAnswer) one = call (fixture, "GET", "/api/v1/contracts?vin=" VIN_OK
                                  "&buyer_iin=" BUYER_IIN, NULL);
  g_autoptr(SbAnswer) two = call (fixture, "GET", "/api/v1/contracts?vin=XW8ZZZ3C0SG000117"
                                  "&buyer_iin=990330500231", NULL);
  g_autoptr(SbAnswer) none = call (fixture, "GET", "/api/v1/contracts?vin=KNAPH81A1S5000119"
                                   "&buyer_iin=" BUYER_IIN, NULL);
  g_autoptr(SbAnswer) other_seller = call (fixture, "GET", "/api/v1/contracts?vin=" VIN_OK_3
                                           "&buyer_iin=" BUYER_IIN, NULL);
  g_autoptr(SbAnswer) missing = call (fixture, "GET", "/api/v1/contracts?vin=" VIN_OK, NULL);
  JsonArray *list = json_object_get_array_member (sb_answer_ok (one, 200), "contracts");
  JsonObject *contract;

  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  contract = json_array_get_object_element (list, 0);
  g_assert_cmpstr (json_object_get_string_member (contract, "number"), ==, CONTRACT_OK);
  g_assert_cmpstr (json_object_get_string_member (contract, "date"), ==, "2025-10-01");
  g_assert_cmpstr (json_object_get_string_member (contract, "price"), ==, "17500000.00");
  g_assert_cmpstr (json_object_get_string_member (contract, "currency"), ==, "KZT");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (contract,
                                                                                 "seller"),
                                                  "bin"), ==, SELLER_BIN);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (contract,
                                                                                 "buyer"),
                                                  "full_name"), ==, "АХМЕТОВ ЕРЛАН САПАРОВИЧ");

  /* Newest first. */
  list = json_object_get_array_member (sb_answer_ok (two, 200), "contracts");
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0),
                                                  "number"), ==, "DKP-2025-000117-A");

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      sb_answer_ok (none, 200), "contracts")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      sb_answer_ok (other_seller, 200), "contracts")), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (sb_answer_error (missing, 400,
                                                                   "VALIDATION_FAILED"),
                                                  "field"), ==, "buyer_iin");
}

/* Bodies and queries the fuzzers found that crashed the sandbox or dropped the connection:
 * each gets its 400 in the error model. */
static void
test_hostile_input (Fixture       *fixture,
                    gconstpointer  user_data)
{
  static const char * const bodies[] = { " ", "\n\t \r\n", "null", "\"text\"", "[]", "1",
                                         "{\"a\":1} {", "{\"a\":",
                                         /* a second value after the object */
                                         "{\"signature\":\"aGVsbG8=\"}{\"a\":1}",
                                         "{} {\"signature\":\"x\"}", "0{\"a\":\"b\"}" };
  static const char * const queries[] = {
    "/api/v1/contracts?vin=JTNB23HK2R3%26000101&buyer_iin=" BUYER_IIN,
    "/api/v1/contracts?vin=" VIN_OK "%26buyer_iin=" BUYER_IIN,
    "/api/v1/contracts?vin=" VIN_OK "&buyer_iin=" BUYER_IIN "%26x",
    "/api/v1/contracts?vin&buyer_iin",
    "/api/v1/contracts?vin=%ff%fe&buyer_iin=%00",
    "/api/v1/contracts?&&=&vin==",
    "/api/v1/changes?cursor=%26&limit=%26",
    "/api/v1/changes?limit=1%00",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      const char *paths[] = { "/api/v1/auth/session", "/api/v1/requests" };

      for (guint j = 0; j < G_N_ELEMENTS (paths); j++)
        {
          g_autoptr(SbAnswer) answer = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                                paths[j], fixture->token, "hostile", bodies[i]);

          g_test_message ("body %u to %s", i, paths[j]);
          g_assert_no_error (answer->error);
          g_assert_cmpstr (json_object_get_string_member (
                             sb_answer_error (answer, 400, "VALIDATION_FAILED"), "field"),
                           ==, "body");
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(SbAnswer) answer = call (fixture, "GET", queries[i], NULL);

      g_test_message ("query %u", i);
      g_assert_no_error (answer->error);
      sb_answer_error (answer, 400, "VALIDATION_FAILED");
    }
}

static void
chunked_sent_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GBytes **raw = user_data;
  g_autoptr(GError) error = NULL;

  *raw = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

/* A body over 64 KiB is refused with 413 in the error model, whether its Content-Length says
 * so or it comes chunked; one of exactly 64 KiB is read. */
static void
test_body_limit (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *padding = g_strnfill (64 * 1024 - strlen ("{\"x\":\"\"}"), 'a');
  g_autofree char *fits = g_strdup_printf ("{\"x\":\"%s\"}", padding);
  g_autofree char *over = g_strdup_printf ("{\"x\":\"%sa\"}", padding);
  g_autoptr(SbAnswer) fitting = call (fixture, "POST", "/api/v1/auth/session", fits);
  g_autoptr(SbAnswer) too_large = call (fixture, "POST", "/api/v1/requests", over);
  g_autoptr(SbAnswer) admin = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                       "/admin/faults", NULL, NULL, over);
  g_autofree char *target = g_strconcat (fixture->sb.url, "/api/v1/auth/session", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", target);
  g_autofree guint8 *megabyte = g_malloc0 (1024 * 1024);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (megabyte, 1024 * 1024,
                                                                         NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) raw = NULL;

  g_assert_cmpuint (strlen (fits), ==, 64 * 1024);
  g_assert_cmpstr (json_object_get_string_member (
                     sb_answer_error (fitting, 400, "VALIDATION_FAILED"), "field"),
                   ==, "signature");
  g_assert_cmpstr (json_object_get_string_member (
                     sb_answer_error (too_large, 413, "VALIDATION_FAILED"), "field"),
                   ==, "body");
  sb_answer_error (admin, 413, "VALIDATION_FAILED");

  /* Chunked: no Content-Length to refuse by, so it is counted as it arrives. */
  soup_message_set_request_body (msg, "application/json", stream, -1);
  soup_session_send_and_read_async (fixture->sb.session, msg, G_PRIORITY_DEFAULT, NULL,
                                    chunked_sent_cb, &raw);
  while (raw == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 413);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (raw, NULL),
                                             g_bytes_get_size (raw), NULL));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (
                     json_parser_get_root (parser)), "code"), ==, "VALIDATION_FAILED");
}

/* Challenges anyone may ask for do not pile up: past 256 unanswered ones the oldest goes. */
static void
test_challenge_limit (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(SbAnswer) first = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                       "/api/v1/auth/challenge", NULL, NULL, NULL);
  JsonObject *challenge = sb_answer_ok (first, 201);
  g_autofree char *signature = sb_sign_base64 ("auth", json_object_get_string_member (
                                                         challenge, "challenge"));
  g_autofree char *body = g_strdup_printf ("{\"challenge_id\":\"%s\",\"signature\":\"%s\"}",
                                           json_object_get_string_member (challenge,
                                                                          "challenge_id"),
                                           signature);
  g_autoptr(SbAnswer) evicted = NULL;
  g_autofree char *token = NULL;

  /* The next 256 straight to the handler: 256 HTTPS round trips would take seconds. */
  for (guint i = 0; i < 256; i++)
    {
      Reply reply = { 0, NULL };

      _sb_api_challenge (fixture->sb.sandbox, &reply);
      g_assert_cmpuint (reply.status, ==, 201);
      g_clear_pointer (&reply.body, json_node_unref);
    }

  evicted = sb_call (fixture->sb.session, fixture->sb.url, "POST", "/api/v1/auth/session",
                     NULL, NULL, body);
  g_assert_cmpstr (json_object_get_string_member (
                     sb_answer_error (evicted, 400, "VALIDATION_FAILED"), "field"),
                   ==, "challenge_id");
  /* A sign-in that asks for its challenge now still works. */
  token = sb_sign_in (&fixture->sb, "auth");
  g_assert_nonnull (token);
}

/* The portal's words as the law and a native reviewer have them: the sandbox is «сынақ
 * ортасы», the registration certificate КҚТК / СРТС, and no "EDS signature" tautology. */
static void
test_messages_terms (void)
{
  g_autofree char *file = tirkeu_sandbox_get_default_data_file ("messages.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *stages, *errors;
  const struct { const char *section, *key, *language, *wanted, *unwanted; } cases[] = {
    { NULL, "portal_name", "kk", "сынақ ортасы", "құмсалғыш" },
    { NULL, "portal_name", "ru", "тестовая среда", "песочниц" },
    { "stages", "completed", "kk", "(КҚТК)", NULL },
    { "stages", "completed", "ru", "(СРТС)", NULL },
    { "stages", "expired", "ru", "покупателю", "Срок действия покупателя" },
    { "stages", "expired", "kk", "Сатып алушыға", NULL },
    { "errors", "SIGNATURE_INVALID", "kk", "ЭЦҚ жарамсыз", "ЭЦҚ қолтаңбасы" },
    { "errors", "SIGNATURE_INVALID", "ru", "ЭЦП недействительна", "Подпись ЭЦП" },
  };

  g_assert_true (json_parser_load_from_file (parser, file, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  stages = json_object_get_object_member (root, "stages");
  errors = json_object_get_object_member (root, "errors");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      JsonObject *section = cases[i].section == NULL ? root
                            : g_str_equal (cases[i].section, "stages") ? stages : errors;
      const char *text = json_object_get_string_member (
        json_object_get_object_member (section, cases[i].key), cases[i].language);

      g_test_message ("%s %s", cases[i].key, cases[i].language);
      g_assert_nonnull (strstr (text, cases[i].wanted));
      if (cases[i].unwanted != NULL)
        g_assert_null (strstr (text, cases[i].unwanted));
    }
}

/* ---- requests ------------------------------------------------------------------------- */

typedef struct
{
  const char *vin;
  const char *iin;
  const char *contract;
  guint status;
  const char *code;
  int step;
} CreateCase;

static const CreateCase create_cases[] = {
  { "XW8ZZZ3C0SG000103", BUYER_IIN, "DKP-2025-000103", 422, "EPASSPORT_NOT_FOUND", 3 },
  { "Z94K241C4SR000104", BUYER_IIN, "DKP-2025-000104", 422, "CUSTOMS_UNPAID", 4 },
  { "KNAPH81A1S5000105", BUYER_IIN, "DKP-2025-000105", 422, "CUSTOMS_UNPAID", 4 },
  { "LVVDB21BXRD000106", BUYER_IIN, "DKP-2025-000106", 422, "UTILIZATION_UNPAID", 5 },
  { "XTA210740S0000107", BUYER_IIN, "DKP-2025-000107", 422, "UTILIZATION_UNPAID", 5 },
  { "LVVDB21B6RD000118", "601012300461", "DKP-2025-000118", 422, "PERSON_NOT_FOUND", 7 },
  { VIN_OK, UNKNOWN_IIN, CONTRACT_OK, 422, "PERSON_NOT_FOUND", 7 },
  { "KNAPH81A1S5000119", BUYER_IIN, "DKP-2025-000119", 422, "CONTRACT_NOT_FOUND", 8 },
  { VIN_OK, BUYER_IIN, "DKP-2025-999999", 422, "CONTRACT_NOT_FOUND", 8 },
  { VIN_OK_3, BUYER_IIN, "DKP-2025-000120", 422, "CONTRACT_NOT_FOUND", 8 },
  { "NOT-A-VIN", BUYER_IIN, CONTRACT_OK, 400, "VALIDATION_FAILED", 0 },
  { VIN_OK, "123456789021", CONTRACT_OK, 400, "VALIDATION_FAILED", 0 },
  { VIN_OK, BUYER_IIN, "", 400, "VALIDATION_FAILED", 0 },
  /* a control character, which no signing payload may hold */
  { VIN_OK, BUYER_IIN, "DKP\\u00092025", 400, "VALIDATION_FAILED", 0 },
  { VIN_OK, BUYER_IIN, "DKP\\u007f2025", 400, "VALIDATION_FAILED", 0 },
  /* 65 characters */
  { VIN_OK, BUYER_IIN, "DKP-2025-00000000000000000000000000000000000000000000000000000001",
    400, "VALIDATION_FAILED", 0 },
  /* 64 characters of 2 bytes each: within the bounds (characters, not bytes), no such contract */
  { VIN_OK, BUYER_IIN, "ДКПДКПДКПДКПДКПДКПДКПДКПДКПДКПДКПДКПДКПДКПДКПДКПДКПДКПДКПДКПДКПД",
    422, "CONTRACT_NOT_FOUND", 8 },
};

static void
test_create_refused (Fixture       *fixture,
                     gconstpointer  user_data)
{
  for (guint i = 0; i < G_N_ELEMENTS (create_cases); i++)
    {
      const CreateCase *test = &create_cases[i];
      g_autofree char *body = g_strdup_printf ("{\"vin\":\"%s\",\"buyer_iin\":\"%s\","
                                               "\"contract_number\":\"%s\"}",
                                               test->vin, test->iin, test->contract);
      g_autofree char *key = g_strdup_printf ("refused-%u", i);
      g_autoptr(SbAnswer) answer = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                            "/api/v1/requests", fixture->token, key, body);
      JsonObject *details;

      g_test_message ("case %u: %s", i, test->code);
      details = sb_answer_error (answer, test->status, test->code);
      if (test->step != 0)
        g_assert_cmpint (json_object_get_int_member (details, "step"), ==, test->step);
    }

  {
    /* Missing or malformed key, and a body that is not JSON. */
    g_autoptr(SbAnswer) no_key = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                          "/api/v1/requests", fixture->token, NULL, "{}");
    g_autoptr(SbAnswer) bad_key = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                           "/api/v1/requests", fixture->token, "a b", "{}");
    g_autoptr(SbAnswer) bad_body = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                            "/api/v1/requests", fixture->token, "k", "[1,");
    g_autoptr(SbAnswer) all = sb_call (fixture->sb.session, fixture->sb.url, "GET",
                                       "/admin/requests", NULL, NULL, NULL);

    g_assert_cmpstr (json_object_get_string_member (sb_answer_error (no_key, 400,
                                                                     "VALIDATION_FAILED"),
                                                    "field"), ==, "Idempotency-Key");
    sb_answer_error (bad_key, 400, "VALIDATION_FAILED");
    g_assert_cmpstr (json_object_get_string_member (sb_answer_error (bad_body, 400,
                                                                     "VALIDATION_FAILED"),
                                                    "field"), ==, "body");
    /* Nothing was created by a refusal. */
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        sb_answer_ok (all, 200), "requests")), ==, 0);
  }
}

static void
test_create_and_payload (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(SbAnswer) answer = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                        "/api/v1/requests", fixture->token, "payload-1",
                                        "{\"vin\":\"jtnb23hk2r3000101\",\"buyer_iin\":\""
                                        BUYER_IIN "\",\"contract_number\":\"" CONTRACT_OK
                                        "\",\"future\":true}");
  JsonObject *request = sb_answer_ok (answer, 201);
  const char *id = json_object_get_string_member (request, "id");
  g_autofree char *location = g_strconcat ("/api/v1/requests/", id, NULL);
  gsize length;
  g_autofree guchar *payload = g_base64_decode (json_object_get_string_member (request,
                                                                              "signing_payload"),
                                               &length);
  g_autofree char *expected = NULL;

  g_assert_cmpstr (soup_message_headers_get_one (answer->headers, "Location"), ==, location);
  g_assert_cmpstr (json_object_get_string_member (request, "stage"), ==, "contract_found");
  g_assert_cmpstr (json_object_get_string_member (request, "vin"), ==, VIN_OK);
  g_assert_cmpstr (json_object_get_string_member (request, "seller_bin"), ==, SELLER_BIN);
  g_assert_true (json_object_get_null_member (request, "refusal"));
  g_assert_true (json_object_get_null_member (request, "tson"));
  g_assert_true (json_object_get_null_member (request, "plate_type"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (request,
                                                                                 "vehicle"),
                                                  "model"), ==, "Camry");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (request,
                                                                                 "contract"),
                                                  "price"), ==, "17500000.00");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (request, "history")),
                    ==, 6);
  sb_assert_history_legal (request);
  /* No private member leaks into the API. */
  g_assert_false (json_object_has_member (request, "_ticks"));

  /* The canonical bytes of the contract: sorted members, no whitespace. */
  expected = g_strdup_printf ("{\"buyer_iin\":\"%s\",\"contract_number\":\"%s\","
                              "\"created_at\":\"%s\",\"id\":\"%s\",\"seller_bin\":\"%s\","
                              "\"type\":\"tirkeu.primary_registration.v1\",\"vin\":\"%s\"}",
                              BUYER_IIN, CONTRACT_OK,
                              json_object_get_string_member (request, "created_at"), id,
                              SELLER_BIN, VIN_OK);
  g_assert_cmpmem (payload, length, expected, strlen (expected));

  /* ... which the client's checker reads back as this sale. */
  {
    g_autoptr(GBytes) bytes = g_bytes_new (payload, length);
    g_autoptr(GError) error = NULL;

    g_assert_true (tirkeu_signing_payload_check (bytes, VIN_OK, BUYER_IIN, CONTRACT_OK,
                                                 SELLER_BIN, &error));
    g_assert_no_error (error);
  }
}

/* --wrong-payload: the request says the sale asked for, its signing payload another one,
 * in the canonical form, so that only a client that compares the members notices. */
static void
test_wrong_payload (Fixture       *fixture,
                    gconstpointer  user_data)
{
  const struct {
    const char *name;
    TirkeuSigningPayloadError code;
  } cases[] = {
    { "vin", TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_VIN },
    { "buyer_iin", TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_BUYER },
    { "contract_number", TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_CONTRACT },
    { "seller_bin", TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_SELLER },
    { "none", 0 },
  };
  g_autoptr(SbAnswer) refused = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                         "/admin/faults", NULL, NULL,
                                         "{\"wrong_payload\":\"price\"}");

  sb_answer_error (refused, 400, "VALIDATION_FAILED");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *faults = g_strdup_printf ("{\"wrong_payload\":\"%s\"}", cases[i].name);
      g_autoptr(SbAnswer) set = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                         "/admin/faults", NULL, NULL, faults);
      g_autofree char *key = g_strdup_printf ("wrong-%u", i);
      g_autofree char *id = NULL;
      g_autofree char *withdraw = NULL;
      g_autoptr(SbAnswer) withdrawn = NULL;
      g_autoptr(JsonNode) request = NULL;
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;
      guchar *decoded;

      g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (set, 200), "wrong_payload"),
                       ==, cases[i].name);
      id = sb_create_request (&fixture->sb, fixture->token, VIN_OK, BUYER_IIN, CONTRACT_OK, key);
      request = tirkeu_sandbox_get_request (fixture->sb.sandbox, id);
      /* The request itself names the sale that was asked for. */
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (request), "vin"), ==,
                       VIN_OK);
      decoded = g_base64_decode (json_object_get_string_member (json_node_get_object (request),
                                                                "signing_payload"), &length);
      payload = g_bytes_new_take (decoded, length);

      if (g_str_equal (cases[i].name, "none"))
        {
          g_assert_true (tirkeu_signing_payload_check (payload, VIN_OK, BUYER_IIN, CONTRACT_OK,
                                                       SELLER_BIN, &error));
          g_assert_no_error (error);
        }
      else
        {
          g_assert_false (tirkeu_signing_payload_check (payload, VIN_OK, BUYER_IIN, CONTRACT_OK,
                                                        SELLER_BIN, &error));
          g_assert_error (error, TIRKEU_SIGNING_PAYLOAD_ERROR, cases[i].code);
        }

      /* Withdrawn, so that the VIN is free for the next case. */
      withdraw = g_strconcat ("/api/v1/requests/", id, "/withdraw", NULL);
      withdrawn = call (fixture, "POST", withdraw, NULL);
      sb_answer_ok (withdrawn, 200);
    }
}

static void
test_idempotency (Fixture       *fixture,
                  gconstpointer  user_data)
{
  const char *body = "{\"vin\":\"" VIN_OK "\",\"buyer_iin\":\"" BUYER_IIN
                     "\",\"contract_number\":\"" CONTRACT_OK "\"}";
  g_autoptr(SbAnswer) first = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                       "/api/v1/requests", fixture->token, "same-key", body);
  g_autoptr(SbAnswer) again = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                       "/api/v1/requests", fixture->token, "same-key", body);
  g_autoptr(SbAnswer) other_body = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                            "/api/v1/requests", fixture->token, "same-key",
                                            "{\"vin\":\"" VIN_OK_2 "\",\"buyer_iin\":\""
                                            BUYER_IIN "\",\"contract_number\":\""
                                            CONTRACT_OK_2 "\"}");
  g_autoptr(SbAnswer) other_key = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                           "/api/v1/requests", fixture->token, "other-key",
                                           body);
  g_autoptr(SbAnswer) all = sb_call (fixture->sb.session, fixture->sb.url, "GET",
                                     "/admin/requests", NULL, NULL, NULL);
  const char *id = json_object_get_string_member (sb_answer_ok (first, 201), "id");
  JsonObject *details;

  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (again, 200), "id"), ==, id);
  /* Contract 1.1: the request names the key it was created with, the replay too. */
  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (first, 201), "idempotency_key"),
                   ==, "same-key");
  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (again, 200), "idempotency_key"),
                   ==, "same-key");
  sb_answer_error (other_body, 409, "CONFLICT");
  /* A new key for the same VIN: the VIN already has an active request, named in details. */
  details = sb_answer_error (other_key, 409, "CONFLICT");
  g_assert_cmpstr (json_object_get_string_member (details, "request_id"), ==, id);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      sb_answer_ok (all, 200), "requests")), ==, 1);
}

typedef struct
{
  const char *name;
  const char *identity;   /* NULL: "sign" over other bytes */
  guint status;
  const char *code;
} SignatureCase;

static const SignatureCase signature_cases[] = {
  { "other-bytes", NULL, 422, "SIGNATURE_INVALID" },
  { "other-bin", "sign-other-bin", 403, "SIGNER_NOT_AUTHORIZED" },
  { "auth-key", "auth", 403, "SIGNER_NOT_AUTHORIZED" },
  { "untrusted-ca", "sign-untrusted", 422, "SIGNATURE_INVALID" },
  { "no-right-to-sign", "sign-employee", 403, "SIGNER_NOT_AUTHORIZED" },
};

static void
test_signature (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *id = sb_create_request (&fixture->sb, fixture->token, VIN_OK, BUYER_IIN,
                                           CONTRACT_OK, "sig-1");
  g_autofree char *path = g_strconcat ("/api/v1/requests/", id, NULL);
  g_autofree char *sign_path = g_strconcat (path, "/signature", NULL);
  g_autoptr(SbAnswer) got = call (fixture, "GET", path, NULL);
  const char *payload = json_object_get_string_member (sb_answer_ok (got, 200),
                                                       "signing_payload");
  g_autoptr(JsonObject) accepted = NULL;
  g_autofree char *accepted_body = NULL;

  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (got, 200), "idempotency_key"),
                   ==, "sig-1");
  for (guint i = 0; i < G_N_ELEMENTS (signature_cases); i++)
    {
      const SignatureCase *test = &signature_cases[i];
      g_autofree char *signature = test->identity != NULL
                                   ? sb_sign_base64 (test->identity, payload)
                                   : sb_sign_base64 ("sign", "b3RoZXIgYnl0ZXM=");
      g_autofree char *body = g_strdup_printf ("{\"signature\":\"%s\"}", signature);
      g_autoptr(SbAnswer) answer = call (fixture, "POST", sign_path, body);
      g_autoptr(SbAnswer) after = call (fixture, "GET", path, NULL);

      g_test_message ("signature: %s", test->name);
      sb_answer_error (answer, test->status, test->code);
      /* A refused signature leaves the request waiting for the seller. */
      g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (after, 200), "stage"), ==,
                       "contract_found");
    }

  {
    g_autoptr(SbAnswer) empty = call (fixture, "POST", sign_path, "{}");
    g_autoptr(SbAnswer) nowhere = call (fixture, "POST",
                                        "/api/v1/requests/no-such-id/signature",
                                        "{\"signature\":\"AAAA\"}");

    sb_answer_error (empty, 400, "VALIDATION_FAILED");
    sb_answer_error (nowhere, 404, "NOT_FOUND");
  }

  accepted = sb_submit_signature (&fixture->sb, fixture->token, id);
  g_assert_cmpstr (json_object_get_string_member (accepted, "stage"), ==, "awaiting_buyer");
  g_assert_cmpstr (json_object_get_string_member (accepted, "idempotency_key"), ==, "sig-1");
  sb_assert_history_legal (accepted);

  {
    /* Any other signature once signed is a conflict (the same one again is a safe retry:
     * test_signature_retry). RSA with a signing time to the second can repeat the bytes
     * within a second, so the other signature comes from another key. */
    g_autofree char *signature = sb_sign_base64 ("sign-other-bin", payload);
    g_autofree char *body = g_strdup_printf ("{\"signature\":\"%s\"}", signature);
    g_autoptr(SbAnswer) other = call (fixture, "POST", sign_path, body);

    sb_answer_error (other, 409, "CONFLICT");
  }
}

static void
test_signature_retry (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autofree char *id = sb_create_request (&fixture->sb, fixture->token, VIN_OK, BUYER_IIN,
                                           CONTRACT_OK, "retry-1");
  g_autofree char *path = g_strconcat ("/api/v1/requests/", id, NULL);
  g_autofree char *sign_path = g_strconcat (path, "/signature", NULL);
  g_autoptr(SbAnswer) got = call (fixture, "GET", path, NULL);
  g_autofree char *signature = sb_sign_base64 ("sign",
                                               json_object_get_string_member (
                                                 sb_answer_ok (got, 200), "signing_payload"));
  g_autofree char *body = g_strdup_printf ("{\"signature\":\"%s\"}", signature);
  g_autoptr(SbAnswer) first = call (fixture, "POST", sign_path, body);
  g_autoptr(SbAnswer) again = call (fixture, "POST", sign_path, body);
  JsonObject *request;

  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (first, 200), "stage"), ==,
                   "awaiting_buyer");
  request = sb_answer_ok (again, 200);
  g_assert_cmpstr (json_object_get_string_member (request, "stage"), ==, "awaiting_buyer");
  /* signed, submitted, awaiting_buyer once each: the retry changed nothing. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (request, "history")),
                    ==, 9);
}

/* A signature made by the openssl command, an implementation we did not write, is accepted:
 * the sandbox checks the CMS format, not our way of making it. */
static void
test_signature_openssl_cli (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autofree char *id = sb_create_request (&fixture->sb, fixture->token, VIN_OK, BUYER_IIN,
                                           CONTRACT_OK, "cli-1");
  g_autofree char *path = g_strconcat ("/api/v1/requests/", id, NULL);
  g_autofree char *sign_path = g_strconcat (path, "/signature", NULL);
  g_autoptr(SbAnswer) got = call (fixture, "GET", path, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sb_make_tmp_dir ("tirkeu-sandbox-cli-XXXXXX", &error);
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *payload_file = g_build_filename (dir, "payload.bin", NULL);
  g_autofree char *signature_file = g_build_filename (dir, "signature.der", NULL);
  g_autofree guchar *payload = NULL;
  g_autofree char *der = NULL;
  g_autofree char *der_b64 = NULL;
  g_autofree char *body = NULL;
  g_autoptr(SbAnswer) answer = NULL;
  gsize length;
  int status;
  const char *argv[] = {
    "openssl", "cms", "-sign", "-binary", "-md", "sha256", "-outform", "DER",
    "-in", payload_file, "-out", signature_file, "-signer", NULL, "-inkey", NULL, NULL,
  };

  g_assert_no_error (error);
  sb_write_identity ("sign", dir, &cert_file, &key_file);
  argv[13] = cert_file;
  argv[15] = key_file;
  payload = g_base64_decode (json_object_get_string_member (sb_answer_ok (got, 200),
                                                            "signing_payload"), &length);
  g_assert_true (g_file_set_contents (payload_file, (const char *) payload, length, NULL));

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH
                               | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                               &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (signature_file, &der, &length, NULL));
  der_b64 = g_base64_encode ((const guchar *) der, length);
  body = g_strdup_printf ("{\"signature\":\"%s\"}", der_b64);
  answer = call (fixture, "POST", sign_path, body);
  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (answer, 200), "stage"), ==,
                   "awaiting_buyer");
}

static void
test_withdraw (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autofree char *first = sb_create_request (&fixture->sb, fixture->token, VIN_OK, BUYER_IIN,
                                              CONTRACT_OK, "w-1");
  g_autofree char *path = g_strconcat ("/api/v1/requests/", first, "/withdraw", NULL);
  g_autoptr(SbAnswer) withdrawn = call (fixture, "POST", path, NULL);
  g_autoptr(SbAnswer) again = call (fixture, "POST", path, NULL);
  g_autofree char *second = NULL;
  g_autofree char *second_path = NULL;
  g_autofree char *approve_path = NULL;
  g_autoptr(SbAnswer) approve = NULL;
  g_autoptr(SbAnswer) too_late = NULL;
  g_autoptr(SbAnswer) nowhere = call (fixture, "POST", "/api/v1/requests/nope/withdraw", NULL);
  g_autofree char *moto_token = sb_sign_in (&fixture->sb, "auth-moto");
  g_autoptr(SbAnswer) foreign = NULL;
  g_autofree char *foreign_path = g_strconcat ("/api/v1/requests/", first, NULL);
  g_autoptr(JsonObject) signed_request = NULL;

  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (withdrawn, 200), "stage"), ==,
                   "withdrawn");
  sb_assert_history_legal (sb_answer_ok (withdrawn, 200));
  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (withdrawn, 200),
                                                  "idempotency_key"), ==, "w-1");
  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (again, 200), "stage"), ==,
                   "withdrawn");
  sb_answer_error (nowhere, 404, "NOT_FOUND");

  /* Another seller does not see the request at all. */
  foreign = sb_call (fixture->sb.session, fixture->sb.url, "GET", foreign_path, moto_token,
                     NULL, NULL);
  sb_answer_error (foreign, 404, "NOT_FOUND");

  /* The VIN is free again; once the buyer approved, withdrawal is a conflict. */
  second = sb_create_request (&fixture->sb, fixture->token, VIN_OK, BUYER_IIN, CONTRACT_OK,
                              "w-2");
  signed_request = sb_submit_signature (&fixture->sb, fixture->token, second);
  approve_path = g_strconcat ("/admin/requests/", second, "/approve", NULL);
  approve = sb_call (fixture->sb.session, fixture->sb.url, "POST", approve_path, NULL, NULL,
                     NULL);
  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (approve, 200), "stage"), ==,
                   "buyer_approved");
  second_path = g_strconcat ("/api/v1/requests/", second, "/withdraw", NULL);
  too_late = call (fixture, "POST", second_path, NULL);
  sb_answer_error (too_late, 409, "CONFLICT");
}

static void
test_changes (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autofree char *a = sb_create_request (&fixture->sb, fixture->token, VIN_OK, BUYER_IIN,
                                          CONTRACT_OK, "c-1");
  g_autofree char *b = sb_create_request (&fixture->sb, fixture->token, VIN_OK_2, BUYER_IIN,
                                          CONTRACT_OK_2, "c-2");
  g_autofree char *c = sb_create_request (&fixture->sb, fixture->token, "JTNB23HK4R3000102",
                                          "030415600131", "DKP-2025-000102", "c-3");
  g_autoptr(SbAnswer) page1 = call (fixture, "GET", "/api/v1/changes?limit=2", NULL);
  JsonObject *object = sb_answer_ok (page1, 200);
  g_autofree char *cursor = g_strdup (json_object_get_string_member (object, "cursor"));
  g_autofree char *path = NULL;
  g_autoptr(SbAnswer) page2 = NULL;
  g_autoptr(SbAnswer) page3 = NULL;
  g_autoptr(SbAnswer) page4 = NULL;
  g_autoptr(SbAnswer) withdraw = NULL;
  g_autoptr(SbAnswer) bad_cursor = call (fixture, "GET", "/api/v1/changes?cursor=zzz", NULL);
  g_autoptr(SbAnswer) bad_limit = call (fixture, "GET", "/api/v1/changes?limit=0", NULL);
  g_autofree char *moto_token = sb_sign_in (&fixture->sb, "auth-moto");
  g_autoptr(SbAnswer) moto = NULL;
  g_autofree char *withdraw_path = g_strconcat ("/api/v1/requests/", b, "/withdraw", NULL);
  JsonArray *changes = json_object_get_array_member (object, "changes");

  g_assert_cmpuint (json_array_get_length (changes), ==, 2);
  g_assert_true (json_object_get_boolean_member (object, "has_more"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (changes, 0),
                                                  "id"), ==, a);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (changes, 0),
                                                  "idempotency_key"), ==, "c-1");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (changes, 1),
                                                  "idempotency_key"), ==, "c-2");

  path = g_strconcat ("/api/v1/changes?limit=2&cursor=", cursor, NULL);
  page2 = call (fixture, "GET", path, NULL);
  object = sb_answer_ok (page2, 200);
  changes = json_object_get_array_member (object, "changes");
  g_assert_cmpuint (json_array_get_length (changes), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (changes, 0),
                                                  "id"), ==, c);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (changes, 0),
                                                  "idempotency_key"), ==, "c-3");
  g_assert_false (json_object_get_boolean_member (object, "has_more"));
  g_free (cursor);
  cursor = g_strdup (json_object_get_string_member (object, "cursor"));

  /* Nothing new: an empty page that keeps a cursor. */
  g_free (path);
  path = g_strconcat ("/api/v1/changes?cursor=", cursor, NULL);
  page3 = call (fixture, "GET", path, NULL);
  object = sb_answer_ok (page3, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "changes")),
                    ==, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "cursor"), ==, cursor);

  /* A change shows up once, in its current state. */
  withdraw = call (fixture, "POST", withdraw_path, NULL);
  sb_answer_ok (withdraw, 200);
  page4 = call (fixture, "GET", path, NULL);
  changes = json_object_get_array_member (sb_answer_ok (page4, 200), "changes");
  g_assert_cmpuint (json_array_get_length (changes), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (changes, 0),
                                                  "stage"), ==, "withdrawn");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (changes, 0),
                                                  "idempotency_key"), ==, "c-2");

  sb_answer_error (bad_cursor, 400, "VALIDATION_FAILED");
  sb_answer_error (bad_limit, 400, "VALIDATION_FAILED");

  /* Another seller syncs nothing of this one's. */
  moto = sb_call (fixture->sb.session, fixture->sb.url, "GET", "/api/v1/changes", moto_token,
                  NULL, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      sb_answer_ok (moto, 200), "changes")), ==, 0);
}

/* ---- admin and manual mode ------------------------------------------------------------ */

static void
test_manual_actions (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *id = sb_create_request (&fixture->sb, fixture->token, VIN_OK, BUYER_IIN,
                                           CONTRACT_OK, "m-1");
  g_autofree char *admin = g_strconcat ("/admin/requests/", id, "/", NULL);
  g_autofree char *approve = g_strconcat (admin, "approve", NULL);
  g_autofree char *expire = g_strconcat (admin, "expire", NULL);
  g_autofree char *refuse = g_strconcat (admin, "refuse", NULL);
  g_autofree char *dance = g_strconcat (admin, "dance", NULL);
  g_autoptr(SbAnswer) too_early = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                           approve, NULL, NULL, NULL);
  g_autoptr(SbAnswer) unknown_action = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                                dance, NULL, NULL, NULL);
  g_autoptr(SbAnswer) unknown_id = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                            "/admin/requests/nope/approve", NULL, NULL, NULL);
  g_autoptr(JsonObject) signed_request = NULL;
  g_autoptr(SbAnswer) expired = NULL;
  g_autoptr(SbAnswer) refuse_final = NULL;

  sb_answer_error (too_early, 409, "CONFLICT");
  sb_answer_error (unknown_action, 400, "VALIDATION_FAILED");
  sb_answer_error (unknown_id, 404, "NOT_FOUND");

  sb_use_manual_clock (&fixture->sb);
  signed_request = sb_submit_signature (&fixture->sb, fixture->token, id);
  /* Manual mode: the buyer does nothing by itself, however many steps go by. */
  tirkeu_sandbox_advance_clock (fixture->sb.sandbox,
                                100 * (GTimeSpan) fixture->sb.buyer_step_ms
                                * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (fixture->sb.n_changes, ==, 9);

  expired = sb_call (fixture->sb.session, fixture->sb.url, "POST", expire, NULL, NULL, NULL);
  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (expired, 200), "stage"), ==,
                   "expired");
  sb_assert_history_legal (sb_answer_ok (expired, 200));
  refuse_final = sb_call (fixture->sb.session, fixture->sb.url, "POST", refuse, NULL, NULL,
                          NULL);
  sb_answer_error (refuse_final, 409, "CONFLICT");
}

static void
test_manual_refuse (void)
{
  TirkeuSandboxOptions options;
  SbFixture sb = { 0 };
  g_autofree char *token = NULL;
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) signed_request = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) approved = NULL;
  g_autoptr(JsonNode) recheck = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) refused = NULL;
  JsonObject *refusal;

  sb_options_for_test (&options, NULL);
  sb_fixture_start (&sb, &options);
  sb_use_manual_clock (&sb);
  token = sb_sign_in (&sb, "auth");
  id = sb_create_request (&sb, token, VIN_OK, BUYER_IIN, CONTRACT_OK, "mr-1");
  signed_request = sb_submit_signature (&sb, token, id);

  approved = tirkeu_sandbox_buyer_action (sb.sandbox, id, "approve", NULL, NULL, &error);
  g_assert_no_error (error);
  /* The portal's own steps run on the schedule after the buyer's decision. */
  recheck = sb_step_until_stage (&sb, id, "epassport_recheck", 10);

  g_assert_true (json_parser_load_from_data (parser, "{\"kk\":\"Себеп\",\"ru\":\"Причина\","
                                             "\"en\":\"Reason\"}", -1, NULL));
  refused = tirkeu_sandbox_buyer_action (sb.sandbox, id, "refuse", "EPASSPORT_NOT_FOUND",
                                         json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (refused), "stage"), ==,
                   "refused");
  refusal = json_object_get_object_member (json_node_get_object (refused), "refusal");
  g_assert_cmpstr (json_object_get_string_member (refusal, "code"), ==, "EPASSPORT_NOT_FOUND");
  g_assert_cmpint (json_object_get_int_member (refusal, "step"), ==, 12);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (refusal,
                                                                                 "reason"),
                                                  "ru"), ==, "Причина");
  sb_assert_history_legal (json_node_get_object (refused));

  sb_fixture_stop (&sb);
}

static void
test_faults (Fixture       *fixture,
             gconstpointer  user_data)
{
  const char *body = "{\"vin\":\"" VIN_OK "\",\"buyer_iin\":\"" BUYER_IIN
                     "\",\"contract_number\":\"" CONTRACT_OK "\"}";
  g_autoptr(SbAnswer) set_fail = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                          "/admin/faults", NULL, NULL, "{\"fail_rate\":1}");
  guint n500 = 0, n503 = 0;

  g_assert_cmpfloat (json_object_get_double_member (sb_answer_ok (set_fail, 200), "fail_rate"),
                     ==, 1.0);
  for (guint i = 0; i < 12; i++)
    {
      g_autoptr(SbAnswer) answer = call (fixture, "GET", "/api/v1/seller", NULL);

      if (answer->status == 503)
        {
          sb_answer_error (answer, 503, "UNAVAILABLE");
          g_assert_cmpstr (soup_message_headers_get_one (answer->headers, "Retry-After"), ==,
                           "1");
          g_assert_cmpint (json_object_get_int_member (sb_answer_error (answer, 503,
                                                                        "UNAVAILABLE"),
                                                       "retry_after_s"), ==, 1);
          n503++;
        }
      else
        {
          sb_answer_error (answer, 500, "INTERNAL");
          n500++;
        }
    }
  g_assert_cmpuint (n500 + n503, ==, 12);

  /* Malformed: a 200 whose body is not JSON. */
  {
    g_autoptr(SbAnswer) set = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                       "/admin/faults", NULL, NULL,
                                       "{\"fail_rate\":0,\"malformed_rate\":1}");
    g_autoptr(SbAnswer) answer = call (fixture, "GET", "/api/v1/seller", NULL);

    sb_answer_ok (set, 200);
    g_assert_no_error (answer->error);
    g_assert_cmpuint (answer->status, ==, 200);
    g_assert_null (answer->body);
    g_assert_cmpuint (g_bytes_get_size (answer->raw), >, 0);
  }

  /* Dropped mid-answer after the effect: the client sees an error, the retry with the same
   * key finds the request created the first time, and there is exactly one. */
  {
    g_autoptr(SbAnswer) set = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                       "/admin/faults", NULL, NULL,
                                       "{\"malformed_rate\":0,\"drop_rate\":1}");
    g_autoptr(SbAnswer) dropped = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                           "/api/v1/requests", fixture->token, "drop-1", body);
    g_autoptr(SbAnswer) unset = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                         "/admin/faults", NULL, NULL, "{\"drop_rate\":0}");
    g_autoptr(SbAnswer) retry = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                         "/api/v1/requests", fixture->token, "drop-1", body);
    g_autoptr(SbAnswer) all = sb_call (fixture->sb.session, fixture->sb.url, "GET",
                                       "/admin/requests", NULL, NULL, NULL);

    sb_answer_ok (set, 200);
    sb_answer_ok (unset, 200);
    g_assert_true (dropped->error != NULL || dropped->body == NULL);
    sb_answer_ok (retry, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        sb_answer_ok (all, 200), "requests")), ==, 1);
  }

  /* Slow body and latency: the answer is whole, only late. */
  {
    g_autoptr(SbAnswer) set = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                       "/admin/faults", NULL, NULL,
                                       "{\"slow_body_ms\":2,\"latency_ms\":30}");
    gint64 start = g_get_monotonic_time ();
    g_autoptr(SbAnswer) answer = call (fixture, "GET", "/api/v1/vehicles/" VIN_OK, NULL);

    sb_answer_ok (set, 200);
    g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (answer, 200), "vin"), ==,
                     VIN_OK);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 30 * 1000);
    g_assert_cmpstr (soup_message_headers_get_one (answer->headers, "Transfer-Encoding"), ==,
                     "chunked");
  }

  /* Rate limit: 2 a second, so 6 quick calls meet at least one 429. */
  {
    g_autoptr(SbAnswer) set = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                       "/admin/faults", NULL, NULL,
                                       "{\"slow_body_ms\":0,\"latency_ms\":0,\"rate_limit\":2}");
    guint limited = 0;

    sb_answer_ok (set, 200);
    for (guint i = 0; i < 6; i++)
      {
        g_autoptr(SbAnswer) answer = call (fixture, "GET", "/api/v1/seller", NULL);

        if (answer->status == 429)
          {
            sb_answer_error (answer, 429, "RATE_LIMITED");
            g_assert_cmpstr (soup_message_headers_get_one (answer->headers, "Retry-After"), ==,
                             "1");
            limited++;
          }
      }
    g_assert_cmpuint (limited, >=, 1);
  }

  {
    g_autoptr(SbAnswer) bad = sb_call (fixture->sb.session, fixture->sb.url, "POST",
                                       "/admin/faults", NULL, NULL, "{\"fail_rate\":2}");
    sb_answer_error (bad, 400, "VALIDATION_FAILED");
  }
}

/* ---- restart and fixtures ------------------------------------------------------------- */

/* Makes the request @id of the state file look as a sandbox before contract 1.1 wrote it. */
static void
strip_idempotency_key (const char *state_file,
                       const char *id)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *requests;
  guint n_stripped = 0;

  json_parser_load_from_file (parser, state_file, &error);
  g_assert_no_error (error);
  requests = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "requests");
  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_str_equal (json_object_get_string_member (request, "id"), id))
        {
          g_assert_true (json_object_has_member (request, "idempotency_key"));
          json_object_remove_member (request, "idempotency_key");
          n_stripped++;
        }
    }
  g_assert_cmpuint (n_stripped, ==, 1);

  json_generator_set_root (generator, json_parser_get_root (parser));
  json_generator_to_file (generator, state_file, &error);
  g_assert_no_error (error);
}

static void
test_restart (void)
{
  TirkeuSandboxOptions options;
  SbFixture sb = { 0 };
  g_autofree char *state_dir = NULL;
  g_autofree char *token = NULL;
  g_autofree char *id = NULL;
  g_autofree char *legacy_id = NULL;
  g_autofree char *legacy_path = NULL;
  g_autofree char *ca_before = NULL;
  g_autofree char *ca_after = NULL;
  g_autofree char *state_file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonObject) signed_request = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SbAnswer) after = NULL;
  g_autoptr(SbAnswer) replay = NULL;
  g_autoptr(SbAnswer) legacy = NULL;
  g_autoptr(SbAnswer) changes = NULL;
  GStatBuf st;

  state_dir = sb_make_tmp_dir ("tirkeu-sandbox-restart-XXXXXX", &error);
  g_assert_no_error (error);
  sb_options_for_test (&options, state_dir);
  sb_fixture_start (&sb, &options);
  token = sb_sign_in (&sb, "auth");
  id = sb_create_request (&sb, token, VIN_OK, BUYER_IIN, CONTRACT_OK, "restart-1");
  signed_request = sb_submit_signature (&sb, token, id);
  legacy_id = sb_create_request (&sb, token, VIN_OK_2, BUYER_IIN, CONTRACT_OK_2, "restart-2");
  g_assert_true (g_file_get_contents (tirkeu_sandbox_get_ca_file (sb.sandbox), &ca_before, NULL,
                                      NULL));
  sb_fixture_stop (&sb);

  state_file = g_build_filename (state_dir, "state.json", NULL);
  g_assert_cmpint (g_stat (state_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  {
    /* The session token itself is never written, only its digest. */
    g_autofree char *state = NULL;
    g_assert_true (g_file_get_contents (state_file, &state, NULL, NULL));
    g_assert_null (strstr (state, token));
  }
  strip_idempotency_key (state_file, legacy_id);

  sb_options_for_test (&options, state_dir);
  sb_fixture_start (&sb, &options);
  g_assert_true (g_file_get_contents (tirkeu_sandbox_get_ca_file (sb.sandbox), &ca_after, NULL,
                                      NULL));
  g_assert_cmpstr (ca_before, ==, ca_after);

  path = g_strconcat ("/api/v1/requests/", id, NULL);
  after = sb_call (sb.session, sb.url, "GET", path, token, NULL, NULL);
  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (after, 200), "stage"), ==,
                   "awaiting_buyer");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      sb_answer_ok (after, 200), "history")), ==, 9);
  replay = sb_call (sb.session, sb.url, "POST", "/api/v1/requests", token, "restart-1",
                    "{\"vin\":\"" VIN_OK "\",\"buyer_iin\":\"" BUYER_IIN
                    "\",\"contract_number\":\"" CONTRACT_OK "\"}");
  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (replay, 200), "id"), ==, id);

  /* The key is kept with the request across a restart... */
  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (after, 200), "idempotency_key"),
                   ==, "restart-1");
  /* ...and a request from a state written before contract 1.1 has none: the member is left
   * out, as the contract allows, everywhere the request is shown. */
  legacy_path = g_strconcat ("/api/v1/requests/", legacy_id, NULL);
  legacy = sb_call (sb.session, sb.url, "GET", legacy_path, token, NULL, NULL);
  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (legacy, 200), "id"), ==,
                   legacy_id);
  g_assert_false (json_object_has_member (sb_answer_ok (legacy, 200), "idempotency_key"));
  changes = sb_call (sb.session, sb.url, "GET", "/api/v1/changes", token, NULL, NULL);
  {
    JsonArray *list = json_object_get_array_member (sb_answer_ok (changes, 200), "changes");
    guint n_legacy = 0;

    g_assert_cmpuint (json_array_get_length (list), ==, 2);
    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonObject *change = json_array_get_object_element (list, i);

        if (g_str_equal (json_object_get_string_member (change, "id"), legacy_id))
          {
            g_assert_false (json_object_has_member (change, "idempotency_key"));
            n_legacy++;
          }
        else
          g_assert_cmpstr (json_object_get_string_member (change, "idempotency_key"), ==,
                           "restart-1");
      }
    g_assert_cmpuint (n_legacy, ==, 1);
  }

  sb_fixture_stop (&sb);
}

/* --tls-cert/--tls-key: the sandbox serves a given certificate, and names that file as the
 * CA a client trusts (here it holds the server certificate and its CA). */
static void
test_given_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sb_make_tmp_dir ("tirkeu-sandbox-tls-XXXXXX", &error);
  g_autofree char *cert_file = g_build_filename (dir, "given.pem", NULL);
  g_autofree char *key_file = g_build_filename (dir, "given-key.pem", NULL);
  g_autofree char *ca_file = g_build_filename (dir, "given-ca.pem", NULL);
  g_autofree char *leaf = NULL;
  g_autofree char *root = NULL;
  g_autofree char *chain = NULL;
  EVP_PKEY *ca_key, *key;
  X509 *ca, *cert;
  TirkeuSandboxOptions options;
  SbFixture sb = { 0 };
  g_autoptr(SbAnswer) about = NULL;
  g_autofree char *state_cert = NULL;

  g_assert_no_error (error);
  ca_key = tirkeu_sandbox_pki_new_key (0, &error);
  g_assert_no_error (error);
  ca = tirkeu_sandbox_pki_new_ca (ca_key, "Given CA", &error);
  g_assert_no_error (error);
  key = tirkeu_sandbox_pki_new_key (0, &error);
  g_assert_no_error (error);
  cert = tirkeu_sandbox_pki_new_server_cert (key, ca, ca_key, &error);
  g_assert_no_error (error);
  g_assert_true (tirkeu_sandbox_pki_write_cert (cert_file, cert, &error));
  g_assert_true (tirkeu_sandbox_pki_write_cert (ca_file, ca, &error));
  g_assert_true (tirkeu_sandbox_pki_write_key (key_file, key, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (cert_file, &leaf, NULL, NULL));
  g_assert_true (g_file_get_contents (ca_file, &root, NULL, NULL));
  chain = g_strconcat (leaf, root, NULL);
  g_assert_true (g_file_set_contents (cert_file, chain, -1, NULL));
  X509_free (cert);
  X509_free (ca);
  EVP_PKEY_free (key);
  EVP_PKEY_free (ca_key);

  sb_options_for_test (&options, NULL);
  options.tls_cert_file = g_strdup (cert_file);
  options.tls_key_file = g_strdup (key_file);
  sb_fixture_start (&sb, &options);
  g_assert_cmpstr (tirkeu_sandbox_get_ca_file (sb.sandbox), ==, cert_file);
  about = sb_call (sb.session, sb.url, "GET", "/api/v1/about", NULL, NULL, NULL);
  sb_answer_ok (about, 200);
  /* Nothing self-made in the state directory. */
  state_cert = g_build_filename (sb.state_dir, "server.pem", NULL);
  g_assert_false (g_file_test (state_cert, G_FILE_TEST_EXISTS));
  sb_fixture_stop (&sb);

  /* A certificate without its key is a usage error. */
  {
    g_autoptr(TirkeuSandbox) sandbox = NULL;

    sb_options_for_test (&options, dir);
    options.tls_cert_file = g_strdup (cert_file);
    sandbox = tirkeu_sandbox_new (&options, &error);
    tirkeu_sandbox_options_clear (&options);
    g_assert_null (sandbox);
    g_assert_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_INVALID);
  }
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *n_notify)
{
  (*n_notify)++;
}

/* The class: properties, the URL's notification on start, and finalization after stop. */
static void
test_object (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sb_make_tmp_dir ("tirkeu-sandbox-object-XXXXXX", &error);
  TirkeuSandboxOptions options;
  TirkeuSandbox *sandbox;
  g_autofree char *url = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *state_dir = NULL;
  guint n_notify = 0;

  g_assert_no_error (error);
  sb_options_for_test (&options, dir);
  sandbox = tirkeu_sandbox_new (&options, &error);
  tirkeu_sandbox_options_clear (&options);
  g_assert_no_error (error);
  g_signal_connect (sandbox, "notify::url", G_CALLBACK (notify_cb), &n_notify);

  g_object_get (sandbox, "url", &url, "ca-file", &ca_file, "state-dir", &state_dir, NULL);
  g_assert_null (url);
  g_assert_cmpstr (ca_file, ==, tirkeu_sandbox_get_ca_file (sandbox));
  g_assert_cmpstr (state_dir, ==, dir);

  g_assert_true (tirkeu_sandbox_start (sandbox, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_notify, ==, 1);
  g_object_get (sandbox, "url", &url, NULL);
  g_assert_cmpstr (url, ==, tirkeu_sandbox_get_url (sandbox));

  tirkeu_sandbox_stop (sandbox);
  tirkeu_sandbox_stop (sandbox);
  g_assert_finalize_object (sandbox);
}

typedef struct
{
  const char *name;
  const char *fixtures;
} BadFixturesCase;

static const BadFixturesCase bad_fixtures_cases[] = {
  { "not-json", "{" },
  { "bad-iin", "{\"qualifying_oked\":[],\"sellers\":[],\"persons\":[{\"iin\":\"123456789021\","
    "\"status\":\"active\",\"full_name\":\"X\"}],\"vehicles\":[],\"contracts\":[],\"fines\":[],"
    "\"tsons\":[]}" },
  { "illegal-scenario", "{\"qualifying_oked\":[],\"sellers\":[],\"persons\":[{\"iin\":\""
    BUYER_IIN "\",\"status\":\"active\",\"full_name\":\"X\",\"scenario\":{\"buyer\":\"refuse\","
    "\"at\":\"tson_chosen\"}}],\"vehicles\":[],\"contracts\":[],\"fines\":[],\"tsons\":[]}" },
  { "no-tson", "{\"qualifying_oked\":[],\"sellers\":[],\"persons\":[],\"vehicles\":[],"
    "\"contracts\":[],\"fines\":[],\"tsons\":[]}" },
  { "staff-role", "{\"qualifying_oked\":[],\"sellers\":[{\"bin\":\"" SELLER_BIN "\","
    "\"name\":\"X\",\"oked\":[],\"staff\":[{\"iin\":\"850304300128\",\"surname\":\"A\","
    "\"name\":\"B\",\"role\":\"director\"}]}],\"persons\":[],\"vehicles\":[],"
    "\"contracts\":[],\"fines\":[],\"tsons\":[{\"code\":\"T\",\"name\":{\"kk\":\"a\","
    "\"ru\":\"a\",\"en\":\"a\"},\"address\":{\"kk\":\"a\",\"ru\":\"a\",\"en\":\"a\"}}]}" },
  /* contract 1.4.0: a colour without its kk, ru and en */
  { "epassport-colour-text", "{\"qualifying_oked\":[],\"sellers\":[],\"persons\":[],"
    "\"vehicles\":[{\"vin\":\"JTNB23HK2R3000101\",\"epassport\":{\"status\":\"found\","
    "\"make\":\"M\",\"model\":\"X\",\"year\":2025,\"colour\":\"белый\","
    "\"colour_text\":{\"kk\":\"ақ\",\"ru\":\"белый\"}},\"customs\":{\"status\":\"paid\"},"
    "\"utilization\":{\"status\":\"paid\"}}],\"contracts\":[],\"fines\":[],"
    "\"tsons\":[{\"code\":\"T\",\"name\":{\"kk\":\"a\",\"ru\":\"a\",\"en\":\"a\"},"
    "\"address\":{\"kk\":\"a\",\"ru\":\"a\",\"en\":\"a\"}}]}" },
};

static void
test_bad_fixtures (gconstpointer user_data)
{
  const BadFixturesCase *test = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sb_make_tmp_dir ("tirkeu-sandbox-fixtures-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, "fixtures.json", NULL);
  TirkeuSandboxOptions options;
  g_autoptr(TirkeuSandbox) sandbox = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (file, test->fixtures, -1, NULL));
  sb_options_for_test (&options, dir);
  options.fixtures_file = g_strdup (file);
  sandbox = tirkeu_sandbox_new (&options, &error);
  tirkeu_sandbox_options_clear (&options);

  g_assert_null (sandbox);
  g_assert_nonnull (error);
  if (!g_str_equal (test->name, "not-json"))
    g_assert_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_FIXTURES);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/sandbox/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/sandbox/object", test_object);
  g_test_add_func ("/sandbox/messages/terms", test_messages_terms);
  ADD ("about", test_about);
  ADD ("tls/untrusted-client", test_untrusted_client);
  ADD ("auth/sign-in", test_sign_in);
  ADD ("auth/unauthorized", test_unauthorized);
  g_test_add_func ("/sandbox/auth/session-ttl", test_session_ttl);
  for (guint i = 0; i < G_N_ELEMENTS (sign_in_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sandbox/auth/refused/%s",
                                               sign_in_cases[i].name);
      g_test_add_data_func (path, &sign_in_cases[i], test_sign_in_refused);
    }
  ADD ("seller/oked-mismatch", test_oked_mismatch);
  ADD ("vehicles", test_vehicles);
  ADD ("persons", test_persons);
  ADD ("contracts", test_contracts);
  ADD ("requests/refused", test_create_refused);
  ADD ("requests/payload", test_create_and_payload);
  ADD ("requests/wrong-payload", test_wrong_payload);
  ADD ("hostile-input", test_hostile_input);
  ADD ("body-limit", test_body_limit);
  ADD ("auth/challenge-limit", test_challenge_limit);
  ADD ("requests/idempotency", test_idempotency);
  ADD ("requests/signature", test_signature);
  ADD ("requests/signature-retry", test_signature_retry);
  ADD ("requests/signature-openssl-cli", test_signature_openssl_cli);
  ADD ("requests/withdraw", test_withdraw);
  ADD ("changes", test_changes);
  ADD ("admin/manual", test_manual_actions);
  g_test_add_func ("/sandbox/admin/manual-refuse", test_manual_refuse);
  ADD ("faults", test_faults);
  g_test_add_func ("/sandbox/restart", test_restart);
  g_test_add_func ("/sandbox/tls/given-certificate", test_given_certificate);
  for (guint i = 0; i < G_N_ELEMENTS (bad_fixtures_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sandbox/fixtures/bad/%s",
                                               bad_fixtures_cases[i].name);
      g_test_add_data_func (path, &bad_fixtures_cases[i], test_bad_fixtures);
    }

  return g_test_run ();
}
