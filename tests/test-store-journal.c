/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "tirkeu-journal.h"
#include "tirkeu-request.h"
#include "tirkeu-search-key.h"
#include "tirkeu-vehicle.h"
#include "tirkeu-store-error.h"
#include "tirkeu-test-time.h"

/* The kill test's budget: rounds stop when either limit is reached. */
#define KILL_ROUNDS_MAX 150
#define KILL_SECONDS_MAX 12

/* ------------------------------------------------------------------------------------------ */
/* Helpers */

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static TirkeuJournal *
open_journal (const char  *path,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_journal_new_async (path, NULL, result_cb, &result);
  return tirkeu_journal_new_finish (wait_result (&result), error);
}

static char *
test_path (const char *name)
{
  return g_build_filename (g_get_user_data_dir (), "journal-test", name, NULL);
}

/* A request as the tracking code holds it; make names the request's group in the kill test
 * (stored in the queryable `make` column). The stage is reached as a portal sync reports
 * it, so the history holds the draft and that stage. */
static TirkeuRequest *
make_request (const char  *portal_id,
              TirkeuStage  stage,
              const char  *make)
{
  static const guint8 signature_der[] = { 0x30, 0x82, 0x01, 0x00, 0xde, 0xad };
  g_autoptr(GBytes) signature = g_bytes_new_static (signature_der, sizeof signature_der);
  g_autoptr(TirkeuVehicle) vehicle = tirkeu_vehicle_new ("XTA210990Y2766389");
  g_autoptr(GError) error = NULL;
  TirkeuRequest *request = tirkeu_request_new ();

  vehicle->make = g_strdup (make);
  vehicle->model = g_strdup ("Vesta");
  tirkeu_request_set_vehicle (request, vehicle);
  tirkeu_request_set_seller_bin (request, "180340021791");
  tirkeu_request_set_seller_name (request, "TOO Avto Test");
  tirkeu_request_set_buyer_iin (request, "900101300123");
  tirkeu_request_set_buyer_name (request, "Test Buyer");
  tirkeu_request_set_seller_signature (request, signature);
  if (portal_id != NULL)
    tirkeu_request_set_portal_id (request, portal_id);
  if (stage != TIRKEU_STAGE_DRAFT)
    {
      g_autoptr(TirkeuLocalizedText) message =
        tirkeu_localized_text_new ("Сатып алушының келісімін күтуде",
                                   "Ожидает согласования покупателя",
                                   "Awaiting the buyer's approval");

      g_assert_true (tirkeu_request_apply_portal_stage (request, stage, NULL, message, &error));
      g_assert_no_error (error);
    }

  return request;
}

/* The same request as it stood at @updated_at (microseconds since the epoch). */
static TirkeuRequest *
request_at (TirkeuRequest *request,
            gint64         updated_at)
{
  g_autoptr(GVariant) record = tirkeu_request_to_variant (request);
  g_autoptr(GVariant) changed = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict dict;
  TirkeuRequest *copy;

  g_variant_dict_init (&dict, record);
  g_variant_dict_insert (&dict, "updated-at", "x", updated_at);
  changed = g_variant_ref_sink (g_variant_dict_end (&dict));
  copy = tirkeu_request_new_from_variant (changed, &error);
  g_assert_no_error (error);

  return copy;
}

/* The same request with another idempotency key. */
static TirkeuRequest *
request_with_key (TirkeuRequest *request,
                  const char    *idempotency_key)
{
  g_autoptr(GVariant) record = tirkeu_request_to_variant (request);
  g_autoptr(GVariant) changed = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict dict;
  TirkeuRequest *copy;

  g_variant_dict_init (&dict, record);
  g_variant_dict_insert (&dict, "idempotency-key", "s", idempotency_key);
  changed = g_variant_ref_sink (g_variant_dict_end (&dict));
  copy = tirkeu_request_new_from_variant (changed, &error);
  g_assert_no_error (error);

  return copy;
}

static GPtrArray *
request_array (void)
{
  return g_ptr_array_new_with_free_func (g_object_unref);
}

static gint64
updated_usec (TirkeuRequest *request)
{
  return g_date_time_to_unix (tirkeu_request_get_updated_at (request)) * G_USEC_PER_SEC +
         g_date_time_get_microsecond (tirkeu_request_get_updated_at (request));
}

/* Equal in meaning: the order of a dictionary's entries (a vardict, the messages by
 * language) is not part of it, the order of an array (the history) is. */
static gboolean
variants_equivalent (GVariant *a,
                     GVariant *b)
{
  if (!g_variant_type_equal (g_variant_get_type (a), g_variant_get_type (b)))
    return FALSE;

  if (g_variant_is_of_type (a, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr(GVariant) inner_a = g_variant_get_variant (a);
      g_autoptr(GVariant) inner_b = g_variant_get_variant (b);

      return variants_equivalent (inner_a, inner_b);
    }

  if (g_variant_is_of_type (a, G_VARIANT_TYPE ("a{s*}")))
    {
      GVariantIter iter;
      const char *key;
      GVariant *value;

      if (g_variant_n_children (a) != g_variant_n_children (b))
        return FALSE;

      g_variant_iter_init (&iter, a);
      while (g_variant_iter_next (&iter, "{&s@*}", &key, &value))
        {
          g_autoptr(GVariant) owned = value;
          /* g_variant_lookup_value() unboxes a vardict's values: compare like with like */
          g_autoptr(GVariant) other = g_variant_lookup_value (b, key, NULL);

          if (g_variant_is_of_type (owned, G_VARIANT_TYPE_VARIANT))
            {
              value = g_variant_get_variant (owned);
              g_variant_unref (owned);
              owned = value;
            }

          if (other == NULL || !variants_equivalent (owned, other))
            return FALSE;
        }
      return TRUE;
    }

  if (g_variant_is_container (a))
    {
      if (g_variant_n_children (a) != g_variant_n_children (b))
        return FALSE;

      for (gsize i = 0; i < g_variant_n_children (a); i++)
        {
          g_autoptr(GVariant) child_a = g_variant_get_child_value (a, i);
          g_autoptr(GVariant) child_b = g_variant_get_child_value (b, i);

          if (!variants_equivalent (child_a, child_b))
            return FALSE;
        }
      return TRUE;
    }

  return g_variant_equal (a, b);
}

static void
assert_records_equal (GVariant *a,
                      GVariant *b);

static void
assert_requests_equal (TirkeuRequest *a,
                       TirkeuRequest *b)
{
  g_autoptr(GVariant) record_a = tirkeu_request_to_variant (a);
  g_autoptr(GVariant) record_b = tirkeu_request_to_variant (b);

  assert_records_equal (record_a, record_b);
}

static void
assert_records_equal (GVariant *a,
                      GVariant *b)
{
  if (!variants_equivalent (a, b))
    {
      g_autofree char *text_a = g_variant_print (a, TRUE);
      g_autofree char *text_b = g_variant_print (b, TRUE);

      g_error ("records differ:\n%s\n%s", text_a, text_b);
    }
}

static guint
file_mode (const char *path)
{
  struct stat st;

  g_assert_no_errno (g_lstat (path, &st));
  return st.st_mode & 07777;
}

static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                    NULL), ==, SQLITE_OK);
  return db;
}

static gint64
raw_int (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

static char *
raw_text (sqlite3    *db,
          const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return value;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
}

/* What migration 4 added, taken away again: the file as schema 3 left it. */
static void
raw_undo_migration_4 (sqlite3 *db)
{
  raw_exec (db, "DROP INDEX requests_buyer_deadline");
  raw_exec (db, "ALTER TABLE requests DROP COLUMN buyer_deadline");
}

static void
upsert (TirkeuJournal *journal,
        GPtrArray     *records,
        const char    *cursor,
        GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_journal_upsert_requests_async (journal, records, cursor, NULL, result_cb, &result);
  tirkeu_journal_upsert_requests_finish (journal, wait_result (&result), error);
}

static TirkeuRequest *
get_request (TirkeuJournal *journal,
             const char    *portal_id,
             GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_journal_get_request_async (journal, portal_id, NULL, result_cb, &result);
  return tirkeu_journal_get_request_finish (journal, wait_result (&result), error);
}

static char *
get_cursor (TirkeuJournal *journal)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *cursor;

  tirkeu_journal_get_cursor_async (journal, NULL, result_cb, &result);
  cursor = tirkeu_journal_get_cursor_finish (journal, wait_result (&result), &error);
  g_assert_no_error (error);

  return cursor;
}

/* ------------------------------------------------------------------------------------------ */
/* Open, migrate, reopen */

