/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CAdES-BES signatures (tirkeu-cms.c): made with NCA's own test key file and checked three
 * ways: by tirkeu_cms_verify, by a check in this file that uses Nettle directly over the
 * bytes `openssl asn1parse` finds (code we did not write parses the CMS), and, for RSA, by
 * `openssl cms -verify`. CMS made by OpenSSL (attached) verifies too. */
#include "config.h"

#include <gio/gio.h>
#include <gmp.h>
#include <nettle/ecc.h>
#include <nettle/ecc-curve.h>
#include <nettle/gostdsa.h>
#include <nettle/streebog.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "tirkeu-cms.h"
#include "tirkeu-gost.h"
#include "tirkeu-key-file.h"
#include "tirkeu-token-error.h"

#define NCA_PASSWORD "Aa123456"
#define CONTENT "{\"vin\":\"XTA210990Y2765432\",\"buyer\":\"...\"}"

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
nca_key_file (void)
{
  g_autoptr(GBytes) p12 = read_fixture ("individual-gost2015.p12");
  g_autoptr(GError) error = NULL;
  TirkeuKeyFile *key_file = tirkeu_key_file_new_from_bytes (p12, NCA_PASSWORD, &error);

  g_assert_no_error (error);
  return key_file;
}

static GPtrArray *
nca_trust (void)
{
  g_autoptr(GBytes) der = read_fixture ("nca-gost2022-test.cer");
  const unsigned char *p = g_bytes_get_data (der, NULL);
  GPtrArray *trusted = g_ptr_array_new_with_free_func ((GDestroyNotify) X509_free);

  g_ptr_array_add (trusted, d2i_X509 (NULL, &p, g_bytes_get_size (der)));
  g_assert_nonnull (trusted->pdata[0]);
  return trusted;
}

static GBytes *
key_file_sign_cb (GBytes    *attributes,
                  gpointer   user_data,
                  GError   **error)
{
  return tirkeu_key_file_sign (user_data, attributes, error);
}

static GBytes *
sign_with (TirkeuKeyFile *key_file,
           GBytes        *content,
           GDateTime     *when)
{
  g_autoptr(GError) error = NULL;
  GBytes *cms = tirkeu_cms_sign_detached (tirkeu_key_file_get_certificate (key_file), content,
                                          when, key_file_sign_cb, key_file, &error);

  g_assert_no_error (error);
  g_assert_nonnull (cms);
  return cms;
}

static GBytes *
nca_signature (GBytes *content)
{
  g_autoptr(TirkeuKeyFile) key_file = nca_key_file ();
  g_autoptr(GDateTime) when = g_date_time_new_utc (2022, 9, 1, 10, 30, 0);

  return sign_with (key_file, content, when);
}

static TirkeuCmsSigner *
verify_one (GBytes    *cms,
            GBytes    *content,
            GPtrArray *trusted,
            GDateTime *at)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) signers = tirkeu_cms_verify (cms, content, trusted, at, &error);

  g_assert_no_error (error);
  g_assert_nonnull (signers);
  g_assert_cmpuint (signers->len, ==, 1);
  return g_object_ref (signers->pdata[0]);
}

static void
test_gost_sign_verify (void)
{
  g_autoptr(GBytes) content = g_bytes_new_static (CONTENT, strlen (CONTENT));
  g_autoptr(GBytes) cms = nca_signature (content);
  g_autoptr(GPtrArray) trusted = nca_trust ();
  g_autoptr(GDateTime) at = g_date_time_new_utc (2022, 9, 1, 12, 0, 0);
  g_autoptr(TirkeuCmsSigner) signer = verify_one (cms, content, trusted, at);
  g_autoptr(GDateTime) expected_time = g_date_time_new_utc (2022, 9, 1, 10, 30, 0);

  g_assert_true (tirkeu_cms_signer_get_signature_valid (signer));
  g_assert_true (tirkeu_cms_signer_has_signing_certificate (signer));
  g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (signer), ==,
                   TIRKEU_CMS_CERTIFICATE_TRUSTED);
  g_assert_cmpstr (tirkeu_cms_signer_get_subject (signer), ==, "ТЕСТТОВ ТЕСТТ");
  g_assert_cmpstr (tirkeu_cms_signer_get_iin_masked (signer), ==, "123456******");
  g_assert_null (tirkeu_cms_signer_get_bin (signer));
  g_assert_cmpint (tirkeu_cms_signer_get_role (signer), ==, TIRKEU_CERTIFICATE_ROLE_INDIVIDUAL);
  g_assert_cmpint (tirkeu_cms_signer_get_algorithm (signer), ==,
                   TIRKEU_KEY_ALGORITHM_GOST_2015_512);
  g_assert_true (g_date_time_equal (tirkeu_cms_signer_get_signing_time (signer),
                                    expected_time));
  g_assert_finalize_object (g_steal_pointer (&signer));
}

