/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GOST test CA (tirkeu-gost-issuer.c): a root of its own issues a legal entity's
 * certificate in NCA's layout and an NCA-format key file; the key file opens, its
 * certificate decodes and verifies, `openssl` reads both, and a CMS signed with the key
 * verifies with tirkeu_cms_verify and the built `tirkeu-cli verify`. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <openssl/cms.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>
#include <openssl/x509.h>
#include <string.h>

#include "tirkeu-certificate.h"
#include "tirkeu-cms.h"
#include "tirkeu-gost-issuer.h"
#include "tirkeu-gost.h"
#include "tirkeu-key-file.h"
#include "tirkeu-token-error.h"

#define PASSWORD "Tirkeu2026"
#define SELLER_BIN "940140000385"
#define HEAD_IIN "850304300128"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)

static const TirkeuGostSubject head = {
  .surname = "БЕКОВ",
  .given_name = "АРМАН",
  .patronymic = "СЕРИКОВИЧ",
  .iin = HEAD_IIN,
  .bin = SELLER_BIN,
  .organisation = "ТОО «ТЕСТ АВТО»",
  .role = TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD,
};

typedef struct
{
  TirkeuGostIssuer *issuer;
  GBytes *p12;
  TirkeuKeyFile *key_file;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) start = g_date_time_add_days (now, -1);
  g_autoptr(GDateTime) ca_end = g_date_time_add_years (now, 5);
  g_autoptr(GDateTime) end = g_date_time_add_years (now, 1);
  g_autoptr(GError) error = NULL;

  fixture->issuer = tirkeu_gost_issuer_new ("TIRKEU TEST GOST CA", start, ca_end, &error);
  g_assert_no_error (error);
  fixture->p12 = tirkeu_gost_issuer_issue_key_file (fixture->issuer, &head, start, end,
                                                    PASSWORD, &error);
  g_assert_no_error (error);
  fixture->key_file = tirkeu_key_file_new_from_bytes (fixture->p12, PASSWORD, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->key_file);
  g_clear_pointer (&fixture->p12, g_bytes_unref);
  g_assert_finalize_object (g_steal_pointer (&fixture->issuer));
}

static char *
scratch_path (const char *name)
{
  g_assert_cmpint (g_mkdir_with_parents (g_get_home_dir (), 0700), ==, 0);
  return g_build_filename (g_get_home_dir (), name, NULL);
}

static void
write_x509 (const char *path,
            X509       *certificate)
{
  unsigned char *der = NULL;
  int len = i2d_X509 (certificate, &der);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (len, >, 0);
  g_file_set_contents (path, (const char *) der, len, &error);
  g_assert_no_error (error);
  OPENSSL_free (der);
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
    g_error ("%s failed: %s", argv[1], err);
  return out;
}

static void
test_ca (Fixture       *fixture,
         gconstpointer  data)
{
  X509 *ca = tirkeu_gost_issuer_get_certificate (fixture->issuer);
  g_autoptr(GError) error = NULL;

  g_assert_true (tirkeu_gost_is_2015_512_certificate (ca));
  g_assert_true (tirkeu_gost_verify_certificate (ca, ca, &error));
  g_assert_no_error (error);
  g_assert_cmpint (X509_check_ca (ca), >=, 1);
}

