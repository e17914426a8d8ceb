/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-token-thread.h"

/* The token thread: NCA key files (PKCS#12) listed as tokens of their own. An NCA key file
 * is read with its password when it is added (its certificate is encrypted too) and again for
 * each signature, with the password given for that signature: the private key is never kept,
 * as a token's PIN is never kept. */

void
_tirkeu_token_key_file_token_free (gpointer data)
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

KeyFileToken *
_tirkeu_token_find_key_file (Worker     *worker,
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

TirkeuKeyFile *
_tirkeu_token_open_key_file (GFile         *file,
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

void
_tirkeu_token_run_add_key_file (Worker *worker,
                                Job    *job)
{
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(TirkeuCertificate) certificate = NULL;
  g_autofree char *serial = key_file_serial (job->key_file);
  g_autofree char *label = NULL;
  g_autofree char *id = NULL;
  KeyFileToken *token;
  GError *error = NULL;

  key_file = _tirkeu_token_open_key_file (job->key_file, job->pin, job->cancellable, &error);
  _tirkeu_token_wipe_pin (job);
  if (key_file == NULL)
    {
      _tirkeu_token_complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
      return;
    }

  certificate = tirkeu_certificate_new_from_der (tirkeu_key_file_get_certificate_der (key_file),
                                                 &error);
  if (certificate == NULL)
    {
      _tirkeu_token_complete_job (worker, job, RESULT_POINTER, NULL, NULL, error);
      return;
    }

  /* The certificate's id is its SHA-1 thumbprint, as Windows and NCA's tools show it. */
  id = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1,
                                     tirkeu_key_file_get_certificate_der (key_file));
  label = g_file_get_basename (job->key_file);
  _tirkeu_certificate_set_location (certificate, serial, id, label, TRUE);

  token = _tirkeu_token_find_key_file (worker, serial);
  if (token == NULL)
    {
      token = g_new0 (KeyFileToken, 1);
      token->file = g_object_ref (job->key_file);
      token->info = _tirkeu_token_info_new (label, "", "PKCS#12", serial, TIRKEU_PIN_FLAGS_NONE);
      _tirkeu_token_info_set_kind (token->info, TIRKEU_TOKEN_KIND_KEY_FILE);
      g_ptr_array_add (worker->key_files, token);
      _tirkeu_token_post_presence (worker, token->info, TRUE);
    }
  g_set_object (&token->certificate, certificate);

  _tirkeu_token_complete_job (worker, job, RESULT_POINTER, g_object_ref (token->info),
                              g_object_unref, NULL);
}

void
_tirkeu_token_run_remove_key_file (Worker *worker,
                                   Job    *job)
{
  KeyFileToken *token = _tirkeu_token_find_key_file (worker, job->token_serial);

  if (token == NULL)
    {
      _tirkeu_token_complete_job (worker, job, RESULT_BOOLEAN, NULL, NULL,
                                  _tirkeu_token_error_new (TIRKEU_TOKEN_ERROR_NO_TOKEN));
      return;
    }

  _tirkeu_token_post_presence (worker, token->info, FALSE);
  g_ptr_array_remove (worker->key_files, token);
  _tirkeu_token_complete_job (worker, job, RESULT_BOOLEAN, NULL, NULL, NULL);
}
