/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The built tirkeu-cli against the built tirkeu-sandbox, signing in and signing with the
 * SoftHSM fixture token, as a user runs it.
 *
 * No IIN, name or phone reaches a log at any level: a whole seller flow (vehicle, person,
 * contracts, submit, status) runs with every debug message on (G_MESSAGES_DEBUG=all), then
 * everything the commands logged (stderr: the CLI puts every log message there, its
 * results alone on stdout) is searched for the buyer's and the signers' IINs and the parts of their names.
 *
 * And the command line's small promises: a relative --ca-file works, a plain http portal
 * is a usage error, --pin-fd of a descriptor that is not open is refused, a PIN with a NUL
 * byte is refused before the token sees it.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "test-token-fixture.h"

#define BUYER_IIN  "850312300121"
#define VIN_SELLER "XTA210743S0000120"
#define CONTRACT   "DKP-2025-000120"

/* data/sandbox/fixtures.json (the buyer) and tests/fixtures/make-token.sh (the signers) */
static const char * const personal[] = {
  BUYER_IIN, "АХМЕТОВ", "ЕРЛАН", "САПАРОВИЧ",
  "850304300128", "900715400236", "781201300452", "881122400679",
  "ИВАНОВ", "ИВАНОВИЧ", "ӘБІЛҚАСЫМОВА", "ГҮЛНАР", "СЕРІКҚЫЗЫ", "ПЕТРОВ", "ПЁТР",
  "СЕРІКОВ", "АЙДОС", "НҰРЛАНҰЛЫ",
};

static TokenFixture *token;
static GSubprocess *sandbox;
static char *sandbox_dir;
static char *portal_url;
static char *portal_ca;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
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

static void
start_sandbox (void)
{
  g_autofree char *program = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "sandbox",
                                               "tirkeu-sandbox", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;

  sandbox_dir = g_dir_make_tmp ("tirkeu-cli-log-XXXXXX", &error);
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  sandbox = g_subprocess_launcher_spawn (launcher, &error, program,
                                         "--listen", "127.0.0.1:0", "--state-dir", sandbox_dir,
                                         "--signer-ca", token->ca_file, "--buyer", "manual",
                                         NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sandbox));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  object = parse_json (line, &parser);
  portal_url = g_strdup (json_object_get_string_member (object, "url"));
  portal_ca = g_strdup (json_object_get_string_member (object, "ca_file"));
}

/* Runs tirkeu-cli with every debug message on, in @cwd (%NULL: here), with @ca_file (%NULL:
 * the sandbox's) and @pin (@pin_len bytes, then a newline) on its stdin for --pin-fd 0;
 * returns its stdout (the command's output, where a name may well be), appends its stderr
 * (every log message) to @log. */
static char *
run_cli_full (GString            *log,
              int                *status,
              const char         *cwd,
              const char         *ca_file,
              const char         *pin_bytes,
              gsize               pin_len,
              const char * const *args)
{
  g_autofree char *cli = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "cli",
                                           "tirkeu-cli", NULL);
  g_autofree char *pin_file = g_build_filename (sandbox_dir, "pin", NULL);
  g_autofree char *pin = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;

  g_ptr_array_add (argv, cli);
  g_ptr_array_add (argv, (gpointer) "--portal-url");
  g_ptr_array_add (argv, portal_url);
  g_ptr_array_add (argv, (gpointer) "--ca-file");
  g_ptr_array_add (argv, (gpointer) (ca_file != NULL ? ca_file : portal_ca));
  g_ptr_array_add (argv, (gpointer) "--pkcs11-module");
  g_ptr_array_add (argv, token->module);
  g_ptr_array_add (argv, (gpointer) "--pin-fd");
  g_ptr_array_add (argv, (gpointer) "0");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  pin = g_malloc (pin_len + 1);
  memcpy (pin, pin_bytes, pin_len);
  pin[pin_len] = '\n';
  g_file_set_contents_full (pin_file, pin, pin_len + 1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path (launcher, pin_file);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (process);
  g_remove (pin_file);
  g_string_append_printf (log, "$ tirkeu-cli %s\n%s", args[0], err);
  return out;
}

static char *
run_cli (GString            *log,
         int                *status,
         const char * const *args)
{
  return run_cli_full (log, status, NULL, NULL, token->pin, strlen (token->pin), args);
}

