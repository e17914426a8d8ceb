/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tirkeu-error.h"
#include "tirkeu-identifier-private.h"
#include "tirkeu-vin.h"

#define VIN_LENGTH 17

/* ISO 3779: the characters of a VIN in ISO 3780's order of second WMI characters; I, O and
 * Q are left out so as not to be read as 1, 0 and 9. */
static const char vin_alphabet[] = "ABCDEFGHJKLMNPRSTUVWXYZ1234567890";

/* Model-year codes of position 10 in the order of the 30-year cycle, 1980 first: no I, O,
 * Q (not in the alphabet), U, Z or 0 (ISO 3779 and 49 CFR 565.15). */
static const char year_codes[] = "ABCDEFGHJKLMNPRSTVWXY123456789";

/**
 * tirkeu_vin_transliterate:
 * @c: a character
 *
 * ISO 3779 (and 49 CFR 565.15) values for the check digit: digits are themselves; A1 B2 C3
 * D4 E5 F6 G7 H8 J1 K2 L3 M4 N5 P7 R9 S2 T3 U4 V5 W6 X7 Y8 Z9.
 *
 * Returns: the value 0-9, or -1 when @c is not a VIN character
 */
int
tirkeu_vin_transliterate (char c)
{
  static const signed char letters[26] = {
    /* A  B  C  D  E  F  G  H   I  J  K  L  M  N   O  P   Q  R  S  T  U  V  W  X  Y  Z */
       1, 2, 3, 4, 5, 6, 7, 8, -1, 1, 2, 3, 4, 5, -1, 7, -1, 9, 2, 3, 4, 5, 6, 7, 8, 9,
  };

  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'Z')
    return letters[c - 'A'];
  return -1;
}

/**
 * tirkeu_vin_compute_check_digit:
 * @vin: 17 characters
 *
 * Sum of the transliterated values times the weights 8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2,
 * mod 11, 10 written as X. Position 9 has weight 0, so its content does not matter.
 *
 * Returns: '0'-'9' or 'X'; '\0' when a character other than position 9 is not a VIN
 *   character or @vin is shorter than 17
 */
char
tirkeu_vin_compute_check_digit (const char *vin)
{
  static const int weights[VIN_LENGTH] = { 8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2 };
  int sum = 0;

  for (int i = 0; i < VIN_LENGTH; i++)
    {
      int value;

      if (vin[i] == '\0')
        return '\0';
      if (i == 8)
        continue;
      value = tirkeu_vin_transliterate (vin[i]);
      if (value < 0)
        return '\0';
      sum += value * weights[i];
    }

  return (sum % 11 == 10) ? 'X' : (char) ('0' + sum % 11);
}

/**
 * tirkeu_vin_normalize:
 * @text: (nullable): a VIN as typed, pasted or scanned
 *
 * Drops spaces, dashes and invisible characters (anywhere, which also trims), turns ASCII
 * letters to capitals, then drops the leading "I" of an 18-character barcode scan (the
 * Code 39 import flag). Other characters stay, so that validation can name them.
 * Idempotent.
 *
 * Returns: (transfer full): the normalized text (never %NULL)
 */
char *
tirkeu_vin_normalize (const char *text)
{
  g_autofree char *stripped = _tirkeu_identifier_strip (text);
  char *upper = g_ascii_strup (stripped, -1);

  if (upper[0] == 'I' && g_utf8_strlen (upper, -1) == VIN_LENGTH + 1)
    memmove (upper, upper + 1, strlen (upper));

  return upper;
}

/* The Russian ЙЦУКЕН layout over the Latin QWERTY keys: what each Latin letter's key types
 * while the Russian layout is on. Digits are the same in both layouts. */
