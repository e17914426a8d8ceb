/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The sandbox as a test NCA: its GOST 2015-512 CA kept in the state directory, the built
 * `tirkeu-sandbox pki ca|issue-key|revoke`, and key files of that CA signing in and signing
 * a request at an in-process sandbox, refused once revoked (also while it runs).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ocsp.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <string.h>
#include <sys/stat.h>

#include "test-sandbox-util.h"
#include "tirkeu-cms.h"
#include "tirkeu-gost-issuer.h"
#include "tirkeu-gost.h"
#include "tirkeu-key-file.h"
#include "tirkeu-sandbox-ca.h"

#define PASSWORD "Sandbox2026"
#define HEAD_IIN "850304300128"

static char *
program_path (void)
{
  const char *build_root = g_getenv ("TIRKEU_BUILD_ROOT");

  g_assert_nonnull (build_root);
  return g_build_filename (build_root, "src", "sandbox", "tirkeu-sandbox", NULL);
}

typedef struct
{
  int status;
  char *out;
  char *err;
  gboolean done;
} Run;

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err,
                                        &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  run->done = TRUE;
}

/* Runs the built sandbox program with @argv while this main context goes on, so that an
 * in-process sandbox answers it. Returns the exit status. */
static int
run_program (const char * const  *args,
             char               **out,
             char               **err)
{
  g_autofree char *program = program_path ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { 0 };

  g_ptr_array_add (argv, program);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, run_done_cb, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);

  if (out != NULL)
    *out = g_steal_pointer (&run.out);
  if (err != NULL)
    *err = g_steal_pointer (&run.err);
  g_free (run.out);
  g_free (run.err);
  return run.status;
}

