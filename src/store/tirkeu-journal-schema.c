/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "tirkeu-journal-private.h"

/* The file: made private, created whole, in WAL mode, the schema and its migrations, the
 * integrity check. */

/* Schema migrations, in order: migrations[i] brings user_version i to i + 1. Never edit a
 * migration that shipped; append a new one. */
static const char * const migrations[] = {
  /* 1: the first schema. Times are microseconds since the epoch, UTC. */
  "CREATE TABLE drafts ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ") STRICT;"
  "CREATE INDEX drafts_updated ON drafts (updated_at);"
  /* Every field exactly as typed, one row each, so that saving a keystroke rewrites one row */
  "CREATE TABLE draft_fields ("
  "  draft_id TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  value TEXT NOT NULL,"
  "  PRIMARY KEY (draft_id, name)"
  ") STRICT, WITHOUT ROWID;"
  /* draft_id is informative only: the draft is deleted when its request is enqueued */
  "CREATE TABLE outbox ("
  "  idempotency_key TEXT PRIMARY KEY NOT NULL,"
  "  draft_id TEXT,"
  "  record BLOB NOT NULL,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  next_attempt_at INTEGER NOT NULL,"
  "  created_at INTEGER NOT NULL"
  ") STRICT;"
  "CREATE INDEX outbox_due ON outbox (next_attempt_at);"
  "CREATE TABLE requests ("
  "  id INTEGER PRIMARY KEY,"
  "  portal_id TEXT NOT NULL UNIQUE,"
  "  idempotency_key TEXT,"
  "  seller_bin TEXT,"
  "  vin TEXT,"
  "  buyer_iin TEXT,"
  "  buyer_name TEXT,"
  "  make TEXT,"
  "  model TEXT,"
  "  stage TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  record BLOB NOT NULL"
  ") STRICT;"
  "CREATE INDEX requests_updated ON requests (updated_at);"
  "CREATE INDEX requests_vin ON requests (vin);"
  "CREATE INDEX requests_buyer_iin ON requests (buyer_iin);"
  "CREATE INDEX requests_stage ON requests (stage);"
  "CREATE INDEX requests_idempotency_key ON requests (idempotency_key);"
  /* A queryable copy of each request's history (the timeline, notifications); the record
   * blob holds it too, so that a record loads whole with one read. Both are written in the
   * same transaction. The per-language titles of a stage come from the catalogue
   * (tirkeu-catalogue.h) by stage; `message` is the portal's or the seller's own text. */
  "CREATE TABLE stage_history ("
  "  request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,"
  "  seq INTEGER NOT NULL,"
  "  stage TEXT NOT NULL,"
  "  at INTEGER NOT NULL,"
  "  actor TEXT NOT NULL,"
  "  message TEXT,"
  "  PRIMARY KEY (request_id, seq)"
  ") STRICT, WITHOUT ROWID;"
  "CREATE TABLE meta ("
  "  key TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ") STRICT, WITHOUT ROWID;",
  /* 2: the requests list's order as a column, so that the latest requests load first (the
   * window shows them while the rest loads). last_change is when the stage last changed:
   * the last history entry, else the update time (tirkeu_search_key_get_last_change()). */
  "ALTER TABLE requests ADD COLUMN last_change INTEGER NOT NULL DEFAULT 0;"
  "UPDATE requests SET last_change = coalesce ("
  "  (SELECT at FROM stage_history h WHERE h.request_id = requests.id ORDER BY seq DESC LIMIT 1),"
  "  updated_at);"
  "CREATE INDEX requests_list_order ON requests (last_change DESC, portal_id DESC);",
  /* 3: the portal's texts in every language. From here on a history message is what
   * tirkeu_localized_text_serialize() writes (`{'kk': '…', 'ru': '…', 'en': '…'}`), in the
   * column as in the record blob (whose format version 2 says the same of the refusal reason
   * and the TsON, tirkeu-request.c). The messages stored before were one string in the
   * language of the sync that fetched them: each is kept whole as a text of unrecorded
   * language, which every language shows until the next sync brings all three. Bumping the
   * schema also keeps an older build, which would show the serialized form raw, out of the
   * file. tirkeu_undetermined_text() is registered by migrate(). */
  "UPDATE stage_history SET message = tirkeu_undetermined_text (message)"
  "  WHERE message IS NOT NULL AND message <> '';",
};

/**
 * tirkeu_journal_get_schema_version:
 *
 * Returns: the schema version (PRAGMA user_version) this build migrates journals to
 */
guint
tirkeu_journal_get_schema_version (void)
{
  return G_N_ELEMENTS (migrations);
}

/* ------------------------------------------------------------------------------------------ */
/* Opening: a private file, WAL, migrations, the integrity check */

static gboolean migrate         (sqlite3  *db,
                                 GError  **error);
