/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "tirkeu-request.h"

G_BEGIN_DECLS

char       *tirkeu_search_key_fold                (const char    *text);
void        tirkeu_search_key_prepare             (TirkeuRequest *request);
const char *tirkeu_search_key_get                 (TirkeuRequest *request);
gint64      tirkeu_search_key_get_last_change     (TirkeuRequest *request);
int         tirkeu_search_key_compare             (TirkeuRequest *a,
                                                   TirkeuRequest *b);

G_END_DECLS
