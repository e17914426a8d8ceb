/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-window.h"
#include "tirkeu-a11y.h"
#include "tirkeu-catalogue.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-journal.h"
#include "tirkeu-new-request-flow.h"
#include "tirkeu-sign-in-page.h"
#include "tirkeu-tracking.h"

/**
 * TirkeuWindow:
 *
 * The main window. Until the request pages exist, its content is a status page that says
 * what Tirkeu does and what it needs. It remembers its size in GSettings, and shows the
 * "Training portal" marker while #TirkeuWindow:training is set.
 */
struct _TirkeuWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwWindowTitle       *window_title;
  GtkMenuButton        *primary_menu_button;
  GtkWidget            *training_bar;
  AdwStatusPage        *status_page;
  GtkWidget            *sync_error_bar;
  GtkLabel             *sync_error_label;
  /* the desk */
  GtkStack             *main_stack;
  TirkeuSignInPage     *desk_page;
  TirkeuNewRequestFlow *new_request_flow;
  TirkeuSession        *session;
  GtkWidget            *desk_button;
  /* the requests list */
  TirkeuRequestsPage   *requests_page;
  TirkeuTracking       *tracking;

  /* owned references */
  GSettings            *settings;

  /* state */
  char                 *sync_error;

  guint                 training : 1;
};

G_DEFINE_FINAL_TYPE (TirkeuWindow, tirkeu_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_TRAINING,
  PROP_SYNC_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
save_window_state (TirkeuWindow *self)
{
  int width;
  int height;

  /* While maximized, the default size still holds the unmaximized one: keep that. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
tirkeu_window_close_request (GtkWindow *window)
{
  save_window_state (TIRKEU_WINDOW (window));

  return GTK_WINDOW_CLASS (tirkeu_window_parent_class)->close_request (window);
}

static void
tirkeu_window_dispose (GObject *object)
{
  TirkeuWindow *self = TIRKEU_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TIRKEU_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->session);
  g_clear_object (&self->tracking);

  G_OBJECT_CLASS (tirkeu_window_parent_class)->dispose (object);
}

static void
tirkeu_window_finalize (GObject *object)
{
  TirkeuWindow *self = TIRKEU_WINDOW (object);

  g_free (self->sync_error);

  G_OBJECT_CLASS (tirkeu_window_parent_class)->finalize (object);
}

static void
tirkeu_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TirkeuWindow *self = TIRKEU_WINDOW (object);

  switch (prop_id)
    {
    case PROP_TRAINING:
      g_value_set_boolean (value, self->training);
      break;
    case PROP_SYNC_ERROR:
      g_value_set_string (value, self->sync_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TirkeuWindow *self = TIRKEU_WINDOW (object);

  switch (prop_id)
    {
    case PROP_TRAINING:
      tirkeu_window_set_training (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* desk (issue 6) */

static void
new_request_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TirkeuWindow *self = TIRKEU_WINDOW (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "desk") == 0
      || g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "requests") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self->desk_page), "desk.new-request", NULL);
}

static void
desk_new_request_cb (TirkeuWindow *self,
                     const char   *draft_id)
{
  tirkeu_new_request_flow_start (self->new_request_flow, self->session, draft_id);
  gtk_stack_set_visible_child_name (self->main_stack, "new-request");
}

static void
flow_closed_cb (TirkeuWindow *self)
{
  gtk_stack_set_visible_child_name (self->main_stack, "desk");
  tirkeu_sign_in_page_reload_drafts (self->desk_page);
}

static void
show_desk_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TirkeuWindow *self = TIRKEU_WINDOW (widget);

  /* Not in the middle of a request: Escape leaves the flow, and its draft stays. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "new-request") == 0)
    return;
  gtk_stack_set_visible_child_name (self->main_stack, "desk");
  tirkeu_sign_in_page_reload_drafts (self->desk_page);
}

/* The way back to the desk shows where the desk is not. */
static void
main_stack_changed_cb (TirkeuWindow *self)
{
  gtk_widget_set_visible (self->desk_button,
                          g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack),
                                     "requests") == 0);
}