static void
test_gost_wrong_content (void)
{
  g_autoptr(GBytes) content = g_bytes_new_static (CONTENT, strlen (CONTENT));
  g_autoptr(GBytes) other = g_bytes_new_static (CONTENT "x", strlen (CONTENT) + 1);
  g_autoptr(GBytes) cms = nca_signature (content);
  g_autoptr(GPtrArray) trusted = nca_trust ();
  g_autoptr(GDateTime) at = g_date_time_new_utc (2022, 9, 1, 12, 0, 0);
  g_autoptr(TirkeuCmsSigner) signer = verify_one (cms, other, trusted, at);

  g_assert_false (tirkeu_cms_signer_get_signature_valid (signer));
}

/* Each byte of the signature value, changed, breaks it; so does the RFC 4491 order. */
static void
test_gost_signature_changed (void)
{
  g_autoptr(GBytes) content = g_bytes_new_static (CONTENT, strlen (CONTENT));
  g_autoptr(GBytes) cms = nca_signature (content);
  g_autoptr(GPtrArray) trusted = nca_trust ();
  g_autoptr(GDateTime) at = g_date_time_new_utc (2022, 9, 1, 12, 0, 0);
  const unsigned char *p = g_bytes_get_data (cms, NULL);
  CMS_ContentInfo *parsed = d2i_CMS_ContentInfo (NULL, &p, g_bytes_get_size (cms));
  CMS_SignerInfo *info = sk_CMS_SignerInfo_value (CMS_get0_SignerInfos (parsed), 0);
  ASN1_OCTET_STRING *signature = CMS_SignerInfo_get0_signature (info);
  guint8 original[128];

  g_assert_cmpint (ASN1_STRING_length (signature), ==, 128);
  memcpy (original, ASN1_STRING_get0_data (signature), 128);

  for (int mutation = 0; mutation < 3; mutation++)
    {
      guint8 bytes[128];
      unsigned char *der = NULL;
      int der_len;
      g_autoptr(GBytes) changed = NULL;
      g_autoptr(TirkeuCmsSigner) signer = NULL;

      memcpy (bytes, original, 128);
      if (mutation == 0)
        bytes[0] ^= 1;          /* r's lowest byte */
      else if (mutation == 1)
        bytes[127] ^= 0x10;     /* s's highest byte */
      else
        for (int i = 0; i < 128; i++)
          bytes[i] = original[127 - i];
      ASN1_OCTET_STRING_set (signature, bytes, 128);
      der_len = i2d_CMS_ContentInfo (parsed, &der);
      changed = g_bytes_new (der, der_len);
      OPENSSL_free (der);

      signer = verify_one (changed, content, trusted, at);
      g_assert_false (tirkeu_cms_signer_get_signature_valid (signer));
      /* the certificate is still the one it was */
      g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (signer), ==,
                       TIRKEU_CMS_CERTIFICATE_TRUSTED);
    }

  CMS_ContentInfo_free (parsed);
}

static void
test_gost_chain_status (void)
{
  g_autoptr(GBytes) content = g_bytes_new_static (CONTENT, strlen (CONTENT));
  g_autoptr(GBytes) cms = nca_signature (content);
  g_autoptr(GPtrArray) trusted = nca_trust ();
  g_autoptr(GPtrArray) nobody = g_ptr_array_new ();
  g_autoptr(GDateTime) later = g_date_time_new_utc (2024, 1, 1, 0, 0, 0);
  g_autoptr(GDateTime) earlier = g_date_time_new_utc (2022, 7, 1, 0, 0, 0);
  g_autoptr(GDateTime) inside = g_date_time_new_utc (2022, 9, 1, 0, 0, 0);
  g_autoptr(TirkeuCmsSigner) expired = verify_one (cms, content, trusted, later);
  g_autoptr(TirkeuCmsSigner) not_yet = verify_one (cms, content, trusted, earlier);
  g_autoptr(TirkeuCmsSigner) untrusted = verify_one (cms, content, nobody, inside);
  g_autoptr(TirkeuCmsSigner) no_trust = verify_one (cms, content, NULL, inside);

  g_assert_true (tirkeu_cms_signer_get_signature_valid (expired));
  g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (expired), ==,
                   TIRKEU_CMS_CERTIFICATE_EXPIRED);
  g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (not_yet), ==,
                   TIRKEU_CMS_CERTIFICATE_NOT_YET_VALID);
  g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (untrusted), ==,
                   TIRKEU_CMS_CERTIFICATE_UNTRUSTED);
  g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (no_trust), ==,
                   TIRKEU_CMS_CERTIFICATE_UNTRUSTED);
  g_assert_cmpstr (tirkeu_cms_certificate_status_to_string (TIRKEU_CMS_CERTIFICATE_NOT_YET_VALID),
                   ==, "not-yet-valid");
}

