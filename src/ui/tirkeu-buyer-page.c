/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tirkeu-a11y.h"
#include "tirkeu-error-view.h"
#include "tirkeu-iin.h"
#include "tirkeu-new-request-pages.h"
#include "tirkeu-new-request-pages-private.h"
#include "tirkeu-portal-error.h"

/**
 * TirkeuBuyerPage:
 *
 * The buyer's IIN as typed, and steps 6-7 as GBD FL answers them (the #TirkeuNewRequest
 * checks a valid IIN at once). Enter emits #TirkeuBuyerPage::activate.
 */
struct _TirkeuBuyerPage
{
  AdwBin            parent_instance;

  /* template widgets */
  GtkEntry         *iin_entry;
  GtkLabel         *iin_hint;
  GtkWidget        *buyer_spinner;
  GtkWidget        *buyer_group;
  AdwActionRow     *buyer_row;
  TirkeuErrorView  *buyer_error;

  /* owned references */
  TirkeuNewRequest *request;
  GSignalGroup     *request_signals;

  /* state */
  guint             refused : 1;
};

G_DEFINE_FINAL_TYPE (TirkeuBuyerPage, tirkeu_buyer_page, ADW_TYPE_BIN)

enum {
  ACTIVATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* When the IIN is refused (not found, deceased, or the check failed), it is selected in the
 * field, so that the next scan or typed IIN replaces it rather than adding to it. Once per
 * refusal: the clerk may then move the cursor as they like. */
static void
select_refused_iin (TirkeuBuyerPage *self,
                    gboolean         refused)
{
  if (refused && !self->refused && gtk_widget_get_mapped (GTK_WIDGET (self->iin_entry)))
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->iin_entry));
      gtk_editable_select_region (GTK_EDITABLE (self->iin_entry), 0, -1);
    }
  self->refused = refused;
}

static void
show_person (TirkeuBuyerPage *self)
{
  const TirkeuPortalPerson *person = NULL;
  const GError *error = NULL;
  gboolean checking = FALSE;

  if (self->request != NULL)
    {
      person = tirkeu_new_request_get_person (self->request);
      error = tirkeu_new_request_get_buyer_error (self->request);
      checking = tirkeu_new_request_get_buyer_checking (self->request);
    }
  gtk_widget_set_visible (self->buyer_spinner, checking);
  gtk_spinner_set_spinning (GTK_SPINNER (self->buyer_spinner), checking);
  tirkeu_error_view_clear (self->buyer_error);
  gtk_widget_set_visible (self->buyer_group, FALSE);

  select_refused_iin (self, error != NULL
                            || (person != NULL && person->status != TIRKEU_PORTAL_PERSON_ACTIVE));
  if (error != NULL)
    tirkeu_error_view_set_error (self->buyer_error, _tirkeu_new_request_step_of_error (error, 7),
                                 error);
  else if (person != NULL && person->status != TIRKEU_PORTAL_PERSON_ACTIVE)
    {
      /* Step 7: a deceased or invalidated IIN cannot buy, as if not found. */
      /* Translators: under "Details": why the state database of individuals does not
       * accept the buyer's IIN */
      const char *details = person->status == TIRKEU_PORTAL_PERSON_DECEASED
                            ? _("Status in the state database of individuals: deceased")
                            : _("Status in the state database of individuals: IIN invalidated");

      tirkeu_error_view_set_code (self->buyer_error, 7, TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND, NULL,
                                  details);
    }
  else if (person != NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->buyer_row), person->full_name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->buyer_row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      person->full_name, -1);
      gtk_widget_set_visible (self->buyer_group, TRUE);
    }
}

static void
update_hint (TirkeuBuyerPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->iin_entry));
  g_autofree char *normalized = tirkeu_iin_normalize (text);
  g_autoptr(GError) error = NULL;
  TirkeuIinInfo info;

  gtk_widget_remove_css_class (GTK_WIDGET (self->iin_hint), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->iin_entry), "error");

  if (*normalized == '\0')
    {
      gtk_label_set_label (self->iin_hint, _("12 digits."));
      return;
    }
  if (!tirkeu_iin_parse (normalized, &info, &error))
    {
      if (info.error_position == 0 && g_utf8_strlen (normalized, -1) < 12)
        {
          g_autofree char *count = g_strdup_printf (_("%ld of 12 digits"), g_utf8_strlen (normalized, -1));

          gtk_label_set_label (self->iin_hint, count);
        }
      else
        {
          _tirkeu_new_request_set_hint_error (self->iin_hint, normalized, info.error_position,
                                              error->message);
          gtk_widget_add_css_class (GTK_WIDGET (self->iin_entry), "error");
        }
      return;
    }

  if (info.birth_year != 0)
    {
      g_autoptr(GDateTime) birth = g_date_time_new_local ((int) info.birth_year, (int) info.birth_month,
                                                          (int) info.birth_day, 0, 0, 0);
      g_autofree char *date = birth != NULL ? g_date_time_format (birth, "%d.%m.%Y") : NULL;
      /* Translators: a hint only: since 2013 the IIN need not match the birth date */
      g_autofree char *hint = g_strdup_printf (_("Born %s, according to the IIN (a hint only)"),
                                               date != NULL ? date : "—");

      gtk_label_set_label (self->iin_hint, hint);
    }
  else
    gtk_label_set_label (self->iin_hint, "");
}

/* The field takes an IIN's 12 digits and no more: a second scan into a full field, or a
 * thirteenth key, does not make a wrong IIN of a right one. Spaces and dashes (a pasted
 * "850312 300121") pass, as they do not count; the hint names other wrong characters. */
