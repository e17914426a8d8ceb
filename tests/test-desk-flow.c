/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The seller's desk, driven through the real widgets of the real application under Xvfb,
 * against the in-process sandbox (real TLS) and a SoftHSM token made by
 * tests/fixtures/make-token.sh.
 *
 * Input is given the way the keyboard gives it: text is set into the entries, Enter is
 * gtk_widget_activate() on the focused entry (the entry's "activate" signal, what Enter
 * emits), and page moves are the flow's own actions (flow.next is what Enter on a list row
 * or the default button triggers, flow.back what Escape triggers), activated with
 * gtk_widget_activate_action(). No pointer event is used. /desk/keyboard-only types real key
 * events instead (xdotool, see there).
 *
 * Tests: the happy path (the sandbox then holds exactly one request, at awaiting_buyer); each
 * failure of steps 1-8 with the error view's catalogue title, step and action (table-driven;
 * step 1 through a copy of the fixtures where the token's seller has no vehicle-trade OKED);
 * a draft typed in one run of the app and resumed with the same values and Idempotency-Key in
 * the next; a submit during a portal outage kept in the outbox and sent once the sandbox is
 * back on the same port with the same state (one request, one Idempotency-Key); a create
 * without network, which is not queued: the request stays a draft with its key, and Sign
 * and Send creates it again, once; the whole flow with real key events, asserting where the
 * focus lands on each page; a journal that cannot be opened, which the flow says at once, and
 * nothing is created or signed.
 *
 * The file builds several test programs (TIRKEU_DESK_FLOW_GROUP, tests/meson.build), each a
 * group of these tests, so that each runs well within its timeout on a loaded machine. */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "test-sandbox-util.h"
#include "test-token-fixture.h"
#include "tirkeu-catalogue.h"
#include "tirkeu-outbox-banner.h"
#include "tirkeu-error-view.h"
#include "tirkeu-i18n.h"
#include "tirkeu-new-request-pages.h"
#include "tirkeu-new-request-flow.h"
#include "tirkeu-request-page.h"
#include "tirkeu-requests-page.h"
#include "tirkeu-tracking.h"
#include "tirkeu-window.h"
#include "tirkeu-pin-dialog.h"
#include "tirkeu-sandbox.h"
#include "tirkeu-sign-in-page.h"
#include "tirkeu-ui-test.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

static TokenFixture *token;

typedef struct
{
  TirkeuSandbox *sandbox;
  char          *state_dir;
  char          *fixtures_file;
} Sandbox;

static Sandbox *
sandbox_start (const char *listen,
               const char *state_dir,
               const char *fixtures_file)
{
  Sandbox *sandbox = g_new0 (Sandbox, 1);
  TirkeuSandboxOptions options;
  g_autoptr(GError) error = NULL;

  /* First in every test: the sandbox looks up its data files, and GLib keeps the data
   * directories it saw first; the window needs the system's (the Adwaita icons). */
  tirkeu_ui_test_use_system_data ();
  tirkeu_sandbox_options_init (&options);
  g_free (options.listen);
  options.listen = g_strdup (listen);
  sandbox->state_dir = state_dir != NULL ? g_strdup (state_dir)
                                         : g_dir_make_tmp ("tirkeu-desk-sandbox-XXXXXX", &error);
  g_assert_no_error (error);
  options.state_dir = g_strdup (sandbox->state_dir);
  options.signer_ca_file = g_strdup (token->ca_file);
  options.fixtures_file = g_strdup (fixtures_file);
  options.buyer_mode = TIRKEU_SANDBOX_BUYER_MANUAL;
  sandbox->fixtures_file = g_strdup (fixtures_file);
  sandbox->sandbox = tirkeu_sandbox_new (&options, &error);
  g_assert_no_error (error);
  tirkeu_sandbox_start (sandbox->sandbox, &error);
  g_assert_no_error (error);
  tirkeu_sandbox_options_clear (&options);
  return sandbox;
}

static void
sandbox_free (Sandbox *sandbox)
{
  if (sandbox->sandbox != NULL)
    tirkeu_sandbox_stop (sandbox->sandbox);
  g_clear_object (&sandbox->sandbox);
  token_fixture_run ((const char *[]) { "rm", "-rf", sandbox->state_dir, NULL });
  if (sandbox->fixtures_file != NULL)
    g_unlink (sandbox->fixtures_file);
  g_free (sandbox->state_dir);
  g_free (sandbox->fixtures_file);
  g_free (sandbox);
}

/* What the sandbox keeps: state.json, written synchronously on every change. */
static JsonNode *
sandbox_state (Sandbox *sandbox)
{
  g_autofree char *path = g_build_filename (sandbox->state_dir, "state.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

/* The sandbox holds exactly one request, at @stage; returns its id. */
static char *
sandbox_assert_one_request (Sandbox    *sandbox,
                            const char *stage)
{
  g_autoptr(JsonNode) state = sandbox_state (sandbox);
  JsonObject *root = json_node_get_object (state);
  JsonArray *requests = json_object_get_array_member (root, "requests");
  JsonObject *request;

  g_assert_cmpuint (json_array_get_length (requests), ==, 1);
  request = json_array_get_object_element (requests, 0);
  g_assert_cmpstr (json_object_get_string_member (request, "stage"), ==, stage);
  return g_strdup (json_object_get_string_member (request, "id"));
}

/* A copy of the shipped fixtures where the demo token's seller has only OKED codes that are
 * not vehicle trade (step 1): the token has no AUTH certificate of another seller. */
static char *
fixtures_without_vehicle_trade (void)
{
  g_autofree char *shipped = tirkeu_sandbox_get_default_data_file ("fixtures.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *sellers;
  char *path;
  int fd;
  gboolean found = FALSE;

  g_assert_nonnull (shipped);
  json_parser_load_from_file (parser, shipped, &error);
  g_assert_no_error (error);
  sellers = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "sellers");
  for (guint i = 0; i < json_array_get_length (sellers); i++)
    {
      JsonObject *seller = json_array_get_object_element (sellers, i);

      if (g_strcmp0 (json_object_get_string_member (seller, "bin"), token->seller_bin) == 0)
        {
          JsonArray *oked = json_array_new ();

          json_array_add_string_element (oked, "49.41");
          json_array_add_string_element (oked, "52.29");
          json_object_set_array_member (seller, "oked", oked);
          found = TRUE;
        }
    }
  g_assert_true (found);
  fd = g_file_open_tmp ("tirkeu-desk-fixtures-XXXXXX.json", &path, &error);
  g_assert_no_error (error);
  close (fd);
  json_generator_set_root (generator, json_parser_get_root (parser));
  json_generator_to_file (generator, path, &error);
  g_assert_no_error (error);
  return path;
}

/* The desk */

typedef struct
{
  TirkeuWindow         *window;
  TirkeuSignInPage     *desk;
  TirkeuNewRequestFlow *flow;
  const char           *state;
  TirkeuNewRequestPage  page;
} Desk;

static gboolean
desk_in_state (gpointer data)
{
  Desk *desk = data;

  return g_strcmp0 (tirkeu_sign_in_page_get_visible_state (desk->desk), desk->state) == 0;
}

static void
wait_desk_state (Desk       *desk,
                 const char *state)
{
  desk->state = state;
  if (!tirkeu_ui_test_wait_until (desk_in_state, desk, 20))
    {
      GtkWidget *view = tirkeu_ui_test_find_descendant (GTK_WIDGET (desk->desk),
                                                        TIRKEU_TYPE_ERROR_VIEW);

      if (view != NULL)
        g_printerr ("error view: %s / %s / %s\n", tirkeu_error_view_get_title (TIRKEU_ERROR_VIEW (view)),
                    tirkeu_error_view_get_action (TIRKEU_ERROR_VIEW (view)),
                    tirkeu_error_view_get_details (TIRKEU_ERROR_VIEW (view)));
    }
  if (!desk_in_state (desk))
    g_error ("the desk shows \"%s\", not \"%s\"", tirkeu_sign_in_page_get_visible_state (desk->desk),
             state);
}

static gboolean
flow_on_page (gpointer data)
{
  Desk *desk = data;

  return tirkeu_new_request_flow_get_page (desk->flow) == desk->page
         && gtk_widget_get_mapped (GTK_WIDGET (desk->flow));
}

static void
wait_page (Desk                 *desk,
           TirkeuNewRequestPage  page)
{
  desk->page = page;
  if (!tirkeu_ui_test_wait_until (flow_on_page, desk, 20))
    {
      g_autofree char *shot = tirkeu_ui_test_save_screenshot (GTK_WIDGET (desk->window), "desk-failure.png");
      GtkWidget *view = tirkeu_new_request_flow_get_error_view (desk->flow, tirkeu_new_request_flow_get_page (desk->flow));

      g_printerr ("error view: %s / %s / %s\n", tirkeu_error_view_get_title (TIRKEU_ERROR_VIEW (view)),
                  tirkeu_error_view_get_action (TIRKEU_ERROR_VIEW (view)),
                  tirkeu_error_view_get_details (TIRKEU_ERROR_VIEW (view)));
    }
  if (!flow_on_page (desk))
    g_error ("the flow is on page %d, not %d", tirkeu_new_request_flow_get_page (desk->flow), page);
}

static GtkWidget *
shown_pin_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (TIRKEU_IS_PIN_DIALOG (window) && gtk_widget_get_mapped (window))
        return window;
    }
  return NULL;
}

static gboolean
pin_dialog_shown (gpointer data)
{
  return shown_pin_dialog () != NULL;
}

static gboolean
pin_dialog_gone (gpointer data)
{
  return shown_pin_dialog () == NULL;
}

static void
enter_pin (const char *pin)
{
  TirkeuPinDialog *dialog;

  g_assert_true (tirkeu_ui_test_wait_until (pin_dialog_shown, NULL, 20));
  dialog = TIRKEU_PIN_DIALOG (shown_pin_dialog ());
  gtk_editable_set_text (GTK_EDITABLE (tirkeu_pin_dialog_get_entry (dialog)), pin);
  /* Enter in the PIN entry: the entry's "activate" signal signs. */
  g_signal_emit_by_name (tirkeu_pin_dialog_get_entry (dialog), "activate");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
}

static gboolean
transition_running (GtkWidget *root)
{
  if (GTK_IS_STACK (root) && gtk_stack_get_transition_running (GTK_STACK (root)))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (transition_running (child))
      return TRUE;
  return FALSE;
}

static gboolean
transitions_done (gpointer data)
{
  return !transition_running (data);
}

