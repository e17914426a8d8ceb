/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-a11y.h"
#include "tirkeu-pin-dialog.h"
#include "tirkeu-session.h"

/**
 * TirkeuPinDialog:
 *
 * Asks for the token's PIN, showing which certificate will be used and the PIN state the
 * token reports (a wrong PIN was entered and few tries are left, one try left, locked, the
 * factory PIN still in use). A locked PIN cannot be entered: the Sign button stays off.
 */
struct _TirkeuPinDialog
{
  AdwMessageDialog  parent_instance;

  /* template widgets */
  GtkLabel         *certificate_label;
  GtkLabel         *pin_state_label;
  GtkLabel         *error_label;
  GtkWidget        *pin_entry;

  /* state */
  GTask            *task;
  GCancellable     *cancellable;
  gulong            cancelled_id;
  TirkeuPinFlags    flags;
};

G_DEFINE_FINAL_TYPE (TirkeuPinDialog, tirkeu_pin_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
tirkeu_pin_dialog_response (AdwMessageDialog *dialog,
                            const char       *response)
{
  TirkeuPinDialog *self = TIRKEU_PIN_DIALOG (dialog);
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task != NULL)
    {
      if (g_strcmp0 (response, "sign") == 0)
        {
          char *pin = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->pin_entry)));

          g_task_return_pointer (task, pin, (GDestroyNotify) tirkeu_wipe_string);
        }
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
    }
  /* Nothing of the PIN stays in the widget. */
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");

  if (ADW_MESSAGE_DIALOG_CLASS (tirkeu_pin_dialog_parent_class)->response != NULL)
    ADW_MESSAGE_DIALOG_CLASS (tirkeu_pin_dialog_parent_class)->response (dialog, response);
}

static void
pin_changed_cb (TirkeuPinDialog *self)
{
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_entry));

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "sign",
                                           *pin != '\0'
                                           && !(self->flags & TIRKEU_PIN_FLAGS_LOCKED));
}

static void
close_idle_cb (gpointer user_data)
{
  g_autoptr(TirkeuPinDialog) self = user_data;

  /* GTK 4.8: the password entry must lose the focus before its window goes, or the window's
   * focus notification reaches the disposed entry. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_window_set_transient_for (GTK_WINDOW (self), NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* GTK 4.8 forgets a transient parent that is destroyed without disconnecting from it: a
 * dialog that outlives its window (the app quit while the dialog's task or its closing idle
 * still held it) then disconnects from a freed window when it goes. Let go of it in time. */
static void
parent_destroyed_cb (TirkeuPinDialog *self)
{
  gtk_window_set_transient_for (GTK_WINDOW (self), NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Enter in the PIN entry signs, as the default response would. */
static void
pin_activate_cb (TirkeuPinDialog *self)
{
  if (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (self), "sign"))
    {
      /* Like a click on the button: the response, then the dialog closes. */
      adw_message_dialog_response (ADW_MESSAGE_DIALOG (self), "sign");
      /* Not destroyed inside the entry's own signal emission. */
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      g_idle_add_once (close_idle_cb, g_object_ref (self));
    }
}

/* Asked to stop (the PIN is no longer needed): the dialog answers "cancelled" and closes, as
 * if the person had cancelled it, outside the cancellable's own signal. */
static void
cancel_idle_cb (gpointer user_data)
{
  g_autoptr(TirkeuPinDialog) self = user_data;

  if (self->task == NULL)
    return;
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (self), "cancel");
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  g_idle_add_once (close_idle_cb, g_object_ref (self));
}

static void
cancelled_cb (GCancellable    *cancellable,
              TirkeuPinDialog *self)
{
  g_idle_add_once (cancel_idle_cb, g_object_ref (self));
}

/* An NCA key file has a password, not a PIN: the signing agent says «құпиясөз» / «пароль»
 * for it, and so do we. */
static void
use_key_file_wording (TirkeuPinDialog *self)
{
  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self),
                                  /* Translators: the password of an NCA key file (GOST512_….p12); the signing agent calls it «құпиясөз» / «пароль» */
                                  _("Enter the Key File’s Password"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->pin_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  /* Translators: the password of an NCA key file */
                                  _("Password of the key file"), -1);
}

static void
tirkeu_pin_dialog_dispose (GObject *object)
{
  TirkeuPinDialog *self = TIRKEU_PIN_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_disconnect (self->cancellable, self->cancelled_id);
  self->cancelled_id = 0;
  g_clear_object (&self->cancellable);

  if (self->task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->task);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
    }
  /* No gtk_widget_dispose_template(): every bound child lives inside the extra child, which
   * AdwMessageDialog unparents itself (disposing the template too unparents them twice). */

  G_OBJECT_CLASS (tirkeu_pin_dialog_parent_class)->dispose (object);
}

