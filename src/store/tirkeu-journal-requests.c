/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "tirkeu-journal-private.h"
#include "tirkeu-search-key.h"

/* Requests and the sync cursor. */

void
_tirkeu_journal_upsert_statements_clear (UpsertStatements *statements)
{
  g_clear_pointer (&statements->stored_key, sqlite3_finalize);
  g_clear_pointer (&statements->upsert, sqlite3_finalize);
  g_clear_pointer (&statements->clear_history, sqlite3_finalize);
  g_clear_pointer (&statements->add_history, sqlite3_finalize);
}

gboolean
_tirkeu_journal_upsert_statements_prepare (sqlite3           *db,
                                           UpsertStatements  *statements,
                                           GError           **error)
{
  statements->stored_key = _tirkeu_journal_db_prepare (db,
    "SELECT idempotency_key FROM requests WHERE portal_id = ?1", error);
  if (statements->stored_key == NULL)
    return FALSE;

  /* A record older than the stored one (an out-of-order page of a sync) changes nothing:
   * the WHERE makes the upsert a no-op, and RETURNING then yields no row. The key bound
   * is the one _tirkeu_journal_upsert_request() chose (see there); the record blob carries
   * the same. */
  statements->upsert = _tirkeu_journal_db_prepare (db,
    "INSERT INTO requests (portal_id, idempotency_key, seller_bin, vin, buyer_iin, buyer_name,"
    "  make, model, stage, created_at, updated_at, record, last_change)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    " ON CONFLICT (portal_id) DO UPDATE SET"
    "  idempotency_key = coalesce (excluded.idempotency_key, requests.idempotency_key),"
    "  seller_bin = excluded.seller_bin, vin = excluded.vin, buyer_iin = excluded.buyer_iin,"
    "  buyer_name = excluded.buyer_name, make = excluded.make, model = excluded.model,"
    "  stage = excluded.stage, updated_at = excluded.updated_at, record = excluded.record,"
    "  last_change = excluded.last_change"
    " WHERE excluded.updated_at >= requests.updated_at"
    " RETURNING id",
    error);
  if (statements->upsert == NULL)
    return FALSE;

  statements->clear_history = _tirkeu_journal_db_prepare (db,
    "DELETE FROM stage_history WHERE request_id = ?1", error);
  if (statements->clear_history == NULL)
    return FALSE;

  statements->add_history = _tirkeu_journal_db_prepare (db,
    "INSERT INTO stage_history (request_id, seq, stage, at, actor, message)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    error);

  return statements->add_history != NULL;
}

/* The queryable columns of a record, read in one pass over its entries (a vardict lookup is
 * a linear scan: ten lookups were ten scans). The strings point into @record. */
typedef struct
{
  const char *portal_id;
  const char *idempotency_key;
  const char *seller_bin;
  const char *buyer_iin;
  const char *buyer_name;
  const char *stage;
  const char *vin;
  const char *make;
  const char *model;
  gint64      created_at;
  gint64      updated_at;
  GVariant   *history;   /* owned, NULL when none */
} RecordColumns;

static void
record_columns_clear (RecordColumns *columns)
{
  g_clear_pointer (&columns->history, g_variant_unref);
}

static const char *
string_of (GVariant *value)
{
  return g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ? g_variant_get_string (value, NULL)
                                                             : NULL;
}

/* Records come from tirkeu_request_to_variant() (a request the journal was given, or the
 * portal's confirmation of one), so they load again by construction: the journal checks what
 * its own columns need, not the whole model again (rebuilding a TirkeuRequest per record was
 * most of a batch's cost). */
static gboolean
record_columns_read (GVariant       *record,
                     RecordColumns  *columns,
                     GError        **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;
  gboolean has_created = FALSE;
  gboolean has_updated = FALSE;

  memset (columns, 0, sizeof *columns);
  g_variant_iter_init (&iter, record);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_autoptr(GVariant) owned = value;

      /* the strings stay valid: they belong to @record, which outlives the columns */
      if (g_str_equal (key, "portal-id"))
        columns->portal_id = string_of (value);
      else if (g_str_equal (key, "idempotency-key"))
        columns->idempotency_key = string_of (value);
      else if (g_str_equal (key, "seller-bin"))
        columns->seller_bin = string_of (value);
      else if (g_str_equal (key, "buyer-iin"))
        columns->buyer_iin = string_of (value);
      else if (g_str_equal (key, "buyer-name"))
        columns->buyer_name = string_of (value);
      else if (g_str_equal (key, "stage"))
        columns->stage = string_of (value);
      else if (g_str_equal (key, "created-at")
               && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        {
          columns->created_at = g_variant_get_int64 (value);
          has_created = TRUE;
        }
      else if (g_str_equal (key, "updated-at")
               && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        {
          columns->updated_at = g_variant_get_int64 (value);
          has_updated = TRUE;
        }
      else if (g_str_equal (key, "history")
               && g_variant_is_of_type (value, TIRKEU_JOURNAL_HISTORY_TYPE))
        columns->history = g_variant_ref (value);
      else if (g_str_equal (key, "vehicle") && g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT))
        {
          GVariantIter vehicle_iter;
          const char *vehicle_key;
          GVariant *vehicle_value;

          g_variant_iter_init (&vehicle_iter, value);
          while (g_variant_iter_next (&vehicle_iter, "{&sv}", &vehicle_key, &vehicle_value))
            {
              if (g_str_equal (vehicle_key, "vin"))
                columns->vin = string_of (vehicle_value);
              else if (g_str_equal (vehicle_key, "make"))
                columns->make = string_of (vehicle_value);
              else if (g_str_equal (vehicle_key, "model"))
                columns->model = string_of (vehicle_value);
              g_variant_unref (vehicle_value);
            }
        }
    }

  if (columns->portal_id == NULL || *columns->portal_id == '\0')
    {
      record_columns_clear (columns);
      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_INVALID,
                   _("A request record has no portal id"));
      return FALSE;
    }
  if (columns->stage == NULL || columns->idempotency_key == NULL || !has_created || !has_updated)
    {
      record_columns_clear (columns);
      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_INVALID,
                   _("A request record lacks its stage, key or times"));
      return FALSE;
    }

  return TRUE;
}

