/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Figures, not a test: 10,000 requests in the journal, then the time to load them into the
 * requests list (journal thread + sort + filter), to filter by each category and to search
 * by VIN, IIN, buyer name and request number, and the memory used. Run:
 *   meson test -C _build --benchmark bench-request-list -v */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "tirkeu-request-list.h"
#include "tirkeu-tracking-test.h"

#define N_REQUESTS 10000

static const TirkeuStage stages[] = {
  TIRKEU_STAGE_AWAITING_BUYER, TIRKEU_STAGE_BUYER_APPROVED, TIRKEU_STAGE_FINES_UNPAID,
  TIRKEU_STAGE_TSON_CHOSEN, TIRKEU_STAGE_PAID, TIRKEU_STAGE_PROCESSING, TIRKEU_STAGE_COMPLETED,
  TIRKEU_STAGE_COMPLETED, TIRKEU_STAGE_COMPLETED, TIRKEU_STAGE_REFUSED, TIRKEU_STAGE_DECLINED,
  TIRKEU_STAGE_EXPIRED, TIRKEU_STAGE_WITHDRAWN,
};

static void
print_memory (const char *when)
{
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;
  lines = g_strsplit (status, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "VmRSS:") || g_str_has_prefix (lines[i], "VmHWM:"))
      g_print ("%-28s %s\n", when, lines[i]);
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tirkeu_request_list_load_finish (TIRKEU_REQUEST_LIST (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
time_search (TirkeuRequestList *list,
             const char        *what,
             const char        *text)
{
  GListModel *model = tirkeu_request_list_get_model (list);
  gint64 start = g_get_monotonic_time ();
  guint n;

  tirkeu_request_list_set_search (list, text);
  n = g_list_model_get_n_items (model);
  g_print ("search %-22s %8.2f ms  (%u shown)\n", what, ms_since (start), n);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TirkeuJournal) journal = NULL;
  g_autoptr(TirkeuRequestList) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  TirkeuRequest *sample;
  GListModel *model;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 start;
  gboolean loaded = FALSE;

  g_test_init (&argc, &argv, NULL);
  print_memory ("at start");

  start = g_get_monotonic_time ();
  for (guint i = 0; i < N_REQUESTS; i++)
    g_ptr_array_add (requests,
                     tirkeu_tracking_make_request (i, stages[i % G_N_ELEMENTS (stages)],
                                                   now - (gint64) i * 97));
  g_print ("generate %u requests        %8.2f ms\n", N_REQUESTS, ms_since (start));

  dir = g_dir_make_tmp ("tirkeu-bench-list-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "journal.sqlite", NULL);
  journal = tirkeu_journal_new_sync (path, NULL, &error);
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < N_REQUESTS; i += 500)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();

      for (guint j = i; j < MIN (i + 500, N_REQUESTS); j++)
        g_ptr_array_add (batch, g_ptr_array_index (requests, j));
      g_assert_true (tirkeu_journal_upsert_requests_sync (journal, batch, "bench", NULL, &error));
      g_assert_no_error (error);
    }
  g_print ("write to the journal         %8.2f ms  (batches of 500)\n", ms_since (start));
  sample = g_object_ref (g_ptr_array_index (requests, 4321));
  g_ptr_array_set_size (requests, 0);
  print_memory ("after the journal write");

  /* The load the window does: the journal's thread reads and builds the requests, the main
   * thread sorts and filters them. */
  list = tirkeu_request_list_new ();
  model = tirkeu_request_list_get_model (list);
  start = g_get_monotonic_time ();
  tirkeu_request_list_load_async (list, journal, NULL, loaded_cb, &loaded);
  while (!loaded)
    g_main_context_iteration (NULL, TRUE);
  g_print ("load the list from journal   %8.2f ms  (%u shown)\n", ms_since (start),
           g_list_model_get_n_items (model));
  {
    g_autoptr(TirkeuRequest) first = g_list_model_get_item (model, 0);
    g_autoptr(TirkeuRequest) last = g_list_model_get_item (model, N_REQUESTS - 1);
    g_print ("first %s, last %s\n", tirkeu_request_get_portal_id (first),
             tirkeu_request_get_portal_id (last));
  }
  print_memory ("after loading the list");
  {
    /* The main thread's share of that: splice, sort and filter 10,000 requests. */
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
    g_autoptr(TirkeuRequestList) again = tirkeu_request_list_new ();

    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      g_ptr_array_add (all, g_list_model_get_item (model, i));
    start = g_get_monotonic_time ();
    tirkeu_request_list_set_requests (again, all);
    g_print ("  of which sort + filter      %8.2f ms  (%u shown, main thread)\n",
             ms_since (start), g_list_model_get_n_items (tirkeu_request_list_get_model (again)));
  }

  for (TirkeuRequestCategory category = 1; category < TIRKEU_N_REQUEST_CATEGORIES; category++)
    {
      start = g_get_monotonic_time ();
      tirkeu_request_list_set_category (list, category);
      g_print ("filter %-22s %8.2f ms  (%u shown)\n",
               tirkeu_request_category_to_string (category), ms_since (start),
               g_list_model_get_n_items (model));
    }
  start = g_get_monotonic_time ();
  tirkeu_request_list_set_category (list, TIRKEU_REQUEST_CATEGORY_ALL);
  g_print ("filter %-22s %8.2f ms  (%u shown)\n", "all", ms_since (start),
           g_list_model_get_n_items (model));

  /* The first search builds each request's search key once. */
  time_search (list, "VIN (first search)", tirkeu_request_get_vin (sample));
  time_search (list, "cleared", "");
  time_search (list, "VIN", tirkeu_request_get_vin (sample));
  time_search (list, "request number", tirkeu_request_get_portal_id (sample));
  time_search (list, "IIN", tirkeu_request_get_buyer_iin (sample));
  time_search (list, "buyer name (typing)", "к");
  time_search (list, "buyer name (typing)", "ки");
  time_search (list, "buyer name (typing)", "ким");
  time_search (list, "cleared", "");

  {
    /* A sync page of 50 changed requests arriving. */
    g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint i = 0; i < 50; i++)
      g_ptr_array_add (page, tirkeu_tracking_make_request (i * 200, TIRKEU_STAGE_COMPLETED,
                                                           now + 60));
    start = g_get_monotonic_time ();
    tirkeu_request_list_update (list, page);
    g_print ("update 50 from a sync page   %8.2f ms  (%u shown)\n", ms_since (start),
             g_list_model_get_n_items (model));
  }
  print_memory ("at the end");

  g_object_unref (sample);
  g_clear_object (&journal);
  g_unlink (path);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);

  return 0;
}