static gboolean check_integrity (sqlite3  *db,
                                 GError  **error);

/* Nothing here ever opens an existing journal file, its -wal or its -shm. POSIX locks belong
 * to the process and all go with the first close() of ANY descriptor of the file: opening
 * and closing the journal beside SQLite (a check after SQLite opened it, or a second
 * TirkeuJournal of the same file in one process) silently drops the locks SQLite holds.
 * Another process (tirkeu-cli while the app runs) closing its connection then takes itself
 * for the last one, checkpoints and deletes the -wal, and the app goes on writing its
 * commits into a deleted file: lost at the next crash. So existing files are checked by
 * path (lstat, chmod), and a new journal is made under a temporary name that no one else
 * has open.
 *
 * Modes: the folder is made 0700 and the file 0600. SQLite creates the -wal and -shm files
 * with the database file's mode and fchmods them to it past the umask (unixOpen,
 * findCreateFileMode), so they are 0600 too; existing ones are tightened here all the
 * same. */
static gboolean
check_private_file (const char  *path,
                    gboolean     must_exist,
                    goffset     *size,
                    GError     **error)
{
  struct stat st;

  if (g_lstat (path, &st) != 0)
    {
      int saved_errno = errno;

      if (!must_exist && saved_errno == ENOENT)
        return TRUE;

      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_OPEN,
                   _("Could not open the journal file: %s"), g_strerror (saved_errno));
      return FALSE;
    }

  if (!S_ISREG (st.st_mode) || st.st_uid != geteuid ())
    {
      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_OPEN,
                   _("The journal file is not a regular file owned by this user"));
      return FALSE;
    }

  /* By path: lstat() just saw a regular file, and the folder is ours and 0700. */
  if ((st.st_mode & 07777) != 0600 && g_chmod (path, 0600) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_OPEN,
                   _("Could not make the journal file private: %s"), g_strerror (saved_errno));
      return FALSE;
    }

  if (size != NULL)
    *size = st.st_size;
  return TRUE;
}

