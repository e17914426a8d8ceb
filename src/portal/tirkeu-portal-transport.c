/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "tirkeu-portal-action.h"
#include "tirkeu-portal-client.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-portal-json.h"
#include "tirkeu-portal-private.h"
#include "tirkeu-iin.h"

/* The contract's header that says which portal answered (data/portal-api.yaml, on every
 * answer): "sandbox" makes the UI show "Training portal". */
#define ENVIRONMENT_HEADER "X-Tirkeu-Environment"

#define RETRY_MAX_DELAY_MS      8000
/* A Retry-After longer than this is not waited for: the error goes to the caller, who can
 * tell the user when to try again (tirkeu_portal_error_get_retry_after()). */
#define RETRY_AFTER_MAX_S       30
#define READ_CHUNK              16384

/* ------------------------------------------------------------------------------------------ */
/* The transport                                                                              */

typedef struct
{
  char *method;
  char *path;
  char *log_path;             /* @path with IINs masked: the only form a log may show */
  GBytes *body;
  char *idempotency_key;
  TirkeuPortalCallFlags flags;

  guint attempt;              /* attempts made so far for this call */
  /* One deadline for the whole call, its retries and their waits included (monotonic
   * microseconds). A sign-in the call waits for does not count: it may wait for a PIN. */
  gint64 started_at;
  gint64 deadline_at;
  gint64 paused_at;           /* when the call began to wait for a sign-in, 0 when not */
  gint64 paused_total;
  gboolean renewed;           /* the session was (re)opened once for this call */
  guint generation;           /* the session the current attempt used */

  /* the attempt in flight */
  SoupMessage *message;
  GInputStream *stream;
  GByteArray *answer;
  GCancellable *attempt_cancellable;
  gulong cancelled_id;
  GSource *deadline;
  gboolean timed_out;
  GTlsProtocolVersion refused_protocol;   /* set when the attempt stopped on an old TLS */
} Call;

static void
call_end_attempt (Call         *call,
                  GCancellable *cancellable)
{
  if (call->deadline != NULL)
    {
      g_source_destroy (call->deadline);
      g_clear_pointer (&call->deadline, g_source_unref);
    }
  if (call->cancelled_id != 0)
    {
      g_cancellable_disconnect (cancellable, call->cancelled_id);
      call->cancelled_id = 0;
    }
  g_clear_object (&call->attempt_cancellable);
  g_clear_object (&call->stream);
  if (call->message != NULL)
    g_signal_handlers_disconnect_by_data (call->message, call);
  g_clear_object (&call->message);
  g_clear_pointer (&call->answer, g_byte_array_unref);
}

static void
call_free (Call *call)
{
  g_assert (call->deadline == NULL && call->cancelled_id == 0);
  g_clear_object (&call->attempt_cancellable);
  g_clear_object (&call->stream);
  g_clear_object (&call->message);
  g_clear_pointer (&call->answer, g_byte_array_unref);
  g_free (call->method);
  g_free (call->path);
  g_free (call->log_path);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_free (call->idempotency_key);
  g_free (call);
}


/* Paths carry IINs (/persons/{iin}, /contracts?buyer_iin=): every run of exactly twelve
 * digits, the form of an IIN or a BIN, is masked before a path may reach a log. */
static char *
mask_iins (const char *path)
{
  GString *masked = g_string_new (NULL);
  const char *p = path;

  while (*p != '\0')
    {
      gsize run = strspn (p, "0123456789");

      if (run == 12)
        {
          g_autofree char *digits = g_strndup (p, run);
          g_autofree char *mask = tirkeu_iin_mask (digits);

          g_string_append (masked, mask);
        }
      else
        g_string_append_len (masked, p, run);
      p += run;
      if (*p != '\0')
        g_string_append_c (masked, *p++);
    }

  return g_string_free (masked, FALSE);
}

/* The time the call has really taken so far, sign-ins left out: what a timeout says. */
static guint
call_waited_ms (Call *call)
{
  gint64 waited = g_get_monotonic_time () - call->started_at - call->paused_total;

  return (guint) CLAMP (waited / 1000, 0, G_MAXUINT);
}

/* A call that waits for a sign-in stops its clock; it runs again when the call resumes. */
static void
call_pause (Call *call)
{
  if (call->paused_at == 0)
    call->paused_at = g_get_monotonic_time ();
}

static void
call_unpause (Call *call)
{
  if (call->paused_at != 0)
    {
      gint64 paused = g_get_monotonic_time () - call->paused_at;

      call->deadline_at += paused;
      call->paused_total += paused;
      call->paused_at = 0;
    }
}

