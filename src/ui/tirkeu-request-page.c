/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-format.h"
#include "tirkeu-i18n.h"
#include "tirkeu-iin.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-request-page.h"
#include "tirkeu-request-row.h"
#include "tirkeu-summary-print.h"

/**
 * TirkeuRequestPage:
 *
 * One request: the vehicle and the request number, its stage, what happens next (from the
 * catalogue), the refusal reason, the TsON and plate type once the buyer chose them, and the
 * timeline of the buyer's steps 10-19 with times and the portal's messages. The seller can
 * withdraw it while the buyer has not approved it (with a confirmation), and print the
 * buyer's summary. Errors show the catalogue's message; the portal's own text is under
 * "Details".
 */
struct _TirkeuRequestPage
{
  GtkWidget           parent_instance;

  /* template widgets */
  GtkScrolledWindow  *scrolled_window;
  GtkLabel           *title_label;
  GtkLabel           *subtitle_label;
  GtkLabel           *stage_label;
  GtkWidget          *error_box;
  GtkLabel           *error_title;
  GtkLabel           *error_action;
  GtkExpander        *error_expander;
  GtkLabel           *error_details;
  GtkLabel           *next_label;
  GtkLabel           *deadline_label;
  GtkWidget          *refusal_group;
  GtkLabel           *refusal_label;
  AdwActionRow       *buyer_row;
  AdwActionRow       *contract_row;
  AdwActionRow       *tson_row;
  GtkWidget          *vehicle_group;
  AdwActionRow       *colour_row;
  AdwActionRow       *body_row;
  AdwActionRow       *engine_row;
  AdwActionRow       *plate_row;
  GtkListBox         *timeline;
  GtkWidget          *withdraw_button;

  /* owned references */
  TirkeuRequest      *request;
  TirkeuPortalClient *client;
  TirkeuJournal      *journal;
  GCancellable       *cancellable;
  char               *stage_class;
};

G_DEFINE_FINAL_TYPE (TirkeuRequestPage, tirkeu_request_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_REQUEST,
  PROP_CLIENT,
  PROP_JOURNAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  REQUEST_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The way through steps 10-19 when nothing goes wrong: the timeline shows the steps not yet
 * reached from this list. */
static const TirkeuStage buyer_path[] = {
  TIRKEU_STAGE_AWAITING_BUYER,
  TIRKEU_STAGE_BUYER_APPROVED,
  TIRKEU_STAGE_BUYER_RECHECK,
  TIRKEU_STAGE_EPASSPORT_RECHECK,
  TIRKEU_STAGE_CONTRACT_RECHECK,
  TIRKEU_STAGE_FINES_CHECK,
  TIRKEU_STAGE_TSON_CHOSEN,
  TIRKEU_STAGE_PHONE_CONFIRMED,
  TIRKEU_STAGE_PAID,
  TIRKEU_STAGE_BUYER_SIGNED,
  TIRKEU_STAGE_PROCESSING,
  TIRKEU_STAGE_COMPLETED,
};

/**
 * tirkeu_stage_allows_withdraw:
 * @stage: a #TirkeuStage
 *
 * Returns: %TRUE if the seller may still withdraw a request in @stage: the core's rule,
 *   which the contract and the sandbox follow (tirkeu_stage_seller_may_withdraw())
 */
gboolean
tirkeu_stage_allows_withdraw (TirkeuStage stage)
{
  return tirkeu_stage_seller_may_withdraw (stage);
}

static gboolean
is_buyer_part (TirkeuStage stage)
{
  return stage >= TIRKEU_STAGE_AWAITING_BUYER;
}

static char *
format_time (GDateTime *at)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (at);

  /* Translators: the time of a step in the request's timeline; strftime()-style */
  return g_date_time_format (local, _("%d.%m.%Y %H:%M"));
}

static GtkWidget *
timeline_row (TirkeuStage  stage,
              const char  *subtitle,
              gboolean     reached)
{
  GtkWidget *row = adw_action_row_new ();
  guint step = tirkeu_stage_get_step (stage);
  GtkWidget *step_label;
  g_autofree char *step_text = step != 0 ? g_strdup_printf ("%u", step) : g_strdup ("•");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), tirkeu_catalogue_stage_title (stage));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  step_label = gtk_label_new (step_text);
  gtk_widget_set_valign (step_label, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (step_label, "timeline-step");
  gtk_widget_add_css_class (step_label, tirkeu_stage_get_style_class (stage));
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), step_label);
  if (!reached)
    gtk_widget_add_css_class (row, "dim-label");
  gtk_widget_add_css_class (row, reached ? "timeline-reached" : "timeline-pending");

  return row;
}

