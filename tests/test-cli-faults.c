/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Faults keep exactly-once. The built tirkeu-cli against the built tirkeu-sandbox with every
 * fault on at once (latency, 5xx, dropped connections, malformed and slow bodies, short
 * sessions, a rate limit), and the in-process desk (session, controller, outbox) against the
 * same faults: a bounded loop of submits, each run again as a user would until it is done,
 * some of the CLI's killed with SIGKILL at a random moment first. In the end the portal holds
 * exactly one request per Idempotency-Key and one per sale, none left created but unsigned,
 * and every signed request is in the journal. The counts are printed as TAP comments.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "test-token-fixture.h"
#include "tirkeu-new-request.h"
#include "tirkeu-portal-private.h"
#include "tirkeu-sandbox.h"

/* Sales of the fixture token's seller (940140000385) whose checks all pass. */
typedef struct
{
  const char *vin;
  const char *buyer_iin;
  const char *contract;
} Sale;

static const Sale cli_sales[] = {
  { "XTA210743S0000120", "850312300121", "DKP-2025-000120" },
  { "JTNB23HK2R3000115", "850312300121", "DKP-2025-940001" },
  { "LFV2B25G7S5000113", "781120300787", "DKP-2025-940008" },
  { "XWEPH81A0S0000114", "010223500344", "DKP-2025-940009" },
  { "Z94K241C0SR000116", "950501400919", "DKP-2025-940010" },
  { "WDD2130441A000109", "990330500231", "DKP-2025-940011" },
};

/* The faults, as the sandbox's options say them: none of them rare. */
#define LATENCY_MS      "20"
#define FAIL_RATE       "0.15"
#define DROP_RATE       "0.1"
#define MALFORMED_RATE  "0.1"
#define SLOW_BODY_MS    "1"
#define SESSION_TTL_S   "4"
#define RATE_LIMIT      "25"

/* A user gives up after this many runs of one command: far more than the faults need. */
#define MAX_RUNS 15

static TokenFixture *token;
static char *cli_path;

/* ------------------------------------------------------------------------------------------ */
/* The sandbox process                                                                        */

typedef struct
{
  GSubprocess *process;
  char *dir;
  char *url;
  char *ca;
} Portal;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
portal_start (Portal *portal)
{
  g_autofree char *program = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "sandbox",
                                               "tirkeu-sandbox", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  portal->dir = g_dir_make_tmp ("tirkeu-cli-faults-XXXXXX", &error);
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  portal->process = g_subprocess_launcher_spawn (launcher, &error, program,
                                                 "--listen", "127.0.0.1:0",
                                                 "--state-dir", portal->dir,
                                                 "--signer-ca", token->ca_file,
                                                 "--buyer", "manual",
                                                 "--latency-ms", LATENCY_MS,
                                                 "--fail-rate", FAIL_RATE,
                                                 "--drop-rate", DROP_RATE,
                                                 "--malformed-rate", MALFORMED_RATE,
                                                 "--slow-body-ms", SLOW_BODY_MS,
                                                 "--session-ttl-s", SESSION_TTL_S,
                                                 "--rate-limit", RATE_LIMIT,
                                                 NULL);
  g_assert_no_error (error);

  /* its first line: {"url": ..., "ca_file": ...} */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (portal->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  portal->url = g_strdup (json_object_get_string_member (object, "url"));
  portal->ca = g_strdup (json_object_get_string_member (object, "ca_file"));
}

static void
portal_stop (Portal *portal)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (portal->process, SIGTERM);
  g_subprocess_wait (portal->process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&portal->process);
  token_fixture_run ((const char *[]) { "rm", "-rf", portal->dir, NULL });
  g_free (portal->dir);
  g_free (portal->url);
  g_free (portal->ca);
}

/* The portal's requests (its state.json, written on every change). */
static JsonArray *
portal_requests (const char  *state_dir,
                 JsonParser **parser)
{
  g_autofree char *path = g_build_filename (state_dir, "state.json", NULL);
  g_autoptr(GError) error = NULL;

  *parser = json_parser_new ();
  json_parser_load_from_file (*parser, path, &error);
  g_assert_no_error (error);
  return json_object_get_array_member (json_node_get_object (json_parser_get_root (*parser)),
                                       "requests");
}

