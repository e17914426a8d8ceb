/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tirkeu-portal-types.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_PORTAL_CLIENT (tirkeu_portal_client_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuPortalClient, tirkeu_portal_client, TIRKEU, PORTAL_CLIENT, GObject)

/**
 * TirkeuPortalSignFunc:
 * @client: the client that needs a signature
 * @challenge: the exact bytes to sign (the portal's sign-in challenge)
 * @cancellable: (nullable): cancels the signature
 * @callback: call it when the signature is ready (or failed)
 * @callback_data: pass it to @callback
 * @user_data: the data given to tirkeu_portal_client_set_sign_func()
 *
 * Makes, asynchronously, the detached CMS signature of @challenge with the AUTH key: the
 * token layer plugs in here. The matching #TirkeuPortalSignFinishFunc gets the result.
 */
typedef void    (*TirkeuPortalSignFunc)       (TirkeuPortalClient   *client,
                                               GBytes               *challenge,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              callback_data,
                                               gpointer              user_data);

/**
 * TirkeuPortalSignFinishFunc:
 * @client: the client
 * @result: the result handed to the callback
 * @error: return location for an error (a token error is handed on as is)
 * @user_data: the data given to tirkeu_portal_client_set_sign_func()
 *
 * Returns: (transfer full): the DER CMS signature, or %NULL with @error set
 */
typedef GBytes *(*TirkeuPortalSignFinishFunc) (TirkeuPortalClient   *client,
                                               GAsyncResult         *result,
                                               GError              **error,
                                               gpointer              user_data);


gboolean            tirkeu_portal_client_check_url (const char  *url,
                                                    GError     **error);
TirkeuPortalClient *tirkeu_portal_client_new          (const char               *base_url,
                                                       const char               *ca_file,
                                                       GError                  **error);
const char         *tirkeu_portal_client_get_base_url (TirkeuPortalClient       *self);
const char         *tirkeu_portal_client_get_ca_file  (TirkeuPortalClient       *self);
gboolean            tirkeu_portal_client_get_is_sandbox (TirkeuPortalClient     *self);
gboolean            tirkeu_portal_client_get_signed_in (TirkeuPortalClient      *self);
GDateTime          *tirkeu_portal_client_get_session_expires_at (TirkeuPortalClient *self);
guint               tirkeu_portal_client_get_timeout_ms (TirkeuPortalClient     *self);
void                tirkeu_portal_client_set_timeout_ms (TirkeuPortalClient     *self,
                                                         guint                   timeout_ms);
guint               tirkeu_portal_client_get_max_attempts (TirkeuPortalClient   *self);
void                tirkeu_portal_client_set_max_attempts (TirkeuPortalClient   *self,
                                                           guint                 max_attempts);
guint               tirkeu_portal_client_get_retry_base_ms (TirkeuPortalClient  *self);
void                tirkeu_portal_client_set_retry_base_ms (TirkeuPortalClient  *self,
                                                            guint                retry_base_ms);
gsize               tirkeu_portal_client_get_max_answer_size (TirkeuPortalClient *self);
void                tirkeu_portal_client_set_max_answer_size (TirkeuPortalClient *self,
                                                              gsize              max_answer_size);
void                tirkeu_portal_client_set_sign_func (TirkeuPortalClient        *self,
                                                        TirkeuPortalSignFunc       sign_func,
                                                        TirkeuPortalSignFinishFunc sign_finish_func,
                                                        gpointer                   user_data,
                                                        GDestroyNotify             destroy);
void                tirkeu_portal_client_sign_out     (TirkeuPortalClient       *self);
char               *tirkeu_portal_client_dup_session_token (TirkeuPortalClient *self);
void                tirkeu_portal_client_restore_session  (TirkeuPortalClient   *self,
                                                          const char           *token,
                                                          GDateTime            *expires_at);

