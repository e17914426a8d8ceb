/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-sandbox-private.h"

/* /pki/…: the sandbox's test NCA over HTTPS, outside the portal's /api/v1 (no session, no
 * faults), as NCA serves its own: the CA certificate, the CRL, the OCSP responder (RFC 6960,
 * appendix A: POST, and GET with the request in the path) and the time-stamping authority
 * (RFC 3161, 3.4). Answers are DER in their own media types; a call that is not one of
 * these gets the contract's JSON error. */

#define OCSP_REQUEST_TYPE   "application/ocsp-request"
#define OCSP_RESPONSE_TYPE  "application/ocsp-response"
#define TSA_QUERY_TYPE      "application/timestamp-query"
#define TSA_REPLY_TYPE      "application/timestamp-reply"

static void
send_der (SoupServerMessage *msg,
          const char        *content_type,
          GBytes            *der)
{
  soup_server_message_set_status (msg, 200, NULL);
  /* set_response appends: drop the default answer the message started with. */
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (der, NULL), g_bytes_get_size (der));
}

static void
send_error (TirkeuSandbox     *self,
            SoupServerMessage *msg,
            guint              status,
            TirkeuPortalCode   code,
            const char        *field,
            const char        *reason)
{
  Reply reply = { 0, NULL };

  _sb_reply_error (self, &reply, status, code, field, reason);
  _sb_send (msg, &reply);
}

static GDateTime *
now_of (TirkeuSandbox *self)
{
  return g_date_time_new_from_unix_utc (_sb_now_s (self));
}

static gboolean
has_type (SbExchange *exchange,
          const char *wanted)
{
  const char *type = soup_message_headers_get_content_type (exchange->request_headers, NULL);

  return type != NULL && g_ascii_strcasecmp (type, wanted) == 0;
}

/* The request of GET /pki/ocsp/{request}: base64 of the DER, percent-encoded, and read in
 * its URL-safe form too (clients differ, RFC 6960 appendix A.1 names base64 only). */
static GBytes *
ocsp_request_from_path (const char *encoded)
{
  g_autofree char *text = g_uri_unescape_string (encoded, NULL);
  g_autoptr(GString) standard = NULL;
  guchar *decoded;
  gsize len;

  if (text == NULL || *text == '\0')
    return NULL;
  standard = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    {
      char c = *p == '-' ? '+' : *p == '_' ? '/' : *p;

      if (!(g_ascii_isalnum (c) || c == '+' || c == '/' || c == '='))
        return NULL;
      g_string_append_c (standard, c);
    }
  while (standard->len % 4 != 0)
    g_string_append_c (standard, '=');
  decoded = g_base64_decode (standard->str, &len);
  return g_bytes_new_take (decoded, len);
}

static void
answer_ocsp (TirkeuSandbox     *self,
             SoupServerMessage *msg,
             GBytes            *request)
{
  g_autoptr(GDateTime) now = now_of (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = tirkeu_sandbox_ca_answer_ocsp (self->ca, request, now, &error);

  if (answer == NULL)
    {
      send_error (self, msg, 500, TIRKEU_PORTAL_CODE_INTERNAL, NULL,
                  error != NULL ? error->message : "no OCSP answer");
      return;
    }
  send_der (msg, OCSP_RESPONSE_TYPE, answer);
}

static void
dispatch (TirkeuSandbox     *self,
          SoupServerMessage *msg,
          SbExchange        *exchange)
{
  const char *path = exchange->path;
  gboolean get = g_str_equal (exchange->method, "GET");
  gboolean post = g_str_equal (exchange->method, "POST");

  if (get && g_str_equal (path, "/pki/ca.cer"))
    {
      send_der (msg, "application/pkix-cert", tirkeu_sandbox_ca_get_certificate_der (self->ca));
      return;
    }
  if (get && g_str_equal (path, "/pki/crl"))
    {
      g_autoptr(GDateTime) now = now_of (self);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) crl = tirkeu_sandbox_ca_crl (self->ca, now, &error);

      if (crl == NULL)
        send_error (self, msg, 500, TIRKEU_PORTAL_CODE_INTERNAL, NULL, error->message);
      else
        send_der (msg, "application/pkix-crl", crl);
      return;
    }
  if (post && g_str_equal (path, "/pki/ocsp"))
    {
      if (!has_type (exchange, OCSP_REQUEST_TYPE))
        send_error (self, msg, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "Content-Type",
                    "an OCSP request is application/ocsp-request");
      else
        answer_ocsp (self, msg, exchange->body);
      return;
    }
  if (post && g_str_equal (path, "/pki/tsa"))
    {
      g_autoptr(GDateTime) now = now_of (self);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) reply = NULL;

      if (!has_type (exchange, TSA_QUERY_TYPE))
        {
          send_error (self, msg, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "Content-Type",
                      "a time-stamp request is application/timestamp-query");
          return;
        }
      reply = tirkeu_sandbox_ca_answer_tsa (self->ca, exchange->body, now, &error);
      if (reply == NULL)
        send_error (self, msg, 500, TIRKEU_PORTAL_CODE_INTERNAL, NULL, error->message);
      else
        send_der (msg, TSA_REPLY_TYPE, reply);
      return;
    }
  if (get && g_str_has_prefix (path, "/pki/ocsp/"))
    {
      g_autoptr(GBytes) request = ocsp_request_from_path (path + strlen ("/pki/ocsp/"));

      /* not base64: no request, which the responder calls malformed */
      answer_ocsp (self, msg, request);
      return;
    }

  send_error (self, msg, 404, TIRKEU_PORTAL_CODE_NOT_FOUND, "path", "no such path or method");
}

void
_sb_pki_handler_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  TirkeuSandbox *self = user_data;
  SbExchange exchange;

  _sb_set_common_headers (msg);
  _sb_exchange_init (&exchange, msg);
  dispatch (self, msg, &exchange);
  _sb_exchange_clear (&exchange);
}
