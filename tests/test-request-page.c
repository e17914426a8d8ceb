/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The request page for real under Xvfb: the timeline of steps 10-19, what happens next, the
 * refusal, the TsON and plate; withdrawing with the confirmation against the sandbox, and a
 * refused withdrawal shown with the catalogue's message and the portal's text in Details. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-request-page.h"
#include "tirkeu-tracking-test.h"
#include "tirkeu-ui-test.h"

typedef struct
{
  GtkWindow         *window;
  TirkeuRequestPage *page;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  tirkeu_ui_test_use_system_data ();
  fixture->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (fixture->window, 900, 860);
  fixture->page = TIRKEU_REQUEST_PAGE (tirkeu_request_page_new ());
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
}

static void
collect_labels (GtkWidget *widget,
                GString   *text)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    {
      g_string_append (text, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (text, '\n');
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, text);
}

static guint
count_rows (GtkListBox *list,
            const char *css_class)
{
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (gtk_widget_has_css_class (row, css_class))
      n++;

  return n;
}

static void
test_timeline (Fixture       *fixture,
               gconstpointer  data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(TirkeuRequest) request = tirkeu_tracking_make_request (1, TIRKEU_STAGE_AWAITING_BUYER,
                                                                   now - 3000);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) t1 = g_date_time_new_from_unix_utc (now - 2000);
  g_autoptr(GDateTime) t2 = g_date_time_new_from_unix_utc (now - 1000);
  g_autoptr(GString) text = g_string_new (NULL);
  GtkListBox *timeline = tirkeu_request_page_get_timeline (fixture->page);
  g_autofree char *path = NULL;

  /* Awaiting the buyer: one step reached, the other steps to 19 still to come. */
  tirkeu_request_page_set_request (fixture->page, request);
  g_assert_cmpuint (count_rows (timeline, "timeline-reached"), ==, 1);
  g_assert_cmpuint (count_rows (timeline, "timeline-pending"), ==, 11);
  collect_labels (GTK_WIDGET (fixture->page), text);
  g_assert_nonnull (strstr (text->str, tirkeu_catalogue_stage_next (TIRKEU_STAGE_AWAITING_BUYER)));
  g_assert_nonnull (strstr (text->str, "KZ-0000001"));
  g_assert_null (strstr (text->str, tirkeu_request_get_buyer_iin (request)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->page)));

  /* The buyer approved, chose the TsON: three steps reached, the TsON and plate shown. */
  tirkeu_request_set_tson (request, "ЦОН №1 по городу Астана, г. Астана, ул. Сыганак, 24");
  tirkeu_request_set_plate_type (request, "selected");
  tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_BUYER_APPROVED, t1, "Approved in eGov",
                                     &error);
  g_assert_no_error (error);
  tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_TSON_CHOSEN, t2, NULL, &error);
  g_assert_no_error (error);
  tirkeu_request_page_set_request (fixture->page, request);
  g_assert_cmpuint (count_rows (timeline, "timeline-reached"), ==, 3);
  g_assert_cmpuint (count_rows (timeline, "timeline-pending"), ==, 5);
  g_string_truncate (text, 0);
  collect_labels (GTK_WIDGET (fixture->page), text);
  g_assert_nonnull (strstr (text->str, "Approved in eGov"));
  g_assert_nonnull (strstr (text->str, "Сыганак"));
  g_assert_nonnull (strstr (text->str, "Chosen number, for a fee"));
  g_assert_nonnull (strstr (text->str, tirkeu_catalogue_stage_title (TIRKEU_STAGE_TSON_CHOSEN)));
  tirkeu_ui_test_iterate (100);
  path = tirkeu_ui_test_save_screenshot (GTK_WIDGET (fixture->window), "request-page");
  g_test_message ("screenshot: %s", path);

  /* A withdrawal is over once the buyer approved. */
  g_assert_false (tirkeu_request_page_can_withdraw (fixture->page));
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(TirkeuRequest) request = tirkeu_tracking_make_request (2, TIRKEU_STAGE_REFUSED, now);
  g_autoptr(GString) text = g_string_new (NULL);
  GtkListBox *timeline = tirkeu_request_page_get_timeline (fixture->page);

  tirkeu_request_page_set_request (fixture->page, request);
  /* Final: no steps to come */
  g_assert_cmpuint (count_rows (timeline, "timeline-pending"), ==, 0);
  collect_labels (GTK_WIDGET (fixture->page), text);
  g_assert_nonnull (strstr (text->str, "The buyer's personal data has changed."));
  g_assert_nonnull (strstr (text->str, tirkeu_catalogue_stage_title (TIRKEU_STAGE_REFUSED)));
  g_assert_false (tirkeu_request_page_can_withdraw (fixture->page));
}

