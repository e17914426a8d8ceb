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
#include "tirkeu-error-view.h"
#include "tirkeu-sign-in-page.h"
#include "tirkeu-ui-test.h"

static char *key_file_path;
static char *soon_key_file_path;   /* ends in 20 days */

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
answer_for (const char *password,
            GtkWidget  *previous,
            const char *name)
{
  GtkWidget *dialog;
  g_autofree char *file_text = g_strdup_printf ("Key file: %s", name);

  g_assert_true (tirkeu_ui_test_wait_until (pin_dialog_shown, previous, 30));
  dialog = tirkeu_ui_test_find_toplevel (TIRKEU_TYPE_PIN_DIALOG);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Enter the Key File’s Password");
  g_assert_nonnull (strstr (tirkeu_pin_dialog_get_certificate_text (TIRKEU_PIN_DIALOG (dialog)),
                            file_text));
  gtk_editable_set_text (GTK_EDITABLE (tirkeu_pin_dialog_get_entry (TIRKEU_PIN_DIALOG (dialog))),
                         password);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "sign");
  gtk_window_destroy (GTK_WINDOW (dialog));
  return dialog;
}

static GtkWidget *
answer (const char *password,
        GtkWidget  *previous)
{
  return answer_for (password, previous, "GOST512_TEST.p12");
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
  g_assert_true (tirkeu_ui_test_wait_until (needs_password, session, 30));
  page = tirkeu_ui_test_find_descendant (GTK_WIDGET (window), TIRKEU_TYPE_SIGN_IN_PAGE);
  g_assert_nonnull (page);
  /* no "insert your token": the page names the key file */
  g_assert_true (has_status_page (page, "Key file “GOST512_TEST.p12”"));

  g_assert_true (gtk_widget_activate_action (page, "desk.open-key-file", NULL));
  dialog = answer ("wrong", NULL);
  /* asked again, with the refusal */
  g_assert_true (tirkeu_ui_test_wait_until (pin_dialog_shown, dialog, 30));
  g_assert_true (tirkeu_session_needs_key_file_password (session));
  dialog = answer ("Qwerty12", dialog);

  g_assert_true (tirkeu_ui_test_wait_until (certificate_listed, session, 30));
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

static gboolean
no_module (gpointer data)
{
  return tirkeu_session_get_state (data) == TIRKEU_SESSION_STATE_NO_MODULE;
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
error_shown (gpointer data)
{
  return shown_error_view (data) != NULL;
}

static gboolean
status_checked (gpointer data)
{
  GtkWidget *row = tirkeu_ui_test_find_row (data, "Status (OCSP)");

  return row != NULL
         && g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Checking…") != 0;
}

static gboolean
remembered (gpointer data)
{
  g_auto(GStrv) recent = g_settings_get_strv (data, "recent-key-files");

  return recent[0] != NULL;
}

static gboolean
row_missing (gpointer data)
{
  return g_object_get_data (data, "missing") != NULL;
}

static const char *
row_subtitle (GtkWidget  *root,
              const char *title)
{
  GtkWidget *row = tirkeu_ui_test_find_row (root, title);

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_mapped (row));
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

/* No token driver at all, a key file chosen on the sign-in page: what the file chooser's
 * answer calls (desk.open-key-file-path) asks the password, opens the file, shows its
 * certificate as a card, and remembers the path. A path that is not there is said before any
 * password is asked. */
static void
choose_body (TirkeuApplication *application,
             TirkeuWindow      *window,
             gpointer           user_data)
{
  TirkeuSession *session = tirkeu_application_get_session (application);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_auto(GStrv) recent = NULL;
  GtkWidget *page;
  GtkWidget *button;
  GtkWidget *error_view;
  GtkWidget *dialog;
  g_autofree char *validity = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) end = g_date_time_add_days (now, 20);

  g_assert_true (tirkeu_ui_test_wait_until (no_module, session, 30));
  page = tirkeu_ui_test_find_descendant (GTK_WIDGET (window), TIRKEU_TYPE_SIGN_IN_PAGE);
  g_assert_nonnull (page);
  tirkeu_ui_test_iterate (50);
  button = tirkeu_ui_test_find_action (page, "desk.choose-key-file");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));

  /* gone: said at once, no password asked */
  g_assert_true (gtk_widget_activate_action (page, "desk.open-key-file-path", "s",
                                             "/nonexistent/GOST512_GONE.p12"));
  g_assert_true (tirkeu_ui_test_wait_until (error_shown, page, 30));
  error_view = shown_error_view (page);
  g_assert_nonnull (strstr (tirkeu_error_view_get_title (TIRKEU_ERROR_VIEW (error_view)),
                            "“/nonexistent/GOST512_GONE.p12” is not there"));
  g_assert_null (tirkeu_ui_test_find_toplevel (TIRKEU_TYPE_PIN_DIALOG));

  g_assert_true (gtk_widget_activate_action (page, "desk.open-key-file-path", "s",
                                             soon_key_file_path));
  dialog = answer_for ("wrong", NULL, "GOST512_SOON.p12");
  dialog = answer_for ("Qwerty12", dialog, "GOST512_SOON.p12");
  g_assert_true (tirkeu_ui_test_wait_until (certificate_listed, session, 30));
  g_assert_cmpint (tirkeu_token_info_get_kind (tirkeu_session_get_token (session)), ==,
                   TIRKEU_TOKEN_KIND_KEY_FILE);
  tirkeu_ui_test_iterate (50);
  g_assert_cmpstr (tirkeu_sign_in_page_get_visible_state (TIRKEU_SIGN_IN_PAGE (page)), ==, "token");

  /* the card: owner, BIN with the organisation, role, validity with the 30-day warning */
  g_assert_cmpstr (row_subtitle (page, "Owner"), ==, "ИВАНОВ ИВАН");
  g_assert_cmpstr (row_subtitle (page, "BIN"), ==, "940140000385 · ТОО ТИРКЕУ АВТО ТЕСТ");
  g_assert_cmpstr (row_subtitle (page, "Role"), ==, "first head");
  validity = g_date_time_format (end, "%d.%m.%Y");
  g_assert_nonnull (strstr (row_subtitle (page, "Valid"), validity));
  g_assert_nonnull (strstr (row_subtitle (page, "Valid"), "The certificate expires in "));
  /* NCA's OCSP service (here the portal's, not running) is asked at once; an answer that
   * cannot be had is said, and does not stop the sign-in by itself */
  g_assert_true (tirkeu_ui_test_wait_until (status_checked, page, 30));
  g_assert_cmpstr (row_subtitle (page, "Status (OCSP)"), ==, "Could not be checked");
  g_assert_true (gtk_widget_is_sensitive (tirkeu_ui_test_find_action (page, "desk.sign-in")));
  /* past the stack's crossfade, tall enough for the whole card */
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 880);
  tirkeu_ui_test_iterate (1000);
  tirkeu_ui_test_wait_drawn (GTK_WIDGET (window));
  g_free (tirkeu_ui_test_save_screenshot (GTK_WIDGET (window), "sign-in-key-file.png"));

  /* remembered: the path only */
  g_assert_true (tirkeu_ui_test_wait_until (remembered, settings, 30));
  recent = g_settings_get_strv (settings, "recent-key-files");
  g_assert_cmpuint (g_strv_length (recent), ==, 1);
  g_assert_cmpstr (recent[0], ==, soon_key_file_path);
}