static void
session_signed_out_cb (TirkeuWindow *self)
{
  /* The token was pulled out or the seller signed out: nothing more may be signed. The draft
   * stays in the journal. */
  gtk_stack_set_visible_child_name (self->main_stack, "desk");
}

/* tracking (issue 7): the requests list is the home once signed in; the sync follows the
 * session's portal client. */
static void
tracking_session_state_cb (TirkeuWindow *self)
{
  gboolean signed_in = tirkeu_session_get_state (self->session) == TIRKEU_SESSION_STATE_SIGNED_IN;

  if (self->tracking != NULL)
    tirkeu_tracking_set_client (self->tracking,
                                signed_in ? tirkeu_session_get_client (self->session) : NULL);
  /* desk (issue 6): a seller whose OKED does not qualify stays on the desk, which says why;
   * so does one with unfinished drafts (typed before a crash or a closed window), which the
   * desk offers to resume: nothing typed may go unnoticed behind the requests list. */
  if (signed_in && g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "desk") == 0
      && tirkeu_session_get_oked_qualifies (self->session)
      && tirkeu_sign_in_page_get_n_drafts (self->desk_page) == 0)
    gtk_stack_set_visible_child_name (self->main_stack, "requests");
}

static void
tracking_show_requests_cb (TirkeuWindow *self)
{
  gtk_stack_set_visible_child_name (self->main_stack, "requests");
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

/* The sync's last error, worded for the clerk. An unreachable portal is the requests page's
 * "Offline" bar; anything else (the portal refused, a broken answer, a journal that cannot be
 * written, a session that ended) is said here, on every page, until a round goes through. */
static void
sync_error_cb (TirkeuWindow *self,
               GParamSpec   *pspec,
               TirkeuSync   *sync)
{
  const GError *error = tirkeu_sync_get_last_error (sync);
  g_autofree char *text = NULL;

  if (error != NULL && !tirkeu_sync_error_is_offline (error))
    {
      const char *reason = error->domain == TIRKEU_PORTAL_ERROR
                           ? tirkeu_catalogue_code_title ((TirkeuPortalCode) error->code)
                           : error->message;

      /* Translators: a bar over the window when the requests cannot be brought up to date
       * from the portal; %s is the reason, already translated (e.g. "Session ended"). */
      text = g_strdup_printf (_("The requests are not up to date: %s"), reason);
    }

  /* g_set_str() is GLib 2.76; we pin 2.74. */
  if (g_strcmp0 (self->sync_error, text) == 0)
    return;
  g_free (self->sync_error);
  self->sync_error = g_steal_pointer (&text);
  text = g_strdup (self->sync_error);
  gtk_label_set_text (self->sync_error_label, text != NULL ? text : "");
  gtk_widget_set_visible (self->sync_error_bar, text != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_ERROR]);
}

static void
tracking_start (TirkeuWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  TirkeuJournal *journal = tirkeu_session_get_journal (self->session);
  TirkeuConfig *config;

  if (journal == NULL || self->tracking != NULL || application == NULL)
    return;

  config = tirkeu_application_get_config (TIRKEU_APPLICATION (application));
  self->tracking = tirkeu_tracking_new (application, journal);
  /* The refresh-interval setting is in seconds, the sync's interval in milliseconds. */
  g_object_bind_property_full (config, "refresh-interval",
                               tirkeu_tracking_get_sync (self->tracking), "interval",
                               G_BINDING_SYNC_CREATE, seconds_to_ms, NULL, NULL, NULL);
  tirkeu_tracking_attach_page (self->tracking, self->requests_page);
  g_signal_connect_object (tirkeu_tracking_get_sync (self->tracking), "notify::last-error",
                           G_CALLBACK (sync_error_cb), self, G_CONNECT_SWAPPED);
  g_object_set_data (G_OBJECT (self), "tirkeu-tracking", self->tracking);
  g_signal_connect_object (self->session, "notify::state",
                           G_CALLBACK (tracking_session_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->new_request_flow, "track",
                           G_CALLBACK (tracking_show_requests_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  tracking_session_state_cb (self);
}

/**
 * tirkeu_window_get_tracking:
 *
 * Returns: (transfer none) (nullable): the requests list and sync, once the journal is open
 */
TirkeuTracking *
tirkeu_window_get_tracking (TirkeuWindow *self)
{
  g_return_val_if_fail (TIRKEU_IS_WINDOW (self), NULL);

  return self->tracking;
}

TirkeuRequestsPage *
tirkeu_window_get_requests_page (TirkeuWindow *self)
{
  g_return_val_if_fail (TIRKEU_IS_WINDOW (self), NULL);

  return self->requests_page;
}

static void
journal_open_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TirkeuSession) session = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuJournal) journal = tirkeu_journal_new_finish (result, &error);

  if (journal == NULL)
    g_message ("The local journal could not be opened: %s", error->message);
  else
    tirkeu_session_set_journal (session, journal);
}

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

