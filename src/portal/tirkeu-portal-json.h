/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "tirkeu-portal-client.h"

G_BEGIN_DECLS

/*
 * Strict readers for the portal's JSON answers. Every member the client uses is checked for
 * its JSON type; a missing required member or a wrong type is %TIRKEU_PORTAL_CODE_MALFORMED
 * in %TIRKEU_PORTAL_ERROR whose message and details name the member by its path
 * (e.g. "vehicle.epassport.year"). Members the client does not know are ignored, so a newer
 * portal may add fields. @path is the path of @object itself ("" for the root).
 */

typedef enum
{
  TIRKEU_PORTAL_JSON_REQUIRED = 0,
  TIRKEU_PORTAL_JSON_OPTIONAL = 1 << 0,   /* absent is fine */
  TIRKEU_PORTAL_JSON_NULLABLE = 1 << 1,   /* JSON null is fine */
} TirkeuPortalJsonFlags;

JsonNode    *tirkeu_portal_json_parse       (const char            *data,
                                             gsize                  len,
                                             GError               **error);
JsonObject  *tirkeu_portal_json_root_object (JsonNode              *root,
                                             GError               **error);
gboolean     tirkeu_portal_json_string      (JsonObject            *object,
                                             const char            *path,
                                             const char            *member,
                                             TirkeuPortalJsonFlags  flags,
                                             const char           **value,
                                             GError               **error);
gboolean     tirkeu_portal_json_int         (JsonObject            *object,
                                             const char            *path,
                                             const char            *member,
                                             TirkeuPortalJsonFlags  flags,
                                             gint64                 min,
                                             gint64                 max,
                                             gint64                *value,
                                             GError               **error);
gboolean     tirkeu_portal_json_number      (JsonObject            *object,
                                             const char            *path,
                                             const char            *member,
                                             TirkeuPortalJsonFlags  flags,
                                             double                *value,
                                             GError               **error);
gboolean     tirkeu_portal_json_boolean     (JsonObject            *object,
                                             const char            *path,
                                             const char            *member,
                                             TirkeuPortalJsonFlags  flags,
                                             gboolean              *value,
                                             GError               **error);
gboolean     tirkeu_portal_json_object      (JsonObject            *object,
                                             const char            *path,
                                             const char            *member,
                                             TirkeuPortalJsonFlags  flags,
                                             JsonObject           **value,
                                             GError               **error);
gboolean     tirkeu_portal_json_array       (JsonObject            *object,
                                             const char            *path,
                                             const char            *member,
                                             TirkeuPortalJsonFlags  flags,
                                             JsonArray            **value,
                                             GError               **error);
gboolean     tirkeu_portal_json_datetime    (JsonObject            *object,
                                             const char            *path,
                                             const char            *member,
                                             TirkeuPortalJsonFlags  flags,
                                             GDateTime            **value,
                                             GError               **error);
gboolean     tirkeu_portal_json_date        (JsonObject            *object,
                                             const char            *path,
                                             const char            *member,
                                             TirkeuPortalJsonFlags  flags,
                                             GDate                 *value,
                                             GError               **error);
gboolean     tirkeu_portal_json_base64      (JsonObject            *object,
                                             const char            *path,
                                             const char            *member,
                                             TirkeuPortalJsonFlags  flags,
                                             GBytes               **value,
                                             GError               **error);
JsonObject  *tirkeu_portal_json_array_object (JsonArray            *array,
                                             const char            *path,
                                             guint                  index,
                                             GError               **error);
const char  *tirkeu_portal_json_array_string (JsonArray            *array,
                                             const char            *path,
                                             guint                  index,
                                             GError               **error);
GError      *tirkeu_portal_json_malformed   (const char            *path,
                                             const char            *member,
                                             const char            *expected);
GError      *tirkeu_portal_json_mismatch    (const char            *field,
                                             const char            *expected,
                                             const char            *answered);
char        *tirkeu_portal_json_join        (const char            *path,
                                             const char            *member);

/*
 * The contract's schemas (data/portal-api.yaml, components.schemas) mapped into the core's
 * objects and the client's structures. Each returns %NULL with a MALFORMED error naming the
 * first member at fault.
 */
GError                   *tirkeu_portal_json_to_error         (JsonNode          *root,
                                                               guint              http_status,
                                                               GError           **error);
gboolean                  tirkeu_portal_json_to_text          (JsonObject        *object,
                                                               const char        *path,
                                                               const char        *member,
                                                               TirkeuPortalJsonFlags flags,
                                                               TirkeuPortalText  *text,
                                                               GError           **error);
TirkeuPortalAbout        *tirkeu_portal_json_to_about         (JsonNode          *root,
                                                               GError           **error);
gboolean                  tirkeu_portal_json_to_challenge     (JsonNode          *root,
                                                               char             **challenge_id,
                                                               GBytes           **challenge,
                                                               GError           **error);
TirkeuPortalSeller       *tirkeu_portal_json_to_seller        (JsonObject        *object,
                                                               const char        *path,
                                                               GError           **error);
TirkeuPortalSeller       *tirkeu_portal_json_to_session       (JsonNode          *root,
                                                               char             **token,
                                                               GDateTime        **expires_at,
                                                               GError           **error);
TirkeuPortalVehicleCheck *tirkeu_portal_json_to_vehicle_check (JsonNode          *root,
                                                               GError           **error);
TirkeuPortalPerson       *tirkeu_portal_json_to_person        (JsonNode          *root,
                                                               GError           **error);
TirkeuPortalContract     *tirkeu_portal_json_to_contract      (JsonObject        *object,
                                                               const char        *path,
                                                               GError           **error);
GPtrArray                *tirkeu_portal_json_to_contracts     (JsonNode          *root,
                                                               GError           **error);
TirkeuRequest            *tirkeu_portal_json_to_request       (JsonObject        *object,
                                                               const char        *path,
                                                               TirkeuPortalRequestInfo **info,
                                                               GError           **error);
TirkeuRequest            *tirkeu_portal_json_request_set_idempotency_key
                                                              (TirkeuRequest     *request,
                                                               const char        *idempotency_key,
                                                               GError           **error);
TirkeuPortalChanges      *tirkeu_portal_json_to_changes       (JsonNode          *root,
                                                               GError           **error);

G_END_DECLS
