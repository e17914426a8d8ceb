/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tirkeu-cli's portal commands run as a user runs them: the built tirkeu-sandbox program on
 * 127.0.0.1:0 trusting the CA of the SoftHSM fixture token (tests/fixtures/make-token.sh),
 * the built tirkeu-cli signing in with the token's AUTH key and signing requests with its
 * SIGN key, the PIN through --pin-fd 0. Checked: output, JSON, exit codes 0-4, the journal.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sys/stat.h>

#include "test-token-fixture.h"
#include "tirkeu-journal.h"
#include "tirkeu-portal-error.h"

#define BUYER_IIN     "850312300121"
#define UNKNOWN_IIN   "770211300889"
#define OTHER_BUYER_IIN "920715400560"  /* active, but no contract for VIN_SELLER */
#define VIN_SELLER    "XTA210743S0000120"   /* the fixture token's seller has its contract */
#define CONTRACT      "DKP-2025-000120"
#define VIN_CUSTOMS   "Z94K241C4SR000104"   /* customs unpaid: stops at step 4 */

static TokenFixture *token;
static char *cli_path;
static GSubprocess *sandbox;
static char *sandbox_dir;
static char *portal_url;
static char *portal_ca;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* tirkeu-cli with the global options for the sandbox (when @portal_options) and the token,
 * then @args, the PIN to be read from its stdin (--pin-fd 0). */
static GPtrArray *
cli_argv (gboolean            portal_options,
          const char * const *args)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, cli_path);
  if (portal_options)
    {
      g_ptr_array_add (argv, (gpointer) "--portal-url");
      g_ptr_array_add (argv, portal_url);
      g_ptr_array_add (argv, (gpointer) "--ca-file");
      g_ptr_array_add (argv, portal_ca);
    }
  g_ptr_array_add (argv, (gpointer) "--pkcs11-module");
  g_ptr_array_add (argv, token->module);
  g_ptr_array_add (argv, (gpointer) "--pin-fd");
  g_ptr_array_add (argv, (gpointer) "0");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* G_TEST_OPTION_ISOLATE_DIRS sets the XDG variables to /dev/null and keeps the test's own
 * folders inside GLib: hand those to the child, so that its journal is this test's. */
static GSubprocessLauncher *
cli_launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags |
                                                             G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                             G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  return launcher;
}

/* Waits for @process, feeding it @input; fills @run. A crash (a sanitizer's abort among
 * them) fails the test with what the CLI printed. */
static void
run_finish (Run         *run,
            GSubprocess *process,
            const char  *input,
            const char  *command)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, input, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process))
    g_error ("tirkeu-cli %s died of signal %d: %s", command, g_subprocess_get_term_sig (process),
             run->err);
  run->status = g_subprocess_get_exit_status (process);
  /* the PIN never shows */
  g_assert_null (strstr (run->out, token->pin));
  g_assert_null (strstr (run->err, token->pin));
}

/* Runs tirkeu-cli with the global options for the sandbox and the token, then @args. */
static void
run_cli_with (Run                *run,
              const char         *pin,
              gboolean            portal_options,
              const char * const *args)
{
  g_autoptr(GPtrArray) argv = cli_argv (portal_options, args);
  g_autoptr(GSubprocessLauncher) launcher = cli_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = pin != NULL ? g_strconcat (pin, "\n", NULL) : NULL;
  g_autofree char *pin_file = NULL;

  /* The PIN comes from a 0600 file as stdin (--pin-fd 0): a command that stops before
   * reading it leaves nothing half-written in a pipe. */
  if (input != NULL)
    {
      pin_file = g_build_filename (sandbox_dir, "pin", NULL);
      g_file_set_contents_full (pin_file, input, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
      g_assert_no_error (error);
      g_subprocess_launcher_set_stdin_file_path (launcher, pin_file);
    }
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  run_finish (run, process, NULL, args[0]);
  if (pin_file != NULL)
    g_remove (pin_file);
}

static void
run_cli (Run                *run,
         const char * const *args)
{
  run_cli_with (run, token->pin, TRUE, args);
}

static JsonObject *
parse_json (const char  *text,
            JsonParser **parser)
{
  g_autoptr(GError) error = NULL;

  *parser = json_parser_new ();
  json_parser_load_from_data (*parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (*parser)));
  return json_node_get_object (json_parser_get_root (*parser));
}

/* ------------------------------------------------------------------------------------------ */

