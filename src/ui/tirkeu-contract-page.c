/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-error-view.h"
#include "tirkeu-iin.h"
#include "tirkeu-new-request-pages.h"
#include "tirkeu-new-request-pages-private.h"
#include "tirkeu-portal-error.h"

/**
 * TirkeuContractPage:
 *
 * Step 8: the sale-purchase contracts the portal found for the VIN and the buyer (looked up
 * as soon as both were valid), one to choose. The choice goes to the #TirkeuNewRequest's
 * draft; a row activated emits #TirkeuContractPage::activate.
 */
struct _TirkeuContractPage
{
  AdwBin            parent_instance;

  /* template widgets */
  GtkWidget        *contract_spinner;
  GtkListBox       *contract_list;
  TirkeuErrorView  *contract_error;

  /* owned references */
  TirkeuNewRequest *request;
  GSignalGroup     *request_signals;
};

G_DEFINE_FINAL_TYPE (TirkeuContractPage, tirkeu_contract_page, ADW_TYPE_BIN)

enum {
  ACTIVATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
fill (TirkeuContractPage *self)
{
  GPtrArray *contracts = self->request != NULL ? tirkeu_new_request_get_contracts (self->request) : NULL;
  const GError *error = self->request != NULL ? tirkeu_new_request_get_contracts_error (self->request) : NULL;
  gboolean checking = self->request != NULL && tirkeu_new_request_get_contracts_checking (self->request);
  const char *wanted = self->request != NULL ? tirkeu_new_request_get_draft (self->request)->contract_number : NULL;
  GtkListBoxRow *select = NULL;
  GtkWidget *child;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  /* The rows are made anew: one that had the focus takes it with it. */
  gboolean had_focus = focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->contract_list));

  gtk_widget_set_visible (self->contract_spinner, checking);
  gtk_spinner_set_spinning (GTK_SPINNER (self->contract_spinner), checking);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->contract_list))) != NULL)
    gtk_list_box_remove (self->contract_list, child);
  tirkeu_error_view_clear (self->contract_error);
  gtk_widget_set_visible (GTK_WIDGET (self->contract_list), FALSE);

  if (error != NULL)
    {
      tirkeu_error_view_set_error (self->contract_error, _tirkeu_new_request_step_of_error (error, 8),
                                   error);
      return;
    }
  if (contracts == NULL)
    return;
  if (contracts->len == 0)
    {
      /* A clear stop: nothing to sign without a contract. */
      tirkeu_error_view_set_code (self->contract_error, 8, TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND,
                                  NULL, NULL);
      return;
    }

  for (guint i = 0; i < contracts->len; i++)
    {
      TirkeuPortalContract *contract = g_ptr_array_index (contracts, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *date = _tirkeu_new_request_format_date (&contract->contract->date);
      g_autofree char *price = _tirkeu_new_request_format_money (contract->contract->price_tiyn, contract->currency);
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
      g_object_set_data_full (G_OBJECT (row), "contract-number",
                              g_strdup (contract->contract->number), g_free);
      gtk_list_box_append (self->contract_list, row);
      if (select == NULL || g_strcmp0 (wanted, contract->contract->number) == 0)
        select = GTK_LIST_BOX_ROW (row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->contract_list), TRUE);
  gtk_list_box_select_row (self->contract_list, select);

  /* Contracts that came after the page was shown (the flow could only offer Next, not yet
   * sensitive), or rows made again under the focus: the chosen contract takes the focus, so
   * that Enter goes on as when they came first. A focus the clerk moved elsewhere stays. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && root != NULL)
    {
      focus = gtk_root_get_focus (root);
      if (had_focus || focus == NULL || !gtk_widget_get_mapped (focus)
          || !gtk_widget_is_sensitive (focus))
        gtk_widget_grab_focus (GTK_WIDGET (select));
    }
}

static void
update_spinner (TirkeuContractPage *self)
{
  gboolean checking = self->request != NULL && tirkeu_new_request_get_contracts_checking (self->request);

  gtk_widget_set_visible (self->contract_spinner, checking);
  gtk_spinner_set_spinning (GTK_SPINNER (self->contract_spinner), checking);
}

static void
row_selected_cb (TirkeuContractPage *self,
                 GtkListBoxRow      *row)
{
  if (row != NULL && self->request != NULL)
    tirkeu_new_request_set_contract_number (self->request,
                                            g_object_get_data (G_OBJECT (row), "contract-number"));
}

static void
row_activated_cb (TirkeuContractPage *self)
{
  g_signal_emit (self, signals[ACTIVATE], 0);
}

/**
 * tirkeu_contract_page_set_request:
 * @request: the request this page shows and edits
 */
void
tirkeu_contract_page_set_request (TirkeuContractPage *self,
                                  TirkeuNewRequest   *request)
{
  g_return_if_fail (TIRKEU_IS_CONTRACT_PAGE (self));
  g_return_if_fail (request == NULL || TIRKEU_IS_NEW_REQUEST (request));

  g_set_object (&self->request, request);
  g_signal_group_set_target (self->request_signals, request);
  fill (self);
}

/**
 * tirkeu_contract_page_get_focus_row:
 *
 * Returns: (transfer none) (nullable): the chosen contract's row
 */
GtkWidget *
tirkeu_contract_page_get_focus_row (TirkeuContractPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_CONTRACT_PAGE (self), NULL);
  return GTK_WIDGET (gtk_list_box_get_selected_row (self->contract_list));
}

/**
 * tirkeu_contract_page_get_error_view:
 *
 * Returns: (transfer none): the page's error view
 */
GtkWidget *
tirkeu_contract_page_get_error_view (TirkeuContractPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_CONTRACT_PAGE (self), NULL);
  return GTK_WIDGET (self->contract_error);
}

static void
tirkeu_contract_page_dispose (GObject *object)
{
  TirkeuContractPage *self = TIRKEU_CONTRACT_PAGE (object);

  g_clear_object (&self->request_signals);
  g_clear_object (&self->request);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TIRKEU_TYPE_CONTRACT_PAGE);

  G_OBJECT_CLASS (tirkeu_contract_page_parent_class)->dispose (object);
}

static void
tirkeu_contract_page_class_init (TirkeuContractPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tirkeu_contract_page_dispose;

  /**
   * TirkeuContractPage::activate:
   *
   * A contract's row was activated.
   */
  signals[ACTIVATE] =
    g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (TIRKEU_TYPE_ERROR_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-contract-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TirkeuContractPage, contract_spinner);
  gtk_widget_class_bind_template_child (widget_class, TirkeuContractPage, contract_list);
  gtk_widget_class_bind_template_child (widget_class, TirkeuContractPage, contract_error);
}

static void
tirkeu_contract_page_init (TirkeuContractPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->request_signals = g_signal_group_new (TIRKEU_TYPE_NEW_REQUEST);
  g_signal_group_connect_swapped (self->request_signals, "notify::contracts",
                                  G_CALLBACK (fill), self);
  g_signal_group_connect_swapped (self->request_signals, "notify::checking",
                                  G_CALLBACK (update_spinner), self);
  g_signal_connect_swapped (self->contract_list, "row-selected", G_CALLBACK (row_selected_cb), self);
  g_signal_connect_swapped (self->contract_list, "row-activated", G_CALLBACK (row_activated_cb), self);
}