static void
fill_timeline (TirkeuRequestPage *self)
{
  GtkWidget *child;
  GPtrArray *history;
  TirkeuStage stage;
  gint last_path = -1;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->timeline))) != NULL)
    gtk_list_box_remove (self->timeline, child);

  if (self->request == NULL)
    return;

  stage = tirkeu_request_get_stage (self->request);
  history = tirkeu_request_get_history (self->request);
  for (guint i = 0; i < history->len; i++)
    {
      const TirkeuStageChange *change = g_ptr_array_index (history, i);
      /* the portal's words in the interface language as it is now, picked at each redraw */
      const char *message = tirkeu_localized_text_pick_current (change->message);
      g_autofree char *when = NULL;
      g_autofree char *subtitle = NULL;

      if (!is_buyer_part (change->stage))
        continue;

      when = format_time (change->at);
      subtitle = message != NULL
                 ? g_strdup_printf ("%s — %s", when, message)
                 : g_steal_pointer (&when);
      gtk_list_box_append (self->timeline, timeline_row (change->stage, subtitle, TRUE));

      for (guint p = 0; p < G_N_ELEMENTS (buyer_path); p++)
        if (buyer_path[p] == change->stage)
          last_path = MAX (last_path, (gint) p);
    }

  /* Unpaid fines send the buyer back to the fines check of step 14. */
  if (stage == TIRKEU_STAGE_FINES_UNPAID)
    for (guint p = 0; p < G_N_ELEMENTS (buyer_path); p++)
      if (buyer_path[p] == TIRKEU_STAGE_FINES_CHECK)
        last_path = p - 1;

  if (!tirkeu_stage_is_final (stage))
    for (guint p = last_path + 1; p < G_N_ELEMENTS (buyer_path); p++)
      gtk_list_box_append (self->timeline,
                           timeline_row (buyer_path[p], C_("timeline", "Not yet"), FALSE));

  if (gtk_widget_get_first_child (GTK_WIDGET (self->timeline)) == NULL)
    gtk_list_box_append (self->timeline,
                         timeline_row (TIRKEU_STAGE_AWAITING_BUYER,
                                       _("The buyer’s steps start once the portal accepts the signed request."),
                                       FALSE));
}

static const char *
plate_type_title (const char *plate_type)
{
  if (g_strcmp0 (plate_type, "standard") == 0)
    /* Translators: plate type from the free series (МТНБ / ГРНЗ) */
    return _("Standard plate");
  if (g_strcmp0 (plate_type, "selected") == 0)
    /* Translators: plate with a number the buyer chose, for a fee */
    return _("Chosen number, for a fee");
  return plate_type;
}

/* The portal's buyer_deadline, only when it gave one (never one of Tirkeu's): approve while
 * the request waits for the buyer's approval, sign after it (the last thing the buyer does
 * before the deadline ends the request). */
static void
update_deadline (TirkeuRequestPage *self,
                 TirkeuStage        stage)
{
  GDateTime *deadline = tirkeu_request_get_buyer_deadline (self->request);
  g_autofree char *date = NULL;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->deadline_label), deadline != NULL);
  if (deadline == NULL)
    {
      gtk_label_set_label (self->deadline_label, NULL);
      return;
    }

  date = tirkeu_format_date (deadline);
  if (stage == TIRKEU_STAGE_AWAITING_BUYER)
    /* Translators: %s is the portal's deadline, e.g. 23.11.2027 (add «ж.» / «г.» as the
     * sentence needs); after it the portal ends the request */
    text = g_strdup_printf (_("Buyer must approve by %s"), date);
  else
    /* Translators: %s is the portal's deadline, e.g. 23.11.2027 (add «ж.» / «г.» as the
     * sentence needs); the buyer approved and must still sign (step 18) */
    text = g_strdup_printf (_("Buyer must sign by %s"), date);
  gtk_label_set_label (self->deadline_label, text);
}

