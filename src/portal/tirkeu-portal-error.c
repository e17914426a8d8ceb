/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-portal-error.h"
#include "tirkeu-portal-private.h"

/* The hand-written equivalent of G_DEFINE_EXTENDED_ERROR (TirkeuPortalError, ...): the macro
 * would name the domain "TirkeuPortalError", and the quark string of every domain of this
 * project is "<area>-error-quark" (tests/test-error-domains.c holds it stable). */
typedef struct
{
  char *message_kk;
  char *message_ru;
  char *message_en;
  JsonNode *details;
  guint http_status;
  guint retry_after;   /* seconds, 0 when the portal did not ask for a wait */
} TirkeuPortalErrorPrivate;

static TirkeuPortalErrorPrivate *
portal_error_get_private (const GError *error)
{
  /* Same layout arithmetic as G_DEFINE_EXTENDED_ERROR (gerror.h). */
  const gsize sa = 2 * sizeof (gsize);
  const gsize as = (sizeof (TirkeuPortalErrorPrivate) + (sa - 1)) & -sa;

  g_return_val_if_fail (error != NULL, NULL);
  g_return_val_if_fail (error->domain == TIRKEU_PORTAL_ERROR, NULL);

  return (TirkeuPortalErrorPrivate *) (((guint8 *) error) - as);
}

static void
portal_error_init (GError *error)
{
  TirkeuPortalErrorPrivate *priv = portal_error_get_private (error);

  memset (priv, 0, sizeof *priv);
}

static void
portal_error_copy (const GError *src_error,
                   GError       *dest_error)
{
  const TirkeuPortalErrorPrivate *src = portal_error_get_private (src_error);
  TirkeuPortalErrorPrivate *dest = portal_error_get_private (dest_error);

  dest->message_kk = g_strdup (src->message_kk);
  dest->message_ru = g_strdup (src->message_ru);
  dest->message_en = g_strdup (src->message_en);
  dest->details = src->details != NULL ? json_node_copy (src->details) : NULL;
  dest->http_status = src->http_status;
  dest->retry_after = src->retry_after;
}

static void
portal_error_clear (GError *error)
{
  TirkeuPortalErrorPrivate *priv = portal_error_get_private (error);

  g_clear_pointer (&priv->message_kk, g_free);
  g_clear_pointer (&priv->message_ru, g_free);
  g_clear_pointer (&priv->message_en, g_free);
  g_clear_pointer (&priv->details, json_node_unref);
}

GQuark
tirkeu_portal_error_quark (void)
{
  static gsize quark;

  if (g_once_init_enter (&quark))
    {
      GQuark q = g_error_domain_register_static ("tirkeu-portal-error-quark",
                                                 sizeof (TirkeuPortalErrorPrivate),
                                                 portal_error_init,
                                                 portal_error_copy,
                                                 portal_error_clear);
      g_once_init_leave (&quark, q);
    }

  return (GQuark) quark;
}

/**
 * tirkeu_portal_error_new_from_portal:
 * @code: the portal's code
 * @http_status: the HTTP status of the answer, 0 if none
 * @message_kk: (nullable): the portal's message in Kazakh
 * @message_ru: (nullable): the portal's message in Russian
 * @message_en: (nullable): the portal's message in English
 * @details: (nullable): the `details` member of the error answer
 *
 * Returns: (transfer full): a new error in %TIRKEU_PORTAL_ERROR whose GError.message is the
 *   English text (or the code's name)
 */
GError *
tirkeu_portal_error_new_from_portal (TirkeuPortalCode  code,
                                     guint             http_status,
                                     const char       *message_kk,
                                     const char       *message_ru,
                                     const char       *message_en,
                                     JsonNode         *details)
{
  GError *error;
  TirkeuPortalErrorPrivate *priv;

  error = g_error_new (TIRKEU_PORTAL_ERROR, code, "%s: %s",
                       tirkeu_portal_code_to_string (code),
                       message_en != NULL ? message_en : "(no message)");
  priv = portal_error_get_private (error);
  priv->message_kk = g_strdup (message_kk);
  priv->message_ru = g_strdup (message_ru);
  priv->message_en = g_strdup (message_en);
  priv->details = details != NULL ? json_node_copy (details) : NULL;
  priv->http_status = http_status;

  return error;
}

/**
 * tirkeu_portal_error_get_message:
 * @error: an error in %TIRKEU_PORTAL_ERROR
 * @language: "kk", "ru" or "en"
 *
 * Returns: (nullable): the portal's own message in @language, %NULL if the portal gave none
 *   (for instance for errors the client detected itself)
 */
const char *
tirkeu_portal_error_get_message (const GError *error,
                                 const char   *language)
{
  TirkeuPortalErrorPrivate *priv = portal_error_get_private (error);

  g_return_val_if_fail (priv != NULL, NULL);
  g_return_val_if_fail (language != NULL, NULL);

  if (g_str_has_prefix (language, "kk"))
    return priv->message_kk;
  if (g_str_has_prefix (language, "ru"))
    return priv->message_ru;
  if (g_str_has_prefix (language, "en"))
    return priv->message_en;

  return NULL;
}

