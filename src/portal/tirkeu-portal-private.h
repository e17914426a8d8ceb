/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "tirkeu-portal-client.h"

G_BEGIN_DECLS

/* The client's state, shared by the files that make it up: the object
 * (tirkeu-portal-client.c), the transport, the sign-in and the endpoints. */
struct _TirkeuPortalClient
{
  GObject parent_instance;

  /* settings */
  char *base_url;
  char *ca_file;
  guint timeout_ms;
  guint max_attempts;
  guint retry_base_ms;
  guint64 max_answer_size;

  /* owned references */
  SoupSession *session;
  GTlsDatabase *tls_database;

  /* the session with the portal: the token is a secret, kept in memory only and wiped */
  char *session_token;
  GDateTime *session_expires_at;
  guint session_generation;

  /* sign-in */
  TirkeuPortalSignFunc sign_func;
  TirkeuPortalSignFinishFunc sign_finish_func;
  gpointer sign_data;
  GDestroyNotify sign_data_destroy;
  GPtrArray *sign_in_waiters;   /* GTask, while a sign-in is under way */

  /* state */
  guint n_attempts;
  guint is_sandbox : 1;
  guint signing_in : 1;
};


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

/* Sends the call @task (a transport task) again, after a sign-in it waited for. */
void      _tirkeu_portal_client_call_resume    (GTask              *task);

/* Joins @waiter (a transport call or a sign_in_async() task) to the sign-in under way, or
 * starts one. */
void      _tirkeu_portal_client_sign_in_begin  (TirkeuPortalClient *self,
                                                GTask              *waiter);
void      _tirkeu_portal_client_set_session    (TirkeuPortalClient *self,
                                                char               *token,
                                                GDateTime          *expires_at);
void      _tirkeu_portal_client_set_is_sandbox (TirkeuPortalClient *self,
                                                gboolean            is_sandbox);

/* The number of HTTP attempts made since the client was created (tests count retries). */
guint     _tirkeu_portal_client_get_n_attempts (TirkeuPortalClient *self);

G_END_DECLS