static void
test_vehicle (void)
{
  g_auto(Run) passed = { 0 };
  g_auto(Run) stopped = { 0 };
  g_auto(Run) json = { 0 };
  g_auto(Run) invalid = { 0 };
  g_auto(Run) kazakh = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;
  JsonObject *epassport;

  run_cli (&passed, (const char *[]) { "vehicle", VIN_SELLER, NULL });
  g_assert_cmpint (passed.status, ==, 0);
  g_assert_nonnull (strstr (passed.out, "passes steps 3 to 5"));
  g_assert_nonnull (strstr (passed.err, "Training portal"));
  /* the e-passport's colour, body type and engine in the output's language (contract 1.4),
   * not as the e-passport system spells them */
  g_assert_nonnull (strstr (passed.out, "LADA Largus 2025, white, N1\n"));
  g_assert_nonnull (strstr (passed.out, ": van\n"));
  g_assert_nonnull (strstr (passed.out, ": 1.6 l petrol, 66 kW\n"));
  g_assert_null (strstr (passed.out, "белый"));

  run_cli (&kazakh, (const char *[]) { "--language", "kk", "vehicle", VIN_SELLER, NULL });
  g_assert_cmpint (kazakh.status, ==, 0);
  g_assert_nonnull (strstr (kazakh.out, "LADA Largus 2025, ақ, N1\n"));
  g_assert_nonnull (strstr (kazakh.out, ": 1,6 л, бензин, 66 кВт\n"));
  g_assert_null (strstr (kazakh.out, "белый"));

  run_cli (&stopped, (const char *[]) { "vehicle", VIN_CUSTOMS, NULL });
  g_assert_cmpint (stopped.status, ==, 1);
  g_assert_nonnull (strstr (stopped.out, "Step 4, customs payment: unpaid"));

  run_cli (&json, (const char *[]) { "--json", "vehicle", VIN_CUSTOMS, NULL });
  g_assert_cmpint (json.status, ==, 1);
  object = parse_json (json.out, &parser);
  g_assert_cmpstr (json_object_get_string_member (object, "customs"), ==, "unpaid");
  /* the e-passport's own spelling where scripts always read it, and the output's language
   * beside it */
  epassport = json_object_get_object_member (object, "epassport");
  g_assert_cmpstr (json_object_get_string_member (epassport, "colour"), ==, "серебристый");
  g_assert_cmpstr (json_object_get_string_member (epassport, "colour_text"), ==, "silver");
  g_assert_cmpstr (json_object_get_string_member (epassport, "body"), ==, "седан");
  g_assert_cmpstr (json_object_get_string_member (epassport, "body_text"), ==, "saloon");
  g_assert_cmpstr (json_object_get_string_member (epassport, "engine_text"), ==,
                   "1.6 l petrol, 90 kW");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object,
                                                                              "stopped_at"),
                                               "step"), ==, 4);
  /* --json prints nothing but the one object on stdout; the banner is for humans */
  g_assert_null (strstr (json.err, "Training portal"));

  /* refused before anything is asked: no PIN needed */
  run_cli_with (&invalid, NULL, TRUE, (const char *[]) { "vehicle", "NOT-A-VIN", NULL });
  g_assert_cmpint (invalid.status, ==, 1);
}

static void
test_person (void)
{
  g_auto(Run) json = { 0 };
  g_auto(Run) unknown = { 0 };
  g_auto(Run) bad_digit = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;

  run_cli (&json, (const char *[]) { "--json", "person", BUYER_IIN, NULL });
  g_assert_cmpint (json.status, ==, 0);
  object = parse_json (json.out, &parser);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (object, "iin"), ==, "850312******");
  g_assert_null (strstr (json.out, BUYER_IIN));

  run_cli (&unknown, (const char *[]) { "person", UNKNOWN_IIN, NULL });
  g_assert_cmpint (unknown.status, ==, 1);
  g_assert_cmpuint (strlen (unknown.err), >, 0);

  run_cli_with (&bad_digit, NULL, TRUE, (const char *[]) { "person", "123456789021", NULL });
  g_assert_cmpint (bad_digit.status, ==, 1);
}

static void
test_contracts (void)
{
  g_auto(Run) found = { 0 };
  g_auto(Run) none = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;
  JsonObject *contract;

  run_cli (&found, (const char *[]) { "--json", "contracts", VIN_SELLER, BUYER_IIN, NULL });
  g_assert_cmpint (found.status, ==, 0);
  object = parse_json (found.out, &parser);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "contracts")),
                    ==, 1);
  contract = json_array_get_object_element (json_object_get_array_member (object, "contracts"),
                                            0);
  g_assert_cmpstr (json_object_get_string_member (contract, "number"), ==, CONTRACT);
  g_assert_cmpstr (json_object_get_string_member (contract, "seller_bin"), ==,
                   token->seller_bin);

  /* no contract with this buyer for the vehicle: step 8 stops */
  run_cli (&none, (const char *[]) { "contracts", VIN_SELLER, OTHER_BUYER_IIN, NULL });
  g_assert_cmpint (none.status, ==, 1);
}

