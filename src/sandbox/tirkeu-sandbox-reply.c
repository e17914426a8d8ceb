/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-sandbox-private.h"

/* The contract's error model, request bodies and how an answer is put on the message. */

JsonNode *
_sb_error_body (TirkeuSandbox    *self,
                TirkeuPortalCode  code,
                JsonObject       *details)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "code", tirkeu_portal_code_to_string (code));
  json_object_set_member (object, "message",
                          _sb_data_text (self->data, "errors",
                                         tirkeu_portal_code_to_string (code)));
  json_object_set_object_member (object, "details",
                                 details != NULL ? details : json_object_new ());

  return _sb_object_node (object);
}

void
_sb_reply_error (TirkeuSandbox    *self,
                 Reply            *reply,
                 guint             status,
                 TirkeuPortalCode  code,
                 const char       *field,
                 const char       *reason)
{
  JsonObject *details = json_object_new ();

  if (field != NULL)
    json_object_set_string_member (details, "field", field);
  if (reason != NULL)
    json_object_set_string_member (details, "reason", reason);
  if (tirkeu_portal_code_get_step (code) != 0 && code != TIRKEU_PORTAL_CODE_SIGNATURE_INVALID
      && code != TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED)
    json_object_set_int_member (details, "step", tirkeu_portal_code_get_step (code));

  g_clear_pointer (&reply->body, json_node_unref);
  reply->status = status;
  reply->body = _sb_error_body (self, code, details);
}

void
_sb_reply_ok (Reply    *reply,
              guint     status,
              JsonNode *body)
{
  g_clear_pointer (&reply->body, json_node_unref);
  reply->status = status;
  reply->body = body;
}

JsonObject *
_sb_parse_body (TirkeuSandbox     *self,
                SbExchange        *exchange,
                Reply             *reply)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length = 0;
  const char *data = exchange->body != NULL ? g_bytes_get_data (exchange->body, &length) : NULL;
  JsonNode *root;

  if (length > MAX_BODY)
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "body",
                       "the body is too large");
      return NULL;
    }
  if (length == 0)
    return json_object_new ();
  /* Whitespace alone parses, with no root at all: a NULL node, which is not a JSON null. */
  if (!g_utf8_validate (data, length, NULL)
      || !json_parser_load_from_data (parser, data, length, NULL)
      || (root = json_parser_get_root (parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root))
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "body",
                       "the body must be a JSON object in UTF-8");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/* The query's parameters (an empty table when there is none), or NULL with a 400 in @reply
 * when a value could not be a parameter of ours: a NUL (%00), which would cut the C string
 * short ("limit=1%00x" read as 1), or bytes that are not UTF-8. */
GHashTable *
_sb_parse_query (TirkeuSandbox *self,
                 SbExchange    *exchange,
                 Reply         *reply)
{
  g_autoptr(GHashTable) form = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (exchange->query == NULL)
    return g_hash_table_new (g_str_hash, g_str_equal);
  if (strstr (exchange->query, "%00") == NULL)
    form = soup_form_decode (exchange->query);

  if (form != NULL)
    {
      g_hash_table_iter_init (&iter, form);
      while (form != NULL && g_hash_table_iter_next (&iter, &key, &value))
        if (!g_utf8_validate (key, -1, NULL) || !g_utf8_validate (value, -1, NULL))
          g_clear_pointer (&form, g_hash_table_unref);
    }
  if (form == NULL)
    _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "query",
                     "the query must be UTF-8 without NUL characters");

  return g_steal_pointer (&form);
}

GBytes *
_sb_serialize (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length;
  char *text;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &length);

  return g_bytes_new_take (text, length);
}

void
_sb_set_body (SoupServerMessage *msg,
              GBytes            *body)
{
  gsize length;
  const char *data = g_bytes_get_data (body, &length);

  /* set_response appends: drop the default answer the message started with. */
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_COPY,
                                    data, length);
}

/* Sends @reply (taking its body) as the whole answer to @msg. */
void
_sb_send (SoupServerMessage *msg,
          Reply             *reply)
{
  g_autoptr(GBytes) body = _sb_serialize (reply->body);

  soup_server_message_set_status (msg, reply->status, NULL);
  _sb_set_body (msg, body);
  g_clear_pointer (&reply->body, json_node_unref);
}

/* Every answer says it comes from a sandbox, so that the app shows "Training portal". */
void
_sb_set_common_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, ENVIRONMENT_HEADER, "sandbox");
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
}

/* What the handlers read of @msg (see SbExchange). */
void
_sb_exchange_init (SbExchange        *exchange,
                   SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  exchange->method = soup_server_message_get_method (msg);
  exchange->path = g_uri_get_path (uri);
  exchange->query = g_uri_get_query (uri);
  exchange->request_headers = soup_server_message_get_request_headers (msg);
  exchange->response_headers = soup_server_message_get_response_headers (msg);
  exchange->body = body != NULL && body->length > 0 ? soup_message_body_flatten (body) : NULL;
}

void
_sb_exchange_clear (SbExchange *exchange)
{
  g_clear_pointer (&exchange->body, g_bytes_unref);
}