static char *
issue_key (const char *state_dir,
           const char *role,
           const char *bin)
{
  static guint n_issued;
  g_autofree char *name = g_strdup_printf ("%s-%u.p12", role, n_issued++);
  g_autofree char *path = g_build_filename (state_dir, name, NULL);
  g_autofree char *err = NULL;
  const char *args[] = { "pki", "issue-key", "--state-dir", state_dir, "--bin", bin,
                         "--iin", HEAD_IIN, "--name", "БЕКОВ АРМАН", "--patronymic",
                         "СЕРИКОВИЧ", "--organisation", "ТОО «Тіркеу Авто Сауда»",
                         "--role", role, "--password", PASSWORD, "-o", path, NULL };

  g_assert_cmpint (run_program (args, NULL, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  return g_steal_pointer (&path);
}

static TirkeuKeyFile *
open_key_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (path, FALSE, &error);
  g_autoptr(GBytes) bytes = NULL;
  TirkeuKeyFile *key_file;

  g_assert_no_error (error);
  bytes = g_mapped_file_get_bytes (mapped);
  key_file = tirkeu_key_file_new_from_bytes (bytes, PASSWORD, &error);
  g_assert_no_error (error);
  return key_file;
}

static char *
serial_hex (X509 *certificate)
{
  BIGNUM *number = ASN1_INTEGER_to_BN (X509_get0_serialNumber (certificate), NULL);
  char *hex = BN_bn2hex (number);
  char *result = g_strdup (hex);

  OPENSSL_free (hex);
  BN_free (number);
  return result;
}

/* --- the CA in the state directory --------------------------------------------------- */

static void
test_ca_kept (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = sb_make_tmp_dir ("tirkeu-pki-XXXXXX", &error);
  g_autofree char *key_path = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *written = NULL;
  g_autoptr(TirkeuSandboxCa) first = NULL;
  g_autoptr(TirkeuSandboxCa) second = NULL;
  gsize written_len;
  GStatBuf st;

  g_assert_no_error (error);
  first = tirkeu_sandbox_ca_open (state_dir, &error);
  g_assert_no_error (error);
  g_assert_true (tirkeu_gost_is_2015_512_certificate (tirkeu_sandbox_ca_get_certificate (first)));
  g_assert_cmpint (X509_check_ca (tirkeu_sandbox_ca_get_certificate (first)), >=, 1);

  /* made once, then reused */
  second = tirkeu_sandbox_ca_open (state_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (X509_cmp (tirkeu_sandbox_ca_get_certificate (first),
                             tirkeu_sandbox_ca_get_certificate (second)), ==, 0);

  /* the private keys are their owner's only */
  key_path = g_build_filename (state_dir, "pki", "ca-key.p8", NULL);
  g_assert_cmpint (g_stat (key_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_free (key_path);
  key_path = g_build_filename (state_dir, "pki", "tsa-key.p8", NULL);
  g_assert_cmpint (g_stat (key_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* `pki ca` writes the same certificate */
  out_path = g_build_filename (state_dir, "ca.cer", NULL);
  {
    const char *args[] = { "pki", "ca", "--state-dir", state_dir, "-o", out_path, NULL };

    g_assert_cmpint (run_program (args, NULL, NULL), ==, 0);
  }
  g_file_get_contents (out_path, &written, &written_len, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) bytes = g_bytes_new_static (written, written_len);

    g_assert_true (g_bytes_equal (tirkeu_sandbox_ca_get_certificate_der (first), bytes));
  }
}

/* Each role gets NCA's EKU layout; the key file opens with its password, openssl reads its
 * certificate, and the certificate chains to the CA. */
static void
test_issue_key_roles (void)
{
  static const struct
  {
    const char *role;
    TirkeuCertificateRole expected;
    const char *eku;
  } roles[] = {
    { "head", TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD,
      "E-mail Protection, 1.2.398.3.3.4.1.2, 1.2.398.3.3.4.1.2.1" },
    { "signer", TIRKEU_CERTIFICATE_ROLE_RIGHT_TO_SIGN,
      "E-mail Protection, 1.2.398.3.3.4.1.2, 1.2.398.3.3.4.1.2.2" },
    { "employee", TIRKEU_CERTIFICATE_ROLE_EMPLOYEE,
      "E-mail Protection, 1.2.398.3.3.4.1.2, 1.2.398.3.3.4.1.2.5" },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = sb_make_tmp_dir ("tirkeu-pki-XXXXXX", &error);
  g_autoptr(TirkeuSandboxCa) ca = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      g_autofree char *path = issue_key (state_dir, roles[i].role, SELLER_BIN);
      g_autoptr(TirkeuKeyFile) key_file = open_key_file (path);
      g_autoptr(TirkeuCertificate) certificate =
        tirkeu_certificate_new_from_der (tirkeu_key_file_get_certificate_der (key_file), &error);
      g_autofree char *pem = NULL;
      g_autofree char *text = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (tirkeu_certificate_get_role (certificate), ==, roles[i].expected);
      g_assert_cmpstr (tirkeu_certificate_get_bin (certificate), ==, SELLER_BIN);
      g_assert_cmpstr (tirkeu_certificate_get_iin (certificate), ==, HEAD_IIN);
      g_assert_cmpstr (tirkeu_certificate_get_owner_name (certificate), ==, "БЕКОВ АРМАН");
      g_assert_true (tirkeu_certificate_is_one_key (certificate));

      if (ca == NULL)
        {
          ca = tirkeu_sandbox_ca_open (state_dir, &error);
          g_assert_no_error (error);
        }
      g_assert_true (tirkeu_sandbox_ca_issued (ca, tirkeu_key_file_get_certificate (key_file)));

      /* openssl, which we did not write, reads the certificate of the NCA-format file */
      {
        const char *argv[] = { "openssl", "pkcs12", "-legacy", "-nokeys", "-passin",
                               "pass:" PASSWORD, "-in", path, NULL };
        int status = 0;

        g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, &pem, NULL, &status, &error);
        g_assert_no_error (error);
        g_assert_true (g_spawn_check_wait_status (status, NULL));
      }
      {
        const char *argv[] = { "openssl", "x509", "-noout", "-ext", "extendedKeyUsage", NULL };
        g_autoptr(GSubprocess) process =
          g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                             &error);

        g_assert_no_error (error);
        g_subprocess_communicate_utf8 (process, pem, NULL, &text, NULL, &error);
        g_assert_no_error (error);
        g_assert_true (g_subprocess_get_successful (process));
      }
      g_assert_nonnull (strstr (text, roles[i].eku));
    }
}

/* An individual's key file: role 1.2.398.3.3.4.1.1, no BIN and no organisation; giving
 * either is a usage error. */
static void
test_issue_key_individual (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = sb_make_tmp_dir ("tirkeu-pki-XXXXXX", &error);
  g_autofree char *path = g_build_filename (state_dir, "individual.p12", NULL);
  g_autofree char *err = NULL;
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(TirkeuCertificate) certificate = NULL;
  const char *args[] = { "pki", "issue-key", "--state-dir", state_dir, "--iin", HEAD_IIN,
                         "--name", "БЕКОВ АРМАН", "--role", "individual", "--password", PASSWORD,
                         "-o", path, NULL };
  const char *with_bin[] = { "pki", "issue-key", "--state-dir", state_dir, "--iin", HEAD_IIN,
                             "--name", "БЕКОВ АРМАН", "--role", "individual", "--bin", SELLER_BIN,
                             "--password", PASSWORD, "-o", path, NULL };

  g_assert_no_error (error);
  g_assert_cmpint (run_program (with_bin, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--bin"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_cmpint (run_program (args, NULL, NULL), ==, 0);
  key_file = open_key_file (path);
  certificate = tirkeu_certificate_new_from_der (tirkeu_key_file_get_certificate_der (key_file),
                                                 &error);
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_certificate_get_role (certificate), ==,
                   TIRKEU_CERTIFICATE_ROLE_INDIVIDUAL);
  g_assert_null (tirkeu_certificate_get_bin (certificate));
  g_assert_null (tirkeu_certificate_get_organisation (certificate));
  g_assert_cmpstr (tirkeu_certificate_get_iin (certificate), ==, HEAD_IIN);
}

/* Bad arguments: exit 2, a message, no file. */
static void
test_issue_key_bad_arguments (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = sb_make_tmp_dir ("tirkeu-pki-XXXXXX", &error);
  g_autofree char *path = g_build_filename (state_dir, "bad.p12", NULL);
  static const struct { const char *option; const char *value; const char *says; } cases[] = {
    { "--bin", "123456789021", "--bin" },
    { "--iin", "850304300129", "--iin" },
    { "--role", "director", "--role" },
    { "--password", "weak", "password" },
    { "--password", "alllowercase1", "password" },
    { "--name", "SINGLEWORD", "--name" },
    { "--days", "0", "--days" },
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *values[][2] = {
        { "--bin", SELLER_BIN }, { "--iin", HEAD_IIN }, { "--role", "head" },
        { "--password", PASSWORD }, { "--name", "БЕКОВ АРМАН" }, { "--days", "30" },
      };
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autofree char *err = NULL;

      g_ptr_array_add (args, (gpointer) "pki");
      g_ptr_array_add (args, (gpointer) "issue-key");
      g_ptr_array_add (args, (gpointer) "--state-dir");
      g_ptr_array_add (args, state_dir);
      g_ptr_array_add (args, (gpointer) "-o");
      g_ptr_array_add (args, path);
      for (guint j = 0; j < G_N_ELEMENTS (values); j++)
        {
          g_ptr_array_add (args, (gpointer) values[j][0]);
          g_ptr_array_add (args, (gpointer) (g_str_equal (values[j][0], cases[i].option)
                                             ? cases[i].value : values[j][1]));
        }
      g_ptr_array_add (args, NULL);

      g_test_message ("%s %s", cases[i].option, cases[i].value);
      g_assert_cmpint (run_program ((const char * const *) args->pdata, NULL, &err), ==, 2);
      g_assert_nonnull (strstr (err, cases[i].says));
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }

  {
    const char *args[] = { "pki", "issue-key", "--state-dir", state_dir, NULL };
    g_assert_cmpint (run_program (args, NULL, NULL), ==, 2);
  }
  {
    const char *args[] = { "pki", "revoke", "not-hex", "--state-dir", state_dir, NULL };
    g_assert_cmpint (run_program (args, NULL, NULL), ==, 2);
  }
  {
    const char *args[] = { "pki", "revoke", "0A", "--state-dir", state_dir, "--reason", "7",
                           NULL };
    g_assert_cmpint (run_program (args, NULL, NULL), ==, 2);
  }
  {
    const char *args[] = { "pki", "sign", NULL };
    g_assert_cmpint (run_program (args, NULL, NULL), ==, 2);
  }
}

/* --- key files at the portal ---------------------------------------------------------- */

static GBytes *
key_file_sign_cb (GBytes    *attributes,
                  gpointer   user_data,
                  GError   **error)
{
  return tirkeu_key_file_sign (user_data, attributes, error);
}

static char *
sign_base64 (TirkeuKeyFile *key_file,
             const char    *content_b64)
{
  gsize len;
  g_autofree guchar *content = g_base64_decode (content_b64, &len);
  g_autoptr(GBytes) bytes = g_bytes_new (content, len);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = tirkeu_cms_sign_detached (tirkeu_key_file_get_certificate (key_file),
                                                    bytes, now, key_file_sign_cb, key_file,
                                                    &error);

  g_assert_no_error (error);
  return g_base64_encode (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
}

static SbAnswer *
sign_in (SbFixture     *fixture,
         TirkeuKeyFile *key_file)
{
  g_autoptr(SbAnswer) challenge = sb_call (fixture->session, fixture->url, "POST",
                                           "/api/v1/auth/challenge", NULL, NULL, NULL);
  JsonObject *object = sb_answer_ok (challenge, 201);
  g_autofree char *signature = sign_base64 (key_file,
                                            json_object_get_string_member (object, "challenge"));
  g_autofree char *body = g_strdup_printf ("{\"challenge_id\":\"%s\",\"signature\":\"%s\"}",
                                           json_object_get_string_member (object,
                                                                          "challenge_id"),
                                           signature);

  return sb_call (fixture->session, fixture->url, "POST", "/api/v1/auth/session", NULL, NULL,
                  body);
}

static SbAnswer *
submit (SbFixture     *fixture,
        const char    *token,
        const char    *id,
        TirkeuKeyFile *key_file)
{
  g_autofree char *path = g_strconcat ("/api/v1/requests/", id, NULL);
  g_autofree char *sign_path = g_strconcat (path, "/signature", NULL);
  g_autoptr(SbAnswer) got = sb_call (fixture->session, fixture->url, "GET", path, token, NULL,
                                     NULL);
  g_autofree char *signature =
    sign_base64 (key_file, json_object_get_string_member (sb_answer_ok (got, 200),
                                                          "signing_payload"));
  g_autofree char *body = g_strdup_printf ("{\"signature\":\"%s\"}", signature);

  return sb_call (fixture->session, fixture->url, "POST", sign_path, token, NULL, body);
}

static JsonObject *
admin_request (SbFixture  *fixture,
               const char *id)
{
  g_autoptr(SbAnswer) answer = sb_call (fixture->session, fixture->url, "GET",
                                        "/admin/requests", NULL, NULL, NULL);
  JsonArray *requests = json_object_get_array_member (sb_answer_ok (answer, 200), "requests");

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_str_equal (json_object_get_string_member (request, "id"), id))
        return json_object_ref (request);
    }
  g_assert_not_reached ();
}

static void
start (SbFixture *fixture)
{
  TirkeuSandboxOptions options;

  sb_options_for_test (&options, NULL);
  sb_fixture_start (fixture, &options);
}

/* A head's key file of the sandbox's CA signs in and signs a request, beside --signer-ca;
 * the admin view says what was checked. */
static void
test_key_file_signs (void)
{
  SbFixture fixture = { 0 };
  g_autofree char *path = NULL;
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(SbAnswer) session = NULL;
  g_autoptr(SbAnswer) signed_answer = NULL;
  g_autoptr(JsonObject) view = NULL;
  g_autofree char *id = NULL;
  const char *token;
  JsonObject *check;

  start (&fixture);
  path = issue_key (fixture.state_dir, "head", SELLER_BIN);
  key_file = open_key_file (path);

  session = sign_in (&fixture, key_file);
  token = json_object_get_string_member (sb_answer_ok (session, 201), "token");
  id = sb_create_request (&fixture, token, VIN_OK, BUYER_IIN, CONTRACT_OK, "key-1");
  signed_answer = submit (&fixture, token, id, key_file);
  g_assert_cmpstr (json_object_get_string_member (sb_answer_ok (signed_answer, 200), "stage"),
                   ==, "awaiting_buyer");

  view = admin_request (&fixture, id);
  check = json_object_get_object_member (view, "signature");
  g_assert_nonnull (check);
  g_assert_true (json_object_get_boolean_member (check, "ess_cert_id_v2"));
  g_assert_cmpstr (json_object_get_string_member (check, "timestamp"), ==, "absent");

  sb_fixture_stop (&fixture);
}

/* An employee may sign in but not sign for the organisation. */
static void
test_employee_may_not_sign (void)
{
  SbFixture fixture = { 0 };
  g_autofree char *path = NULL;
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(SbAnswer) session = NULL;
  g_autoptr(SbAnswer) refused = NULL;
  g_autofree char *id = NULL;
  const char *token;

  start (&fixture);
  path = issue_key (fixture.state_dir, "employee", SELLER_BIN);
  key_file = open_key_file (path);

  session = sign_in (&fixture, key_file);
  token = json_object_get_string_member (sb_answer_ok (session, 201), "token");
  id = sb_create_request (&fixture, token, VIN_OK, BUYER_IIN, CONTRACT_OK, "key-1");
  refused = submit (&fixture, token, id, key_file);
  sb_answer_error (refused, 403, "SIGNER_NOT_AUTHORIZED");

  sb_fixture_stop (&fixture);
}

/* `pki revoke` on a running sandbox takes effect at once: the next request signature and the
 * next sign-in with that key are SIGNATURE_INVALID. */
static void
test_revoke_running (void)
{
  SbFixture fixture = { 0 };
  g_autofree char *path = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *out = NULL;
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(SbAnswer) session = NULL;
  g_autoptr(SbAnswer) refused = NULL;
  g_autoptr(SbAnswer) second_session = NULL;
  g_autofree char *id = NULL;
  const char *token;

  start (&fixture);
  path = issue_key (fixture.state_dir, "signer", SELLER_BIN);
  key_file = open_key_file (path);
  session = sign_in (&fixture, key_file);
  token = json_object_get_string_member (sb_answer_ok (session, 201), "token");
  id = sb_create_request (&fixture, token, VIN_OK, BUYER_IIN, CONTRACT_OK, "key-1");

  serial = serial_hex (tirkeu_key_file_get_certificate (key_file));
  {
    g_autofree char *printed = g_strconcat ("serial=", serial, NULL);
    const char *args[] = { "pki", "revoke", printed, "--state-dir", fixture.state_dir,
                           "--reason", "keyCompromise", NULL };

    g_assert_cmpint (run_program (args, &out, NULL), ==, 0);
  }
  g_assert_nonnull (strstr (out, "\"revoked\":true"));

  refused = submit (&fixture, token, id, key_file);
  sb_answer_error (refused, 422, "SIGNATURE_INVALID");
  second_session = sign_in (&fixture, key_file);
  sb_answer_error (second_session, 422, "SIGNATURE_INVALID");

  sb_fixture_stop (&fixture);
}

/* Without a running sandbox the list on disk is written, and the next run refuses. */
static void
test_revoke_offline (void)
{
  SbFixture fixture = { 0 };
  TirkeuSandboxOptions options;
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = sb_make_tmp_dir ("tirkeu-pki-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *serial = NULL;
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(SbAnswer) refused = NULL;

  g_assert_no_error (error);
  path = issue_key (state_dir, "head", SELLER_BIN);
  key_file = open_key_file (path);
  serial = serial_hex (tirkeu_key_file_get_certificate (key_file));
  {
    g_autofree char *lower = g_ascii_strdown (serial, -1);
    const char *args[] = { "pki", "revoke", lower, "--state-dir", state_dir, NULL };

    g_assert_cmpint (run_program (args, NULL, NULL), ==, 0);
  }

  sb_options_for_test (&options, state_dir);
  sb_fixture_start (&fixture, &options);
  refused = sign_in (&fixture, key_file);
  sb_answer_error (refused, 422, "SIGNATURE_INVALID");
  sb_fixture_stop (&fixture);
}

/* --- /pki over HTTPS -------------------------------------------------------------------- */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OCSP_REQUEST, OCSP_REQUEST_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OCSP_RESPONSE, OCSP_RESPONSE_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OCSP_BASICRESP, OCSP_BASICRESP_free)

typedef struct
{
  guint status;
  char *content_type;
  GBytes *body;
} Raw;

static void
raw_free (Raw *raw)
{
  g_free (raw->content_type);
  g_clear_pointer (&raw->body, g_bytes_unref);
  g_free (raw);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Raw, raw_free)

static void
raw_sent_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Raw *raw = user_data;
  g_autoptr(GError) error = NULL;

  raw->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

/* One call with a body of any media type, answered by the in-process sandbox. */
static Raw *
call_raw (SbFixture  *fixture,
          const char *method,
          const char *path,
          const char *content_type,
          GBytes     *body)
{
  g_autofree char *target = g_strconcat (fixture->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, target);
  Raw *raw = g_new0 (Raw, 1);

  g_assert_nonnull (msg);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    raw_sent_cb, raw);
  while (raw->body == NULL)
    g_main_context_iteration (NULL, TRUE);
  raw->status = soup_message_get_status (msg);
  raw->content_type = g_strdup (soup_message_headers_get_content_type (
                                  soup_message_get_response_headers (msg), NULL));
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "X-Tirkeu-Environment"), ==, "sandbox");
  return raw;
}

