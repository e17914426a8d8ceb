/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The buyer's scenarios of data/sandbox/fixtures.json in auto mode, with a small step: each
 * reaches its final stage through transitions of the core's table (steps 10-19), with the
 * refusal, TsON and plate type the scenario says.
 */
#include "config.h"

#include <string.h>

#include "test-sandbox-util.h"

typedef struct
{
  const char *name;
  const char *vin;
  const char *buyer_iin;
  const char *contract;
  const char *final_stage;
  const char *refusal_code;   /* NULL: none */
  int refusal_step;
  const char *tson;           /* for completed */
  const char *plate_type;
  const char *must_pass;      /* a stage the history must hold, or NULL */
} ScenarioCase;

static const ScenarioCase scenario_cases[] = {
  { "approve", "JTNB23HK2R3000101", "850312300121", "DKP-2025-000101", "completed", NULL, 0,
    "AST-01", "standard", "phone_confirmed" },
  { "approve-moto-typed-phone", "JH2SC7700SK000108", "881203400679", "DKP-2025-000108",
    "completed", NULL, 0, "ALM-01", "selected", "paid" },
  { "decline", "LFV2B25G7S5000113", "781120300787", "DKP-2025-000113", "declined", NULL, 0,
    NULL, NULL, "awaiting_buyer" },
  { "expire", "XWEPH81A0S0000114", "010223500344", "DKP-2025-000114", "expired", NULL, 0,
    NULL, NULL, "awaiting_buyer" },
  { "refuse-gbd-fl", "Z94K241C0SR000116", "950501400919", "DKP-2025-000116", "refused",
    "PERSON_NOT_FOUND", 11, NULL, NULL, "buyer_recheck" },
  { "refuse-epassport", "WDD2130441A000109", "990330500231", "DKP-2025-000109", "refused",
    "EPASSPORT_NOT_FOUND", 12, NULL, NULL, "epassport_recheck" },
  { "refuse-contract", "Y6DFD48S7S0000110", "030415600131", "DKP-2025-000110", "refused",
    "CONTRACT_NOT_FOUND", 13, NULL, NULL, "contract_recheck" },
  { "refuse-step-19", "JTMHV05J2S5000111", "850312300121", "DKP-2025-000111", "refused",
    "CONFLICT", 19, NULL, NULL, "processing" },
  { "fines-unpaid", "KMHE341C9RA000112", "920715400560", "DKP-2025-000112", "fines_unpaid",
    "FINES_UNPAID", 14, NULL, NULL, "fines_check" },
};

static gboolean
history_has (JsonObject *request,
             const char *stage)
{
  JsonArray *history = json_object_get_array_member (request, "history");

  for (guint i = 0; i < json_array_get_length (history); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (history, i),
                                                    "stage"), stage))
      return TRUE;

  return FALSE;
}

static void
check_final (const ScenarioCase *test,
             JsonObject         *request)
{
  sb_assert_history_legal (request);
  g_assert_true (history_has (request, test->must_pass));

  if (test->refusal_code != NULL)
    {
      JsonObject *refusal = json_object_get_object_member (request, "refusal");

      g_assert_nonnull (refusal);
      g_assert_cmpstr (json_object_get_string_member (refusal, "code"), ==, test->refusal_code);
      g_assert_cmpint (json_object_get_int_member (refusal, "step"), ==, test->refusal_step);
      g_assert_cmpuint (strlen (json_object_get_string_member (
                          json_object_get_object_member (refusal, "reason"), "kk")), >, 0);
    }
  else
    g_assert_true (json_object_get_null_member (request, "refusal"));

  if (test->tson != NULL)
    {
      JsonObject *tson = json_object_get_object_member (request, "tson");

      g_assert_cmpstr (json_object_get_string_member (tson, "code"), ==, test->tson);
      g_assert_nonnull (json_object_get_object_member (tson, "name"));
      g_assert_nonnull (json_object_get_object_member (tson, "address"));
      g_assert_cmpstr (json_object_get_string_member (request, "plate_type"), ==,
                       test->plate_type);
    }
}

