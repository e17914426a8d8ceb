/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tirkeu-application.h"
#include "tirkeu-session.h"
#include "tirkeu-tracking.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_WINDOW (tirkeu_window_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuWindow, tirkeu_window, TIRKEU, WINDOW, AdwApplicationWindow)

TirkeuWindow *tirkeu_window_new          (TirkeuApplication *application);
gboolean      tirkeu_window_get_training (TirkeuWindow      *self);
void          tirkeu_window_set_training (TirkeuWindow      *self,
                                          gboolean           training);
GMenuModel   *tirkeu_window_get_primary_menu (TirkeuWindow *self);
TirkeuSession *tirkeu_window_get_session   (TirkeuWindow      *self);

/* the requests list */
TirkeuTracking     *tirkeu_window_get_tracking      (TirkeuWindow      *self);
TirkeuRequestsPage *tirkeu_window_get_requests_page (TirkeuWindow      *self);
AdwToast           *tirkeu_window_get_change_toast  (TirkeuWindow      *self);

G_END_DECLS
