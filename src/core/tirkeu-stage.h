/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TirkeuStage:
 *
 * Where a registration request stands, following the 19 steps of the pilot algorithm
 * (joint order No. 499 / No. 754 of 2025, appendix, chapter 1, point 4). The wire name of
 * each stage (tirkeu_stage_to_string()) is the status vocabulary of the portal API
 * contract, data/portal-api.yaml: never renumber or rename, only append.
 *
 * @TIRKEU_STAGE_DRAFT: the seller started a request (step 1 not yet passed)
 * @TIRKEU_STAGE_OKED_CHECKED: step 1, the seller's OKED qualifies
 * @TIRKEU_STAGE_EPASSPORT_CHECKED: steps 2-3, the e-passport was found by VIN
 * @TIRKEU_STAGE_CUSTOMS_CHECKED: step 4, customs payment confirmed
 * @TIRKEU_STAGE_UTILIZATION_CHECKED: step 5, utilization fee confirmed
 * @TIRKEU_STAGE_BUYER_CHECKED: steps 6-7, the buyer was found in GBD FL
 * @TIRKEU_STAGE_CONTRACT_FOUND: step 8, the sale-purchase contract was found
 * @TIRKEU_STAGE_SIGNED: step 9, the seller signed with the EDS (not yet accepted)
 * @TIRKEU_STAGE_SUBMITTED: the portal accepted the seller's signature
 * @TIRKEU_STAGE_AWAITING_BUYER: step 10, waiting for the buyer in the eGov account
 * @TIRKEU_STAGE_BUYER_APPROVED: step 10, the buyer approved the request
 * @TIRKEU_STAGE_BUYER_RECHECK: step 11, GBD FL re-check of the buyer
 * @TIRKEU_STAGE_EPASSPORT_RECHECK: step 12, e-passport re-check
 * @TIRKEU_STAGE_CONTRACT_RECHECK: step 13, contract re-check
 * @TIRKEU_STAGE_FINES_CHECK: step 14, ERAP check of unpaid fines
 * @TIRKEU_STAGE_FINES_UNPAID: step 14, unpaid fines: the buyer pays and resubmits
 * @TIRKEU_STAGE_TSON_CHOSEN: step 15, the buyer chose a TsON and plate type
 * @TIRKEU_STAGE_PHONE_CONFIRMED: step 16, phone number from BMG or typed by the buyer
 * @TIRKEU_STAGE_PAID: step 17, the buyer paid duties and fees
 * @TIRKEU_STAGE_BUYER_SIGNED: step 18, the buyer signed
 * @TIRKEU_STAGE_PROCESSING: step 19, the portal is processing (up to 120 minutes)
 * @TIRKEU_STAGE_COMPLETED: step 19, registered: documents and plates at the chosen TsON
 * @TIRKEU_STAGE_REFUSED: step 19 (or a re-check), reasoned refusal
 * @TIRKEU_STAGE_DECLINED: the buyer declined the request
 * @TIRKEU_STAGE_EXPIRED: the buyer did not act in time
 * @TIRKEU_STAGE_WITHDRAWN: the seller withdrew the request before the buyer approved
 */
typedef enum
{
  TIRKEU_STAGE_DRAFT,
  TIRKEU_STAGE_OKED_CHECKED,
  TIRKEU_STAGE_EPASSPORT_CHECKED,
  TIRKEU_STAGE_CUSTOMS_CHECKED,
  TIRKEU_STAGE_UTILIZATION_CHECKED,
  TIRKEU_STAGE_BUYER_CHECKED,
  TIRKEU_STAGE_CONTRACT_FOUND,
  TIRKEU_STAGE_SIGNED,
  TIRKEU_STAGE_SUBMITTED,
  TIRKEU_STAGE_AWAITING_BUYER,
  TIRKEU_STAGE_BUYER_APPROVED,
  TIRKEU_STAGE_BUYER_RECHECK,
  TIRKEU_STAGE_EPASSPORT_RECHECK,
  TIRKEU_STAGE_CONTRACT_RECHECK,
  TIRKEU_STAGE_FINES_CHECK,
  TIRKEU_STAGE_FINES_UNPAID,
  TIRKEU_STAGE_TSON_CHOSEN,
  TIRKEU_STAGE_PHONE_CONFIRMED,
  TIRKEU_STAGE_PAID,
  TIRKEU_STAGE_BUYER_SIGNED,
  TIRKEU_STAGE_PROCESSING,
  TIRKEU_STAGE_COMPLETED,
  TIRKEU_STAGE_REFUSED,
  TIRKEU_STAGE_DECLINED,
  TIRKEU_STAGE_EXPIRED,
  TIRKEU_STAGE_WITHDRAWN,
} TirkeuStage;

