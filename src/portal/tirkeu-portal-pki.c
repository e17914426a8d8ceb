/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "tirkeu-portal-client.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-portal-private.h"

/*
 * The certification authority's services beside the portal: OCSP (RFC 6960, POST
 * application/ocsp-request), the timestamp authority (RFC 3161, POST
 * application/timestamp-query) and the CA certificate. The training portal serves them at
 * /pki/ocsp, /pki/tsa and /pki/ca.cer; production points the settings at NCA's.
 *
 * Unauthenticated and binary, so not through the JSON transport, but with the same
 * SoupSession (the same TLS trust: the portal's CA file or the system's), the same deadline
 * per call, no redirect and the same bound on the answer's size. A configured address may be
 * plain http, as NCA's own responders are: what they answer is signed and bound to our
 * nonce, and tirkeu-ocsp / tirkeu-timestamp trust nothing else.
 */

#define READ_CHUNK 16384

typedef struct
{
  SoupMessage  *message;
  GInputStream *stream;
  GByteArray   *answer;
  GCancellable *cancellable;     /* cancelled by the caller's or by the deadline */
  gulong        cancelled_id;
  GSource      *deadline;
  char         *expected_type;
  char         *service;         /* for messages: the host asked */
  guint         waited_ms;
  guint         timed_out : 1;
} Exchange;

static void
exchange_free (Exchange *exchange)
{
  if (exchange->deadline != NULL)
    {
      g_source_destroy (exchange->deadline);
      g_source_unref (exchange->deadline);
    }
  g_clear_object (&exchange->message);
  g_clear_object (&exchange->stream);
  g_clear_pointer (&exchange->answer, g_byte_array_unref);
  g_clear_object (&exchange->cancellable);
  g_free (exchange->expected_type);
  g_free (exchange->service);
  g_free (exchange);
}

static void
parent_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
deadline_cb (gpointer user_data)
{
  Exchange *exchange = user_data;

  exchange->timed_out = TRUE;
  g_clear_pointer (&exchange->deadline, g_source_unref);
  g_cancellable_cancel (exchange->cancellable);
  return G_SOURCE_REMOVE;
}

