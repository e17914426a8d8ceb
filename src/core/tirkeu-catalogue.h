/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tirkeu-portal-code.h"
#include "tirkeu-stage.h"

G_BEGIN_DECLS

const char  *tirkeu_catalogue_stage_title      (TirkeuStage       stage);
const char  *tirkeu_catalogue_stage_next       (TirkeuStage       stage);
char        *tirkeu_catalogue_step_text        (TirkeuStage       stage);
const char  *tirkeu_catalogue_actor_name       (TirkeuActor       actor);
const char  *tirkeu_catalogue_code_title       (TirkeuPortalCode  code);
const char  *tirkeu_catalogue_code_action      (TirkeuPortalCode  code);
const char  *tirkeu_catalogue_buyer_todo_title (void);
char       **tirkeu_catalogue_buyer_todo       (void);
gboolean     tirkeu_catalogue_describe_error   (const GError     *error,
                                                const char      **title,
                                                const char      **action);
char        *tirkeu_catalogue_error_code_label (const char       *code);
gboolean     tirkeu_catalogue_payment_stop     (TirkeuPortalCode  code,
                                                gboolean          no_data,
                                                const char      **title,
                                                const char      **action);
const char  *tirkeu_catalogue_active_request_title  (void);
char        *tirkeu_catalogue_active_request_action (const char *request_number);
const char  *tirkeu_catalogue_error_details    (const char       *title,
                                                const char       *message);

const char  *tirkeu_catalogue_stage_title_in      (TirkeuStage  stage,
                                                   const char  *language);
const char  *tirkeu_catalogue_buyer_todo_title_in (const char  *language);
char       **tirkeu_catalogue_buyer_todo_in       (const char  *language);

G_END_DECLS
