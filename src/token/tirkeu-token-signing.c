/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-token-thread.h"

/* The token thread: digests and signatures. Every signature is a CAdES-BES detached CMS
 * made by tirkeu_cms_sign_detached_digest() from the document's digest, made in the same
 * job or by a digest job before it; only the raw signature over the signed attributes
 * depends on where the key is (tirkeu-token-manager.h). */

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
 * a long document keeps no token session logged in and no key file open; a digest job reads
 * it before there is any PIN (_tirkeu_token_run_digest()). */
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

/* The job's certificate where it is now: in a key file, or on a token (the slot is valid
 * until the next enumeration, so for this job only). */
typedef struct
{
  KeyFileToken      *key_file;
  PKCS11_SLOT       *slot;
  TirkeuCertificate *certificate;
  X509              *signer;
} Located;

static void
located_clear (Located *located)
{
  g_clear_object (&located->certificate);
  g_clear_pointer (&located->signer, X509_free);
}

/* Finds the job's certificate (enumerating the slots again) and checks the refusals of
 * tirkeu_certificate_check_purpose() and a locked PIN: they come before the PIN or password
 * is used, so no try is spent on them, and before the document is read. */
static gboolean
locate_signer (Worker     *worker,
               Job        *job,
               GDateTime  *now,
               Located    *located,
               GError    **error)
{
  located->key_file = _tirkeu_token_find_key_file (worker, job->token_serial);
  if (located->key_file != NULL)
    {
      if (g_ascii_strcasecmp (tirkeu_certificate_get_id (located->key_file->certificate),
                              job->certificate_id) != 0)
        {
          g_propagate_error (error, _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_CERTIFICATE));
          return FALSE;
        }
      located->certificate = g_object_ref (located->key_file->certificate);
      located->signer = key_file_signer (located->key_file);
    }
  else
    {
      g_autoptr(GPtrArray) gost_ids = NULL;
      PKCS11_CERT *cert;

      if (!_tirkeu_token_refresh_slots (worker, FALSE, error))
        return FALSE;
      located->slot = _tirkeu_token_find_slot (worker, job->token_serial);
      if (located->slot == NULL)
        {
          g_propagate_error (error, _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_NO_TOKEN));
          return FALSE;
        }

      cert = find_certificate (located->slot, job->certificate_id);
      gost_ids = _tirkeu_token_gost_key_ids (worker, job->token_serial);
      if (cert == NULL
          || (located->certificate = _tirkeu_token_certificate_from_pkcs11 (
                                        worker, located->slot->token, cert, gost_ids)) == NULL)
        {
          g_propagate_error (error, _tirkeu_token_removed_or (
                                      worker, job->token_serial,
                                      _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_CERTIFICATE)));
          return FALSE;
        }
      located->signer = X509_dup (cert->x509);
    }

  if (!tirkeu_certificate_check_purpose (located->certificate, job->purpose, job->seller_bin,
                                         now, error))
    return FALSE;

  if (located->slot != NULL && located->slot->token->userPinLocked)
    {
      g_propagate_error (error, _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_PIN_LOCKED));
      return FALSE;
    }

  if (located->signer == NULL)
    {
      g_propagate_error (error, _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_SIGNING_FAILED));
      return FALSE;
    }

  return !_tirkeu_token_job_cancelled (job, error);
}

/* The key file opened with the job's password (wiped right after), and the digest signed. */
static GBytes *
sign_with_key_file (Worker             *worker,
                    Job                *job,
                    Located            *located,
                    TirkeuCmsDigester  *digester,
                    GDateTime          *now,
                    GError            **error)
{
  Signing signing = { .worker = worker, .job = job, .ckr = CKR_OK };
  GBytes *signature = NULL;

  signing.key_file = _tirkeu_token_open_key_file (located->key_file->file, job->pin,
                                                  job->cancellable, error);
  _tirkeu_token_wipe_pin (job);
  if (signing.key_file == NULL)
    return NULL;

  /* The file is read again for each signature: if it holds another certificate by now
   * than the one listed (the one the digest was made for), nothing is signed. */
  if (X509_cmp (tirkeu_key_file_get_certificate (signing.key_file), located->signer) != 0)
    g_propagate_error (error, _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_CERTIFICATE));
  else
    signature = tirkeu_cms_sign_detached_digest (located->signer, digester, now,
                                                 sign_with_key_file_cb, &signing, error);
  g_clear_object (&signing.key_file);
  return signature;
}

/* The token logged in with the job's PIN (wiped right after the signature), the digest
 * signed, and the session logged out. */
