/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-a11y.h"
#include "tirkeu-error-view.h"
#include "tirkeu-new-request-flow.h"
#include "tirkeu-new-request-pages.h"
#include "tirkeu-new-request-pages-private.h"
#include "tirkeu-pin-dialog.h"
#include "tirkeu-portal-error.h"

/**
 * TirkeuNewRequestFlow:
 *
 * A new registration request, steps 2-9, one page widget each: Vehicle, Buyer, Contract,
 * Review and sign, Sent, with a step indicator on top. The work is the #TirkeuNewRequest's
 * (the checks, the draft, create, sign, the outbox); this widget moves between the pages and
 * asks the PIN when the request asks for it: at Sign and Send, while the portal creates the
 * request, so that the clerk types it during that round trip.
 *
 * At the desk: the checks start as soon as a value is valid and run at once, the contracts
 * as soon as the VIN and the IIN are (Enter on a valid VIN moves on without waiting for the
 * portal; a failed vehicle check brings the Vehicle page back). Enter moves on, Escape goes
 * back, focus lands in the next field. A barcode scanner types fast and ends with Enter; its
 * 18-character "I" form is normalized by tirkeu_vin_normalize().
 *
 * When the journal is not open, the flow says so at once and does not offer to sign: what is
 * signed must be kept until the portal confirms it.
 */
struct _TirkeuNewRequestFlow
{
  AdwBin              parent_instance;

  /* template widgets */
  GtkBox             *steps_box;
  GtkLabel           *journal_error;
  GtkStack           *stack;
  TirkeuVehiclePage  *vehicle_page;
  TirkeuBuyerPage    *buyer_page;
  TirkeuContractPage *contract_page;
  TirkeuReviewPage   *review_page;
  TirkeuSentPage     *sent_page;
  GtkWidget          *back_button;
  GtkWidget          *next_button;
  GtkWidget          *step_labels[5];

  /* owned references */
  TirkeuSession      *session;
  TirkeuNewRequest   *request;
  GSignalGroup       *request_signals;
  GCancellable       *cancellable;
  GCancellable       *pin_cancellable;

  /* state */
  TirkeuNewRequestPage page;
  guint                advance_after_buyer : 1;
  guint                queued : 1;
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

static gboolean
busy (TirkeuNewRequestFlow *self)
{
  return self->request != NULL && tirkeu_new_request_get_busy (self->request);
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
      focus = tirkeu_vehicle_page_get_entry (self->vehicle_page);
      break;
    case TIRKEU_NEW_REQUEST_PAGE_BUYER:
      focus = tirkeu_buyer_page_get_entry (self->buyer_page);
      break;
    case TIRKEU_NEW_REQUEST_PAGE_CONTRACT:
      focus = tirkeu_contract_page_get_focus_row (self->contract_page);
      if (focus == NULL)
        focus = self->next_button;
      break;
    case TIRKEU_NEW_REQUEST_PAGE_REVIEW:
      focus = self->next_button;
      break;
    case TIRKEU_NEW_REQUEST_PAGE_SENT:
      focus = tirkeu_sent_page_get_track_button (self->sent_page);
      break;
    default:
      g_assert_not_reached ();
    }
  gtk_widget_grab_focus (focus);
}

/* What the request learned */

static gboolean
vehicle_passed (TirkeuNewRequestFlow *self)
{
  return tirkeu_new_request_get_vehicle_passed (self->request);
}

static gboolean
vehicle_failed (TirkeuNewRequestFlow *self)
{
  return tirkeu_new_request_get_checked_vin (self->request) != NULL
         && !tirkeu_new_request_get_vehicle_checking (self->request)
         && !vehicle_passed (self);
}

static gboolean
buyer_passed (TirkeuNewRequestFlow *self)
{
  return tirkeu_new_request_get_buyer_passed (self->request);
}

