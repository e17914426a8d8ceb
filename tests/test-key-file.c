/* SPDX-License-Identifier: GPL-3.0-or-later */
/* NCA key files (tirkeu-key-file.c): the national CA's own test key file opens with its
 * password, its certificate decodes and verifies against NCA's test CA, and it signs; every
 * way a file can be wrong gets its own error code. */
#include "config.h"

#include <gio/gio.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <string.h>

#include "tirkeu-certificate.h"
#include "tirkeu-gost.h"
#include "tirkeu-key-file.h"
#include "tirkeu-token-error.h"

#define NCA_PASSWORD "Aa123456"

static GBytes *
read_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "nca-test-pki",
                                                 name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static TirkeuKeyFile *
open_nca_key_file (void)
{
  g_autoptr(GBytes) p12 = read_fixture ("individual-gost2015.p12");
  g_autoptr(GError) error = NULL;
  TirkeuKeyFile *key_file = tirkeu_key_file_new_from_bytes (p12, NCA_PASSWORD, &error);

  g_assert_no_error (error);
  g_assert_nonnull (key_file);
  return key_file;
}

static X509 *
nca_ca (void)
{
  g_autoptr(GBytes) der = read_fixture ("nca-gost2022-test.cer");
  const unsigned char *p = g_bytes_get_data (der, NULL);
  X509 *ca = d2i_X509 (NULL, &p, g_bytes_get_size (der));

  g_assert_nonnull (ca);
  return ca;
}

static void
test_nca_open (void)
{
  g_autoptr(TirkeuKeyFile) key_file = open_nca_key_file ();
  X509 *certificate = tirkeu_key_file_get_certificate (key_file);
  BIGNUM *serial = ASN1_INTEGER_to_BN (X509_get0_serialNumber (certificate), NULL);
  g_autofree char *serial_hex = BN_bn2hex (serial);

  g_assert_cmpint (tirkeu_key_file_get_algorithm (key_file), ==,
                   TIRKEU_KEY_ALGORITHM_GOST_2015_512);
  g_assert_cmpstr (serial_hex, ==, "0FF06211DC82BEB00253FFA000F1DE84ABEF454F");
  /* NCA's file holds the key's certificate only. */
  g_assert_cmpuint (tirkeu_key_file_get_chain (key_file)->len, ==, 0);

  BN_free (serial);
  g_assert_finalize_object (g_steal_pointer (&key_file));
}

