/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

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
  GtkWidget   *request_button;   /* opens the request the error is about */
  char        *request_id;       /* that request's portal id */
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

/* To the requests list (leaving the new-request flow, whose draft stays), then that
 * request's page: the window's `win.show-requests`, then `app.show-request`. */
static void
request_button_clicked_cb (TirkeuErrorView *self)
{
  g_autofree char *request_id = g_strdup (self->request_id);

  if (request_id == NULL)
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-requests", NULL);
  gtk_widget_activate_action (GTK_WIDGET (self), "app.show-request", "s", request_id);
}

static void
tirkeu_error_view_finalize (GObject *object)
{
  TirkeuErrorView *self = TIRKEU_ERROR_VIEW (object);

  g_free (self->request_id);

  G_OBJECT_CLASS (tirkeu_error_view_parent_class)->finalize (object);
}

static void
tirkeu_error_view_class_init (TirkeuErrorViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = tirkeu_error_view_finalize;

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

  /* Translators: a button under an error about a VIN whose request is in progress: opens
   * that request */
  self->request_button = gtk_button_new_with_mnemonic (_("_Open the Request"));
  gtk_widget_set_halign (self->request_button, GTK_ALIGN_START);
  gtk_widget_set_visible (self->request_button, FALSE);
  g_signal_connect_swapped (self->request_button, "clicked",
                            G_CALLBACK (request_button_clicked_cb), self);
  gtk_box_append (GTK_BOX (self), self->request_button);

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
  gtk_widget_set_visible (self->request_button, FALSE);
  g_clear_pointer (&self->request_id, g_free);
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

/* Under "Details": the portal's own words, @details, then the code labelled as one. */
static char *
code_details (TirkeuPortalCode  code,
              const char       *portal_text,
              const char       *details)
{
  g_autoptr(GString) more = g_string_new (NULL);
  g_autofree char *code_label = NULL;

  if (portal_text != NULL && *portal_text != '\0')
    /* Translators: the portal's own wording of an error, under "Details" */
    g_string_append_printf (more, _("The portal says: %s"), portal_text);
  if (details != NULL && *details != '\0')
    g_string_append_printf (more, "%s%s", more->len > 0 ? "\n" : "", details);
  code_label = tirkeu_catalogue_error_code_label (tirkeu_portal_code_to_string (code));
  g_string_append_printf (more, "%s%s", more->len > 0 ? "\n" : "", code_label);
  return g_string_free (g_steal_pointer (&more), FALSE);
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
  g_autofree char *more = NULL;

  g_return_if_fail (TIRKEU_IS_ERROR_VIEW (self));

  more = code_details (code, portal_text, details);
  show (self, step, tirkeu_catalogue_code_title (code), tirkeu_catalogue_code_action (code),
        more);
}

/**
 * tirkeu_error_view_set_payment_stop:
 * @step: 4 or 5
 * @code: %TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID or %TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID
 * @no_data: whether the portal has no data on the payment (else: on record as not paid)
 * @portal_text: (nullable): the portal's own message
 *
 * A payment that stopped the vehicle check, as not paid or as no data
 * (tirkeu_catalogue_payment_stop()); any other @code as tirkeu_error_view_set_code().
 */
void
tirkeu_error_view_set_payment_stop (TirkeuErrorView  *self,
                                    guint             step,
                                    TirkeuPortalCode  code,
                                    gboolean          no_data,
                                    const char       *portal_text)
{
  const char *title;
  const char *action;
  g_autofree char *more = NULL;

  g_return_if_fail (TIRKEU_IS_ERROR_VIEW (self));

  if (!tirkeu_catalogue_payment_stop (code, no_data, &title, &action))
    {
      tirkeu_error_view_set_code (self, step, code, portal_text, NULL);
      return;
    }
  more = code_details (code, portal_text, NULL);
  show (self, step, title, action, more);
}

/**
 * tirkeu_error_view_set_active_request:
 * @step: the step it came from, 0 when none applies
 * @request_id: (nullable): the portal id of the request in progress for the VIN, %NULL
 *   when it is not the seller's own (then there is nothing to open)
 * @details: (nullable): the portal's own words or how it was found, for "Details"
 *
 * A VIN that already has a request in progress: said so, with a button that opens that
 * request: the requests list (`win.show-requests`, which leaves the new-request flow and
 * keeps its draft), then `app.show-request`.
 */
void
tirkeu_error_view_set_active_request (TirkeuErrorView *self,
                                      guint            step,
                                      const char      *request_id,
                                      const char      *details)
{
  g_autofree char *action = NULL;

  g_return_if_fail (TIRKEU_IS_ERROR_VIEW (self));

  action = tirkeu_catalogue_active_request_action (request_id);
  show (self, step, tirkeu_catalogue_active_request_title (), action, details);
  if (request_id != NULL)
    {
      self->request_id = g_strdup (request_id);
      gtk_widget_set_visible (self->request_button, TRUE);
    }
}

/* The portal's refusal of a new request because the VIN has one in progress: 409 CONFLICT
 * that names the request (the seller's own) or says why (another seller's). */
static gboolean
is_active_request_conflict (const GError  *error,
                            const char   **request_id)
{
  JsonNode *details;
  JsonObject *object;

  *request_id = NULL;
  if (!g_error_matches (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_CONFLICT))
    return FALSE;
  details = tirkeu_portal_error_get_details (error);
  if (details == NULL || !JSON_NODE_HOLDS_OBJECT (details))
    return FALSE;
  object = json_node_get_object (details);
  if (json_object_has_member (object, "request_id")
      && JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "request_id"))
      && json_node_get_value_type (json_object_get_member (object, "request_id")) == G_TYPE_STRING)
    {
      *request_id = json_object_get_string_member (object, "request_id");
      return TRUE;
    }
  /* Another seller's request: the portal names none, its technical reason says which. */
  return json_object_has_member (object, "reason")
         && JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "reason"))
         && json_node_get_value_type (json_object_get_member (object, "reason")) == G_TYPE_STRING
         && strstr (json_object_get_string_member (object, "reason"), "active request") != NULL;
}