static void
test_submit_status_requests_sync (void)
{
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *id = NULL;
  g_auto(Run) submit = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) status = { 0 };
  g_auto(Run) requests = { 0 };
  g_auto(Run) sync = { 0 };
  g_auto(Run) sync_json = { 0 };
  g_auto(Run) requests_json = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonParser) parser2 = NULL;
  g_autoptr(JsonParser) parser3 = NULL;
  g_autoptr(JsonParser) parser4 = NULL;
  JsonObject *object;

  /* Step 9 for real: the token's SIGN key signs the portal's payload. */
  run_cli (&submit, (const char *[]) { "--json", "submit", "--vin", VIN_SELLER, "--buyer-iin",
                                       BUYER_IIN, "--contract", CONTRACT, "--idempotency-key",
                                       key, NULL });
  if (submit.status != 0)
    g_error ("submit failed (%d): %s", submit.status, submit.err);
  object = parse_json (submit.out, &parser);
  g_assert_cmpstr (json_object_get_string_member (object, "stage"), ==, "awaiting_buyer");
  g_assert_null (strstr (submit.err, "journal"));
  id = g_strdup (json_object_get_string_member (object, "id"));

  /* the same key again finds the same request, already signed */
  run_cli (&again, (const char *[]) { "--json", "submit", "--vin", VIN_SELLER, "--buyer-iin",
                                      BUYER_IIN, "--contract", CONTRACT, "--idempotency-key",
                                      key, NULL });
  g_assert_cmpint (again.status, ==, 0);
  object = parse_json (again.out, &parser2);
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, id);

  run_cli (&status, (const char *[]) { "status", id, NULL });
  g_assert_cmpint (status.status, ==, 0);
  g_assert_nonnull (strstr (status.out, id));
  g_assert_nonnull (strstr (status.out, "Signed by the seller"));
  /* the portal's history messages in the language of --language, whatever the last run's */
  {
    g_auto(Run) status_kk = { 0 };
    g_auto(Run) status_ru = { 0 };

    run_cli (&status_kk, (const char *[]) { "--language", "kk", "status", id, NULL });
    run_cli (&status_ru, (const char *[]) { "--language", "ru", "status", id, NULL });
    g_assert_cmpint (status_kk.status, ==, 0);
    g_assert_cmpint (status_ru.status, ==, 0);
    g_assert_nonnull (strstr (status_kk.out, "жеке кабинетіне"));
    g_assert_null (strstr (status_kk.out, "личный кабинет"));
    g_assert_nonnull (strstr (status_ru.out, "личный кабинет покупателя"));
    g_assert_null (strstr (status_ru.out, "жеке кабинетіне"));
    g_assert_null (strstr (status.out, "личный кабинет"));
  }

  /* offline: what the journal knows */
  run_cli_with (&requests, NULL, FALSE, (const char *[]) { "requests", NULL });
  if (requests.status != 0)
    g_error ("requests failed (%d): %s", requests.status, requests.err);
  g_assert_nonnull (strstr (requests.out, id));

  run_cli (&sync, (const char *[]) { "sync", NULL });
  g_assert_cmpint (sync.status, ==, 0);
  run_cli (&sync_json, (const char *[]) { "--json", "sync", NULL });
  g_assert_cmpint (sync_json.status, ==, 0);
  object = parse_json (sync_json.out, &parser3);
  /* the cursor was kept: nothing changed since the last sync */
  g_assert_cmpint (json_object_get_int_member (object, "changed"), ==, 0);

  run_cli_with (&requests_json, NULL, FALSE, (const char *[]) { "--json", "requests", NULL });
  g_assert_cmpint (requests_json.status, ==, 0);
  object = parse_json (requests_json.out, &parser4);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "requests")),
                    ==, 1);

  /* The portal answered but the journal cannot open: the command still succeeds, and says
   * why in the reader's language, the library's text only under Details */
  {
    g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "tirkeu", NULL);
    g_autofree char *away = g_strconcat (folder, ".away", NULL);
    g_auto(Run) unrecorded = { 0 };
    g_autoptr(GError) error = NULL;
    const char *details;

    g_assert_cmpint (g_rename (folder, away), ==, 0);
    g_file_set_contents (folder, "", 0, &error);
    g_assert_no_error (error);
    run_cli (&unrecorded, (const char *[]) { "--language", "kk", "status", id, NULL });
    g_remove (folder);
    g_assert_cmpint (g_rename (away, folder), ==, 0);

    g_test_message ("stderr: %s", unrecorded.err);
    g_assert_cmpint (unrecorded.status, ==, 0);
    /* after the training portal's banner */
    g_assert_nonnull (strstr (unrecorded.err, "\ntirkeu-cli: жергілікті журнал жаңартылмады: "
                                              "Жергілікті журнал ашылмады."));
    details = strstr (unrecorded.err, "\n  Толығырақ: ");
    g_assert_nonnull (details);
  }
}

static void
test_sync_forgotten_cursor (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *cursor = NULL;
  g_auto(Run) sync = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;

  /* A journal whose cursor the portal does not know (another portal, or a reset one). */
  {
    g_autoptr(TirkeuJournal) journal = tirkeu_journal_new_sync (NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (tirkeu_journal_upsert_requests_sync (journal, none, "forgotten-cursor", NULL,
                                                        &error));
    g_assert_no_error (error);
  }

  /* sync starts again from nothing, once, and stores the portal's new cursor */
  run_cli (&sync, (const char *[]) { "--json", "sync", NULL });
  if (sync.status != 0)
    g_error ("sync failed (%d): %s", sync.status, sync.err);
  object = parse_json (sync.out, &parser);
  g_assert_cmpint (json_object_get_int_member (object, "changed"), >=, 1);

  {
    g_autoptr(TirkeuJournal) journal = tirkeu_journal_new_sync (NULL, NULL, &error);

    g_assert_no_error (error);
    cursor = tirkeu_journal_get_cursor_sync (journal, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (cursor);
    g_assert_cmpstr (cursor, !=, "forgotten-cursor");
    requests = tirkeu_journal_list_requests_sync (journal, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (requests->len, ==, json_object_get_int_member (object, "changed"));
  }
}

static void
test_submit_refused (void)
{
  g_auto(Run) run = { 0 };

  run_cli (&run, (const char *[]) { "submit", "--vin", VIN_SELLER, "--buyer-iin", BUYER_IIN,
                                    "--contract", "DKP-NO-SUCH", NULL });
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpuint (strlen (run.err), >, 0);
}

typedef struct
{
  const char *name;
  const char *pin;
  gboolean portal_options;
  const char *args[8];
  int status;
} ExitCase;

static const ExitCase exit_cases[] = {
  { "no-portal-url", "12345678", FALSE, { "person", BUYER_IIN, NULL }, 2 },
  { "missing-argument", "12345678", TRUE, { "submit", "--vin", VIN_SELLER, NULL }, 2 },
  { "too-many-arguments", "12345678", TRUE, { "status", "a", "b", NULL }, 2 },
  { "unknown-request", "12345678", TRUE, { "status", "no-such-request", NULL }, 1 },
  { "wrong-pin", "00000000", TRUE, { "person", BUYER_IIN, NULL }, 4 },
  { "no-pin", "", TRUE, { "person", BUYER_IIN, NULL }, 4 },
  { "no-module", "12345678", TRUE,
    { "--pkcs11-module", "/nonexistent/module.so", "person", BUYER_IIN, NULL }, 4 },
  { "untrusted-portal", "12345678", TRUE,
    { "--ca-file", "", "person", BUYER_IIN, NULL }, 3 },
  { "unreachable-portal", "12345678", TRUE,
    { "--portal-url", "https://127.0.0.1:1", "person", BUYER_IIN, NULL }, 3 },
};

static void
test_exit_code (gconstpointer data)
{
  const ExitCase *exit_case = data;
  g_auto(Run) run = { 0 };
  const char *args[10];
  guint n = 0;

  for (guint i = 0; exit_case->args[i] != NULL; i++)
    {
      /* "--ca-file ''" stands for "a CA that is not the portal's": the token's CA */
      if (g_str_equal (exit_case->args[i], "") && i > 0 &&
          g_str_equal (exit_case->args[i - 1], "--ca-file"))
        args[n++] = token->ca_file;
      else
        args[n++] = exit_case->args[i];
    }
  args[n] = NULL;

  run_cli_with (&run, exit_case->pin, exit_case->portal_options, args);
  if (run.status != exit_case->status)
    g_error ("%s: exit %d, expected %d: %s", exit_case->name, run.status, exit_case->status,
             run.err);
  g_assert_cmpuint (strlen (run.err), >, 0);
}

/* ------------------------------------------------------------------------------------------ */

/* A failed assertion aborts the test: the sandbox must not outlive it (meson would wait for
 * the output it inherited). */
/* ------------------------------------------------------------------------------------------ */
/* One sign-in for a whole seller flow                                                        */

/* The sign-ins the sandbox saw: one session each, kept in its state.json. */
static guint
count_sandbox_sessions (void)
{
  g_autofree char *path = g_build_filename (sandbox_dir, "state.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (root, "sessions"))
    return 0;
  return json_object_get_size (json_object_get_object_member (root, "sessions"));
}

/* POST @path of the sandbox's admin interface with the JSON @body (may be NULL). */
static void
admin_post (const char *path,
            const char *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (portal_ca, &error);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GUri) base = g_uri_parse (portal_url, G_URI_FLAGS_NONE, &error);
  g_autoptr(GUri) uri = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) answer = NULL;

  g_assert_no_error (error);
  soup_session_set_tls_database (session, database);
  uri = g_uri_parse_relative (base, path, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  message = soup_message_new_from_uri ("POST", uri);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }
  answer = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
}

/* The portal ends every session now (the sandbox's /admin/sessions/expire). */
static void
expire_sandbox_sessions (void)
{
  admin_post ("/admin/sessions/expire", NULL);
}

static char *
session_cache_file (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_runtime_dir (), "tirkeu", NULL);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "portal-session-"))
      return g_build_filename (dir, name, NULL);
  return NULL;
}