static void
test_nca_open_file (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "nca-test-pki",
                                                 "individual-gost2015.p12", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/GOST512_x.p12");
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  key_file = tirkeu_key_file_new_from_file (file, NCA_PASSWORD, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key_file);

  g_assert_null (tirkeu_key_file_new_from_file (missing, NCA_PASSWORD, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  g_assert_null (tirkeu_key_file_new_from_file (file, NCA_PASSWORD, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_nca_certificate_decodes (void)
{
  g_autoptr(TirkeuKeyFile) key_file = open_nca_key_file ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuCertificate) certificate = NULL;
  g_autoptr(GDateTime) inside = g_date_time_new_utc (2022, 9, 1, 12, 0, 0);
  g_autofree char *masked = NULL;

  certificate = tirkeu_certificate_new_from_der (tirkeu_key_file_get_certificate_der (key_file),
                                                 &error);
  g_assert_no_error (error);

  g_assert_cmpstr (tirkeu_certificate_get_iin (certificate), ==, "123456789012");
  masked = tirkeu_certificate_dup_masked_iin (certificate);
  g_assert_cmpstr (masked, ==, "123456******");
  g_assert_cmpstr (tirkeu_certificate_get_owner_name (certificate), ==, "ТЕСТТОВ ТЕСТТ");
  g_assert_null (tirkeu_certificate_get_bin (certificate));
  g_assert_null (tirkeu_certificate_get_organisation (certificate));
  g_assert_cmpint (tirkeu_certificate_get_role (certificate), ==,
                   TIRKEU_CERTIFICATE_ROLE_INDIVIDUAL);
  g_assert_cmpint (tirkeu_certificate_get_key_algorithm (certificate), ==,
                   TIRKEU_KEY_ALGORITHM_GOST_2015_512);
  g_assert_cmpstr (tirkeu_certificate_get_key_algorithm_oid (certificate), ==,
                   TIRKEU_GOST_OID_2015_512_KEY);
  g_assert_cmpstr (tirkeu_key_algorithm_to_string (TIRKEU_KEY_ALGORITHM_GOST_2015_512), ==,
                   "GOST 2015-512");
  g_assert_cmpuint (tirkeu_certificate_get_key_usage (certificate)
                    & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION | KU_KEY_ENCIPHERMENT), ==,
                    KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION | KU_KEY_ENCIPHERMENT);

  /* one key for everything */
  g_assert_true (tirkeu_certificate_is_one_key (certificate));
  g_assert_true (tirkeu_certificate_serves (certificate, TIRKEU_CERTIFICATE_KIND_AUTH));
  g_assert_true (tirkeu_certificate_serves (certificate, TIRKEU_CERTIFICATE_KIND_SIGN));
  g_assert_true (tirkeu_certificate_check_purpose (certificate, TIRKEU_SIGN_PURPOSE_SIGN_IN,
                                                   NULL, inside, &error));
  g_assert_no_error (error);
  /* An individual has no right to sign for an organisation, and it has no BIN: the rules
   * before a request say so, not the algorithm. */
  g_assert_false (tirkeu_certificate_check_purpose (certificate, TIRKEU_SIGN_PURPOSE_REQUEST,
                                                    "940140000385", inside, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NOT_SELLER_BIN);
  g_clear_error (&error);

  {
    g_autoptr(GDateTime) later = g_date_time_new_utc (2024, 1, 1, 0, 0, 0);

    g_assert_false (tirkeu_certificate_check_purpose (certificate, TIRKEU_SIGN_PURPOSE_SIGN_IN,
                                                      NULL, later, &error));
    g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_EXPIRED);
  }
}

static void
check_certificate_against_ca (gconstpointer data)
{
  int mutation = GPOINTER_TO_INT (data);
  g_autoptr(TirkeuKeyFile) key_file = open_nca_key_file ();
  GBytes *der = tirkeu_key_file_get_certificate_der (key_file);
  gsize len;
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (der, &len), g_bytes_get_size (der));
  const unsigned char *p = copy;
  guint8 *signature = copy + len - 128;
  X509 *ca = nca_ca ();
  X509 *certificate;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (mutation == 1)
    signature[5] ^= 0x40;
  else if (mutation == 2)
    for (int i = 0; i < 64; i++)
      {
        guint8 byte = signature[i];
        signature[i] = signature[127 - i];
        signature[127 - i] = byte;
      }

  certificate = d2i_X509 (NULL, &p, (long) len);
  g_assert_nonnull (certificate);
  ok = tirkeu_gost_verify_certificate (certificate, ca, &error);
  if (mutation == 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      /* The CA is not self-signed (its root is not in the fixtures): its own key does not
       * verify its certificate, which shows the check depends on the key. */
      g_assert_false (tirkeu_gost_verify_certificate (ca, ca, NULL));
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_BAD_SIGNATURE);
    }

  X509_free (certificate);
  X509_free (ca);
}

static void
test_nca_sign (void)
{
  g_autoptr(TirkeuKeyFile) key_file = open_nca_key_file ();
  g_autoptr(GBytes) data = g_bytes_new_static ("signed attributes", 17);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) signature = tirkeu_key_file_sign (key_file, data, &error);
  guint8 public_key[128], digest[64];
  g_autofree guint8 *reversed = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (signature), ==, 128);
  g_assert_true (tirkeu_gost_public_key_from_spki (
      X509_get_X509_PUBKEY (tirkeu_key_file_get_certificate (key_file)), public_key, &error));
  tirkeu_gost_streebog512 ("signed attributes", 17, digest);
  g_assert_true (tirkeu_gost_verify_digest (public_key, digest,
                                            g_bytes_get_data (signature, NULL)));

  reversed = g_memdup2 (g_bytes_get_data (signature, NULL), 128);
  for (int i = 0; i < 64; i++)
    {
      guint8 byte = reversed[i];
      reversed[i] = reversed[127 - i];
      reversed[127 - i] = byte;
    }
  g_assert_false (tirkeu_gost_verify_digest (public_key, digest, reversed));
  digest[63] ^= 1;
  g_assert_false (tirkeu_gost_verify_digest (public_key, digest,
                                             g_bytes_get_data (signature, NULL)));
}

