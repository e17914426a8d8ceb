/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-a11y.h"
#include "tirkeu-catalogue.h"
#include "tirkeu-error-view.h"
#include "tirkeu-i18n.h"
#include "tirkeu-iin.h"
#include "tirkeu-new-request-flow.h"
#include "tirkeu-outbox.h"
#include "tirkeu-pin-dialog.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-portal-json.h"
#include "tirkeu-vin.h"

/**
 * TirkeuNewRequestFlow:
 *
 * A new registration request, steps 2-9 (issue 6, point 2): Vehicle, Buyer, Contract, Review
 * and sign, Sent, with a step indicator on top.
 *
 * At the desk: the vehicle check starts as soon as the VIN is valid and the buyer check as
 * soon as the IIN is, and both may run at once (Enter on a valid VIN moves on without
 * waiting for the portal; a failed vehicle check brings the Vehicle page back). Enter moves
 * on, Escape goes back, focus lands in the next field. A barcode scanner types fast and ends
 * with Enter; its 18-character "I" form is normalized by tirkeu_vin_normalize().
 *
 * What is typed is saved to a draft as it is typed; the draft also keeps the request's
 * Idempotency-Key, so a create repeated after a failure (or after a restart) is the same
 * request for the portal. Once signed, the request goes through the outbox.
 *
 * Only a created and signed request is queued: when the create call itself fails (no
 * network), nothing was signed, so the request stays a draft with its key, the error shows on
 * the Review page, and Sign and Send creates it again, idempotently. When the submit of a
 * signed request fails, the Sent page says it waits in the outbox, which sends it by itself
 * (same key) and the page turns into "Sent" when the portal confirms.
 */
struct _TirkeuNewRequestFlow
{
  AdwBin                    parent_instance;

  /* template widgets */
  GtkBox                   *steps_box;
  GtkStack                 *stack;
  GtkEntry                 *vin_entry;
  GtkLabel                 *vin_hint;
  GtkWidget                *vehicle_spinner;
  GtkWidget                *vehicle_group;
  AdwActionRow             *vehicle_row;
  AdwActionRow             *epassport_row;
  AdwActionRow             *customs_row;
  AdwActionRow             *utilization_row;
  GtkImage                 *epassport_icon;
  GtkImage                 *customs_icon;
  GtkImage                 *utilization_icon;
  TirkeuErrorView          *vehicle_error;
  GtkEntry                 *iin_entry;
  GtkLabel                 *iin_hint;
  GtkWidget                *buyer_spinner;
  GtkWidget                *buyer_group;
  AdwActionRow             *buyer_row;
  TirkeuErrorView          *buyer_error;
  GtkWidget                *contract_spinner;
  GtkListBox               *contract_list;
  TirkeuErrorView          *contract_error;
  AdwActionRow             *review_seller_row;
  AdwActionRow             *review_vehicle_row;
  AdwActionRow             *review_buyer_row;
  AdwActionRow             *review_contract_row;
  GtkListBox               *sign_certificate_list;
  GtkWidget                *progress_box;
  GtkWidget                *progress_spinner;
  GtkLabel                 *progress_label;
  TirkeuErrorView          *review_error;
  AdwStatusPage            *sent_page;
  GtkLabel                 *todo_title;
  GtkLabel                 *todo_label;
  GtkWidget                *track_button;
  GtkWidget                *back_button;
  GtkWidget                *next_button;
  GtkWidget                *step_labels[5];

  /* owned references */
  TirkeuSession            *session;
  GCancellable             *cancellable;
  GCancellable             *vehicle_cancellable;
  GCancellable             *buyer_cancellable;
  GCancellable             *contract_cancellable;
  TirkeuPortalVehicleCheck *vehicle_check;
  GError                   *vehicle_failure;
  TirkeuPortalPerson       *person;
  GPtrArray                *contracts;
  TirkeuRequest            *request;
  GBytes                   *signing_payload;

  /* state */
  char                     *draft_id;
  char                     *idempotency_key;
  char                     *checked_vin;
  char                     *checked_iin;
  char                     *wanted_contract;
  TirkeuNewRequestPage      page;
  guint                     loading_draft : 1;
  guint                     advance_after_vehicle : 1;
  guint                     advance_after_buyer : 1;
  guint                     busy : 1;
  guint                     queued : 1;
};

G_DEFINE_FINAL_TYPE (TirkeuNewRequestFlow, tirkeu_new_request_flow, ADW_TYPE_BIN)

enum {
  CLOSED,
  TRACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const page_names[] = { "vehicle", "buyer", "contract", "review", "sent" };

static void update_next (TirkeuNewRequestFlow *self);
static void start_contracts (TirkeuNewRequestFlow *self);

static guint
step_of_code (TirkeuPortalCode code)
{
  static const struct { TirkeuPortalCode code; guint step; } steps[] = {
    { TIRKEU_PORTAL_CODE_OKED_MISMATCH, 1 },
    { TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND, 3 },
    { TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID, 4 },
    { TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID, 5 },
    { TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND, 7 },
    { TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND, 8 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i].code == code)
      return steps[i].step;
  return 9;
}

static guint
step_of_error (const GError *error,
               guint         fallback)
{
  if (error->domain == TIRKEU_PORTAL_ERROR)
    {
      guint step = step_of_code ((TirkeuPortalCode) error->code);

      return step != 9 ? step : fallback;
    }
  return fallback;
}

/* Draft */

static void
save_draft_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!tirkeu_journal_save_draft_finish (TIRKEU_JOURNAL (object), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("The draft could not be saved: %s", error->message);
}

static void
save_draft (TirkeuNewRequestFlow *self)
{
  TirkeuJournal *journal = self->session != NULL ? tirkeu_session_get_journal (self->session) : NULL;
  GVariantBuilder builder;

  if (journal == NULL || self->draft_id == NULL || self->loading_draft || self->queued
      || self->page == TIRKEU_NEW_REQUEST_PAGE_SENT)
    return;

  g_variant_builder_init (&builder, TIRKEU_JOURNAL_DRAFT_FIELDS_TYPE);
  g_variant_builder_add (&builder, "{ss}", "vin", gtk_editable_get_text (GTK_EDITABLE (self->vin_entry)));
  g_variant_builder_add (&builder, "{ss}", "buyer-iin", gtk_editable_get_text (GTK_EDITABLE (self->iin_entry)));
  if (self->wanted_contract != NULL)
    g_variant_builder_add (&builder, "{ss}", "contract-number", self->wanted_contract);
  g_variant_builder_add (&builder, "{ss}", "idempotency-key", self->idempotency_key);
  tirkeu_journal_save_draft_async (journal, self->draft_id, g_variant_builder_end (&builder),
                                   NULL, save_draft_cb, NULL);
}

/* Step indicator */

static void
update_steps (TirkeuNewRequestFlow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->step_labels); i++)
    {
      GtkWidget *label = self->step_labels[i];

      gtk_widget_remove_css_class (label, "current");
      gtk_widget_remove_css_class (label, "done");
      gtk_widget_remove_css_class (label, "dim-label");
      if (i == self->page)
        gtk_widget_add_css_class (label, "current");
      else if (i < self->page)
        gtk_widget_add_css_class (label, "done");
      else
        gtk_widget_add_css_class (label, "dim-label");
      gtk_accessible_update_state (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_STATE_SELECTED,
                                   i == self->page, -1);
    }
}

