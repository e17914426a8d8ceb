/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The requests list for real under Xvfb: filters, search, order, what a row shows (the IIN
 * masked), the request page opened from a row, and the offline bar. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tirkeu-draft.h"
#include "tirkeu-iin.h"
#include "tirkeu-request-row.h"
#include "tirkeu-search-key.h"
#include "tirkeu-requests-page.h"
#include "tirkeu-tracking-test.h"
#include "tirkeu-ui-test.h"

/* Two hours ago: the synthetic requests changed every 10 minutes before that. */
static gint64 now_s;
#define NOW now_s

/* Every stage once, twice over, with what the list's filter must make of it: written out
 * here rather than derived from the code under test. */
static const struct {
  TirkeuStage stage;
  TirkeuRequestCategory category;
} stage_categories[] = {
  { TIRKEU_STAGE_DRAFT, TIRKEU_REQUEST_CATEGORY_NEEDS_ACTION },
  { TIRKEU_STAGE_SUBMITTED, TIRKEU_REQUEST_CATEGORY_IN_PROGRESS },
  { TIRKEU_STAGE_AWAITING_BUYER, TIRKEU_REQUEST_CATEGORY_AWAITING_BUYER },
  { TIRKEU_STAGE_BUYER_APPROVED, TIRKEU_REQUEST_CATEGORY_IN_PROGRESS },
  { TIRKEU_STAGE_BUYER_RECHECK, TIRKEU_REQUEST_CATEGORY_IN_PROGRESS },
  { TIRKEU_STAGE_FINES_CHECK, TIRKEU_REQUEST_CATEGORY_IN_PROGRESS },
  { TIRKEU_STAGE_FINES_UNPAID, TIRKEU_REQUEST_CATEGORY_AWAITING_BUYER },
  { TIRKEU_STAGE_TSON_CHOSEN, TIRKEU_REQUEST_CATEGORY_AWAITING_BUYER },
  { TIRKEU_STAGE_PHONE_CONFIRMED, TIRKEU_REQUEST_CATEGORY_AWAITING_BUYER },
  { TIRKEU_STAGE_PAID, TIRKEU_REQUEST_CATEGORY_AWAITING_BUYER },
  { TIRKEU_STAGE_BUYER_SIGNED, TIRKEU_REQUEST_CATEGORY_IN_PROGRESS },
  { TIRKEU_STAGE_PROCESSING, TIRKEU_REQUEST_CATEGORY_IN_PROGRESS },
  { TIRKEU_STAGE_COMPLETED, TIRKEU_REQUEST_CATEGORY_COMPLETED },
  { TIRKEU_STAGE_REFUSED, TIRKEU_REQUEST_CATEGORY_CLOSED },
  { TIRKEU_STAGE_DECLINED, TIRKEU_REQUEST_CATEGORY_CLOSED },
  { TIRKEU_STAGE_EXPIRED, TIRKEU_REQUEST_CATEGORY_CLOSED },
  { TIRKEU_STAGE_WITHDRAWN, TIRKEU_REQUEST_CATEGORY_CLOSED },
};

typedef struct
{
  GtkWindow          *window;
  TirkeuRequestsPage *page;
  TirkeuRequestList  *list;
  GPtrArray          *requests;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  tirkeu_ui_test_use_system_data ();
  now_s = g_get_real_time () / G_USEC_PER_SEC - 7200;
  fixture->requests = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < 2 * G_N_ELEMENTS (stage_categories); i++)
    g_ptr_array_add (fixture->requests,
                     tirkeu_tracking_make_request (i, stage_categories[i % G_N_ELEMENTS (stage_categories)].stage,
                                                   NOW - i * 600));
  fixture->list = tirkeu_request_list_new ();
  tirkeu_request_list_set_requests (fixture->list, fixture->requests);

  fixture->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (fixture->window, 1100, 700);
  fixture->page = TIRKEU_REQUESTS_PAGE (tirkeu_requests_page_new ());
  tirkeu_requests_page_set_list (fixture->page, fixture->list);
  adw_window_set_content (ADW_WINDOW (fixture->window), GTK_WIDGET (fixture->page));
  gtk_window_present (fixture->window);
  tirkeu_ui_test_wait_drawn (GTK_WIDGET (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  tirkeu_ui_test_iterate (10);
  g_assert_finalize_object (fixture->list);
  g_ptr_array_unref (fixture->requests);
}

static guint
n_shown (Fixture *fixture)
{
  return g_list_model_get_n_items (tirkeu_request_list_get_model (fixture->list));
}

static void
test_filters (Fixture       *fixture,
              gconstpointer  data)
{
  for (TirkeuRequestCategory category = 0; category < TIRKEU_N_REQUEST_CATEGORIES; category++)
    {
      const char *name = tirkeu_request_category_to_string (category);
      GListModel *model = tirkeu_request_list_get_model (fixture->list);
      guint expected = 0;

      for (guint i = 0; i < fixture->requests->len; i++)
        if (category == TIRKEU_REQUEST_CATEGORY_ALL
            || stage_categories[i % G_N_ELEMENTS (stage_categories)].category == category)
          expected++;

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "requests.filter",
                                                 "s", name));
      g_assert_cmpuint (tirkeu_request_list_get_category (fixture->list), ==, category);
      g_assert_cmpuint (n_shown (fixture), ==, expected);
      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        {
          g_autoptr(TirkeuRequest) request = g_list_model_get_item (model, i);

          if (category != TIRKEU_REQUEST_CATEGORY_ALL)
            g_assert_cmpuint (tirkeu_request_category_for_stage (tirkeu_request_get_stage (request)),
                              ==, category);
        }
      tirkeu_ui_test_iterate (20);
    }
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "requests.filter", "s", "all");
  g_assert_cmpuint (n_shown (fixture), ==, fixture->requests->len);
}