static gboolean
make_private_dir (const char  *dir,
                  GError     **error)
{
  struct stat st;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_OPEN,
                   _("Could not create the journal folder: %s"), g_strerror (saved_errno));
      return FALSE;
    }

  if (g_lstat (dir, &st) != 0 || !S_ISDIR (st.st_mode) || st.st_uid != geteuid ())
    {
      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_OPEN,
                   _("The journal folder is not a folder owned by this user"));
      return FALSE;
    }

  if ((st.st_mode & 07777) != 0700 && g_chmod (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_OPEN,
                   _("Could not make the journal folder private: %s"), g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_sidecars (const char  *path,
                GError     **error)
{
  static const char * const sidecars[] = { "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (sidecars); i++)
    {
      g_autofree char *sidecar = g_strconcat (path, sidecars[i], NULL);

      if (!check_private_file (sidecar, FALSE, NULL, error))
        return FALSE;
    }

  return TRUE;
}

/* A connection to an existing file, in WAL mode. */
static sqlite3 *
open_connection (const char  *path,
                 GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db = NULL;
  int rc;

  /* No SQLITE_OPEN_CREATE: the file exists with its mode (create_journal_file()). NOMUTEX:
   * only the journal's thread ever uses the connection. */
  rc = sqlite3_open_v2 (path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW |
                        SQLITE_OPEN_EXRESCODE,
                        NULL);
  if (rc != SQLITE_OK)
    {
      _tirkeu_journal_set_sqlite_error (error, db, rc, _("Could not open the journal"));
      (*error)->code = TIRKEU_STORE_ERROR_OPEN;
      goto fail;
    }

  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);

  /* WAL: readers never block the writer, and a commit is one append to the -wal file.
   *
   * synchronous = FULL: every commit fsyncs the WAL before COMMIT returns. With NORMAL (the
   * usual pairing with WAL) a commit is only written to the OS, and the WAL is synced at
   * checkpoints: that is safe when the PROCESS is killed (the kernel still holds the
   * written pages, and the database is never corrupted), but the last transactions can be
   * lost when the MACHINE loses power or the kernel crashes. A desk computer on a shop
   * floor does lose power, and a lost outbox entry is a signed request nobody sends; our
   * writes are small, few and off the main loop, so the fsync per commit is worth it. */
  if (!_tirkeu_journal_db_exec (db, "PRAGMA journal_mode = WAL", error) ||
      !_tirkeu_journal_db_exec (db, "PRAGMA synchronous = FULL", error) ||
      !_tirkeu_journal_db_exec (db, "PRAGMA foreign_keys = ON", error) ||
      /* the schema holds no views or triggers from elsewhere: refuse functions in them */
      !_tirkeu_journal_db_exec (db, "PRAGMA trusted_schema = OFF", error) ||
      /* bound the -wal file left after checkpoints */
      !_tirkeu_journal_db_exec (db, "PRAGMA journal_size_limit = 4194304", error))
    goto fail;

  stmt = _tirkeu_journal_db_prepare (db, "PRAGMA journal_mode", error);
  if (stmt == NULL)
    goto fail;
  if (sqlite3_step (stmt) != SQLITE_ROW ||
      g_ascii_strcasecmp (_tirkeu_journal_column_text (stmt, 0), "wal") != 0)
    {
      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_OPEN,
                   _("The journal could not switch to write-ahead logging"));
      goto fail;
    }

  return db;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (db != NULL)
    sqlite3_close_v2 (db);
  return NULL;
}

/* A new journal: made whole (WAL header, schema) under a temporary name, then linked into
 * place. So a journal file that exists was complete once, and an empty one is a damaged
 * file (cut short by a full disk, a bad copy), never a journal to start afresh in: that
 * would hide the damage behind an empty list. link(2), not rename(2): two processes that
 * both find no journal cannot replace the one the other already uses. */
static gboolean
create_journal_file (const char  *path,
                     GError     **error)
{
  g_autofree char *temporary = g_strconcat (path, ".new-XXXXXX", NULL);
  g_autofree char *temporary_wal = NULL;
  g_autofree char *temporary_shm = NULL;
  sqlite3 *db;
  int saved_errno;
  int fd;

  fd = g_mkstemp_full (temporary, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_OPEN,
                   _("Could not create the journal file: %s"), g_strerror (saved_errno));
      return FALSE;
    }
  /* past the umask; no one else has this file, so closing it drops nobody's locks */
  if (fchmod (fd, 0600) != 0)
    {
      saved_errno = errno;
      close (fd);
      g_unlink (temporary);
      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_OPEN,
                   _("Could not make the journal file private: %s"), g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);

  db = open_connection (temporary, error);
  if (db == NULL || !migrate (db, error))
    {
      if (db != NULL)
        sqlite3_close_v2 (db);
      g_unlink (temporary);
      return FALSE;
    }
  /* The last connection: SQLite checkpoints the WAL into the file and removes it. */
  sqlite3_close_v2 (db);
  temporary_wal = g_strconcat (temporary, "-wal", NULL);
  temporary_shm = g_strconcat (temporary, "-shm", NULL);
  g_unlink (temporary_wal);
  g_unlink (temporary_shm);

  if (link (temporary, path) != 0 && errno != EEXIST)
    {
      saved_errno = errno;
      g_unlink (temporary);
      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_OPEN,
                   _("Could not create the journal file: %s"), g_strerror (saved_errno));
      return FALSE;
    }
  g_unlink (temporary);

  return TRUE;
}

/* tirkeu_undetermined_text (TEXT): migration 3's rewrite of a plain stored string. */
static void
undetermined_text_function (sqlite3_context  *context,
                            int               argc,
                            sqlite3_value   **argv)
{
  const char *stored = (const char *) sqlite3_value_text (argv[0]);
  g_autoptr(TirkeuLocalizedText) text = NULL;
  char *serialized;

  if (stored == NULL || *stored == '\0')
    {
      sqlite3_result_value (context, argv[0]);
      return;
    }

  text = tirkeu_localized_text_new_undetermined (stored);
  serialized = tirkeu_localized_text_serialize (text);
  sqlite3_result_text (context, serialized, -1, g_free);
}

static gboolean
migrate (sqlite3  *db,
         GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int version;
  int rc;

  /* One transaction for the check and every step: two processes opening an old file at the
   * same time cannot both migrate it, and a crash leaves the old version whole. */
  if (!_tirkeu_journal_db_begin (db, error))
    return FALSE;

  stmt = _tirkeu_journal_db_prepare (db, "PRAGMA user_version", error);
  if (stmt == NULL)
    goto fail;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _tirkeu_journal_set_sqlite_error (error, db, rc, _("Could not read the journal"));
      goto fail;
    }
  version = sqlite3_column_int (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  rc = sqlite3_create_function_v2 (db, "tirkeu_undetermined_text", 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                   NULL, undetermined_text_function, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _tirkeu_journal_set_sqlite_error (error, db, rc, _("Could not update the journal"));
      goto fail;
    }

  if (version < 0 || (guint) version > G_N_ELEMENTS (migrations))
    {
      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_MIGRATION,
                   _("The journal was written by a newer version of Tirkeu (schema %d, this "
                     "version knows up to %u)"),
                   version, (guint) G_N_ELEMENTS (migrations));
      goto fail;
    }

  for (guint i = version; i < G_N_ELEMENTS (migrations); i++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %u", i + 1);

      g_debug ("Migrating the journal from schema %u to %u", i, i + 1);
      rc = sqlite3_exec (db, migrations[i], NULL, NULL, NULL);
      if (rc == SQLITE_OK)
        rc = sqlite3_exec (db, set_version, NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        {
          g_autoptr(GError) sqlite_error = NULL;

          _tirkeu_journal_set_sqlite_error (&sqlite_error, db, rc,
                                            _("Could not update the journal"));
          g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_MIGRATION, "%s",
                       sqlite_error->message);
          goto fail;
        }
    }

  return _tirkeu_journal_db_commit (db, error);

