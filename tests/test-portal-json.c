/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The strict mapping of the contract's schemas (data/portal-api.yaml) into the core's objects:
 * a valid answer of each schema maps field by field; then, table-driven, each field is given
 * a wrong type (or removed) and the mapping must fail with MALFORMED naming exactly that
 * field; unknown members are ignored.
 */
#include "config.h"

#include <string.h>

#include "tirkeu-portal-client.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-portal-json.h"
#include "tirkeu-portal-private.h"

#define TEXT(x) "{\"kk\":\"" x " kk\",\"ru\":\"" x " ru\",\"en\":\"" x " en\"}"
#define HISTORY(stage, at) "{\"stage\":\"" stage "\",\"at\":\"" at "\",\"message\":" TEXT (stage) "}"

#define REQUEST_KEY "9a3e5d2c-41b7-4f0e-8c6d-2b1a0f9e8d7c"
/* the longest Idempotency-Key the contract allows */
#define KEY_128 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* base64 of 1026 zero bytes: 342 groups of "AAAA" */
#define B64_16 "AAAAAAAAAAAAAAAA"
#define B64_256 B64_16 B64_16 B64_16 B64_16 B64_16 B64_16 B64_16 B64_16 \
                B64_16 B64_16 B64_16 B64_16 B64_16 B64_16 B64_16 B64_16
#define B64_1025 B64_256 B64_256 B64_256 B64_256 B64_256 B64_16 B64_16 B64_16 B64_16 B64_16 \
                 "AAAAAAAA"

static const char request_json[] =
  "{\"id\":\"0c7f1c1e-8f7a-4b53-9d0e-3f1c2a9b7e11\",\"stage\":\"tson_chosen\",\"revision\":12,"
  "\"idempotency_key\":\"" REQUEST_KEY "\","
  "\"vin\":\"XW8ZZZ61ZJG123456\",\"buyer_iin\":\"900101300123\",\"contract_number\":\"DKP-77\","
  "\"seller_bin\":\"940140000385\",\"created_at\":\"2025-10-17T09:30:00Z\","
  "\"updated_at\":\"2025-10-17T11:00:00Z\",\"signing_payload\":\"eyJhIjoxfQ==\","
  "\"vehicle\":{\"make\":\"Toyota\",\"model\":\"Camry\",\"year\":2025,\"colour\":\"white\","
  "\"colour_text\":" TEXT ("colour") ",\"body\":\"sedan\",\"body_text\":" TEXT ("body") ","
  "\"category\":\"M1\",\"future\":true},"
  "\"buyer\":{\"iin\":\"900101300123\",\"full_name\":\"IVANOV IVAN\"},"
  "\"contract\":{\"number\":\"DKP-77\",\"date\":\"2025-10-16\",\"price\":\"12500000.50\","
  "\"currency\":\"KZT\",\"seller\":{\"bin\":\"940140000385\",\"name\":\"AVTO LLP\"},"
  "\"buyer\":{\"iin\":\"900101300123\",\"full_name\":\"IVANOV IVAN\"}},"
  "\"history\":[" HISTORY ("draft", "2025-10-17T09:30:00Z") ","
  HISTORY ("contract_found", "2025-10-17T09:30:00Z") ","
  HISTORY ("signed", "2025-10-17T09:31:00Z") ","
  HISTORY ("submitted", "2025-10-17T09:31:00Z") ","
  HISTORY ("awaiting_buyer", "2025-10-17T09:31:00Z") ","
  HISTORY ("stage_from_the_future", "2025-10-17T09:40:00Z") ","
  HISTORY ("buyer_approved", "2025-10-17T10:00:00Z") ","
  HISTORY ("tson_chosen", "2025-10-17T11:00:00Z") "],"
  "\"refusal\":null,"
  "\"tson\":{\"code\":\"TSON-01\",\"name\":" TEXT ("TsON") ",\"address\":" TEXT ("Street") "},"
  "\"plate_type\":\"standard\",\"unknown_member\":{\"deep\":[1,2,3]}}";

static JsonNode *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_parser_steal_root (parser);
}

/* Walks "a.b[2].c" down from @root to the object holding the last member. */
static JsonObject *
walk (JsonNode    *root,
      const char  *path,
      char       **last)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = root;
  guint n = g_strv_length (parts);

  for (guint i = 0; i + 1 < n; i++)
    {
      char *bracket = strchr (parts[i], '[');

      if (bracket != NULL)
        {
          guint index = (guint) g_ascii_strtoull (bracket + 1, NULL, 10);

          *bracket = '\0';
          node = json_object_get_member (json_node_get_object (node), parts[i]);
          node = json_array_get_element (json_node_get_array (node), index);
        }
      else
        node = json_object_get_member (json_node_get_object (node), parts[i]);
      g_assert_nonnull (node);
    }

  *last = g_strdup (parts[n - 1]);
  return json_node_get_object (node);
}

typedef enum { SCHEMA_REQUEST, SCHEMA_VEHICLE, SCHEMA_PERSON, SCHEMA_SESSION, SCHEMA_ABOUT,
               SCHEMA_CONTRACTS, SCHEMA_CHANGES, SCHEMA_CHALLENGE } Schema;

typedef struct
{
  Schema schema;
  const char *field;       /* the member to break */
  const char *value;       /* JSON of the wrong value, NULL to remove the member */
  const char *reported;    /* the field the error must name, when not @field */
} BrokenCase;

/* A vehicle check as a 1.4 portal sends it (EPASSPORT_TEXTS: the colour, body and engine in
 * kk, ru and en too), and as a 1.3 portal does (the plain strings only). */
#define VEHICLE_JSON(epassport_texts) \
  "{\"vin\":\"XW8ZZZ61ZJG123456\",\"epassport\":{\"status\":\"found\",\"number\":\"KZ123\"," \
  "\"make\":\"Toyota\",\"model\":\"Camry\",\"year\":2025,\"colour\":\"white\",\"body\":\"sedan\"," \
  "\"engine\":\"2.5 l petrol, 150 kW\",\"engine_number\":\"A25A-1\",\"category\":\"M1\"," \
  epassport_texts \
  "\"issued_at\":\"2025-09-01\"},\"customs\":{\"status\":\"paid\",\"declaration_number\":\"D-1\"," \
  "\"paid_on\":\"2025-09-02\"},\"utilization\":{\"status\":\"unpaid\"}," \
  "\"stopped_at\":{\"step\":5,\"code\":\"UTILIZATION_UNPAID\",\"message\":" TEXT ("util") "}}"
#define EPASSPORT_TEXTS \
  "\"colour_text\":{\"kk\":\"ақ\",\"ru\":\"белый\",\"en\":\"white\"}," \
  "\"body_text\":{\"kk\":\"жол талғамайтын универсал\"," \
  "\"ru\":\"универсал повышенной проходимости\",\"en\":\"SUV\"}," \
  "\"engine_text\":{\"kk\":\"2,5 л, бензин, 150 кВт\",\"ru\":\"2,5 л, бензин, 150 кВт\"," \
  "\"en\":\"2.5 l petrol, 150 kW\"},"

static const char vehicle_json[] = VEHICLE_JSON (EPASSPORT_TEXTS);
static const char vehicle_json_1_3[] = VEHICLE_JSON ("");

static const char person_json[] =
  "{\"iin\":\"900101300123\",\"status\":\"active\",\"full_name\":\"IVANOV IVAN\",\"x\":1}";

