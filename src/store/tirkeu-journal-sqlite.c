/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "tirkeu-journal-private.h"

/* SQLite helpers and the records' stored form (the journal's thread only). */

void
_tirkeu_journal_set_sqlite_error (GError     **error,
                                  sqlite3     *db,
                                  int          rc,
                                  const char  *message)
{
  int primary = rc & 0xff;
  TirkeuStoreError code;

  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    code = TIRKEU_STORE_ERROR_CORRUPT;
  else
    code = TIRKEU_STORE_ERROR_IO;

  /* sqlite3_errmsg names tables and constraints, never the values bound to a statement. */
  g_set_error (error, TIRKEU_STORE_ERROR, code, "%s: %s", message,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
}

gboolean
_tirkeu_journal_db_exec (sqlite3     *db,
                         const char  *sql,
                         GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _tirkeu_journal_set_sqlite_error (error, db, rc, _("Could not write to the journal"));
      return FALSE;
    }

  return TRUE;
}

sqlite3_stmt *
_tirkeu_journal_db_prepare (sqlite3     *db,
                            const char  *sql,
                            GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      _tirkeu_journal_set_sqlite_error (error, db, rc, _("Could not read the journal"));
      return NULL;
    }

  return stmt;
}

/* Steps a statement that returns no row (or whose rows are ignored) and resets it. */
gboolean
_tirkeu_journal_db_step_done (sqlite3       *db,
                              sqlite3_stmt  *stmt,
                              GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc != SQLITE_DONE)
    {
      _tirkeu_journal_set_sqlite_error (error, db, rc, _("Could not write to the journal"));
      return FALSE;
    }

  return TRUE;
}

void
_tirkeu_journal_bind_text (sqlite3_stmt *stmt,
                           int           index,
                           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

const char *
_tirkeu_journal_column_text (sqlite3_stmt *stmt,
                             int           index)
{
  const char *text = (const char *) sqlite3_column_text (stmt, index);

  return text != NULL ? text : "";
}

gboolean
_tirkeu_journal_db_begin (sqlite3  *db,
                          GError  **error)
{
  /* IMMEDIATE takes the write lock now, so a busy database fails here (after busy_timeout)
   * rather than halfway through the batch. */
  return _tirkeu_journal_db_exec (db, "BEGIN IMMEDIATE", error);
}

gboolean
_tirkeu_journal_db_commit (sqlite3  *db,
                           GError  **error)
{
  if (!_tirkeu_journal_db_exec (db, "COMMIT", error))
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  return TRUE;
}

void
_tirkeu_journal_db_rollback (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

/* Records are stored as serialized GVariants, in little-endian order whatever the host. */
GBytes *
_tirkeu_journal_record_to_bytes (GVariant *record)
{
  g_autoptr(GVariant) normal = g_variant_get_normal_form (record);

  if (G_BYTE_ORDER == G_BIG_ENDIAN)
    {
      g_autoptr(GVariant) swapped = g_variant_byteswap (normal);
      return g_variant_get_data_as_bytes (swapped);
    }

  return g_variant_get_data_as_bytes (normal);
}

GVariant *
_tirkeu_journal_record_from_column (sqlite3_stmt *stmt,
                                    int           index)
{
  const void *blob = sqlite3_column_blob (stmt, index);
  gsize size = sqlite3_column_bytes (stmt, index);
  /* The blob is only valid until the next step: copy it. trusted = FALSE: a damaged file
   * yields default values, never a crash. */
  g_autoptr(GBytes) bytes = g_bytes_new (blob, size);
  g_autoptr(GVariant) variant = g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE);

  if (G_BYTE_ORDER == G_BIG_ENDIAN)
    return g_variant_byteswap (variant);

  return g_steal_pointer (&variant);
}

void
_tirkeu_journal_bind_record (sqlite3_stmt *stmt,
                             int           index,
                             GVariant     *record)
{
  g_autoptr(GBytes) bytes = _tirkeu_journal_record_to_bytes (record);
  gsize size;
  gconstpointer data = g_bytes_get_data (bytes, &size);

  sqlite3_bind_blob64 (stmt, index, data != NULL ? data : "", size, SQLITE_TRANSIENT);
}
