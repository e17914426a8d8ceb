/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `tirkeu-cli submit` is crash-safe: the built tirkeu-cli against the built tirkeu-sandbox and
 * the SoftHSM fixture token, killed with SIGKILL at a random moment of each submit of a
 * bounded loop, then run again as a user would (the same command, no key given). In the end
 * the portal holds exactly one request per Idempotency-Key, one per submit, none left created
 * but unsigned, and the journal has nothing unfinished. The counts are printed.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "test-token-fixture.h"

#define BUYER_IIN "850312300121"
#define VIN       "XTA210743S0000120"
#define CONTRACT  "DKP-2025-000120"
#define N_SUBMITS 20

static TokenFixture *token;
static char *cli_path;
static GSubprocess *sandbox;
static char *sandbox_dir;
static char *portal_url;
static char *portal_ca;

static GSubprocess *
spawn_cli (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *pin_file = g_build_filename (sandbox_dir, "pin", NULL);
  g_autofree char *input = g_strconcat (token->pin, "\n", NULL);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, cli_path);
  g_ptr_array_add (argv, (gpointer) "--portal-url");
  g_ptr_array_add (argv, portal_url);
  g_ptr_array_add (argv, (gpointer) "--ca-file");
  g_ptr_array_add (argv, portal_ca);
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
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static JsonObject *
run_cli_json (const char * const  *args,
              int                 *status,
              JsonParser         **parser)
{
  g_autoptr(GSubprocess) process = spawn_cli (args);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (process);
  if (*status != 0)
    {
      g_test_message ("tirkeu-cli %s: exit %d: %s %s", args[0], *status, out, err);
      return NULL;
    }
  *parser = json_parser_new ();
  json_parser_load_from_data (*parser, out, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (*parser));
}

static const char * const submit_args[] = {
  "submit", "--vin", VIN, "--buyer-iin", BUYER_IIN, "--contract", CONTRACT, NULL
};

/* Submits until the portal has it (a killed run leaves work the next run finishes), then
 * withdraws it, which frees the VIN for the next round. Returns its key. */
static char *
submit_and_withdraw (guint *n_reruns)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonParser) withdrawn_parser = NULL;
  g_autofree char *id = NULL;
  JsonObject *object = NULL;
  char *key;
  int status = -1;

  for (guint attempt = 0; object == NULL; attempt++)
    {
      g_clear_object (&parser);
      g_assert_cmpuint (attempt, <, 3);
      object = run_cli_json (submit_args, &status, &parser);
      if (attempt > 0)
        (*n_reruns)++;
    }
  g_assert_cmpstr (json_object_get_string_member (object, "stage"), ==, "awaiting_buyer");
  id = g_strdup (json_object_get_string_member (object, "id"));
  key = g_strdup (json_object_get_string_member (object, "idempotency_key"));
  g_assert_true (g_uuid_string_is_valid (key));

  object = run_cli_json ((const char *[]) { "withdraw", id, NULL }, &status, &withdrawn_parser);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "stage"), ==, "withdrawn");
  return key;
}