static const struct
{
  gunichar cyrillic;
  char     latin;
} russian_layout[] = {
  { 0x0444, 'A' }, /* ф */ { 0x0438, 'B' }, /* и */ { 0x0441, 'C' }, /* с */
  { 0x0432, 'D' }, /* в */ { 0x0443, 'E' }, /* у */ { 0x0430, 'F' }, /* а */
  { 0x043f, 'G' }, /* п */ { 0x0440, 'H' }, /* р */ { 0x0448, 'I' }, /* ш */
  { 0x043e, 'J' }, /* о */ { 0x043b, 'K' }, /* л */ { 0x0434, 'L' }, /* д */
  { 0x044c, 'M' }, /* ь */ { 0x0442, 'N' }, /* т */ { 0x0449, 'O' }, /* щ */
  { 0x0437, 'P' }, /* з */ { 0x0439, 'Q' }, /* й */ { 0x043a, 'R' }, /* к */
  { 0x044b, 'S' }, /* ы */ { 0x0435, 'T' }, /* е */ { 0x0433, 'U' }, /* г */
  { 0x043c, 'V' }, /* м */ { 0x0446, 'W' }, /* ц */ { 0x0447, 'X' }, /* ч */
  { 0x043d, 'Y' }, /* н */ { 0x044f, 'Z' }, /* я */
};

/**
 * tirkeu_vin_from_russian_layout:
 * @text: (nullable): text as typed or scanned
 *
 * Reads @text as keys of a Latin VIN pressed while the Russian (ЙЦУКЕН) keyboard layout was
 * on: "ЧЕФ210743Ы0000120" is "XTA210743S0000120". A barcode scanner types through the
 * keyboard layout, so a VIN scanned with the Russian layout on arrives so. Each Cyrillic
 * letter on a Latin letter's key, in either case, becomes that capital Latin letter; other
 * characters (digits, spaces) stay.
 *
 * Returns: (transfer full) (nullable): the text read in the Latin layout, or %NULL when
 *   @text has no such letter, or has another non-ASCII character (then it was not typed so)
 */
char *
tirkeu_vin_from_russian_layout (const char *text)
{
  g_autoptr(GString) latin = NULL;
  gboolean converted = FALSE;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;

  latin = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gunichar lower = g_unichar_tolower (c);
      gboolean found = FALSE;

      if (c < 0x80)
        {
          g_string_append_c (latin, (char) c);
          continue;
        }
      for (gsize i = 0; i < G_N_ELEMENTS (russian_layout); i++)
        if (russian_layout[i].cyrillic == lower)
          {
            g_string_append_c (latin, russian_layout[i].latin);
            found = converted = TRUE;
            break;
          }
      if (!found)
        return NULL;
    }

  return converted ? g_string_free (g_steal_pointer (&latin), FALSE) : NULL;
}

static TirkeuVinRegion
region_for (char first)
{
  if (first >= 'A' && first <= 'H')
    return TIRKEU_VIN_REGION_AFRICA;
  if (first >= 'J' && first <= 'R')
    return TIRKEU_VIN_REGION_ASIA;
  if (first >= 'S' && first <= 'Z')
    return TIRKEU_VIN_REGION_EUROPE;
  if (first >= '1' && first <= '5')
    return TIRKEU_VIN_REGION_NORTH_AMERICA;
  if (first == '6' || first == '7')
    return TIRKEU_VIN_REGION_OCEANIA;
  if (first == '8' || first == '9' || first == '0')
    return TIRKEU_VIN_REGION_SOUTH_AMERICA;
  return TIRKEU_VIN_REGION_UNKNOWN;
}

/* ISO 3780 country ranges of the first two WMI characters, as assigned by SAE International
 * and published with the standard (the widely reproduced table). A range runs in
 * vin_alphabet order of the second character: "KS-K0" is KS..KZ, K1..K9, K0. Codes
 * between the ranges are not assigned. */
typedef struct
{
  char        first;
  char        from;
  char        to;
  const char *country_code;
  const char *country_name;
} CountryRange;

