/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The application: configuration and command-line overrides, the window it presents, and
 * the actions its menus and shortcuts window name. */
#include "config.h"

#include <glib/gstdio.h>

#include "tirkeu-config.h"
#include "tirkeu-preferences-window.h"
#include "tirkeu-ui-test.h"
#include "tirkeu-window.h"

/* --- loopback detection: the "Training portal" marker until the sandbox says so --- */

typedef struct
{
  const char *url;
  gboolean    loopback;
} LoopbackCase;

static const LoopbackCase loopback_cases[] = {
  { "http://127.0.0.1:8443", TRUE },
  { "https://127.0.0.1/api/v1", TRUE },
  { "https://127.45.6.7:9000", TRUE },            /* all of 127.0.0.0/8 */
  { "http://[::1]:8443/", TRUE },
  { "https://localhost:8443", TRUE },
  { "https://LOCALHOST/", TRUE },
  { "https://localhost.:8443", TRUE },
  { "https://sandbox.localhost/", TRUE },          /* RFC 6761 6.3 */
  { "https://egov.kz", FALSE },
  { "https://egov.kz/api/v1", FALSE },
  { "https://localhost.egov.kz", FALSE },
  { "https://127.0.0.1.nip.io", FALSE },
  { "https://128.0.0.1", FALSE },
  { "http://[::2]:8443", FALSE },
  { "http://0.0.0.0:8443", FALSE },
  { "http://10.0.0.1", FALSE },
  { "not a url", FALSE },
  { "", FALSE },
  { NULL, FALSE },
};

static void
test_url_is_loopback (gconstpointer data)
{
  const LoopbackCase *c = data;

  g_assert_cmpint (tirkeu_url_is_loopback (c->url), ==, c->loopback);
}

/* --- --language, found before gettext starts --- */

typedef struct
{
  const char *arguments[6];
  const char *language;
} LanguageCase;

static const LanguageCase language_cases[] = {
  { { NULL }, NULL },
  { { "--language", "kk", NULL }, "kk" },
  { { "--language=ru", NULL }, "ru" },
  { { "--portal-url", "https://egov.kz", "--language", "en", NULL }, "en" },
  { { "--language=kk", "--language", "ru", NULL }, "ru" },          /* the last one wins */
  { { "--", "--language", "kk", NULL }, NULL },                      /* not an option */
  { { "--language", NULL }, NULL },                                  /* no value */
  { { "--languages=kk", NULL }, NULL },
};

static void
test_scan_language_option (gconstpointer data)
{
  const LanguageCase *c = data;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *language = NULL;

  g_ptr_array_add (argv, (gpointer) "tirkeu");
  for (guint i = 0; c->arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) c->arguments[i]);
  g_ptr_array_add (argv, NULL);

  language = tirkeu_scan_language_option ((int) argv->len - 1, (char **) argv->pdata);
  g_assert_cmpstr (language, ==, c->language);
}

static void
test_language_is_valid (void)
{
  g_assert_true (tirkeu_language_is_valid ("system"));
  g_assert_true (tirkeu_language_is_valid ("kk"));
  g_assert_true (tirkeu_language_is_valid ("ru"));
  g_assert_true (tirkeu_language_is_valid ("en"));
  g_assert_false (tirkeu_language_is_valid ("de"));
  g_assert_false (tirkeu_language_is_valid (""));
  g_assert_false (tirkeu_language_is_valid (NULL));
}