static void
test_kill_submit_loop (void)
{
  g_autofree char *state_path = g_build_filename (sandbox_dir, "state.json", NULL);
  g_autoptr(JsonParser) state = json_parser_new ();
  g_autoptr(JsonParser) unfinished_parser = NULL;
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = NULL;
  JsonArray *requests;
  JsonObject *unfinished;
  guint32 seed = g_test_rand_int ();
  gint64 one_submit_us;
  guint n_killed = 0, n_reruns = 0, n_unsigned = 0, n_duplicate_keys = 0;
  int status;

  /* One submit as it runs undisturbed sets the span in which the kills fall. */
  {
    gint64 start = g_get_monotonic_time ();
    g_autofree char *key = submit_and_withdraw (&n_reruns);

    one_submit_us = g_get_monotonic_time () - start;
    g_hash_table_add (keys, g_steal_pointer (&key));
  }
  rand = g_rand_new_with_seed (seed);
  g_test_message ("seed %u, an undisturbed submit and withdraw took %" G_GINT64_FORMAT " ms",
                  seed, one_submit_us / 1000);

  for (guint i = 1; i < N_SUBMITS; i++)
    {
      g_autoptr(GSubprocess) victim = spawn_cli (submit_args);
      gint64 delay = g_rand_int_range (rand, 0, (gint32) MAX (one_submit_us * 2 / 3, 1000));
      g_autofree char *key = NULL;

      g_usleep (delay);
      /* GSubprocess signals only a child it has not reaped yet */
      g_subprocess_send_signal (victim, SIGKILL);
      g_subprocess_wait (victim, NULL, &error);
      g_assert_no_error (error);
      if (g_subprocess_get_if_signaled (victim))
        n_killed++;

      key = submit_and_withdraw (&n_reruns);
      if (!g_hash_table_add (keys, g_steal_pointer (&key)))
        n_duplicate_keys++;
    }

  /* The portal: one request per key, each signed and then withdrawn, none left unsigned. */
  json_parser_load_from_file (state, state_path, &error);
  g_assert_no_error (error);
  requests = json_object_get_array_member (json_node_get_object (json_parser_get_root (state)),
                                           "requests");
  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_strcmp0 (json_object_get_string_member (request, "stage"), "contract_found") == 0)
        n_unsigned++;
      g_assert_true (g_hash_table_contains (keys, json_object_get_string_member (request,
                                                                                 "idempotency_key")));
    }

  unfinished = run_cli_json ((const char *[]) { "unfinished", NULL }, &status, &unfinished_parser);
  g_assert_cmpint (status, ==, 0);

  g_test_message ("%u submits, %u killed, %u re-runs; the portal holds %u requests for %u keys, "
                  "%u unsigned; the journal holds %u drafts and %u outbox entries",
                  N_SUBMITS, n_killed, n_reruns, json_array_get_length (requests),
                  g_hash_table_size (keys), n_unsigned,
                  json_array_get_length (json_object_get_array_member (unfinished, "drafts")),
                  json_array_get_length (json_object_get_array_member (unfinished, "outbox")));
  g_assert_cmpuint (n_duplicate_keys, ==, 0);
  g_assert_cmpuint (json_array_get_length (requests), ==, N_SUBMITS);
  g_assert_cmpuint (g_hash_table_size (keys), ==, N_SUBMITS);
  g_assert_cmpuint (n_unsigned, ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (unfinished, "drafts")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (unfinished, "outbox")), ==, 0);
  /* the loop did kill submits in flight, or it proved nothing */
  g_assert_cmpuint (n_killed, >, 0);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
start_sandbox (void)
{
  g_autofree char *program = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "sandbox",
                                               "tirkeu-sandbox", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  sandbox_dir = g_dir_make_tmp ("tirkeu-desk-request-cli-XXXXXX", &error);
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  sandbox = g_subprocess_launcher_spawn (launcher, &error, program,
                                         "--listen", "127.0.0.1:0", "--state-dir", sandbox_dir,
                                         "--signer-ca", token->ca_file, "--buyer", "manual",
                                         NULL);
  g_assert_no_error (error);

  /* its first line: {"url": ..., "ca_file": ...} */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sandbox));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  portal_url = g_strdup (json_object_get_string_member (object, "url"));
  portal_ca = g_strdup (json_object_get_string_member (object, "ca_file"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  token = token_fixture_new ();
  cli_path = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "cli", "tirkeu-cli", NULL);
  start_sandbox ();

  g_test_add_func ("/desk-request/cli/kill-submit-loop", test_kill_submit_loop);
  status = g_test_run ();

  g_subprocess_send_signal (sandbox, SIGTERM);
  g_subprocess_wait (sandbox, NULL, &error);
  g_clear_object (&sandbox);
  token_fixture_run ((const char *[]) { "rm", "-rf", sandbox_dir, NULL });
  token_fixture_free (token);
  g_free (portal_url);
  g_free (portal_ca);
  g_free (cli_path);
  g_free (sandbox_dir);
  return status;
}