static const char *
protocol_name (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:
      return "SSL 3.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:
      return "TLS 1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:
      return "TLS 1.1";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0:
      return "DTLS 1.0";
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    case G_TLS_PROTOCOL_VERSION_TLS_1_2:
    case G_TLS_PROTOCOL_VERSION_TLS_1_3:
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2:
    default:
      return "?";
    }
}

/* TLS below 1.2 is refused. GIO offers no minimum version to ask for, and the GnuTLS
 * backend's priorities are the system's (which still allow TLS 1.0 and 1.1), so the
 * version is checked once the handshake is done: the connection is event-driven here, and
 * the request, with its bearer token, is not written until after this event. */
static void
network_event_cb (SoupMessage        *message,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  Call *call = user_data;
  GTlsProtocolVersion version;

  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKED || !G_IS_TLS_CONNECTION (connection))
    return;

  version = g_tls_connection_get_protocol_version (G_TLS_CONNECTION (connection));
  if (version == G_TLS_PROTOCOL_VERSION_SSL_3_0 || version == G_TLS_PROTOCOL_VERSION_TLS_1_0 ||
      version == G_TLS_PROTOCOL_VERSION_TLS_1_1 || version == G_TLS_PROTOCOL_VERSION_DTLS_1_0)
    {
      call->refused_protocol = version;
      g_cancellable_cancel (call->attempt_cancellable);
    }
}

/* Maps a failure of the HTTP exchange itself (no answer, or an answer cut short) to the
 * client-side codes. Returns NULL for a cancellation by the caller, which is handed on as
 * G_IO_ERROR_CANCELLED. */
static GError *
transport_error (TirkeuPortalClient *self,
                 Call               *call,
                 GError             *error,
                 gboolean            reading)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      call->refused_protocol != G_TLS_PROTOCOL_VERSION_UNKNOWN)
    return g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TLS,
                        _("The portal speaks only an old version of TLS (%s); TLS 1.2 or "
                          "newer is required"),
                        protocol_name (call->refused_protocol));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (call->timed_out)
        return g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT,
                            _("The portal did not answer within %u ms"),
                            call_waited_ms (call));
      return NULL;
    }

  if (error->domain == G_TLS_ERROR)
    return g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TLS,
                        _("The portal's certificate is not trusted: %s"), error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT,
                        _("The portal did not answer in time: %s"), error->message);

  if (error->domain == SOUP_SESSION_ERROR &&
      (error->code == SOUP_SESSION_ERROR_PARSING || error->code == SOUP_SESSION_ERROR_ENCODING))
    return g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED,
                        _("The portal's answer is not valid HTTP: %s"), error->message);

  if (reading)
    return g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_NETWORK,
                        _("The connection to the portal broke before the whole answer "
                          "arrived: %s"), error->message);

  return g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_NETWORK,
                      _("The portal could not be reached: %s"), error->message);
}

static gboolean
retry_wait_cb (gpointer user_data)
{
  GTask *task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);

  /* A cancellation during the wait wakes this up early (the child source): an action whose
   * time ran out says so as a timeout. The source drops its reference to the task when it
   * goes; the next attempt holds its own. */
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_error (task, tirkeu_portal_action_cancelled_error (cancellable));
      return G_SOURCE_REMOVE;
    }

  _tirkeu_portal_client_call_resume (g_object_ref (task));
  return G_SOURCE_REMOVE;
}

static gboolean
retry_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  return G_SOURCE_REMOVE;
}

/* Either schedules the next attempt or returns @error (taken) through @task. Only calls that
 * are safe to repeat are retried, and only for failures that a repetition can cure. */
