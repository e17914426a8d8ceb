/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "tirkeu-journal.h"
#include "tirkeu-request.h"
#include "tirkeu-search-key.h"
#include "tirkeu-stage.h"
#include "tirkeu-store-error.h"

/*
 * The journal: one SQLite file holding the drafts, the outbox, the requests with their stage
 * history and the sync cursor.
 *
 * Threading. One connection, opened and used by one dedicated thread ("tirkeu-journal") that
 * pops jobs from a queue. Every public operation is an _async/_finish pair over a GTask whose
 * job runs on that thread; GTask delivers the result on the caller's thread-default main
 * context. The _sync variants (for tirkeu-cli and the benchmark) go through the SAME thread
 * and queue: they push the same job and iterate a private main context until it returns, so
 * there is one connection and one writer per process whatever the caller uses. Another
 * process (the app and the CLI at once) is serialized by SQLite's locks and busy_timeout.
 *
 * The worker thread owns its state (Worker), not the TirkeuJournal: a GTask holds a reference
 * to the journal, so the journal's last reference may be dropped on the worker thread itself,
 * when it finishes a job after the caller already got the result. finalize then cannot join
 * the thread it runs on; it pushes the shutdown marker, and the worker closes the connection
 * and frees its state once it has drained the queue.
 */

#define CURSOR_KEY "sync-cursor"

/* How long a write waits for another process's lock (the CLI while the app syncs) before
 * failing with TIRKEU_STORE_ERROR_IO. */
#define BUSY_TIMEOUT_MS 5000

/* Cancellation is checked this often inside a batch, which then rolls back whole. */
#define CANCEL_CHECK_EVERY 256

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

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
};

/* ------------------------------------------------------------------------------------------ */
/* The worker thread and its jobs */

typedef struct
{
  GAsyncQueue *queue;   /* owned: GTask* jobs, or &shutdown_marker */
  sqlite3     *db;      /* NULL until the open job succeeded */
} Worker;

typedef struct
{
  char      *id;        /* draft id, idempotency key or portal id */
  char      *text;      /* path, cursor, last error or draft id, by job */
  GVariant  *variant;   /* draft fields or a record */
  GPtrArray *records;   /* of TirkeuRequest: upsert's batch, serialized on the worker */
  gint64     time;
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

static char shutdown_marker;

struct _TirkeuJournal
{
  GObject parent_instance;

  char *path;

  /* the worker thread: owned references */
  GAsyncQueue *queue;
  GThread *thread;
};

static void tirkeu_journal_initable_iface_init       (GInitableIface      *iface);
static void tirkeu_journal_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TirkeuJournal, tirkeu_journal, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      tirkeu_journal_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      tirkeu_journal_async_initable_iface_init))

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
job_free (gpointer data)
{
  Job *job = data;

  g_free (job->args.id);
  g_free (job->args.text);
  g_clear_pointer (&job->args.variant, g_variant_unref);
  g_clear_pointer (&job->args.records, g_ptr_array_unref);
  g_clear_error (&job->error);
  if (job->pointer != NULL && job->pointer_free != NULL)
    job->pointer_free (job->pointer);
  g_free (job);
}

static Job *
task_get_job (GTask *task)
{
  return g_task_get_task_data (task);
}

/* The job functions return through these, on the worker thread. */
static void
job_return_boolean (GTask    *task,
                    gboolean  value)
{
  Job *job = task_get_job (task);

  g_assert (!job->returned);
  job->returned = TRUE;
  job->boolean = value;
}

static void
job_return_pointer (GTask          *task,
                    gpointer        pointer,
                    GDestroyNotify  pointer_free)
{
  Job *job = task_get_job (task);

  g_assert (!job->returned);
  job->returned = TRUE;
  job->is_pointer = TRUE;
  job->pointer = pointer;
  job->pointer_free = pointer_free;
}

static void
job_return_error (GTask  *task,
                  GError *error)
{
  Job *job = task_get_job (task);

  g_assert (!job->returned);
  job->returned = TRUE;
  job->error = error;
}

G_GNUC_PRINTF (4, 5)
static void
job_return_new_error (GTask      *task,
                      GQuark      domain,
                      int         code,
                      const char *format,
                      ...)
{
  va_list args;

  va_start (args, format);
  job_return_error (task, g_error_new_valist (domain, code, format, args));
  va_end (args);
}