static const char session_json[] =
  "{\"token\":\"secret\",\"expires_at\":\"2030-01-01T00:00:00Z\",\"seller\":{"
  "\"bin\":\"940140000385\",\"name\":\"AVTO LLP\",\"oked\":[\"45.11\"],"
  "\"oked_check\":{\"qualifies\":true,\"matched_code\":\"45.11\"}}}";

static const char about_json[] =
  "{\"environment\":\"production\",\"api_version\":\"1.0.0\"}";

static const char contracts_json[] =
  "{\"contracts\":[{\"number\":\"DKP-77\",\"date\":\"2025-10-16\",\"price\":\"100.00\","
  "\"currency\":\"KZT\",\"seller\":{\"bin\":\"940140000385\",\"name\":\"AVTO LLP\"},"
  "\"buyer\":{\"iin\":\"900101300123\",\"full_name\":\"IVANOV IVAN\"}}]}";

static const char challenge_json[] =
  "{\"challenge_id\":\"c1\",\"challenge\":\"AAECAw==\",\"expires_at\":\"2030-01-01T00:00:00Z\"}";

static const BrokenCase broken_cases[] = {
  { SCHEMA_REQUEST, "id", "5", NULL },
  { SCHEMA_REQUEST, "id", "\"has space\"", NULL },
  { SCHEMA_REQUEST, "idempotency_key", "5", NULL },
  { SCHEMA_REQUEST, "idempotency_key", "null", NULL },
  { SCHEMA_REQUEST, "idempotency_key", "\"\"", NULL },
  { SCHEMA_REQUEST, "idempotency_key", "\"has space\"", NULL },
  { SCHEMA_REQUEST, "idempotency_key", "\"" REQUEST_KEY "/\"", NULL },
  { SCHEMA_REQUEST, "idempotency_key", "\"" KEY_128 "x\"", NULL },
  { SCHEMA_REQUEST, "buyer_deadline", "null", NULL },
  { SCHEMA_REQUEST, "buyer_deadline", "1761298260", NULL },
  { SCHEMA_REQUEST, "buyer_deadline", "\"2025-10-24\"", NULL },
  { SCHEMA_REQUEST, "buyer_deadline", "\"2025-10-24T09:31Z\"", NULL },
  { SCHEMA_REQUEST, "buyer_deadline", "\"2025-10-24 09:31:00Z\"", NULL },
  { SCHEMA_REQUEST, "revision", "\"12\"", NULL },
  { SCHEMA_REQUEST, "revision", "1.5", NULL },
  { SCHEMA_REQUEST, "vin", "\"SHORT\"", NULL },
  { SCHEMA_REQUEST, "vin", "\"XW8ZZZ61ZJG12345O\"", NULL },
  { SCHEMA_REQUEST, "buyer_iin", "900101300123", NULL },
  { SCHEMA_REQUEST, "contract_number", "null", NULL },
  { SCHEMA_REQUEST, "seller_bin", "\"94014000038X\"", NULL },
  { SCHEMA_REQUEST, "created_at", "\"yesterday\"", NULL },
  { SCHEMA_REQUEST, "updated_at", NULL, NULL },
  /* RFC 3339 exactly: the other ISO 8601 forms GLib would read are refused */
  { SCHEMA_REQUEST, "created_at", "\"2025-10-17 09:30:00Z\"", NULL },
  { SCHEMA_REQUEST, "created_at", "\"2025-W42-5T09:30:00Z\"", NULL },
  { SCHEMA_REQUEST, "created_at", "\"2025-290T09:30:00Z\"", NULL },
  { SCHEMA_REQUEST, "created_at", "\"20251017T093000Z\"", NULL },
  { SCHEMA_REQUEST, "created_at", "\"2025-10-17T09:30Z\"", NULL },
  { SCHEMA_REQUEST, "updated_at", "\"2025-10-17T11:00:00\"", NULL },
  { SCHEMA_REQUEST, "updated_at", "\"2025-10-17T11:00:00+0500\"", NULL },
  /* strict base64: padding only at the end, and something to sign */
  { SCHEMA_REQUEST, "signing_payload", "\"eyJh=IjoxfQ=\"", NULL },
  { SCHEMA_REQUEST, "signing_payload", "\"AA==AAAA\"", NULL },
  { SCHEMA_REQUEST, "signing_payload", "\"====\"", NULL },
  { SCHEMA_REQUEST, "signing_payload", "\"\"", NULL },
  /* the contract's bounds */
  { SCHEMA_REQUEST, "revision", "-1", NULL },
  { SCHEMA_REQUEST, "vehicle.year", "1899", NULL },
  { SCHEMA_REQUEST, "vehicle.year", "2101", NULL },
  { SCHEMA_REQUEST, "contract.price", "\"1234567890123456.00\"", NULL },
  { SCHEMA_REQUEST, "contract_number", "\"\"", NULL },
  { SCHEMA_REQUEST, "contract.number", "\"\"", NULL },
  { SCHEMA_CONTRACTS, "contracts[0].number", "\"" KEY_128 "\"", NULL },
  { SCHEMA_REQUEST, "contract_number", "\"DKP\\u000a77\"", NULL },
  { SCHEMA_REQUEST, "contract.price", "\"0125.00\"", NULL },
  { SCHEMA_REQUEST, "contract.currency", "\"kzt\"", NULL },
  { SCHEMA_REQUEST, "refusal", "{\"code\":\"\",\"step\":19,\"reason\":" TEXT ("r") "}",
    "refusal.code" },
  /* 1026 bytes to sign: over the contract's 1024 */
  { SCHEMA_REQUEST, "signing_payload", "\"" B64_1025 "\"", NULL },
  { SCHEMA_CONTRACTS, "contracts[0].currency", "\"KZ\"", NULL },
  { SCHEMA_SESSION, "token", "\"tok\\r\\nX-Other: 1\"", NULL },
  { SCHEMA_SESSION, "token", "\"=\"", NULL },
  { SCHEMA_SESSION, "seller.oked", "[\"45.1\"]", "seller.oked[0]" },
  { SCHEMA_SESSION, "seller.oked_check.matched_code", "\"4511\"", NULL },
  { SCHEMA_ABOUT, "api_version", "\"1.0\"", NULL },
  { SCHEMA_CHALLENGE, "challenge_id", "\"c 1\"", NULL },
  { SCHEMA_CHANGES, "cursor", "\"\"", NULL },
  { SCHEMA_REQUEST, "signing_payload", "\"not base64!\"", NULL },
  { SCHEMA_REQUEST, "vehicle", "[]", NULL },
  { SCHEMA_REQUEST, "vehicle.year", "\"2025\"", NULL },
  { SCHEMA_REQUEST, "vehicle.make", NULL, NULL },
  { SCHEMA_REQUEST, "vehicle.colour", "7", NULL },
  /* contract 1.4.0: the e-passport's texts are optional, but a text that is there is whole */
  { SCHEMA_REQUEST, "vehicle.colour_text", "\"white\"", NULL },
  { SCHEMA_REQUEST, "vehicle.body_text.en", NULL, NULL },
  { SCHEMA_REQUEST, "vehicle.body", "7", NULL },
  { SCHEMA_VEHICLE, "epassport.colour_text", "null", NULL },
  { SCHEMA_VEHICLE, "epassport.colour_text.kk", NULL, NULL },
  { SCHEMA_VEHICLE, "epassport.body_text", "[]", NULL },
  { SCHEMA_VEHICLE, "epassport.engine_text.ru", "5", NULL },
  { SCHEMA_REQUEST, "buyer.full_name", "null", NULL },
  { SCHEMA_REQUEST, "contract.price", "12500000.5", NULL },
  { SCHEMA_REQUEST, "contract.price", "\"12,500,000\"", NULL },
  { SCHEMA_REQUEST, "contract.date", "\"2025-13-01\"", NULL },
  { SCHEMA_REQUEST, "contract.seller.bin", "{}", NULL },
  { SCHEMA_REQUEST, "contract.buyer", NULL, NULL },
  { SCHEMA_REQUEST, "history", "{}", NULL },
  { SCHEMA_REQUEST, "history[2].at", "5", NULL },
  { SCHEMA_REQUEST, "history[3].message", "\"text\"", NULL },
  { SCHEMA_REQUEST, "history[4].message.kk", NULL, NULL },
  /* a history that goes backwards cannot be replayed */
  { SCHEMA_REQUEST, "history[6].stage", "\"draft\"", "history[6].stage" },
  { SCHEMA_REQUEST, "refusal", "\"no\"", NULL },
  { SCHEMA_REQUEST, "tson", "3", NULL },
  { SCHEMA_REQUEST, "tson.name", "\"TsON\"", NULL },
  { SCHEMA_REQUEST, "plate_type", "\"premium\"", NULL },
  { SCHEMA_VEHICLE, "vin", "17", NULL },
  { SCHEMA_VEHICLE, "epassport.status", "\"maybe\"", NULL },
  { SCHEMA_VEHICLE, "epassport.year", "\"2025\"", NULL },
  { SCHEMA_VEHICLE, "epassport.issued_at", "\"01.09.2025\"", NULL },
  { SCHEMA_VEHICLE, "customs", NULL, NULL },
  { SCHEMA_VEHICLE, "customs.status", "true", NULL },
  { SCHEMA_VEHICLE, "customs.paid_on", "20250902", NULL },
  { SCHEMA_VEHICLE, "utilization.payment_number", "5", NULL },
  { SCHEMA_VEHICLE, "stopped_at", NULL, NULL },
  { SCHEMA_VEHICLE, "stopped_at.step", "9", NULL },
  { SCHEMA_VEHICLE, "stopped_at.code", "\"INTERNAL\"", NULL },
  { SCHEMA_VEHICLE, "stopped_at.message", "null", NULL },
  { SCHEMA_VEHICLE, "epassport.year", "0", NULL },
  /* the stopped step must be the first that fails, with its code */
  { SCHEMA_VEHICLE, "stopped_at", "null", NULL },
  { SCHEMA_VEHICLE, "epassport.status", "\"not_found\"", "stopped_at" },
  { SCHEMA_VEHICLE, "utilization.status", "\"paid\"", "stopped_at" },
  { SCHEMA_VEHICLE, "stopped_at.code", "\"CUSTOMS_UNPAID\"", "stopped_at" },
  { SCHEMA_PERSON, "iin", "\"12345\"", NULL },
  { SCHEMA_PERSON, "status", "\"alive\"", NULL },
  { SCHEMA_PERSON, "full_name", "[]", NULL },
  { SCHEMA_SESSION, "token", "\"\"", NULL },
  { SCHEMA_SESSION, "token", "42", NULL },
  { SCHEMA_SESSION, "expires_at", "\"2030-01-01\"", NULL },
  { SCHEMA_SESSION, "seller.oked", "\"45.11\"", NULL },
  { SCHEMA_SESSION, "seller.oked_check.qualifies", "\"yes\"", NULL },
  { SCHEMA_SESSION, "seller.oked_check.matched_code", "45.11", NULL },
  { SCHEMA_SESSION, "seller.oked_check", NULL, NULL },
  { SCHEMA_ABOUT, "environment", "\"staging\"", NULL },
  { SCHEMA_ABOUT, "api_version", NULL, NULL },
  { SCHEMA_ABOUT, "portal_name", "\"Portal\"", NULL },
  { SCHEMA_CONTRACTS, "contracts", "null", NULL },
  { SCHEMA_CONTRACTS, "contracts[0].currency", "398", NULL },
  { SCHEMA_CONTRACTS, "contracts[0].buyer.iin", "\"90010130012\"", NULL },
  { SCHEMA_CHANGES, "cursor", "7", NULL },
  { SCHEMA_CHANGES, "has_more", "\"false\"", NULL },
  { SCHEMA_CHANGES, "changes[0].vin", "\"XW8\"", NULL },
  { SCHEMA_CHALLENGE, "challenge", "\"AAEC===\"", NULL },
  { SCHEMA_CHALLENGE, "challenge", "\"\"", NULL },
  { SCHEMA_CHALLENGE, "challenge", "\"AA=A\"", NULL },
  { SCHEMA_CHALLENGE, "challenge_id", "\"\"", NULL },
  { SCHEMA_CHALLENGE, "expires_at", "\"2030-01-01T00:00:00.Z\"", NULL },
  { SCHEMA_CHALLENGE, "challenge_id", "1", NULL },
};