/* The signed attributes are exactly the four of CAdES-BES, read by OpenSSL's CMS parser. */
static void
test_gost_attributes (void)
{
  g_autoptr(GBytes) content = g_bytes_new_static (CONTENT, strlen (CONTENT));
  g_autoptr(GBytes) cms = nca_signature (content);
  const unsigned char *p = g_bytes_get_data (cms, NULL);
  CMS_ContentInfo *parsed = d2i_CMS_ContentInfo (NULL, &p, g_bytes_get_size (cms));
  CMS_SignerInfo *info;
  X509_ALGOR *digest = NULL, *signature = NULL;
  const ASN1_OBJECT *oid = NULL;
  int parameter_type = 0;
  char text[64];
  int nids[4];

  g_assert_nonnull (parsed);
  g_assert_cmpint (CMS_is_detached (parsed), ==, 1);
  g_assert_cmpint (sk_CMS_SignerInfo_num (CMS_get0_SignerInfos (parsed)), ==, 1);
  info = sk_CMS_SignerInfo_value (CMS_get0_SignerInfos (parsed), 0);

  g_assert_cmpint (CMS_signed_get_attr_count (info), ==, 4);
  for (int i = 0; i < 4; i++)
    nids[i] = OBJ_obj2nid (X509_ATTRIBUTE_get0_object (CMS_signed_get_attr (info, i)));
  for (int i = 0; i < 4; i++)
    g_assert_true (nids[i] == NID_pkcs9_contentType || nids[i] == NID_pkcs9_signingTime
                   || nids[i] == NID_pkcs9_messageDigest
                   || nids[i] == NID_id_smime_aa_signingCertificateV2);
  g_assert_cmpint (CMS_signed_get_attr_by_NID (info, NID_SMIMECapabilities, -1), <, 0);
  g_assert_cmpint (CMS_unsigned_get_attr_count (info), <=, 0);

  CMS_SignerInfo_get0_algs (info, NULL, NULL, &digest, &signature);
  X509_ALGOR_get0 (&oid, &parameter_type, NULL, digest);
  OBJ_obj2txt (text, sizeof text, oid, 1);
  g_assert_cmpstr (text, ==, "1.2.398.3.10.1.3.3");
  X509_ALGOR_get0 (&oid, &parameter_type, NULL, signature);
  OBJ_obj2txt (text, sizeof text, oid, 1);
  g_assert_cmpstr (text, ==, "1.2.398.3.10.1.1.2.3.2");
  g_assert_cmpint (parameter_type, ==, V_ASN1_NULL);

  CMS_ContentInfo_free (parsed);
}

/* --- a check that is not ours --------------------------------------------------------- */

/* A directory of this test run's own (the isolated home is per test case). */
static char *
scratch_path (const char *name)
{
  g_assert_cmpint (g_mkdir_with_parents (g_get_home_dir (), 0700), ==, 0);
  return g_build_filename (g_get_home_dir (), name, NULL);
}

