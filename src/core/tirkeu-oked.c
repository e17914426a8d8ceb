/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "tirkeu-core-resources.h"
#include "tirkeu-oked.h"

#define OKED_RESOURCE "/io/github/tirkeu/Tirkeu/core/oked.ini"

typedef struct
{
  GKeyFile *key_file;
  char **classes;   /* the group names, in file order */
} OkedTable;

static const OkedTable *
get_table (void)
{
  static gsize loaded_once;
  static OkedTable *table;

  if (g_once_init_enter (&loaded_once))
    {
      OkedTable *loaded = g_new0 (OkedTable, 1);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      loaded->key_file = g_key_file_new ();

      /* The file is compiled into the library: failing to read it is a build defect, not a
       * condition a user can meet, so it is fatal. It is read from the library's own
       * resource rather than the global registry: a static library's constructor that would
       * register it is dropped by the linker when nothing else in that object is used. */
      bytes = g_resource_lookup_data (tirkeu_core_get_resource (), OKED_RESOURCE,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes == NULL
          || !g_key_file_load_from_bytes (loaded->key_file, bytes,
                                         G_KEY_FILE_KEEP_TRANSLATIONS, &error))
        g_error ("Cannot load %s: %s", OKED_RESOURCE, error->message);

      loaded->classes = g_key_file_get_groups (loaded->key_file, NULL);

      table = loaded;
      g_once_init_leave (&loaded_once, 1);
    }

  return table;
}

/**
 * tirkeu_oked_normalize:
 * @code: (nullable): an OKED code as a registry, a certificate or a person writes it
 *
 * Reduces a code to its class, "NN.NN". Accepted spellings: the class itself ("45.11",
 * "4511"), and a subclass in either form ("45.11.1", "45111", "45.11.0"), with surrounding
 * or inner spaces. A division or group alone ("45", "45.1") names no class and is refused,
 * as is anything longer than a subclass or with other characters.
 *
 * Returns: (transfer full) (nullable): the class code, or %NULL if @code is not one
 */
char *
tirkeu_oked_normalize (const char *code)
{
  char digits[6];
  guint n_digits = 0;

  if (code == NULL)
    return NULL;

  for (const char *p = code; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          if (n_digits == G_N_ELEMENTS (digits) - 1)
            return NULL;
          digits[n_digits++] = *p;
        }
      else if (*p != '.' && *p != ' ')
        return NULL;
    }

  if (n_digits < 4)
    return NULL;

  return g_strdup_printf ("%c%c.%c%c", digits[0], digits[1], digits[2], digits[3]);
}

/**
 * tirkeu_oked_get_vehicle_classes:
 *
 * Returns: (transfer none) (array zero-terminated=1): the vehicle-trade classes, "45.11", ...
 */
const char * const *
tirkeu_oked_get_vehicle_classes (void)
{
  return (const char * const *) get_table ()->classes;
}

/**
 * tirkeu_oked_is_vehicle_class:
 * @code: (nullable): an OKED code in any spelling tirkeu_oked_normalize() accepts
 *
 * Returns: %TRUE if @code is, or lies within, a vehicle-trade class
 */
gboolean
tirkeu_oked_is_vehicle_class (const char *code)
{
  g_autofree char *class_code = tirkeu_oked_normalize (code);

  return class_code != NULL
         && g_strv_contains (tirkeu_oked_get_vehicle_classes (), class_code);
}

/**
 * tirkeu_oked_get_name:
 * @code: a vehicle-trade class in any accepted spelling
 * @language: (nullable): "kk", "ru" or "en"; %NULL for the source language
 *
 * The classifier's own name of the class, in the language asked for (or in English when the
 * data has none in that language).
 *
 * Returns: (transfer full) (nullable): the name, or %NULL if @code is no vehicle-trade class
 */
char *
tirkeu_oked_get_name (const char *code,
                      const char *language)
{
  g_autofree char *class_code = tirkeu_oked_normalize (code);
  const OkedTable *table = get_table ();

  if (class_code == NULL || !g_strv_contains ((const char * const *) table->classes, class_code))
    return NULL;

  return g_key_file_get_locale_string (table->key_file, class_code, "name", language, NULL);
}

/**
 * tirkeu_oked_qualifies:
 * @seller_codes: (array zero-terminated=1) (nullable): the seller's OKED codes, as registered
 * @matched_code: (out) (optional) (transfer none): the first of @seller_codes that qualifies
 *
 * Whether a seller may start a request under step 1 of the pilot algorithm: one of its codes
 * must lie within a vehicle-trade class. The seller's codes are checked in their order (the
 * main activity first, as registries list them).
 *
 * Returns: %TRUE if the seller qualifies
 */
gboolean
tirkeu_oked_qualifies (const char * const *seller_codes,
                       const char        **matched_code)
{
  if (matched_code != NULL)
    *matched_code = NULL;

  if (seller_codes == NULL)
    return FALSE;

  for (guint i = 0; seller_codes[i] != NULL; i++)
    {
      if (tirkeu_oked_is_vehicle_class (seller_codes[i]))
        {
          if (matched_code != NULL)
            *matched_code = seller_codes[i];
          return TRUE;
        }
    }

  return FALSE;
}
