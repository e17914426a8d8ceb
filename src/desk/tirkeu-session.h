/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* GLib and GIO only: the app and tirkeu-cli both drive the signed-in state. */
#include <gio/gio.h>

#include "tirkeu-journal.h"
#include "tirkeu-outbox.h"
#include "tirkeu-portal-client.h"
#include "tirkeu-secret.h"
#include "tirkeu-token-manager.h"

G_BEGIN_DECLS

/**
 * TirkeuSessionState:
 * @TIRKEU_SESSION_STATE_LOADING: the PKCS#11 module is loading
 * @TIRKEU_SESSION_STATE_NO_MODULE: the PKCS#11 module could not be loaded (see
 *   tirkeu_session_get_error())
 * @TIRKEU_SESSION_STATE_NO_TOKEN: no token is inserted
 * @TIRKEU_SESSION_STATE_TOKEN_PRESENT: a token is inserted; its certificates are known
 * @TIRKEU_SESSION_STATE_EXPIRED: signed out because the portal session ended: enter the PIN
 *   to sign in again (nothing is signed in again without it)
 * @TIRKEU_SESSION_STATE_SIGNING_IN: the portal's challenge is being signed
 * @TIRKEU_SESSION_STATE_SIGNED_IN: signed in: the seller's profile and OKED check are known
 */
typedef enum
{
  TIRKEU_SESSION_STATE_LOADING,
  TIRKEU_SESSION_STATE_NO_MODULE,
  TIRKEU_SESSION_STATE_NO_TOKEN,
  TIRKEU_SESSION_STATE_TOKEN_PRESENT,
  TIRKEU_SESSION_STATE_EXPIRED,
  TIRKEU_SESSION_STATE_SIGNING_IN,
  TIRKEU_SESSION_STATE_SIGNED_IN,
} TirkeuSessionState;

#define TIRKEU_TYPE_SESSION (tirkeu_session_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuSession, tirkeu_session, TIRKEU, SESSION, GObject)

TirkeuSession      *tirkeu_session_new                 (TirkeuTokenManager  *tokens,
                                                        TirkeuPortalClient  *client);
TirkeuTokenManager *tirkeu_session_get_tokens          (TirkeuSession       *self);
TirkeuPortalClient *tirkeu_session_get_client          (TirkeuSession       *self);
TirkeuJournal      *tirkeu_session_get_journal         (TirkeuSession       *self);
void                tirkeu_session_set_journal         (TirkeuSession       *self,
                                                        TirkeuJournal       *journal);
TirkeuOutbox       *tirkeu_session_get_outbox          (TirkeuSession       *self);
TirkeuSessionState  tirkeu_session_get_state           (TirkeuSession       *self);
const GError       *tirkeu_session_get_error           (TirkeuSession       *self);
TirkeuTokenInfo    *tirkeu_session_get_token           (TirkeuSession       *self);
GPtrArray          *tirkeu_session_get_certificates    (TirkeuSession       *self);
GPtrArray          *tirkeu_session_dup_certificates    (TirkeuSession       *self,
                                                        TirkeuCertificateKind kind);
TirkeuCertificate  *tirkeu_session_get_certificate     (TirkeuSession       *self);
const TirkeuPortalSeller *tirkeu_session_get_seller    (TirkeuSession       *self);
gboolean            tirkeu_session_get_oked_qualifies  (TirkeuSession       *self);

void                tirkeu_session_start               (TirkeuSession       *self);
void                tirkeu_session_set_key_file        (TirkeuSession       *self,
                                                        GFile               *file);
GFile              *tirkeu_session_get_key_file        (TirkeuSession       *self);
gboolean            tirkeu_session_needs_key_file_password (TirkeuSession   *self);
void                tirkeu_session_open_key_file_async (TirkeuSession       *self,
                                                        const char          *password,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean            tirkeu_session_open_key_file_finish (TirkeuSession      *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                tirkeu_session_refresh_token_async (TirkeuSession       *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
TirkeuTokenInfo    *tirkeu_session_refresh_token_finish (TirkeuSession      *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                tirkeu_session_sign_in_async       (TirkeuSession       *self,
                                                        TirkeuCertificate   *certificate,
                                                        const char          *pin,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean            tirkeu_session_sign_in_finish      (TirkeuSession       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                tirkeu_session_sign_async          (TirkeuSession       *self,
                                                        TirkeuCertificate   *certificate,
                                                        const char          *pin,
                                                        GBytes              *content,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GBytes             *tirkeu_session_sign_finish         (TirkeuSession       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                tirkeu_session_sign_out            (TirkeuSession       *self);

void                tirkeu_session_resume_async        (TirkeuSession       *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean            tirkeu_session_resume_finish       (TirkeuSession       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
gboolean            tirkeu_session_remember            (TirkeuSession       *self,
                                                        GError             **error);

G_END_DECLS