/* Records were checked at write time; one that does not load now was damaged since. */
TirkeuRequest *
_tirkeu_journal_request_from_record (GVariant  *record,
                                     GError   **error)
{
  g_autoptr(GError) model_error = NULL;
  TirkeuRequest *request = tirkeu_request_new_from_variant (record, &model_error);

  if (request == NULL)
    g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_CORRUPT, "%s: %s",
                 _("The journal file is damaged"), model_error->message);

  return request;
}

/* The key stored for @portal_id, or NULL (no row, or a row without a key). Inside the
 * transaction that then writes the row: nothing can change it in between. */
static gboolean
lookup_stored_key (sqlite3           *db,
                   UpsertStatements  *statements,
                   const char        *portal_id,
                   char             **stored_key,
                   GError           **error)
{
  sqlite3_stmt *stmt = statements->stored_key;
  int rc;

  *stored_key = NULL;
  _tirkeu_journal_bind_text (stmt, 1, portal_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    *stored_key = g_strdup (_tirkeu_journal_column_text (stmt, 0));
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      g_clear_pointer (stored_key, g_free);
      _tirkeu_journal_set_sqlite_error (error, db, rc, _("Could not read the journal"));
      return FALSE;
    }

  return TRUE;
}

/* When the stage last changed, as tirkeu_search_key_get_last_change() says of the loaded
 * request: the list's order, kept as a column so the latest requests load first. */
static gint64
last_change_of (RecordColumns *columns)
{
  gsize n = columns->history != NULL ? g_variant_n_children (columns->history) : 0;
  gint64 at = columns->updated_at;

  if (n > 0)
    g_variant_get_child (columns->history, n - 1, "(&sxm&s&s)", NULL, &at, NULL, NULL);

  return at;
}

