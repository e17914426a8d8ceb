/* SPDX-License-Identifier: GPL-3.0-or-later */
/* With --language kk and --language ru the window speaks Kazakh and Russian. gettext is set
 * up once per process, before anything is translated, exactly as main() does: so each
 * language runs in a subprocess of its own, which finds its language in its test path.
 *
 * A language switch takes effect at the next start (Preferences says so): /window-i18n/switch
 * starts the app in kk, then ru, then kk again over one journal, and the portal's texts of a
 * request (its history, the refusal reason, the TsON, the e-passport's colour and body type)
 * follow the language each time. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "tirkeu-i18n.h"
#include "tirkeu-portal-json.h"
#include "tirkeu-request-page.h"
#include "tirkeu-ui-test.h"

static const char *language;

/* The journal the runs of /window-i18n/switch share, outside their isolated folders (each
 * run's are removed when it ends). */
#define SHARED_JOURNAL_ENV "TIRKEU_TEST_SHARED_JOURNAL"
#define SWITCH_ID "KZ-2025-000777"

/* The languages of the starts, in order. */
static const char * const order[] = { "kk", "ru", "kk" };

#define LOCALIZED(kk, ru, en) "{\"kk\":\"" kk "\",\"ru\":\"" ru "\",\"en\":\"" en "\"}"
#define ENTRY(stage, at, text) "{\"stage\":\"" stage "\",\"at\":\"" at "\",\"message\":" text "}"
#define NOTE LOCALIZED ("Портал хабарламасы", "Сообщение портала", "Portal message")

/* A request refused at step 19 after the buyer chose the TsON, as the portal sends it: every
 * text in kk, ru and en. */
static const char switch_request_json[] =
  "{\"id\":\"" SWITCH_ID "\",\"stage\":\"refused\",\"revision\":9,"
  "\"idempotency_key\":\"9a3e5d2c-41b7-4f0e-8c6d-2b1a0f9e8d7c\","
  "\"vin\":\"XW8ZZZ61ZJG123456\",\"buyer_iin\":\"900101300123\",\"contract_number\":\"DKP-77\","
  "\"seller_bin\":\"940140000385\",\"created_at\":\"2025-10-17T09:30:00Z\","
  "\"updated_at\":\"2025-10-18T11:00:00Z\",\"signing_payload\":\"eyJhIjoxfQ==\","
  "\"vehicle\":{\"make\":\"Toyota\",\"model\":\"Camry\",\"year\":2025,\"colour\":\"белый\","
  "\"colour_text\":" LOCALIZED ("ақ", "белый", "white") ","
  "\"body\":\"универсал повышенной проходимости\",\"body_text\":"
  LOCALIZED ("жол талғамайтын универсал", "универсал повышенной проходимости", "SUV") ","
  "\"category\":\"M1\"},"
  "\"buyer\":{\"iin\":\"900101300123\",\"full_name\":\"ИВАНОВ ИВАН\"},"
  "\"contract\":{\"number\":\"DKP-77\",\"date\":\"2025-10-16\",\"price\":\"12500000.00\","
  "\"currency\":\"KZT\",\"seller\":{\"bin\":\"940140000385\",\"name\":\"ТОО «Тіркеу Авто»\"},"
  "\"buyer\":{\"iin\":\"900101300123\",\"full_name\":\"ИВАНОВ ИВАН\"}},"
  "\"history\":["
  ENTRY ("draft", "2025-10-17T09:30:00Z", NOTE) ","
  ENTRY ("contract_found", "2025-10-17T09:30:00Z", NOTE) ","
  ENTRY ("signed", "2025-10-17T09:31:00Z", NOTE) ","
  ENTRY ("submitted", "2025-10-17T09:31:00Z", NOTE) ","
  ENTRY ("awaiting_buyer", "2025-10-17T09:31:00Z",
         LOCALIZED ("Өтінім сатып алушының жеке кабинетіне жіберілді",
                    "Заявка направлена в личный кабинет покупателя",
                    "The request was sent to the buyer's personal account")) ","
  ENTRY ("buyer_approved", "2025-10-17T10:00:00Z",
         LOCALIZED ("Сатып алушы өтінімді келісті", "Покупатель согласовал заявку",
                    "The buyer approved the request")) ","
  ENTRY ("tson_chosen", "2025-10-17T11:00:00Z",
         LOCALIZED ("Сатып алушы ХҚКО-ны таңдады", "Покупатель выбрал ЦОН",
                    "The buyer chose the TsON")) ","
  ENTRY ("buyer_signed", "2025-10-18T09:00:00Z", NOTE) ","
  ENTRY ("processing", "2025-10-18T09:05:00Z", NOTE) ","
  ENTRY ("refused", "2025-10-18T11:00:00Z",
         LOCALIZED ("Қызмет көрсетуден дәлелді бас тарту", "Мотивированный отказ в оказании услуги",
                    "Reasoned refusal to render the service")) "],"
  "\"refusal\":{\"code\":\"INTERNAL\",\"step\":19,\"reason\":"
  LOCALIZED ("Көлік құралы іздеуде тұр", "Транспортное средство числится в розыске",
             "The vehicle is on the wanted list") "},"
  "\"tson\":{\"code\":\"TSON-01\",\"name\":"
  LOCALIZED ("Астана қаласы бойынша №1 ХҚКО", "ЦОН №1 по городу Астана", "TsON No. 1 of Astana")
  ",\"address\":"
  LOCALIZED ("Сығанақ к-сі, 24", "ул. Сыганак, 24", "24 Syganak St") "},"
  "\"plate_type\":\"standard\"}";

