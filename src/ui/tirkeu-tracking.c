/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-request-row.h"
#include "tirkeu-tracking.h"

/**
 * TirkeuTracking:
 *
 * Follows the requests sent to the portal, for the application: it owns the requests list
 * model and the sync, keeps the list up to date with each committed page, sends a desktop
 * notification when a request completes, is refused, is declined, expires or stops on unpaid
 * fines, and adds the application actions `app.refresh` (F5, Ctrl+R) and
 * `app.show-request('ID')` (what a notification opens).
 *
 * Sign-in is not its business: tirkeu_tracking_set_client() hands it the signed-in portal
 * client; without one the list shows what the journal holds and nothing is synced.
 *
 * A request the outbox just sent joins the list at once, from the journal
 * (tirkeu_tracking_follow_outbox()), and the rows a sync changes are highlighted.
 * #TirkeuTracking::notable-change tells the windows what the notifications tell the desktop.
 */
struct _TirkeuTracking
{
  GObject              parent_instance;

  /* owned references */
  TirkeuJournal       *journal;
  TirkeuSync          *sync;
  TirkeuRequestList   *list;
  TirkeuPortalClient  *client;
  GPtrArray           *pages;        /* weak TirkeuRequestsPage */
  GCancellable        *cancellable;

  /* unowned: the application owns us */
  GtkApplication      *application;

  guint                has_requests : 1;
};

G_DEFINE_FINAL_TYPE (TirkeuTracking, tirkeu_tracking, G_TYPE_OBJECT)

enum {
  NOTABLE_CHANGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A sync page larger than this is an import (the first round, a journal rebuilt), not news:
 * its rows are not highlighted one by one. */
#define MAX_HIGHLIGHTED 100

enum {
  PROP_0,
  PROP_HAS_REQUESTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The title of a notable stage's notification, %NULL for the others. */
static const char *
notable_title (TirkeuStage stage)
{
  switch (stage)
    {
    case TIRKEU_STAGE_COMPLETED:
      return _("Vehicle Registered");
    case TIRKEU_STAGE_REFUSED:
      return _("Registration Refused");
    case TIRKEU_STAGE_DECLINED:
      return _("The Buyer Declined the Request");
    case TIRKEU_STAGE_EXPIRED:
      return _("Request Expired");
    case TIRKEU_STAGE_FINES_UNPAID:
      /* Translators: step 14, the buyer has unpaid administrative fines (ERAP) */
      return _("Stopped on the Buyer’s Unpaid Fines");
    case TIRKEU_STAGE_DRAFT:
    case TIRKEU_STAGE_OKED_CHECKED:
    case TIRKEU_STAGE_EPASSPORT_CHECKED:
    case TIRKEU_STAGE_CUSTOMS_CHECKED:
    case TIRKEU_STAGE_UTILIZATION_CHECKED:
    case TIRKEU_STAGE_BUYER_CHECKED:
    case TIRKEU_STAGE_CONTRACT_FOUND:
    case TIRKEU_STAGE_SIGNED:
    case TIRKEU_STAGE_SUBMITTED:
    case TIRKEU_STAGE_AWAITING_BUYER:
    case TIRKEU_STAGE_BUYER_APPROVED:
    case TIRKEU_STAGE_BUYER_RECHECK:
    case TIRKEU_STAGE_EPASSPORT_RECHECK:
    case TIRKEU_STAGE_CONTRACT_RECHECK:
    case TIRKEU_STAGE_FINES_CHECK:
    case TIRKEU_STAGE_TSON_CHOSEN:
    case TIRKEU_STAGE_PHONE_CONFIRMED:
    case TIRKEU_STAGE_PAID:
    case TIRKEU_STAGE_BUYER_SIGNED:
    case TIRKEU_STAGE_PROCESSING:
    case TIRKEU_STAGE_WITHDRAWN:
    default:
      return NULL;
    }
}

/* How many characters of the VIN name a car on the lot: its serial number. */
#define VIN_TAIL 6

/* "Toyota Camry, 2025, VIN …000120", or the whole VIN when the vehicle is not known. */
static char *
format_vehicle_and_vin (TirkeuRequest *request)
{
  const TirkeuVehicle *vehicle = tirkeu_request_get_vehicle (request);
  const char *vin = tirkeu_request_get_vin (request);
  gboolean named = vehicle != NULL && (vehicle->make != NULL || vehicle->model != NULL);
  g_autofree char *name = named ? tirkeu_format_vehicle (request) : NULL;

  if (vin == NULL)
    return named ? g_steal_pointer (&name) : g_strdup (_("Vehicle not entered"));
  if (!named)
    /* Translators: a vehicle known only by its VIN, in a notification */
    return g_strdup_printf (_("VIN %s"), vin);
  /* Translators: a vehicle in a notification: its make, model and year, then the last digits
   * of its VIN after an ellipsis, e.g. "Toyota Camry, 2025, VIN …000120" */
  return g_strdup_printf (_("%s, VIN …%s"), name,
                          vin + (strlen (vin) > VIN_TAIL ? strlen (vin) - VIN_TAIL : 0));
}

/**
 * tirkeu_tracking_build_notification:
 * @request: a request that just reached a notable stage (tirkeu_sync_stage_is_notable())
 *
 * The one place a notification's words are put together: its title says what happened, its
 * text names the request number and the vehicle (make, model and the end of its VIN) and
 * what happens next. The buyer is not named: a notification shows on a locked screen.
 *
 * Returns: (transfer full) (nullable): the notification, whose default action opens the
 *   request (`app.show-request` with its number); %NULL for a stage nobody is told about
 */
GNotification *
tirkeu_tracking_build_notification (TirkeuRequest *request)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *vehicle = NULL;
  g_autofree char *body = NULL;
  const char *title;
  TirkeuStage stage;