#define TIRKEU_N_STAGES (TIRKEU_STAGE_WITHDRAWN + 1)

/* The pilot algorithm has 19 steps (joint order No. 499 / No. 754, appendix, point 4). */
#define TIRKEU_STAGE_N_STEPS 19

/**
 * TirkeuActor:
 * @TIRKEU_ACTOR_SELLER: the seller (our user) acts next
 * @TIRKEU_ACTOR_BUYER: the buyer acts next, in the eGov personal account
 * @TIRKEU_ACTOR_PORTAL: the portal and its information systems act next
 * @TIRKEU_ACTOR_NONE: nobody: the stage is final
 */
typedef enum
{
  TIRKEU_ACTOR_SELLER,
  TIRKEU_ACTOR_BUYER,
  TIRKEU_ACTOR_PORTAL,
  TIRKEU_ACTOR_NONE,
} TirkeuActor;

const char  *tirkeu_stage_to_string          (TirkeuStage  stage);
gboolean     tirkeu_stage_from_string        (const char  *name,
                                              TirkeuStage *stage);
guint        tirkeu_stage_get_step           (TirkeuStage  stage);
gboolean     tirkeu_stage_is_final           (TirkeuStage  stage);
TirkeuActor  tirkeu_stage_get_actor          (TirkeuStage  stage);
gboolean     tirkeu_stage_seller_must_act    (TirkeuStage  stage);
gboolean     tirkeu_stage_can_transition     (TirkeuStage  from,
                                              TirkeuStage  to);
gboolean     tirkeu_stage_check_transition   (TirkeuStage  from,
                                              TirkeuStage  to,
                                              GError     **error);
gboolean     tirkeu_stage_is_reachable       (TirkeuStage  from,
                                              TirkeuStage  to);
TirkeuActor  tirkeu_stage_get_entering_actor (TirkeuStage  stage);

/**
 * TirkeuStageCategory:
 * @TIRKEU_STAGE_CATEGORY_NEEDS_ACTION: the seller acts next (signs a created request)
 * @TIRKEU_STAGE_CATEGORY_AWAITING_BUYER: the buyer acts next
 * @TIRKEU_STAGE_CATEGORY_IN_PROGRESS: the portal acts next
 * @TIRKEU_STAGE_CATEGORY_COMPLETED: registered
 * @TIRKEU_STAGE_CATEGORY_CLOSED: ended otherwise (refused, declined, expired, withdrawn)
 *
 * Where a request in a stage is listed on the desk and in the CLI.
 */
typedef enum
{
  TIRKEU_STAGE_CATEGORY_NEEDS_ACTION,
  TIRKEU_STAGE_CATEGORY_AWAITING_BUYER,
  TIRKEU_STAGE_CATEGORY_IN_PROGRESS,
  TIRKEU_STAGE_CATEGORY_COMPLETED,
  TIRKEU_STAGE_CATEGORY_CLOSED,
} TirkeuStageCategory;

gboolean            tirkeu_stage_seller_may_withdraw (TirkeuStage stage);
gboolean            tirkeu_stage_awaits_signature    (TirkeuStage stage);
gboolean            tirkeu_stage_needs_attention     (TirkeuStage stage);
TirkeuStageCategory tirkeu_stage_get_category        (TirkeuStage stage);

G_END_DECLS
