/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sign-in page asks NCA's OCSP service about the certificate it shows, here the
 * in-process sandbox's own test NCA (/pki/ocsp): a key file it issued is "Valid, not
 * revoked"; one revoked with `tirkeu-sandbox pki revoke` is shown as revoked, with its date,
 * and cannot sign in: the page says why and Sign In is off, before any PIN. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "test-sandbox-util.h"
#include "tirkeu-error-view.h"
#include "tirkeu-i18n.h"
#include "tirkeu-key-file.h"
#include "tirkeu-pin-dialog.h"
#include "tirkeu-session.h"
#include "tirkeu-sign-in-page.h"
#include "tirkeu-ui-test.h"

#define PASSWORD "Qwerty12"

typedef struct
{
  SbFixture  fixture;
  char      *ca_file;
  char      *good;
  char      *revoked;
} Ocsp;

static char *
issue_key (Ocsp       *ocsp,
           const char *name)
{
  char *path = g_build_filename (ocsp->fixture.state_dir, name, NULL);
  const char *args[] = { "pki", "issue-key", "--state-dir", ocsp->fixture.state_dir,
                         "--bin", "940140000385", "--iin", "850304300128",
                         "--name", "ИВАНОВ ИВАН", "--organisation", "ТОО ТИРКЕУ АВТО ТЕСТ",
                         "--role", "head", "--password", PASSWORD, "-o", path, NULL };

  sb_run_program (args);
  return path;
}

static void
revoke_key (Ocsp       *ocsp,
            const char *key_path)
{
  g_autoptr(GFile) file = g_file_new_for_path (key_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuKeyFile) key_file = tirkeu_key_file_new_from_file (file, PASSWORD, NULL,
                                                                      &error);
  g_autoptr(TirkeuCertificate) certificate = NULL;
  g_autofree char *serial = NULL;

  g_assert_no_error (error);
  certificate = tirkeu_certificate_new_from_der (tirkeu_key_file_get_certificate_der (key_file),
                                                 &error);
  g_assert_no_error (error);
  serial = tirkeu_certificate_dup_serial (certificate);
  {
    const char *args[] = { "pki", "revoke", serial, "--state-dir", ocsp->fixture.state_dir,
                           NULL };

    sb_run_program (args);
  }
}

/* The error view under @root that shows something on screen. */
static GtkWidget *
shown_error_view (GtkWidget *root)
{
  if (TIRKEU_IS_ERROR_VIEW (root) && tirkeu_error_view_get_title (TIRKEU_ERROR_VIEW (root)) != NULL
      && gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = shown_error_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
no_module (gpointer data)
{
  return tirkeu_session_get_state (data) == TIRKEU_SESSION_STATE_NO_MODULE;
}

static gboolean
pin_dialog_shown (gpointer data)
{
  GtkWidget *dialog = tirkeu_ui_test_find_toplevel (TIRKEU_TYPE_PIN_DIALOG);

  return dialog != NULL && gtk_widget_get_mapped (dialog);
}

typedef struct
{
  TirkeuSession *session;
  const char    *label;
} Listed;

static gboolean
key_file_listed (gpointer data)
{
  Listed *listed = data;
  TirkeuTokenInfo *token = tirkeu_session_get_token (listed->session);

  return token != NULL && g_strcmp0 (tirkeu_token_info_get_label (token), listed->label) == 0
         && tirkeu_session_get_state (listed->session) == TIRKEU_SESSION_STATE_TOKEN_PRESENT
         && tirkeu_session_get_certificates (listed->session) != NULL
         && tirkeu_session_get_certificates (listed->session)->len > 0;
}

static gboolean
status_checked (gpointer data)
{
  GtkWidget *row = tirkeu_ui_test_find_row (data, "Status (OCSP)");

  return row != NULL && gtk_widget_get_mapped (row)
         && adw_action_row_get_subtitle (ADW_ACTION_ROW (row)) != NULL
         && g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Checking…") != 0;
}

static const char *
status (GtkWidget *page)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (tirkeu_ui_test_find_row (page,
                                                                               "Status (OCSP)")));
}

/* Opens @path as the file chooser's answer would, with its password. */
static void
open_key_file (TirkeuSession *session,
               GtkWidget     *page,
               const char    *path)
{
  g_autofree char *label = g_path_get_basename (path);
  Listed listed = { session, label };
  GtkWidget *dialog;

  g_assert_true (gtk_widget_activate_action (page, "desk.open-key-file-path", "s", path));
  g_assert_true (tirkeu_ui_test_wait_until (pin_dialog_shown, NULL, 60));
  dialog = tirkeu_ui_test_find_toplevel (TIRKEU_TYPE_PIN_DIALOG);
  gtk_editable_set_text (GTK_EDITABLE (tirkeu_pin_dialog_get_entry (TIRKEU_PIN_DIALOG (dialog))),
                         PASSWORD);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "sign");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (tirkeu_ui_test_wait_until (key_file_listed, &listed, 60));
  tirkeu_ui_test_iterate (50);
}

