/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libp11.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ui.h>
#include <p11-kit/pkcs11.h>
#include <string.h>

#include "tirkeu-secret.h"
#include "tirkeu-cms.h"
#include "tirkeu-gost.h"
#include "tirkeu-key-file.h"
#include "tirkeu-pkcs11.h"
#include "tirkeu-token-manager.h"
#include "tirkeu-token-private.h"

/* The design is described at the top of tirkeu-token-manager.h. */

#define DEFAULT_POLL_INTERVAL_MS 1000

/* What the manager and its thread share; reference counted, since idle callbacks queued by
 * the thread may run after the manager is gone. */
typedef struct
{
  GAsyncQueue  *jobs;
  GMainContext *context;
  GWeakRef      manager;
  char         *module_path;
  int           poll_interval_ms;   /* atomic */
  int           reload_on_poll;     /* atomic */
} Shared;

typedef enum
{
  JOB_LOAD,
  JOB_LIST_TOKENS,
  JOB_LIST_CERTIFICATES,
  JOB_SIGN,
  JOB_ADD_KEY_FILE,
  JOB_REMOVE_KEY_FILE,
  JOB_QUIT,
} JobKind;

typedef struct
{
  JobKind            kind;
  GTask             *task;          /* moved to the main context to be returned and freed */
  GCancellable      *cancellable;
  char              *token_serial;
  char              *certificate_id;
  TirkeuSignPurpose  purpose;
  char              *seller_bin;
  char              *pin;           /* wiped right after C_Login, and again when freed */
  gsize              pin_size;
  GBytes            *content;
  GFile             *key_file;
} Job;

/* The thread's own state: touched by no other thread. */
typedef struct
{
  Shared       *shared;
  PKCS11_CTX   *ctx;
  TirkeuPkcs11 *raw;                /* the same module, for the GOST keys libp11 skips */
  PKCS11_SLOT  *slots;
  unsigned int  n_slots;
  GPtrArray    *present;            /* TirkeuTokenInfo of the last enumeration */
  UI_METHOD    *pin_ui;             /* libp11's context-specific login asks this */
  /* Parsed certificates by where they are and what they hold (certificate_cache_key()):
   * each signature and listing would otherwise parse every certificate of the token again.
   * The objects are immutable, so one may be handed out any number of times. */
  GHashTable   *certificates;
  GPtrArray    *key_files;          /* KeyFileToken: the key files opened, in order */
  guint         loaded : 1;
  guint         module_is_softhsm : 1;
} Worker;

struct _TirkeuTokenManager
{
  GObject parent_instance;

  Shared  *shared;
  GThread *thread;
};