static void
screenshot (Desk       *desk,
            const char *name)
{
  g_autofree char *path = NULL;

  /* A stack still sliding or fading would show the page it leaves. */
  g_assert_true (tirkeu_ui_test_wait_until (transitions_done, desk->window, 10));
  tirkeu_ui_test_wait_drawn (GTK_WIDGET (desk->window));
  path = tirkeu_ui_test_save_screenshot (GTK_WIDGET (desk->window), name);
  g_test_message ("screenshot: %s", path);
}

static void
desk_init (Desk         *desk,
           TirkeuWindow *window)
{
  desk->window = window;
  desk->desk = TIRKEU_SIGN_IN_PAGE (tirkeu_ui_test_find_descendant (GTK_WIDGET (window),
                                                                    TIRKEU_TYPE_SIGN_IN_PAGE));
  desk->flow = TIRKEU_NEW_REQUEST_FLOW (tirkeu_ui_test_find_descendant (GTK_WIDGET (window),
                                                         TIRKEU_TYPE_NEW_REQUEST_FLOW));
  g_assert_nonnull (desk->desk);
  g_assert_nonnull (desk->flow);
}

static gboolean
journal_open (gpointer data)
{
  Desk *desk = data;

  return tirkeu_session_get_journal (tirkeu_window_get_session (desk->window)) != NULL;
}

/* The button is on screen without scrolling: wholly inside the scrolled page it is on. */
static void
assert_in_view (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  g_assert_nonnull (scrolled);
  g_assert_true (gtk_widget_get_mapped (widget));
  g_assert_true (gtk_widget_compute_bounds (widget, scrolled, &bounds));
  g_assert_cmpfloat (bounds.origin.y, >=, 0);
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (scrolled));
}

static void
sign_in (Desk       *desk,
         const char *shot)
{
  wait_desk_state (desk, "token");
  g_assert_true (tirkeu_ui_test_wait_until (journal_open, desk, 20));
  tirkeu_ui_test_wait_drawn (GTK_WIDGET (desk->window));
  /* at the window's first size, with the chosen certificate's card shown, Sign In is seen
   * without scrolling */
  assert_in_view (tirkeu_ui_test_find_action (GTK_WIDGET (desk->desk), "desk.sign-in"));
  if (shot != NULL)
    screenshot (desk, shot);
  gtk_widget_activate_action (GTK_WIDGET (desk->desk), "desk.sign-in", NULL);
  enter_pin (token->pin);
  wait_desk_state (desk, "signed-in");
}

static GtkWidget *
focused_entry (Desk *desk)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (desk->window));

  /* The GtkText inside the GtkEntry has the focus. */
  while (focus != NULL && !GTK_IS_ENTRY (focus))
    focus = gtk_widget_get_parent (focus);
  return focus;
}

static void
type_and_enter (Desk       *desk,
                const char *text)
{
  GtkWidget *entry = focused_entry (desk);

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  /* What Enter in the entry emits. */
  g_signal_emit_by_name (entry, "activate");
}

typedef struct
{
  const char *vin;
  const char *iin;
  gboolean    screenshots;
  char       *portal_id;
} HappyPath;

static gboolean
not_busy (gpointer data)
{
  Desk *desk = data;

  return !tirkeu_new_request_flow_get_busy (desk->flow);
}

/* The selected rows (the contract's, the signer's) of the flow. */
static void
find_selected_rows (GtkWidget *root,
                    GPtrArray *rows)
{
  if (ADW_IS_ACTION_ROW (root) && gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (root)))
    g_ptr_array_add (rows, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    find_selected_rows (child, rows);
}

/* The default signing certificate is the signed-in person's (the AUTH certificate's IIN) that
 * stays valid longest: sign-rsa, not "expiring" (same person, 10 days left) nor sign-ec
 * (another person with the right to sign). */
static void
assert_default_signer (TirkeuNewRequestFlow *flow)
{
  g_autofree char *not_after = g_key_file_get_string (token->ini, "sign-rsa", "not-after", NULL);
  g_autofree char *until = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  guint signers = 0;

  g_assert_nonnull (not_after);
  /* token.ini: YYYYMMDDhhmmssZ; the row: DD.MM.YYYY, in any language */
  until = g_strdup_printf ("%.2s.%.2s.%.4s", not_after + 6, not_after + 4, not_after);
  find_selected_rows (GTK_WIDGET (flow), rows);
  for (guint i = 0; i < rows->len; i++)
    {
      AdwActionRow *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "ИВАНОВ ИВАН") == 0
          && strstr (adw_action_row_get_subtitle (row), until) != NULL)
        signers++;
    }
  g_assert_cmpuint (signers, ==, 1);
}

/* An action row under @root whose subtitle holds @text. */
static GtkWidget *
find_subtitle (GtkWidget  *root,
               const char *text)
{
  if (ADW_IS_ACTION_ROW (root)
      && adw_action_row_get_subtitle (ADW_ACTION_ROW (root)) != NULL
      && strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (root)), text) != NULL)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_subtitle (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
happy_body (TirkeuApplication *application,
            TirkeuWindow      *window,
            gpointer           user_data)
{
  HappyPath *path = user_data;
  Desk desk = { 0 };
  TirkeuRequest *request;

  desk_init (&desk, window);
  sign_in (&desk, path->screenshots ? "desk-sign-in.png" : NULL);
  if (path->screenshots)
    {
      /* The seller, the OKED check, unfinished requests: the desk, from the requests list. */
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-desk", NULL);
      screenshot (&desk, "desk-signed-in.png");
    }

  /* Ctrl+N */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  /* A barcode scanner: the 18-character "I" form, then Enter. */
  type_and_enter (&desk, path->vin);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 20));
  /* The e-passport's colour and engine in the interface's language (English in the suite,
   * kk and ru for build-aux/screenshots), as the portal gave them (contract 1.4), not the
   * e-passport system's Russian «белый» to an English or Kazakh reader. */
  if (g_str_equal (tirkeu_i18n_get_language (), "en"))
    {
      g_assert_nonnull (find_subtitle (GTK_WIDGET (desk.flow), "white · 1.6 l petrol, 66 kW · "));
      g_assert_null (find_subtitle (GTK_WIDGET (desk.flow), "белый"));
    }
  else if (g_str_equal (tirkeu_i18n_get_language (), "kk"))
    {
      g_assert_nonnull (find_subtitle (GTK_WIDGET (desk.flow), "ақ · 1,6 л, бензин, 66 кВт · "));
      g_assert_null (find_subtitle (GTK_WIDGET (desk.flow), "белый"));
    }
  else
    g_assert_nonnull (find_subtitle (GTK_WIDGET (desk.flow), "белый · 1,6 л, бензин, 66 кВт · "));
  if (path->screenshots)
    {
      gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.back", NULL);
      wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
      screenshot (&desk, "desk-vehicle.png");
      g_signal_emit_by_name (focused_entry (&desk), "activate");
      wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
    }
  type_and_enter (&desk, path->iin);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
  g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 20));
  if (path->screenshots)
    {
      gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.back", NULL);
      wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
      screenshot (&desk, "desk-buyer.png");
      g_signal_emit_by_name (focused_entry (&desk), "activate");
      wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
      g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 20));
      screenshot (&desk, "desk-contract.png");
    }
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_REVIEW);
  assert_default_signer (desk.flow);
  /* what the seller confirms names the colour and body type in their language too */
  g_assert_nonnull (find_subtitle (GTK_WIDGET (desk.flow),
                                   g_str_equal (tirkeu_i18n_get_language (), "en")
                                   ? "LADA Largus, 2025, white, van · VIN"
                                   : g_str_equal (tirkeu_i18n_get_language (), "kk")
                                   ? "LADA Largus, 2025, ақ, фургон · VIN"
                                   : "LADA Largus, 2025, белый, фургон · VIN"));
  if (path->screenshots)
    screenshot (&desk, "desk-review.png");
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  enter_pin (token->pin);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_SENT);
  if (path->screenshots)
    screenshot (&desk, "desk-sent.png");

  g_assert_false (tirkeu_new_request_flow_get_queued (desk.flow));
  request = tirkeu_new_request_flow_get_request (desk.flow);
  g_assert_nonnull (request);
  g_assert_nonnull (tirkeu_request_get_portal_id (request));
  g_assert_cmpint (tirkeu_request_get_stage (request), >=, TIRKEU_STAGE_SUBMITTED);
  path->portal_id = g_strdup (tirkeu_request_get_portal_id (request));

  /* For the README: "Track the Request" shows the request's page, and back on the list the
   * request just sent is there and highlighted. */
  if (path->screenshots)
    {
      TirkeuRequestsPage *requests = tirkeu_window_get_requests_page (window);

      gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.track", NULL);
      for (guint i = 0; i < 250 && !tirkeu_requests_page_get_showing_request (requests); i++)
        tirkeu_ui_test_iterate (20);
      g_assert_true (tirkeu_requests_page_get_showing_request (requests));
      g_assert_true (tirkeu_ui_test_wait_until (transitions_done, window, 10));
      screenshot (&desk, "desk-request.png");
      tirkeu_requests_page_show_list (requests);
      g_assert_true (tirkeu_ui_test_wait_until (transitions_done, window, 10));
      tirkeu_ui_test_iterate (300);
      screenshot (&desk, "desk-list.png");
    }
}

static const char **
app_arguments (Sandbox *sandbox)
{
  static const char *arguments[8];

  arguments[0] = "--portal-url";
  arguments[1] = tirkeu_sandbox_get_url (sandbox->sandbox);
  arguments[2] = "--ca-file";
  arguments[3] = tirkeu_sandbox_get_ca_file (sandbox->sandbox);
  arguments[4] = "--pkcs11-module";
  arguments[5] = token->module;
  arguments[6] = NULL;
  return arguments;
}

typedef struct
{
  TirkeuUiTestBody body;
  gpointer         user_data;
  gpointer         session;
  gpointer         tokens;
} Run;

static void
run_body (TirkeuApplication *application,
          TirkeuWindow      *window,
          gpointer           user_data)
{
  Run *run = user_data;
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (window)));
  g_auto(GStrv) system_dirs = g_strsplit (g_getenv ("TIRKEU_TEST_SYSTEM_DATA_DIRS"), ":", -1);

  /* GLib 2.74 keeps the isolated system data directories of g_test_init() whatever
   * XDG_DATA_DIRS says later: the icon theme gets the system's icons this way, or the
   * screenshots show "image-missing" for every Adwaita icon GTK does not bundle. */
  for (guint i = 0; system_dirs[i] != NULL; i++)
    {
      g_autofree char *icons = g_build_filename (system_dirs[i], "icons", NULL);

      gtk_icon_theme_add_search_path (theme, icons);
    }

  run->session = tirkeu_window_get_session (window);
  g_object_add_weak_pointer (G_OBJECT (run->session), (gpointer *) &run->session);
  run->tokens = tirkeu_session_get_tokens (run->session);
  g_object_add_weak_pointer (G_OBJECT (run->tokens), (gpointer *) &run->tokens);
  run->body (application, window, run->user_data);
}

