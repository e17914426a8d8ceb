/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tirkeu-oked.h"
#include "tirkeu-portal-action.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-session.h"
#include "tirkeu-session-cache.h"

/**
 * TirkeuSession:
 *
 * The desk's signed-in state: the token manager, the portal client, the token in use and its
 * certificates, the AUTH certificate that signed in, and the seller's profile with the OKED
 * check (step 1). It follows the token: inserting one lists its certificates, removing the
 * one that signed in signs out at once (the portal session is dropped, nothing else can be
 * signed with it).
 *
 * The PIN is held only while the portal's challenge is being signed, in a copy wiped as soon
 * as the token has it; it is never a property and never logged. The token is logged in to
 * only with a PIN the user just gave to tirkeu_session_sign_in_async(): when the portal
 * session ends, whoever needed it gets %TIRKEU_PORTAL_CODE_SESSION_EXPIRED, the state turns
 * %TIRKEU_SESSION_STATE_EXPIRED ("signed out: enter the PIN") and nothing is tried again in
 * the background. A hardware token counts a failed login against its PIN tries.
 */
struct _TirkeuSession
{
  GObject              parent_instance;

  /* owned references */
  TirkeuTokenManager  *tokens;
  TirkeuPortalClient  *client;
  TirkeuJournal       *journal;
  TirkeuOutbox        *outbox;
  GFile               *key_file;       /* the NCA key file to use instead of a token */
  TirkeuTokenInfo     *token;
  GPtrArray           *certificates;
  TirkeuCertificate   *certificate;
  TirkeuPortalSeller  *seller;
  GError              *error;
  GCancellable        *cancellable;
  struct _SignInOp    *sign_in_op;     /* the sign-in under way, shared by its callers */

  /* state */
  TirkeuSessionState   state;
  char                *sign_in_pin;
  char                *sign_in_certificate_id;

  guint                remembered : 1;   /* the portal session is in the user's cache */
};

G_DEFINE_FINAL_TYPE (TirkeuSession, tirkeu_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_JOURNAL,
  N_PROPS
};

enum {
  SIGNED_OUT,
  CERTIFICATES_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_state (TirkeuSession      *self,
           TirkeuSessionState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* A session that ended or was signed out of must not be resumed by the next command. */
static void
forget_remembered (TirkeuSession *self)
{
  g_autoptr(GError) error = NULL;

  if (!self->remembered)
    return;
  self->remembered = FALSE;
  if (!tirkeu_session_cache_wipe (tirkeu_portal_client_get_base_url (self->client), &error))
    g_warning ("%s", error->message);
}

static void
forget_signed_in (TirkeuSession *self)
{
  g_clear_object (&self->certificate);
  g_clear_pointer (&self->seller, tirkeu_portal_seller_free);
  g_clear_pointer (&self->sign_in_pin, tirkeu_wipe_string);
  g_clear_pointer (&self->sign_in_certificate_id, g_free);
  tirkeu_portal_client_sign_out (self->client);
}

static void
list_certificates_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(TirkeuSession) self = user_data;
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GError) error = NULL;

