/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "tirkeu-portal-client.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-portal-json.h"
#include "tirkeu-portal-private.h"
#include "tirkeu-iin.h"

/* ------------------------------------------------------------------------------------------ */
/* Operations: each is one transport call and one mapping                                     */

typedef gpointer (*MapFunc) (JsonNode  *root,
                             GTask     *task,
                             GError   **error);

static void
operation_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TirkeuPortalClient *self = TIRKEU_PORTAL_CLIENT (object);
  MapFunc map = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  gpointer value;

  root = _tirkeu_portal_client_call_finish (self, result, &error);
  if (root == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  value = map (root, task, &error);
  if (value == NULL)
    g_task_return_error (task, error);
}

/* Returns the task (owned by the call in flight) so that a caller may attach data to it. */
static GTask *
operation_start (TirkeuPortalClient    *self,
                 gpointer               source_tag,
                 const char            *method,
                 const char            *path,
                 GBytes                *body,
                 const char            *idempotency_key,
                 TirkeuPortalCallFlags  flags,
                 MapFunc                map,
                 GCancellable          *cancellable,
                 GAsyncReadyCallback    callback,
                 gpointer               user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  /* the transport's error stands: a user action that ran out is a timeout, not a cancel */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, map, NULL);
  _tirkeu_portal_client_call_async (self, method, path, body, idempotency_key, flags,
                                    cancellable, operation_cb, task);
  return task;
}

static gpointer
operation_finish (TirkeuPortalClient  *self,
                  GAsyncResult        *result,
                  gpointer             source_tag,
                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GBytes *
json_body (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  char *text;
  gsize len;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  return g_bytes_new_take (text, len);
}

/* What was asked, kept on the operation's task so that the answer can be held against it. */
static void
set_asked (GTask      *task,
           const char *what,
           const char *value)
{
  g_object_set_data_full (G_OBJECT (task), what, g_strdup (value), g_free);
}

static const char *
get_asked (GTask      *task,
           const char *what)
{
  return g_object_get_data (G_OBJECT (task), what);
}

/* The request id an answer carries must be the one asked for (or, after a create, one at
 * all): a portal that mixes answers up must not get a signature or a stage stored against
 * the wrong request. */
static gboolean
check_request_answer (GTask                    *task,
                      TirkeuRequest            *request,
                      TirkeuPortalRequestInfo  *info,
                      GError                  **error)
{
  const char *asked_id = get_asked (task, "request-id");
  const char *vin = get_asked (task, "vin");
  const char *buyer_iin = get_asked (task, "buyer-iin");
  const char *contract_number = get_asked (task, "contract-number");

  const char *key = get_asked (task, "idempotency-key");

  /* a created request comes back with the key it was sent, when the portal names it */
  if (key != NULL && info->idempotency_key != NULL &&
      g_strcmp0 (info->idempotency_key, key) != 0)
    {
      g_propagate_error (error,
                         tirkeu_portal_json_mismatch ("idempotency_key",
                                                      _("the Idempotency-Key sent"),
                                                      info->idempotency_key));
      return FALSE;
    }
  if (asked_id != NULL && g_strcmp0 (tirkeu_request_get_portal_id (request), asked_id) != 0)
    {
      g_propagate_error (error,
                         tirkeu_portal_json_mismatch ("id", _("the id of the request asked for"),
                                                      tirkeu_request_get_portal_id (request)));
      return FALSE;
    }
  if (vin != NULL && g_ascii_strcasecmp (tirkeu_request_get_vin (request), vin) != 0)
    {
      g_propagate_error (error,
                         tirkeu_portal_json_mismatch ("vin", _("the VIN of the sale"),
                                                      tirkeu_request_get_vin (request)));
      return FALSE;
    }
  if (buyer_iin != NULL && g_strcmp0 (tirkeu_request_get_buyer_iin (request), buyer_iin) != 0)
    {
      g_autofree char *masked = tirkeu_iin_mask (tirkeu_request_get_buyer_iin (request));

      g_propagate_error (error,
                         tirkeu_portal_json_mismatch ("buyer_iin", _("the buyer's IIN of the sale"),
                                                      masked));
      return FALSE;
    }
  if (contract_number != NULL &&
      g_strcmp0 (tirkeu_request_get_contract (request)->number, contract_number) != 0)
    {
      g_propagate_error (error,
                         tirkeu_portal_json_mismatch ("contract_number",
                                                      _("the contract number of the sale"),
                                                      tirkeu_request_get_contract (request)->number));
      return FALSE;
    }

  return TRUE;
}

/* about */

static gpointer
map_about (JsonNode *root, GTask *task, GError **error)
{
  TirkeuPortalAbout *about = tirkeu_portal_json_to_about (root, error);

  if (about != NULL)
    {
      _tirkeu_portal_client_set_is_sandbox (g_task_get_source_object (task),
                                            about->sandbox);
      g_task_return_pointer (task, about, (GDestroyNotify) tirkeu_portal_about_free);
    }
  return about;
}

/**
 * tirkeu_portal_client_get_about_async:
 *
 * GET /api/v1/about: which portal this is (no session needed). Sets
 * #TirkeuPortalClient:is-sandbox.
 */
void
tirkeu_portal_client_get_about_async (TirkeuPortalClient  *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));

  operation_start (self, tirkeu_portal_client_get_about_async, "GET", "/api/v1/about", NULL,
                   NULL, TIRKEU_PORTAL_CALL_RETRY_SAFE, map_about, cancellable, callback,
                   user_data);
}

