/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TIRKEU_TOKEN_ERROR (tirkeu_token_error_quark ())

/**
 * TirkeuTokenError:
 * @TIRKEU_TOKEN_ERROR_MODULE: the PKCS#11 module could not be loaded or failed
 * @TIRKEU_TOKEN_ERROR_NO_TOKEN: no token with that label or serial is present
 * @TIRKEU_TOKEN_ERROR_TOKEN_REMOVED: the token was removed during the operation
 * @TIRKEU_TOKEN_ERROR_PIN_INCORRECT: wrong PIN; the token says nothing about the tries left
 * @TIRKEU_TOKEN_ERROR_PIN_COUNT_LOW: wrong PIN, and the token says few tries are left
 * @TIRKEU_TOKEN_ERROR_PIN_FINAL_TRY: wrong PIN, and one try is left
 * @TIRKEU_TOKEN_ERROR_PIN_LOCKED: the PIN is locked (no tries left)
 * @TIRKEU_TOKEN_ERROR_PIN_INVALID: the PIN has characters or a length the token refuses
 * @TIRKEU_TOKEN_ERROR_NO_KEY: the certificate has no private key on the token
 * @TIRKEU_TOKEN_ERROR_CERTIFICATE: no such certificate, or it cannot be read
 * @TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM: the key uses an algorithm we cannot sign with
 *   (GOST 34.310-2004 of the old NCA sets, or one we do not know)
 * @TIRKEU_TOKEN_ERROR_NOT_SELLER_BIN: the certificate's BIN is not the seller's
 * @TIRKEU_TOKEN_ERROR_EXPIRED: the certificate has expired
 * @TIRKEU_TOKEN_ERROR_NOT_YET_VALID: the certificate is not valid yet
 * @TIRKEU_TOKEN_ERROR_WRONG_KEY_KIND: an AUTH key for a document or a SIGN key for sign-in
 * @TIRKEU_TOKEN_ERROR_NO_RIGHT_TO_SIGN: the role in the certificate has no right to sign
 * @TIRKEU_TOKEN_ERROR_SIGNING_FAILED: the token or OpenSSL failed to make the signature
 * @TIRKEU_TOKEN_ERROR_KEY_FILE_NOT_PKCS12: the file is not a key file (not PKCS#12 at all)
 * @TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD: the key file's password is wrong (its MAC fails)
 * @TIRKEU_TOKEN_ERROR_KEY_FILE_NO_KEY: the key file holds no private key
 * @TIRKEU_TOKEN_ERROR_KEY_FILE_NO_CERTIFICATE: the key file has no certificate of its key
 * @TIRKEU_TOKEN_ERROR_KEY_FILE_UNSUPPORTED: the key file's key is of a type we cannot use
 * @TIRKEU_TOKEN_ERROR_KEY_FILE_OLD_GOST: the key is GOST 34.310-2004, an old key set that
 *   the national CA must re-issue
 * @TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED: the key file is truncated or malformed inside
 * @TIRKEU_TOKEN_ERROR_BAD_SIGNATURE: a signature (of a certificate, CRL, OCSP response or
 *   CMS) does not verify, or its algorithm cannot be checked
 * @TIRKEU_TOKEN_ERROR_CMS: the data is not a CMS signature, or it is malformed
 * @TIRKEU_TOKEN_ERROR_ISSUER_UNKNOWN: the certificate's issuer (needed to ask its status or
 *   to trust an answer) was not found
 * @TIRKEU_TOKEN_ERROR_OCSP_MALFORMED: the OCSP answer cannot be read, or is too large
 * @TIRKEU_TOKEN_ERROR_OCSP_REFUSED: the OCSP responder answered with an error status
 * @TIRKEU_TOKEN_ERROR_OCSP_NONCE: the OCSP answer's nonce is missing or not the one asked
 * @TIRKEU_TOKEN_ERROR_OCSP_CERT_ID: the OCSP answer is about another certificate
 * @TIRKEU_TOKEN_ERROR_OCSP_STALE: the OCSP answer is out of date, or dated in the future
 * @TIRKEU_TOKEN_ERROR_OCSP_RESPONDER: the OCSP answer is signed by a key that may not
 *   answer for the certificate's issuer
 * @TIRKEU_TOKEN_ERROR_TIMESTAMP_MALFORMED: the timestamp answer cannot be read
 * @TIRKEU_TOKEN_ERROR_TIMESTAMP_REFUSED: the timestamp authority refused the request
 * @TIRKEU_TOKEN_ERROR_TIMESTAMP_NONCE: the timestamp's nonce is missing or not the one asked
 * @TIRKEU_TOKEN_ERROR_TIMESTAMP_IMPRINT: the timestamp is over other data than the signature
 * @TIRKEU_TOKEN_ERROR_TIMESTAMP_UNTRUSTED: the timestamp's signature does not verify, or
 *   its signer is not a timestamp authority of the trusted CA
 * @TIRKEU_TOKEN_ERROR_CERTIFICATE_REVOKED: the certification authority revoked the
 *   certificate: it may not sign
 * @TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNKNOWN: the certification authority does not know
 *   the certificate: it may not sign
 * @TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNCHECKED: the certificate's status could not be
 *   checked, and the settings say not to sign without it
 *
 * Token errors. Cancellation is reported as %G_IO_ERROR_CANCELLED, as everywhere in GIO.
 * tirkeu_token_error_to_message() gives the translated text a user sees.
 */
