/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tirkeu-error.h"
#include "tirkeu-identifier-private.h"
#include "tirkeu-iin.h"

#define IIN_LENGTH 12

/* Characters people type or paste between groups of digits, which carry no meaning: any
 * Unicode space (U+00A0 no-break space, U+202F narrow no-break space and U+2007 figure
 * space included), any dash (U+2010-U+2015, U+FE58, U+FE63, U+FF0D), the minus sign, and the
 * invisible format characters that come along from web pages and PDFs. */
static gboolean
is_separator (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_SPACE_SEPARATOR:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
    case G_UNICODE_DASH_PUNCTUATION:
    case G_UNICODE_FORMAT:
      return TRUE;
    case G_UNICODE_CONTROL:
      return g_unichar_isspace (c);
    case G_UNICODE_CLOSE_PUNCTUATION:
    case G_UNICODE_CONNECT_PUNCTUATION:
    case G_UNICODE_CURRENCY_SYMBOL:
    case G_UNICODE_ENCLOSING_MARK:
    case G_UNICODE_FINAL_PUNCTUATION:
    case G_UNICODE_INITIAL_PUNCTUATION:
    case G_UNICODE_DECIMAL_NUMBER:
    case G_UNICODE_LETTER_NUMBER:
    case G_UNICODE_LOWERCASE_LETTER:
    case G_UNICODE_MATH_SYMBOL:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_MODIFIER_SYMBOL:
    case G_UNICODE_OPEN_PUNCTUATION:
    case G_UNICODE_OTHER_LETTER:
    case G_UNICODE_OTHER_NUMBER:
    case G_UNICODE_OTHER_PUNCTUATION:
    case G_UNICODE_OTHER_SYMBOL:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_SURROGATE:
    case G_UNICODE_TITLECASE_LETTER:
    case G_UNICODE_UNASSIGNED:
    case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_NON_SPACING_MARK:
    default:
      return c == 0x2212; /* MINUS SIGN */
    }
}

/*
 * _tirkeu_identifier_strip:
 * @text: what was typed, pasted or scanned; any bytes
 *
 * Drops separators (is_separator()). Bytes that are not UTF-8 become U+FFFD so that every
 * later step sees valid UTF-8 and an error message can name the character. Idempotent.
 *
 * Returns: (transfer full): the remaining characters
 */
char *
_tirkeu_identifier_strip (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  GString *stripped = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!is_separator (c))
        g_string_append_unichar (stripped, c);
    }

  return g_string_free (stripped, FALSE);
}

/**
 * tirkeu_iin_normalize:
 * @text: (nullable): an IIN or BIN as typed or pasted
 *
 * Removes the spaces, dashes and invisible characters people put between digits. Nothing
 * else is changed: a letter stays, so that validation can name it. Also right for a BIN.
 *
 * Returns: (transfer full): the normalized text (never %NULL)
 */
char *
tirkeu_iin_normalize (const char *text)
{
  return _tirkeu_identifier_strip (text);
}

/**
 * tirkeu_iin_compute_check_digit:
 * @digits: at least 11 ASCII digits (only the first 11 are read)
 *
 * The check digit d12 of an IIN or BIN: the sum of d_i * i for i = 1..11, mod 11; if that
 * is 10, the sum with the weights 3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2, mod 11; if that is 10
 * again, no check digit exists and the number is never issued.
 *
 * Returns: 0-9, or -1 when the number is never issued
 */
int
tirkeu_iin_compute_check_digit (const char *digits)
{
  static const int second_weights[11] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2 };
  int sum = 0;

  for (int i = 0; i < 11; i++)
    {
      g_return_val_if_fail (g_ascii_isdigit (digits[i]), -1);
      sum += (digits[i] - '0') * (i + 1);
    }
  if (sum % 11 != 10)
    return sum % 11;

  sum = 0;
  for (int i = 0; i < 11; i++)
    sum += (digits[i] - '0') * second_weights[i];
  if (sum % 11 != 10)
    return sum % 11;

  return -1;
}

typedef enum
{
  KIND_IIN,
  KIND_BIN,
} Kind;

