/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-a11y.h"
#include "tirkeu-catalogue.h"
#include "tirkeu-new-request-pages.h"
#include "tirkeu-summary-print.h"

/**
 * TirkeuSentPage:
 *
 * The end of step 9: the request's number and what the buyer does next, or, when the portal
 * could not be reached, that the signed request waits in the outbox. A sent request's summary
 * for the buyer is printed from here (the Print button, Ctrl+P).
 */
struct _TirkeuSentPage
{
  AdwBin         parent_instance;

  /* template widgets */
  AdwStatusPage *sent_status;
  GtkLabel      *todo_title;
  GtkLabel      *todo_label;
  GtkWidget     *track_button;
  GtkLabel      *notice_label;

  /* the request sent, for printing its summary; NULL while it waits in the outbox */
  TirkeuRequest *request;
};

G_DEFINE_FINAL_TYPE (TirkeuSentPage, tirkeu_sent_page, ADW_TYPE_BIN)

/**
 * tirkeu_sent_page_show:
 * @request: (nullable): the request as the portal confirmed it
 * @queued: %TRUE if it waits in the outbox instead
 */
void
tirkeu_sent_page_show (TirkeuSentPage *self,
                       TirkeuRequest  *request,
                       gboolean        queued)
{
  g_auto(GStrv) todo = tirkeu_catalogue_buyer_todo ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *title = NULL;

  g_return_if_fail (TIRKEU_IS_SENT_PAGE (self));

  if (queued || request == NULL)
    {
      adw_status_page_set_icon_name (self->sent_status, "network-offline-symbolic");
      adw_status_page_set_title (self->sent_status, _("Signed, Waiting for the Network"));
      /* Translators: the outbox keeps a signed request until the portal confirms it */
      adw_status_page_set_description (self->sent_status,
                                       _("The portal could not be reached. The signed request is kept in the outbox and sent by itself when the network is back; it is never sent twice."));
    }
  else
    {
      /* Translators: %s is the portal's number of the request */
      title = g_strdup_printf (_("Request %s Sent"), tirkeu_request_get_portal_id (request));
      adw_status_page_set_icon_name (self->sent_status, "emblem-ok-symbolic");
      adw_status_page_set_title (self->sent_status, title);
      adw_status_page_set_description (self->sent_status,
                                       tirkeu_catalogue_stage_next (tirkeu_request_get_stage (request)));
    }
  for (guint i = 0; todo[i] != NULL; i++)
    g_string_append_printf (text, "%u. %s\n", i + 1, todo[i]);
  gtk_label_set_label (self->todo_title, tirkeu_catalogue_buyer_todo_title ());
  gtk_label_set_label (self->todo_label, text->str);
  gtk_widget_set_sensitive (self->track_button, !queued && request != NULL);

  g_set_object (&self->request, (!queued ? request : NULL));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sent.print-summary", self->request != NULL);
}

static void
print_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TirkeuSentPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (tirkeu_summary_print_finish (result, &error) || error == NULL)
    return;

  /* The request is sent whatever the printer does: say it on the page, keep the rest. */
  adw_status_page_set_description (self->sent_status, error->message);
}

static void
print_summary_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TirkeuSentPage *self = TIRKEU_SENT_PAGE (widget);

  if (self->request == NULL)
    return;

  tirkeu_summary_print_async (self->request, widget, print_done_cb, g_object_ref (self));
}

/**
 * tirkeu_sent_page_get_track_button:
 *
 * Returns: (transfer none): the button that opens the request's tracking page
 */
/**
 * tirkeu_sent_page_set_notice:
 * @notice: (nullable): what went otherwise on the way, translated (no status check of the
 *   certificate, no timestamp); %NULL for nothing
 *
 * Says it on the page, above what the buyer does next, so that the clerk knows how the
 * request went, not only that it went.
 */
void
tirkeu_sent_page_set_notice (TirkeuSentPage *self,
                             const char     *notice)
{
  g_return_if_fail (TIRKEU_IS_SENT_PAGE (self));

  gtk_label_set_label (self->notice_label, notice != NULL ? notice : "");
  gtk_widget_set_visible (GTK_WIDGET (self->notice_label), notice != NULL);
}

/**
 * tirkeu_sent_page_get_notice_label:
 *
 * Returns: (transfer none): the line that says the notice, for tests
 */
GtkWidget *
tirkeu_sent_page_get_notice_label (TirkeuSentPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_SENT_PAGE (self), NULL);
  return GTK_WIDGET (self->notice_label);
}

GtkWidget *
tirkeu_sent_page_get_track_button (TirkeuSentPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_SENT_PAGE (self), NULL);
  return self->track_button;
}

static void
tirkeu_sent_page_dispose (GObject *object)
{
  g_clear_object (&TIRKEU_SENT_PAGE (object)->request);
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), TIRKEU_TYPE_SENT_PAGE);

  G_OBJECT_CLASS (tirkeu_sent_page_parent_class)->dispose (object);
}

static void
tirkeu_sent_page_class_init (TirkeuSentPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tirkeu_sent_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-sent-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TirkeuSentPage, sent_status);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSentPage, todo_title);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSentPage, todo_label);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSentPage, track_button);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSentPage, notice_label);

  gtk_widget_class_install_action (widget_class, "sent.print-summary", NULL,
                                   print_summary_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK,
                                       "sent.print-summary", NULL);
}

static void
tirkeu_sent_page_init (TirkeuSentPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  tirkeu_a11y_fix_button_names (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sent.print-summary", FALSE);
  /* The buttons wrap in a flow box: Tab goes from button to button, not through the flow
   * box's own children too. */
  for (GtkWidget *child = gtk_widget_get_first_child (gtk_widget_get_parent (gtk_widget_get_parent (self->track_button)));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);
}
