/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-error-view.h"
#include "tirkeu-i18n.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-token-error.h"

/**
 * TirkeuErrorView:
 *
 * One failure as the desk shows it: the catalogue's message in the
 * interface language, the step of the algorithm it came from, what to do next, and behind a
 * "Details" expander the portal's own text and the technical details. Raw server or library
 * text never stands alone.
 */
struct _TirkeuErrorView
{
  GtkBox       parent_instance;

  GtkLabel    *title_label;
  GtkLabel    *step_label;
  GtkLabel    *action_label;
  GtkExpander *details_expander;
  GtkLabel    *details_label;
};

G_DEFINE_FINAL_TYPE (TirkeuErrorView, tirkeu_error_view, GTK_TYPE_BOX)

static GtkLabel *
add_label (TirkeuErrorView *self,
           const char      *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (GTK_BOX (self), label);
  return GTK_LABEL (label);
}

static void
tirkeu_error_view_class_init (TirkeuErrorViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_css_name (widget_class, "errorview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_ALERT);
}

static void
tirkeu_error_view_init (TirkeuErrorView *self)
{
  GtkWidget *details;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);
  gtk_widget_add_css_class (GTK_WIDGET (self), "card");
  gtk_widget_add_css_class (GTK_WIDGET (self), "error-view");

  self->title_label = add_label (self, "heading");
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "error");
  self->step_label = add_label (self, "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->step_label), "caption");
  self->action_label = add_label (self, NULL);

  /* Translators: an expander that shows the portal's own text and technical details. */
  self->details_expander = GTK_EXPANDER (gtk_expander_new_with_mnemonic (_("_Details")));
  details = gtk_label_new (NULL);
  self->details_label = GTK_LABEL (details);
  gtk_label_set_wrap (self->details_label, TRUE);
  gtk_label_set_xalign (self->details_label, 0);
  gtk_label_set_selectable (self->details_label, TRUE);
  gtk_widget_add_css_class (details, "monospace");
  gtk_expander_set_child (self->details_expander, details);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->details_expander));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->details_expander),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Details"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->details_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Error details"), -1);

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
tirkeu_error_view_new (void)
{
  return g_object_new (TIRKEU_TYPE_ERROR_VIEW, NULL);
}

static void
show (TirkeuErrorView *self,
      guint            step,
      const char      *title,
      const char      *action,
      const char      *details)
{
  g_autofree char *step_text = NULL;

  gtk_label_set_label (self->title_label, title);
  if (step > 0)
    /* Translators: the step of the pilot algorithm (1-19) a failure came from */
    step_text = g_strdup_printf (_("Step %u of the registration"), step);
  gtk_label_set_label (self->step_label, step_text != NULL ? step_text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->step_label), step_text != NULL);
  gtk_label_set_label (self->action_label, action != NULL ? action : "");
  gtk_widget_set_visible (GTK_WIDGET (self->action_label), action != NULL && *action != '\0');
  gtk_label_set_label (self->details_label, details != NULL ? details : "");
  gtk_expander_set_expanded (self->details_expander, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->details_expander), details != NULL && *details != '\0');
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  action != NULL ? action : "", -1);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
}

/**
 * tirkeu_error_view_set_code:
 * @step: the step of the algorithm (1-19), 0 when none applies
 * @code: the portal's code
 * @portal_text: (nullable): the portal's own message
 * @details: (nullable): technical details, already in the interface language or raw
 *   library text
 *
 * Under "Details": the portal's own words, @details, then the code labelled as one
 * ("Error code: OKED_MISMATCH") so that a reader can quote it.
 */