/* @record with its idempotency key replaced by @idempotency_key. */
static GVariant *
record_with_key (GVariant   *record,
                 const char *idempotency_key)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, record);
  g_variant_dict_insert (&dict, "idempotency-key", "s", idempotency_key);

  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/* Inside a transaction. @idempotency_key, when not NULL, is the key the portal confirmed the
 * request for (tirkeu_journal_complete_async()).
 *
 * Which key a request keeps. A record's own key is not always the truth: the portal's
 * Request carries the key only from contract 1.1.0 on, and a request mapped from an older
 * portal's answer (a sync, `tirkeu-cli status`) holds a random key that TirkeuRequest made
 * up, indistinguishable from a real one. So, in this order:
 *   1. @idempotency_key: the outbox key the desk submitted with and the portal answered;
 *      it is the request's key by definition, and it must win over a key a sync of an
 *      older portal made up in the meantime (or the outbox and the request no longer meet);
 *   2. the key already stored for the portal id: the first key the journal learnt for a
 *      request (from the desk's own submission, or from a sync) is never replaced by another;
 *   3. the record's key, for a request the journal has no key for yet.
 * The column and the record blob get the same key, so that the loaded TirkeuRequest and the
 * outbox matching (tirkeu_journal_enqueue_async()'s check) agree. Marking sync-made records
 * as untrusted instead would need a flag the core's record does not have, and would still
 * leave rule 2 to decide between two trusted keys. */
gboolean
_tirkeu_journal_upsert_request (sqlite3           *db,
                                UpsertStatements  *statements,
                                GVariant          *record,
                                const char        *idempotency_key,
                                GError           **error)
{
  sqlite3_stmt *upsert = statements->upsert;
  g_autoptr(GVariant) rekeyed = NULL;
  g_autofree char *stored_key = NULL;
  RecordColumns columns;
  gint64 request_id;
  gboolean ok = FALSE;
  int rc;

  if (!record_columns_read (record, &columns, error))
    return FALSE;

  if (idempotency_key == NULL)
    {
      if (!lookup_stored_key (db, statements, columns.portal_id, &stored_key, error))
        goto out;
      idempotency_key = stored_key != NULL ? stored_key : columns.idempotency_key;
    }
  if (!g_str_equal (idempotency_key, columns.idempotency_key))
    {
      /* the key must load again: the core keeps UUID keys only */
      if (!g_uuid_string_is_valid (idempotency_key))
        {
          g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_INVALID,
                       _("A request's idempotency key is not a UUID"));
          goto out;
        }
      rekeyed = record_with_key (record, idempotency_key);
      record = rekeyed;
    }

  _tirkeu_journal_bind_text (upsert, 1, columns.portal_id);
  _tirkeu_journal_bind_text (upsert, 2, idempotency_key);
  _tirkeu_journal_bind_text (upsert, 3, columns.seller_bin);
  _tirkeu_journal_bind_text (upsert, 4, columns.vin);
  _tirkeu_journal_bind_text (upsert, 5, columns.buyer_iin);
  _tirkeu_journal_bind_text (upsert, 6, columns.buyer_name);
  _tirkeu_journal_bind_text (upsert, 7, columns.make);
  _tirkeu_journal_bind_text (upsert, 8, columns.model);
  _tirkeu_journal_bind_text (upsert, 9, columns.stage);
  sqlite3_bind_int64 (upsert, 10, columns.created_at);
  sqlite3_bind_int64 (upsert, 11, columns.updated_at);
  sqlite3_bind_int64 (upsert, 13, last_change_of (&columns));
  _tirkeu_journal_bind_record (upsert, 12, record);

  rc = sqlite3_step (upsert);
  if (rc == SQLITE_ROW)
    {
      request_id = sqlite3_column_int64 (upsert, 0);
      rc = sqlite3_step (upsert);
    }
  else
    {
      request_id = -1;  /* stale: nothing changed */
    }
  sqlite3_reset (upsert);
  sqlite3_clear_bindings (upsert);

  if (rc != SQLITE_DONE)
    {
      _tirkeu_journal_set_sqlite_error (error, db, rc, _("Could not write to the journal"));
      goto out;
    }

  if (request_id >= 0 && columns.history != NULL)
    {
      GVariantIter iter;
      const char *stage;
      gint64 at;
      const char *message;
      const char *actor;
      gint64 seq = 0;

      sqlite3_bind_int64 (statements->clear_history, 1, request_id);
      if (!_tirkeu_journal_db_step_done (db, statements->clear_history, error))
        goto out;

      g_variant_iter_init (&iter, columns.history);
      while (g_variant_iter_next (&iter, "(&sxm&s&s)", &stage, &at, &message, &actor))
        {
          sqlite3_stmt *add = statements->add_history;

          sqlite3_bind_int64 (add, 1, request_id);
          sqlite3_bind_int64 (add, 2, seq++);
          _tirkeu_journal_bind_text (add, 3, stage);
          sqlite3_bind_int64 (add, 4, at);
          _tirkeu_journal_bind_text (add, 5, actor);
          /* the serialized text in every language, as the record holds it (schema 3) */
          _tirkeu_journal_bind_text (add, 6, message);

          if (!_tirkeu_journal_db_step_done (db, add, error))
            goto out;
        }
    }

  ok = TRUE;