static void
test_open_default (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "tirkeu",
                                                "journal.sqlite3", NULL);
  g_autofree char *dir = g_path_get_dirname (expected);
  g_autofree char *journal_mode = NULL;
  TirkeuJournal *journal;
  sqlite3 *db;

  journal = open_journal (NULL, &error);
  g_assert_no_error (error);
  g_assert_true (TIRKEU_IS_JOURNAL (journal));
  g_assert_cmpstr (tirkeu_journal_get_path (journal), ==, expected);
  g_assert_cmpuint (file_mode (expected), ==, 0600);
  g_assert_cmpuint (file_mode (dir), ==, 0700);
  g_assert_finalize_object (journal);

  db = raw_open (expected);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==,
                   tirkeu_journal_get_schema_version ());
  journal_mode = raw_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                                "name IN ('drafts', 'draft_fields', 'outbox', 'requests', "
                                "'stage_history', 'meta')"), ==, 6);
  sqlite3_close (db);
}

static void
test_reopen (void)
{
  g_autofree char *path = test_path ("journal.sqlite3");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = request_array ();
  g_autoptr(TirkeuRequest) loaded = NULL;
  g_autofree char *cursor = NULL;
  TirkeuJournal *journal;

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  g_ptr_array_add (records, make_request ("R-1", TIRKEU_STAGE_AWAITING_BUYER, "Lada"));
  upsert (journal, records, "cursor-1", &error);
  g_assert_no_error (error);
  g_assert_finalize_object (journal);

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  loaded = get_request (journal, "R-1", &error);
  g_assert_no_error (error);
  assert_requests_equal (loaded, g_ptr_array_index (records, 0));
  cursor = get_cursor (journal);
  g_assert_cmpstr (cursor, ==, "cursor-1");
  g_assert_finalize_object (journal);
}

/* A journal of schema 2, written before the portal's texts had languages: its records
 * (format 1) and its history rows hold one plain string each. Migration 3 opens it with
 * nothing lost: every language shows the old string until the next sync. */
static void
test_migrate_plain_texts (void)
{
  g_autofree char *path = test_path ("schema2.sqlite3");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = request_array ();
  g_autoptr(TirkeuRequest) loaded = NULL;
  g_autoptr(GVariant) v1 = NULL;
  g_autofree char *message = NULL;
  TirkeuRequest *request;
  TirkeuJournal *journal;
  sqlite3 *db;

  /* a journal with one request, then taken back to what schema 2 wrote */
  journal = open_journal (path, &error);
  g_assert_no_error (error);
  request = make_request ("R-OLD", TIRKEU_STAGE_AWAITING_BUYER, "Lada");
  g_ptr_array_add (records, request);
  upsert (journal, records, NULL, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (journal);
  {
    g_autoptr(GVariant) record = tirkeu_request_to_variant (request);
    g_autoptr(GVariant) history = g_variant_lookup_value (record, "history", NULL);
    GVariantBuilder plain;
    GVariantDict dict;
    GVariantIter iter;
    const char *stage, *old_message, *actor;
    gint64 at;

    g_variant_builder_init (&plain, G_VARIANT_TYPE ("a(sxmss)"));
    g_variant_iter_init (&iter, history);
    while (g_variant_iter_next (&iter, "(&sxm&s&s)", &stage, &at, &old_message, &actor))
      g_variant_builder_add (&plain, "(sxmss)", stage, at,
                             old_message != NULL ? "Сатып алушыны күтуде" : NULL, actor);
    g_variant_dict_init (&dict, record);
    g_variant_dict_insert (&dict, "version", "u", 1);
    g_variant_dict_insert_value (&dict, "history", g_variant_builder_end (&plain));
    g_variant_dict_insert (&dict, "refusal-text", "s", "Нет данных");
    g_variant_dict_insert (&dict, "tson", "s", "ЦОН №1, Астана");
    v1 = g_variant_ref_sink (g_variant_dict_end (&dict));
  }
  db = raw_open (path);
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE requests SET record = ?1", -1, &stmt, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (G_BYTE_ORDER, ==, G_LITTLE_ENDIAN);
    sqlite3_bind_blob (stmt, 1, g_variant_get_data (v1), g_variant_get_size (v1),
                       SQLITE_TRANSIENT);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    sqlite3_finalize (stmt);
  }
  raw_exec (db, "UPDATE stage_history SET message = 'Сатып алушыны күтуде'"
                " WHERE message IS NOT NULL");
  raw_undo_migration_4 (db);
  raw_exec (db, "PRAGMA user_version = 2");
  sqlite3_close (db);

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  loaded = get_request (journal, "R-OLD", &error);
  g_assert_no_error (error);
  g_assert_finalize_object (journal);

  for (guint i = 0; i < 3; i++)
    {
      static const char * const languages[] = { "kk", "ru", "en" };
      GPtrArray *history = tirkeu_request_get_history (loaded);
      const TirkeuStageChange *last = g_ptr_array_index (history, history->len - 1);
      g_autofree char *tson = tirkeu_request_dup_tson_label (loaded, languages[i]);

      g_assert_cmpstr (tirkeu_localized_text_pick (last->message, languages[i]), ==,
                       "Сатып алушыны күтуде");
      g_assert_cmpstr (tirkeu_localized_text_pick (tirkeu_request_get_refusal_reason (loaded),
                                                   languages[i]), ==, "Нет данных");
      g_assert_cmpstr (tson, ==, "ЦОН №1, Астана");
    }

  /* the history's column says the same as the record: the old string, its language unrecorded */
  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, tirkeu_journal_get_schema_version ());
  message = raw_text (db, "SELECT message FROM stage_history WHERE message IS NOT NULL LIMIT 1");
  {
    g_autoptr(TirkeuLocalizedText) text = tirkeu_localized_text_deserialize (message, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (tirkeu_localized_text_pick (text, "ru"), ==, "Сатып алушыны күтуде");
    g_assert_null (tirkeu_localized_text_get (text, "kk"));
  }
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM stage_history WHERE message IS NULL"), >, 0);
  sqlite3_close (db);
}