static void
tirkeu_pin_dialog_class_init (TirkeuPinDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = tirkeu_pin_dialog_dispose;
  dialog_class->response = tirkeu_pin_dialog_response;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-pin-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TirkeuPinDialog, certificate_label);
  gtk_widget_class_bind_template_child (widget_class, TirkeuPinDialog, pin_state_label);
  gtk_widget_class_bind_template_child (widget_class, TirkeuPinDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, TirkeuPinDialog, pin_entry);
}

static void
tirkeu_pin_dialog_init (TirkeuPinDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  tirkeu_a11y_fix_button_names (GTK_WIDGET (self));
  g_signal_connect_swapped (self->pin_entry, "changed", G_CALLBACK (pin_changed_cb), self);
  g_signal_connect_swapped (self->pin_entry, "activate", G_CALLBACK (pin_activate_cb), self);
  pin_changed_cb (self);
}

/**
 * tirkeu_pin_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @token: (nullable): the token, with its PIN flags read just before
 * @certificate: (nullable): the certificate that will sign
 * @purpose: the dialog's body: what the signature is for
 *
 * Returns: (transfer full): a new dialog; present it with tirkeu_pin_dialog_ask_async()
 */
TirkeuPinDialog *
tirkeu_pin_dialog_new (GtkWindow         *parent,
                       TirkeuTokenInfo   *token,
                       TirkeuCertificate *certificate,
                       const char        *purpose)
{
  TirkeuPinDialog *self = g_object_new (TIRKEU_TYPE_PIN_DIALOG,
                                        "transient-for", parent,
                                        "body", purpose,
                                        NULL);
  g_autoptr(GString) certificate_text = g_string_new (NULL);
  const char *warning = NULL;

  if (parent != NULL)
    g_signal_connect_object (parent, "destroy", G_CALLBACK (parent_destroyed_cb), self,
                             G_CONNECT_SWAPPED);
  if (certificate != NULL)
    {
      g_string_append (certificate_text, tirkeu_certificate_get_owner_name (certificate));
      if (tirkeu_certificate_get_organisation (certificate) != NULL)
        g_string_append_printf (certificate_text, "\n%s",
                                tirkeu_certificate_get_organisation (certificate));
      /* A GOST 2015 key is one key for sign-in and signing: its EKU makes get_kind() say
       * SIGN, which would call the key that signs in a "signing key". */
      if (tirkeu_certificate_is_one_key (certificate))
        /* Translators: the kind of key that signs; NCA's GOST 2015 keys since 2024 serve both */
        g_string_append_printf (certificate_text, "\n%s", _("Key for sign-in and signing (GOST 2015)"));
      else if (tirkeu_certificate_serves (certificate, TIRKEU_CERTIFICATE_KIND_AUTH))
        /* Translators: the kind of key that signs; AUTH is the NCA's authentication key */
        g_string_append_printf (certificate_text, "\n%s", _("Authentication key (AUTH)"));
      else
        /* Translators: the kind of key that signs; RSA/GOST sign key (SIGN) of the NCA */
        g_string_append_printf (certificate_text, "\n%s", _("Signing key (SIGN)"));
    }
  if (token != NULL && tirkeu_token_info_get_kind (token) == TIRKEU_TOKEN_KIND_KEY_FILE)
    {
      use_key_file_wording (self);
      g_string_append_c (certificate_text, '\n');
      /* Translators: %s is the key file's name, e.g. "GOST512_0123.p12" */
      g_string_append_printf (certificate_text, _("Key file: %s"), tirkeu_token_info_get_label (token));
    }
  else if (token != NULL)
    {
      g_string_append_c (certificate_text, '\n');
      /* Translators: %s is the token's label, e.g. "Kaztoken" */
      g_string_append_printf (certificate_text, _("Token: %s"), tirkeu_token_info_get_label (token));
    }
  if (token != NULL)
    {
      self->flags = tirkeu_token_info_get_pin_flags (token);
      warning = tirkeu_token_info_get_pin_warning (token);
    }
  gtk_label_set_label (self->certificate_label, certificate_text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->certificate_label), certificate_text->len > 0);
  if (warning != NULL && *warning != '\0')
    {
      gtk_label_set_label (self->pin_state_label, warning);
      gtk_widget_set_visible (GTK_WIDGET (self->pin_state_label), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->pin_entry),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, warning, -1);
    }
  if (self->flags & TIRKEU_PIN_FLAGS_LOCKED)
    gtk_widget_set_sensitive (self->pin_entry, FALSE);
  pin_changed_cb (self);
  return self;
}

/**
 * tirkeu_pin_dialog_new_for_key_file:
 * @parent: (nullable): the window it belongs to
 * @file_name: the key file's name, e.g. `GOST512_….p12`
 * @purpose: the dialog's body: what the password is for
 *
 * Asks for the password of an NCA key file that is not open yet (its certificate is
 * encrypted with the password too, so nothing of it is known before).
 *
 * Returns: (transfer full): a new dialog; present it with tirkeu_pin_dialog_ask_async()
 */
