/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Figures, not a test: the real requests page in a window (run it under Xvfb), fed from a real
 * journal, and the worst stall of the main loop while it loads, filters, searches, applies
 * sync pages of 50 changes and signs. A 1 ms timer at high priority records the gaps between
 * its runs in main-thread CPU time (CLOCK_THREAD_CPUTIME_ID) and in wall time: a gap is what
 * the window could not answer during. Also: when the window is ready (first frame with the
 * list), heap per loaded request, and how much the peak RSS grows while the journal writes
 * the whole list as one batch.
 *
 *   xvfb-run -a -s '-screen 0 1280x900x24' meson test -C _build --benchmark \
 *     bench-request-list-window -v
 *   TIRKEU_BENCH_SIZES=1000,10000,100000 ...   (default 1000,10000)
 *
 * Signing is a real signature on the SoftHSM token of tests/fixtures/make-token.sh through
 * TirkeuTokenManager, then the outbox entry and the list update the app makes of it; it is
 * left out (and said so) when SoftHSM is missing.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <string.h>
#include <time.h>

#include "tirkeu-request-list.h"
#include "tirkeu-requests-page.h"
#include "tirkeu-token-manager.h"
#include "tirkeu-tracking-test.h"
#include "test-token-fixture.h"

#define PAGE_SIZE 50
#define N_PAGES 4
#define N_SIGNATURES 3

static const TirkeuStage stages[] = {
  TIRKEU_STAGE_AWAITING_BUYER, TIRKEU_STAGE_BUYER_APPROVED, TIRKEU_STAGE_FINES_UNPAID,
  TIRKEU_STAGE_TSON_CHOSEN, TIRKEU_STAGE_PAID, TIRKEU_STAGE_PROCESSING, TIRKEU_STAGE_COMPLETED,
  TIRKEU_STAGE_COMPLETED, TIRKEU_STAGE_COMPLETED, TIRKEU_STAGE_REFUSED, TIRKEU_STAGE_DECLINED,
  TIRKEU_STAGE_EXPIRED, TIRKEU_STAGE_WITHDRAWN,
};

/* ------------------------------------------------------------------------------------------ */
/* The stall monitor */

static struct
{
  gint64 last_wall;
  gint64 last_cpu;
  gint64 max_wall;
  gint64 max_cpu;
} monitor;

static gint64
thread_cpu_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gboolean
tick_cb (gpointer user_data)
{
  gint64 wall = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_usec ();

  monitor.max_wall = MAX (monitor.max_wall, wall - monitor.last_wall);
  monitor.max_cpu = MAX (monitor.max_cpu, cpu - monitor.last_cpu);
  monitor.last_wall = wall;
  monitor.last_cpu = cpu;

  return G_SOURCE_CONTINUE;
}

static void
monitor_reset (void)
{
  monitor.last_wall = g_get_monotonic_time ();
  monitor.last_cpu = thread_cpu_usec ();
  monitor.max_wall = 0;
  monitor.max_cpu = 0;
}

/* The gap still open counts too: work that has not let the timer run yet. */
static void
monitor_close (void)
{
  tick_cb (NULL);
}

typedef struct
{
  double cpu_ms;
  double wall_ms;
} Stall;

static void
stall_take (Stall *stall)
{
  monitor_close ();
  stall->cpu_ms = MAX (stall->cpu_ms, monitor.max_cpu / 1000.0);
  stall->wall_ms = MAX (stall->wall_ms, monitor.max_wall / 1000.0);
}

/* ------------------------------------------------------------------------------------------ */
/* Waiting for the window */

static guint frames;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  frames++;
}

static void
iterate_until (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

static GListModel *bench_model;

/* Until @n frames were painted since now (the window has shown the change), and a long
 * list's filter (in batches between frames) is done. */
static void
wait_frames (GtkWidget *window,
             guint      n)
{
  guint target = frames + n;

  while (GTK_IS_FILTER_LIST_MODEL (bench_model)
         && gtk_filter_list_model_get_pending (GTK_FILTER_LIST_MODEL (bench_model)) > 0)
    g_main_context_iteration (NULL, TRUE);
  target = frames + n;

  gtk_widget_queue_draw (window);
  while (frames < target)
    g_main_context_iteration (NULL, TRUE);
}

static void
wait_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (500), TRUE);
}

static void
flag_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* ------------------------------------------------------------------------------------------ */
/* Memory */

static gsize
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

static gint64
status_kib (const char *field)
{
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  lines = g_strsplit (status, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], field))
      return g_ascii_strtoll (lines[i] + strlen (field), NULL, 10);
  return -1;
}

