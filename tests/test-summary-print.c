/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The buyer's summary, exported to PDF through GtkPrintOperation and read back with poppler's
 * pdfinfo and pdftotext: one page, the request number, and both languages, each from its own
 * compiled catalogue (made here with msgfmt) while the interface stays in English; the
 * portal's texts (the TsON) in each half's language; the dealership and the print date. */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "tirkeu-i18n.h"
#include "tirkeu-summary-print.h"
#include "tirkeu-tracking-test.h"

static const struct {
  const char *language;
  const char *po;
} catalogues[] = {
  { "kk",
    "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
    "msgctxt \"buyer summary\"\nmsgid \"Request number\"\nmsgstr \"Өтінім нөмірі\"\n\n"
    "msgctxt \"buyer summary\"\nmsgid \"Primary vehicle registration: summary for the buyer\"\n"
    "msgstr \"Көлік құралын алғаш тіркеу: сатып алушыға арналған жадынама\"\n\n"
    "msgctxt \"buyer summary\"\nmsgid \"Dealership\"\nmsgstr \"Автосалон\"\n\n"
    "msgctxt \"buyer summary\"\nmsgid \"Printed on %s.\"\nmsgstr \"%s ж. басып шығарылды.\"\n\n"
    "msgctxt \"buyer summary\"\n"
    "msgid \"Approve the request and finish these steps by %s, or it expires.\"\n"
    "msgstr \"Өтінімді %s ж. дейін келісімдеп, осы қадамдарды аяқтаңыз, әйтпесе оның мерзімі "
    "өтеді.\"\n\n"
    "msgctxt \"buyer to-do\"\nmsgid \"Pay the duties and fees through the eGov payment gateway.\"\n"
    "msgstr \"Баждар мен алымдарды ЭҮТШ арқылы төлеңіз.\"\n" },
  { "ru",
    "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
    "msgctxt \"buyer summary\"\nmsgid \"Request number\"\nmsgstr \"Номер заявки\"\n\n"
    "msgctxt \"buyer summary\"\nmsgid \"Primary vehicle registration: summary for the buyer\"\n"
    "msgstr \"Первичная регистрация транспортного средства: памятка покупателю\"\n\n"
    "msgctxt \"buyer summary\"\nmsgid \"Dealership\"\nmsgstr \"Дилерский центр\"\n\n"
    "msgctxt \"buyer summary\"\nmsgid \"Printed on %s.\"\nmsgstr \"Напечатано %s г.\"\n\n"
    "msgctxt \"buyer summary\"\n"
    "msgid \"Approve the request and finish these steps by %s, or it expires.\"\n"
    "msgstr \"Согласуйте заявку и завершите эти шаги до %s г., иначе её срок истечёт.\"\n\n"
    "msgctxt \"buyer to-do\"\nmsgid \"Pay the duties and fees through the eGov payment gateway.\"\n"
    "msgstr \"Оплатите пошлины и сборы через ПШЭП.\"\n" },
};

static char *localedir;

static gboolean
make_catalogues (void)
{
  g_autofree char *msgfmt = g_find_program_in_path ("msgfmt");

  if (msgfmt == NULL)
    return FALSE;

  localedir = g_dir_make_tmp ("tirkeu-summary-locale-XXXXXX", NULL);
  g_assert_nonnull (localedir);
  for (guint i = 0; i < G_N_ELEMENTS (catalogues); i++)
    {
      g_autofree char *dir = g_build_filename (localedir, catalogues[i].language, "LC_MESSAGES",
                                               NULL);
      g_autofree char *po = g_build_filename (dir, "tirkeu.po", NULL);
      g_autofree char *mo = g_build_filename (dir, "tirkeu.mo", NULL);
      const char *argv[] = { msgfmt, "-o", mo, po, NULL };
      g_autoptr(GError) error = NULL;
      int status = 0;

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_assert_true (g_file_set_contents (po, catalogues[i].po, -1, &error));
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   NULL, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
    }
  g_setenv ("TIRKEU_LOCALEDIR", localedir, TRUE);

  return TRUE;
}

static void
test_lookup_in (void)
{
  /* The interface is English (LANGUAGE=en); each language is read from its own file. */
  g_assert_cmpstr (tirkeu_i18n_pgettext_in ("kk", "buyer summary", "Request number"), ==,
                   "Өтінім нөмірі");
  g_assert_cmpstr (tirkeu_i18n_pgettext_in ("ru", "buyer summary", "Request number"), ==,
                   "Номер заявки");
  g_assert_cmpstr (tirkeu_i18n_pgettext_in ("en", "buyer summary", "Request number"), ==,
                   "Request number");
  /* Untranslated, another context, an unknown language: the source string. */
  g_assert_cmpstr (tirkeu_i18n_pgettext_in ("kk", "buyer summary", "Vehicle"), ==, "Vehicle");
  g_assert_cmpstr (tirkeu_i18n_pgettext_in ("kk", "other", "Request number"), ==,
                   "Request number");
  g_assert_cmpstr (tirkeu_i18n_pgettext_in ("de", "buyer summary", "Request number"), ==,
                   "Request number");
  g_assert_cmpstr (g_dpgettext2 (GETTEXT_PACKAGE, "buyer summary", "Request number"), ==,
                   "Request number");
}