static gboolean
run_released (gpointer data)
{
  Run *run = data;

  return run->session == NULL && run->tokens == NULL;
}

/* Runs the application with @body, then waits until the closed window let go of the session
 * and the token manager: the next run loads the PKCS#11 module again, and SoftHSM's global
 * state does not survive two managers at once (C_Finalize under the other's feet). Closing
 * the app must release them anyway: a leak fails the test. */
static void
run_app (Sandbox          *sandbox,
         TirkeuUiTestBody  body,
         gpointer          user_data)
{
  Run run = { body, user_data, NULL, NULL };

  g_assert_cmpint (tirkeu_ui_test_run_application (app_arguments (sandbox), run_body, &run), ==, 0);
  g_assert_true (tirkeu_ui_test_wait_until (run_released, &run, 10));
}

/* Done on the Sent page: the list again, the request just sent in view and highlighted,
 * also when the list was left on another filter (the Drafts, which the home opens on while
 * drafts wait). */
static void
done_body (TirkeuApplication *application,
           TirkeuWindow      *window,
           gpointer           user_data)
{
  HappyPath *path = user_data;
  TirkeuRequestsPage *requests = tirkeu_window_get_requests_page (window);
  Desk desk = { 0 };
  g_autofree char *filter = NULL;

  happy_body (application, window, path);
  desk_init (&desk, window);
  g_object_set (requests, "filter", "drafts", NULL);
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.close", NULL);
  g_assert_true (tirkeu_ui_test_wait_until (transitions_done, window, 10));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (requests)));
  g_object_get (requests, "filter", &filter, NULL);
  g_assert_cmpstr (filter, ==, "all");
  g_assert_true (tirkeu_requests_page_get_highlighted (requests, path->portal_id));
}

/* The usual sale, sent, then @body goes on from the Sent page. */
static void
run_after_sale (TirkeuUiTestBody body)
{
  Sandbox *sandbox = sandbox_start ("127.0.0.1:0", NULL, NULL);
  HappyPath path = { "XTA210743S0000120", "850312300121", FALSE, NULL };

  run_app (sandbox, body, &path);
  g_assert_nonnull (path.portal_id);
  g_free (path.portal_id);
  sandbox_free (sandbox);
}

/* Ctrl+N on the Sent page starts the next sale: nothing is under way there. It did nothing
 * (seen in the demo): the window took any page of the flow for a request being typed. */
static void
next_sale_body (TirkeuApplication *application,
                TirkeuWindow      *window,
                gpointer           user_data)
{
  HappyPath *path = user_data;
  Desk desk = { 0 };
  GtkWidget *vin;

  happy_body (application, window, path);
  desk_init (&desk, window);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  vin = focused_entry (&desk);
  g_assert_nonnull (vin);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (vin)), ==, "");
  g_assert_null (tirkeu_new_request_flow_get_request (desk.flow));
}

static void
test_next_sale_from_sent (void)
{
  run_after_sale (next_sale_body);
}

static void
test_done_reveals_sent (void)
{
  run_after_sale (done_body);
}

static void
test_happy_path (void)
{
  Sandbox *sandbox = sandbox_start ("127.0.0.1:0", NULL, NULL);
  HappyPath path = { "IXTA210743S0000120", "850312300121", TRUE, NULL };
  g_autoptr(JsonNode) stored = NULL;
  g_autofree char *id = NULL;

  run_app (sandbox, happy_body, &path);
  g_assert_nonnull (path.portal_id);
  stored = tirkeu_sandbox_get_request (sandbox->sandbox, path.portal_id);
  g_assert_nonnull (stored);
  /* The portal got it once, signed: the buyer's turn (manual buyer: it stays there). */
  id = sandbox_assert_one_request (sandbox, "awaiting_buyer");
  g_assert_cmpstr (id, ==, path.portal_id);
  g_free (path.portal_id);
  sandbox_free (sandbox);
}

/* The signing certificate is a radio choice on the review page: Enter on another row checks
 * it (and only it), and that certificate is the one that signs: the sandbox records the
 * signer of the request it verified. */
/* The row of @owner's certificate whose subtitle holds @text (ИВАНОВ has two). */
static GtkWidget *
find_review_row (GtkWidget  *root,
                 const char *owner,
                 const char *text)
{
  if (ADW_IS_ACTION_ROW (root)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), owner) == 0
      && (text == NULL || strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (root)), text) != NULL))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_review_row (child, owner, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
review_row (TirkeuNewRequestFlow *flow,
            const char           *owner,
            const char           *text)
{
  GtkWidget *row = find_review_row (GTK_WIDGET (flow), owner, text);

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_mapped (row));
  return row;
}

static gboolean
row_checked (GtkWidget *row)
{
  GtkWidget *check = tirkeu_ui_test_find_descendant (row, GTK_TYPE_CHECK_BUTTON);

  g_assert_nonnull (check);
  return gtk_check_button_get_active (GTK_CHECK_BUTTON (check));
}

/* Every "_signer" the sandbox recorded, anywhere in its state. */
static void
collect_signers (JsonNode  *node,
                 GPtrArray *signers)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        if (g_str_equal (l->data, "_signer"))
          g_ptr_array_add (signers, (gpointer) json_object_get_string_member (object, "_signer"));
        else
          collect_signers (json_object_get_member (object, l->data), signers);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        collect_signers (json_array_get_element (array, i), signers);
    }
}

static void
radio_body (TirkeuApplication *application,
            TirkeuWindow      *window,
            gpointer           user_data)
{
  HappyPath *path = user_data;
  Desk desk = { 0 };
  g_autofree char *not_after = NULL;
  g_autofree char *until = NULL;
  GtkWidget *own;
  GtkWidget *other;

  desk_init (&desk, window);
  sign_in (&desk, NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  type_and_enter (&desk, path->vin);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 20));
  type_and_enter (&desk, path->iin);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
  g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 20));
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_REVIEW);

  /* sign-rsa (the signed-in person's own, valid longest) is checked; sign-ec is another
   * person's */
  not_after = g_key_file_get_string (token->ini, "sign-rsa", "not-after", NULL);
  until = g_strdup_printf ("%.2s.%.2s.%.4s", not_after + 6, not_after + 4, not_after);
  own = review_row (desk.flow, "ИВАНОВ ИВАН", until);
  other = review_row (desk.flow, "ӘБІЛҚАСЫМОВА ГҮЛНАР", NULL);
  g_assert_true (row_checked (own));
  g_assert_false (row_checked (other));
  /* Enter on the row: it is chosen, nothing is signed yet */
  gtk_widget_activate (other);
  g_assert_true (row_checked (other));
  g_assert_false (row_checked (own));
  tirkeu_ui_test_iterate (100);
  g_assert_cmpint (tirkeu_new_request_flow_get_page (desk.flow), ==,
                   TIRKEU_NEW_REQUEST_PAGE_REVIEW);
  g_assert_null (shown_pin_dialog ());
  if (path->screenshots)
    screenshot (&desk, "desk-review-radio.png");

  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  enter_pin (token->pin);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_SENT);
  path->portal_id = g_strdup (tirkeu_request_get_portal_id (tirkeu_new_request_flow_get_request (desk.flow)));
}

static void
test_review_radio (void)
{
  Sandbox *sandbox = sandbox_start ("127.0.0.1:0", NULL, NULL);
  HappyPath path = { "XTA210743S0000120", "850312300121", FALSE, NULL };
  g_autofree char *state_file = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) signers = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  path.screenshots = g_getenv ("TIRKEU_TEST_SCREENSHOTS") != NULL;
  run_app (sandbox, radio_body, &path);
  g_assert_nonnull (path.portal_id);
  /* The sandbox keeps who signed (masked) in its state, not in what the API shows. */
  state_file = g_build_filename (sandbox->state_dir, "state.json", NULL);
  json_parser_load_from_file (parser, state_file, &error);
  g_assert_no_error (error);
  collect_signers (json_parser_get_root (parser), signers);
  g_assert_cmpuint (signers->len, ==, 1);
  /* ӘБІЛҚАСЫМОВА's IIN, masked as the sandbox keeps it */
  g_assert_cmpstr (g_ptr_array_index (signers, 0), ==, "900715******");
  g_free (path.portal_id);
  sandbox_free (sandbox);
}

/* Each failure of steps 1-8 shows its own message */

typedef struct
{
  const char          *name;
  const char          *vin;        /* NULL: step 1, at sign-in */
  const char          *iin;        /* NULL: stop after the vehicle */
  TirkeuNewRequestPage page;       /* where the failure shows */
  TirkeuPortalCode     code;
  const char          *title;      /* the catalogue's English title */
  const char          *action;     /* part of what to do */
  guint                step;       /* the step of the algorithm */
} Failure;

static const Failure failures[] = {
  { "oked-mismatch", NULL, NULL, 0, TIRKEU_PORTAL_CODE_OKED_MISMATCH,
    "OKED does not match", "45.11, 45.19 or 45.40", 1 },
  { "epassport-not-found", "XW8ZZZ3C0SG000103", NULL, TIRKEU_NEW_REQUEST_PAGE_VEHICLE,
    TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND, "No electronic vehicle passport", "check the VIN", 3 },
  { "epassport-unknown-vin", "JTNB23HK2R3999990", NULL, TIRKEU_NEW_REQUEST_PAGE_VEHICLE,
    TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND, "No electronic vehicle passport", "check the VIN", 3 },
  { "customs-unpaid", "Z94K241C4SR000104", NULL, TIRKEU_NEW_REQUEST_PAGE_VEHICLE,
    TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID, "Customs payments not paid", "on record as not paid", 4 },
  { "customs-no-data", "KNAPH81A1S5000105", NULL, TIRKEU_NEW_REQUEST_PAGE_VEHICLE,
    TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID, "No customs payment data", "customs payments", 4 },
  { "utilization-unpaid", "LVVDB21BXRD000106", NULL, TIRKEU_NEW_REQUEST_PAGE_VEHICLE,
    TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID, "Utilization fee not paid", "on record as not paid", 5 },
  { "utilization-no-data", "XTA210740S0000107", NULL, TIRKEU_NEW_REQUEST_PAGE_VEHICLE,
    TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID, "No utilization fee data", "utilization fee", 5 },
  { "person-unknown", "LVVDB21B6RD000118", "770211300889", TIRKEU_NEW_REQUEST_PAGE_BUYER,
    TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND, "Buyer not found", "Enter a correct IIN", 7 },
  { "person-deceased", "LVVDB21B6RD000118", "601012300461", TIRKEU_NEW_REQUEST_PAGE_BUYER,
    TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND, "Buyer not found", "Enter a correct IIN", 7 },
  { "contract-not-found", "KNAPH81A1S5000119", "850312300121", TIRKEU_NEW_REQUEST_PAGE_CONTRACT,
    TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND, "No sale-purchase contract", "conclude the sale-purchase contract", 8 },
};