TirkeuPortalAbout *
tirkeu_portal_client_get_about_finish (TirkeuPortalClient  *self,
                                       GAsyncResult        *result,
                                       GError             **error)
{
  return operation_finish (self, result, tirkeu_portal_client_get_about_async, error);
}

/* seller */

static gpointer
map_seller (JsonNode *root, GTask *task, GError **error)
{
  JsonObject *object = tirkeu_portal_json_root_object (root, error);
  TirkeuPortalSeller *seller = object != NULL ? tirkeu_portal_json_to_seller (object, NULL, error)
                                              : NULL;

  if (seller != NULL)
    g_task_return_pointer (task, seller, (GDestroyNotify) tirkeu_portal_seller_free);
  return seller;
}

/**
 * tirkeu_portal_client_get_seller_async:
 *
 * GET /api/v1/seller: the signed-in seller's profile and the OKED check of step 1.
 */
void
tirkeu_portal_client_get_seller_async (TirkeuPortalClient  *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));

  operation_start (self, tirkeu_portal_client_get_seller_async, "GET", "/api/v1/seller", NULL,
                   NULL, TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE, map_seller,
                   cancellable, callback, user_data);
}

TirkeuPortalSeller *
tirkeu_portal_client_get_seller_finish (TirkeuPortalClient  *self,
                                        GAsyncResult        *result,
                                        GError             **error)
{
  return operation_finish (self, result, tirkeu_portal_client_get_seller_async, error);
}

/* vehicle */

static gpointer
map_vehicle_check (JsonNode *root, GTask *task, GError **error)
{
  TirkeuPortalVehicleCheck *check = tirkeu_portal_json_to_vehicle_check (root, error);

  if (check != NULL && g_ascii_strcasecmp (check->vin, get_asked (task, "vin")) != 0)
    {
      g_propagate_error (error, tirkeu_portal_json_mismatch ("vin", _("the VIN asked for"),
                                                             check->vin));
      g_clear_pointer (&check, tirkeu_portal_vehicle_check_free);
    }
  if (check != NULL)
    g_task_return_pointer (task, check, (GDestroyNotify) tirkeu_portal_vehicle_check_free);
  return check;
}

/**
 * tirkeu_portal_client_check_vehicle_async:
 * @vin: the VIN
 *
 * GET /api/v1/vehicles/{vin}: steps 2-5, each with its own outcome.
 */
void
tirkeu_portal_client_check_vehicle_async (TirkeuPortalClient  *self,
                                          const char          *vin,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (vin != NULL);

  escaped = g_uri_escape_string (vin, NULL, FALSE);
  path = g_strconcat ("/api/v1/vehicles/", escaped, NULL);
  task = operation_start (self, tirkeu_portal_client_check_vehicle_async, "GET", path, NULL,
                          NULL, TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE,
                          map_vehicle_check, cancellable, callback, user_data);
  set_asked (task, "vin", vin);
}

