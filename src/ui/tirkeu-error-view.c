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
 * One failure as the desk shows it (issue 6, point 5): the catalogue's message in the
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
 * @details: (nullable): technical details
 */
void
tirkeu_error_view_set_code (TirkeuErrorView  *self,
                            guint             step,
                            TirkeuPortalCode  code,
                            const char       *portal_text,
                            const char       *details)
{
  g_autoptr(GString) more = g_string_new (NULL);

  g_return_if_fail (TIRKEU_IS_ERROR_VIEW (self));

  if (portal_text != NULL && *portal_text != '\0')
    /* Translators: the portal's own wording of an error, under "Details" */
    g_string_append_printf (more, _("The portal says: %s"), portal_text);
  if (details != NULL && *details != '\0')
    g_string_append_printf (more, "%s%s", more->len > 0 ? "\n" : "", details);
  g_string_append_printf (more, "%s%s", more->len > 0 ? "\n" : "", tirkeu_portal_code_to_string (code));
  show (self, step, tirkeu_catalogue_code_title (code), tirkeu_catalogue_code_action (code),
        more->str);
}

/**
 * tirkeu_error_view_set_error:
 * @step: the step it came from, 0 when none applies
 * @error: a portal, token or other error
 */
void
tirkeu_error_view_set_error (TirkeuErrorView *self,
                             guint            step,
                             const GError    *error)
{
  g_return_if_fail (TIRKEU_IS_ERROR_VIEW (self));
  g_return_if_fail (error != NULL);

  if (error->domain == TIRKEU_PORTAL_ERROR)
    {
      const char *portal_text = tirkeu_portal_error_get_message (error, tirkeu_i18n_get_language ());
      g_autofree char *details = g_strdup (error->message);

      tirkeu_error_view_set_code (self, step, (TirkeuPortalCode) error->code, portal_text, details);
    }
  else if (error->domain == TIRKEU_TOKEN_ERROR)
    {
      /* Token messages are already the translated wording users know from the signing agent. */
      show (self, step, tirkeu_token_error_to_message ((TirkeuTokenError) error->code),
            _("Check the token and the PIN, then try again."), error->message);
    }
  else
    {
      show (self, step, _("Something went wrong"), _("Try again. If it keeps failing, tell your administrator what the details say."),
            error->message);
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
