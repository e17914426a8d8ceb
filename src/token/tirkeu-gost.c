/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gmp.h>
#include <nettle/ecc.h>
#include <nettle/ecc-curve.h>
#include <nettle/gostdsa.h>
#include <nettle/streebog.h>
#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <string.h>

#include "tirkeu-gost.h"
#include "tirkeu-token-error.h"

static int gost_nids[4];

static gpointer
register_oids (gpointer data)
{
  static const struct { const char *oid, *short_name, *long_name; } oids[] = {
    { TIRKEU_GOST_OID_2015_512_KEY, "kz-gost2015-512",
      "GOST R 34.10-2015 512-bit key (Kazakhstan)" },
    { TIRKEU_GOST_OID_2015_512_PARAMS, "kz-gost2015-512-paramsetA",
      "GOST R 34.10-2015 512-bit curve A (Kazakhstan)" },
    { TIRKEU_GOST_OID_STREEBOG512, "kz-streebog512",
      "GOST R 34.11-2015 Streebog-512 (Kazakhstan)" },
    { TIRKEU_GOST_OID_2015_512_SIGNATURE, "kz-gost2015-512-streebog512",
      "GOST R 34.10-2015 512-bit with Streebog-512 (Kazakhstan)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (oids); i++)
    {
      int nid = OBJ_txt2nid (oids[i].oid);

      /* Another library (or an OpenSSL that learnt them) may have registered them first. */
      if (nid == NID_undef)
        nid = OBJ_create (oids[i].oid, oids[i].short_name, oids[i].long_name);
      gost_nids[i] = nid;
    }

  return NULL;
}

/**
 * tirkeu_gost_nid:
 * @which: one of the Kazakh GOST OIDs
 *
 * The OpenSSL NID of a Kazakh GOST OID, registered with OBJ_create() on the first call
 * (once per process, thread-safe), so that OpenSSL's ASN.1 can name them.
 *
 * Returns: the NID, or %NID_undef if OpenSSL refused to register it
 */
int
tirkeu_gost_nid (TirkeuGostNid which)
{
  static GOnce once = G_ONCE_INIT;

  g_return_val_if_fail ((guint) which < G_N_ELEMENTS (gost_nids), NID_undef);

  g_once (&once, register_oids, NULL);
  return gost_nids[which];
}

/**
 * tirkeu_gost_streebog512:
 * @data: (array length=len): the message
 * @len: its length in bytes
 * @digest: (out caller-allocates): the Streebog-512 (GOST R 34.11-2012) digest
 *
 * The hash, as Nettle computes it: the bytes are in the order every implementation prints
 * them (the test vectors of RFC 6986 reversed, as that RFC writes them as integers).
 */
void
tirkeu_gost_streebog512 (const void *data,
                         gsize       len,
                         guint8      digest[64])
{
  struct streebog512_ctx ctx;

  streebog512_init (&ctx);
  streebog512_update (&ctx, len, data);
  streebog512_digest (&ctx, STREEBOG512_DIGEST_SIZE, digest);
}

/* Nettle asks for randomness through this; OpenSSL's private DRBG answers. If it cannot,
 * the signature is thrown away (the nonce would not be secret) and the caller gets an
 * error; Nettle still needs bytes that end its rejection loop, hence a fixed valid value. */
typedef struct
{
  gboolean failed;
} RandomContext;

static void
random_cb (void    *data,
           size_t   length,
           uint8_t *dst)
{
  RandomContext *context = data;

  if (length > INT_MAX || RAND_priv_bytes (dst, (int) length) != 1)
    {
      context->failed = TRUE;
      memset (dst, 0x01, length);
    }
}

static void
mpz_from_le (mpz_t        value,
             const guint8 *bytes,
             gsize         len)
{
  mpz_import (value, len, -1, 1, 0, 0, bytes);
}

/* Writes @value as exactly @len little-endian bytes; FALSE if it does not fit. */
static gboolean
mpz_to_le (const mpz_t  value,
           guint8      *bytes,
           gsize        len)
{
  gsize count = 0;

  if (mpz_sgn (value) < 0 || (mpz_sizeinbase (value, 2) + 7) / 8 > len)
    return FALSE;

  memset (bytes, 0, len);
  mpz_export (bytes, &count, -1, 1, 0, 0, value);
  return count <= len;
}

/* GMP frees limbs without wiping them: a secret in an mpz is wiped by hand first. */
static void
mpz_clear_secret (mpz_t value)
{
  gsize limbs = mpz_size (value);

  if (limbs > 0)
    OPENSSL_cleanse (mpz_limbs_modify (value, limbs), limbs * sizeof (mp_limb_t));
  mpz_clear (value);
}

static void
ecc_scalar_clear_secret (struct ecc_scalar *scalar)
{
  OPENSSL_cleanse (scalar->p, ecc_size (scalar->ecc) * sizeof (mp_limb_t));
  ecc_scalar_clear (scalar);
}

/* Sets @scalar (initialised on the curve) from the little-endian private key; FALSE when it
 * is not in [1, q-1]. */
static gboolean
scalar_from_le (struct ecc_scalar *scalar,
                const guint8       private_key_le[64])
{
  mpz_t z;
  gboolean ok;

  mpz_init (z);
  mpz_from_le (z, private_key_le, TIRKEU_GOST_PRIVATE_KEY_SIZE);
  ok = ecc_scalar_set (scalar, z) == 1;
  mpz_clear_secret (z);

  return ok;
}

/* Sets @point (initialised on the curve) from x||y little-endian; FALSE when the point is
 * not on the curve. */
static gboolean
point_from_le (struct ecc_point *point,
               const guint8      public_key_le[128])
{
  mpz_t x, y;
  gboolean ok;

  mpz_inits (x, y, NULL);
  mpz_from_le (x, public_key_le, 64);
  mpz_from_le (y, public_key_le + 64, 64);
  ok = ecc_point_set (point, x, y) == 1;
  mpz_clears (x, y, NULL);

  return ok;
}

/**
 * tirkeu_gost_sign_digest:
 * @private_key_le: the 64-byte private scalar, little-endian
 * @digest: a Streebog-512 digest (tirkeu_gost_streebog512())
 * @signature: (out caller-allocates): r then s, each 64 bytes little-endian (NCA's layout)
 * @error: %TIRKEU_TOKEN_ERROR_SIGNING_FAILED when the key is not a valid scalar or no
 *   randomness could be had
 *
 * Signs with GOST R 34.10-2015 on the 512-bit curve A, with a nonce from OpenSSL's private
 * random generator. Every intermediate copy of the key is wiped.
 *
 * Returns: %TRUE on success
 */
gboolean
tirkeu_gost_sign_digest (const guint8   private_key_le[64],
                         const guint8   digest[64],
                         guint8         signature[128],
                         GError       **error)
{
  const struct ecc_curve *curve = nettle_get_gost_gc512a ();
  struct ecc_scalar key;
  struct dsa_signature value;
  RandomContext random = { FALSE };
  gboolean ok;

  ecc_scalar_init (&key, curve);
  if (!scalar_from_le (&key, private_key_le))
    {
      ecc_scalar_clear_secret (&key);
      g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_SIGNING_FAILED,
                           tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_SIGNING_FAILED));
      return FALSE;
    }

  dsa_signature_init (&value);
  gostdsa_sign (&key, &random, random_cb, TIRKEU_GOST_DIGEST_SIZE, digest, &value);
  ecc_scalar_clear_secret (&key);

  ok = !random.failed
       && mpz_to_le (value.r, signature, 64)
       && mpz_to_le (value.s, signature + 64, 64);
  dsa_signature_clear (&value);

  if (!ok)
    {
      OPENSSL_cleanse (signature, TIRKEU_GOST_SIGNATURE_SIZE);
      g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_SIGNING_FAILED,
                           tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_SIGNING_FAILED));
    }

  return ok;
}

