/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <openssl/pem.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#include "tirkeu-cms.h"
#include "test-token-fixture.h"
#include "test-token-gost.h"

/* tirkeu-cli tokens and sign, run as a user runs them, against the SoftHSM fixture token,
 * NCA key files (--key-file) and the project's GOST test token. The PIN or password goes
 * through --pin-fd 0 (a pipe), never the command line. */

static TokenFixture *fixture;
static char *cli_path;

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

/* @detached: run in a session of its own, with no controlling terminal: anything that tries
 * to prompt on the console (/dev/tty) fails instead of waiting */
static void
run_cli_full (Run                *run,
              gboolean            detached,
              const char         *pin,
              const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = pin != NULL ? g_strconcat (pin, "\n", NULL) : NULL;

  if (detached)
    g_ptr_array_add (argv, (gpointer) "setsid");
  g_ptr_array_add (argv, cli_path);
  g_ptr_array_add (argv, (gpointer) "--pkcs11-module");
  g_ptr_array_add (argv, fixture->module);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_exit_status (process);
}

static void
run_cli (Run                *run,
         const char         *pin,
         const char * const *args)
{
  run_cli_full (run, FALSE, pin, args);
}

static gboolean
openssl_verifies (const char *signature,
                  const char *content)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                              G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              "openssl", "cms", "-verify", "-binary", "-inform", "DER",
                              "-in", signature, "-content", content,
                              "-CAfile", fixture->ca_file, "-out", "/dev/null", NULL);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  return g_subprocess_get_successful (process);
}

static void
test_cli_tokens (void)
{
  g_auto(Run) text = { 0 };
  g_auto(Run) json = { 0 };

  run_cli (&text, NULL, (const char *[]) { "tokens", NULL });
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "tirkeu-test"));
  g_assert_nonnull (strstr (text.out, "ӘБІЛҚАСЫМОВА ГҮЛНАР"));
  g_assert_nonnull (strstr (text.out, "person with the right to sign"));
  g_assert_nonnull (strstr (text.out, "BIN 990140004654"));
  g_assert_nonnull (strstr (text.out, "The certificate has expired"));
  /* masked IINs only */
  g_assert_nonnull (strstr (text.out, "850304******"));
  g_assert_null (strstr (text.out, "850304300128"));

  run_cli (&json, NULL, (const char *[]) { "--json", "tokens", NULL });
  g_assert_cmpint (json.status, ==, 0);
  g_assert_nonnull (strstr (json.out, "\"kind\" : \"auth\""));
  g_assert_nonnull (strstr (json.out, "\"iin_masked\" : \"900715******\""));
  g_assert_null (strstr (json.out, "900715400236"));
}