  certificates = tirkeu_token_manager_list_certificates_finish (TIRKEU_TOKEN_MANAGER (object),
                                                                 result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (certificates == NULL)
    {
      g_warning ("Cannot list the token's certificates: %s", error->message);
      certificates = g_ptr_array_new_with_free_func (g_object_unref);
    }
  g_clear_pointer (&self->certificates, g_ptr_array_unref);
  self->certificates = g_steal_pointer (&certificates);
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_steal_pointer (&error);
  g_signal_emit (self, signals[CERTIFICATES_CHANGED], 0);
  if (self->state < TIRKEU_SESSION_STATE_TOKEN_PRESENT)
    set_state (self, TIRKEU_SESSION_STATE_TOKEN_PRESENT);
}

static void
use_token (TirkeuSession   *self,
           TirkeuTokenInfo *token)
{
  g_set_object (&self->token, token);
  tirkeu_token_manager_list_certificates_async (self->tokens, tirkeu_token_info_get_serial (token),
                                                self->cancellable, list_certificates_cb,
                                                g_object_ref (self));
}

static void
list_tokens_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TirkeuSession) self = user_data;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GError) error = NULL;

  tokens = tirkeu_token_manager_list_tokens_finish (TIRKEU_TOKEN_MANAGER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (tokens == NULL || tokens->len == 0)
    {
      g_clear_error (&self->error);
      self->error = g_steal_pointer (&error);
      if (self->token == NULL)
        set_state (self, TIRKEU_SESSION_STATE_NO_TOKEN);
      return;
    }
  if (self->token == NULL)
    use_token (self, g_ptr_array_index (tokens, 0));
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(TirkeuSession) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tirkeu_token_manager_load_finish (TIRKEU_TOKEN_MANAGER (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_clear_error (&self->error);
      self->error = g_steal_pointer (&error);
      set_state (self, TIRKEU_SESSION_STATE_NO_MODULE);
      return;
    }
  tirkeu_token_manager_list_tokens_async (self->tokens, self->cancellable, list_tokens_cb,
                                          g_object_ref (self));
}

static void
token_added_cb (TirkeuSession   *self,
                TirkeuTokenInfo *token)
{
  if (self->token != NULL)
    return;
  use_token (self, token);
}

static void
token_removed_cb (TirkeuSession   *self,
                  TirkeuTokenInfo *token)
{
  gboolean was_signed_in;

  if (self->token == NULL
      || g_strcmp0 (tirkeu_token_info_get_serial (token),
                    tirkeu_token_info_get_serial (self->token)) != 0)
    return;

  /* Removing the token signs out: nothing may be signed in its name any more. */
  was_signed_in = self->state >= TIRKEU_SESSION_STATE_SIGNING_IN;
  forget_signed_in (self);
  g_clear_object (&self->token);
  g_clear_pointer (&self->certificates, g_ptr_array_unref);
  g_signal_emit (self, signals[CERTIFICATES_CHANGED], 0);
  set_state (self, TIRKEU_SESSION_STATE_NO_TOKEN);
  if (was_signed_in)
    g_signal_emit (self, signals[SIGNED_OUT], 0, TRUE);

  /* Another token may still be inserted. */
  tirkeu_token_manager_list_tokens_async (self->tokens, self->cancellable, list_tokens_cb,
                                          g_object_ref (self));
}

/* The portal session ended and the client asked for a new one without a PIN from the user:
 * the desk is signed out until the user gives it. */
static void
expire (TirkeuSession *self)
{
  if (self->state != TIRKEU_SESSION_STATE_SIGNED_IN)
    return;

  g_debug ("The portal session ended: signed out until the PIN is given again");
  forget_remembered (self);
  g_clear_pointer (&self->seller, tirkeu_portal_seller_free);
  g_clear_error (&self->error);
  self->error = g_error_new_literal (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_SESSION_EXPIRED,
                                     _("Signed out: the portal session ended. Enter the PIN "
                                       "to sign in again."));
  tirkeu_portal_client_sign_out (self->client);
  set_state (self, TIRKEU_SESSION_STATE_EXPIRED);
  g_signal_emit (self, signals[SIGNED_OUT], 0, FALSE);
}

/* The portal's sign-in challenge goes to the AUTH key chosen in sign_in_async(), with the
 * PIN given there. The client also calls this on its own when a call finds the session
 * expired: without a PIN the user just gave, the token is not touched. */
static void
portal_sign_func (TirkeuPortalClient  *client,
                  GBytes              *challenge,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             callback_data,
                  gpointer             user_data)
{
  TirkeuSession *self = user_data;
  g_autofree char *pin = NULL;

  if (self->sign_in_pin == NULL || self->sign_in_certificate_id == NULL || self->token == NULL)
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, callback_data);

      g_task_set_source_tag (task, portal_sign_func);
      expire (self);
      g_task_return_new_error (task, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_SESSION_EXPIRED,
                               "%s", _("Signed out: the portal session ended. Enter the PIN "
                                       "to sign in again."));
      return;
    }

  pin = g_steal_pointer (&self->sign_in_pin);
  tirkeu_token_manager_sign_async (self->tokens, tirkeu_token_info_get_serial (self->token),
                                   self->sign_in_certificate_id, TIRKEU_SIGN_PURPOSE_SIGN_IN,
                                   NULL, pin, challenge, cancellable, callback, callback_data);
  /* The token job has its own copy. */
  tirkeu_wipe_string (g_steal_pointer (&pin));
}

static GBytes *
portal_sign_finish_func (TirkeuPortalClient  *client,
                         GAsyncResult        *result,
                         GError             **error,
                         gpointer             user_data)
{
  TirkeuSession *self = user_data;

  if (g_task_is_valid (result, self))
    return g_task_propagate_pointer (G_TASK (result), error);
  return tirkeu_token_manager_sign_finish (self->tokens, result, error);
}

