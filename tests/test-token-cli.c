/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "test-token-fixture.h"

/* tirkeu-cli tokens and sign, run as a user runs them, against the SoftHSM fixture token.
 * The PIN goes through --pin-fd 0 (a pipe), never the command line. */

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

static void
run_cli (Run                *run,
         const char         *pin,
         const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = pin != NULL ? g_strconcat (pin, "\n", NULL) : NULL;

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

static void
test_cli_sign_usage (void)
{
  g_auto(Run) run = { 0 };

  /* no --cert */
  run_cli (&run, NULL, (const char *[]) { "sign", "--token", fixture->label, "file", NULL });
  g_assert_cmpint (run.status, ==, 2);
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

  g_test_add_func ("/token/cli/tokens", test_cli_tokens);
  g_test_add_func ("/token/cli/sign", test_cli_sign);
  for (guint i = 0; i < G_N_ELEMENTS (sign_refusals); i++)
    {
      g_autofree char *path = g_strdup_printf ("/token/cli/sign-refused/%s",
                                               sign_refusals[i].cert);
      g_test_add_data_func (path, &sign_refusals[i], test_cli_sign_refused);
    }
  g_test_add_func ("/token/cli/sign-usage", test_cli_sign_usage);

  status = g_test_run ();
  token_fixture_free (fixture);
  g_free (cli_path);
  return status;
}