/**
 * tirkeu_portal_error_get_details:
 * @error: an error in %TIRKEU_PORTAL_ERROR
 *
 * Returns: (transfer none) (nullable): the `details` of the portal's error answer; for
 *   %TIRKEU_PORTAL_CODE_MALFORMED detected by the client, an object whose `field` names the
 *   offending member
 */
JsonNode *
tirkeu_portal_error_get_details (const GError *error)
{
  TirkeuPortalErrorPrivate *priv = portal_error_get_private (error);

  g_return_val_if_fail (priv != NULL, NULL);

  return priv->details;
}

/**
 * tirkeu_portal_error_get_http_status:
 * @error: an error in %TIRKEU_PORTAL_ERROR
 *
 * Returns: the HTTP status of the answer that carried the error, 0 if there was none
 */
guint
tirkeu_portal_error_get_http_status (const GError *error)
{
  TirkeuPortalErrorPrivate *priv = portal_error_get_private (error);

  g_return_val_if_fail (priv != NULL, 0);

  return priv->http_status;
}

/**
 * tirkeu_portal_error_get_retry_after:
 * @error: an error in %TIRKEU_PORTAL_ERROR
 *
 * Returns: the seconds the portal asked to wait (Retry-After), 0 if it did not ask
 */
guint
tirkeu_portal_error_get_retry_after (const GError *error)
{
  TirkeuPortalErrorPrivate *priv = portal_error_get_private (error);

  g_return_val_if_fail (priv != NULL, 0);

  return priv->retry_after;
}


void
_tirkeu_portal_error_set_retry_after (GError *error,
                                      guint   seconds)
{
  portal_error_get_private (error)->retry_after = seconds;
}

void
_tirkeu_portal_error_set_http_status (GError *error,
                                      guint   http_status)
{
  portal_error_get_private (error)->http_status = http_status;
}

void
_tirkeu_portal_error_set_details (GError   *error,
                                  JsonNode *details)
{
  TirkeuPortalErrorPrivate *priv = portal_error_get_private (error);

  g_clear_pointer (&priv->details, json_node_unref);
  priv->details = details != NULL ? json_node_copy (details) : NULL;
}

/**
 * tirkeu_portal_error_wants_session:
 * @error: (nullable): an error from the portal client
 *
 * Whether the portal refused the call for want of a session: it ended, or was never opened
 * (SESSION_EXPIRED, UNAUTHORIZED), and the client could not open another by itself. The same
 * call goes through once someone signs in; nothing about it was wrong.
 *
 * Returns: %TRUE if @error asks for a sign-in
 */
gboolean
tirkeu_portal_error_wants_session (const GError *error)
{
  return g_error_matches (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_SESSION_EXPIRED)
         || g_error_matches (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_UNAUTHORIZED);
}

/**
 * tirkeu_portal_error_is_transient:
 * @error: (nullable): an error from the portal client
 *
 * Whether the same call, sent again unchanged later, may succeed: the portal could not be
 * reached, did not answer in time, failed inside, is down for a while or asks to slow down.
 * The client retries these itself where that is safe; the outbox keeps a request for them.
 * What the portal refused, or an answer that breaks the contract, is not transient.
 *
 * Returns: %TRUE if @error is transient
 */
gboolean
tirkeu_portal_error_is_transient (const GError *error)
{
  if (error == NULL || error->domain != TIRKEU_PORTAL_ERROR)
    return FALSE;

  switch ((TirkeuPortalCode) error->code)
    {
    case TIRKEU_PORTAL_CODE_NETWORK:
    case TIRKEU_PORTAL_CODE_TIMEOUT:
    case TIRKEU_PORTAL_CODE_INTERNAL:
    case TIRKEU_PORTAL_CODE_UNAVAILABLE:
    case TIRKEU_PORTAL_CODE_RATE_LIMITED:
      return TRUE;

    case TIRKEU_PORTAL_CODE_OKED_MISMATCH:
    case TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND:
    case TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID:
    case TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID:
    case TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND:
    case TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND:
    case TIRKEU_PORTAL_CODE_FINES_UNPAID:
    case TIRKEU_PORTAL_CODE_SIGNATURE_INVALID:
    case TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED:
    case TIRKEU_PORTAL_CODE_UNAUTHORIZED:
    case TIRKEU_PORTAL_CODE_SESSION_EXPIRED:
    case TIRKEU_PORTAL_CODE_VALIDATION_FAILED:
    case TIRKEU_PORTAL_CODE_NOT_FOUND:
    case TIRKEU_PORTAL_CODE_CONFLICT:
    case TIRKEU_PORTAL_CODE_TLS:
    case TIRKEU_PORTAL_CODE_MALFORMED:
    case TIRKEU_PORTAL_CODE_TOO_LARGE:
    case TIRKEU_PORTAL_CODE_UNKNOWN:
    default:
      return FALSE;
    }
}
