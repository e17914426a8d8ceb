/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-iin.h"
#include "tirkeu-signing-payload.h"
#include "tirkeu-sandbox-private.h"

/* The seller's requests: create (steps 1-8 again, idempotent), read, sign, withdraw, and
 * the /changes feed that sync reads. */

/* A request number staff can read out to a buyer at the desk: "T" marks the training portal,
 * then the year and a serial. The contract keeps ids opaque, so a client must not parse it. */
static char *
new_request_id (TirkeuSandbox *self,
                gint64         unix_seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (unix_seconds);
  guint serial = g_hash_table_size (self->requests) + 1;

  for (;; serial++)
    {
      char *id = g_strdup_printf ("T-%04d-%06u", g_date_time_get_year (now), serial);

      if (!g_hash_table_contains (self->requests, id))
        return id;
      g_free (id);
    }
}

static const char * const payload_fault_names[] = {
  [TIRKEU_SANDBOX_PAYLOAD_RIGHT] = "none",
  [TIRKEU_SANDBOX_PAYLOAD_OTHER_VIN] = "vin",
  [TIRKEU_SANDBOX_PAYLOAD_OTHER_BUYER] = "buyer_iin",
  [TIRKEU_SANDBOX_PAYLOAD_OTHER_CONTRACT] = "contract_number",
  [TIRKEU_SANDBOX_PAYLOAD_OTHER_SELLER] = "seller_bin",
};

/**
 * tirkeu_sandbox_payload_fault_to_string:
 * @fault: a #TirkeuSandboxPayloadFault
 *
 * Returns: its name in the admin API and on the command line: none, or the member of the
 *   payload that names another sale (vin, buyer_iin, contract_number, seller_bin)
 */
const char *
tirkeu_sandbox_payload_fault_to_string (TirkeuSandboxPayloadFault fault)
{
  g_return_val_if_fail (fault < G_N_ELEMENTS (payload_fault_names), NULL);

  return payload_fault_names[fault];
}

/**
 * tirkeu_sandbox_payload_fault_from_string:
 * @text: (nullable): a name from tirkeu_sandbox_payload_fault_to_string()
 * @fault: (out): the fault
 *
 * Returns: whether @text names one
 */
gboolean
tirkeu_sandbox_payload_fault_from_string (const char                *text,
                                          TirkeuSandboxPayloadFault *fault)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (payload_fault_names); i++)
    if (g_str_equal (text, payload_fault_names[i]))
      {
        *fault = i;
        return TRUE;
      }

  return FALSE;
}

/* Another identifier of the same shape: the last character changed (0 <-> 1 keeps it in the
 * VIN alphabet and in digits). For fixtures that hold one vehicle, person or seller only. */
static const char *
other_of (const char *found,
          const char *value,
          char      **storage)
{
  gsize length = strlen (value);

  if (found != NULL)
    return found;
  *storage = g_strdup (value);
  if (length > 0)
    (*storage)[length - 1] = value[length - 1] == '0' ? '1' : '0';

  return *storage;
}

/* The canonical payload (tirkeu-signing-payload.c), base64. With --wrong-payload, one
 * member names another sale, as a hostile portal's would: another vehicle, buyer or seller
 * of the fixtures, or another contract number. */
static char *
signing_payload_b64 (TirkeuSandbox *self,
                     JsonObject    *request)
{
  TirkeuSigningPayload members = {
    .buyer_iin = (char *) _sb_get_string (request, "buyer_iin"),
    .contract_number = (char *) _sb_get_string (request, "contract_number"),
    .created_at = (char *) _sb_get_string (request, "created_at"),
    .request_id = (char *) _sb_get_string (request, "id"),
    .seller_bin = (char *) _sb_get_string (request, "seller_bin"),
    .vin = (char *) _sb_get_string (request, "vin"),
  };
  g_autofree char *other = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  const guchar *data;

  switch (self->options.wrong_payload)
    {
    case TIRKEU_SANDBOX_PAYLOAD_OTHER_VIN:
      members.vin = (char *) other_of (_sb_data_other (self->data, "vehicles", "vin",
                                                       members.vin),
                                       members.vin, &other);
      break;
    case TIRKEU_SANDBOX_PAYLOAD_OTHER_BUYER:
      members.buyer_iin = (char *) other_of (_sb_data_other (self->data, "persons", "iin",
                                                             members.buyer_iin),
                                             members.buyer_iin, &other);
      break;
    case TIRKEU_SANDBOX_PAYLOAD_OTHER_CONTRACT:
      /* Another number of the same length, so that it stays within 1-64 characters. */
      other = g_strconcat (members.contract_number[0] == '1' ? "2" : "1",
                           g_utf8_next_char (members.contract_number), NULL);
      members.contract_number = other;
      break;
    case TIRKEU_SANDBOX_PAYLOAD_OTHER_SELLER:
      members.seller_bin = (char *) other_of (_sb_data_other (self->data, "sellers", "bin",
                                                              members.seller_bin),
                                              members.seller_bin, &other);
      break;
    case TIRKEU_SANDBOX_PAYLOAD_RIGHT:
    default:
      break;
    }

  bytes = tirkeu_signing_payload_encode (&members);
  data = g_bytes_get_data (bytes, &length);

  return g_base64_encode (data, length);
}

