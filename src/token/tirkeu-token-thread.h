/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The token thread of TirkeuTokenManager: its state, its jobs, and the functions its files
 * share (tirkeu-token-manager.c, -slots.c, -certificates.c, -key-files.c, -signing.c).
 * Private to src/token; nothing here is touched by any thread but the token thread, except
 * Shared (its atomics). The thread is a TirkeuSerialExecutor, as the journal's is: jobs run
 * one at a time, in order, and the Worker is its state. */

#include <gio/gio.h>
#include <libp11.h>
#include <openssl/ui.h>
#include <p11-kit/pkcs11.h>

#include "tirkeu-cms.h"
#include "tirkeu-gost.h"
#include "tirkeu-key-file.h"
#include "tirkeu-pkcs11.h"
#include "tirkeu-token-manager.h"
#include "tirkeu-token-private.h"

G_BEGIN_DECLS

/* What the manager and its thread share; reference counted, since idle callbacks queued by
 * the thread may run after the manager is gone. */
typedef struct
{
  GMainContext *context;
  GWeakRef      manager;
  char         *module_path;
  int           poll_interval_ms;   /* atomic */
  int           reload_on_poll;     /* atomic */
  int           poll_pending;       /* atomic: a JOB_POLL is queued and has not run yet */
  gboolean      key_files_only;     /* set before the thread starts: no module at all */
} Shared;

typedef enum
{
  JOB_LOAD,
  JOB_LIST_TOKENS,
  JOB_LIST_CERTIFICATES,
  JOB_SIGN,
  JOB_DIGEST,
  JOB_ADD_KEY_FILE,
  JOB_REMOVE_KEY_FILE,
  JOB_POLL,                         /* the presence poll's tick: no task */
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
  char              *pin;           /* _tirkeu_token_secret_copy(): wiped right after
                                     * C_Login, and again when freed */
  gsize              pin_size;      /* of its pages */
  GBytes            *content;
  GInputStream      *content_stream; /* instead of content: read on the token thread */
  TirkeuDocumentDigest *digest;     /* a sign job's, instead of content: read already */
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

/* --- delivering to the main context -------------------------------------------------- */

typedef enum { RESULT_BOOLEAN, RESULT_POINTER } ResultKind;

typedef struct
{
  GFile             *file;
  TirkeuTokenInfo   *info;
  TirkeuCertificate *certificate;
} KeyFileToken;

/* tirkeu-token-manager.c: a digest job's result. It is made on the token thread and only
 * read there afterwards (a sign job finishes its digester); other threads only hold it. */
TirkeuDocumentDigest *_tirkeu_document_digest_new (const char        *token_serial,
                                                   const char        *certificate_id,
                                                   TirkeuSignPurpose  purpose,
                                                   const char        *seller_bin,
                                                   X509              *signer,
                                                   TirkeuCmsDigester *digester);
X509 *_tirkeu_document_digest_get_signer (TirkeuDocumentDigest *digest);
TirkeuCmsDigester *_tirkeu_document_digest_get_digester (TirkeuDocumentDigest *digest);

/* tirkeu-token-manager.c: jobs and their delivery */
void _tirkeu_token_wipe_pin (Job *job);
void _tirkeu_token_complete_job (Worker         *worker,
                                 Job            *job,
                                 ResultKind     kind,
                                 gpointer       pointer,
                                 GDestroyNotify destroy,
                                 GError         *error);
void _tirkeu_token_post_presence (Worker          *worker,
                                  TirkeuTokenInfo *info,
                                  gboolean        added);
gboolean _tirkeu_token_job_cancelled (Job    *job,
                                      GError **error);

/* tirkeu-token-slots.c */
GError *_tirkeu_token_module_error (const char *module_path);
GError *_tirkeu_token_error_new (TirkeuTokenError code);
CK_RV _tirkeu_token_last_ckr (void);
void _tirkeu_token_log_openssl_errors (const char *what);
UI_METHOD *_tirkeu_token_pin_ui_new (void);
PKCS11_SLOT *_tirkeu_token_find_slot (Worker     *worker,
                                      const char *serial);
void _tirkeu_token_unload_module (Worker *worker);
gboolean _tirkeu_token_refresh_slots (Worker   *worker,
                                      gboolean reload,
                                      GError   **error);
void _tirkeu_token_poll_tokens (Worker *worker);
void _tirkeu_token_run_load (Worker *worker,
                             Job    *job);
void _tirkeu_token_run_list_tokens (Worker *worker,
                                    Job    *job);
GError *_tirkeu_token_removed_or (Worker     *worker,
                                  const char *serial,
                                  GError     *error);
GError *_tirkeu_token_login_error (Worker     *worker,
                                   const char *serial,
                                   CK_RV      rv);

/* tirkeu-token-certificates.c */
gboolean _tirkeu_token_same_id (const unsigned char *id,
                                size_t              id_len,
                                const char          *hex);
TirkeuCertificate *_tirkeu_token_certificate_from_pkcs11 (Worker       *worker,
                                                          PKCS11_TOKEN *token,
                                                          PKCS11_CERT  *cert,
                                                          GPtrArray    *gost_ids);
GPtrArray *_tirkeu_token_gost_key_ids (Worker     *worker,
                                       const char *serial);
void _tirkeu_token_run_list_certificates (Worker *worker,
                                          Job    *job);

/* tirkeu-token-key-files.c */
void _tirkeu_token_key_file_token_free (gpointer data);
KeyFileToken *_tirkeu_token_find_key_file (Worker     *worker,
                                           const char *serial);
TirkeuKeyFile *_tirkeu_token_open_key_file (GFile        *file,
                                            const char   *password,
                                            GCancellable *cancellable,
                                            GError       **error);
void _tirkeu_token_run_add_key_file (Worker *worker,
                                     Job    *job);
void _tirkeu_token_run_remove_key_file (Worker *worker,
                                        Job    *job);

/* tirkeu-token-signing.c */
void _tirkeu_token_run_sign (Worker *worker,
                             Job    *job);
void _tirkeu_token_run_digest (Worker *worker,
                               Job    *job);

G_END_DECLS
