/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <string.h>

#include "tirkeu-secret.h"
#include "tirkeu-serial-executor.h"
#include "tirkeu-token-thread.h"

/* The design is described at the top of tirkeu-token-manager.h. This file holds the object,
 * its jobs, the token thread (a TirkeuSerialExecutor, as the journal's) and the presence
 * poll's tick; the jobs themselves are in tirkeu-token-slots.c, -certificates.c,
 * -key-files.c and -signing.c. */

#define DEFAULT_POLL_INTERVAL_MS 1000

struct _TirkeuTokenManager
{
  GObject parent_instance;

  Shared               *shared;
  TirkeuSerialExecutor *executor;     /* the token thread; its state is the Worker */
  GSource              *poll_source;  /* ticks the presence poll, on the manager's context */
};

G_DEFINE_FINAL_TYPE (TirkeuTokenManager, tirkeu_token_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODULE_PATH,
  PROP_POLL_INTERVAL,
  PROP_RELOAD_ON_POLL,
  PROP_KEY_FILES_ONLY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  TOKEN_ADDED,
  TOKEN_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- a document's digest, between its digest job and its sign job ---------------------- */

/**
 * TirkeuDocumentDigest:
 *
 * A document's digest made for one certificate's key by
 * tirkeu_token_manager_digest_stream_async(), to be signed by
 * tirkeu_token_manager_sign_digest_async() (once, or again after a wrong PIN). It holds
 * where the certificate is, what it signs for, and the digest: no PIN, nothing of the
 * document itself. Opaque; only the manager that made it reads it.
 */
struct _TirkeuDocumentDigest
{
  GObject            parent_instance;

  char              *token_serial;
  char              *certificate_id;
  TirkeuSignPurpose  purpose;
  char              *seller_bin;
  X509              *signer;
  TirkeuCmsDigester *digester;
};

G_DEFINE_FINAL_TYPE (TirkeuDocumentDigest, tirkeu_document_digest, G_TYPE_OBJECT)

static void
tirkeu_document_digest_finalize (GObject *object)
{
  TirkeuDocumentDigest *self = TIRKEU_DOCUMENT_DIGEST (object);

  g_free (self->token_serial);
  g_free (self->certificate_id);
  g_free (self->seller_bin);
  X509_free (self->signer);
  tirkeu_cms_digester_free (self->digester);

  G_OBJECT_CLASS (tirkeu_document_digest_parent_class)->finalize (object);
}

static void
tirkeu_document_digest_class_init (TirkeuDocumentDigestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tirkeu_document_digest_finalize;
}

static void
tirkeu_document_digest_init (TirkeuDocumentDigest *self)
{
}

/* Takes @signer and @digester. */
TirkeuDocumentDigest *
_tirkeu_document_digest_new (const char        *token_serial,
                             const char        *certificate_id,
                             TirkeuSignPurpose  purpose,
                             const char        *seller_bin,
                             X509              *signer,
                             TirkeuCmsDigester *digester)
{
  TirkeuDocumentDigest *self = g_object_new (TIRKEU_TYPE_DOCUMENT_DIGEST, NULL);

  self->token_serial = g_strdup (token_serial);
  self->certificate_id = g_strdup (certificate_id);
  self->purpose = purpose;
  self->seller_bin = g_strdup (seller_bin);
  self->signer = signer;
  self->digester = digester;
  return self;
}

X509 *
_tirkeu_document_digest_get_signer (TirkeuDocumentDigest *digest)
{
  return digest->signer;
}

TirkeuCmsDigester *
_tirkeu_document_digest_get_digester (TirkeuDocumentDigest *digest)
{
  return digest->digester;
}

/* --- shared state and jobs ----------------------------------------------------------- */

static void
shared_clear (gpointer data)
{
  Shared *shared = data;

  g_main_context_unref (shared->context);
  g_weak_ref_clear (&shared->manager);
  g_free (shared->module_path);
}

static Shared *
shared_ref (Shared *shared)
{
  return g_atomic_rc_box_acquire (shared);
}

static void
shared_unref (Shared *shared)
{
  g_atomic_rc_box_release_full (shared, shared_clear);
}

/* A job's copy of a PIN or password, in pages of its own (tirkeu_secret_pages_new()):
 * excluded from core dumps, as the CLI's buffer is. */
char *
_tirkeu_token_secret_copy (const char *secret,
                           gsize      *size)
{
  gsize len = strlen (secret) + 1;
  char *copy = tirkeu_secret_pages_new (len, size);

  memcpy (copy, secret, len);

  return copy;
}

/* Wipes the whole copy and gives its pages back. */
void
_tirkeu_token_secret_free (char  *copy,
                           gsize  size)
{
  tirkeu_secret_pages_free (copy, size);
}

void
_tirkeu_token_wipe_pin (Job *job)
{
  if (job->pin != NULL)
    tirkeu_secret_wipe (job->pin, job->pin_size);
}

static void
job_free (Job *job)
{
  _tirkeu_token_secret_free (job->pin, job->pin_size);
  g_clear_object (&job->task);
  g_clear_object (&job->cancellable);
  g_free (job->token_serial);
  g_free (job->certificate_id);
  g_free (job->seller_bin);
  g_clear_pointer (&job->content, g_bytes_unref);
  g_clear_object (&job->content_stream);
  g_clear_object (&job->digest);
  g_clear_object (&job->key_file);
  g_free (job);
}

static Job *
job_new (TirkeuTokenManager *self,
         JobKind             kind,
         GCancellable       *cancellable,
         GAsyncReadyCallback callback,
         gpointer            user_data,
         gpointer            source_tag)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, source_tag);

  return job;
}

