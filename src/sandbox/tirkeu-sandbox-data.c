/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tirkeu-iin.h"
#include "tirkeu-portal-code.h"
#include "tirkeu-sandbox-error.h"
#include "tirkeu-sandbox-private.h"

struct _SbData
{
  JsonNode *fixtures;
  JsonNode *messages;
};

static const char * const languages[] = { "kk", "ru", "en" };

/**
 * _sb_vin_is_wellformed:
 * @vin: (nullable): text
 *
 * ISO 3779: 17 characters of 0-9 and A-Z without I, O and Q, either case. The check digit is
 * advisory outside North America (DOMAIN.md), so the portal does not enforce it.
 *
 * Returns: %TRUE if @vin has the form of a VIN
 */
gboolean
_sb_vin_is_wellformed (const char *vin)
{
  if (vin == NULL || strlen (vin) != 17)
    return FALSE;

  for (const char *p = vin; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (!g_ascii_isdigit (c) && !(c >= 'A' && c <= 'Z'))
        return FALSE;
      if (c == 'I' || c == 'O' || c == 'Q')
        return FALSE;
    }

  return TRUE;
}

/**
 * _sb_id_is_valid:
 * @digits: (nullable): text
 *
 * The wire form of an IIN or BIN is exactly 12 ASCII digits with a valid check digit; the
 * separators that tirkeu_iin_is_valid() forgives for typed input are refused here.
 *
 * Returns: %TRUE if @digits is a valid IIN or BIN as sent on the wire
 */
gboolean
_sb_id_is_valid (const char *digits)
{
  if (digits == NULL || strlen (digits) != 12)
    return FALSE;
  for (const char *p = digits; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  return tirkeu_iin_is_valid (digits);
}

static JsonNode *
load_json (const char *path,
           GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!json_parser_load_from_mapped_file (parser, path, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_FIXTURES,
                   _("%s: the top level must be an object"), path);
      return NULL;
    }

  return json_node_ref (root);
}

static gboolean G_GNUC_PRINTF (2, 3)
fail (GError    **error,
      const char *format,
      ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_FIXTURES, text);

  return FALSE;
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gboolean
is_localized (JsonNode *node)
{
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  object = json_node_get_object (node);
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    if (get_string (object, languages[i]) == NULL)
      return FALSE;

  return TRUE;
}

static JsonArray *
get_array (JsonObject *root,
           const char *member)
{
  JsonNode *node = json_object_get_member (root, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* Every object of @collection must have @key, valid for @check, and unique. */
static gboolean
check_collection (JsonObject  *root,
                  const char  *collection,
                  const char  *key,
                  gboolean   (*check) (const char *),
                  GError     **error)
{
  JsonArray *array = get_array (root, collection);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (array == NULL)
    return fail (error, _("fixtures: \"%s\" must be an array"), collection);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *value;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return fail (error, _("fixtures: %s[%u] must be an object"), collection, i);
      value = get_string (json_node_get_object (node), key);
      if (value == NULL || (check != NULL && !check (value)))
        return fail (error, _("fixtures: %s[%u].%s is missing or invalid"), collection, i, key);
      if (!g_hash_table_add (seen, (gpointer) value) && !g_str_equal (collection, "fines"))
        return fail (error, _("fixtures: %s[%u].%s \"%s\" is a duplicate"),
                     collection, i, key, value);
    }

  return TRUE;
}

static gboolean
is_status (const char *value,
           const char *const *allowed)
{
  return value != NULL && g_strv_contains (allowed, value);
}

static gboolean
check_scenario (JsonObject *owner,
                const char *where,
                GError    **error)
{
  static const char * const outcomes[] = { "approve", "decline", "refuse", "expire", NULL };
  static const TirkeuStage final_of[] = {
    TIRKEU_STAGE_COMPLETED, TIRKEU_STAGE_DECLINED, TIRKEU_STAGE_REFUSED, TIRKEU_STAGE_EXPIRED,
  };
  JsonNode *node = json_object_get_member (owner, "scenario");
  JsonObject *scenario;
  const char *buyer;
  const char *at;
  TirkeuStage stage;
  guint outcome;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, _("fixtures: %s.scenario must be an object"), where);
  scenario = json_node_get_object (node);

  buyer = get_string (scenario, "buyer");
  if (!is_status (buyer, outcomes))
    return fail (error, _("fixtures: %s.scenario.buyer must be approve, decline, refuse or expire"),
                 where);
  for (outcome = 0; !g_str_equal (outcomes[outcome], buyer); outcome++)
    ;

  at = get_string (scenario, "at");
  if (at != NULL && !tirkeu_stage_from_string (at, &stage))
    return fail (error, _("fixtures: %s.scenario.at \"%s\" is not a stage"), where, at);
  /* The outcome must be a transition the law allows from that stage (the core's table), so
   * that the sandbox never shows a client a history it would reject. */
  if (at != NULL && outcome > 0 && !tirkeu_stage_can_transition (stage, final_of[outcome]))
    return fail (error, _("fixtures: %s.scenario: no transition from %s to %s"), where, at,
                 tirkeu_stage_to_string (final_of[outcome]));
  if (at == NULL && g_str_equal (buyer, "refuse"))
    return fail (error, _("fixtures: %s.scenario: refuse needs \"at\""), where);
  if (json_object_has_member (scenario, "code")
      && !tirkeu_portal_code_is_wire (tirkeu_portal_code_from_string (get_string (scenario,
                                                                                  "code"))))
    return fail (error, _("fixtures: %s.scenario.code is not a portal error code"), where);
  if (json_object_has_member (scenario, "reason")
      && !is_localized (json_object_get_member (scenario, "reason")))
    return fail (error, _("fixtures: %s.scenario.reason needs kk, ru and en"), where);
  if (json_object_has_member (scenario, "after_steps")
      && json_object_get_int_member_with_default (scenario, "after_steps", -1) < 1)
    return fail (error, _("fixtures: %s.scenario.after_steps must be 1 or more"), where);

  return TRUE;
}