static const CountryRange country_ranges[] = {
  { 'A', 'A', 'H', "ZA", N_("South Africa") },
  { 'A', 'J', 'N', "CI", N_("Côte d’Ivoire") },
  { 'B', 'A', 'E', "AO", N_("Angola") },
  { 'B', 'F', 'K', "KE", N_("Kenya") },
  { 'B', 'L', 'R', "TZ", N_("Tanzania") },
  { 'C', 'A', 'E', "BJ", N_("Benin") },
  { 'C', 'F', 'K', "MG", N_("Madagascar") },
  { 'C', 'L', 'R', "TN", N_("Tunisia") },
  { 'D', 'A', 'E', "EG", N_("Egypt") },
  { 'D', 'F', 'K', "MA", N_("Morocco") },
  { 'D', 'L', 'R', "ZM", N_("Zambia") },
  { 'E', 'A', 'E', "ET", N_("Ethiopia") },
  { 'E', 'F', 'K', "MZ", N_("Mozambique") },
  { 'F', 'A', 'E', "GH", N_("Ghana") },
  { 'F', 'F', 'K', "NG", N_("Nigeria") },
  { 'J', 'A', '0', "JP", N_("Japan") },
  { 'K', 'A', 'E', "LK", N_("Sri Lanka") },
  { 'K', 'F', 'K', "IL", N_("Israel") },
  { 'K', 'L', 'R', "KR", N_("South Korea") },
  /* Translators: Қазақстан / Казахстан */
  { 'K', 'S', '0', "KZ", N_("Kazakhstan") },
  { 'L', 'A', '0', "CN", N_("China") },
  { 'M', 'A', 'E', "IN", N_("India") },
  { 'M', 'F', 'K', "ID", N_("Indonesia") },
  { 'M', 'L', 'R', "TH", N_("Thailand") },
  { 'M', 'S', '0', "MM", N_("Myanmar") },
  { 'N', 'A', 'E', "IR", N_("Iran") },
  { 'N', 'F', 'K', "PK", N_("Pakistan") },
  { 'N', 'L', 'R', "TR", N_("Turkey") },
  { 'P', 'A', 'E', "PH", N_("Philippines") },
  { 'P', 'F', 'K', "SG", N_("Singapore") },
  { 'P', 'L', 'R', "MY", N_("Malaysia") },
  { 'R', 'A', 'E', "AE", N_("United Arab Emirates") },
  { 'R', 'F', 'K', "TW", N_("Taiwan") },
  { 'R', 'L', 'R', "VN", N_("Vietnam") },
  { 'R', 'S', '0', "SA", N_("Saudi Arabia") },
  { 'S', 'A', 'M', "GB", N_("United Kingdom") },
  { 'S', 'N', 'T', "DE", N_("Germany") },
  { 'S', 'U', 'Z', "PL", N_("Poland") },
  { 'S', '1', '4', "LV", N_("Latvia") },
  { 'T', 'A', 'H', "CH", N_("Switzerland") },
  { 'T', 'J', 'P', "CZ", N_("Czechia") },
  { 'T', 'R', 'V', "HU", N_("Hungary") },
  { 'T', 'W', '1', "PT", N_("Portugal") },
  { 'U', 'H', 'M', "DK", N_("Denmark") },
  { 'U', 'N', 'T', "IE", N_("Ireland") },
  { 'U', 'U', 'Z', "RO", N_("Romania") },
  { 'U', '5', '7', "SK", N_("Slovakia") },
  { 'V', 'A', 'E', "AT", N_("Austria") },
  { 'V', 'F', 'R', "FR", N_("France") },
  { 'V', 'S', 'W', "ES", N_("Spain") },
  { 'V', 'X', '2', "RS", N_("Serbia") },
  { 'V', '3', '5', "HR", N_("Croatia") },
  { 'V', '6', '0', "EE", N_("Estonia") },
  { 'W', 'A', '0', "DE", N_("Germany") },
  { 'X', 'A', 'E', "BG", N_("Bulgaria") },
  { 'X', 'F', 'K', "GR", N_("Greece") },
  { 'X', 'L', 'R', "NL", N_("Netherlands") },
  /* Translators: Ресей / Россия */
  { 'X', 'S', 'W', "RU", N_("Russia") },
  { 'X', 'X', '2', "LU", N_("Luxembourg") },
  { 'X', '3', '0', "RU", N_("Russia") },
  { 'Y', 'A', 'E', "BE", N_("Belgium") },
  { 'Y', 'F', 'K', "FI", N_("Finland") },
  { 'Y', 'L', 'R', "MT", N_("Malta") },
  { 'Y', 'S', 'W', "SE", N_("Sweden") },
  { 'Y', 'X', '2', "NO", N_("Norway") },
  { 'Y', '3', '5', "BY", N_("Belarus") },
  { 'Y', '6', '0', "UA", N_("Ukraine") },
  { 'Z', 'A', 'R', "IT", N_("Italy") },
  { 'Z', 'X', '2', "SI", N_("Slovenia") },
  { 'Z', '3', '5', "LT", N_("Lithuania") },
  { 'Z', '6', '0', "RU", N_("Russia") },
  { '1', 'A', '0', "US", N_("United States") },
  { '4', 'A', '0', "US", N_("United States") },
  { '5', 'A', '0', "US", N_("United States") },
  { '2', 'A', '0', "CA", N_("Canada") },
  { '3', 'A', 'W', "MX", N_("Mexico") },
  { '3', 'X', '7', "CR", N_("Costa Rica") },
  { '6', 'A', '0', "AU", N_("Australia") },
  { '7', 'A', '0', "NZ", N_("New Zealand") },
  { '8', 'A', 'E', "AR", N_("Argentina") },
  { '8', 'F', 'K', "CL", N_("Chile") },
  { '8', 'L', 'R', "EC", N_("Ecuador") },
  { '8', 'S', 'W', "PE", N_("Peru") },
  { '8', 'X', '2', "VE", N_("Venezuela") },
  { '9', 'A', 'E', "BR", N_("Brazil") },
  { '9', 'F', 'K', "CO", N_("Colombia") },
  { '9', 'L', 'R', "PY", N_("Paraguay") },
  { '9', 'S', 'W', "UY", N_("Uruguay") },
  { '9', 'X', '2', "TT", N_("Trinidad and Tobago") },
  { '9', '3', '9', "BR", N_("Brazil") },
};

