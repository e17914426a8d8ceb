/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "tirkeu-journal.h"
#include "tirkeu-request.h"

G_BEGIN_DECLS

/**
 * TirkeuRequestCategory:
 * @TIRKEU_REQUEST_CATEGORY_ALL: every request (no filter)
 * @TIRKEU_REQUEST_CATEGORY_NEEDS_ACTION: the seller has something to do
 * @TIRKEU_REQUEST_CATEGORY_AWAITING_BUYER: the buyer acts next in the eGov account
 * @TIRKEU_REQUEST_CATEGORY_IN_PROGRESS: the portal's systems act next
 * @TIRKEU_REQUEST_CATEGORY_COMPLETED: registered
 * @TIRKEU_REQUEST_CATEGORY_CLOSED: refused, declined, expired or withdrawn
 *
 * The filters of the requests list.
 */
typedef enum
{
  TIRKEU_REQUEST_CATEGORY_ALL,
  TIRKEU_REQUEST_CATEGORY_NEEDS_ACTION,
  TIRKEU_REQUEST_CATEGORY_AWAITING_BUYER,
  TIRKEU_REQUEST_CATEGORY_IN_PROGRESS,
  TIRKEU_REQUEST_CATEGORY_COMPLETED,
  TIRKEU_REQUEST_CATEGORY_CLOSED,
} TirkeuRequestCategory;

#define TIRKEU_N_REQUEST_CATEGORIES (TIRKEU_REQUEST_CATEGORY_CLOSED + 1)

TirkeuRequestCategory tirkeu_request_category_for_stage (TirkeuStage stage);
const char           *tirkeu_request_category_to_string (TirkeuRequestCategory category);
gboolean              tirkeu_request_category_from_string (const char            *name,
                                                           TirkeuRequestCategory *category);

#define TIRKEU_TYPE_REQUEST_LIST (tirkeu_request_list_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuRequestList, tirkeu_request_list, TIRKEU, REQUEST_LIST, GObject)

TirkeuRequestList    *tirkeu_request_list_new          (void);
GListModel           *tirkeu_request_list_get_model    (TirkeuRequestList     *self);
guint                 tirkeu_request_list_get_n_requests (TirkeuRequestList   *self);
guint                 tirkeu_request_list_get_count    (TirkeuRequestList     *self,
                                                        TirkeuRequestCategory  category);
const char           *tirkeu_request_list_get_search   (TirkeuRequestList     *self);
void                  tirkeu_request_list_set_search   (TirkeuRequestList     *self,
                                                        const char            *search);
TirkeuRequestCategory tirkeu_request_list_get_category (TirkeuRequestList     *self);
void                  tirkeu_request_list_set_category (TirkeuRequestList     *self,
                                                        TirkeuRequestCategory  category);
void                  tirkeu_request_list_set_requests (TirkeuRequestList     *self,
                                                        GPtrArray             *requests);
void                  tirkeu_request_list_update       (TirkeuRequestList     *self,
                                                        GPtrArray             *requests);
TirkeuRequest        *tirkeu_request_list_lookup       (TirkeuRequestList     *self,
                                                        const char            *portal_id);
TirkeuRequest        *tirkeu_request_list_find_active  (TirkeuRequestList     *self,
                                                        const char            *vin,
                                                        const char            *except_portal_id);
void                  tirkeu_request_list_load_async   (TirkeuRequestList     *self,
                                                        TirkeuJournal         *journal,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
gboolean              tirkeu_request_list_load_finish  (TirkeuRequestList     *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);

G_END_DECLS