TirkeuPinDialog *
tirkeu_pin_dialog_new_for_key_file (GtkWindow  *parent,
                                    const char *file_name,
                                    const char *purpose)
{
  TirkeuPinDialog *self = tirkeu_pin_dialog_new (parent, NULL, NULL, purpose);
  g_autofree char *text = NULL;

  g_return_val_if_fail (file_name != NULL, self);

  use_key_file_wording (self);
  /* The password opens the file here; nothing is signed with it yet. */
  tirkeu_pin_dialog_set_accept_label (self, _("_Open"));
  /* Translators: %s is the key file's name, e.g. "GOST512_0123.p12" */
  text = g_strdup_printf (_("Key file: %s"), file_name);
  gtk_label_set_label (self->certificate_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->certificate_label), TRUE);
  return self;
}

/**
 * tirkeu_pin_dialog_set_accept_label:
 * @label: the accepting button's label, with its mnemonic (e.g. "_Sign In")
 *
 * Names what the PIN or password does now: "Sign" by default, "Sign In" for the portal's
 * sign-in challenge, "Open" for a key file that is only being opened.
 */
void
tirkeu_pin_dialog_set_accept_label (TirkeuPinDialog *self,
                                    const char      *label)
{
  g_return_if_fail (TIRKEU_IS_PIN_DIALOG (self));
  g_return_if_fail (label != NULL);

  adw_message_dialog_set_response_label (ADW_MESSAGE_DIALOG (self), "sign", label);
  /* The new label is the button's accessible name again, underline and all (GTK 4.8) */
  tirkeu_a11y_fix_button_names (GTK_WIDGET (self));
}

/**
 * tirkeu_pin_dialog_set_error:
 * @message: (nullable): why the last PIN was refused
 */
void
tirkeu_pin_dialog_set_error (TirkeuPinDialog *self,
                             const char      *message)
{
  g_return_if_fail (TIRKEU_IS_PIN_DIALOG (self));

  gboolean shown = message != NULL && *message != '\0';

  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), shown);

  /* The refusal of a wrong PIN already says, in the signing agent's words, how many tries
   * are left («Қате құпиясөз. Қалған мүмкіндіктер саны: 1»): the token's own tries-left
   * warning under it would be a second, near-identical line. Other warnings (a factory
   * PIN) say something else and stay. */
  if (shown && (self->flags & (TIRKEU_PIN_FLAGS_COUNT_LOW | TIRKEU_PIN_FLAGS_FINAL_TRY)))
    gtk_widget_set_visible (GTK_WIDGET (self->pin_state_label), FALSE);
}

/**
 * tirkeu_pin_dialog_get_certificate_text:
 *
 * Returns: the lines shown about the certificate and token, "" when none (for tests)
 */
const char *
tirkeu_pin_dialog_get_certificate_text (TirkeuPinDialog *self)
{
  g_return_val_if_fail (TIRKEU_IS_PIN_DIALOG (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->certificate_label))
         ? gtk_label_get_label (self->certificate_label) : "";
}

/**
 * tirkeu_pin_dialog_get_pin_state:
 *
 * Returns: the PIN state shown, "" when the token reports nothing
 */
const char *
tirkeu_pin_dialog_get_pin_state (TirkeuPinDialog *self)
{
  g_return_val_if_fail (TIRKEU_IS_PIN_DIALOG (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->pin_state_label))
         ? gtk_label_get_label (self->pin_state_label) : "";
}

/**
 * tirkeu_pin_dialog_get_error:
 *
 * Returns: why the last PIN was refused, as shown, "" when nothing is (for tests)
 */
const char *
tirkeu_pin_dialog_get_error (TirkeuPinDialog *self)
{
  g_return_val_if_fail (TIRKEU_IS_PIN_DIALOG (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label))
         ? gtk_label_get_label (self->error_label) : "";
}

/**
 * tirkeu_pin_dialog_get_entry:
 *
 * Returns: (transfer none): the PIN entry (for tests and focus)
 */
GtkWidget *
tirkeu_pin_dialog_get_entry (TirkeuPinDialog *self)
{
  g_return_val_if_fail (TIRKEU_IS_PIN_DIALOG (self), NULL);
  return self->pin_entry;
}

/**
 * tirkeu_pin_dialog_ask_async:
 *
 * Presents the dialog; the result is the PIN typed, or %G_IO_ERROR_CANCELLED. Cancelling
 * @cancellable closes the dialog as its Cancel button does.
 */
void
tirkeu_pin_dialog_ask_async (TirkeuPinDialog     *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (TIRKEU_IS_PIN_DIALOG (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, tirkeu_pin_dialog_ask_async);
  if (cancellable != NULL)
    {
      self->cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self,
                                                  NULL);
    }
  gtk_window_present (GTK_WINDOW (self));
  gtk_widget_grab_focus (self->pin_entry);
}

/**
 * tirkeu_pin_dialog_ask_finish:
 *
 * Returns: (transfer full): the PIN; free it with tirkeu_wipe_string()
 */
char *
tirkeu_pin_dialog_ask_finish (TirkeuPinDialog  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