/* GSettings keeps one backend per process, made for the first test's private folders: each
 * test that keeps settings runs the app in a process of its own. */
static void
test_key_file_choose (void)
{
  const char *arguments[] = { "--portal-url", "https://127.0.0.1:9", "--pkcs11-module",
                              "/nonexistent/libnone.so", NULL };

  if (g_test_subprocess ())
    {
      g_assert_cmpint (tirkeu_ui_test_run_application (arguments, choose_body, NULL), ==, 0);
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static gboolean
two_remembered (gpointer data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_auto(GStrv) recent = g_settings_get_strv (settings, "recent-key-files");

  return g_strv_length (recent) == 2 && g_str_equal (recent[0], key_file_path);
}

/* The first run: two key files opened, one after the other (the second replaces the first
 * as the session's token). */
static void
open_two_body (TirkeuApplication *application,
               TirkeuWindow      *window,
               gpointer           user_data)
{
  TirkeuSession *session = tirkeu_application_get_session (application);
  const char *gone_path = user_data;
  g_autofree char *keyfile = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *page;

  g_assert_true (tirkeu_ui_test_wait_until (no_module, session, 30));
  page = tirkeu_ui_test_find_descendant (GTK_WIDGET (window), TIRKEU_TYPE_SIGN_IN_PAGE);
  g_assert_true (gtk_widget_activate_action (page, "desk.open-key-file-path", "s", gone_path));
  answer_for ("Qwerty12", NULL, "GOST512_GONE.p12");
  g_assert_true (tirkeu_ui_test_wait_until (certificate_listed, session, 30));
  g_assert_cmpstr (tirkeu_token_info_get_label (tirkeu_session_get_token (session)), ==,
                   "GOST512_GONE.p12");
  g_assert_true (gtk_widget_activate_action (page, "desk.open-key-file-path", "s",
                                             key_file_path));
  answer_for ("Qwerty12", NULL, "GOST512_TEST.p12");
  while (g_strcmp0 (tirkeu_token_info_get_label (tirkeu_session_get_token (session)),
                    "GOST512_TEST.p12") != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (tirkeu_ui_test_wait_until (two_remembered, NULL, 30));

  /* kept on disk, as paths only */
  keyfile = g_build_filename (g_get_user_config_dir (), "glib-2.0", "settings", "keyfile", NULL);
  g_assert_true (g_file_get_contents (keyfile, &contents, NULL, &error));
  g_assert_nonnull (strstr (contents, "recent-key-files"));
  g_assert_nonnull (strstr (contents, "GOST512_GONE.p12"));
  g_assert_null (strstr (contents, "Qwerty12"));
}

/* After the restart: both listed, most recent first; the deleted one is said to be missing
 * and can be removed; the other opens from its row. */
static void
restarted_body (TirkeuApplication *application,
                TirkeuWindow      *window,
                gpointer           user_data)
{
  TirkeuSession *session = tirkeu_application_get_session (application);
  const char *gone_path = user_data;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_auto(GStrv) recent = NULL;
  g_autofree char *folder = g_path_get_dirname (key_file_path);
  g_autofree char *missing = g_strdup_printf ("Missing: %s", gone_path);
  GtkWidget *page;
  GtkWidget *row;
  GtkWidget *gone;

  g_assert_true (tirkeu_ui_test_wait_until (no_module, session, 30));
  page = tirkeu_ui_test_find_descendant (GTK_WIDGET (window), TIRKEU_TYPE_SIGN_IN_PAGE);
  tirkeu_ui_test_iterate (50);
  row = tirkeu_ui_test_find_row (page, "GOST512_TEST.p12");
  gone = tirkeu_ui_test_find_row (page, "GOST512_GONE.p12");
  g_assert_nonnull (row);
  g_assert_nonnull (gone);
  /* most recent first */
  g_assert_true (gtk_widget_get_next_sibling (row) == gone);
  g_assert_true (tirkeu_ui_test_wait_until (row_missing, gone, 30));
  g_assert_cmpstr (row_subtitle (page, "GOST512_GONE.p12"), ==, missing);
  g_assert_cmpstr (row_subtitle (page, "GOST512_TEST.p12"), ==, folder);
  /* past the stack's crossfade, tall enough for the whole card */
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 880);
  tirkeu_ui_test_iterate (1000);
  tirkeu_ui_test_wait_drawn (GTK_WIDGET (window));
  g_free (tirkeu_ui_test_save_screenshot (GTK_WIDGET (window), "sign-in-recent-key-files.png"));

  /* removed from the list, not from the disk */
  g_assert_true (gtk_widget_activate_action (page, "desk.forget-key-file", "s", gone_path));
  tirkeu_ui_test_iterate (20);
  g_assert_null (tirkeu_ui_test_find_row (page, "GOST512_GONE.p12"));
  recent = g_settings_get_strv (settings, "recent-key-files");
  g_assert_cmpuint (g_strv_length (recent), ==, 1);
  g_assert_cmpstr (recent[0], ==, key_file_path);

  /* Enter on the row opens it */
  row = tirkeu_ui_test_find_row (page, "GOST512_TEST.p12");
  gtk_widget_activate (row);
  answer_for ("Qwerty12", NULL, "GOST512_TEST.p12");
  g_assert_true (tirkeu_ui_test_wait_until (certificate_listed, session, 30));
}

static void
test_key_file_recent (void)
{
  const char *arguments[] = { "--portal-url", "https://127.0.0.1:9", "--pkcs11-module",
                              "/nonexistent/libnone.so", NULL };
  g_autofree char *dir = g_path_get_dirname (key_file_path);
  g_autofree char *gone_path = g_build_filename (dir, "GOST512_GONE.p12", NULL);
  g_autofree char *saved = g_build_filename (dir, "settings-keyfile", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  if (g_test_subprocess ())
    {
      gboolean first = g_strcmp0 (g_getenv ("TIRKEU_TEST_RUN"), "first") == 0;
      g_autofree char *settings_dir = g_build_filename (g_get_user_config_dir (), "glib-2.0",
                                                        "settings", NULL);
      g_autofree char *keyfile = g_build_filename (settings_dir, "keyfile", NULL);

      /* Each test process has private folders of its own: the settings file the first run
       * wrote is carried over to the second, as the disk would keep it. */
      if (!first)
        {
          g_assert_true (g_file_get_contents (saved, &contents, &length, &error));
          g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
          g_file_set_contents (keyfile, contents, (gssize) length, &error);
          g_assert_no_error (error);
        }
      g_assert_cmpint (tirkeu_ui_test_run_application (arguments,
                                                       first ? open_two_body : restarted_body,
                                                       gone_path), ==, 0);
      if (first)
        {
          g_assert_true (g_file_get_contents (keyfile, &contents, &length, &error));
          g_file_set_contents (saved, contents, (gssize) length, &error);
          g_assert_no_error (error);
        }
      return;
    }

  g_assert_true (g_file_get_contents (key_file_path, &contents, &length, &error));
  g_file_set_contents (gone_path, contents, (gssize) length, &error);
  g_assert_no_error (error);
  g_setenv ("TIRKEU_TEST_RUN", "first", TRUE);
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_unlink (gone_path);

  /* a new process: what the next start of the app sees */
  g_setenv ("TIRKEU_TEST_RUN", "second", TRUE);
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_unlink (saved);
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
  g_autoptr(GostIdentity) soon = NULL;
  g_autoptr(GBytes) soon_p12 = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  gboolean owner = FALSE;
  int status;

  /* Settings on disk, so that a second process (the restart) reads what the first wrote. */
  g_setenv ("GSETTINGS_BACKEND", "keyfile", TRUE);
  tirkeu_ui_test_init (&argc, &argv);
  /* A test's subprocess (a restart of the app) uses the key files its parent made. */
  if (g_getenv ("TIRKEU_TEST_KEY_FILE_DIR") != NULL)
    dir = g_strdup (g_getenv ("TIRKEU_TEST_KEY_FILE_DIR"));
  key_file_path = NULL;
  if (dir == NULL)
    {
      ca = gost_identity_new (NULL, "/C=KZ/CN=GOST APP TEST CA", NULL, -10, 3650);
      seller = gost_identity_new (ca, "/CN=ИВАНОВ ИВАН/SN=ИВАНОВ/serialNumber=IIN850304300128"
                                      "/C=KZ/O=ТОО ТИРКЕУ АВТО ТЕСТ/OU=BIN940140000385",
                                  "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1",
                                  -1, 365);
      p12 = gost_identity_key_file (seller, "Qwerty12");
      /* a certificate that ends in 20 days: the 30-day warning */
      soon = gost_identity_new (ca, "/CN=ИВАНОВ ИВАН/SN=ИВАНОВ/serialNumber=IIN850304300128"
                                    "/C=KZ/O=ТОО ТИРКЕУ АВТО ТЕСТ/OU=BIN940140000385",
                                "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1",
                                -345, 20);
      soon_p12 = gost_identity_key_file (soon, "Qwerty12");
      dir = g_dir_make_tmp ("tirkeu-key-file-app-XXXXXX", &error);
      g_assert_no_error (error);
      owner = TRUE;
      g_setenv ("TIRKEU_TEST_KEY_FILE_DIR", dir, TRUE);
    }
  key_file_path = g_build_filename (dir, "GOST512_TEST.p12", NULL);
  soon_key_file_path = g_build_filename (dir, "GOST512_SOON.p12", NULL);
  if (owner)
    {
      g_file_set_contents (key_file_path, g_bytes_get_data (p12, NULL), g_bytes_get_size (p12),
                           &error);
      g_assert_no_error (error);
      g_file_set_contents (soon_key_file_path, g_bytes_get_data (soon_p12, NULL),
                           g_bytes_get_size (soon_p12), &error);
      g_assert_no_error (error);
    }

  g_test_add_func ("/ui/key-file/app", test_key_file_app);
  g_test_add_func ("/ui/key-file/choose", test_key_file_choose);
  g_test_add_func ("/ui/key-file/recent", test_key_file_recent);
  g_test_add_func ("/ui/key-file/missing", test_key_file_missing);
  status = g_test_run ();

  if (owner)
    {
      g_unlink (key_file_path);
      g_unlink (soon_key_file_path);
      g_rmdir (dir);
    }
  g_free (soon_key_file_path);
  g_free (key_file_path);
  return status;
}