static void
tirkeu_session_dispose (GObject *object)
{
  TirkeuSession *self = TIRKEU_SESSION (object);

  g_cancellable_cancel (self->cancellable);
  if (self->tokens != NULL)
    g_signal_handlers_disconnect_by_data (self->tokens, self);
  if (self->client != NULL)
    tirkeu_portal_client_set_sign_func (self->client, NULL, NULL, NULL, NULL);
  forget_signed_in (self);
  g_clear_object (&self->tokens);
  g_clear_object (&self->client);
  g_clear_object (&self->outbox);
  g_clear_object (&self->journal);
  g_clear_object (&self->key_file);
  g_clear_object (&self->token);
  g_clear_pointer (&self->certificates, g_ptr_array_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (tirkeu_session_parent_class)->dispose (object);
}

static void
tirkeu_session_finalize (GObject *object)
{
  TirkeuSession *self = TIRKEU_SESSION (object);

  g_clear_error (&self->error);

  G_OBJECT_CLASS (tirkeu_session_parent_class)->finalize (object);
}

static void
tirkeu_session_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TirkeuSession *self = TIRKEU_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_JOURNAL:
      g_value_set_object (value, self->journal);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_session_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TirkeuSession *self = TIRKEU_SESSION (object);

  switch (prop_id)
    {
    case PROP_JOURNAL:
      tirkeu_session_set_journal (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_session_class_init (TirkeuSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tirkeu_session_dispose;
  object_class->finalize = tirkeu_session_finalize;
  object_class->get_property = tirkeu_session_get_property;
  object_class->set_property = tirkeu_session_set_property;

  /**
   * TirkeuSession:state:
   *
   * A #TirkeuSessionState (an int: no enum type is registered for it).
   */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      TIRKEU_SESSION_STATE_LOADING, TIRKEU_SESSION_STATE_SIGNED_IN,
                      TIRKEU_SESSION_STATE_LOADING,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuSession:journal:
   *
   * The local journal (drafts, outbox, requests), or %NULL until it is open.
   */
  properties[PROP_JOURNAL] =
    g_param_spec_object ("journal", NULL, NULL, TIRKEU_TYPE_JOURNAL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TirkeuSession::signed-out:
   * @self: the session
   * @token_removed: %TRUE if the token was pulled out
   *
   * The seller is no longer signed in.
   */
  signals[SIGNED_OUT] =
    g_signal_new ("signed-out", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  /**
   * TirkeuSession::certificates-changed:
   *
   * The token or its list of certificates changed.
   */
  signals[CERTIFICATES_CHANGED] =
    g_signal_new ("certificates-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tirkeu_session_init (TirkeuSession *self)
{
  self->cancellable = g_cancellable_new ();
  self->state = TIRKEU_SESSION_STATE_LOADING;
}

/**
 * tirkeu_session_new:
 * @tokens: the token manager (not loaded yet)
 * @client: the portal client
 *
 * Returns: (transfer full): a new session; call tirkeu_session_start()
 */
TirkeuSession *
tirkeu_session_new (TirkeuTokenManager *tokens,
                    TirkeuPortalClient *client)
{
  TirkeuSession *self;

  g_return_val_if_fail (TIRKEU_IS_TOKEN_MANAGER (tokens), NULL);
  g_return_val_if_fail (TIRKEU_IS_PORTAL_CLIENT (client), NULL);

  self = g_object_new (TIRKEU_TYPE_SESSION, NULL);
  self->tokens = g_object_ref (tokens);
  self->client = g_object_ref (client);
  g_signal_connect_object (tokens, "token-added", G_CALLBACK (token_added_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (tokens, "token-removed", G_CALLBACK (token_removed_cb), self,
                           G_CONNECT_SWAPPED);
  /* The client holds no reference: the session outlives its use of the client. */
  tirkeu_portal_client_set_sign_func (client, portal_sign_func, portal_sign_finish_func, self,
                                      NULL);
  return self;
}

TirkeuTokenManager *
tirkeu_session_get_tokens (TirkeuSession *self)
{
  g_return_val_if_fail (TIRKEU_IS_SESSION (self), NULL);
  return self->tokens;
}

TirkeuPortalClient *
tirkeu_session_get_client (TirkeuSession *self)
{
  g_return_val_if_fail (TIRKEU_IS_SESSION (self), NULL);
  return self->client;
}

/**
 * tirkeu_session_get_journal:
 *
 * Returns: (transfer none) (nullable): the journal, %NULL until it is open
 */
TirkeuJournal *
tirkeu_session_get_journal (TirkeuSession *self)
{
  g_return_val_if_fail (TIRKEU_IS_SESSION (self), NULL);
  return self->journal;
}

void
tirkeu_session_set_journal (TirkeuSession *self,
                            TirkeuJournal *journal)
{
  g_return_if_fail (TIRKEU_IS_SESSION (self));
  g_return_if_fail (journal == NULL || TIRKEU_IS_JOURNAL (journal));

  if (!g_set_object (&self->journal, journal))
    return;
  g_clear_object (&self->outbox);
  if (journal != NULL)
    self->outbox = tirkeu_outbox_new (journal, self->client, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOURNAL]);
}

/**
 * tirkeu_session_get_outbox:
 *
 * Returns: (transfer none) (nullable): the outbox, %NULL until the journal is open
 */
TirkeuOutbox *
tirkeu_session_get_outbox (TirkeuSession *self)
{
  g_return_val_if_fail (TIRKEU_IS_SESSION (self), NULL);
  return self->outbox;
}

TirkeuSessionState
tirkeu_session_get_state (TirkeuSession *self)
{
  g_return_val_if_fail (TIRKEU_IS_SESSION (self), TIRKEU_SESSION_STATE_LOADING);
  return self->state;
}

/**
 * tirkeu_session_get_error:
 *
 * Returns: (nullable): why the module did not load or no token could be listed, or, in
 *   %TIRKEU_SESSION_STATE_EXPIRED, that the portal session ended (a
 *   %TIRKEU_PORTAL_CODE_SESSION_EXPIRED error whose message says to enter the PIN)
 */
const GError *
tirkeu_session_get_error (TirkeuSession *self)
{
  g_return_val_if_fail (TIRKEU_IS_SESSION (self), NULL);
  return self->error;
}

/**
 * tirkeu_session_get_token:
 *
 * Returns: (transfer none) (nullable): the token in use, as last listed
 */
TirkeuTokenInfo *
tirkeu_session_get_token (TirkeuSession *self)
{
  g_return_val_if_fail (TIRKEU_IS_SESSION (self), NULL);
  return self->token;
}

/**
 * tirkeu_session_get_certificates:
 *
 * Returns: (transfer none) (nullable) (element-type TirkeuCertificate): every certificate of
 *   the token
 */
GPtrArray *
tirkeu_session_get_certificates (TirkeuSession *self)
{
  g_return_val_if_fail (TIRKEU_IS_SESSION (self), NULL);
  return self->certificates;
}

/**
 * tirkeu_session_dup_certificates:
 * @kind: AUTH to sign in, SIGN to sign requests
 *
 * The token's certificates that serve @kind and have a private key, in the token's order: a
 * GOST 2015 certificate, one key for everything, serves both (tirkeu_certificate_serves()).
 *
 * Returns: (transfer container) (element-type TirkeuCertificate): the certificates
 */
GPtrArray *
tirkeu_session_dup_certificates (TirkeuSession         *self,
                                 TirkeuCertificateKind  kind)
{
  GPtrArray *result = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (TIRKEU_IS_SESSION (self), result);

  for (guint i = 0; self->certificates != NULL && i < self->certificates->len; i++)
    {
      TirkeuCertificate *certificate = g_ptr_array_index (self->certificates, i);

      if (tirkeu_certificate_serves (certificate, kind)
          && tirkeu_certificate_has_private_key (certificate))
        g_ptr_array_add (result, g_object_ref (certificate));
    }
  return result;
}

/**
 * tirkeu_session_get_certificate:
 *
 * Returns: (transfer none) (nullable): the AUTH certificate that signed in
 */
TirkeuCertificate *
tirkeu_session_get_certificate (TirkeuSession *self)
{
  g_return_val_if_fail (TIRKEU_IS_SESSION (self), NULL);
  return self->certificate;
}

/**
 * tirkeu_session_get_seller:
 *
 * Returns: (transfer none) (nullable): the seller's profile, %NULL until signed in
 */
const TirkeuPortalSeller *
tirkeu_session_get_seller (TirkeuSession *self)
{
  g_return_val_if_fail (TIRKEU_IS_SESSION (self), NULL);
  return self->seller;
}

/**
 * tirkeu_session_get_oked_qualifies:
 *
 * Step 1: whether the signed-in seller may start a request. The portal's answer wins over
 * our own table of vehicle-trade classes (DOMAIN.md).
 *
 * Returns: %TRUE if signed in and the OKED check passed
 */
gboolean
tirkeu_session_get_oked_qualifies (TirkeuSession *self)
{
  g_return_val_if_fail (TIRKEU_IS_SESSION (self), FALSE);
  return self->state == TIRKEU_SESSION_STATE_SIGNED_IN && self->seller != NULL
         && self->seller->oked_qualifies;
}

/**
 * tirkeu_session_start:
 *
 * Loads the PKCS#11 module and looks for a token. Watch #TirkeuSession:state.
 */
void
tirkeu_session_start (TirkeuSession *self)
{
  g_return_if_fail (TIRKEU_IS_SESSION (self));

  tirkeu_token_manager_load_async (self->tokens, self->cancellable, load_cb, g_object_ref (self));
}

/**
 * tirkeu_session_set_key_file:
 * @file: (nullable): an NCA key file (PKCS#12), or %NULL for tokens
 *
 * The key file this session signs with, as given for this run (never saved). Its certificate
 * is encrypted with the file's password, so it is listed only once the user gave it:
 * tirkeu_session_open_key_file_async(). Give the session a manager of key files alone
 * (tirkeu_token_manager_new_for_key_files()), so that no token is taken for the file.
 */
void
tirkeu_session_set_key_file (TirkeuSession *self,
                             GFile         *file)
{
  g_return_if_fail (TIRKEU_IS_SESSION (self));
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  g_set_object (&self->key_file, file);
}

/**
 * tirkeu_session_get_key_file:
 *
 * Returns: (transfer none) (nullable): the key file set with tirkeu_session_set_key_file()
 */
GFile *
tirkeu_session_get_key_file (TirkeuSession *self)
{
  g_return_val_if_fail (TIRKEU_IS_SESSION (self), NULL);
  return self->key_file;
}

/**
 * tirkeu_session_needs_key_file_password:
 *
 * Returns: %TRUE if a key file is set and not yet open: its certificate can be listed only
 *   with the file's password
 */
gboolean
tirkeu_session_needs_key_file_password (TirkeuSession *self)
{
  g_return_val_if_fail (TIRKEU_IS_SESSION (self), FALSE);
  return self->key_file != NULL && self->token == NULL
         && self->state == TIRKEU_SESSION_STATE_NO_TOKEN;
}

static void
open_key_file_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TirkeuSession *self = g_task_get_source_object (task);
  g_autoptr(TirkeuTokenInfo) token = NULL;
  GError *error = NULL;

  token = tirkeu_token_manager_add_key_file_finish (TIRKEU_TOKEN_MANAGER (object), result, &error);
  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* The manager announces the file as an added token too; the first of the two lists it.
   * A key file the seller chose while a token is inserted replaces the token, as long as
   * nobody signed in with the token (a session that ended keeps its key until the PIN). */
  if (self->token == NULL
      || (self->state <= TIRKEU_SESSION_STATE_TOKEN_PRESENT
          && g_strcmp0 (tirkeu_token_info_get_serial (self->token),
                        tirkeu_token_info_get_serial (token)) != 0))
    use_token (self, token);
  g_task_return_boolean (task, TRUE);
}

/**
 * tirkeu_session_open_key_file_async:
 * @password: the key file's password, just given by the user; not kept
 *
 * Opens the key file set with tirkeu_session_set_key_file(): from then on it is the session's
 * token, and its certificate is listed (#TirkeuSession::certificates-changed). Signing with it
 * asks the password again, as a token asks its PIN.
 */
void
tirkeu_session_open_key_file_async (TirkeuSession       *self,
                                    const char          *password,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TIRKEU_IS_SESSION (self));
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tirkeu_session_open_key_file_async);
  if (self->key_file == NULL)
    {
      g_task_return_new_error (task, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NO_TOKEN,
                               "No key file was given");
      return;
    }
  tirkeu_token_manager_add_key_file_async (self->tokens, self->key_file, password, cancellable,
                                           open_key_file_cb, g_steal_pointer (&task));
}

/**
 * tirkeu_session_open_key_file_finish:
 * @error: a key file error (%TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD, …)
 *
 * Returns: %TRUE if the key file is open and listed
 */
gboolean
tirkeu_session_open_key_file_finish (TirkeuSession  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
refresh_token_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TirkeuSession *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) tokens = NULL;
  GError *error = NULL;

  tokens = tirkeu_token_manager_list_tokens_finish (TIRKEU_TOKEN_MANAGER (object), result, &error);
  if (tokens == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < tokens->len; i++)
    {
      TirkeuTokenInfo *token = g_ptr_array_index (tokens, i);

      if (self->token != NULL
          && g_strcmp0 (tirkeu_token_info_get_serial (token),
                        tirkeu_token_info_get_serial (self->token)) == 0)
        {
          g_set_object (&self->token, token);
          g_task_return_pointer (task, g_object_ref (token), g_object_unref);
          return;
        }
    }
  g_task_return_new_error (task, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NO_TOKEN,
                           "The token is no longer present");
}

/**
 * tirkeu_session_refresh_token_async:
 *
 * Lists the tokens again to read the current PIN flags of the token in use (a snapshot, so
 * read it just before asking for the PIN).
 */
void
tirkeu_session_refresh_token_async (TirkeuSession       *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TIRKEU_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tirkeu_session_refresh_token_async);
  tirkeu_token_manager_list_tokens_async (self->tokens, cancellable, refresh_token_cb,
                                          g_steal_pointer (&task));
}

/**
 * tirkeu_session_refresh_token_finish:
 *
 * Returns: (transfer full): the token with its current PIN flags
 */
TirkeuTokenInfo *
tirkeu_session_refresh_token_finish (TirkeuSession  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* One sign-in under way, shared by every caller of sign_in_async() that came while it ran.
 * Each caller waits with its own cancellable and may leave alone; the sign-in itself runs
 * under the operation's own cancellable, cancelled only when the last caller has left. */
typedef struct _SignInOp
{
  TirkeuSession *self;
  GCancellable  *cancellable;
  GPtrArray     *waiters;     /* Waiter */
  gboolean       retried;
} SignInOp;

typedef struct
{
  GTask   *task;
  GSource *cancelled;         /* this caller's cancellable, as a main-context source */
} Waiter;

static void
waiter_free (Waiter *waiter)
{
  if (waiter->cancelled != NULL)
    {
      g_source_destroy (waiter->cancelled);
      g_source_unref (waiter->cancelled);
    }
  g_clear_object (&waiter->task);
  g_free (waiter);
}

static void
sign_in_op_free (SignInOp *op)
{
  g_clear_pointer (&op->waiters, g_ptr_array_unref);
  g_clear_object (&op->cancellable);
  g_clear_object (&op->self);
  g_free (op);
}

static gboolean
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  Waiter *waiter = user_data;
  TirkeuSession *self = g_task_get_source_object (waiter->task);
  SignInOp *op = self->sign_in_op;
  g_autoptr(GTask) task = g_object_ref (waiter->task);

  g_return_val_if_fail (op != NULL, G_SOURCE_REMOVE);

  /* Removing frees the waiter and destroys this source: nothing of it is used after. */
  g_ptr_array_remove (op->waiters, waiter);
  /* a user action whose time ran out is told so, not that it was cancelled */
  g_task_return_error (task, tirkeu_portal_action_cancelled_error (cancellable));
  if (op->waiters->len == 0)
    g_cancellable_cancel (op->cancellable);
  return G_SOURCE_REMOVE;
}

static void
sign_in_op_add (SignInOp *op,
                GTask    *task)
{
  Waiter *waiter = g_new0 (Waiter, 1);
  GCancellable *cancellable = g_task_get_cancellable (task);

  waiter->task = g_object_ref (task);
  if (cancellable != NULL)
    {
      waiter->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancelled, G_SOURCE_FUNC (waiter_cancelled_cb), waiter,
                             NULL);
      g_source_attach (waiter->cancelled, g_task_get_context (task));
    }
  g_ptr_array_add (op->waiters, waiter);
}

static void sign_in_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data);

static void
sign_in_op_start (SignInOp *op)
{
  tirkeu_portal_client_sign_in_async (op->self->client, op->cancellable, sign_in_cb, op);
}

/* Hands the outcome to every caller still waiting. Takes @error. */
static void
sign_in_op_complete (SignInOp *op,
                     GError   *error)
{
  TirkeuSession *self = op->self;
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&op->waiters);

  g_assert (self->sign_in_op == op);
  self->sign_in_op = NULL;
  op->waiters = g_ptr_array_new ();

  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *waiter = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (waiter->task, g_error_copy (error));
      else
        g_task_return_boolean (waiter->task, TRUE);
    }
  g_clear_error (&error);
  sign_in_op_free (op);
}

