/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-vardict-private.h"

/**
 * _tirkeu_vardict_index:
 * @dict: an `a{sv}` dictionary (a journal record, a vehicle)
 *
 * The dictionary's values by key, found in one pass. g_variant_lookup_value() walks the
 * dictionary from its start for each key and makes a #GVariant of every entry it passes: a
 * record of some 25 keys read that way cost most of the time the journal took to load a
 * request. A key given twice keeps its first value, as g_variant_lookup_value() finds it.
 *
 * Returns: (transfer full): key → the value inside its `v`
 */
GHashTable *
_tirkeu_vardict_index (GVariant *dict)
{
  GHashTable *index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_variant_unref);
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_return_val_if_fail (g_variant_is_of_type (dict, G_VARIANT_TYPE_VARDICT), index);

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      if (g_hash_table_contains (index, key))
        g_variant_unref (value);
      else
        g_hash_table_insert (index, g_strdup (key), value);
    }
  return index;
}
