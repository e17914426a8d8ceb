/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-token-error.h"

G_DEFINE_QUARK (tirkeu-token-error-quark, tirkeu_token_error)

/**
 * tirkeu_token_error_to_message:
 * @code: a #TirkeuTokenError
 *
 * The message a user sees for @code, in the UI language. The PIN and "no token" messages use
 * the wording of the national signing agent (NCALayer), which the sales desk already knows.
 *
 * Returns: (transfer none): a translated message
 */
const char *
tirkeu_token_error_to_message (TirkeuTokenError code)
{
  switch (code)
    {
    case TIRKEU_TOKEN_ERROR_MODULE:
      return _("The token's PKCS#11 module could not be loaded");
    case TIRKEU_TOKEN_ERROR_NO_TOKEN:
      /* Translators: the national signing agent's wording: ru «Защищенный носитель не
       * обнаружен», kk «Қауіпсіз сақтау құрылғысы табылмады» */
      return _("Secure storage device not found");
    case TIRKEU_TOKEN_ERROR_TOKEN_REMOVED:
      return _("The token was removed. Insert it and try again");
    case TIRKEU_TOKEN_ERROR_PIN_INCORRECT:
      /* Translators: the signing agent says ru «Неверный пароль», kk «Қате құпиясөз» */
      return _("Incorrect password");
    case TIRKEU_TOKEN_ERROR_PIN_COUNT_LOW:
      /* Translators: PKCS#11 reports "few tries left" as a flag, not a number. Start as
       * the signing agent: ru «Неверный пароль. Осталось мало попыток», kk «Қате
       * құпиясөз. Қалған мүмкіндіктер саны аз» */
      return _("Incorrect password. Few attempts left");
    case TIRKEU_TOKEN_ERROR_PIN_FINAL_TRY:
      /* Translators: the signing agent's wording: ru «Неверный пароль. Осталось попыток:
       * 1», kk «Қате құпиясөз. Қалған мүмкіндіктер саны: 1» */
      return _("Incorrect password. Attempts left: 1");
    case TIRKEU_TOKEN_ERROR_PIN_LOCKED:
      /* Translators: ru «Пароль заблокирован. Осталось попыток: 0», kk «Құпиясөз
       * бұғатталды. Қалған мүмкіндіктер саны: 0» */
      return _("The password is locked. Attempts left: 0. Unlock the token with its PUK code");
    case TIRKEU_TOKEN_ERROR_PIN_INVALID:
      return _("The token does not accept a password of this length or with these characters");
    case TIRKEU_TOKEN_ERROR_NO_KEY:
      return _("The token has no private key for this certificate");
    case TIRKEU_TOKEN_ERROR_CERTIFICATE:
      return _("The certificate was not found on the token or cannot be read");
    case TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM:
      return _("The key uses an algorithm Tirkeu cannot sign with");
    case TIRKEU_TOKEN_ERROR_NOT_SELLER_BIN:
      /* Translators: BIN: ru БИН, kk БСН */
      return _("The certificate belongs to another organisation: its BIN is not the seller's");
    case TIRKEU_TOKEN_ERROR_EXPIRED:
      return _("The certificate has expired");
    case TIRKEU_TOKEN_ERROR_NOT_YET_VALID:
      return _("The certificate is not valid yet");
    case TIRKEU_TOKEN_ERROR_WRONG_KEY_KIND:
      /* Translators: AUTH and SIGN are the names of the two keys on an NCA token */
      return _("This is an AUTH key, for signing in. Choose the SIGN key to sign the request");
    case TIRKEU_TOKEN_ERROR_NO_RIGHT_TO_SIGN:
      return _("The certificate is an employee's: it gives no right to sign on behalf of "
               "the organisation");
    case TIRKEU_TOKEN_ERROR_SIGNING_FAILED:
      return _("The token could not make the signature");
    case TIRKEU_TOKEN_ERROR_KEY_FILE_NOT_PKCS12:
      /* Translators: a key file is the .p12 file the national certification authority
       * (NCA) issues, e.g. GOST512_….p12 */
      return _("This file is not an NCA key file (PKCS#12)");
    case TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD:
      /* Translators: the signing agent says ru «Неверный пароль», kk «Қате құпиясөз»; a key
       * file's secret is its «пароль» / «құпиясөз» too */
      return _("Incorrect password for the key file");
    case TIRKEU_TOKEN_ERROR_KEY_FILE_NO_KEY:
      return _("The key file holds no private key");
    case TIRKEU_TOKEN_ERROR_KEY_FILE_NO_CERTIFICATE:
      return _("The key file holds no certificate for its private key");
    case TIRKEU_TOKEN_ERROR_KEY_FILE_UNSUPPORTED:
      return _("The key file holds a key of a type Tirkeu cannot sign with");
    case TIRKEU_TOKEN_ERROR_KEY_FILE_OLD_GOST:
      /* Translators: GOST 34.310-2004 is the Kazakh signature algorithm before 2024; NCA is
       * the national certification authority (ru НУЦ, kk ҰКО) */
      return _("This is an old GOST 34.310-2004 key set, which can no longer be used: "
               "have the national certification authority (NCA) re-issue your keys");
    case TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED:
      return _("The key file is damaged or truncated");
    case TIRKEU_TOKEN_ERROR_BAD_SIGNATURE:
      return _("The signature is not valid");
    case TIRKEU_TOKEN_ERROR_CMS:
      return _("This is not a CMS signature, or it is damaged");
    case TIRKEU_TOKEN_ERROR_ISSUER_UNKNOWN:
      return _("The certification authority that issued the certificate was not found");
    /* Translators: OCSP is the certification authority's online certificate status
     * service; NCA's agent calls it ru «сервис OCSP», kk «OCSP қызметі» */
    case TIRKEU_TOKEN_ERROR_OCSP_MALFORMED:
      return _("The certificate status service (OCSP) gave an answer that cannot be read");
    case TIRKEU_TOKEN_ERROR_OCSP_REFUSED:
      return _("The certificate status service (OCSP) refused to answer");
    case TIRKEU_TOKEN_ERROR_OCSP_NONCE:
      return _("The certificate status service (OCSP) answered another question: its "
               "nonce does not match");
    case TIRKEU_TOKEN_ERROR_OCSP_CERT_ID:
      return _("The certificate status service (OCSP) answered about another certificate");
    case TIRKEU_TOKEN_ERROR_OCSP_STALE:
      return _("The certificate status service (OCSP) gave an out-of-date answer; check "
               "the computer's clock");
    case TIRKEU_TOKEN_ERROR_OCSP_RESPONDER:
      return _("The certificate status (OCSP) answer is not signed by the certification "
               "authority or its responder");
    case TIRKEU_TOKEN_ERROR_TIMESTAMP_MALFORMED:
      return _("The timestamp service gave an answer that cannot be read");
    case TIRKEU_TOKEN_ERROR_TIMESTAMP_REFUSED:
      return _("The timestamp service refused to stamp the signature");
    case TIRKEU_TOKEN_ERROR_TIMESTAMP_NONCE:
      return _("The timestamp answers another request: its nonce does not match");
    case TIRKEU_TOKEN_ERROR_TIMESTAMP_IMPRINT:
      return _("The timestamp is not over this signature");
    case TIRKEU_TOKEN_ERROR_TIMESTAMP_UNTRUSTED:
      return _("The timestamp's signature is not valid or not from a trusted timestamp "
               "service");
    case TIRKEU_TOKEN_ERROR_CERTIFICATE_REVOKED:
      /* Translators: kk «қайтарып алынды» (revoked: NCA's service is «тіркеу куәлігін беру және қайтарып алу»), ru «отозван» */
      return _("The certificate has been revoked by the certification authority: it can no "
               "longer sign. Get a new key from the national certification authority (NCA)");
    case TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNKNOWN:
      return _("The certification authority does not know this certificate: it cannot sign");
    case TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNCHECKED:
      return _("The certificate's status could not be checked, and the settings say not to "
               "sign without it. Try again when the certificate status service (OCSP) can "
               "be reached");
    default:
      break;
    }

  return _("Unknown token error");
}

/**
 * tirkeu_token_error_is_wrong_pin:
 * @error: (nullable): an error from the token layer
 *
 * Whether the token refused the PIN and another try may be asked for: an incorrect PIN,
 * whatever the token then says about the tries left, or a PIN the token rejects by its form.
 * A wrong key file password is one too. A locked PIN is not among them: asking again cannot
 * help.
 *
 * Returns: %TRUE if the person should be asked for the PIN again
 */
gboolean
tirkeu_token_error_is_wrong_pin (const GError *error)
{
  return g_error_matches (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_INCORRECT)
         || g_error_matches (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_COUNT_LOW)
         || g_error_matches (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_FINAL_TRY)
         || g_error_matches (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_INVALID)
         || g_error_matches (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD);
}
