/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-stage.h"

static const struct {
  const char *wire_name;
  guint step;          /* step of the pilot algorithm, 0 for the draft */
  TirkeuActor actor;   /* who acts next while the request is in this stage */
} stages[TIRKEU_N_STAGES] = {
  [TIRKEU_STAGE_DRAFT]               = { "draft", 0, TIRKEU_ACTOR_SELLER },
  [TIRKEU_STAGE_OKED_CHECKED]        = { "oked_checked", 1, TIRKEU_ACTOR_SELLER },
  [TIRKEU_STAGE_EPASSPORT_CHECKED]   = { "epassport_checked", 3, TIRKEU_ACTOR_PORTAL },
  [TIRKEU_STAGE_CUSTOMS_CHECKED]     = { "customs_checked", 4, TIRKEU_ACTOR_PORTAL },
  [TIRKEU_STAGE_UTILIZATION_CHECKED] = { "utilization_checked", 5, TIRKEU_ACTOR_SELLER },
  [TIRKEU_STAGE_BUYER_CHECKED]       = { "buyer_checked", 7, TIRKEU_ACTOR_PORTAL },
  [TIRKEU_STAGE_CONTRACT_FOUND]      = { "contract_found", 8, TIRKEU_ACTOR_SELLER },
  [TIRKEU_STAGE_SIGNED]              = { "signed", 9, TIRKEU_ACTOR_SELLER },
  [TIRKEU_STAGE_SUBMITTED]           = { "submitted", 9, TIRKEU_ACTOR_PORTAL },
  [TIRKEU_STAGE_AWAITING_BUYER]      = { "awaiting_buyer", 10, TIRKEU_ACTOR_BUYER },
  [TIRKEU_STAGE_BUYER_APPROVED]      = { "buyer_approved", 10, TIRKEU_ACTOR_PORTAL },
  [TIRKEU_STAGE_BUYER_RECHECK]       = { "buyer_recheck", 11, TIRKEU_ACTOR_PORTAL },
  [TIRKEU_STAGE_EPASSPORT_RECHECK]   = { "epassport_recheck", 12, TIRKEU_ACTOR_PORTAL },
  [TIRKEU_STAGE_CONTRACT_RECHECK]    = { "contract_recheck", 13, TIRKEU_ACTOR_PORTAL },
  [TIRKEU_STAGE_FINES_CHECK]         = { "fines_check", 14, TIRKEU_ACTOR_PORTAL },
  [TIRKEU_STAGE_FINES_UNPAID]        = { "fines_unpaid", 14, TIRKEU_ACTOR_BUYER },
  [TIRKEU_STAGE_TSON_CHOSEN]         = { "tson_chosen", 15, TIRKEU_ACTOR_BUYER },
  [TIRKEU_STAGE_PHONE_CONFIRMED]     = { "phone_confirmed", 16, TIRKEU_ACTOR_BUYER },
  [TIRKEU_STAGE_PAID]                = { "paid", 17, TIRKEU_ACTOR_BUYER },
  [TIRKEU_STAGE_BUYER_SIGNED]        = { "buyer_signed", 18, TIRKEU_ACTOR_PORTAL },
  [TIRKEU_STAGE_PROCESSING]          = { "processing", 19, TIRKEU_ACTOR_PORTAL },
  [TIRKEU_STAGE_COMPLETED]           = { "completed", 19, TIRKEU_ACTOR_NONE },
  [TIRKEU_STAGE_REFUSED]             = { "refused", 19, TIRKEU_ACTOR_NONE },
  [TIRKEU_STAGE_DECLINED]            = { "declined", 10, TIRKEU_ACTOR_NONE },
  [TIRKEU_STAGE_EXPIRED]             = { "expired", 0, TIRKEU_ACTOR_NONE },
  [TIRKEU_STAGE_WITHDRAWN]           = { "withdrawn", 0, TIRKEU_ACTOR_NONE },
};

/**
 * tirkeu_stage_to_string:
 * @stage: a #TirkeuStage
 *
 * Returns: (transfer none): the wire name of @stage, e.g. `"awaiting_buyer"`
 */
const char *
tirkeu_stage_to_string (TirkeuStage stage)
{
  g_return_val_if_fail (stage < TIRKEU_N_STAGES, NULL);

  return stages[stage].wire_name;
}

/**
 * tirkeu_stage_from_string:
 * @name: (nullable): a wire name
 * @stage: (out): the stage
 *
 * Returns: %TRUE if @name is a stage of this build's vocabulary
 */
gboolean
tirkeu_stage_from_string (const char  *name,
                          TirkeuStage *stage)
{
  g_return_val_if_fail (stage != NULL, FALSE);

  if (name == NULL)
    return FALSE;

  for (guint i = 0; i < TIRKEU_N_STAGES; i++)
    {
      if (g_str_equal (stages[i].wire_name, name))
        {
          *stage = (TirkeuStage) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * tirkeu_stage_get_step:
 * @stage: a #TirkeuStage
 *
 * Returns: the step of the pilot algorithm (1-19) that @stage records, or 0 when the stage
 *   belongs to no single step (the draft, expiry, withdrawal)
 */
guint
tirkeu_stage_get_step (TirkeuStage stage)
{
  g_return_val_if_fail (stage < TIRKEU_N_STAGES, 0);

  return stages[stage].step;
}

/**
 * tirkeu_stage_get_actor:
 * @stage: a #TirkeuStage
 *
 * Returns: who acts next while a request is in @stage
 */
TirkeuActor
tirkeu_stage_get_actor (TirkeuStage stage)
{
  g_return_val_if_fail (stage < TIRKEU_N_STAGES, TIRKEU_ACTOR_NONE);

  return stages[stage].actor;
}

/**
 * tirkeu_stage_is_final:
 * @stage: a #TirkeuStage
 *
 * Returns: %TRUE if no transition leaves @stage
 */
gboolean
tirkeu_stage_is_final (TirkeuStage stage)
{
  return tirkeu_stage_get_actor (stage) == TIRKEU_ACTOR_NONE;
}

/**
 * tirkeu_stage_seller_must_act:
 * @stage: a #TirkeuStage
 *
 * Returns: %TRUE if the seller has something to do for a request in @stage
 */
gboolean
tirkeu_stage_seller_must_act (TirkeuStage stage)
{
  return tirkeu_stage_get_actor (stage) == TIRKEU_ACTOR_SELLER;
}
