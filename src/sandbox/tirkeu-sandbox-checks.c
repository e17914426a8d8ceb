/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"


#include "tirkeu-sandbox-private.h"

/* The checks of steps 1-8 a seller can ask for before a request: the vehicle, the buyer,
 * the contracts. */

JsonObject *
_sb_vehicle_check (TirkeuSandbox *self,
                   const char    *vin)
{
  JsonObject *vehicle = _sb_data_find (self->data, "vehicles", "vin", vin);
  JsonObject *answer = json_object_new ();
  const char *parts[] = { "epassport", "customs", "utilization" };
  const char *pass[] = { "found", "paid", "paid" };
  const char *codes[] = { "EPASSPORT_NOT_FOUND", "CUSTOMS_UNPAID", "UTILIZATION_UNPAID" };
  const char *unknown[] = { "not_found", "no_data", "no_data" };
  JsonObject *stopped = NULL;

  json_object_set_string_member (answer, "vin", vin);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      JsonNode *part = vehicle != NULL ? json_object_get_member (vehicle, parts[i]) : NULL;
      JsonObject *copy;

      if (part != NULL)
        json_object_set_member (answer, parts[i], json_node_copy (part));
      else
        {
          copy = json_object_new ();
          json_object_set_string_member (copy, "status", unknown[i]);
          json_object_set_object_member (answer, parts[i], copy);
        }

      if (stopped == NULL
          && !g_str_equal (_sb_get_string (json_object_get_object_member (answer, parts[i]),
                                           "status"), pass[i]))
        {
          stopped = json_object_new ();
          json_object_set_int_member (stopped, "step", 3 + i);
          json_object_set_string_member (stopped, "code", codes[i]);
          json_object_set_member (stopped, "message",
                                  _sb_data_text (self->data, "errors", codes[i]));
        }
    }
  if (stopped != NULL)
    json_object_set_object_member (answer, "stopped_at", stopped);
  else
    json_object_set_null_member (answer, "stopped_at");

  return answer;
}

char *
_sb_normalize_vin (const char *vin)
{
  return _sb_vin_is_wellformed (vin) ? g_ascii_strup (vin, -1) : NULL;
}

void
_sb_api_vehicle (TirkeuSandbox *self,
                 const char    *raw_vin,
                 Reply         *reply)
{
  g_autofree char *vin = _sb_normalize_vin (raw_vin);

  if (vin == NULL)
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "vin",
                       "17 characters of 0-9 and A-Z without I, O, Q");
      return;
    }

  _sb_reply_ok (reply, 200, _sb_object_node (_sb_vehicle_check (self, vin)));
}

void
_sb_api_person (TirkeuSandbox *self,
                const char    *iin,
                Reply         *reply)
{
  JsonObject *person;
  JsonObject *answer;

  if (!_sb_id_is_valid (iin))
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "iin",
                       "12 digits with a valid check digit");
      return;
    }

  person = _sb_data_find (self->data, "persons", "iin", iin);
  if (person == NULL)
    {
      _sb_reply_error (self, reply, 404, TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND, NULL,
                       "no such person in GBD FL");
      return;
    }

  answer = json_object_new ();
  json_object_set_string_member (answer, "iin", iin);
  json_object_set_string_member (answer, "status", _sb_get_string (person, "status"));
  json_object_set_string_member (answer, "full_name", _sb_get_string (person, "full_name"));
  _sb_reply_ok (reply, 200, _sb_object_node (answer));
}

JsonObject *
_sb_contract_view (TirkeuSandbox *self,
                   JsonObject    *contract)
{
  JsonObject *view = json_object_new ();
  JsonObject *seller = json_object_new ();
  JsonObject *buyer = json_object_new ();
  JsonObject *seller_fixture = _sb_data_find (self->data, "sellers", "bin",
                                              _sb_get_string (contract, "seller_bin"));
  JsonObject *person = _sb_data_find (self->data, "persons", "iin",
                                      _sb_get_string (contract, "buyer_iin"));

  json_object_set_string_member (view, "number", _sb_get_string (contract, "number"));
  json_object_set_string_member (view, "date", _sb_get_string (contract, "date"));
  json_object_set_string_member (view, "price", _sb_get_string (contract, "price"));
  json_object_set_string_member (view, "currency", _sb_get_string (contract, "currency"));
  json_object_set_string_member (seller, "bin", _sb_get_string (contract, "seller_bin"));
  json_object_set_string_member (seller, "name", _sb_get_string (seller_fixture, "name"));
  json_object_set_object_member (view, "seller", seller);
  json_object_set_string_member (buyer, "iin", _sb_get_string (contract, "buyer_iin"));
  json_object_set_string_member (buyer, "full_name",
                                 person != NULL ? _sb_get_string (person, "full_name") : "");
  json_object_set_object_member (view, "buyer", buyer);

  return view;
}

void
_sb_api_contracts (TirkeuSandbox     *self,
                   SbExchange        *exchange,
                   JsonObject        *seller,
                   Reply             *reply)
{
  g_autoptr(GHashTable) form = _sb_parse_query (self, exchange, reply);
  g_autofree char *vin = NULL;
  const char *iin;
  g_autoptr(GList) found = NULL;
  JsonArray *contracts;
  JsonObject *answer;

  if (form == NULL)
    return;
  vin = _sb_normalize_vin (g_hash_table_lookup (form, "vin"));
  iin = g_hash_table_lookup (form, "buyer_iin");
  contracts = json_array_new ();
  answer = json_object_new ();
  if (vin == NULL)
    _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "vin",
                     "17 characters of 0-9 and A-Z without I, O, Q");
  else if (!_sb_id_is_valid (iin))
    _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "buyer_iin",
                     "12 digits with a valid check digit");
  if (reply->body != NULL)
    {
      json_array_unref (contracts);
      json_object_unref (answer);
      return;
    }

  found = _sb_data_contracts (self->data, _sb_get_string (seller, "bin"), vin, iin);
  for (GList *l = found; l != NULL; l = l->next)
    json_array_add_object_element (contracts, _sb_contract_view (self, l->data));
  json_object_set_array_member (answer, "contracts", contracts);
  _sb_reply_ok (reply, 200, _sb_object_node (answer));
}