TirkeuPortalVehicleCheck *
tirkeu_portal_client_check_vehicle_finish (TirkeuPortalClient  *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  return operation_finish (self, result, tirkeu_portal_client_check_vehicle_async, error);
}

/* person */

static gpointer
map_person (JsonNode *root, GTask *task, GError **error)
{
  TirkeuPortalPerson *person = tirkeu_portal_json_to_person (root, error);

  if (person != NULL && g_strcmp0 (person->iin, get_asked (task, "buyer-iin")) != 0)
    {
      g_autofree char *masked = tirkeu_iin_mask (person->iin);

      g_propagate_error (error, tirkeu_portal_json_mismatch ("iin", _("the IIN asked for"),
                                                             masked));
      g_clear_pointer (&person, tirkeu_portal_person_free);
    }
  if (person != NULL)
    g_task_return_pointer (task, person, (GDestroyNotify) tirkeu_portal_person_free);
  return person;
}

/**
 * tirkeu_portal_client_check_person_async:
 * @iin: the buyer's IIN
 *
 * GET /api/v1/persons/{iin}: steps 6-7. An IIN that GBD FL does not know is
 * %TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND.
 */
void
tirkeu_portal_client_check_person_async (TirkeuPortalClient  *self,
                                         const char          *iin,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (iin != NULL);

  escaped = g_uri_escape_string (iin, NULL, FALSE);
  path = g_strconcat ("/api/v1/persons/", escaped, NULL);
  task = operation_start (self, tirkeu_portal_client_check_person_async, "GET", path, NULL,
                          NULL, TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE,
                          map_person, cancellable, callback, user_data);
  set_asked (task, "buyer-iin", iin);
}

TirkeuPortalPerson *
tirkeu_portal_client_check_person_finish (TirkeuPortalClient  *self,
                                          GAsyncResult        *result,
                                          GError             **error)
{
  return operation_finish (self, result, tirkeu_portal_client_check_person_async, error);
}

/* contracts */

static gpointer
map_contracts (JsonNode *root, GTask *task, GError **error)
{
  GPtrArray *contracts = tirkeu_portal_json_to_contracts (root, error);
  const char *buyer_iin = get_asked (task, "buyer-iin");

  for (guint i = 0; contracts != NULL && i < contracts->len; i++)
    {
      TirkeuPortalContract *contract = g_ptr_array_index (contracts, i);

      if (g_strcmp0 (contract->buyer_iin, buyer_iin) != 0)
        {
          g_autofree char *field = g_strdup_printf ("contracts[%u].buyer.iin", i);
          g_autofree char *masked = tirkeu_iin_mask (contract->buyer_iin);

          g_propagate_error (error, tirkeu_portal_json_mismatch (field, _("the IIN asked for"),
                                                                 masked));
          g_clear_pointer (&contracts, g_ptr_array_unref);
        }
    }
  if (contracts != NULL)
    g_task_return_pointer (task, contracts, (GDestroyNotify) g_ptr_array_unref);
  return contracts;
}

/**
 * tirkeu_portal_client_find_contracts_async:
 * @vin: the VIN
 * @buyer_iin: the buyer's IIN
 *
 * GET /api/v1/contracts: step 8. Finishes with a #GPtrArray of #TirkeuPortalContract, newest
 * first, possibly empty.
 */
void
tirkeu_portal_client_find_contracts_async (TirkeuPortalClient  *self,
                                           const char          *vin,
                                           const char          *buyer_iin,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autofree char *query = NULL;
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (vin != NULL && buyer_iin != NULL);

  query = soup_form_encode ("vin", vin, "buyer_iin", buyer_iin, NULL);
  path = g_strconcat ("/api/v1/contracts?", query, NULL);
  task = operation_start (self, tirkeu_portal_client_find_contracts_async, "GET", path, NULL,
                          NULL, TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE,
                          map_contracts, cancellable, callback, user_data);
  set_asked (task, "buyer-iin", buyer_iin);
}

