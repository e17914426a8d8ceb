/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-serial-executor.h"

typedef struct
{
  GMutex    lock;
  GCond     cond;
  GArray   *order;        /* of guint, the jobs in the order run */
  GThread  *thread;       /* the thread of the first job */
  gboolean  one_thread;   /* every job ran there */
  gboolean  overlapped;   /* two jobs ran at once */
  gboolean  running;
  gboolean  freed;
  GThread  *freed_on;
} State;

static void
run_cb (gpointer job,
        gpointer data)
{
  State *state = data;

  g_mutex_lock (&state->lock);
  if (state->running)
    state->overlapped = TRUE;
  state->running = TRUE;
  if (state->thread == NULL)
    state->thread = g_thread_self ();
  else if (state->thread != g_thread_self ())
    state->one_thread = FALSE;
  g_mutex_unlock (&state->lock);

  /* long enough for a second thread, if there were one, to start the next job */
  g_usleep (200);

  g_mutex_lock (&state->lock);
  g_array_append_val (state->order, *(guint *) job);
  state->running = FALSE;
  g_mutex_unlock (&state->lock);
}

static void
state_free_cb (gpointer data)
{
  State *state = data;

  g_mutex_lock (&state->lock);
  state->freed = TRUE;
  state->freed_on = g_thread_self ();
  g_cond_broadcast (&state->cond);
  g_mutex_unlock (&state->lock);
}

static void
test_order (void)
{
  State state = { .one_thread = TRUE };
  g_autoptr(GError) error = NULL;
  TirkeuSerialExecutor *executor;
  guint jobs[200];

  g_mutex_init (&state.lock);
  g_cond_init (&state.cond);
  state.order = g_array_new (FALSE, FALSE, sizeof (guint));

  executor = tirkeu_serial_executor_new (run_cb, &state, state_free_cb, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      jobs[i] = i;
      tirkeu_serial_executor_push (executor, &jobs[i]);
    }
  /* waits for every queued job, then frees the state on the executor's thread */
  tirkeu_serial_executor_free (executor);

  g_assert_true (state.freed);
  g_assert_true (state.freed_on == state.thread);
  g_assert_true (state.freed_on != g_thread_self ());
  g_assert_true (state.one_thread);
  g_assert_false (state.overlapped);
  g_assert_cmpuint (state.order->len, ==, G_N_ELEMENTS (jobs));
  for (guint i = 0; i < state.order->len; i++)
    g_assert_cmpuint (g_array_index (state.order, guint, i), ==, i);

  g_array_unref (state.order);
  g_cond_clear (&state.cond);
  g_mutex_clear (&state.lock);
}

/* The owner's last reference dropped inside one of the executor's jobs: freeing from there
 * must not wait for itself. */
typedef struct
{
  TirkeuSerialExecutor *executor;
  State                *state;
} SelfFree;

static void
self_free_cb (gpointer job,
              gpointer data)
{
  SelfFree *self_free = job;

  tirkeu_serial_executor_free (self_free->executor);
}

static void
test_free_from_job (void)
{
  State state = { .one_thread = TRUE };
  g_autoptr(GError) error = NULL;
  SelfFree self_free;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_mutex_init (&state.lock);
  g_cond_init (&state.cond);

  self_free.state = &state;
  self_free.executor = tirkeu_serial_executor_new (self_free_cb, &state, state_free_cb, &error);
  g_assert_no_error (error);
  tirkeu_serial_executor_push (self_free.executor, &self_free);

  g_mutex_lock (&state.lock);
  while (!state.freed)
    if (!g_cond_wait_until (&state.cond, &state.lock, deadline))
      break;
  g_mutex_unlock (&state.lock);
  g_assert_true (state.freed);
  g_assert_true (state.freed_on != g_thread_self ());

  g_cond_clear (&state.cond);
  g_mutex_clear (&state.lock);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/serial-executor/order", test_order);
  g_test_add_func ("/serial-executor/free-from-job", test_free_from_job);

  return g_test_run ();
}