static void
sign_in_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SignInOp *op = user_data;
  TirkeuSession *self = op->self;
  g_autoptr(TirkeuPortalSeller) seller = NULL;
  GError *error = NULL;

  seller = tirkeu_portal_client_sign_in_finish (TIRKEU_PORTAL_CLIENT (object), result, &error);

  /* The client joined a sign-in another of its calls had started (a call that found the
   * session ended) and that call's caller cancelled it. The PIN was not used yet, and
   * someone still waits: start again, once. */
  if (seller == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && !g_cancellable_is_cancelled (op->cancellable) && self->sign_in_pin != NULL
      && !op->retried)
    {
      g_clear_error (&error);
      op->retried = TRUE;
      sign_in_op_start (op);
      return;
    }

  g_clear_pointer (&self->sign_in_pin, tirkeu_wipe_string);
  if (seller == NULL)
    {
      g_clear_object (&self->certificate);
      /* A session that ended still says so until a sign-in goes through. */
      set_state (self, self->token == NULL ? TIRKEU_SESSION_STATE_NO_TOKEN
                       : self->error != NULL
                         && g_error_matches (self->error, TIRKEU_PORTAL_ERROR,
                                             TIRKEU_PORTAL_CODE_SESSION_EXPIRED)
                       ? TIRKEU_SESSION_STATE_EXPIRED : TIRKEU_SESSION_STATE_TOKEN_PRESENT);
      sign_in_op_complete (op, error);
      return;
    }
  if (self->token == NULL)
    {
      /* Pulled out while the portal answered. */
      tirkeu_portal_client_sign_out (self->client);
      g_clear_object (&self->certificate);
      sign_in_op_complete (op, g_error_new_literal (TIRKEU_TOKEN_ERROR,
                                                    TIRKEU_TOKEN_ERROR_TOKEN_REMOVED,
                                                    "The token was removed"));
      return;
    }
  g_clear_pointer (&self->seller, tirkeu_portal_seller_free);
  self->seller = g_steal_pointer (&seller);
  g_clear_error (&self->error);
  set_state (self, TIRKEU_SESSION_STATE_SIGNED_IN);
  /* Whatever waited in the outbox for a session goes now. */
  if (self->outbox != NULL)
    tirkeu_outbox_flush (self->outbox);
  sign_in_op_complete (op, NULL);
}

