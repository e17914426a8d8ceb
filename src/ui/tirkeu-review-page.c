/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-a11y.h"
#include "tirkeu-certificate-choice.h"
#include "tirkeu-error-view.h"
#include "tirkeu-format.h"
#include "tirkeu-i18n.h"
#include "tirkeu-iin.h"
#include "tirkeu-new-request-pages.h"
#include "tirkeu-new-request-pages-private.h"
#include "tirkeu-token-error.h"

/**
 * TirkeuReviewPage:
 *
 * Everything the seller confirms on one page (seller, vehicle, buyer, contract), the SIGN
 * certificate to sign with (radio rows: role, validity, the serial number where two are
 * alike, the 30-day expiry warning), and the progress of step 9. A change of certificate
 * emits #TirkeuReviewPage::changed.
 */
struct _TirkeuReviewPage
{
  AdwBin           parent_instance;

  /* template widgets */
  GtkWidget       *progress_box;
  GtkWidget       *progress_spinner;
  GtkLabel        *progress_label;
  TirkeuErrorView *review_error;
  GtkWidget       *withdraw_button;
  AdwActionRow    *review_seller_row;
  AdwActionRow    *review_vehicle_row;
  AdwActionRow    *review_buyer_row;
  AdwActionRow    *review_contract_row;
  GtkListBox      *sign_certificate_list;
};

G_DEFINE_FINAL_TYPE (TirkeuReviewPage, tirkeu_review_page, ADW_TYPE_BIN)

enum {
  ACTIVATE,
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Two usable certificates of one person and role are told apart by what differs: their
 * validity and serial number (a key re-issued before the old one ran out). */
static gboolean
has_twin (TirkeuCertificate *certificate,
          GPtrArray         *certificates)
{
  for (guint i = 0; i < certificates->len; i++)
    {
      TirkeuCertificate *other = g_ptr_array_index (certificates, i);

      if (other != certificate
          && g_strcmp0 (tirkeu_certificate_get_iin (other),
                        tirkeu_certificate_get_iin (certificate)) == 0
          && tirkeu_certificate_get_role (other) == tirkeu_certificate_get_role (certificate))
        return TRUE;
    }
  return FALSE;
}

static void
check_toggled_cb (GtkCheckButton   *check,
                  TirkeuReviewPage *self)
{
  GtkWidget *row;

  if (!gtk_check_button_get_active (check))
    return;
  row = gtk_widget_get_ancestor (GTK_WIDGET (check), GTK_TYPE_LIST_BOX_ROW);
  /* The list's selection follows the radio: it is what get_certificate() reads. */
  if (row != NULL && !gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (row)))
    gtk_list_box_select_row (self->sign_certificate_list, GTK_LIST_BOX_ROW (row));
}

static GtkWidget *
certificate_row_new (TirkeuCertificate  *certificate,
                     GPtrArray          *usable,
                     GDateTime          *now,
                     GtkCheckButton    **group)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  g_autofree char *from = tirkeu_format_date (tirkeu_certificate_get_not_before (certificate));
  g_autofree char *until = tirkeu_format_date (tirkeu_certificate_get_not_after (certificate));
  g_autofree char *warning = tirkeu_certificate_dup_warning (certificate, now);
  g_autoptr(GString) subtitle = g_string_new (NULL);

  /* Translators: a signing certificate's role, then its validity: "from – until" dates */
  g_string_printf (subtitle, _("%s · valid %s – %s"),
                   tirkeu_certificate_role_to_string (tirkeu_certificate_get_role (certificate)),
                   from, until);
  if (has_twin (certificate, usable))
    {
      g_autofree char *serial = tirkeu_certificate_dup_serial (certificate);

      /* Translators: a certificate's serial number (hex), telling two alike apart */
      g_string_append_printf (subtitle, " · %s", _("serial"));
      g_string_append_printf (subtitle, " %s", serial);
    }
  if (warning != NULL)
    g_string_append_printf (subtitle, "\n%s", warning);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 tirkeu_certificate_get_owner_name (certificate));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  tirkeu_certificate_get_owner_name (certificate),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle->str, -1);
  gtk_check_button_set_group (GTK_CHECK_BUTTON (check), *group);
  if (*group == NULL)
    *group = GTK_CHECK_BUTTON (check);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  if (warning != NULL)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_add_css_class (icon, "warning");
      gtk_widget_set_tooltip_text (icon, warning);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
    }
  g_object_set_data_full (G_OBJECT (row), "certificate", g_object_ref (certificate),
                          g_object_unref);
  g_object_set_data (G_OBJECT (row), "check", check);
  return row;
}