/**
 * tirkeu_portal_client_find_contracts_finish:
 *
 * Returns: (transfer container) (element-type TirkeuPortalContract): the contracts
 */
GPtrArray *
tirkeu_portal_client_find_contracts_finish (TirkeuPortalClient  *self,
                                            GAsyncResult        *result,
                                            GError             **error)
{
  return operation_finish (self, result, tirkeu_portal_client_find_contracts_async, error);
}

/* requests */

typedef struct
{
  TirkeuRequest *request;
  TirkeuPortalRequestInfo *info;
} RequestResult;

static void
request_result_free (RequestResult *result)
{
  g_clear_object (&result->request);
  g_clear_pointer (&result->info, tirkeu_portal_request_info_free);
  g_free (result);
}

static gpointer
map_request (JsonNode *root, GTask *task, GError **error)
{
  JsonObject *object = tirkeu_portal_json_root_object (root, error);
  RequestResult *result;
  TirkeuRequest *request;
  TirkeuPortalRequestInfo *info = NULL;

  if (object == NULL)
    return NULL;
  request = tirkeu_portal_json_to_request (object, NULL, &info, error);
  if (request == NULL)
    return NULL;
  if (!check_request_answer (task, request, info, error))
    {
      g_object_unref (request);
      tirkeu_portal_request_info_free (info);
      return NULL;
    }

  result = g_new0 (RequestResult, 1);
  result->request = request;
  result->info = info;
  g_task_return_pointer (task, result, (GDestroyNotify) request_result_free);
  return result;
}

/* Like map_request, and the request keeps the Idempotency-Key it was created with. */
static gpointer
map_created_request (JsonNode *root, GTask *task, GError **error)
{
  const char *key = get_asked (task, "idempotency-key");
  JsonObject *object = tirkeu_portal_json_root_object (root, error);
  g_autoptr(TirkeuRequest) request = NULL;
  TirkeuPortalRequestInfo *info = NULL;
  RequestResult *result;

  if (object == NULL)
    return NULL;
  request = tirkeu_portal_json_to_request (object, NULL, &info, error);
  if (request == NULL)
    return NULL;
  if (!check_request_answer (task, request, info, error))
    {
      tirkeu_portal_request_info_free (info);
      return NULL;
    }

  result = g_new0 (RequestResult, 1);
  result->info = info;
  /* The core keeps only UUID keys (the ones Tirkeu makes); any other key the caller chose
   * was still sent, the request just keeps a key of its own. */
  if (key != NULL && g_uuid_string_is_valid (key))
    result->request = tirkeu_portal_json_request_set_idempotency_key (request, key, error);
  else
    result->request = g_object_ref (request);
  if (result->request == NULL)
    {
      request_result_free (result);
      return NULL;
    }
  g_task_return_pointer (task, result, (GDestroyNotify) request_result_free);
  return result;
}

static TirkeuRequest *
request_finish (TirkeuPortalClient       *self,
                GAsyncResult             *result,
                gpointer                  source_tag,
                TirkeuPortalRequestInfo **info,
                GError                  **error)
{
  RequestResult *request_result = operation_finish (self, result, source_tag, error);
  TirkeuRequest *request;

  if (request_result == NULL)
    return NULL;
  request = g_steal_pointer (&request_result->request);
  if (info != NULL)
    *info = g_steal_pointer (&request_result->info);
  request_result_free (request_result);

  return request;
}

/**
 * tirkeu_portal_client_create_request_async:
 * @idempotency_key: a key made once per request and kept with the draft (1-128 characters
 *   of [A-Za-z0-9._:-]): sending it again returns the request created the first time
 * @vin: the VIN
 * @buyer_iin: the buyer's IIN
 * @contract_number: the number of a contract from step 8
 *
 * POST /api/v1/requests. Retried after a lost answer, since the key makes it safe.
 */
