/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

/* The built tirkeu-cli speaks Kazakh and Russian: with --language, or from LANGUAGE when no
 * --language is given. It reads the catalogues compiled into this build (TIRKEU_LOCALEDIR,
 * set by the test environment). English runs are the control: the same command, the
 * English text. */

typedef struct
{
  const char *name;
  const char *environment_language;  /* LANGUAGE for the child */
  const char *const arguments[9];    /* after the program name, NULL-terminated */
  int         status;
  const char *expected;              /* a line the output must contain */
  const char *absent;                /* the English text that must not appear, or NULL */
  const char *script;                /* "kk": needs a Kazakh-only letter; "ru": has none */
  gboolean    on_stderr;             /* the expected line is an error, on stderr */
  gboolean    journal_unusable;      /* XDG_DATA_HOME is a file: the journal cannot open */
} Case;

static const Case cases[] = {
  { "iin-invalid-kk", "en", { "--language", "kk", "check-iin", "123456789021", NULL }, 1,
    "Жарамсыз ЖСН: ЖСН-нің бақылау цифры (соңғысы) басқаларына сәйкес келмейді: "
    "бір цифр қате терілген.", "Invalid IIN", "kk" },
  { "iin-invalid-ru", "en", { "--language", "ru", "check-iin", "123456789021", NULL }, 1,
    "Некорректный ИИН: Контрольная цифра ИИН (последняя) не соответствует остальным: "
    "одна из цифр введена с ошибкой.", "Invalid IIN", "ru" },
  { "iin-invalid-en", "kk", { "--language", "en", "check-iin", "123456789021", NULL }, 1,
    "Invalid IIN: The IIN’s check digit (the last one) does not match the others: "
    "a digit is mistyped.", NULL, NULL },
  { "iin-valid-kk", "en", { "--language", "kk", "check-iin", "940140000385", NULL }, 0,
    "Жарамды ЖСН: 940140000385", "Valid IIN", "kk" },
  { "bin-valid-ru", "en", { "--language", "ru", "check-bin", "940140000385", NULL }, 0,
    "Тип лица (подсказка): юридическое лицо — резидент", "Entity type", "ru" },
  { "bin-valid-kk", "en", { "--language", "kk", "check-bin", "940140000385", NULL }, 0,
    "Тұлға түрі (болжам): резидент заңды тұлға", "Entity type", "kk" },
  { "vin-country-kk-from-environment", "kk", { "check-vin", "JTDBR32E720012345", NULL }, 0,
    "Ел: Жапония", "Country", "kk" },
  { "vin-country-ru-from-environment", "ru", { "check-vin", "JTDBR32E720012345", NULL }, 0,
    "Страна: Япония", "Country", "ru" },
  /* Dates as written in Kazakhstan, with «ж.» / «г.»; the century in Roman numerals */
  { "iin-birth-date-kk", "en", { "--language", "kk", "check-iin", "900101300017", NULL }, 0,
    "Туған күні (болжам, тексерілмеген): 01.01.1990 ж.", "1990-01-01", "kk" },
  { "iin-century-kk", "en", { "--language", "kk", "check-iin", "900101300017", NULL }, 0,
    "XX ғасырда туған (болжам)", "1900", "kk" },
  { "iin-century-ru", "en", { "--language", "ru", "check-iin", "900101300017", NULL }, 0,
    "Родился(-ась) в XX веке (подсказка)", "1900-х", "ru" },
  { "bin-registered-ru", "en", { "--language", "ru", "check-bin", "940140000385", NULL }, 0,
    "Дата регистрации (подсказка): 01.1994 г.", "1994-01", "ru" },
  /* A library's error: the app's sentence first, GnuTLS's English only after "Details",
   * the code labelled */
  { "tls-error-kk", "en", { "--language", "kk", "--portal-url", "https://127.0.0.1:9",
      "--ca-file", "/nonexistent/ca.pem", "vehicle", "XTA210743S0000120", NULL }, 3,
    "  Қате коды: TLS", "Connection not secure", "kk", TRUE },
  { "tls-error-ru", "en", { "--language", "ru", "--portal-url", "https://127.0.0.1:9",
      "--ca-file", "/nonexistent/ca.pem", "vehicle", "XTA210743S0000120", NULL }, 3,
    "tirkeu-cli: Соединение небезопасно. Сертификат портала не является доверенным, поэтому "
    "ничего не отправлено; обратитесь к администратору.", "Error code", "ru", TRUE },
  /* The journal's error (GLib's and SQLite's text only under Details) */
  { "journal-error-kk", "en", { "--language", "kk", "requests", NULL }, 5,
    "tirkeu-cli: Жергілікті журнал ашылмады. Өтінімдерді жібере беруге болады, бірақ олар "
    "осы компьютерде сақталмайды; үй бумасына жазуға болатынын тексеріңіз.", "journal", "kk",
    TRUE, TRUE },
};

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

static void
test_cli_language (gconstpointer data)
{
  const Case *c = data;
  const char *build_root = g_getenv ("TIRKEU_BUILD_ROOT");
  g_autofree char *cli = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  const char *text;
  gboolean found = FALSE;

  g_assert_nonnull (build_root);
  g_assert_nonnull (g_getenv ("TIRKEU_LOCALEDIR"));
  cli = g_build_filename (build_root, "src", "cli", "tirkeu-cli", NULL);

  g_ptr_array_add (argv, cli);
  for (guint i = 0; c->arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) c->arguments[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", c->environment_language, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  if (c->journal_unusable)
    {
      g_autofree char *file = g_build_filename (g_get_user_cache_dir (), "not-a-folder", NULL);

      g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
      g_file_set_contents (file, "", 0, &error);
      g_assert_no_error (error);
      g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", file, TRUE);
    }
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                          &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", out, err);
  text = out;

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, c->status);
  if (c->on_stderr)
    {
      const char *details;

      /* Whatever English there is (the library's own text) comes after the label */
      text = err;
      details = strstr (err, "\n  ");
      g_assert_nonnull (details);
      for (const char *p = err; p < details; p++)
        g_assert_false (g_ascii_isalpha (*p) && g_ascii_isalpha (p[1]) && g_ascii_isalpha (p[2])
                        && p >= err + strlen ("tirkeu-cli"));
    }
  else
    g_assert_cmpstr (err, ==, "");

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_equal (lines[i], c->expected))
      found = TRUE;
  if (!found)
    g_error ("%s: no line “%s” in:\n%s", c->name, c->expected, text);

  if (c->absent != NULL)
    g_assert_null (strstr (text, c->absent));
  if (g_strcmp0 (c->script, "kk") == 0)
    g_assert_true (has_kazakh_letter (text));
  else if (g_strcmp0 (c->script, "ru") == 0)
    g_assert_false (has_kazakh_letter (text));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli-i18n/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_cli_language);
    }

  return g_test_run ();
}