static GtkWidget *
find_label_with (GtkWidget  *root,
                 const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root)
      && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_with (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
assert_error_view (GtkWidget     *view,
                   const Failure *failure)
{
  g_autofree char *step = NULL;

  g_assert_nonnull (view);
  {
  /* Shown, not just set: the salesperson sees it. */
  g_assert_true (gtk_widget_get_mapped (view));
  const char *expected = tirkeu_catalogue_code_title (failure->code);
  const char *expected_action = NULL;

  /* Steps 4 and 5: "not paid" and "no data" are worded apart. */
  tirkeu_catalogue_payment_stop (failure->code, strstr (failure->name, "no-data") != NULL,
                                 &expected, &expected_action);
  g_assert_cmpstr (tirkeu_error_view_get_title (TIRKEU_ERROR_VIEW (view)), ==, failure->title);
  g_assert_cmpstr (tirkeu_error_view_get_title (TIRKEU_ERROR_VIEW (view)), ==, expected);
  g_assert_nonnull (strstr (tirkeu_error_view_get_action (TIRKEU_ERROR_VIEW (view)), failure->action));
  g_assert_nonnull (find_label_with (view, failure->title));
  /* The step it came from, as a visible line. */
  step = g_strdup_printf ("Step %u of the registration", failure->step);
  g_assert_nonnull (find_label_with (view, step));
  }
}

/* The desk has two error views (sign-in, OKED): the one shown. */
static GtkWidget *
find_mapped_error_view (GtkWidget *root)
{
  if (TIRKEU_IS_ERROR_VIEW (root) && gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_mapped_error_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
flow_mapped (gpointer data)
{
  Desk *desk = data;

  return gtk_widget_get_mapped (GTK_WIDGET (desk->flow));
}

static void
failure_body (TirkeuApplication *application,
              TirkeuWindow      *window,
              gpointer           user_data)
{
  const Failure *failure = user_data;
  Desk desk = { 0 };
  GtkWidget *view;

  desk_init (&desk, window);
  sign_in (&desk, NULL);

  if (failure->vin == NULL)
    {
      /* Step 1: signed in, the OKED check failed, no request can be started. */
      /* The window stays on the desk, which says why (no requests list for this seller). */
      g_assert_true (tirkeu_ui_test_wait_until (transitions_done, window, 10));
      g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (desk.desk)));
      view = find_mapped_error_view (GTK_WIDGET (desk.desk));
      screenshot (&desk, "desk-failure-oked.png");
      assert_error_view (view, failure);
      /* Ctrl+N does nothing: the flow never opens. */
      gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL);
      tirkeu_ui_test_iterate (200);
      g_assert_false (flow_mapped (&desk));
      return;
    }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  if (failure->iin == NULL)
    {
      /* The check starts as soon as the VIN is valid, without Enter. */
      gtk_editable_set_text (GTK_EDITABLE (focused_entry (&desk)), failure->vin);
      g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 20));
    }
  else
    {
      type_and_enter (&desk, failure->vin);
      wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
      if (failure->page == TIRKEU_NEW_REQUEST_PAGE_BUYER)
        gtk_editable_set_text (GTK_EDITABLE (focused_entry (&desk)), failure->iin);
      else
        {
          type_and_enter (&desk, failure->iin);
          wait_page (&desk, failure->page);
        }
      g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 20));
    }
  g_assert_cmpint (tirkeu_new_request_flow_get_page (desk.flow), ==, failure->page);
  tirkeu_ui_test_wait_drawn (GTK_WIDGET (window));
  {
    g_autofree char *name = g_strdup_printf ("desk-failure-%s.png", failure->name);

    screenshot (&desk, name);
  }
  view = tirkeu_new_request_flow_get_error_view (desk.flow, failure->page);
  assert_error_view (view, failure);
  if (failure->page == TIRKEU_NEW_REQUEST_PAGE_BUYER)
    {
      /* The refused IIN is selected, in the focused field: the next scan replaces it. */
      GtkWidget *entry = focused_entry (&desk);
      int start;
      int end;

      g_assert_nonnull (entry);
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, failure->iin);
      g_assert_true (gtk_editable_get_selection_bounds (GTK_EDITABLE (entry), &start, &end));
      g_assert_cmpint (start, ==, 0);
      g_assert_cmpint (end, ==, (int) strlen (failure->iin));
    }
  /* A failed check stops the flow here: Next (Enter) does not move on. */
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  tirkeu_ui_test_iterate (100);
  g_assert_cmpint (tirkeu_new_request_flow_get_page (desk.flow), ==, failure->page);
}

static void
test_failure (gconstpointer data)
{
  const Failure *failure = data;
  g_autofree char *fixtures = failure->vin == NULL ? fixtures_without_vehicle_trade () : NULL;
  Sandbox *sandbox = sandbox_start ("127.0.0.1:0", NULL, fixtures);
  g_autoptr(JsonNode) state = NULL;

  run_app (sandbox, failure_body, (gpointer) failure);
  /* Nothing reached the portal as a request. */
  state = sandbox_state (sandbox);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (state),
                                                                         "requests")), ==, 0);
  sandbox_free (sandbox);
}

/* A draft survives closing the app */

typedef struct
{
  char *draft_id;
  char *key;
} Draft;

typedef struct
{
  GVariant *fields;
  gboolean  done;
} Loaded;

static void
load_draft_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Loaded *loaded = user_data;

  loaded->fields = tirkeu_journal_load_draft_finish (TIRKEU_JOURNAL (object), result, NULL);
  loaded->done = TRUE;
}

static gboolean
loaded_done (gpointer data)
{
  return ((Loaded *) data)->done;
}

/* What the journal holds for @draft_id now. */
static GVariant *
journal_draft (TirkeuWindow *window,
               const char   *draft_id)
{
  Loaded loaded = { NULL, FALSE };

  tirkeu_journal_load_draft_async (tirkeu_session_get_journal (tirkeu_window_get_session (window)),
                                   draft_id, NULL, load_draft_cb, &loaded);
  g_assert_true (tirkeu_ui_test_wait_until (loaded_done, &loaded, 20));
  return loaded.fields;
}

typedef struct
{
  TirkeuWindow *window;
  const char   *draft_id;
  const char   *iin;
} DraftSaved;

static gboolean
draft_saved (gpointer data)
{
  DraftSaved *saved = data;
  g_autoptr(GVariant) fields = journal_draft (saved->window, saved->draft_id);
  const char *iin = NULL;

  return fields != NULL && g_variant_lookup (fields, "buyer-iin", "&s", &iin)
         && g_strcmp0 (iin, saved->iin) == 0;
}

static void
draft_type_body (TirkeuApplication *application,
                 TirkeuWindow      *window,
                 gpointer           user_data)
{
  Draft *draft = user_data;
  Desk desk = { 0 };
  DraftSaved saved = { window, NULL, "850312300121" };

  desk_init (&desk, window);
  sign_in (&desk, NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  type_and_enter (&desk, "XTA210743S0000120");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  /* Typed, not confirmed: the app is closed now. */
  gtk_editable_set_text (GTK_EDITABLE (focused_entry (&desk)), saved.iin);
  draft->draft_id = g_strdup (tirkeu_new_request_flow_get_draft_id (desk.flow));
  draft->key = g_strdup (tirkeu_new_request_flow_get_idempotency_key (desk.flow));
  saved.draft_id = draft->draft_id;
  /* Saved as typed: the journal has it before the window closes. */
  g_assert_true (tirkeu_ui_test_wait_until (draft_saved, &saved, 20));
  gtk_window_close (GTK_WINDOW (window));
}

static GtkWidget *
find_row_prefix (GtkWidget  *root,
                 const char *prefix)
{
  if (ADW_IS_PREFERENCES_ROW (root) && gtk_widget_get_mapped (root)
      && g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), prefix))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row_prefix (child, prefix);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  GtkWidget  *root;
  const char *prefix;
} ListRowWait;

static gboolean
list_row_shown (gpointer data)
{
  ListRowWait *wait = data;

  return find_row_prefix (wait->root, wait->prefix) != NULL;
}

static gboolean
entries_filled (gpointer data)
{
  Desk *desk = data;
  GtkWidget *vin = focused_entry (desk);

  return vin != NULL && g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (vin)), "XTA210743S0000120") == 0;
}

static void
draft_resume_body (TirkeuApplication *application,
                   TirkeuWindow      *window,
                   gpointer           user_data)
{
  Draft *draft = user_data;
  Desk desk = { 0 };
  TirkeuRequestsPage *requests = tirkeu_window_get_requests_page (window);
  ListRowWait wait = { GTK_WIDGET (requests), "XTA210743S0000120" };
  g_autofree char *filter = NULL;
  GtkWidget *row;

  desk_init (&desk, window);
  sign_in (&desk, NULL);
  /* The list is the home after sign-in, also with an unfinished draft: it opens on its
   * Drafts filter, so the draft is the first thing seen. */
  g_assert_true (tirkeu_ui_test_wait_until (transitions_done, window, 10));
  tirkeu_ui_test_iterate (500);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (
                     GTK_STACK (gtk_widget_get_ancestor (GTK_WIDGET (desk.desk), GTK_TYPE_STACK))), ==, "requests");
  g_object_get (requests, "filter", &filter, NULL);
  g_assert_cmpstr (filter, ==, "drafts");
  /* Offered on the list, with the masked IIN. */
  g_assert_true (tirkeu_ui_test_wait_until (list_row_shown, &wait, 20));
  row = find_row_prefix (GTK_WIDGET (requests), wait.prefix);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "850312"));
  g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "850312300121"));
  screenshot (&desk, "desk-draft-offered.png");

  gtk_widget_activate_action (GTK_WIDGET (requests), "requests.resume-draft", "s", draft->draft_id);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  g_assert_true (tirkeu_ui_test_wait_until (entries_filled, &desk, 20));
  g_assert_cmpstr (tirkeu_new_request_flow_get_draft_id (desk.flow), ==, draft->draft_id);
  /* The same request for the portal: the key came back with the draft. */
  g_assert_cmpstr (tirkeu_new_request_flow_get_idempotency_key (desk.flow), ==, draft->key);
  g_signal_emit_by_name (focused_entry (&desk), "activate");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (focused_entry (&desk))), ==, "850312300121");
  /* And it goes on from there. */
  g_signal_emit_by_name (focused_entry (&desk), "activate");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
}

