/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "tirkeu-journal-private.h"
#include "tirkeu-stage.h"

/* Outbox: signed requests waiting for the portal's confirmation. */

static void
job_enqueue (GTask        *task,
             Worker       *worker,
             JobArgs      *args,
             GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) confirmed = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) drop_draft = NULL;
  int rc;

  if (!_tirkeu_journal_db_begin (db, &error))
    goto fail;

  /* The portal already confirmed a request with this key: queueing it again would only
   * make the app submit it again. A request a sync stored while it still waits for the
   * seller's signature (created, not yet signed) is not confirmed: it must be sendable. */
  confirmed = _tirkeu_journal_db_prepare (db,
                                          "SELECT stage FROM requests WHERE idempotency_key = ?1",
                                          &error);
  if (confirmed == NULL)
    goto fail;
  _tirkeu_journal_bind_text (confirmed, 1, args->id);
  rc = sqlite3_step (confirmed);
  if (rc == SQLITE_ROW)
    {
      TirkeuStage stored_stage;

      if (tirkeu_stage_from_string ((const char *) sqlite3_column_text (confirmed, 0),
                                    &stored_stage)
          && tirkeu_stage_awaits_signature (stored_stage))
        rc = SQLITE_DONE;
    }
  if (rc == SQLITE_ROW)
    {
      g_set_error (&error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_CONFLICT,
                   _("The portal has already confirmed this request"));
      goto fail;
    }
  if (rc != SQLITE_DONE)
    {
      _tirkeu_journal_set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      goto fail;
    }

  /* The same key again (a retry of the submit page) keeps the first entry: one key, one
   * entry, one request at the portal. */
  insert = _tirkeu_journal_db_prepare (db,
    "INSERT INTO outbox (idempotency_key, draft_id, record, attempts,"
    "  next_attempt_at, created_at) VALUES (?1, ?2, ?3, 0, ?4, ?5)"
    " ON CONFLICT (idempotency_key) DO NOTHING",
    &error);
  if (insert == NULL)
    goto fail;
  _tirkeu_journal_bind_text (insert, 1, args->id);
  _tirkeu_journal_bind_text (insert, 2, args->text);
  _tirkeu_journal_bind_record (insert, 3, args->variant);
  sqlite3_bind_int64 (insert, 4, args->time);
  sqlite3_bind_int64 (insert, 5, g_get_real_time ());
  if (!_tirkeu_journal_db_step_done (db, insert, &error))
    goto fail;

  /* The draft becomes the outbox entry in the same transaction: never both, never neither. */
  if (args->text != NULL)
    {
      drop_draft = _tirkeu_journal_db_prepare (db, "DELETE FROM drafts WHERE id = ?1", &error);
      if (drop_draft == NULL)
        goto fail;
      _tirkeu_journal_bind_text (drop_draft, 1, args->text);
      if (!_tirkeu_journal_db_step_done (db, drop_draft, &error))
        goto fail;
    }

  g_clear_pointer (&confirmed, sqlite3_finalize);
  g_clear_pointer (&insert, sqlite3_finalize);
  g_clear_pointer (&drop_draft, sqlite3_finalize);
  if (!_tirkeu_journal_db_commit (db, &error))
    goto fail;

  _tirkeu_journal_job_return_boolean (task, TRUE);
  return;

fail:
  g_clear_pointer (&confirmed, sqlite3_finalize);
  g_clear_pointer (&insert, sqlite3_finalize);
  g_clear_pointer (&drop_draft, sqlite3_finalize);
  _tirkeu_journal_db_rollback (db);
  _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
}

/**
 * tirkeu_journal_enqueue_async:
 * @self: a #TirkeuJournal
 * @request: the signed request; its idempotency key
 *   (tirkeu_request_get_idempotency_key()) is the one it is, and will be, submitted with
 * @draft_id: (nullable): the draft this request was typed in, deleted in the same
 *   transaction
 * @next_attempt_at: when to try first (microseconds since the epoch; g_get_real_time() for
 *   now)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Puts a request ready to submit into the outbox, where it stays across restarts until
 * tirkeu_journal_complete_async(). Enqueueing a key that is already in the outbox keeps the
 * first entry and succeeds; a key whose request the portal already confirmed fails with
 * %TIRKEU_STORE_ERROR_CONFLICT.
 */