static void
set_vehicle_row (AdwActionRow *row,
                 const char   *value)
{
  gtk_widget_set_visible (GTK_WIDGET (row), value != NULL);
  adw_action_row_set_subtitle (row, value != NULL ? value : "");
}

/* The e-passport's colour, body type and engine in the interface language as it is now
 * (the request keeps every language the portal sent), or as the e-passport spells them
 * when the portal gave no languages. */
static void
update_vehicle (TirkeuRequestPage *self)
{
  const TirkeuVehicle *vehicle = self->request != NULL
                                 ? tirkeu_request_get_vehicle (self->request) : NULL;
  const char *language = tirkeu_i18n_get_language ();
  const char *colour = vehicle != NULL ? tirkeu_vehicle_pick_colour (vehicle, language) : NULL;
  const char *body = vehicle != NULL ? tirkeu_vehicle_pick_body_type (vehicle, language) : NULL;
  const char *engine = vehicle != NULL ? tirkeu_vehicle_pick_engine (vehicle, language) : NULL;

  set_vehicle_row (self->colour_row, colour);
  set_vehicle_row (self->body_row, body);
  set_vehicle_row (self->engine_row, engine);
  gtk_widget_set_visible (self->vehicle_group, colour != NULL || body != NULL || engine != NULL);
}

static void
update (TirkeuRequestPage *self)
{
  g_autofree char *vehicle = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *masked = NULL;
  g_autofree char *buyer = NULL;
  g_autofree char *unknown_stage = NULL;
  g_autofree char *tson = NULL;
  const TirkeuContract *contract;
  const char *refusal_text;
  const char *plate_type;
  TirkeuStage stage;

  if (self->stage_class != NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->stage_label), self->stage_class);
      g_clear_pointer (&self->stage_class, g_free);
    }
  gtk_widget_set_visible (self->error_box, FALSE);

  if (self->request == NULL)
    {
      gtk_label_set_label (self->title_label, NULL);
      gtk_label_set_label (self->subtitle_label, NULL);
      gtk_label_set_label (self->stage_label, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->deadline_label), FALSE);
      fill_timeline (self);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "request.withdraw", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "request.print-summary", FALSE);
      update_vehicle (self);
      return;
    }

  stage = tirkeu_request_get_stage (self->request);
  vehicle = tirkeu_format_vehicle (self->request);
  /* Translators: under the vehicle on a request's page: the request number and the VIN */
  subtitle = g_strdup_printf (_("Request %s · VIN %s"),
                              tirkeu_request_get_portal_id (self->request) != NULL
                              ? tirkeu_request_get_portal_id (self->request) : "—",
                              tirkeu_request_get_vin (self->request) != NULL
                              ? tirkeu_request_get_vin (self->request) : "—");
  gtk_label_set_label (self->title_label, vehicle);
  gtk_label_set_label (self->subtitle_label, subtitle);
  /* A stage a newer portal added: said as such, never as the last stage this build knows,
   * and without that stage's "what happens next". */
  unknown_stage = tirkeu_request_dup_unknown_stage_label (self->request);
  gtk_label_set_label (self->stage_label, unknown_stage != NULL
                                          ? unknown_stage : tirkeu_catalogue_stage_title (stage));
  self->stage_class = g_strdup (tirkeu_stage_get_style_class (stage));
  gtk_widget_add_css_class (GTK_WIDGET (self->stage_label), self->stage_class);

  gtk_label_set_label (self->next_label,
                       unknown_stage != NULL ? NULL : tirkeu_catalogue_stage_next (stage));
  update_deadline (self, stage);

  refusal_text =
    tirkeu_localized_text_pick_current (tirkeu_request_get_refusal_reason (self->request));
  gtk_widget_set_visible (self->refusal_group,
                          refusal_text != NULL && (stage == TIRKEU_STAGE_REFUSED
                                                   || stage == TIRKEU_STAGE_FINES_UNPAID));
  gtk_label_set_label (self->refusal_label, refusal_text);
  /* Unpaid fines are a pause the buyer ends by paying, not a refusal: the portal's words
   * go under their own heading, after what the buyer does ("what happens next"). */
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->refusal_group),
                                   stage == TIRKEU_STAGE_FINES_UNPAID
                                   /* Translators: heading over the portal's words when the
                                    * request waits for the buyer to pay fines */
                                   ? _("Why the Request Is Paused") : _("Reason for Refusal"));

  masked = tirkeu_request_get_buyer_iin (self->request) != NULL
           ? tirkeu_iin_mask (tirkeu_request_get_buyer_iin (self->request)) : NULL;
  /* Translators: the buyer's name and masked IIN, e.g. "AKHMETOV ERLAN · IIN 850312******" */
  buyer = g_strdup_printf (_("%s · IIN %s"),
                           tirkeu_request_get_buyer_name (self->request) != NULL
                           ? tirkeu_request_get_buyer_name (self->request) : "—",
                           masked != NULL ? masked : "—");
  adw_action_row_set_subtitle (self->buyer_row, buyer);

  contract = tirkeu_request_get_contract (self->request);
  adw_action_row_set_subtitle (self->contract_row,
                               contract != NULL && contract->number != NULL
                               ? contract->number : "—");

  tson = tirkeu_request_dup_tson_label (self->request, tirkeu_i18n_get_language ());
  gtk_widget_set_visible (GTK_WIDGET (self->tson_row), tson != NULL);
  adw_action_row_set_subtitle (self->tson_row, tson != NULL ? tson : "");
  update_vehicle (self);
  plate_type = tirkeu_request_get_plate_type (self->request);
  gtk_widget_set_visible (GTK_WIDGET (self->plate_row), plate_type != NULL);
  adw_action_row_set_subtitle (self->plate_row,
                               plate_type != NULL ? plate_type_title (plate_type) : "");

  fill_timeline (self);

  gtk_widget_set_visible (self->withdraw_button,
                          unknown_stage == NULL && tirkeu_stage_allows_withdraw (stage));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "request.withdraw",
                                 tirkeu_request_page_can_withdraw (self));
  gtk_widget_set_tooltip_text (self->withdraw_button,
                               self->client == NULL
                               ? _("Sign in to the portal to withdraw the request")
                               : _("Withdraw the request before the buyer approves it"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "request.print-summary", TRUE);
}

