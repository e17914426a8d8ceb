/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-error.h"
#include "tirkeu-vehicle.h"
#include "tirkeu-vardict-private.h"

G_DEFINE_BOXED_TYPE (TirkeuVehicle, tirkeu_vehicle, tirkeu_vehicle_copy, tirkeu_vehicle_free)

/* The string fields, by their key in the variant: one table drives copy, free, equal and
 * both directions of the variant, so that a new field cannot be forgotten in one of them. */
static const struct {
  const char *key;
  gsize offset;
} string_fields[] = {
  { "vin", G_STRUCT_OFFSET (TirkeuVehicle, vin) },
  { "epassport-number", G_STRUCT_OFFSET (TirkeuVehicle, epassport_number) },
  { "make", G_STRUCT_OFFSET (TirkeuVehicle, make) },
  { "model", G_STRUCT_OFFSET (TirkeuVehicle, model) },
  { "colour", G_STRUCT_OFFSET (TirkeuVehicle, colour) },
  { "body-type", G_STRUCT_OFFSET (TirkeuVehicle, body_type) },
  { "body-number", G_STRUCT_OFFSET (TirkeuVehicle, body_number) },
  { "chassis-number", G_STRUCT_OFFSET (TirkeuVehicle, chassis_number) },
  { "engine-model", G_STRUCT_OFFSET (TirkeuVehicle, engine_model) },
  { "engine-number", G_STRUCT_OFFSET (TirkeuVehicle, engine_number) },
  { "fuel-type", G_STRUCT_OFFSET (TirkeuVehicle, fuel_type) },
  { "category", G_STRUCT_OFFSET (TirkeuVehicle, category) },
};

static const struct {
  const char *key;
  gsize offset;
} uint_fields[] = {
  { "year", G_STRUCT_OFFSET (TirkeuVehicle, year) },
  { "engine-volume-cc", G_STRUCT_OFFSET (TirkeuVehicle, engine_volume_cc) },
  { "engine-power-kw", G_STRUCT_OFFSET (TirkeuVehicle, engine_power_kw) },
};

/* The e-passport's human-language details in every language the portal sent (contract
 * 1.4.0), each stored as an `a{ss}` (tirkeu_localized_text_to_variant()) under its own key
 * next to the plain string's.
 *
 * These keys need no new record version: a build that does not know them reads the record
 * as before and shows the plain string, the e-passport's own spelling, which is what it
 * showed before; nothing it shows is wrong or made up. A record written before them has
 * the plain strings only, and every language falls back to those. */
static const struct {
  const char *key;
  gsize offset;
} text_fields[] = {
  { "colour-text", G_STRUCT_OFFSET (TirkeuVehicle, colour_text) },
  { "body-type-text", G_STRUCT_OFFSET (TirkeuVehicle, body_type_text) },
  { "engine-text", G_STRUCT_OFFSET (TirkeuVehicle, engine_text) },
};

#define STRING_FIELD(v, i) G_STRUCT_MEMBER (char *, (v), string_fields[i].offset)
#define UINT_FIELD(v, i) G_STRUCT_MEMBER (guint, (v), uint_fields[i].offset)
#define TEXT_FIELD(v, i) G_STRUCT_MEMBER (TirkeuLocalizedText *, (v), text_fields[i].offset)

/**
 * tirkeu_vehicle_new:
 * @vin: (nullable): the VIN, already normalized
 *
 * Returns: (transfer full): a vehicle with only its VIN known
 */
TirkeuVehicle *
tirkeu_vehicle_new (const char *vin)
{
  TirkeuVehicle *vehicle = g_new0 (TirkeuVehicle, 1);

  vehicle->vin = g_strdup (vin);

  return vehicle;
}

/**
 * tirkeu_vehicle_copy:
 * @vehicle: a #TirkeuVehicle
 *
 * Returns: (transfer full): a deep copy of @vehicle
 */
