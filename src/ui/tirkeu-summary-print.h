/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "tirkeu-request.h"

G_BEGIN_DECLS

char     *tirkeu_summary_build_markup (TirkeuRequest            *request,
                                       const char               *language);
gboolean  tirkeu_summary_print_run    (TirkeuRequest            *request,
                                       GtkWindow                *parent,
                                       GtkPrintOperationAction   action,
                                       const char               *export_filename,
                                       GError                  **error);

G_END_DECLS