static void
vehicle_checked_cb (TirkeuNewRequestFlow *self)
{
  /* The salesperson moved on while the portal checked: bring the failure to them. */
  if (vehicle_failed (self) && self->page > TIRKEU_NEW_REQUEST_PAGE_VEHICLE
      && self->page < TIRKEU_NEW_REQUEST_PAGE_SENT && !busy (self))
    {
      self->advance_after_buyer = FALSE;
      show_page (self, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
      return;
    }
  if (self->advance_after_buyer && self->page == TIRKEU_NEW_REQUEST_PAGE_BUYER
      && !tirkeu_new_request_get_vehicle_checking (self->request)
      && !tirkeu_new_request_get_buyer_checking (self->request))
    {
      self->advance_after_buyer = FALSE;
      if (vehicle_passed (self) && buyer_passed (self))
        show_page (self, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
    }
  update_next (self);
}

/* Step 9: the PIN when the request asks for it */

typedef struct
{
  TirkeuNewRequestFlow *self;
  TirkeuCertificate    *certificate;
  char                 *error_message;
} AskPin;

static void
ask_pin_free (AskPin *ask)
{
  g_clear_object (&ask->self);
  g_clear_object (&ask->certificate);
  g_free (ask->error_message);
  g_free (ask);
}

static void
pin_answered_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TirkeuNewRequestFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  char *pin;

  pin = tirkeu_pin_dialog_ask_finish (TIRKEU_PIN_DIALOG (object), result, &error);
  if (self->request == NULL)
    {
      tirkeu_wipe_string (pin);
      return;
    }
  if (pin == NULL)
    {
      tirkeu_new_request_cancel_pin (self->request);
      return;
    }
  tirkeu_new_request_give_pin (self->request, pin);
  tirkeu_wipe_string (pin);
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  AskPin *ask = user_data;
  TirkeuNewRequestFlow *self = ask->self;
  g_autoptr(TirkeuTokenInfo) token = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *purpose = NULL;
  TirkeuPinDialog *dialog;
  GtkRoot *root;

  token = tirkeu_session_refresh_token_finish (TIRKEU_SESSION (object), result, &error);
  if (self->request == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      ask_pin_free (ask);
      return;
    }
  if (token == NULL)
    {
      tirkeu_new_request_cancel_pin (self->request);
      tirkeu_error_view_set_error (TIRKEU_ERROR_VIEW (tirkeu_review_page_get_error_view (self->review_page)),
                                   9, error);
      ask_pin_free (ask);
      return;
    }
  root = gtk_widget_get_root (GTK_WIDGET (self));
  /* Translators: %s is the VIN; step 9 of the algorithm */
  purpose = g_strdup_printf (_("Sign the registration request for VIN %s with your signing key (step 9)."),
                             tirkeu_new_request_get_checked_vin (self->request));
  dialog = tirkeu_pin_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, token,
                                  ask->certificate, purpose);
  tirkeu_pin_dialog_set_error (dialog, ask->error_message);
  tirkeu_pin_dialog_ask_async (dialog, self->pin_cancellable, pin_answered_cb, g_object_ref (self));
  ask_pin_free (ask);
}

static void
pin_needed_cb (TirkeuNewRequestFlow *self,
               TirkeuCertificate    *certificate,
               const char           *error_message)
{
  AskPin *ask = g_new0 (AskPin, 1);

  g_cancellable_cancel (self->pin_cancellable);
  g_clear_object (&self->pin_cancellable);
  self->pin_cancellable = g_cancellable_new ();
  ask->self = g_object_ref (self);
  ask->certificate = g_object_ref (certificate);
  ask->error_message = g_strdup (error_message);
  /* The PIN flags (tries left) as they are now, just before asking. */
  tirkeu_session_refresh_token_async (self->session, self->pin_cancellable, refresh_cb, ask);
}

/* The portal did not create the request, or its payload was refused: the PIN dialog closes. */
static void
pin_withdrawn_cb (TirkeuNewRequestFlow *self)
{
  g_cancellable_cancel (self->pin_cancellable);
}

