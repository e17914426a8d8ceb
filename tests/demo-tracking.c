/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Not a test: the requests list as a user sees it, with demo data synced from the in-process
 * sandbox (auto buyer) into a fresh journal. For screenshots:
 *   xvfb-run -a -s '-screen 0 1280x900x24' sh -c \
 *     'tests/demo-tracking --seconds 25 & sleep 20; import -window root shot.png; wait'
 * Options: --seconds N (how long to stay open), --open N (open the Nth request's page). */
#include "config.h"

#include <adwaita.h>

#include "tirkeu-i18n.h"
#include "tirkeu-tracking.h"
#include "tirkeu-tracking-test.h"

static int seconds = 25;
static int open_index = -1;

static gboolean
quit_cb (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_REMOVE;
}

static gboolean
open_cb (gpointer user_data)
{
  g_action_group_activate_action (G_ACTION_GROUP (g_application_get_default ()), "show-request",
                                  g_variant_new_string (user_data));
  return G_SOURCE_REMOVE;
}

static void
activate_cb (GtkApplication *app,
             gpointer        user_data)
{
  TirkeuTrackingPortal *portal = user_data;
  g_autoptr(TirkeuPortalClient) client = tirkeu_tracking_portal_sign_in (portal);
  g_autoptr(TirkeuJournal) journal = tirkeu_tracking_journal_new ();
  TirkeuTracking *tracking = tirkeu_tracking_new (app, journal);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  TirkeuRequestsPage *page = TIRKEU_REQUESTS_PAGE (tirkeu_requests_page_new ());
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  gtk_css_provider_load_from_resource (css, "/io/github/tirkeu/Tirkeu/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data_full (G_OBJECT (window), "tracking", tracking, g_object_unref);
  gtk_window_set_title (GTK_WINDOW (window), "Tirkeu");
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 820);
  gtk_box_append (GTK_BOX (box), header);
  gtk_widget_set_vexpand (GTK_WIDGET (page), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (page));
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  tirkeu_tracking_attach_page (tracking, page);
  tirkeu_sync_set_interval (tirkeu_tracking_get_sync (tracking), 500);
  tirkeu_tracking_set_client (tracking, client);
  gtk_window_present (GTK_WINDOW (window));

  /* Every scenario of the fixtures. */
  for (guint i = 0; i < tirkeu_tracking_n_cases; i++)
    {
      g_autoptr(TirkeuRequest) submitted = tirkeu_tracking_portal_submit (portal, client,
                                                                          &tirkeu_tracking_cases[i]);
      g_ptr_array_add (ids, g_strdup (tirkeu_request_get_portal_id (submitted)));
    }

  if (open_index >= 0 && (guint) open_index < ids->len)
    g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, MAX (seconds - 10, 1), open_cb,
                                g_strdup (g_ptr_array_index (ids, open_index)), g_free);

  g_timeout_add_seconds (seconds, quit_cb, app);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = NULL;
  g_autoptr(TirkeuTrackingPortal) portal = NULL;
  GOptionEntry entries[] = {
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "How long to stay open", "N" },
    { "open", 0, 0, G_OPTION_ARG_INT, &open_index, "Open the page of the Nth request", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  /* LANGUAGE selects kk or ru, as in the app, for screenshots in each language */
  tirkeu_i18n_init (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("XDG_DATA_HOME", g_get_tmp_dir (), FALSE);

  portal = tirkeu_tracking_portal_new (1500);
  app = GTK_APPLICATION (adw_application_new ("io.github.tirkeu.Tirkeu.Demo",
                                              G_APPLICATION_NON_UNIQUE));
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), portal);

  return g_application_run (G_APPLICATION (app), 1, argv);
}