out:
  record_columns_clear (&columns);
  return ok;
}

static gboolean
set_meta (sqlite3     *db,
          const char  *key,
          const char  *value,
          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = _tirkeu_journal_db_prepare (db,
    "INSERT INTO meta (key, value) VALUES (?1, ?2)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    error);

  if (stmt == NULL)
    return FALSE;

  _tirkeu_journal_bind_text (stmt, 1, key);
  _tirkeu_journal_bind_text (stmt, 2, value);
  return _tirkeu_journal_db_step_done (db, stmt, error);
}

static void
job_upsert_requests (GTask        *task,
                     Worker       *worker,
                     JobArgs      *args,
                     GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  UpsertStatements statements = { NULL, };

  if (!_tirkeu_journal_db_begin (db, &error))
    goto fail;

  if (!_tirkeu_journal_upsert_statements_prepare (db, &statements, &error))
    goto fail;

  for (guint i = 0; i < args->records->len; i++)
    {
      if (i % CANCEL_CHECK_EVERY == 0 && g_cancellable_set_error_if_cancelled (cancellable,
                                                                                &error))
        goto fail;

      /* One record at a time, dropped once written: writing any batch keeps the peak
       * memory flat, and the caller's thread never serializes it. */
      {
        /* not floating: sinking it again would take a reference never dropped */
        g_autoptr(GVariant) record =
          tirkeu_request_to_variant (g_ptr_array_index (args->records, i));

        if (!_tirkeu_journal_upsert_request (db, &statements, record, NULL, &error))
          goto fail;
      }
    }

  /* The cursor commits with the batch it follows, or not at all: after a crash the next
   * sync asks again from the old cursor and the upserts are idempotent. */
  if (args->text != NULL && !set_meta (db, CURSOR_KEY, args->text, &error))
    goto fail;

  _tirkeu_journal_upsert_statements_clear (&statements);
  if (!_tirkeu_journal_db_commit (db, &error))
    goto fail;

  _tirkeu_journal_job_return_boolean (task, TRUE);
  return;

fail:
  _tirkeu_journal_upsert_statements_clear (&statements);
  _tirkeu_journal_db_rollback (db);
  _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
}

/**
 * tirkeu_journal_upsert_requests_async:
 * @self: a #TirkeuJournal
 * @requests: (element-type TirkeuRequest): requests with a portal id; they are serialized
 *   (tirkeu_request_to_variant()) on the journal's thread, so the caller must not change them
 *   until @callback runs (the sync hands over freshly mapped pages it only reads)
 * @cursor: (nullable): the sync cursor after these records, or %NULL to keep the cursor
 * @cancellable: (nullable): a #GCancellable; a cancelled batch rolls back whole
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Inserts or updates the requests by portal id and stores @cursor, all in one transaction:
 * either the whole batch and its cursor are in the file, or none of it. A request the
 * journal already holds keeps its stored idempotency key, whatever key the new copy carries
 * (a portal before contract 1.1.0 does not send it: the mapped request has a made-up one).
 * A request whose
 * update time is older than the stored one's is skipped (an out-of-order sync page). A
 * request without a portal id fails the whole batch with %TIRKEU_STORE_ERROR_INVALID.
 */
void
tirkeu_journal_upsert_requests_async (TirkeuJournal       *self,
                                      GPtrArray           *requests,
                                      const char          *cursor,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));
  g_return_if_fail (requests != NULL);

  task = _tirkeu_journal_new_job (self, tirkeu_journal_upsert_requests_async, job_upsert_requests,
                                  cancellable, callback, user_data, &args);
  /* Serialized on the journal's thread, one by one as they are written (see the
   * documentation: the caller leaves them unchanged until the callback). */
  args->records = g_ptr_array_new_full (requests->len, g_object_unref);
  for (guint i = 0; i < requests->len; i++)
    g_ptr_array_add (args->records, g_object_ref (g_ptr_array_index (requests, i)));
  args->text = g_strdup (cursor);
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_upsert_requests_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Returns: %TRUE when the batch and the cursor were committed
 */