static void
run_ok (const char * const *args)
{
  g_auto(Run) run = { 0 };

  run_cli (&run, args);
  if (run.status != 0)
    g_error ("%s failed (%d): %s", args[1], run.status, run.err);
}

/* vehicle, person, contracts, submit, status: one sign-in with the token, the portal session
 * kept between the commands in a file only the user can read, holding no PIN; sign-out and
 * the portal ending the session both make the next command sign in again. */
static void
test_flow_signs_in_once (void)
{
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *id = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_runtime_dir (), "tirkeu", NULL);
  g_autofree char *cache = NULL;
  g_autofree char *contents = NULL;
  g_auto(Run) submit = { 0 };
  g_auto(Run) sign_out = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  guint before = count_sandbox_sessions ();
  struct stat st;

  run_ok ((const char *[]) { "--json", "vehicle", "JTNB23HK2R3000115", NULL });
  run_ok ((const char *[]) { "--json", "person", BUYER_IIN, NULL });
  run_ok ((const char *[]) { "--json", "contracts", "JTNB23HK2R3000115", BUYER_IIN, NULL });
  run_cli (&submit, (const char *[]) { "--json", "submit", "--vin", "JTNB23HK2R3000115",
                                       "--buyer-iin", BUYER_IIN, "--contract", "DKP-2025-940001",
                                       "--idempotency-key", key, NULL });
  if (submit.status != 0)
    g_error ("submit failed (%d): %s", submit.status, submit.err);
  id = g_strdup (json_object_get_string_member (parse_json (submit.out, &parser), "id"));
  run_ok ((const char *[]) { "--json", "status", id, NULL });
  g_assert_cmpuint (count_sandbox_sessions (), ==, before + 1);

  /* Private to the user, and only the session: no PIN. */
  g_assert_cmpint (lstat (dir, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  cache = session_cache_file ();
  g_assert_nonnull (cache);
  g_assert_cmpint (lstat (cache, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_file_get_contents (cache, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (contents, token->pin));

  /* Signed out: forgotten, and the next command signs in again. */
  run_cli (&sign_out, (const char *[]) { "sign-out", NULL });
  g_assert_cmpint (sign_out.status, ==, 0);
  g_assert_false (g_file_test (cache, G_FILE_TEST_EXISTS));
  run_ok ((const char *[]) { "--json", "vehicle", "JTNB23HK2R3000115", NULL });
  g_assert_cmpuint (count_sandbox_sessions (), ==, before + 2);
  run_ok ((const char *[]) { "--json", "person", BUYER_IIN, NULL });
  g_assert_cmpuint (count_sandbox_sessions (), ==, before + 2);

  /* The portal ended the session: the next command signs in again, once. */
  expire_sandbox_sessions ();
  run_ok ((const char *[]) { "--json", "vehicle", "JTNB23HK2R3000115", NULL });
  g_assert_cmpuint (count_sandbox_sessions (), ==, before + 3);
  run_ok ((const char *[]) { "--json", "person", BUYER_IIN, NULL });
  g_assert_cmpuint (count_sandbox_sessions (), ==, before + 3);
}

/* The member @member of the object whose "id" is @id, anywhere under @node. */
static const char *
find_member_of (JsonNode   *node,
                const char *id,
                const char *member)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      if (g_strcmp0 (json_object_get_string_member_with_default (object, "id", NULL), id) == 0
          && json_object_has_member (object, member))
        return json_object_get_string_member (object, member);
      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *found = find_member_of (json_object_get_member (object, l->data), id,
                                              member);

          if (found != NULL)
            return found;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *found = find_member_of (json_array_get_element (array, i), id, member);

          if (found != NULL)
            return found;
        }
    }
  return NULL;
}

