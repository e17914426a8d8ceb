/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <time.h>

#include "tirkeu-cms.h"
#include "tirkeu-gost.h"
#include "tirkeu-timestamp.h"
#include "tirkeu-token-error.h"

/*
 * RFC 3161 timestamps over a signature (CAdES-T, ETSI EN 319 122-1 5.3): the imprint is the
 * hash of the SignerInfo's signature value, Streebog-512 (NCA's OID) for a GOST 2015
 * signature as NCA's agent asks it, SHA-256 otherwise. The answer comes from the network:
 * it is read within bounds and trusted only when its status is granted, its nonce and
 * imprint are ours, and its token is a valid CMS signature of a timestamp authority that
 * chains to a trusted certificate.
 */

#define OID_KP_TIME_STAMPING "1.3.6.1.5.5.7.3.8"

/* TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken ContentInfo OPTIONAL }
 * read once more as opaque values: the token is handed on with the TSA's exact bytes, not
 * as OpenSSL would encode it again. */
typedef struct
{
  ASN1_TYPE *status;
  ASN1_TYPE *token;
} TsRawResp;

ASN1_SEQUENCE (TsRawResp) = {
  ASN1_SIMPLE (TsRawResp, status, ASN1_ANY),
  ASN1_OPT (TsRawResp, token, ASN1_ANY),
} static_ASN1_SEQUENCE_END (TsRawResp)

static gpointer
fail (GError           **error,
      TirkeuTokenError   code)
{
  ERR_clear_error ();
  g_set_error_literal (error, TIRKEU_TOKEN_ERROR, code, tirkeu_token_error_to_message (code));
  return NULL;
}

static X509_ALGOR *
imprint_algorithm_new (TirkeuKeyAlgorithm algorithm)
{
  X509_ALGOR *result = X509_ALGOR_new ();

  if (result == NULL)
    return NULL;
  if (algorithm == TIRKEU_KEY_ALGORITHM_GOST_2015_512)
    X509_ALGOR_set0 (result, OBJ_nid2obj (tirkeu_gost_nid (TIRKEU_GOST_NID_STREEBOG512)),
                     V_ASN1_UNDEF, NULL);
  else
    X509_ALGOR_set_md (result, EVP_sha256 ());
  return result;
}

/**
 * tirkeu_timestamp_request_new:
 * @signature_value: the SignerInfo's signature value (tirkeu_cms_dup_signature_value())
 * @algorithm: the signer's key algorithm: GOST 2015-512 gives a Streebog-512 imprint, RSA
 *   and EC SHA-256
 * @policy_oid: (nullable): the TSA policy to ask for, e.g.
 *   %TIRKEU_TIMESTAMP_POLICY_NCA_GOST
 * @error: %TIRKEU_TOKEN_ERROR_SIGNING_FAILED when OpenSSL fails
 *
 * A TimeStampReq (DER) over @signature_value with a fresh 63-bit nonce and certReq true, so
 * that the token carries the TSA's certificate. Keep it: tirkeu_timestamp_reply_check()
 * reads the imprint and the nonce back from it.
 *
 * Returns: (transfer full): the request, or %NULL
 */