static void
test_certificate (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuCertificate) certificate = NULL;

  g_assert_cmpint (tirkeu_key_file_get_algorithm (fixture->key_file), ==,
                   TIRKEU_KEY_ALGORITHM_GOST_2015_512);
  certificate = tirkeu_certificate_new_from_der (
      tirkeu_key_file_get_certificate_der (fixture->key_file), &error);
  g_assert_no_error (error);

  g_assert_cmpstr (tirkeu_certificate_get_owner_name (certificate), ==, "БЕКОВ АРМАН");
  g_assert_cmpstr (tirkeu_certificate_get_iin (certificate), ==, HEAD_IIN);
  g_assert_cmpstr (tirkeu_certificate_get_bin (certificate), ==, SELLER_BIN);
  g_assert_cmpstr (tirkeu_certificate_get_organisation (certificate), ==, "ТОО «ТЕСТ АВТО»");
  g_assert_cmpstr (tirkeu_certificate_get_issuer (certificate), ==, "TIRKEU TEST GOST CA");
  g_assert_cmpint (tirkeu_certificate_get_role (certificate), ==,
                   TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD);
  g_assert_cmpint (tirkeu_certificate_get_key_algorithm (certificate), ==,
                   TIRKEU_KEY_ALGORITHM_GOST_2015_512);
  g_assert_true (tirkeu_certificate_is_one_key (certificate));

  /* one key: a request of the seller's BIN, and sign-in */
  g_assert_true (tirkeu_certificate_check_purpose (certificate, TIRKEU_SIGN_PURPOSE_REQUEST,
                                                   SELLER_BIN, now, &error));
  g_assert_no_error (error);
  g_assert_true (tirkeu_certificate_check_purpose (certificate, TIRKEU_SIGN_PURPOSE_SIGN_IN,
                                                   NULL, now, &error));
  g_assert_no_error (error);
  g_assert_false (tirkeu_certificate_check_purpose (certificate, TIRKEU_SIGN_PURPOSE_REQUEST,
                                                    "990140004654", now, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NOT_SELLER_BIN);
}

static void
test_certificate_signature (Fixture       *fixture,
                            gconstpointer  data)
{
  GBytes *der = tirkeu_key_file_get_certificate_der (fixture->key_file);
  X509 *ca = tirkeu_gost_issuer_get_certificate (fixture->issuer);
  gsize len;

  g_assert_true (tirkeu_gost_verify_certificate (tirkeu_key_file_get_certificate (fixture->key_file),
                                                 ca, NULL));
  /* not by its own key */
  g_assert_false (tirkeu_gost_verify_certificate (tirkeu_key_file_get_certificate (fixture->key_file),
                                                  tirkeu_key_file_get_certificate (fixture->key_file),
                                                  NULL));

  for (int mutation = 0; mutation < 2; mutation++)
    {
      g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (der, &len), g_bytes_get_size (der));
      const unsigned char *p = copy;
      guint8 *signature = copy + len - 128;
      X509 *changed;

      if (mutation == 0)
        signature[64] ^= 0x01;
      else
        for (int i = 0; i < 64; i++)
          {
            guint8 byte = signature[i];
            signature[i] = signature[127 - i];
            signature[127 - i] = byte;
          }
      changed = d2i_X509 (NULL, &p, (long) len);
      g_assert_nonnull (changed);
      g_assert_false (tirkeu_gost_verify_certificate (changed, ca, NULL));
      X509_free (changed);
    }
}

/* openssl reads what we wrote: the certificate's fields, and the key file's NCA layout. */
static void
test_openssl_reads (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *certificate_path = scratch_path ("head.cer");
  g_autofree char *p12_path = scratch_path ("GOST512_test.p12");
  g_autofree char *subject = NULL;
  g_autofree char *info = NULL;
  g_autoptr(GError) error = NULL;

  write_x509 (certificate_path, tirkeu_key_file_get_certificate (fixture->key_file));
  {
    const char *argv[] = { "openssl", "x509", "-inform", "DER", "-in", certificate_path,
                           "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb",
                           "-ext", "keyUsage,extendedKeyUsage,certificatePolicies", NULL };

    subject = run_openssl (argv);
  }
  g_assert_nonnull (strstr (subject, "serialNumber=IIN" HEAD_IIN));
  g_assert_nonnull (strstr (subject, "OU=BIN" SELLER_BIN));
  g_assert_nonnull (strstr (subject, "C=KZ"));
  g_assert_nonnull (strstr (subject, "Digital Signature, Non Repudiation, Key Encipherment"));
  g_assert_nonnull (strstr (subject, "E-mail Protection, 1.2.398.3.3.4.1.2, 1.2.398.3.3.4.1.2.1"));
  g_assert_nonnull (strstr (subject, "Policy: 1.2.398.3.3.2"));

  g_file_set_contents (p12_path, g_bytes_get_data (fixture->p12, NULL),
                       g_bytes_get_size (fixture->p12), &error);
  g_assert_no_error (error);
  {
    const char *argv[] = { "openssl", "pkcs12", "-in", p12_path, "-info", "-noout",
                           "-legacy", "-passin", "pass:" PASSWORD, NULL };

    g_autofree char *err = NULL;
    int status = 0;

    /* -info writes to stderr */
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    info = g_steal_pointer (&err);
  }
  g_assert_nonnull (strstr (info, "MAC: sha1"));
  g_assert_nonnull (strstr (info, "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 1024"));
  g_assert_nonnull (strstr (info, "PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC, Iteration 1024"));
}