void
tirkeu_error_view_set_code (TirkeuErrorView  *self,
                            guint             step,
                            TirkeuPortalCode  code,
                            const char       *portal_text,
                            const char       *details)
{
  g_autoptr(GString) more = g_string_new (NULL);
  g_autofree char *code_label = NULL;

  g_return_if_fail (TIRKEU_IS_ERROR_VIEW (self));

  if (portal_text != NULL && *portal_text != '\0')
    /* Translators: the portal's own wording of an error, under "Details" */
    g_string_append_printf (more, _("The portal says: %s"), portal_text);
  if (details != NULL && *details != '\0')
    g_string_append_printf (more, "%s%s", more->len > 0 ? "\n" : "", details);
  code_label = tirkeu_catalogue_error_code_label (tirkeu_portal_code_to_string (code));
  g_string_append_printf (more, "%s%s", more->len > 0 ? "\n" : "", code_label);
  show (self, step, tirkeu_catalogue_code_title (code), tirkeu_catalogue_code_action (code),
        more->str);
}

/**
 * tirkeu_error_view_set_error:
 * @step: the step it came from, 0 when none applies
 * @error: an error from any layer
 *
 * The title and the sentence come from @error's domain and code (the portal's codes, the
 * token's, and through tirkeu_catalogue_describe_error() GLib's, libsoup's, TLS's and the
 * journal's); the error's own message, which GLib, libsoup, GnuTLS, OpenSSL or the PKCS#11
 * module wrote in English, only goes under "Details".
 */
void
tirkeu_error_view_set_error (TirkeuErrorView *self,
                             guint            step,
                             const GError    *error)
{
  const char *title = NULL;
  const char *action = NULL;

  g_return_if_fail (TIRKEU_IS_ERROR_VIEW (self));
  g_return_if_fail (error != NULL);

  if (error->domain == TIRKEU_PORTAL_ERROR && error->code >= 0
      && error->code < TIRKEU_N_PORTAL_CODES)
    {
      const char *portal_text = tirkeu_portal_error_get_message (error, tirkeu_i18n_get_language ());
      /* A wire error's message is "CODE: the portal's English", both shown otherwise. */
      const char *details = tirkeu_portal_code_is_wire ((TirkeuPortalCode) error->code)
                            ? NULL : error->message;

      tirkeu_error_view_set_code (self, step, (TirkeuPortalCode) error->code, portal_text, details);
    }
  else if (error->domain == TIRKEU_TOKEN_ERROR)
    {
      title = tirkeu_token_error_to_message ((TirkeuTokenError) error->code);
      /* The message often is the title itself: never show one line twice. */
      show (self, step, title, _("Check the token and the PIN, then try again."),
            tirkeu_catalogue_error_details (title, error->message));
    }
  else if (tirkeu_catalogue_describe_error (error, &title, &action))
    {
      g_autofree char *code = g_strdup_printf ("%s %d", g_quark_to_string (error->domain),
                                               error->code);
      g_autofree char *code_label = tirkeu_catalogue_error_code_label (code);
      g_autofree char *details = g_strdup_printf ("%s\n%s", error->message, code_label);

      show (self, step, title, action, details);
    }
  else
    {
      /* The app's own translated sentence (an input or option error) */
      show (self, step, error->message, NULL, NULL);
    }
}

void
tirkeu_error_view_clear (TirkeuErrorView *self)
{
  g_return_if_fail (TIRKEU_IS_ERROR_VIEW (self));

  gtk_label_set_label (self->title_label, "");
  gtk_label_set_label (self->action_label, "");
  gtk_label_set_label (self->details_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

const char *
tirkeu_error_view_get_title (TirkeuErrorView *self)
{
  g_return_val_if_fail (TIRKEU_IS_ERROR_VIEW (self), NULL);
  return gtk_label_get_label (self->title_label);
}

const char *
tirkeu_error_view_get_action (TirkeuErrorView *self)
{
  g_return_val_if_fail (TIRKEU_IS_ERROR_VIEW (self), NULL);
  return gtk_label_get_label (self->action_label);
}

const char *
tirkeu_error_view_get_details (TirkeuErrorView *self)
{
  g_return_val_if_fail (TIRKEU_IS_ERROR_VIEW (self), NULL);
  return gtk_label_get_label (self->details_label);
}