static void
wait_shown (Fixture *fixture,
            guint    expected)
{
  /* The search entry reports after its search delay. */
  for (guint i = 0; i < 100 && n_shown (fixture) != expected; i++)
    tirkeu_ui_test_iterate (20);
  g_assert_cmpuint (n_shown (fixture), ==, expected);
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  GtkEditable *entry = GTK_EDITABLE (tirkeu_requests_page_get_search_entry (fixture->page));
  TirkeuRequest *seventh = g_ptr_array_index (fixture->requests, 7);
  guint n_same_buyer = 0;
  guint n_same_iin = 0;

  for (guint i = 0; i < fixture->requests->len; i++)
    {
      TirkeuRequest *request = g_ptr_array_index (fixture->requests, i);

      if (g_str_equal (tirkeu_request_get_buyer_name (request),
                       tirkeu_request_get_buyer_name (seventh)))
        n_same_buyer++;
      if (g_str_equal (tirkeu_request_get_buyer_iin (request),
                       tirkeu_request_get_buyer_iin (seventh)))
        n_same_iin++;
    }

  /* By VIN, in lower case */
  {
    g_autofree char *vin = g_ascii_strdown (tirkeu_request_get_vin (seventh), -1);
    gtk_editable_set_text (entry, vin);
    wait_shown (fixture, 1);
  }
  /* By request number */
  gtk_editable_set_text (entry, tirkeu_request_get_portal_id (seventh));
  wait_shown (fixture, 1);
  /* By the whole IIN */
  gtk_editable_set_text (entry, tirkeu_request_get_buyer_iin (seventh));
  wait_shown (fixture, n_same_iin);
  /* By the buyer's name, one word of it, any case */
  {
    g_auto(GStrv) words = g_strsplit (tirkeu_request_get_buyer_name (seventh), " ", -1);
    g_autofree char *lower = g_utf8_strdown (words[0], -1);
    gtk_editable_set_text (entry, lower);
    wait_shown (fixture, n_same_buyer);
  }
  /* Nothing matches: the empty state */
  gtk_editable_set_text (entry, "no-such-request");
  wait_shown (fixture, 0);
  /* Search and filter together */
  gtk_editable_set_text (entry, tirkeu_request_get_buyer_iin (seventh));
  wait_shown (fixture, n_same_iin);
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "requests.filter", "s", "completed");
  g_assert_cmpuint (n_shown (fixture), <=, n_same_iin);
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "requests.filter", "s", "all");
  gtk_editable_set_text (entry, "");
  wait_shown (fixture, fixture->requests->len);

  /* A name in Kazakh spelling, typed on a Russian layout, and the other way round; the list
   * also takes a request that joined it by a sync page */
  {
    g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
    TirkeuRequest *kazakh = tirkeu_tracking_make_request (900, TIRKEU_STAGE_AWAITING_BUYER,
                                                          NOW - 60);

    tirkeu_request_set_buyer_name (kazakh, "ӘБІЛҚАСЫМОВА ДИНАРА");
    g_ptr_array_add (page, kazakh);
    tirkeu_request_list_update (fixture->list, page);
    gtk_editable_set_text (entry, "Абилкасымова");
    wait_shown (fixture, 1);
    gtk_editable_set_text (entry, "әбілқ");
    wait_shown (fixture, 1);
    gtk_editable_set_text (entry, "");
    wait_shown (fixture, fixture->requests->len + 1);
  }
}

