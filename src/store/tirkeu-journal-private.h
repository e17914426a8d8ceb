/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Between the journal's files: the jobs run on its thread, SQLite helpers, what requests and
 * outbox share. Nothing here is used outside src/store. */

#include <gio/gio.h>
#include <sqlite3.h>

#include "tirkeu-journal.h"
#include "tirkeu-store-error.h"

G_BEGIN_DECLS

#define CURSOR_KEY "sync-cursor"

/* How long a write waits for another process's lock (the CLI while the app syncs) before
 * failing with TIRKEU_STORE_ERROR_IO. */
#define BUSY_TIMEOUT_MS 5000

/* Cancellation is checked this often inside a batch, which then rolls back whole. */
#define CANCEL_CHECK_EVERY 256

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

typedef struct
{
  sqlite3     *db;      /* NULL until the open job succeeded */
} Worker;

typedef struct
{
  char      *id;        /* draft id, idempotency key or portal id */
  char      *text;      /* path, cursor, last error or draft id, by job */
  GVariant  *variant;   /* draft fields or a record */
  GPtrArray *records;   /* of TirkeuRequest: upsert's batch, serialized on the worker */
  TirkeuDraft *draft;   /* save_typed_draft's copy */
  gint64     time;
  gint64     offset;    /* list_requests: the first row, and how many (-1: all) */
  gint64     limit;
} JobArgs;

typedef void (*JobFunc) (GTask        *task,
                         Worker       *worker,
                         JobArgs      *args,
                         GCancellable *cancellable);

typedef struct
{
  JobFunc func;
  JobArgs args;

  /* the result, set on the worker thread, handed to the task on the caller's context */
  GError *error;
  gpointer pointer;
  GDestroyNotify pointer_free;
  gboolean boolean;
  guint returned : 1;
  guint is_pointer : 1;
} Job;

typedef struct
{
  sqlite3_stmt *stored_key;
  sqlite3_stmt *upsert;
  sqlite3_stmt *clear_history;
  sqlite3_stmt *add_history;
} UpsertStatements;

void _tirkeu_journal_job_return_boolean (GTask    *task,
                                        gboolean  value);
void _tirkeu_journal_job_return_pointer (GTask          *task,
                                        gpointer        pointer,
                                        GDestroyNotify  pointer_free);
void _tirkeu_journal_job_return_error (GTask  *task,
                                      GError *error);
G_GNUC_PRINTF (4, 5)
void _tirkeu_journal_job_return_new_error (GTask      *task,
                                          GQuark      domain,
                                          int         code,
                                          const char *format,
                                          ...);
gboolean _tirkeu_journal_job_return_if_cancelled (GTask *task);
GTask * _tirkeu_journal_new_job (TirkeuJournal       *self,
                                gpointer             source_tag,
                                JobFunc              func,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data,
                                JobArgs            **args);
void _tirkeu_journal_push_job (TirkeuJournal *self,
                              GTask         *task);
void _tirkeu_journal_sync_result_cb (GObject      *source,
                                    GAsyncResult *result,
                                    gpointer      user_data);
GAsyncResult * _tirkeu_journal_wait_for_result (GMainContext  *context,
                                               GAsyncResult **slot);
gboolean _tirkeu_journal_finish_boolean (TirkeuJournal  *self,
                                        GAsyncResult   *result,
                                        gpointer        source_tag,
                                        GError        **error);
gpointer _tirkeu_journal_finish_pointer (TirkeuJournal  *self,
                                        GAsyncResult   *result,
                                        gpointer        source_tag,
                                        GError        **error);
void _tirkeu_journal_set_sqlite_error (GError     **error,
                                      sqlite3     *db,
                                      int          rc,
                                      const char  *message);
gboolean _tirkeu_journal_db_exec (sqlite3     *db,
                                 const char  *sql,
                                 GError     **error);
sqlite3_stmt * _tirkeu_journal_db_prepare (sqlite3     *db,
                                          const char  *sql,
                                          GError     **error);
gboolean _tirkeu_journal_db_step_done (sqlite3       *db,
                                      sqlite3_stmt  *stmt,
                                      GError       **error);
void _tirkeu_journal_bind_text (sqlite3_stmt *stmt,
                               int           index,
                               const char   *text);
const char * _tirkeu_journal_column_text (sqlite3_stmt *stmt,
                                         int           index);
gboolean _tirkeu_journal_db_begin (sqlite3  *db,
                                  GError  **error);
gboolean _tirkeu_journal_db_commit (sqlite3  *db,
                                   GError  **error);
void _tirkeu_journal_db_rollback (sqlite3 *db);
GBytes * _tirkeu_journal_record_to_bytes (GVariant *record);
GVariant * _tirkeu_journal_record_from_column (sqlite3_stmt *stmt,
                                              int           index);
void _tirkeu_journal_bind_record (sqlite3_stmt *stmt,
                                 int           index,
                                 GVariant     *record);
void _tirkeu_journal_job_open (GTask        *task,
                              Worker       *worker,
                              JobArgs      *args,
                              GCancellable *cancellable);
gboolean _tirkeu_journal_run_check (sqlite3     *db,
                                   const char  *pragma,
                                   GError     **error);
void _tirkeu_journal_upsert_statements_clear (UpsertStatements *statements);
gboolean _tirkeu_journal_upsert_statements_prepare (sqlite3           *db,
                                                   UpsertStatements  *statements,
                                                   GError           **error);
gboolean _tirkeu_journal_upsert_request (sqlite3           *db,
                                        UpsertStatements  *statements,
                                        GVariant          *record,
                                        const char        *idempotency_key,
                                        GError           **error);
TirkeuRequest * _tirkeu_journal_request_from_record (GVariant  *record,
                                                    GError   **error);
void _tirkeu_journal_job_check_integrity (GTask        *task,
                                         Worker       *worker,
                                         JobArgs      *args,
                                         GCancellable *cancellable);

G_END_DECLS