static char *
changes_json (void)
{
  return g_strdup_printf ("{\"changes\":[%s],\"cursor\":\"c-2\",\"has_more\":false}",
                          request_json);
}

/* Maps @root as @schema; returns whether it mapped. */
static gboolean
map_schema (Schema    schema,
            JsonNode *root,
            GError  **error)
{
  switch (schema)
    {
    case SCHEMA_REQUEST:
      {
        g_autoptr(TirkeuRequest) request = NULL;
        JsonObject *object = tirkeu_portal_json_root_object (root, error);

        if (object == NULL)
          return FALSE;
        request = tirkeu_portal_json_to_request (object, NULL, NULL, error);
        return request != NULL;
      }
    case SCHEMA_VEHICLE:
      {
        g_autoptr(TirkeuPortalVehicleCheck) check = tirkeu_portal_json_to_vehicle_check (root, error);
        return check != NULL;
      }
    case SCHEMA_PERSON:
      {
        g_autoptr(TirkeuPortalPerson) person = tirkeu_portal_json_to_person (root, error);
        return person != NULL;
      }
    case SCHEMA_SESSION:
      {
        g_autofree char *token = NULL;
        g_autoptr(GDateTime) expires_at = NULL;
        g_autoptr(TirkeuPortalSeller) seller =
          tirkeu_portal_json_to_session (root, &token, &expires_at, error);
        return seller != NULL;
      }
    case SCHEMA_ABOUT:
      {
        g_autoptr(TirkeuPortalAbout) about = tirkeu_portal_json_to_about (root, error);
        return about != NULL;
      }
    case SCHEMA_CONTRACTS:
      {
        g_autoptr(GPtrArray) contracts = tirkeu_portal_json_to_contracts (root, error);
        return contracts != NULL;
      }
    case SCHEMA_CHANGES:
      {
        g_autoptr(TirkeuPortalChanges) changes = tirkeu_portal_json_to_changes (root, error);
        return changes != NULL;
      }
    case SCHEMA_CHALLENGE:
      {
        g_autofree char *id = NULL;
        g_autoptr(GBytes) challenge = NULL;
        return tirkeu_portal_json_to_challenge (root, &id, &challenge, error);
      }
    default:
      g_assert_not_reached ();
    }
}

static JsonNode *
valid_root (Schema schema)
{
  g_autofree char *changes = NULL;

  switch (schema)
    {
    case SCHEMA_REQUEST: return parse (request_json);
    case SCHEMA_VEHICLE: return parse (vehicle_json);
    case SCHEMA_PERSON: return parse (person_json);
    case SCHEMA_SESSION: return parse (session_json);
    case SCHEMA_ABOUT: return parse (about_json);
    case SCHEMA_CONTRACTS: return parse (contracts_json);
    case SCHEMA_CHANGES:
      changes = changes_json ();
      return parse (changes);
    case SCHEMA_CHALLENGE: return parse (challenge_json);
    default:
      g_assert_not_reached ();
    }
}