/**
 * tirkeu_gost_verify_digest:
 * @public_key_le: x then y, each 64 bytes little-endian
 * @digest: the Streebog-512 digest of the signed data
 * @signature: r then s, each 64 bytes little-endian
 *
 * Returns: %TRUE if @signature is valid for @digest under @public_key_le; %FALSE for a bad
 *   signature and for a public key that is not a point of the curve
 */
gboolean
tirkeu_gost_verify_digest (const guint8 public_key_le[128],
                           const guint8 digest[64],
                           const guint8 signature[128])
{
  const struct ecc_curve *curve = nettle_get_gost_gc512a ();
  struct ecc_point point;
  struct dsa_signature value;
  gboolean ok = FALSE;

  ecc_point_init (&point, curve);
  dsa_signature_init (&value);

  if (point_from_le (&point, public_key_le))
    {
      mpz_from_le (value.r, signature, 64);
      mpz_from_le (value.s, signature + 64, 64);
      ok = gostdsa_verify (&point, TIRKEU_GOST_DIGEST_SIZE, digest, &value) == 1;
    }

  dsa_signature_clear (&value);
  ecc_point_clear (&point);

  return ok;
}

/**
 * tirkeu_gost_public_key_from_private:
 * @private_key_le: the 64-byte private scalar, little-endian
 * @public_key_le: (out caller-allocates): x then y, each 64 bytes little-endian
 * @error: %TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED when the scalar is not a valid key
 *
 * The public key of a private key (Nettle's scalar multiplication of the generator), e.g. to
 * find the certificate of a key file's key.
 *
 * Returns: %TRUE on success
 */
