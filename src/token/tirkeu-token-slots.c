/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-token-thread.h"

/* The token thread: the PKCS#11 module, its slots and the tokens present (polled, with the
 * token-added / token-removed events), the PIN state after a failed login, and the UI_METHOD
 * that hands libp11 the job's PIN. The design is at the top of tirkeu-token-manager.h. */

GError *
_tirkeu_token_module_error (const char *module_path)
{
  return g_error_new (TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_MODULE, "%s (%s)",
                      tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_MODULE), module_path);
}

GError *
_tirkeu_token_error_new (TirkeuTokenError code)
{
  return g_error_new_literal (TIRKEU_TOKEN_ERROR, code, tirkeu_token_error_to_message (code));
}

/* The CKR_* value libp11 pushed last on this thread's OpenSSL error queue, or CKR_OK. */
CK_RV
_tirkeu_token_last_ckr (void)
{
  unsigned long error = ERR_peek_last_error ();

  if (error != 0 && ERR_GET_LIB (error) == ERR_get_CKR_code ())
    return ERR_GET_REASON (error);

  return CKR_OK;
}

void
_tirkeu_token_log_openssl_errors (const char *what)
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

UI_METHOD *
_tirkeu_token_pin_ui_new (void)
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

PKCS11_SLOT *
_tirkeu_token_find_slot (Worker     *worker,
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
          /* by its serial: a token's label may hold its owner's name */
          g_debug ("token %s removed", tirkeu_token_info_get_serial (info));
          _tirkeu_token_post_presence (worker, info, FALSE);
        }
    }

  for (guint i = 0; i < present->len; i++)
    {
      TirkeuTokenInfo *info = g_ptr_array_index (present, i);

      if (find_present (worker->present, tirkeu_token_info_get_serial (info)) == NULL)
        {
          g_debug ("token %s added", tirkeu_token_info_get_serial (info));
          _tirkeu_token_post_presence (worker, info, TRUE);
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

void
_tirkeu_token_unload_module (Worker *worker)
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

  _tirkeu_token_unload_module (worker);

  worker->ctx = PKCS11_CTX_new ();
  /* Before anything can ask: no PIN (and never the console) until a signing job sets one. */
  PKCS11_set_ui_method (worker->ctx, worker->pin_ui, NULL);
  if (PKCS11_CTX_load (worker->ctx, worker->shared->module_path) != 0)
    {
      _tirkeu_token_log_openssl_errors ("PKCS11_CTX_load");
      update_presence (worker);
      g_propagate_error (error, _tirkeu_token_module_error (worker->shared->module_path));
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
gboolean
_tirkeu_token_refresh_slots (Worker   *worker,
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
      _tirkeu_token_log_openssl_errors ("PKCS11_enumerate_slots");
      worker->slots = NULL;
      worker->n_slots = 0;
      update_presence (worker);
      g_propagate_error (error, _tirkeu_token_module_error (worker->shared->module_path));
      return FALSE;
    }

  update_presence (worker);
  return TRUE;
}

void
_tirkeu_token_poll_tokens (Worker *worker)
{
  gboolean reload = g_atomic_int_get (&worker->shared->reload_on_poll)
                    || worker->module_is_softhsm;
  g_autoptr(GError) error = NULL;

  if (!_tirkeu_token_refresh_slots (worker, reload, &error))
    g_debug ("poll: %s", error->message);
}

void
_tirkeu_token_run_load (Worker *worker,
                        Job    *job)
{
  GError *error = NULL;

  /* A manager for key files alone loads nothing, so sees no token and polls nothing. */
  if (worker->shared->key_files_only)
    {
      _tirkeu_token_complete_job (worker, job, RESULT_BOOLEAN, NULL, NULL, NULL);
      return;
    }

  if (load_module (worker, &error))
    {
      g_debug ("loaded %s (%s)", worker->shared->module_path, worker->ctx->manufacturer);
      _tirkeu_token_refresh_slots (worker, FALSE, &error);
    }

  _tirkeu_token_complete_job (worker, job, RESULT_BOOLEAN, NULL, NULL, error);
}

void
_tirkeu_token_run_list_tokens (Worker *worker,
                               Job    *job)
{
  GError *error = NULL;
  GPtrArray *tokens;

  /* Key files need no module: with only those, a module not loaded is no error. */
  if (!worker->shared->key_files_only
      && (worker->loaded || worker->key_files->len == 0)
      && !_tirkeu_token_refresh_slots (worker, FALSE, &error))
    {
      _tirkeu_token_complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
      return;
    }

  /* Key files first: each is one the user chose to open, so it is the one to use when a
   * token is inserted too (the desk uses the first token listed). */
  tokens = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < worker->key_files->len; i++)
    g_ptr_array_add (tokens, g_object_ref (((KeyFileToken *)
                                            g_ptr_array_index (worker->key_files, i))->info));
  for (guint i = 0; worker->loaded && i < worker->present->len; i++)
    g_ptr_array_add (tokens, g_object_ref (g_ptr_array_index (worker->present, i)));

  _tirkeu_token_complete_job (worker, job, RESULT_POINTER, tokens,
                              (GDestroyNotify) g_ptr_array_unref, NULL);
}

/* After a failure: if the token is gone, that is the error to report. */
GError *
_tirkeu_token_removed_or (Worker     *worker,
                          const char *serial,
                          GError     *error)
{
  g_autoptr(GError) refresh_error = NULL;

  if (!_tirkeu_token_refresh_slots (worker, FALSE, &refresh_error)
      || _tirkeu_token_find_slot (worker, serial) == NULL)
    {
      g_clear_error (&error);
      return _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_TOKEN_REMOVED);
    }

  return error;
}

/* Maps a failed C_Login. PKCS#11 reports no count of tries left, only flags, and only in a
 * new CK_TOKEN_INFO: the slots are enumerated again to read them (TOOLCHAIN.md). */
GError *
_tirkeu_token_login_error (Worker     *worker,
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
      return _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_PIN_INVALID);
    case CKR_PIN_INCORRECT:
    case CKR_PIN_LOCKED:
      break;
    default:
      return _tirkeu_token_removed_or (worker, serial,
                                       _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_SIGNING_FAILED));
    }

  if (!_tirkeu_token_refresh_slots (worker, FALSE, NULL)
      || (slot = _tirkeu_token_find_slot (worker, serial)) == NULL)
    return _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_TOKEN_REMOVED);

  flags = pin_flags_of (slot->token);
  if (rv == CKR_PIN_LOCKED || (flags & TIRKEU_PIN_FLAGS_LOCKED))
    return _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_PIN_LOCKED);
  if (flags & TIRKEU_PIN_FLAGS_FINAL_TRY)
    return _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_PIN_FINAL_TRY);
  if (flags & TIRKEU_PIN_FLAGS_COUNT_LOW)
    return _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_PIN_COUNT_LOW);

  return _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_PIN_INCORRECT);
}