static void
test_cli_sign (void)
{
  g_autofree char *content = g_build_filename (fixture->dir, "request.json", NULL);
  g_autofree char *signature = g_strconcat (content, ".cms", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };
  GStatBuf st;

  g_file_set_contents (content, "{\"vin\":\"XTA210990Y2766389\"}", -1, &error);
  g_assert_no_error (error);

  run_cli (&run, fixture->pin, (const char *[]) { "sign", "--pin-fd", "0", "--token",
                                                  fixture->label, "--cert", "02",
                                                  "--seller-bin", fixture->seller_bin,
                                                  content, NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (openssl_verifies (signature, content));
  /* it carries the signer's certificate: personal data */
  g_assert_cmpint (g_stat (signature, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  /* the PIN is not echoed anywhere */
  g_assert_null (strstr (run.out, fixture->pin));
  g_assert_null (strstr (run.err, fixture->pin));
}

typedef struct
{
  const char *cert;
  const char *pin;
  int         status;
  const char *message;
} SignRefusal;

static const SignRefusal sign_refusals[] = {
  { "06", "12345678", 4, "its BIN is not the seller's" },
  { "05", "12345678", 4, "employee" },
  { "04", "12345678", 4, "expired" },
  { "01", "12345678", 4, "AUTH key" },
  { "03", "00000000", 4, "Incorrect password" },
};

static void
test_cli_sign_refused (gconstpointer data)
{
  const SignRefusal *c = data;
  g_autofree char *content = g_build_filename (fixture->dir, "refused.json", NULL);
  g_autofree char *signature = g_strconcat (content, ".cms", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) reset = { 0 };

  g_file_set_contents (content, "{}", -1, &error);
  g_assert_no_error (error);
  run_cli (&run, c->pin, (const char *[]) { "sign", "--pin-fd", "0", "--token", fixture->label,
                                            "--cert", c->cert, "--seller-bin",
                                            fixture->seller_bin, content, NULL });
  g_assert_cmpint (run.status, ==, c->status);
  g_assert_nonnull (strstr (run.err, c->message));
  g_assert_false (g_file_test (signature, G_FILE_TEST_EXISTS));

  /* a good login clears SoftHSM's "count low" for the next cases */
  run_cli (&reset, fixture->pin, (const char *[]) { "sign", "--pin-fd", "0", "--token",
                                                    fixture->label, "--cert", "03", content,
                                                    NULL });
  g_assert_cmpint (reset.status, ==, 0);
  g_remove (signature);
}

/* --- key files and GOST ------------------------------------------------------------------ */

#define GOST_PASSWORD "Qwerty123"

static GostIdentity *gost_ca;
static GostIdentity *gost_seller;

static char *
nca_key_file (void)
{
  return g_build_filename (g_getenv ("TIRKEU_SOURCE_ROOT"), "tests", "fixtures", "nca-test-pki",
                           "individual-gost2015.p12", NULL);
}

static void
test_cli_key_file_tokens (void)
{
  g_autofree char *path = nca_key_file ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(Run) text = { 0 };
  g_auto(Run) json = { 0 };
  JsonObject *certificate;

  run_cli (&text, "Aa123456", (const char *[]) { "tokens", "--key-file", path, "--pin-fd", "0",
                                                 NULL });
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "individual-gost2015.p12"));
  g_assert_nonnull (strstr (text.out, "AUTH+SIGN"));
  g_assert_nonnull (strstr (text.out, "GOST 2015-512"));
  g_assert_nonnull (strstr (text.out, "ТЕСТТОВ ТЕСТТ"));
  g_assert_nonnull (strstr (text.out, "123456******"));
  g_assert_null (strstr (text.out, "123456789012"));
  /* only the key file: not the module's token */
  g_assert_null (strstr (text.out, fixture->label));

  run_cli (&json, "Aa123456", (const char *[]) { "--json", "tokens", "--key-file", path,
                                                 "--pin-fd", "0", NULL });
  g_assert_cmpint (json.status, ==, 0);
  json_parser_load_from_data (parser, json.out, -1, &error);
  g_assert_no_error (error);
  certificate = json_array_get_object_element (
                  json_object_get_array_member (
                    json_array_get_object_element (
                      json_object_get_array_member (json_node_get_object (
                                                      json_parser_get_root (parser)), "tokens"),
                      0),
                    "certificates"),
                  0);
  g_assert_cmpstr (json_object_get_string_member (certificate, "algorithm"), ==,
                   "GOST 2015-512");
  g_assert_cmpstr (json_object_get_string_member (certificate, "kind"), ==, "auth+sign");
  g_assert_cmpstr (json_object_get_string_member (certificate, "role"), ==, "individual");
  g_assert_cmpstr (json_object_get_string_member (certificate, "iin_masked"), ==, "123456******");
  g_assert_true (json_object_get_null_member (certificate, "bin"));
  g_assert_cmpstr (json_object_get_string_member (certificate, "not_before"), ==,
                   "2022-07-28T12:34:48Z");
  g_assert_cmpstr (json_object_get_string_member (certificate, "not_after"), ==,
                   "2023-07-28T12:34:48Z");
  g_assert_false (json_object_get_boolean_member (certificate, "valid_now"));
}

static void
test_cli_key_file_sign (void)
{
  g_autofree char *key_file = g_build_filename (fixture->dir, "GOST512_seller.p12", NULL);
  g_autofree char *content = g_build_filename (fixture->dir, "gost-request.json", NULL);
  g_autofree char *signature = g_strconcat (content, ".cms", NULL);
  g_autoptr(GBytes) p12 = gost_identity_key_file (gost_seller, GOST_PASSWORD);
  g_autoptr(GBytes) signature_bytes = NULL;
  g_autoptr(GBytes) content_bytes = NULL;
  g_autoptr(GPtrArray) trusted = g_ptr_array_new ();
  g_autoptr(GPtrArray) signers = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len;
  g_auto(Run) run = { 0 };
  g_auto(Run) wrong = { 0 };

  g_file_set_contents (key_file, g_bytes_get_data (p12, NULL), g_bytes_get_size (p12), &error);
  g_assert_no_error (error);
  g_file_set_contents (content, "{\"vin\":\"XTA210990Y2766389\"}", -1, &error);
  g_assert_no_error (error);

  /* neither --token nor --cert: the key file holds one certificate */
  run_cli (&run, GOST_PASSWORD, (const char *[]) { "sign", "--key-file", key_file, "--pin-fd",
                                                   "0", "--seller-bin", fixture->seller_bin,
                                                   content, NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.out, GOST_PASSWORD));
  g_assert_null (strstr (run.err, GOST_PASSWORD));

  g_file_get_contents (signature, &data, &len, &error);
  g_assert_no_error (error);
  signature_bytes = g_bytes_new_take (g_steal_pointer (&data), len);
  g_file_get_contents (content, &data, &len, &error);
  g_assert_no_error (error);
  content_bytes = g_bytes_new_take (g_steal_pointer (&data), len);
  g_ptr_array_add (trusted, gost_ca->certificate);
  signers = tirkeu_cms_verify (signature_bytes, content_bytes, trusted, now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (signers->len, ==, 1);
  g_assert_true (tirkeu_cms_signer_get_signature_valid (g_ptr_array_index (signers, 0)));
  g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (g_ptr_array_index (signers, 0)), ==,
                   TIRKEU_CMS_CERTIFICATE_TRUSTED);
  g_remove (signature);

  run_cli (&wrong, "Wrong1234", (const char *[]) { "sign", "--key-file", key_file, "--pin-fd",
                                                   "0", content, NULL });
  g_assert_cmpint (wrong.status, ==, 4);
  g_assert_nonnull (strstr (wrong.err, "Incorrect password"));
  g_assert_false (g_file_test (signature, G_FILE_TEST_EXISTS));
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Sign-in and step 9 with a GOST 2015 key file against the sandbox portal, which trusts only
 * the test GOST CA: the one key signs in and signs the request, and the sandbox checks both
 * signatures in full. */
static void
test_cli_key_file_portal (void)
{
  g_autofree char *program = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "sandbox",
                                               "tirkeu-sandbox", NULL);
  g_autofree char *state = g_build_filename (fixture->dir, "sandbox", NULL);
  g_autofree char *signer_ca = g_build_filename (fixture->dir, "gost-ca.pem", NULL);
  g_autofree char *key_file = g_build_filename (fixture->dir, "GOST512_portal.p12", NULL);
  g_autofree char *password_file = g_build_filename (fixture->dir, "password", NULL);
  g_autoptr(GBytes) p12 = gost_identity_key_file (gost_seller, GOST_PASSWORD);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) sandbox = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *cli_out = NULL;
  g_autofree char *cli_err = NULL;
  g_autofree char *key = g_uuid_string_random ();
  JsonObject *object;
  BIO *pem = BIO_new_file (signer_ca, "w");

  g_assert_nonnull (pem);
  g_assert_true (PEM_write_bio_X509 (pem, gost_ca->certificate));
  BIO_free (pem);
  g_file_set_contents (key_file, g_bytes_get_data (p12, NULL), g_bytes_get_size (p12), &error);
  g_assert_no_error (error);
  g_file_set_contents_full (password_file, GOST_PASSWORD "\n", -1, G_FILE_SET_CONTENTS_NONE, 0600,
                            &error);
  g_assert_no_error (error);
  g_mkdir_with_parents (state, 0700);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  sandbox = g_subprocess_launcher_spawn (launcher, &error, program, "--listen", "127.0.0.1:0",
                                         "--state-dir", state, "--signer-ca", signer_ca,
                                         "--buyer", "manual", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sandbox));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));

  g_clear_object (&launcher);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path (launcher, password_file);
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  cli = g_subprocess_launcher_spawn (launcher, &error, cli_path,
                                     "--portal-url", json_object_get_string_member (object, "url"),
                                     "--ca-file", json_object_get_string_member (object, "ca_file"),
                                     "--key-file", key_file, "--pin-fd", "0", "--json",
                                     "submit", "--vin", "XTA210743S0000120", "--buyer-iin",
                                     "850312300121", "--contract", "DKP-2025-000120",
                                     "--idempotency-key", key, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (cli, NULL, NULL, &cli_out, &cli_err, &error);
  g_assert_no_error (error);
  g_subprocess_send_signal (sandbox, SIGTERM);
  g_subprocess_wait (sandbox, NULL, NULL);

  if (g_subprocess_get_exit_status (cli) != 0)
    g_error ("submit with the key file failed (%d): %s%s", g_subprocess_get_exit_status (cli),
             cli_err, cli_out);
  g_assert_nonnull (strstr (cli_out, "\"stage\" : \"awaiting_buyer\""));
  g_assert_null (strstr (cli_out, GOST_PASSWORD));
  g_assert_null (strstr (cli_err, GOST_PASSWORD));
}

