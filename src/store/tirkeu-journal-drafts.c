/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "tirkeu-journal-private.h"

/* Drafts: the request being typed. */

static void
job_save_draft (GTask        *task,
                Worker       *worker,
                JobArgs      *args,
                GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) draft = NULL;
  g_autoptr(sqlite3_stmt) field = NULL;
  GVariantIter iter;
  const char *name;
  const char *value;

  if (!_tirkeu_journal_db_begin (db, &error))
    goto fail;

  draft = _tirkeu_journal_db_prepare (db,
    "INSERT INTO drafts (id, created_at, updated_at) VALUES (?1, ?2, ?2) "
    "ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at",
    &error);
  field = _tirkeu_journal_db_prepare (db,
    "INSERT INTO draft_fields (draft_id, name, value) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (draft_id, name) DO UPDATE SET value = excluded.value",
    &error);
  if (draft == NULL || field == NULL)
    goto fail;

  _tirkeu_journal_bind_text (draft, 1, args->id);
  sqlite3_bind_int64 (draft, 2, g_get_real_time ());
  if (!_tirkeu_journal_db_step_done (db, draft, &error))
    goto fail;

  g_variant_iter_init (&iter, args->variant);
  while (g_variant_iter_next (&iter, "{&s&s}", &name, &value))
    {
      _tirkeu_journal_bind_text (field, 1, args->id);
      _tirkeu_journal_bind_text (field, 2, name);
      _tirkeu_journal_bind_text (field, 3, value);
      if (!_tirkeu_journal_db_step_done (db, field, &error))
        goto fail;
    }

  if (!_tirkeu_journal_db_commit (db, &error))
    goto fail;

  _tirkeu_journal_job_return_boolean (task, TRUE);
  return;

fail:
  _tirkeu_journal_db_rollback (db);
  _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
}

/**
 * tirkeu_journal_save_draft_async:
 * @self: a #TirkeuJournal
 * @draft_id: the draft's id (a UUID the caller made, g_uuid_string_random())
 * @fields: (transfer floating): the fields to save, of type %TIRKEU_JOURNAL_DRAFT_FIELDS_TYPE,
 *   each exactly as typed
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Creates the draft or updates it: the given fields replace their old values, fields not
 * given keep theirs (so the page can save just the field being typed), and the draft's
 * update time is now.
 */
void
tirkeu_journal_save_draft_async (TirkeuJournal       *self,
                                 const char          *draft_id,
                                 GVariant            *fields,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));
  g_return_if_fail (draft_id != NULL && *draft_id != '\0');
  g_return_if_fail (fields != NULL &&
                    g_variant_is_of_type (fields, TIRKEU_JOURNAL_DRAFT_FIELDS_TYPE));

  task = _tirkeu_journal_new_job (self, tirkeu_journal_save_draft_async, job_save_draft,
                                  cancellable, callback, user_data, &args);
  args->id = g_strdup (draft_id);
  args->variant = g_variant_ref_sink (fields);
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_save_draft_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Returns: %TRUE when the draft was saved
 */
gboolean
tirkeu_journal_save_draft_finish (TirkeuJournal  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  return _tirkeu_journal_finish_boolean (self, result, tirkeu_journal_save_draft_async, error);
}

