/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* GLib and GIO only, like TirkeuSession. */
#include <gio/gio.h>

#include "tirkeu-journal.h"
#include "tirkeu-portal-client.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_OUTBOX (tirkeu_outbox_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuOutbox, tirkeu_outbox, TIRKEU, OUTBOX, GObject)

TirkeuOutbox *tirkeu_outbox_new              (TirkeuJournal       *journal,
                                              TirkeuPortalClient  *client,
                                              GNetworkMonitor     *network_monitor);
guint         tirkeu_outbox_get_retry_ms     (TirkeuOutbox        *self);
void          tirkeu_outbox_set_retry_ms     (TirkeuOutbox        *self,
                                              guint                retry_ms);
guint         tirkeu_outbox_get_n_pending    (TirkeuOutbox        *self);
void          tirkeu_outbox_send_async       (TirkeuOutbox        *self,
                                              TirkeuRequest       *request,
                                              const char          *draft_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
TirkeuRequest *tirkeu_outbox_send_finish     (TirkeuOutbox        *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void          tirkeu_outbox_flush            (TirkeuOutbox        *self);
void          tirkeu_outbox_retry_now        (TirkeuOutbox        *self);
gint64        tirkeu_outbox_get_next_attempt_at (TirkeuOutbox     *self);
gboolean      tirkeu_outbox_get_retrying     (TirkeuOutbox        *self);
const GError *tirkeu_outbox_get_last_error   (TirkeuOutbox        *self);

G_END_DECLS