typedef enum
{
  TIRKEU_TOKEN_ERROR_MODULE,
  TIRKEU_TOKEN_ERROR_NO_TOKEN,
  TIRKEU_TOKEN_ERROR_TOKEN_REMOVED,
  TIRKEU_TOKEN_ERROR_PIN_INCORRECT,
  TIRKEU_TOKEN_ERROR_PIN_COUNT_LOW,
  TIRKEU_TOKEN_ERROR_PIN_FINAL_TRY,
  TIRKEU_TOKEN_ERROR_PIN_LOCKED,
  TIRKEU_TOKEN_ERROR_PIN_INVALID,
  TIRKEU_TOKEN_ERROR_NO_KEY,
  TIRKEU_TOKEN_ERROR_CERTIFICATE,
  TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM,
  TIRKEU_TOKEN_ERROR_NOT_SELLER_BIN,
  TIRKEU_TOKEN_ERROR_EXPIRED,
  TIRKEU_TOKEN_ERROR_NOT_YET_VALID,
  TIRKEU_TOKEN_ERROR_WRONG_KEY_KIND,
  TIRKEU_TOKEN_ERROR_NO_RIGHT_TO_SIGN,
  TIRKEU_TOKEN_ERROR_SIGNING_FAILED,
  TIRKEU_TOKEN_ERROR_KEY_FILE_NOT_PKCS12,
  TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD,
  TIRKEU_TOKEN_ERROR_KEY_FILE_NO_KEY,
  TIRKEU_TOKEN_ERROR_KEY_FILE_NO_CERTIFICATE,
  TIRKEU_TOKEN_ERROR_KEY_FILE_UNSUPPORTED,
  TIRKEU_TOKEN_ERROR_KEY_FILE_OLD_GOST,
  TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED,
  TIRKEU_TOKEN_ERROR_BAD_SIGNATURE,
  TIRKEU_TOKEN_ERROR_CMS,
  TIRKEU_TOKEN_ERROR_ISSUER_UNKNOWN,
  TIRKEU_TOKEN_ERROR_OCSP_MALFORMED,
  TIRKEU_TOKEN_ERROR_OCSP_REFUSED,
  TIRKEU_TOKEN_ERROR_OCSP_NONCE,
  TIRKEU_TOKEN_ERROR_OCSP_CERT_ID,
  TIRKEU_TOKEN_ERROR_OCSP_STALE,
  TIRKEU_TOKEN_ERROR_OCSP_RESPONDER,
  TIRKEU_TOKEN_ERROR_TIMESTAMP_MALFORMED,
  TIRKEU_TOKEN_ERROR_TIMESTAMP_REFUSED,
  TIRKEU_TOKEN_ERROR_TIMESTAMP_NONCE,
  TIRKEU_TOKEN_ERROR_TIMESTAMP_IMPRINT,
  TIRKEU_TOKEN_ERROR_TIMESTAMP_UNTRUSTED,
  TIRKEU_TOKEN_ERROR_CERTIFICATE_REVOKED,
  TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNKNOWN,
  TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNCHECKED,
} TirkeuTokenError;

GQuark       tirkeu_token_error_quark      (void);
const char  *tirkeu_token_error_to_message (TirkeuTokenError code);
gboolean     tirkeu_token_error_is_wrong_pin (const GError  *error);

G_END_DECLS
