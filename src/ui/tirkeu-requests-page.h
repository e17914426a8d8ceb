/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tirkeu-request-list.h"
#include "tirkeu-request-page.h"
#include "tirkeu-sync.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_REQUESTS_PAGE (tirkeu_requests_page_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuRequestsPage, tirkeu_requests_page, TIRKEU, REQUESTS_PAGE, GtkWidget)

GtkWidget         *tirkeu_requests_page_new              (void);
TirkeuRequestList *tirkeu_requests_page_get_list         (TirkeuRequestsPage *self);
void               tirkeu_requests_page_set_list         (TirkeuRequestsPage *self,
                                                          TirkeuRequestList  *list);
void               tirkeu_requests_page_set_sync         (TirkeuRequestsPage *self,
                                                          TirkeuSync         *sync);
TirkeuRequestPage *tirkeu_requests_page_get_request_page (TirkeuRequestsPage *self);
GtkListView       *tirkeu_requests_page_get_list_view    (TirkeuRequestsPage *self);
GtkSearchEntry    *tirkeu_requests_page_get_search_entry (TirkeuRequestsPage *self);
void               tirkeu_requests_page_show_request     (TirkeuRequestsPage *self,
                                                          TirkeuRequest      *request);
void               tirkeu_requests_page_show_list        (TirkeuRequestsPage *self);
gboolean           tirkeu_requests_page_get_showing_request (TirkeuRequestsPage *self);
void               tirkeu_requests_page_set_journal      (TirkeuRequestsPage *self,
                                                          TirkeuJournal      *journal);
void               tirkeu_requests_page_reload_drafts    (TirkeuRequestsPage *self);
guint              tirkeu_requests_page_get_n_drafts     (TirkeuRequestsPage *self);
const char        *tirkeu_requests_page_get_filter_label (TirkeuRequestsPage *self,
                                                          const char         *filter);
void               tirkeu_requests_page_highlight        (TirkeuRequestsPage *self,
                                                          const char         *portal_id);
gboolean           tirkeu_requests_page_get_highlighted  (TirkeuRequestsPage *self,
                                                          const char         *portal_id);
void               tirkeu_requests_page_reveal_request   (TirkeuRequestsPage *self,
                                                          const char         *portal_id);
void               tirkeu_requests_page_add_toast        (TirkeuRequestsPage *self,
                                                          AdwToast           *toast);

G_END_DECLS