G_DEFINE_FINAL_TYPE (TirkeuTokenManager, tirkeu_token_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODULE_PATH,
  PROP_POLL_INTERVAL,
  PROP_RELOAD_ON_POLL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  TOKEN_ADDED,
  TOKEN_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- shared state and jobs ----------------------------------------------------------- */

static void
shared_clear (gpointer data)
{
  Shared *shared = data;

  g_async_queue_unref (shared->jobs);
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

static void
wipe_pin (Job *job)
{
  if (job->pin != NULL)
    tirkeu_secret_wipe (job->pin, job->pin_size);
}

static void
job_free (Job *job)
{
  wipe_pin (job);
  g_free (job->pin);
  g_clear_object (&job->task);
  g_clear_object (&job->cancellable);
  g_free (job->token_serial);
  g_free (job->certificate_id);
  g_free (job->seller_bin);
  g_clear_pointer (&job->content, g_bytes_unref);
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
  g_async_queue_push (self->shared->jobs, job);
}

/* --- delivering to the main context -------------------------------------------------- */

typedef enum { RESULT_BOOLEAN, RESULT_POINTER } ResultKind;

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

static void
complete_job (Worker         *worker,
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

static void
post_presence (Worker          *worker,
               TirkeuTokenInfo *info,
               gboolean         added)
{
  PresenceEvent *event = g_new0 (PresenceEvent, 1);

  event->shared = shared_ref (worker->shared);
  event->info = g_object_ref (info);
  event->added = added;
  invoke_in_main (worker->shared, presence_dispatch_cb, event, presence_event_free);
}

/* --- the token thread: slots, presence ------------------------------------------------ */

static GError *
module_error (const char *module_path)
{
  return g_error_new (TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_MODULE, "%s (%s)",
                      tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_MODULE), module_path);
}

static GError *
token_error (TirkeuTokenError code)
{
  return g_error_new_literal (TIRKEU_TOKEN_ERROR, code, tirkeu_token_error_to_message (code));
}

/* The CKR_* value libp11 pushed last on this thread's OpenSSL error queue, or CKR_OK. */
static CK_RV
last_ckr (void)
{
  unsigned long error = ERR_peek_last_error ();

  if (error != 0 && ERR_GET_LIB (error) == ERR_get_CKR_code ())
    return ERR_GET_REASON (error);

  return CKR_OK;
}

static void
log_openssl_errors (const char *what)
{
  unsigned long error;
  char text[256];

  while ((error = ERR_get_error ()) != 0)
    {
      ERR_error_string_n (error, text, sizeof text);
      g_debug ("%s: %s", what, text);
    }
}

/* libp11 asks for the PIN of a CKA_ALWAYS_AUTHENTICATE key through OpenSSL's UI. Ours
 * answers with the PIN of the signing job under way, given as the UI's user data, and
 * writes nothing anywhere: with no job (no user data) the answer is a failure, never a
 * prompt on the console. */
static int
pin_ui_read_cb (UI        *ui,
                UI_STRING *uis)
{
  const char *pin = UI_get0_user_data (ui);

  switch (UI_get_string_type (uis))
    {
    case UIT_PROMPT:
    case UIT_VERIFY:
      if (pin == NULL)
        return 0;
      return UI_set_result (ui, uis, pin) == 0 ? 1 : 0;
    case UIT_NONE:
    case UIT_BOOLEAN:
    case UIT_INFO:
    case UIT_ERROR:
    default:
      return 1;
    }
}

static int
pin_ui_write_cb (UI        *ui,
                 UI_STRING *uis)
{
  return 1;
}

static UI_METHOD *
pin_ui_new (void)
{
  UI_METHOD *method = UI_create_method ("tirkeu token PIN");

  UI_method_set_reader (method, pin_ui_read_cb);
  UI_method_set_writer (method, pin_ui_write_cb);
  return method;
}

static TirkeuPinFlags
pin_flags_of (const PKCS11_TOKEN *token)
{
  TirkeuPinFlags flags = TIRKEU_PIN_FLAGS_NONE;

  if (token->userPinCountLow)
    flags |= TIRKEU_PIN_FLAGS_COUNT_LOW;
  if (token->userPinFinalTry)
    flags |= TIRKEU_PIN_FLAGS_FINAL_TRY;
  if (token->userPinLocked)
    flags |= TIRKEU_PIN_FLAGS_LOCKED;
  if (token->userPinToBeChanged)
    flags |= TIRKEU_PIN_FLAGS_TO_BE_CHANGED;

  return flags;
}

static gboolean
slot_has_token (const PKCS11_SLOT *slot)
{
  /* SoftHSM always offers an empty, uninitialised token in a spare slot: not a token. */
  return slot->token != NULL && slot->token->initialized;
}

static PKCS11_SLOT *
find_slot (Worker     *worker,
           const char *serial)
{
  for (unsigned int i = 0; i < worker->n_slots; i++)
    {
      PKCS11_SLOT *slot = &worker->slots[i];

      if (slot_has_token (slot) && g_strcmp0 (slot->token->serialnr, serial) == 0)
        return slot;
    }

  return NULL;
}

static TirkeuTokenInfo *
find_present (GPtrArray  *present,
              const char *serial)
{
  for (guint i = 0; i < present->len; i++)
    {
      TirkeuTokenInfo *info = g_ptr_array_index (present, i);

      if (g_str_equal (tirkeu_token_info_get_serial (info), serial))
        return info;
    }

  return NULL;
}

static gboolean
certificate_of_token_cb (gpointer key,
                         gpointer value,
                         gpointer user_data)
{
  return g_strcmp0 (tirkeu_certificate_get_token_serial (value), user_data) == 0;
}

/* A token taken out may come back changed: nothing of it is kept. */
static void
forget_certificates (Worker     *worker,
                     const char *serial)
{
  g_hash_table_foreach_remove (worker->certificates, certificate_of_token_cb, (gpointer) serial);
}

/* Compares the tokens now present with the last enumeration, by serial number, and tells
 * the main context what came and went. */
static void
update_presence (Worker *worker)
{
  g_autoptr(GPtrArray) present = g_ptr_array_new_with_free_func (g_object_unref);

  for (unsigned int i = 0; worker->loaded && i < worker->n_slots; i++)
    {
      const PKCS11_SLOT *slot = &worker->slots[i];
      const PKCS11_TOKEN *token = slot->token;

      if (!slot_has_token (slot) || find_present (present, token->serialnr) != NULL)
        continue;
      g_ptr_array_add (present, _tirkeu_token_info_new (token->label, token->manufacturer,
                                                        token->model, token->serialnr,
                                                        pin_flags_of (token)));
    }

  for (guint i = 0; i < worker->present->len; i++)
    {
      TirkeuTokenInfo *info = g_ptr_array_index (worker->present, i);

      if (find_present (present, tirkeu_token_info_get_serial (info)) == NULL)
        {
          forget_certificates (worker, tirkeu_token_info_get_serial (info));
          g_debug ("token %s removed", tirkeu_token_info_get_label (info));
          post_presence (worker, info, FALSE);
        }
    }

  for (guint i = 0; i < present->len; i++)
    {
      TirkeuTokenInfo *info = g_ptr_array_index (present, i);

      if (find_present (worker->present, tirkeu_token_info_get_serial (info)) == NULL)
        {
          g_debug ("token %s added", tirkeu_token_info_get_label (info));
          post_presence (worker, info, TRUE);
        }
    }

  g_ptr_array_unref (worker->present);
  worker->present = g_steal_pointer (&present);
}

static void
release_slots (Worker *worker)
{
  /* Also wipes the copy of the PIN that libp11 keeps in each slot it logged in to. */
  if (worker->slots != NULL)
    PKCS11_release_all_slots (worker->ctx, worker->slots, worker->n_slots);
  worker->slots = NULL;
  worker->n_slots = 0;
}

static void
unload_module (Worker *worker)
{
  release_slots (worker);
  /* Ours first: libp11's unload finalizes the module. */
  g_clear_pointer (&worker->raw, _tirkeu_pkcs11_close);
  if (worker->loaded)
    PKCS11_CTX_unload (worker->ctx);
  worker->loaded = FALSE;
  /* A fresh context for each load: libp11 0.4.12 does not free the module's manufacturer
   * and description strings on unload, only when the context is freed, so reloading the
   * same context (every poll on SoftHSM) would leak them. */
  g_clear_pointer (&worker->ctx, PKCS11_CTX_free);
}

static gboolean
load_module (Worker  *worker,
             GError **error)
{
  g_autoptr(GError) raw_error = NULL;

  unload_module (worker);

  worker->ctx = PKCS11_CTX_new ();
  /* Before anything can ask: no PIN (and never the console) until a signing job sets one. */
  PKCS11_set_ui_method (worker->ctx, worker->pin_ui, NULL);
  if (PKCS11_CTX_load (worker->ctx, worker->shared->module_path) != 0)
    {
      log_openssl_errors ("PKCS11_CTX_load");
      update_presence (worker);
      g_propagate_error (error, module_error (worker->shared->module_path));
      return FALSE;
    }

  worker->loaded = TRUE;
  worker->module_is_softhsm = g_str_has_prefix (worker->ctx->manufacturer, "SoftHSM");

  /* Without it, GOST keys are not found; RSA and EC keys still are. */
  worker->raw = _tirkeu_pkcs11_open (worker->shared->module_path, &raw_error);
  if (worker->raw == NULL)
    g_debug ("no raw PKCS#11 access: %s", raw_error->message);

  return TRUE;
}

/* Releases all slots and enumerates them again: the workaround for PKCS11_update_slots() of
 * libp11 0.4.12, which crashes with two or more slots. Every PKCS11_SLOT, _TOKEN, _CERT and
 * _KEY pointer from before is invalid afterwards. */
static gboolean
refresh_slots (Worker   *worker,
               gboolean  reload,
               GError  **error)
{
  if (!worker->loaded)
    {
      g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_MODULE,
                           tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_MODULE));
      return FALSE;
    }

  release_slots (worker);
  if (reload && !load_module (worker, error))
    return FALSE;

  if (PKCS11_enumerate_slots (worker->ctx, &worker->slots, &worker->n_slots) != 0)
    {
      log_openssl_errors ("PKCS11_enumerate_slots");
      worker->slots = NULL;
      worker->n_slots = 0;
      update_presence (worker);
      g_propagate_error (error, module_error (worker->shared->module_path));
      return FALSE;
    }

  update_presence (worker);
  return TRUE;
}