static GBytes *
sign_on_token (Worker             *worker,
               Job                *job,
               Located            *located,
               TirkeuCmsDigester  *digester,
               GDateTime          *now,
               GError            **error)
{
  Signing signing = { .worker = worker, .job = job, .ckr = CKR_OK };
  GError *local_error = NULL;
  GBytes *signature;
  PKCS11_KEY *key;
  EVP_PKEY *private_key;
  CK_RV rv;

  if (tirkeu_certificate_get_key_algorithm (located->certificate)
      == TIRKEU_KEY_ALGORITHM_GOST_2015_512)
    {
      /* libp11 has no key for it: the raw calls log in, sign and log out. */
      if (worker->raw == NULL)
        {
          g_propagate_error (error, _tirkeu_token_module_error (worker->shared->module_path));
          return NULL;
        }
      signature = tirkeu_cms_sign_detached_digest (located->signer, digester, now,
                                                   sign_with_gost_token_cb, &signing,
                                                   &local_error);
      _tirkeu_token_wipe_pin (job);
      if (signature == NULL)
        g_propagate_error (error, token_signing_error (worker, job, signing.ckr, local_error));
      return signature;
    }

  ERR_clear_error ();
  if (PKCS11_login (located->slot, 0, job->pin) != 0)
    {
      _tirkeu_token_wipe_pin (job);
      rv = _tirkeu_token_last_ckr ();
      _tirkeu_token_log_openssl_errors ("PKCS11_login");
      g_propagate_error (error, _tirkeu_token_login_error (worker, job->token_serial,
                                                           rv != CKR_OK ? rv
                                                                        : CKR_GENERAL_ERROR));
      return NULL;
    }

  /* Private keys are listed only now that the session is logged in. */
  key = find_private_key (located->slot, job->certificate_id);
  if (key == NULL || (private_key = PKCS11_get_private_key (key)) == NULL)
    {
      _tirkeu_token_wipe_pin (job);
      _tirkeu_token_log_openssl_errors ("PKCS11_get_private_key");
      g_propagate_error (error, _tirkeu_token_removed_or (
                                  worker, job->token_serial,
                                  _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_NO_KEY)));
      return NULL;
    }

  /* A key marked CKA_ALWAYS_AUTHENTICATE: libp11 asks pin_ui for the PIN again. */
  PKCS11_set_ui_method (worker->ctx, worker->pin_ui, job->pin);
  signing.private_key = private_key;
  signature = tirkeu_cms_sign_detached_digest (located->signer, digester, now,
                                               sign_with_libp11_cb, &signing, &local_error);
  PKCS11_set_ui_method (worker->ctx, worker->pin_ui, NULL);
  _tirkeu_token_wipe_pin (job);
  EVP_PKEY_free (private_key);
  if (signature == NULL)
    {
      g_propagate_error (error, token_signing_error (worker, job, signing.ckr, local_error));
      return NULL;
    }

  PKCS11_logout (located->slot);
  return signature;
}

/* A sign job: of its own content, digested here before the PIN is used, or of the digest a
 * digest job made (job->digest), once its certificate is found there still. */
void
_tirkeu_token_run_sign (Worker *worker,
                        Job    *job)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(TirkeuCmsDigester) own_digester = NULL;
  TirkeuCmsDigester *digester;
  Located located = { 0 };
  GError *error = NULL;
  GBytes *signature = NULL;

  if (!locate_signer (worker, job, now, &located, &error))
    goto out;

  if (job->digest != NULL)
    {
      /* The token or file may hold another certificate under that id by now: its key would
       * sign a digest made for another, under a signing-certificate attribute that lies. */
      if (X509_cmp (located.signer, _tirkeu_document_digest_get_signer (job->digest)) != 0)
        {
          error = _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_CERTIFICATE);
          goto out;
        }
      digester = _tirkeu_document_digest_get_digester (job->digest);
    }
  else
    {
      /* the document first: no PIN used, no session logged in while it is read */
      own_digester = digest_content (job, located.signer, &error);
      if (own_digester == NULL || _tirkeu_token_job_cancelled (job, &error))
        goto out;
      digester = own_digester;
    }

  if (located.key_file != NULL)
    signature = sign_with_key_file (worker, job, &located, digester, now, &error);
  else
    signature = sign_on_token (worker, job, &located, digester, now, &error);

out:
  _tirkeu_token_wipe_pin (job);
  /* Drops libp11's copy of the PIN and the logged-in session with it. */
  if (located.key_file == NULL && worker->loaded)
    _tirkeu_token_refresh_slots (worker, FALSE, NULL);
  located_clear (&located);
  _tirkeu_token_log_openssl_errors ("sign");

  if (signature != NULL)
    _tirkeu_token_complete_job (worker, job, RESULT_POINTER, signature,
                                (GDestroyNotify) g_bytes_unref, NULL);
  else
    _tirkeu_token_complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
}

/* A digest job: the certificate found and its refusals checked, then the document read to
 * its end into the digest its key needs. The job holds no PIN: the caller asks for it only
 * once this is done, for tirkeu_token_manager_sign_digest_async(). */
void
_tirkeu_token_run_digest (Worker *worker,
                          Job    *job)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  TirkeuCmsDigester *digester = NULL;
  TirkeuDocumentDigest *digest = NULL;
  Located located = { 0 };
  GError *error = NULL;

  if (locate_signer (worker, job, now, &located, &error)
      && (digester = digest_content (job, located.signer, &error)) != NULL
      && !_tirkeu_token_job_cancelled (job, &error))
    digest = _tirkeu_document_digest_new (job->token_serial, job->certificate_id, job->purpose,
                                          job->seller_bin, g_steal_pointer (&located.signer),
                                          g_steal_pointer (&digester));
  g_clear_pointer (&digester, tirkeu_cms_digester_free);
  located_clear (&located);
  _tirkeu_token_log_openssl_errors ("digest");

  if (digest != NULL)
    _tirkeu_token_complete_job (worker, job, RESULT_POINTER, digest, g_object_unref, NULL);
  else
    _tirkeu_token_complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
}
