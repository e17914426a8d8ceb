/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <time.h>

#include "tirkeu-gost.h"
#include "tirkeu-ocsp.h"
#include "tirkeu-token-error.h"

/*
 * OCSP (RFC 6960): the question about one certificate, and a strict reading of the answer,
 * which comes from the network and is trusted only once it has passed every check here:
 * its size, its status, its nonce (RFC 8954: ours, echoed), its CertID (ours), its dates,
 * its signature, and its signer (the issuer itself or a responder the issuer delegated with
 * id-kp-OCSPSigning). GOST 2015 answers (NCA's) are verified by tirkeu-gost, the others by
 * OpenSSL.
 */

#define NONCE_SIZE 16

static gpointer
fail (GError           **error,
      TirkeuTokenError   code)
{
  ERR_clear_error ();
  g_set_error_literal (error, TIRKEU_TOKEN_ERROR, code, tirkeu_token_error_to_message (code));
  return NULL;
}

/**
 * tirkeu_ocsp_result_free:
 * @result: (nullable) (transfer full): a result
 */
void
tirkeu_ocsp_result_free (TirkeuOcspResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->revoked_at, g_date_time_unref);
  g_clear_pointer (&result->this_update, g_date_time_unref);
  g_clear_pointer (&result->next_update, g_date_time_unref);
  g_free (result);
}

/**
 * tirkeu_certificate_is_issued_by:
 * @certificate: a certificate
 * @issuer: a CA certificate
 *
 * Whether @issuer's key signed @certificate (GOST 2015-512 by tirkeu-gost, RSA and EC by
 * OpenSSL) and the names chain. A certificate found anywhere (a download, a key file) may
 * stand for the issuer once this holds: the key is what an OCSP answer is trusted by.
 *
 * Returns: %TRUE if @issuer issued @certificate
 */
gboolean
tirkeu_certificate_is_issued_by (X509 *certificate,
                                 X509 *issuer)
{
  gboolean ok;

  g_return_val_if_fail (certificate != NULL && issuer != NULL, FALSE);

  if (X509_NAME_cmp (X509_get_issuer_name (certificate), X509_get_subject_name (issuer)) != 0)
    return FALSE;
  if (tirkeu_gost_is_2015_512_certificate (issuer))
    ok = tirkeu_gost_verify_certificate (certificate, issuer, NULL);
  else
    {
      EVP_PKEY *key = X509_get0_pubkey (issuer);

      ok = key != NULL && X509_verify (certificate, key) == 1;
    }
  ERR_clear_error ();
  return ok;
}

static const EVP_MD *
hash_md (TirkeuOcspHash hash)
{
  return hash == TIRKEU_OCSP_HASH_SHA256 ? EVP_sha256 () : EVP_sha1 ();
}

/**
 * tirkeu_ocsp_request_new:
 * @certificate: the certificate whose status is asked
 * @issuer: its issuer (tirkeu_certificate_is_issued_by() holds)
 * @hash: the CertID's hash
 * @error: %TIRKEU_TOKEN_ERROR_ISSUER_UNKNOWN when @issuer did not issue @certificate
 *
 * An OCSPRequest (DER) for @certificate, unsigned, with one CertID and a fresh 16-byte
 * nonce. Keep it: tirkeu_ocsp_response_check() reads the CertID and the nonce back from it.
 *
 * Returns: (transfer full): the request, or %NULL
 */
GBytes *
tirkeu_ocsp_request_new (X509            *certificate,
                         X509            *issuer,
                         TirkeuOcspHash   hash,
                         GError         **error)
{
  OCSP_REQUEST *request;
  OCSP_CERTID *id;
  unsigned char nonce[NONCE_SIZE];
  unsigned char *der = NULL;
  int der_len;
  GBytes *result;

  g_return_val_if_fail (certificate != NULL && issuer != NULL, NULL);

  if (!tirkeu_certificate_is_issued_by (certificate, issuer))
    return fail (error, TIRKEU_TOKEN_ERROR_ISSUER_UNKNOWN);

  request = OCSP_REQUEST_new ();
  id = OCSP_cert_to_id (hash_md (hash), certificate, issuer);
  if (request == NULL || id == NULL || OCSP_request_add0_id (request, id) == NULL)
    {
      OCSP_CERTID_free (id);
      OCSP_REQUEST_free (request);
      return fail (error, TIRKEU_TOKEN_ERROR_CERTIFICATE);
    }
  if (RAND_bytes (nonce, sizeof nonce) != 1
      || OCSP_request_add1_nonce (request, nonce, sizeof nonce) != 1
      || (der_len = i2d_OCSP_REQUEST (request, &der)) <= 0)
    {
      OCSP_REQUEST_free (request);
      return fail (error, TIRKEU_TOKEN_ERROR_CERTIFICATE);
    }
  OCSP_REQUEST_free (request);

  result = g_bytes_new (der, der_len);
  OPENSSL_free (der);
  return result;
}