static void
test_valid_schemas (void)
{
  for (Schema schema = SCHEMA_REQUEST; schema <= SCHEMA_CHALLENGE; schema++)
    {
      g_autoptr(JsonNode) root = valid_root (schema);
      g_autoptr(GError) error = NULL;

      g_assert_true (map_schema (schema, root, &error));
      g_assert_no_error (error);
    }
}

static void
test_broken_field (gconstpointer data)
{
  const BrokenCase *broken = data;
  g_autoptr(JsonNode) root = valid_root (broken->schema);
  g_autoptr(GError) error = NULL;
  g_autofree char *member = NULL;
  g_autofree char *expected_field = NULL;
  JsonObject *holder;
  JsonNode *details;

  holder = walk (root, broken->field, &member);
  if (broken->value == NULL)
    json_object_remove_member (holder, member);
  else
    json_object_set_member (holder, member, parse (broken->value));

  g_assert_false (map_schema (broken->schema, root, &error));
  g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED);

  details = tirkeu_portal_error_get_details (error);
  g_assert_nonnull (details);
  expected_field = g_strdup (broken->reported != NULL ? broken->reported : broken->field);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (details), "field"),
                   ==, expected_field);
  g_assert_nonnull (strstr (error->message, expected_field));
}

/* RFC 3339 allows lower-case t and z (section 5.6), fractions and offsets. */
static void
test_dates_rfc3339 (void)
{
  const char *accepted[] = { "2025-10-17t09:30:00z", "2025-10-17T09:30:00.250Z",
                             "2025-10-17T14:30:00+05:00", "2025-10-17T09:30:00-00:00" };

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(JsonNode) root = parse (request_json);
      g_autoptr(GError) error = NULL;
      g_autoptr(TirkeuRequest) request = NULL;
      g_autoptr(GDateTime) created = g_date_time_new_utc (2025, 10, 17, 9, 30, 0);

      json_object_set_string_member (json_node_get_object (root), "created_at", accepted[i]);
      request = tirkeu_portal_json_to_request (json_node_get_object (root), NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_date_time_to_unix (tirkeu_request_get_created_at (request)), ==,
                       g_date_time_to_unix (created));
    }
}

/* A stage this build does not know, as the current stage of one request of a /changes page:
 * that request is kept with its unknown stage named, and the others are mapped as usual. */
static void
test_changes_unknown_stage (void)
{
  g_autofree char *json = g_strdup_printf ("{\"changes\":[%s,%s,%s],\"cursor\":\"c-3\","
                                           "\"has_more\":false}",
                                           request_json, request_json, request_json);
  g_autoptr(JsonNode) root = parse (json);
  JsonArray *list = json_object_get_array_member (json_node_get_object (root), "changes");
  JsonObject *middle = json_array_get_object_element (list, 1);
  JsonArray *history = json_object_get_array_member (middle, "history");
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalChanges) changes = NULL;
  TirkeuPortalRequestInfo *info;

  json_object_set_string_member (json_array_get_object_element (list, 0), "id", "first");
  json_object_set_string_member (middle, "id", "middle");
  json_object_set_string_member (json_array_get_object_element (list, 2), "id", "last");
  /* the portal moved the middle one on to a stage of a newer contract */
  json_object_set_string_member (middle, "stage", "handed_to_insurer");
  json_array_add_element (history, parse ("{\"stage\":\"handed_to_insurer\","
                                          "\"at\":\"2025-10-17T12:00:00Z\",\"message\":"
                                          TEXT ("insurer") "}"));
  json_object_set_string_member (middle, "updated_at", "2025-10-17T12:00:00Z");

  changes = tirkeu_portal_json_to_changes (root, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->requests->len, ==, 3);
  g_assert_cmpuint (changes->infos->len, ==, 3);
  g_assert_cmpstr (changes->cursor, ==, "c-3");

  for (guint i = 0; i < 3; i++)
    {
      TirkeuRequest *request = g_ptr_array_index (changes->requests, i);

      info = g_ptr_array_index (changes->infos, i);
      g_assert_cmpstr (tirkeu_request_get_portal_id (request), ==, info->id);
      /* the middle one holds the last stage this build knows */
      g_assert_cmpint (tirkeu_request_get_stage (request), ==, TIRKEU_STAGE_TSON_CHOSEN);
      if (i == 1)
        g_assert_cmpstr (info->unknown_stage, ==, "handed_to_insurer");
      else
        g_assert_null (info->unknown_stage);
      /* the request carries it to the journal and to what shows it */
      g_assert_cmpstr (tirkeu_request_get_unknown_stage (request), ==, info->unknown_stage);
    }
  info = g_ptr_array_index (changes->infos, 1);
  g_assert_cmpstr (info->id, ==, "middle");

  /* the details survive a copy */
  {
    g_autoptr(TirkeuPortalRequestInfo) copy = tirkeu_portal_request_info_copy (info);

    g_assert_cmpstr (copy->unknown_stage, ==, "handed_to_insurer");
  }
}

/* Untrusted text: a lone surrogate escape decodes to bytes that are not UTF-8, in a value or
 * a member name, in every answer type; each is refused before any mapping sees it. */
static void
test_parse_bad_text (void)
{
  /* json-glib itself refuses some forms (a high surrogate right before the closing quote);
   * these it lets through */
  const char *answers[] = {
    "{\"environment\":\"sandbox\",\"api_version\":\"1.0\\uD800x\"}",
    "{\"iin\":\"900101300123\",\"status\":\"active\",\"full_name\":\"IVANOV \\udfffx\"}",
    "{\"contracts\":[],\"\\uDC00k\":1}",
    "{\"code\":\"INTERNAL\",\"message\":{\"kk\":\"\\ud800\\u0041\",\"ru\":\"\",\"en\":\"\"}}",
    "[\"\\uDC00\\uD800x\"]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = tirkeu_portal_json_parse (answers[i], strlen (answers[i]),
                                                           &error);

      g_assert_null (root);
      g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED);
    }

  /* json-glib refuses these itself, with a message quoting the bad text decoded (found by
   * fuzz-portal-json), and leaks the string it was reading (LeakSanitizer): they are refused
   * before json-glib sees them, and the message is text */
  {
    const char *answers_refused_by_json_glib[] = {
      "{\"k\\\\\\\\\\\\\\\\\\2025-09-01\"},\"customs\":{\"status\":\"paid\"}",
      "{\"a\":\"c\\uD800\"}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (answers_refused_by_json_glib); i++)
      {
        const char *answer = answers_refused_by_json_glib[i];
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) root = tirkeu_portal_json_parse (answer, strlen (answer), &error);

        g_assert_null (root);
        g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED);
        g_assert_true (g_utf8_validate (error->message, -1, NULL));
      }
  }

  /* a valid pair is text like any other */
  {
    const char *pair = "{\"a\":\"\\ud83d\\ude97\"}";
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) root = tirkeu_portal_json_parse (pair, strlen (pair), &error);

    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "a"), ==,
                     "\xf0\x9f\x9a\x97");
  }
}

/* One value per answer: json-glib 1.6 takes the first of two and drops the rest, so a
 * second value (or any text after the first) is refused as malformed; whitespace after it
 * and quotes or brackets inside strings are fine. */
