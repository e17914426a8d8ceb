/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the sandbox's handling of what a client sends: the method, the path,
 * the query string and the body of /api/v1 and /admin calls, with and without a session.
 * The handlers run in-process on an SbExchange, as the HTTP server hands them one, without
 * sockets or TLS. Invariants: no crash, no sanitizer report, no GLib warning or critical
 * (made fatal), and every answer is a status of the contract with a JSON body; every 4xx and
 * 5xx is the contract's error model (code, message in kk/ru/en, details object).
 *
 * Input: byte 0 picks the method and whether the call carries the session's token; then the
 * request target ("/api/v1/contracts?vin=..."), a newline, and the body (absent if empty). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "tirkeu-sandbox-private.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define REQUIRE(x) do { if (!(x)) abort (); } while (0)
#define TOKEN "fuzz-session-token"
#define SELLER_BIN "230540004989"

static TirkeuSandbox *sandbox;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  TirkeuSandboxOptions options;
  g_autoptr(GError) error = NULL;
  JsonObject *session = json_object_new ();

  /* What the suite does with G_DEBUG=fatal-warnings: a critical is a defect. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  /* OpenSSL makes its random generators on their first use (a challenge, a session token)
   * and keeps them: made inside one input, they look like that input's leak to libFuzzer
   * (it was, in CI, the first time a run reached POST /auth/challenge). Made here first. */
  {
    unsigned char bytes[16];

    if (RAND_bytes (bytes, sizeof bytes) != 1 || RAND_priv_bytes (bytes, sizeof bytes) != 1)
      abort ();
  }

  tirkeu_sandbox_options_init (&options);
  options.state_dir = g_dir_make_tmp ("tirkeu-fuzz-sandbox-XXXXXX", &error);
  REQUIRE (options.state_dir != NULL);
  options.buyer_mode = TIRKEU_SANDBOX_BUYER_MANUAL;
  options.seed = 1;
  sandbox = tirkeu_sandbox_new (&options, &error);
  if (sandbox == NULL)
    g_error ("fuzz-sandbox-api: %s", error->message);
  tirkeu_sandbox_options_clear (&options);

  /* A signed-in seller, as POST /auth/session would leave it. */
  json_object_set_string_member (session, "bin", SELLER_BIN);
  json_object_set_int_member (session, "expires_at", G_MAXINT64);
  g_hash_table_insert (sandbox->sessions,
                       g_compute_checksum_for_string (G_CHECKSUM_SHA256, TOKEN, -1), session);

  return 0;
}

static void
check_answer (Reply *reply)
{
  JsonObject *body, *message;

  REQUIRE (reply->body != NULL);
  REQUIRE (reply->status >= 200 && reply->status <= 599);
  if (reply->status < 400)
    return;

  REQUIRE (JSON_NODE_HOLDS_OBJECT (reply->body));
  body = json_node_get_object (reply->body);
  REQUIRE (_sb_get_string (body, "code") != NULL);
  REQUIRE (json_object_has_member (body, "message")
           && JSON_NODE_HOLDS_OBJECT (json_object_get_member (body, "message")));
  message = json_object_get_object_member (body, "message");
  REQUIRE (_sb_get_string (message, "kk") != NULL && _sb_get_string (message, "ru") != NULL
           && _sb_get_string (message, "en") != NULL);
  REQUIRE (json_object_has_member (body, "details")
           && JSON_NODE_HOLDS_OBJECT (json_object_get_member (body, "details")));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const methods[] = { "GET", "POST", "PUT", "DELETE" };
  g_autoptr(SoupMessageHeaders) request_headers = NULL;
  g_autoptr(SoupMessageHeaders) response_headers = NULL;
  g_autofree char *target = NULL;
  g_autofree char *path = NULL;
  const char *newline, *question;
  SbExchange exchange = { 0, };
  Reply reply = { 0, NULL };

  if (size < 2)
    return 0;

  request_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  response_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  if (data[0] & 4)
    soup_message_headers_replace (request_headers, "Authorization", "Bearer " TOKEN);
  if (data[0] & 8)
    soup_message_headers_replace (request_headers, "Idempotency-Key", "fuzz-key");
  exchange.method = methods[data[0] & 3];

  newline = memchr (data + 1, '\n', size - 1);
  target = g_strndup ((const char *) data + 1,
                      (newline != NULL ? (const uint8_t *) newline : data + size) - (data + 1));
  /* The server gives handlers a decoded path (any NUL cut it) and a still encoded query. */
  question = strchr (target, '?');
  path = g_uri_unescape_segment (target, question, NULL);
  if (path == NULL)
    return 0;
  exchange.path = path;
  exchange.query = question != NULL ? question + 1 : NULL;
  exchange.request_headers = request_headers;
  exchange.response_headers = response_headers;
  if (newline != NULL && (const uint8_t *) newline + 1 < data + size)
    exchange.body = g_bytes_new (newline + 1, data + size - (const uint8_t *) newline - 1);

  if (g_str_has_prefix (path, API_PREFIX))
    _sb_api_dispatch (sandbox, &exchange, &reply);
  else if (g_str_has_prefix (path, "/admin/"))
    _sb_admin_dispatch (sandbox, &exchange, &reply);
  else
    {
      _sb_exchange_clear (&exchange);
      return 0;
    }

  check_answer (&reply);
  g_clear_pointer (&reply.body, json_node_unref);
  _sb_exchange_clear (&exchange);

  return 0;
}