/* Makers whose vehicles the desk sees most, by WMI (or by its first two characters when
 * a maker holds the whole pair). Only codes we are sure of: a wrong maker is worse than
 * none. A country here overrides the range table: GM Uzbekistan's XWB lies in the old
 * USSR range XS-XW.
 *
 * Kazakhstan's own assemblers (SaryarkaAvtoProm in Kostanay, Hyundai Trans Kazakhstan and
 * Astana Motors in Almaty, KAMAZ-Engineering in Kokshetau, Allur) mostly stamp the WMI of
 * the brand or of their own KS-K0 assignment; we found no published list of the latter
 * that we could verify, so they are not named here and such VINs decode to Kazakhstan
 * without a maker. */
typedef struct
{
  const char *wmi;
  const char *manufacturer;
  const char *country_code;
  const char *country_name;
} Maker;

static const Maker makers[] = {
  /* Japan */
  { "JT", "Toyota", NULL, NULL },
  { "JTH", "Lexus", NULL, NULL },
  { "JN", "Nissan", NULL, NULL },
  { "JHM", "Honda", NULL, NULL },
  { "JM", "Mazda", NULL, NULL },
  { "JF", "Subaru", NULL, NULL },
  { "JS", "Suzuki", NULL, NULL },
  { "JMB", "Mitsubishi", NULL, NULL },
  { "JA", "Isuzu", NULL, NULL },
  { "JYA", "Yamaha", NULL, NULL },
  /* South Korea */
  { "KMH", "Hyundai", NULL, NULL },
  { "KNA", "Kia", NULL, NULL },
  { "KNM", "Renault Samsung", NULL, NULL },
  { "KL", "GM Korea (Daewoo)", NULL, NULL },
  { "KPT", "SsangYong", NULL, NULL },
  /* China */
  { "LFV", "FAW-Volkswagen", NULL, NULL },
  { "LSV", "SAIC Volkswagen", NULL, NULL },
  { "LSG", "SAIC-GM", NULL, NULL },
  { "LVV", "Chery", NULL, NULL },
  { "LGW", "Great Wall (Haval)", NULL, NULL },
  { "LS5", "Changan", NULL, NULL },
  { "LGX", "BYD", NULL, NULL },
  { "LRW", "Tesla China", NULL, NULL },
  { "L6T", "Geely", NULL, NULL },
  /* Russia and Uzbekistan */
  { "XTA", "Lada (AvtoVAZ)", NULL, NULL },
  { "XTT", "UAZ", NULL, NULL },
  { "XTH", "GAZ", NULL, NULL },
  { "XTC", "KAMAZ", NULL, NULL },
  { "X7L", "Renault Russia", NULL, NULL },
  { "XW8", "Volkswagen Russia", NULL, NULL },
  { "XWE", "Avtotor (Kia, Hyundai)", NULL, NULL },
  { "Z94", "Hyundai Russia", NULL, NULL },
  { "Z8N", "Nissan Russia", NULL, NULL },
  /* Translators: Өзбекстан / Узбекистан */
  { "XWB", "UzAuto Motors (Chevrolet)", "UZ", N_("Uzbekistan") },
  /* Germany */
  { "WBA", "BMW", NULL, NULL },
  { "WBS", "BMW M", NULL, NULL },
  { "WDB", "Mercedes-Benz", NULL, NULL },
  { "WDD", "Mercedes-Benz", NULL, NULL },
  { "W1K", "Mercedes-Benz", NULL, NULL },
  { "WVW", "Volkswagen", NULL, NULL },
  { "WV1", "Volkswagen Commercial Vehicles", NULL, NULL },
  { "WV2", "Volkswagen Commercial Vehicles", NULL, NULL },
  { "WAU", "Audi", NULL, NULL },
  { "WP0", "Porsche", NULL, NULL },
  { "WP1", "Porsche", NULL, NULL },
  { "W0L", "Opel", NULL, NULL },
  { "WF0", "Ford Germany", NULL, NULL },
  { "WMA", "MAN", NULL, NULL },
  { "WMW", "MINI", NULL, NULL },
  /* Elsewhere in Europe and Turkey */
  { "VF1", "Renault", NULL, NULL },
  { "VF3", "Peugeot", NULL, NULL },
  { "VF7", "Citroën", NULL, NULL },
  { "ZFA", "Fiat", NULL, NULL },
  { "ZAR", "Alfa Romeo", NULL, NULL },
  { "ZFF", "Ferrari", NULL, NULL },
  { "SAL", "Land Rover", NULL, NULL },
  { "SAJ", "Jaguar", NULL, NULL },
  { "TMB", "Škoda", NULL, NULL },
  { "VSS", "SEAT", NULL, NULL },
  { "YV1", "Volvo", NULL, NULL },
  { "TRU", "Audi Hungary", NULL, NULL },
  { "NMT", "Toyota Turkey", NULL, NULL },
  { "NM0", "Ford Otosan", NULL, NULL },
  /* North America */
  { "1FA", "Ford", NULL, NULL },
  { "1FT", "Ford trucks", NULL, NULL },
  { "1G1", "Chevrolet", NULL, NULL },
  { "1GC", "Chevrolet trucks", NULL, NULL },
  { "1HG", "Honda USA", NULL, NULL },
  { "4T1", "Toyota USA", NULL, NULL },
  { "4JG", "Mercedes-Benz USA", NULL, NULL },
  { "5UX", "BMW USA", NULL, NULL },
  { "5YJ", "Tesla", NULL, NULL },
  { "2T1", "Toyota Canada", NULL, NULL },
  { "3VW", "Volkswagen Mexico", NULL, NULL },
  /* India, Thailand, Brazil */
  { "MA3", "Maruti Suzuki", NULL, NULL },
  { "MR0", "Toyota Thailand", NULL, NULL },
  { "9BW", "Volkswagen Brazil", NULL, NULL },
};

