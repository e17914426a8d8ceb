/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The requests list for real under Xvfb: filters, search, order, what a row shows (the IIN
 * masked), the request page opened from a row, and the offline bar. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tirkeu-iin.h"
#include "tirkeu-request-row.h"
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
#define ADD(path, func) \
  g_test_add ("/requests-page/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("filters", test_filters);
  ADD ("search", test_search);
  ADD ("sorted", test_sorted);
  ADD ("rows", test_rows);
  ADD ("open-request", test_open_request);
  ADD ("offline-bar", test_offline_bar);
#undef ADD

  return g_test_run ();
}