static void
test_draft_survives (void)
{
  Sandbox *sandbox = sandbox_start ("127.0.0.1:0", NULL, NULL);
  Draft draft = { NULL, NULL };

  /* Two runs of the application in one test: the same XDG data directory, the same journal. */
  run_app (sandbox, draft_type_body, &draft);
  g_assert_nonnull (draft.draft_id);
  run_app (sandbox, draft_resume_body, &draft);
  g_free (draft.draft_id);
  g_free (draft.key);
  sandbox_free (sandbox);
}

/* A submit with the network cut is sent once the portal is back */

typedef struct
{
  Sandbox *sandbox;
  char    *key;
  char    *portal_id;
} Outage;

static gboolean
flow_sent (gpointer data)
{
  Desk *desk = data;

  return tirkeu_new_request_flow_get_page (desk->flow) == TIRKEU_NEW_REQUEST_PAGE_SENT
         && !tirkeu_new_request_flow_get_queued (desk->flow);
}

static gboolean
outbox_empty (gpointer data)
{
  return tirkeu_outbox_get_n_pending (data) == 0;
}

static gboolean
request_created (gpointer data)
{
  Desk *desk = data;

  return tirkeu_new_request_flow_get_request (desk->flow) != NULL;
}

typedef struct
{
  GVariant *entries;
  gboolean  done;
} OutboxList;

static void
outbox_list_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  OutboxList *list = user_data;

  list->entries = tirkeu_journal_list_outbox_due_finish (TIRKEU_JOURNAL (object), result, NULL);
  list->done = TRUE;
}

static gboolean
outbox_list_done (gpointer data)
{
  return ((OutboxList *) data)->done;
}

/* What the journal's outbox holds, due or not. */
static guint
journal_outbox_size (TirkeuWindow *window)
{
  OutboxList list = { NULL, FALSE };
  guint n;

  tirkeu_journal_list_outbox_due_async (tirkeu_session_get_journal (tirkeu_window_get_session (window)),
                                        G_MAXINT64, NULL, outbox_list_cb, &list);
  g_assert_true (tirkeu_ui_test_wait_until (outbox_list_done, &list, 20));
  g_assert_nonnull (list.entries);
  n = (guint) g_variant_n_children (list.entries);
  g_variant_unref (list.entries);
  return n;
}

static void
outage_body (TirkeuApplication *application,
             TirkeuWindow      *window,
             gpointer           user_data)
{
  Outage *outage = user_data;
  Desk desk = { 0 };
  TirkeuOutbox *outbox;
  g_autofree char *listen = NULL;
  g_autofree char *state_dir = NULL;
  g_autoptr(GUri) uri = NULL;
  TirkeuRequest *request;

  desk_init (&desk, window);
  sign_in (&desk, NULL);
  outbox = tirkeu_session_get_outbox (tirkeu_window_get_session (window));
  g_assert_nonnull (outbox);
  /* Retry often: the test does not wait the default 30 s. */
  tirkeu_outbox_set_retry_ms (outbox, 250);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  type_and_enter (&desk, "XTA210743S0000120");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  type_and_enter (&desk, "850312300121");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
  g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 20));
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_REVIEW);
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);

  /* The PIN is asked while the portal creates the request; once it has, the network goes,
   * before the signed request is submitted. */
  g_assert_true (tirkeu_ui_test_wait_until (pin_dialog_shown, NULL, 20));
  g_assert_true (tirkeu_ui_test_wait_until (request_created, &desk, 20));
  uri = g_uri_parse (tirkeu_sandbox_get_url (outage->sandbox->sandbox), G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (uri);
  listen = g_strdup_printf ("127.0.0.1:%d", g_uri_get_port (uri));
  state_dir = g_strdup (outage->sandbox->state_dir);
  tirkeu_sandbox_stop (outage->sandbox->sandbox);
  g_clear_object (&outage->sandbox->sandbox);

  enter_pin (token->pin);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_SENT);
  g_assert_true (tirkeu_new_request_flow_get_queued (desk.flow));
  g_assert_cmpuint (journal_outbox_size (window), ==, 1);
  screenshot (&desk, "desk-queued.png");
  /* Retries while the portal is away fail and keep it. */
  tirkeu_ui_test_iterate (800);
  g_assert_true (tirkeu_new_request_flow_get_queued (desk.flow));
  g_assert_cmpuint (journal_outbox_size (window), ==, 1);

  /* The portal is back on the same address with the same state. */
  {
    Sandbox *back = sandbox_start (listen, state_dir, outage->sandbox->fixtures_file);

    g_free (outage->sandbox->state_dir);
    g_free (outage->sandbox->fixtures_file);
    g_free (outage->sandbox);
    outage->sandbox = back;
  }
  g_assert_true (tirkeu_ui_test_wait_until (flow_sent, &desk, 20));
  /* Out of the outbox once the journal recorded it. */
  g_assert_true (tirkeu_ui_test_wait_until (outbox_empty, outbox, 20));
  request = tirkeu_new_request_flow_get_request (desk.flow);
  g_assert_nonnull (request);
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (request), ==,
                   tirkeu_new_request_flow_get_idempotency_key (desk.flow));
  outage->key = g_strdup (tirkeu_new_request_flow_get_idempotency_key (desk.flow));
  outage->portal_id = g_strdup (tirkeu_request_get_portal_id (request));
  screenshot (&desk, "desk-sent-after-outage.png");
}

static void
test_network_cut (void)
{
  Outage outage = { sandbox_start ("127.0.0.1:0", NULL, NULL), NULL, NULL };
  g_autofree char *id = NULL;
  g_autoptr(JsonNode) state = NULL;
  JsonObject *keys;
  g_autoptr(GList) members = NULL;

  run_app (outage.sandbox, outage_body, &outage);
  g_assert_nonnull (outage.portal_id);
  /* Exactly one request, submitted, created with exactly one Idempotency-Key: the flow's. */
  id = sandbox_assert_one_request (outage.sandbox, "awaiting_buyer");
  g_assert_cmpstr (id, ==, outage.portal_id);
  state = sandbox_state (outage.sandbox);
  keys = json_object_get_object_member (json_node_get_object (state), "idempotency");
  members = json_object_get_members (keys);
  g_assert_cmpuint (g_list_length (members), ==, 1);
  g_assert_true (g_str_has_suffix (members->data, outage.key));
  g_free (outage.key);
  g_free (outage.portal_id);
  sandbox_free (outage.sandbox);
}

/* The network gone before the create call: nothing is signed or queued; the draft keeps its
 * Idempotency-Key and Sign and Send creates the request again, once. */

static gboolean
review_error_shown (gpointer data)
{
  Desk *desk = data;
  GtkWidget *view = tirkeu_new_request_flow_get_error_view (desk->flow, TIRKEU_NEW_REQUEST_PAGE_REVIEW);

  return gtk_widget_get_mapped (view) && !tirkeu_new_request_flow_get_busy (desk->flow);
}

static void
create_outage_body (TirkeuApplication *application,
                    TirkeuWindow      *window,
                    gpointer           user_data)
{
  Outage *outage = user_data;
  Desk desk = { 0 };
  g_autofree char *listen = NULL;
  g_autofree char *state_dir = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *key = NULL;
  GtkWidget *view;
  TirkeuOutbox *outbox;

  desk_init (&desk, window);
  sign_in (&desk, NULL);
  outbox = tirkeu_session_get_outbox (tirkeu_window_get_session (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  type_and_enter (&desk, "XTA210743S0000120");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  type_and_enter (&desk, "850312300121");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
  g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 20));
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_REVIEW);
  key = g_strdup (tirkeu_new_request_flow_get_idempotency_key (desk.flow));

  /* The portal goes away before Sign and Send. */
  uri = g_uri_parse (tirkeu_sandbox_get_url (outage->sandbox->sandbox), G_URI_FLAGS_NONE, NULL);
  listen = g_strdup_printf ("127.0.0.1:%d", g_uri_get_port (uri));
  state_dir = g_strdup (outage->sandbox->state_dir);
  tirkeu_sandbox_stop (outage->sandbox->sandbox);
  g_clear_object (&outage->sandbox->sandbox);

  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  g_assert_true (tirkeu_ui_test_wait_until (review_error_shown, &desk, 30));
  view = tirkeu_new_request_flow_get_error_view (desk.flow, TIRKEU_NEW_REQUEST_PAGE_REVIEW);
  g_assert_cmpstr (tirkeu_error_view_get_title (TIRKEU_ERROR_VIEW (view)), ==, "No connection");
  screenshot (&desk, "desk-create-offline.png");
  /* Nothing to sign (the PIN asked while the portal was tried closes by itself), nothing
   * queued, the same page, the same key. */
  g_assert_true (tirkeu_ui_test_wait_until (pin_dialog_gone, NULL, 10));
  g_assert_cmpint (tirkeu_new_request_flow_get_page (desk.flow), ==, TIRKEU_NEW_REQUEST_PAGE_REVIEW);
  g_assert_null (tirkeu_new_request_flow_get_request (desk.flow));
  g_assert_cmpuint (tirkeu_outbox_get_n_pending (outbox), ==, 0);
  g_assert_cmpstr (tirkeu_new_request_flow_get_idempotency_key (desk.flow), ==, key);

  /* Back; Sign and Send again. */
  {
    Sandbox *back = sandbox_start (listen, state_dir, outage->sandbox->fixtures_file);

    g_free (outage->sandbox->state_dir);
    g_free (outage->sandbox->fixtures_file);
    g_free (outage->sandbox);
    outage->sandbox = back;
  }
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  enter_pin (token->pin);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_SENT);
  g_assert_true (tirkeu_ui_test_wait_until (flow_sent, &desk, 20));
  outage->key = g_strdup (key);
  outage->portal_id = g_strdup (tirkeu_request_get_portal_id (tirkeu_new_request_flow_get_request (desk.flow)));
}

