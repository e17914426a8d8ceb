/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the portal's answers: the bytes go through the client's own parser
 * (tirkeu_portal_json_parse: UTF-8, nesting bound, text check) and then through every
 * mapping of the contract's schemas (about, challenge, session, seller, vehicle check,
 * person, contracts, request, a /changes page, the error model). No crash, no sanitizer
 * report, and invariants: every failure is a MALFORMED portal error; whatever maps holds
 * only valid UTF-8 text; a mapped /changes page has one detail per request, each with the
 * request's own id. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tirkeu-portal-error.h"
#include "tirkeu-portal-json.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define REQUIRE(x) do { if (!(x)) abort (); } while (0)

static void
require_text (const char *text)
{
  REQUIRE (text == NULL || g_utf8_validate (text, -1, NULL));
}

static void
require_malformed (GError *error)
{
  REQUIRE (error != NULL);
  REQUIRE (g_error_matches (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED));
  require_text (error->message);
  g_error_free (error);
}

static void
require_request (TirkeuRequest           *request,
                 TirkeuPortalRequestInfo *info)
{
  const TirkeuContract *contract = tirkeu_request_get_contract (request);

  require_text (tirkeu_request_get_portal_id (request));
  require_text (tirkeu_request_get_buyer_name (request));
  require_text (tirkeu_request_get_seller_name (request));
  require_text (tirkeu_request_get_vin (request));
  {
    g_autofree char *tson = tirkeu_request_dup_tson_label (request, "kk");

    require_text (tson);
  }
  require_text (tirkeu_localized_text_pick (tirkeu_request_get_refusal_reason (request), "ru"));
  REQUIRE (contract != NULL);
  require_text (contract->number);
  REQUIRE (info != NULL && g_strcmp0 (info->id, tirkeu_request_get_portal_id (request)) == 0);
  REQUIRE (info->signing_payload != NULL && g_bytes_get_size (info->signing_payload) > 0);
  require_text (info->unknown_stage);
  /* the request survives its own serialized form, as the journal stores it */
  {
    g_autoptr(GVariant) variant = tirkeu_request_to_variant (request);
    g_autoptr(TirkeuRequest) copy = tirkeu_request_new_from_variant (variant, NULL);

    REQUIRE (copy != NULL);
  }
}

static void
map_all (JsonNode *root)
{
  GError *error = NULL;

  {
    g_autoptr(TirkeuPortalAbout) about = tirkeu_portal_json_to_about (root, &error);

    if (about != NULL)
      {
        require_text (about->api_version);
        require_text (about->portal_name.en);
      }
    else
      require_malformed (g_steal_pointer (&error));
  }
  {
    g_autofree char *id = NULL;
    g_autoptr(GBytes) challenge = NULL;

    if (tirkeu_portal_json_to_challenge (root, &id, &challenge, &error))
      REQUIRE (id[0] != '\0' && g_bytes_get_size (challenge) > 0);
    else
      require_malformed (g_steal_pointer (&error));
  }
  {
    g_autofree char *token = NULL;
    g_autoptr(GDateTime) expires_at = NULL;
    g_autoptr(TirkeuPortalSeller) seller =
      tirkeu_portal_json_to_session (root, &token, &expires_at, &error);

    if (seller != NULL)
      {
        REQUIRE (token[0] != '\0' && expires_at != NULL);
        require_text (seller->name);
      }
    else
      require_malformed (g_steal_pointer (&error));
  }
  {
    g_autoptr(TirkeuPortalVehicleCheck) check = tirkeu_portal_json_to_vehicle_check (root, &error);

    if (check != NULL)
      {
        require_text (check->vin);
        /* a check that stops has a step that fails, and the other way round */
        REQUIRE ((check->stopped_at_step == 0) ==
                 (check->epassport_found && check->customs == TIRKEU_PORTAL_PAYMENT_PAID &&
                  check->utilization == TIRKEU_PORTAL_PAYMENT_PAID));
        REQUIRE (check->epassport_found == (check->vehicle != NULL));
        /* the e-passport's texts, picked in each language, are the portal's UTF-8 */
        for (guint i = 0; check->vehicle != NULL && i < 3; i++)
          {
            const char *language = (const char *[]) { "kk", "ru", "en" }[i];

            require_text (tirkeu_vehicle_pick_colour (check->vehicle, language));
            require_text (tirkeu_vehicle_pick_body_type (check->vehicle, language));
            require_text (tirkeu_vehicle_pick_engine (check->vehicle, language));
          }
      }
    else
      require_malformed (g_steal_pointer (&error));
  }
  {
    g_autoptr(TirkeuPortalPerson) person = tirkeu_portal_json_to_person (root, &error);

    if (person != NULL)
      require_text (person->full_name);
    else
      require_malformed (g_steal_pointer (&error));
  }
  {
    g_autoptr(GPtrArray) contracts = tirkeu_portal_json_to_contracts (root, &error);

    if (contracts != NULL)
      {
        for (guint i = 0; i < contracts->len; i++)
          {
            TirkeuPortalContract *contract = g_ptr_array_index (contracts, i);

            require_text (contract->buyer_name);
            REQUIRE (contract->contract->price_tiyn >= 0);
          }
      }
    else
      require_malformed (g_steal_pointer (&error));
  }
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      TirkeuPortalRequestInfo *info = NULL;
      g_autoptr(TirkeuRequest) request =
        tirkeu_portal_json_to_request (json_node_get_object (root), NULL, &info, &error);

      if (request != NULL)
        {
          require_request (request, info);
          tirkeu_portal_request_info_free (info);
        }
      else
        require_malformed (g_steal_pointer (&error));
    }
  {
    g_autoptr(TirkeuPortalChanges) changes = tirkeu_portal_json_to_changes (root, &error);

    if (changes != NULL)
      {
        REQUIRE (changes->requests->len == changes->infos->len);
        for (guint i = 0; i < changes->requests->len; i++)
          require_request (g_ptr_array_index (changes->requests, i),
                           g_ptr_array_index (changes->infos, i));
      }
    else
      require_malformed (g_steal_pointer (&error));
  }
  {
    /* the error model: NULL without an error is "not an error answer", which is allowed */
    GError *portal_error = tirkeu_portal_json_to_error (root, 400, &error);

    if (portal_error != NULL)
      {
        REQUIRE (portal_error->domain == TIRKEU_PORTAL_ERROR);
        require_text (portal_error->message);
        require_text (tirkeu_portal_error_get_message (portal_error, "kk"));
        g_error_free (portal_error);
      }
    else
      require_malformed (g_steal_pointer (&error));
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GError *error = NULL;
  g_autoptr(JsonNode) root = tirkeu_portal_json_parse ((const char *) data, size, &error);

  if (root == NULL)
    {
      require_malformed (error);
      return 0;
    }

  map_all (root);
  return 0;
}
