/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main window and the preferences window, for real under Xvfb. */
#include "config.h"

#include <string.h>

#include "tirkeu-config.h"
#include "tirkeu-sandbox.h"
#include "test-sandbox-util.h"
#include "tirkeu-preferences-window.h"
#include "tirkeu-ui-test.h"

/* g_settings_get_string() hands back a copy: a macro, so that a failure names the caller's
 * line. */
#define assert_setting(settings, key, expected) \
  G_STMT_START \
    { \
      g_autofree char *value_ = g_settings_get_string ((settings), (key)); \
      g_assert_cmpstr (value_, ==, (expected)); \
    } \
  G_STMT_END

static gboolean
has_visible_descendant (GtkWidget *root,
                        GType      type)
{
  if (!gtk_widget_get_visible (root))
    return FALSE;
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_visible_descendant (child, type))
      return TRUE;

  return FALSE;
}

static GtkWidget *
find_by_css_class (GtkWidget  *root,
                   const char *css_class)
{
  if (gtk_widget_has_css_class (root, css_class))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_css_class (child, css_class);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static AdwWindowTitle *
find_window_title (GtkWidget *root)
{
  if (ADW_IS_WINDOW_TITLE (root))
    return ADW_WINDOW_TITLE (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwWindowTitle *found = find_window_title (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
notify_count_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
training_body (TirkeuApplication *application,
               TirkeuWindow      *window,
               gpointer           user_data)
{
  TirkeuConfig *config = tirkeu_application_get_config (application);
  GSettings *settings = tirkeu_config_get_settings (config);
  GtkWidget *bar = find_by_css_class (GTK_WIDGET (window), "training-bar");
  AdwWindowTitle *title = find_window_title (GTK_WIDGET (window));
  g_autofree char *screenshot = NULL;
  guint notifies = 0;

  g_assert_nonnull (bar);
  g_assert_nonnull (title);
  g_signal_connect (window, "notify::training", G_CALLBACK (notify_count_cb), &notifies);

  /* The default portal is the real one: no marker. */
  g_assert_false (tirkeu_window_get_training (window));
  g_assert_false (gtk_widget_get_visible (bar));
  g_assert_cmpstr (adw_window_title_get_subtitle (title), ==, "");

  /* A loopback portal in the settings: the marker, on at once. */
  g_settings_set_string (settings, "portal-url", "http://localhost:8443");
  g_assert_true (tirkeu_window_get_training (window));
  g_assert_cmpuint (notifies, ==, 1);
  tirkeu_ui_test_wait_drawn (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (bar));
  g_assert_cmpint (gtk_widget_get_height (bar), >, 0);
  g_assert_cmpstr (adw_window_title_get_subtitle (title), ==, "Training portal");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (window), "training"));
  screenshot = tirkeu_ui_test_save_screenshot (GTK_WIDGET (window), "test-window-training.png");

  /* The portal layer's word counts as much as the address. */
  g_settings_set_string (settings, "portal-url", "https://egov.kz");
  g_assert_false (tirkeu_window_get_training (window));
  g_assert_false (gtk_widget_get_visible (bar));
  tirkeu_config_set_portal_reports_sandbox (config, TRUE);
  g_assert_true (tirkeu_window_get_training (window));
  g_assert_true (gtk_widget_get_visible (bar));
  tirkeu_config_set_portal_reports_sandbox (config, FALSE);
  g_assert_false (tirkeu_window_get_training (window));
  g_assert_cmpuint (notifies, ==, 4);

  /* Setting the same value again notifies nothing. */
  tirkeu_window_set_training (window, FALSE);
  g_assert_cmpuint (notifies, ==, 4);

  /* The home page until the request pages exist. */
  g_assert_true (has_visible_descendant (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE));

  g_settings_reset (settings, "portal-url");
}

static void
test_window_training_marker (void)
{
  g_assert_cmpint (tirkeu_ui_test_run_application (NULL, training_body, NULL), ==, 0);
}

static void
size_body (TirkeuApplication *application,
           TirkeuWindow      *window,
           gpointer           user_data)
{
  int width = 0;
  int height = 0;

  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 700);
  g_assert_cmpint (height, ==, 520);
  g_assert_false (gtk_window_is_maximized (GTK_WINDOW (window)));

  gtk_window_set_default_size (GTK_WINDOW (window), 820, 610);
  tirkeu_ui_test_wait_drawn (GTK_WIDGET (window));
}

static void
test_window_remembers_size (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_int (settings, "window-width", 700);
  g_settings_set_int (settings, "window-height", 520);

  /* The run ends with app.quit, which closes the window: that saves its size. */
  g_assert_cmpint (tirkeu_ui_test_run_application (NULL, size_body, NULL), ==, 0);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 820);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 610);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
  g_settings_reset (settings, "window-maximized");
}