/**
 * tirkeu_session_sign_in_async:
 * @certificate: an AUTH certificate of the token in use
 * @pin: the token's PIN (copied, wiped after use)
 * @cancellable: (nullable): lets this caller stop waiting
 *
 * Signs the portal's challenge with @certificate and reads the seller's profile and OKED
 * check (step 1).
 *
 * A call made while a sign-in with the same certificate is under way waits for that one
 * (its @pin is not used: the token is logged in to once); one with another certificate fails
 * with %G_IO_ERROR_PENDING. Cancelling @cancellable ends only this caller's wait; the
 * sign-in stops when every caller has left.
 */
void
tirkeu_session_sign_in_async (TirkeuSession       *self,
                              TirkeuCertificate   *certificate,
                              const char          *pin,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SignInOp *op;

  g_return_if_fail (TIRKEU_IS_SESSION (self));
  g_return_if_fail (TIRKEU_IS_CERTIFICATE (certificate));
  g_return_if_fail (pin != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tirkeu_session_sign_in_async);
  g_task_set_check_cancellable (task, FALSE);
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_error (task, tirkeu_portal_action_cancelled_error (cancellable));
      return;
    }
  if (self->token == NULL)
    {
      g_task_return_new_error (task, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NO_TOKEN,
                               "No token is inserted");
      return;
    }

  if (self->sign_in_op != NULL)
    {
      if (g_strcmp0 (self->sign_in_certificate_id, tirkeu_certificate_get_id (certificate)) != 0)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                                   "A sign-in with another certificate is under way");
          return;
        }
      sign_in_op_add (self->sign_in_op, task);
      return;
    }

  forget_signed_in (self);
  g_set_object (&self->certificate, certificate);
  self->sign_in_certificate_id = g_strdup (tirkeu_certificate_get_id (certificate));
  self->sign_in_pin = g_strdup (pin);
  set_state (self, TIRKEU_SESSION_STATE_SIGNING_IN);

  op = g_new0 (SignInOp, 1);
  op->self = g_object_ref (self);
  op->cancellable = g_cancellable_new ();
  op->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);
  self->sign_in_op = op;
  sign_in_op_add (op, task);
  sign_in_op_start (op);
}