void
tirkeu_portal_client_create_request_async (TirkeuPortalClient  *self,
                                           const char          *idempotency_key,
                                           const char          *vin,
                                           const char          *buyer_iin,
                                           const char          *contract_number,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GBytes) body = NULL;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (idempotency_key != NULL && idempotency_key[0] != '\0');
  g_return_if_fail (vin != NULL && buyer_iin != NULL && contract_number != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "vin");
  json_builder_add_string_value (builder, vin);
  json_builder_set_member_name (builder, "buyer_iin");
  json_builder_add_string_value (builder, buyer_iin);
  json_builder_set_member_name (builder, "contract_number");
  json_builder_add_string_value (builder, contract_number);
  json_builder_end_object (builder);
  body = json_body (builder);

  task = operation_start (self, tirkeu_portal_client_create_request_async, "POST",
                          "/api/v1/requests", body, idempotency_key,
                          TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE,
                          map_created_request, cancellable, callback, user_data);
  set_asked (task, "idempotency-key", idempotency_key);
  set_asked (task, "vin", vin);
  set_asked (task, "buyer-iin", buyer_iin);
  set_asked (task, "contract-number", contract_number);
}

/**
 * tirkeu_portal_client_create_request_finish:
 * @info: (out) (optional) (transfer full): the portal's details; its `signing_payload` is
 *   the exact bytes the seller signs at step 9, to be signed as they are
 *
 * Returns: (transfer full): the request, in stage contract_found (or further, when the same
 *   Idempotency-Key was used before)
 */
TirkeuRequest *
tirkeu_portal_client_create_request_finish (TirkeuPortalClient       *self,
                                            GAsyncResult             *result,
                                            TirkeuPortalRequestInfo **info,
                                            GError                  **error)
{
  return request_finish (self, result, tirkeu_portal_client_create_request_async, info, error);
}

static char *
request_path (const char *request_id,
              const char *action)
{
  g_autofree char *escaped = g_uri_escape_string (request_id, NULL, FALSE);

  return g_strconcat ("/api/v1/requests/", escaped, action, NULL);
}

/**
 * tirkeu_portal_client_submit_signature_async:
 * @request_id: the portal's id of the request
 * @signature: the DER CMS signature of its signing payload, made with the SIGN key
 *
 * POST /api/v1/requests/{id}/signature: step 9. Sending the same signature again is safe
 * (contract), so it is retried after a lost answer.
 */
void
tirkeu_portal_client_submit_signature_async (TirkeuPortalClient  *self,
                                             const char          *request_id,
                                             GBytes              *signature,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GBytes) body = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (request_id != NULL && signature != NULL);

  encoded = g_base64_encode (g_bytes_get_data (signature, NULL), g_bytes_get_size (signature));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "signature");
  json_builder_add_string_value (builder, encoded);
  json_builder_end_object (builder);
  body = json_body (builder);
  path = request_path (request_id, "/signature");

  task = operation_start (self, tirkeu_portal_client_submit_signature_async, "POST", path,
                          body, NULL, TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE,
                          map_request, cancellable, callback, user_data);
  set_asked (task, "request-id", request_id);
}

/**
 * tirkeu_portal_client_submit_signature_finish:
 *
 * Returns: (transfer full): the request, now awaiting_buyer (or further)
 */
TirkeuRequest *
tirkeu_portal_client_submit_signature_finish (TirkeuPortalClient  *self,
                                              GAsyncResult        *result,
                                              TirkeuPortalRequestInfo **info,
                                              GError             **error)
{
  return request_finish (self, result, tirkeu_portal_client_submit_signature_async, info, error);
}

/**
 * tirkeu_portal_client_get_request_async:
 * @request_id: the portal's id of the request
 *
 * GET /api/v1/requests/{id}: the request with its history.
 */
void
tirkeu_portal_client_get_request_async (TirkeuPortalClient  *self,
                                        const char          *request_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (request_id != NULL);

  path = request_path (request_id, "");
  task = operation_start (self, tirkeu_portal_client_get_request_async, "GET", path, NULL,
                          NULL, TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE,
                          map_request, cancellable, callback, user_data);
  set_asked (task, "request-id", request_id);
}