static int
alphabet_index (char c)
{
  const char *p = (c != '\0') ? strchr (vin_alphabet, c) : NULL;

  return p != NULL ? (int) (p - vin_alphabet) : -1;
}

static const CountryRange *
find_country (const char *vin)
{
  int second = alphabet_index (vin[1]);

  for (guint i = 0; i < G_N_ELEMENTS (country_ranges); i++)
    {
      const CountryRange *range = &country_ranges[i];

      if (range->first == vin[0]
          && second >= alphabet_index (range->from)
          && second <= alphabet_index (range->to))
        return range;
    }

  return NULL;
}

static const Maker *
find_maker (const char *vin)
{
  const Maker *best = NULL;

  /* The longest matching prefix wins: "JTH" (Lexus) over "JT" (Toyota). */
  for (guint i = 0; i < G_N_ELEMENTS (makers); i++)
    if (strncmp (vin, makers[i].wmi, strlen (makers[i].wmi)) == 0
        && (best == NULL || strlen (makers[i].wmi) > strlen (best->wmi)))
      best = &makers[i];

  return best;
}

/**
 * tirkeu_vin_decode_model_year:
 * @vin: a valid, normalized VIN
 * @current_year: the year that resolves the 30-year cycle; 0 means today's
 *
 * Position 10 codes the model year in a 30-year cycle: A = 1980, B = 1981, ... Y = 2000,
 * 1 = 2001, ... 9 = 2009, A = 2010 again, ... (no I, O, Q, U, Z or 0).
 *
 * - North American VINs (position 1 is 1-5): 49 CFR 565.15 fixes the cycle with position 7:
 *   a digit there means 1980-2009, a letter 2010-2039.
 * - Elsewhere position 7 carries no such meaning, so the rule is: the latest year of the
 *   cycle that is not after next year (@current_year + 1, as next year's models are sold
 *   from the summer before). With 2026, "T" is 2026, "V" 2027, "W" 1998, "A" 2010.
 *
 * Returns: the model year, or 0 when position 10 is not a year code
 */