void
tirkeu_journal_enqueue_async (TirkeuJournal       *self,
                              TirkeuRequest       *request,
                              const char          *draft_id,
                              gint64               next_attempt_at,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));
  g_return_if_fail (TIRKEU_IS_REQUEST (request));
  g_return_if_fail (tirkeu_request_get_idempotency_key (request) != NULL);

  task = _tirkeu_journal_new_job (self, tirkeu_journal_enqueue_async, job_enqueue,
                                  cancellable, callback, user_data, &args);
  args->id = g_strdup (tirkeu_request_get_idempotency_key (request));
  args->variant = tirkeu_request_to_variant (request);
  args->text = g_strdup (draft_id);
  args->time = next_attempt_at;
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_enqueue_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Returns: %TRUE when the request is in the outbox
 */
gboolean
tirkeu_journal_enqueue_finish (TirkeuJournal  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  return _tirkeu_journal_finish_boolean (self, result, tirkeu_journal_enqueue_async, error);
}

static void
job_record_attempt (GTask        *task,
                    Worker       *worker,
                    JobArgs      *args,
                    GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = _tirkeu_journal_db_prepare (db,
                                     "UPDATE outbox SET attempts = attempts + 1, last_error = ?2,"
                                     " next_attempt_at = ?3 WHERE idempotency_key = ?1",
                                     &error);
  if (stmt == NULL)
    goto fail;

  _tirkeu_journal_bind_text (stmt, 1, args->id);
  _tirkeu_journal_bind_text (stmt, 2, args->text);
  sqlite3_bind_int64 (stmt, 3, args->time);
  if (!_tirkeu_journal_db_step_done (db, stmt, &error))
    goto fail;

  if (sqlite3_changes (db) == 0)
    {
      g_set_error (&error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_NOT_FOUND,
                   _("The outbox holds no request with this key"));
      goto fail;
    }

  _tirkeu_journal_job_return_boolean (task, TRUE);
  return;

fail:
  _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
}

/**
 * tirkeu_journal_record_attempt_async:
 * @self: a #TirkeuJournal
 * @idempotency_key: the outbox entry's key
 * @last_error: (nullable): why the attempt failed (an error code's name or a technical
 *   message: never a request body)
 * @next_attempt_at: when to try again (microseconds since the epoch)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Counts a failed attempt to submit an outbox entry and schedules the next one.
 */
void
tirkeu_journal_record_attempt_async (TirkeuJournal       *self,
                                     const char          *idempotency_key,
                                     const char          *last_error,
                                     gint64               next_attempt_at,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));
  g_return_if_fail (idempotency_key != NULL);

  task = _tirkeu_journal_new_job (self, tirkeu_journal_record_attempt_async, job_record_attempt,
                                  cancellable, callback, user_data, &args);
  args->id = g_strdup (idempotency_key);
  args->text = g_strdup (last_error);
  args->time = next_attempt_at;
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_record_attempt_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR (%TIRKEU_STORE_ERROR_NOT_FOUND when
 *   the entry is not in the outbox)
 *
 * Returns: %TRUE when the attempt was recorded
 */
gboolean
tirkeu_journal_record_attempt_finish (TirkeuJournal  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  return _tirkeu_journal_finish_boolean (self, result, tirkeu_journal_record_attempt_async, error);
}

static void
job_complete (GTask        *task,
              Worker       *worker,
              JobArgs      *args,
              GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) remove = NULL;
  UpsertStatements statements = { NULL, };

  if (!_tirkeu_journal_db_begin (db, &error))
    goto fail;

  remove = _tirkeu_journal_db_prepare (db, "DELETE FROM outbox WHERE idempotency_key = ?1", &error);
  if (remove == NULL)
    goto fail;
  _tirkeu_journal_bind_text (remove, 1, args->id);
  if (!_tirkeu_journal_db_step_done (db, remove, &error))
    goto fail;

  /* The confirmed request enters the requests table in the same transaction as it leaves
   * the outbox: a crash in between can neither lose it nor leave it to be sent again. */
  if (args->variant != NULL)
    {
      if (!_tirkeu_journal_upsert_statements_prepare (db, &statements, &error) ||
          !_tirkeu_journal_upsert_request (db, &statements, args->variant, args->id, &error))
        goto fail;
    }

  _tirkeu_journal_upsert_statements_clear (&statements);
  g_clear_pointer (&remove, sqlite3_finalize);
  if (!_tirkeu_journal_db_commit (db, &error))
    goto fail;

  _tirkeu_journal_job_return_boolean (task, TRUE);
  return;