GBytes *
tirkeu_timestamp_request_new (GBytes              *signature_value,
                              TirkeuKeyAlgorithm   algorithm,
                              const char          *policy_oid,
                              GError             **error)
{
  TS_REQ *request = TS_REQ_new ();
  TS_MSG_IMPRINT *imprint = TS_MSG_IMPRINT_new ();
  X509_ALGOR *imprint_algorithm = imprint_algorithm_new (algorithm);
  ASN1_OBJECT *policy = NULL;
  ASN1_INTEGER *nonce = NULL;
  BIGNUM *nonce_bn = NULL;
  guint8 digest[EVP_MAX_MD_SIZE > 64 ? EVP_MAX_MD_SIZE : 64];
  unsigned int digest_len = 0;
  unsigned char random[8];
  const guint8 *data;
  gsize len;
  unsigned char *der = NULL;
  int der_len = 0;
  GBytes *result = NULL;

  g_return_val_if_fail (signature_value != NULL, NULL);

  data = g_bytes_get_data (signature_value, &len);
  if (algorithm == TIRKEU_KEY_ALGORITHM_GOST_2015_512)
    {
      tirkeu_gost_streebog512 (data, len, digest);
      digest_len = TIRKEU_GOST_DIGEST_SIZE;
    }
  else if (EVP_Digest (data, len, digest, &digest_len, EVP_sha256 (), NULL) != 1)
    digest_len = 0;

  if (policy_oid != NULL)
    policy = OBJ_txt2obj (policy_oid, 1);

  /* A positive INTEGER of at most 63 bits: every TSA takes that. */
  if (request != NULL && imprint != NULL && imprint_algorithm != NULL && digest_len > 0
      && (policy_oid == NULL || policy != NULL)
      && RAND_bytes (random, sizeof random) == 1)
    {
      random[0] &= 0x7f;
      random[0] |= 0x01;
      nonce_bn = BN_bin2bn (random, sizeof random, NULL);
      nonce = nonce_bn != NULL ? BN_to_ASN1_INTEGER (nonce_bn, NULL) : NULL;
    }
  if (nonce != NULL
      && TS_REQ_set_version (request, 1) == 1
      && TS_MSG_IMPRINT_set_algo (imprint, imprint_algorithm) == 1
      && TS_MSG_IMPRINT_set_msg (imprint, digest, (int) digest_len) == 1
      && TS_REQ_set_msg_imprint (request, imprint) == 1
      && (policy == NULL || TS_REQ_set_policy_id (request, policy) == 1)
      && TS_REQ_set_nonce (request, nonce) == 1
      && TS_REQ_set_cert_req (request, 1) == 1)
    der_len = i2d_TS_REQ (request, &der);
  if (der_len > 0)
    result = g_bytes_new (der, der_len);

  OPENSSL_free (der);
  BN_free (nonce_bn);
  ASN1_INTEGER_free (nonce);
  ASN1_OBJECT_free (policy);
  X509_ALGOR_free (imprint_algorithm);
  TS_MSG_IMPRINT_free (imprint);
  TS_REQ_free (request);

  if (result == NULL)
    return fail (error, TIRKEU_TOKEN_ERROR_SIGNING_FAILED);
  ERR_clear_error ();
  return result;
}

static GDateTime *
date_time_from_asn1 (const ASN1_GENERALIZEDTIME *time)
{
  struct tm tm;

  if (time == NULL || ASN1_TIME_to_tm (time, &tm) != 1)
    return NULL;
  return g_date_time_new_utc (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                              tm.tm_min, tm.tm_sec);
}

static gboolean
imprints_equal (TS_MSG_IMPRINT *a,
                TS_MSG_IMPRINT *b)
{
  const ASN1_OBJECT *oid_a = NULL, *oid_b = NULL;

  X509_ALGOR_get0 (&oid_a, NULL, NULL, TS_MSG_IMPRINT_get_algo (a));
  X509_ALGOR_get0 (&oid_b, NULL, NULL, TS_MSG_IMPRINT_get_algo (b));
  return oid_a != NULL && oid_b != NULL && OBJ_cmp (oid_a, oid_b) == 0
         && ASN1_OCTET_STRING_cmp (TS_MSG_IMPRINT_get_msg (a), TS_MSG_IMPRINT_get_msg (b)) == 0;
}

/* The token is a valid signature by one timestamp authority (its certificate has
 * id-kp-timeStamping) that chains to @trusted_x509 at the time it stamped. */
static gboolean
token_trusted (GBytes     *token,
               GPtrArray  *trusted_x509,
               GDateTime  *gen_time)
{
  g_autoptr(GPtrArray) signers = tirkeu_cms_verify (token, NULL, trusted_x509, gen_time, NULL);
  TirkeuCmsSigner *signer;
  TirkeuCertificate *certificate;
  const char * const *usages;

  if (signers == NULL || signers->len != 1)
    return FALSE;
  signer = g_ptr_array_index (signers, 0);
  certificate = tirkeu_cms_signer_get_certificate (signer);
  if (!tirkeu_cms_signer_get_signature_valid (signer)
      || tirkeu_cms_signer_get_certificate_status (signer) != TIRKEU_CMS_CERTIFICATE_TRUSTED
      || certificate == NULL)
    return FALSE;
  usages = tirkeu_certificate_get_extended_key_usages (certificate);
  return usages != NULL && g_strv_contains (usages, OID_KP_TIME_STAMPING);
}

/**
 * tirkeu_timestamp_reply_check:
 * @request_der: the request made by tirkeu_timestamp_request_new()
 * @reply_der: the TSA's TimeStampResp, as received (untrusted)
 * @trusted_x509: (element-type X509): the certificates the TSA's must chain to
 * @gen_time: (out) (optional) (transfer full): the time the TSA stamped
 * @error: a %TIRKEU_TOKEN_ERROR: TIMESTAMP_MALFORMED (cannot be read, larger than
 *   %TIRKEU_TIMESTAMP_MAX_REPLY_SIZE, granted without a token), TIMESTAMP_REFUSED (a status
 *   other than granted), TIMESTAMP_NONCE, TIMESTAMP_IMPRINT, TIMESTAMP_UNTRUSTED
 *
 * Reads and verifies a timestamp answer to @request_der.
 *
 * Returns: (transfer full): the TimeStampToken (a CMS ContentInfo, DER, as the TSA sent
 *   it), to put in the signature with tirkeu_cms_add_timestamp(), or %NULL
 */
