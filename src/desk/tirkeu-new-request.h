/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tirkeu-certificate-check.h"
#include "tirkeu-draft.h"
#include "tirkeu-session.h"

G_BEGIN_DECLS

/**
 * TirkeuNewRequestState:
 * @TIRKEU_NEW_REQUEST_STATE_EDITING: the values are typed and checked; nothing is signed
 * @TIRKEU_NEW_REQUEST_STATE_CREATING: the draft is saved with its key, then the portal creates
 *   the request
 * @TIRKEU_NEW_REQUEST_STATE_AWAITING_PIN: the request is created; the signing PIN is asked
 *   (#TirkeuNewRequest::pin-needed)
 * @TIRKEU_NEW_REQUEST_STATE_SIGNING: the token signs the portal's signing payload
 * @TIRKEU_NEW_REQUEST_STATE_SENDING: the signed request is in the outbox, being submitted
 * @TIRKEU_NEW_REQUEST_STATE_QUEUED: signed and kept in the outbox: the portal could not be
 *   reached; the outbox sends it by itself
 * @TIRKEU_NEW_REQUEST_STATE_SENT: the portal confirmed the signed request
 * @TIRKEU_NEW_REQUEST_STATE_WITHDRAWN: the seller withdrew the created request
 */
typedef enum
{
  TIRKEU_NEW_REQUEST_STATE_EDITING,
  TIRKEU_NEW_REQUEST_STATE_CREATING,
  TIRKEU_NEW_REQUEST_STATE_AWAITING_PIN,
  TIRKEU_NEW_REQUEST_STATE_SIGNING,
  TIRKEU_NEW_REQUEST_STATE_SENDING,
  TIRKEU_NEW_REQUEST_STATE_QUEUED,
  TIRKEU_NEW_REQUEST_STATE_SENT,
  TIRKEU_NEW_REQUEST_STATE_WITHDRAWN,
} TirkeuNewRequestState;

#define TIRKEU_TYPE_NEW_REQUEST_STATE (tirkeu_new_request_state_get_type ())
GType tirkeu_new_request_state_get_type (void) G_GNUC_CONST;

#define TIRKEU_TYPE_NEW_REQUEST (tirkeu_new_request_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuNewRequest, tirkeu_new_request, TIRKEU, NEW_REQUEST, GObject)

TirkeuNewRequest        *tirkeu_new_request_new                (TirkeuSession       *session,
                                                                const TirkeuDraft   *draft);
TirkeuSession           *tirkeu_new_request_get_session        (TirkeuNewRequest    *self);
const TirkeuDraft       *tirkeu_new_request_get_draft          (TirkeuNewRequest    *self);
TirkeuNewRequestState    tirkeu_new_request_get_state          (TirkeuNewRequest    *self);
gboolean                 tirkeu_new_request_get_busy           (TirkeuNewRequest    *self);
gboolean                 tirkeu_new_request_get_can_sign       (TirkeuNewRequest    *self);
const GError            *tirkeu_new_request_get_journal_error  (TirkeuNewRequest    *self);
TirkeuRequest           *tirkeu_new_request_get_request        (TirkeuNewRequest    *self);
gboolean                 tirkeu_new_request_get_draft_worth_keeping (TirkeuNewRequest *self);

/* What was typed, and the checks that start as soon as a value is valid */
void                     tirkeu_new_request_set_vin            (TirkeuNewRequest    *self,
                                                                const char          *vin);
void                     tirkeu_new_request_set_buyer_iin      (TirkeuNewRequest    *self,
                                                                const char          *buyer_iin);
void                     tirkeu_new_request_set_contract_number (TirkeuNewRequest   *self,
                                                                const char          *contract_number);
const char              *tirkeu_new_request_get_checked_vin    (TirkeuNewRequest    *self);
const char              *tirkeu_new_request_get_checked_iin    (TirkeuNewRequest    *self);
const TirkeuPortalVehicleCheck *tirkeu_new_request_get_vehicle_check (TirkeuNewRequest *self);
const GError            *tirkeu_new_request_get_vehicle_error  (TirkeuNewRequest    *self);
gboolean                 tirkeu_new_request_get_vehicle_passed (TirkeuNewRequest    *self);
const TirkeuPortalPerson *tirkeu_new_request_get_person        (TirkeuNewRequest    *self);
const GError            *tirkeu_new_request_get_buyer_error    (TirkeuNewRequest    *self);
gboolean                 tirkeu_new_request_get_buyer_passed   (TirkeuNewRequest    *self);
GPtrArray               *tirkeu_new_request_get_contracts      (TirkeuNewRequest    *self);
const GError            *tirkeu_new_request_get_contracts_error (TirkeuNewRequest   *self);
const TirkeuPortalContract *tirkeu_new_request_get_contract    (TirkeuNewRequest    *self);
gboolean                 tirkeu_new_request_get_checking       (TirkeuNewRequest    *self);
gboolean                 tirkeu_new_request_get_vehicle_checking (TirkeuNewRequest  *self);
gboolean                 tirkeu_new_request_get_buyer_checking (TirkeuNewRequest    *self);
gboolean                 tirkeu_new_request_get_contracts_checking (TirkeuNewRequest *self);

/* Create, ask the PIN, sign, submit */
void                     tirkeu_new_request_send_async         (TirkeuNewRequest    *self,
                                                                TirkeuCertificate   *certificate,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
gboolean                 tirkeu_new_request_send_finish        (TirkeuNewRequest    *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);
void                     tirkeu_new_request_give_pin           (TirkeuNewRequest    *self,
                                                                const char          *pin);
void                     tirkeu_new_request_cancel_pin         (TirkeuNewRequest    *self);

/* The certificate check before signing and the timestamp after it */
void                     tirkeu_new_request_set_config         (TirkeuNewRequest    *self,
                                                                TirkeuConfig        *config);
const char              *tirkeu_new_request_get_notice         (TirkeuNewRequest    *self);
TirkeuCertificateCheckStatus tirkeu_new_request_get_certificate_status (TirkeuNewRequest *self,
                                                                gboolean            *checked);
gboolean                 tirkeu_new_request_get_timestamped    (TirkeuNewRequest    *self);

/* A created request the seller gives up */
void                     tirkeu_new_request_withdraw_async     (TirkeuNewRequest    *self,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
gboolean                 tirkeu_new_request_withdraw_finish    (TirkeuNewRequest    *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);

/* The unfinished drafts of a journal */
void                     tirkeu_new_request_list_drafts_async  (TirkeuJournal       *journal,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
GPtrArray               *tirkeu_new_request_list_drafts_finish (GAsyncResult        *result,
                                                                GError             **error);
void                     tirkeu_new_request_load_draft_async   (TirkeuJournal       *journal,
                                                                const char          *draft_id,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
TirkeuDraft             *tirkeu_new_request_load_draft_finish  (GAsyncResult        *result,
                                                                GError             **error);

G_END_DECLS