static void
test_sorted (Fixture       *fixture,
             gconstpointer  data)
{
  GListModel *model = tirkeu_request_list_get_model (fixture->list);
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TirkeuRequest) first = NULL;
  gint64 previous = G_MAXINT64;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TirkeuRequest) request = g_list_model_get_item (model, i);
      gint64 updated = g_date_time_to_unix (tirkeu_request_get_last_change (request));

      g_assert_cmpint (updated, <=, previous);
      previous = updated;
    }

  /* A request that changes moves to the top, and the list does not grow. */
  g_ptr_array_add (changed, tirkeu_tracking_make_request (20, TIRKEU_STAGE_COMPLETED, NOW + 7200 + 600));
  tirkeu_request_list_update (fixture->list, changed);
  g_assert_cmpuint (tirkeu_request_list_get_n_requests (fixture->list), ==, fixture->requests->len);
  first = g_list_model_get_item (model, 0);
  g_assert_cmpstr (tirkeu_request_get_portal_id (first), ==, "KZ-0000020");
  g_assert_cmpint (tirkeu_request_get_stage (first), ==, TIRKEU_STAGE_COMPLETED);
}

static void
collect_labels (GtkWidget *widget,
                GString   *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget))
    {
      g_string_append (text, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (text, '\n');
    }
  /* a row draws its texts itself */
  if (TIRKEU_IS_REQUEST_ROW (widget) && gtk_widget_get_mapped (widget))
    {
      g_autofree char *row_text = tirkeu_request_row_get_text (TIRKEU_REQUEST_ROW (widget));

      g_string_append (text, row_text);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, text);
}

static void
test_rows (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *path = NULL;

  collect_labels (GTK_WIDGET (fixture->window), text);
  /* No full IIN on screen, the masked ones are */
  for (guint i = 0; i < fixture->requests->len; i++)
    {
      TirkeuRequest *request = g_ptr_array_index (fixture->requests, i);
      g_autofree char *masked = tirkeu_iin_mask (tirkeu_request_get_buyer_iin (request));

      g_assert_null (strstr (text->str, tirkeu_request_get_buyer_iin (request)));
      if (i == 0)
        g_assert_nonnull (strstr (text->str, masked));
    }
  g_assert_nonnull (strstr (text->str, "Toyota Camry, 2025"));
  g_assert_nonnull (strstr (text->str, "Submitted"));
  path = tirkeu_ui_test_save_screenshot (GTK_WIDGET (fixture->window), "requests-page");
  g_test_message ("screenshot: %s", path);
}

static void
test_open_request (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkListView *view = tirkeu_requests_page_get_list_view (fixture->page);
  TirkeuRequestPage *request_page = tirkeu_requests_page_get_request_page (fixture->page);
  g_autoptr(TirkeuRequest) top = g_list_model_get_item (tirkeu_request_list_get_model (fixture->list), 0);

  g_assert_false (tirkeu_requests_page_get_showing_request (fixture->page));
  g_signal_emit_by_name (view, "activate", 0);
  g_assert_true (tirkeu_requests_page_get_showing_request (fixture->page));
  g_assert_true (tirkeu_request_page_get_request (request_page) == top);
  tirkeu_ui_test_iterate (300);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (request_page), "requests.back", NULL));
  g_assert_false (tirkeu_requests_page_get_showing_request (fixture->page));

  /* Ctrl+F's action goes back to the list and focuses the search entry. */
  tirkeu_requests_page_show_request (fixture->page, top);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "requests.search", NULL));
  g_assert_false (tirkeu_requests_page_get_showing_request (fixture->page));
  tirkeu_ui_test_iterate (50);
  {
    GtkWidget *focus = gtk_window_get_focus (fixture->window);
    GtkWidget *entry = GTK_WIDGET (tirkeu_requests_page_get_search_entry (fixture->page));

    g_assert_nonnull (focus);
    g_assert_true (focus == entry || gtk_widget_is_ancestor (focus, entry));
  }
}

static void
test_offline_bar (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TirkeuTrackingPortal) portal = tirkeu_tracking_portal_new (1000);
  g_autoptr(TirkeuPortalClient) client = tirkeu_tracking_portal_sign_in (portal);
  g_autoptr(TirkeuJournal) journal = tirkeu_tracking_journal_new ();
  g_autoptr(TirkeuSync) sync = tirkeu_sync_new (journal, NULL);
  g_autoptr(GString) text = g_string_new (NULL);

  /* Signed in, then the portal goes away. */
  tirkeu_tracking_portal_stop (portal);
  tirkeu_requests_page_set_sync (fixture->page, sync);
  tirkeu_sync_set_backoff (sync, 30000, 60000);
  tirkeu_sync_set_client (sync, client);
  tirkeu_sync_start (sync);
  for (guint i = 0; i < 250 && tirkeu_sync_get_online (sync); i++)
    tirkeu_ui_test_iterate (20);
  g_assert_false (tirkeu_sync_get_online (sync));
  tirkeu_ui_test_iterate (400);

  collect_labels (GTK_WIDGET (fixture->window), text);
  g_assert_nonnull (strstr (text->str, "Offline"));
  g_assert_nonnull (strstr (text->str, "Retrying in 30 seconds"));
  {
    g_autofree char *path = tirkeu_ui_test_save_screenshot (GTK_WIDGET (fixture->window),
                                                            "requests-page-offline");
    g_test_message ("screenshot: %s", path);
  }
  tirkeu_sync_stop (sync);
  tirkeu_requests_page_set_sync (fixture->page, NULL);
}