static void
test_parse_trailing (void)
{
  const char *refused[] = {
    "{\"a\":1}{\"a\":2}",
    "{\"a\":1} {\"a\":2}",
    "[1,2]x",
    "{\"a\":1}\n[]",
    "\"text\" 1",
    "1 2",
    "null null",
    "{\"a\":\"}{\"}]",
    /* a scalar, then a value with no space between (fuzz-portal-json: json-glib built the
     * object, refused the text and leaked the object) */
    "4444{\"iin\":\"90'101300123\",\"status\":\"active\"}",
    "1[2]",
    "true\"x\"",
  };
  const char *accepted[] = {
    "{\"a\":1}\r\n  \t",
    "{\"a\":\"}{\\\"][\"}",
    "[[],{}] ",
    " 42 ",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = tirkeu_portal_json_parse (refused[i], strlen (refused[i]),
                                                           &error);

      g_assert_null (root);
      g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED);
      /* refused before json-glib sees it */
      g_assert_nonnull (strstr (error->message, "more text follows its one value"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = tirkeu_portal_json_parse (accepted[i], strlen (accepted[i]),
                                                           &error);

      g_assert_no_error (error);
      g_assert_nonnull (root);
    }
}

/* Nesting is bounded before json-glib recurses: 100,000 levels (the audit's stack overflow)
 * and 65 are refused, 64 pass, and brackets inside strings do not count. */
static void
test_parse_depth (void)
{
  const guint depths[] = { 100000, 65, 64 };

  for (guint i = 0; i < G_N_ELEMENTS (depths); i++)
    {
      GString *text = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = NULL;

      for (guint d = 0; d < depths[i]; d++)
        g_string_append (text, "[");
      for (guint d = 0; d < depths[i]; d++)
        g_string_append (text, "]");

      root = tirkeu_portal_json_parse (text->str, text->len, &error);
      if (depths[i] > 64)
        {
          g_assert_null (root);
          g_assert_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED);
        }
      else
        g_assert_no_error (error);
      g_string_free (text, TRUE);
    }

  {
    const char *quoted = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                         "[[[[[[[[[[[[[[\\\"[[[[\",\"b\":[[1]]}";
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) root = tirkeu_portal_json_parse (quoted, strlen (quoted), &error);

    g_assert_no_error (error);
    g_assert_nonnull (root);
  }
}