static gboolean
draft_exists (sqlite3     *db,
              const char  *draft_id,
              gboolean    *exists,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = _tirkeu_journal_db_prepare (db,
                                                             "SELECT 1 FROM drafts WHERE id = ?1",
                                                             error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  _tirkeu_journal_bind_text (stmt, 1, draft_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _tirkeu_journal_set_sqlite_error (error, db, rc, _("Could not read the journal"));
      return FALSE;
    }

  *exists = rc == SQLITE_ROW;
  return TRUE;
}

static void
job_load_draft (GTask        *task,
                Worker       *worker,
                JobArgs      *args,
                GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GVariantBuilder builder;
  gboolean exists = FALSE;
  int rc;

  /* Two statements, one snapshot: a write between them cannot split the draft. */
  if (!_tirkeu_journal_db_exec (db, "BEGIN", &error))
    goto fail;

  if (!draft_exists (db, args->id, &exists, &error))
    goto fail;

  if (!exists)
    {
      g_set_error (&error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_NOT_FOUND,
                   _("There is no such draft"));
      goto fail;
    }

  stmt = _tirkeu_journal_db_prepare (db,
                                     "SELECT name, value FROM draft_fields WHERE draft_id = ?1"
                                     " ORDER BY name",
                                     &error);
  if (stmt == NULL)
    goto fail;
  _tirkeu_journal_bind_text (stmt, 1, args->id);

  g_variant_builder_init (&builder, TIRKEU_JOURNAL_DRAFT_FIELDS_TYPE);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_variant_builder_add (&builder, "{ss}", _tirkeu_journal_column_text (stmt, 0),
                           _tirkeu_journal_column_text (stmt, 1));

  if (rc != SQLITE_DONE)
    {
      g_variant_builder_clear (&builder);
      _tirkeu_journal_set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      goto fail;
    }

  _tirkeu_journal_db_rollback (db);
  _tirkeu_journal_job_return_pointer (task, g_variant_ref_sink (g_variant_builder_end (&builder)),
                                      (GDestroyNotify) g_variant_unref);
  return;

fail:
  _tirkeu_journal_db_rollback (db);
  _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
}

/**
 * tirkeu_journal_load_draft_async:
 * @self: a #TirkeuJournal
 * @draft_id: the draft's id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Loads a draft's fields.
 */
void
tirkeu_journal_load_draft_async (TirkeuJournal       *self,
                                 const char          *draft_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));
  g_return_if_fail (draft_id != NULL);

  task = _tirkeu_journal_new_job (self, tirkeu_journal_load_draft_async, job_load_draft,
                                  cancellable, callback, user_data, &args);
  args->id = g_strdup (draft_id);
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_load_draft_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR (%TIRKEU_STORE_ERROR_NOT_FOUND when
 *   there is no such draft)
 *
 * Returns: (transfer full) (nullable): the fields, of type
 *   %TIRKEU_JOURNAL_DRAFT_FIELDS_TYPE, sorted by name
 */
GVariant *
tirkeu_journal_load_draft_finish (TirkeuJournal  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  return _tirkeu_journal_finish_pointer (self, result, tirkeu_journal_load_draft_async, error);
}

static void
job_list_drafts (GTask        *task,
                 Worker       *worker,
                 JobArgs      *args,
                 GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GVariantBuilder list;
  GVariantBuilder fields;
  g_autofree char *current = NULL;
  gint64 current_updated = 0;
  gboolean fields_open = FALSE;
  int rc;

  stmt = _tirkeu_journal_db_prepare (db,
                                     "SELECT d.id, d.updated_at, f.name, f.value FROM drafts d "
                                     "LEFT JOIN draft_fields f ON f.draft_id = d.id "
                                     "ORDER BY d.updated_at DESC, d.rowid DESC, f.name",
                                     &error);
  if (stmt == NULL)
    {
      _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_variant_builder_init (&list, TIRKEU_JOURNAL_DRAFT_LIST_TYPE);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = _tirkeu_journal_column_text (stmt, 0);

      if (current == NULL || !g_str_equal (current, id))
        {
          if (current != NULL)
            g_variant_builder_add (&list, "(sxa{ss})", current, current_updated, &fields);
          g_free (current);
          current = g_strdup (id);
          current_updated = sqlite3_column_int64 (stmt, 1);
          g_variant_builder_init (&fields, TIRKEU_JOURNAL_DRAFT_FIELDS_TYPE);
          fields_open = TRUE;
        }

      if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
        g_variant_builder_add (&fields, "{ss}", _tirkeu_journal_column_text (stmt, 2),
                               _tirkeu_journal_column_text (stmt, 3));
    }

  if (rc != SQLITE_DONE)
    {
      if (fields_open)
        g_variant_builder_clear (&fields);
      g_variant_builder_clear (&list);
      _tirkeu_journal_set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (current != NULL)
    g_variant_builder_add (&list, "(sxa{ss})", current, current_updated, &fields);

  _tirkeu_journal_job_return_pointer (task, g_variant_ref_sink (g_variant_builder_end (&list)),
                                      (GDestroyNotify) g_variant_unref);
}

/**
 * tirkeu_journal_list_drafts_async:
 * @self: a #TirkeuJournal
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Lists the drafts, the latest saved first, for resuming after a crash or a closed window.
 */
void
tirkeu_journal_list_drafts_async (TirkeuJournal       *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));

  task = _tirkeu_journal_new_job (self, tirkeu_journal_list_drafts_async, job_list_drafts,
                                  cancellable, callback, user_data, &args);
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_list_drafts_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Returns: (transfer full) (nullable): the drafts, of type %TIRKEU_JOURNAL_DRAFT_LIST_TYPE
 */
GVariant *
tirkeu_journal_list_drafts_finish (TirkeuJournal  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  return _tirkeu_journal_finish_pointer (self, result, tirkeu_journal_list_drafts_async, error);
}