static char *
write_temp (const char *dir,
            const char *name,
            GBytes     *bytes)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return path;
}

static char *
run_openssl (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("openssl %s failed: %s", argv[1], err);
  return out;
}

static GBytes *
ocsp_request_for (X509          *certificate,
                  X509          *issuer,
                  const EVP_MD  *md,
                  OCSP_REQUEST **request_out)
{
  OCSP_REQUEST *request = OCSP_REQUEST_new ();
  OCSP_CERTID *id = OCSP_cert_to_id (md, certificate, issuer);
  unsigned char *der = NULL;
  int len;
  GBytes *bytes;

  g_assert_nonnull (id);
  g_assert_nonnull (OCSP_request_add0_id (request, id));
  g_assert_cmpint (OCSP_request_add1_nonce (request, NULL, 16), ==, 1);
  len = i2d_OCSP_REQUEST (request, &der);
  g_assert_cmpint (len, >, 0);
  bytes = g_bytes_new (der, len);
  OPENSSL_free (der);
  *request_out = request;
  return bytes;
}

/* Sends @request_der (POST, or GET in the path as base64, URL-safe or standard) and checks
 * the answer as a client must: a successful OCSPResponse whose GOST signature verifies with
 * Tirkeu's verifier against the CA, the nonce echoed. Returns the status of @certificate. */
