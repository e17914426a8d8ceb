/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TIRKEU_TYPE_WRAP_BOX (tirkeu_wrap_box_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuWrapBox, tirkeu_wrap_box, TIRKEU, WRAP_BOX, GtkWidget)

GtkWidget *tirkeu_wrap_box_new    (void);
void       tirkeu_wrap_box_append (TirkeuWrapBox *self,
                                   GtkWidget     *child);

G_END_DECLS