/* --- TirkeuConfig --- */

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_config_follows_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  TirkeuConfig *config = tirkeu_config_new (settings);
  guint url_notifies = 0;
  guint training_notifies = 0;

  g_signal_connect (config, "notify::portal-url", G_CALLBACK (count_notify_cb), &url_notifies);
  g_signal_connect (config, "notify::training", G_CALLBACK (count_notify_cb),
                    &training_notifies);

  g_assert_cmpstr (tirkeu_config_get_portal_url (config), ==, "https://egov.kz");
  g_assert_cmpstr (tirkeu_config_get_pkcs11_module (config), ==, "p11-kit-proxy.so");
  g_assert_cmpstr (tirkeu_config_get_ca_file (config), ==, "");
  g_assert_cmpuint (tirkeu_config_get_refresh_interval (config), ==, 60);
  g_assert_false (tirkeu_config_get_training (config));

  g_settings_set_string (settings, "portal-url", "http://127.0.0.1:8443");
  g_assert_cmpstr (tirkeu_config_get_portal_url (config), ==, "http://127.0.0.1:8443");
  g_assert_true (tirkeu_config_get_training (config));
  g_assert_cmpuint (url_notifies, ==, 1);
  g_assert_cmpuint (training_notifies, ==, 1);

  /* The same value again notifies nothing. */
  g_settings_set_string (settings, "portal-url", "http://127.0.0.1:8443");
  g_assert_cmpuint (url_notifies, ==, 1);

  /* A sandbox on a real address says so in its answers. */
  g_settings_set_string (settings, "portal-url", "https://training.example.kz");
  g_assert_false (tirkeu_config_get_training (config));
  tirkeu_config_set_portal_reports_sandbox (config, TRUE);
  g_assert_true (tirkeu_config_get_training (config));
  g_assert_cmpuint (training_notifies, ==, 3);

  g_settings_set_uint (settings, "refresh-interval", 120);
  g_assert_cmpuint (tirkeu_config_get_refresh_interval (config), ==, 120);

  g_settings_reset (settings, "portal-url");
  g_settings_reset (settings, "refresh-interval");
  g_assert_finalize_object (config);
}

static void
test_config_override (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  TirkeuConfig *config = tirkeu_config_new (settings);

  tirkeu_config_override (config, "portal-url", "http://[::1]:8443");
  tirkeu_config_override (config, "pkcs11-module", "/usr/lib/softhsm/libsofthsm2.so");
  g_assert_true (tirkeu_config_is_overridden (config, "portal-url"));
  g_assert_false (tirkeu_config_is_overridden (config, "ca-file"));
  g_assert_cmpstr (tirkeu_config_get_portal_url (config), ==, "http://[::1]:8443");
  g_assert_true (tirkeu_config_get_training (config));

  /* Never written back ... */
  g_assert_null (g_settings_get_user_value (settings, "portal-url"));
  g_assert_null (g_settings_get_user_value (settings, "pkcs11-module"));

  /* ... and a change of the setting is stored but does not win over the option. */
  g_settings_set_string (settings, "portal-url", "https://egov.kz/other");
  g_assert_cmpstr (tirkeu_config_get_portal_url (config), ==, "http://[::1]:8443");

  /* A key without an override still follows its setting. */
  g_settings_set_string (settings, "ca-file", "/etc/tirkeu/ca.pem");
  g_assert_cmpstr (tirkeu_config_get_ca_file (config), ==, "/etc/tirkeu/ca.pem");

  g_settings_reset (settings, "portal-url");
  g_settings_reset (settings, "ca-file");
  g_assert_finalize_object (config);
}

/* --- the running application --- */

static void
starts_body (TirkeuApplication *application,
             TirkeuWindow      *window,
             gpointer           user_data)
{
  g_autofree char *screenshot = NULL;

  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
  g_assert_true (gtk_window_get_application (GTK_WINDOW (window)) == GTK_APPLICATION (application));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Tirkeu");
  g_assert_false (tirkeu_window_get_training (window));

  screenshot = tirkeu_ui_test_save_screenshot (GTK_WIDGET (window), "test-application-window.png");
  g_assert_true (g_file_test (screenshot, G_FILE_TEST_IS_REGULAR));
}

static void
test_application_starts (void)
{
  g_assert_cmpint (tirkeu_ui_test_run_application (NULL, starts_body, NULL), ==, 0);
}

/* Walks a menu model: every item's action. */
static void
collect_menu_actions (GMenuModel *model,
                      GPtrArray  *actions)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autoptr(GMenuLinkIter) links = g_menu_model_iterate_item_links (model, i);
      char *action = NULL;

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &action))
        g_ptr_array_add (actions, action);

      while (g_menu_link_iter_next (links))
        {
          g_autoptr(GMenuModel) linked = g_menu_link_iter_get_value (links);

          collect_menu_actions (linked, actions);
        }
    }
}