/**
 * tirkeu_error_view_describe:
 * @error: an error from any layer
 * @title: (out) (transfer full): the app's own title, in the interface language
 * @action: (out) (transfer full) (nullable): what it means and what to do
 * @details: (out) (transfer full) (nullable): the raw text and the code, for "Details"
 *
 * What tirkeu_error_view_set_error() shows for @error, for the places that are not an error
 * view (the window's bars): never the library's English alone.
 */
void
tirkeu_error_view_describe (const GError  *error,
                            char         **title,
                            char         **action,
                            char         **details)
{
  const char *catalogue_title = NULL;
  const char *catalogue_action = NULL;

  g_return_if_fail (error != NULL);
  g_return_if_fail (title != NULL && action != NULL && details != NULL);

  if (error->domain == TIRKEU_PORTAL_ERROR && error->code >= 0
      && error->code < TIRKEU_N_PORTAL_CODES)
    {
      const char *portal_text = tirkeu_portal_error_get_message (error, tirkeu_i18n_get_language ());

      *title = g_strdup (tirkeu_catalogue_code_title ((TirkeuPortalCode) error->code));
      *action = g_strdup (tirkeu_catalogue_code_action ((TirkeuPortalCode) error->code));
      *details = code_details ((TirkeuPortalCode) error->code, portal_text,
                               tirkeu_portal_code_is_wire ((TirkeuPortalCode) error->code)
                               ? NULL : error->message);
    }
  else if (error->domain == TIRKEU_TOKEN_ERROR)
    {
      catalogue_title = tirkeu_token_error_to_message ((TirkeuTokenError) error->code);
      *title = g_strdup (catalogue_title);
      *action = g_strdup (_("Check the token and the PIN, then try again."));
      *details = g_strdup (tirkeu_catalogue_error_details (catalogue_title, error->message));
    }
  else if (tirkeu_catalogue_describe_error (error, &catalogue_title, &catalogue_action))
    {
      g_autofree char *code = g_strdup_printf ("%s %d", g_quark_to_string (error->domain),
                                               error->code);
      g_autofree char *code_label = tirkeu_catalogue_error_code_label (code);

      *title = g_strdup (catalogue_title);
      *action = g_strdup (catalogue_action);
      *details = g_strdup_printf ("%s\n%s", error->message, code_label);
    }
  else
    {
      /* The app's own translated sentence (an input or option error) */
      *title = g_strdup (error->message);
      *action = NULL;
      *details = NULL;
    }
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
  g_autofree char *title = NULL;
  g_autofree char *action = NULL;
  g_autofree char *details = NULL;
  const char *request_id;

  g_return_if_fail (TIRKEU_IS_ERROR_VIEW (self));
  g_return_if_fail (error != NULL);

  tirkeu_error_view_describe (error, &title, &action, &details);
  if (is_active_request_conflict (error, &request_id))
    {
      tirkeu_error_view_set_active_request (self, step, request_id, details);
      return;
    }
  show (self, step, title, action, details);
}

/**
 * tirkeu_error_view_get_request_button:
 *
 * Returns: (transfer none): the button that opens the request an error is about; shown only
 *   then
 */
GtkWidget *
tirkeu_error_view_get_request_button (TirkeuErrorView *self)
{
  g_return_val_if_fail (TIRKEU_IS_ERROR_VIEW (self), NULL);
  return self->request_button;
}

void
tirkeu_error_view_clear (TirkeuErrorView *self)
{
  g_return_if_fail (TIRKEU_IS_ERROR_VIEW (self));

  gtk_label_set_label (self->title_label, "");
  gtk_label_set_label (self->action_label, "");
  gtk_label_set_label (self->details_label, "");
  gtk_widget_set_visible (self->request_button, FALSE);
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
