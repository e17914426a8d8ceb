/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * TirkeuPortalAction: one user action's single deadline.
 *
 * A user action (a CLI command; a desk operation such as sign-in, create, sign and submit of
 * one request) makes several portal calls, each with retries. Each call has its own bound
 * (TirkeuPortalClient:timeout-ms), but the user waits for all of them: a portal that trickles
 * its answers held a command for three calls' worth of time while saying it waited one. The
 * action is the cancellable every call of the action is given: when its time is up it cancels
 * itself, the calls under way stop, and they say so as a timeout with the time the action
 * really took. Cancelling it by hand (the desk's Cancel) is a plain cancellation.
 *
 * The clock stops while the action waits for the person (a PIN typed at a prompt):
 * tirkeu_portal_action_pause() and tirkeu_portal_action_unpause().
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-portal-action.h"
#include "tirkeu-portal-error.h"

struct _TirkeuPortalAction
{
  GCancellable parent_instance;

  guint timeout_ms;
  gint64 started_at;          /* monotonic microseconds */
  gint64 deadline_at;         /* moved on by every pause */
  gint64 paused_at;           /* 0 when the clock runs */
  gint64 paused_total;
  guint waited_ms;            /* frozen when the deadline passed */
  gboolean timed_out;

  GMainContext *context;      /* where the deadline fires */
  GSource *timer;
};

G_DEFINE_TYPE (TirkeuPortalAction, tirkeu_portal_action, G_TYPE_CANCELLABLE)

static void
action_stop_timer (TirkeuPortalAction *self)
{
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
}

static guint
action_measure_ms (TirkeuPortalAction *self)
{
  gint64 now = self->paused_at != 0 ? self->paused_at : g_get_monotonic_time ();
  gint64 waited = now - self->started_at - self->paused_total;

  return (guint) CLAMP (waited / 1000, 0, G_MAXUINT);
}

static gboolean
action_deadline_cb (gpointer user_data)
{
  TirkeuPortalAction *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  self->waited_ms = action_measure_ms (self);
  self->timed_out = TRUE;
  g_debug ("A portal action ran out of its %u ms after %u ms", self->timeout_ms,
           self->waited_ms);
  g_cancellable_cancel (G_CANCELLABLE (self));

  return G_SOURCE_REMOVE;
}

static void
action_start_timer (TirkeuPortalAction *self)
{
  /* rounded up: the action never ends before its deadline */
  gint64 remaining_ms = (MAX (self->deadline_at - g_get_monotonic_time (), 0) + 999) / 1000;

  action_stop_timer (self);
  self->timer = g_timeout_source_new ((guint) MIN (remaining_ms, G_MAXUINT));
  g_source_set_callback (self->timer, action_deadline_cb, self, NULL);
  g_source_set_name (self->timer, "[tirkeu] portal action deadline");
  g_source_attach (self->timer, self->context);
}

static void
tirkeu_portal_action_finalize (GObject *object)
{
  TirkeuPortalAction *self = TIRKEU_PORTAL_ACTION (object);

  action_stop_timer (self);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (tirkeu_portal_action_parent_class)->finalize (object);
}

static void
tirkeu_portal_action_class_init (TirkeuPortalActionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tirkeu_portal_action_finalize;
}

static void
tirkeu_portal_action_init (TirkeuPortalAction *self)
{
  self->context = g_main_context_ref_thread_default ();
}

/**
 * tirkeu_portal_action_new:
 * @timeout_ms: the action's whole time, every call and retry included (more than 0)
 *
 * Starts an action's clock now. Give the action as the cancellable of every call it makes
 * (portal, session, token): they stop when its time is up. The deadline fires in the
 * thread-default main context of the caller.
 *
 * Returns: (transfer full): a new action, a #GCancellable
 */
TirkeuPortalAction *
tirkeu_portal_action_new (guint timeout_ms)
{
  TirkeuPortalAction *self;

  g_return_val_if_fail (timeout_ms > 0, NULL);

  self = g_object_new (TIRKEU_TYPE_PORTAL_ACTION, NULL);
  self->timeout_ms = timeout_ms;
  self->started_at = g_get_monotonic_time ();
  self->deadline_at = self->started_at + (gint64) timeout_ms * 1000;
  action_start_timer (self);

  return self;
}

/**
 * tirkeu_portal_action_get_timeout_ms:
 * @self: a #TirkeuPortalAction
 *
 * Returns: the time the action was given
 */
guint
tirkeu_portal_action_get_timeout_ms (TirkeuPortalAction *self)
{
  g_return_val_if_fail (TIRKEU_IS_PORTAL_ACTION (self), 0);

  return self->timeout_ms;
}

/**
 * tirkeu_portal_action_get_waited_ms:
 * @self: a #TirkeuPortalAction
 *
 * The time the action has taken so far, its pauses left out; once its time is up, the time
 * it had taken then.
 *
 * Returns: milliseconds
 */
guint
tirkeu_portal_action_get_waited_ms (TirkeuPortalAction *self)
{
  g_return_val_if_fail (TIRKEU_IS_PORTAL_ACTION (self), 0);

  return self->timed_out ? self->waited_ms : action_measure_ms (self);
}

/**
 * tirkeu_portal_action_get_timed_out:
 * @self: a #TirkeuPortalAction
 *
 * Returns: %TRUE when the action was cancelled because its time was up (not by hand)
 */
gboolean
tirkeu_portal_action_get_timed_out (TirkeuPortalAction *self)
{
  g_return_val_if_fail (TIRKEU_IS_PORTAL_ACTION (self), FALSE);

  return self->timed_out;
}

/**
 * tirkeu_portal_action_get_deadline:
 * @self: a #TirkeuPortalAction
 *
 * Returns: when the action's time is up, in g_get_monotonic_time()'s microseconds;
 *   %G_MAXINT64 while the clock is paused
 */
gint64
tirkeu_portal_action_get_deadline (TirkeuPortalAction *self)
{
  g_return_val_if_fail (TIRKEU_IS_PORTAL_ACTION (self), G_MAXINT64);

  return self->paused_at != 0 ? G_MAXINT64 : self->deadline_at;
}

/**
 * tirkeu_portal_action_pause:
 * @self: a #TirkeuPortalAction
 *
 * Stops the clock while the action waits for the person (a PIN prompt): that time is the
 * person's, not the portal's. Pauses do not nest.
 */
void
tirkeu_portal_action_pause (TirkeuPortalAction *self)
{
  g_return_if_fail (TIRKEU_IS_PORTAL_ACTION (self));

  if (self->paused_at != 0 || g_cancellable_is_cancelled (G_CANCELLABLE (self)))
    return;
  self->paused_at = g_get_monotonic_time ();
  action_stop_timer (self);
}

/**
 * tirkeu_portal_action_unpause:
 * @self: a #TirkeuPortalAction
 *
 * Starts the clock again after tirkeu_portal_action_pause(); the deadline moves on by the
 * pause.
 */
void
tirkeu_portal_action_unpause (TirkeuPortalAction *self)
{
  gint64 paused;

  g_return_if_fail (TIRKEU_IS_PORTAL_ACTION (self));

  if (self->paused_at == 0)
    return;
  paused = g_get_monotonic_time () - self->paused_at;
  self->paused_at = 0;
  self->paused_total += paused;
  self->deadline_at += paused;
  if (!g_cancellable_is_cancelled (G_CANCELLABLE (self)))
    action_start_timer (self);
}

/**
 * tirkeu_portal_action_new_timeout_error:
 * @self: a #TirkeuPortalAction
 *
 * Returns: (transfer full): %TIRKEU_PORTAL_CODE_TIMEOUT, with the time the action really
 *   waited in its message
 */
GError *
tirkeu_portal_action_new_timeout_error (TirkeuPortalAction *self)
{
  g_return_val_if_fail (TIRKEU_IS_PORTAL_ACTION (self), NULL);

  return g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT,
                      _("The portal did not answer within %u ms"),
                      tirkeu_portal_action_get_waited_ms (self));
}

