/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The desk's notices on screen: when the OCSP responder cannot be reached and the settings let
 * signing go on (the default), the request is signed and sent, and the Sent page says that
 * the certificate's status was not checked. The real application under Xvfb, the in-process
 * sandbox (real TLS) and the SoftHSM token of tests/fixtures/make-token.sh; the responder is
 * an address where nothing listens. */
#include "config.h"

#include <string.h>

#include "test-token-fixture.h"
#include "tirkeu-i18n.h"
#include "tirkeu-new-request-flow.h"
#include "tirkeu-new-request-pages.h"
#include "tirkeu-pin-dialog.h"
#include "tirkeu-sandbox.h"
#include "tirkeu-sign-in-page.h"
#include "tirkeu-ui-test.h"

static TokenFixture *token;

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
  if (!tirkeu_ui_test_wait_until (desk_in_state, desk, 30))
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
  if (!tirkeu_ui_test_wait_until (flow_on_page, desk, 30))
    g_error ("the flow is on page %d, not %d", tirkeu_new_request_flow_get_page (desk->flow), page);
}

static gboolean
not_busy (gpointer data)
{
  Desk *desk = data;

  return !tirkeu_new_request_flow_get_busy (desk->flow);
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

  g_assert_true (tirkeu_ui_test_wait_until (pin_dialog_shown, NULL, 30));
  dialog = TIRKEU_PIN_DIALOG (shown_pin_dialog ());
  gtk_editable_set_text (GTK_EDITABLE (tirkeu_pin_dialog_get_entry (dialog)), pin);
  g_signal_emit_by_name (tirkeu_pin_dialog_get_entry (dialog), "activate");
}

static gboolean
journal_open (gpointer data)
{
  Desk *desk = data;

  return tirkeu_session_get_journal (tirkeu_window_get_session (desk->window)) != NULL;
}

static void
type_and_enter (Desk       *desk,
                const char *text)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (desk->window));

  while (focus != NULL && !GTK_IS_ENTRY (focus))
    focus = gtk_widget_get_parent (focus);
  g_assert_nonnull (focus);
  gtk_editable_set_text (GTK_EDITABLE (focus), text);
  g_signal_emit_by_name (focus, "activate");
}

/* The mapped label under @root that shows @text, if any: what is on screen. */
static GtkWidget *
label_showing (GtkWidget  *root,
               const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root)
      && strstr (gtk_label_get_label (GTK_LABEL (root)), text) != NULL)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = label_showing (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  gboolean sent;
  char    *shown;
} Seen;

static void
notice_body (TirkeuApplication *application,
             TirkeuWindow      *window,
             gpointer           user_data)
{
  Seen *seen = user_data;
  Desk desk = { 0 };
  g_autofree char *shot = NULL;

  desk.window = window;
  desk.desk = TIRKEU_SIGN_IN_PAGE (tirkeu_ui_test_find_descendant (GTK_WIDGET (window),
                                                                   TIRKEU_TYPE_SIGN_IN_PAGE));
  desk.flow = TIRKEU_NEW_REQUEST_FLOW (tirkeu_ui_test_find_descendant (GTK_WIDGET (window),
                                                        TIRKEU_TYPE_NEW_REQUEST_FLOW));
  g_assert_nonnull (desk.desk);
  g_assert_nonnull (desk.flow);

  wait_desk_state (&desk, "token");
  g_assert_true (tirkeu_ui_test_wait_until (journal_open, &desk, 30));
  gtk_widget_activate_action (GTK_WIDGET (desk.desk), "desk.sign-in", NULL);
  enter_pin (token->pin);
  wait_desk_state (&desk, "signed-in");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_VEHICLE);
  type_and_enter (&desk, "XTA210743S0000120");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_BUYER);
  g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 30));
  type_and_enter (&desk, "850312300121");
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_CONTRACT);
  g_assert_true (tirkeu_ui_test_wait_until (not_busy, &desk, 30));
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_REVIEW);
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.next", NULL);
  enter_pin (token->pin);
  wait_page (&desk, TIRKEU_NEW_REQUEST_PAGE_SENT);

  seen->sent = tirkeu_new_request_flow_get_request (desk.flow) != NULL;
  /* the stacks' slides over, so that the picture shows the Sent page alone */
  tirkeu_ui_test_iterate (1000);
  tirkeu_ui_test_wait_drawn (GTK_WIDGET (window));
  shot = tirkeu_ui_test_save_screenshot (GTK_WIDGET (window), "desk-sent-notice.png");
  g_test_message ("screenshot: %s", shot);
  /* on screen, on the Sent page the clerk sees */
  {
    GtkWidget *sent = tirkeu_ui_test_find_descendant (GTK_WIDGET (desk.flow),
                                                      TIRKEU_TYPE_SENT_PAGE);
    GtkWidget *label = label_showing (sent, "status could not be checked");

    if (label != NULL)
      seen->shown = g_strdup (gtk_label_get_label (GTK_LABEL (label)));
  }
  gtk_widget_activate_action (GTK_WIDGET (desk.flow), "flow.close", NULL);
}