/* What each language must show of the request, and what only the other shows. */
static const struct {
  const char *language;
  const char *shown[4];
} switch_texts[] = {
  { "kk", { "Сатып алушы ХҚКО-ны таңдады", "Көлік құралы іздеуде тұр",
            "Астана қаласы бойынша №1 ХҚКО, Сығанақ к-сі, 24", NULL } },
  { "ru", { "Покупатель выбрал ЦОН", "Транспортное средство числится в розыске",
            "ЦОН №1 по городу Астана, ул. Сыганак, 24", NULL } },
};

/* The e-passport's colour and body type, each a label of its own on the request page: whole
 * lines, since a short word such as «ақ» is part of many a Kazakh word. */
static const struct {
  const char *language;
  const char *lines[3];
} switch_vehicle_lines[] = {
  { "kk", { "ақ", "жол талғамайтын универсал", NULL } },
  { "ru", { "белый", "универсал повышенной проходимости", NULL } },
};

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

static void
switch_body (TirkeuApplication *application,
             TirkeuWindow      *window,
             gpointer           user_data)
{
  const guint *run = user_data;
  TirkeuRequestsPage *requests_page = tirkeu_window_get_requests_page (window);
  TirkeuRequestPage *page = tirkeu_requests_page_get_request_page (requests_page);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *name = g_strdup_printf ("test-window-i18n-switch-%u-%s.png", *run, language);
  g_autofree char *screenshot = NULL;

  g_assert_cmpstr (tirkeu_i18n_get_language (), ==, language);

  /* the request from the journal, as a notification opens it */
  for (guint i = 0; i < 250 && tirkeu_window_get_tracking (window) == NULL; i++)
    tirkeu_ui_test_iterate (20);
  g_assert_nonnull (tirkeu_window_get_tracking (window));
  g_action_group_activate_action (G_ACTION_GROUP (application), "show-request",
                                  g_variant_new_string (SWITCH_ID));
  for (guint i = 0; i < 250 && tirkeu_request_page_get_request (page) == NULL; i++)
    tirkeu_ui_test_iterate (20);
  g_assert_nonnull (tirkeu_request_page_get_request (page));
  tirkeu_ui_test_iterate (200);

  collect_labels (GTK_WIDGET (page), text);
  g_test_message ("%s run %u:\n%s", language, *run, text->str);
  for (guint l = 0; l < G_N_ELEMENTS (switch_texts); l++)
    for (guint t = 0; switch_texts[l].shown[t] != NULL; t++)
      {
        gboolean expected = g_str_equal (switch_texts[l].language, language);

        if ((strstr (text->str, switch_texts[l].shown[t]) != NULL) != expected)
          g_error ("“%s” %s in the %s window", switch_texts[l].shown[t],
                   expected ? "missing" : "shown", language);
      }
  {
    g_autofree char *lines = g_strconcat ("\n", text->str, NULL);

    for (guint l = 0; l < G_N_ELEMENTS (switch_vehicle_lines); l++)
      for (guint t = 0; switch_vehicle_lines[l].lines[t] != NULL; t++)
        {
          g_autofree char *line = g_strdup_printf ("\n%s\n", switch_vehicle_lines[l].lines[t]);
          gboolean expected = g_str_equal (switch_vehicle_lines[l].language, language);

          if ((strstr (lines, line) != NULL) != expected)
            g_error ("the line “%s” %s in the %s window", switch_vehicle_lines[l].lines[t],
                     expected ? "missing" : "shown", language);
        }
  }

  /* Signed out, the window shows the sign-in page over the list: the page is drawn for the
   * screenshot in a window of its own, in this run's language. */
  {
    GtkWidget *shot = adw_window_new ();
    GtkWidget *copy = tirkeu_request_page_new ();

    gtk_window_set_default_size (GTK_WINDOW (shot), 900, 1000);
    adw_window_set_content (ADW_WINDOW (shot), copy);
    tirkeu_request_page_set_request (TIRKEU_REQUEST_PAGE (copy),
                                     tirkeu_request_page_get_request (page));
    gtk_window_present (GTK_WINDOW (shot));
    tirkeu_ui_test_wait_drawn (shot);
    tirkeu_ui_test_iterate (200);
    screenshot = tirkeu_ui_test_save_screenshot (shot, name);
    g_test_message ("screenshot: %s", screenshot);
    gtk_window_destroy (GTK_WINDOW (shot));
  }
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr(GFile) source = g_file_new_for_path (from);
  g_autoptr(GFile) destination = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;

  g_file_copy (source, destination, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (to, 0600));
}

