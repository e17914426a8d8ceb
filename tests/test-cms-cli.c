/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `tirkeu-cli verify`, the built binary as a user runs it: a CAdES signature made with NCA's
 * own test key file, checked against NCA's test CA at a time inside the certificates'
 * validity; its JSON keys and exit status for each outcome. */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <openssl/cms.h>
#include <string.h>

#include "tirkeu-cms.h"
#include "tirkeu-key-file.h"

#define CONTENT "{\"request\":\"registration\",\"vin\":\"XTA210990Y2765432\"}"

typedef struct
{
  char *out;
  char *err;
  int status;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "nca-test-pki", name, NULL);
}

static char *
scratch_path (const char *name)
{
  g_assert_cmpint (g_mkdir_with_parents (g_get_home_dir (), 0700), ==, 0);
  return g_build_filename (g_get_home_dir (), name, NULL);
}

/* Runs tirkeu-cli with the NULL-terminated arguments. */
static void
run_cli (Run        *run,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *build_root = g_getenv ("TIRKEU_BUILD_ROOT");
  va_list args;
  int wait_status = 0;

  g_assert_nonnull (build_root);
  g_ptr_array_add (argv, g_build_filename (build_root, "src", "cli", "tirkeu-cli", NULL));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &run->out,
                &run->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  run->status = WEXITSTATUS (wait_status);
}

static GBytes *
key_file_sign_cb (GBytes    *attributes,
                  gpointer   user_data,
                  GError   **error)
{
  return tirkeu_key_file_sign (user_data, attributes, error);
}

/* Signs CONTENT with NCA's test key file on 2022-09-01 and writes the CMS and the data. */
static void
write_signature (const char *cms_path,
                 const char *data_path)
{
  g_autofree char *p12_path = fixture_path ("individual-gost2015.p12");
  g_autoptr(GFile) p12 = g_file_new_for_path (p12_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuKeyFile) key_file = tirkeu_key_file_new_from_file (p12, "Aa123456", NULL,
                                                                     &error);
  g_autoptr(GBytes) content = g_bytes_new_static (CONTENT, strlen (CONTENT));
  g_autoptr(GDateTime) when = g_date_time_new_utc (2022, 9, 1, 10, 30, 0);
  g_autoptr(GBytes) cms = NULL;

  g_assert_no_error (error);
  cms = tirkeu_cms_sign_detached (tirkeu_key_file_get_certificate (key_file), content, when,
                                  key_file_sign_cb, key_file, &error);
  g_assert_no_error (error);

  g_file_set_contents (cms_path, g_bytes_get_data (cms, NULL), g_bytes_get_size (cms), &error);
  g_assert_no_error (error);
  g_file_set_contents (data_path, CONTENT, -1, &error);
  g_assert_no_error (error);
}

static JsonObject *
only_signer (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *signers;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  signers = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "signers");
  g_assert_cmpuint (json_array_get_length (signers), ==, 1);
  return json_object_ref (json_array_get_object_element (signers, 0));
}

static void
test_verify_json (void)
{
  g_autofree char *cms = scratch_path ("request.json.cms");
  g_autofree char *data = scratch_path ("request.json");
  g_autofree char *ca = fixture_path ("nca-gost2022-test.cer");
  g_auto(Run) run = { 0 };
  g_autoptr(JsonObject) signer = NULL;

  write_signature (cms, data);
  run_cli (&run, "--json", "verify", "--trust", ca, "--at", "2022-09-01", cms, data, NULL);
  g_assert_cmpint (run.status, ==, 0);

  signer = only_signer (run.out);
  g_assert_cmpstr (json_object_get_string_member (signer, "subject"), ==, "ТЕСТТОВ ТЕСТТ");
  g_assert_cmpstr (json_object_get_string_member (signer, "iin_masked"), ==, "123456******");
  g_assert_true (json_object_get_null_member (signer, "bin"));
  g_assert_cmpstr (json_object_get_string_member (signer, "role"), ==, "individual");
  g_assert_cmpstr (json_object_get_string_member (signer, "algorithm"), ==, "GOST 2015-512");
  g_assert_cmpstr (json_object_get_string_member (signer, "signing_time"), ==,
                   "2022-09-01T10:30:00Z");
  g_assert_cmpstr (json_object_get_string_member (signer, "signature"), ==, "valid");
  g_assert_cmpstr (json_object_get_string_member (signer, "certificate"), ==, "trusted");
  /* the full IIN appears nowhere */
  g_assert_null (strstr (run.out, "123456789012"));
}