static int
ocsp_status (SbFixture    *fixture,
             GBytes       *request_der,
             OCSP_REQUEST *request,
             X509         *certificate,
             X509         *issuer,
             const EVP_MD *md,
             int           how,
             int          *reason)
{
  g_autoptr(Raw) raw = NULL;
  g_autoptr(OCSP_RESPONSE) response = NULL;
  g_autoptr(OCSP_BASICRESP) basic = NULL;
  g_autoptr(GError) error = NULL;
  OCSP_CERTID *id = OCSP_cert_to_id (md, certificate, issuer);
  const unsigned char *p;
  gsize len;
  int status = -1;
  ASN1_GENERALIZEDTIME *revoked_at = NULL, *this_update = NULL, *next_update = NULL;

  if (how == 0)
    {
      raw = call_raw (fixture, "POST", "/pki/ocsp", "application/ocsp-request", request_der);
    }
  else
    {
      g_autofree char *encoded = g_base64_encode (g_bytes_get_data (request_der, NULL),
                                                  g_bytes_get_size (request_der));
      g_autofree char *in_path = NULL;
      g_autofree char *path = NULL;

      if (how == 1)
        {
          g_strdelimit (encoded, "+", '-');
          g_strdelimit (encoded, "/", '_');
          g_strdelimit (encoded, "=", '\0');
          in_path = g_strdup (encoded);
        }
      else
        {
          in_path = g_uri_escape_string (encoded, NULL, FALSE);
        }
      path = g_strconcat ("/pki/ocsp/", in_path, NULL);
      raw = call_raw (fixture, "GET", path, NULL, NULL);
    }
  g_assert_cmpuint (raw->status, ==, 200);
  g_assert_cmpstr (raw->content_type, ==, "application/ocsp-response");

  p = g_bytes_get_data (raw->body, &len);
  response = d2i_OCSP_RESPONSE (NULL, &p, (long) len);
  g_assert_nonnull (response);
  g_assert_cmpint (OCSP_response_status (response), ==, OCSP_RESPONSE_STATUS_SUCCESSFUL);
  basic = OCSP_response_get1_basic (response);
  g_assert_nonnull (basic);
  g_assert_true (tirkeu_gost_verify_ocsp_response (basic, issuer, &error));
  g_assert_no_error (error);
  g_assert_cmpint (OCSP_check_nonce (request, basic), ==, 1);
  g_assert_cmpint (OCSP_resp_find_status (basic, id, &status, reason, &revoked_at, &this_update,
                                          &next_update), ==, 1);
  if (status == V_OCSP_CERTSTATUS_REVOKED)
    g_assert_nonnull (revoked_at);
  OCSP_CERTID_free (id);
  return status;
}

/* Good, then revoked (with its reason) once `pki revoke` ran, and unknown for a
 * certificate of another CA; SHA-1 and SHA-256 CertIDs, POST and both GET forms; `openssl
 * ocsp` parses the answer. */
static void
test_ocsp (void)
{
  SbFixture fixture = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(TirkeuSandboxCa) ca = NULL;
  g_autoptr(TirkeuGostIssuer) other_ca = NULL;
  g_autoptr(GBytes) other_key_file = NULL;
  g_autoptr(TirkeuKeyFile) other = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) end = g_date_time_add_days (now, 30);
  g_autofree char *serial = NULL;
  const EVP_MD *digests[] = { EVP_sha1 (), EVP_sha256 () };
  X509 *certificate, *issuer;
  int reason = -1;

  start (&fixture);
  path = issue_key (fixture.state_dir, "head", SELLER_BIN);
  key_file = open_key_file (path);
  certificate = tirkeu_key_file_get_certificate (key_file);
  ca = tirkeu_sandbox_ca_open (fixture.state_dir, &error);
  g_assert_no_error (error);
  issuer = tirkeu_sandbox_ca_get_certificate (ca);

  for (guint d = 0; d < G_N_ELEMENTS (digests); d++)
    for (int how = 0; how < 3; how++)
      {
        g_autoptr(OCSP_REQUEST) request = NULL;
        g_autoptr(GBytes) der = ocsp_request_for (certificate, issuer, digests[d], &request);

        g_assert_cmpint (ocsp_status (&fixture, der, request, certificate, issuer, digests[d],
                                      how, &reason), ==, V_OCSP_CERTSTATUS_GOOD);
      }

  serial = serial_hex (certificate);
  {
    const char *args[] = { "pki", "revoke", serial, "--state-dir", fixture.state_dir,
                           "--reason", "superseded", NULL };

    g_assert_cmpint (run_program (args, NULL, NULL), ==, 0);
  }
  for (guint d = 0; d < G_N_ELEMENTS (digests); d++)
    {
      g_autoptr(OCSP_REQUEST) request = NULL;
      g_autoptr(GBytes) der = ocsp_request_for (certificate, issuer, digests[d], &request);

      g_assert_cmpint (ocsp_status (&fixture, der, request, certificate, issuer, digests[d], 0,
                                    &reason), ==, V_OCSP_CERTSTATUS_REVOKED);
      g_assert_cmpint (reason, ==, OCSP_REVOKED_STATUS_SUPERSEDED);
    }

  /* a certificate this CA did not issue */
  other_ca = tirkeu_gost_issuer_new ("ANOTHER GOST CA", now, end, &error);
  g_assert_no_error (error);
  {
    const TirkeuGostSubject subject = { .surname = "БЕКОВ", .given_name = "АРМАН",
                                        .iin = HEAD_IIN, .bin = SELLER_BIN,
                                        .role = TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD };
    g_autoptr(OCSP_REQUEST) request = NULL;
    g_autoptr(GBytes) der = NULL;
    X509 *other_issuer = tirkeu_gost_issuer_get_certificate (other_ca);
    g_autoptr(Raw) raw = NULL;
    g_autoptr(OCSP_RESPONSE) response = NULL;
    g_autoptr(OCSP_BASICRESP) basic = NULL;
    OCSP_CERTID *id;
    const unsigned char *p;
    gsize len;
    int status = -1;

    other_key_file = tirkeu_gost_issuer_issue_key_file (other_ca, &subject, now, end, PASSWORD,
                                                        &error);
    g_assert_no_error (error);
    other = tirkeu_key_file_new_from_bytes (other_key_file, PASSWORD, &error);
    g_assert_no_error (error);
    der = ocsp_request_for (tirkeu_key_file_get_certificate (other), other_issuer, EVP_sha1 (),
                            &request);
    raw = call_raw (&fixture, "POST", "/pki/ocsp", "application/ocsp-request", der);
    p = g_bytes_get_data (raw->body, &len);
    response = d2i_OCSP_RESPONSE (NULL, &p, (long) len);
    basic = OCSP_response_get1_basic (response);
    g_assert_nonnull (basic);
    /* signed by the sandbox's CA, not the other one */
    g_assert_true (tirkeu_gost_verify_ocsp_response (basic, issuer, NULL));
    g_assert_false (tirkeu_gost_verify_ocsp_response (basic, other_issuer, NULL));
    id = OCSP_cert_to_id (EVP_sha1 (), tirkeu_key_file_get_certificate (other), other_issuer);
    g_assert_cmpint (OCSP_resp_find_status (basic, id, &status, NULL, NULL, NULL, NULL), ==, 1);
    g_assert_cmpint (status, ==, V_OCSP_CERTSTATUS_UNKNOWN);
    OCSP_CERTID_free (id);
  }

  /* openssl, which we did not write, parses request and answer (it cannot check GOST) */
  {
    g_autoptr(OCSP_REQUEST) request = NULL;
    g_autoptr(GBytes) der = ocsp_request_for (certificate, issuer, EVP_sha256 (), &request);
    g_autoptr(Raw) raw = call_raw (&fixture, "POST", "/pki/ocsp", "application/ocsp-request",
                                   der);
    g_autofree char *request_path = write_temp (fixture.state_dir, "ocsp-request.der", der);
    g_autofree char *response_path = write_temp (fixture.state_dir, "ocsp-response.der",
                                                 raw->body);
    const char *argv[] = { "openssl", "ocsp", "-reqin", request_path, "-respin", response_path,
                           "-noverify", "-resp_text", NULL };
    g_autofree char *text = run_openssl (argv);

    g_assert_nonnull (strstr (text, "OCSP Response Status: successful"));
    g_assert_nonnull (strstr (text, "Hash Algorithm: sha256"));
    g_assert_nonnull (strstr (text, "Cert Status: revoked"));
    g_assert_nonnull (strstr (text, "Revocation Reason: superseded"));
    g_assert_nonnull (strstr (text, "OCSP Nonce"));
    g_assert_nonnull (strstr (text, "Signature Algorithm: 1.2.398.3.10.1.1.2.3.2"));
  }

  sb_fixture_stop (&fixture);
}