static gboolean
job_return_if_cancelled (GTask *task)
{
  GError *error = NULL;

  if (!g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    return FALSE;

  job_return_error (task, error);
  return TRUE;
}

/* On the caller's context: the callback runs inside g_task_return_*() (or in an idle that
 * GTask adds), and the worker's reference to the task goes right after it. So once the
 * callback returned, only the caller holds the task and, through it, the journal: the
 * journal is finalized on the caller's thread, never on the worker thread it would have to
 * join. */
static gboolean
deliver_cb (gpointer data)
{
  GTask *task = data;
  Job *job = task_get_job (task);

  if (job->error != NULL)
    g_task_return_error (task, g_steal_pointer (&job->error));
  else if (job->is_pointer)
    g_task_return_pointer (task, g_steal_pointer (&job->pointer), job->pointer_free);
  else
    g_task_return_boolean (task, job->boolean);

  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void job_open (GTask *, Worker *, JobArgs *, GCancellable *);
static gboolean migrate (sqlite3 *, GError **);
static gboolean check_integrity (sqlite3 *, GError **);

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;

  for (;;)
    {
      gpointer item = g_async_queue_pop (worker->queue);
      GMainContext *context;
      GSource *source;
      GTask *task;
      Job *job;

      if (item == &shutdown_marker)
        break;

      task = item;
      job = task_get_job (task);

      if (job_return_if_cancelled (task))
        ;
      else if (worker->db == NULL && job->func != job_open)
        job_return_new_error (task, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_OPEN,
                              _("The journal is not open"));
      else
        job->func (task, worker, &job->args, g_task_get_cancellable (task));

      g_assert (job->returned);

      /* An idle source, not g_main_context_invoke(): that would run deliver_cb right here
       * when the caller's context is the global default one and nobody iterates it. */
      /* The caller may dispatch the source, take its result and drop its context (the
       * _sync variants use a private one) before this thread lets go of the source: hold
       * the context until then, or the source's last unref here races the context's
       * finalization there (GLib: "source_remove_from_context: assertion failed"). */
      context = g_main_context_ref (g_task_get_context (task));
      source = g_idle_source_new ();
      g_source_set_priority (source, g_task_get_priority (task));
      g_source_set_callback (source, deliver_cb, task, NULL);
      g_source_set_static_name (source, "[tirkeu-journal] deliver");
      g_source_attach (source, context);
      g_source_unref (source);
      g_main_context_unref (context);
    }

  if (worker->db != NULL)
    sqlite3_close_v2 (worker->db);
  g_async_queue_unref (worker->queue);
  g_free (worker);

  return NULL;
}

/* Takes a new Job for @self; the returned task is queued with push_job(). */
static GTask *
new_job (TirkeuJournal       *self,
         gpointer             source_tag,
         JobFunc              func,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data,
         JobArgs            **args)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->func = func;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, job_free);
  *args = &job->args;

  return task;
}

static void
push_job (TirkeuJournal *self,
          GTask         *task)
{
  g_async_queue_push (self->queue, task);
}

/* For the _sync variants: runs on a private main context until the job returned. */
static void
sync_result_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GMainContext  *context,
                 GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (context, TRUE);

  return *slot;
}

/* ------------------------------------------------------------------------------------------ */
/* SQLite helpers (worker thread only) */

static void
set_sqlite_error (GError     **error,
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

static gboolean
db_exec (sqlite3     *db,
         const char  *sql,
         GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, _("Could not write to the journal"));
      return FALSE;
    }

  return TRUE;
}

static sqlite3_stmt *
db_prepare (sqlite3     *db,
            const char  *sql,
            GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, _("Could not read the journal"));
      return NULL;
    }

  return stmt;
}

/* Steps a statement that returns no row (or whose rows are ignored) and resets it. */
static gboolean
db_step_done (sqlite3       *db,
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
      set_sqlite_error (error, db, rc, _("Could not write to the journal"));
      return FALSE;
    }

  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           index)
{
  const char *text = (const char *) sqlite3_column_text (stmt, index);

  return text != NULL ? text : "";
}

static gboolean
db_begin (sqlite3  *db,
          GError  **error)
{
  /* IMMEDIATE takes the write lock now, so a busy database fails here (after busy_timeout)
   * rather than halfway through the batch. */
  return db_exec (db, "BEGIN IMMEDIATE", error);
}

static gboolean
db_commit (sqlite3  *db,
           GError  **error)
{
  if (!db_exec (db, "COMMIT", error))
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  return TRUE;
}

static void
db_rollback (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

/* Records are stored as serialized GVariants, in little-endian order whatever the host. */
static GBytes *
record_to_bytes (GVariant *record)
{
  g_autoptr(GVariant) normal = g_variant_get_normal_form (record);

  if (G_BYTE_ORDER == G_BIG_ENDIAN)
    {
      g_autoptr(GVariant) swapped = g_variant_byteswap (normal);
      return g_variant_get_data_as_bytes (swapped);
    }

  return g_variant_get_data_as_bytes (normal);
}

static GVariant *
record_from_column (sqlite3_stmt *stmt,
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

static void
bind_record (sqlite3_stmt *stmt,
             int           index,
             GVariant     *record)
{
  g_autoptr(GBytes) bytes = record_to_bytes (record);
  gsize size;
  gconstpointer data = g_bytes_get_data (bytes, &size);

  sqlite3_bind_blob64 (stmt, index, data != NULL ? data : "", size, SQLITE_TRANSIENT);
}

/* ------------------------------------------------------------------------------------------ */
/* Opening: a private file, WAL, migrations, the integrity check */

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
      set_sqlite_error (error, db, rc, _("Could not open the journal"));
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
  if (!db_exec (db, "PRAGMA journal_mode = WAL", error) ||
      !db_exec (db, "PRAGMA synchronous = FULL", error) ||
      !db_exec (db, "PRAGMA foreign_keys = ON", error) ||
      /* the schema holds no views or triggers from elsewhere: refuse functions in them */
      !db_exec (db, "PRAGMA trusted_schema = OFF", error) ||
      /* bound the -wal file left after checkpoints */
      !db_exec (db, "PRAGMA journal_size_limit = 4194304", error))
    goto fail;

  stmt = db_prepare (db, "PRAGMA journal_mode", error);
  if (stmt == NULL)
    goto fail;
  if (sqlite3_step (stmt) != SQLITE_ROW ||
      g_ascii_strcasecmp (column_text (stmt, 0), "wal") != 0)
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

static gboolean
migrate (sqlite3  *db,
         GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int version;
  int rc;

  /* One transaction for the check and every step: two processes opening an old file at the
   * same time cannot both migrate it, and a crash leaves the old version whole. */
  if (!db_begin (db, error))
    return FALSE;

  stmt = db_prepare (db, "PRAGMA user_version", error);
  if (stmt == NULL)
    goto fail;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, db, rc, _("Could not read the journal"));
      goto fail;
    }
  version = sqlite3_column_int (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

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

          set_sqlite_error (&sqlite_error, db, rc, _("Could not update the journal"));
          g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_MIGRATION, "%s",
                       sqlite_error->message);
          goto fail;
        }
    }

  return db_commit (db, error);