/* submit --cert ID signs with the certificate named, not the default (the signed-in person's
 * own, sign-rsa): the sandbox records who signed. A certificate that may not sign the request
 * is refused before anything is created, as the default would be. */
static void
test_submit_cert (void)
{
  g_autofree char *ec_id = g_key_file_get_string (token->ini, "sign-ec", "id", NULL);
  g_autofree char *employee_id = g_key_file_get_string (token->ini, "employee", "id", NULL);
  g_autofree char *state_file = g_build_filename (sandbox_dir, "state.json", NULL);
  g_autofree char *state = NULL;
  g_autofree char *id = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonParser) state_parser = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) refused = { 0 };
  g_auto(Run) submit = { 0 };
  const char *signer;

  g_assert_nonnull (ec_id);
  g_assert_nonnull (employee_id);
  run_cli (&refused, (const char *[]) { "submit", "--vin", "JTMHV05J2S5000111", "--buyer-iin",
                                        BUYER_IIN, "--contract", "DKP-2025-940013", "--cert",
                                        employee_id, NULL });
  g_assert_cmpint (refused.status, !=, 0);
  g_assert_nonnull (strstr (refused.err, "gives no right to sign"));

  run_cli (&submit, (const char *[]) { "--json", "submit", "--vin", "JTMHV05J2S5000111",
                                       "--buyer-iin", BUYER_IIN, "--contract", "DKP-2025-940013",
                                       "--cert", ec_id, NULL });
  if (submit.status != 0)
    g_error ("submit --cert failed (%d): %s", submit.status, submit.err);
  id = g_strdup (json_object_get_string_member (parse_json (submit.out, &parser), "id"));

  /* sign-ec belongs to ӘБІЛҚАСЫМОВА (IIN 900715…), the default sign-rsa to ИВАНОВ (850304…) */
  g_file_get_contents (state_file, &state, NULL, &error);
  g_assert_no_error (error);
  state_parser = json_parser_new ();
  json_parser_load_from_data (state_parser, state, -1, &error);
  g_assert_no_error (error);
  signer = find_member_of (json_parser_get_root (state_parser), id, "_signer");
  g_assert_cmpstr (signer, ==, "900715******");
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Starts the built sandbox with @extra_args (NULL-terminated, may be empty) in a state
 * directory of its own; returns the process, its directory, URL and CA file. */
static GSubprocess *
start_sandbox_with (const char * const  *extra_args,
                    char               **dir,
                    char               **url,
                    char               **ca)
{
  g_autofree char *program = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "sandbox",
                                               "tirkeu-sandbox", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *line = NULL;
  g_autoptr(JsonParser) parser = NULL;
  GSubprocess *process;
  JsonObject *object;

  *dir = g_dir_make_tmp ("tirkeu-cli-portal-XXXXXX", &error);
  g_assert_no_error (error);
  g_ptr_array_add (argv, program);
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1:0");
  g_ptr_array_add (argv, (gpointer) "--state-dir");
  g_ptr_array_add (argv, *dir);
  g_ptr_array_add (argv, (gpointer) "--signer-ca");
  g_ptr_array_add (argv, token->ca_file);
  g_ptr_array_add (argv, (gpointer) "--buyer");
  g_ptr_array_add (argv, (gpointer) "manual");
  for (guint i = 0; extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra_args[i]);
  g_ptr_array_add (argv, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  /* its first line: {"url": ..., "ca_file": ...} */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  object = parse_json (line, &parser);
  *url = g_strdup (json_object_get_string_member (object, "url"));
  *ca = g_strdup (json_object_get_string_member (object, "ca_file"));
  return process;
}

static void
start_sandbox (void)
{
  sandbox = start_sandbox_with ((const char *[]) { NULL }, &sandbox_dir, &portal_url,
                                &portal_ca);
}

/* A request the journal holds at a stage a newer portal added: `requests` says the stage is
 * not known and names it, with no "Next" of the last stage this build knows; --json gives
 * the portal's name as "unknown_stage". */
static void
test_requests_unknown_stage (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuJournal) journal = tirkeu_journal_new_sync (NULL, NULL, &error);
  g_autoptr(GPtrArray) stored = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TirkeuRequest) request = tirkeu_request_new ();
  g_autoptr(TirkeuVehicle) vehicle = tirkeu_vehicle_new (VIN_SELLER);
  g_autoptr(JsonParser) parser = NULL;
  g_auto(Run) text = { 0 };
  g_auto(Run) json = { 0 };
  JsonObject *object;

  g_assert_no_error (error);
  tirkeu_request_set_portal_id (request, "R-NEWER");
  tirkeu_request_set_vehicle (request, vehicle);
  tirkeu_request_set_unknown_stage (request, "handed_to_insurer");
  g_ptr_array_add (stored, g_object_ref (request));
  g_assert_true (tirkeu_journal_upsert_requests_sync (journal, stored, NULL, NULL, &error));
  g_assert_no_error (error);

  run_cli_with (&text, NULL, FALSE, (const char *[]) { "requests", NULL });
  if (text.status != 0)
    g_error ("requests failed (%d): %s", text.status, text.err);
  g_assert_nonnull (strstr (text.out, "R-NEWER"));
  g_assert_nonnull (strstr (text.out, "Stage not known to this version: handed_to_insurer"));
  g_assert_null (strstr (text.out, "Next:"));

  run_cli_with (&json, NULL, FALSE, (const char *[]) { "--json", "requests", NULL });
  g_assert_cmpint (json.status, ==, 0);
  object = parse_json (json.out, &parser);
  object = json_array_get_object_element (json_object_get_array_member (object, "requests"), 0);
  g_assert_cmpstr (json_object_get_string_member (object, "unknown_stage"), ==,
                   "handed_to_insurer");
}

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
/* One deadline for a whole command                                                           */