typedef struct
{
  char *action_name;
  char *accelerator;
} Shortcut;

static void
shortcut_free (gpointer data)
{
  Shortcut *shortcut = data;

  g_free (shortcut->action_name);
  g_free (shortcut->accelerator);
  g_free (shortcut);
}

static void
collect_shortcuts (GtkWidget *widget,
                   GPtrArray *shortcuts)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      Shortcut *shortcut = g_new0 (Shortcut, 1);

      g_object_get (widget,
                    "action-name", &shortcut->action_name,
                    "accelerator", &shortcut->accelerator,
                    NULL);
      g_ptr_array_add (shortcuts, shortcut);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_shortcuts (child, shortcuts);
}

static gboolean
widget_class_has_action (GtkWidget  *widget,
                         const char *name)
{
  GtkWidgetClass *klass = GTK_WIDGET_GET_CLASS (widget);
  const GVariantType *parameter_type;
  const char *property_name;
  const char *action_name;
  GType owner;

  /* A class's action list holds its parents' too. GTK 4.8 writes every out argument, so
   * none may be NULL. */
  for (guint i = 0;
       gtk_widget_class_query_action (klass, i, &owner, &action_name, &parameter_type,
                                      &property_name);
       i++)
    if (g_str_equal (action_name, name))
      return TRUE;

  return FALSE;
}

/* The action exists and is enabled; with @need_accel, an accelerator is set for it. */
static void
assert_action (TirkeuApplication *application,
               TirkeuWindow      *window,
               const char        *name,
               gboolean           need_accel)
{
  g_autofree char *prefix = g_strndup (name, strcspn (name, "."));
  const char *short_name = name + strlen (prefix) + 1;

  g_test_message ("action %s", name);
  g_assert_nonnull (strchr (name, '.'));

  if (g_str_equal (prefix, "app"))
    {
      g_assert_nonnull (g_action_map_lookup_action (G_ACTION_MAP (application), short_name));
      g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (application),
                                                        short_name));
    }
  else if (g_str_equal (prefix, "win"))
    {
      g_assert_nonnull (g_action_map_lookup_action (G_ACTION_MAP (window), short_name));
      g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), short_name));
    }
  else
    {
      /* A widget class action, such as GtkWindow's window.close. */
      g_assert_true (widget_class_has_action (GTK_WIDGET (window), name));
    }

  if (need_accel)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (application),
                                                                    name);

      g_assert_nonnull (accels);
      g_assert_cmpuint (g_strv_length (accels), >, 0);
    }
}

static void
actions_body (TirkeuApplication *application,
              TirkeuWindow      *window,
              gpointer           user_data)
{
  g_autoptr(GPtrArray) menu_actions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) shortcuts = g_ptr_array_new_with_free_func (shortcut_free);
  GtkShortcutsWindow *help_overlay;
  guint n_with_action = 0;
  GtkWidget *about;
  GtkWidget *preferences;

  /* The primary menu: Preferences, Keyboard Shortcuts, About. */
  collect_menu_actions (tirkeu_window_get_primary_menu (window), menu_actions);
  g_assert_cmpuint (menu_actions->len, ==, 3);
  for (guint i = 0; i < menu_actions->len; i++)
    assert_action (application, window, g_ptr_array_index (menu_actions, i), FALSE);

  /* The shortcuts window, auto-loaded from the resources by GtkApplication. */
  help_overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (help_overlay);
  collect_shortcuts (GTK_WIDGET (help_overlay), shortcuts);
  g_assert_cmpuint (shortcuts->len, >=, 4);
  for (guint i = 0; i < shortcuts->len; i++)
    {
      Shortcut *shortcut = g_ptr_array_index (shortcuts, i);

      if (shortcut->action_name != NULL)
        {
          /* Its accelerator is the application's: it must have one to show. */
          assert_action (application, window, shortcut->action_name, TRUE);
          n_with_action++;
        }
      else
        {
          guint key = 0;
          GdkModifierType modifiers = 0;

          g_assert_nonnull (shortcut->accelerator);
          g_assert_true (gtk_accelerator_parse (shortcut->accelerator, &key, &modifiers));
        }
    }
  g_assert_cmpuint (n_with_action, >=, 4);

  /* The actions do what they say. */
  g_assert_null (tirkeu_ui_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW));
  g_action_group_activate_action (G_ACTION_GROUP (application), "about", NULL);
  about = tirkeu_ui_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==,
                   GTK_LICENSE_GPL_3_0);
  tirkeu_ui_test_wait_drawn (about);
  gtk_window_destroy (GTK_WINDOW (about));

  g_action_group_activate_action (G_ACTION_GROUP (application), "preferences", NULL);
  preferences = tirkeu_ui_test_find_toplevel (TIRKEU_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (preferences)) == GTK_WINDOW (window));
  tirkeu_ui_test_wait_drawn (preferences);
  gtk_window_destroy (GTK_WINDOW (preferences));

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
  tirkeu_ui_test_wait_drawn (GTK_WIDGET (help_overlay));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (help_overlay)));
  gtk_widget_set_visible (GTK_WIDGET (help_overlay), FALSE);
}

