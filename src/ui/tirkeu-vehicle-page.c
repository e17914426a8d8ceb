/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tirkeu-a11y.h"
#include "tirkeu-application.h"
#include "tirkeu-catalogue.h"
#include "tirkeu-error-view.h"
#include "tirkeu-i18n.h"
#include "tirkeu-new-request-pages.h"
#include "tirkeu-new-request-pages-private.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-vin.h"

/**
 * TirkeuVehiclePage:
 *
 * The VIN as typed (or scanned) and steps 2-5 as the portal answers them. What is typed goes
 * to the #TirkeuNewRequest, which checks a valid VIN at once; this page shows the hint under
 * the field and the answer. Enter emits #TirkeuVehiclePage::activate, after showing the VIN
 * as it was checked.
 */
struct _TirkeuVehiclePage
{
  AdwBin            parent_instance;

  /* template widgets */
  GtkEntry         *vin_entry;
  GtkLabel         *vin_hint;
  GtkLabel         *layout_note;
  GtkWidget        *vehicle_spinner;
  GtkWidget        *vehicle_group;
  AdwActionRow     *vehicle_row;
  AdwActionRow     *epassport_row;
  AdwActionRow     *customs_row;
  AdwActionRow     *utilization_row;
  GtkImage         *epassport_icon;
  GtkImage         *customs_icon;
  GtkImage         *utilization_icon;
  TirkeuErrorView  *vehicle_error;

  /* owned references */
  TirkeuNewRequest *request;
  GSignalGroup     *request_signals;

  /* state */
  guint             read_from_russian_layout : 1;
};

G_DEFINE_FINAL_TYPE (TirkeuVehiclePage, tirkeu_vehicle_page, ADW_TYPE_BIN)

enum {
  ACTIVATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_mark (GtkImage     *icon,
          AdwActionRow *row,
          gboolean      passed,
          const char   *subtitle)
{
  gtk_image_set_from_icon_name (icon, passed ? "emblem-ok-symbolic" : "dialog-error-symbolic");
  gtk_widget_remove_css_class (GTK_WIDGET (icon), passed ? "error" : "success");
  gtk_widget_add_css_class (GTK_WIDGET (icon), passed ? "success" : "error");
  adw_action_row_set_subtitle (row, subtitle != NULL ? subtitle : "");
  /* Translators: the result of a check (ru проверка, feminine): «Пройдена» */
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  passed ? C_("check", "Passed") : C_("check", "Failed"), -1);
}

/* @customs: customs payments (ru платежи, plural), else the utilization fee (ru платёж,
 * masculine): the word agrees with either in Russian. */
static const char *
payment_text (TirkeuPortalPayment payment,
              gboolean            customs)
{
  switch (payment)
    {
    case TIRKEU_PORTAL_PAYMENT_PAID:
      return customs ? C_("customs payments", "Paid") : C_("utilization fee", "Paid");
    case TIRKEU_PORTAL_PAYMENT_UNPAID:
      return customs ? C_("customs payments", "Not paid") : C_("utilization fee", "Not paid");
    case TIRKEU_PORTAL_PAYMENT_NO_DATA:
    default:
      return _("No payment data");
    }
}

/* A VIN whose request is still in progress in the journal: the portal would refuse a new
 * one (409), so it is said now, with the way to that request. */
static void
show_active_request (TirkeuVehiclePage *self,
                     const char        *vin)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *application = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root))
                                                      : NULL;
  TirkeuTracking *tracking;
  TirkeuRequest *active;
  g_autofree char *details = NULL;

  if (vin == NULL || !TIRKEU_IS_APPLICATION (application))
    return;
  tracking = tirkeu_application_get_tracking (TIRKEU_APPLICATION (application));
  if (tracking == NULL)
    return;
  active = tirkeu_request_list_find_active (tirkeu_tracking_get_list (tracking), vin,
                                            tirkeu_new_request_get_draft (self->request)->portal_id);
  if (active == NULL)
    return;
  /* Translators: under Details of "A request for this VIN is in progress": where it was
   * found, and its stage (already translated) */
  details = g_strdup_printf (_("Found in the journal on this computer; stage: %s"),
                             tirkeu_catalogue_stage_title (tirkeu_request_get_stage (active)));
  tirkeu_error_view_set_active_request (self->vehicle_error, 0,
                                        tirkeu_request_get_portal_id (active), details);
}