static void
show_page (TirkeuNewRequestFlow *self,
           TirkeuNewRequestPage  page)
{
  GtkWidget *focus = NULL;

  self->page = page;
  gtk_stack_set_visible_child_name (self->stack, page_names[page]);
  update_steps (self);
  gtk_widget_set_visible (self->back_button, page != TIRKEU_NEW_REQUEST_PAGE_SENT);
  gtk_widget_set_visible (self->next_button, page != TIRKEU_NEW_REQUEST_PAGE_SENT);
  gtk_button_set_label (GTK_BUTTON (self->next_button),
                        page == TIRKEU_NEW_REQUEST_PAGE_REVIEW ? _("_Sign and Send") : _("_Next"));
  tirkeu_a11y_fix_button_names (self->next_button);
  update_next (self);

  switch (page)
    {
    case TIRKEU_NEW_REQUEST_PAGE_VEHICLE:
      focus = GTK_WIDGET (self->vin_entry);
      break;
    case TIRKEU_NEW_REQUEST_PAGE_BUYER:
      focus = GTK_WIDGET (self->iin_entry);
      break;
    case TIRKEU_NEW_REQUEST_PAGE_CONTRACT:
      {
        GtkListBoxRow *row = gtk_list_box_get_selected_row (self->contract_list);

        focus = row != NULL ? GTK_WIDGET (row) : self->next_button;
      }
      break;
    case TIRKEU_NEW_REQUEST_PAGE_REVIEW:
      focus = self->next_button;
      break;
    case TIRKEU_NEW_REQUEST_PAGE_SENT:
      focus = self->track_button;
      break;
    default:
      g_assert_not_reached ();
    }
  gtk_widget_grab_focus (focus);
}

/* Vehicle */

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

static gboolean
vehicle_passed (TirkeuNewRequestFlow *self)
{
  return self->vehicle_check != NULL && self->vehicle_check->stopped_at_step == 0;
}

static gboolean
buyer_passed (TirkeuNewRequestFlow *self)
{
  return self->person != NULL && self->person->status == TIRKEU_PORTAL_PERSON_ACTIVE;
}

static void
show_vehicle (TirkeuNewRequestFlow *self)
{
  const TirkeuPortalVehicleCheck *check = self->vehicle_check;
  const char *language = tirkeu_i18n_get_language ();

  tirkeu_error_view_clear (self->vehicle_error);
  gtk_widget_set_visible (self->vehicle_group, check != NULL);
  if (check == NULL)
    return;

  if (check->vehicle != NULL)
    {
      g_autofree char *title = g_strdup_printf ("%s %s, %u", check->vehicle->make != NULL ? check->vehicle->make : "",
                                                check->vehicle->model != NULL ? check->vehicle->model : "",
                                                check->vehicle->year);
      g_autofree char *subtitle = NULL;

      /* Translators: the vehicle's colour, engine and e-passport number */
      subtitle = g_strdup_printf (_("%s · %s · e-passport %s"),
                                  check->vehicle->colour != NULL ? check->vehicle->colour : "—",
                                  check->vehicle->engine_model != NULL ? check->vehicle->engine_model : "—",
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
    tirkeu_error_view_set_code (self->vehicle_error, check->stopped_at_step, check->stopped_code,
                                tirkeu_portal_text_get (&check->stopped_message, language), NULL);
}

static void
check_vehicle_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TirkeuNewRequestFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  TirkeuPortalVehicleCheck *check;

  check = tirkeu_portal_client_check_vehicle_finish (TIRKEU_PORTAL_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->vehicle_cancellable);
  gtk_widget_set_visible (self->vehicle_spinner, FALSE);
  gtk_spinner_set_spinning (GTK_SPINNER (self->vehicle_spinner), FALSE);

  g_clear_pointer (&self->vehicle_check, tirkeu_portal_vehicle_check_free);
  g_clear_error (&self->vehicle_failure);
  if (check == NULL)
    {
      gtk_widget_set_visible (self->vehicle_group, FALSE);
      tirkeu_error_view_set_error (self->vehicle_error, step_of_error (error, 3), error);
      self->vehicle_failure = g_steal_pointer (&error);
    }
  else
    {
      self->vehicle_check = check;
      show_vehicle (self);
    }

  /* The salesperson moved on while the portal checked: bring the failure to them. */
  if (!vehicle_passed (self) && self->page > TIRKEU_NEW_REQUEST_PAGE_VEHICLE
      && self->page < TIRKEU_NEW_REQUEST_PAGE_SENT && !self->busy)
    show_page (self, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  else if (vehicle_passed (self) && self->advance_after_buyer && buyer_passed (self)
           && self->page == TIRKEU_NEW_REQUEST_PAGE_BUYER)
    {
      self->advance_after_buyer = FALSE;
      start_contracts (self);
      show_page (self, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
    }
  update_next (self);
}

static void
set_hint_error (GtkLabel   *hint,
                const char *text,
                guint       position,
                const char *message)
{
  g_autoptr(GString) markup = g_string_new (NULL);
  const char *p = text;
  guint i = 1;

  /* The offending character, marked where it stands. */
  if (position > 0)
    {
      for (; *p != '\0'; p = g_utf8_next_char (p), i++)
        {
          g_autofree char *one = g_strndup (p, g_utf8_next_char (p) - p);
          g_autofree char *escaped = g_markup_escape_text (one, -1);

          if (i == position)
            g_string_append_printf (markup, "<span underline=\"error\" weight=\"bold\" foreground=\"#e01b24\">%s</span>",
                                    escaped);
          else
            g_string_append (markup, escaped);
        }
      g_string_append (markup, "  ");
    }
  {
    g_autofree char *escaped = g_markup_escape_text (message, -1);

    g_string_append (markup, escaped);
  }
  gtk_label_set_markup (hint, markup->str);
  gtk_widget_add_css_class (GTK_WIDGET (hint), "error");
}

static void
vin_changed_cb (TirkeuNewRequestFlow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->vin_entry));
  g_autofree char *normalized = tirkeu_vin_normalize (text);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  TirkeuVinInfo info;

  save_draft (self);
  gtk_widget_remove_css_class (GTK_WIDGET (self->vin_hint), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->vin_entry), "error");

  if (*normalized == '\0')
    {
      gtk_label_set_label (self->vin_hint, _("17 characters: digits and Latin letters without I, O and Q."));
      update_next (self);
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
          set_hint_error (self->vin_hint, normalized, info.error_position, error->message);
          gtk_widget_add_css_class (GTK_WIDGET (self->vin_entry), "error");
        }
      g_cancellable_cancel (self->vehicle_cancellable);
      g_clear_object (&self->vehicle_cancellable);
      g_clear_pointer (&self->checked_vin, g_free);
      g_clear_pointer (&self->vehicle_check, tirkeu_portal_vehicle_check_free);
      g_clear_error (&self->vehicle_failure);
      gtk_widget_set_visible (self->vehicle_spinner, FALSE);
      show_vehicle (self);
      update_next (self);
      return;
    }

  {
    g_autoptr(GString) hint = g_string_new (NULL);

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

  if (g_strcmp0 (self->checked_vin, info.vin) == 0)
    {
      update_next (self);
      return;
    }

  /* Valid: the portal check starts at once (steps 3-5). */
  g_cancellable_cancel (self->vehicle_cancellable);
  g_clear_object (&self->vehicle_cancellable);
  g_clear_pointer (&self->vehicle_check, tirkeu_portal_vehicle_check_free);
  g_clear_error (&self->vehicle_failure);
  g_clear_pointer (&self->contracts, g_ptr_array_unref);
  g_free (self->checked_vin);
  self->checked_vin = g_strdup (info.vin);
  show_vehicle (self);
  self->vehicle_cancellable = g_cancellable_new ();
  gtk_widget_set_visible (self->vehicle_spinner, TRUE);
  gtk_spinner_set_spinning (GTK_SPINNER (self->vehicle_spinner), TRUE);
  tirkeu_portal_client_check_vehicle_async (tirkeu_session_get_client (self->session), info.vin,
                                            self->vehicle_cancellable, check_vehicle_cb,
                                            g_object_ref (self));
  update_next (self);
}

