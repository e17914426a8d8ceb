/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-error.h"
#include "tirkeu-i18n.h"
#include "tirkeu-localized-text.h"

/* Slots, in the order of the contract's LocalizedText; UND holds a text whose language
 * nobody recorded (a journal row from before texts had languages). */
enum { SLOT_KK, SLOT_RU, SLOT_EN, SLOT_UND, N_SLOTS };

static const char * const slot_names[N_SLOTS] = { "kk", "ru", "en", "und" };

struct _TirkeuLocalizedText
{
  gatomicrefcount ref_count;
  char *texts[N_SLOTS];
};

G_DEFINE_BOXED_TYPE (TirkeuLocalizedText, tirkeu_localized_text,
                     tirkeu_localized_text_ref, tirkeu_localized_text_unref)

static int
slot_for_language (const char *language)
{
  if (language == NULL)
    return -1;
  /* "kk_KZ", "ru_RU.UTF-8" and the like name the same catalogue */
  for (int i = 0; i < N_SLOTS; i++)
    {
      gsize length = strlen (slot_names[i]);

      if (strncmp (language, slot_names[i], length) == 0
          && strchr ("_-.@", language[length]) != NULL)
        return i;
    }
  return -1;
}

/* An empty string is a text the portal did not give, not a text to show. */
static char *
dup_text (const char *text)
{
  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

/* @text in the slot of exactly @language ("kk", not "kk_KZ"); another language is ignored:
 * a later version may keep more. */
static void
set_exact (TirkeuLocalizedText *self,
           const char          *language,
           const char          *text)
{
  int slot = slot_for_language (language);

  if (slot >= 0 && g_str_equal (language, slot_names[slot]))
    {
      g_free (self->texts[slot]);
      self->texts[slot] = dup_text (text);
    }
}

static TirkeuLocalizedText *
localized_text_alloc (void)
{
  TirkeuLocalizedText *self = g_new0 (TirkeuLocalizedText, 1);

  g_atomic_ref_count_init (&self->ref_count);
  return self;
}

/**
 * tirkeu_localized_text_new:
 * @kk: (nullable): the text in Kazakh
 * @ru: (nullable): the text in Russian
 * @en: (nullable): the text in English
 *
 * A %NULL or empty text is a language the portal did not give.
 *
 * Returns: (transfer full): a new text
 */
TirkeuLocalizedText *
tirkeu_localized_text_new (const char *kk,
                           const char *ru,
                           const char *en)
{
  TirkeuLocalizedText *self = localized_text_alloc ();

  self->texts[SLOT_KK] = dup_text (kk);
  self->texts[SLOT_RU] = dup_text (ru);
  self->texts[SLOT_EN] = dup_text (en);
  return self;
}

/**
 * tirkeu_localized_text_new_undetermined:
 * @text: (nullable): a text in a language nobody recorded
 *
 * For what was stored as one string before texts had languages: every language falls back
 * to it, so a migrated journal shows what it showed before.
 *
 * Returns: (transfer full): a new text
 */
TirkeuLocalizedText *
tirkeu_localized_text_new_undetermined (const char *text)
{
  TirkeuLocalizedText *self = localized_text_alloc ();

  self->texts[SLOT_UND] = dup_text (text);
  return self;
}

/**
 * tirkeu_localized_text_ref:
 * @self: a text
 *
 * Returns: (transfer full): @self
 */
TirkeuLocalizedText *
tirkeu_localized_text_ref (TirkeuLocalizedText *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * tirkeu_localized_text_unref:
 * @self: (transfer full): a text
 */
void
tirkeu_localized_text_unref (TirkeuLocalizedText *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  for (int i = 0; i < N_SLOTS; i++)
    g_free (self->texts[i]);
  g_free (self);
}

/**
 * tirkeu_localized_text_get:
 * @self: a text
 * @language: "kk", "ru" or "en" (a locale name such as "kk_KZ" too)
 *
 * Returns: (transfer none) (nullable): the text in exactly @language, %NULL if the portal did
 *   not give it
 */
const char *
tirkeu_localized_text_get (const TirkeuLocalizedText *self,
                           const char                *language)
{
  int slot = slot_for_language (language);

  g_return_val_if_fail (self != NULL, NULL);

  if (slot < 0 || slot == SLOT_UND)
    return NULL;
  return self->texts[slot];
}

/**
 * tirkeu_localized_text_pick:
 * @self: (nullable): a text
 * @language: the language to show it in: "kk", "ru" or "en"
 *
 * The text to show a reader of @language. When the portal did not give that language, the
 * next best: for Kazakh, Russian (every reader in Kazakhstan reads it, the portal's English is
 * the last resort); for Russian, English before Kazakh; for English, Russian before Kazakh;
 * then a text of unrecorded language.
 *
 * Returns: (transfer none) (nullable): the text, %NULL if @self is %NULL or holds none
 */
const char *
tirkeu_localized_text_pick (const TirkeuLocalizedText *self,
                            const char                *language)
{
  static const int order[][N_SLOTS] = {
    [SLOT_KK] = { SLOT_KK, SLOT_RU, SLOT_EN, SLOT_UND },
    [SLOT_RU] = { SLOT_RU, SLOT_EN, SLOT_KK, SLOT_UND },
    [SLOT_EN] = { SLOT_EN, SLOT_RU, SLOT_KK, SLOT_UND },
  };
  int slot = slot_for_language (language);

  if (self == NULL)
    return NULL;
  if (slot < 0 || slot == SLOT_UND)
    slot = SLOT_EN;

  for (int i = 0; i < N_SLOTS; i++)
    if (self->texts[order[slot][i]] != NULL)
      return self->texts[order[slot][i]];

  return NULL;
}

/**
 * tirkeu_localized_text_pick_current:
 * @self: (nullable): a text
 *
 * tirkeu_localized_text_pick() for the interface language (tirkeu_i18n_get_language()) as it
 * is now: call it each time the text is drawn.
 *
 * Returns: (transfer none) (nullable): the text
 */
const char *
tirkeu_localized_text_pick_current (const TirkeuLocalizedText *self)
{
  return tirkeu_localized_text_pick (self, tirkeu_i18n_get_language ());
}

/**
 * tirkeu_localized_text_is_empty:
 * @self: (nullable): a text
 *
 * Returns: whether @self holds no text in any language
 */
gboolean
tirkeu_localized_text_is_empty (const TirkeuLocalizedText *self)
{
  return tirkeu_localized_text_pick (self, "en") == NULL;
}

/**
 * tirkeu_localized_text_equal:
 * @a: (nullable): a text
 * @b: (nullable): another
 *
 * Returns: whether both hold the same texts in the same languages (two %NULL are equal)
 */
gboolean
tirkeu_localized_text_equal (const TirkeuLocalizedText *a,
                             const TirkeuLocalizedText *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  for (int i = 0; i < N_SLOTS; i++)
    if (g_strcmp0 (a->texts[i], b->texts[i]) != 0)
      return FALSE;

  return TRUE;
}

/**
 * tirkeu_localized_text_to_variant:
 * @self: a text
 *
 * Returns: (transfer floating): a dictionary `a{ss}` from language ("kk", "ru", "en", "und")
 *   to text, with the languages @self has
 */
GVariant *
tirkeu_localized_text_to_variant (const TirkeuLocalizedText *self)
{
  GVariantBuilder builder;

  g_return_val_if_fail (self != NULL, NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (int i = 0; i < N_SLOTS; i++)
    if (self->texts[i] != NULL)
      g_variant_builder_add (&builder, "{ss}", slot_names[i], self->texts[i]);

  return g_variant_builder_end (&builder);
}

/**
 * tirkeu_localized_text_new_from_variant:
 * @variant: a dictionary `a{ss}` as tirkeu_localized_text_to_variant() makes
 * @error: a %TIRKEU_INPUT_ERROR_INVALID error for another type
 *
 * Languages other than kk, ru, en and und are ignored: a later version may keep more.
 *
 * Returns: (transfer full) (nullable): the text, %NULL on error
 */
TirkeuLocalizedText *
tirkeu_localized_text_new_from_variant (GVariant  *variant,
                                        GError   **error)
{
  g_autoptr(TirkeuLocalizedText) self = NULL;
  GVariantIter iter;
  const char *language, *text;

  g_return_val_if_fail (variant != NULL, NULL);

  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE ("a{ss}")))
    {
      g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                   "A localized text is an a{ss}, not %s", g_variant_get_type_string (variant));
      return NULL;
    }

  self = localized_text_alloc ();
  g_variant_iter_init (&iter, variant);
  while (g_variant_iter_next (&iter, "{&s&s}", &language, &text))
    set_exact (self, language, text);

  return g_steal_pointer (&self);
}