static void
poll_tokens (Worker *worker)
{
  gboolean reload = g_atomic_int_get (&worker->shared->reload_on_poll)
                    || worker->module_is_softhsm;
  g_autoptr(GError) error = NULL;

  if (!refresh_slots (worker, reload, &error))
    g_debug ("poll: %s", error->message);
}

/* --- the token thread: jobs ----------------------------------------------------------- */

static gboolean
job_cancelled (Job     *job,
               GError **error)
{
  return g_cancellable_set_error_if_cancelled (job->cancellable, error);
}

static void
run_load (Worker *worker,
          Job    *job)
{
  GError *error = NULL;

  if (load_module (worker, &error))
    {
      g_debug ("loaded %s (%s)", worker->shared->module_path, worker->ctx->manufacturer);
      refresh_slots (worker, FALSE, &error);
    }

  complete_job (worker, job, RESULT_BOOLEAN, NULL, NULL, error);
}

typedef struct
{
  GFile             *file;
  TirkeuTokenInfo   *info;
  TirkeuCertificate *certificate;
} KeyFileToken;

static void
key_file_token_free (gpointer data)
{
  KeyFileToken *token = data;

  g_clear_object (&token->file);
  g_clear_object (&token->info);
  g_clear_object (&token->certificate);
  g_free (token);
}

/* A key file's "serial": stable for one file, distinct from any PKCS#11 serial (those are
 * at most 16 characters), and telling nothing about the person. */
static char *
key_file_serial (GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *uri = path == NULL ? g_file_get_uri (file) : NULL;
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                           path != NULL ? path : uri, -1);

  return g_strdup_printf ("key-file:%.16s", digest);
}

static KeyFileToken *
find_key_file (Worker     *worker,
               const char *serial)
{
  for (guint i = 0; i < worker->key_files->len; i++)
    {
      KeyFileToken *token = g_ptr_array_index (worker->key_files, i);

      if (g_str_equal (tirkeu_token_info_get_serial (token->info), serial))
        return token;
    }

  return NULL;
}

static void
run_list_tokens (Worker *worker,
                 Job    *job)
{
  GError *error = NULL;
  GPtrArray *tokens;

  /* Key files need no module: with only those, a module that failed to load is no error. */
  if (!(worker->loaded || worker->key_files->len == 0) || !refresh_slots (worker, FALSE, &error))
    {
      if (worker->loaded || worker->key_files->len == 0)
        {
          complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
          return;
        }
      g_clear_error (&error);
    }

  tokens = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; worker->loaded && i < worker->present->len; i++)
    g_ptr_array_add (tokens, g_object_ref (g_ptr_array_index (worker->present, i)));
  for (guint i = 0; i < worker->key_files->len; i++)
    g_ptr_array_add (tokens, g_object_ref (((KeyFileToken *)
                                            g_ptr_array_index (worker->key_files, i))->info));

  complete_job (worker, job, RESULT_POINTER, tokens, (GDestroyNotify) g_ptr_array_unref, NULL);
}