/* Buyer */

static void
check_person_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TirkeuNewRequestFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  TirkeuPortalPerson *person;

  person = tirkeu_portal_client_check_person_finish (TIRKEU_PORTAL_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->buyer_cancellable);
  gtk_widget_set_visible (self->buyer_spinner, FALSE);
  gtk_spinner_set_spinning (GTK_SPINNER (self->buyer_spinner), FALSE);
  g_clear_pointer (&self->person, tirkeu_portal_person_free);
  self->person = person;

  if (person == NULL)
    {
      gtk_widget_set_visible (self->buyer_group, FALSE);
      tirkeu_error_view_set_error (self->buyer_error, step_of_error (error, 7), error);
      self->advance_after_buyer = FALSE;
    }
  else if (person->status != TIRKEU_PORTAL_PERSON_ACTIVE)
    {
      /* Step 7: a deceased or invalidated IIN cannot buy, as if not found. */
      /* Translators: under "Details": why the state database of individuals does not
       * accept the buyer's IIN */
      const char *details = person->status == TIRKEU_PORTAL_PERSON_DECEASED
                            ? _("Status in the state database of individuals: deceased")
                            : _("Status in the state database of individuals: IIN invalidated");

      gtk_widget_set_visible (self->buyer_group, FALSE);
      tirkeu_error_view_set_code (self->buyer_error, 7, TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND, NULL,
                                  details);
      self->advance_after_buyer = FALSE;
    }
  else
    {
      tirkeu_error_view_clear (self->buyer_error);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->buyer_row), person->full_name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->buyer_row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      person->full_name, -1);
      gtk_widget_set_visible (self->buyer_group, TRUE);
      if (self->advance_after_buyer && self->page == TIRKEU_NEW_REQUEST_PAGE_BUYER
          && vehicle_passed (self))
        {
          self->advance_after_buyer = FALSE;
          start_contracts (self);
          show_page (self, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
        }
    }
  update_next (self);
}

static void
iin_changed_cb (TirkeuNewRequestFlow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->iin_entry));
  g_autofree char *normalized = tirkeu_iin_normalize (text);
  g_autoptr(GError) error = NULL;
  TirkeuIinInfo info;

  save_draft (self);
  gtk_widget_remove_css_class (GTK_WIDGET (self->iin_hint), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->iin_entry), "error");

  if (*normalized == '\0')
    {
      gtk_label_set_label (self->iin_hint, _("12 digits."));
      update_next (self);
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
          set_hint_error (self->iin_hint, normalized, info.error_position, error->message);
          gtk_widget_add_css_class (GTK_WIDGET (self->iin_entry), "error");
        }
      g_cancellable_cancel (self->buyer_cancellable);
      g_clear_object (&self->buyer_cancellable);
      g_clear_pointer (&self->checked_iin, g_free);
      g_clear_pointer (&self->person, tirkeu_portal_person_free);
      gtk_widget_set_visible (self->buyer_group, FALSE);
      gtk_widget_set_visible (self->buyer_spinner, FALSE);
      tirkeu_error_view_clear (self->buyer_error);
      update_next (self);
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

  if (g_strcmp0 (self->checked_iin, info.iin) == 0)
    {
      update_next (self);
      return;
    }

  /* Valid: the portal check starts at once (step 7), alongside the vehicle check. */
  g_cancellable_cancel (self->buyer_cancellable);
  g_clear_object (&self->buyer_cancellable);
  g_clear_pointer (&self->person, tirkeu_portal_person_free);
  g_clear_pointer (&self->contracts, g_ptr_array_unref);
  g_free (self->checked_iin);
  self->checked_iin = g_strdup (info.iin);
  gtk_widget_set_visible (self->buyer_group, FALSE);
  tirkeu_error_view_clear (self->buyer_error);
  self->buyer_cancellable = g_cancellable_new ();
  gtk_widget_set_visible (self->buyer_spinner, TRUE);
  gtk_spinner_set_spinning (GTK_SPINNER (self->buyer_spinner), TRUE);
  tirkeu_portal_client_check_person_async (tirkeu_session_get_client (self->session), info.iin,
                                           self->buyer_cancellable, check_person_cb,
                                           g_object_ref (self));
  update_next (self);
}

/* Contract */

static char *
format_money (gint64      price_tiyn,
              const char *currency)
{
  g_autofree char *price = NULL;

  /* -1: the portal gave no price */
  if (price_tiyn < 0)
    return g_strdup ("—");

  /* Contracts are in tenge: shown as people write them, "7 300 000 ₸" */
  if (currency == NULL || g_str_equal (currency, "KZT"))
    return tirkeu_contract_format_price_for_display (price_tiyn);

  price = tirkeu_contract_format_price (price_tiyn);
  return g_strdup_printf ("%s %s", price, currency);
}