static void
job_delete_draft (GTask        *task,
                  Worker       *worker,
                  JobArgs      *args,
                  GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  /* draft_fields go with it: ON DELETE CASCADE */
  stmt = _tirkeu_journal_db_prepare (db, "DELETE FROM drafts WHERE id = ?1", &error);
  if (stmt == NULL)
    {
      _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
      return;
    }

  _tirkeu_journal_bind_text (stmt, 1, args->id);
  if (!_tirkeu_journal_db_step_done (db, stmt, &error))
    {
      _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
      return;
    }

  _tirkeu_journal_job_return_boolean (task, TRUE);
}

/**
 * tirkeu_journal_delete_draft_async:
 * @self: a #TirkeuJournal
 * @draft_id: the draft's id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Deletes a draft and its fields. Deleting a draft that does not exist succeeds.
 */
void
tirkeu_journal_delete_draft_async (TirkeuJournal       *self,
                                   const char          *draft_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));
  g_return_if_fail (draft_id != NULL);

  task = _tirkeu_journal_new_job (self, tirkeu_journal_delete_draft_async, job_delete_draft,
                                  cancellable, callback, user_data, &args);
  args->id = g_strdup (draft_id);
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_delete_draft_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Returns: %TRUE when the draft is gone
 */
gboolean
tirkeu_journal_delete_draft_finish (TirkeuJournal  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return _tirkeu_journal_finish_boolean (self, result, tirkeu_journal_delete_draft_async, error);
}

/* --- drafts as TirkeuDraft ------------------------------------------------------------ */

/* A draft's fields by the names the journal keeps them under (the names
 * tirkeu_draft_to_fields() gives them): the typed calls and the a{ss} ones read and write
 * the same rows. An unset value is stored as "". */
typedef struct
{
  const char *name;
  gsize       offset;
} DraftField;

static const DraftField draft_fields[] = {
  { "vin", G_STRUCT_OFFSET (TirkeuDraft, vin) },
  { "buyer-iin", G_STRUCT_OFFSET (TirkeuDraft, buyer_iin) },
  { "contract-number", G_STRUCT_OFFSET (TirkeuDraft, contract_number) },
  { "idempotency-key", G_STRUCT_OFFSET (TirkeuDraft, idempotency_key) },
  { "portal-id", G_STRUCT_OFFSET (TirkeuDraft, portal_id) },
};

static char **
draft_field (TirkeuDraft      *draft,
             const DraftField *field)
{
  return G_STRUCT_MEMBER_P (draft, field->offset);
}

static void
job_save_typed_draft (GTask        *task,
                      Worker       *worker,
                      JobArgs      *args,
                      GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) draft = NULL;
  g_autoptr(sqlite3_stmt) field = NULL;

  if (!_tirkeu_journal_db_begin (db, &error))
    goto fail;

  draft = _tirkeu_journal_db_prepare (db,
    "INSERT INTO drafts (id, created_at, updated_at) VALUES (?1, ?2, ?2) "
    "ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at",
    &error);
  field = _tirkeu_journal_db_prepare (db,
    "INSERT INTO draft_fields (draft_id, name, value) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (draft_id, name) DO UPDATE SET value = excluded.value",
    &error);
  if (draft == NULL || field == NULL)
    goto fail;

  _tirkeu_journal_bind_text (draft, 1, args->draft->id);
  sqlite3_bind_int64 (draft, 2, g_get_real_time ());
  if (!_tirkeu_journal_db_step_done (db, draft, &error))
    goto fail;

  for (gsize i = 0; i < G_N_ELEMENTS (draft_fields); i++)
    {
      const char *value = *draft_field (args->draft, &draft_fields[i]);

      _tirkeu_journal_bind_text (field, 1, args->draft->id);
      _tirkeu_journal_bind_text (field, 2, draft_fields[i].name);
      _tirkeu_journal_bind_text (field, 3, value != NULL ? value : "");
      if (!_tirkeu_journal_db_step_done (db, field, &error))
        goto fail;
    }

  if (!_tirkeu_journal_db_commit (db, &error))
    goto fail;

  _tirkeu_journal_job_return_boolean (task, TRUE);
  return;

fail:
  _tirkeu_journal_db_rollback (db);
  _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
}

/**
 * tirkeu_journal_save_typed_draft_async:
 * @self: a #TirkeuJournal
 * @draft: the draft (copied): its id names it, every field is stored
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Creates the draft or updates it with every field of @draft, without going through its
 * a{ss} form; the draft's update time is now.
 */
