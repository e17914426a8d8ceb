/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the pages of a new request share (tirkeu-new-request-pages.c). */
#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Shared by the pages: the step of the algorithm a portal error stops at. */
guint      _tirkeu_new_request_step_of_error  (const GError      *error,
                                               guint              fallback);
void       _tirkeu_new_request_set_hint_error (GtkLabel          *hint,
                                               const char        *text,
                                               guint              position,
                                               const char        *message);

char      *_tirkeu_new_request_format_money   (gint64             price_tiyn,
                                               const char        *currency);
char      *_tirkeu_new_request_format_date    (const GDate       *date);

G_END_DECLS
