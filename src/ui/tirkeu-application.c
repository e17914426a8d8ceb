/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tirkeu-application.h"
#include "tirkeu-preferences-window.h"
#include "tirkeu-tracking.h"
#include "tirkeu-window.h"

/**
 * TirkeuApplication:
 *
 * The GNOME application: its actions, the command-line options, and the #TirkeuConfig that
 * every window and later layer reads.
 */
struct _TirkeuApplication
{
  AdwApplication  parent_instance;

  /* owned references: the services that live as long as the application, whatever window
   * shows them */
  GSettings      *settings;
  TirkeuConfig   *config;
  TirkeuSession  *session;        /* with its outbox, once the journal is open */
  TirkeuTracking *tracking;       /* the requests list and the sync, once the journal is open */
  GError         *portal_error;   /* why there is no session: an unusable portal address */
  GError         *journal_error;  /* why the journal could not be opened */
  GCancellable   *cancellable;
  char           *key_file;       /* --key-file: an NCA key file instead of tokens, this run */

  guint           services_started : 1;
  guint           restart_requested : 1;
};

G_DEFINE_FINAL_TYPE (TirkeuApplication, tirkeu_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_CONFIG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  JOURNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const GOptionEntry option_entries[] = {
  { "portal-url", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Use this portal address for this run (not saved)"), N_("URL") },
  { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Trust only the certificate authorities in this PEM file for this run (not saved)"),
    N_("FILE") },
  { "pkcs11-module", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Use this PKCS#11 module for this run (not saved)"), N_("MODULE") },
  { "key-file", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    /* Translators: NCA: the national certification authority (НУЦ / ҰКО); its key files are
     * named GOST512_….p12 */
    N_("Sign in and sign with this NCA key file (.p12) instead of a token, for this run (not saved); its password is asked when needed"),
    N_("FILE") },
  /* Read by main() before gettext starts; listed here for --help and for checking. */
  { "language", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Interface language for this run: system, kk, ru or en (not saved)"), N_("LANGUAGE") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
  { NULL }
};

static gboolean
is_portal_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return uri != NULL
         && g_uri_get_host (uri) != NULL
         && *g_uri_get_host (uri) != '\0'
         && (g_str_equal (g_uri_get_scheme (uri), "https")
             || g_str_equal (g_uri_get_scheme (uri), "http"));
}

static int
tirkeu_application_handle_local_options (GApplication *application,
                                         GVariantDict *options)
{
  TirkeuApplication *self = TIRKEU_APPLICATION (application);
  const char *portal_url = NULL;
  const char *language = NULL;
  const char *ca_file = NULL;
  const char *pkcs11_module = NULL;
  const char *key_file = NULL;
  gboolean overridden = FALSE;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("tirkeu %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "language", "&s", &language))
    {
      if (!tirkeu_language_is_valid (language))
        {
          g_printerr (_("Unknown language “%s”: use system, kk, ru or en.\n"), language);
          return 1;
        }
      /* main() has already set gettext up with it; this records it for the run. */
      tirkeu_config_set_language (self->config, language);
      overridden = TRUE;
    }

  if (g_variant_dict_lookup (options, "portal-url", "&s", &portal_url))
    {
      if (!is_portal_url (portal_url))
        {
          g_printerr (_("“%s” is not an http or https address.\n"), portal_url);
          return 1;
        }
      tirkeu_config_override (self->config, "portal-url", portal_url);
      overridden = TRUE;
    }

  if (g_variant_dict_lookup (options, "ca-file", "^&ay", &ca_file))
    {
      g_autofree char *absolute = g_canonicalize_filename (ca_file, NULL);

      if (*ca_file != '\0' && !g_file_test (absolute, G_FILE_TEST_IS_REGULAR))
        {
          g_printerr (_("Certificate authority file “%s” does not exist.\n"), ca_file);
          return 1;
        }
      tirkeu_config_override (self->config, "ca-file", *ca_file != '\0' ? absolute : "");
      overridden = TRUE;
    }

  if (g_variant_dict_lookup (options, "pkcs11-module", "^&ay", &pkcs11_module))
    {
      /* A bare name stays bare: the dynamic loader looks it up on the library path. */
      g_autofree char *module = strchr (pkcs11_module, '/') != NULL
                                ? g_canonicalize_filename (pkcs11_module, NULL)
                                : g_strdup (pkcs11_module);

      tirkeu_config_override (self->config, "pkcs11-module", module);
      overridden = TRUE;
    }

  if (g_variant_dict_lookup (options, "key-file", "^&ay", &key_file))
    {
      g_autofree char *absolute = g_canonicalize_filename (key_file, NULL);

      if (!g_file_test (absolute, G_FILE_TEST_IS_REGULAR))
        {
          g_printerr (_("Key file “%s” does not exist.\n"), key_file);
          return 1;
        }
      g_free (self->key_file);
      self->key_file = g_steal_pointer (&absolute);
      overridden = TRUE;
    }

  /* An instance already running has its own configuration and language and would get
   * only an "activate" from us: a run with its own options is a process of its own. */
  if (overridden)
    g_application_set_flags (application,
                             g_application_get_flags (application) | G_APPLICATION_NON_UNIQUE);

  return G_APPLICATION_CLASS (tirkeu_application_parent_class)->handle_local_options (application,
                                                                                      options);
}

static void
tirkeu_application_activate (GApplication *application)
{
  TirkeuApplication *self = TIRKEU_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      window = GTK_WINDOW (tirkeu_window_new (self));
      g_object_bind_property (self->config, "training", window, "training",
                              G_BINDING_SYNC_CREATE);
    }

  gtk_window_present (window);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  TirkeuApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  TirkeuPreferencesWindow *preferences = tirkeu_preferences_window_new (self->config);

  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_set_application (GTK_WINDOW (preferences), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  TirkeuApplication *self = user_data;
  /* Translators: the authors, as the About window's credits list them */
  const char *developers[] = { _("The Tirkeu developers"), NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        /* Translators: the app's name, see the window title. */
                        "application-name", _("Tirkeu"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Tirkeu developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("The seller’s side of primary vehicle registration "
                                      "on the eGov portal, for car dealerships in Kazakhstan"),
                        "website", "https://github.com/tirkeu/tirkeu",
                        "issue-url", "https://github.com/tirkeu/tirkeu/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: keep the year; «әзірлеушілері», «разработчики» */
                        "copyright", _("© 2026 The Tirkeu developers"),
                        "developers", developers,
                        /* Translators: your names, one a line, e.g. "Name <email>". */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  TirkeuApplication *self = user_data;
  /* A copy: each closed window leaves the application's own list while we walk. */
  g_autolist(GtkWindow) windows = g_list_copy_deep (gtk_application_get_windows (GTK_APPLICATION (self)),
                                                    (GCopyFunc) g_object_ref, NULL);

  /* Close rather than quit outright, so that each window saves its size. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);

  g_application_quit (G_APPLICATION (self));
}

static void
restart_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  tirkeu_application_request_restart (TIRKEU_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "preferences", preferences_action },
  { "about", about_action },
  { "quit", quit_action },
  { "restart", restart_action },
};

static void
tirkeu_application_startup (GApplication *application)
{
  TirkeuApplication *self = TIRKEU_APPLICATION (application);
  static const struct {
    const char *action;
    const char *accels[2];
  } accels[] = {
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.quit", { "<Control>q", NULL } },
    { "window.close", { "<Control>w", NULL } },
  };

  G_APPLICATION_CLASS (tirkeu_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  /* app.refresh and app.show-request, before any journal opens */
  tirkeu_tracking_install_actions (GTK_APPLICATION (self));
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                           accels[i].action, accels[i].accels);
}

static void
tirkeu_application_dispose (GObject *object)
{
  TirkeuApplication *self = TIRKEU_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->tracking);
  g_clear_object (&self->session);
  g_clear_object (&self->config);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (tirkeu_application_parent_class)->dispose (object);
}

static void
tirkeu_application_finalize (GObject *object)
{
  TirkeuApplication *self = TIRKEU_APPLICATION (object);

  g_clear_error (&self->portal_error);
  g_clear_error (&self->journal_error);
  g_free (self->key_file);

  G_OBJECT_CLASS (tirkeu_application_parent_class)->finalize (object);
}

static void
tirkeu_application_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TirkeuApplication *self = TIRKEU_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_application_class_init (TirkeuApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = tirkeu_application_dispose;
  object_class->finalize = tirkeu_application_finalize;
  object_class->get_property = tirkeu_application_get_property;

  application_class->handle_local_options = tirkeu_application_handle_local_options;
  application_class->startup = tirkeu_application_startup;
  application_class->activate = tirkeu_application_activate;

  /**
   * TirkeuApplication:config:
   *
   * The effective configuration of this run.
   */
  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL, TIRKEU_TYPE_CONFIG,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TirkeuApplication::journal-failed:
   *
   * The local journal could not be opened (tirkeu_application_get_journal_error() says why):
   * every window says so, since nothing can be kept or listed without it.
   */
  signals[JOURNAL_FAILED] =
    g_signal_new ("journal-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tirkeu_application_init (TirkeuApplication *self)
{
  self->settings = g_settings_new (APP_ID);
  self->config = tirkeu_config_new (self->settings);
  self->cancellable = g_cancellable_new ();

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

/**
 * tirkeu_application_new:
 * @application_id: the application id, normally `APP_ID`
 * @flags: #GApplicationFlags; tests pass %G_APPLICATION_NON_UNIQUE
 *
 * Returns: (transfer full): a new #TirkeuApplication
 */
TirkeuApplication *
tirkeu_application_new (const char        *application_id,
                        GApplicationFlags  flags)
{
  g_return_val_if_fail (application_id != NULL, NULL);

  return g_object_new (TIRKEU_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags,
                       "resource-base-path", "/io/github/tirkeu/Tirkeu",
                       NULL);
}

/**
 * tirkeu_application_get_config:
 *
 * Returns: (transfer none): the effective configuration of this run
 */
TirkeuConfig *
tirkeu_application_get_config (TirkeuApplication *self)
{
  g_return_val_if_fail (TIRKEU_IS_APPLICATION (self), NULL);

  return self->config;
}

/* ------------------------------------------------------------------------------------------ */
/* The services: the portal session (token, client, outbox) and the tracking (list, sync)      */

/* The answer itself is not needed: the client notes from it (as from every answer) whether
 * the portal is a sandbox. A portal that cannot be reached yet is said so by sign-in and
 * sync, where the person is waiting for it. */
static void
about_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TirkeuPortalAbout) about = NULL;
  g_autoptr(GError) error = NULL;

  about = tirkeu_portal_client_get_about_finish (TIRKEU_PORTAL_CLIENT (object), result, &error);
  if (about == NULL)
    g_debug ("The portal did not say what it is: %s", error->message);
}

/* The sync follows the session: it runs while signed in, with the session's client, and
 * stops when the seller signs out, the token is pulled out or the portal session ends. */
static void
session_state_cb (TirkeuApplication *self)
{
  gboolean signed_in;

  if (self->tracking == NULL)
    return;
  signed_in = tirkeu_session_get_state (self->session) == TIRKEU_SESSION_STATE_SIGNED_IN;
  tirkeu_tracking_set_client (self->tracking,
                              signed_in ? tirkeu_session_get_client (self->session) : NULL);
}

static gboolean
seconds_to_ms (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  g_value_set_uint (to, MAX (g_value_get_uint (from), 1) * 1000);
  return TRUE;
}

static void
journal_open_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TirkeuApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuJournal) journal = tirkeu_journal_new_finish (result, &error);

  if (journal == NULL)
    {
      g_message ("The local journal could not be opened: %s", error->message);
      g_clear_error (&self->journal_error);
      self->journal_error = g_steal_pointer (&error);
      g_signal_emit (self, signals[JOURNAL_FAILED], 0);
      return;
    }
  if (self->session == NULL)
    return;

  /* The tracking first: windows that hear of the journal attach their pages to it. */
  self->tracking = tirkeu_tracking_new (GTK_APPLICATION (self), journal);
  /* The refresh-interval setting is in seconds, the sync's interval in milliseconds. */
  g_object_bind_property_full (self->config, "refresh-interval",
                               tirkeu_tracking_get_sync (self->tracking), "interval",
                               G_BINDING_SYNC_CREATE, seconds_to_ms, NULL, NULL, NULL);
  g_signal_connect_object (self->session, "notify::state", G_CALLBACK (session_state_cb), self,
                           G_CONNECT_SWAPPED);
  tirkeu_session_set_journal (self->session, journal);
  /* A request sent joins the list at once, not at the next sync. */
  if (tirkeu_session_get_outbox (self->session) != NULL)
    tirkeu_tracking_follow_outbox (self->tracking, tirkeu_session_get_outbox (self->session));
  session_state_cb (self);
}

static void
start_services (TirkeuApplication *self)
{
  const char *ca_file;
  g_autoptr(TirkeuPortalClient) client = NULL;
  g_autoptr(TirkeuTokenManager) tokens = NULL;
  g_autofree char *journal_path = NULL;

  if (self->services_started)
    return;
  self->services_started = TRUE;

  ca_file = tirkeu_config_get_ca_file (self->config);
  client = tirkeu_portal_client_new (tirkeu_config_get_portal_url (self->config),
                                     ca_file != NULL && *ca_file != '\0' ? ca_file : NULL,
                                     &self->portal_error);
  if (client == NULL)
    {
      g_message ("No portal client: %s", self->portal_error->message);
      return;
    }

  /* The portal's own word that it is a sandbox turns the "Training portal" marker on, whatever
   * its address; ask it at once, so that practice is marked before anyone signs in. */
  g_object_bind_property (client, "is-sandbox", self->config, "portal-reports-sandbox",
                          G_BINDING_SYNC_CREATE);
  tirkeu_portal_client_get_about_async (client, self->cancellable, about_cb, NULL);
  if (self->key_file != NULL)
    {
      g_autoptr(GFile) key_file = g_file_new_for_path (self->key_file);

      /* A manager of that key file alone: no token is ever taken for it. The sign-in page
       * asks the file's password to list its certificate. */
      tokens = tirkeu_token_manager_new_for_key_files ();
      self->session = tirkeu_session_new (tokens, client);
      tirkeu_session_set_key_file (self->session, key_file);
    }
  else
    {
      tokens = tirkeu_token_manager_new (tirkeu_config_get_pkcs11_module (self->config));
      self->session = tirkeu_session_new (tokens, client);
    }
  tirkeu_session_start (self->session);

  journal_path = tirkeu_journal_get_default_path ();
  tirkeu_journal_new_async (journal_path, self->cancellable, journal_open_cb,
                            g_object_ref (self));
}

/**
 * tirkeu_application_get_session:
 *
 * The desk's session (token, portal client, seller, journal and outbox), started with the
 * first window and kept until the application ends: closing a window signs nobody out.
 *
 * Returns: (transfer none) (nullable): the session, %NULL if the portal address is unusable
 *   (see tirkeu_application_get_portal_error())
 */
TirkeuSession *
tirkeu_application_get_session (TirkeuApplication *self)
{
  g_return_val_if_fail (TIRKEU_IS_APPLICATION (self), NULL);

  start_services (self);
  return self->session;
}

/**
 * tirkeu_application_get_journal_error:
 *
 * Returns: (nullable): why the local journal could not be opened; the
 *   #TirkeuApplication::journal-failed signal says when this is set
 */
const GError *
tirkeu_application_get_journal_error (TirkeuApplication *self)
{
  g_return_val_if_fail (TIRKEU_IS_APPLICATION (self), NULL);

  return self->journal_error;
}

/**
 * tirkeu_application_get_portal_error:
 *
 * Returns: (nullable): why the portal address or CA file cannot be used, %NULL if they can
 */
const GError *
tirkeu_application_get_portal_error (TirkeuApplication *self)
{
  g_return_val_if_fail (TIRKEU_IS_APPLICATION (self), NULL);

  start_services (self);
  return self->portal_error;
}

/**
 * tirkeu_application_get_tracking:
 *
 * Returns: (transfer none) (nullable): the requests list and the sync, %NULL until the
 *   journal is open (the session's #TirkeuSession:journal says when)
 */
TirkeuTracking *
tirkeu_application_get_tracking (TirkeuApplication *self)
{
  g_return_val_if_fail (TIRKEU_IS_APPLICATION (self), NULL);

  return self->tracking;
}

/**
 * tirkeu_application_request_restart:
 *
 * Closes the windows and quits; main() then starts Tirkeu again, so that a new interface
 * language takes effect (gettext is set up once, at start).
 */
void
tirkeu_application_request_restart (TirkeuApplication *self)
{
  g_return_if_fail (TIRKEU_IS_APPLICATION (self));

  self->restart_requested = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (self), "quit", NULL);
}

gboolean
tirkeu_application_get_restart_requested (TirkeuApplication *self)
{
  g_return_val_if_fail (TIRKEU_IS_APPLICATION (self), FALSE);

  return self->restart_requested;
}