static void
test_relative_time (void)
{
  static const struct {
    gint64 seconds_ago;
    const char *expected;
  } cases[] = {
    { 10, "Just now" },
    { 60, "1 minute ago" },
    { 5 * 60, "5 minutes ago" },
    { 26 * 3600, NULL },  /* yesterday or 2 days, by the clock: checked below */
    { 3 * 86400, "3 days ago" },
    { 40 * 86400, NULL },
  };
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 17, 12, 0, 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) then = g_date_time_add_seconds (now, -cases[i].seconds_ago);
      g_autofree char *text = tirkeu_format_relative_time (then, now);

      if (cases[i].expected != NULL)
        g_assert_cmpstr (text, ==, cases[i].expected);
      else
        g_assert_true (g_str_equal (text, "Yesterday") || strchr (text, '.') != NULL
                       || g_str_has_suffix (text, "ago"));
    }
}

typedef struct
{
  guint count;
  guint removed;
  guint added;
  guint n_items;   /* the model's size as the last change left it */
} Changes;

static void
count_cb (GListModel *model,
          guint       position,
          guint       removed,
          guint       added,
          Changes    *changes)
{
  /* each change is whole when told: the model's size already follows it */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, changes->n_items - removed + added);
  changes->n_items = g_list_model_get_n_items (model);
  changes->count++;
  changes->removed += removed;
  changes->added += added;
}

/* A sync page changes the list where its requests left and came, and nowhere else: old
 * requests to the top, new ones in, and the order kept. A change over the whole stretch
 * between them would have the list view rebind every row of it. */
static void
test_one_change_per_page (Fixture       *fixture,
                          gconstpointer  data)
{
  GListModel *model = tirkeu_request_list_get_model (fixture->list);
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  guint before = g_list_model_get_n_items (model);
  gint64 later = g_get_real_time () / G_USEC_PER_SEC + 3600;
  Changes changes = { 0, 0, 0, before };
  gulong handler;

  /* three listed requests move on (new objects, as a sync maps them), two are new */
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (page, tirkeu_tracking_make_request (2 + 5 * i, TIRKEU_STAGE_COMPLETED,
                                                         later + i));
  g_ptr_array_add (page, tirkeu_tracking_make_request (800, TIRKEU_STAGE_AWAITING_BUYER,
                                                       NOW + 30));
  g_ptr_array_add (page, tirkeu_tracking_make_request (801, TIRKEU_STAGE_AWAITING_BUYER,
                                                       NOW - 100000));

  handler = g_signal_connect (model, "items-changed", G_CALLBACK (count_cb), &changes);
  tirkeu_request_list_update (fixture->list, page);
  g_signal_handler_disconnect (model, handler);

  /* the three moved requests left their places and came back with the two new ones, in at
   * most one change for each */
  g_assert_cmpuint (changes.removed, ==, 3);
  g_assert_cmpuint (changes.added, ==, 5);
  g_assert_cmpuint (changes.count, >=, 1);
  g_assert_cmpuint (changes.count, <=, 3 + 5);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, before + 2);
  for (guint i = 1; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TirkeuRequest) a = g_list_model_get_item (model, i - 1);
      g_autoptr(TirkeuRequest) b = g_list_model_get_item (model, i);

      g_assert_cmpint (tirkeu_search_key_compare (a, b), <, 0);
    }
  {
    g_autoptr(TirkeuRequest) top = g_list_model_get_item (model, 0);

    g_assert_true (top == g_ptr_array_index (page, 2));
  }
  g_assert_true (tirkeu_request_list_lookup (fixture->list, "KZ-0000012")
                 == g_ptr_array_index (page, 2));

  /* a request changed in place (same object) that keeps its place is still shown again */
  {
    g_autoptr(GPtrArray) same = g_ptr_array_new ();
    TirkeuRequest *last = tirkeu_request_list_lookup (fixture->list, "KZ-0000801");

    g_assert_nonnull (last);
    tirkeu_request_set_buyer_name (last, "ӘБІЛҚАСЫМОВА ДИНАРА");
    g_ptr_array_add (same, last);
    changes = (Changes) { 0, 0, 0, g_list_model_get_n_items (model) };
    handler = g_signal_connect (model, "items-changed", G_CALLBACK (count_cb), &changes);
    tirkeu_request_list_update (fixture->list, same);
    g_signal_handler_disconnect (model, handler);
    g_assert_cmpuint (changes.count, ==, 1);
    /* and found by its new name */
    tirkeu_request_list_set_search (fixture->list, "абилкасымова");
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
    tirkeu_request_list_set_search (fixture->list, "");
  }
}