/* A seller's staff: the people its key files are issued to (build-aux/demo, training), so
 * that a certificate's name, IIN and role match the portal's seller. */
static gboolean
check_staff (JsonObject  *seller,
             guint        index,
             GError     **error)
{
  static const char * const roles[] = { "head", "signer", "employee", NULL };
  JsonArray *staff;

  if (!json_object_has_member (seller, "staff"))
    return TRUE;
  staff = get_array (seller, "staff");
  for (guint j = 0; staff != NULL && j < json_array_get_length (staff); j++)
    {
      JsonObject *person = json_array_get_object_element (staff, j);

      if (person == NULL || !_sb_id_is_valid (get_string (person, "iin"))
          || get_string (person, "surname") == NULL || get_string (person, "name") == NULL
          || !is_status (get_string (person, "role"), roles))
        return fail (error, _("fixtures: sellers[%u].staff[%u] needs iin, surname, name and "
                              "role (head, signer, employee)"), index, j);
    }
  if (staff == NULL)
    return fail (error, _("fixtures: sellers[%u].staff must be an array"), index);
  return TRUE;
}

/* Contract 1.4.0: the e-passport's colour, body and engine come as the e-passport system
 * spells them and in kk, ru and en. A fixture with the one but not the other would make the
 * sandbox answer as neither a 1.3 nor a 1.4 portal does, and a Kazakh reader would see the
 * Russian word without knowing why. */
static gboolean
check_epassport_texts (JsonObject *epassport,
                       const char *where,
                       GError    **error)
{
  static const char * const fields[] = { "colour", "body", "engine" };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *text = g_strconcat (fields[i], "_text", NULL);
      JsonNode *localized = json_object_get_member (epassport, text);

      if ((get_string (epassport, fields[i]) != NULL) != (localized != NULL)
          || (localized != NULL && !is_localized (localized)))
        /* Translators: the first %s is a fixture (vehicles[3]), the second one of colour,
         * body, engine, the third colour_text, body_text, engine_text: JSON names, kept */
        return fail (error, _("fixtures: %s.epassport needs %s and %s in kk, ru and en "
                              "together"), where, fields[i], text);
    }

  return TRUE;
}