static void
show_vehicle (TirkeuVehiclePage *self)
{
  const TirkeuPortalVehicleCheck *check = NULL;
  const GError *error = NULL;
  const char *language = tirkeu_i18n_get_language ();
  gboolean checking = FALSE;

  if (self->request != NULL)
    {
      check = tirkeu_new_request_get_vehicle_check (self->request);
      error = tirkeu_new_request_get_vehicle_error (self->request);
      checking = tirkeu_new_request_get_vehicle_checking (self->request);
    }
  gtk_widget_set_visible (self->vehicle_spinner, checking);
  gtk_spinner_set_spinning (GTK_SPINNER (self->vehicle_spinner), checking);
  tirkeu_error_view_clear (self->vehicle_error);
  gtk_widget_set_visible (self->vehicle_group, check != NULL);
  if (error != NULL)
    tirkeu_error_view_set_error (self->vehicle_error, _tirkeu_new_request_step_of_error (error, 3),
                                 error);
  if (check == NULL)
    return;

  if (check->vehicle != NULL)
    {
      g_autofree char *title = g_strdup_printf ("%s %s, %u", check->vehicle->make != NULL ? check->vehicle->make : "",
                                                check->vehicle->model != NULL ? check->vehicle->model : "",
                                                check->vehicle->year);
      g_autofree char *subtitle = NULL;

      const char *colour = tirkeu_vehicle_pick_colour (check->vehicle, language);
      const char *engine = tirkeu_vehicle_pick_engine (check->vehicle, language);

      /* Translators: the vehicle's colour, engine and e-passport number */
      subtitle = g_strdup_printf (_("%s · %s · e-passport %s"),
                                  colour != NULL ? colour : "—",
                                  engine != NULL ? engine : "—",
                                  check->vehicle->epassport_number != NULL ? check->vehicle->epassport_number : "—");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->vehicle_row), title);
      adw_action_row_set_subtitle (self->vehicle_row, subtitle);
      gtk_widget_set_visible (GTK_WIDGET (self->vehicle_row), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->vehicle_row), FALSE);

  set_mark (self->epassport_icon, self->epassport_row, check->epassport_found,
            check->epassport_found ? C_("e-passport", "Found") : C_("e-passport", "Not found"));
  set_mark (self->customs_icon, self->customs_row, check->customs == TIRKEU_PORTAL_PAYMENT_PAID,
            payment_text (check->customs, TRUE));
  set_mark (self->utilization_icon, self->utilization_row,
            check->utilization == TIRKEU_PORTAL_PAYMENT_PAID, payment_text (check->utilization, FALSE));

  if (check->stopped_at_step != 0)
    {
      /* One code for two facts at steps 4 and 5: the check's status tells them apart. */
      gboolean no_data = check->stopped_code == TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID
                         ? check->customs == TIRKEU_PORTAL_PAYMENT_NO_DATA
                         : check->utilization == TIRKEU_PORTAL_PAYMENT_NO_DATA;

      tirkeu_error_view_set_payment_stop (self->vehicle_error, check->stopped_at_step,
                                          check->stopped_code, no_data,
                                          tirkeu_portal_text_get (&check->stopped_message,
                                                                  language));
    }
  else
    show_active_request (self, check->vin);
}

