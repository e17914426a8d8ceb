/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* GOST 2015-512 keys and certificates made the way NCA makes them (DOMAIN.md, "GOST 2015-512
 * as NCA encodes it"), for the token tests: a test CA, a seller's one-key certificate, an NCA
 * key file of it (tirkeu_key_file_write_pkcs12()) and the configuration of the project's
 * GOST PKCS#11 test module (tests/gost-pkcs11-module.c). The arithmetic is src/token's
 * (Nettle); OpenSSL builds the ASN.1. */

#include <gio/gio.h>
#include <openssl/x509v3.h>

#include "tirkeu-gost.h"
#include "tirkeu-key-file.h"

typedef struct
{
  guint8  key[TIRKEU_GOST_PRIVATE_KEY_SIZE];
  X509   *certificate;
} GostIdentity;

static inline void
gost_identity_free (GostIdentity *identity)
{
  OPENSSL_cleanse (identity->key, sizeof identity->key);
  X509_free (identity->certificate);
  g_free (identity);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GostIdentity, gost_identity_free)

static inline void
gost_set_algorithm (X509_ALGOR *algorithm)
{
  X509_ALGOR_set0 (algorithm, OBJ_txt2obj (TIRKEU_GOST_OID_2015_512_SIGNATURE, 1), V_ASN1_NULL,
                   NULL);
}

static inline void
gost_set_public_key (X509         *certificate,
                     const guint8  key[TIRKEU_GOST_PRIVATE_KEY_SIZE])
{
  guint8 public_key[TIRKEU_GOST_PUBLIC_KEY_SIZE];
  ASN1_OCTET_STRING *octets = ASN1_OCTET_STRING_new ();
  unsigned char *octets_der = NULL;
  int octets_len;
  ASN1_TYPE *params = ASN1_TYPE_new ();
  STACK_OF (ASN1_TYPE) *oids = sk_ASN1_TYPE_new_null ();
  ASN1_STRING *params_der = NULL;
  /* OpenSSL 3.0 has no setter for a whole X509_PUBKEY: the certificate's own is filled */
  X509_PUBKEY *spki = X509_get_X509_PUBKEY (certificate);
  g_autoptr(GError) error = NULL;

  g_assert_true (tirkeu_gost_public_key_from_private (key, public_key, &error));
  g_assert_no_error (error);
  ASN1_OCTET_STRING_set (octets, public_key, sizeof public_key);
  octets_len = i2d_ASN1_OCTET_STRING (octets, &octets_der);

  /* parameters: SEQUENCE { curve OID, hash OID } */
  for (const char *oid = TIRKEU_GOST_OID_2015_512_PARAMS; oid != NULL;
       oid = g_str_equal (oid, TIRKEU_GOST_OID_STREEBOG512) ? NULL : TIRKEU_GOST_OID_STREEBOG512)
    {
      ASN1_TYPE *item = ASN1_TYPE_new ();

      ASN1_TYPE_set (item, V_ASN1_OBJECT, OBJ_txt2obj (oid, 1));
      sk_ASN1_TYPE_push (oids, item);
    }
  {
    unsigned char *der = NULL;
    int len = i2d_ASN1_SEQUENCE_ANY (oids, &der);

    params_der = ASN1_STRING_new ();
    ASN1_STRING_set (params_der, der, len);
    OPENSSL_free (der);
  }
  ASN1_TYPE_free (params);
  sk_ASN1_TYPE_pop_free (oids, ASN1_TYPE_free);

  g_assert_true (X509_PUBKEY_set0_param (spki, OBJ_txt2obj (TIRKEU_GOST_OID_2015_512_KEY, 1),
                                         V_ASN1_SEQUENCE, params_der, octets_der, octets_len));
  ASN1_OCTET_STRING_free (octets);
}

static inline void
gost_add_extension (X509       *certificate,
                    X509       *issuer,
                    int         nid,
                    const char *value)
{
  X509V3_CTX ctx;
  X509_EXTENSION *extension;

  X509V3_set_ctx (&ctx, issuer != NULL ? issuer : certificate, certificate, NULL, NULL, 0);
  extension = X509V3_EXT_conf_nid (NULL, &ctx, nid, value);
  g_assert_nonnull (extension);
  X509_add_ext (certificate, extension, -1);
  X509_EXTENSION_free (extension);
}

/* Signs @certificate's TBS with @issuer_key: Streebog-512, GOST 2015-512, NCA's layout. */
static inline void
gost_sign_certificate (X509         *certificate,
                       const guint8  issuer_key[TIRKEU_GOST_PRIVATE_KEY_SIZE])
{
  const ASN1_BIT_STRING *signature_c;
  const X509_ALGOR *outer_c;
  ASN1_BIT_STRING *signature;
  unsigned char *tbs = NULL;
  int tbs_len;
  guint8 digest[TIRKEU_GOST_DIGEST_SIZE];
  guint8 signature_bytes[TIRKEU_GOST_SIGNATURE_SIZE];
  g_autoptr(GError) error = NULL;

  gost_set_algorithm ((X509_ALGOR *) X509_get0_tbs_sigalg (certificate));
  X509_get0_signature (&signature_c, &outer_c, certificate);
  gost_set_algorithm ((X509_ALGOR *) outer_c);

  tbs_len = i2d_re_X509_tbs (certificate, &tbs);
  g_assert_cmpint (tbs_len, >, 0);
  tirkeu_gost_streebog512 (tbs, tbs_len, digest);
  OPENSSL_free (tbs);
  g_assert_true (tirkeu_gost_sign_digest (issuer_key, digest, signature_bytes, &error));
  g_assert_no_error (error);

  signature = (ASN1_BIT_STRING *) signature_c;
  ASN1_BIT_STRING_set (signature, signature_bytes, sizeof signature_bytes);
  signature->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  signature->flags |= ASN1_STRING_FLAG_BITS_LEFT;
}

/**
 * gost_identity_new:
 * @issuer: (nullable): the CA; %NULL for a self-signed CA
 * @subject: "/CN=…/serialNumber=IIN…/…", UTF-8
 * @eku: (nullable): the extended key usage, as openssl.cnf writes it; %NULL for a CA
 * @from_days, @to_days: the validity, in days from now
 */
static inline GostIdentity *
gost_identity_new (GostIdentity *issuer,
                   const char   *subject,
                   const char   *eku,
                   int           from_days,
                   int           to_days)
{
  GostIdentity *identity = g_new0 (GostIdentity, 1);
  X509 *certificate = X509_new ();
  X509_NAME *name = X509_NAME_new ();
  g_auto(GStrv) parts = g_strsplit (subject + 1, "/", -1);
  static int serial = 100;

  g_assert_true (tirkeu_gost_generate_private_key (identity->key, NULL));

  X509_set_version (certificate, X509_VERSION_3);
  ASN1_INTEGER_set (X509_get_serialNumber (certificate), serial++);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (parts[i], "=", 2);

      g_assert_true (X509_NAME_add_entry_by_txt (name, pair[0], MBSTRING_UTF8,
                                                 (const unsigned char *) pair[1], -1, -1, 0));
    }
  X509_set_subject_name (certificate, name);
  X509_set_issuer_name (certificate, issuer != NULL
                                     ? X509_get_subject_name (issuer->certificate) : name);
  X509_NAME_free (name);
  X509_time_adj_ex (X509_getm_notBefore (certificate), from_days, 0, NULL);
  X509_time_adj_ex (X509_getm_notAfter (certificate), to_days, 0, NULL);
  gost_set_public_key (certificate, identity->key);

  if (eku == NULL)
    {
      gost_add_extension (certificate, NULL, NID_basic_constraints, "critical,CA:TRUE");
      gost_add_extension (certificate, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
  else
    {
      gost_add_extension (certificate, issuer->certificate, NID_basic_constraints, "CA:FALSE");
      /* one key for everything, as NCA issues GOST 2015 keys */
      gost_add_extension (certificate, issuer->certificate, NID_key_usage,
                          "critical,digitalSignature,nonRepudiation,keyEncipherment");
      gost_add_extension (certificate, issuer->certificate, NID_ext_key_usage, eku);
    }
  gost_add_extension (certificate, NULL, NID_subject_key_identifier, "hash");

  gost_sign_certificate (certificate, issuer != NULL ? issuer->key : identity->key);
  identity->certificate = certificate;
  return identity;
}

/* The private key as NCA's key files hold it: PKCS#8, the Kazakh key OID, the 64-byte
 * little-endian scalar in an OCTET STRING. */
static inline GBytes *
gost_identity_key_file (GostIdentity *identity,
                        const char   *password)
{
  ASN1_OCTET_STRING *octets = ASN1_OCTET_STRING_new ();
  PKCS8_PRIV_KEY_INFO *key = PKCS8_PRIV_KEY_INFO_new ();
  unsigned char *der = NULL;
  int der_len;
  g_autoptr(GError) error = NULL;
  GBytes *p12;

  ASN1_OCTET_STRING_set (octets, identity->key, sizeof identity->key);
  der_len = i2d_ASN1_OCTET_STRING (octets, &der);
  g_assert_true (PKCS8_pkey_set0 (key, OBJ_txt2obj (TIRKEU_GOST_OID_2015_512_KEY, 1), 0,
                                  V_ASN1_UNDEF, NULL, der, der_len));
  p12 = tirkeu_key_file_write_pkcs12 (key, identity->certificate, NULL, password, &error);
  g_assert_no_error (error);
  ASN1_OCTET_STRING_free (octets);
  PKCS8_PRIV_KEY_INFO_free (key);
  return p12;
}

static inline void
gost_write_der (X509       *certificate,
                const char *path)
{
  unsigned char *der = NULL;
  int len = i2d_X509 (certificate, &der);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) der, len, &error);
  g_assert_no_error (error);
  OPENSSL_free (der);
}

/* The configuration of tests/gost-pkcs11-module.c for a token holding @identity's key. */
static inline void
gost_write_token_config (GostIdentity *identity,
                         const char   *dir,
                         const char   *pin,
                         const char   *extra)
{
  g_autofree char *config = g_build_filename (dir, "gost-token.conf", NULL);
  g_autofree char *certificate = g_build_filename (dir, "gost-token.der", NULL);
  g_autofree char *key_hex = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GString) hex = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < sizeof identity->key; i++)
    g_string_append_printf (hex, "%02x", identity->key[i]);
  gost_write_der (identity->certificate, certificate);
  text = g_strdup_printf ("label=gost-token\nserial=GOST2015TEST\npin=%s\nid=0b\nkey=%s\n"
                          "certificate=%s\n%s", pin, hex->str, certificate,
                          extra != NULL ? extra : "");
  g_file_set_contents (config, text, -1, &error);
  g_assert_no_error (error);
  g_setenv ("TIRKEU_GOST_TOKEN_CONFIG", config, TRUE);
}
