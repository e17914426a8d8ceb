/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-serial-executor.h"

/**
 * TirkeuSerialExecutor:
 *
 * Runs jobs one at a time, in the order pushed, on one thread of its own: a #GThreadPool of
 * one exclusive thread. For libraries whose handles must stay on one thread and must not be
 * used by two at once (an SQLite connection opened NOMUTEX, a PKCS#11 session), and whose
 * calls block: the main loop pushes a job and gets its result back through the job (a
 * #GTask returned on the caller's context).
 *
 * The state (the connection, the session) is owned by the executor's thread: @state_free
 * runs there, after the last job, when the executor is freed. Freeing waits for the queued
 * jobs, unless it is called from a job itself (the last reference of the owner dropped on
 * the executor's thread): then it returns at once and the thread finishes alone.
 */
struct _TirkeuSerialExecutor
{
  GThreadPool              *pool;
  TirkeuSerialExecutorFunc  func;
  gpointer                  state;
  GDestroyNotify            state_free;
  GThread                  *thread;      /* the pool's, seen from its first job */
  gboolean                  free_on_close;
};

/* The last job of an executor: frees its state, then the executor itself. */
static char close_marker;

static void
run_cb (gpointer data,
        gpointer user_data)
{
  TirkeuSerialExecutor *self = user_data;

  g_atomic_pointer_set (&self->thread, g_thread_self ());

  if (data == &close_marker)
    {
      if (self->state_free != NULL)
        self->state_free (self->state);
      self->state = NULL;
      /* freed from one of its own jobs: nobody waits, the last job frees the rest */
      if (self->free_on_close)
        g_free (self);
      return;
    }

  self->func (data, self->state);
}

/**
 * tirkeu_serial_executor_new:
 * @func: runs each job
 * @state: (nullable): what every job gets, owned by the executor's thread from now on
 * @state_free: (nullable): frees @state on the executor's thread after the last job
 * @error: return location for a #GError if the thread cannot be made
 *
 * Returns: (transfer full) (nullable): a new executor, its thread started
 */
TirkeuSerialExecutor *
tirkeu_serial_executor_new (TirkeuSerialExecutorFunc   func,
                            gpointer                   state,
                            GDestroyNotify             state_free,
                            GError                   **error)
{
  TirkeuSerialExecutor *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (TirkeuSerialExecutor, 1);
  self->func = func;
  self->state = state;
  self->state_free = state_free;
  /* exclusive: one thread of its own, the same for every job */
  self->pool = g_thread_pool_new (run_cb, self, 1, TRUE, error);
  if (self->pool == NULL)
    {
      g_free (self);
      return NULL;
    }

  return self;
}

/**
 * tirkeu_serial_executor_push:
 * @self: a #TirkeuSerialExecutor
 * @job: (not nullable): handed to the executor's function, after every job pushed before
 *
 * Queues @job; returns at once.
 */
void
tirkeu_serial_executor_push (TirkeuSerialExecutor *self,
                             gpointer              job)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (job != NULL && job != &close_marker);

  /* g_thread_pool_push() fails only when it must start a thread: an exclusive pool's
   * thread runs from creation on. */
  g_thread_pool_push (self->pool, job, NULL);
}

/**
 * tirkeu_serial_executor_free:
 * @self: (transfer full): a #TirkeuSerialExecutor
 *
 * Runs the jobs still queued, frees the state on the executor's thread, and stops the
 * thread. Waits for all of it, except when called from one of the executor's own jobs.
 */
void
tirkeu_serial_executor_free (TirkeuSerialExecutor *self)
{
  gboolean on_own_thread;

  g_return_if_fail (self != NULL);

  on_own_thread = g_atomic_pointer_get (&self->thread) == g_thread_self ();
  self->free_on_close = on_own_thread;
  g_thread_pool_push (self->pool, &close_marker, NULL);
  /* Not immediate: every queued job runs. Waiting from the pool's own thread would wait
   * for itself; the pool then frees itself once its thread is done. */
  g_thread_pool_free (self->pool, FALSE, !on_own_thread);
  if (!on_own_thread)
    g_free (self);
}
