/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tirkeu-contract.h"
#include "tirkeu-portal-code.h"
#include "tirkeu-request.h"
#include "tirkeu-vehicle.h"

G_BEGIN_DECLS

/* What the portal answers, as plain data: the contract's schemas the core has no object for. */

/**
 * TirkeuPortalText:
 * @kk: the portal's wording in Kazakh
 * @ru: in Russian
 * @en: in English
 *
 * A text the portal gives in the three languages (the contract's LocalizedText).
 */
typedef struct
{
  char *kk;
  char *ru;
  char *en;
} TirkeuPortalText;

/**
 * TirkeuPortalAbout:
 * @environment: "sandbox" or "production"
 * @sandbox: %TRUE for a training portal (tirkeu-sandbox): show "Training portal"
 * @api_version: the contract version the portal speaks, e.g. "1.0.0"
 * @portal_name: the portal's name, empty texts when it gave none
 */
typedef struct
{
  char             *environment;
  gboolean          sandbox;
  char             *api_version;
  TirkeuPortalText  portal_name;
} TirkeuPortalAbout;

/**
 * TirkeuPortalSeller:
 * @bin: the seller's BIN
 * @name: the seller's registered name
 * @oked: (array zero-terminated=1): the seller's OKED codes as registered
 * @oked_qualifies: step 1: %TRUE if the seller may start a request (the portal decides)
 * @oked_matched_code: (nullable): the vehicle trade code that qualifies, e.g. "45.11"
 */
typedef struct
{
  char      *bin;
  char      *name;
  char     **oked;
  gboolean   oked_qualifies;
  char      *oked_matched_code;
} TirkeuPortalSeller;

/**
 * TirkeuPortalPayment:
 * @TIRKEU_PORTAL_PAYMENT_PAID: paid: the step passes
 * @TIRKEU_PORTAL_PAYMENT_UNPAID: unpaid: the step stops the request
 * @TIRKEU_PORTAL_PAYMENT_NO_DATA: no payment data: the step stops the request
 */
typedef enum
{
  TIRKEU_PORTAL_PAYMENT_PAID,
  TIRKEU_PORTAL_PAYMENT_UNPAID,
  TIRKEU_PORTAL_PAYMENT_NO_DATA,
} TirkeuPortalPayment;

/**
 * TirkeuPortalVehicleCheck:
 * @vin: the VIN as the portal normalized it
 * @epassport_found: step 3: %TRUE if the e-passport exists
 * @vehicle: (nullable): the e-passport data, %NULL when not found. `engine_model` holds the
 *   contract's engine summary ("2.5 l petrol, 150 kW")
 * @epassport_issued_on: when the e-passport was issued; invalid (g_date_valid()) if not given
 * @customs: step 4
 * @customs_declaration: (nullable): the customs declaration number
 * @customs_paid_on: invalid if not given
 * @utilization: step 5
 * @utilization_payment: (nullable): the utilization fee payment number
 * @utilization_paid_on: invalid if not given
 * @stopped_at_step: the first of steps 3-5 that stops the request, 0 when all pass
 * @stopped_code: its code (%TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND, ...), meaningless when
 *   @stopped_at_step is 0
 * @stopped_message: the portal's message about it
 */
typedef struct
{
  char                *vin;
  gboolean             epassport_found;
  TirkeuVehicle       *vehicle;
  GDate                epassport_issued_on;
  TirkeuPortalPayment  customs;
  char                *customs_declaration;
  GDate                customs_paid_on;
  TirkeuPortalPayment  utilization;
  char                *utilization_payment;
  GDate                utilization_paid_on;
  guint                stopped_at_step;
  TirkeuPortalCode     stopped_code;
  TirkeuPortalText     stopped_message;
} TirkeuPortalVehicleCheck;

/**
 * TirkeuPortalPersonStatus:
 * @TIRKEU_PORTAL_PERSON_ACTIVE: may buy
 * @TIRKEU_PORTAL_PERSON_DECEASED: GBD FL records the person as deceased
 * @TIRKEU_PORTAL_PERSON_INVALIDATED: the IIN was invalidated
 */