/* Peak RSS counts from now (Linux 4.0: "5" to clear_refs resets VmHWM). */
static gboolean
reset_peak_rss (void)
{
  return g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* One size */

typedef struct
{
  TokenFixture       *token;
  TirkeuTokenManager *manager;
  char               *serial;
  char               *certificate_id;
} Signer;

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!tirkeu_request_list_load_finish (TIRKEU_REQUEST_LIST (source), result, &error))
    g_error ("load: %s", error->message);
  *(gboolean *) user_data = TRUE;
}

/* A page of the sync: @n_changed listed requests move on a stage (new objects, as mapped
 * from the portal's answer), the rest are new requests. */
static GPtrArray *
make_sync_page (guint  n,
                guint  page,
                gint64 now)
{
  GPtrArray *requests = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < PAGE_SIZE; i++)
    {
      guint index;
      TirkeuStage stage;

      if (i < PAGE_SIZE * 4 / 5)
        {
          /* spread over the list: old ones come to the top */
          index = (page * 7919 + i * (n / (PAGE_SIZE - 1) + 1)) % n;
          stage = TIRKEU_STAGE_COMPLETED;
        }
      else
        {
          index = n + page * PAGE_SIZE + i;
          stage = TIRKEU_STAGE_AWAITING_BUYER;
        }
      g_ptr_array_add (requests, tirkeu_tracking_make_request (index, stage,
                                                               now + page * 60 + i));
    }

  return requests;
}