static void
push_job (TirkeuTokenManager *self,
          Job                *job)
{
  tirkeu_serial_executor_push (self->executor, job);
}

typedef struct
{
  GTask          *task;
  ResultKind      kind;
  gpointer        pointer;
  GDestroyNotify  destroy;
  GError         *error;
} Completion;

static gboolean
completion_dispatch_cb (gpointer data)
{
  Completion *completion = data;

  if (completion->error != NULL)
    g_task_return_error (completion->task, g_steal_pointer (&completion->error));
  else if (completion->kind == RESULT_BOOLEAN)
    g_task_return_boolean (completion->task, TRUE);
  else
    g_task_return_pointer (completion->task, g_steal_pointer (&completion->pointer),
                           completion->destroy);

  return G_SOURCE_REMOVE;
}

static void
completion_free (gpointer data)
{
  Completion *completion = data;

  if (completion->pointer != NULL && completion->destroy != NULL)
    completion->destroy (completion->pointer);
  g_clear_error (&completion->error);
  /* The last reference to the task, and so maybe to the manager, is dropped here, on the
   * main context: never on the token thread, which dispose would then wait for. */
  g_clear_object (&completion->task);
  g_free (completion);
}

static void
invoke_in_main (Shared         *shared,
                GSourceFunc     func,
                gpointer        data,
                GDestroyNotify  destroy)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "[tirkeu] token result");
  g_source_attach (source, shared->context);
}

void
_tirkeu_token_complete_job (Worker         *worker,
                            Job            *job,
                            ResultKind      kind,
                            gpointer        pointer,
                            GDestroyNotify  destroy,
                            GError         *error)
{
  Completion *completion = g_new0 (Completion, 1);

  completion->task = g_steal_pointer (&job->task);
  completion->kind = kind;
  completion->pointer = pointer;
  completion->destroy = destroy;
  completion->error = error;
  invoke_in_main (worker->shared, completion_dispatch_cb, completion, completion_free);
}

typedef struct
{
  Shared          *shared;
  TirkeuTokenInfo *info;
  gboolean         added;
} PresenceEvent;

static gboolean
presence_dispatch_cb (gpointer data)
{
  PresenceEvent *event = data;
  g_autoptr(TirkeuTokenManager) self = g_weak_ref_get (&event->shared->manager);

  if (self != NULL)
    g_signal_emit (self, signals[event->added ? TOKEN_ADDED : TOKEN_REMOVED], 0, event->info);

  return G_SOURCE_REMOVE;
}

static void
presence_event_free (gpointer data)
{
  PresenceEvent *event = data;

  g_clear_object (&event->info);
  shared_unref (event->shared);
  g_free (event);
}

void
_tirkeu_token_post_presence (Worker          *worker,
                             TirkeuTokenInfo *info,
                             gboolean         added)
{
  PresenceEvent *event = g_new0 (PresenceEvent, 1);

  event->shared = shared_ref (worker->shared);
  event->info = g_object_ref (info);
  event->added = added;
  invoke_in_main (worker->shared, presence_dispatch_cb, event, presence_event_free);
}

/* --- the token thread: jobs ----------------------------------------------------------- */

gboolean
_tirkeu_token_job_cancelled (Job     *job,
                             GError **error)
{
  return g_cancellable_set_error_if_cancelled (job->cancellable, error);
}