static void
test_full_flow (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *vehicle = NULL, *person = NULL, *contracts = NULL, *submit = NULL;
  g_autofree char *status_out = NULL;
  g_autoptr(JsonParser) parser = NULL;
  const char *id;
  guint n_debug = 0;
  int status;

  vehicle = run_cli (log, &status, (const char *[]) { "vehicle", VIN_SELLER, NULL });
  g_assert_cmpint (status, ==, 0);
  person = run_cli (log, &status, (const char *[]) { "person", BUYER_IIN, NULL });
  g_assert_cmpint (status, ==, 0);
  contracts = run_cli (log, &status, (const char *[]) { "contracts", VIN_SELLER, BUYER_IIN,
                                                        NULL });
  g_assert_cmpint (status, ==, 0);
  submit = run_cli (log, &status, (const char *[]) { "--json", "submit", "--vin", VIN_SELLER,
                                                     "--buyer-iin", BUYER_IIN, "--contract",
                                                     CONTRACT, "--idempotency-key", key,
                                                     NULL });
  if (status != 0)
    g_error ("submit failed (%d): %s", status, log->str);
  id = json_object_get_string_member (parse_json (submit, &parser), "id");
  status_out = run_cli (log, &status, (const char *[]) { "status", id, NULL });
  g_assert_cmpint (status, ==, 0);

  /* the debug log was on, and says a lot */
  for (const char *p = log->str; (p = strstr (p, "-DEBUG")) != NULL; p++)
    n_debug++;
  g_test_message ("%u debug messages, %zu bytes of log", n_debug, log->len);
  g_assert_cmpuint (n_debug, >, 20);

  for (guint i = 0; i < G_N_ELEMENTS (personal); i++)
    {
      const char *found = strstr (log->str, personal[i]);

      if (found != NULL)
        {
          const char *line = found;

          while (line > log->str && line[-1] != '\n')
            line--;
          g_error ("“%s” is in the log: %.*s", personal[i], (int) strcspn (line, "\n"), line);
        }
    }
}

/* A --ca-file relative to where the command is typed works (it failed as "not trusted"). */
static void
test_relative_ca_file (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autofree char *dir = g_path_get_dirname (portal_ca);
  g_autofree char *base = g_path_get_basename (portal_ca);
  g_autofree char *out = NULL;
  int status;

  out = run_cli_full (log, &status, dir, base, token->pin, strlen (token->pin),
                      (const char *[]) { "vehicle", VIN_SELLER, NULL });
  g_test_message ("%s", log->str);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "passes steps 3 to 5"));
}

/* Plain http is a usage error: exit 2, said before anything is tried. */
static void
test_http_url (void)
{
  g_autofree char *cli = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "cli",
                                           "tirkeu-cli", NULL);
  g_autofree char *http = g_strdup_printf ("http://%s", portal_url + strlen ("https://"));
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, cli, "--portal-url", http, "vehicle", VIN_SELLER, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
  g_assert_nonnull (strstr (err, "https://"));
}

/* --pin-fd of a descriptor that was not open when the CLI started is refused (it read the
 * CLI's own descriptor of that number, opened later). */
static void
test_pin_fd_closed (void)
{
  g_autofree char *cli = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "cli",
                                           "tirkeu-cli", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;

  /* GSubprocess closes every descriptor above 2 in the child */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, cli, "--portal-url", portal_url, "--ca-file", portal_ca,
                              "--pkcs11-module", token->module, "--pin-fd", "5",
                              "vehicle", VIN_SELLER, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
  g_assert_nonnull (strstr (err, "--pin-fd 5"));
}

/* A PIN with a NUL byte is refused, not cut at the NUL and sent (with a real typo, that
 * spends one of the token's tries). Here what comes before the NUL is the right PIN, so the
 * old CLI signed in with it: no try is lost either way. */
static void
test_pin_with_nul (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *again = NULL;
  g_autofree char *with_nul = g_strconcat (token->pin, "X", NULL);
  gsize len = strlen (with_nul);
  int status;

  /* the PIN itself, a NUL, more: cut at the NUL it would even have been right */
  with_nul[len - 1] = '\0';
  out = run_cli_full (log, &status, NULL, NULL, with_nul, len,
                      (const char *[]) { "vehicle", VIN_SELLER, NULL });
  g_test_message ("%s", log->str);
  g_assert_cmpint (status, ==, 4);
  g_assert_nonnull (strstr (log->str, "NUL"));

  again = run_cli (log, &status, (const char *[]) { "vehicle", VIN_SELLER, NULL });
  g_assert_cmpint (status, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  token = token_fixture_new ();
  start_sandbox ();

  g_test_add_func ("/cli/hardening/log-privacy", test_full_flow);
  g_test_add_func ("/cli/hardening/relative-ca-file", test_relative_ca_file);
  g_test_add_func ("/cli/hardening/http-url", test_http_url);
  g_test_add_func ("/cli/hardening/pin-fd-closed", test_pin_fd_closed);
  g_test_add_func ("/cli/hardening/pin-with-nul", test_pin_with_nul);
  status = g_test_run ();

  g_subprocess_send_signal (sandbox, SIGTERM);
  g_subprocess_wait (sandbox, NULL, NULL);
  g_clear_object (&sandbox);
  g_free (portal_url);
  g_free (portal_ca);
  g_free (sandbox_dir);
  return status;
}