static gboolean
check_fixtures (SbData  *data,
                GError **error)
{
  static const char * const epassport_statuses[] = { "found", "not_found", NULL };
  static const char * const payment_statuses[] = { "paid", "unpaid", "no_data", NULL };
  static const char * const person_statuses[] = { "active", "deceased", "invalidated", NULL };
  JsonObject *root = json_node_get_object (data->fixtures);
  JsonArray *array;

  if (get_array (root, "qualifying_oked") == NULL)
    return fail (error, _("fixtures: \"qualifying_oked\" must be an array"));
  if (!check_collection (root, "sellers", "bin", _sb_id_is_valid, error)
      || !check_collection (root, "persons", "iin", _sb_id_is_valid, error)
      || !check_collection (root, "vehicles", "vin", _sb_vin_is_wellformed, error)
      || !check_collection (root, "contracts", "number", NULL, error)
      || !check_collection (root, "fines", "iin", _sb_id_is_valid, error)
      || !check_collection (root, "tsons", "code", NULL, error))
    return FALSE;

  array = get_array (root, "sellers");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *seller = json_array_get_object_element (array, i);

      if (get_string (seller, "name") == NULL || get_array (seller, "oked") == NULL)
        return fail (error, _("fixtures: sellers[%u] needs name and oked"), i);
      if (!check_staff (seller, i, error))
        return FALSE;
    }

  array = get_array (root, "persons");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *person = json_array_get_object_element (array, i);
      g_autofree char *where = g_strdup_printf ("persons[%u]", i);

      if (!is_status (get_string (person, "status"), person_statuses)
          || get_string (person, "full_name") == NULL)
        return fail (error, _("fixtures: %s needs status (active, deceased, invalidated) and "
                     "full_name"), where);
      if (!check_scenario (person, where, error))
        return FALSE;
    }

  array = get_array (root, "vehicles");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *vehicle = json_array_get_object_element (array, i);
      g_autofree char *where = g_strdup_printf ("vehicles[%u]", i);
      JsonNode *epassport = json_object_get_member (vehicle, "epassport");
      JsonNode *customs = json_object_get_member (vehicle, "customs");
      JsonNode *utilization = json_object_get_member (vehicle, "utilization");

      if (epassport == NULL || !JSON_NODE_HOLDS_OBJECT (epassport)
          || !is_status (get_string (json_node_get_object (epassport), "status"),
                         epassport_statuses)
          || customs == NULL || !JSON_NODE_HOLDS_OBJECT (customs)
          || !is_status (get_string (json_node_get_object (customs), "status"),
                         payment_statuses)
          || utilization == NULL || !JSON_NODE_HOLDS_OBJECT (utilization)
          || !is_status (get_string (json_node_get_object (utilization), "status"),
                         payment_statuses))
        return fail (error, _("fixtures: %s needs epassport, customs and utilization with a "
                     "valid status"), where);
      if (g_str_equal (get_string (json_node_get_object (epassport), "status"), "found"))
        {
          JsonObject *found = json_node_get_object (epassport);

          if (get_string (found, "make") == NULL || get_string (found, "model") == NULL
              || json_object_get_int_member_with_default (found, "year", 0) < 1900)
            return fail (error, _("fixtures: %s.epassport needs make, model and year"), where);
          if (!check_epassport_texts (found, where, error))
            return FALSE;
        }
      if (!check_scenario (vehicle, where, error))
        return FALSE;
    }

  array = get_array (root, "contracts");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *contract = json_array_get_object_element (array, i);
      const char *price = get_string (contract, "price");
      g_autoptr(GRegex) money = g_regex_new ("^[0-9]+\\.[0-9]{2}$", 0, 0, NULL);

      if (!_sb_id_is_valid (get_string (contract, "seller_bin"))
          || !_sb_id_is_valid (get_string (contract, "buyer_iin"))
          || !_sb_vin_is_wellformed (get_string (contract, "vin"))
          || get_string (contract, "date") == NULL
          || get_string (contract, "currency") == NULL
          || price == NULL || !g_regex_match (money, price, 0, NULL))
        return fail (error, _("fixtures: contracts[%u] needs seller_bin, buyer_iin, vin, date, "
                     "price (a decimal string) and currency"), i);
      if (_sb_data_find (data, "sellers", "bin", get_string (contract, "seller_bin")) == NULL)
        return fail (error, _("fixtures: contracts[%u].seller_bin is not a seller"), i);
    }

  array = get_array (root, "tsons");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *tson = json_array_get_object_element (array, i);

      if (!is_localized (json_object_get_member (tson, "name"))
          || !is_localized (json_object_get_member (tson, "address")))
        return fail (error, _("fixtures: tsons[%u] needs name and address in kk, ru and en"), i);
    }
  if (json_array_get_length (array) == 0)
    return fail (error, _("fixtures: at least one TsON is needed"));

  return TRUE;
}