/**
 * tirkeu_request_page_can_withdraw:
 * @self: a #TirkeuRequestPage
 *
 * Returns: %TRUE if the shown request may be withdrawn now: the buyer has not approved it,
 *   there is a portal session, and no withdrawal is under way
 */
gboolean
tirkeu_request_page_can_withdraw (TirkeuRequestPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_PAGE (self), FALSE);

  return self->request != NULL
         && self->client != NULL
         && self->cancellable == NULL
         && tirkeu_request_get_portal_id (self->request) != NULL
         /* whether the portal's unknown stage allows it, this build cannot tell */
         && tirkeu_request_get_unknown_stage (self->request) == NULL
         && tirkeu_stage_allows_withdraw (tirkeu_request_get_stage (self->request));
}

/**
 * tirkeu_request_page_show_error:
 * @self: a #TirkeuRequestPage
 * @error: what failed
 *
 * Shows the catalogue's title and advice for @error's code; the portal's own message (in
 * the interface language) or the technical one goes under "Details".
 */
void
tirkeu_request_page_show_error (TirkeuRequestPage *self,
                                const GError      *error)
{
  const char *details = NULL;

  g_return_if_fail (TIRKEU_IS_REQUEST_PAGE (self));
  g_return_if_fail (error != NULL);

  if (error->domain == TIRKEU_PORTAL_ERROR && error->code >= 0
      && error->code < TIRKEU_N_PORTAL_CODES)
    {
      gtk_label_set_label (self->error_title, tirkeu_catalogue_code_title (error->code));
      gtk_label_set_label (self->error_action, tirkeu_catalogue_code_action (error->code));
      details = tirkeu_portal_error_get_message (error, tirkeu_i18n_get_language ());
    }
  else
    {
      gtk_label_set_label (self->error_title, _("The request could not be withdrawn"));
      gtk_label_set_label (self->error_action, _("Try again in a moment."));
    }

  if (details == NULL || *details == '\0')
    details = error->message;
  gtk_label_set_label (self->error_details, details);
  gtk_expander_set_expanded (self->error_expander, FALSE);
  gtk_widget_set_visible (self->error_box, TRUE);
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The next sync brings the same state; a failed write here loses nothing for good. */
  if (!tirkeu_journal_upsert_requests_finish (TIRKEU_JOURNAL (source), result, &error))
    g_warning ("Could not save the withdrawn request: %s", error->message);
}