TirkeuRequest *
tirkeu_portal_client_get_request_finish (TirkeuPortalClient  *self,
                                         GAsyncResult        *result,
                                         TirkeuPortalRequestInfo **info,
                                         GError             **error)
{
  return request_finish (self, result, tirkeu_portal_client_get_request_async, info, error);
}

/**
 * tirkeu_portal_client_withdraw_async:
 * @request_id: the portal's id of the request
 *
 * POST /api/v1/requests/{id}/withdraw: allowed until the buyer approved; repeating it is
 * safe (contract).
 */
void
tirkeu_portal_client_withdraw_async (TirkeuPortalClient  *self,
                                     const char          *request_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (request_id != NULL);

  path = request_path (request_id, "/withdraw");
  task = operation_start (self, tirkeu_portal_client_withdraw_async, "POST", path, NULL,
                          NULL, TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE,
                          map_request, cancellable, callback, user_data);
  set_asked (task, "request-id", request_id);
}

TirkeuRequest *
tirkeu_portal_client_withdraw_finish (TirkeuPortalClient  *self,
                                      GAsyncResult        *result,
                                      TirkeuPortalRequestInfo **info,
                                      GError             **error)
{
  return request_finish (self, result, tirkeu_portal_client_withdraw_async, info, error);
}

/* changes */

static gpointer
map_changes (JsonNode *root, GTask *task, GError **error)
{
  TirkeuPortalChanges *changes = tirkeu_portal_json_to_changes (root, error);

  if (changes != NULL)
    g_task_return_pointer (task, changes, (GDestroyNotify) tirkeu_portal_changes_free);
  return changes;
}

/**
 * tirkeu_portal_client_get_changes_async:
 * @cursor: (nullable): the cursor of the last page, %NULL for everything
 *
 * GET /api/v1/changes: one page of the seller's requests that changed since @cursor, of the
 * portal's default size. An unknown cursor is %TIRKEU_PORTAL_CODE_VALIDATION_FAILED
 * (details.field "cursor"): sync again without one.
 */
void
tirkeu_portal_client_get_changes_async (TirkeuPortalClient  *self,
                                        const char          *cursor,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  tirkeu_portal_client_get_changes_page_async (self, cursor, 0, cancellable, callback,
                                               user_data);
}

/**
 * tirkeu_portal_client_get_changes_page_async:
 * @cursor: (nullable): the cursor of the last page, %NULL for everything
 * @limit: the most requests the page may hold, 1 to
 *   %TIRKEU_PORTAL_CHANGES_MAX_LIMIT; 0 for the portal's default
 *
 * As tirkeu_portal_client_get_changes_async(), with the contract's `limit`: a slow link
 * asks for smaller pages, so that each arrives within its deadline. Finish with
 * tirkeu_portal_client_get_changes_finish().
 */
void
tirkeu_portal_client_get_changes_page_async (TirkeuPortalClient  *self,
                                             const char          *cursor,
                                             guint                limit,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autofree char *path = NULL;
  g_autofree char *limit_text = NULL;
  g_autofree char *query = NULL;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (limit <= TIRKEU_PORTAL_CHANGES_MAX_LIMIT);

  if (limit > 0)
    limit_text = g_strdup_printf ("%u", limit);
  /* soup_form_encode() stops at the first NULL value: the cursor goes first when there is one */
  if (cursor != NULL)
    query = soup_form_encode ("cursor", cursor, limit_text != NULL ? "limit" : NULL, limit_text,
                              NULL);
  else if (limit_text != NULL)
    query = soup_form_encode ("limit", limit_text, NULL);

  if (query != NULL)
    path = g_strconcat ("/api/v1/changes?", query, NULL);
  else
    path = g_strdup ("/api/v1/changes");

  operation_start (self, tirkeu_portal_client_get_changes_async, "GET", path, NULL, NULL,
                   TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE, map_changes,
                   cancellable, callback, user_data);
}

TirkeuPortalChanges *
tirkeu_portal_client_get_changes_finish (TirkeuPortalClient  *self,
                                         GAsyncResult        *result,
                                         GError             **error)
{
  return operation_finish (self, result, tirkeu_portal_client_get_changes_async, error);
}