/* A refusal's reason is kept in the three languages, in the request and in the info. */
static void
test_request_refusal_languages (void)
{
  g_autoptr(JsonNode) root = parse (request_json);
  g_autoptr(JsonNode) refusal =
    parse ("{\"code\":\"FINES_UNPAID\",\"step\":14,\"reason\":" TEXT ("fines") "}");
  g_autoptr(TirkeuRequest) request = NULL;
  g_autoptr(TirkeuPortalRequestInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  const TirkeuLocalizedText *reason;

  json_object_set_member (json_node_get_object (root), "refusal", g_steal_pointer (&refusal));
  request = tirkeu_portal_json_to_request (json_node_get_object (root), NULL, &info, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (tirkeu_request_get_refusal_code (request), ==, "FINES_UNPAID");
  reason = tirkeu_request_get_refusal_reason (request);
  g_assert_cmpstr (tirkeu_localized_text_get (reason, "kk"), ==, "fines kk");
  g_assert_cmpstr (tirkeu_localized_text_get (reason, "ru"), ==, "fines ru");
  g_assert_cmpstr (tirkeu_localized_text_get (reason, "en"), ==, "fines en");
  g_assert_cmpstr (info->refusal_reason.kk, ==, "fines kk");
  g_assert_cmpuint (info->refusal_step, ==, 14);
}

static void
test_request_mapping (void)
{
  g_autoptr(JsonNode) root = parse (request_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuRequest) request = NULL;
  g_autoptr(TirkeuPortalRequestInfo) info = NULL;
  g_autoptr(GDateTime) created = g_date_time_new_utc (2025, 10, 17, 9, 30, 0);
  const TirkeuVehicle *vehicle;
  const TirkeuContract *contract;
  GPtrArray *history;

  request = tirkeu_portal_json_to_request (json_node_get_object (root), NULL, &info, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (tirkeu_request_get_portal_id (request), ==,
                   "0c7f1c1e-8f7a-4b53-9d0e-3f1c2a9b7e11");
  g_assert_cmpint (tirkeu_request_get_stage (request), ==, TIRKEU_STAGE_TSON_CHOSEN);
  g_assert_cmpstr (tirkeu_request_get_seller_bin (request), ==, "940140000385");
  g_assert_cmpstr (tirkeu_request_get_seller_name (request), ==, "AVTO LLP");
  g_assert_cmpstr (tirkeu_request_get_buyer_iin (request), ==, "900101300123");
  g_assert_cmpstr (tirkeu_request_get_buyer_name (request), ==, "IVANOV IVAN");
  g_assert_cmpstr (tirkeu_request_get_vin (request), ==, "XW8ZZZ61ZJG123456");
  vehicle = tirkeu_request_get_vehicle (request);
  g_assert_cmpstr (vehicle->make, ==, "Toyota");
  g_assert_cmpuint (vehicle->year, ==, 2025);
  g_assert_cmpstr (vehicle->category, ==, "M1");
  /* contract 1.4.0: the plain strings as the e-passport spells them, and every language */
  g_assert_cmpstr (vehicle->colour, ==, "white");
  g_assert_cmpstr (vehicle->body_type, ==, "sedan");
  g_assert_cmpstr (tirkeu_localized_text_get (vehicle->colour_text, "kk"), ==, "colour kk");
  g_assert_cmpstr (tirkeu_localized_text_get (vehicle->colour_text, "ru"), ==, "colour ru");
  g_assert_cmpstr (tirkeu_localized_text_get (vehicle->colour_text, "en"), ==, "colour en");
  g_assert_cmpstr (tirkeu_vehicle_pick_body_type (vehicle, "kk"), ==, "body kk");
  g_assert_cmpstr (tirkeu_vehicle_pick_body_type (vehicle, "ru"), ==, "body ru");
  g_assert_null (vehicle->engine_text);
  contract = tirkeu_request_get_contract (request);
  g_assert_cmpstr (contract->number, ==, "DKP-77");
  g_assert_cmpint (contract->price_tiyn, ==, 1250000050);
  g_assert_cmpuint (g_date_get_day (&contract->date), ==, 16);
  g_assert_cmpstr (tirkeu_request_get_plate_type (request), ==, "standard");
  /* the TsON in every language the portal sent, none picked here */
  g_assert_cmpstr (tirkeu_localized_text_get (tirkeu_request_get_tson_name (request), "kk"), ==,
                   "TsON kk");
  g_assert_cmpstr (tirkeu_localized_text_get (tirkeu_request_get_tson_name (request), "ru"), ==,
                   "TsON ru");
  g_assert_cmpstr (tirkeu_localized_text_get (tirkeu_request_get_tson_name (request), "en"), ==,
                   "TsON en");
  g_assert_cmpstr (tirkeu_localized_text_get (tirkeu_request_get_tson_address (request), "kk"),
                   ==, "Street kk");
  {
    g_autofree char *kk = tirkeu_request_dup_tson_label (request, "kk");
    g_autofree char *ru = tirkeu_request_dup_tson_label (request, "ru");

    g_assert_cmpstr (kk, ==, "TsON kk, Street kk");
    g_assert_cmpstr (ru, ==, "TsON ru, Street ru");
  }
  g_assert_null (tirkeu_request_get_refusal_code (request));
  g_assert_true (g_date_time_equal (tirkeu_request_get_created_at (request), created));

  /* history: replayed in order, the unknown stage left out, messages in all three languages
   * whatever the interface speaks */
  history = tirkeu_request_get_history (request);
  g_assert_cmpuint (history->len, ==, 7);
  g_assert_cmpint (((TirkeuStageChange *) g_ptr_array_index (history, 6))->stage, ==,
                   TIRKEU_STAGE_TSON_CHOSEN);
  {
    const TirkeuLocalizedText *message =
      ((TirkeuStageChange *) g_ptr_array_index (history, 6))->message;

    g_assert_cmpstr (tirkeu_localized_text_get (message, "kk"), ==, "tson_chosen kk");
    g_assert_cmpstr (tirkeu_localized_text_get (message, "ru"), ==, "tson_chosen ru");
    g_assert_cmpstr (tirkeu_localized_text_get (message, "en"), ==, "tson_chosen en");
  }

  g_assert_cmpstr (info->id, ==, tirkeu_request_get_portal_id (request));
  g_assert_cmpint (info->revision, ==, 12);
  /* contract 1.1.0: the key the request was created with, not one made up here */
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (request), ==, REQUEST_KEY);
  g_assert_cmpstr (info->idempotency_key, ==, REQUEST_KEY);
  g_assert_cmpmem (g_bytes_get_data (info->signing_payload, NULL),
                   g_bytes_get_size (info->signing_payload), "{\"a\":1}", 7);
  g_assert_cmpuint (info->history->len, ==, 7);
  g_assert_cmpstr (((TirkeuPortalHistoryEntry *) g_ptr_array_index (info->history, 1))->message.kk,
                   ==, "contract_found kk");

  /* the core loads what the mapping made: the journal stores it through this */
  {
    g_autoptr(GVariant) variant = tirkeu_request_to_variant (request);
    g_autoptr(TirkeuRequest) again = tirkeu_request_new_from_variant (variant, &error);

    g_assert_no_error (error);
    g_assert_cmpint (tirkeu_request_get_stage (again), ==, TIRKEU_STAGE_TSON_CHOSEN);
    g_assert_cmpstr (tirkeu_request_get_idempotency_key (again), ==, REQUEST_KEY);
    /* and keeps every language through it */
    g_assert_true (tirkeu_localized_text_equal (tirkeu_request_get_tson_name (again),
                                                tirkeu_request_get_tson_name (request)));
    g_assert_true (tirkeu_localized_text_equal (tirkeu_request_get_tson_address (again),
                                                tirkeu_request_get_tson_address (request)));
    g_assert_cmpstr (tirkeu_localized_text_get (
                       ((TirkeuStageChange *) g_ptr_array_index (
                          tirkeu_request_get_history (again), 6))->message, "kk"),
                     ==, "tson_chosen kk");
  }

  {
    g_autoptr(TirkeuRequest) keyed =
      tirkeu_portal_json_request_set_idempotency_key (request,
                                                      "5b0f7c1e-8f7a-4b53-9d0e-3f1c2a9b7e11",
                                                      &error);

    g_assert_no_error (error);
    g_assert_cmpstr (tirkeu_request_get_idempotency_key (keyed), ==,
                     "5b0f7c1e-8f7a-4b53-9d0e-3f1c2a9b7e11");
    g_assert_cmpstr (tirkeu_request_get_portal_id (keyed), ==, tirkeu_request_get_portal_id (request));
  }
}

typedef struct
{
  const char *name;
  const char *key;          /* JSON of idempotency_key, NULL to leave the member out */
  const char *info_key;     /* what info->idempotency_key must hold */
  gboolean    carried;      /* whether the TirkeuRequest carries it */
} KeyCase;

static const KeyCase key_cases[] = {
  { "uuid", "\"" REQUEST_KEY "\"", REQUEST_KEY, TRUE },
  { "upper-case-uuid", "\"9A3E5D2C-41B7-4F0E-8C6D-2B1A0F9E8D7C\"",
    "9A3E5D2C-41B7-4F0E-8C6D-2B1A0F9E8D7C", TRUE },
  /* a 1.0 portal, or a request the portal holds no key for */
  { "absent", NULL, NULL, FALSE },
  /* another client's key: valid by the contract, but the core keeps UUIDs only */
  { "not-a-uuid", "\"contract-1\"", "contract-1", FALSE },
  { "longest", "\"" KEY_128 "\"", KEY_128, FALSE },
};

/* The key a request was created with, as the portal sends it (contract 1.1.0) or not. */
static void
test_request_idempotency_key (gconstpointer data)
{
  const KeyCase *test = data;
  g_autoptr(JsonNode) root = parse (request_json);
  JsonObject *object = json_node_get_object (root);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuRequest) request = NULL;
  g_autoptr(TirkeuPortalRequestInfo) info = NULL;
  const char *key;

  if (test->key != NULL)
    json_object_set_member (object, "idempotency_key", parse (test->key));
  else
    json_object_remove_member (object, "idempotency_key");

  request = tirkeu_portal_json_to_request (object, NULL, &info, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->idempotency_key, ==, test->info_key);

  key = tirkeu_request_get_idempotency_key (request);
  g_assert_true (g_uuid_string_is_valid (key));
  if (test->carried)
    g_assert_cmpstr (key, ==, test->info_key);
  else
    g_assert_cmpstr (key, !=, REQUEST_KEY);
}

/* Contract 1.3.0's buyer_deadline: kept as the portal sent it (any RFC 3339 offset, held in
 * UTC) while the request can still expire; none when the portal sends none, and none on a
 * request past the buyer's stages, whatever the portal sent. */
static void
test_request_buyer_deadline (void)
{
  const struct {
    const char *stage;      /* NULL: the fixture's, tson_chosen */
    const char *deadline;   /* NULL: left out */
    gint64 expected;        /* Unix time, 0 for none */
  } cases[] = {
    { NULL, "2025-10-24T09:31:00Z", 1761298260 },
    { NULL, "2025-10-24T14:31:00+05:00", 1761298260 },
    { NULL, NULL, 0 },
    { "expired", "2025-10-24T09:31:00Z", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) root = parse (request_json);
      JsonObject *object = json_node_get_object (root);
      g_autoptr(GError) error = NULL;
      g_autoptr(TirkeuRequest) request = NULL;
      GDateTime *deadline;

      if (cases[i].stage != NULL)
        json_object_set_string_member (object, "stage", cases[i].stage);
      if (cases[i].deadline != NULL)
        json_object_set_string_member (object, "buyer_deadline", cases[i].deadline);

      request = tirkeu_portal_json_to_request (object, NULL, NULL, &error);
      g_assert_no_error (error);
      deadline = tirkeu_request_get_buyer_deadline (request);
      if (cases[i].expected == 0)
        g_assert_null (deadline);
      else
        {
          g_assert_nonnull (deadline);
          g_assert_cmpint (g_date_time_to_unix (deadline), ==, cases[i].expected);
          g_assert_cmpint (g_date_time_get_utc_offset (deadline), ==, 0);
        }
    }
}

static void
test_vehicle_mapping (void)
{
  g_autoptr(JsonNode) root = parse (vehicle_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalVehicleCheck) check = tirkeu_portal_json_to_vehicle_check (root, &error);

  g_assert_no_error (error);
  g_assert_true (check->epassport_found);
  g_assert_cmpstr (check->vehicle->vin, ==, "XW8ZZZ61ZJG123456");
  g_assert_cmpstr (check->vehicle->epassport_number, ==, "KZ123");
  g_assert_cmpstr (check->vehicle->body_type, ==, "sedan");
  g_assert_cmpstr (check->vehicle->engine_model, ==, "2.5 l petrol, 150 kW");
  g_assert_cmpuint (g_date_get_month (&check->epassport_issued_on), ==, 9);
  g_assert_cmpint (check->customs, ==, TIRKEU_PORTAL_PAYMENT_PAID);
  g_assert_cmpstr (check->customs_declaration, ==, "D-1");
  g_assert_cmpint (check->utilization, ==, TIRKEU_PORTAL_PAYMENT_UNPAID);
  g_assert_false (g_date_valid (&check->utilization_paid_on));
  g_assert_cmpuint (check->stopped_at_step, ==, 5);
  g_assert_cmpint (check->stopped_code, ==, TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID);
  g_assert_cmpstr (tirkeu_portal_text_get (&check->stopped_message, "kk"), ==, "util kk");

  /* contract 1.4.0: the colour, body and engine in every language, none picked here, and the
   * plain strings as the e-passport system spells them */
  g_assert_cmpstr (check->vehicle->colour, ==, "white");
  g_assert_cmpstr (tirkeu_localized_text_get (check->vehicle->colour_text, "kk"), ==, "ақ");
  g_assert_cmpstr (tirkeu_localized_text_get (check->vehicle->colour_text, "ru"), ==, "белый");
  g_assert_cmpstr (tirkeu_localized_text_get (check->vehicle->colour_text, "en"), ==, "white");
  g_assert_cmpstr (tirkeu_localized_text_get (check->vehicle->body_type_text, "kk"), ==,
                   "жол талғамайтын универсал");
  g_assert_cmpstr (tirkeu_localized_text_get (check->vehicle->body_type_text, "ru"), ==,
                   "универсал повышенной проходимости");
  g_assert_cmpstr (tirkeu_localized_text_get (check->vehicle->engine_text, "kk"), ==,
                   "2,5 л, бензин, 150 кВт");
  g_assert_cmpstr (tirkeu_vehicle_pick_colour (check->vehicle, "kk"), ==, "ақ");
  g_assert_cmpstr (tirkeu_vehicle_pick_body_type (check->vehicle, "ru"), ==,
                   "универсал повышенной проходимости");
  g_assert_cmpstr (tirkeu_vehicle_pick_engine (check->vehicle, "en"), ==, "2.5 l petrol, 150 kW");
}

/* A 1.3 portal sends the colour, body and engine as plain strings only: the vehicle has no
 * texts, and every language shows the e-passport's spelling rather than nothing. */
static void
test_vehicle_mapping_1_3 (void)
{
  g_autoptr(JsonNode) root = parse (vehicle_json_1_3);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalVehicleCheck) check = tirkeu_portal_json_to_vehicle_check (root, &error);

  g_assert_no_error (error);
  g_assert_null (check->vehicle->colour_text);
  g_assert_null (check->vehicle->body_type_text);
  g_assert_null (check->vehicle->engine_text);
  for (guint i = 0; i < 3; i++)
    {
      const char *language = (const char *[]) { "kk", "ru", "en" }[i];

      g_assert_cmpstr (tirkeu_vehicle_pick_colour (check->vehicle, language), ==, "white");
      g_assert_cmpstr (tirkeu_vehicle_pick_body_type (check->vehicle, language), ==, "sedan");
      g_assert_cmpstr (tirkeu_vehicle_pick_engine (check->vehicle, language), ==,
                       "2.5 l petrol, 150 kW");
    }
}

