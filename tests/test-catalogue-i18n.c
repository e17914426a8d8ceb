/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-catalogue.h"
#include "tirkeu-i18n.h"

/* Every catalogue message must exist in kk and ru: a string the
 * translation still returns as its English msgid is missing. Each language runs in its own
 * subprocess, since gettext's language is per process. The English texts are collected in
 * the child before gettext is set up for the language. */

static const struct { const char *domain; int code; } library_errors[] = {
  { "g-io-error-quark", G_IO_ERROR_CONNECTION_REFUSED },
  { "g-io-error-quark", G_IO_ERROR_TIMED_OUT },
  { "g-io-error-quark", G_IO_ERROR_HOST_NOT_FOUND },
  { "g-tls-error-quark", G_TLS_ERROR_BAD_CERTIFICATE },
  { "soup-session-error-quark", 0 },
  { "g-io-error-quark", G_IO_ERROR_CANCELLED },
  { "g-io-error-quark", G_IO_ERROR_NOT_FOUND },
  { "g-io-error-quark", G_IO_ERROR_PERMISSION_DENIED },
  { "g-io-error-quark", G_IO_ERROR_NO_SPACE },
  { "g-io-error-quark", G_IO_ERROR_IS_DIRECTORY },
  { "tirkeu-store-error-quark", 0 },
  { "tirkeu-store-error-quark", 1 },
  { "tirkeu-store-error-quark", 2 },
  { "tirkeu-store-error-quark", 3 },
  { "tirkeu-store-error-quark", 4 },
  { "tirkeu-store-error-quark", 5 },
  { "g-io-error-quark", G_IO_ERROR_FAILED },
};

static GPtrArray *
collect (void)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) todo = tirkeu_catalogue_buyer_todo ();
  const TirkeuActor actors[] = {
    TIRKEU_ACTOR_SELLER, TIRKEU_ACTOR_BUYER, TIRKEU_ACTOR_PORTAL, TIRKEU_ACTOR_NONE,
  };

  for (guint i = 0; i < TIRKEU_N_STAGES; i++)
    {
      g_ptr_array_add (texts, g_strdup (tirkeu_catalogue_stage_title (i)));
      g_ptr_array_add (texts, g_strdup (tirkeu_catalogue_stage_next (i)));
      g_ptr_array_add (texts, tirkeu_catalogue_step_text (i));  /* NULL for step 0 */
    }
  for (guint i = 0; i < TIRKEU_N_PORTAL_CODES; i++)
    {
      g_ptr_array_add (texts, g_strdup (tirkeu_catalogue_code_title (i)));
      g_ptr_array_add (texts, g_strdup (tirkeu_catalogue_code_action (i)));
    }
  for (guint i = 0; i < G_N_ELEMENTS (actors); i++)
    g_ptr_array_add (texts, g_strdup (tirkeu_catalogue_actor_name (actors[i])));
  g_ptr_array_add (texts, g_strdup (tirkeu_catalogue_buyer_todo_title ()));
  for (guint i = 0; todo[i] != NULL; i++)
    g_ptr_array_add (texts, g_strdup (todo[i]));

  /* The sentences for library errors, one error of each kind */
  for (guint i = 0; i < G_N_ELEMENTS (library_errors); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (g_quark_from_string (library_errors[i].domain),
                                                     library_errors[i].code, "raw");
      const char *title, *action;

      g_assert_true (tirkeu_catalogue_describe_error (error, &title, &action));
      g_ptr_array_add (texts, g_strdup (title));
      if (action != NULL)
        g_ptr_array_add (texts, g_strdup (action));
    }
  g_ptr_array_add (texts, tirkeu_catalogue_error_code_label ("TLS"));

  return texts;
}

static void
check_language (const char *language)
{
  g_autoptr(GPtrArray) english = NULL;
  g_autoptr(GPtrArray) translated = NULL;
  guint missing = 0;

  /* GLib decides once per process whether g_dgettext() translates at all: under LANGUAGE=en
   * in the C.UTF-8 locale (the test environment) it decides "no", for good, and every later
   * lookup returns the msgid. So let it decide while the tested language is set. */
  tirkeu_i18n_init (language);
  (void) g_dgettext (GETTEXT_PACKAGE, "");

  g_setenv ("LANGUAGE", "en", TRUE);
  tirkeu_i18n_init ("en");
  english = collect ();

  tirkeu_i18n_init (language);
  g_assert_cmpstr (tirkeu_i18n_get_language (), ==, language);
  translated = collect ();

  g_assert_cmpuint (english->len, ==, translated->len);
  for (guint i = 0; i < english->len; i++)
    {
      const char *en = g_ptr_array_index (english, i);
      const char *tr = g_ptr_array_index (translated, i);

      if (en == NULL)
        {
          g_assert_null (tr);
          continue;
        }
      if (tr == NULL || *tr == '\0' || g_str_equal (en, tr))
        {
          g_printerr ("%s: not translated: “%s”\n", language, en);
          missing++;
        }
    }

  if (missing > 0)
    g_error ("%s: %u catalogue messages are not translated", language, missing);
}

static void
test_catalogue_language (gconstpointer data)
{
  const char *language = data;

  if (g_test_subprocess ())
    {
      check_language (language);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_data_func ("/catalogue-i18n/kk", "kk", test_catalogue_language);
  g_test_add_data_func ("/catalogue-i18n/ru", "ru", test_catalogue_language);

  return g_test_run ();
}