static GDateTime *
date_time_from_asn1 (const ASN1_TIME *time)
{
  struct tm tm;

  if (time == NULL || ASN1_TIME_to_tm (time, &tm) != 1)
    return NULL;
  return g_date_time_new_utc (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                              tm.tm_min, tm.tm_sec);
}

/* The answer's signature and its signer: the issuer, or a certificate the issuer issued for
 * OCSP signing (RFC 6960 4.2.2.2), valid at @now. */
static gboolean
check_signer (OCSP_BASICRESP  *basic,
              X509            *issuer,
              GDateTime       *now,
              GError         **error)
{
  const X509_ALGOR *algorithm = OCSP_resp_get0_tbs_sigalg (basic);
  const ASN1_OBJECT *oid = NULL;
  STACK_OF (X509) *extra = sk_X509_new_null ();
  X509 *signer = NULL;
  int gost_nid;
  gboolean gost;
  gboolean ok;

  /* The Kazakh OIDs are registered on first use: before the answer's OID is looked up. */
  gost_nid = tirkeu_gost_nid (TIRKEU_GOST_NID_2015_512_SIGNATURE);
  X509_ALGOR_get0 (&oid, NULL, NULL, algorithm);
  gost = OBJ_obj2nid (oid) == gost_nid;

  /* The signer named by the responderID: among the answer's certificates, or the issuer. */
  if (extra == NULL || !sk_X509_push (extra, issuer)
      || OCSP_resp_get0_signer (basic, &signer, extra) != 1 || signer == NULL)
    {
      sk_X509_free (extra);
      fail (error, TIRKEU_TOKEN_ERROR_OCSP_RESPONDER);
      return FALSE;
    }
  sk_X509_free (extra);

  if (gost)
    ok = tirkeu_gost_verify_ocsp (basic, signer, NULL);
  else
    {
      EVP_PKEY *key = X509_get0_pubkey (signer);

      ok = key != NULL
           && ASN1_item_verify (ASN1_ITEM_rptr (OCSP_RESPDATA),
                                (X509_ALGOR *) algorithm,
                                (ASN1_BIT_STRING *) OCSP_resp_get0_signature (basic),
                                (void *) OCSP_resp_get0_respdata (basic), key) == 1;
    }
  if (!ok)
    {
      fail (error, TIRKEU_TOKEN_ERROR_BAD_SIGNATURE);
      return FALSE;
    }

  if (X509_cmp (signer, issuer) == 0)
    return TRUE;

  /* A delegated responder: issued by the issuer, for OCSP signing, valid now. */
  {
    time_t at = (time_t) g_date_time_to_unix (now);

    ok = tirkeu_certificate_is_issued_by (signer, issuer)
         && (X509_get_extension_flags (signer) & EXFLAG_XKUSAGE) != 0
         && (X509_get_extended_key_usage (signer) & XKU_OCSP_SIGN) != 0
         && X509_cmp_time (X509_get0_notBefore (signer), &at) < 0
         && X509_cmp_time (X509_get0_notAfter (signer), &at) > 0;
  }
  if (!ok)
    {
      fail (error, TIRKEU_TOKEN_ERROR_OCSP_RESPONDER);
      return FALSE;
    }
  return TRUE;
}

/**
 * tirkeu_ocsp_response_check:
 * @request_der: the request made by tirkeu_ocsp_request_new()
 * @response_der: the responder's answer, as received (untrusted)
 * @issuer: the issuer given to tirkeu_ocsp_request_new()
 * @now: the time to check the answer's dates against
 * @error: a %TIRKEU_TOKEN_ERROR: OCSP_MALFORMED (cannot be read, larger than
 *   %TIRKEU_OCSP_MAX_RESPONSE_SIZE, no basic answer), OCSP_REFUSED (an error status),
 *   OCSP_NONCE, OCSP_CERT_ID (no answer about the certificate asked), OCSP_STALE
 *   (thisUpdate later than @now, or nextUpdate passed, beyond %TIRKEU_OCSP_CLOCK_SKEW),
 *   BAD_SIGNATURE, OCSP_RESPONDER
 *
 * Reads and verifies an OCSP answer to @request_der.
 *
 * Returns: (transfer full): the certificate's status, or %NULL
 */