/* Writes @record over every request's record, as an older build would have stored it. */
static void
raw_set_records (const char *path,
                 GVariant   *record)
{
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE requests SET record = ?1", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (G_BYTE_ORDER, ==, G_LITTLE_ENDIAN);
  sqlite3_bind_blob (stmt, 1, g_variant_get_data (record), g_variant_get_size (record),
                     SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* The e-passport's colour, body type and engine go into the journal in every language the
 * portal sent (contract 1.4) and come back so, for each language to be picked at display
 * time. A record written before (its vehicle has the plain strings only) loads without
 * loss: every language shows the e-passport's own spelling. */
static void
test_vehicle_texts (void)
{
  g_autofree char *path = test_path ("vehicle-texts.sqlite3");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = request_array ();
  g_autoptr(TirkeuRequest) loaded = NULL;
  g_autoptr(TirkeuRequest) old = NULL;
  g_autoptr(GVariant) previous = NULL;
  g_autoptr(TirkeuVehicle) vehicle = NULL;
  const TirkeuVehicle *back;
  TirkeuRequest *request;
  TirkeuJournal *journal;

  request = make_request ("R-V", TIRKEU_STAGE_AWAITING_BUYER, "Kia");
  vehicle = tirkeu_vehicle_copy (tirkeu_request_get_vehicle (request));
  vehicle->colour = g_strdup ("белый");
  vehicle->body_type = g_strdup ("универсал повышенной проходимости");
  vehicle->engine_model = g_strdup ("2,0 л, бензин, 110 кВт");
  vehicle->colour_text = tirkeu_localized_text_new ("ақ", "белый", "white");
  vehicle->body_type_text = tirkeu_localized_text_new ("жол талғамайтын универсал",
                                                       "универсал повышенной проходимости",
                                                       "SUV");
  vehicle->engine_text = tirkeu_localized_text_new ("2,0 л, бензин, 110 кВт",
                                                    "2,0 л, бензин, 110 кВт",
                                                    "2.0 l petrol, 110 kW");
  tirkeu_request_set_vehicle (request, vehicle);
  g_ptr_array_add (records, request);

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  upsert (journal, records, NULL, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (journal);

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  loaded = get_request (journal, "R-V", &error);
  g_assert_no_error (error);
  g_assert_finalize_object (journal);
  assert_requests_equal (loaded, request);
  back = tirkeu_request_get_vehicle (loaded);
  g_assert_true (tirkeu_vehicle_equal (back, vehicle));
  g_assert_cmpstr (tirkeu_vehicle_pick_colour (back, "kk"), ==, "ақ");
  g_assert_cmpstr (tirkeu_vehicle_pick_colour (back, "ru"), ==, "белый");
  g_assert_cmpstr (tirkeu_vehicle_pick_colour (back, "en"), ==, "white");
  g_assert_cmpstr (tirkeu_vehicle_pick_body_type (back, "kk"), ==, "жол талғамайтын универсал");
  g_assert_cmpstr (tirkeu_vehicle_pick_engine (back, "en"), ==, "2.0 l petrol, 110 kW");

  /* the record as the build before contract 1.4 wrote it: format 3, the vehicle's plain
   * strings only, keyed as they always were */
  {
    g_autoptr(GVariant) record = tirkeu_request_to_variant (request);
    GVariantDict old_vehicle;
    GVariantDict dict;

    g_variant_dict_init (&old_vehicle, NULL);
    g_variant_dict_insert (&old_vehicle, "vin", "s", "XTA210990Y2766389");
    g_variant_dict_insert (&old_vehicle, "make", "s", "Kia");
    g_variant_dict_insert (&old_vehicle, "model", "s", "Vesta");
    g_variant_dict_insert (&old_vehicle, "colour", "s", "белый");
    g_variant_dict_insert (&old_vehicle, "body-type", "s", "универсал повышенной проходимости");
    g_variant_dict_insert (&old_vehicle, "engine-model", "s", "2,0 л, бензин, 110 кВт");
    g_variant_dict_init (&dict, record);
    g_variant_dict_insert (&dict, "version", "u", 3);
    g_variant_dict_insert_value (&dict, "vehicle", g_variant_dict_end (&old_vehicle));
    previous = g_variant_ref_sink (g_variant_dict_end (&dict));
  }
  raw_set_records (path, previous);

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  old = get_request (journal, "R-V", &error);
  g_assert_no_error (error);
  g_assert_finalize_object (journal);
  back = tirkeu_request_get_vehicle (old);
  g_assert_null (back->colour_text);
  g_assert_null (back->body_type_text);
  g_assert_null (back->engine_text);
  for (guint i = 0; i < 3; i++)
    {
      static const char * const languages[] = { "kk", "ru", "en" };

      g_assert_cmpstr (tirkeu_vehicle_pick_colour (back, languages[i]), ==, "белый");
      g_assert_cmpstr (tirkeu_vehicle_pick_body_type (back, languages[i]), ==,
                       "универсал повышенной проходимости");
      g_assert_cmpstr (tirkeu_vehicle_pick_engine (back, languages[i]), ==,
                       "2,0 л, бензин, 110 кВт");
    }
}

/* The portal's buyer_deadline goes with the record and into its column; a later copy of the
 * request without one (the buyer signed) takes both away. */
static void
test_buyer_deadline (void)
{
  g_autofree char *path = test_path ("deadline.sqlite3");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = request_array ();
  g_autoptr(GPtrArray) later = request_array ();
  g_autoptr(GDateTime) deadline = g_date_time_new_utc (2027, 11, 23, 9, 31, 0);
  g_autoptr(TirkeuRequest) loaded = NULL;
  g_autoptr(TirkeuRequest) loaded_later = NULL;
  TirkeuRequest *request;
  TirkeuRequest *signed_copy;
  TirkeuJournal *journal;
  sqlite3 *db;

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  request = make_request ("R-DL", TIRKEU_STAGE_AWAITING_BUYER, "Lada");
  tirkeu_request_set_buyer_deadline (request, deadline);
  g_ptr_array_add (first, request);
  g_ptr_array_add (first, make_request ("R-NONE", TIRKEU_STAGE_AWAITING_BUYER, "Lada"));
  upsert (journal, first, NULL, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (journal);

  /* round trip, through a reopened file */
  journal = open_journal (path, &error);
  g_assert_no_error (error);
  loaded = get_request (journal, "R-DL", &error);
  g_assert_no_error (error);
  assert_requests_equal (loaded, request);
  g_assert_true (g_date_time_equal (tirkeu_request_get_buyer_deadline (loaded), deadline));

  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "SELECT buyer_deadline FROM requests WHERE portal_id = 'R-DL'"),
                   ==, g_date_time_to_unix (deadline) * G_USEC_PER_SEC);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM requests"
                                " WHERE portal_id = 'R-NONE' AND buyer_deadline IS NULL"), ==, 1);
  sqlite3_close (db);

  signed_copy = request_at (request, g_date_time_to_unix (tirkeu_request_get_updated_at (request))
                                     * G_USEC_PER_SEC + G_USEC_PER_SEC);
  tirkeu_request_set_buyer_deadline (signed_copy, NULL);
  g_ptr_array_add (later, signed_copy);
  upsert (journal, later, NULL, &error);
  g_assert_no_error (error);
  loaded_later = get_request (journal, "R-DL", &error);
  g_assert_no_error (error);
  g_assert_null (tirkeu_request_get_buyer_deadline (loaded_later));
  g_assert_finalize_object (journal);

  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM requests WHERE buyer_deadline IS NULL"),
                   ==, 2);
  sqlite3_close (db);
}

/* A journal of schema 3, whose records (format 2) have no deadline: migration 4 adds the
 * column, empty, and the records load without a deadline (none is made up); the next
 * version of a request brings its deadline into the column. */
static void
test_migrate_buyer_deadline (void)
{
  g_autofree char *path = test_path ("schema3.sqlite3");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = request_array ();
  g_autoptr(GPtrArray) later = request_array ();
  g_autoptr(GDateTime) deadline = g_date_time_new_utc (2027, 11, 23, 9, 31, 0);
  g_autoptr(TirkeuRequest) loaded = NULL;
  g_autoptr(GVariant) v2 = NULL;
  TirkeuRequest *request;
  TirkeuRequest *next;
  TirkeuJournal *journal;
  sqlite3 *db;

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  request = make_request ("R-3", TIRKEU_STAGE_AWAITING_BUYER, "Lada");
  g_ptr_array_add (records, request);
  upsert (journal, records, NULL, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (journal);

  /* taken back to what schema 3 wrote: a record of format 2, no column */
  {
    g_autoptr(GVariant) record = tirkeu_request_to_variant (request);
    GVariantDict dict;

    g_variant_dict_init (&dict, record);
    g_variant_dict_insert (&dict, "version", "u", 2);
    v2 = g_variant_ref_sink (g_variant_dict_end (&dict));
  }
  db = raw_open (path);
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE requests SET record = ?1", -1, &stmt, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (G_BYTE_ORDER, ==, G_LITTLE_ENDIAN);
    sqlite3_bind_blob (stmt, 1, g_variant_get_data (v2), g_variant_get_size (v2),
                       SQLITE_TRANSIENT);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    sqlite3_finalize (stmt);
  }
  raw_undo_migration_4 (db);
  raw_exec (db, "PRAGMA user_version = 3");
  sqlite3_close (db);

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  loaded = get_request (journal, "R-3", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tirkeu_request_get_portal_id (loaded), ==, "R-3");
  g_assert_null (tirkeu_request_get_buyer_deadline (loaded));

  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 4);
  g_assert_cmpint (tirkeu_journal_get_schema_version (), ==, 4);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM requests WHERE buyer_deadline IS NULL"),
                   ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_schema"
                                " WHERE name = 'requests_buyer_deadline'"), ==, 1);
  sqlite3_close (db);

  next = request_at (request, g_date_time_to_unix (tirkeu_request_get_updated_at (request))
                              * G_USEC_PER_SEC + G_USEC_PER_SEC);
  tirkeu_request_set_buyer_deadline (next, deadline);
  g_ptr_array_add (later, next);
  upsert (journal, later, NULL, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (journal);

  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "SELECT buyer_deadline FROM requests"), ==,
                   g_date_time_to_unix (deadline) * G_USEC_PER_SEC);
  sqlite3_close (db);
}

/* A file at user_version 0 (as a crash before the first migration leaves it) is migrated; one from a newer schema is refused and left untouched. */
static void
test_migrate (void)
{
  g_autofree char *path = test_path ("old.sqlite3");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  TirkeuJournal *journal;
  g_autofree char *newer = NULL;
  sqlite3 *db;

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  db = raw_open (path);
  raw_exec (db, "CREATE TABLE unrelated (x INTEGER)");
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 0);
  sqlite3_close (db);

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (journal);

  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==,
                   tirkeu_journal_get_schema_version ());
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM requests"), ==, 0);
  /* what was there is kept */
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM unrelated"), ==, 0);

  newer = g_strdup_printf ("PRAGMA user_version = %u", tirkeu_journal_get_schema_version () + 1);
  raw_exec (db, newer);
  sqlite3_close (db);

  journal = open_journal (path, &error);
  g_assert_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_MIGRATION);
  g_assert_null (journal);

  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==,
                   tirkeu_journal_get_schema_version () + 1);
  sqlite3_close (db);
}

static void
test_not_a_journal (void)
{
  g_autofree char *path = test_path ("garbage.sqlite3");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *garbage = g_strnfill (8192, 'x');
  TirkeuJournal *journal;

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  g_assert_true (g_file_set_contents (path, garbage, -1, NULL));

  journal = open_journal (path, &error);
  g_assert_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_CORRUPT);
  g_assert_null (journal);
}

static GPtrArray *
list_requests (TirkeuJournal *journal)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *records;

  tirkeu_journal_list_requests_async (journal, NULL, result_cb, &result);
  records = tirkeu_journal_list_requests_finish (journal, wait_result (&result), &error);
  g_assert_no_error (error);

  return records;
}