static char *
format_gdate (const GDate *date)
{
  char text[32] = "—";

  if (g_date_valid (date))
    g_date_strftime (text, sizeof text, "%d.%m.%Y", date);
  return g_strdup (text);
}

static TirkeuPortalContract *
selected_contract (TirkeuNewRequestFlow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->contract_list);

  if (row == NULL || self->contracts == NULL)
    return NULL;
  return g_object_get_data (G_OBJECT (row), "contract");
}

static void
contract_selected_cb (TirkeuNewRequestFlow *self)
{
  TirkeuPortalContract *contract = selected_contract (self);

  if (contract != NULL && g_strcmp0 (self->wanted_contract, contract->contract->number) != 0)
    {
      g_free (self->wanted_contract);
      self->wanted_contract = g_strdup (contract->contract->number);
      save_draft (self);
    }
  update_next (self);
}

static void
find_contracts_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TirkeuNewRequestFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) contracts = NULL;
  GtkWidget *child;
  GtkListBoxRow *select = NULL;

  contracts = tirkeu_portal_client_find_contracts_finish (TIRKEU_PORTAL_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->contract_cancellable);
  gtk_widget_set_visible (self->contract_spinner, FALSE);
  gtk_spinner_set_spinning (GTK_SPINNER (self->contract_spinner), FALSE);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->contract_list))) != NULL)
    gtk_list_box_remove (self->contract_list, child);
  g_clear_pointer (&self->contracts, g_ptr_array_unref);

  if (contracts == NULL)
    {
      tirkeu_error_view_set_error (self->contract_error, step_of_error (error, 8), error);
      gtk_widget_set_visible (GTK_WIDGET (self->contract_list), FALSE);
      update_next (self);
      return;
    }
  if (contracts->len == 0)
    {
      /* A clear stop: nothing to sign without a contract. */
      tirkeu_error_view_set_code (self->contract_error, 8, TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND,
                                  NULL, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->contract_list), FALSE);
      update_next (self);
      return;
    }

  self->contracts = g_steal_pointer (&contracts);
  for (guint i = 0; i < self->contracts->len; i++)
    {
      TirkeuPortalContract *contract = g_ptr_array_index (self->contracts, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *date = format_gdate (&contract->contract->date);
      g_autofree char *price = format_money (contract->contract->price_tiyn, contract->currency);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *masked = tirkeu_iin_mask (contract->buyer_iin);

      /* Translators: a contract: its number, date and price */
      title = g_strdup_printf (_("No. %s of %s · %s"), contract->contract->number, date, price);
      /* Translators: a contract's parties: seller name and BIN, buyer name and masked IIN */
      subtitle = g_strdup_printf (_("Seller: %s (BIN %s)\nBuyer: %s (IIN %s)"),
                                  contract->seller_name, contract->seller_bin,
                                  contract->buyer_name, masked != NULL ? masked : "—");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("x-office-document-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "contract", contract);
      gtk_list_box_append (self->contract_list, row);
      if (select == NULL || g_strcmp0 (self->wanted_contract, contract->contract->number) == 0)
        select = GTK_LIST_BOX_ROW (row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->contract_list), TRUE);
  tirkeu_error_view_clear (self->contract_error);
  gtk_list_box_select_row (self->contract_list, select);
  if (self->page == TIRKEU_NEW_REQUEST_PAGE_CONTRACT)
    gtk_widget_grab_focus (GTK_WIDGET (select));
  update_next (self);
}

static void
start_contracts (TirkeuNewRequestFlow *self)
{
  if (self->contracts != NULL || self->contract_cancellable != NULL)
    return;
  tirkeu_error_view_clear (self->contract_error);
  gtk_widget_set_visible (GTK_WIDGET (self->contract_list), FALSE);
  self->contract_cancellable = g_cancellable_new ();
  gtk_widget_set_visible (self->contract_spinner, TRUE);
  gtk_spinner_set_spinning (GTK_SPINNER (self->contract_spinner), TRUE);
  tirkeu_portal_client_find_contracts_async (tirkeu_session_get_client (self->session),
                                             self->checked_vin, self->checked_iin,
                                             self->contract_cancellable, find_contracts_cb,
                                             g_object_ref (self));
}

/* Review and sign */

static TirkeuCertificate *
selected_sign_certificate (TirkeuNewRequestFlow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->sign_certificate_list);

  return row != NULL ? g_object_get_data (G_OBJECT (row), "certificate") : NULL;
}

/* Whether @candidate is a better default signer than @current. */
static gboolean
better_signer (TirkeuCertificate *candidate,
               TirkeuCertificate *current,
               const char        *signer_iin)
{
  gboolean candidate_own = signer_iin != NULL
                           && g_strcmp0 (tirkeu_certificate_get_iin (candidate), signer_iin) == 0;
  gboolean current_own = signer_iin != NULL
                         && g_strcmp0 (tirkeu_certificate_get_iin (current), signer_iin) == 0;

  if (candidate_own != current_own)
    return candidate_own;
  return g_date_time_compare (tirkeu_certificate_get_not_after (candidate),
                              tirkeu_certificate_get_not_after (current)) > 0;
}

