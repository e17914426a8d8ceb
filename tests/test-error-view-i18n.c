/* SPDX-License-Identifier: GPL-3.0-or-later */
/* No English reaches a Kazakh or Russian reader of an error: the title and the sentence come
 * from the catalogue by domain and code, the library's raw text stays under "Details", and a
 * wire code there carries a label. gettext is set up once per process, so each language runs
 * in a subprocess of its own, which finds its language in its test path. */
#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-error-view.h"
#include "tirkeu-i18n.h"
#include "tirkeu-pin-dialog.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-token-error.h"
#include "tirkeu-token-private.h"
#include "tirkeu-ui-test.h"

static const char *language;

typedef struct
{
  const char *no_connection;     /* the catalogue's title for a refused connection */
  const char *code_label;        /* "Error code: " */
  const char *portal_says;       /* "The portal says: " */
  const char *unreadable;        /* the title for libsoup's and json-glib's errors */
} Expected;

static const Expected expected_kk = { "Байланыс жоқ", "Қате коды: ", "Портал хабарламасы: ", "Жауап оқылмайды" };
static const Expected expected_ru = { "Нет соединения", "Код ошибки: ", "Сообщение портала: ", "Нечитаемый ответ" };

static const Expected *
expected (void)
{
  return g_str_equal (language, "kk") ? &expected_kk : &expected_ru;
}

static gboolean
has_latin_word (const char *text)
{
  /* Three Latin letters in a row: an English word (codes such as VIN or TLS are labelled) */
  guint run = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      run = g_ascii_isalpha (*p) ? run + 1 : 0;
      if (run >= 3)
        return TRUE;
    }
  return FALSE;
}

static void
assert_reader_language (TirkeuErrorView *view)
{
  const char *title = tirkeu_error_view_get_title (view);
  const char *action = tirkeu_error_view_get_action (view);

  g_test_message ("title: %s; action: %s; details: %s", title, action,
                  tirkeu_error_view_get_details (view));
  g_assert_false (has_latin_word (title));
  g_assert_false (has_latin_word (action));
}