/* A key that needs a context-specific login signs from a script with no terminal at all:
 * the PIN given on --pin-fd serves, no library prompts on the console. */
static void
test_cli_always_authenticate (void)
{
  g_autofree char *content = g_build_filename (fixture->dir, "always.json", NULL);
  g_autofree char *signature = g_strconcat (content, ".cms", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(Run) rsa = { 0 };
  g_auto(Run) gost = { 0 };
  g_autofree char *gost_module = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "tests",
                                                   "tirkeu-test-gost-pkcs11.so", NULL);

  g_file_set_contents (content, "{}", -1, &error);
  g_assert_no_error (error);

  /* RSA on SoftHSM, through libp11 */
  token_fixture_add_always_authenticate_key (fixture);
  run_cli_full (&rsa, TRUE, fixture->pin,
                (const char *[]) { "sign", "--pin-fd", "0", "--token", fixture->label, "--cert",
                                   "0a", "--seller-bin", fixture->seller_bin, content, NULL });
  token_fixture_delete_always_authenticate_key (fixture);
  g_assert_null (strstr (rsa.err, "PIN:"));
  g_assert_cmpint (rsa.status, ==, 0);
  g_assert_true (g_file_test (signature, G_FILE_TEST_EXISTS));
  g_remove (signature);

  /* GOST on the project's test token, through the raw calls */
  gost_write_token_config (gost_seller, fixture->dir, "87651234", "always-authenticate=yes\n");
  run_cli_full (&gost, TRUE, "87651234",
                (const char *[]) { "--pkcs11-module", gost_module, "sign", "--pin-fd", "0",
                                   "--token", "gost-token", "--cert", "0b", "--seller-bin",
                                   fixture->seller_bin, content, NULL });
  g_assert_null (strstr (gost.err, "PIN:"));
  g_assert_cmpint (gost.status, ==, 0);
  g_assert_true (g_file_test (signature, G_FILE_TEST_EXISTS));
  g_remove (signature);
}