  g_return_val_if_fail (TIRKEU_IS_REQUEST (request), NULL);

  stage = tirkeu_request_get_stage (request);
  title = notable_title (stage);
  if (title == NULL)
    return NULL;

  vehicle = format_vehicle_and_vin (request);
  /* Translators: a notification's text: the request number, the vehicle, then what happens
   * next, e.g. "Request 000123 — Toyota Camry, 2025, VIN …000120. The buyer collects ..." */
  body = g_strdup_printf (_("Request %s — %s. %s"), tirkeu_request_get_portal_id (request),
                          vehicle, tirkeu_catalogue_stage_next (stage));

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, stage == TIRKEU_STAGE_COMPLETED
                                             ? G_NOTIFICATION_PRIORITY_NORMAL
                                             : G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action_and_target (notification, "app.show-request", "s",
                                                tirkeu_request_get_portal_id (request));

  return g_steal_pointer (&notification);
}

/**
 * tirkeu_tracking_dup_change_summary:
 * @request: a request that just reached a notable stage
 *
 * Returns: (transfer full) (nullable): one line for a window's toast, as the notification
 *   says it: "Request 000123: Vehicle Registered"; %NULL for a stage nobody is told about
 */
char *
tirkeu_tracking_dup_change_summary (TirkeuRequest *request)
{
  const char *title;

  g_return_val_if_fail (TIRKEU_IS_REQUEST (request), NULL);

  title = notable_title (tirkeu_request_get_stage (request));
  if (title == NULL)
    return NULL;
  /* Translators: a toast when a request changed: its number, then what happened, e.g.
   * "Request 000123: Vehicle Registered" */
  return g_strdup_printf (_("Request %s: %s"), tirkeu_request_get_portal_id (request), title);
}

static void
set_has_requests (TirkeuTracking *self)
{
  gboolean has = self->client != NULL || tirkeu_request_list_get_n_requests (self->list) > 0;

  if (self->has_requests == (guint) has)
    return;
  self->has_requests = has;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_REQUESTS]);
}

static void
highlight_in_pages (TirkeuTracking *self,
                    GPtrArray      *requests)
{
  if (requests->len > MAX_HIGHLIGHTED)
    return;
  for (guint i = 0; i < self->pages->len; i++)
    for (guint j = 0; j < requests->len; j++)
      {
        const char *portal_id = tirkeu_request_get_portal_id (g_ptr_array_index (requests, j));

        if (portal_id != NULL)
          tirkeu_requests_page_highlight (g_ptr_array_index (self->pages, i), portal_id);
      }
}

