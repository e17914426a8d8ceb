/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "tirkeu-session.h"
#include "tirkeu-sync.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_OUTBOX_BANNER (tirkeu_outbox_banner_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuOutboxBanner, tirkeu_outbox_banner, TIRKEU, OUTBOX_BANNER, GtkWidget)

GtkWidget  *tirkeu_outbox_banner_new         (void);
void        tirkeu_outbox_banner_set_session (TirkeuOutboxBanner *self,
                                              TirkeuSession      *session);
void        tirkeu_outbox_banner_set_sync    (TirkeuOutboxBanner *self,
                                              TirkeuSync         *sync);
gboolean    tirkeu_outbox_banner_get_shown   (TirkeuOutboxBanner *self);
const char *tirkeu_outbox_banner_get_text    (TirkeuOutboxBanner *self);
gboolean    tirkeu_outbox_banner_get_ticking (TirkeuOutboxBanner *self);
guint       tirkeu_outbox_banner_get_seconds (TirkeuOutboxBanner *self);

G_END_DECLS