/* Selects @row and checks its radio; %NULL: none. */
static void
choose_row (TirkeuReviewPage *self,
            GtkListBoxRow    *row)
{
  gtk_list_box_select_row (self->sign_certificate_list, row);
  if (row != NULL)
    gtk_check_button_set_active (g_object_get_data (G_OBJECT (row), "check"), TRUE);
}

/**
 * tirkeu_review_page_fill:
 * @request: the request to review
 *
 * Shows what the request holds, and lists the SIGN certificates that may sign it.
 */
void
tirkeu_review_page_fill (TirkeuReviewPage *self,
                         TirkeuNewRequest *request)
{
  TirkeuSession *session = tirkeu_new_request_get_session (request);
  const TirkeuPortalSeller *seller = tirkeu_session_get_seller (session);
  const TirkeuPortalVehicleCheck *check = tirkeu_new_request_get_vehicle_check (request);
  const TirkeuPortalPerson *person = tirkeu_new_request_get_person (request);
  const TirkeuPortalContract *contract = tirkeu_new_request_get_contract (request);
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GPtrArray) usable = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GtkCheckButton *group = NULL;
  GtkWidget *child;
  GtkListBoxRow *select = NULL;
  g_autoptr(TirkeuCertificate) chosen = NULL;
  TirkeuCertificate *auth = tirkeu_session_get_certificate (session);
  const char *signer_iin = auth != NULL ? tirkeu_certificate_get_iin (auth) : NULL;

  g_return_if_fail (TIRKEU_IS_REVIEW_PAGE (self));

  tirkeu_error_view_clear (self->review_error);
  if (seller != NULL)
    {
      g_autofree char *text = g_strdup_printf ("%s · %s %s", seller->name, _("BIN"), seller->bin);

      adw_action_row_set_subtitle (self->review_seller_row, text);
    }
  if (check != NULL && check->vehicle != NULL)
    {
      const TirkeuVehicle *vehicle = check->vehicle;
      const char *language = tirkeu_i18n_get_language ();
      const char *colour = tirkeu_vehicle_pick_colour (vehicle, language);
      const char *body = tirkeu_vehicle_pick_body_type (vehicle, language);
      g_autoptr(GString) text = g_string_new (NULL);

      /* What the seller confirms: the e-passport's colour and body type in the reader's
       * language, picked now (the check keeps every language the portal sent). */
      g_string_append_printf (text, "%s %s, %u",
                              vehicle->make != NULL ? vehicle->make : "",
                              vehicle->model != NULL ? vehicle->model : "", vehicle->year);
      if (colour != NULL)
        g_string_append_printf (text, ", %s", colour);
      if (body != NULL)
        g_string_append_printf (text, ", %s", body);
      g_string_append_printf (text, " · VIN %s", check->vin);
      adw_action_row_set_subtitle (self->review_vehicle_row, text->str);
    }
  if (person != NULL)
    {
      g_autofree char *masked = tirkeu_iin_mask (person->iin);
      g_autofree char *text = g_strdup_printf ("%s · %s %s", person->full_name, _("IIN"), masked);

      adw_action_row_set_subtitle (self->review_buyer_row, text);
    }
  if (contract != NULL)
    {
      g_autofree char *date = _tirkeu_new_request_format_date (&contract->contract->date);
      g_autofree char *price = _tirkeu_new_request_format_money (contract->contract->price_tiyn,
                                                                 contract->currency);
      g_autofree char *text = g_strdup_printf (_("No. %s of %s · %s"), contract->contract->number, date, price);

      adw_action_row_set_subtitle (self->review_contract_row, text);
    }

  /* The SIGN certificates that may sign this seller's request, each a radio row: the choice
   * is seen, not guessed from a highlight. The default is decided where the CLI's is (one
   * owner of the rule): the signed-in person's own, valid longest. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->sign_certificate_list))) != NULL)
    gtk_list_box_remove (self->sign_certificate_list, child);
  certificates = tirkeu_session_dup_certificates (session, TIRKEU_CERTIFICATE_KIND_SIGN);
  usable = tirkeu_certificate_choice_usable (certificates, TIRKEU_SIGN_PURPOSE_REQUEST,
                                             seller != NULL ? seller->bin : NULL, now, NULL);
  chosen = tirkeu_certificate_choose (certificates, TIRKEU_SIGN_PURPOSE_REQUEST,
                                      seller != NULL ? seller->bin : NULL, signer_iin, now, NULL);
  for (guint i = 0; usable != NULL && i < usable->len; i++)
    {
      TirkeuCertificate *certificate = g_ptr_array_index (usable, i);
      GtkWidget *row = certificate_row_new (certificate, usable, now, &group);

      g_signal_connect_object (g_object_get_data (G_OBJECT (row), "check"), "toggled",
                               G_CALLBACK (check_toggled_cb), self, 0);
      gtk_list_box_append (self->sign_certificate_list, row);
      if (certificate == chosen)
        select = GTK_LIST_BOX_ROW (row);
    }
  choose_row (self, select);
  if (select == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (TIRKEU_TOKEN_ERROR,
                                                     TIRKEU_TOKEN_ERROR_NO_RIGHT_TO_SIGN,
                                                     /* Translators: SIGN is the NCA's signing key kind */
                                                     _("The token has no valid SIGN certificate of the seller with the right to sign"));

      tirkeu_error_view_set_error (self->review_error, 9, error);
    }
}

