/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <string.h>

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

/* ------------------------------------------------------------------------------------------ */
/* Lookups in a given language, for the pages printed in kk and ru at once */

typedef struct
{
  GMappedFile *file;
  const char  *data;
  gsize        size;
  guint32      n_strings;
  guint32      originals;     /* offset of the table of (length, offset) of the msgids */
  guint32      translations;  /* same for the translations */
  gboolean     swapped;
} MoCatalog;

static guint32
mo_read (const MoCatalog *mo,
         guint32          offset)
{
  guint32 value;

  memcpy (&value, mo->data + offset, sizeof value);
  return mo->swapped ? GUINT32_SWAP_LE_BE (value) : value;
}

/* The string of entry @index of @table, or NULL if the file lies about it. */
static const char *
mo_string (const MoCatalog *mo,
           guint32          table,
           guint32          index)
{
  guint64 entry = (guint64) table + (guint64) index * 8;
  guint32 length, offset;

  if (entry + 8 > mo->size)
    return NULL;
  length = mo_read (mo, entry);
  offset = mo_read (mo, entry + 4);
  /* msgfmt ends every string with a NUL that the length leaves out */
  if ((guint64) offset + length >= mo->size || mo->data[offset + length] != '\0')
    return NULL;

  return mo->data + offset;
}

static MoCatalog *
mo_catalog_load (const char *language)
{
  g_autofree char *basename = g_strconcat (GETTEXT_PACKAGE, ".mo", NULL);
  g_autofree char *path = g_build_filename (tirkeu_i18n_get_localedir (), language,
                                            "LC_MESSAGES", basename, NULL);
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
  MoCatalog *mo;
  guint32 magic;

  if (file == NULL || g_mapped_file_get_length (file) < 20)
    return NULL;

  mo = g_new0 (MoCatalog, 1);
  mo->data = g_mapped_file_get_contents (file);
  mo->size = g_mapped_file_get_length (file);
  memcpy (&magic, mo->data, sizeof magic);
  if (magic == 0x950412de)
    mo->swapped = FALSE;
  else if (magic == 0xde120495)
    mo->swapped = TRUE;
  else
    {
      g_free (mo);
      return NULL;
    }
  mo->n_strings = mo_read (mo, 8);
  mo->originals = mo_read (mo, 12);
  mo->translations = mo_read (mo, 16);
  mo->file = g_steal_pointer (&file);

  return mo;
}

/**
 * tirkeu_i18n_pgettext_in:
 * @language: "kk", "ru" or "en"
 * @context: (nullable): the message context (msgctxt)
 * @msgid: the English source string
 *
 * Translates @msgid into @language whatever the interface language is, for output that
 * carries several languages at once (the buyer's summary is in Kazakh and Russian). It reads
 * the compiled catalogue of @language itself: switching gettext's language for a moment would
 * change the text of every other thread, and is not thread-safe. Catalogues are loaded once
 * and kept for the life of the process; this may be called from any thread.
 *
 * Returns: (transfer none): the translation, or @msgid when there is none
 */
const char *
tirkeu_i18n_pgettext_in (const char *language,
                         const char *context,
                         const char *msgid)
{
  static GMutex mutex;
  static GHashTable *catalogs;  /* language -> MoCatalog, or NULL when it has none */
  g_autofree char *key = NULL;
  MoCatalog *mo;
  guint32 low, high;

  g_return_val_if_fail (language != NULL, msgid);
  g_return_val_if_fail (msgid != NULL, msgid);

  if (g_str_equal (language, "en"))
    return msgid;

  g_mutex_lock (&mutex);
  if (catalogs == NULL)
    catalogs = g_hash_table_new (g_str_hash, g_str_equal);
  if (!g_hash_table_lookup_extended (catalogs, language, NULL, (gpointer *) &mo))
    {
      mo = mo_catalog_load (language);
      g_hash_table_insert (catalogs, g_strdup (language), mo);
    }
  g_mutex_unlock (&mutex);

  if (mo == NULL)
    return msgid;

  /* msgfmt sorts the msgids ("context\004msgid") by strcmp: a binary search finds it. */
  key = context != NULL ? g_strconcat (context, "\004", msgid, NULL) : g_strdup (msgid);
  low = 0;
  high = mo->n_strings;
  while (low < high)
    {
      guint32 middle = low + (high - low) / 2;
      const char *original = mo_string (mo, mo->originals, middle);
      int order;

      if (original == NULL)
        return msgid;
      order = strcmp (key, original);
      if (order == 0)
        {
          const char *translation = mo_string (mo, mo->translations, middle);

          return translation != NULL && *translation != '\0' ? translation : msgid;
        }
      if (order < 0)
        high = middle;
      else
        low = middle + 1;
    }

  return msgid;
}