static gboolean
idempotency_key_is_valid (const char *key)
{
  gsize length = key != NULL ? strlen (key) : 0;

  if (length == 0 || length > 128)
    return FALSE;
  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._:-", *p) == NULL)
      return FALSE;

  return TRUE;
}

/* 1-64 characters (not bytes: contract numbers are often Cyrillic), none a control
 * character, which the signing payload could not carry. The body is valid UTF-8 already. */
static gboolean
contract_number_is_valid (const char *number)
{
  glong length = number != NULL ? g_utf8_strlen (number, -1) : 0;

  if (length < 1 || length > 64)
    return FALSE;
  for (const char *p = number; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;

  return TRUE;
}

static JsonObject *
active_request_for_vin (TirkeuSandbox *self,
                        const char    *vin)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_str_equal (_sb_get_string (value, "vin"), vin)
        && !tirkeu_stage_is_final (_sb_request_stage (value)))
      return value;

  return NULL;
}

void
_sb_api_create_request (TirkeuSandbox     *self,
                        SbExchange        *exchange,
                        JsonObject        *seller,
                        Reply             *reply)
{
  const char *key = soup_message_headers_get_one (exchange->request_headers,
                                                  "Idempotency-Key");
  g_autoptr(JsonObject) body = NULL;
  g_autofree char *vin = NULL;
  g_autofree char *scope = NULL;
  g_autofree char *id = NULL;
  g_autofree char *created_at = NULL;
  g_autofree char *payload_b64 = NULL;
  g_autofree char *location = NULL;
  const char *seller_bin = _sb_get_string (seller, "bin");
  const char *buyer_iin;
  const char *contract_number;
  JsonObject *remembered;
  JsonObject *vehicle, *epassport, *person, *other, *request, *summary, *buyer;
  JsonObject *contract = NULL;
  JsonObject *check;
  g_autoptr(GList) contracts = NULL;
  static const TirkeuStage checks[] = {
    TIRKEU_STAGE_OKED_CHECKED, TIRKEU_STAGE_EPASSPORT_CHECKED, TIRKEU_STAGE_CUSTOMS_CHECKED,
    TIRKEU_STAGE_UTILIZATION_CHECKED, TIRKEU_STAGE_BUYER_CHECKED, TIRKEU_STAGE_CONTRACT_FOUND,
  };
  static const char * const described[] = { "colour", "body", "engine" };

  if (!idempotency_key_is_valid (key))
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "Idempotency-Key",
                       "1-128 characters of [A-Za-z0-9._:-] are required");
      return;
    }

  body = _sb_parse_body (self, exchange, reply);
  if (body == NULL)
    return;
  vin = _sb_normalize_vin (_sb_get_string (body, "vin"));
  buyer_iin = _sb_get_string (body, "buyer_iin");
  contract_number = _sb_get_string (body, "contract_number");
  if (vin == NULL)
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "vin",
                       "17 characters of 0-9 and A-Z without I, O, Q");
      return;
    }
  if (!_sb_id_is_valid (buyer_iin))
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "buyer_iin",
                       "12 digits with a valid check digit");
      return;
    }
  if (!contract_number_is_valid (contract_number))
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "contract_number",
                       "1-64 characters, no control characters");
      return;
    }

  /* Idempotency: the same key and body give the first answer again, another body is a
   * conflict. Only successful creations are remembered, so a refused one is re-evaluated. */
  scope = g_strdup_printf ("%s\n%s", seller_bin, key);
  remembered = g_hash_table_lookup (self->idempotency, scope);
  if (remembered != NULL)
    {
      JsonObject *first = g_hash_table_lookup (self->requests,
                                               _sb_get_string (remembered, "request_id"));

      if (g_str_equal (_sb_get_string (remembered, "vin"), vin)
          && g_str_equal (_sb_get_string (remembered, "buyer_iin"), buyer_iin)
          && g_str_equal (_sb_get_string (remembered, "contract_number"), contract_number)
          && first != NULL)
        _sb_reply_ok (reply, 200, _sb_render_request (first));
      else
        _sb_reply_error (self, reply, 409, TIRKEU_PORTAL_CODE_CONFLICT, "Idempotency-Key",
                         "the key was used with another body");
      return;
    }

  /* Steps 1-8 again, in the law's order; the first that fails is the answer. */
  if (_sb_data_oked_match (self->data, seller) == NULL)
    {
      _sb_reply_error (self, reply, 403, TIRKEU_PORTAL_CODE_OKED_MISMATCH, NULL,
                       "no vehicle trade OKED");
      return;
    }
  check = _sb_vehicle_check (self, vin);
  if (json_object_get_member (check, "stopped_at") != NULL
      && !JSON_NODE_HOLDS_NULL (json_object_get_member (check, "stopped_at")))
    {
      TirkeuPortalCode code = tirkeu_portal_code_from_string (
        _sb_get_string (json_object_get_object_member (check, "stopped_at"), "code"));

      json_object_unref (check);
      _sb_reply_error (self, reply, 422, code, NULL, NULL);
      return;
    }
  json_object_unref (check);

  person = _sb_data_find (self->data, "persons", "iin", buyer_iin);
  if (person == NULL || !g_str_equal (_sb_get_string (person, "status"), "active"))
    {
      _sb_reply_error (self, reply, 422, TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND, NULL,
                       person == NULL ? "no such person in GBD FL"
                                      : _sb_get_string (person, "status"));
      return;
    }

  contracts = _sb_data_contracts (self->data, seller_bin, vin, buyer_iin);
  for (GList *l = contracts; l != NULL && contract == NULL; l = l->next)
    if (g_str_equal (_sb_get_string (l->data, "number"), contract_number))
      contract = l->data;
  if (contract == NULL)
    {
      _sb_reply_error (self, reply, 422, TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND, NULL,
                       "no such contract for this seller, VIN and buyer");
      return;
    }

  other = active_request_for_vin (self, vin);
  if (other != NULL)
    {
      JsonObject *details = json_object_new ();

      json_object_set_string_member (details, "reason", "the VIN has an active request");
      if (g_str_equal (_sb_get_string (other, "seller_bin"), seller_bin))
        json_object_set_string_member (details, "request_id", _sb_get_string (other, "id"));
      _sb_reply_ok (reply, 409, _sb_error_body (self, TIRKEU_PORTAL_CODE_CONFLICT, details));
      return;
    }

  /* All passed: the request, with the history of steps 1-8. */
  created_at = _sb_format_time (_sb_now_s (self));
  id = new_request_id (self, _sb_now_s (self));
  vehicle = _sb_data_find (self->data, "vehicles", "vin", vin);
  epassport = json_object_get_object_member (vehicle, "epassport");

  request = json_object_new ();
  json_object_set_string_member (request, "id", id);
  /* Contract 1.1: every Request carries the key it was created with, so that a client that
   * syncs it can match it to its own submission. It is a public member, kept in the state
   * with the request; a request from a state written before 1.1 has none and its answers
   * leave the member out, as the contract allows. */
  json_object_set_string_member (request, "idempotency_key", key);
  json_object_set_string_member (request, "stage", tirkeu_stage_to_string (TIRKEU_STAGE_DRAFT));
  json_object_set_int_member (request, "revision", 0);
  json_object_set_string_member (request, "vin", vin);
  json_object_set_string_member (request, "buyer_iin", buyer_iin);
  json_object_set_string_member (request, "contract_number", contract_number);
  json_object_set_string_member (request, "seller_bin", seller_bin);
  json_object_set_string_member (request, "created_at", created_at);
  json_object_set_string_member (request, "updated_at", created_at);

  payload_b64 = signing_payload_b64 (self, request);
  json_object_set_string_member (request, "signing_payload", payload_b64);

  summary = json_object_new ();
  json_object_set_string_member (summary, "make", _sb_get_string (epassport, "make"));
  json_object_set_string_member (summary, "model", _sb_get_string (epassport, "model"));
  json_object_set_int_member (summary, "year", json_object_get_int_member (epassport, "year"));
  /* Contract 1.4.0: the human-language details with their kk, ru and en texts, as the
   * e-passport gave them at creation (body and engine are new on a Request in 1.4.0). */
  for (guint i = 0; i < G_N_ELEMENTS (described); i++)
    {
      g_autofree char *text = g_strconcat (described[i], "_text", NULL);

      if (_sb_get_string (epassport, described[i]) != NULL)
        json_object_set_string_member (summary, described[i],
                                       _sb_get_string (epassport, described[i]));
      if (json_object_has_member (epassport, text))
        json_object_set_member (summary, text,
                                json_node_copy (json_object_get_member (epassport, text)));
    }
  if (_sb_get_string (epassport, "category") != NULL)
    json_object_set_string_member (summary, "category", _sb_get_string (epassport, "category"));
  json_object_set_object_member (request, "vehicle", summary);

  buyer = json_object_new ();
  json_object_set_string_member (buyer, "iin", buyer_iin);
  json_object_set_string_member (buyer, "full_name", _sb_get_string (person, "full_name"));
  json_object_set_object_member (request, "buyer", buyer);
  json_object_set_object_member (request, "contract", _sb_contract_view (self, contract));
  json_object_set_array_member (request, "history", json_array_new ());
  json_object_set_null_member (request, "refusal");
  json_object_set_null_member (request, "tson");
  json_object_set_null_member (request, "plate_type");
  if (_sb_data_scenario (self->data, vin, buyer_iin) != NULL)
    json_object_set_object_member (request, "_scenario",
                                   json_object_ref (_sb_data_scenario (self->data, vin,
                                                                       buyer_iin)));

  g_hash_table_insert (self->requests, g_strdup (id), request);
  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    _sb_request_move (self, request, checks[i], NULL);

  remembered = json_object_new ();
  json_object_set_string_member (remembered, "request_id", id);
  json_object_set_string_member (remembered, "vin", vin);
  json_object_set_string_member (remembered, "buyer_iin", buyer_iin);
  json_object_set_string_member (remembered, "contract_number", contract_number);
  json_object_set_int_member (remembered, "created_at", _sb_now_s (self));
  g_hash_table_insert (self->idempotency, g_steal_pointer (&scope), remembered);
  _sb_state_save_or_warn (self);

  location = g_strconcat (API_PREFIX, "requests/", id, NULL);
  soup_message_headers_replace (exchange->response_headers, "Location",
                                location);
  _sb_reply_ok (reply, 201, _sb_render_request (request));
}