/* What is not an OCSP request: malformedRequest in OCSP's own answer; the wrong media type
 * or path: the contract's error. */
static void
test_ocsp_malformed (void)
{
  SbFixture fixture = { 0 };
  g_autoptr(GBytes) junk = g_bytes_new_static ("not DER", 7);
  g_autoptr(Raw) posted = NULL;
  g_autoptr(Raw) got = NULL;
  g_autoptr(Raw) wrong_type = NULL;
  g_autoptr(Raw) nowhere = NULL;
  const char *paths[] = { "/pki/ocsp/!!!", "/pki/ocsp/bm90IERFUg" };

  start (&fixture);
  posted = call_raw (&fixture, "POST", "/pki/ocsp", "application/ocsp-request", junk);
  g_assert_cmpuint (posted->status, ==, 200);
  g_assert_cmpstr (posted->content_type, ==, "application/ocsp-response");
  {
    const unsigned char *p = g_bytes_get_data (posted->body, NULL);
    g_autoptr(OCSP_RESPONSE) response = d2i_OCSP_RESPONSE (NULL, &p,
                                                           g_bytes_get_size (posted->body));

    g_assert_nonnull (response);
    g_assert_cmpint (OCSP_response_status (response), ==, OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  }
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(Raw) answer = call_raw (&fixture, "GET", paths[i], NULL, NULL);

      const unsigned char *p = g_bytes_get_data (answer->body, NULL);
      g_autoptr(OCSP_RESPONSE) response = NULL;

      g_test_message ("%s", paths[i]);
      g_assert_cmpuint (answer->status, ==, 200);
      response = d2i_OCSP_RESPONSE (NULL, &p, g_bytes_get_size (answer->body));
      g_assert_nonnull (response);
      g_assert_cmpint (OCSP_response_status (response), ==,
                       OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
    }

  wrong_type = call_raw (&fixture, "POST", "/pki/ocsp", "application/json", junk);
  g_assert_cmpuint (wrong_type->status, ==, 400);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (wrong_type->body, NULL),
                                  g_bytes_get_size (wrong_type->body), "VALIDATION_FAILED"));
  nowhere = call_raw (&fixture, "GET", "/pki/nothing", NULL, NULL);
  g_assert_cmpuint (nowhere->status, ==, 404);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (nowhere->body, NULL),
                                  g_bytes_get_size (nowhere->body), "NOT_FOUND"));

  sb_fixture_stop (&fixture);
}

/* --- the TSA ----------------------------------------------------------------------------- */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TS_REQ, TS_REQ_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TS_RESP, TS_RESP_free)

#define OID_STREEBOG512_KZ   "1.2.398.3.10.1.3.3"
#define OID_STREEBOG512_TC26 "1.2.643.7.1.1.2.3"

static GBytes *
tsa_query (const char   *hash_oid,
           const guint8 *hash,
           gsize         hash_len,
           const char   *policy_oid,
           gboolean      cert_req,
           TS_REQ      **request_out)
{
  TS_REQ *request = TS_REQ_new ();
  TS_MSG_IMPRINT *imprint = TS_MSG_IMPRINT_new ();
  X509_ALGOR *algorithm = X509_ALGOR_new ();
  ASN1_INTEGER *nonce = ASN1_INTEGER_new ();
  unsigned char *der = NULL;
  int len;
  GBytes *bytes;

  X509_ALGOR_set0 (algorithm, OBJ_txt2obj (hash_oid, 1), V_ASN1_UNDEF, NULL);
  g_assert_true (TS_MSG_IMPRINT_set_algo (imprint, algorithm));
  g_assert_true (TS_MSG_IMPRINT_set_msg (imprint, (unsigned char *) hash, (int) hash_len));
  g_assert_true (TS_REQ_set_version (request, 1));
  g_assert_true (TS_REQ_set_msg_imprint (request, imprint));
  g_assert_true (ASN1_INTEGER_set_uint64 (nonce,
                                          g_random_int () | ((guint64) g_random_int () << 32)));
  g_assert_true (TS_REQ_set_nonce (request, nonce));
  g_assert_true (TS_REQ_set_cert_req (request, cert_req));
  if (policy_oid != NULL)
    {
      ASN1_OBJECT *policy = OBJ_txt2obj (policy_oid, 1);

      g_assert_true (TS_REQ_set_policy_id (request, policy));
      ASN1_OBJECT_free (policy);
    }
  len = i2d_TS_REQ (request, &der);
  g_assert_cmpint (len, >, 0);
  bytes = g_bytes_new (der, len);

  OPENSSL_free (der);
  ASN1_INTEGER_free (nonce);
  X509_ALGOR_free (algorithm);
  TS_MSG_IMPRINT_free (imprint);
  if (request_out != NULL)
    *request_out = request;
  else
    TS_REQ_free (request);
  return bytes;
}

static TS_RESP *
tsa_call (SbFixture *fixture,
          GBytes    *query,
          GBytes   **raw_out)
{
  g_autoptr(Raw) raw = call_raw (fixture, "POST", "/pki/tsa", "application/timestamp-query",
                                 query);
  const unsigned char *p = g_bytes_get_data (raw->body, NULL);
  TS_RESP *response;

  g_assert_cmpuint (raw->status, ==, 200);
  g_assert_cmpstr (raw->content_type, ==, "application/timestamp-reply");
  response = d2i_TS_RESP (NULL, &p, (long) g_bytes_get_size (raw->body));
  g_assert_nonnull (response);
  if (raw_out != NULL)
    *raw_out = g_bytes_ref (raw->body);
  return response;
}

static int
tsa_status (TS_RESP *response,
            int      failure)
{
  TS_STATUS_INFO *status = TS_RESP_get_status_info (response);
  const ASN1_BIT_STRING *failure_info = TS_STATUS_INFO_get0_failure_info (status);

  if (failure >= 0)
    {
      g_assert_nonnull (failure_info);
      g_assert_true (ASN1_BIT_STRING_get_bit (failure_info, failure));
    }
  return (int) ASN1_INTEGER_get (TS_STATUS_INFO_get0_status (status));
}

static GBytes *
token_of (TS_RESP *response)
{
  unsigned char *der = NULL;
  int len = i2d_PKCS7 (TS_RESP_get_token (response), &der);
  GBytes *bytes;

  g_assert_cmpint (len, >, 0);
  bytes = g_bytes_new (der, len);
  OPENSSL_free (der);
  return bytes;
}

/* Granted for Streebog-512 (NCA's and TC26's OID), SHA-256 and SHA-512: the imprint and
 * nonce as asked, NCA's policy, a token whose GOST signature Tirkeu's verifier checks up to
 * the CA, with the TSA's certificate only when asked; `openssl ts` parses the replies. */