static char *
run_tool (const char *tool,
          const char *pdf)
{
  g_autofree char *path = g_find_program_in_path (tool);
  const char *argv[] = { path, pdf, "-", NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  if (g_str_equal (tool, "pdfinfo"))
    argv[2] = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  return out;
}

/* pdftotext may break lines anywhere, and pads the joins: @text with one space between
 * words. */
static char *
one_space (const char *text)
{
  g_autofree char *flat = g_strdelimit (g_strdup (text), "\n", ' ');
  g_auto(GStrv) words = g_strsplit (flat, " ", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_ptr_array_add (kept, words[i]);
  g_ptr_array_add (kept, NULL);

  return g_strjoinv (" ", (char **) kept->pdata);
}

static void
test_pdf (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(TirkeuRequest) request = tirkeu_tracking_make_request (42, TIRKEU_STAGE_TSON_CHOSEN,
                                                                   now);
  g_autofree char *pdf = g_build_filename (g_get_user_cache_dir (), "summary.pdf", NULL);
  g_autofree char *info = NULL;
  g_autofree char *text = NULL;
  g_autofree char *flat = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");

  if (pdftotext == NULL || pdfinfo == NULL)
    {
      g_test_skip ("poppler-utils (pdftotext, pdfinfo) is not installed: build-aux/deps.sh");
      return;
    }

  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_assert_true (tirkeu_summary_print_run (request, NULL, GTK_PRINT_OPERATION_ACTION_EXPORT, pdf,
                                           "ТОО «Тіркеу Авто»", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));

  info = run_tool ("pdfinfo", pdf);
  {
    const char *pages = strstr (info, "Pages:");

    g_test_message ("%s", info);
    g_assert_nonnull (pages);
    pages += strlen ("Pages:");
    while (*pages == ' ')
      pages++;
    g_assert_cmpint (g_ascii_strtoll (pages, NULL, 10), ==, 1);
  }
  text = run_tool ("pdftotext", pdf);
  /* pdftotext may break lines anywhere: compare without the line ends. */
  flat = g_strdelimit (g_strdup (text), "\n", ' ');
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (flat, "KZ-0000042"));
  g_assert_nonnull (strstr (flat, tirkeu_request_get_vin (request)));
  g_assert_nonnull (strstr (flat, "Өтінім нөмірі"));
  g_assert_nonnull (strstr (flat, "Номер заявки"));
  g_assert_nonnull (strstr (flat, "ЭҮТШ"));
  g_assert_nonnull (strstr (flat, "ПШЭП"));
  /* The buyer's IIN appears masked only. */
  g_assert_null (strstr (flat, tirkeu_request_get_buyer_iin (request)));
  g_assert_nonnull (strstr (flat, "******"));
  /* The portal gave no deadline: none is printed, in either language. */
  g_assert_null (strstr (flat, "дейін келісімдеп"));
  g_assert_null (strstr (flat, "Согласуйте заявку"));
  g_assert_null (strstr (flat, "finish these steps"));

  /* Each half in its own language, the portal's TsON included: the Kazakh half ends where
   * the Russian title begins. */
  {
    const char *ru_start = strstr (flat, "Первичная регистрация");
    g_autofree char *kk = NULL;
    g_autoptr(GDateTime) today = g_date_time_new_now_local ();
    g_autofree char *date = g_date_time_format (today, "%d.%m.%Y");
    g_autofree char *kk_printed = g_strdup_printf ("%s ж. басып шығарылды.", date);
    g_autofree char *ru_printed = g_strdup_printf ("Напечатано %s г.", date);
    const char *ru;

    g_assert_nonnull (ru_start);
    kk = g_strndup (flat, ru_start - flat);
    ru = ru_start;
    g_assert_nonnull (strstr (kk, "Көлік құралын алғаш тіркеу"));
    g_assert_nonnull (strstr (kk, "Өтінім нөмірі"));
    g_assert_nonnull (strstr (kk, "ЭҮТШ"));
    g_assert_nonnull (strstr (kk, "Астана қаласы бойынша №1 ХҚКО"));
    g_assert_nonnull (strstr (kk, "Сығанақ"));
    g_assert_nonnull (strstr (kk, "Автосалон: ТОО «Тіркеу Авто»"));
    g_assert_nonnull (strstr (kk, kk_printed));
    g_assert_null (strstr (kk, "ЦОН"));
    g_assert_null (strstr (kk, "Номер заявки"));

    g_assert_nonnull (strstr (ru, "Номер заявки"));
    g_assert_nonnull (strstr (ru, "ПШЭП"));
    g_assert_nonnull (strstr (ru, "ЦОН №1 по городу Астана"));
    g_assert_nonnull (strstr (ru, "Сыганак"));
    g_assert_nonnull (strstr (ru, "Дилерский центр: ТОО «Тіркеу Авто»"));
    g_assert_nonnull (strstr (ru, ru_printed));
    g_assert_null (strstr (ru, "ХҚКО"));
    g_assert_null (strstr (ru, "Өтінім нөмірі"));
  }
}

/* The portal's deadline, in each half in its language, after the buyer's steps. */
static void
test_pdf_deadline (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(TirkeuRequest) request = tirkeu_tracking_make_request (43,
                                                                   TIRKEU_STAGE_AWAITING_BUYER,
                                                                   now);
  /* midday in UTC: the 23rd in every time zone from -11:00 to +11:00 */
  g_autoptr(GDateTime) deadline = g_date_time_new_utc (2027, 11, 23, 12, 0, 0);
  g_autofree char *pdf = g_build_filename (g_get_user_cache_dir (), "deadline.pdf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *flat = NULL;
  g_autofree char *kk = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  const char *ru;

  if (pdftotext == NULL)
    {
      g_test_skip ("poppler-utils (pdftotext) is not installed: build-aux/deps.sh");
      return;
    }

  tirkeu_request_set_buyer_deadline (request, deadline);
  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_assert_true (tirkeu_summary_print_run (request, NULL, GTK_PRINT_OPERATION_ACTION_EXPORT, pdf,
                                           "ТОО «Тіркеу Авто»", &error));
  g_assert_no_error (error);
  text = run_tool ("pdftotext", pdf);
  g_test_message ("%s", text);
  flat = one_space (text);

  ru = strstr (flat, "Первичная регистрация");
  g_assert_nonnull (ru);
  kk = g_strndup (flat, ru - flat);
  g_assert_nonnull (strstr (kk, "Өтінімді 23.11.2027 ж. дейін келісімдеп, осы қадамдарды "
                                "аяқтаңыз, әйтпесе оның мерзімі өтеді."));
  g_assert_null (strstr (kk, "Согласуйте"));
  g_assert_nonnull (strstr (ru, "Согласуйте заявку и завершите эти шаги до 23.11.2027 г., "
                                "иначе её срок истечёт."));
  g_assert_null (strstr (ru, "келісімдеп"));
}

/* The e-passport's colour and body type as the portal gave them in each language: the
 * Kazakh half says «ақ», the Russian half «белый», each beside the vehicle. */
static void
test_pdf_epassport_texts (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(TirkeuRequest) request = tirkeu_tracking_make_request (44, TIRKEU_STAGE_TSON_CHOSEN,
                                                                   now);
  g_autoptr(TirkeuVehicle) vehicle = tirkeu_vehicle_copy (tirkeu_request_get_vehicle (request));
  g_autofree char *pdf = g_build_filename (g_get_user_cache_dir (), "epassport.pdf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *flat = NULL;
  g_autofree char *kk = NULL;
  g_autofree char *kk_vehicle = NULL;
  g_autofree char *ru_vehicle = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  const char *ru;

  if (pdftotext == NULL)
    {
      g_test_skip ("poppler-utils (pdftotext) is not installed: build-aux/deps.sh");
      return;
    }

  vehicle->colour = g_strdup ("белый");
  vehicle->colour_text = tirkeu_localized_text_new ("ақ", "белый", "white");
  vehicle->body_type = g_strdup ("универсал повышенной проходимости");
  vehicle->body_type_text = tirkeu_localized_text_new ("жол талғамайтын универсал",
                                                       "универсал повышенной проходимости",
                                                       "SUV");
  tirkeu_request_set_vehicle (request, vehicle);
  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_assert_true (tirkeu_summary_print_run (request, NULL, GTK_PRINT_OPERATION_ACTION_EXPORT, pdf,
                                           "ТОО «Тіркеу Авто»", &error));
  g_assert_no_error (error);
  text = run_tool ("pdftotext", pdf);
  g_test_message ("%s", text);
  flat = one_space (text);

  ru = strstr (flat, "Первичная регистрация");
  g_assert_nonnull (ru);
  kk = g_strndup (flat, ru - flat);
  kk_vehicle = g_strdup_printf ("%s %s, 2025, ақ, жол талғамайтын универсал, VIN %s",
                                vehicle->make, vehicle->model, vehicle->vin);
  ru_vehicle = g_strdup_printf ("%s %s, 2025, белый, универсал повышенной проходимости, VIN %s",
                                vehicle->make, vehicle->model, vehicle->vin);
  g_assert_nonnull (strstr (kk, kk_vehicle));
  g_assert_null (strstr (kk, "белый"));
  g_assert_null (strstr (kk, "повышенной проходимости"));
  g_assert_nonnull (strstr (ru, ru_vehicle));
  g_assert_null (strstr (ru, "жол талғамайтын"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  if (!make_catalogues ())
    {
      g_test_skip ("msgfmt (gettext) is not installed");
      return g_test_run ();
    }

  g_test_add_func ("/summary/lookup-in", test_lookup_in);
  g_test_add_func ("/summary/pdf", test_pdf);
  g_test_add_func ("/summary/pdf-deadline", test_pdf_deadline);
  g_test_add_func ("/summary/pdf-epassport-texts", test_pdf_epassport_texts);

  return g_test_run ();
}