static void
test_scenario (gconstpointer user_data)
{
  const ScenarioCase *test = user_data;
  TirkeuSandboxOptions options;
  SbFixture sb = { 0 };
  g_autofree char *token = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonObject) signed_request = NULL;
  g_autoptr(JsonNode) final = NULL;
  g_autoptr(SbAnswer) seen = NULL;
  gboolean moto = g_str_equal (test->contract, "DKP-2025-000108");

  sb_options_for_test (&options, NULL);
  options.buyer_mode = TIRKEU_SANDBOX_BUYER_AUTO;
  /* A step a second of the sandbox's manual clock: a hundred steps stay well inside the
   * session's life. */
  options.buyer_step_ms = 1000;
  sb_fixture_start (&sb, &options);
  sb_use_manual_clock (&sb);

  if (moto)
    {
      /* The motorcycle belongs to another seller, who signs in and signs with its own keys
       * ("sign-other-bin" carries that seller's BIN). */
      token = sb_sign_in (&sb, "auth-moto");
      id = sb_create_request (&sb, token, test->vin, test->buyer_iin, test->contract,
                              "scenario");
      {
        g_autofree char *sign_path = g_strconcat ("/api/v1/requests/", id, "/signature", NULL);
        g_autoptr(SbAnswer) got = NULL;
        g_autofree char *get_path = g_strconcat ("/api/v1/requests/", id, NULL);
        g_autofree char *signature = NULL;
        g_autofree char *body = NULL;
        g_autoptr(SbAnswer) answer = NULL;

        got = sb_call (sb.session, sb.url, "GET", get_path, token, NULL, NULL);
        signature = sb_sign_base64 ("sign-other-bin",
                                    json_object_get_string_member (sb_answer_ok (got, 200),
                                                                   "signing_payload"));
        body = g_strdup_printf ("{\"signature\":\"%s\"}", signature);
        answer = sb_call (sb.session, sb.url, "POST", sign_path, token, NULL, body);
        sb_answer_ok (answer, 200);
      }
    }
  else
    {
      token = sb_sign_in (&sb, "auth");
      id = sb_create_request (&sb, token, test->vin, test->buyer_iin, test->contract,
                              "scenario");
      signed_request = sb_submit_signature (&sb, token, id);
    }

  final = sb_step_until_stage (&sb, id, test->final_stage, 100);
  check_final (test, json_node_get_object (final));

  /* The client sees the same through the API. */
  path = g_strconcat ("/api/v1/requests/", id, NULL);
  seen = sb_call (sb.session, sb.url, "GET", path, token, NULL, NULL);
  check_final (test, sb_answer_ok (seen, 200));

  if (g_str_equal (test->final_stage, "fines_unpaid"))
    {
      /* It waits for the buyer: a hundred steps later nothing has moved. */
      g_autoptr(JsonNode) still = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) paid = NULL;
      g_autoptr(JsonNode) completed = NULL;

      tirkeu_sandbox_advance_clock (sb.sandbox,
                                    100 * (GTimeSpan) sb.buyer_step_ms * G_TIME_SPAN_MILLISECOND);
      still = tirkeu_sandbox_get_request (sb.sandbox, id);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (still), "stage"),
                       ==, "fines_unpaid");

      /* Pay and resubmit (step 14): the check runs again and the request completes. */
      paid = tirkeu_sandbox_buyer_action (sb.sandbox, id, "pay-fines", NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (json_object_get_null_member (json_node_get_object (paid), "refusal"));
      completed = sb_step_until_stage (&sb, id, "completed", 100);
      sb_assert_history_legal (json_node_get_object (completed));
    }

  sb_fixture_stop (&sb);
}

static const char *
stage_of (JsonNode *request)
{
  return json_object_get_string_member (json_node_get_object (request), "stage");
}

static const char *
deadline_of (JsonNode *request)
{
  return json_object_get_string_member_with_default (json_node_get_object (request),
                                                     "buyer_deadline", NULL);
}

/* The buyer's deadline (contract 1.3.0): set --buyer-days after the request reached the
 * buyer, kept through the buyer's stages, gone once the buyer signed; and a request the
 * buyer leaves alone expires by the portal's own clock, in manual mode too, where nothing
 * but an admin action moved it before. */