static char *
id_to_hex (const unsigned char *id,
           size_t               id_len)
{
  GString *hex = g_string_sized_new (id_len * 2 + 1);

  for (size_t i = 0; i < id_len; i++)
    g_string_append_printf (hex, "%02x", id[i]);

  return g_string_free (hex, FALSE);
}

static gboolean
same_id (const unsigned char *id,
         size_t               id_len,
         const char          *hex)
{
  g_autofree char *other = id_to_hex (id, id_len);

  return g_ascii_strcasecmp (other, hex) == 0;
}

static gboolean
has_key_with_id (PKCS11_TOKEN        *token,
                 const unsigned char *id,
                 size_t               id_len,
                 gboolean             public_key)
{
  PKCS11_KEY *keys = NULL;
  unsigned int n_keys = 0;
  int status;

  status = public_key ? PKCS11_enumerate_public_keys (token, &keys, &n_keys)
                      : PKCS11_enumerate_keys (token, &keys, &n_keys);
  if (status != 0)
    {
      log_openssl_errors ("PKCS11_enumerate_keys");
      return FALSE;
    }

  for (unsigned int i = 0; i < n_keys; i++)
    if (keys[i].id_len == id_len && memcmp (keys[i].id, id, id_len) == 0)
      return TRUE;

  return FALSE;
}

static char *
certificate_cache_key (const char *serial,
                       const char *id,
                       const char *label,
                       gboolean    has_key,
                       GBytes     *der)
{
  g_autofree char *digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, der);

  return g_strdup_printf ("%s\n%s\n%s\n%d\n%s", serial, id, label != NULL ? label : "",
                          has_key, digest);
}

/* @gost_key_ids: the ids of the GOST keys on the token (libp11 0.4.12 does not see them) */
static TirkeuCertificate *
certificate_from_pkcs11 (Worker       *worker,
                         PKCS11_TOKEN *token,
                         PKCS11_CERT  *cert,
                         GPtrArray    *gost_key_ids)
{
  unsigned char *der = NULL;
  int der_len;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuCertificate) certificate = NULL;
  g_autofree char *id = NULL;
  g_autofree char *cache_key = NULL;
  TirkeuCertificate *cached;
  gboolean has_key;

  if (cert->x509 == NULL || (der_len = i2d_X509 (cert->x509, &der)) <= 0)
    return NULL;

  bytes = g_bytes_new (der, der_len);
  OPENSSL_free (der);

  /* Most tokens hide private keys until the PIN is given, but show the public key. */
  id = id_to_hex (cert->id, cert->id_len);
  has_key = has_key_with_id (token, cert->id, cert->id_len, FALSE)
            || has_key_with_id (token, cert->id, cert->id_len, TRUE)
            || (gost_key_ids != NULL
                && g_ptr_array_find_with_equal_func (gost_key_ids, id, g_str_equal, NULL));

  cache_key = certificate_cache_key (token->serialnr, id, cert->label, has_key, bytes);
  cached = g_hash_table_lookup (worker->certificates, cache_key);
  if (cached != NULL)
    return g_object_ref (cached);

  certificate = tirkeu_certificate_new_from_der (bytes, &error);
  if (certificate == NULL)
    {
      g_debug ("skipping certificate %s: %s", cert->label, error->message);
      return NULL;
    }
  _tirkeu_certificate_set_location (certificate, token->serialnr, id, cert->label, has_key);

  g_hash_table_insert (worker->certificates, g_steal_pointer (&cache_key),
                       g_object_ref (certificate));
  return g_steal_pointer (&certificate);
}

static GPtrArray *
gost_key_ids (Worker     *worker,
              const char *serial)
{
  if (worker->raw == NULL)
    return g_ptr_array_new_with_free_func (g_free);
  return _tirkeu_pkcs11_list_gost_key_ids (worker->raw, serial);
}

static GPtrArray *
list_certificates (Worker      *worker,
                   PKCS11_SLOT *slot,
                   GError     **error)
{
  g_autoptr(GPtrArray) certificates = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) gost_ids = NULL;
  PKCS11_CERT *certs = NULL;
  unsigned int n_certs = 0;

  if (PKCS11_enumerate_certs (slot->token, &certs, &n_certs) != 0)
    {
      log_openssl_errors ("PKCS11_enumerate_certs");
      g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE,
                           tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_CERTIFICATE));
      return NULL;
    }

  gost_ids = gost_key_ids (worker, slot->token->serialnr);
  for (unsigned int i = 0; i < n_certs; i++)
    {
      TirkeuCertificate *certificate = certificate_from_pkcs11 (worker, slot->token, &certs[i],
                                                                gost_ids);

      if (certificate != NULL)
        g_ptr_array_add (certificates, certificate);
    }

  return g_steal_pointer (&certificates);
}

/* After a failure: if the token is gone, that is the error to report. */
static GError *
removed_or (Worker     *worker,
            const char *serial,
            GError     *error)
{
  g_autoptr(GError) refresh_error = NULL;

  if (!refresh_slots (worker, FALSE, &refresh_error) || find_slot (worker, serial) == NULL)
    {
      g_clear_error (&error);
      return token_error (TIRKEU_TOKEN_ERROR_TOKEN_REMOVED);
    }

  return error;
}

