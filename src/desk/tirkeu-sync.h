/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* GLib and GIO only: the app and tirkeu-cli both drive the sync. */
#include <gio/gio.h>

#include "tirkeu-journal.h"
#include "tirkeu-portal-client.h"
#include "tirkeu-request.h"

G_BEGIN_DECLS

/**
 * TIRKEU_SYNC_STAGE_UNKNOWN:
 *
 * The "old stage" of #TirkeuSync::stage-changed for a request the journal did not hold.
 */
#define TIRKEU_SYNC_STAGE_UNKNOWN (-1)

#define TIRKEU_TYPE_SYNC (tirkeu_sync_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuSync, tirkeu_sync, TIRKEU, SYNC, GObject)

TirkeuSync         *tirkeu_sync_new                (TirkeuJournal       *journal,
                                                    GNetworkMonitor     *network_monitor);
TirkeuJournal      *tirkeu_sync_get_journal        (TirkeuSync          *self);
TirkeuPortalClient *tirkeu_sync_get_client         (TirkeuSync          *self);
void                tirkeu_sync_set_client         (TirkeuSync          *self,
                                                    TirkeuPortalClient  *client);
guint               tirkeu_sync_get_interval       (TirkeuSync          *self);
void                tirkeu_sync_set_interval       (TirkeuSync          *self,
                                                    guint                interval_ms);
void                tirkeu_sync_set_backoff        (TirkeuSync          *self,
                                                    guint                first_ms,
                                                    guint                max_ms);
guint               tirkeu_sync_get_retry_delay    (TirkeuSync          *self);
gboolean            tirkeu_sync_get_online         (TirkeuSync          *self);
gboolean            tirkeu_sync_get_syncing        (TirkeuSync          *self);
const GError       *tirkeu_sync_get_last_error     (TirkeuSync          *self);
guint               tirkeu_sync_get_n_calls        (TirkeuSync          *self);

void                tirkeu_sync_start              (TirkeuSync          *self);
void                tirkeu_sync_stop               (TirkeuSync          *self);
gboolean            tirkeu_sync_get_running        (TirkeuSync          *self);
void                tirkeu_sync_refresh            (TirkeuSync          *self);
void                tirkeu_sync_retry_now          (TirkeuSync          *self);
gint64              tirkeu_sync_get_retry_at       (TirkeuSync          *self);

void                tirkeu_sync_run_async          (TirkeuSync          *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean            tirkeu_sync_run_finish         (TirkeuSync          *self,
                                                    GAsyncResult        *result,
                                                    guint               *n_changed,
                                                    GError             **error);

gboolean            tirkeu_sync_error_is_offline   (const GError        *error);
gboolean            tirkeu_sync_error_is_forgotten_cursor (const GError *error);
gboolean            tirkeu_sync_stage_is_notable   (TirkeuStage          stage);

G_END_DECLS
