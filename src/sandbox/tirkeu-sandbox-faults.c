/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-sandbox-private.h"

/* How an /api/v1 call is answered, through the faults a test or a trainer turns on: a rate
 * limit, latency, 5xx before the effect, and after it a dropped connection, a malformed body
 * or a body dribbled in 64-byte chunks. */

#define SLOW_CHUNK          64

typedef struct
{
  gint64 second;
  guint count;
} RateWindow;

/* One /api/v1 call whose answer is delayed (latency) or dribbled (slow body). */
typedef struct
{
  TirkeuSandbox *self;
  SoupServerMessage *msg;
  GBytes *body;
  gsize sent;
  guint source_id;
  guint paused : 1;
} Call;

static gboolean
roll (TirkeuSandbox *self,
      double         rate)
{
  return rate > 0 && g_rand_double (self->rand) < rate;
}

/* Closes the connection after part of the answer: the client sees a truncated response. */
static void
drop_connection (SoupServerMessage *msg,
                 GBytes            *body)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);
  gsize length;
  const char *data = g_bytes_get_data (body, &length);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                                           "Content-Type: application/json; charset=utf-8\r\n"
                                           "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                                           ENVIRONMENT_HEADER ": sandbox\r\n\r\n",
                                           soup_server_message_get_status (msg),
                                           soup_status_get_phrase (
                                             soup_server_message_get_status (msg)),
                                           length);
  GOutputStream *out;

  if (stream == NULL)
    return;
  out = g_io_stream_get_output_stream (stream);
  /* Small writes on a connection libsoup had open: they do not block for long. */
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
  g_output_stream_write_all (out, data, length / 2, NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
}

static gboolean
dribble_cb (gpointer user_data)
{
  Call *call = user_data;
  SoupMessageBody *response = soup_server_message_get_response_body (call->msg);
  gsize length;
  const guint8 *data = g_bytes_get_data (call->body, &length);
  gsize chunk = MIN (SLOW_CHUNK, length - call->sent);

  soup_message_body_append (response, SOUP_MEMORY_COPY, data + call->sent, chunk);
  call->sent += chunk;
  if (call->sent >= length)
    soup_message_body_complete (response);
  soup_server_message_unpause (call->msg);

  if (call->sent < length)
    return G_SOURCE_CONTINUE;

  call->source_id = 0;
  g_hash_table_remove (call->self->calls, call->msg);
  return G_SOURCE_REMOVE;
}

/* Sends @reply for an /api/v1 call, through the faults that act after the effect. */
static void
deliver (Call  *call,
         Reply *reply)
{
  TirkeuSandbox *self = call->self;
  SoupServerMessage *msg = call->msg;
  g_autoptr(GBytes) body = _sb_serialize (reply->body);

  soup_server_message_set_status (msg, reply->status, NULL);

  if (roll (self, self->options.drop_rate))
    {
      drop_connection (msg, body);
      g_hash_table_remove (self->calls, msg);
      return;
    }
  if (roll (self, self->options.malformed_rate))
    {
      static const char broken[] = "{\"code\": \"INTERNAL\", \"message\": {\"kk\": \"";

      g_clear_pointer (&body, g_bytes_unref);
      body = g_bytes_new_static (broken, sizeof broken - 1);
      soup_server_message_set_status (msg, 200, NULL);
    }

  if (self->options.slow_body_ms > 0 && g_bytes_get_size (body) > 0)
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

      soup_message_headers_set_content_type (headers, "application/json; charset=utf-8", NULL);
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_body_truncate (soup_server_message_get_response_body (msg));
      call->body = g_bytes_ref (body);
      if (!call->paused)
        {
          soup_server_message_pause (msg);
          call->paused = TRUE;
        }
      call->source_id = g_timeout_add (self->options.slow_body_ms, dribble_cb, call);
      return;
    }

  _sb_set_body (msg, body);
  if (call->paused)
    soup_server_message_unpause (msg);
  g_hash_table_remove (self->calls, msg);
}

