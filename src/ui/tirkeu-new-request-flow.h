/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tirkeu-new-request.h"

G_BEGIN_DECLS

/**
 * TirkeuNewRequestPage:
 * @TIRKEU_NEW_REQUEST_PAGE_VEHICLE: the VIN and steps 2-5
 * @TIRKEU_NEW_REQUEST_PAGE_BUYER: the buyer's IIN and steps 6-7
 * @TIRKEU_NEW_REQUEST_PAGE_CONTRACT: step 8
 * @TIRKEU_NEW_REQUEST_PAGE_REVIEW: everything on one page, and step 9
 * @TIRKEU_NEW_REQUEST_PAGE_SENT: the request number and the buyer's to-do
 */
typedef enum
{
  TIRKEU_NEW_REQUEST_PAGE_VEHICLE,
  TIRKEU_NEW_REQUEST_PAGE_BUYER,
  TIRKEU_NEW_REQUEST_PAGE_CONTRACT,
  TIRKEU_NEW_REQUEST_PAGE_REVIEW,
  TIRKEU_NEW_REQUEST_PAGE_SENT,
} TirkeuNewRequestPage;

#define TIRKEU_TYPE_NEW_REQUEST_FLOW (tirkeu_new_request_flow_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuNewRequestFlow, tirkeu_new_request_flow, TIRKEU, NEW_REQUEST_FLOW, AdwBin)

void                 tirkeu_new_request_flow_start        (TirkeuNewRequestFlow *self,
                                                           TirkeuSession        *session,
                                                           const char           *draft_id);
TirkeuNewRequestPage tirkeu_new_request_flow_get_page     (TirkeuNewRequestFlow *self);
const char          *tirkeu_new_request_flow_get_draft_id (TirkeuNewRequestFlow *self);
const char          *tirkeu_new_request_flow_get_idempotency_key (TirkeuNewRequestFlow *self);
TirkeuRequest       *tirkeu_new_request_flow_get_request  (TirkeuNewRequestFlow *self);
gboolean             tirkeu_new_request_flow_get_busy     (TirkeuNewRequestFlow *self);
gboolean             tirkeu_new_request_flow_get_queued   (TirkeuNewRequestFlow *self);
GtkWidget           *tirkeu_new_request_flow_get_error_view (TirkeuNewRequestFlow *self,
                                                           TirkeuNewRequestPage  page);
GtkWidget           *tirkeu_new_request_flow_get_journal_error (TirkeuNewRequestFlow *self);
TirkeuNewRequest    *tirkeu_new_request_flow_get_new_request (TirkeuNewRequestFlow *self);

G_END_DECLS