/* A 1.3 portal's Request.vehicle: colour only, no texts, no body or engine. */
static void
test_request_vehicle_1_3 (void)
{
  g_autoptr(JsonNode) root = parse (request_json);
  JsonObject *vehicle_object = json_object_get_object_member (json_node_get_object (root),
                                                              "vehicle");
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuRequest) request = NULL;
  const TirkeuVehicle *vehicle;

  json_object_remove_member (vehicle_object, "colour_text");
  json_object_remove_member (vehicle_object, "body_text");
  json_object_remove_member (vehicle_object, "body");
  request = tirkeu_portal_json_to_request (json_node_get_object (root), NULL, NULL, &error);
  g_assert_no_error (error);
  vehicle = tirkeu_request_get_vehicle (request);
  g_assert_null (vehicle->colour_text);
  g_assert_null (vehicle->body_type);
  g_assert_cmpstr (tirkeu_vehicle_pick_colour (vehicle, "kk"), ==, "white");
  g_assert_null (tirkeu_vehicle_pick_body_type (vehicle, "kk"));
}

static void
test_error_mapping (void)
{
  const struct { const char *json; gboolean model; } cases[] = {
    { "{\"code\":\"CONFLICT\",\"message\":" TEXT ("c") ",\"details\":{\"request_id\":\"r1\"}}", TRUE },
    { "{\"code\":\"CONFLICT\",\"message\":" TEXT ("c") "}", TRUE },
    { "{\"code\":\"CONFLICT\",\"message\":\"plain\",\"details\":{}}", FALSE },
    { "{\"code\":7,\"message\":" TEXT ("c") ",\"details\":{}}", FALSE },
    { "[1,2]", FALSE },
    { "{\"code\":\"RATE_LIMITED\",\"message\":" TEXT ("r") ",\"details\":{\"retry_after_s\":\"1\"}}", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) root = parse (cases[i].json);
      g_autoptr(GError) parse_error = NULL;
      g_autoptr(GError) portal_error = tirkeu_portal_json_to_error (root, 409, &parse_error);

      if (cases[i].model)
        {
          g_assert_no_error (parse_error);
          g_assert_error (portal_error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_CONFLICT);
          g_assert_cmpstr (tirkeu_portal_error_get_message (portal_error, "ru"), ==, "c ru");
          g_assert_cmpuint (tirkeu_portal_error_get_http_status (portal_error), ==, 409);
        }
      else
        {
          g_assert_null (portal_error);
          g_assert_error (parse_error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED);
        }
    }
}