static void
preferences_body (TirkeuApplication *application,
                  TirkeuWindow      *window,
                  gpointer           user_data)
{
  TirkeuConfig *config = tirkeu_application_get_config (application);
  GSettings *settings = tirkeu_config_get_settings (config);
  TirkeuPreferencesWindow *preferences;
  GtkWidget *portal_url_row;
  GtkWidget *ca_file_row;
  GtkWidget *module_row;
  GtkWidget *language_row;
  GtkWidget *refresh_row;
  GtkWidget *restart_dialog;
  GtkSpinButton *spin;
  g_autofree char *screenshot = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (application), "preferences", NULL);
  preferences = TIRKEU_PREFERENCES_WINDOW (tirkeu_ui_test_find_toplevel (TIRKEU_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (preferences);
  tirkeu_ui_test_wait_drawn (GTK_WIDGET (preferences));

  portal_url_row = tirkeu_ui_test_find_row (GTK_WIDGET (preferences), "Portal Address");
  ca_file_row = tirkeu_ui_test_find_row (GTK_WIDGET (preferences), "Trusted Certificate Authorities");
  module_row = tirkeu_ui_test_find_row (GTK_WIDGET (preferences), "PKCS#11 Module");
  language_row = tirkeu_ui_test_find_row (GTK_WIDGET (preferences), "Language");
  refresh_row = tirkeu_ui_test_find_row (GTK_WIDGET (preferences), "Status Refresh Interval");
  g_assert_true (ADW_IS_ENTRY_ROW (portal_url_row));
  g_assert_true (ADW_IS_ACTION_ROW (ca_file_row));
  g_assert_true (ADW_IS_ENTRY_ROW (module_row));
  g_assert_true (ADW_IS_COMBO_ROW (language_row));
  g_assert_true (ADW_IS_ACTION_ROW (refresh_row));

  /* The rows show the settings. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (portal_url_row)), ==, "https://egov.kz");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (module_row)), ==, "p11-kit-proxy.so");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (language_row)), ==, 0);
  screenshot = tirkeu_ui_test_save_screenshot (GTK_WIDGET (preferences), "test-window-preferences.png");

  /* Typing is not saving: the apply button is. */
  gtk_editable_set_text (GTK_EDITABLE (portal_url_row), "https://127.0.0.1:8443");
  g_assert_null (g_settings_get_user_value (settings, "portal-url"));
  g_signal_emit_by_name (portal_url_row, "apply");
  assert_setting (settings, "portal-url", "https://127.0.0.1:8443");
  g_assert_true (tirkeu_window_get_training (window));

  /* What the portal client would refuse is refused here, shown as an error: not an address,
   * plain http (TLS is never optional), an address with a path (the portal is an origin). */
  {
    const char *refused[] = { "egov", "http://127.0.0.1:8443", "https://egov.kz/api" };

    for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        gtk_editable_set_text (GTK_EDITABLE (portal_url_row), refused[i]);
        g_assert_false (gtk_widget_has_css_class (portal_url_row, "error"));
        g_signal_emit_by_name (portal_url_row, "apply");
        assert_setting (settings, "portal-url",
                        "https://127.0.0.1:8443");
        g_assert_true (gtk_widget_has_css_class (portal_url_row, "error"));
      }
  }

  /* A change made elsewhere reaches the row. */
  g_settings_set_string (settings, "portal-url", "https://egov.kz/api");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (portal_url_row)), ==, "https://egov.kz/api");
  g_assert_false (gtk_widget_has_css_class (portal_url_row, "error"));

  gtk_editable_set_text (GTK_EDITABLE (module_row), "/usr/lib/softhsm/libsofthsm2.so");
  g_signal_emit_by_name (module_row, "apply");
  assert_setting (settings, "pkcs11-module",
                  "/usr/lib/softhsm/libsofthsm2.so");

  g_settings_set_string (settings, "ca-file", "/etc/tirkeu/ca.pem");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (ca_file_row)), ==, "/etc/tirkeu/ca.pem");
  g_settings_reset (settings, "ca-file");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (ca_file_row)), ==,
                   "The system’s trusted authorities");

  spin = GTK_SPIN_BUTTON (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (refresh_row)));
  g_assert_true (GTK_IS_SPIN_BUTTON (spin));
  g_assert_cmpfloat (gtk_spin_button_get_value (spin), ==, 60.0);
  gtk_spin_button_set_value (spin, 300.0);
  g_assert_cmpuint (g_settings_get_uint (settings, "refresh-interval"), ==, 300);
  g_assert_cmpuint (tirkeu_config_get_refresh_interval (config), ==, 300);

  /* A new language is saved, and a restart is offered: gettext is set up at start only. */
  g_assert_null (tirkeu_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  adw_combo_row_set_selected (ADW_COMBO_ROW (language_row), 1);
  assert_setting (settings, "language", "kk");
  g_assert_cmpstr (tirkeu_config_get_language (config), ==, "system");
  restart_dialog = tirkeu_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (restart_dialog);
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (restart_dialog), "restart"));
  /* What a click on "Later" does: the response, then the dialog closes. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (restart_dialog), "later");
  gtk_window_close (GTK_WINDOW (restart_dialog));
  g_assert_false (tirkeu_application_get_restart_requested (application));

  /* Back to the language of this run: nothing to restart for. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (language_row), 0);
  assert_setting (settings, "language", "system");
  tirkeu_ui_test_iterate (50);
  g_assert_null (tirkeu_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));

  gtk_window_destroy (GTK_WINDOW (preferences));

  g_settings_reset (settings, "portal-url");
  g_settings_reset (settings, "pkcs11-module");
  g_settings_reset (settings, "refresh-interval");
  g_settings_reset (settings, "language");
}

static void
test_window_preferences (void)
{
  g_assert_cmpint (tirkeu_ui_test_run_application (NULL, preferences_body, NULL), ==, 0);
}

static void
overridden_body (TirkeuApplication *application,
                 TirkeuWindow      *window,
                 gpointer           user_data)
{
  TirkeuConfig *config = tirkeu_application_get_config (application);
  GSettings *settings = tirkeu_config_get_settings (config);
  GtkWidget *preferences;
  GtkWidget *portal_url_row;

  g_action_group_activate_action (G_ACTION_GROUP (application), "preferences", NULL);
  preferences = tirkeu_ui_test_find_toplevel (TIRKEU_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  tirkeu_ui_test_wait_drawn (preferences);

  /* The row edits the setting, which the option overrides for this run. */
  portal_url_row = tirkeu_ui_test_find_row (preferences, "Portal Address");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (portal_url_row)), ==, "https://egov.kz");
  gtk_editable_set_text (GTK_EDITABLE (portal_url_row), "https://portal.example.kz");
  g_signal_emit_by_name (portal_url_row, "apply");
  assert_setting (settings, "portal-url", "https://portal.example.kz");
  g_assert_cmpstr (tirkeu_config_get_portal_url (config), ==, "http://127.0.0.1:8443");
  g_assert_true (tirkeu_window_get_training (window));

  gtk_window_destroy (GTK_WINDOW (preferences));
  g_settings_reset (settings, "portal-url");
}

