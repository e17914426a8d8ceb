/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-error.h"
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

/**
 * tirkeu_stage_seller_may_withdraw:
 * @stage: a #TirkeuStage
 *
 * The one answer to "may the seller withdraw a request in @stage", shared by the desk, the
 * CLI and the sandbox, and the list data/portal-api.yaml gives for POST .../withdraw: from
 * the moment the portal created the request (contract_found, signed or not) until the buyer
 * approved it. The earlier stages exist only inside the portal's create call, which passes
 * them at once, so no request the seller can name rests in them.
 *
 * Returns: %TRUE if the seller may withdraw a request in @stage
 */
gboolean
tirkeu_stage_seller_may_withdraw (TirkeuStage stage)
{
  return stage >= TIRKEU_STAGE_CONTRACT_FOUND && stage <= TIRKEU_STAGE_AWAITING_BUYER;
}

/**
 * tirkeu_stage_awaits_signature:
 * @stage: a #TirkeuStage
 *
 * Returns: %TRUE if a request in @stage still waits for the seller's signature (step 9): it
 *   may be signed and submitted, however long ago it was created
 */
gboolean
tirkeu_stage_awaits_signature (TirkeuStage stage)
{
  return stage <= TIRKEU_STAGE_CONTRACT_FOUND;
}

/**
 * tirkeu_stage_needs_attention:
 * @stage: a #TirkeuStage
 *
 * Returns: %TRUE if the seller has to act on a request in @stage (it is listed first, and
 *   counted on the desk)
 */
gboolean
tirkeu_stage_needs_attention (TirkeuStage stage)
{
  return !tirkeu_stage_is_final (stage) && tirkeu_stage_seller_must_act (stage);
}

/**
 * tirkeu_stage_get_category:
 * @stage: a #TirkeuStage
 *
 * Returns: the list a request in @stage belongs to
 */
TirkeuStageCategory
tirkeu_stage_get_category (TirkeuStage stage)
{
  if (stage == TIRKEU_STAGE_COMPLETED)
    return TIRKEU_STAGE_CATEGORY_COMPLETED;
  if (tirkeu_stage_is_final (stage))
    return TIRKEU_STAGE_CATEGORY_CLOSED;
  if (tirkeu_stage_needs_attention (stage))
    return TIRKEU_STAGE_CATEGORY_NEEDS_ACTION;
  if (tirkeu_stage_get_actor (stage) == TIRKEU_ACTOR_BUYER)
    return TIRKEU_STAGE_CATEGORY_AWAITING_BUYER;
  return TIRKEU_STAGE_CATEGORY_IN_PROGRESS;
}

/* Who brings a request into each stage: the actor recorded in the history. The portal's
 * information systems do the checks of steps 1-8 and 11-14, 16 and 19 (the seller or the
 * buyer only starts them); the seller signs (step 9) and withdraws; the buyer approves or
 * declines (step 10), chooses the TsON and plate (15), confirms the phone number when BMG has
 * none (16), pays (17) and signs (18); expiry is the portal's clock. */
static const TirkeuActor entering_actors[TIRKEU_N_STAGES] = {
  [TIRKEU_STAGE_DRAFT]               = TIRKEU_ACTOR_SELLER,
  [TIRKEU_STAGE_OKED_CHECKED]        = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_EPASSPORT_CHECKED]   = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_CUSTOMS_CHECKED]     = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_UTILIZATION_CHECKED] = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_BUYER_CHECKED]       = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_CONTRACT_FOUND]      = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_SIGNED]              = TIRKEU_ACTOR_SELLER,
  [TIRKEU_STAGE_SUBMITTED]           = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_AWAITING_BUYER]      = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_BUYER_APPROVED]      = TIRKEU_ACTOR_BUYER,
  [TIRKEU_STAGE_BUYER_RECHECK]       = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_EPASSPORT_RECHECK]   = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_CONTRACT_RECHECK]    = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_FINES_CHECK]         = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_FINES_UNPAID]        = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_TSON_CHOSEN]         = TIRKEU_ACTOR_BUYER,
  [TIRKEU_STAGE_PHONE_CONFIRMED]     = TIRKEU_ACTOR_BUYER,
  [TIRKEU_STAGE_PAID]                = TIRKEU_ACTOR_BUYER,
  [TIRKEU_STAGE_BUYER_SIGNED]        = TIRKEU_ACTOR_BUYER,
  [TIRKEU_STAGE_PROCESSING]          = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_COMPLETED]           = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_REFUSED]             = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_DECLINED]            = TIRKEU_ACTOR_BUYER,
  [TIRKEU_STAGE_EXPIRED]             = TIRKEU_ACTOR_PORTAL,
  [TIRKEU_STAGE_WITHDRAWN]           = TIRKEU_ACTOR_SELLER,
};