static void
test_deadline (void)
{
  TirkeuSandboxOptions options;
  SbFixture sb = { 0 };
  g_autofree char *token = NULL;
  g_autofree char *waiting = NULL;
  g_autofree char *approved = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(JsonNode) signed_ok = NULL;
  g_autoptr(JsonNode) other = NULL;
  g_autoptr(JsonNode) done = NULL;
  g_autoptr(JsonObject) submitted = NULL;
  g_autoptr(JsonObject) submitted_2 = NULL;
  g_autoptr(SbAnswer) seen = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) deadline = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) expired_at = NULL;
  JsonArray *history;
  const GTimeSpan step = 600 * G_TIME_SPAN_SECOND;

  sb_options_for_test (&options, NULL);
  options.buyer_days = 2;
  options.buyer_step_ms = 600000;
  sb_fixture_start (&sb, &options);
  start = g_date_time_new_from_unix_utc (g_get_real_time () / G_USEC_PER_SEC);
  tirkeu_sandbox_use_manual_clock (sb.sandbox, start);

  token = sb_sign_in (&sb, "auth");
  waiting = sb_create_request (&sb, token, VIN_OK, BUYER_IIN, CONTRACT_OK, "deadline-1");
  approved = sb_create_request (&sb, token, VIN_OK_2, BUYER_IIN, CONTRACT_OK_2, "deadline-2");

  /* Not before the buyer's turn: the seller has not signed yet. */
  created = tirkeu_sandbox_get_request (sb.sandbox, waiting);
  g_assert_null (deadline_of (created));

  /* Two days from the moment it reached the buyer, in the contract's Timestamp form, and
   * the same through the API. */
  submitted = sb_submit_signature (&sb, token, waiting);
  deadline = g_date_time_add_days (start, 2);
  expected = g_date_time_format (deadline, "%Y-%m-%dT%H:%M:%SZ");
  g_assert_cmpstr (json_object_get_string_member (submitted, "stage"), ==, "awaiting_buyer");
  g_assert_cmpstr (json_object_get_string_member_with_default (submitted, "buyer_deadline",
                                                               NULL), ==, expected);
  path = g_strconcat ("/api/v1/requests/", waiting, NULL);
  seen = sb_call (sb.session, sb.url, "GET", path, token, NULL, NULL);
  g_assert_cmpstr (json_object_get_string_member_with_default (sb_answer_ok (seen, 200),
                                                               "buyer_deadline", NULL),
                   ==, expected);

  /* The other one the buyer approves: the deadline stays through the portal's checks and
   * goes when the buyer has signed. */
  submitted_2 = sb_submit_signature (&sb, token, approved);
  other = tirkeu_sandbox_buyer_action (sb.sandbox, approved, "approve", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stage_of (other), ==, "buyer_approved");
  g_assert_cmpstr (deadline_of (other), ==, expected);
  signed_ok = sb_step_until_stage (&sb, approved, "buyer_signed", 20);
  g_assert_null (deadline_of (signed_ok));
  done = sb_step_until_stage (&sb, approved, "completed", 20);
  g_assert_null (deadline_of (done));

  /* On the manual clock a move happens at the time the clock shows: the completion is now. */
  now = g_date_time_new_from_iso8601 (
          json_object_get_string_member (json_node_get_object (done), "updated_at"), NULL);
  g_assert_nonnull (now);

  /* A step before the deadline it still waits; the first step at or after it ends it. */
  tirkeu_sandbox_advance_clock (sb.sandbox, g_date_time_difference (deadline, now) - step);
  before = tirkeu_sandbox_get_request (sb.sandbox, waiting);
  g_assert_cmpstr (stage_of (before), ==, "awaiting_buyer");
  g_assert_cmpstr (deadline_of (before), ==, expected);

  tirkeu_sandbox_advance_clock (sb.sandbox, step);
  after = tirkeu_sandbox_get_request (sb.sandbox, waiting);
  g_assert_cmpstr (stage_of (after), ==, "expired");
  g_assert_null (deadline_of (after));
  history = json_object_get_array_member (json_node_get_object (after), "history");
  expired_at = g_date_time_new_from_iso8601 (
                 json_object_get_string_member (
                   json_array_get_object_element (history, json_array_get_length (history) - 1),
                   "at"), NULL);
  g_assert_cmpint (g_date_time_compare (expired_at, deadline), ==, 0);
  sb_assert_history_legal (json_node_get_object (after));

  /* The completed one is not touched by the clock. */
  {
    g_autoptr(JsonNode) still = tirkeu_sandbox_get_request (sb.sandbox, approved);

    g_assert_cmpstr (stage_of (still), ==, "completed");
  }

  sb_fixture_stop (&sb);
}

/* --buyer-days out of its bounds is refused as an invalid option, with the bounds said. */
static void
test_deadline_bounds (void)
{
  const guint refused[] = { 0, TIRKEU_SANDBOX_MAX_BUYER_DAYS + 1 };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      TirkeuSandboxOptions options;
      g_autoptr(GError) error = NULL;
      g_autoptr(TirkeuSandbox) sandbox = NULL;

      sb_options_for_test (&options, "unused-state-dir");
      options.buyer_days = refused[i];
      sandbox = tirkeu_sandbox_new (&options, &error);
      tirkeu_sandbox_options_clear (&options);
      g_assert_null (sandbox);
      g_assert_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "3650"));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (scenario_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sandbox/buyer/auto/%s",
                                               scenario_cases[i].name);
      g_test_add_data_func (path, &scenario_cases[i], test_scenario);
    }

  g_test_add_func ("/sandbox/buyer/deadline", test_deadline);
  g_test_add_func ("/sandbox/buyer/deadline-bounds", test_deadline_bounds);

  return g_test_run ();
}
