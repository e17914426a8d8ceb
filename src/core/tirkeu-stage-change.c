/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-stage-change.h"

G_DEFINE_BOXED_TYPE (TirkeuStageChange, tirkeu_stage_change,
                     tirkeu_stage_change_copy, tirkeu_stage_change_free)

/**
 * tirkeu_stage_change_new:
 * @stage: the stage entered
 * @at: when
 * @message: (nullable): a note shown in the history; the entry takes a reference
 * @actor: who made the change
 *
 * Returns: (transfer full): a new history entry
 */
TirkeuStageChange *
tirkeu_stage_change_new (TirkeuStage          stage,
                         GDateTime           *at,
                         TirkeuLocalizedText *message,
                         TirkeuActor          actor)
{
  TirkeuStageChange *change;

  g_return_val_if_fail (stage < TIRKEU_N_STAGES, NULL);
  g_return_val_if_fail (at != NULL, NULL);

  change = g_new0 (TirkeuStageChange, 1);
  change->stage = stage;
  change->at = g_date_time_ref (at);
  change->message = message != NULL ? tirkeu_localized_text_ref (message) : NULL;
  change->actor = actor;

  return change;
}

/**
 * tirkeu_stage_change_copy:
 * @change: a #TirkeuStageChange
 *
 * Returns: (transfer full): a copy of @change
 */
TirkeuStageChange *
tirkeu_stage_change_copy (const TirkeuStageChange *change)
{
  g_return_val_if_fail (change != NULL, NULL);

  return tirkeu_stage_change_new (change->stage, change->at, change->message, change->actor);
}

/**
 * tirkeu_stage_change_free:
 * @change: (nullable): a #TirkeuStageChange
 */
void
tirkeu_stage_change_free (TirkeuStageChange *change)
{
  if (change == NULL)
    return;

  g_clear_pointer (&change->at, g_date_time_unref);
  g_clear_pointer (&change->message, tirkeu_localized_text_unref);
  g_free (change);
}