static void
update_hint (TirkeuVehiclePage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->vin_entry));
  g_autofree char *normalized = tirkeu_vin_normalize (text);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GString) hint = NULL;
  TirkeuVinInfo info;

  gtk_widget_remove_css_class (GTK_WIDGET (self->vin_hint), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->vin_entry), "error");

  if (*normalized == '\0')
    {
      gtk_label_set_label (self->vin_hint, _("17 characters: digits and Latin letters without I, O and Q."));
      return;
    }

  if (!tirkeu_vin_parse (normalized, (guint) g_date_time_get_year (now), &info, &error))
    {
      /* A VIN still being typed is not an error yet, unless a character is already wrong. */
      if (info.error_position == 0 && g_utf8_strlen (normalized, -1) < 17)
        {
          g_autofree char *count = g_strdup_printf (_("%ld of 17 characters"),
                                                    g_utf8_strlen (normalized, -1));

          gtk_label_set_label (self->vin_hint, count);
        }
      else
        {
          _tirkeu_new_request_set_hint_error (self->vin_hint, normalized, info.error_position,
                                              error->message);
          gtk_widget_add_css_class (GTK_WIDGET (self->vin_entry), "error");
        }
      return;
    }

  hint = g_string_new (NULL);
  if (info.manufacturer != NULL)
    g_string_append (hint, info.manufacturer);
  if (info.country_name != NULL)
    g_string_append_printf (hint, "%s%s", hint->len > 0 ? ", " : "", _(info.country_name));
  if (info.model_year != 0)
    {
      /* Translators: the model year decoded from the VIN (position 10), e.g. "model year
       * 2025"; one item of the list under the VIN field, after the maker and country. */
      g_autofree char *year = g_strdup_printf (_("model year %u"), info.model_year);

      g_string_append_printf (hint, "%s%s", hint->len > 0 ? ", " : "", year);
    }
  if (info.check_digit_warning)
    /* Translators: outside North America the check digit is advisory: warn, do not block */
    g_string_append_printf (hint, "%s%s", hint->len > 0 ? ". " : "",
                            _("The check digit does not match: compare the VIN with the vehicle’s documents."));
  gtk_label_set_label (self->vin_hint, hint->str);
}

/* Says that the VIN was read from keys typed in the Russian layout, until the field is
 * emptied for the next one. */
static void
update_layout_note (TirkeuVehiclePage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->vin_entry));
  g_autofree char *normalized = tirkeu_vin_normalize (text);
  g_autofree char *note = NULL;

  if (*normalized == '\0')
    self->read_from_russian_layout = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->layout_note), self->read_from_russian_layout);
  if (!self->read_from_russian_layout)
    return;
  /* Translators: under the VIN field when the VIN was typed or scanned while the Russian
   * keyboard layout was on (ЧЕФ… for XTA…); %s is the VIN as read, in Latin letters */
  note = g_strdup_printf (_("Typed in the Russian layout: read as %s"), normalized);
  gtk_label_set_text (self->layout_note, note);
}

/* A scanner types through the keyboard layout: with the Russian layout on, XTA… arrives as
 * ЧЕФ…. Such keys are read as the Latin letters on them before they reach the field. */
static void
vin_insert_text_cb (GtkEditable       *editable,
                    const char        *text,
                    int                length,
                    int               *position,
                    TirkeuVehiclePage *self)
{
  g_autofree char *typed = g_strndup (text, length < 0 ? strlen (text) : (gsize) length);
  g_autofree char *latin = tirkeu_vin_from_russian_layout (typed);

  if (latin == NULL)
    return;
  self->read_from_russian_layout = TRUE;
  g_signal_handlers_block_by_func (editable, vin_insert_text_cb, self);
  gtk_editable_insert_text (editable, latin, -1, position);
  g_signal_handlers_unblock_by_func (editable, vin_insert_text_cb, self);
  g_signal_stop_emission_by_name (editable, "insert-text");
}

static void
vin_changed_cb (TirkeuVehiclePage *self)
{
  update_hint (self);
  update_layout_note (self);
  if (self->request != NULL)
    tirkeu_new_request_set_vin (self->request,
                                gtk_editable_get_text (GTK_EDITABLE (self->vin_entry)));
}

/* Enter in the VIN entry: a barcode scanner's keystrokes end here. The entry then shows the
 * VIN as it was checked (the Code 39 "I" dropped, upper case, no spaces), so the person sees
 * what goes to the portal; then the flow moves on as Enter does everywhere. */
static void
vin_activate_cb (TirkeuVehiclePage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->vin_entry));
  g_autofree char *normalized = tirkeu_vin_normalize (text);

  if (tirkeu_vin_is_valid (normalized) && g_strcmp0 (text, normalized) != 0)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->vin_entry), normalized);
      gtk_editable_set_position (GTK_EDITABLE (self->vin_entry), -1);
    }
  g_signal_emit (self, signals[ACTIVATE], 0);
}

/**
 * tirkeu_vehicle_page_set_request:
 * @request: the request this page shows and edits
 *
 * Shows the request's VIN as typed and follows its vehicle check.
 */