/* A portal address or CA file the client cannot use leaves the desk without a portal: say so
 * on the home page, with what to do, rather than only in a log. */
static void
show_portal_unusable (TirkeuWindow *self,
                      const GError *error)
{
  g_autofree char *description = NULL;

  g_message ("No portal client: %s", error->message);

  /* Translators: the home page when the portal address or CA file in the preferences cannot
   * be used. %s is the reason, already translated (e.g. "The portal URL … must start with
   * https://"). */
  description = g_strdup_printf (_("%s\n\nCorrect the portal address or the CA file in "
                                   "Preferences, then restart Tirkeu."),
                                 error->message);
  adw_status_page_set_title (self->status_page, _("The Portal Address Cannot Be Used"));
  adw_status_page_set_description (self->status_page, description);
  gtk_stack_set_visible_child_name (self->main_stack, "home");
}

static void
setup_desk (TirkeuWindow      *self,
            TirkeuApplication *application)
{
  TirkeuConfig *config = tirkeu_application_get_config (application);
  const char *ca_file = tirkeu_config_get_ca_file (config);
  g_autoptr(TirkeuPortalClient) client = NULL;
  g_autoptr(TirkeuTokenManager) tokens = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *journal_path = tirkeu_journal_get_default_path ();

  client = tirkeu_portal_client_new (tirkeu_config_get_portal_url (config),
                                     ca_file != NULL && *ca_file != '\0' ? ca_file : NULL, &error);
  if (client == NULL)
    {
      show_portal_unusable (self, error);
      return;
    }

  /* The portal's own word that it is a sandbox turns the "Training portal" marker on, whatever
   * its address; ask it at once, so that practice is marked before anyone signs in. */
  g_object_bind_property (client, "is-sandbox", config, "portal-reports-sandbox",
                          G_BINDING_SYNC_CREATE);
  tirkeu_portal_client_get_about_async (client, NULL, about_cb, NULL);
  tokens = tirkeu_token_manager_new (tirkeu_config_get_pkcs11_module (config));
  self->session = tirkeu_session_new (tokens, client);
  tirkeu_sign_in_page_set_session (self->desk_page, self->session);
  g_signal_connect_object (self->desk_page, "new-request", G_CALLBACK (desk_new_request_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->new_request_flow, "closed", G_CALLBACK (flow_closed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->new_request_flow, "track", G_CALLBACK (flow_closed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "signed-out", G_CALLBACK (session_signed_out_cb), self,
                           G_CONNECT_SWAPPED);
  tirkeu_session_start (self->session);
  /* tracking (issue 7): starts once the session has the journal */
  g_signal_connect_object (self->session, "notify::journal", G_CALLBACK (tracking_start), self,
                           G_CONNECT_SWAPPED);
  tirkeu_journal_new_async (journal_path, NULL, journal_open_cb, g_object_ref (self->session));
}

/**
 * tirkeu_window_get_session:
 *
 * Returns: (transfer none) (nullable): the desk's session (token, portal client, seller,
 *   journal), %NULL if the portal address is unusable
 */
TirkeuSession *
tirkeu_window_get_session (TirkeuWindow *self)
{
  g_return_val_if_fail (TIRKEU_IS_WINDOW (self), NULL);

  return self->session;
}

static void
tirkeu_window_class_init (TirkeuWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = tirkeu_window_dispose;
  object_class->finalize = tirkeu_window_finalize;
  object_class->get_property = tirkeu_window_get_property;
  object_class->set_property = tirkeu_window_set_property;

  window_class->close_request = tirkeu_window_close_request;

  /**
   * TirkeuWindow:training:
   *
   * Whether the portal is a training sandbox. The application binds it to
   * #TirkeuConfig:training; while set, a warning bar under the header bar and the header's
   * subtitle say so.
   */
  properties[PROP_TRAINING] =
    g_param_spec_boolean ("training", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuWindow:sync-error:
   *
   * Why the requests could not be brought up to date from the portal, as the bar over the
   * window says it; %NULL while the sync works or the portal is only unreachable (the
   * requests page says "Offline").
   */
  properties[PROP_SYNC_ERROR] =
    g_param_spec_string ("sync-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, training_bar);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, sync_error_bar);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, sync_error_label);

  /* desk (issue 6): Ctrl+N anywhere in the window starts a request once signed in. */
  g_type_ensure (TIRKEU_TYPE_SIGN_IN_PAGE);
  g_type_ensure (TIRKEU_TYPE_NEW_REQUEST_FLOW);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, desk_page);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, new_request_flow);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, desk_button);
  gtk_widget_class_install_action (widget_class, "win.show-desk", NULL, show_desk_action);
  /* tracking (issue 7) */
  g_type_ensure (TIRKEU_TYPE_REQUESTS_PAGE);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, requests_page);
  gtk_widget_class_install_action (widget_class, "win.new-request", NULL, new_request_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-request", NULL);
}

static void
tirkeu_window_init (TirkeuWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* desk (issue 6); the names of all the window's mnemonic buttons, see tirkeu-a11y.c */
  tirkeu_a11y_fix_button_names (GTK_WIDGET (self));
  g_signal_connect_object (self->main_stack, "notify::visible-child-name",
                           G_CALLBACK (main_stack_changed_cb), self, G_CONNECT_SWAPPED);
  main_stack_changed_cb (self);

  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

/**
 * tirkeu_window_new:
 * @application: the application
 *
 * Returns: (transfer full): a new main window
 */
TirkeuWindow *
tirkeu_window_new (TirkeuApplication *application)
{
  g_return_val_if_fail (TIRKEU_IS_APPLICATION (application), NULL);

  {
    TirkeuWindow *self = g_object_new (TIRKEU_TYPE_WINDOW, "application", application, NULL);

    setup_desk (self, application); /* desk (issue 6) */
    return self;
  }
}

gboolean
tirkeu_window_get_training (TirkeuWindow *self)
{
  g_return_val_if_fail (TIRKEU_IS_WINDOW (self), FALSE);

  return self->training;
}

/**
 * tirkeu_window_set_training:
 * @training: whether the portal is a training sandbox
 *
 * Shows or hides the "Training portal" marker.
 */
void
tirkeu_window_set_training (TirkeuWindow *self,
                            gboolean      training)
{
  g_return_if_fail (TIRKEU_IS_WINDOW (self));

  training = !!training;
  if (self->training == (guint) training)
    return;

  self->training = training;
  gtk_widget_set_visible (self->training_bar, training);
  /* Translators: the header bar's subtitle while the app talks to the practice sandbox. */
  adw_window_title_set_subtitle (self->window_title, training ? _("Training portal") : NULL);
  if (training)
    gtk_widget_add_css_class (GTK_WIDGET (self), "training");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "training");

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAINING]);
}

/**
 * tirkeu_window_get_primary_menu:
 *
 * The model of the header bar's primary menu, for tests and for pages that add to it.
 *
 * Returns: (transfer none): the primary menu
 */
GMenuModel *
tirkeu_window_get_primary_menu (TirkeuWindow *self)
{
  g_return_val_if_fail (TIRKEU_IS_WINDOW (self), NULL);

  return gtk_menu_button_get_menu_model (self->primary_menu_button);
}