static void
fill_review (TirkeuNewRequestFlow *self)
{
  const TirkeuPortalSeller *seller = tirkeu_session_get_seller (self->session);
  TirkeuPortalContract *contract = selected_contract (self);
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GtkWidget *child;
  GtkListBoxRow *select = NULL;
  TirkeuCertificate *selected_certificate = NULL;
  TirkeuCertificate *auth = tirkeu_session_get_certificate (self->session);
  const char *signer_iin = auth != NULL ? tirkeu_certificate_get_iin (auth) : NULL;

  if (seller != NULL)
    {
      g_autofree char *text = g_strdup_printf ("%s · %s %s", seller->name, _("BIN"), seller->bin);

      adw_action_row_set_subtitle (self->review_seller_row, text);
    }
  if (self->vehicle_check != NULL && self->vehicle_check->vehicle != NULL)
    {
      const TirkeuVehicle *vehicle = self->vehicle_check->vehicle;
      g_autofree char *text = g_strdup_printf ("%s %s, %u · VIN %s", vehicle->make, vehicle->model,
                                               vehicle->year, self->vehicle_check->vin);

      adw_action_row_set_subtitle (self->review_vehicle_row, text);
    }
  if (self->person != NULL)
    {
      g_autofree char *masked = tirkeu_iin_mask (self->person->iin);
      g_autofree char *text = g_strdup_printf ("%s · %s %s", self->person->full_name, _("IIN"), masked);

      adw_action_row_set_subtitle (self->review_buyer_row, text);
    }
  if (contract != NULL)
    {
      g_autofree char *date = format_gdate (&contract->contract->date);
      g_autofree char *price = format_money (contract->contract->price_tiyn, contract->currency);
      g_autofree char *text = g_strdup_printf (_("No. %s of %s · %s"), contract->contract->number, date, price);

      adw_action_row_set_subtitle (self->review_contract_row, text);
    }

  /* The SIGN certificates that may sign this seller's request. Chosen: the signed-in
   * person's own (the IIN of the AUTH certificate), and of those the one valid longest, not
   * one that expires next week. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->sign_certificate_list))) != NULL)
    gtk_list_box_remove (self->sign_certificate_list, child);
  certificates = tirkeu_session_dup_certificates (self->session, TIRKEU_CERTIFICATE_KIND_SIGN);
  for (guint i = 0; i < certificates->len; i++)
    {
      TirkeuCertificate *certificate = g_ptr_array_index (certificates, i);
      g_autoptr(GError) refusal = NULL;
      GtkWidget *row;
      g_autofree char *until = NULL;
      g_autofree char *subtitle = NULL;

      if (!tirkeu_certificate_check_purpose (certificate, TIRKEU_SIGN_PURPOSE_REQUEST,
                                             seller != NULL ? seller->bin : NULL, now, &refusal))
        continue;
      row = adw_action_row_new ();
      until = g_date_time_format (tirkeu_certificate_get_not_after (certificate), "%d.%m.%Y");
      /* Translators: a signing certificate's role and last day of validity */
      subtitle = g_strdup_printf (_("%s · valid until %s"),
                                  tirkeu_certificate_role_to_string (tirkeu_certificate_get_role (certificate)),
                                  until);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), tirkeu_certificate_get_owner_name (certificate));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      g_object_set_data_full (G_OBJECT (row), "certificate", g_object_ref (certificate), g_object_unref);
      gtk_list_box_append (self->sign_certificate_list, row);
      if (select == NULL || better_signer (certificate, selected_certificate, signer_iin))
        {
          select = GTK_LIST_BOX_ROW (row);
          selected_certificate = certificate;
        }
    }
  gtk_list_box_select_row (self->sign_certificate_list, select);
  if (select == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (TIRKEU_TOKEN_ERROR,
                                                     TIRKEU_TOKEN_ERROR_NO_RIGHT_TO_SIGN,
                                                     /* Translators: SIGN is the NCA's signing key kind */
                                                     _("The token has no valid SIGN certificate of the seller with the right to sign"));

      tirkeu_error_view_set_error (self->review_error, 9, error);
    }
}

static void
set_busy (TirkeuNewRequestFlow *self,
          const char           *progress)
{
  self->busy = progress != NULL;
  gtk_widget_set_visible (self->progress_box, progress != NULL);
  gtk_spinner_set_spinning (GTK_SPINNER (self->progress_spinner), progress != NULL);
  gtk_label_set_label (self->progress_label, progress != NULL ? progress : "");
  update_next (self);
}

static void
show_sent (TirkeuNewRequestFlow *self,
           TirkeuRequest        *request,
           gboolean              queued)
{
  g_auto(GStrv) todo = tirkeu_catalogue_buyer_todo ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *title = NULL;

  self->queued = queued;
  if (queued)
    {
      adw_status_page_set_icon_name (self->sent_page, "network-offline-symbolic");
      adw_status_page_set_title (self->sent_page, _("Signed, Waiting for the Network"));
      /* Translators: the outbox keeps a signed request until the portal confirms it */
      adw_status_page_set_description (self->sent_page,
                                       _("The portal could not be reached. The signed request is kept in the outbox and sent by itself when the network is back; it is never sent twice."));
    }
  else
    {
      /* Translators: %s is the portal's number of the request */
      title = g_strdup_printf (_("Request %s Sent"), tirkeu_request_get_portal_id (request));
      adw_status_page_set_icon_name (self->sent_page, "emblem-ok-symbolic");
      adw_status_page_set_title (self->sent_page, title);
      adw_status_page_set_description (self->sent_page,
                                       tirkeu_catalogue_stage_next (tirkeu_request_get_stage (request)));
    }
  for (guint i = 0; todo[i] != NULL; i++)
    g_string_append_printf (text, "%u. %s\n", i + 1, todo[i]);
  gtk_label_set_label (self->todo_title, tirkeu_catalogue_buyer_todo_title ());
  gtk_label_set_label (self->todo_label, text->str);
  gtk_widget_set_sensitive (self->track_button, !queued);
  show_page (self, TIRKEU_NEW_REQUEST_PAGE_SENT);
}

static void
outbox_sent_cb (TirkeuNewRequestFlow *self,
                TirkeuRequest        *request)
{
  if (self->queued && self->idempotency_key != NULL
      && g_strcmp0 (tirkeu_request_get_idempotency_key (request), self->idempotency_key) == 0)
    {
      g_set_object (&self->request, request);
      show_sent (self, request, FALSE);
    }
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(TirkeuNewRequestFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuRequest) confirmed = NULL;

  confirmed = tirkeu_outbox_send_finish (TIRKEU_OUTBOX (object), result, &error);
  set_busy (self, NULL);
  if (confirmed != NULL)
    {
      g_set_object (&self->request, confirmed);
      show_sent (self, confirmed, FALSE);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (tirkeu_portal_error_is_transient (error))
    {
      show_sent (self, self->request, TRUE);
      return;
    }
  tirkeu_error_view_set_error (self->review_error, step_of_error (error, 9), error);
}

static void ask_sign_pin (TirkeuNewRequestFlow *self, const char *error_message);

static void
sign_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(TirkeuNewRequestFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) signature = NULL;

  signature = tirkeu_session_sign_finish (TIRKEU_SESSION (object), result, &error);
  if (signature == NULL)
    {
      set_busy (self, NULL);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (tirkeu_token_error_is_wrong_pin (error))
        {
          ask_sign_pin (self, error->message);
          return;
        }
      tirkeu_error_view_set_error (self->review_error, 9, error);
      return;
    }
  tirkeu_request_set_seller_signature (self->request, signature);
  set_busy (self, _("Sending the signed request to the portal…"));
  tirkeu_outbox_send_async (tirkeu_session_get_outbox (self->session), self->request, self->draft_id,
                            self->cancellable, send_cb, g_object_ref (self));
}

static void
sign_pin_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TirkeuNewRequestFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  TirkeuCertificate *certificate = selected_sign_certificate (self);
  char *pin;

  pin = tirkeu_pin_dialog_ask_finish (TIRKEU_PIN_DIALOG (object), result, &error);
  if (pin == NULL || certificate == NULL)
    {
      tirkeu_wipe_string (pin);
      set_busy (self, NULL);
      gtk_widget_grab_focus (self->next_button);
      return;
    }
  set_busy (self, _("Signing on the token…"));
  tirkeu_session_sign_async (self->session, certificate, pin, self->signing_payload,
                             self->cancellable, sign_cb, g_object_ref (self));
  tirkeu_wipe_string (pin);
}

