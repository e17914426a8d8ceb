/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `tirkeu-cli --key-file` end to end against the built tirkeu-sandbox and its test NCA: a
 * key file from `tirkeu-sandbox pki issue-key` signs in and submits; the CLI says the
 * certificate's OCSP status and that the signature is CAdES-T, and the sandbox (started with
 * --require-timestamp) took it only with a verified timestamp and ESSCertIDv2. After
 * `tirkeu-sandbox pki revoke` the next submit is refused with its own message before
 * anything is created or signed; so is one whose responder cannot be reached when the app's
 * settings (read by the CLI too) say ocsp-unreachable=stop.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <json-glib/json-glib.h>
#include <openssl/bn.h>

#include "test-sandbox-util.h"
#include "tirkeu-key-file.h"

#define PASSWORD "Sandbox2026"
#define HEAD_IIN "850304300128"

static char *cli_path;
static char *sandbox_path;
static GSubprocess *sandbox;
static char *sandbox_dir;
static char *portal_url;
static char *portal_ca;
static char *key_path;
static gboolean use_keyfile_settings;   /* the CLI reads the app's settings from a key file */

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static int
run (const char          *program,
     const char * const  *args,
     gboolean             with_password,
     char               **out,
     char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) program);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (with_password)
    {
      g_autofree char *password_file = g_build_filename (sandbox_dir, "password", NULL);

      g_file_set_contents_full (password_file, PASSWORD "\n", -1, G_FILE_SET_CONTENTS_NONE,
                                0600, &error);
      g_assert_no_error (error);
      g_subprocess_launcher_set_stdin_file_path (launcher, password_file);
    }
  /* the test's own private XDG folders: the CLI's journal and session cache are this test's */
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  if (use_keyfile_settings)
    g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

static int
run_cli (const char * const  *args,
         char               **out,
         char               **err)
{
  const char *prefix[] = { "--portal-url", portal_url, "--ca-file", portal_ca, "--key-file",
                           key_path, "--pin-fd", "0", "--json" };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (prefix); i++)
    g_ptr_array_add (argv, (gpointer) prefix[i]);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return run (cli_path, (const char * const *) argv->pdata, TRUE, out, err);
}

static void
start_sandbox (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  sandbox_dir = g_dir_make_tmp ("tirkeu-cli-pki-XXXXXX", &error);
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  sandbox = g_subprocess_launcher_spawn (launcher, &error, sandbox_path,
                                         "--listen", "127.0.0.1:0", "--state-dir", sandbox_dir,
                                         "--buyer", "manual", "--require-timestamp", NULL);
  g_assert_no_error (error);
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

static char *
key_serial (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (key_path, FALSE, &error);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  BIGNUM *number;
  char *hex;
  char *serial;

  g_assert_no_error (error);
  bytes = g_mapped_file_get_bytes (mapped);
  key_file = tirkeu_key_file_new_from_bytes (bytes, PASSWORD, &error);
  g_assert_no_error (error);
  number = ASN1_INTEGER_to_BN (X509_get0_serialNumber (tirkeu_key_file_get_certificate (key_file)),
                               NULL);
  hex = BN_bn2hex (number);
  serial = g_strdup (hex);
  OPENSSL_free (hex);
  BN_free (number);
  return serial;
}

static JsonArray *
admin_requests (JsonParser *parser)
{
  g_autoptr(SoupSession) session = sb_session_new (portal_ca);
  g_autoptr(SbAnswer) answer = sb_call (session, portal_url, "GET", "/admin/requests", NULL,
                                        NULL, NULL);
  JsonObject *object = sb_answer_ok (answer, 200);
  /* json_to_string() does not take the node, and the node holds the answer's object */
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *text = json_to_string (node, FALSE);
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                       "requests");
}

