/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Figures, not a test: the main thread's CPU time of a sync round with nothing new, with
 * 1,000, 10,000 and 100,000 requests in the journal, for the first round of a run (the app
 * just started) and for a later one. The sandbox runs on a thread of its own, so that only
 * the desk's work is counted. Run:
 *   meson test -C _build --benchmark bench-desk-sync -v */
#include "config.h"

#include <time.h>

#include "tirkeu-sync.h"
#include "tirkeu-tracking-test.h"

static const guint sizes[] = { 1000, 10000, 100000 };

typedef struct
{
  GMutex                mutex;
  GCond                 cond;
  TirkeuTrackingPortal *portal;
  GMainContext         *context;
  GMainLoop            *loop;
} SandboxThread;

static gpointer
sandbox_thread (gpointer user_data)
{
  SandboxThread *thread = user_data;

  thread->context = g_main_context_new ();
  g_main_context_push_thread_default (thread->context);
  thread->loop = g_main_loop_new (thread->context, FALSE);
  g_mutex_lock (&thread->mutex);
  thread->portal = tirkeu_tracking_portal_new_full (60000, TIRKEU_SANDBOX_BUYER_MANUAL);
  g_cond_signal (&thread->cond);
  g_mutex_unlock (&thread->mutex);
  g_main_loop_run (thread->loop);
  g_clear_pointer (&thread->portal, tirkeu_tracking_portal_free);
  g_main_context_pop_thread_default (thread->context);
  g_main_loop_unref (thread->loop);
  g_main_context_unref (thread->context);
  return NULL;
}

static double
thread_cpu_ms (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec * 1000.0 + now.tv_nsec / 1e6;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* One round; returns the main thread's CPU milliseconds from start to end. */
static double
round_cpu_ms (TirkeuSync *sync)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  double start = thread_cpu_ms ();
  double cpu;
  guint n_changed = 0;

  tirkeu_sync_run_async (sync, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  cpu = thread_cpu_ms () - start;
  g_assert_true (tirkeu_sync_run_finish (sync, result, &n_changed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_changed, ==, 0);
  return cpu;
}

int
main (int   argc,
      char *argv[])
{
  SandboxThread thread = { 0 };
  g_autoptr(GThread) worker = NULL;
  g_autoptr(TirkeuPortalClient) client = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tirkeu-bench-sync-XXXXXX", NULL);

  /* The journals go to a directory of their own, made before GLib reads the variable. */
  g_assert_nonnull (dir);
  g_setenv ("XDG_DATA_HOME", dir, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_mutex_init (&thread.mutex);
  g_cond_init (&thread.cond);
  g_mutex_lock (&thread.mutex);
  worker = g_thread_new ("sandbox", sandbox_thread, &thread);
  while (thread.portal == NULL)
    g_cond_wait (&thread.cond, &thread.mutex);
  g_mutex_unlock (&thread.mutex);
  client = tirkeu_tracking_portal_sign_in (thread.portal);

  g_print ("%-10s %-28s %-28s\n", "requests", "first round of a run (ms)",
           "later round (ms)");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr(TirkeuJournal) journal = tirkeu_tracking_journal_new ();
      g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GError) error = NULL;
      double first = 0, later = 0;
      const guint n_runs = 5;

      for (guint i = 0; i < sizes[s]; i++)
        g_ptr_array_add (requests,
                         tirkeu_tracking_make_request (i, TIRKEU_STAGE_AWAITING_BUYER,
                                                       1767225600 + i));
      tirkeu_journal_upsert_requests_sync (journal, requests, NULL, NULL, &error);
      g_assert_no_error (error);
      g_clear_pointer (&requests, g_ptr_array_unref);

      /* The cursor of this portal, then rounds with nothing new. */
      {
        g_autoptr(TirkeuSync) sync = tirkeu_sync_new (journal, NULL);

        tirkeu_sync_set_client (sync, client);
        round_cpu_ms (sync);
      }
      for (guint run = 0; run < n_runs; run++)
        {
          g_autoptr(TirkeuSync) sync = tirkeu_sync_new (journal, NULL);

          tirkeu_sync_set_client (sync, client);
          first += round_cpu_ms (sync);
          later += round_cpu_ms (sync);
        }
      g_print ("%-10u %-28.3f %-28.3f\n", sizes[s], first / n_runs, later / n_runs);
    }
  g_print ("goal: under 1 ms of main-thread work for a round with nothing new, at any size\n");

  g_main_loop_quit (thread.loop);
  g_main_context_wakeup (thread.context);
  g_thread_join (g_steal_pointer (&worker));
  g_clear_object (&client);
  {
    const char *rm[] = { "rm", "-rf", dir, NULL };

    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                  NULL);
  }
  return 0;
}
