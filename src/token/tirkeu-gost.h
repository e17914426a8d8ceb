/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * GOST R 34.10-2015 (512 bits) and Streebog-512 as the national CA of Kazakhstan (NCA RK)
 * encodes them: the curve and the hash are the standard ones (id-tc26-gost-3410-12-512-
 * paramSetA, GOST R 34.11-2012), the OIDs are Kazakh, and every integer is little-endian.
 *
 * - A public key is 128 bytes: x then y, each 64 bytes little-endian (the OCTET STRING
 *   inside the SubjectPublicKeyInfo's BIT STRING).
 * - A private key is a 64-byte little-endian scalar.
 * - A digest is read as a little-endian integer (as Nettle's gostdsa does).
 * - A signature is 128 bytes: r then s, each 64 bytes little-endian: the RFC 4491 `s||r`
 *   big-endian block reversed. This layout is used in certificates, CRLs, OCSP responses
 *   and CMS alike.
 *
 * The curve and hash arithmetic is Nettle's (the crypto library under GnuTLS); the ASN.1 is
 * OpenSSL's. Nothing here is thread-bound: every function may run on any thread.
 */

#include <glib.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

G_BEGIN_DECLS

/* The Kazakh OIDs (DOMAIN.md, "GOST 2015-512 as NCA encodes it"). */
#define TIRKEU_GOST_OID_2015_512_KEY        "1.2.398.3.10.1.1.2.2"
#define TIRKEU_GOST_OID_2015_512_PARAMS     "1.2.398.3.10.1.1.2.2.1"
#define TIRKEU_GOST_OID_STREEBOG512         "1.2.398.3.10.1.3.3"
#define TIRKEU_GOST_OID_2015_512_SIGNATURE  "1.2.398.3.10.1.1.2.3.2"
/* GOST 34.310-2004, the previous national algorithm: recognised, never used. */
#define TIRKEU_GOST_OID_2004_PREFIX         "1.2.398.3.10.1.1.1."
#define TIRKEU_GOST_OID_2004_SIGNATURE      "1.2.398.3.10.1.1.1.2"
#define TIRKEU_GOST_OID_2004_HASH           "1.2.398.3.10.1.3.1"

#define TIRKEU_GOST_DIGEST_SIZE       64
#define TIRKEU_GOST_PRIVATE_KEY_SIZE  64
#define TIRKEU_GOST_PUBLIC_KEY_SIZE   128
#define TIRKEU_GOST_SIGNATURE_SIZE    128

/**
 * TirkeuGostNid:
 * @TIRKEU_GOST_NID_2015_512_KEY: the public key algorithm
 * @TIRKEU_GOST_NID_2015_512_PARAMS: the curve parameters
 * @TIRKEU_GOST_NID_STREEBOG512: the hash
 * @TIRKEU_GOST_NID_2015_512_SIGNATURE: the signature algorithm
 *
 * The Kazakh OIDs that OpenSSL does not know, registered once per process.
 */
typedef enum
{
  TIRKEU_GOST_NID_2015_512_KEY,
  TIRKEU_GOST_NID_2015_512_PARAMS,
  TIRKEU_GOST_NID_STREEBOG512,
  TIRKEU_GOST_NID_2015_512_SIGNATURE,
} TirkeuGostNid;

int       tirkeu_gost_nid                   (TirkeuGostNid         which);

void      tirkeu_gost_streebog512           (const void           *data,
                                             gsize                 len,
                                             guint8                digest[64]);

gboolean  tirkeu_gost_sign_digest           (const guint8          private_key_le[64],
                                             const guint8          digest[64],
                                             guint8                signature[128],
                                             GError              **error);
gboolean  tirkeu_gost_verify_digest         (const guint8          public_key_le[128],
                                             const guint8          digest[64],
                                             const guint8          signature[128]);

gboolean  tirkeu_gost_public_key_from_private (const guint8        private_key_le[64],
                                               guint8              public_key_le[128],
                                               GError            **error);
gboolean  tirkeu_gost_generate_private_key  (guint8                private_key_le[64],
                                             GError              **error);

gboolean  tirkeu_gost_is_2015_512_key       (X509_PUBKEY          *spki);
gboolean  tirkeu_gost_is_2015_512_certificate (X509               *certificate);
gboolean  tirkeu_gost_public_key_from_spki  (X509_PUBKEY          *spki,
                                             guint8                public_key_le[128],
                                             GError              **error);

gboolean  tirkeu_gost_verify_signed_data    (const X509_ALGOR     *algorithm,
                                             const ASN1_BIT_STRING *signature,
                                             const guint8         *to_be_signed,
                                             gsize                 to_be_signed_len,
                                             X509                 *signer,
                                             GError              **error);
gboolean  tirkeu_gost_verify_certificate    (X509                 *certificate,
                                             X509                 *issuer,
                                             GError              **error);
gboolean  tirkeu_gost_verify_crl            (X509_CRL             *crl,
                                             X509                 *issuer,
                                             GError              **error);
gboolean  tirkeu_gost_verify_ocsp           (OCSP_BASICRESP       *response,
                                             X509                 *responder,
                                             GError              **error);

G_END_DECLS