static void
iin_insert_text_cb (GtkEditable     *editable,
                    const char      *text,
                    int              length,
                    int             *position,
                    TirkeuBuyerPage *self)
{
  g_autofree char *current = tirkeu_iin_normalize (gtk_editable_get_text (editable));
  g_autofree char *typed = g_strndup (text, length < 0 ? strlen (text) : (gsize) length);
  g_autofree char *added = tirkeu_iin_normalize (typed);
  glong room = 12 - g_utf8_strlen (current, -1);
  g_autoptr(GString) kept = NULL;
  glong counted = 0;

  if (g_utf8_strlen (added, -1) <= room)
    return;

  /* Keep what fits, in order, with the separators among it. */
  kept = g_string_new (NULL);
  for (const char *p = typed; *p != '\0' && counted < room; p = g_utf8_next_char (p))
    {
      g_autofree char *one = g_strndup (p, g_utf8_next_char (p) - p);
      g_autofree char *normalized_one = tirkeu_iin_normalize (one);

      g_string_append (kept, one);
      if (*normalized_one != '\0')
        counted++;
    }
  g_signal_stop_emission_by_name (editable, "insert-text");
  gtk_widget_error_bell (GTK_WIDGET (self->iin_entry));
  if (kept->len == 0)
    return;
  g_signal_handlers_block_by_func (editable, iin_insert_text_cb, self);
  gtk_editable_insert_text (editable, kept->str, (int) kept->len, position);
  g_signal_handlers_unblock_by_func (editable, iin_insert_text_cb, self);
}

static void
iin_changed_cb (TirkeuBuyerPage *self)
{
  update_hint (self);
  if (self->request != NULL)
    tirkeu_new_request_set_buyer_iin (self->request,
                                      gtk_editable_get_text (GTK_EDITABLE (self->iin_entry)));
}

static void
iin_activate_cb (TirkeuBuyerPage *self)
{
  g_signal_emit (self, signals[ACTIVATE], 0);
}

/**
 * tirkeu_buyer_page_set_request:
 * @request: the request this page shows and edits
 */
void
tirkeu_buyer_page_set_request (TirkeuBuyerPage  *self,
                               TirkeuNewRequest *request)
{
  g_return_if_fail (TIRKEU_IS_BUYER_PAGE (self));
  g_return_if_fail (request == NULL || TIRKEU_IS_NEW_REQUEST (request));

  g_set_object (&self->request, request);
  g_signal_group_set_target (self->request_signals, request);
  g_signal_handlers_block_by_func (self->iin_entry, iin_changed_cb, self);
  gtk_editable_set_text (GTK_EDITABLE (self->iin_entry),
                         request != NULL ? tirkeu_new_request_get_draft (request)->buyer_iin : "");
  g_signal_handlers_unblock_by_func (self->iin_entry, iin_changed_cb, self);
  /* A request the portal created keeps its values: it is signed as it is, or withdrawn. */
  gtk_editable_set_editable (GTK_EDITABLE (self->iin_entry),
                             request == NULL
                             || !tirkeu_draft_get_is_created (tirkeu_new_request_get_draft (request)));
  update_hint (self);
  show_person (self);
}

/**
 * tirkeu_buyer_page_get_entry:
 *
 * Returns: (transfer none): the IIN entry
 */
GtkWidget *
tirkeu_buyer_page_get_entry (TirkeuBuyerPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_BUYER_PAGE (self), NULL);
  return GTK_WIDGET (self->iin_entry);
}

/**
 * tirkeu_buyer_page_get_error_view:
 *
 * Returns: (transfer none): the page's error view
 */
GtkWidget *
tirkeu_buyer_page_get_error_view (TirkeuBuyerPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_BUYER_PAGE (self), NULL);
  return GTK_WIDGET (self->buyer_error);
}

static void
tirkeu_buyer_page_dispose (GObject *object)
{
  TirkeuBuyerPage *self = TIRKEU_BUYER_PAGE (object);

  g_clear_object (&self->request_signals);
  g_clear_object (&self->request);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TIRKEU_TYPE_BUYER_PAGE);

  G_OBJECT_CLASS (tirkeu_buyer_page_parent_class)->dispose (object);
}

static void
tirkeu_buyer_page_class_init (TirkeuBuyerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tirkeu_buyer_page_dispose;

  /**
   * TirkeuBuyerPage::activate:
   *
   * Enter in the IIN entry.
   */
  signals[ACTIVATE] =
    g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (TIRKEU_TYPE_ERROR_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-buyer-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, TirkeuBuyerPage, name)
  BIND (iin_entry);
  BIND (iin_hint);
  BIND (buyer_spinner);
  BIND (buyer_group);
  BIND (buyer_row);
  BIND (buyer_error);
#undef BIND
}

static void
tirkeu_buyer_page_init (TirkeuBuyerPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  tirkeu_a11y_describe_entry (GTK_WIDGET (self->iin_entry), GTK_WIDGET (self->iin_hint));
  self->request_signals = g_signal_group_new (TIRKEU_TYPE_NEW_REQUEST);
  g_signal_group_connect_swapped (self->request_signals, "notify::person",
                                  G_CALLBACK (show_person), self);
  g_signal_group_connect_swapped (self->request_signals, "notify::checking",
                                  G_CALLBACK (show_person), self);
  /* GtkEntry emits ::insert-text on its GtkText, for typing and gtk_editable_set_text() alike. */
  g_signal_connect (gtk_editable_get_delegate (GTK_EDITABLE (self->iin_entry)), "insert-text",
                    G_CALLBACK (iin_insert_text_cb), self);
  g_signal_connect_swapped (self->iin_entry, "changed", G_CALLBACK (iin_changed_cb), self);
  g_signal_connect_swapped (self->iin_entry, "activate", G_CALLBACK (iin_activate_cb), self);
  update_hint (self);
}
