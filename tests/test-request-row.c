/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The requests list's rows as a Kazakh clerk sees them, under Xvfb: a stage this version does
 * not know is named so in the row too, the long Kazakh stage titles are read whole in their
 * badge, and at 600 px wide the list, a request's page and the new-request pages still fit,
 * with no column shrunk to an ellipsis alone. The whole process speaks Kazakh (gettext is set
 * up once, before GTK). */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-i18n.h"
#include "tirkeu-new-request-pages.h"
#include "tirkeu-request-page.h"
#include "tirkeu-request-row.h"
#include "tirkeu-requests-page.h"
#include "tirkeu-tracking-test.h"
#include "tirkeu-ui-test.h"

static GtkWidget *
present (GtkWidget *content,
         int        width,
         int        height)
{
  GtkWidget *window = adw_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  adw_window_set_content (ADW_WINDOW (window), content);
  gtk_window_present (GTK_WINDOW (window));
  tirkeu_ui_test_wait_drawn (window);
  tirkeu_ui_test_iterate (100);
  return window;
}

/* The drawn rows under @root. */
static void
collect_rows (GtkWidget *root,
              GPtrArray *rows)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (TIRKEU_IS_REQUEST_ROW (child) && gtk_widget_get_mapped (child)
          && tirkeu_request_row_get_request (TIRKEU_REQUEST_ROW (child)) != NULL)
        g_ptr_array_add (rows, child);
      else
        collect_rows (child, rows);
    }
}

/* A newer portal's stage: the row names it as the request page and the CLI do, not as the
 * last stage this version knew. */
static void
test_unknown_stage (void)
{
  g_autoptr(TirkeuRequest) request = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;
  GtkWidget *row;
  GtkWidget *window;

  request = tirkeu_tracking_make_request (1, TIRKEU_STAGE_AWAITING_BUYER,
                                          g_get_real_time () / G_USEC_PER_SEC);
  tirkeu_request_set_unknown_stage (request, "AWAITING_INSURANCE");
  expected = tirkeu_request_dup_unknown_stage_label (request);
  g_assert_nonnull (strstr (expected, "AWAITING_INSURANCE"));

  row = tirkeu_request_row_new ();
  tirkeu_request_row_set_request (TIRKEU_REQUEST_ROW (row), request);
  window = present (row, 1100, 80);
  text = tirkeu_request_row_get_text (TIRKEU_REQUEST_ROW (row));
  g_assert_nonnull (strstr (text, expected));
  g_assert_null (strstr (text, tirkeu_catalogue_stage_title (TIRKEU_STAGE_AWAITING_BUYER)));

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  GtkWidget          *window;
  TirkeuRequestsPage *page;
  TirkeuRequestList  *list;
  GPtrArray          *requests;
} Requests;

/* Every stage a request can be in, newest first. */
static void
requests_set_up (Requests *fixture,
                 int       width)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC - 7200;

  fixture->requests = g_ptr_array_new_with_free_func (g_object_unref);
  for (TirkeuStage stage = TIRKEU_STAGE_SUBMITTED; stage < TIRKEU_N_STAGES; stage++)
    g_ptr_array_add (fixture->requests,
                     tirkeu_tracking_make_request (stage, stage, now - stage * 600));
  fixture->list = tirkeu_request_list_new ();
  tirkeu_request_list_set_requests (fixture->list, fixture->requests);
  fixture->page = TIRKEU_REQUESTS_PAGE (tirkeu_requests_page_new ());
  tirkeu_requests_page_set_list (fixture->page, fixture->list);
  fixture->window = present (GTK_WIDGET (fixture->page), width, 1400);
}

static void
requests_tear_down (Requests *fixture)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  tirkeu_ui_test_iterate (10);
  g_assert_finalize_object (fixture->list);
  g_ptr_array_unref (fixture->requests);
}

/* Each row drawn at the window's width: every stage title whole, no column an ellipsis
 * alone. */
static void
assert_rows_read (Requests *fixture,
                  gboolean  narrow)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_rows (GTK_WIDGET (fixture->page), rows);
  g_assert_cmpuint (rows->len, >=, 10);
  for (guint i = 0; i < rows->len; i++)
    {
      TirkeuRequestRow *row = g_ptr_array_index (rows, i);
      TirkeuRequest *request = tirkeu_request_row_get_request (row);
      int vehicle, buyer, stage, time;

      tirkeu_request_row_get_column_widths (row, &vehicle, &buyer, &stage, &time);
      g_test_message ("%s: vehicle %d, buyer %d, stage %d, time %d",
                      tirkeu_catalogue_stage_title (tirkeu_request_get_stage (request)),
                      vehicle, buyer, stage, time);
      if (tirkeu_request_row_get_stage_cut (row))
        g_error ("the stage title “%s” is cut at %d px",
                 tirkeu_catalogue_stage_title (tirkeu_request_get_stage (request)), stage);
      /* A few words at least: the make and model, a name. */
      g_assert_cmpint (vehicle, >=, 90);
      g_assert_cmpint (buyer == 0 || buyer >= 90, ==, TRUE);
      g_assert_cmpint (stage, >=, 120);
      g_assert_cmpint (vehicle + buyer + stage + time, <=, gtk_widget_get_width (GTK_WIDGET (row)));
      if (!narrow)
        {
          g_assert_cmpint (buyer, >, 0);
          g_assert_cmpint (time, >, 0);
        }
    }
}