JsonObject *
_sb_seller_request (TirkeuSandbox *self,
                    JsonObject    *seller,
                    const char    *id,
                    Reply         *reply)
{
  JsonObject *request = g_hash_table_lookup (self->requests, id);

  /* Another seller's request does not exist for this one. */
  if (request == NULL || !g_str_equal (_sb_get_string (request, "seller_bin"),
                                       _sb_get_string (seller, "bin")))
    {
      _sb_reply_error (self, reply, 404, TIRKEU_PORTAL_CODE_NOT_FOUND, "id", "no such request");
      return NULL;
    }

  return request;
}

void
_sb_api_sign_request (TirkeuSandbox     *self,
                      SbExchange        *exchange,
                      JsonObject        *seller,
                      const char        *id,
                      Reply             *reply)
{
  JsonObject *request = _sb_seller_request (self, seller, id, reply);
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(TirkeuSandboxSigner) signer = NULL;
  g_autofree char *masked = NULL;
  const char *signature;

  if (request == NULL)
    return;
  body = _sb_parse_body (self, exchange, reply);
  if (body == NULL)
    return;
  signature = _sb_get_string (body, "signature");
  if (signature == NULL || *signature == '\0')
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "signature",
                       "signature is required");
      return;
    }

  if (_sb_request_stage (request) != TIRKEU_STAGE_CONTRACT_FOUND)
    {
      /* A retry of the accepted signature is answered like the first time. */
      if (g_strcmp0 (_sb_get_string (request, "_signature"), signature) == 0)
        _sb_reply_ok (reply, 200, _sb_render_request (request));
      else
        _sb_reply_error (self, reply, 409, TIRKEU_PORTAL_CODE_CONFLICT, "stage",
                         "the request is no longer waiting for the seller's signature");
      return;
    }

  signer = _sb_verify_signature (self, reply, signature,
                                 _sb_get_string (request, "signing_payload"),
                                 TIRKEU_SANDBOX_KEY_SIGN);
  if (signer == NULL)
    return;
  if (!g_str_equal (signer->bin, _sb_get_string (request, "seller_bin")))
    {
      _sb_reply_error (self, reply, 403, TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED, NULL,
                       "the certificate's BIN is not the seller's");
      return;
    }

  masked = tirkeu_iin_mask (signer->iin);
  {
    JsonObject *check = json_object_new ();

    json_object_set_boolean_member (check, "ess_cert_id_v2", signer->ess_cert_id_v2);
    json_object_set_string_member (check, "timestamp", signer->timestamp);
    json_object_set_object_member (request, "_signature_check", check);
  }
  json_object_set_string_member (request, "_signature", signature);
  json_object_set_string_member (request, "_signer", masked);
  _sb_request_move (self, request, TIRKEU_STAGE_SIGNED, NULL);
  _sb_request_move (self, request, TIRKEU_STAGE_SUBMITTED, NULL);
  _sb_request_move (self, request, TIRKEU_STAGE_AWAITING_BUYER, NULL);
  _sb_state_save_or_warn (self);

  _sb_reply_ok (reply, 200, _sb_render_request (request));
}

