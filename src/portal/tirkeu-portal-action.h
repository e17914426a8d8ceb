/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TIRKEU_TYPE_PORTAL_ACTION (tirkeu_portal_action_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuPortalAction, tirkeu_portal_action, TIRKEU, PORTAL_ACTION, GCancellable)

TirkeuPortalAction *tirkeu_portal_action_new                (guint                timeout_ms);
guint               tirkeu_portal_action_get_timeout_ms     (TirkeuPortalAction  *self);
guint               tirkeu_portal_action_get_waited_ms      (TirkeuPortalAction  *self);
gboolean            tirkeu_portal_action_get_timed_out      (TirkeuPortalAction  *self);
gint64              tirkeu_portal_action_get_deadline       (TirkeuPortalAction  *self);
void                tirkeu_portal_action_pause              (TirkeuPortalAction  *self);
void                tirkeu_portal_action_unpause            (TirkeuPortalAction  *self);
GError             *tirkeu_portal_action_new_timeout_error  (TirkeuPortalAction  *self);

TirkeuPortalAction *tirkeu_portal_action_from_cancellable   (GCancellable        *cancellable);
GError             *tirkeu_portal_action_cancelled_error    (GCancellable        *cancellable);
gboolean            tirkeu_portal_action_explain            (GCancellable        *cancellable,
                                                             GError             **error);

G_END_DECLS