gboolean
tirkeu_session_sign_in_finish (TirkeuSession  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
sign_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GBytes *signature;

  signature = tirkeu_token_manager_sign_finish (TIRKEU_TOKEN_MANAGER (object), result, &error);
  if (signature == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, signature, (GDestroyNotify) g_bytes_unref);
}

/**
 * tirkeu_session_sign_async:
 * @certificate: a SIGN certificate of the seller's BIN
 * @pin: the PIN (copied into the token's job only)
 * @content: the portal's signing payload (step 9)
 *
 * Signs a registration request: the token refuses any certificate that may not sign it for
 * the signed-in seller before a PIN try is spent.
 */
void
tirkeu_session_sign_async (TirkeuSession       *self,
                           TirkeuCertificate   *certificate,
                           const char          *pin,
                           GBytes              *content,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TIRKEU_IS_SESSION (self));
  g_return_if_fail (TIRKEU_IS_CERTIFICATE (certificate));
  g_return_if_fail (pin != NULL);
  g_return_if_fail (content != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tirkeu_session_sign_async);
  if (self->state != TIRKEU_SESSION_STATE_SIGNED_IN || self->token == NULL)
    {
      g_task_return_new_error (task, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NO_TOKEN, "%s",
                               _("Not signed in: sign in with the token first"));
      return;
    }
  tirkeu_token_manager_sign_async (self->tokens, tirkeu_token_info_get_serial (self->token),
                                   tirkeu_certificate_get_id (certificate),
                                   TIRKEU_SIGN_PURPOSE_REQUEST, self->seller->bin, pin, content,
                                   cancellable, sign_cb, g_steal_pointer (&task));
}