static char *
asn1parse (GBytes *der)
{
  g_autofree char *path = scratch_path ("tirkeu-cms.der");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = 0;
  const char *argv[] = { "openssl", "asn1parse", "-inform", "DER", "-in", path, NULL };

  g_file_set_contents (path, g_bytes_get_data (der, NULL), g_bytes_get_size (der), &error);
  g_assert_no_error (error);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

static void
nettle_mpz_from_le (mpz_t value, const guint8 *bytes, gsize len)
{
  mpz_import (value, len, -1, 1, 0, 0, bytes);
}

/* Finds the signed attributes ("cont [ 0 ]" right inside the SignerInfo, depth 5) and the
 * messageDigest value in openssl's listing; the signature is the SignerInfo's last OCTET
 * STRING; the public key the last 128 bytes of the certificate's key BIT STRING. Then
 * Streebog-512 and gostdsa_verify of Nettle, called here directly, with NCA's byte order
 * worked out here again. */
static void
test_gost_independent_check (void)
{
  g_autoptr(GBytes) content = g_bytes_new_static (CONTENT, strlen (CONTENT));
  g_autoptr(GBytes) cms = nca_signature (content);
  g_autoptr(TirkeuKeyFile) key_file = nca_key_file ();
  g_autofree char *listing = asn1parse (cms);
  g_auto(GStrv) lines = g_strsplit (listing, "\n", -1);
  const guint8 *der = g_bytes_get_data (cms, NULL);
  long attributes_offset = -1, attributes_length = 0, signature_offset = -1;
  int attributes_header = 0, signature_header = 0;
  g_autofree char *message_digest_hex = NULL;
  gboolean after_message_digest = FALSE;
  g_autofree guint8 *attributes = NULL;
  struct streebog512_ctx hash;
  guint8 digest[64], content_digest[64];
  g_autoptr(GString) content_hex = g_string_new (NULL);
  const ASN1_BIT_STRING *key_bits;
  struct ecc_point point;
  struct dsa_signature signature;
  mpz_t x, y;

  for (int i = 0; lines[i] != NULL; i++)
    {
      long offset, length;
      int depth, header;

      if (sscanf (lines[i], " %ld:d=%d hl=%d l=%ld", &offset, &depth, &header, &length) != 4)
        continue;
      if (depth == 5 && strstr (lines[i], "cont [ 0 ]") != NULL)
        {
          attributes_offset = offset;
          attributes_header = header;
          attributes_length = length;
        }
      if (depth == 5 && strstr (lines[i], "OCTET STRING") != NULL)
        {
          signature_offset = offset;
          signature_header = header;
        }
      if (strstr (lines[i], ":messageDigest") != NULL)
        after_message_digest = TRUE;
      else if (after_message_digest && strstr (lines[i], "OCTET STRING") != NULL)
        {
          message_digest_hex = g_strdup (strstr (lines[i], "[HEX DUMP]:") + 11);
          after_message_digest = FALSE;
        }
    }
  g_assert_cmpint (attributes_offset, >, 0);
  g_assert_cmpint (signature_offset, >, attributes_offset);
  g_assert_nonnull (message_digest_hex);

  /* messageDigest = Streebog-512 of the content */
  streebog512_init (&hash);
  streebog512_update (&hash, strlen (CONTENT), (const uint8_t *) CONTENT);
  streebog512_digest (&hash, 64, content_digest);
  for (int i = 0; i < 64; i++)
    g_string_append_printf (content_hex, "%02X", content_digest[i]);
  g_assert_cmpstr (message_digest_hex, ==, content_hex->str);

  /* RFC 5652, 5.4: the signature covers the attributes with the SET OF tag, not [0] */
  attributes = g_memdup2 (der + attributes_offset, attributes_header + attributes_length);
  g_assert_cmpint (attributes[0], ==, 0xa0);
  attributes[0] = 0x31;
  streebog512_init (&hash);
  streebog512_update (&hash, attributes_header + attributes_length, attributes);
  streebog512_digest (&hash, 64, digest);

  key_bits = X509_get0_pubkey_bitstr (tirkeu_key_file_get_certificate (key_file));
  g_assert_cmpint (ASN1_STRING_length (key_bits), ==, 131);

  ecc_point_init (&point, nettle_get_gost_gc512a ());
  mpz_inits (x, y, NULL);
  nettle_mpz_from_le (x, ASN1_STRING_get0_data (key_bits) + 3, 64);
  nettle_mpz_from_le (y, ASN1_STRING_get0_data (key_bits) + 3 + 64, 64);
  g_assert_cmpint (ecc_point_set (&point, x, y), ==, 1);

  g_assert_cmpint (signature_header, ==, 3);   /* 04 81 80 */
  dsa_signature_init (&signature);
  nettle_mpz_from_le (signature.r, der + signature_offset + signature_header, 64);
  nettle_mpz_from_le (signature.s, der + signature_offset + signature_header + 64, 64);
  g_assert_cmpint (gostdsa_verify (&point, 64, digest, &signature), ==, 1);

  /* and not with a byte of the attributes changed */
  digest[10] ^= 1;
  g_assert_cmpint (gostdsa_verify (&point, 64, digest, &signature), ==, 0);

  dsa_signature_clear (&signature);
  mpz_clears (x, y, NULL);
  ecc_point_clear (&point);
}

/* The same signature with the content inside (as NCA's agent makes it when asked for an
 * attached signature) verifies without the detached data. */
static void
test_gost_attached (void)
{
  g_autoptr(GBytes) content = g_bytes_new_static (CONTENT, strlen (CONTENT));
  g_autoptr(GBytes) cms = nca_signature (content);
  g_autoptr(GPtrArray) trusted = nca_trust ();
  g_autoptr(GDateTime) at = g_date_time_new_utc (2022, 9, 1, 12, 0, 0);
  const unsigned char *p = g_bytes_get_data (cms, NULL);
  CMS_ContentInfo *parsed = d2i_CMS_ContentInfo (NULL, &p, g_bytes_get_size (cms));
  ASN1_OCTET_STRING **position = CMS_get0_content (parsed);
  unsigned char *der = NULL;
  int der_len;
  g_autoptr(GBytes) attached = NULL;
  g_autoptr(TirkeuCmsSigner) signer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) none = NULL;

  g_assert_nonnull (position);
  g_assert_null (*position);
  *position = ASN1_OCTET_STRING_new ();
  ASN1_OCTET_STRING_set (*position, (const unsigned char *) CONTENT, strlen (CONTENT));
  der_len = i2d_CMS_ContentInfo (parsed, &der);
  attached = g_bytes_new (der, der_len);
  OPENSSL_free (der);
  CMS_ContentInfo_free (parsed);

  signer = verify_one (attached, NULL, trusted, at);
  g_assert_true (tirkeu_cms_signer_get_signature_valid (signer));
  g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (signer), ==,
                   TIRKEU_CMS_CERTIFICATE_TRUSTED);

  /* detached without the data: an error, not a verdict */
  none = tirkeu_cms_verify (cms, NULL, trusted, at, &error);
  g_assert_null (none);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CMS);
}

