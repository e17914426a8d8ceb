/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void tirkeu_a11y_fix_button_names (GtkWidget *root);
void tirkeu_a11y_describe_entry    (GtkWidget *entry,
                                    GtkWidget *hint);

G_END_DECLS