static GPtrArray *
list_range (TirkeuJournal *journal,
            guint          offset,
            int            limit)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *records;

  tirkeu_journal_list_requests_range_async (journal, offset, limit, NULL, result_cb, &result);
  records = tirkeu_journal_list_requests_finish (journal, wait_result (&result), &error);
  g_assert_no_error (error);

  return records;
}

/* The list's order is a column (schema 2), filled for the requests a schema-1 journal holds:
 * the latest requests load first, in parts that join up into the whole list. */
static void
test_list_order_column (void)
{
  g_autofree char *path = test_path ("order.sqlite3");
  g_autoptr(GPtrArray) records = request_array ();
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) rest = NULL;
  g_autoptr(GError) error = NULL;
  TirkeuJournal *journal;
  sqlite3 *db;

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *portal_id = g_strdup_printf ("R-%02u", (i * 7) % 30);
      TirkeuStage stage = i % 2 == 0 ? TIRKEU_STAGE_AWAITING_BUYER : TIRKEU_STAGE_SUBMITTED;

      g_ptr_array_add (records, make_request (portal_id, stage, "Lada"));
    }
  upsert (journal, records, "c", &error);
  g_assert_no_error (error);
  g_assert_finalize_object (journal);

  /* back to schema 1, as an older version left it */
  db = raw_open (path);
  raw_undo_migration_4 (db);
  raw_exec (db, "DROP INDEX requests_list_order");
  raw_exec (db, "ALTER TABLE requests DROP COLUMN last_change");
  raw_exec (db, "PRAGMA user_version = 1");
  sqlite3_close (db);

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  all = list_requests (journal);
  g_assert_cmpuint (all->len, ==, 30);
  for (guint i = 1; i < all->len; i++)
    g_assert_cmpint (tirkeu_search_key_compare (g_ptr_array_index (all, i - 1),
                                                g_ptr_array_index (all, i)), <, 0);

  first = list_range (journal, 0, 12);
  rest = list_range (journal, 12, -1);
  g_assert_cmpuint (first->len, ==, 12);
  g_assert_cmpuint (rest->len, ==, 18);
  for (guint i = 0; i < all->len; i++)
    {
      TirkeuRequest *part = i < 12 ? g_ptr_array_index (first, i)
                                   : g_ptr_array_index (rest, i - 12);

      g_assert_cmpstr (tirkeu_request_get_portal_id (part), ==,
                       tirkeu_request_get_portal_id (g_ptr_array_index (all, i)));
    }
  g_assert_finalize_object (journal);

  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM requests WHERE last_change = 0"), ==, 0);
  sqlite3_close (db);

  /* what the sync needs of each request, without loading any record */
  journal = open_journal (path, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GVariant) stages = NULL;
    g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
    const char *portal_id, *stage;
    gint64 updated_at;
    GVariantIter iter;

    tirkeu_journal_list_request_stages_async (journal, NULL, result_cb, &result);
    stages = tirkeu_journal_list_request_stages_finish (journal, wait_result (&result), &error);
    g_assert_no_error (error);
    g_assert_true (g_variant_is_of_type (stages, TIRKEU_JOURNAL_STAGE_LIST_TYPE));
    g_assert_cmpuint (g_variant_n_children (stages), ==, 30);
    for (guint i = 0; i < all->len; i++)
      {
        TirkeuRequest *request = g_ptr_array_index (all, i);

        g_hash_table_insert (seen, (gpointer) tirkeu_request_get_portal_id (request), request);
      }
    g_variant_iter_init (&iter, stages);
    while (g_variant_iter_next (&iter, "(&s&sx)", &portal_id, &stage, &updated_at))
      {
        TirkeuRequest *request = g_hash_table_lookup (seen, portal_id);

        g_assert_nonnull (request);
        g_assert_cmpstr (stage, ==, tirkeu_stage_to_string (tirkeu_request_get_stage (request)));
        g_assert_cmpint (updated_at, ==, updated_usec (request));
      }
  }
  g_assert_finalize_object (journal);
}

/* A journal file cut to nothing (a full disk, a bad copy) is damage to say, not a new journal
 * to start afresh in: that would show an empty list and lose the outbox without a word. */
static void
test_empty_file (void)
{
  g_autofree char *path = test_path ("empty.sqlite3");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  TirkeuJournal *journal;
  struct stat st;

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  g_assert_true (g_file_set_contents (path, "", 0, NULL));

  journal = open_journal (path, &error);
  g_assert_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_CORRUPT);
  g_assert_null (journal);
  /* left as found, for whoever recovers it */
  g_assert_no_errno (g_lstat (path, &st));
  g_assert_cmpint (st.st_size, ==, 0);
}

/* A page of the file damaged since the last run: the open says so, at once. */
static void
test_damaged_file (void)
{
  g_autofree char *path = test_path ("damaged.sqlite3");
  g_autoptr(GPtrArray) records = request_array ();
  g_autoptr(GError) error = NULL;
  g_autofree char *integrity = NULL;
  g_autofree char *garbage = g_strnfill (4096, 'U');
  TirkeuJournal *journal;
  sqlite3 *db;
  struct stat st;
  FILE *file;

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *portal_id = g_strdup_printf ("R-%u", i);

      g_ptr_array_add (records, make_request (portal_id, TIRKEU_STAGE_AWAITING_BUYER, "Lada"));
    }
  upsert (journal, records, "c", &error);
  g_assert_no_error (error);
  /* the last connection: everything is checkpointed into the file */
  g_assert_finalize_object (journal);

  /* the last page (a table's or an index's) overwritten */
  g_assert_no_errno (g_lstat (path, &st));
  g_assert_cmpint (st.st_size, >, 3 * 4096);
  file = fopen (path, "r+b");
  g_assert_nonnull (file);
  g_assert_no_errno (fseek (file, st.st_size - 4096, SEEK_SET));
  g_assert_cmpuint (fwrite (garbage, 1, 4096, file), ==, 4096);
  g_assert_no_errno (fclose (file));
  db = raw_open (path);
  integrity = raw_text (db, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, !=, "ok");
  sqlite3_close (db);

  journal = open_journal (path, &error);
  g_assert_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_CORRUPT);
  g_assert_null (journal);
}

/* One record damaged inside a sound file costs that record, not the list. */
static void
test_damaged_record (void)
{
  g_autofree char *path = test_path ("record.sqlite3");
  g_autoptr(GPtrArray) records = request_array ();
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(TirkeuRequest) damaged = NULL;
  g_autoptr(GError) error = NULL;
  TirkeuJournal *journal;
  sqlite3 *db;

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  g_ptr_array_add (records, make_request ("R-1", TIRKEU_STAGE_AWAITING_BUYER, "Lada"));
  g_ptr_array_add (records, make_request ("R-2", TIRKEU_STAGE_AWAITING_BUYER, "Lada"));
  g_ptr_array_add (records, make_request ("R-3", TIRKEU_STAGE_AWAITING_BUYER, "Lada"));
  upsert (journal, records, "c", &error);
  g_assert_no_error (error);
  g_assert_finalize_object (journal);

  db = raw_open (path);
  raw_exec (db, "UPDATE requests SET record = x'0011223344556677' WHERE portal_id = 'R-2'");
  sqlite3_close (db);

  journal = open_journal (path, &error);
  g_assert_no_error (error);
  listed = list_requests (journal);
  g_assert_cmpuint (listed->len, ==, 2);
  for (guint i = 0; i < listed->len; i++)
    g_assert_cmpstr (tirkeu_request_get_portal_id (g_ptr_array_index (listed, i)), !=, "R-2");

  damaged = get_request (journal, "R-2", &error);
  g_assert_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_CORRUPT);
  g_assert_null (damaged);
  g_assert_finalize_object (journal);
}