static void
expect_error (GBytes     *p12,
              const char *password,
              int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuKeyFile) key_file = tirkeu_key_file_new_from_bytes (p12, password, &error);

  g_assert_null (key_file);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, code);
  g_assert_cmpstr (error->message, ==, tirkeu_token_error_to_message (code));
  /* never the password */
  if (password != NULL && *password != '\0')
    g_assert_null (strstr (error->message, password));
}

static void
test_wrong_password (void)
{
  g_autoptr(GBytes) p12 = read_fixture ("individual-gost2015.p12");
  g_autoptr(GError) error = NULL;

  expect_error (p12, "Aa1234567", TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD);
  expect_error (p12, "", TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD);
  expect_error (p12, NULL, TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD);

  error = g_error_new_literal (TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD, "x");
  g_assert_true (tirkeu_token_error_is_wrong_pin (error));
}

static void
test_not_pkcs12 (void)
{
  g_autoptr(GBytes) crl = read_fixture ("nca-gost2022-test.crl");
  g_autoptr(GBytes) text = g_bytes_new_static ("-----BEGIN CERTIFICATE-----\n", 28);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);

  expect_error (crl, NCA_PASSWORD, TIRKEU_TOKEN_ERROR_KEY_FILE_NOT_PKCS12);
  expect_error (text, NCA_PASSWORD, TIRKEU_TOKEN_ERROR_KEY_FILE_NOT_PKCS12);
  expect_error (empty, NCA_PASSWORD, TIRKEU_TOKEN_ERROR_KEY_FILE_NOT_PKCS12);
}

static void
test_truncated (void)
{
  g_autoptr(GBytes) p12 = read_fixture ("individual-gost2015.p12");

  /* at several lengths: inside the headers, the key bag, the certificate bag, the MAC */
  for (gsize len = 8; len < g_bytes_get_size (p12); len += 97)
    {
      g_autoptr(GBytes) head = g_bytes_new_from_bytes (p12, 0, len);

      expect_error (head, NCA_PASSWORD, TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED);
    }
}

static GBytes *
write_p12 (const PKCS8_PRIV_KEY_INFO *key,
           X509                      *certificate)
{
  g_autoptr(GError) error = NULL;
  GBytes *p12 = tirkeu_key_file_write_pkcs12 (key, certificate, NULL, NCA_PASSWORD, &error);

  g_assert_no_error (error);
  g_assert_nonnull (p12);
  return p12;
}

static void
test_no_key (void)
{
  g_autoptr(TirkeuKeyFile) key_file = open_nca_key_file ();
  g_autoptr(GBytes) p12 = write_p12 (NULL, tirkeu_key_file_get_certificate (key_file));

  expect_error (p12, NCA_PASSWORD, TIRKEU_TOKEN_ERROR_KEY_FILE_NO_KEY);
}