/* A token that counts wrong PINs (the GOST test token with pin-tries=3, kept across commands
 * as a chip keeps them): each refusal is one line in the signing agent's words with the tries
 * left the token tells, not that line under the token's own warning printed before. */
static void
test_cli_wrong_pin_tries (void)
{
  g_autofree char *content = g_build_filename (fixture->dir, "tries.json", NULL);
  g_autofree char *tries = g_build_filename (fixture->dir, "gost-token.tries", NULL);
  g_autofree char *extra = g_strdup_printf ("pin-tries=3\npin-tries-file=%s\n", tries);
  g_autofree char *gost_module = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "tests",
                                                   "tirkeu-test-gost-pkcs11.so", NULL);
  const char *args[] = { "--pkcs11-module", gost_module, "sign", "--pin-fd", "0", "--token",
                         "gost-token", "--cert", "0b", content, NULL };
  g_autoptr(GError) error = NULL;
  g_auto(Run) first = { 0 };
  g_auto(Run) second = { 0 };
  g_auto(Run) third = { 0 };

  g_file_set_contents (content, "{}", -1, &error);
  g_assert_no_error (error);
  g_remove (tries);
  gost_write_token_config (gost_seller, fixture->dir, "87651234", extra);

  run_cli (&first, "11111111", args);
  g_assert_cmpint (first.status, !=, 0);
  g_assert_cmpstr (first.err, ==, "tirkeu-cli: Incorrect password. Few attempts left\n");
  run_cli (&second, "22222222", args);
  g_assert_cmpstr (second.err, ==, "tirkeu-cli: Incorrect password. Attempts left: 1\n");
  run_cli (&third, "33333333", args);
  g_assert_nonnull (strstr (third.err, "The password is locked. Attempts left: 0"));
  g_assert_null (strstr (third.err, "Details"));
  g_remove (tries);
}