/* Validates @normalized as an IIN or BIN (the same rules) and fills the error details. */
static gboolean
check_digits (Kind        kind,
              const char *normalized,
              guint      *error_position,
              gunichar   *error_character,
              GError    **error)
{
  glong length = g_utf8_strlen (normalized, -1);
  guint position = 1;
  int computed;

  if (length == 0)
    {
      g_set_error_literal (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_EMPTY,
                           kind == KIND_IIN
                           /* Translators: IIN: ЖСН / ИИН */
                           ? _("No IIN was entered.")
                           /* Translators: BIN: БСН / БИН */
                           : _("No BIN was entered."));
      return FALSE;
    }

  if (length != IIN_LENGTH)
    {
      g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_WRONG_LENGTH,
                   kind == KIND_IIN
                   /* Translators: IIN: ЖСН / ИИН; %ld is how many characters were entered */
                   ? ngettext ("An IIN has 12 digits, but %ld character was entered.",
                               "An IIN has 12 digits, but %ld characters were entered.",
                               length)
                   : ngettext ("A BIN has 12 digits, but %ld character was entered.",
                               "A BIN has 12 digits, but %ld characters were entered.",
                               length),
                   length);
      return FALSE;
    }

  for (const char *p = normalized; *p != '\0'; p = g_utf8_next_char (p), position++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x80 && g_ascii_isdigit ((char) c))
        continue;

      *error_position = position;
      *error_character = c;
      {
        char utf8[7] = { 0 };

        g_unichar_to_utf8 (c, utf8);
        g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_NOT_A_DIGIT,
                     kind == KIND_IIN
                     /* Translators: %u is a position (1-12), %s the character found there */
                     ? _("Character %u of the IIN, “%s”, is not a digit.")
                     : _("Character %u of the BIN, “%s”, is not a digit."),
                     position, utf8);
      }
      return FALSE;
    }

  computed = tirkeu_iin_compute_check_digit (normalized);
  if (computed < 0)
    {
      *error_position = IIN_LENGTH;
      *error_character = (gunichar) normalized[IIN_LENGTH - 1];
      g_set_error_literal (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_NEVER_ISSUED,
                           kind == KIND_IIN
                           ? _("No IIN is ever issued with these first 11 digits: "
                               "one of them is mistyped.")
                           : _("No BIN is ever issued with these first 11 digits: "
                               "one of them is mistyped."));
      return FALSE;
    }

  if (computed != normalized[IIN_LENGTH - 1] - '0')
    {
      *error_position = IIN_LENGTH;
      *error_character = (gunichar) normalized[IIN_LENGTH - 1];
      g_set_error_literal (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_CHECK_DIGIT,
                           kind == KIND_IIN
                           ? _("The IIN’s check digit (the last one) does not match the "
                               "others: a digit is mistyped.")
                           : _("The BIN’s check digit (the last one) does not match the "
                               "others: a digit is mistyped."));
      return FALSE;
    }

  return TRUE;
}

static guint
two_digits (const char *p)
{
  return (guint) (p[0] - '0') * 10 + (guint) (p[1] - '0');
}

/**
 * tirkeu_iin_parse:
 * @text: (nullable): an IIN as typed or pasted
 * @info: (out caller-allocates): what the IIN says; always initialised
 * @error: a %TIRKEU_INPUT_ERROR naming the problem
 *
 * Normalizes and validates an IIN (checks in this order: empty, length, each character a
 * digit, never issued, check digit), then decodes its hints: d7 1/2 is the 1800s, 3/4 the
 * 1900s, 5/6 the 2000s, odd male, even female; 0 or above 6 gives no century, no sex and no
 * date. Digits 1-6 give the birth date YYMMDD when it exists in that century (an
 * impossible date gives no hint and is not an error).
 *
 * Returns: %TRUE when the IIN is valid
 */