static void
test_tsa_granted (void)
{
  static const struct { const char *oid; gsize size; } hashes[] = {
    { OID_STREEBOG512_KZ, 64 }, { OID_STREEBOG512_TC26, 64 },
    { "2.16.840.1.101.3.4.2.1", 32 }, { "2.16.840.1.101.3.4.2.3", 64 },
  };
  SbFixture fixture = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuSandboxCa) ca = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  guint8 hash[64];

  start (&fixture);
  ca = tirkeu_sandbox_ca_open (fixture.state_dir, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < sizeof hash; i++)
    hash[i] = (guint8) (i * 7 + 1);

  for (guint h = 0; h < G_N_ELEMENTS (hashes); h++)
    for (int cert_req = 0; cert_req < 2; cert_req++)
      {
        g_autoptr(TS_REQ) request = NULL;
        g_autoptr(GBytes) query = tsa_query (hashes[h].oid, hash, hashes[h].size,
                                             h == 0 ? TIRKEU_SANDBOX_TSA_POLICY : NULL,
                                             cert_req, &request);
        g_autoptr(GBytes) raw = NULL;
        g_autoptr(TS_RESP) response = tsa_call (&fixture, query, &raw);
        g_autoptr(GBytes) token = NULL;
        g_autoptr(GPtrArray) trusted = g_ptr_array_new ();
        g_autoptr(GPtrArray) signers = NULL;
        TS_TST_INFO *info;
        TS_MSG_IMPRINT *imprint;
        const ASN1_OBJECT *oid = NULL;
        char text[128];
        CMS_ContentInfo *cms;
        const unsigned char *p;

        g_test_message ("%s, certReq %d", hashes[h].oid, cert_req);
        g_assert_cmpint (tsa_status (response, -1), ==, TS_STATUS_GRANTED);
        info = TS_RESP_get_tst_info (response);
        g_assert_nonnull (info);
        g_assert_cmpint (ASN1_INTEGER_cmp (TS_TST_INFO_get_nonce (info),
                                           TS_REQ_get_nonce (request)), ==, 0);
        OBJ_obj2txt (text, sizeof text, TS_TST_INFO_get_policy_id (info), 1);
        g_assert_cmpstr (text, ==, TIRKEU_SANDBOX_TSA_POLICY);
        imprint = TS_TST_INFO_get_msg_imprint (info);
        X509_ALGOR_get0 (&oid, NULL, NULL, TS_MSG_IMPRINT_get_algo (imprint));
        OBJ_obj2txt (text, sizeof text, oid, 1);
        g_assert_cmpstr (text, ==, hashes[h].oid);
        g_assert_cmpmem (ASN1_STRING_get0_data (TS_MSG_IMPRINT_get_msg (imprint)),
                         ASN1_STRING_length (TS_MSG_IMPRINT_get_msg (imprint)),
                         hash, hashes[h].size);

        token = token_of (response);
        p = g_bytes_get_data (token, NULL);
        cms = d2i_CMS_ContentInfo (NULL, &p, (long) g_bytes_get_size (token));
        g_assert_nonnull (cms);
        g_assert_cmpint (OBJ_obj2nid (CMS_get0_eContentType (cms)), ==, NID_id_smime_ct_TSTInfo);
        {
          STACK_OF (X509) *carried = CMS_get1_certs (cms);

          g_assert_cmpint (carried != NULL ? sk_X509_num (carried) : 0, ==, cert_req ? 1 : 0);
          sk_X509_pop_free (carried, X509_free);
        }
        CMS_ContentInfo_free (cms);

        g_ptr_array_add (trusted, tirkeu_sandbox_ca_get_certificate (ca));
        if (!cert_req)
          g_ptr_array_add (trusted,
                           tirkeu_gost_issuer_get_certificate (tirkeu_sandbox_ca_get_tsa (ca)));
        signers = tirkeu_cms_verify (token, NULL, trusted, now, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (signers->len, ==, 1);
        g_assert_true (tirkeu_cms_signer_get_signature_valid (signers->pdata[0]));
        g_assert_true (tirkeu_cms_signer_has_signing_certificate (signers->pdata[0]));
        g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (signers->pdata[0]), ==,
                         TIRKEU_CMS_CERTIFICATE_TRUSTED);
        g_assert_cmpint (tirkeu_cms_signer_get_algorithm (signers->pdata[0]), ==,
                         TIRKEU_KEY_ALGORITHM_GOST_2015_512);

        if (h == 0 && cert_req)
          {
            g_autofree char *reply_path = write_temp (fixture.state_dir, "reply.tsr", raw);
            const char *argv[] = { "openssl", "ts", "-reply", "-in", reply_path, "-text", NULL };
            g_autofree char *printed = run_openssl (argv);

            g_assert_nonnull (strstr (printed, "Status: Granted."));
            g_assert_nonnull (strstr (printed, "Policy OID: " TIRKEU_SANDBOX_TSA_POLICY));
            g_assert_nonnull (strstr (printed, "Nonce: 0x"));
            g_assert_nonnull (strstr (printed, "TSA: DirName:/CN=TIRKEU SANDBOX TSA"));
          }
      }

  /* a changed byte in the token's signature no longer verifies */
  {
    g_autoptr(GBytes) query = tsa_query (OID_STREEBOG512_KZ, hash, 64, NULL, TRUE, NULL);
    g_autoptr(TS_RESP) response = tsa_call (&fixture, query, NULL);
    g_autoptr(GBytes) token = token_of (response);
    gsize len;
    g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (token, &len), g_bytes_get_size (token));
    g_autoptr(GBytes) broken = NULL;
    g_autoptr(GPtrArray) trusted = g_ptr_array_new ();
    g_autoptr(GPtrArray) signers = NULL;

    copy[len - 1] ^= 0x01;        /* the last byte of the SignerInfo's signature */
    broken = g_bytes_new (copy, len);
    g_ptr_array_add (trusted, tirkeu_sandbox_ca_get_certificate (ca));
    signers = tirkeu_cms_verify (broken, NULL, trusted, now, &error);
    g_assert_no_error (error);
    g_assert_false (tirkeu_cms_signer_get_signature_valid (signers->pdata[0]));
  }

  sb_fixture_stop (&fixture);
}

/* Refused with the right failInfo: another hash, an imprint of the wrong size, a foreign
 * policy, what is not a request; the wrong media type is the contract's error. */
static void
test_tsa_rejected (void)
{
  SbFixture fixture = { 0 };
  guint8 hash[64] = { 1, 2, 3 };
  g_autoptr(GBytes) md5 = tsa_query ("1.2.840.113549.2.5", hash, 16, NULL, TRUE, NULL);
  g_autoptr(GBytes) short_imprint = tsa_query (OID_STREEBOG512_KZ, hash, 32, NULL, TRUE, NULL);
  g_autoptr(GBytes) policy = tsa_query ("2.16.840.1.101.3.4.2.1", hash, 32, "1.2.3.4", TRUE, NULL);
  g_autoptr(GBytes) junk = g_bytes_new_static ("0\x03\x02\x01\x05", 5);
  g_autoptr(TS_RESP) rejected_md5 = NULL;
  g_autoptr(TS_RESP) rejected_size = NULL;
  g_autoptr(TS_RESP) rejected_policy = NULL;
  g_autoptr(TS_RESP) rejected_junk = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(Raw) wrong_type = NULL;

  start (&fixture);
  rejected_md5 = tsa_call (&fixture, md5, &raw);
  g_assert_cmpint (tsa_status (rejected_md5, TS_INFO_BAD_ALG), ==, TS_STATUS_REJECTION);
  g_assert_null (TS_RESP_get_token (rejected_md5));
  rejected_size = tsa_call (&fixture, short_imprint, NULL);
  g_assert_cmpint (tsa_status (rejected_size, TS_INFO_BAD_ALG), ==, TS_STATUS_REJECTION);
  rejected_policy = tsa_call (&fixture, policy, NULL);
  g_assert_cmpint (tsa_status (rejected_policy, TS_INFO_UNACCEPTED_POLICY), ==,
                   TS_STATUS_REJECTION);
  rejected_junk = tsa_call (&fixture, junk, NULL);
  g_assert_cmpint (tsa_status (rejected_junk, TS_INFO_BAD_DATA_FORMAT), ==, TS_STATUS_REJECTION);

  {
    g_autofree char *reply_path = write_temp (fixture.state_dir, "rejected.tsr", raw);
    const char *argv[] = { "openssl", "ts", "-reply", "-in", reply_path, "-text", NULL };
    g_autofree char *printed = run_openssl (argv);

    g_assert_nonnull (strstr (printed, "Status: Rejected."));
    g_assert_nonnull (strstr (printed, "unrecognized or unsupported algorithm identifier"));
  }

  wrong_type = call_raw (&fixture, "POST", "/pki/tsa", "application/octet-stream", md5);
  g_assert_cmpuint (wrong_type->status, ==, 400);

  sb_fixture_stop (&fixture);
}