static void
test_verify_outcomes (void)
{
  g_autofree char *cms = scratch_path ("request.json.cms");
  g_autofree char *data = scratch_path ("request.json");
  g_autofree char *other = scratch_path ("other.json");
  g_autofree char *ca = fixture_path ("nca-gost2022-test.cer");
  g_autofree char *crl = fixture_path ("nca-gost2022-test.crl");
  g_autoptr(GError) error = NULL;

  write_signature (cms, data);
  g_file_set_contents (other, CONTENT " ", -1, &error);
  g_assert_no_error (error);

  {
    g_auto(Run) run = { 0 };
    g_autoptr(JsonObject) signer = NULL;

    run_cli (&run, "--json", "verify", "--trust", ca, "--at", "2022-09-01T12:00:00Z", cms,
             other, NULL);
    g_assert_cmpint (run.status, ==, 1);
    signer = only_signer (run.out);
    g_assert_cmpstr (json_object_get_string_member (signer, "signature"), ==, "invalid");
  }
  {
    g_auto(Run) run = { 0 };
    g_autoptr(JsonObject) signer = NULL;

    run_cli (&run, "verify", "--json", "--trust", ca, cms, data, NULL);  /* now: expired */
    g_assert_cmpint (run.status, ==, 1);
    signer = only_signer (run.out);
    g_assert_cmpstr (json_object_get_string_member (signer, "signature"), ==, "valid");
    g_assert_cmpstr (json_object_get_string_member (signer, "certificate"), ==, "expired");
  }
  {
    g_auto(Run) run = { 0 };
    g_autoptr(JsonObject) signer = NULL;

    run_cli (&run, "--json", "verify", "--at", "2022-09-01", cms, data, NULL);
    g_assert_cmpint (run.status, ==, 1);
    signer = only_signer (run.out);
    g_assert_cmpstr (json_object_get_string_member (signer, "certificate"), ==, "untrusted");
  }
  {
    g_auto(Run) run = { 0 };
    g_autoptr(JsonObject) signer = NULL;

    run_cli (&run, "--json", "verify", "--trust", ca, "--at", "2022-07-01", cms, data, NULL);
    g_assert_cmpint (run.status, ==, 1);
    signer = only_signer (run.out);
    g_assert_cmpstr (json_object_get_string_member (signer, "certificate"), ==,
                     "not-yet-valid");
  }
  {
    /* a CRL is no signature */
    g_auto(Run) run = { 0 };

    run_cli (&run, "verify", "--trust", ca, crl, data, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "not a CMS signature"));
  }
  {
    /* detached, without the data */
    g_auto(Run) run = { 0 };

    run_cli (&run, "verify", "--trust", ca, cms, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "give the signed file"));
  }
}

/* The same signature with the document inside, as NCA's agent makes an attached one: no
 * DATA argument. */
static void
test_verify_attached (void)
{
  g_autofree char *cms_path = scratch_path ("request.json.cms");
  g_autofree char *data_path = scratch_path ("request.json");
  g_autofree char *attached_path = scratch_path ("attached.cms");
  g_autofree char *ca = fixture_path ("nca-gost2022-test.cer");
  g_autofree char *detached = NULL;
  gsize detached_len = 0;
  const unsigned char *p;
  CMS_ContentInfo *cms;
  ASN1_OCTET_STRING **content;
  unsigned char *der = NULL;
  int der_len;
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };
  g_autoptr(JsonObject) signer = NULL;

  write_signature (cms_path, data_path);
  g_file_get_contents (cms_path, &detached, &detached_len, &error);
  g_assert_no_error (error);
  p = (const unsigned char *) detached;
  cms = d2i_CMS_ContentInfo (NULL, &p, (long) detached_len);
  g_assert_nonnull (cms);
  content = CMS_get0_content (cms);
  g_assert_nonnull (content);
  *content = ASN1_OCTET_STRING_new ();
  ASN1_OCTET_STRING_set (*content, (const unsigned char *) CONTENT, strlen (CONTENT));
  der_len = i2d_CMS_ContentInfo (cms, &der);
  g_file_set_contents (attached_path, (const char *) der, der_len, &error);
  g_assert_no_error (error);
  OPENSSL_free (der);
  CMS_ContentInfo_free (cms);

  run_cli (&run, "--json", "verify", "--trust", ca, "--at", "2022-09-01", attached_path, NULL);
  g_assert_cmpint (run.status, ==, 0);
  signer = only_signer (run.out);
  g_assert_cmpstr (json_object_get_string_member (signer, "signature"), ==, "valid");
  g_assert_cmpstr (json_object_get_string_member (signer, "certificate"), ==, "trusted");
}