/* Exactly once: one request per key and per sale, none created but unsigned. @journal_ids
 * holds the portal ids the journal knows. */
static void
assert_exactly_once (const char *label,
                     const char *state_dir,
                     guint       n_sales,
                     GHashTable *journal_ids)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) vins = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *requests = portal_requests (state_dir, &parser);
  guint n_unsigned = 0, n_missing = 0;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      const char *stage = json_object_get_string_member (request, "stage");

      g_hash_table_add (keys, (gpointer) json_object_get_string_member (request,
                                                                        "idempotency_key"));
      g_hash_table_add (vins, (gpointer) json_object_get_string_member (request, "vin"));
      if (g_strcmp0 (stage, "contract_found") == 0)
        n_unsigned++;
      else if (!g_hash_table_contains (journal_ids, json_object_get_string_member (request, "id")))
        n_missing++;
    }
  g_test_message ("%s: %u sales; the portal holds %u requests for %u keys and %u VINs, %u "
                  "unsigned; %u signed requests missing from the journal", label, n_sales,
                  json_array_get_length (requests), g_hash_table_size (keys),
                  g_hash_table_size (vins), n_unsigned, n_missing);
  g_assert_cmpuint (json_array_get_length (requests), ==, n_sales);
  g_assert_cmpuint (g_hash_table_size (keys), ==, n_sales);
  g_assert_cmpuint (g_hash_table_size (vins), ==, n_sales);
  g_assert_cmpuint (n_unsigned, ==, 0);
  g_assert_cmpuint (n_missing, ==, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* The CLI                                                                                    */

static GSubprocess *
spawn_cli (Portal             *portal,
           const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *pin_file = g_build_filename (portal->dir, "pin", NULL);
  g_autofree char *input = g_strconcat (token->pin, "\n", NULL);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, cli_path);
  g_ptr_array_add (argv, (gpointer) "--portal-url");
  g_ptr_array_add (argv, portal->url);
  g_ptr_array_add (argv, (gpointer) "--ca-file");
  g_ptr_array_add (argv, portal->ca);
  g_ptr_array_add (argv, (gpointer) "--pkcs11-module");
  g_ptr_array_add (argv, token->module);
  g_ptr_array_add (argv, (gpointer) "--pin-fd");
  g_ptr_array_add (argv, (gpointer) "0");
  g_ptr_array_add (argv, (gpointer) "--json");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_file_set_contents_full (pin_file, input, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path (launcher, pin_file);
  /* the test's own private XDG folders: the CLI's journal is this test's */
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  /* the transport says each retry it makes: the faults the user never saw */
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "tirkeu-portal", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

/* Runs a command to its end; its JSON on exit 0, else NULL with @status set. */
static guint n_retries;

static guint
count (const char *text,
       const char *what)
{
  guint n = 0;

  for (const char *p = strstr (text, what); p != NULL; p = strstr (p + 1, what))
    n++;
  return n;
}

static JsonObject *
run_cli_json (Portal              *portal,
              const char * const  *args,
              int                 *status,
              JsonParser         **parser)
{
  g_autoptr(GSubprocess) process = spawn_cli (portal, args);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  n_retries += count (err, ", retrying in ");
  /* a fault is answered with an exit status and a message, never a crash */
  if (!g_subprocess_get_if_exited (process))
    {
      g_test_message ("tirkeu-cli %s: killed by signal %d; its stderr:\n%s", args[0],
                      g_subprocess_get_term_sig (process), err);
      g_assert_true (g_subprocess_get_if_exited (process));
    }
  *status = g_subprocess_get_exit_status (process);
  if (*status != 0)
    {
      /* with --json the error is the one object on stdout */
      g_test_message ("tirkeu-cli %s: exit %d: %s", args[0], *status, out);
      return NULL;
    }
  *parser = json_parser_new ();
  json_parser_load_from_data (*parser, out, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (*parser));
}

/* SoftHSM keeps its token in files it rewrites as it works (a real token does not): a kill at
 * the wrong moment can leave the fixture token unreadable, which says nothing about the
 * journal or the portal. Each run after a kill gets the token as it was made. */
static void
restore_token (void)
{
  g_autofree char *tokens = g_build_filename (token->dir, "tokens", NULL);
  g_autofree char *pristine = g_build_filename (token->dir, "tokens.pristine", NULL);

  if (!g_file_test (pristine, G_FILE_TEST_IS_DIR))
    token_fixture_run ((const char *[]) { "cp", "-a", tokens, pristine, NULL });
  token_fixture_run ((const char *[]) { "rm", "-rf", tokens, NULL });
  token_fixture_run ((const char *[]) { "cp", "-a", pristine, tokens, NULL });
}

static void
test_cli_submit_loop (void)
{
  Portal portal = { 0 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autoptr(GHashTable) journal_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                             NULL);
  g_autoptr(JsonParser) listed_parser = NULL;
  g_autoptr(JsonParser) unfinished_parser = NULL;
  JsonObject *listed = NULL, *unfinished = NULL;
  JsonArray *requests;
  gint64 started = g_get_monotonic_time ();
  gint64 one_run_us = 0;
  guint n_runs = 0, n_failed = 0, n_killed = 0;
  int status;

  restore_token ();
  portal_start (&portal);
  for (guint i = 0; i < G_N_ELEMENTS (cli_sales); i++)
    {
      const char * const args[] = { "submit", "--vin", cli_sales[i].vin, "--buyer-iin",
                                     cli_sales[i].buyer_iin, "--contract",
                                     cli_sales[i].contract, NULL };
      g_autoptr(JsonParser) parser = NULL;
      JsonObject *object = NULL;

      /* every other sale: killed once at a random moment of its first run, within the time
       * the first sale's run took undisturbed */
      if (i % 2 == 1)
        {
          g_autoptr(GSubprocess) victim = spawn_cli (&portal, args);
          g_autoptr(GError) error = NULL;

          g_usleep (g_rand_int_range (rand, 0, (gint32) MAX (one_run_us, 1000)));
          g_subprocess_send_signal (victim, SIGKILL);
          g_subprocess_wait (victim, NULL, &error);
          g_assert_no_error (error);
          n_runs++;
          if (g_subprocess_get_if_signaled (victim))
            {
              n_killed++;
              restore_token ();
            }
        }

      for (guint run = 0; object == NULL; run++)
        {
          gint64 run_started = g_get_monotonic_time ();

          g_assert_cmpuint (run, <, MAX_RUNS);
          g_clear_object (&parser);
          object = run_cli_json (&portal, args, &status, &parser);
          n_runs++;
          if (object == NULL)
            n_failed++;
          else if (i == 0)
            one_run_us = g_get_monotonic_time () - run_started;
        }
      g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (object,
                                                                           "idempotency_key")));
    }

  /* The journal: every signed request, nothing unfinished. `requests` reads it only. */
  listed = run_cli_json (&portal, (const char *[]) { "requests", NULL }, &status, &listed_parser);
  g_assert_nonnull (listed);
  requests = json_object_get_array_member (listed, "requests");
  for (guint i = 0; i < json_array_get_length (requests); i++)
    g_hash_table_add (journal_ids,
                      g_strdup (json_object_get_string_member (json_array_get_object_element (requests, i),
                                                               "id")));
  for (guint run = 0; unfinished == NULL; run++)
    {
      g_assert_cmpuint (run, <, MAX_RUNS);
      g_clear_object (&unfinished_parser);
      unfinished = run_cli_json (&portal, (const char *[]) { "unfinished", NULL }, &status,
                                 &unfinished_parser);
    }

  g_test_message ("CLI: %u runs, %u failed on a fault and run again, %u killed, %u retries "
                  "within runs, in %" G_GINT64_FORMAT " s; the journal holds %u drafts and %u "
                  "outbox entries", n_runs, n_failed, n_killed, n_retries,
                  (g_get_monotonic_time () - started) / G_USEC_PER_SEC,
                  json_array_get_length (json_object_get_array_member (unfinished, "drafts")),
                  json_array_get_length (json_object_get_array_member (unfinished, "outbox")));
  assert_exactly_once ("CLI", portal.dir, G_N_ELEMENTS (cli_sales), journal_ids);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (unfinished, "drafts")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (unfinished, "outbox")), ==, 0);
  /* the faults did happen, or the loop proved nothing */
  g_assert_cmpuint (n_failed + n_retries, >, 0);
  portal_stop (&portal);
}

