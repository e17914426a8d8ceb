/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-a11y.h"
#include "tirkeu-certificate-choice.h"
#include "tirkeu-error-view.h"
#include "tirkeu-iin.h"
#include "tirkeu-new-request-pages.h"
#include "tirkeu-new-request-pages-private.h"
#include "tirkeu-token-error.h"

/**
 * TirkeuReviewPage:
 *
 * Everything the seller confirms on one page (seller, vehicle, buyer, contract), the SIGN
 * certificate to sign with, and the progress of step 9. A certificate row activated emits
 * #TirkeuReviewPage::activate; a change of certificate, #TirkeuReviewPage::changed.
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
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
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
      g_autofree char *text = g_strdup_printf ("%s %s, %u · VIN %s", vehicle->make, vehicle->model,
                                               vehicle->year, check->vin);

      adw_action_row_set_subtitle (self->review_vehicle_row, text);
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

  /* The SIGN certificates that may sign this seller's request. Chosen: the signed-in
   * person's own (the IIN of the AUTH certificate), and of those the one valid longest, not
   * one that expires next week. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->sign_certificate_list))) != NULL)
    gtk_list_box_remove (self->sign_certificate_list, child);
  certificates = tirkeu_session_dup_certificates (session, TIRKEU_CERTIFICATE_KIND_SIGN);
  /* the default is decided where the CLI's is: one owner of the rule */
  chosen = tirkeu_certificate_choose (certificates, TIRKEU_SIGN_PURPOSE_REQUEST,
                                      seller != NULL ? seller->bin : NULL, signer_iin, now, NULL);
  for (guint i = 0; i < certificates->len; i++)
    {
      TirkeuCertificate *certificate = g_ptr_array_index (certificates, i);
      GtkWidget *row;
      g_autofree char *until = NULL;
      g_autofree char *subtitle = NULL;

      if (!tirkeu_certificate_check_purpose (certificate, TIRKEU_SIGN_PURPOSE_REQUEST,
                                             seller != NULL ? seller->bin : NULL, now, NULL))
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
      if (certificate == chosen)
        select = GTK_LIST_BOX_ROW (row);
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

static void
row_activated_cb (TirkeuReviewPage *self)
{
  g_signal_emit (self, signals[ACTIVATE], 0);
}

static void
row_selected_cb (TirkeuReviewPage *self)
{
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
   * A certificate's row was activated: sign with it.
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
  g_signal_connect_swapped (self->sign_certificate_list, "row-activated",
                            G_CALLBACK (row_activated_cb), self);
  g_signal_connect_swapped (self->sign_certificate_list, "row-selected",
                            G_CALLBACK (row_selected_cb), self);
}
