/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-certificate-choice.h"
#include "tirkeu-token-error.h"

/*
 * Which certificate of a token to use, decided once for the app and the CLI: of the keys
 * that may do the job (tirkeu_certificate_check_purpose()), the signed-in person's own (the
 * IIN of the AUTH certificate that signed in), and of those the one valid longest, not one
 * that expires next week.
 */

/**
 * tirkeu_certificate_choice_usable:
 * @certificates: (element-type TirkeuCertificate): a token's certificates
 * @purpose: what is to be signed
 * @seller_bin: (nullable): the signed-in seller's BIN (required for a request)
 * @now: the time to judge validity at
 * @error: when none is usable, why the last candidate was refused (a %TIRKEU_TOKEN_ERROR)
 *
 * The certificates with a private key that may sign for @purpose, in the token's order.
 *
 * Returns: (transfer container) (element-type TirkeuCertificate) (nullable): the usable
 *   certificates, %NULL with @error set when there is none
 */
GPtrArray *
tirkeu_certificate_choice_usable (GPtrArray          *certificates,
                                  TirkeuSignPurpose   purpose,
                                  const char         *seller_bin,
                                  GDateTime          *now,
                                  GError            **error)
{
  g_autoptr(GPtrArray) usable = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) last_error = NULL;
  TirkeuCertificateKind kind = purpose == TIRKEU_SIGN_PURPOSE_SIGN_IN
                               ? TIRKEU_CERTIFICATE_KIND_AUTH : TIRKEU_CERTIFICATE_KIND_SIGN;

  g_return_val_if_fail (now != NULL, NULL);

  for (guint i = 0; certificates != NULL && i < certificates->len; i++)
    {
      TirkeuCertificate *certificate = g_ptr_array_index (certificates, i);

      /* a GOST 2015 certificate is one key for sign-in and signing alike */
      if (!tirkeu_certificate_has_private_key (certificate)
          || !tirkeu_certificate_serves (certificate, kind))
        continue;
      g_clear_error (&last_error);
      if (tirkeu_certificate_check_purpose (certificate, purpose, seller_bin, now, &last_error))
        g_ptr_array_add (usable, g_object_ref (certificate));
    }

  if (usable->len > 0)
    return g_steal_pointer (&usable);

  if (last_error != NULL)
    g_propagate_error (error, g_steal_pointer (&last_error));
  else if (purpose == TIRKEU_SIGN_PURPOSE_SIGN_IN)
    g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE,
                         /* Translators: AUTH: the authentication certificate of the EDS */
                         _("No EDS token with a valid AUTH certificate and its key was found."));
  else
    g_set_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE,
                 /* Translators: SIGN: the signing certificate of the EDS; %s is a BIN */
                 _("The token holds no SIGN certificate of BIN %s with its key."),
                 seller_bin != NULL ? seller_bin : "");
  return NULL;
}

/**
 * tirkeu_certificate_choice_is_better:
 * @candidate: a usable certificate
 * @current: the one chosen so far
 * @signer_iin: (nullable): the IIN of the person signed in
 *
 * Returns: %TRUE if @candidate is a better default than @current: the signed-in person's
 *   own before anyone else's, then the one valid longest
 */
gboolean
tirkeu_certificate_choice_is_better (TirkeuCertificate *candidate,
                                     TirkeuCertificate *current,
                                     const char        *signer_iin)
{
  gboolean candidate_own;
  gboolean current_own;

  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (candidate), FALSE);
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (current), TRUE);

  candidate_own = signer_iin != NULL
                  && g_strcmp0 (tirkeu_certificate_get_iin (candidate), signer_iin) == 0;
  current_own = signer_iin != NULL
                && g_strcmp0 (tirkeu_certificate_get_iin (current), signer_iin) == 0;
  if (candidate_own != current_own)
    return candidate_own;
  return g_date_time_compare (tirkeu_certificate_get_not_after (candidate),
                              tirkeu_certificate_get_not_after (current)) > 0;
}

