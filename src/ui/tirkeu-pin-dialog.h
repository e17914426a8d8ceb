/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tirkeu-certificate.h"
#include "tirkeu-token-info.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_PIN_DIALOG (tirkeu_pin_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuPinDialog, tirkeu_pin_dialog, TIRKEU, PIN_DIALOG, AdwMessageDialog)

TirkeuPinDialog *tirkeu_pin_dialog_new             (GtkWindow          *parent,
                                                    TirkeuTokenInfo    *token,
                                                    TirkeuCertificate  *certificate,
                                                    const char         *purpose);
TirkeuPinDialog *tirkeu_pin_dialog_new_for_key_file (GtkWindow        *parent,
                                                     const char       *file_name,
                                                     const char       *purpose);
void             tirkeu_pin_dialog_set_accept_label (TirkeuPinDialog   *self,
                                                     const char        *label);
void             tirkeu_pin_dialog_set_error       (TirkeuPinDialog    *self,
                                                    const char         *message);
const char      *tirkeu_pin_dialog_get_pin_state   (TirkeuPinDialog    *self);
const char      *tirkeu_pin_dialog_get_error       (TirkeuPinDialog    *self);
const char      *tirkeu_pin_dialog_get_certificate_text (TirkeuPinDialog *self);
GtkWidget       *tirkeu_pin_dialog_get_entry       (TirkeuPinDialog    *self);
void             tirkeu_pin_dialog_ask_async       (TirkeuPinDialog    *self,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
char            *tirkeu_pin_dialog_ask_finish      (TirkeuPinDialog    *self,
                                                    GAsyncResult       *result,
                                                    GError            **error);

G_END_DECLS