/* --- CAdES-T at the portal --------------------------------------------------------------- */

typedef enum
{
  STAMP_RIGHT,
  STAMP_OTHER_IMPRINT,      /* a token over other bytes */
  STAMP_BROKEN_TOKEN,       /* a token whose own signature fails */
  STAMP_WRONG_HASH,         /* SHA-256 over a GOST signature */
} Stamp;

/* Asks the sandbox's TSA for a token over the first SignerInfo's signature value and adds
 * it as the unsigned attribute id-aa-timeStampToken, as NCA's agent makes CAdES-T. */
static char *
stamp_base64 (SbFixture  *fixture,
              GBytes     *cms_der,
              gboolean    gost,
              Stamp       how)
{
  const unsigned char *p = g_bytes_get_data (cms_der, NULL);
  CMS_ContentInfo *cms = d2i_CMS_ContentInfo (NULL, &p, (long) g_bytes_get_size (cms_der));
  CMS_SignerInfo *info;
  const ASN1_OCTET_STRING *signature;
  guint8 hash[64];
  gsize hash_len;
  const char *oid;
  g_autoptr(GBytes) query = NULL;
  g_autoptr(TS_RESP) response = NULL;
  g_autoptr(GBytes) token = NULL;
  g_autofree guint8 *token_copy = NULL;
  unsigned char *der = NULL;
  int len;
  char *result;

  g_assert_nonnull (cms);
  info = sk_CMS_SignerInfo_value (CMS_get0_SignerInfos (cms), 0);
  signature = CMS_SignerInfo_get0_signature (info);
  if (gost && how != STAMP_WRONG_HASH)
    {
      tirkeu_gost_streebog512 (ASN1_STRING_get0_data (signature), ASN1_STRING_length (signature),
                               hash);
      hash_len = 64;
      oid = OID_STREEBOG512_KZ;
    }
  else
    {
      unsigned int out_len = 0;

      EVP_Digest (ASN1_STRING_get0_data (signature), ASN1_STRING_length (signature), hash,
                  &out_len, EVP_sha256 (), NULL);
      hash_len = out_len;
      oid = "2.16.840.1.101.3.4.2.1";
    }
  if (how == STAMP_OTHER_IMPRINT)
    hash[0] ^= 0x01;

  query = tsa_query (oid, hash, hash_len, TIRKEU_SANDBOX_TSA_POLICY, TRUE, NULL);
  response = tsa_call (fixture, query, NULL);
  g_assert_cmpint (tsa_status (response, -1), ==, TS_STATUS_GRANTED);
  token = token_of (response);
  token_copy = g_memdup2 (g_bytes_get_data (token, NULL), g_bytes_get_size (token));
  if (how == STAMP_BROKEN_TOKEN)
    token_copy[g_bytes_get_size (token) - 1] ^= 0x01;

  g_assert_cmpint (CMS_unsigned_add1_attr_by_NID (info, NID_id_smime_aa_timeStampToken,
                                                  V_ASN1_SEQUENCE, token_copy,
                                                  (int) g_bytes_get_size (token)), ==, 1);
  len = i2d_CMS_ContentInfo (cms, &der);
  g_assert_cmpint (len, >, 0);
  result = g_base64_encode (der, len);
  OPENSSL_free (der);
  CMS_ContentInfo_free (cms);
  return result;
}

static GBytes *
signing_payload (SbFixture  *fixture,
                 const char *token,
                 const char *id)
{
  g_autofree char *path = g_strconcat ("/api/v1/requests/", id, NULL);
  g_autoptr(SbAnswer) got = sb_call (fixture->session, fixture->url, "GET", path, token, NULL,
                                     NULL);
  gsize len;
  guchar *decoded = g_base64_decode (json_object_get_string_member (sb_answer_ok (got, 200),
                                                                    "signing_payload"), &len);

  return g_bytes_new_take (decoded, len);
}

static SbAnswer *
submit_signature (SbFixture  *fixture,
                  const char *token,
                  const char *id,
                  const char *signature_b64)
{
  g_autofree char *path = g_strconcat ("/api/v1/requests/", id, "/signature", NULL);
  g_autofree char *body = g_strdup_printf ("{\"signature\":\"%s\"}", signature_b64);

  return sb_call (fixture->session, fixture->url, "POST", path, token, NULL, body);
}

static GBytes *
gost_cms (TirkeuKeyFile *key_file,
          GBytes        *content)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  GBytes *cms = tirkeu_cms_sign_detached (tirkeu_key_file_get_certificate (key_file), content,
                                          now, key_file_sign_cb, key_file, &error);

  g_assert_no_error (error);
  return cms;
}

/* A GOST key file's CAdES-T signature (Streebog-512 imprint) and an RSA one (SHA-256) are
 * taken with the token verified; a token over other bytes, a token whose signature fails and
 * a GOST signature stamped with SHA-256 are SIGNATURE_INVALID. */
static void
test_cades_t (void)
{
  SbFixture fixture = { 0 };
  g_autofree char *path = NULL;
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(SbAnswer) session = NULL;
  const char *token;
  g_autofree char *rsa_token = NULL;
  static const Stamp bad[] = { STAMP_OTHER_IMPRINT, STAMP_BROKEN_TOKEN, STAMP_WRONG_HASH };

  start (&fixture);
  path = issue_key (fixture.state_dir, "signer", SELLER_BIN);
  key_file = open_key_file (path);
  session = sign_in (&fixture, key_file);
  token = json_object_get_string_member (sb_answer_ok (session, 201), "token");

  {
    /* the refused signatures leave the request waiting for the right one */
    g_autofree char *id = sb_create_request (&fixture, token, VIN_OK, BUYER_IIN, CONTRACT_OK,
                                             "gost");
    g_autoptr(GBytes) payload = signing_payload (&fixture, token, id);
    g_autoptr(GBytes) cms = gost_cms (key_file, payload);
    g_autofree char *stamped = NULL;
    g_autoptr(SbAnswer) taken = NULL;
    g_autoptr(JsonObject) view = NULL;
    JsonObject *check;

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *wrong = stamp_base64 (&fixture, cms, TRUE, bad[i]);
        g_autoptr(SbAnswer) refused = submit_signature (&fixture, token, id, wrong);

        g_test_message ("bad stamp %d", bad[i]);
        sb_answer_error (refused, 422, "SIGNATURE_INVALID");
      }

    stamped = stamp_base64 (&fixture, cms, TRUE, STAMP_RIGHT);
    taken = submit_signature (&fixture, token, id, stamped);
    sb_answer_ok (taken, 200);
    view = admin_request (&fixture, id);
    check = json_object_get_object_member (view, "signature");
    g_assert_true (json_object_get_boolean_member (check, "ess_cert_id_v2"));
    g_assert_cmpstr (json_object_get_string_member (check, "timestamp"), ==, "verified");
  }

  /* RSA on a token (the SoftHSM path): SHA-256 over its signature */
  rsa_token = sb_sign_in (&fixture, "auth");
  {
    g_autofree char *id = sb_create_request (&fixture, rsa_token, VIN_OK_2, BUYER_IIN,
                                             CONTRACT_OK_2, "rsa");
    g_autoptr(GBytes) payload = signing_payload (&fixture, rsa_token, id);
    g_autoptr(GBytes) cms = sb_sign ("sign", payload);
    g_autofree char *stamped = stamp_base64 (&fixture, cms, FALSE, STAMP_RIGHT);
    g_autoptr(SbAnswer) taken = submit_signature (&fixture, rsa_token, id, stamped);
    g_autoptr(JsonObject) view = NULL;

    sb_answer_ok (taken, 200);
    view = admin_request (&fixture, id);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (view,
                                                                                   "signature"),
                                                    "timestamp"), ==, "verified");
  }

  sb_fixture_stop (&fixture);
}