/* Results come back on the caller's thread-default main context, not the global one. */
static void
test_thread_default_context (void)
{
  g_autofree char *path = test_path ("context.sqlite3");
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  TirkeuJournal *journal;

  journal = open_journal (path, &error);
  g_assert_no_error (error);

  g_main_context_push_thread_default (context);
  tirkeu_journal_get_cursor_async (journal, NULL, result_cb, &result);
  /* the global default context never sees it */
  for (guint i = 0; i < 50; i++)
    {
      g_usleep (1000);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_null (result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  cursor = tirkeu_journal_get_cursor_finish (journal, result, &error);
  g_assert_no_error (error);
  g_assert_null (cursor);
  g_clear_object (&result);
  g_assert_finalize_object (journal);
}

/* ------------------------------------------------------------------------------------------ */
/* Permissions */

typedef struct
{
  mode_t umask;
  gboolean loosen_first;  /* the folder and file exist with open modes before */
} PermissionCase;

static const PermissionCase permission_cases[] = {
  { 0000, FALSE },
  { 0022, FALSE },
  { 0077, FALSE },
  { 0000, TRUE },
};

static void
test_permissions (gconstpointer data)
{
  const PermissionCase *test_case = data;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "perm", "tirkeu", NULL);
  g_autofree char *path = g_build_filename (dir, "journal.sqlite3", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(GPtrArray) records = request_array ();
  g_autoptr(GError) error = NULL;
  TirkeuJournal *journal;
  mode_t old_umask;

  old_umask = umask (test_case->umask);

  if (test_case->loosen_first)
    {
      g_assert_no_errno (g_mkdir_with_parents (dir, 0777));
      g_assert_no_errno (g_chmod (dir, 0777));
      /* an older version's file (a journal at schema 0), left open to all */
      sqlite3 *db = raw_open (path);

      raw_exec (db, "PRAGMA user_version = 0");
      raw_exec (db, "CREATE TABLE unrelated (x INTEGER)");
      sqlite3_close (db);
      g_assert_no_errno (g_chmod (path, 0666));
    }

  journal = open_journal (path, &error);
  g_assert_no_error (error);

  /* a write makes SQLite create (or grow) the -wal and -shm files */
  g_ptr_array_add (records, make_request ("R-1", TIRKEU_STAGE_SUBMITTED, "Lada"));
  upsert (journal, records, "c", &error);
  g_assert_no_error (error);

  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (shm, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (file_mode (dir), ==, 0700);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (wal), ==, 0600);
  g_assert_cmpuint (file_mode (shm), ==, 0600);

  g_assert_finalize_object (journal);
  umask (old_umask);
}

/* ------------------------------------------------------------------------------------------ */
/* Drafts */

static void
save_draft (TirkeuJournal *journal,
            const char    *draft_id,
            GVariant      *fields)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tirkeu_journal_save_draft_async (journal, draft_id, fields, NULL, result_cb, &result);
  g_assert_true (tirkeu_journal_save_draft_finish (journal, wait_result (&result), &error));
  g_assert_no_error (error);
}

static GVariant *
load_draft (TirkeuJournal *journal,
            const char    *draft_id,
            GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_journal_load_draft_async (journal, draft_id, NULL, result_cb, &result);
  return tirkeu_journal_load_draft_finish (journal, wait_result (&result), error);
}

static GVariant *
list_drafts (TirkeuJournal *journal)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *drafts;

  tirkeu_journal_list_drafts_async (journal, NULL, result_cb, &result);
  drafts = tirkeu_journal_list_drafts_finish (journal, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (drafts, TIRKEU_JOURNAL_DRAFT_LIST_TYPE));

  return drafts;
}

static void
test_drafts (void)
{
  g_autofree char *path = test_path ("drafts.sqlite3");
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) fields = NULL;
  g_autoptr(GVariant) drafts = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  const char *value = NULL;
  const char *first_id = NULL;
  TirkeuJournal *journal;

  journal = open_journal (path, &error);
  g_assert_no_error (error);

  /* as typed: spaces, lower case, a half-typed IIN */
  save_draft (journal, "draft-a",
              g_variant_new_parsed ("{'vin': ' xta21099 0y2766389', 'buyer-iin': '900101'}"));
  save_draft (journal, "draft-b", g_variant_new_parsed ("{'vin': 'JTDBT923'}"));
  /* the page saves only the field being typed: the others stay */
  save_draft (journal, "draft-a", g_variant_new_parsed ("{'buyer-iin': '900101 300'}"));

  fields = load_draft (journal, "draft-a", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (fields), ==, 2);
  g_assert_true (g_variant_lookup (fields, "vin", "&s", &value));
  g_assert_cmpstr (value, ==, " xta21099 0y2766389");
  g_assert_true (g_variant_lookup (fields, "buyer-iin", "&s", &value));
  g_assert_cmpstr (value, ==, "900101 300");
  g_clear_pointer (&fields, g_variant_unref);

  /* the latest saved first */
  drafts = list_drafts (journal);
  g_assert_cmpuint (g_variant_n_children (drafts), ==, 2);
  g_variant_get_child (drafts, 0, "(&sx@a{ss})", &first_id, NULL, NULL);
  g_assert_cmpstr (first_id, ==, "draft-a");
  g_clear_pointer (&drafts, g_variant_unref);

  tirkeu_journal_delete_draft_async (journal, "draft-a", NULL, result_cb, &result);
  g_assert_true (tirkeu_journal_delete_draft_finish (journal, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  fields = load_draft (journal, "draft-a", &error);
  g_assert_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_NOT_FOUND);
  g_assert_null (fields);
  g_clear_error (&error);

  drafts = list_drafts (journal);
  g_assert_cmpuint (g_variant_n_children (drafts), ==, 1);
  g_clear_pointer (&drafts, g_variant_unref);

  /* the draft survives a restart */
  g_assert_finalize_object (journal);
  journal = open_journal (path, &error);
  g_assert_no_error (error);
  fields = load_draft (journal, "draft-b", &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_lookup (fields, "vin", "&s", &value));
  g_assert_cmpstr (value, ==, "JTDBT923");
  g_assert_finalize_object (journal);
}

/* ------------------------------------------------------------------------------------------ */
/* Outbox */

static void
enqueue (TirkeuJournal *journal,
         TirkeuRequest *request,
         const char    *draft_id,
         gint64         next_attempt_at,
         GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_journal_enqueue_async (journal, request, draft_id, next_attempt_at, NULL,
                                result_cb, &result);
  tirkeu_journal_enqueue_finish (journal, wait_result (&result), error);
}

static void
record_attempt (TirkeuJournal *journal,
                const char    *key,
                const char    *last_error,
                gint64         next_attempt_at,
                GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_journal_record_attempt_async (journal, key, last_error, next_attempt_at, NULL,
                                       result_cb, &result);
  tirkeu_journal_record_attempt_finish (journal, wait_result (&result), error);
}

static void
complete (TirkeuJournal *journal,
          const char    *key,
          TirkeuRequest *confirmed,
          GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_journal_complete_async (journal, key, confirmed, NULL, result_cb, &result);
  tirkeu_journal_complete_finish (journal, wait_result (&result), error);
}

static GVariant *
list_due (TirkeuJournal *journal,
          gint64         now)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *due;

  tirkeu_journal_list_outbox_due_async (journal, now, NULL, result_cb, &result);
  due = tirkeu_journal_list_outbox_due_finish (journal, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (due, TIRKEU_JOURNAL_OUTBOX_LIST_TYPE));

  return due;
}