/* ------------------------------------------------------------------------------------------ */
/* The desk, in this process                                                                  */

typedef struct
{
  TirkeuSandbox      *sandbox;
  char               *state_dir;
  TirkeuPortalClient *client;
  TirkeuTokenManager *tokens;
  TirkeuSession      *session;
  TirkeuJournal      *journal;
  guint               n_sign_ins;
  guint               n_failed;
  guint               n_outbox_sent;
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
desk_new (void)
{
  Desk *desk = g_new0 (Desk, 1);
  TirkeuSandboxOptions options;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  tirkeu_sandbox_options_init (&options);
  g_free (options.listen);
  options.listen = g_strdup ("127.0.0.1:0");
  desk->state_dir = g_dir_make_tmp ("tirkeu-desk-faults-XXXXXX", &error);
  g_assert_no_error (error);
  options.state_dir = g_strdup (desk->state_dir);
  options.signer_ca_file = g_strdup (token->ca_file);
  options.buyer_mode = TIRKEU_SANDBOX_BUYER_MANUAL;
  options.latency_ms = (guint) g_ascii_strtoull (LATENCY_MS, NULL, 10);
  options.fail_rate = g_ascii_strtod (FAIL_RATE, NULL);
  options.drop_rate = g_ascii_strtod (DROP_RATE, NULL);
  options.malformed_rate = g_ascii_strtod (MALFORMED_RATE, NULL);
  options.slow_body_ms = (guint) g_ascii_strtoull (SLOW_BODY_MS, NULL, 10);
  options.session_ttl_s = (guint) g_ascii_strtoull (SESSION_TTL_S, NULL, 10);
  options.rate_limit = (guint) g_ascii_strtoull (RATE_LIMIT, NULL, 10);
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
  path = g_build_filename (desk->state_dir, "journal.sqlite", NULL);
  desk->journal = tirkeu_journal_new_sync (path, NULL, &error);
  g_assert_no_error (error);
  tirkeu_session_set_journal (desk->session, desk->journal);
  tirkeu_session_start (desk->session);
  while (tirkeu_session_get_state (desk->session) < TIRKEU_SESSION_STATE_TOKEN_PRESENT)
    g_main_context_iteration (NULL, TRUE);
  return desk;
}

static void
desk_free (Desk *desk)
{
  g_clear_object (&desk->session);
  g_clear_object (&desk->tokens);
  g_clear_object (&desk->client);
  g_clear_object (&desk->journal);
  tirkeu_sandbox_stop (desk->sandbox);
  g_clear_object (&desk->sandbox);
  token_fixture_run ((const char *[]) { "rm", "-rf", desk->state_dir, NULL });
  g_free (desk->state_dir);
  g_free (desk);
}

/* The clerk signs in again, with the PIN they type, whenever the session ended. */
static gboolean
desk_sign_in (Desk *desk)
{
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (tirkeu_session_get_state (desk->session) == TIRKEU_SESSION_STATE_SIGNED_IN)
    return TRUE;
  certificates = tirkeu_session_dup_certificates (desk->session, TIRKEU_CERTIFICATE_KIND_AUTH);
  g_assert_cmpuint (certificates->len, >, 0);
  desk->n_sign_ins++;
  tirkeu_session_sign_in_async (desk->session, g_ptr_array_index (certificates, 0), token->pin,
                                NULL, store_result_cb, &result);
  if (!tirkeu_session_sign_in_finish (desk->session, wait_for_result (&result), &error))
    {
      g_test_message ("desk sign-in: %s", error->message);
      desk->n_failed++;
      return FALSE;
    }
  return TRUE;
}

/* What the app's outbox does on its schedule, now: every signed request it holds goes.
 * Returns whether it holds one for @key. */
static gboolean
desk_send_outbox (Desk       *desk,
                  const char *key)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) entries = NULL;
  g_autoptr(GError) error = NULL;
  GVariantIter iter;
  const char *entry_key, *last_error, *draft_id;
  GVariant *record;
  guint attempts;
  gint64 next_attempt_at;
  gboolean holds = FALSE;

  tirkeu_journal_list_outbox_due_async (desk->journal, G_MAXINT64, NULL, store_result_cb,
                                        &result);
  entries = tirkeu_journal_list_outbox_due_finish (desk->journal, wait_for_result (&result),
                                                   &error);
  g_assert_no_error (error);
  g_variant_iter_init (&iter, entries);
  while (g_variant_iter_next (&iter, "(&s@a{sv}u&sx&s)", &entry_key, &record, &attempts,
                              &last_error, &next_attempt_at, &draft_id))
    {
      g_autoptr(GVariant) owned = record;
      g_autoptr(TirkeuRequest) request = tirkeu_request_new_from_variant (record, NULL);
      g_autoptr(TirkeuRequest) confirmed = NULL;
      g_autoptr(GAsyncResult) sent = NULL;
      g_autoptr(GError) send_error = NULL;

      if (g_strcmp0 (entry_key, key) == 0)
        holds = TRUE;
      if (request == NULL || tirkeu_request_get_portal_id (request) == NULL
          || tirkeu_request_get_seller_signature (request) == NULL)
        continue;
      tirkeu_outbox_send_async (tirkeu_session_get_outbox (desk->session), request,
                                *draft_id != '\0' ? draft_id : NULL, NULL, store_result_cb,
                                &sent);
      confirmed = tirkeu_outbox_send_finish (tirkeu_session_get_outbox (desk->session),
                                             wait_for_result (&sent), &send_error);
      if (confirmed != NULL)
        desk->n_outbox_sent++;
      else
        g_test_message ("desk outbox: %s", send_error->message);
    }
  return holds;
}

