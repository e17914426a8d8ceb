/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "tirkeu-request.h"

G_BEGIN_DECLS

char     *tirkeu_summary_build_markup       (TirkeuRequest            *request,
                                             const char               *language,
                                             const char               *dealership,
                                             GDateTime                *printed_at);
char     *tirkeu_summary_dup_file_basename  (TirkeuRequest            *request);
char     *tirkeu_summary_get_settings_path  (void);
gboolean  tirkeu_summary_print_run          (TirkeuRequest            *request,
                                             GtkWindow                *parent,
                                             GtkPrintOperationAction   action,
                                             const char               *export_filename,
                                             const char               *dealership,
                                             GError                  **error);
void      tirkeu_summary_print_async        (TirkeuRequest            *request,
                                             GtkWidget                *widget,
                                             GAsyncReadyCallback       callback,
                                             gpointer                  user_data);
gboolean  tirkeu_summary_print_finish       (GAsyncResult             *result,
                                             GError                  **error);

G_END_DECLS