/**
 * tirkeu_localized_text_serialize:
 * @self: a text
 *
 * Returns: (transfer full): @self as GVariant text (`{'kk': '…', 'ru': '…'}`), for a
 *   journal column
 */
char *
tirkeu_localized_text_serialize (const TirkeuLocalizedText *self)
{
  g_autoptr(GVariant) variant = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  variant = g_variant_ref_sink (tirkeu_localized_text_to_variant (self));
  return g_variant_print (variant, FALSE);
}

/* A quoted string of the GVariant text format without any backslash: its bytes, as they are
 * (@p moves past its closing quote). */
static gboolean
read_plain_string (const char  **p,
                   const char  **start,
                   gsize        *length)
{
  char quote = **p;
  const char *end;

  if (quote != '\'' && quote != '"')
    return FALSE;
  *start = *p + 1;
  for (end = *start; *end != quote; end++)
    if (*end == '\0' || *end == '\\')
      return FALSE;
  *length = (gsize) (end - *start);
  *p = end + 1;
  return g_utf8_validate_len (*start, *length, NULL);
}

/* What tirkeu_localized_text_serialize() writes when no text needs an escape, `{'kk': '…',
 * 'ru': '…'}`, read as g_variant_parse() reads it, at a fraction of its cost: a journal's
 * record holds several texts, and a list of 100,000 requests reads them all. Anything else
 * (an escape, another spacing, damage): %NULL, and g_variant_parse() judges it. */