/* The journal's request with @key, once the portal confirmed its signature. */
static gboolean
desk_journal_has_submitted (Desk       *desk,
                            const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requests = tirkeu_journal_list_requests_sync (desk->journal, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < requests->len; i++)
    {
      TirkeuRequest *request = g_ptr_array_index (requests, i);

      if (g_strcmp0 (tirkeu_request_get_idempotency_key (request), key) == 0
          && tirkeu_request_get_stage (request) == TIRKEU_STAGE_AWAITING_BUYER)
        return TRUE;
    }
  return FALSE;
}

static TirkeuDraft *
desk_find_draft (Desk       *desk,
                 const char *key)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;

  tirkeu_new_request_list_drafts_async (desk->journal, NULL, store_result_cb, &result);
  drafts = tirkeu_new_request_list_drafts_finish (wait_for_result (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < drafts->len; i++)
    {
      TirkeuDraft *draft = g_ptr_array_index (drafts, i);

      if (g_strcmp0 (draft->idempotency_key, key) == 0)
        return tirkeu_draft_copy (draft);
    }
  return NULL;
}

static void
desk_pin_needed_cb (TirkeuNewRequest  *request,
                    TirkeuCertificate *certificate,
                    const char        *message,
                    guint             *asked)
{
  if ((*asked)++ == 0)
    tirkeu_new_request_give_pin (request, token->pin);
  else
    tirkeu_new_request_cancel_pin (request);
}