static void
requests_changed_cb (TirkeuSync     *sync,
                     GPtrArray      *requests,
                     TirkeuTracking *self)
{
  tirkeu_request_list_update (self->list, requests);
  highlight_in_pages (self, requests);

  /* A request shown on a page follows the sync too. */
  for (guint i = 0; i < self->pages->len; i++)
    {
      TirkeuRequestsPage *page = g_ptr_array_index (self->pages, i);
      TirkeuRequestPage *request_page = tirkeu_requests_page_get_request_page (page);
      TirkeuRequest *shown = tirkeu_request_page_get_request (request_page);

      if (shown == NULL)
        continue;
      for (guint j = 0; j < requests->len; j++)
        {
          TirkeuRequest *request = g_ptr_array_index (requests, j);

          if (request != shown && g_strcmp0 (tirkeu_request_get_portal_id (request),
                                             tirkeu_request_get_portal_id (shown)) == 0)
            tirkeu_request_page_set_request (request_page, request);
        }
    }
}

static void
stage_changed_cb (TirkeuSync     *sync,
                  TirkeuRequest  *request,
                  int             old_stage,
                  int             new_stage,
                  TirkeuTracking *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;

  if (!tirkeu_sync_stage_is_notable (new_stage))
    return;

  notification = tirkeu_tracking_build_notification (request);
  if (notification == NULL)
    return;

  /* The windows say it too, whatever page they show. */
  g_signal_emit (self, signals[NOTABLE_CHANGE], 0, request);

  /* One notification per request: a later stage replaces the earlier one. */
  if (self->application == NULL)
    return;
  id = g_strdup_printf ("request-%s", tirkeu_request_get_portal_id (request));
  g_application_send_notification (G_APPLICATION (self->application), id, notification);
}

static void
list_notify_cb (TirkeuRequestList *list,
                GParamSpec        *pspec,
                TirkeuTracking    *self)
{
  set_has_requests (self);
}

static void
page_request_changed_cb (TirkeuRequestPage *request_page,
                         TirkeuRequest     *request,
                         TirkeuTracking    *self)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();

  g_ptr_array_add (batch, request);
  tirkeu_request_list_update (self->list, batch);
}

static void
page_weak_notify (gpointer  data,
                  GObject  *where_the_object_was)
{
  TirkeuTracking *self = data;

  g_ptr_array_remove (self->pages, where_the_object_was);
}

/**
 * tirkeu_tracking_attach_page:
 * @self: a #TirkeuTracking
 * @page: a window's requests page
 *
 * Gives @page the list, the sync (for its offline bar), and the journal and client its
 * request page needs to withdraw.
 */
void
tirkeu_tracking_attach_page (TirkeuTracking     *self,
                             TirkeuRequestsPage *page)
{
  TirkeuRequestPage *request_page;

  g_return_if_fail (TIRKEU_IS_TRACKING (self));
  g_return_if_fail (TIRKEU_IS_REQUESTS_PAGE (page));

  if (g_ptr_array_find (self->pages, page, NULL))
    return;

  g_ptr_array_add (self->pages, page);
  g_object_weak_ref (G_OBJECT (page), page_weak_notify, self);

  tirkeu_requests_page_set_list (page, self->list);
  tirkeu_requests_page_set_sync (page, self->sync);
  tirkeu_requests_page_set_journal (page, self->journal);
  request_page = tirkeu_requests_page_get_request_page (page);
  tirkeu_request_page_set_journal (request_page, self->journal);
  tirkeu_request_page_set_client (request_page, self->client);
  g_signal_connect_object (request_page, "request-changed",
                           G_CALLBACK (page_request_changed_cb), self, G_CONNECT_DEFAULT);
}

/**
 * tirkeu_tracking_set_client:
 * @self: a #TirkeuTracking
 * @client: (nullable): the signed-in portal client, %NULL after signing out
 *
 * Starts (or stops) following the portal with @client.
 */
