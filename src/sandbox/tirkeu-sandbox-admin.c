/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-sandbox-private.h"

static JsonNode *
faults_node (TirkeuSandbox *self)
{
  JsonObject *faults = json_object_new ();

  json_object_set_int_member (faults, "latency_ms", self->options.latency_ms);
  json_object_set_double_member (faults, "fail_rate", self->options.fail_rate);
  json_object_set_double_member (faults, "drop_rate", self->options.drop_rate);
  json_object_set_double_member (faults, "malformed_rate", self->options.malformed_rate);
  json_object_set_int_member (faults, "slow_body_ms", self->options.slow_body_ms);
  json_object_set_int_member (faults, "rate_limit", self->options.rate_limit);
  json_object_set_string_member (faults, "wrong_payload",
                                 tirkeu_sandbox_payload_fault_to_string (
                                   self->options.wrong_payload));

  return _sb_object_node (faults);
}

static gboolean
read_number (JsonObject *object,
             const char *member,
             double      max,
             double     *value)
{
  JsonNode *node = json_object_get_member (object, member);
  GType type;

  if (node == NULL)
    return TRUE;
  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return FALSE;
  *value = json_node_get_double (node);

  return *value >= 0 && *value <= max;
}

static void
admin_set_faults (TirkeuSandbox     *self,
                  SbExchange        *exchange,
                  Reply             *reply)
{
  g_autoptr(JsonObject) body = _sb_parse_body (self, exchange, reply);
  double latency = self->options.latency_ms, slow = self->options.slow_body_ms;
  double rate = self->options.rate_limit;
  double fail = self->options.fail_rate, drop = self->options.drop_rate;
  double malformed = self->options.malformed_rate;
  TirkeuSandboxPayloadFault wrong_payload = self->options.wrong_payload;
  JsonNode *wrong_payload_node;

  if (body == NULL)
    return;
  wrong_payload_node = json_object_get_member (body, "wrong_payload");
  if (wrong_payload_node != NULL
      && (json_node_get_value_type (wrong_payload_node) != G_TYPE_STRING
          || !tirkeu_sandbox_payload_fault_from_string (json_node_get_string (wrong_payload_node),
                                                        &wrong_payload)))
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "wrong_payload",
                       "none, vin, buyer_iin, contract_number or seller_bin");
      return;
    }
  if (!read_number (body, "latency_ms", 600000, &latency)
      || !read_number (body, "slow_body_ms", 600000, &slow)
      || !read_number (body, "rate_limit", 1000000, &rate)
      || !read_number (body, "fail_rate", 1, &fail)
      || !read_number (body, "drop_rate", 1, &drop)
      || !read_number (body, "malformed_rate", 1, &malformed))
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "body",
                       "rates are 0-1, times and limits are whole numbers from 0");
      return;
    }

  self->options.latency_ms = (guint) latency;
  self->options.slow_body_ms = (guint) slow;
  self->options.rate_limit = (guint) rate;
  self->options.fail_rate = fail;
  self->options.drop_rate = drop;
  self->options.malformed_rate = malformed;
  self->options.wrong_payload = wrong_payload;
  _sb_reply_ok (reply, 200, faults_node (self));
}

/* POST /admin/pki/revocations {serial, reason?}: what `tirkeu-sandbox pki revoke` asks of
 * a running sandbox, so that OCSP, the CRL and the signature checks say it at once. */
static void
admin_revoke (TirkeuSandbox     *self,
              SbExchange        *exchange,
              Reply             *reply)
{
  g_autoptr(JsonObject) body = _sb_parse_body (self, exchange, reply);
  g_autofree char *serial = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *reason_node;
  JsonObject *answer;
  int reason = -1;

  if (body == NULL)
    return;
  serial = tirkeu_sandbox_ca_normalize_serial (_sb_get_string (body, "serial"));
  if (serial == NULL)
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "serial",
                       "the certificate's serial number in hexadecimal");
      return;
    }
  reason_node = json_object_get_member (body, "reason");
  if (reason_node != NULL)
    {
      g_autofree char *text = NULL;

      if (json_node_get_value_type (reason_node) != G_TYPE_INT64
          || (text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (reason_node)),
              !tirkeu_sandbox_ca_parse_reason (text, &reason)))
        {
          _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "reason",
                           "a CRLReason code of RFC 5280: 0-6 or 8-10");
          return;
        }
    }

  if (!tirkeu_sandbox_ca_revoke (self->ca, serial, reason, _sb_now_s (self), &error))
    {
      _sb_reply_error (self, reply, 500, TIRKEU_PORTAL_CODE_INTERNAL, NULL, error->message);
      return;
    }
  answer = json_object_new ();
  json_object_set_string_member (answer, "serial", serial);
  json_object_set_boolean_member (answer, "revoked", TRUE);
  _sb_reply_ok (reply, 200, _sb_object_node (answer));
}