static void
test_no_certificate (void)
{
  /* A valid GOST key whose certificate is not in the file (NCA's CA certificate is). */
  guint8 scalar[64];
  ASN1_OCTET_STRING *octets = ASN1_OCTET_STRING_new ();
  unsigned char *der = NULL;
  int der_len;
  PKCS8_PRIV_KEY_INFO *key = PKCS8_PRIV_KEY_INFO_new ();
  X509 *ca = nca_ca ();
  g_autoptr(GBytes) p12 = NULL;

  g_assert_true (tirkeu_gost_generate_private_key (scalar, NULL));
  ASN1_OCTET_STRING_set (octets, scalar, 64);
  der_len = i2d_ASN1_OCTET_STRING (octets, &der);
  g_assert_true (PKCS8_pkey_set0 (key, OBJ_txt2obj (TIRKEU_GOST_OID_2015_512_KEY, 1), 0,
                                  V_ASN1_UNDEF, NULL, der, der_len));
  p12 = write_p12 (key, ca);

  expect_error (p12, NCA_PASSWORD, TIRKEU_TOKEN_ERROR_KEY_FILE_NO_CERTIFICATE);

  ASN1_OCTET_STRING_free (octets);
  PKCS8_PRIV_KEY_INFO_free (key);
  X509_free (ca);
}

static void
test_old_gost (void)
{
  /* A GOST 34.310-2004 key (the OID is what tells) */
  static const guint8 scalar[34] = { 0x04, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  PKCS8_PRIV_KEY_INFO *key = PKCS8_PRIV_KEY_INFO_new ();
  unsigned char *der = OPENSSL_memdup (scalar, sizeof scalar);
  X509 *ca = nca_ca ();
  g_autoptr(GBytes) p12 = NULL;

  g_assert_true (PKCS8_pkey_set0 (key, OBJ_txt2obj ("1.2.398.3.10.1.1.1.1", 1), 0,
                                  V_ASN1_UNDEF, NULL, der, sizeof scalar));
  p12 = write_p12 (key, ca);
  expect_error (p12, NCA_PASSWORD, TIRKEU_TOKEN_ERROR_KEY_FILE_OLD_GOST);
  g_assert_nonnull (strstr (tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_KEY_FILE_OLD_GOST),
                            "re-issue"));

  PKCS8_PRIV_KEY_INFO_free (key);
  X509_free (ca);
}

static void
test_unsupported_key (void)
{
  EVP_PKEY *ed25519 = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  PKCS8_PRIV_KEY_INFO *key = EVP_PKEY2PKCS8 (ed25519);
  X509 *ca = nca_ca ();
  g_autoptr(GBytes) p12 = NULL;

  g_assert_nonnull (key);
  p12 = write_p12 (key, ca);
  expect_error (p12, NCA_PASSWORD, TIRKEU_TOKEN_ERROR_KEY_FILE_UNSUPPORTED);

  PKCS8_PRIV_KEY_INFO_free (key);
  EVP_PKEY_free (ed25519);
  X509_free (ca);
}

/* A file asking for more key derivation rounds than any real key file is refused at once
 * rather than hanging the signing thread. */
static void
test_hostile_iterations (void)
{
  g_autoptr(GBytes) p12 = read_fixture ("individual-gost2015.p12");
  const unsigned char *p = g_bytes_get_data (p12, NULL);
  PKCS12 *pkcs12 = d2i_PKCS12 (NULL, &p, g_bytes_get_size (p12));
  unsigned char *der = NULL;
  int der_len;
  g_autoptr(GBytes) hostile = NULL;
  gint64 start;

  g_assert_nonnull (pkcs12);
  g_assert_true (PKCS12_set_mac (pkcs12, NCA_PASSWORD, -1, NULL, 0, 1000001, EVP_sha1 ()));
  der_len = i2d_PKCS12 (pkcs12, &der);
  hostile = g_bytes_new (der, der_len);

  start = g_get_monotonic_time ();
  expect_error (hostile, NCA_PASSWORD, TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);

  OPENSSL_free (der);
  PKCS12_free (pkcs12);
}