/* Unpaid fines (step 14): a pause with what the buyer must do, never "Reason for Refusal". */
static void
test_fines_paused (Fixture       *fixture,
                   gconstpointer  data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(TirkeuRequest) request = tirkeu_tracking_make_request (4, TIRKEU_STAGE_FINES_UNPAID,
                                                                   now);
  g_autoptr(GString) text = g_string_new (NULL);

  tirkeu_request_set_refusal (request, "FINES_UNPAID", "The buyer has 2 unpaid fines.");
  tirkeu_request_page_set_request (fixture->page, request);
  collect_labels (GTK_WIDGET (fixture->page), text);
  g_assert_nonnull (strstr (text->str, "The buyer has 2 unpaid fines."));
  g_assert_nonnull (strstr (text->str, "Why the Request Is Paused"));
  g_assert_null (strstr (text->str, "Refusal"));
  g_assert_null (strstr (text->str, "refus"));
  g_assert_nonnull (strstr (text->str, tirkeu_catalogue_stage_title (TIRKEU_STAGE_FINES_UNPAID)));
  g_assert_nonnull (strstr (text->str, tirkeu_catalogue_stage_next (TIRKEU_STAGE_FINES_UNPAID)));
  g_assert_nonnull (strstr (text->str, "the buyer pays them"));
  /* Not final: the buyer can still go on. */
  g_assert_cmpuint (count_rows (tirkeu_request_page_get_timeline (fixture->page),
                                "timeline-pending"), >, 0);
}

/* A stage a newer portal added: the page says the stage is not known, naming the portal's,
 * instead of showing the last stage this build knows as the current one and what follows
 * it (the timeline still shows the steps reached). */
static void
test_unknown_stage (Fixture       *fixture,
                    gconstpointer  data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(TirkeuRequest) request = tirkeu_tracking_make_request (3, TIRKEU_STAGE_AWAITING_BUYER,
                                                                   now);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *label = NULL;

  tirkeu_request_set_unknown_stage (request, "handed_to_insurer");
  label = tirkeu_request_dup_unknown_stage_label (request);
  tirkeu_request_page_set_request (fixture->page, request);
  collect_labels (GTK_WIDGET (fixture->page), text);
  g_assert_nonnull (strstr (text->str, label));
  g_assert_nonnull (strstr (text->str, "handed_to_insurer"));
  g_assert_null (strstr (text->str, tirkeu_catalogue_stage_next (TIRKEU_STAGE_AWAITING_BUYER)));
}

static GtkWidget *
wait_message_dialog (void)
{
  for (guint i = 0; i < 100; i++)
    {
      GtkWidget *dialog = tirkeu_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);

      if (dialog != NULL && gtk_widget_get_visible (dialog))
        return dialog;
      tirkeu_ui_test_iterate (20);
    }
  g_assert_not_reached ();
}