static void
run_size (guint   n,
          Signer *signer)
{
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TirkeuJournal) journal = NULL;
  g_autoptr(TirkeuRequestList) list = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  static const char *typed = "сейткали";
  gint64 now = g_get_real_time () / G_USEC_PER_SEC - 86400;
  Stall load = { 0, }, filter = { 0, }, search = { 0, }, sync = { 0, }, sign = { 0, };
  GtkWidget *window;
  GtkWidget *page;
  gboolean loaded = FALSE;
  gint64 rss_before;
  gint64 start;
  double ready_ms;
  double loaded_ms;
  double write_ms;
  gsize heap_before;
  gsize heap_after;
  guint shown;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (requests, tirkeu_tracking_make_request (i, stages[i % G_N_ELEMENTS (stages)],
                                                             now - (gint64) i * 7));

  dir = g_dir_make_tmp ("tirkeu-bench-window-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "journal.sqlite3", NULL);
  journal = tirkeu_journal_new_sync (path, NULL, &error);
  g_assert_no_error (error);

  /* The whole list as one batch: what the peak RSS grows by while the journal writes it. */
  rss_before = status_kib ("VmRSS:");
  reset_peak_rss ();
  start = g_get_monotonic_time ();
  if (!tirkeu_journal_upsert_requests_sync (journal, requests, "bench", NULL, &error))
    g_error ("write: %s", error->message);
  write_ms = (g_get_monotonic_time () - start) / 1000.0;
  g_print ("%7u  write one batch of %u: %.0f ms, peak RSS +%" G_GINT64_FORMAT " KiB "
           "(%.0f B per request)\n", n, n, write_ms, status_kib ("VmHWM:") - rss_before,
           (status_kib ("VmHWM:") - rss_before) * 1024.0 / n);
  g_ptr_array_set_size (requests, 0);

  /* Heap per loaded request: the list alone, filled from the journal. */
  {
    g_autoptr(TirkeuRequestList) alone = NULL;

    wait_ms (10);
    heap_before = heap_in_use ();
    alone = tirkeu_request_list_new ();
    tirkeu_request_list_load_async (alone, journal, NULL, loaded_cb, &loaded);
    iterate_until (&loaded);
    wait_ms (10);
    heap_after = heap_in_use ();
    loaded = FALSE;
  }

  /* Load: the window comes up, then the journal's requests fill the list. */
  monitor_reset ();
  start = g_get_monotonic_time ();
  list = tirkeu_request_list_new ();
  bench_model = tirkeu_request_list_get_model (list);
  window = adw_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  page = tirkeu_requests_page_new ();
  tirkeu_requests_page_set_list (TIRKEU_REQUESTS_PAGE (page), list);
  adw_window_set_content (ADW_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  tirkeu_request_list_load_async (list, journal, NULL, loaded_cb, &loaded);
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (after_paint_cb), NULL);
  /* ready: the window shows the latest requests (the rest may still be loading) */
  while (g_list_model_get_n_items (tirkeu_request_list_get_model (list)) == 0)
    g_main_context_iteration (NULL, TRUE);
  wait_frames (window, 1);
  ready_ms = (g_get_monotonic_time () - start) / 1000.0;
  iterate_until (&loaded);
  loaded_ms = (g_get_monotonic_time () - start) / 1000.0;
  wait_frames (window, 1);
  stall_take (&load);
  shown = g_list_model_get_n_items (tirkeu_request_list_get_model (list));
  g_assert_cmpuint (shown, ==, n);
  wait_ms (100);

  /* Filters: each category, then all again. */
  for (TirkeuRequestCategory category = 1; category <= TIRKEU_N_REQUEST_CATEGORIES; category++)
    {
      const char *name = tirkeu_request_category_to_string (category % TIRKEU_N_REQUEST_CATEGORIES);

      monitor_reset ();
      gtk_widget_activate_action (page, "requests.filter", "s", name);
      wait_frames (window, 2);
      stall_take (&filter);
    }

  /* Search: a buyer's name typed letter by letter into the entry, then cleared. */
  {
    TirkeuRequestsPage *requests_page = TIRKEU_REQUESTS_PAGE (page);
    GtkEditable *entry = GTK_EDITABLE (tirkeu_requests_page_get_search_entry (requests_page));
    const char *end = typed;

    while (*end != '\0')
      {
        g_autofree char *prefix = NULL;

        end = g_utf8_next_char (end);
        prefix = g_strndup (typed, end - typed);
        monitor_reset ();
        gtk_editable_set_text (entry, prefix);
        while (g_strcmp0 (tirkeu_request_list_get_search (list), prefix) != 0)
          g_main_context_iteration (NULL, TRUE);
        wait_frames (window, 2);
        stall_take (&search);
      }
    g_assert_cmpuint (g_list_model_get_n_items (tirkeu_request_list_get_model (list)), >, 0);
    monitor_reset ();
    gtk_editable_set_text (entry, "");
    while (*tirkeu_request_list_get_search (list) != '\0')
      g_main_context_iteration (NULL, TRUE);
    wait_frames (window, 2);
    stall_take (&search);
  }

  /* Sync pages: what TirkeuTracking does with each committed page: the list takes it,
   * then the page highlights each of its requests (a page of 50 is under the tracking's
   * limit of highlights). The page's requests are mapped before (the portal layer's work,
   * not measured here). */
  for (guint p = 0; p < N_PAGES; p++)
    {
      g_autoptr(GPtrArray) changes = make_sync_page (n, p, now + 3600);

      wait_ms (20);
      monitor_reset ();
      tirkeu_journal_upsert_requests_async (journal, changes, "bench", NULL, flag_cb, &result);
      if (!tirkeu_journal_upsert_requests_finish (journal, wait_result (&result), &error))
        g_error ("sync page: %s", error->message);
      g_clear_object (&result);
      tirkeu_request_list_update (list, changes);
      for (guint i = 0; i < changes->len; i++)
        tirkeu_requests_page_highlight (TIRKEU_REQUESTS_PAGE (page),
                                        tirkeu_request_get_portal_id (g_ptr_array_index (changes,
                                                                                         i)));
      wait_frames (window, 2);
      stall_take (&sync);
    }

  /* Signing: a signature on the token's thread, the outbox entry, the list updated. */
  for (guint s = 0; signer != NULL && s < N_SIGNATURES; s++)
    {
      g_autoptr(GBytes) content = g_bytes_new_static ("a registration request", 22);
      g_autoptr(GBytes) signature = NULL;
      g_autoptr(TirkeuRequest) request = NULL;
      g_autoptr(GPtrArray) one = g_ptr_array_new ();

      wait_ms (20);
      monitor_reset ();
      tirkeu_token_manager_sign_async (signer->manager, signer->serial, signer->certificate_id,
                                       TIRKEU_SIGN_PURPOSE_REQUEST, signer->token->seller_bin,
                                       signer->token->pin, content, NULL, flag_cb, &result);
      signature = tirkeu_token_manager_sign_finish (signer->manager, wait_result (&result),
                                                    &error);
      if (signature == NULL)
        g_error ("sign: %s", error->message);
      g_clear_object (&result);
      request = tirkeu_tracking_make_request (2 * n + s, TIRKEU_STAGE_SUBMITTED,
                                              now + 7200 + s);
      tirkeu_request_set_seller_signature (request, signature);
      tirkeu_journal_enqueue_async (journal, request, NULL, g_get_real_time (), NULL,
                                    flag_cb, &result);
      if (!tirkeu_journal_enqueue_finish (journal, wait_result (&result), &error))
        g_error ("enqueue: %s", error->message);
      g_clear_object (&result);
      g_ptr_array_add (one, request);
      tirkeu_request_list_update (list, one);
      wait_frames (window, 2);
      stall_take (&sign);
    }

  g_print ("%7u  window ready %.0f ms (every request loaded at %.0f ms); heap %.0f B per "
           "loaded request\n", n, ready_ms, loaded_ms, (double) (heap_after - heap_before) / n);
  g_print ("%7u  worst stall, main-thread CPU / wall (ms): load %.1f / %.1f, filter %.1f / %.1f, "
           "search %.1f / %.1f, sync page %.1f / %.1f, signing %s%.1f / %.1f\n",
           n, load.cpu_ms, load.wall_ms, filter.cpu_ms, filter.wall_ms, search.cpu_ms,
           search.wall_ms, sync.cpu_ms, sync.wall_ms, signer != NULL ? "" : "(no token) ",
           sign.cpu_ms, sign.wall_ms);

  gtk_window_destroy (GTK_WINDOW (window));
  wait_ms (50);
  bench_model = NULL;
  g_clear_object (&journal);
  g_clear_object (&list);
  {
    g_autoptr(GFile) file = g_file_new_for_path (dir);
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
}

/* The first window of a process loads the theme, the fonts and the icons: not the list's
 * cost, so it is paid before measuring. */
static void
warm_up (void)
{
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TirkeuRequestList) list = tirkeu_request_list_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GtkWidget *window = adw_window_new ();
  GtkWidget *page = tirkeu_requests_page_new ();

  for (guint i = 0; i < 40; i++)
    g_ptr_array_add (requests, tirkeu_tracking_make_request (i, stages[i % G_N_ELEMENTS (stages)],
                                                             now - i * 60));
  tirkeu_request_list_set_requests (list, requests);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  tirkeu_requests_page_set_list (TIRKEU_REQUESTS_PAGE (page), list);
  adw_window_set_content (ADW_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (after_paint_cb), NULL);
  wait_frames (window, 2);
  gtk_widget_activate_action (page, "requests.filter", "s", "completed");
  wait_frames (window, 2);
  gtk_window_destroy (GTK_WINDOW (window));
  wait_ms (50);
}