static void
test_application_actions (void)
{
  g_assert_cmpint (tirkeu_ui_test_run_application (NULL, actions_body, NULL), ==, 0);
}

typedef struct
{
  const char *portal_url;
  const char *ca_file;
} OverrideData;

static void
overrides_body (TirkeuApplication *application,
                TirkeuWindow      *window,
                gpointer           user_data)
{
  const OverrideData *data = user_data;
  TirkeuConfig *config = tirkeu_application_get_config (application);
  GSettings *settings = tirkeu_config_get_settings (config);

  g_assert_cmpstr (tirkeu_config_get_portal_url (config), ==, data->portal_url);
  g_assert_cmpstr (tirkeu_config_get_ca_file (config), ==, data->ca_file);
  g_assert_cmpstr (tirkeu_config_get_pkcs11_module (config), ==, "libsofthsm2.so");
  g_assert_true (tirkeu_config_get_training (config));
  g_assert_true (tirkeu_window_get_training (window));

  /* Nothing was written to the settings. */
  g_assert_null (g_settings_get_user_value (settings, "portal-url"));
  g_assert_null (g_settings_get_user_value (settings, "ca-file"));
  g_assert_null (g_settings_get_user_value (settings, "pkcs11-module"));
  g_assert_null (g_settings_get_user_value (settings, "language"));
}