gboolean
tirkeu_journal_upsert_requests_finish (TirkeuJournal  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  return _tirkeu_journal_finish_boolean (self, result, tirkeu_journal_upsert_requests_async, error);
}

/**
 * tirkeu_journal_upsert_requests_sync:
 * @self: a #TirkeuJournal
 * @requests: (element-type TirkeuRequest): as for tirkeu_journal_upsert_requests_async()
 * @cursor: (nullable): the sync cursor after these records
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * tirkeu_journal_upsert_requests_async() on the journal's thread, blocking the caller.
 *
 * Returns: %TRUE when the batch and the cursor were committed
 */
gboolean
tirkeu_journal_upsert_requests_sync (TirkeuJournal  *self,
                                     GPtrArray      *requests,
                                     const char     *cursor,
                                     GCancellable   *cancellable,
                                     GError        **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  tirkeu_journal_upsert_requests_async (self, requests, cursor, cancellable,
                                        _tirkeu_journal_sync_result_cb, &result);
  _tirkeu_journal_wait_for_result (context, &result);
  g_main_context_pop_thread_default (context);

  return tirkeu_journal_upsert_requests_finish (self, result, error);
}

static int
compare_requests (gconstpointer a,
                  gconstpointer b)
{
  return tirkeu_search_key_compare (*(TirkeuRequest **) a, *(TirkeuRequest **) b);
}

static void
job_list_requests (GTask        *task,
                   Worker       *worker,
                   JobArgs      *args,
                   GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) records = NULL;
  guint n_damaged = 0;
  int rc;

  stmt = _tirkeu_journal_db_prepare (db,
                                     "SELECT record FROM requests"
                                     " ORDER BY last_change DESC, portal_id DESC"
                                     " LIMIT ?1 OFFSET ?2",
                                     &error);
  if (stmt == NULL)
    {
      _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
      return;
    }
  sqlite3_bind_int64 (stmt, 1, args->limit);
  sqlite3_bind_int64 (stmt, 2, args->offset);

  records = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GVariant) record = NULL;
      TirkeuRequest *request;

      if (records->len % CANCEL_CHECK_EVERY == 0 &&
          _tirkeu_journal_job_return_if_cancelled (task))
        return;

      /* Built here, off the caller's thread; nothing else sees them until they are returned. */
      record = g_variant_ref_sink (_tirkeu_journal_record_from_column (stmt, 0));
      request = _tirkeu_journal_request_from_record (record, NULL);
      /* One damaged record costs that record, not the list: the others are still the
       * seller's work. Its row stays for tirkeu_journal_get_request_async() to report. */
      if (request == NULL)
        {
          n_damaged++;
          continue;
        }
      /* The list's search and sort keys, here rather than on the caller's main thread. */
      tirkeu_search_key_prepare (request);
      g_ptr_array_add (records, request);
    }

  if (n_damaged > 0)
    g_message ("%u damaged request records were left out of the list", n_damaged);

  /* In the list's order (the latest change first), by the prepared keys: the list then only
   * checks it. */
  g_ptr_array_sort (records, compare_requests);

  if (rc != SQLITE_DONE)
    {
      _tirkeu_journal_set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
      return;
    }

  _tirkeu_journal_job_return_pointer (task, g_steal_pointer (&records),
                                      (GDestroyNotify) g_ptr_array_unref);
}

/**
 * tirkeu_journal_list_requests_async:
 * @self: a #TirkeuJournal
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Loads every request with its history for the requests list, in its order: the latest
 * change first (tirkeu_search_key_compare(), with the keys prepared).
 * The objects are built on the journal's thread and belong to the caller once returned. A
 * record that no longer loads (damaged since it was written) is left out; the others are
 * listed.
 */
void
tirkeu_journal_list_requests_async (TirkeuJournal       *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));

  task = _tirkeu_journal_new_job (self, tirkeu_journal_list_requests_async, job_list_requests,
                                  cancellable, callback, user_data, &args);
  args->offset = 0;
  args->limit = -1;
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_list_requests_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Finishes tirkeu_journal_list_requests_async() or tirkeu_journal_list_requests_range_async().
 *
 * Returns: (transfer container) (element-type TirkeuRequest) (nullable): the requests
 */