static void
return_error (GTask  *task,
              GError *error)
{
  Exchange *exchange = g_task_get_task_data (task);
  GCancellable *parent = g_task_get_cancellable (task);

  if (exchange->cancelled_id != 0)
    {
      g_cancellable_disconnect (parent, exchange->cancelled_id);
      exchange->cancelled_id = 0;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && exchange->timed_out)
    {
      g_clear_error (&error);
      error = g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT,
                           /* Translators: %s is a host, %u milliseconds */
                           _("%s did not answer within %u ms"), exchange->service,
                           exchange->waited_ms);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ;
  else if (error->domain == G_TLS_ERROR)
    {
      GError *tls = g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TLS,
                                 /* Translators: %s is a host, then the TLS library's reason */
                                 _("The certificate of %s is not trusted: %s"),
                                 exchange->service, error->message);
      g_error_free (error);
      error = tls;
    }
  else if (error->domain != TIRKEU_PORTAL_ERROR)
    {
      GError *network = g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_NETWORK,
                                     /* Translators: %s is a host, then the reason */
                                     _("%s could not be reached: %s"), exchange->service,
                                     error->message);
      g_error_free (error);
      error = network;
    }
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  TirkeuPortalClient *self = g_task_get_source_object (task);
  Exchange *exchange = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) chunk = NULL;
  GCancellable *parent = g_task_get_cancellable (task);

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      return_error (task, error);
      return;
    }
  if (g_bytes_get_size (chunk) > 0)
    {
      if (exchange->answer->len + g_bytes_get_size (chunk) > self->max_answer_size)
        {
          return_error (task, g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TOO_LARGE,
                                           /* Translators: %s is a host */
                                           _("The answer of %s is too large"),
                                           exchange->service));
          return;
        }
      g_byte_array_append (exchange->answer, g_bytes_get_data (chunk, NULL),
                           g_bytes_get_size (chunk));
      g_input_stream_read_bytes_async (exchange->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                       exchange->cancellable, read_cb, task);
      return;
    }

  if (exchange->cancelled_id != 0)
    {
      g_cancellable_disconnect (parent, exchange->cancelled_id);
      exchange->cancelled_id = 0;
    }
  g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&exchange->answer)),
                         (GDestroyNotify) g_bytes_unref);
  g_object_unref (task);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  TirkeuPortalClient *self = g_task_get_source_object (task);
  Exchange *exchange = g_task_get_task_data (task);
  GError *error = NULL;
  SoupMessageHeaders *headers;
  const char *content_type;
  guint status;

  exchange->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (exchange->stream == NULL)
    {
      return_error (task, error);
      return;
    }
  status = soup_message_get_status (exchange->message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      TirkeuPortalCode code = status == SOUP_STATUS_SERVICE_UNAVAILABLE
                              || status == SOUP_STATUS_BAD_GATEWAY
                              || status == SOUP_STATUS_GATEWAY_TIMEOUT
                              ? TIRKEU_PORTAL_CODE_UNAVAILABLE
                              : status == SOUP_STATUS_NOT_FOUND ? TIRKEU_PORTAL_CODE_NOT_FOUND
                              : status >= 500 ? TIRKEU_PORTAL_CODE_INTERNAL
                              : TIRKEU_PORTAL_CODE_UNKNOWN;

      error = g_error_new (TIRKEU_PORTAL_ERROR, code,
                           /* Translators: %s is a host, %u an HTTP status such as 503 */
                           _("%s answered with HTTP status %u"), exchange->service, status);
      _tirkeu_portal_error_set_http_status (error, status);
      return_error (task, error);
      return;
    }
  headers = soup_message_get_response_headers (exchange->message);
  content_type = soup_message_headers_get_content_type (headers, NULL);
  if (exchange->expected_type != NULL
      && g_ascii_strcasecmp (content_type != NULL ? content_type : "", exchange->expected_type) != 0)
    {
      return_error (task, g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED,
                                       /* Translators: %s is a host, then a MIME type */
                                       _("%s answered with something other than %s"),
                                       exchange->service, exchange->expected_type));
      return;
    }
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && (guint64) soup_message_headers_get_content_length (headers) > self->max_answer_size)
    {
      return_error (task, g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TOO_LARGE,
                                       _("The answer of %s is too large"), exchange->service));
      return;
    }
  exchange->answer = g_byte_array_new ();
  g_input_stream_read_bytes_async (exchange->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   exchange->cancellable, read_cb, task);
}

/* http(s) only; for the portal's own /pki paths the base URL is already checked. */
static gboolean
check_service_url (const char  *url,
                   GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0'
      || (g_strcmp0 (scheme, "https") != 0 && g_strcmp0 (scheme, "http") != 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   /* Translators: %s is an address from the settings */
                   _("“%s” is not an http:// or https:// address"), url);
      return FALSE;
    }
  return TRUE;
}

static void
exchange_async (TirkeuPortalClient  *self,
                const char          *method,
                const char          *url,
                const char          *content_type,
                GBytes              *body,
                const char          *expected_type,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Exchange *exchange;
  GError *error = NULL;
  g_autoptr(GUri) uri = NULL;

  g_task_set_source_tag (task, source_tag);
  if (!check_service_url (url, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  exchange = g_new0 (Exchange, 1);
  exchange->expected_type = g_strdup (expected_type);
  exchange->service = g_strdup (g_uri_get_host (uri));
  exchange->waited_ms = self->timeout_ms;
  g_task_set_task_data (task, exchange, (GDestroyNotify) exchange_free);

  exchange->message = soup_message_new_from_uri (method, uri);
  if (exchange->message == NULL)
    {
      return_error (task, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                       _("“%s” is not an http:// or https:// address"), url));
      return;
    }
  if (body != NULL)
    soup_message_set_request_body_from_bytes (exchange->message, content_type, body);
  if (expected_type != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (exchange->message),
                                  "Accept", expected_type);
  /* nothing signed is worth following elsewhere, and a POST is never resent by libsoup */
  soup_message_add_flags (exchange->message, SOUP_MESSAGE_NO_REDIRECT);

  exchange->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    exchange->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (parent_cancelled_cb),
                                                    g_object_ref (exchange->cancellable),
                                                    g_object_unref);
  exchange->deadline = g_timeout_source_new (self->timeout_ms);
  g_source_set_callback (exchange->deadline, deadline_cb, exchange, NULL);
  g_source_set_name (exchange->deadline, "[tirkeu] pki deadline");
  g_source_attach (exchange->deadline, g_task_get_context (task));

  soup_session_send_async (self->session, exchange->message, G_PRIORITY_DEFAULT,
                           exchange->cancellable, send_cb, task);
}