static void
test_outbox (void)
{
  g_autofree char *path = test_path ("outbox.sqlite3");
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) due = NULL;
  g_autoptr(TirkeuRequest) request = NULL;
  g_autoptr(TirkeuRequest) stored = NULL;
  g_autoptr(TirkeuRequest) queued = NULL;
  g_autoptr(GVariant) signed_record = NULL;
  g_autoptr(GVariant) drafts = NULL;
  g_autoptr(GVariant) entry_record = NULL;
  g_autofree char *key = NULL;
  g_autofree char *key_sql = NULL;
  const char *entry_key;
  const char *last_error;
  const char *draft_id;
  guint32 attempts;
  gint64 next_attempt_at;
  gint64 now = g_get_real_time ();
  TirkeuJournal *journal;
  sqlite3 *db;

  journal = open_journal (path, &error);
  g_assert_no_error (error);

  save_draft (journal, "draft-1", g_variant_new_parsed ("{'vin': 'XTA210990Y2766389'}"));
  request = make_request (NULL, TIRKEU_STAGE_SIGNED, "Lada");
  key = g_strdup (tirkeu_request_get_idempotency_key (request));
  signed_record = tirkeu_request_to_variant (request);

  /* the draft becomes the outbox entry */
  enqueue (journal, request, "draft-1", now, &error);
  g_assert_no_error (error);
  drafts = list_drafts (journal);
  g_assert_cmpuint (g_variant_n_children (drafts), ==, 0);

  /* the same key again keeps one entry */
  enqueue (journal, request, NULL, now, &error);
  g_assert_no_error (error);

  due = list_due (journal, now);
  g_assert_cmpuint (g_variant_n_children (due), ==, 1);
  g_variant_get_child (due, 0, "(&s@a{sv}u&sx&s)", &entry_key, &entry_record, &attempts,
                       &last_error, &next_attempt_at, &draft_id);
  g_assert_cmpstr (entry_key, ==, key);
  assert_records_equal (entry_record, signed_record);
  queued = tirkeu_request_new_from_variant (entry_record, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (queued), ==, key);
  g_assert_cmpuint (attempts, ==, 0);
  g_assert_cmpstr (last_error, ==, "");
  g_assert_cmpint (next_attempt_at, ==, now);
  g_assert_cmpstr (draft_id, ==, "draft-1");
  g_clear_pointer (&due, g_variant_unref);
  g_clear_pointer (&entry_record, g_variant_unref);

  /* two failed attempts, the next one in a minute */
  record_attempt (journal, key, "network-unreachable", now + 1000, &error);
  g_assert_no_error (error);
  record_attempt (journal, key, "portal-unavailable", now + 60 * G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  due = list_due (journal, now);
  g_assert_cmpuint (g_variant_n_children (due), ==, 0);
  g_clear_pointer (&due, g_variant_unref);

  /* the outbox survives a restart */
  g_assert_finalize_object (journal);
  journal = open_journal (path, &error);
  g_assert_no_error (error);

  due = list_due (journal, now + 60 * G_USEC_PER_SEC);
  g_assert_cmpuint (g_variant_n_children (due), ==, 1);
  g_variant_get_child (due, 0, "(&s@a{sv}u&sx&s)", &entry_key, &entry_record, &attempts,
                       &last_error, &next_attempt_at, &draft_id);
  g_assert_cmpstr (entry_key, ==, key);
  g_assert_cmpuint (attempts, ==, 2);
  g_assert_cmpstr (last_error, ==, "portal-unavailable");
  g_clear_pointer (&due, g_variant_unref);
  g_clear_pointer (&entry_record, g_variant_unref);

  record_attempt (journal, "no-such-key", "x", now, &error);
  g_assert_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* the portal confirmed: the entry leaves, the request arrives, with the same key */
  tirkeu_request_set_portal_id (request, "KZ-2025-000123");
  g_assert_true (tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_AWAITING_BUYER, NULL,
                                                    NULL, &error));
  g_assert_no_error (error);
  complete (journal, key, request, &error);
  g_assert_no_error (error);
  due = list_due (journal, G_MAXINT64);
  g_assert_cmpuint (g_variant_n_children (due), ==, 0);
  g_clear_pointer (&due, g_variant_unref);
  stored = get_request (journal, "KZ-2025-000123", &error);
  g_assert_no_error (error);
  assert_requests_equal (stored, request);

  /* a second confirmation with the same key changes nothing */
  complete (journal, key, request, &error);
  g_assert_no_error (error);

  /* a late retry of the submit with that key must not queue it again */
  enqueue (journal, request, NULL, now, &error);
  g_assert_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  due = list_due (journal, G_MAXINT64);
  g_assert_cmpuint (g_variant_n_children (due), ==, 0);

  g_assert_finalize_object (journal);

  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM requests"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM outbox"), ==, 0);
  key_sql = g_strdup_printf ("SELECT count(*) FROM requests WHERE idempotency_key = '%s'", key);
  g_assert_cmpint (raw_int (db, key_sql), ==, 1);
  sqlite3_close (db);
}

/* ------------------------------------------------------------------------------------------ */
/* Idempotency keys */

static char *
stored_key (const char *path,
            const char *portal_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT idempotency_key FROM requests"
                                          " WHERE portal_id = '%s'", portal_id);
  sqlite3 *db = raw_open (path);
  char *key = raw_text (db, sql);

  sqlite3_close (db);
  return key;
}

/* A request keeps the key it was created with. A later copy with another key (a sync from a
 * portal before contract 1.1.0, whose Request has no key: the mapping made a random one) never
 * replaces it, neither in the row nor in the record; and the outbox still meets the request. */
static void
test_key_kept (void)
{
  g_autofree char *path = test_path ("keys.sqlite3");
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuRequest) request = NULL;
  g_autoptr(TirkeuRequest) synced = NULL;
  g_autoptr(TirkeuRequest) stored = NULL;
  g_autoptr(TirkeuRequest) other = NULL;
  g_autoptr(TirkeuRequest) early = NULL;
  g_autoptr(GPtrArray) batch = request_array ();
  g_autofree char *key = NULL;
  g_autofree char *other_key = NULL;
  g_autofree char *column = NULL;
  gint64 now = g_get_real_time ();
  TirkeuJournal *journal;

  journal = open_journal (path, &error);
  g_assert_no_error (error);

  /* the desk's submission with key K, confirmed by the portal */
  request = make_request (NULL, TIRKEU_STAGE_SIGNED, "Lada");
  key = g_strdup (tirkeu_request_get_idempotency_key (request));
  enqueue (journal, request, NULL, now, &error);
  g_assert_no_error (error);
  tirkeu_request_set_portal_id (request, "KZ-KEY-1");
  g_assert_true (tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_AWAITING_BUYER, NULL,
                                                    NULL, &error));
  g_assert_no_error (error);
  complete (journal, key, request, &error);
  g_assert_no_error (error);

  /* a sync: the same portal id, a newer state, another random key */
  {
    g_autoptr(TirkeuRequest) fresh = make_request ("KZ-KEY-1", TIRKEU_STAGE_BUYER_APPROVED,
                                                   "Lada Vesta");

    synced = request_at (fresh, updated_usec (request) + G_USEC_PER_SEC);
  }
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (synced), !=, key);
  g_ptr_array_add (batch, g_object_ref (synced));
  upsert (journal, batch, NULL, &error);
  g_assert_no_error (error);

  stored = get_request (journal, "KZ-KEY-1", &error);
  g_assert_no_error (error);
  /* the new state was stored... */
  g_assert_cmpint (tirkeu_request_get_stage (stored), ==, TIRKEU_STAGE_BUYER_APPROVED);
  g_assert_cmpstr (tirkeu_request_get_vehicle (stored)->make, ==, "Lada Vesta");
  /* ...with the key it was created with, in the record and in the row */
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (stored), ==, key);
  column = stored_key (path, "KZ-KEY-1");
  g_assert_cmpstr (column, ==, key);
  g_clear_pointer (&column, g_free);
  g_clear_object (&stored);

  /* the outbox still knows the request as confirmed: no second submission */
  enqueue (journal, request, NULL, now, &error);
  g_assert_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* The other order: an older portal's sync stores the request (and a made-up key) before
   * the desk's confirmation arrives. The key the portal confirmed the submission for wins. */
  other = make_request (NULL, TIRKEU_STAGE_SIGNED, "Kia");
  other_key = g_strdup (tirkeu_request_get_idempotency_key (other));
  enqueue (journal, other, NULL, now, &error);
  g_assert_no_error (error);
  tirkeu_request_set_portal_id (other, "KZ-KEY-2");
  g_assert_true (tirkeu_request_apply_portal_stage (other, TIRKEU_STAGE_AWAITING_BUYER, NULL,
                                                    NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(TirkeuRequest) fresh = make_request ("KZ-KEY-2", TIRKEU_STAGE_AWAITING_BUYER,
                                                   "Kia");

    early = request_at (fresh, updated_usec (other) - G_USEC_PER_SEC);
  }
  g_ptr_array_set_size (batch, 0);
  g_ptr_array_add (batch, g_object_ref (early));
  upsert (journal, batch, NULL, &error);
  g_assert_no_error (error);
  /* the first key the journal learnt for it, for want of a better one */
  column = stored_key (path, "KZ-KEY-2");
  g_assert_cmpstr (column, ==, tirkeu_request_get_idempotency_key (early));
  g_clear_pointer (&column, g_free);

  complete (journal, other_key, other, &error);
  g_assert_no_error (error);
  stored = get_request (journal, "KZ-KEY-2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (stored), ==, other_key);
  column = stored_key (path, "KZ-KEY-2");
  g_assert_cmpstr (column, ==, other_key);
  g_clear_pointer (&column, g_free);
  g_clear_object (&stored);

  /* and a later sync's made-up key does not take it back */
  g_ptr_array_set_size (batch, 0);
  g_ptr_array_add (batch, request_at (early, updated_usec (other) + G_USEC_PER_SEC));
  upsert (journal, batch, NULL, &error);
  g_assert_no_error (error);
  stored = get_request (journal, "KZ-KEY-2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tirkeu_request_get_idempotency_key (stored), ==, other_key);
  g_clear_object (&stored);

  g_assert_finalize_object (journal);
}

/* ------------------------------------------------------------------------------------------ */
/* Requests and the cursor */

static void
test_batch_cursor (void)
{
  g_autofree char *path = test_path ("batch.sqlite3");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = request_array ();
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(TirkeuRequest) one = NULL;
  g_autoptr(TirkeuRequest) newer = NULL;
  g_autoptr(TirkeuRequest) stale = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *key_42 = NULL;
  gint64 base = g_get_real_time () - (gint64) 3600 * G_USEC_PER_SEC;
  TirkeuJournal *journal;
  sqlite3 *db;

  journal = open_journal (path, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *portal_id = g_strdup_printf ("R-%03u", i);
      g_autoptr(TirkeuRequest) request = make_request (portal_id, TIRKEU_STAGE_AWAITING_BUYER,
                                                       "Lada");

      /* update times out of order, an hour ago, to check the sort */
      g_ptr_array_add (batch, request_at (request, base + (i * 37) % 100));
    }
  upsert (journal, batch, "cursor-100", &error);
  g_assert_no_error (error);

  cursor = get_cursor (journal);
  g_assert_cmpstr (cursor, ==, "cursor-100");
  g_clear_pointer (&cursor, g_free);

  listed = list_requests (journal);
  g_assert_cmpuint (listed->len, ==, 100);
  /* in the requests list's order, by the keys prepared on the journal's thread */
  for (guint i = 1; i < listed->len; i++)
    g_assert_cmpint (tirkeu_search_key_compare (g_ptr_array_index (listed, i - 1),
                                                g_ptr_array_index (listed, i)), <, 0);
  g_clear_pointer (&listed, g_ptr_array_unref);

  one = get_request (journal, "R-042", &error);
  g_assert_no_error (error);
  assert_requests_equal (one, g_ptr_array_index (batch, 42));
  key_42 = g_strdup (tirkeu_request_get_idempotency_key (one));
  g_clear_object (&one);

  one = get_request (journal, "R-999", &error);
  g_assert_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_NOT_FOUND);
  g_assert_null (one);
  g_clear_error (&error);

  /* a newer state replaces the request and its history (its key stays: test_key_kept);
   * a stale one is ignored */
  g_ptr_array_set_size (batch, 0);
  {
    g_autoptr(TirkeuRequest) fresh = make_request ("R-042", TIRKEU_STAGE_BUYER_RECHECK, "Lada");

    newer = request_with_key (fresh, key_42);
  }
  g_ptr_array_add (batch, g_object_ref (newer));
  stale = make_request ("R-043", TIRKEU_STAGE_COMPLETED, "Lada");
  g_ptr_array_add (batch, request_at (stale, base - 1));
  upsert (journal, batch, "cursor-102", &error);
  g_assert_no_error (error);

  one = get_request (journal, "R-042", &error);
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_request_get_stage (one), ==, TIRKEU_STAGE_BUYER_RECHECK);
  assert_requests_equal (one, newer);
  g_clear_object (&one);
  one = get_request (journal, "R-043", &error);
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_request_get_stage (one), ==, TIRKEU_STAGE_AWAITING_BUYER);
  g_clear_object (&one);

  /* the list puts the latest change first */
  listed = list_requests (journal);
  g_assert_cmpstr (tirkeu_request_get_portal_id (g_ptr_array_index (listed, 0)), ==, "R-042");
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* one bad request (no portal id) fails the whole batch, and the cursor stays */
  g_ptr_array_set_size (batch, 0);
  g_ptr_array_add (batch, make_request ("R-500", TIRKEU_STAGE_AWAITING_BUYER, "Lada"));
  g_ptr_array_add (batch, make_request (NULL, TIRKEU_STAGE_AWAITING_BUYER, "Lada"));
  upsert (journal, batch, "cursor-bad", &error);
  g_assert_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_INVALID);
  g_clear_error (&error);
  cursor = get_cursor (journal);
  g_assert_cmpstr (cursor, ==, "cursor-102");
  g_clear_pointer (&cursor, g_free);
  one = get_request (journal, "R-500", &error);
  g_assert_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* so does a cancelled one */
  g_ptr_array_set_size (batch, 0);
  g_ptr_array_add (batch, make_request ("R-600", TIRKEU_STAGE_AWAITING_BUYER, "Lada"));
  g_cancellable_cancel (cancellable);
  tirkeu_journal_upsert_requests_async (journal, batch, "cursor-cancelled", cancellable,
                                        result_cb, &result);
  g_assert_false (tirkeu_journal_upsert_requests_finish (journal, wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  cursor = get_cursor (journal);
  g_assert_cmpstr (cursor, ==, "cursor-102");
  g_clear_object (&result);

  /* the synchronous variants (tirkeu-cli) see the same journal */
  listed = tirkeu_journal_list_requests_sync (journal, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 100);
  one = tirkeu_journal_get_request_sync (journal, "R-042", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (one);
  g_assert_true (tirkeu_journal_check_integrity_sync (journal, NULL, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (journal);

  /* the queryable columns and the history table follow the requests */
  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM requests WHERE vin = 'XTA210990Y2766389'"
                                " AND make = 'Lada' AND model = 'Vesta'"
                                " AND buyer_iin = '900101300123'"), ==, 100);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM stage_history h JOIN requests r"
                                " ON r.id = h.request_id WHERE r.portal_id = 'R-042'"), ==, 2);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM stage_history h JOIN requests r"
                                " ON r.id = h.request_id WHERE r.portal_id = 'R-042'"
                                " AND h.stage = 'buyer_recheck' AND h.actor = 'portal'"), ==, 1);
  sqlite3_close (db);
}