static void
test_application_cli_overrides (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tirkeu-test-XXXXXX", NULL);
  g_autofree char *ca_file = g_build_filename (dir, "ca.pem", NULL);
  OverrideData data = { "http://127.0.0.1:8443", ca_file };
  const char * const arguments[] = {
    "--portal-url", "http://127.0.0.1:8443",
    "--ca-file", ca_file,
    "--pkcs11-module", "libsofthsm2.so",
    "--language", "en",
    NULL
  };

  g_assert_true (g_file_set_contents (ca_file, "not read by this test\n", -1, NULL));
  g_assert_cmpint (tirkeu_ui_test_run_application (arguments, overrides_body, &data), ==, 0);
  g_assert_cmpint (g_remove (ca_file), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
production_body (TirkeuApplication *application,
                 TirkeuWindow      *window,
                 gpointer           user_data)
{
  g_assert_false (tirkeu_config_get_training (tirkeu_application_get_config (application)));
  g_assert_false (tirkeu_window_get_training (window));
}

static void
test_application_production_portal (void)
{
  const char * const arguments[] = { "--portal-url", "https://egov.kz", NULL };

  g_assert_cmpint (tirkeu_ui_test_run_application (arguments, production_body, NULL), ==, 0);
}

static void
not_reached_body (TirkeuApplication *application,
                  TirkeuWindow      *window,
                  gpointer           user_data)
{
  g_assert_not_reached ();
}

/* Bad options end the run with status 1 before any window opens. */
static void
test_application_bad_options (void)
{
  if (g_test_subprocess ())
    {
      const char *bad_language[] = { "--language", "de", NULL };
      const char *bad_url[] = { "--portal-url", "ftp://egov.kz", NULL };
      const char *missing_ca[] = { "--ca-file", "/nonexistent/ca.pem", NULL };

      g_assert_cmpint (tirkeu_ui_test_run_application (bad_language, not_reached_body, NULL), ==, 1);
      g_assert_cmpint (tirkeu_ui_test_run_application (bad_url, not_reached_body, NULL), ==, 1);
      g_assert_cmpint (tirkeu_ui_test_run_application (missing_ca, not_reached_body, NULL), ==, 1);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*Unknown language “de”*");
  g_test_trap_assert_stderr ("*“ftp://egov.kz” is not an http or https address*");
  g_test_trap_assert_stderr ("*“/nonexistent/ca.pem” does not exist*");
}

/* Not registered: after g_application_register() GLib and GTK hold references of their own
 * (checked: one unref then does not finalize it), so only an application that never
 * registered shows that our own code lets go of everything. */
static void
test_application_finalizes (void)
{
  TirkeuApplication *application = tirkeu_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  TirkeuConfig *config = g_object_ref (tirkeu_application_get_config (application));

  g_assert_true (TIRKEU_IS_CONFIG (config));
  g_assert_finalize_object (application);
  g_assert_finalize_object (config);
}

/* The session (and with it the outbox and, once the journal is open, the sync) belongs to the
 * application: a window shows it, and closing the window neither ends it nor signs out. */
static void
test_application_owns_session (void)
{
  g_autoptr(TirkeuApplication) application = tirkeu_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_autoptr(GError) error = NULL;
  TirkeuSession *session;
  TirkeuWindow *window;

  tirkeu_ui_test_use_system_data ();
  tirkeu_config_override (tirkeu_application_get_config (application), "portal-url",
                          "https://127.0.0.1:1");
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);

  session = tirkeu_application_get_session (application);
  g_assert_true (TIRKEU_IS_SESSION (session));
  g_assert_null (tirkeu_application_get_portal_error (application));

  window = g_object_ref_sink (tirkeu_window_new (application));
  g_assert_true (tirkeu_window_get_session (window) == session);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);

  g_assert_true (tirkeu_application_get_session (application) == session);
  g_assert_true (TIRKEU_IS_SESSION (session));

  /* The next window shows the same session. */
  window = g_object_ref_sink (tirkeu_window_new (application));
  g_assert_true (tirkeu_window_get_session (window) == session);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* An address the client refuses: no session, and the reason for the window to show. */
static void
test_application_portal_unusable (void)
{
  g_autoptr(TirkeuApplication) application = tirkeu_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);

  tirkeu_config_override (tirkeu_application_get_config (application), "portal-url",
                          "http://egov.example");
  g_assert_null (tirkeu_application_get_session (application));
  g_assert_nonnull (tirkeu_application_get_portal_error (application));
}

int
main (int   argc,
      char *argv[])
{
  /* g_test_init (..., G_TEST_OPTION_ISOLATE_DIRS, NULL), keeping the system data dirs. */
  tirkeu_ui_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (loopback_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/application/url-is-loopback/%u", i);

      g_test_add_data_func (path, &loopback_cases[i], test_url_is_loopback);
    }
  for (guint i = 0; i < G_N_ELEMENTS (language_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/application/scan-language-option/%u", i);

      g_test_add_data_func (path, &language_cases[i], test_scan_language_option);
    }
  g_test_add_func ("/application/language-is-valid", test_language_is_valid);
  g_test_add_func ("/application/config/follows-settings", test_config_follows_settings);
  g_test_add_func ("/application/config/override", test_config_override);
  g_test_add_func ("/application/starts", test_application_starts);
  g_test_add_func ("/application/actions", test_application_actions);
  g_test_add_func ("/application/cli-overrides", test_application_cli_overrides);
  g_test_add_func ("/application/production-portal", test_application_production_portal);
  g_test_add_func ("/application/bad-options", test_application_bad_options);
  g_test_add_func ("/application/owns-session", test_application_owns_session);
  g_test_add_func ("/application/portal-unusable", test_application_portal_unusable);
  g_test_add_func ("/application/finalizes", test_application_finalizes);

  return g_test_run ();
}