static void
state_changed_cb (TirkeuNewRequestFlow *self)
{
  const char *progress = NULL;

  switch (tirkeu_new_request_get_state (self->request))
    {
    case TIRKEU_NEW_REQUEST_STATE_CREATING:
      progress = _("Creating the request on the portal…");
      break;
    case TIRKEU_NEW_REQUEST_STATE_AWAITING_PIN:
      progress = _("Waiting for the PIN…");
      break;
    case TIRKEU_NEW_REQUEST_STATE_SIGNING:
      progress = _("Signing on the token…");
      break;
    case TIRKEU_NEW_REQUEST_STATE_SENDING:
      progress = _("Sending the signed request to the portal…");
      break;
    case TIRKEU_NEW_REQUEST_STATE_SENT:
      /* The outbox sent what waited: the page says so. */
      if (self->queued && self->page == TIRKEU_NEW_REQUEST_PAGE_SENT)
        {
          self->queued = FALSE;
          tirkeu_sent_page_show (self->sent_page, tirkeu_new_request_get_request (self->request),
                                 FALSE);
        }
      break;
    case TIRKEU_NEW_REQUEST_STATE_EDITING:
    case TIRKEU_NEW_REQUEST_STATE_QUEUED:
    case TIRKEU_NEW_REQUEST_STATE_WITHDRAWN:
    default:
      break;
    }
  tirkeu_review_page_set_progress (self->review_page, progress);
  update_next (self);
}

/* What went otherwise but did not stop the request (the certificate's status could not be
 * checked, no timestamp could be had) is said on the Sent page: the clerk knows the
 * signature went without it. Read again at every step of a send, so that a new send starts
 * without the last one's notice. */
static void
update_notice (TirkeuNewRequestFlow *self)
{
  tirkeu_sent_page_set_notice (self->sent_page,
                               self->request != NULL
                               ? tirkeu_new_request_get_notice (self->request) : NULL);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(TirkeuNewRequestFlow) self = user_data;
  TirkeuNewRequest *request = TIRKEU_NEW_REQUEST (object);
  g_autoptr(GError) error = NULL;

  if (!tirkeu_new_request_send_finish (request, result, &error))
    {
      if (request != self->request)
        return;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_widget_grab_focus (self->next_button);
      else
        tirkeu_error_view_set_error (TIRKEU_ERROR_VIEW (tirkeu_review_page_get_error_view (self->review_page)),
                                     _tirkeu_new_request_step_of_error (error, 9), error);
      return;
    }
  if (request != self->request)
    return;
  self->queued = tirkeu_new_request_get_state (request) == TIRKEU_NEW_REQUEST_STATE_QUEUED;
  tirkeu_sent_page_show (self->sent_page, tirkeu_new_request_get_request (request), self->queued);
  show_page (self, TIRKEU_NEW_REQUEST_PAGE_SENT);
}

static void
sign_and_send (TirkeuNewRequestFlow *self)
{
  TirkeuCertificate *certificate = tirkeu_review_page_get_certificate (self->review_page);

  if (busy (self) || certificate == NULL || !tirkeu_new_request_get_can_sign (self->request))
    return;
  tirkeu_error_view_clear (TIRKEU_ERROR_VIEW (tirkeu_review_page_get_error_view (self->review_page)));
  tirkeu_new_request_send_async (self->request, certificate, self->cancellable, send_cb,
                                 g_object_ref (self));
}

/* Navigation */

static void
update_journal_error (TirkeuNewRequestFlow *self)
{
  const GError *error = self->request != NULL
                        ? tirkeu_new_request_get_journal_error (self->request) : NULL;

  gtk_label_set_label (self->journal_error, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->journal_error), error != NULL);
  update_next (self);
}

