/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-outbox.h"
#include "tirkeu-outbox-banner.h"

/**
 * TirkeuOutboxBanner:
 *
 * The bar over every page (the sign-in excepted while nobody is signed in) that says what
 * keeps work from reaching the portal: that the portal cannot be reached, how many signed
 * requests wait in the outbox, and when the next try comes, counting down each second. Its
 * Retry tries at once, outside the back-off (tirkeu_outbox_retry_now(),
 * tirkeu_sync_retry_now()), so the wait it shows never grows because of it.
 *
 * It follows the session's outbox (a new one comes with each journal) and the sync's
 * #TirkeuSync:online; the one-second tick runs only while it is shown and counting.
 */
struct _TirkeuOutboxBanner
{
  GtkWidget      parent_instance;

  /* template widgets */
  GtkWidget     *bar;
  GtkLabel      *label;
  GtkWidget     *retry_button;

  /* owned references */
  TirkeuSession *session;
  TirkeuSync    *sync;
  TirkeuOutbox  *outbox;
  GSignalGroup  *session_signals;
  GSignalGroup  *sync_signals;
  GSignalGroup  *outbox_signals;

  /* state */
  guint          tick_id;
  guint          seconds;        /* the countdown as last shown, 0 when none */
};

G_DEFINE_FINAL_TYPE (TirkeuOutboxBanner, tirkeu_outbox_banner, GTK_TYPE_WIDGET)

/* When the next try of either comes, as real time (microseconds since the epoch); 0 for
 * none. */
static gint64
next_try_at (TirkeuOutboxBanner *self,
             guint               n_pending)
{
  gint64 next = 0;

  if (self->outbox != NULL && n_pending > 0)
    next = tirkeu_outbox_get_next_attempt_at (self->outbox);
  if (self->sync != NULL && !tirkeu_sync_get_online (self->sync)
      && tirkeu_sync_get_retry_at (self->sync) != 0)
    {
      gint64 sync_at = g_get_real_time ()
                       + (tirkeu_sync_get_retry_at (self->sync) - g_get_monotonic_time ());

      if (next == 0 || sync_at < next)
        next = sync_at;
    }
  return next;
}

static gboolean tick_cb (gpointer user_data);

static void
update (TirkeuOutboxBanner *self)
{
  gboolean signed_in = self->session != NULL
                       && tirkeu_session_get_state (self->session) == TIRKEU_SESSION_STATE_SIGNED_IN;
  guint n_pending = self->outbox != NULL ? tirkeu_outbox_get_n_pending (self->outbox) : 0;
  const GError *outbox_error = self->outbox != NULL ? tirkeu_outbox_get_last_error (self->outbox)
                                                    : NULL;
  gboolean retrying = self->outbox != NULL && tirkeu_outbox_get_retrying (self->outbox);
  gboolean offline = (self->sync != NULL && !tirkeu_sync_get_online (self->sync))
                     || (n_pending > 0 && outbox_error != NULL
                         && tirkeu_sync_error_is_offline (outbox_error));
  gboolean shown = signed_in && (offline || n_pending > 0);
  gboolean counting = FALSE;
  g_autoptr(GString) text = g_string_new (NULL);

  self->seconds = 0;

  gtk_widget_set_visible (GTK_WIDGET (self), shown);
  if (shown)
    {
      gint64 next = next_try_at (self, n_pending);

      if (offline)
        /* Translators: the bar over every page while the eGov portal cannot be reached */
        g_string_append (text, _("Offline: the portal cannot be reached."));
      if (n_pending > 0)
        {
          if (text->len > 0)
            g_string_append_c (text, ' ');
          /* Translators: the bar over every page; signed requests kept on this computer
           * until the portal confirms them */
          g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                     "%u signed request is waiting to be sent.",
                                                     "%u signed requests are waiting to be sent.",
                                                     n_pending),
                                  n_pending);
        }
      if (retrying)
        {
          g_string_append_c (text, ' ');
          /* Translators: the bar over every page, while Retry is being tried */
          g_string_append (text, _("Trying now…"));
        }
      else if (next != 0)
        {
          gint64 left_us = next - g_get_real_time ();
          guint seconds = left_us > 0 ? (guint) ((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC)
                                      : 0;

          g_string_append_c (text, ' ');
          self->seconds = seconds;
          if (seconds > 0)
            /* Translators: the bar over every page, counting down each second to the
             * next automatic try */
            g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                       "Retrying in %u second.",
                                                       "Retrying in %u seconds.", seconds),
                                    seconds);
          else
            /* Translators: the bar over every page, when the countdown reached zero */
            g_string_append (text, _("Trying now…"));
          /* Also at zero: the try's outcome may bring a new time without a notification
           * (a back-off already at its longest wait). */
          counting = TRUE;
        }
    }
  gtk_label_set_label (self->label, text->str);
  gtk_widget_set_sensitive (self->retry_button, !retrying);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->bar),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text->str, -1);

  /* The tick runs only while shown and counting down. */
  if (counting && self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 1, tick_cb, self, NULL);
  else if (!counting)
    g_clear_handle_id (&self->tick_id, g_source_remove);
}

static gboolean
tick_cb (gpointer user_data)
{
  TirkeuOutboxBanner *self = user_data;

  /* A fresh source each time, so that a stopped countdown leaves none behind. */
  self->tick_id = 0;
  update (self);
  return G_SOURCE_REMOVE;
}