/* The request as the API shows it, and for the trainer and the tests what the portal
 * checked of its signature. */
static JsonNode *
admin_request_view (JsonObject *request)
{
  JsonNode *node = _sb_render_request (request);
  JsonNode *check = json_object_get_member (request, "_signature_check");

  if (check != NULL)
    json_object_set_member (json_node_get_object (node), "signature", json_node_copy (check));
  return node;
}

static void
admin_action (TirkeuSandbox     *self,
              SbExchange        *exchange,
              const char        *id,
              const char        *action,
              Reply             *reply)
{
  g_autoptr(JsonObject) body = _sb_parse_body (self, exchange, reply);
  g_autoptr(GError) error = NULL;
  JsonNode *request;

  if (body == NULL)
    return;

  request = tirkeu_sandbox_buyer_action (self, id, action, _sb_get_string (body, "code"),
                                         json_object_get_member (body, "reason"), &error);
  if (request != NULL)
    _sb_reply_ok (reply, 200, request);
  else if (g_error_matches (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_NOT_FOUND))
    _sb_reply_error (self, reply, 404, TIRKEU_PORTAL_CODE_NOT_FOUND, "id", error->message);
  else if (g_error_matches (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_CONFLICT))
    _sb_reply_error (self, reply, 409, TIRKEU_PORTAL_CODE_CONFLICT, "stage", error->message);
  else
    _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, NULL, error->message);
}

void
_sb_admin_dispatch (TirkeuSandbox     *self,
                    SbExchange        *exchange,
                    Reply             *reply)
{
  const char *method = exchange->method;
  const char *path = exchange->path;
  g_auto(GStrv) parts = g_strsplit (path + strlen ("/admin/"), "/", -1);
  guint n = g_strv_length (parts);
  gboolean get = g_str_equal (method, "GET");
  gboolean post = g_str_equal (method, "POST");

  if (n == 1 && get && g_str_equal (parts[0], "requests"))
    {
      g_autoptr(GPtrArray) list = _sb_requests_by_revision (self);
      JsonArray *requests = json_array_new ();
      JsonObject *answer = json_object_new ();

      for (guint i = 0; i < list->len; i++)
        json_array_add_element (requests, admin_request_view (g_ptr_array_index (list, i)));
      json_object_set_array_member (answer, "requests", requests);
      {
        _sb_reply_ok (reply, 200, _sb_object_node (answer));
        return;
      }
    }
  if (n == 3 && post && g_str_equal (parts[0], "requests"))
    {
      admin_action (self, exchange, parts[1], parts[2], reply);
      return;
    }
  if (n == 2 && post && g_str_equal (parts[0], "sessions") && g_str_equal (parts[1], "expire"))
    {
      GHashTableIter iter;
      gpointer value;
      guint expired = 0;
      JsonObject *answer = json_object_new ();

      g_hash_table_iter_init (&iter, self->sessions);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (json_object_get_int_member (value, "expires_at") > _sb_now_s (self) - 1)
          {
            json_object_set_int_member (value, "expires_at", _sb_now_s (self) - 1);
            expired++;
          }
      _sb_state_save_or_warn (self);
      json_object_set_int_member (answer, "expired", expired);
      {
        _sb_reply_ok (reply, 200, _sb_object_node (answer));
        return;
      }
    }
  if (n == 2 && post && g_str_equal (parts[0], "pki") && g_str_equal (parts[1], "revocations"))
    {
      admin_revoke (self, exchange, reply);
      return;
    }
  if (n == 1 && get && g_str_equal (parts[0], "faults"))
    {
      _sb_reply_ok (reply, 200, faults_node (self));
      return;
    }
  if (n == 1 && post && g_str_equal (parts[0], "faults"))
    {
      admin_set_faults (self, exchange, reply);
      return;
    }

  _sb_reply_error (self, reply, 404, TIRKEU_PORTAL_CODE_NOT_FOUND, "path", "no such operation");
}

/* /admin/...: the sandbox's own controls. No faults, no rate limit, no session: meant for
 * the machine it runs on (see parse_listen()). */
void
_sb_admin_handler_cb (SoupServer        *server,
                      SoupServerMessage *msg,
                      const char        *path,
                      GHashTable        *query,
                      gpointer           user_data)
{
  TirkeuSandbox *self = user_data;
  Reply reply = { 0, NULL };
  SbExchange exchange;

  _sb_set_common_headers (msg);
  _sb_exchange_init (&exchange, msg);
  if (g_str_has_prefix (path, "/admin/"))
    _sb_admin_dispatch (self, &exchange, &reply);
  else
    _sb_reply_error (self, &reply, 404, TIRKEU_PORTAL_CODE_NOT_FOUND, "path", "no such path");
  _sb_exchange_clear (&exchange);
  _sb_send (msg, &reply);
}