TirkeuVehicle *
tirkeu_vehicle_copy (const TirkeuVehicle *vehicle)
{
  TirkeuVehicle *copy;

  g_return_val_if_fail (vehicle != NULL, NULL);

  copy = g_memdup2 (vehicle, sizeof *vehicle);
  for (guint i = 0; i < G_N_ELEMENTS (string_fields); i++)
    STRING_FIELD (copy, i) = g_strdup (STRING_FIELD (vehicle, i));
  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    if (TEXT_FIELD (vehicle, i) != NULL)
      TEXT_FIELD (copy, i) = tirkeu_localized_text_ref (TEXT_FIELD (vehicle, i));

  return copy;
}

/**
 * tirkeu_vehicle_free:
 * @vehicle: (nullable): a #TirkeuVehicle
 */
void
tirkeu_vehicle_free (TirkeuVehicle *vehicle)
{
  if (vehicle == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (string_fields); i++)
    g_free (STRING_FIELD (vehicle, i));
  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    g_clear_pointer (&TEXT_FIELD (vehicle, i), tirkeu_localized_text_unref);
  g_free (vehicle);
}

/**
 * tirkeu_vehicle_equal:
 * @a: (nullable): a #TirkeuVehicle
 * @b: (nullable): a #TirkeuVehicle
 *
 * Returns: %TRUE if every field of @a and @b is equal (two %NULL are equal)
 */
gboolean
tirkeu_vehicle_equal (const TirkeuVehicle *a,
                      const TirkeuVehicle *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (string_fields); i++)
    if (g_strcmp0 (STRING_FIELD (a, i), STRING_FIELD (b, i)) != 0)
      return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (uint_fields); i++)
    if (UINT_FIELD (a, i) != UINT_FIELD (b, i))
      return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    if (!tirkeu_localized_text_equal (TEXT_FIELD (a, i), TEXT_FIELD (b, i)))
      return FALSE;

  return TRUE;
}

/**
 * tirkeu_vehicle_to_variant:
 * @vehicle: a #TirkeuVehicle
 *
 * Serializes @vehicle as an `a{sv}` dictionary holding the known fields only (keys are the
 * field names with dashes: "vin", "epassport-number", "year", ...); the texts in every
 * language as `a{ss}` under "colour-text", "body-type-text" and "engine-text".
 *
 * Returns: (transfer none): a floating #GVariant
 */
GVariant *
tirkeu_vehicle_to_variant (const TirkeuVehicle *vehicle)
{
  GVariantBuilder builder;

  g_return_val_if_fail (vehicle != NULL, NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < G_N_ELEMENTS (string_fields); i++)
    if (STRING_FIELD (vehicle, i) != NULL)
      g_variant_builder_add (&builder, "{sv}", string_fields[i].key,
                             g_variant_new_string (STRING_FIELD (vehicle, i)));
  for (guint i = 0; i < G_N_ELEMENTS (uint_fields); i++)
    if (UINT_FIELD (vehicle, i) != 0)
      g_variant_builder_add (&builder, "{sv}", uint_fields[i].key,
                             g_variant_new_uint32 (UINT_FIELD (vehicle, i)));
  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    if (TEXT_FIELD (vehicle, i) != NULL)
      g_variant_builder_add (&builder, "{sv}", text_fields[i].key,
                             tirkeu_localized_text_to_variant (TEXT_FIELD (vehicle, i)));

  return g_variant_builder_end (&builder);
}

/**
 * tirkeu_vehicle_new_from_variant:
 * @variant: an `a{sv}` dictionary from tirkeu_vehicle_to_variant()
 * @error: return location for a #GError
 *
 * Unknown keys are ignored (a newer version may add fields); a known key of the wrong type is
 * an error, %TIRKEU_INPUT_ERROR_INVALID.
 *
 * Returns: (transfer full) (nullable): the vehicle, or %NULL with @error set
 */