static gboolean
desk_send (Desk              *desk,
           const TirkeuDraft *draft)
{
  g_autoptr(TirkeuNewRequest) request = tirkeu_new_request_new (desk->session, draft);
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  TirkeuCertificate *certificate = NULL;
  guint asked = 0;
  gboolean done;

  certificates = tirkeu_session_dup_certificates (desk->session, TIRKEU_CERTIFICATE_KIND_SIGN);
  for (guint i = 0; i < certificates->len && certificate == NULL; i++)
    if (tirkeu_certificate_check_purpose (g_ptr_array_index (certificates, i),
                                          TIRKEU_SIGN_PURPOSE_REQUEST,
                                          tirkeu_session_get_seller (desk->session)->bin, now,
                                          NULL))
      certificate = g_ptr_array_index (certificates, i);
  g_assert_nonnull (certificate);

  g_signal_connect (request, "pin-needed", G_CALLBACK (desk_pin_needed_cb), &asked);
  tirkeu_new_request_send_async (request, certificate, NULL, store_result_cb, &result);
  done = tirkeu_new_request_send_finish (request, wait_for_result (&result), &error);
  if (!done)
    {
      g_test_message ("desk send: %s", error->message);
      desk->n_failed++;
    }
  /* Kept in the outbox (the portal's answer did not come in time): the clerk's next run
   * finds it there and sends it, as Retry does. */
  else if (tirkeu_new_request_get_state (request) == TIRKEU_NEW_REQUEST_STATE_QUEUED)
    {
      g_test_message ("desk send: queued");
      desk->n_failed++;
      done = FALSE;
    }
  while (tirkeu_new_request_get_checking (request))
    g_main_context_iteration (NULL, TRUE);
  return done;
}