static void
update_next (TirkeuNewRequestFlow *self)
{
  gboolean enabled = FALSE;
  gboolean vin_valid, iin_valid;

  if (self->request == NULL)
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "flow.next", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "flow.withdraw", FALSE);
      return;
    }
  vin_valid = tirkeu_new_request_get_checked_vin (self->request) != NULL;
  iin_valid = tirkeu_new_request_get_checked_iin (self->request) != NULL;

  switch (self->page)
    {
    case TIRKEU_NEW_REQUEST_PAGE_VEHICLE:
      enabled = vin_valid && !vehicle_failed (self);
      break;
    case TIRKEU_NEW_REQUEST_PAGE_BUYER:
      enabled = iin_valid && !vehicle_failed (self)
                && (tirkeu_new_request_get_buyer_checking (self->request) || buyer_passed (self));
      break;
    case TIRKEU_NEW_REQUEST_PAGE_CONTRACT:
      enabled = tirkeu_new_request_get_contract (self->request) != NULL;
      break;
    case TIRKEU_NEW_REQUEST_PAGE_REVIEW:
      enabled = !busy (self) && tirkeu_new_request_get_can_sign (self->request)
                && tirkeu_review_page_get_certificate (self->review_page) != NULL;
      break;
    case TIRKEU_NEW_REQUEST_PAGE_SENT:
    default:
      enabled = FALSE;
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "flow.next", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "flow.back",
                                 !busy (self) && self->page != TIRKEU_NEW_REQUEST_PAGE_SENT);
  {
    /* Created on the portal, not signed, nothing under way: it may be withdrawn. */
    gboolean can_withdraw = tirkeu_draft_get_is_created (tirkeu_new_request_get_draft (self->request))
                            && tirkeu_new_request_get_state (self->request) == TIRKEU_NEW_REQUEST_STATE_EDITING;

    tirkeu_review_page_set_can_withdraw (self->review_page, can_withdraw);
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "flow.withdraw", can_withdraw);
  }
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TirkeuNewRequestFlow *self = TIRKEU_NEW_REQUEST_FLOW (widget);

  if (self->request == NULL)
    return;
  switch (self->page)
    {
    case TIRKEU_NEW_REQUEST_PAGE_VEHICLE:
      if (tirkeu_new_request_get_checked_vin (self->request) == NULL)
        {
          gtk_widget_grab_focus (tirkeu_vehicle_page_get_entry (self->vehicle_page));
          return;
        }
      if (vehicle_failed (self))
        return;
      /* The buyer is typed while the portal checks the vehicle. */
      show_page (self, TIRKEU_NEW_REQUEST_PAGE_BUYER);
      break;
    case TIRKEU_NEW_REQUEST_PAGE_BUYER:
      if (tirkeu_new_request_get_checked_iin (self->request) == NULL)
        {
          gtk_widget_grab_focus (tirkeu_buyer_page_get_entry (self->buyer_page));
          return;
        }
      if (vehicle_failed (self))
        {
          show_page (self, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
          return;
        }
      if (tirkeu_new_request_get_vehicle_checking (self->request)
          || tirkeu_new_request_get_buyer_checking (self->request))
        {
          self->advance_after_buyer = TRUE;
          return;
        }
      if (!buyer_passed (self) || !vehicle_passed (self))
        return;
      show_page (self, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
      break;
    case TIRKEU_NEW_REQUEST_PAGE_CONTRACT:
      if (tirkeu_new_request_get_contract (self->request) == NULL)
        return;
      tirkeu_review_page_fill (self->review_page, self->request);
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

  if (busy (self) || self->page == TIRKEU_NEW_REQUEST_PAGE_SENT)
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
withdraw_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TirkeuNewRequestFlow) self = user_data;
  TirkeuNewRequest *request = TIRKEU_NEW_REQUEST (object);
  g_autoptr(GError) error = NULL;

  if (!tirkeu_new_request_withdraw_finish (request, result, &error))
    {
      if (request == self->request && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tirkeu_error_view_set_error (TIRKEU_ERROR_VIEW (tirkeu_review_page_get_error_view (self->review_page)),
                                     _tirkeu_new_request_step_of_error (error, 9), error);
      return;
    }
  /* Withdrawn, and its draft gone: the flow is done with it. */
  if (request == self->request)
    g_signal_emit (self, signals[CLOSED], 0);
}

static void
withdraw_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TirkeuNewRequestFlow *self = TIRKEU_NEW_REQUEST_FLOW (widget);

  if (self->request == NULL || busy (self)
      || !tirkeu_draft_get_is_created (tirkeu_new_request_get_draft (self->request)))
    return;
  tirkeu_error_view_clear (TIRKEU_ERROR_VIEW (tirkeu_review_page_get_error_view (self->review_page)));
  tirkeu_new_request_withdraw_async (self->request, self->cancellable, withdraw_cb,
                                     g_object_ref (self));
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
  TirkeuRequest *request = self->request != NULL ? tirkeu_new_request_get_request (self->request) : NULL;

  if (request != NULL && tirkeu_request_get_portal_id (request) != NULL)
    g_signal_emit (self, signals[TRACK], 0, tirkeu_request_get_portal_id (request));
}

static void
page_activate_cb (TirkeuNewRequestFlow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "flow.next", NULL);
}

