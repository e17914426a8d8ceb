/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What GOST 2015-512 costs next to RSA-2048: prints figures, asserts nothing (speed is never
 * a unit test).
 *
 *   meson test -C _build --benchmark bench-gost -v      or      _build/tests/bench-gost [N]
 *
 * Raw signatures (GOST: Streebog-512 + gostdsa on curve A with Nettle; RSA: PKCS#1 v1.5 with
 * SHA-256 with OpenSSL) over a 300-byte message, the size of CMS signed attributes; then a
 * whole CAdES signature and its verification (chain included) with each, through a key file.
 */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "tirkeu-cms.h"
#include "tirkeu-gost-issuer.h"
#include "tirkeu-gost.h"
#include "tirkeu-key-file.h"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
report (const char *what,
        int         rounds,
        double      start)
{
  double each = (now_ms () - start) / rounds;

  g_print ("  %-42s %8.3f ms   (%6.0f/s, %d rounds)\n", what, each, 1000.0 / each, rounds);
}

static GBytes *
key_file_sign_cb (GBytes    *attributes,
                  gpointer   user_data,
                  GError   **error)
{
  return tirkeu_key_file_sign (user_data, attributes, error);
}

static void
bench_raw (int rounds)
{
  guint8 message[300];
  guint8 private_key[64], public_key[128], digest[64], signature[128];
  EVP_PKEY *rsa = EVP_RSA_gen (2048);
  EVP_MD_CTX *md = EVP_MD_CTX_new ();
  guint8 rsa_signature[256];
  size_t rsa_len = sizeof rsa_signature;
  double start;

  memset (message, 0x5a, sizeof message);
  g_assert_true (tirkeu_gost_generate_private_key (private_key, NULL));
  g_assert_true (tirkeu_gost_public_key_from_private (private_key, public_key, NULL));

  g_print ("Raw signatures over 300 bytes:\n");

  start = now_ms ();
  for (int i = 0; i < rounds * 10; i++)
    tirkeu_gost_streebog512 (message, sizeof message, digest);
  report ("Streebog-512 (300 bytes)", rounds * 10, start);

  start = now_ms ();
  for (int i = 0; i < rounds; i++)
    {
      tirkeu_gost_streebog512 (message, sizeof message, digest);
      g_assert_true (tirkeu_gost_sign_digest (private_key, digest, signature, NULL));
    }
  report ("GOST 2015-512 sign", rounds, start);

  start = now_ms ();
  for (int i = 0; i < rounds; i++)
    {
      tirkeu_gost_streebog512 (message, sizeof message, digest);
      g_assert_true (tirkeu_gost_verify_digest (public_key, digest, signature));
    }
  report ("GOST 2015-512 verify", rounds, start);

  start = now_ms ();
  for (int i = 0; i < rounds; i++)
    {
      rsa_len = sizeof rsa_signature;
      g_assert_cmpint (EVP_DigestSignInit (md, NULL, EVP_sha256 (), NULL, rsa), ==, 1);
      g_assert_cmpint (EVP_DigestSign (md, rsa_signature, &rsa_len, message, sizeof message),
                       ==, 1);
    }
  report ("RSA-2048 SHA-256 sign", rounds, start);

  start = now_ms ();
  for (int i = 0; i < rounds; i++)
    {
      g_assert_cmpint (EVP_DigestVerifyInit (md, NULL, EVP_sha256 (), NULL, rsa), ==, 1);
      g_assert_cmpint (EVP_DigestVerify (md, rsa_signature, rsa_len, message, sizeof message),
                       ==, 1);
    }
  report ("RSA-2048 SHA-256 verify", rounds, start);

  EVP_MD_CTX_free (md);
  EVP_PKEY_free (rsa);
}