typedef struct
{
  TirkeuNewRequestFlow *self;
  char                 *error_message;
} AskPin;

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  AskPin *ask = user_data;
  g_autoptr(TirkeuNewRequestFlow) self = ask->self;
  g_autofree char *error_message = ask->error_message;
  g_autoptr(TirkeuTokenInfo) token = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *purpose = NULL;
  TirkeuPinDialog *dialog;
  GtkRoot *root;

  g_free (ask);
  token = tirkeu_session_refresh_token_finish (TIRKEU_SESSION (object), result, &error);
  if (token == NULL)
    {
      set_busy (self, NULL);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tirkeu_error_view_set_error (self->review_error, 9, error);
      return;
    }
  root = gtk_widget_get_root (GTK_WIDGET (self));
  /* Translators: %s is the VIN; step 9 of the algorithm */
  purpose = g_strdup_printf (_("Sign the registration request for VIN %s with your signing key (step 9)."),
                             self->checked_vin);
  dialog = tirkeu_pin_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, token,
                                  selected_sign_certificate (self), purpose);
  tirkeu_pin_dialog_set_error (dialog, error_message);
  tirkeu_pin_dialog_ask_async (dialog, self->cancellable, sign_pin_cb, g_object_ref (self));
}

static void
ask_sign_pin (TirkeuNewRequestFlow *self,
              const char           *error_message)
{
  AskPin *ask = g_new0 (AskPin, 1);

  ask->self = g_object_ref (self);
  ask->error_message = g_strdup (error_message);
  set_busy (self, _("Waiting for the PIN…"));
  tirkeu_session_refresh_token_async (self->session, self->cancellable, refresh_cb, ask);
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TirkeuNewRequestFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalRequestInfo) info = NULL;
  g_autoptr(TirkeuRequest) request = NULL;

  request = tirkeu_portal_client_create_request_finish (TIRKEU_PORTAL_CLIENT (object), result,
                                                        &info, &error);
  if (request == NULL)
    {
      set_busy (self, NULL);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tirkeu_error_view_set_error (self->review_error, step_of_error (error, 9), error);
      gtk_widget_grab_focus (self->next_button);
      return;
    }
  /* The client hands the request back with the Idempotency-Key it was created with (a UUID:
   * the flow makes only those, and a resumed draft's key is checked when it is loaded). */
  g_set_object (&self->request, request);
  g_clear_pointer (&self->signing_payload, g_bytes_unref);
  self->signing_payload = info != NULL && info->signing_payload != NULL
                          ? g_bytes_ref (info->signing_payload) : NULL;
  if (self->signing_payload == NULL)
    {
      g_autoptr(GError) malformed = tirkeu_portal_error_new_from_portal (TIRKEU_PORTAL_CODE_MALFORMED, 0,
                                                                         NULL, NULL, "no signing payload", NULL);

      set_busy (self, NULL);
      tirkeu_error_view_set_error (self->review_error, 9, malformed);
      return;
    }
  ask_sign_pin (self, NULL);
}

static void
sign_and_send (TirkeuNewRequestFlow *self)
{
  TirkeuPortalContract *contract = selected_contract (self);

  if (self->busy || contract == NULL || selected_sign_certificate (self) == NULL)
    return;
  tirkeu_error_view_clear (self->review_error);
  set_busy (self, _("Creating the request on the portal…"));
  tirkeu_portal_client_create_request_async (tirkeu_session_get_client (self->session),
                                             self->idempotency_key, self->checked_vin,
                                             self->checked_iin, contract->contract->number,
                                             self->cancellable, create_cb, g_object_ref (self));
}

/* Navigation */

static gboolean
vin_valid (TirkeuNewRequestFlow *self)
{
  return self->checked_vin != NULL;
}

static gboolean
iin_valid (TirkeuNewRequestFlow *self)
{
  return self->checked_iin != NULL;
}

static void
update_next (TirkeuNewRequestFlow *self)
{
  gboolean enabled = FALSE;

  switch (self->page)
    {
    case TIRKEU_NEW_REQUEST_PAGE_VEHICLE:
      enabled = vin_valid (self) && (self->vehicle_cancellable != NULL || vehicle_passed (self));
      break;
    case TIRKEU_NEW_REQUEST_PAGE_BUYER:
      enabled = iin_valid (self) && (self->buyer_cancellable != NULL || buyer_passed (self))
                && (self->vehicle_cancellable != NULL || vehicle_passed (self));
      break;
    case TIRKEU_NEW_REQUEST_PAGE_CONTRACT:
      enabled = selected_contract (self) != NULL;
      break;
    case TIRKEU_NEW_REQUEST_PAGE_REVIEW:
      enabled = !self->busy && selected_sign_certificate (self) != NULL;
      break;
    case TIRKEU_NEW_REQUEST_PAGE_SENT:
    default:
      enabled = FALSE;
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "flow.next", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "flow.back",
                                 !self->busy && self->page != TIRKEU_NEW_REQUEST_PAGE_SENT);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TirkeuNewRequestFlow *self = TIRKEU_NEW_REQUEST_FLOW (widget);

  switch (self->page)
    {
    case TIRKEU_NEW_REQUEST_PAGE_VEHICLE:
      if (!vin_valid (self))
        {
          gtk_widget_grab_focus (GTK_WIDGET (self->vin_entry));
          return;
        }
      if (self->vehicle_cancellable == NULL && !vehicle_passed (self))
        return;
      /* The buyer is typed while the portal checks the vehicle. */
      show_page (self, TIRKEU_NEW_REQUEST_PAGE_BUYER);
      break;
    case TIRKEU_NEW_REQUEST_PAGE_BUYER:
      if (!iin_valid (self))
        {
          gtk_widget_grab_focus (GTK_WIDGET (self->iin_entry));
          return;
        }
      if (self->vehicle_check != NULL && !vehicle_passed (self))
        {
          show_page (self, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
          return;
        }
      if (self->vehicle_cancellable != NULL || self->buyer_cancellable != NULL)
        {
          self->advance_after_buyer = TRUE;
          return;
        }
      if (!buyer_passed (self) || !vehicle_passed (self))
        return;
      start_contracts (self);
      show_page (self, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
      break;
    case TIRKEU_NEW_REQUEST_PAGE_CONTRACT:
      if (selected_contract (self) == NULL)
        return;
      fill_review (self);
      show_page (self, TIRKEU_NEW_REQUEST_PAGE_REVIEW);
      break;
    case TIRKEU_NEW_REQUEST_PAGE_REVIEW:
      sign_and_send (self);
      break;
    case TIRKEU_NEW_REQUEST_PAGE_SENT:
    default:
      break;
    }
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TirkeuNewRequestFlow *self = TIRKEU_NEW_REQUEST_FLOW (widget);

  if (self->busy || self->page == TIRKEU_NEW_REQUEST_PAGE_SENT)
    return;
  if (self->page == TIRKEU_NEW_REQUEST_PAGE_VEHICLE)
    {
      /* The draft stays: it is listed on the desk to resume. */
      g_signal_emit (self, signals[CLOSED], 0);
      return;
    }
  self->advance_after_buyer = FALSE;
  show_page (self, self->page - 1);
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  g_signal_emit (widget, signals[CLOSED], 0);
}

static void
track_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  TirkeuNewRequestFlow *self = TIRKEU_NEW_REQUEST_FLOW (widget);

  if (self->request != NULL && tirkeu_request_get_portal_id (self->request) != NULL)
    g_signal_emit (self, signals[TRACK], 0, tirkeu_request_get_portal_id (self->request));
}

static void
entry_activate_cb (TirkeuNewRequestFlow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "flow.next", NULL);
}

