/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tirkeu-journal.h"
#include "tirkeu-portal-client.h"
#include "tirkeu-request.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_REQUEST_PAGE (tirkeu_request_page_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuRequestPage, tirkeu_request_page, TIRKEU, REQUEST_PAGE, GtkWidget)

GtkWidget          *tirkeu_request_page_new              (void);
TirkeuRequest      *tirkeu_request_page_get_request      (TirkeuRequestPage  *self);
void                tirkeu_request_page_set_request      (TirkeuRequestPage  *self,
                                                          TirkeuRequest      *request);
TirkeuPortalClient *tirkeu_request_page_get_client       (TirkeuRequestPage  *self);
void                tirkeu_request_page_set_client       (TirkeuRequestPage  *self,
                                                          TirkeuPortalClient *client);
TirkeuJournal      *tirkeu_request_page_get_journal      (TirkeuRequestPage  *self);
void                tirkeu_request_page_set_journal      (TirkeuRequestPage  *self,
                                                          TirkeuJournal      *journal);
gboolean            tirkeu_request_page_can_withdraw     (TirkeuRequestPage  *self);
void                tirkeu_request_page_show_error       (TirkeuRequestPage  *self,
                                                          const GError       *error);
GtkListBox         *tirkeu_request_page_get_timeline     (TirkeuRequestPage  *self);

gboolean            tirkeu_stage_allows_withdraw         (TirkeuStage         stage);

G_END_DECLS