guint
tirkeu_vin_decode_model_year (const char *vin,
                              guint       current_year)
{
  const char *code;
  guint year;

  if (vin == NULL || strlen (vin) < 10 || vin[9] == '\0')
    return 0;

  code = strchr (year_codes, vin[9]);
  if (code == NULL)
    return 0;

  year = 1980 + (guint) (code - year_codes);

  if (vin[0] >= '1' && vin[0] <= '5')
    {
      if (g_ascii_isdigit (vin[6]))
        return year;
      if (g_ascii_isupper (vin[6]))
        return year + 30;
      return 0;
    }

  if (current_year == 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      current_year = (guint) g_date_time_get_year (now);
    }

  if (year > current_year + 1)
    return year;  /* only possible before 2010: the first cycle is the only one */
  while (year + 30 <= current_year + 1)
    year += 30;

  return year;
}

static void
set_bad_character (GError  **error,
                   guint     position,
                   gunichar  c)
{
  char utf8[7] = { 0 };

  g_unichar_to_utf8 (c, utf8);

  if (c == 'I' || c == 'O' || c == 'Q')
    g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_BAD_CHARACTER,
                 /* Translators: %u is a position (1-17), %s the letter found there */
                 _("Character %u of the VIN, “%s”, is never used in a VIN: the letters I, O "
                   "and Q are left out so as not to be confused with 1, 0 and 9."),
                 position, utf8);
  else if (c >= 0x0400 && c <= 0x04FF)
    g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_BAD_CHARACTER,
                 _("Character %u of the VIN, “%s”, is a Cyrillic letter: a VIN uses Latin "
                   "letters only. Switch the keyboard to the Latin layout."),
                 position, utf8);
  else
    g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_BAD_CHARACTER,
                 _("Character %u of the VIN, “%s”, is not allowed: a VIN has only Latin "
                   "capital letters (without I, O and Q) and digits."),
                 position, utf8);
}

/**
 * tirkeu_vin_parse:
 * @text: (nullable): a VIN as typed, pasted or scanned
 * @current_year: resolves the model-year cycle (tirkeu_vin_decode_model_year()); 0: today's
 * @info: (out caller-allocates): what the VIN says; always initialised
 * @error: a %TIRKEU_INPUT_ERROR naming the problem
 *
 * Normalizes (tirkeu_vin_normalize()) and validates a VIN, in this order: empty, 17
 * characters, each character from the VIN alphabet (the error names the first bad one and
 * its position), then the check digit in position 9. A wrong check digit is an error for a
 * North American WMI (position 1 is 1-5), where it is mandatory; elsewhere it is advisory:
 * the VIN is valid and @info->check_digit_warning is set. On success @info also holds the
 * region, country and maker of the WMI and the model year.
 *
 * Returns: %TRUE when the VIN is valid (possibly with a check-digit warning)
 */