static void
run_call (Call *call)
{
  TirkeuSandbox *self = call->self;
  Reply reply = { 0, NULL };

  /* --fail-rate: the portal fails before doing anything, so a retry is always safe. */
  if (roll (self, self->options.fail_rate))
    {
      gboolean unavailable = g_rand_boolean (self->rand);

      if (unavailable)
        soup_message_headers_replace (soup_server_message_get_response_headers (call->msg),
                                      "Retry-After", "1");
      _sb_reply_error (self, &reply, unavailable ? 503 : 500,
                       unavailable ? TIRKEU_PORTAL_CODE_UNAVAILABLE : TIRKEU_PORTAL_CODE_INTERNAL,
                       NULL, "injected fault (--fail-rate)");
      if (unavailable)
        json_object_set_int_member (json_object_get_object_member (
                                      json_node_get_object (reply.body), "details"),
                                    "retry_after_s", 1);
    }
  else
    {
      SbExchange exchange;

      _sb_exchange_init (&exchange, call->msg);
      _sb_api_dispatch (self, &exchange, &reply);
      _sb_exchange_clear (&exchange);
    }

  g_debug ("%s %s -> %u", soup_server_message_get_method (call->msg),
           g_str_has_prefix (g_uri_get_path (soup_server_message_get_uri (call->msg)),
                             API_PREFIX "persons/")
           ? API_PREFIX "persons/{iin}"
           : g_uri_get_path (soup_server_message_get_uri (call->msg)),
           reply.status);

  deliver (call, &reply);
  g_clear_pointer (&reply.body, json_node_unref);
}

static gboolean
latency_cb (gpointer user_data)
{
  Call *call = user_data;

  call->source_id = 0;
  run_call (call);

  return G_SOURCE_REMOVE;
}

void
_sb_call_free (gpointer data)
{
  Call *call = data;

  g_clear_handle_id (&call->source_id, g_source_remove);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_clear_object (&call->msg);
  g_free (call);
}

static gboolean
rate_limited (TirkeuSandbox     *self,
              SoupServerMessage *msg)
{
  const char *host = soup_server_message_get_remote_host (msg);
  gint64 second = g_get_monotonic_time () / G_USEC_PER_SEC;
  RateWindow *window;

  if (self->options.rate_limit == 0 || host == NULL)
    return FALSE;

  window = g_hash_table_lookup (self->rate, host);
  if (window == NULL)
    {
      window = g_new0 (RateWindow, 1);
      g_hash_table_insert (self->rate, g_strdup (host), window);
    }
  if (window->second != second)
    {
      window->second = second;
      window->count = 0;
    }

  return ++window->count > self->options.rate_limit;
}

/* /api/v1/...: rate limit, then latency, then the call (see run_call()). */
void
_sb_api_handler_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  TirkeuSandbox *self = user_data;
  Reply reply = { 0, NULL };
  Call *call;

  _sb_set_common_headers (msg);

  if (!g_str_has_prefix (path, API_PREFIX))
    {
      _sb_reply_error (self, &reply, 404, TIRKEU_PORTAL_CODE_NOT_FOUND, "path", "no such path");
      _sb_send (msg, &reply);
      return;
    }

  if (rate_limited (self, msg))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "1");
      _sb_reply_error (self, &reply, 429, TIRKEU_PORTAL_CODE_RATE_LIMITED, NULL, NULL);
      json_object_set_int_member (json_object_get_object_member (
                                    json_node_get_object (reply.body), "details"),
                                  "retry_after_s", 1);
      _sb_send (msg, &reply);
      return;
    }

  call = g_new0 (Call, 1);
  call->self = self;
  call->msg = g_object_ref (msg);
  g_hash_table_insert (self->calls, msg, call);

  if (self->options.latency_ms > 0)
    {
      soup_server_message_pause (msg);
      call->paused = TRUE;
      call->source_id = g_timeout_add (self->options.latency_ms, latency_cb, call);
      return;
    }

  run_call (call);
}

void
_sb_request_aborted_cb (SoupServer        *server,
                        SoupServerMessage *msg,
                        gpointer           user_data)
{
  TirkeuSandbox *self = user_data;

  /* The client went away: stop its timers; the effect, if any, stays (as on a real portal). */
  g_hash_table_remove (self->calls, msg);
}
