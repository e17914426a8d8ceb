/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>

#include "tirkeu-i18n.h"

/**
 * tirkeu_i18n_get_localedir:
 *
 * The installed locale directory, or the one named by `TIRKEU_LOCALEDIR` so that the
 * uninstalled program and the tests use the catalogues in the build tree.
 *
 * Returns: (transfer none): a directory path
 */
const char *
tirkeu_i18n_get_localedir (void)
{
  const char *override = g_getenv ("TIRKEU_LOCALEDIR");

  return (override != NULL && *override != '\0') ? override : LOCALEDIR;
}

/**
 * tirkeu_i18n_init:
 * @language: (nullable): "kk", "ru", "en", or %NULL, "" or "system" for the system's
 *
 * Sets up gettext for the whole process. Call it once, first thing in main(), before any
 * thread starts: it changes the environment and the locale.
 *
 * A language other than the system's is chosen through `LANGUAGE`, which gettext honours
 * only when the locale is not "C"; a machine with no locale set gets C.UTF-8 instead, so
 * that `--language kk` works on a fresh Debian install too.
 */
void
tirkeu_i18n_init (const char *language)
{
  const char *messages_locale;

  if (language != NULL && *language != '\0' && !g_str_equal (language, "system"))
    g_setenv ("LANGUAGE", language, TRUE);

  setlocale (LC_ALL, "");
  messages_locale = setlocale (LC_MESSAGES, NULL);
  if (messages_locale == NULL
      || g_str_equal (messages_locale, "C")
      || g_str_equal (messages_locale, "POSIX"))
    setlocale (LC_ALL, "C.UTF-8");

  bindtextdomain (GETTEXT_PACKAGE, tirkeu_i18n_get_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/**
 * tirkeu_i18n_get_language:
 *
 * The language the interface speaks: the first of the user's preferred languages that Tirkeu
 * has ("kk", "ru" or "en", the source language).
 *
 * Returns: (transfer none): "kk", "ru" or "en"
 */
const char *
tirkeu_i18n_get_language (void)
{
  const char * const *names = g_get_language_names ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_has_prefix (names[i], "kk"))
        return "kk";
      if (g_str_has_prefix (names[i], "ru"))
        return "ru";
      if (g_str_has_prefix (names[i], "en") || g_str_equal (names[i], "C"))
        return "en";
    }

  return "en";
}