static void
max_added_cb (GListModel *model,
              guint       position,
              guint       removed,
              guint       added,
              guint      *max_added)
{
  *max_added = MAX (*max_added, added);
}

static void
drain_main_loop (GListModel *model)
{
  while (gtk_filter_list_model_get_pending (GTK_FILTER_LIST_MODEL (model)) > 0)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* A page of requests older than every listed one (the rest of a load, part after part) is
 * added at the end as one change of its own size, with the counts; a page that also holds a
 * listed request, or one that sorts among them, is merged in order as before. */
static void
test_older_page_appended (Fixture       *fixture,
                          gconstpointer  data)
{
  GListModel *model = tirkeu_request_list_get_model (fixture->list);
  g_autoptr(GPtrArray) older = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) mixed = g_ptr_array_new_with_free_func (g_object_unref);
  guint before = g_list_model_get_n_items (model);
  guint completed = tirkeu_request_list_get_count (fixture->list,
                                                   TIRKEU_REQUEST_CATEGORY_COMPLETED);
  Changes changes = { 0, 0, 0, before };
  gulong handler;

  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (older, tirkeu_tracking_make_request (900 + i, TIRKEU_STAGE_COMPLETED,
                                                          NOW - 1000000 - i * 60));

  handler = g_signal_connect (model, "items-changed", G_CALLBACK (count_cb), &changes);
  tirkeu_request_list_update (fixture->list, older);
  g_signal_handler_disconnect (model, handler);

  g_assert_cmpuint (changes.count, ==, 1);
  g_assert_cmpuint (changes.removed, ==, 0);
  g_assert_cmpuint (changes.added, ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, before + 4);
  g_assert_cmpuint (tirkeu_request_list_get_count (fixture->list,
                                                   TIRKEU_REQUEST_CATEGORY_COMPLETED),
                    ==, completed + 4);
  g_assert_cmpuint (tirkeu_request_list_get_count (fixture->list, TIRKEU_REQUEST_CATEGORY_ALL),
                    ==, before + 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(TirkeuRequest) shown = g_list_model_get_item (model, before + i);

      g_assert_true (shown == g_ptr_array_index (older, i));
    }
  g_assert_true (tirkeu_request_list_lookup (fixture->list, "KZ-0000903")
                 == g_ptr_array_index (older, 3));

  /* older still, with a new copy of a listed request: merged, the copy in the old one's
   * place in the order, nothing listed twice */
  g_ptr_array_add (mixed, tirkeu_tracking_make_request (950, TIRKEU_STAGE_COMPLETED,
                                                        NOW - 2000000));
  g_ptr_array_add (mixed, tirkeu_tracking_make_request (901, TIRKEU_STAGE_REFUSED,
                                                        NOW - 1000000 - 60));
  tirkeu_request_list_update (fixture->list, mixed);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, before + 5);
  g_assert_true (tirkeu_request_list_lookup (fixture->list, "KZ-0000901")
                 == g_ptr_array_index (mixed, 1));
  for (guint i = 1; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TirkeuRequest) a = g_list_model_get_item (model, i - 1);
      g_autoptr(TirkeuRequest) b = g_list_model_get_item (model, i);

      g_assert_cmpint (tirkeu_search_key_compare (a, b), <, 0);
    }
  {
    g_autoptr(TirkeuRequest) last = g_list_model_get_item (model, before + 4);

    g_assert_true (last == g_ptr_array_index (mixed, 0));
  }
  g_assert_cmpuint (tirkeu_request_list_get_count (fixture->list,
                                                   TIRKEU_REQUEST_CATEGORY_COMPLETED),
                    ==, completed + 4);

  /* with a filter on, the appended requests that match it are shown */
  tirkeu_request_list_set_category (fixture->list, TIRKEU_REQUEST_CATEGORY_COMPLETED);
  drain_main_loop (model);
  {
    guint shown = g_list_model_get_n_items (model);
    g_autoptr(GPtrArray) oldest = g_ptr_array_new_with_free_func (g_object_unref);

    g_ptr_array_add (oldest, tirkeu_tracking_make_request (960, TIRKEU_STAGE_COMPLETED,
                                                           NOW - 3000000));
    g_ptr_array_add (oldest, tirkeu_tracking_make_request (961, TIRKEU_STAGE_REFUSED,
                                                           NOW - 3000060));
    tirkeu_request_list_update (fixture->list, oldest);
    drain_main_loop (model);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, shown + 1);
  }
  tirkeu_request_list_set_category (fixture->list, TIRKEU_REQUEST_CATEGORY_ALL);
}

/* Back to every request of a long list (filtered in batches): the requests come back batch
 * by batch, never as one change over the whole list (one stall of the window), and once
 * they are all back a page's change goes to the list view as it is. */
