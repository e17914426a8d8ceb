/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tirkeu-cli check-iin, check-bin, check-vin: the local identifier checks. Exit status 0
 * when the value is valid, 1 when it is not, 2 for a usage error. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-cli.h"
#include "tirkeu-core-enums.h"
#include "tirkeu-error.h"
#include "tirkeu-format.h"
#include "tirkeu-iin.h"
#include "tirkeu-vin.h"

static const char *
input_error_nick (const GError *error)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *value;

  if (error->domain != TIRKEU_INPUT_ERROR)
    return "unknown";

  klass = g_type_class_ref (TIRKEU_TYPE_INPUT_ERROR);
  value = g_enum_get_value (klass, error->code);

  /* nicks are static strings of the registered type, valid after the class is unref'd */
  return value != NULL ? value->value_nick : "unknown";
}

static void
add_uint_or_null (JsonBuilder *builder,
                  const char  *member,
                  guint        value)
{
  json_builder_set_member_name (builder, member);
  if (value != 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_error (JsonBuilder  *builder,
           const GError *error,
           guint         position)
{
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, input_error_nick (error));
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
  add_uint_or_null (builder, "position", position);
  json_builder_end_object (builder);
}

static JsonBuilder *
begin_result (const char *kind,
              gboolean    valid)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  json_builder_set_member_name (builder, "valid");
  json_builder_add_boolean_value (builder, valid);

  return builder;
}

static void
end_result (JsonBuilder *builder)
{
  json_builder_end_object (builder);
  tirkeu_cli_print_json_builder (builder);
}

/* Parses the command line of a check: exactly one argument. Returns -1 to go on. */
static int
parse_check (TirkeuCliOptions   *options,
             int                *argc,
             char             ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!tirkeu_cli_parse_command (options, NULL, argc, argv, &error))
    return tirkeu_cli_report_error (options, error);
  if (*argc != 2)
    return tirkeu_cli_usage_error (options, (*argv)[0]);

  return -1;
}

/**
 * tirkeu_cli_run_check_iin:
 *
 * `tirkeu-cli check-iin IIN`
 */
int
tirkeu_cli_run_check_iin (TirkeuCliOptions  *options,
                          int                argc,
                          char             **argv)
{
  g_autoptr(GError) error = NULL;
  TirkeuIinInfo info;
  gboolean valid;
  int status;

  if ((status = parse_check (options, &argc, &argv)) >= 0)
    return status;

  valid = tirkeu_iin_parse (argv[1], &info, &error);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = begin_result ("iin", valid);

      if (valid)
        {
          g_autofree char *masked = tirkeu_iin_mask (info.iin);
          g_autofree char *birth_date = NULL;

          if (info.birth_year != 0)
            birth_date = g_strdup_printf ("%04u-%02u-%02u", info.birth_year, info.birth_month,
                                          info.birth_day);
          tirkeu_cli_json_add_string (builder, "iin", info.iin);
          tirkeu_cli_json_add_string (builder, "masked", masked);
          json_builder_set_member_name (builder, "hints");
          json_builder_begin_object (builder);
          tirkeu_cli_json_add_string (builder, "birth_date", birth_date);
          add_uint_or_null (builder, "century", info.century);
          tirkeu_cli_json_add_string (builder, "sex", info.sex != TIRKEU_SEX_UNKNOWN
                                              ? tirkeu_sex_to_string (info.sex) : NULL);
          json_builder_end_object (builder);
        }
      else
        add_error (builder, error, info.error_position);
      end_result (builder);
    }
  else if (valid)
    {
      /* Translators: IIN: ЖСН / ИИН */
      g_print (_("Valid IIN: %s"), info.iin);
      g_print ("\n");
      if (info.birth_year != 0)
        {
          g_autofree char *birth_date = tirkeu_format_date_dmy (info.birth_year,
                                                                info.birth_month,
                                                                info.birth_day);

          /* Translators: %s is a date as 23.11.1990 */
          g_print (_("Birth date (a hint, not checked): %s"), birth_date != NULL ? birth_date : "?");
          g_print ("\n");
        }
      if (info.century != 0)
        {
          g_autofree char *century = tirkeu_format_century (info.century);

          /* Translators: %s is a century in Roman numerals, e.g. XX: kk «XX ғасырда», ru «в XX
           * веке» */
          g_print (_("Born in the %s century (a hint)"), century != NULL ? century : "?");
          g_print ("\n");
        }
      if (info.sex != TIRKEU_SEX_UNKNOWN)
        {
          g_print (_("Sex (a hint): %s"), tirkeu_sex_get_label (info.sex));
          g_print ("\n");
        }
      if (info.century == 0)
        {
          g_print (_("Digit 7 encodes no century or sex: no hints."));
          g_print ("\n");
        }
    }
  else
    {
      g_print (_("Invalid IIN: %s"), error->message);
      g_print ("\n");
    }

  return valid ? TIRKEU_CLI_EXIT_DONE : TIRKEU_CLI_EXIT_REFUSED;
}

/**
 * tirkeu_cli_run_check_bin:
 *
 * `tirkeu-cli check-bin BIN`
 */