static void
call_fail (GTask  *task,
           GError *error)
{
  TirkeuPortalClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  TirkeuPortalAction *action;
  guint retry_after = 0;
  guint delay_ms;
  gint64 deadline_at;
  GSource *wait;

  call_end_attempt (call, cancellable);

  if (error == NULL)
    {
      g_task_return_error (task, tirkeu_portal_action_cancelled_error (cancellable));
      g_object_unref (task);
      return;
    }

  if (error->domain == TIRKEU_PORTAL_ERROR)
    retry_after = tirkeu_portal_error_get_retry_after (error);

  if (!(call->flags & TIRKEU_PORTAL_CALL_RETRY_SAFE) ||
      !tirkeu_portal_error_is_transient (error) ||
      call->attempt >= self->max_attempts ||
      retry_after > RETRY_AFTER_MAX_S)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (retry_after > 0)
    {
      /* The portal said how long: wait that, plus a little jitter so that clients that were
       * refused together do not come back together. */
      delay_ms = retry_after * 1000 + g_random_int_range (0, self->retry_base_ms + 1);
    }
  else
    {
      guint64 backoff = (guint64) self->retry_base_ms << MIN (call->attempt - 1, 16);

      backoff = MIN (backoff, RETRY_MAX_DELAY_MS);
      /* "Equal jitter": half fixed, half random. */
      delay_ms = (guint) (backoff / 2 + g_random_int_range (0, (gint32) (backoff / 2) + 1));
    }

  /* The retry would start after the call's deadline, or its user action's: the user has
   * waited long enough, and the last failure is what they are told. */
  action = tirkeu_portal_action_from_cancellable (cancellable);
  deadline_at = call->deadline_at;
  if (action != NULL)
    deadline_at = MIN (deadline_at, tirkeu_portal_action_get_deadline (action));
  if (g_get_monotonic_time () + (gint64) delay_ms * 1000 >= deadline_at)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  g_debug ("%s %s: attempt %u failed (%s), retrying in %u ms",
           call->method, call->log_path, call->attempt,
           tirkeu_portal_code_to_string (error->code), delay_ms);
  g_error_free (error);

  wait = g_timeout_source_new (delay_ms);
  g_source_set_callback (wait, retry_wait_cb, task, g_object_unref);
  if (cancellable != NULL)
    {
      g_autoptr(GSource) cancelled = g_cancellable_source_new (cancellable);

      g_source_set_callback (cancelled, G_SOURCE_FUNC (retry_cancelled_cb), NULL, NULL);
      g_source_add_child_source (wait, cancelled);
    }
  g_source_set_name (wait, "[tirkeu] portal retry");
  g_source_attach (wait, g_task_get_context (task));
  g_source_unref (wait);
}

static guint
parse_retry_after (SoupMessageHeaders *headers)
{
  const char *value = soup_message_headers_get_one (headers, "Retry-After");
  guint64 seconds;

  if (value == NULL)
    return 0;

  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT32, &seconds, NULL))
    return (guint) MIN (seconds, G_MAXUINT);

  {
    /* The HTTP-date form. */
    g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (value);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    GTimeSpan span;

    if (when == NULL)
      return 0;
    span = g_date_time_difference (when, now);
    return span <= 0 ? 0 : (guint) MIN (span / G_TIME_SPAN_SECOND + 1, G_MAXUINT);
  }
}

static TirkeuPortalCode
code_for_status (guint status)
{
  switch (status)
    {
    case SOUP_STATUS_BAD_REQUEST:
      return TIRKEU_PORTAL_CODE_VALIDATION_FAILED;
    case SOUP_STATUS_UNAUTHORIZED:
      return TIRKEU_PORTAL_CODE_UNAUTHORIZED;
    case SOUP_STATUS_NOT_FOUND:
      return TIRKEU_PORTAL_CODE_NOT_FOUND;
    case SOUP_STATUS_CONFLICT:
      return TIRKEU_PORTAL_CODE_CONFLICT;
    case 429: /* Too Many Requests: not in libsoup 3.2's enum */
      return TIRKEU_PORTAL_CODE_RATE_LIMITED;
    case SOUP_STATUS_BAD_GATEWAY:
    case SOUP_STATUS_SERVICE_UNAVAILABLE:
    case SOUP_STATUS_GATEWAY_TIMEOUT:
      return TIRKEU_PORTAL_CODE_UNAVAILABLE;
    default:
      return status >= 500 ? TIRKEU_PORTAL_CODE_INTERNAL : TIRKEU_PORTAL_CODE_UNKNOWN;
    }
}

/* An answer outside 2xx. A body that follows the error model gives the portal's code and
 * texts; anything else (a proxy's HTML page) is judged by the status alone. */
static GError *
error_from_answer (guint   status,
                   GBytes *body)
{
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  root = tirkeu_portal_json_parse (data, len, NULL);
  if (root != NULL && len > 0)
    error = tirkeu_portal_json_to_error (root, status, NULL);

  if (error == NULL)
    {
      error = g_error_new (TIRKEU_PORTAL_ERROR, code_for_status (status),
                           _("The portal answered HTTP %u without an error description"),
                           status);
      _tirkeu_portal_error_set_http_status (error, status);
    }

  return error;
}