/* An RSA key file and CA of the same shape as the GOST ones. */
static GBytes *
rsa_key_file (X509 **ca_out)
{
  EVP_PKEY *ca_key = EVP_RSA_gen (2048), *key = EVP_RSA_gen (2048);
  X509 *ca = X509_new (), *leaf = X509_new ();
  X509V3_CTX ctx;
  X509_EXTENSION *extension;
  PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8 (key);
  GBytes *p12;

  for (int i = 0; i < 2; i++)
    {
      X509 *x = i == 0 ? ca : leaf;

      X509_set_version (x, X509_VERSION_3);
      ASN1_INTEGER_set (X509_get_serialNumber (x), i + 1);
      X509_NAME_add_entry_by_txt (X509_get_subject_name (x), "CN", MBSTRING_UTF8,
                                  (const unsigned char *) (i == 0 ? "RSA CA" : "RSA LEAF"),
                                  -1, -1, 0);
      X509_set_issuer_name (x, X509_get_subject_name (ca));
      X509_gmtime_adj (X509_getm_notBefore (x), -3600);
      X509_gmtime_adj (X509_getm_notAfter (x), 86400);
      X509_set_pubkey (x, i == 0 ? ca_key : key);
    }
  X509V3_set_ctx (&ctx, ca, ca, NULL, NULL, 0);
  extension = X509V3_EXT_conf_nid (NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
  X509_add_ext (ca, extension, -1);
  X509_EXTENSION_free (extension);
  X509_sign (ca, ca_key, EVP_sha256 ());
  X509_sign (leaf, ca_key, EVP_sha256 ());

  p12 = tirkeu_key_file_write_pkcs12 (p8, leaf, NULL, "Bench2026", NULL);
  *ca_out = ca;

  PKCS8_PRIV_KEY_INFO_free (p8);
  X509_free (leaf);
  EVP_PKEY_free (key);
  EVP_PKEY_free (ca_key);
  return p12;
}

static void
bench_cms (const char *name,
           GBytes     *p12,
           X509       *ca,
           int         rounds)
{
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("{\"request\":\"R-1\"}", 17);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GPtrArray) trusted = g_ptr_array_new ();
  g_autofree char *label = NULL;
  double start;

  g_ptr_array_add (trusted, ca);

  start = now_ms ();
  for (int i = 0; i < 5; i++)
    {
      g_clear_object (&key_file);
      key_file = tirkeu_key_file_new_from_bytes (p12, "Bench2026", NULL);
      g_assert_nonnull (key_file);
    }
  label = g_strdup_printf ("%s key file open", name);
  report (label, 5, start);

  start = now_ms ();
  for (int i = 0; i < rounds; i++)
    {
      g_clear_pointer (&cms, g_bytes_unref);
      cms = tirkeu_cms_sign_detached (tirkeu_key_file_get_certificate (key_file), content, now,
                                      key_file_sign_cb, key_file, NULL);
      g_assert_nonnull (cms);
    }
  g_free (label);
  label = g_strdup_printf ("%s CAdES sign", name);
  report (label, rounds, start);

  start = now_ms ();
  for (int i = 0; i < rounds; i++)
    {
      g_autoptr(GPtrArray) signers = tirkeu_cms_verify (cms, content, trusted, now, NULL);

      g_assert_true (tirkeu_cms_signer_get_signature_valid (signers->pdata[0]));
      g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (signers->pdata[0]), ==,
                       TIRKEU_CMS_CERTIFICATE_TRUSTED);
    }
  g_free (label);
  label = g_strdup_printf ("%s CAdES verify (with chain)", name);
  report (label, rounds, start);
}

int
main (int argc, char **argv)
{
  int rounds = argc > 1 ? MAX (1, atoi (argv[1])) : 100;
  static const TirkeuGostSubject subject = {
    .surname = "БЕКОВ", .given_name = "АРМАН", .iin = "850304300128",
    .bin = "940140000385", .organisation = "ТОО «ТЕСТ АВТО»",
    .role = TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD,
  };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) start = g_date_time_add_days (now, -1);
  g_autoptr(GDateTime) end = g_date_time_add_years (now, 1);
  g_autoptr(TirkeuGostIssuer) issuer = NULL;
  g_autoptr(GBytes) gost_p12 = NULL;
  g_autoptr(GBytes) rsa_p12 = NULL;
  X509 *rsa_ca = NULL;

  bench_raw (rounds);

  issuer = tirkeu_gost_issuer_new ("BENCH GOST CA", start, end, NULL);
  g_assert_nonnull (issuer);
  gost_p12 = tirkeu_gost_issuer_issue_key_file (issuer, &subject, start, end, "Bench2026",
                                                NULL);
  g_assert_nonnull (gost_p12);
  rsa_p12 = rsa_key_file (&rsa_ca);

  g_print ("Key files and CAdES-BES (a 17-byte document):\n");
  bench_cms ("GOST 2015-512", gost_p12, tirkeu_gost_issuer_get_certificate (issuer), rounds);
  bench_cms ("RSA-2048", rsa_p12, rsa_ca, rounds);

  X509_free (rsa_ca);
  return 0;
}