gboolean
tirkeu_gost_public_key_from_private (const guint8   private_key_le[64],
                                     guint8         public_key_le[128],
                                     GError       **error)
{
  const struct ecc_curve *curve = nettle_get_gost_gc512a ();
  struct ecc_scalar key;
  struct ecc_point point;
  mpz_t x, y;
  gboolean ok = FALSE;

  ecc_scalar_init (&key, curve);
  ecc_point_init (&point, curve);
  mpz_inits (x, y, NULL);

  if (scalar_from_le (&key, private_key_le))
    {
      ecc_point_mul_g (&point, &key);
      ecc_point_get (&point, x, y);
      ok = mpz_to_le (x, public_key_le, 64) && mpz_to_le (y, public_key_le + 64, 64);
    }

  mpz_clears (x, y, NULL);
  ecc_point_clear (&point);
  ecc_scalar_clear_secret (&key);

  if (!ok)
    g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED,
                         tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED));
  return ok;
}

/**
 * tirkeu_gost_generate_private_key:
 * @private_key_le: (out caller-allocates): a new 64-byte private scalar, little-endian
 * @error: %TIRKEU_TOKEN_ERROR_SIGNING_FAILED when no randomness could be had
 *
 * A new key on the 512-bit curve A, drawn by Nettle from OpenSSL's private random generator:
 * for test and sandbox certificate authorities, never for a person's key (the national CA
 * issues those).
 *
 * Returns: %TRUE on success
 */
gboolean
tirkeu_gost_generate_private_key (guint8   private_key_le[64],
                                  GError **error)
{
  const struct ecc_curve *curve = nettle_get_gost_gc512a ();
  struct ecc_scalar key;
  struct ecc_point point;
  RandomContext random = { FALSE };
  mpz_t z;
  gboolean ok;

  ecc_scalar_init (&key, curve);
  ecc_point_init (&point, curve);
  mpz_init (z);

  gostdsa_generate_keypair (&point, &key, &random, random_cb);
  ecc_scalar_get (&key, z);
  ok = !random.failed && mpz_to_le (z, private_key_le, TIRKEU_GOST_PRIVATE_KEY_SIZE);

  mpz_clear_secret (z);
  ecc_point_clear (&point);
  ecc_scalar_clear_secret (&key);

  if (!ok)
    {
      OPENSSL_cleanse (private_key_le, TIRKEU_GOST_PRIVATE_KEY_SIZE);
      g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_SIGNING_FAILED,
                           tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_SIGNING_FAILED));
    }
  return ok;
}