static void
test_desk_submit_loop (void)
{
  Desk *desk = desk_new ();
  g_autoptr(GHashTable) journal_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                             NULL);
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();
  guint n_runs = 0, n_attempts;

  for (guint i = 0; i < G_N_ELEMENTS (cli_sales); i++)
    {
      g_autoptr(TirkeuDraft) typed = tirkeu_draft_new (NULL);
      gboolean done = FALSE;

      g_free (typed->vin);
      typed->vin = g_strdup (cli_sales[i].vin);
      g_free (typed->buyer_iin);
      typed->buyer_iin = g_strdup (cli_sales[i].buyer_iin);
      typed->contract_number = g_strdup (cli_sales[i].contract);

      /* As a clerk goes on: sign in again when the session ended, let the outbox send what
       * it holds, and send the unfinished request again, never a new one. */
      for (guint run = 0; !done; run++)
        {
          g_autoptr(TirkeuDraft) draft = NULL;

          g_assert_cmpuint (run, <, MAX_RUNS);
          n_runs++;
          if (!desk_sign_in (desk))
            continue;
          if (desk_send_outbox (desk, typed->idempotency_key)
              && !desk_journal_has_submitted (desk, typed->idempotency_key))
            continue;
          if (desk_journal_has_submitted (desk, typed->idempotency_key))
            break;
          draft = desk_find_draft (desk, typed->idempotency_key);
          done = desk_send (desk, draft != NULL ? draft : typed);
        }
    }

  stored = tirkeu_journal_list_requests_sync (desk->journal, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < stored->len; i++)
    g_hash_table_add (journal_ids,
                      g_strdup (tirkeu_request_get_portal_id (g_ptr_array_index (stored, i))));
  n_attempts = _tirkeu_portal_client_get_n_attempts (desk->client);
  g_test_message ("desk: %u runs, %u failed on a fault and run again, %u sign-ins, %u sent by "
                  "the outbox, %u HTTP attempts, in %" G_GINT64_FORMAT " s", n_runs,
                  desk->n_failed, desk->n_sign_ins, desk->n_outbox_sent, n_attempts,
                  (g_get_monotonic_time () - started) / G_USEC_PER_SEC);
  assert_exactly_once ("desk", desk->state_dir, G_N_ELEMENTS (cli_sales), journal_ids);
  /* nothing left unfinished: no draft, nothing in the outbox */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GPtrArray) drafts = NULL;
    g_autoptr(GVariant) outbox = NULL;

    tirkeu_new_request_list_drafts_async (desk->journal, NULL, store_result_cb, &result);
    drafts = tirkeu_new_request_list_drafts_finish (wait_for_result (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (drafts->len, ==, 0);
    g_clear_object (&result);
    tirkeu_journal_list_outbox_due_async (desk->journal, G_MAXINT64, NULL, store_result_cb,
                                          &result);
    outbox = tirkeu_journal_list_outbox_due_finish (desk->journal, wait_for_result (&result),
                                                    &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_variant_n_children (outbox), ==, 0);
  }
  desk_free (desk);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  token = token_fixture_new ();
  cli_path = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "cli", "tirkeu-cli", NULL);

  g_test_add_func ("/faults/cli/submit-loop", test_cli_submit_loop);
  g_test_add_func ("/faults/desk/submit-loop", test_desk_submit_loop);
  status = g_test_run ();

  token_fixture_free (token);
  g_free (cli_path);
  return status;
}