static void
test_network_cut_before_create (void)
{
  Outage outage = { sandbox_start ("127.0.0.1:0", NULL, NULL), NULL, NULL };
  g_autofree char *id = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GList) members = NULL;

  run_app (outage.sandbox, create_outage_body, &outage);
  id = sandbox_assert_one_request (outage.sandbox, "awaiting_buyer");
  g_assert_cmpstr (id, ==, outage.portal_id);
  state = sandbox_state (outage.sandbox);
  members = json_object_get_members (json_object_get_object_member (json_node_get_object (state),
                                                                     "idempotency"));
  g_assert_cmpuint (g_list_length (members), ==, 1);
  g_assert_true (g_str_has_suffix (members->data, outage.key));
  g_free (outage.key);
  g_free (outage.portal_id);
  sandbox_free (outage.sandbox);
}

/* The flow with the keyboard alone: real key events.
 *
 * GTK 4 has no gtk_test_widget_send_key() and no public way to make a GdkEvent, and emitting
 * a key controller's signal skips what is tested (the bindings, the default widget, the focus
 * chain). So the keys are real: xdotool injects them with XTEST into the Xvfb server, exactly
 * as a keyboard (or a barcode scanner) would, and GTK receives them through X11 like any
 * other. Before a burst of keys the target toplevel is given the X input focus (what a window
 * manager does on present; Xvfb runs none). Skipped without xdotool or off X11. */

/* The focus is in @widget (or in a child of it: a GtkEntry's GtkText). */
static gboolean
focus_within (GtkWidget *window,
              GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

typedef struct
{
  GtkWidget *window;
  GtkWidget *widget;
} FocusWait;

static gboolean
focus_arrived (gpointer data)
{
  FocusWait *wait = data;

  return focus_within (wait->window, wait->widget);
}

static void
assert_focus (GtkWidget *window,
              GtkWidget *widget)
{
  FocusWait wait = { window, widget };

  if (!tirkeu_ui_test_wait_until (focus_arrived, &wait, 10))
    {
      GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

      g_error ("the focus is on %s, not in %s", focus != NULL ? G_OBJECT_TYPE_NAME (focus) : "nothing",
               G_OBJECT_TYPE_NAME (widget));
    }
}

static GtkWidget *
find_entry_row (GtkWidget *root,
                GType      type)
{
  return tirkeu_ui_test_find_descendant (root, type);
}

static GtkWidget *
visible_page_entry (Desk *desk)
{
  GtkWidget *stack = tirkeu_ui_test_find_descendant (GTK_WIDGET (desk->flow), GTK_TYPE_STACK);
  GtkWidget *page = gtk_stack_get_visible_child (GTK_STACK (stack));

  return find_entry_row (page, GTK_TYPE_ENTRY);
}

static gboolean
keyboard_pin_dialog_focused (gpointer data)
{
  GtkWidget *dialog = shown_pin_dialog ();

  return dialog != NULL
         && focus_within (dialog, tirkeu_pin_dialog_get_entry (TIRKEU_PIN_DIALOG (dialog)));
}

static void
keyboard_pin (const char *pin)
{
  GtkWidget *dialog;

  g_assert_true (tirkeu_ui_test_wait_until (pin_dialog_shown, NULL, 20));
  dialog = shown_pin_dialog ();
  tirkeu_ui_test_wait_drawn (dialog);
  /* The PIN field has the focus as the dialog opens: type at once. */
  g_assert_true (tirkeu_ui_test_wait_until (keyboard_pin_dialog_focused, NULL, 10));
  tirkeu_ui_test_type (dialog, pin);
  tirkeu_ui_test_press (dialog, "Return");
}

static void
keyboard_body (TirkeuApplication *application,
               TirkeuWindow      *window,
               gpointer           user_data)
{
  GtkWidget *win = GTK_WIDGET (window);
  Desk desk = { 0 };
  GtkWidget *vin_entry;
  GtkWidget *iin_entry;
  GtkListBoxRow *row;

  desk_init (&desk, window);
  wait_desk_state (&desk, "token");
  g_assert_true (tirkeu_ui_test_wait_until (journal_open, &desk, 20));

  /* Sign in: the focus is on Sign In; Enter, the PIN, Enter. */
  assert_focus (win, tirkeu_ui_test_find_action (GTK_WIDGET (desk.desk), "desk.sign-in"));
  tirkeu_ui_test_press (win, "Return");
  keyboard_pin (token->pin);
  wait_desk_state (&desk, "signed-in");

  /* Ctrl+N: the focus is in the VIN field. */
  tirkeu_ui_test_press (win, "ctrl+n");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  vin_entry = visible_page_entry (&desk);
  assert_focus (win, vin_entry);
  /* A scanner: the 18-character "I" form, fast keys, Enter. */
  tirkeu_ui_test_type (win, "IXTA210743S0000120");
  tirkeu_ui_test_press (win, "Return");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  iin_entry = visible_page_entry (&desk);
  g_assert_true (iin_entry != vin_entry);
  assert_focus (win, iin_entry);

  /* Escape goes back, into the VIN field; Enter comes back to the IIN field. */
  tirkeu_ui_test_press (win, "Escape");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  assert_focus (win, vin_entry);
  /* Enter showed the VIN as it was checked: the scanner's Code 39 "I" is gone. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (vin_entry)), ==, "XTA210743S0000120");
  tirkeu_ui_test_press (win, "Return");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  assert_focus (win, iin_entry);

  tirkeu_ui_test_type (win, "850312300121");
  tirkeu_ui_test_press (win, "Return");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
  g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 20));
  /* The focus is on the chosen contract. */
  row = GTK_LIST_BOX_ROW (gtk_widget_get_ancestor (gtk_root_get_focus (GTK_ROOT (win)),
                                                   GTK_TYPE_LIST_BOX_ROW));
  g_assert_nonnull (row);
  g_assert_true (gtk_list_box_row_is_selected (row));
  /* The contracts made into rows again under the focus, then coming after the page was
   * shown with the focus nowhere (a slow e-signing system; seen in the demo): each time the
   * chosen contract has the focus, and Enter goes on from it (below). */
  {
    GtkWidget *page = tirkeu_ui_test_find_descendant (GTK_WIDGET (desk.flow),
                                                      TIRKEU_TYPE_CONTRACT_PAGE);
    TirkeuContractPage *contracts = TIRKEU_CONTRACT_PAGE (page);
    TirkeuNewRequest *request = tirkeu_new_request_flow_get_new_request (desk.flow);

    for (guint i = 0; i < 2; i++)
      {
        if (i == 1)
          gtk_root_set_focus (GTK_ROOT (win), NULL);
        tirkeu_contract_page_set_request (contracts, request);
        row = GTK_LIST_BOX_ROW (gtk_widget_get_ancestor (gtk_root_get_focus (GTK_ROOT (win)),
                                                         GTK_TYPE_LIST_BOX_ROW));
        g_assert_nonnull (row);
        g_assert_true (gtk_list_box_row_is_selected (row));
      }
  }

  /* Alt+Left goes back too, and Enter on the IIN comes back to the contract. */
  tirkeu_ui_test_press (win, "alt+Left");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  assert_focus (win, iin_entry);
  tirkeu_ui_test_press (win, "Return");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
  g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 20));

  /* Enter on the contract: Review, the focus on Sign and Send. */
  tirkeu_ui_test_press (win, "Return");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_REVIEW);
  assert_focus (win, tirkeu_ui_test_find_action (GTK_WIDGET (desk.flow), "flow.next"));
  tirkeu_ui_test_press (win, "Return");
  keyboard_pin (token->pin);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_SENT);
  /* Sent: the focus is on the way to the tracking page. */
  assert_focus (win, tirkeu_ui_test_find_action (GTK_WIDGET (desk.flow), "flow.track"));
  g_assert_false (tirkeu_new_request_flow_get_queued (desk.flow));

  /* Enter on "Track the Request": that request's page, over the list that holds it already
   * (from the journal, before any sync brought it). */
  {
    g_autofree char *portal_id = g_strdup (tirkeu_request_get_portal_id (tirkeu_new_request_flow_get_request (desk.flow)));
    TirkeuRequestsPage *requests = tirkeu_window_get_requests_page (window);
    GtkStack *main_stack = GTK_STACK (gtk_widget_get_ancestor (GTK_WIDGET (desk.desk), GTK_TYPE_STACK));
    TirkeuRequest *shown;

    tirkeu_ui_test_press (win, "Return");
    for (guint i = 0; i < 250 && !tirkeu_requests_page_get_showing_request (requests); i++)
      tirkeu_ui_test_iterate (20);
    g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "requests");
    g_assert_true (tirkeu_requests_page_get_showing_request (requests));
    shown = tirkeu_request_page_get_request (tirkeu_requests_page_get_request_page (requests));
    g_assert_cmpstr (tirkeu_request_get_portal_id (shown), ==, portal_id);
    g_assert_nonnull (tirkeu_request_list_lookup (tirkeu_requests_page_get_list (requests),
                                                  portal_id));
  }
}

static void
test_keyboard (void)
{
  Sandbox *sandbox;
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");
  g_autofree char *id = NULL;

#ifdef GDK_WINDOWING_X11
  /* The application initializes GTK anyway; the display is needed now to know its kind. */
  if (!gtk_init_check () || !GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
#endif
    {
      g_test_skip ("real key events are injected through X11 (XTEST)");
      return;
    }
  if (xdotool_path == NULL)
    {
      g_test_skip ("xdotool is missing (build-aux/deps.sh)");
      return;
    }
  sandbox = sandbox_start ("127.0.0.1:0", NULL, NULL);
  run_app (sandbox, keyboard_body, NULL);
  id = sandbox_assert_one_request (sandbox, "awaiting_buyer");
  sandbox_free (sandbox);
}

/* The requests list is the home: Ctrl+N from it, and Escape or the back button return to it
 * from the flow and the desk. */

typedef struct
{
  Desk       *desk;
  const char *name;
} StackWait;

static const char *
main_page (Desk *desk)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (gtk_widget_get_ancestor (GTK_WIDGET (desk->desk),
                                                                                GTK_TYPE_STACK)));
}

static gboolean
main_page_is (gpointer data)
{
  StackWait *wait = data;

  return g_strcmp0 (main_page (wait->desk), wait->name) == 0
         && !transition_running (GTK_WIDGET (wait->desk->window));
}

static void
wait_main_page (Desk       *desk,
                const char *name)
{
  StackWait wait = { desk, name };

  if (!tirkeu_ui_test_wait_until (main_page_is, &wait, 20))
    g_error ("the window shows “%s”, not “%s”", main_page (desk), name);
}