static void
run_list_certificates (Worker *worker,
                       Job    *job)
{
  GError *error = NULL;
  PKCS11_SLOT *slot;
  GPtrArray *certificates;
  KeyFileToken *key_file = find_key_file (worker, job->token_serial);

  if (key_file != NULL)
    {
      certificates = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (certificates, g_object_ref (key_file->certificate));
      complete_job (worker, job, RESULT_POINTER, certificates,
                    (GDestroyNotify) g_ptr_array_unref, NULL);
      return;
    }

  if (!refresh_slots (worker, FALSE, &error))
    goto out;

  slot = find_slot (worker, job->token_serial);
  if (slot == NULL)
    {
      error = token_error (TIRKEU_TOKEN_ERROR_NO_TOKEN);
      goto out;
    }

  certificates = list_certificates (worker, slot, &error);
  if (certificates != NULL)
    {
      complete_job (worker, job, RESULT_POINTER, certificates,
                    (GDestroyNotify) g_ptr_array_unref, NULL);
      return;
    }
  error = removed_or (worker, job->token_serial, error);

out:
  complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
}

/* Maps a failed C_Login. PKCS#11 reports no count of tries left, only flags, and only in a
 * new CK_TOKEN_INFO: the slots are enumerated again to read them (TOOLCHAIN.md). */
static GError *
login_error (Worker     *worker,
             const char *serial,
             CK_RV       rv)
{
  PKCS11_SLOT *slot;
  TirkeuPinFlags flags;

  g_debug ("C_Login failed: CKR 0x%lx", (unsigned long) rv);

  switch (rv)
    {
    case CKR_PIN_LEN_RANGE:
    case CKR_PIN_INVALID:
      return token_error (TIRKEU_TOKEN_ERROR_PIN_INVALID);
    case CKR_PIN_INCORRECT:
    case CKR_PIN_LOCKED:
      break;
    default:
      return removed_or (worker, serial, token_error (TIRKEU_TOKEN_ERROR_SIGNING_FAILED));
    }

  if (!refresh_slots (worker, FALSE, NULL) || (slot = find_slot (worker, serial)) == NULL)
    return token_error (TIRKEU_TOKEN_ERROR_TOKEN_REMOVED);

  flags = pin_flags_of (slot->token);
  if (rv == CKR_PIN_LOCKED || (flags & TIRKEU_PIN_FLAGS_LOCKED))
    return token_error (TIRKEU_TOKEN_ERROR_PIN_LOCKED);
  if (flags & TIRKEU_PIN_FLAGS_FINAL_TRY)
    return token_error (TIRKEU_TOKEN_ERROR_PIN_FINAL_TRY);
  if (flags & TIRKEU_PIN_FLAGS_COUNT_LOW)
    return token_error (TIRKEU_TOKEN_ERROR_PIN_COUNT_LOW);

  return token_error (TIRKEU_TOKEN_ERROR_PIN_INCORRECT);
}

/* --- the token thread: signing ------------------------------------------------------------
 *
 * Every signature is a CAdES-BES detached CMS made by tirkeu_cms_sign_detached(); only the
 * raw signature over the signed attributes depends on where the key is: */

typedef struct
{
  Worker        *worker;
  Job           *job;
  EVP_PKEY      *private_key;      /* an RSA or EC key through libp11 */
  TirkeuKeyFile *key_file;         /* an NCA key file, opened with the job's password */
  CK_RV          ckr;              /* why the token failed, CKR_OK if it did not */
} Signing;

static GError *
signing_failed (void)
{
  return token_error (TIRKEU_TOKEN_ERROR_SIGNING_FAILED);
}

/* RSA (PKCS#1 v1.5) or ECDSA over SHA-256, by the key on the token; libp11 logs in to the
 * context of an always-authenticate key through pin_ui. */
static GBytes *
sign_with_libp11_cb (GBytes    *signed_attributes,
                     gpointer   user_data,
                     GError   **error)
{
  Signing *signing = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (signed_attributes, &len);
  EVP_MD_CTX *md = EVP_MD_CTX_new ();
  g_autofree guint8 *signature = NULL;
  size_t signature_len = 0;

  ERR_clear_error ();
  if (md == NULL
      || EVP_DigestSignInit (md, NULL, EVP_sha256 (), NULL, signing->private_key) != 1
      || EVP_DigestSign (md, NULL, &signature_len, data, len) != 1
      || (signature = g_malloc (signature_len)) == NULL
      || EVP_DigestSign (md, signature, &signature_len, data, len) != 1)
    {
      signing->ckr = last_ckr ();
      log_openssl_errors ("EVP_DigestSign");
      EVP_MD_CTX_free (md);
      g_propagate_error (error, signing_failed ());
      return NULL;
    }

  EVP_MD_CTX_free (md);
  return g_bytes_new_take (g_steal_pointer (&signature), signature_len);
}

