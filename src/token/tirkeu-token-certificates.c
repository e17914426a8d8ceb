/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-token-thread.h"

/* The token thread: a token's certificates, each with whether its key is there (libp11 for
 * RSA and EC, raw calls for GOST), parsed once per token and content. */

static char *
id_to_hex (const unsigned char *id,
           size_t               id_len)
{
  GString *hex = g_string_sized_new (id_len * 2 + 1);

  for (size_t i = 0; i < id_len; i++)
    g_string_append_printf (hex, "%02x", id[i]);

  return g_string_free (hex, FALSE);
}

gboolean
_tirkeu_token_same_id (const unsigned char *id,
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
      _tirkeu_token_log_openssl_errors ("PKCS11_enumerate_keys");
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

/* @gost_ids: the ids of the GOST keys on the token (libp11 0.4.12 does not see them) */
TirkeuCertificate *
_tirkeu_token_certificate_from_pkcs11 (Worker       *worker,
                                       PKCS11_TOKEN *token,
                                       PKCS11_CERT  *cert,
                                       GPtrArray    *gost_ids)
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
            || (gost_ids != NULL
                && g_ptr_array_find_with_equal_func (gost_ids, id, g_str_equal, NULL));

  cache_key = certificate_cache_key (token->serialnr, id, cert->label, has_key, bytes);
  cached = g_hash_table_lookup (worker->certificates, cache_key);
  if (cached != NULL)
    return g_object_ref (cached);

  certificate = tirkeu_certificate_new_from_der (bytes, &error);
  if (certificate == NULL)
    {
      /* By its id: a label is the owner's to choose and often holds their name. */
      g_debug ("skipping certificate %s: %s", id, error->message);
      return NULL;
    }
  _tirkeu_certificate_set_location (certificate, token->serialnr, id, cert->label, has_key);

  g_hash_table_insert (worker->certificates, g_steal_pointer (&cache_key),
                       g_object_ref (certificate));
  return g_steal_pointer (&certificate);
}

GPtrArray *
_tirkeu_token_gost_key_ids (Worker     *worker,
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
      _tirkeu_token_log_openssl_errors ("PKCS11_enumerate_certs");
      g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE,
                           tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_CERTIFICATE));
      return NULL;
    }

  gost_ids = _tirkeu_token_gost_key_ids (worker, slot->token->serialnr);
  for (unsigned int i = 0; i < n_certs; i++)
    {
      TirkeuCertificate *certificate;

      certificate = _tirkeu_token_certificate_from_pkcs11 (worker, slot->token, &certs[i],
                                                           gost_ids);

      if (certificate != NULL)
        g_ptr_array_add (certificates, certificate);
    }

  return g_steal_pointer (&certificates);
}

void
_tirkeu_token_run_list_certificates (Worker *worker,
                                     Job    *job)
{
  GError *error = NULL;
  PKCS11_SLOT *slot;
  GPtrArray *certificates;
  KeyFileToken *key_file = _tirkeu_token_find_key_file (worker, job->token_serial);

  if (key_file != NULL)
    {
      certificates = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (certificates, g_object_ref (key_file->certificate));
      _tirkeu_token_complete_job (worker, job, RESULT_POINTER, certificates,
                                  (GDestroyNotify) g_ptr_array_unref, NULL);
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

  certificates = list_certificates (worker, slot, &error);
  if (certificates != NULL)
    {
      _tirkeu_token_complete_job (worker, job, RESULT_POINTER, certificates,
                                  (GDestroyNotify) g_ptr_array_unref, NULL);
      return;
    }
  error = _tirkeu_token_removed_or (worker, job->token_serial, error);

out:
  _tirkeu_token_complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
}