static void
test_withdraw (Fixture       *fixture,
               gconstpointer  data)
{
  /* Manual buyer: nothing moves unless told, so the request stays withdrawable. */
  g_autoptr(TirkeuTrackingPortal) portal = tirkeu_tracking_portal_new_full (100,
                                                                            TIRKEU_SANDBOX_BUYER_MANUAL);
  g_autoptr(TirkeuPortalClient) client = tirkeu_tracking_portal_sign_in (portal);
  g_autoptr(TirkeuJournal) journal = tirkeu_tracking_journal_new ();
  g_autoptr(TirkeuRequest) submitted = tirkeu_tracking_portal_submit (portal, client,
                                                                      &tirkeu_tracking_cases[0]);
  g_autoptr(TirkeuRequest) stored = NULL;
  g_autoptr(GError) error = NULL;
  const char *portal_id = tirkeu_request_get_portal_id (submitted);
  GtkWidget *dialog;
  guint changed = 0;

  g_assert_true (tirkeu_stage_allows_withdraw (tirkeu_request_get_stage (submitted)));
  tirkeu_request_page_set_request (fixture->page, submitted);
  /* No portal session: no withdrawal */
  g_assert_false (tirkeu_request_page_can_withdraw (fixture->page));
  tirkeu_request_page_set_client (fixture->page, client);
  tirkeu_request_page_set_journal (fixture->page, journal);
  g_assert_true (tirkeu_request_page_can_withdraw (fixture->page));
  g_signal_connect_swapped (fixture->page, "request-changed", G_CALLBACK (g_atomic_int_inc),
                            &changed);

  /* Cancel in the confirmation: nothing happens. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "request.withdraw", NULL));
  dialog = wait_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Withdraw the Request?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), portal_id));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "withdraw"),
                   ==, ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  tirkeu_ui_test_iterate (300);
  g_assert_cmpuint (changed, ==, 0);
  g_assert_cmpint (tirkeu_request_get_stage (tirkeu_request_page_get_request (fixture->page)), ==,
                   tirkeu_request_get_stage (submitted));

  /* Confirm: the portal withdraws, the page and the journal say so. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "request.withdraw", NULL));
  dialog = wait_message_dialog ();
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "withdraw");
  for (guint i = 0; i < 250 && changed == 0; i++)
    tirkeu_ui_test_iterate (20);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpint (tirkeu_request_get_stage (tirkeu_request_page_get_request (fixture->page)), ==,
                   TIRKEU_STAGE_WITHDRAWN);
  g_assert_false (tirkeu_request_page_can_withdraw (fixture->page));
  for (guint i = 0; i < 100 && stored == NULL; i++)
    {
      g_clear_error (&error);
      stored = tirkeu_journal_get_request_sync (journal, portal_id, NULL, &error);
      if (stored == NULL)
        tirkeu_ui_test_iterate (20);
    }
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_request_get_stage (stored), ==, TIRKEU_STAGE_WITHDRAWN);

  /* Another request the buyer approved meanwhile (the page still shows the old copy): the
   * portal refuses, the catalogue explains, the portal's text is under Details. */
  {
    g_autoptr(TirkeuRequest) other = tirkeu_tracking_portal_submit (portal, client,
                                                                    &tirkeu_tracking_cases[1]);
    g_autoptr(JsonNode) approved = NULL;
    g_autoptr(GString) text = g_string_new (NULL);

    approved = tirkeu_sandbox_buyer_action (tirkeu_tracking_portal_get_sandbox (portal),
                                            tirkeu_request_get_portal_id (other), "approve",
                                            NULL, NULL, &error);
    g_assert_no_error (error);
    tirkeu_request_page_set_request (fixture->page, other);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "request.withdraw",
                                               NULL));
    dialog = wait_message_dialog ();
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "withdraw");
    for (guint i = 0; i < 250 && !tirkeu_request_page_can_withdraw (fixture->page); i++)
      tirkeu_ui_test_iterate (20);
    g_assert_true (tirkeu_request_page_can_withdraw (fixture->page));
    collect_labels (GTK_WIDGET (fixture->page), text);
    g_assert_nonnull (strstr (text->str,
                              tirkeu_catalogue_code_title (TIRKEU_PORTAL_CODE_CONFLICT)));
    g_assert_nonnull (strstr (text->str, "Details"));
    g_assert_cmpint (tirkeu_request_get_stage (tirkeu_request_page_get_request (fixture->page)),
                     ==, TIRKEU_STAGE_AWAITING_BUYER);
  }
  g_assert_cmpuint (changed, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  tirkeu_ui_test_init (&argc, &argv);
  gtk_init ();
  adw_init ();
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
    gtk_css_provider_load_from_resource (css, "/io/github/tirkeu/Tirkeu/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

#define ADD(path, func) \
  g_test_add ("/request-page/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("timeline", test_timeline);
  ADD ("refused", test_refused);
  ADD ("fines-paused", test_fines_paused);
  ADD ("unknown-stage", test_unknown_stage);
  ADD ("withdraw", test_withdraw);
#undef ADD

  return g_test_run ();
}