fail:
  db_rollback (db);
  return FALSE;
}

static void
job_open (GTask        *task,
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
  job_return_boolean (task, TRUE);
  return;

fail:
  if (db != NULL)
    sqlite3_close_v2 (db);
  job_return_error (task, g_steal_pointer (&error));
}

/* ------------------------------------------------------------------------------------------ */
/* GObject */

static void
tirkeu_journal_finalize (GObject *object)
{
  TirkeuJournal *self = (TirkeuJournal *) object;

  /* Every queued job holds a reference to us, so the queue holds no job now. */
  g_async_queue_push (self->queue, &shutdown_marker);
  if (self->thread == g_thread_self ())
    g_thread_unref (self->thread);
  else
    g_thread_join (self->thread);

  g_async_queue_unref (self->queue);
  g_free (self->path);

  G_OBJECT_CLASS (tirkeu_journal_parent_class)->finalize (object);
}

static void
tirkeu_journal_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TirkeuJournal *self = TIRKEU_JOURNAL (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_journal_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TirkeuJournal *self = TIRKEU_JOURNAL (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      if (self->path == NULL)
        self->path = tirkeu_journal_get_default_path ();
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_journal_class_init (TirkeuJournalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tirkeu_journal_finalize;
  object_class->get_property = tirkeu_journal_get_property;
  object_class->set_property = tirkeu_journal_set_property;

  /**
   * TirkeuJournal:path:
   *
   * The journal's SQLite file; %NULL selects tirkeu_journal_get_default_path(). Its folder
   * is created 0700 and the file 0600.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tirkeu_journal_init (TirkeuJournal *self)
{
  Worker *worker = g_new0 (Worker, 1);

  self->queue = g_async_queue_new ();
  worker->queue = g_async_queue_ref (self->queue);
  self->thread = g_thread_new ("tirkeu-journal", worker_thread, worker);
}

static void
tirkeu_journal_init_async (GAsyncInitable      *initable,
                           int                  io_priority,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  TirkeuJournal *self = TIRKEU_JOURNAL (initable);
  JobArgs *args;
  GTask *task;

  if (self->path == NULL)
    self->path = tirkeu_journal_get_default_path ();

  task = new_job (self, tirkeu_journal_init_async, job_open,
                  cancellable, callback, user_data, &args);
  args->text = g_strdup (self->path);
  push_job (self, task);
}

static gboolean
tirkeu_journal_init_finish (GAsyncInitable  *initable,
                            GAsyncResult    *result,
                            GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, initable), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
tirkeu_journal_async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = tirkeu_journal_init_async;
  iface->init_finish = tirkeu_journal_init_finish;
}

static gboolean
tirkeu_journal_initable_init (GInitable     *initable,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  tirkeu_journal_init_async (G_ASYNC_INITABLE (initable), G_PRIORITY_DEFAULT, cancellable,
                             sync_result_cb, &result);
  wait_for_result (context, &result);
  g_main_context_pop_thread_default (context);

  return tirkeu_journal_init_finish (G_ASYNC_INITABLE (initable), result, error);
}

static void
tirkeu_journal_initable_iface_init (GInitableIface *iface)
{
  iface->init = tirkeu_journal_initable_init;
}

/**
 * tirkeu_journal_get_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/tirkeu/journal.sqlite3`
 */
char *
tirkeu_journal_get_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "tirkeu", "journal.sqlite3", NULL);
}

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

/**
 * tirkeu_journal_new_async:
 * @path: (nullable): the SQLite file, or %NULL for the default one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context when the journal is open
 * @user_data: data for @callback
 *
 * Opens the journal on its own thread: creates the folder (0700) and the file (0600),
 * tightens them when they are too open, switches to WAL and migrates the schema.
 */
void
tirkeu_journal_new_async (const char          *path,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_async_initable_new_async (TIRKEU_TYPE_JOURNAL, G_PRIORITY_DEFAULT, cancellable,
                              callback, user_data,
                              "path", path,
                              NULL);
}

/**
 * tirkeu_journal_new_finish:
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Returns: (transfer full) (nullable): the open journal
 */
TirkeuJournal *
tirkeu_journal_new_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_autoptr(GObject) source = g_async_result_get_source_object (result);
  GObject *object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error);

  return object != NULL ? TIRKEU_JOURNAL (object) : NULL;
}

