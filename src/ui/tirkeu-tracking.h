/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tirkeu-journal.h"
#include "tirkeu-outbox.h"
#include "tirkeu-portal-client.h"
#include "tirkeu-request-list.h"
#include "tirkeu-requests-page.h"
#include "tirkeu-sync.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_TRACKING (tirkeu_tracking_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuTracking, tirkeu_tracking, TIRKEU, TRACKING, GObject)

TirkeuTracking     *tirkeu_tracking_new             (GtkApplication     *application,
                                                     TirkeuJournal      *journal);
TirkeuJournal      *tirkeu_tracking_get_journal     (TirkeuTracking     *self);
TirkeuSync         *tirkeu_tracking_get_sync        (TirkeuTracking     *self);
TirkeuRequestList  *tirkeu_tracking_get_list        (TirkeuTracking     *self);
void                tirkeu_tracking_set_client      (TirkeuTracking     *self,
                                                     TirkeuPortalClient *client);
void                tirkeu_tracking_attach_page     (TirkeuTracking     *self,
                                                     TirkeuRequestsPage *page);
gboolean            tirkeu_tracking_get_has_requests (TirkeuTracking    *self);

void                tirkeu_tracking_install_actions (GtkApplication    *application);
GNotification      *tirkeu_tracking_build_notification (TirkeuRequest   *request);
char               *tirkeu_tracking_dup_change_summary (TirkeuRequest   *request);
void                tirkeu_tracking_show_request    (TirkeuTracking     *self,
                                                     const char         *portal_id);
void                tirkeu_tracking_follow_outbox   (TirkeuTracking     *self,
                                                     TirkeuOutbox       *outbox);

G_END_DECLS
