/* SPDX-License-Identifier: GPL-3.0-or-later */
/* With --language kk and --language ru the window speaks Kazakh and Russian. gettext is set
 * up once per process, before anything is translated, exactly as main() does: so each
 * language runs in a subprocess of its own, which finds its language in its test path. */
#include "config.h"

#include <string.h>

#include "tirkeu-i18n.h"
#include "tirkeu-ui-test.h"

static const char *language;

static gboolean
has_cyrillic (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x0400 && c <= 0x04FF)
        return TRUE;
    }

  return FALSE;
}

/* Letters of the Kazakh alphabet that Russian does not have. */
static gboolean
has_kazakh_letter (const char *text)
{
  static const char *letters = "әғқңөұүһіӘҒҚҢӨҰҮҺІ";

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_utf8_strchr (letters, -1, g_utf8_get_char (p)) != NULL)
      return TRUE;

  return FALSE;
}

/* The window's welcome page (id "status_page" in tirkeu-window.ui). The window holds other
 * status pages too (the sign-in page's "Looking for the Token…" comes first, and has no
 * description), so the first one in tree order is not the one this test reads. */
static AdwStatusPage *
find_status_page (GtkWidget *root)
{
  if (ADW_IS_STATUS_PAGE (root)
      && g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)), "status_page") == 0)
    return ADW_STATUS_PAGE (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwStatusPage *found = find_status_page (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
translated_body (TirkeuApplication *application,
                 TirkeuWindow      *window,
                 gpointer           user_data)
{
  AdwStatusPage *status_page = find_status_page (GTK_WIDGET (window));
  const char *title = gtk_window_get_title (GTK_WINDOW (window));
  const char *status_title;
  const char *description;
  g_autofree char *name = g_strdup_printf ("test-window-i18n-%s.png", language);
  g_autofree char *screenshot = NULL;
  GtkWidget *about;
  const char * const *developers;

  g_assert_cmpstr (tirkeu_i18n_get_language (), ==, language);
  g_assert_cmpstr (tirkeu_config_get_language (tirkeu_application_get_config (application)), ==,
                   language);

  g_assert_nonnull (status_page);
  status_title = adw_status_page_get_title (status_page);
  description = adw_status_page_get_description (status_page);

  g_test_message ("title: %s; status page: %s", title, status_title);
  g_assert_cmpstr (title, !=, "Tirkeu");
  g_assert_true (has_cyrillic (title));
  g_assert_cmpstr (status_title, !=, "Register the Vehicles You Sell");
  g_assert_true (has_cyrillic (status_title));
  g_assert_true (has_cyrillic (description));
  if (g_str_equal (language, "kk"))
    g_assert_true (has_kazakh_letter (status_title) || has_kazakh_letter (description));
  else
    g_assert_false (has_kazakh_letter (status_title) || has_kazakh_letter (description));

  screenshot = tirkeu_ui_test_save_screenshot (GTK_WIDGET (window), name);

  /* The About window: the developer and copyright lines in the reader's language too */
  g_action_group_activate_action (G_ACTION_GROUP (application), "about", NULL);
  about = tirkeu_ui_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_test_message ("about: %s; %s", adw_about_window_get_developer_name (ADW_ABOUT_WINDOW (about)),
                  adw_about_window_get_copyright (ADW_ABOUT_WINDOW (about)));
  g_assert_true (has_cyrillic (adw_about_window_get_developer_name (ADW_ABOUT_WINDOW (about))));
  g_assert_true (has_cyrillic (adw_about_window_get_copyright (ADW_ABOUT_WINDOW (about))));
  g_assert_null (strstr (adw_about_window_get_copyright (ADW_ABOUT_WINDOW (about)), "developers"));
  developers = adw_about_window_get_developers (ADW_ABOUT_WINDOW (about));
  g_assert_nonnull (developers);
  g_assert_true (has_cyrillic (developers[0]));
  gtk_window_destroy (GTK_WINDOW (about));
}

/* The parent runs each language's test again in a subprocess of its own (same test path,
 * with --GTestSubprocess), where main() set gettext up for that language. */
static void
test_window_translated (gconstpointer data)
{
  const char *test_language = data;
  const char * const arguments[] = { "--language", test_language, NULL };

  if (g_test_subprocess ())
    {
      g_assert_cmpstr (language, ==, test_language);
      g_assert_cmpint (tirkeu_ui_test_run_application (arguments, translated_body, NULL), ==, 0);
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* In a subprocess, the test path in the arguments names its language. */
static const char *
find_subprocess_language (int    argc,
                          char **argv)
{
  gboolean subprocess = FALSE;
  const char *found = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--GTestSubprocess"))
        subprocess = TRUE;
      else if (g_str_equal (argv[i], "/window-i18n/kk"))
        found = "kk";
      else if (g_str_equal (argv[i], "/window-i18n/ru"))
        found = "ru";
    }

  return subprocess ? found : NULL;
}

int
main (int   argc,
      char *argv[])
{
  static const char * const languages[] = { "kk", "ru" };

  language = find_subprocess_language (argc, argv);
  if (language != NULL)
    tirkeu_i18n_init (language);

  /* g_test_init (..., G_TEST_OPTION_ISOLATE_DIRS, NULL), keeping the system data dirs. */
  tirkeu_ui_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autofree char *path = g_strdup_printf ("/window-i18n/%s", languages[i]);

      g_test_add_data_func (path, languages[i], test_window_translated);
    }

  return g_test_run ();
}