static char *
service_url (TirkeuPortalClient *self,
             const char         *url,
             const char         *portal_path)
{
  if (url != NULL && url[0] != '\0')
    return g_strdup (url);
  return g_strconcat (self->base_url, portal_path, NULL);
}

/**
 * tirkeu_portal_client_post_pki_async:
 * @self: a #TirkeuPortalClient
 * @service: which service: OCSP or the timestamp authority
 * @url: (nullable): its address; %NULL or "" for the portal's (/pki/ocsp, /pki/tsa)
 * @query: the DER request (tirkeu_ocsp_request_new(), tirkeu_timestamp_request_new())
 * @cancellable: (nullable): cancels the exchange
 * @callback: called with the answer
 * @user_data: for @callback
 *
 * POSTs @query to the service without a session, with the client's TLS trust and deadline.
 */
void
tirkeu_portal_client_post_pki_async (TirkeuPortalClient   *self,
                                     TirkeuPortalPkiService service,
                                     const char           *url,
                                     GBytes               *query,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  g_autofree char *address = NULL;
  gboolean ocsp = service == TIRKEU_PORTAL_PKI_OCSP;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (query != NULL);

  address = service_url (self, url, ocsp ? "/pki/ocsp" : "/pki/tsa");
  exchange_async (self, "POST", address,
                  ocsp ? "application/ocsp-request" : "application/timestamp-query", query,
                  ocsp ? "application/ocsp-response" : "application/timestamp-reply",
                  tirkeu_portal_client_post_pki_async, cancellable, callback, user_data);
}

/**
 * tirkeu_portal_client_post_pki_finish:
 * @self: a #TirkeuPortalClient
 * @result: the result
 * @error: a %TIRKEU_PORTAL_ERROR (NETWORK, TLS, TIMEOUT, an HTTP status, MALFORMED for
 *   another content type, TOO_LARGE), %G_IO_ERROR_INVALID_ARGUMENT for a bad @url, or
 *   %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full): the answer's bytes, unchecked (the token layer checks them), or
 *   %NULL
 */
GBytes *
tirkeu_portal_client_post_pki_finish (TirkeuPortalClient  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tirkeu_portal_client_get_ca_certificate_async:
 * @self: a #TirkeuPortalClient
 * @url: (nullable): the certificate's address; %NULL or "" for the portal's /pki/ca.cer
 * @cancellable: (nullable): cancels the download
 * @callback: called with the certificate
 * @user_data: for @callback
 *
 * Downloads a CA certificate (DER). It is trusted for nothing by itself: the caller takes it
 * as a certificate's issuer only when its key verifies that certificate.
 */
void
tirkeu_portal_client_get_ca_certificate_async (TirkeuPortalClient  *self,
                                               const char          *url,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  g_autofree char *address = NULL;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));

  address = service_url (self, url, "/pki/ca.cer");
  exchange_async (self, "GET", address, NULL, NULL, NULL,
                  tirkeu_portal_client_get_ca_certificate_async, cancellable, callback,
                  user_data);
}

/**
 * tirkeu_portal_client_get_ca_certificate_finish:
 * @self: a #TirkeuPortalClient
 * @result: the result
 * @error: as tirkeu_portal_client_post_pki_finish()
 *
 * Returns: (transfer full): the bytes downloaded, or %NULL
 */
GBytes *
tirkeu_portal_client_get_ca_certificate_finish (TirkeuPortalClient  *self,
                                                GAsyncResult        *result,
                                                GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