TirkeuOcspResult *
tirkeu_ocsp_response_check (GBytes     *request_der,
                            GBytes     *response_der,
                            X509       *issuer,
                            GDateTime  *now,
                            GError    **error)
{
  const unsigned char *p;
  gsize len;
  OCSP_REQUEST *request = NULL;
  OCSP_RESPONSE *response = NULL;
  OCSP_BASICRESP *basic = NULL;
  OCSP_CERTID *id;
  OCSP_SINGLERESP *single;
  ASN1_GENERALIZEDTIME *revoked_at = NULL, *this_update = NULL, *next_update = NULL;
  TirkeuOcspResult *result = NULL;
  g_autoptr(GDateTime) latest = NULL;
  g_autoptr(GDateTime) earliest = NULL;
  int status, reason = -1, index;

  g_return_val_if_fail (request_der != NULL && response_der != NULL, NULL);
  g_return_val_if_fail (issuer != NULL && now != NULL, NULL);

  p = g_bytes_get_data (request_der, &len);
  if (len == 0 || len > G_MAXLONG || (request = d2i_OCSP_REQUEST (NULL, &p, (long) len)) == NULL
      || OCSP_request_onereq_count (request) != 1)
    {
      OCSP_REQUEST_free (request);
      return fail (error, TIRKEU_TOKEN_ERROR_CERTIFICATE);
    }
  id = OCSP_onereq_get0_id (OCSP_request_onereq_get0 (request, 0));

  p = g_bytes_get_data (response_der, &len);
  if (len == 0 || len > TIRKEU_OCSP_MAX_RESPONSE_SIZE
      || (response = d2i_OCSP_RESPONSE (NULL, &p, (long) len)) == NULL
      || p != (const unsigned char *) g_bytes_get_data (response_der, NULL) + len)
    {
      fail (error, TIRKEU_TOKEN_ERROR_OCSP_MALFORMED);
      goto out;
    }
  if (OCSP_response_status (response) != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    {
      ERR_clear_error ();
      g_set_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_OCSP_REFUSED,
                   /* Translators: %s is the responder's status, e.g. "internalerror" */
                   _("The certificate status service (OCSP) refused to answer (%s)"),
                   OCSP_response_status_str (OCSP_response_status (response)));
      goto out;
    }
  basic = OCSP_response_get1_basic (response);
  if (basic == NULL)
    {
      fail (error, TIRKEU_TOKEN_ERROR_OCSP_MALFORMED);
      goto out;
    }

  /* Who signed it first: nothing else in an unverified answer means anything. */
  if (!check_signer (basic, issuer, now, error))
    goto out;

  /* 1: both carry the same nonce; anything else (absent, different) is refused. */
  if (OCSP_check_nonce (request, basic) != 1)
    {
      fail (error, TIRKEU_TOKEN_ERROR_OCSP_NONCE);
      goto out;
    }

  index = OCSP_resp_find (basic, id, -1);
  single = index >= 0 ? OCSP_resp_get0 (basic, index) : NULL;
  if (single == NULL)
    {
      fail (error, TIRKEU_TOKEN_ERROR_OCSP_CERT_ID);
      goto out;
    }
  status = OCSP_single_get0_status (single, &reason, &revoked_at, &this_update, &next_update);

  result = g_new0 (TirkeuOcspResult, 1);
  result->revocation_reason = -1;
  result->this_update = date_time_from_asn1 (this_update);
  result->next_update = next_update != NULL ? date_time_from_asn1 (next_update) : NULL;
  latest = g_date_time_add_seconds (now, TIRKEU_OCSP_CLOCK_SKEW);
  earliest = g_date_time_add_seconds (now, -TIRKEU_OCSP_CLOCK_SKEW);
  if (result->this_update == NULL || (next_update != NULL && result->next_update == NULL)
      || g_date_time_compare (result->this_update, latest) > 0
      || (result->next_update != NULL
          && (g_date_time_compare (result->next_update, earliest) < 0
              || g_date_time_compare (result->next_update, result->this_update) < 0)))
    {
      g_clear_pointer (&result, tirkeu_ocsp_result_free);
      fail (error, TIRKEU_TOKEN_ERROR_OCSP_STALE);
      goto out;
    }

  switch (status)
    {
    case V_OCSP_CERTSTATUS_GOOD:
      result->status = TIRKEU_OCSP_STATUS_GOOD;
      break;
    case V_OCSP_CERTSTATUS_REVOKED:
      result->status = TIRKEU_OCSP_STATUS_REVOKED;
      result->revoked_at = date_time_from_asn1 (revoked_at);
      result->revocation_reason = reason;
      break;
    case V_OCSP_CERTSTATUS_UNKNOWN:
      result->status = TIRKEU_OCSP_STATUS_UNKNOWN;
      break;
    default:
      g_clear_pointer (&result, tirkeu_ocsp_result_free);
      fail (error, TIRKEU_TOKEN_ERROR_OCSP_MALFORMED);
      goto out;
    }

out:
  OCSP_BASICRESP_free (basic);
  OCSP_RESPONSE_free (response);
  OCSP_REQUEST_free (request);
  ERR_clear_error ();
  return result;
}

/**
 * tirkeu_ocsp_status_to_string:
 * @status: a #TirkeuOcspStatus
 *
 * Returns: (transfer none): "good", "revoked" or "unknown", as RFC 6960 names them (not
 *   translated: for logs and JSON)
 */
const char *
tirkeu_ocsp_status_to_string (TirkeuOcspStatus status)
{
  switch (status)
    {
    case TIRKEU_OCSP_STATUS_GOOD:
      return "good";
    case TIRKEU_OCSP_STATUS_REVOKED:
      return "revoked";
    case TIRKEU_OCSP_STATUS_UNKNOWN:
    default:
      return "unknown";
    }
}
