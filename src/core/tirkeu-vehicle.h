/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "tirkeu-localized-text.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_VEHICLE (tirkeu_vehicle_get_type ())

/**
 * TirkeuVehicle:
 * @vin: the VIN, normalized (17 characters), or %NULL while not entered
 * @epassport_number: number of the electronic vehicle passport (ЭПТС), or %NULL
 * @make: make (марка), as the e-passport spells it
 * @model: commercial name of the model
 * @year: model year / year of manufacture, 0 when unknown
 * @colour: body colour, as the e-passport spells it
 * @body_type: body type (e.g. "седан", "универсал")
 * @body_number: body (cabin, trailer) number, often the VIN again
 * @chassis_number: chassis (frame) number, %NULL for most cars
 * @engine_model: engine model / type designation
 * @engine_number: engine number
 * @engine_volume_cc: engine displacement in cm³, 0 when unknown or electric
 * @engine_power_kw: maximum engine power in kW, 0 when unknown
 * @fuel_type: fuel / energy source (e.g. "бензин", "электричество")
 * @category: vehicle category of the technical regulation (M1, N1, L3, ...)
 * @colour_text: (nullable): @colour in kk, ru and en, when the portal gave it (contract 1.4)
 * @body_type_text: (nullable): @body_type in kk, ru and en, likewise
 * @engine_text: (nullable): @engine_model (the e-passport's engine summary, e.g. "2,5 л,
 *   бензин, 149 кВт") in kk, ru and en, likewise
 *
 * The colour, body type and engine are the e-passport's human-language details: the plain
 * strings keep them as the e-passport system spells them (in Russian) and the texts in every
 * language the portal sent, so that each reader gets their own language at display time
 * (tirkeu_vehicle_pick_colour() and its siblings), and a portal older than contract 1.4,
 * which sends only the string, still shows something.
 *
 * The vehicle of a request: its VIN and what the electronic vehicle passport system returned
 * for it at step 3 (re-checked at step 12). A plain value: the request keeps its own copy,
 * so change a copy and hand it back with tirkeu_request_set_vehicle().
 * Strings are UTF-8 or %NULL; numbers are 0 when unknown.
 */
typedef struct
{
  char  *vin;
  char  *epassport_number;
  char  *make;
  char  *model;
  guint  year;
  char  *colour;
  char  *body_type;
  char  *body_number;
  char  *chassis_number;
  char  *engine_model;
  char  *engine_number;
  guint  engine_volume_cc;
  guint  engine_power_kw;
  char  *fuel_type;
  char  *category;
  TirkeuLocalizedText *colour_text;
  TirkeuLocalizedText *body_type_text;
  TirkeuLocalizedText *engine_text;
} TirkeuVehicle;

GType          tirkeu_vehicle_get_type         (void) G_GNUC_CONST;
TirkeuVehicle *tirkeu_vehicle_new              (const char          *vin);
TirkeuVehicle *tirkeu_vehicle_copy             (const TirkeuVehicle *vehicle);
void           tirkeu_vehicle_free             (TirkeuVehicle       *vehicle);
gboolean       tirkeu_vehicle_equal            (const TirkeuVehicle *a,
                                                const TirkeuVehicle *b);
GVariant      *tirkeu_vehicle_to_variant       (const TirkeuVehicle *vehicle);
TirkeuVehicle *tirkeu_vehicle_new_from_variant (GVariant            *variant,
                                                GError             **error);
const char    *tirkeu_vehicle_pick_colour      (const TirkeuVehicle *vehicle,
                                                const char          *language);
const char    *tirkeu_vehicle_pick_body_type   (const TirkeuVehicle *vehicle,
                                                const char          *language);
const char    *tirkeu_vehicle_pick_engine      (const TirkeuVehicle *vehicle,
                                                const char          *language);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuVehicle, tirkeu_vehicle_free)

G_END_DECLS
