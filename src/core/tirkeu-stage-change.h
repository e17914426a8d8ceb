/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "tirkeu-localized-text.h"
#include "tirkeu-stage.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_STAGE_CHANGE (tirkeu_stage_change_get_type ())

/**
 * TirkeuStageChange:
 * @stage: the stage the request entered
 * @at: when (UTC as given; never %NULL)
 * @message: (nullable): what the portal said about it, in every language it said it in (or,
 *   for a change the seller made, the seller's own note in no recorded language); picked
 *   with tirkeu_localized_text_pick() when shown, so never a PIN, a token or a full IIN
 * @actor: who made the change (tirkeu_stage_get_entering_actor())
 *
 * One entry of a request's history. Entries are what Tirkeu saw: when a sync with the portal
 * jumps over several stages, only the stage reported is recorded.
 */
typedef struct
{
  TirkeuStage  stage;
  GDateTime   *at;
  TirkeuLocalizedText *message;
  TirkeuActor          actor;
} TirkeuStageChange;

GType              tirkeu_stage_change_get_type (void) G_GNUC_CONST;
TirkeuStageChange *tirkeu_stage_change_new      (TirkeuStage              stage,
                                                 GDateTime               *at,
                                                 TirkeuLocalizedText     *message,
                                                 TirkeuActor              actor);
TirkeuStageChange *tirkeu_stage_change_copy     (const TirkeuStageChange *change);
void               tirkeu_stage_change_free     (TirkeuStageChange       *change);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuStageChange, tirkeu_stage_change_free)

G_END_DECLS