static Signer *
signer_new (void)
{
  g_autofree char *softhsm = g_find_program_in_path ("softhsm2-util");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  Signer *signer;

  if (softhsm == NULL)
    return NULL;

  signer = g_new0 (Signer, 1);
  signer->token = token_fixture_new ();
  signer->certificate_id = g_key_file_get_string (signer->token->ini, "sign-rsa", "id", NULL);
  signer->manager = tirkeu_token_manager_new (signer->token->module);
  tirkeu_token_manager_load_async (signer->manager, NULL, flag_cb, &result);
  if (!tirkeu_token_manager_load_finish (signer->manager, wait_result (&result), NULL))
    g_error ("cannot load %s", signer->token->module);
  g_clear_object (&result);
  tirkeu_token_manager_list_tokens_async (signer->manager, NULL, flag_cb, &result);
  tokens = tirkeu_token_manager_list_tokens_finish (signer->manager, wait_result (&result), NULL);
  g_assert_true (tokens != NULL && tokens->len > 0);
  signer->serial = g_strdup (tirkeu_token_info_get_serial (g_ptr_array_index (tokens, 0)));

  return signer;
}

int
main (int   argc,
      char *argv[])
{
  const char *sizes = g_getenv ("TIRKEU_BENCH_SIZES");
  g_auto(GStrv) size_list = NULL;
  Signer *signer;

  /* SoftHSM's configuration before any thread starts */
  signer = signer_new ();

  /* Not isolated: the icon theme and its loaders are the system's. The journal lives in a
   * temporary folder of its own. */
  g_test_init (&argc, &argv, NULL);
  g_setenv ("TZ", "Asia/Almaty", TRUE);
  /* Xvfb has no GPU: GL would be llvmpipe's threads; the cairo renderer draws on the main
   * thread, as a desk computer without working GL does, and is what the figures count. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  gtk_init ();
  adw_init ();
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/tirkeu/Tirkeu/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  g_timeout_add_full (G_PRIORITY_HIGH, 1, tick_cb, NULL, NULL);

  g_print ("Requests page in a window (GTK %u.%u.%u, GSK_RENDERER=%s), sync pages of %u changes, "
           "%u signatures\n", gtk_get_major_version (), gtk_get_minor_version (),
           gtk_get_micro_version (), g_getenv ("GSK_RENDERER"), PAGE_SIZE,
           signer != NULL ? N_SIGNATURES : 0);
  warm_up ();
  size_list = g_strsplit (sizes != NULL && *sizes != '\0' ? sizes : "1000,10000", ",", -1);
  for (guint i = 0; size_list[i] != NULL; i++)
    {
      guint64 n;

      if (!g_ascii_string_to_unsigned (size_list[i], 10, 100, 10000000, &n, NULL))
        g_error ("TIRKEU_BENCH_SIZES: %s is not a size", size_list[i]);
      run_size ((guint) n, signer);
    }

  if (signer != NULL)
    {
      g_object_unref (signer->manager);
      token_fixture_free (signer->token);
      g_free (signer->serial);
      g_free (signer->certificate_id);
      g_free (signer);
    }

  return 0;
}
