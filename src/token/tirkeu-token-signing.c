/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-token-thread.h"

/* The token thread: signatures. Every one is a CAdES-BES detached CMS made by
 * tirkeu_cms_sign_detached_digest() from the document's digest; only the raw signature over
 * the signed attributes depends on where the key is (tirkeu-token-manager.h). */

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
  return _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_SIGNING_FAILED);
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
      signing->ckr = _tirkeu_token_last_ckr ();
      _tirkeu_token_log_openssl_errors ("EVP_DigestSign");
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

/* The job's document digested for @signer's key: its bytes, or its stream read to the end a
 * block at a time (cancellable). Called before the PIN or password is used, so that reading
 * a long document keeps no token session logged in and no key file open. */
static TirkeuCmsDigester *
digest_content (Job     *job,
                X509    *signer,
                GError **error)
{
  g_autoptr(TirkeuCmsDigester) digester = tirkeu_cms_digester_new (signer, error);

  if (digester == NULL)
    return NULL;
  if (job->content_stream != NULL)
    {
      if (!tirkeu_cms_digester_update_from_stream (digester, job->content_stream,
                                                   job->cancellable, error))
        return NULL;
    }
  else
    {
      gsize len;
      const void *data = g_bytes_get_data (job->content, &len);

      tirkeu_cms_digester_update (digester, data, len);
    }
  return g_steal_pointer (&digester);
}

/* The key file token's certificate, as OpenSSL's (for the digest, before the file is opened). */
static X509 *
key_file_signer (KeyFileToken *token)
{
  GBytes *der = tirkeu_certificate_get_der (token->certificate);
  const unsigned char *p = g_bytes_get_data (der, NULL);

  return d2i_X509 (NULL, &p, (long) g_bytes_get_size (der));
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
      return _tirkeu_token_login_error (worker, job->token_serial, rv);
    case CKR_KEY_HANDLE_INVALID:
      g_clear_error (&error);
      return _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_NO_KEY);
    default:
      return _tirkeu_token_removed_or (worker, job->token_serial, error);
    }
}

static void
run_sign_key_file (Worker *worker,
                   Job    *job)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  KeyFileToken *token = _tirkeu_token_find_key_file (worker, job->token_serial);
  Signing signing = { .worker = worker, .job = job, .ckr = CKR_OK };
  g_autoptr(TirkeuCmsDigester) digester = NULL;
  X509 *signer = NULL;
  GBytes *signature = NULL;
  GError *error = NULL;

  if (g_ascii_strcasecmp (tirkeu_certificate_get_id (token->certificate),
                          job->certificate_id) != 0)
    error = _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_CERTIFICATE);
  else if ((signer = key_file_signer (token)) == NULL)
    error = _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_SIGNING_FAILED);
  /* The refusals come before the password is tried, as before a PIN. */
  else if (tirkeu_certificate_check_purpose (token->certificate, job->purpose, job->seller_bin,
                                             now, &error)
           && !_tirkeu_token_job_cancelled (job, &error)
           && (digester = digest_content (job, signer, &error)) != NULL
           && !_tirkeu_token_job_cancelled (job, &error))
    {
      signing.key_file = _tirkeu_token_open_key_file (token->file, job->pin, job->cancellable,
                                                      &error);
      _tirkeu_token_wipe_pin (job);
      if (signing.key_file != NULL)
        signature = tirkeu_cms_sign_detached_digest (
                      tirkeu_key_file_get_certificate (signing.key_file), digester, now,
                      sign_with_key_file_cb, &signing, &error);
      g_clear_object (&signing.key_file);
    }
  X509_free (signer);

  _tirkeu_token_wipe_pin (job);
  if (signature != NULL)
    _tirkeu_token_complete_job (worker, job, RESULT_POINTER, signature,
                                (GDestroyNotify) g_bytes_unref, NULL);
  else
    _tirkeu_token_complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
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
    if (_tirkeu_token_same_id (certs[i].id, certs[i].id_len, id))
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
    if (_tirkeu_token_same_id (keys[i].id, keys[i].id_len, id))
      return &keys[i];

  return NULL;
}

