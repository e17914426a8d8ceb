/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "tirkeu-portal-code.h"

G_BEGIN_DECLS

/**
 * TIRKEU_PORTAL_ERROR:
 *
 * The error domain of the portal client. The code of an error in this domain is a
 * #TirkeuPortalCode: the portal's own code from its error answer, or one the client detected
 * (network, TLS, a malformed or oversized answer).
 *
 * It is an extended error domain: besides the code and the (English, technical) message, an
 * error carries the portal's own message in Kazakh, Russian and English, the `details` member
 * of the portal's answer, the HTTP status and the wait the portal asked for (Retry-After).
 * A user never sees GError.message alone: the UI builds its text from the code (STYLE.md).
 */
#define TIRKEU_PORTAL_ERROR (tirkeu_portal_error_quark ())

GQuark       tirkeu_portal_error_quark            (void);

const char  *tirkeu_portal_error_get_message      (const GError *error,
                                                   const char   *language);
JsonNode    *tirkeu_portal_error_get_details      (const GError *error);
guint        tirkeu_portal_error_get_http_status  (const GError *error);
guint        tirkeu_portal_error_get_retry_after  (const GError *error);
gboolean     tirkeu_portal_error_is_transient     (const GError *error);
gboolean     tirkeu_portal_error_wants_session    (const GError *error);

GError      *tirkeu_portal_error_new_from_portal  (TirkeuPortalCode  code,
                                                   guint             http_status,
                                                   const char       *message_kk,
                                                   const char       *message_ru,
                                                   const char       *message_en,
                                                   JsonNode         *details);

G_END_DECLS