static void
test_window_preferences_overridden (void)
{
  const char * const arguments[] = { "--portal-url", "http://127.0.0.1:8443", NULL };

  g_assert_cmpint (tirkeu_ui_test_run_application (arguments, overridden_body, NULL), ==, 0);
}

static void
test_window_finalizes (void)
{
  g_autoptr(TirkeuApplication) application = tirkeu_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_autoptr(GError) error = NULL;
  TirkeuPreferencesWindow *preferences;
  TirkeuWindow *window;

  tirkeu_ui_test_use_system_data ();
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);

  window = g_object_ref_sink (tirkeu_window_new (application));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);

  preferences = g_object_ref_sink (tirkeu_preferences_window_new (tirkeu_application_get_config (application)));
  gtk_window_destroy (GTK_WINDOW (preferences));
  g_assert_finalize_object (preferences);
}

static AdwStatusPage *
find_visible_status_page (GtkWidget *root)
{
  if (!gtk_widget_get_visible (root))
    return NULL;
  if (ADW_IS_STATUS_PAGE (root) && gtk_widget_get_mapped (root))
    return ADW_STATUS_PAGE (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwStatusPage *found = find_visible_status_page (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* An address the portal client refuses (TLS is never optional: http:// is refused) leaves the
 * desk without a portal; the home page says so and what to do, not only a log line. */
static void
portal_unusable_body (TirkeuApplication *application,
                      TirkeuWindow      *window,
                      gpointer           user_data)
{
  AdwStatusPage *page = find_visible_status_page (GTK_WIDGET (window));

  g_assert_nonnull (page);
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "The Portal Address Cannot Be Used");
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "https://"));
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "Preferences"));
}

static void
test_window_portal_unusable (void)
{
  const char * const arguments[] = { "--portal-url", "http://127.0.0.1:8443", NULL };

  g_assert_cmpint (tirkeu_ui_test_run_application (arguments, portal_unusable_body, NULL), ==, 0);
}

