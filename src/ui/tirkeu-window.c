/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-window.h"
#include "tirkeu-a11y.h"
#include "tirkeu-catalogue.h"
#include "tirkeu-error-view.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-journal.h"
#include "tirkeu-store-error.h"
#include "tirkeu-new-request-flow.h"
#include "tirkeu-outbox-banner.h"
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
  TirkeuOutboxBanner   *outbox_banner;
  GtkWidget            *sync_error_details_button;
  GtkLabel             *sync_error_details_label;
  /* the desk */
  GtkStack             *main_stack;
  TirkeuSignInPage     *desk_page;
  TirkeuNewRequestFlow *new_request_flow;
  TirkeuSession        *session;
  GtkWidget            *desk_button;
  GtkWidget            *home_button;
  /* the requests list */
  TirkeuRequestsPage   *requests_page;
  TirkeuTracking       *tracking;
  AdwToastOverlay      *toast_overlay;
  AdwToast             *change_toast;     /* weak: the toast of the last sync changes */
  guint                 n_changes;        /* how many that toast counts */

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

  g_clear_weak_pointer (&self->change_toast);
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

/* The desk */

static void
new_request_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TirkeuWindow *self = TIRKEU_WINDOW (widget);
  const char *visible = gtk_stack_get_visible_child_name (self->main_stack);

  /* Not over a request being typed; the Sent page has nothing under way, and the clerk goes
   * on to the next sale from there. */
  if (g_strcmp0 (visible, "desk") == 0 || g_strcmp0 (visible, "requests") == 0
      || (g_strcmp0 (visible, "new-request") == 0
          && tirkeu_new_request_flow_get_page (self->new_request_flow)
             == TIRKEU_NEW_REQUEST_PAGE_SENT))
    gtk_widget_activate_action (GTK_WIDGET (self->desk_page), "desk.new-request", NULL);
}

static void
desk_new_request_cb (TirkeuWindow *self,
                     const char   *draft_id)
{
  tirkeu_new_request_flow_start (self->new_request_flow, self->session, draft_id);
  gtk_stack_set_visible_child_name (self->main_stack, "new-request");
}

/* The requests list can be shown: signed in, with the journal open and a seller whose OKED
 * qualifies (else the desk says why nothing can be registered). */
static gboolean
can_show_requests (TirkeuWindow *self)
{
  return self->session != NULL && self->tracking != NULL
         && tirkeu_session_get_state (self->session) == TIRKEU_SESSION_STATE_SIGNED_IN
         && tirkeu_session_get_oked_qualifies (self->session);
}

/* The requests list is the home once signed in; before that, the desk. */
static void
show_home (TirkeuWindow *self)
{
  tirkeu_sign_in_page_reload_drafts (self->desk_page);
  tirkeu_requests_page_reload_drafts (self->requests_page);
  gtk_stack_set_visible_child_name (self->main_stack,
                                    can_show_requests (self) ? "requests" : "desk");
}

static void
flow_closed_cb (TirkeuWindow *self)
{
  TirkeuRequest *sent = NULL;

  if (tirkeu_new_request_flow_get_page (self->new_request_flow) == TIRKEU_NEW_REQUEST_PAGE_SENT)
    sent = tirkeu_new_request_flow_get_request (self->new_request_flow);

  /* The draft stays in the journal; the desk (one click from the list) offers to resume it. */
  show_home (self);
  /* Done after sending: back on the list, the request just sent in view and highlighted, as
   * "Track the Request" has it behind its page. */
  if (sent != NULL && tirkeu_request_get_portal_id (sent) != NULL
      && g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "requests") == 0)
    tirkeu_requests_page_reveal_request (self->requests_page, tirkeu_request_get_portal_id (sent));
}

/* Escape or the back button on the desk or in the flow: back to the requests list. In the
 * flow it closes the flow as its own Close does, keeping the draft. */
static void
show_requests_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TirkeuWindow *self = TIRKEU_WINDOW (widget);
  const char *visible = gtk_stack_get_visible_child_name (self->main_stack);

  if (!can_show_requests (self))
    return;
  if (g_strcmp0 (visible, "new-request") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self->new_request_flow), "flow.close", NULL);
  else if (g_strcmp0 (visible, "requests") != 0)
    show_home (self);
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

/* The way back to the list shows on the desk and in the flow, once the list can be shown. */
static void
update_home_button (TirkeuWindow *self)
{
  const char *visible = gtk_stack_get_visible_child_name (self->main_stack);

  gtk_widget_set_visible (self->home_button,
                          can_show_requests (self)
                          && (g_strcmp0 (visible, "desk") == 0
                              || g_strcmp0 (visible, "new-request") == 0));
}

/* The way back to the desk shows where the desk is not. */
static void
main_stack_changed_cb (TirkeuWindow *self)
{
  gtk_widget_set_visible (self->desk_button,
                          g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack),
                                     "requests") == 0);
  update_home_button (self);
}