static void
test_not_cms (void)
{
  g_autoptr(GBytes) crl = read_fixture ("nca-gost2022-test.crl");
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GDateTime) at = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;

  g_assert_null (tirkeu_cms_verify (crl, empty, NULL, at, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CMS);
  g_clear_error (&error);
  g_assert_null (tirkeu_cms_verify (empty, empty, NULL, at, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CMS);
}

/* --- RSA ------------------------------------------------------------------------------ */

typedef struct
{
  EVP_PKEY *ca_key;
  X509 *ca;
  EVP_PKEY *key;
  X509 *certificate;
  TirkeuKeyFile *key_file;
} RsaPki;

static void
add_extension (X509       *certificate,
               X509       *issuer,
               int         nid,
               const char *value)
{
  X509V3_CTX ctx;
  X509_EXTENSION *extension;

  X509V3_set_ctx (&ctx, issuer, certificate, NULL, NULL, 0);
  extension = X509V3_EXT_conf_nid (NULL, &ctx, nid, value);
  g_assert_nonnull (extension);
  X509_add_ext (certificate, extension, -1);
  X509_EXTENSION_free (extension);
}

static X509 *
make_rsa_certificate (const char *cn,
                      EVP_PKEY   *key,
                      X509       *issuer,
                      EVP_PKEY   *issuer_key,
                      gboolean    ca)
{
  X509 *certificate = X509_new ();
  X509_NAME *name = X509_NAME_new ();

  X509_set_version (certificate, X509_VERSION_3);
  ASN1_INTEGER_set (X509_get_serialNumber (certificate), ca ? 1 : 2);
  X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8, (const unsigned char *) cn, -1, -1, 0);
  if (!ca)
    X509_NAME_add_entry_by_txt (name, "serialNumber", MBSTRING_UTF8,
                                (const unsigned char *) "IIN850304300128", -1, -1, 0);
  X509_set_subject_name (certificate, name);
  X509_set_issuer_name (certificate, issuer != NULL ? X509_get_subject_name (issuer) : name);
  X509_gmtime_adj (X509_getm_notBefore (certificate), -3600);
  X509_gmtime_adj (X509_getm_notAfter (certificate), 86400);
  X509_set_pubkey (certificate, key);
  add_extension (certificate, issuer != NULL ? issuer : certificate, NID_subject_key_identifier,
                 "hash");
  if (ca)
    {
      add_extension (certificate, certificate, NID_basic_constraints, "critical,CA:TRUE");
      add_extension (certificate, certificate, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
  else
    {
      add_extension (certificate, issuer, NID_authority_key_identifier, "keyid");
      add_extension (certificate, issuer, NID_key_usage, "critical,nonRepudiation");
      add_extension (certificate, issuer, NID_ext_key_usage, "emailProtection,1.2.398.3.3.4.1.1");
    }
  g_assert_cmpint (X509_sign (certificate, issuer_key, EVP_sha256 ()), >, 0);

  X509_NAME_free (name);
  return certificate;
}

static void
rsa_pki_init (RsaPki *pki)
{
  PKCS8_PRIV_KEY_INFO *p8;
  g_autoptr(GBytes) p12 = NULL;
  g_autoptr(GError) error = NULL;

  pki->ca_key = EVP_RSA_gen (2048);
  pki->ca = make_rsa_certificate ("Test RSA CA", pki->ca_key, NULL, pki->ca_key, TRUE);
  pki->key = EVP_RSA_gen (2048);
  pki->certificate = make_rsa_certificate ("RSAOV RSA", pki->key, pki->ca, pki->ca_key, FALSE);

  p8 = EVP_PKEY2PKCS8 (pki->key);
  p12 = tirkeu_key_file_write_pkcs12 (p8, pki->certificate, NULL, NCA_PASSWORD, &error);
  g_assert_no_error (error);
  pki->key_file = tirkeu_key_file_new_from_bytes (p12, NCA_PASSWORD, &error);
  g_assert_no_error (error);
  PKCS8_PRIV_KEY_INFO_free (p8);
}

static void
rsa_pki_clear (RsaPki *pki)
{
  g_clear_object (&pki->key_file);
  X509_free (pki->certificate);
  X509_free (pki->ca);
  EVP_PKEY_free (pki->key);
  EVP_PKEY_free (pki->ca_key);
}

static void
write_pem (const char *path,
           X509       *certificate)
{
  BIO *bio = BIO_new_file (path, "w");

  g_assert_nonnull (bio);
  g_assert_cmpint (PEM_write_bio_X509 (bio, certificate), ==, 1);
  BIO_free (bio);
}

static void
test_rsa_sign_verify (void)
{
  RsaPki pki = { 0 };
  g_autoptr(GBytes) content = g_bytes_new_static (CONTENT, strlen (CONTENT));
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GPtrArray) trusted = g_ptr_array_new ();
  g_autoptr(TirkeuCmsSigner) signer = NULL;
  g_autofree char *cms_path = scratch_path ("rsa.cms");
  g_autofree char *data_path = scratch_path ("rsa.data");
  g_autofree char *ca_path = scratch_path ("rsa-ca.pem");
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  rsa_pki_init (&pki);
  cms = sign_with (pki.key_file, content, now);

  g_ptr_array_add (trusted, pki.ca);
  signer = verify_one (cms, content, trusted, now);
  g_assert_true (tirkeu_cms_signer_get_signature_valid (signer));
  g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (signer), ==,
                   TIRKEU_CMS_CERTIFICATE_TRUSTED);
  g_assert_cmpint (tirkeu_cms_signer_get_algorithm (signer), ==, TIRKEU_KEY_ALGORITHM_RSA);

  /* OpenSSL's own CMS verifier (which also checks signing-certificate-v2) agrees */
  g_file_set_contents (cms_path, g_bytes_get_data (cms, NULL), g_bytes_get_size (cms), &error);
  g_assert_no_error (error);
  g_file_set_contents (data_path, CONTENT, -1, &error);
  g_assert_no_error (error);
  write_pem (ca_path, pki.ca);
  {
    const char *argv[] = { "openssl", "cms", "-verify", "-binary", "-inform", "DER",
                           "-in", cms_path, "-content", data_path, "-CAfile", ca_path,
                           "-purpose", "any", "-out", "/dev/null", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err,
                  &status, &error);
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("openssl cms -verify: %s", err);
  }

  /* and refuses other content */
  g_file_set_contents (data_path, CONTENT "x", -1, &error);
  {
    const char *argv[] = { "openssl", "cms", "-verify", "-binary", "-inform", "DER",
                           "-in", cms_path, "-content", data_path, "-CAfile", ca_path,
                           "-purpose", "any", "-out", "/dev/null", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
    g_assert_false (g_spawn_check_wait_status (status, NULL));
  }

  rsa_pki_clear (&pki);
}

/* A CMS that OpenSSL made, attached, with its own choice of attributes: it verifies. */
static void
test_openssl_attached (void)
{
  RsaPki pki = { 0 };
  BIO *data = BIO_new_mem_buf (CONTENT, -1);
  CMS_ContentInfo *made = NULL;
  unsigned char *der = NULL;
  int der_len;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GPtrArray) trusted = g_ptr_array_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(TirkeuCmsSigner) signer = NULL;

  rsa_pki_init (&pki);
  made = CMS_sign (pki.certificate, pki.key, NULL, data, CMS_BINARY);
  g_assert_nonnull (made);
  der_len = i2d_CMS_ContentInfo (made, &der);
  cms = g_bytes_new (der, der_len);

  g_ptr_array_add (trusted, pki.ca);
  signer = verify_one (cms, NULL, trusted, now);
  g_assert_true (tirkeu_cms_signer_get_signature_valid (signer));
  g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (signer), ==,
                   TIRKEU_CMS_CERTIFICATE_TRUSTED);
  /* OpenSSL adds no signing-certificate-v2 unless asked (CMS_CADES): valid, not CAdES */
  g_assert_false (tirkeu_cms_signer_has_signing_certificate (signer));

  OPENSSL_free (der);
  CMS_ContentInfo_free (made);
  BIO_free (data);
  rsa_pki_clear (&pki);
}