void
tirkeu_vehicle_page_set_request (TirkeuVehiclePage *self,
                                 TirkeuNewRequest  *request)
{
  g_return_if_fail (TIRKEU_IS_VEHICLE_PAGE (self));
  g_return_if_fail (request == NULL || TIRKEU_IS_NEW_REQUEST (request));

  g_set_object (&self->request, request);
  g_signal_group_set_target (self->request_signals, request);
  g_signal_handlers_block_by_func (self->vin_entry, vin_changed_cb, self);
  gtk_editable_set_text (GTK_EDITABLE (self->vin_entry),
                         request != NULL ? tirkeu_new_request_get_draft (request)->vin : "");
  gtk_editable_set_position (GTK_EDITABLE (self->vin_entry), -1);
  g_signal_handlers_unblock_by_func (self->vin_entry, vin_changed_cb, self);
  self->read_from_russian_layout = FALSE;
  update_layout_note (self);
  /* A request the portal created keeps its values: it is signed as it is, or withdrawn. */
  gtk_editable_set_editable (GTK_EDITABLE (self->vin_entry),
                             request == NULL
                             || !tirkeu_draft_get_is_created (tirkeu_new_request_get_draft (request)));
  update_hint (self);
  show_vehicle (self);
}

/**
 * tirkeu_vehicle_page_get_entry:
 *
 * Returns: (transfer none): the VIN entry
 */
GtkWidget *
tirkeu_vehicle_page_get_entry (TirkeuVehiclePage *self)
{
  g_return_val_if_fail (TIRKEU_IS_VEHICLE_PAGE (self), NULL);
  return GTK_WIDGET (self->vin_entry);
}

/**
 * tirkeu_vehicle_page_get_error_view:
 *
 * Returns: (transfer none): the page's error view
 */
GtkWidget *
tirkeu_vehicle_page_get_error_view (TirkeuVehiclePage *self)
{
  g_return_val_if_fail (TIRKEU_IS_VEHICLE_PAGE (self), NULL);
  return GTK_WIDGET (self->vehicle_error);
}

static void
tirkeu_vehicle_page_dispose (GObject *object)
{
  TirkeuVehiclePage *self = TIRKEU_VEHICLE_PAGE (object);

  g_clear_object (&self->request_signals);
  g_clear_object (&self->request);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TIRKEU_TYPE_VEHICLE_PAGE);

  G_OBJECT_CLASS (tirkeu_vehicle_page_parent_class)->dispose (object);
}

static void
tirkeu_vehicle_page_class_init (TirkeuVehiclePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tirkeu_vehicle_page_dispose;

  /**
   * TirkeuVehiclePage::activate:
   *
   * Enter in the VIN entry.
   */
  signals[ACTIVATE] =
    g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (TIRKEU_TYPE_ERROR_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-vehicle-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, TirkeuVehiclePage, name)
  BIND (vin_entry);
  BIND (vin_hint);
  BIND (layout_note);
  BIND (vehicle_spinner);
  BIND (vehicle_group);
  BIND (vehicle_row);
  BIND (epassport_row);
  BIND (customs_row);
  BIND (utilization_row);
  BIND (epassport_icon);
  BIND (customs_icon);
  BIND (utilization_icon);
  BIND (vehicle_error);
#undef BIND
}

static void
tirkeu_vehicle_page_init (TirkeuVehiclePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  tirkeu_a11y_describe_entry (GTK_WIDGET (self->vin_entry), GTK_WIDGET (self->vin_hint));
  self->request_signals = g_signal_group_new (TIRKEU_TYPE_NEW_REQUEST);
  g_signal_group_connect_swapped (self->request_signals, "notify::vehicle-check",
                                  G_CALLBACK (show_vehicle), self);
  g_signal_group_connect_swapped (self->request_signals, "notify::checking",
                                  G_CALLBACK (show_vehicle), self);
  /* GtkEntry emits ::insert-text on its GtkText, for typing and gtk_editable_set_text() alike. */
  g_signal_connect (gtk_editable_get_delegate (GTK_EDITABLE (self->vin_entry)), "insert-text",
                    G_CALLBACK (vin_insert_text_cb), self);
  g_signal_connect_swapped (self->vin_entry, "changed", G_CALLBACK (vin_changed_cb), self);
  g_signal_connect_swapped (self->vin_entry, "activate", G_CALLBACK (vin_activate_cb), self);
  update_hint (self);
}