static void
home_body (TirkeuApplication *application,
           TirkeuWindow      *window,
           gpointer           user_data)
{
  GtkWidget *win = GTK_WIDGET (window);
  Desk desk = { 0 };
  GtkWidget *back;

  desk_init (&desk, window);
  sign_in (&desk, NULL);
  /* Signed in: the list is the home, and there is no way "back" from it. */
  wait_main_page (&desk, "requests");
  g_assert_null (tirkeu_ui_test_find_action (win, "win.show-requests"));

  /* Ctrl+N from the list; Escape on the first page of the flow returns to the list. */
  tirkeu_ui_test_press (win, "ctrl+n");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  wait_main_page (&desk, "new-request");
  g_assert_nonnull (tirkeu_ui_test_find_action (win, "win.show-requests"));
  tirkeu_ui_test_press (win, "Escape");
  wait_main_page (&desk, "requests");

  /* The back button from the flow, after a step. */
  tirkeu_ui_test_press (win, "ctrl+n");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  tirkeu_ui_test_type (win, "XTA210743S0000120");
  tirkeu_ui_test_press (win, "Return");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  back = tirkeu_ui_test_find_action (win, "win.show-requests");
  g_assert_nonnull (back);
  gtk_widget_activate (back);
  wait_main_page (&desk, "requests");

  /* The desk: Escape, and the back button, return to the list. */
  gtk_widget_activate_action (win, "win.show-desk", NULL);
  wait_main_page (&desk, "desk");
  back = tirkeu_ui_test_find_action (win, "win.show-requests");
  g_assert_nonnull (back);
  screenshot (&desk, "desk-back-to-list.png");
  tirkeu_ui_test_press (win, "Escape");
  wait_main_page (&desk, "requests");
  gtk_widget_activate_action (win, "win.show-desk", NULL);
  wait_main_page (&desk, "desk");
  gtk_widget_activate (tirkeu_ui_test_find_action (win, "win.show-requests"));
  wait_main_page (&desk, "requests");
}

static void
test_home (void)
{
  Sandbox *sandbox;
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");

#ifdef GDK_WINDOWING_X11
  if (!gtk_init_check () || !GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
#endif
    {
      g_test_skip ("real key events are injected through X11 (XTEST)");
      return;
    }
  if (xdotool_path == NULL)
    {
      g_test_skip ("xdotool is missing (build-aux/deps.sh)");
      return;
    }
  sandbox = sandbox_start ("127.0.0.1:0", NULL, NULL);
  run_app (sandbox, home_body, NULL);
  sandbox_free (sandbox);
}

/* The portal ends the session while a request is being typed (the contract page): the
 * window goes to the desk, and after the next sign-in the list opens on its Drafts filter,
 * the request typed there. It opened on All, "No requests yet": the desk still counted the
 * drafts of the first sign-in, none. */

/* The portal ends every session now (the sandbox's /admin/sessions/expire). */
static void
expire_sessions (Sandbox *sandbox)
{
  g_autoptr(SoupSession) session =
    sb_session_new (tirkeu_sandbox_get_ca_file (sandbox->sandbox));
  g_autoptr(SbAnswer) answer = sb_call (session, tirkeu_sandbox_get_url (sandbox->sandbox),
                                        "POST", "/admin/sessions/expire", NULL, NULL, NULL);

  sb_answer_ok (answer, 200);
}

static void
asked_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TirkeuPortalSeller) seller = NULL;

  seller = tirkeu_portal_client_get_seller_finish (TIRKEU_PORTAL_CLIENT (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
signed_out_drafts_body (TirkeuApplication *application,
                        TirkeuWindow      *window,
                        gpointer           user_data)
{
  Sandbox *sandbox = user_data;
  Desk desk = { 0 };
  TirkeuRequestsPage *requests = tirkeu_window_get_requests_page (window);
  TirkeuSession *session = tirkeu_window_get_session (window);
  g_autofree char *filter = NULL;
  gboolean asked = FALSE;

  desk_init (&desk, window);
  sign_in (&desk, NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  type_and_enter (&desk, "XTA210743S0000120");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  type_and_enter (&desk, "850312300121");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
  g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 20));

  /* The portal ends the session; the next call learns it (a sync round would). */
  expire_sessions (sandbox);
  tirkeu_portal_client_get_seller_async (tirkeu_session_get_client (session), NULL, asked_cb,
                                         &asked);
  g_assert_true (tirkeu_ui_test_wait_until (flag_set, &asked, 20));
  g_assert_cmpint (tirkeu_session_get_state (session), ==, TIRKEU_SESSION_STATE_EXPIRED);

  sign_in (&desk, NULL);
  g_assert_true (tirkeu_ui_test_wait_until (transitions_done, window, 10));
  tirkeu_ui_test_iterate (500);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (
                     GTK_STACK (gtk_widget_get_ancestor (GTK_WIDGET (desk.desk), GTK_TYPE_STACK))), ==, "requests");
  g_object_get (requests, "filter", &filter, NULL);
  g_assert_cmpstr (filter, ==, "drafts");
}

static void
test_signed_out_drafts (void)
{
  Sandbox *sandbox = sandbox_start ("127.0.0.1:0", NULL, NULL);

  run_app (sandbox, signed_out_drafts_body, sandbox);
  sandbox_free (sandbox);
}

/* The journal cannot be opened */

static gboolean
journal_error_shown (gpointer data)
{
  Desk *desk = data;
  GtkWidget *label = tirkeu_new_request_flow_get_journal_error (desk->flow);

  return gtk_widget_get_mapped (label)
         && strstr (gtk_label_get_label (GTK_LABEL (label)), "journal") != NULL;
}

static GtkWidget *
find_button_with_label (GtkWidget  *root,
                        const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_with_label (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A request created on the portal and not signed (the PIN dialog cancelled) stays on the
 * Review page with its key, and can be withdrawn from there. */

static gboolean
flow_closed (gpointer data)
{
  Desk *desk = data;

  return !gtk_widget_get_mapped (GTK_WIDGET (desk->flow));
}

static gboolean
can_withdraw (gpointer data)
{
  Desk *desk = data;
  GtkWidget *button = find_button_with_label (GTK_WIDGET (desk->flow), "_Withdraw the Unsigned Request");

  return button != NULL && gtk_widget_get_mapped (button) && gtk_widget_is_sensitive (button);
}

static void
withdraw_unsigned_body (TirkeuApplication *application,
                        TirkeuWindow      *window,
                        gpointer           user_data)
{
  Desk desk = { 0 };
  TirkeuPinDialog *dialog;

  desk_init (&desk, window);
  sign_in (&desk, NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  type_and_enter (&desk, "XTA210743S0000120");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  type_and_enter (&desk, "850312300121");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
  g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 20));
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_REVIEW);
  g_assert_false (can_withdraw (&desk));
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);

  /* The clerk does not sign after all. */
  g_assert_true (tirkeu_ui_test_wait_until (pin_dialog_shown, NULL, 20));
  g_assert_true (tirkeu_ui_test_wait_until (request_created, &desk, 20));
  dialog = TIRKEU_PIN_DIALOG (shown_pin_dialog ());
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (tirkeu_ui_test_wait_until (can_withdraw, &desk, 20));
  g_assert_cmpint (tirkeu_new_request_flow_get_page (desk.flow), ==, TIRKEU_NEW_REQUEST_PAGE_REVIEW);
  screenshot (&desk, "desk-created-unsigned.png");

  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.withdraw", NULL);
  g_assert_true (tirkeu_ui_test_wait_until (flow_closed, &desk, 20));
}

static void
test_withdraw_unsigned (void)
{
  Sandbox *sandbox = sandbox_start ("127.0.0.1:0", NULL, NULL);
  g_autofree char *id = NULL;

  run_app (sandbox, withdraw_unsigned_body, NULL);
  id = sandbox_assert_one_request (sandbox, "withdrawn");
  sandbox_free (sandbox);
}

static void
no_journal_body (TirkeuApplication *application,
                 TirkeuWindow      *window,
                 gpointer           user_data)
{
  Desk desk = { 0 };

  desk_init (&desk, window);
  wait_desk_state (&desk, "token");
  gtk_widget_activate_action (GTK_WIDGET (desk.desk), "desk.sign-in", NULL);
  enter_pin (token->pin);
  wait_desk_state (&desk, "signed-in");
  g_assert_null (tirkeu_session_get_journal (tirkeu_window_get_session (window)));
  /* The bar over the window says it in the app's words; the library's own text (SQLite's,
   * GLib's) is only behind its Details. */
  {
    const GError *journal_error = tirkeu_application_get_journal_error (application);
    g_autofree char *shown = NULL;

    g_assert_nonnull (journal_error);
    g_object_get (window, "sync-error", &shown, NULL);
    g_assert_nonnull (shown);
    g_assert_null (strstr (shown, journal_error->message));
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), shown));
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "Details"));
  }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  /* Said at once, before anything is typed. */
  g_assert_true (tirkeu_ui_test_wait_until (journal_error_shown, &desk, 10));
  screenshot (&desk, "desk-no-journal.png");
  type_and_enter (&desk, "XTA210743S0000120");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  type_and_enter (&desk, "850312300121");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
  g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 20));
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_REVIEW);
  g_assert_true (journal_error_shown (&desk));
  /* Sign and Send is not offered, and asking for it anyway does nothing. */
  {
    GtkWidget *sign = find_button_with_label (GTK_WIDGET (desk.flow), "_Sign and Send");

    g_assert_nonnull (sign);
    g_assert_false (gtk_widget_is_sensitive (sign));
  }
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  tirkeu_ui_test_iterate (300);
  g_assert_null (shown_pin_dialog ());
  g_assert_cmpint (tirkeu_new_request_flow_get_page (desk.flow), ==, TIRKEU_NEW_REQUEST_PAGE_REVIEW);
  g_assert_false (tirkeu_new_request_flow_get_busy (desk.flow));
}

static void
test_no_journal (void)
{
  Sandbox *sandbox = sandbox_start ("127.0.0.1:0", NULL, NULL);
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) state = NULL;

  /* A directory where the journal's file should be: SQLite cannot open it. */
  tirkeu_ui_test_use_system_data ();
  path = g_build_filename (g_get_user_data_dir (), "tirkeu", "journal.sqlite3", NULL);
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  run_app (sandbox, no_journal_body, NULL);
  g_rmdir (path);
  state = sandbox_state (sandbox);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (state),
                                                                         "requests")), ==, 0);
  sandbox_free (sandbox);
}

/* The banner over every page: offline, the countdown each second, Retry that does not make
 * the wait longer. */

static gboolean
banner_counting (gpointer data)
{
  TirkeuOutboxBanner *banner = data;

  return tirkeu_outbox_banner_get_shown (banner)
         && gtk_widget_get_mapped (GTK_WIDGET (banner))
         && tirkeu_outbox_banner_get_seconds (banner) > 0;
}