TirkeuVehicle *
tirkeu_vehicle_new_from_variant (GVariant  *variant,
                                 GError   **error)
{
  g_autoptr(TirkeuVehicle) vehicle = NULL;
  g_autoptr(GHashTable) fields = NULL;

  g_return_val_if_fail (variant != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                   _("The stored vehicle data are damaged."));
      return NULL;
    }

  vehicle = tirkeu_vehicle_new (NULL);
  fields = _tirkeu_vardict_index (variant);

  for (guint i = 0; i < G_N_ELEMENTS (string_fields); i++)
    {
      GVariant *value = g_hash_table_lookup (fields, string_fields[i].key);

      if (value == NULL)
        continue;
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                       _("The stored vehicle data are damaged."));
          return NULL;
        }
      STRING_FIELD (vehicle, i) = g_variant_dup_string (value, NULL);
    }

  for (guint i = 0; i < G_N_ELEMENTS (uint_fields); i++)
    {
      GVariant *value = g_hash_table_lookup (fields, uint_fields[i].key);

      if (value == NULL)
        continue;
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
        {
          g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                       _("The stored vehicle data are damaged."));
          return NULL;
        }
      UINT_FIELD (vehicle, i) = g_variant_get_uint32 (value);
    }

  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    {
      GVariant *value = g_hash_table_lookup (fields, text_fields[i].key);

      if (value == NULL)
        continue;
      TEXT_FIELD (vehicle, i) = tirkeu_localized_text_new_from_variant (value, NULL);
      if (TEXT_FIELD (vehicle, i) == NULL)
        {
          g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                       _("The stored vehicle data are damaged."));
          return NULL;
        }
    }

  return g_steal_pointer (&vehicle);
}

static const char *
pick (const TirkeuLocalizedText *text,
      const char                *plain,
      const char                *language)
{
  const char *picked = tirkeu_localized_text_pick (text, language);

  return picked != NULL ? picked : plain;
}

/**
 * tirkeu_vehicle_pick_colour:
 * @vehicle: a #TirkeuVehicle
 * @language: the reader's language: "kk", "ru" or "en" (tirkeu_i18n_get_language() for the
 *   interface, or one half's language of the buyer's summary)
 *
 * The colour to show a reader of @language: the portal's text in that language (or the next
 * best, as tirkeu_localized_text_pick() chooses), else the plain string as the e-passport
 * system spells it. Call it each time the colour is drawn, so a language switch follows.
 *
 * Returns: (transfer none) (nullable): the colour, %NULL when the e-passport gave none
 */
const char *
tirkeu_vehicle_pick_colour (const TirkeuVehicle *vehicle,
                            const char          *language)
{
  g_return_val_if_fail (vehicle != NULL, NULL);

  return pick (vehicle->colour_text, vehicle->colour, language);
}

/**
 * tirkeu_vehicle_pick_body_type:
 * @vehicle: a #TirkeuVehicle
 * @language: the reader's language
 *
 * As tirkeu_vehicle_pick_colour(), for the body type.
 *
 * Returns: (transfer none) (nullable): the body type, %NULL when the e-passport gave none
 */
const char *
tirkeu_vehicle_pick_body_type (const TirkeuVehicle *vehicle,
                               const char          *language)
{
  g_return_val_if_fail (vehicle != NULL, NULL);

  return pick (vehicle->body_type_text, vehicle->body_type, language);
}

/**
 * tirkeu_vehicle_pick_engine:
 * @vehicle: a #TirkeuVehicle
 * @language: the reader's language
 *
 * As tirkeu_vehicle_pick_colour(), for the engine summary (@engine_model).
 *
 * Returns: (transfer none) (nullable): the engine summary, %NULL when the e-passport gave none
 */
const char *
tirkeu_vehicle_pick_engine (const TirkeuVehicle *vehicle,
                            const char          *language)
{
  g_return_val_if_fail (vehicle != NULL, NULL);

  return pick (vehicle->engine_text, vehicle->engine_model, language);
}