/* Lifecycle */

static void
set_request (TirkeuNewRequestFlow *self,
             TirkeuNewRequest     *request)
{
  /* A PIN still asked for the request left behind is not given to it. */
  if (self->request != NULL)
    tirkeu_new_request_cancel_pin (self->request);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_cancellable_cancel (self->pin_cancellable);
  g_clear_object (&self->pin_cancellable);
  self->advance_after_buyer = FALSE;
  self->queued = FALSE;

  g_set_object (&self->request, request);
  g_signal_group_set_target (self->request_signals, request);
  tirkeu_vehicle_page_set_request (self->vehicle_page, request);
  tirkeu_buyer_page_set_request (self->buyer_page, request);
  tirkeu_contract_page_set_request (self->contract_page, request);
  tirkeu_review_page_set_progress (self->review_page, NULL);
  tirkeu_error_view_clear (TIRKEU_ERROR_VIEW (tirkeu_review_page_get_error_view (self->review_page)));
  update_journal_error (self);
}

static void
load_draft_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TirkeuNewRequestFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuDraft) draft = NULL;
  g_autoptr(TirkeuNewRequest) request = NULL;

  draft = tirkeu_new_request_load_draft_finish (result, &error);
  if (draft == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("The draft cannot be resumed: %s", error->message);
      return;
    }
  /* Its checks start at once from the resumed values. */
  request = tirkeu_new_request_new (self->session, draft);
  set_request (self, request);
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
  g_autoptr(TirkeuNewRequest) request = NULL;
  g_autoptr(TirkeuDraft) draft = NULL;

  g_return_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self));
  g_return_if_fail (TIRKEU_IS_SESSION (session));

  g_set_object (&self->session, session);
  /* Until the draft is loaded, an empty request under the draft's id: nothing is saved from
   * it (an empty draft is never written), so the draft being resumed is not overwritten. */
  draft = tirkeu_draft_new (draft_id);
  request = tirkeu_new_request_new (session, draft);
  set_request (self, request);
  show_page (self, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  if (draft_id != NULL && tirkeu_session_get_journal (session) != NULL)
    {
      tirkeu_new_request_load_draft_async (tirkeu_session_get_journal (session), draft_id,
                                           self->cancellable, load_draft_cb, g_object_ref (self));
    }
}

TirkeuNewRequestPage
tirkeu_new_request_flow_get_page (TirkeuNewRequestFlow *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self), 0);
  return self->page;
}

/**
 * tirkeu_new_request_flow_get_new_request:
 *
 * Returns: (transfer none) (nullable): the request being prepared
 */
TirkeuNewRequest *
tirkeu_new_request_flow_get_new_request (TirkeuNewRequestFlow *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self), NULL);
  return self->request;
}

const char *
tirkeu_new_request_flow_get_draft_id (TirkeuNewRequestFlow *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self), NULL);
  return self->request != NULL ? tirkeu_new_request_get_draft (self->request)->id : NULL;
}

const char *
tirkeu_new_request_flow_get_idempotency_key (TirkeuNewRequestFlow *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self), NULL);
  return self->request != NULL ? tirkeu_new_request_get_draft (self->request)->idempotency_key
                               : NULL;
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
  return self->request != NULL ? tirkeu_new_request_get_request (self->request) : NULL;
}

gboolean
tirkeu_new_request_flow_get_busy (TirkeuNewRequestFlow *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self), FALSE);
  return self->request != NULL
         && (tirkeu_new_request_get_busy (self->request)
             || tirkeu_new_request_get_checking (self->request));
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
      return tirkeu_vehicle_page_get_error_view (self->vehicle_page);
    case TIRKEU_NEW_REQUEST_PAGE_BUYER:
      return tirkeu_buyer_page_get_error_view (self->buyer_page);
    case TIRKEU_NEW_REQUEST_PAGE_CONTRACT:
      return tirkeu_contract_page_get_error_view (self->contract_page);
    case TIRKEU_NEW_REQUEST_PAGE_REVIEW:
    case TIRKEU_NEW_REQUEST_PAGE_SENT:
    default:
      return tirkeu_review_page_get_error_view (self->review_page);
    }
}