/* --- signing a stream ----------------------------------------------------------------- */

/* The messageDigest attribute of @cms's one signer. */
static GBytes *
message_digest_of (GBytes *cms)
{
  const unsigned char *p = g_bytes_get_data (cms, NULL);
  CMS_ContentInfo *parsed = d2i_CMS_ContentInfo (NULL, &p, g_bytes_get_size (cms));
  CMS_SignerInfo *info;
  ASN1_OCTET_STRING *digest;
  GBytes *result;

  g_assert_nonnull (parsed);
  info = sk_CMS_SignerInfo_value (CMS_get0_SignerInfos (parsed), 0);
  digest = CMS_signed_get0_data_by_OBJ (info, OBJ_nid2obj (NID_pkcs9_messageDigest), -3,
                                        V_ASN1_OCTET_STRING);
  g_assert_nonnull (digest);
  result = g_bytes_new (ASN1_STRING_get0_data (digest), ASN1_STRING_length (digest));
  CMS_ContentInfo_free (parsed);
  return result;
}

/* A document of several blocks of the stream reader and a part of one, not all alike. */
static GBytes *
large_content (void)
{
  gsize len = 3 * 65536 + 4099;
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 7 + i / 65536);
  return g_bytes_new_take (data, len);
}

static void
check_stream_matches_bytes (X509          *certificate,
                            TirkeuKeyFile *key_file,
                            GPtrArray     *trusted,
                            GDateTime     *when,
                            GBytes        *expected_digest)
{
  g_autoptr(GBytes) content = large_content ();
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (content);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) from_bytes = sign_with (key_file, content, when);
  g_autoptr(GBytes) from_stream = NULL;
  g_autoptr(GBytes) digest_from_bytes = NULL;
  g_autoptr(GBytes) digest_from_stream = NULL;
  g_autoptr(TirkeuCmsSigner) signer = NULL;

  from_stream = tirkeu_cms_sign_detached_stream (certificate, stream, when, key_file_sign_cb,
                                                 key_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (from_stream);

  digest_from_bytes = message_digest_of (from_bytes);
  digest_from_stream = message_digest_of (from_stream);
  g_assert_true (g_bytes_equal (digest_from_bytes, digest_from_stream));
  g_assert_true (g_bytes_equal (digest_from_stream, expected_digest));

  signer = verify_one (from_stream, content, trusted, when);
  g_assert_true (tirkeu_cms_signer_get_signature_valid (signer));
  g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (signer), ==,
                   TIRKEU_CMS_CERTIFICATE_TRUSTED);
}