void
tirkeu_tracking_set_client (TirkeuTracking     *self,
                            TirkeuPortalClient *client)
{
  g_return_if_fail (TIRKEU_IS_TRACKING (self));
  g_return_if_fail (client == NULL || TIRKEU_IS_PORTAL_CLIENT (client));

  if (!g_set_object (&self->client, client))
    return;

  for (guint i = 0; i < self->pages->len; i++)
    tirkeu_request_page_set_client (
      tirkeu_requests_page_get_request_page (g_ptr_array_index (self->pages, i)), client);

  tirkeu_sync_set_client (self->sync, client);
  if (client != NULL)
    tirkeu_sync_start (self->sync);
  else
    tirkeu_sync_stop (self->sync);
  set_has_requests (self);
}

#define TRACKING_KEY "tirkeu-tracking"
#define PENDING_KEY "tirkeu-tracking-pending-request"

/* The tracking of the active window, else the latest one (an application may have several
 * windows, each with its journal and sync). */
static TirkeuTracking *
find_tracking (GtkApplication *application)
{
  GtkWindow *active = gtk_application_get_active_window (application);
  TirkeuTracking *latest = g_object_get_data (G_OBJECT (application), TRACKING_KEY);

  if (active != NULL)
    {
      TirkeuTracking *own = g_object_get_data (G_OBJECT (active), TRACKING_KEY);

      if (own != NULL)
        return own;
    }

  return latest;
}

static void
refresh_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  TirkeuTracking *self = find_tracking (user_data);

  if (self != NULL && self->client != NULL)
    tirkeu_sync_refresh (self->sync);
}

static void
show_request (TirkeuTracking *self,
              TirkeuRequest  *request)
{
  TirkeuRequestsPage *page = NULL;
  GtkWindow *active = self->application != NULL
                      ? gtk_application_get_active_window (self->application) : NULL;

  /* The page of the active window, else the first one. */
  for (guint i = 0; i < self->pages->len && page == NULL; i++)
    if (active != NULL
        && gtk_widget_get_root (g_ptr_array_index (self->pages, i)) == GTK_ROOT (active))
      page = g_ptr_array_index (self->pages, i);
  if (page == NULL && self->pages->len > 0)
    page = g_ptr_array_index (self->pages, 0);
  if (page == NULL)
    return;

  /* From any page of the window: the desk or the new-request flow give way to the list. */
  gtk_widget_activate_action (GTK_WIDGET (page), "win.show-requests", NULL);
  tirkeu_requests_page_reveal_request (page, tirkeu_request_get_portal_id (request));
  tirkeu_requests_page_show_request (page, request);
  if (GTK_IS_WINDOW (gtk_widget_get_root (GTK_WIDGET (page))))
    gtk_window_present (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (page))));
}

static void
get_request_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TirkeuTracking) self = user_data;
  g_autoptr(TirkeuRequest) request = NULL;
  g_autoptr(GError) error = NULL;

  request = tirkeu_journal_get_request_finish (TIRKEU_JOURNAL (source), result, &error);
  if (request == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot open the request: %s", error->message);
      return;
    }

  show_request (self, request);
}

static void
show_request_now (TirkeuTracking *self,
                  const char     *portal_id)
{
  TirkeuRequest *request = tirkeu_request_list_lookup (self->list, portal_id);

  if (request != NULL)
    show_request (self, request);
  else
    tirkeu_journal_get_request_async (self->journal, portal_id, self->cancellable,
                                      get_request_cb, g_object_ref (self));
}

static void
show_request_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GtkApplication *application = user_data;
  const char *portal_id = g_variant_get_string (parameter, NULL);
  TirkeuTracking *self;

  /* Activating a notification may start the application: the window comes first, and its
   * journal opens asynchronously; the request is shown once its tracking exists. */
  if (gtk_application_get_active_window (application) == NULL)
    g_application_activate (G_APPLICATION (application));

  self = find_tracking (application);
  if (self == NULL || self->pages->len == 0)
    {
      g_object_set_data_full (G_OBJECT (application), PENDING_KEY, g_strdup (portal_id), g_free);
      return;
    }
  show_request_now (self, portal_id);
}

