/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The portal's texts in tirkeu-cli's output follow its language: `tirkeu-cli requests`
 * prints a refused request's reason, its TsON and the e-passport's colour, body type and
 * engine from the journal in the language of --language, or of LANGUAGE without it, from one
 * journal written by a sync (a portal answer mapped while the test itself runs in English). */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tirkeu-journal.h"
#include "tirkeu-portal-json.h"

#define LOCALIZED(kk, ru, en) "{\"kk\":\"" kk "\",\"ru\":\"" ru "\",\"en\":\"" en "\"}"
#define ENTRY(stage, at) \
  "{\"stage\":\"" stage "\",\"at\":\"" at "\",\"message\":" \
  LOCALIZED ("Портал хабарламасы", "Сообщение портала", "Portal message") "}"

static const char request_json[] =
  "{\"id\":\"KZ-2025-000888\",\"stage\":\"refused\",\"revision\":3,"
  "\"idempotency_key\":\"9a3e5d2c-41b7-4f0e-8c6d-2b1a0f9e8d7c\","
  "\"vin\":\"XW8ZZZ61ZJG123456\",\"buyer_iin\":\"900101300123\",\"contract_number\":\"DKP-77\","
  "\"seller_bin\":\"940140000385\",\"created_at\":\"2025-10-17T09:30:00Z\","
  "\"updated_at\":\"2025-10-18T11:00:00Z\",\"signing_payload\":\"eyJhIjoxfQ==\","
  "\"vehicle\":{\"make\":\"Toyota\",\"model\":\"Camry\",\"year\":2025,\"colour\":\"белый\","
  "\"colour_text\":" LOCALIZED ("ақ", "белый", "white") ","
  "\"body\":\"универсал повышенной проходимости\",\"body_text\":"
  LOCALIZED ("жол талғамайтын универсал", "универсал повышенной проходимости", "SUV") ","
  "\"engine\":\"1,5 л, бензин с турбонаддувом, 108 кВт\",\"engine_text\":"
  LOCALIZED ("1,5 л, бензин, турбоүрлеумен, 108 кВт", "1,5 л, бензин с турбонаддувом, 108 кВт",
             "1.5 l petrol, turbocharged, 108 kW") ","
  "\"category\":\"M1\"},"
  "\"buyer\":{\"iin\":\"900101300123\",\"full_name\":\"IVANOV IVAN\"},"
  "\"contract\":{\"number\":\"DKP-77\",\"date\":\"2025-10-16\",\"price\":\"12500000.00\","
  "\"currency\":\"KZT\",\"seller\":{\"bin\":\"940140000385\",\"name\":\"AVTO LLP\"},"
  "\"buyer\":{\"iin\":\"900101300123\",\"full_name\":\"IVANOV IVAN\"}},"
  "\"history\":[" ENTRY ("draft", "2025-10-17T09:30:00Z") ","
  ENTRY ("contract_found", "2025-10-17T09:30:00Z") ","
  ENTRY ("signed", "2025-10-17T09:31:00Z") "," ENTRY ("submitted", "2025-10-17T09:31:00Z") ","
  ENTRY ("awaiting_buyer", "2025-10-17T09:31:00Z") ","
  ENTRY ("buyer_approved", "2025-10-17T10:00:00Z") ","
  ENTRY ("tson_chosen", "2025-10-17T11:00:00Z") ","
  ENTRY ("buyer_signed", "2025-10-18T09:00:00Z") ","
  ENTRY ("processing", "2025-10-18T09:05:00Z") "," ENTRY ("refused", "2025-10-18T11:00:00Z") "],"
  "\"refusal\":{\"code\":\"INTERNAL\",\"step\":19,\"reason\":"
  LOCALIZED ("Көлік құралы іздеуде тұр", "Транспортное средство числится в розыске",
             "The vehicle is on the wanted list") "},"
  "\"tson\":{\"code\":\"TSON-01\",\"name\":"
  LOCALIZED ("Астана қаласы бойынша №1 ХҚКО", "ЦОН №1 по городу Астана", "TsON No. 1 of Astana")
  ",\"address\":" LOCALIZED ("Сығанақ к-сі, 24", "ул. Сыганак, 24", "24 Syganak St") "},"
  "\"plate_type\":\"standard\"}";