int
tirkeu_cli_run_check_bin (TirkeuCliOptions  *options,
                          int                argc,
                          char             **argv)
{
  g_autoptr(GError) error = NULL;
  TirkeuBinInfo info;
  gboolean valid;
  int status;

  if ((status = parse_check (options, &argc, &argv)) >= 0)
    return status;

  valid = tirkeu_bin_parse (argv[1], 0, &info, &error);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = begin_result ("bin", valid);

      if (valid)
        {
          g_autofree char *registered = NULL;

          if (info.registration_year != 0)
            registered = g_strdup_printf ("%04u-%02u", info.registration_year,
                                          info.registration_month);
          tirkeu_cli_json_add_string (builder, "bin", info.bin);
          json_builder_set_member_name (builder, "hints");
          json_builder_begin_object (builder);
          tirkeu_cli_json_add_string (builder, "registered", registered);
          tirkeu_cli_json_add_string (builder, "entity", info.entity != TIRKEU_BIN_ENTITY_UNKNOWN
                              ? tirkeu_bin_entity_to_string (info.entity) : NULL);
          tirkeu_cli_json_add_string (builder, "office", info.office != TIRKEU_BIN_OFFICE_UNKNOWN
                              ? tirkeu_bin_office_to_string (info.office) : NULL);
          json_builder_end_object (builder);
        }
      else
        add_error (builder, error, info.error_position);
      end_result (builder);
    }
  else if (valid)
    {
      /* Translators: BIN: БСН / БИН */
      g_print (_("Valid BIN: %s"), info.bin);
      g_print ("\n");
      if (info.registration_year != 0)
        {
          g_autofree char *registered = tirkeu_format_year_month (info.registration_year,
                                                                  info.registration_month);

          /* Translators: %s is a month of a year as 05.2023 */
          g_print (_("Registered (a hint): %s"), registered != NULL ? registered : "?");
          g_print ("\n");
        }
      if (info.entity != TIRKEU_BIN_ENTITY_UNKNOWN)
        {
          g_print (_("Entity type (a hint): %s"), tirkeu_bin_entity_get_label (info.entity));
          g_print ("\n");
        }
      if (info.office != TIRKEU_BIN_OFFICE_UNKNOWN)
        {
          g_print (_("Office type (a hint): %s"), tirkeu_bin_office_get_label (info.office));
          g_print ("\n");
        }
    }
  else
    {
      g_print (_("Invalid BIN: %s"), error->message);
      g_print ("\n");
    }

  return valid ? TIRKEU_CLI_EXIT_DONE : TIRKEU_CLI_EXIT_REFUSED;
}

/**
 * tirkeu_cli_run_check_vin:
 *
 * `tirkeu-cli check-vin VIN`
 */
int
tirkeu_cli_run_check_vin (TirkeuCliOptions  *options,
                          int                argc,
                          char             **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *warning = NULL;
  TirkeuVinInfo info;
  gboolean valid;
  int status;

  if ((status = parse_check (options, &argc, &argv)) >= 0)
    return status;

  valid = tirkeu_vin_parse (argv[1], 0, &info, &error);

  if (valid && info.check_digit_warning)
    warning = g_strdup_printf (_("The check digit (character 9) is “%c” but the other "
                                 "characters give “%c”. Outside North America the check "
                                 "digit is advisory: compare the VIN with the documents."),
                               info.check_digit, info.computed_check_digit);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = begin_result ("vin", valid);

      if (valid)
        {
          char found[2] = { info.check_digit, '\0' };
          char computed[2] = { info.computed_check_digit, '\0' };

          tirkeu_cli_json_add_string (builder, "vin", info.vin);
          tirkeu_cli_json_add_string (builder, "check_digit", found);
          tirkeu_cli_json_add_string (builder, "computed_check_digit", computed);
          json_builder_set_member_name (builder, "check_digit_required");
          json_builder_add_boolean_value (builder, info.north_american);
          tirkeu_cli_json_add_string (builder, "warning", warning);
          tirkeu_cli_json_add_string (builder, "region", tirkeu_vin_region_to_string (info.region));
          tirkeu_cli_json_add_string (builder, "country_code", info.country_code);
          tirkeu_cli_json_add_string (builder, "country",
                              info.country_name != NULL ? _(info.country_name) : NULL);
          tirkeu_cli_json_add_string (builder, "manufacturer", info.manufacturer);
          add_uint_or_null (builder, "model_year", info.model_year);
        }
      else
        add_error (builder, error, info.error_position);
      end_result (builder);
    }
  else if (valid)
    {
      g_print (_("Valid VIN: %s"), info.vin);
      g_print ("\n");
      if (warning != NULL)
        {
          g_print (_("Warning: %s"), warning);
          g_print ("\n");
        }
      g_print (_("Region: %s"), tirkeu_vin_region_get_label (info.region));
      g_print ("\n");
      if (info.country_name != NULL)
        {
          g_print (_("Country: %s"), _(info.country_name));
          g_print ("\n");
        }
      if (info.manufacturer != NULL)
        {
          g_print (_("Manufacturer: %s"), info.manufacturer);
          g_print ("\n");
        }
      if (info.model_year != 0)
        {
          g_print (_("Model year: %u"), info.model_year);
          g_print ("\n");
        }
    }
  else
    {
      g_print (_("Invalid VIN: %s"), error->message);
      g_print ("\n");
    }

  return valid ? TIRKEU_CLI_EXIT_DONE : TIRKEU_CLI_EXIT_REFUSED;
}