/**
 * tirkeu_tracking_show_request:
 * @self: a #TirkeuTracking
 * @portal_id: a request number
 *
 * Opens the request's page in the active window (from the list, else from the journal), with
 * its row scrolled into view and highlighted behind it.
 */
void
tirkeu_tracking_show_request (TirkeuTracking *self,
                              const char     *portal_id)
{
  g_return_if_fail (TIRKEU_IS_TRACKING (self));
  g_return_if_fail (portal_id != NULL);

  show_request_now (self, portal_id);
}

static void
sent_request_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TirkeuTracking) self = user_data;
  g_autoptr(TirkeuRequest) request = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GError) error = NULL;

  request = tirkeu_journal_get_request_finish (TIRKEU_JOURNAL (source), result, &error);
  if (request == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("The request just sent is not in the journal: %s", error->message);
      return;
    }
  if (self->list == NULL)
    return;
  batch = g_ptr_array_new ();
  g_ptr_array_add (batch, request);
  tirkeu_request_list_update (self->list, batch);
  highlight_in_pages (self, batch);
}

/* The outbox wrote the confirmed request to the journal before it said "sent", and the
 * journal runs its jobs in order: read back from it, the request joins the list now, not at
 * the next sync. */
static void
outbox_sent_cb (TirkeuOutbox   *outbox,
                TirkeuRequest  *request,
                TirkeuTracking *self)
{
  const char *portal_id = tirkeu_request_get_portal_id (request);

  if (portal_id != NULL && self->journal != NULL)
    tirkeu_journal_get_request_async (self->journal, portal_id, self->cancellable,
                                      sent_request_cb, g_object_ref (self));
}

/**
 * tirkeu_tracking_follow_outbox:
 * @self: a #TirkeuTracking
 * @outbox: the session's outbox
 *
 * Adds each request @outbox sends to the list as soon as the portal confirmed it.
 */
void
tirkeu_tracking_follow_outbox (TirkeuTracking *self,
                               TirkeuOutbox   *outbox)
{
  g_return_if_fail (TIRKEU_IS_TRACKING (self));
  g_return_if_fail (TIRKEU_IS_OUTBOX (outbox));

  g_signal_connect_object (outbox, "sent", G_CALLBACK (outbox_sent_cb), self, G_CONNECT_DEFAULT);
}

static const GActionEntry actions[] = {
  { "refresh", refresh_action },
  { "show-request", show_request_action, "s" },
};

/**
 * tirkeu_tracking_install_actions:
 * @application: the application
 *
 * Adds `app.refresh` (F5, Ctrl+R) and `app.show-request('ID')`, which act on the tracking of
 * the active window. Called at start-up, so that the actions exist before any journal opens;
 * tirkeu_tracking_new() calls it too.
 */
void
tirkeu_tracking_install_actions (GtkApplication *application)
{
  static const char * const refresh_accels[] = { "F5", "<Control>r", NULL };

  g_return_if_fail (GTK_IS_APPLICATION (application));

  if (g_action_map_lookup_action (G_ACTION_MAP (application), "show-request") != NULL)
    return;
  g_action_map_add_action_entries (G_ACTION_MAP (application), actions, G_N_ELEMENTS (actions),
                                   application);
  gtk_application_set_accels_for_action (application, "app.refresh", refresh_accels);
}