fail:
  _tirkeu_journal_db_rollback (db);
  return FALSE;
}

void
_tirkeu_journal_job_open (GTask        *task,
                          Worker       *worker,
                          JobArgs      *args,
                          GCancellable *cancellable)
{
  const char *path = args->text;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  goffset size = 0;
  struct stat st;
  sqlite3 *db = NULL;

  if (!make_private_dir (dir, &error))
    goto fail;

  if (g_lstat (path, &st) != 0 && errno == ENOENT && !create_journal_file (path, &error))
    goto fail;

  if (!check_private_file (path, TRUE, &size, &error) || !check_sidecars (path, &error))
    goto fail;

  if (size == 0)
    {
      g_set_error (&error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_CORRUPT,
                   _("The journal file is damaged: it is empty"));
      goto fail;
    }

  db = open_connection (path, &error);
  if (db == NULL)
    goto fail;

  if (!migrate (db, &error) || !check_integrity (db, &error))
    goto fail;

  /* SQLite made the -wal and -shm files now: check them as well (by path, see above). */
  if (!check_sidecars (path, &error))
    goto fail;

  worker->db = db;
  _tirkeu_journal_job_return_boolean (task, TRUE);
  return;

fail:
  if (db != NULL)
    sqlite3_close_v2 (db);
  _tirkeu_journal_job_return_error (task, g_steal_pointer (&error));
}

/* ------------------------------------------------------------------------------------------ */
/* Maintenance */

/* SQLite's own check: every page and record of the file well-formed (quick_check), or that
 * and every index matching its table (integrity_check, a few times slower). The first
 * finding goes into the error: it names pages and tables, never a stored value. */
gboolean
_tirkeu_journal_run_check (sqlite3     *db,
                           const char  *pragma,
                           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _tirkeu_journal_db_prepare (db, pragma, error);
  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _tirkeu_journal_set_sqlite_error (error, db, rc, _("Could not read the journal"));
      return FALSE;
    }

  if (!g_str_equal (_tirkeu_journal_column_text (stmt, 0), "ok"))
    {
      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_CORRUPT,
                   "%s: %s", _("The journal file is damaged"),
                   _tirkeu_journal_column_text (stmt, 0));
      return FALSE;
    }

  return TRUE;
}

/* At every open, on the journal's thread: a damaged file is said at start, before the app
 * offers to sign anything it could not keep. */
static gboolean
check_integrity (sqlite3  *db,
                 GError  **error)
{
  return _tirkeu_journal_run_check (db, "PRAGMA quick_check", error);
}

void
_tirkeu_journal_job_check_integrity (GTask        *task,
                                     Worker       *worker,
                                     JobArgs      *args,
                                     GCancellable *cancellable)
{
  GError *error = NULL;

  if (!_tirkeu_journal_run_check (worker->db, "PRAGMA integrity_check", &error))
    _tirkeu_journal_job_return_error (task, error);
  else
    _tirkeu_journal_job_return_boolean (task, TRUE);
}

/**
 * tirkeu_journal_check_integrity_sync:
 * @self: a #TirkeuJournal
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #TIRKEU_STORE_ERROR (%TIRKEU_STORE_ERROR_CORRUPT with
 *   SQLite's first finding)
 *
 * Runs `PRAGMA integrity_check` on the journal's thread, blocking the caller.
 *
 * Returns: %TRUE when SQLite finds the file sound
 */
gboolean
tirkeu_journal_check_integrity_sync (TirkeuJournal  *self,
                                     GCancellable   *cancellable,
                                     GError        **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  JobArgs *args;
  GTask *task;

  g_return_val_if_fail (TIRKEU_IS_JOURNAL (self), FALSE);

  g_main_context_push_thread_default (context);
  task = _tirkeu_journal_new_job (self, tirkeu_journal_check_integrity_sync,
                                  _tirkeu_journal_job_check_integrity,
                                  cancellable, _tirkeu_journal_sync_result_cb, &result, &args);
  _tirkeu_journal_push_job (self, task);
  _tirkeu_journal_wait_for_result (context, &result);
  g_main_context_pop_thread_default (context);

  return _tirkeu_journal_finish_boolean (self, result, tirkeu_journal_check_integrity_sync, error);
}