/* ------------------------------------------------------------------------------------------ */
/* The killed writer */

/* Batch k upserts batch_size (k) new requests "b<k>-<i>" (stage awaiting_buyer, two history
 * entries: draft and awaiting_buyer; make "batch-<k>") and moves the requests of batch k - 1
 * to buyer_approved with a third history entry, then sets the cursor to "<k>", in one transaction. So after any
 * crash, with the cursor at c: batches 1..c are there whole, nothing of a later batch is,
 * the requests of batch c wait for the buyer and all earlier ones are approved. */
static guint
batch_size (guint k)
{
  return 1 + (k * 7) % 23;
}

static void
add_batch_records (GPtrArray *records,
                   guint      k,
                   gboolean   approved)
{
  g_autofree char *make = g_strdup_printf ("batch-%u", k);

  for (guint i = 0; i < batch_size (k); i++)
    {
      g_autofree char *portal_id = g_strdup_printf ("b%u-%u", k, i);

      g_autoptr(TirkeuRequest) request = make_request (portal_id, TIRKEU_STAGE_AWAITING_BUYER,
                                                       make);

      if (approved)
        g_assert_true (tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_BUYER_APPROVED,
                                                          NULL, NULL, NULL));
      g_ptr_array_add (records, g_steal_pointer (&request));
    }
}

static int
run_writer (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuJournal) journal = NULL;
  g_autofree char *cursor = NULL;
  guint k;

  journal = tirkeu_journal_new_sync (path, NULL, &error);
  if (journal == NULL)
    {
      g_printerr ("writer: %s\n", error->message);
      return 2;
    }

  cursor = tirkeu_journal_get_cursor_sync (journal, NULL, &error);
  if (error != NULL)
    {
      g_printerr ("writer: %s\n", error->message);
      return 2;
    }
  k = cursor != NULL ? (guint) g_ascii_strtoull (cursor, NULL, 10) + 1 : 1;

  fputs ("ready\n", stdout);
  fflush (stdout);

  for (;; k++)
    {
      g_autoptr(GPtrArray) records = request_array ();
      g_autofree char *next_cursor = g_strdup_printf ("%u", k);

      add_batch_records (records, k, FALSE);
      if (k > 1)
        add_batch_records (records, k - 1, TRUE);

      if (!tirkeu_journal_upsert_requests_sync (journal, records, next_cursor, NULL, &error))
        {
          g_printerr ("writer: %s\n", error->message);
          return 2;
        }
    }

  return 0;
}

/* Returns the committed cursor. */
static guint
check_killed_journal (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *integrity = NULL;
  TirkeuJournal *journal;
  guint c;
  gint64 total = 0;
  gint64 history = 0;
  guint batches_seen = 0;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;

  /* the journal itself opens it (recovering the WAL) and finds it sound */
  journal = open_journal (path, &error);
  g_assert_no_error (error);
  g_assert_true (tirkeu_journal_check_integrity_sync (journal, NULL, &error));
  g_assert_no_error (error);
  cursor = get_cursor (journal);
  g_assert_finalize_object (journal);

  c = cursor != NULL ? (guint) g_ascii_strtoull (cursor, NULL, 10) : 0;

  db = raw_open (path);
  integrity = raw_text (db, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);

  /* one pass over the table: per batch, how many requests and how many in each stage */
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT make, count(*), sum(stage = 'awaiting_buyer'),"
                                       " sum(stage = 'buyer_approved') FROM requests"
                                       " GROUP BY make",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *make = (const char *) sqlite3_column_text (stmt, 0);
      guint k;

      g_assert_true (g_str_has_prefix (make, "batch-"));
      k = (guint) g_ascii_strtoull (make + strlen ("batch-"), NULL, 10);
      /* nothing of a batch after the cursor, and every batch up to it whole */
      g_assert_cmpuint (k, >=, 1);
      g_assert_cmpuint (k, <=, c);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 1), ==, batch_size (k));
      g_assert_cmpint (sqlite3_column_int64 (stmt, k == c ? 2 : 3), ==, batch_size (k));
      batches_seen++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (batches_seen, ==, c);

  for (guint k = 1; k <= c; k++)
    {
      total += batch_size (k);
      history += k == c ? 2 * batch_size (k) : 3 * batch_size (k);
    }
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM requests"), ==, total);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM stage_history"), ==, history);
  sqlite3_close (db);

  return c;
}