static void
test_body (void)
{
  GtkWidget *widget = g_object_ref_sink (tirkeu_error_view_new ());
  TirkeuErrorView *view = TIRKEU_ERROR_VIEW (widget);
  g_autoptr(GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                   "Could not connect: Connection refused");
  g_autoptr(GError) wire = NULL;
  g_autoptr(GError) token = NULL;
  g_autoptr(GError) json_error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) soup_error = g_error_new_literal (SOUP_SESSION_ERROR,
                                                      SOUP_SESSION_ERROR_PARSING,
                                                      "Could not parse HTTP response");
  const char *details;
  const char *final_try = tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_PIN_FINAL_TRY);

  g_assert_cmpstr (tirkeu_i18n_get_language (), ==, language);

  /* GLib's network error: the catalogue's words; GLib's English only under Details, with
   * its domain and code labelled */
  tirkeu_error_view_set_error (view, 2, refused);
  g_assert_cmpstr (tirkeu_error_view_get_title (view), ==, expected ()->no_connection);
  assert_reader_language (view);
  details = tirkeu_error_view_get_details (view);
  g_assert_nonnull (strstr (details, "Connection refused"));
  g_assert_nonnull (strstr (details, expected ()->code_label));

  /* libsoup's and json-glib's real errors, by the quark strings the libraries register */
  g_assert_false (json_parser_load_from_data (parser, "{\"a\":", -1, &json_error));
  tirkeu_error_view_set_error (view, 0, json_error);
  g_assert_cmpstr (tirkeu_error_view_get_title (view), ==, expected ()->unreadable);
  assert_reader_language (view);
  tirkeu_error_view_set_error (view, 0, soup_error);
  g_assert_cmpstr (tirkeu_error_view_get_title (view), ==, expected ()->unreadable);

  /* A portal error: its own text in the reader's language; the code labelled, and the
   * message "OKED_MISMATCH: <English>" nowhere */
  wire = tirkeu_portal_error_new_from_portal (TIRKEU_PORTAL_CODE_OKED_MISMATCH, 422,
                                              "ЭҚЖЖ сәйкес емес", "ОКЭД не подходит",
                                              "OKED is not vehicle trade", NULL);
  tirkeu_error_view_set_error (view, 1, wire);
  assert_reader_language (view);
  details = tirkeu_error_view_get_details (view);
  g_assert_nonnull (strstr (details, g_str_equal (language, "kk") ? "ЭҚЖЖ сәйкес емес"
                                                                  : "ОКЭД не подходит"));
  g_assert_nonnull (strstr (details, expected ()->portal_says));
  g_assert_nonnull (strstr (details, expected ()->code_label));
  g_assert_nonnull (strstr (details, "OKED_MISMATCH"));
  g_assert_null (strstr (details, "OKED is not vehicle trade"));
  g_assert_null (strstr (details, "OKED_MISMATCH:"));

  /* A wrong PIN: one line, the signing agent's; not the same line again under Details */
  token = g_error_new_literal (TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_FINAL_TRY, final_try);
  tirkeu_error_view_set_error (view, 9, token);
  g_assert_cmpstr (tirkeu_error_view_get_title (view), ==, final_try);
  g_assert_cmpstr (tirkeu_error_view_get_details (view), ==, "");
  assert_reader_language (view);

  /* A token error whose message is its title and a path: the path alone under Details */
  {
    const char *module = tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_MODULE);
    g_autoptr(GError) module_error = g_error_new (TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_MODULE,
                                                  "%s (%s)", module, "/usr/lib/none.so");

    tirkeu_error_view_set_error (view, 0, module_error);
    g_assert_cmpstr (tirkeu_error_view_get_title (view), ==, module);
    g_assert_cmpstr (tirkeu_error_view_get_details (view), ==, "(/usr/lib/none.so)");
  }

  g_object_unref (widget);
}

/* The PIN dialog: after a wrong PIN on a token that reports one try left, the refusal in the
 * agent's words is the one line about it; the token's own tries-left warning is not repeated
 * under it. */
static void
test_pin_dialog_one_line (void)
{
  g_autoptr(TirkeuTokenInfo) token = _tirkeu_token_info_new ("Kaztoken", "NCA", "KT", "0001",
                                                             TIRKEU_PIN_FLAGS_FINAL_TRY);
  TirkeuPinDialog *dialog = tirkeu_pin_dialog_new (NULL, token, NULL, "—");

  g_object_ref_sink (dialog);
  g_assert_cmpstr (tirkeu_pin_dialog_get_pin_state (dialog), !=, "");
  tirkeu_pin_dialog_set_error (dialog,
                               tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_PIN_FINAL_TRY));
  g_assert_cmpstr (tirkeu_pin_dialog_get_pin_state (dialog), ==, "");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

static void
test_language (gconstpointer data)
{
  const char *test_language = data;

  if (g_test_subprocess ())
    {
      g_assert_cmpstr (language, ==, test_language);
      adw_init ();
      test_body ();
      test_pin_dialog_one_line ();
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  static const char * const languages[] = { "kk", "ru" };
  gboolean subprocess = FALSE;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--GTestSubprocess"))
        subprocess = TRUE;
      else if (g_str_equal (argv[i], "/error-view-i18n/kk"))
        language = "kk";
      else if (g_str_equal (argv[i], "/error-view-i18n/ru"))
        language = "ru";
    }
  if (!subprocess)
    language = NULL;
  if (language != NULL)
    tirkeu_i18n_init (language);

  tirkeu_ui_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autofree char *path = g_strdup_printf ("/error-view-i18n/%s", languages[i]);

      g_test_add_data_func (path, languages[i], test_language);
    }

  return g_test_run ();
}