typedef enum
{
  TIRKEU_PORTAL_PERSON_ACTIVE,
  TIRKEU_PORTAL_PERSON_DECEASED,
  TIRKEU_PORTAL_PERSON_INVALIDATED,
} TirkeuPortalPersonStatus;

const char *tirkeu_portal_payment_to_string       (TirkeuPortalPayment      payment);
const char *tirkeu_portal_person_status_to_string (TirkeuPortalPersonStatus status);

/**
 * TirkeuPortalPerson:
 * @iin: the IIN (never log it whole)
 * @status: the GBD FL status; only %TIRKEU_PORTAL_PERSON_ACTIVE may buy
 * @full_name: SURNAME NAME PATRONYMIC as in GBD FL
 */
typedef struct
{
  char                     *iin;
  TirkeuPortalPersonStatus  status;
  char                     *full_name;
} TirkeuPortalPerson;

/**
 * TirkeuPortalContract:
 * @contract: number, date and price
 * @currency: ISO 4217, e.g. "KZT"
 * @seller_bin: the seller party
 * @seller_name: its name
 * @buyer_iin: the buyer party (never log it whole)
 * @buyer_name: the buyer's full name
 *
 * One contract of step 8 with its parties.
 */
typedef struct
{
  TirkeuContract *contract;
  char           *currency;
  char           *seller_bin;
  char           *seller_name;
  char           *buyer_iin;
  char           *buyer_name;
} TirkeuPortalContract;

/**
 * TirkeuPortalHistoryEntry:
 * @stage: the stage the request entered
 * @at: when
 * @message: the portal's note, in the three languages
 */
typedef struct
{
  TirkeuStage       stage;
  GDateTime        *at;
  TirkeuPortalText  message;
} TirkeuPortalHistoryEntry;

/**
 * TirkeuPortalRequestInfo:
 * @id: the portal's id of the request
 * @revision: grows on every change of the request: a smaller one is a stale copy
 * @created_at: when the portal created the request
 * @updated_at: its last change
 * @signing_payload: the exact bytes the seller signs at step 9
 * @history: (element-type TirkeuPortalHistoryEntry): every stage, oldest first, with the
 *   messages in all three languages (as #TirkeuRequest's history does); stages this build
 *   does not know are left out
 * @refusal_step: the step that refused (0 when not refused)
 * @refusal_reason: the reason of the refusal in the three languages
 * @idempotency_key: (nullable): the Idempotency-Key the request was created with, as the
 *   portal sent it (contract 1.1.0); %NULL when the portal left it out (an older portal, or
 *   a request it holds no key for). The #TirkeuRequest carries it only when it is a UUID,
 *   the only kind the core keeps.
 * @unknown_stage: (nullable): the portal's name of the request's stage when this build does
 *   not know it (a newer portal); the #TirkeuRequest then holds the last stage of its
 *   history this build knows. %NULL for a known stage.
 *
 * What the portal says about a request beyond the core's #TirkeuRequest: for the journal
 * (the `created`, `updated` and `history` of its records) and for stale-copy checks.
 */
typedef struct
{
  char             *id;
  gint64            revision;
  GDateTime        *created_at;
  GDateTime        *updated_at;
  GBytes           *signing_payload;
  GPtrArray        *history;
  guint             refusal_step;
  TirkeuPortalText  refusal_reason;
  char             *idempotency_key;
  char             *unknown_stage;
} TirkeuPortalRequestInfo;

/**
 * TirkeuPortalChanges:
 * @requests: (element-type TirkeuRequest): the requests that changed since the cursor, in
 *   their current state, ordered by their last change
 * @infos: (element-type TirkeuPortalRequestInfo): the portal's details of each of
 *   @requests (same index)
 * @cursor: the cursor to store and pass next time
 * @has_more: %TRUE if the portal has more changes: ask again at once with @cursor
 */
typedef struct
{
  GPtrArray *requests;
  GPtrArray *infos;
  char      *cursor;
  gboolean   has_more;
} TirkeuPortalChanges;