static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuKeyFile) key_file = tirkeu_key_file_new_from_bytes (fixture->p12, "tirkeu2026",
                                                                      &error);

  g_assert_null (key_file);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD);
}

static GBytes *
key_file_sign_cb (GBytes    *attributes,
                  gpointer   user_data,
                  GError   **error)
{
  return tirkeu_key_file_sign (user_data, attributes, error);
}

static void
test_cms (Fixture       *fixture,
          gconstpointer  data)
{
  static const char content[] = "{\"request\":\"R-1\"}";
  g_autoptr(GBytes) bytes = g_bytes_new_static (content, strlen (content));
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GPtrArray) trusted = g_ptr_array_new ();
  g_autoptr(GPtrArray) signers = NULL;
  TirkeuCmsSigner *signer;
  g_autofree char *cms_path = scratch_path ("request.cms");
  g_autofree char *data_path = scratch_path ("request.json");
  g_autofree char *ca_path = scratch_path ("ca.cer");
  g_autofree char *cli = NULL;
  g_autofree char *out = NULL;
  int status = 0;

  cms = tirkeu_cms_sign_detached (tirkeu_key_file_get_certificate (fixture->key_file), bytes,
                                  now, key_file_sign_cb, fixture->key_file, &error);
  g_assert_no_error (error);

  g_ptr_array_add (trusted, tirkeu_gost_issuer_get_certificate (fixture->issuer));
  signers = tirkeu_cms_verify (cms, bytes, trusted, now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (signers->len, ==, 1);
  signer = signers->pdata[0];
  g_assert_true (tirkeu_cms_signer_get_signature_valid (signer));
  g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (signer), ==,
                   TIRKEU_CMS_CERTIFICATE_TRUSTED);
  g_assert_cmpstr (tirkeu_cms_signer_get_bin (signer), ==, SELLER_BIN);
  g_assert_cmpstr (tirkeu_cms_signer_get_iin_masked (signer), ==, "850304******");

  /* the built CLI, trusting this CA */
  g_file_set_contents (cms_path, g_bytes_get_data (cms, NULL), g_bytes_get_size (cms), &error);
  g_assert_no_error (error);
  g_file_set_contents (data_path, content, -1, &error);
  g_assert_no_error (error);
  write_x509 (ca_path, tirkeu_gost_issuer_get_certificate (fixture->issuer));
  cli = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "src", "cli", "tirkeu-cli", NULL);
  {
    const char *argv[] = { cli, "--json", "verify", "--trust", ca_path, cms_path, data_path,
                           NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                  &status, &error);
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "\"signature\" : \"valid\""));
  g_assert_nonnull (strstr (out, "\"certificate\" : \"trusted\""));
  g_assert_nonnull (strstr (out, "\"role\" : \"first-head\""));
}

/* Kept on disk and read back: the same certificate, a key that still signs what the
 * certificate verifies; the key file is its owner's only; a key of another issuer is
 * refused. */