static void
withdraw_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TirkeuRequestPage) self = user_data;
  g_autoptr(TirkeuRequest) withdrawn = NULL;
  g_autoptr(GError) error = NULL;

  withdrawn = tirkeu_portal_client_withdraw_finish (TIRKEU_PORTAL_CLIENT (source), result,
                                                    NULL, &error);
  g_clear_object (&self->cancellable);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (withdrawn == NULL)
    {
      update (self);
      tirkeu_request_page_show_error (self, error);
      return;
    }

  if (self->journal != NULL)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);

      g_ptr_array_add (batch, g_object_ref (withdrawn));
      tirkeu_journal_upsert_requests_async (self->journal, batch, NULL, NULL, saved_cb, NULL);
    }

  tirkeu_request_page_set_request (self, withdrawn);
  g_signal_emit (self, signals[REQUEST_CHANGED], 0, withdrawn);
}

static void
withdraw_response_cb (AdwMessageDialog  *dialog,
                      const char        *response,
                      TirkeuRequestPage *self)
{
  if (g_strcmp0 (response, "withdraw") != 0 || !tirkeu_request_page_can_withdraw (self))
    return;

  self->cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "request.withdraw", FALSE);
  tirkeu_portal_client_withdraw_async (self->client,
                                       tirkeu_request_get_portal_id (self->request),
                                       self->cancellable, withdraw_cb, g_object_ref (self));
}

static void
withdraw_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TirkeuRequestPage *self = TIRKEU_REQUEST_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *vehicle = NULL;
  AdwMessageDialog *dialog;

  if (!tirkeu_request_page_can_withdraw (self))
    return;

  vehicle = tirkeu_format_vehicle (self->request);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                            : NULL,
                                                       _("Withdraw the Request?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  /* Translators: %s is the request number, then the vehicle */
                                  _("Request %s for %s will be withdrawn from the eGov portal, "
                                    "and the buyer will no longer be able to approve it. This "
                                    "cannot be undone."),
                                  tirkeu_request_get_portal_id (self->request), vehicle);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "withdraw", _("_Withdraw"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "withdraw", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (withdraw_response_cb), self,
                           G_CONNECT_DEFAULT);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
print_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TirkeuRequestPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (tirkeu_summary_print_finish (result, &error) || error == NULL)
    return;

  gtk_label_set_label (self->error_title, _("The summary could not be printed"));
  gtk_label_set_label (self->error_action, _("Check the printer, or save the summary as PDF."));
  gtk_label_set_label (self->error_details, error->message);
  gtk_widget_set_visible (self->error_box, TRUE);
}

static void
print_summary_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TirkeuRequestPage *self = TIRKEU_REQUEST_PAGE (widget);

  if (self->request == NULL)
    return;

  tirkeu_summary_print_async (self->request, widget, print_done_cb, g_object_ref (self));
}

/**
 * tirkeu_request_page_set_request:
 * @self: a #TirkeuRequestPage
 * @request: (nullable): the request to show
 */
void
tirkeu_request_page_set_request (TirkeuRequestPage *self,
                                 TirkeuRequest     *request)
{
  g_return_if_fail (TIRKEU_IS_REQUEST_PAGE (self));
  g_return_if_fail (request == NULL || TIRKEU_IS_REQUEST (request));

  if (self->request != request)
    {
      /* A withdrawal under way belongs to the request it was asked for. */
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      /* The page is reused from request to request: another request opens at its top, not
       * where the last one was scrolled to. */
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled_window), 0);
    }
  g_set_object (&self->request, request);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST]);
}

TirkeuRequest *
tirkeu_request_page_get_request (TirkeuRequestPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_PAGE (self), NULL);

  return self->request;
}

/**
 * tirkeu_request_page_set_client:
 * @self: a #TirkeuRequestPage
 * @client: (nullable): the signed-in portal client that withdraws
 */
void
tirkeu_request_page_set_client (TirkeuRequestPage  *self,
                                TirkeuPortalClient *client)
{
  g_return_if_fail (TIRKEU_IS_REQUEST_PAGE (self));
  g_return_if_fail (client == NULL || TIRKEU_IS_PORTAL_CLIENT (client));

  if (!g_set_object (&self->client, client))
    return;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

TirkeuPortalClient *
tirkeu_request_page_get_client (TirkeuRequestPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_PAGE (self), NULL);

  return self->client;
}