#define TIRKEU_TYPE_PORTAL_ABOUT         (tirkeu_portal_about_get_type ())
#define TIRKEU_TYPE_PORTAL_SELLER        (tirkeu_portal_seller_get_type ())
#define TIRKEU_TYPE_PORTAL_VEHICLE_CHECK (tirkeu_portal_vehicle_check_get_type ())
#define TIRKEU_TYPE_PORTAL_PERSON        (tirkeu_portal_person_get_type ())
#define TIRKEU_TYPE_PORTAL_CONTRACT      (tirkeu_portal_contract_get_type ())
#define TIRKEU_TYPE_PORTAL_HISTORY_ENTRY (tirkeu_portal_history_entry_get_type ())
#define TIRKEU_TYPE_PORTAL_REQUEST_INFO  (tirkeu_portal_request_info_get_type ())
#define TIRKEU_TYPE_PORTAL_CHANGES       (tirkeu_portal_changes_get_type ())

void                tirkeu_portal_text_clear          (TirkeuPortalText         *text);
void                tirkeu_portal_text_copy           (const TirkeuPortalText   *text,
                                                       TirkeuPortalText         *copy);
const char         *tirkeu_portal_text_get            (const TirkeuPortalText   *text,
                                                       const char               *language);

GType                     tirkeu_portal_about_get_type         (void) G_GNUC_CONST;
TirkeuPortalAbout        *tirkeu_portal_about_copy             (const TirkeuPortalAbout        *about);
void                      tirkeu_portal_about_free             (TirkeuPortalAbout              *about);
GType                     tirkeu_portal_seller_get_type        (void) G_GNUC_CONST;
TirkeuPortalSeller       *tirkeu_portal_seller_copy            (const TirkeuPortalSeller       *seller);
void                      tirkeu_portal_seller_free            (TirkeuPortalSeller             *seller);
GType                     tirkeu_portal_vehicle_check_get_type (void) G_GNUC_CONST;
TirkeuPortalVehicleCheck *tirkeu_portal_vehicle_check_copy     (const TirkeuPortalVehicleCheck *check);
void                      tirkeu_portal_vehicle_check_free     (TirkeuPortalVehicleCheck       *check);
GType                     tirkeu_portal_person_get_type        (void) G_GNUC_CONST;
TirkeuPortalPerson       *tirkeu_portal_person_copy            (const TirkeuPortalPerson       *person);
void                      tirkeu_portal_person_free            (TirkeuPortalPerson             *person);
GType                     tirkeu_portal_contract_get_type      (void) G_GNUC_CONST;
TirkeuPortalContract     *tirkeu_portal_contract_copy          (const TirkeuPortalContract     *contract);
void                      tirkeu_portal_contract_free          (TirkeuPortalContract           *contract);
GType                     tirkeu_portal_history_entry_get_type (void) G_GNUC_CONST;
TirkeuPortalHistoryEntry *tirkeu_portal_history_entry_copy     (const TirkeuPortalHistoryEntry *entry);
void                      tirkeu_portal_history_entry_free     (TirkeuPortalHistoryEntry       *entry);
GType                     tirkeu_portal_request_info_get_type  (void) G_GNUC_CONST;
TirkeuPortalRequestInfo  *tirkeu_portal_request_info_copy      (const TirkeuPortalRequestInfo  *info);
void                      tirkeu_portal_request_info_free      (TirkeuPortalRequestInfo        *info);
GType                     tirkeu_portal_changes_get_type       (void) G_GNUC_CONST;
TirkeuPortalChanges      *tirkeu_portal_changes_copy           (const TirkeuPortalChanges      *changes);
void                      tirkeu_portal_changes_free           (TirkeuPortalChanges            *changes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuPortalAbout, tirkeu_portal_about_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuPortalSeller, tirkeu_portal_seller_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuPortalVehicleCheck, tirkeu_portal_vehicle_check_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuPortalPerson, tirkeu_portal_person_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuPortalContract, tirkeu_portal_contract_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuPortalHistoryEntry, tirkeu_portal_history_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuPortalRequestInfo, tirkeu_portal_request_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuPortalChanges, tirkeu_portal_changes_free)

G_END_DECLS
