/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * TirkeuTokenManager: the EDS keys: tokens through one PKCS#11 module (libp11 + OpenSSL 3),
 * and NCA key files (PKCS#12) the user opened, listed and used as tokens of their own
 * (TIRKEU_TOKEN_KIND_KEY_FILE) so that the desk and the CLI treat both alike.
 *
 * Design
 * - One dedicated worker thread per manager (a TirkeuSerialExecutor, as the journal's) owns the
 *   libp11 context, its slots and every session. PKCS#11 sessions do not travel well between
 *   threads, and a slow hardware token must never freeze the window: every public operation
 *   is an _async/_finish pair whose job runs on that thread. Results (GTask) and the
 *   token-added / token-removed signals are delivered on the main context that was the
 *   thread-default one when the manager was created.
 * - Jobs: load the module, list tokens, list certificates (with whether a key pair goes with
 *   each), sign. Cancellation is checked before each job and between its steps; a PKCS#11
 *   call that has started runs to its end.
 * - Identities, never pointers: a token is its serial number, a certificate its CKA_ID
 *   (hex). Before each job the thread releases all slots and enumerates them again. This is
 *   also the workaround for libp11 0.4.12, whose PKCS11_update_slots() crashes with two or
 *   more slots; it invalidates every PKCS11_KEY / PKCS11_CERT, so none is kept between jobs.
 * - Presence: a tick on the main context queues a poll of the slot list every "poll-interval" ms
 *   (1000 by default, so an insertion or a removal is signalled within 2 s). SoftHSM only
 *   sees a token created by another process after C_Finalize/C_Initialize, so with
 *   "reload-on-poll" each poll reloads the module instead. Measured on Debian 12 (SoftHSM
 *   2.6.1): a slot enumeration costs 0.02 ms, a reload plus enumeration 0.8 ms (directly or
 *   through p11-kit-proxy), so polling every second is free either way. The reload is off by
 *   default (a hardware token through OpenSC needs none, and reloading logs out other
 *   sessions of this process) and switched on automatically when the module itself is
 *   SoftHSM.
 * - PIN: the caller's NUL-terminated PIN is copied into a sign job only, in pages of its
 *   own excluded from core dumps (MADV_DONTDUMP) and locked in memory when RLIMIT_MEMLOCK
 *   allows, as the CLI's buffer and GTK's password entry; the copy is wiped
 *   (explicit_bzero) as soon as the signature is made (a key marked
 *   CKA_ALWAYS_AUTHENTICATE needs it again for the context-specific login right before
 *   C_Sign), and the job wiped again when freed. libp11 would ask for that second PIN
 *   through OpenSSL's UI, on the console by default: the manager gives libp11 a UI_METHOD
 *   of its own that hands over the job's PIN and nothing else, and that never prompts. libp11 keeps
 *   its own copy of the PIN for re-login after fork(); it wipes it when the slot is released,
 *   so every signing job logs out and releases all slots before it returns. The PIN is never
 *   logged, never a property, never in a GString. On a failed login the slots are enumerated
 *   again to read the PIN flags (a snapshot), and the error is worded as the national
 *   signing agent words it: count low, final try (1 attempt left), locked.
 * - Before signing, tirkeu_certificate_check_purpose() refuses what may not sign (wrong BIN,
 *   expired, not yet valid, AUTH key, no right to sign, an old GOST 2004 key), so no PIN try
 *   is spent on it.
 * - Signature: a detached CAdES-BES CMS over the given bytes or stream, made by
 *   tirkeu_cms_sign_detached_digest() whatever holds the key. The document's digest is
 *   computed first, after the certificate's refusals and before the PIN or password is used.
 *   A stream (a document of any size, in bounded memory: a block at a time) is digested by a
 *   job of its own that takes no PIN (tirkeu_token_manager_digest_stream_async()); the PIN
 *   goes with the digest to the sign job (tirkeu_token_manager_sign_digest_async()), so
 *   the caller asks for it only once the document is read, however long that takes, and it
 *   lives in no job meanwhile. Bytes (a portal challenge, a signing payload) are digested
 *   and signed in one job. The certificate is found again for the sign job, and must be
 *   the one the digest was made for. Only the raw signature over the
 *   signed attributes differs: an RSA or EC key on a token through libp11 (EVP_DigestSign,
 *   SHA-256); a GOST 2015-512 key on a token through raw PKCS#11 calls (tirkeu-pkcs11.h:
 *   libp11 0.4.12 makes no key of the TC26 key type), our Streebog-512 digest signed with
 *   CKM_GOSTR3410_512 or, on a token that only hashes itself,
 *   CKM_GOSTR3410_WITH_GOSTR3411_12_512; a key file, opened again with the password given
 *   for this signature (tirkeu_key_file_sign()). Key files run on the same thread.
 * - Certificates are parsed once per token and content, and the parsed objects handed out
 *   again while the token holds the same certificate at the same place.
 * - A token removed during a job: the failure is followed by a new enumeration; a token no
 *   longer present gives TIRKEU_TOKEN_ERROR_TOKEN_REMOVED.
 */

#include <gio/gio.h>

#include "tirkeu-certificate.h"
#include "tirkeu-token-error.h"
#include "tirkeu-token-info.h"

G_BEGIN_DECLS

/* dlopen() finds it in the library path of the system and of the Flatpak runtime alike. */
#define TIRKEU_TOKEN_DEFAULT_MODULE "p11-kit-proxy.so"

#define TIRKEU_TYPE_TOKEN_MANAGER (tirkeu_token_manager_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuTokenManager, tirkeu_token_manager, TIRKEU, TOKEN_MANAGER, GObject)

#define TIRKEU_TYPE_DOCUMENT_DIGEST (tirkeu_document_digest_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuDocumentDigest, tirkeu_document_digest, TIRKEU, DOCUMENT_DIGEST,
                      GObject)

