/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tirkeu-config.h"
#include "tirkeu-session.h"
#include "tirkeu-tracking.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_APPLICATION (tirkeu_application_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuApplication, tirkeu_application, TIRKEU, APPLICATION, AdwApplication)

TirkeuApplication *tirkeu_application_new                   (const char        *application_id,
                                                             GApplicationFlags  flags);
TirkeuConfig      *tirkeu_application_get_config            (TirkeuApplication *self);
TirkeuSession     *tirkeu_application_get_session           (TirkeuApplication *self);
const GError      *tirkeu_application_get_portal_error      (TirkeuApplication *self);
const GError      *tirkeu_application_get_journal_error     (TirkeuApplication *self);
TirkeuTracking    *tirkeu_application_get_tracking          (TirkeuApplication *self);
void               tirkeu_application_request_restart       (TirkeuApplication *self);
gboolean           tirkeu_application_get_restart_requested (TirkeuApplication *self);

G_END_DECLS