/* The seconds the banner says, 0 when it says none; in English, read from its text. */
static guint
banner_seconds (TirkeuOutboxBanner *banner)
{
  const char *text = strstr (tirkeu_outbox_banner_get_text (banner), "Retrying in ");
  guint seconds = tirkeu_outbox_banner_get_seconds (banner);

  if (g_str_equal (tirkeu_i18n_get_language (), "en"))
    g_assert_cmpuint (text != NULL ? (guint) g_ascii_strtoull (text + strlen ("Retrying in "),
                                                               NULL, 10)
                                   : 0, ==, seconds);
  else
    {
      /* Said in the reader's language, with the number. */
      g_autofree char *number = g_strdup_printf ("%u", seconds);

      g_assert_null (text);
      g_assert_nonnull (strstr (tirkeu_outbox_banner_get_text (banner), number));
    }
  return seconds;
}

static gboolean
sync_offline (gpointer data)
{
  return !tirkeu_sync_get_online (data) && !tirkeu_sync_get_syncing (data);
}

static gboolean
sync_round_over (gpointer data)
{
  return !tirkeu_sync_get_syncing (data);
}

static void
banner_body (TirkeuApplication *application,
             TirkeuWindow      *window,
             gpointer           user_data)
{
  Sandbox *sandbox = user_data;
  Desk desk = { 0 };
  TirkeuOutboxBanner *banner;
  TirkeuSync *sync;
  guint first;
  guint later;
  guint delay;

  desk_init (&desk, window);
  sign_in (&desk, NULL);
  banner = TIRKEU_OUTBOX_BANNER (tirkeu_ui_test_find_descendant (GTK_WIDGET (window),
                                                  TIRKEU_TYPE_OUTBOX_BANNER));
  g_assert_nonnull (banner);
  g_assert_false (tirkeu_outbox_banner_get_shown (banner));
  sync = tirkeu_tracking_get_sync (tirkeu_window_get_tracking (window));
  tirkeu_sync_set_backoff (sync, 20000, 60000);

  /* The portal goes away; F5 finds it gone. */
  tirkeu_sandbox_stop (sandbox->sandbox);
  g_clear_object (&sandbox->sandbox);
  gtk_widget_activate_action (GTK_WIDGET (window), "app.refresh", NULL);
  g_assert_true (tirkeu_ui_test_wait_until (sync_offline, sync, 30));
  g_assert_true (tirkeu_ui_test_wait_until (banner_counting, banner, 10));
  if (g_str_equal (tirkeu_i18n_get_language (), "en"))
    g_assert_nonnull (strstr (tirkeu_outbox_banner_get_text (banner), "Offline"));
  g_assert_true (tirkeu_outbox_banner_get_ticking (banner));
  delay = tirkeu_sync_get_retry_delay (sync);
  first = banner_seconds (banner);
  g_assert_cmpuint (first, >, 0);
  g_assert_cmpuint (first, <=, 20);
  screenshot (&desk, "banner-offline.png");

  /* It counts down by itself. */
  tirkeu_ui_test_iterate (2200);
  later = banner_seconds (banner);
  g_assert_cmpuint (later, <, first);
  g_assert_cmpuint (later, >, 0);

  /* Retry: tried now, failed; the wait neither starts again nor doubles. */
  gtk_widget_activate_action (GTK_WIDGET (banner), "banner.retry", NULL);
  g_assert_true (tirkeu_ui_test_wait_until (sync_round_over, sync, 30));
  tirkeu_ui_test_iterate (100);
  g_assert_false (tirkeu_sync_get_online (sync));
  g_assert_cmpuint (tirkeu_sync_get_retry_delay (sync), ==, delay);
  g_assert_cmpuint (banner_seconds (banner), <=, later);
  g_assert_true (banner_counting (banner));

  /* On another page too: the desk. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-desk", NULL);
  g_assert_true (tirkeu_ui_test_wait_until (banner_counting, banner, 10));
  screenshot (&desk, "banner-offline-desk.png");
}

static void
test_banner (void)
{
  Sandbox *sandbox = sandbox_start ("127.0.0.1:0", NULL, NULL);
  g_autofree char *state_dir = g_strdup (sandbox->state_dir);

  run_app (sandbox, banner_body, sandbox);
  sandbox_free (sandbox);
}

/* A VIN whose request is in progress says so on the vehicle page, with a button that opens
 * that request. */

static gboolean
vehicle_error_shown (gpointer data)
{
  Desk *desk = data;
  GtkWidget *view = tirkeu_new_request_flow_get_error_view (desk->flow,
                                                            TIRKEU_NEW_REQUEST_PAGE_VEHICLE);

  return !tirkeu_new_request_flow_get_busy (desk->flow) && gtk_widget_get_mapped (view);
}

typedef struct
{
  Desk       *desk;
  const char *portal_id;
} Shown;

static gboolean
request_page_shows (gpointer data)
{
  Shown *shown = data;
  TirkeuRequestsPage *page = tirkeu_window_get_requests_page (shown->desk->window);
  TirkeuRequestPage *request_page = tirkeu_requests_page_get_request_page (page);
  TirkeuRequest *request = tirkeu_request_page_get_request (request_page);

  return gtk_widget_get_mapped (GTK_WIDGET (request_page)) && request != NULL
         && g_strcmp0 (tirkeu_request_get_portal_id (request), shown->portal_id) == 0;
}

static gboolean
request_listed (gpointer data)
{
  Shown *shown = data;
  TirkeuRequestList *list = tirkeu_tracking_get_list (tirkeu_window_get_tracking (shown->desk->window));

  return tirkeu_request_list_lookup (list, shown->portal_id) != NULL;
}

static void
active_vin_body (TirkeuApplication *application,
                 TirkeuWindow      *window,
                 gpointer           user_data)
{
  HappyPath *path = user_data;
  Desk desk = { 0 };
  GtkWidget *view;
  GtkWidget *button;
  Shown shown = { &desk, NULL };

  /* A request for the VIN, sent and waiting for the buyer. */
  happy_body (application, window, path);
  g_assert_nonnull (path->portal_id);
  desk_init (&desk, window);
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.track", NULL);
  /* In the journal's list (the sync brings it if the send did not). */
  gtk_widget_activate_action (GTK_WIDGET (window), "app.refresh", NULL);
  shown.portal_id = path->portal_id;
  g_assert_true (tirkeu_ui_test_wait_until (request_listed, &shown, 30));

  /* Ctrl+N, the same VIN. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  gtk_editable_set_text (GTK_EDITABLE (focused_entry (&desk)), "XTA210743S0000120");
  g_assert_true (tirkeu_ui_test_wait_until (vehicle_error_shown, &desk, 30));
  view = tirkeu_new_request_flow_get_error_view (desk.flow, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  g_assert_cmpstr (tirkeu_error_view_get_title (TIRKEU_ERROR_VIEW (view)), ==,
                   tirkeu_catalogue_active_request_title ());
  g_assert_nonnull (find_label_with (view, tirkeu_catalogue_active_request_title ()));
  {
    g_autofree char *sentence = tirkeu_catalogue_active_request_action (path->portal_id);

    if (g_str_equal (tirkeu_i18n_get_language (), "en"))
      g_assert_cmpstr (tirkeu_error_view_get_title (TIRKEU_ERROR_VIEW (view)), ==,
                       "A request for this VIN is in progress");
    g_assert_cmpstr (tirkeu_error_view_get_action (TIRKEU_ERROR_VIEW (view)), ==, sentence);
    g_assert_nonnull (strstr (sentence, path->portal_id));
  }
  button = tirkeu_error_view_get_request_button (TIRKEU_ERROR_VIEW (view));
  g_assert_true (gtk_widget_get_mapped (button));
  screenshot (&desk, "vehicle-active-request.png");

  /* The button opens that request. */
  g_signal_emit_by_name (button, "clicked");
  shown.portal_id = path->portal_id;
  g_assert_true (tirkeu_ui_test_wait_until (request_page_shows, &shown, 20));
}

static void
test_active_vin (void)
{
  run_after_sale (active_vin_body);
}

static gboolean
in_group (const char *group)
{
  return g_str_equal (group, TIRKEU_DESK_FLOW_GROUP);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* What main() does first: gettext for the language of the environment (LANGUAGE=en in
   * meson's test block; build-aux/screenshots sets kk and ru). */
  tirkeu_i18n_init (NULL);
  /* SOFTHSM2_CONF before any thread starts. */
  token = token_fixture_new ();
  tirkeu_ui_test_init (&argc, &argv);
  g_setenv ("XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);

  if (in_group ("main"))
    {
      g_test_add_func ("/desk/happy-path", test_happy_path);
      g_test_add_func ("/desk/review-radio", test_review_radio);
      g_test_add_func ("/desk/done-reveals-sent", test_done_reveals_sent);
      g_test_add_func ("/desk/next-sale-from-sent", test_next_sale_from_sent);
    }
  if (in_group ("keyboard"))
    {
      g_test_add_func ("/desk/keyboard-only", test_keyboard);
      g_test_add_func ("/desk/home-is-the-list", test_home);
    }
  /* The failures, by the page that shows them: step 1 and the e-passport; the payments; the
   * buyer and the contract. */
  for (guint i = 0; i < G_N_ELEMENTS (failures); i++)
    {
      g_autofree char *name = g_strdup_printf ("/desk/failure/%s", failures[i].name);
      const char *group = failures[i].page != TIRKEU_NEW_REQUEST_PAGE_VEHICLE
                          && failures[i].vin != NULL ? "failure-buyer-contract"
                          : failures[i].step >= 4 ? "failure-payments" : "failure-vehicle";

      if (in_group (group))
        g_test_add_data_func (name, &failures[i], test_failure);
    }
  if (in_group ("outbox"))
    {
      g_test_add_func ("/desk/draft-survives-closing", test_draft_survives);
      g_test_add_func ("/desk/network-cut", test_network_cut);
      g_test_add_func ("/desk/network-cut-before-create", test_network_cut_before_create);
    }
  if (in_group ("messages"))
    {
      g_test_add_func ("/desk/banner/offline-countdown", test_banner);
      g_test_add_func ("/desk/vehicle/active-request", test_active_vin);
    }
  if (in_group ("journal"))
    {
      g_test_add_func ("/desk/no-journal", test_no_journal);
      g_test_add_func ("/desk/withdraw-unsigned", test_withdraw_unsigned);
      g_test_add_func ("/desk/signed-out-drafts", test_signed_out_drafts);
    }

  status = g_test_run ();
  token_fixture_free (token);
  return status;
}