/* The transition table: every allowed (from, to) pair, and nothing else. Steps are those of
 * the pilot algorithm (joint order No. 499 / No. 754, appendix, point 4).
 *
 * - Steps 1-9, the seller, in the order of the law; a failed check (OKED_MISMATCH,
 *   EPASSPORT_NOT_FOUND, ... "notification that the service cannot be rendered") leaves the
 *   request where it was, so failures are error codes, not stages.
 * - Withdrawn: the seller may withdraw any request the buyer has not yet approved (draft up
 *   to awaiting_buyer); from step 10 on the request is the buyer's application.
 * - Declined: only where the law puts a decision before the buyer: step 10 (the buyer
 *   approves the request, or does not) and step 14 (unpaid fines: "pay and resubmit", or
 *   give up). Elsewhere a buyer who stops acting lets the request expire.
 * - Expired: the law sets no time limit of its own; expiry is the portal's limit on the
 *   buyer's inaction. It can end the request from the notification (step 10) up to the
 *   buyer's signature (step 18): after approving, the buyer "passes to filling in the data"
 *   (step 10), an application in the eGov personal account inside which the checks of steps
 *   11-14 and 16 run; a buyer who abandons it leaves it at whatever stage it stopped. Once the
 *   buyer signed (buyer_signed, processing), step 19 has exactly two outcomes, "success or a
 *   reasoned refusal", so those stages never expire. (The sandbox's admin "expire" action,
 *   data/portal-api.yaml, also allows them: the table refuses such a report.)
 * - Refused (a reasoned refusal): the re-checks of steps 11-13 ("notification that the
 *   service cannot be rendered" when GBD FL, the e-passport system or the e-signing systems
 *   have no data) and step 19 after processing. Step 14 never refuses in the pilot: unpaid
 *   fines lead to fines_unpaid, and the buyer resubmits (fines_unpaid -> fines_check).
 * - completed, refused, declined, expired and withdrawn are final: no pair leaves them. */
