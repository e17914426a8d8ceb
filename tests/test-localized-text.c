/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-error.h"
#include "tirkeu-i18n.h"
#include "tirkeu-localized-text.h"

/* A portal text keeps every language and is picked at display time. */

static void
test_get_exact (void)
{
  g_autoptr(TirkeuLocalizedText) text =
    tirkeu_localized_text_new ("Астана қ., №1 ХҚКО", "ЦОН №1, г. Астана", "TsON No. 1, Astana");

  g_assert_cmpstr (tirkeu_localized_text_get (text, "kk"), ==, "Астана қ., №1 ХҚКО");
  g_assert_cmpstr (tirkeu_localized_text_get (text, "ru"), ==, "ЦОН №1, г. Астана");
  g_assert_cmpstr (tirkeu_localized_text_get (text, "en"), ==, "TsON No. 1, Astana");
  g_assert_cmpstr (tirkeu_localized_text_get (text, "kk_KZ.UTF-8"), ==, "Астана қ., №1 ХҚКО");
  g_assert_cmpstr (tirkeu_localized_text_get (text, "ru_RU"), ==, "ЦОН №1, г. Астана");
  /* "kkx" is not Kazakh, "und" is not a language one asks for */
  g_assert_null (tirkeu_localized_text_get (text, "kkx"));
  g_assert_null (tirkeu_localized_text_get (text, "und"));
  g_assert_null (tirkeu_localized_text_get (text, "de"));
  g_assert_false (tirkeu_localized_text_is_empty (text));
}

typedef struct
{
  const char *kk, *ru, *en, *und;
  const char *language;
  const char *expected;
} PickCase;

static const PickCase pick_cases[] = {
  { "kk", "ru", "en", NULL, "kk", "kk" },
  { "kk", "ru", "en", NULL, "ru", "ru" },
  { "kk", "ru", "en", NULL, "en", "en" },
  /* Kazakh missing: Russian, which every reader in Kazakhstan reads, before English */
  { NULL, "ru", "en", NULL, "kk", "ru" },
  { NULL, NULL, "en", NULL, "kk", "en" },
  /* Russian missing: English before Kazakh */
  { "kk", NULL, "en", NULL, "ru", "en" },
  { "kk", NULL, NULL, NULL, "ru", "kk" },
  { "kk", "ru", NULL, NULL, "en", "ru" },
  /* an empty string is a language the portal did not give */
  { "", "ru", "en", NULL, "kk", "ru" },
  /* an unknown language reads as English */
  { "kk", "ru", "en", NULL, "de", "en" },
  /* a migrated row: one text of unrecorded language serves every language */
  { NULL, NULL, NULL, "old", "kk", "old" },
  { NULL, NULL, NULL, "old", "ru", "old" },
  { NULL, NULL, NULL, NULL, "kk", NULL },
};

static void
test_pick (gconstpointer data)
{
  const PickCase *c = data;
  g_autoptr(TirkeuLocalizedText) text = NULL;

  if (c->und != NULL)
    text = tirkeu_localized_text_new_undetermined (c->und);
  else
    text = tirkeu_localized_text_new (c->kk, c->ru, c->en);

  g_assert_cmpstr (tirkeu_localized_text_pick (text, c->language), ==, c->expected);
  g_assert_true (tirkeu_localized_text_is_empty (text) == (c->expected == NULL));
}

static void
test_pick_current (void)
{
  g_autoptr(TirkeuLocalizedText) text = tirkeu_localized_text_new ("Қазақша", "По-русски", "English");

  /* The interface language as it is when the text is drawn, not when it was made */
  g_setenv ("LANGUAGE", "kk", TRUE);
  g_assert_cmpstr (tirkeu_localized_text_pick_current (text), ==, "Қазақша");
  g_setenv ("LANGUAGE", "ru", TRUE);
  g_assert_cmpstr (tirkeu_localized_text_pick_current (text), ==, "По-русски");
  g_setenv ("LANGUAGE", "en", TRUE);
  g_assert_cmpstr (tirkeu_localized_text_pick_current (text), ==, "English");
  g_assert_null (tirkeu_localized_text_pick_current (NULL));
}

static void
test_serialize_round_trip (void)
{
  const char *cases[][3] = {
    { "Сатып алушы «келісімдейді»", "Покупатель «согласовал»", "The buyer's 'approval'" },
    { NULL, "только ру", NULL },
    { "", "", "" },
    /* read without g_variant_parse(): one kind of quote inside the other */
    { "Ол «иә» деді", "Он сказал \"да\"", "The seller's" },
    { "{}", "a: b, c}", "'x': y, {" },
    /* escapes: read by g_variant_parse() */
    { "бір\nекі", "путь C:\\temp", "both ' and \"" },
    { "\tқойынды", "звонок\a", "{'kk': 'not a text'}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TirkeuLocalizedText) text = tirkeu_localized_text_new (cases[i][0], cases[i][1],
                                                                      cases[i][2]);
      g_autofree char *stored = tirkeu_localized_text_serialize (text);
      g_autoptr(GError) error = NULL;
      g_autoptr(TirkeuLocalizedText) back = tirkeu_localized_text_deserialize (stored, &error);

      g_assert_no_error (error);
      g_assert_true (tirkeu_localized_text_equal (text, back));
    }

  {
    g_autoptr(TirkeuLocalizedText) old = tirkeu_localized_text_new_undetermined ("as it was");
    g_autofree char *stored = tirkeu_localized_text_serialize (old);
    g_autoptr(TirkeuLocalizedText) back = tirkeu_localized_text_deserialize (stored, NULL);

    g_assert_true (tirkeu_localized_text_equal (old, back));
    g_assert_cmpstr (tirkeu_localized_text_pick (back, "kk"), ==, "as it was");
  }
}

