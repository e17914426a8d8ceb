/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The seller's desk, driven through the real widgets of the real application under Xvfb,
 * against the in-process sandbox (real TLS) and a SoftHSM token made by
 * tests/fixtures/make-token.sh (issue 6, Tests).
 *
 * Input is given the way the keyboard gives it: text is set into the entries, Enter is
 * gtk_widget_activate() on the focused entry (the entry's "activate" signal, what Enter
 * emits), and page moves are the flow's own actions (flow.next is what Enter on a list row
 * or the default button triggers, flow.back what Escape triggers), activated with
 * gtk_widget_activate_action(). No pointer event is used. */
#include "config.h"

#include "test-token-fixture.h"
#include "tirkeu-error-view.h"
#include "tirkeu-new-request-flow.h"
#include "tirkeu-pin-dialog.h"
#include "tirkeu-sandbox.h"
#include "tirkeu-sign-in-page.h"
#include "tirkeu-ui-test.h"

static TokenFixture *token;

typedef struct
{
  TirkeuSandbox *sandbox;
  char          *state_dir;
  char          *fixtures_file;
} Sandbox;

static gboolean
wait_until (gboolean (*predicate) (gpointer), gpointer data, guint seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (!predicate (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  return TRUE;
}

static GtkWidget *
find_descendant (GtkWidget *root,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static Sandbox *
sandbox_start (const char *listen,
               const char *state_dir,
               const char *fixtures_file)
{
  Sandbox *sandbox = g_new0 (Sandbox, 1);
  TirkeuSandboxOptions options;
  g_autoptr(GError) error = NULL;

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
  tirkeu_sandbox_stop (sandbox->sandbox);
  g_clear_object (&sandbox->sandbox);
  g_free (sandbox->state_dir);
  g_free (sandbox->fixtures_file);
  g_free (sandbox);
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
  if (!wait_until (desk_in_state, desk, 20))
    {
      GtkWidget *view = find_descendant (GTK_WIDGET (desk->desk), TIRKEU_TYPE_ERROR_VIEW);

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
  if (!wait_until (flow_on_page, desk, 20))
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

static void
enter_pin (const char *pin)
{
  TirkeuPinDialog *dialog;

  g_assert_true (wait_until (pin_dialog_shown, NULL, 20));
  dialog = TIRKEU_PIN_DIALOG (shown_pin_dialog ());
  gtk_editable_set_text (GTK_EDITABLE (tirkeu_pin_dialog_get_entry (dialog)), pin);
  /* Enter in the PIN entry: the entry's "activate" signal signs. */
  g_signal_emit_by_name (tirkeu_pin_dialog_get_entry (dialog), "activate");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
}

static void
screenshot (Desk       *desk,
            const char *name)
{
  g_autofree char *path = NULL;

  tirkeu_ui_test_wait_drawn (GTK_WIDGET (desk->window));
  path = tirkeu_ui_test_save_screenshot (GTK_WIDGET (desk->window), name);
  g_test_message ("screenshot: %s", path);
}

static void
desk_init (Desk         *desk,
           TirkeuWindow *window)
{
  desk->window = window;
  desk->desk = TIRKEU_SIGN_IN_PAGE (find_descendant (GTK_WIDGET (window), TIRKEU_TYPE_SIGN_IN_PAGE));
  desk->flow = TIRKEU_NEW_REQUEST_FLOW (find_descendant (GTK_WIDGET (window),
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

static void
sign_in (Desk       *desk,
         const char *shot)
{
  wait_desk_state (desk, "token");
  g_assert_true (wait_until (journal_open, desk, 20));
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
    screenshot (&desk, "desk-signed-in.png");

  /* Ctrl+N */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  /* A barcode scanner: the 18-character "I" form, then Enter. */
  type_and_enter (&desk, path->vin);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  g_assert_true (wait_until (not_busy, &desk, 20));
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
  g_assert_true (wait_until (not_busy, &desk, 20));
  if (path->screenshots)
    {
      gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.back", NULL);
      wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
      screenshot (&desk, "desk-buyer.png");
      g_signal_emit_by_name (focused_entry (&desk), "activate");
      wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
      g_assert_true (wait_until (not_busy, &desk, 20));
      screenshot (&desk, "desk-contract.png");
    }
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_REVIEW);
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

static void
test_happy_path (void)
{
  Sandbox *sandbox = sandbox_start ("127.0.0.1:0", NULL, NULL);
  HappyPath path = { "IXTA210743S0000120", "850312300121", TRUE, NULL };
  g_autoptr(JsonNode) stored = NULL;

  g_assert_cmpint (tirkeu_ui_test_run_application (app_arguments (sandbox), happy_body, &path), ==, 0);
  g_assert_nonnull (path.portal_id);
  stored = tirkeu_sandbox_get_request (sandbox->sandbox, path.portal_id);
  g_assert_nonnull (stored);
  g_free (path.portal_id);
  sandbox_free (sandbox);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* SOFTHSM2_CONF before any thread starts. */
  token = token_fixture_new ();
  tirkeu_ui_test_init (&argc, &argv);
  g_setenv ("XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  /* The memory GSettings backend has no org.gnome.system.proxy, which GIO's default proxy
   * resolver reads; the sandbox is on loopback, so no proxy applies anyway. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  g_test_add_func ("/desk/happy-path", test_happy_path);

  status = g_test_run ();
  token_fixture_free (token);
  return status;
}