/* GOST 2015-512 on a token: our Streebog-512, the token's CKM_GOSTR3410_512, NCA's layout. */
static GBytes *
sign_with_gost_token_cb (GBytes    *signed_attributes,
                         gpointer   user_data,
                         GError   **error)
{
  Signing *signing = user_data;
  guint8 digest[TIRKEU_GOST_DIGEST_SIZE];
  guint8 signature[TIRKEU_GOST_SIGNATURE_SIZE];
  gsize len;
  const guint8 *data = g_bytes_get_data (signed_attributes, &len);

  tirkeu_gost_streebog512 (data, len, digest);
  signing->ckr = _tirkeu_pkcs11_gost_sign (signing->worker->raw, signing->job->token_serial,
                                           signing->job->certificate_id, signing->job->pin,
                                           signed_attributes, digest, signature);
  if (signing->ckr != CKR_OK)
    {
      g_debug ("GOST signature on the token failed: CKR 0x%lx", (unsigned long) signing->ckr);
      g_propagate_error (error, signing_failed ());
      return NULL;
    }

  return g_bytes_new (signature, sizeof signature);
}

static GBytes *
sign_with_key_file_cb (GBytes    *signed_attributes,
                       gpointer   user_data,
                       GError   **error)
{
  Signing *signing = user_data;

  return tirkeu_key_file_sign (signing->key_file, signed_attributes, error);
}

/* After a failed signature on a token: a PIN refused by a context-specific login is the PIN
 * error it is; anything else is the token's failure, or its removal. */
static GError *
token_signing_error (Worker     *worker,
                     Job        *job,
                     CK_RV       rv,
                     GError     *error)
{
  switch (rv)
    {
    case CKR_PIN_INCORRECT:
    case CKR_PIN_LOCKED:
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE:
      g_clear_error (&error);
      return login_error (worker, job->token_serial, rv);
    case CKR_KEY_HANDLE_INVALID:
      g_clear_error (&error);
      return token_error (TIRKEU_TOKEN_ERROR_NO_KEY);
    default:
      return removed_or (worker, job->token_serial, error);
    }
}

/* --- the token thread: key files -----------------------------------------------------------
 *
 * An NCA key file is listed as a token of its own (TIRKEU_TOKEN_KIND_KEY_FILE) with one
 * certificate, so that the desk and the CLI handle both kinds alike. The file is read with
 * its password when it is added (its certificate is encrypted too) and again for each
 * signature, with the password given for that signature: the private key is never kept,
 * as a token's PIN is never kept. */

static TirkeuKeyFile *
open_key_file (GFile         *file,
               const char    *password,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  TirkeuKeyFile *key_file = tirkeu_key_file_new_from_file (file, password, cancellable,
                                                           &local_error);

  /* A file that went away is said as such; the key file's own errors stay as they are. */
  if (key_file == NULL && local_error->domain == G_IO_ERROR
      && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *name = g_file_get_parse_name (file);

      g_set_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NO_TOKEN, "%s (%s)",
                   local_error->message, name);
      return NULL;
    }
  if (key_file == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return key_file;
}

static void
run_add_key_file (Worker *worker,
                  Job    *job)
{
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(TirkeuCertificate) certificate = NULL;
  g_autofree char *serial = key_file_serial (job->key_file);
  g_autofree char *label = NULL;
  g_autofree char *id = NULL;
  KeyFileToken *token;
  GError *error = NULL;

  key_file = open_key_file (job->key_file, job->pin, job->cancellable, &error);
  wipe_pin (job);
  if (key_file == NULL)
    {
      complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
      return;
    }

  certificate = tirkeu_certificate_new_from_der (tirkeu_key_file_get_certificate_der (key_file),
                                                 &error);
  if (certificate == NULL)
    {
      complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
      return;
    }

  /* The certificate's id is its SHA-1 thumbprint, as Windows and NCA's tools show it. */
  id = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, tirkeu_key_file_get_certificate_der (key_file));
  label = g_file_get_basename (job->key_file);
  _tirkeu_certificate_set_location (certificate, serial, id, label, TRUE);

  token = find_key_file (worker, serial);
  if (token == NULL)
    {
      token = g_new0 (KeyFileToken, 1);
      token->file = g_object_ref (job->key_file);
      token->info = _tirkeu_token_info_new (label, "", "PKCS#12", serial, TIRKEU_PIN_FLAGS_NONE);
      _tirkeu_token_info_set_kind (token->info, TIRKEU_TOKEN_KIND_KEY_FILE);
      g_ptr_array_add (worker->key_files, token);
      post_presence (worker, token->info, TRUE);
    }
  g_set_object (&token->certificate, certificate);

  complete_job (worker, job, RESULT_POINTER, g_object_ref (token->info), g_object_unref, NULL);
}

static void
run_remove_key_file (Worker *worker,
                     Job    *job)
{
  KeyFileToken *token = find_key_file (worker, job->token_serial);

  if (token == NULL)
    {
      complete_job (worker, job, RESULT_BOOLEAN, NULL, NULL,
                    token_error (TIRKEU_TOKEN_ERROR_NO_TOKEN));
      return;
    }

  post_presence (worker, token->info, FALSE);
  g_ptr_array_remove (worker->key_files, token);
  complete_job (worker, job, RESULT_BOOLEAN, NULL, NULL, NULL);
}