static void
test_cli_sign_usage (void)
{
  g_auto(Run) run = { 0 };

  g_auto(Run) both = { 0 };

  /* no --cert */
  run_cli (&run, NULL, (const char *[]) { "sign", "--token", fixture->label, "file", NULL });
  g_assert_cmpint (run.status, ==, 2);
  /* a key file and a token at once */
  run_cli (&both, NULL, (const char *[]) { "sign", "--key-file", "k.p12", "--token",
                                           fixture->label, "file", NULL });
  g_assert_cmpint (both.status, ==, 2);
}

/* ------------------------------------------------------------------------------------------ */
/* sign streams its document                                                                  */

#define LARGE_DOCUMENT_SIZE (200 * 1024 * 1024)

/* A 200 MiB document, sparse (no disk, no memory in the test), not all zeros: bytes at its
 * start, in its middle and at its very end. */
static char *
large_document (const char *name)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  const goffset marks[] = { 0, LARGE_DOCUMENT_SIZE / 2 + 12345, LARGE_DOCUMENT_SIZE - 16 };
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  g_assert_cmpint (fd, >=, 0);
  for (guint i = 0; i < G_N_ELEMENTS (marks); i++)
    g_assert_cmpint (pwrite (fd, "{\"vin\":\"XTA21\"}", 16, marks[i]), ==, 16);
  g_assert_cmpint (ftruncate (fd, LARGE_DOCUMENT_SIZE), ==, 0);
  g_assert_cmpint (close (fd), ==, 0);
  return g_steal_pointer (&path);
}

/* Runs tirkeu-cli (as run_cli does, the PIN on its stdin) and reaps it itself, for its own
 * peak RSS (getrusage of the children would also count every command run before). */
