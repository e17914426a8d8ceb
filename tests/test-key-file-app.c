/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The app with --key-file: an NCA key file instead of a token. The sign-in page names the
 * file and offers to open it; the password is asked in the PIN dialog (worded for a key
 * file's password); a wrong one is asked again with the refusal; the right one lists the
 * GOST 2015 certificate, which serves sign-in and signing. Nothing is saved. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "test-token-gost.h"
#include "tirkeu-pin-dialog.h"
#include "tirkeu-session.h"
#include "tirkeu-sign-in-page.h"
#include "tirkeu-ui-test.h"

static char *key_file_path;

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

static gboolean
has_status_page (GtkWidget  *root,
                 const char *title)
{
  if (ADW_IS_STATUS_PAGE (root)
      && g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (root)), title) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_status_page (child, title))
      return TRUE;
  return FALSE;
}

static gboolean
has_status_page_description (GtkWidget  *root,
                             const char *description)
{
  if (ADW_IS_STATUS_PAGE (root)
      && g_strcmp0 (adw_status_page_get_description (ADW_STATUS_PAGE (root)), description) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_status_page_description (child, description))
      return TRUE;
  return FALSE;
}

static gboolean
wait_until (gboolean (*predicate) (gpointer), gpointer data)
{
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!predicate (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static gboolean
needs_password (gpointer data)
{
  return tirkeu_session_needs_key_file_password (data);
}

static gboolean
pin_dialog_shown (gpointer data)
{
  GtkWidget *dialog = tirkeu_ui_test_find_toplevel (TIRKEU_TYPE_PIN_DIALOG);

  return dialog != NULL && gtk_widget_get_visible (dialog)
         && gtk_widget_get_mapped (dialog) && dialog != data;
}

static gboolean
certificate_listed (gpointer data)
{
  return tirkeu_session_get_state (data) == TIRKEU_SESSION_STATE_TOKEN_PRESENT
         && tirkeu_session_get_certificates (data) != NULL
         && tirkeu_session_get_certificates (data)->len > 0;
}

/* Types @password into the shown dialog and signs; returns the dialog answered. */
static GtkWidget *
answer (const char *password,
        GtkWidget  *previous)
{
  GtkWidget *dialog;

  g_assert_true (wait_until (pin_dialog_shown, previous));
  dialog = tirkeu_ui_test_find_toplevel (TIRKEU_TYPE_PIN_DIALOG);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Enter the Key File’s Password");
  g_assert_nonnull (strstr (tirkeu_pin_dialog_get_certificate_text (TIRKEU_PIN_DIALOG (dialog)),
                            "Key file: GOST512_TEST.p12"));
  gtk_editable_set_text (GTK_EDITABLE (tirkeu_pin_dialog_get_entry (TIRKEU_PIN_DIALOG (dialog))),
                         password);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "sign");
  gtk_window_destroy (GTK_WINDOW (dialog));
  return dialog;
}

static void
key_file_body (TirkeuApplication *application,
               TirkeuWindow      *window,
               gpointer           user_data)
{
  TirkeuSession *session = tirkeu_application_get_session (application);
  GtkWidget *page;
  GtkWidget *dialog;
  g_autoptr(GPtrArray) auth = NULL;
  g_autoptr(GPtrArray) sign = NULL;
  g_autofree char *expected = NULL;

  g_assert_nonnull (session);
  g_assert_nonnull (tirkeu_session_get_key_file (session));
  expected = g_file_get_path (tirkeu_session_get_key_file (session));
  g_assert_cmpstr (expected, ==, key_file_path);
  /* a manager of the key file alone: no PKCS#11 module is loaded */
  g_assert_true (wait_until (needs_password, session));
  page = find_descendant (GTK_WIDGET (window), TIRKEU_TYPE_SIGN_IN_PAGE);
  g_assert_nonnull (page);
  /* no "insert your token": the page names the key file */
  g_assert_true (has_status_page (page, "Key file “GOST512_TEST.p12”"));

  g_assert_true (gtk_widget_activate_action (page, "desk.open-key-file", NULL));
  dialog = answer ("wrong", NULL);
  /* asked again, with the refusal */
  g_assert_true (wait_until (pin_dialog_shown, dialog));
  g_assert_true (tirkeu_session_needs_key_file_password (session));
  dialog = answer ("Qwerty12", dialog);

  g_assert_true (wait_until (certificate_listed, session));
  g_assert_false (tirkeu_session_needs_key_file_password (session));
  g_assert_cmpint (tirkeu_token_info_get_kind (tirkeu_session_get_token (session)), ==,
                   TIRKEU_TOKEN_KIND_KEY_FILE);
  auth = tirkeu_session_dup_certificates (session, TIRKEU_CERTIFICATE_KIND_AUTH);
  sign = tirkeu_session_dup_certificates (session, TIRKEU_CERTIFICATE_KIND_SIGN);
  g_assert_cmpuint (auth->len, ==, 1);
  g_assert_cmpuint (sign->len, ==, 1);
  g_assert_cmpstr (tirkeu_certificate_get_iin (g_ptr_array_index (auth, 0)), ==, "850304300128");
  /* the sign-in asks the key file's password next, not a PIN */
  tirkeu_ui_test_iterate (50);
  g_assert_true (has_status_page_description (page, "Choose the certificate to sign in with. "
                                                    "The key file’s password is asked next."));
}

static void
test_key_file_app (void)
{
  const char *arguments[] = { "--portal-url", "https://127.0.0.1:9", "--key-file", key_file_path,
                              NULL };

  g_assert_cmpint (tirkeu_ui_test_run_application (arguments, key_file_body, NULL), ==, 0);
}

static void
not_reached_body (TirkeuApplication *application,
                  TirkeuWindow      *window,
                  gpointer           user_data)
{
  g_assert_not_reached ();
}

/* A key file that is not there ends the run with status 1 and says so. */
static void
test_key_file_missing (void)
{
  if (g_test_subprocess ())
    {
      const char *missing[] = { "--key-file", "/nonexistent/GOST512_X.p12", NULL };

      g_assert_cmpint (tirkeu_ui_test_run_application (missing, not_reached_body, NULL), ==, 1);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*Key file “/nonexistent/GOST512_X.p12” does not exist*");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GostIdentity) ca = NULL;
  g_autoptr(GostIdentity) seller = NULL;
  g_autoptr(GBytes) p12 = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  tirkeu_ui_test_init (&argc, &argv);
  ca = gost_identity_new (NULL, "/C=KZ/CN=GOST APP TEST CA", NULL, -10, 3650);
  seller = gost_identity_new (ca, "/CN=ИВАНОВ ИВАН/SN=ИВАНОВ/serialNumber=IIN850304300128/C=KZ"
                                  "/O=ТОО ТИРКЕУ АВТО ТЕСТ/OU=BIN940140000385",
                              "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1", -1, 365);
  p12 = gost_identity_key_file (seller, "Qwerty12");
  dir = g_dir_make_tmp ("tirkeu-key-file-app-XXXXXX", &error);
  g_assert_no_error (error);
  key_file_path = g_build_filename (dir, "GOST512_TEST.p12", NULL);
  g_file_set_contents (key_file_path, g_bytes_get_data (p12, NULL), g_bytes_get_size (p12),
                       &error);
  g_assert_no_error (error);

  g_test_add_func ("/ui/key-file/app", test_key_file_app);
  g_test_add_func ("/ui/key-file/missing", test_key_file_missing);
  status = g_test_run ();

  g_unlink (key_file_path);
  g_rmdir (dir);
  g_free (key_file_path);
  return status;
}