static void
run_sign_key_file (Worker *worker,
                   Job    *job)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  KeyFileToken *token = find_key_file (worker, job->token_serial);
  Signing signing = { .worker = worker, .job = job, .ckr = CKR_OK };
  GBytes *signature = NULL;
  GError *error = NULL;

  if (g_ascii_strcasecmp (tirkeu_certificate_get_id (token->certificate),
                          job->certificate_id) != 0)
    error = token_error (TIRKEU_TOKEN_ERROR_CERTIFICATE);
  /* The refusals come before the password is tried, as before a PIN. */
  else if (tirkeu_certificate_check_purpose (token->certificate, job->purpose, job->seller_bin,
                                             now, &error)
           && !job_cancelled (job, &error))
    {
      signing.key_file = open_key_file (token->file, job->pin, job->cancellable, &error);
      wipe_pin (job);
      if (signing.key_file != NULL)
        signature = tirkeu_cms_sign_detached (tirkeu_key_file_get_certificate (signing.key_file),
                                              job->content, now, sign_with_key_file_cb,
                                              &signing, &error);
      g_clear_object (&signing.key_file);
    }

  wipe_pin (job);
  if (signature != NULL)
    complete_job (worker, job, RESULT_POINTER, signature, (GDestroyNotify) g_bytes_unref, NULL);
  else
    complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
}

static PKCS11_CERT *
find_certificate (PKCS11_SLOT *slot,
                  const char  *id)
{
  PKCS11_CERT *certs = NULL;
  unsigned int n_certs = 0;

  if (PKCS11_enumerate_certs (slot->token, &certs, &n_certs) != 0)
    return NULL;

  for (unsigned int i = 0; i < n_certs; i++)
    if (same_id (certs[i].id, certs[i].id_len, id))
      return &certs[i];

  return NULL;
}

static PKCS11_KEY *
find_private_key (PKCS11_SLOT *slot,
                  const char  *id)
{
  PKCS11_KEY *keys = NULL;
  unsigned int n_keys = 0;

  if (PKCS11_enumerate_keys (slot->token, &keys, &n_keys) != 0)
    return NULL;

  for (unsigned int i = 0; i < n_keys; i++)
    if (same_id (keys[i].id, keys[i].id_len, id))
      return &keys[i];

  return NULL;
}

static void
run_sign (Worker *worker,
          Job    *job)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(TirkeuCertificate) certificate = NULL;
  g_autoptr(GPtrArray) gost_ids = NULL;
  GError *error = NULL;
  GBytes *signature = NULL;
  PKCS11_SLOT *slot;
  PKCS11_CERT *cert;
  PKCS11_KEY *key;
  EVP_PKEY *private_key = NULL;
  X509 *signer = NULL;
  gboolean logged_in;
  CK_RV rv = CKR_OK;
  Signing signing = { .worker = worker, .job = job, .ckr = CKR_OK };

  if (find_key_file (worker, job->token_serial) != NULL)
    {
      run_sign_key_file (worker, job);
      return;
    }

  if (!refresh_slots (worker, FALSE, &error))
    goto out;

  slot = find_slot (worker, job->token_serial);
  if (slot == NULL)
    {
      error = token_error (TIRKEU_TOKEN_ERROR_NO_TOKEN);
      goto out;
    }

  cert = find_certificate (slot, job->certificate_id);
  gost_ids = gost_key_ids (worker, job->token_serial);
  if (cert == NULL
      || (certificate = certificate_from_pkcs11 (worker, slot->token, cert, gost_ids)) == NULL)
    {
      error = removed_or (worker, job->token_serial,
                          token_error (TIRKEU_TOKEN_ERROR_CERTIFICATE));
      goto out;
    }

  /* The refusals of issue 5, point 3, come before the PIN: no try is spent on them. */
  if (!tirkeu_certificate_check_purpose (certificate, job->purpose, job->seller_bin, now,
                                         &error))
    goto out;

  if (slot->token->userPinLocked)
    {
      error = token_error (TIRKEU_TOKEN_ERROR_PIN_LOCKED);
      goto out;
    }

  if (job_cancelled (job, &error))
    goto out;

  signer = X509_dup (cert->x509);

  if (tirkeu_certificate_get_key_algorithm (certificate) == TIRKEU_KEY_ALGORITHM_GOST_2015_512)
    {
      /* libp11 has no key for it: the raw calls log in, sign and log out. */
      if (worker->raw == NULL)
        {
          error = module_error (worker->shared->module_path);
          goto out;
        }
      signature = tirkeu_cms_sign_detached (signer, job->content, now, sign_with_gost_token_cb,
                                            &signing, &error);
      wipe_pin (job);
      if (signature == NULL)
        error = token_signing_error (worker, job, signing.ckr, error);
      goto out;
    }

  ERR_clear_error ();
  logged_in = PKCS11_login (slot, 0, job->pin) == 0;
  if (!logged_in)
    {
      rv = last_ckr ();
      log_openssl_errors ("PKCS11_login");
      error = login_error (worker, job->token_serial, rv != CKR_OK ? rv : CKR_GENERAL_ERROR);
      goto out;
    }

  /* Private keys are listed only now that the session is logged in. */
  key = find_private_key (slot, job->certificate_id);
  if (key == NULL || (private_key = PKCS11_get_private_key (key)) == NULL)
    {
      log_openssl_errors ("PKCS11_get_private_key");
      error = removed_or (worker, job->token_serial, token_error (TIRKEU_TOKEN_ERROR_NO_KEY));
      goto out;
    }

  /* A key marked CKA_ALWAYS_AUTHENTICATE: libp11 asks pin_ui for the PIN again. */
  PKCS11_set_ui_method (worker->ctx, worker->pin_ui, job->pin);
  signing.private_key = private_key;
  signature = tirkeu_cms_sign_detached (signer, job->content, now, sign_with_libp11_cb,
                                        &signing, &error);
  PKCS11_set_ui_method (worker->ctx, worker->pin_ui, NULL);
  wipe_pin (job);
  EVP_PKEY_free (g_steal_pointer (&private_key));
  if (signature == NULL)
    {
      error = token_signing_error (worker, job, signing.ckr, error);
      goto out;
    }

  PKCS11_logout (slot);

