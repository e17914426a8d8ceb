/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "tirkeu-journal-private.h"
#include "tirkeu-serial-executor.h"

/*
 * The journal: one SQLite file holding the drafts, the outbox, the requests with their stage
 * history and the sync cursor.
 *
 * Threading. One connection, opened and used by one thread of the journal's own: a
 * TirkeuSerialExecutor (a GThreadPool of one) runs the jobs in the order they were pushed.
 * Every public operation is an _async/_finish pair over a GTask whose job runs there; GTask
 * delivers the result on the caller's thread-default main context. The _sync variants (for
 * tirkeu-cli and the benchmark) go through the SAME executor: they push the same job and
 * iterate a private main context until it returns, so there is one connection and one writer
 * per process whatever the caller uses. Another process (the app and the CLI at once) is
 * serialized by SQLite's locks and busy_timeout.
 *
 * The executor's thread owns its state (Worker), not the TirkeuJournal: a GTask holds a
 * reference to the journal, so the journal's last reference may be dropped on that thread
 * itself, when it finishes a job after the caller already got the result. The executor then
 * does not wait for itself: it closes the connection and frees the state once the queue is
 * drained.
 */

struct _TirkeuJournal
{
  GObject parent_instance;

  char *path;

  /* owned: the journal's thread and, through it, the connection */
  TirkeuSerialExecutor *executor;
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
  g_clear_pointer (&job->args.draft, tirkeu_draft_free);
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
void
_tirkeu_journal_job_return_boolean (GTask    *task,
                                    gboolean  value)
{
  Job *job = task_get_job (task);

  g_assert (!job->returned);
  job->returned = TRUE;
  job->boolean = value;
}

void
_tirkeu_journal_job_return_pointer (GTask          *task,
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

void
_tirkeu_journal_job_return_error (GTask  *task,
                                  GError *error)
{
  Job *job = task_get_job (task);

  g_assert (!job->returned);
  job->returned = TRUE;
  job->error = error;
}

G_GNUC_PRINTF (4, 5)
void
_tirkeu_journal_job_return_new_error (GTask      *task,
                                      GQuark      domain,
                                      int         code,
                                      const char *format,
                                      ...)
{
  va_list args;

  va_start (args, format);
  _tirkeu_journal_job_return_error (task, g_error_new_valist (domain, code, format, args));
  va_end (args);
}

gboolean
_tirkeu_journal_job_return_if_cancelled (GTask *task)
{
  GError *error = NULL;

  if (!g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    return FALSE;

  _tirkeu_journal_job_return_error (task, error);
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

/* One job, on the journal's thread. */
static void
run_job (gpointer data,
         gpointer state)
{
  GTask *task = data;
  Worker *worker = state;
  Job *job = task_get_job (task);
  GMainContext *context;
  GSource *source;

  if (_tirkeu_journal_job_return_if_cancelled (task))
    ;
  else if (worker->db == NULL && job->func != _tirkeu_journal_job_open)
    _tirkeu_journal_job_return_new_error (task, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_OPEN,
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

/* After the last job, on the journal's thread. */
static void
worker_free (gpointer state)
{
  Worker *worker = state;

  if (worker->db != NULL)
    sqlite3_close_v2 (worker->db);
  g_free (worker);
}

/* Takes a new Job for @self; the returned task is queued with _tirkeu_journal_push_job(). */
GTask *
_tirkeu_journal_new_job (TirkeuJournal       *self,
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

void
_tirkeu_journal_push_job (TirkeuJournal *self,
                          GTask         *task)
{
  tirkeu_serial_executor_push (self->executor, task);
}

/* For the _sync variants: runs on a private main context until the job returned. */
void
_tirkeu_journal_sync_result_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

GAsyncResult *
_tirkeu_journal_wait_for_result (GMainContext  *context,
                                 GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (context, TRUE);

  return *slot;
}

/* ------------------------------------------------------------------------------------------ */
/* GObject */

static void
tirkeu_journal_finalize (GObject *object)
{
  TirkeuJournal *self = (TirkeuJournal *) object;

  /* Every queued job holds a reference to us, so no job is queued now: this closes the
   * connection on the journal's thread (waiting for it, unless we are on it). */
  tirkeu_serial_executor_free (self->executor);
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
  g_autoptr(GError) error = NULL;

  self->executor = tirkeu_serial_executor_new (run_job, g_new0 (Worker, 1), worker_free, &error);
  /* as g_thread_new() would: a process that cannot start a thread cannot go on */
  if (self->executor == NULL)
    g_error ("Cannot start the journal's thread: %s", error->message);
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

  task = _tirkeu_journal_new_job (self, tirkeu_journal_init_async, _tirkeu_journal_job_open,
                                  cancellable, callback, user_data, &args);
  args->text = g_strdup (self->path);
  _tirkeu_journal_push_job (self, task);
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
                             _tirkeu_journal_sync_result_cb, &result);
  _tirkeu_journal_wait_for_result (context, &result);
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

gboolean
_tirkeu_journal_finish_boolean (TirkeuJournal  *self,
                                GAsyncResult   *result,
                                gpointer        source_tag,
                                GError        **error)
{
  g_return_val_if_fail (TIRKEU_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gpointer
_tirkeu_journal_finish_pointer (TirkeuJournal  *self,
                                GAsyncResult   *result,
                                gpointer        source_tag,
                                GError        **error)
{
  g_return_val_if_fail (TIRKEU_IS_JOURNAL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