/**
 * tirkeu_journal_new_sync:
 * @path: (nullable): the SQLite file, or %NULL for the default one
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Like tirkeu_journal_new_async(), blocking the calling thread (for the CLI).
 *
 * Returns: (transfer full) (nullable): the open journal
 */
TirkeuJournal *
tirkeu_journal_new_sync (const char    *path,
                         GCancellable  *cancellable,
                         GError       **error)
{
  return g_initable_new (TIRKEU_TYPE_JOURNAL, cancellable, error, "path", path, NULL);
}

/**
 * tirkeu_journal_get_path:
 * @self: a #TirkeuJournal
 *
 * Returns: (transfer none): the journal's file
 */
const char *
tirkeu_journal_get_path (TirkeuJournal *self)
{
  g_return_val_if_fail (TIRKEU_IS_JOURNAL (self), NULL);

  return self->path;
}

static gboolean
finish_boolean (TirkeuJournal  *self,
                GAsyncResult   *result,
                gpointer        source_tag,
                GError        **error)
{
  g_return_val_if_fail (TIRKEU_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gpointer
finish_pointer (TirkeuJournal  *self,
                GAsyncResult   *result,
                gpointer        source_tag,
                GError        **error)
{
  g_return_val_if_fail (TIRKEU_IS_JOURNAL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------------ */
/* Drafts */

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

  if (!db_begin (db, &error))
    goto fail;

  draft = db_prepare (db,
                      "INSERT INTO drafts (id, created_at, updated_at) VALUES (?1, ?2, ?2) "
                      "ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at",
                      &error);
  field = db_prepare (db,
                      "INSERT INTO draft_fields (draft_id, name, value) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT (draft_id, name) DO UPDATE SET value = excluded.value",
                      &error);
  if (draft == NULL || field == NULL)
    goto fail;

  bind_text (draft, 1, args->id);
  sqlite3_bind_int64 (draft, 2, g_get_real_time ());
  if (!db_step_done (db, draft, &error))
    goto fail;

  g_variant_iter_init (&iter, args->variant);
  while (g_variant_iter_next (&iter, "{&s&s}", &name, &value))
    {
      bind_text (field, 1, args->id);
      bind_text (field, 2, name);
      bind_text (field, 3, value);
      if (!db_step_done (db, field, &error))
        goto fail;
    }

  if (!db_commit (db, &error))
    goto fail;

  job_return_boolean (task, TRUE);
  return;

fail:
  db_rollback (db);
  job_return_error (task, g_steal_pointer (&error));
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

  task = new_job (self, tirkeu_journal_save_draft_async, job_save_draft,
                  cancellable, callback, user_data, &args);
  args->id = g_strdup (draft_id);
  args->variant = g_variant_ref_sink (fields);
  push_job (self, task);
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
  return finish_boolean (self, result, tirkeu_journal_save_draft_async, error);
}

static gboolean
draft_exists (sqlite3     *db,
              const char  *draft_id,
              gboolean    *exists,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = db_prepare (db, "SELECT 1 FROM drafts WHERE id = ?1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, draft_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, _("Could not read the journal"));
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
  if (!db_exec (db, "BEGIN", &error))
    goto fail;

  if (!draft_exists (db, args->id, &exists, &error))
    goto fail;

  if (!exists)
    {
      g_set_error (&error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_NOT_FOUND,
                   _("There is no such draft"));
      goto fail;
    }

  stmt = db_prepare (db, "SELECT name, value FROM draft_fields WHERE draft_id = ?1 ORDER BY name",
                     &error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, args->id);

  g_variant_builder_init (&builder, TIRKEU_JOURNAL_DRAFT_FIELDS_TYPE);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_variant_builder_add (&builder, "{ss}", column_text (stmt, 0), column_text (stmt, 1));

  if (rc != SQLITE_DONE)
    {
      g_variant_builder_clear (&builder);
      set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      goto fail;
    }

  db_rollback (db);
  job_return_pointer (task, g_variant_ref_sink (g_variant_builder_end (&builder)),
                      (GDestroyNotify) g_variant_unref);
  return;

fail:
  db_rollback (db);
  job_return_error (task, g_steal_pointer (&error));
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

  task = new_job (self, tirkeu_journal_load_draft_async, job_load_draft,
                  cancellable, callback, user_data, &args);
  args->id = g_strdup (draft_id);
  push_job (self, task);
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
  return finish_pointer (self, result, tirkeu_journal_load_draft_async, error);
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

  stmt = db_prepare (db,
                     "SELECT d.id, d.updated_at, f.name, f.value FROM drafts d "
                     "LEFT JOIN draft_fields f ON f.draft_id = d.id "
                     "ORDER BY d.updated_at DESC, d.rowid DESC, f.name",
                     &error);
  if (stmt == NULL)
    {
      job_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_variant_builder_init (&list, TIRKEU_JOURNAL_DRAFT_LIST_TYPE);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = column_text (stmt, 0);

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
        g_variant_builder_add (&fields, "{ss}", column_text (stmt, 2), column_text (stmt, 3));
    }

  if (rc != SQLITE_DONE)
    {
      if (fields_open)
        g_variant_builder_clear (&fields);
      g_variant_builder_clear (&list);
      set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      job_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (current != NULL)
    g_variant_builder_add (&list, "(sxa{ss})", current, current_updated, &fields);

  job_return_pointer (task, g_variant_ref_sink (g_variant_builder_end (&list)),
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

  task = new_job (self, tirkeu_journal_list_drafts_async, job_list_drafts,
                  cancellable, callback, user_data, &args);
  push_job (self, task);
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
  return finish_pointer (self, result, tirkeu_journal_list_drafts_async, error);
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
  stmt = db_prepare (db, "DELETE FROM drafts WHERE id = ?1", &error);
  if (stmt == NULL)
    {
      job_return_error (task, g_steal_pointer (&error));
      return;
    }

  bind_text (stmt, 1, args->id);
  if (!db_step_done (db, stmt, &error))
    {
      job_return_error (task, g_steal_pointer (&error));
      return;
    }

  job_return_boolean (task, TRUE);
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

  task = new_job (self, tirkeu_journal_delete_draft_async, job_delete_draft,
                  cancellable, callback, user_data, &args);
  args->id = g_strdup (draft_id);
  push_job (self, task);
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
  return finish_boolean (self, result, tirkeu_journal_delete_draft_async, error);
}

/* ------------------------------------------------------------------------------------------ */
/* Requests (used by the outbox's completion too) */

typedef struct
{
  sqlite3_stmt *stored_key;
  sqlite3_stmt *upsert;
  sqlite3_stmt *clear_history;
  sqlite3_stmt *add_history;
} UpsertStatements;

static void
upsert_statements_clear (UpsertStatements *statements)
{
  g_clear_pointer (&statements->stored_key, sqlite3_finalize);
  g_clear_pointer (&statements->upsert, sqlite3_finalize);
  g_clear_pointer (&statements->clear_history, sqlite3_finalize);
  g_clear_pointer (&statements->add_history, sqlite3_finalize);
}

static gboolean
upsert_statements_prepare (sqlite3           *db,
                           UpsertStatements  *statements,
                           GError           **error)
{
  statements->stored_key = db_prepare (db,
    "SELECT idempotency_key FROM requests WHERE portal_id = ?1", error);
  if (statements->stored_key == NULL)
    return FALSE;

  /* A record older than the stored one (an out-of-order page of a sync) changes nothing:
   * the WHERE makes the upsert a no-op, and RETURNING then yields no row. The key bound
   * is the one upsert_request() chose (see there); the record blob carries the same. */
  statements->upsert = db_prepare (db,
    "INSERT INTO requests (portal_id, idempotency_key, seller_bin, vin, buyer_iin, buyer_name,"
    "  make, model, stage, created_at, updated_at, record)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    " ON CONFLICT (portal_id) DO UPDATE SET"
    "  idempotency_key = coalesce (excluded.idempotency_key, requests.idempotency_key),"
    "  seller_bin = excluded.seller_bin, vin = excluded.vin, buyer_iin = excluded.buyer_iin,"
    "  buyer_name = excluded.buyer_name, make = excluded.make, model = excluded.model,"
    "  stage = excluded.stage, updated_at = excluded.updated_at, record = excluded.record"
    " WHERE excluded.updated_at >= requests.updated_at"
    " RETURNING id",
    error);
  if (statements->upsert == NULL)
    return FALSE;

  statements->clear_history = db_prepare (db,
    "DELETE FROM stage_history WHERE request_id = ?1", error);
  if (statements->clear_history == NULL)
    return FALSE;

  statements->add_history = db_prepare (db,
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
      else if (g_str_equal (key, "created-at") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        {
          columns->created_at = g_variant_get_int64 (value);
          has_created = TRUE;
        }
      else if (g_str_equal (key, "updated-at") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
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
static TirkeuRequest *
request_from_record (GVariant  *record,
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
  bind_text (stmt, 1, portal_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    *stored_key = g_strdup (column_text (stmt, 0));
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      g_clear_pointer (stored_key, g_free);
      set_sqlite_error (error, db, rc, _("Could not read the journal"));
      return FALSE;
    }

  return TRUE;
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
static gboolean
upsert_request (sqlite3           *db,
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

  bind_text (upsert, 1, columns.portal_id);
  bind_text (upsert, 2, idempotency_key);
  bind_text (upsert, 3, columns.seller_bin);
  bind_text (upsert, 4, columns.vin);
  bind_text (upsert, 5, columns.buyer_iin);
  bind_text (upsert, 6, columns.buyer_name);
  bind_text (upsert, 7, columns.make);
  bind_text (upsert, 8, columns.model);
  bind_text (upsert, 9, columns.stage);
  sqlite3_bind_int64 (upsert, 10, columns.created_at);
  sqlite3_bind_int64 (upsert, 11, columns.updated_at);
  bind_record (upsert, 12, record);

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
      set_sqlite_error (error, db, rc, _("Could not write to the journal"));
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
      if (!db_step_done (db, statements->clear_history, error))
        goto out;

      g_variant_iter_init (&iter, columns.history);
      while (g_variant_iter_next (&iter, "(&sxm&s&s)", &stage, &at, &message, &actor))
        {
          sqlite3_stmt *add = statements->add_history;

          sqlite3_bind_int64 (add, 1, request_id);
          sqlite3_bind_int64 (add, 2, seq++);
          bind_text (add, 3, stage);
          sqlite3_bind_int64 (add, 4, at);
          bind_text (add, 5, actor);
          bind_text (add, 6, message);

          if (!db_step_done (db, add, error))
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
  g_autoptr(sqlite3_stmt) stmt = db_prepare (db,
    "INSERT INTO meta (key, value) VALUES (?1, ?2)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    error);

  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, key);
  bind_text (stmt, 2, value);
  return db_step_done (db, stmt, error);
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

  if (!db_begin (db, &error))
    goto fail;

  if (!upsert_statements_prepare (db, &statements, &error))
    goto fail;

  for (guint i = 0; i < args->records->len; i++)
    {
      if (i % CANCEL_CHECK_EVERY == 0 && g_cancellable_set_error_if_cancelled (cancellable,
                                                                                &error))
        goto fail;

      /* One record at a time, dropped once written: writing any batch keeps the peak
       * memory flat, and the caller's thread never serializes it. */
      {
        g_autoptr(GVariant) record =
          g_variant_ref_sink (tirkeu_request_to_variant (g_ptr_array_index (args->records, i)));

        if (!upsert_request (db, &statements, record, NULL, &error))
          goto fail;
      }
    }

  /* The cursor commits with the batch it follows, or not at all: after a crash the next
   * sync asks again from the old cursor and the upserts are idempotent. */
  if (args->text != NULL && !set_meta (db, CURSOR_KEY, args->text, &error))
    goto fail;

  upsert_statements_clear (&statements);
  if (!db_commit (db, &error))
    goto fail;

  job_return_boolean (task, TRUE);
  return;

fail:
  upsert_statements_clear (&statements);
  db_rollback (db);
  job_return_error (task, g_steal_pointer (&error));
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

  task = new_job (self, tirkeu_journal_upsert_requests_async, job_upsert_requests,
                  cancellable, callback, user_data, &args);
  /* Serialized on the journal's thread, one by one as they are written (see the
   * documentation: the caller leaves them unchanged until the callback). */
  args->records = g_ptr_array_new_full (requests->len, g_object_unref);
  for (guint i = 0; i < requests->len; i++)
    g_ptr_array_add (args->records, g_object_ref (g_ptr_array_index (requests, i)));
  args->text = g_strdup (cursor);
  push_job (self, task);
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
  return finish_boolean (self, result, tirkeu_journal_upsert_requests_async, error);
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
                                        sync_result_cb, &result);
  wait_for_result (context, &result);
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

  stmt = db_prepare (db, "SELECT record FROM requests ORDER BY updated_at DESC, id DESC",
                     &error);
  if (stmt == NULL)
    {
      job_return_error (task, g_steal_pointer (&error));
      return;
    }

  records = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GVariant) record = NULL;
      TirkeuRequest *request;

      if (records->len % CANCEL_CHECK_EVERY == 0 &&
          job_return_if_cancelled (task))
        return;

      /* Built here, off the caller's thread; nothing else sees them until they are returned. */
      record = g_variant_ref_sink (record_from_column (stmt, 0));
      request = request_from_record (record, NULL);
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
      set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      job_return_error (task, g_steal_pointer (&error));
      return;
    }

  job_return_pointer (task, g_steal_pointer (&records), (GDestroyNotify) g_ptr_array_unref);
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

  task = new_job (self, tirkeu_journal_list_requests_async, job_list_requests,
                  cancellable, callback, user_data, &args);
  push_job (self, task);
}

/**
 * tirkeu_journal_list_requests_finish:
 * @self: a #TirkeuJournal
 * @result: the result given to the callback
 * @error: return location for a #TIRKEU_STORE_ERROR
 *
 * Returns: (transfer container) (element-type TirkeuRequest) (nullable): the requests
 */
GPtrArray *
tirkeu_journal_list_requests_finish (TirkeuJournal  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return finish_pointer (self, result, tirkeu_journal_list_requests_async, error);
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
  tirkeu_journal_list_requests_async (self, cancellable, sync_result_cb, &result);
  wait_for_result (context, &result);
  g_main_context_pop_thread_default (context);

  return tirkeu_journal_list_requests_finish (self, result, error);
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

  stmt = db_prepare (db, "SELECT record FROM requests WHERE portal_id = ?1", &error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, args->id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (&error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_NOT_FOUND,
                   _("There is no request %s in the journal"), args->id);
      goto fail;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      goto fail;
    }

  record = g_variant_ref_sink (record_from_column (stmt, 0));
  request = request_from_record (record, &error);
  if (request == NULL)
    goto fail;

  job_return_pointer (task, request, g_object_unref);
  return;

fail:
  job_return_error (task, g_steal_pointer (&error));
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

  task = new_job (self, tirkeu_journal_get_request_async, job_get_request,
                  cancellable, callback, user_data, &args);
  args->id = g_strdup (portal_id);
  push_job (self, task);
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
  return finish_pointer (self, result, tirkeu_journal_get_request_async, error);
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
  tirkeu_journal_get_request_async (self, portal_id, cancellable, sync_result_cb, &result);
  wait_for_result (context, &result);
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

  stmt = db_prepare (db, "SELECT value FROM meta WHERE key = ?1", &error);
  if (stmt == NULL)
    {
      job_return_error (task, g_steal_pointer (&error));
      return;
    }

  bind_text (stmt, 1, CURSOR_KEY);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    job_return_pointer (task, g_strdup (column_text (stmt, 0)), g_free);
  else if (rc == SQLITE_DONE)
    job_return_pointer (task, NULL, NULL);
  else
    {
      set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      job_return_error (task, g_steal_pointer (&error));
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

  task = new_job (self, tirkeu_journal_get_cursor_async, job_get_cursor,
                  cancellable, callback, user_data, &args);
  push_job (self, task);
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
  return finish_pointer (self, result, tirkeu_journal_get_cursor_async, error);
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
  tirkeu_journal_get_cursor_async (self, cancellable, sync_result_cb, &result);
  wait_for_result (context, &result);
  g_main_context_pop_thread_default (context);

  return tirkeu_journal_get_cursor_finish (self, result, error);
}

/* ------------------------------------------------------------------------------------------ */
/* Outbox */

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

  if (!db_begin (db, &error))
    goto fail;

  /* The portal already confirmed a request with this key: queueing it again would only
   * make the app submit it again. A request a sync stored while it still waits for the
   * seller's signature (created, not yet signed) is not confirmed: it must be sendable. */
  confirmed = db_prepare (db, "SELECT stage FROM requests WHERE idempotency_key = ?1", &error);
  if (confirmed == NULL)
    goto fail;
  bind_text (confirmed, 1, args->id);
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
      set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      goto fail;
    }

  /* The same key again (a retry of the submit page) keeps the first entry: one key, one
   * entry, one request at the portal. */
  insert = db_prepare (db,
                       "INSERT INTO outbox (idempotency_key, draft_id, record, attempts,"
                       "  next_attempt_at, created_at) VALUES (?1, ?2, ?3, 0, ?4, ?5)"
                       " ON CONFLICT (idempotency_key) DO NOTHING",
                       &error);
  if (insert == NULL)
    goto fail;
  bind_text (insert, 1, args->id);
  bind_text (insert, 2, args->text);
  bind_record (insert, 3, args->variant);
  sqlite3_bind_int64 (insert, 4, args->time);
  sqlite3_bind_int64 (insert, 5, g_get_real_time ());
  if (!db_step_done (db, insert, &error))
    goto fail;

  /* The draft becomes the outbox entry in the same transaction: never both, never neither. */
  if (args->text != NULL)
    {
      drop_draft = db_prepare (db, "DELETE FROM drafts WHERE id = ?1", &error);
      if (drop_draft == NULL)
        goto fail;
      bind_text (drop_draft, 1, args->text);
      if (!db_step_done (db, drop_draft, &error))
        goto fail;
    }

  g_clear_pointer (&confirmed, sqlite3_finalize);
  g_clear_pointer (&insert, sqlite3_finalize);
  g_clear_pointer (&drop_draft, sqlite3_finalize);
  if (!db_commit (db, &error))
    goto fail;

  job_return_boolean (task, TRUE);
  return;

fail:
  g_clear_pointer (&confirmed, sqlite3_finalize);
  g_clear_pointer (&insert, sqlite3_finalize);
  g_clear_pointer (&drop_draft, sqlite3_finalize);
  db_rollback (db);
  job_return_error (task, g_steal_pointer (&error));
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

  task = new_job (self, tirkeu_journal_enqueue_async, job_enqueue,
                  cancellable, callback, user_data, &args);
  args->id = g_strdup (tirkeu_request_get_idempotency_key (request));
  args->variant = tirkeu_request_to_variant (request);
  args->text = g_strdup (draft_id);
  args->time = next_attempt_at;
  push_job (self, task);
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
  return finish_boolean (self, result, tirkeu_journal_enqueue_async, error);
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

  stmt = db_prepare (db,
                     "UPDATE outbox SET attempts = attempts + 1, last_error = ?2,"
                     " next_attempt_at = ?3 WHERE idempotency_key = ?1",
                     &error);
  if (stmt == NULL)
    goto fail;

  bind_text (stmt, 1, args->id);
  bind_text (stmt, 2, args->text);
  sqlite3_bind_int64 (stmt, 3, args->time);
  if (!db_step_done (db, stmt, &error))
    goto fail;

  if (sqlite3_changes (db) == 0)
    {
      g_set_error (&error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_NOT_FOUND,
                   _("The outbox holds no request with this key"));
      goto fail;
    }

  job_return_boolean (task, TRUE);
  return;

fail:
  job_return_error (task, g_steal_pointer (&error));
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

  task = new_job (self, tirkeu_journal_record_attempt_async, job_record_attempt,
                  cancellable, callback, user_data, &args);
  args->id = g_strdup (idempotency_key);
  args->text = g_strdup (last_error);
  args->time = next_attempt_at;
  push_job (self, task);
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
  return finish_boolean (self, result, tirkeu_journal_record_attempt_async, error);
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

  if (!db_begin (db, &error))
    goto fail;

  remove = db_prepare (db, "DELETE FROM outbox WHERE idempotency_key = ?1", &error);
  if (remove == NULL)
    goto fail;
  bind_text (remove, 1, args->id);
  if (!db_step_done (db, remove, &error))
    goto fail;

  /* The confirmed request enters the requests table in the same transaction as it leaves
   * the outbox: a crash in between can neither lose it nor leave it to be sent again. */
  if (args->variant != NULL)
    {
      if (!upsert_statements_prepare (db, &statements, &error) ||
          !upsert_request (db, &statements, args->variant, args->id, &error))
        goto fail;
    }

  upsert_statements_clear (&statements);
  g_clear_pointer (&remove, sqlite3_finalize);
  if (!db_commit (db, &error))
    goto fail;

  job_return_boolean (task, TRUE);
  return;

fail:
  upsert_statements_clear (&statements);
  g_clear_pointer (&remove, sqlite3_finalize);
  db_rollback (db);
  job_return_error (task, g_steal_pointer (&error));
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

  task = new_job (self, tirkeu_journal_complete_async, job_complete,
                  cancellable, callback, user_data, &args);
  args->id = g_strdup (idempotency_key);
  args->variant = confirmed != NULL ? tirkeu_request_to_variant (confirmed) : NULL;
  push_job (self, task);
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
  return finish_boolean (self, result, tirkeu_journal_complete_async, error);
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

  stmt = db_prepare (db,
                     "SELECT idempotency_key, record, attempts, last_error, next_attempt_at,"
                     " draft_id FROM outbox WHERE next_attempt_at <= ?1"
                     " ORDER BY next_attempt_at, created_at",
                     &error);
  if (stmt == NULL)
    {
      job_return_error (task, g_steal_pointer (&error));
      return;
    }
  sqlite3_bind_int64 (stmt, 1, args->time);

  g_variant_builder_init (&list, TIRKEU_JOURNAL_OUTBOX_LIST_TYPE);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GVariant) record = g_variant_ref_sink (record_from_column (stmt, 1));

      g_variant_builder_add (&list, "(s@a{sv}usxs)",
                             column_text (stmt, 0),
                             record,
                             (guint32) sqlite3_column_int64 (stmt, 2),
                             column_text (stmt, 3),
                             (gint64) sqlite3_column_int64 (stmt, 4),
                             column_text (stmt, 5));
    }

  if (rc != SQLITE_DONE)
    {
      g_variant_builder_clear (&list);
      set_sqlite_error (&error, db, rc, _("Could not read the journal"));
      job_return_error (task, g_steal_pointer (&error));
      return;
    }

  job_return_pointer (task, g_variant_ref_sink (g_variant_builder_end (&list)),
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

  task = new_job (self, tirkeu_journal_list_outbox_due_async, job_list_outbox_due,
                  cancellable, callback, user_data, &args);
  args->time = now;
  push_job (self, task);
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
  return finish_pointer (self, result, tirkeu_journal_list_outbox_due_async, error);
}

/* ------------------------------------------------------------------------------------------ */
/* Maintenance */

/* SQLite's own check: every page and record of the file well-formed (quick_check), or that
 * and every index matching its table (integrity_check, a few times slower). The first
 * finding goes into the error: it names pages and tables, never a stored value. */
static gboolean
run_check (sqlite3     *db,
           const char  *pragma,
           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = db_prepare (db, pragma, error);
  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, db, rc, _("Could not read the journal"));
      return FALSE;
    }

  if (!g_str_equal (column_text (stmt, 0), "ok"))
    {
      g_set_error (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_CORRUPT,
                   "%s: %s", _("The journal file is damaged"), column_text (stmt, 0));
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
  return run_check (db, "PRAGMA quick_check", error);
}

static void
job_check_integrity (GTask        *task,
                     Worker       *worker,
                     JobArgs      *args,
                     GCancellable *cancellable)
{
  GError *error = NULL;

  if (!run_check (worker->db, "PRAGMA integrity_check", &error))
    job_return_error (task, error);
  else
    job_return_boolean (task, TRUE);
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
  task = new_job (self, tirkeu_journal_check_integrity_sync, job_check_integrity,
                  cancellable, sync_result_cb, &result, &args);
  push_job (self, task);
  wait_for_result (context, &result);
  g_main_context_pop_thread_default (context);

  return finish_boolean (self, result, tirkeu_journal_check_integrity_sync, error);
}