static void
test_deserialize_bad (void)
{
  const char *bad[] = { "", "not a variant", "['kk', 'ru']", "{'kk': 5}", "{'kk': 'a'" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TirkeuLocalizedText) text = tirkeu_localized_text_deserialize (bad[i], &error);

      g_assert_null (text);
      g_assert_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID);
    }
}

static void
test_unknown_languages_ignored (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuLocalizedText) text =
    tirkeu_localized_text_deserialize ("{'de': 'Deutsch', 'ru': 'русский', 'kkk': 'x'}", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (tirkeu_localized_text_pick (text, "ru"), ==, "русский");
  g_assert_cmpstr (tirkeu_localized_text_pick (text, "kk"), ==, "русский");
  g_assert_null (tirkeu_localized_text_get (text, "kk"));
}

/* The journal's column holds either form; an old plain string survives whole */
static void
test_from_stored (void)
{
  g_autoptr(TirkeuLocalizedText) three = tirkeu_localized_text_new ("ХҚКО №1", "ЦОН №1", "TsON 1");
  g_autofree char *stored = tirkeu_localized_text_serialize (three);
  g_autoptr(TirkeuLocalizedText) back = tirkeu_localized_text_new_from_stored (stored);
  g_autoptr(TirkeuLocalizedText) old = tirkeu_localized_text_new_from_stored ("ЦОН №1, г. Астана");
  g_autoptr(TirkeuLocalizedText) braces = tirkeu_localized_text_new_from_stored ("{не текст}");

  g_assert_true (tirkeu_localized_text_equal (three, back));
  g_assert_cmpstr (tirkeu_localized_text_pick (old, "kk"), ==, "ЦОН №1, г. Астана");
  g_assert_cmpstr (tirkeu_localized_text_pick (old, "en"), ==, "ЦОН №1, г. Астана");
  g_assert_null (tirkeu_localized_text_get (old, "ru"));
  g_assert_cmpstr (tirkeu_localized_text_pick (braces, "ru"), ==, "{не текст}");
  g_assert_null (tirkeu_localized_text_new_from_stored (NULL));
  g_assert_null (tirkeu_localized_text_new_from_stored (""));
}

static void
test_equal (void)
{
  g_autoptr(TirkeuLocalizedText) a = tirkeu_localized_text_new ("a", "b", NULL);
  g_autoptr(TirkeuLocalizedText) b = tirkeu_localized_text_new ("a", "b", "");
  g_autoptr(TirkeuLocalizedText) c = tirkeu_localized_text_new ("a", "c", NULL);
  g_autoptr(TirkeuLocalizedText) d = tirkeu_localized_text_new_undetermined ("a");
  g_autoptr(TirkeuLocalizedText) e = tirkeu_localized_text_new ("a", NULL, NULL);

  g_assert_true (tirkeu_localized_text_equal (a, b));
  g_assert_false (tirkeu_localized_text_equal (a, c));
  g_assert_false (tirkeu_localized_text_equal (d, e));
  g_assert_false (tirkeu_localized_text_equal (a, NULL));
  g_assert_true (tirkeu_localized_text_equal (NULL, NULL));
}

static gpointer
unref_in_thread (gpointer data)
{
  tirkeu_localized_text_unref (data);
  return NULL;
}

static void
test_boxed_and_threads (void)
{
  TirkeuLocalizedText *text = tirkeu_localized_text_new ("kk", "ru", "en");
  TirkeuLocalizedText *copy = g_boxed_copy (TIRKEU_TYPE_LOCALIZED_TEXT, text);
  GThread *threads[4];

  g_assert_true (copy == text);  /* immutable: a copy is a reference */
  g_boxed_free (TIRKEU_TYPE_LOCALIZED_TEXT, copy);

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("unref", unref_in_thread, tirkeu_localized_text_ref (text));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpstr (tirkeu_localized_text_pick (text, "ru"), ==, "ru");
  tirkeu_localized_text_unref (text);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/localized-text/get", test_get_exact);
  for (guint i = 0; i < G_N_ELEMENTS (pick_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/localized-text/pick/%u", i);
      g_test_add_data_func (path, &pick_cases[i], test_pick);
    }
  g_test_add_func ("/localized-text/pick-current", test_pick_current);
  g_test_add_func ("/localized-text/serialize", test_serialize_round_trip);
  g_test_add_func ("/localized-text/deserialize-bad", test_deserialize_bad);
  g_test_add_func ("/localized-text/unknown-languages", test_unknown_languages_ignored);
  g_test_add_func ("/localized-text/equal", test_equal);
  g_test_add_func ("/localized-text/from-stored", test_from_stored);
  g_test_add_func ("/localized-text/boxed-threads", test_boxed_and_threads);

  return g_test_run ();
}