static void
outbox_changed (TirkeuOutboxBanner *self)
{
  TirkeuOutbox *outbox = self->session != NULL ? tirkeu_session_get_outbox (self->session) : NULL;

  if (g_set_object (&self->outbox, outbox))
    g_signal_group_set_target (self->outbox_signals, outbox);
  update (self);
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  TirkeuOutboxBanner *self = TIRKEU_OUTBOX_BANNER (widget);

  if (self->outbox != NULL)
    tirkeu_outbox_retry_now (self->outbox);
  if (self->sync != NULL)
    tirkeu_sync_retry_now (self->sync);
  update (self);
}

/**
 * tirkeu_outbox_banner_set_session:
 * @session: (nullable): the session whose outbox and sign-in the banner follows
 */
void
tirkeu_outbox_banner_set_session (TirkeuOutboxBanner *self,
                                  TirkeuSession      *session)
{
  g_return_if_fail (TIRKEU_IS_OUTBOX_BANNER (self));
  g_return_if_fail (session == NULL || TIRKEU_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  g_signal_group_set_target (self->session_signals, session);
  outbox_changed (self);
}

/**
 * tirkeu_outbox_banner_set_sync:
 * @sync: (nullable): the sync whose #TirkeuSync:online the banner shows
 */
void
tirkeu_outbox_banner_set_sync (TirkeuOutboxBanner *self,
                               TirkeuSync         *sync)
{
  g_return_if_fail (TIRKEU_IS_OUTBOX_BANNER (self));
  g_return_if_fail (sync == NULL || TIRKEU_IS_SYNC (sync));

  if (!g_set_object (&self->sync, sync))
    return;
  g_signal_group_set_target (self->sync_signals, sync);
  update (self);
}

/**
 * tirkeu_outbox_banner_get_shown:
 *
 * Returns: whether the banner is up
 */
gboolean
tirkeu_outbox_banner_get_shown (TirkeuOutboxBanner *self)
{
  g_return_val_if_fail (TIRKEU_IS_OUTBOX_BANNER (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self));
}

/**
 * tirkeu_outbox_banner_get_text:
 *
 * Returns: (transfer none): what the banner says
 */
const char *
tirkeu_outbox_banner_get_text (TirkeuOutboxBanner *self)
{
  g_return_val_if_fail (TIRKEU_IS_OUTBOX_BANNER (self), NULL);
  return gtk_label_get_label (self->label);
}

/**
 * tirkeu_outbox_banner_get_seconds:
 *
 * Returns: the seconds to the next try as the banner says them, 0 when it says none
 */
guint
tirkeu_outbox_banner_get_seconds (TirkeuOutboxBanner *self)
{
  g_return_val_if_fail (TIRKEU_IS_OUTBOX_BANNER (self), 0);
  return self->seconds;
}

/**
 * tirkeu_outbox_banner_get_ticking:
 *
 * Returns: whether the one-second countdown runs
 */
gboolean
tirkeu_outbox_banner_get_ticking (TirkeuOutboxBanner *self)
{
  g_return_val_if_fail (TIRKEU_IS_OUTBOX_BANNER (self), FALSE);
  return self->tick_id != 0;
}

static void
tirkeu_outbox_banner_dispose (GObject *object)
{
  TirkeuOutboxBanner *self = TIRKEU_OUTBOX_BANNER (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->sync_signals);
  g_clear_object (&self->outbox_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->sync);
  g_clear_object (&self->outbox);
  gtk_widget_dispose_template (GTK_WIDGET (self), TIRKEU_TYPE_OUTBOX_BANNER);

  G_OBJECT_CLASS (tirkeu_outbox_banner_parent_class)->dispose (object);
}

static void
tirkeu_outbox_banner_class_init (TirkeuOutboxBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tirkeu_outbox_banner_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-outbox-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, TirkeuOutboxBanner, bar);
  gtk_widget_class_bind_template_child (widget_class, TirkeuOutboxBanner, label);
  gtk_widget_class_bind_template_child (widget_class, TirkeuOutboxBanner, retry_button);
  gtk_widget_class_install_action (widget_class, "banner.retry", NULL, retry_action);
}

static void
tirkeu_outbox_banner_init (TirkeuOutboxBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->session_signals = g_signal_group_new (TIRKEU_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::state", G_CALLBACK (update),
                                  self);
  g_signal_group_connect_swapped (self->session_signals, "notify::journal",
                                  G_CALLBACK (outbox_changed), self);
  self->sync_signals = g_signal_group_new (TIRKEU_TYPE_SYNC);
  g_signal_group_connect_swapped (self->sync_signals, "notify::online", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::retry-delay", G_CALLBACK (update),
                                  self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::last-error", G_CALLBACK (update),
                                  self);
  self->outbox_signals = g_signal_group_new (TIRKEU_TYPE_OUTBOX);
  g_signal_group_connect_swapped (self->outbox_signals, "notify", G_CALLBACK (update), self);
}

/**
 * tirkeu_outbox_banner_new:
 *
 * Returns: (transfer full): a new banner, hidden until it has something to say
 */
GtkWidget *
tirkeu_outbox_banner_new (void)
{
  return g_object_new (TIRKEU_TYPE_OUTBOX_BANNER, NULL);
}