static void
run_job (Worker *worker,
         Job    *job)
{
  GError *error = NULL;

  if (_tirkeu_token_job_cancelled (job, &error))
    {
      _tirkeu_token_complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
      return;
    }

  switch (job->kind)
    {
    case JOB_LOAD:
      _tirkeu_token_run_load (worker, job);
      break;
    case JOB_LIST_TOKENS:
      _tirkeu_token_run_list_tokens (worker, job);
      break;
    case JOB_LIST_CERTIFICATES:
      _tirkeu_token_run_list_certificates (worker, job);
      break;
    case JOB_SIGN:
      _tirkeu_token_run_sign (worker, job);
      break;
    case JOB_DIGEST:
      _tirkeu_token_run_digest (worker, job);
      break;
    case JOB_ADD_KEY_FILE:
      _tirkeu_token_run_add_key_file (worker, job);
      break;
    case JOB_REMOVE_KEY_FILE:
      _tirkeu_token_run_remove_key_file (worker, job);
      break;
    case JOB_POLL:
    default:
      g_assert_not_reached ();
    }
}

/* Runs one job on the token thread (the executor's function). */
static void
worker_run_cb (gpointer data,
               gpointer state)
{
  Job *job = data;
  Worker *worker = state;

  if (job->kind == JOB_POLL)
    {
      g_atomic_int_set (&worker->shared->poll_pending, 0);
      /* Unloaded, or polling switched off since the tick: nothing to poll. */
      if (worker->loaded && g_atomic_int_get (&worker->shared->poll_interval_ms) > 0)
        _tirkeu_token_poll_tokens (worker);
    }
  else
    run_job (worker, job);
  job_free (job);
}

static Worker *
worker_new (Shared *shared)
{
  Worker *worker = g_new0 (Worker, 1);

  worker->shared = shared;
  worker->present = g_ptr_array_new_with_free_func (g_object_unref);
  worker->pin_ui = _tirkeu_token_pin_ui_new ();
  worker->key_files = g_ptr_array_new_with_free_func (_tirkeu_token_key_file_token_free);
  worker->certificates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                g_object_unref);
  return worker;
}

/* The executor's state_free: on the token thread, after its last job. */
static void
worker_free (gpointer data)
{
  Worker *worker = data;

  _tirkeu_token_unload_module (worker);
  g_ptr_array_unref (worker->present);
  g_hash_table_unref (worker->certificates);
  UI_destroy_method (worker->pin_ui);
  g_ptr_array_unref (worker->key_files);
  ERR_clear_error ();
  /* OpenSSL's state for this thread (its error queue) is freed when a thread it knows of
   * exits; the executor's pool thread may outlive the manager, or the process end first, so
   * it is freed here, after the thread's last OpenSSL call. */
  OPENSSL_thread_stop ();
  shared_unref (worker->shared);
  g_free (worker);
}

/* The presence poll: a tick on the manager's context queues one poll behind the jobs, never
 * a second while one waits (a token thread busy with a slow signature would otherwise find
 * a pile of them). */
static gboolean
poll_tick_cb (gpointer user_data)
{
  TirkeuTokenManager *self = user_data;
  Job *job;

  if (!g_atomic_int_compare_and_exchange (&self->shared->poll_pending, 0, 1))
    return G_SOURCE_CONTINUE;
  job = g_new0 (Job, 1);
  job->kind = JOB_POLL;
  push_job (self, job);
  return G_SOURCE_CONTINUE;
}

static void
restart_poll_timer (TirkeuTokenManager *self)
{
  guint interval = (guint) g_atomic_int_get (&self->shared->poll_interval_ms);

  if (self->poll_source != NULL)
    {
      g_source_destroy (self->poll_source);
      g_clear_pointer (&self->poll_source, g_source_unref);
    }
  if (interval == 0 || self->executor == NULL)
    return;
  self->poll_source = g_timeout_source_new (interval);
  g_source_set_callback (self->poll_source, poll_tick_cb, self, NULL);
  g_source_set_name (self->poll_source, "[tirkeu] token presence poll");
  g_source_attach (self->poll_source, self->shared->context);
}

/* --- the object ----------------------------------------------------------------------- */

static void
tirkeu_token_manager_constructed (GObject *object)
{
  TirkeuTokenManager *self = TIRKEU_TOKEN_MANAGER (object);

  G_OBJECT_CLASS (tirkeu_token_manager_parent_class)->constructed (object);

  if (self->shared->module_path == NULL)
    self->shared->module_path = g_strdup (TIRKEU_TOKEN_DEFAULT_MODULE);

  /* An exclusive pool's thread: failing to make it is as fatal as g_thread_new() was. */
  self->executor = tirkeu_serial_executor_new (worker_run_cb, worker_new (shared_ref (self->shared)),
                                               worker_free, NULL);
  g_assert (self->executor != NULL);
  restart_poll_timer (self);
}