/* An RSA key file of an older NCA set (made here as NCA makes them): it opens and signs
 * RSA PKCS#1 v1.5 with SHA-256, which OpenSSL verifies. */
static void
test_rsa_key_file (void)
{
  EVP_PKEY *rsa = EVP_RSA_gen (2048);
  X509 *certificate = X509_new ();
  PKCS8_PRIV_KEY_INFO *key = EVP_PKEY2PKCS8 (rsa);
  g_autoptr(GBytes) p12 = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static ("attributes", 10);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(GError) error = NULL;
  EVP_MD_CTX *md = EVP_MD_CTX_new ();

  X509_set_version (certificate, X509_VERSION_3);
  ASN1_INTEGER_set (X509_get_serialNumber (certificate), 7);
  X509_NAME_add_entry_by_txt (X509_get_subject_name (certificate), "CN", MBSTRING_UTF8,
                              (const unsigned char *) "RSA", -1, -1, 0);
  X509_set_issuer_name (certificate, X509_get_subject_name (certificate));
  X509_gmtime_adj (X509_getm_notBefore (certificate), 0);
  X509_gmtime_adj (X509_getm_notAfter (certificate), 86400);
  X509_set_pubkey (certificate, rsa);
  g_assert_cmpint (X509_sign (certificate, rsa, EVP_sha256 ()), >, 0);

  p12 = write_p12 (key, certificate);
  key_file = tirkeu_key_file_new_from_bytes (p12, NCA_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_key_file_get_algorithm (key_file), ==, TIRKEU_KEY_ALGORITHM_RSA);
  g_assert_cmpint (X509_cmp (tirkeu_key_file_get_certificate (key_file), certificate), ==, 0);

  signature = tirkeu_key_file_sign (key_file, data, &error);
  g_assert_no_error (error);
  g_assert_cmpint (EVP_DigestVerifyInit (md, NULL, EVP_sha256 (), NULL, rsa), ==, 1);
  g_assert_cmpint (EVP_DigestVerify (md, g_bytes_get_data (signature, NULL),
                                     g_bytes_get_size (signature),
                                     (const unsigned char *) "attributes", 10), ==, 1);

  EVP_MD_CTX_free (md);
  PKCS8_PRIV_KEY_INFO_free (key);
  X509_free (certificate);
  EVP_PKEY_free (rsa);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/key-file/nca/open", test_nca_open);
  g_test_add_func ("/key-file/nca/open-file", test_nca_open_file);
  g_test_add_func ("/key-file/nca/certificate-decodes", test_nca_certificate_decodes);
  g_test_add_data_func ("/key-file/nca/certificate-verifies/valid", GINT_TO_POINTER (0),
                        check_certificate_against_ca);
  g_test_add_data_func ("/key-file/nca/certificate-verifies/one-byte-changed",
                        GINT_TO_POINTER (1), check_certificate_against_ca);
  g_test_add_data_func ("/key-file/nca/certificate-verifies/rfc4491-order",
                        GINT_TO_POINTER (2), check_certificate_against_ca);
  g_test_add_func ("/key-file/nca/sign", test_nca_sign);
  g_test_add_func ("/key-file/error/wrong-password", test_wrong_password);
  g_test_add_func ("/key-file/error/not-pkcs12", test_not_pkcs12);
  g_test_add_func ("/key-file/error/truncated", test_truncated);
  g_test_add_func ("/key-file/error/no-key", test_no_key);
  g_test_add_func ("/key-file/error/no-certificate", test_no_certificate);
  g_test_add_func ("/key-file/error/old-gost", test_old_gost);
  g_test_add_func ("/key-file/error/unsupported-key", test_unsupported_key);
  g_test_add_func ("/key-file/error/hostile-iterations", test_hostile_iterations);
  g_test_add_func ("/key-file/rsa", test_rsa_key_file);

  return g_test_run ();
}
