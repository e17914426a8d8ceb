/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "tirkeu-request.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_REQUEST_ROW (tirkeu_request_row_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuRequestRow, tirkeu_request_row, TIRKEU, REQUEST_ROW, GtkWidget)

GtkWidget     *tirkeu_request_row_new            (void);
TirkeuRequest *tirkeu_request_row_get_request    (TirkeuRequestRow *self);
void           tirkeu_request_row_set_request    (TirkeuRequestRow *self,
                                                  TirkeuRequest    *request);
char          *tirkeu_request_row_get_text       (TirkeuRequestRow *self);
void           tirkeu_request_row_set_highlight  (TirkeuRequestRow *self,
                                                  double            highlight,
                                                  gboolean          marked);
double         tirkeu_request_row_get_highlight  (TirkeuRequestRow *self,
                                                  gboolean         *marked);
gboolean       tirkeu_request_row_get_stage_cut  (TirkeuRequestRow *self);
void           tirkeu_request_row_get_column_widths (TirkeuRequestRow *self,
                                                     int              *vehicle,
                                                     int              *buyer,
                                                     int              *stage,
                                                     int              *time);

char          *tirkeu_format_relative_time       (GDateTime        *then,
                                                  GDateTime        *now);
GDateTime     *tirkeu_request_get_last_change    (TirkeuRequest    *request);
char          *tirkeu_format_vehicle             (TirkeuRequest    *request);
const char    *tirkeu_stage_get_style_class      (TirkeuStage       stage);

G_END_DECLS