static gboolean
object_is (const ASN1_OBJECT *object,
           const char        *oid)
{
  char text[128];

  return object != NULL
         && OBJ_obj2txt (text, sizeof text, object, 1) > 0
         && g_str_equal (text, oid);
}

/**
 * tirkeu_gost_is_2015_512_key:
 * @spki: a SubjectPublicKeyInfo
 *
 * Returns: %TRUE if its algorithm is the Kazakh GOST 2015-512 public key OID
 */
gboolean
tirkeu_gost_is_2015_512_key (X509_PUBKEY *spki)
{
  ASN1_OBJECT *algorithm = NULL;

  return spki != NULL
         && X509_PUBKEY_get0_param (&algorithm, NULL, NULL, NULL, spki) == 1
         && object_is (algorithm, TIRKEU_GOST_OID_2015_512_KEY);
}

/**
 * tirkeu_gost_is_2015_512_certificate:
 * @certificate: a certificate
 *
 * Returns: %TRUE if the subject's key is a Kazakh GOST 2015-512 key
 */
gboolean
tirkeu_gost_is_2015_512_certificate (X509 *certificate)
{
  return certificate != NULL
         && tirkeu_gost_is_2015_512_key (X509_get_X509_PUBKEY (certificate));
}

static gboolean
bad_signature (GError **error)
{
  g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_BAD_SIGNATURE,
                       tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_BAD_SIGNATURE));
  return FALSE;
}

/**
 * tirkeu_gost_public_key_from_spki:
 * @spki: a SubjectPublicKeyInfo of the Kazakh GOST 2015-512 algorithm
 * @public_key_le: (out caller-allocates): x then y, each 64 bytes little-endian
 * @error: %TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM when @spki is another algorithm,
 *   %TIRKEU_TOKEN_ERROR_CERTIFICATE when the key is malformed
 *
 * The key is the 128-byte OCTET STRING inside the BIT STRING, decoded with OpenSSL's ASN.1.
 *
 * Returns: %TRUE on success
 */
gboolean
tirkeu_gost_public_key_from_spki (X509_PUBKEY  *spki,
                                  guint8        public_key_le[128],
                                  GError      **error)
{
  const unsigned char *bits = NULL;
  const unsigned char *p;
  int bits_len = 0;
  ASN1_OCTET_STRING *octets;
  gboolean ok;

  g_return_val_if_fail (spki != NULL, FALSE);

  if (!tirkeu_gost_is_2015_512_key (spki))
    {
      g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM,
                           tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM));
      return FALSE;
    }

  X509_PUBKEY_get0_param (NULL, &bits, &bits_len, NULL, spki);
  p = bits;
  octets = bits != NULL ? d2i_ASN1_OCTET_STRING (NULL, &p, bits_len) : NULL;
  ok = octets != NULL
       && p == bits + bits_len
       && ASN1_STRING_length (octets) == TIRKEU_GOST_PUBLIC_KEY_SIZE;
  if (ok)
    memcpy (public_key_le, ASN1_STRING_get0_data (octets), TIRKEU_GOST_PUBLIC_KEY_SIZE);
  ASN1_OCTET_STRING_free (octets);

  if (!ok)
    g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE,
                         tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_CERTIFICATE));
  return ok;
}