void
_sb_api_withdraw (TirkeuSandbox *self,
                  JsonObject    *seller,
                  const char    *id,
                  Reply         *reply)
{
  JsonObject *request = _sb_seller_request (self, seller, id, reply);
  TirkeuStage stage;

  if (request == NULL)
    return;

  stage = _sb_request_stage (request);
  if (stage == TIRKEU_STAGE_WITHDRAWN)
    {
      _sb_reply_ok (reply, 200, _sb_render_request (request));
      return;
    }
  if (!tirkeu_stage_seller_may_withdraw (stage))
    {
      _sb_reply_error (self, reply, 409, TIRKEU_PORTAL_CODE_CONFLICT, "stage",
                       "the buyer already approved, or the request is final");
      return;
    }

  _sb_request_move (self, request, TIRKEU_STAGE_WITHDRAWN, NULL);
  _sb_state_save_or_warn (self);
  _sb_reply_ok (reply, 200, _sb_render_request (request));
}

void
_sb_api_changes (TirkeuSandbox     *self,
                 SbExchange        *exchange,
                 JsonObject        *seller,
                 Reply             *reply)
{
  g_autoptr(GHashTable) form = _sb_parse_query (self, exchange, reply);
  const char *cursor_text = form != NULL ? g_hash_table_lookup (form, "cursor") : NULL;
  const char *limit_text = form != NULL ? g_hash_table_lookup (form, "limit") : NULL;
  g_autoptr(GPtrArray) list = NULL;
  guint64 cursor = 0, limit = 50;
  JsonArray *changes;
  JsonObject *answer;
  g_autofree char *next = NULL;
  gint64 last = -1;
  gboolean has_more = FALSE;

  if (form == NULL)
    return;
  /* The cursor is the revision the client has seen, prefixed so that it stays opaque. */
  if (cursor_text != NULL && *cursor_text != '\0'
      && (!g_str_has_prefix (cursor_text, "r")
          || !_sb_parse_uint (cursor_text + 1, (guint64) self->revision, &cursor)))
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "cursor",
                       "unknown cursor: sync again without one");
      return;
    }
  if (limit_text != NULL && (!_sb_parse_uint (limit_text, 200, &limit) || limit == 0))
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "limit", "1-200");
      return;
    }

  list = _sb_requests_by_revision (self);
  changes = json_array_new ();
  for (guint i = 0; i < list->len; i++)
    {
      JsonObject *request = g_ptr_array_index (list, i);
      gint64 revision = json_object_get_int_member (request, "revision");

      if ((guint64) revision <= cursor
          || !g_str_equal (_sb_get_string (request, "seller_bin"), _sb_get_string (seller, "bin")))
        continue;
      if (json_array_get_length (changes) == limit)
        {
          has_more = TRUE;
          break;
        }
      json_array_add_element (changes, _sb_render_request (request));
      last = revision;
    }

  /* A full sync ends at the current revision: anything that changes later is above it. */
  next = g_strdup_printf ("r%" G_GINT64_FORMAT,
                          has_more ? last : MAX (self->revision, (gint64) cursor));
  answer = json_object_new ();
  json_object_set_array_member (answer, "changes", changes);
  json_object_set_string_member (answer, "cursor", next);
  json_object_set_boolean_member (answer, "has_more", has_more);
  _sb_reply_ok (reply, 200, _sb_object_node (answer));
}