gboolean
tirkeu_vin_parse (const char     *text,
                  guint           current_year,
                  TirkeuVinInfo  *info,
                  GError        **error)
{
  g_autofree char *normalized = tirkeu_vin_normalize (text);
  const CountryRange *range;
  const Maker *maker;
  glong length;
  guint position = 1;

  g_return_val_if_fail (info != NULL, FALSE);

  memset (info, 0, sizeof *info);

  length = g_utf8_strlen (normalized, -1);
  if (length == 0)
    {
      g_set_error_literal (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_EMPTY,
                           _("No VIN was entered."));
      return FALSE;
    }

  if (length != VIN_LENGTH)
    {
      g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_WRONG_LENGTH,
                   /* Translators: %ld is how many characters were entered */
                   ngettext ("A VIN has 17 characters, but %ld was entered.",
                             "A VIN has 17 characters, but %ld were entered.",
                             length),
                   length);
      return FALSE;
    }

  for (const char *p = normalized; *p != '\0'; p = g_utf8_next_char (p), position++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x80 && tirkeu_vin_transliterate ((char) c) >= 0)
        continue;

      info->error_position = position;
      info->error_character = c;
      set_bad_character (error, position, c);
      return FALSE;
    }

  /* All 17 characters are ASCII from here on. */
  info->check_digit = normalized[8];
  info->computed_check_digit = tirkeu_vin_compute_check_digit (normalized);
  info->region = region_for (normalized[0]);
  info->north_american = (info->region == TIRKEU_VIN_REGION_NORTH_AMERICA);

  if (info->computed_check_digit != info->check_digit)
    {
      if (info->north_american)
        {
          info->error_position = 9;
          info->error_character = (gunichar) normalized[8];
          g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_CHECK_DIGIT,
                       /* Translators: %c are the characters found and expected */
                       _("The VIN’s check digit (character 9) is “%c” but the other characters "
                         "give “%c”: a character is mistyped."),
                       info->check_digit, info->computed_check_digit);
          return FALSE;
        }
      info->check_digit_warning = TRUE;
    }

  memcpy (info->vin, normalized, VIN_LENGTH + 1);

  range = find_country (normalized);
  maker = find_maker (normalized);
  if (range != NULL)
    {
      info->country_code = range->country_code;
      info->country_name = range->country_name;
    }
  if (maker != NULL)
    {
      info->manufacturer = maker->manufacturer;
      if (maker->country_code != NULL)
        {
          info->country_code = maker->country_code;
          info->country_name = maker->country_name;
        }
    }

  info->model_year = tirkeu_vin_decode_model_year (normalized, current_year);

  return TRUE;
}

/**
 * tirkeu_vin_is_valid:
 * @text: (nullable): a VIN as typed
 *
 * Returns: %TRUE if tirkeu_vin_parse() accepts @text (a check-digit warning still counts
 *   as valid)
 */
gboolean
tirkeu_vin_is_valid (const char *text)
{
  TirkeuVinInfo info;

  return tirkeu_vin_parse (text, 0, &info, NULL);
}

/**
 * tirkeu_vin_region_to_string:
 * @region: a region
 *
 * Returns: a stable name for machine output
 */
const char *
tirkeu_vin_region_to_string (TirkeuVinRegion region)
{
  switch (region)
    {
    case TIRKEU_VIN_REGION_AFRICA:
      return "africa";
    case TIRKEU_VIN_REGION_ASIA:
      return "asia";
    case TIRKEU_VIN_REGION_EUROPE:
      return "europe";
    case TIRKEU_VIN_REGION_NORTH_AMERICA:
      return "north-america";
    case TIRKEU_VIN_REGION_OCEANIA:
      return "oceania";
    case TIRKEU_VIN_REGION_SOUTH_AMERICA:
      return "south-america";
    case TIRKEU_VIN_REGION_UNKNOWN:
    default:
      return "unknown";
    }
}

/**
 * tirkeu_vin_region_get_label:
 * @region: a region
 *
 * Returns: the translated name
 */
const char *
tirkeu_vin_region_get_label (TirkeuVinRegion region)
{
  switch (region)
    {
    case TIRKEU_VIN_REGION_AFRICA:
      return _("Africa");
    case TIRKEU_VIN_REGION_ASIA:
      return _("Asia");
    case TIRKEU_VIN_REGION_EUROPE:
      return _("Europe");
    case TIRKEU_VIN_REGION_NORTH_AMERICA:
      return _("North America");
    case TIRKEU_VIN_REGION_OCEANIA:
      return _("Oceania");
    case TIRKEU_VIN_REGION_SOUTH_AMERICA:
      return _("South America");
    case TIRKEU_VIN_REGION_UNKNOWN:
    default:
      return _("unknown");
    }
}