void
_tirkeu_token_run_sign (Worker *worker,
                        Job    *job)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(TirkeuCertificate) certificate = NULL;
  g_autoptr(GPtrArray) gost_ids = NULL;
  g_autoptr(TirkeuCmsDigester) digester = NULL;
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

  if (_tirkeu_token_find_key_file (worker, job->token_serial) != NULL)
    {
      run_sign_key_file (worker, job);
      return;
    }

  if (!_tirkeu_token_refresh_slots (worker, FALSE, &error))
    goto out;

  slot = _tirkeu_token_find_slot (worker, job->token_serial);
  if (slot == NULL)
    {
      error = _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_NO_TOKEN);
      goto out;
    }

  cert = find_certificate (slot, job->certificate_id);
  gost_ids = _tirkeu_token_gost_key_ids (worker, job->token_serial);
  if (cert == NULL
      || (certificate = _tirkeu_token_certificate_from_pkcs11 (worker, slot->token, cert,
                                                               gost_ids)) == NULL)
    {
      error = _tirkeu_token_removed_or (worker, job->token_serial,
                                        _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_CERTIFICATE));
      goto out;
    }

  /* The refusals of tirkeu_certificate_check_purpose() come before the PIN: no try is spent
   * on them. */
  if (!tirkeu_certificate_check_purpose (certificate, job->purpose, job->seller_bin, now,
                                         &error))
    goto out;

  if (slot->token->userPinLocked)
    {
      error = _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_PIN_LOCKED);
      goto out;
    }

  if (_tirkeu_token_job_cancelled (job, &error))
    goto out;

  signer = X509_dup (cert->x509);
  /* the document first: no PIN used, no session logged in while it is read */
  if (signer == NULL)
    {
      error = _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_SIGNING_FAILED);
      goto out;
    }
  if ((digester = digest_content (job, signer, &error)) == NULL
      || _tirkeu_token_job_cancelled (job, &error))
    goto out;

  if (tirkeu_certificate_get_key_algorithm (certificate) == TIRKEU_KEY_ALGORITHM_GOST_2015_512)
    {
      /* libp11 has no key for it: the raw calls log in, sign and log out. */
      if (worker->raw == NULL)
        {
          error = _tirkeu_token_module_error (worker->shared->module_path);
          goto out;
        }
      signature = tirkeu_cms_sign_detached_digest (signer, digester, now,
                                                   sign_with_gost_token_cb, &signing, &error);
      _tirkeu_token_wipe_pin (job);
      if (signature == NULL)
        error = token_signing_error (worker, job, signing.ckr, error);
      goto out;
    }

  ERR_clear_error ();
  logged_in = PKCS11_login (slot, 0, job->pin) == 0;
  if (!logged_in)
    {
      rv = _tirkeu_token_last_ckr ();
      _tirkeu_token_log_openssl_errors ("PKCS11_login");
      error = _tirkeu_token_login_error (worker, job->token_serial,
                                         rv != CKR_OK ? rv : CKR_GENERAL_ERROR);
      goto out;
    }

  /* Private keys are listed only now that the session is logged in. */
  key = find_private_key (slot, job->certificate_id);
  if (key == NULL || (private_key = PKCS11_get_private_key (key)) == NULL)
    {
      _tirkeu_token_log_openssl_errors ("PKCS11_get_private_key");
      error = _tirkeu_token_removed_or (worker, job->token_serial,
                                        _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_NO_KEY));
      goto out;
    }

  /* A key marked CKA_ALWAYS_AUTHENTICATE: libp11 asks pin_ui for the PIN again. */
  PKCS11_set_ui_method (worker->ctx, worker->pin_ui, job->pin);
  signing.private_key = private_key;
  signature = tirkeu_cms_sign_detached_digest (signer, digester, now, sign_with_libp11_cb,
                                               &signing, &error);
  PKCS11_set_ui_method (worker->ctx, worker->pin_ui, NULL);
  _tirkeu_token_wipe_pin (job);
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
  _tirkeu_token_wipe_pin (job);
  /* Drops libp11's copy of the PIN and the logged-in session with it. */
  if (worker->loaded)
    _tirkeu_token_refresh_slots (worker, FALSE, NULL);
  _tirkeu_token_log_openssl_errors ("sign");

  if (signature != NULL)
    _tirkeu_token_complete_job (worker, job, RESULT_POINTER, signature,
                                (GDestroyNotify) g_bytes_unref, NULL);
  else
    _tirkeu_token_complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
}
