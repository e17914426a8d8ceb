/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char                *tirkeu_oked_normalize            (const char         *code);
const char * const  *tirkeu_oked_get_vehicle_classes  (void);
gboolean             tirkeu_oked_is_vehicle_class     (const char         *code);
char                *tirkeu_oked_get_name             (const char         *code,
                                                       const char         *language);
gboolean             tirkeu_oked_qualifies            (const char * const *seller_codes,
                                                       const char        **matched_code);

G_END_DECLS