static void
list_loaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TirkeuTracking) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *pending = NULL;

  if (!tirkeu_request_list_load_finish (TIRKEU_REQUEST_LIST (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot load the requests from the journal: %s", error->message);
      return;
    }

  /* A notification activated before the journal was open. */
  if (self->application != NULL && self->pages->len > 0)
    pending = g_object_steal_data (G_OBJECT (self->application), PENDING_KEY);
  if (pending != NULL)
    show_request_now (self, pending);
}

static void
tirkeu_tracking_dispose (GObject *object)
{
  TirkeuTracking *self = TIRKEU_TRACKING (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->application != NULL
      && g_object_get_data (G_OBJECT (self->application), TRACKING_KEY) == self)
    g_object_set_data (G_OBJECT (self->application), TRACKING_KEY, NULL);
  g_clear_weak_pointer (&self->application);
  if (self->sync != NULL)
    tirkeu_sync_stop (self->sync);
  if (self->pages != NULL)
    for (guint i = 0; i < self->pages->len; i++)
      g_object_weak_unref (g_ptr_array_index (self->pages, i), page_weak_notify, self);
  g_clear_pointer (&self->pages, g_ptr_array_unref);
  g_clear_object (&self->sync);
  g_clear_object (&self->list);
  g_clear_object (&self->client);
  g_clear_object (&self->journal);

  G_OBJECT_CLASS (tirkeu_tracking_parent_class)->dispose (object);
}

static void
tirkeu_tracking_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TirkeuTracking *self = TIRKEU_TRACKING (object);

  switch (prop_id)
    {
    case PROP_HAS_REQUESTS:
      g_value_set_boolean (value, self->has_requests);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_tracking_class_init (TirkeuTrackingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tirkeu_tracking_dispose;
  object_class->get_property = tirkeu_tracking_get_property;

  /**
   * TirkeuTracking:has-requests:
   *
   * Whether the requests list is the window's home: the journal holds requests.
   */
  properties[PROP_HAS_REQUESTS] =
    g_param_spec_boolean ("has-requests", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TirkeuTracking::notable-change:
   * @request: the request, in its new stage
   *
   * A request reached a stage the seller is told about (the same as its notification).
   */
  signals[NOTABLE_CHANGE] =
    g_signal_new ("notable-change", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, TIRKEU_TYPE_REQUEST);
}

static void
tirkeu_tracking_init (TirkeuTracking *self)
{
  self->pages = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  self->list = tirkeu_request_list_new ();
}

/**
 * tirkeu_tracking_new:
 * @application: the application: its actions and notifications
 * @journal: the journal
 *
 * Adds `app.refresh` (F5, Ctrl+R) and `app.show-request` to @application and starts loading
 * the journal's requests into the list.
 *
 * Returns: (transfer full): a new #TirkeuTracking
 */
TirkeuTracking *
tirkeu_tracking_new (GtkApplication *application,
                     TirkeuJournal  *journal)
{
  TirkeuTracking *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (TIRKEU_IS_JOURNAL (journal), NULL);

  self = g_object_new (TIRKEU_TYPE_TRACKING, NULL);
  /* Weak: a journal load or sync still in flight can keep the tracking alive after the
   * application is gone (it is finalized when the last window closes). */
  g_set_weak_pointer (&self->application, application);
  self->journal = g_object_ref (journal);
  self->sync = tirkeu_sync_new (journal, NULL);
  g_signal_connect_object (self->sync, "requests-changed", G_CALLBACK (requests_changed_cb),
                           self, G_CONNECT_DEFAULT);
  g_signal_connect_object (self->sync, "stage-changed", G_CALLBACK (stage_changed_cb),
                           self, G_CONNECT_DEFAULT);
  g_signal_connect_object (self->list, "notify::n-requests", G_CALLBACK (list_notify_cb),
                           self, G_CONNECT_DEFAULT);

  tirkeu_tracking_install_actions (application);
  g_object_set_data (G_OBJECT (application), TRACKING_KEY, self);

  tirkeu_request_list_load_async (self->list, journal, self->cancellable, list_loaded_cb,
                                  g_object_ref (self));

  return self;
}

TirkeuJournal *
tirkeu_tracking_get_journal (TirkeuTracking *self)
{
  g_return_val_if_fail (TIRKEU_IS_TRACKING (self), NULL);

  return self->journal;
}

TirkeuSync *
tirkeu_tracking_get_sync (TirkeuTracking *self)
{
  g_return_val_if_fail (TIRKEU_IS_TRACKING (self), NULL);

  return self->sync;
}

TirkeuRequestList *
tirkeu_tracking_get_list (TirkeuTracking *self)
{
  g_return_val_if_fail (TIRKEU_IS_TRACKING (self), NULL);

  return self->list;
}

gboolean
tirkeu_tracking_get_has_requests (TirkeuTracking *self)
{
  g_return_val_if_fail (TIRKEU_IS_TRACKING (self), FALSE);

  return self->has_requests;
}