/**
 * tirkeu_certificate_choose:
 * @certificates: (element-type TirkeuCertificate): a token's certificates
 * @purpose: what is to be signed
 * @seller_bin: (nullable): the signed-in seller's BIN (required for a request)
 * @signer_iin: (nullable): the IIN of the person signed in, %NULL before sign-in
 * @now: the time to judge validity at
 * @error: why none may be used (a %TIRKEU_TOKEN_ERROR)
 *
 * The default certificate for @purpose: of the usable ones
 * (tirkeu_certificate_choice_usable()), the best by tirkeu_certificate_choice_is_better().
 *
 * Returns: (transfer full) (nullable): the certificate, %NULL with @error set
 */
TirkeuCertificate *
tirkeu_certificate_choose (GPtrArray          *certificates,
                           TirkeuSignPurpose   purpose,
                           const char         *seller_bin,
                           const char         *signer_iin,
                           GDateTime          *now,
                           GError            **error)
{
  g_autoptr(GPtrArray) usable = NULL;
  TirkeuCertificate *best = NULL;

  usable = tirkeu_certificate_choice_usable (certificates, purpose, seller_bin, now, error);
  if (usable == NULL)
    return NULL;

  for (guint i = 0; i < usable->len; i++)
    {
      TirkeuCertificate *certificate = g_ptr_array_index (usable, i);

      if (best == NULL || tirkeu_certificate_choice_is_better (certificate, best, signer_iin))
        best = certificate;
    }
  return g_object_ref (best);
}

/**
 * tirkeu_certificate_choose_by_id:
 * @certificates: (element-type TirkeuCertificate): a token's certificates
 * @id: the certificate's id as `tirkeu-cli tokens` shows it (hex CKA_ID, any case)
 * @purpose: what is to be signed
 * @seller_bin: (nullable): the signed-in seller's BIN (required for a request)
 * @now: the time to judge validity at
 * @error: why it may not be used (a %TIRKEU_TOKEN_ERROR)
 *
 * The certificate the person named rather than the default: it must be on the token with
 * its key and pass the same rules as the default (tirkeu_certificate_check_purpose()), so
 * that naming one never gets round a refusal.
 *
 * Returns: (transfer full) (nullable): the certificate, %NULL with @error set
 */
TirkeuCertificate *
tirkeu_certificate_choose_by_id (GPtrArray          *certificates,
                                 const char         *id,
                                 TirkeuSignPurpose   purpose,
                                 const char         *seller_bin,
                                 GDateTime          *now,
                                 GError            **error)
{
  TirkeuCertificateKind kind = purpose == TIRKEU_SIGN_PURPOSE_SIGN_IN
                               ? TIRKEU_CERTIFICATE_KIND_AUTH : TIRKEU_CERTIFICATE_KIND_SIGN;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (now != NULL, NULL);

  for (guint i = 0; certificates != NULL && i < certificates->len; i++)
    {
      TirkeuCertificate *certificate = g_ptr_array_index (certificates, i);

      if (g_ascii_strcasecmp (tirkeu_certificate_get_id (certificate), id) != 0)
        continue;
      if (!tirkeu_certificate_has_private_key (certificate))
        {
          g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NO_KEY,
                               tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_NO_KEY));
          return NULL;
        }
      if (!tirkeu_certificate_serves (certificate, kind))
        {
          g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_WRONG_KEY_KIND,
                               tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_WRONG_KEY_KIND));
          return NULL;
        }
      if (!tirkeu_certificate_check_purpose (certificate, purpose, seller_bin, now, error))
        return NULL;
      return g_object_ref (certificate);
    }

  g_set_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE,
               /* Translators: %s is a certificate id as “tirkeu-cli tokens” shows it */
               _("No certificate with the id %s is on the token (see “tirkeu-cli tokens”)."), id);
  return NULL;
}