static void
session_signed_out_cb (TirkeuWindow *self)
{
  /* The token was pulled out, the seller signed out or the portal ended the session: nothing
   * more may be signed. The draft stays in the journal, and the desk counts it again, so that
   * the next sign-in opens the list on it (a request typed when the session ended was
   * otherwise behind "No requests yet"). */
  gtk_stack_set_visible_child_name (self->main_stack, "desk");
  tirkeu_sign_in_page_reload_drafts (self->desk_page);
}

/* The requests list is the home once signed in. */
static void
session_state_cb (TirkeuWindow *self)
{
  gboolean signed_in = tirkeu_session_get_state (self->session) == TIRKEU_SESSION_STATE_SIGNED_IN;

  update_home_button (self);

  /* A seller whose OKED does not qualify stays on the desk, which says why. Unfinished drafts
   * (typed before a crash or a closed window) open the list on its Drafts filter, so that
   * nothing typed goes unnoticed and the list stays the home. */
  if (signed_in && self->tracking != NULL
      && g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "desk") == 0
      && tirkeu_session_get_oked_qualifies (self->session))
    {
      if (tirkeu_sign_in_page_get_n_drafts (self->desk_page) > 0)
        g_object_set (self->requests_page, "filter", "drafts", NULL);
      gtk_stack_set_visible_child_name (self->main_stack, "requests");
    }
}

/* "Track the Request" on the Sent page: that request's page, its row in view behind it. */
static void
tracking_show_requests_cb (TirkeuWindow *self,
                           const char   *portal_id)
{
  gtk_stack_set_visible_child_name (self->main_stack, "requests");
  if (portal_id != NULL)
    tirkeu_tracking_show_request (self->tracking, portal_id);
}

/* A draft chosen on the list's Drafts filter: on in the new-request flow. */
static void
requests_resume_draft_cb (TirkeuWindow *self,
                          const char   *draft_id)
{
  if (can_show_requests (self))
    desk_new_request_cb (self, draft_id);
}

static void
change_toast_dismissed_cb (TirkeuWindow *self)
{
  g_clear_weak_pointer (&self->change_toast);
  self->n_changes = 0;
}

/* What the notifications tell the desktop, the window says in a toast on whatever page it
 * shows; several changes in a row make one toast that counts them. */
static void
notable_change_cb (TirkeuWindow  *self,
                   TirkeuRequest *request)
{
  g_autofree char *summary = tirkeu_tracking_dup_change_summary (request);

  if (summary == NULL)
    return;
  self->n_changes++;
  if (self->change_toast != NULL)
    {
      g_autofree char *title = NULL;

      /* Translators: a toast when several requests changed in one sync */
      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u request changed",
                                            "%u requests changed", self->n_changes),
                               self->n_changes);
      adw_toast_set_title (self->change_toast, title);
      adw_toast_set_button_label (self->change_toast, NULL);
      return;
    }

  self->change_toast = adw_toast_new (summary);
  g_object_add_weak_pointer (G_OBJECT (self->change_toast), (gpointer *) &self->change_toast);
  adw_toast_set_button_label (self->change_toast, _("_Open"));
  adw_toast_set_action_name (self->change_toast, "app.show-request");
  adw_toast_set_action_target_value (self->change_toast,
                                     g_variant_new_string (tirkeu_request_get_portal_id (request)));
  g_signal_connect_object (self->change_toast, "dismissed",
                           G_CALLBACK (change_toast_dismissed_cb), self, G_CONNECT_SWAPPED);
  adw_toast_overlay_add_toast (self->toast_overlay, self->change_toast);
}

/**
 * tirkeu_window_get_change_toast:
 *
 * Returns: (transfer none) (nullable): the toast that says what the last sync changed, while
 *   it is shown
 */
AdwToast *
tirkeu_window_get_change_toast (TirkeuWindow *self)
{
  g_return_val_if_fail (TIRKEU_IS_WINDOW (self), NULL);

  return self->change_toast;
}

/* The bar over the window that says what keeps the requests from being up to date. */
static void
set_error_bar (TirkeuWindow *self,
               const char   *text,
               const char   *details)
{
  gtk_label_set_text (self->sync_error_details_label, details != NULL ? details : "");
  gtk_widget_set_visible (self->sync_error_details_button,
                          text != NULL && details != NULL && *details != '\0');
  /* g_set_str() is GLib 2.76; we pin 2.74. */
  if (g_strcmp0 (self->sync_error, text) == 0)
    return;
  g_free (self->sync_error);
  self->sync_error = g_strdup (text);
  gtk_label_set_text (self->sync_error_label, text != NULL ? text : "");
  gtk_widget_set_visible (self->sync_error_bar, text != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_ERROR]);
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
  g_autofree char *title = NULL;
  g_autofree char *action = NULL;
  g_autofree char *details = NULL;

  if (error != NULL && !tirkeu_sync_error_is_offline (error))
    {
      /* The app's own title for the error, the raw text under Details. */
      tirkeu_error_view_describe (error, &title, &action, &details);
      /* Translators: a bar over the window when the requests cannot be brought up to date
       * from the portal; %s is the reason, already translated (e.g. "Session ended"). */
      text = g_strdup_printf (_("The requests are not up to date: %s"), title);
    }

  set_error_bar (self, text, details);
}