/**
 * tirkeu_portal_action_from_cancellable:
 * @cancellable: (nullable): a #GCancellable
 *
 * Returns: (transfer none) (nullable): @cancellable when it is an action
 */
TirkeuPortalAction *
tirkeu_portal_action_from_cancellable (GCancellable *cancellable)
{
  return TIRKEU_IS_PORTAL_ACTION (cancellable) ? TIRKEU_PORTAL_ACTION (cancellable) : NULL;
}

/**
 * tirkeu_portal_action_cancelled_error:
 * @cancellable: (nullable): the cancellable that stopped an operation
 *
 * What to tell the caller of an operation that @cancellable stopped: the timeout of an action
 * whose time ran out, else %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full): the error
 */
GError *
tirkeu_portal_action_cancelled_error (GCancellable *cancellable)
{
  TirkeuPortalAction *action = tirkeu_portal_action_from_cancellable (cancellable);

  if (action != NULL && action->timed_out)
    return tirkeu_portal_action_new_timeout_error (action);
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
}

/**
 * tirkeu_portal_action_explain:
 * @cancellable: (nullable): the cancellable an operation was given
 * @error: (inout) (optional) (nullable): the operation's error
 *
 * Layers that know nothing of actions (the token, the journal) end with
 * %G_IO_ERROR_CANCELLED when the action's time runs out. This replaces that error with the
 * action's timeout, so that the user is told the portal took too long, not that they
 * cancelled.
 *
 * Returns: %TRUE when @error was replaced
 */
gboolean
tirkeu_portal_action_explain (GCancellable  *cancellable,
                              GError       **error)
{
  TirkeuPortalAction *action = tirkeu_portal_action_from_cancellable (cancellable);

  if (action == NULL || !action->timed_out || error == NULL ||
      !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  g_clear_error (error);
  *error = tirkeu_portal_action_new_timeout_error (action);
  return TRUE;
}
