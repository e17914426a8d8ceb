/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tirkeu-portal-client.h"

G_BEGIN_DECLS

void  _tirkeu_portal_error_set_retry_after (GError   *error,
                                            guint     seconds);
void  _tirkeu_portal_error_set_http_status (GError   *error,
                                            guint     http_status);
void  _tirkeu_portal_error_set_details     (GError   *error,
                                            JsonNode *details);

/**
 * TirkeuPortalCallFlags:
 * @TIRKEU_PORTAL_CALL_NONE: an anonymous call that is never retried
 * @TIRKEU_PORTAL_CALL_AUTH: sends the session token; renews an expired session once
 * @TIRKEU_PORTAL_CALL_RETRY_SAFE: may be sent again after a failure (a GET, or a POST that
 *   carries an Idempotency-Key)
 */
typedef enum
{
  TIRKEU_PORTAL_CALL_NONE = 0,
  TIRKEU_PORTAL_CALL_AUTH = 1 << 0,
  TIRKEU_PORTAL_CALL_RETRY_SAFE = 1 << 1,
} TirkeuPortalCallFlags;

/* The transport: one HTTP exchange with the portal, with retries, limits and error mapping.
 * @path is below the base URL, already escaped. @body is JSON or %NULL. Finishes with the
 * parsed answer (a JSON null node for an empty 2xx answer). */
void      _tirkeu_portal_client_call_async  (TirkeuPortalClient    *self,
                                             const char            *method,
                                             const char            *path,
                                             GBytes                *body,
                                             const char            *idempotency_key,
                                             TirkeuPortalCallFlags  flags,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);
JsonNode *_tirkeu_portal_client_call_finish (TirkeuPortalClient    *self,
                                             GAsyncResult          *result,
                                             GError               **error);

/* The number of HTTP attempts made since the client was created (tests count retries). */
guint     _tirkeu_portal_client_get_n_attempts (TirkeuPortalClient *self);

G_END_DECLS
