/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TirkeuVinRegion:
 * @TIRKEU_VIN_REGION_UNKNOWN: not a VIN character in position 1
 * @TIRKEU_VIN_REGION_AFRICA: A-H
 * @TIRKEU_VIN_REGION_ASIA: J-R
 * @TIRKEU_VIN_REGION_EUROPE: S-Z
 * @TIRKEU_VIN_REGION_NORTH_AMERICA: 1-5
 * @TIRKEU_VIN_REGION_OCEANIA: 6-7
 * @TIRKEU_VIN_REGION_SOUTH_AMERICA: 8-9 and 0
 *
 * The region of manufacture, from the first character of the WMI (ISO 3780).
 */
typedef enum
{
  TIRKEU_VIN_REGION_UNKNOWN,
  TIRKEU_VIN_REGION_AFRICA,
  TIRKEU_VIN_REGION_ASIA,
  TIRKEU_VIN_REGION_EUROPE,
  TIRKEU_VIN_REGION_NORTH_AMERICA,
  TIRKEU_VIN_REGION_OCEANIA,
  TIRKEU_VIN_REGION_SOUTH_AMERICA,
} TirkeuVinRegion;

/**
 * TirkeuVinInfo:
 * @vin: the 17 characters after normalization, NUL-terminated; empty when invalid
 * @error_position: on failure, the 1-based position of the offending character, else 0
 * @error_character: on failure, that character, else 0
 * @check_digit: the character in position 9 (when the VIN got that far)
 * @computed_check_digit: the check digit the other 16 characters give ('0'-'9' or 'X')
 * @region: from position 1
 * @country_code: (nullable): ISO 3166-1 alpha-2 code of the WMI's country, %NULL if unassigned
 * @country_name: (nullable): its English name (translate with _() to show it)
 * @manufacturer: (nullable): the maker, when the WMI is in our short table
 * @model_year: the model year from position 10 (see tirkeu_vin_decode_model_year()), or 0
 * @north_american: the WMI starts with 1-5: the check digit is mandatory
 * @check_digit_warning: the check digit does not match, outside North America, where it is
 *   advisory: show a warning, do not block
 */
typedef struct
{
  char             vin[18];
  guint            error_position;
  gunichar         error_character;
  char             check_digit;
  char             computed_check_digit;
  TirkeuVinRegion  region;
  const char      *country_code;
  const char      *country_name;
  const char      *manufacturer;
  guint            model_year;
  guint            north_american : 1;
  guint            check_digit_warning : 1;
} TirkeuVinInfo;

int             tirkeu_vin_transliterate        (char            c);
char           *tirkeu_vin_normalize            (const char     *text);
char           *tirkeu_vin_from_russian_layout  (const char     *text);
char            tirkeu_vin_compute_check_digit  (const char     *vin);
guint           tirkeu_vin_decode_model_year    (const char     *vin,
                                                 guint           current_year);
gboolean        tirkeu_vin_parse                (const char     *text,
                                                 guint           current_year,
                                                 TirkeuVinInfo  *info,
                                                 GError        **error);
gboolean        tirkeu_vin_is_valid             (const char     *text);

const char     *tirkeu_vin_region_to_string     (TirkeuVinRegion region);
const char     *tirkeu_vin_region_get_label     (TirkeuVinRegion region);

G_END_DECLS