static TirkeuLocalizedText *
deserialize_plain (const char *text)
{
  g_autoptr(TirkeuLocalizedText) self = localized_text_alloc ();
  const char *p = text;

  if (*p++ != '{')
    return NULL;
  if (*p != '}')
    for (;;)
      {
        const char *key, *value;
        gsize key_length, value_length;
        g_autofree char *language = NULL;
        g_autofree char *content = NULL;

        if (!read_plain_string (&p, &key, &key_length) || *p++ != ':' || *p++ != ' '
            || !read_plain_string (&p, &value, &value_length))
          return NULL;
        language = g_strndup (key, key_length);
        content = g_strndup (value, value_length);
        set_exact (self, language, content);
        if (*p == '}')
          break;
        if (*p++ != ',' || *p++ != ' ')
          return NULL;
      }
  if (*++p != '\0')
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * tirkeu_localized_text_deserialize:
 * @text: what tirkeu_localized_text_serialize() wrote
 * @error: a %TIRKEU_INPUT_ERROR_INVALID error for anything else
 *
 * Returns: (transfer full) (nullable): the text, %NULL on error
 */
TirkeuLocalizedText *
tirkeu_localized_text_deserialize (const char  *text,
                                   GError     **error)
{
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GError) parse_error = NULL;
  TirkeuLocalizedText *plain;

  g_return_val_if_fail (text != NULL, NULL);

  plain = deserialize_plain (text);
  if (plain != NULL)
    return plain;

  variant = g_variant_parse (G_VARIANT_TYPE ("a{ss}"), text, NULL, NULL, &parse_error);
  if (variant == NULL)
    {
      g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                   "Not a stored localized text: %s", parse_error->message);
      return NULL;
    }

  return tirkeu_localized_text_new_from_variant (variant, error);
}

/**
 * tirkeu_localized_text_new_from_stored:
 * @stored: (nullable): a journal column: what tirkeu_localized_text_serialize() wrote, or a
 *   plain text written before texts had languages
 *
 * The journal's migration and its reader in one: a column that does not hold a serialized
 * text is an old single string, kept whole as a text of unrecorded language.
 *
 * Returns: (transfer full) (nullable): the text, %NULL for %NULL or ""
 */
TirkeuLocalizedText *
tirkeu_localized_text_new_from_stored (const char *stored)
{
  TirkeuLocalizedText *text;

  if (stored == NULL || *stored == '\0')
    return NULL;

  text = tirkeu_localized_text_deserialize (stored, NULL);
  return text != NULL ? text : tirkeu_localized_text_new_undetermined (stored);
}