static void
test_verify_usage (void)
{
  g_autofree char *cms = scratch_path ("request.json.cms");
  g_autofree char *data = scratch_path ("request.json");
  g_autofree char *ca = fixture_path ("nca-gost2022-test.cer");

  write_signature (cms, data);
  {
    g_auto(Run) run = { 0 };

    run_cli (&run, "verify", NULL);
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(Run) run = { 0 };

    run_cli (&run, "verify", "--at", "yesterday", cms, data, NULL);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "is not a time"));
  }
  {
    /* --trust with a file that holds no certificate */
    g_auto(Run) run = { 0 };

    run_cli (&run, "verify", "--trust", data, cms, data, NULL);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "holds no certificate"));
  }
}

static void
test_verify_text (void)
{
  g_autofree char *cms = scratch_path ("request.json.cms");
  g_autofree char *data = scratch_path ("request.json");
  g_autofree char *ca = fixture_path ("nca-gost2022-test.cer");
  g_autofree char *ca_pem = scratch_path ("ca.pem");
  g_autofree char *ca_der = NULL;
  g_autofree char *pem = NULL;
  gsize ca_len = 0;
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };

  write_signature (cms, data);

  /* the CA as PEM this time */
  g_file_get_contents (ca, &ca_der, &ca_len, &error);
  g_assert_no_error (error);
  {
    g_autofree char *base64 = g_base64_encode ((const guchar *) ca_der, ca_len);
    g_autoptr(GString) wrapped = g_string_new ("-----BEGIN CERTIFICATE-----\n");

    for (gsize i = 0; i < strlen (base64); i += 64)
      {
        g_string_append_len (wrapped, base64 + i, MIN (64, strlen (base64) - i));
        g_string_append_c (wrapped, '\n');
      }
    g_string_append (wrapped, "-----END CERTIFICATE-----\n");
    pem = g_string_free (g_steal_pointer (&wrapped), FALSE);
  }
  g_file_set_contents (ca_pem, pem, -1, &error);
  g_assert_no_error (error);

  /* Signed 10:30 UTC: shown as written in Kazakhstan, in local (Astana) time */
  g_setenv ("TZ", "<+05>-5", TRUE);
  run_cli (&run, "verify", "--trust", ca_pem, "--at", "2022-09-01", cms, data, NULL);
  g_unsetenv ("TZ");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Signed at: 01.09.2022 15:30"));
  g_assert_null (strstr (run.out, "2022-09-01"));
  g_assert_nonnull (strstr (run.out, "Signer 1: ТЕСТТОВ ТЕСТТ"));
  g_assert_nonnull (strstr (run.out, "IIN: 123456******"));
  g_assert_nonnull (strstr (run.out, "Algorithm: GOST 2015-512"));
  g_assert_nonnull (strstr (run.out, "Signature: valid"));
  g_assert_nonnull (strstr (run.out, "Certificate: trusted"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cms-cli/verify/json", test_verify_json);
  g_test_add_func ("/cms-cli/verify/outcomes", test_verify_outcomes);
  g_test_add_func ("/cms-cli/verify/attached", test_verify_attached);
  g_test_add_func ("/cms-cli/verify/usage", test_verify_usage);
  g_test_add_func ("/cms-cli/verify/text", test_verify_text);

  return g_test_run ();
}