void                tirkeu_portal_client_get_about_async        (TirkeuPortalClient   *self,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
TirkeuPortalAbout  *tirkeu_portal_client_get_about_finish       (TirkeuPortalClient   *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);
void                tirkeu_portal_client_sign_in_async          (TirkeuPortalClient   *self,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
TirkeuPortalSeller *tirkeu_portal_client_sign_in_finish         (TirkeuPortalClient   *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);
void                tirkeu_portal_client_get_seller_async       (TirkeuPortalClient   *self,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
TirkeuPortalSeller *tirkeu_portal_client_get_seller_finish      (TirkeuPortalClient   *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);
void                tirkeu_portal_client_check_vehicle_async    (TirkeuPortalClient   *self,
                                                                 const char           *vin,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
TirkeuPortalVehicleCheck *tirkeu_portal_client_check_vehicle_finish (TirkeuPortalClient *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);
void                tirkeu_portal_client_check_person_async     (TirkeuPortalClient   *self,
                                                                 const char           *iin,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
TirkeuPortalPerson *tirkeu_portal_client_check_person_finish    (TirkeuPortalClient   *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);
void                tirkeu_portal_client_find_contracts_async   (TirkeuPortalClient   *self,
                                                                 const char           *vin,
                                                                 const char           *buyer_iin,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
GPtrArray          *tirkeu_portal_client_find_contracts_finish  (TirkeuPortalClient   *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);
void                tirkeu_portal_client_create_request_async   (TirkeuPortalClient   *self,
                                                                 const char           *idempotency_key,
                                                                 const char           *vin,
                                                                 const char           *buyer_iin,
                                                                 const char           *contract_number,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
TirkeuRequest      *tirkeu_portal_client_create_request_finish  (TirkeuPortalClient   *self,
                                                                 GAsyncResult         *result,
                                                                 TirkeuPortalRequestInfo **info,
                                                                 GError              **error);
void                tirkeu_portal_client_submit_signature_async (TirkeuPortalClient   *self,
                                                                 const char           *request_id,
                                                                 GBytes               *signature,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
TirkeuRequest      *tirkeu_portal_client_submit_signature_finish (TirkeuPortalClient  *self,
                                                                 GAsyncResult         *result,
                                                                 TirkeuPortalRequestInfo **info,
                                                                 GError              **error);
void                tirkeu_portal_client_get_request_async      (TirkeuPortalClient   *self,
                                                                 const char           *request_id,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
TirkeuRequest      *tirkeu_portal_client_get_request_finish     (TirkeuPortalClient   *self,
                                                                 GAsyncResult         *result,
                                                                 TirkeuPortalRequestInfo **info,
                                                                 GError              **error);
void                tirkeu_portal_client_get_changes_async      (TirkeuPortalClient   *self,
                                                                 const char           *cursor,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
/* The contract's largest /changes page (its `limit`, 1-200). */
#define TIRKEU_PORTAL_CHANGES_MAX_LIMIT 200
void                tirkeu_portal_client_get_changes_page_async (TirkeuPortalClient   *self,
                                                                 const char           *cursor,
                                                                 guint                 limit,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
TirkeuPortalChanges *tirkeu_portal_client_get_changes_finish    (TirkeuPortalClient   *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);
void                tirkeu_portal_client_withdraw_async         (TirkeuPortalClient   *self,
                                                                 const char           *request_id,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
TirkeuRequest      *tirkeu_portal_client_withdraw_finish        (TirkeuPortalClient   *self,
                                                                 GAsyncResult         *result,
                                                                 TirkeuPortalRequestInfo **info,
                                                                 GError              **error);

/* The certification authority's services (tirkeu-portal-pki.c) */
/**
 * TirkeuPortalPkiService:
 * @TIRKEU_PORTAL_PKI_OCSP: the OCSP responder (RFC 6960)
 * @TIRKEU_PORTAL_PKI_TSA: the timestamp authority (RFC 3161)
 */
typedef enum
{
  TIRKEU_PORTAL_PKI_OCSP,
  TIRKEU_PORTAL_PKI_TSA,
} TirkeuPortalPkiService;

void                tirkeu_portal_client_post_pki_async         (TirkeuPortalClient   *self,
                                                                 TirkeuPortalPkiService service,
                                                                 const char           *url,
                                                                 GBytes               *query,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
GBytes             *tirkeu_portal_client_post_pki_finish        (TirkeuPortalClient   *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);
void                tirkeu_portal_client_get_ca_certificate_async (TirkeuPortalClient *self,
                                                                 const char           *url,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
GBytes             *tirkeu_portal_client_get_ca_certificate_finish (TirkeuPortalClient *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);

G_END_DECLS