GPtrArray *
tirkeu_journal_list_requests_finish (TirkeuJournal  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return _tirkeu_journal_finish_pointer (self, result, tirkeu_journal_list_requests_async, error);
}

/**
 * tirkeu_journal_list_requests_range_async:
 * @self: a #TirkeuJournal
 * @offset: how many requests to skip, in the list's order
 * @limit: how many to load at most, or -1 for all the rest
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Like tirkeu_journal_list_requests_async(), for a part of the list: the window shows the
 * latest requests while the rest loads.
 */
void
tirkeu_journal_list_requests_range_async (TirkeuJournal       *self,
                                          guint                offset,
                                          int                  limit,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));

  task = _tirkeu_journal_new_job (self, tirkeu_journal_list_requests_async, job_list_requests,
                                  cancellable, callback, user_data, &args);
  args->offset = offset;
  args->limit = limit < 0 ? -1 : limit;
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_list_requests_sync:
 * @self: a #TirkeuJournal
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * tirkeu_journal_list_requests_async() on the journal's thread, blocking the caller.
 *
 * Returns: (transfer container) (element-type TirkeuRequest) (nullable): the requests
 */
GPtrArray *
tirkeu_journal_list_requests_sync (TirkeuJournal  *self,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  tirkeu_journal_list_requests_async (self, cancellable, _tirkeu_journal_sync_result_cb, &result);
  _tirkeu_journal_wait_for_result (context, &result);
  g_main_context_pop_thread_default (context);

  return tirkeu_journal_list_requests_finish (self, result, error);
}

static void
job_list_request_stages (GTask        *task,
                         Worker       *worker,
                         JobArgs      *args,
                         GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GVariantBuilder builder;
  int rc;

  stmt = _tirkeu_journal_db_prepare (db, "SELECT portal_id, stage, updated_at FROM requests",
                                     &error);
  if (stmt == NULL)
    {
      _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_variant_builder_init (&builder, TIRKEU_JOURNAL_STAGE_LIST_TYPE);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_variant_builder_add (&builder, "(ssx)", _tirkeu_journal_column_text (stmt, 0),
                           _tirkeu_journal_column_text (stmt, 1),
                           (gint64) sqlite3_column_int64 (stmt, 2));

  if (rc != SQLITE_DONE)
    {
      g_variant_builder_clear (&builder);
      _tirkeu_journal_set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
      return;
    }

  _tirkeu_journal_job_return_pointer (task, g_variant_ref_sink (g_variant_builder_end (&builder)),
                                      (GDestroyNotify) g_variant_unref);
}

/**
 * tirkeu_journal_list_request_stages_async:
 * @self: a #TirkeuJournal
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * What the sync needs to know of every request the journal holds, from its columns alone
 * (no record is loaded): its number, its stage and when it was last updated.
 */
void
tirkeu_journal_list_request_stages_async (TirkeuJournal       *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));

  task = _tirkeu_journal_new_job (self, tirkeu_journal_list_request_stages_async,
                                  job_list_request_stages, cancellable, callback, user_data,
                                  &args);
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_list_request_stages_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Returns: (transfer full) (nullable): a %TIRKEU_JOURNAL_STAGE_LIST_TYPE variant
 */
GVariant *
tirkeu_journal_list_request_stages_finish (TirkeuJournal  *self,
                                           GAsyncResult   *result,
                                           GError        **error)
{
  return _tirkeu_journal_finish_pointer (self, result, tirkeu_journal_list_request_stages_async,
                                         error);
}

static void
job_get_request (GTask        *task,
                 Worker       *worker,
                 JobArgs      *args,
                 GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GVariant) record = NULL;
  TirkeuRequest *request;
  int rc;

  stmt = _tirkeu_journal_db_prepare (db, "SELECT record FROM requests WHERE portal_id = ?1",
                                     &error);
  if (stmt == NULL)
    goto fail;
  _tirkeu_journal_bind_text (stmt, 1, args->id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (&error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_NOT_FOUND,
                   _("There is no request %s in the journal"), args->id);
      goto fail;
    }
  if (rc != SQLITE_ROW)
    {
      _tirkeu_journal_set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      goto fail;
    }

  record = g_variant_ref_sink (_tirkeu_journal_record_from_column (stmt, 0));
  request = _tirkeu_journal_request_from_record (record, &error);
  if (request == NULL)
    goto fail;

  _tirkeu_journal_job_return_pointer (task, request, g_object_unref);
  return;