gboolean
tirkeu_iin_parse (const char     *text,
                  TirkeuIinInfo  *info,
                  GError        **error)
{
  g_autofree char *normalized = tirkeu_iin_normalize (text);
  int d7;

  g_return_val_if_fail (info != NULL, FALSE);

  memset (info, 0, sizeof *info);
  if (!check_digits (KIND_IIN, normalized, &info->error_position, &info->error_character,
                     error))
    return FALSE;

  memcpy (info->iin, normalized, IIN_LENGTH + 1);

  d7 = normalized[6] - '0';
  if (d7 >= 1 && d7 <= 6)
    {
      guint year, month, day;

      info->century = 1800 + 100 * (guint) ((d7 - 1) / 2);
      info->sex = (d7 % 2 == 1) ? TIRKEU_SEX_MALE : TIRKEU_SEX_FEMALE;

      year = info->century + two_digits (normalized);
      month = two_digits (normalized + 2);
      day = two_digits (normalized + 4);
      if (g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
        {
          info->birth_year = year;
          info->birth_month = month;
          info->birth_day = day;
        }
    }

  return TRUE;
}

/**
 * tirkeu_iin_is_valid:
 * @text: (nullable): an IIN as typed
 *
 * Returns: %TRUE if tirkeu_iin_parse() accepts @text
 */
gboolean
tirkeu_iin_is_valid (const char *text)
{
  TirkeuIinInfo info;

  return tirkeu_iin_parse (text, &info, NULL);
}

/**
 * tirkeu_bin_parse:
 * @text: (nullable): a BIN as typed or pasted
 * @current_year: the year that resolves the century of the registration year (the
 *   current year; 0 means today's)
 * @info: (out caller-allocates): what the BIN says; always initialised
 * @error: a %TIRKEU_INPUT_ERROR naming the problem
 *
 * Normalizes and validates a BIN with the same rules as an IIN, then decodes its hints:
 * digits 1-4 the registration YYMM (the year is 20YY unless that is after @current_year,
 * then 19YY; a month outside 1-12 gives no hint), d5 the entity type, d6 the office type.
 *
 * Returns: %TRUE when the BIN is valid
 */
gboolean
tirkeu_bin_parse (const char     *text,
                  guint           current_year,
                  TirkeuBinInfo  *info,
                  GError        **error)
{
  g_autofree char *normalized = tirkeu_iin_normalize (text);
  guint yy, month;

  g_return_val_if_fail (info != NULL, FALSE);

  memset (info, 0, sizeof *info);
  if (!check_digits (KIND_BIN, normalized, &info->error_position, &info->error_character,
                     error))
    return FALSE;

  memcpy (info->bin, normalized, IIN_LENGTH + 1);

  if (current_year == 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      current_year = (guint) g_date_time_get_year (now);
    }

  yy = two_digits (normalized);
  month = two_digits (normalized + 2);
  if (month >= 1 && month <= 12)
    {
      info->registration_year = (2000 + yy <= current_year) ? 2000 + yy : 1900 + yy;
      info->registration_month = month;
    }

  switch (normalized[4])
    {
    case '4':
      info->entity = TIRKEU_BIN_ENTITY_RESIDENT;
      break;
    case '5':
      info->entity = TIRKEU_BIN_ENTITY_NON_RESIDENT;
      break;
    case '6':
      info->entity = TIRKEU_BIN_ENTITY_INDIVIDUAL_ENTREPRENEUR;
      break;
    default:
      info->entity = TIRKEU_BIN_ENTITY_UNKNOWN;
      break;
    }

  switch (normalized[5])
    {
    case '0':
      info->office = TIRKEU_BIN_OFFICE_HEAD;
      break;
    case '1':
      info->office = TIRKEU_BIN_OFFICE_BRANCH;
      break;
    case '2':
      info->office = TIRKEU_BIN_OFFICE_REPRESENTATIVE;
      break;
    case '3':
      info->office = TIRKEU_BIN_OFFICE_PEASANT_FARM;
      break;
    default:
      info->office = TIRKEU_BIN_OFFICE_UNKNOWN;
      break;
    }

  return TRUE;
}

/**
 * tirkeu_bin_is_valid:
 * @text: (nullable): a BIN as typed
 *
 * Returns: %TRUE if tirkeu_bin_parse() accepts @text
 */
gboolean
tirkeu_bin_is_valid (const char *text)
{
  TirkeuBinInfo info;

  return tirkeu_bin_parse (text, 0, &info, NULL);
}

/**
 * tirkeu_iin_mask:
 * @text: (nullable): an IIN or BIN, valid or not
 *
 * The form that may appear in a log: the first 6 characters of the normalized text (the
 * birth date part, at most 6 characters), then always six '*', whatever the length, so
 * that neither digits 7-12 nor the length leak: `900101******`.
 *
 * Returns: (transfer full): the masked text
 */
char *
tirkeu_iin_mask (const char *text)
{
  g_autofree char *normalized = tirkeu_iin_normalize (text);
  const char *end = normalized;
  GString *masked;

  for (int i = 0; i < 6 && *end != '\0'; i++)
    end = g_utf8_next_char (end);

  masked = g_string_new_len (normalized, end - normalized);
  g_string_append (masked, "******");

  return g_string_free (masked, FALSE);
}

/**
 * tirkeu_sex_to_string:
 * @sex: a sex hint
 *
 * Returns: a stable name for machine output: "male", "female" or "unknown"
 */
const char *
tirkeu_sex_to_string (TirkeuSex sex)
{
  switch (sex)
    {
    case TIRKEU_SEX_MALE:
      return "male";
    case TIRKEU_SEX_FEMALE:
      return "female";
    case TIRKEU_SEX_UNKNOWN:
    default:
      return "unknown";
    }
}

/**
 * tirkeu_sex_get_label:
 * @sex: a sex hint
 *
 * Returns: the translated label
 */
const char *
tirkeu_sex_get_label (TirkeuSex sex)
{
  switch (sex)
    {
    case TIRKEU_SEX_MALE:
      return C_("sex", "male");
    case TIRKEU_SEX_FEMALE:
      return C_("sex", "female");
    case TIRKEU_SEX_UNKNOWN:
    default:
      return C_("sex", "not encoded");
    }
}

/**
 * tirkeu_bin_entity_to_string:
 * @entity: an entity type hint
 *
 * Returns: a stable name for machine output
 */
const char *
tirkeu_bin_entity_to_string (TirkeuBinEntity entity)
{
  switch (entity)
    {
    case TIRKEU_BIN_ENTITY_RESIDENT:
      return "resident";
    case TIRKEU_BIN_ENTITY_NON_RESIDENT:
      return "non-resident";
    case TIRKEU_BIN_ENTITY_INDIVIDUAL_ENTREPRENEUR:
      return "individual-entrepreneur";
    case TIRKEU_BIN_ENTITY_UNKNOWN:
    default:
      return "unknown";
    }
}

/**
 * tirkeu_bin_entity_get_label:
 * @entity: an entity type hint
 *
 * Returns: the translated label
 */
const char *
tirkeu_bin_entity_get_label (TirkeuBinEntity entity)
{
  switch (entity)
    {
    case TIRKEU_BIN_ENTITY_RESIDENT:
      /* Translators: BIN digit 5 = 4: резидент / резидент заңды тұлға */
      return _("resident legal entity");
    case TIRKEU_BIN_ENTITY_NON_RESIDENT:
      return _("non-resident legal entity");
    case TIRKEU_BIN_ENTITY_INDIVIDUAL_ENTREPRENEUR:
      /* Translators: BIN digit 5 = 6: ИП (совместного предпринимательства) */
      return _("individual entrepreneur");
    case TIRKEU_BIN_ENTITY_UNKNOWN:
    default:
      return _("not encoded");
    }
}

/**
 * tirkeu_bin_office_to_string:
 * @office: an office type hint
 *
 * Returns: a stable name for machine output
 */
const char *
tirkeu_bin_office_to_string (TirkeuBinOffice office)
{
  switch (office)
    {
    case TIRKEU_BIN_OFFICE_HEAD:
      return "head-office";
    case TIRKEU_BIN_OFFICE_BRANCH:
      return "branch";
    case TIRKEU_BIN_OFFICE_REPRESENTATIVE:
      return "representative-office";
    case TIRKEU_BIN_OFFICE_PEASANT_FARM:
      return "peasant-farm";
    case TIRKEU_BIN_OFFICE_UNKNOWN:
    default:
      return "unknown";
    }
}

/**
 * tirkeu_bin_office_get_label:
 * @office: an office type hint
 *
 * Returns: the translated label
 */
const char *
tirkeu_bin_office_get_label (TirkeuBinOffice office)
{
  switch (office)
    {
    case TIRKEU_BIN_OFFICE_HEAD:
      return _("head office");
    case TIRKEU_BIN_OFFICE_BRANCH:
      return _("branch");
    case TIRKEU_BIN_OFFICE_REPRESENTATIVE:
      return _("representative office");
    case TIRKEU_BIN_OFFICE_PEASANT_FARM:
      /* Translators: крестьянское (фермерское) хозяйство / шаруа (фермер) қожалығы */
      return _("peasant farm");
    case TIRKEU_BIN_OFFICE_UNKNOWN:
    default:
      return _("not encoded");
    }
}