/* Enter in the VIN entry: a barcode scanner's keystrokes end here. The entry then shows the
 * VIN as it was checked (the Code 39 "I" dropped, upper case, no spaces), so the person sees
 * what goes to the portal; then the flow moves on as Enter does everywhere. */
static void
vin_activate_cb (TirkeuNewRequestFlow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->vin_entry));
  g_autofree char *normalized = tirkeu_vin_normalize (text);

  if (tirkeu_vin_is_valid (normalized) && g_strcmp0 (text, normalized) != 0)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->vin_entry), normalized);
      gtk_editable_set_position (GTK_EDITABLE (self->vin_entry), -1);
    }

  entry_activate_cb (self);
}

static void
row_activated_cb (TirkeuNewRequestFlow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "flow.next", NULL);
}

/* Lifecycle */

static void
reset (TirkeuNewRequestFlow *self)
{
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_cancellable_cancel (self->vehicle_cancellable);
  g_clear_object (&self->vehicle_cancellable);
  g_cancellable_cancel (self->buyer_cancellable);
  g_clear_object (&self->buyer_cancellable);
  g_cancellable_cancel (self->contract_cancellable);
  g_clear_object (&self->contract_cancellable);
  g_clear_pointer (&self->vehicle_check, tirkeu_portal_vehicle_check_free);
  g_clear_error (&self->vehicle_failure);
  g_clear_pointer (&self->person, tirkeu_portal_person_free);
  g_clear_pointer (&self->contracts, g_ptr_array_unref);
  g_clear_object (&self->request);
  g_clear_pointer (&self->signing_payload, g_bytes_unref);
  g_clear_pointer (&self->draft_id, g_free);
  g_clear_pointer (&self->idempotency_key, g_free);
  g_clear_pointer (&self->checked_vin, g_free);
  g_clear_pointer (&self->checked_iin, g_free);
  g_clear_pointer (&self->wanted_contract, g_free);
  self->advance_after_buyer = FALSE;
  self->busy = FALSE;
  self->queued = FALSE;
  self->loading_draft = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->vin_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->iin_entry), "");
  self->loading_draft = FALSE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->contract_list))) != NULL)
    gtk_list_box_remove (self->contract_list, child);
  tirkeu_error_view_clear (self->vehicle_error);
  tirkeu_error_view_clear (self->buyer_error);
  tirkeu_error_view_clear (self->contract_error);
  tirkeu_error_view_clear (self->review_error);
  gtk_widget_set_visible (self->vehicle_group, FALSE);
  gtk_widget_set_visible (self->buyer_group, FALSE);
  set_busy (self, NULL);
}

static void
load_draft_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TirkeuNewRequestFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) fields = NULL;
  const char *value;

  fields = tirkeu_journal_load_draft_finish (TIRKEU_JOURNAL (object), result, &error);
  if (fields == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("The draft could not be loaded: %s", error->message);
      return;
    }
  /* A key that is no UUID (a damaged journal) is not the one the portal may have seen under
   * this flow's rules: the flow keeps the fresh key it made instead. */
  if (g_variant_lookup (fields, "idempotency-key", "&s", &value) && g_uuid_string_is_valid (value))
    {
      g_free (self->idempotency_key);
      self->idempotency_key = g_strdup (value);
    }
  if (g_variant_lookup (fields, "contract-number", "&s", &value) && *value != '\0')
    {
      g_free (self->wanted_contract);
      self->wanted_contract = g_strdup (value);
    }
  /* Both checks start at once from the resumed values. */
  self->loading_draft = TRUE;
  if (g_variant_lookup (fields, "vin", "&s", &value))
    gtk_editable_set_text (GTK_EDITABLE (self->vin_entry), value);
  if (g_variant_lookup (fields, "buyer-iin", "&s", &value))
    gtk_editable_set_text (GTK_EDITABLE (self->iin_entry), value);
  self->loading_draft = FALSE;
  gtk_editable_set_position (GTK_EDITABLE (self->vin_entry), -1);
  show_page (self, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
}

/**
 * tirkeu_new_request_flow_start:
 * @session: a signed-in session whose OKED qualifies
 * @draft_id: (nullable): a draft to resume, %NULL for a new request
 *
 * Starts over on the Vehicle page.
 */
void
tirkeu_new_request_flow_start (TirkeuNewRequestFlow *self,
                               TirkeuSession        *session,
                               const char           *draft_id)
{
  g_return_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self));
  g_return_if_fail (TIRKEU_IS_SESSION (session));

  reset (self);
  if (self->session != session)
    {
      if (self->session != NULL && tirkeu_session_get_outbox (self->session) != NULL)
        g_signal_handlers_disconnect_by_data (tirkeu_session_get_outbox (self->session), self);
      g_set_object (&self->session, session);
      if (tirkeu_session_get_outbox (session) != NULL)
        g_signal_connect_object (tirkeu_session_get_outbox (session), "sent",
                                 G_CALLBACK (outbox_sent_cb), self, G_CONNECT_SWAPPED);
    }
  self->draft_id = draft_id != NULL ? g_strdup (draft_id) : g_uuid_string_random ();
  self->idempotency_key = g_uuid_string_random ();
  show_page (self, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  /* The empty fields are not saved: that would overwrite the draft being resumed (the
   * journal runs the save before the load) or list an empty draft on the desk. */
  self->loading_draft = TRUE;
  vin_changed_cb (self);
  iin_changed_cb (self);
  self->loading_draft = FALSE;
  if (draft_id != NULL && tirkeu_session_get_journal (session) != NULL)
    tirkeu_journal_load_draft_async (tirkeu_session_get_journal (session), draft_id,
                                     self->cancellable, load_draft_cb, g_object_ref (self));
}