/**
 * tirkeu_gost_verify_signed_data:
 * @algorithm: the signature AlgorithmIdentifier of the signed object
 * @signature: its signature BIT STRING
 * @to_be_signed: (array length=to_be_signed_len): the exact bytes that were signed
 * @to_be_signed_len: their length
 * @signer: the certificate of the key that signed
 * @error: %TIRKEU_TOKEN_ERROR_BAD_SIGNATURE when it does not verify, also when the algorithm
 *   is not GOST 2015-512 with Streebog-512
 *
 * The check shared by certificates, CRLs and OCSP responses: Streebog-512 of the bytes, then
 * gostdsa with the signer's key, the signature in NCA's layout.
 *
 * Returns: %TRUE if the signature is valid
 */
gboolean
tirkeu_gost_verify_signed_data (const X509_ALGOR       *algorithm,
                                const ASN1_BIT_STRING  *signature,
                                const guint8           *to_be_signed,
                                gsize                   to_be_signed_len,
                                X509                   *signer,
                                GError                **error)
{
  const ASN1_OBJECT *oid = NULL;
  int param_type = V_ASN1_UNDEF;
  guint8 public_key[TIRKEU_GOST_PUBLIC_KEY_SIZE];
  guint8 digest[TIRKEU_GOST_DIGEST_SIZE];

  g_return_val_if_fail (algorithm != NULL && signature != NULL && signer != NULL, FALSE);

  X509_ALGOR_get0 (&oid, &param_type, NULL, algorithm);
  if (!object_is (oid, TIRKEU_GOST_OID_2015_512_SIGNATURE)
      || (param_type != V_ASN1_UNDEF && param_type != V_ASN1_NULL))
    return bad_signature (error);

  /* A BIT STRING with unused bits is not a whole 128-byte signature. */
  if (ASN1_STRING_length (signature) != TIRKEU_GOST_SIGNATURE_SIZE
      || (signature->flags & ASN1_STRING_FLAG_BITS_LEFT && (signature->flags & 0x07) != 0))
    return bad_signature (error);

  if (!tirkeu_gost_public_key_from_spki (X509_get_X509_PUBKEY (signer), public_key, NULL))
    return bad_signature (error);

  tirkeu_gost_streebog512 (to_be_signed, to_be_signed_len, digest);
  if (!tirkeu_gost_verify_digest (public_key, digest, ASN1_STRING_get0_data (signature)))
    return bad_signature (error);

  return TRUE;
}

/* The first element of a DER SEQUENCE (its TBS part), sliced out of the encoding of the
 * whole signed object with OpenSSL's own DER reader: the signature covers those bytes as
 * they were received, which OpenSSL keeps for certificates and CRLs. */
static gboolean
first_element (const guint8  *der,
               gsize          der_len,
               const guint8 **element,
               gsize         *element_len)
{
  const unsigned char *p = der;
  const unsigned char *start;
  long len = 0;
  int tag = 0, xclass = 0;
  int ret;

  if (der_len > G_MAXLONG)
    return FALSE;

  ret = ASN1_get_object (&p, &len, &tag, &xclass, (long) der_len);
  if ((ret & 0x80) || ret != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE)
    return FALSE;

  start = p;
  ret = ASN1_get_object (&p, &len, &tag, &xclass, (long) (der + der_len - p));
  if ((ret & 0x80) || ret != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE)
    return FALSE;

  *element = start;
  *element_len = (gsize) (p - start) + (gsize) len;
  return TRUE;
}

static gboolean
verify_encoded (const guint8           *der,
                int                     der_len,
                const X509_ALGOR       *algorithm,
                const ASN1_BIT_STRING  *signature,
                X509                   *signer,
                GError                **error)
{
  const guint8 *tbs;
  gsize tbs_len;

  if (der_len <= 0 || !first_element (der, (gsize) der_len, &tbs, &tbs_len))
    return bad_signature (error);

  return tirkeu_gost_verify_signed_data (algorithm, signature, tbs, tbs_len, signer, error);
}