static void
test_ocsp_unreachable_notice (void)
{
  g_autoptr(GSettings) settings = NULL;
  TirkeuSandboxOptions options;
  g_autoptr(TirkeuSandbox) sandbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autofree char *ocsp_url = NULL;
  Seen seen = { 0 };
  const char *arguments[8];

  tirkeu_ui_test_use_system_data ();
  tirkeu_sandbox_options_init (&options);
  g_free (options.listen);
  options.listen = g_strdup ("127.0.0.1:0");
  state_dir = g_dir_make_tmp ("tirkeu-desk-notice-XXXXXX", &error);
  g_assert_no_error (error);
  options.state_dir = g_strdup (state_dir);
  options.signer_ca_file = g_strdup (token->ca_file);
  options.buyer_mode = TIRKEU_SANDBOX_BUYER_MANUAL;
  sandbox = tirkeu_sandbox_new (&options, &error);
  g_assert_no_error (error);
  tirkeu_sandbox_start (sandbox, &error);
  g_assert_no_error (error);
  tirkeu_sandbox_options_clear (&options);

  /* A port that was just free and is closed again: connections to it are refused. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any_port, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  ocsp_url = g_strdup_printf ("https://127.0.0.1:%u/ocsp",
                              g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  /* memory backend: the application reads the same settings */
  settings = g_settings_new ("io.github.tirkeu.Tirkeu");
  /* the token's CA: the issuer is known, so the responder itself is asked */
  g_settings_set_string (settings, "ca-certificates", token->ca_file);
  g_settings_set_string (settings, "ocsp-url", ocsp_url);
  g_settings_set_string (settings, "ocsp-unreachable", "continue");

  arguments[0] = "--portal-url";
  arguments[1] = tirkeu_sandbox_get_url (sandbox);
  arguments[2] = "--ca-file";
  arguments[3] = tirkeu_sandbox_get_ca_file (sandbox);
  arguments[4] = "--pkcs11-module";
  arguments[5] = token->module;
  arguments[6] = NULL;
  g_assert_cmpint (tirkeu_ui_test_run_application (arguments, notice_body, &seen), ==, 0);

  g_assert_true (seen.sent);
  g_test_message ("the Sent page says: %s", seen.shown != NULL ? seen.shown : "(nothing)");
  g_assert_nonnull (seen.shown);
  /* the responder's own failure, not a missing issuer */
  g_assert_null (strstr (seen.shown, "issuer"));

  g_settings_reset (settings, "ca-certificates");
  g_settings_reset (settings, "ocsp-url");
  g_settings_reset (settings, "ocsp-unreachable");
  g_free (seen.shown);
  tirkeu_sandbox_stop (sandbox);
  token_fixture_run ((const char *[]) { "rm", "-rf", state_dir, NULL });
}

int
main (int   argc,
      char *argv[])
{
  int status;

  tirkeu_i18n_init (NULL);
  /* SOFTHSM2_CONF before any thread starts. */
  token = token_fixture_new ();
  tirkeu_ui_test_init (&argc, &argv);
  g_setenv ("XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_test_add_func ("/desk/notice/ocsp-unreachable", test_ocsp_unreachable_notice);
  status = g_test_run ();
  token_fixture_free (token);
  return status;
}
