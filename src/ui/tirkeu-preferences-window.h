/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tirkeu-config.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_PREFERENCES_WINDOW (tirkeu_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuPreferencesWindow, tirkeu_preferences_window,
                      TIRKEU, PREFERENCES_WINDOW, AdwPreferencesWindow)

TirkeuPreferencesWindow *tirkeu_preferences_window_new (TirkeuConfig *config);

G_END_DECLS