/**
 * tirkeu_review_page_get_certificate:
 *
 * Returns: (transfer none) (nullable): the SIGN certificate chosen
 */
TirkeuCertificate *
tirkeu_review_page_get_certificate (TirkeuReviewPage *self)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (TIRKEU_IS_REVIEW_PAGE (self), NULL);

  row = gtk_list_box_get_selected_row (self->sign_certificate_list);
  return row != NULL ? g_object_get_data (G_OBJECT (row), "certificate") : NULL;
}

/**
 * tirkeu_review_page_set_progress:
 * @progress: (nullable): what step 9 is doing, %NULL when nothing
 */
void
tirkeu_review_page_set_progress (TirkeuReviewPage *self,
                                 const char       *progress)
{
  g_return_if_fail (TIRKEU_IS_REVIEW_PAGE (self));

  gtk_widget_set_visible (self->progress_box, progress != NULL);
  gtk_spinner_set_spinning (GTK_SPINNER (self->progress_spinner), progress != NULL);
  gtk_label_set_label (self->progress_label, progress != NULL ? progress : "");
}

/**
 * tirkeu_review_page_set_can_withdraw:
 * @can_withdraw: whether the portal created the request and it is not being signed
 *
 * Offers to withdraw a request the portal created and the seller did not sign.
 */
void
tirkeu_review_page_set_can_withdraw (TirkeuReviewPage *self,
                                     gboolean          can_withdraw)
{
  g_return_if_fail (TIRKEU_IS_REVIEW_PAGE (self));
  gtk_widget_set_visible (self->withdraw_button, can_withdraw);
}

/**
 * tirkeu_review_page_get_error_view:
 *
 * Returns: (transfer none): the page's error view
 */
GtkWidget *
tirkeu_review_page_get_error_view (TirkeuReviewPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_REVIEW_PAGE (self), NULL);
  return GTK_WIDGET (self->review_error);
}

/* Arrow keys move the selection; the radio follows it, so what is checked is what signs. */
static void
row_selected_cb (TirkeuReviewPage *self,
                 GtkListBoxRow    *row)
{
  GtkCheckButton *check = row != NULL ? g_object_get_data (G_OBJECT (row), "check") : NULL;

  if (check != NULL && !gtk_check_button_get_active (check))
    gtk_check_button_set_active (check, TRUE);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
tirkeu_review_page_dispose (GObject *object)
{
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), TIRKEU_TYPE_REVIEW_PAGE);

  G_OBJECT_CLASS (tirkeu_review_page_parent_class)->dispose (object);
}

static void
tirkeu_review_page_class_init (TirkeuReviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tirkeu_review_page_dispose;

  /**
   * TirkeuReviewPage::activate:
   *
   * The page asks to go on (sign). A certificate's row does not emit it: activating a row
   * only chooses that certificate, as its radio button does; Sign and Send signs.
   */
  signals[ACTIVATE] =
    g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * TirkeuReviewPage::changed:
   *
   * Another certificate was chosen, or none.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (TIRKEU_TYPE_ERROR_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-review-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, TirkeuReviewPage, name)
  BIND (progress_box);
  BIND (progress_spinner);
  BIND (progress_label);
  BIND (review_error);
  BIND (withdraw_button);
  BIND (review_seller_row);
  BIND (review_vehicle_row);
  BIND (review_buyer_row);
  BIND (review_contract_row);
  BIND (sign_certificate_list);
#undef BIND
}

static void
tirkeu_review_page_init (TirkeuReviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  tirkeu_a11y_fix_button_names (self->withdraw_button);
  g_signal_connect_swapped (self->sign_certificate_list, "row-selected",
                            G_CALLBACK (row_selected_cb), self);
}