static void
collect_filters (GtkWidget *widget,
                 GPtrArray *filters)
{
  if (GTK_IS_TOGGLE_BUTTON (widget)
      && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)),
                    "requests.filter") == 0)
    g_ptr_array_add (filters, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_filters (child, filters);
}

/* Every filter, Drafts the last, is seen whole inside the page: none scrolled out of sight
 * (the Kazakh names are long). */
static void
assert_filters_seen (Requests *fixture)
{
  g_autoptr(GPtrArray) filters = g_ptr_array_new ();
  GtkWidget *page = GTK_WIDGET (fixture->page);

  collect_filters (page, filters);
  g_assert_cmpuint (filters->len, ==, TIRKEU_N_REQUEST_CATEGORIES + 1);
  for (guint i = 0; i < filters->len; i++)
    {
      GtkWidget *filter = g_ptr_array_index (filters, i);
      graphene_rect_t bounds;
      int minimum;

      g_assert_true (gtk_widget_get_mapped (filter));
      g_assert_true (gtk_widget_compute_bounds (filter, page, &bounds));
      g_assert_cmpfloat (bounds.origin.x, >=, 0);
      g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (page));
      /* drawn whole: no scrolled box clips it */
      /* not squeezed under its minimum (the pills have no CSS margin: their border box is
       * what they asked for) */
      gtk_widget_measure (filter, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
      g_assert_cmpfloat (bounds.size.width, >=, minimum);
      for (GtkWidget *up = gtk_widget_get_parent (filter); up != page;
           up = gtk_widget_get_parent (up))
        g_assert_false (GTK_IS_SCROLLED_WINDOW (up));
    }
}

/* The Kazakh stage titles are longer than the English ones (the unpaid fines' is 41
 * letters): at the badge's real width they wrap rather than lose their end. */
static void
test_kazakh_stage_badge (void)
{
  Requests fixture = { 0 };
  g_autofree char *screenshot = NULL;

  g_assert_cmpstr (tirkeu_i18n_get_language (), ==, "kk");
  requests_set_up (&fixture, 1280);
  assert_rows_read (&fixture, FALSE);
  assert_filters_seen (&fixture);
  screenshot = tirkeu_ui_test_save_screenshot (fixture.window, "request-row-kk-1280.png");
  requests_tear_down (&fixture);
}

/* At 600 px wide the window stays 600 px: the columns make room (the time goes to the
 * tooltip, the badge wraps), and a request's page fits too. */
static void
test_narrow_window (void)
{
  Requests fixture = { 0 };
  g_autofree char *list_shot = NULL;
  g_autofree char *page_shot = NULL;

  requests_set_up (&fixture, 600);
  g_assert_cmpint (gtk_widget_get_width (fixture.window), <=, 600);
  assert_rows_read (&fixture, TRUE);
  assert_filters_seen (&fixture);
  list_shot = tirkeu_ui_test_save_screenshot (fixture.window, "request-row-kk-600.png");

  tirkeu_requests_page_show_request (fixture.page, g_ptr_array_index (fixture.requests, 3));
  tirkeu_ui_test_wait_drawn (fixture.window);
  /* past the slide */
  tirkeu_ui_test_iterate (1500);
  g_assert_cmpint (gtk_widget_get_width (fixture.window), <=, 600);
  page_shot = tirkeu_ui_test_save_screenshot (fixture.window, "request-page-kk-600.png");

  requests_tear_down (&fixture);
}

/* The new request's pages at 600 px: none asks for more. */
static void
test_narrow_flow_pages (void)
{
  const struct { const char *name; GType (*get_type) (void); } pages[] = {
    { "vehicle", tirkeu_vehicle_page_get_type },
    { "buyer", tirkeu_buyer_page_get_type },
    { "contract", tirkeu_contract_page_get_type },
    { "review", tirkeu_review_page_get_type },
    { "sent", tirkeu_sent_page_get_type },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      GtkWidget *page = g_object_new (pages[i].get_type (), NULL);
      GtkWidget *window;
      g_autofree char *name = g_strdup_printf ("flow-%s-kk-600.png", pages[i].name);
      g_autofree char *shot = NULL;
      int minimum;

      if (TIRKEU_IS_SENT_PAGE (page))
        tirkeu_sent_page_show (TIRKEU_SENT_PAGE (page), NULL, TRUE);
      window = present (page, 600, 700);
      gtk_widget_measure (page, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
      g_test_message ("%s page: at least %d px wide", pages[i].name, minimum);
      g_assert_cmpint (minimum, <=, 600);
      g_assert_cmpint (gtk_widget_get_width (window), <=, 600);
      shot = tirkeu_ui_test_save_screenshot (window, name);
      gtk_window_destroy (GTK_WINDOW (window));
    }
}

int
main (int   argc,
      char *argv[])
{
  tirkeu_ui_test_init (&argc, &argv);
  tirkeu_i18n_init ("kk");
  tirkeu_ui_test_use_system_data ();
  gtk_init ();
  adw_init ();
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/tirkeu/Tirkeu/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  g_test_add_func ("/request-row/unknown-stage", test_unknown_stage);
  g_test_add_func ("/request-row/kazakh-stage-badge", test_kazakh_stage_badge);
  g_test_add_func ("/request-row/narrow-window", test_narrow_window);
  g_test_add_func ("/request-row/narrow-flow-pages", test_narrow_flow_pages);

  return g_test_run ();
}