static void
call_finish_answer (GTask *task)
{
  TirkeuPortalClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  guint status = soup_message_get_status (call->message);
  GError *error;

  body = g_byte_array_free_to_bytes (g_steal_pointer (&call->answer));

  g_debug ("%s %s: HTTP %u, %zu bytes (attempt %u)", call->method, call->log_path, status,
           g_bytes_get_size (body), call->attempt);

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      GError *parse_error = NULL;
      gsize len;
      const char *data = g_bytes_get_data (body, &len);
      JsonNode *root;

      call_end_attempt (call, g_task_get_cancellable (task));

      root = tirkeu_portal_json_parse (data, len, &parse_error);
      if (root == NULL)
        {
          /* A malformed answer is not retried: the operation may have taken effect, and
           * repeating a broken answer teaches nothing. */
          g_task_return_error (task, parse_error);
          g_object_unref (task);
          return;
        }

      g_task_return_pointer (task, root, (GDestroyNotify) json_node_unref);
      g_object_unref (task);
      return;
    }

  error = error_from_answer (status, body);
  if (tirkeu_portal_error_get_retry_after (error) == 0)
    _tirkeu_portal_error_set_retry_after (error,
                                          parse_retry_after (soup_message_get_response_headers (call->message)));

  /* An expired session is renewed once, then the call is sent again. The renewal is skipped
   * when another call already renewed the session since this attempt was sent. */
  if ((call->flags & TIRKEU_PORTAL_CALL_AUTH) &&
      (error->code == TIRKEU_PORTAL_CODE_SESSION_EXPIRED ||
       error->code == TIRKEU_PORTAL_CODE_UNAUTHORIZED) &&
      !call->renewed && self->sign_func != NULL)
    {
      call_end_attempt (call, g_task_get_cancellable (task));
      call->renewed = TRUE;
      if (call->generation != self->session_generation && self->session_token != NULL)
        {
          g_clear_error (&error);
          _tirkeu_portal_client_call_resume (task);
          return;
        }
      g_debug ("%s %s: %s, signing in again", call->method, call->log_path,
               tirkeu_portal_code_to_string (error->code));
      g_clear_error (&error);
      tirkeu_portal_client_sign_out (self);
      call_pause (call);
      _tirkeu_portal_client_sign_in_begin (self, task);
      return;
    }

  call_fail (task, error);
}

static void
return_too_large (GTask   *task,
                  guint64  limit)
{
  /* xgettext cannot see through G_GUINT64_FORMAT: the number goes in as text */
  g_autofree char *bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, limit);

  g_task_return_new_error (task, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TOO_LARGE,
                           _("The portal's answer is larger than %s bytes"), bytes);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  TirkeuPortalClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      call_fail (task, transport_error (self, call, error, TRUE));
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      call_finish_answer (task);
      return;
    }

  /* The bound holds whatever Content-Length said (chunked answers have none). */
  if (call->answer->len + g_bytes_get_size (chunk) > self->max_answer_size)
    {
      call_end_attempt (call, g_task_get_cancellable (task));
      return_too_large (task, self->max_answer_size);
      g_object_unref (task);
      return;
    }

  g_byte_array_append (call->answer, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (call->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   call->attempt_cancellable, read_cb, task);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  TirkeuPortalClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  const char *environment;
  goffset length;

  call->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (call->stream == NULL)
    {
      call_fail (task, transport_error (self, call, error, FALSE));
      return;
    }

  headers = soup_message_get_response_headers (call->message);
  environment = soup_message_headers_get_one (headers, ENVIRONMENT_HEADER);
  if (environment != NULL)
    _tirkeu_portal_client_set_is_sandbox (self,
                                          g_ascii_strcasecmp (environment, "sandbox") == 0);

  /* A declared length is refused early; the read below is bounded anyway. */
  length = soup_message_headers_get_content_length (headers);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      (guint64) length > self->max_answer_size)
    {
      call_end_attempt (call, g_task_get_cancellable (task));
      return_too_large (task, self->max_answer_size);
      g_object_unref (task);
      return;
    }

  call->answer = g_byte_array_new ();
  g_input_stream_read_bytes_async (call->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   call->attempt_cancellable, read_cb, task);
}

static gboolean
deadline_cb (gpointer user_data)
{
  Call *call = user_data;

  call->timed_out = TRUE;
  g_clear_pointer (&call->deadline, g_source_unref);
  g_cancellable_cancel (call->attempt_cancellable);

  return G_SOURCE_REMOVE;
}