/* The stream entry point and tirkeu_cms_sign_detached() put the same messageDigest in their
 * CMS, the one Nettle's Streebog-512 computes over the whole document at once. */
static void
test_gost_stream (void)
{
  g_autoptr(TirkeuKeyFile) key_file = nca_key_file ();
  g_autoptr(GPtrArray) trusted = nca_trust ();
  g_autoptr(GDateTime) when = g_date_time_new_utc (2022, 9, 1, 10, 30, 0);
  g_autoptr(GBytes) content = large_content ();
  struct streebog512_ctx ctx;
  guint8 digest[STREEBOG512_DIGEST_SIZE];
  g_autoptr(GBytes) expected = NULL;

  streebog512_init (&ctx);
  streebog512_update (&ctx, g_bytes_get_size (content), g_bytes_get_data (content, NULL));
  streebog512_digest (&ctx, sizeof digest, digest);
  expected = g_bytes_new (digest, sizeof digest);

  check_stream_matches_bytes (tirkeu_key_file_get_certificate (key_file), key_file, trusted,
                              when, expected);
}

static void
test_rsa_stream (void)
{
  RsaPki pki = { 0 };
  g_autoptr(GPtrArray) trusted = g_ptr_array_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GBytes) content = large_content ();
  guint8 digest[32];
  g_autoptr(GBytes) expected = NULL;

  g_assert_cmpint (EVP_Digest (g_bytes_get_data (content, NULL), g_bytes_get_size (content),
                               digest, NULL, EVP_sha256 (), NULL), ==, 1);
  expected = g_bytes_new (digest, sizeof digest);

  rsa_pki_init (&pki);
  g_ptr_array_add (trusted, pki.ca);
  check_stream_matches_bytes (pki.certificate, pki.key_file, trusted, now, expected);
  rsa_pki_clear (&pki);
}