fail:
  _tirkeu_journal_upsert_statements_clear (&statements);
  g_clear_pointer (&remove, sqlite3_finalize);
  _tirkeu_journal_db_rollback (db);
  _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
}

/**
 * tirkeu_journal_complete_async:
 * @self: a #TirkeuJournal
 * @idempotency_key: the outbox entry's key
 * @confirmed: (nullable): the request as the portal confirmed it, with its portal id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * The portal confirmed the request: removes the outbox entry and stores @confirmed (with
 * @idempotency_key, in the row and in the record, whatever key @confirmed carries or a
 * sync stored before) among the requests, in one transaction. Completing the same key twice
 * updates the one request and succeeds.
 */
void
tirkeu_journal_complete_async (TirkeuJournal       *self,
                               const char          *idempotency_key,
                               TirkeuRequest       *confirmed,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));
  g_return_if_fail (idempotency_key != NULL);
  g_return_if_fail (confirmed == NULL || TIRKEU_IS_REQUEST (confirmed));

  task = _tirkeu_journal_new_job (self, tirkeu_journal_complete_async, job_complete,
                                  cancellable, callback, user_data, &args);
  args->id = g_strdup (idempotency_key);
  args->variant = confirmed != NULL ? tirkeu_request_to_variant (confirmed) : NULL;
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_complete_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Returns: %TRUE when the entry left the outbox and the request was stored
 */
gboolean
tirkeu_journal_complete_finish (TirkeuJournal  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  return _tirkeu_journal_finish_boolean (self, result, tirkeu_journal_complete_async, error);
}

static void
job_list_outbox_due (GTask        *task,
                     Worker       *worker,
                     JobArgs      *args,
                     GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GVariantBuilder list;
  int rc;

  stmt = _tirkeu_journal_db_prepare (db,
    "SELECT idempotency_key, record, attempts, last_error, next_attempt_at,"
    " draft_id FROM outbox WHERE next_attempt_at <= ?1"
    " ORDER BY next_attempt_at, created_at",
    &error);
  if (stmt == NULL)
    {
      _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
      return;
    }
  sqlite3_bind_int64 (stmt, 1, args->time);

  g_variant_builder_init (&list, TIRKEU_JOURNAL_OUTBOX_LIST_TYPE);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GVariant) record =
        g_variant_ref_sink (_tirkeu_journal_record_from_column (stmt, 1));

      g_variant_builder_add (&list, "(s@a{sv}usxs)",
                             _tirkeu_journal_column_text (stmt, 0),
                             record,
                             (guint32) sqlite3_column_int64 (stmt, 2),
                             _tirkeu_journal_column_text (stmt, 3),
                             (gint64) sqlite3_column_int64 (stmt, 4),
                             _tirkeu_journal_column_text (stmt, 5));
    }

  if (rc != SQLITE_DONE)
    {
      g_variant_builder_clear (&list);
      _tirkeu_journal_set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
      return;
    }

  _tirkeu_journal_job_return_pointer (task, g_variant_ref_sink (g_variant_builder_end (&list)),
                                      (GDestroyNotify) g_variant_unref);
}

/**
 * tirkeu_journal_list_outbox_due_async:
 * @self: a #TirkeuJournal
 * @now: the time to compare with (microseconds since the epoch); %G_MAXINT64 lists the whole
 *   outbox
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Lists the outbox entries whose next attempt is due at @now.
 */
void
tirkeu_journal_list_outbox_due_async (TirkeuJournal       *self,
                                      gint64               now,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));

  task = _tirkeu_journal_new_job (self, tirkeu_journal_list_outbox_due_async, job_list_outbox_due,
                                  cancellable, callback, user_data, &args);
  args->time = now;
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_list_outbox_due_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Returns: (transfer full) (nullable): the entries, of type %TIRKEU_JOURNAL_OUTBOX_LIST_TYPE
 */
GVariant *
tirkeu_journal_list_outbox_due_finish (TirkeuJournal  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  return _tirkeu_journal_finish_pointer (self, result, tirkeu_journal_list_outbox_due_async, error);
}