static void
parent_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

void
_tirkeu_portal_client_call_resume (GTask *task)
{
  TirkeuPortalClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autofree char *url = NULL;
  SoupMessageHeaders *headers;
  gint64 remaining_ms;

  call_unpause (call);

  if ((call->flags & TIRKEU_PORTAL_CALL_AUTH) && self->session_token == NULL)
    {
      if (self->sign_func != NULL && !call->renewed)
        {
          call->renewed = TRUE;
          call_pause (call);
          _tirkeu_portal_client_sign_in_begin (self, task);
          return;
        }
      g_task_return_new_error (task, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_UNAUTHORIZED,
                               _("Not signed in to the portal"));
      g_object_unref (task);
      return;
    }

  url = g_strconcat (self->base_url, call->path, NULL);
  call->message = soup_message_new (call->method, url);
  if (call->message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Cannot build a request for %s", call->log_path);
      g_object_unref (task);
      return;
    }

  headers = soup_message_get_request_headers (call->message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (call->idempotency_key != NULL)
    soup_message_headers_replace (headers, "Idempotency-Key", call->idempotency_key);
  if (call->flags & TIRKEU_PORTAL_CALL_AUTH)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", self->session_token, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
      explicit_bzero (authorization, strlen (authorization));
      call->generation = self->session_generation;
    }
  if (call->body != NULL)
    soup_message_set_request_body_from_bytes (call->message,
                                              "application/json; charset=utf-8", call->body);
  /* The contract has no redirects: following one would hand the bearer token to wherever it
   * points. A 3xx is an answer like any other non-2xx. */
  soup_message_add_flags (call->message, SOUP_MESSAGE_NO_REDIRECT);
  /* Our retries are deliberate; libsoup must not resend a POST on its own. */
  if (call->flags & TIRKEU_PORTAL_CALL_RETRY_SAFE)
    soup_message_add_flags (call->message, SOUP_MESSAGE_IDEMPOTENT);

  call->attempt++;
  self->n_attempts++;
  call->timed_out = FALSE;
  call->refused_protocol = G_TLS_PROTOCOL_VERSION_UNKNOWN;
  g_signal_connect (call->message, "network-event", G_CALLBACK (network_event_cb), call);
  /* rounded up: the attempt never ends before the deadline it was given */
  remaining_ms = (MAX (call->deadline_at - g_get_monotonic_time (), 1) + 999) / 1000;
  call->attempt_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    call->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (parent_cancelled_cb),
                                                g_object_ref (call->attempt_cancellable),
                                                g_object_unref);

  call->deadline = g_timeout_source_new ((guint) MIN (remaining_ms, G_MAXUINT));
  g_source_set_callback (call->deadline, deadline_cb, call, NULL);
  g_source_set_name (call->deadline, "[tirkeu] portal deadline");
  g_source_attach (call->deadline, g_task_get_context (task));

  soup_session_send_async (self->session, call->message, G_PRIORITY_DEFAULT,
                           call->attempt_cancellable, send_cb, task);
}

void
_tirkeu_portal_client_call_async (TirkeuPortalClient    *self,
                                  const char            *method,
                                  const char            *path,
                                  GBytes                *body,
                                  const char            *idempotency_key,
                                  TirkeuPortalCallFlags  flags,
                                  GCancellable          *cancellable,
                                  GAsyncReadyCallback    callback,
                                  gpointer               user_data)
{
  GTask *task;
  Call *call;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (method != NULL && path != NULL && path[0] == '/');

  call = g_new0 (Call, 1);
  call->method = g_strdup (method);
  call->path = g_strdup (path);
  call->log_path = mask_iins (path);
  call->body = body != NULL ? g_bytes_ref (body) : NULL;
  call->idempotency_key = g_strdup (idempotency_key);
  call->flags = flags;
  call->started_at = g_get_monotonic_time ();
  call->deadline_at = call->started_at + (gint64) self->timeout_ms * 1000;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _tirkeu_portal_client_call_async);
  /* A cancellation is reported by the call itself: as a timeout when the cancellable is a
   * user action whose time ran out (GTask would make every error a plain cancellation). */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_error (task, tirkeu_portal_action_cancelled_error (cancellable));
      g_object_unref (task);
      return;
    }

  /* The task holds itself until it returns: every path below ends in g_object_unref. */
  _tirkeu_portal_client_call_resume (task);
}

JsonNode *
_tirkeu_portal_client_call_finish (TirkeuPortalClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        _tirkeu_portal_client_call_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