/* The environment of the writer test_killed_writer() kills. Under build-aux/check --sanitize
 * every malloc() records its whole stack for LeakSanitizer (fast_unwind_on_malloc=0), which
 * makes the writer's batches some 25 times slower than unsanitized, far past the kill
 * window. LeakSanitizer never looks at a process killed with SIGKILL, so the writer keeps
 * ASan's checks but takes the fast unwinder, and its batches are again about as long as
 * the kill window expects (scaled like every time of the tests). */
static char **
writer_environ (void)
{
  char **envp = g_get_environ ();
  const char *asan_options = g_environ_getenv (envp, "ASAN_OPTIONS");

  if (asan_options != NULL)
    {
      g_autofree char *fast = g_strconcat (asan_options, ":fast_unwind_on_malloc=1", NULL);

      envp = g_environ_setenv (envp, "ASAN_OPTIONS", fast, TRUE);
    }
  return envp;
}

static void
test_killed_writer (void)
{
  g_autofree char *path = test_path ("killed.sqlite3");
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  gint64 deadline = g_get_monotonic_time ()
                    + (gint64) tirkeu_test_scale_ms (KILL_SECONDS_MAX * 1000) * 1000;
  guint rounds = 0;
  guint rounds_with_progress = 0;
  guint cursor = 0;
  g_auto(GStrv) envp = writer_environ ();

  g_assert_nonnull (self_exe);

  while (rounds < KILL_ROUNDS_MAX && g_get_monotonic_time () < deadline)
    {
      const char *argv[] = { self_exe, "--journal-writer", path, NULL };
      g_autoptr(GError) error = NULL;
      GPid pid;
      int out_fd;
      int status;
      guint new_cursor;

      g_spawn_async_with_pipes (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                NULL, &pid, NULL, &out_fd, NULL, &error);
      g_assert_no_error (error);

      /* Most rounds kill inside the write loop; every fourth kills wherever the child is,
       * opening and migrating included. */
      if (rounds % 4 != 0)
        {
          char ready[8] = { 0, };
          gssize n = read (out_fd, ready, sizeof ready - 1);

          g_assert_cmpint (n, >, 0);
          g_assert_true (g_str_has_prefix (ready, "ready"));
          g_usleep (g_random_int_range (0, tirkeu_test_scale_ms (40) * 1000));
        }
      else
        {
          g_usleep (g_random_int_range (0, tirkeu_test_scale_ms (8) * 1000));
        }

      g_assert_no_errno (kill (pid, SIGKILL));
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      close (out_fd);
      g_spawn_close_pid (pid);
      /* killed, not exited on an error of its own */
      g_assert_true (WIFSIGNALED (status));
      g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);

      new_cursor = check_killed_journal (path);
      g_assert_cmpuint (new_cursor, >=, cursor);
      if (new_cursor > cursor)
        rounds_with_progress++;
      cursor = new_cursor;
      rounds++;
    }

  g_test_message ("%u rounds, %u with progress, %u batches committed",
                  rounds, rounds_with_progress, cursor);
  /* the test means something only if writers got to commit, and got killed doing so */
  g_assert_cmpuint (rounds, >=, 10);
  g_assert_cmpuint (rounds_with_progress, >=, rounds / 4);
}


/* ------------------------------------------------------------------------------------------ */
/* A second process on a live journal (tirkeu-cli while the app runs) */

/* The app's side: holds the journal open, writes a draft and an outbox entry before saying
 * "ready", two more when told "write", then waits to be killed. */
static int
run_holder (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuJournal) journal = NULL;
  char line[32];

  journal = tirkeu_journal_new_sync (path, NULL, &error);
  if (journal == NULL)
    {
      g_printerr ("holder: %s\n", error->message);
      return 2;
    }

  for (guint round = 1; ; round++)
    {
      g_autofree char *draft_id = g_strdup_printf ("draft-%u", round);
      g_autoptr(TirkeuRequest) request = make_request (NULL, TIRKEU_STAGE_SIGNED, "Lada");

      save_draft (journal, draft_id, g_variant_new_parsed ("{'vin': 'XTA210990Y2766389'}"));
      enqueue (journal, request, NULL, g_get_real_time (), &error);
      if (error != NULL)
        {
          g_printerr ("holder: %s\n", error->message);
          return 2;
        }

      fputs (round == 1 ? "ready\n" : "written\n", stdout);
      fflush (stdout);
      if (fgets (line, sizeof line, stdin) == NULL)
        return 0;
    }
}

static void
read_line_from (int         fd,
                const char *expected)
{
  char buffer[16] = { 0, };
  gsize length = 0;

  while (length < sizeof buffer - 1 && (length == 0 || buffer[length - 1] != '\n'))
    {
      gssize n = read (fd, buffer + length, 1);

      g_assert_cmpint (n, ==, 1);
      length++;
    }
  g_assert_cmpstr (buffer, ==, expected);
}

static void
test_second_process (void)
{
  g_autofree char *path = test_path ("shared.sqlite3");
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  const char *argv[] = { self_exe, "--journal-holder", path, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) drafts = NULL;
  g_autoptr(GVariant) due = NULL;
  TirkeuJournal *journal;
  int in_fd;
  int out_fd;
  int status;
  GPid pid;

  g_assert_nonnull (self_exe);
  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                            NULL, &pid, &in_fd, &out_fd, NULL, &error);
  g_assert_no_error (error);
  read_line_from (out_fd, "ready\n");

  /* the CLI: opens the same journal, reads, closes */
  journal = tirkeu_journal_new_sync (path, NULL, &error);
  g_assert_no_error (error);
  drafts = list_drafts (journal);
  g_assert_cmpuint (g_variant_n_children (drafts), ==, 1);
  g_clear_pointer (&drafts, g_variant_unref);
  g_assert_finalize_object (journal);

  /* the app writes on, then dies without closing anything */
  g_assert_cmpint (write (in_fd, "write\n", 6), ==, 6);
  read_line_from (out_fd, "written\n");
  g_assert_no_errno (kill (pid, SIGKILL));
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  close (in_fd);
  close (out_fd);
  g_spawn_close_pid (pid);

  /* what the app wrote before and after the CLI ran is all there */
  journal = open_journal (path, &error);
  g_assert_no_error (error);
  drafts = list_drafts (journal);
  g_assert_cmpuint (g_variant_n_children (drafts), ==, 2);
  due = list_due (journal, G_MAXINT64);
  g_assert_cmpuint (g_variant_n_children (due), ==, 2);
  g_assert_finalize_object (journal);
}

int
main (int   argc,
      char *argv[])
{
  /* The kill test re-executes this program as the writer it kills. */
  if (argc == 3 && g_str_equal (argv[1], "--journal-writer"))
    return run_writer (argv[2]);
  /* The second-process test re-executes it as the app that holds the journal open. */
  if (argc == 3 && g_str_equal (argv[1], "--journal-holder"))
    return run_holder (argv[2]);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/journal/open-default", test_open_default);
  g_test_add_func ("/store/journal/reopen", test_reopen);
  g_test_add_func ("/store/journal/migrate", test_migrate);
  g_test_add_func ("/store/journal/migrate-plain-texts", test_migrate_plain_texts);
  g_test_add_func ("/store/journal/buyer-deadline", test_buyer_deadline);
  g_test_add_func ("/store/journal/migrate-buyer-deadline", test_migrate_buyer_deadline);
  g_test_add_func ("/store/journal/vehicle-texts", test_vehicle_texts);
  g_test_add_func ("/store/journal/not-a-journal", test_not_a_journal);
  g_test_add_func ("/store/journal/empty-file", test_empty_file);
  g_test_add_func ("/store/journal/damaged-file", test_damaged_file);
  g_test_add_func ("/store/journal/damaged-record", test_damaged_record);
  g_test_add_func ("/store/journal/thread-default-context", test_thread_default_context);
  for (guint i = 0; i < G_N_ELEMENTS (permission_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/store/journal/permissions/umask-%03o%s",
                                               permission_cases[i].umask,
                                               permission_cases[i].loosen_first ?
                                               "-tighten" : "");

      g_test_add_data_func (name, &permission_cases[i], test_permissions);
    }
  g_test_add_func ("/store/journal/drafts", test_drafts);
  g_test_add_func ("/store/journal/outbox", test_outbox);
  g_test_add_func ("/store/journal/key-kept", test_key_kept);
  g_test_add_func ("/store/journal/batch-cursor", test_batch_cursor);
  g_test_add_func ("/store/journal/list-order-column", test_list_order_column);
  g_test_add_func ("/store/journal/killed-writer", test_killed_writer);
  g_test_add_func ("/store/journal/second-process", test_second_process);

  return g_test_run ();
}
