/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void tirkeu_secret_wipe  (gpointer  secret,
                          gsize     size);
void tirkeu_wipe_string  (char     *secret);

gpointer tirkeu_secret_pages_new  (gsize     size,
                                   gsize    *length);
void     tirkeu_secret_pages_free (gpointer  pages,
                                   gsize     size);

G_END_DECLS
