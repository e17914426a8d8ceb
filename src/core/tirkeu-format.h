/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *tirkeu_format_date        (GDateTime   *date);
char *tirkeu_format_date_time   (GDateTime   *date_time);
char *tirkeu_format_gdate       (const GDate *date);
char *tirkeu_format_date_dmy    (guint        year,
                                 guint        month,
                                 guint        day);
char *tirkeu_format_year_month  (guint        year,
                                 guint        month);
char *tirkeu_format_century     (guint        first_year);
char *tirkeu_format_money       (gint64       amount_tiyn,
                                 const char  *currency);

G_END_DECLS