static void
tirkeu_token_manager_dispose (GObject *object)
{
  TirkeuTokenManager *self = TIRKEU_TOKEN_MANAGER (object);

  if (self->poll_source != NULL)
    {
      g_source_destroy (self->poll_source);
      g_clear_pointer (&self->poll_source, g_source_unref);
    }
  /* Every pending job holds a reference to the manager through its task, so the queue holds
   * nothing else by now but a poll: the executor runs it, then unloads the module on its
   * thread and stops. */
  g_clear_pointer (&self->executor, tirkeu_serial_executor_free);

  G_OBJECT_CLASS (tirkeu_token_manager_parent_class)->dispose (object);
}

static void
tirkeu_token_manager_finalize (GObject *object)
{
  TirkeuTokenManager *self = TIRKEU_TOKEN_MANAGER (object);

  g_clear_pointer (&self->shared, shared_unref);

  G_OBJECT_CLASS (tirkeu_token_manager_parent_class)->finalize (object);
}

static void
tirkeu_token_manager_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TirkeuTokenManager *self = TIRKEU_TOKEN_MANAGER (object);

  switch (prop_id)
    {
    case PROP_MODULE_PATH:
      g_value_set_string (value, self->shared->module_path);
      break;
    case PROP_POLL_INTERVAL:
      g_value_set_uint (value, tirkeu_token_manager_get_poll_interval (self));
      break;
    case PROP_RELOAD_ON_POLL:
      g_value_set_boolean (value, tirkeu_token_manager_get_reload_on_poll (self));
      break;
    case PROP_KEY_FILES_ONLY:
      g_value_set_boolean (value, self->shared->key_files_only);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_token_manager_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TirkeuTokenManager *self = TIRKEU_TOKEN_MANAGER (object);

  switch (prop_id)
    {
    case PROP_MODULE_PATH:
      /* construct-only: set once, before the thread starts */
      g_free (self->shared->module_path);
      self->shared->module_path = g_value_dup_string (value);
      break;
    case PROP_POLL_INTERVAL:
      tirkeu_token_manager_set_poll_interval (self, g_value_get_uint (value));
      break;
    case PROP_RELOAD_ON_POLL:
      tirkeu_token_manager_set_reload_on_poll (self, g_value_get_boolean (value));
      break;
    case PROP_KEY_FILES_ONLY:
      /* construct-only: set once, before the thread starts */
      self->shared->key_files_only = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_token_manager_class_init (TirkeuTokenManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = tirkeu_token_manager_constructed;
  object_class->dispose = tirkeu_token_manager_dispose;
  object_class->finalize = tirkeu_token_manager_finalize;
  object_class->get_property = tirkeu_token_manager_get_property;
  object_class->set_property = tirkeu_token_manager_set_property;

  /**
   * TirkeuTokenManager:module-path:
   *
   * The PKCS#11 module: a path, or a file name dlopen() finds. Default: p11-kit-proxy.so,
   * which reaches every module registered with p11-kit.
   */
  properties[PROP_MODULE_PATH] =
    g_param_spec_string ("module-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuTokenManager:poll-interval:
   *
   * Milliseconds between two looks at the slot list once the module is loaded; 0 stops the
   * polling. A change applies after the current wait.
   */
  properties[PROP_POLL_INTERVAL] =
    g_param_spec_uint ("poll-interval", NULL, NULL, 0, 60000, DEFAULT_POLL_INTERVAL_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuTokenManager:reload-on-poll:
   *
   * Whether each poll reloads the module: needed for modules that see new tokens only at
   * C_Initialize (SoftHSM, also behind p11-kit-proxy). Always done when the module loaded
   * is SoftHSM itself.
   */
  properties[PROP_RELOAD_ON_POLL] =
    g_param_spec_boolean ("reload-on-poll", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuTokenManager:key-files-only:
   *
   * Whether the manager holds the key files it is given and nothing else: no PKCS#11 module
   * is loaded, so no token is ever seen (tirkeu_token_manager_new_for_key_files()).
   */
  properties[PROP_KEY_FILES_ONLY] =
    g_param_spec_boolean ("key-files-only", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TirkeuTokenManager::token-added:
   * @self: the manager
   * @token: a #TirkeuTokenInfo
   *
   * A token appeared: inserted, or present when the module was loaded.
   */
  signals[TOKEN_ADDED] =
    g_signal_new ("token-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, TIRKEU_TYPE_TOKEN_INFO);

  /**
   * TirkeuTokenManager::token-removed:
   * @self: the manager
   * @token: a #TirkeuTokenInfo, as it was last seen
   *
   * A token went away.
   */
  signals[TOKEN_REMOVED] =
    g_signal_new ("token-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, TIRKEU_TYPE_TOKEN_INFO);
}

static void
tirkeu_token_manager_init (TirkeuTokenManager *self)
{
  self->shared = g_atomic_rc_box_new0 (Shared);
  self->shared->context = g_main_context_ref_thread_default ();
  self->shared->poll_interval_ms = DEFAULT_POLL_INTERVAL_MS;
  g_weak_ref_init (&self->shared->manager, self);
}

/**
 * tirkeu_token_manager_new:
 * @module_path: (nullable): the PKCS#11 module; %NULL for %TIRKEU_TOKEN_DEFAULT_MODULE
 *
 * Starts the token thread. Nothing is loaded until tirkeu_token_manager_load_async().
 * Results and signals arrive on the thread-default main context of the caller.
 *
 * Returns: (transfer full): a new manager
 */
TirkeuTokenManager *
tirkeu_token_manager_new (const char *module_path)
{
  return g_object_new (TIRKEU_TYPE_TOKEN_MANAGER, "module-path", module_path, NULL);
}

/**
 * tirkeu_token_manager_new_for_key_files:
 *
 * A manager of NCA key files alone (tirkeu_token_manager_add_key_file_async()): loading it
 * loads no PKCS#11 module, so an inserted token can never be taken for the key file the user
 * named (`tirkeu-cli --key-file`).
 *
 * Returns: (transfer full): a new manager
 */
TirkeuTokenManager *
tirkeu_token_manager_new_for_key_files (void)
{
  return g_object_new (TIRKEU_TYPE_TOKEN_MANAGER, "key-files-only", TRUE, NULL);
}

/**
 * tirkeu_token_manager_get_module_path:
 * @self: a #TirkeuTokenManager
 *
 * Returns: the PKCS#11 module in use
 */
const char *
tirkeu_token_manager_get_module_path (TirkeuTokenManager *self)
{
  g_return_val_if_fail (TIRKEU_IS_TOKEN_MANAGER (self), NULL);
  return self->shared->module_path;
}

/**
 * tirkeu_token_manager_get_poll_interval:
 * @self: a #TirkeuTokenManager
 *
 * Returns: the polling interval, in milliseconds
 */
guint
tirkeu_token_manager_get_poll_interval (TirkeuTokenManager *self)
{
  g_return_val_if_fail (TIRKEU_IS_TOKEN_MANAGER (self), 0);
  return (guint) g_atomic_int_get (&self->shared->poll_interval_ms);
}

/**
 * tirkeu_token_manager_set_poll_interval:
 * @self: a #TirkeuTokenManager
 * @msec: milliseconds between polls; 0 to stop polling
 */
void
tirkeu_token_manager_set_poll_interval (TirkeuTokenManager *self,
                                        guint               msec)
{
  g_return_if_fail (TIRKEU_IS_TOKEN_MANAGER (self));

  if (tirkeu_token_manager_get_poll_interval (self) == msec)
    return;

  g_atomic_int_set (&self->shared->poll_interval_ms, (int) MIN (msec, 60000));
  restart_poll_timer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POLL_INTERVAL]);
}

/**
 * tirkeu_token_manager_get_reload_on_poll:
 * @self: a #TirkeuTokenManager
 *
 * Returns: whether each poll reloads the module
 */
gboolean
tirkeu_token_manager_get_reload_on_poll (TirkeuTokenManager *self)
{
  g_return_val_if_fail (TIRKEU_IS_TOKEN_MANAGER (self), FALSE);
  return g_atomic_int_get (&self->shared->reload_on_poll);
}

/**
 * tirkeu_token_manager_set_reload_on_poll:
 * @self: a #TirkeuTokenManager
 * @reload: whether each poll reloads the module
 */
void
tirkeu_token_manager_set_reload_on_poll (TirkeuTokenManager *self,
                                         gboolean            reload)
{
  g_return_if_fail (TIRKEU_IS_TOKEN_MANAGER (self));

  reload = !!reload;
  if (tirkeu_token_manager_get_reload_on_poll (self) == reload)
    return;

  g_atomic_int_set (&self->shared->reload_on_poll, reload);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RELOAD_ON_POLL]);
}

/**
 * tirkeu_token_manager_load_async:
 * @self: a #TirkeuTokenManager
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the manager's main context when done
 * @user_data: data for @callback
 *
 * Loads (or reloads) the module and enumerates its tokens; each token present is then
 * announced with #TirkeuTokenManager::token-added, and polling starts.
 */
void
tirkeu_token_manager_load_async (TirkeuTokenManager  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (TIRKEU_IS_TOKEN_MANAGER (self));

  push_job (self, job_new (self, JOB_LOAD, cancellable, callback, user_data,
                           tirkeu_token_manager_load_async));
}

/**
 * tirkeu_token_manager_load_finish:
 * @self: a #TirkeuTokenManager
 * @result: the #GAsyncResult
 * @error: a %TIRKEU_TOKEN_ERROR_MODULE error, or %G_IO_ERROR_CANCELLED
 *
 * Returns: %TRUE if the module is loaded
 */
gboolean
tirkeu_token_manager_load_finish (TirkeuTokenManager  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tirkeu_token_manager_load_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tirkeu_token_manager_list_tokens_async:
 * @self: a #TirkeuTokenManager
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the manager's main context when done
 * @user_data: data for @callback
 *
 * Lists the tokens present now, with their PIN flags.
 */
void
tirkeu_token_manager_list_tokens_async (TirkeuTokenManager  *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (TIRKEU_IS_TOKEN_MANAGER (self));

  push_job (self, job_new (self, JOB_LIST_TOKENS, cancellable, callback, user_data,
                           tirkeu_token_manager_list_tokens_async));
}

/**
 * tirkeu_token_manager_list_tokens_finish:
 * @self: a #TirkeuTokenManager
 * @result: the #GAsyncResult
 * @error: a #TIRKEU_TOKEN_ERROR, or %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer container) (element-type TirkeuTokenInfo): the tokens, or %NULL
 */
GPtrArray *
tirkeu_token_manager_list_tokens_finish (TirkeuTokenManager  *self,
                                         GAsyncResult        *result,
                                         GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tirkeu_token_manager_list_tokens_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tirkeu_token_manager_list_certificates_async:
 * @self: a #TirkeuTokenManager
 * @token_serial: the token's serial number (tirkeu_token_info_get_serial())
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the manager's main context when done
 * @user_data: data for @callback
 *
 * Lists the token's certificates, parsed, each with whether a key pair goes with it. No PIN
 * is needed.
 */
void
tirkeu_token_manager_list_certificates_async (TirkeuTokenManager  *self,
                                              const char          *token_serial,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  Job *job;

  g_return_if_fail (TIRKEU_IS_TOKEN_MANAGER (self));
  g_return_if_fail (token_serial != NULL);

  job = job_new (self, JOB_LIST_CERTIFICATES, cancellable, callback, user_data,
                 tirkeu_token_manager_list_certificates_async);
  job->token_serial = g_strdup (token_serial);
  push_job (self, job);
}

/**
 * tirkeu_token_manager_list_certificates_finish:
 * @self: a #TirkeuTokenManager
 * @result: the #GAsyncResult
 * @error: %TIRKEU_TOKEN_ERROR_NO_TOKEN, %TIRKEU_TOKEN_ERROR_TOKEN_REMOVED, …
 *
 * Returns: (transfer container) (element-type TirkeuCertificate): the certificates, or %NULL
 */
GPtrArray *
tirkeu_token_manager_list_certificates_finish (TirkeuTokenManager  *self,
                                               GAsyncResult        *result,
                                               GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tirkeu_token_manager_list_certificates_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A sign job, or with no @pin a digest job (@kind). */
static Job *
sign_job_new (TirkeuTokenManager  *self,
              JobKind              kind,
              const char          *token_serial,
              const char          *certificate_id,
              TirkeuSignPurpose    purpose,
              const char          *seller_bin,
              const char          *pin,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data,
              gpointer             source_tag)
{
  Job *job = job_new (self, kind, cancellable, callback, user_data, source_tag);

  job->token_serial = g_strdup (token_serial);
  job->certificate_id = g_strdup (certificate_id);
  job->purpose = purpose;
  job->seller_bin = g_strdup (seller_bin);
  if (pin != NULL)
    job->pin = _tirkeu_token_secret_copy (pin, &job->pin_size);
  return job;
}

/**
 * tirkeu_token_manager_sign_async:
 * @self: a #TirkeuTokenManager
 * @token_serial: the token's serial number
 * @certificate_id: the certificate's id (tirkeu_certificate_get_id())
 * @purpose: what is signed, which decides the rules checked first
 * @seller_bin: (nullable): the seller's BIN; required for %TIRKEU_SIGN_PURPOSE_REQUEST
 * @pin: the user PIN, NUL-terminated. It is copied into the job before this returns: the
 *   caller wipes its own buffer as soon as it likes.
 * @content: the bytes to sign
 * @cancellable: (nullable): a #GCancellable; it takes effect before the PIN is used
 * @callback: called on the manager's main context when done
 * @user_data: data for @callback
 *
 * Makes a detached CMS signature of @content with the certificate's key: SHA-256, the
 * signer's certificate included, a signing-time attribute, DER. The refusals of
 * tirkeu_certificate_check_purpose() come before the PIN is tried.
 */
void
tirkeu_token_manager_sign_async (TirkeuTokenManager  *self,
                                 const char          *token_serial,
                                 const char          *certificate_id,
                                 TirkeuSignPurpose    purpose,
                                 const char          *seller_bin,
                                 const char          *pin,
                                 GBytes              *content,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  Job *job;

  g_return_if_fail (TIRKEU_IS_TOKEN_MANAGER (self));
  g_return_if_fail (token_serial != NULL);
  g_return_if_fail (certificate_id != NULL);
  g_return_if_fail (pin != NULL);
  g_return_if_fail (content != NULL);
  g_return_if_fail (purpose != TIRKEU_SIGN_PURPOSE_REQUEST || seller_bin != NULL);

  job = sign_job_new (self, JOB_SIGN, token_serial, certificate_id, purpose, seller_bin, pin,
                      cancellable, callback, user_data, tirkeu_token_manager_sign_async);
  job->content = g_bytes_ref (content);
  push_job (self, job);
}

/**
 * tirkeu_token_manager_digest_stream_async:
 * @self: a #TirkeuTokenManager
 * @token_serial: the token's serial number
 * @certificate_id: the certificate's id (tirkeu_certificate_get_id())
 * @purpose: what is signed, which decides the rules checked first
 * @seller_bin: (nullable): the seller's BIN; required for %TIRKEU_SIGN_PURPOSE_REQUEST
 * @content: the document to sign, read to its end on the token thread; the caller neither
 *   reads nor closes it until @callback runs
 * @cancellable: (nullable): a #GCancellable, checked at each block of @content
 * @callback: called on the manager's main context when done
 * @user_data: data for @callback
 *
 * The first half of a signature of a document of any size, which needs no PIN: the
 * certificate is found and its refusals (tirkeu_certificate_check_purpose(), a locked PIN)
 * checked, then @content is read a block at a time into the digest the certificate's key
 * needs, never held whole. A slow or endless input (a pipe, a device) keeps no PIN waiting
 * in memory and no token session logged in: the caller asks for the PIN only once this is
 * done, and gives it to tirkeu_token_manager_sign_digest_async(). A read error fails the
 * job with that error.
 */
void
tirkeu_token_manager_digest_stream_async (TirkeuTokenManager  *self,
                                          const char          *token_serial,
                                          const char          *certificate_id,
                                          TirkeuSignPurpose    purpose,
                                          const char          *seller_bin,
                                          GInputStream        *content,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  Job *job;

  g_return_if_fail (TIRKEU_IS_TOKEN_MANAGER (self));
  g_return_if_fail (token_serial != NULL);
  g_return_if_fail (certificate_id != NULL);
  g_return_if_fail (G_IS_INPUT_STREAM (content));
  g_return_if_fail (purpose != TIRKEU_SIGN_PURPOSE_REQUEST || seller_bin != NULL);

  job = sign_job_new (self, JOB_DIGEST, token_serial, certificate_id, purpose, seller_bin,
                      NULL, cancellable, callback, user_data,
                      tirkeu_token_manager_digest_stream_async);
  job->content_stream = g_object_ref (content);
  push_job (self, job);
}

/**
 * tirkeu_token_manager_digest_stream_finish:
 * @self: a #TirkeuTokenManager
 * @result: the #GAsyncResult
 * @error: a #TIRKEU_TOKEN_ERROR (a refusal, a locked PIN, a removed token, …), the stream's
 *   read error, or %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full): the document's digest, for
 *   tirkeu_token_manager_sign_digest_async() of this manager, or %NULL
 */
TirkeuDocumentDigest *
tirkeu_token_manager_digest_stream_finish (TirkeuTokenManager  *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tirkeu_token_manager_digest_stream_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tirkeu_token_manager_sign_digest_async:
 * @self: the #TirkeuTokenManager that made @digest
 * @digest: a document's digest (tirkeu_token_manager_digest_stream_finish())
 * @pin: the user PIN (a key file's password), NUL-terminated. It is copied into the job
 *   before this returns, and the copy wiped right after the login and signature: the
 *   caller wipes its own buffer as soon as it likes.
 * @cancellable: (nullable): a #GCancellable; it takes effect before the PIN is used
 * @callback: called on the manager's main context when done
 * @user_data: data for @callback
 *
 * The second half of tirkeu_token_manager_digest_stream_async(): the certificate is found
 * again (it must be the one @digest was made for, else %TIRKEU_TOKEN_ERROR_CERTIFICATE),
 * its refusals checked again, and the detached CMS signature made from @digest as
 * tirkeu_token_manager_sign_async() makes it. Finish with
 * tirkeu_token_manager_sign_finish().
 */
void
tirkeu_token_manager_sign_digest_async (TirkeuTokenManager   *self,
                                        TirkeuDocumentDigest *digest,
                                        const char           *pin,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data)
{
  Job *job;

  g_return_if_fail (TIRKEU_IS_TOKEN_MANAGER (self));
  g_return_if_fail (TIRKEU_IS_DOCUMENT_DIGEST (digest));
  g_return_if_fail (pin != NULL);

  job = sign_job_new (self, JOB_SIGN, digest->token_serial, digest->certificate_id,
                      digest->purpose, digest->seller_bin, pin, cancellable, callback,
                      user_data, tirkeu_token_manager_sign_async);
  job->digest = g_object_ref (digest);
  push_job (self, job);
}

/**
 * tirkeu_token_manager_sign_finish:
 * @self: a #TirkeuTokenManager
 * @result: the #GAsyncResult of tirkeu_token_manager_sign_async() or
 *   tirkeu_token_manager_sign_digest_async()
 * @error: a #TIRKEU_TOKEN_ERROR (a refusal, a PIN error, a removed token, …), the stream's
 *   read error, or %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full): the DER-encoded CMS ContentInfo, or %NULL
 */
GBytes *
tirkeu_token_manager_sign_finish (TirkeuTokenManager  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tirkeu_token_manager_sign_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tirkeu_token_manager_add_key_file_async:
 * @self: a #TirkeuTokenManager
 * @file: an NCA key file (PKCS#12, e.g. `GOST512_….p12`)
 * @password: the file's password, NUL-terminated. It is copied into the job before this
 *   returns and wiped once the file is read.
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the manager's main context when done
 * @user_data: data for @callback
 *
 * Opens the key file with its password and lists it from now on as a token of kind
 * %TIRKEU_TOKEN_KIND_KEY_FILE holding its one certificate (announced with
 * #TirkeuTokenManager::token-added). No module needs to be loaded for it. Signing with it
 * takes the password again, as the PIN of a token: the private key is not kept. Adding the
 * same file again reads it again.
 */
void
tirkeu_token_manager_add_key_file_async (TirkeuTokenManager  *self,
                                         GFile               *file,
                                         const char          *password,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  Job *job;

  g_return_if_fail (TIRKEU_IS_TOKEN_MANAGER (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (password != NULL);

  job = job_new (self, JOB_ADD_KEY_FILE, cancellable, callback, user_data,
                 tirkeu_token_manager_add_key_file_async);
  job->key_file = g_object_ref (file);
  job->pin = _tirkeu_token_secret_copy (password, &job->pin_size);
  push_job (self, job);
}

/**
 * tirkeu_token_manager_add_key_file_finish:
 * @self: a #TirkeuTokenManager
 * @result: the #GAsyncResult
 * @error: a key file error (%TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD, …),
 *   %TIRKEU_TOKEN_ERROR_NO_TOKEN when the file cannot be read, or %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full): the key file as a token, or %NULL
 */
TirkeuTokenInfo *
tirkeu_token_manager_add_key_file_finish (TirkeuTokenManager  *self,
                                          GAsyncResult        *result,
                                          GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tirkeu_token_manager_add_key_file_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tirkeu_token_manager_remove_key_file_async:
 * @self: a #TirkeuTokenManager
 * @token_serial: the key file's serial (tirkeu_token_info_get_serial())
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the manager's main context when done
 * @user_data: data for @callback
 *
 * Stops listing the key file (announced with #TirkeuTokenManager::token-removed).
 */
void
tirkeu_token_manager_remove_key_file_async (TirkeuTokenManager  *self,
                                            const char          *token_serial,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  Job *job;

  g_return_if_fail (TIRKEU_IS_TOKEN_MANAGER (self));
  g_return_if_fail (token_serial != NULL);

  job = job_new (self, JOB_REMOVE_KEY_FILE, cancellable, callback, user_data,
                 tirkeu_token_manager_remove_key_file_async);
  job->token_serial = g_strdup (token_serial);
  push_job (self, job);
}

/**
 * tirkeu_token_manager_remove_key_file_finish:
 * @self: a #TirkeuTokenManager
 * @result: the #GAsyncResult
 * @error: %TIRKEU_TOKEN_ERROR_NO_TOKEN when no such key file is listed
 *
 * Returns: %TRUE if the key file is no longer listed
 */
gboolean
tirkeu_token_manager_remove_key_file_finish (TirkeuTokenManager  *self,
                                             GAsyncResult        *result,
                                             GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tirkeu_token_manager_remove_key_file_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