void
tirkeu_journal_save_typed_draft_async (TirkeuJournal       *self,
                                       const TirkeuDraft   *draft,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));
  g_return_if_fail (draft != NULL && draft->id != NULL && *draft->id != '\0');
  g_return_if_fail (draft->idempotency_key != NULL);

  task = _tirkeu_journal_new_job (self, tirkeu_journal_save_typed_draft_async,
                                  job_save_typed_draft, cancellable, callback, user_data, &args);
  args->draft = tirkeu_draft_copy (draft);
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_save_typed_draft_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Returns: %TRUE when the draft was saved
 */
gboolean
tirkeu_journal_save_typed_draft_finish (TirkeuJournal  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  return _tirkeu_journal_finish_boolean (self, result, tirkeu_journal_save_typed_draft_async,
                                         error);
}

/* Ends the draft being read; a draft without an Idempotency-Key that is a UUID is left out
 * (tirkeu_draft_new_from_fields() says why: a key made up anew could register the sale a
 * second time). */
static void
typed_draft_done (GPtrArray   *drafts,
                  TirkeuDraft *draft)
{
  if (draft == NULL)
    return;
  if (draft->vin == NULL)
    draft->vin = g_strdup ("");
  if (draft->buyer_iin == NULL)
    draft->buyer_iin = g_strdup ("");
  if (draft->idempotency_key == NULL || !g_uuid_string_is_valid (draft->idempotency_key))
    {
      g_debug ("Draft %s skipped: it has no valid Idempotency-Key", draft->id);
      tirkeu_draft_free (draft);
      return;
    }
  g_ptr_array_add (drafts, draft);
}

static void
job_list_typed_drafts (GTask        *task,
                       Worker       *worker,
                       JobArgs      *args,
                       GCancellable *cancellable)
{
  sqlite3 *db = worker->db;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func ((GDestroyNotify) tirkeu_draft_free);
  TirkeuDraft *current = NULL;
  int rc;

  stmt = _tirkeu_journal_db_prepare (db,
                                     "SELECT d.id, d.updated_at, f.name, f.value FROM drafts d "
                                     "LEFT JOIN draft_fields f ON f.draft_id = d.id "
                                     "ORDER BY d.updated_at DESC, d.rowid DESC, f.name",
                                     &error);
  if (stmt == NULL)
    {
      _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
      return;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = _tirkeu_journal_column_text (stmt, 0);
      const char *name, *value;

      if (current == NULL || !g_str_equal (current->id, id))
        {
          typed_draft_done (drafts, current);
          current = g_new0 (TirkeuDraft, 1);
          current->id = g_strdup (id);
          current->updated_at = sqlite3_column_int64 (stmt, 1);
        }
      if (sqlite3_column_type (stmt, 2) == SQLITE_NULL)
        continue;
      name = _tirkeu_journal_column_text (stmt, 2);
      value = _tirkeu_journal_column_text (stmt, 3);
      for (gsize i = 0; i < G_N_ELEMENTS (draft_fields); i++)
        if (g_str_equal (name, draft_fields[i].name) && value != NULL && *value != '\0')
          {
            char **slot = draft_field (current, &draft_fields[i]);

            g_free (*slot);
            *slot = g_strdup (value);
          }
    }

  if (rc != SQLITE_DONE)
    {
      g_clear_pointer (&current, tirkeu_draft_free);
      _tirkeu_journal_set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
      return;
    }
  typed_draft_done (drafts, current);

  _tirkeu_journal_job_return_pointer (task, g_steal_pointer (&drafts),
                                      (GDestroyNotify) g_ptr_array_unref);
}

/**
 * tirkeu_journal_list_typed_drafts_async:
 * @self: a #TirkeuJournal
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Lists the drafts as #TirkeuDraft, the latest saved first, built on the journal's thread.
 * A draft without a valid Idempotency-Key is left out.
 */
void
tirkeu_journal_list_typed_drafts_async (TirkeuJournal       *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  JobArgs *args;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (self));

  task = _tirkeu_journal_new_job (self, tirkeu_journal_list_typed_drafts_async,
                                  job_list_typed_drafts, cancellable, callback, user_data,
                                  &args);
  _tirkeu_journal_push_job (self, task);
}

/**
 * tirkeu_journal_list_typed_drafts_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Returns: (transfer full) (element-type TirkeuDraft) (nullable): the drafts
 */
GPtrArray *
tirkeu_journal_list_typed_drafts_finish (TirkeuJournal  *self,
                                         GAsyncResult   *result,
                                         GError        **error)
{
  return _tirkeu_journal_finish_pointer (self, result, tirkeu_journal_list_typed_drafts_async,
                                         error);
}
