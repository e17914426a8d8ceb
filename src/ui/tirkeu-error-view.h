/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "tirkeu-portal-code.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_ERROR_VIEW (tirkeu_error_view_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuErrorView, tirkeu_error_view, TIRKEU, ERROR_VIEW, GtkBox)

GtkWidget  *tirkeu_error_view_new        (void);
void        tirkeu_error_view_set_error  (TirkeuErrorView  *self,
                                          guint             step,
                                          const GError     *error);
void        tirkeu_error_view_set_code   (TirkeuErrorView  *self,
                                          guint             step,
                                          TirkeuPortalCode  code,
                                          const char       *portal_text,
                                          const char       *details);
void        tirkeu_error_view_set_payment_stop   (TirkeuErrorView  *self,
                                                  guint             step,
                                                  TirkeuPortalCode  code,
                                                  gboolean          no_data,
                                                  const char       *portal_text);
void        tirkeu_error_view_set_active_request (TirkeuErrorView  *self,
                                                  guint             step,
                                                  const char       *request_id,
                                                  const char       *details);
void        tirkeu_error_view_describe   (const GError     *error,
                                          char            **title,
                                          char            **action,
                                          char            **details);
GtkWidget  *tirkeu_error_view_get_request_button (TirkeuErrorView *self);
void        tirkeu_error_view_clear      (TirkeuErrorView  *self);
const char *tirkeu_error_view_get_title  (TirkeuErrorView  *self);
const char *tirkeu_error_view_get_action (TirkeuErrorView  *self);
const char *tirkeu_error_view_get_details (TirkeuErrorView *self);

G_END_DECLS