typedef struct
{
  const char *name;
  const char *environment_language;
  const char *option_language;  /* --language, or NULL */
  const char *reason;
  const char *tson;
  const char *absent;           /* another language's reason */
  const char *colour;           /* the e-passport's colour, body and engine */
  const char *body;
  const char *engine;
  const char *absent_vehicle;   /* another language's body type */
} Case;

#define KK_VEHICLE "ақ", "жол талғамайтын универсал", "1,5 л, бензин, турбоүрлеумен, 108 кВт"
#define RU_VEHICLE "белый", "универсал повышенной проходимости", \
                   "1,5 л, бензин с турбонаддувом, 108 кВт"

static const Case cases[] = {
  { "kk-option", "en", "kk", "Көлік құралы іздеуде тұр",
    "Астана қаласы бойынша №1 ХҚКО, Сығанақ к-сі, 24", "числится в розыске",
    KK_VEHICLE, "повышенной проходимости" },
  { "ru-option", "kk", "ru", "Транспортное средство числится в розыске",
    "ЦОН №1 по городу Астана, ул. Сыганак, 24", "іздеуде тұр",
    RU_VEHICLE, "жол талғамайтын" },
  { "ru-environment", "ru", NULL, "Транспортное средство числится в розыске",
    "ЦОН №1 по городу Астана, ул. Сыганак, 24", "wanted list",
    RU_VEHICLE, "SUV" },
  { "kk-environment", "kk", NULL, "Көлік құралы іздеуде тұр",
    "Астана қаласы бойынша №1 ХҚКО, Сығанақ к-сі, 24", "wanted list",
    KK_VEHICLE, "SUV" },
  { "en-option", "ru", "en", "The vehicle is on the wanted list",
    "TsON No. 1 of Astana, 24 Syganak St", "числится в розыске",
    "white", "SUV", "1.5 l petrol, turbocharged, 108 kW", "повышенной проходимости" },
};

static void
write_journal (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = tirkeu_portal_json_parse (request_json, strlen (request_json),
                                                       &error);
  g_autoptr(TirkeuRequest) request = NULL;
  g_autoptr(TirkeuJournal) journal = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_no_error (error);
  request = tirkeu_portal_json_to_request (json_node_get_object (root), NULL, NULL, &error);
  g_assert_no_error (error);
  g_ptr_array_add (batch, g_steal_pointer (&request));
  journal = tirkeu_journal_new_sync (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (tirkeu_journal_upsert_requests_sync (journal, batch, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_requests_language (gconstpointer data)
{
  const Case *c = data;
  const char *build_root = g_getenv ("TIRKEU_BUILD_ROOT");
  g_autofree char *cli = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *tson = NULL;
  g_autofree char *colour = NULL;
  g_autofree char *body = NULL;
  g_autofree char *engine = NULL;

  g_assert_nonnull (build_root);
  write_journal ();

  cli = g_build_filename (build_root, "src", "cli", "tirkeu-cli", NULL);
  g_ptr_array_add (argv, cli);
  if (c->option_language != NULL)
    {
      g_ptr_array_add (argv, (char *) "--language");
      g_ptr_array_add (argv, (char *) c->option_language);
    }
  g_ptr_array_add (argv, (char *) "requests");
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", c->environment_language, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  /* the journal this test wrote: the isolated data folder is the child's too */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", out, err);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  reason = g_strdup_printf (": %s\n", c->reason);
  tson = g_strdup_printf (": %s\n", c->tson);
  g_assert_nonnull (strstr (out, reason));
  g_assert_nonnull (strstr (out, tson));
  g_assert_null (strstr (out, c->absent));

  /* the e-passport's details, a line each, in the same language */
  colour = g_strdup_printf (": %s\n", c->colour);
  body = g_strdup_printf (": %s\n", c->body);
  engine = g_strdup_printf (": %s\n", c->engine);
  g_assert_nonnull (strstr (out, colour));
  g_assert_nonnull (strstr (out, body));
  g_assert_nonnull (strstr (out, engine));
  g_assert_null (strstr (out, c->absent_vehicle));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli-portal-texts/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_requests_language);
    }

  return g_test_run ();
}