/* The sandbox says in its answers that it is one: the window asks at start, before anyone
 * signs in, and the configuration takes the portal's word (the marker would follow it for an
 * address that is not a loopback one; the in-process sandbox can only be on loopback, so the
 * portal's word is checked on the configuration itself). */
static void
portal_says_sandbox_body (TirkeuApplication *application,
                          TirkeuWindow      *window,
                          gpointer           user_data)
{
  TirkeuConfig *config = tirkeu_application_get_config (application);

  for (guint waited = 0; waited < 10000 && !tirkeu_config_get_portal_reports_sandbox (config);
       waited += 50)
    tirkeu_ui_test_iterate (50);

  g_assert_true (tirkeu_config_get_portal_reports_sandbox (config));
  g_assert_true (tirkeu_window_get_training (window));
}

static void
test_window_portal_says_sandbox (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = sb_make_tmp_dir ("tirkeu-window-sandbox-XXXXXX", &error);
  TirkeuSandboxOptions options;
  SbFixture fixture = { 0 };

  g_assert_no_error (error);
  sb_options_for_test (&options, state_dir);
  sb_fixture_start (&fixture, &options);

  {
    const char * const arguments[] = {
      "--portal-url", fixture.url,
      "--ca-file", tirkeu_sandbox_get_ca_file (fixture.sandbox),
      NULL
    };

    g_assert_cmpint (tirkeu_ui_test_run_application (arguments, portal_says_sandbox_body, NULL),
                     ==, 0);
  }

  sb_fixture_stop (&fixture);
}

/* A sync that fails is said over the window (TirkeuWindow:sync-error), here a client the
 * portal does not know: the window's own sync given a client that never signed in. */
static void
sync_error_body (TirkeuApplication *application,
                 TirkeuWindow      *window,
                 gpointer           user_data)
{
  SbFixture *fixture = user_data;
  g_autoptr(TirkeuPortalClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  TirkeuSync *sync;

  for (guint waited = 0; waited < 10000 && tirkeu_window_get_tracking (window) == NULL;
       waited += 50)
    tirkeu_ui_test_iterate (50);
  g_assert_nonnull (tirkeu_window_get_tracking (window));
  g_object_get (window, "sync-error", &shown, NULL);
  g_assert_null (shown);

  client = tirkeu_portal_client_new (fixture->url, tirkeu_sandbox_get_ca_file (fixture->sandbox),
                                     &error);
  g_assert_no_error (error);
  sync = tirkeu_tracking_get_sync (tirkeu_window_get_tracking (window));
  tirkeu_sync_set_client (sync, client);
  tirkeu_sync_refresh (sync);
  for (guint waited = 0; waited < 10000 && tirkeu_sync_get_last_error (sync) == NULL;
       waited += 50)
    tirkeu_ui_test_iterate (50);

  g_object_get (window, "sync-error", &shown, NULL);
  g_assert_nonnull (shown);
  g_assert_nonnull (strstr (shown, "not up to date"));
  tirkeu_sync_stop (sync);
}

static void
test_window_sync_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = sb_make_tmp_dir ("tirkeu-window-sandbox-XXXXXX", &error);
  TirkeuSandboxOptions options;
  SbFixture fixture = { 0 };

  g_assert_no_error (error);
  sb_options_for_test (&options, state_dir);
  sb_fixture_start (&fixture, &options);

  {
    const char * const arguments[] = {
      "--portal-url", fixture.url,
      "--ca-file", tirkeu_sandbox_get_ca_file (fixture.sandbox),
      NULL
    };

    g_assert_cmpint (tirkeu_ui_test_run_application (arguments, sync_error_body, &fixture),
                     ==, 0);
  }

  sb_fixture_stop (&fixture);
}

static TirkeuRequest *
refused_request (const char *portal_id)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  TirkeuRequest *request = tirkeu_request_new ();

  tirkeu_request_set_portal_id (request, portal_id);
  g_assert_true (tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_SUBMITTED, now, NULL,
                                                    &error));
  g_assert_true (tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_REFUSED, now, NULL,
                                                    &error));
  g_assert_no_error (error);
  return request;
}