fail:
  _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
}

/**
 * tirkeu_journal_get_request_async:
 * @self: a #TirkeuJournal
 * @portal_id: the portal's request id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Loads one request with its stage history.
 */
void
tirkeu_journal_get_request_async (TirkeuJournal       *self,
                                  const char          *portal_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));
  g_return_if_fail (portal_id != NULL);

  task = _tirkeu_journal_new_job (self, tirkeu_journal_get_request_async, job_get_request,
                                  cancellable, callback, user_data, &args);
  args->id = g_strdup (portal_id);
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_get_request_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR (%TIRKEU_STORE_ERROR_NOT_FOUND when
 *   the journal has no such request)
 *
 * Returns: (transfer full) (nullable): the request
 */
TirkeuRequest *
tirkeu_journal_get_request_finish (TirkeuJournal  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  return _tirkeu_journal_finish_pointer (self, result, tirkeu_journal_get_request_async, error);
}

/**
 * tirkeu_journal_get_request_sync:
 * @self: a #TirkeuJournal
 * @portal_id: the portal's request id
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * tirkeu_journal_get_request_async() on the journal's thread, blocking the caller.
 *
 * Returns: (transfer full) (nullable): the request
 */
TirkeuRequest *
tirkeu_journal_get_request_sync (TirkeuJournal  *self,
                                 const char     *portal_id,
                                 GCancellable   *cancellable,
                                 GError        **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  tirkeu_journal_get_request_async (self, portal_id, cancellable,
                                    _tirkeu_journal_sync_result_cb, &result);
  _tirkeu_journal_wait_for_result (context, &result);
  g_main_context_pop_thread_default (context);

  return tirkeu_journal_get_request_finish (self, result, error);
}

static void
job_get_cursor (GTask        *task,
                Worker       *worker,
                JobArgs      *args,
                GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _tirkeu_journal_db_prepare (db, "SELECT value FROM meta WHERE key = ?1", &error);
  if (stmt == NULL)
    {
      _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
      return;
    }

  _tirkeu_journal_bind_text (stmt, 1, CURSOR_KEY);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    _tirkeu_journal_job_return_pointer (task, g_strdup (_tirkeu_journal_column_text (stmt, 0)),
                                        g_free);
  else if (rc == SQLITE_DONE)
    _tirkeu_journal_job_return_pointer (task, NULL, NULL);
  else
    {
      _tirkeu_journal_set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
    }
}

/**
 * tirkeu_journal_get_cursor_async:
 * @self: a #TirkeuJournal
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Reads the sync cursor last committed by tirkeu_journal_upsert_requests_async().
 */
void
tirkeu_journal_get_cursor_async (TirkeuJournal       *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));

  task = _tirkeu_journal_new_job (self, tirkeu_journal_get_cursor_async, job_get_cursor,
                                  cancellable, callback, user_data, &args);
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_get_cursor_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Returns: (transfer full) (nullable): the cursor, or %NULL (with @error unset) before the
 *   first sync
 */
char *
tirkeu_journal_get_cursor_finish (TirkeuJournal  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  return _tirkeu_journal_finish_pointer (self, result, tirkeu_journal_get_cursor_async, error);
}

/**
 * tirkeu_journal_get_cursor_sync:
 * @self: a #TirkeuJournal
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * tirkeu_journal_get_cursor_async() on the journal's thread, blocking the caller.
 *
 * Returns: (transfer full) (nullable): the cursor, or %NULL before the first sync
 */
char *
tirkeu_journal_get_cursor_sync (TirkeuJournal  *self,
                                GCancellable   *cancellable,
                                GError        **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  tirkeu_journal_get_cursor_async (self, cancellable, _tirkeu_journal_sync_result_cb, &result);
  _tirkeu_journal_wait_for_result (context, &result);
  g_main_context_pop_thread_default (context);

  return tirkeu_journal_get_cursor_finish (self, result, error);
}
