/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Notifications through the GApplication's real send path: a private session bus
 * (GTestDBus) with a fake org.gtk.Notifications server that records what GLib sends. The
 * sync follows requests in the sandbox (auto buyer) to every final stage; each notable stage
 * (completed, refused, declined, expired, unpaid fines) must be announced once, a withdrawal
 * not at all, and the notification's action must open that request. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tirkeu-portal-error.h"
#include "tirkeu-tracking.h"
#include "tirkeu-tracking-test.h"
#include "tirkeu-ui-test.h"

static const char introspection_xml[] =
  "<node>"
  "  <interface name='org.gtk.Notifications'>"
  "    <method name='AddNotification'>"
  "      <arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/>"
  "    </method>"
  "    <method name='RemoveNotification'>"
  "      <arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

typedef struct
{
  char     *app_id;
  char     *id;
  GVariant *notification;
} Received;

static GPtrArray *received;

static void
received_free (Received *r)
{
  g_free (r->app_id);
  g_free (r->id);
  g_variant_unref (r->notification);
  g_free (r);
}

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  if (g_str_equal (method_name, "AddNotification"))
    {
      Received *r = g_new0 (Received, 1);

      g_variant_get (parameters, "(ss@a{sv})", &r->app_id, &r->id, &r->notification);
      g_ptr_array_add (received, r);
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable vtable = { method_call_cb, NULL, NULL, { 0 } };

static Received *
find_received (const char *notification_id)
{
  for (guint i = 0; i < received->len; i++)
    {
      Received *r = g_ptr_array_index (received, i);

      if (g_str_equal (r->id, notification_id))
        return r;
    }
  return NULL;
}

static guint
count_received (const char *notification_id)
{
  guint n = 0;

  for (guint i = 0; i < received->len; i++)
    if (g_str_equal (((Received *) g_ptr_array_index (received, i))->id, notification_id))
      n++;
  return n;
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_build (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (TirkeuStage stage = TIRKEU_STAGE_SUBMITTED; stage < TIRKEU_N_STAGES; stage++)
    {
      g_autoptr(TirkeuRequest) request = NULL;
      g_autoptr(GNotification) notification = NULL;

      if (!tirkeu_stage_is_reachable (TIRKEU_STAGE_SUBMITTED, stage)
          && stage != TIRKEU_STAGE_SUBMITTED)
        continue;
      request = tirkeu_tracking_make_request (stage, stage, now);
      notification = tirkeu_tracking_build_notification (request);
      g_assert_cmpint (notification != NULL, ==, tirkeu_sync_stage_is_notable (stage));
    }
}

/* The notification names the request number and the vehicle (make, model, the end of its
 * VIN), not the buyer: it shows on a locked screen. */
static void
test_text (void)
{
  g_autoptr(TirkeuRequest) request = NULL;
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GtkApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  const char *body = NULL;
  const char *vin;
  Received *r = NULL;

  request = tirkeu_tracking_make_request (42, TIRKEU_STAGE_COMPLETED,
                                          g_get_real_time () / G_USEC_PER_SEC);
  vin = tirkeu_request_get_vin (request);
  notification = tirkeu_tracking_build_notification (request);
  g_assert_nonnull (notification);
  /* GLib 2.74 has no getters: as the desktop receives it */
  app = gtk_application_new ("io.github.tirkeu.Tirkeu.Test3", G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_application_send_notification (G_APPLICATION (app), "text-test", notification);
  for (guint i = 0; i < 250 && (r = find_received ("text-test")) == NULL; i++)
    tirkeu_ui_test_iterate (20);
  g_assert_nonnull (r);
  g_assert_true (g_variant_lookup (r->notification, "body", "&s", &body));
  g_test_message ("%s", body);
  g_assert_nonnull (strstr (body, tirkeu_request_get_portal_id (request)));
  g_assert_nonnull (strstr (body, tirkeu_request_get_vehicle (request)->make));
  g_assert_nonnull (strstr (body, tirkeu_request_get_vehicle (request)->model));
  g_assert_nonnull (strstr (body, vin + strlen (vin) - 6));
  g_assert_null (strstr (body, vin));
  g_assert_null (strstr (body, tirkeu_request_get_buyer_name (request)));

  summary = tirkeu_tracking_dup_change_summary (request);
  g_assert_nonnull (strstr (summary, tirkeu_request_get_portal_id (request)));
}

/* A request the outbox sent joins the list at once, read back from the journal, without a
 * sync (the tracking has no client here), and its row is highlighted. */
static void
test_sent_joins_list (void)
{
  g_autoptr(TirkeuTrackingPortal) portal = tirkeu_tracking_portal_new (60000);
  g_autoptr(TirkeuPortalClient) client = tirkeu_tracking_portal_sign_in (portal);
  g_autoptr(TirkeuJournal) journal = tirkeu_tracking_journal_new ();
  g_autoptr(GtkApplication) app = NULL;
  g_autoptr(TirkeuTracking) tracking = NULL;
  g_autoptr(TirkeuOutbox) outbox = NULL;
  g_autoptr(TirkeuRequest) signed_request = NULL;
  g_autoptr(TirkeuRequest) sent = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TirkeuRequestsPage *page;
  GtkWindow *window;
  const char *portal_id;

  tirkeu_ui_test_use_system_data ();
  app = gtk_application_new ("io.github.tirkeu.Tirkeu.Test2", G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  tracking = tirkeu_tracking_new (app, journal);
  window = GTK_WINDOW (adw_application_window_new (app));
  page = TIRKEU_REQUESTS_PAGE (tirkeu_requests_page_new ());
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), GTK_WIDGET (page));
  tirkeu_tracking_attach_page (tracking, page);
  gtk_window_present (window);

  outbox = tirkeu_outbox_new (journal, client, NULL);
  tirkeu_tracking_follow_outbox (tracking, outbox);
  signed_request = tirkeu_tracking_portal_create_signed (portal, client,
                                                         &tirkeu_tracking_cases[0]);
  portal_id = tirkeu_request_get_portal_id (signed_request);
  g_assert_null (tirkeu_request_list_lookup (tirkeu_tracking_get_list (tracking), portal_id));

  tirkeu_outbox_send_async (outbox, signed_request, NULL, NULL, store_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  sent = tirkeu_outbox_send_finish (outbox, result, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 100 && tirkeu_request_list_lookup (tirkeu_tracking_get_list (tracking),
                                                           portal_id) == NULL; i++)
    tirkeu_ui_test_iterate (20);
  g_assert_nonnull (tirkeu_request_list_lookup (tirkeu_tracking_get_list (tracking), portal_id));
  g_assert_cmpuint (tirkeu_sync_get_n_calls (tirkeu_tracking_get_sync (tracking)), ==, 0);
  g_assert_true (tirkeu_requests_page_get_highlighted (page, portal_id));

  /* "Track the Request": its page, its row revealed behind it. */
  tirkeu_tracking_show_request (tracking, portal_id);
  tirkeu_ui_test_iterate (100);
  g_assert_true (tirkeu_requests_page_get_showing_request (page));
  g_assert_cmpstr (tirkeu_request_get_portal_id (tirkeu_request_page_get_request (tirkeu_requests_page_get_request_page (page))),
                   ==, portal_id);

  gtk_window_destroy (window);
  tirkeu_ui_test_iterate (50);
}

static void
test_final_stages (void)
{
  g_autoptr(TirkeuTrackingPortal) portal = tirkeu_tracking_portal_new (60);
  g_autoptr(TirkeuPortalClient) client = tirkeu_tracking_portal_sign_in (portal);
  g_autoptr(TirkeuJournal) journal = tirkeu_tracking_journal_new ();
  g_autoptr(GtkApplication) app = NULL;
  g_autoptr(TirkeuTracking) tracking = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GtkWindow *window;
  TirkeuRequestsPage *page;
  gboolean all = FALSE;

  tirkeu_ui_test_use_system_data ();
  app = gtk_application_new ("io.github.tirkeu.Tirkeu.Test", G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  tracking = tirkeu_tracking_new (app, journal);
  tirkeu_sync_set_interval (tirkeu_tracking_get_sync (tracking), 100);

  window = GTK_WINDOW (adw_application_window_new (app));
  page = TIRKEU_REQUESTS_PAGE (tirkeu_requests_page_new ());
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), GTK_WIDGET (page));
  tirkeu_tracking_attach_page (tracking, page);
  gtk_window_present (window);

  /* The first round imports the empty journal; the requests come after. */
  tirkeu_tracking_set_client (tracking, client);
  while (tirkeu_sync_get_n_calls (tirkeu_tracking_get_sync (tracking)) == 0
         || tirkeu_sync_get_syncing (tirkeu_tracking_get_sync (tracking)))
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < tirkeu_tracking_n_cases; i++)
    {
      g_autoptr(TirkeuRequest) submitted = tirkeu_tracking_portal_submit (portal, client,
                                                                          &tirkeu_tracking_cases[i]);

      if (tirkeu_tracking_cases[i].outcome == TIRKEU_STAGE_WITHDRAWN)
        {
          /* Withdrawn at once; if the auto buyer was quicker, this case proves nothing. */
          g_autoptr(TirkeuRequest) withdrawn = NULL;
          g_autoptr(GAsyncResult) result = NULL;
          g_autoptr(GError) withdraw_error = NULL;

          tirkeu_portal_client_withdraw_async (client, tirkeu_request_get_portal_id (submitted),
                                               NULL, store_cb, &result);
          while (result == NULL)
            g_main_context_iteration (NULL, TRUE);
          withdrawn = tirkeu_portal_client_withdraw_finish (client, result, NULL,
                                                            &withdraw_error);
          if (withdrawn == NULL)
            {
              g_assert_error (withdraw_error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_CONFLICT);
              g_ptr_array_add (ids, NULL);
              continue;
            }
        }
      g_ptr_array_add (ids, g_strdup (tirkeu_request_get_portal_id (submitted)));
    }

  for (gint64 deadline = g_get_monotonic_time () + 40 * G_USEC_PER_SEC;
       !all && g_get_monotonic_time () < deadline;)
    {
      g_main_context_iteration (NULL, TRUE);
      all = TRUE;
      for (guint i = 0; i < ids->len; i++)
        {
          g_autofree char *nid = NULL;

          if (g_ptr_array_index (ids, i) == NULL)
            continue;
          nid = g_strconcat ("request-", (char *) g_ptr_array_index (ids, i), NULL);

          if (tirkeu_sync_stage_is_notable (tirkeu_tracking_cases[i].outcome)
              && find_received (nid) == NULL)
            all = FALSE;
        }
    }
  g_assert_true (all);
  tirkeu_ui_test_iterate (500);

  for (guint i = 0; i < ids->len; i++)
    {
      const char *portal_id = g_ptr_array_index (ids, i);
      g_autofree char *nid = NULL;
      Received *r;

      if (portal_id == NULL)
        continue;
      nid = g_strconcat ("request-", portal_id, NULL);
      r = find_received (nid);
      const char *action = NULL;
      g_autoptr(GVariant) target = NULL;
      const char *title = NULL;

      if (!tirkeu_sync_stage_is_notable (tirkeu_tracking_cases[i].outcome))
        {
          g_assert_null (r);
          continue;
        }
      g_assert_nonnull (r);
      g_assert_cmpuint (count_received (nid), ==, 1);
      g_assert_cmpstr (r->app_id, ==, "io.github.tirkeu.Tirkeu.Test");
      g_assert_true (g_variant_lookup (r->notification, "title", "&s", &title));
      g_assert_cmpstr (title, !=, "");
      g_assert_true (g_variant_lookup (r->notification, "default-action", "&s", &action));
      g_assert_cmpstr (action, ==, "app.show-request");
      target = g_variant_lookup_value (r->notification, "default-action-target", NULL);
      g_assert_nonnull (target);
      g_assert_cmpstr (g_variant_get_string (target, NULL), ==, portal_id);
    }

  /* Activating a notification runs its action: the page of that request opens. */
  {
    const char *portal_id = g_ptr_array_index (ids, 1);  /* the refused one */
    TirkeuRequest *shown;

    g_action_group_activate_action (G_ACTION_GROUP (app), "show-request",
                                    g_variant_new_string (portal_id));
    for (guint i = 0; i < 100 && !tirkeu_requests_page_get_showing_request (page); i++)
      tirkeu_ui_test_iterate (20);
    g_assert_true (tirkeu_requests_page_get_showing_request (page));
    shown = tirkeu_request_page_get_request (tirkeu_requests_page_get_request_page (page));
    g_assert_cmpstr (tirkeu_request_get_portal_id (shown), ==, portal_id);
    g_assert_cmpint (tirkeu_request_get_stage (shown), ==, TIRKEU_STAGE_REFUSED);
  }

  tirkeu_tracking_set_client (tracking, NULL);
  gtk_window_destroy (window);
  tirkeu_ui_test_iterate (50);
}

/* The test bus, alive until the process ends (see main()). */
static GTestDBus *volatile bus_kept;

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GTestDBus) bus = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *display = NULL;
  guint owner_id;
  int status;

  tirkeu_ui_test_init (&argc, &argv);

  /* Our own session bus, before anything connects to one. */
  /* g_test_dbus_up() unsets DISPLAY (against X11 autolaunch): the window needs it back. */
  display = g_strdup (g_getenv ("DISPLAY"));
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);
  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  node = g_dbus_node_info_new_for_xml (introspection_xml, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (connection, "/org/gtk/Notifications", node->interfaces[0],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  owner_id = g_bus_own_name_on_connection (connection, "org.gtk.Notifications",
                                           G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL);
  received = g_ptr_array_new_with_free_func ((GDestroyNotify) received_free);
  /* The name must be owned before GLib picks its notification backend. */
  tirkeu_ui_test_iterate (200);

  gtk_init ();
  adw_init ();

  g_test_add_func ("/notifications/build", test_build);
  g_test_add_func ("/notifications/text", test_text);
  g_test_add_func ("/notifications/sent-joins-list", test_sent_joins_list);
  g_test_add_func ("/notifications/final-stages", test_final_stages);
  status = g_test_run ();

  g_bus_unown_name (owner_id);
  g_clear_pointer (&received, g_ptr_array_unref);
  g_clear_object (&connection);
  /* GTK keeps the session connection to the end: stop the bus without waiting for it. */
  g_test_dbus_stop (bus);
  /* Its finalizer would wait for the connection again (g_test_dbus_down()): the process ends
   * here anyway. Kept in a static, not dropped, so that LeakSanitizer sees it held. */
  bus_kept = g_steal_pointer (&bus);

  return status;
}