/**
 * tirkeu_session_sign_finish:
 *
 * Returns: (transfer full): the detached CMS signature (DER)
 */
GBytes *
tirkeu_session_sign_finish (TirkeuSession  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tirkeu_session_sign_out:
 *
 * Forgets the portal session and the seller; the token stays.
 */
void
tirkeu_session_sign_out (TirkeuSession *self)
{
  gboolean was_signed_in;

  g_return_if_fail (TIRKEU_IS_SESSION (self));

  was_signed_in = self->state == TIRKEU_SESSION_STATE_SIGNED_IN;
  forget_remembered (self);
  forget_signed_in (self);
  g_clear_error (&self->error);
  if (self->state >= TIRKEU_SESSION_STATE_EXPIRED)
    set_state (self, TIRKEU_SESSION_STATE_TOKEN_PRESENT);
  if (was_signed_in)
    g_signal_emit (self, signals[SIGNED_OUT], 0, FALSE);
}

static void
resume_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TirkeuSession *self = g_task_get_source_object (task);
  g_autoptr(TirkeuPortalSeller) seller = NULL;
  GError *error = NULL;

  seller = tirkeu_portal_client_get_seller_finish (TIRKEU_PORTAL_CLIENT (object), result, &error);
  if (seller == NULL)
    {
      /* The portal no longer knows it (or could not be asked): it is not used. Only a
       * session the portal refused is forgotten; one that could not be checked may serve
       * the next command. */
      if (tirkeu_portal_error_wants_session (error))
        forget_remembered (self);
      self->remembered = FALSE;
      tirkeu_portal_client_sign_out (self->client);
      if (self->state == TIRKEU_SESSION_STATE_SIGNING_IN)
        set_state (self, self->token != NULL ? TIRKEU_SESSION_STATE_TOKEN_PRESENT
                                             : TIRKEU_SESSION_STATE_LOADING);
      g_task_return_error (task, error);
      return;
    }

  g_clear_pointer (&self->seller, tirkeu_portal_seller_free);
  self->seller = g_steal_pointer (&seller);
  g_clear_error (&self->error);
  set_state (self, TIRKEU_SESSION_STATE_SIGNED_IN);
  if (self->outbox != NULL)
    tirkeu_outbox_flush (self->outbox);
  g_task_return_boolean (task, TRUE);
}