/* --require-timestamp: a request's signature without a token is refused, one with a token
 * taken; sign-in needs none. */
static void
test_require_timestamp (void)
{
  SbFixture fixture = { 0 };
  TirkeuSandboxOptions options;
  g_autofree char *path = NULL;
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(SbAnswer) session = NULL;
  g_autoptr(SbAnswer) refused = NULL;
  g_autoptr(SbAnswer) taken = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *stamped = NULL;
  g_autofree char *id = NULL;
  const char *token;

  sb_options_for_test (&options, NULL);
  options.require_timestamp = TRUE;
  sb_fixture_start (&fixture, &options);
  path = issue_key (fixture.state_dir, "head", SELLER_BIN);
  key_file = open_key_file (path);
  session = sign_in (&fixture, key_file);
  token = json_object_get_string_member (sb_answer_ok (session, 201), "token");
  id = sb_create_request (&fixture, token, VIN_OK, BUYER_IIN, CONTRACT_OK, "k");
  payload = signing_payload (&fixture, token, id);
  cms = gost_cms (key_file, payload);

  plain = g_base64_encode (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
  refused = submit_signature (&fixture, token, id, plain);
  sb_answer_error (refused, 422, "SIGNATURE_INVALID");
  stamped = stamp_base64 (&fixture, cms, TRUE, STAMP_RIGHT);
  taken = submit_signature (&fixture, token, id, stamped);
  sb_answer_ok (taken, 200);

  sb_fixture_stop (&fixture);
}

/* /pki/ca.cer is the CA; /pki/crl is a CRL that Tirkeu's verifier checks with it, listing
 * what was revoked with its reason, and that openssl parses. */
static void
test_ca_and_crl (void)
{
  SbFixture fixture = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuSandboxCa) ca = NULL;
  g_autoptr(Raw) ca_answer = NULL;
  g_autoptr(Raw) empty = NULL;
  g_autoptr(Raw) listed = NULL;
  g_autofree char *path = NULL;
  g_autofree char *serial = NULL;
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  X509_CRL *crl;
  X509_REVOKED *entry = NULL;
  const unsigned char *p;

  start (&fixture);
  ca = tirkeu_sandbox_ca_open (fixture.state_dir, &error);
  g_assert_no_error (error);
  ca_answer = call_raw (&fixture, "GET", "/pki/ca.cer", NULL, NULL);
  g_assert_cmpuint (ca_answer->status, ==, 200);
  g_assert_cmpstr (ca_answer->content_type, ==, "application/pkix-cert");
  g_assert_true (g_bytes_equal (ca_answer->body, tirkeu_sandbox_ca_get_certificate_der (ca)));

  empty = call_raw (&fixture, "GET", "/pki/crl", NULL, NULL);
  g_assert_cmpuint (empty->status, ==, 200);
  g_assert_cmpstr (empty->content_type, ==, "application/pkix-crl");
  p = g_bytes_get_data (empty->body, NULL);
  crl = d2i_X509_CRL (NULL, &p, (long) g_bytes_get_size (empty->body));
  g_assert_nonnull (crl);
  g_assert_true (tirkeu_gost_verify_crl (crl, tirkeu_sandbox_ca_get_certificate (ca), &error));
  g_assert_no_error (error);
  g_assert_cmpint (sk_X509_REVOKED_num (X509_CRL_get_REVOKED (crl)), <=, 0);
  X509_CRL_free (crl);

  path = issue_key (fixture.state_dir, "head", SELLER_BIN);
  key_file = open_key_file (path);
  serial = serial_hex (tirkeu_key_file_get_certificate (key_file));
  {
    const char *args[] = { "pki", "revoke", serial, "--state-dir", fixture.state_dir,
                           "--reason", "cessationOfOperation", NULL };

    g_assert_cmpint (run_program (args, NULL, NULL), ==, 0);
  }
  listed = call_raw (&fixture, "GET", "/pki/crl", NULL, NULL);
  p = g_bytes_get_data (listed->body, NULL);
  crl = d2i_X509_CRL (NULL, &p, (long) g_bytes_get_size (listed->body));
  g_assert_nonnull (crl);
  g_assert_true (tirkeu_gost_verify_crl (crl, tirkeu_sandbox_ca_get_certificate (ca), &error));
  g_assert_no_error (error);
  g_assert_cmpint (X509_CRL_get0_by_cert (crl, &entry, tirkeu_key_file_get_certificate (key_file)),
                   ==, 1);
  {
    ASN1_ENUMERATED *reason = X509_REVOKED_get_ext_d2i (entry, NID_crl_reason, NULL, NULL);

    g_assert_nonnull (reason);
    g_assert_cmpint (ASN1_ENUMERATED_get (reason), ==, 5);
    ASN1_ENUMERATED_free (reason);
  }
  /* signed by the CA's key, not any other: a changed signature byte fails */
  {
    gsize len = g_bytes_get_size (listed->body);
    g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (listed->body, NULL), len);
    const unsigned char *q = copy;
    X509_CRL *broken;

    copy[len - 5] ^= 0x01;
    broken = d2i_X509_CRL (NULL, &q, (long) len);
    g_assert_nonnull (broken);
    g_assert_false (tirkeu_gost_verify_crl (broken, tirkeu_sandbox_ca_get_certificate (ca), NULL));
    X509_CRL_free (broken);
  }
  X509_CRL_free (crl);

  {
    g_autofree char *crl_path = write_temp (fixture.state_dir, "sandbox.crl", listed->body);
    const char *argv[] = { "openssl", "crl", "-inform", "DER", "-in", crl_path, "-noout",
                           "-text", NULL };
    g_autofree char *printed = run_openssl (argv);

    g_assert_nonnull (strstr (printed, "Version 2"));
    g_assert_nonnull (strstr (printed, serial));
    g_assert_nonnull (strstr (printed, "Cessation Of Operation"));
    g_assert_nonnull (strstr (printed, "X509v3 CRL Number"));
  }

  sb_fixture_stop (&fixture);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("G_TLS_GNUTLS_PRIORITY", TIRKEU_SANDBOX_TLS_PRIORITY, TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sandbox-pki/ca/kept", test_ca_kept);
  g_test_add_func ("/sandbox-pki/issue-key/roles", test_issue_key_roles);
  g_test_add_func ("/sandbox-pki/issue-key/individual", test_issue_key_individual);
  g_test_add_func ("/sandbox-pki/issue-key/bad-arguments", test_issue_key_bad_arguments);
  g_test_add_func ("/sandbox-pki/sign/key-file", test_key_file_signs);
  g_test_add_func ("/sandbox-pki/sign/employee", test_employee_may_not_sign);
  g_test_add_func ("/sandbox-pki/revoke/running", test_revoke_running);
  g_test_add_func ("/sandbox-pki/revoke/offline", test_revoke_offline);
  g_test_add_func ("/sandbox-pki/ocsp/answers", test_ocsp);
  g_test_add_func ("/sandbox-pki/ocsp/malformed", test_ocsp_malformed);
  g_test_add_func ("/sandbox-pki/tsa/granted", test_tsa_granted);
  g_test_add_func ("/sandbox-pki/tsa/rejected", test_tsa_rejected);
  g_test_add_func ("/sandbox-pki/sign/cades-t", test_cades_t);
  g_test_add_func ("/sandbox-pki/sign/require-timestamp", test_require_timestamp);
  g_test_add_func ("/sandbox-pki/crl", test_ca_and_crl);

  return g_test_run ();
}