/**
 * tirkeu_request_page_set_journal:
 * @self: a #TirkeuRequestPage
 * @journal: (nullable): where a withdrawn request is saved at once
 */
void
tirkeu_request_page_set_journal (TirkeuRequestPage *self,
                                 TirkeuJournal     *journal)
{
  g_return_if_fail (TIRKEU_IS_REQUEST_PAGE (self));
  g_return_if_fail (journal == NULL || TIRKEU_IS_JOURNAL (journal));

  if (g_set_object (&self->journal, journal))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOURNAL]);
}

TirkeuJournal *
tirkeu_request_page_get_journal (TirkeuRequestPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_PAGE (self), NULL);

  return self->journal;
}

GtkListBox *
tirkeu_request_page_get_timeline (TirkeuRequestPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_PAGE (self), NULL);

  return self->timeline;
}

static void
tirkeu_request_page_dispose (GObject *object)
{
  TirkeuRequestPage *self = TIRKEU_REQUEST_PAGE (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TIRKEU_TYPE_REQUEST_PAGE);
  /* The template's unnamed boxes are children too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->request);
  g_clear_object (&self->client);
  g_clear_object (&self->journal);

  G_OBJECT_CLASS (tirkeu_request_page_parent_class)->dispose (object);
}

static void
tirkeu_request_page_finalize (GObject *object)
{
  TirkeuRequestPage *self = TIRKEU_REQUEST_PAGE (object);

  g_free (self->stage_class);

  G_OBJECT_CLASS (tirkeu_request_page_parent_class)->finalize (object);
}

static void
tirkeu_request_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TirkeuRequestPage *self = TIRKEU_REQUEST_PAGE (object);

  switch (prop_id)
    {
    case PROP_REQUEST:
      g_value_set_object (value, self->request);
      break;
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_JOURNAL:
      g_value_set_object (value, self->journal);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_request_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TirkeuRequestPage *self = TIRKEU_REQUEST_PAGE (object);

  switch (prop_id)
    {
    case PROP_REQUEST:
      tirkeu_request_page_set_request (self, g_value_get_object (value));
      break;
    case PROP_CLIENT:
      tirkeu_request_page_set_client (self, g_value_get_object (value));
      break;
    case PROP_JOURNAL:
      tirkeu_request_page_set_journal (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_request_page_class_init (TirkeuRequestPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tirkeu_request_page_dispose;
  object_class->finalize = tirkeu_request_page_finalize;
  object_class->get_property = tirkeu_request_page_get_property;
  object_class->set_property = tirkeu_request_page_set_property;

  properties[PROP_REQUEST] =
    g_param_spec_object ("request", NULL, NULL, TIRKEU_TYPE_REQUEST,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, TIRKEU_TYPE_PORTAL_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_JOURNAL] =
    g_param_spec_object ("journal", NULL, NULL, TIRKEU_TYPE_JOURNAL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TirkeuRequestPage::request-changed:
   * @self: the page
   * @request: the request as the portal now has it (after a withdrawal)
   */
  signals[REQUEST_CHANGED] =
    g_signal_new ("request-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, TIRKEU_TYPE_REQUEST);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-request-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, stage_label);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, error_box);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, error_title);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, error_action);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, error_expander);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, error_details);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, next_label);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, deadline_label);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, refusal_group);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, refusal_label);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, buyer_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, contract_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, tson_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, vehicle_group);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, colour_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, body_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, engine_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, plate_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, timeline);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestPage, withdraw_button);

  gtk_widget_class_install_action (widget_class, "request.withdraw", NULL, withdraw_action);
  gtk_widget_class_install_action (widget_class, "request.print-summary", NULL,
                                   print_summary_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK,
                                       "request.print-summary", NULL);
  gtk_widget_class_set_css_name (widget_class, "requestpage");
}

static void
tirkeu_request_page_init (TirkeuRequestPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
}

/**
 * tirkeu_request_page_new:
 *
 * Returns: (transfer floating): a new, empty request page
 */
GtkWidget *
tirkeu_request_page_new (void)
{
  return g_object_new (TIRKEU_TYPE_REQUEST_PAGE, NULL);
}