static GBytes *
never_sign_cb (GBytes    *attributes,
               gpointer   user_data,
               GError   **error)
{
  g_assert_not_reached ();
  return NULL;
}

/* Cancelled before it is read: no signature asked of the key. A digest made for another
 * key's algorithm is refused, not signed under the wrong hash's name. */
static void
test_stream_refusals (void)
{
  g_autoptr(TirkeuKeyFile) key_file = nca_key_file ();
  X509 *gost = tirkeu_key_file_get_certificate (key_file);
  RsaPki pki = { 0 };
  g_autoptr(GBytes) content = large_content ();
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (content);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GDateTime) when = g_date_time_new_utc (2022, 9, 1, 10, 30, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) mismatch = NULL;
  g_autoptr(TirkeuCmsDigester) rsa_digester = NULL;
  GBytes *cms;

  g_cancellable_cancel (cancellable);
  cms = tirkeu_cms_sign_detached_stream (gost, stream, when, never_sign_cb, NULL, cancellable,
                                         &error);
  g_assert_null (cms);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  rsa_pki_init (&pki);
  rsa_digester = tirkeu_cms_digester_new (pki.certificate, NULL);
  g_assert_nonnull (rsa_digester);
  tirkeu_cms_digester_update (rsa_digester, CONTENT, strlen (CONTENT));
  cms = tirkeu_cms_sign_detached_digest (gost, rsa_digester, when, never_sign_cb, NULL,
                                         &mismatch);
  g_assert_null (cms);
  g_assert_error (mismatch, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_SIGNING_FAILED);
  rsa_pki_clear (&pki);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cms/gost/sign-verify", test_gost_sign_verify);
  g_test_add_func ("/cms/gost/wrong-content", test_gost_wrong_content);
  g_test_add_func ("/cms/gost/signature-changed", test_gost_signature_changed);
  g_test_add_func ("/cms/gost/chain-status", test_gost_chain_status);
  g_test_add_func ("/cms/gost/attributes", test_gost_attributes);
  g_test_add_func ("/cms/gost/independent-check", test_gost_independent_check);
  g_test_add_func ("/cms/gost/attached", test_gost_attached);
  g_test_add_func ("/cms/not-cms", test_not_cms);
  g_test_add_func ("/cms/rsa/sign-verify", test_rsa_sign_verify);
  g_test_add_func ("/cms/rsa/openssl-attached", test_openssl_attached);
  g_test_add_func ("/cms/gost/stream", test_gost_stream);
  g_test_add_func ("/cms/rsa/stream", test_rsa_stream);
  g_test_add_func ("/cms/stream-refusals", test_stream_refusals);

  return g_test_run ();
}