static const struct {
  TirkeuStage from;
  TirkeuStage to;
} transitions[] = {
  /* steps 1-9: the seller */
  { TIRKEU_STAGE_DRAFT,               TIRKEU_STAGE_OKED_CHECKED },
  { TIRKEU_STAGE_OKED_CHECKED,        TIRKEU_STAGE_EPASSPORT_CHECKED },
  { TIRKEU_STAGE_EPASSPORT_CHECKED,   TIRKEU_STAGE_CUSTOMS_CHECKED },
  { TIRKEU_STAGE_CUSTOMS_CHECKED,     TIRKEU_STAGE_UTILIZATION_CHECKED },
  { TIRKEU_STAGE_UTILIZATION_CHECKED, TIRKEU_STAGE_BUYER_CHECKED },
  { TIRKEU_STAGE_BUYER_CHECKED,       TIRKEU_STAGE_CONTRACT_FOUND },
  { TIRKEU_STAGE_CONTRACT_FOUND,      TIRKEU_STAGE_SIGNED },
  { TIRKEU_STAGE_SIGNED,              TIRKEU_STAGE_SUBMITTED },
  { TIRKEU_STAGE_SUBMITTED,           TIRKEU_STAGE_AWAITING_BUYER },

  /* the seller withdraws before the buyer approved */
  { TIRKEU_STAGE_DRAFT,               TIRKEU_STAGE_WITHDRAWN },
  { TIRKEU_STAGE_OKED_CHECKED,        TIRKEU_STAGE_WITHDRAWN },
  { TIRKEU_STAGE_EPASSPORT_CHECKED,   TIRKEU_STAGE_WITHDRAWN },
  { TIRKEU_STAGE_CUSTOMS_CHECKED,     TIRKEU_STAGE_WITHDRAWN },
  { TIRKEU_STAGE_UTILIZATION_CHECKED, TIRKEU_STAGE_WITHDRAWN },
  { TIRKEU_STAGE_BUYER_CHECKED,       TIRKEU_STAGE_WITHDRAWN },
  { TIRKEU_STAGE_CONTRACT_FOUND,      TIRKEU_STAGE_WITHDRAWN },
  { TIRKEU_STAGE_SIGNED,              TIRKEU_STAGE_WITHDRAWN },
  { TIRKEU_STAGE_SUBMITTED,           TIRKEU_STAGE_WITHDRAWN },
  { TIRKEU_STAGE_AWAITING_BUYER,      TIRKEU_STAGE_WITHDRAWN },

  /* step 10: the buyer approves or declines */
  { TIRKEU_STAGE_AWAITING_BUYER,      TIRKEU_STAGE_BUYER_APPROVED },
  { TIRKEU_STAGE_AWAITING_BUYER,      TIRKEU_STAGE_DECLINED },

  /* steps 10-18: the buyer's unfinished application lapses */
  { TIRKEU_STAGE_AWAITING_BUYER,      TIRKEU_STAGE_EXPIRED },
  { TIRKEU_STAGE_BUYER_APPROVED,      TIRKEU_STAGE_EXPIRED },
  { TIRKEU_STAGE_BUYER_RECHECK,       TIRKEU_STAGE_EXPIRED },
  { TIRKEU_STAGE_EPASSPORT_RECHECK,   TIRKEU_STAGE_EXPIRED },
  { TIRKEU_STAGE_CONTRACT_RECHECK,    TIRKEU_STAGE_EXPIRED },
  { TIRKEU_STAGE_FINES_CHECK,         TIRKEU_STAGE_EXPIRED },
  { TIRKEU_STAGE_FINES_UNPAID,        TIRKEU_STAGE_EXPIRED },
  { TIRKEU_STAGE_TSON_CHOSEN,         TIRKEU_STAGE_EXPIRED },
  { TIRKEU_STAGE_PHONE_CONFIRMED,     TIRKEU_STAGE_EXPIRED },
  { TIRKEU_STAGE_PAID,                TIRKEU_STAGE_EXPIRED },

  /* steps 11-13: the portal's re-checks, each may end in a reasoned refusal */
  { TIRKEU_STAGE_BUYER_APPROVED,      TIRKEU_STAGE_BUYER_RECHECK },
  { TIRKEU_STAGE_BUYER_RECHECK,       TIRKEU_STAGE_EPASSPORT_RECHECK },
  { TIRKEU_STAGE_BUYER_RECHECK,       TIRKEU_STAGE_REFUSED },
  { TIRKEU_STAGE_EPASSPORT_RECHECK,   TIRKEU_STAGE_CONTRACT_RECHECK },
  { TIRKEU_STAGE_EPASSPORT_RECHECK,   TIRKEU_STAGE_REFUSED },
  { TIRKEU_STAGE_CONTRACT_RECHECK,    TIRKEU_STAGE_FINES_CHECK },
  { TIRKEU_STAGE_CONTRACT_RECHECK,    TIRKEU_STAGE_REFUSED },

  /* step 14: ERAP; unpaid fines: pay and resubmit */
  { TIRKEU_STAGE_FINES_CHECK,         TIRKEU_STAGE_FINES_UNPAID },
  { TIRKEU_STAGE_FINES_CHECK,         TIRKEU_STAGE_TSON_CHOSEN },
  { TIRKEU_STAGE_FINES_UNPAID,        TIRKEU_STAGE_FINES_CHECK },
  { TIRKEU_STAGE_FINES_UNPAID,        TIRKEU_STAGE_DECLINED },

  /* steps 15-18: the buyer fills in, pays and signs */
  { TIRKEU_STAGE_TSON_CHOSEN,         TIRKEU_STAGE_PHONE_CONFIRMED },
  { TIRKEU_STAGE_PHONE_CONFIRMED,     TIRKEU_STAGE_PAID },
  { TIRKEU_STAGE_PAID,                TIRKEU_STAGE_BUYER_SIGNED },
  { TIRKEU_STAGE_BUYER_SIGNED,        TIRKEU_STAGE_PROCESSING },

  /* step 19: success or a reasoned refusal */
  { TIRKEU_STAGE_PROCESSING,          TIRKEU_STAGE_COMPLETED },
  { TIRKEU_STAGE_PROCESSING,          TIRKEU_STAGE_REFUSED },
};