TirkeuNewRequestPage
tirkeu_new_request_flow_get_page (TirkeuNewRequestFlow *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self), 0);
  return self->page;
}

const char *
tirkeu_new_request_flow_get_draft_id (TirkeuNewRequestFlow *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self), NULL);
  return self->draft_id;
}

const char *
tirkeu_new_request_flow_get_idempotency_key (TirkeuNewRequestFlow *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self), NULL);
  return self->idempotency_key;
}

/**
 * tirkeu_new_request_flow_get_request:
 *
 * Returns: (transfer none) (nullable): the request once the portal created it
 */
TirkeuRequest *
tirkeu_new_request_flow_get_request (TirkeuNewRequestFlow *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self), NULL);
  return self->request;
}

gboolean
tirkeu_new_request_flow_get_busy (TirkeuNewRequestFlow *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self), FALSE);
  return self->busy || self->vehicle_cancellable != NULL || self->buyer_cancellable != NULL
         || self->contract_cancellable != NULL;
}

gboolean
tirkeu_new_request_flow_get_queued (TirkeuNewRequestFlow *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self), FALSE);
  return self->queued;
}

/**
 * tirkeu_new_request_flow_get_error_view:
 *
 * Returns: (transfer none): the error view of @page (for tests)
 */
GtkWidget *
tirkeu_new_request_flow_get_error_view (TirkeuNewRequestFlow *self,
                                        TirkeuNewRequestPage  page)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self), NULL);

  switch (page)
    {
    case TIRKEU_NEW_REQUEST_PAGE_VEHICLE:
      return GTK_WIDGET (self->vehicle_error);
    case TIRKEU_NEW_REQUEST_PAGE_BUYER:
      return GTK_WIDGET (self->buyer_error);
    case TIRKEU_NEW_REQUEST_PAGE_CONTRACT:
      return GTK_WIDGET (self->contract_error);
    case TIRKEU_NEW_REQUEST_PAGE_REVIEW:
    case TIRKEU_NEW_REQUEST_PAGE_SENT:
    default:
      return GTK_WIDGET (self->review_error);
    }
}

static void
tirkeu_new_request_flow_dispose (GObject *object)
{
  TirkeuNewRequestFlow *self = TIRKEU_NEW_REQUEST_FLOW (object);

  if (self->cancellable != NULL)
    reset (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  /* AdwBin keeps its own pointer to the child: let it unparent the child first, or
   * gtk_widget_dispose_template() unparents it behind AdwBin's back and AdwBin's
   * dispose then unparents a freed widget. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TIRKEU_TYPE_NEW_REQUEST_FLOW);

  G_OBJECT_CLASS (tirkeu_new_request_flow_parent_class)->dispose (object);
}

static void
tirkeu_new_request_flow_class_init (TirkeuNewRequestFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tirkeu_new_request_flow_dispose;

  /**
   * TirkeuNewRequestFlow::closed:
   *
   * The salesperson left the flow (Escape on the first page, or Done).
   */
  signals[CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * TirkeuNewRequestFlow::track:
   * @portal_id: the request's id on the portal
   *
   * Show the request's tracking page.
   */
  signals[TRACK] =
    g_signal_new ("track", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (TIRKEU_TYPE_ERROR_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-new-request-flow.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, TirkeuNewRequestFlow, name)
  BIND (steps_box);
  BIND (stack);
  BIND (vin_entry);
  BIND (vin_hint);
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
  BIND (iin_entry);
  BIND (iin_hint);
  BIND (buyer_spinner);
  BIND (buyer_group);
  BIND (buyer_row);
  BIND (buyer_error);
  BIND (contract_spinner);
  BIND (contract_list);
  BIND (contract_error);
  BIND (review_seller_row);
  BIND (review_vehicle_row);
  BIND (review_buyer_row);
  BIND (review_contract_row);
  BIND (sign_certificate_list);
  BIND (progress_box);
  BIND (progress_spinner);
  BIND (progress_label);
  BIND (review_error);
  BIND (sent_page);
  BIND (todo_title);
  BIND (todo_label);
  BIND (track_button);
  BIND (back_button);
  BIND (next_button);
#undef BIND

  gtk_widget_class_install_action (widget_class, "flow.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "flow.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "flow.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "flow.track", NULL, track_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "flow.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "flow.back", NULL);
}

static void
tirkeu_new_request_flow_init (TirkeuNewRequestFlow *self)
{
  const char *step_names[] = {
    /* Translators: the step indicator of a new request */
    N_("1 Vehicle"), N_("2 Buyer"), N_("3 Contract"), N_("4 Review and Sign"), N_("5 Sent"),
  };

  gtk_widget_init_template (GTK_WIDGET (self));
  tirkeu_a11y_fix_button_names (GTK_WIDGET (self));
  tirkeu_a11y_describe_entry (GTK_WIDGET (self->vin_entry), GTK_WIDGET (self->vin_hint));
  tirkeu_a11y_describe_entry (GTK_WIDGET (self->iin_entry), GTK_WIDGET (self->iin_hint));
  self->cancellable = g_cancellable_new ();

  for (guint i = 0; i < G_N_ELEMENTS (step_names); i++)
    {
      GtkWidget *label = gtk_label_new (_(step_names[i]));

      gtk_widget_add_css_class (label, "step");
      if (i > 0)
        {
          GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

          gtk_widget_add_css_class (arrow, "dim-label");
          gtk_accessible_update_state (GTK_ACCESSIBLE (arrow), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
          gtk_box_append (self->steps_box, arrow);
        }
      gtk_box_append (self->steps_box, label);
      self->step_labels[i] = label;
    }

  g_signal_connect_swapped (self->vin_entry, "changed", G_CALLBACK (vin_changed_cb), self);
  g_signal_connect_swapped (self->vin_entry, "activate", G_CALLBACK (vin_activate_cb), self);
  g_signal_connect_swapped (self->iin_entry, "changed", G_CALLBACK (iin_changed_cb), self);
  g_signal_connect_swapped (self->iin_entry, "activate", G_CALLBACK (entry_activate_cb), self);
  g_signal_connect_swapped (self->contract_list, "row-activated", G_CALLBACK (row_activated_cb), self);
  g_signal_connect_swapped (self->contract_list, "row-selected", G_CALLBACK (contract_selected_cb), self);
  g_signal_connect_swapped (self->sign_certificate_list, "row-activated", G_CALLBACK (row_activated_cb), self);
  g_signal_connect_swapped (self->sign_certificate_list, "row-selected", G_CALLBACK (update_next), self);
  update_steps (self);
  update_next (self);
}