static gboolean
check_messages (SbData  *data,
                GError **error)
{
  JsonObject *root = json_node_get_object (data->messages);
  JsonNode *errors = json_object_get_member (root, "errors");
  JsonNode *stages = json_object_get_member (root, "stages");

  if (!is_localized (json_object_get_member (root, "portal_name")))
    return fail (error, _("messages: portal_name needs kk, ru and en"));
  if (errors == NULL || !JSON_NODE_HOLDS_OBJECT (errors)
      || stages == NULL || !JSON_NODE_HOLDS_OBJECT (stages))
    return fail (error, _("messages: \"errors\" and \"stages\" must be objects"));

  /* Every code the portal sends and every stage a request held by the portal can enter
   * must have its wording: a missing one would only show at the worst moment. */
  for (guint i = 0; i < TIRKEU_N_PORTAL_CODES; i++)
    {
      const char *code = tirkeu_portal_code_to_string (i);

      if (tirkeu_portal_code_is_wire (i)
          && !is_localized (json_object_get_member (json_node_get_object (errors), code)))
        return fail (error, _("messages: errors.%s needs kk, ru and en"), code);
    }
  for (guint i = TIRKEU_STAGE_OKED_CHECKED; i < TIRKEU_N_STAGES; i++)
    {
      const char *stage = tirkeu_stage_to_string (i);

      if (!is_localized (json_object_get_member (json_node_get_object (stages), stage)))
        return fail (error, _("messages: stages.%s needs kk, ru and en"), stage);
    }

  return TRUE;
}

/**
 * _sb_data_load:
 * @fixtures_file: data/sandbox/fixtures.json or a file of the same schema
 * @messages_file: data/sandbox/messages.json or a file of the same schema
 * @error: return location for a %TIRKEU_SANDBOX_ERROR_FIXTURES
 *
 * Returns: (transfer full) (nullable): the checked data
 */
SbData *
_sb_data_load (const char *fixtures_file,
               const char *messages_file,
               GError    **error)
{
  g_autoptr(SbData) data = g_new0 (SbData, 1);

  data->fixtures = load_json (fixtures_file, error);
  if (data->fixtures == NULL)
    return NULL;
  data->messages = load_json (messages_file, error);
  if (data->messages == NULL)
    return NULL;

  if (!check_fixtures (data, error))
    {
      g_prefix_error (error, "%s: ", fixtures_file);
      return NULL;
    }
  if (!check_messages (data, error))
    {
      g_prefix_error (error, "%s: ", messages_file);
      return NULL;
    }

  return g_steal_pointer (&data);
}

void
_sb_data_free (SbData *data)
{
  if (data == NULL)
    return;
  g_clear_pointer (&data->fixtures, json_node_unref);
  g_clear_pointer (&data->messages, json_node_unref);
  g_free (data);
}

/**
 * _sb_data_find:
 * @collection: "sellers", "persons", "vehicles", "contracts", "tsons"
 * @member: the key member
 * @value: the value it must have
 *
 * Returns: (transfer none) (nullable): the first object of @collection whose @member is @value
 */
JsonObject *
_sb_data_find (SbData     *data,
               const char *collection,
               const char *member,
               const char *value)
{
  JsonArray *array = get_array (json_node_get_object (data->fixtures), collection);

  for (guint i = 0; array != NULL && value != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      const char *candidate = get_string (object, member);

      if (candidate != NULL && g_str_equal (candidate, value))
        return object;
    }

  return NULL;
}

/**
 * _sb_data_other:
 * @collection: "sellers", "persons", "vehicles"
 * @member: the key member
 * @value: a value it must not have
 *
 * Returns: (transfer none) (nullable): @member of the first object of @collection whose
 *   @member is not @value
 */
const char *
_sb_data_other (SbData     *data,
                const char *collection,
                const char *member,
                const char *value)
{
  JsonArray *array = get_array (json_node_get_object (data->fixtures), collection);

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      const char *candidate = get_string (json_array_get_object_element (array, i), member);

      if (candidate != NULL && g_strcmp0 (candidate, value) != 0)
        return candidate;
    }

  return NULL;
}

/**
 * _sb_data_text:
 * @section: "errors" or "stages"
 * @key: a wire code or stage name (or another key of the section)
 *
 * Returns: (transfer full): a copy of the {kk, ru, en} text; the INTERNAL error's when
 *   @key has none (checked on load for every code and stage)
 */
JsonNode *
_sb_data_text (SbData     *data,
               const char *section,
               const char *key)
{
  JsonObject *root = json_node_get_object (data->messages);
  JsonObject *texts = json_object_get_object_member (root, section);
  JsonNode *node = texts != NULL ? json_object_get_member (texts, key) : NULL;

  if (node == NULL || !is_localized (node))
    node = json_object_get_member (json_object_get_object_member (root, "errors"), "INTERNAL");

  return json_node_copy (node);
}

/**
 * _sb_data_portal_name:
 *
 * Returns: (transfer full): the portal's name in the three languages
 */
JsonNode *
_sb_data_portal_name (SbData *data)
{
  return json_node_copy (json_object_get_member (json_node_get_object (data->messages),
                                                 "portal_name"));
}