out:
  if (private_key != NULL)
    EVP_PKEY_free (private_key);
  X509_free (signer);
  wipe_pin (job);
  /* Drops libp11's copy of the PIN and the logged-in session with it. */
  if (worker->loaded)
    refresh_slots (worker, FALSE, NULL);
  log_openssl_errors ("sign");

  if (signature != NULL)
    complete_job (worker, job, RESULT_POINTER, signature, (GDestroyNotify) g_bytes_unref, NULL);
  else
    complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
}

static void
run_job (Worker *worker,
         Job    *job)
{
  GError *error = NULL;

  if (job_cancelled (job, &error))
    {
      complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
      return;
    }

  switch (job->kind)
    {
    case JOB_LOAD:
      run_load (worker, job);
      break;
    case JOB_LIST_TOKENS:
      run_list_tokens (worker, job);
      break;
    case JOB_LIST_CERTIFICATES:
      run_list_certificates (worker, job);
      break;
    case JOB_SIGN:
      run_sign (worker, job);
      break;
    case JOB_ADD_KEY_FILE:
      run_add_key_file (worker, job);
      break;
    case JOB_REMOVE_KEY_FILE:
      run_remove_key_file (worker, job);
      break;
    case JOB_QUIT:
    default:
      g_assert_not_reached ();
    }
}

static gpointer
worker_main (gpointer data)
{
  Worker worker = { .shared = data };

  worker.present = g_ptr_array_new_with_free_func (g_object_unref);
  worker.pin_ui = pin_ui_new ();
  worker.key_files = g_ptr_array_new_with_free_func (key_file_token_free);
  worker.certificates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  for (;;)
    {
      guint64 interval_us = (guint64) g_atomic_int_get (&worker.shared->poll_interval_ms) * 1000;
      Job *job;

      /* Unloaded, there is nothing to poll: sleep until a job comes. */
      if (worker.loaded && interval_us > 0)
        job = g_async_queue_timeout_pop (worker.shared->jobs, interval_us);
      else
        job = g_async_queue_pop (worker.shared->jobs);

      if (job == NULL)
        {
          poll_tokens (&worker);
          continue;
        }

      if (job->kind == JOB_QUIT)
        {
          job_free (job);
          break;
        }

      run_job (&worker, job);
      job_free (job);
    }

  unload_module (&worker);
  g_ptr_array_unref (worker.present);
  g_hash_table_unref (worker.certificates);
  UI_destroy_method (worker.pin_ui);
  g_ptr_array_unref (worker.key_files);
  ERR_clear_error ();
  shared_unref (worker.shared);

  return NULL;
}

/* --- the object ----------------------------------------------------------------------- */

static void
tirkeu_token_manager_constructed (GObject *object)
{
  TirkeuTokenManager *self = TIRKEU_TOKEN_MANAGER (object);

  G_OBJECT_CLASS (tirkeu_token_manager_parent_class)->constructed (object);

  if (self->shared->module_path == NULL)
    self->shared->module_path = g_strdup (TIRKEU_TOKEN_DEFAULT_MODULE);

  self->thread = g_thread_new ("tirkeu-token", worker_main, shared_ref (self->shared));
}

static void
tirkeu_token_manager_dispose (GObject *object)
{
  TirkeuTokenManager *self = TIRKEU_TOKEN_MANAGER (object);

  if (self->thread != NULL)
    {
      Job *quit = g_new0 (Job, 1);

      /* Every pending job holds a reference to the manager through its task, so the queue
       * holds nothing else by now. */
      quit->kind = JOB_QUIT;
      g_async_queue_push (self->shared->jobs, quit);
      g_thread_join (g_steal_pointer (&self->thread));
    }

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
  self->shared->jobs = g_async_queue_new ();
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

  job = job_new (self, JOB_SIGN, cancellable, callback, user_data,
                 tirkeu_token_manager_sign_async);
  job->token_serial = g_strdup (token_serial);
  job->certificate_id = g_strdup (certificate_id);
  job->purpose = purpose;
  job->seller_bin = g_strdup (seller_bin);
  job->pin_size = strlen (pin) + 1;
  job->pin = g_malloc (job->pin_size);
  memcpy (job->pin, pin, job->pin_size);
  job->content = g_bytes_ref (content);
  push_job (self, job);
}

/**
 * tirkeu_token_manager_sign_finish:
 * @self: a #TirkeuTokenManager
 * @result: the #GAsyncResult
 * @error: a #TIRKEU_TOKEN_ERROR (a refusal, a PIN error, a removed token, …) or
 *   %G_IO_ERROR_CANCELLED
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
  job->pin_size = strlen (password) + 1;
  job->pin = g_malloc (job->pin_size);
  memcpy (job->pin, password, job->pin_size);
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