/**
 * tirkeu_session_resume_async:
 * @self: a #TirkeuSession
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Signs in without the token: with the portal session this user stored earlier
 * (tirkeu_session_remember()), if it has not ended and the portal still knows it. The
 * seller's profile is read again from the portal, which is the judge. No AUTH certificate is
 * known afterwards (tirkeu_session_get_certificate() is %NULL).
 *
 * Fails with %G_IO_ERROR_NOT_FOUND when nothing is stored.
 */
void
tirkeu_session_resume_async (TirkeuSession       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GDateTime) expires_at = NULL;
  g_autoptr(GError) error = NULL;
  char *token = NULL;

  g_return_if_fail (TIRKEU_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tirkeu_session_resume_async);
  g_task_set_check_cancellable (task, FALSE);
  if (self->sign_in_op != NULL || self->state == TIRKEU_SESSION_STATE_SIGNING_IN)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "A sign-in is under way");
      return;
    }
  if (!tirkeu_session_cache_load (tirkeu_portal_client_get_base_url (self->client), &token,
                                  &expires_at, &error))
    {
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                     "No portal session is stored");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  forget_signed_in (self);
  tirkeu_portal_client_restore_session (self->client, token, expires_at);
  tirkeu_wipe_string (token);
  self->remembered = TRUE;
  set_state (self, TIRKEU_SESSION_STATE_SIGNING_IN);
  tirkeu_portal_client_get_seller_async (self->client, cancellable, resume_cb,
                                         g_steal_pointer (&task));
}

/**
 * tirkeu_session_resume_finish:
 *
 * Returns: %TRUE if signed in with the stored session
 */
gboolean
tirkeu_session_resume_finish (TirkeuSession  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tirkeu_session_remember:
 * @self: a signed-in #TirkeuSession
 * @error: a %G_IO_ERROR
 *
 * Stores the portal session (its token and end, never the PIN) where only this user can
 * read it, for tirkeu_session_resume_async() in the next process: tirkeu-cli signs in once
 * for a whole series of commands. Signing out or the portal ending the session wipes it.
 *
 * Returns: %TRUE if stored
 */
gboolean
tirkeu_session_remember (TirkeuSession  *self,
                         GError        **error)
{
  g_autofree char *token = NULL;
  GDateTime *expires_at;
  gboolean stored;

  g_return_val_if_fail (TIRKEU_IS_SESSION (self), FALSE);
  g_return_val_if_fail (self->state == TIRKEU_SESSION_STATE_SIGNED_IN, FALSE);

  token = tirkeu_portal_client_dup_session_token (self->client);
  expires_at = tirkeu_portal_client_get_session_expires_at (self->client);
  if (token == NULL || expires_at == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No portal session");
      return FALSE;
    }
  stored = tirkeu_session_cache_store (tirkeu_portal_client_get_base_url (self->client), token,
                                       expires_at, error);
  tirkeu_wipe_string (g_steal_pointer (&token));
  self->remembered = stored;
  return stored;
}