/* The application's tracking exists once the journal is open: this window shows its list. */
static void
tracking_start (TirkeuWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  TirkeuTracking *tracking;

  if (self->tracking != NULL || application == NULL)
    return;
  tracking = tirkeu_application_get_tracking (TIRKEU_APPLICATION (application));
  if (tracking == NULL)
    return;

  self->tracking = g_object_ref (tracking);
  tirkeu_tracking_attach_page (self->tracking, self->requests_page);
  g_signal_connect_object (tirkeu_tracking_get_sync (self->tracking), "notify::last-error",
                           G_CALLBACK (sync_error_cb), self, G_CONNECT_SWAPPED);
  tirkeu_outbox_banner_set_sync (self->outbox_banner, tirkeu_tracking_get_sync (self->tracking));
  g_object_set_data (G_OBJECT (self), "tirkeu-tracking", self->tracking);
  g_signal_connect_object (self->new_request_flow, "track",
                           G_CALLBACK (tracking_show_requests_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (self->requests_page, "resume-draft",
                           G_CALLBACK (requests_resume_draft_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tracking, "notable-change", G_CALLBACK (notable_change_cb), self,
                           G_CONNECT_SWAPPED);
  sync_error_cb (self, NULL, tirkeu_tracking_get_sync (self->tracking));
  session_state_cb (self);
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

/* The application could not open the journal: said at start, not an empty list, because the
 * file may hold unsent signed requests. */
static void
journal_failed_cb (TirkeuWindow *self)
{
  TirkeuApplication *application = TIRKEU_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  const GError *error = application != NULL ? tirkeu_application_get_journal_error (application)
                                            : NULL;
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;
  g_autofree char *action = NULL;
  g_autofree char *details = NULL;

  if (error == NULL)
    return;
  tirkeu_error_view_describe (error, &title, &action, &details);
  if (g_error_matches (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_CORRUPT))
    /* Translators: a bar over the window at start; the journal is the local file of drafts,
     * unsent signed requests and the requests list */
    text = g_strdup (_("The journal file is damaged: nothing can be signed or listed until it is "
                       "repaired. Keep a copy of it and ask for help."));
  else
    /* Translators: a bar over the window at start; %s is the app's own sentence on what it
     * means or what to do, already translated (e.g. "Update Tirkeu to open it."); the
     * library's text is under Details */
    text = g_strdup_printf (_("The journal cannot be opened: %s"), action != NULL ? action : title);
  set_error_bar (self, text, details);
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
  TirkeuSession *session = tirkeu_application_get_session (application);

  if (session == NULL)
    {
      show_portal_unusable (self, tirkeu_application_get_portal_error (application));
      return;
    }

  /* The session is the application's: this window shows it, and closing the window signs
   * nobody out. */
  self->session = g_object_ref (session);
  tirkeu_sign_in_page_set_session (self->desk_page, self->session);
  tirkeu_outbox_banner_set_session (self->outbox_banner, self->session);
  g_signal_connect_object (self->desk_page, "new-request", G_CALLBACK (desk_new_request_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->new_request_flow, "closed", G_CALLBACK (flow_closed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->new_request_flow, "track", G_CALLBACK (flow_closed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "signed-out", G_CALLBACK (session_signed_out_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::state", G_CALLBACK (session_state_cb), self,
                           G_CONNECT_SWAPPED);
  /* The requests list, once the application has the journal open. */
  g_signal_connect_object (self->session, "notify::journal", G_CALLBACK (tracking_start), self,
                           G_CONNECT_SWAPPED);
  tracking_start (self);
  g_signal_connect_object (application, "journal-failed", G_CALLBACK (journal_failed_cb), self,
                           G_CONNECT_SWAPPED);
  journal_failed_cb (self);
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
  g_type_ensure (TIRKEU_TYPE_OUTBOX_BANNER);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, outbox_banner);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, sync_error_details_button);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, sync_error_details_label);

  /* Ctrl+N anywhere in the window starts a request once signed in. */
  g_type_ensure (TIRKEU_TYPE_SIGN_IN_PAGE);
  g_type_ensure (TIRKEU_TYPE_NEW_REQUEST_FLOW);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, desk_page);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, new_request_flow);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, desk_button);
  gtk_widget_class_install_action (widget_class, "win.show-desk", NULL, show_desk_action);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, home_button);
  /* Escape from the desk (the flow's own Escape steps back, and closes it on its first page). */
  gtk_widget_class_install_action (widget_class, "win.show-requests", NULL, show_requests_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.show-requests", NULL);
  /* The requests list */
  g_type_ensure (TIRKEU_TYPE_REQUESTS_PAGE);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, requests_page);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, toast_overlay);
  gtk_widget_class_install_action (widget_class, "win.new-request", NULL, new_request_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-request", NULL);
}

static void
tirkeu_window_init (TirkeuWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The names of all the window's mnemonic buttons, see tirkeu-a11y.c */
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

    setup_desk (self, application);
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