static int
run_cli_measured (const char          *pin,
                  const char * const  *args,
                  long                *max_rss_kib,
                  char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *input = g_strconcat (pin, "\n", NULL);
  struct rusage usage;
  GPid pid;
  int in_fd, err_fd, status;
  char buffer[4096];
  gssize n;

  g_ptr_array_add (argv, cli_path);
  g_ptr_array_add (argv, (gpointer) "--pkcs11-module");
  g_ptr_array_add (argv, fixture->module);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_async_with_pipes (NULL, (char **) argv->pdata, NULL,
                            G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                            &pid, &in_fd, NULL, &err_fd, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (in_fd, input, strlen (input)), ==, (gssize) strlen (input));
  close (in_fd);
  while ((n = read (err_fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (text, buffer, n);
  close (err_fd);

  g_assert_cmpint (wait4 (pid, &status, 0, &usage), ==, pid);
  g_spawn_close_pid (pid);
  *max_rss_kib = usage.ru_maxrss;
  *err = g_string_free (g_steal_pointer (&text), FALSE);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

/* The memory a streaming `sign` may take: far below the 200 MiB it reads. (The
 * sanitizers' shadow memory and quarantine raise any program's RSS.) */
static long
rss_bound_kib (void)
{
  return g_getenv ("ASAN_OPTIONS") != NULL ? 150 * 1024 : 64 * 1024;
}

/* `sign` over 200 MiB read from a FIFO, with the RSA key on the SoftHSM token: it reads the
 * document a block at a time into its digest (it used to hold the whole document, and refuse
 * anything past 64 MiB), its peak RSS stays small, and the CMS verifies with `openssl cms
 * -verify` and `tirkeu-cli verify` over the same bytes. */
static void
test_cli_sign_stream_fifo (void)
{
  g_autofree char *document = large_document ("large-rsa.bin");
  g_autofree char *fifo = g_build_filename (fixture->dir, "large.fifo", NULL);
  g_autofree char *signature = g_build_filename (fixture->dir, "large-rsa.cms", NULL);
  g_autoptr(GSubprocess) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_auto(Run) verify = { 0 };
  long max_rss_kib = 0;
  int status;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  /* the FIFO's writer, opened in its own process: opening blocks until tirkeu-cli reads */
  writer = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sh", "-c", "cat \"$1\" > \"$2\"",
                             "sh", document, fifo, NULL);
  g_assert_no_error (error);

  status = run_cli_measured (fixture->pin,
                             (const char *[]) { "sign", "--pin-fd", "0", "--token",
                                                fixture->label, "--cert", "02", "--seller-bin",
                                                fixture->seller_bin, "-o", signature, fifo,
                                                NULL },
                             &max_rss_kib, &err);
  g_test_message ("sign over a 200 MiB FIFO: exit %d, peak RSS %ld KiB: %s", status,
                  max_rss_kib, err);
  /* a writer whose reader is gone waits on the FIFO forever: not past this test */
  if (status != 0)
    g_subprocess_force_exit (writer);
  g_assert_cmpint (status, ==, 0);
  g_subprocess_wait_check (writer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (max_rss_kib, <, rss_bound_kib ());

  g_assert_true (openssl_verifies (signature, document));
  run_cli (&verify, NULL, (const char *[]) { "verify", "--trust", fixture->ca_file, signature,
                                             document, NULL });
  g_test_message ("verify: %s%s", verify.out, verify.err);
  g_assert_cmpint (verify.status, ==, 0);

  g_remove (fifo);
  g_remove (signature);
  g_remove (document);
}

/* Bytes waiting in a pipe or FIFO: FIONREAD works on either end. */
static int
bytes_waiting (int fd)
{
  int n = -1;

  g_assert_cmpint (ioctl (fd, FIONREAD, &n), ==, 0);
  return n;
}

/* `sign` of a document that is still being written (a FIFO this test keeps open) reads no
 * PIN until the document has been read to its end: the PIN is asked only once the token
 * needs it, so a slow or endless input never keeps it in memory. The PIN's pipe still holds
 * its line while the CLI reads the document (it used to be read, and copied into the
 * signing job, before the first byte of the document), and the signature made once the
 * document ends verifies. */
static void
test_cli_sign_pin_after_document (void)
{
  g_autofree char *fifo = g_build_filename (fixture->dir, "slow.fifo", NULL);
  g_autofree char *document = g_build_filename (fixture->dir, "slow.json", NULL);
  g_autofree char *signature = g_build_filename (fixture->dir, "slow.cms", NULL);
  g_autofree char *pin_line = g_strconcat (fixture->pin, "\n", NULL);
  const char *first = "{\"vin\":\"XTA210990Y2766389\",";
  const char *rest = "\"buyer\":\"850304300128\"}";
  g_autofree char *whole = g_strconcat (first, rest, NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(Run) verify = { 0 };
  gint64 deadline;
  int pin_pipe[2];
  int input;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  /* read and write: opening does not wait for the CLI, and the CLI sees the end of its
   * input only when this test closes it */
  input = g_open (fifo, O_RDWR | O_CLOEXEC, 0);
  g_assert_cmpint (input, >=, 0);
  g_assert_cmpint (pipe2 (pin_pipe, O_CLOEXEC), ==, 0);
  g_assert_cmpint (write (pin_pipe[1], pin_line, strlen (pin_line)), ==,
                   (gssize) strlen (pin_line));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_take_fd (launcher, pin_pipe[0], 3);
  cli = g_subprocess_launcher_spawn (launcher, &error, cli_path, "--pkcs11-module",
                                     fixture->module, "sign", "--pin-fd", "3", "--token",
                                     fixture->label, "--cert", "02", "--seller-bin",
                                     fixture->seller_bin, "-o", signature, fifo, NULL);
  g_assert_no_error (error);

  /* the first part of the document, taken by the CLI: it is reading the document now */
  g_assert_cmpint (write (input, first, strlen (first)), ==, (gssize) strlen (first));
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (bytes_waiting (input) > 0 && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  if (bytes_waiting (input) > 0)
    g_subprocess_force_exit (cli);
  g_assert_cmpint (bytes_waiting (input), ==, 0);
  /* give a CLI that would read the PIN while it reads the document the time to do so */
  g_usleep (500 * 1000);
  g_assert_cmpint (bytes_waiting (pin_pipe[1]), ==, (int) strlen (pin_line));

  /* the end of the document: now the PIN is read, used and the signature written */
  g_assert_cmpint (write (input, rest, strlen (rest)), ==, (gssize) strlen (rest));
  g_assert_cmpint (close (input), ==, 0);
  g_subprocess_communicate_utf8 (cli, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("sign from a FIFO: %s%s", out, err);
  g_assert_cmpint (g_subprocess_get_exit_status (cli), ==, 0);
  g_assert_cmpint (bytes_waiting (pin_pipe[1]), ==, 0);
  g_assert_cmpint (close (pin_pipe[1]), ==, 0);

  g_file_set_contents (document, whole, -1, &error);
  g_assert_no_error (error);
  g_assert_true (openssl_verifies (signature, document));
  run_cli (&verify, NULL, (const char *[]) { "verify", "--trust", fixture->ca_file, signature,
                                             document, NULL });
  g_assert_cmpint (verify.status, ==, 0);

  g_remove (fifo);
  g_remove (signature);
  g_remove (document);
}

/* The same over a 200 MiB file with a GOST 2015 key file: Streebog-512 a block at a time. */
static void
test_cli_sign_stream_gost (void)
{
  g_autofree char *document = large_document ("large-gost.bin");
  g_autofree char *signature = g_strconcat (document, ".cms", NULL);
  g_autofree char *key_file = g_build_filename (fixture->dir, "GOST512_stream.p12", NULL);
  g_autofree char *ca = g_build_filename (fixture->dir, "gost-ca-stream.pem", NULL);
  g_autoptr(GBytes) p12 = gost_identity_key_file (gost_seller, GOST_PASSWORD);
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *unreadable = NULL;
  g_auto(Run) verify = { 0 };
  long max_rss_kib = 0;
  int status;
  BIO *pem;

  g_file_set_contents (key_file, g_bytes_get_data (p12, NULL), g_bytes_get_size (p12), &error);
  g_assert_no_error (error);
  pem = BIO_new_file (ca, "w");
  g_assert_nonnull (pem);
  g_assert_true (PEM_write_bio_X509 (pem, gost_ca->certificate));
  BIO_free (pem);

  status = run_cli_measured (GOST_PASSWORD,
                             (const char *[]) { "sign", "--key-file", key_file, "--pin-fd", "0",
                                                "--seller-bin", fixture->seller_bin, document,
                                                NULL },
                             &max_rss_kib, &err);
  g_test_message ("GOST sign over a 200 MiB file: exit %d, peak RSS %ld KiB: %s", status,
                  max_rss_kib, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (max_rss_kib, <, rss_bound_kib ());

  run_cli (&verify, NULL, (const char *[]) { "verify", "--trust", ca, signature, document,
                                             NULL });
  g_test_message ("verify: %s%s", verify.out, verify.err);
  g_assert_cmpint (verify.status, ==, 0);

  g_remove (signature);

  /* a read that fails on the way (/proc/self/mem at offset 0: EIO) is the document's error,
   * said as such, exit 2, nothing written */
  status = run_cli_measured (GOST_PASSWORD,
                             (const char *[]) { "sign", "--key-file", key_file, "--pin-fd", "0",
                                                "-o", signature, "/proc/self/mem", NULL },
                             &max_rss_kib, &unreadable);
  g_test_message ("/proc/self/mem: exit %d: %s", status, unreadable);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (unreadable, "Cannot read “/proc/self/mem”"));
  g_assert_false (g_file_test (signature, G_FILE_TEST_EXISTS));

  g_remove (document);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* The PIN is written into the child's stdin: a child that exits before reading it (a
   * usage error) must give EPIPE to communicate(), not kill the test with SIGPIPE. */
  signal (SIGPIPE, SIG_IGN);
  fixture = token_fixture_new ();
  cli_path = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "cli", "tirkeu-cli",
                               NULL);
  gost_ca = gost_identity_new (NULL, "/C=KZ/CN=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TIRKEU TEST",
                               NULL, -10, 3650);
  gost_seller = gost_identity_new (gost_ca, "/CN=ИВАНОВ ИВАН/SN=ИВАНОВ"
                                            "/serialNumber=IIN850304300128/C=KZ"
                                            "/O=ТОО ТИРКЕУ АВТО ТЕСТ/OU=BIN940140000385",
                                   "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1",
                                   -1, 365);

  g_test_add_func ("/token/cli/tokens", test_cli_tokens);
  g_test_add_func ("/token/cli/sign", test_cli_sign);
  for (guint i = 0; i < G_N_ELEMENTS (sign_refusals); i++)
    {
      g_autofree char *path = g_strdup_printf ("/token/cli/sign-refused/%s",
                                               sign_refusals[i].cert);
      g_test_add_data_func (path, &sign_refusals[i], test_cli_sign_refused);
    }
  g_test_add_func ("/token/cli/sign-usage", test_cli_sign_usage);
  g_test_add_func ("/token/cli/key-file/tokens", test_cli_key_file_tokens);
  g_test_add_func ("/token/cli/key-file/sign", test_cli_key_file_sign);
  g_test_add_func ("/token/cli/key-file/portal", test_cli_key_file_portal);
  g_test_add_func ("/token/cli/always-authenticate", test_cli_always_authenticate);
  g_test_add_func ("/token/cli/wrong-pin-tries", test_cli_wrong_pin_tries);
  g_test_add_func ("/token/cli/sign/stream-fifo", test_cli_sign_stream_fifo);
  g_test_add_func ("/token/cli/sign/stream-gost", test_cli_sign_stream_gost);
  g_test_add_func ("/token/cli/sign/pin-after-document", test_cli_sign_pin_after_document);

  status = g_test_run ();
  gost_identity_free (gost_ca);
  gost_identity_free (gost_seller);
  token_fixture_free (fixture);
  g_free (cli_path);
  return status;
}