static void
test_back_to_all (void)
{
  g_autoptr(TirkeuRequestList) list = tirkeu_request_list_new ();
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model = tirkeu_request_list_get_model (list);
  guint n = 6000;
  guint max_added = 0;
  gulong handler;

  now_s = g_get_real_time () / G_USEC_PER_SEC - 7200;
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (requests,
                     tirkeu_tracking_make_request (i, stage_categories[i % G_N_ELEMENTS (stage_categories)].stage,
                                                   NOW - i * 60));
  tirkeu_request_list_set_requests (list, requests);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);

  tirkeu_request_list_set_category (list, TIRKEU_REQUEST_CATEGORY_COMPLETED);
  drain_main_loop (model);
  g_assert_cmpuint (g_list_model_get_n_items (model), <, n / 2);

  handler = g_signal_connect (model, "items-changed", G_CALLBACK (max_added_cb), &max_added);
  tirkeu_request_list_set_category (list, TIRKEU_REQUEST_CATEGORY_ALL);
  drain_main_loop (model);
  g_signal_handler_disconnect (model, handler);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
  g_assert_cmpuint (max_added, <, n / 2);

  /* a new request on top: one change of one request */
  g_ptr_array_add (page, tirkeu_tracking_make_request (n, TIRKEU_STAGE_AWAITING_BUYER,
                                                       NOW + 60));
  {
    Changes changes = { 0, 0, 0, n };

    handler = g_signal_connect (model, "items-changed", G_CALLBACK (count_cb), &changes);
    tirkeu_request_list_update (list, page);
    g_signal_handler_disconnect (model, handler);
    g_assert_cmpuint (changes.count, ==, 1);
    g_assert_cmpuint (changes.removed, ==, 0);
    g_assert_cmpuint (changes.added, ==, 1);
  }
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
set_str_cb (char               **slot,
            const char          *value,
            TirkeuRequestsPage  *page)
{
  g_free (*slot);
  *slot = g_strdup (value);
}

/* Clicks the toast's button with @label (its Undo), or its close button when %NULL. */
static void
click_toast_button (GtkWidget  *root,
                    const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child) && gtk_widget_get_visible (child)
          && (label != NULL ? g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0
                            : g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (child)),
                                         "window-close-symbolic") == 0))
        {
          g_signal_emit_by_name (child, "clicked");
          return;
        }
      click_toast_button (child, label);
    }
}

