/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TirkeuSex:
 * @TIRKEU_SEX_UNKNOWN: the IIN does not say (d7 is 0 or above 6)
 * @TIRKEU_SEX_MALE: d7 is odd
 * @TIRKEU_SEX_FEMALE: d7 is even
 */
typedef enum
{
  TIRKEU_SEX_UNKNOWN,
  TIRKEU_SEX_MALE,
  TIRKEU_SEX_FEMALE,
} TirkeuSex;

/**
 * TirkeuBinEntity:
 * @TIRKEU_BIN_ENTITY_UNKNOWN: d5 is none of the types below
 * @TIRKEU_BIN_ENTITY_RESIDENT: 4, a resident legal entity
 * @TIRKEU_BIN_ENTITY_NON_RESIDENT: 5, a non-resident legal entity
 * @TIRKEU_BIN_ENTITY_INDIVIDUAL_ENTREPRENEUR: 6, an individual entrepreneur (joint venture)
 */
typedef enum
{
  TIRKEU_BIN_ENTITY_UNKNOWN,
  TIRKEU_BIN_ENTITY_RESIDENT,
  TIRKEU_BIN_ENTITY_NON_RESIDENT,
  TIRKEU_BIN_ENTITY_INDIVIDUAL_ENTREPRENEUR,
} TirkeuBinEntity;

/**
 * TirkeuBinOffice:
 * @TIRKEU_BIN_OFFICE_UNKNOWN: d6 is none of the kinds below
 * @TIRKEU_BIN_OFFICE_HEAD: 0, the head office
 * @TIRKEU_BIN_OFFICE_BRANCH: 1, a branch
 * @TIRKEU_BIN_OFFICE_REPRESENTATIVE: 2, a representative office
 * @TIRKEU_BIN_OFFICE_PEASANT_FARM: 3, a peasant (farm) enterprise
 */
typedef enum
{
  TIRKEU_BIN_OFFICE_UNKNOWN,
  TIRKEU_BIN_OFFICE_HEAD,
  TIRKEU_BIN_OFFICE_BRANCH,
  TIRKEU_BIN_OFFICE_REPRESENTATIVE,
  TIRKEU_BIN_OFFICE_PEASANT_FARM,
} TirkeuBinOffice;

/**
 * TirkeuIinInfo:
 * @iin: the 12 digits after normalization, NUL-terminated; empty when invalid
 * @error_position: on failure, the 1-based position of the offending character, else 0
 * @error_character: on failure, that character, else 0
 * @birth_year: hint: the birth year, 0 when d7 or the date gives none
 * @birth_month: hint: 1-12, 0 when none
 * @birth_day: hint: 1-31, 0 when none
 * @century: hint: the first year of the birth century (1800, 1900, 2000), 0 when unknown
 * @sex: hint: from d7
 *
 * What an IIN says. Since 2013 digits 1-7 need not match the real birth date and sex, so
 * they are hints for the person at the desk, never grounds for refusal.
 */
typedef struct
{
  char       iin[13];
  guint      error_position;
  gunichar   error_character;
  guint      birth_year;
  guint      birth_month;
  guint      birth_day;
  guint      century;
  TirkeuSex  sex;
} TirkeuIinInfo;

/**
 * TirkeuBinInfo:
 * @bin: the 12 digits after normalization, NUL-terminated; empty when invalid
 * @error_position: on failure, the 1-based position of the offending character, else 0
 * @error_character: on failure, that character, else 0
 * @registration_year: hint: year of registration (see tirkeu_bin_parse()), 0 when none
 * @registration_month: hint: 1-12, 0 when none
 * @entity: hint: from d5
 * @office: hint: from d6
 */
typedef struct
{
  char             bin[13];
  guint            error_position;
  gunichar         error_character;
  guint            registration_year;
  guint            registration_month;
  TirkeuBinEntity  entity;
  TirkeuBinOffice  office;
} TirkeuBinInfo;

char     *tirkeu_iin_normalize           (const char     *text);
int       tirkeu_iin_compute_check_digit (const char     *digits);
gboolean  tirkeu_iin_is_valid            (const char     *text);
gboolean  tirkeu_iin_parse               (const char     *text,
                                          TirkeuIinInfo  *info,
                                          GError        **error);
char     *tirkeu_iin_mask                (const char     *text);

gboolean  tirkeu_bin_is_valid            (const char     *text);
gboolean  tirkeu_bin_parse               (const char     *text,
                                          guint           current_year,
                                          TirkeuBinInfo  *info,
                                          GError        **error);

const char *tirkeu_sex_to_string         (TirkeuSex       sex);
const char *tirkeu_bin_entity_to_string  (TirkeuBinEntity entity);
const char *tirkeu_bin_office_to_string  (TirkeuBinOffice office);
const char *tirkeu_sex_get_label         (TirkeuSex       sex);
const char *tirkeu_bin_entity_get_label  (TirkeuBinEntity entity);
const char *tirkeu_bin_office_get_label  (TirkeuBinOffice office);

G_END_DECLS