static void
test_key_file_submit_and_revoke (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) admin = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *serial = NULL;
  JsonObject *submitted;
  JsonArray *requests;
  JsonObject *signature;
  int status;

  key_path = g_build_filename (sandbox_dir, "head.p12", NULL);
  {
    const char *args[] = { "pki", "issue-key", "--state-dir", sandbox_dir, "--bin", SELLER_BIN,
                           "--iin", HEAD_IIN, "--name", "БЕКОВ АРМАН", "--organisation",
                           "ТОО «Тіркеу Авто Сауда»", "--role", "head", "--password", PASSWORD,
                           "-o", key_path, NULL };

    g_assert_cmpint (run (sandbox_path, args, FALSE, NULL, NULL), ==, 0);
  }

  status = run_cli ((const char *[]) { "submit", "--vin", VIN_OK, "--buyer-iin", BUYER_IIN,
                                       "--contract", CONTRACT_OK, NULL }, &out, &err);
  g_test_message ("submit: %s %s", out, err);
  g_assert_cmpint (status, ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  submitted = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (submitted, "certificate_status"), ==, "good");
  g_assert_true (json_object_get_boolean_member (submitted, "timestamp"));

  requests = admin_requests (admin);
  g_assert_cmpuint (json_array_get_length (requests), ==, 1);
  signature = json_object_get_object_member (json_array_get_object_element (requests, 0),
                                             "signature");
  g_assert_true (json_object_get_boolean_member (signature, "ess_cert_id_v2"));
  g_assert_cmpstr (json_object_get_string_member (signature, "timestamp"), ==, "verified");

  /* the app's settings say stop when the responder cannot be reached, and it cannot (a
   * closed port): the CLI follows them, and nothing is created */
  {
    g_autofree char *settings_dir = g_build_filename (g_get_user_config_dir (), "glib-2.0",
                                                      "settings", NULL);
    g_autofree char *settings = g_build_filename (settings_dir, "keyfile", NULL);

    g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
    g_file_set_contents (settings, "[io/github/tirkeu/Tirkeu]\n"
                         "ocsp-url='https://127.0.0.1:1/ocsp'\n"
                         "ocsp-unreachable='stop'\n", -1, &error);
    g_assert_no_error (error);
    use_keyfile_settings = TRUE;
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    status = run_cli ((const char *[]) { "submit", "--vin", VIN_OK_2, "--buyer-iin", BUYER_IIN,
                                         "--contract", CONTRACT_OK_2, NULL }, &out, &err);
    use_keyfile_settings = FALSE;
    g_test_message ("unreachable, stop: %d %s %s", status, out, err);
    g_assert_cmpint (status, !=, 0);
    g_assert_nonnull (strstr (out, "could not be checked"));
    requests = admin_requests (admin);
    g_assert_cmpuint (json_array_get_length (requests), ==, 1);
  }

  /* revoked on the running sandbox: the next submit stops at the OCSP check */
  serial = key_serial ();
  g_assert_cmpint (run (sandbox_path, (const char *[]) { "pki", "revoke", serial, "--state-dir",
                                                         sandbox_dir, NULL },
                        FALSE, NULL, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = run_cli ((const char *[]) { "submit", "--vin", VIN_OK_2, "--buyer-iin", BUYER_IIN,
                                       "--contract", CONTRACT_OK_2, NULL }, &out, &err);
  g_test_message ("after revoke: %d %s %s", status, out, err);
  g_assert_cmpint (status, !=, 0);
  g_assert_true (strstr (out, "revoked") != NULL || strstr (err, "revoked") != NULL);
  requests = admin_requests (admin);
  g_assert_cmpuint (json_array_get_length (requests), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  cli_path = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "cli", "tirkeu-cli", NULL);
  sandbox_path = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "sandbox",
                                   "tirkeu-sandbox", NULL);
  start_sandbox ();

  g_test_add_func ("/cli/pki/key-file-submit-and-revoke", test_key_file_submit_and_revoke);
  status = g_test_run ();

  g_subprocess_send_signal (sandbox, SIGTERM);
  g_subprocess_wait (sandbox, NULL, &error);
  g_clear_object (&sandbox);
  {
    g_autoptr(GSubprocess) rm = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "rm", "-rf",
                                                  sandbox_dir, NULL);

    g_subprocess_wait (rm, NULL, NULL);
  }
  g_free (portal_url);
  g_free (portal_ca);
  g_free (cli_path);
  g_free (sandbox_path);
  g_free (sandbox_dir);
  g_free (key_path);
  return status;
}