/* A toast widget under @root whose labels hold @text. */
static gboolean
shows_toast_with (GtkWidget  *root,
                  const char *text)
{
  if (g_str_equal (G_OBJECT_TYPE_NAME (root), "AdwToastWidget") && gtk_widget_get_mapped (root))
    {
      for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
        {
          GtkWidget *label = GTK_IS_LABEL (w) ? w : gtk_widget_get_first_child (w);

          if (label != NULL && GTK_IS_LABEL (label)
              && strstr (gtk_label_get_text (GTK_LABEL (label)), text) != NULL)
            return TRUE;
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_toast_with (child, text))
      return TRUE;
  return FALSE;
}

/* What a sync changed is said in a toast on whatever page the window shows (here the desk,
 * not signed in), as the notification says it; several changes make one toast that counts
 * them. */
static void
change_toast_body (TirkeuApplication *application,
                   TirkeuWindow      *window,
                   gpointer           user_data)
{
  g_autoptr(TirkeuRequest) first = refused_request ("KZ-0000042");
  g_autoptr(TirkeuRequest) second = refused_request ("KZ-0000043");
  TirkeuTracking *tracking;
  AdwToast *toast;

  for (guint waited = 0; waited < 10000 && tirkeu_window_get_tracking (window) == NULL;
       waited += 50)
    tirkeu_ui_test_iterate (50);
  tracking = tirkeu_window_get_tracking (window);
  g_assert_nonnull (tracking);
  g_assert_null (tirkeu_window_get_change_toast (window));

  g_signal_emit_by_name (tracking, "notable-change", first);
  toast = tirkeu_window_get_change_toast (window);
  g_assert_nonnull (toast);
  g_assert_nonnull (strstr (adw_toast_get_title (toast), "KZ-0000042"));
  g_assert_nonnull (strstr (adw_toast_get_title (toast), "Registration Refused"));
  g_assert_cmpstr (adw_toast_get_action_name (toast), ==, "app.show-request");
  tirkeu_ui_test_iterate (300);
  g_assert_true (shows_toast_with (GTK_WIDGET (window), "KZ-0000042"));

  g_signal_emit_by_name (tracking, "notable-change", second);
  g_assert_true (tirkeu_window_get_change_toast (window) == toast);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "2 requests changed");
  tirkeu_ui_test_iterate (300);
  g_assert_true (shows_toast_with (GTK_WIDGET (window), "2 requests changed"));
}

static void
test_window_change_toast (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = sb_make_tmp_dir ("tirkeu-window-sandbox-XXXXXX", &error);
  TirkeuSandboxOptions options;
  SbFixture fixture = { 0 };

  g_assert_no_error (error);
  sb_options_for_test (&options, state_dir);
  sb_fixture_start (&fixture, &options);

  {
    const char * const arguments[] = {
      "--portal-url", fixture.url,
      "--ca-file", tirkeu_sandbox_get_ca_file (fixture.sandbox),
      NULL
    };

    g_assert_cmpint (tirkeu_ui_test_run_application (arguments, change_toast_body, &fixture),
                     ==, 0);
  }

  sb_fixture_stop (&fixture);
}

/* A journal file cut to nothing is said over the window at start, not shown as an empty
 * list, and nothing starts that would write into it. */
static void
damaged_journal_body (TirkeuApplication *application,
                      TirkeuWindow      *window,
                      gpointer           user_data)
{
  g_autofree char *shown = NULL;

  for (guint waited = 0; waited < 10000 && shown == NULL; waited += 50)
    {
      tirkeu_ui_test_iterate (50);
      g_clear_pointer (&shown, g_free);
      g_object_get (window, "sync-error", &shown, NULL);
    }
  g_assert_nonnull (shown);
  g_assert_nonnull (strstr (shown, "journal file is damaged"));
  g_assert_null (tirkeu_window_get_tracking (window));
}

static void
test_window_damaged_journal (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "tirkeu", "journal.sqlite3",
                                            NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  g_assert_cmpint (tirkeu_ui_test_run_application (NULL, damaged_journal_body, NULL), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  /* g_test_init (..., G_TEST_OPTION_ISOLATE_DIRS, NULL), keeping the system data dirs. */
  tirkeu_ui_test_init (&argc, &argv);

  g_test_add_func ("/window/training-marker", test_window_training_marker);
  g_test_add_func ("/window/remembers-size", test_window_remembers_size);
  g_test_add_func ("/window/preferences", test_window_preferences);
  g_test_add_func ("/window/preferences-overridden", test_window_preferences_overridden);
  g_test_add_func ("/window/portal-unusable", test_window_portal_unusable);
  g_test_add_func ("/window/portal-says-sandbox", test_window_portal_says_sandbox);
  g_test_add_func ("/window/sync-error", test_window_sync_error);
  g_test_add_func ("/window/change-toast", test_window_change_toast);
  g_test_add_func ("/window/damaged-journal", test_window_damaged_journal);
  g_test_add_func ("/window/finalizes", test_window_finalizes);

  return g_test_run ();
}