GBytes *
tirkeu_timestamp_reply_check (GBytes      *request_der,
                              GBytes      *reply_der,
                              GPtrArray   *trusted_x509,
                              GDateTime  **gen_time,
                              GError     **error)
{
  const unsigned char *p;
  const unsigned char *start;
  gsize len;
  TS_REQ *request = NULL;
  TS_RESP *reply = NULL;
  TsRawResp *raw = NULL;
  TS_TST_INFO *info;
  const ASN1_INTEGER *request_nonce;
  const ASN1_INTEGER *reply_nonce;
  long status;
  unsigned char *token_der = NULL;
  int token_len;
  g_autoptr(GBytes) token = NULL;
  g_autoptr(GDateTime) stamped = NULL;
  GBytes *result = NULL;

  g_return_val_if_fail (request_der != NULL && reply_der != NULL, NULL);
  g_return_val_if_fail (trusted_x509 != NULL, NULL);

  p = g_bytes_get_data (request_der, &len);
  if (len == 0 || len > G_MAXLONG || (request = d2i_TS_REQ (NULL, &p, (long) len)) == NULL)
    return fail (error, TIRKEU_TOKEN_ERROR_SIGNING_FAILED);

  start = g_bytes_get_data (reply_der, &len);
  p = start;
  if (len == 0 || len > TIRKEU_TIMESTAMP_MAX_REPLY_SIZE
      || (reply = d2i_TS_RESP (NULL, &p, (long) len)) == NULL || p != start + len)
    {
      fail (error, TIRKEU_TOKEN_ERROR_TIMESTAMP_MALFORMED);
      goto out;
    }

  /* granted (0) or grantedWithMods (1); the rest say why not */
  status = ASN1_INTEGER_get (TS_STATUS_INFO_get0_status (TS_RESP_get_status_info (reply)));
  if (status != TS_STATUS_GRANTED && status != TS_STATUS_GRANTED_WITH_MODS)
    {
      ERR_clear_error ();
      g_set_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_TIMESTAMP_REFUSED,
                   /* Translators: %ld is the RFC 3161 status: 2 rejection, 3 waiting, … */
                   _("The timestamp service refused to stamp the signature (status %ld)"),
                   status);
      goto out;
    }
  info = TS_RESP_get_tst_info (reply);
  if (info == NULL || TS_RESP_get_token (reply) == NULL)
    {
      fail (error, TIRKEU_TOKEN_ERROR_TIMESTAMP_MALFORMED);
      goto out;
    }

  request_nonce = TS_REQ_get_nonce (request);
  reply_nonce = TS_TST_INFO_get_nonce (info);
  if (request_nonce == NULL || reply_nonce == NULL
      || ASN1_INTEGER_cmp (request_nonce, reply_nonce) != 0)
    {
      fail (error, TIRKEU_TOKEN_ERROR_TIMESTAMP_NONCE);
      goto out;
    }
  if (!imprints_equal (TS_REQ_get_msg_imprint (request), TS_TST_INFO_get_msg_imprint (info)))
    {
      fail (error, TIRKEU_TOKEN_ERROR_TIMESTAMP_IMPRINT);
      goto out;
    }
  stamped = date_time_from_asn1 (TS_TST_INFO_get_time (info));
  if (stamped == NULL)
    {
      fail (error, TIRKEU_TOKEN_ERROR_TIMESTAMP_MALFORMED);
      goto out;
    }

  /* The token exactly as the TSA encoded it. */
  p = start;
  raw = (TsRawResp *) ASN1_item_d2i (NULL, &p, (long) len, ASN1_ITEM_rptr (TsRawResp));
  if (raw == NULL || raw->token == NULL
      || (token_len = i2d_ASN1_TYPE (raw->token, &token_der)) <= 0)
    {
      fail (error, TIRKEU_TOKEN_ERROR_TIMESTAMP_MALFORMED);
      goto out;
    }
  token = g_bytes_new (token_der, token_len);
  OPENSSL_free (token_der);

  if (!token_trusted (token, trusted_x509, stamped))
    {
      fail (error, TIRKEU_TOKEN_ERROR_TIMESTAMP_UNTRUSTED);
      goto out;
    }

  if (gen_time != NULL)
    *gen_time = g_steal_pointer (&stamped);
  result = g_steal_pointer (&token);

out:
  ASN1_item_free ((ASN1_VALUE *) raw, ASN1_ITEM_rptr (TsRawResp));
  TS_RESP_free (reply);
  TS_REQ_free (request);
  ERR_clear_error ();
  return result;
}