/**
 * tirkeu_stage_can_transition:
 * @from: the current stage
 * @to: the stage to move to
 *
 * Whether the transition table allows one step from @from to @to. Staying in the same stage
 * is not a transition, and no transition leaves a final stage.
 *
 * Returns: %TRUE if (@from, @to) is in the table
 */
gboolean
tirkeu_stage_can_transition (TirkeuStage from,
                             TirkeuStage to)
{
  g_return_val_if_fail (from < TIRKEU_N_STAGES, FALSE);
  g_return_val_if_fail (to < TIRKEU_N_STAGES, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (transitions); i++)
    {
      if (transitions[i].from == from && transitions[i].to == to)
        return TRUE;
    }

  return FALSE;
}

/**
 * tirkeu_stage_check_transition:
 * @from: the current stage
 * @to: the stage to move to
 * @error: return location for a #GError
 *
 * Like tirkeu_stage_can_transition(), with a %TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION error
 * that names both stages in the interface language when the table forbids it.
 *
 * Returns: %TRUE if the transition is allowed
 */
gboolean
tirkeu_stage_check_transition (TirkeuStage   from,
                               TirkeuStage   to,
                               GError      **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (from >= TIRKEU_N_STAGES || to >= TIRKEU_N_STAGES)
    {
      g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION,
                   _("The request stage is not known to this version of Tirkeu."));
      return FALSE;
    }

  if (tirkeu_stage_can_transition (from, to))
    return TRUE;

  if (tirkeu_stage_is_final (from))
    g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION,
                 /* Translators: both are stage titles; the first one is final */
                 _("The request cannot move from “%s” to “%s”: “%s” is final."),
                 tirkeu_catalogue_stage_title (from), tirkeu_catalogue_stage_title (to),
                 tirkeu_catalogue_stage_title (from));
  else
    g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION,
                 /* Translators: both are stage titles */
                 _("The request cannot move from “%s” to “%s”."),
                 tirkeu_catalogue_stage_title (from), tirkeu_catalogue_stage_title (to));

  return FALSE;
}

/* reachable[from][to]: the transitive closure of the table (Warshall), computed once. */
static gboolean reachable[TIRKEU_N_STAGES][TIRKEU_N_STAGES];

static gpointer
compute_reachable (gpointer user_data)
{
  for (guint i = 0; i < G_N_ELEMENTS (transitions); i++)
    reachable[transitions[i].from][transitions[i].to] = TRUE;

  for (guint k = 0; k < TIRKEU_N_STAGES; k++)
    for (guint i = 0; i < TIRKEU_N_STAGES; i++)
      if (reachable[i][k])
        for (guint j = 0; j < TIRKEU_N_STAGES; j++)
          if (reachable[k][j])
            reachable[i][j] = TRUE;

  return NULL;
}

/**
 * tirkeu_stage_is_reachable:
 * @from: the stage Tirkeu last saw
 * @to: the stage the portal reports
 *
 * Whether a path of one or more allowed transitions leads from @from to @to. A sync with the
 * portal may jump several steps at once (the buyer approved, paid and signed between two
 * polls); such a jump is accepted when the table could have produced it. @from equal to @to
 * is reachable only through a cycle (fines_check and fines_unpaid: the buyer paid and was
 * checked again).
 *
 * Returns: %TRUE if @to can follow @from
 */
gboolean
tirkeu_stage_is_reachable (TirkeuStage from,
                           TirkeuStage to)
{
  static GOnce once = G_ONCE_INIT;

  g_return_val_if_fail (from < TIRKEU_N_STAGES, FALSE);
  g_return_val_if_fail (to < TIRKEU_N_STAGES, FALSE);

  g_once (&once, compute_reachable, NULL);

  return reachable[from][to];
}

/**
 * tirkeu_stage_get_entering_actor:
 * @stage: a #TirkeuStage
 *
 * Who brings a request into @stage: the actor a history entry records. It differs from
 * tirkeu_stage_get_actor(), who acts next while the request is in @stage.
 *
 * Returns: the actor that makes the change into @stage
 */
TirkeuActor
tirkeu_stage_get_entering_actor (TirkeuStage stage)
{
  g_return_val_if_fail (stage < TIRKEU_N_STAGES, TIRKEU_ACTOR_PORTAL);

  return entering_actors[stage];
}