TirkeuTokenManager *tirkeu_token_manager_new                (const char          *module_path);
TirkeuTokenManager *tirkeu_token_manager_new_for_key_files  (void);
const char         *tirkeu_token_manager_get_module_path    (TirkeuTokenManager  *self);
guint               tirkeu_token_manager_get_poll_interval  (TirkeuTokenManager  *self);
void                tirkeu_token_manager_set_poll_interval  (TirkeuTokenManager  *self,
                                                             guint                msec);
gboolean            tirkeu_token_manager_get_reload_on_poll (TirkeuTokenManager  *self);
void                tirkeu_token_manager_set_reload_on_poll (TirkeuTokenManager  *self,
                                                             gboolean             reload);

void                tirkeu_token_manager_load_async         (TirkeuTokenManager  *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean            tirkeu_token_manager_load_finish        (TirkeuTokenManager  *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

void                tirkeu_token_manager_list_tokens_async  (TirkeuTokenManager  *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
GPtrArray          *tirkeu_token_manager_list_tokens_finish (TirkeuTokenManager  *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

void                tirkeu_token_manager_list_certificates_async
                                                            (TirkeuTokenManager  *self,
                                                             const char          *token_serial,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
GPtrArray          *tirkeu_token_manager_list_certificates_finish
                                                            (TirkeuTokenManager  *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

void                tirkeu_token_manager_sign_async         (TirkeuTokenManager  *self,
                                                             const char          *token_serial,
                                                             const char          *certificate_id,
                                                             TirkeuSignPurpose    purpose,
                                                             const char          *seller_bin,
                                                             const char          *pin,
                                                             GBytes              *content,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
void                tirkeu_token_manager_digest_stream_async
                                                            (TirkeuTokenManager  *self,
                                                             const char          *token_serial,
                                                             const char          *certificate_id,
                                                             TirkeuSignPurpose    purpose,
                                                             const char          *seller_bin,
                                                             GInputStream        *content,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
TirkeuDocumentDigest *tirkeu_token_manager_digest_stream_finish
                                                            (TirkeuTokenManager  *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);
void                tirkeu_token_manager_sign_digest_async  (TirkeuTokenManager  *self,
                                                             TirkeuDocumentDigest *digest,
                                                             const char          *pin,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
GBytes             *tirkeu_token_manager_sign_finish        (TirkeuTokenManager  *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

void                tirkeu_token_manager_add_key_file_async (TirkeuTokenManager  *self,
                                                             GFile               *file,
                                                             const char          *password,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
TirkeuTokenInfo    *tirkeu_token_manager_add_key_file_finish (TirkeuTokenManager *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);
void                tirkeu_token_manager_remove_key_file_async
                                                            (TirkeuTokenManager  *self,
                                                             const char          *token_serial,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean            tirkeu_token_manager_remove_key_file_finish
                                                            (TirkeuTokenManager  *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

G_END_DECLS