/* The boxed types copy deeply: a copy outlives the original. */
static void
test_boxed_copies (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) vehicle_root = parse (vehicle_json);
  g_autofree char *changes_text = changes_json ();
  g_autoptr(JsonNode) changes_root = parse (changes_text);
  g_autoptr(JsonNode) session_root = parse (session_json);
  g_autoptr(JsonNode) contracts_root = parse (contracts_json);
  TirkeuPortalVehicleCheck *check = tirkeu_portal_json_to_vehicle_check (vehicle_root, &error);
  TirkeuPortalChanges *changes = tirkeu_portal_json_to_changes (changes_root, &error);
  g_autofree char *token = NULL;
  g_autoptr(GDateTime) expires_at = NULL;
  TirkeuPortalSeller *seller = tirkeu_portal_json_to_session (session_root, &token, &expires_at,
                                                              &error);
  g_autoptr(GPtrArray) contracts = tirkeu_portal_json_to_contracts (contracts_root, &error);
  g_autoptr(TirkeuPortalVehicleCheck) check_copy = NULL;
  g_autoptr(TirkeuPortalChanges) changes_copy = NULL;
  g_autoptr(TirkeuPortalSeller) seller_copy = NULL;
  g_autoptr(TirkeuPortalContract) contract_copy = NULL;
  TirkeuPortalRequestInfo *info;

  g_assert_no_error (error);
  check_copy = g_boxed_copy (TIRKEU_TYPE_PORTAL_VEHICLE_CHECK, check);
  changes_copy = g_boxed_copy (TIRKEU_TYPE_PORTAL_CHANGES, changes);
  seller_copy = g_boxed_copy (TIRKEU_TYPE_PORTAL_SELLER, seller);
  contract_copy = g_boxed_copy (TIRKEU_TYPE_PORTAL_CONTRACT, g_ptr_array_index (contracts, 0));
  g_boxed_free (TIRKEU_TYPE_PORTAL_VEHICLE_CHECK, check);
  g_boxed_free (TIRKEU_TYPE_PORTAL_CHANGES, changes);
  g_boxed_free (TIRKEU_TYPE_PORTAL_SELLER, seller);
  g_clear_pointer (&contracts, g_ptr_array_unref);

  g_assert_cmpstr (check_copy->vehicle->make, ==, "Toyota");
  g_assert_cmpstr (tirkeu_vehicle_pick_colour (check_copy->vehicle, "kk"), ==, "ақ");
  g_assert_cmpstr (tirkeu_portal_text_get (&check_copy->stopped_message, "ru"), ==, "util ru");
  g_assert_cmpuint (g_date_get_year (&check_copy->epassport_issued_on), ==, 2025);
  g_assert_cmpstr (changes_copy->cursor, ==, "c-2");
  g_assert_cmpuint (changes_copy->requests->len, ==, 1);
  info = g_ptr_array_index (changes_copy->infos, 0);
  g_assert_cmpint (info->revision, ==, 12);
  g_assert_cmpstr (info->idempotency_key, ==, REQUEST_KEY);
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (g_ptr_array_index (changes_copy->requests,
                                                                          0)), ==, REQUEST_KEY);
  g_assert_cmpuint (info->history->len, ==, 7);
  g_assert_cmpstr (((TirkeuPortalHistoryEntry *) g_ptr_array_index (info->history, 0))->message.en,
                   ==, "draft en");
  g_assert_cmpstr (seller_copy->oked[0], ==, "45.11");
  g_assert_cmpstr (contract_copy->contract->number, ==, "DKP-77");
  g_assert_cmpstr (contract_copy->buyer_name, ==, "IVANOV IVAN");
}

/* The names the portal layer gives its enums (the CLI prints them) are the ones it reads: each
 * goes back through the real mapping to the same value. */
static void
test_enum_names (void)
{
  for (TirkeuPortalPayment payment = TIRKEU_PORTAL_PAYMENT_PAID;
       payment <= TIRKEU_PORTAL_PAYMENT_NO_DATA; payment++)
    {
      g_autoptr(JsonNode) root = parse (vehicle_json);
      JsonObject *customs = json_object_get_object_member (json_node_get_object (root), "customs");
      g_autoptr(GError) error = NULL;
      g_autoptr(TirkeuPortalVehicleCheck) check = NULL;

      json_object_set_string_member (customs, "status", tirkeu_portal_payment_to_string (payment));
      /* the stopped step stays the first that fails */
      if (payment != TIRKEU_PORTAL_PAYMENT_PAID)
        {
          JsonObject *stopped = json_object_get_object_member (json_node_get_object (root),
                                                               "stopped_at");

          json_object_set_int_member (stopped, "step", 4);
          json_object_set_string_member (stopped, "code", "CUSTOMS_UNPAID");
        }
      check = tirkeu_portal_json_to_vehicle_check (root, &error);
      g_assert_no_error (error);
      g_assert_cmpint (check->customs, ==, payment);
    }

  for (TirkeuPortalPersonStatus status = TIRKEU_PORTAL_PERSON_ACTIVE;
       status <= TIRKEU_PORTAL_PERSON_INVALIDATED; status++)
    {
      g_autoptr(JsonNode) root = parse (person_json);
      g_autoptr(GError) error = NULL;
      g_autoptr(TirkeuPortalPerson) person = NULL;

      json_object_set_string_member (json_node_get_object (root), "status",
                                     tirkeu_portal_person_status_to_string (status));
      person = tirkeu_portal_json_to_person (root, &error);
      g_assert_no_error (error);
      g_assert_cmpint (person->status, ==, status);
    }

  g_assert_cmpstr (tirkeu_portal_payment_to_string (TIRKEU_PORTAL_PAYMENT_NO_DATA), ==, "no_data");
}

/* A later try may succeed only where the portal was not reached or failed for a while; what
 * it refused, or an answer off the contract, stays refused. One rule for the client's own
 * retries and the outbox's. */
static void
test_error_is_transient (void)
{
  for (int code = 0; code < TIRKEU_N_PORTAL_CODES; code++)
    {
      g_autoptr(GError) error = g_error_new_literal (TIRKEU_PORTAL_ERROR, code, "x");
      gboolean expected = code == TIRKEU_PORTAL_CODE_NETWORK
                          || code == TIRKEU_PORTAL_CODE_TIMEOUT
                          || code == TIRKEU_PORTAL_CODE_INTERNAL
                          || code == TIRKEU_PORTAL_CODE_UNAVAILABLE
                          || code == TIRKEU_PORTAL_CODE_RATE_LIMITED;

      g_assert_cmpint (tirkeu_portal_error_is_transient (error), ==, expected);
    }

  {
    g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");

    g_assert_false (tirkeu_portal_error_is_transient (cancelled));
    g_assert_false (tirkeu_portal_error_is_transient (NULL));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/portal/json/valid-schemas", test_valid_schemas);
  g_test_add_func ("/portal/json/request-mapping", test_request_mapping);
  g_test_add_func ("/portal/json/request-refusal-languages", test_request_refusal_languages);
  g_test_add_func ("/portal/json/dates-rfc3339", test_dates_rfc3339);
  g_test_add_func ("/portal/json/changes-unknown-stage", test_changes_unknown_stage);
  g_test_add_func ("/portal/json/parse-trailing", test_parse_trailing);
  g_test_add_func ("/portal/json/parse-bad-text", test_parse_bad_text);
  g_test_add_func ("/portal/json/parse-depth", test_parse_depth);
  for (guint i = 0; i < G_N_ELEMENTS (key_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/portal/json/request-idempotency-key/%s",
                                               key_cases[i].name);

      g_test_add_data_func (path, &key_cases[i], test_request_idempotency_key);
    }
  g_test_add_func ("/portal/json/request-buyer-deadline", test_request_buyer_deadline);
  g_test_add_func ("/portal/json/vehicle-mapping", test_vehicle_mapping);
  g_test_add_func ("/portal/json/vehicle-mapping-1.3", test_vehicle_mapping_1_3);
  g_test_add_func ("/portal/json/request-vehicle-1.3", test_request_vehicle_1_3);
  g_test_add_func ("/portal/json/error-mapping", test_error_mapping);
  g_test_add_func ("/portal/json/boxed-copies", test_boxed_copies);
  g_test_add_func ("/portal/json/enum-names", test_enum_names);
  g_test_add_func ("/portal/error/is-transient", test_error_is_transient);
  for (guint i = 0; i < G_N_ELEMENTS (broken_cases); i++)
    {
      static const char * const schema_names[] = { "request", "vehicle", "person", "session",
                                                   "about", "contracts", "changes",
                                                   "challenge" };
      g_autofree char *path = g_strdup_printf ("/portal/json/broken/%s/%s/%u",
                                               schema_names[broken_cases[i].schema],
                                               broken_cases[i].field, i);

      g_test_add_data_func (path, &broken_cases[i], test_broken_field);
    }

  return g_test_run ();
}