static void
test_save_load (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *certificate_path = scratch_path ("ca.cer");
  g_autofree char *key_path = scratch_path ("ca-key.p8");
  g_autofree char *other_certificate = scratch_path ("other.cer");
  g_autofree char *other_key = scratch_path ("other-key.p8");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) end = g_date_time_add_years (now, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuGostIssuer) loaded = NULL;
  g_autoptr(TirkeuGostIssuer) other = NULL;
  g_autoptr(X509) issued = NULL;
  guint8 public_key[TIRKEU_GOST_PUBLIC_KEY_SIZE];
  guint8 private_key[TIRKEU_GOST_PRIVATE_KEY_SIZE];
  GStatBuf st;

  g_assert_true (tirkeu_gost_issuer_save (fixture->issuer, certificate_path, key_path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (key_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  loaded = tirkeu_gost_issuer_load (certificate_path, key_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (X509_cmp (tirkeu_gost_issuer_get_certificate (loaded),
                             tirkeu_gost_issuer_get_certificate (fixture->issuer)), ==, 0);

  /* the loaded key issues what the saved certificate verifies */
  g_assert_true (tirkeu_gost_generate_private_key (private_key, NULL));
  g_assert_true (tirkeu_gost_public_key_from_private (private_key, public_key, NULL));
  issued = tirkeu_gost_issuer_issue (loaded, &head, public_key, now, end, &error);
  g_assert_no_error (error);
  g_assert_true (tirkeu_gost_verify_certificate (
    issued, tirkeu_gost_issuer_get_certificate (fixture->issuer), NULL));

  /* a certificate with another CA's key is refused */
  other = tirkeu_gost_issuer_new ("OTHER", now, end, &error);
  g_assert_no_error (error);
  g_assert_true (tirkeu_gost_issuer_save (other, other_certificate, other_key, &error));
  g_assert_no_error (error);
  g_assert_null (tirkeu_gost_issuer_load (certificate_path, other_key, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE);
  g_clear_error (&error);
  g_assert_null (tirkeu_gost_issuer_load (key_path, key_path, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE);
}

/* A delegate (the TSA) has its own key, a certificate from the CA with the one critical
 * EKU, and may sign (digitalSignature). */
static void
test_delegate (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) end = g_date_time_add_years (now, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuGostIssuer) tsa = NULL;
  X509 *certificate;
  X509 *ca = tirkeu_gost_issuer_get_certificate (fixture->issuer);
  int critical = -1;
  EXTENDED_KEY_USAGE *usage;

  tsa = tirkeu_gost_issuer_new_delegate (fixture->issuer, "TIRKEU TEST TSA", "timeStamping",
                                         now, end, &error);
  g_assert_no_error (error);
  certificate = tirkeu_gost_issuer_get_certificate (tsa);
  g_assert_true (tirkeu_gost_verify_certificate (certificate, ca, NULL));
  g_assert_false (tirkeu_gost_verify_certificate (certificate, certificate, NULL));
  g_assert_cmpint (X509_check_ca (certificate), ==, 0);
  g_assert_true (X509_get_key_usage (certificate) & KU_DIGITAL_SIGNATURE);
  usage = X509_get_ext_d2i (certificate, NID_ext_key_usage, &critical, NULL);
  g_assert_nonnull (usage);
  g_assert_cmpint (critical, ==, 1);
  g_assert_cmpint (sk_ASN1_OBJECT_num (usage), ==, 1);
  g_assert_cmpint (OBJ_obj2nid (sk_ASN1_OBJECT_value (usage, 0)), ==, NID_time_stamp);
  EXTENDED_KEY_USAGE_free (usage);
}

/* A CRL as NCA signs its own: both signature algorithm fields GOST (OpenSSL 3.0 has no
 * setter for the inner one), verified by Tirkeu's verifier with the CA and not with
 * another key, each entry with its reason; a serial that is not hexadecimal is refused. */
static void
test_crl (Fixture       *fixture,
          gconstpointer  data)
{
  const TirkeuGostRevocation revocations[] = {
    { "1A2B3C", 1796300000, 1 },
    { "0F", 1796300100, -1 },
  };
  const TirkeuGostRevocation bad[] = { { "not hex", 0, -1 } };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) next = g_date_time_add_days (now, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autofree char *crl_path = scratch_path ("test.crl");
  g_autofree char *text = NULL;
  const unsigned char *p;
  X509_CRL *crl;
  X509_REVOKED *entry = NULL;
  ASN1_INTEGER *serial;
  const char *first, *second;

  der = tirkeu_gost_issuer_sign_crl (fixture->issuer, revocations, G_N_ELEMENTS (revocations),
                                     42, now, next, &error);
  g_assert_no_error (error);
  p = g_bytes_get_data (der, NULL);
  crl = d2i_X509_CRL (NULL, &p, (long) g_bytes_get_size (der));
  g_assert_nonnull (crl);
  g_assert_true (tirkeu_gost_verify_crl (crl, tirkeu_gost_issuer_get_certificate (fixture->issuer),
                                         &error));
  g_assert_no_error (error);
  g_assert_false (tirkeu_gost_verify_crl (crl, tirkeu_key_file_get_certificate (fixture->key_file),
                                          NULL));
  serial = ASN1_INTEGER_new ();
  ASN1_INTEGER_set (serial, 0x1A2B3C);
  g_assert_cmpint (X509_CRL_get0_by_serial (crl, &entry, serial), ==, 1);
  ASN1_INTEGER_set (serial, 0x0F);
  g_assert_cmpint (X509_CRL_get0_by_serial (crl, &entry, serial), ==, 1);
  ASN1_INTEGER_free (serial);
  X509_CRL_free (crl);

  g_file_set_contents (crl_path, g_bytes_get_data (der, NULL), g_bytes_get_size (der), &error);
  g_assert_no_error (error);
  {
    const char *argv[] = { "openssl", "crl", "-inform", "DER", "-in", crl_path, "-noout", "-text",
                           NULL };

    text = run_openssl (argv);
  }
  first = strstr (text, "Signature Algorithm: 1.2.398.3.10.1.1.2.3.2");
  g_assert_nonnull (first);
  second = strstr (first + 1, "Signature Algorithm: 1.2.398.3.10.1.1.2.3.2");
  g_assert_nonnull (second);
  g_assert_nonnull (strstr (text, "X509v3 CRL Number: \n                42"));
  g_assert_nonnull (strstr (text, "Key Compromise"));

  g_assert_null (tirkeu_gost_issuer_sign_crl (fixture->issuer, bad, 1, 43, now, next, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_SIGNING_FAILED);
}

/* The issuer's own OCSP answer: good for its certificate, verified by Tirkeu's verifier; an
 * empty request is malformedRequest, unsigned. */
static void
test_ocsp (Fixture       *fixture,
           gconstpointer  data)
{
  X509 *ca = tirkeu_gost_issuer_get_certificate (fixture->issuer);
  X509 *certificate = tirkeu_key_file_get_certificate (fixture->key_file);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GBytes) empty_der = NULL;
  OCSP_REQUEST *request = OCSP_REQUEST_new ();
  OCSP_REQUEST *empty = OCSP_REQUEST_new ();
  OCSP_CERTID *id = OCSP_cert_to_id (EVP_sha1 (), certificate, ca);
  OCSP_RESPONSE *response;
  OCSP_BASICRESP *basic;
  const unsigned char *p;
  int status = -1;

  g_assert_nonnull (OCSP_request_add0_id (request, OCSP_CERTID_dup (id)));
  der = tirkeu_gost_issuer_answer_ocsp (fixture->issuer, request, NULL, 0, now, &error);
  g_assert_no_error (error);
  p = g_bytes_get_data (der, NULL);
  response = d2i_OCSP_RESPONSE (NULL, &p, (long) g_bytes_get_size (der));
  g_assert_cmpint (OCSP_response_status (response), ==, OCSP_RESPONSE_STATUS_SUCCESSFUL);
  basic = OCSP_response_get1_basic (response);
  g_assert_true (tirkeu_gost_verify_ocsp_response (basic, ca, &error));
  g_assert_no_error (error);
  g_assert_false (tirkeu_gost_verify_ocsp_response (basic, certificate, NULL));
  g_assert_cmpint (OCSP_resp_find_status (basic, id, &status, NULL, NULL, NULL, NULL), ==, 1);
  g_assert_cmpint (status, ==, V_OCSP_CERTSTATUS_GOOD);
  OCSP_BASICRESP_free (basic);
  OCSP_RESPONSE_free (response);

  empty_der = tirkeu_gost_issuer_answer_ocsp (fixture->issuer, empty, NULL, 0, now, &error);
  g_assert_no_error (error);
  p = g_bytes_get_data (empty_der, NULL);
  response = d2i_OCSP_RESPONSE (NULL, &p, (long) g_bytes_get_size (empty_der));
  g_assert_cmpint (OCSP_response_status (response), ==, OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  g_assert_null (OCSP_response_get1_basic (response));
  OCSP_RESPONSE_free (response);

  OCSP_CERTID_free (id);
  OCSP_REQUEST_free (empty);
  OCSP_REQUEST_free (request);
}

/* A time-stamp token of a delegate TSA: an attached id-ct-TSTInfo SignedData that
 * tirkeu_cms_verify() finds valid and chained to the CA, with the TSA's certificate only
 * when asked. */
static void
test_timestamp (Fixture       *fixture,
                gconstpointer  data)
{
  static const guint8 hash[32] = { 1, 2, 3, 4 };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) end = g_date_time_add_years (now, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuGostIssuer) tsa = NULL;
  g_autoptr(GBytes) hashed = g_bytes_new_static (hash, sizeof hash);
  X509_ALGOR *sha256 = X509_ALGOR_new ();
  g_autoptr(GPtrArray) trusted = g_ptr_array_new ();

  X509_ALGOR_set_md (sha256, EVP_sha256 ());
  tsa = tirkeu_gost_issuer_new_delegate (fixture->issuer, "TIRKEU TEST TSA", "timeStamping",
                                         now, end, &error);
  g_assert_no_error (error);
  g_ptr_array_add (trusted, tirkeu_gost_issuer_get_certificate (fixture->issuer));

  for (int with_certificate = 0; with_certificate < 2; with_certificate++)
    {
      g_autoptr(GBytes) token = NULL;
      g_autoptr(GPtrArray) signers = NULL;
      const unsigned char *p;
      CMS_ContentInfo *cms;
      STACK_OF (X509) *carried;

      token = tirkeu_gost_issuer_sign_timestamp (tsa, "1.2.398.3.3.2.6.4", sha256, hashed, NULL,
                                                 now, with_certificate, &error);
      g_assert_no_error (error);
      p = g_bytes_get_data (token, NULL);
      cms = d2i_CMS_ContentInfo (NULL, &p, (long) g_bytes_get_size (token));
      g_assert_nonnull (cms);
      g_assert_cmpint (OBJ_obj2nid (CMS_get0_eContentType (cms)), ==, NID_id_smime_ct_TSTInfo);
      carried = CMS_get1_certs (cms);
      g_assert_cmpint (carried != NULL ? sk_X509_num (carried) : 0, ==, with_certificate);
      sk_X509_pop_free (carried, X509_free);
      CMS_ContentInfo_free (cms);

      if (!with_certificate)
        continue;
      signers = tirkeu_cms_verify (token, NULL, trusted, now, &error);
      g_assert_no_error (error);
      g_assert_true (tirkeu_cms_signer_get_signature_valid (signers->pdata[0]));
      g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (signers->pdata[0]), ==,
                       TIRKEU_CMS_CERTIFICATE_TRUSTED);
    }
  X509_ALGOR_free (sha256);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/gost-issuer/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("ca", test_ca);
  ADD ("certificate", test_certificate);
  ADD ("certificate-signature", test_certificate_signature);
  ADD ("openssl-reads", test_openssl_reads);
  ADD ("wrong-password", test_wrong_password);
  ADD ("cms", test_cms);
  ADD ("save-load", test_save_load);
  ADD ("delegate", test_delegate);
  ADD ("crl", test_crl);
  ADD ("ocsp", test_ocsp);
  ADD ("timestamp", test_timestamp);
#undef ADD

  return g_test_run ();
}