typedef struct
{
  GSubprocess *process;
  char *dir, *url, *ca;
  /* the shared sandbox's, put back when done */
  char *saved_dir, *saved_url, *saved_ca;
} OtherSandbox;

/* Points run_cli() at a sandbox of its own, started with @extra_args. */
static void
other_sandbox_start (OtherSandbox       *other,
                     const char * const *extra_args)
{
  other->process = start_sandbox_with (extra_args, &other->dir, &other->url, &other->ca);
  other->saved_dir = sandbox_dir;
  other->saved_url = portal_url;
  other->saved_ca = portal_ca;
  sandbox_dir = other->dir;
  portal_url = other->url;
  portal_ca = other->ca;
}

static void
other_sandbox_stop (OtherSandbox *other)
{
  g_autoptr(GError) error = NULL;

  sandbox_dir = other->saved_dir;
  portal_url = other->saved_url;
  portal_ca = other->saved_ca;
  g_subprocess_send_signal (other->process, SIGTERM);
  g_subprocess_wait (other->process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&other->process);
  g_free (other->dir);
  g_free (other->url);
  g_free (other->ca);
}

/* A portal that trickles every answer (64 bytes each 500 ms: the sign-in's challenge and
 * session and the vehicle's answer would take about 13 s) holds a command no longer than
 * its one --timeout, its sign-in included, and the message says the time really waited.
 * Each call used to have its own deadline, so a command that signs in waited three. */
static void
test_one_deadline (void)
{
  OtherSandbox other = { 0 };
  g_auto(Run) run = { 0 };
  gint64 start, elapsed_ms;
  const char *said;
  guint64 said_ms;

  other_sandbox_start (&other, (const char *[]) { "--slow-body-ms", "500", NULL });
  start = g_get_monotonic_time ();
  run_cli (&run, (const char *[]) { "--timeout", "2", "vehicle", VIN_SELLER, NULL });
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  other_sandbox_stop (&other);

  g_test_message ("exit %d after %" G_GINT64_FORMAT " ms: %s", run.status, elapsed_ms, run.err);
  g_assert_cmpint (run.status, ==, 3);
  said = strstr (run.err, "did not answer within ");
  g_assert_nonnull (said);
  said_ms = g_ascii_strtoull (said + strlen ("did not answer within "), NULL, 10);
  g_assert_cmpuint (said_ms, >=, 2000);
  g_assert_cmpuint (said_ms, <=, (guint64) elapsed_ms);
  /* the CLI's start and the token's login add a little; the trickle would take 13 s */
  g_assert_cmpint (elapsed_ms, <, 7000);
}

/* The PIN lives in the CLI only until its last use: it is wiped once handed to the token's
 * job, before the signature goes to the portal, not when the command ends. After a resumed
 * portal session it is read only when the token asks for it. */
static void
assert_pin_wiped_before_submission (const char *vin,
                                    const char *contract)
{
  g_auto(Run) run = { 0 };
  const char *wiped, *submitted;

  g_setenv ("G_MESSAGES_DEBUG", "tirkeu-cli tirkeu-portal", TRUE);
  run_cli (&run, (const char *[]) { "--json", "submit", "--vin", vin, "--buyer-iin", BUYER_IIN,
                                    "--contract", contract, NULL });
  g_unsetenv ("G_MESSAGES_DEBUG");
  if (run.status != 0)
    g_error ("submit failed (%d): %s", run.status, run.err);
  wiped = strstr (run.err, "A secret (PIN or password) was wiped");
  submitted = strstr (run.err, "/signature: HTTP 200");
  g_assert_nonnull (submitted);
  g_assert_nonnull (wiped);
  g_assert_true (wiped < submitted);
  /* one PIN, read once */
  g_assert_null (strstr (wiped + 1, "A secret (PIN or password) was wiped"));
}

static void
test_pin_wiped_after_signing (void)
{
  OtherSandbox other = { 0 };

  other_sandbox_start (&other, (const char *[]) { NULL });
  /* signs in, then signs: the PIN the sign-in read serves for signing */
  assert_pin_wiped_before_submission (VIN_SELLER, CONTRACT);
  /* the session is resumed: the PIN is read when the token asks */
  assert_pin_wiped_before_submission ("JTNB23HK2R3000115", "DKP-2025-940001");
  other_sandbox_stop (&other);
}

/* The journal holds a submitted request of a sale and, beside it, a draft of the same sale
 * with another key that the portal never created (a run made it while the request still
 * waited in the outbox). `submit` of that sale answers with the submitted request and drops
 * the draft; it used to send the draft, which asked the portal for the sale a second time
 * (here, where the portal has no request for it, a second registration). */
