/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "tirkeu-application.h"
#include "tirkeu-window.h"

G_BEGIN_DECLS

typedef void (*TirkeuUiTestBody) (TirkeuApplication *application,
                                  TirkeuWindow      *window,
                                  gpointer           user_data);

void       tirkeu_ui_test_init            (int                *argc,
                                           char             ***argv);
void       tirkeu_ui_test_use_system_data (void);
int        tirkeu_ui_test_run_application (const char * const *arguments,
                                           TirkeuUiTestBody    body,
                                           gpointer            user_data);
void       tirkeu_ui_test_wait_drawn      (GtkWidget          *window);
void       tirkeu_ui_test_iterate         (guint               milliseconds);
char      *tirkeu_ui_test_save_screenshot (GtkWidget          *widget,
                                           const char         *name);
gboolean   tirkeu_ui_test_wait_until      (gboolean          (*predicate) (gpointer),
                                           gpointer            data,
                                           guint               seconds);
GtkWidget *tirkeu_ui_test_find_descendant (GtkWidget          *root,
                                           GType               type);
GtkWidget *tirkeu_ui_test_find_row        (GtkWidget          *root,
                                           const char         *title);
GtkWidget *tirkeu_ui_test_find_action     (GtkWidget          *root,
                                           const char         *action);
GtkWidget *tirkeu_ui_test_find_toplevel   (GType               type);
void       tirkeu_ui_test_spawn           (const char * const *argv);
void       tirkeu_ui_test_xdotool         (GtkWidget          *window,
                                           const char * const *args);
void       tirkeu_ui_test_press           (GtkWidget          *window,
                                           const char         *keys);
void       tirkeu_ui_test_type            (GtkWidget          *window,
                                           const char         *text);

G_END_DECLS