/* The drafts of a journal, as the flow saves them. */
static char *
save_draft (TirkeuJournal *journal,
            const char    *vin,
            const char    *iin)
{
  g_autoptr(TirkeuDraft) draft = tirkeu_draft_new (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_free (draft->vin);
  draft->vin = g_strdup (vin);
  g_free (draft->buyer_iin);
  draft->buyer_iin = g_strdup (iin);
  tirkeu_journal_save_draft_async (journal, draft->id, tirkeu_draft_to_fields (draft), NULL,
                                   store_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (tirkeu_journal_save_draft_finish (journal, result, &error));
  g_assert_no_error (error);
  return g_strdup (draft->id);
}

static guint
journal_n_drafts (TirkeuJournal *journal)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) drafts = NULL;
  g_autoptr(GError) error = NULL;

  tirkeu_journal_list_drafts_async (journal, NULL, store_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  drafts = tirkeu_journal_list_drafts_finish (journal, result, &error);
  g_assert_no_error (error);
  return g_variant_n_children (drafts);
}

static guint
n_draft_rows (Fixture *fixture)
{
  GtkWidget *list = tirkeu_ui_test_find_row (GTK_WIDGET (fixture->window), "XTA210743S0000120");
  guint n = 0;

  if (list == NULL)
    return 0;
  for (GtkWidget *row = gtk_widget_get_first_child (gtk_widget_get_parent (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (gtk_widget_get_mapped (row))
      n++;
  return n;
}

/* The toast over the page that says @title, if shown. */
static GtkWidget *
find_toast (GtkWidget  *root,
            const char *title)
{
  if (g_str_equal (G_OBJECT_TYPE_NAME (root), "AdwToastWidget"))
    {
      g_autoptr(GString) text = g_string_new (NULL);

      collect_labels (root, text);
      if (strstr (text->str, title) != NULL)
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_toast (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
wait_for_drafts (Fixture *fixture,
                 guint    expected)
{
  for (guint i = 0; i < 200 && tirkeu_requests_page_get_n_drafts (fixture->page) != expected; i++)
    tirkeu_ui_test_iterate (20);
  tirkeu_ui_test_iterate (50);
  g_assert_cmpuint (tirkeu_requests_page_get_n_drafts (fixture->page), ==, expected);
}

/* The Drafts filter lists the journal's unfinished drafts with their count; one resumes, one
 * is discarded: gone from the list at once, from the journal only when its toast goes
 * without Undo. */
static void
test_drafts (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(TirkeuJournal) journal = tirkeu_tracking_journal_new ();
  g_autofree char *first = save_draft (journal, "XTA210743S0000120", "850312300121");
  g_autofree char *second = save_draft (journal, "XW8ZZZ3C0SG000103", "");
  g_autofree char *resumed = NULL;
  GtkWidget *toast;
  GtkWidget *row;
  guint base = journal_n_drafts (journal);

  g_assert_cmpuint (base, >=, 2);
  tirkeu_requests_page_set_journal (fixture->page, journal);
  wait_for_drafts (fixture, base);
  {
    g_autofree char *expected = g_strdup_printf ("Drafts %u", base);

    g_assert_cmpstr (tirkeu_requests_page_get_filter_label (fixture->page, "drafts"), ==, expected);
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "requests.filter", "s",
                                             "drafts"));
  tirkeu_ui_test_iterate (300);
  row = tirkeu_ui_test_find_row (GTK_WIDGET (fixture->window), "XTA210743S0000120");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_mapped (row));
  g_assert_nonnull (tirkeu_ui_test_find_row (GTK_WIDGET (fixture->window), "XW8ZZZ3C0SG000103"));
  g_assert_cmpuint (n_draft_rows (fixture), ==, base);
  {
    g_autoptr(GString) text = g_string_new (NULL);

    collect_labels (row, text);
    /* the IIN masked, never whole */
    g_assert_null (strstr (text->str, "850312300121"));
    g_assert_nonnull (strstr (text->str, "IIN 850312"));
  }

  /* Activating a draft asks to resume it. */
  g_signal_connect_swapped (fixture->page, "resume-draft", G_CALLBACK (set_str_cb), &resumed);
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  g_assert_cmpstr (resumed, ==, first);

  /* Discard, then Undo: back in the list, never out of the journal. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "requests.discard-draft",
                                             "s", first));
  tirkeu_ui_test_iterate (300);
  g_assert_null (tirkeu_ui_test_find_row (GTK_WIDGET (fixture->window), "XTA210743S0000120"));
  g_assert_cmpuint (tirkeu_requests_page_get_n_drafts (fixture->page), ==, base - 1);
  g_assert_cmpuint (journal_n_drafts (journal), ==, base);
  toast = find_toast (GTK_WIDGET (fixture->window), "Draft discarded");
  g_assert_nonnull (toast);
  click_toast_button (toast, "_Undo");
  wait_for_drafts (fixture, base);
  g_assert_nonnull (tirkeu_ui_test_find_row (GTK_WIDGET (fixture->window), "XTA210743S0000120"));
  g_assert_cmpuint (journal_n_drafts (journal), ==, base);

  /* Discard, and the toast goes: out of the journal. */
  tirkeu_ui_test_iterate (500);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "requests.discard-draft",
                                             "s", first));
  tirkeu_ui_test_iterate (300);
  toast = find_toast (GTK_WIDGET (fixture->window), "Draft discarded");
  g_assert_nonnull (toast);
  g_assert_cmpuint (journal_n_drafts (journal), ==, base);
  click_toast_button (toast, NULL);
  for (guint i = 0; i < 200 && journal_n_drafts (journal) != base - 1; i++)
    tirkeu_ui_test_iterate (20);
  g_assert_cmpuint (journal_n_drafts (journal), ==, base - 1);
  wait_for_drafts (fixture, base - 1);
  g_assert_null (tirkeu_ui_test_find_row (GTK_WIDGET (fixture->window), "XTA210743S0000120"));

  /* Back to the requests. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "requests.filter", "s", "all");
  g_assert_cmpuint (n_shown (fixture), ==, fixture->requests->len);
  tirkeu_requests_page_set_journal (fixture->page, NULL);
  (void) second;
}

/* Each filter says how many requests it holds, and follows a sync page. */
static void
test_filter_counts (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  guint needs = 0;

  for (guint i = 0; i < fixture->requests->len; i++)
    if (stage_categories[i % G_N_ELEMENTS (stage_categories)].category
        == TIRKEU_REQUEST_CATEGORY_NEEDS_ACTION)
      needs++;
  g_assert_cmpuint (needs, >, 0);
  {
    g_autofree char *expected = g_strdup_printf ("Needs My Action %u", needs);

    g_assert_cmpstr (tirkeu_requests_page_get_filter_label (fixture->page, "needs-action"), ==,
                     expected);
  }
  g_ptr_array_add (page, tirkeu_tracking_make_request (700, TIRKEU_STAGE_DRAFT, NOW + 60));
  tirkeu_request_list_update (fixture->list, page);
  {
    g_autofree char *expected = g_strdup_printf ("Needs My Action %u", needs + 1);

    g_assert_cmpstr (tirkeu_requests_page_get_filter_label (fixture->page, "needs-action"), ==,
                     expected);
  }
  g_assert_cmpstr (tirkeu_requests_page_get_filter_label (fixture->page, "all"), ==, "All");
}

static TirkeuRequestRow *
find_request_row (GtkWidget  *root,
                  const char *portal_id)
{
  if (TIRKEU_IS_REQUEST_ROW (root) && gtk_widget_get_mapped (root)
      && tirkeu_request_row_get_request (TIRKEU_REQUEST_ROW (root)) != NULL
      && g_strcmp0 (tirkeu_request_get_portal_id (tirkeu_request_row_get_request (TIRKEU_REQUEST_ROW (root))),
                    portal_id) == 0)
    return TIRKEU_REQUEST_ROW (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      TirkeuRequestRow *found = find_request_row (child, portal_id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A request far down the list is scrolled into view and tinted; the tint fades. With
 * animations off, a still mark instead, gone as late. */
static void
test_reveal_highlight (Fixture       *fixture,
                       gconstpointer  data)
{
  TirkeuRequest *last = g_ptr_array_index (fixture->requests, fixture->requests->len - 1);
  const char *portal_id = tirkeu_request_get_portal_id (last);
  GtkSettings *settings = gtk_widget_get_settings (GTK_WIDGET (fixture->window));
  TirkeuRequestRow *row;
  gboolean marked = TRUE;
  double first;

  gtk_window_set_default_size (fixture->window, 1100, 400);
  gtk_editable_set_text (GTK_EDITABLE (tirkeu_requests_page_get_search_entry (fixture->page)),
                         "no-such-request");
  wait_shown (fixture, 0);
  tirkeu_ui_test_iterate (200);
  g_assert_null (find_request_row (GTK_WIDGET (fixture->window), portal_id));

  /* The search that hid it is cleared. */
  g_object_set (settings, "gtk-enable-animations", TRUE, NULL);
  tirkeu_requests_page_reveal_request (fixture->page, portal_id);
  tirkeu_ui_test_iterate (300);
  row = find_request_row (GTK_WIDGET (fixture->window), portal_id);
  g_assert_nonnull (row);
  {
    graphene_rect_t bounds;
    GtkWidget *view = GTK_WIDGET (tirkeu_requests_page_get_list_view (fixture->page));
    GtkWidget *scrolled = gtk_widget_get_parent (view);

    g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (row), scrolled, &bounds));
    g_assert_cmpfloat (bounds.origin.y, >=, 0);
    g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (scrolled) + 1);
  }
  first = tirkeu_request_row_get_highlight (row, &marked);
  g_assert_cmpfloat (first, >, 0);
  g_assert_false (marked);
  g_assert_true (tirkeu_requests_page_get_highlighted (fixture->page, portal_id));
  {
    g_autofree char *shot = tirkeu_ui_test_save_screenshot (GTK_WIDGET (fixture->window),
                                                            "requests-page-highlight.png");
  }
  tirkeu_ui_test_iterate (1000);
  g_assert_cmpfloat (tirkeu_request_row_get_highlight (row, NULL), <, first);
  tirkeu_ui_test_iterate (2500);
  g_assert_cmpfloat (tirkeu_request_row_get_highlight (row, NULL), ==, 0);
  g_assert_false (tirkeu_requests_page_get_highlighted (fixture->page, portal_id));

  /* Reduced motion: a mark, no tint. */
  g_object_set (settings, "gtk-enable-animations", FALSE, NULL);
  tirkeu_requests_page_highlight (fixture->page, portal_id);
  tirkeu_ui_test_iterate (100);
  g_assert_cmpfloat (tirkeu_request_row_get_highlight (row, &marked), ==, 0);
  g_assert_true (marked);
  tirkeu_ui_test_iterate (3500);
  tirkeu_request_row_get_highlight (row, &marked);
  g_assert_false (marked);
  g_object_set (settings, "gtk-enable-animations", TRUE, NULL);
}

int
main (int   argc,
      char *argv[])
{
  tirkeu_ui_test_init (&argc, &argv);
  g_setenv ("TZ", "Asia/Almaty", TRUE);
  gtk_init ();
  adw_init ();
  {
    /* The application loads its style.css from the resource base path; a bare window does not. */
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
    gtk_css_provider_load_from_resource (css, "/io/github/tirkeu/Tirkeu/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  g_test_add_func ("/requests-page/relative-time", test_relative_time);
  g_test_add_func ("/requests-page/back-to-all", test_back_to_all);
#define ADD(path, func) \
  g_test_add ("/requests-page/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("filters", test_filters);
  ADD ("search", test_search);
  ADD ("sorted", test_sorted);
  ADD ("one-change-per-page", test_one_change_per_page);
  ADD ("older-page-appended", test_older_page_appended);
  ADD ("rows", test_rows);
  ADD ("open-request", test_open_request);
  ADD ("offline-bar", test_offline_bar);
  ADD ("drafts", test_drafts);
  ADD ("filter-counts", test_filter_counts);
  ADD ("reveal-highlight", test_reveal_highlight);
#undef ADD

  return g_test_run ();
}