/**
 * tirkeu_gost_verify_certificate:
 * @certificate: a certificate signed with GOST 2015-512
 * @issuer: its issuer's certificate
 * @error: %TIRKEU_TOKEN_ERROR_BAD_SIGNATURE when the signature does not verify
 *
 * Checks the signature only (OpenSSL cannot: it knows no Kazakh OID), not the names or
 * the validity; the two signature algorithm fields must agree, as RFC 5280 requires.
 *
 * Returns: %TRUE if @issuer's key signed @certificate
 */
gboolean
tirkeu_gost_verify_certificate (X509    *certificate,
                                X509    *issuer,
                                GError **error)
{
  const ASN1_BIT_STRING *signature = NULL;
  const X509_ALGOR *algorithm = NULL;
  unsigned char *der = NULL;
  int der_len;
  gboolean ok;

  g_return_val_if_fail (certificate != NULL && issuer != NULL, FALSE);

  X509_get0_signature (&signature, &algorithm, certificate);
  if (X509_ALGOR_cmp (algorithm, X509_get0_tbs_sigalg (certificate)) != 0)
    return bad_signature (error);

  der_len = i2d_X509 (certificate, &der);
  ok = verify_encoded (der, der_len, algorithm, signature, issuer, error);
  OPENSSL_free (der);

  return ok;
}

/**
 * tirkeu_gost_verify_crl:
 * @crl: a CRL signed with GOST 2015-512
 * @issuer: the certificate of the CA that issued it
 * @error: %TIRKEU_TOKEN_ERROR_BAD_SIGNATURE when the signature does not verify
 *
 * Returns: %TRUE if @issuer's key signed @crl
 */
gboolean
tirkeu_gost_verify_crl (X509_CRL  *crl,
                        X509      *issuer,
                        GError   **error)
{
  const ASN1_BIT_STRING *signature = NULL;
  const X509_ALGOR *algorithm = NULL;
  unsigned char *der = NULL;
  int der_len;
  gboolean ok;

  g_return_val_if_fail (crl != NULL && issuer != NULL, FALSE);

  /* OpenSSL 3.0 has no getter for the inner algorithm of a CRL: the outer one decides,
   * and the inner one is covered by the signature anyway. */
  X509_CRL_get0_signature (crl, &signature, &algorithm);
  der_len = i2d_X509_CRL (crl, &der);
  ok = verify_encoded (der, der_len, algorithm, signature, issuer, error);
  OPENSSL_free (der);

  return ok;
}

/**
 * tirkeu_gost_verify_ocsp:
 * @response: a BasicOCSPResponse signed with GOST 2015-512
 * @responder: the certificate of the responder that signed it
 * @error: %TIRKEU_TOKEN_ERROR_BAD_SIGNATURE when the signature does not verify
 *
 * Checks the signature over tbsResponseData, encoded by OpenSSL's i2d of the
 * ResponseData item. Whether @responder may answer for the certificate (its issuer signed
 * it, it has id-kp-OCSPSigning) is the caller's to check.
 *
 * Returns: %TRUE if @responder's key signed @response
 */
gboolean
tirkeu_gost_verify_ocsp (OCSP_BASICRESP  *response,
                         X509            *responder,
                         GError         **error)
{
  const OCSP_RESPDATA *data;
  unsigned char *der = NULL;
  int der_len;
  gboolean ok;

  g_return_val_if_fail (response != NULL && responder != NULL, FALSE);

  data = OCSP_resp_get0_respdata (response);
  der_len = i2d_OCSP_RESPDATA ((OCSP_RESPDATA *) data, &der);
  if (der_len <= 0)
    return bad_signature (error);

  ok = tirkeu_gost_verify_signed_data (OCSP_resp_get0_tbs_sigalg (response),
                                       OCSP_resp_get0_signature (response),
                                       der, der_len, responder, error);
  OPENSSL_free (der);

  return ok;
}
