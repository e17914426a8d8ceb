/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void         tirkeu_i18n_init          (const char *language);
const char  *tirkeu_i18n_get_language  (void);
const char  *tirkeu_i18n_get_localedir (void);
const char  *tirkeu_i18n_pgettext_in   (const char *language,
                                        const char *context,
                                        const char *msgid);

G_END_DECLS