static void
ocsp_body (TirkeuApplication *application,
           TirkeuWindow      *window,
           gpointer           user_data)
{
  Ocsp *ocsp = user_data;
  TirkeuSession *session = tirkeu_application_get_session (application);
  g_autoptr(GDateTime) today = g_date_time_new_now_local ();
  g_autofree char *revoked_on = NULL;
  GtkWidget *page;
  GtkWidget *error_view;

  g_assert_true (tirkeu_ui_test_wait_until (no_module, session, 60));
  page = tirkeu_ui_test_find_descendant (GTK_WIDGET (window), TIRKEU_TYPE_SIGN_IN_PAGE);
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 880);

  /* Run in another language (LANGUAGE=kk, ru): what the page shows, for a person to read. */
  if (!g_str_has_prefix (g_getenv ("LANGUAGE"), "en"))
    {
      const char *language = g_getenv ("LANGUAGE");
      g_autofree char *good = g_strdup_printf ("sign-in-key-file-%s.png", language);
      g_autofree char *revoked = g_strdup_printf ("sign-in-revoked-%s.png", language);

      open_key_file (session, page, ocsp->good);
      tirkeu_ui_test_iterate (3000);
      g_free (tirkeu_ui_test_save_screenshot (GTK_WIDGET (window), good));
      open_key_file (session, page, ocsp->revoked);
      tirkeu_ui_test_iterate (3000);
      g_free (tirkeu_ui_test_save_screenshot (GTK_WIDGET (window), revoked));
      return;
    }

  open_key_file (session, page, ocsp->good);
  g_assert_true (tirkeu_ui_test_wait_until (status_checked, page, 60));
  g_assert_cmpstr (status (page), ==, "Valid, not revoked");
  g_assert_true (gtk_widget_is_sensitive (tirkeu_ui_test_find_action (page, "desk.sign-in")));
  g_assert_null (shown_error_view (page));

  open_key_file (session, page, ocsp->revoked);
  g_assert_true (tirkeu_ui_test_wait_until (status_checked, page, 60));
  revoked_on = g_date_time_format (today, "Revoked on %d.%m.%Y");
  g_assert_nonnull (strstr (status (page), revoked_on));
  error_view = shown_error_view (page);
  g_assert_nonnull (error_view);
  g_assert_cmpstr (tirkeu_error_view_get_title (TIRKEU_ERROR_VIEW (error_view)), ==,
                   "This certificate was revoked: it cannot sign in. Have NCA issue a new one.");
  /* no PIN is asked for it */
  g_assert_false (gtk_widget_is_sensitive (tirkeu_ui_test_find_action (page, "desk.sign-in")));
  gtk_widget_activate_action (page, "desk.sign-in", NULL);
  tirkeu_ui_test_iterate (200);
  g_assert_null (tirkeu_ui_test_find_toplevel (TIRKEU_TYPE_PIN_DIALOG));
  tirkeu_ui_test_iterate (500);
  tirkeu_ui_test_wait_drawn (GTK_WIDGET (window));
  g_free (tirkeu_ui_test_save_screenshot (GTK_WIDGET (window), "sign-in-revoked.png"));
}

static void
test_sign_in_ocsp (void)
{
  Ocsp ocsp = { 0 };
  TirkeuSandboxOptions options;
  const char *arguments[8];

  tirkeu_ui_test_use_system_data ();
  sb_options_for_test (&options, NULL);
  sb_fixture_start (&ocsp.fixture, &options);
  ocsp.good = issue_key (&ocsp, "GOST512_GOOD.p12");
  ocsp.revoked = issue_key (&ocsp, "GOST512_REVOKED.p12");
  revoke_key (&ocsp, ocsp.revoked);

  arguments[0] = "--portal-url";
  arguments[1] = ocsp.fixture.url;
  arguments[2] = "--ca-file";
  arguments[3] = tirkeu_sandbox_get_ca_file (ocsp.fixture.sandbox);
  arguments[4] = "--pkcs11-module";
  arguments[5] = "/nonexistent/libnone.so";
  arguments[6] = NULL;
  g_assert_cmpint (tirkeu_ui_test_run_application (arguments, ocsp_body, &ocsp), ==, 0);

  sb_fixture_stop (&ocsp.fixture);
  g_free (ocsp.good);
  g_free (ocsp.revoked);
}

int
main (int   argc,
      char *argv[])
{
  /* What main() does first: gettext for the language of the environment (LANGUAGE=en in
   * meson's test block; a screenshot in kk or ru sets another). */
  tirkeu_i18n_init (NULL);
  tirkeu_ui_test_init (&argc, &argv);
  g_test_add_func ("/ui/sign-in/ocsp", test_sign_in_ocsp);
  return g_test_run ();
}