static void
test_stray_draft_of_submitted_sale (void)
{
  OtherSandbox other = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuJournal) journal = tirkeu_journal_new_sync (NULL, NULL, &error);
  g_autoptr(GPtrArray) stored = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TirkeuRequest) request = tirkeu_request_new ();
  g_autoptr(TirkeuVehicle) vehicle = tirkeu_vehicle_new ("LFV2B25G7S5000113");
  g_autoptr(TirkeuContract) contract = tirkeu_contract_new ("DKP-2025-940008");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(TirkeuDraft) stray = tirkeu_draft_new (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonParser) state = json_parser_new ();
  g_autofree char *state_path = NULL;
  g_autofree char *key = g_uuid_string_random ();
  g_auto(Run) run = { 0 };
  JsonObject *object;
  JsonArray *portal_requests;

  g_assert_no_error (error);
  tirkeu_request_set_portal_id (request, "R-SUBMITTED");
  tirkeu_request_set_idempotency_key (request, key);
  tirkeu_request_set_vehicle (request, vehicle);
  tirkeu_request_set_contract (request, contract);
  tirkeu_request_set_buyer_iin (request, "781120300787");
  tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_SUBMITTED, now, NULL, &error);
  g_assert_no_error (error);
  g_ptr_array_add (stored, g_object_ref (request));
  g_assert_true (tirkeu_journal_upsert_requests_sync (journal, stored, NULL, NULL, &error));
  g_assert_no_error (error);

  g_free (stray->vin);
  stray->vin = g_strdup ("LFV2B25G7S5000113");
  g_free (stray->buyer_iin);
  stray->buyer_iin = g_strdup ("781120300787");
  stray->contract_number = g_strdup ("DKP-2025-940008");
  tirkeu_journal_save_typed_draft_async (journal, stray, NULL, store_result_cb, &result);
  g_assert_true (tirkeu_journal_save_typed_draft_finish (journal, wait_for_result (&result),
                                                         &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  other_sandbox_start (&other, (const char *[]) { NULL });
  run_cli (&run, (const char *[]) { "--json", "submit", "--vin", "LFV2B25G7S5000113",
                                    "--buyer-iin", "781120300787", "--contract",
                                    "DKP-2025-940008", NULL });
  state_path = g_build_filename (other.dir, "state.json", NULL);
  if (g_file_test (state_path, G_FILE_TEST_EXISTS))
    {
      json_parser_load_from_file (state, state_path, &error);
      g_assert_no_error (error);
      portal_requests = json_object_get_array_member (json_node_get_object (json_parser_get_root (state)),
                                                      "requests");
      /* nothing asked of the portal for this sale */
      g_assert_cmpuint (portal_requests != NULL ? json_array_get_length (portal_requests) : 0,
                        ==, 0);
    }
  other_sandbox_stop (&other);

  if (run.status != 0)
    g_error ("submit failed (%d): %s %s", run.status, run.out, run.err);
  object = parse_json (run.out, &parser);
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, "R-SUBMITTED");
  g_assert_cmpstr (json_object_get_string_member (object, "idempotency_key"), ==, key);

  tirkeu_journal_list_typed_drafts_async (journal, NULL, store_result_cb, &result);
  drafts = tirkeu_journal_list_typed_drafts_finish (journal, wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (drafts->len, ==, 0);
}

/* Reads @stream line by line into @seen until one holds @text (NULL: none does), or its
 * end; returns whether one did. */
static gboolean
read_until (GDataInputStream *stream,
            const char       *text,
            GString          *seen)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (stream, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        return FALSE;
      g_string_append_printf (seen, "%s\n", line);
      if (text != NULL && strstr (line, text) != NULL)
        return TRUE;
    }
}

/* tirkeu-cli with @args, its PIN to come on its stdin, its portal calls said on its stderr,
 * which @err_lines reads line by line (finish it with run_finish()). */
static GSubprocess *
spawn_cli_watched (const char * const  *args,
                   GDataInputStream   **err_lines)
{
  g_autoptr(GPtrArray) argv = cli_argv (TRUE, args);
  g_autoptr(GSubprocessLauncher) launcher = cli_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "tirkeu-portal", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  *err_lines = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  return process;
}

/* The requests the portal in @dir holds with @key; the stage of the last one in @stage. */
static guint
count_portal_requests (const char  *dir,
                       const char  *key,
                       char       **stage)
{
  g_autofree char *path = g_build_filename (dir, "state.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *requests;
  guint n = 0;

  if (!json_parser_load_from_file (parser, path, &error))
    return 0;
  requests = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "requests");
  for (guint i = 0; requests != NULL && i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_strcmp0 (json_object_get_string_member (request, "idempotency_key"), key) != 0)
        continue;
      n++;
      if (stage != NULL)
        {
          g_free (*stage);
          *stage = g_strdup (json_object_get_string_member (request, "stage"));
        }
    }
  return n;
}

/* The portal ends the session of an earlier command while `submit` waits for the PIN: the
 * portal refuses to create the request, and no PIN the user gave for signing opens a new
 * session by itself. The command says the session ended, nothing was created; the same
 * command again signs in and makes the request, once. */
static void
test_session_ends_while_pin_asked (void)
{
  OtherSandbox other = { 0 };
  g_autofree char *key = g_uuid_string_random ();
  const char * const args[] = { "--json", "submit", "--vin", "LFV2B25G7S5000113", "--buyer-iin",
                                "781120300787", "--contract", "DKP-2025-940008",
                                "--idempotency-key", key, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonParser) error_parser = NULL;
  g_autoptr(GDataInputStream) err_lines = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autofree char *input = g_strconcat (token->pin, "\n", NULL);
  g_autofree char *stage = NULL;
  g_auto(Run) first = { 0 };
  g_auto(Run) again = { 0 };
  JsonObject *object;

  other_sandbox_start (&other, (const char *[]) { NULL });
  run_ok ((const char *[]) { "--json", "vehicle", "LFV2B25G7S5000113", NULL });

  /* The session was resumed; the PIN is asked once the checks of the sale are done, and the
   * CLI reads it before it asks the portal to create the request. */
  process = spawn_cli_watched (args, &err_lines);
  g_assert_true (read_until (err_lines, "GET /api/v1/contracts", seen));
  expire_sandbox_sessions ();
  run_finish (&first, process, input, "submit");
  g_test_message ("first submit: exit %d: %s\n%s%s", first.status, first.out, seen->str,
                  first.err);
  g_assert_cmpint (first.status, ==, 1);
  object = json_object_get_object_member (parse_json (first.out, &error_parser), "error");
  g_assert_cmpint (json_object_get_int_member (object, "code"), ==,
                   TIRKEU_PORTAL_CODE_SESSION_EXPIRED);
  g_assert_cmpuint (count_portal_requests (other.dir, key, NULL), ==, 0);

  /* Run again as the user would: signed in with the PIN, the signed request goes, once. */
  run_cli (&again, args);
  g_test_message ("again: exit %d: %s\n%s", again.status, again.out, again.err);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_cmpstr (json_object_get_string_member (parse_json (again.out, &parser),
                                                  "idempotency_key"), ==, key);
  g_assert_cmpuint (count_portal_requests (other.dir, key, &stage), ==, 1);
  g_assert_cmpstr (stage, !=, "contract_found");
  other_sandbox_stop (&other);
}