/**
 * _sb_data_oked_match:
 * @seller: a seller of the fixtures
 *
 * Step 1: the first of the seller's OKED codes that is a vehicle trade class, either
 * exactly or as a subclass ("45.11.0" falls under "45.11").
 *
 * Returns: (transfer none) (nullable): the matching code, %NULL when the seller does not
 *   qualify
 */
const char *
_sb_data_oked_match (SbData     *data,
                     JsonObject *seller)
{
  JsonArray *accepted = get_array (json_node_get_object (data->fixtures), "qualifying_oked");
  JsonArray *codes = get_array (seller, "oked");

  for (guint i = 0; codes != NULL && i < json_array_get_length (codes); i++)
    {
      const char *code = json_array_get_string_element (codes, i);

      for (guint j = 0; code != NULL && j < json_array_get_length (accepted); j++)
        {
          const char *class = json_array_get_string_element (accepted, j);

          if (g_str_equal (code, class)
              || (g_str_has_prefix (code, class) && code[strlen (class)] == '.'))
            return code;
        }
    }

  return NULL;
}

static int
compare_contract_dates (gconstpointer a,
                        gconstpointer b)
{
  /* ISO dates compare as strings; reversed for newest first. */
  return g_strcmp0 (get_string ((JsonObject *) b, "date"), get_string ((JsonObject *) a, "date"));
}

/**
 * _sb_data_contracts:
 *
 * Step 8: the contracts of @seller_bin with @buyer_iin for @vin, newest first.
 *
 * Returns: (transfer container) (element-type JsonObject): the fixtures' contract objects
 */
GList *
_sb_data_contracts (SbData     *data,
                    const char *seller_bin,
                    const char *vin,
                    const char *buyer_iin)
{
  JsonArray *array = get_array (json_node_get_object (data->fixtures), "contracts");
  GList *found = NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *contract = json_array_get_object_element (array, i);

      if (g_str_equal (get_string (contract, "seller_bin"), seller_bin)
          && g_ascii_strcasecmp (get_string (contract, "vin"), vin) == 0
          && g_str_equal (get_string (contract, "buyer_iin"), buyer_iin))
        found = g_list_prepend (found, contract);
    }

  /* Newest first; g_list_sort is stable, so equal dates keep the later entry first. */
  return g_list_sort (found, compare_contract_dates);
}

/**
 * _sb_data_scenario:
 *
 * The buyer's scenario: the vehicle's if it has one, else the buyer's, else %NULL (approve).
 *
 * Returns: (transfer none) (nullable): the scenario object
 */
JsonObject *
_sb_data_scenario (SbData     *data,
                   const char *vin,
                   const char *buyer_iin)
{
  JsonObject *vehicle = _sb_data_find (data, "vehicles", "vin", vin);
  JsonObject *person = _sb_data_find (data, "persons", "iin", buyer_iin);

  if (vehicle != NULL && json_object_has_member (vehicle, "scenario"))
    return json_object_get_object_member (vehicle, "scenario");
  if (person != NULL && json_object_has_member (person, "scenario"))
    return json_object_get_object_member (person, "scenario");

  return NULL;
}

/**
 * _sb_data_has_fines:
 *
 * Returns: %TRUE if ERAP (the fixtures' "fines") holds an unpaid fine of @buyer_iin
 */
gboolean
_sb_data_has_fines (SbData     *data,
                    const char *buyer_iin)
{
  return _sb_data_find (data, "fines", "iin", buyer_iin) != NULL;
}

/**
 * _sb_data_tson:
 * @code: (nullable): a TsON code
 *
 * Returns: (transfer none): the TsON of @code, or the first one
 */
JsonObject *
_sb_data_tson (SbData     *data,
               const char *code)
{
  JsonObject *tson = _sb_data_find (data, "tsons", "code", code);

  if (tson == NULL)
    tson = json_array_get_object_element (get_array (json_node_get_object (data->fixtures),
                                                     "tsons"), 0);

  return tson;
}

/**
 * _sb_data_default_refusal:
 * @stage: a stage that may end in a refusal
 *
 * Returns: (transfer none) (nullable): {code, reason?} from messages.json's "refusals"
 */
JsonObject *
_sb_data_default_refusal (SbData      *data,
                          TirkeuStage  stage)
{
  JsonObject *root = json_node_get_object (data->messages);
  JsonObject *refusals = json_object_has_member (root, "refusals")
                         ? json_object_get_object_member (root, "refusals") : NULL;
  JsonNode *node = refusals != NULL
                   ? json_object_get_member (refusals, tirkeu_stage_to_string (stage)) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}