/**
 * tirkeu_new_request_flow_get_journal_error:
 *
 * Returns: (transfer none): the label that says why nothing can be signed (for tests)
 */
GtkWidget *
tirkeu_new_request_flow_get_journal_error (TirkeuNewRequestFlow *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST_FLOW (self), NULL);
  return GTK_WIDGET (self->journal_error);
}

static void
tirkeu_new_request_flow_dispose (GObject *object)
{
  TirkeuNewRequestFlow *self = TIRKEU_NEW_REQUEST_FLOW (object);

  if (self->request != NULL)
    tirkeu_new_request_cancel_pin (self->request);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->pin_cancellable);
  g_clear_object (&self->pin_cancellable);
  g_clear_object (&self->request_signals);
  g_clear_object (&self->request);
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

  g_type_ensure (TIRKEU_TYPE_VEHICLE_PAGE);
  g_type_ensure (TIRKEU_TYPE_BUYER_PAGE);
  g_type_ensure (TIRKEU_TYPE_CONTRACT_PAGE);
  g_type_ensure (TIRKEU_TYPE_REVIEW_PAGE);
  g_type_ensure (TIRKEU_TYPE_SENT_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-new-request-flow.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, TirkeuNewRequestFlow, name)
  BIND (steps_box);
  BIND (journal_error);
  BIND (stack);
  BIND (vehicle_page);
  BIND (buyer_page);
  BIND (contract_page);
  BIND (review_page);
  BIND (sent_page);
  BIND (back_button);
  BIND (next_button);
#undef BIND

  gtk_widget_class_install_action (widget_class, "flow.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "flow.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "flow.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "flow.withdraw", NULL, withdraw_action);
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

  self->request_signals = g_signal_group_new (TIRKEU_TYPE_NEW_REQUEST);
  g_signal_group_connect_swapped (self->request_signals, "notify::checking",
                                  G_CALLBACK (vehicle_checked_cb), self);
  g_signal_group_connect_swapped (self->request_signals, "notify::vehicle-check",
                                  G_CALLBACK (vehicle_checked_cb), self);
  g_signal_group_connect_swapped (self->request_signals, "notify::draft",
                                  G_CALLBACK (update_next), self);
  g_signal_group_connect_swapped (self->request_signals, "notify::contracts",
                                  G_CALLBACK (update_next), self);
  g_signal_group_connect_swapped (self->request_signals, "notify::state",
                                  G_CALLBACK (state_changed_cb), self);
  g_signal_group_connect_swapped (self->request_signals, "notify::can-sign",
                                  G_CALLBACK (update_journal_error), self);
  g_signal_group_connect_swapped (self->request_signals, "pin-needed",
                                  G_CALLBACK (pin_needed_cb), self);
  g_signal_group_connect_swapped (self->request_signals, "pin-withdrawn",
                                  G_CALLBACK (pin_withdrawn_cb), self);
  g_signal_group_connect_swapped (self->request_signals, "notice",
                                  G_CALLBACK (update_notice), self);
  g_signal_group_connect_swapped (self->request_signals, "notify::state",
                                  G_CALLBACK (update_notice), self);

  g_signal_connect_swapped (self->vehicle_page, "activate", G_CALLBACK (page_activate_cb), self);
  g_signal_connect_swapped (self->buyer_page, "activate", G_CALLBACK (page_activate_cb), self);
  g_signal_connect_swapped (self->contract_page, "activate", G_CALLBACK (page_activate_cb), self);
  g_signal_connect_swapped (self->review_page, "activate", G_CALLBACK (page_activate_cb), self);
  g_signal_connect_swapped (self->review_page, "changed", G_CALLBACK (update_next), self);
  update_steps (self);
  update_next (self);
}