/* In the switch's subprocess, which run it is: the parent writes its number beside the
 * shared journal before starting it (the test path is the same for every run). */
static guint
read_switch_run (void)
{
  const char *shared = g_getenv (SHARED_JOURNAL_ENV);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  guint64 run = 0;

  if (shared == NULL)
    return 0;
  dir = g_path_get_dirname (shared);
  path = g_build_filename (dir, "run", NULL);
  if (!g_file_get_contents (path, &contents, NULL, NULL) ||
      !g_ascii_string_to_unsigned (contents, 10, 1, G_N_ELEMENTS (order), &run, NULL))
    return 0;
  return (guint) run;
}

/* One run of the switch: the app starts in its language over the shared journal, and the
 * journal goes back to be shared when it quits. */
static void
run_switch (guint run)
{
  const char * const arguments[] = { "--language", language, NULL };
  const char *shared = g_getenv (SHARED_JOURNAL_ENV);
  g_autofree char *own = g_build_filename (g_get_user_data_dir (), "tirkeu", "journal.sqlite3",
                                           NULL);
  g_autofree char *own_dir = g_path_get_dirname (own);

  g_assert_nonnull (shared);
  g_assert_no_errno (g_mkdir_with_parents (own_dir, 0700));
  copy_file (shared, own);
  g_assert_cmpint (tirkeu_ui_test_run_application (arguments, switch_body, &run), ==, 0);
  copy_file (own, shared);
}

/* kk, then ru, then kk again: each a start of its own, as a language switch is. */
static void
test_window_switch (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *journal_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *run_path = NULL;

  if (g_test_subprocess ())
    {
      g_assert_cmpuint (read_switch_run (), >, 0);
      run_switch (read_switch_run ());
      return;
    }

  /* The journal, as a sync wrote it: the portal's answer mapped, then stored. The parent
   * runs in English: nothing here picks the Kazakh or Russian texts. */
  dir = g_dir_make_tmp ("tirkeu-window-switch-XXXXXX", &error);
  g_assert_no_error (error);
  journal_path = g_build_filename (dir, "journal.sqlite3", NULL);
  /* before the journal's thread starts: setenv() is not thread-safe */
  g_setenv (SHARED_JOURNAL_ENV, journal_path, TRUE);
  {
    g_autoptr(JsonNode) root = tirkeu_portal_json_parse (switch_request_json,
                                                         strlen (switch_request_json), &error);
    g_autoptr(TirkeuRequest) request = NULL;
    g_autoptr(TirkeuJournal) journal = NULL;
    g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);

    g_assert_no_error (error);
    request = tirkeu_portal_json_to_request (json_node_get_object (root), NULL, NULL, &error);
    g_assert_no_error (error);
    g_ptr_array_add (batch, g_steal_pointer (&request));
    journal = tirkeu_journal_new_sync (journal_path, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (tirkeu_journal_upsert_requests_sync (journal, batch, NULL, NULL, &error));
    g_assert_no_error (error);
  }

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autofree char *run = g_strdup_printf ("%u", i + 1);

      g_free (run_path);
      run_path = g_build_filename (dir, "run", NULL);
      g_assert_true (g_file_set_contents (run_path, run, -1, &error));
      g_assert_no_error (error);
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC,
                              G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
    }

  g_unlink (journal_path);
  g_unlink (run_path);
  g_rmdir (dir);
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
      else if (g_str_equal (argv[i], "/window-i18n/switch") && read_switch_run () > 0)
        found = order[read_switch_run () - 1];
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
  g_test_add_func ("/window-i18n/switch", test_window_switch);

  return g_test_run ();
}