/* The portal ends the session of an earlier command while `submit` sends what its outbox
 * held, before it signs anything: the command has read no PIN yet, so it signs in with the
 * one it reads now and goes on with the sale. It used to die of SIGSEGV: the session,
 * signed out, had no seller any more. */
static void
test_session_ends_during_outbox_send (void)
{
  OtherSandbox other = { 0 };
  g_autofree char *queued_key = g_uuid_string_random ();
  g_autofree char *key = g_uuid_string_random ();
  const char * const args[] = { "--json", "submit", "--vin", "LFV2B25G7S5000113", "--buyer-iin",
                                "781120300787", "--contract", "DKP-2025-940008",
                                "--idempotency-key", key, NULL };
  g_autoptr(TirkeuJournal) journal = NULL;
  g_autoptr(TirkeuRequest) queued = tirkeu_request_new ();
  g_autoptr(GBytes) signature = g_bytes_new_static ("not a signature", 15);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) err_lines = NULL;
  g_autoptr(GString) err = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *input = g_strconcat (token->pin, "\n", NULL);
  g_autofree char *stage = NULL;
  g_auto(Run) run = { 0 };

  other_sandbox_start (&other, (const char *[]) { NULL });
  run_ok ((const char *[]) { "--json", "vehicle", "LFV2B25G7S5000113", NULL });

  /* A signed request an earlier command left in the outbox. */
  journal = tirkeu_journal_new_sync (NULL, NULL, &error);
  g_assert_no_error (error);
  tirkeu_request_set_portal_id (queued, "T-2026-000999");
  tirkeu_request_set_idempotency_key (queued, queued_key);
  tirkeu_request_set_seller_signature (queued, signature);
  tirkeu_journal_enqueue_async (journal, queued, NULL, 0, NULL, store_result_cb, &result);
  g_assert_true (tirkeu_journal_enqueue_finish (journal, wait_for_result (&result), &error));
  g_assert_no_error (error);

  /* Each answer of the portal waits 1.5 s: the session ends while the outbox's call waits. */
  admin_post ("/admin/faults", "{\"latency_ms\": 1500}");
  process = spawn_cli_watched (args, &err_lines);
  g_assert_true (read_until (err_lines, "GET /api/v1/seller: HTTP 200", err));
  expire_sandbox_sessions ();
  admin_post ("/admin/faults", "{\"latency_ms\": 0}");

  /* The PIN, when the command asks for it. */
  run_finish (&run, process, input, "submit");
  g_test_message ("submit: %s\n%s%s", run.out, err->str, run.err);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (json_object_get_string_member (parse_json (run.out, &parser), "idempotency_key"),
                   ==, key);
  g_assert_cmpuint (count_portal_requests (other.dir, key, &stage), ==, 1);
  g_assert_cmpstr (stage, !=, "contract_found");
  other_sandbox_stop (&other);
}

/* --timeout takes whole seconds, 1 to an hour. */
static void
test_timeout_option (void)
{
  g_auto(Run) negative = { 0 };
  g_auto(Run) text = { 0 };

  run_cli_with (&negative, NULL, TRUE,
                (const char *[]) { "--timeout", "-1", "vehicle", VIN_SELLER, NULL });
  g_assert_cmpint (negative.status, ==, 2);
  g_assert_nonnull (strstr (negative.err, "--timeout"));
  run_cli_with (&text, NULL, TRUE,
                (const char *[]) { "--timeout", "soon", "vehicle", VIN_SELLER, NULL });
  g_assert_cmpint (text.status, ==, 2);
}

static void
stop_sandbox (void)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (sandbox, SIGTERM);
  g_subprocess_wait (sandbox, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&sandbox);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  token = token_fixture_new ();
  cli_path = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "cli", "tirkeu-cli", NULL);
  start_sandbox ();

  g_test_add_func ("/cli/portal/vehicle", test_vehicle);
  g_test_add_func ("/cli/portal/person", test_person);
  g_test_add_func ("/cli/portal/contracts", test_contracts);
  g_test_add_func ("/cli/portal/submit-status-requests-sync", test_submit_status_requests_sync);
  g_test_add_func ("/cli/portal/submit-refused", test_submit_refused);
  g_test_add_func ("/cli/portal/sync-forgotten-cursor", test_sync_forgotten_cursor);
  g_test_add_func ("/cli/portal/flow-signs-in-once", test_flow_signs_in_once);
  g_test_add_func ("/cli/portal/requests-unknown-stage", test_requests_unknown_stage);
  g_test_add_func ("/cli/portal/submit-cert", test_submit_cert);
  g_test_add_func ("/cli/portal/one-deadline", test_one_deadline);
  g_test_add_func ("/cli/portal/timeout-option", test_timeout_option);
  g_test_add_func ("/cli/portal/pin-wiped-after-signing", test_pin_wiped_after_signing);
  g_test_add_func ("/cli/portal/session-ends-during-outbox-send",
                   test_session_ends_during_outbox_send);
  g_test_add_func ("/cli/portal/session-ends-while-pin-asked",
                   test_session_ends_while_pin_asked);
  g_test_add_func ("/cli/portal/stray-draft-of-submitted-sale",
                   test_stray_draft_of_submitted_sale);
  for (guint i = 0; i < G_N_ELEMENTS (exit_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/portal/exit/%s", exit_cases[i].name);

      g_test_add_data_func (path, &exit_cases[i], test_exit_code);
    }

  status = g_test_run ();

  stop_sandbox ();
  g_free (portal_url);
  g_free (portal_ca);
  g_free (cli_path);
  g_free (sandbox_dir);

  return status;
}
